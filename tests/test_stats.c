/* test_stats.c — published and hand-worked cases for metrics/stats. */

/*
 * Every expected value below is either printed in a cited publication or
 * worked out from the definitions in stats.h, with the arithmetic beside
 * it; none was taken from an implementation. Where a value needed more
 * digits than hand arithmetic gives (a square root, an exponential), it
 * was evaluated at 40 significant digits with an arbitrary-precision
 * calculator (Python mpmath) from the formula shown, or it is computed in
 * the test itself from a closed form.
 *
 * Sources:
 *  [N98a] Newcombe RG (1998). Two-sided confidence intervals for the single
 *         proportion: comparison of seven methods. Stat Med 17:857-872,
 *         Table I (method 3: score without continuity correction; method
 *         5: exact, Clopper-Pearson).
 *  [N98b] Newcombe RG (1998). Interval estimation for the difference
 *         between independent proportions: comparison of eleven methods.
 *         Stat Med 17:873-890, Table II (method 10: hybrid score).
 *  [BH95] Benjamini Y, Hochberg Y (1995). Controlling the false discovery
 *         rate. J R Stat Soc B 57:289-300, section 4 (15 p-values).
 *  [F35]  Fisher RA (1935). The Design of Experiments: the lady tasting
 *         tea, table [[3, 1], [1, 3]].
 *  [R]    R documentation of fisher.test: "Convictions" of like-sex twins
 *         (Fisher 1962), table [[2, 15], [10, 3]], two-sided p = 0.0005367.
 *  [W]    The worked example of the Wikipedia article "Fisher's exact
 *         test": [[1, 9], [11, 3]], two-sided p = 0.002759.
 * Each Fisher p-value (but the N = 200 one) is also recomputed in the test
 * by enumerating the hypergeometric probabilities with exact integer
 * binomial coefficients.
 *
 * Tolerances: PUB (5e-5) is half a unit in the 4th decimal, for values
 * printed to 4 decimals; DER (1e-9) is for my own derivations; EXACT
 * (1e-12) is for rational arithmetic.
 */

#include <check.h>
#include <math.h>
#include <stddef.h>

#include "stats.h"

Suite *stats_suite(void);

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#define PUB 5e-5
#define DER 1e-9
#define EXACT 1e-12

/*
 * Standard normal quantiles z_q (Phi(z_q) = q), to 20 digits:
 * Z95 = z_.975 (two-sided 95 %), Z90 = z_.95, Z99 = z_.995,
 * ZP80 = z_.80 and ZP90 = z_.90 (power 80 % and 90 %).
 */
#define Z95 1.959963984540054
#define Z90 1.6448536269514727149
#define Z99 2.5758293035489007608
#define ZP80 0.84162123357291420518
#define ZP90 1.2815515655446004670
/* Z95^2 = 3.8414588206941259584 */
#define Z2 (Z95 * Z95)
#define Z2_90 (Z90 * Z90)
#define Z2_99 (Z99 * Z99)
#define SQRT2 1.4142135623730950488
#define PI 3.1415926535897932385

/* Reasons named in stats.h ("no trials" for both single-proportion
 * intervals). */
#define R_NO_TRIALS "no trials"
#define R_BOTH0 "both rates are 0"
#define R_NOVAR "no variation"
#define R_NO_ROWS "no rows"
#define R_REF01 "reference rate is 0 or 1"
#define R_FEW "too few rows to detect any ratio"

/* |got - want| <= rel |want|, want != 0; fails on NaN and infinity. */
static void
assert_rel(double got, double want, double rel, const char *what)
{
    ck_assert_msg(isfinite(got) && fabs(got - want) <= rel * fabs(want),
                  "%s: got %.17g, want %.17g (relative tolerance %g)", what,
                  got, want, rel);
}

/* ---- intervals -------------------------------------------------------- */

/*
 * What an interval must be: defined with lo and hi to within tol, or
 * undefined (undef 1) with the exact reason, or any reason when reason is
 * NULL.
 */
typedef struct iv_want {
    double lo, hi, tol;
    int undef;
    const char *reason;
} iv_want;

#define IV(lo, hi, tol)                                                        \
    {                                                                          \
        (lo), (hi), (tol), 0, NULL                                             \
    }
#define IV_UND(r)                                                              \
    {                                                                          \
        0.0, 0.0, 0.0, 1, (r)                                                  \
    }

static void
check_interval(fa_interval got, const iv_want *w)
{
    if (w->undef) {
        ck_assert_ptr_nonnull(got.reason);
        if (w->reason != NULL)
            ck_assert_str_eq(got.reason, w->reason);
        return;
    }
    ck_assert_msg(got.reason == NULL, "undefined, reason \"%s\"", got.reason);
    ck_assert_double_eq_tol(got.lo, w->lo, w->tol);
    ck_assert_double_eq_tol(got.hi, w->hi, w->tol);
}

/* ---- fa_ci_wilson ------------------------------------------------------
 * Wilson: with p = x/n, c = p + z^2/(2n), h = z sqrt(p(1-p)/n + z^2/(4n^2))
 * and d = 1 + z^2/n, the interval is ((c - h)/d, (c + h)/d).
 * Closed forms: x = 0 gives (0, z^2/(n + z^2)); x = n gives
 * (n/(n + z^2), 1); p = 1/2 gives 1/2 -+ z / (2 sqrt(n + z^2)).
 */

typedef struct ci1_row {
    double x, n, conf;
    iv_want want;
} ci1_row;

static const ci1_row wilson_rows[] = {
    /* [N98a] Table I, method 3, as printed */
    {81, 263, 0.95, IV(0.2553, 0.3662, PUB)},
    {15, 148, 0.95, IV(0.0624, 0.1605, PUB)},
    {0, 20, 0.95, IV(0.0000, 0.1611, PUB)},
    {1, 29, 0.95, IV(0.0061, 0.1718, PUB)},

    /* The same four from the formula, z = Z95, z^2 = 3.8414588207:
     * 81/263: p .3079847909, c .3152879445, h .0562706021,
     *         d 1.0146063072; (c -+ h)/d */
    {81, 263, 0.95, IV(0.25528851987827423, 0.36620957698280007, DER)},
    /* 15/148: p .1013513514, c .1143292528, h .0503235642,
     *         d 1.0259558028 */
    {15, 148, 0.95, IV(0.06238639953073628, 0.16048724172330804, DER)},
    /* 0/20: closed form, hi = z^2 / (20 + z^2) = .1611251581 */
    {0, 20, 0.95, IV(0.0, Z2 / (20.0 + Z2), DER)},
    /* 1/29: p .0344827586, c .1007148073, h .0937918116,
     *       d 1.1324640973 */
    {1, 29, 0.95, IV(0.0061132142927626605, 0.17175521879320288, DER)},

    /* n of n: lo = n / (n + z^2) = 20 / 23.8414588 = .8388748419 */
    {20, 20, 0.95, IV(20.0 / (20.0 + Z2), 1.0, DER)},
    /* n = 1: 0/1 -> (0, z^2/(1 + z^2)) = (0, .7934506856) */
    {0, 1, 0.95, IV(0.0, Z2 / (1.0 + Z2), DER)},
    /* n = 1: 1/1 -> (1/(1 + z^2), 1) = (.2065493144, 1) */
    {1, 1, 0.95, IV(1.0 / (1.0 + Z2), 1.0, DER)},
    /* 5/10: 1/2 -+ Z95 / (2 sqrt(13.8414588207)) = 1/2 -+ .2634069095 */
    {5, 10, 0.95, IV(0.23659309051256398, 0.76340690948743602, DER)},
    /* weighted 2.5/5: 1/2 -+ Z95 / (2 sqrt(8.8414588207))
     *               = 1/2 -+ .3295764194 */
    {2.5, 5, 0.95, IV(0.17042358064358775, 0.82957641935641225, DER)},

    /* 90 %: z = Z90, z^2 = 2.7055434541 */
    /* 0/20: (0, z^2 / (20 + z^2)) = (0, .1191578374) */
    {0, 20, 0.90, IV(0.0, Z2_90 / (20.0 + Z2_90), DER)},
    /* 5/10: 1/2 -+ Z90 / (2 sqrt(12.7055434541)) = 1/2 -+ .2307281789 */
    {5, 10, 0.90, IV(0.26927182113826718, 0.73072817886173282, DER)},

    /* 99 %: z = Z99, z^2 = 6.6348966010 */
    /* 20/20: (20 / (20 + z^2), 1) = (.7508945989, 1) */
    {20, 20, 0.99, IV(20.0 / (20.0 + Z2_99), 1.0, DER)},
    /* 5/10: 1/2 -+ Z99 / (2 sqrt(16.6348966010)) = 1/2 -+ .3157744818 */
    {5, 10, 0.99, IV(0.18422551824723544, 0.81577448175276456, DER)},

    /* no trials */
    {0, 0, 0.95, IV_UND(R_NO_TRIALS)},
    {3, 0, 0.95, IV_UND(R_NO_TRIALS)},
};

