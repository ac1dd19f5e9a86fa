/* test_run.c — fa_run end to end: ingest, run, load, results.json. */

/*
 * Every expected number was worked out from the definitions (run.h,
 * results.h, confusion.h, scores.h, disparity.h), never from the code:
 * the small fixture by hand, with the arithmetic beside each value, and a
 * generated data set by naive loops over its rows.
 */

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ingest.h"
#include "results.h"
#include "results_json.h"
#include "run.h"
#include "store.h"
#include "tests.h"
#include "util.h"

#define TOL 1e-12
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define Q(a, b) ((double)(a) / (double)(b))

/* Reasons, spelled once. */
#define R_EMPTY "empty group"
#define R_NAP "no actual positives"
#define R_NAN "no actual negatives"
#define R_NPP "no predicted positives"
#define R_NPN "no predicted negatives"
#define R_NAOPP "no actual or predicted positives"
#define R_NLC "no label column"
#define R_UNIT "scores outside [0,1]"
#define R_GRP "group value undefined"
#define R_REF "reference value undefined"
#define R_REF0 "reference value is 0"

#define SMALL_CSV FA_FIXTURES "/run/small.csv"

/* ---- per-test state -------------------------------------------------- */

static fa_ctx *ctx;
static fa_store *st;
static char tmpdir[64];

static void
setup(void)
{
    ctx = fa_ctx_new();
    st = NULL;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, &st), FA_OK);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/fa_test_run_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Removes the files of tmpdir (it has no sub-folders), then the folder. */
