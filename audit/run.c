/* run.c — one pass over a dataset's rows into cells, every group and
 * intersection rolled up from them, metrics, references, disparities and
 * aggregates, saved as one run.
 *
 * Memory for the confusion metrics is proportional to the number of cells,
 * not rows; a scored dataset also keeps (score, weight, label) per row for
 * the AUC, which needs the ranks.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bootstrap.h"
#include "disparity.h"
#include "policy.h"
#include "run.h"
#include "runlog.h"
#include "scores.h"
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <jansson.h>
#include <sodium.h>

/* Neumaier's compensated sum: weights add up to the last digit even over
 * tens of millions of rows. */
struct ksum {
    double s, c;
};

static inline void
kadd(struct ksum *k, double x)
{
    double t = k->s + x;

    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static inline void
kmerge(struct ksum *a, const struct ksum *b)
{
    kadd(a, b->s);
    kadd(a, b->c);
}

static inline double
kval(const struct ksum *k)
{
    return k->s + k->c;
}

/* Confusion slots: y_true x y_pred. */
enum { TP, FP, TN, FN };

struct acc {
    int64_t rows[4];
    struct ksum w[4];
    struct ksum w2[4]; /* squared weights: the effective sample size */
    struct ksum w_all, ws, wsq;
};

struct cell {
    uint64_t key; /* the attributes' levels in mixed radix */
    struct acc a;
};

/* The weights of each confusion slot of a cell while it has at most
 * FA_BOOT_EXACT_ROWS rows (a weighted audit's bootstrap draws them); the
 * slot's row count says how many, and a larger slot keeps none. */
struct wkeep {
    double *v[4];
};

/* The level order of one dim: levels sorted for output, the missing level
 * last, and unlisted levels (an empty missing bin) left out. */
struct order {
    size_t nlevels;
    size_t nlisted;
    size_t *listed; /* rank -> level */
    int64_t *rank;  /* level -> rank, -1 when not listed */
};

/* One scored row, for the AUC (24 bytes: a scored run keeps one a row). */
struct srow {
    double score, weight;
    uint32_t cell;         /* attribute cell */
    unsigned int row : 31; /* position in the scan, to find its segments */
    unsigned int label : 1;
};

#define MAX_SCORED_ROWS ((size_t)1 << 31)

struct scan {
    fa_ctx *ctx;
    int sdim;         /* the --strata dim, -1 for none */
    uint64_t sstride; /* its digit in the cell key */
    size_t nstrata;   /* its levels (1 without strata) */
    const fa_dataset *ds;
    size_t nattrs, nsegs;
    size_t *levels;   /* per dim */
    uint64_t *stride; /* per attribute */
    /* attribute cells: a dense index when the product is small */
    struct cell *cells;
    size_t ncells, cap;
    int32_t *dense;
    uint64_t ndense;
    uint64_t *hkeys;
    uint32_t *hidx;
    size_t hmask;
    /* segment cells, per segment: levels[nattrs + s] accumulators */
    struct acc **seg;
    /* a weighted audit's small-slot weights: per cell, per segment level */
    struct wkeep *cw;
    struct wkeep **sw;
    /* scored rows */
    struct srow *sr;
    uint32_t *srseg; /* row * nsegs + s -> level */
    size_t nsr, srcap;
    int keep_scores; /* keep the scored rows (the AUC, the scoring rate) */
    struct acc all;
};

/* ------------------------------------------------------------------ */
/* Private functions: the scan                                         */

static inline void
acc_add(struct acc *a, int slot, double w, double s, int y, int scored)
{
    a->rows[slot]++;
    kadd(&a->w[slot], w);
    kadd(&a->w2[slot], w * w);
    kadd(&a->w_all, w);
    if (scored) {
        double e = s - (y > 0 ? 1.0 : 0.0);

        kadd(&a->ws, w * s);
        kadd(&a->wsq, w * e * e);
    }
}

static void
acc_merge(struct acc *a, const struct acc *b)
{
    for (int k = 0; k < 4; k++) {
        a->rows[k] += b->rows[k];
        kmerge(&a->w[k], &b->w[k]);
        kmerge(&a->w2[k], &b->w2[k]);
    }
    kmerge(&a->w_all, &b->w_all);
    kmerge(&a->ws, &b->ws);
    kmerge(&a->wsq, &b->wsq);
}

/* Appends w to slot's weights, which held n - 1 before it. The capacity
 * is the power of two at or above the count. */
static void
keep_add(struct wkeep *k, int slot, int64_t n, double w)
{
    if (n > FA_BOOT_EXACT_ROWS) {
        free(k->v[slot]);
        k->v[slot] = NULL;
        return;
    }
    if (((n - 1) & (n - 2)) == 0) /* n - 1 is 0 or a power of two */
        k->v[slot] = fa_xrealloc(k->v[slot], n > 1 ? 2 * (size_t)(n - 1) : 1,
                                 sizeof(double));
    k->v[slot][n - 1] = w;
}

static size_t
pow2_at_least(int64_t n)
{
    size_t c = 1;

    while ((int64_t)c < n)
        c *= 2;
    return c;
}

/* Appends b's nb weights of each slot to a's na, in that order; a slot
 * past FA_BOOT_EXACT_ROWS rows keeps none. */
static void
keep_merge(struct wkeep *a, const int64_t *na, const struct wkeep *b,
           const int64_t *nb)
{
    for (int q = 0; q < 4; q++) {
        int64_t n = na[q] + nb[q];

        if (nb[q] == 0)
            continue;
        if (n > FA_BOOT_EXACT_ROWS) {
            free(a->v[q]);
            a->v[q] = NULL;
            continue;
        }
        a->v[q] = fa_xrealloc(a->v[q], pow2_at_least(n), sizeof(double));
        memcpy(a->v[q] + na[q], b->v[q], (size_t)nb[q] * sizeof(double));
    }
}

static void
keep_release(struct wkeep *k)
{
    for (int q = 0; q < 4; q++)
        free(k->v[q]);
}

static uint64_t
mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static uint32_t
new_cell(struct scan *sc, uint64_t key)
{
    if (sc->ncells == sc->cap) {
        sc->cap = sc->cap ? 2 * sc->cap : 256;
        sc->cells = fa_xrealloc(sc->cells, sc->cap, sizeof(*sc->cells));
        if (sc->ds->weighted)
            sc->cw = fa_xrealloc(sc->cw, sc->cap, sizeof(*sc->cw));
    }
    if (sc->ds->weighted)
        memset(&sc->cw[sc->ncells], 0, sizeof(*sc->cw));
    memset(&sc->cells[sc->ncells], 0, sizeof(*sc->cells));
    sc->cells[sc->ncells].key = key;
    return (uint32_t)sc->ncells++;
}

static void
hgrow(struct scan *sc)
{
    size_t mask = sc->hmask ? sc->hmask * 2 + 1 : 1023;
    uint64_t *keys = fa_xcalloc(mask + 1, sizeof(*keys));
    uint32_t *idx = fa_xcalloc(mask + 1, sizeof(*idx));

    for (size_t c = 0; c < sc->ncells; c++) {
        size_t i = mix(sc->cells[c].key) & mask;

        while (idx[i])
            i = (i + 1) & mask;
        keys[i] = sc->cells[c].key;
        idx[i] = (uint32_t)c + 1;
    }
    free(sc->hkeys);
    free(sc->hidx);
    sc->hkeys = keys;
    sc->hidx = idx;
    sc->hmask = mask;
}

static uint32_t
cell_of(struct scan *sc, uint64_t key)
{
    size_t i;

    if (sc->dense) {
        if (sc->dense[key] < 0)
            sc->dense[key] = (int32_t)new_cell(sc, key);
        return (uint32_t)sc->dense[key];
    }
    if ((sc->ncells + 1) * 2 > sc->hmask)
        hgrow(sc);
    i = mix(key) & sc->hmask;
    while (sc->hidx[i]) {
        if (sc->hkeys[i] == key)
            return sc->hidx[i] - 1;
        i = (i + 1) & sc->hmask;
    }
    sc->hkeys[i] = key;
    sc->hidx[i] = new_cell(sc, key) + 1;
    return sc->hidx[i] - 1;
}

static inline size_t
level_of(const fa_dim *d, const fa_row_batch *b, size_t k)
{
    if (!d->bin_spec)
        return (size_t)b->code[k];
    return b->code[k] ? fa_dim_bin_of(d, b->x[k]) : d->nedges + 1;
}

static fa_err
scan_batch(void *data, const fa_row_batch *b)
{
    struct scan *sc = data;
    const fa_dataset *ds = sc->ds;
    size_t nd = ds->ndims;

    for (size_t i = 0; i < b->n; i++) {
        int y = b->y_true[i] > 0, p = b->y_pred[i] > 0;
        int slot = p ? (y ? TP : FP) : (y ? FN : TN);
        double w = b->weight[i], s = b->score[i];
        uint64_t key = 0;
        uint32_t cell;

        for (size_t j = 0; j < sc->nattrs; j++)
            key += level_of(&ds->dims[j], b, i * nd + j) * sc->stride[j];
        if (sc->sdim >= 0)
            key += level_of(&ds->dims[sc->sdim], b, i * nd + (size_t)sc->sdim) *
                   sc->sstride;
        cell = cell_of(sc, key);
        acc_add(&sc->cells[cell].a, slot, w, s, y, ds->scored);
        if (ds->weighted)
            keep_add(&sc->cw[cell], slot, sc->cells[cell].a.rows[slot], w);
        acc_add(&sc->all, slot, w, s, y, ds->scored);
        for (size_t j = 0; j < sc->nsegs; j++) {
            size_t lv =
                level_of(&ds->dims[sc->nattrs + j], b, i * nd + sc->nattrs + j);

            acc_add(&sc->seg[j][lv], slot, w, s, y, ds->scored);
            if (ds->weighted)
                keep_add(&sc->sw[j][lv], slot, sc->seg[j][lv].rows[slot], w);
            if (sc->keep_scores) {
                if (sc->nsr == sc->srcap)
                    sc->srseg = fa_xrealloc(sc->srseg,
                                            (sc->srcap ? 2 * sc->srcap : 4096) *
                                                (sc->nsegs ? sc->nsegs : 1),
                                            sizeof(uint32_t));
                sc->srseg[sc->nsr * sc->nsegs + j] = (uint32_t)lv;
            }
        }
        if (sc->keep_scores) {
            if (sc->nsr == sc->srcap) {
                sc->srcap = sc->srcap ? 2 * sc->srcap : 4096;
                sc->sr = fa_xrealloc(sc->sr, sc->srcap, sizeof(*sc->sr));
            }
            if (sc->nsr >= MAX_SCORED_ROWS)
                return fa_ctx_fail(sc->ctx, FA_ERR_USAGE,
                                   "more than 2^31 scored rows: audit the "
                                   "score in parts");
            sc->sr[sc->nsr] =
                (struct srow){s, w, cell, (unsigned)sc->nsr, (unsigned)y};
            sc->nsr++;
        }
    }
    return FA_OK;
}

static void
scan_release(struct scan *sc)
{
    for (size_t j = 0; j < sc->nsegs; j++)
        free(sc->seg[j]);
    free(sc->seg);
    for (size_t c = 0; sc->cw && c < sc->ncells; c++)
        keep_release(&sc->cw[c]);
    free(sc->cw);
    for (size_t j = 0; sc->sw && j < sc->nsegs; j++) {
        for (size_t l = 0; l < sc->levels[sc->nattrs + j]; l++)
            keep_release(&sc->sw[j][l]);
        free(sc->sw[j]);
    }
    free(sc->sw);
    free(sc->levels);
    free(sc->stride);
    free(sc->cells);
    free(sc->dense);
    free(sc->hkeys);
    free(sc->hidx);
    free(sc->sr);
    free(sc->srseg);
}

static double
now_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static fa_err
scan_init(fa_ctx *ctx, struct scan *sc, const fa_dataset *ds, int sdim)
{
    uint64_t product = 1;

    sc->ctx = ctx;
    sc->sdim = sdim;
    sc->ds = ds;
    sc->nattrs = ds->nattrs;
    sc->nsegs = ds->ndims - ds->nattrs;
    sc->levels = fa_xcalloc(ds->ndims + 1, sizeof(size_t));
    sc->stride = fa_xcalloc(sc->nattrs + 1, sizeof(uint64_t));
    for (size_t j = 0; j < ds->ndims; j++) {
        sc->levels[j] = fa_dim_levels(&ds->dims[j]);
        if (sc->levels[j] == 0)
            sc->levels[j] = 1;
    }
    for (size_t j = 0; j < sc->nattrs; j++) {
        sc->stride[j] = product;
        if (product > UINT64_MAX / 4 / sc->levels[j])
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "too many attributes to intersect: the "
                               "combinations of their values pass 2^62");
        product *= sc->levels[j];
    }
    /* strata are the cells' most significant digit: every roll-up of the
     * attributes ignores it, and a comparison within strata reads it */
    sc->nstrata = 1;
    if (sdim >= 0) {
        sc->sstride = product;
        sc->nstrata = sc->levels[sdim];
        if (product > UINT64_MAX / 4 / sc->nstrata)
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "too many attribute and stratum "
                               "combinations");
        product *= sc->nstrata;
    }
    if (product <= (1u << 20)) {
        sc->ndense = product;
        sc->dense = fa_xmalloc(product * sizeof(int32_t));
        memset(sc->dense, 0xff, product * sizeof(int32_t));
    }
    sc->seg = fa_xcalloc(sc->nsegs + 1, sizeof(struct acc *));
    for (size_t j = 0; j < sc->nsegs; j++)
        sc->seg[j] = fa_xcalloc(sc->levels[sc->nattrs + j], sizeof(struct acc));
    if (ds->weighted) {
        sc->sw = fa_xcalloc(sc->nsegs + 1, sizeof(struct wkeep *));
        for (size_t j = 0; j < sc->nsegs; j++)
            sc->sw[j] =
                fa_xcalloc(sc->levels[sc->nattrs + j], sizeof(struct wkeep));
    }
    return FA_OK;
}

