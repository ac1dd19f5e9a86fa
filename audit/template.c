/* template.c — report templates: YAML (libyaml) in, checked, resolved
 * against the run options, canonical JSON out. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "policy.h"
#include "run.h"

/* The bundled templates, built from report-templates/ (templates_gen.c). */
struct fa_builtin {
    const char *name;
    const char *text;
};
extern const struct fa_builtin fa_builtins[];

/* ------------------------------------------------------------------ */
/* Private functions: parsing                                          */

struct parser {
    fa_ctx *ctx;
    const char *origin;
    yaml_document_t doc;
    fa_err err;
};

/* Fails at node n's position (1-based line and column). */
static void
fail_at(struct parser *p, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (p->err)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p->err = fa_ctx_fail(p->ctx, FA_ERR_USAGE, "%s:%lu:%lu: %s", p->origin,
                         (unsigned long)n->start_mark.line + 1,
                         (unsigned long)n->start_mark.column + 1, msg);
}

static const char *
scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                       : NULL;
}

/* 1 for YAML's null (a plain null or ~), which the resolved template's
 * JSON writes for a key it leaves unset. */
static int
is_null(const yaml_node_t *n)
{
    const char *s = scalar(n);

    return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (strcmp(s, "null") == 0 || strcmp(s, "~") == 0);
}

static char *
get_string(struct parser *p, const yaml_node_t *n, const char *key)
{
    const char *s = scalar(n);

    if (!s) {
        fail_at(p, n, "'%s' must be a string", key);
        return NULL;
    }
    if (n->data.scalar.length != strlen(s)) {
        fail_at(p, n, "'%s' holds a NUL byte", key);
        return NULL;
    }
    if (strspn(s, " \t\r\n") == strlen(s) ||
        (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
         (strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
          strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0))) {
        fail_at(p, n, "'%s' is empty", key);
        return NULL;
    }
    if (!fa_utf8_valid(s, strlen(s))) {
        fail_at(p, n, "'%s' is not UTF-8", key);
        return NULL;
    }
    return fa_xstrdup(s);
}

static int
get_bool(struct parser *p, const yaml_node_t *n, const char *key)
{
    const char *s = scalar(n);

    if (s && n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        s = NULL; /* "true" in quotes is a string */
    if (s && strcmp(s, "true") == 0)
        return 1;
    if (s && strcmp(s, "false") == 0)
        return 0;
    fail_at(p, n, "'%s' must be true or false", key);
    return 0;
}

static double
get_number(struct parser *p, const yaml_node_t *n, const char *key)
{
    const char *s = scalar(n);
    double v = 0;

    if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        strpbrk(s, "xXpP") || fa_parse_double(s, &v) != 0 || !isfinite(v)) {
        fail_at(p, n, "'%s' must be a number", key);
        return 0;
    }
    return v;
}

static int64_t
get_int(struct parser *p, const yaml_node_t *n, const char *key, int64_t lo,
        int64_t hi)
{
    const char *s = scalar(n), *c = s;
    long long v = 0;
    char *end;

    if (c && *c == '-')
        c++;
    if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !*c ||
        strspn(c, "0123456789") != strlen(c)) {
        fail_at(p, n, "'%s' must be a whole number from %lld to %lld", key,
                (long long)lo, (long long)hi);
        return 0;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || v < lo || v > hi)
        fail_at(p, n, "'%s' must be a whole number from %lld to %lld", key,
                (long long)lo, (long long)hi);
    return (int64_t)v;
}

/* Fails when the key of pair q is given again later in mapping m. */
static void
no_duplicate(struct parser *p, const yaml_node_t *m, const yaml_node_pair_t *q)
{
    const char *key = scalar(yaml_document_get_node(&p->doc, q->key));

    for (const yaml_node_pair_t *r = m->data.mapping.pairs.start; key && r < q;
         r++) {
        const char *k = scalar(yaml_document_get_node(&p->doc, r->key));

        if (k && strcmp(k, key) == 0)
            fail_at(p, yaml_document_get_node(&p->doc, q->key),
                    "key '%s' given twice", key);
    }
}

#define MAX_ITEMS 10000

/* The items of a sequence node; NULL (and an error) when n is not one. */
static yaml_node_item_t *
items(struct parser *p, const yaml_node_t *n, const char *key, size_t *count)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        fail_at(p, n, "'%s' must be a list", key);
        *count = 0;
        return NULL;
    }
    *count =
        (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (*count > MAX_ITEMS) {
        fail_at(p, n, "'%s' has more than %d items", key, MAX_ITEMS);
        *count = 0;
        return NULL;
    }
    return n->data.sequence.items.start;
}

