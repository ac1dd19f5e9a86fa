/* disparity.h — a group against its reference, and gaps across groups.
 *
 * Pure functions over fa_value; reasons are static strings.
 */
#ifndef FA_DISPARITY_H
#define FA_DISPARITY_H

#include <stddef.h>

#include "confusion.h"

/* group / reference; undefined when either is undefined or reference is 0. */
fa_value fa_disparity_ratio(const fa_value *group, const fa_value *ref);

/* group - reference; undefined when either is undefined. */
fa_value fa_disparity_difference(const fa_value *group, const fa_value *ref);

/*
 * max - min over the values that are defined; undefined when fewer than two
 * are defined.
 */
fa_value fa_aggregate_difference(const fa_value *vals, size_t n);

/*
 * min / max over the values that are defined; undefined when fewer than two
 * are defined or the maximum is 0.
 */
fa_value fa_aggregate_ratio(const fa_value *vals, size_t n);

/*
 * Equalized odds: the larger of the TPR and the FPR differences
 * (fa_aggregate_difference), and the smaller of the two ratios
 * (fa_aggregate_ratio); undefined when either part is undefined.
 */
fa_value fa_equalized_odds_difference(const fa_value *tpr, const fa_value *fpr,
                                      size_t n);
fa_value fa_equalized_odds_ratio(const fa_value *tpr, const fa_value *fpr,
                                 size_t n);

#endif /* FA_DISPARITY_H */
