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
             "--seed %llu --bootstrap %lld --suppress %lld",
             r->confidence,
             strcmp(r->ci_method, "wilson") == 0 ? "wilson" : "exact",
             r->correction, (long long)r->min_group, (long long)r->min_class,
             (unsigned long long)r->seed, (long long)r->bootstrap,
             (long long)r->suppress);
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

/* ------------------------------------------------------------------ */
/* Suppression                                                         */

const char fa_suppressed[] = "suppressed";
const char fa_suppressed_ref[] = "suppressed with the reference group";
const char fa_suppressed_set[] = "suppressed with a group of the set";

int
fa_suppressed_reason(const char *reason)
{
    return reason && (reason == fa_suppressed || reason == fa_suppressed_ref ||
                      reason == fa_suppressed_set);
}

struct slice_order {
    char *const *values;
    size_t ndims, skip;
};

static int
cmp_value(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

/* A group's index, sorted with the order's context. */
struct slice_item {
    size_t i;
    const struct slice_order *o;
};

/* Orders groups by their values of every column but skip, then index. */
static int
by_slice(const void *pa, const void *pb)
{
    const struct slice_order *o = ((const struct slice_item *)pa)->o;
    size_t a = ((const struct slice_item *)pa)->i,
           b = ((const struct slice_item *)pb)->i;

    for (size_t j = 0; j < o->ndims; j++) {
        int c;

        if (j == o->skip)
            continue;
        c = cmp_value(o->values[a * o->ndims + j], o->values[b * o->ndims + j]);
        if (c)
            return c;
    }
    return (a > b) - (a < b);
}

/* Whether groups a and b share their values of every column but skip. */
static int
same_slice(const struct slice_order *o, size_t a, size_t b)
{
    for (size_t j = 0; j < o->ndims; j++)
        if (j != o->skip && cmp_value(o->values[a * o->ndims + j],
                                      o->values[b * o->ndims + j]) != 0)
            return 0;
    return 1;
}

size_t
fa_suppress_select(size_t ngroups, size_t ndims, char *const *values,
                   const int64_t *n, int64_t min, unsigned char *out)
{
    struct slice_item *order =
        fa_xcalloc(ngroups ? ngroups : 1, sizeof(*order));
    size_t count = 0;
    int changed = 1;

    for (size_t i = 0; i < ngroups; i++) {
        /* an empty group (a known zero) is not small */
        out[i] = min > 0 && n[i] > 0 && n[i] < min;
        count += out[i];
    }
    while (count && changed) {
        changed = 0;
        for (size_t skip = 0; skip < (ndims ? ndims : 1); skip++) {
            struct slice_order o = {values, ndims, skip};

            for (size_t i = 0; i < ngroups; i++)
                order[i] = (struct slice_item){i, &o};
            qsort(order, ngroups, sizeof(*order), by_slice);
            for (size_t lo = 0, hi; lo < ngroups; lo = hi) {
                hi = lo + 1;
                while (hi < ngroups && same_slice(&o, order[lo].i, order[hi].i))
                    hi++;
                for (;;) {
                    size_t c = 0, best = SIZE_MAX;
                    int64_t sum = 0;

                    for (size_t k = lo; k < hi; k++) {
                        size_t i = order[k].i;

                        if (out[i]) {
                            c++;
                            sum += n[i];
                        } else if (n[i] > 0 &&
                                   (best == SIZE_MAX || n[i] < n[best] ||
                                    (n[i] == n[best] && i < best))) {
                            best = i;
                        }
                    }
                    if (c == 0 || (c >= 2 && sum >= min) || best == SIZE_MAX)
                        break;
                    out[best] = 1;
                    count++;
                    changed = 1;
                }
            }
        }
    }
    free(order);
    return count;
}

/* The groups of one set in the order of their values on the dims at pos
 * (npos of them), then by index; for fa_suppress_choose. */
struct fam_item {
    size_t g; /* index in the run's groups */
    const struct fa_sup_group *grp;
    const size_t *pos;
    size_t npos;
};

static int
fam_cmp_keys(const struct fam_item *a, const struct fam_item *b)
{
    for (size_t k = 0; k < a->npos; k++) {
        int c = cmp_value(a->grp->values[a->pos[k]], b->grp->values[b->pos[k]]);

        if (c)
            return c;
    }
    return 0;
}

static int
by_family(const void *pa, const void *pb)
{
    const struct fam_item *a = pa, *b = pb;
    int c = fam_cmp_keys(a, b);

    return c ? c : (a->g > b->g) - (a->g < b->g);
}

/* Whether set sub's dims are a proper subset of set sup's; their places
 * in sup's dims into pos. */
static int
subset_of(const struct fa_sup_set *sub, const struct fa_sup_set *sup,
          size_t *pos)
{
    if (sub->ndims >= sup->ndims)
        return 0;
    for (size_t k = 0; k < sub->ndims; k++) {
        size_t j = 0;

        while (j < sup->ndims && sup->dims[j] != sub->dims[k])
            j++;
        if (j == sup->ndims)
            return 0;
        pos[k] = j;
    }
    return 1;
}

size_t
fa_suppress_choose(const struct fa_sup_set *sets, size_t nsets,
                   const struct fa_sup_group *g, size_t ng, int64_t min,
                   unsigned char *out)
{
    size_t count = 0, maxd = 0;
    int changed = 1;
    size_t *members = fa_xcalloc(ng + 1, sizeof(size_t));
    size_t *pos, *parent_of;
    struct fam_item *items = fa_xcalloc(ng + 1, sizeof(*items));

    for (size_t s = 0; s < nsets; s++)
        maxd = sets[s].ndims > maxd ? sets[s].ndims : maxd;
    pos = fa_xcalloc(maxd + 1, sizeof(size_t));
    parent_of = fa_xcalloc(maxd + 1, sizeof(size_t));
    for (size_t i = 0; i < ng; i++) {
        out[i] =
            min > 0 && !sets[g[i].set].population && g[i].n > 0 && g[i].n < min;
        count += out[i];
    }
    while (count && changed) {
        changed = 0;
        for (size_t sp = 0; sp < nsets; sp++) {
            size_t nm = 0;

            if (sets[sp].population)
                continue;
            for (size_t i = 0; i < ng; i++)
                if ((size_t)g[i].set == sp)
                    members[nm++] = i;
            for (size_t sb = 0; sb < nsets; sb++) {
                size_t np = 0, nparents = 0;
                struct fam_item *parents;

                if (sb == sp || !subset_of(&sets[sb], &sets[sp], pos))
                    continue;
                np = sets[sb].ndims;
                /* the set's groups by their values on sb's dims: one
                 * family per group of sb (its total) */
                for (size_t k = 0; k < nm; k++)
                    items[k] =
                        (struct fam_item){members[k], &g[members[k]], pos, np};
                qsort(items, nm, sizeof(*items), by_family);
                for (size_t k = 0; k < np; k++)
                    parent_of[k] = k;
                parents = fa_xcalloc(ng + 1, sizeof(*parents));
                for (size_t i = 0; i < ng; i++)
                    if ((size_t)g[i].set == sb)
                        parents[nparents++] =
                            (struct fam_item){i, &g[i], parent_of, np};
                qsort(parents, nparents, sizeof(*parents), by_family);
                for (size_t lo = 0, hi; lo < nm; lo = hi) {
                    size_t c = 0, best = SIZE_MAX, pi = SIZE_MAX;
                    int64_t sum = 0;
                    int psup;

                    hi = lo + 1;
                    while (hi < nm && fam_cmp_keys(&items[lo], &items[hi]) == 0)
                        hi++;
                    /* the family's total: its group in sb (bisection) */
                    {
                        size_t a = 0, b = nparents;
                        struct fam_item key = items[lo];

                        while (a < b) {
                            size_t mid = (a + b) / 2;
                            /* compare parent's own values (in sb order)
                             * with the item's values at pos */
                            int cmpv = 0;

                            for (size_t k = 0; k < np && !cmpv; k++)
                                cmpv = cmp_value(parents[mid].grp->values[k],
                                                 key.grp->values[pos[k]]);
                            if (cmpv < 0)
                                a = mid + 1;
                            else
                                b = mid;
                        }
                        if (a < nparents) {
                            int eq = 1;

                            for (size_t k = 0; k < np && eq; k++)
                                eq = cmp_value(parents[a].grp->values[k],
                                               key.grp->values[pos[k]]) == 0;
                            if (eq)
                                pi = parents[a].g;
                        }
                    }
                    psup = pi != SIZE_MAX && out[pi];
                    for (size_t k = lo; k < hi; k++) {
                        size_t i = items[k].g;

                        if (out[i]) {
                            c++;
                            sum += g[i].n;
                        } else if (g[i].n > 0 &&
                                   (best == SIZE_MAX || g[i].n < g[best].n ||
                                    (g[i].n == g[best].n && i < best))) {
                            best = i;
                        }
                    }
                    if (hi - lo == 1) {
                        /* one member: it is its total; both or neither */
                        size_t i = items[lo].g;

                        if (psup != out[i] && pi != SIZE_MAX &&
                            !sets[sb].population) {
                            if (!out[i] && g[i].n > 0) {
                                out[i] = 1;
                                count++;
                                changed = 1;
                            } else if (!out[pi] && g[pi].n > 0) {
                                out[pi] = 1;
                                count++;
                                changed = 1;
                            }
                        }
                        continue;
                    }
                    /* a suppressed total, or suppressed members: at least
                     * two members suppressed, min rows between them */
                    while ((psup || c > 0) && (c < 2 || sum < min) &&
                           best != SIZE_MAX) {
                        out[best] = 1;
                        count++;
                        changed = 1;
                        c++;
                        sum += g[best].n;
                        best = SIZE_MAX;
                        for (size_t k = lo; k < hi; k++) {
                            size_t i = items[k].g;

                            if (!out[i] && g[i].n > 0 &&
                                (best == SIZE_MAX || g[i].n < g[best].n ||
                                 (g[i].n == g[best].n && i < best)))
                                best = i;
                        }
                    }
                }
                free(parents);
            }
        }
    }
    free(members);
    free(items);
    free(pos);
    free(parent_of);
    return count;
}

static void
blank_cmp(fa_compare *c, const char *why)
{
    c->ratio_ci = (fa_interval){0, 0, why};
    c->diff_ci = (fa_interval){0, 0, why};
    c->test = (fa_test){0, 0, 0, why};
    c->test_name = NULL;
    c->p_adjusted = 0;
    free(c->evidence);
    c->evidence = fa_xstrdup(why);
    c->mdr = fa_value_undefined(why);
    c->cmh = (fa_cmh){0};
    c->cmh.test.reason = why;
    c->cmh.odds_ratio = fa_value_undefined(why);
}

/* A published count of rows of the single column of set gs with value v,
 * made -1. */
static void
blank_dim_count(fa_results *r, const fa_group_set *gs, const char *v)
{
    fa_dim *d;

    if (gs->ndims != 1 || gs->dims[0] < 0 || (size_t)gs->dims[0] >= r->ds.ndims)
        return;
    d = &r->ds.dims[gs->dims[0]];
    if (!v) {
        if (d->missing_code >= 0 && (size_t)d->missing_code < d->nvalues)
            d->counts[d->missing_code] = -1;
        d->missing_rows = -1;
        return;
    }
    for (size_t k = 0; k < d->nvalues; k++)
        if (d->values[k] && strcmp(d->values[k], v) == 0)
            d->counts[k] = -1;
}

/* The index of group gid in r's groups (its gid, as the store keeps
 * them), r->ngroups when none. */
static size_t
group_index(const fa_results *r, int64_t gid)
{
    if (gid >= 0 && (size_t)gid < r->ngroups && r->groups[gid].gid == gid)
        return (size_t)gid;
    for (size_t i = 0; i < r->ngroups; i++)
        if (r->groups[i].gid == gid)
            return i;
    return r->ngroups;
}

size_t
fa_results_suppress(fa_results *r)
{
    struct fa_sup_set *sets;
    struct fa_sup_group *gg;
    unsigned char *sup, *set_hit;
    const char **why;
    size_t total;

    if (r->suppress <= 0 || r->ngroups == 0)
        return 0;
    sets = fa_xcalloc(r->nsets + 1, sizeof(*sets));
    gg = fa_xcalloc(r->ngroups, sizeof(*gg));
    sup = fa_xcalloc(r->ngroups, 1);
    set_hit = fa_xcalloc(r->nsets + 1, 1);
    why = fa_xcalloc(r->ngroups, sizeof(*why));
    for (size_t s = 0; s < r->nsets; s++)
        sets[s] = (struct fa_sup_set){r->sets[s].ndims, r->sets[s].dims,
                                      r->sets[s].kind == FA_SET_OVERALL};
    for (size_t i = 0; i < r->ngroups; i++)
        gg[i] = (struct fa_sup_group){r->groups[i].set, r->groups[i].values,
                                      r->groups[i].n};
    total =
        fa_suppress_choose(sets, r->nsets, gg, r->ngroups, r->suppress, sup);
    for (size_t i = 0; i < r->ngroups; i++) {
        fa_group *g = &r->groups[i];
        fa_group_set *gs = &r->sets[g->set];

        if (!sup[i])
            continue;
        why[i] = fa_suppressed;
        set_hit[g->set] = 1;
        if (gs->ndims == 1)
            blank_dim_count(r, gs, g->values[0]);
    }
    for (size_t s = 0; s < r->nsets; s++) {
        fa_group_set *gs = &r->sets[s];

        if (!set_hit[s])
            continue;
        for (int a = 0; a < FA_AGG_COUNT; a++) {
            gs->agg[a] = fa_value_undefined(fa_suppressed_set);
            gs->agg_ci[a] = (fa_interval){0, 0, fa_suppressed_set};
        }
        for (int t = 0; t < 3; t++) {
            gs->chi2[t] = (fa_test){0, 0, 0, fa_suppressed_set};
            gs->chi2_adjusted[t] = 0;
        }
    }
    for (size_t i = 0; i < r->ngroups; i++) {
        fa_group *g = &r->groups[i];
        int64_t ref = g->ref_gid;

        if (!why[i] && ref > 0) {
            size_t k = group_index(r, ref);

            if (k < r->ngroups && sup[k])
                why[i] = fa_suppressed_ref;
        }
        if (!why[i])
            continue;
        if (sup[i]) {
            g->suppressed = 1;
            g->n = 0;
            g->weight = 0;
            g->w = (fa_counts){0};
            memset(g->rows, 0, sizeof(g->rows));
            memset(g->w2, 0, sizeof(g->w2));
            g->auc_var = fa_value_undefined(why[i]);
            g->above = 0;
            g->wabove = 0;
            for (int m = 0; m < FA_METRIC_COUNT; m++) {
                g->m[m] = fa_value_undefined(why[i]);
                g->ci[m] = (fa_interval){0, 0, why[i]};
            }
        }
        for (int m = 0; m < FA_METRIC_COUNT; m++) {
            g->ratio[m] = fa_value_undefined(why[i]);
            g->diff[m] = fa_value_undefined(why[i]);
            blank_cmp(&g->cmp[m], why[i]);
        }
    }
    for (size_t v = 0; v < r->nverdicts; v++) {
        fa_verdict *vd = &r->verdicts[v];
        size_t k = group_index(r, vd->gid);

        if (k >= r->ngroups || !why[k])
            continue;
        vd->value = fa_value_undefined(why[k]);
        vd->has_p = 0;
        free(vd->reason);
        vd->reason = fa_xstrdup(why[k]);
    }
    /* a group's counts within each stratum would give a suppressed
     * group's (the strata column is a segment): none is published */
    if (r->strat_rows)
        memset(r->strat_rows, 0,
               r->ngroups * r->nstrata * 4 * sizeof(*r->strat_rows));
    r->strata_withheld = r->strat_rows != NULL;
    free(sets);
    free(gg);
    free(sup);
    free(set_hit);
    free(why);
    return total;
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
