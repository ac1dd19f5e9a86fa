/* compare.c — two runs compared (GSL for the chi-square tail). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <zip.h>

#include "compare.h"
#include "confusion.h"
#include "dataset.h"
#include "ingest.h"
#include "pack.h"
#include "rerun.h"
#include "results.h"
#include "results_json.h"
#include "stats.h"
#include "version.h"

/* ------------------------------------------------------------------ */
/* Public functions: the statistics                                    */

double
fa_psi(const double *p, const double *q, size_t k)
{
    double psi = 0;

    for (size_t i = 0; i < k; i++) {
        double a = p[i] > 0 ? p[i] : 1e-4, b = q[i] > 0 ? q[i] : 1e-4;

        if (p[i] <= 0 && q[i] <= 0)
            continue;
        psi += (b - a) * log(b / a);
    }
    return psi;
}

double
fa_ks_two_sample(const double *a, size_t na, const double *b, size_t nb,
                 double *p)
{
    size_t i = 0, j = 0;
    double d = 0, ne, lambda, sum = 0;

    *p = 1;
    if (!na || !nb)
        return 0;
    while (i < na && j < nb) {
        double x = a[i] <= b[j] ? a[i] : b[j];

        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        d = fmax(d, fabs((double)i / (double)na - (double)j / (double)nb));
    }
    ne = (double)na * (double)nb / (double)(na + nb);
    lambda = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * d;
    /* Q_KS(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2); below
     * 0.2 it is 1 to 5e-13, where the alternating sum converges too
     * slowly to be summed */
    if (lambda < 0.2) {
        *p = 1;
        return d;
    }
    for (int k = 1; k <= 200; k++) {
        double t = 2 * ((k & 1) ? 1 : -1) * exp(-2.0 * k * k * lambda * lambda);

        sum += t;
        if (fabs(t) < 1e-12 * fabs(sum) || fabs(t) < 1e-300)
            break;
    }
    *p = fmin(1, fmax(0, sum));
    return d;
}

/* ------------------------------------------------------------------ */
/* Private functions: the sides                                        */

/* The canonical text of a group's attributes (caller frees). */
static char *
attrs_key(json_t *attrs)
{
    if (!attrs)
        return fa_xstrdup("{}");
    return json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* Per attribute and level, the scores of its rows. */
struct vec {
    double *s;
    size_t n, cap;
};

struct collect {
    const fa_dataset *ds;
    struct vec **v; /* [attribute][level] */
    struct vec all;
};

static void
vec_add(struct vec *v, double x)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->s = fa_xrealloc(v->s, v->cap, sizeof(double));
    }
    v->s[v->n++] = x;
}

/* The level of dim d of a row: a code, a bin, or the last for missing. */
static size_t
level_of(const fa_dim *d, const fa_row_batch *b, size_t i, size_t j)
{
    int64_t code = b->code[i * b->ndims + j];

    if (d->bin_spec)
        return code ? fa_dim_bin_of(d, b->x[i * b->ndims + j]) : d->nedges + 1;
    if (code < 0 || (size_t)code >= d->nvalues || code == d->missing_code)
        return d->nvalues;
    return (size_t)code;
}

static size_t
levels(const fa_dim *d)
{
    return d->bin_spec ? d->nedges + 2 : d->nvalues + 1;
}

static fa_err
collect_batch(void *data, const fa_row_batch *b)
{
    struct collect *C = data;

    for (size_t i = 0; i < b->n; i++) {
        vec_add(&C->all, b->score[i]);
        for (size_t j = 0; j < C->ds->nattrs; j++)
            vec_add(&C->v[j][level_of(&C->ds->dims[j], b, i, j)], b->score[i]);
    }
    return FA_OK;
}

/* The scores of dataset ds of st by single-attribute group (and the
 * population, key "{}"). */
static fa_err
load_scores(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
            fa_cmp_scores **out, size_t *n)
{
    struct collect C = {ds, NULL, {0}};
    fa_cmp_scores *sc;
    size_t k = 0, total = 1;
    fa_err err;

    *out = NULL;
    *n = 0;
    C.v = fa_xcalloc(ds->nattrs + 1, sizeof(*C.v));
    for (size_t j = 0; j < ds->nattrs; j++) {
        C.v[j] = fa_xcalloc(levels(&ds->dims[j]), sizeof(struct vec));
        total += levels(&ds->dims[j]);
    }
    err = fa_store_rows_scan(ctx, st, ds, collect_batch, &C);
    sc = fa_xcalloc(total, sizeof(*sc));
    if (!err) {
        qsort(C.all.s, C.all.n, sizeof(double), fa_cmp_double);
        sc[k++] = (fa_cmp_scores){fa_xstrdup("{}"), C.all.s, C.all.n};
        C.all.s = NULL;
    }
    for (size_t j = 0; j < ds->nattrs; j++) {
        const fa_dim *d = &ds->dims[j];

        for (size_t l = 0; l < levels(d); l++) {
            struct vec *v = &C.v[j][l];
            json_t *a;
            char *label = NULL;

            if (err || !v->n) {
                free(v->s);
                continue;
            }
            a = json_object();
            if (d->bin_spec && l <= d->nedges)
                label = fa_dim_bin_label(d, l);
            json_object_set_new(
                a, d->name,
                d->bin_spec ? (label ? json_string(label) : json_null())
                : l < d->nvalues && d->values[l] ? json_string(d->values[l])
                                                 : json_null());
            free(label);
            qsort(v->s, v->n, sizeof(double), fa_cmp_double);
            sc[k++] = (fa_cmp_scores){attrs_key(a), v->s, v->n};
            json_decref(a);
        }
        free(C.v[j]);
    }
    free(C.v);
    free(C.all.s);
    if (err) {
        for (size_t i = 0; i < k; i++) {
            free(sc[i].key);
            free(sc[i].s);
        }
        free(sc);
        return err;
    }
    *out = sc;
    *n = k;
    return FA_OK;
}

