/* test_scores.c — DeLong's AUC variance against a direct computation. */
#include <stdint.h>
#include <stdlib.h>

#include "scores.h"
#include "tests.h"

/* The placement values by direct O(m n) counting, and the variance
 * S10/m + S01/n with sample variances (DeLong et al. 1988). */
static double
delong_direct(const fa_scored *r, size_t n, double *auc)
{
    double m = 0, k = 0, s10 = 0, q10 = 0, s01 = 0, q01 = 0;

    for (size_t i = 0; i < n; i++)
        r[i].label ? m++ : k++;
    for (size_t i = 0; i < n; i++) {
        double v = 0;

        for (size_t j = 0; j < n; j++) {
            if (r[i].label == r[j].label)
                continue;
            if (r[i].label)
                v += r[i].score > r[j].score    ? 1
                     : r[i].score == r[j].score ? 0.5
                                                : 0;
            else
                v += r[j].score > r[i].score    ? 1
                     : r[j].score == r[i].score ? 0.5
                                                : 0;
        }
        if (r[i].label) {
            v /= k;
            s10 += v;
            q10 += v * v;
        } else {
            v /= m;
            s01 += v;
            q01 += v * v;
        }
    }
    *auc = s10 / m;
    return (q10 - s10 * s10 / m) / (m - 1) / m +
           (q01 - s01 * s01 / k) / (k - 1) / k;
}

static int
by_score(const void *a, const void *b)
{
    double x = ((const fa_scored *)a)->score, y = ((const fa_scored *)b)->score;

    return (x > y) - (x < y);
}

/*
 * 10 positives, 10 negatives, no ties; AUC = 69/100.
 * V10 (share of negatives below each positive) =
 *   {1, 1, 1, .9, .9, .7, .6, .5, .2, .1}: mean .69, squared deviations
 *   sum 1.009, S10 = 1.009 / 9 = .112111..
 * V01 (share of positives above each negative) =
 *   {.3, .5, .5, .6, .7, .8, .8, .8, .9, 1}: mean .69, squared deviations
 *   sum .409, S01 = .409 / 9 = .045444..
 * var = S10 / 10 + S01 / 10 = .0112111.. + .0045444.. = .0157555..
 */
START_TEST(delong_small_example)
{
    static const double pos[] = {0.9,  0.8, 0.7,  0.55, 0.54,
                                 0.51, 0.4, 0.38, 0.34, 0.3};
    static const double neg[] = {0.6,  0.53, 0.52, 0.505, 0.39,
                                 0.37, 0.36, 0.35, 0.33,  0.1};
    fa_scored r[20];
    double auc, want_auc, want;
    fa_value v;

    for (int i = 0; i < 10; i++) {
        r[i] = (fa_scored){pos[i], 1, 1};
        r[10 + i] = (fa_scored){neg[i], 1, 0};
    }
    want = delong_direct(r, 20, &want_auc);
    qsort(r, 20, sizeof(r[0]), by_score);
    v = fa_auc_delong_sorted(r, 20, &auc);
    ck_assert_ptr_null(v.reason);
    ck_assert_double_eq_tol(auc, 0.69, 1e-12);
    ck_assert_double_eq_tol(want_auc, 0.69, 1e-12);
    ck_assert_double_eq_tol(v.value, want, 1e-15);
    ck_assert_double_eq_tol(v.value, (1.009 / 9 + 0.409 / 9) / 10, 1e-12);
}
END_TEST

/* Random data with many ties, several sizes. */
START_TEST(delong_matches_direct_with_ties)
{
    uint64_t x = 0x9E3779B97F4A7C15ULL + (uint64_t)_i;
    size_t n = 5 + (size_t)_i * 37;
    fa_scored *r = calloc(n, sizeof(*r));
    double auc, want_auc, want;
    fa_value v;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        r[i].score = (double)(x % 7) / 7; /* 7 distinct scores: ties */
        r[i].weight = 1;
        r[i].label = (x >> 20) % 3 == 0;
    }
    r[0].label = 1;
    r[1].label = 1;
    r[2].label = 0;
    r[3].label = 0;
    want = delong_direct(r, n, &want_auc);
    qsort(r, n, sizeof(r[0]), by_score);
    v = fa_auc_delong_sorted(r, n, &auc);
    ck_assert_ptr_null(v.reason);
    ck_assert_double_eq_tol(auc, want_auc, 1e-12);
    ck_assert_double_eq_tol(v.value, want, 1e-14);
    free(r);
}
END_TEST

START_TEST(delong_needs_two_of_each)
{
    fa_scored r[3] = {{0.1, 1, 0}, {0.5, 1, 0}, {0.9, 1, 1}};
    double auc;
    fa_value v = fa_auc_delong_sorted(r, 3, &auc);

    ck_assert_str_eq(v.reason, "fewer than two actual positives");
    r[0].label = 1;
    r[1].label = 1;
    r[2].label = 0;
    v = fa_auc_delong_sorted(r, 3, &auc);
    ck_assert_str_eq(v.reason, "fewer than two actual negatives");
}
END_TEST

Suite *
scores_suite(void)
{
    Suite *s = suite_create("scores");
    TCase *tc = tcase_create("delong");

    tcase_add_test(tc, delong_small_example);
    tcase_add_loop_test(tc, delong_matches_direct_with_ties, 0, 12);
    tcase_add_test(tc, delong_needs_two_of_each);
    suite_add_tcase(s, tc);
    return s;
}