/* Adds scan b into scan a: cells by key, segments, population, and the
 * scored rows after a's (both in line order, so the result is too). */
static void
scan_merge(struct scan *a, const struct scan *b)
{
    uint32_t *remap = fa_xcalloc(b->ncells + 1, sizeof(uint32_t));

    for (size_t c = 0; c < b->ncells; c++) {
        remap[c] = cell_of(a, b->cells[c].key);
        if (a->cw)
            keep_merge(&a->cw[remap[c]], a->cells[remap[c]].a.rows, &b->cw[c],
                       b->cells[c].a.rows);
        acc_merge(&a->cells[remap[c]].a, &b->cells[c].a);
    }
    for (size_t j = 0; j < a->nsegs; j++)
        for (size_t l = 0; l < a->levels[a->nattrs + j]; l++) {
            if (a->sw)
                keep_merge(&a->sw[j][l], a->seg[j][l].rows, &b->sw[j][l],
                           b->seg[j][l].rows);
            acc_merge(&a->seg[j][l], &b->seg[j][l]);
        }
    acc_merge(&a->all, &b->all);
    if (b->nsr) {
        size_t ns = a->nsegs ? a->nsegs : 1;

        a->sr = fa_xrealloc(a->sr, a->nsr + b->nsr, sizeof(*a->sr));
        a->srseg =
            fa_xrealloc(a->srseg, (a->nsr + b->nsr) * ns, sizeof(uint32_t));
        for (size_t i = 0; i < b->nsr; i++) {
            struct srow r = b->sr[i];

            r.cell = remap[r.cell];
            r.row += (unsigned)a->nsr;
            a->sr[a->nsr + i] = r;
        }
        if (a->nsegs)
            memcpy(a->srseg + a->nsr * a->nsegs, b->srseg,
                   b->nsr * a->nsegs * sizeof(uint32_t));
        a->nsr += b->nsr;
        a->srcap = a->nsr;
    }
    free(remap);
}

struct scan_job {
    fa_ctx *ctx;
    fa_store *st;
    const fa_dataset *ds;
    int64_t first, last;
    struct scan *sc;
    fa_err err;
};

static void *
scan_thread(void *arg)
{
    struct scan_job *j = arg;

    j->err = fa_store_rows_scan_range(j->ctx, j->st, j->ds, j->first, j->last,
                                      scan_batch, j->sc);
    return NULL;
}

/*
 * The one pass over the rows. SQLite decoding is most of its cost, so a
 * file store is read by two connections at once, each over half of the
 * lines, into two sets of cells that are then added up; the split is fixed
 * by the data, so the result is the same at every run.
 */
static fa_err
scan_rows(fa_ctx *ctx, fa_store *st, const fa_dataset *ds, struct scan *sc)
{
    struct scan sc2 = {0};
    struct scan_job job = {0};
    fa_store *st2 = NULL;
    int64_t first, last, mid;
    pthread_t t;
    fa_err err;

    err = fa_store_rows_span(ctx, st, ds, &first, &last);
    if (err)
        return err;
    job.ctx = fa_ctx_new();
    if (ds->rows_loaded < 100000 ||
        fa_store_open_reader(job.ctx, st, &st2) != FA_OK ||
        scan_init(job.ctx, &sc2, ds, sc->sdim) != FA_OK ||
        !(sc2.keep_scores = sc->keep_scores, 1)) {
        fa_store_close(st2);
        scan_release(&sc2);
        fa_ctx_free(job.ctx);
        return fa_store_rows_scan(ctx, st, ds, scan_batch, sc);
    }
    mid = first + (last - first) / 2;
    job.st = st2;
    job.ds = ds;
    job.first = mid + 1;
    job.last = last;
    job.sc = &sc2;
    if (pthread_create(&t, NULL, scan_thread, &job) != 0) {
        err = fa_store_rows_scan(ctx, st, ds, scan_batch, sc);
    } else {
        err = fa_store_rows_scan_range(ctx, st, ds, first, mid, scan_batch, sc);
        pthread_join(t, NULL);
        if (!err && job.err)
            err = fa_ctx_fail(ctx, job.err, "%s", fa_ctx_msg(job.ctx));
        if (!err)
            scan_merge(sc, &sc2);
    }
    fa_store_close(st2);
    scan_release(&sc2);
    fa_ctx_free(job.ctx);
    return err;
}

/* ------------------------------------------------------------------ */
/* Private functions: level order and group sets                       */

static const fa_dim *order_dim;

static int
by_value(const void *a, const void *b)
{
    const char *x = order_dim->values[*(const size_t *)a];
    const char *y = order_dim->values[*(const size_t *)b];

    if (!x || !y)
        return (x == NULL) - (y == NULL); /* missing last */
    return strcmp(x, y);
}

static void
order_init(struct order *o, const fa_dim *d, size_t nlevels)
{
    o->nlevels = nlevels;
    o->listed = fa_xcalloc(nlevels, sizeof(size_t));
    o->rank = fa_xcalloc(nlevels, sizeof(int64_t));
    o->nlisted = 0;
    for (size_t l = 0; l < nlevels; l++) {
        o->rank[l] = -1;
        if (d->bin_spec && l == d->nedges + 1 && d->missing_rows == 0)
            continue;
        o->listed[o->nlisted++] = l;
    }
    if (!d->bin_spec) {
        order_dim = d;
        qsort(o->listed, o->nlisted, sizeof(size_t), by_value);
    }
    for (size_t r = 0; r < o->nlisted; r++)
        o->rank[o->listed[r]] = (int64_t)r;
}

static void
order_release(struct order *o)
{
    free(o->listed);
    free(o->rank);
}

struct builder {
    fa_ctx *ctx;
    const fa_dataset *ds;
    struct scan *sc;
    struct order *ord; /* per dim */
    fa_results *res;
    struct acc *gacc; /* per group */
    struct wkeep *gw; /* per group, in a weighted audit */
    size_t gcap;
};

static fa_group_set *
add_set(struct builder *B, enum fa_set_kind kind, const int *dims, size_t ndims)
{
    fa_results *r = B->res;
    fa_group_set *gs;

    r->sets = fa_xrealloc(r->sets, r->nsets + 1, sizeof(*gs));
    gs = &r->sets[r->nsets];
    *gs = (fa_group_set){0};
    gs->id = (int)r->nsets++;
    gs->kind = kind;
    gs->ndims = ndims;
    gs->dims = fa_xcalloc(ndims + 1, sizeof(int));
    if (ndims)
        memcpy(gs->dims, dims, ndims * sizeof(int));
    gs->ref_gid = -1;
    return gs;
}

