/* pack.h — the audit pack: an output folder sealed into one zip with a
 * manifest of hashes, the run's sufficient statistics and an optional
 * Ed25519 signature; and the check of such a pack.
 *
 * Packing is deterministic: members in a fixed order, fixed times and
 * attributes, so the same outputs give the same bytes. Verifying reads
 * the zip in memory only and never writes a member anywhere.
 */
#ifndef FA_PACK_H
#define FA_PACK_H

#include <stdint.h>

#include "store.h"
#include "util.h"

/* A member's size at most, and the members' total (verify refuses more). */
#define FA_PACK_MAX_MEMBER (512ll << 20)
#define FA_PACK_MAX_TOTAL (2048ll << 20)

struct fa_pack_opts {
    const char *dir;      /* the output folder (results.json in it) */
    const char *out;      /* the zip; NULL: dir + ".zip" */
    const char *sign_key; /* a secret key file (fairaudit keygen); NULL */
    const char *preparer; /* sign-off facts; NULL: none */
    const char *reviewer;
    const char *approver;
    const char *valid_until; /* YYYY-MM-DD or NULL */
    const char *command;     /* the command line, as typed */
    const char *tool_version;
    int include_rows; /* add rows.csv: the dataset's parsed rows */
};

/*
 * Seals o->dir into a zip: every regular file under it, template.json (the
 * resolved template), cells.csv (from st: the run of results.json), for a
 * scored or weighted run values.csv (fa_rerun_values_csv), with
 * o->include_rows rows.csv (fa_rerun_rows_csv) and manifest.json (+
 * manifest.sig). FA_ERR_USAGE for a folder that is not a
 * report's (no results.json, a link, a reserved name), FA_ERR_NOT_FOUND
 * when st lacks the run, FA_ERR_IO_READ/WRITE.
 */
fa_err fa_pack(fa_ctx *ctx, fa_store *st, const struct fa_pack_opts *o);

/* One line of a verification: ok 1 or 0 and what was checked. */
typedef void (*fa_verify_fn)(void *data, int ok, const char *what);

struct fa_verify_opts {
    const char *zip;
    const char *pubkey; /* a public key file; NULL: signature not checked */
    const char *data;   /* the audited CSV, to match its hash; NULL */
    const char *db;     /* the store, to check its run log; NULL */
    fa_verify_fn report;
    void *data_arg;
};

/*
 * Checks a pack: the archive's form, every member's hash against the
 * manifest, the signature, the numbers of results.json against cells.csv,
 * the run done again from the cells (values.csv or cells.csv) and from
 * rows.csv when the pack has it, the canonical bytes, --data and --db. Calls
 * o->report for each check; *ok is 1 when all hold. Returns FA_ERR_IO_READ only
 * when the zip cannot be read at all.
 */
fa_err fa_verify(fa_ctx *ctx, const struct fa_verify_opts *o, int *ok);

/* Writes a new Ed25519 key pair: path (secret, mode 0600) and path.pub. */
fa_err fa_keygen(fa_ctx *ctx, const char *path);

#ifdef FA_TESTING
/* 1 when a member name is safe to hold: relative, no "..", no
 * backslash, no empty or "." part, no control character. */
int fa_pack_name_safe(const char *name);
#endif

#endif /* FA_PACK_H */