static yaml_node_t *
node(struct parser *p, int id)
{
    return yaml_document_get_node(&p->doc, id);
}

/* A list of strings, each one of allowed (NULL: any) or matching the
 * field-name form when names is set. */
static char **
get_strings(struct parser *p, const yaml_node_t *n, const char *key,
            const char *const *allowed, int names, size_t *count)
{
    size_t k;
    yaml_node_item_t *it = items(p, n, key, &k);
    char **out = fa_xcalloc(k + 1, sizeof(char *));

    *count = 0;
    for (size_t i = 0; it && i < k && !p->err; i++) {
        yaml_node_t *e = node(p, it[i]);
        char *s = get_string(p, e, key);

        if (!s)
            break;
        if (allowed) {
            size_t j = 0;

            while (allowed[j] && strcmp(allowed[j], s) != 0)
                j++;
            if (!allowed[j])
                fail_at(p, e, "unknown %s '%s'", key, s);
        }
        if (names) {
            const char *c = s;

            while (*c && (islower((unsigned char)*c) || *c == '_'))
                c++;
            if (*c || !*s)
                fail_at(p, e, "'%s' must be a name of a-z and _", s);
        }
        for (size_t j = 0; j < *count && !p->err; j++)
            if (strcmp(out[j], s) == 0)
                fail_at(p, e, "'%s' is listed twice in '%s'", s, key);
        out[(*count)++] = s;
    }
    return out;
}

static const char *const section_names[] = {
    "summary",    "verdicts", "groups", "disparities", "intervals", "tests",
    "aggregates", "strata",   "method", "disclosures", "data",      NULL};
static const char *const chart_names[] = {"selection_rate",
                                          "impact_ratio",
                                          "scoring_rate",
                                          "tpr",
                                          "fpr",
                                          "tnr",
                                          "ppv",
                                          "npv",
                                          "accuracy",
                                          "auc",
                                          "calibration",
                                          "heatmap",
                                          "roc",
                                          "threshold_sweep",
                                          NULL};

/* A check's metric: a metric, or the scoring rate; -1 for none. */
static int
metric_of(const char *s)
{
    int m = fa_metric_from_name(s);

    return m >= 0                           ? m
           : strcmp(s, "scoring_rate") == 0 ? FA_CHECK_SCORING_RATE
                                            : -1;
}

const char *
fa_check_metric_name(int m)
{
    return m == FA_CHECK_SCORING_RATE ? "scoring_rate"
                                      : fa_metric_name((fa_metric)m);
}

static void
parse_statistics(struct parser *p, fa_template *t, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        fail_at(p, n, "'statistics' must be a mapping");
        return;
    }
    for (yaml_node_pair_t *q = n->data.mapping.pairs.start;
         q < n->data.mapping.pairs.top && !p->err; q++) {
        yaml_node_t *k = node(p, q->key), *v = node(p, q->value);
        const char *key = scalar(k);

        no_duplicate(p, n, q);
        if (p->err) {
            break;
        } else if (!key) {
            fail_at(p, k, "a key must be a string");
        } else if (strcmp(key, "confidence") == 0 ||
                   strcmp(key, "alpha") == 0) {
            double x = get_number(p, v, key);

            if (!p->err && !(x > 0 && x < 1))
                fail_at(p, v, "'%s' must lie between 0 and 1", key);
            *(key[0] == 'c' ? &t->confidence : &t->alpha) = x;
        } else if (strcmp(key, "ci") == 0) {
            const char *s = scalar(v);

            if (!s || (strcmp(s, "wilson") != 0 && strcmp(s, "exact") != 0))
                fail_at(p, v, "'ci' must be wilson or exact");
            else
                t->exact = strcmp(s, "exact") == 0;
        } else if (strcmp(key, "correction") == 0) {
            const char *s = scalar(v);

            if (!s || (strcmp(s, "holm") != 0 && strcmp(s, "bh") != 0))
                fail_at(p, v, "'correction' must be holm or bh");
            else
                t->bh = strcmp(s, "bh") == 0;
        } else if (strcmp(key, "min_group") == 0) {
            t->min_group = get_int(p, v, key, 0, INT32_MAX);
        } else if (strcmp(key, "min_class") == 0) {
            t->min_class = get_int(p, v, key, 0, INT32_MAX);
        } else if (strcmp(key, "bootstrap") == 0) {
            t->bootstrap = get_int(p, v, key, 0, 1000000);
            if (!p->err && t->bootstrap > 0 && t->bootstrap < 100)
                fail_at(p, v, "'bootstrap' must be 0 or at least 100");
        } else if (strcmp(key, "seed") == 0) {
            t->seed = get_int(p, v, key, 0, INT64_MAX / 2);
        } else {
            fail_at(p, k, "unknown key 'statistics.%s'", key);
        }
    }
}

