/* results.c — names and release of run results. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "results.h"
#include "util.h"

static const char *const agg_names[] = {
    [FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE] = "demographic_parity_difference",
    [FA_AGG_DEMOGRAPHIC_PARITY_RATIO] = "demographic_parity_ratio",
    [FA_AGG_EQUALIZED_ODDS_DIFFERENCE] = "equalized_odds_difference",
    [FA_AGG_EQUALIZED_ODDS_RATIO] = "equalized_odds_ratio",
    [FA_AGG_EQUAL_OPPORTUNITY_DIFFERENCE] = "equal_opportunity_difference",
    [FA_AGG_EQUAL_OPPORTUNITY_RATIO] = "equal_opportunity_ratio",
};

_Static_assert(FA_ARRAY_LEN(agg_names) == FA_AGG_COUNT,
               "every aggregate needs a name");

const char *
fa_aggregate_name(fa_aggregate a)
{
    assert((unsigned)a < FA_AGG_COUNT);
    return agg_names[a];
}

const fa_metric fa_chi2_metrics[3] = {FA_METRIC_SELECTION_RATE, FA_METRIC_TPR,
                                      FA_METRIC_FPR};

const char *
fa_set_kind_name(enum fa_set_kind k)
{
    switch (k) {
    case FA_SET_OVERALL:
        return "overall";
    case FA_SET_ATTRIBUTE:
        return "attribute";
    case FA_SET_INTERSECTION:
        return "intersection";
    case FA_SET_SEGMENT:
        return "segment";
    }
    return "unknown";
}

int
fa_metric_has_disparity(fa_metric m)
{
    /* Brier and mean score are not rates; their ratio means nothing for a
     * logit or an exam mark. */
    return m != FA_METRIC_BRIER && m != FA_METRIC_MEAN_SCORE;
}

int
fa_metric_is_proportion(fa_metric m)
{
    return m <= FA_METRIC_F1 && m != FA_METRIC_BALANCED_ACCURACY &&
           m != FA_METRIC_F1;
}

static const char *const metric_labels[FA_METRIC_COUNT] = {
    [FA_METRIC_BASE_RATE] = "base rate",
    [FA_METRIC_SELECTION_RATE] = "selection rate",
    [FA_METRIC_ACCURACY] = "accuracy",
    [FA_METRIC_BALANCED_ACCURACY] = "balanced accuracy",
    [FA_METRIC_TPR] = "TPR (sensitivity)",
    [FA_METRIC_FPR] = "FPR",
    [FA_METRIC_TNR] = "TNR (specificity)",
    [FA_METRIC_FNR] = "FNR",
    [FA_METRIC_PPV] = "PPV (precision)",
    [FA_METRIC_NPV] = "NPV",
    [FA_METRIC_FDR] = "FDR",
    [FA_METRIC_FOR] = "FOR",
    [FA_METRIC_F1] = "F1",
    [FA_METRIC_AUC] = "AUC",
    [FA_METRIC_BRIER] = "Brier score",
    [FA_METRIC_MEAN_SCORE] = "mean score",
};

static const char *const metric_formulas[FA_METRIC_COUNT] = {
    [FA_METRIC_BASE_RATE] = "(TP + FN) / N",
    [FA_METRIC_SELECTION_RATE] = "(TP + FP) / N",
    [FA_METRIC_ACCURACY] = "(TP + TN) / N",
    [FA_METRIC_BALANCED_ACCURACY] = "(TPR + TNR) / 2",
    [FA_METRIC_TPR] = "TP / (TP + FN)",
    [FA_METRIC_FPR] = "FP / (FP + TN)",
    [FA_METRIC_TNR] = "TN / (TN + FP)",
    [FA_METRIC_FNR] = "FN / (FN + TP)",
    [FA_METRIC_PPV] = "TP / (TP + FP)",
    [FA_METRIC_NPV] = "TN / (TN + FN)",
    [FA_METRIC_FDR] = "FP / (FP + TP)",
    [FA_METRIC_FOR] = "FN / (FN + TN)",
    [FA_METRIC_F1] = "2 TP / (2 TP + FP + FN)",
    [FA_METRIC_AUC] = "P(score of a positive > score of a negative), ties 1/2",
    [FA_METRIC_BRIER] = "mean (score - label)^2",
    [FA_METRIC_MEAN_SCORE] = "mean score",
};

const char *
fa_metric_label(fa_metric m)
{
    assert((unsigned)m < FA_METRIC_COUNT);
    return metric_labels[m];
}

const char *
fa_metric_formula(fa_metric m)
{
    assert((unsigned)m < FA_METRIC_COUNT);
    return metric_formulas[m];
}

int
fa_group_has_missing(const fa_results *r, const fa_group *g)
{
    for (size_t k = 0; k < r->sets[g->set].ndims; k++)
        if (!g->values[k])
            return 1;
    return 0;
}

char *
fa_group_label(const fa_results *r, const fa_group *g)
{
    const fa_group_set *gs = &r->sets[g->set];
    char *s = fa_xstrdup(gs->ndims ? "" : "overall");

    for (size_t k = 0; k < gs->ndims; k++) {
        char *t = fa_xasprintf("%s%s%s=%s", s, k ? ", " : "",
                               r->ds.dims[gs->dims[k]].name,
                               g->values[k] ? g->values[k] : "(missing)");

        free(s);
        s = t;
    }
    return s;
}