static void
teardown(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;

    fa_store_close(st);
    st = NULL;
    fa_ctx_free(ctx);
    ctx = NULL;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char *p;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        p = fa_xasprintf("%s/%s", tmpdir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(tmpdir);
}

/* ---- helpers --------------------------------------------------------- */

static int
close_enough(double got, double want)
{
    return fabs(got - want) <= TOL * fmax(1.0, fabs(want));
}

static int
same_value(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static void
check_defined(const fa_value *v, double want, const char *what)
{
    ck_assert_msg(v->reason == NULL, "%s: undefined, want %.17g", what, want);
    ck_assert_msg(close_enough(v->value, want), "%s: got %.17g, want %.17g",
                  what, v->value, want);
}

/* reason NULL: any reason. */
static void
check_undefined(const fa_value *v, const char *reason, const char *what)
{
    ck_assert_msg(v->reason != NULL, "%s: defined (%.17g), want undefined",
                  what, v->value);
    if (reason != NULL)
        ck_assert_msg(strcmp(v->reason, reason) == 0,
                      "%s: reason \"%s\", want \"%s\"", what, v->reason,
                      reason);
}

/* A group's name for messages: "overall", "sex=M", "sex=,race=B". */
static const char *
group_name(const fa_results *r, const fa_group *g, char *buf, size_t size)
{
    const fa_group_set *gs = &r->sets[g->set];
    size_t used = 0;

    buf[0] = '\0';
    if (gs->ndims == 0)
        snprintf(buf, size, "overall");
    for (size_t k = 0; k < gs->ndims && used < size; k++) {
        int w = snprintf(buf + used, size - used, "%s%s=%s", k ? "," : "",
                         r->ds.dims[gs->dims[k]].name,
                         g->values[k] ? g->values[k] : "");

        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

/* The group of set whose values are v0 (and v1 for a pair); NULL is the
 * missing value. Fails the test when there is none. */
static const fa_group *
find_group(const fa_results *r, int set, const char *v0, const char *v1)
{
    const char *want[2] = {v0, v1};

    ck_assert_int_lt(set, (int)r->nsets);
    ck_assert_uint_le(r->sets[set].ndims, 2);
    for (size_t i = 0; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];
        size_t k, nd = r->sets[set].ndims;

        if (g->set != set)
            continue;
        for (k = 0; k < nd; k++)
            if (!same_value(g->values[k], want[k]))
                break;
        if (k == nd)
            return g;
    }
    ck_abort_msg("set %d has no group (%s, %s)", set, v0 ? v0 : "(missing)",
                 v1 ? v1 : "(missing)");
    return NULL;
}

static int64_t
ingest_opts(fa_store *s, const struct fa_ingest_opts *o, int64_t rows)
{
    struct fa_ingest_result res;
    fa_err e;

    memset(&res, 0, sizeof(res));
    e = fa_ingest(ctx, s, o, &res);
    ck_assert_msg(e == FA_OK, "ingest %s: %s", o->path, fa_ctx_msg(ctx));
    ck_assert_int_eq(res.rows_rejected, 0);
    ck_assert_int_eq(res.rows_loaded, rows);
    ck_assert_int_gt(res.dataset_id, 0);
    return res.dataset_id;
}

/* The small fixture with label, score and weight columns as given (NULL
 * for none); pred is always "pred". */
static int64_t
ingest_small(const char *label, const char *score, const char *weight)
{
    static const char *const attrs[] = {"sex", "race"};
    static const char *const segs[] = {"region"};
    struct fa_ingest_opts o;

    memset(&o, 0, sizeof(o));
    o.path = SMALL_CSV;
    o.label = label;
    o.pred = "pred";
    o.score = score;
    o.weight = weight;
    o.attrs = attrs;
    o.nattrs = COUNT_OF(attrs);
    o.segments = segs;
    o.nsegments = COUNT_OF(segs);
    o.max_rejects = 1000;
    return ingest_opts(st, &o, 14);
}

/* Run options: dataset, reference and version; every other field zero
 * (its default). */
static struct fa_run_opts
run_opts(int64_t ds, const char *reference)
{
    struct fa_run_opts ro;

    memset(&ro, 0, sizeof(ro));
    ro.dataset_id = ds;
    ro.reference = reference;
    ro.tool_version = "test";
    return ro;
}

static int64_t
run_only(fa_store *s, int64_t ds, const char *reference)
{
    struct fa_run_opts ro = run_opts(ds, reference);
    int64_t run_id = 0;
    fa_err e = fa_run(ctx, s, &ro, &run_id);

    ck_assert_msg(e == FA_OK, "run (%s): %s", reference, fa_ctx_msg(ctx));
    ck_assert_int_gt(run_id, 0);
    return run_id;
}

static void
run_load(fa_store *s, int64_t ds, const char *reference, fa_results *r)
{
    int64_t run_id = run_only(s, ds, reference);
    fa_err e = fa_store_run_load(ctx, s, run_id, r);

    ck_assert_msg(e == FA_OK, "run load: %s", fa_ctx_msg(ctx));
    ck_assert_int_eq(r->run_id, run_id);
    ck_assert_str_eq(r->reference, reference);
}

/* ---- the small fixture ------------------------------------------------
 *
 * fixtures/run/small.csv; attributes sex, race; segment region; label,
 * pred, score; weight column w. "-" is an empty sex field (missing).
 *
 *   #  sex race reg  y p  score   w     cell
 *   1  F   A    N    1 1  0.9     1.5   tp
 *   2  F   A    S    0 1  0.6     0.5   fp
 *   3  F   A    N    1 0  0.4     2     fn
 *   4  F   B    S    0 0  0.4     1     tn
 *   5  F   B    N    1 1  0.8     0.25  tp
 *   6  F   C    S    0 0  0.2     1.25  tn
 *   7  M   A    N    0 1  0.3     0.75  fp
 *   8  M   A    S    1 1  0.7     1     tp
 *   9  M   B    N    1 1  0.6     2.5   tp
 *  10  M   B    S    0 1  0.6     0.5   fp
 *  11  M   B    N    0 1  0.1     2.5   fp
 *  12  -   C    N    0 0  0.5     7.5   tn
 *  13  -   A    S    1 0  0.5     0.5   fn
 *  14  F   C    N    0 0  0.5     0.75  tn
 *
 * Sets: 0 overall; 1 sex; 2 race; 3 sex x race; 4 region. Levels in byte
 * order, missing last: sex F, M, -; race A, B, C; region N, S. In the
 * intersection sex varies fastest: FA MA -A FB MB -B FC MC -C, where
 * -B (no row has an empty sex and race B) and MC are empty.
 */

typedef struct count_row {
    int set;
    const char *v0, *v1;
    int64_t n, tp, fp, tn, fn;    /* rows */
    double w, wtp, wfp, wtn, wfn; /* weights */
} count_row;

static const count_row small_counts[] = {
    /* all: tp 1,5,8,9  fp 2,7,10,11  tn 4,6,12,14  fn 3,13.
     * w: tp 1.5+.25+1+2.5 = 5.25; fp .5+.75+.5+2.5 = 4.25;
     * tn 1+1.25+7.5+.75 = 10.5; fn 2+.5 = 2.5; total 22.5 */
    {0, NULL, NULL, 14, 4, 4, 4, 2, 22.5, 5.25, 4.25, 10.5, 2.5},
    /* F rows 1-6,14: tp 1,5 fp 2 tn 4,6,14 fn 3.
     * w tp 1.75, fp .5, tn 1+1.25+.75 = 3, fn 2; total 7.25 */
    {1, "F", NULL, 7, 2, 1, 3, 1, 7.25, 1.75, 0.5, 3.0, 2.0},
    /* M rows 7-11: tp 8,9 fp 7,10,11. w tp 3.5, fp 3.75; total 7.25 */
    {1, "M", NULL, 5, 2, 3, 0, 0, 7.25, 3.5, 3.75, 0.0, 0.0},
    /* - rows 12,13: tn 12 (7.5), fn 13 (.5); total 8 */
    {1, NULL, NULL, 2, 0, 0, 1, 1, 8.0, 0.0, 0.0, 7.5, 0.5},
    /* A rows 1,2,3,7,8,13: tp 1,8 fp 2,7 fn 3,13.
     * w tp 2.5, fp 1.25, fn 2.5; total 6.25 */
    {2, "A", NULL, 6, 2, 2, 0, 2, 6.25, 2.5, 1.25, 0.0, 2.5},
    /* B rows 4,5,9,10,11: tp 5,9 fp 10,11 tn 4.
     * w tp 2.75, fp 3, tn 1; total 6.75 */
    {2, "B", NULL, 5, 2, 2, 1, 0, 6.75, 2.75, 3.0, 1.0, 0.0},
    /* C rows 6,12,14: all tn; w 1.25+7.5+.75 = 9.5 */
    {2, "C", NULL, 3, 0, 0, 3, 0, 9.5, 0.0, 0.0, 9.5, 0.0},
    /* FA rows 1,2,3: tp fp fn; w 1.5 .5 2 */
    {3, "F", "A", 3, 1, 1, 0, 1, 4.0, 1.5, 0.5, 0.0, 2.0},
    /* MA rows 7,8: fp tp; w .75 1 */
    {3, "M", "A", 2, 1, 1, 0, 0, 1.75, 1.0, 0.75, 0.0, 0.0},
    /* -A row 13: fn .5 */
    {3, NULL, "A", 1, 0, 0, 0, 1, 0.5, 0.0, 0.0, 0.0, 0.5},
    /* FB rows 4,5: tn tp; w 1 .25 */
    {3, "F", "B", 2, 1, 0, 1, 0, 1.25, 0.25, 0.0, 1.0, 0.0},
    /* MB rows 9,10,11: tp fp fp; w 2.5, .5+2.5 */
    {3, "M", "B", 3, 1, 2, 0, 0, 5.5, 2.5, 3.0, 0.0, 0.0},
    /* -B: no rows */
    {3, NULL, "B", 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0},
    /* FC rows 6,14: tn tn; w 1.25+.75 */
    {3, "F", "C", 2, 0, 0, 2, 0, 2.0, 0.0, 0.0, 2.0, 0.0},
    /* MC: no rows */
    {3, "M", "C", 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0},
    /* -C row 12: tn 7.5 */
    {3, NULL, "C", 1, 0, 0, 1, 0, 7.5, 0.0, 0.0, 7.5, 0.0},
    /* N rows 1,3,5,7,9,11,12,14: tp 1,5,9 fp 7,11 tn 12,14 fn 3.
     * w tp 1.5+.25+2.5 = 4.25, fp .75+2.5 = 3.25, tn 7.5+.75 = 8.25,
     * fn 2; total 17.75 */
    {4, "N", NULL, 8, 3, 2, 2, 1, 17.75, 4.25, 3.25, 8.25, 2.0},
    /* S rows 2,4,6,8,10,13: tp 8 fp 2,10 tn 4,6 fn 13.
     * w tp 1, fp .5+.5, tn 1+1.25, fn .5; total 4.75 */
    {4, "S", NULL, 6, 1, 2, 2, 1, 4.75, 1.0, 1.0, 2.25, 0.5},
};

START_TEST(small_structure)
{
    /* gid order: set, then values as laid out above */
    static const struct {
        int set;
        const char *v0, *v1;
    } order[] = {
        {0, NULL, NULL}, {1, "F", NULL}, {1, "M", NULL}, {1, NULL, NULL},
        {2, "A", NULL},  {2, "B", NULL}, {2, "C", NULL}, {3, "F", "A"},
        {3, "M", "A"},   {3, NULL, "A"}, {3, "F", "B"},  {3, "M", "B"},
        {3, NULL, "B"},  {3, "F", "C"},  {3, "M", "C"},  {3, NULL, "C"},
        {4, "N", NULL},  {4, "S", NULL},
    };
    static const struct {
        enum fa_set_kind kind;
        size_t ndims;
        int d0, d1;
    } sets[] = {
        {FA_SET_OVERALL, 0, -1, -1},  {FA_SET_ATTRIBUTE, 1, 0, -1},
        {FA_SET_ATTRIBUTE, 1, 1, -1}, {FA_SET_INTERSECTION, 2, 0, 1},
        {FA_SET_SEGMENT, 1, 2, -1},
    };
    fa_results r;
    int64_t ds = ingest_small("label", "score", NULL);

    run_load(st, ds, "largest", &r);
    ck_assert_int_eq(r.ds.id, ds);
    ck_assert_int_eq(r.ds.rows_loaded, 14);
    ck_assert_int_eq(r.ds.labelled, 1);
    ck_assert_int_eq(r.ds.scored, 1);
    ck_assert_int_eq(r.ds.weighted, 0);
    ck_assert_uint_eq(r.ds.ndims, 3);
    ck_assert_uint_eq(r.ds.nattrs, 2);
    ck_assert_str_eq(r.ds.dims[0].name, "sex");
    ck_assert_str_eq(r.ds.dims[1].name, "race");
    ck_assert_str_eq(r.ds.dims[2].name, "region");
    ck_assert_int_eq(r.ds.dims[2].kind, FA_DIM_SEGMENT);
    ck_assert_uint_eq(r.nsets, COUNT_OF(sets));
    for (size_t i = 0; i < COUNT_OF(sets); i++) {
        const fa_group_set *gs = &r.sets[i];

        ck_assert_int_eq(gs->id, (int)i);
        ck_assert_int_eq(gs->kind, sets[i].kind);
        ck_assert_uint_eq(gs->ndims, sets[i].ndims);
        if (gs->ndims > 0)
            ck_assert_int_eq(gs->dims[0], sets[i].d0);
        if (gs->ndims > 1)
            ck_assert_int_eq(gs->dims[1], sets[i].d1);
        ck_assert_int_eq(gs->empty_omitted, 0);
    }
    ck_assert_uint_eq(r.ngroups, COUNT_OF(order));
    for (size_t i = 0; i < COUNT_OF(order); i++) {
        const fa_group *g = &r.groups[i];
        const char *want[2] = {order[i].v0, order[i].v1};

        ck_assert_int_eq(g->gid, (int64_t)i);
        ck_assert_int_eq(g->set, order[i].set);
        for (size_t k = 0; k < r.sets[g->set].ndims; k++)
            ck_assert_msg(same_value(g->values[k], want[k]),
                          "group %zu value %zu: got \"%s\", want \"%s\"", i, k,
                          g->values[k] ? g->values[k] : "(missing)",
                          want[k] ? want[k] : "(missing)");
    }
    /* the missing groups really are NULL, not "" */
    ck_assert_ptr_null(r.groups[3].values[0]);
    ck_assert_ptr_null(r.groups[9].values[0]);
    ck_assert_str_eq(r.groups[9].values[1], "A");
    ck_assert_int_eq(r.groups[0].ref_gid, -1);
    fa_results_release(&r);
}
END_TEST

/* _i 0: unweighted, 1: weighted by w. */
START_TEST(small_counts_table)
{
    fa_results r;
    int weighted = _i;
    int64_t ds = ingest_small("label", "score", weighted ? "w" : NULL);
    char buf[64];

    run_load(st, ds, "largest", &r);
    ck_assert_int_eq(r.ds.weighted, weighted);
    for (size_t i = 0; i < COUNT_OF(small_counts); i++) {
        const count_row *c = &small_counts[i];
        const fa_group *g = find_group(&r, c->set, c->v0, c->v1);
        const char *nm = group_name(&r, g, buf, sizeof(buf));
        double w = weighted ? c->w : (double)c->n;
        double wt[4] = {c->wtp, c->wfp, c->wtn, c->wfn};
        double got[4] = {g->w.tp, g->w.fp, g->w.tn, g->w.fn};
        int64_t rows[4] = {c->tp, c->fp, c->tn, c->fn};

        ck_assert_msg(g->n == c->n, "%s: n %lld, want %lld", nm,
                      (long long)g->n, (long long)c->n);
        ck_assert_msg(close_enough(g->weight, w), "%s: weight %.17g, want %g",
                      nm, g->weight, w);
        for (int k = 0; k < 4; k++) {
            double want = weighted ? wt[k] : (double)rows[k];

            ck_assert_msg(g->rows[k] == rows[k],
                          "%s: rows[%d] %lld, want "
                          "%lld",
                          nm, k, (long long)g->rows[k], (long long)rows[k]);
            ck_assert_msg(close_enough(got[k], want),
                          "%s: count %d %.17g, want %g", nm, k, got[k], want);
        }
    }
    fa_results_release(&r);
}
END_TEST

/* Expected metric: defined with value v, or undefined with reason. */
typedef struct mexp {
    int def;
    double v;
    const char *reason;
} mexp;

#define D(x)                                                                   \
    {                                                                          \
        1, (x), NULL                                                           \
    }
#define U(r)                                                                   \
    {                                                                          \
        0, 0.0, (r)                                                            \
    }

typedef struct metric_row {
    int weighted;
    int set;
    const char *v0, *v1;
    mexp m[FA_METRIC_COUNT]; /* in fa_metric order */
} metric_row;

/*
 * Columns: base_rate selection_rate accuracy balanced_accuracy tpr fpr tnr
 * fnr ppv npv fdr for f1 auc brier mean_score.
 */
static const metric_row small_metrics[] = {
    /* unweighted overall: tp 4 fp 4 tn 4 fn 2, N 14.
     * base 6/14, sel 8/14, acc 8/14, tpr 4/6, fpr 4/8, tnr 4/8, fnr 2/6,
     * bal (2/3 + 1/2)/2 = 7/12, ppv 4/8, npv 4/6, fdr 4/8, for 2/6,
     * f1 8/(8+4+2) = 4/7.
     * auc: positives .9 .4 .8 .7 .6 .5; negatives .1 .2 .3 .4 .5 .5 .6 .6
     * .9, .8, .7 beat all 8; .6 beats 6, ties 2 -> 7; .5 beats 4, ties 2
     * -> 5; .4 beats 3, ties 1 -> 3.5. (24 + 7 + 5 + 3.5) / 48 = 79/96.
     * brier: (s - y)^2 = .01 .36 .36 .16 .04 .04 .09 .09 .16 .36 .01 .25
     * .25 .25, sum 2.43, / 14 = 243/1400.
     * mean: scores sum 7.1, / 14 = 71/140 */
    {0,
     0,
     NULL,
     NULL,
     {D(Q(3, 7)), D(Q(4, 7)), D(Q(4, 7)), D(Q(7, 12)), D(Q(2, 3)), D(Q(1, 2)),
      D(Q(1, 2)), D(Q(1, 3)), D(Q(1, 2)), D(Q(2, 3)), D(Q(1, 2)), D(Q(1, 3)),
      D(Q(4, 7)), D(Q(79, 96)), D(Q(243, 1400)), D(Q(71, 140))}},
    /* unweighted M: tp 2 fp 3 tn 0 fn 0, N 5: no predicted negatives.
     * base 2/5, sel 5/5, acc 2/5, tpr 2/2, fpr 3/3, tnr 0/3, fnr 0/2,
     * bal (1 + 0)/2, ppv 2/5, npv 0/0, fdr 3/5, for 0/0, f1 4/(4+3) = 4/7.
     * auc: pos .7 .6, neg .3 .6 .1: .7 beats 3, .6 beats 2 ties 1 ->
     * 5.5 / 6 = 11/12. brier .09+.09+.16+.36+.01 = .71, / 5 = 71/500.
     * mean 2.3 / 5 = 23/50 */
    {0,
     1,
     "M",
     NULL,
     {D(Q(2, 5)), D(1.0), D(Q(2, 5)), D(0.5), D(1.0), D(1.0), D(0.0), D(0.0),
      D(Q(2, 5)), U(R_NPN), D(Q(3, 5)), U(R_NPN), D(Q(4, 7)), D(Q(11, 12)),
      D(Q(71, 500)), D(Q(23, 50))}},
    /* unweighted C: tn 3 only: no actual positives.
     * base 0/3, sel 0/3, acc 3/3, tpr 0/0, fpr 0/3, tnr 3/3, fnr 0/0,
     * bal (tpr undefined), ppv 0/0, npv 3/3, fdr 0/0, for 0/3,
     * f1 0/(0+0+0), auc (no positive). brier .04+.25+.25 = .54, / 3 =
     * 9/50. mean (.2+.5+.5)/3 = 2/5 */
    {0,
     2,
     "C",
     NULL,
     {D(0.0), D(0.0), D(1.0), U(R_NAP), U(R_NAP), D(0.0), D(1.0), U(R_NAP),
      U(R_NPP), D(1.0), U(R_NPP), D(0.0), U(R_NAOPP), U(R_NAP), D(Q(9, 50)),
      D(Q(2, 5))}},
    /* unweighted (-, A): row 13 alone, fn: no actual negatives.
     * base 1/1, sel 0/1, acc 0/1, tpr 0/1, fpr 0/0, tnr 0/0, fnr 1/1,
     * bal (tnr undefined), ppv 0/0, npv 0/1, fdr 0/0, for 1/1,
     * f1 0/(0+0+1), auc (no negative), brier .5^2 = 1/4, mean 1/2 */
    {0,
     3,
     NULL,
     "A",
     {D(1.0), D(0.0), D(0.0), U(R_NAN), D(0.0), U(R_NAN), U(R_NAN), D(1.0),
      U(R_NPP), D(0.0), U(R_NPP), D(1.0), D(0.0), U(R_NAN), D(0.25), D(0.5)}},
    /* unweighted S: tp 1 fp 2 tn 2 fn 1, N 6.
     * base 2/6, sel 3/6, acc 3/6, tpr 1/2, fpr 2/4, tnr 2/4, fnr 1/2,
     * bal 1/2, ppv 1/3, npv 2/3, fdr 2/3, for 1/3, f1 2/(2+2+1) = 2/5.
     * auc: pos .7 .5, neg .6 .4 .2 .6: .7 beats 4, .5 beats 2 -> 6/8.
     * brier .36+.16+.04+.09+.36+.25 = 1.26, / 6 = 21/100.
     * mean (.6+.4+.2+.7+.6+.5)/6 = 1/2 */
    {0,
     4,
     "S",
     NULL,
     {D(Q(1, 3)), D(0.5), D(0.5), D(0.5), D(0.5), D(0.5), D(0.5), D(0.5),
      D(Q(1, 3)), D(Q(2, 3)), D(Q(2, 3)), D(Q(1, 3)), D(Q(2, 5)), D(Q(3, 4)),
      D(Q(21, 100)), D(0.5)}},
    /* weighted overall: tp 21/4 fp 17/4 tn 21/2 fn 5/2, W 45/2.
     * base (21/4+5/2)/(45/2) = 31/90; sel (21/4+17/4)/(45/2) = 19/45;
     * acc (21/4+21/2)/(45/2) = 7/10; tpr (21/4)/(31/4) = 21/31;
     * fpr (17/4)/(59/4) = 17/59; tnr 42/59; fnr 10/31;
     * bal (21/31 + 42/59)/2 = (1239 + 1302)/3658 = 2541/3658;
     * ppv (21/4)/(38/4) = 21/38; npv (21/2)/13 = 21/26; fdr 17/38;
     * for (5/2)/13 = 5/26; f1 (21/2)/(21/2+17/4+5/2) = 42/69 = 14/23.
     * auc: positives (score, w) .9 1.5, .8 .25, .7 1, .6 2.5, .5 .5,
     * .4 2 (W+ 7.75); negative weight by score .1 2.5, .2 1.25, .3 .75,
     * .4 1, .5 8.25, .6 1 (W- 14.75).
     * .9: 1.5 x 14.75 = 22.125; .8: .25 x 14.75 = 3.6875; .7: 14.75;
     * .6: 2.5 x (13.75 + 1/2) = 35.625; .5: .5 x (5.5 + 8.25/2) =
     * 4.8125; .4: 2 x (4.5 + 1/2) = 10. Sum 91, / (7.75 x 14.75 =
     * 114.3125) = 1456/1829.
     * brier: w(s-y)^2 = .015 .18 .72 .16 .01 .05 .0675 .09 .4 .18 .025
     * 1.875 .125 .1875, sum 4.085, / 22.5 = 817/4500.
     * mean: ws sum 10.65, / 22.5 = 71/150 */
    {1,
     0,
     NULL,
     NULL,
     {D(Q(31, 90)), D(Q(19, 45)), D(Q(7, 10)), D(Q(2541, 3658)), D(Q(21, 31)),
      D(Q(17, 59)), D(Q(42, 59)), D(Q(10, 31)), D(Q(21, 38)), D(Q(21, 26)),
      D(Q(17, 38)), D(Q(5, 26)), D(Q(14, 23)), D(Q(1456, 1829)),
      D(Q(817, 4500)), D(Q(71, 150))}},
    /* weighted F: tp 7/4 fp 1/2 tn 3 fn 2, W 29/4.
     * base (15/4)/(29/4) = 15/29; sel (9/4)/(29/4) = 9/29;
     * acc (19/4)/(29/4) = 19/29; tpr (7/4)/(15/4) = 7/15; fpr .5/3.5 =
     * 1/7; tnr 6/7; fnr 8/15; bal (7/15 + 6/7)/2 = 139/210; ppv
     * (7/4)/(9/4) = 7/9; npv 3/5; fdr 2/9; for 2/5;
     * f1 3.5/(3.5+.5+2) = 7/12.
     * auc: pos .9 1.5, .4 2, .8 .25; neg .6 .5, .4 1, .2 1.25, .5 .75
     * (W- 3.5). .9: 1.5 x 3.5 = 5.25; .8: .25 x 3.5 = .875;
     * .4: 2 x (1.25 + 1/2) = 3.5. 9.625 / (3.75 x 3.5) = 11/15.
     * brier (.015+.18+.72+.16+.01+.05+.1875) = 1.3225, / 7.25 =
     * 529/2900. mean (1.35+.3+.8+.4+.2+.25+.375) = 3.675, / 7.25 =
     * 147/290 */
    {1,
     1,
     "F",
     NULL,
     {D(Q(15, 29)), D(Q(9, 29)), D(Q(19, 29)), D(Q(139, 210)), D(Q(7, 15)),
      D(Q(1, 7)), D(Q(6, 7)), D(Q(8, 15)), D(Q(7, 9)), D(Q(3, 5)), D(Q(2, 9)),
      D(Q(2, 5)), D(Q(7, 12)), D(Q(11, 15)), D(Q(529, 2900)), D(Q(147, 290))}},
    /* weighted -: tn 7.5 (row 12), fn .5 (row 13), W 8.
     * base .5/8 = 1/16, sel 0, acc 7.5/8 = 15/16, tpr 0/.5, fpr 0/7.5,
     * tnr 1, fnr 1, bal 1/2, ppv 0/0, npv 7.5/8, fdr 0/0, for .5/8,
     * f1 0/(0+0+.5). auc: the positive (.5, w .5) ties the negative
     * (.5, w 7.5): .5 x 7.5 x 1/2 / (.5 x 7.5) = 1/2.
     * brier (7.5 + .5) x .25 / 8 = 1/4, mean 1/2 */
    {1,
     1,
     NULL,
     NULL,
     {D(Q(1, 16)), D(0.0), D(Q(15, 16)), D(0.5), D(0.0), D(0.0), D(1.0), D(1.0),
      U(R_NPP), D(Q(15, 16)), U(R_NPP), D(Q(1, 16)), D(0.0), D(0.5), D(0.25),
      D(0.5)}},
    /* weighted C: tn 9.5; brier 1.25 x .04 + 7.5 x .25 + .75 x .25 =
     * 2.1125, / 9.5 = 169/760; mean (.25 + 3.75 + .375)/9.5 = 35/76 */
    {1,
     2,
     "C",
     NULL,
     {D(0.0), D(0.0), D(1.0), U(R_NAP), U(R_NAP), D(0.0), D(1.0), U(R_NAP),
      U(R_NPP), D(1.0), U(R_NPP), D(0.0), U(R_NAOPP), U(R_NAP), D(Q(169, 760)),
      D(Q(35, 76))}},
};

static void
check_metric_row(const fa_results *r, const metric_row *row)
{
    const fa_group *g = find_group(r, row->set, row->v0, row->v1);
    char buf[64], what[96];

    group_name(r, g, buf, sizeof(buf));
    for (int k = 0; k < FA_METRIC_COUNT; k++) {
        snprintf(what, sizeof(what), "%s%s %s", row->weighted ? "w " : "", buf,
                 fa_metric_name((fa_metric)k));
        if (row->m[k].def)
            check_defined(&g->m[k], row->m[k].v, what);
        else
            check_undefined(&g->m[k], row->m[k].reason, what);
    }
}

START_TEST(small_metrics_table)
{
    fa_results r;
    int weighted = _i;
    int64_t ds = ingest_small("label", "score", weighted ? "w" : NULL);
    int seen = 0;

    run_load(st, ds, "largest", &r);
    for (size_t i = 0; i < COUNT_OF(small_metrics); i++)
        if (small_metrics[i].weighted == weighted) {
            check_metric_row(&r, &small_metrics[i]);
            seen++;
        }
    ck_assert_int_ge(seen, 3);
    fa_results_release(&r);
}
END_TEST

START_TEST(small_value_parts)
{
    /* unweighted sex M: selection_rate (2 + 3)/5, tpr 2/(2 + 0);
     * weighted overall: selection_rate 9.5/22.5, tpr 5.25/7.75 */
    fa_results r;
    const fa_group *g;
    int64_t ds = ingest_small("label", "score", NULL);

    run_load(st, ds, "largest", &r);
    g = find_group(&r, 1, "M", NULL);
    ck_assert_int_eq(g->m[FA_METRIC_SELECTION_RATE].has_parts, 1);
    ck_assert_double_eq_tol(g->m[FA_METRIC_SELECTION_RATE].num, 5.0, TOL);
    ck_assert_double_eq_tol(g->m[FA_METRIC_SELECTION_RATE].den, 5.0, TOL);
    ck_assert_int_eq(g->m[FA_METRIC_TPR].has_parts, 1);
    ck_assert_double_eq_tol(g->m[FA_METRIC_TPR].num, 2.0, TOL);
    ck_assert_double_eq_tol(g->m[FA_METRIC_TPR].den, 2.0, TOL);
    fa_results_release(&r);

    ds = ingest_small("label", "score", "w");
    run_load(st, ds, "largest", &r);
    g = &r.groups[0];
    ck_assert_int_eq(g->m[FA_METRIC_SELECTION_RATE].has_parts, 1);
    ck_assert_double_eq_tol(g->m[FA_METRIC_SELECTION_RATE].num, 9.5, TOL);
    ck_assert_double_eq_tol(g->m[FA_METRIC_SELECTION_RATE].den, 22.5, TOL);
    ck_assert_double_eq_tol(g->m[FA_METRIC_TPR].num, 5.25, TOL);
    ck_assert_double_eq_tol(g->m[FA_METRIC_TPR].den, 7.75, TOL);
    fa_results_release(&r);
}
END_TEST

/* The empty intersections (-, B) and (M, C): listed, n 0, weight 0, no
 * counts, every metric undefined because the group is empty (not for want
 * of positives), no disparity against the reference. */
START_TEST(small_empty_groups)
{
    static const struct {
        const char *v0, *v1;
    } empty[] = {{NULL, "B"}, {"M", "C"}};
    fa_results r;
    int weighted = _i;
    int64_t ds = ingest_small("label", "score", weighted ? "w" : NULL);
    char what[64];

    run_load(st, ds, "largest", &r);
    for (size_t i = 0; i < COUNT_OF(empty); i++) {
        const fa_group *g = find_group(&r, 3, empty[i].v0, empty[i].v1);

        ck_assert_int_eq(g->n, 0);
        ck_assert_double_eq_tol(g->weight, 0.0, TOL);
        ck_assert_double_eq_tol(g->w.tp + g->w.fp + g->w.tn + g->w.fn, 0.0,
                                TOL);
        for (int k = 0; k < 4; k++)
            ck_assert_int_eq(g->rows[k], 0);
        for (int k = 0; k < FA_METRIC_COUNT; k++) {
            snprintf(what, sizeof(what), "empty %zu %s", i,
                     fa_metric_name((fa_metric)k));
            check_undefined(&g->m[k], R_EMPTY, what);
            if (fa_metric_has_disparity((fa_metric)k)) {
                check_undefined(&g->ratio[k], R_GRP, what);
                check_undefined(&g->diff[k], R_GRP, what);
            }
        }
    }
    fa_results_release(&r);
}
END_TEST

/* ---- references and disparities ------------------------------------- */

typedef struct disp_row {
    int set;
    const char *v0, *v1;
    fa_metric m;
    mexp ratio, diff;
} disp_row;

typedef struct ref_case {
    const char *policy;
    int weighted;
    /* the reference of sets 1-4, as (v0, v1) */
    const char *ref[4][2];
    const disp_row *disp;
    size_t ndisp;
} ref_case;

/*
 * largest, unweighted: sex F (7 rows; M 5, - excluded); race A (6; B 5,
 * C 3); sex x race FA (3 rows) over MB (3 rows, the tie goes to the first
 * in output order); region N (8; S 6).
 * tpr: F 2/3, M 1, - 0; A 1/2, B 1, C undefined; FA 1/2, MB 1; N 3/4,
 * S 1/2. selection_rate: F 3/7, M 1, - 0; A 2/3, B 4/5, C 0; FA 2/3,
 * MB 1; N 5/8, S 1/2.
 */
static const disp_row disp_largest[] = {
    {1, "F", NULL, FA_METRIC_TPR, D(1.0), D(0.0)},
    {1, "F", NULL, FA_METRIC_SELECTION_RATE, D(1.0), D(0.0)},
    /* M: 1 / (2/3) = 3/2, 1 - 2/3 = 1/3; 1 / (3/7) = 7/3, 1 - 3/7 */
    {1, "M", NULL, FA_METRIC_TPR, D(1.5), D(Q(1, 3))},
    {1, "M", NULL, FA_METRIC_SELECTION_RATE, D(Q(7, 3)), D(Q(4, 7))},
    /* -: 0 / (2/3) = 0, 0 - 2/3; 0 / (3/7), 0 - 3/7 */
    {1, NULL, NULL, FA_METRIC_TPR, D(0.0), D(-Q(2, 3))},
    {1, NULL, NULL, FA_METRIC_SELECTION_RATE, D(0.0), D(-Q(3, 7))},
    /* B: 1 / (1/2) = 2, 1/2; (4/5) / (2/3) = 6/5, 4/5 - 2/3 = 2/15 */
    {2, "B", NULL, FA_METRIC_TPR, D(2.0), D(0.5)},
    {2, "B", NULL, FA_METRIC_SELECTION_RATE, D(1.2), D(Q(2, 15))},
    /* C: tpr undefined in the group; 0 / (2/3), 0 - 2/3 */
    {2, "C", NULL, FA_METRIC_TPR, U(R_GRP), U(R_GRP)},
    {2, "C", NULL, FA_METRIC_SELECTION_RATE, D(0.0), D(-Q(2, 3))},
    /* MB against FA: 1 / (1/2) = 2, 1/2; 1 / (2/3) = 3/2, 1/3 */
    {3, "M", "B", FA_METRIC_TPR, D(2.0), D(0.5)},
    {3, "M", "B", FA_METRIC_SELECTION_RATE, D(1.5), D(Q(1, 3))},
    /* S against N: (1/2)/(3/4) = 2/3, -1/4; (1/2)/(5/8) = 4/5, -1/8 */
    {4, "S", NULL, FA_METRIC_TPR, D(Q(2, 3)), D(-0.25)},
    {4, "S", NULL, FA_METRIC_SELECTION_RATE, D(0.8), D(-0.125)},
};

/*
 * largest, weighted: sex F (7.25 ties M 7.25 and goes to F, first; -
 * weighs 8 but is missing); race C (9.5; B 6.75, A 6.25); sex x race MB
 * (5.5; -C weighs 7.5 but is missing); region N (17.75).
 * tpr: F 7/15, M 1; A 1/2, C undefined; FA 3/7, MB 1.
 * selection_rate: F 9/29, M 1; A 3/5, C 0; FA 1/2, MB 1.
 */
static const disp_row disp_largest_w[] = {
    /* M: 1 / (7/15) = 15/7, 8/15; 1 / (9/29) = 29/9, 20/29 */
    {1, "M", NULL, FA_METRIC_TPR, D(Q(15, 7)), D(Q(8, 15))},
    {1, "M", NULL, FA_METRIC_SELECTION_RATE, D(Q(29, 9)), D(Q(20, 29))},
    /* A against C: tpr of C undefined; selection of C is 0 */
    {2, "A", NULL, FA_METRIC_TPR, U(R_REF), U(R_REF)},
    {2, "A", NULL, FA_METRIC_SELECTION_RATE, U(R_REF0), D(0.6)},
    /* FA against MB: (3/7)/1, 3/7 - 1; (1/2)/1, 1/2 - 1 */
    {3, "F", "A", FA_METRIC_TPR, D(Q(3, 7)), D(-Q(4, 7))},
    {3, "F", "A", FA_METRIC_SELECTION_RATE, D(0.5), D(-0.5)},
};

/*
 * best, unweighted: the highest selection rate. sex M (1; F 3/7, - 0);
 * race B (4/5; A 2/3, C 0); sex x race MB: MA and MB both select 1, MB
 * weighs more (3 rows against 2) though MA comes first; region N (5/8
 * over 1/2).
 */
static const disp_row disp_best[] = {
    /* F against M: (3/7)/1, 3/7 - 1; tpr (2/3)/1, 2/3 - 1 */
    {1, "F", NULL, FA_METRIC_SELECTION_RATE, D(Q(3, 7)), D(-Q(4, 7))},
    {1, "F", NULL, FA_METRIC_TPR, D(Q(2, 3)), D(-Q(1, 3))},
    /* MA against MB: 1/1, 0 */
    {3, "M", "A", FA_METRIC_SELECTION_RATE, D(1.0), D(0.0)},
};

/*
 * overall, unweighted: every set against the whole population:
 * selection 4/7, tpr 2/3, fpr 1/2.
 */
static const disp_row disp_overall[] = {
    /* M: 1 / (4/7) = 7/4, 3/7; 1 / (2/3) = 3/2, 1/3 */
    {1, "M", NULL, FA_METRIC_SELECTION_RATE, D(1.75), D(Q(3, 7))},
    {1, "M", NULL, FA_METRIC_TPR, D(1.5), D(Q(1, 3))},
    /* C: 0 / (4/7), -4/7; fpr 0 / (1/2), -1/2 */
    {2, "C", NULL, FA_METRIC_SELECTION_RATE, D(0.0), D(-Q(4, 7))},
    {2, "C", NULL, FA_METRIC_FPR, D(0.0), D(-0.5)},
    /* S: (1/2)/(4/7) = 7/8, 1/2 - 4/7 = -1/14 */
    {4, "S", NULL, FA_METRIC_SELECTION_RATE, D(Q(7, 8)), D(-Q(1, 14))},
};

/*
 * race=B: sets with race choose among race B; the others take the
 * largest. sex F; race B; sex x race among FB (2), MB (3), -B (empty,
 * missing): MB; region N.
 */
static const disp_row disp_race_b[] = {
    /* A against B: (2/3)/(4/5) = 5/6, 2/3 - 4/5 = -2/15 */
    {2, "A", NULL, FA_METRIC_SELECTION_RATE, D(Q(5, 6)), D(-Q(2, 15))},
    /* FB against MB: tpr 1/1, 0; selection (1/2)/1, -1/2 */
    {3, "F", "B", FA_METRIC_TPR, D(1.0), D(0.0)},
    {3, "F", "B", FA_METRIC_SELECTION_RATE, D(0.5), D(-0.5)},
};

/* sex=M,race=A: sex M; race A; sex x race MA; region N. */
static const disp_row disp_m_a[] = {
    /* F against M: (3/7)/1 */
    {1, "F", NULL, FA_METRIC_SELECTION_RATE, D(Q(3, 7)), D(-Q(4, 7))},
    /* FA against MA: tpr (1/2)/1, -1/2; selection (2/3)/1, -1/3 */
    {3, "F", "A", FA_METRIC_TPR, D(0.5), D(-0.5)},
    {3, "F", "A", FA_METRIC_SELECTION_RATE, D(Q(2, 3)), D(-Q(1, 3))},
};

/* region=S: a segment named; region S, the rest as for largest. */
static const disp_row disp_region_s[] = {
    /* N against S: (5/8)/(1/2) = 5/4, 1/8; tpr (3/4)/(1/2) = 3/2, 1/4 */
    {4, "N", NULL, FA_METRIC_SELECTION_RATE, D(1.25), D(0.125)},
    {4, "N", NULL, FA_METRIC_TPR, D(1.5), D(0.25)},
};

#define RC(d) (d), COUNT_OF(d)

static const ref_case ref_cases[] = {
    {"largest",
     0,
     {{"F", 0}, {"A", 0}, {"F", "A"}, {"N", 0}},
     RC(disp_largest)},
    {"largest",
     1,
     {{"F", 0}, {"C", 0}, {"M", "B"}, {"N", 0}},
     RC(disp_largest_w)},
    {"best", 0, {{"M", 0}, {"B", 0}, {"M", "B"}, {"N", 0}}, RC(disp_best)},
    {"overall", 0, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}, RC(disp_overall)},
    {"race=B", 0, {{"F", 0}, {"B", 0}, {"M", "B"}, {"N", 0}}, RC(disp_race_b)},
    {"sex=M,race=A",
     0,
     {{"M", 0}, {"A", 0}, {"M", "A"}, {"N", 0}},
     RC(disp_m_a)},
    {"region=S",
     0,
     {{"F", 0}, {"A", 0}, {"F", "A"}, {"S", 0}},
     RC(disp_region_s)},
};

START_TEST(small_reference)
{
    const ref_case *rc = &ref_cases[_i];
    int overall = strcmp(rc->policy, "overall") == 0;
    fa_results r;
    int64_t ds = ingest_small("label", "score", rc->weighted ? "w" : NULL);
    char buf[64], what[128];

    run_load(st, ds, rc->policy, &r);
    ck_assert_uint_eq(r.nsets, 5);
    for (int s = 1; s <= 4; s++) {
        int64_t want =
            overall
                ? 0
                : find_group(&r, s, rc->ref[s - 1][0], rc->ref[s - 1][1])->gid;

        ck_assert_msg(r.sets[s].ref_gid == want,
                      "%s: set %d reference %lld, want %lld", rc->policy, s,
                      (long long)r.sets[s].ref_gid, (long long)want);
        for (size_t i = 0; i < r.ngroups; i++) {
            const fa_group *g = &r.groups[i];

            if (g->set != s)
                continue;
            ck_assert_int_eq(g->ref_gid, want);
            if (g->gid != want)
                continue;
            /* the reference against itself: ratio 1 when its value is
             * defined and not 0, difference 0 when defined */
            for (int k = 0; k < FA_METRIC_COUNT; k++) {
                if (!fa_metric_has_disparity((fa_metric)k) || g->m[k].reason)
                    continue;
                snprintf(what, sizeof(what), "%s self %s", rc->policy,
                         fa_metric_name((fa_metric)k));
                check_defined(&g->diff[k], 0.0, what);
                if (g->m[k].value != 0.0)
                    check_defined(&g->ratio[k], 1.0, what);
            }
        }
    }
    for (size_t i = 0; i < rc->ndisp; i++) {
        const disp_row *d = &rc->disp[i];
        const fa_group *g = find_group(&r, d->set, d->v0, d->v1);

        group_name(&r, g, buf, sizeof(buf));
        snprintf(what, sizeof(what), "%s%s %s %s ratio", rc->policy,
                 rc->weighted ? " (weighted)" : "", buf, fa_metric_name(d->m));
        if (d->ratio.def)
            check_defined(&g->ratio[d->m], d->ratio.v, what);
        else
            check_undefined(&g->ratio[d->m], d->ratio.reason, what);
        snprintf(what, sizeof(what), "%s%s %s %s difference", rc->policy,
                 rc->weighted ? " (weighted)" : "", buf, fa_metric_name(d->m));
        if (d->diff.def)
            check_defined(&g->diff[d->m], d->diff.v, what);
        else
            check_undefined(&g->diff[d->m], d->diff.reason, what);
    }
    fa_results_release(&r);
}
END_TEST

START_TEST(reference_unknown)
{
    static const char *const bad[] = {
        "age=30",       /* no such column */
        "race=Z",       /* no such value */
        "sex=F,race=Z", /* one good pair, one bad value */
        "sex=F,size=L", /* one good pair, one bad column */
    };
    int64_t ds = ingest_small("label", "score", NULL);
    int64_t latest = -1;

    for (size_t i = 0; i < COUNT_OF(bad); i++) {
        struct fa_run_opts ro = run_opts(ds, bad[i]);
        int64_t run_id = 0;

        ck_assert_int_eq(fa_run_check_reference(ctx, bad[i]), FA_OK);
        fa_ctx_clear(ctx);
        ck_assert_msg(fa_run(ctx, st, &ro, &run_id) == FA_ERR_USAGE,
                      "%s: %d (%s)", bad[i], (int)fa_ctx_err(ctx),
                      fa_ctx_msg(ctx));
        ck_assert_int_eq(fa_ctx_err(ctx), FA_ERR_USAGE);
        ck_assert_int_gt((int)strlen(fa_ctx_msg(ctx)), 0);
        fa_ctx_clear(ctx);
    }
    /* nothing was saved, and the store still runs */
    ck_assert_int_eq(fa_store_run_latest(ctx, st, &latest), FA_OK);
    ck_assert_int_eq(latest, 0);
    ck_assert_int_gt(run_only(st, ds, "sex=F"), 0);
}
END_TEST

START_TEST(reference_forms)
{
    static const char *const good[] = {
        "largest", "best", "overall", "sex=F", "sex=F,race=A",
    };

    for (size_t i = 0; i < COUNT_OF(good); i++)
        ck_assert_msg(fa_run_check_reference(ctx, good[i]) == FA_OK, "%s: %s",
                      good[i], fa_ctx_msg(ctx));
    ck_assert_int_eq(fa_run_check_reference(ctx, "nonsense"), FA_ERR_USAGE);
}
END_TEST

/* ---- aggregates ------------------------------------------------------- */

typedef struct agg_row {
    int weighted;
    int set;
    mexp a[FA_AGG_COUNT]; /* in fa_aggregate order */
} agg_row;

/* Columns: demographic parity difference, ratio; equalized odds
 * difference, ratio; equal opportunity difference, ratio. */
static const agg_row small_aggs[] = {
    /* unweighted region: selection N 5/8, S 1/2 -> 1/8, 4/5;
     * tpr 3/4, 1/2 -> 1/4, 2/3; fpr 1/2, 1/2 -> 0, 1;
     * eq. odds max(1/4, 0) = 1/4, min(2/3, 1) = 2/3 */
    {0, 4, {D(0.125), D(0.8), D(0.25), D(Q(2, 3)), D(0.25), D(Q(2, 3))}},
    /* unweighted race: selection 2/3, 4/5, 0 -> 4/5, 0;
     * tpr 1/2, 1 (C undefined, left out) -> 1/2, 1/2;
     * fpr 1, 2/3, 0 -> 1, 0; eq. odds max(1/2, 1) = 1, min(1/2, 0) = 0 */
    {0, 2, {D(0.8), D(0.0), D(1.0), D(0.0), D(0.5), D(0.5)}},
    /* unweighted sex x race, over the 7 non-empty groups:
     * selection FA 2/3, MA 1, -A 0, FB 1/2, MB 1, FC 0, -C 0 -> 1, 0;
     * tpr FA 1/2, MA 1, -A 0, FB 1, MB 1 -> 1, 0;
     * fpr FA 1, MA 1, FB 0, MB 1, FC 0, -C 0 -> 1, 0 */
    {0, 3, {D(1.0), D(0.0), D(1.0), D(0.0), D(1.0), D(0.0)}},
    /* the population alone: one group, no gap to measure (the reason
     * is not part of the contract) */
    {0, 0, {U(NULL), U(NULL), U(NULL), U(NULL), U(NULL), U(NULL)}},
    /* weighted region: selection N 30/71, S 8/19:
     * 30/71 - 8/19 = (570 - 568)/1349 = 2/1349; (8/19)/(30/71) =
     * 568/570 = 284/285. tpr N 17/25, S 2/3: 1/75, 50/51.
     * fpr N 13/46, S 4/13: 4/13 - 13/46 = (184 - 169)/598 = 15/598,
     * (13/46)/(4/13) = 169/184. eq. odds max(1/75, 15/598) = 15/598
     * (.0133 < .0251), min(50/51, 169/184) = 169/184 (.980 > .918) */
    {1,
     4,
     {D(Q(2, 1349)), D(Q(284, 285)), D(Q(15, 598)), D(Q(169, 184)), D(Q(1, 75)),
      D(Q(50, 51))}},
    /* weighted sex: selection F 9/29, M 1, - 0 -> 1, 0;
     * tpr F 7/15, M 1, - 0 -> 1, 0; fpr F 1/7, M 1, - 0 -> 1, 0 */
    {1, 1, {D(1.0), D(0.0), D(1.0), D(0.0), D(1.0), D(0.0)}},
    /* weighted race: selection A 3/5, B 23/27, C 0 -> 23/27, 0;
     * tpr A 1/2, B 1 -> 1/2, 1/2; fpr A 1, B 3/4, C 0 -> 1, 0 */
    {1, 2, {D(Q(23, 27)), D(0.0), D(1.0), D(0.0), D(0.5), D(0.5)}},
};

START_TEST(small_aggregates)
{
    fa_results r;
    int weighted = _i;
    int64_t ds = ingest_small("label", "score", weighted ? "w" : NULL);
    char what[96];

    run_load(st, ds, "largest", &r);
    for (size_t i = 0; i < COUNT_OF(small_aggs); i++) {
        const agg_row *a = &small_aggs[i];

        if (a->weighted != weighted)
            continue;
        for (int k = 0; k < FA_AGG_COUNT; k++) {
            snprintf(what, sizeof(what), "%sset %d %s", weighted ? "w " : "",
                     a->set, fa_aggregate_name((fa_aggregate)k));
            if (a->a[k].def)
                check_defined(&r.sets[a->set].agg[k], a->a[k].v, what);
            else
                check_undefined(&r.sets[a->set].agg[k], a->a[k].reason, what);
        }
    }
    fa_results_release(&r);
}
END_TEST

/* ---- label-free, score-only ------------------------------------------ */

static const fa_metric label_metrics[] = {
    FA_METRIC_BASE_RATE, FA_METRIC_ACCURACY, FA_METRIC_BALANCED_ACCURACY,
    FA_METRIC_TPR,       FA_METRIC_FPR,      FA_METRIC_TNR,
    FA_METRIC_FNR,       FA_METRIC_PPV,      FA_METRIC_NPV,
    FA_METRIC_FDR,       FA_METRIC_FOR,      FA_METRIC_F1,
};

START_TEST(label_free_with_score)
{
    /* No label: selection is all there is (and the score's mean).
     * Overall: predicted positives rows 1,2,5,7,8,9,10,11 = 8 of 14;
     * scores sum 7.1 -> mean 71/140. M: 5 of 5 predicted; F 3 of 7.
     * M against F (largest): 1 / (3/7) = 7/3, 1 - 3/7 = 4/7.
     * region: N 5/8, S 3/6 -> difference 1/8, ratio 4/5. */
    fa_results r;
    const fa_group *g;
    char what[64];
    int64_t ds = ingest_small(NULL, "score", NULL);

    run_load(st, ds, "largest", &r);
    ck_assert_int_eq(r.ds.labelled, 0);
    ck_assert_int_eq(r.ds.scored, 1);
    g = &r.groups[0];
    check_defined(&g->m[FA_METRIC_SELECTION_RATE], Q(4, 7), "sel");
    ck_assert_double_eq_tol(g->m[FA_METRIC_SELECTION_RATE].num, 8.0, TOL);
    ck_assert_double_eq_tol(g->m[FA_METRIC_SELECTION_RATE].den, 14.0, TOL);
    ck_assert_double_eq_tol(g->w.tp + g->w.fp, 8.0, TOL);
    ck_assert_double_eq_tol(g->w.tn + g->w.fn, 6.0, TOL);
    check_defined(&g->m[FA_METRIC_MEAN_SCORE], Q(71, 140), "mean_score");
    check_undefined(&g->m[FA_METRIC_AUC], R_NLC, "auc");
    check_undefined(&g->m[FA_METRIC_BRIER], R_NLC, "brier");
    for (size_t i = 0; i < r.ngroups; i++)
        for (size_t k = 0; k < COUNT_OF(label_metrics); k++) {
            snprintf(what, sizeof(what), "group %zu %s", i,
                     fa_metric_name(label_metrics[k]));
            check_undefined(&r.groups[i].m[label_metrics[k]], R_NLC, what);
        }
    g = find_group(&r, 1, "M", NULL);
    check_defined(&g->m[FA_METRIC_SELECTION_RATE], 1.0, "M sel");
    check_defined(&g->ratio[FA_METRIC_SELECTION_RATE], Q(7, 3), "M ratio");
    check_defined(&g->diff[FA_METRIC_SELECTION_RATE], Q(4, 7), "M diff");
    check_undefined(&g->ratio[FA_METRIC_TPR], NULL, "M tpr ratio");
    check_undefined(&g->diff[FA_METRIC_TPR], NULL, "M tpr diff");
    check_defined(&r.sets[4].agg[FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE], 0.125,
                  "dp diff");
    check_defined(&r.sets[4].agg[FA_AGG_DEMOGRAPHIC_PARITY_RATIO], 0.8,
                  "dp ratio");
    /* no tpr or fpr anywhere: no odds or opportunity gap (the reason is
     * not part of the contract) */
    for (int k = FA_AGG_EQUALIZED_ODDS_DIFFERENCE; k < FA_AGG_COUNT; k++)
        check_undefined(&r.sets[4].agg[k], NULL,
                        fa_aggregate_name((fa_aggregate)k));
    fa_results_release(&r);
}
END_TEST

START_TEST(label_free_no_score)
{
    fa_results r;
    const fa_group *g;
    int64_t ds = ingest_small(NULL, NULL, NULL);

    run_load(st, ds, "largest", &r);
    ck_assert_int_eq(r.ds.labelled, 0);
    ck_assert_int_eq(r.ds.scored, 0);
    g = find_group(&r, 2, "B", NULL);
    /* B: predicted rows 5,9,10,11 of 4,5,9,10,11 */
    check_defined(&g->m[FA_METRIC_SELECTION_RATE], 0.8, "B sel");
    check_undefined(&g->m[FA_METRIC_TPR], R_NLC, "B tpr");
    check_undefined(&g->m[FA_METRIC_AUC], NULL, "B auc");
    check_undefined(&g->m[FA_METRIC_BRIER], NULL, "B brier");
    check_undefined(&g->m[FA_METRIC_MEAN_SCORE], NULL, "B mean");
    fa_results_release(&r);
}
END_TEST

START_TEST(labelled_no_score)
{
    /* label but no score: the confusion metrics stay, the score ones go */
    fa_results r;
    const fa_group *g;
    int64_t ds = ingest_small("label", NULL, NULL);

    run_load(st, ds, "largest", &r);
    ck_assert_int_eq(r.ds.scored, 0);
    g = &r.groups[0];
    check_defined(&g->m[FA_METRIC_TPR], Q(2, 3), "tpr");
    check_undefined(&g->m[FA_METRIC_AUC], NULL, "auc");
    check_undefined(&g->m[FA_METRIC_BRIER], NULL, "brier");
    check_undefined(&g->m[FA_METRIC_MEAN_SCORE], NULL, "mean");
    fa_results_release(&r);
}
END_TEST

/* One score outside [0, 1] anywhere makes the Brier score undefined in
 * every group; AUC and the mean do not care. */
START_TEST(brier_outside_unit)
{
    static const char *const attrs[] = {"g"};
    /* a: (1.5, y 1), (.2, y 0); b: (.7, y 1), (.9, y 0).
     * mean a (1.5 + .2)/2 = .85, b (.7 + .9)/2 = .8, all 3.3/4 = .825.
     * auc a 1 (1.5 > .2), b 0 (.7 < .9), all: 1.5 beats 2, .7 beats 1
     * -> 3/4 */
    static const char csv[] = "g,label,pred,score\n"
                              "a,1,1,1.5\n"
                              "a,0,0,0.2\n"
                              "b,1,1,0.7\n"
                              "b,0,1,0.9\n";
    static const struct {
        const char *v;
        double mean, auc;
    } want[] = {{NULL, 0.825, 0.75}, {"a", 0.85, 1.0}, {"b", 0.8, 0.0}};
    struct fa_ingest_opts o;
    fa_results r;
    char *path = fa_xasprintf("%s/unit.csv", tmpdir);
    FILE *f = fopen(path, "w");
    int64_t ds;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq((int)fwrite(csv, 1, sizeof(csv) - 1, f),
                     (int)sizeof(csv) - 1);
    ck_assert_int_eq(fclose(f), 0);
    memset(&o, 0, sizeof(o));
    o.path = path;
    o.label = "label";
    o.pred = "pred";
    o.score = "score";
    o.attrs = attrs;
    o.nattrs = 1;
    o.max_rejects = 1000;
    ds = ingest_opts(st, &o, 4);
    free(path);
    run_load(st, ds, "largest", &r);
    ck_assert_uint_eq(r.nsets, 2);
    ck_assert_uint_eq(r.ngroups, 3);
    for (size_t i = 0; i < COUNT_OF(want); i++) {
        const fa_group *g =
            i == 0 ? &r.groups[0] : find_group(&r, 1, want[i].v, NULL);

        check_undefined(&g->m[FA_METRIC_BRIER], R_UNIT, "brier");
        check_defined(&g->m[FA_METRIC_MEAN_SCORE], want[i].mean, "mean");
        check_defined(&g->m[FA_METRIC_AUC], want[i].auc, "auc");
    }
    fa_results_release(&r);
}
END_TEST

/* ---- the listing limit of intersections -------------------------------
 *
 * Row i has u = u(i mod nu), v = v(7i mod 100), both zero-padded so byte
 * order is numeric order; 300 rows show every level of both. _i 0: nu
 * 100, 100 x 100 = 10000 combinations, at the limit: all listed, empty
 * ones included. Rows i and i + 100 share a combination, so 100 occur.
 * _i 1: nu 101, 10100 combinations, over the limit: only the ones that
 * occur are listed (i = j mod 101 and mod 100 means i = j: all 300 rows
 * are distinct combinations), and 10100 - 300 = 9800 are omitted.
 */
START_TEST(intersection_limit)
{
    static const char *const attrs[] = {"u", "v"};
    size_t nu = _i ? 101 : 100, nv = 100, nrows = 300, listed = 0;
    int64_t *count = fa_xcalloc(nu * nv, sizeof(int64_t));
    char *path = fa_xasprintf("%s/limit.csv", tmpdir);
    FILE *f = fopen(path, "w");
    struct fa_ingest_opts o;
    fa_results r;
    int64_t ds, occurring = 0;

    ck_assert_ptr_nonnull(f);
    fputs("u,v,label,pred\n", f);
    for (size_t i = 0; i < nrows; i++) {
        size_t u = i % nu, v = (7 * i) % nv;

        occurring += count[v * nu + u]++ == 0;
        fprintf(f, "u%03zu,v%03zu,%zu,%d\n", u, v, i % 2, i % 3 == 0);
    }
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(occurring, _i ? 300 : 100);
    memset(&o, 0, sizeof(o));
    o.path = path;
    o.label = "label";
    o.pred = "pred";
    o.attrs = attrs;
    o.nattrs = 2;
    o.max_rejects = 1000;
    ds = ingest_opts(st, &o, (int64_t)nrows);
    run_load(st, ds, "largest", &r);
    ck_assert_uint_eq(r.nsets, 4);
    ck_assert_int_eq(r.sets[3].kind, FA_SET_INTERSECTION);
    ck_assert_int_eq(r.sets[3].empty_omitted,
                     _i ? (int64_t)(nu * nv) - occurring : 0);
    /* the listed groups, u varying fastest, with their row counts */
    for (size_t i = 0, want = 0; i < r.ngroups; i++) {
        const fa_group *g = &r.groups[i];
        char eu[8], evv[8];

        if (g->set != 3)
            continue;
        if (_i)
            while (want < nu * nv && count[want] == 0)
                want++;
        ck_assert_uint_lt(want, nu * nv);
        snprintf(eu, sizeof(eu), "u%03zu", want % nu);
        snprintf(evv, sizeof(evv), "v%03zu", want / nu);
        ck_assert_msg(g->values[0] && strcmp(g->values[0], eu) == 0 &&
                          g->values[1] && strcmp(g->values[1], evv) == 0,
                      "intersection group %zu: (%s, %s), want (%s, %s)", listed,
                      g->values[0] ? g->values[0] : "(missing)",
                      g->values[1] ? g->values[1] : "(missing)", eu, evv);
        ck_assert_int_eq(g->n, count[want]);
        want++;
        listed++;
    }
    ck_assert_uint_eq(listed, _i ? 300 : 10000);
    ck_assert_uint_eq(r.ngroups, 1 + nu + nv + listed);
    fa_results_release(&r);
    free(count);
    free(path);
}
END_TEST

/* ---- results.json ----------------------------------------------------- */

/* Fails on a real that is not finite, counts the numbers seen. */
static void
json_check_finite(const json_t *j, int *numbers)
{
    const char *key;
    json_t *v;
    size_t i;

    if (json_is_real(j)) {
        ck_assert_msg(isfinite(json_real_value(j)), "non-finite number");
        (*numbers)++;
    } else if (json_is_integer(j)) {
        (*numbers)++;
    } else if (json_is_object(j)) {
        json_object_foreach((json_t *)j, key, v) json_check_finite(v, numbers);
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) json_check_finite(v, numbers);
    }
}

static double
json_num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_number(v), "\"%s\" is not a number", key);
    return json_number_value(v);
}

