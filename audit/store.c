/* store.c — the audit store: schema, migrations and every SQL statement.
 *
 * Owns the sqlite3 handle. Every statement is prepared, stepped and
 * finalized on every path; every failure becomes fa_err + the SQLite
 * message in the context. The schema is described in docs/schema.md.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#include <sqlite3.h>

#include "store.h"

struct fa_store {
    sqlite3 *db;
    int step_err; /* a read loop's failure, for read_check */
    char step_msg[256];
    char *path;
    /* cached multi-row insert for one dataset's rows table */
    sqlite3_stmt *ins_many;
    sqlite3_stmt *ins_one;
    int64_t ins_dataset;
    size_t ins_rows; /* rows per ins_many statement */
};

static const char schema_v1[] =
    "CREATE TABLE dataset("
    " id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " bytes INTEGER NOT NULL,"
    " rows_read INTEGER NOT NULL,"
    " rows_loaded INTEGER NOT NULL,"
    " rows_rejected INTEGER NOT NULL,"
    " mapping TEXT NOT NULL,"
    " loaded_at TEXT NOT NULL,"
    " labelled INTEGER NOT NULL,"
    " weighted INTEGER NOT NULL,"
    " scored INTEGER NOT NULL,"
    " score_min REAL,"
    " score_max REAL,"
    " delimiter TEXT NOT NULL);"
    "CREATE INDEX dataset_sha ON dataset(sha256);"
    "CREATE TABLE dim("
    " dataset_id INTEGER NOT NULL REFERENCES dataset(id),"
    " idx INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('attribute','segment')),"
    " column_index INTEGER NOT NULL,"
    " bin_spec TEXT,"
    " edges TEXT,"
    " missing_rows INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (dataset_id, idx));"
    "CREATE TABLE dim_value("
    " dataset_id INTEGER NOT NULL,"
    " dim INTEGER NOT NULL,"
    " code INTEGER NOT NULL,"
    " value TEXT NOT NULL,"
    " missing INTEGER NOT NULL,"
    " rows INTEGER NOT NULL,"
    " PRIMARY KEY (dataset_id, dim, code));"
    "CREATE TABLE reject("
    " dataset_id INTEGER NOT NULL REFERENCES dataset(id),"
    " line INTEGER NOT NULL,"
    " column_index INTEGER NOT NULL,"
    " column_name TEXT,"
    " reason TEXT NOT NULL,"
    " value BLOB,"
    " raw BLOB NOT NULL);"
    "CREATE INDEX reject_dataset ON reject(dataset_id, line);"
    "CREATE TABLE run("
    " id INTEGER PRIMARY KEY,"
    " dataset_id INTEGER NOT NULL REFERENCES dataset(id),"
    " created TEXT NOT NULL,"
    " reference TEXT NOT NULL,"
    " tool_version TEXT NOT NULL,"
    " seed INTEGER NOT NULL,"
    " bootstrap INTEGER NOT NULL,"
    " strata TEXT,"
    " confidence REAL NOT NULL,"
    " ci_method TEXT NOT NULL,"
    " correction TEXT NOT NULL,"
    " min_group INTEGER NOT NULL,"
    " min_class INTEGER NOT NULL,"
    " template TEXT,"
    " template_json TEXT,"
    " template_sha256 TEXT,"
    " fields TEXT,"
    " skipped_checks TEXT,"
    " verdict TEXT,"
    " score_median REAL,"
    " finished TEXT,"
    " suppress INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE group_set("
    " run_id INTEGER NOT NULL REFERENCES run(id),"
    " set_id INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " dims TEXT NOT NULL,"
    " ref_gid INTEGER,"
    " empty_omitted INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, set_id));"
    "CREATE TABLE grp("
    " run_id INTEGER NOT NULL REFERENCES run(id),"
    " gid INTEGER NOT NULL,"
    " set_id INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " weight REAL NOT NULL,"
    " tp REAL NOT NULL, fp REAL NOT NULL, tn REAL NOT NULL, fn REAL NOT NULL,"
    " n_tp INTEGER NOT NULL, n_fp INTEGER NOT NULL,"
    " n_tn INTEGER NOT NULL, n_fn INTEGER NOT NULL,"
    " ref_gid INTEGER,"
    " above INTEGER,"
    " wabove REAL,"
    " auc_var REAL,"
    " PRIMARY KEY (run_id, gid));"
    "CREATE TABLE grp_value("
    " run_id INTEGER NOT NULL,"
    " gid INTEGER NOT NULL,"
    " pos INTEGER NOT NULL,"
    " value TEXT,"
    " PRIMARY KEY (run_id, gid, pos));"
    "CREATE TABLE metric("
    " run_id INTEGER NOT NULL,"
    " gid INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " value REAL,"
    " num REAL,"
    " den REAL,"
    " reason TEXT,"
    " ci_low REAL,"
    " ci_high REAL,"
    " ci_reason TEXT,"
    " PRIMARY KEY (run_id, gid, name));"
    "CREATE TABLE disparity("
    " run_id INTEGER NOT NULL,"
    " gid INTEGER NOT NULL,"
    " metric TEXT NOT NULL,"
    " ratio REAL,"
    " ratio_reason TEXT,"
    " difference REAL,"
    " difference_reason TEXT,"
    " ratio_low REAL,"
    " ratio_high REAL,"
    " ratio_ci_reason TEXT,"
    " difference_low REAL,"
    " difference_high REAL,"
    " difference_ci_reason TEXT,"
    " test TEXT,"
    " statistic REAL,"
    " p_value REAL,"
    " p_adjusted REAL,"
    " test_reason TEXT,"
    " evidence TEXT,"
    " mdr REAL,"
    " mdr_reason TEXT,"
    " cmh_statistic REAL,"
    " cmh_p_value REAL,"
    " cmh_p_adjusted REAL,"
    " cmh_reason TEXT,"
    " common_odds_ratio REAL,"
    " common_odds_ratio_reason TEXT,"
    " strata_used INTEGER,"
    " PRIMARY KEY (run_id, gid, metric));"
    "CREATE TABLE stratum("
    " run_id INTEGER NOT NULL,"
    " idx INTEGER NOT NULL,"
    " value TEXT,"
    " PRIMARY KEY (run_id, idx));"
    "CREATE TABLE stratum_count("
    " run_id INTEGER NOT NULL,"
    " gid INTEGER NOT NULL,"
    " stratum INTEGER NOT NULL,"
    " tp INTEGER NOT NULL, fp INTEGER NOT NULL,"
    " tn INTEGER NOT NULL, fn INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, gid, stratum));"
    "CREATE TABLE aggregate("
    " run_id INTEGER NOT NULL,"
    " set_id INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " value REAL,"
    " reason TEXT,"
    " ci_low REAL,"
    " ci_high REAL,"
    " ci_reason TEXT,"
    " PRIMARY KEY (run_id, set_id, name));"
    "CREATE TABLE set_test("
    " run_id INTEGER NOT NULL,"
    " set_id INTEGER NOT NULL,"
    " metric TEXT NOT NULL,"
    " test TEXT NOT NULL,"
    " statistic REAL,"
    " df REAL,"
    " p_value REAL,"
    " p_adjusted REAL,"
    " reason TEXT,"
    " PRIMARY KEY (run_id, set_id, metric, test));";

/* Version 2: a run's template, its verdicts and the scoring rate's counts.
 * A new store gets schema_v1 (which already has the version-2 columns)
 * and schema_v2_verdicts; a version-1 store the columns of migrate_v2 it
 * lacks, then schema_v2_verdicts. */
static const char *const migrate_v2[][3] = {
    {"run", "template", "TEXT"},
    {"run", "template_json", "TEXT"},
    {"run", "template_sha256", "TEXT"},
    {"run", "fields", "TEXT"},
    {"run", "skipped_checks", "TEXT"},
    {"run", "verdict", "TEXT"},
    {"run", "score_median", "REAL"},
    {"grp", "above", "INTEGER"},
    {"grp", "wabove", "REAL"},
    {"run", "finished", "TEXT"},
    {"run", "suppress", "INTEGER NOT NULL DEFAULT 0"},
    {"grp", "auc_var", "REAL"},
};

static const char schema_v2_verdicts[] =
    "CREATE TABLE IF NOT EXISTS verdict("
    " run_id INTEGER NOT NULL REFERENCES run(id),"
    " idx INTEGER NOT NULL,"
    " gid INTEGER NOT NULL,"
    " check_idx INTEGER NOT NULL,"
    " metric TEXT NOT NULL,"
    " measure TEXT NOT NULL,"
    " value REAL,"
    " value_reason TEXT,"
    " band_min REAL,"
    " band_max REAL,"
    " p_adjusted REAL,"
    " verdict TEXT NOT NULL,"
    " rule TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " PRIMARY KEY (run_id, idx));";

/* Version 3: the append-only, hash-chained run log. Each entry names a run
 * and the SHA-256 of its results.json as built from the store; its hash
 * is SHA-256(prev "\n" entry), prev the hash before it (64 zeros first).
 * Runs saved before version 3 have no entry. */
static const char schema_v3_log[] =
    "CREATE TABLE IF NOT EXISTS run_log("
    " seq INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL,"
    " entry TEXT NOT NULL,"
    " prev TEXT NOT NULL,"
    " hash TEXT NOT NULL);"
    "CREATE TRIGGER IF NOT EXISTS run_log_no_update BEFORE UPDATE ON run_log"
    " BEGIN SELECT RAISE(ABORT, 'the run log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS run_log_no_delete BEFORE DELETE ON run_log"
    " BEGIN SELECT RAISE(ABORT, 'the run log is append-only'); END;";

#define LOG_GENESIS                                                            \
    "0000000000000000000000000000000000000000000000000000000000000000"

/* ------------------------------------------------------------------ */
/* Private functions                                                   */

