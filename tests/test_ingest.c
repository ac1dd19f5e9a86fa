/* test_ingest.c — fa_ingest on good and bad inputs: what is loaded, what is
 * rejected (line, column, reason), and that a failed load leaves the store
 * exactly as it was.
 */

/*
 * Every test runs against a fresh store in its own mkdtemp folder. Inputs
 * are written from C strings, so every byte is under the test's control.
 * The store is inspected through its API (fa_store_dataset_load,
 * fa_store_reject_summary) and through a second, read-only SQLite
 * connection for what the API does not expose (reject rows, table list).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zlib.h>

#include "dataset.h"
#include "ingest.h"
#include "store.h"
#include "tests.h"
#include "util.h"

static fa_ctx *ctx;
static fa_store *st;
static char root[] = "/tmp/fa_ingest_XXXXXX"; /* one per test case */
static char dir[sizeof(root) + 16];           /* one per test */
static char *db;

/* What a test allocates is kept here and freed by teardown, which also
 * runs after a failed assertion when tests do not fork (valgrind). */
static void **kept;
static size_t nkept, capkept;
static fa_dataset **kept_ds;
static size_t nkept_ds;

static const char *const attr_g[] = {"g"};

/* ------------------------------------------------------------------ */
/* Fixture and helpers                                                 */

static void *
keep(void *p)
{
    if (nkept == capkept) {
        capkept = capkept ? 2 * capkept : 64;
        kept = fa_xrealloc(kept, capkept, sizeof(*kept));
    }
    kept[nkept++] = p;
    return p;
}

static char *
path_of(const char *name)
{
    return keep(fa_xasprintf("%s/%s", dir, name));
}

/* Removes path and, for a folder, all it holds. */
static void
remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        char *p;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        p = fa_xasprintf("%s/%s", path, e->d_name);
        remove_tree(p);
        free(p);
    }
    if (d) {
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Runs in the runner itself: a forked test that fails skips its checked
 * teardown, so the case's folder is removed here. */
static void
case_setup(void)
{
    memcpy(root, "/tmp/fa_ingest_XXXXXX", sizeof(root));
    if (!mkdtemp(root))
        root[0] = '\0';
}

static void
case_teardown(void)
{
    if (root[0])
        remove_tree(root);
}

static void
setup(void)
{
    ck_assert_msg(root[0] != '\0', "no temporary folder");
    snprintf(dir, sizeof(dir), "%s/t_XXXXXX", root);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ctx = fa_ctx_new();
    db = path_of("store.db");
    ck_assert_int_eq(fa_store_open(ctx, db, 1, &st), FA_OK);
}

static void
teardown(void)
{
    fa_store_close(st);
    st = NULL;
    remove_tree(dir);
    for (size_t i = 0; i < nkept_ds; i++) {
        fa_dataset_release(kept_ds[i]);
        free(kept_ds[i]);
    }
    free(kept_ds);
    kept_ds = NULL;
    nkept_ds = 0;
    for (size_t i = 0; i < nkept; i++)
        free(kept[i]);
    free(kept);
    kept = NULL;
    nkept = capkept = 0;
    db = NULL;
    fa_ctx_free(ctx);
    ctx = NULL;
}

/* Dataset id as the store has it (freed by teardown). */
static const fa_dataset *
dataset(int64_t id)
{
    fa_dataset *ds = fa_xcalloc(1, sizeof(*ds));
    fa_err err;

    kept_ds = fa_xrealloc(kept_ds, nkept_ds + 1, sizeof(*kept_ds));
    kept_ds[nkept_ds++] = ds;
    fa_ctx_clear(ctx);
    err = fa_store_dataset_load(ctx, st, id, ds);
    ck_assert_msg(err == FA_OK, "dataset %lld: %s", (long long)id,
                  fa_ctx_msg(ctx));
    return ds;
}

/* Writes data[0..len) to a new file name in the folder; returns its path
 * (freed by teardown). */
static char *
put(const char *name, const char *data, size_t len)
{
    char *p = path_of(name);
    FILE *f = fopen(p, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

static char *
put_str(const char *name, const char *text)
{
    return put(name, text, strlen(text));
}

/* The same bytes, gzip-compressed. */
static char *
put_gz(const char *name, const char *data, size_t len)
{
    char *p = path_of(name);
    gzFile g = gzopen(p, "wb");

    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, data, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(g), Z_OK);
    return p;
}

/* Options for the usual header g,y,p: attribute g, label y, decision p. */
static struct fa_ingest_opts
opts_for(const char *path)
{
    struct fa_ingest_opts o = {0};

    o.path = path;
    o.label = "y";
    o.pred = "p";
    o.attrs = attr_g;
    o.nattrs = 1;
    o.max_rejects = FA_INGEST_MAX_REJECTS;
    return o;
}

static fa_err
load(const struct fa_ingest_opts *o, struct fa_ingest_result *r)
{
    fa_ctx_clear(ctx);
    return fa_ingest(ctx, st, o, r);
}

/* Runs sql on a second, read-only connection (the store as another reader
 * sees it); returns the first column of every row joined by ';' (freed by
 * teardown). */
static char *
q_text(const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *s = NULL;
    char *out = fa_xstrdup(""), *err = NULL;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK)
        err = fa_xasprintf("%s: %s", sql, sqlite3_errmsg(h));
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        char *n = fa_xasprintf("%s%s%s", out, *out ? ";" : "", t ? t : "");

        free(out);
        out = n;
    }
    sqlite3_finalize(s);
    sqlite3_close(h);
    keep(out);
    if (err)
        ck_abort_msg("%s", (char *)keep(err));
    return out;
}

