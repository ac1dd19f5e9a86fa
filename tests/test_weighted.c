/* test_weighted.c — a weighted audit's aggregate intervals, end to end: the
 * bootstrap sees the data's own weights, small cells drawn row by row and
 * large ones by their totals, through the two-connection scan. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap.h"
#include "disparity.h"
#include "ingest.h"
#include "run.h"
#include "store.h"
#include "tests.h"

#define NROWS 120000 /* past 100,000: the scan runs on two connections */
#define REPS 2000

/* One generated row. */
struct wrow {
    int g;    /* 0 a, 1 b, 2 c (c is small: about 200 rows) */
    int h;    /* 0 x, 1 y */
    int y, p; /* label, prediction */
    double w; /* 1 or 4 */
};

static struct wrow rows[NROWS];
static char dir[64];

static uint64_t lcg;

static double
uniform(void)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg >> 11) / 9007199254740992.0;
}

/* Writes the data: "g,h,s,y,p,w,one" (one is a weight of 1 throughout). */
static void
make_data(const char *path)
{
    static const double sel[3][2] = {{0.30, 0.60}, {0.25, 0.40}, {0.2, 0.7}};
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    lcg = 77;
    fprintf(f, "g,h,s,y,p,w,one\n");
    for (int i = 0; i < NROWS; i++) {
        struct wrow *r = &rows[i];
        double u = uniform();

        r->g = u < 1.0 / 600 ? 2 : u < 0.55 ? 0 : 1;
        r->h = uniform() < 0.5;
        r->w = uniform() < 0.5 ? 1 : 4;
        r->y = uniform() < 0.4;
        /* selection depends on the weight, so the weights move the rate */
        r->p = uniform() < sel[r->g][r->w > 1] + 0.1 * r->y;
        fprintf(f, "%c,%c,%c,%d,%d,%g,1\n", "abc"[r->g], "xy"[r->h],
                "uv"[i % 2], r -> y, r -> p, r -> w);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/fa_test_weighted_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
    char p[128];

    snprintf(p, sizeof(p), "%s/data.csv", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/store.db", dir);
    unlink(p);
    rmdir(dir);
}

/* Ingests the data with weight column weight (NULL: none) and runs it. */
static void
audit(fa_store *st, const char *csv, const char *weight, fa_results *r)
{
    static const char *const attrs[] = {"g", "h"};
    static const char *const segs[] = {"s"};
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ires;
    struct fa_run_opts ro = {.tool_version = "t", .bootstrap = REPS};
    fa_ctx *ctx = fa_ctx_new();
    int64_t run_id;

    o.path = csv;
    o.label = "y";
    o.pred = "p";
    o.weight = weight;
    o.attrs = attrs;
    o.nattrs = 2;
    o.segments = segs;
    o.nsegments = 1;
    ck_assert_msg(fa_ingest(ctx, st, &o, &ires) == FA_OK, "%s",
                  fa_ctx_msg(ctx));
    ck_assert_int_eq(ires.rows_loaded, NROWS);
    ro.dataset_id = ires.dataset_id;
    ck_assert_msg(fa_run(ctx, st, &ro, &run_id) == FA_OK, "%s",
                  fa_ctx_msg(ctx));
    ck_assert_int_eq(fa_store_run_load(ctx, st, run_id, r), FA_OK);
    ck_assert_int_eq(r->ds.weighted, weight != NULL);
    fa_ctx_free(ctx);
}

/* The set whose columns are a (and b when not NULL). */
static const fa_group_set *
find_set(const fa_results *r, const char *a, const char *b)
{
    for (size_t i = 0; i < r->nsets; i++) {
        const fa_group_set *gs = &r->sets[i];

        if (gs->ndims != (b ? 2u : 1u))
            continue;
        if (strcmp(r->ds.dims[gs->dims[0]].name, a) == 0 &&
            (!b || strcmp(r->ds.dims[gs->dims[1]].name, b) == 0))
            return gs;
    }
    ck_abort_msg("no set %s %s", a, b ? b : "");
    return NULL;
}

static void
same_intervals(const fa_group_set *x, const fa_group_set *y)
{
    for (int a = 0; a < FA_AGG_COUNT; a++) {
        ck_assert_ptr_null(x->agg_ci[a].reason);
        ck_assert_ptr_null(y->agg_ci[a].reason);
        ck_assert_double_eq(x->agg_ci[a].lo, y->agg_ci[a].lo);
        ck_assert_double_eq(x->agg_ci[a].hi, y->agg_ci[a].hi);
    }
}

/* Bounds apart by at most a tenth of the width: the Monte Carlo error of a
 * 95% bound over 2000 replicates is about 1.5% of the width. */
static void
near_intervals(const fa_interval *x, const fa_interval *y)
{
    double width = y->hi - y->lo;

    ck_assert_ptr_null(x->reason);
    ck_assert_ptr_null(y->reason);
    ck_assert_double_gt(width, 0.01);
    ck_assert_double_le(fabs(x->lo - y->lo), 0.1 * width);
    ck_assert_double_le(fabs(x->hi - y->hi), 0.1 * width);
}

/*
 * Weights of 1 are the counts: equal weights draw nothing beyond the
 * counts, so the weighted bootstrap gives the count bootstrap's intervals
 * to the bit, for large cells (h, s) and small ones (c in g and g x h)
 * alike.
 */
START_TEST(unit_weights_are_counts)
{
    char csv[128], db[128];
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    fa_results u, w;

    snprintf(csv, sizeof(csv), "%s/data.csv", dir);
    snprintf(db, sizeof(db), "%s/store.db", dir);
    make_data(csv);
    ck_assert_int_eq(fa_store_open(ctx, db, 1, &st), FA_OK);
    audit(st, csv, NULL, &u);
    audit(st, csv, "one", &w);
    same_intervals(find_set(&u, "h", NULL), find_set(&w, "h", NULL));
    same_intervals(find_set(&u, "s", NULL), find_set(&w, "s", NULL));
    same_intervals(find_set(&u, "g", NULL), find_set(&w, "g", NULL));
    same_intervals(find_set(&u, "g", "h"), find_set(&w, "g", "h"));
    fa_results_release(&u);
    fa_results_release(&w);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

static void
parity_difference(const fa_counts *c, size_t k, fa_value *out, size_t nout,
                  void *data)
{
    fa_value sel[3];

    (void)nout;
    (void)data;
    for (size_t i = 0; i < k; i++)
        sel[i] = fa_confusion_metric(FA_METRIC_SELECTION_RATE, &c[i], 1);
    out[0] = fa_aggregate_difference(sel, k);
}

/*
 * Weights 1 or 4 that move the selection rate: the run's demographic
 * parity difference over g, and its interval, against the bootstrap called
 * directly on cells built here from the generated rows (weights in line
 * order), with another seed.
 */
START_TEST(weighted_interval_from_the_rows)
{
    char csv[128], db[128];
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    fa_results w;
    fa_boot_cell cells[3][4];
    double *kept[3][4];
    fa_counts c[3] = {{0, 0, 0, 0}};
    fa_value est;
    fa_interval ci, b;
    const fa_group_set *gs;

    snprintf(csv, sizeof(csv), "%s/data.csv", dir);
    snprintf(db, sizeof(db), "%s/store.db", dir);
    make_data(csv);
    memset(cells, 0, sizeof(cells));
    for (int g = 0; g < 3; g++)
        for (int q = 0; q < 4; q++)
            kept[g][q] = calloc(NROWS, sizeof(double));
    for (int i = 0; i < NROWS; i++) {
        const struct wrow *r = &rows[i];
        int q = r->p ? (r->y ? 0 : 1) : (r->y ? 3 : 2); /* tp fp tn fn */
        fa_boot_cell *k = &cells[r->g][q];

        kept[r->g][q][k->rows++] = r->w;
        k->w += r->w;
        k->w2 += r->w * r->w;
    }
    for (int g = 0; g < 3; g++) {
        for (int q = 0; q < 4; q++)
            if (cells[g][q].rows <= FA_BOOT_EXACT_ROWS)
                cells[g][q].weights = kept[g][q];
        c[g] = (fa_counts){cells[g][0].w, cells[g][1].w, cells[g][2].w,
                           cells[g][3].w};
    }
    /* c is small enough for row-by-row draws; a and b are not */
    ck_assert_ptr_nonnull(cells[2][0].weights);
    ck_assert_ptr_null(cells[0][0].weights);
    parity_difference(c, 3, &est, 1, NULL);
    fa_bootstrap_weighted((const fa_boot_cell(*)[4])cells, 3, parity_difference,
                          NULL, 1, 12345, REPS, 0.95, &ci);
    b = fa_bootstrap_basic(ci, est.value, 0, 1);

    ck_assert_int_eq(fa_store_open(ctx, db, 1, &st), FA_OK);
    audit(st, csv, "w", &w);
    gs = find_set(&w, "g", NULL);
    ck_assert_ptr_null(gs->agg[FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE].reason);
    ck_assert_double_eq_tol(gs->agg[FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE].value,
                            est.value, 1e-12);
    near_intervals(&gs->agg_ci[FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE], &b);
    for (int a = 0; a < FA_AGG_COUNT; a++) {
        ck_assert_ptr_null(gs->agg_ci[a].reason);
        ck_assert_double_le(gs->agg_ci[a].lo, gs->agg[a].value);
        ck_assert_double_ge(gs->agg_ci[a].hi, gs->agg[a].value);
    }
    for (int g = 0; g < 3; g++)
        for (int q = 0; q < 4; q++)
            free(kept[g][q]);
    fa_results_release(&w);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

Suite *
weighted_suite(void)
{
    Suite *s = suite_create("weighted");
    TCase *tc = tcase_create("weighted");

    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unit_weights_are_counts);
    tcase_add_test(tc, weighted_interval_from_the_rows);
    suite_add_tcase(s, tc);
    return s;
}