static fa_group *
add_group(struct builder *B, int set)
{
    fa_results *r = B->res;
    fa_group *g;

    if (r->ngroups == B->gcap) {
        B->gcap = B->gcap ? 2 * B->gcap : 256;
        r->groups = fa_xrealloc(r->groups, B->gcap, sizeof(*g));
        B->gacc = fa_xrealloc(B->gacc, B->gcap, sizeof(*B->gacc));
        B->gw = fa_xrealloc(B->gw, B->gcap, sizeof(*B->gw));
    }
    g = &r->groups[r->ngroups];
    *g = (fa_group){0};
    memset(&B->gacc[r->ngroups], 0, sizeof(*B->gacc));
    memset(&B->gw[r->ngroups], 0, sizeof(*B->gw));
    g->gid = (int64_t)r->ngroups++;
    g->set = set;
    g->ref_gid = -1;
    g->values = fa_xcalloc(r->sets[set].ndims + 1, sizeof(char *));
    return g;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/*
 * The groups of one set of attributes (mask): every combination of listed
 * levels when there are few enough, else the ones that occur. Fills
 * cellgroup[c] with the group id of attribute cell c; returns the first gid.
 */
static int64_t
attr_set(struct builder *B, uint32_t mask, enum fa_set_kind kind,
         int64_t *cellgroup)
{
    const fa_dataset *ds = B->ds;
    struct scan *sc = B->sc;
    int dims[64];
    size_t nd = 0;
    uint64_t product = 1, *rkeys, *keys;
    size_t nkeys;
    int saturated = 0, all;
    fa_group_set *gs;
    int64_t first = (int64_t)B->res->ngroups;

    for (size_t j = 0; j < sc->nattrs; j++)
        if (mask & (1u << j))
            dims[nd++] = (int)j;
    for (size_t k = 0; k < nd; k++) {
        size_t n = B->ord[dims[k]].nlisted ? B->ord[dims[k]].nlisted : 1;

        if (product > UINT64_MAX / 4 / n)
            saturated = 1;
        else
            product *= n;
    }
    gs = add_set(B, kind, dims, nd);
    /* the rank key of every cell: mixed radix over listed levels */
    rkeys = fa_xcalloc(sc->ncells + 1, sizeof(uint64_t));
    for (size_t c = 0; c < sc->ncells; c++) {
        uint64_t rk = 0, mul = 1;

        for (size_t k = 0; k < nd; k++) {
            size_t j = (size_t)dims[k];
            size_t lv = (sc->cells[c].key / sc->stride[j]) % sc->levels[j];

            rk += (uint64_t)B->ord[j].rank[lv] * mul;
            mul *= B->ord[j].nlisted;
        }
        rkeys[c] = rk;
    }
    all = !saturated && (nd == 1 || product <= FA_RUN_MAX_LISTED);
    if (all) {
        nkeys = (size_t)product;
        keys = NULL;
    } else {
        keys = fa_xcalloc(sc->ncells + 1, sizeof(uint64_t));
        memcpy(keys, rkeys, sc->ncells * sizeof(uint64_t));
        qsort(keys, sc->ncells, sizeof(uint64_t), cmp_u64);
        nkeys = 0;
        for (size_t c = 0; c < sc->ncells; c++)
            if (nkeys == 0 || keys[c] != keys[nkeys - 1])
                keys[nkeys++] = keys[c];
        gs->empty_omitted = saturated ? -1 : (int64_t)(product - nkeys);
    }
    for (size_t i = 0; i < nkeys; i++) {
        fa_group *g = add_group(B, gs->id);
        uint64_t rk = keys ? keys[i] : i;

        /* ranks back to levels, first dim fastest */
        for (size_t k = 0; k < nd; k++) {
            const struct order *o = &B->ord[dims[k]];
            size_t lv = o->listed[rk % o->nlisted];

            rk /= o->nlisted;
            g->values[k] = fa_dim_level_value(&ds->dims[dims[k]], lv);
        }
    }
    for (size_t c = 0; c < sc->ncells; c++) {
        size_t gi;

        if (keys) {
            uint64_t *hit =
                bsearch(&rkeys[c], keys, nkeys, sizeof(uint64_t), cmp_u64);

            gi = (size_t)(hit - keys);
        } else {
            gi = (size_t)rkeys[c];
        }
        cellgroup[c] = first + (int64_t)gi;
        acc_merge(&B->gacc[first + (int64_t)gi], &sc->cells[c].a);
    }
    if (sc->cw) {
        /* the weights of each small group slot, cell by cell */
        int64_t(*fill)[4] = fa_xcalloc(nkeys + 1, sizeof(*fill));

        for (size_t c = 0; c < sc->ncells; c++) {
            int64_t g = cellgroup[c];

            for (int q = 0; q < 4; q++) {
                int64_t n = sc->cells[c].a.rows[q], *f = &fill[g - first][q];

                if (n == 0 || B->gacc[g].rows[q] > FA_BOOT_EXACT_ROWS)
                    continue;
                if (!B->gw[g].v[q])
                    B->gw[g].v[q] =
                        fa_xcalloc((size_t)B->gacc[g].rows[q], sizeof(double));
                memcpy(B->gw[g].v[q] + *f, sc->cw[c].v[q],
                       (size_t)n * sizeof(double));
                *f += n;
            }
        }
        free(fill);
    }
    free(rkeys);
    free(keys);
    return first;
}

static int64_t
segment_set(struct builder *B, size_t s)
{
    size_t j = B->sc->nattrs + s;
    int dim = (int)j;
    const struct order *o = &B->ord[j];
    fa_group_set *gs = add_set(B, FA_SET_SEGMENT, &dim, 1);
    int64_t first = (int64_t)B->res->ngroups;

    for (size_t r = 0; r < o->nlisted; r++) {
        fa_group *g = add_group(B, gs->id);

        g->values[0] = fa_dim_level_value(&B->ds->dims[j], o->listed[r]);
        B->gacc[g->gid] = B->sc->seg[s][o->listed[r]];
        for (int q = 0; B->sc->sw && q < 4; q++) {
            int64_t n = B->gacc[g->gid].rows[q];
            const double *v = B->sc->sw[s][o->listed[r]].v[q];

            if (n > 0 && n <= FA_BOOT_EXACT_ROWS) {
                B->gw[g->gid].v[q] = fa_xcalloc((size_t)n, sizeof(double));
                memcpy(B->gw[g->gid].v[q], v, (size_t)n * sizeof(double));
            }
        }
    }
    return first;
}

/* ------------------------------------------------------------------ */
/* Private functions: metrics                                          */

static void
group_metrics(const fa_dataset *ds, fa_group *g, const struct acc *a)
{
    fa_score_sums ss;
    int unit = ds->score_min >= 0 && ds->score_max <= 1;

    g->n = a->rows[TP] + a->rows[FP] + a->rows[TN] + a->rows[FN];
    g->weight = kval(&a->w_all);
    g->w.tp = kval(&a->w[TP]);
    g->w.fp = kval(&a->w[FP]);
    g->w.tn = kval(&a->w[TN]);
    g->w.fn = kval(&a->w[FN]);
    for (int k = 0; k < 4; k++)
        g->w2[k] = kval(&a->w2[k]);
    for (int k = 0; k < 4; k++)
        g->rows[k] = a->rows[k];
    for (int m = 0; m <= FA_METRIC_F1; m++)
        g->m[m] = fa_confusion_metric((fa_metric)m, &g->w, ds->labelled);
    ss.w = g->weight;
    ss.ws = kval(&a->ws);
    ss.wsq_err = kval(&a->wsq);
    if (!ds->scored) {
        g->m[FA_METRIC_AUC] = fa_value_undefined("no score column");
        g->m[FA_METRIC_BRIER] = fa_value_undefined("no score column");
        g->m[FA_METRIC_MEAN_SCORE] = fa_value_undefined("no score column");
        return;
    }
    g->m[FA_METRIC_MEAN_SCORE] = fa_mean_score(&ss);
    if (!ds->labelled) {
        g->m[FA_METRIC_AUC] = fa_value_undefined("no label column");
        g->m[FA_METRIC_BRIER] = fa_value_undefined("no label column");
        return;
    }
    g->m[FA_METRIC_BRIER] = fa_brier(&ss, unit);
    g->auc_var = fa_value_undefined("no actual positives");
    /* the AUC comes from the scored rows, set by set */
    g->m[FA_METRIC_AUC] = fa_value_undefined("no actual positives");
}

/* A group without rows: every metric the data could have given says so,
 * rather than naming the denominator that happens to be zero. */
static void
empty_group(const fa_dataset *ds, fa_group *g)
{
    for (int m = 0; m < FA_METRIC_COUNT; m++) {
        if (fa_metric_needs_label((fa_metric)m) && !ds->labelled)
            continue;
        if (fa_metric_needs_score((fa_metric)m) && !ds->scored)
            continue;
        g->m[m] = fa_value_undefined("empty group");
    }
}

/* A double's bits as an unsigned key in the same order. */
static inline uint64_t
score_key(double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof(u));
    return u >> 63 ? ~u : u | (1ULL << 63);
}

/* The radix key of a row: its score's, or (by_weight) its weight's. */
static inline uint64_t
srow_key(const struct srow *r, int by_weight)
{
    return score_key(by_weight ? r->weight : r->score);
}

/*
 * Stable LSD radix sort by score, 16 bits a pass; a pass whose digit is
 * the same for every row is skipped (scores in [0, 1] share their top
 * bits). Ten million rows sort in a fraction of qsort's time. With
 * weighted, rows of one score are in the order of their weights (passes
 * by weight first), so a tie's weights add up in the same order whatever
 * order the rows came in.
 */
static void
sort_by_score(struct srow *a, size_t n, int weighted)
{
    struct srow *tmp, *src = a, *dst;
    size_t *count = fa_xcalloc(4 * 65536, sizeof(size_t));

    if (n < 2) {
        free(count);
        return;
    }
    tmp = fa_xcalloc(n, sizeof(*tmp));
    dst = tmp;
    for (int f = weighted ? 1 : 0; f >= 0; f--) {
        memset(count, 0, 4 * 65536 * sizeof(size_t));
        for (size_t i = 0; i < n; i++) {
            uint64_t k = srow_key(&src[i], f);

            for (int d = 0; d < 4; d++)
                count[d * 65536 + ((k >> (16 * d)) & 0xffff)]++;
        }
        for (int d = 0; d < 4; d++) {
            size_t *c = count + d * 65536, sum = 0;
            uint64_t first = (srow_key(&src[0], f) >> (16 * d)) & 0xffff;

            if (c[first] == n)
                continue;
            for (size_t v = 0; v < 65536; v++) {
                size_t t = c[v];

                c[v] = sum;
                sum += t;
            }
            for (size_t i = 0; i < n; i++) {
                uint64_t k = (srow_key(&src[i], f) >> (16 * d)) & 0xffff;

                dst[c[k]++] = src[i];
            }
            dst = src;
            src = src == a ? tmp : a;
        }
    }
    if (src != a)
        memcpy(a, src, n * sizeof(*a));
    free(tmp);
    free(count);
}

/*
 * AUC of every group of one set. rowgroup(row) gives a scored row's group;
 * a stable counting sort by group keeps the global score order, so each
 * group's slice is already sorted.
 */