START_TEST(test_wilson)
{
    const ci1_row *r = &wilson_rows[_i];

    check_interval(fa_ci_wilson(r->x, r->n, r->conf), &r->want);
}
END_TEST

/*
 * The Wilson bounds are the two roots pi of the score equation
 * (p - pi)^2 = z^2 pi (1 - pi) / n: check each bound satisfies it.
 */
static const struct {
    double x, n;
} score_rows[] = {
    {81, 263}, {15, 148}, {0, 20}, {1, 29}, {7, 9}, {1, 1},
};

START_TEST(test_wilson_score_equation)
{
    double x = score_rows[_i].x, n = score_rows[_i].n, p = x / n;
    fa_interval iv = fa_ci_wilson(x, n, 0.95);
    double b[2];
    int k;

    ck_assert_ptr_null(iv.reason);
    b[0] = iv.lo;
    b[1] = iv.hi;
    for (k = 0; k < 2; k++) {
        double lhs = (p - b[k]) * (p - b[k]);
        double rhs = Z2 * b[k] * (1.0 - b[k]) / n;

        ck_assert_double_eq_tol(lhs, rhs, EXACT);
    }
    ck_assert(iv.lo <= p && p <= iv.hi);
}
END_TEST

/* Swapping successes and failures mirrors the interval about 1/2. */
START_TEST(test_wilson_mirror)
{
    double x = score_rows[_i].x, n = score_rows[_i].n;
    fa_interval a = fa_ci_wilson(x, n, 0.95);
    fa_interval b = fa_ci_wilson(n - x, n, 0.95);

    ck_assert_ptr_null(a.reason);
    ck_assert_ptr_null(b.reason);
    ck_assert_double_eq_tol(a.lo, 1.0 - b.hi, DER);
    ck_assert_double_eq_tol(a.hi, 1.0 - b.lo, DER);
}
END_TEST

/* ---- fa_ci_clopper_pearson ---------------------------------------------
 * Closed forms from the binomial tails (alpha = 1 - conf):
 *   x = 0:     lo = 0,  hi solves (1 - hi)^n = alpha/2,
 *              so hi = 1 - (alpha/2)^(1/n);
 *   x = n:     hi = 1,  lo = (alpha/2)^(1/n);
 *   x = 1:     lo solves 1 - (1 - lo)^n = alpha/2, lo = 1 - (1-alpha/2)^(1/n);
 *   x = n - 1: hi solves 1 - hi^n = alpha/2, hi = (1 - alpha/2)^(1/n).
 */

static const ci1_row cp_rows[] = {
    /* [N98a] Table I, method 5, as printed.
     * Cross-check from the closed forms: 0/20 hi = 1 - .025^(1/20)
     * = .16843; 1/29 lo = 1 - .975^(1/29) = .00087 */
    {81, 263, 0.95, IV(0.2527, 0.3676, PUB)},
    {15, 148, 0.95, IV(0.0578, 0.1617, PUB)},
    {0, 20, 0.95, IV(0.0000, 0.1684, PUB)},
    {1, 29, 0.95, IV(0.0009, 0.1776, PUB)},
    /* n = 1: 0/1 -> (0, 1 - .025) and 1/1 -> (.025, 1), exactly */
    {0, 1, 0.95, IV(0.0, 0.975, DER)},
    {1, 1, 0.95, IV(0.025, 1.0, DER)},
    /* no trials */
    {0, 0, 0.95, IV_UND(R_NO_TRIALS)},
    {2, 0, 0.95, IV_UND(R_NO_TRIALS)},
};

START_TEST(test_cp)
{
    const ci1_row *r = &cp_rows[_i];

    check_interval(fa_ci_clopper_pearson(r->x, r->n, r->conf), &r->want);
}
END_TEST

static const struct {
    double n, conf;
} cp_edge_rows[] = {
    {1, 0.95},   {2, 0.95},  {20, 0.95}, {29, 0.95},
    {263, 0.95}, {20, 0.99}, {10, 0.90},
};

/* x = 0: lo is exactly 0; x = n: hi is exactly 1; closed forms above. */
START_TEST(test_cp_edges)
{
    double n = cp_edge_rows[_i].n, conf = cp_edge_rows[_i].conf;
    double h = (1.0 - conf) / 2.0;
    fa_interval none = fa_ci_clopper_pearson(0.0, n, conf);
    fa_interval all = fa_ci_clopper_pearson(n, n, conf);
    fa_interval one = fa_ci_clopper_pearson(1.0, n, conf);
    fa_interval most = fa_ci_clopper_pearson(n - 1.0, n, conf);

    ck_assert_ptr_null(none.reason);
    ck_assert_double_eq(none.lo, 0.0);
    ck_assert_double_eq_tol(none.hi, 1.0 - pow(h, 1.0 / n), DER);

    ck_assert_ptr_null(all.reason);
    ck_assert_double_eq(all.hi, 1.0);
    ck_assert_double_eq_tol(all.lo, pow(h, 1.0 / n), DER);

    ck_assert_ptr_null(one.reason);
    ck_assert_double_eq_tol(one.lo, 1.0 - pow(1.0 - h, 1.0 / n), DER);

    ck_assert_ptr_null(most.reason);
    ck_assert_double_eq_tol(most.hi, pow(1.0 - h, 1.0 / n), DER);
}
END_TEST

/* P(X >= x) for X ~ Binomial(n, p), 0 < p < 1, summing the probability
 * mass by the recurrence f(k+1) = f(k) (n-k)/(k+1) p/(1-p). */
static double
binom_upper(int n, int x, double p)
{
    double f = pow(1.0 - p, n), sum = 0.0;
    int k;

    for (k = 0; k <= n; k++) {
        if (k >= x)
            sum += f;
        f *= (double)(n - k) / (double)(k + 1) * p / (1.0 - p);
    }
    return sum;
}

/*
 * The definition of the exact interval: at lo, P(X >= x) = alpha/2; at hi,
 * P(X <= x) = alpha/2, i.e. P(X >= x + 1) = 1 - alpha/2.
 */
static const struct {
    int x, n;
    double conf;
} cp_tail_rows[] = {
    {5, 10, 0.95},   {3, 17, 0.95}, {12, 40, 0.95}, {15, 148, 0.95},
    {81, 263, 0.95}, {7, 30, 0.90}, {2, 25, 0.99},
};

START_TEST(test_cp_tails)
{
    int x = cp_tail_rows[_i].x, n = cp_tail_rows[_i].n;
    double h = (1.0 - cp_tail_rows[_i].conf) / 2.0;
    fa_interval iv = fa_ci_clopper_pearson(x, n, cp_tail_rows[_i].conf);

    ck_assert_ptr_null(iv.reason);
    ck_assert(0.0 < iv.lo && iv.lo < (double)x / n);
    ck_assert((double)x / n < iv.hi && iv.hi < 1.0);
    ck_assert_double_eq_tol(binom_upper(n, x, iv.lo), h, DER);
    ck_assert_double_eq_tol(binom_upper(n, x + 1, iv.hi), 1.0 - h, DER);
    /* mirror: the interval of n - x is (1 - hi, 1 - lo) */
    {
        fa_interval m = fa_ci_clopper_pearson(n - x, n, cp_tail_rows[_i].conf);

        ck_assert_ptr_null(m.reason);
        ck_assert_double_eq_tol(m.lo, 1.0 - iv.hi, DER);
        ck_assert_double_eq_tol(m.hi, 1.0 - iv.lo, DER);
    }
}
END_TEST

