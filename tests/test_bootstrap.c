/* test_bootstrap.c — the stratified bootstrap: reproducible, never loses a
 * group, and its intervals cover at about the nominal rate. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bootstrap.h"
#include "disparity.h"
#include "tests.h"

/* statistic 0: selection-rate max - min; 1: the number of groups seen */
static void
two_stats(const fa_counts *c, size_t k, fa_value *out, size_t nout, void *data)
{
    fa_value sel[16];
    size_t seen = 0;

    (void)data;
    (void)nout;
    for (size_t i = 0; i < k; i++) {
        sel[i] = fa_confusion_metric(FA_METRIC_SELECTION_RATE, &c[i], 1);
        seen += c[i].tp + c[i].fp + c[i].tn + c[i].fn > 0;
    }
    out[0] = fa_aggregate_difference(sel, k);
    out[1] = (fa_value){(double)seen, 0, 0, 0, NULL};
}

START_TEST(same_seed_same_interval)
{
    const int64_t rows[3][4] = {{30, 20, 40, 10}, {5, 2, 3, 1}, {100, 0, 0, 0}};
    fa_interval a[2], b[2], c[2];

    fa_bootstrap(rows, 3, two_stats, NULL, 2, 42, 500, 0.95, a);
    fa_bootstrap(rows, 3, two_stats, NULL, 2, 42, 500, 0.95, b);
    fa_bootstrap(rows, 3, two_stats, NULL, 2, 43, 500, 0.95, c);
    ck_assert_ptr_null(a[0].reason);
    ck_assert(a[0].lo == b[0].lo && a[0].hi == b[0].hi);
    ck_assert(a[0].lo != c[0].lo || a[0].hi != c[0].hi);
    ck_assert_double_le(a[0].lo, a[0].hi);
    /* stratified: every replicate keeps all three groups, even the one of
     * 11 rows next to one of 100 */
    ck_assert_double_eq(a[1].lo, 3);
    ck_assert_double_eq(a[1].hi, 3);
}
END_TEST

START_TEST(no_replicates_no_interval)
{
    const int64_t rows[1][4] = {{1, 1, 1, 1}};
    fa_interval a[2];

    fa_bootstrap(rows, 1, two_stats, NULL, 2, 1, 0, 0.95, a);
    ck_assert_str_eq(a[0].reason, "no bootstrap");
    /* one group: max - min never defined */
    fa_bootstrap(rows, 1, two_stats, NULL, 2, 1, 100, 0.95, a);
    ck_assert_str_eq(a[0].reason, "undefined in too many replicates");
}
END_TEST

/*
 * Coverage: three groups of 200, 300 and 500 rows whose true selection
 * rates are 0.3, 0.4 and 0.5, so the true max - min is 0.2. Over 400
 * simulated data sets, a correct 95% interval covers it about 380 times
 * (standard error about 4.4); the bounds 360 and 394 are beyond 4.5
 * standard errors, while an interval of width 0 covers almost never and
 * one twice too wide covers nearly always.
 */
START_TEST(coverage_near_nominal)
{
    const unsigned sizes[3] = {200, 300, 500};
    const double rates[3] = {0.3, 0.4, 0.5};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    int covered = 0;

    gsl_rng_set(r, 2024);
    for (int sim = 0; sim < 400; sim++) {
        int64_t rows[3][4] = {{0}};
        fa_interval ci[2];

        for (int g = 0; g < 3; g++) {
            unsigned sel = gsl_ran_binomial(r, rates[g], sizes[g]);

            rows[g][1] = sel;            /* predicted positive */
            rows[g][2] = sizes[g] - sel; /* predicted negative */
        }
        fa_bootstrap((const int64_t(*)[4])rows, 3, two_stats, NULL, 2,
                     (uint64_t)sim + 1, 400, 0.95, ci);
        ck_assert_ptr_null(ci[0].reason);
        covered += ci[0].lo <= 0.2 && 0.2 <= ci[0].hi;
    }
    gsl_rng_free(r);
    ck_assert_int_ge(covered, 360);
    ck_assert_int_le(covered, 394);
}
END_TEST