static void
parse_check(struct parser *p, fa_check *c, const yaml_node_t *n,
            int *has_metric)
{
    const yaml_node_t *ff = NULL, *nmin = n, *nmax = n;

    *c = (fa_check){0};
    c->sets = 1u << FA_SET_ATTRIBUTE | 1u << FA_SET_INTERSECTION;
    c->measure = FA_MEASURE_RATIO;
    *has_metric = 0;
    if (n->type != YAML_MAPPING_NODE) {
        fail_at(p, n, "a check must be a mapping");
        return;
    }
    for (yaml_node_pair_t *q = n->data.mapping.pairs.start;
         q < n->data.mapping.pairs.top && !p->err; q++) {
        yaml_node_t *k = node(p, q->key), *v = node(p, q->value);
        const char *key = scalar(k), *s = scalar(v);

        no_duplicate(p, n, q);
        if (p->err)
            break;
        if (!key) {
            fail_at(p, k, "a key must be a string");
        } else if (strcmp(key, "metric") == 0) {
            c->metric = s ? metric_of(s) : -1;
            if (c->metric < 0)
                fail_at(p, v, "unknown metric '%s'", s ? s : "");
            else if (c->metric != FA_CHECK_SCORING_RATE &&
                     !fa_metric_has_disparity((fa_metric)c->metric))
                fail_at(p, v, "metric '%s' has no comparison to check", s);
            *has_metric = 1;
        } else if (strcmp(key, "measure") == 0) {
            if (!s || (strcmp(s, "ratio") != 0 && strcmp(s, "difference") != 0))
                fail_at(p, v, "'measure' must be ratio or difference");
            else
                c->measure = strcmp(s, "ratio") == 0 ? FA_MEASURE_RATIO
                                                     : FA_MEASURE_DIFFERENCE;
        } else if ((strcmp(key, "min") == 0 || strcmp(key, "max") == 0) &&
                   is_null(v)) {
            /* unset, as the resolved template writes it */
        } else if (strcmp(key, "min") == 0) {
            c->min = get_number(p, v, key);
            c->has_min = 1;
            nmin = v;
        } else if (strcmp(key, "max") == 0) {
            c->max = get_number(p, v, key);
            c->has_max = 1;
            nmax = v;
        } else if (strcmp(key, "rule") == 0) {
            if (!s || (strcmp(s, "band") != 0 &&
                       strcmp(s, "band_and_significant") != 0))
                fail_at(p, v, "'rule' must be band or band_and_significant");
            else
                c->rule = strcmp(s, "band") == 0 ? FA_RULE_BAND
                                                 : FA_RULE_BAND_AND_SIGNIFICANT;
        } else if (strcmp(key, "flip_flop") == 0) {
            c->flip_flop = (int)get_int(p, v, key, 0, 10);
            ff = v;
        } else if (strcmp(key, "sets") == 0) {
            static const char *const kinds[] = {"attribute", "intersection",
                                                "segment", NULL};
            size_t nk;
            char **ks = get_strings(p, v, key, kinds, 0, &nk);

            c->sets = 0;
            for (size_t i = 0; i < nk; i++) {
                c->sets |= 1u << (ks[i][0] == 'a'   ? FA_SET_ATTRIBUTE
                                  : ks[i][0] == 'i' ? FA_SET_INTERSECTION
                                                    : FA_SET_SEGMENT);
                free(ks[i]);
            }
            free(ks);
            if (!p->err && nk == 0)
                fail_at(p, v, "'sets' must name at least one kind");
        } else {
            fail_at(p, k, "unknown key '%s' in a check", key);
        }
    }
    if (p->err)
        return;
    if (!*has_metric)
        fail_at(p, n, "a check needs a 'metric'");
    else if (!c->has_min && !c->has_max)
        fail_at(p, n, "a check needs 'min' or 'max' (its band)");
    else if (c->measure == FA_MEASURE_RATIO && c->has_min && c->min <= 0)
        fail_at(p, nmin, "a ratio's bounds must be above 0");
    else if (c->measure == FA_MEASURE_RATIO && c->has_max && c->max <= 0)
        fail_at(p, nmax, "a ratio's bounds must be above 0");
    else if (c->measure == FA_MEASURE_DIFFERENCE && c->has_min &&
             fabs(c->min) > 1)
        fail_at(p, nmin, "a difference's bounds must lie in [-1, 1]");
    else if (c->measure == FA_MEASURE_DIFFERENCE && c->has_max &&
             fabs(c->max) > 1)
        fail_at(p, nmax, "a difference's bounds must lie in [-1, 1]");
    else if (c->has_min && c->has_max && c->min > c->max)
        fail_at(p, nmin, "'min' is above 'max'");
    else if (c->flip_flop && !c->has_min)
        fail_at(p, ff, "'flip_flop' needs a 'min' (it tests a shortfall)");
    else if (c->flip_flop && (c->measure != FA_MEASURE_RATIO ||
                              (c->metric != FA_METRIC_SELECTION_RATE &&
                               c->metric != FA_CHECK_SCORING_RATE)))
        fail_at(p, ff, "'flip_flop' needs a selection or scoring rate ratio");
}