/* ---- fa_ci_newcombe_diff -----------------------------------------------
 * d = p1 - p2; lo = d - sqrt((p1 - l1)^2 + (u2 - p2)^2),
 * hi = d + sqrt((u1 - p1)^2 + (p2 - l2)^2), (l, u) the Wilson bounds.
 */

typedef struct ci2_row {
    double x1, n1, x2, n2, conf;
    iv_want want;
} ci2_row;

static const ci2_row newcombe_rows[] = {
    /* [N98b] Table II, method 10, as printed: (a), (b), (d) to (h) */
    {56, 70, 48, 80, 0.95, IV(0.0524, 0.3339, PUB)}, /* (a) */
    {9, 10, 3, 10, 0.95, IV(0.1705, 0.8090, PUB)},   /* (b) */
    {5, 56, 0, 29, 0.95, IV(-0.0381, 0.1926, PUB)},  /* (d) */
    {0, 10, 0, 20, 0.95, IV(-0.1611, 0.2775, PUB)},  /* (e) */
    {0, 10, 0, 10, 0.95, IV(-0.2775, 0.2775, PUB)},  /* (f) */
    {10, 10, 0, 20, 0.95, IV(0.6791, 1.0000, PUB)},  /* (g) */
    {10, 10, 0, 10, 0.95, IV(0.6075, 1.0000, PUB)},  /* (h) */

    /* (c) 6/7 - 2/7: I am not certain of the printed figures, so this
     * row is my derivation only. Wilson 6/7: (.4868721707, .9743203757);
     * 2/7: (.0822189240, .6410655482). d = 4/7 = .5714285714;
     * lo = d - sqrt(.3702706864^2 + .3553512625^2)
     *    = .5714285714 - .5132006439 = .0582279275;
     * hi = d + sqrt(.1171775185^2 + .2034953617^2)
     *    = .5714285714 + .2348210661 = .8062496375 */
    {6, 7, 2, 7, 0.95, IV(0.058227927482312202, 0.80624963752422776, DER)},

    /* (a) at full precision. Wilson 56/70: (.6918335550, .8769526075);
     * 48/80: (.4904546501, .7003817240). d = .2;
     * lo = .2 - sqrt(.1081664450^2 + .1003817240^2) = .2 - .1475685276;
     * hi = .2 + sqrt(.0769526075^2 + .1095453499^2) = .2 + .1338726540 */
    {56, 70, 48, 80, 0.95, IV(0.052431472402364878, 0.33387265403690598, DER)},

    /* (e), (f): p1 = p2 = 0, so lo = -u2 and hi = u1, u = z^2/(n + z^2) */
    {0, 10, 0, 20, 0.95, IV(-Z2 / (20.0 + Z2), Z2 / (10.0 + Z2), DER)},
    {0, 10, 0, 10, 0.95, IV(-Z2 / (10.0 + Z2), Z2 / (10.0 + Z2), DER)},
    /* (g) 10/10 - 0/20: d = 1; 1 - l1 = z^2/(10 + z^2) = .2775327999,
     * u2 = z^2/(20 + z^2) = .1611251581;
     * lo = 1 - sqrt(.0770244550 + .0259613166) = 1 - .3209139629;
     * hi = 1 + sqrt(0 + 0) = 1 */
    {10, 10, 0, 20, 0.95, IV(0.67908603714191467, 1.0, DER)},
    /* (h) 10/10 - 0/10: lo = 1 - sqrt(2) z^2/(10 + z^2), hi = 1 */
    {10, 10, 0, 10, 0.95, IV(1.0 - SQRT2 * Z2 / (10.0 + Z2), 1.0, DER)},
    /* n = 1: 1/1 - 0/1: lo = 1 - sqrt(2) z^2/(1 + z^2) = -.1221021, hi 1 */
    {1, 1, 0, 1, 0.95, IV(1.0 - SQRT2 * Z2 / (1.0 + Z2), 1.0, DER)},
    /* equal proportions 0/1 - 0/1: -+ z^2/(1 + z^2) */
    {0, 1, 0, 1, 0.95, IV(-Z2 / (1.0 + Z2), Z2 / (1.0 + Z2), DER)},
    /* 90 %: 0/10 - 0/10: -+ z^2/(10 + z^2) with z = Z90 */
    {0, 10, 0, 10, 0.90,
     IV(-Z2_90 / (10.0 + Z2_90), Z2_90 / (10.0 + Z2_90), DER)},

    /* no trials in a group */
    {0, 0, 3, 10, 0.95, IV_UND(NULL)},
    {3, 10, 0, 0, 0.95, IV_UND(NULL)},
    {0, 0, 0, 0, 0.95, IV_UND(NULL)},
};

START_TEST(test_newcombe)
{
    const ci2_row *r = &newcombe_rows[_i];

    check_interval(fa_ci_newcombe_diff(r->x1, r->n1, r->x2, r->n2, r->conf),
                   &r->want);
}
END_TEST

/* Swapping the groups negates the interval: (lo, hi) -> (-hi, -lo); an
 * undefined one stays undefined. */
START_TEST(test_newcombe_swap)
{
    const ci2_row *r = &newcombe_rows[_i];
    fa_interval a = fa_ci_newcombe_diff(r->x1, r->n1, r->x2, r->n2, r->conf);
    fa_interval b = fa_ci_newcombe_diff(r->x2, r->n2, r->x1, r->n1, r->conf);

    if (r->want.undef) { /* a group without trials, either way round */
        ck_assert_ptr_nonnull(a.reason);
        ck_assert_ptr_nonnull(b.reason);
        return;
    }
    ck_assert_ptr_null(a.reason);
    ck_assert_ptr_null(b.reason);
    ck_assert_double_eq_tol(b.lo, -a.hi, DER);
    ck_assert_double_eq_tol(b.hi, -a.lo, DER);
}
END_TEST

/* ---- fa_ci_katz_ratio ----------------------------------------------------
 * Each row gives the hand-worked ratio r and variance v = 1/x1 - 1/n1 +
 * 1/x2 - 1/n2 (after the correction where a cell is 0: 0.5 to every cell,
 * so x += 0.5 and n += 1); the test computes exp(log r -+ z sqrt(v)), with
 * the lower bound 0 when x1 is 0.
 */

static const struct {
    double x1, n1, x2, n2, conf, z;
    double r, v;     /* hand-worked */
    const char *und; /* non-NULL: undefined; "" means any reason */
} katz_rows[] = {
    /* r = .2/.4 = .5; v = .1 - .02 + .05 - .02 = .11; se = .3316624790;
     * z se = .6500465139; log r = -.6931471806;
     * (exp(-1.3431936945), exp(-.0431006667)) = (.2610107475, .9578149652)
     */
    {10, 50, 20, 50, 0.95, Z95, 0.5, 0.11, NULL},
    /* r = .75/.25 = 3; v = 1/30 - 1/40 + 1/15 - 1/60 = 7/120;
     * se = .2415229458; (1.8686869408, 4.8162160304) */
    {30, 40, 15, 60, 0.95, Z95, 3.0, 7.0 / 120.0, NULL},
    /* n of n (a zero cell): 10.5/11 over 5.5/11: r = 10.5/5.5 =
     * 1.9090909091; v = 1/10.5 - 1/11 + 1/5.5 - 1/11 = .0952380952;
     * (1.0426537519, 3.4955306039) */
    {10, 10, 5, 10, 0.95, Z95, 10.5 / 5.5,
     1.0 / 10.5 - 1.0 / 11.0 + 1.0 / 5.5 - 1.0 / 11.0, NULL},
    /* n = 1 (x1 = n1): 1.5/2 over 1.5/3: r = 1.5; v = 1/1.5 - 1/2 +
     * 1/1.5 - 1/3 = .5; (.3751464799, 5.9976572369) */
    {1, 1, 1, 2, 0.95, Z95, 1.5, 1.0 / 1.5 - 1.0 / 2.0 + 1.0 / 1.5 - 1.0 / 3.0,
     NULL},
    /* 90 %: the first row with z = Z90: z se = .5455362316;
     * (.2897654686, .8627667099) */
    {10, 50, 20, 50, 0.90, Z90, 0.5, 0.11, NULL},
    /* x1 = 0: .5/21 over 5.5/26; r = 13/115.5 = .1125541126;
     * v = 2 - 1/21 + 1/5.5 - 1/26 = 2.0957375957;
     * (0 since the observed ratio is 0, 1.9213970576) */
    {0, 20, 5, 25, 0.95, Z95, (0.5 / 21.0) / (5.5 / 26.0),
     1.0 / 0.5 - 1.0 / 21.0 + 1.0 / 5.5 - 1.0 / 26.0, NULL},
    /* x2 = 0: 4.5/11 over .5/11: r = 9;
     * v = 1/4.5 - 1/11 + 2 - 1/11 = 2.0404040404;
     * (.5474735469, 147.9523539715) */
    {4, 10, 0, 10, 0.95, Z95, 9.0,
     1.0 / 4.5 - 1.0 / 11.0 + 1.0 / 0.5 - 1.0 / 11.0, NULL},
    /* both rates 0 */
    {0, 10, 0, 20, 0.95, Z95, 0.0, 0.0, R_BOTH0},
    {0, 1, 0, 1, 0.95, Z95, 0.0, 0.0, R_BOTH0},
    /* no trials */
    {0, 0, 5, 10, 0.95, Z95, 0.0, 0.0, ""},
    {5, 10, 0, 0, 0.95, Z95, 0.0, 0.0, ""},
};

