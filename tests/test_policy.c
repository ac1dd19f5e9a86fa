/* test_policy.c — report templates: parsing with line and column, the
 * resolution against the run's options, canonical JSON and fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "run.h"
#include "tests.h"

static const char base[] = "name: t\ntitle: T\nsource: S\n";

/* Parses base + extra; returns the error and leaves the message in msg. */
static fa_err
parse(const char *extra, fa_template *t, char *msg, size_t size)
{
    fa_ctx *ctx = fa_ctx_new();
    char *text = fa_xasprintf("%s%s", base, extra);
    fa_err e = fa_template_parse(ctx, text, strlen(text), "t.yaml", t);

    snprintf(msg, size, "%s", e ? fa_ctx_msg(ctx) : "");
    free(text);
    fa_ctx_free(ctx);
    return e;
}

START_TEST(bundled_templates_parse)
{
    size_t n = 0;

    for (; fa_template_names[n]; n++) {
        fa_ctx *ctx = fa_ctx_new();
        fa_template t;

        ck_assert_msg(fa_template_load(ctx, fa_template_names[n], &t) == FA_OK,
                      "%s: %s", fa_template_names[n], fa_ctx_msg(ctx));
        ck_assert_str_eq(t.name, fa_template_names[n]);
        ck_assert_uint_gt(t.nchecks, 0);
        ck_assert_ptr_nonnull(t.source);
        fa_template_release(&t);
        fa_ctx_free(ctx);
    }
    ck_assert_uint_eq(n, 6);
}
END_TEST

static const struct {
    const char *extra, *want;
} bad[] = {
    {"colour: red\n", "t.yaml:4:1: unknown key 'colour'"},
    {"checks:\n  - metric: tpr\n    min: 0.1\n    colour: red\n",
     "t.yaml:7:5: unknown key 'colour' in a check"},
    {"checks:\n  - metric: precision\n    min: 1\n",
     "t.yaml:5:13: unknown metric 'precision'"},
    {"checks:\n  - metric: selection_rate\n    min: -1\n",
     "t.yaml:6:10: a ratio's bounds must be above 0"},
    {"checks:\n  - metric: tpr\n    measure: difference\n    min: -2\n",
     "a difference's bounds must lie in [-1, 1]"},
    {"checks:\n  - metric: tpr\n    measure: difference\n    min: 0.2\n"
     "    max: 0.1\n",
     "'min' is above 'max'"},
    {"checks:\n  - metric: tpr\n", "needs 'min' or 'max'"},
    {"checks:\n  - metric: tpr\n    min: 0.8\n    flip_flop: 2\n",
     "'flip_flop' needs a selection or scoring rate ratio"},
    {"checks:\n  - metric: selection_rate\n    min: '0.8'\n",
     "'min' must be a number"},
    {"checks:\n  - metric: selection_rate\n    min: .nan\n",
     "'min' must be a number"},
    {"statistics:\n  alpha: 1.5\n", "t.yaml:5:10: 'alpha' must lie between"},
    {"statistics:\n  min_group: 2.5\n", "'min_group' must be a whole number"},
    {"statistics:\n  bootstrap: 50\n", "'bootstrap' must be 0 or at least 100"},
    {"reference: worst\n", "bad reference"},
    {"exclude_below_share: 0.5\n", "'exclude_below_share' must lie in"},
    {"required_fields: [Audit-Date]\n", "must be a name of a-z and _"},
    {"sections: [summary, appendix]\n", "unknown sections 'appendix'"},
    {"name: u\n", "key 'name' given twice"},
    {"title: [unclosed\n", "YAML syntax error"},
    {"wording:\n  maybe: perhaps\n", "unknown key 'wording.maybe'"},
    {"statistics:\n  alpha: 0.1\n  alpha: 0.2\n",
     "t.yaml:6:3: key 'alpha' given twice"},
    {"checks:\n  - metric: tpr\n    min: 0.1\n    min: 0.2\n",
     "key 'min' given twice"},
    {"requires_label: \"true\"\n", "'requires_label' must be true or false"},
    {"checks:\n  - metric: selection_rate\n    min: 0x1p-1\n",
     "'min' must be a number"},
    {"statistics:\n  seed: 1e3\n", "'seed' must be a whole number"},
    {"disclosures: [~]\n", "'disclosures' is empty"},
    {"---\nname: u\n", "t.yaml:4:1: a template is one YAML document"},
    {"x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]]]]\n",
     "nested more than 32 deep"},
    {"disclosures:\n  - \"caf\xff\"\n", "t.yaml:5:9: YAML syntax error"},
    {"checks:\n  - metric: selection_rate\n    min: -1\n    max: 2\n",
     "t.yaml:6:10: a ratio's bounds"},
    {"disclosures: [\"  \"]\n", "'disclosures' is empty"},
    {"checks:\n  - metric: selection_rate\n    max: 1.25\n    flip_flop: 1\n",
     "'flip_flop' needs a 'min'"},
    {"metrics: []\n", "'metrics' must name at least one metric"},
};

START_TEST(bad_templates_say_where)
{
    fa_template t;
    char msg[512];

    ck_assert_int_eq(parse(bad[_i].extra, &t, msg, sizeof(msg)), FA_ERR_USAGE);
    ck_assert_msg(strstr(msg, bad[_i].want) != NULL, "got '%s', want '%s'", msg,
                  bad[_i].want);
}
END_TEST

/* A seed past 2^53 is read as a whole number, not through a double. */
START_TEST(large_seed_exact)
{
    fa_template t;
    char msg[256];
    struct fa_run_opts o = {0};

    ck_assert_int_eq(
        parse("statistics:\n  seed: 9007199254740993\n", &t, msg, sizeof(msg)),
        FA_OK);
    fa_template_resolve(&t, &o);
    ck_assert_uint_eq(o.seed, 9007199254740993ULL);
    fa_template_release(&t);
}
END_TEST

