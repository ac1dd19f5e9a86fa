/* scores.h — metrics of a continuous score: AUC, Brier score, mean score.
 *
 * Pure functions; fa_auc sorts the caller's array in place and allocates
 * nothing. Reasons are static strings.
 */
#ifndef FA_SCORES_H
#define FA_SCORES_H

#include <stddef.h>

#include "confusion.h"

/* One scored row: label is 1 for an actual positive, 0 for a negative. */
typedef struct fa_scored {
    double score;
    double weight;
    int label;
} fa_scored;

/*
 * Weighted area under the ROC curve: the probability that a random positive
 * scores higher than a random negative, ties counting one half, each pair
 * weighted by the product of its rows' weights. Sorts rows by score in place.
 * Undefined when the positives or the negatives have no weight.
 */
fa_value fa_auc(fa_scored *rows, size_t n);

/* The same for rows already in ascending score order; allocates nothing,
 * changes nothing. */
fa_value fa_auc_sorted(const fa_scored *rows, size_t n);

/*
 * DeLong's variance of the (unweighted) AUC of rows already in ascending
 * score order: with the placement values V10(i) of each positive (the share
 * of negatives it outscores, ties one half) and V01(j) of each negative,
 * var = S10 / m + S01 / n, S the sample variances, m positives and n
 * negatives (DeLong, DeLong and Clarke-Pearson 1988). Undefined when there
 * are fewer than two positives or two negatives. The AUC goes to auc.
 */
fa_value fa_auc_delong_sorted(const fa_scored *rows, size_t n,
                              double *auc /* OUT */);

/*
 * Per-group sums from which the Brier score and the mean score follow; they
 * add up over disjoint sets of rows, so groups are roll-ups of cells.
 */
typedef struct fa_score_sums {
    double w;       /* sum of weights */
    double ws;      /* sum of weight * score */
    double wsq_err; /* sum of weight * (score - label)^2 */
} fa_score_sums;

/* Adds one row to sums. */
void fa_score_sums_add(fa_score_sums *s, double score, int label, double w);

/* Adds b into a. */
void fa_score_sums_merge(fa_score_sums *a, const fa_score_sums *b);

/*
 * Brier score = wsq_err / w. unit_scores is 1 when every score of the data
 * set lies in [0, 1]; otherwise the Brier score is undefined.
 */
fa_value fa_brier(const fa_score_sums *s, int unit_scores);

/* Weighted mean score = ws / w. */
fa_value fa_mean_score(const fa_score_sums *s);

#endif /* FA_SCORES_H */