START_TEST(test_katz)
{
    fa_interval iv =
        fa_ci_katz_ratio(katz_rows[_i].x1, katz_rows[_i].n1, katz_rows[_i].x2,
                         katz_rows[_i].n2, katz_rows[_i].conf);
    double lr, half;

    if (katz_rows[_i].und != NULL) {
        ck_assert_ptr_nonnull(iv.reason);
        if (katz_rows[_i].und[0] != '\0')
            ck_assert_str_eq(iv.reason, katz_rows[_i].und);
        return;
    }
    ck_assert_msg(iv.reason == NULL, "undefined, reason \"%s\"", iv.reason);
    lr = log(katz_rows[_i].r);
    half = katz_rows[_i].z * sqrt(katz_rows[_i].v);
    if (katz_rows[_i].x1 == 0)
        ck_assert(iv.lo == 0);
    else
        assert_rel(iv.lo, exp(lr - half), DER, "katz lo");
    assert_rel(iv.hi, exp(lr + half), DER, "katz hi");
}
END_TEST

/* The first row's bounds as plain numbers, in case a row's r or v were
 * mistyped the same way in both places. */
START_TEST(test_katz_numbers)
{
    fa_interval iv = fa_ci_katz_ratio(10, 50, 20, 50, 0.95);

    ck_assert_ptr_null(iv.reason);
    ck_assert_double_eq_tol(iv.lo, 0.26101074746174805, DER);
    ck_assert_double_eq_tol(iv.hi, 0.95781496521187616, DER);
    iv = fa_ci_katz_ratio(4, 10, 0, 10, 0.95);
    ck_assert_ptr_null(iv.reason);
    ck_assert_double_eq_tol(iv.lo, 0.5474735468932346, DER);
    assert_rel(iv.hi, 147.95235397153576, DER, "katz hi, x2 = 0");
}
END_TEST

/* ---- fa_test_two_proportions -------------------------------------------
 * Pooled: pbar = (x1 + x2)/(n1 + n2), var = pbar (1 - pbar)(1/n1 + 1/n2),
 * z^2 = (p1 - p2)^2 / var, two-sided p = erfc(|z| / sqrt 2).
 */

static const struct {
    double x1, n1, x2, n2;
    double z2;       /* hand-worked z^2; < 0: undefined */
    const char *und; /* reason when undefined; "" means any */
} z_rows[] = {
    /* .6 vs .4: pbar .5, var .25 x .02 = .005, z^2 = .04/.005 = 8;
     * |z| = 2 sqrt 2, p = erfc(2) = .0046777350 */
    {60, 100, 40, 100, 8.0, NULL},
    /* .3 vs .1: pbar 18/100, var .18 x .82 x (1/40 + 1/60) = 123/20000,
     * z^2 = .04 / .00615 = 800/123 = 6.5040650407; p = .0107628143 */
    {12, 40, 6, 60, 800.0 / 123.0, NULL},
    /* .3 vs .1: pbar .2, var .16 x 2/30 = 4/375, z^2 = .04 x 375/4
     * = 15/4; p = .0528075114 */
    {9, 30, 3, 30, 15.0 / 4.0, NULL},
    /* equal rates .5 vs .5: z = 0, p = 1 */
    {5, 10, 10, 20, 0.0, NULL},
    /* n = 1: 1/1 vs 0/1: pbar .5, var .25 x 2 = .5, z^2 = 1/.5 = 2;
     * p = erfc(1) = .1572992071 */
    {1, 1, 0, 1, 2.0, NULL},
    /* weighted 2.5/5 vs .5/5: .5 vs .1, pbar .3, var .21 x .4 = .084,
     * z^2 = .16/.084 = 40/21 */
    {2.5, 5, 0.5, 5, 40.0 / 21.0, NULL},
    /* pooled proportion 0 or 1 */
    {0, 10, 0, 20, -1.0, R_NOVAR},
    {10, 10, 20, 20, -1.0, R_NOVAR},
    /* no trials */
    {0, 0, 5, 10, -1.0, ""},
    {5, 10, 0, 0, -1.0, ""},
};

START_TEST(test_two_proportions)
{
    fa_test t = fa_test_two_proportions(z_rows[_i].x1, z_rows[_i].n1,
                                        z_rows[_i].x2, z_rows[_i].n2);
    double z;

    if (z_rows[_i].und != NULL) {
        ck_assert_ptr_nonnull(t.reason);
        if (z_rows[_i].und[0] != '\0')
            ck_assert_str_eq(t.reason, z_rows[_i].und);
        return;
    }
    ck_assert_msg(t.reason == NULL, "undefined, reason \"%s\"", t.reason);
    z = sqrt(z_rows[_i].z2);
    /* the sign of z is not fixed by stats.h; its size is */
    ck_assert_double_eq_tol(fabs(t.statistic), z, DER);
    ck_assert_double_eq_tol(t.p, erfc(z / SQRT2), DER);
}
END_TEST

/* Two of the p-values as plain numbers; and swapping the groups flips the
 * sign of z and keeps p. */
START_TEST(test_two_proportions_swap)
{
    fa_test a = fa_test_two_proportions(60, 100, 40, 100);
    fa_test b = fa_test_two_proportions(40, 100, 60, 100);

    ck_assert_ptr_null(a.reason);
    ck_assert_ptr_null(b.reason);
    ck_assert_double_eq_tol(a.p, 0.0046777349810472658, DER);
    ck_assert_double_eq_tol(a.statistic, -b.statistic, EXACT);
    ck_assert_double_eq_tol(a.p, b.p, EXACT);
    a = fa_test_two_proportions(12, 40, 6, 60);
    ck_assert_ptr_null(a.reason);
    ck_assert_double_eq_tol(a.p, 0.010762814282797788, DER);
}
END_TEST

/* ---- fa_test_fisher ----------------------------------------------------- */

/* C(n, k), exact for the small tables here (n <= 60). */
static unsigned long long
choose(unsigned n, unsigned k)
{
    unsigned long long r = 1;
    unsigned i;

    if (k > n)
        return 0;
    if (k > n - k)
        k = n - k;
    for (i = 1; i <= k; i++)
        r = r * (n - k + i) / i; /* exact: r * (n-k+i) = C(n-k+i, i) i */
    return r;
}

/*
 * The two-sided Fisher p-value by enumeration, with integer weights
 * C(r1, t) C(r2, c1 - t) over the tables t with the same margins; a table
 * counts when its weight is at most the observed one (exact integer
 * comparison, no tolerance needed). *stat gets the observed probability.
 */
static double
fisher_enum(unsigned a, unsigned b, unsigned c, unsigned d, double *stat)
{
    unsigned r1 = a + b, r2 = c + d, c1 = a + c, n = r1 + r2, t;
    unsigned lo = c1 > r2 ? c1 - r2 : 0, hi = c1 < r1 ? c1 : r1;
    unsigned long long total = choose(n, c1);
    unsigned long long obs = choose(r1, a) * choose(r2, c);
    unsigned long long sum = 0;

    for (t = lo; t <= hi; t++) {
        unsigned long long w = choose(r1, t) * choose(r2, c1 - t);

        if (w <= obs)
            sum += w;
    }
    *stat = (double)obs / (double)total;
    return (double)sum / (double)total;
}