static void
parse_root(struct parser *p, fa_template *t, const yaml_node_t *root)
{
    int seen_name = 0, seen_title = 0, seen_source = 0;

    if (!root || root->type != YAML_MAPPING_NODE) {
        if (root)
            fail_at(p, root, "a template must be a mapping of keys");
        else
            p->err = fa_ctx_fail(p->ctx, FA_ERR_USAGE, "%s: empty template",
                                 p->origin);
        return;
    }
    for (yaml_node_pair_t *q = root->data.mapping.pairs.start;
         q < root->data.mapping.pairs.top && !p->err; q++) {
        yaml_node_t *k = node(p, q->key), *v = node(p, q->value);
        const char *key = scalar(k);

        if (!key) {
            fail_at(p, k, "a key must be a string");
            continue;
        }
        for (yaml_node_pair_t *r = root->data.mapping.pairs.start; r < q; r++)
            if (strcmp(scalar(node(p, r->key)), key) == 0)
                fail_at(p, k, "key '%s' given twice", key);
        if (p->err)
            break;
        if (strcmp(key, "name") == 0) {
            t->name = get_string(p, v, key);
            for (const char *c = t->name; c && *c; c++)
                if (!islower((unsigned char)*c) &&
                    !isdigit((unsigned char)*c) && *c != '-')
                    fail_at(p, v, "'name' must be of a-z, 0-9 and -");
            if (t->name && !*t->name)
                fail_at(p, v, "'name' is empty");
            seen_name = 1;
        } else if (strcmp(key, "title") == 0) {
            t->title = get_string(p, v, key);
            seen_title = 1;
        } else if (strcmp(key, "source") == 0) {
            t->source = get_string(p, v, key);
            seen_source = 1;
        } else if (strcmp(key, "requires_label") == 0) {
            t->requires_label = get_bool(p, v, key);
        } else if (strcmp(key, "exclude_missing") == 0) {
            t->exclude_missing = get_bool(p, v, key);
        } else if (strcmp(key, "reference") == 0 && is_null(v)) {
            /* unset: largest, or the command line's */
        } else if (strcmp(key, "reference") == 0) {
            t->reference = get_string(p, v, key);
            if (t->reference) {
                fa_ctx *c = fa_ctx_new();

                if (fa_run_check_reference(c, t->reference) != FA_OK)
                    fail_at(p, v,
                            "bad reference '%s' (largest, best, overall or "
                            "COLUMN=VALUE[,COLUMN=VALUE])",
                            t->reference);
                fa_ctx_free(c);
            }
        } else if (strcmp(key, "exclude_below_share") == 0) {
            t->exclude_below_share = get_number(p, v, key);
            if (!p->err &&
                !(t->exclude_below_share >= 0 && t->exclude_below_share < 0.5))
                fail_at(p, v, "'exclude_below_share' must lie in [0, 0.5)");
        } else if (strcmp(key, "suppress") == 0) {
            t->suppress = get_int(p, v, key, 0, INT32_MAX);
        } else if (strcmp(key, "tolerance") == 0) {
            t->tolerance = get_number(p, v, key);
            if (!p->err && !(t->tolerance >= 0 && t->tolerance < 1))
                fail_at(p, v, "'tolerance' must lie in [0, 1)");
        } else if (strcmp(key, "statistics") == 0) {
            parse_statistics(p, t, v);
        } else if (strcmp(key, "metrics") == 0) {
            size_t n;
            char **ms = get_strings(p, v, key, NULL, 0, &n);

            if (!p->err && n == 0)
                fail_at(p, v, "'metrics' must name at least one metric");
            t->metrics = fa_xcalloc(n + 1, sizeof(int));
            for (size_t i = 0; i < n; i++) {
                int m = metric_of(ms[i]);

                if (m < 0 || m == FA_CHECK_SCORING_RATE)
                    fail_at(p, node(p, v->data.sequence.items.start[i]),
                            "unknown metric '%s'", ms[i]);
                t->metrics[t->nmetrics++] = m;
                free(ms[i]);
            }
            free(ms);
        } else if (strcmp(key, "checks") == 0) {
            size_t n;
            yaml_node_item_t *it = items(p, v, key, &n);

            t->checks = fa_xcalloc(n + 1, sizeof(fa_check));
            for (size_t i = 0; it && i < n && !p->err; i++) {
                int has_metric;

                parse_check(p, &t->checks[i], node(p, it[i]), &has_metric);
                t->nchecks++;
            }
        } else if (strcmp(key, "sections") == 0) {
            t->sections =
                get_strings(p, v, key, section_names, 0, &t->nsections);
        } else if (strcmp(key, "charts") == 0) {
            t->charts = get_strings(p, v, key, chart_names, 0, &t->ncharts);
        } else if (strcmp(key, "required_fields") == 0) {
            t->required = get_strings(p, v, key, NULL, 1, &t->nrequired);
        } else if (strcmp(key, "disclosures") == 0) {
            t->disclosures = get_strings(p, v, key, NULL, 0, &t->ndisclosures);
        } else if (strcmp(key, "wording") == 0) {
            static const char *const words[] = {"pass", "fail", "insufficient",
                                                "excluded"};

            if (v->type != YAML_MAPPING_NODE) {
                fail_at(p, v, "'wording' must be a mapping");
                break;
            }
            for (yaml_node_pair_t *w = v->data.mapping.pairs.start;
                 w < v->data.mapping.pairs.top && !p->err; w++) {
                yaml_node_t *wk = node(p, w->key);
                const char *s = scalar(wk);
                int j = 0;

                no_duplicate(p, v, w);
                if (p->err)
                    break;
                while (j < FA_WORD_COUNT && (!s || strcmp(s, words[j]) != 0))
                    j++;
                if (j == FA_WORD_COUNT) {
                    fail_at(p, wk, "unknown key 'wording.%s'", s ? s : "");
                    break;
                }
                free(t->wording[j]);
                t->wording[j] = get_string(p, node(p, w->value), s);
            }
        } else {
            fail_at(p, k, "unknown key '%s'", key);
        }
    }
    if (!p->err && (!seen_name || !seen_title || !seen_source))
        fail_at(p, root, "a template needs 'name', 'title' and 'source'");
}

