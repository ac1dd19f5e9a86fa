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
 * curves agree with its weighted AUC, Brier score and rates); none (*n 0) unless the dataset is scored and
 * labelled. Caller frees with fa_score_curves_free.
 */
fa_err fa_score_curves_load(fa_ctx *ctx, fa_store *st, const fa_results *r,
                            fa_score_curves **out /* OUT */,
                            size_t *n /* OUT */);

void fa_score_curves_free(fa_score_curves *c, size_t n);

#endif /* FA_CURVES_H */