/* The entry of "groups" whose attributes are exactly {k0: v0[, k1: v1]};
 * a NULL value means JSON null. */
static const json_t *
json_group(const json_t *root, const char *k0, const char *v0, const char *k1,
           const char *v1)
{
    const json_t *groups = json_object_get(root, "groups");
    const char *keys[2] = {k0, k1};
    const char *vals[2] = {v0, v1};
    size_t nk = k1 ? 2 : 1;

    ck_assert(json_is_array(groups));
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const json_t *g = json_array_get(groups, i);
        const json_t *a = json_object_get(g, "attributes");
        size_t k;

        if (!json_is_object(a) || json_object_size(a) != nk)
            continue;
        for (k = 0; k < nk; k++) {
            const json_t *x = json_object_get(a, keys[k]);

            if (x == NULL)
                break;
            if (vals[k] == NULL
                    ? !json_is_null(x)
                    : !json_is_string(x) ||
                          strcmp(json_string_value(x), vals[k]) != 0)
                break;
        }
        if (k == nk)
            return g;
    }
    ck_abort_msg("no group %s=%s %s=%s", k0, v0 ? v0 : "null", k1 ? k1 : "",
                 v1 ? v1 : "");
    return NULL;
}

/* Every metric object has "value" (a number, or null with a "reason"). */
static void
json_check_metrics(const json_t *g)
{
    const json_t *m = json_object_get(g, "metrics");

    ck_assert(json_is_object(m));
    for (int k = 0; k < FA_METRIC_COUNT; k++) {
        const char *name = fa_metric_name((fa_metric)k);
        const json_t *x = json_object_get(m, name);
        const json_t *v = json_object_get(x, "value");

        ck_assert_msg(v != NULL, "metric %s has no value", name);
        if (json_is_null(v))
            ck_assert_msg(json_is_string(json_object_get(x, "reason")),
                          "undefined %s has no reason", name);
        else
            ck_assert_msg(json_is_number(v), "%s is not a number", name);
    }
}

