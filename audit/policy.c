/* policy.c — a run judged by its report template: pass, fail,
 * insufficient evidence or excluded, for every group and check. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "disparity.h"
#include "policy.h"
#include "stats.h"

/* ------------------------------------------------------------------ */
/* Private functions: verdicts                                         */

struct judge {
    const fa_template *t;
    fa_results *r;
    size_t cap;
    json_t *skipped;
};

static int
has_missing(const fa_results *r, const fa_group *g)
{
    for (size_t k = 0; k < r->sets[g->set].ndims; k++)
        if (!g->values[k])
            return 1;
    return 0;
}

/* Why g is excluded from the ratios, or NULL. */
static char *
excluded(const struct judge *J, const fa_group *g)
{
    const fa_template *t = J->t;
    int64_t total = J->r->groups[0].n;

    if (t->exclude_missing && has_missing(J->r, g))
        return fa_xstrdup("unknown category: counted and shown, not in the "
                          "ratios");
    if (t->exclude_below_share > 0 &&
        fa_below_share(g->n, total, t->exclude_below_share))
        return fa_xasprintf("%lld of %lld rows, under %g%% of the data: "
                            "shown, not in the ratios",
                            (long long)g->n, (long long)total,
                            100 * t->exclude_below_share);
    return NULL;
}

static fa_verdict *
add_verdict(struct judge *J, const fa_group *g, int check)
{
    fa_results *r = J->r;
    const fa_check *c = &J->t->checks[check];
    fa_verdict *v;

    if (r->nverdicts == J->cap) {
        J->cap = J->cap ? 2 * J->cap : 64;
        r->verdicts = fa_xrealloc(r->verdicts, J->cap, sizeof(*v));
    }
    v = &r->verdicts[r->nverdicts++];
    *v = (fa_verdict){0};
    v->gid = g->gid;
    v->check = check;
    v->metric = fa_xstrdup(fa_check_metric_name(c->metric));
    v->measure =
        fa_xstrdup(c->measure == FA_MEASURE_RATIO ? "ratio" : "difference");
    v->has_min = c->has_min;
    v->has_max = c->has_max;
    v->min = c->min;
    v->max = c->max;
    v->value = fa_value_undefined("not judged");
    return v;
}

/* The rule of check c, in words. */
static char *
rule_text(const fa_template *t, const fa_check *c)
{
    const char *what = c->measure == FA_MEASURE_RATIO ? "ratio" : "difference";
    char *band, *rule;

    if (c->has_min && c->has_max)
        band = fa_xasprintf("%g <= %s <= %g", c->min, what, c->max);
    else if (c->has_min)
        band = fa_xasprintf("%s >= %g", what, c->min);
    else
        band = fa_xasprintf("%s <= %g", what, c->max);
    if (c->rule == FA_RULE_BAND && c->flip_flop)
        rule = fa_xasprintf("pass when %s; outside it, fail when the %s "
                            "stays outside with %d more selected in the "
                            "group, else insufficient evidence",
                            band, what, c->flip_flop);
    else if (c->rule == FA_RULE_BAND)
        rule = fa_xasprintf("pass when %s; fail otherwise", band);
    else if (c->flip_flop)
        rule = fa_xasprintf("pass when %s; outside it, fail when the adjusted "
                            "p-value is below %g and the %s stays outside "
                            "with %d more selected in the group, else "
                            "insufficient evidence",
                            band, t->alpha, what, c->flip_flop);
    else
        rule = fa_xasprintf("pass when %s; outside it, fail when the adjusted "
                            "p-value is below %g, else insufficient evidence",
                            band, t->alpha);
    free(band);
    return rule;
}

/* Values within this relative distance of a bound are on it: a ratio of
 * 8/50 to 10/50 is 4/5 exactly but 0.7999999999999999 in doubles. */
#define BOUND_TOL 1e-12

static int
at_least(double x, double bound)
{
    return x >= bound - BOUND_TOL * fmax(1, fabs(bound));
}

static int
at_most(double x, double bound)
{
    return x <= bound + BOUND_TOL * fmax(1, fabs(bound));
}

static int
in_band(const fa_check *c, double x)
{
    return (!c->has_min || at_least(x, c->min)) &&
           (!c->has_max || at_most(x, c->max));
}

/* What the flip-flop moves: the group's selected (or above-median) weight
 * x of total weight w over n rows, and the reference's rate. k people
 * more give the rate (x + k w/n) / w: rows when unweighted, a mean
 * row's weight each when weighted. */
