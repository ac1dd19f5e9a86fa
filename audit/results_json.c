/* results_json.c — results.json from a run in the store (jansson).
 *
 * Numbers are written with 17 significant digits, so every double reads
 * back exactly; counts of an unweighted audit are integers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "results_json.h"

static json_t *
num_or_int(double v, int integral)
{
    if (integral)
        return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *
interval_json(const fa_interval *ci)
{
    json_t *a;

    if (ci->reason)
        return json_null();
    a = json_array();
    json_array_append_new(a, json_real(ci->lo));
    json_array_append_new(a, json_real(ci->hi));
    return a;
}

static json_t *
metric_json(const fa_value *v, const fa_interval *ci, const char *method,
            int integral)
{
    json_t *o = json_object();

    if (v->reason) {
        json_object_set_new(o, "value", json_null());
        json_object_set_new(o, "reason", json_string(v->reason));
    } else {
        json_object_set_new(o, "value", json_real(v->value));
    }
    if (v->has_parts) {
        json_object_set_new(o, "num", num_or_int(v->num, integral));
        json_object_set_new(o, "den", num_or_int(v->den, integral));
    }
    if (ci->reason) {
        json_object_set_new(o, "ci_low", json_null());
        json_object_set_new(o, "ci_high", json_null());
        json_object_set_new(o, "ci_method", json_null());
        json_object_set_new(o, "ci_reason", json_string(ci->reason));
    } else {
        json_object_set_new(o, "ci_low", json_real(ci->lo));
        json_object_set_new(o, "ci_high", json_real(ci->hi));
        json_object_set_new(o, "ci_method", json_string(method));
    }
    return o;
}

/* A path may hold any bytes; JSON holds UTF-8: others become \xHH. */
static json_t *
text_json(const char *s)
{
    size_t n = strlen(s);
    json_t *j;
    char *e, *p;

    if (fa_utf8_valid(s, n))
        return json_string(s);
    e = p = fa_xcalloc(4 * n + 1, 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x80)
            *p++ = (char)c;
        else
            p += sprintf(p, "\\x%02x", c);
    }
    j = json_string(e);
    free(e);
    return j;
}

static json_t *
value_or_null(const fa_value *v)
{
    return v->reason ? json_null() : json_real(v->value);
}

static void
set_reason(json_t *o, const char *key, const char *reason)
{
    if (reason)
        json_object_set_new(o, key, json_string(reason));
}

/* The statistics of a comparison, added to its disparity object. */
static void
compare_json(json_t *x, const fa_compare *c)
{
    json_object_set_new(x, "ratio_ci", interval_json(&c->ratio_ci));
    set_reason(x, "ratio_ci_reason", c->ratio_ci.reason);
    json_object_set_new(x, "difference_ci", interval_json(&c->diff_ci));
    set_reason(x, "difference_ci_reason", c->diff_ci.reason);
    if (c->test.reason) {
        json_object_set_new(x, "test", json_null());
        json_object_set_new(x, "p_value", json_null());
        json_object_set_new(x, "p_adjusted", json_null());
        json_object_set_new(x, "test_reason", json_string(c->test.reason));
    } else {
        json_object_set_new(x, "test", json_string(c->test_name));
        json_object_set_new(x, "statistic", json_real(c->test.statistic));
        json_object_set_new(x, "p_value", json_real(c->test.p));
        json_object_set_new(x, "p_adjusted", json_real(c->p_adjusted));
    }
    json_object_set_new(x, "evidence",
                        c->evidence ? json_string(c->evidence) : json_null());
    json_object_set_new(x, "mdr", value_or_null(&c->mdr));
    set_reason(x, "mdr_reason", c->mdr.reason);
}

/* The comparison pooled within strata. */
static json_t *
cmh_json(const fa_cmh *c)
{
    json_t *o = json_object();

    if (c->test.reason) {
        json_object_set_new(o, "p_value", json_null());
        json_object_set_new(o, "reason", json_string(c->test.reason));
    } else {
        json_object_set_new(o, "statistic", json_real(c->test.statistic));
        json_object_set_new(o, "p_value", json_real(c->test.p));
        json_object_set_new(o, "p_adjusted", json_real(c->p_adjusted));
    }
    json_object_set_new(o, "common_odds_ratio", value_or_null(&c->odds_ratio));
    set_reason(o, "common_odds_ratio_reason", c->odds_ratio.reason);
    /* a comparison withheld for suppression says nothing of its strata */
    json_object_set_new(o, "strata_used",
                        fa_suppressed_reason(c->test.reason)
                            ? json_null()
                            : json_integer((json_int_t)c->strata_used));
    return o;
}