static const struct {
    unsigned a, b, c, d;
    double p, stat;
} fisher_rows[] = {
    /* [F35] tea: margins 4/4/4/4, weights C(4,t)C(4,4-t) over C(8,4) = 70:
     * 1, 16, 36, 16, 1. Observed t = 3 (16); 16 or less: 1 + 16 + 16 + 1
     * = 34, p = 34/70 = .4857; t = 1 ties t = 3 exactly */
    {3, 1, 1, 3, 34.0 / 70.0, 16.0 / 70.0},
    /* [W]: rows 10, 14, columns 12, 12; p = 41/14858 = .0027594562,
     * observed probability C(10,1)C(14,11)/C(24,12) = 10/7429 */
    {1, 9, 11, 3, 41.0 / 14858.0, 10.0 / 7429.0},
    /* [R] Convictions, matrix(c(2, 10, 15, 3), nrow = 2) = [[2, 15],
     * [10, 3]]; this row is its transpose (same p). p = 3571/6653325
     * = .0005367241, observed 2992/6653325 */
    {2, 10, 15, 3, 3571.0 / 6653325.0, 2992.0 / 6653325.0},
    /* [[0,5],[5,0]]: weights C(5,t)C(5,5-t) over C(10,5) = 252:
     * 1, 25, 100, 100, 25, 1; observed 1; p = 2/252 */
    {0, 5, 5, 0, 2.0 / 252.0, 1.0 / 252.0},
    {5, 0, 0, 5, 2.0 / 252.0, 1.0 / 252.0},
    /* [[2,7],[8,2]]: C(19,10) = 92378; p = 1063/46189, obs 810/46189 */
    {2, 7, 8, 2, 1063.0 / 46189.0, 810.0 / 46189.0},
    /* [[7,3],[2,8]]: p = 293/4199 = .0697785187, obs 135/4199 */
    {7, 3, 2, 8, 293.0 / 4199.0, 135.0 / 4199.0},
    /* [[20,5],[8,17]], N = 50 (exact rational by enumeration) */
    {20, 5, 8, 17, 0.0014415471651244187, 0.0006474839364868057},
    /* n = 1 per row: [[1,0],[0,1]]: two tables, each 1/2; p = 1 */
    {1, 0, 0, 1, 1.0, 0.5},
    /* zero margins: only one table is possible, probability 1 */
    {0, 3, 0, 4, 1.0, 1.0}, /* first column empty */
    {2, 5, 0, 0, 1.0, 1.0}, /* second row empty */
    {0, 0, 3, 4, 1.0, 1.0}, /* first row empty */
    {7, 0, 0, 0, 1.0, 1.0}, /* one cell */
    {0, 0, 0, 0, 1.0, 1.0}, /* empty table */
    /* last: [[40,60],[55,45]], N = 200 (exact rational by enumeration
     * with big integers; too large for fisher_enum's 64-bit weights) */
    {40, 60, 55, 45, 0.04716548538301928, 0.011964392724370582},
};

/* Every row but the last is small enough for fisher_enum. */
#define FISHER_SMALL (COUNT_OF(fisher_rows) - 1)

START_TEST(test_fisher)
{
    fa_test t = fa_test_fisher(fisher_rows[_i].a, fisher_rows[_i].b,
                               fisher_rows[_i].c, fisher_rows[_i].d);

    ck_assert_msg(t.reason == NULL, "undefined, reason \"%s\"", t.reason);
    assert_rel(t.p, fisher_rows[_i].p, DER, "fisher p");
    assert_rel(t.statistic, fisher_rows[_i].stat, DER, "fisher statistic");
}
END_TEST

/* The table's expected values against the enumeration, so each expected
 * value has two independent computations. */
START_TEST(test_fisher_enum)
{
    double stat;
    double p = fisher_enum(fisher_rows[_i].a, fisher_rows[_i].b,
                           fisher_rows[_i].c, fisher_rows[_i].d, &stat);

    assert_rel(p, fisher_rows[_i].p, EXACT, "enumerated p");
    assert_rel(stat, fisher_rows[_i].stat, EXACT, "enumerated statistic");
}
END_TEST

/* Rotating the table (d, c, b, a), transposing it (a, c, b, d) and
 * swapping its rows (c, d, a, b) keep the margins' structure, so p and
 * the observed probability are unchanged. (The empty table, the last
 * small row, is its own rearrangement and is left to test_fisher.) */
static void
check_fisher_symmetry(unsigned a, unsigned b, unsigned c, unsigned d)
{
    fa_test t = fa_test_fisher(a, b, c, d);
    fa_test v[3];
    int k;

    v[0] = fa_test_fisher(d, c, b, a);
    v[1] = fa_test_fisher(a, c, b, d);
    v[2] = fa_test_fisher(c, d, a, b);
    ck_assert_ptr_null(t.reason);
    for (k = 0; k < 3; k++) {
        ck_assert_ptr_null(v[k].reason);
        assert_rel(v[k].p, t.p, EXACT, "p of the rearranged table");
        assert_rel(v[k].statistic, t.statistic, EXACT,
                   "statistic of the rearranged table");
    }
}

START_TEST(test_fisher_symmetry)
{
    check_fisher_symmetry(fisher_rows[_i].a, fisher_rows[_i].b,
                          fisher_rows[_i].c, fisher_rows[_i].d);
}
END_TEST

START_TEST(test_fisher_symmetry_large)
{
    const size_t i = COUNT_OF(fisher_rows) - 1;

    check_fisher_symmetry(fisher_rows[i].a, fisher_rows[i].b, fisher_rows[i].c,
                          fisher_rows[i].d);
}
END_TEST

/* ---- fa_test_needs_exact -----------------------------------------------
 * Table [[x1, n1-x1], [x2, n2-x2]]: expected count of cell (i, j) is
 * row_i col_j / N with rows n1, n2 and columns X = x1 + x2, N - X; the
 * smallest is min(n1, n2) min(X, N - X) / N.
 */

static const struct {
    double x1, n1, x2, n2;
    int want;
} exact_rows[] = {
    {3, 8, 5, 8, 1},       /* 8 x 8 / 16 = 4 */
    {5, 10, 5, 10, 0},     /* 10 x 10 / 20 = 5: not below 5 */
    {4, 10, 5, 10, 1},     /* 10 x 9 / 20 = 4.5 */
    {50, 100, 40, 100, 0}, /* 100 x 90 / 200 = 45 */
    {1, 100, 2, 100, 1},   /* 100 x 3 / 200 = 1.5 */
    {2, 5, 48, 95, 1},     /* 5 x 50 / 100 = 2.5 (small group) */
    {4, 20, 6, 30, 1},     /* 20 x 10 / 50 = 4 */
    {5, 25, 5, 25, 0},     /* 25 x 10 / 50 = 5 */
    {20, 25, 20, 25, 0},   /* failures: 25 x 10 / 50 = 5 */
    {21, 25, 20, 25, 1},   /* failures: 25 x 9 / 50 = 4.5 */
    {12, 40, 6, 60, 0},    /* 40 x 18 / 100 = 7.2 */
    {10, 10, 10, 10, 1},   /* no failures: 10 x 0 / 20 = 0 */
    {1, 1, 0, 1, 1},       /* n = 1: 1 x 1 / 2 = .5 */
    {2.5, 10, 2.5, 10, 1}, /* weighted: 10 x 5 / 20 = 2.5 */
    {0, 0, 5, 10, 1},      /* empty first row: 0 x 5 / 10 = 0 */
};

START_TEST(test_needs_exact)
{
    ck_assert_int_eq(fa_test_needs_exact(exact_rows[_i].x1, exact_rows[_i].n1,
                                         exact_rows[_i].x2, exact_rows[_i].n2),
                     exact_rows[_i].want);
}
END_TEST

/* ---- fa_test_chi2_independence -----------------------------------------
 * Statistic: sum over groups of (x - n P)^2 / (n P) + (f - n Q)^2 / (n Q),
 * f = n - x, P the overall proportion, Q = 1 - P. Upper tails of the
 * chi-square: df 1: erfc(sqrt(s/2)); df 2: exp(-s/2); df 3:
 * erfc(sqrt(s/2)) + sqrt(2s/pi) exp(-s/2).
 */

