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

/* One chart file: its name (no extension) and what it shows. */
typedef struct fa_chart_file {
    char *name;  /* e.g. "set1-selection_rate" */
    char *title; /* e.g. "Selection rate by sex" */
    int set;
    int kind; /* 0 rates, 1 forest, 2 multiples, 3 heatmap */
    fa_metric metric;
} fa_chart_file;

/*
 * The charts of a run: for each attribute set the rates and the forest
 * plot of the main metric (the first metric the template checks as a
 * ratio, else the selection rate) and, in a labelled run, the small
 * multiples; for each intersection of two attributes the heatmap. Names
 * use set ids, never data values. Caller frees with fa_chart_files_free.
 */
fa_chart_file *fa_chart_list(const fa_results *r, size_t *n);
void fa_chart_files_free(fa_chart_file *f, size_t n);

/* Draws chart f of r at w x h points. */
void fa_chart_draw(cairo_t *cr, double w, double h, const fa_results *r,
                   const fa_chart_file *f);

/* Writes every chart of fa_chart_list as dir/NAME.svg and dir/NAME.png
 * (creating dir). FA_ERR_IO_WRITE naming the file on failure. */
fa_err fa_charts_write(fa_ctx *ctx, const fa_results *r, const char *dir);

#endif /* FA_CHARTS_H */
