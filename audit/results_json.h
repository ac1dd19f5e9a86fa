/* results_json.h — results.json, the machine-readable contract.
 *
 * Written from a run loaded from the store, never from a run in memory, so
 * the file says exactly what the store holds. The schema is
 * "fairaudit.results/1": later versions add fields and never rename them.
 */
#ifndef FA_RESULTS_JSON_H
#define FA_RESULTS_JSON_H

#include "results.h"
#include "store.h"
#include "util.h"

#define FA_RESULTS_SCHEMA "fairaudit.results/1"

/*
 * Loads run run_id from st and writes it to path as JSON, atomically (a
 * temporary file renamed into place). FA_ERR_NOT_FOUND, FA_ERR_STORE,
 * FA_ERR_IO_WRITE.
 */
fa_err fa_results_json_write(fa_ctx *ctx, fa_store *st, int64_t run_id,
                             const char *path);

/* The same text (ending in a newline) into *out (caller frees). */
fa_err fa_results_json_text(fa_ctx *ctx, fa_store *st, int64_t run_id,
                            char **out /* OUT */);

#endif /* FA_RESULTS_JSON_H */
