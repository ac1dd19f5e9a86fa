/* test_compare.c — the drift statistics by hand, and two small
 * results.json compared. (tests/e2e.sh compares whole runs and packs.) */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "compare.h"
#include "stats.h"
#include "tests.h"

/* a = {1, 2, 3}, b = {2, 3, 4, 5}: the ECDFs differ most at 3 (1 against
 * 2/4), D = 0.5; n_e = 12/7, lambda = (sqrt(n_e) + 0.12 + 0.11/sqrt(n_e))
 * D, p = 2 sum (-1)^(k-1) exp(-2 k^2 lambda^2) = 0.615965784519994. */
START_TEST(ks_by_hand)
{
    static const double a[] = {1, 2, 3}, b[] = {2, 3, 4, 5};
    double p, d = fa_ks_two_sample(a, 3, b, 4, &p);

    ck_assert_double_eq_tol(d, 0.5, 1e-15);
    ck_assert_double_eq_tol(p, 0.615965784519994, 1e-12);
    d = fa_ks_two_sample(a, 3, a, 3, &p);
    ck_assert_double_eq(d, 0);
    ck_assert_double_eq(p, 1);
    d = fa_ks_two_sample(a, 0, b, 4, &p);
    ck_assert_double_eq(p, 1);
}
END_TEST

/* Two samples of 1000 that differ in one value: D = 0.001, lambda about
 * 0.0226, where Q_KS is 1 to within 5e-13: p 1 (the alternating sum does
 * not converge there and must not be summed). */
START_TEST(ks_tiny_lambda)
{
    double a[1000], b[1000], p, d;

    for (int i = 0; i < 1000; i++)
        a[i] = b[i] = i;
    b[999] = 5000;
    d = fa_ks_two_sample(a, 1000, b, 1000, &p);
    ck_assert_double_eq_tol(d, 0.001, 1e-15);
    ck_assert_double_eq(p, 1);
}
END_TEST

/* {0.5, 0.5} to {0.25, 0.75}: -0.25 ln 0.5 + 0.25 ln 1.5; an empty bin
 * counts as 0.0001: {1, 0} to {0.5, 0.5} = -0.5 ln 0.5 + 0.4999 ln 5000. */
START_TEST(psi_by_hand)
{
    static const double p[] = {0.5, 0.5}, q[] = {0.25, 0.75};
    static const double p0[] = {1, 0}, q0[] = {0.5, 0.5};

    ck_assert_double_eq_tol(fa_psi(p, q, 2), 0.2746530721670274, 1e-15);
    ck_assert_double_eq_tol(fa_psi(p0, q0, 2), 4.60431846666895, 1e-12);
    ck_assert_double_eq(fa_psi(p, p, 2), 0);
}
END_TEST

/* A results.json of one attribute g with groups a and b: fpr num/den of
 * each (and the population's). */
static json_t *
results(const char *attr, int fa, int na, int fb, int nb, double tol)
{
    json_t *r = json_pack(
        "{s:{s:I, s:s}, s:{s:b, s:{s:[s], s:[]}}, s:{s:s}, s:s, s:[]}", "run",
        "id", (json_int_t)1, "created", "2026-01-01T00:00:00Z", "dataset",
        "weighted", 0, "columns", "attributes", attr, "segments", "template",
        "name", "t", "verdict", "pass", "verdicts");
    json_t *groups = json_array();
    const int f[2] = {fa, fb}, n[2] = {na, nb};

    (void)tol;
    for (int k = 0; k < 2; k++)
        json_array_append_new(
            groups,
            json_pack("{s:s, s:{s:s}, s:I, s:{s:{s:f, s:I, s:I}}}", "kind",
                      "attribute", "attributes", attr, k ? "b" : "a", "n",
                      (json_int_t)(2 * n[k]), "metrics", "fpr", "value",
                      (double)f[k] / n[k], "num", (json_int_t)f[k], "den",
                      (json_int_t)n[k]));
    json_object_set_new(r, "groups", groups);
    json_object_set_new(r, "overall",
                        json_pack("{s:I, s:{s:{s:f, s:I, s:I}}}", "n",
                                  (json_int_t)(2 * (na + nb)), "metrics", "fpr",
                                  "value", (double)(fa + fb) / (na + nb), "num",
                                  (json_int_t)(fa + fb), "den",
                                  (json_int_t)(na + nb)));
    return r;
}

static json_t *
change_of(json_t *c, const char *group)
{
    size_t i;
    json_t *e;

    json_array_foreach(json_object_get(c, "changes"), i, e)
    {
        json_t *a = json_object_get(e, "attributes");

        if (json_is_string(json_object_get(a, "g")) &&
            strcmp(json_string_value(json_object_get(a, "g")), group) == 0)
            return e;
    }
    return NULL;
}

/* b's FPR goes from 100/1000 to 200/1000: a regression (FPR: smaller is
 * better) with Newcombe's interval and the z-test; a's from 100/1000 to
 * 110/1000 is under the tolerance 0.02 and not significant; the
 * population's from 200/2000 to 310/2000 (+0.055, z about 5) is a
 * regression too: two. */