struct flip {
    double x, w, n, ref_rate;
};

/*
 * Judges one value: v->value set; ev the evidence ("sufficient" or why
 * not); has_p/p the adjusted test; f for the flip-flop.
 */
static void
decide(const struct judge *J, const fa_check *c, fa_verdict *v, const char *ev,
       const char *test_reason, const struct flip *f)
{
    const char *what = c->measure == FA_MEASURE_RATIO ? "ratio" : "difference";
    char *why = NULL;

    if (!ev || strcmp(ev, "sufficient") != 0) {
        v->verdict = FA_VERDICT_INSUFFICIENT;
        v->reason = fa_xstrdup(ev ? ev : "no comparison");
        return;
    }
    if (v->value.reason) {
        v->verdict = FA_VERDICT_INSUFFICIENT;
        v->reason =
            fa_xasprintf("the %s is undefined: %s", what, v->value.reason);
        return;
    }
    if (in_band(c, v->value.value)) {
        v->verdict = FA_VERDICT_PASS;
        v->reason =
            fa_xasprintf("%s %.4g is within the band", what, v->value.value);
        return;
    }
    if (c->rule == FA_RULE_BAND) {
        why = fa_xasprintf("%s %.4g is outside the band", what, v->value.value);
    } else if (!v->has_p) {
        v->verdict = FA_VERDICT_INSUFFICIENT;
        v->reason = fa_xasprintf("%s %.4g is outside the band, with no test: "
                                 "%s",
                                 what, v->value.value,
                                 test_reason ? test_reason : "none");
        return;
    } else if (!(v->p_adjusted < J->t->alpha)) {
        v->verdict = FA_VERDICT_INSUFFICIENT;
        v->reason =
            fa_xasprintf("%s %.4g is outside the band but not "
                         "significant (adjusted p %.4g, alpha %g)",
                         what, v->value.value, v->p_adjusted, J->t->alpha);
        return;
    } else {
        why = fa_xasprintf("%s %.4g is outside the band and significant "
                           "(adjusted p %.4g < %g)",
                           what, v->value.value, v->p_adjusted, J->t->alpha);
    }
    /* the practical-significance check of a shortfall */
    if (c->flip_flop && c->has_min && !at_least(v->value.value, c->min) &&
        f->n > 0 && f->w > 0 && f->ref_rate > 0) {
        double rate = fmin(1, (f->x + c->flip_flop * f->w / f->n) / f->w);
        double moved = rate / f->ref_rate;

        if (at_least(moved, c->min)) {
            v->verdict = FA_VERDICT_INSUFFICIENT;
            v->reason = fa_xasprintf("%s, but %d more selected in the group "
                                     "give %.4g: the finding does not "
                                     "survive the flip-flop check",
                                     why, c->flip_flop, moved);
            free(why);
            return;
        }
        v->verdict = FA_VERDICT_FAIL;
        v->reason = fa_xasprintf("%s; with %d more selected in the group it "
                                 "is still %.4g",
                                 why, c->flip_flop, moved);
        free(why);
        return;
    }
    v->verdict = FA_VERDICT_FAIL;
    v->reason = why;
}

static void
judge_metric(struct judge *J, int check, const fa_group_set *gs, int64_t first,
             int64_t count)
{
    const fa_check *c = &J->t->checks[check];
    fa_results *r = J->r;
    fa_metric m = (fa_metric)c->metric;
    char *rule = rule_text(J->t, c);
    const fa_value *ref_sel =
        gs->ref_gid >= 0 ? &r->groups[gs->ref_gid].m[FA_METRIC_SELECTION_RATE]
                         : NULL;
    for (int64_t i = first; i < first + count; i++) {
        const fa_group *g = &r->groups[i];
        char *why;
        fa_verdict *v;
        struct flip f;

        if (g->gid == gs->ref_gid)
            continue;
        v = add_verdict(J, g, check);
        v->rule = fa_xstrdup(rule);
        if (gs->ref_gid >= 0) {
            /* shown for excluded groups too, as for the scoring rate */
            v->value =
                c->measure == FA_MEASURE_RATIO ? g->ratio[m] : g->diff[m];
            if (!g->cmp[m].test.reason) {
                v->has_p = 1;
                v->p_adjusted = g->cmp[m].p_adjusted;
            }
        }
        why = excluded(J, g);
        if (why) {
            v->verdict = FA_VERDICT_EXCLUDED;
            v->reason = why;
            continue;
        }
        if (gs->ref_gid < 0) {
            v->verdict = FA_VERDICT_INSUFFICIENT;
            v->reason = fa_xstrdup("no reference group");
            continue;
        }
        f = (struct flip){g->w.tp + g->w.fp, g->weight, (double)g->n,
                          ref_sel && !ref_sel->reason ? ref_sel->value : 0};
        decide(J, c, v, g->cmp[m].evidence, g->cmp[m].test.reason, &f);
    }
    free(rule);
}

