/* compare.h — two runs compared: every group's metrics with the change's
 * interval and test, regressions and improvements, groups that appeared
 * or vanished, verdicts that changed, and drift between the datasets
 * (group composition, base rates, score distributions); compare.json.
 *
 * A side is a run's published results.json (from a store or an audit
 * pack), with the rows of its dataset when they can be read (a store, or
 * a pack's rows.csv) for the score drift.
 */
#ifndef FA_COMPARE_H
#define FA_COMPARE_H

#include <stddef.h>

#include <jansson.h>

#include "store.h"
#include "util.h"

/* Scores of one group of one side, for the score drift. */
typedef struct fa_cmp_scores {
    char *key; /* the group's attributes as canonical JSON */
    double *s; /* sorted ascending */
    size_t n;
} fa_cmp_scores;

typedef struct fa_cmp_side {
    char *name;            /* "run 3 of STORE", "PACK.zip" */
    json_t *results;       /* results.json */
    double tolerance;      /* the template's, or -1 */
    fa_cmp_scores *scores; /* per single-attribute group, or NULL */
    size_t nscores;
    const char *scores_reason; /* why none, when scores is NULL */
} fa_cmp_side;

struct fa_compare_opts {
    double alpha;     /* <= 0: 0.05 */
    double tolerance; /* < 0: the candidate template's, else 0.02 */
    double psi_alert; /* a PSI above this is drift (0.25) */
};

/*
 * Loads side from run run_id of st (its published results.json and its
 * rows' scores by attribute group).
 */
fa_err fa_cmp_side_from_run(fa_ctx *ctx, fa_store *st, const char *store_path,
                            int64_t run_id, fa_cmp_side *side /* OUT */);

/*
 * Loads side from an audit pack (its results.json and template.json, and
 * with rows.csv the scores). It does not verify the pack
 * (fairaudit verify does).
 */
fa_err fa_cmp_side_from_pack(fa_ctx *ctx, const char *zip,
                             fa_cmp_side *side /* OUT */);

void fa_cmp_side_release(fa_cmp_side *side);

/*
 * Compares base with cand into *out (compare.json; caller decrefs) and
 * *regressions. FA_ERR_USAGE, naming them, when the two runs' attributes
 * differ.
 */
fa_err fa_compare_runs(fa_ctx *ctx, const fa_cmp_side *base,
                       const fa_cmp_side *cand, const struct fa_compare_opts *o,
                       json_t **out /* OUT */, size_t *regressions /* OUT */);

/* Two-sample Kolmogorov-Smirnov statistic of sorted a[0..na) and
 * b[0..nb), and its asymptotic p-value (Stephens' approximation of the
 * Kolmogorov distribution; 1 when either is empty). */
double fa_ks_two_sample(const double *a, size_t na, const double *b, size_t nb,
                        double *p /* OUT */);

/* Population stability index of shares q (new) against p (old), k bins;
 * an empty bin counts as 0.0001 of its side. */
double fa_psi(const double *p, const double *q, size_t k);

/*
 * A run's entry of the history from its published results: id, created,
 * dataset, template, verdict and headline (the population's selection
 * rate, accuracy and AUC, the verdicts by kind, and the lowest
 * selection-rate ratio of an attribute's group with the group).
 */
json_t *fa_cmp_run_entry(json_t *results);

/* Every run of st, oldest first, as fa_cmp_run_entry gives them. */
fa_err fa_cmp_history(fa_ctx *ctx, fa_store *st, json_t **runs /* OUT */);

/*
 * A side from spec: a run id of st (st may be NULL for a pack) or an
 * audit pack's path.
 */
fa_err fa_cmp_side_load(fa_ctx *ctx, fa_store *st, const char *store_path,
                        const char *spec, fa_cmp_side *side /* OUT */);

/* "sex=female, race=Black" of a group's attributes (an object of text or
 * null), "(missing)" for null, "overall" for none (caller frees). */
char *fa_cmp_attrs_label(json_t *attrs);

#endif /* FA_COMPARE_H */