/* A failed write (disk full, read-only, I/O) is an output error; anything
 * else means the store itself is not what it should be. */
static fa_err
code_of(sqlite3 *db)
{
    switch (sqlite3_errcode(db)) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return FA_ERR_STORE_WRITE;
    default:
        return FA_ERR_STORE;
    }
}

static fa_err
sql_fail(fa_ctx *ctx, fa_store *st, const char *what)
{
    return fa_ctx_fail(ctx, code_of(st->db), "store '%s': %s: %s", st->path,
                       what, sqlite3_errmsg(st->db));
}

static fa_err
exec(fa_ctx *ctx, fa_store *st, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fa_err err = fa_ctx_fail(ctx, code_of(st->db), "store '%s': %s",
                                 st->path, msg ? msg : sqlite3_errmsg(st->db));

        sqlite3_free(msg);
        return err;
    }
    return FA_OK;
}

static fa_err
prepare(fa_ctx *ctx, fa_store *st, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return sql_fail(ctx, st, "prepare");
    }
    return FA_OK;
}

/* Steps a statement that returns no rows, then resets it. */
static fa_err
step_done(fa_ctx *ctx, fa_store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return sql_fail(ctx, st, "write");
    return FA_OK;
}

/* Steps a query: 1 for a row, 0 at the end or on a failure, which
 * read_check then reports (a loop over rows must not end silently short). */
static int
next_row(fa_store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE && !st->step_err) {
        st->step_err = code_of(st->db) == FA_ERR_STORE_WRITE ? 2 : 1;
        snprintf(st->step_msg, sizeof(st->step_msg), "%s",
                 sqlite3_errmsg(st->db));
    }
    return 0;
}

static fa_err
read_check(fa_ctx *ctx, fa_store *st)
{
    fa_err err;

    if (!st->step_err)
        return FA_OK;
    err =
        fa_ctx_fail(ctx, st->step_err == 2 ? FA_ERR_STORE_WRITE : FA_ERR_STORE,
                    "store '%s': read: %s", st->path, st->step_msg);
    st->step_err = 0;
    return err;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *t)
{
    if (t)
        sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* A value's parts: value or NULL, and the reason. */
static void
bind_value(sqlite3_stmt *s, int i, const fa_value *v)
{
    if (v->reason)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_double(s, i, v->value);
}

/* An interval as (low, high, reason) columns from i. */
static void
bind_interval(sqlite3_stmt *s, int i, const fa_interval *ci)
{
    if (ci->reason) {
        sqlite3_bind_null(s, i);
        sqlite3_bind_null(s, i + 1);
        bind_text(s, i + 2, ci->reason);
    } else {
        sqlite3_bind_double(s, i, ci->lo);
        sqlite3_bind_double(s, i + 1, ci->hi);
        sqlite3_bind_null(s, i + 2);
    }
}

static const char *col_reason(sqlite3_stmt *s, int i);

static void
col_interval(sqlite3_stmt *s, int i, fa_interval *ci)
{
    ci->lo = sqlite3_column_double(s, i);
    ci->hi = sqlite3_column_double(s, i + 1);
    ci->reason = col_reason(s, i + 2);
    if (!ci->reason && sqlite3_column_type(s, i) == SQLITE_NULL)
        ci->reason = "not computed";
}

static char *
col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);

    return t ? fa_xstrdup((const char *)t) : NULL;
}

/* Reads back a value stored as (value, num, den, reason) columns. */
static void
col_value(sqlite3_stmt *s, int i, int with_parts, fa_value *v)
{
    *v = (fa_value){0};
    if (sqlite3_column_type(s, i) != SQLITE_NULL)
        v->value = sqlite3_column_double(s, i);
    if (with_parts && sqlite3_column_type(s, i + 2) != SQLITE_NULL) {
        v->has_parts = 1;
        v->num = sqlite3_column_double(s, i + 1);
        v->den = sqlite3_column_double(s, i + 2);
    }
}

static const char *
col_reason(sqlite3_stmt *s, int i)
{
    return fa_intern((const char *)sqlite3_column_text(s, i));
}

/* A verdict table a version-1 store already had must be this one. */
static fa_err
check_verdict_table(fa_ctx *ctx, fa_store *st)
{
    sqlite3_stmt *q = NULL;
    int have = 0;
    fa_err err = prepare(ctx, st,
                         "SELECT count(*) FROM pragma_table_info('verdict')"
                         " WHERE name IN ('run_id', 'idx', 'gid', 'check_idx',"
                         " 'metric', 'measure', 'value', 'value_reason',"
                         " 'band_min', 'band_max', 'p_adjusted', 'verdict',"
                         " 'rule', 'reason')",
                         &q);

    if (!err && sqlite3_step(q) == SQLITE_ROW)
        have = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (!err && have != 14)
        err = fa_ctx_fail(ctx, FA_ERR_STORE_VERSION,
                          "store '%s' has a table 'verdict' that is not "
                          "fairaudit's",
                          st->path);
    return err;
}

/* Version 1 to 2: the columns each table lacks (a store may have some). */
static fa_err
migrate_to_v2(fa_ctx *ctx, fa_store *st)
{
    fa_err err = FA_OK;

    for (size_t i = 0; i < sizeof(migrate_v2) / sizeof(migrate_v2[0]) && !err;
         i++) {
        sqlite3_stmt *q = NULL;
        int have = 0;
        char *sql = fa_xasprintf("SELECT count(*) FROM pragma_table_info('%s')"
                                 " WHERE name = '%s'",
                                 migrate_v2[i][0], migrate_v2[i][1]);

        err = prepare(ctx, st, sql, &q);
        free(sql);
        if (!err && sqlite3_step(q) == SQLITE_ROW)
            have = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        if (!err && !have) {
            sql = fa_xasprintf("ALTER TABLE %s ADD COLUMN %s %s",
                               migrate_v2[i][0], migrate_v2[i][1],
                               migrate_v2[i][2]);
            err = exec(ctx, st, sql);
            free(sql);
        }
    }
    return err;
}

static fa_err
migrate(fa_ctx *ctx, fa_store *st)
{
    sqlite3_stmt *s = NULL;
    int version;
    fa_err err;

    err = prepare(ctx, st, "PRAGMA user_version", &s);
    if (err)
        return err;
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return sql_fail(ctx, st, "read schema version");
    }
    version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version == FA_STORE_SCHEMA_VERSION)
        return FA_OK;
    if (version > FA_STORE_SCHEMA_VERSION)
        return fa_ctx_fail(ctx, FA_ERR_STORE_VERSION,
                           "store '%s' has schema version %d; this "
                           "fairaudit reads version %d and older",
                           st->path, version, FA_STORE_SCHEMA_VERSION);
    /* a new file only: the page size is fixed by the first table */
    if (version == 0) {
        err = exec(ctx, st, "PRAGMA page_size = 16384");
        if (err)
            return err;
    }
    if (version > 0 && sqlite3_db_readonly(st->db, "main") == 1)
        return fa_ctx_fail(ctx, FA_ERR_STORE_VERSION,
                           "store '%s' has schema version %d and is "
                           "read-only: open it once with write access to "
                           "bring it to version %d",
                           st->path, version, FA_STORE_SCHEMA_VERSION);
    err = exec(ctx, st, "BEGIN IMMEDIATE");
    if (err)
        return err;
    if (version == 0) {
        /* A version-0 file must be empty: never adopt someone's database. */
        sqlite3_stmt *q = NULL;
        int tables = 0;

        err = prepare(ctx, st, "SELECT count(*) FROM sqlite_master", &q);
        if (!err && sqlite3_step(q) == SQLITE_ROW)
            tables = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        if (!err && tables > 0)
            err = fa_ctx_fail(ctx, FA_ERR_STORE_VERSION,
                              "'%s' is an SQLite database but not a "
                              "fairaudit store",
                              st->path);
        if (!err)
            err = exec(ctx, st, schema_v1);
    } else {
        /* versions 1 to 3: the columns they lack (version 3 added the
         * run's finishing time, version 4 its suppression, version 5 a
         * group's AUC variance) */
        err = migrate_to_v2(ctx, st);
    }
    if (!err && version < 2)
        err = exec(ctx, st, schema_v2_verdicts);
    if (!err && version < 2)
        err = check_verdict_table(ctx, st);
    if (!err)
        err = exec(ctx, st, schema_v3_log);
    if (!err)
        err = exec(ctx, st, "PRAGMA user_version = 5");
    if (err) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return err;
    }
    return exec(ctx, st, "COMMIT");
}

static void
finalize_inserts(fa_store *st)
{
    sqlite3_finalize(st->ins_many);
    sqlite3_finalize(st->ins_one);
    st->ins_many = st->ins_one = NULL;
    st->ins_dataset = 0;
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

fa_err
fa_store_open(fa_ctx *ctx, const char *path, int create, fa_store **out)
{
    fa_store *st;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                (create ? SQLITE_OPEN_CREATE : 0);
    struct stat sb;
    fa_err err;

    *out = NULL;
    if (!create && stat(path, &sb) != 0)
        return fa_ctx_fail(ctx, FA_ERR_NOT_FOUND,
                           "store '%s' does not exist (run 'fairaudit "
                           "ingest' first)",
                           path);
    st = fa_xcalloc(1, sizeof(*st));
    st->path = fa_xstrdup(path);
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        err = fa_ctx_fail(ctx, FA_ERR_STORE_WRITE, "cannot open store '%s': %s",
                          path,
                          st->db ? sqlite3_errmsg(st->db) : "out of memory");
        fa_store_close(st);
        return err;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 5000);
    err = exec(ctx, st, "PRAGMA foreign_keys = ON;");
    if (!err)
        err = migrate(ctx, st);
    if (err) {
        fa_store_close(st);
        return err;
    }
    *out = st;
    return FA_OK;
}

