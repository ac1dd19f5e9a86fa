/* charts.h — the report's charts, drawn with cairo from a loaded run.
 *
 * Each chart draws into the rectangle (0, 0)-(w, h) of any cairo context
 * (PDF, SVG, PNG), in points, with pango for every text. Colours are the
 * Okabe-Ito palette, and every verdict also has a shape, so a chart reads
 * in black and white. Nothing is drawn that the run does not hold.
 */
#ifndef FA_CHARTS_H
#define FA_CHARTS_H

#include <stddef.h>

#include <cairo.h>

#include "results.h"
#include "util.h"

/*
 * The rate m (a proportion) of every group of set with its interval as a
 * whisker and its n, the reference group marked, and, when the run's
 * template checks m as a ratio, the band of rates it allows (the band
 * times the reference's rate) shaded.
 */
void fa_chart_rates(cairo_t *cr, double w, double h, const fa_results *r,
                    int set, fa_metric m);

/*
 * Forest plot: the ratio of m to the reference, with its interval, for
 * every non-reference group of set, on a log axis; the template's ratio
 * band shaded; each row coloured and shaped by its verdict.
 */
void fa_chart_forest(cairo_t *cr, double w, double h, const fa_results *r,
                     int set, fa_metric m);

/* Small multiples: TPR, FPR, PPV and NPV per group of set, intervals
 * shown (a labelled run). */
void fa_chart_multiples(cairo_t *cr, double w, double h, const fa_results *r,
                        int set);

/*
 * Heatmap of an intersection set of two attributes: rows the first
 * attribute's values, columns the second's, each cell coloured by m and
 * labelled with its value and n; a cell without sufficient evidence or
 * without rows is hatched and says why, never left blank.
 */
void fa_chart_heatmap(cairo_t *cr, double w, double h, const fa_results *r,
                      int set, fa_metric m);

/* Score bins of the calibration chart. */
#define FA_CAL_BINS 10

/* One group's score curves, from the rows (audit/curves.c). */
typedef struct fa_curve_group {
    int64_t gid;
    int64_t n, positives; /* rows, actual positives */
    /* ROC: nroc points (fpr, tpr) from (0, 0) to (1, 1) by falling
     * threshold; 0 points without both classes */
    size_t nroc;
    double *roc_fpr, *roc_tpr;
    /* calibration: rows, mean score and share of actual positives of each
     * of FA_CAL_BINS equal bins of [cal_lo, cal_hi] (rate read only when
     * cal_n > 0) */
    int64_t cal_n[FA_CAL_BINS];
    double cal_score[FA_CAL_BINS];
    double cal_rate[FA_CAL_BINS];
    /* threshold sweep, at each of the set's nthresh thresholds: selection
     * rate (share scoring >= t) and TPR (tpr_ok 0 without positives) */
    double *sel;
    double *tpr;
    unsigned char *tpr_ok;
} fa_curve_group;

/* The score curves of one attribute set's groups (a scored, labelled
 * run). */
typedef struct fa_score_curves {
    int set;
    size_t ngroups;
    fa_curve_group *g; /* in the set's group order; empty groups too */
    double cal_lo, cal_hi;
    size_t nthresh;
    double *thresh; /* ascending */
    int has_chosen; /* the decision is score >= chosen */
    double chosen;
} fa_score_curves;

/* ROC curve of every group of c's set with its AUC (from the run) in the
 * legend, the diagonal drawn. */
void fa_chart_roc(cairo_t *cr, double w, double h, const fa_results *r,
                  const fa_score_curves *c);

/* Reliability diagram: mean score against observed rate of each bin per
 * group (point area or a label shows the bin's rows; bins of no rows
 * omitted), the diagonal of perfect calibration drawn. */
void fa_chart_calibration(cairo_t *cr, double w, double h, const fa_results *r,
                          const fa_score_curves *c);

/* Threshold sweep: against the threshold, the selection-rate ratio (the
 * lowest group rate over the highest, groups of at least r->min_group
 * rows and no missing value) and the TPR gap (highest minus lowest),
 * the chosen threshold marked when known, the 0.8 ratio line drawn. */
void fa_chart_sweep(cairo_t *cr, double w, double h, const fa_results *r,
                    const fa_score_curves *c);

/* One chart file: its name (no extension) and what it shows. */
/* A template check's ratio band; has is 0 when there is none. */
typedef struct fa_band {
    int has, has_min, has_max;
    double min, max;
} fa_band;

/*
 * The band of the first check of m as a ratio in r's template, when it
 * judges sets of kind.
 */
fa_band fa_chart_band(const fa_results *r, fa_metric m, enum fa_set_kind kind);

/*
 * The main metric: the first the template checks as a ratio that the data
 * can have (a label-free run has no TPR), else the selection rate.
 */
fa_metric fa_chart_main_metric(const fa_results *r);

typedef struct fa_chart_file {
    char *name;  /* e.g. "set1-selection_rate" */
    char *title; /* e.g. "Selection rate by sex" */
    int set;
    int kind; /* 0 rates, 1 forest, 2 multiples, 3 heatmap, 4 roc,
                 5 calibration, 6 sweep */
    fa_metric metric;
    const fa_score_curves *curves; /* kinds 4 to 6 */
} fa_chart_file;

/*
 * The charts of a run: for each attribute set the rates and the forest
 * plot of the main metric (the first metric the template checks as a
 * ratio, else the selection rate) and, in a labelled run, the small
 * multiples; for each intersection of two attributes the heatmap. Names
 * use set ids, never data values. Caller frees with fa_chart_files_free.
 */
fa_chart_file *fa_chart_list(const fa_results *r, size_t *n);

/* The same, with the score charts (ROC, calibration, sweep) of each of
 * the ncurves sets curves describes, after each set's other charts. */
fa_chart_file *fa_chart_list_curves(const fa_results *r,
                                    const fa_score_curves *curves,
                                    size_t ncurves, size_t *n);
void fa_chart_files_free(fa_chart_file *f, size_t n);

/* Draws chart f of r at w x h points. */
void fa_chart_draw(cairo_t *cr, double w, double h, const fa_results *r,
                   const fa_chart_file *f);

/* Writes every chart of fa_chart_list_curves as dir/NAME.svg and
 * dir/NAME.png (creating dir). FA_ERR_IO_WRITE naming the file on
 * failure. curves may be NULL (ncurves 0). */
fa_err fa_charts_write(fa_ctx *ctx, const fa_results *r,
                       const fa_score_curves *curves, size_t ncurves,
                       const char *dir);

#endif /* FA_CHARTS_H */