static json_t *
write_and_load_json(int64_t run_id)
{
    char *path = fa_xasprintf("%s/results.json", tmpdir);
    json_error_t jerr;
    json_t *root;
    fa_err e = fa_results_json_write(ctx, st, run_id, path);

    ck_assert_msg(e == FA_OK, "json write: %s", fa_ctx_msg(ctx));
    root = json_load_file(path, 0, &jerr);
    free(path);
    ck_assert_msg(root != NULL, "results.json: %s (line %d)", jerr.text,
                  jerr.line);
    return root;
}

START_TEST(json_contract)
{
    static const char *const agg_attrs[][2] = {
        {"sex", NULL},
        {"race", NULL},
        {"sex", "race"},
        {"region", NULL},
    };
    int64_t ds = ingest_small("label", "score", "w");
    int64_t run_id = run_only(st, ds, "largest");
    json_t *root = write_and_load_json(run_id);
    const json_t *o, *g, *x, *aggs, *groups;
    int numbers = 0;

    ck_assert_str_eq(json_string_value(json_object_get(root, "schema")),
                     "fairaudit.results/1");
    ck_assert_str_eq(FA_RESULTS_SCHEMA, "fairaudit.results/1");

    /* overall selection: 9.5 / 22.5 = 19/45 (weighted) */
    o = json_object_get(root, "overall");
    ck_assert(json_is_object(o));
    x = json_object_get(json_object_get(o, "metrics"), "selection_rate");
    ck_assert(json_is_object(x));
    ck_assert_double_eq_tol(json_num(x, "value"), Q(19, 45), TOL);
    ck_assert_double_eq_tol(json_num(x, "num"), 9.5, TOL);
    ck_assert_double_eq_tol(json_num(x, "den"), 22.5, TOL);
    json_check_metrics(o);

    /* 17 groups besides the population, each with its metrics */
    groups = json_object_get(root, "groups");
    ck_assert(json_is_array(groups));
    ck_assert_uint_eq(json_array_size(groups), 17);
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const json_t *d;
        const char *key;
        json_t *e;

        g = json_array_get(groups, i);
        ck_assert(json_is_object(json_object_get(g, "attributes")));
        json_check_metrics(g);
        d = json_object_get(g, "disparity");
        ck_assert_msg(json_is_object(d), "group %zu has no disparity", i);
        ck_assert_int_gt((int)json_object_size(d), 0);
        json_object_foreach((json_t *)d, key, e)
        {
            ck_assert_msg(json_object_get(e, "ratio") != NULL,
                          "group %zu %s: no ratio", i, key);
            ck_assert_msg(json_object_get(e, "difference") != NULL,
                          "group %zu %s: no difference", i, key);
        }
    }

    /* race C: tpr undefined, null with its reason */
    g = json_group(root, "race", "C", NULL, NULL);
    x = json_object_get(json_object_get(g, "metrics"), "tpr");
    ck_assert(json_is_null(json_object_get(x, "value")));
    ck_assert_str_eq(json_string_value(json_object_get(x, "reason")), R_NAP);

    /* the missing sex group: "sex": null */
    g = json_group(root, "sex", NULL, NULL, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(g, "n")), 2);
    ck_assert_double_eq_tol(json_num(g, "weight"), 8.0, TOL);

    /* sex M against F: selection 29/9 and 20/29; tpr 15/7 and 8/15 */
    g = json_group(root, "sex", "M", NULL, NULL);
    x = json_object_get(json_object_get(g, "disparity"), "selection_rate");
    ck_assert_double_eq_tol(json_num(x, "ratio"), Q(29, 9), TOL);
    ck_assert_double_eq_tol(json_num(x, "difference"), Q(20, 29), TOL);
    x = json_object_get(json_object_get(g, "disparity"), "tpr");
    ck_assert_double_eq_tol(json_num(x, "ratio"), Q(15, 7), TOL);
    ck_assert_double_eq_tol(json_num(x, "difference"), Q(8, 15), TOL);

    /* race A against C, whose tpr is undefined: null ratio */
    g = json_group(root, "race", "A", NULL, NULL);
    x = json_object_get(json_object_get(g, "disparity"), "tpr");
    ck_assert(json_is_null(json_object_get(x, "ratio")));
    ck_assert(json_is_null(json_object_get(x, "difference")));

    /* an intersection: both attributes; (-, B) is empty */
    g = json_group(root, "sex", NULL, "race", "B");
    ck_assert_int_eq(json_integer_value(json_object_get(g, "n")), 0);
    x = json_object_get(json_object_get(g, "metrics"), "selection_rate");
    ck_assert(json_is_null(json_object_get(x, "value")));
    ck_assert_str_eq(json_string_value(json_object_get(x, "reason")), R_EMPTY);

    /* aggregates: one per set after the population, named by attributes */
    aggs = json_object_get(root, "aggregates");
    ck_assert(json_is_array(aggs));
    ck_assert_uint_eq(json_array_size(aggs), COUNT_OF(agg_attrs));
    for (size_t i = 0; i < COUNT_OF(agg_attrs); i++) {
        const json_t *a = json_array_get(aggs, i);
        const json_t *names = json_object_get(a, "attributes");
        size_t n = agg_attrs[i][1] ? 2 : 1;

        ck_assert(json_is_array(names));
        ck_assert_uint_eq(json_array_size(names), n);
        for (size_t k = 0; k < n; k++)
            ck_assert_str_eq(json_string_value(json_array_get(names, k)),
                             agg_attrs[i][k]);
        for (int k = 0; k < FA_AGG_COUNT; k++)
            ck_assert_msg(
                json_object_get(a, fa_aggregate_name((fa_aggregate)k)) != NULL,
                "aggregate %zu has no %s", i,
                fa_aggregate_name((fa_aggregate)k));
    }
    /* region (weighted): 2/1349, 284/285, 15/598, 169/184 */
    x = json_array_get(aggs, 3);
    ck_assert_double_eq_tol(json_num(x, "demographic_parity_difference"),
                            Q(2, 1349), TOL);
    ck_assert_double_eq_tol(json_num(x, "demographic_parity_ratio"),
                            Q(284, 285), TOL);
    ck_assert_double_eq_tol(json_num(x, "equalized_odds_difference"),
                            Q(15, 598), TOL);
    ck_assert_double_eq_tol(json_num(x, "equalized_odds_ratio"), Q(169, 184),
                            TOL);

    /* no number anywhere is NaN or infinite */
    json_check_finite(root, &numbers);
    ck_assert_int_gt(numbers, 100);
    json_decref(root);
}
END_TEST

