/* results.h — one run's results as the stages share them: what run.c
 * computes, store.c saves and loads, and results_json.c writes.
 *
 * Plain structs; fa_results_release frees everything a fa_results points to.
 */
#ifndef FA_RESULTS_H
#define FA_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "confusion.h"
#include "dataset.h"
#include "stats.h"

/* Aggregates computed for every group set. */
typedef enum fa_aggregate {
    FA_AGG_DEMOGRAPHIC_PARITY_DIFFERENCE,
    FA_AGG_DEMOGRAPHIC_PARITY_RATIO,
    FA_AGG_EQUALIZED_ODDS_DIFFERENCE,
    FA_AGG_EQUALIZED_ODDS_RATIO,
    FA_AGG_EQUAL_OPPORTUNITY_DIFFERENCE,
    FA_AGG_EQUAL_OPPORTUNITY_RATIO,
    FA_AGG_COUNT
} fa_aggregate;

const char *fa_aggregate_name(fa_aggregate a);

enum fa_set_kind {
    FA_SET_OVERALL = 0,
    FA_SET_ATTRIBUTE,
    FA_SET_INTERSECTION,
    FA_SET_SEGMENT
};

const char *fa_set_kind_name(enum fa_set_kind k);

/* The metrics whose independence across a set's groups is tested. */
extern const fa_metric fa_chi2_metrics[3];

/* A family of groups: one attribute, one intersection, one segment column
 * or the whole population (set 0). */
typedef struct fa_group_set {
    int id;
    enum fa_set_kind kind;
    size_t ndims;
    int *dims;             /* indices into fa_dataset.dims */
    int64_t ref_gid;       /* reference group, -1 when none */
    int64_t empty_omitted; /* empty combinations not listed */
    fa_value agg[FA_AGG_COUNT];
    /* chi-square test of independence of group and outcome, for the
     * selection rate, the TPR and the FPR (fa_chi2_metrics) */
    fa_test chi2[3];
    double chi2_adjusted[3];          /* within the run's family per metric */
    fa_interval agg_ci[FA_AGG_COUNT]; /* stratified bootstrap */
} fa_group_set;

/* A group against its reference for one metric: intervals of the ratio
 * and the difference, the test, and whether the data can support a
 * verdict at all. */
typedef struct fa_compare {
    fa_interval ratio_ci;
    fa_interval diff_ci;
    fa_test test;
    const char *test_name; /* "z", "fisher"; NULL when no test */
    double p_adjusted;     /* read when test.reason is NULL */
    char *evidence;        /* "sufficient" or why not; owned */
    fa_value mdr;          /* minimum detectable ratio at 80% power */
    fa_cmh cmh;            /* pooled within --strata */
} fa_compare;

/* One group: a level of every dim of its set. */
typedef struct fa_group {
    int64_t gid; /* 0 is the whole population */
    int set;
    char **values;    /* one per dim of the set; NULL = missing */
    int64_t n;        /* rows */
    double weight;    /* sum of weights (n when unweighted) */
    fa_counts w;      /* weighted confusion counts */
    int64_t rows[4];  /* unweighted tp, fp, tn, fn */
    double w2[4];     /* sums of squared weights (run only) */
    fa_value auc_var; /* DeLong variance of the AUC (run only) */
    int64_t ref_gid;  /* -1 when none (the population) */
    fa_value m[FA_METRIC_COUNT];
    fa_value ratio[FA_METRIC_COUNT];
    fa_value diff[FA_METRIC_COUNT];
    fa_interval ci[FA_METRIC_COUNT]; /* of the metric itself */
    fa_compare cmp[FA_METRIC_COUNT]; /* against the reference */
    /* rows scoring above the sample median (has_above: a template asked
     * for the scoring rate and the dataset has a score) */
    int has_above;
    int64_t above;
    double wabove;
    int suppressed; /* published only as suppressed (fa_results_suppress) */
} fa_group;

enum fa_verdict_kind {
    FA_VERDICT_PASS,
    FA_VERDICT_FAIL,
    FA_VERDICT_INSUFFICIENT,
    FA_VERDICT_EXCLUDED,
    FA_VERDICT_COUNT
};

/* "pass", "fail", "insufficient", "excluded"; NULL otherwise. */
const char *fa_verdict_name(int v);
/* The kind of a name, -1 when none. */
int fa_verdict_of(const char *name);

struct fa_results;

/*
 * The first verdict of group gid on metric (a check's metric name) with
 * measure ("ratio", "difference"; NULL for either), or NULL. Verdicts come
 * in ascending check, each check's in ascending gid, so a check's run and
 * the group in it are both found by bisection.
 */
const struct fa_verdict *fa_results_verdict(const struct fa_results *r,
                                            int64_t gid, const char *metric,
                                            const char *measure);

/* One (group, check) judged by the run's template. */
typedef struct fa_verdict {
    int64_t gid;
    int check;      /* index in the template's checks */
    char *metric;   /* the check's metric name */
    char *measure;  /* "ratio" or "difference" */
    fa_value value; /* the ratio or difference judged (reason interned) */
    int has_min, has_max;
    double min, max; /* the band */
    int has_p;
    double p_adjusted; /* of the comparison's test */
    int verdict;       /* enum fa_verdict_kind */
    char *rule;        /* the rule applied, in words */
    char *reason;      /* why this verdict */
} fa_verdict;