#define CHI_MAX 4

static const struct {
    size_t k;
    double x[CHI_MAX], n[CHI_MAX];
    double stat; /* hand-worked; < 0: undefined */
    int df;
} chi_rows[] = {
    /* P = 60/150 = .4; expected successes 20, failures 30 in each;
     * successes (10-20)^2/20 + 0 + (30-20)^2/20 = 10,
     * failures (40-30)^2/30 + 0 + (20-30)^2/30 = 20/3; s = 50/3,
     * df 2, p = exp(-25/3) = .0002403695 */
    {3, {10, 20, 30}, {50, 50, 50}, 50.0 / 3.0, 2},
    /* P = 40/100 = .4; expected successes 8, 12, 20, failures 12, 18, 30;
     * 9/8 + 9/12 + 0 + 9/12 + 9/18 + 0 = 25/8; p = exp(-25/16) */
    {3, {5, 15, 20}, {20, 30, 50}, 25.0 / 8.0, 2},
    /* a group with no trials does not count: same as the first row */
    {4, {10, 20, 30, 0}, {50, 50, 50, 0}, 50.0 / 3.0, 2},
    {4, {0, 10, 20, 30}, {0, 50, 50, 50}, 50.0 / 3.0, 2},
    /* two groups: .6 vs .4, P = .5, expected 25 each:
     * 4 x 5^2/25 = 4 (the z-test's z^2); p = erfc(sqrt 2) */
    {2, {30, 20}, {50, 50}, 4.0, 1},
    /* P = 46/70 = 23/35: expected successes 46/7, 276/7, failures 24/7,
     * 144/7; every deviation is 4/7: (16/49)(7/46 + 7/24 + 7/276 +
     * 7/144) = 35/207 */
    {2, {6, 40}, {10, 60}, 35.0 / 207.0, 1},
    /* four groups of 10, P = .25: expected 2.5 and 7.5; deviations
     * -1.5, -.5, .5, 1.5, squares sum 5: 5/2.5 + 5/7.5 = 8/3, df 3 */
    {4, {1, 2, 3, 4}, {10, 10, 10, 10}, 8.0 / 3.0, 3},
    /* P = .5, expected 5 and 5; deviations -3, -2, 0, 5, squares 38:
     * 38/5 + 38/5 = 76/5, df 3 */
    {4, {2, 3, 5, 10}, {10, 10, 10, 10}, 76.0 / 5.0, 3},
    /* equal proportions: statistic 0, p 1 */
    {2, {5, 10}, {10, 20}, 0.0, 1},
    /* undefined: fewer than two groups with trials, P = 0 or 1 */
    {0, {0}, {0}, -1.0, 0},
    {1, {3}, {10}, -1.0, 0},
    {2, {3, 0}, {10, 0}, -1.0, 0},
    {3, {0, 0, 0}, {10, 20, 30}, -1.0, 0},
    {2, {10, 20}, {10, 20}, -1.0, 0},
};

static double
chi2_tail(double s, int df)
{
    switch (df) {
    case 1:
        return erfc(sqrt(s / 2.0));
    case 2:
        return exp(-s / 2.0);
    default:
        return erfc(sqrt(s / 2.0)) + sqrt(2.0 * s / PI) * exp(-s / 2.0);
    }
}

START_TEST(test_chi2)
{
    fa_test t = fa_test_chi2_independence(chi_rows[_i].x, chi_rows[_i].n,
                                          chi_rows[_i].k);

    if (chi_rows[_i].stat < 0.0) {
        ck_assert_ptr_nonnull(t.reason);
        return;
    }
    ck_assert_msg(t.reason == NULL, "undefined, reason \"%s\"", t.reason);
    ck_assert_double_eq_tol(t.statistic, chi_rows[_i].stat, DER);
    ck_assert_double_eq_tol(t.p, chi2_tail(chi_rows[_i].stat, chi_rows[_i].df),
                            DER);
}
END_TEST

/* The tails as plain numbers for the df 2 and df 3 rows, in case
 * chi2_tail itself were wrong. */
START_TEST(test_chi2_numbers)
{
    static const double x3[] = {10, 20, 30}, n3[] = {50, 50, 50};
    static const double x4[] = {2, 3, 5, 10}, n4[] = {10, 10, 10, 10};
    fa_test t = fa_test_chi2_independence(x3, n3, 3);

    ck_assert_ptr_null(t.reason);
    ck_assert_double_eq_tol(t.p, 0.00024036947641951421, DER);
    t = fa_test_chi2_independence(x4, n4, 4);
    ck_assert_ptr_null(t.reason);
    ck_assert_double_eq_tol(t.p, 0.0016534710516881657, DER);
}
END_TEST

/* Two groups: the statistic is the z-test's z^2 and the p-values agree;
 * where the z-test is undefined, so is the chi-square. */
START_TEST(test_chi2_is_z_squared)
{
    const double x[2] = {z_rows[_i].x1, z_rows[_i].x2};
    const double n[2] = {z_rows[_i].n1, z_rows[_i].n2};
    fa_test c = fa_test_chi2_independence(x, n, 2);
    fa_test z = fa_test_two_proportions(x[0], n[0], x[1], n[1]);

    if (z_rows[_i].und != NULL) {
        /* pooled proportion 0 or 1, or a group without trials: the
         * chi-square is undefined for the same reasons */
        ck_assert_ptr_nonnull(c.reason);
        return;
    }
    ck_assert_ptr_null(c.reason);
    ck_assert_ptr_null(z.reason);
    ck_assert_double_eq_tol(c.statistic, z_rows[_i].z2, DER);
    ck_assert_double_eq_tol(c.p, z.p, DER);
}
END_TEST

/* ---- fa_p_adjust_holm, fa_p_adjust_bh -----------------------------------
 * Holm: sort ascending, adj(j) = max over i <= j of min(1, (n - i) p(i)).
 * BH: adj(j) = min over i >= j of min(1, n p(i) / (i + 1)).
 */

#define P_MAX 15

typedef struct adj_row {
    size_t n;
    double p[P_MAX], holm[P_MAX], bh[P_MAX];
} adj_row;