/* The scoring rate: rows above the sample median over rows (weighted in a
 * weighted audit). */
static fa_value
scoring_rate(const fa_results *r, const fa_group *g)
{
    if (g->n == 0)
        return fa_value_undefined("empty group");
    if (r->ds.weighted)
        return fa_value_ratio(g->wabove, g->weight, "empty group");
    return fa_value_ratio((double)g->above, (double)g->n, "empty group");
}

static void
judge_scoring(struct judge *J, int check, int64_t first, int64_t count)
{
    const fa_check *c = &J->t->checks[check];
    fa_results *r = J->r;
    const fa_group *ref = NULL;
    fa_value rref = fa_value_undefined("no reference group");
    char *rule = rule_text(J->t, c);
    size_t v0 = r->nverdicts, nt = 0;
    double *p, *adj;
    size_t *which;
    const char **treason;

    /* the reference: the highest scoring rate among the groups not
     * excluded and without a missing value, of --min-group rows if any */
    for (int pass = 0; pass < 2 && !ref; pass++) {
        for (int64_t i = first; i < first + count; i++) {
            const fa_group *g = &r->groups[i];
            fa_value sr = scoring_rate(r, g);
            char *why = excluded(J, g);
            int out = why != NULL;

            free(why);
            if (out || has_missing(r, g) || sr.reason || g->n == 0 ||
                (pass == 0 && g->n < J->t->min_group))
                continue;
            if (!ref || sr.value > rref.value ||
                (sr.value == rref.value && g->weight > ref->weight)) {
                ref = g;
                rref = sr;
            }
        }
    }
    for (int64_t i = first; i < first + count; i++) {
        const fa_group *g = &r->groups[i];
        fa_value sr = scoring_rate(r, g);
        fa_verdict *v;
        char *why;

        if (g == ref)
            continue;
        v = add_verdict(J, g, check);
        v->rule = fa_xstrdup(rule);
        if (ref)
            v->value = c->measure == FA_MEASURE_RATIO
                           ? fa_disparity_ratio(&sr, &rref)
                           : fa_disparity_difference(&sr, &rref);
        why = excluded(J, g);
        if (why) {
            v->verdict = FA_VERDICT_EXCLUDED;
            v->reason = why;
            continue;
        }
        if (!ref) {
            v->verdict = FA_VERDICT_INSUFFICIENT;
            v->reason = fa_xstrdup("no reference group");
        }
    }
    /* tests of every group against the reference, excluded ones too (as
     * the run's families are), adjusted within the set */
    p = fa_xcalloc(r->nverdicts - v0 + 1, sizeof(double));
    adj = fa_xcalloc(r->nverdicts - v0 + 1, sizeof(double));
    which = fa_xcalloc(r->nverdicts - v0 + 1, sizeof(size_t));
    treason = fa_xcalloc(r->nverdicts - v0 + 1, sizeof(char *));
    for (size_t k = v0; k < r->nverdicts; k++) {
        fa_verdict *v = &r->verdicts[k];
        const fa_group *g = &r->groups[v->gid];
        fa_test t;

        treason[k - v0] = r->ds.weighted ? "no test for a weighted scoring rate"
                          : g->n == 0    ? "empty group"
                                         : "no reference group";
        if (!ref || r->ds.weighted || g->n == 0 || ref->n == 0)
            continue;
        if (fa_test_needs_exact((double)g->above, (double)g->n,
                                (double)ref->above, (double)ref->n))
            t = fa_test_fisher((unsigned)g->above, (unsigned)(g->n - g->above),
                               (unsigned)ref->above,
                               (unsigned)(ref->n - ref->above));
        else
            t = fa_test_two_proportions((double)g->above, (double)g->n,
                                        (double)ref->above, (double)ref->n);
        treason[k - v0] = t.reason;
        if (t.reason)
            continue;
        p[nt] = t.p;
        which[nt++] = k;
    }
    if (J->t->bh > 0)
        fa_p_adjust_bh(p, nt, adj);
    else
        fa_p_adjust_holm(p, nt, adj);
    for (size_t k = 0; k < nt; k++) {
        r->verdicts[which[k]].has_p = 1;
        r->verdicts[which[k]].p_adjusted = adj[k];
    }
    for (size_t k = v0; k < r->nverdicts; k++) {
        fa_verdict *v = &r->verdicts[k];
        const fa_group *g = &r->groups[v->gid];
        const char *ev = "sufficient";
        char *evb = NULL;
        struct flip f;

        if (v->verdict == FA_VERDICT_EXCLUDED || v->reason)
            continue;
        if (g->n < J->t->min_group || ref->n < J->t->min_group)
            ev = evb = fa_xasprintf(
                "insufficient evidence: %s has %lld rows, fewer than %lld "
                "(min_group)",
                g->n < J->t->min_group ? "the group" : "the reference",
                (long long)(g->n < J->t->min_group ? g->n : ref->n),
                (long long)J->t->min_group);
        f = (struct flip){r->ds.weighted ? g->wabove : (double)g->above,
                          r->ds.weighted ? g->weight : (double)g->n,
                          (double)g->n, rref.reason ? 0 : rref.value};
        decide(J, c, v, ev, treason[k - v0], &f);
        free(evb);
    }
    free(treason);
    free(p);
    free(adj);
    free(which);
    free(rule);
}