fa_err
fa_store_open_readonly(fa_ctx *ctx, const char *path, fa_store **out)
{
    fa_store *st;
    sqlite3_stmt *s = NULL;
    int version = -1;
    fa_err err;

    *out = NULL;
    st = fa_xcalloc(1, sizeof(*st));
    st->path = fa_xstrdup(path);
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        err = fa_ctx_fail(ctx, FA_ERR_NOT_FOUND, "cannot open store '%s': %s",
                          path,
                          st->db ? sqlite3_errmsg(st->db) : "out of memory");
        fa_store_close(st);
        return err;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 5000);
    err = prepare(ctx, st, "PRAGMA user_version", &s);
    if (!err && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (!err && version != FA_STORE_SCHEMA_VERSION)
        err = fa_ctx_fail(ctx, FA_ERR_STORE_VERSION,
                          "store '%s' has schema version %d, not %d (open "
                          "it once with 'fairaudit run' or 'report' to "
                          "bring it up to date)",
                          path, version, FA_STORE_SCHEMA_VERSION);
    if (err) {
        fa_store_close(st);
        return err;
    }
    *out = st;
    return FA_OK;
}

void
fa_store_close(fa_store *st)
{
    if (!st)
        return;
    finalize_inserts(st);
    if (st->db) {
        if (!sqlite3_get_autocommit(st->db))
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(st->db);
    }
    free(st->path);
    free(st);
}

fa_err
fa_store_tune_for_load(fa_ctx *ctx, fa_store *st)
{
    /* A load is one big transaction: a 64 MiB page cache keeps the pages
     * it dirties in memory until the commit writes them once. */
    return exec(ctx, st, "PRAGMA cache_size = -65536");
}

fa_err
fa_store_begin(fa_ctx *ctx, fa_store *st)
{
    return exec(ctx, st, "BEGIN IMMEDIATE");
}

fa_err
fa_store_commit(fa_ctx *ctx, fa_store *st)
{
    fa_err err;

    finalize_inserts(st);
    err = exec(ctx, st, "COMMIT");
    if (err)
        fa_store_rollback(st);
    return err;
}

void
fa_store_rollback(fa_store *st)
{
    finalize_inserts(st);
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

fa_err
fa_store_integrity(fa_ctx *ctx, fa_store *st, int *ok)
{
    sqlite3_stmt *s = NULL;
    fa_err err = prepare(ctx, st, "PRAGMA integrity_check", &s);

    *ok = 0;
    if (err)
        return err;
    if (sqlite3_step(s) == SQLITE_ROW)
        *ok = strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
    sqlite3_finalize(s);
    return FA_OK;
}

fa_err
fa_store_limit_pages(fa_ctx *ctx, fa_store *st, int64_t pages)
{
    char sql[64];

    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %" PRId64, pages);
    return exec(ctx, st, sql);
}

/* ------------------------------------------------------------------ */
/* Datasets                                                            */

fa_err
fa_store_dataset_create(fa_ctx *ctx, fa_store *st, fa_dataset *ds)
{
    sqlite3_stmt *s = NULL;
    char delim[2] = {ds->delimiter, 0};
    char *sql = NULL, *cols = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "INSERT INTO dataset(source, sha256, bytes, rows_read,"
                  " rows_loaded, rows_rejected, mapping, loaded_at, labelled,"
                  " weighted, scored, delimiter)"
                  " VALUES (?, '', 0, 0, 0, 0, ?, ?, ?, ?, ?, ?)",
                  &s);
    if (err)
        return err;
    bind_text(s, 1, ds->source);
    bind_text(s, 2, ds->mapping ? ds->mapping : "");
    bind_text(s, 3, ds->loaded_at);
    sqlite3_bind_int(s, 4, ds->labelled);
    sqlite3_bind_int(s, 5, ds->weighted);
    sqlite3_bind_int(s, 6, ds->scored);
    bind_text(s, 7, delim);
    err = step_done(ctx, st, s);
    sqlite3_finalize(s);
    if (err)
        return err;
    ds->id = sqlite3_last_insert_rowid(st->db);

    err = prepare(ctx, st,
                  "INSERT INTO dim(dataset_id, idx, name, kind, column_index,"
                  " bin_spec) VALUES (?, ?, ?, ?, ?, ?)",
                  &s);
    if (err)
        return err;
    cols = fa_xstrdup("");
    for (size_t i = 0; i < ds->ndims && !err; i++) {
        const fa_dim *d = &ds->dims[i];
        char *c;

        sqlite3_bind_int64(s, 1, ds->id);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        bind_text(s, 3, d->name);
        bind_text(s, 4, d->kind == FA_DIM_ATTRIBUTE ? "attribute" : "segment");
        sqlite3_bind_int(s, 5, d->column);
        bind_text(s, 6, d->bin_spec);
        err = step_done(ctx, st, s);
        c = fa_xasprintf("%s, d%zu %s", cols, i,
                         d->bin_spec ? "REAL" : "INTEGER NOT NULL");
        free(cols);
        cols = c;
    }
    sqlite3_finalize(s);
    if (!err) {
        sql = fa_xasprintf("CREATE TABLE rows_%" PRId64 "("
                           " line INTEGER PRIMARY KEY,"
                           " y_true INTEGER,"
                           " y_pred INTEGER NOT NULL,"
                           " score REAL,"
                           " weight REAL%s)",
                           ds->id, cols);
        err = exec(ctx, st, sql);
    }
    free(sql);
    free(cols);
    return err;
}

static char *
edges_text(const fa_dim *d)
{
    char *s = fa_xstrdup("[");

    for (size_t i = 0; i < d->nedges; i++) {
        char num[32], *t;

        fa_fmt_double(d->edges[i], num, sizeof(num));
        t = fa_xasprintf("%s%s%s", s, i ? "," : "", num);
        free(s);
        s = t;
    }
    {
        char *t = fa_xasprintf("%s]", s);

        free(s);
        s = t;
    }
    return s;
}

fa_err
fa_store_dataset_finish(fa_ctx *ctx, fa_store *st, const fa_dataset *ds)
{
    sqlite3_stmt *s = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "UPDATE dataset SET sha256 = ?, bytes = ?, rows_read = ?,"
                  " rows_loaded = ?, rows_rejected = ?, score_min = ?,"
                  " score_max = ?, mapping = ?, delimiter = ? WHERE id = ?",
                  &s);
    if (err)
        return err;
    bind_text(s, 1, ds->sha256);
    sqlite3_bind_int64(s, 2, ds->bytes);
    sqlite3_bind_int64(s, 3, ds->rows_read);
    sqlite3_bind_int64(s, 4, ds->rows_loaded);
    sqlite3_bind_int64(s, 5, ds->rows_rejected);
    if (ds->scored && ds->rows_loaded > 0) {
        sqlite3_bind_double(s, 6, ds->score_min);
        sqlite3_bind_double(s, 7, ds->score_max);
    }
    bind_text(s, 8, ds->mapping);
    {
        char delim[2] = {ds->delimiter, 0};

        bind_text(s, 9, delim);
    }
    sqlite3_bind_int64(s, 10, ds->id);
    err = step_done(ctx, st, s);
    sqlite3_finalize(s);
    if (err)
        return err;

    err = prepare(ctx, st,
                  "UPDATE dim SET edges = ?, missing_rows = ?"
                  " WHERE dataset_id = ? AND idx = ?",
                  &s);
    if (err)
        return err;
    for (size_t i = 0; i < ds->ndims && !err; i++) {
        char *e = ds->dims[i].bin_spec ? edges_text(&ds->dims[i]) : NULL;

        bind_text(s, 1, e);
        sqlite3_bind_int64(s, 2, ds->dims[i].missing_rows);
        sqlite3_bind_int64(s, 3, ds->id);
        sqlite3_bind_int64(s, 4, (int64_t)i);
        err = step_done(ctx, st, s);
        free(e);
    }
    sqlite3_finalize(s);
    if (err)
        return err;

    err = prepare(ctx, st,
                  "INSERT INTO dim_value(dataset_id, dim, code, value,"
                  " missing, rows) VALUES (?, ?, ?, ?, ?, ?)",
                  &s);
    if (err)
        return err;
    for (size_t i = 0; i < ds->ndims && !err; i++) {
        const fa_dim *d = &ds->dims[i];

        for (size_t k = 0; k < d->nvalues && !err; k++) {
            sqlite3_bind_int64(s, 1, ds->id);
            sqlite3_bind_int64(s, 2, (int64_t)i);
            sqlite3_bind_int64(s, 3, (int64_t)k);
            bind_text(s, 4, d->values[k] ? d->values[k] : "");
            sqlite3_bind_int(s, 5, d->values[k] == NULL);
            sqlite3_bind_int64(s, 6, d->counts[k]);
            err = step_done(ctx, st, s);
        }
    }
    sqlite3_finalize(s);
    return err;
}

static fa_err
single_id(fa_ctx *ctx, fa_store *st, const char *sql, const char *a,
          const char *b, int64_t *id)
{
    sqlite3_stmt *s = NULL;
    fa_err err = prepare(ctx, st, sql, &s);
    int rc;

    *id = 0;
    if (err)
        return err;
    if (a)
        bind_text(s, 1, a);
    if (b)
        bind_text(s, 2, b);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE)
        err = sql_fail(ctx, st, "read");
    sqlite3_finalize(s);
    return err;
}

fa_err
fa_store_dataset_find(fa_ctx *ctx, fa_store *st, const char *sha256,
                      const char *mapping, int64_t *id)
{
    return single_id(ctx, st,
                     "SELECT id FROM dataset WHERE sha256 = ? AND mapping = ?"
                     " ORDER BY id LIMIT 1",
                     sha256, mapping, id);
}