static void
set_auc(struct builder *B, int64_t first, int64_t ngroups,
        const int64_t *cellgroup, int seg)
{
    struct scan *sc = B->sc;
    size_t *start = fa_xcalloc((size_t)ngroups + 1, sizeof(size_t));
    fa_scored *buf = fa_xcalloc(sc->nsr + 1, sizeof(fa_scored));
    size_t *pos;

    for (size_t i = 0; i < sc->nsr; i++) {
        const struct srow *r = &sc->sr[i];
        int64_t g =
            seg >= 0
                ? first + (int64_t)B->ord[sc->nattrs + (size_t)seg]
                              .rank[sc->srseg[r->row * sc->nsegs + (size_t)seg]]
            : cellgroup ? cellgroup[r->cell]
                        : first;

        start[g - first + 1]++;
    }
    for (int64_t g = 0; g < ngroups; g++)
        start[g + 1] += start[g];
    pos = fa_xcalloc((size_t)ngroups + 1, sizeof(size_t));
    memcpy(pos, start, (size_t)ngroups * sizeof(size_t));
    for (size_t i = 0; i < sc->nsr; i++) {
        const struct srow *r = &sc->sr[i];
        int64_t g =
            seg >= 0
                ? first + (int64_t)B->ord[sc->nattrs + (size_t)seg]
                              .rank[sc->srseg[r->row * sc->nsegs + (size_t)seg]]
            : cellgroup ? cellgroup[r->cell]
                        : first;
        fa_scored *o = &buf[pos[g - first]++];

        o->score = r->score;
        o->weight = r->weight;
        o->label = (int)r->label;
    }
    for (int64_t g = 0; g < ngroups; g++) {
        fa_group *gr = &B->res->groups[first + g];
        size_t n = start[g + 1] - start[g];
        double unweighted;

        gr->m[FA_METRIC_AUC] = fa_auc_sorted(buf + start[g], n);
        /* DeLong's placements count rows: weighted rows have no variance
         * of this form */
        gr->auc_var =
            B->ds->weighted
                ? fa_value_undefined("no DeLong variance for weighted rows")
                : fa_auc_delong_sorted(buf + start[g], n, &unweighted);
    }
    free(pos);
    free(start);
    free(buf);
}

/* ------------------------------------------------------------------ */
/* Private functions: references                                       */

/* A parsed --reference: policy, or a list of column = value. */
struct refpolicy {
    enum { REF_LARGEST, REF_BEST, REF_OVERALL, REF_NAMED } kind;
    size_t n;
    char **col, **val;
    double min_share; /* a largest or best reference has this share of rows */
    int64_t min_rows; /* and at least these rows (--min-group) */
};

static void
refpolicy_release(struct refpolicy *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->col[i]);
        free(p->val[i]);
    }
    free(p->col);
    free(p->val);
}

static fa_err
refpolicy_parse(fa_ctx *ctx, const char *text, struct refpolicy *p)
{
    const char *s = text;

    *p = (struct refpolicy){0};
    if (!text || strcmp(text, "largest") == 0)
        return FA_OK;
    if (strcmp(text, "best") == 0) {
        p->kind = REF_BEST;
        return FA_OK;
    }
    if (strcmp(text, "overall") == 0) {
        p->kind = REF_OVERALL;
        return FA_OK;
    }
    p->kind = REF_NAMED;
    /* COL=VALUE[,COL=VALUE]; a value may hold '=' but not ',' */
    while (*s) {
        const char *eq = strchr(s, '='), *comma;

        if (!eq || eq == s)
            break;
        comma = strchr(eq, ',');
        p->col = fa_xrealloc(p->col, p->n + 1, sizeof(char *));
        p->val = fa_xrealloc(p->val, p->n + 1, sizeof(char *));
        p->col[p->n] = fa_xstrndup(s, (size_t)(eq - s));
        p->val[p->n] = comma ? fa_xstrndup(eq + 1, (size_t)(comma - eq - 1))
                             : fa_xstrdup(eq + 1);
        p->n++;
        if (!comma)
            return FA_OK;
        s = comma + 1;
    }
    refpolicy_release(p);
    return fa_ctx_fail(ctx, FA_ERR_USAGE,
                       "bad --reference '%s' (expected largest, best, "
                       "overall or COLUMN=VALUE[,COLUMN=VALUE])",
                       text);
}

/* Checks that every named column and value exist; the named value of each
 * dim (NULL when the dim is not named) goes to named[dim]. */
static fa_err
refpolicy_resolve(fa_ctx *ctx, const struct refpolicy *p, const fa_dataset *ds,
                  const char **named)
{
    for (size_t i = 0; i < p->n; i++) {
        size_t j;
        int found = 0;

        for (j = 0; j < ds->ndims; j++)
            if (strcmp(ds->dims[j].name, p->col[i]) == 0)
                break;
        if (j == ds->ndims)
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "--reference names '%s', which is not an "
                               "audited attribute or segment",
                               p->col[i]);
        for (size_t l = 0; l < fa_dim_levels(&ds->dims[j]) && !found; l++) {
            char *v = fa_dim_level_value(&ds->dims[j], l);

            found = v ? strcmp(v, p->val[i]) == 0
                      : strcmp(p->val[i], "(missing)") == 0;
            free(v);
        }
        if (!found)
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "--reference: column '%s' has no value '%s'",
                               p->col[i], p->val[i]);
        if (named[j])
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "--reference names column '%s' twice",
                               p->col[i]);
        named[j] = p->val[i];
    }
    return FA_OK;
}

static int
has_missing(const fa_group *g, const fa_group_set *gs)
{
    for (size_t k = 0; k < gs->ndims; k++)
        if (!g->values[k])
            return 1;
    return 0;
}

static int
matches(const fa_group *g, const fa_group_set *gs, const char **named)
{
    for (size_t k = 0; k < gs->ndims; k++) {
        const char *want = named[gs->dims[k]];

        if (!want)
            continue;
        if (g->values[k] ? strcmp(g->values[k], want) != 0
                         : strcmp(want, "(missing)") != 0)
            return 0;
    }
    return 1;
}

/* Is group a a better reference than b (or b none)? */
static int
better(const struct refpolicy *p, const fa_group *a, const fa_group *b)
{
    if (!b)
        return 1;
    if (p->kind == REF_BEST) {
        const fa_value *x = &a->m[FA_METRIC_SELECTION_RATE];
        const fa_value *y = &b->m[FA_METRIC_SELECTION_RATE];

        if (!x->reason && (y->reason || x->value > y->value))
            return 1;
        if (x->reason || (!y->reason && x->value < y->value))
            return 0;
    }
    return a->weight > b->weight;
}

static void
choose_reference(const struct refpolicy *p, const char **named, fa_results *r,
                 fa_group_set *gs, int64_t first, int64_t ngroups)
{
    const fa_group *best = NULL;
    int pass;

    if (p->kind == REF_OVERALL) {
        gs->ref_gid = 0;
        return;
    }
    /* first pass: groups with no missing value and some rows, of at least
     * --min-group rows; second pass, only if the first found none: any
     * size; third: any group */
    for (pass = 0; pass < 3 && !best; pass++) {
        for (int64_t i = first; i < first + ngroups; i++) {
            const fa_group *g = &r->groups[i];

            if (p->kind == REF_NAMED && !matches(g, gs, named))
                continue;
            if (pass < 2 && (has_missing(g, gs) || g->n == 0))
                continue;
            /* a group a template excludes is never a largest or best
             * reference; one under --min-group only when all are */
            if (p->kind != REF_NAMED && p->min_share > 0 &&
                fa_below_share(g->n, r->groups[0].n, p->min_share))
                continue;
            if (pass == 0 && p->kind != REF_NAMED && g->n < p->min_rows)
                continue;
            if (better(p, g, best))
                best = g;
        }
    }
    gs->ref_gid = best ? best->gid : -1;
}

static void
disparities(fa_results *r, const fa_group_set *gs, int64_t first,
            int64_t ngroups)
{
    for (int64_t i = first; i < first + ngroups; i++) {
        fa_group *g = &r->groups[i];

        g->ref_gid = gs->ref_gid;
        for (int m = 0; m < FA_METRIC_COUNT; m++) {
            if (gs->ref_gid < 0) {
                g->ratio[m] = fa_value_undefined("no reference group");
                g->diff[m] = fa_value_undefined("no reference group");
                continue;
            }
            g->ratio[m] =
                fa_disparity_ratio(&g->m[m], &r->groups[gs->ref_gid].m[m]);
            g->diff[m] =
                fa_disparity_difference(&g->m[m], &r->groups[gs->ref_gid].m[m]);
        }
    }
}

static void
aggregates(fa_results *r, fa_group_set *gs, int64_t first, int64_t ngroups)
{
    size_t n = (size_t)ngroups;
    fa_value *sel = fa_xcalloc(n + 1, sizeof(fa_value));
    fa_value *tpr = fa_xcalloc(n + 1, sizeof(fa_value));
    fa_value *fpr = fa_xcalloc(n + 1, sizeof(fa_value));

    for (size_t i = 0; i < n; i++) {
        const fa_group *g = &r->groups[first + (int64_t)i];

        sel[i] = g->m[FA_METRIC_SELECTION_RATE];
        tpr[i] = g->m[FA_METRIC_TPR];
        fpr[i] = g->m[FA_METRIC_FPR];
    }
    gs->agg[FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE] =
        fa_aggregate_difference(sel, n);
    gs->agg[FA_AGG_DEMOGRAPHIC_PARITY_RATIO] = fa_aggregate_ratio(sel, n);
    gs->agg[FA_AGG_EQUALIZED_ODDS_DIFFERENCE] =
        fa_equalized_odds_difference(tpr, fpr, n);
    gs->agg[FA_AGG_EQUALIZED_ODDS_RATIO] = fa_equalized_odds_ratio(tpr, fpr, n);
    gs->agg[FA_AGG_EQUAL_OPPORTUNITY_DIFFERENCE] =
        fa_aggregate_difference(tpr, n);
    gs->agg[FA_AGG_EQUAL_OPPORTUNITY_RATIO] = fa_aggregate_ratio(tpr, n);
    if (!r->ds.labelled)
        for (int a = FA_AGG_EQUALIZED_ODDS_DIFFERENCE; a < FA_AGG_COUNT; a++)
            gs->agg[a] = fa_value_undefined("no label column");
    free(sel);
    free(tpr);
    free(fpr);
}

/* ------------------------------------------------------------------ */
/* Private functions: intervals, tests, evidence                      */

#define S_TP (1 << TP)
#define S_FP (1 << FP)
#define S_TN (1 << TN)
#define S_FN (1 << FN)
#define S_ALL (S_TP | S_FP | S_TN | S_FN)

/* The confusion slots of each proportion's numerator and denominator, and
 * what its denominator's rows are called in an evidence message. */
static const struct {
    int num, den;
    const char *rows;
} parts[FA_METRIC_COUNT] = {
    [FA_METRIC_BASE_RATE] = {S_TP | S_FN, S_ALL, "rows"},
    [FA_METRIC_SELECTION_RATE] = {S_TP | S_FP, S_ALL, "rows"},
    [FA_METRIC_ACCURACY] = {S_TP | S_TN, S_ALL, "rows"},
    [FA_METRIC_TPR] = {S_TP, S_TP | S_FN, "actual positives"},
    [FA_METRIC_FNR] = {S_FN, S_TP | S_FN, "actual positives"},
    [FA_METRIC_TNR] = {S_TN, S_TN | S_FP, "actual negatives"},
    [FA_METRIC_FPR] = {S_FP, S_TN | S_FP, "actual negatives"},
    [FA_METRIC_PPV] = {S_TP, S_TP | S_FP, "predicted positives"},
    [FA_METRIC_FDR] = {S_FP, S_TP | S_FP, "predicted positives"},
    [FA_METRIC_NPV] = {S_TN, S_TN | S_FN, "predicted negatives"},
    [FA_METRIC_FOR] = {S_FN, S_TN | S_FN, "predicted negatives"},
};