typedef struct fa_results {
    int64_t run_id;
    char *created;   /* ISO 8601 UTC: when the run started */
    char *finished;  /* when it was saved; NULL for a run saved before
                        schema version 3 */
    char *reference; /* the --reference policy as given */
    char *tool_version;
    double confidence; /* of every interval, e.g. 0.95 */
    char *ci_method;   /* "wilson" or "clopper-pearson" */
    char *correction;  /* "holm" or "bh" */
    int64_t min_group; /* rows a group needs for a verdict */
    int64_t min_class; /* rows each rate's denominator needs */
    int64_t suppress;  /* groups of fewer rows are published only as
                          suppressed; 0: none */
    uint64_t seed;     /* of the bootstrap */
    int64_t bootstrap; /* replicates, 0 for none */
    char *strata;      /* the --strata column, NULL for none */
    size_t nstrata;
    char **stratum_values; /* nstrata labels; NULL = missing */
    int64_t *strat_rows;   /* per group and stratum: tp, fp, tn, fn */
    int strata_withheld;   /* fa_results_suppress: strat_rows not shown */
    fa_dataset ds;
    fa_group_set *sets;
    size_t nsets;
    fa_group *groups;
    size_t ngroups;
    /* the template (NULL name: none) and its verdicts */
    char *template_name;
    char *template_json;   /* resolved, canonical */
    char *template_sha256; /* of template_json, hex */
    char *fields_json;     /* {"key": "value", ...} from --field */
    char *skipped_json;    /* [{"check": i, "metric": m, "reason": r}] */
    int verdict;           /* overall: enum fa_verdict_kind, -1 none */
    int has_median;
    double score_median; /* of the whole sample, for the scoring rate */
    fa_verdict *verdicts;
    size_t nverdicts;
} fa_results;

/* 1 when the metric has a disparity against the reference. */
int fa_metric_has_disparity(fa_metric m);

/* 1 when the metric is a binomial proportion of rows (every rate but
 * balanced accuracy and F1): it has a score interval and a test. */
int fa_metric_is_proportion(fa_metric m);

/* The metric in words ("TPR (sensitivity)") and its formula in counts
 * ("TP / (TP + FN)"); static strings. */
const char *fa_metric_label(fa_metric m);
const char *fa_metric_formula(fa_metric m);

/* 1 when a value of g's set is missing. */
int fa_group_has_missing(const fa_results *r, const fa_group *g);

/* "sex=female, race=Black" ("(missing)" for a missing value); "overall"
 * for the population (caller frees). */
char *fa_group_label(const fa_results *r, const fa_group *g);

/* "sex \u00d7 race": the names of the set's columns (caller frees). */
char *fa_set_label(const fa_results *r, const fa_group_set *gs);

/*
 * The command that reproduces run r from the store at path store (NULL:
 * the word STORE), every argument quoted for a POSIX shell (caller frees).
 */
char *fa_results_command(const fa_results *r, const char *store);

/* The reasons a suppressed number gives. */
extern const char fa_suppressed[];     /* "suppressed" */
extern const char fa_suppressed_ref[]; /* the reference group's */
extern const char fa_suppressed_set[]; /* a group of the set's */

/* 1 when reason is one of those. */
int fa_suppressed_reason(const char *reason);

/*
 * Which of one set's groups are published only as suppressed, given their
 * rows n[i] and values[i * ndims + j] (NULL = missing): every group of
 * 1 to min - 1 rows (an empty group is a known zero, never chosen), and then
 * more, so that none can be worked out from a margin (complementary
 * suppression). Within each slice of the set (the groups that share their
 * values of every column but one; the whole set when it has one column) the
 * groups suppressed must be none, or at least two holding at least min rows
 * between them; while a slice falls short and has groups left, its smallest
 * (the first of equals) is suppressed too. Sets out[i] to 1 or 0 and returns
 * the number suppressed.
 */
size_t fa_suppress_select(size_t ngroups, size_t ndims, char *const *values,
                          const int64_t *n, int64_t min, unsigned char *out);

/* A run's sets and groups as fa_suppress_choose reads them. */
struct fa_sup_set {
    size_t ndims;
    const int *dims; /* column indices, in the order of a group's values */
    int population;  /* the whole population (no dims, never suppressed) */
};

struct fa_sup_group {
    int set;             /* index into the sets */
    char *const *values; /* one per dim of its set; NULL = missing */
    int64_t n;           /* rows */
};

/*
 * Which groups of a whole run to publish only as suppressed: every group
 * of 1 to min - 1 rows, and then more so that none can be worked out from
 * a published total. A total is any group whose columns are a proper
 * subset of another set's (the population for every set, an attribute
 * for each intersection with it, a pair for each triple with it, ...);
 * its family is the groups of that set that refine it. Whenever a total
 * is suppressed or a family has a suppressed group, the family must hold
 * at least two suppressed groups with min rows between them (its
 * smallest non-empty others, the first of equals, are added until it
 * does, or it has none left); a family of one group is suppressed with
 * its total. Repeated until every family holds. Empty groups are never
 * chosen. Sets out[i] and returns the number suppressed.
 */
size_t fa_suppress_choose(const struct fa_sup_set *sets, size_t nsets,
                          const struct fa_sup_group *g, size_t ng, int64_t min,
                          unsigned char *out);

/*
 * Makes r fit to publish with r->suppress (none when 0): the groups
 * fa_suppress_choose picks lose every number (rows, weights,
 * counts, metrics, intervals, comparisons; suppressed set); comparisons
 * against a suppressed reference, and the aggregates and chi-square tests
 * of a set with a suppressed group, become undefined; a suppressed group's
 * verdicts keep their kind but lose value, p-value and reason; the
 * dataset's per-value row counts of a suppressed attribute value are
 * set to -1. The population (group 0) is never suppressed. Returns the
 * number of groups suppressed.
 */
size_t fa_results_suppress(fa_results *r);

void fa_results_release(fa_results *res);

#endif /* FA_RESULTS_H */
