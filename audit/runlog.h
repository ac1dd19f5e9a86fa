/* runlog.h — the store's append-only, hash-chained log of runs.
 *
 * Each run saved appends an entry naming the run and the SHA-256 of its
 * results.json as built from the store; each entry's hash covers the one
 * before it. A pack's manifest records the head, so a run removed or
 * edited in the store later, or a log rewritten, is found by
 * fa_runlog_check.
 */
#ifndef FA_RUNLOG_H
#define FA_RUNLOG_H

#include <stdint.h>

#include "store.h"
#include "util.h"

/* Appends run_id's entry (inside the caller's transaction). */
fa_err fa_runlog_append(fa_ctx *ctx, fa_store *st, int64_t run_id);

/*
 * The entry of run_id (*seq 0 when the run has none: saved before the log
 * existed) and the head, the last entry (0 and 64 zeros when none): each
 * one's number and hash (65 bytes), from one read of the log.
 */
fa_err fa_runlog_locate(fa_ctx *ctx, fa_store *st, int64_t run_id,
                        int64_t *seq /* OUT */, char *hash /* OUT */,
                        int64_t *head /* OUT */, char *head_hash /* OUT */);

/*
 * Checks the whole log: each entry chained to the one before, and each
 * run still in the store with the results.json its entry names. Calls
 * fn(data, 0, what) per problem; *ok 1 when none. The entries read are
 * left in *out, *n (release with fa_log_entries_free).
 */
fa_err fa_runlog_check(fa_ctx *ctx, fa_store *st,
                       void (*fn)(void *data, int ok, const char *what),
                       void *data, int *ok /* OUT */,
                       fa_log_entry **out /* OUT */, size_t *n /* OUT */);

#endif /* FA_RUNLOG_H */