/* The tolerance of a run's resolved template (results.json), or -1. */
static double
results_tolerance(json_t *res)
{
    json_t *x = json_object_get(
        json_object_get(json_object_get(res, "template"), "resolved"),
        "tolerance");

    return json_is_number(x) ? json_number_value(x) : -1;
}

/* ------------------------------------------------------------------ */
/* Public functions: the sides                                         */

fa_err
fa_cmp_side_from_run(fa_ctx *ctx, fa_store *st, const char *store_path,
                     int64_t run_id, fa_cmp_side *side)
{
    char *text = NULL;
    json_t *ds;
    fa_err err;

    memset(side, 0, sizeof(*side));
    err = fa_results_json_text(ctx, st, run_id, &text);
    if (err)
        return err;
    side->results = json_loads(text, 0, NULL);
    free(text);
    side->name = fa_xasprintf("run %lld of %s", (long long)run_id,
                              store_path ? store_path : "the store");
    side->tolerance = results_tolerance(side->results);
    ds = json_object_get(side->results, "dataset");
    if (!json_is_true(json_object_get(ds, "scored"))) {
        side->scores_reason = "no score column";
    } else {
        fa_dataset d;

        err = fa_store_dataset_load(
            ctx, st, json_integer_value(json_object_get(ds, "id")), &d);
        if (!err) {
            err = load_scores(ctx, st, &d, &side->scores, &side->nscores);
            fa_dataset_release(&d);
        }
    }
    if (err)
        fa_cmp_side_release(side);
    return err;
}

/* A member of an open zip, whole (at most FA_PACK_MAX_MEMBER bytes). */
static char *
zip_member(zip_t *z, const char *name, size_t *len)
{
    zip_stat_t zs;
    zip_file_t *f;
    char *buf;

    *len = 0;
    if (zip_stat(z, name, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE) ||
        zs.size > (zip_uint64_t)FA_PACK_MAX_MEMBER)
        return NULL;
    f = zip_fopen(z, name, 0);
    if (!f)
        return NULL;
    buf = fa_xmalloc((size_t)zs.size + 1);
    if (zip_fread(f, buf, zs.size) != (zip_int64_t)zs.size) {
        zip_fclose(f);
        free(buf);
        return NULL;
    }
    zip_fclose(f);
    buf[zs.size] = '\0';
    *len = (size_t)zs.size;
    return buf;
}

fa_err
fa_cmp_side_from_pack(fa_ctx *ctx, const char *zip, fa_cmp_side *side)
{
    int zerr = 0;
    zip_t *z;
    char *res, *man, *rows;
    size_t len, rlen;
    fa_err err = FA_OK;

    memset(side, 0, sizeof(*side));
    z = zip_open(zip, ZIP_RDONLY, &zerr);
    if (!z)
        return fa_ctx_fail(ctx, FA_ERR_IO_READ,
                           "cannot open '%s' as an audit pack (a zip)", zip);
    res = zip_member(z, "results.json", &len);
    man = zip_member(z, "manifest.json", &len);
    rows = zip_member(z, "rows.csv", &rlen);
    zip_close(z);
    side->results = res ? json_loads(res, 0, NULL) : NULL;
    if (!side->results) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_READ,
                          "'%s' holds no readable results.json: not an "
                          "audit pack",
                          zip);
        goto out;
    }
    side->name = fa_xstrdup(zip);
    side->tolerance = results_tolerance(side->results);
    side->scores_reason =
        !json_is_true(json_object_get(json_object_get(side->results, "dataset"),
                                      "scored"))
            ? "no score column"
            : "the pack holds no rows (pack --include-rows)";
    if (rows && man &&
        json_is_true(json_object_get(json_object_get(side->results, "dataset"),
                                     "scored"))) {
        /* the rows, loaded in memory as verify loads them: the
         * mapping's attributes and bins, rows.csv's own columns */
        json_t *m = json_loads(man, 0, NULL);
        json_t *in = json_array_get(json_object_get(m, "inputs"), 0);
        json_t *mapping = json_object_get(in, "mapping");
        json_t *cols = json_object_get(json_object_get(m, "rows"), "columns");
        json_t *tm = json_object();
        const char *dir = getenv("TMPDIR");
        char *path =
            fa_xasprintf("%s/fairaudit-cmp-XXXXXX", dir && *dir ? dir : "/tmp");
        fa_mapped_ingest mi;
        int fd = -1, have = 0;

        json_object_set(tm, "attributes",
                        json_object_get(mapping, "attributes"));
        if (json_object_get(mapping, "bins"))
            json_object_set(tm, "bins", json_object_get(mapping, "bins"));
        if (json_is_object(cols))
            json_object_update(tm, cols);
        json_object_set_new(tm, "delimiter", json_string(","));
        /* every name is text and the score's and decision's are given,
         * or no scores are read */
        if (json_is_string(json_object_get(cols, "score")) &&
            json_is_string(json_object_get(cols, "pred")) &&
            fa_mapped_ingest_init(&mi, tm, path) == 0)
            have = 1;
        if (have)
            fd = mkstemp(path);
        else
            side->scores_reason = "the pack's manifest does not say how to "
                                  "read its rows.csv";
        if (fd >= 0 && write(fd, rows, rlen) == (ssize_t)rlen && !close(fd)) {
            struct fa_ingest_result ir;
            fa_store *st = NULL;
            fa_dataset ds;

            mi.o.max_rejects = 0;
            err = fa_store_open(ctx, ":memory:", 1, &st);
            if (!err)
                err = fa_ingest(ctx, st, &mi.o, &ir);
            if (!err)
                err = fa_store_dataset_load(ctx, st, ir.dataset_id, &ds);
            if (!err) {
                /* the table the manifest counts, with its scores */
                if (ds.scored &&
                    ds.rows_loaded == json_integer_value(json_object_get(
                                          json_object_get(m, "rows"), "rows")))
                    err = load_scores(ctx, st, &ds, &side->scores,
                                      &side->nscores);
                else
                    side->scores_reason = "the pack's rows.csv is not the "
                                          "table its manifest counts";
                fa_dataset_release(&ds);
            } else {
                /* a rows.csv that cannot be read: no score drift */
                fa_ctx_clear(ctx);
                err = FA_OK;
                side->scores_reason = "the pack's rows.csv cannot be read";
            }
            fa_store_close(st);
            if (!err && side->scores)
                side->scores_reason = NULL;
        } else if (fd >= 0) {
            close(fd);
        }
        if (have)
            fa_mapped_ingest_release(&mi);
        json_decref(tm);
        if (fd >= 0)
            unlink(path);
        free(path);
        json_decref(m);
    }
