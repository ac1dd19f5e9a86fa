/* scores.c — AUC, Brier score and mean score of a continuous score.
 *
 * Formulas: docs/metrics.md#auc, #brier, #mean_score.
 */
#include <stdlib.h>

#include "scores.h"

static int
by_score(const void *a, const void *b)
{
    double x = ((const fa_scored *)a)->score;
    double y = ((const fa_scored *)b)->score;

    return (x > y) - (x < y);
}

/*
 * METRIC auc — docs/metrics.md#auc
 * One sort, then one scan over blocks of tied scores: every positive in a
 * block beats the negative weight below the block and ties half of the
 * negative weight inside it. The sum is exact pair counting, O(n log n).
 */
fa_value
fa_auc(fa_scored *rows, size_t n)
{
    qsort(rows, n, sizeof(*rows), by_score);
    return fa_auc_sorted(rows, n);
}

fa_value
fa_auc_sorted(const fa_scored *rows, size_t n)
{
    double wpos = 0, wneg = 0, below = 0, wins = 0;
    size_t i = 0;
    fa_value v = {0};

    while (i < n) {
        double bpos = 0, bneg = 0;
        size_t j = i;

        while (j < n && rows[j].score == rows[i].score) {
            if (rows[j].label)
                bpos += rows[j].weight;
            else
                bneg += rows[j].weight;
            j++;
        }
        wins += bpos * (below + 0.5 * bneg);
        below += bneg;
        wpos += bpos;
        wneg += bneg;
        i = j;
    }
    if (wpos == 0)
        return fa_value_undefined("no actual positives");
    if (wneg == 0)
        return fa_value_undefined("no actual negatives");
    v.value = wins / wpos / wneg; /* wpos * wneg can overflow */
    return v;
}

/* METRIC delong — docs/metrics.md#delong */
fa_value
fa_auc_delong_sorted(const fa_scored *rows, size_t n, double *auc)
{
    double m = 0, k = 0, below = 0, above, s10 = 0, q10 = 0, s01 = 0, q01 = 0;
    size_t i = 0;
    fa_value v = {0};

    for (size_t r = 0; r < n; r++) {
        if (rows[r].label)
            m++;
        else
            k++;
    }
    *auc = 0;
    if (m < 2)
        return fa_value_undefined("fewer than two actual positives");
    if (k < 2)
        return fa_value_undefined("fewer than two actual negatives");
    above = m;
    /* one pass over blocks of tied scores: a block's positives share one
     * placement value, and so do its negatives */
    while (i < n) {
        double bp = 0, bn = 0, v10, v01;
        size_t j = i;

        while (j < n && rows[j].score == rows[i].score) {
            if (rows[j].label)
                bp++;
            else
                bn++;
            j++;
        }
        above -= bp;
        v10 = (below + 0.5 * bn) / k;
        v01 = (above + 0.5 * bp) / m;
        s10 += bp * v10;
        q10 += bp * v10 * v10;
        s01 += bn * v01;
        q01 += bn * v01 * v01;
        below += bn;
        i = j;
    }
    *auc = s10 / m;
    /* sample variances of the placements, then var = S10/m + S01/k */
    v.value = (q10 - s10 * s10 / m) / (m - 1) / m +
              (q01 - s01 * s01 / k) / (k - 1) / k;
    if (v.value < 0)
        v.value = 0; /* rounding when every placement is equal */
    return v;
}

void
fa_score_sums_add(fa_score_sums *s, double score, int label, double w)
{
    double e = score - (label ? 1.0 : 0.0);

    s->w += w;
    s->ws += w * score;
    s->wsq_err += w * e * e;
}

void
fa_score_sums_merge(fa_score_sums *a, const fa_score_sums *b)
{
    a->w += b->w;
    a->ws += b->ws;
    a->wsq_err += b->wsq_err;
}

/* METRIC brier — docs/metrics.md#brier */
fa_value
fa_brier(const fa_score_sums *s, int unit_scores)
{
    if (!unit_scores)
        return fa_value_undefined("scores outside [0,1]");
    return fa_value_ratio(s->wsq_err, s->w, "empty group");
}

/* METRIC mean_score — docs/metrics.md#mean_score */
fa_value
fa_mean_score(const fa_score_sums *s)
{
    return fa_value_ratio(s->ws, s->w, "empty group");
}