START_TEST(json_unweighted_counts)
{
    /* unweighted: overall tp 4, fp 4, tn 4, fn 2; selection 8 / 14 */
    int64_t ds = ingest_small("label", "score", NULL);
    json_t *root = write_and_load_json(run_only(st, ds, "largest"));
    const json_t *o = json_object_get(root, "overall");
    const json_t *c = json_object_get(o, "counts");
    const json_t *x;

    ck_assert_int_eq(json_integer_value(json_object_get(c, "tp")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "fp")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "tn")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "fn")), 2);
    x = json_object_get(json_object_get(o, "metrics"), "selection_rate");
    ck_assert_double_eq_tol(json_num(x, "value"), Q(4, 7), TOL);
    ck_assert_double_eq_tol(json_num(x, "num"), 8.0, TOL);
    ck_assert_double_eq_tol(json_num(x, "den"), 14.0, TOL);
    json_decref(root);
}
END_TEST

/* ---- brute force on a generated data set ------------------------------
 *
 * GEN_N rows (GEN_BIG_N in one case) from a fixed LCG: attributes a
 * (x, X, 10, 9 and a few missing), b (lo, mid, hi), c (p, q and a few
 * missing; never q with a = 9, so some combinations are empty) and
 * segment s (s1-s3, a few missing); labels and predictions spelled
 * 1/true/Yes/TRUE and 0/false/no/No; scores k/20 (many ties); weights
 * k/10. Everything the run reports is recomputed from the rows by plain
 * loops; AUC by counting every (positive, negative) pair.
 */