/* A group's confusion counts in each stratum. */
static json_t *
strata_json(const fa_results *r, const fa_group *g)
{
    json_t *a = json_array();

    for (size_t l = 0; l < r->nstrata; l++) {
        const int64_t *q =
            r->strat_rows + ((size_t)g->gid * r->nstrata + l) * 4;
        json_t *o = json_object(), *c = json_object();

        json_object_set_new(o, "stratum",
                            r->stratum_values[l]
                                ? json_string(r->stratum_values[l])
                                : json_null());
        json_object_set_new(c, "tp", json_integer(q[0]));
        json_object_set_new(c, "fp", json_integer(q[1]));
        json_object_set_new(c, "tn", json_integer(q[2]));
        json_object_set_new(c, "fn", json_integer(q[3]));
        json_object_set_new(o, "counts", c);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *
attrs_json(const fa_results *r, const fa_group *g)
{
    const fa_group_set *gs = &r->sets[g->set];
    json_t *o = json_object();

    for (size_t k = 0; k < gs->ndims; k++) {
        const char *name = r->ds.dims[gs->dims[k]].name;

        json_object_set_new(
            o, name, g->values[k] ? json_string(g->values[k]) : json_null());
    }
    return o;
}

static json_t *
counts_json(const fa_results *r, const fa_group *g, int integral)
{
    json_t *o = json_object();
    const double w[4] = {g->w.tp, g->w.fp, g->w.tn, g->w.fn};
    const char *names[4] = {"tp", "fp", "tn", "fn"};

    for (int k = 0; k < 4; k++)
        json_object_set_new(o, names[k],
                            r->ds.labelled ? num_or_int(w[k], integral)
                                           : json_null());
    if (!integral) {
        json_t *rows = json_object();

        for (int k = 0; k < 4; k++)
            json_object_set_new(rows, names[k],
                                r->ds.labelled ? json_integer(g->rows[k])
                                               : json_null());
        json_object_set_new(o, "rows", rows);
    }
    return o;
}

static json_t *
group_json(const fa_results *r, const fa_group *g)
{
    int integral = !r->ds.weighted;
    json_t *o = json_object(), *m = json_object();

    if (g->set != 0) {
        json_object_set_new(
            o, "kind", json_string(fa_set_kind_name(r->sets[g->set].kind)));
        json_object_set_new(o, "attributes", attrs_json(r, g));
    }
    if (g->suppressed) {
        /* published without a number: rows, weight and counts too */
        json_object_set_new(o, "suppressed", json_true());
        json_object_set_new(o, "n", json_null());
        json_object_set_new(o, "weight", json_null());
        json_object_set_new(o, "counts", json_null());
    } else {
        json_object_set_new(o, "n", json_integer(g->n));
        json_object_set_new(o, "weight", num_or_int(g->weight, integral));
        json_object_set_new(o, "counts", counts_json(r, g, integral));
    }
    for (int k = 0; k < FA_METRIC_COUNT; k++)
        json_object_set_new(
            m, fa_metric_name((fa_metric)k),
            metric_json(&g->m[k], &g->ci[k],
                        k == FA_METRIC_AUC ? "delong" : r->ci_method,
                        integral && k <= FA_METRIC_F1));
    if (!g->auc_var.reason && !g->suppressed)
        json_object_set_new(json_object_get(m, "auc"), "variance",
                            json_real(g->auc_var.value));
    json_object_set_new(o, "metrics", m);
    if (g->has_above && g->suppressed) {
        json_t *sc = json_object();

        json_object_set_new(sc, "above_median", json_null());
        json_object_set_new(sc, "rate", json_null());
        json_object_set_new(sc, "rate_reason", json_string(fa_suppressed));
        json_object_set_new(o, "scoring", sc);
    } else if (g->has_above) {
        json_t *sc = json_object();
        fa_value rate;

        json_object_set_new(
            sc, "above_median",
            num_or_int(integral ? (double)g->above : g->wabove, integral));
        rate = integral ? fa_value_ratio((double)g->above, (double)g->n,
                                         "empty group")
                        : fa_value_ratio(g->wabove, g->weight, "no weight");

        json_object_set_new(sc, "rate",
                            rate.reason ? json_null() : json_real(rate.value));
        if (rate.reason)
            json_object_set_new(sc, "rate_reason", json_string(rate.reason));
        json_object_set_new(o, "scoring", sc);
    }
    if (g->set == 0)
        return o;
    if (r->strat_rows && (r->sets[g->set].kind == FA_SET_ATTRIBUTE ||
                          r->sets[g->set].kind == FA_SET_INTERSECTION))
        json_object_set_new(o, "strata",
                            g->suppressed || r->strata_withheld
                                ? json_null()
                                : strata_json(r, g));
    if (g->ref_gid < 0) {
        json_object_set_new(o, "reference", json_null());
    } else {
        json_t *d = json_object();

        json_object_set_new(o, "reference",
                            r->sets[g->set].ref_gid == 0
                                ? json_object()
                                : attrs_json(r, &r->groups[g->ref_gid]));
        for (int k = 0; k < FA_METRIC_COUNT; k++) {
            json_t *x;

            if (!fa_metric_has_disparity((fa_metric)k))
                continue;
            x = json_object();
            json_object_set_new(x, "ratio", value_or_null(&g->ratio[k]));
            if (g->ratio[k].reason)
                json_object_set_new(x, "ratio_reason",
                                    json_string(g->ratio[k].reason));
            json_object_set_new(x, "difference", value_or_null(&g->diff[k]));
            if (g->diff[k].reason)
                json_object_set_new(x, "difference_reason",
                                    json_string(g->diff[k].reason));
            compare_json(x, &g->cmp[k]);
            if (r->strata && fa_metric_is_proportion((fa_metric)k))
                json_object_set_new(x, "cmh", cmh_json(&g->cmp[k].cmh));
            json_object_set_new(d, fa_metric_name((fa_metric)k), x);
        }
        json_object_set_new(o, "disparity", d);
    }
    return o;
}

static json_t *
aggregate_json(const fa_results *r, const fa_group_set *gs)
{
    json_t *o = json_object(), *a = json_array();

    for (size_t k = 0; k < gs->ndims; k++)
        json_array_append_new(a, json_string(r->ds.dims[gs->dims[k]].name));
    json_object_set_new(o, "attributes", a);
    json_object_set_new(o, "kind", json_string(fa_set_kind_name(gs->kind)));
    if (gs->empty_omitted)
        json_object_set_new(o, "empty_groups_omitted",
                            gs->empty_omitted < 0
                                ? json_null()
                                : json_integer(gs->empty_omitted));
    {
        json_t *c = json_object();

        for (int k = 0; k < 3; k++) {
            const fa_test *t = &gs->chi2[k];
            json_t *x = json_object();

            if (t->reason) {
                json_object_set_new(x, "p_value", json_null());
                json_object_set_new(x, "reason", json_string(t->reason));
            } else {
                json_object_set_new(x, "statistic", json_real(t->statistic));
                json_object_set_new(x, "df", json_real(t->df));
                json_object_set_new(x, "p_value", json_real(t->p));
                json_object_set_new(x, "p_adjusted",
                                    json_real(gs->chi2_adjusted[k]));
            }
            json_object_set_new(c, fa_metric_name(fa_chi2_metrics[k]), x);
        }
        json_object_set_new(o, "chi2", c);
    }
    {
        json_t *ci = json_object(), *why = json_object();

        for (int k = 0; k < FA_AGG_COUNT; k++) {
            const char *name = fa_aggregate_name((fa_aggregate)k);

            json_object_set_new(ci, name, interval_json(&gs->agg_ci[k]));
            if (gs->agg_ci[k].reason)
                json_object_set_new(why, name,
                                    json_string(gs->agg_ci[k].reason));
        }
        json_object_set_new(o, "ci", ci);
        json_object_set_new(o, "ci_method", json_string("bootstrap"));
        if (json_object_size(why))
            json_object_set_new(o, "ci_reasons", why);
        else
            json_decref(why);
    }
    for (int k = 0; k < FA_AGG_COUNT; k++) {
        json_object_set_new(o, fa_aggregate_name((fa_aggregate)k),
                            value_or_null(&gs->agg[k]));
        if (gs->agg[k].reason) {
            char key[80];

            snprintf(key, sizeof(key), "%s_reason",
                     fa_aggregate_name((fa_aggregate)k));
            json_object_set_new(o, key, json_string(gs->agg[k].reason));
        }
    }
    return o;
}

/* A JSON text from the store, parsed (null when absent or unreadable). */
static json_t *
stored_json(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;

    return j ? j : json_null();
}

static json_t *
verdict_json(const fa_results *r, const fa_verdict *v)
{
    const fa_group *g = &r->groups[v->gid];
    json_t *o = json_object();

    json_object_set_new(o, "kind",
                        json_string(fa_set_kind_name(r->sets[g->set].kind)));
    json_object_set_new(o, "attributes", attrs_json(r, g));
    json_object_set_new(o, "check", json_integer(v->check));
    json_object_set_new(o, "metric", json_string(v->metric));
    json_object_set_new(o, "measure", json_string(v->measure));
    json_object_set_new(
        o, "value", v->value.reason ? json_null() : json_real(v->value.value));
    if (v->value.reason)
        json_object_set_new(o, "value_reason", json_string(v->value.reason));
    json_object_set_new(o, "min", v->has_min ? json_real(v->min) : json_null());
    json_object_set_new(o, "max", v->has_max ? json_real(v->max) : json_null());
    json_object_set_new(o, "p_adjusted",
                        v->has_p ? json_real(v->p_adjusted) : json_null());
    json_object_set_new(o, "verdict", json_string(fa_verdict_name(v->verdict)));
    json_object_set_new(o, "rule", json_string(v->rule));
    json_object_set_new(o, "reason", json_string(v->reason));
    return o;
}

/* The template, the fields, the overall verdict and every verdict. */
static void
policy_json(json_t *root, const fa_results *r)
{
    json_t *t, *vs;

    if (!r->template_name) {
        json_object_set_new(root, "template", json_null());
        return;
    }
    t = json_object();
    json_object_set_new(t, "name", json_string(r->template_name));
    json_object_set_new(t, "sha256",
                        r->template_sha256 ? json_string(r->template_sha256)
                                           : json_null());
    json_object_set_new(t, "resolved", stored_json(r->template_json));
    /* the exact text hashed, so the hash can be checked from this file */
    json_object_set_new(t, "canonical",
                        r->template_json ? json_string(r->template_json)
                                         : json_null());
    json_object_set_new(root, "template", t);
    json_object_set_new(root, "fields", stored_json(r->fields_json));
    json_object_set_new(root, "score_median",
                        r->has_median ? json_real(r->score_median)
                                      : json_null());
    json_object_set_new(root, "verdict",
                        json_string(fa_verdict_name(r->verdict)));
    json_object_set_new(root, "skipped_checks", stored_json(r->skipped_json));
    vs = json_array();
    for (size_t i = 0; i < r->nverdicts; i++)
        json_array_append_new(vs, verdict_json(r, &r->verdicts[i]));
    json_object_set_new(root, "verdicts", vs);
}

static json_t *
results_json(const fa_results *r)
{
    json_t *root = json_object(), *tool = json_object(), *ds = json_object();
    json_t *run = json_object(), *groups = json_array(), *aggs = json_array();
    json_t *cols = json_object(), *attrs = json_array(), *segs = json_array();

    json_object_set_new(root, "schema", json_string(FA_RESULTS_SCHEMA));
    json_object_set_new(tool, "name", json_string("fairaudit"));
    json_object_set_new(tool, "version", json_string(r->tool_version));
    json_object_set_new(root, "tool", tool);
    json_object_set_new(ds, "id", json_integer(r->ds.id));
    json_object_set_new(ds, "source", text_json(r->ds.source));
    json_object_set_new(ds, "sha256", json_string(r->ds.sha256));
    json_object_set_new(ds, "bytes", json_integer(r->ds.bytes));
    json_object_set_new(ds, "rows_read", json_integer(r->ds.rows_read));
    json_object_set_new(ds, "rows_loaded", json_integer(r->ds.rows_loaded));
    json_object_set_new(ds, "rows_rejected", json_integer(r->ds.rows_rejected));
    json_object_set_new(ds, "loaded_at", json_string(r->ds.loaded_at));
    json_object_set_new(ds, "labelled", json_boolean(r->ds.labelled));
    json_object_set_new(ds, "weighted", json_boolean(r->ds.weighted));
    json_object_set_new(ds, "scored", json_boolean(r->ds.scored));
    for (size_t j = 0; j < r->ds.ndims; j++)
        json_array_append_new(j < r->ds.nattrs ? attrs : segs,
                              json_string(r->ds.dims[j].name));
    json_object_set_new(cols, "attributes", attrs);
    json_object_set_new(cols, "segments", segs);
    json_object_set_new(ds, "columns", cols);
    {
        json_error_t e;
        json_t *m = json_loads(r->ds.mapping, 0, &e);

        json_object_set_new(ds, "mapping", m ? m : json_null());
    }
    json_object_set_new(root, "dataset", ds);
    json_object_set_new(run, "id", json_integer(r->run_id));
    json_object_set_new(run, "reference", json_string(r->reference));
    json_object_set_new(run, "created", json_string(r->created));
    json_object_set_new(run, "finished",
                        r->finished ? json_string(r->finished) : json_null());
    json_object_set_new(run, "confidence", json_real(r->confidence));
    json_object_set_new(run, "ci_method", json_string(r->ci_method));
    json_object_set_new(run, "correction", json_string(r->correction));
    json_object_set_new(run, "min_group", json_integer(r->min_group));
    json_object_set_new(run, "suppress", json_integer(r->suppress));
    json_object_set_new(run, "min_class", json_integer(r->min_class));
    json_object_set_new(run, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(run, "bootstrap", json_integer(r->bootstrap));
    json_object_set_new(run, "strata",
                        r->strata ? json_string(r->strata) : json_null());
    json_object_set_new(root, "run", run);
    json_object_set_new(root, "overall", group_json(r, &r->groups[0]));
    for (size_t i = 1; i < r->ngroups; i++)
        json_array_append_new(groups, group_json(r, &r->groups[i]));
    json_object_set_new(root, "groups", groups);
    for (size_t i = 1; i < r->nsets; i++)
        json_array_append_new(aggs, aggregate_json(r, &r->sets[i]));
    json_object_set_new(root, "aggregates", aggs);
    policy_json(root, r);
    return root;
}

fa_err
fa_results_json_text(fa_ctx *ctx, fa_store *st, int64_t run_id, char **out)
{
    fa_results r;
    json_t *root;
    fa_err err = fa_store_run_load(ctx, st, run_id, &r);
    char *text;
    size_t n;

    *out = NULL;
    if (err)
        return err;
    /* what is published: small groups suppressed */
    fa_results_suppress(&r);
    if (r.ngroups == 0) {
        fa_results_release(&r);
        return fa_ctx_fail(ctx, FA_ERR_STORE, "run %lld has no groups",
                           (long long)run_id);
    }
    root = results_json(&r);
    fa_results_release(&r);
    text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
                                JSON_REAL_PRECISION(17));
    json_decref(root);
    if (!text)
        return fa_ctx_fail(ctx, FA_ERR_INTERNAL, "results.json of run %lld",
                           (long long)run_id);
    n = strlen(text);
    text = fa_xrealloc(text, n + 2, 1);
    text[n] = '\n';
    text[n + 1] = '\0';
    *out = text;
    return FA_OK;
}

fa_err
fa_results_json_write(fa_ctx *ctx, fa_store *st, int64_t run_id,
                      const char *path)
{
    char *text, *tmp;
    FILE *f;
    fa_err err = fa_results_json_text(ctx, st, run_id, &text);
    size_t n;
    int bad;

    if (err)
        return err;
    n = strlen(text);
    tmp = fa_xasprintf("%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
        goto out;
    }
    bad = fwrite(text, 1, n, f) != n;
    bad |= fflush(f) != 0;
    bad |= ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          errno ? strerror(errno) : "write error");
        unlink(tmp);
        goto out;
    }
    err = fa_file_commit(ctx, tmp, path);
out:
    free(tmp);
    free(text);
    return err;
}