static const adj_row adj_rows[] = {
    /* {.01, .04, .03, .005}: sorted .005 (#3), .01 (#0), .03 (#2),
     * .04 (#1).
     * Holm: 4 x .005 = .02, 3 x .01 = .03, 2 x .03 = .06, 1 x .04 = .04;
     *       running max .02, .03, .06, .06 -> input order
     *       {.03, .06, .06, .02}.
     * BH:   4 x .005/1 = .02, 4 x .01/2 = .02, 4 x .03/3 = .04,
     *       4 x .04/4 = .04; running min from the top .02, .02, .04, .04
     *       -> input order {.02, .04, .04, .02}. */
    {4,
     {0.01, 0.04, 0.03, 0.005},
     {0.03, 0.06, 0.06, 0.02},
     {0.02, 0.04, 0.04, 0.02}},
    /* {.5, .6, .2}: sorted .2 (#2), .5 (#0), .6 (#1).
     * Holm: 3 x .2 = .6, 2 x .5 = 1, 1 x .6 = .6; max .6, 1, 1
     *       -> {1, 1, .6}.
     * BH:   3 x .2 = .6, 3 x .5/2 = .75, 3 x .6/3 = .6; min from the top
     *       .6, .6, .6 -> {.6, .6, .6}. */
    {3, {0.5, 0.6, 0.2}, {1.0, 1.0, 0.6}, {0.6, 0.6, 0.6}},
    /* cap at 1: Holm 2 x .6 = 1.2 -> 1, then max(1, .7) = 1;
     * BH 2 x .6/1 = 1.2 -> 1, 2 x .7/2 = .7; min from the top .7, .7 */
    {2, {0.7, 0.6}, {1.0, 1.0}, {0.7, 0.7}},
    /* ties: Holm 3 x .02, 2 x .02, .02 -> max .06 throughout;
     * BH .06, .03, .02 -> min from the top .02 throughout */
    {3, {0.02, 0.02, 0.02}, {0.06, 0.06, 0.06}, {0.02, 0.02, 0.02}},
    /* n = 1: both are p itself */
    {1, {0.3}, {0.3}, {0.3}},
    {1, {1.0}, {1.0}, {1.0}},
    /* [BH95] section 4, the 15 p-values in the paper's (ascending) order.
     * Holm: 15 x .0001, 14 x .0004, 13 x .0019, 12 x .0095, 11 x .0201,
     *   10 x .0278 = .278, 9 x .0298 = .2682 -> .278 (running max),
     *   8 x .0344 = .2752 -> .278, 7 x .0459, 6 x .324 > 1 -> 1 for the
     *   rest.
     * BH: from the top: 1; 15 x .759/14 = .8132142857; 15 x .6528/13;
     *   15 x .5719/12; 15 x .4262/11; 15 x .324/10; 15 x .0459/9 = .0765;
     *   15 x .0344/8 = .0645; 15 x .0298/7 = .0638571429;
     *   15 x .0278/6 = .0695 -> .0638571429 (running min);
     *   15 x .0201/5 = .0603; 15 x .0095/4 = .035625;
     *   15 x .0019/3 = .0095; 15 x .0004/2 = .003; 15 x .0001 = .0015. */
    {15,
     {0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
      0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000},
     {15 * 0.0001, 14 * 0.0004, 13 * 0.0019, 12 * 0.0095, 11 * 0.0201,
      10 * 0.0278, 10 * 0.0278, 10 * 0.0278, 7 * 0.0459, 1.0, 1.0, 1.0, 1.0,
      1.0, 1.0},
     {15 * 0.0001, 15 * 0.0004 / 2, 15 * 0.0019 / 3, 15 * 0.0095 / 4,
      15 * 0.0201 / 5, 15 * 0.0298 / 7, 15 * 0.0298 / 7, 15 * 0.0344 / 8,
      15 * 0.0459 / 9, 15 * 0.3240 / 10, 15 * 0.4262 / 11, 15 * 0.5719 / 12,
      15 * 0.6528 / 13, 15 * 0.7590 / 14, 1.0}},
    /* the same 15, scrambled: outputs must follow the inputs */
    {15,
     {0.0459, 0.7590, 0.0001, 0.0298, 1.000, 0.0095, 0.3240, 0.0344, 0.0019,
      0.6528, 0.0201, 0.0004, 0.5719, 0.0278, 0.4262},
     {7 * 0.0459, 1.0, 15 * 0.0001, 10 * 0.0278, 1.0, 12 * 0.0095, 1.0,
      10 * 0.0278, 13 * 0.0019, 1.0, 11 * 0.0201, 14 * 0.0004, 1.0, 10 * 0.0278,
      1.0},
     {15 * 0.0459 / 9, 15 * 0.7590 / 14, 15 * 0.0001, 15 * 0.0298 / 7, 1.0,
      15 * 0.0095 / 4, 15 * 0.3240 / 10, 15 * 0.0344 / 8, 15 * 0.0019 / 3,
      15 * 0.6528 / 13, 15 * 0.0201 / 5, 15 * 0.0004 / 2, 15 * 0.5719 / 12,
      15 * 0.0298 / 7, 15 * 0.4262 / 11}},
};

typedef void (*adjust_fn)(const double *, size_t, double *);

/* Into a separate array; the input must be left alone. */
static void
check_adjust(adjust_fn f, const adj_row *r, const double *want)
{
    double in[P_MAX], out[P_MAX];
    size_t i;

    for (i = 0; i < r->n; i++) {
        in[i] = r->p[i];
        out[i] = -1.0;
    }
    f(in, r->n, out);
    for (i = 0; i < r->n; i++) {
        ck_assert_double_eq_tol(out[i], want[i], EXACT);
        ck_assert_double_eq(in[i], r->p[i]);
    }
}

/* In place: out == p. */
static void
check_adjust_inplace(adjust_fn f, const adj_row *r, const double *want)
{
    double buf[P_MAX];
    size_t i;

    for (i = 0; i < r->n; i++)
        buf[i] = r->p[i];
    f(buf, r->n, buf);
    for (i = 0; i < r->n; i++)
        ck_assert_double_eq_tol(buf[i], want[i], EXACT);
}

START_TEST(test_holm)
{
    check_adjust(fa_p_adjust_holm, &adj_rows[_i], adj_rows[_i].holm);
}
END_TEST

START_TEST(test_holm_inplace)
{
    check_adjust_inplace(fa_p_adjust_holm, &adj_rows[_i], adj_rows[_i].holm);
}
END_TEST

START_TEST(test_bh)
{
    check_adjust(fa_p_adjust_bh, &adj_rows[_i], adj_rows[_i].bh);
}
END_TEST

START_TEST(test_bh_inplace)
{
    check_adjust_inplace(fa_p_adjust_bh, &adj_rows[_i], adj_rows[_i].bh);
}
END_TEST

/*
 * [BH95]: at level .05 the step-up procedure rejects 4 of the 15 (largest
 * i with p(i) <= .05 i/15 is i = 4: .0095 <= .0133, .0201 > .0167 ...),
 * Holm only 3 (.0095 > .05/12 = .0042). Adjusted p <= .05 counts the same.
 */
START_TEST(test_adjust_bh95_rejections)
{
    const adj_row *r = &adj_rows[COUNT_OF(adj_rows) - 2];
    double h[P_MAX], b[P_MAX];
    size_t i;
    int nh = 0, nb = 0;

    fa_p_adjust_holm(r->p, r->n, h);
    fa_p_adjust_bh(r->p, r->n, b);
    for (i = 0; i < r->n; i++) {
        nh += h[i] <= 0.05;
        nb += b[i] <= 0.05;
    }
    ck_assert_int_eq(nh, 3);
    ck_assert_int_eq(nb, 4);
}
END_TEST

/* n = 0 writes nothing. */
START_TEST(test_adjust_empty)
{
    const double p[1] = {0.5};
    double out[1] = {-7.0};

    fa_p_adjust_holm(p, 0, out);
    ck_assert_double_eq(out[0], -7.0);
    fa_p_adjust_bh(p, 0, out);
    ck_assert_double_eq(out[0], -7.0);
}
END_TEST

/* ---- fa_mdr --------------------------------------------------------------
 * With p1 = r p2 and pbar the pooled proportion (n1 p1 + n2 p2)/(n1 + n2)
 * (the z-test's pooled variance), the returned r must satisfy
 *   p2 - p1 = z_a sqrt(pbar (1 - pbar)(1/n1 + 1/n2))
 *           + z_b sqrt(p1 (1 - p1)/n1 + p2 (1 - p2)/n2),
 * z_a = z_{1-alpha/2}, z_b = z_power. The right side minus the left falls
 * steadily as r goes from 0 to 1 in every row (checked on a grid of
 * 1001 points), so the root is unique. The expected r are the roots found
 * by bisection at 40 digits.
 */

static const struct {
    double n1, n2, p2, alpha, power, za, zb;
    double r;
} mdr_rows[] = {
    {100, 100, 0.5, 0.05, 0.80, Z95, ZP80, 0.61354969814037983},
    /* more power needs a larger effect: smaller r */
    {100, 100, 0.5, 0.05, 0.90, Z95, ZP90, 0.55754676289129802},
    /* alpha .01: z_a = z_.995 */
    {500, 500, 0.2, 0.01, 0.80, Z99, ZP80, 0.60398307764173239},
    /* unequal sizes: pbar weighted by n */
    {200, 1000, 0.3, 0.05, 0.80, Z95, ZP80, 0.6820142016740129},
    /* just enough rows: at r = 0, p2 = .5 against
     * (1.96 sqrt(.375) + .8416 x .5) / sqrt(n) = 1.6210 / sqrt(n), which
     * is below .5 from n = 11 (.4888) and above it at n = 10 (.5126) */
    {11, 11, 0.5, 0.05, 0.80, Z95, ZP80, 0.015097152245543758},
};