#define GEN_N 3000
#define GEN_BIG_N 40000 /* above this many pairs, AUC by score level */
#define GEN_ND 4        /* a, b, c, s */
#define GEN_MAXLEV 8

typedef struct gen_row {
    const char *v[GEN_ND]; /* NULL: missing */
    int y, p;
    double score, w;
} gen_row;

typedef struct gen_data {
    gen_row *rows;
    size_t n;
    const char *lev[GEN_ND][GEN_MAXLEV]; /* byte order, NULL last */
    size_t nlev[GEN_ND];
} gen_data;

static uint64_t lcg_state;

static unsigned
lcg_next(unsigned n)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((lcg_state >> 33) % n);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *
gen_pick(const char *const *words, unsigned n, unsigned miss_pct)
{
    if (miss_pct > 0 && lcg_next(100) < miss_pct)
        return NULL;
    return words[lcg_next(n)];
}

static void
gen_write(const char *path, gen_data *gd, size_t nrows)
{
    static const char *const va[] = {"x", "X", "10", "9"};
    static const char *const vb[] = {"lo", "mid", "hi"};
    static const char *const vc[] = {"p", "q"};
    static const char *const vs[] = {"s2", "s1", "s3"};
    static const char *const yes[] = {"1", "true", "Yes", "TRUE"};
    static const char *const no[] = {"0", "false", "no", "No"};
    static const double cut[] = {0.45, 0.5, 0.6}; /* by b */
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    memset(gd, 0, sizeof(*gd));
    gd->n = nrows;
    gd->rows = fa_xcalloc(nrows, sizeof(*gd->rows));
    lcg_state = 20240229;
    fputs("row,a,b,c,s,label,pred,score,w\n", f);
    for (size_t i = 0; i < nrows; i++) {
        gen_row *r = &gd->rows[i];
        unsigned bi;
        char sc[16], wt[16];
        const char *ytext, *ptext;

        r->v[0] = gen_pick(va, 4, 3);
        bi = lcg_next(3);
        r->v[1] = vb[bi];
        r->v[2] = gen_pick(vc, 2, 4);
        if (r->v[0] && r->v[2] && strcmp(r->v[0], "9") == 0 &&
            strcmp(r->v[2], "q") == 0)
            r->v[2] = vc[0];
        r->v[3] = gen_pick(vs, 3, 2);
        snprintf(sc, sizeof(sc), "%.2f", lcg_next(21) / 20.0);
        snprintf(wt, sizeof(wt), "%.1f", (1 + lcg_next(40)) / 10.0);
        r->score = strtod(sc, NULL);
        r->w = strtod(wt, NULL);
        r->y = lcg_next(100) < 15 + 70 * r->score;
        if (!r->v[0] || !r->v[2])
            r->p = lcg_next(10) == 0;
        else
            r->p = (r->score >= cut[bi]) != (lcg_next(8) == 0);
        ytext = r->y ? yes[lcg_next(4)] : no[lcg_next(4)];
        ptext = r->p ? yes[lcg_next(4)] : no[lcg_next(4)];
        fprintf(f, "%zu,%s,%s,%s,%s,%s,%s,%s,%s\n", i + 1,
                r->v[0] ? r->v[0] : "", r->v[1], r->v[2] ? r->v[2] : "",
                r->v[3] ? r->v[3] : "", ytext, ptext, sc, wt);
    }
    ck_assert_int_eq(fclose(f), 0);
    /* levels: distinct values in byte order, the missing one last */
    for (int d = 0; d < GEN_ND; d++) {
        size_t n = 0;
        int missing = 0;

        for (size_t i = 0; i < gd->n; i++) {
            const char *v = gd->rows[i].v[d];
            size_t k;

            if (!v) {
                missing = 1;
                continue;
            }
            for (k = 0; k < n; k++)
                if (strcmp(gd->lev[d][k], v) == 0)
                    break;
            if (k == n) {
                ck_assert_uint_lt(n, GEN_MAXLEV - 1);
                gd->lev[d][n++] = v;
            }
        }
        qsort(gd->lev[d], n, sizeof(gd->lev[d][0]), cmp_str);
        if (missing)
            gd->lev[d][n++] = NULL;
        gd->nlev[d] = n;
    }
}