/*
 * The basic interval, as run reports for the aggregates, in the case that
 * matters most: three groups with the same rate 0.4 (true max - min 0).
 * The percentile interval of a maximum gap lies wholly above 0 almost
 * every time (0 of 400 in this simulation); the basic interval reflects
 * that bias and covers 0 in about 90% of the data sets (361 of 400, a
 * standard error about 6): the bounds 334 and 394 are 4.5 standard errors
 * out. With separated rates (0.3, 0.4, 0.5; truth 0.2) it covers about
 * 94% (375 of 400).
 */
START_TEST(basic_interval_covers_equal_groups)
{
    const unsigned sizes[3] = {200, 300, 500};
    const double rates[2][3] = {{0.4, 0.4, 0.4}, {0.3, 0.4, 0.5}};
    const double truth[2] = {0, 0.2};
    const int low[2] = {334, 350};

    for (int sc = 0; sc < 2; sc++) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        int covered = 0, percentile = 0;

        gsl_rng_set(r, 7);
        for (int sim = 0; sim < 400; sim++) {
            int64_t rows[3][4] = {{0}};
            fa_counts c[3];
            fa_value est[2];
            fa_interval ci[2], b;

            for (int g = 0; g < 3; g++) {
                unsigned sel = gsl_ran_binomial(r, rates[sc][g], sizes[g]);

                rows[g][1] = sel;
                rows[g][2] = sizes[g] - sel;
                c[g] = (fa_counts){0, sel, sizes[g] - sel, 0};
            }
            two_stats(c, 3, est, 2, NULL);
            fa_bootstrap((const int64_t(*)[4])rows, 3, two_stats, NULL, 2,
                         (uint64_t)sim + 1, 400, 0.95, ci);
            b = fa_bootstrap_basic(ci[0], est[0].value, 0, 1);
            ck_assert_double_le(b.lo, b.hi);
            ck_assert_double_ge(b.lo, 0);
            covered += b.lo <= truth[sc] && truth[sc] <= b.hi;
            percentile += ci[0].lo <= truth[sc] && truth[sc] <= ci[0].hi;
        }
        gsl_rng_free(r);
        ck_assert_int_ge(covered, low[sc]);
        ck_assert_int_le(covered, 394);
        if (sc == 0)
            ck_assert_int_le(percentile, 20); /* why the basic one */
    }
}
END_TEST

/* A cell of n rows of weight w each, its weights not kept. */
static fa_boot_cell
flat_cell(int64_t n, double w)
{
    return (fa_boot_cell){n, n * w, n * w * w, NULL};
}

/* Equal weights leave every rate as the counts give it: the weighted
 * bootstrap then draws what the count bootstrap draws, to the bit. */
START_TEST(weighted_equal_weights_match_counts)
{
    const int64_t rows[3][4] = {{30, 20, 40, 10}, {5, 2, 3, 1}, {100, 0, 0, 0}};
    fa_boot_cell cells[3][4];
    fa_interval a[2], b[2];

    for (int g = 0; g < 3; g++)
        for (int q = 0; q < 4; q++)
            cells[g][q] = flat_cell(rows[g][q], 2.0);
    fa_bootstrap(rows, 3, two_stats, NULL, 2, 9, 500, 0.95, a);
    fa_bootstrap_weighted((const fa_boot_cell(*)[4])cells, 3, two_stats, NULL,
                          2, 9, 500, 0.95, b);
    ck_assert_ptr_null(a[0].reason);
    ck_assert_double_eq(a[0].lo, b[0].lo);
    ck_assert_double_eq(a[0].hi, b[0].hi);
    ck_assert_double_eq(b[1].lo, 3);
}
END_TEST

/* The replicate values of statistic 0 (the first group's weighted tp),
 * kept for their distribution. */