out:
    free(res);
    free(man);
    free(rows);
    if (err)
        fa_cmp_side_release(side);
    return err;
}

void
fa_cmp_side_release(fa_cmp_side *side)
{
    for (size_t i = 0; i < side->nscores; i++) {
        free(side->scores[i].key);
        free(side->scores[i].s);
    }
    free(side->scores);
    free(side->name);
    json_decref(side->results);
    memset(side, 0, sizeof(*side));
}

/* ------------------------------------------------------------------ */
/* Private functions: the comparison                                   */

/* +1 larger is better, -1 smaller is better, 0 neither (metrics.md). */
static int
direction(const char *m)
{
    static const char *const up[] = {
        "accuracy", "balanced_accuracy", "tpr", "tnr", "ppv", "npv", "f1",
        "auc"};
    static const char *const down[] = {"fpr", "fnr", "fdr", "for", "brier"};

    for (size_t i = 0; i < FA_ARRAY_LEN(up); i++)
        if (strcmp(m, up[i]) == 0)
            return 1;
    for (size_t i = 0; i < FA_ARRAY_LEN(down); i++)
        if (strcmp(m, down[i]) == 0)
            return -1;
    return 0;
}

/* 1 for a metric that is a proportion of rows (a two-proportion test). */
static int
proportion(const char *m)
{
    for (int k = 0; k < FA_METRIC_COUNT; k++)
        if (strcmp(m, fa_metric_name((fa_metric)k)) == 0)
            return fa_metric_is_proportion((fa_metric)k);
    return 0;
}

/* The key of a group: its kind and attributes (caller frees). */
static char *
group_key(json_t *g)
{
    char *a = attrs_key(json_object_get(g, "attributes"));
    const char *k = json_string_value(json_object_get(g, "kind"));
    char *s = fa_xasprintf("%s %s", k ? k : "overall", a);

    free(a);
    return s;
}

/* Every group of results (the population first) with its key. */
struct gref {
    char *key;
    json_t *g;
};

static int
by_key(const void *a, const void *b)
{
    return strcmp(((const struct gref *)a)->key, ((const struct gref *)b)->key);
}

static struct gref *
index_groups(json_t *res, size_t *n)
{
    json_t *groups = json_object_get(res, "groups"), *g;
    struct gref *x = fa_xcalloc(json_array_size(groups) + 2, sizeof(*x));
    size_t i, k = 0;
    json_t *ov = json_object_get(res, "overall");

    if (ov) {
        x[k].g = ov;
        x[k++].key = fa_xstrdup("overall {}");
    }
    json_array_foreach(groups, i, g)
    {
        x[k].g = g;
        x[k++].key = group_key(g);
    }
    qsort(x, k, sizeof(*x), by_key);
    *n = k;
    return x;
}

static json_t *
find_group(struct gref *x, size_t n, const char *key)
{
    struct gref k = {(char *)key, NULL}, *hit;

    hit = bsearch(&k, x, n, sizeof(*x), by_key);
    return hit ? hit->g : NULL;
}

static void
free_index(struct gref *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(x[i].key);
    free(x);
}

static json_t *
group_id(json_t *g)
{
    json_t *o = json_object();
    json_t *k = json_object_get(g, "kind");
    json_t *a = json_object_get(g, "attributes");

    json_object_set_new(o, "kind", k ? json_incref(k) : json_string("overall"));
    json_object_set_new(o, "attributes", a ? json_incref(a) : json_object());
    return o;
}