/* The sets fa_run must produce for attributes a, b, c and segment s. */
static const struct {
    enum fa_set_kind kind;
    size_t nd;
    int dims[3];
} gen_sets[] = {
    {FA_SET_OVERALL, 0, {0, 0, 0}},      {FA_SET_ATTRIBUTE, 1, {0, 0, 0}},
    {FA_SET_ATTRIBUTE, 1, {1, 0, 0}},    {FA_SET_ATTRIBUTE, 1, {2, 0, 0}},
    {FA_SET_INTERSECTION, 2, {0, 1, 0}}, {FA_SET_INTERSECTION, 2, {0, 2, 0}},
    {FA_SET_INTERSECTION, 2, {1, 2, 0}}, {FA_SET_INTERSECTION, 3, {0, 1, 2}},
    {FA_SET_SEGMENT, 1, {3, 0, 0}},
};

/* An expected value: defined (def 1) with v; parts 1 when it is the
 * ratio num / den and the run must say so (fa_value.has_parts). */
typedef struct ev {
    int def;
    double v;
    int parts;
    double num, den;
} ev;

#define EV_NONE                                                                \
    {                                                                          \
        0, 0.0, 0, 0.0, 0.0                                                    \
    }

typedef struct exp_group {
    int set;
    const char *val[3];
    int64_t n, rows[4]; /* tp fp tn fn */
    double w, c[4];
    ev m[FA_METRIC_COUNT];
} exp_group;

static ev
ev_q(double num, double den)
{
    ev e = {den != 0.0, den != 0.0 ? num / den : 0.0, 1, num, den};

    return e;
}

/*
 * Neumaier's compensated sum: the expected values then carry far less
 * rounding than the 1e-12 the run is held to, whatever the order of the
 * run's own sums (long double would not do: valgrind computes it with
 * 64 bits).
 */
typedef struct ksum {
    double s, c;
} ksum;

static void
ks_add(ksum *k, double x)
{
    double t = k->s + x;

    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static double
ks_val(const ksum *k)
{
    return k->s + k->c;
}

/* Fills e (set and val already set) from the rows that match. */
static void
exp_fill(const gen_data *gd, exp_group *e, int unit)
{
    size_t nd = gen_sets[e->set].nd;
    double *ps = fa_xcalloc(gd->n, sizeof(double));
    double *pw = fa_xcalloc(gd->n, sizeof(double));
    double *ns = fa_xcalloc(gd->n, sizeof(double));
    double *nw = fa_xcalloc(gd->n, sizeof(double));
    size_t np = 0, nn = 0;
    ksum c[4], w, ws, sq, num, wp, wn;
    double tp, fp, tn, fn, wt;

    memset(c, 0, sizeof(c));
    w = ws = sq = num = wp = wn = c[0];

    for (size_t i = 0; i < gd->n; i++) {
        const gen_row *r = &gd->rows[i];
        size_t k;
        int cell;

        for (k = 0; k < nd; k++)
            if (!same_value(r->v[gen_sets[e->set].dims[k]], e->val[k]))
                break;
        if (k < nd)
            continue;
        cell = r->y ? (r->p ? 0 : 3) : (r->p ? 1 : 2);
        e->n++;
        e->rows[cell]++;
        ks_add(&c[cell], r->w);
        ks_add(&w, r->w);
        ks_add(&ws, r->w * r->score);
        ks_add(&sq, r->w * (r->score - r->y) * (r->score - r->y));
        if (r->y) {
            ks_add(&wp, r->w);
            ps[np] = r->score;
            pw[np++] = r->w;
        } else {
            ks_add(&wn, r->w);
            ns[nn] = r->score;
            nw[nn++] = r->w;
        }
    }
    for (int k = 0; k < 4; k++)
        e->c[k] = ks_val(&c[k]);
    e->w = wt = ks_val(&w);
    tp = e->c[0];
    fp = e->c[1];
    tn = e->c[2];
    fn = e->c[3];
    e->m[FA_METRIC_BASE_RATE] = ev_q(tp + fn, wt);
    e->m[FA_METRIC_SELECTION_RATE] = ev_q(tp + fp, wt);
    e->m[FA_METRIC_ACCURACY] = ev_q(tp + tn, wt);
    e->m[FA_METRIC_TPR] = ev_q(tp, tp + fn);
    e->m[FA_METRIC_FPR] = ev_q(fp, fp + tn);
    e->m[FA_METRIC_TNR] = ev_q(tn, fp + tn);
    e->m[FA_METRIC_FNR] = ev_q(fn, tp + fn);
    e->m[FA_METRIC_PPV] = ev_q(tp, tp + fp);
    e->m[FA_METRIC_NPV] = ev_q(tn, tn + fn);
    e->m[FA_METRIC_FDR] = ev_q(fp, tp + fp);
    e->m[FA_METRIC_FOR] = ev_q(fn, tn + fn);
    e->m[FA_METRIC_F1] = ev_q(2 * tp, 2 * tp + fp + fn);
    e->m[FA_METRIC_BALANCED_ACCURACY].parts = 0;
    e->m[FA_METRIC_BALANCED_ACCURACY].def =
        e->m[FA_METRIC_TPR].def && e->m[FA_METRIC_TNR].def;
    e->m[FA_METRIC_BALANCED_ACCURACY].v =
        (e->m[FA_METRIC_TPR].v + e->m[FA_METRIC_TNR].v) / 2;
    /* AUC: every (positive, negative) pair, each weighing the product of
     * its weights, ties one half; out of W+ x W-, the weight of all pairs.
     * With very many rows, the same pairs counted by score level k/20,
     * the weights of each level summed first. */
    if ((double)np * (double)nn > 4e6) {
        ksum lp[21], ln[21];

        memset(lp, 0, sizeof(lp));
        memset(ln, 0, sizeof(ln));
        for (size_t i = 0; i < np; i++)
            ks_add(&lp[lround(ps[i] * 20)], pw[i]);
        for (size_t j = 0; j < nn; j++)
            ks_add(&ln[lround(ns[j] * 20)], nw[j]);
        np = nn = 21;
        for (size_t i = 0; i < 21; i++) {
            ps[i] = ns[i] = (double)i / 20.0;
            pw[i] = ks_val(&lp[i]);
            nw[i] = ks_val(&ln[i]);
        }
    }
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < nn; j++) {
            if (ps[i] > ns[j])
                ks_add(&num, pw[i] * nw[j]);
            else if (ps[i] == ns[j])
                ks_add(&num, pw[i] * nw[j] / 2);
        }
    e->m[FA_METRIC_AUC] = ev_q(ks_val(&num), ks_val(&wp) * ks_val(&wn));
    e->m[FA_METRIC_AUC].parts = 0; /* its parts are not the contract's */
    e->m[FA_METRIC_BRIER] = ev_q(ks_val(&sq), wt);
    e->m[FA_METRIC_BRIER].def &= unit;
    e->m[FA_METRIC_MEAN_SCORE] = ev_q(ks_val(&ws), wt);
    free(ps);
    free(pw);
    free(ns);
    free(nw);
}

static int
exp_has_missing(const exp_group *e)
{
    for (size_t k = 0; k < gen_sets[e->set].nd; k++)
        if (e->val[k] == NULL)
            return 1;
    return 0;
}

/* The expected reference of the set whose groups are e[first, last). */
static int64_t
exp_reference(const exp_group *e, size_t first, size_t last, const char *policy)
{
    int best = strcmp(policy, "best") == 0;
    int64_t ref = -1;

    if (strcmp(policy, "overall") == 0)
        return 0;
    for (size_t i = first; i < last; i++) {
        const exp_group *c = &e[i];

        if (c->n == 0 || exp_has_missing(c))
            continue;
        if (ref < 0) {
            ref = (int64_t)i;
        } else if (best) {
            double s = c->m[FA_METRIC_SELECTION_RATE].v;
            double rs = e[ref].m[FA_METRIC_SELECTION_RATE].v;

            if (s > rs || (s == rs && c->w > e[ref].w))
                ref = (int64_t)i;
        } else if (c->w > e[ref].w) {
            ref = (int64_t)i;
        }
    }
    /* the data must not leave the choice to rounding */
    for (size_t i = first; ref >= 0 && i < last; i++) {
        const exp_group *c = &e[i];
        double a = best ? c->m[FA_METRIC_SELECTION_RATE].v : c->w;
        double b = best ? e[ref].m[FA_METRIC_SELECTION_RATE].v : e[ref].w;

        if ((int64_t)i == ref || c->n == 0 || exp_has_missing(c))
            continue;
        ck_assert_msg(fabs(a - b) > 1e-9,
                      "generated data: near tie "
                      "for the reference of set %d",
                      c->set);
    }
    return ref;
}

static void
check_ev(const fa_value *got, ev want, const char *what, int set, int64_t gid)
{
    if (!want.def) {
        ck_assert_msg(got->reason != NULL,
                      "set %d group %lld %s: got %.17g, want undefined", set,
                      (long long)gid, what, got->value);
        return;
    }
    ck_assert_msg(got->reason == NULL,
                  "set %d group %lld %s: undefined "
                  "(%s), want %.17g",
                  set, (long long)gid, what, got->reason ? got->reason : "",
                  want.v);
    ck_assert_msg(close_enough(got->value, want.v),
                  "set %d group %lld %s: got %.17g, want %.17g", set,
                  (long long)gid, what, got->value, want.v);
    if (!want.parts)
        return;
    ck_assert_msg(got->has_parts == 1, "set %d group %lld %s: no parts", set,
                  (long long)gid, what);
    ck_assert_msg(
        close_enough(got->num, want.num) && close_enough(got->den, want.den),
        "set %d group %lld %s: parts %.17g / %.17g, want %.17g / "
        "%.17g",
        set, (long long)gid, what, got->num, got->den, want.num, want.den);
}

static ev
agg_diff(const ev *v, size_t n)
{
    ev r = EV_NONE;
    double lo = 0, hi = 0;
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (!v[i].def)
            continue;
        if (k == 0 || v[i].v < lo)
            lo = v[i].v;
        if (k == 0 || v[i].v > hi)
            hi = v[i].v;
        k++;
    }
    if (k >= 2) {
        r.def = 1;
        r.v = hi - lo;
    }
    return r;
}

