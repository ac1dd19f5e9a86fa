/* stats.c — intervals, tests and multiple-comparison corrections for
 * proportions (GSL for the normal, beta and chi-square distributions).
 *
 * Formulas and references: docs/metrics.md#intervals and #tests.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "stats.h"

static fa_interval
ci_undefined(const char *reason)
{
    fa_interval ci = {0, 0, reason};

    return ci;
}

static fa_test
test_undefined(const char *reason)
{
    fa_test t = {0, 0, 0, reason};

    return t;
}

/* z_{1 - (1 - conf)/2}: 1.959963984540054 at 95% */
static double
z_of(double conf)
{
    return gsl_cdf_ugaussian_Pinv(1 - (1 - conf) / 2);
}

/* METRIC wilson — docs/metrics.md#intervals */
fa_interval
fa_ci_wilson(double x, double n, double conf)
{
    double z, p, z2n, denom, center, half;
    fa_interval ci = {0};

    if (n <= 0)
        return ci_undefined("no trials");
    z = z_of(conf);
    p = x / n;
    z2n = z * z / n;
    denom = 1 + z2n;
    center = (p + z2n / 2) / denom;
    half = z * sqrt(p * (1 - p) / n + z2n / (4 * n)) / denom;
    /* the bounds at 0 and n are exact; arithmetic would leave 1e-17 */
    ci.lo = x <= 0 ? 0 : center - half;
    ci.hi = x >= n ? 1 : center + half;
    return ci;
}

/* Lentz's continued fraction of the incomplete beta function (Press et
 * al., Numerical Recipes, 2nd ed., 6.4), for x < (a + 1) / (a + b + 2). */
static double
beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1), h;

    d = 1 / (fabs(d) < tiny ? tiny : d);
    h = d;
    for (long m = 1; m < 100000000L; m++) {
        double m2 = 2.0 * (double)m, aa, del;

        aa = (double)m * (b - (double)m) * x / ((a - 1 + m2) * (a + m2));
        d = 1 + aa * d;
        d = 1 / (fabs(d) < tiny ? tiny : d);
        c = 1 + aa / c;
        c = fabs(c) < tiny ? tiny : c;
        h *= d * c;
        aa = -(a + (double)m) * (a + b + (double)m) * x /
             ((a + m2) * (a + 1 + m2));
        d = 1 + aa * d;
        d = 1 / (fabs(d) < tiny ? tiny : d);
        c = 1 + aa / c;
        c = fabs(c) < tiny ? tiny : c;
        del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return h;
}

/*
 * The regularized incomplete beta I_x(a, b). GSL's gives up after a fixed
 * number of iterations when a and b are large (millions of rows) and x is
 * near the mode; there the same continued fraction is run to convergence.
 */