struct stat_opts {
    const fa_results *res; /* the run, for its strata counts */
    struct fa_run_timings *timings;
    double conf;
    int exact, bh, weighted, labelled;
    const struct wkeep *gw; /* per group: a weighted audit's small slots */
    int scoring;            /* the scoring rate's counts */
    int64_t min_group, min_class;
    uint64_t seed;
    size_t bootstrap;
};

/*
 * The counts a proportion's interval and test use: the rows themselves in
 * an unweighted audit; in a weighted one Kish's effective sample size of
 * the denominator, n = (sum w)^2 / sum w^2, and x = rate * n.
 */
static void
binomial(const fa_group *g, fa_metric m, int weighted, double *x, double *n,
         int64_t *rows)
{
    const double w[4] = {g->w.tp, g->w.fp, g->w.tn, g->w.fn};
    double sw = 0, sw2 = 0, sx = 0;
    int64_t rx = 0, rn = 0;

    for (int k = 0; k < 4; k++) {
        if (parts[m].den & (1 << k)) {
            sw += w[k];
            sw2 += g->w2[k];
            rn += g->rows[k];
        }
        if (parts[m].num & (1 << k)) {
            sx += w[k];
            rx += g->rows[k];
        }
    }
    *rows = rn;
    if (!weighted) {
        *x = (double)rx;
        *n = (double)rn;
        return;
    }
    *n = sw2 > 0 ? sw * sw / sw2 : 0;
    *x = sw > 0 ? sx / sw * *n : 0;
}

/* Rows of a group in the confusion slots of mask: a count, or in a weighted
 * audit Kish's effective number (sum w)^2 / sum w^2. */
static double
size_of(const struct stat_opts *o, const fa_group *g, int mask)
{
    const double w[4] = {g->w.tp, g->w.fp, g->w.tn, g->w.fn};
    double n = 0, sw = 0, sw2 = 0;

    for (int k = 0; k < 4; k++) {
        if (!(mask & (1 << k)))
            continue;
        n += (double)g->rows[k];
        sw += w[k];
        sw2 += g->w2[k];
    }
    if (!o->weighted)
        return n;
    return sw2 > 0 ? sw * sw / sw2 : 0;
}

/* "insufficient evidence: ..." when who has fewer than need in mask. */
static char *
short_of(const struct stat_opts *o, const char *who, const fa_group *g,
         int mask, const char *what, int64_t need, const char *opt)
{
    double have = size_of(o, g, mask);

    if (have >= (double)need)
        return NULL;
    if (o->weighted)
        return fa_xasprintf("insufficient evidence: the %s has an effective "
                            "%.1f %s (Kish), fewer than %lld (%s)",
                            who, have, what, (long long)need, opt);
    return fa_xasprintf("insufficient evidence: the %s has %.0f %s, fewer "
                        "than %lld (%s)",
                        who, have, what, (long long)need, opt);
}

/* Why a comparison cannot support a verdict, or "sufficient". ref is the
 * reference group, or the rest of the population under --reference
 * overall. */
static char *
evidence(const struct stat_opts *o, const fa_group *g, const fa_group *ref,
         fa_metric m)
{
    const char *rname =
        ref->gid < 0 ? "rest of the population" : "reference group";
    char *why;

    if (fa_metric_needs_label(m) && !o->labelled)
        return fa_xstrdup("no label column");
    if ((why = short_of(o, "group", g, S_ALL, "rows", o->min_group,
                        "--min-group")) ||
        (why = short_of(o, rname, ref, S_ALL, "rows", o->min_group,
                        "--min-group")))
        return why;
    if (m == FA_METRIC_AUC) {
        /* an AUC needs both classes on both sides */
        if ((why = short_of(o, "group", g, S_TP | S_FN, "actual positives",
                            o->min_class, "--min-class")) ||
            (why = short_of(o, "group", g, S_TN | S_FP, "actual negatives",
                            o->min_class, "--min-class")) ||
            (why = short_of(o, rname, ref, S_TP | S_FN, "actual positives",
                            o->min_class, "--min-class")) ||
            (why = short_of(o, rname, ref, S_TN | S_FP, "actual negatives",
                            o->min_class, "--min-class")))
            return why;
    }
    if (fa_metric_is_proportion(m) && parts[m].den != S_ALL &&
        ((why = short_of(o, "group", g, parts[m].den, parts[m].rows,
                         o->min_class, "--min-class")) ||
         (why = short_of(o, rname, ref, parts[m].den, parts[m].rows,
                         o->min_class, "--min-class"))))
        return why;
    return fa_xstrdup("sufficient");
}

static void
no_comparison(fa_compare *c, const char *why)
{
    c->ratio_ci = c->diff_ci = (fa_interval){0, 0, why};
    c->test = (fa_test){0, 0, 0, why};
    c->mdr = fa_value_undefined(why);
}

/* METRIC delong — docs/metrics.md#delong: A +- z sqrt(var), within [0,1] */
static fa_interval
auc_ci(const struct stat_opts *o, const fa_group *g)
{
    double z = gsl_cdf_ugaussian_Pinv(1 - (1 - o->conf) / 2), se;
    fa_interval ci = {0};

    if (g->auc_var.reason)
        return (fa_interval){0, 0, g->auc_var.reason};
    se = sqrt(g->auc_var.value);
    ci.lo = fmax(0, g->m[FA_METRIC_AUC].value - z * se);
    ci.hi = fmin(1, g->m[FA_METRIC_AUC].value + z * se);
    return ci;
}

/*
 * The AUC of a group against its reference's: the groups are disjoint, so
 * the DeLong variances add; the ratio's interval is the delta method's on
 * the log scale.
 */
static void
compare_auc(const struct stat_opts *o, fa_compare *c, const fa_group *g,
            const fa_group *ref)
{
    double z = gsl_cdf_ugaussian_Pinv(1 - (1 - o->conf) / 2);
    double a1 = g->m[FA_METRIC_AUC].value, a2 = ref->m[FA_METRIC_AUC].value;
    double v1, v2, se, lse;

    if (g->auc_var.reason || ref->auc_var.reason) {
        no_comparison(c, g->auc_var.reason ? g->auc_var.reason
                                           : ref->auc_var.reason);
        return;
    }
    c->mdr = fa_value_undefined("no minimum detectable ratio for the AUC");
    v1 = g->auc_var.value;
    v2 = ref->auc_var.value;
    se = sqrt(v1 + v2);
    c->diff_ci = (fa_interval){a1 - a2 - z * se, a1 - a2 + z * se, NULL};
    if (a1 > 0 && a2 > 0) {
        lse = sqrt(v1 / (a1 * a1) + v2 / (a2 * a2));
        c->ratio_ci = (fa_interval){exp(log(a1 / a2) - z * lse),
                                    exp(log(a1 / a2) + z * lse), NULL};
    } else {
        c->ratio_ci = (fa_interval){0, 0, "an AUC is 0"};
    }
    c->test_name = "delong";
    if (se > 0) {
        c->test.statistic = (a1 - a2) / se;
        c->test.p = fmin(1, 2 * gsl_cdf_ugaussian_Q(fabs(c->test.statistic)));
    } else {
        c->test = (fa_test){0, 0, 0, "no variance"};
    }
}

/* Every metric's own interval. */
static void
group_intervals(const struct stat_opts *o, fa_group *g)
{
    for (int m = 0; m < FA_METRIC_COUNT; m++) {
        double x, n;
        int64_t rows;

        if (g->m[m].reason) {
            g->ci[m] = (fa_interval){0, 0, g->m[m].reason};
            continue;
        }
        if (m == FA_METRIC_AUC) {
            g->ci[m] = auc_ci(o, g);
            continue;
        }
        if (!fa_metric_is_proportion((fa_metric)m)) {
            g->ci[m] = (fa_interval){0, 0, "no closed-form interval"};
            continue;
        }
        binomial(g, (fa_metric)m, o->weighted, &x, &n, &rows);
        g->ci[m] = o->exact ? fa_ci_clopper_pearson(x, n, o->conf)
                            : fa_ci_wilson(x, n, o->conf);
    }
}

/*
 * The comparison pooled within strata: per stratum, the 2x2 table of the
 * metric's numerator and the rest of its denominator, for the group and
 * its reference, into the Cochran-Mantel-Haenszel test.
 */
static fa_cmh
strata_test(const struct stat_opts *o, const fa_group *g, const fa_group *ref,
            fa_metric m)
{
    const fa_results *r = o->res;
    double(*t)[4];
    fa_cmh out;

    if (!r->strat_rows || r->sets[g->set].kind == FA_SET_SEGMENT ||
        r->sets[g->set].kind == FA_SET_OVERALL) {
        out = (fa_cmh){0};
        out.test = (fa_test){0, 0, 0, "no strata"};
        out.odds_ratio = fa_value_undefined("no strata");
        return out;
    }
    if (o->weighted) {
        out = (fa_cmh){0};
        out.test = (fa_test){0, 0, 0, "no CMH test for weighted rows"};
        out.odds_ratio = fa_value_undefined("no CMH test for weighted rows");
        return out;
    }
    t = fa_xcalloc(r->nstrata + 1, sizeof(*t));
    for (size_t l = 0; l < r->nstrata; l++) {
        const int64_t *a =
            r->strat_rows + ((size_t)g->gid * r->nstrata + l) * 4;
        const int64_t *b =
            r->strat_rows + ((size_t)ref->gid * r->nstrata + l) * 4;

        for (int q = 0; q < 4; q++) {
            if (parts[m].num & (1 << q)) {
                t[l][0] += (double)a[q];
                t[l][2] += (double)b[q];
            } else if (parts[m].den & (1 << q)) {
                t[l][1] += (double)a[q];
                t[l][3] += (double)b[q];
            }
        }
    }
    out = fa_test_cmh((const double(*)[4])t, r->nstrata);
    free(t);
    return out;
}

/*
 * The rest of the population: under --reference overall a group is part of
 * its reference, so its test compares it with everyone else, which tests
 * the same hypothesis without counting its rows twice.
 */
static void
complement(const fa_group *all, const fa_group *g, fa_group *rest, int labelled)
{
    *rest = (fa_group){0};
    rest->gid = -1;
    rest->n = all->n - g->n;
    rest->w.tp = all->w.tp - g->w.tp;
    rest->w.fp = all->w.fp - g->w.fp;
    rest->w.tn = all->w.tn - g->w.tn;
    rest->w.fn = all->w.fn - g->w.fn;
    for (int k = 0; k < 4; k++) {
        rest->rows[k] = all->rows[k] - g->rows[k];
        rest->w2[k] = all->w2[k] - g->w2[k];
    }
    for (int m = 0; m <= FA_METRIC_F1; m++)
        rest->m[m] = fa_confusion_metric((fa_metric)m, &rest->w, labelled);
}