static double
num(json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

/* One metric of a group in both runs: the change, its interval and test
 * into a new entry; *p the test's p-value (NAN without one). */
static json_t *
change_entry(json_t *gb, json_t *gc, const char *m, int weighted, double conf,
             double *p)
{
    json_t *mb = json_object_get(json_object_get(gb, "metrics"), m);
    json_t *mc = json_object_get(json_object_get(gc, "metrics"), m);
    json_t *e = group_id(gc);
    json_t *vb = json_object_get(mb, "value"),
           *vc = json_object_get(mc, "value");
    int dir = direction(m);
    const char *reason = NULL;

    *p = NAN;
    json_object_set_new(e, "metric", json_string(m));
    json_object_set_new(e, "direction",
                        json_string(dir > 0   ? "larger is better"
                                    : dir < 0 ? "smaller is better"
                                              : "neither"));
    json_object_set(e, "base", vb ? vb : json_null());
    json_object_set(e, "candidate", vc ? vc : json_null());
    if (!json_is_number(vb) || !json_is_number(vc)) {
        json_object_set_new(e, "change", json_null());
        json_object_set_new(
            e, "reason",
            json_string(json_is_true(json_object_get(gb, "suppressed")) ||
                                json_is_true(json_object_get(gc, "suppressed"))
                            ? "suppressed"
                            : "undefined in a run"));
        return e;
    }
    {
        double a = json_number_value(vb), b = json_number_value(vc);
        fa_interval ci = {0, 0, NULL};
        fa_test t = {0, 0, 0, NULL};
        const char *name = NULL;

        json_object_set_new(e, "change", json_real(b - a));
        if (proportion(m) && !weighted &&
            json_is_number(json_object_get(mb, "den")) &&
            json_is_number(json_object_get(mc, "den"))) {
            double x1 = num(mb, "num"), n1 = num(mb, "den");
            double x2 = num(mc, "num"), n2 = num(mc, "den");

            ci = fa_ci_newcombe_diff(x2, n2, x1, n1, conf);
            /* Fisher's sum runs over the table: small tables only */
            if (fa_test_needs_exact(x2, n2, x1, n1) && n1 <= 1e7 && n2 <= 1e7) {
                t = fa_test_fisher((unsigned)x2, (unsigned)(n2 - x2),
                                   (unsigned)x1, (unsigned)(n1 - x1));
                name = "fisher";
            } else {
                t = fa_test_two_proportions(x2, n2, x1, n1);
                name = "z";
            }
        } else if (strcmp(m, "auc") == 0 &&
                   json_is_number(json_object_get(mb, "variance")) &&
                   json_is_number(json_object_get(mc, "variance"))) {
            /* DeLong: the runs are independent samples, variances add */
            double se = sqrt(num(mb, "variance") + num(mc, "variance"));
            double z = gsl_cdf_ugaussian_Qinv((1 - conf) / 2);

            if (se > 0) {
                ci = (fa_interval){b - a - z * se, b - a + z * se, NULL};
                t.statistic = (b - a) / se;
                t.p = 2 * gsl_cdf_ugaussian_Q(fabs(t.statistic));
                name = "delong";
            } else {
                reason = "no DeLong variance";
            }
        } else {
            reason = weighted && proportion(m)
                         ? "a weighted run: no test across runs"
                     : strcmp(m, "auc") == 0
                         ? "a run has no DeLong variance (weighted, or "
                           "saved before the store kept it)"
                         : "no test for this metric";
        }
        if (name && !t.reason && !ci.reason) {
            json_object_set_new(e, "ci", json_pack("[f, f]", ci.lo, ci.hi));
            json_object_set_new(e, "test", json_string(name));
            json_object_set_new(e, "statistic", json_real(t.statistic));
            json_object_set_new(e, "p_value", json_real(t.p));
            *p = t.p;
        } else {
            json_object_set_new(e, "ci", json_null());
            json_object_set_new(e, "test", json_null());
            json_object_set_new(e, "p_value", json_null());
            json_object_set_new(e, "reason",
                                json_string(reason     ? reason
                                            : t.reason ? t.reason
                                                       : ci.reason));
        }
    }
    return e;
}

/* Whether verdicts a and b are of the same check of the same group. */
static int
same_verdict(json_t *a, json_t *b)
{
    static const char *const keys[] = {"metric", "measure", "kind",
                                       "attributes"};

    for (size_t k = 0; k < FA_ARRAY_LEN(keys); k++)
        if (!json_equal(json_object_get(a, keys[k]),
                        json_object_get(b, keys[k])))
            return 0;
    return 1;
}

/* The attributes of a run's dataset as a JSON array. */
static json_t *
attributes_of(json_t *res)
{
    return json_object_get(
        json_object_get(json_object_get(res, "dataset"), "columns"),
        "attributes");
}

static int
has_string(json_t *a, const char *s)
{
    size_t i;
    json_t *x;

    json_array_foreach(a, i, x)
    {
        if (json_is_string(x) && strcmp(json_string_value(x), s) == 0)
            return 1;
    }
    return 0;
}

/* The drift of one attribute's group composition. */
static json_t *
composition(json_t *res_b, json_t *res_c, const char *attr, double alert)
{
    struct gref *xb, *xc;
    size_t nb, nc, k = 0, cap;
    double *cb, *cc, tb = 0, tc = 0, known_b = 0, known_c = 0;
    char **names;
    json_t *e = json_object(), *groups = json_array();
    double chi2 = 0, psi, *pb, *pc;
    size_t df;
    int sup_b = 0, sup_c = 0;

    xb = index_groups(res_b, &nb);
    xc = index_groups(res_c, &nc);
    cap = nb + nc + 2;
    cb = fa_xcalloc(cap, sizeof(double));
    cc = fa_xcalloc(cap, sizeof(double));
    names = fa_xcalloc(cap, sizeof(char *));
    /* the attribute's groups of either run, by key */
    for (int side = 0; side < 2; side++) {
        struct gref *x = side ? xc : xb;
        size_t n = side ? nc : nb;

        for (size_t i = 0; i < n; i++) {
            json_t *a = json_object_get(x[i].g, "attributes");
            size_t j = 0;

            if (!json_is_object(a) || json_object_size(a) != 1 ||
                !json_object_get(a, attr) ||
                strcmp(json_string_value(json_object_get(x[i].g, "kind"))
                           ? json_string_value(json_object_get(x[i].g, "kind"))
                           : "",
                       "attribute") != 0)
                continue;
            while (j < k && strcmp(names[j], x[i].key) != 0)
                j++;
            if (j == k)
                names[k++] = fa_xstrdup(x[i].key);
            if (json_is_true(json_object_get(x[i].g, "suppressed"))) {
                *(side ? &sup_c : &sup_b) = 1;
                continue;
            }
            (side ? cc : cb)[j] = num(x[i].g, "n");
            *(side ? &known_c : &known_b) += num(x[i].g, "n");
        }
    }
    tb = num(json_object_get(res_b, "overall"), "n");
    tc = num(json_object_get(res_c, "overall"), "n");
    /* suppressed groups pooled into one category (their total only) */
    if (sup_b || sup_c) {
        for (size_t j = 0; j < k; j++) {
            json_t *gb = find_group(xb, nb, names[j]);
            json_t *gc = find_group(xc, nc, names[j]);

            if ((gb && json_is_true(json_object_get(gb, "suppressed"))) ||
                (gc && json_is_true(json_object_get(gc, "suppressed")))) {
                known_b -= cb[j];
                known_c -= cc[j];
                cb[j] = cc[j] = -1;
            }
        }
        names[k] = fa_xstrdup("suppressed");
        cb[k] = tb - known_b;
        cc[k] = tc - known_c;
        k++;
    }
    pb = fa_xcalloc(k + 1, sizeof(double));
    pc = fa_xcalloc(k + 1, sizeof(double));
    df = 0;
    for (size_t j = 0; j < k; j++) {
        json_t *row;

        if (cb[j] < 0)
            continue;
        pb[j] = tb > 0 ? cb[j] / tb : 0;
        pc[j] = tc > 0 ? cc[j] / tc : 0;
        if (cb[j] + cc[j] > 0) {
            double tot = tb + tc, col = cb[j] + cc[j];
            double eb = col * tb / tot, ec = col * tc / tot;

            chi2 += (cb[j] - eb) * (cb[j] - eb) / eb +
                    (cc[j] - ec) * (cc[j] - ec) / ec;
            df++;
        }
        row = json_object();
        json_object_set_new(
            row, "group",
            strcmp(names[j], "suppressed") == 0
                ? json_string("suppressed")
                : json_loads(strchr(names[j], ' ') + 1, 0, NULL));
        json_object_set_new(row, "base_share", json_real(pb[j]));
        json_object_set_new(row, "candidate_share", json_real(pc[j]));
        json_array_append_new(groups, row);
    }
    psi = fa_psi(pb, pc, k);
    json_object_set_new(e, "attribute", json_string(attr));
    json_object_set_new(e, "groups", groups);
    json_object_set_new(e, "psi", json_real(psi));
    json_object_set_new(e, "alert", json_boolean(psi > alert));
    if (df >= 2) {
        json_object_set_new(e, "chi2",
                            json_pack("{s:f, s:I, s:f}", "statistic", chi2,
                                      "df", (json_int_t)(df - 1), "p_value",
                                      gsl_cdf_chisq_Q(chi2, (double)(df - 1))));
    } else {
        json_object_set_new(e, "chi2", json_null());
    }
    for (size_t j = 0; j < k; j++)
        free(names[j]);
    free(names);
    free(cb);
    free(cc);
    free(pb);
    free(pc);
    free_index(xb, nb);
    free_index(xc, nc);
    return e;
}

static const fa_cmp_scores *
find_scores(const fa_cmp_side *s, const char *key)
{
    for (size_t i = 0; i < s->nscores; i++)
        if (strcmp(s->scores[i].key, key) == 0)
            return &s->scores[i];
    return NULL;
}

/* PSI of cand's scores over the deciles of base's. */
static double
score_psi(const fa_cmp_scores *b, const fa_cmp_scores *c)
{
    double edges[9], pb[10] = {0}, pc[10] = {0};

    for (int q = 1; q <= 9; q++)
        edges[q - 1] = b->s[(size_t)floor((double)q / 10 * (double)(b->n - 1))];
    for (int side = 0; side < 2; side++) {
        const fa_cmp_scores *x = side ? c : b;
        double *p = side ? pc : pb;

        for (size_t i = 0; i < x->n; i++) {
            int bin = 0;

            while (bin < 9 && x->s[i] > edges[bin])
                bin++;
            p[bin] += 1.0 / (double)x->n;
        }
    }
    return fa_psi(pb, pc, 10);
}

/* 1 for a JSON number that is a whole number in [lo, hi]. */
static int
whole(json_t *v, double lo, double hi)
{
    double x = json_number_value(v);

    return json_is_number(v) && x >= lo && x <= hi && x == floor(x);
}

/* A group of results.json as compare reads it; why not into *why. */
static int
valid_group(json_t *g, int weighted, double total, const char **why)
{
    json_t *a = json_object_get(g, "attributes"), *ms, *m, *v;
    const char *key;
    json_t *n = json_object_get(g, "n");

    if (!json_is_object(g))
        return *why = "a group is not an object", 0;
    if (a && !json_is_object(a))
        return *why = "a group's attributes are not an object", 0;
    json_object_foreach(a, key, v)
    {
        if (!json_is_string(v) && !json_is_null(v))
            return *why = "an attribute's value is not text", 0;
    }
    if (!json_is_null(n) && n && !whole(n, 0, total))
        return *why = "a group's rows are not a whole number up to the "
                      "population's",
               0;
    ms = json_object_get(g, "metrics");
    if (ms && !json_is_object(ms))
        return *why = "a group's metrics are not an object", 0;
    json_object_foreach(ms, key, m)
    {
        int k = fa_metric_from_name(key);
        json_t *val = json_object_get(m, "value");
        json_t *num = json_object_get(m, "num"),
               *den = json_object_get(m, "den");
        json_t *var = json_object_get(m, "variance");

        if (k < 0 || !json_is_object(m))
            return *why = "a metric is unknown or not an object", 0;
        if (val && !json_is_null(val) && !json_is_number(val))
            return *why = "a metric's value is not a number", 0;
        if (json_is_number(val) &&
            (fa_metric_is_proportion((fa_metric)k) || k == FA_METRIC_AUC ||
             k <= FA_METRIC_F1) &&
            !(json_number_value(val) >= 0 && json_number_value(val) <= 1))
            return *why = "a rate or AUC is outside [0, 1]", 0;
        if (var && !(json_is_number(var) && json_number_value(var) >= 0 &&
                     json_number_value(var) < 1))
            return *why = "an AUC's variance is not a variance", 0;
        if ((num || den) && k <= FA_METRIC_F1) {
            /* a confusion rate's parts (a score metric's are sums) */
            if (!json_is_number(num) || !json_is_number(den) ||
                json_number_value(num) < 0 ||
                json_number_value(num) > json_number_value(den) ||
                (!weighted && fa_metric_is_proportion((fa_metric)k) &&
                 (!whole(num, 0, 1e12) || !whole(den, 0, 1e12))))
                return *why = "a rate's parts are not 0 <= num <= den (whole "
                              "numbers in an unweighted run)",
                       0;
            if (json_is_number(val) && json_number_value(den) > 0 &&
                fabs(json_number_value(val) -
                     json_number_value(num) / json_number_value(den)) > 1e-9)
                return *why = "a rate is not its num / den", 0;
        }
    }
    return 1;
}

/* Whether results is a results.json compare can read; FA_ERR_IO_READ
 * naming name and what is wrong otherwise. */
static fa_err
validate(fa_ctx *ctx, const char *name, json_t *res)
{
    json_t *ds = json_object_get(res, "dataset"), *x, *g;
    json_t *cols = json_object_get(ds, "columns");
    json_t *ov = json_object_get(res, "overall");
    const char *why = NULL;
    int weighted = json_is_true(json_object_get(ds, "weighted"));
    double total;
    size_t i;

    if (!json_is_object(res) || !json_is_object(ds) || !json_is_object(cols) ||
        !json_is_array(json_object_get(cols, "attributes")) ||
        !json_is_object(ov) || !whole(json_object_get(ov, "n"), 0, 1e12) ||
        !json_is_array(json_object_get(res, "groups")))
        why = "it lacks the dataset's columns, the population or the groups";
    for (int k = 0; !why && k < 2; k++)
        json_array_foreach(json_object_get(cols, k ? "segments" : "attributes"),
                           i, x)
        {
            if (!json_is_string(x))
                why = "a column's name is not text";
        }
    total = json_number_value(json_object_get(ov, "n"));
    if (!why)
        valid_group(ov, weighted, total, &why);
    if (!why)
        json_array_foreach(json_object_get(res, "groups"), i, g)
        {
            const char *k = json_string_value(json_object_get(g, "kind"));

            if (!k ||
                (strcmp(k, "attribute") != 0 &&
                 strcmp(k, "intersection") != 0 && strcmp(k, "segment") != 0)) {
                why = "a group's kind is not attribute, intersection or "
                      "segment";
                break;
            }
            if (!valid_group(g, weighted, total, &why))
                break;
        }
    if (!why)
        json_array_foreach(json_object_get(res, "verdicts"), i, x)
        {
            if (!json_is_object(x) ||
                !json_is_string(json_object_get(x, "metric")) ||
                !json_is_string(json_object_get(x, "verdict"))) {
                why = "a verdict is not an object with a metric and a verdict";
                break;
            }
        }
    if (why)
        return fa_ctx_fail(ctx, FA_ERR_IO_READ,
                           "%s: its results.json cannot be compared: %s", name,
                           why);
    return FA_OK;
}

/* ------------------------------------------------------------------ */
/* Public functions: the comparison                                    */

fa_err
fa_compare_runs(fa_ctx *ctx, const fa_cmp_side *base, const fa_cmp_side *cand,
                const struct fa_compare_opts *o, json_t **out,
                size_t *regressions)
{
    json_t *rb = base->results, *rc = cand->results;
    json_t *ab = attributes_of(rb), *ac = attributes_of(rc), *x;
    json_t *root, *changes, *appeared, *vanished, *vch, *drift, *comp, *sd;
    struct gref *xb, *xc;
    size_t nb, nc, i, nregress = 0, nimprove = 0, nch;
    double alpha, tol, conf, *pv;
    int weighted;
    char *missing = NULL;

    *out = NULL;
    *regressions = 0;
    if (validate(ctx, base->name, rb) != FA_OK ||
        validate(ctx, cand->name, rc) != FA_OK)
        return fa_ctx_err(ctx);
    /* the attributes must match */
    json_array_foreach(ab, i, x)
    {
        if (!has_string(ac, json_string_value(x))) {
            char *t = fa_xasprintf("%s%sthe candidate lacks '%s'",
                                   missing ? missing : "", missing ? "; " : "",
                                   json_string_value(x));

            free(missing);
            missing = t;
        }
    }
    json_array_foreach(ac, i, x)
    {
        if (!has_string(ab, json_string_value(x))) {
            char *t =
                fa_xasprintf("%s%sthe base lacks '%s'", missing ? missing : "",
                             missing ? "; " : "", json_string_value(x));

            free(missing);
            missing = t;
        }
    }
    if (missing) {
        fa_err err =
            fa_ctx_fail(ctx, FA_ERR_USAGE,
                        "the runs' attributes cannot be matched: %s", missing);

        free(missing);
        return err;
    }
    alpha = o->alpha > 0 ? o->alpha : 0.05;
    tol = o->tolerance >= 0      ? o->tolerance
          : cand->tolerance >= 0 ? cand->tolerance
                                 : 0.02;
    conf = json_number_value(
        json_object_get(json_object_get(rc, "run"), "confidence"));
    if (!(conf > 0 && conf < 1))
        conf = 0.95;
    weighted = json_is_true(json_object_get(json_object_get(rb, "dataset"),
                                            "weighted")) ||
               json_is_true(
                   json_object_get(json_object_get(rc, "dataset"), "weighted"));
    xb = index_groups(rb, &nb);
    xc = index_groups(rc, &nc);
    changes = json_array();
    appeared = json_array();
    vanished = json_array();
    /* every metric is a known one (validate): at most this many */
    pv = fa_xcalloc(nb * FA_METRIC_COUNT + 1, sizeof(double));
    for (i = 0; i < nb; i++) {
        json_t *gc = find_group(xc, nc, xb[i].key), *ms;
        const char *m;
        json_t *v;

        if (!gc) {
            json_array_append_new(vanished, group_id(xb[i].g));
            continue;
        }
        ms = json_object_get(xb[i].g, "metrics");
        json_object_foreach(ms, m, v)
        {
            double p;
            json_t *e;

            if (!json_object_get(json_object_get(gc, "metrics"), m))
                continue;
            e = change_entry(xb[i].g, gc, m, weighted, conf, &p);
            pv[json_array_size(changes)] = p;
            json_array_append_new(changes, e);
        }
    }
    for (i = 0; i < nc; i++)
        if (!find_group(xb, nb, xc[i].key))
            json_array_append_new(appeared, group_id(xc[i].g));
    /* Holm over every change with a test: one family */
    nch = json_array_size(changes);
    {
        size_t k = 0;
        double *p = fa_xcalloc(nch + 1, sizeof(double));
        size_t *who = fa_xcalloc(nch + 1, sizeof(size_t));

        for (i = 0; i < nch; i++)
            if (!isnan(pv[i])) {
                p[k] = pv[i];
                who[k++] = i;
            }
        if (k)
            fa_p_adjust_holm(p, k, p);
        for (size_t q = 0; q < k; q++) {
            json_t *e = json_array_get(changes, who[q]);
            const char *m = json_string_value(json_object_get(e, "metric"));
            double d = num(e, "change");
            int dir = direction(m);
            int sig = p[q] < alpha && fabs(d) > tol;

            json_object_set_new(e, "p_adjusted", json_real(p[q]));
            json_object_set_new(e, "regression",
                                json_boolean(sig && dir * d < 0));
            json_object_set_new(e, "improvement",
                                json_boolean(sig && dir * d > 0));
            nregress += sig && dir * d < 0;
            nimprove += sig && dir * d > 0;
        }
        free(p);
        free(who);
    }
    /* verdicts that changed */
    vch = json_array();
    {
        json_t *vb = json_object_get(rb, "verdicts"),
               *vc = json_object_get(rc, "verdicts"), *a, *b;
        size_t j;

        json_array_foreach(vc, i, b)
        {
            json_t *hit = NULL;

            json_array_foreach(vb, j, a)
            {
                if (same_verdict(a, b)) {
                    hit = a;
                    break;
                }
            }
            if (!hit || !json_equal(json_object_get(hit, "verdict"),
                                    json_object_get(b, "verdict"))) {
                json_t *e = group_id(b);

                json_object_set(e, "metric", json_object_get(b, "metric"));
                json_object_set(e, "measure", json_object_get(b, "measure"));
                json_object_set(e, "base",
                                hit ? json_object_get(hit, "verdict")
                                    : json_null());
                json_object_set(e, "candidate", json_object_get(b, "verdict"));
                json_array_append_new(vch, e);
            }
        }
        /* and those the candidate no longer has */
        json_array_foreach(vb, i, a)
        {
            int found = 0;

            json_array_foreach(vc, j, b)
            {
                if (same_verdict(a, b)) {
                    found = 1;
                    break;
                }
            }
            if (!found) {
                json_t *e = group_id(a);

                json_object_set(e, "metric", json_object_get(a, "metric"));
                json_object_set(e, "measure", json_object_get(a, "measure"));
                json_object_set(e, "base", json_object_get(a, "verdict"));
                json_object_set_new(e, "candidate", json_null());
                json_array_append_new(vch, e);
            }
        }
    }
    /* drift */
    drift = json_object();
    comp = json_array();
    json_array_foreach(ab, i, x) json_array_append_new(
        comp, composition(rb, rc, json_string_value(x),
                          o->psi_alert > 0 ? o->psi_alert : 0.25));
    json_object_set_new(drift, "composition", comp);
    {
        json_t *br = json_array(), *e;
        size_t j;

        json_array_foreach(changes, j, e)
        {
            const char *k = json_string_value(json_object_get(e, "kind"));

            if (strcmp(json_string_value(json_object_get(e, "metric")),
                       "base_rate") == 0 &&
                k && (strcmp(k, "attribute") == 0 || strcmp(k, "overall") == 0))
                json_array_append(br, e);
        }
        json_object_set_new(drift, "base_rates", br);
    }
    sd = json_array();
    if (base->scores && cand->scores) {
        for (i = 0; i < base->nscores; i++) {
            const fa_cmp_scores *b = &base->scores[i];
            const fa_cmp_scores *c = find_scores(cand, b->key);
            char *gk = fa_xasprintf(
                "%s %s", strcmp(b->key, "{}") ? "attribute" : "overall",
                b->key);
            json_t *gb = find_group(xb, nb, gk), *gc = find_group(xc, nc, gk);
            json_t *e;
            double p, d;

            free(gk);
            if (!c || !gb || !gc ||
                json_is_true(json_object_get(gb, "suppressed")) ||
                json_is_true(json_object_get(gc, "suppressed")))
                continue;
            e = group_id(gc);
            d = fa_ks_two_sample(b->s, b->n, c->s, c->n, &p);
            json_object_set_new(e, "psi", json_real(score_psi(b, c)));
            json_object_set_new(
                e, "ks", json_pack("{s:f, s:f}", "statistic", d, "p_value", p));
            json_object_set_new(
                e, "alert",
                json_boolean(score_psi(b, c) >
                             (o->psi_alert > 0 ? o->psi_alert : 0.25)));
            json_array_append_new(sd, e);
        }
        json_object_set_new(drift, "scores", sd);
    } else {
        json_decref(sd);
        json_object_set_new(drift, "scores", json_null());
        json_object_set_new(drift, "scores_reason",
                            json_string(!base->scores ? base->scores_reason
                                                      : cand->scores_reason));
    }
    root = json_object();
    json_object_set_new(root, "schema", json_string("fairaudit.compare/1"));
    json_object_set_new(
        root, "tool",
        json_pack("{s:s, s:s}", "name", "fairaudit", "version", FA_VERSION));
    for (int side = 0; side < 2; side++) {
        const fa_cmp_side *s = side ? cand : base;
        json_t *r = s->results, *e = json_object();
        json_t *run = json_object_get(r, "run");
        json_t *ds = json_object_get(r, "dataset");

        json_object_set_new(e, "source", json_string(s->name));
        json_object_set(e, "run", json_object_get(run, "id"));
        json_object_set(e, "created", json_object_get(run, "created"));
        json_object_set(e, "dataset_sha256", json_object_get(ds, "sha256"));
        json_object_set(e, "rows", json_object_get(ds, "rows_loaded"));
        json_object_set(
            e, "template",
            json_object_get(json_object_get(r, "template"), "name"));
        json_object_set(e, "verdict", json_object_get(r, "verdict"));
        json_object_set_new(root, side ? "candidate" : "base", e);
    }
    json_object_set_new(root, "alpha", json_real(alpha));
    json_object_set_new(root, "tolerance", json_real(tol));
    json_object_set_new(root, "confidence", json_real(conf));
    json_object_set_new(root, "correction", json_string("holm"));
    json_object_set_new(root, "regressions",
                        json_integer((json_int_t)nregress));
    json_object_set_new(root, "improvements",
                        json_integer((json_int_t)nimprove));
    json_object_set_new(root, "changes", changes);
    json_object_set_new(root, "appeared", appeared);
    json_object_set_new(root, "vanished", vanished);
    json_object_set_new(root, "verdicts_changed", vch);
    json_object_set_new(root, "drift", drift);
    free(pv);
    free_index(xb, nb);
    free_index(xc, nc);
    *out = root;
    *regressions = nregress;
    return FA_OK;
}

/* ------------------------------------------------------------------ */
/* Public functions: the history                                       */

/* The headline numbers of a run's published results. */
static json_t *
headline(json_t *res)
{
    json_t *h = json_object(), *ov = json_object_get(res, "overall");
    json_t *ms = json_object_get(ov, "metrics"), *v, *g;
    json_t *counts = json_object();
    double worst = NAN;
    json_t *worst_g = NULL;
    size_t i;

    json_object_set(
        h, "selection_rate",
        json_object_get(json_object_get(ms, "selection_rate"), "value"));
    json_object_set(h, "accuracy",
                    json_object_get(json_object_get(ms, "accuracy"), "value"));
    json_object_set(h, "auc",
                    json_object_get(json_object_get(ms, "auc"), "value"));
    json_array_foreach(json_object_get(res, "verdicts"), i, v)
    {
        const char *k = json_string_value(json_object_get(v, "verdict"));
        json_t *c = k ? json_object_get(counts, k) : NULL;

        if (k)
            json_object_set_new(
                counts, k, json_integer(c ? json_integer_value(c) + 1 : 1));
    }
    json_object_set_new(h, "verdicts", counts);
    /* the lowest selection-rate ratio of an attribute's group */
    json_array_foreach(json_object_get(res, "groups"), i, g)
    {
        json_t *r = json_object_get(
            json_object_get(json_object_get(g, "disparity"), "selection_rate"),
            "ratio");
        const char *k = json_string_value(json_object_get(g, "kind"));

        if (k && strcmp(k, "attribute") == 0 && json_is_number(r) &&
            (isnan(worst) || json_number_value(r) < worst)) {
            worst = json_number_value(r);
            worst_g = json_object_get(g, "attributes");
        }
    }
    if (worst_g) {
        json_object_set_new(h, "lowest_selection_ratio", json_real(worst));
        json_object_set(h, "lowest_selection_ratio_group", worst_g);
    } else {
        json_object_set_new(h, "lowest_selection_ratio", json_null());
    }
    return h;
}

/* A run's history entry from its published results. */
json_t *
fa_cmp_run_entry(json_t *res)
{
    json_t *r = json_object();

    json_object_set(r, "id",
                    json_object_get(json_object_get(res, "run"), "id"));
    json_object_set(r, "created",
                    json_object_get(json_object_get(res, "run"), "created"));
    json_object_set(r, "dataset",
                    json_object_get(json_object_get(res, "dataset"), "id"));
    json_object_set(r, "template",
                    json_object_get(json_object_get(res, "template"), "name"));
    json_object_set(r, "verdict", json_object_get(res, "verdict"));
    json_object_set_new(r, "headline", headline(res));
    return r;
}

/* Every run of st, oldest first, as history entries into *out. */
fa_err
fa_cmp_history(fa_ctx *ctx, fa_store *st, json_t **out)
{
    int64_t last = 0;
    fa_err err = fa_store_run_latest(ctx, st, &last);
    json_t *runs = json_array();

    *out = NULL;
    if (err == FA_ERR_NOT_FOUND) {
        fa_ctx_clear(ctx);
        err = FA_OK;
        last = 0;
    }
    for (int64_t id = 1; !err && id <= last; id++) {
        char *text = NULL;
        fa_err e = fa_results_json_text(ctx, st, id, &text);
        json_t *res;

        if (e == FA_ERR_NOT_FOUND) {
            fa_ctx_clear(ctx);
            continue;
        }
        if (e) {
            err = e;
            break;
        }
        res = json_loads(text, 0, NULL);
        free(text);
        json_array_append_new(runs, fa_cmp_run_entry(res));
        json_decref(res);
    }
    if (err) {
        json_decref(runs);
        return err;
    }
    *out = runs;
    return FA_OK;
}

fa_err
fa_cmp_side_load(fa_ctx *ctx, fa_store *st, const char *store_path,
                 const char *spec, fa_cmp_side *side)
{
    const char *p = spec;
    int64_t id = 0;

    while (*p >= '0' && *p <= '9' && id < INT64_MAX / 10)
        id = id * 10 + (*p++ - '0');
    if (*spec && !*p && id > 0) {
        if (!st)
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "run %lld: a run id needs its store (--db)",
                               (long long)id);
        return fa_cmp_side_from_run(ctx, st, store_path, id, side);
    }
    return fa_cmp_side_from_pack(ctx, spec, side);
}

char *
fa_cmp_attrs_label(json_t *attrs)
{
    json_t *v;
    char *s = fa_xstrdup("");
    const char *key;

    json_object_foreach(attrs, key, v)
    {
        char *t = fa_xasprintf("%s%s%s=%s", s, *s ? ", " : "", key,
                               json_is_string(v) ? json_string_value(v)
                                                 : "(missing)");

        free(s);
        s = t;
    }
    if (!*s) {
        free(s);
        s = fa_xstrdup("overall");
    }
    return s;
}