struct draws {
    double *v;
    size_t n;
};

static void
tp_total(const fa_counts *c, size_t k, fa_value *out, size_t nout, void *data)
{
    struct draws *d = data;

    (void)k;
    (void)nout;
    d->v[d->n++] = c[0].tp;
    out[0] = (fa_value){c[0].tp, 0, 0, 0, NULL};
}

/*
 * A small cell's weights are drawn one by one: two rows of weights 1 and 3
 * give a total of 2, 4 or 6 with probabilities 1/4, 1/2, 1/4. Over 20,000
 * replicates each share has a standard error under 0.0036; 0.02 is more
 * than 5 of them.
 */
START_TEST(weighted_small_cell_exact)
{
    const double w[2] = {1, 3};
    fa_boot_cell cells[1][4] = {
        {{2, 4, 10, w}, {0, 0, 0, NULL}, {0, 0, 0, NULL}, {0, 0, 0, NULL}}};
    struct draws d = {calloc(20000, sizeof(double)), 0};
    size_t hist[7] = {0};
    fa_interval ci;

    fa_bootstrap_weighted((const fa_boot_cell(*)[4])cells, 1, tp_total, &d, 1,
                          5, 20000, 0.95, &ci);
    ck_assert_uint_eq(d.n, 20000);
    for (size_t i = 0; i < d.n; i++) {
        ck_assert(d.v[i] == 2 || d.v[i] == 4 || d.v[i] == 6);
        hist[(int)d.v[i]]++;
    }
    ck_assert_double_eq_tol(hist[2] / 20000.0, 0.25, 0.02);
    ck_assert_double_eq_tol(hist[4] / 20000.0, 0.50, 0.02);
    ck_assert_double_eq_tol(hist[6] / 20000.0, 0.25, 0.02);
    ck_assert_double_eq(ci.lo, 2);
    ck_assert_double_eq(ci.hi, 6);
    free(d.v);
}
END_TEST

/*
 * A large cell's total is normal with the mean and variance of the sum:
 * 1000 rows, half of weight 1 and half of weight 2 (w 1500, w2 2500) give
 * mean 1500 and standard deviation sqrt(1000 * 0.25) = 15.81. Over 20,000
 * replicates the mean's standard error is 0.11 and the standard
 * deviation's 0.08: tolerances 0.6 and 0.45 are over 5 of them.
 */
START_TEST(weighted_large_cell_normal)
{
    fa_boot_cell cells[1][4] = {{{1000, 1500, 2500, NULL},
                                 {0, 0, 0, NULL},
                                 {0, 0, 0, NULL},
                                 {0, 0, 0, NULL}}};
    struct draws d = {calloc(20000, sizeof(double)), 0};
    double mean = 0, ss = 0;
    fa_interval ci;

    fa_bootstrap_weighted((const fa_boot_cell(*)[4])cells, 1, tp_total, &d, 1,
                          5, 20000, 0.95, &ci);
    for (size_t i = 0; i < d.n; i++)
        mean += d.v[i] / (double)d.n;
    for (size_t i = 0; i < d.n; i++)
        ss += (d.v[i] - mean) * (d.v[i] - mean);
    ck_assert_double_eq_tol(mean, 1500, 0.6);
    ck_assert_double_eq_tol(sqrt(ss / (double)(d.n - 1)), 15.81, 0.45);
    /* the 95% interval is about 1500 -+ 1.96 * 15.81 */
    ck_assert_double_eq_tol(ci.lo, 1469.0, 1.5);
    ck_assert_double_eq_tol(ci.hi, 1531.0, 1.5);
    free(d.v);
}
END_TEST