static ev
agg_ratio(const ev *v, size_t n)
{
    ev r = EV_NONE;
    double lo = 0, hi = 0;
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (!v[i].def)
            continue;
        if (k == 0 || v[i].v < lo)
            lo = v[i].v;
        if (k == 0 || v[i].v > hi)
            hi = v[i].v;
        k++;
    }
    if (k >= 2 && hi != 0.0) {
        r.def = 1;
        r.v = lo / hi;
    }
    return r;
}

/* The aggregates of the set whose groups are e[first, last). */
static void
check_aggregates(const fa_group_set *gs, const exp_group *e, size_t first,
                 size_t last)
{
    size_t n = last - first;
    ev *sel = fa_xcalloc(n, sizeof(ev));
    ev *tpr = fa_xcalloc(n, sizeof(ev));
    ev *fpr = fa_xcalloc(n, sizeof(ev));
    ev want[FA_AGG_COUNT], dt, df, rt, rf, none = EV_NONE;

    for (size_t i = 0; i < n; i++) {
        sel[i] = e[first + i].m[FA_METRIC_SELECTION_RATE];
        tpr[i] = e[first + i].m[FA_METRIC_TPR];
        fpr[i] = e[first + i].m[FA_METRIC_FPR];
    }
    dt = agg_diff(tpr, n);
    df = agg_diff(fpr, n);
    rt = agg_ratio(tpr, n);
    rf = agg_ratio(fpr, n);
    want[FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE] = agg_diff(sel, n);
    want[FA_AGG_DEMOGRAPHIC_PARITY_RATIO] = agg_ratio(sel, n);
    want[FA_AGG_EQUALIZED_ODDS_DIFFERENCE] = none;
    want[FA_AGG_EQUALIZED_ODDS_RATIO] = none;
    want[FA_AGG_EQUALIZED_ODDS_DIFFERENCE].def = dt.def && df.def;
    want[FA_AGG_EQUALIZED_ODDS_DIFFERENCE].v = fmax(dt.v, df.v);
    want[FA_AGG_EQUALIZED_ODDS_RATIO].def = rt.def && rf.def;
    want[FA_AGG_EQUALIZED_ODDS_RATIO].v = fmin(rt.v, rf.v);
    want[FA_AGG_EQUAL_OPPORTUNITY_DIFFERENCE] = dt;
    want[FA_AGG_EQUAL_OPPORTUNITY_RATIO] = rt;
    for (int k = 0; k < FA_AGG_COUNT; k++)
        check_ev(&gs->agg[k], want[k], fa_aggregate_name((fa_aggregate)k),
                 gs->id, -1);
    free(sel);
    free(tpr);
    free(fpr);
}

static void
brute_check(fa_store *s, const char *policy, size_t nrows)
{
    static const char *const attrs[] = {"a", "b", "c"};
    static const char *const segs[] = {"s"};
    static const char *const names[GEN_ND] = {"a", "b", "c", "s"};
    char *path = fa_xasprintf("%s/gen.csv", tmpdir);
    struct fa_ingest_opts o;
    gen_data gd;
    exp_group *e;
    size_t ne = 0, cap = 0, first;
    fa_results r;
    int64_t ds;
    int unit = 1;

    gen_write(path, &gd, nrows);
    memset(&o, 0, sizeof(o));
    o.path = path;
    o.label = "label";
    o.pred = "pred";
    o.score = "score";
    o.weight = "w";
    o.attrs = attrs;
    o.nattrs = COUNT_OF(attrs);
    o.segments = segs;
    o.nsegments = COUNT_OF(segs);
    o.max_rejects = 1000;
    ds = ingest_opts(s, &o, (int64_t)nrows);
    free(path);
    run_load(s, ds, policy, &r);

    /* the expected groups, set by set, the first dim varying fastest */
    for (size_t i = 0; i < gd.n; i++)
        unit &= gd.rows[i].score >= 0.0 && gd.rows[i].score <= 1.0;
    for (size_t si = 0; si < COUNT_OF(gen_sets); si++) {
        size_t total = 1;

        for (size_t k = 0; k < gen_sets[si].nd; k++)
            total *= gd.nlev[gen_sets[si].dims[k]];
        cap += total;
    }
    e = fa_xcalloc(cap, sizeof(*e));
    for (size_t si = 0; si < COUNT_OF(gen_sets); si++) {
        size_t total = 1;

        for (size_t k = 0; k < gen_sets[si].nd; k++)
            total *= gd.nlev[gen_sets[si].dims[k]];
        for (size_t idx = 0; idx < total; idx++) {
            size_t rest = idx;

            e[ne].set = (int)si;
            for (size_t k = 0; k < gen_sets[si].nd; k++) {
                size_t nl = gd.nlev[gen_sets[si].dims[k]];

                e[ne].val[k] = gd.lev[gen_sets[si].dims[k]][rest % nl];
                rest /= nl;
            }
            exp_fill(&gd, &e[ne], unit);
            ne++;
        }
    }
    ck_assert_uint_eq(ne, cap);

    /* structure */
    ck_assert_uint_eq(r.ds.ndims, GEN_ND);
    for (int d = 0; d < GEN_ND; d++)
        ck_assert_str_eq(r.ds.dims[d].name, names[d]);
    ck_assert_uint_eq(r.nsets, COUNT_OF(gen_sets));
    for (size_t si = 0; si < COUNT_OF(gen_sets); si++) {
        ck_assert_int_eq(r.sets[si].kind, gen_sets[si].kind);
        ck_assert_uint_eq(r.sets[si].ndims, gen_sets[si].nd);
        for (size_t k = 0; k < gen_sets[si].nd; k++)
            ck_assert_int_eq(r.sets[si].dims[k], gen_sets[si].dims[k]);
        ck_assert_int_eq(r.sets[si].empty_omitted, 0);
    }
    ck_assert_uint_eq(r.ngroups, ne);

    /* every group: values, counts, metrics */
    for (size_t i = 0; i < ne; i++) {
        const fa_group *g = &r.groups[i];
        const exp_group *x = &e[i];

        ck_assert_int_eq(g->gid, (int64_t)i);
        ck_assert_int_eq(g->set, x->set);
        for (size_t k = 0; k < gen_sets[x->set].nd; k++)
            ck_assert_msg(same_value(g->values[k], x->val[k]),
                          "group %zu value %zu: \"%s\", want \"%s\"", i, k,
                          g->values[k] ? g->values[k] : "(missing)",
                          x->val[k] ? x->val[k] : "(missing)");
        ck_assert_msg(g->n == x->n, "group %zu: n %lld, want %lld", i,
                      (long long)g->n, (long long)x->n);
        ck_assert_msg(close_enough(g->weight, x->w),
                      "group %zu: weight %.17g, want %.17g", i, g->weight,
                      x->w);
        {
            double got[4] = {g->w.tp, g->w.fp, g->w.tn, g->w.fn};

            for (int k = 0; k < 4; k++) {
                ck_assert_msg(g->rows[k] == x->rows[k],
                              "group %zu rows[%d]: %lld, want %lld", i, k,
                              (long long)g->rows[k], (long long)x->rows[k]);
                ck_assert_msg(close_enough(got[k], x->c[k]),
                              "group %zu count %d: %.17g, want %.17g", i, k,
                              got[k], x->c[k]);
            }
        }
        for (int k = 0; k < FA_METRIC_COUNT; k++)
            check_ev(&g->m[k], x->m[k], fa_metric_name((fa_metric)k), x->set,
                     (int64_t)i);
        for (int k = 0; x->n == 0 && k < FA_METRIC_COUNT; k++)
            check_undefined(&g->m[k], R_EMPTY, fa_metric_name((fa_metric)k));
    }

    /* references, disparities and aggregates, set by set */
    ck_assert_int_eq(r.groups[0].ref_gid, -1);
    first = 0;
    for (size_t si = 0; si < COUNT_OF(gen_sets); si++) {
        size_t last = first;
        int64_t ref;

        while (last < ne && e[last].set == (int)si)
            last++;
        check_aggregates(&r.sets[si], e, first, last);
        if (si == 0) {
            first = last;
            continue;
        }
        ref = exp_reference(e, first, last, policy);
        ck_assert_msg(r.sets[si].ref_gid == ref,
                      "%s: set %zu reference %lld, want %lld", policy, si,
                      (long long)r.sets[si].ref_gid, (long long)ref);
        ck_assert_int_ge(ref, 0);
        for (size_t i = first; i < last; i++) {
            const fa_group *g = &r.groups[i];

            ck_assert_int_eq(g->ref_gid, ref);
            for (int k = 0; k < FA_METRIC_COUNT; k++) {
                ev gv = e[i].m[k], rv = e[ref].m[k];
                ev wr = EV_NONE, wd = EV_NONE;
                char what[64];

                if (!fa_metric_has_disparity((fa_metric)k))
                    continue;
                wr.def = gv.def && rv.def && rv.v != 0.0;
                wr.v = wr.def ? gv.v / rv.v : 0.0;
                wd.def = gv.def && rv.def;
                wd.v = gv.v - rv.v;
                snprintf(what, sizeof(what), "%s ratio",
                         fa_metric_name((fa_metric)k));
                check_ev(&g->ratio[k], wr, what, (int)si, (int64_t)i);
                snprintf(what, sizeof(what), "%s difference",
                         fa_metric_name((fa_metric)k));
                check_ev(&g->diff[k], wd, what, (int)si, (int64_t)i);
            }
        }
        first = last;
    }
    ck_assert_uint_eq(first, ne);

    /* the data has what the test is for: empty combinations and
     * missing levels */
    {
        size_t empty = 0;

        for (size_t i = 0; i < ne; i++)
            empty += e[i].n == 0;
        ck_assert_uint_gt(empty, 0);
        ck_assert_ptr_null(gd.lev[0][gd.nlev[0] - 1]);
        ck_assert_ptr_null(gd.lev[2][gd.nlev[2] - 1]);
    }
    free(e);
    free(gd.rows);
    fa_results_release(&r);
}

static const struct {
    const char *policy;
    int file_store;
    size_t nrows;
} brute_cases[] = {
    {"largest", 0, GEN_N}, {"best", 0, GEN_N},     {"overall", 0, GEN_N},
    {"largest", 1, GEN_N}, {"best", 1, GEN_BIG_N},
};

START_TEST(brute_force)
{
    if (brute_cases[_i].file_store) {
        char *db = fa_xasprintf("%s/store.db", tmpdir);
        fa_store *fs = NULL;

        ck_assert_msg(fa_store_open(ctx, db, 1, &fs) == FA_OK, "open: %s",
                      fa_ctx_msg(ctx));
        free(db);
        brute_check(fs, brute_cases[_i].policy, brute_cases[_i].nrows);
        fa_store_close(fs);
    } else {
        brute_check(st, brute_cases[_i].policy, brute_cases[_i].nrows);
    }
}
END_TEST

/* ---- the suite -------------------------------------------------------- */

static TCase *
fixture_case(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout);
    return tc;
}

Suite *
run_suite(void)
{
    Suite *s = suite_create("run");
    TCase *tc = fixture_case("small", 60);

    tcase_add_test(tc, small_structure);
    tcase_add_loop_test(tc, small_counts_table, 0, 2);
    tcase_add_loop_test(tc, small_metrics_table, 0, 2);
    tcase_add_test(tc, small_value_parts);
    tcase_add_loop_test(tc, small_empty_groups, 0, 2);
    tcase_add_loop_test(tc, small_aggregates, 0, 2);
    suite_add_tcase(s, tc);

    tc = fixture_case("reference", 60);
    tcase_add_loop_test(tc, small_reference, 0, (int)COUNT_OF(ref_cases));
    tcase_add_test(tc, reference_unknown);
    tcase_add_test(tc, reference_forms);
    suite_add_tcase(s, tc);

    tc = fixture_case("columns", 60);
    tcase_add_test(tc, label_free_with_score);
    tcase_add_test(tc, label_free_no_score);
    tcase_add_test(tc, labelled_no_score);
    tcase_add_test(tc, brier_outside_unit);
    suite_add_tcase(s, tc);

    /* 10000 groups must run, save and load in well under a minute, also
     * under AddressSanitizer (valgrind runs without time limits). */
    tc = fixture_case("limit", 60);
    tcase_add_loop_test(tc, intersection_limit, 0, 2);
    suite_add_tcase(s, tc);

    tc = fixture_case("json", 60);
    tcase_add_test(tc, json_contract);
    tcase_add_test(tc, json_unweighted_counts);
    suite_add_tcase(s, tc);

    tc = fixture_case("brute", 600);
    tcase_add_loop_test(tc, brute_force, 0, (int)COUNT_OF(brute_cases));
    suite_add_tcase(s, tc);
    return s;
}