static void
template_defaults(fa_template *t)
{
    *t = (fa_template){0};
    t->confidence = -1;
    t->alpha = -1;
    t->exact = -1;
    t->bh = -1;
    t->min_group = -1;
    t->min_class = -1;
    t->bootstrap = -1;
    t->seed = -1;
    t->suppress = -1;
    t->tolerance = -1;
}

static void
free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* ------------------------------------------------------------------ */
/* Public functions: templates                                         */

const char *
fa_template_builtin(const char *name)
{
    for (size_t i = 0; fa_builtins[i].name; i++)
        if (strcmp(fa_builtins[i].name, name) == 0)
            return fa_builtins[i].text;
    return NULL;
}

/* A libyaml failure as file:line:column; a reader error (bad UTF-8) has
 * only a byte offset, turned into its line and column here. */
static fa_err
syntax_error(fa_ctx *ctx, const char *origin, const char *text, size_t len,
             const yaml_parser_t *yp)
{
    unsigned long line = (unsigned long)yp->problem_mark.line + 1;
    unsigned long col = (unsigned long)yp->problem_mark.column + 1;

    if (yp->error == YAML_READER_ERROR) {
        line = 1;
        col = 1;
        for (size_t i = 0; i < yp->problem_offset && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
                col++;
            }
        }
    }
    return fa_ctx_fail(ctx, FA_ERR_USAGE, "%s:%lu:%lu: YAML syntax error: %s",
                       origin, line, col,
                       yp->problem ? yp->problem : "unreadable");
}

