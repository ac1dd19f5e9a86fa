/* policy.h — report templates (one YAML file per regime) and the verdicts
 * they give a run: pass, fail, insufficient evidence or excluded.
 *
 * A template is parsed and checked in full (unknown keys, wrong types and
 * impossible thresholds are errors with line and column), resolved against
 * the run's options, and kept with the run as canonical JSON and its
 * SHA-256. docs/templates.md states every key and rule.
 */
#ifndef FA_POLICY_H
#define FA_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"
#include "util.h"

struct fa_run_opts;

/* The scoring rate (NYC LL144): a check's metric beside the fa_metric
 * values. */
#define FA_CHECK_SCORING_RATE FA_METRIC_COUNT

typedef enum { FA_MEASURE_RATIO, FA_MEASURE_DIFFERENCE } fa_measure;
typedef enum { FA_RULE_BAND_AND_SIGNIFICANT, FA_RULE_BAND } fa_rule;

typedef struct fa_check {
    int metric; /* an fa_metric, or FA_CHECK_SCORING_RATE */
    fa_measure measure;
    int has_min, has_max;
    double min, max;
    fa_rule rule;
    int flip_flop; /* people moved for the practical-significance check */
    unsigned sets; /* 1 << fa_set_kind */
} fa_check;

enum {
    FA_WORD_PASS,
    FA_WORD_FAIL,
    FA_WORD_INSUFFICIENT,
    FA_WORD_EXCLUDED,
    FA_WORD_COUNT
};

typedef struct fa_template {
    char *name, *title, *source;
    int requires_label;
    char *reference;
    double exclude_below_share;
    int exclude_missing;
    /* statistics: a negative value (or NULL) is unset */
    double confidence, alpha;
    int exact, bh; /* -1 unset */
    int64_t min_group, min_class, bootstrap, seed;
    /* groups of fewer rows are published only as suppressed (0: none;
     * -1 unset) */
    int64_t suppress;
    /* the smallest change in a rate that compare calls a regression
     * (-1 unset: 0.02) */
    double tolerance;
    int *metrics; /* fa_metric; all when nmetrics is 0 */
    size_t nmetrics;
    fa_check *checks;
    size_t nchecks;
    char **sections, **charts, **required, **disclosures;
    size_t nsections, ncharts, nrequired, ndisclosures;
    char *wording[FA_WORD_COUNT];
} fa_template;

/* A check's metric name: a metric's, or "scoring_rate". */
const char *fa_check_metric_name(int metric);

/* The bundled templates' names, in order; NULL-terminated. */
extern const char *const fa_template_names[];

/*
 * Loads a bundled template by name, or a file when spec has a '/' or ends
 * in .yaml or .yml. FA_ERR_USAGE for an unknown name, an unreadable file,
 * and (with file, line and column) anything wrong in it.
 */
fa_err fa_template_load(fa_ctx *ctx, const char *spec, fa_template *t);

/* Parses YAML text; origin names it in messages. */
fa_err fa_template_parse(fa_ctx *ctx, const char *text, size_t len,
                         const char *origin, fa_template *t);

void fa_template_release(fa_template *t);

/* The bundled template's YAML text, or NULL. */
const char *fa_template_builtin(const char *name);

/*
 * Resolves t against the run options: an option the user gave wins, an
 * unset one takes the template's value, and t then records the values the
 * run uses (run defaults where neither said).
 */
void fa_template_resolve(fa_template *t, struct fa_run_opts *o);

/* The resolved template as canonical JSON (sorted keys, compact; caller
 * frees). */
char *fa_template_json(const fa_template *t);

/* One field the user supplied: --field KEY=VALUE. */
typedef struct fa_field {
    char *key, *value;
} fa_field;

/*
 * Checks that every required field is given, that no field is given twice
 * and that every key is a required one or other: FA_ERR_USAGE naming the
 * missing one.
 */
fa_err fa_template_check_fields(fa_ctx *ctx, const fa_template *t,
                                const fa_field *f, size_t n);

/*
 * Judges run r against t: every check on every group of the sets it names,
 * the overall verdict, and the checks skipped (no label, no score). Fills
 * r's verdict fields.
 */
void fa_policy_judge(const fa_template *t, fa_results *r);

#endif /* FA_POLICY_H */
