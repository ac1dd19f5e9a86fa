/* test_synth.c — synthetic data: reproducible, and an audit finds exactly
 * what was planted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "run.h"
#include "store.h"
#include "synth.h"
#include "tests.h"

static char *
synth_text(const struct fa_synth_spec *spec, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    fa_ctx *ctx = fa_ctx_new();

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fa_synth_write(ctx, spec, f), FA_OK);
    fclose(f);
    fa_ctx_free(ctx);
    return buf;
}

START_TEST(same_seed_same_bytes)
{
    struct fa_synth_spec spec;
    size_t n1, n2, n3;
    char *a, *b, *c;

    fa_synth_default(&spec);
    spec.rows = 2000;
    spec.seed = 9;
    a = synth_text(&spec, &n1);
    b = synth_text(&spec, &n2);
    spec.seed = 10;
    c = synth_text(&spec, &n3);
    ck_assert_uint_eq(n1, n2);
    ck_assert_int_eq(memcmp(a, b, n1), 0);
    ck_assert(n1 != n3 || memcmp(a, c, n1) != 0);
    free(a);
    free(b);
    free(c);
    fa_synth_release(&spec);
}
END_TEST

/* fixtures/demo/predictions.csv is what "synth --rows 20000 --seed 2026"
 * writes; the demo and its description depend on it. */
START_TEST(demo_fixture_is_reproducible)
{
    struct fa_synth_spec spec;
    size_t n, m = 0;
    char *a, *b;
    FILE *f = fopen(FA_FIXTURES "/demo/predictions.csv", "rb");

    ck_assert_ptr_nonnull(f);
    fa_synth_default(&spec);
    spec.rows = 20000;
    spec.seed = 2026;
    a = synth_text(&spec, &n);
    b = malloc(n + 1);
    m = fread(b, 1, n + 1, f);
    fclose(f);
    ck_assert_uint_eq(m, n);
    ck_assert_int_eq(memcmp(a, b, n), 0);
    free(a);
    free(b);
    fa_synth_release(&spec);
}
END_TEST

/* The group of set kind FA_SET_ATTRIBUTE whose first value is value. */
static const fa_group *
find(const fa_results *r, const char *dim, const char *value)
{
    for (size_t i = 1; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];
        const fa_group_set *gs = &r->sets[g->set];

        if (gs->kind != FA_SET_ATTRIBUTE ||
            strcmp(r->ds.dims[gs->dims[0]].name, dim) != 0)
            continue;
        if (value ? g->values[0] && strcmp(g->values[0], value) == 0
                  : g->values[0] == NULL)
            return g;
    }
    return NULL;
}

/* |observed - planted| within 5 standard errors of a proportion */
static void
near(const fa_value *v, double p)
{
    double se;

    ck_assert_ptr_null(v->reason);
    se = sqrt(p * (1 - p) / v->den);
    ck_assert_msg(fabs(v->value - p) < 5 * se, "%.4f is not %.4f (+/- %.4f)",
                  v->value, p, 5 * se);
}

static void
audit_spec(const struct fa_synth_spec *spec, fa_results *r, char *dir)
{
    static const char *const attrs[] = {"sex", "race"};
    static const char *const segs[] = {"region"};
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ires;
    struct fa_run_opts ro = {.reference = "largest", .tool_version = "t"};
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    char *path = fa_xasprintf("%s/s.csv", dir);
    FILE *f = fopen(path, "w");
    int64_t run_id;

    ck_assert_int_eq(fa_synth_write(ctx, spec, f), FA_OK);
    fclose(f);
    o.path = path;
    o.label = "label";
    o.pred = "decision";
    o.score = "score";
    o.attrs = attrs;
    o.nattrs = 2;
    o.segments = segs;
    o.nsegments = 1;
    o.max_rejects = 0;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, &st), FA_OK);
    ck_assert_int_eq(fa_ingest(ctx, st, &o, &ires), FA_OK);
    ck_assert_int_eq(ires.rows_loaded, spec->rows);
    ro.dataset_id = ires.dataset_id;
    ck_assert_int_eq(fa_run(ctx, st, &ro, &run_id), FA_OK);
    ck_assert_int_eq(fa_store_run_load(ctx, st, run_id, r), FA_OK);
    fa_store_close(st);
    unlink(path);
    free(path);
    fa_ctx_free(ctx);
}

