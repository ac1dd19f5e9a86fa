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

struct fa_run_opts {
    int64_t dataset_id;    /* 0: the newest dataset */
    const char *reference; /* largest | best | overall | A=V[,B=W] */
    const char *tool_version;
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