START_TEST(empty_title)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_template t;
    const char *text = "name: t\ntitle:\nsource: S\n";

    ck_assert_int_eq(fa_template_parse(ctx, text, strlen(text), "x", &t),
                     FA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "x:2:7: 'title' is empty"));
    fa_ctx_free(ctx);
}
END_TEST

START_TEST(missing_name)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_template t;
    const char *text = "title: T\nsource: S\n";

    ck_assert_int_eq(fa_template_parse(ctx, text, strlen(text), "x", &t),
                     FA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "needs 'name'"));
    fa_ctx_free(ctx);
}
END_TEST

/* The command line wins; the template fills what it left unset; the
 * template then records what the run uses. */
START_TEST(resolve_precedence)
{
    fa_template t;
    char msg[256];
    struct fa_run_opts a = {0}, b = {0};

    ck_assert_int_eq(parse("reference: best\nstatistics:\n  min_group: 50\n"
                           "  ci: exact\n  confidence: 0.9\n",
                           &t, msg, sizeof(msg)),
                     FA_OK);
    fa_template_resolve(&t, &a);
    ck_assert_str_eq(a.reference, "best");
    ck_assert_int_eq(a.min_group, 50);
    ck_assert_int_eq(a.exact, 1);
    ck_assert_double_eq(a.confidence, 0.9);
    ck_assert_int_eq(t.min_class, FA_RUN_MIN_CLASS); /* run default */
    ck_assert_int_eq(t.bootstrap, FA_RUN_BOOTSTRAP);
    ck_assert_double_eq(t.alpha, 0.05);
    fa_template_release(&t);

    ck_assert_int_eq(parse("reference: best\nstatistics:\n  min_group: 50\n"
                           "  ci: exact\n",
                           &t, msg, sizeof(msg)),
                     FA_OK);
    b.reference = "overall";
    b.min_group = -1; /* --min-group 0: no minimum */
    b.exact = 0;
    b.has_ci = 1; /* --ci wilson */
    fa_template_resolve(&t, &b);
    ck_assert_str_eq(b.reference, "overall");
    ck_assert_str_eq(t.reference, "overall");
    ck_assert_int_eq(b.min_group, -1);
    ck_assert_int_eq(t.min_group, 0);
    ck_assert_int_eq(b.exact, 0);
    ck_assert_int_eq(t.exact, 0);
    fa_template_release(&t);
}
END_TEST

/* The same template resolves to the same bytes; any change of a
 * threshold changes them. */
START_TEST(canonical_json)
{
    fa_template t1, t2, t3;
    struct fa_run_opts o1 = {0}, o2 = {0}, o3 = {0};
    char msg[256];
    const char *c = "checks:\n  - metric: selection_rate\n    min: 0.8\n";
    char *j1, *j2, *j3;

    ck_assert_int_eq(parse(c, &t1, msg, sizeof(msg)), FA_OK);
    ck_assert_int_eq(parse(c, &t2, msg, sizeof(msg)), FA_OK);
    ck_assert_int_eq(parse("checks:\n  - metric: selection_rate\n"
                           "    min: 0.81\n",
                           &t3, msg, sizeof(msg)),
                     FA_OK);
    fa_template_resolve(&t1, &o1);
    fa_template_resolve(&t2, &o2);
    fa_template_resolve(&t3, &o3);
    j1 = fa_template_json(&t1);
    j2 = fa_template_json(&t2);
    j3 = fa_template_json(&t3);
    ck_assert_str_eq(j1, j2);
    ck_assert_str_ne(j1, j3);
    ck_assert_ptr_nonnull(strstr(j1, "\"rule\":\"band_and_significant\""));
    ck_assert_ptr_null(strchr(j1, '\n'));
    free(j1);
    free(j2);
    free(j3);
    fa_template_release(&t1);
    fa_template_release(&t2);
    fa_template_release(&t3);
}
END_TEST

START_TEST(fields)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_template t;
    char msg[256];
    char ad[] = "audit_date", fu[] = "first_used", d[] = "2026-11-27";
    char x[] = "x", none[] = "";
    fa_field ok[2] = {{ad, d}, {fu, x}};
    fa_field twice[2] = {{ad, x}, {ad, d}};
    fa_field empty[2] = {{ad, none}, {fu, x}};

    ck_assert_int_eq(parse("required_fields: [audit_date, first_used]\n", &t,
                           msg, sizeof(msg)),
                     FA_OK);
    ck_assert_int_eq(fa_template_check_fields(ctx, &t, ok, 2), FA_OK);
    ck_assert_int_eq(fa_template_check_fields(ctx, &t, ok, 1), FA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "--field first_used=VALUE"));
    fa_ctx_free(ctx);
    ctx = fa_ctx_new();
    ck_assert_int_eq(fa_template_check_fields(ctx, &t, twice, 2), FA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "given twice"));
    fa_ctx_free(ctx);
    ctx = fa_ctx_new();
    ck_assert_int_eq(fa_template_check_fields(ctx, &t, empty, 2), FA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "--field audit_date"));
    fa_template_release(&t);
    fa_ctx_free(ctx);
}
END_TEST

Suite *
policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("templates");

    tcase_add_test(tc, bundled_templates_parse);
    tcase_add_loop_test(tc, bad_templates_say_where, 0,
                        (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, missing_name);
    tcase_add_test(tc, large_seed_exact);
    tcase_add_test(tc, empty_title);
    tcase_add_test(tc, resolve_precedence);
    tcase_add_test(tc, canonical_json);
    tcase_add_test(tc, fields);
    suite_add_tcase(s, tc);
    return s;
}