START_TEST(compare_by_hand)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_cmp_side b = {0}, c = {0};
    struct fa_compare_opts o = {0.05, 0.02, 0.25};
    json_t *out = NULL, *e;
    size_t reg = 0;
    fa_interval ci = fa_ci_newcombe_diff(200, 1000, 100, 1000, 0.95);
    fa_test t = fa_test_two_proportions(200, 1000, 100, 1000);

    b.name = (char *)"base";
    c.name = (char *)"cand";
    b.tolerance = c.tolerance = -1;
    b.results = results("g", 100, 1000, 100, 1000, 0);
    c.results = results("g", 110, 1000, 200, 1000, 0);
    ck_assert_int_eq(fa_compare_runs(ctx, &b, &c, &o, &out, &reg), FA_OK);
    ck_assert_uint_eq(reg, 2);
    e = change_of(out, "b");
    ck_assert_ptr_nonnull(e);
    ck_assert(json_is_true(json_object_get(e, "regression")));
    ck_assert_double_eq_tol(json_number_value(json_object_get(e, "change")),
                            0.1, 1e-15);
    ck_assert_double_eq_tol(
        json_number_value(json_array_get(json_object_get(e, "ci"), 0)), ci.lo,
        1e-15);
    ck_assert_double_eq_tol(
        json_number_value(json_array_get(json_object_get(e, "ci"), 1)), ci.hi,
        1e-15);
    ck_assert_double_eq_tol(json_number_value(json_object_get(e, "p_value")),
                            t.p, 1e-300);
    e = change_of(out, "a");
    ck_assert(json_is_false(json_object_get(e, "regression")));
    json_decref(out);
    /* the other way round: an improvement, no regression */
    ck_assert_int_eq(fa_compare_runs(ctx, &c, &b, &o, &out, &reg), FA_OK);
    ck_assert_uint_eq(reg, 0);
    ck_assert(
        json_is_true(json_object_get(change_of(out, "b"), "improvement")));
    json_decref(out);
    /* a tolerance above the change: none */
    o.tolerance = 0.15;
    ck_assert_int_eq(fa_compare_runs(ctx, &b, &c, &o, &out, &reg), FA_OK);
    ck_assert_uint_eq(reg, 0);
    json_decref(out);
    json_decref(c.results);
    /* other attributes: refused, naming them */
    c.results = results("h", 110, 1000, 200, 1000, 0);
    ck_assert_int_eq(fa_compare_runs(ctx, &b, &c, &o, &out, &reg),
                     FA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "the candidate lacks 'g'"));
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "the base lacks 'h'"));
    json_decref(b.results);
    json_decref(c.results);
    fa_ctx_free(ctx);
}
END_TEST

/* Results compare must refuse (exit 3), never crash or hang on: a
 * column's name that is not text, a rate's parts with num > den or
 * negative, an unknown metric, a group without a kind. */
START_TEST(compare_refuses_malformed)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_cmp_side b = {0}, c = {0};
    struct fa_compare_opts o = {0.05, 0.02, 0.25};
    json_t *out = NULL, *g;
    size_t reg = 0;

    b.name = (char *)"base";
    c.name = (char *)"cand";
    b.tolerance = c.tolerance = -1;
    b.results = results("g", 100, 1000, 100, 1000, 0);
    for (int k = 0; k < 5; k++) {
        c.results = results("g", 110, 1000, 200, 1000, 0);
        g = json_array_get(json_object_get(c.results, "groups"), 0);
        if (k == 0)
            json_array_append_new(
                json_object_get(
                    json_object_get(json_object_get(c.results, "dataset"),
                                    "columns"),
                    "attributes"),
                json_integer(1));
        else if (k == 1)
            json_object_set_new(
                json_object_get(json_object_get(g, "metrics"), "fpr"), "num",
                json_integer(2000));
        else if (k == 2)
            json_object_set_new(
                json_object_get(json_object_get(g, "metrics"), "fpr"), "den",
                json_integer(-5));
        else if (k == 3)
            json_object_set_new(json_object_get(g, "metrics"), "nonsense",
                                json_pack("{s:f}", "value", 0.5));
        else
            json_object_del(g, "kind");
        ck_assert_msg(fa_compare_runs(ctx, &b, &c, &o, &out, &reg) ==
                          FA_ERR_IO_READ,
                      "case %d accepted", k);
        ck_assert_ptr_null(out);
        ck_assert_ptr_nonnull(
            strstr(fa_ctx_msg(ctx), "cand: its results.json"));
        fa_ctx_clear(ctx);
        json_decref(c.results);
    }
    json_decref(b.results);
    fa_ctx_free(ctx);
}
END_TEST

Suite *
compare_suite(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");

    tcase_add_test(tc, ks_by_hand);
    tcase_add_test(tc, psi_by_hand);
    tcase_add_test(tc, compare_by_hand);
    tcase_add_test(tc, ks_tiny_lambda);
    tcase_add_test(tc, compare_refuses_malformed);
    suite_add_tcase(s, tc);
    return s;
}
