/* stats.h — intervals, tests and multiple-comparison corrections for
 * proportions.
 *
 * Pure functions over counts (GSL for the distributions). An interval or a
 * p-value that cannot be computed is undefined (defined == 0) with a static
 * reason; no function returns NaN or infinity.
 */
#ifndef FA_STATS_H
#define FA_STATS_H

#include <stddef.h>

#include "confusion.h"

/* A two-sided interval; defined when reason is NULL. */
typedef struct fa_interval {
    double lo, hi;
    const char *reason;
} fa_interval;

/* A test result; defined when reason is NULL. */
typedef struct fa_test {
    double p;         /* two-sided p-value */
    double statistic; /* z, chi-square, or the table's probability */
    double df;        /* degrees of freedom of a chi-square, else 0 */
    const char *reason;
} fa_test;

/*
 * Wilson score interval for x successes in n trials at confidence conf
 * (0 < conf < 1), without continuity correction (Newcombe 1998, method 3).
 * Undefined when n is 0 ("no trials").
 */
fa_interval fa_ci_wilson(double x, double n, double conf);

/*
 * Clopper-Pearson exact interval: the beta quantiles
 * lo = B(a/2; x, n-x+1), hi = B(1-a/2; x+1, n-x), with lo = 0 when x = 0
 * and hi = 1 when x = n (Newcombe 1998, method 5). Undefined when n is 0.
 */
fa_interval fa_ci_clopper_pearson(double x, double n, double conf);

/*
 * Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, method 10),
 * from the Wilson intervals of each proportion:
 *   lo = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
 *   hi = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
 * Undefined when n1 or n2 is 0.
 */
fa_interval fa_ci_newcombe_diff(double x1, double n1, double x2, double n2,
                                double conf);

/*
 * Katz log interval for the ratio (x1/n1) / (x2/n2):
 *   exp(log(r) +- z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)).
 * Zero cells: when a cell of the 2x2 table is 0 (x = 0 or x = n on either
 * side), 0.5 is added to every cell (x += 0.5, n += 1: the Haldane-Anscombe
 * correction), so the interval stays finite and keeps both groups'
 * uncertainty; when x1 is 0 the lower bound is 0, the observed ratio.
 * Undefined when n1 or n2 is 0, or x2 and x1 are both 0 ("both rates are
 * 0").
 */
fa_interval fa_ci_katz_ratio(double x1, double n1, double x2, double n2,
                             double conf);

/*
 * Two-proportion z-test with the pooled variance, two-sided. Undefined
 * when n1 or n2 is 0, or the pooled proportion is 0 or 1 ("no variation").
 */
fa_test fa_test_two_proportions(double x1, double n1, double x2, double n2);

/*
 * Fisher's exact test of the 2x2 table [[a, b], [c, d]], two-sided: the sum
 * of the hypergeometric probabilities of every table with the same margins
 * that is no more likely than the observed one (relative tolerance 1e-7).
 * Counts must be whole numbers. statistic is the observed table's
 * probability.
 */
fa_test fa_test_fisher(unsigned a, unsigned b, unsigned c, unsigned d);

/*
 * 1 when the 2x2 table [[x1, n1-x1], [x2, n2-x2]] has an expected count
 * below 5, the rule for using Fisher's test instead of the z-test.
 */
int fa_test_needs_exact(double x1, double n1, double x2, double n2);

/*
 * Pearson's chi-square test of independence of group and outcome over k
 * groups with x[i] successes of n[i]: statistic with k' - 1 degrees of
 * freedom, k' the groups with n > 0. Undefined when fewer than two groups
 * have trials or the overall proportion is 0 or 1.
 */
fa_test fa_test_chi2_independence(const double *x, const double *n, size_t k);

/*
 * Holm's step-down adjustment of n p-values into out (may alias p): sort
 * ascending, adj(i) = max over j <= i of min(1, (n - j) p(j)), 0-based.
 */
void fa_p_adjust_holm(const double *p, size_t n, double *out);

/*
 * Benjamini-Hochberg step-up adjustment: adj(i) = min over j >= i of
 * min(1, n p(j) / (j + 1)), 0-based ascending order.
 */
void fa_p_adjust_bh(const double *p, size_t n, double *out);

/*
 * Minimum detectable ratio: the smallest ratio r < 1 of a group's rate to
 * a reference rate p2 that a two-sided two-proportion z-test at level
 * alpha detects with the given power, for group size n1 and reference size
 * n2 (normal approximation: |p1 - p2| = z_{1-alpha/2} sqrt(pbar(1-pbar)
 * (1/n1 + 1/n2)) + z_power sqrt(p1(1-p1)/n1 + p2(1-p2)/n2), p1 = r p2).
 * Solved by bisection to 1e-10. Undefined when a size is 0 ("no rows"),
 * p2 is 0 or 1 ("reference rate is 0 or 1"), or even r -> 0 does not reach
 * the power ("too few rows to detect any ratio").
 */
fa_value fa_mdr(double n1, double n2, double p2, double alpha, double power);

/*
 * The same for a rise: the ratio r > 1 closest to 1 (with r p2 <= 1) that
 * the test detects with the given power, for rates where higher is worse
 * (FPR, FNR, FDR, FOR). Undefined as fa_mdr.
 */
fa_value fa_mdr_above(double n1, double n2, double p2, double alpha,
                      double power);

/* The result of a Cochran-Mantel-Haenszel analysis of 2x2 tables. */
typedef struct fa_cmh {
    fa_test test;        /* the CMH chi-square, 1 df */
    fa_value odds_ratio; /* the Mantel-Haenszel common odds ratio */
    size_t strata_used;  /* tables with both rows non-empty */
    double p_adjusted;   /* set by the caller's family adjustment */
} fa_cmh;

/*
 * Cochran-Mantel-Haenszel test of k 2x2 tables t[i] = {a, b, c, d}
 * (rows: group, reference; columns: outcome 1, 0), with the continuity
 * correction as R's mantelhaen.test applies it (only when |sum(a - E[a])|
 * is at least 1/2):
 *   X2 = (|sum(a - E[a])| - 1/2)^2 / sum Var[a],
 *   E[a] = (a+b)(a+c)/N, Var[a] = (a+b)(c+d)(a+c)(b+d) / (N^2 (N-1)),
 * and the common odds ratio sum(ad/N) / sum(bc/N). Tables with an empty
 * row or N < 2 carry no information and are skipped. The test is undefined
 * without a table left ("no stratum has both groups") or when the variance
 * is 0; the odds ratio when sum(bc/N) is 0.
 */
fa_cmh fa_test_cmh(const double (*t)[4], size_t k);

#endif /* FA_STATS_H */