static int64_t
q_int(const char *sql)
{
    return strtoll(q_text(sql), NULL, 10);
}

static void
expect_text(const char *sql, const char *want)
{
    const char *got = q_text(sql);

    ck_assert_msg(strcmp(got, want) == 0, "%s\n  want '%s'\n  got  '%s'", sql,
                  want, got);
}

/* The rejects of dataset id as "line:column_index:column_name:reason". */
static void
expect_rejects(int64_t id, const char *want)
{
    expect_text(keep(fa_xasprintf(
                    "SELECT line || ':' || column_index || ':' || "
                    "ifnull(column_name, '') || ':' || reason FROM reject "
                    "WHERE dataset_id = %lld ORDER BY line",
                    (long long)id)),
                want);
}

/* The lines of the loaded rows of dataset id, in order, joined by ';'. */
static void
expect_row_lines(int64_t id, const char *want)
{
    expect_text(keep(fa_xasprintf("SELECT line FROM rows_%lld ORDER BY line",
                                  (long long)id)),
                want);
}

/* What a failed load must not change. */
struct snap {
    int64_t datasets, tables, rejects, dims, values, max_id;
};

static void
snap_take(struct snap *s)
{
    s->datasets = q_int("SELECT count(*) FROM dataset");
    s->tables = q_int("SELECT count(*) FROM sqlite_master");
    s->rejects = q_int("SELECT count(*) FROM reject");
    s->dims = q_int("SELECT count(*) FROM dim");
    s->values = q_int("SELECT count(*) FROM dim_value");
    s->max_id = q_int("SELECT ifnull(max(id), 0) FROM dataset");
}

static void
expect_untouched(const struct snap *before)
{
    struct snap now;
    int ok = 0;

    ck_assert_int_eq(fa_store_integrity(ctx, st, &ok), FA_OK);
    ck_assert_int_eq(ok, 1);
    ck_assert_str_eq(q_text("PRAGMA integrity_check"), "ok");
    snap_take(&now);
    ck_assert_int_eq(now.datasets, before->datasets);
    ck_assert_int_eq(now.tables, before->tables);
    ck_assert_int_eq(now.rejects, before->rejects);
    ck_assert_int_eq(now.dims, before->dims);
    ck_assert_int_eq(now.values, before->values);
    ck_assert_int_eq(now.max_id, before->max_id);
}

/* A good dataset (with one reject) already in the store, so that a failed
 * load has something it must not disturb. */
static void
preload(void)
{
    struct fa_ingest_opts o =
        opts_for(put_str("before.csv", "g,y,p\na,1,1\nb,0,1\nc,2,0\n"));
    struct fa_ingest_result r;

    ck_assert_int_eq(load(&o, &r), FA_OK);
    ck_assert_int_eq(r.rows_loaded, 2);
    ck_assert_int_eq(r.rows_rejected, 1);
}

/* Loads data with o (path filled in) over a preloaded store; expects err,
 * a message naming the file (and needle when not NULL), and the store as
 * it was. */
static void
expect_fatal_opts(struct fa_ingest_opts *o, const char *name, const char *data,
                  size_t len, fa_err want, const char *needle)
{
    struct snap before;
    struct fa_ingest_result r;
    fa_err err;

    preload();
    snap_take(&before);
    o->path = put(name, data, len);
    err = load(o, &r);
    ck_assert_msg(err == want, "%s: want %s, got %s (%s)", name,
                  fa_strerror(want), fa_strerror(err), fa_ctx_msg(ctx));
    ck_assert_msg(strstr(fa_ctx_msg(ctx), o->path) != NULL,
                  "message does not name the file: %s", fa_ctx_msg(ctx));
    if (needle)
        ck_assert_msg(strstr(fa_ctx_msg(ctx), needle) != NULL,
                      "message lacks '%s': %s", needle, fa_ctx_msg(ctx));
    expect_untouched(&before);
}

static void
expect_fatal(const char *name, const char *text, fa_err want,
             const char *needle)
{
    struct fa_ingest_opts o = opts_for(NULL);

    expect_fatal_opts(&o, name, text, strlen(text), want, needle);
}

/* Loads data with o; expects success with the given counts. */
static struct fa_ingest_result
expect_load_opts(struct fa_ingest_opts *o, const char *name, const char *data,
                 size_t len, int64_t loaded, int64_t rejected)
{
    struct fa_ingest_result r;
    fa_err err;

    o->path = put(name, data, len);
    err = load(o, &r);
    ck_assert_msg(err == FA_OK, "%s: %s", name, fa_ctx_msg(ctx));
    ck_assert_int_eq(r.reused, 0);
    ck_assert_int_gt(r.dataset_id, 0);
    ck_assert_int_eq(r.rows_loaded, loaded);
    ck_assert_int_eq(r.rows_rejected, rejected);
    /* every record after the header is either loaded or rejected */
    ck_assert_int_eq(r.rows_read, loaded + rejected);
    return r;
}

static struct fa_ingest_result
expect_load(const char *name, const char *text, int64_t loaded,
            int64_t rejected)
{
    struct fa_ingest_opts o = opts_for(NULL);

    return expect_load_opts(&o, name, text, strlen(text), loaded, rejected);
}

/* The dictionary of dim j of dataset id, as "value=rows" joined by ';' in
 * code order; the missing group (NULL value) is "(missing)=rows". */
