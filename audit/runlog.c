/* runlog.c — the hash-chained run log (jansson, libsodium). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "results_json.h"
#include "runlog.h"

/* The entry of run_id as canonical JSON (caller frees). */
static fa_err
entry_of(fa_ctx *ctx, fa_store *st, int64_t run_id, char **out)
{
    char *text, hex[65];
    unsigned char d[crypto_hash_sha256_BYTES];
    json_t *res, *e;
    fa_err err = fa_results_json_text(ctx, st, run_id, &text);

    *out = NULL;
    if (err)
        return err;
    crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
    res = json_loads(text, 0, NULL);
    free(text);
    e = json_pack(
        "{s:I, s:O?, s:O?, s:O?, s:O?, s:s}", "run", (json_int_t)run_id,
        "created", json_object_get(json_object_get(res, "run"), "created"),
        "dataset_sha256",
        json_object_get(json_object_get(res, "dataset"), "sha256"),
        "template_sha256",
        json_object_get(json_object_get(res, "template"), "sha256"), "verdict",
        json_object_get(res, "verdict"), "results_sha256", hex);
    json_decref(res);
    if (!e)
        return fa_ctx_fail(ctx, FA_ERR_INTERNAL, "run log entry of run %lld",
                           (long long)run_id);
    *out = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(e);
    return FA_OK;
}

fa_err
fa_runlog_append(fa_ctx *ctx, fa_store *st, int64_t run_id)
{
    char *entry, hash[65];
    int64_t seq;
    fa_err err = entry_of(ctx, st, run_id, &entry);

    if (err)
        return err;
    err = fa_store_log_append(ctx, st, run_id, entry, hash, &seq);
    free(entry);
    return err;
}

fa_err
fa_runlog_locate(fa_ctx *ctx, fa_store *st, int64_t run_id, int64_t *seq,
                 char *hash, int64_t *head, char *head_hash)
{
    fa_log_entry *e;
    size_t n;
    fa_err err = fa_store_log_load(ctx, st, &e, &n);

    *seq = 0;
    hash[0] = '\0';
    *head = 0;
    snprintf(head_hash, 65, "%064d", 0);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++)
        if (e[i].run_id == run_id) {
            *seq = e[i].seq;
            snprintf(hash, 65, "%s", e[i].hash);
        }
    if (n) {
        *head = e[n - 1].seq;
        snprintf(head_hash, 65, "%s", e[n - 1].hash);
    }
    fa_log_entries_free(e, n);
    return FA_OK;
}

fa_err
fa_runlog_check(fa_ctx *ctx, fa_store *st,
                void (*fn)(void *data, int ok, const char *what), void *data,
                int *ok, fa_log_entry **out, size_t *n)
{
    fa_log_entry *e;
    char prev[65], hash[65];
    fa_err err = fa_store_log_load(ctx, st, &e, n);

    *ok = 1;
    *out = NULL;
    if (err)
        return err;
    snprintf(prev, sizeof(prev), "%064d", 0);
    for (size_t i = 0; i < *n; i++) {
        char *now = NULL, *what = NULL;

        fa_log_hash(e[i].prev, e[i].entry, hash);
        if (strcmp(e[i].prev, prev) != 0)
            what = fa_xasprintf("run log entry %lld does not follow the one "
                                "before it (an entry was removed or "
                                "rewritten)",
                                (long long)e[i].seq);
        else if (strcmp(hash, e[i].hash) != 0)
            what = fa_xasprintf("run log entry %lld: its hash does not "
                                "cover its text (edited)",
                                (long long)e[i].seq);
        else if (entry_of(ctx, st, e[i].run_id, &now) != FA_OK) {
            what = fa_xasprintf("run %lld of run log entry %lld is gone from "
                                "the store: %s",
                                (long long)e[i].run_id, (long long)e[i].seq,
                                fa_ctx_msg(ctx));
            fa_ctx_clear(ctx);
        } else if (strcmp(now, e[i].entry) != 0) {
            what = fa_xasprintf("run %lld was changed in the store after it "
                                "was logged (entry %lld): its results.json "
                                "is not the one logged",
                                (long long)e[i].run_id, (long long)e[i].seq);
        }
        if (what) {
            *ok = 0;
            fn(data, 0, what);
            free(what);
        }
        free(now);
        snprintf(prev, sizeof(prev), "%s", e[i].hash);
    }
    *out = e;
    return FA_OK;
}
