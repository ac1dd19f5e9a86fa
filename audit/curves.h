/* curves.h — the score curves of a run's attribute groups (ROC,
 * calibration, threshold sweep), read from the store's rows for the
 * report's charts.
 */
#ifndef FA_CURVES_H
#define FA_CURVES_H

#include <stddef.h>

#include "charts.h"
#include "results.h"
#include "store.h"
#include "util.h"

/* Thresholds of the sweep: evenly spaced over the scores' range. */
#define FA_CURVES_THRESHOLDS 101

/* ROC points kept per group at most (a curve of more rows is thinned to
 * this many, keeping its first and last points). */
#define FA_CURVES_ROC_POINTS 400

/*
 * The curves of every attribute set of run r (loaded from st), one pass
 * over the dataset's rows, with each row's weight (so a weighted run's
 * curves agree with its weighted AUC, Brier score and rates); none (*n 0)
 * unless the dataset is scored and labelled. Caller frees with
 * fa_score_curves_free.
 */
fa_err fa_score_curves_load(fa_ctx *ctx, fa_store *st, const fa_results *r,
                            fa_score_curves **out /* OUT */,
                            size_t *n /* OUT */);

void fa_score_curves_free(fa_score_curves *c, size_t n);

/*
 * The threshold sweep of one set compared across its groups. A group is
 * eligible when it has at least r->min_group rows (one at least) and no
 * missing value. At each threshold t: ratio[t], the lowest eligible
 * selection rate over the highest (rok[t] 0 with fewer than two eligible
 * groups or a highest of 0), and gap[t], the highest eligible TPR minus
 * the lowest (gok[t] 0 with fewer than two eligible groups having actual
 * positives). Release with fa_sweep_free.
 */
typedef struct fa_sweep {
    unsigned char *eligible; /* per group of the set, in c's order */
    size_t neligible;
    double *ratio, *gap;      /* per threshold */
    unsigned char *rok, *gok; /* per threshold */
} fa_sweep;

void fa_sweep_compute(const fa_results *r, const fa_score_curves *c,
                      fa_sweep *out /* OUT */);
void fa_sweep_free(fa_sweep *s);

#endif /* FA_CURVES_H */
