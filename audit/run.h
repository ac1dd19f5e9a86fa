/* run.h — scan a dataset's rows into cells, roll them up into every group
 * and intersection, compute the metrics and save the run.
 *
 * One pass over the rows builds the finest cells (every combination of the
 * attributes x y_true x y_pred, weighted) and one cell array per segment
 * column; every group is a sum of cells.
 */
#ifndef FA_RUN_H
#define FA_RUN_H

#include <stdint.h>

#include "results.h"
#include "store.h"
#include "util.h"

/* Intersections whose full cross product is larger than this list only the
 * combinations that occur. */
#define FA_RUN_MAX_LISTED 10000

/* The most groups one run computes (each holds every metric, interval and
 * test: a few kilobytes). */
#define FA_RUN_MAX_GROUPS 100000

#define FA_RUN_CONFIDENCE 0.95
#define FA_RUN_MIN_GROUP 30
#define FA_RUN_MIN_CLASS 10
#define FA_RUN_SEED 1
#define FA_RUN_BOOTSTRAP 1000

/* Where a run's time goes, in seconds (for --timings and make bench). */
struct fa_run_timings {
    double scan;       /* reading the rows into cells */
    double groups;     /* groups, metrics, AUC, references, aggregates */
    double statistics; /* closed-form intervals and tests */
    double bootstrap;  /* the aggregates' bootstrap */
    double save;       /* writing the run to the store */
};

/* The template's verdicts, counted (for the command's summary). */
struct fa_run_verdicts {
    int overall; /* enum fa_verdict_kind */
    size_t count[4];
    /* the first FA_RUN_FAIL_LINES failed verdicts, one line each, such as
     * "sex=female: selection_rate ratio 0.74 ..." (the caller frees them
     * with fa_run_verdicts_release) */
    char **fail_lines;
    size_t nfail_lines;
};

#define FA_RUN_FAIL_LINES 20

void fa_run_verdicts_release(struct fa_run_verdicts *v);

/* Zero fields take the defaults above; a negative minimum means none. */
struct fa_run_opts {
    int64_t dataset_id;    /* 0: the newest dataset */
    const char *reference; /* largest | best | overall | A=V[,B=W] */
    const char *tool_version;
    double confidence; /* 0: FA_RUN_CONFIDENCE */
    int exact;         /* Clopper-Pearson instead of Wilson */
    int bh;            /* Benjamini-Hochberg instead of Holm */
    int64_t min_group; /* rows a group needs (0: default) */
    int64_t min_class; /* rows a rate's denominator needs (0: default) */
    int64_t suppress;  /* publish groups of fewer rows only as suppressed
                          (0: the template's; < 0: none) */
    int has_seed;      /* 0: seed FA_RUN_SEED */
    uint64_t seed;
    int64_t bootstrap;  /* replicates (0: FA_RUN_BOOTSTRAP; < 0: none) */
    const char *strata; /* a segment column to pool comparisons within */
    int has_ci, has_correction; /* exact, bh given on the command line */
    /* groups under this share of the rows, or with a missing value when
     * exclude_missing, are never the reference */
    double exclude_below_share;
    int exclude_missing;
    int scoring_rate; /* count each group's rows above the score median */
    const struct fa_template *tmpl; /* judge the run (NULL: no verdicts) */
    const struct fa_field *fields;  /* --field values, stored with it */
    size_t nfields;
    struct fa_run_verdicts *verdicts; /* filled when not NULL */
    struct fa_run_timings *timings;   /* filled when not NULL */
};

/*
 * Checks a --reference policy's form (not its values, which need the data).
 * FA_ERR_USAGE with a message when it is malformed.
 */
fa_err fa_run_check_reference(fa_ctx *ctx, const char *reference);

/*
 * Computes a run of dataset opts->dataset_id and saves it in one
 * transaction; *run_id is the new run. Errors: FA_ERR_NOT_FOUND (no such
 * dataset), FA_ERR_USAGE (a reference names an unknown column or value),
 * FA_ERR_STORE.
 */
fa_err fa_run(fa_ctx *ctx, fa_store *st, const struct fa_run_opts *opts,
              int64_t *run_id /* OUT */);

#endif /* FA_RUN_H */