char *
fa_set_label(const fa_results *r, const fa_group_set *gs)
{
    char *s = fa_xstrdup(gs->ndims ? "" : "overall");

    for (size_t k = 0; k < gs->ndims; k++) {
        char *t = fa_xasprintf("%s%s%s", s, k ? " \xc3\x97 " : "",
                               r->ds.dims[gs->dims[k]].name);

        free(s);
        s = t;
    }
    return s;
}

/* cmd with " OPTION 'value'" appended (frees cmd). */
static char *
append_arg(char *cmd, const char *option, const char *value)
{
    char *q = fa_shell_quote(value),
         *t = fa_xasprintf("%s %s %s", cmd, option, q);

    free(q);
    free(cmd);
    return t;
}

char *
fa_results_command(const fa_results *r, const char *store)
{
    json_t *fields =
        r->fields_json ? json_loads(r->fields_json, 0, NULL) : NULL;
    const char *key;
    json_t *v;
    char *cmd = fa_xstrdup("fairaudit run");
    char num[128];

    cmd = append_arg(cmd, "--db", store ? store : "STORE");
    snprintf(num, sizeof(num), "%lld", (long long)r->ds.id);
    cmd = append_arg(cmd, "--dataset", num);
    cmd = append_arg(cmd, "--template",
                     r->template_name ? r->template_name : "generic");
    cmd = append_arg(cmd, "--reference", r->reference);
    snprintf(num, sizeof(num),
             "%g --ci %s --correction %s --min-group %lld --min-class %lld "
             "--seed %llu --bootstrap %lld",
             r->confidence,
             strcmp(r->ci_method, "wilson") == 0 ? "wilson" : "exact",
             r->correction, (long long)r->min_group, (long long)r->min_class,
             (unsigned long long)r->seed, (long long)r->bootstrap);
    {
        char *t = fa_xasprintf("%s --confidence %s", cmd, num);

        free(cmd);
        cmd = t;
    }
    if (r->strata)
        cmd = append_arg(cmd, "--strata", r->strata);
    json_object_foreach(fields, key, v)
    {
        char *kv = fa_xasprintf("%s=%s", key, json_string_value(v));

        cmd = append_arg(cmd, "--field", kv);
        free(kv);
    }
    json_decref(fields);
    return cmd;
}

void
fa_results_release(fa_results *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->ngroups; i++) {
        fa_group *g = &res->groups[i];
        size_t nd = res->sets[g->set].ndims;

        for (size_t k = 0; k < nd; k++)
            free(g->values[k]);
        free(g->values);
        for (int m = 0; m < FA_METRIC_COUNT; m++)
            free(g->cmp[m].evidence);
    }
    free(res->groups);
    for (size_t i = 0; i < res->nsets; i++)
        free(res->sets[i].dims);
    free(res->sets);
    free(res->created);
    free(res->finished);
    free(res->reference);
    free(res->tool_version);
    free(res->ci_method);
    for (size_t i = 0; i < res->nstrata; i++)
        free(res->stratum_values[i]);
    free(res->stratum_values);
    free(res->strat_rows);
    free(res->strata);
    free(res->correction);
    for (size_t i = 0; i < res->nverdicts; i++) {
        free(res->verdicts[i].metric);
        free(res->verdicts[i].measure);
        free(res->verdicts[i].rule);
        free(res->verdicts[i].reason);
    }
    free(res->verdicts);
    free(res->template_name);
    free(res->template_json);
    free(res->template_sha256);
    free(res->fields_json);
    free(res->skipped_json);
    fa_dataset_release(&res->ds);
    *res = (fa_results){0};
}

static const char *const verdict_names[FA_VERDICT_COUNT] = {
    "pass", "fail", "insufficient", "excluded"};

const char *
fa_verdict_name(int v)
{
    return v >= 0 && v < FA_VERDICT_COUNT ? verdict_names[v] : NULL;
}

int
fa_verdict_of(const char *name)
{
    for (int v = 0; name && v < FA_VERDICT_COUNT; v++)
        if (strcmp(name, verdict_names[v]) == 0)
            return v;
    return -1;
}

const fa_verdict *
fa_results_verdict(const fa_results *r, int64_t gid, const char *metric,
                   const char *measure)
{
    size_t a = 0;

    while (a < r->nverdicts) {
        const fa_verdict *v = &r->verdicts[a];
        size_t b = a + 1, top = r->nverdicts, lo, hi;

        /* the end of this check's run: verdicts are in ascending check */
        while (b < top) {
            size_t mid = b + (top - b) / 2;

            if (r->verdicts[mid].check <= v->check)
                b = mid + 1;
            else
                top = mid;
        }
        if (strcmp(v->metric, metric) == 0 &&
            (!measure || strcmp(v->measure, measure) == 0)) {
            lo = a;
            hi = b;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (r->verdicts[mid].gid < gid)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < b && r->verdicts[lo].gid == gid)
                return &r->verdicts[lo];
        }
        a = b;
    }
    return NULL;
}