static const char *
dict_text(int64_t id, size_t j)
{
    const fa_dataset *ds = dataset(id);
    char *out = fa_xstrdup("");

    keep(out);
    ck_assert_uint_gt(ds->ndims, j);
    for (size_t k = 0; k < ds->dims[j].nvalues; k++) {
        const char *v = ds->dims[j].values[k];

        if (v == NULL)
            ck_assert_int_eq(ds->dims[j].missing_code, (int64_t)k);
        out = keep(fa_xasprintf("%s%s%s=%lld", out, *out ? ";" : "",
                                v ? v : "(missing)",
                                (long long)ds->dims[j].counts[k]));
    }
    return out;
}

static void
expect_dict(int64_t id, size_t j, const char *want)
{
    const char *got = dict_text(id, j);

    ck_assert_msg(strcmp(got, want) == 0, "dim %zu: want '%s', got '%s'", j,
                  want, got);
}

/* fa_store_reject_summary of dataset id: exactly one reason, containing
 * reason, with rows rejects, the first at first_line. */
static void
expect_summary(int64_t id, const char *reason, int64_t rows, int64_t first_line)
{
    fa_reject_count *rc = NULL;
    size_t n = 0;

    ck_assert_int_eq(fa_store_reject_summary(ctx, st, id, &rc, &n), FA_OK);
    keep(rc);
    for (size_t i = 0; i < n; i++)
        keep(rc[i].reason);
    ck_assert_uint_eq(n, 1);
    ck_assert_msg(strstr(rc[0].reason, reason) != NULL,
                  "reason '%s' lacks '%s'", rc[0].reason, reason);
    ck_assert_int_eq(rc[0].rows, rows);
    ck_assert_int_eq(rc[0].first_line, first_line);
}

/* ------------------------------------------------------------------ */
/* Fatal inputs: the load fails and the store is as it was             */

START_TEST(missing_file)
{
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result r;
    struct snap before;
    fa_err err;

    preload();
    snap_take(&before);
    o.path = path_of("no-such-file.csv");
    err = load(&o, &r);
    ck_assert_int_eq(err, FA_ERR_IO_READ);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), o.path));
    expect_untouched(&before);
}
END_TEST

START_TEST(empty_file)
{
    expect_fatal("empty.csv", "", FA_ERR_CSV_HEADER, NULL);
}
END_TEST

START_TEST(header_only)
{
    expect_fatal("header.csv", "g,y,p\n", FA_ERR_CSV_EMPTY, NULL);
}
END_TEST

START_TEST(duplicate_column_names)
{
    expect_fatal("dup.csv", "g,y,p,y\na,1,1,0\n", FA_ERR_CSV_DUPLICATE, ":1:");
}
END_TEST

START_TEST(mapped_column_absent)
{
    struct fa_ingest_opts o = opts_for(NULL);
    const char *text = "g,y,p\na,1,1\n";

    o.score = "s";
    expect_fatal_opts(&o, "nocol.csv", text, strlen(text), FA_ERR_CSV_COLUMN,
                      "'s'");
}
END_TEST

START_TEST(mapped_attribute_absent)
{
    static const char *const attrs[] = {"g", "race"};
    struct fa_ingest_opts o = opts_for(NULL);
    const char *text = "g,y,p\na,1,1\n";

    o.attrs = attrs;
    o.nattrs = 2;
    expect_fatal_opts(&o, "noattr.csv", text, strlen(text), FA_ERR_CSV_COLUMN,
                      "'race'");
}
END_TEST

START_TEST(every_row_rejected)
{
    expect_fatal("allbad.csv", "g,y,p\na,2,1\nb,3,0\n", FA_ERR_CSV_EMPTY, NULL);
}
END_TEST

START_TEST(too_many_distinct_values)
{
    size_t cap = 100000 * 16 + 16, len = 0;
    char *text = keep(fa_xmalloc(cap));
    struct fa_ingest_opts o = opts_for(NULL);

    len += (size_t)snprintf(text, cap, "g,y,p\n");
    for (int i = 0; i < 100000; i++)
        len +=
            (size_t)snprintf(text + len, cap - len, "v%06d,%d,1\n", i, i % 2);
    /* the 10,001st distinct value is on line 10,002 */
    expect_fatal_opts(&o, "ids.csv", text, len, FA_ERR_CARDINALITY, ":10002:");
}
END_TEST

START_TEST(distinct_values_at_limit)
{
    size_t cap = FA_INGEST_MAX_VALUES * 16 + 32, len = 0;
    char *text = keep(fa_xmalloc(cap));
    struct fa_ingest_opts o = opts_for(NULL);

    len += (size_t)snprintf(text, cap, "g,y,p\n");
    for (int i = 0; i < FA_INGEST_MAX_VALUES; i++)
        len += (size_t)snprintf(text + len, cap - len, "v%06d,1,0\n", i);
    /* the missing group is not a value */
    len += (size_t)snprintf(text + len, cap - len, ",1,0\n");
    expect_load_opts(&o, "limit.csv", text, len, FA_INGEST_MAX_VALUES + 1, 0);
}
END_TEST

START_TEST(more_rejects_than_allowed)
{
    struct fa_ingest_opts o = opts_for(NULL);
    const char *text = "g,y,p\na,1,1\nb,2,1\nc,x,0\nd,0,0\ne,,1\nf,1,0\n";

    /* the third reject, on line 6, is one too many */
    o.max_rejects = 2;
    expect_fatal_opts(&o, "rej.csv", text, strlen(text), FA_ERR_CSV_REJECTS,
                      "line 6");
}
END_TEST