START_TEST(test_mdr)
{
    double n1 = mdr_rows[_i].n1, n2 = mdr_rows[_i].n2, p2 = mdr_rows[_i].p2;
    fa_value v = fa_mdr(n1, n2, p2, mdr_rows[_i].alpha, mdr_rows[_i].power);
    double r, p1, pbar, lhs, rhs;

    ck_assert_msg(v.reason == NULL, "undefined, reason \"%s\"", v.reason);
    r = v.value;
    ck_assert(0.0 < r && r < 1.0);
    ck_assert_double_eq_tol(r, mdr_rows[_i].r, 1e-8);
    p1 = r * p2;
    pbar = (n1 * p1 + n2 * p2) / (n1 + n2);
    lhs = fabs(p1 - p2);
    rhs = mdr_rows[_i].za * sqrt(pbar * (1.0 - pbar) * (1.0 / n1 + 1.0 / n2)) +
          mdr_rows[_i].zb * sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2);
    ck_assert_double_eq_tol(lhs, rhs, 1e-6);
}
END_TEST

/*
 * Larger groups detect smaller effects: r rises towards 1.
 * n2 = 1000, p2 = .3: n1 = 50, 100, 200, 400, 1600 give .4305, .5760,
 * .6820, .7552, .8325; n1 = 200: n2 = 200, 1000, 5000 give .6022, .6820,
 * .7019.
 */
START_TEST(test_mdr_monotone)
{
    static const double n1s[] = {50, 100, 200, 400, 1600};
    static const double n2s[] = {200, 1000, 5000};
    double prev = 0.0;
    size_t i;

    for (i = 0; i < COUNT_OF(n1s); i++) {
        fa_value v = fa_mdr(n1s[i], 1000, 0.3, 0.05, 0.8);

        ck_assert_ptr_null(v.reason);
        ck_assert_msg(v.value > prev && v.value < 1.0,
                      "n1 %g: %.10g after %.10g", n1s[i], v.value, prev);
        prev = v.value;
    }
    prev = 0.0;
    for (i = 0; i < COUNT_OF(n2s); i++) {
        fa_value v = fa_mdr(200, n2s[i], 0.3, 0.05, 0.8);

        ck_assert_ptr_null(v.reason);
        ck_assert_msg(v.value > prev && v.value < 1.0,
                      "n2 %g: %.10g after %.10g", n2s[i], v.value, prev);
        prev = v.value;
    }
}
END_TEST

static const struct {
    double n1, n2, p2;
    const char *reason;
} mdr_und_rows[] = {
    {0, 100, 0.3, R_NO_ROWS},
    {100, 0, 0.3, R_NO_ROWS},
    {100, 100, 0.0, R_REF01},
    {100, 100, 1.0, R_REF01},
    /* 1.6210 / sqrt(10) = .5126 > .5: even r = 0 is not detected */
    {10, 10, 0.5, R_FEW},
    {1, 1, 0.5, R_FEW}, /* n = 1 */
    {2, 2, 0.1, R_FEW},
};

START_TEST(test_mdr_undefined)
{
    fa_value v = fa_mdr(mdr_und_rows[_i].n1, mdr_und_rows[_i].n2,
                        mdr_und_rows[_i].p2, 0.05, 0.8);

    ck_assert_ptr_nonnull(v.reason);
    ck_assert_str_eq(v.reason, mdr_und_rows[_i].reason);
}
END_TEST

/* ---- suite ------------------------------------------------------------ */

static TCase *
loop_case(const char *name, const TTest *t, size_t n)
{
    TCase *tc = tcase_create(name);

    tcase_add_loop_test(tc, t, 0, (int)n);
    return tc;
}

/*
 * A rise: the ratio r > 1 closest to 1 that the z-test detects with 80%
 * power. At the returned r the power equation holds:
 *   r p2 - p2 = z_.975 sqrt(pbar (1 - pbar)(1/n1 + 1/n2))
 *             + z_.8 sqrt(p1 (1 - p1)/n1 + p2 (1 - p2)/n2).
 * For n1 = n2 = 1000 and p2 = .1 that is r = 1.407452 (p1 = .1407452):
 * the gap .040745 against 1.959964 x .014414.. + .841621 x .014495..
 */
START_TEST(test_mdr_above)
{
    const double n1 = 1000, n2 = 1000, p2 = 0.1;
    const double za = 1.959963984540054, zb = 0.8416212335729143;
    fa_value v = fa_mdr_above(n1, n2, p2, 0.05, 0.8);
    double p1, pbar, rhs;

    ck_assert_ptr_null(v.reason);
    ck_assert_double_gt(v.value, 1);
    ck_assert_double_eq_tol(v.value, 1.407452, 5e-6);
    p1 = v.value * p2;
    pbar = (n1 * p1 + n2 * p2) / (n1 + n2);
    rhs = za * sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2)) +
          zb * sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    ck_assert_double_eq_tol(p1 - p2, rhs, 1e-9);
    /* more rows: a smaller rise can be seen */
    ck_assert_double_lt(fa_mdr_above(4000, 4000, p2, 0.05, 0.8).value, v.value);
    ck_assert_str_eq(fa_mdr_above(0, 10, p2, 0.05, 0.8).reason, "no rows");
    ck_assert_str_eq(fa_mdr_above(10, 10, 0, 0.05, 0.8).reason,
                     "reference rate is 0 or 1");
    /* even a rate of 1 against .5 is not detectable with 2 rows each */
    ck_assert_str_eq(fa_mdr_above(2, 2, 0.5, 0.05, 0.8).reason,
                     "too few rows to detect any ratio");
}
END_TEST

Suite *
stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc;

    tc = loop_case("wilson", test_wilson, COUNT_OF(wilson_rows));
    tcase_add_loop_test(tc, test_wilson_score_equation, 0,
                        (int)COUNT_OF(score_rows));
    tcase_add_loop_test(tc, test_wilson_mirror, 0, (int)COUNT_OF(score_rows));
    suite_add_tcase(s, tc);

    tc = loop_case("clopper_pearson", test_cp, COUNT_OF(cp_rows));
    tcase_add_loop_test(tc, test_cp_edges, 0, (int)COUNT_OF(cp_edge_rows));
    tcase_add_loop_test(tc, test_cp_tails, 0, (int)COUNT_OF(cp_tail_rows));
    suite_add_tcase(s, tc);

    tc = loop_case("newcombe", test_newcombe, COUNT_OF(newcombe_rows));
    tcase_add_loop_test(tc, test_newcombe_swap, 0,
                        (int)COUNT_OF(newcombe_rows));
    suite_add_tcase(s, tc);

    tc = loop_case("katz", test_katz, COUNT_OF(katz_rows));
    tcase_add_test(tc, test_katz_numbers);
    suite_add_tcase(s, tc);

    tc = loop_case("two_proportions", test_two_proportions, COUNT_OF(z_rows));
    tcase_add_test(tc, test_two_proportions_swap);
    suite_add_tcase(s, tc);

    tc = loop_case("fisher", test_fisher, COUNT_OF(fisher_rows));
    tcase_add_loop_test(tc, test_fisher_enum, 0, (int)FISHER_SMALL);
    tcase_add_loop_test(tc, test_fisher_symmetry, 0, (int)FISHER_SMALL - 1);
    tcase_add_test(tc, test_fisher_symmetry_large);
    suite_add_tcase(s, tc);

    suite_add_tcase(
        s, loop_case("needs_exact", test_needs_exact, COUNT_OF(exact_rows)));

    tc = loop_case("chi2", test_chi2, COUNT_OF(chi_rows));
    tcase_add_test(tc, test_chi2_numbers);
    tcase_add_loop_test(tc, test_chi2_is_z_squared, 0, (int)COUNT_OF(z_rows));
    suite_add_tcase(s, tc);

    tc = loop_case("p_adjust", test_holm, COUNT_OF(adj_rows));
    tcase_add_loop_test(tc, test_holm_inplace, 0, (int)COUNT_OF(adj_rows));
    tcase_add_loop_test(tc, test_bh, 0, (int)COUNT_OF(adj_rows));
    tcase_add_loop_test(tc, test_bh_inplace, 0, (int)COUNT_OF(adj_rows));
    tcase_add_test(tc, test_adjust_bh95_rejections);
    tcase_add_test(tc, test_adjust_empty);
    suite_add_tcase(s, tc);

    tc = loop_case("mdr", test_mdr, COUNT_OF(mdr_rows));
    tcase_add_test(tc, test_mdr_monotone);
    tcase_add_loop_test(tc, test_mdr_undefined, 0, (int)COUNT_OF(mdr_und_rows));
    tcase_add_test(tc, test_mdr_above);
    suite_add_tcase(s, tc);
    return s;
}