#define MAX_DEPTH 32

/* One pass over the events first: one document, nested at most MAX_DEPTH
 * deep (libyaml's loader is slow on deep nesting). */
static fa_err
check_shape(fa_ctx *ctx, const char *text, size_t len, const char *origin)
{
    yaml_parser_t yp;
    yaml_event_t ev;
    int depth = 0, docs = 0, done = 0;
    fa_err err = FA_OK;

    if (!yaml_parser_initialize(&yp))
        return fa_ctx_fail(ctx, FA_ERR_INTERNAL, "libyaml: out of memory");
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    while (!done && !err) {
        if (!yaml_parser_parse(&yp, &ev)) {
            err = syntax_error(ctx, origin, text, len, &yp);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                                  "%s:%lu:%lu: a template is one YAML "
                                  "document",
                                  origin, (unsigned long)ev.start_mark.line + 1,
                                  (unsigned long)ev.start_mark.column + 1);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > MAX_DEPTH)
                err = fa_ctx_fail(
                    ctx, FA_ERR_USAGE, "%s:%lu:%lu: nested more than %d deep",
                    origin, (unsigned long)ev.start_mark.line + 1,
                    (unsigned long)ev.start_mark.column + 1, MAX_DEPTH);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&yp);
    return err;
}

fa_err
fa_template_parse(fa_ctx *ctx, const char *text, size_t len, const char *origin,
                  fa_template *t)
{
    yaml_parser_t yp;
    struct parser p;
    fa_err err;

    memset(&p, 0, sizeof(p));
    p.ctx = ctx;
    p.origin = origin;
    template_defaults(t);
    err = check_shape(ctx, text, len, origin);
    if (err)
        return err;
    if (!yaml_parser_initialize(&yp))
        return fa_ctx_fail(ctx, FA_ERR_INTERNAL, "libyaml: out of memory");
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    if (!yaml_parser_load(&yp, &p.doc)) {
        err = syntax_error(ctx, origin, text, len, &yp);
        yaml_parser_delete(&yp);
        return err;
    }
    parse_root(&p, t, yaml_document_get_root_node(&p.doc));
    yaml_document_delete(&p.doc);
    yaml_parser_delete(&yp);
    if (p.err)
        fa_template_release(t);
    return p.err;
}

fa_err
fa_template_load(fa_ctx *ctx, const char *spec, fa_template *t)
{
    size_t n = strlen(spec);
    const char *text;
    char *buf = NULL, *origin;
    size_t len = 0, cap = 0;
    FILE *f;
    fa_err err;

    if (!strchr(spec, '/') && !(n > 5 && strcmp(spec + n - 5, ".yaml") == 0) &&
        !(n > 4 && strcmp(spec + n - 4, ".yml") == 0)) {
        text = fa_template_builtin(spec);
        if (!text)
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "no template '%s' (see 'fairaudit templates "
                               "list', or give a .yaml file)",
                               spec);
        origin = fa_xasprintf("template %s", spec);
        err = fa_template_parse(ctx, text, strlen(text), origin, t);
        free(origin);
        return err;
    }
    f = fopen(spec, "rb");
    if (!f)
        return fa_ctx_fail(ctx, FA_ERR_USAGE, "cannot open template '%s': %s",
                           spec, strerror(errno));
    /* at most 1 MiB: read one byte more to tell */
    cap = (1u << 20) + 1;
    buf = fa_xmalloc(cap);
    while (len < cap) {
        size_t got = fread(buf + len, 1, cap - len, f);

        if (got == 0)
            break;
        len += got;
    }
    if (len > 1u << 20) {
        fclose(f);
        free(buf);
        return fa_ctx_fail(ctx, FA_ERR_USAGE, "template '%s' is over 1 MiB",
                           spec);
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return fa_ctx_fail(ctx, FA_ERR_USAGE, "cannot read template '%s'",
                           spec);
    }
    fclose(f);
    err = fa_template_parse(ctx, buf, len, spec, t);
    free(buf);
    return err;
}