static double
beta_p(double x, double a, double b)
{
    double p = gsl_cdf_beta_P(x, a, b), front;

    if (isfinite(p))
        return p;
    front = exp(a * log(x) + b * log1p(-x) - gsl_sf_lnbeta(a, b));
    if (x < (a + 1) / (a + b + 2))
        return front * beta_cf(a, b, x) / a;
    return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/*
 * The q-quantile of Beta(a, b) by bisection on its distribution function.
 * GSL's own inverse fails to converge for large a and b (thousands of
 * rows), while the distribution function is monotone, so halving [0, 1]
 * until the midpoint no longer moves gives the quantile to the last bit.
 */
static double
beta_quantile(double q, double a, double b)
{
    double lo = 0, hi = 1;

    for (int i = 0; i < 200 && hi - lo > 0; i++) {
        double mid = lo + (hi - lo) / 2;

        if (mid <= lo || mid >= hi)
            break;
        if (beta_p(mid, a, b) < q)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

/* METRIC clopper_pearson — docs/metrics.md#intervals */
fa_interval
fa_ci_clopper_pearson(double x, double n, double conf)
{
    double a = 1 - conf;
    fa_interval ci = {0};

    if (n <= 0)
        return ci_undefined("no trials");
    ci.lo = x <= 0 ? 0 : beta_quantile(a / 2, x, n - x + 1);
    ci.hi = x >= n ? 1 : beta_quantile(1 - a / 2, x + 1, n - x);
    return ci;
}

/* METRIC newcombe_difference — docs/metrics.md#intervals */
fa_interval
fa_ci_newcombe_diff(double x1, double n1, double x2, double n2, double conf)
{
    fa_interval w1, w2, ci = {0};
    double p1, p2, d;

    if (n1 <= 0 || n2 <= 0)
        return ci_undefined("no trials");
    w1 = fa_ci_wilson(x1, n1, conf);
    w2 = fa_ci_wilson(x2, n2, conf);
    p1 = x1 / n1;
    p2 = x2 / n2;
    d = p1 - p2;
    ci.lo = d - sqrt((p1 - w1.lo) * (p1 - w1.lo) + (w2.hi - p2) * (w2.hi - p2));
    ci.hi = d + sqrt((w1.hi - p1) * (w1.hi - p1) + (p2 - w2.lo) * (p2 - w2.lo));
    return ci;
}

/* METRIC katz_ratio — docs/metrics.md#intervals */
fa_interval
fa_ci_katz_ratio(double x1, double n1, double x2, double n2, double conf)
{
    double z, r, se;
    int zero = 0;
    fa_interval ci = {0};

    if (n1 <= 0 || n2 <= 0)
        return ci_undefined("no trials");
    if (x1 <= 0 && x2 <= 0)
        return ci_undefined("both rates are 0");
    /* a zero cell (x = 0 or x = n) would make the variance infinite or
     * drop a group's own uncertainty: 0.5 goes to every cell */
    if (x1 <= 0 || x2 <= 0 || x1 >= n1 || x2 >= n2) {
        zero = x1 <= 0;
        x1 += 0.5;
        x2 += 0.5;
        n1 += 1;
        n2 += 1;
    }
    z = z_of(conf);
    r = (x1 / n1) / (x2 / n2);
    se = sqrt(fmax(0, 1 / x1 - 1 / n1 + 1 / x2 - 1 / n2));
    /* an observed ratio of 0 stays inside its interval */
    ci.lo = zero ? 0 : exp(log(r) - z * se);
    ci.hi = exp(log(r) + z * se);
    return ci;
}

/* METRIC z_test — docs/metrics.md#tests */
fa_test
fa_test_two_proportions(double x1, double n1, double x2, double n2)
{
    double pbar, se;
    fa_test t = {0};

    if (n1 <= 0 || n2 <= 0)
        return test_undefined("no trials");
    pbar = (x1 + x2) / (n1 + n2);
    if (pbar <= 0 || pbar >= 1)
        return test_undefined("no variation");
    se = sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2));
    t.statistic = (x1 / n1 - x2 / n2) / se;
    t.p = fmin(1, 2 * gsl_cdf_ugaussian_Q(fabs(t.statistic)));
    return t;
}

/* log P(a) of the hypergeometric table with row sums r1, r2, column c1 */
static double
log_hyper(unsigned a, unsigned r1, unsigned r2, unsigned c1)
{
    return gsl_sf_lnchoose(r1, a) + gsl_sf_lnchoose(r2, c1 - a) -
           gsl_sf_lnchoose(r1 + r2, c1);
}

/* METRIC fisher — docs/metrics.md#tests */
fa_test
fa_test_fisher(unsigned a, unsigned b, unsigned c, unsigned d)
{
    unsigned r1 = a + b, r2 = c + d, c1 = a + c;
    unsigned lo = c1 > r2 ? c1 - r2 : 0, hi = r1 < c1 ? r1 : c1;
    double lobs, p = 0;
    fa_test t = {0};

    /* an empty table has one possible table, of probability 1 */
    lobs = log_hyper(a, r1, r2, c1);
    /* R's rule: tables no more likely than the observed, up to 1e-7 */
    for (unsigned k = lo; k <= hi; k++) {
        double lk = log_hyper(k, r1, r2, c1);

        if (lk <= lobs + log1p(1e-7))
            p += exp(lk);
    }
    t.p = fmin(1, p);
    t.statistic = exp(lobs);
    return t;
}

/* METRIC cmh — docs/metrics.md#strata */
fa_cmh
fa_test_cmh(const double (*t)[4], size_t k)
{
    double dev = 0, var = 0, ornum = 0, orden = 0;
    fa_cmh r = {0};

    for (size_t i = 0; i < k; i++) {
        double a = t[i][0], b = t[i][1], c = t[i][2], d = t[i][3];
        double n = a + b + c + d;

        if (a + b <= 0 || c + d <= 0 || n < 2)
            continue;
        r.strata_used++;
        dev += a - (a + b) * (a + c) / n;
        var += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1));
        ornum += a * d / n;
        orden += b * c / n;
    }
    if (r.strata_used == 0) {
        r.test = test_undefined("no stratum has both groups");
        r.odds_ratio = fa_value_undefined("no stratum has both groups");
        return r;
    }
    if (var > 0) {
        /* R's rule: the correction only where it does not pass 0 */
        double x = fabs(dev) >= 0.5 ? fabs(dev) - 0.5 : fabs(dev);

        r.test.statistic = x * x / var;
        r.test.df = 1;
        r.test.p = gsl_cdf_chisq_Q(r.test.statistic, 1);
    } else {
        r.test = test_undefined("no variation");
    }
    r.odds_ratio = orden > 0 ? (fa_value){ornum / orden, 0, 0, 0, NULL}
                             : fa_value_undefined("no discordant cells");
    return r;
}

int
fa_test_needs_exact(double x1, double n1, double x2, double n2)
{
    double n = n1 + n2, s = x1 + x2, f = n - s;

    if (n <= 0)
        return 1;
    return n1 * s / n < 5 || n1 * f / n < 5 || n2 * s / n < 5 || n2 * f / n < 5;
}