fa_err
fa_store_dataset_latest(fa_ctx *ctx, fa_store *st, int64_t *id)
{
    return single_id(ctx, st, "SELECT max(id) FROM dataset", NULL, NULL, id);
}

static fa_err
load_dims(fa_ctx *ctx, fa_store *st, fa_dataset *ds)
{
    sqlite3_stmt *s = NULL;
    fa_err err;

    err = prepare(ctx, st, "SELECT count(*) FROM dim WHERE dataset_id = ?", &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, ds->id);
    if (sqlite3_step(s) == SQLITE_ROW)
        ds->ndims = (size_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    ds->dims = fa_xcalloc(ds->ndims ? ds->ndims : 1, sizeof(*ds->dims));

    err = prepare(ctx, st,
                  "SELECT idx, name, kind, column_index, bin_spec, edges,"
                  " missing_rows FROM dim WHERE dataset_id = ? ORDER BY idx",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, ds->id);
    for (size_t i = 0; i < ds->ndims; i++) {
        fa_dim *d = &ds->dims[i];
        const char *e;

        if (sqlite3_step(s) != SQLITE_ROW) {
            sqlite3_finalize(s);
            return sql_fail(ctx, st, "read dims");
        }
        d->name = col_text(s, 1);
        d->kind =
            strcmp((const char *)sqlite3_column_text(s, 2), "attribute") == 0
                ? FA_DIM_ATTRIBUTE
                : FA_DIM_SEGMENT;
        if (d->kind == FA_DIM_ATTRIBUTE)
            ds->nattrs++;
        d->column = sqlite3_column_int(s, 3);
        d->bin_spec = col_text(s, 4);
        d->missing_rows = sqlite3_column_int64(s, 6);
        d->missing_code = -1;
        e = (const char *)sqlite3_column_text(s, 5);
        if (d->bin_spec && e) {
            /* "[a,b,c]": numbers written by fa_fmt_double */
            const char *p = e + 1;

            d->edges = fa_xcalloc(strlen(e), sizeof(double));
            while (*p && *p != ']') {
                char *end;

                d->edges[d->nedges++] = strtod(p, &end);
                p = *end == ',' ? end + 1 : end;
            }
        }
    }
    sqlite3_finalize(s);

    err = prepare(ctx, st,
                  "SELECT dim, code, value, missing, rows FROM dim_value"
                  " WHERE dataset_id = ? ORDER BY dim, code",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, ds->id);
    for (;;) {
        int rc = sqlite3_step(s);
        fa_dim *d;
        size_t code;

        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            sqlite3_finalize(s);
            return sql_fail(ctx, st, "read dictionary");
        }
        d = &ds->dims[sqlite3_column_int(s, 0)];
        code = (size_t)sqlite3_column_int64(s, 1);
        if (code >= d->nvalues) {
            d->values = fa_xrealloc(d->values, code + 1, sizeof(char *));
            d->counts = fa_xrealloc(d->counts, code + 1, sizeof(int64_t));
            for (size_t k = d->nvalues; k <= code; k++) {
                d->values[k] = NULL;
                d->counts[k] = 0;
            }
            d->nvalues = code + 1;
        }
        if (sqlite3_column_int(s, 3))
            d->missing_code = (int64_t)code;
        else
            d->values[code] = col_text(s, 2);
        d->counts[code] = sqlite3_column_int64(s, 4);
    }
    sqlite3_finalize(s);
    return FA_OK;
}

fa_err
fa_store_dataset_load(fa_ctx *ctx, fa_store *st, int64_t id, fa_dataset *ds)
{
    sqlite3_stmt *s = NULL;
    fa_err err;
    int rc;

    *ds = (fa_dataset){0};
    err = prepare(ctx, st,
                  "SELECT source, sha256, bytes, rows_read, rows_loaded,"
                  " rows_rejected, mapping, loaded_at, labelled, weighted,"
                  " scored, score_min, score_max, delimiter FROM dataset"
                  " WHERE id = ?",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        if (rc == SQLITE_DONE)
            return fa_ctx_fail(ctx, FA_ERR_NOT_FOUND,
                               "store '%s' has no dataset %" PRId64, st->path,
                               id);
        return sql_fail(ctx, st, "read dataset");
    }
    ds->id = id;
    ds->source = col_text(s, 0);
    snprintf(ds->sha256, sizeof(ds->sha256), "%s",
             (const char *)sqlite3_column_text(s, 1));
    ds->bytes = sqlite3_column_int64(s, 2);
    ds->rows_read = sqlite3_column_int64(s, 3);
    ds->rows_loaded = sqlite3_column_int64(s, 4);
    ds->rows_rejected = sqlite3_column_int64(s, 5);
    ds->mapping = col_text(s, 6);
    ds->loaded_at = col_text(s, 7);
    ds->labelled = sqlite3_column_int(s, 8);
    ds->weighted = sqlite3_column_int(s, 9);
    ds->scored = sqlite3_column_int(s, 10);
    ds->score_min = sqlite3_column_double(s, 11);
    ds->score_max = sqlite3_column_double(s, 12);
    ds->delimiter = *(const char *)sqlite3_column_text(s, 13);
    sqlite3_finalize(s);
    err = load_dims(ctx, st, ds);
    if (err)
        fa_dataset_release(ds);
    return err;
}

/* Prepares the single-row and the many-row INSERT for ds. */
static fa_err
prepare_inserts(fa_ctx *ctx, fa_store *st, const fa_dataset *ds)
{
    size_t ncols = 5 + ds->ndims;
    size_t rows = 32766 / ncols < 64 ? 32766 / ncols : 64;
    size_t len = 64 + rows * (ncols * 2 + 4);
    char *sql = fa_xmalloc(len), *p;
    fa_err err;

    finalize_inserts(st);
    p = sql +
        snprintf(sql, len, "INSERT INTO rows_%" PRId64 " VALUES ", ds->id);
    for (size_t r = 0; r < rows; r++) {
        *p++ = r ? ',' : ' ';
        *p++ = '(';
        for (size_t c = 0; c < ncols; c++) {
            if (c)
                *p++ = ',';
            *p++ = '?';
        }
        *p++ = ')';
    }
    *p = '\0';
    err = prepare(ctx, st, sql, &st->ins_many);
    if (!err) {
        /* the same statement cut after its first row */
        sql[strchr(sql, ')') - sql + 1] = '\0';
        err = prepare(ctx, st, sql, &st->ins_one);
    }
    free(sql);
    if (err) {
        finalize_inserts(st);
        return err;
    }
    st->ins_dataset = ds->id;
    st->ins_rows = rows;
    return FA_OK;
}

static void
bind_row(sqlite3_stmt *s, int col, const fa_dataset *ds, const fa_row_batch *b,
         size_t i)
{
    sqlite3_bind_int64(s, col++, b->line[i]);
    if (ds->labelled)
        sqlite3_bind_int(s, col++, b->y_true[i]);
    else
        sqlite3_bind_null(s, col++);
    sqlite3_bind_int(s, col++, b->y_pred[i]);
    if (ds->scored)
        sqlite3_bind_double(s, col++, b->score[i]);
    else
        sqlite3_bind_null(s, col++);
    if (ds->weighted)
        sqlite3_bind_double(s, col++, b->weight[i]);
    else
        sqlite3_bind_null(s, col++);
    for (size_t j = 0; j < ds->ndims; j++) {
        size_t k = i * b->ndims + j;

        if (!ds->dims[j].bin_spec)
            sqlite3_bind_int64(s, col++, b->code[k]);
        else if (b->code[k])
            sqlite3_bind_double(s, col++, b->x[k]);
        else
            sqlite3_bind_null(s, col++);
    }
}

fa_err
fa_store_rows_insert(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                     const fa_row_batch *b)
{
    size_t ncols = 5 + ds->ndims, i = 0;
    fa_err err;

    if (st->ins_dataset != ds->id) {
        err = prepare_inserts(ctx, st, ds);
        if (err)
            return err;
    }
    while (b->n - i >= st->ins_rows) {
        for (size_t r = 0; r < st->ins_rows; r++)
            bind_row(st->ins_many, (int)(r * ncols + 1), ds, b, i + r);
        if (sqlite3_step(st->ins_many) != SQLITE_DONE) {
            sqlite3_reset(st->ins_many);
            return sql_fail(ctx, st, "insert rows");
        }
        sqlite3_reset(st->ins_many);
        i += st->ins_rows;
    }
    for (; i < b->n; i++) {
        bind_row(st->ins_one, 1, ds, b, i);
        if (sqlite3_step(st->ins_one) != SQLITE_DONE) {
            sqlite3_reset(st->ins_one);
            return sql_fail(ctx, st, "insert rows");
        }
        sqlite3_reset(st->ins_one);
    }
    return FA_OK;
}

fa_err
fa_store_reject_add(fa_ctx *ctx, fa_store *st, int64_t dataset_id,
                    const fa_reject *rej)
{
    sqlite3_stmt *s = NULL;
    fa_err err = prepare(ctx, st,
                         "INSERT INTO reject(dataset_id, line, column_index,"
                         " column_name, reason, value, raw)"
                         " VALUES (?,?,?,?,?,?,?)",
                         &s);

    if (err)
        return err;
    sqlite3_bind_int64(s, 1, dataset_id);
    sqlite3_bind_int64(s, 2, rej->line);
    sqlite3_bind_int(s, 3, rej->column);
    bind_text(s, 4, rej->column_name);
    bind_text(s, 5, rej->reason);
    if (rej->value)
        sqlite3_bind_blob(s, 6, rej->value, (int)rej->valuelen,
                          SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 7, rej->raw ? rej->raw : "", (int)rej->rawlen,
                      SQLITE_TRANSIENT);
    err = step_done(ctx, st, s);
    sqlite3_finalize(s);
    return err;
}