START_TEST(audit_finds_what_was_planted)
{
    struct fa_synth_spec spec;
    char dir[] = "/tmp/fa-synth-XXXXXX";
    fa_results r;
    const fa_group *f, *m, *black, *white, *miss;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    fa_synth_default(&spec);
    spec.rows = 200000;
    spec.seed = 77;
    audit_spec(&spec, &r, dir);
    f = find(&r, "sex", "female");
    m = find(&r, "sex", "male");
    black = find(&r, "race", "Black");
    white = find(&r, "race", "White");
    miss = find(&r, "race", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(black);
    ck_assert_ptr_nonnull(white);
    ck_assert_ptr_nonnull(miss);
    /* planted: TPR 0.8 x 0.75 for women, FPR 0.1 x 1.8 for Black rows,
     * base rate 0.3 for all, 1% of values missing */
    near(&f->m[FA_METRIC_TPR], 0.6);
    near(&m->m[FA_METRIC_TPR], 0.8);
    near(&f->m[FA_METRIC_FPR], 0.1 * (0.6 * 1 + 0.2 * 1.8 + 0.2));
    near(&black->m[FA_METRIC_FPR], 0.18);
    near(&white->m[FA_METRIC_FPR], 0.1);
    near(&black->m[FA_METRIC_TPR], 0.7);
    near(&black->m[FA_METRIC_BASE_RATE], 0.3);
    near(&f->m[FA_METRIC_BASE_RATE], 0.3);
    ck_assert_int_gt(miss->n, 0.01 * 200000 - 5 * sqrt(0.0099 * 200000));
    ck_assert_int_lt(miss->n, 0.01 * 200000 + 5 * sqrt(0.0099 * 200000));
    /* the reference is the larger of the two sexes */
    ck_assert_int_eq(r.sets[f->set].ref_gid,
                     f->weight > m->weight ? f->gid : m->gid);
    ck_assert_int_eq(r.sets[black->set].ref_gid, white->gid);
    ck_assert_ptr_null(black->ratio[FA_METRIC_FPR].reason);
    ck_assert_double_eq_tol(black->ratio[FA_METRIC_FPR].value, 1.8, 0.15);
    /* decisions are score >= 0.5 exactly */
    ck_assert_ptr_null(f->m[FA_METRIC_AUC].reason);
    ck_assert_double_gt(f->m[FA_METRIC_AUC].value, 0.7);
    fa_results_release(&r);
    fa_synth_release(&spec);
    rmdir(dir);
}
END_TEST

START_TEST(selection_plant_halves_the_rate)
{
    struct fa_synth_spec spec;
    char dir[] = "/tmp/fa-synth-XXXXXX";
    fa_ctx *ctx = fa_ctx_new();
    fa_results r;
    const fa_group *f, *m;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    fa_synth_default(&spec);
    spec.rows = 100000;
    spec.seed = 5;
    ck_assert_int_eq(fa_synth_plant(ctx, &spec, "sex=female:sel=0.5"), FA_OK);
    ck_assert_int_eq(fa_synth_plant(ctx, &spec, "sex=nobody:sel=0.5"),
                     FA_ERR_USAGE);
    audit_spec(&spec, &r, dir);
    f = find(&r, "sex", "female");
    m = find(&r, "sex", "male");
    /* female: tpr 0.8 * 0.75 * 0.5, fpr 0.1 * 0.5 (race mix) */
    near(&f->m[FA_METRIC_TPR], 0.3);
    near(&m->m[FA_METRIC_TPR], 0.8);
    fa_results_release(&r);
    fa_synth_release(&spec);
    fa_ctx_free(ctx);
    rmdir(dir);
}
END_TEST

Suite *
synth_suite(void)
{
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("synth");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, same_seed_same_bytes);
    tcase_add_test(tc, demo_fixture_is_reproducible);
    tcase_add_test(tc, audit_finds_what_was_planted);
    tcase_add_test(tc, selection_plant_halves_the_rate);
    suite_add_tcase(s, tc);
    return s;
}
