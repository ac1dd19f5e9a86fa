/* curves.c — ROC, calibration and threshold-sweep data per attribute
 * group, from one pass over a dataset's rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "curves.h"

/* One scored row of a group. */
struct pt {
    double s, w;
    int y;
};

struct vec {
    struct pt *p;
    size_t n, cap;
};

struct load {
    const fa_results *r;
    size_t nattrs;
    const fa_group_set **set; /* per attribute */
    int64_t **gid;            /* per attribute: level -> gid, -1 none */
    struct vec **v;           /* per attribute: per group of its set */
};

static int
same(const char *a, const char *b)
{
    return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

/* The group of each level of attribute j, by the value its group shows. */
static int64_t *
level_groups(const fa_results *r, const fa_group_set *gs, size_t j)
{
    const fa_dim *d = &r->ds.dims[j];
    size_t nl = fa_dim_levels(d) ? fa_dim_levels(d) : 1;
    int64_t *map = fa_xcalloc(nl + 1, sizeof(int64_t));

    for (size_t l = 0; l < nl; l++) {
        char *label = NULL;
        const char *v;

        map[l] = -1;
        if (d->bin_spec) {
            label = l == d->nedges + 1 ? NULL : fa_dim_bin_label(d, l);
            v = label;
        } else {
            v = l < d->nvalues ? d->values[l] : NULL;
        }
        for (size_t i = 0; i < r->ngroups; i++)
            if (r->groups[i].set == gs->id && same(r->groups[i].values[0], v))
                map[l] = (int64_t)i;
        free(label);
    }
    return map;
}

static fa_err
collect(void *data, const fa_row_batch *b)
{
    struct load *L = data;
    const fa_dataset *ds = &L->r->ds;

    for (size_t k = 0; k < b->n; k++) {
        for (size_t j = 0; j < L->nattrs; j++) {
            const fa_dim *d = &ds->dims[j];
            size_t idx = k * b->ndims + j;
            size_t lv = !d->bin_spec   ? (size_t)b->code[idx]
                        : b->code[idx] ? fa_dim_bin_of(d, b->x[idx])
                                       : d->nedges + 1;
            int64_t g = L->gid[j][lv];
            struct vec *v;

            if (g < 0)
                continue;
            v = &L->v[j][(size_t)g];
            if (v->n == v->cap) {
                v->cap = v->cap ? 2 * v->cap : 256;
                v->p = fa_xrealloc(v->p, v->cap, sizeof(*v->p));
            }
            v->p[v->n++] =
                (struct pt){b->score[k], b->weight[k], b->y_true[k] > 0};
        }
    }
    return FA_OK;
}

static int
by_score_desc(const void *a, const void *b)
{
    double x = ((const struct pt *)a)->s, y = ((const struct pt *)b)->s;

    return (x < y) - (x > y);
}

/* ROC points by falling threshold, one per distinct score, thinned; rates
 * of weight (of rows when unweighted). */
static void
roc(fa_curve_group *cg, const struct pt *p, size_t n)
{
    size_t cap = n + 2, m = 0, step;
    double *fx, *ty, tp = 0, fp = 0, wpos = 0, wneg = 0;

    for (size_t i = 0; i < n; i++)
        *(p[i].y ? &wpos : &wneg) += p[i].w;
    if (cg->positives == 0 || cg->positives == cg->n || wpos <= 0 || wneg <= 0)
        return;
    fx = fa_xcalloc(cap, sizeof(double));
    ty = fa_xcalloc(cap, sizeof(double));
    fx[m] = 0;
    ty[m++] = 0;
    for (size_t i = 0; i < n; i++) {
        *(p[i].y ? &tp : &fp) += p[i].w;
        if (i + 1 == n || p[i + 1].s != p[i].s) {
            fx[m] = fmin(1, fp / wneg);
            ty[m++] = fmin(1, tp / wpos);
        }
    }
    step = (m + FA_CURVES_ROC_POINTS - 1) / FA_CURVES_ROC_POINTS;
    cg->roc_fpr = fa_xcalloc(m + 1, sizeof(double));
    cg->roc_tpr = fa_xcalloc(m + 1, sizeof(double));
    for (size_t i = 0; i < m; i += step) {
        cg->roc_fpr[cg->nroc] = fx[i];
        cg->roc_tpr[cg->nroc++] = ty[i];
    }
    if (cg->roc_fpr[cg->nroc - 1] != fx[m - 1] ||
        cg->roc_tpr[cg->nroc - 1] != ty[m - 1]) {
        cg->roc_fpr[cg->nroc] = fx[m - 1];
        cg->roc_tpr[cg->nroc++] = ty[m - 1];
    }
    free(fx);
    free(ty);
}

static void
curve_group(fa_score_curves *c, fa_curve_group *cg, struct vec *v)
{
    double width = c->cal_hi - c->cal_lo;
    double sums[FA_CAL_BINS] = {0}, wsum[FA_CAL_BINS] = {0};
    double pos[FA_CAL_BINS] = {0};
    double wall = 0, wpos = 0, sel = 0, tp = 0;
    size_t i = 0;

    qsort(v->p, v->n, sizeof(*v->p), by_score_desc);
    cg->n = (int64_t)v->n;
    for (size_t k = 0; k < v->n; k++) {
        cg->positives += v->p[k].y;
        wall += v->p[k].w;
        wpos += v->p[k].y ? v->p[k].w : 0;
    }
    roc(cg, v->p, v->n);
    for (size_t k = 0; k < v->n; k++) {
        int b = width > 0
                    ? (int)floor((v->p[k].s - c->cal_lo) / width * FA_CAL_BINS)
                    : 0;

        b = b < 0 ? 0 : b >= FA_CAL_BINS ? FA_CAL_BINS - 1 : b;
        cg->cal_n[b]++;
        sums[b] += v->p[k].w * v->p[k].s;
        wsum[b] += v->p[k].w;
        pos[b] += v->p[k].y ? v->p[k].w : 0;
    }
    for (int b = 0; b < FA_CAL_BINS; b++) {
        if (cg->cal_n[b] && wsum[b] > 0) {
            cg->cal_score[b] = sums[b] / wsum[b];
            cg->cal_rate[b] = pos[b] / wsum[b];
        } else {
            cg->cal_n[b] = 0; /* rows of no weight: nothing to show */
        }
    }
    /* thresholds ascending, scores descending: walk both from the top */
    cg->sel = fa_xcalloc(c->nthresh + 1, sizeof(double));
    cg->tpr = fa_xcalloc(c->nthresh + 1, sizeof(double));
    cg->tpr_ok = fa_xcalloc(c->nthresh + 1, 1);
    for (size_t t = c->nthresh; t-- > 0;) {
        while (i < v->n && v->p[i].s >= c->thresh[t]) {
            sel += v->p[i].w;
            tp += v->p[i].y ? v->p[i].w : 0;
            i++;
        }
        cg->sel[t] = wall > 0 ? fmin(1, sel / wall) : 0;
        cg->tpr_ok[t] = wpos > 0;
        cg->tpr[t] = wpos > 0 ? fmin(1, tp / wpos) : 0;
    }
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

fa_err
fa_score_curves_load(fa_ctx *ctx, fa_store *st, const fa_results *r,
                     fa_score_curves **out, size_t *n)
{
    const fa_dataset *ds = &r->ds;
    struct load L = {r, ds->nattrs, NULL, NULL, NULL};
    fa_score_curves *c;
    json_t *map;
    fa_err err;

    *out = NULL;
    *n = 0;
    if (!ds->scored || !ds->labelled || ds->nattrs == 0)
        return FA_OK;
    L.set = fa_xcalloc(L.nattrs, sizeof(*L.set));
    L.gid = fa_xcalloc(L.nattrs, sizeof(*L.gid));
    L.v = fa_xcalloc(L.nattrs, sizeof(*L.v));
    for (size_t s = 1; s < r->nsets; s++) {
        const fa_group_set *gs = &r->sets[s];

        if (gs->kind == FA_SET_ATTRIBUTE && gs->ndims == 1 &&
            (size_t)gs->dims[0] < L.nattrs)
            L.set[gs->dims[0]] = gs;
    }
    for (size_t j = 0; j < L.nattrs; j++) {
        if (!L.set[j])
            continue;
        L.gid[j] = level_groups(r, L.set[j], j);
        L.v[j] = fa_xcalloc(r->ngroups + 1, sizeof(struct vec));
    }
    for (size_t j = 0; j < L.nattrs; j++)
        if (!L.set[j]) {
            /* every attribute has its set; a run without one is not ours */
            err = fa_ctx_fail(ctx, FA_ERR_STORE,
                              "run %lld lacks the set of "
                              "attribute %zu",
                              (long long)r->run_id, j);
            goto out;
        }
    err = fa_store_rows_scan(ctx, st, ds, collect, &L);
    if (err)
        goto out;
    c = fa_xcalloc(L.nattrs, sizeof(*c));
    map = ds->mapping ? json_loads(ds->mapping, 0, NULL) : NULL;
    for (size_t j = 0; j < L.nattrs; j++) {
        fa_score_curves *cj = &c[j];
        json_t *th = map ? json_object_get(map, "threshold") : NULL;
        double lo = ds->score_min, hi = ds->score_max;

        cj->set = L.set[j]->id;
        cj->cal_lo = lo >= 0 && hi <= 1 ? 0 : lo;
        cj->cal_hi = lo >= 0 && hi <= 1 ? 1 : hi;
        cj->nthresh = FA_CURVES_THRESHOLDS;
        cj->thresh = fa_xcalloc(cj->nthresh, sizeof(double));
        for (size_t t = 0; t < cj->nthresh; t++)
            cj->thresh[t] =
                lo + (hi - lo) * (double)t / (double)(cj->nthresh - 1);
        if (json_is_number(th)) {
            cj->has_chosen = 1;
            cj->chosen = json_number_value(th);
        }
        /* a suppressed group has no published curve */
        for (size_t i = 0; i < r->ngroups; i++)
            cj->ngroups +=
                r->groups[i].set == cj->set && !r->groups[i].suppressed;
        cj->g = fa_xcalloc(cj->ngroups + 1, sizeof(*cj->g));
        cj->ngroups = 0;
        for (size_t i = 0; i < r->ngroups; i++) {
            if (r->groups[i].set != cj->set || r->groups[i].suppressed)
                continue;
            cj->g[cj->ngroups].gid = (int64_t)i;
            curve_group(cj, &cj->g[cj->ngroups], &L.v[j][i]);
            cj->ngroups++;
        }
    }
    json_decref(map);
    *out = c;
    *n = L.nattrs;
out:
    for (size_t j = 0; j < L.nattrs; j++) {
        for (size_t i = 0; L.v[j] && i < r->ngroups; i++)
            free(L.v[j][i].p);
        free(L.v[j]);
        free(L.gid[j]);
    }
    free(L.v);
    free(L.gid);
    free(L.set);
    return err;
}

void
fa_score_curves_free(fa_score_curves *c, size_t n)
{
    for (size_t j = 0; c && j < n; j++) {
        for (size_t i = 0; i < c[j].ngroups; i++) {
            fa_curve_group *g = &c[j].g[i];

            free(g->roc_fpr);
            free(g->roc_tpr);
            free(g->sel);
            free(g->tpr);
            free(g->tpr_ok);
        }
        free(c[j].g);
        free(c[j].thresh);
    }
    free(c);
}

void
fa_sweep_compute(const fa_results *r, const fa_score_curves *c, fa_sweep *out)
{
    size_t n = c->nthresh;

    out->eligible = fa_xcalloc(c->ngroups + 1, 1);
    out->neligible = 0;
    out->rok = fa_xcalloc(n + 1, 1);
    out->gok = fa_xcalloc(n + 1, 1);
    out->ratio = fa_xcalloc(n + 1, sizeof(double));
    out->gap = fa_xcalloc(n + 1, sizeof(double));
    for (size_t i = 0; i < c->ngroups; i++) {
        const fa_group *g = &r->groups[c->g[i].gid];

        out->eligible[i] =
            g->n > 0 && g->n >= r->min_group && !fa_group_has_missing(r, g);
        out->neligible += out->eligible[i];
    }
    for (size_t t = 0; t < n; t++) {
        double slo = INFINITY, shi = -INFINITY, tl = INFINITY, th = -INFINITY;
        size_t ns = 0, nt = 0;

        for (size_t i = 0; i < c->ngroups; i++) {
            const fa_curve_group *g = &c->g[i];

            if (!out->eligible[i])
                continue;
            slo = fmin(slo, g->sel[t]);
            shi = fmax(shi, g->sel[t]);
            ns++;
            if (g->tpr_ok[t]) {
                tl = fmin(tl, g->tpr[t]);
                th = fmax(th, g->tpr[t]);
                nt++;
            }
        }
        /* a ratio of one group to itself says nothing: two at least */
        out->rok[t] = ns >= 2 && shi > 0;
        out->ratio[t] = out->rok[t] ? slo / shi : 0;
        out->gok[t] = nt >= 2;
        out->gap[t] = out->gok[t] ? th - tl : 0;
    }
}

void
fa_sweep_free(fa_sweep *s)
{
    free(s->eligible);
    free(s->rok);
    free(s->gok);
    free(s->ratio);
    free(s->gap);
    memset(s, 0, sizeof(*s));
}
