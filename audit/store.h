/* store.h — the audit store: schema, migrations and every SQL statement.
 *
 * fa_store is an opaque handle: fa_store_open creates it, fa_store_close
 * releases it. Structs filled by a load function (fa_dataset, fa_results)
 * belong to the caller and are released with their _release function.
 * docs/schema.md describes every table.
 */
#ifndef FA_STORE_H
#define FA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"
#include "util.h"

#define FA_STORE_SCHEMA_VERSION 5

typedef struct fa_store fa_store;

/*
 * Opens (and, when create is 1, creates) the store at path and brings its
 * schema up to date. FA_ERR_STORE when SQLite fails, FA_ERR_STORE_VERSION
 * when the file was written by a newer fairaudit, FA_ERR_NOT_FOUND when
 * create is 0 and there is no such file.
 */
fa_err fa_store_open(fa_ctx *ctx, const char *path, int create,
                     fa_store **out /* OUT */);
/* Opens an existing store read-only, as it is: no migration, so a store
 * of another schema version is refused (FA_ERR_STORE_VERSION). */
fa_err fa_store_open_readonly(fa_ctx *ctx, const char *path,
                              fa_store **out /* OUT */);
/* Closes the store; NULL is a no-op. An open transaction is rolled back. */
void fa_store_close(fa_store *st);

/* Sizes the page cache for one large write transaction. */
fa_err fa_store_tune_for_load(fa_ctx *ctx, fa_store *st);

/* A transaction around a whole stage: one load, one run. */
fa_err fa_store_begin(fa_ctx *ctx, fa_store *st);
fa_err fa_store_commit(fa_ctx *ctx, fa_store *st);
/* Rolls back; cannot fail in a way a caller can act on. */
void fa_store_rollback(fa_store *st);

/* Runs "PRAGMA integrity_check"; *ok is 1 when it answers "ok". */
fa_err fa_store_integrity(fa_ctx *ctx, fa_store *st, int *ok /* OUT */);

/* Caps the database size (PRAGMA max_page_count), so tests can make the
 * store fill up mid-load. */
fa_err fa_store_limit_pages(fa_ctx *ctx, fa_store *st, int64_t pages);

/* ------------------------------------------------------------------ */
/* Datasets                                                            */

/*
 * Inserts ds (everything but id) and creates its rows table; sets ds->id.
 * Counts and the hash may still be zero: fa_store_dataset_finish sets them.
 */
fa_err fa_store_dataset_create(fa_ctx *ctx, fa_store *st, fa_dataset *ds);

/* Writes the final counts, hash, size, score range, bin edges and
 * dictionaries of ds. */
fa_err fa_store_dataset_finish(fa_ctx *ctx, fa_store *st, const fa_dataset *ds);

/* The id of a dataset with this hash and mapping, 0 when none. */
fa_err fa_store_dataset_find(fa_ctx *ctx, fa_store *st, const char *sha256,
                             const char *mapping, int64_t *id /* OUT */);

/* The newest dataset's id, 0 when the store has none. */
fa_err fa_store_dataset_latest(fa_ctx *ctx, fa_store *st,
                               int64_t *id /* OUT */);

/* Loads dataset id into ds (the caller releases it with
 * fa_dataset_release). FA_ERR_NOT_FOUND when there is no such dataset. */
fa_err fa_store_dataset_load(fa_ctx *ctx, fa_store *st, int64_t id,
                             fa_dataset *ds /* OUT */);

/* Inserts the rows of batch into dataset ds. */
fa_err fa_store_rows_insert(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                            const fa_row_batch *batch);

/* Records one rejected row. raw is the record re-encoded (length rawlen). */
fa_err fa_store_reject_add(fa_ctx *ctx, fa_store *st, int64_t dataset_id,
                           const fa_reject *rej);

/* The number of rejects of a dataset for each reason, most frequent first:
 * fills *out (the caller frees each reason and the array). */
fa_err fa_store_reject_summary(fa_ctx *ctx, fa_store *st, int64_t dataset_id,
                               fa_reject_count **out /* OUT */,
                               size_t *n /* OUT */);

/* One stored rejected row; value and raw are byte strings (they may hold
 * invalid UTF-8 or NUL bytes) with their lengths. */
typedef struct fa_reject_row {
    int64_t line;
    int column;        /* 1-based, 0 for the whole row */
    char *column_name; /* NULL for the whole row */
    char *reason;
    char *value; /* NULL when none */
    size_t valuelen;
    char *raw;
    size_t rawlen;
} fa_reject_row;

/* The first limit rejected rows of a dataset in line order: fills *out
 * (release with fa_reject_rows_free). */
fa_err fa_store_reject_first(fa_ctx *ctx, fa_store *st, int64_t dataset_id,
                             size_t limit, fa_reject_row **out /* OUT */,
                             size_t *n /* OUT */);
void fa_reject_rows_free(fa_reject_row *rows, size_t n);

/*
 * Calls fn on successive batches of the rows of ds, in line order. A
 * non-FA_OK return from fn stops the scan and is returned.
 */
typedef fa_err (*fa_scan_fn)(void *data, const fa_row_batch *batch);
fa_err fa_store_rows_scan(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                          fa_scan_fn fn, void *data);

/* The same for the rows whose line is in [first, last]. */
fa_err fa_store_rows_scan_range(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                                int64_t first, int64_t last, fa_scan_fn fn,
                                void *data);

/* The smallest and largest line of ds's rows (0 and -1 when none). */
fa_err fa_store_rows_span(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                          int64_t *first /* OUT */, int64_t *last /* OUT */);

/*
 * Opens a second connection to st's file, for a reader in another thread
 * (a connection is never shared between threads). FA_ERR_NOT_FOUND for an
 * in-memory store, which has no file to share.
 */
fa_err fa_store_open_reader(fa_ctx *ctx, const fa_store *st,
                            fa_store **out /* OUT */);

/* ------------------------------------------------------------------ */
/* Runs                                                                */

/* Saves res (a run just computed) and sets res->run_id. */
fa_err fa_store_run_save(fa_ctx *ctx, fa_store *st, fa_results *res);

/* The newest run's id, 0 when none. */
fa_err fa_store_run_latest(fa_ctx *ctx, fa_store *st, int64_t *id /* OUT */);

/* Loads run id and its dataset into res (release with
 * fa_results_release). FA_ERR_NOT_FOUND when there is no such run. */
fa_err fa_store_run_load(fa_ctx *ctx, fa_store *st, int64_t id,
                         fa_results *res /* OUT */);

/* ------------------------------------------------------------------ */
/* The run log                                                         */

/* One entry of the hash-chained run log. */
typedef struct fa_log_entry {
    int64_t seq, run_id;
    char *entry; /* canonical JSON */
    char *prev;  /* hex SHA-256 of the entry before (64 zeros first) */
    char *hash;  /* hex SHA-256 of prev "\n" entry */
} fa_log_entry;

/* Appends an entry for run_id, chained to the last one; its hash into
 * hash (65 bytes) and its number into *seq. */
fa_err fa_store_log_append(fa_ctx *ctx, fa_store *st, int64_t run_id,
                           const char *entry, char *hash /* OUT */,
                           int64_t *seq /* OUT */);

/* Every entry, in order (release with fa_log_entries_free). */
fa_err fa_store_log_load(fa_ctx *ctx, fa_store *st, fa_log_entry **out,
                         size_t *n);
void fa_log_entries_free(fa_log_entry *e, size_t n);

/* hex SHA-256 of prev "\n" entry into out (65 bytes). */
void fa_log_hash(const char *prev, const char *entry, char *out);

#endif /* FA_STORE_H */
