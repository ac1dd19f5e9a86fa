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
} fa_group_set;

/* One group: a level of every dim of its set. */
typedef struct fa_group {
    int64_t gid; /* 0 is the whole population */
    int set;
    char **values;   /* one per dim of the set; NULL = missing */
    int64_t n;       /* rows */
    double weight;   /* sum of weights (n when unweighted) */
    fa_counts w;     /* weighted confusion counts */
    int64_t rows[4]; /* unweighted tp, fp, tn, fn */
    int64_t ref_gid; /* -1 when none (the population) */
    fa_value m[FA_METRIC_COUNT];
    fa_value ratio[FA_METRIC_COUNT];
    fa_value diff[FA_METRIC_COUNT];
} fa_group;

typedef struct fa_results {
    int64_t run_id;
    char *created;   /* ISO 8601 UTC */
    char *reference; /* the --reference policy as given */
    char *tool_version;
    fa_dataset ds;
    fa_group_set *sets;
    size_t nsets;
    fa_group *groups;
    size_t ngroups;
} fa_results;

/* 1 when the metric has a disparity against the reference. */
int fa_metric_has_disparity(fa_metric m);

void fa_results_release(fa_results *res);

#endif /* FA_RESULTS_H */