static void
compare(const struct stat_opts *o, fa_group *g, const fa_group *ref,
        fa_metric m)
{
    fa_compare *c = &g->cmp[m];
    fa_group rest;
    const fa_group *other = ref;
    int overall = ref->gid == 0;
    double xg, ng, xr, nr;
    int64_t rg, rr;

    free(c->evidence);
    *c = (fa_compare){0};
    c->cmh.test = (fa_test){0, 0, 0, "no strata"};
    c->cmh.odds_ratio = fa_value_undefined("no strata");
    if (g->gid == ref->gid) {
        no_comparison(c, "reference group");
        c->cmh.test = (fa_test){0, 0, 0, "reference group"};
        c->cmh.odds_ratio = fa_value_undefined("reference group");
        c->evidence = fa_xstrdup("reference group");
        return;
    }
    if (overall) {
        complement(ref, g, &rest, o->labelled);
        other = &rest;
    }
    c->evidence = evidence(o, g, other, m);
    if (g->m[m].reason) {
        no_comparison(c, fa_metric_needs_label(m) && !o->labelled
                             ? "no label column"
                             : "group value undefined");
        return;
    }
    if (m == FA_METRIC_AUC) {
        if (overall)
            no_comparison(c, "the group is part of the whole population: no "
                             "DeLong test against it");
        else if (ref->m[m].reason)
            no_comparison(c, "reference value undefined");
        else
            compare_auc(o, c, g, ref);
        return;
    }
    if (!fa_metric_is_proportion(m)) {
        no_comparison(c, "no closed-form interval or test for this metric");
        return;
    }
    if (other->m[m].reason) {
        no_comparison(c, overall ? "the rest of the population has no value"
                                 : "reference value undefined");
        return;
    }
    binomial(g, m, o->weighted, &xg, &ng, &rg);
    binomial(other, m, o->weighted, &xr, &nr, &rr);
    if (overall) {
        /* the ratio and difference are to the population, which holds the
         * group: intervals for independent samples would be too wide */
        c->ratio_ci = c->diff_ci =
            (fa_interval){0, 0, "the group is part of the whole population"};
    } else {
        c->ratio_ci = g->ratio[m].reason
                          ? (fa_interval){0, 0, g->ratio[m].reason}
                          : fa_ci_katz_ratio(xg, ng, xr, nr, o->conf);
        c->diff_ci = g->diff[m].reason
                         ? (fa_interval){0, 0, g->diff[m].reason}
                         : fa_ci_newcombe_diff(xg, ng, xr, nr, o->conf);
    }
    /* Fisher needs whole counts: a weighted audit always uses z */
    if (!o->weighted && fa_test_needs_exact(xg, ng, xr, nr)) {
        c->test = fa_test_fisher((unsigned)xg, (unsigned)(ng - xg),
                                 (unsigned)xr, (unsigned)(nr - xr));
        c->test_name = "fisher";
    } else {
        c->test = fa_test_two_proportions(xg, ng, xr, nr);
        c->test_name = "z";
    }
    /* the adverse direction: a fall for a rate where more is better or
     * that selects, a rise for an error rate */
    c->mdr = fa_metric_direction(m) == 0
                 ? fa_mdr_above(ng, nr, other->m[m].value, 1 - o->conf, 0.8)
                 : fa_mdr(ng, nr, other->m[m].value, 1 - o->conf, 0.8);
    c->cmh = overall ? (fa_cmh){{0, 0, 0,
                                 "no strata for the whole "
                                 "population"},
                                {0, 0, 0, 0,
                                 "no strata for the whole "
                                 "population"},
                                0,
                                0}
                     : strata_test(o, g, ref, m);
}

/* Adjusts the p-values of one family: one metric over one set's groups. */
static void
adjust(const struct stat_opts *o, double *p, size_t n)
{
    if (o->bh)
        fa_p_adjust_bh(p, n, p);
    else
        fa_p_adjust_holm(p, n, p);
}

static void
adjust_family(const struct stat_opts *o, fa_results *r, int64_t first,
              int64_t ngroups, fa_metric m)
{
    double *p = fa_xcalloc((size_t)ngroups + 1, sizeof(double));
    int64_t *who = fa_xcalloc((size_t)ngroups + 1, sizeof(int64_t));
    size_t n = 0;

    /* the tests against the reference, then (a family of their own) the
     * same comparisons pooled within strata */
    for (int pooled = 0; pooled < 2; pooled++) {
        n = 0;
        for (int64_t i = first; i < first + ngroups; i++) {
            const fa_compare *c = &r->groups[i].cmp[m];
            const fa_test *t = pooled ? &c->cmh.test : &c->test;

            if (t->reason)
                continue;
            p[n] = t->p;
            who[n++] = i;
        }
        adjust(o, p, n);
        for (size_t k = 0; k < n; k++) {
            fa_compare *c = &r->groups[who[k]].cmp[m];

            if (pooled)
                c->cmh.p_adjusted = p[k];
            else
                c->p_adjusted = p[k];
        }
    }
    free(p);
    free(who);
}

/* The chi-square tests of every set form one family per metric. */
static void
adjust_chi2(const struct stat_opts *o, fa_results *r)
{
    double *p = fa_xcalloc(r->nsets + 1, sizeof(double));
    size_t *who = fa_xcalloc(r->nsets + 1, sizeof(size_t));

    for (int k = 0; k < 3; k++) {
        size_t n = 0;

        for (size_t s = 1; s < r->nsets; s++) {
            if (r->sets[s].chi2[k].reason)
                continue;
            p[n] = r->sets[s].chi2[k].p;
            who[n++] = s;
        }
        adjust(o, p, n);
        for (size_t i = 0; i < n; i++)
            r->sets[who[i]].chi2_adjusted[k] = p[i];
    }
    free(p);
    free(who);
}

/* The aggregates of a set from its groups' counts (a bootstrap
 * replicate's or the data's). */
static void
aggregate_values(const fa_counts *c, size_t k, fa_value *out, size_t nout,
                 void *data)
{
    const int *labelled = data;
    fa_value *sel = fa_xcalloc(k + 1, sizeof(fa_value));
    fa_value *tpr = fa_xcalloc(k + 1, sizeof(fa_value));
    fa_value *fpr = fa_xcalloc(k + 1, sizeof(fa_value));

    (void)nout;
    for (size_t i = 0; i < k; i++) {
        sel[i] =
            fa_confusion_metric(FA_METRIC_SELECTION_RATE, &c[i], *labelled);
        tpr[i] = fa_confusion_metric(FA_METRIC_TPR, &c[i], *labelled);
        fpr[i] = fa_confusion_metric(FA_METRIC_FPR, &c[i], *labelled);
    }
    out[FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE] = fa_aggregate_difference(sel, k);
    out[FA_AGG_DEMOGRAPHIC_PARITY_RATIO] = fa_aggregate_ratio(sel, k);
    out[FA_AGG_EQUALIZED_ODDS_DIFFERENCE] =
        fa_equalized_odds_difference(tpr, fpr, k);
    out[FA_AGG_EQUALIZED_ODDS_RATIO] = fa_equalized_odds_ratio(tpr, fpr, k);
    out[FA_AGG_EQUAL_OPPORTUNITY_DIFFERENCE] = fa_aggregate_difference(tpr, k);
    out[FA_AGG_EQUAL_OPPORTUNITY_RATIO] = fa_aggregate_ratio(tpr, k);
    free(sel);
    free(tpr);
    free(fpr);
}

/* A set's own random stream: the seed and the set's column names, so a
 * set's intervals do not move when other sets are added or reordered. */
static uint64_t
set_seed(uint64_t seed, const fa_results *r, const fa_group_set *gs)
{
    uint64_t h = 1469598103934665603ULL ^ seed;

    for (size_t k = 0; k < gs->ndims; k++) {
        for (const char *c = r->ds.dims[gs->dims[k]].name; *c; c++) {
            h ^= (unsigned char)*c;
            h *= 1099511628211ULL;
        }
        h ^= 0xff; /* separator */
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 32);
}

/* Bootstrap intervals of a set's aggregates. */
static void
aggregate_intervals(const struct stat_opts *o, const fa_results *r,
                    fa_group_set *gs, int64_t first, int64_t ngroups)
{
    int64_t(*rows)[4];
    int labelled = o->labelled;

    /* a max - min over groups is only as sure as its smallest group */
    for (int64_t i = first; i < first + ngroups; i++) {
        const fa_group *g = &r->groups[i];

        if (g->n > 0 && g->n < o->min_group) {
            char *why = fa_xasprintf(
                "insufficient evidence: a group has %lld rows, fewer than "
                "%lld (--min-group)",
                (long long)g->n, (long long)o->min_group);

            for (int a = 0; a < FA_AGG_COUNT; a++)
                gs->agg_ci[a] = (fa_interval){0, 0, fa_intern(why)};
            free(why);
            return;
        }
    }
    if (o->weighted) {
        fa_boot_cell(*cells)[4] =
            fa_xcalloc((size_t)ngroups + 1, sizeof(*cells));

        for (int64_t i = 0; i < ngroups; i++) {
            const fa_group *g = &r->groups[first + i];
            const double w[4] = {g->w.tp, g->w.fp, g->w.tn, g->w.fn};

            for (int q = 0; q < 4; q++)
                cells[i][q] = (fa_boot_cell){g->rows[q], w[q], g->w2[q],
                                             o->gw[first + i].v[q]};
        }
        fa_bootstrap_weighted((const fa_boot_cell(*)[4])cells, (size_t)ngroups,
                              aggregate_values, &labelled, FA_AGG_COUNT,
                              set_seed(o->seed, r, gs), o->bootstrap, o->conf,
                              gs->agg_ci);
        free(cells);
    } else {
        rows = fa_xcalloc((size_t)ngroups + 1, sizeof(*rows));
        for (int64_t i = 0; i < ngroups; i++)
            memcpy(rows[i], r->groups[first + i].rows, sizeof(rows[i]));
        fa_bootstrap((const int64_t(*)[4])rows, (size_t)ngroups,
                     aggregate_values, &labelled, FA_AGG_COUNT,
                     set_seed(o->seed, r, gs), o->bootstrap, o->conf,
                     gs->agg_ci);
        free(rows);
    }
    for (int a = 0; a < FA_AGG_COUNT; a++) {
        fa_interval *ci = &gs->agg_ci[a];
        double est = gs->agg[a].value;

        if (gs->agg[a].reason) {
            *ci = (fa_interval){0, 0, gs->agg[a].reason};
            continue;
        }
        /* every aggregate lies in [0, 1] */
        *ci = fa_bootstrap_basic(*ci, est, 0, 1);
    }
}

