/* test_strata.c — comparisons pooled within strata: the
 * Cochran-Mantel-Haenszel test on a published example, and Simpson's
 * paradox told apart from a gap present within strata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "run.h"
#include "stats.h"
#include "store.h"
#include "tests.h"

/*
 * UC Berkeley admissions 1973 by department (R's UCBAdmissions), rows
 * male, female; columns admitted, rejected. R 4.x:
 *   mantelhaen.test(UCBAdmissions): Mantel-Haenszel X-squared = 1.4269,
 *   df = 1, p-value = 0.2323, common odds ratio 0.9046968;
 *   with correct = FALSE: X-squared = 1.5246, p-value = 0.2169.
 * Without the correction: sum(a - E) = 0.96.., X2 = 1.5246.
 */
START_TEST(cmh_ucb_admissions)
{
    const double t[6][4] = {{512, 313, 89, 19},   {353, 207, 17, 8},
                            {120, 205, 202, 391}, {138, 279, 131, 244},
                            {53, 138, 94, 299},   {22, 351, 24, 317}};
    fa_cmh r = fa_test_cmh(t, 6);

    ck_assert_ptr_null(r.test.reason);
    ck_assert_double_eq_tol(r.test.statistic, 1.4269, 5e-5);
    ck_assert_double_eq_tol(r.test.p, 0.2323, 5e-5);
    ck_assert_double_eq_tol(r.odds_ratio.value, 0.9046968, 5e-8);
    ck_assert_uint_eq(r.strata_used, 6);
}
END_TEST

START_TEST(cmh_skips_empty_strata)
{
    const double t[3][4] = {{0, 0, 5, 5}, {10, 10, 0, 0}, {1, 0, 0, 0}};
    fa_cmh r = fa_test_cmh(t, 3);

    ck_assert_uint_eq(r.strata_used, 0);
    ck_assert_str_eq(r.test.reason, "no stratum has both groups");
}
END_TEST

/* Writes rows "site,sex,y,p" for one cell: n rows of which sel selected. */
static void
cell(FILE *f, const char *site, const char *sex, int n, int sel)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s,%s,%d,%d\n", site, sex, i % 2, i < sel);
}

static const fa_group *
find_sex(const fa_results *r, const char *value)
{
    for (size_t i = 1; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];

        if (r->sets[g->set].kind == FA_SET_ATTRIBUTE && g->values[0] &&
            strcmp(g->values[0], value) == 0)
            return g;
    }
    return NULL;
}

static void
audit(const char *csv, fa_results *r)
{
    static const char *const attrs[] = {"sex"};
    static const char *const segs[] = {"site"};
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ires;
    struct fa_run_opts ro = {
        .reference = "sex=men", .tool_version = "t", .strata = "site"};
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    int64_t run_id;

    o.path = csv;
    o.label = "y";
    o.pred = "p";
    o.attrs = attrs;
    o.nattrs = 1;
    o.segments = segs;
    o.nsegments = 1;
    o.max_rejects = 0;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, &st), FA_OK);
    ck_assert_int_eq(fa_ingest(ctx, st, &o, &ires), FA_OK);
    ro.dataset_id = ires.dataset_id;
    ck_assert_int_eq(fa_run(ctx, st, &ro, &run_id), FA_OK);
    ck_assert_int_eq(fa_store_run_load(ctx, st, run_id, r), FA_OK);
    ck_assert_str_eq(r->strata, "site");
    fa_store_close(st);
    fa_ctx_free(ctx);
}

/*
 * Simpson: site A takes 60% of its applicants and B 20%, for men and women
 * alike; but 80% of the men apply to A and 80% of the women to B. Overall
 * men 260/500 = .52, women 140/500 = .28: a large, significant gap that is
 * only the mix. Within strata the tables are proportional: sum(a - E) = 0,
 * so X2 = 0 (the correction cannot go below 0), p = 1, odds ratio 1.
 */