fa_err
fa_store_reject_summary(fa_ctx *ctx, fa_store *st, int64_t dataset_id,
                        fa_reject_count **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    fa_err err;
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    err = prepare(ctx, st,
                  "SELECT reason, count(*), min(line) FROM reject"
                  " WHERE dataset_id = ? GROUP BY reason"
                  " ORDER BY count(*) DESC, min(line)",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, dataset_id);
    while (next_row(st, s)) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            *out = fa_xrealloc(*out, cap, sizeof(**out));
        }
        (*out)[*n].reason = col_text(s, 0);
        (*out)[*n].rows = sqlite3_column_int64(s, 1);
        (*out)[*n].first_line = sqlite3_column_int64(s, 2);
        (*n)++;
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;
    return FA_OK;
}

/* A copy of blob column i, NUL-terminated, its length in *len; NULL for
 * SQL NULL. */
static char *
col_bytes(sqlite3_stmt *s, int i, size_t *len)
{
    const void *b;
    char *out;

    *len = 0;
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return NULL;
    b = sqlite3_column_blob(s, i);
    *len = (size_t)sqlite3_column_bytes(s, i);
    out = fa_xmalloc(*len + 1);
    if (*len)
        memcpy(out, b, *len);
    out[*len] = '\0';
    return out;
}

fa_err
fa_store_reject_first(fa_ctx *ctx, fa_store *st, int64_t dataset_id,
                      size_t limit, fa_reject_row **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    fa_err err;

    *out = NULL;
    *n = 0;
    err = prepare(ctx, st,
                  "SELECT line, column_index, column_name, reason, value, raw"
                  " FROM reject WHERE dataset_id = ?"
                  " ORDER BY line, column_index LIMIT ?",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, dataset_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
    *out = fa_xcalloc(limit + 1, sizeof(**out));
    while (*n < limit && next_row(st, s)) {
        fa_reject_row *r = &(*out)[*n];

        r->line = sqlite3_column_int64(s, 0);
        r->column = sqlite3_column_int(s, 1);
        r->column_name = col_text(s, 2);
        r->reason = col_text(s, 3);
        r->value = col_bytes(s, 4, &r->valuelen);
        r->raw = col_bytes(s, 5, &r->rawlen);
        (*n)++;
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err) {
        fa_reject_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return err;
}

void
fa_reject_rows_free(fa_reject_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].column_name);
        free(rows[i].reason);
        free(rows[i].value);
        free(rows[i].raw);
    }
    free(rows);
}

fa_err
fa_store_rows_scan(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                   fa_scan_fn fn, void *data)
{
    return fa_store_rows_scan_range(ctx, st, ds, INT64_MIN, INT64_MAX, fn,
                                    data);
}

fa_err
fa_store_rows_span(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                   int64_t *first, int64_t *last)
{
    sqlite3_stmt *s = NULL;
    char *sql =
        fa_xasprintf("SELECT min(line), max(line) FROM rows_%" PRId64, ds->id);
    fa_err err = prepare(ctx, st, sql, &s);

    free(sql);
    *first = 0;
    *last = -1;
    if (err)
        return err;
    if (sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL) {
        *first = sqlite3_column_int64(s, 0);
        *last = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return FA_OK;
}

fa_err
fa_store_open_reader(fa_ctx *ctx, const fa_store *st, fa_store **out)
{
    const char *file = sqlite3_db_filename(st->db, "main");

    *out = NULL;
    if (!file || !*file)
        return fa_ctx_fail(ctx, FA_ERR_NOT_FOUND,
                           "an in-memory store has no file to share");
    return fa_store_open(ctx, file, 0, out);
}

fa_err
fa_store_rows_scan_range(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                         int64_t first, int64_t last, fa_scan_fn fn, void *data)
{
    sqlite3_stmt *s = NULL;
    fa_row_batch b;
    char *sql, *cols = fa_xstrdup("");
    fa_err err = FA_OK;
    int rc;

    for (size_t j = 0; j < ds->ndims; j++) {
        char *c = fa_xasprintf("%s, d%zu", cols, j);

        free(cols);
        cols = c;
    }
    /* only the columns the dataset has: each one read costs time */
    sql = fa_xasprintf("SELECT line, %s, y_pred, %s, %s%s FROM rows_%" PRId64
                       " WHERE line BETWEEN ? AND ?",
                       ds->labelled ? "y_true" : "NULL",
                       ds->scored ? "score" : "NULL",
                       ds->weighted ? "weight" : "NULL", cols, ds->id);
    free(cols);
    err = prepare(ctx, st, sql, &s);
    free(sql);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, first);
    sqlite3_bind_int64(s, 2, last);
    fa_row_batch_init(&b, 4096, ds->ndims);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        size_t i = b.n++;

        b.line[i] = sqlite3_column_int64(s, 0);
        b.y_true[i] = ds->labelled ? (signed char)sqlite3_column_int(s, 1) : -1;
        b.y_pred[i] = (signed char)sqlite3_column_int(s, 2);
        b.score[i] = ds->scored ? sqlite3_column_double(s, 3) : 0;
        b.weight[i] = ds->weighted ? sqlite3_column_double(s, 4) : 1;
        for (size_t j = 0; j < ds->ndims; j++) {
            size_t k = i * ds->ndims + j;

            if (!ds->dims[j].bin_spec) {
                b.code[k] = sqlite3_column_int64(s, (int)(5 + j));
            } else if (sqlite3_column_type(s, (int)(5 + j)) == SQLITE_NULL) {
                b.code[k] = 0;
            } else {
                b.code[k] = 1;
                b.x[k] = sqlite3_column_double(s, (int)(5 + j));
            }
        }
        if (b.n == b.cap) {
            err = fn(data, &b);
            b.n = 0;
            if (err)
                break;
        }
    }
    if (!err && rc != SQLITE_DONE)
        err = sql_fail(ctx, st, "read rows");
    if (!err && b.n)
        err = fn(data, &b);
    sqlite3_finalize(s);
    fa_row_batch_release(&b);
    return err;
}

/* ------------------------------------------------------------------ */
/* Runs                                                                */

static fa_err
save_sets(fa_ctx *ctx, fa_store *st, const fa_results *res)
{
    sqlite3_stmt *s = NULL, *a = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "INSERT INTO group_set(run_id, set_id, kind, dims, ref_gid,"
                  " empty_omitted) VALUES (?,?,?,?,?,?)",
                  &s);
    sqlite3_stmt *t = NULL;

    if (!err)
        err = prepare(ctx, st,
                      "INSERT INTO aggregate(run_id, set_id, name, value,"
                      " reason, ci_low, ci_high, ci_reason)"
                      " VALUES (?,?,?,?,?,?,?,?)",
                      &a);
    if (!err)
        err = prepare(ctx, st,
                      "INSERT INTO set_test(run_id, set_id, metric, test,"
                      " statistic, df, p_value, reason, p_adjusted)"
                      " VALUES (?,?,?,'chi2',?,?,?,?,?)",
                      &t);
    for (size_t i = 0; i < res->nsets && !err; i++) {
        const fa_group_set *gs = &res->sets[i];
        char *dims = fa_xstrdup("");

        for (size_t k = 0; k < gs->ndims; k++) {
            char *d = fa_xasprintf("%s%s%d", dims, k ? "," : "", gs->dims[k]);

            free(dims);
            dims = d;
        }
        sqlite3_bind_int64(s, 1, res->run_id);
        sqlite3_bind_int(s, 2, gs->id);
        bind_text(s, 3, fa_set_kind_name(gs->kind));
        bind_text(s, 4, dims);
        if (gs->ref_gid >= 0)
            sqlite3_bind_int64(s, 5, gs->ref_gid);
        else
            sqlite3_bind_null(s, 5);
        sqlite3_bind_int64(s, 6, gs->empty_omitted);
        err = step_done(ctx, st, s);
        free(dims);
        if (gs->kind == FA_SET_OVERALL)
            continue;
        for (int k = 0; k < FA_AGG_COUNT && !err; k++) {
            sqlite3_bind_int64(a, 1, res->run_id);
            sqlite3_bind_int(a, 2, gs->id);
            bind_text(a, 3, fa_aggregate_name((fa_aggregate)k));
            bind_value(a, 4, &gs->agg[k]);
            bind_text(a, 5, gs->agg[k].reason);
            bind_interval(a, 6, &gs->agg_ci[k]);
            err = step_done(ctx, st, a);
        }
        for (int k = 0; k < 3 && !err; k++) {
            const fa_test *ct = &gs->chi2[k];

            sqlite3_bind_int64(t, 1, res->run_id);
            sqlite3_bind_int(t, 2, gs->id);
            bind_text(t, 3, fa_metric_name(fa_chi2_metrics[k]));
            if (!ct->reason) {
                sqlite3_bind_double(t, 4, ct->statistic);
                sqlite3_bind_double(t, 5, ct->df);
                sqlite3_bind_double(t, 6, ct->p);
                sqlite3_bind_double(t, 8, gs->chi2_adjusted[k]);
            }
            bind_text(t, 7, ct->reason);
            err = step_done(ctx, st, t);
        }
    }
    sqlite3_finalize(s);
    sqlite3_finalize(a);
    sqlite3_finalize(t);
    return err;
}

