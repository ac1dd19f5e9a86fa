/* bootstrap.h — seeded percentile bootstrap of statistics of several
 * groups' confusion counts, stratified by group.
 *
 * Each replicate redraws every group at its own size (so no group ever
 * vanishes from a resample) from the multinomial distribution of its four
 * confusion cells: the same distribution as resampling its rows, at no
 * cost per row. Pure: GSL's mt19937 generator, seeded by the caller, so the
 * same seed gives the same intervals.
 */
#ifndef FA_BOOTSTRAP_H
#define FA_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#include "confusion.h"
#include "stats.h"

/*
 * Computes nout statistics of k groups' counts into out (each defined or
 * not). Must not keep pointers to its arguments.
 */
typedef void (*fa_boot_stat_fn)(const fa_counts *groups, size_t k,
                                fa_value *out, size_t nout, void *data);

/*
 * Percentile intervals at confidence conf of the nout statistics fn
 * computes, over replicates replicates drawn with seed. rows[g] are group
 * g's unweighted cells (tp, fp, tn, fn). A statistic undefined in more
 * than 5% of the replicates gets no interval ("undefined in too many
 * replicates"); replicates 0 gives "no bootstrap". Intervals use R's
 * type-7 quantiles of the defined replicate values.
 */
void fa_bootstrap(const int64_t (*rows)[4], size_t k, fa_boot_stat_fn fn,
                  void *data, size_t nout, uint64_t seed, size_t replicates,
                  double conf, fa_interval *out /* nout */);

/*
 * One confusion cell of a group in a weighted audit: its rows, the sum and
 * the sum of squares of their weights, and the weights themselves (rows of
 * them) when the cell has at most FA_BOOT_EXACT_ROWS rows, else NULL.
 */
typedef struct {
    int64_t rows;
    double w, w2;
    const double *weights;
} fa_boot_cell;

#define FA_BOOT_EXACT_ROWS 256

/*
 * fa_bootstrap for weighted rows. A replicate redraws each group's rows at
 * the group's own size: the rows per cell from the multinomial of the
 * cells' row counts, then each cell's weight total as the sum of that many
 * rows drawn from the cell. A cell's weights are drawn one by one when it
 * has them; a larger cell's total is normal with the mean and variance of
 * that sum (m rows from a cell of n: m w/n and m (w2/n - (w/n)^2)), kept
 * at or above 0. The statistic sees weighted counts.
 */
void fa_bootstrap_weighted(const fa_boot_cell (*cells)[4], size_t k,
                           fa_boot_stat_fn fn, void *data, size_t nout,
                           uint64_t seed, size_t replicates, double conf,
                           fa_interval *out /* nout */);

/*
 * The basic (reverse-percentile) interval from a percentile one and the
 * estimate: [2 est - hi, 2 est - lo], kept within [min, max]. For a
 * statistic biased away from its bound (a maximum gap over groups), the
 * percentile interval lies wholly above the truth when the groups are
 * alike; the basic interval reflects the bias back.
 */
fa_interval fa_bootstrap_basic(fa_interval percentile, double estimate,
                               double min, double max);

#endif /* FA_BOOTSTRAP_H */