void
fa_template_release(fa_template *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->title);
    free(t->source);
    free(t->reference);
    free(t->metrics);
    free(t->checks);
    free_strings(t->sections, t->nsections);
    free_strings(t->charts, t->ncharts);
    free_strings(t->required, t->nrequired);
    free_strings(t->disclosures, t->ndisclosures);
    for (int i = 0; i < FA_WORD_COUNT; i++)
        free(t->wording[i]);
    template_defaults(t);
}

void
fa_template_resolve(fa_template *t, struct fa_run_opts *o)
{
    static const char *const words[FA_WORD_COUNT] = {
        "pass", "fail", "insufficient evidence", "excluded"};

    {
        char *ref = fa_xstrdup(o->reference   ? o->reference
                               : t->reference ? t->reference
                                              : "largest");

        free(t->reference);
        t->reference = ref;
        o->reference = ref;
    }
    if (o->confidence <= 0 && t->confidence > 0)
        o->confidence = t->confidence;
    t->confidence = o->confidence > 0 ? o->confidence : FA_RUN_CONFIDENCE;
    if (!o->has_ci && t->exact >= 0)
        o->exact = t->exact;
    t->exact = o->exact;
    if (!o->has_correction && t->bh >= 0)
        o->bh = t->bh;
    t->bh = o->bh;
    if (t->alpha < 0)
        t->alpha = 0.05;
    /* run options: 0 is the default and -1 none */
    if (o->min_group == 0 && t->min_group >= 0)
        o->min_group = t->min_group ? t->min_group : -1;
    t->min_group = o->min_group == 0  ? FA_RUN_MIN_GROUP
                   : o->min_group < 0 ? 0
                                      : o->min_group;
    if (o->min_class == 0 && t->min_class >= 0)
        o->min_class = t->min_class ? t->min_class : -1;
    t->min_class = o->min_class == 0  ? FA_RUN_MIN_CLASS
                   : o->min_class < 0 ? 0
                                      : o->min_class;
    if (o->bootstrap == 0 && t->bootstrap >= 0)
        o->bootstrap = t->bootstrap ? t->bootstrap : -1;
    t->bootstrap = o->bootstrap == 0  ? FA_RUN_BOOTSTRAP
                   : o->bootstrap < 0 ? 0
                                      : o->bootstrap;
    if (!o->has_seed && t->seed >= 0) {
        o->seed = (uint64_t)t->seed;
        o->has_seed = 1;
    }
    t->seed = o->has_seed ? (int64_t)o->seed : FA_RUN_SEED;
    if (o->suppress == 0 && t->suppress >= 0)
        o->suppress = t->suppress ? t->suppress : -1;
    t->suppress = o->suppress > 0 ? o->suppress : 0;
    if (t->tolerance < 0)
        t->tolerance = 0.02;
    o->exclude_below_share = t->exclude_below_share;
    o->exclude_missing = t->exclude_missing;
    for (size_t i = 0; i < t->nchecks; i++)
        if (t->checks[i].metric == FA_CHECK_SCORING_RATE)
            o->scoring_rate = 1;
    for (int i = 0; i < FA_WORD_COUNT; i++)
        if (!t->wording[i])
            t->wording[i] = fa_xstrdup(words[i]);
    if (!t->nsections) {
        free(t->sections);
        t->sections = fa_xcalloc(FA_ARRAY_LEN(section_names), sizeof(char *));
        for (size_t i = 0; section_names[i]; i++)
            t->sections[t->nsections++] = fa_xstrdup(section_names[i]);
    }
    if (!t->nmetrics) {
        free(t->metrics);
        t->metrics = fa_xcalloc(FA_METRIC_COUNT, sizeof(int));
        for (int m = 0; m < FA_METRIC_COUNT; m++)
            t->metrics[t->nmetrics++] = m;
    }
}

static json_t *
strings_json(char **s, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(s[i]));
    return a;
}

