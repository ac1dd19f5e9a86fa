/* ingest.h — CSV or TSV (plain, gzip or standard input) into the store.
 *
 * One load is one transaction: on any fatal error the store is left
 * exactly as it was. Rows that cannot be used are kept in the reject table
 * with their line, column, reason and raw text.
 */
#ifndef FA_INGEST_H
#define FA_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

#define FA_INGEST_MAX_VALUES 10000      /* distinct values of one column */
#define FA_INGEST_MAX_REJECTS 1000      /* default --max-rejects */
#define FA_INGEST_MAX_RECORD (64 << 20) /* bytes of one record */
#define FA_INGEST_MAX_WEIGHT 1e100      /* largest row weight */

/* --bin COLUMN=SPEC: SPEC is ascending edges "18,25,40" or "qN". */
struct fa_bin_opt {
    const char *column;
    const char *spec;
};

/*
 * Progress of a load: rows so far, input bytes so far, the input's size
 * (-1 when unknown, as for a pipe); done is 1 on the last call.
 */
typedef void (*fa_progress_fn)(void *data, int64_t rows, int64_t bytes,
                               int64_t total, int done);

struct fa_ingest_opts {
    const char *path;     /* a file, a .gz file, or "-" for stdin */
    const char *label;    /* NULL: a label-free audit */
    const char *pred;     /* NULL: score >= threshold */
    const char *score;    /* NULL: no score metrics */
    const char *weight;   /* NULL: every row weighs 1 */
    const char *positive; /* favourable label value, NULL: 1/true/yes */
    const char *negative; /* NULL: any value but positive */
    const char *pred_positive;
    const char *pred_negative;
    int has_threshold;
    double threshold;
    const char *const *attrs;
    size_t nattrs;
    const char *const *segments;
    size_t nsegments;
    const struct fa_bin_opt *bins;
    size_t nbins;
    char delimiter;          /* 0: tab for .tsv or a tab-only header */
    int64_t max_rejects;     /* more rejects than this fail the load */
    fa_progress_fn progress; /* NULL: none */
    void *progress_data;
};

struct fa_ingest_result {
    int64_t dataset_id;
    int reused; /* identical bytes and mapping seen before */
    int64_t rows_read, rows_loaded, rows_rejected;
};

/*
 * Parses a --bin SPEC into ascending edges (a new array, the caller's to
 * free) or a quantile count. FA_ERR_USAGE with a message when SPEC is bad.
 */
fa_err fa_ingest_parse_bin(fa_ctx *ctx, const char *column, const char *spec,
                           double **edges /* OUT */, size_t *nedges /* OUT */,
                           int *quantiles /* OUT */);

/*
 * Loads opts->path into st as a new dataset, or finds the identical one
 * loaded before. Errors: FA_ERR_IO_READ, FA_ERR_GZIP, FA_ERR_CSV_* ,
 * FA_ERR_CARDINALITY, FA_ERR_STORE; each leaves the store untouched.
 */
fa_err fa_ingest(fa_ctx *ctx, fa_store *st, const struct fa_ingest_opts *opts,
                 struct fa_ingest_result *out /* OUT */);

#endif /* FA_INGEST_H */