START_TEST(simpson_is_a_mix_effect)
{
    char path[] = "/tmp/fa-strata-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fa_results r;
    const fa_compare *c;
    const fa_group *w;

    fprintf(f, "site,sex,y,p\n");
    cell(f, "A", "men", 400, 240);
    cell(f, "A", "women", 100, 60);
    cell(f, "B", "men", 100, 20);
    cell(f, "B", "women", 400, 80);
    fclose(f);
    audit(path, &r);
    w = find_sex(&r, "women");
    ck_assert_ptr_nonnull(w);
    c = &w->cmp[FA_METRIC_SELECTION_RATE];
    ck_assert_double_eq_tol(w->ratio[FA_METRIC_SELECTION_RATE].value,
                            0.28 / 0.52, 1e-12);
    ck_assert_ptr_null(c->test.reason);
    ck_assert_double_lt(c->test.p, 1e-12); /* the aggregate gap */
    ck_assert_ptr_null(c->cmh.test.reason);
    ck_assert_uint_eq(c->cmh.strata_used, 2);
    ck_assert_double_eq_tol(c->cmh.test.statistic, 0, 1e-12);
    ck_assert_double_eq_tol(c->cmh.test.p, 1, 1e-12); /* none within */
    ck_assert_double_eq_tol(c->cmh.odds_ratio.value, 1, 1e-12);
    /* the group's counts in each stratum are kept: A then B */
    ck_assert_uint_eq(r.nstrata, 2);
    ck_assert_int_eq(r.strat_rows[((size_t)w->gid * 2 + 0) * 4 + 0] +
                         r.strat_rows[((size_t)w->gid * 2 + 0) * 4 + 1],
                     60);
    fa_results_release(&r);
    unlink(path);
}
END_TEST

/*
 * A gap within both strata: A selects men .6, women .3; B men .4, women
 * .2, each site with 200 men and 200 women. Within A: a = 60 (women
 * selected), b = 140, c = 120, d = 80, N = 400; odds ratio per stratum
 * (60*80)/(140*120) = 0.2857; in B (40*120)/(160*80) = 0.375. MH:
 * sum(ad/N) = (4800 + 4800)/400 = 24, sum(bc/N) = (16800 + 12800)/400
 * = 74, common odds ratio 24/74 = 0.324324..
 */
START_TEST(gap_within_strata)
{
    char path[] = "/tmp/fa-strata-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fa_results r;
    const fa_compare *c;
    const fa_group *w;

    fprintf(f, "site,sex,y,p\n");
    cell(f, "A", "men", 200, 120);
    cell(f, "A", "women", 200, 60);
    cell(f, "B", "men", 200, 80);
    cell(f, "B", "women", 200, 40);
    fclose(f);
    audit(path, &r);
    w = find_sex(&r, "women");
    c = &w->cmp[FA_METRIC_SELECTION_RATE];
    ck_assert_ptr_null(c->cmh.test.reason);
    ck_assert_double_lt(c->cmh.test.p, 1e-6);
    ck_assert_double_eq_tol(c->cmh.odds_ratio.value, 24.0 / 74.0, 1e-12);
    fa_results_release(&r);
    unlink(path);
}
END_TEST

START_TEST(strata_must_be_a_segment)
{
    static const char *const attrs[] = {"sex"};
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ires;
    struct fa_run_opts ro = {
        .reference = "largest", .tool_version = "t", .strata = "sex"};
    char path[] = "/tmp/fa-strata-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    int64_t run_id;

    fprintf(f, "sex,y,p\nm,1,1\nw,0,0\n");
    fclose(f);
    o.path = path;
    o.label = "y";
    o.pred = "p";
    o.attrs = attrs;
    o.nattrs = 1;
    o.max_rejects = 0;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, &st), FA_OK);
    ck_assert_int_eq(fa_ingest(ctx, st, &o, &ires), FA_OK);
    ro.dataset_id = ires.dataset_id;
    ck_assert_int_eq(fa_run(ctx, st, &ro, &run_id), FA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "--segment"));
    fa_store_close(st);
    fa_ctx_free(ctx);
    unlink(path);
}
END_TEST

Suite *
strata_suite(void)
{
    Suite *s = suite_create("strata");
    TCase *tc = tcase_create("cmh");

    tcase_add_test(tc, cmh_ucb_admissions);
    tcase_add_test(tc, cmh_skips_empty_strata);
    suite_add_tcase(s, tc);
    tc = tcase_create("run");
    tcase_add_test(tc, simpson_is_a_mix_effect);
    tcase_add_test(tc, gap_within_strata);
    tcase_add_test(tc, strata_must_be_a_segment);
    suite_add_tcase(s, tc);
    return s;
}