char *
fa_template_json(const fa_template *t)
{
    json_t *o = json_object(), *st = json_object(), *checks = json_array();
    json_t *metrics = json_array(), *w = json_object();
    static const char *const wkeys[FA_WORD_COUNT] = {
        "pass", "fail", "insufficient", "excluded"};
    char *s;

    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "title", json_string(t->title));
    json_object_set_new(o, "source", json_string(t->source));
    json_object_set_new(o, "requires_label", json_boolean(t->requires_label));
    json_object_set_new(o, "reference",
                        t->reference ? json_string(t->reference) : json_null());
    json_object_set_new(o, "exclude_below_share",
                        json_real(t->exclude_below_share));
    json_object_set_new(o, "exclude_missing", json_boolean(t->exclude_missing));
    json_object_set_new(o, "suppress", json_integer(t->suppress));
    json_object_set_new(o, "tolerance", json_real(t->tolerance));
    json_object_set_new(st, "confidence", json_real(t->confidence));
    json_object_set_new(st, "alpha", json_real(t->alpha));
    json_object_set_new(st, "ci",
                        json_string(t->exact > 0 ? "exact" : "wilson"));
    json_object_set_new(st, "correction",
                        json_string(t->bh > 0 ? "bh" : "holm"));
    json_object_set_new(st, "min_group", json_integer(t->min_group));
    json_object_set_new(st, "min_class", json_integer(t->min_class));
    json_object_set_new(st, "bootstrap", json_integer(t->bootstrap));
    json_object_set_new(st, "seed", json_integer(t->seed));
    json_object_set_new(o, "statistics", st);
    for (size_t i = 0; i < t->nmetrics; i++)
        json_array_append_new(metrics,
                              json_string(fa_check_metric_name(t->metrics[i])));
    json_object_set_new(o, "metrics", metrics);
    for (size_t i = 0; i < t->nchecks; i++) {
        const fa_check *c = &t->checks[i];
        json_t *j = json_object(), *sets = json_array();

        json_object_set_new(j, "metric",
                            json_string(fa_check_metric_name(c->metric)));
        json_object_set_new(j, "measure",
                            json_string(c->measure == FA_MEASURE_RATIO
                                            ? "ratio"
                                            : "difference"));
        json_object_set_new(j, "min",
                            c->has_min ? json_real(c->min) : json_null());
        json_object_set_new(j, "max",
                            c->has_max ? json_real(c->max) : json_null());
        json_object_set_new(j, "rule",
                            json_string(c->rule == FA_RULE_BAND
                                            ? "band"
                                            : "band_and_"
                                              "significant"));
        json_object_set_new(j, "flip_flop", json_integer(c->flip_flop));
        for (int k = FA_SET_ATTRIBUTE; k <= FA_SET_SEGMENT; k++)
            if (c->sets & (1u << k))
                json_array_append_new(
                    sets, json_string(fa_set_kind_name((enum fa_set_kind)k)));
        json_object_set_new(j, "sets", sets);
        json_array_append_new(checks, j);
    }
    json_object_set_new(o, "checks", checks);
    json_object_set_new(o, "sections", strings_json(t->sections, t->nsections));
    json_object_set_new(o, "charts", strings_json(t->charts, t->ncharts));
    json_object_set_new(o, "required_fields",
                        strings_json(t->required, t->nrequired));
    json_object_set_new(o, "disclosures",
                        strings_json(t->disclosures, t->ndisclosures));
    for (int i = 0; i < FA_WORD_COUNT; i++)
        json_object_set_new(w, wkeys[i],
                            t->wording[i] ? json_string(t->wording[i])
                                          : json_null());
    json_object_set_new(o, "wording", w);
    s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(o);
    if (!s)
        abort(); /* out of memory */
    {
        char *copy = fa_xstrdup(s);

        free(s);
        return copy;
    }
}

fa_err
fa_template_check_fields(fa_ctx *ctx, const fa_template *t, const fa_field *f,
                         size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(f[i].key, f[j].key) == 0)
                return fa_ctx_fail(ctx, FA_ERR_USAGE,
                                   "--field %s is given twice", f[i].key);
    for (size_t r = 0; r < t->nrequired; r++) {
        size_t i = 0;

        while (i < n && strcmp(f[i].key, t->required[r]) != 0)
            i++;
        if (i == n || !*f[i].value) {
            char *all = fa_xstrdup("");

            for (size_t k = 0; k < t->nrequired; k++) {
                char *a = fa_xasprintf("%s%s--field %s=VALUE", all,
                                       k ? " " : "", t->required[k]);

                free(all);
                all = a;
            }
            fa_ctx_fail(ctx, FA_ERR_USAGE,
                        "template %s requires --field %s=VALUE (it needs "
                        "all of: %s)",
                        t->name, t->required[r], all);
            free(all);
            return FA_ERR_USAGE;
        }
    }
    return FA_OK;
}