static void
set_statistics(const struct stat_opts *o, fa_results *r, fa_group_set *gs,
               int64_t first, int64_t ngroups)
{
    double t0 = now_seconds();

    aggregate_intervals(o, r, gs, first, ngroups);
    if (o->timings)
        o->timings->bootstrap += now_seconds() - t0;
    for (int64_t i = first; i < first + ngroups; i++)
        group_intervals(o, &r->groups[i]);
    for (int m = 0; m < FA_METRIC_COUNT; m++) {
        if (gs->ref_gid < 0 || !fa_metric_has_disparity((fa_metric)m))
            continue;
        for (int64_t i = first; i < first + ngroups; i++)
            compare(o, &r->groups[i], &r->groups[gs->ref_gid], (fa_metric)m);
        adjust_family(o, r, first, ngroups, (fa_metric)m);
    }
    for (int k = 0; k < 3; k++) {
        fa_metric m = fa_chi2_metrics[k];
        double *x = fa_xcalloc((size_t)ngroups + 1, sizeof(double));
        double *n = fa_xcalloc((size_t)ngroups + 1, sizeof(double));

        for (int64_t i = 0; i < ngroups; i++) {
            const fa_group *g = &r->groups[first + i];
            int64_t rows;

            if (!g->m[m].reason)
                binomial(g, m, o->weighted, &x[i], &n[i], &rows);
        }
        if (!r->ds.labelled && fa_metric_needs_label(m))
            gs->chi2[k] = (fa_test){0, 0, 0, "no label column"};
        else
            gs->chi2[k] = fa_test_chi2_independence(x, n, (size_t)ngroups);
        free(x);
        free(n);
    }
}

/* A value past the range of a double (scores near 1e308 summed, say) is
 * undefined, never an infinity or a NaN in the store. */
static void
finite_value(fa_value *v)
{
    if (!v->reason &&
        (!isfinite(v->value) ||
         (v->has_parts && (!isfinite(v->num) || !isfinite(v->den)))))
        *v = fa_value_undefined("overflows a double");
}

static void
finite_interval(fa_interval *ci)
{
    if (!ci->reason && (!isfinite(ci->lo) || !isfinite(ci->hi)))
        *ci = (fa_interval){0, 0, "overflows a double"};
}

static void
finite_test(fa_test *t)
{
    if (!t->reason && (!isfinite(t->p) || !isfinite(t->statistic)))
        *t = (fa_test){0, 0, 0, "overflows a double"};
}

static void
finite_results(fa_results *r)
{
    for (size_t i = 0; i < r->ngroups; i++) {
        fa_group *g = &r->groups[i];

        for (int m = 0; m < FA_METRIC_COUNT; m++) {
            fa_compare *c = &g->cmp[m];

            finite_value(&g->m[m]);
            finite_value(&g->ratio[m]);
            finite_value(&g->diff[m]);
            finite_interval(&g->ci[m]);
            finite_interval(&c->ratio_ci);
            finite_interval(&c->diff_ci);
            finite_test(&c->test);
            if (!c->test.reason && !isfinite(c->p_adjusted))
                c->test = (fa_test){0, 0, 0, "overflows a double"};
            finite_value(&c->mdr);
            finite_test(&c->cmh.test);
            finite_value(&c->cmh.odds_ratio);
        }
    }
    for (size_t k = 0; k < r->nsets; k++) {
        for (int a = 0; a < FA_AGG_COUNT; a++) {
            finite_value(&r->sets[k].agg[a]);
            finite_interval(&r->sets[k].agg_ci[a]);
        }
        for (int t = 0; t < 3; t++)
            finite_test(&r->sets[k].chi2[t]);
    }
}

/* Every non-empty subset of the attributes with at least two members, by
 * size, then in the order of --attr. */
static size_t
intersections(size_t nattrs, uint32_t *out)
{
    size_t n = 0;

    for (size_t size = 2; size <= nattrs; size++)
        for (uint32_t m = 0; m < (1u << nattrs); m++)
            if ((size_t)__builtin_popcount(m) == size)
                out[n++] = m;
    return n;
}

/* Reorders masks of the same size so that lower attributes come first:
 * {a,b} before {a,c} before {b,c}. */
static int
by_mask_order(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int px = __builtin_popcount(x), py = __builtin_popcount(y);

    if (px != py)
        return px - py;
    while (x != y) {
        uint32_t lx = x & -x, ly = y & -y;

        if (lx != ly)
            return lx < ly ? -1 : 1;
        x &= x - 1;
        y &= y - 1;
    }
    return 0;
}

/* The groups of one set, in r->groups. */
struct set_span {
    int64_t first, n;
    int seg;       /* segment index, -1 for attributes */
    uint32_t mask; /* attribute mask, 0 for overall */
};

/*
 * The scoring rate's counts (NYC LL144): the median of every row's score,
 * and each group's rows (and weight) scoring above it. A score equal to
 * the median is not above it.
 */
static void
scoring_counts(struct builder *B, const struct set_span *spans, size_t nspans,
               int64_t *const *cellgroups)
{
    const struct scan *sc = B->sc;
    fa_results *r = B->res;
    double *v = fa_xcalloc(sc->nsr + 1, sizeof(double)), med;
    int64_t *above = fa_xcalloc(sc->ncells + 1, sizeof(int64_t));
    double *wabove = fa_xcalloc(sc->ncells + 1, sizeof(double));

    for (size_t i = 0; i < r->ngroups; i++)
        r->groups[i].has_above = 1;
    if (sc->nsr == 0)
        goto out;
    for (size_t i = 0; i < sc->nsr; i++)
        v[i] = sc->sr[i].score;
    qsort(v, sc->nsr, sizeof(double), fa_cmp_double);
    med = sc->nsr % 2 ? v[sc->nsr / 2]
                      : v[sc->nsr / 2 - 1] / 2 + v[sc->nsr / 2] / 2;
    r->has_median = 1;
    r->score_median = med;
    for (size_t i = 0; i < sc->nsr; i++) {
        const struct srow *x = &sc->sr[i];

        if (!(x->score > med))
            continue;
        above[x->cell]++;
        wabove[x->cell] += x->weight;
        r->groups[0].above++;
        r->groups[0].wabove += x->weight;
        for (size_t k = 0; k < nspans; k++) {
            size_t nl, lv;
            int64_t rk;

            if (spans[k].seg < 0)
                continue;
            lv = sc->srseg[(size_t)x->row * sc->nsegs + (size_t)spans[k].seg];
            nl = sc->nattrs + (size_t)spans[k].seg;
            rk = B->ord[nl].rank[lv];
            if (rk >= 0) {
                r->groups[spans[k].first + rk].above++;
                r->groups[spans[k].first + rk].wabove += x->weight;
            }
        }
    }
    for (size_t k = 0; k < nspans; k++) {
        if (!spans[k].mask)
            continue;
        for (size_t c = 0; c < sc->ncells; c++) {
            fa_group *g = &r->groups[cellgroups[k][c]];

            g->above += above[c];
            g->wabove += wabove[c];
        }
    }
out:
    free(v);
    free(above);
    free(wabove);
}

static fa_err
compute(fa_ctx *ctx, struct scan *sc, const struct refpolicy *pol,
        const struct stat_opts *opts, fa_results *r)
{
    const fa_dataset *ds = &r->ds;
    struct builder B = {0};
    struct stat_opts sov = *opts, *so = &sov;
    const char **named = fa_xcalloc(ds->ndims + 1, sizeof(char *));
    int auc = ds->scored && ds->labelled;
    int scoring = ds->scored && so->scoring;
    int64_t **cellgroups = NULL, *scratch = NULL;
    uint32_t *masks = NULL;
    size_t nmasks = 0;
    fa_err err = FA_OK;
    struct set_span *spans = NULL;
    size_t nspans = 0;

    B.ctx = ctx;
    B.ds = ds;
    B.sc = sc;
    B.res = r;
    B.ord = fa_xcalloc(ds->ndims + 1, sizeof(struct order));
    for (size_t j = 0; j < ds->ndims; j++)
        order_init(&B.ord[j], &ds->dims[j], sc->levels[j]);
    if (pol->kind == REF_NAMED)
        err = refpolicy_resolve(ctx, pol, ds, named);
    if (err)
        goto out;

    if (sc->nattrs > 16) {
        err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                          "%zu attributes: at most 16 can be intersected",
                          sc->nattrs);
        goto out;
    }
    masks = fa_xcalloc((size_t)1 << sc->nattrs, sizeof(uint32_t));
    nmasks = intersections(sc->nattrs, masks);
    qsort(masks, nmasks, sizeof(uint32_t), by_mask_order);
    /* Intersections grow like 3^k with k attributes: count the groups
     * before building any, and refuse a run that would not fit. */
    {
        double total = 1;

        for (size_t i = 0; i < sc->nattrs + nmasks; i++) {
            uint32_t mask = i < sc->nattrs ? 1u << i : masks[i - sc->nattrs];
            double product = 1;

            for (size_t j = 0; j < sc->nattrs; j++)
                if (mask & (1u << j))
                    product *=
                        (double)(B.ord[j].nlisted ? B.ord[j].nlisted : 1);
            total += i < sc->nattrs || product <= FA_RUN_MAX_LISTED
                         ? product
                         : fmin(product, (double)sc->ncells);
        }
        for (size_t s = 0; s < sc->nsegs; s++)
            total += (double)B.ord[sc->nattrs + s].nlisted;
        if (total > FA_RUN_MAX_GROUPS) {
            err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                              "the attributes, their intersections and the "
                              "segments make %.0f groups, more than %d: "
                              "audit fewer attributes at once",
                              total, FA_RUN_MAX_GROUPS);
            goto out;
        }
    }
    spans = fa_xcalloc(1 + sc->nattrs + nmasks + sc->nsegs, sizeof(*spans));
    /* the AUC needs each set's cell -> group map after all sets exist */
    cellgroups = fa_xcalloc(1 + sc->nattrs + nmasks, sizeof(int64_t *));
    scratch = fa_xcalloc(sc->ncells + 1, sizeof(int64_t));

    /* the whole population */
    add_set(&B, FA_SET_OVERALL, NULL, 0);
    add_group(&B, 0);
    B.gacc[0] = sc->all;
    spans[nspans++] = (struct set_span){0, 1, -1, 0};
    for (size_t i = 0; i < sc->nattrs + nmasks; i++) {
        uint32_t mask = i < sc->nattrs ? 1u << i : masks[i - sc->nattrs];
        int64_t *cg = scratch, f;

        if (auc || sc->sdim >= 0 || scoring)
            cg = cellgroups[nspans] =
                fa_xcalloc(sc->ncells + 1, sizeof(int64_t));
        f = attr_set(&B, mask,
                     i < sc->nattrs ? FA_SET_ATTRIBUTE : FA_SET_INTERSECTION,
                     cg);
        spans[nspans++] =
            (struct set_span){f, (int64_t)r->ngroups - f, -1, mask};
    }
    for (size_t s = 0; s < sc->nsegs; s++) {
        int64_t f = segment_set(&B, s);

        spans[nspans++] =
            (struct set_span){f, (int64_t)r->ngroups - f, (int)s, 0};
    }
    for (size_t g = 0; g < r->ngroups; g++)
        group_metrics(ds, &r->groups[g], &B.gacc[g]);
    if (auc) {
        sort_by_score(sc->sr, sc->nsr, ds->weighted);
        for (size_t k = 0; k < nspans; k++)
            set_auc(&B, spans[k].first, spans[k].n,
                    spans[k].mask ? cellgroups[k] : NULL, spans[k].seg);
    }
    if (scoring)
        scoring_counts(&B, spans, nspans, cellgroups);
    for (size_t g = 0; g < r->ngroups; g++)
        if (r->groups[g].n == 0)
            empty_group(ds, &r->groups[g]);
    /* each small slot's weights in ascending order, so the bootstrap
     * draws the same weights in whatever order the rows came */
    for (size_t g = 0; B.gw && g < r->ngroups; g++)
        for (int q = 0; q < 4; q++)
            if (B.gw[g].v[q])
                qsort(B.gw[g].v[q], (size_t)B.gacc[g].rows[q], sizeof(double),
                      fa_cmp_double);
    so->gw = B.gw;
    group_intervals(so, &r->groups[0]);
    if (sc->sdim >= 0) {
        /* every attribute group's cells again, split by stratum */
        size_t ns = sc->nstrata, nx;
        const fa_dim *sd = &ds->dims[sc->sdim];
        const struct order *sord = &B.ord[sc->sdim];
        size_t *pos = fa_xcalloc(ns + 1, sizeof(size_t));

        /* the strata in the order of their values (as the column's own
         * groups), whatever order the rows came in */
        nx = sord->nlisted;
        for (size_t l = 0; l < ns; l++)
            pos[l] = sord->rank[l] >= 0 ? (size_t)sord->rank[l] : nx++;
        r->nstrata = ns;
        r->strata = fa_xstrdup(sd->name);
        r->stratum_values = fa_xcalloc(ns + 1, sizeof(char *));
        for (size_t l = 0; l < ns; l++)
            r->stratum_values[pos[l]] = fa_dim_level_value(sd, l);
        r->strat_rows = fa_xcalloc(r->ngroups * ns * 4 + 1, sizeof(int64_t));
        for (size_t k = 1; k < nspans; k++) {
            if (!spans[k].mask)
                continue;
            for (size_t c = 0; c < sc->ncells; c++) {
                int64_t g = cellgroups[k][c];
                size_t l = pos[(sc->cells[c].key / sc->sstride) % ns];
                int64_t *dst = r->strat_rows + ((size_t)g * ns + l) * 4;

                for (int q = 0; q < 4; q++)
                    dst[q] += sc->cells[c].a.rows[q];
            }
        }
        free(pos);
    }
    for (size_t k = 1; k < nspans; k++) {
        fa_group_set *gs = &r->sets[k];

        choose_reference(pol, named, r, gs, spans[k].first, spans[k].n);
        disparities(r, gs, spans[k].first, spans[k].n);
        aggregates(r, gs, spans[k].first, spans[k].n);
        {
            double t0 = now_seconds();
            double b0 = so->timings ? so->timings->bootstrap : 0;

            set_statistics(so, r, gs, spans[k].first, spans[k].n);
            /* the bootstrap inside is timed on its own */
            if (so->timings)
                so->timings->statistics +=
                    now_seconds() - t0 - (so->timings->bootstrap - b0);
        }
    }
    adjust_chi2(so, r);
