/* test_bootstrap.c — the stratified bootstrap: reproducible, never loses a
 * group, and its intervals cover at about the nominal rate. */
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bootstrap.h"
#include "disparity.h"
#include "tests.h"

/* statistic 0: selection-rate max - min; 1: the number of groups seen */
static void
two_stats(const fa_counts *c, size_t k, fa_value *out, size_t nout,
          void *data)
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

            rows[g][1] = sel;              /* predicted positive */
            rows[g][2] = sizes[g] - sel;   /* predicted negative */
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
    suite_add_tcase(s, tc);
    return s;
}
