/* rerun.c — a run done again from its parsed rows, in memory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "ingest.h"
#include "policy.h"
#include "rerun.h"
#include "results_json.h"
#include "run.h"
#include "version.h"

/* ------------------------------------------------------------------ */
/* Private functions: the rows as CSV                                  */

struct text {
    char *s;
    size_t n, cap;
};

static void
put(struct text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = t->cap ? t->cap : 1 << 16;
        while (t->n + n + 1 > t->cap)
            t->cap *= 2;
        t->s = fa_xrealloc(t->s, t->cap, 1);
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

static void
puts_(struct text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* A field quoted, its quotes doubled. */
static void
quoted(struct text *t, const char *s)
{
    put(t, "\"", 1);
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        put(t, s, (size_t)(q - s) + 1);
        put(t, "\"", 1);
    }
    puts_(t, s);
    put(t, "\"", 1);
}

static void
number(struct text *t, double d)
{
    char buf[40];

    fa_fmt_double(d, buf, sizeof(buf));
    puts_(t, buf);
}

struct rows {
    struct text t;
    const fa_dataset *ds;
};

static fa_err
row_batch(void *data, const fa_row_batch *b)
{
    struct rows *R = data;
    const fa_dataset *ds = R->ds;

    for (size_t i = 0; i < b->n; i++) {
        const char *sep = "";

        if (ds->labelled) {
            puts_(&R->t, b->y_true[i] ? "1" : "0");
            sep = ",";
        }
        puts_(&R->t, sep);
        puts_(&R->t, b->y_pred[i] ? "1" : "0");
        if (ds->scored) {
            puts_(&R->t, ",");
            number(&R->t, b->score[i]);
        }
        if (ds->weighted) {
            puts_(&R->t, ",");
            number(&R->t, b->weight[i]);
        }
        for (size_t j = 0; j < ds->ndims; j++) {
            const fa_dim *d = &ds->dims[j];
            int64_t code = b->code[i * b->ndims + j];

            puts_(&R->t, ",");
            if (d->bin_spec) {
                if (code)
                    number(&R->t, b->x[i * b->ndims + j]);
            } else if (code != d->missing_code && code >= 0 &&
                       (size_t)code < d->nvalues && d->values[code]) {
                quoted(&R->t, d->values[code]);
            }
        }
        puts_(&R->t, "\n");
    }
    return FA_OK;
}

/* name, with "_" before it until no audited column of ds has it. */
static char *
free_name(const fa_dataset *ds, const char *name)
{
    char *s = fa_xstrdup(name);

    for (;;) {
        size_t j = 0;
        char *t;

        while (j < ds->ndims && strcmp(ds->dims[j].name, s) != 0)
            j++;
        if (j == ds->ndims)
            return s;
        t = fa_xasprintf("_%s", s);
        free(s);
        s = t;
    }
}

/* ------------------------------------------------------------------ */
/* Private functions: the values of each cell                          */

/* One row's key: its slot, score and weight, and nk levels. */
struct vrec {
    double score, weight;
    int slot; /* 0 tp, 1 fp, 2 tn, 3 fn */
    uint32_t nk;
    uint32_t lv[];
};

struct values {
    const fa_dataset *ds;
    size_t *kd, nk; /* the cell's dims: the attributes and the strata column */
    size_t *sd, ns; /* the other segments */
    size_t stride;  /* bytes of a cell record */
    unsigned char *cell;
    unsigned char **seg; /* per other segment: records of one level */
    size_t n, cap;
    uint32_t **rank; /* per dim: level -> place in the order of its values */
};

static size_t
vrec_size(size_t nk)
{
    size_t s = sizeof(struct vrec) + nk * sizeof(uint32_t);

    return (s + 7) / 8 * 8;
}

/* The level of row i's dim j of batch b (as the run counts it). */
static uint32_t
row_level(const fa_dim *d, const fa_row_batch *b, size_t i, size_t j)
{
    size_t k = i * b->ndims + j;

    if (!d->bin_spec)
        return (uint32_t)b->code[k];
    return (uint32_t)(b->code[k] ? fa_dim_bin_of(d, b->x[k]) : d->nedges + 1);
}

static fa_err
values_batch(void *data, const fa_row_batch *b)
{
    struct values *V = data;
    const fa_dataset *ds = V->ds;
    size_t sstride = vrec_size(1);

    for (size_t i = 0; i < b->n; i++) {
        int y = ds->labelled && b->y_true[i] > 0, p = b->y_pred[i] > 0;
        int slot = p ? (y ? 0 : 1) : (y ? 3 : 2);
        double score = ds->scored ? b->score[i] : 0;
        double weight = ds->weighted ? b->weight[i] : 1;
        struct vrec *r;

        if (V->n == V->cap) {
            V->cap = V->cap ? 2 * V->cap : 4096;
            V->cell = fa_xrealloc(V->cell, V->cap, V->stride);
            for (size_t s = 0; s < V->ns; s++)
                V->seg[s] = fa_xrealloc(V->seg[s], V->cap, sstride);
        }
        r = (struct vrec *)(V->cell + V->n * V->stride);
        *r = (struct vrec){score, weight, slot, (uint32_t)V->nk};
        for (size_t k = 0; k < V->nk; k++)
            r->lv[k] = V->rank[V->kd[k]]
                              [row_level(&ds->dims[V->kd[k]], b, i, V->kd[k])];
        for (size_t s = 0; s < V->ns; s++) {
            r = (struct vrec *)(V->seg[s] + V->n * sstride);
            *r = (struct vrec){score, weight, slot, 1};
            r->lv[0] = V->rank[V->sd[s]]
                              [row_level(&ds->dims[V->sd[s]], b, i, V->sd[s])];
        }
        V->n++;
    }
    return FA_OK;
}

static int
vrec_cmp(const void *a, const void *b)
{
    const struct vrec *x = *(const struct vrec *const *)a;
    const struct vrec *y = *(const struct vrec *const *)b;

    for (uint32_t k = 0; k < x->nk; k++)
        if (x->lv[k] != y->lv[k])
            return x->lv[k] < y->lv[k] ? -1 : 1;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    return 0;
}

/* A level and its value, to put levels in the order of their values. */
struct named {
    char *name;
    uint32_t level;
};

static int
by_name(const void *a, const void *b)
{
    const struct named *x = a, *y = b;

    if (!x->name || !y->name)
        return (x->name == NULL) - (y->name == NULL); /* missing last */
    return strcmp(x->name, y->name);
}

/* Dim d's level values in the order the run lists its groups (values in
 * byte order, a binned column's bins in order, missing last) into names,
 * and each level's place in that order into rank. */
static void
level_order(const fa_dim *d, char **names, uint32_t *rank)
{
    size_t nl = fa_dim_levels(d);
    struct named *v = fa_xcalloc(nl + 1, sizeof(*v));

    for (size_t l = 0; l < nl; l++)
        v[l] = (struct named){fa_dim_level_value(d, l), (uint32_t)l};
    if (!d->bin_spec)
        qsort(v, nl, sizeof(*v), by_name);
    for (size_t i = 0; i < nl; i++) {
        names[i] = v[i].name;
        rank[v[i].level] = (uint32_t)i;
    }
    free(v);
}

/*
 * The lines of n records of stride bytes from base, sorted and counted:
 * kind, then each dim's value (dims dims[0..nk) of the record's levels,
 * the others empty), the label, decision, score and weight, and the rows.
 */
static void
values_lines(struct text *t, const fa_dataset *ds, char ***names,
             const char *kind, const size_t *dims, unsigned char *base,
             size_t stride, size_t n)
{
    const struct vrec **p = fa_xcalloc(n + 1, sizeof(*p));

    for (size_t i = 0; i < n; i++)
        p[i] = (const struct vrec *)(base + i * stride);
    qsort(p, n, sizeof(*p), vrec_cmp);
    for (size_t i = 0, e; i < n; i = e) {
        const struct vrec *r = p[i];
        char num[40];

        e = i + 1;
        while (e < n && vrec_cmp(&p[e], &p[i]) == 0)
            e++;
        puts_(t, kind);
        for (size_t j = 0; j < ds->ndims; j++) {
            puts_(t, ",");
            for (uint32_t k = 0; k < r->nk; k++)
                if (dims[k] == j && names[j][r->lv[k]])
                    quoted(t, names[j][r->lv[k]]);
        }
        puts_(t, ",");
        if (ds->labelled)
            puts_(t, r->slot == 0 || r->slot == 3 ? "1" : "0");
        puts_(t, r->slot < 2 ? ",1," : ",0,");
        if (ds->scored)
            number(t, r->score);
        puts_(t, ",");
        if (ds->weighted)
            number(t, r->weight);
        snprintf(num, sizeof(num), ",%zu\n", e - i);
        puts_(t, num);
    }
    free(p);
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

fa_err
fa_rerun_rows_csv(fa_ctx *ctx, fa_store *st, const fa_dataset *ds, char **text,
                  size_t *len, json_t **columns)
{
    struct rows R = {{0}, ds};
    static const char *const keys[] = {"label", "pred", "score", "weight"};
    const int have[] = {ds->labelled, 1, ds->scored, ds->weighted};
    json_t *cols = json_object();
    const char *sep = "";
    fa_err err;

    *text = NULL;
    *len = 0;
    *columns = NULL;
    for (size_t k = 0; k < 4; k++) {
        char *name;

        if (!have[k])
            continue;
        name = free_name(ds, keys[k]);
        json_object_set_new(cols, keys[k], json_string(name));
        puts_(&R.t, sep);
        quoted(&R.t, name);
        sep = ",";
        free(name);
    }
    for (size_t j = 0; j < ds->ndims; j++) {
        puts_(&R.t, ",");
        quoted(&R.t, ds->dims[j].name);
    }
    puts_(&R.t, "\n");
    err = fa_store_rows_scan(ctx, st, ds, row_batch, &R);
    if (err) {
        free(R.t.s);
        json_decref(cols);
        return err;
    }
    *text = R.t.s;
    *len = R.t.n;
    *columns = cols;
    return FA_OK;
}

fa_err
fa_rerun_values_csv(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                    const char *strata, char **text, size_t *len)
{
    struct values V = {0};
    struct text t = {0};
    char ***names = fa_xcalloc(ds->ndims + 1, sizeof(*names));
    fa_err err;

    *text = NULL;
    *len = 0;
    V.ds = ds;
    V.kd = fa_xcalloc(ds->ndims + 1, sizeof(size_t));
    V.rank = fa_xcalloc(ds->ndims + 1, sizeof(*V.rank));
    V.sd = fa_xcalloc(ds->ndims + 1, sizeof(size_t));
    for (size_t j = 0; j < ds->ndims; j++) {
        size_t nl = fa_dim_levels(&ds->dims[j]);

        if (j < ds->nattrs || (strata && strcmp(strata, ds->dims[j].name) == 0))
            V.kd[V.nk++] = j;
        else
            V.sd[V.ns++] = j;
        names[j] = fa_xcalloc(nl + 1, sizeof(char *));
        V.rank[j] = fa_xcalloc(nl + 1, sizeof(uint32_t));
        level_order(&ds->dims[j], names[j], V.rank[j]);
    }
    V.stride = vrec_size(V.nk);
    V.seg = fa_xcalloc(V.ns + 1, sizeof(*V.seg));
    err = fa_store_rows_scan(ctx, st, ds, values_batch, &V);
    if (!err) {
        puts_(&t, "kind");
        for (size_t j = 0; j < ds->ndims; j++) {
            puts_(&t, ",");
            quoted(&t, ds->dims[j].name);
        }
        puts_(&t, ",label,pred,score,weight,rows\n");
        values_lines(&t, ds, names, "cell", V.kd, V.cell, V.stride, V.n);
        for (size_t s = 0; s < V.ns; s++) {
            char *k = fa_xasprintf("segment:%s", ds->dims[V.sd[s]].name);
            struct text q = {0};

            quoted(&q, k);
            values_lines(&t, ds, names, q.s, &V.sd[s], V.seg[s], vrec_size(1),
                         V.n);
            free(q.s);
            free(k);
        }
        *text = t.s;
        *len = t.n;
    } else {
        free(t.s);
    }
    for (size_t j = 0; j < ds->ndims; j++) {
        for (size_t l = 0; names[j] && l < fa_dim_levels(&ds->dims[j]); l++)
            free(names[j][l]);
        free(names[j]);
        free(V.rank[j]);
    }
    free(V.rank);
    free(names);
    for (size_t s = 0; s < V.ns; s++)
        free(V.seg[s]);
    free(V.seg);
    free(V.cell);
    free(V.kd);
    free(V.sd);
    return err;
}

/* A whole number of o's key (0 when absent). */
static int64_t
integer(json_t *o, const char *key)
{
    json_t *x = json_object_get(o, key);

    return json_is_integer(x) ? (int64_t)json_integer_value(x) : 0;
}

static const char *
string(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ------------------------------------------------------------------ */
/* Public functions: a mapped table's ingest options                   */

int
fa_mapped_ingest_init(fa_mapped_ingest *m, json_t *mapping, const char *path)
{
    static const char *const keys[] = {
        "label",    "pred",          "score",         "weight",   "positive",
        "negative", "pred_positive", "pred_negative", "delimiter"};
    json_t *attrs = json_object_get(mapping, "attributes");
    json_t *segs = json_object_get(mapping, "segments");
    json_t *bins = json_object_get(mapping, "bins"), *x;
    const char *key, *delim;
    int bad = !json_is_object(mapping) || !json_is_array(attrs) ||
              (segs && !json_is_array(segs)) || (bins && !json_is_object(bins));
    size_t i;

    memset(m, 0, sizeof(*m));
    for (size_t k = 0; k < FA_ARRAY_LEN(keys); k++) {
        json_t *y = json_object_get(mapping, keys[k]);

        bad |= y && !json_is_null(y) && !json_is_string(y);
    }
    json_array_foreach(attrs, i, x) bad |= !json_is_string(x);
    json_array_foreach(segs, i, x) bad |= !json_is_string(x);
    json_object_foreach(bins, key, x) bad |= !json_is_string(x);
    if (bad)
        return -1;
    m->attrs = fa_xcalloc(json_array_size(attrs) + 1, sizeof(char *));
    m->segments = fa_xcalloc(json_array_size(segs) + 1, sizeof(char *));
    m->bins = fa_xcalloc(json_object_size(bins) + 1, sizeof(*m->bins));
    json_array_foreach(attrs, i, x) m->attrs[i] = json_string_value(x);
    json_array_foreach(segs, i, x) m->segments[i] = json_string_value(x);
    i = 0;
    json_object_foreach(bins, key, x)
    {
        m->bins[i].column = key;
        m->bins[i].spec = json_string_value(x);
        i++;
    }
    m->o.path = path;
    m->o.label = string(mapping, "label");
    m->o.pred = string(mapping, "pred");
    m->o.score = string(mapping, "score");
    m->o.weight = string(mapping, "weight");
    m->o.positive = string(mapping, "positive");
    m->o.negative = string(mapping, "negative");
    m->o.pred_positive = string(mapping, "pred_positive");
    m->o.pred_negative = string(mapping, "pred_negative");
    x = json_object_get(mapping, "threshold");
    if (json_is_number(x)) {
        m->o.has_threshold = 1;
        m->o.threshold = json_number_value(x);
    }
    m->o.attrs = m->attrs;
    m->o.nattrs = json_array_size(attrs);
    m->o.segments = m->segments;
    m->o.nsegments = json_array_size(segs);
    m->o.bins = m->bins;
    m->o.nbins = i;
    delim = string(mapping, "delimiter");
    m->o.delimiter = delim && strlen(delim) == 1 ? delim[0] : 0;
    m->o.max_rejects = INT64_MAX;
    return 0;
}

void
fa_mapped_ingest_release(fa_mapped_ingest *m)
{
    free(m->attrs);
    free(m->segments);
    free(m->bins);
    memset(m, 0, sizeof(*m));
}

fa_err
fa_rerun(fa_ctx *ctx, const char *path, json_t *mapping,
         const char *template_json, json_t *results, char **out, int64_t *rows)
{
    fa_mapped_ingest mi;
    struct fa_ingest_result ir;
    struct fa_run_opts ro = {0};
    json_t *run = json_object_get(results, "run");
    json_t *fields = json_object_get(results, "fields"), *x;
    fa_field *f;
    fa_template t;
    int have_t = 0;
    fa_store *st = NULL;
    const char *key;
    size_t nf = 0;
    int64_t run_id = 0;
    fa_err err = FA_OK;

    *out = NULL;
    *rows = 0;
    if (fa_mapped_ingest_init(&mi, mapping, path) != 0)
        return fa_ctx_fail(ctx, FA_ERR_USAGE, "a malformed column mapping");
    /* every row loads, or the table is not the one audited */
    mi.o.max_rejects = 0;
    f = fa_xcalloc(json_object_size(fields) + 1, sizeof(*f));
    json_object_foreach(fields, key, x)
    {
        f[nf].key = (char *)key;
        f[nf].value = (char *)json_string_value(x);
        nf++;
    }
    /* the run's options as it recorded them (0 asks for none) */
    ro.tool_version = FA_VERSION;
    ro.reference = string(run, "reference");
    ro.confidence = json_number_value(json_object_get(run, "confidence"));
    ro.has_ci = 1;
    ro.exact = string(run, "ci_method") &&
               strcmp(string(run, "ci_method"), "clopper-pearson") == 0;
    ro.has_correction = 1;
    ro.bh = string(run, "correction") &&
            strcmp(string(run, "correction"), "bh") == 0;
    ro.min_group = integer(run, "min_group") ? integer(run, "min_group") : -1;
    ro.min_class = integer(run, "min_class") ? integer(run, "min_class") : -1;
    ro.has_seed = 1;
    ro.seed = (uint64_t)integer(run, "seed");
    ro.bootstrap = integer(run, "bootstrap") ? integer(run, "bootstrap") : -1;
    ro.strata = string(run, "strata");
    ro.suppress = integer(run, "suppress") ? integer(run, "suppress") : -1;
    ro.fields = f;
    ro.nfields = nf;
    if (template_json) {
        err = fa_template_parse(ctx, template_json, strlen(template_json),
                                "template.json", &t);
        if (!err) {
            have_t = 1;
            fa_template_resolve(&t, &ro);
            ro.tmpl = &t;
        }
    }
    if (!err)
        err = fa_store_open(ctx, ":memory:", 1, &st);
    if (!err)
        err = fa_ingest(ctx, st, &mi.o, &ir);
    if (!err) {
        *rows = ir.rows_loaded;
        ro.dataset_id = ir.dataset_id;
        err = fa_run(ctx, st, &ro, &run_id);
    }
    if (!err)
        err = fa_results_json_text(ctx, st, run_id, out);
    fa_store_close(st);
    if (have_t)
        fa_template_release(&t);
    fa_mapped_ingest_release(&mi);
    free(f);
    return err;
}
