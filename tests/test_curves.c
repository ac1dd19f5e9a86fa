/* test_curves.c — ROC, calibration and sweep data from the rows, against
 * hand-worked points. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curves.h"
#include "ingest.h"
#include "run.h"
#include "tests.h"

/*
 * Group A: (score, label) 0.9 1, 0.8 1, 0.7 0, 0.6 1, 0.2 0: P 3, N 2.
 *   ROC by falling score: (0,0) (0,1/3) (0,2/3) (1/2,2/3) (1/2,1) (1,1).
 * Group B: 0.5 1, 0.5 0, 0.5 1, 0.1 0: P 2, N 2; the three tied rows are
 *   one step: (0,0) (1/2,1) (1,1).
 * Calibration, bins of 0.1 over [0, 1]: A one row in bins 9, 8, 7, 6, 2;
 *   B bin 5 holds 3 rows (mean 0.5, 2 positives), bin 1 one row.
 * Sweep over [0.1, 0.9], 101 thresholds: t[60] = 0.1 + 0.8 * 0.6 = 0.58:
 *   A selects 4 of 5 (0.8), TPR 3/3; B selects none, TPR 0.
 */
static const char csv[] = "g,y,p,s\n"
                          "A,1,1,0.9\nA,1,1,0.8\nA,0,1,0.7\nA,1,1,0.6\n"
                          "A,0,0,0.2\n"
                          "B,1,1,0.5\nB,0,1,0.5\nB,1,1,0.5\nB,0,0,0.1\n";

/* Ingests CSV text (columns g, y, p, s and, when weighted, w), runs it
 * and loads the run and its curves (one attribute set). */
static void
load(const char *text, int weighted, fa_ctx *ctx, fa_store **st, fa_results *r,
     fa_score_curves **c)
{
    static const char *const attrs[] = {"g"};
    char path[] = "/tmp/fa-curves-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ires;
    struct fa_run_opts ro = {.tool_version = "t", .min_group = -1};
    int64_t run_id;
    size_t n;

    fputs(text, f);
    fclose(f);
    o.path = path;
    o.label = "y";
    o.pred = "p";
    o.score = "s";
    o.weight = weighted ? "w" : NULL;
    o.attrs = attrs;
    o.nattrs = 1;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, st), FA_OK);
    ck_assert_int_eq(fa_ingest(ctx, *st, &o, &ires), FA_OK);
    unlink(path);
    ro.dataset_id = ires.dataset_id;
    ck_assert_int_eq(fa_run(ctx, *st, &ro, &run_id), FA_OK);
    ck_assert_int_eq(fa_store_run_load(ctx, *st, run_id, r), FA_OK);
    ck_assert_int_eq(fa_score_curves_load(ctx, *st, r, c, &n), FA_OK);
    ck_assert_uint_eq(n, 1);
}

START_TEST(curves_by_hand)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    fa_results r;
    fa_score_curves *c;
    const fa_curve_group *a, *b;
    static const double afx[] = {0, 0, 0, 0.5, 0.5, 1};
    static const double aty[] = {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1};

    load(csv, 0, ctx, &st, &r, &c);
    ck_assert_uint_eq(c[0].ngroups, 2);
    a = &c[0].g[0];
    b = &c[0].g[1];
    ck_assert_str_eq(r.groups[a->gid].values[0], "A");
    ck_assert_str_eq(r.groups[b->gid].values[0], "B");
    ck_assert_int_eq(a->n, 5);
    ck_assert_int_eq(a->positives, 3);
    ck_assert_uint_eq(a->nroc, 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_double_eq_tol(a->roc_fpr[i], afx[i], 1e-15);
        ck_assert_double_eq_tol(a->roc_tpr[i], aty[i], 1e-15);
    }
    ck_assert_uint_eq(b->nroc, 3);
    ck_assert_double_eq(b->roc_fpr[1], 0.5);
    ck_assert_double_eq(b->roc_tpr[1], 1);
    ck_assert_double_eq(c[0].cal_lo, 0);
    ck_assert_double_eq(c[0].cal_hi, 1);
    ck_assert_int_eq(a->cal_n[9], 1);
    ck_assert_int_eq(a->cal_n[2], 1);
    ck_assert_int_eq(
        a->cal_n[0] + a->cal_n[1] + a->cal_n[3] + a->cal_n[4] + a->cal_n[5], 0);
    ck_assert_int_eq(b->cal_n[5], 3);
    ck_assert_double_eq_tol(b->cal_score[5], 0.5, 1e-15);
    ck_assert_double_eq_tol(b->cal_rate[5], 2.0 / 3, 1e-15);
    ck_assert_int_eq(b->cal_n[1], 1);
    ck_assert_double_eq(b->cal_rate[1], 0);
    ck_assert_uint_eq(c[0].nthresh, 101);
    ck_assert_double_eq_tol(c[0].thresh[0], 0.1, 1e-15);
    ck_assert_double_eq_tol(c[0].thresh[100], 0.9, 1e-15);
    ck_assert_double_eq_tol(c[0].thresh[60], 0.58, 1e-12);
    ck_assert_double_eq(a->sel[60], 0.8);
    ck_assert_double_eq(a->tpr[60], 1);
    ck_assert_double_eq(b->sel[60], 0);
    ck_assert_double_eq(b->tpr[60], 0);
    ck_assert_double_eq(a->sel[0], 1);
    ck_assert_double_eq(b->sel[0], 1);
    ck_assert_int_eq(c[0].has_chosen, 0);
    fa_score_curves_free(c, 1);
    fa_results_release(&r);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

/* The area under a group's ROC points (trapezoids, ties one half). */
static double
area(const fa_curve_group *g)
{
    double a = 0;

    for (size_t i = 1; i < g->nroc; i++)
        a += (g->roc_fpr[i] - g->roc_fpr[i - 1]) *
             (g->roc_tpr[i] + g->roc_tpr[i - 1]) / 2;
    return a;
}

/* In a weighted run the curves carry the weights: the area under each
 * group's ROC points is the run's weighted AUC (computed apart, from the
 * ranks), and the sweep's lowest threshold selects all the weight. */
START_TEST(weighted_roc_is_the_auc)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    fa_results r;
    fa_score_curves *c;
    char *text = fa_xstrdup("g,y,p,s,w\n");

    for (int i = 0; i < 300; i++) {
        char *t = fa_xasprintf(
            "%s%c,%d,%d,%.3f,%g\n", text, "AB"[i % 2], (i * 7) % 3 == 0,
            i % 4 == 0, (double)((i * 37) % 101) / 100.0, 1 + (double)(i % 5));

        free(text);
        text = t;
    }
    load(text, 1, ctx, &st, &r, &c);
    free(text);
    for (size_t k = 0; k < c[0].ngroups; k++) {
        const fa_curve_group *g = &c[0].g[k];
        const fa_value *auc = &r.groups[g->gid].m[FA_METRIC_AUC];

        ck_assert_ptr_null(auc->reason);
        ck_assert_uint_gt(g->nroc, 2);
        ck_assert_double_eq_tol(area(g), auc->value, 1e-12);
        ck_assert_double_eq_tol(g->sel[0], 1, 1e-15);
    }
    fa_score_curves_free(c, 1);
    fa_results_release(&r);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

Suite *
curves_suite(void)
{
    Suite *s = suite_create("curves");
    TCase *tc = tcase_create("curves");

    tcase_add_test(tc, curves_by_hand);
    tcase_add_test(tc, weighted_roc_is_the_auc);
    suite_add_tcase(s, tc);
    return s;
}