/* METRIC chi2_independence — docs/metrics.md#tests */
fa_test
fa_test_chi2_independence(const double *x, const double *n, size_t k)
{
    double sx = 0, sn = 0, p, stat = 0;
    size_t groups = 0;
    fa_test t = {0};

    for (size_t i = 0; i < k; i++) {
        if (n[i] <= 0)
            continue;
        sx += x[i];
        sn += n[i];
        groups++;
    }
    if (groups < 2)
        return test_undefined("fewer than two groups with rows");
    p = sx / sn;
    if (p <= 0 || p >= 1)
        return test_undefined("no variation");
    for (size_t i = 0; i < k; i++) {
        double es = n[i] * p, ef = n[i] * (1 - p);

        if (n[i] <= 0)
            continue;
        stat += (x[i] - es) * (x[i] - es) / es +
                (n[i] - x[i] - ef) * (n[i] - x[i] - ef) / ef;
    }
    t.statistic = stat;
    t.df = (double)(groups - 1);
    t.p = gsl_cdf_chisq_Q(stat, t.df);
    return t;
}

struct ranked {
    double p;
    size_t i;
};

/* ascending p, ties in input order */
static int
by_p(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static size_t *
order_of(const double *p, size_t n)
{
    struct ranked *r = malloc((n ? n : 1) * sizeof(*r));
    size_t *idx = malloc((n ? n : 1) * sizeof(size_t));

    if (!r || !idx)
        abort(); /* out of memory: no recovery here, as everywhere */
    for (size_t i = 0; i < n; i++)
        r[i] = (struct ranked){p[i], i};
    qsort(r, n, sizeof(*r), by_p);
    for (size_t i = 0; i < n; i++)
        idx[i] = r[i].i;
    free(r);
    return idx;
}

/* METRIC holm — docs/metrics.md#multiple-comparisons */
void
fa_p_adjust_holm(const double *p, size_t n, double *out)
{
    size_t *idx = order_of(p, n);
    double *adj = malloc((n ? n : 1) * sizeof(double)), run = 0;

    if (!adj)
        abort();
    for (size_t j = 0; j < n; j++) {
        double v = fmin(1, (double)(n - j) * p[idx[j]]);

        run = fmax(run, v);
        adj[idx[j]] = run;
    }
    memcpy(out, adj, n * sizeof(double));
    free(adj);
    free(idx);
}

/* METRIC benjamini_hochberg — docs/metrics.md#multiple-comparisons */
void
fa_p_adjust_bh(const double *p, size_t n, double *out)
{
    size_t *idx = order_of(p, n);
    double *adj = malloc((n ? n : 1) * sizeof(double)), run = 1;

    if (!adj)
        abort();
    for (size_t j = n; j-- > 0;) {
        double v = fmin(1, (double)n * p[idx[j]] / (double)(j + 1));

        run = fmin(run, v);
        adj[idx[j]] = run;
    }
    memcpy(out, adj, n * sizeof(double));
    free(adj);
    free(idx);
}

/* power margin at ratio r: > 0 when the test detects r with the power */
static double
mdr_margin(double r, double n1, double n2, double p2, double za, double zb)
{
    double p1 = r * p2, pbar = (n1 * p1 + n2 * p2) / (n1 + n2);

    return fabs(p1 - p2) - (za * sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2)) +
                            zb * sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2));
}

/*
 * Bisection between far (a ratio the test detects: 0 for a fall, 1/p2 for
 * a rise) and 1 (which it cannot) for the detectable ratio closest to 1.
 */
static fa_value
mdr_search(double n1, double n2, double p2, double alpha, double power,
           double far)
{
    double za, zb, yes = far, no = 1, tol = 1e-12 * fmax(1, far);
    fa_value v = {0};

    if (n1 <= 0 || n2 <= 0)
        return fa_value_undefined("no rows");
    if (p2 <= 0 || p2 >= 1)
        return fa_value_undefined("reference rate is 0 or 1");
    za = gsl_cdf_ugaussian_Pinv(1 - alpha / 2);
    zb = gsl_cdf_ugaussian_Pinv(power);
    if (mdr_margin(far, n1, n2, p2, za, zb) <= 0)
        return fa_value_undefined("too few rows to detect any ratio");
    while (fabs(yes - no) > tol) {
        double mid = (yes + no) / 2;

        if (mdr_margin(mid, n1, n2, p2, za, zb) > 0)
            yes = mid;
        else
            no = mid;
    }
    v.value = yes;
    return v;
}

/* METRIC mdr — docs/metrics.md#minimum-detectable-ratio */
fa_value
fa_mdr(double n1, double n2, double p2, double alpha, double power)
{
    return mdr_search(n1, n2, p2, alpha, power, 0);
}

/* METRIC mdr — docs/metrics.md#minimum-detectable-ratio (a rise) */
fa_value
fa_mdr_above(double n1, double n2, double p2, double alpha, double power)
{
    /* the group's rate cannot pass 1: r ranges over (1, 1/p2] */
    return mdr_search(n1, n2, p2, alpha, power, p2 > 0 ? 1 / p2 : 0);
}