static void
skip(struct judge *J, int check, const char *reason)
{
    json_t *o = json_object();

    json_object_set_new(o, "check", json_integer(check));
    json_object_set_new(
        o, "metric",
        json_string(fa_check_metric_name(J->t->checks[check].metric)));
    json_object_set_new(o, "reason", json_string(reason));
    json_array_append_new(J->skipped, o);
}

void
fa_policy_judge(const fa_template *t, fa_results *r)
{
    struct judge J = {t, r, 0, json_array()};
    int fail = 0, insufficient = 0, judged = 0;
    char *s;

    for (size_t k = 0; k < t->nchecks; k++) {
        const fa_check *c = &t->checks[k];

        if (c->metric == FA_CHECK_SCORING_RATE) {
            if (!r->ds.scored) {
                skip(&J, (int)k, "no score column");
                continue;
            }
        } else if (!r->ds.labelled &&
                   fa_metric_needs_label((fa_metric)c->metric)) {
            skip(&J, (int)k, "no label column");
            continue;
        } else if (!r->ds.scored &&
                   fa_metric_needs_score((fa_metric)c->metric)) {
            skip(&J, (int)k, "no score column");
            continue;
        }
        int sets = 0;

        for (size_t si = 1; si < r->nsets; si++) {
            const fa_group_set *gs = &r->sets[si];
            int64_t first = -1, count = 0;

            if (!(c->sets & (1u << gs->kind)))
                continue;
            sets++;
            for (size_t i = 0; i < r->ngroups; i++)
                if (r->groups[i].set == gs->id) {
                    if (first < 0)
                        first = (int64_t)i;
                    count++;
                }
            if (first < 0)
                continue;
            if (c->metric == FA_CHECK_SCORING_RATE)
                judge_scoring(&J, (int)k, first, count);
            else
                judge_metric(&J, (int)k, gs, first, count);
        }
        if (!sets)
            skip(&J, (int)k, "the data has no sets of the kinds it names");
    }
    for (size_t i = 0; i < r->nverdicts; i++) {
        fail |= r->verdicts[i].verdict == FA_VERDICT_FAIL;
        insufficient |= r->verdicts[i].verdict == FA_VERDICT_INSUFFICIENT;
    }
    for (size_t i = 0; i < r->nverdicts; i++)
        judged |= r->verdicts[i].verdict != FA_VERDICT_EXCLUDED;
    /* a pass needs something to have passed */
    r->verdict = fail                      ? FA_VERDICT_FAIL
                 : insufficient || !judged ? FA_VERDICT_INSUFFICIENT
                                           : FA_VERDICT_PASS;

    s = json_dumps(J.skipped, JSON_COMPACT);
    r->skipped_json = fa_xstrdup(s);
    free(s);
    json_decref(J.skipped);
}