static fa_err
save_groups(fa_ctx *ctx, fa_store *st, const fa_results *res)
{
    sqlite3_stmt *g = NULL, *v = NULL, *m = NULL, *d = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "INSERT INTO grp(run_id, gid, set_id, n, weight, tp, fp,"
                  " tn, fn, n_tp, n_fp, n_tn, n_fn, ref_gid, above, wabove,"
                  " auc_var) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  &g);
    if (!err)
        err = prepare(ctx, st,
                      "INSERT INTO grp_value(run_id, gid, pos, value)"
                      " VALUES (?,?,?,?)",
                      &v);
    if (!err)
        err = prepare(ctx, st,
                      "INSERT INTO metric(run_id, gid, name, value, num, den,"
                      " reason, ci_low, ci_high, ci_reason)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?)",
                      &m);
    if (!err)
        err = prepare(ctx, st,
                      "INSERT INTO disparity(run_id, gid, metric, ratio,"
                      " ratio_reason, difference, difference_reason,"
                      " ratio_low, ratio_high, ratio_ci_reason,"
                      " difference_low, difference_high,"
                      " difference_ci_reason, test, statistic, p_value,"
                      " p_adjusted, test_reason, evidence, mdr, mdr_reason,"
                      " cmh_statistic, cmh_p_value, cmh_reason,"
                      " common_odds_ratio, common_odds_ratio_reason,"
                      " strata_used, cmh_p_adjusted) VALUES (?,?,?,?,?,?,?,"
                      "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      &d);
    for (size_t i = 0; i < res->ngroups && !err; i++) {
        const fa_group *gr = &res->groups[i];
        const fa_group_set *gs = &res->sets[gr->set];

        sqlite3_bind_int64(g, 1, res->run_id);
        sqlite3_bind_int64(g, 2, gr->gid);
        sqlite3_bind_int(g, 3, gr->set);
        sqlite3_bind_int64(g, 4, gr->n);
        sqlite3_bind_double(g, 5, gr->weight);
        sqlite3_bind_double(g, 6, gr->w.tp);
        sqlite3_bind_double(g, 7, gr->w.fp);
        sqlite3_bind_double(g, 8, gr->w.tn);
        sqlite3_bind_double(g, 9, gr->w.fn);
        for (int k = 0; k < 4; k++)
            sqlite3_bind_int64(g, 10 + k, gr->rows[k]);
        if (gr->has_above) {
            sqlite3_bind_int64(g, 15, gr->above);
            sqlite3_bind_double(g, 16, gr->wabove);
        } else {
            sqlite3_bind_null(g, 15);
            sqlite3_bind_null(g, 16);
        }
        if (gr->auc_var.reason)
            sqlite3_bind_null(g, 17);
        else
            sqlite3_bind_double(g, 17, gr->auc_var.value);
        if (gr->ref_gid >= 0)
            sqlite3_bind_int64(g, 14, gr->ref_gid);
        else
            sqlite3_bind_null(g, 14);
        err = step_done(ctx, st, g);
        for (size_t k = 0; k < gs->ndims && !err; k++) {
            sqlite3_bind_int64(v, 1, res->run_id);
            sqlite3_bind_int64(v, 2, gr->gid);
            sqlite3_bind_int64(v, 3, (int64_t)k);
            bind_text(v, 4, gr->values[k]);
            err = step_done(ctx, st, v);
        }
        for (int k = 0; k < FA_METRIC_COUNT && !err; k++) {
            const fa_value *mv = &gr->m[k];

            sqlite3_bind_int64(m, 1, res->run_id);
            sqlite3_bind_int64(m, 2, gr->gid);
            bind_text(m, 3, fa_metric_name((fa_metric)k));
            bind_value(m, 4, mv);
            if (mv->has_parts) {
                sqlite3_bind_double(m, 5, mv->num);
                sqlite3_bind_double(m, 6, mv->den);
            }
            bind_text(m, 7, mv->reason);
            bind_interval(m, 8, &gr->ci[k]);
            err = step_done(ctx, st, m);
            if (err || gr->ref_gid < 0 ||
                !fa_metric_has_disparity((fa_metric)k))
                continue;
            sqlite3_bind_int64(d, 1, res->run_id);
            sqlite3_bind_int64(d, 2, gr->gid);
            bind_text(d, 3, fa_metric_name((fa_metric)k));
            bind_value(d, 4, &gr->ratio[k]);
            bind_text(d, 5, gr->ratio[k].reason);
            bind_value(d, 6, &gr->diff[k]);
            bind_text(d, 7, gr->diff[k].reason);
            {
                const fa_compare *c = &gr->cmp[k];

                bind_interval(d, 8, &c->ratio_ci);
                bind_interval(d, 11, &c->diff_ci);
                bind_text(d, 14, c->test.reason ? NULL : c->test_name);
                if (!c->test.reason) {
                    sqlite3_bind_double(d, 15, c->test.statistic);
                    sqlite3_bind_double(d, 16, c->test.p);
                    sqlite3_bind_double(d, 17, c->p_adjusted);
                }
                bind_text(d, 18, c->test.reason);
                bind_text(d, 19, c->evidence);
                bind_value(d, 20, &c->mdr);
                bind_text(d, 21, c->mdr.reason);
                if (!c->cmh.test.reason) {
                    sqlite3_bind_double(d, 22, c->cmh.test.statistic);
                    sqlite3_bind_double(d, 23, c->cmh.test.p);
                }
                bind_text(d, 24, c->cmh.test.reason);
                bind_value(d, 25, &c->cmh.odds_ratio);
                bind_text(d, 26, c->cmh.odds_ratio.reason);
                sqlite3_bind_int64(d, 27, (int64_t)c->cmh.strata_used);
                if (!c->cmh.test.reason)
                    sqlite3_bind_double(d, 28, c->cmh.p_adjusted);
            }
            err = step_done(ctx, st, d);
        }
    }
    sqlite3_finalize(g);
    sqlite3_finalize(v);
    sqlite3_finalize(m);
    sqlite3_finalize(d);
    return err;
}

static fa_err
save_strata(fa_ctx *ctx, fa_store *st, const fa_results *res)
{
    sqlite3_stmt *v = NULL, *c = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "INSERT INTO stratum(run_id, idx, value) VALUES (?,?,?)", &v);
    if (!err)
        err = prepare(ctx, st,
                      "INSERT INTO stratum_count(run_id, gid, stratum, tp,"
                      " fp, tn, fn) VALUES (?,?,?,?,?,?,?)",
                      &c);
    for (size_t l = 0; l < res->nstrata && !err; l++) {
        sqlite3_bind_int64(v, 1, res->run_id);
        sqlite3_bind_int64(v, 2, (int64_t)l);
        bind_text(v, 3, res->stratum_values[l]);
        err = step_done(ctx, st, v);
    }
    for (size_t g = 0; g < res->ngroups && !err; g++) {
        enum fa_set_kind kind = res->sets[res->groups[g].set].kind;

        if (kind != FA_SET_ATTRIBUTE && kind != FA_SET_INTERSECTION)
            continue;
        for (size_t l = 0; l < res->nstrata && !err; l++) {
            const int64_t *q = res->strat_rows + (g * res->nstrata + l) * 4;

            sqlite3_bind_int64(c, 1, res->run_id);
            sqlite3_bind_int64(c, 2, (int64_t)g);
            sqlite3_bind_int64(c, 3, (int64_t)l);
            for (int k = 0; k < 4; k++)
                sqlite3_bind_int64(c, 4 + k, q[k]);
            err = step_done(ctx, st, c);
        }
    }
    sqlite3_finalize(v);
    sqlite3_finalize(c);
    return err;
}