out:
    for (size_t j = 0; j < ds->ndims; j++)
        order_release(&B.ord[j]);
    free(B.ord);
    free(B.gacc);
    for (size_t g = 0; B.gw && g < r->ngroups; g++)
        keep_release(&B.gw[g]);
    free(B.gw);
    free(named);
    if (cellgroups)
        for (size_t k = 0; k < 1 + sc->nattrs + nmasks; k++)
            free(cellgroups[k]);
    free(cellgroups);
    free(scratch);
    free(masks);
    free(spans);
    return err;
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

fa_err
fa_run_check_reference(fa_ctx *ctx, const char *reference)
{
    struct refpolicy p;
    fa_err err = refpolicy_parse(ctx, reference, &p);

    if (!err)
        refpolicy_release(&p);
    return err;
}

/* The run's template, resolved, with its hash, the fields and the
 * verdicts. */
static void
judge(const struct fa_run_opts *o, fa_results *r)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    json_t *f = json_object();
    char *s;

    r->template_name = fa_xstrdup(o->tmpl->name);
    r->template_json = fa_template_json(o->tmpl);
    crypto_hash_sha256(h, (const unsigned char *)r->template_json,
                       strlen(r->template_json));
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    r->template_sha256 = fa_xstrdup(hex);
    for (size_t i = 0; i < o->nfields; i++)
        json_object_set_new(f, o->fields[i].key,
                            json_string(o->fields[i].value));
    s = json_dumps(f, JSON_SORT_KEYS | JSON_COMPACT);
    r->fields_json = fa_xstrdup(s);
    free(s);
    json_decref(f);
    fa_policy_judge(o->tmpl, r);
    if (o->verdicts) {
        struct fa_run_verdicts *v = o->verdicts;

        v->overall = r->verdict;
        for (size_t i = 0; i < r->nverdicts; i++) {
            const fa_verdict *x = &r->verdicts[i];

            v->count[x->verdict]++;
            if (x->verdict == FA_VERDICT_FAIL &&
                v->nfail_lines < FA_RUN_FAIL_LINES) {
                const fa_group *g = &r->groups[x->gid];
                const fa_group_set *gs = &r->sets[g->set];
                char *name = fa_xstrdup("");

                for (size_t k = 0; k < gs->ndims; k++) {
                    char *n =
                        fa_xasprintf("%s%s%s=%s", name, k ? "," : "",
                                     r->ds.dims[gs->dims[k]].name,
                                     g->values[k] ? g->values[k] : "(missing)");

                    free(name);
                    name = n;
                }
                v->fail_lines = fa_xrealloc(v->fail_lines, v->nfail_lines + 1,
                                            sizeof(char *));
                v->fail_lines[v->nfail_lines++] =
                    fa_xasprintf("%s: %s: %s", name, x->metric, x->reason);
                free(name);
            }
        }
    }
}

void
fa_run_verdicts_release(struct fa_run_verdicts *v)
{
    for (size_t i = 0; i < v->nfail_lines; i++)
        free(v->fail_lines[i]);
    free(v->fail_lines);
    memset(v, 0, sizeof(*v));
}

fa_err
fa_run(fa_ctx *ctx, fa_store *st, const struct fa_run_opts *opts,
       int64_t *run_id)
{
    fa_results r = {0};
    struct scan sc = {0};
    struct refpolicy pol = {0};
    struct stat_opts so = {0};
    int64_t id = opts->dataset_id;
    int sdim = -1;
    double t0 = now_seconds();
    char when[32];
    fa_err err;

    *run_id = 0;
    if (opts->timings)
        memset(opts->timings, 0, sizeof(*opts->timings));
    err = refpolicy_parse(ctx, opts->reference, &pol);
    if (err)
        return err;
    if (!id) {
        err = fa_store_dataset_latest(ctx, st, &id);
        if (!err && !id)
            err = fa_ctx_fail(ctx, FA_ERR_NOT_FOUND,
                              "the store has no dataset (run 'fairaudit "
                              "ingest' first)");
    }
    if (!err)
        err = fa_store_dataset_load(ctx, st, id, &r.ds);
    if (!err && opts->strata) {
        for (size_t j = r.ds.nattrs; j < r.ds.ndims; j++)
            if (strcmp(r.ds.dims[j].name, opts->strata) == 0)
                sdim = (int)j;
        if (sdim < 0)
            err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                              "--strata '%s' is not a --segment column of "
                              "dataset %lld",
                              opts->strata, (long long)id);
    }
    if (!err)
        err = scan_init(ctx, &sc, &r.ds, sdim);
    if (!err && opts->tmpl && opts->tmpl->requires_label && !r.ds.labelled)
        err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                          "template %s needs a label column: dataset %lld "
                          "was loaded without --label",
                          opts->tmpl->name, (long long)id);
    pol.min_share = opts->exclude_below_share;
    sc.keep_scores = r.ds.scored && (r.ds.labelled || opts->scoring_rate);
    so.scoring = opts->scoring_rate;
    if (!err)
        err = scan_rows(ctx, st, &r.ds, &sc);
    if (opts->timings)
        opts->timings->scan = now_seconds() - t0;
    if (!err) {
        so.conf = opts->confidence > 0 ? opts->confidence : FA_RUN_CONFIDENCE;
        so.exact = opts->exact;
        so.bh = opts->bh;
        so.res = &r;
        so.weighted = r.ds.weighted;
        so.labelled = r.ds.labelled;
        so.seed = opts->has_seed ? opts->seed : FA_RUN_SEED;
        so.bootstrap = opts->bootstrap == 0  ? FA_RUN_BOOTSTRAP
                       : opts->bootstrap < 0 ? 0
                                             : (size_t)opts->bootstrap;
        r.seed = so.seed;
        r.bootstrap = (int64_t)so.bootstrap;
        so.min_group = opts->min_group == 0  ? FA_RUN_MIN_GROUP
                       : opts->min_group < 0 ? 0
                                             : opts->min_group;
        so.min_class = opts->min_class == 0  ? FA_RUN_MIN_CLASS
                       : opts->min_class < 0 ? 0
                                             : opts->min_class;
        r.confidence = so.conf;
        r.ci_method = fa_xstrdup(so.exact ? "clopper-pearson" : "wilson");
        r.correction = fa_xstrdup(so.bh ? "bh" : "holm");
        r.min_group = so.min_group;
        pol.min_rows = so.min_group;
        r.min_class = so.min_class;
        r.suppress = opts->suppress > 0 ? opts->suppress : 0;
        so.timings = opts->timings;
        t0 = now_seconds();
        err = compute(ctx, &sc, &pol, &so, &r);
        if (opts->timings)
            opts->timings->groups = now_seconds() - t0 -
                                    opts->timings->statistics -
                                    opts->timings->bootstrap;
    }
    if (!err) {
        finite_results(&r);
        if (opts->tmpl)
            judge(opts, &r);
        fa_ctx_now_iso(ctx, when, sizeof(when));
        r.created = fa_xstrdup(when);
        r.reference = fa_xstrdup(opts->reference ? opts->reference : "largest");
        r.tool_version =
            fa_xstrdup(opts->tool_version ? opts->tool_version : "unknown");
        fa_ctx_clock_iso(ctx, when, sizeof(when));
        r.finished = fa_xstrdup(when);
        err = fa_store_begin(ctx, st);
        if (!err) {
            t0 = now_seconds();
            err = fa_store_run_save(ctx, st, &r);
            /* the log entry is of the run as stored, in the same
             * transaction */
            if (!err)
                err = fa_runlog_append(ctx, st, r.run_id);
            if (err)
                fa_store_rollback(st);
            else
                err = fa_store_commit(ctx, st);
            if (opts->timings)
                opts->timings->save = now_seconds() - t0;
        }
    }
    if (!err)
        *run_id = r.run_id;
    refpolicy_release(&pol);
    scan_release(&sc);
    fa_results_release(&r);
    return err;
}