START_TEST(rejects_at_the_limit)
{
    struct fa_ingest_opts o = opts_for(NULL);
    const char *text = "g,y,p\na,1,1\nb,2,1\nc,x,0\nd,0,0\n";
    struct fa_ingest_result r;

    o.max_rejects = 2;
    r = expect_load_opts(&o, "rej2.csv", text, strlen(text), 2, 2);
    expect_summary(r.dataset_id, "label not binary", 2, 3);
}
END_TEST

START_TEST(zero_rejects_allowed)
{
    struct fa_ingest_opts o = opts_for(NULL);
    const char *text = "g,y,p\na,1,1\nb,2,1\n";

    o.max_rejects = 0;
    expect_fatal_opts(&o, "rej0.csv", text, strlen(text), FA_ERR_CSV_REJECTS,
                      NULL);
}
END_TEST

START_TEST(store_full_mid_load)
{
    size_t rows = 50000, cap = rows * 16 + 16, len = 0;
    char *text = keep(fa_xmalloc(cap));
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result r;
    struct snap before;
    int64_t pages;
    fa_err err;

    preload();
    snap_take(&before);
    len += (size_t)snprintf(text, cap, "g,y,p\n");
    for (size_t i = 0; i < rows; i++)
        len += (size_t)snprintf(text + len, cap - len, "g%zu,%zu,%d\n", i % 7,
                                i % 2, i % 3 == 0);
    o.path = put("big.csv", text, len);
    pages = q_int("PRAGMA page_count");
    ck_assert_int_gt(pages, 0);
    /* room for the dataset row and its tables, not for 50,000 rows */
    ck_assert_int_eq(fa_store_limit_pages(ctx, st, pages + 8), FA_OK);
    err = load(&o, &r);
    ck_assert_msg(err == FA_ERR_STORE_WRITE, "want %s, got %s (%s)",
                  fa_strerror(FA_ERR_STORE_WRITE), fa_strerror(err),
                  fa_ctx_msg(ctx));
    expect_untouched(&before);

    /* with room again, the same store takes the same file */
    fa_ctx_clear(ctx);
    ck_assert_int_eq(fa_store_limit_pages(ctx, st, 1 << 30), FA_OK);
    err = load(&o, &r);
    ck_assert_msg(err == FA_OK, "%s", fa_ctx_msg(ctx));
    ck_assert_int_eq(r.rows_loaded, (int64_t)rows);
    ck_assert_int_eq(q_int("SELECT count(*) FROM dataset"),
                     before.datasets + 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Rejected rows: kept with line, column and reason; the load goes on  */

START_TEST(ragged_rows)
{
    struct fa_ingest_result r =
        expect_load("ragged.csv", "g,y,p\na,1,1\nb,1\nc,1,1,x\nd,0,0\n", 2, 2);

    expect_rejects(r.dataset_id, "3:0::too few fields;"
                                 "4:0::too many fields");
    expect_row_lines(r.dataset_id, "2;5");
    /* the raw record is kept */
    expect_text(keep(fa_xasprintf("SELECT CAST(raw AS TEXT) FROM reject "
                                  "WHERE dataset_id = %lld ORDER BY line",
                                  (long long)r.dataset_id)),
                "b,1;c,1,1,x");
}
END_TEST

START_TEST(unterminated_quote_at_end)
{
    struct fa_ingest_result r =
        expect_load("unterm.csv", "g,y,p\na,1,1\nb,0,0\n\"c,1,1\n", 2, 1);

    expect_rejects(r.dataset_id, "4:1:g:unterminated quoted field");
    expect_row_lines(r.dataset_id, "2;3");
}
END_TEST

START_TEST(unterminated_quote_spanning_lines)
{
    /* the open quote on line 4 swallows lines 5 and 6 */
    struct fa_ingest_result r = expect_load(
        "unterm2.csv", "g,y,p\na,1,1\nb,0,0\nc,1,\"1\nd,0,0\ne,1,1\n", 2, 1);

    expect_rejects(r.dataset_id, "4:3:p:unterminated quoted field");
    expect_summary(r.dataset_id, "unterminated quoted field", 1, 4);
}
END_TEST

START_TEST(unterminated_quote_in_first_field)
{
    /* the quote opened on line 3 runs to the end of the file (line 5) */
    struct fa_ingest_result r = expect_load(
        "unterm3.csv", "g,y,p\na,1,1\n\"c,1,1\nd,0,0\ne,1,1\n", 1, 1);

    expect_rejects(r.dataset_id, "3:1:g:unterminated quoted field");
}
END_TEST

START_TEST(quoted_newlines)
{
    /* line 3 starts a record whose note spans lines 3-4; the bad label on
     * line 5 must be reported at line 5 */
    const char *text = "g,y,p,note\n"
                       "a,1,1,n\n"
                       "b,0,0,\"two\nlines\"\n"
                       "c,2,1,n\n"
                       "d,1,0,\"x\ny\nz\"\n"
                       "e,0,1,n\n";
    struct fa_ingest_result r = expect_load("nl.csv", text, 4, 1);

    expect_rejects(r.dataset_id, "5:2:y:label not binary");
    expect_summary(r.dataset_id, "label not binary", 1, 5);
    expect_row_lines(r.dataset_id, "2;3;6;9");
}
END_TEST

START_TEST(quoted_newline_in_first_field)
{
    /* records that open with a multi-line quoted field start on the line
     * of their opening quote: 2 and 5 */
    const char *text = "note,g,y,p\n"
                       "\"two\nlines\",a,2,1\n"
                       "n,b,1,1\n"
                       "\"x\ny\nz\",c,x,0\n"
                       "n,d,0,0\n";
    struct fa_ingest_result r = expect_load("nl1.csv", text, 2, 2);

    expect_rejects(r.dataset_id, "2:3:y:label not binary;"
                                 "5:3:y:label not binary");
    expect_row_lines(r.dataset_id, "4;8");
}
END_TEST

START_TEST(quoted_newline_in_attribute)
{
    const char *text = "g,y,p\n\"north\nwest\",1,1\nsouth,0,0\n";
    struct fa_ingest_result r = expect_load("nlg.csv", text, 2, 0);

    expect_dict(r.dataset_id, 0, "north\nwest=1;south=1");
}
END_TEST

START_TEST(label_not_binary)
{
    struct fa_ingest_result r =
        expect_load("lab.csv", "g,y,p\na,1,1\nb,2,0\nc,0,1\n", 2, 1);

    expect_rejects(r.dataset_id, "3:2:y:label not binary");
    expect_summary(r.dataset_id, "label not binary", 1, 3);
    expect_text(keep(fa_xasprintf("SELECT CAST(value AS TEXT) FROM reject "
                                  "WHERE dataset_id = %lld",
                                  (long long)r.dataset_id)),
                "2");
}
END_TEST

/* Label spellings: rows after the header g,y,p; --positive/--negative. */
static const struct {
    const char *rows;
    const char *positive, *negative;
    int64_t loaded, rejected;
    int64_t positives;   /* loaded rows with y_true = 1 */
    const char *rejects; /* as expect_rejects shows them; NULL: the
                            load fails, no row is usable */
} labels[] = {
    {"a,yes,1\nb,no,0\nc,yes,0\n", NULL, NULL, 3, 0, 2, ""},
    {"a,true,1\nb,false,0\nc,1,0\nd,0,1\n", NULL, NULL, 4, 0, 2, ""},
    {"a,yes,1\nb,no,0\nc,no,0\n", "yes", NULL, 3, 0, 1, ""},
    {"a,approved,1\nb,denied,0\nc,approved,0\n", "approved", NULL, 3, 0, 2, ""},
    {"a,approved,1\nb,denied,0\nc,pending,0\nd,denied,1\n", "approved",
     "denied", 3, 1, 1, "4:2:y:label not binary"},
    {"a,approved,1\nb,denied,0\n", NULL, NULL, 0, 0, 0, NULL},
};

START_TEST(label_spellings)
{
    struct fa_ingest_opts o = opts_for(NULL);
    char *text = keep(fa_xasprintf("g,y,p\n%s", labels[_i].rows));
    struct fa_ingest_result r;

    o.positive = labels[_i].positive;
    o.negative = labels[_i].negative;
    if (!labels[_i].rejects) {
        /* approved/denied without --positive: nothing is binary */
        expect_fatal_opts(&o, "labels.csv", text, strlen(text),
                          FA_ERR_CSV_EMPTY, NULL);
        return;
    }
    r = expect_load_opts(&o, "labels.csv", text, strlen(text),
                         labels[_i].loaded, labels[_i].rejected);
    expect_rejects(r.dataset_id, labels[_i].rejects);
    ck_assert_int_eq(
        q_int(keep(fa_xasprintf("SELECT sum(y_true) FROM rows_%lld",
                                (long long)r.dataset_id))),
        labels[_i].positives);
}
END_TEST

START_TEST(scores)
{
    struct fa_ingest_opts o = opts_for(NULL);
    const char *text = "g,y,p,s\n"
                       "a,1,1,0.5\n"
                       "b,0,0,NaN\n"
                       "c,1,0,1e400\n"
                       "d,0,1,1.5\n"
                       "e,1,1,-0.1\n";
    struct fa_ingest_result r;
    const fa_dataset *ds;

    o.score = "s";
    r = expect_load_opts(&o, "scores.csv", text, strlen(text), 3, 2);
    expect_summary(r.dataset_id, "not a finite number", 2, 3);
    expect_row_lines(r.dataset_id, "2;5;6");
    expect_text(keep(fa_xasprintf("SELECT line || ':' || column_index || "
                                  "':' || CAST(value AS TEXT) FROM reject "
                                  "WHERE dataset_id = %lld ORDER BY line",
                                  (long long)r.dataset_id)),
                "3:4:NaN;4:4:1e400");
    /* any finite score is kept: the range shows the Brier score cannot
     * apply */
    ds = dataset(r.dataset_id);
    ck_assert_int_eq(ds->scored, 1);
    ck_assert_double_eq(ds->score_min, -0.1);
    ck_assert_double_eq(ds->score_max, 1.5);
}
END_TEST

START_TEST(weights)
{
    struct fa_ingest_opts o = opts_for(NULL);
    const char *text = "g,y,p,w\na,1,1,-1\nb,0,0,2.5\nc,1,0,0\n";
    struct fa_ingest_result r;

    o.weight = "w";
    r = expect_load_opts(&o, "w.csv", text, strlen(text), 2, 1);
    expect_summary(r.dataset_id, "negative", 1, 2);
    expect_text(keep(fa_xasprintf("SELECT sum(weight) FROM rows_%lld",
                                  (long long)r.dataset_id)),
                "2.5");
}
END_TEST

START_TEST(megabyte_attribute_value)
{
    size_t big = 1 << 20, len = 0;
    char *value = keep(fa_xmalloc(big + 1));
    char *text = keep(fa_xmalloc(2 * big + 64));
    /* commas, quotes, a newline and a two-byte character: all need the
     * field quoted */
    const char *pattern = "abc,\"d\n\xc3\xa9 ";
    size_t plen = strlen(pattern);
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result r;
    const fa_dataset *ds;
    int found = 0;

    for (size_t i = 0; i < big; i++)
        value[i] = pattern[i % plen];
    value[big - 2] = 'z'; /* ends on whole characters */
    value[big - 1] = 'z';
    value[big] = '\0';
    len += (size_t)sprintf(text, "g,y,p\nsmall,0,0\n\"");
    for (size_t i = 0; i < big; i++) {
        if (value[i] == '"')
            text[len++] = '"';
        text[len++] = value[i];
    }
    len += (size_t)sprintf(text + len, "\",1,1\nsmall,1,0\n");
    r = expect_load_opts(&o, "big.csv", text, len, 3, 0);
    ds = dataset(r.dataset_id);
    ck_assert_uint_eq(ds->dims[0].nvalues, 2);
    for (size_t k = 0; k < ds->dims[0].nvalues; k++) {
        const char *v = ds->dims[0].values[k];

        ck_assert_ptr_nonnull(v);
        if (strlen(v) == big) {
            found = 1;
            ck_assert(memcmp(v, value, big) == 0);
            ck_assert_int_eq(ds->dims[0].counts[k], 1);
        } else {
            ck_assert_str_eq(v, "small");
            ck_assert_int_eq(ds->dims[0].counts[k], 2);
        }
    }
    ck_assert_int_eq(found, 1);
}
END_TEST

START_TEST(invalid_utf8)
{
    /* \xff in an attribute, a truncated é in the label, \xc0\xaf (an
     * overlong '/') in the decision; \xff in an unmapped column is fine */
    const char *text = "g,y,p,note\n"
                       "a,1,1,n\n"
                       "b\xff,0,0,n\n"
                       "c,1\xc3,1,n\n"
                       "d,0,\xc0\xaf,n\n"
                       "caf\xc3\xa9,0,1,\xff\n";
    struct fa_ingest_result r = expect_load("utf8.csv", text, 2, 3);

    expect_rejects(r.dataset_id, "3:1:g:invalid UTF-8;"
                                 "4:2:y:invalid UTF-8;"
                                 "5:3:p:invalid UTF-8");
    expect_dict(r.dataset_id, 0, "a=1;caf\xc3\xa9=1");
}
END_TEST

START_TEST(nul_byte)
{
    /* NUL in an attribute and in the decision; in an unmapped column it
     * does no harm */
    static const char text[] = "g,y,p,note\n"
                               "a,1,1,n\n"
                               "b\0c,0,0,n\n"
                               "c,1,1\0,n\n"
                               "d,0,0,n\0n\n";
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result r =
        expect_load_opts(&o, "nul.csv", text, sizeof(text) - 1, 2, 2);

    expect_summary(r.dataset_id, "NUL", 2, 3);
    expect_row_lines(r.dataset_id, "2;5");
    expect_text(keep(fa_xasprintf("SELECT line || ':' || column_index || "
                                  "':' || hex(value) FROM reject WHERE "
                                  "dataset_id = %lld ORDER BY line",
                                  (long long)r.dataset_id)),
                "3:1:620063;4:3:3100");
}
END_TEST

START_TEST(crlf_line_endings)
{
    const char *text = "g,y,p\r\na,1,1\r\nb,2,0\r\nc,0,0\r\n\"d\r\ne\",1,0"
                       "\r\n";
    struct fa_ingest_result r = expect_load("crlf.csv", text, 3, 1);

    expect_rejects(r.dataset_id, "3:2:y:label not binary");
    expect_row_lines(r.dataset_id, "2;4;5");
    /* no \r in values; a quoted CRLF is part of its value */
    expect_dict(r.dataset_id, 0, "a=1;c=1;d\r\ne=1");
}
END_TEST

START_TEST(utf8_bom)
{
    struct fa_ingest_result r =
        expect_load("bom.csv", "\xef\xbb\xbfg,y,p\na,1,1\nb,0,0\n", 2, 0);
    const fa_dataset *ds = dataset(r.dataset_id);

    ck_assert_str_eq(ds->dims[0].name, "g");
    ck_assert_int_eq(ds->dims[0].column, 0);
    expect_dict(r.dataset_id, 0, "a=1;b=1");
}
END_TEST

START_TEST(exact_attribute_values)
{
    /* " a", "a", "A" and "a " are four groups; empty is the missing one */
    struct fa_ingest_result r = expect_load(
        "exact.csv",
        "g,y,p\n a,1,1\na,0,0\nA,1,0\na ,0,1\n,1,1\n\"\",0,0\na,1,1\n", 7, 0);
    const fa_dataset *ds;

    expect_dict(r.dataset_id, 0, " a=1;a=2;A=1;a =1;(missing)=2");
    ds = dataset(r.dataset_id);
    ck_assert_int_ge(ds->dims[0].missing_code, 0);
    ck_assert_ptr_null(ds->dims[0].values[ds->dims[0].missing_code]);
}
END_TEST

START_TEST(tsv_by_name)
{
    struct fa_ingest_result r = expect_load(
        "data.tsv", "g\ty\tp\nnorth, east\t1\t1\nsouth\t0\t0\n", 2, 0);

    expect_dict(r.dataset_id, 0, "north, east=1;south=1");
    ck_assert_int_eq(dataset(r.dataset_id)->delimiter, '\t');
}
END_TEST

START_TEST(tsv_by_header)
{
    struct fa_ingest_result r =
        expect_load("data.txt", "g\ty\tp\na,b\t1\t1\nc\t2\t0\nd\t0\t0\n", 2, 1);

    expect_dict(r.dataset_id, 0, "a,b=1;d=1");
    expect_rejects(r.dataset_id, "3:2:y:label not binary");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Compressed input, standard input, reuse                             */

static const char sample[] = "g,y,p\n"
                             "a,1,1\n"
                             "b,0,0\n"
                             "a,2,1\n"
                             "c,1,0\n"
                             "b,1,1\n";

START_TEST(gzip_file)
{
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result plain, gz;

    o.path = put("s.csv", sample, sizeof(sample) - 1);
    ck_assert_int_eq(load(&o, &plain), FA_OK);
    o.path = put_gz("s.csv.gz", sample, sizeof(sample) - 1);
    ck_assert_msg(load(&o, &gz) == FA_OK, "%s", fa_ctx_msg(ctx));
    ck_assert_int_ne(gz.dataset_id, plain.dataset_id);
    ck_assert_int_eq(gz.reused, 0);
    ck_assert_int_eq(gz.rows_read, plain.rows_read);
    ck_assert_int_eq(gz.rows_loaded, plain.rows_loaded);
    ck_assert_int_eq(gz.rows_rejected, plain.rows_rejected);
    ck_assert_int_eq(gz.rows_loaded, 4);
    ck_assert_str_eq(dict_text(gz.dataset_id, 0),
                     dict_text(plain.dataset_id, 0));
    expect_dict(gz.dataset_id, 0, "a=1;b=2;c=1");
    expect_rejects(gz.dataset_id, "4:2:y:label not binary");
}
END_TEST

START_TEST(gzip_stdin)
{
    struct fa_ingest_opts o = opts_for("-");
    struct fa_ingest_result r;
    int fd = open(put_gz("s.csv.gz", sample, sizeof(sample) - 1), O_RDONLY);
    int saved = dup(STDIN_FILENO);
    fa_err err;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
    err = load(&o, &r);
    dup2(saved, STDIN_FILENO);
    close(saved);
    ck_assert_msg(err == FA_OK, "%s", fa_ctx_msg(ctx));
    ck_assert_int_eq(r.rows_loaded, 4);
    ck_assert_int_eq(r.rows_rejected, 1);
    expect_dict(r.dataset_id, 0, "a=1;b=2;c=1");
    ck_assert_str_eq(dataset(r.dataset_id)->source, "-");
}
END_TEST

/* data gzip-compressed as a new file, cut short: to half its size when
 * half is 1, else without its last 8 bytes (the gzip trailer). */
static char *
put_gz_cut(const char *name, const char *data, size_t len, int half)
{
    char *z = put_gz("whole.gz", data, len);
    FILE *f = fopen(z, "rb");
    char *bytes;
    long size;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    ck_assert_int_gt(size, 16);
    bytes = keep(fa_xmalloc((size_t)size));
    ck_assert_uint_eq(fread(bytes, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    return put(name, bytes, half ? (size_t)size / 2 : (size_t)size - 8);
}

START_TEST(gzip_truncated)
{
    struct fa_ingest_opts o = opts_for(NULL);
    size_t cap = 20000 * 16, len = 0;
    char *text = keep(fa_xmalloc(cap));
    struct fa_ingest_result r;
    struct snap before;
    fa_err err;

    len += (size_t)snprintf(text, cap, "g,y,p\n");
    for (int i = 0; i < 20000; i++)
        len += (size_t)snprintf(text + len, cap - len, "g%d,%d,%d\n",
                                (i * 7919) % 97, i % 2, (i / 3) % 2);
    preload();
    snap_take(&before);
    /* half of the compressed bytes */
    o.path = put_gz_cut("half.csv.gz", text, len, 1);
    err = load(&o, &r);
    ck_assert_msg(err == FA_ERR_GZIP, "got %s (%s)", fa_strerror(err),
                  fa_ctx_msg(ctx));
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), o.path));
    expect_untouched(&before);
}
END_TEST

START_TEST(gzip_missing_trailer)
{
    /* the whole deflate stream, but not the CRC and length after it */
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result r;
    struct snap before;
    fa_err err;

    preload();
    snap_take(&before);
    o.path = put_gz_cut("cut.csv.gz", sample, sizeof(sample) - 1, 0);
    err = load(&o, &r);
    ck_assert_msg(err == FA_ERR_GZIP, "got %s (%s)", fa_strerror(err),
                  fa_ctx_msg(ctx));
    expect_untouched(&before);
}
END_TEST

/* How many bytes of text the first len bytes of a gzip file inflate to. */
static size_t
inflated_size(const char *gz, size_t len)
{
    z_stream z = {0};
    unsigned char out[16384];
    size_t total = 0;
    int rc;

    ck_assert_int_eq(inflateInit2(&z, 15 + 32), Z_OK);
    z.next_in = (unsigned char *)gz;
    z.avail_in = (uInt)len;
    do {
        z.next_out = out;
        z.avail_out = sizeof(out);
        rc = inflate(&z, Z_NO_FLUSH);
        total += sizeof(out) - z.avail_out;
    } while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
    inflateEnd(&z);
    return total;
}

START_TEST(gzip_truncated_past_a_mebibyte)
{
    /* Highly compressible text, cut at the first byte that takes the
     * inflated text past 1 MiB: the reader must still notice the end. */
    size_t rows = 500000, len = 0, size, lo, hi;
    char *text = keep(fa_xmalloc(rows * 6 + 16)), *gz;
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result r;
    struct snap before;
    FILE *f;
    fa_err err;

    len += (size_t)sprintf(text, "g,y,p\n");
    for (size_t i = 0; i < rows; i++, len += 6)
        memcpy(text + len, "a,1,1\n", 6);
    f = fopen(put_gz("m.csv.gz", text, len), "rb");
    ck_assert_ptr_nonnull(f);
    gz = keep(fa_xmalloc(len));
    size = fread(gz, 1, len, f);
    fclose(f);
    ck_assert_uint_gt(size, 100);
    lo = 10;
    hi = size;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (inflated_size(gz, mid) > (size_t)1 << 20)
            hi = mid;
        else
            lo = mid + 1;
    }
    ck_assert_uint_lt(lo, size);
    preload();
    snap_take(&before);
    for (size_t cut = lo - 1; cut <= lo + 1; cut++) {
        o.path = put("cut.csv.gz", gz, cut);
        err = load(&o, &r);
        ck_assert_msg(err == FA_ERR_GZIP,
                      "%zu of %zu gzip bytes: want %s, got %s (%lld rows "
                      "loaded)",
                      cut, size, fa_strerror(FA_ERR_GZIP), fa_strerror(err),
                      (long long)r.rows_loaded);
        expect_untouched(&before);
    }
}
END_TEST

START_TEST(reuse_identical_bytes)
{
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result first, again, copy;
    struct snap before;

    o.path = put("s.csv", sample, sizeof(sample) - 1);
    ck_assert_int_eq(load(&o, &first), FA_OK);
    ck_assert_int_eq(first.reused, 0);
    snap_take(&before);
    ck_assert_int_eq(load(&o, &again), FA_OK);
    ck_assert_int_eq(again.reused, 1);
    ck_assert_int_eq(again.dataset_id, first.dataset_id);
    expect_untouched(&before);
    /* the same bytes under another name are the same dataset */
    o.path = put("copy.csv", sample, sizeof(sample) - 1);
    ck_assert_int_eq(load(&o, &copy), FA_OK);
    ck_assert_int_eq(copy.reused, 1);
    ck_assert_int_eq(copy.dataset_id, first.dataset_id);
    expect_untouched(&before);
}
END_TEST

START_TEST(reuse_needs_same_mapping)
{
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result first, other;

    o.path = put("s.csv", sample, sizeof(sample) - 1);
    ck_assert_int_eq(load(&o, &first), FA_OK);
    o.pred_positive = "1";
    ck_assert_int_eq(load(&o, &other), FA_OK);
    ck_assert_int_eq(other.reused, 0);
    ck_assert_int_ne(other.dataset_id, first.dataset_id);
    ck_assert_int_eq(q_int("SELECT count(*) FROM dataset"), 2);
}
END_TEST

START_TEST(reuse_not_for_changed_bytes)
{
    struct fa_ingest_opts o = opts_for(NULL);
    struct fa_ingest_result first, other;

    o.path = put("s.csv", sample, sizeof(sample) - 1);
    ck_assert_int_eq(load(&o, &first), FA_OK);
    o.path = put_str("s.csv", "g,y,p\na,1,1\nb,0,0\nc,1,0\n");
    ck_assert_int_eq(load(&o, &other), FA_OK);
    ck_assert_int_eq(other.reused, 0);
    ck_assert_int_ne(other.dataset_id, first.dataset_id);
    ck_assert_int_eq(other.rows_loaded, 3);
}
END_TEST

static TCase *
new_case(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, case_setup, case_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return tc;
}

Suite *
ingest_suite(void)
{
    Suite *s = suite_create("ingest");
    TCase *tc = new_case(s, "fatal");

    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, empty_file);
    tcase_add_test(tc, header_only);
    tcase_add_test(tc, duplicate_column_names);
    tcase_add_test(tc, mapped_column_absent);
    tcase_add_test(tc, mapped_attribute_absent);
    tcase_add_test(tc, every_row_rejected);
    tcase_add_test(tc, too_many_distinct_values);
    tcase_add_test(tc, distinct_values_at_limit);
    tcase_add_test(tc, more_rejects_than_allowed);
    tcase_add_test(tc, rejects_at_the_limit);
    tcase_add_test(tc, zero_rejects_allowed);
    tcase_add_test(tc, store_full_mid_load);

    tc = new_case(s, "rejects");
    tcase_add_test(tc, ragged_rows);
    tcase_add_test(tc, unterminated_quote_at_end);
    tcase_add_test(tc, unterminated_quote_spanning_lines);
    tcase_add_test(tc, unterminated_quote_in_first_field);
    tcase_add_test(tc, quoted_newlines);
    tcase_add_test(tc, quoted_newline_in_first_field);
    tcase_add_test(tc, quoted_newline_in_attribute);
    tcase_add_test(tc, label_not_binary);
    tcase_add_loop_test(tc, label_spellings, 0, FA_ARRAY_LEN(labels));
    tcase_add_test(tc, scores);
    tcase_add_test(tc, weights);
    tcase_add_test(tc, megabyte_attribute_value);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, nul_byte);
    tcase_add_test(tc, crlf_line_endings);
    tcase_add_test(tc, utf8_bom);
    tcase_add_test(tc, exact_attribute_values);
    tcase_add_test(tc, tsv_by_name);
    tcase_add_test(tc, tsv_by_header);

    tc = new_case(s, "sources");
    tcase_add_test(tc, gzip_file);
    tcase_add_test(tc, gzip_stdin);
    tcase_add_test(tc, gzip_truncated);
    tcase_add_test(tc, gzip_missing_trailer);
    tcase_add_test(tc, gzip_truncated_past_a_mebibyte);
    tcase_add_test(tc, reuse_identical_bytes);
    tcase_add_test(tc, reuse_needs_same_mapping);
    tcase_add_test(tc, reuse_not_for_changed_bytes);
    return s;
}