static fa_err
load_strata(fa_ctx *ctx, fa_store *st, fa_results *res)
{
    sqlite3_stmt *s = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "SELECT idx, value FROM stratum WHERE run_id = ?"
                  " ORDER BY idx",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        res->stratum_values =
            fa_xrealloc(res->stratum_values, res->nstrata + 1, sizeof(char *));
        res->stratum_values[res->nstrata++] = col_text(s, 1);
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;
    res->strat_rows =
        fa_xcalloc(res->ngroups * res->nstrata * 4 + 1, sizeof(int64_t));
    err = prepare(ctx, st,
                  "SELECT gid, stratum, tp, fp, tn, fn FROM stratum_count"
                  " WHERE run_id = ?",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        size_t g = (size_t)sqlite3_column_int64(s, 0);
        size_t l = (size_t)sqlite3_column_int64(s, 1);

        if (g >= res->ngroups || l >= res->nstrata)
            continue;
        for (int k = 0; k < 4; k++)
            res->strat_rows[(g * res->nstrata + l) * 4 + (size_t)k] =
                sqlite3_column_int64(s, 2 + k);
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;
    return FA_OK;
}

static fa_err
save_verdicts(fa_ctx *ctx, fa_store *st, const fa_results *res)
{
    sqlite3_stmt *s = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "INSERT INTO verdict(run_id, idx, gid, check_idx, metric,"
                  " measure, value, value_reason, band_min, band_max,"
                  " p_adjusted, verdict, rule, reason)"
                  " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  &s);
    for (size_t i = 0; i < res->nverdicts && !err; i++) {
        const fa_verdict *v = &res->verdicts[i];

        sqlite3_bind_int64(s, 1, res->run_id);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        sqlite3_bind_int64(s, 3, v->gid);
        sqlite3_bind_int(s, 4, v->check);
        bind_text(s, 5, v->metric);
        bind_text(s, 6, v->measure);
        bind_value(s, 7, &v->value);
        bind_text(s, 8, v->value.reason);
        if (v->has_min)
            sqlite3_bind_double(s, 9, v->min);
        else
            sqlite3_bind_null(s, 9);
        if (v->has_max)
            sqlite3_bind_double(s, 10, v->max);
        else
            sqlite3_bind_null(s, 10);
        if (v->has_p)
            sqlite3_bind_double(s, 11, v->p_adjusted);
        else
            sqlite3_bind_null(s, 11);
        bind_text(s, 12, fa_verdict_name(v->verdict));
        bind_text(s, 13, v->rule);
        bind_text(s, 14, v->reason);
        err = step_done(ctx, st, s);
    }
    sqlite3_finalize(s);
    return err;
}

static fa_err
load_verdicts(fa_ctx *ctx, fa_store *st, fa_results *res)
{
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    fa_err err;

    err = prepare(ctx, st,
                  "SELECT gid, check_idx, metric, measure, value,"
                  " value_reason, band_min, band_max, p_adjusted, verdict,"
                  " rule, reason FROM verdict WHERE run_id = ? ORDER BY idx",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        fa_verdict *v;
        char *reason;

        if (res->nverdicts == cap) {
            cap = cap ? 2 * cap : 64;
            res->verdicts = fa_xrealloc(res->verdicts, cap, sizeof(*v));
        }
        v = &res->verdicts[res->nverdicts++];
        *v = (fa_verdict){0};
        v->gid = sqlite3_column_int64(s, 0);
        v->check = sqlite3_column_int(s, 1);
        v->metric = col_text(s, 2);
        v->measure = col_text(s, 3);
        reason = col_text(s, 5);
        if (reason || sqlite3_column_type(s, 4) == SQLITE_NULL)
            v->value = fa_value_undefined(fa_intern(reason ? reason : "null"));
        else
            v->value = (fa_value){sqlite3_column_double(s, 4), 0, 0, 0, NULL};
        free(reason);
        if ((v->has_min = sqlite3_column_type(s, 6) != SQLITE_NULL))
            v->min = sqlite3_column_double(s, 6);
        if ((v->has_max = sqlite3_column_type(s, 7) != SQLITE_NULL))
            v->max = sqlite3_column_double(s, 7);
        if ((v->has_p = sqlite3_column_type(s, 8) != SQLITE_NULL))
            v->p_adjusted = sqlite3_column_double(s, 8);
        {
            char *name = col_text(s, 9);

            v->verdict = fa_verdict_of(name);
            free(name);
        }
        v->rule = col_text(s, 10);
        v->reason = col_text(s, 11);
        if (v->verdict < 0 || v->gid < 0 || (size_t)v->gid >= res->ngroups ||
            !v->metric || !v->measure || !v->rule || !v->reason) {
            sqlite3_finalize(s);
            return fa_ctx_fail(ctx, FA_ERR_STORE,
                               "store '%s': run %lld has a malformed verdict",
                               st->path, (long long)res->run_id);
        }
    }
    sqlite3_finalize(s);
    return read_check(ctx, st);
}

fa_err
fa_store_run_save(fa_ctx *ctx, fa_store *st, fa_results *res)
{
    sqlite3_stmt *s = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "INSERT INTO run(dataset_id, created, reference,"
                  " tool_version, confidence, ci_method, correction,"
                  " min_group, min_class, seed, bootstrap, strata,"
                  " template, template_json, template_sha256, fields,"
                  " skipped_checks, verdict, score_median, finished,"
                  " suppress)"
                  " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->ds.id);
    bind_text(s, 2, res->created);
    bind_text(s, 3, res->reference);
    bind_text(s, 4, res->tool_version);
    sqlite3_bind_double(s, 5, res->confidence);
    bind_text(s, 6, res->ci_method);
    bind_text(s, 7, res->correction);
    sqlite3_bind_int64(s, 8, res->min_group);
    sqlite3_bind_int64(s, 9, res->min_class);
    sqlite3_bind_int64(s, 10, (int64_t)res->seed);
    sqlite3_bind_int64(s, 11, res->bootstrap);
    bind_text(s, 12, res->strata);
    bind_text(s, 13, res->template_name);
    bind_text(s, 14, res->template_json);
    bind_text(s, 15, res->template_sha256);
    bind_text(s, 16, res->fields_json);
    bind_text(s, 17, res->skipped_json);
    bind_text(s, 18, res->template_name ? fa_verdict_name(res->verdict) : NULL);
    if (res->has_median)
        sqlite3_bind_double(s, 19, res->score_median);
    bind_text(s, 20, res->finished);
    sqlite3_bind_int64(s, 21, res->suppress);
    err = step_done(ctx, st, s);
    sqlite3_finalize(s);
    if (err)
        return err;
    res->run_id = sqlite3_last_insert_rowid(st->db);
    err = save_sets(ctx, st, res);
    if (!err)
        err = save_groups(ctx, st, res);
    if (!err && res->strat_rows)
        err = save_strata(ctx, st, res);
    if (!err && res->nverdicts)
        err = save_verdicts(ctx, st, res);
    return err;
}

fa_err
fa_store_run_latest(fa_ctx *ctx, fa_store *st, int64_t *id)
{
    return single_id(ctx, st, "SELECT max(id) FROM run", NULL, NULL, id);
}

static fa_err
load_sets(fa_ctx *ctx, fa_store *st, fa_results *res)
{
    sqlite3_stmt *s = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "SELECT set_id, kind, dims, ref_gid, empty_omitted"
                  " FROM group_set WHERE run_id = ? ORDER BY set_id",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        fa_group_set *gs;
        const char *kind = (const char *)sqlite3_column_text(s, 1);
        const char *p = (const char *)sqlite3_column_text(s, 2);

        res->sets = fa_xrealloc(res->sets, res->nsets + 1, sizeof(*gs));
        gs = &res->sets[res->nsets++];
        *gs = (fa_group_set){0};
        gs->id = sqlite3_column_int(s, 0);
        gs->kind = strcmp(kind, "overall") == 0     ? FA_SET_OVERALL
                   : strcmp(kind, "attribute") == 0 ? FA_SET_ATTRIBUTE
                   : strcmp(kind, "segment") == 0   ? FA_SET_SEGMENT
                                                    : FA_SET_INTERSECTION;
        gs->ref_gid = sqlite3_column_type(s, 3) == SQLITE_NULL
                          ? -1
                          : sqlite3_column_int64(s, 3);
        gs->empty_omitted = sqlite3_column_int64(s, 4);
        gs->dims = fa_xcalloc(strlen(p) + 1, sizeof(int));
        while (*p) {
            char *end;

            gs->dims[gs->ndims++] = (int)strtol(p, &end, 10);
            p = *end == ',' ? end + 1 : end;
        }
        for (int k = 0; k < FA_AGG_COUNT; k++)
            gs->agg[k] = fa_value_undefined("not computed");
        for (int k = 0; k < 3; k++)
            gs->chi2[k] = (fa_test){0, 0, 0, "not computed"};
        for (int k = 0; k < FA_AGG_COUNT; k++)
            gs->agg_ci[k] = (fa_interval){0, 0, "not computed"};
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;

    err = prepare(ctx, st,
                  "SELECT set_id, name, value, reason, ci_low, ci_high,"
                  " ci_reason FROM aggregate WHERE run_id = ?",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        size_t set = (size_t)sqlite3_column_int(s, 0);
        const char *name = (const char *)sqlite3_column_text(s, 1);

        if (set >= res->nsets)
            continue;
        for (int k = 0; k < FA_AGG_COUNT; k++) {
            fa_value *v = &res->sets[set].agg[k];

            if (strcmp(name, fa_aggregate_name((fa_aggregate)k)) != 0)
                continue;
            col_value(s, 2, 0, v);
            v->reason = col_reason(s, 3);
            col_interval(s, 4, &res->sets[set].agg_ci[k]);
        }
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;

    err = prepare(ctx, st,
                  "SELECT set_id, metric, statistic, df, p_value, reason,"
                  " p_adjusted FROM set_test WHERE run_id = ?"
                  " AND test = 'chi2'",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        size_t set = (size_t)sqlite3_column_int(s, 0);
        const char *name = (const char *)sqlite3_column_text(s, 1);

        if (set >= res->nsets)
            continue;
        for (int k = 0; k < 3; k++) {
            fa_test *t = &res->sets[set].chi2[k];

            if (strcmp(name, fa_metric_name(fa_chi2_metrics[k])) != 0)
                continue;
            t->statistic = sqlite3_column_double(s, 2);
            t->df = sqlite3_column_double(s, 3);
            t->p = sqlite3_column_double(s, 4);
            t->reason = col_reason(s, 5);
            res->sets[set].chi2_adjusted[k] = sqlite3_column_double(s, 6);
        }
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;
    return FA_OK;
}

static fa_err
load_groups(fa_ctx *ctx, fa_store *st, fa_results *res)
{
    size_t cap = 0;
    sqlite3_stmt *s = NULL;
    fa_err err;

    err = prepare(ctx, st,
                  "SELECT gid, set_id, n, weight, tp, fp, tn, fn, n_tp, n_fp,"
                  " n_tn, n_fn, ref_gid, above, wabove, auc_var FROM grp"
                  " WHERE run_id = ?"
                  " ORDER BY gid",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        fa_group *g;

        /* doubling: a run can hold 100,000 groups of a few KB each */
        if (res->ngroups == cap) {
            cap = cap ? 2 * cap : 64;
            res->groups = fa_xrealloc(res->groups, cap, sizeof(*g));
        }
        g = &res->groups[res->ngroups++];
        *g = (fa_group){0};
        g->gid = sqlite3_column_int64(s, 0);
        g->set = sqlite3_column_int(s, 1);
        g->n = sqlite3_column_int64(s, 2);
        g->weight = sqlite3_column_double(s, 3);
        g->w.tp = sqlite3_column_double(s, 4);
        g->w.fp = sqlite3_column_double(s, 5);
        g->w.tn = sqlite3_column_double(s, 6);
        g->w.fn = sqlite3_column_double(s, 7);
        for (int k = 0; k < 4; k++)
            g->rows[k] = sqlite3_column_int64(s, 8 + k);
        g->ref_gid = sqlite3_column_type(s, 12) == SQLITE_NULL
                         ? -1
                         : sqlite3_column_int64(s, 12);
        if (sqlite3_column_type(s, 13) != SQLITE_NULL) {
            g->has_above = 1;
            g->above = sqlite3_column_int64(s, 13);
            g->wabove = sqlite3_column_double(s, 14);
        }
        g->auc_var = sqlite3_column_type(s, 15) == SQLITE_NULL
                         ? fa_value_undefined("no DeLong variance")
                         : (fa_value){.value = sqlite3_column_double(s, 15)};
        if ((size_t)g->set >= res->nsets ||
            g->gid != (int64_t)res->ngroups - 1) {
            sqlite3_finalize(s);
            err = read_check(ctx, st);
            if (err)
                return err;
            return fa_ctx_fail(ctx, FA_ERR_STORE,
                               "store '%s': run %" PRId64 " is inconsistent",
                               st->path, res->run_id);
        }
        g->values = fa_xcalloc(res->sets[g->set].ndims + 1, sizeof(char *));
        for (int k = 0; k < FA_METRIC_COUNT; k++) {
            fa_compare *c = &g->cmp[k];

            g->m[k] = fa_value_undefined("not computed");
            g->ratio[k] = g->diff[k] = fa_value_undefined("not computed");
            g->ci[k] = (fa_interval){0, 0, "not computed"};
            c->ratio_ci = c->diff_ci = g->ci[k];
            c->test = (fa_test){0, 0, 0, "not computed"};
            c->mdr = g->m[k];
        }
    }
    sqlite3_finalize(s);

    err = prepare(ctx, st,
                  "SELECT gid, pos, value FROM grp_value WHERE run_id = ?", &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        size_t gid = (size_t)sqlite3_column_int64(s, 0);
        size_t pos = (size_t)sqlite3_column_int64(s, 1);

        if (gid < res->ngroups && pos < res->sets[res->groups[gid].set].ndims)
            res->groups[gid].values[pos] = col_text(s, 2);
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;

    err = prepare(ctx, st,
                  "SELECT gid, name, value, num, den, reason, ci_low,"
                  " ci_high, ci_reason FROM metric WHERE run_id = ?",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        size_t gid = (size_t)sqlite3_column_int64(s, 0);
        int k = fa_metric_from_name((const char *)sqlite3_column_text(s, 1));

        if (gid >= res->ngroups || k < 0)
            continue;
        col_value(s, 2, 1, &res->groups[gid].m[k]);
        res->groups[gid].m[k].reason = col_reason(s, 5);
        col_interval(s, 6, &res->groups[gid].ci[k]);
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;

    err = prepare(ctx, st,
                  "SELECT gid, metric, ratio, ratio_reason, difference,"
                  " difference_reason, ratio_low, ratio_high,"
                  " ratio_ci_reason, difference_low, difference_high,"
                  " difference_ci_reason, test, statistic, p_value,"
                  " p_adjusted, test_reason, evidence, mdr, mdr_reason,"
                  " cmh_statistic, cmh_p_value, cmh_reason,"
                  " common_odds_ratio, common_odds_ratio_reason, strata_used,"
                  " cmh_p_adjusted FROM disparity WHERE run_id = ?",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, res->run_id);
    while (next_row(st, s)) {
        size_t gid = (size_t)sqlite3_column_int64(s, 0);
        int k = fa_metric_from_name((const char *)sqlite3_column_text(s, 1));

        if (gid >= res->ngroups || k < 0)
            continue;
        col_value(s, 2, 0, &res->groups[gid].ratio[k]);
        res->groups[gid].ratio[k].reason = col_reason(s, 3);
        col_value(s, 4, 0, &res->groups[gid].diff[k]);
        res->groups[gid].diff[k].reason = col_reason(s, 5);
        {
            fa_compare *c = &res->groups[gid].cmp[k];
            const char *tn = (const char *)sqlite3_column_text(s, 12);

            col_interval(s, 6, &c->ratio_ci);
            col_interval(s, 9, &c->diff_ci);
            c->test_name = tn ? fa_intern(tn) : NULL;
            c->test.statistic = sqlite3_column_double(s, 13);
            c->test.p = sqlite3_column_double(s, 14);
            c->p_adjusted = sqlite3_column_double(s, 15);
            c->test.reason = col_reason(s, 16);
            if (!c->test.reason && !tn)
                c->test.reason = "not computed";
            free(c->evidence);
            c->evidence = col_text(s, 17);
            col_value(s, 18, 0, &c->mdr);
            c->mdr.reason = col_reason(s, 19);
            c->cmh.test.statistic = sqlite3_column_double(s, 20);
            c->cmh.test.df = 1;
            c->cmh.test.p = sqlite3_column_double(s, 21);
            c->cmh.test.reason = col_reason(s, 22);
            col_value(s, 23, 0, &c->cmh.odds_ratio);
            c->cmh.odds_ratio.reason = col_reason(s, 24);
            c->cmh.strata_used = (size_t)sqlite3_column_int64(s, 25);
            c->cmh.p_adjusted = sqlite3_column_double(s, 26);
        }
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err)
        return err;
    return FA_OK;
}

fa_err
fa_store_run_load(fa_ctx *ctx, fa_store *st, int64_t id, fa_results *res)
{
    sqlite3_stmt *s = NULL;
    int64_t dataset_id;
    fa_err err;
    int rc;

    *res = (fa_results){0};
    err = prepare(ctx, st,
                  "SELECT dataset_id, created, reference, tool_version,"
                  " confidence, ci_method, correction, min_group, min_class,"
                  " seed, bootstrap, strata, template, template_json,"
                  " template_sha256, fields, skipped_checks, verdict,"
                  " score_median, finished, suppress FROM run WHERE id = ?",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        if (rc == SQLITE_DONE)
            return fa_ctx_fail(ctx, FA_ERR_NOT_FOUND,
                               "store '%s' has no run %" PRId64, st->path, id);
        return sql_fail(ctx, st, "read run");
    }
    res->run_id = id;
    dataset_id = sqlite3_column_int64(s, 0);
    res->created = col_text(s, 1);
    res->reference = col_text(s, 2);
    res->tool_version = col_text(s, 3);
    res->confidence = sqlite3_column_double(s, 4);
    res->ci_method = col_text(s, 5);
    res->correction = col_text(s, 6);
    res->min_group = sqlite3_column_int64(s, 7);
    res->min_class = sqlite3_column_int64(s, 8);
    res->seed = (uint64_t)sqlite3_column_int64(s, 9);
    res->bootstrap = sqlite3_column_int64(s, 10);
    res->strata = col_text(s, 11);
    res->template_name = col_text(s, 12);
    res->template_json = col_text(s, 13);
    res->template_sha256 = col_text(s, 14);
    res->fields_json = col_text(s, 15);
    res->skipped_json = col_text(s, 16);
    {
        char *v = col_text(s, 17);

        res->verdict = fa_verdict_of(v);
        free(v);
    }
    if ((res->has_median = sqlite3_column_type(s, 18) != SQLITE_NULL))
        res->score_median = sqlite3_column_double(s, 18);
    res->finished = col_text(s, 19);
    res->suppress = sqlite3_column_int64(s, 20);
    sqlite3_finalize(s);
    err = fa_store_dataset_load(ctx, st, dataset_id, &res->ds);
    if (!err)
        err = load_sets(ctx, st, res);
    if (!err)
        err = load_groups(ctx, st, res);
    if (!err && res->strata)
        err = load_strata(ctx, st, res);
    if (!err)
        err = load_verdicts(ctx, st, res);
    if (err)
        fa_results_release(res);
    return err;
}

/* ------------------------------------------------------------------ */
/* The run log                                                         */

void
fa_log_hash(const char *prev, const char *entry, char *out)
{
    crypto_hash_sha256_state h;
    unsigned char d[crypto_hash_sha256_BYTES];

    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)prev, strlen(prev));
    crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)entry, strlen(entry));
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof(d));
}