/*
 * Weighted coverage. Three groups of 200, 300 and 1200 rows; a row has
 * weight 1 or 4 with equal chance and is selected with probability r - 0.2
 * at weight 1 and r + 0.05 at weight 4, so the group's weighted selection
 * rate is r = 0.3, 0.4, 0.5 and the true max - min 0.2. The cells of the
 * two small groups have their weights drawn one by one, the large group's
 * are normal. Over 400 data sets the basic interval, as run reports it,
 * covers 369 (about 94% expected, standard error 4.7); the bounds 355 and
 * 394 are 4.5 standard errors out. An interval that took the weights as
 * counts (too narrow: the weights add variance) covers 289, under 340.
 */
START_TEST(weighted_coverage_near_nominal)
{
    const unsigned sizes[3] = {200, 300, 1200};
    const double rates[3] = {0.3, 0.4, 0.5};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *kept = calloc(2 * 3 * 1200, sizeof(double));
    int covered = 0, naive = 0;

    gsl_rng_set(r, 11);
    for (int sim = 0; sim < 400; sim++) {
        fa_boot_cell cells[3][4];
        int64_t rows[3][4] = {{0}};
        fa_counts c[3];
        fa_value est[2];
        fa_interval ci[2], cn[2], b;

        for (int g = 0; g < 3; g++) {
            double *v[2] = {kept + (2 * g) * 1200, kept + (2 * g + 1) * 1200};
            double w[2] = {0, 0}, w2[2] = {0, 0};
            int64_t n[2] = {0, 0};

            for (unsigned i = 0; i < sizes[g]; i++) {
                double wt = gsl_rng_uniform(r) < 0.5 ? 1 : 4;
                double p = wt == 1 ? rates[g] - 0.2 : rates[g] + 0.05;
                int s = gsl_rng_uniform(r) < p ? 0 : 1; /* 0 selected */

                v[s][n[s]++] = wt;
                w[s] += wt;
                w2[s] += wt * wt;
            }
            /* slot 1 (fp): selected; slot 2 (tn): not */
            for (int q = 0; q < 4; q++)
                cells[g][q] = (fa_boot_cell){0, 0, 0, NULL};
            for (int s = 0; s < 2; s++)
                cells[g][1 + s] =
                    (fa_boot_cell){n[s], w[s], w2[s],
                                   n[s] <= FA_BOOT_EXACT_ROWS ? v[s] : NULL};
            rows[g][1] = n[0];
            rows[g][2] = n[1];
            c[g] = (fa_counts){0, w[0], w[1], 0};
        }
        two_stats(c, 3, est, 2, NULL);
        fa_bootstrap_weighted((const fa_boot_cell(*)[4])cells, 3, two_stats,
                              NULL, 2, (uint64_t)sim + 1, 400, 0.95, ci);
        b = fa_bootstrap_basic(ci[0], est[0].value, 0, 1);
        covered += b.lo <= 0.2 && 0.2 <= b.hi;
        /* the counts alone, as if every weight were 1 */
        fa_bootstrap((const int64_t(*)[4])rows, 3, two_stats, NULL, 2,
                     (uint64_t)sim + 1, 400, 0.95, cn);
        b = fa_bootstrap_basic(cn[0], est[0].value, 0, 1);
        naive += b.lo <= 0.2 && 0.2 <= b.hi;
    }
    gsl_rng_free(r);
    free(kept);
    ck_assert_int_ge(covered, 355);
    ck_assert_int_le(covered, 394);
    ck_assert_int_lt(naive, 340);
}
END_TEST

Suite *
bootstrap_suite(void)
{
    Suite *s = suite_create("bootstrap");
    TCase *tc = tcase_create("bootstrap");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_seed_same_interval);
    tcase_add_test(tc, no_replicates_no_interval);
    tcase_add_test(tc, coverage_near_nominal);
    tcase_add_test(tc, basic_interval_covers_equal_groups);
    tcase_add_test(tc, weighted_equal_weights_match_counts);
    tcase_add_test(tc, weighted_small_cell_exact);
    tcase_add_test(tc, weighted_large_cell_normal);
    tcase_add_test(tc, weighted_coverage_near_nominal);
    suite_add_tcase(s, tc);
    return s;
}