fa_err
fa_store_log_append(fa_ctx *ctx, fa_store *st, int64_t run_id,
                    const char *entry, char *hash, int64_t *seq)
{
    sqlite3_stmt *s = NULL;
    char prev[65] = LOG_GENESIS;
    fa_err err = prepare(
        ctx, st, "SELECT hash FROM run_log ORDER BY seq DESC LIMIT 1", &s);

    if (err)
        return err;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(prev, sizeof(prev), "%s",
                 (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    fa_log_hash(prev, entry, hash);
    err = prepare(ctx, st,
                  "INSERT INTO run_log(run_id, entry, prev, hash)"
                  " VALUES (?,?,?,?)",
                  &s);
    if (err)
        return err;
    sqlite3_bind_int64(s, 1, run_id);
    bind_text(s, 2, entry);
    bind_text(s, 3, prev);
    bind_text(s, 4, hash);
    err = step_done(ctx, st, s);
    sqlite3_finalize(s);
    if (!err)
        *seq = sqlite3_last_insert_rowid(st->db);
    return err;
}

fa_err
fa_store_log_load(fa_ctx *ctx, fa_store *st, fa_log_entry **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    fa_err err = prepare(ctx, st,
                         "SELECT seq, run_id, entry, prev, hash FROM run_log"
                         " ORDER BY seq",
                         &s);

    *out = NULL;
    *n = 0;
    if (err)
        return err;
    while (next_row(st, s)) {
        fa_log_entry *e;

        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = fa_xrealloc(*out, cap, sizeof(**out));
        }
        e = &(*out)[(*n)++];
        e->seq = sqlite3_column_int64(s, 0);
        e->run_id = sqlite3_column_int64(s, 1);
        e->entry = col_text(s, 2);
        e->prev = col_text(s, 3);
        e->hash = col_text(s, 4);
        if (!e->entry || !e->prev || !e->hash) {
            fa_log_entries_free(*out, *n);
            sqlite3_finalize(s);
            *out = NULL;
            *n = 0;
            return fa_ctx_fail(ctx, FA_ERR_STORE,
                               "the run log of '%s' has an "
                               "empty field",
                               st->path);
        }
    }
    sqlite3_finalize(s);
    err = read_check(ctx, st);
    if (err) {
        fa_log_entries_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return err;
}

void
fa_log_entries_free(fa_log_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].entry);
        free(e[i].prev);
        free(e[i].hash);
    }
    free(e);
}
