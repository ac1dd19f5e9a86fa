/* pack.c — the audit pack (libzip, libsodium, jansson): seal, verify,
 * keygen.
 *
 * A pack holds the output folder's files, template.json, cells.csv (and
 * values.csv for a scored or weighted run; rows.csv with --include-rows)
 * and manifest.json (+ manifest.sig). Members are deflated at level 9 with a
 * fixed time and mode, in byte order of their names with the manifest
 * last, so the same outputs give the same zip; verify rebuilds that
 * canonical zip from the members it read and compares the bytes, so a
 * change anywhere in the file is found, not only in what the hashes
 * cover.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>
#include <csv.h>
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <pango/pango.h>
#include <qpdf/qpdf-c.h>
#include <sodium.h>
#include <sqlite3.h>
#include <xlsxwriter.h>
#include <yaml.h>
#include <zip.h>
#include <zlib.h>

#include "confusion.h"
#include "disparity.h"
#include "ingest.h"
#include "pack.h"
#include "rerun.h"
#include "results.h"
#include "results_json.h"
#include "runlog.h"
#include "stats.h"

/* every member's time: 1980-01-01 00:00 UTC, the zip format's first */
#define MEMBER_TIME 315532800
#define MANIFEST "manifest.json"
#define SIGNATURE "manifest.sig"
#define KEY_SECRET "fairaudit-ed25519-secret "
#define KEY_PUBLIC "fairaudit-ed25519-public "

/* One member: its name and bytes. */
struct member {
    char *name;
    unsigned char *data;
    size_t len;
};

struct members {
    struct member *m;
    size_t n;
};

static void
members_add(struct members *ms, const char *name, unsigned char *data,
            size_t len)
{
    ms->m = fa_xrealloc(ms->m, ms->n + 1, sizeof(*ms->m));
    ms->m[ms->n].name = fa_xstrdup(name);
    ms->m[ms->n].data = data;
    ms->m[ms->n].len = len;
    ms->n++;
}

static void
members_free(struct members *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        free(ms->m[i].name);
        free(ms->m[i].data);
    }
    free(ms->m);
    ms->m = NULL;
    ms->n = 0;
}

static const struct member *
members_find(const struct members *ms, const char *name)
{
    for (size_t i = 0; i < ms->n; i++)
        if (strcmp(ms->m[i].name, name) == 0)
            return &ms->m[i];
    return NULL;
}

static int
by_name(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int xm = strcmp(x->name, MANIFEST) == 0 || strcmp(x->name, SIGNATURE) == 0;
    int ym = strcmp(y->name, MANIFEST) == 0 || strcmp(y->name, SIGNATURE) == 0;

    /* the manifest and its signature last */
    if (xm != ym)
        return xm - ym;
    return strcmp(x->name, y->name);
}

static void
sha256_hex(const unsigned char *data, size_t len, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(d, data, len);
    sodium_bin2hex(out, 65, d, sizeof(d));
}

/* Reads a whole file (at most cap bytes) into *out. */
static fa_err
read_file(fa_ctx *ctx, const char *path, size_t cap, unsigned char **out,
          size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, size = 0, got;

    *out = NULL;
    *len = 0;
    if (!f)
        return fa_ctx_fail(ctx, FA_ERR_IO_READ, "cannot read '%s': %s", path,
                           strerror(errno));
    do {
        if (n == size) {
            size = size ? 2 * size : 65536;
            buf = fa_xrealloc(buf, size + 1, 1);
        }
        got = fread(buf + n, 1, size - n, f);
        n += got;
        if (n > cap) {
            fclose(f);
            free(buf);
            return fa_ctx_fail(ctx, FA_ERR_IO_READ,
                               "'%s' is larger than %zu bytes", path, cap);
        }
    } while (got > 0);
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return fa_ctx_fail(ctx, FA_ERR_IO_READ, "cannot read '%s': %s", path,
                           strerror(errno));
    }
    fclose(f);
    if (!buf)
        buf = fa_xmalloc(1);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return FA_OK;
}

static fa_err
write_file(fa_ctx *ctx, const char *path, const void *data, size_t len,
           mode_t mode)
{
    char *tmp = fa_xasprintf("%s.tmp", path);
    FILE *f;
    int bad;

    unlink(tmp);
    f = fopen(tmp, "wb");
    if (!f) {
        fa_err err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s",
                                 tmp, strerror(errno));

        free(tmp);
        return err;
    }
    bad = chmod(tmp, mode) != 0;
    bad |= fwrite(data, 1, len, f) != len;
    bad |= fclose(f) != 0;
    if (bad) {
        fa_err err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s",
                                 tmp, strerror(errno));

        unlink(tmp);
        free(tmp);
        return err;
    }
    {
        fa_err err = fa_file_commit(ctx, tmp, path);

        free(tmp);
        return err;
    }
}

static const char *json_s(const json_t *o, const char *key);
static fa_err data_table_hash(fa_ctx *ctx, const char *path, json_t *mapping,
                              char *hex, int64_t *rows);

/* ------------------------------------------------------------------ */
/* Private functions: names                                            */

FA_STATIC int
fa_pack_name_safe(const char *name)
{
    const char *p = name;

    if (!*name || *name == '/' || strlen(name) > 1024)
        return 0;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        if (len == 0 || (len == 1 && p[0] == '.') ||
            (len == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)p[i];

            if (c < 0x20 || c == 0x7f || c == '\\' || c == ':')
                return 0;
        }
        if (!e)
            break;
        p = e + 1;
        if (!*p)
            return 0; /* a trailing '/': a folder entry */
    }
    return fa_utf8_valid(name, strlen(name));
}

/* ------------------------------------------------------------------ */
/* Private functions: the folder                                       */

static int
reserved(const char *rel)
{
    return strcmp(rel, MANIFEST) == 0 || strcmp(rel, SIGNATURE) == 0 ||
           strcmp(rel, "cells.csv") == 0 || strcmp(rel, "template.json") == 0 ||
           strcmp(rel, "rows.csv") == 0 || strcmp(rel, "values.csv") == 0;
}

/* Adds every regular file under dir/rel to ms; refuses anything else. */
static fa_err
collect(fa_ctx *ctx, const char *dir, const char *rel, struct members *ms,
        size_t *total)
{
    char *path = *rel ? fa_xasprintf("%s/%s", dir, rel) : fa_xstrdup(dir);
    DIR *d = opendir(path);
    struct dirent *e;
    fa_err err = FA_OK;

    if (!d) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_READ, "cannot read '%s': %s", path,
                          strerror(errno));
        free(path);
        return err;
    }
    while (!err && (e = readdir(d))) {
        char *r, *p;
        struct stat sb;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        r = *rel ? fa_xasprintf("%s/%s", rel, e->d_name)
                 : fa_xstrdup(e->d_name);
        p = fa_xasprintf("%s/%s", dir, r);
        if (lstat(p, &sb) != 0) {
            err = fa_ctx_fail(ctx, FA_ERR_IO_READ, "cannot read '%s': %s", p,
                              strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            err = collect(ctx, dir, r, ms, total);
        } else if (!S_ISREG(sb.st_mode)) {
            err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                              "'%s' is not a regular file (a link?): a pack "
                              "holds files only",
                              p);
        } else if (!fa_pack_name_safe(r)) {
            err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                              "'%s': a name a pack cannot hold safely", p);
        } else if (!*rel && reserved(r)) {
            err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                              "'%s' is a name the pack writes itself; remove "
                              "it from the folder",
                              p);
        } else {
            unsigned char *data;
            size_t len;

            err = read_file(ctx, p, FA_PACK_MAX_MEMBER, &data, &len);
            if (!err && len >= 16 && memcmp(data, "SQLite format 3", 16) == 0) {
                /* a store holds every raw row */
                free(data);
                err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                                  "'%s' is an SQLite store, which holds the "
                                  "raw rows: move it out of the folder",
                                  p);
            } else if (!err) {
                *total += len;
                if (*total > FA_PACK_MAX_TOTAL) {
                    free(data);
                    err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                                      "'%s' holds more than %lld bytes", dir,
                                      (long long)FA_PACK_MAX_TOTAL);
                } else {
                    members_add(ms, r, data, len);
                }
            }
        }
        free(r);
        free(p);
    }
    closedir(d);
    free(path);
    return err;
}

/* ------------------------------------------------------------------ */
/* Private functions: cells.csv                                        */

struct buf {
    char *s;
    size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = fa_xrealloc(b->s, b->cap, 1);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* A CSV field: text quoted (a missing value is an empty, unquoted one). */
static void
buf_field(struct buf *b, const char *s)
{
    if (!s)
        return;
    buf_str(b, "\"");
    for (; *s; s++)
        buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
    buf_str(b, "\"");
}

static void
buf_num(struct buf *b, double v)
{
    char t[64];

    snprintf(t, sizeof(t), ",%.17g", v);
    buf_str(b, t);
}

/* One line of cells.csv for group g of kind ("cell", "segment"). */
static void
cell_line(struct buf *b, const fa_results *r, const fa_group *g,
          const char *kind)
{
    const fa_group_set *gs = &r->sets[g->set];

    if (strcmp(kind, "segment") == 0) {
        /* named, so that a missing value is known by its column */
        char *k = fa_xasprintf("segment:%s", r->ds.dims[gs->dims[0]].name);

        buf_field(b, k);
        free(k);
    } else {
        buf_str(b, kind);
    }
    for (size_t j = 0; j < r->ds.ndims; j++) {
        buf_str(b, ",");
        for (size_t k = 0; k < gs->ndims; k++)
            if ((size_t)gs->dims[k] == j)
                buf_field(b, g->values[k]);
    }
    buf_num(b, (double)g->n);
    buf_num(b, g->weight);
    buf_num(b, g->w.tp);
    buf_num(b, g->w.fp);
    buf_num(b, g->w.tn);
    buf_num(b, g->w.fn);
    for (int k = 0; k < 4; k++)
        buf_num(b, (double)g->rows[k]);
    buf_str(b, "\n");
}

/*
 * cells.csv: the run's finest cells (every combination of all the
 * attributes that occurs) and every segment value, each with its rows,
 * weight and confusion counts (weighted, then rows).
 */
/* The lines of cell g split by the strata column (index sdim) of an
 * unweighted run: the counts of each stratum it has rows in. */
static void
strata_lines(struct buf *b, const fa_results *r, const fa_group *g, size_t sdim)
{
    const fa_group_set *gs = &r->sets[g->set];

    for (size_t l = 0; l < r->nstrata; l++) {
        const int64_t *q =
            r->strat_rows + ((size_t)g->gid * r->nstrata + l) * 4;
        double n = (double)(q[0] + q[1] + q[2] + q[3]);

        if (n == 0)
            continue;
        buf_str(b, "cell");
        for (size_t j = 0; j < r->ds.ndims; j++) {
            buf_str(b, ",");
            if (j == sdim)
                buf_field(b, r->stratum_values[l]);
            for (size_t k = 0; k < gs->ndims; k++)
                if ((size_t)gs->dims[k] == j)
                    buf_field(b, g->values[k]);
        }
        buf_num(b, n);
        buf_num(b, n);
        for (int k = 0; k < 4; k++)
            buf_num(b, (double)q[k]);
        for (int k = 0; k < 4; k++)
            buf_num(b, (double)q[k]);
        buf_str(b, "\n");
    }
}

static char *
cells_csv(const fa_results *r, size_t *len)
{
    struct buf b = {0};
    int finest = -1, sdim = -1;

    buf_str(&b, "kind");
    for (size_t j = 0; j < r->ds.ndims; j++) {
        buf_str(&b, ",");
        buf_field(&b, r->ds.dims[j].name);
    }
    buf_str(&b, ",n,weight,tp,fp,tn,fn,tp_rows,fp_rows,tn_rows,fn_rows\n");
    for (size_t k = 1; k < r->nsets; k++)
        if (r->sets[k].kind != FA_SET_SEGMENT &&
            r->sets[k].ndims == r->ds.nattrs)
            finest = (int)k;
    for (size_t j = 0; r->strata && j < r->ds.ndims; j++)
        if (strcmp(r->ds.dims[j].name, r->strata) == 0)
            sdim = (int)j;
    for (size_t i = 0; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];

        if (g->set == finest && g->n > 0 && sdim >= 0 && r->strat_rows &&
            !r->ds.weighted)
            strata_lines(&b, r, g, (size_t)sdim);
        else if (g->set == finest && g->n > 0)
            cell_line(&b, r, g, "cell");
        else if (r->sets[g->set].kind == FA_SET_SEGMENT && g->n > 0)
            cell_line(&b, r, g, "segment");
    }
    *len = b.len;
    return b.s;
}

/* ------------------------------------------------------------------ */
/* Private functions: the parsed table's hash                          */

/* Each loaded row's SHA-256 over its parsed values, length-prefixed in a
 * fixed order (label, decision, score, weight, then the audited columns;
 * "~" for a value absent or missing); the table's hash is the SHA-256 of
 * the row digests sorted, so the same values in another file format,
 * quoting, number spelling or row order give the same hash. */
struct table_hash {
    const fa_dataset *ds;
    unsigned char (*d)[32];
    size_t n, cap;
};

static void
field(crypto_hash_sha256_state *h, const char *s, size_t len)
{
    char pre[32];
    int k = snprintf(pre, sizeof(pre), "%zu:", len);

    crypto_hash_sha256_update(h, (const unsigned char *)pre, (size_t)k);
    crypto_hash_sha256_update(h, (const unsigned char *)s, len);
}

static void
field_num(crypto_hash_sha256_state *h, double v)
{
    char t[64];

    snprintf(t, sizeof(t), "%.17g", v);
    field(h, t, strlen(t));
}

static fa_err
hash_batch(void *data, const fa_row_batch *b)
{
    struct table_hash *th = data;
    const fa_dataset *ds = th->ds;

    for (size_t i = 0; i < b->n; i++) {
        crypto_hash_sha256_state h;

        if (th->n == th->cap) {
            th->cap = th->cap ? 2 * th->cap : 4096;
            th->d = fa_xrealloc(th->d, th->cap, sizeof(*th->d));
        }
        crypto_hash_sha256_init(&h);
        if (ds->labelled)
            field(&h, b->y_true[i] ? "1" : "0", 1);
        else
            crypto_hash_sha256_update(&h, (const unsigned char *)"~", 1);
        field(&h, b->y_pred[i] ? "1" : "0", 1);
        if (ds->scored)
            field_num(&h, b->score[i]);
        else
            crypto_hash_sha256_update(&h, (const unsigned char *)"~", 1);
        if (ds->weighted)
            field_num(&h, b->weight[i]);
        else
            crypto_hash_sha256_update(&h, (const unsigned char *)"~", 1);
        for (size_t j = 0; j < ds->ndims; j++) {
            const fa_dim *d = &ds->dims[j];
            int64_t code = b->code[i * b->ndims + j];

            if (d->bin_spec) {
                if (code)
                    field_num(&h, b->x[i * b->ndims + j]);
                else
                    crypto_hash_sha256_update(&h, (const unsigned char *)"~",
                                              1);
            } else if (code == d->missing_code || code < 0 ||
                       (size_t)code >= d->nvalues) {
                crypto_hash_sha256_update(&h, (const unsigned char *)"~", 1);
            } else {
                field(&h, d->values[code], strlen(d->values[code]));
            }
        }
        crypto_hash_sha256_final(&h, th->d[th->n++]);
    }
    return FA_OK;
}

static int
by_digest(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* The parsed table's hash of dataset ds of st into hex (65 bytes). */
static fa_err
table_hash(fa_ctx *ctx, fa_store *st, const fa_dataset *ds, char *hex)
{
    struct table_hash th = {ds, NULL, 0, 0};
    fa_err err = fa_store_rows_scan(ctx, st, ds, hash_batch, &th);

    if (!err) {
        unsigned char d[crypto_hash_sha256_BYTES];

        if (th.n)
            qsort(th.d, th.n, sizeof(*th.d), by_digest);
        crypto_hash_sha256(d, th.n ? th.d[0] : (const unsigned char *)"",
                           th.n * 32);
        sodium_bin2hex(hex, 65, d, sizeof(d));
    }
    free(th.d);
    return err;
}

/* ------------------------------------------------------------------ */
/* Private functions: the manifest                                     */

static json_t *
jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The run's entry in the store's run log and the log's head. */
static fa_err
log_json(fa_ctx *ctx, fa_store *st, int64_t run_id, json_t **out)
{
    int64_t seq, head;
    char hash[65], hhash[65];
    fa_err err = fa_runlog_locate(ctx, st, run_id, &seq, hash, &head, hhash);

    *out = NULL;
    if (err)
        return err;
    *out = json_pack(
        "{s:o, s:{s:I, s:s}}", "run",
        seq ? json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "hash", hash)
            : json_null(),
        "head", "seq", (json_int_t)head, "hash", hhash);
    return FA_OK;
}

static json_t *
manifest_json(const struct fa_pack_opts *o, const fa_results *r,
              const struct members *ms, json_t *runlog, const char *table)
{
    json_t *m = json_object(), *tool = json_object(), *libs = json_object();
    json_t *run = json_object(), *in = json_object(), *files = json_array();
    json_t *tm = json_object(), *sign = json_object();
    char *cmd = fa_results_command(r, NULL);

    json_object_set_new(m, "schema", json_string("fairaudit.manifest/1"));
    json_object_set_new(tool, "name", json_string("fairaudit"));
    json_object_set_new(tool, "version", json_string(o->tool_version));
    json_object_set_new(tool, "commit", json_string(FA_COMMIT));
    json_object_set_new(m, "tool", tool);
    json_object_set_new(libs, "sqlite", json_string(sqlite3_libversion()));
    json_object_set_new(libs, "cairo", json_string(cairo_version_string()));
    json_object_set_new(libs, "pango", json_string(pango_version_string()));
    json_object_set_new(libs, "libxlsxwriter", json_string(lxw_version()));
    json_object_set_new(libs, "gsl", json_string(gsl_version));
    json_object_set_new(libs, "jansson", json_string(jansson_version_str()));
    json_object_set_new(libs, "libsodium",
                        json_string(sodium_version_string()));
    json_object_set_new(libs, "zlib", json_string(zlibVersion()));
    json_object_set_new(libs, "libyaml",
                        json_string(yaml_get_version_string()));
    json_object_set_new(libs, "libzip", json_string(zip_libzip_version()));
    json_object_set_new(libs, "qpdf", json_string(qpdf_get_qpdf_version()));
    json_object_set_new(m, "libraries", libs);
    json_object_set_new(in, "name", json_string(r->ds.source));
    json_object_set_new(in, "size", json_integer(r->ds.bytes));
    json_object_set_new(in, "sha256", json_string(r->ds.sha256));
    json_object_set_new(in, "rows_read", json_integer(r->ds.rows_read));
    json_object_set_new(in, "rows_loaded", json_integer(r->ds.rows_loaded));
    json_object_set_new(in, "rows_rejected", json_integer(r->ds.rows_rejected));
    json_object_set_new(in, "loaded_at", json_string(r->ds.loaded_at));
    json_object_set_new(in, "table_sha256", json_string(table));
    json_object_set_new(in, "mapping",
                        r->ds.mapping ? json_loads(r->ds.mapping, 0, NULL)
                                      : json_null());
    json_object_set_new(m, "inputs", json_pack("[o]", in));
    json_object_set_new(run, "id", json_integer(r->run_id));
    json_object_set_new(run, "started", json_string(r->created));
    json_object_set_new(run, "finished", jstr(r->finished));
    json_object_set_new(run, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(run, "bootstrap", json_integer(r->bootstrap));
    json_object_set_new(run, "reproduce", json_string(cmd));
    json_object_set_new(m, "run", run);
    json_object_set_new(tm, "name", jstr(r->template_name));
    json_object_set_new(tm, "sha256", jstr(r->template_sha256));
    json_object_set_new(m, "template", tm);
    json_object_set_new(m, "command", jstr(o->command));
    json_object_set(m, "run_log", runlog);
    json_object_set_new(sign, "preparer", jstr(o->preparer));
    json_object_set_new(sign, "reviewer", jstr(o->reviewer));
    json_object_set_new(sign, "approver", jstr(o->approver));
    json_object_set_new(sign, "valid_until", jstr(o->valid_until));
    json_object_set_new(m, "signoff", sign);
    for (size_t i = 0; i < ms->n; i++) {
        char hex[65];

        sha256_hex(ms->m[i].data, ms->m[i].len, hex);
        json_array_append_new(
            files, json_pack("{s:s, s:I, s:s}", "path", ms->m[i].name, "size",
                             (json_int_t)ms->m[i].len, "sha256", hex));
    }
    json_object_set_new(m, "files", files);
    free(cmd);
    return m;
}

/* ------------------------------------------------------------------ */
/* Private functions: keys                                             */

/* Reads a key file of the given kind into key (size bytes). */
static fa_err
read_key(fa_ctx *ctx, const char *path, const char *prefix, unsigned char *key,
         size_t size)
{
    unsigned char *text;
    size_t len, got = 0;
    fa_err err = read_file(ctx, path, 4096, &text, &len);
    size_t pl = strlen(prefix);
    const char *end;

    if (err)
        return err;
    if (len < pl || memcmp(text, prefix, pl) != 0 ||
        sodium_hex2bin(key, size, (const char *)text + pl, len - pl, "\n", &got,
                       &end) != 0 ||
        got != size) {
        free(text);
        return fa_ctx_fail(
            ctx, FA_ERR_USAGE,
            "'%s' is not a fairaudit %s key (from 'fairaudit "
            "keygen')",
            path, strcmp(prefix, KEY_SECRET) == 0 ? "secret" : "public");
    }
    sodium_memzero(text, len);
    free(text);
    return FA_OK;
}

/* ------------------------------------------------------------------ */
/* Private functions: the zip                                          */

static fa_err
zip_fail(fa_ctx *ctx, zip_t *z, const char *path)
{
    return fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", path,
                       zip_strerror(z));
}

/* Writes the members (in their order) as the canonical zip at path. */
static fa_err
write_zip(fa_ctx *ctx, const struct members *ms, const char *path)
{
    int ze = 0;
    zip_t *z;

    z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    if (!z) {
        zip_error_t e;
        fa_err err;

        zip_error_init_with_code(&e, ze);
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", path,
                          zip_error_strerror(&e));
        zip_error_fini(&e);
        return err;
    }
    for (size_t i = 0; i < ms->n; i++) {
        zip_source_t *src =
            zip_source_buffer(z, ms->m[i].data, ms->m[i].len, 0);
        zip_int64_t k;

        if (!src)
            goto fail;
        k = zip_file_add(z, ms->m[i].name, src, ZIP_FL_ENC_UTF_8);
        if (k < 0) {
            zip_source_free(src);
            goto fail;
        }
        if (zip_set_file_compression(z, (zip_uint64_t)k, ZIP_CM_DEFLATE, 9) ||
            zip_file_set_mtime(z, (zip_uint64_t)k, MEMBER_TIME, 0) ||
            zip_file_set_external_attributes(z, (zip_uint64_t)k, 0,
                                             ZIP_OPSYS_UNIX,
                                             (zip_uint32_t)0100644 << 16))
            goto fail;
    }
    if (zip_close(z) != 0) {
        fa_err err = zip_fail(ctx, z, path);

        zip_discard(z);
        unlink(path);
        return err;
    }
    return FA_OK;
fail : {
    fa_err err = zip_fail(ctx, z, path);

    zip_discard(z);
    unlink(path);
    return err;
}
}

/* ------------------------------------------------------------------ */
/* Public functions: pack and keygen                                   */

fa_err
fa_pack(fa_ctx *ctx, fa_store *st, const struct fa_pack_opts *o)
{
    struct members ms = {0};
    char *out = o->out ? fa_xstrdup(o->out) : NULL, *tmp = NULL, *cells;
    char *rpath = fa_xasprintf("%s/results.json", o->dir);
    char *values_omitted = NULL;
    json_t *res = NULL, *man = NULL, *run, *rowcols = NULL;
    fa_results r;
    int loaded = 0;
    size_t total = 0, clen;
    fa_err err;
    struct stat sb;

    if (!out) {
        size_t n = strlen(o->dir);

        while (n > 1 && o->dir[n - 1] == '/')
            n--;
        out = fa_xasprintf("%.*s.zip", (int)n, o->dir);
    }
    if (stat(rpath, &sb) != 0) {
        err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                          "'%s' has no results.json: pack the folder that "
                          "'fairaudit report' or 'audit' wrote",
                          o->dir);
        goto out;
    }
    err = collect(ctx, o->dir, "", &ms, &total);
    if (err)
        goto out;
    {
        const struct member *rj = members_find(&ms, "results.json");

        res = rj ? json_loadb((const char *)rj->data, rj->len, 0, NULL) : NULL;
    }
    run = json_object_get(res, "run");
    if (!json_is_integer(json_object_get(run, "id"))) {
        err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                          "'%s' is not a fairaudit results.json", rpath);
        goto out;
    }
    err = fa_store_run_load(ctx, st,
                            json_integer_value(json_object_get(run, "id")), &r);
    if (err)
        goto out;
    loaded = 1;
    {
        const char *sha = json_string_value(
            json_object_get(json_object_get(res, "dataset"), "sha256"));

        const char *created = json_s(run, "created");
        const char *tsha = json_s(json_object_get(res, "template"), "sha256");

        if (!sha || strcmp(sha, r.ds.sha256) != 0 || !created ||
            strcmp(created, r.created) != 0 ||
            ((tsha || r.template_sha256) &&
             (!tsha || !r.template_sha256 ||
              strcmp(tsha, r.template_sha256) != 0))) {
            err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                              "the store's run %lld is not the run of '%s' "
                              "(its dataset, time or template differs): give "
                              "the store it came from with --db",
                              (long long)r.run_id, rpath);
            goto out;
        }
    }
    {
        /* the folder's results.json must be the store's, byte for byte */
        const struct member *rj = members_find(&ms, "results.json");
        char *text = NULL;

        err = fa_results_json_text(ctx, st, r.run_id, &text);
        if (!err &&
            (strlen(text) != rj->len || memcmp(text, rj->data, rj->len) != 0))
            err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                              "'%s' is not the results.json the store holds "
                              "for run %lld (edited?): write the folder "
                              "again with 'fairaudit report'",
                              rpath, (long long)r.run_id);
        free(text);
        if (err)
            goto out;
    }
    cells = cells_csv(&r, &clen);
    members_add(&ms, "cells.csv", (unsigned char *)cells, clen);
    total += clen;
    if (r.ds.scored || r.ds.weighted) {
        char *text;
        size_t n;

        err = fa_rerun_values_csv(ctx, st, &r.ds, r.strata, &text, &n);
        if (err)
            goto out;
        if (n > (size_t)FA_PACK_MAX_MEMBER ||
            total + n > (size_t)FA_PACK_MAX_TOTAL) {
            /* more than a pack may hold: said in the manifest */
            values_omitted = fa_xasprintf(
                "values.csv would be %zu bytes, more than a pack holds "
                "(%lld a member, %lld in all)",
                n, (long long)FA_PACK_MAX_MEMBER, (long long)FA_PACK_MAX_TOTAL);
            free(text);
        } else {
            total += n;
            members_add(&ms, "values.csv", (unsigned char *)text, n);
        }
    }
    if (o->include_rows) {
        char *text;
        size_t n;

        err = fa_rerun_rows_csv(ctx, st, &r.ds, &text, &n, &rowcols);
        if (err)
            goto out;
        if (n > (size_t)FA_PACK_MAX_MEMBER ||
            total + n > (size_t)FA_PACK_MAX_TOTAL) {
            free(text);
            err = fa_ctx_fail(ctx, FA_ERR_USAGE,
                              "rows.csv would be %zu bytes, more than a pack "
                              "holds (%lld a member, %lld in all): pack "
                              "without --include-rows",
                              n, (long long)FA_PACK_MAX_MEMBER,
                              (long long)FA_PACK_MAX_TOTAL);
            goto out;
        }
        total += n;
        members_add(&ms, "rows.csv", (unsigned char *)text, n);
    }
    if (r.template_json) {
        size_t n = strlen(r.template_json);
        unsigned char *t = fa_xmalloc(n + 1);

        memcpy(t, r.template_json, n + 1);
        members_add(&ms, "template.json", t, n);
    }
    qsort(ms.m, ms.n, sizeof(*ms.m), by_name);
    {
        json_t *runlog;

        char table[65];

        err = log_json(ctx, st, r.run_id, &runlog);
        if (err)
            goto out;
        err = table_hash(ctx, st, &r.ds, table);
        if (err) {
            json_decref(runlog);
            goto out;
        }
        man = manifest_json(o, &r, &ms, runlog, table);
        json_decref(runlog);
        if (values_omitted)
            json_object_set_new(man, "values_omitted",
                                json_string(values_omitted));
        if (rowcols) {
            json_t *rj = json_object();

            json_object_set_new(rj, "path", json_string("rows.csv"));
            json_object_set(rj, "columns", rowcols);
            json_object_set_new(rj, "rows", json_integer(r.ds.rows_loaded));
            json_object_set_new(man, "rows", rj);
        }
    }
    {
        char *text = json_dumps(man, JSON_INDENT(1) | JSON_SORT_KEYS);
        size_t n = strlen(text);

        text = fa_xrealloc(text, n + 2, 1);
        text[n++] = '\n';
        text[n] = '\0';
        members_add(&ms, MANIFEST, (unsigned char *)text, n);
        if (o->sign_key) {
            unsigned char sk[crypto_sign_SECRETKEYBYTES];
            unsigned char sig[crypto_sign_BYTES];
            char *hex = fa_xmalloc(2 * sizeof(sig) + 2);

            err = read_key(ctx, o->sign_key, KEY_SECRET, sk, sizeof(sk));
            if (err) {
                free(hex);
                goto out;
            }
            crypto_sign_detached(sig, NULL, (const unsigned char *)text, n, sk);
            sodium_memzero(sk, sizeof(sk));
            sodium_bin2hex(hex, 2 * sizeof(sig) + 1, sig, sizeof(sig));
            strcat(hex, "\n");
            members_add(&ms, SIGNATURE, (unsigned char *)hex, strlen(hex));
        }
    }
    tmp = fa_xasprintf("%s.tmp", out);
    err = write_zip(ctx, &ms, tmp);
    if (!err)
        err = fa_file_commit(ctx, tmp, out);
out:
    free(tmp);
    free(out);
    free(rpath);
    free(values_omitted);
    json_decref(res);
    json_decref(man);
    json_decref(rowcols);
    members_free(&ms);
    if (loaded)
        fa_results_release(&r);
    return err;
}

fa_err
fa_keygen(fa_ctx *ctx, const char *path)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES],
        sk[crypto_sign_SECRETKEYBYTES];
    char skhex[2 * crypto_sign_SECRETKEYBYTES + 1];
    char pkhex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    char *text, *pub;
    struct stat sb;
    fa_err err;

    {
        char *pubpath = fa_xasprintf("%s.pub", path);
        int exists = stat(path, &sb) == 0 || stat(pubpath, &sb) == 0;

        free(pubpath);
        if (exists)
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "'%s' or '%s.pub' exists: a key is never "
                               "overwritten",
                               path, path);
    }
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(skhex, sizeof(skhex), sk, sizeof(sk));
    sodium_bin2hex(pkhex, sizeof(pkhex), pk, sizeof(pk));
    sodium_memzero(sk, sizeof(sk));
    text = fa_xasprintf("%s%s\n", KEY_SECRET, skhex);
    sodium_memzero(skhex, sizeof(skhex));
    err = write_file(ctx, path, text, strlen(text), 0600);
    sodium_memzero(text, strlen(text));
    free(text);
    if (err)
        return err;
    pub = fa_xasprintf("%s.pub", path);
    text = fa_xasprintf("%s%s\n", KEY_PUBLIC, pkhex);
    err = write_file(ctx, pub, text, strlen(text), 0644);
    free(text);
    free(pub);
    return err;
}

/* ------------------------------------------------------------------ */
/* Private functions: verify                                           */

struct vstate {
    const struct fa_verify_opts *o;
    int ok;
    int partial; /* the run not done again, said why */
};

static void say(struct vstate *v, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct vstate *v, int ok, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = fa_xvasprintf(fmt, ap);
    va_end(ap);
    if (!ok)
        v->ok = 0;
    if (v->o->report)
        v->o->report(v->o->data_arg, ok, s);
    free(s);
}

/* Reads every member of the zip at path into ms, checking each entry's
 * form; 0 when the archive cannot be trusted to be read. */
static int
read_members(struct vstate *v, zip_t *z, struct members *ms)
{
    zip_int64_t n = zip_get_num_entries(z, 0);
    long long total = 0;
    int good = 1;

    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        zip_stat_t zs;
        zip_uint8_t os = 0;
        zip_uint32_t attr = 0;
        zip_file_t *f;
        unsigned char *data;
        zip_int64_t got;

        if (!name || !fa_pack_name_safe(name)) {
            say(v, 0,
                "member %lld: unsafe name '%s' (absolute, '..', or "
                "not plain text): nothing read",
                (long long)i, name ? name : "?");
            good = 0;
            continue;
        }
        if (members_find(ms, name)) {
            say(v, 0, "member '%s' appears twice", name);
            good = 0;
            continue;
        }
        zip_stat_init(&zs);
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &zs) != 0 ||
            !(zs.valid & ZIP_STAT_SIZE)) {
            say(v, 0, "member '%s': no size", name);
            good = 0;
            continue;
        }
        zip_file_get_external_attributes(z, (zip_uint64_t)i, 0, &os, &attr);
        if (os == ZIP_OPSYS_UNIX && !S_ISREG((mode_t)(attr >> 16))) {
            say(v, 0,
                "member '%s' is not a regular file (a link or a "
                "folder)",
                name);
            good = 0;
            continue;
        }
        if (zs.size > (zip_uint64_t)FA_PACK_MAX_MEMBER ||
            zs.size > (zip_uint64_t)(FA_PACK_MAX_TOTAL - total)) {
            say(v, 0,
                "member '%s' declares %llu bytes, more than a pack "
                "may hold",
                name, (unsigned long long)zs.size);
            good = 0;
            continue;
        }
        total += (long long)zs.size;
        f = zip_fopen_index(z, (zip_uint64_t)i, 0);
        data = fa_xmalloc(zs.size + 1);
        got = f ? zip_fread(f, data, zs.size) : -1;
        /* a last read of 0 bytes makes libzip check the CRC */
        if (got == (zip_int64_t)zs.size && zs.size > 0) {
            unsigned char extra;

            if (zip_fread(f, &extra, 1) != 0)
                got = -1;
        }
        if (f && got == -1 && zip_file_get_error(f)->zip_err == ZIP_ER_OK) {
            say(v, 0, "member '%s' inflates past its declared %llu bytes", name,
                (unsigned long long)zs.size);
            free(data);
            good = 0;
        } else if (!f || got != (zip_int64_t)zs.size) {
            say(v, 0, "member '%s' cannot be read: %s", name,
                f ? zip_file_strerror(f) : zip_strerror(z));
            free(data);
            good = 0;
        } else {
            data[zs.size] = '\0';
            members_add(ms, name, data, zs.size);
        }
        if (f)
            zip_fclose(f);
    }
    return good;
}

static const char *
json_s(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The manifest's file list against the members. */
static void
check_hashes(struct vstate *v, const struct members *ms, json_t *man)
{
    json_t *files = json_object_get(man, "files"), *e;
    size_t i, good = 0;

    if (!json_is_array(files)) {
        say(v, 0, "manifest.json lists no files");
        return;
    }
    json_array_foreach(files, i, e)
    {
        const char *path = json_s(e, "path"), *sha = json_s(e, "sha256");
        const struct member *m = path ? members_find(ms, path) : NULL;
        char hex[65];
        size_t j;
        json_t *x;
        int twice = 0;

        json_array_foreach(files, j, x)
        {
            const char *other = json_s(x, "path");

            twice |= j < i && path && other && strcmp(other, path) == 0;
        }
        if (twice) {
            say(v, 0, "'%s': listed twice in the manifest", path);
            continue;
        }

        if (!m) {
            say(v, 0, "'%s': in the manifest, not in the pack",
                path ? path : "?");
            continue;
        }
        sha256_hex(m->data, m->len, hex);
        if (!sha || strcmp(hex, sha) != 0) {
            say(v, 0, "'%s': SHA-256 %s, the manifest says %s", path, hex,
                sha ? sha : "nothing");
            continue;
        }
        if (json_integer_value(json_object_get(e, "size")) !=
            (json_int_t)m->len) {
            say(v, 0, "'%s': %zu bytes, the manifest says %lld", path, m->len,
                (long long)json_integer_value(json_object_get(e, "size")));
            continue;
        }
        good++;
    }
    for (size_t k = 0; k < ms->n; k++) {
        int listed = strcmp(ms->m[k].name, MANIFEST) == 0 ||
                     strcmp(ms->m[k].name, SIGNATURE) == 0;

        json_array_foreach(files, i, e)
        {
            const char *path = json_s(e, "path");

            listed |= path && strcmp(path, ms->m[k].name) == 0;
        }
        if (!listed)
            say(v, 0, "'%s': in the pack, not in the manifest", ms->m[k].name);
    }
    if (good == json_array_size(files))
        say(v, 1, "the SHA-256 and size of all %zu files match the manifest",
            good);
}

static void
check_signature(struct vstate *v, fa_ctx *ctx, const struct members *ms)
{
    const struct member *man = members_find(ms, MANIFEST);
    const struct member *sig = members_find(ms, SIGNATURE);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], s[crypto_sign_BYTES];
    size_t got = 0;

    if (!v->o->pubkey) {
        if (sig)
            say(v, 1,
                "signed, but the signature is not checked: give "
                "--pubkey KEY.pub");
        else
            say(v, 1, "not signed");
        return;
    }
    if (read_key(ctx, v->o->pubkey, KEY_PUBLIC, pk, sizeof(pk)) != FA_OK) {
        say(v, 0, "%s", fa_ctx_msg(ctx));
        fa_ctx_clear(ctx);
        return;
    }
    if (!sig) {
        say(v, 0, "the pack is not signed (no manifest.sig)");
        return;
    }
    if (sodium_hex2bin(s, sizeof(s), (const char *)sig->data, sig->len, "\n",
                       &got, NULL) != 0 ||
        got != sizeof(s) ||
        crypto_sign_verify_detached(s, man->data, man->len, pk) != 0) {
        say(v, 0,
            "the signature does not match manifest.json and the key "
            "'%s'",
            v->o->pubkey);
        return;
    }
    say(v, 1, "the Ed25519 signature of manifest.json matches '%s'",
        v->o->pubkey);
}

/* cells.csv, parsed. */
struct cell {
    int segment;
    int segcol;    /* a segment line's column (index in values), -1 unnamed */
    char **values; /* one per dim; NULL = missing */
    double n, weight, w[4], rows[4];
    /* values.csv: the line's slot, score and weight (NAN when empty);
     * its rows in n */
    int label, pred, slot;
    double score, rweight;
};

struct cells {
    int values; /* values.csv, not cells.csv */
    size_t ndims;
    size_t nnames; /* header fields after "kind" kept in names */
    char **names;
    struct cell *c;
    size_t n;
    /* parsing */
    size_t field, line;
    struct cell cur;
    int bad;
    int quoted_field;
};

static void
cells_free(struct cells *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        for (size_t j = 0; j < cs->ndims; j++)
            free(cs->c[i].values[j]);
        free(cs->c[i].values);
    }
    free(cs->c);
    for (size_t j = 0; j < cs->nnames; j++)
        free(cs->names[j]);
    free(cs->names);
    if (cs->cur.values) {
        for (size_t j = 0; j < cs->ndims; j++)
            free(cs->cur.values[j]);
        free(cs->cur.values);
    }
}

static int
parse_num(const char *s, size_t len, double *out)
{
    char t[64], *end;

    if (len == 0 || len >= sizeof(t))
        return -1;
    memcpy(t, s, len);
    t[len] = '\0';
    *out = strtod(t, &end);
    return *end || !isfinite(*out) ? -1 : 0;
}

/* Field k after the dims of a line of values.csv: label, pred (1, 0 or,
 * for the label, empty), score, weight (a number or empty), rows. */
static void
on_value_field(struct cells *cs, size_t k, const char *s, size_t len)
{
    struct cell *c = &cs->cur;
    double x = NAN;

    if (k < 2) {
        int v = len == 1 && (s[0] == '0' || s[0] == '1') ? s[0] - '0'
                : len == 0 && k == 0                     ? -1
                                                         : -2;

        cs->bad |= v == -2;
        *(k ? &c->pred : &c->label) = v;
    } else if (k < 4) {
        if (len == 0)
            x = NAN;
        else if (parse_num(s, len, &x) != 0)
            cs->bad = 1;
        *(k == 2 ? &c->score : &c->rweight) = x;
    } else if (k == 4 && parse_num(s, len, &x) == 0 && x >= 1 && x <= 1e12 &&
               x == floor(x)) {
        c->n = x;
        c->slot = c->pred ? (c->label == 1 ? 0 : 1) : (c->label == 1 ? 3 : 2);
    } else {
        cs->bad = 1;
    }
}

static void
on_cell_field(void *s, size_t len, void *data)
{
    struct cells *cs = data;
    size_t f = cs->field++;

    if (cs->bad)
        return;
    if (cs->line == 0) {
        /* the header: kind, the dims, then ten numbers */
        if (f >= 1 && f <= 64) {
            cs->names = fa_xrealloc(cs->names, f, sizeof(*cs->names));
            cs->names[f - 1] = fa_xstrndup(s, len);
            cs->nnames = f;
        } else if (f > 64) {
            cs->bad = 1;
        }
        return;
    }
    if (!cs->cur.values)
        cs->cur.values = fa_xcalloc(cs->ndims + 1, sizeof(char *));
    if (f > cs->ndims && cs->values) {
        on_value_field(cs, f - cs->ndims - 1, s, len);
        return;
    }
    if (f == 0) {
        cs->cur.segcol = -1;
        if (len == 7 && memcmp(s, "segment", 7) == 0) {
            cs->cur.segment = 1;
        } else if (len > 8 && memcmp(s, "segment:", 8) == 0) {
            /* the segment's column, named: its value may be missing */
            cs->cur.segment = 1;
            for (size_t j = 0; j < cs->ndims && j < cs->nnames; j++)
                if (strlen(cs->names[j]) == len - 8 &&
                    memcmp(cs->names[j], (const char *)s + 8, len - 8) == 0)
                    cs->cur.segcol = (int)j;
            if (cs->cur.segcol < 0)
                cs->bad = 1;
        } else if (!(len == 4 && memcmp(s, "cell", 4) == 0)) {
            cs->bad = 1;
        }
    } else if (f <= cs->ndims) {
        /* a quoted field is a value, even empty; an unquoted empty one is
         * missing */
        if (len > 0 || cs->quoted_field)
            cs->cur.values[f - 1] = fa_xstrndup(s, len);
    } else {
        size_t k = f - cs->ndims - 1;
        double x;

        if (k >= 10 || parse_num(s, len, &x) != 0 || x < 0) {
            cs->bad = 1;
            return;
        }
        if (k == 0)
            cs->cur.n = x;
        else if (k == 1)
            cs->cur.weight = x;
        else if (k < 6)
            cs->cur.w[k - 2] = x;
        else
            cs->cur.rows[k - 6] = x;
    }
}

static void
on_cell_row(int c, void *data)
{
    struct cells *cs = data;

    (void)c;
    if (cs->line == 0) {
        static const char *const tail[] = {
            "n",  "weight",  "tp",      "fp",      "tn",
            "fn", "tp_rows", "fp_rows", "tn_rows", "fn_rows"};
        static const char *const vtail[] = {"label", "pred", "score", "weight",
                                            "rows"};
        const char *const *t = cs->values ? vtail : tail;
        size_t nt = cs->values ? FA_ARRAY_LEN(vtail) : FA_ARRAY_LEN(tail);

        cs->nnames = cs->field > 65 ? 64 : cs->field ? cs->field - 1 : 0;
        if (cs->field < nt + 1) {
            cs->bad = 1;
            cs->ndims = 0;
        } else {
            cs->ndims = cs->field - nt - 1;
            for (size_t k = 0; k < nt && cs->names; k++)
                if (cs->ndims + k >= cs->nnames ||
                    strcmp(cs->names[cs->ndims + k], t[k]) != 0)
                    cs->bad = 1;
        }
    } else if (!cs->bad) {
        if (cs->field != cs->ndims + 1 + (cs->values ? 5 : 10)) {
            cs->bad = 1;
        } else {
            cs->c = fa_xrealloc(cs->c, cs->n + 1, sizeof(*cs->c));
            cs->c[cs->n++] = cs->cur;
            memset(&cs->cur, 0, sizeof(cs->cur));
        }
    }
    cs->line++;
    cs->field = 0;
}

/* cells.csv, or values.csv when values. libcsv does not say whether a
 * field was quoted: mark it by peeking. */
static int
parse_cells(const struct member *m, int values, struct cells *cs)
{
    struct csv_parser p;
    const char *s = (const char *)m->data;
    size_t i = 0;

    memset(cs, 0, sizeof(*cs));
    cs->values = values;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return -1;
    /* feed one field at a time so each field's quoting is known */
    while (i < m->len && !cs->bad) {
        size_t j = i;
        int q = s[i] == '"';

        if (q) {
            j++;
            while (j < m->len &&
                   !(s[j] == '"' && (j + 1 >= m->len || s[j + 1] != '"')))
                j += s[j] == '"' ? 2 : 1;
            j++;
        } else {
            while (j < m->len && s[j] != ',' && s[j] != '\n')
                j++;
        }
        if (j < m->len)
            j++; /* the separator */
        cs->quoted_field = q;
        if (csv_parse(&p, s + i, j - i, on_cell_field, on_cell_row, cs) !=
            j - i)
            cs->bad = 1;
        i = j;
    }
    if (csv_fini(&p, on_cell_field, on_cell_row, cs) != 0)
        cs->bad = 1;
    csv_free(&p);
    return cs->bad || cs->line == 0 ? -1 : 0;
}

/* The index of dim name in the cells' header, -1 when absent. */
static int
cells_dim(const struct cells *cs, const char *name)
{
    for (size_t j = 0; j < cs->ndims; j++)
        if (strcmp(cs->names[j], name) == 0)
            return (int)j;
    return -1;
}

/* The absolute floor of a difference of near-equal rates (and of a test
 * statistic of one), whose weighted counts are summed in another order:
 * 0.1 + 0.2 - 0.3 is 5.6e-17, not 0. Other numbers compare relatively. */
#define DIFF_FLOOR 1e-14

static int
close_to(double a, double b, double floor_)
{
    return a == b || fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b)) + floor_;
}

/* Compares one number of results.json (jv, may be null) with x; undef when
 * the recomputed value is undefined; floor_ for a difference. */
static int
same_to(const json_t *jv, double x, int undef, double floor_)
{
    if (undef)
        return json_is_null(jv) || !jv;
    return json_is_number(jv) && close_to(json_number_value(jv), x, floor_);
}

static int
same(const json_t *jv, double x, int undef)
{
    return same_to(jv, x, undef, 0);
}

/* A number near 0 when two rates are equal: a difference, its interval's
 * ends, a test statistic. */
static int
same_diff(const json_t *jv, double x, int undef)
{
    return same_to(jv, x, undef, DIFF_FLOOR);
}

struct sums {
    double n, weight, w[4], rows[4];
};

/* The cells of group g (attributes attrs of kind) summed. */
static int
sum_group(const struct cells *cs, const char *kind, json_t *attrs,
          struct sums *s)
{
    int seg = strcmp(kind, "segment") == 0;
    const char *key;
    json_t *val;
    int idx[64];
    size_t na = 0;
    int any = 0;

    memset(s, 0, sizeof(*s));
    json_object_foreach(attrs, key, val)
    {
        int j = cells_dim(cs, key);

        if (j < 0 || na >= 64)
            return -1;
        idx[na++] = j;
    }
    for (size_t i = 0; i < cs->n; i++) {
        const struct cell *c = &cs->c[i];
        size_t k = 0;

        if (c->segment != seg && !(strcmp(kind, "overall") == 0 && !c->segment))
            continue;
        if (seg && c->segcol >= 0 && (na != 1 || c->segcol != idx[0]))
            continue;
        json_object_foreach(attrs, key, val)
        {
            const char *want = json_string_value(val);
            const char *have = c->values[idx[k]];

            if (want ? !have || strcmp(want, have) != 0 : have != NULL)
                break;
            k++;
        }
        if (k != na)
            continue;
        if (seg) {
            /* a segment row holds its own column only */
            any = 1;
        }
        s->n += c->n;
        s->weight += c->weight;
        for (int q = 0; q < 4; q++) {
            s->w[q] += c->w[q];
            s->rows[q] += c->rows[q];
        }
        any = 1;
    }
    return any ? 0 : 1;
}

static const char *const slots[4] = {"tp", "fp", "tn", "fn"};

/* 1 when every number of JSON value j (a number, or in an array or
 * object) is absent: it publishes nothing. */
static int
no_number(json_t *j)
{
    const char *key;
    json_t *x;
    size_t i;

    if (json_is_number(j))
        return 0;
    if (json_is_array(j)) {
        json_array_foreach(j, i, x)
        {
            if (!no_number(x))
                return 0;
        }
    }
    if (json_is_object(j)) {
        json_object_foreach(j, key, x)
        {
            if (!no_number(x))
                return 0;
        }
    }
    return 1;
}

/* A suppressed group gj: no number in its rows, weight, counts, metrics,
 * scoring, strata or disparities. Returns the parts checked. */
static size_t
check_blank(struct vstate *v, json_t *gj, const char *label, size_t *bad)
{
    static const char *const parts[] = {
        "n", "weight", "counts", "metrics", "scoring", "strata", "disparity"};

    for (size_t k = 0; k < FA_ARRAY_LEN(parts); k++)
        if (!no_number(json_object_get(gj, parts[k]))) {
            (*bad)++;
            if (*bad <= 20)
                say(v, 0, "%s is suppressed, yet results.json shows its %s",
                    label, parts[k]);
        }
    return FA_ARRAY_LEN(parts);
}

/* Recomputes group gj's counts, rates and (unweighted) intervals from the
 * cells; returns the numbers compared, adds mismatches through v. A
 * suppressed group must show none (check_blank). */
static size_t
check_group(struct vstate *v, const struct cells *cs, json_t *res, json_t *gj,
            const char *kind, json_t *attrs, const char *label,
            struct sums *out, size_t *bad)
{
    json_t *ds = json_object_get(res, "dataset");
    json_t *run = json_object_get(res, "run");
    int labelled = json_is_true(json_object_get(ds, "labelled"));
    int weighted = json_is_true(json_object_get(ds, "weighted"));
    double conf = json_number_value(json_object_get(run, "confidence"));
    int exact = json_s(run, "ci_method") &&
                strcmp(json_s(run, "ci_method"), "clopper-pearson") == 0;
    json_t *cnt = json_object_get(gj, "counts");
    json_t *ms = json_object_get(gj, "metrics");
    struct sums s;
    fa_counts c;
    size_t n = 0;

    if (sum_group(cs, kind, attrs, &s) < 0) {
        say(v, 0, "cells.csv lacks a column of group %s", label);
        (*bad)++;
        return 0;
    }
    *out = s;
    c = (fa_counts){s.w[0], s.w[1], s.w[2], s.w[3]};
    if (json_is_true(json_object_get(gj, "suppressed")))
        return check_blank(v, gj, label, bad);
#define CMP(what, jv, x, undef)                                                \
    do {                                                                       \
        n++;                                                                   \
        if (!same((jv), (x), (undef))) {                                       \
            (*bad)++;                                                          \
            if (*bad <= 20)                                                    \
                say(v, 0, "%s %s: results.json %.17g, cells.csv gives %.17g",  \
                    label, (what),                                             \
                    json_is_number(jv) ? json_number_value(jv) : NAN, (x));    \
        }                                                                      \
    } while (0)
    CMP("n", json_object_get(gj, "n"), s.n, 0);
    CMP("weight", json_object_get(gj, "weight"), s.weight, 0);
    if (labelled)
        for (int q = 0; q < 4; q++)
            CMP(slots[q], json_object_get(cnt, slots[q]), s.w[q], 0);
    for (int m = 0; m <= FA_METRIC_F1; m++) {
        fa_value x = fa_confusion_metric((fa_metric)m, &c, labelled);
        json_t *mj = json_object_get(ms, fa_metric_name((fa_metric)m));
        char what[64];

        snprintf(what, sizeof(what), "%s", fa_metric_name((fa_metric)m));
        CMP(what, json_object_get(mj, "value"), x.value, x.reason != NULL);
        if (weighted || x.reason || !fa_metric_is_proportion((fa_metric)m))
            continue;
        {
            fa_interval ci = exact ? fa_ci_clopper_pearson(x.num, x.den, conf)
                                   : fa_ci_wilson(x.num, x.den, conf);

            snprintf(what, sizeof(what), "%s interval low",
                     fa_metric_name((fa_metric)m));
            CMP(what, json_object_get(mj, "ci_low"), ci.lo, ci.reason != NULL);
            snprintf(what, sizeof(what), "%s interval high",
                     fa_metric_name((fa_metric)m));
            CMP(what, json_object_get(mj, "ci_high"), ci.hi, ci.reason != NULL);
        }
    }
#undef CMP
    return n;
}

/* A numeric interval [lo, hi] of results.json (or null) against ci. */
static int
same_interval(const json_t *jv, const fa_interval *ci, double floor_)
{
    if (ci->reason)
        return !jv || json_is_null(jv);
    return json_is_array(jv) && json_array_size(jv) == 2 &&
           same_to(json_array_get(jv, 0), ci->lo, 0, floor_) &&
           same_to(json_array_get(jv, 1), ci->hi, 0, floor_);
}

/*
 * An unweighted group's comparison with its reference (or, when the
 * reference is the whole population pop, with the rest of it) as the run
 * makes it: Katz's interval of the ratio, Newcombe's of the difference,
 * Fisher's exact test where the counts are small, else the z test. The
 * numbers compared are returned.
 */
static size_t
check_test(struct vstate *v, json_t *dj, const fa_value *a, const fa_value *b,
           const fa_value *ratio, const fa_value *diff, const struct sums *gs,
           const struct sums *pop, fa_metric m, int labelled, double conf,
           size_t which, size_t *bad, double *p_out, int compare)
{
    fa_value o = *b;
    fa_interval rci, dci;
    fa_test t;
    const char *name;
    double xg = a->num, ng = a->den, xr, nr;
    size_t n = 0;
    int ok = 1;

    if (pop) {
        /* the rest of the population */
        fa_counts rest = {pop->w[0] - gs->w[0], pop->w[1] - gs->w[1],
                          pop->w[2] - gs->w[2], pop->w[3] - gs->w[3]};

        o = fa_confusion_metric(m, &rest, labelled);
    }
    if (o.reason)
        return 0;
    xr = o.num;
    nr = o.den;
    if (pop) {
        rci = dci = (fa_interval){0, 0,
                                  "the group is part of the whole "
                                  "population"};
    } else {
        rci = ratio->reason ? (fa_interval){0, 0, ratio->reason}
                            : fa_ci_katz_ratio(xg, ng, xr, nr, conf);
        dci = diff->reason ? (fa_interval){0, 0, diff->reason}
                           : fa_ci_newcombe_diff(xg, ng, xr, nr, conf);
    }
    if (fa_test_needs_exact(xg, ng, xr, nr)) {
        t = fa_test_fisher((unsigned)xg, (unsigned)(ng - xg), (unsigned)xr,
                           (unsigned)(nr - xr));
        name = "fisher";
    } else {
        t = fa_test_two_proportions(xg, ng, xr, nr);
        name = "z";
    }
    *p_out = t.reason ? NAN : t.p;
    if (!compare)
        return 0;
    n += 5;
    ok &= same_interval(json_object_get(dj, "ratio_ci"), &rci, 0);
    ok &= same_interval(json_object_get(dj, "difference_ci"), &dci, DIFF_FLOOR);
    if (t.reason) {
        ok &= json_is_null(json_object_get(dj, "p_value"));
    } else {
        const char *tn = json_string_value(json_object_get(dj, "test"));

        ok &= tn && strcmp(tn, name) == 0;
        ok &= same(json_object_get(dj, "p_value"), t.p, 0);
        ok &= same_diff(json_object_get(dj, "statistic"), t.statistic, 0);
    }
    if (!ok) {
        (*bad)++;
        if (*bad <= 20)
            say(v, 0,
                "group %zu %s: the intervals of the ratio and difference or "
                "the test differ from cells.csv",
                which, fa_metric_name(m));
    }
    return n;
}

/* 1 when groups a and b are of one set: the same kind and columns. */
static int
same_set(json_t *a, json_t *b)
{
    json_t *x = json_object_get(a, "attributes"), *y;
    const char *key;
    json_t *val;

    if (!json_equal(json_object_get(a, "kind"), json_object_get(b, "kind")))
        return 0;
    y = json_object_get(b, "attributes");
    if (json_object_size(x) != json_object_size(y))
        return 0;
    json_object_foreach(x, key, val)
    {
        if (!json_object_get(y, key))
            return 0;
    }
    return 1;
}

/* The tests' p-values adjusted within each family (one set, one metric),
 * by the run's correction, against results.json; a hidden group's (its
 * comparisons suppressed) counts in its family and is not compared. */
static size_t
check_adjusted(struct vstate *v, json_t *res, json_t *groups, const double *pv,
               const unsigned char *hidden, size_t *bad)
{
    const char *corr = json_string_value(
        json_object_get(json_object_get(res, "run"), "correction"));
    int bh = corr && strcmp(corr, "bh") == 0;
    size_t ng = json_array_size(groups), first = 0, n = 0;
    double *p = fa_xcalloc(ng + 1, sizeof(double));
    size_t *who = fa_xcalloc(ng + 1, sizeof(size_t));

    while (first < ng) {
        size_t end = first + 1;

        while (end < ng && same_set(json_array_get(groups, first),
                                    json_array_get(groups, end)))
            end++;
        for (int m = 0; m <= FA_METRIC_F1; m++) {
            size_t k = 0;

            for (size_t i = first; i < end; i++)
                if (!isnan(pv[i * FA_METRIC_COUNT + m])) {
                    p[k] = pv[i * FA_METRIC_COUNT + m];
                    who[k++] = i;
                }
            if (k == 0)
                continue;
            if (bh)
                fa_p_adjust_bh(p, k, p);
            else
                fa_p_adjust_holm(p, k, p);
            for (size_t q = 0; q < k; q++) {
                json_t *dj = json_object_get(
                    json_object_get(json_array_get(groups, who[q]),
                                    "disparity"),
                    fa_metric_name((fa_metric)m));

                /* a suppressed comparison is in its family, unshown */
                if (hidden[who[q]])
                    continue;
                n++;
                if (!same(json_object_get(dj, "p_adjusted"), p[q], 0)) {
                    (*bad)++;
                    if (*bad <= 20)
                        say(v, 0,
                            "group %zu %s: the adjusted p-value differs "
                            "from cells.csv",
                            who[q] + 1, fa_metric_name((fa_metric)m));
                }
            }
        }
        first = end;
    }
    free(p);
    free(who);
    return n;
}

/*
 * The groups results.json shows suppressed against the run's --suppress,
 * chosen again (fa_suppress_choose, over the whole run) from the rows the cells
 * give (sums, per group); sets sup[i] for each group to suppress. Returns
 * the groups checked.
 */
static size_t
check_suppressed(struct vstate *v, json_t *res, json_t *groups,
                 const struct sums *sums, unsigned char *sup, size_t *bad)
{
    json_t *min = json_object_get(json_object_get(res, "run"), "suppress");
    json_t *cols = json_object_get(json_object_get(res, "dataset"), "columns");
    size_t ng = json_array_size(groups), first = 0, wrong = 0, nsets = 1;
    size_t ncols = 0;
    const char **names;
    struct fa_sup_set *sets = fa_xcalloc(ng + 2, sizeof(*sets));
    struct fa_sup_group *gg = fa_xcalloc(ng + 1, sizeof(*gg));
    int *dims = fa_xcalloc(ng * 64 + 1, sizeof(int));
    char **vals = fa_xcalloc(ng * 64 + 1, sizeof(char *));
    unsigned char *out = fa_xcalloc(ng + 1, 1);
    json_t *x;
    size_t i;

    if (min && !json_is_integer(min)) {
        (*bad)++;
        say(v, 0, "results.json: run.suppress is not a whole number");
        free(sets);
        free(gg);
        free(dims);
        free(vals);
        free(out);
        return 0;
    }
    /* the columns, attributes then segments, by index */
    names =
        fa_xcalloc(json_array_size(json_object_get(cols, "attributes")) +
                       json_array_size(json_object_get(cols, "segments")) + 1,
                   sizeof(char *));
    json_array_foreach(json_object_get(cols, "attributes"), i, x)
        names[ncols++] = json_string_value(x);
    json_array_foreach(json_object_get(cols, "segments"), i, x) names[ncols++] =
        json_string_value(x);
    /* set 0: the population, its one group last */
    sets[0] = (struct fa_sup_set){0, NULL, 1};
    gg[ng] = (struct fa_sup_group){0, NULL, 0};
    while (first < ng) {
        size_t end = first + 1, nd = 0;
        json_t *attrs =
            json_object_get(json_array_get(groups, first), "attributes");
        int *sd = dims + first * 64;
        const char *key;
        json_t *val;

        while (end < ng && same_set(json_array_get(groups, first),
                                    json_array_get(groups, end)))
            end++;
        json_object_foreach(attrs, key, val)
        {
            size_t j = 0;

            while (j < ncols && (!names[j] || strcmp(names[j], key) != 0))
                j++;
            if (nd < 64)
                sd[nd++] = (int)j;
        }
        sets[nsets] = (struct fa_sup_set){nd, sd, 0};
        for (i = first; i < end; i++) {
            json_t *a =
                json_object_get(json_array_get(groups, i), "attributes");
            size_t j = 0;

            /* the first group's column order, for every group */
            json_object_foreach(attrs, key, val)
            {
                if (j < 64)
                    vals[i * 64 + j++] =
                        (char *)json_string_value(json_object_get(a, key));
            }
            gg[i] = (struct fa_sup_group){(int)nsets, vals + i * 64,
                                          (int64_t)sums[i].n};
        }
        nsets++;
        first = end;
    }
    fa_suppress_choose(sets, nsets, gg, ng + 1,
                       min ? json_integer_value(min) : 0, out);
    for (i = 0; i < ng; i++) {
        int shown = json_is_true(
            json_object_get(json_array_get(groups, i), "suppressed"));

        sup[i] = out[i];
        if (shown != sup[i]) {
            (*bad)++;
            /* said whatever was said before: it explains the rest */
            if (++wrong <= 20)
                say(v, 0,
                    "group %zu is %s in results.json, but with "
                    "--suppress %lld and its %lld rows it is %s",
                    i + 1, shown ? "suppressed" : "shown",
                    min ? (long long)json_integer_value(min) : 0LL,
                    (long long)sums[i].n, sup[i] ? "suppressed" : "shown");
        }
    }
    free(names);
    free(sets);
    free(gg);
    free(dims);
    free(vals);
    free(out);
    return ng;
}

static void
check_numbers(struct vstate *v, const struct members *ms)
{
    const struct member *rm = members_find(ms, "results.json");
    const struct member *cm = members_find(ms, "cells.csv");
    json_t *res, *groups, *g;
    struct cells cs;
    size_t i, n = 0, bad = 0;
    struct sums ov_sums = {0}, *sums;
    double *pv;
    unsigned char *have, *sup, *hidden;
    int ov_have = 0;

    if (!rm || !cm) {
        say(v, 0, "the pack lacks %s", !rm ? "results.json" : "cells.csv");
        return;
    }
    res = json_loadb((const char *)rm->data, rm->len, 0, NULL);
    if (!res) {
        say(v, 0, "results.json is not JSON");
        return;
    }
    if (parse_cells(cm, 0, &cs) != 0) {
        say(v, 0, "cells.csv is malformed (line %zu)", cs.line + 1);
        cells_free(&cs);
        json_decref(res);
        return;
    }
    {
        json_t *attrs = json_object();
        json_t *ov = json_object_get(res, "overall");
        json_t *cols =
            json_object_get(json_object_get(res, "dataset"), "columns");

        if (json_array_size(json_object_get(cols, "attributes")) > 0) {
            n += check_group(v, &cs, res, ov, "overall", attrs, "overall",
                             &ov_sums, &bad);
            ov_have = 1;
        }
        json_decref(attrs);
    }
    groups = json_object_get(res, "groups");
    sums = fa_xcalloc(json_array_size(groups) + 1, sizeof(*sums));
    pv = fa_xcalloc((json_array_size(groups) + 1) * FA_METRIC_COUNT,
                    sizeof(*pv));
    for (size_t k = 0; k < (json_array_size(groups) + 1) * FA_METRIC_COUNT; k++)
        pv[k] = NAN;
    have = fa_xcalloc(json_array_size(groups) + 1, 1);
    json_array_foreach(groups, i, g)
    {
        const char *kind = json_s(g, "kind");
        json_t *attrs = json_object_get(g, "attributes");
        char *label = NULL;
        const char *key;
        json_t *val;

        if (!kind || !json_is_object(attrs))
            continue;
        label = fa_xstrdup("");
        json_object_foreach(attrs, key, val)
        {
            char *t = fa_xasprintf("%s%s%s=%s", label, *label ? ", " : "", key,
                                   json_is_string(val) ? json_string_value(val)
                                                       : "(missing)");

            free(label);
            label = t;
        }
        n += check_group(v, &cs, res, g, kind, attrs, label, &sums[i], &bad);
        have[i] = 1;
        free(label);
    }
    /* the groups to suppress, chosen again from the cells' rows */
    sup = fa_xcalloc(json_array_size(groups) + 1, 1);
    hidden = fa_xcalloc(json_array_size(groups) + 1, 1);
    n += check_suppressed(v, res, groups, sums, sup, &bad);
    {
        json_t *dsj = json_object_get(res, "dataset");
        int labelled = json_is_true(json_object_get(dsj, "labelled"));
        int weighted = json_is_true(json_object_get(dsj, "weighted"));
        double conf = json_number_value(
            json_object_get(json_object_get(res, "run"), "confidence"));

        json_array_foreach(groups, i, g)
        {
            json_t *ref = json_object_get(g, "reference");
            json_t *disp = json_object_get(g, "disparity");
            const struct sums *rs = NULL;
            size_t j;
            json_t *h;

            if (!have[i] || !json_is_object(ref) || !json_is_object(disp))
                continue;
            if (json_object_size(ref) == 0) {
                rs = ov_have ? &ov_sums : NULL;
            } else {
                json_array_foreach(groups, j, h)
                {
                    if (have[j] &&
                        json_equal(json_object_get(h, "kind"),
                                   json_object_get(g, "kind")) &&
                        json_equal(json_object_get(h, "attributes"), ref)) {
                        rs = &sums[j];
                        hidden[i] |= sup[j];
                    }
                }
            }
            hidden[i] |= sup[i];
            if (hidden[i]) {
                /* nothing of a comparison with a suppressed group shown */
                n++;
                if (!no_number(disp)) {
                    bad++;
                    if (bad <= 20)
                        say(v, 0,
                            "group %zu: a comparison with a suppressed "
                            "group shows numbers",
                            i + 1);
                }
            }
            if (!rs)
                continue;
            for (int m = 0; m <= FA_METRIC_F1; m++) {
                const struct sums *gs = &sums[i];
                fa_counts cg = {gs->w[0], gs->w[1], gs->w[2], gs->w[3]};
                fa_counts cr = {rs->w[0], rs->w[1], rs->w[2], rs->w[3]};
                fa_value a = fa_confusion_metric((fa_metric)m, &cg, labelled);
                fa_value b = fa_confusion_metric((fa_metric)m, &cr, labelled);
                fa_value ratio = fa_disparity_ratio(&a, &b);
                fa_value diff = fa_disparity_difference(&a, &b);
                json_t *dj =
                    json_object_get(disp, fa_metric_name((fa_metric)m));

                if (!fa_metric_has_disparity((fa_metric)m) || !dj)
                    continue;
                if (hidden[i]) {
                    /* its p-value still counts in its family */
                    if (!weighted && rs != gs &&
                        fa_metric_is_proportion((fa_metric)m) && !a.reason)
                        check_test(v, dj, &a, &b, &ratio, &diff, gs,
                                   rs == &ov_sums ? &ov_sums : NULL,
                                   (fa_metric)m, labelled, conf, i + 1, &bad,
                                   &pv[i * FA_METRIC_COUNT + m], 0);
                    continue;
                }
                n += 2;
                if (!same(json_object_get(dj, "ratio"), ratio.value,
                          ratio.reason != NULL) ||
                    !same_diff(json_object_get(dj, "difference"), diff.value,
                               diff.reason != NULL)) {
                    bad++;
                    if (bad <= 20)
                        say(v, 0,
                            "group %zu %s: the ratio or difference to its "
                            "reference differs from cells.csv",
                            i + 1, fa_metric_name((fa_metric)m));
                }
                if (!weighted && rs != gs &&
                    fa_metric_is_proportion((fa_metric)m) && !a.reason)
                    n += check_test(v, dj, &a, &b, &ratio, &diff, gs,
                                    rs == &ov_sums ? &ov_sums : NULL,
                                    (fa_metric)m, labelled, conf, i + 1, &bad,
                                    &pv[i * FA_METRIC_COUNT + m], 1);
            }
        }
    }
    if (!json_is_true(
            json_object_get(json_object_get(res, "dataset"), "weighted")))
        n += check_adjusted(v, res, groups, pv, hidden, &bad);
    free(sup);
    free(hidden);
    free(sums);
    free(have);
    free(pv);
    if (bad == 0)
        say(v, 1,
            "%zu numbers of results.json recomputed from cells.csv "
            "(every group's counts and confusion rates, their ratios and "
            "differences to the reference%s)",
            n,
            json_is_true(
                json_object_get(json_object_get(res, "dataset"), "weighted"))
                ? ""
                : ", the intervals of all three, the tests and their "
                  "adjusted p-values");
    else
        say(v, 0, "%zu of %zu numbers of results.json differ from cells.csv",
            bad, n);
    cells_free(&cs);
    json_decref(res);
}

/* ------------------------------------------------------------------ */
/* Private functions: the run again, from rows.csv                     */

struct diff {
    size_t n, bad;
    struct vstate *v;
};

/* Compares a (the pack's) with b (done again) at path, numbers as
 * close_to; counts numbers and differences in d. */
/* 1 when the number at path is a difference of rates or of one's kind
 * (its interval, its test's statistic, a verdict's value), near 0 when
 * the rates are equal. */
static int
diff_path(const char *path)
{
    size_t n = strlen(path);

    return strstr(path, "difference") != NULL ||
           (n >= 10 && strcmp(path + n - 10, ".statistic") == 0) ||
           (strncmp(path, "verdicts[", 9) == 0 && n >= 6 &&
            strcmp(path + n - 6, ".value") == 0);
}

static void
compare_json(struct diff *d, const char *path, json_t *a, json_t *b)
{
    const char *key;
    json_t *x;
    size_t i;

    if (json_is_number(a) && json_is_number(b)) {
        double p = json_number_value(a), q = json_number_value(b);

        d->n++;
        if (close_to(p, q, diff_path(path) ? DIFF_FLOOR : 0))
            return;
        if (++d->bad <= 20)
            say(d->v, 0, "%s: results.json %.17g, the rows give %.17g", path, p,
                q);
        return;
    }
    if (json_typeof(a) != json_typeof(b) ||
        (json_is_array(a) && json_array_size(a) != json_array_size(b)) ||
        (json_is_object(a) && json_object_size(a) != json_object_size(b))) {
        if (++d->bad <= 20)
            say(d->v, 0, "%s: results.json and the rows differ in form", path);
        return;
    }
    if (json_is_array(a)) {
        json_array_foreach(a, i, x)
        {
            char *sub = fa_xasprintf("%s[%zu]", path, i);

            compare_json(d, sub, x, json_array_get(b, i));
            free(sub);
        }
    } else if (json_is_object(a)) {
        json_object_foreach(a, key, x)
        {
            char *sub = fa_xasprintf("%s.%s", path, key);
            json_t *y = json_object_get(b, key);

            if (!y) {
                if (++d->bad <= 20)
                    say(d->v, 0, "%s: not in the run done again", sub);
            } else {
                compare_json(d, sub, x, y);
            }
            free(sub);
        }
    } else if (!json_equal(a, b)) {
        if (++d->bad <= 20)
            say(d->v, 0, "%s: results.json and the rows differ", path);
    }
}

/* Writes data to a new file under $TMPDIR; its path (caller unlinks and
 * frees), or NULL having said why. */
static char *
tmp_copy(struct vstate *v, const char *what, const void *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char *path =
        fa_xasprintf("%s/fairaudit-rows-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);

    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        say(v, 0, "cannot write a temporary copy of %s in %s: %s", what,
            dir && *dir ? dir : "/tmp", strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

/* template.json as a string, or NULL. */
static char *
template_text(const struct members *ms)
{
    const struct member *tm = members_find(ms, "template.json");
    char *t;

    if (!tm)
        return NULL;
    t = fa_xmalloc(tm->len + 1);
    memcpy(t, tm->data, tm->len);
    t[tm->len] = '\0';
    return t;
}

/* ctx's message with the temporary file path called what it holds,
 * name (caller frees). */
static char *
msg_named(fa_ctx *ctx, const char *path, const char *name)
{
    const char *m = fa_ctx_msg(ctx), *hit;
    struct buf b = {0};
    size_t pl = strlen(path);

    buf_str(&b, "");
    while ((hit = strstr(m, path)) != NULL) {
        buf_add(&b, m, (size_t)(hit - m));
        buf_str(&b, name);
        m = hit + pl;
    }
    buf_str(&b, m);
    return b.s;
}

/* The run done again from the table at path (read with map) and compared
 * with the pack's results.json res; from names the table. */
static void
rerun_compare(struct vstate *v, fa_ctx *ctx, const char *path, json_t *map,
              const char *tmpl, json_t *res, const char *from)
{
    static const char *const keys[] = {
        "overall", "groups",       "aggregates",     "verdicts",
        "verdict", "score_median", "skipped_checks", "template"};
    struct diff d = {0, 0, v};
    char *text = NULL;
    int64_t nrows = 0;
    json_t *again;
    fa_err err = fa_rerun(ctx, path, map, tmpl, res, &text, &nrows);

    again = err ? NULL : json_loads(text, 0, NULL);
    if (err || !again) {
        char *m = err ? msg_named(ctx, path, from) : fa_xstrdup("no results");

        say(v, 0, "the run cannot be done again from %s: %s", from, m);
        free(m);
        free(text);
        return;
    }
    for (size_t k = 0; k < FA_ARRAY_LEN(keys); k++) {
        json_t *a = json_object_get(res, keys[k]);
        json_t *b = json_object_get(again, keys[k]);

        if (a || b)
            compare_json(&d, keys[k], a ? a : json_null(), b ? b : json_null());
    }
    if (d.bad == 0)
        say(v, 1,
            "the run done again from %s gives results.json: %zu numbers "
            "(every metric, interval, test, aggregate and bootstrap "
            "interval) and every verdict",
            from, d.n);
    else
        say(v, 0,
            "the run done again from %s differs from results.json in "
            "%zu places",
            from, d.bad);
    json_decref(again);
    free(text);
}

/* The column mapping of a table of rows for the audited columns of
 * mapping, with columns (label, pred, ...) its own. */
static json_t *
table_mapping(json_t *mapping, json_t *columns)
{
    json_t *m = json_object();

    json_object_set(m, "attributes", json_object_get(mapping, "attributes"));
    json_object_set(m, "segments", json_object_get(mapping, "segments"));
    if (json_object_get(mapping, "bins"))
        json_object_set(m, "bins", json_object_get(mapping, "bins"));
    json_object_update(m, columns);
    json_object_set_new(m, "delimiter", json_string(","));
    return m;
}

/* With rows.csv: its table's hash against the input's, then the whole
 * run done again from it and compared with results.json. */
static void
check_rerun(struct vstate *v, fa_ctx *ctx, const struct members *ms,
            json_t *man, json_t *res)
{
    const struct member *rm = members_find(ms, "rows.csv");
    json_t *rows = json_object_get(man, "rows");
    json_t *cols = json_object_get(rows, "columns");
    json_t *in = json_array_get(json_object_get(man, "inputs"), 0);
    json_t *mapping = json_object_get(in, "mapping"), *rm_map;
    char *path, *tmpl, hex[65];
    int64_t hrows = 0;
    fa_err err;

    if (!rm) {
        if (rows)
            say(v, 0, "the manifest names rows.csv, which the pack lacks");
        return;
    }
    if (!json_is_object(cols) || !json_is_object(mapping)) {
        say(v, 0, "rows.csv without its columns in the manifest");
        return;
    }
    path = tmp_copy(v, "rows.csv", rm->data, rm->len);
    if (!path)
        return;
    rm_map = table_mapping(mapping, cols);
    tmpl = template_text(ms);
    err = data_table_hash(ctx, path, rm_map, hex, &hrows);
    if (err) {
        char *m = msg_named(ctx, path, "rows.csv");

        say(v, 0, "rows.csv cannot be read: %s", m);
        free(m);
    } else if (!json_s(in, "table_sha256") ||
               strcmp(hex, json_s(in, "table_sha256")) != 0) {
        say(v, 0,
            "rows.csv is not the audited table: its parsed table's SHA-256 "
            "is %s, the input's %s",
            hex, json_s(in, "table_sha256") ? json_s(in, "table_sha256") : "?");
    } else {
        say(v, 1,
            "rows.csv holds the audited table: %lld rows, the parsed "
            "table's SHA-256 the input's",
            (long long)hrows);
        rerun_compare(v, ctx, path, rm_map, tmpl, res, "rows.csv");
    }
    unlink(path);
    free(path);
    free(tmpl);
    json_decref(rm_map);
}

/* The representative number of each bin of a column binned by spec, by
 * its label: the bin's lower edge, or just under the first edge. */
struct bin_reps {
    char **label;
    double *x;
    size_t n;
};

static int
bin_reps(fa_ctx *ctx, const char *column, const char *spec,
         struct bin_reps *out)
{
    fa_dim d = {0};
    int quantiles = 0;

    memset(out, 0, sizeof(*out));
    if (!spec ||
        fa_ingest_parse_bin(ctx, column, spec, &d.edges, &d.nedges,
                            &quantiles) != FA_OK ||
        quantiles) {
        fa_ctx_clear(ctx);
        free(d.edges);
        return -1;
    }
    d.bin_spec = (char *)spec;
    out->n = d.nedges + 1;
    out->label = fa_xcalloc(out->n, sizeof(char *));
    out->x = fa_xcalloc(out->n, sizeof(double));
    for (size_t i = 0; i < out->n; i++) {
        out->label[i] = fa_dim_bin_label(&d, i);
        out->x[i] = i == 0 ? nextafter(d.edges[0], -INFINITY) : d.edges[i - 1];
    }
    free(d.edges);
    return 0;
}

static void
bin_reps_free(struct bin_reps *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->label[i]);
    free(b->label);
    free(b->x);
}

/*
 * The edges of column's bins as results.json's groups name them ("[a,b)",
 * "(-inf,b)", "[a,inf)"), as a --bin spec of fixed edges ("a,b,..."; ""
 * when there are none), or NULL when there are more than q100's 99: a
 * column binned by quantiles, done again without its values, is binned
 * where the run binned it.
 */
static char *
label_edges(json_t *res, const char *column)
{
    json_t *g;
    size_t i, n = 0, edges = 0;
    double *e =
        fa_xcalloc(2 * json_array_size(json_object_get(res, "groups")) + 1,
                   sizeof(double));
    struct buf b = {0};

    json_array_foreach(json_object_get(res, "groups"), i, g)
    {
        const char *v = json_string_value(
            json_object_get(json_object_get(g, "attributes"), column));
        char *end;

        if (!v || (v[0] != '[' && v[0] != '('))
            continue;
        for (const char *p = v + 1; *p && *p != ')' && n < 2 * (i + 1);) {
            double x = strtod(p, &end);

            if (end == p)
                break;
            if (isfinite(x))
                e[n++] = x;
            p = *end == ',' ? end + 1 : end;
        }
    }
    qsort(e, n, sizeof(double), fa_cmp_double);
    for (i = 0; i < n; i++) {
        char t[40];

        if (i > 0 && e[i] == e[i - 1])
            continue;
        if (++edges > 99) {
            /* q100 has 99 edges: more is not a run's */
            free(b.s);
            free(e);
            return NULL;
        }
        fa_fmt_double(e[i], t, sizeof(t));
        if (b.len)
            buf_str(&b, ",");
        buf_str(&b, t);
    }
    free(e);
    return b.s ? b.s : fa_xstrdup("");
}

/* One field of a rebuilt row: a value of column j (NULL: missing). */
static void
table_field(struct buf *b, const struct bin_reps *reps, size_t j,
            const char *value, int *bad)
{
    buf_str(b, ",");
    if (!value)
        return;
    if (reps[j].n) {
        char t[40];
        size_t i = 0;

        while (i < reps[j].n && strcmp(reps[j].label[i], value) != 0)
            i++;
        if (i == reps[j].n) {
            *bad = 1;
            return;
        }
        fa_fmt_double(reps[j].x[i], t, sizeof(t));
        buf_str(b, t);
    } else {
        buf_field(b, value);
    }
}

/* The most rows a table rebuilt from the cells may have. */
#define FA_REBUILD_MAX_ROWS 2e7

/* One run of identical rows for the rebuilt table: a line of values.csv,
 * or one slot of a line of cells.csv. */
struct entry {
    const struct cell *c;
    int slot;
    double score, weight; /* NAN when the run has none */
    double rows;
    size_t at; /* the line's place, to keep the order */
};

static int
cmp_num(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

/* By slot, score and weight: the key a row of a cell and a row of a
 * segment must share. */
static int
entry_key_cmp(const struct entry *a, const struct entry *b)
{
    int k = (a->slot > b->slot) - (a->slot < b->slot);

    if (!k)
        k = cmp_num(a->score, b->score);
    if (!k)
        k = cmp_num(a->weight, b->weight);
    return k;
}

static int
entry_cmp(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    int k = entry_key_cmp(a, b);

    return k ? k : (a->at > b->at) - (a->at < b->at);
}

/* The entries of cs: a values.csv line each, or a cells.csv line's four
 * slots. */
static struct entry *
entries(const struct cells *cs, size_t *n)
{
    struct entry *e = fa_xcalloc(4 * cs->n + 1, sizeof(*e));

    size_t k = 0;

    for (size_t i = 0; i < cs->n; i++) {
        const struct cell *c = &cs->c[i];

        if (cs->values) {
            e[k] = (struct entry){c, c->slot, c->score, c->rweight, c->n, k};
            k++;
            continue;
        }
        for (int q = 0; q < 4; q++)
            if (c->rows[q] > 0) {
                e[k] = (struct entry){c, q, NAN, NAN, c->rows[q], k};
                k++;
            }
    }
    qsort(e, k, sizeof(*e), entry_cmp);
    *n = k;
    return e;
}

/*
 * A table of rows rebuilt from the cells: from values.csv (a scored or
 * weighted run) each line's rows with its label, decision, score and
 * weight, or from cells.csv (an unweighted run without scores) one row
 * per count of each confusion slot; a row's audited columns (a binned one
 * at a number of its bin) and stratum from its cell, and each other
 * segment column's values, which both files hold apart, dealt to the rows
 * that share their label, decision, score and weight. Every group's rows,
 * and so every number of the run, are the original's; the rows' order is
 * not, and nothing the run computes depends on it. NULL with *why when
 * the run needs more than the file holds.
 */
static char *
cells_table(fa_ctx *ctx, const struct cells *cs, json_t *res, json_t *mapping,
            json_t **map_out, const char **why, int *limit)
{
    static const char *const keys[] = {"label", "pred", "score", "weight"};
    json_t *dsj = json_object_get(res, "dataset");
    json_t *attrs = json_object_get(mapping, "attributes");
    json_t *segs = json_object_get(mapping, "segments");
    json_t *bins = json_object_get(mapping, "bins"), *x, *cols;
    json_t *fixed = json_object(); /* quantile bins at their edges */
    json_t *thr = json_object_get(mapping, "threshold");
    json_t *g;
    size_t gi;
    const char *strata = json_s(json_object_get(res, "run"), "strata"), *key;
    int have[4] = {json_is_true(json_object_get(dsj, "labelled")), 1,
                   json_is_true(json_object_get(dsj, "scored")),
                   json_is_true(json_object_get(dsj, "weighted"))};
    size_t na = json_array_size(attrs), nd = cs->ndims, i, ne = 0;
    struct bin_reps *reps = fa_xcalloc(nd + 1, sizeof(*reps));
    int sidx = -1, bad = 0;
    struct buf b = {0};
    char *name[4] = {NULL, NULL, NULL, NULL};
    struct entry *e = NULL;
    size_t *at = NULL;
    double *left = NULL;

    *map_out = NULL;
    *why = NULL;
    *limit = 0;
    if (thr && !json_is_null(thr) && !json_is_number(thr))
        *why = "the column mapping's threshold is not a number";
    else if (!cs->values && (have[2] || have[3]))
        *why = "the pack lacks values.csv, which a scored or weighted run's "
               "pack holds";
    else if (nd != na + json_array_size(segs))
        *why = "the file's columns are not the mapping's";
    for (i = 0; !*why && i < nd; i++) {
        json_t *nm =
            i < na ? json_array_get(attrs, i) : json_array_get(segs, i - na);

        if (!json_is_string(nm) ||
            strcmp(json_string_value(nm), cs->names[i]) != 0)
            *why = "the file's columns are not the mapping's";
        else if (strata && strcmp(strata, cs->names[i]) == 0)
            sidx = (int)i;
    }
    json_object_foreach(bins, key, x)
    {
        for (i = 0; !*why && i < nd; i++) {
            const char *spec = json_string_value(x);
            char *edges;

            if (strcmp(cs->names[i], key) != 0 || !spec)
                continue;
            if (spec[0] != 'q') {
                if (strlen(spec) > 20000)
                    *why = "a column binned at more edges than a run makes";
                else if (bin_reps(ctx, key, spec, &reps[i]) != 0) {
                    *why = "a column's bins cannot be read";
                }
                continue;
            }
            /* by quantiles: at the edges results.json names */
            edges = label_edges(res, key);
            if (!edges) {
                *why = "results.json names more bins than quantiles make";
            } else if (!*edges) {
                /* one bin: every group of the column must say so */
                *why = "a column binned by quantiles into one bin needs its "
                       "values";
                *limit = 1;
                json_array_foreach(json_object_get(res, "groups"), gi, g)
                {
                    const char *gv = json_string_value(
                        json_object_get(json_object_get(g, "attributes"), key));

                    if (gv && strcmp(gv, "(-inf,inf)") != 0 &&
                        strcmp(gv, "(missing)") != 0) {
                        *why = "results.json's groups of a column binned by "
                               "quantiles are not bins";
                        *limit = 0;
                    }
                }
            } else if (bin_reps(ctx, key, edges, &reps[i]) != 0) {
                *why = "results.json's bins of a column cannot be read";
            } else {
                json_object_set_new(fixed, key, json_string(edges));
            }
            free(edges);
        }
    }
    for (i = 0; !*why && i < cs->n; i++) {
        const struct cell *c = &cs->c[i];

        if (c->segment && c->segcol < 0)
            *why = "the file does not name its segments' columns";
        else if (c->segment &&
                 (c->segcol < (int)na || (cs->values && c->segcol == sidx)))
            *why = "the file has segment lines for a column that is no "
                   "segment apart";
        if (cs->values) {
            if ((c->label >= 0) != have[0] || isnan(c->score) == have[2] ||
                isnan(c->rweight) == have[3] || (have[3] && !(c->rweight >= 0)))
                *why = "values.csv's label, score and weight are not the "
                       "run's";
            else if (json_is_number(thr) && have[2] &&
                     !json_is_string(json_object_get(mapping, "pred")) &&
                     c->pred != (c->score >= json_number_value(thr)))
                *why = "values.csv holds a decision that is not its score "
                       "against the run's threshold";
            continue;
        }
        for (int q = 0; q < 4; q++)
            if (c->rows[q] != floor(c->rows[q]) || c->rows[q] > 1e9)
                *why = "cells.csv's row counts are not whole";
    }
    if (!*why) {
        /* its cells hold the rows loaded, and no more: the table is
         * built in memory */
        double total = 0, bytes = 0;
        json_t *loaded = json_object_get(dsj, "rows_loaded");

        for (i = 0; i < cs->n; i++) {
            const struct cell *c = &cs->c[i];
            double r = cs->values
                           ? c->n
                           : c->rows[0] + c->rows[1] + c->rows[2] + c->rows[3];
            double len = 64;

            for (size_t j = 0; j < nd; j++)
                len += c->values[j] ? (double)strlen(c->values[j]) + 3 : 1;
            /* a segment line's rows carry its value too */
            bytes += r * len;
            if (!c->segment)
                total += r;
        }
        if (!json_is_integer(loaded) ||
            total != (double)json_integer_value(loaded))
            *why = cs->values ? "values.csv's cells do not hold the rows "
                                "results.json says were loaded"
                              : "cells.csv's cells do not hold the rows "
                                "results.json says were loaded";
        else if (total > FA_REBUILD_MAX_ROWS || bytes > 4e9)
            *why = "more than 20,000,000 rows or 4 GB, more than verify "
                   "rebuilds in memory";
        *limit = *why && (total > FA_REBUILD_MAX_ROWS || bytes > 4e9) &&
                 total == (double)json_integer_value(loaded);
    }
    if (*why) {
        for (i = 0; i < nd; i++)
            bin_reps_free(&reps[i]);
        free(reps);
        json_decref(fixed);
        return NULL;
    }
    /* the label's, decision's, score's and weight's columns, clear of the
     * audited ones */
    for (int k = 0; k < 4; k++) {
        int clash = 1;

        if (!have[k])
            continue;
        if (name[1] || name[0])
            buf_str(&b, ",");
        name[k] = fa_xstrdup(keys[k]);
        while (clash) {
            clash = 0;
            for (i = 0; i < nd; i++)
                clash |= strcmp(cs->names[i], name[k]) == 0;
            if (clash) {
                char *t = fa_xasprintf("_%s", name[k]);

                free(name[k]);
                name[k] = t;
            }
        }
        buf_field(&b, name[k]);
    }
    for (i = 0; i < nd; i++) {
        buf_str(&b, ",");
        buf_field(&b, cs->names[i]);
    }
    buf_str(&b, "\n");
    e = entries(cs, &ne);
    /* per other segment column: its entry dealing and the rows left */
    at = fa_xcalloc(nd + 1, sizeof(size_t));
    left = fa_xcalloc(nd + 1, sizeof(double));
    for (size_t ei = 0; ei < ne && !bad; ei++) {
        const struct entry *en = &e[ei];
        int q = en->slot;
        char row[96] = "", t[40];

        if (en->c->segment)
            continue;
        if (have[0])
            strcat(row, q == 0 || q == 3 ? "1," : "0,");
        strcat(row, q < 2 ? "1" : "0");
        if (have[2]) {
            fa_fmt_double(en->score, t, sizeof(t));
            strcat(row, ",");
            strcat(row, t);
        }
        if (have[3]) {
            fa_fmt_double(en->weight, t, sizeof(t));
            strcat(row, ",");
            strcat(row, t);
        }
        for (double r = 0; r < en->rows && !bad; r++) {
            buf_str(&b, row);
            for (size_t j = 0; j < nd; j++) {
                if (j < na || (int)j == sidx) {
                    table_field(&b, reps, j, en->c->values[j], &bad);
                    continue;
                }
                /* the next entry of column j, with rows left; it must
                 * share the row's key */
                while (left[j] <= 0) {
                    while (at[j] < ne && !(e[at[j]].c->segment &&
                                           e[at[j]].c->segcol == (int)j))
                        at[j]++;
                    if (at[j] >= ne || entry_key_cmp(&e[at[j]], en) != 0) {
                        bad = 1;
                        break;
                    }
                    left[j] = e[at[j]++].rows;
                }
                if (bad)
                    break;
                table_field(&b, reps, j, e[at[j] - 1].c->values[j], &bad);
                left[j]--;
            }
            buf_str(&b, "\n");
        }
    }
    /* every segment row dealt */
    for (size_t j = na; j < nd && !bad; j++) {
        if ((int)j == sidx)
            continue;
        bad |= left[j] > 0;
        for (size_t k = at[j]; k < ne && !bad; k++)
            bad |= e[k].c->segment && e[k].c->segcol == (int)j;
    }
    free(at);
    free(left);
    free(e);
    for (i = 0; i < nd; i++)
        bin_reps_free(&reps[i]);
    free(reps);
    if (bad) {
        *why = cs->values ? "values.csv's cells and segments do not add up"
                          : "cells.csv's cells and segments do not add up";
        json_decref(fixed);
        free(b.s);
        for (int k = 0; k < 4; k++)
            free(name[k]);
        return NULL;
    }
    cols = json_object();
    for (int k = 0; k < 4; k++)
        if (name[k])
            json_object_set_new(cols, keys[k], json_string(name[k]));
    *map_out = table_mapping(mapping, cols);
    if (json_object_size(fixed)) {
        json_t *nb = json_deep_copy(bins);

        json_object_update(nb, fixed);
        json_object_set_new(*map_out, "bins", nb);
    }
    json_decref(fixed);
    json_decref(cols);
    for (int k = 0; k < 4; k++)
        free(name[k]);
    return b.s;
}

/* The run done again from a table rebuilt from values.csv (a scored or
 * weighted run) or cells.csv, when they are enough. */
static void
check_rerun_cells(struct vstate *v, fa_ctx *ctx, const struct members *ms,
                  json_t *man, json_t *res)
{
    const struct member *cm = members_find(ms, "cells.csv");
    const struct member *vm = members_find(ms, "values.csv");
    const char *from = vm ? "values.csv" : "cells.csv";
    json_t *in = json_array_get(json_object_get(man, "inputs"), 0);
    json_t *mapping = json_object_get(in, "mapping"), *map = NULL;
    const char *why = NULL;
    struct cells cs;
    char *text, *path, *tmpl, *what;
    int limit = 0;

    if (!json_is_object(mapping))
        return; /* said by the numbers' check */
    if (!vm && json_is_string(json_object_get(man, "values_omitted")) &&
        (json_is_true(
             json_object_get(json_object_get(res, "dataset"), "scored")) ||
         json_is_true(
             json_object_get(json_object_get(res, "dataset"), "weighted")))) {
        say(v, 1, "the run is not done again from the cells: %s",
            json_string_value(json_object_get(man, "values_omitted")));
        v->partial = 1;
        return;
    }
    if (vm) {
        if (parse_cells(vm, 1, &cs) != 0) {
            say(v, 0, "values.csv is malformed (line %zu)", cs.line + 1);
            cells_free(&cs);
            return;
        }
    } else if (!cm || parse_cells(cm, 0, &cs) != 0) {
        if (cm)
            cells_free(&cs);
        return; /* said by the numbers' check */
    }
    text = cells_table(ctx, &cs, res, mapping, &map, &why, &limit);
    cells_free(&cs);
    if (!text) {
        /* a file the run's pack holds, wrong or missing, fails; what the
         * cells cannot give is said */
        say(v, limit, "the run is not done again from %s: %s%s", from, why,
            limit ? " (pack --include-rows to have it done from the rows)"
                  : "");
        v->partial |= limit;
        return;
    }
    {
        json_t *x;
        const char *key;

        json_object_foreach(json_object_get(mapping, "bins"), key, x)
        {
            if (json_is_string(x) && json_string_value(x)[0] == 'q')
                say(v, 1,
                    "%s, binned by quantiles, is binned again from %s at "
                    "the edges results.json's groups name (%s)",
                    key, from,
                    members_find(ms, "rows.csv")
                        ? "the run done again from rows.csv checks the "
                          "quantiles themselves"
                        : "the quantiles themselves need its values: pack "
                          "--include-rows");
        }
    }
    what = fa_xasprintf("the table rebuilt from %s", from);
    path = tmp_copy(v, what, text, strlen(text));
    free(what);
    free(text);
    if (!path) {
        json_decref(map);
        return;
    }
    tmpl = template_text(ms);
    rerun_compare(v, ctx, path, map, tmpl, res, from);
    unlink(path);
    free(path);
    free(tmpl);
    json_decref(map);
}

/* The run done again: from rows.csv when the pack has it, and from the
 * cells (values.csv or cells.csv) when they are enough. */
static void
check_runs_again(struct vstate *v, fa_ctx *ctx, const struct members *ms,
                 json_t *man)
{
    const struct member *jm = members_find(ms, "results.json");
    json_t *res =
        jm ? json_loadb((const char *)jm->data, jm->len, 0, NULL) : NULL;

    if (!res)
        return; /* said by the numbers' check */
    {
        /* the run again reads by the manifest's mapping: it must be the
         * one results.json published (its threshold, positive labels...) */
        json_t *in = json_array_get(json_object_get(man, "inputs"), 0);

        if (!json_equal(
                json_object_get(in, "mapping"),
                json_object_get(json_object_get(res, "dataset"), "mapping")))
            say(v, 0, "results.json's column mapping is not the manifest's");
    }
    if (members_find(ms, "rows.csv") || json_object_get(man, "rows"))
        check_rerun(v, ctx, ms, man, res);
    check_rerun_cells(v, ctx, ms, man, res);
    json_decref(res);
}

/* The zip's bytes against the canonical zip of the same members. */
static void
check_canonical(struct vstate *v, fa_ctx *ctx, const struct members *ms,
                const unsigned char *zip, size_t len, json_t *man)
{
    const char *packed = json_s(json_object_get(man, "libraries"), "libzip");
    const char *dir = getenv("TMPDIR");
    char *path =
        fa_xasprintf("%s/fairaudit-verify-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd;
    unsigned char *again = NULL;
    size_t alen = 0;
    struct members sorted = {0};

    if (!packed || strcmp(packed, zip_libzip_version()) != 0) {
        say(v, 1,
            "the archive's own bytes are not compared: packed with "
            "libzip %s, this is %s (the member hashes above hold)",
            packed ? packed : "?", zip_libzip_version());
        free(path);
        return;
    }
    fd = mkstemp(path);
    if (fd < 0) {
        say(v, 0, "cannot make a temporary file: %s", strerror(errno));
        free(path);
        return;
    }
    close(fd);
    /* the same members in the canonical order (borrowed, not copied) */
    sorted.m = fa_xcalloc(ms->n + 1, sizeof(*sorted.m));
    memcpy(sorted.m, ms->m, ms->n * sizeof(*ms->m));
    sorted.n = ms->n;
    qsort(sorted.m, sorted.n, sizeof(*sorted.m), by_name);
    if (write_zip(ctx, &sorted, path) != FA_OK ||
        read_file(ctx, path, (size_t)FA_PACK_MAX_TOTAL * 2, &again, &alen) !=
            FA_OK) {
        say(v, 0, "cannot rebuild the archive: %s", fa_ctx_msg(ctx));
        fa_ctx_clear(ctx);
    } else if (alen != len || memcmp(again, zip, len) != 0) {
        size_t k = 0;

        while (k < len && k < alen && again[k] == zip[k])
            k++;
        say(v, 0,
            "the archive differs from the canonical zip of its "
            "members from byte %zu on (edited outside fairaudit)",
            k);
    } else {
        say(v, 1,
            "the archive is byte for byte the canonical zip of its "
            "%zu members",
            ms->n);
    }
    unlink(path);
    free(path);
    free(again);
    free(sorted.m);
}

static void
log_problem(void *data, int ok, const char *what)
{
    say(data, ok, "%s", what);
}

/* The store's run log: whole, and holding the head the pack recorded. */
static void
check_log(struct vstate *v, fa_ctx *ctx, json_t *man, const struct members *ms)
{
    json_t *rl = json_object_get(man, "run_log");
    json_t *head = json_object_get(rl, "head");
    json_t *mine = json_object_get(rl, "run");
    fa_store *st = NULL;
    fa_log_entry *e = NULL;
    size_t n = 0;
    int ok = 0;

    if (!json_is_object(head)) {
        say(v, 0, "the manifest records no run log head");
        return;
    }
    if (fa_store_open_readonly(ctx, v->o->db, &st) != FA_OK ||
        fa_runlog_check(ctx, st, log_problem, v, &ok, &e, &n) != FA_OK) {
        say(v, 0, "cannot check the run log of '%s': %s", v->o->db,
            fa_ctx_msg(ctx));
        fa_ctx_clear(ctx);
        fa_store_close(st);
        return;
    }
    if (ok)
        say(v, 1,
            "the run log of '%s' is whole: %zu entries chained, every "
            "run as logged",
            v->o->db, n);
    {
        json_int_t hseq = json_integer_value(json_object_get(head, "seq"));
        const char *hh = json_s(head, "hash");
        int found = 0;

        if (json_is_integer(json_object_get(head, "seq")) && hseq == 0 && hh &&
            strspn(hh, "0") == 64 && strlen(hh) == 64) {
            say(v, 1,
                "the store's run log was empty when the pack was made: "
                "its head holds nothing to check");
            hseq = -2;
        } else if (!json_is_integer(json_object_get(head, "seq")) || hseq < 1 ||
                   !hh || strlen(hh) != 64) {
            hseq = -1; /* matches no entry */
        }

        for (size_t i = 0; i < n; i++)
            if (e[i].seq == hseq)
                found = hh && strcmp(e[i].hash, hh) == 0;
        if (hseq == -2)
            ; /* said above */
        else if (!found)
            say(v, 0,
                "the store's run log no longer holds the head the pack "
                "recorded (entry %lld, %.16s...): runs were removed or "
                "the log rewritten",
                (long long)hseq, hh ? hh : "?");
        else
            say(v, 1,
                "the store's run log holds the head the pack recorded "
                "(entry %lld)",
                (long long)hseq);
    }
    if (json_is_object(mine)) {
        json_int_t rseq = json_integer_value(json_object_get(mine, "seq"));
        const char *rh = json_s(mine, "hash");
        const struct member *rm = members_find(ms, "results.json");
        const fa_log_entry *hit = NULL;

        for (size_t i = 0; i < n; i++)
            if (e[i].seq == rseq && rh && strcmp(e[i].hash, rh) == 0)
                hit = &e[i];
        if (!hit) {
            say(v, 0, "the store's run log lacks this pack's run (entry %lld)",
                (long long)rseq);
        } else {
            /* the pack's results.json is the one the log names */
            json_t *entry = json_loads(hit->entry, 0, NULL);
            const char *want = json_s(entry, "results_sha256");
            char hex[65] = "";

            if (rm)
                sha256_hex(rm->data, rm->len, hex);
            if (!want || strcmp(want, hex) != 0)
                say(v, 0,
                    "the pack's results.json (SHA-256 %.16s...) is not "
                    "the one the store logged for run %lld (%.16s...)",
                    hex, (long long)hit->run_id, want ? want : "?");
            else
                say(v, 1,
                    "the pack's results.json is the one the store "
                    "logged for run %lld (entry %lld)",
                    (long long)hit->run_id, (long long)hit->seq);
            json_decref(entry);
        }
    } else {
        say(v, 1,
            "the pack's run predates the store's run log: its "
            "results.json is not checked against the store");
    }
    fa_log_entries_free(e, n);
    fa_store_close(st);
}

/* Loads path with the column mapping of the manifest into a store in
 * memory and hashes the parsed table as pack does. */
static fa_err
data_table_hash(fa_ctx *ctx, const char *path, json_t *mapping, char *hex,
                int64_t *rows)
{
    fa_mapped_ingest mi;
    struct fa_ingest_result res;
    fa_store *st = NULL;
    fa_dataset ds;
    fa_err err;

    /* from the pack: every name must be text */
    if (fa_mapped_ingest_init(&mi, mapping, path) != 0)
        return fa_ctx_fail(ctx, FA_ERR_USAGE,
                           "the manifest's column mapping is malformed");
    err = fa_store_open(ctx, ":memory:", 1, &st);
    if (!err)
        err = fa_ingest(ctx, st, &mi.o, &res);
    if (!err)
        err = fa_store_dataset_load(ctx, st, res.dataset_id, &ds);
    if (!err) {
        err = table_hash(ctx, st, &ds, hex);
        *rows = ds.rows_loaded;
        fa_dataset_release(&ds);
    }
    fa_store_close(st);
    fa_mapped_ingest_release(&mi);
    return err;
}

static void
check_data(struct vstate *v, fa_ctx *ctx, json_t *man)
{
    json_t *in = json_array_get(json_object_get(man, "inputs"), 0);
    const char *want = json_s(in, "sha256"),
               *table = json_s(in, "table_sha256");
    unsigned char d[crypto_hash_sha256_BYTES], buf[65536];
    crypto_hash_sha256_state sha;
    char hex[65], thex[65];
    FILE *f = fopen(v->o->data, "rb");
    size_t got;
    long long size = 0;
    int64_t rows = 0;

    if (!f) {
        say(v, 0, "cannot read '%s': %s", v->o->data, strerror(errno));
        return;
    }
    crypto_hash_sha256_init(&sha);
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        crypto_hash_sha256_update(&sha, buf, got);
        size += (long long)got;
    }
    fclose(f);
    crypto_hash_sha256_final(&sha, d);
    sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
    if (want && strcmp(hex, want) == 0) {
        say(v, 1,
            "'%s' is the audited input, byte for byte (%lld bytes, "
            "SHA-256 %s)",
            v->o->data, size, hex);
        return;
    }
    /* not the same bytes: perhaps the same table written otherwise */
    if (!table || !json_is_object(json_object_get(in, "mapping"))) {
        say(v, 0,
            "'%s' is not the audited input: SHA-256 %s, the manifest "
            "says %s",
            v->o->data, hex, want ? want : "nothing");
        return;
    }
    if (data_table_hash(ctx, v->o->data, json_object_get(in, "mapping"), thex,
                        &rows) != FA_OK) {
        say(v, 0,
            "'%s' is not the audited input (SHA-256 %s) and does not "
            "load with its column mapping: %s",
            v->o->data, hex, fa_ctx_msg(ctx));
        fa_ctx_clear(ctx);
        return;
    }
    if (strcmp(thex, table) != 0)
        say(v, 0,
            "'%s' is not the audited input: neither its bytes "
            "(SHA-256 %s) nor its %lld parsed rows (table SHA-256 %s) "
            "match the manifest's %s",
            v->o->data, hex, (long long)rows, thex, table);
    else
        say(v, 1,
            "'%s' holds the audited table written otherwise: its "
            "%lld parsed rows match (table SHA-256 %s), its bytes do "
            "not",
            v->o->data, (long long)rows, thex);
}

fa_err
fa_verify(fa_ctx *ctx, const struct fa_verify_opts *o, int *ok)
{
    struct vstate v = {o, 1, 0};
    struct members ms = {0};
    unsigned char *zbytes = NULL;
    size_t zlen = 0;
    zip_source_t *src;
    zip_error_t ze;
    zip_t *z;
    json_t *man = NULL;
    const struct member *mm;
    fa_err err;

    *ok = 0;
    err = read_file(ctx, o->zip, (size_t)FA_PACK_MAX_TOTAL * 2, &zbytes, &zlen);
    if (err)
        return err;
    zip_error_init(&ze);
    src = zip_source_buffer_create(zbytes, zlen, 0, &ze);
    z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (!z) {
        say(&v, 0, "'%s' is not a sound zip archive: %s", o->zip,
            zip_error_strerror(&ze));
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        free(zbytes);
        return FA_OK;
    }
    zip_error_fini(&ze);
    if (read_members(&v, z, &ms))
        say(&v, 1,
            "the archive's %zu members are sound: safe names, no "
            "links, no duplicates, sizes within bounds, CRCs good",
            ms.n);
    zip_close(z);
    mm = members_find(&ms, MANIFEST);
    man = mm ? json_loadb((const char *)mm->data, mm->len, 0, NULL) : NULL;
    if (!man) {
        say(&v, 0, "the pack has no readable manifest.json");
    } else {
        int held;

        check_hashes(&v, &ms, man);
        held = v.ok; /* the archive and its hashes */
        check_signature(&v, ctx, &ms);
        check_numbers(&v, &ms);
        /* the run again is the costly check: not for a damaged pack */
        if (held)
            check_runs_again(&v, ctx, &ms, man);
        else
            say(&v, 0,
                "the run is not done again: the archive or its members' "
                "hashes do not hold");
        /* the bytes find an edit the hashes miss: a failed hash has
         * found one already */
        if (held)
            check_canonical(&v, ctx, &ms, zbytes, zlen, man);
        if (o->data)
            check_data(&v, ctx, man);
        if (o->db)
            check_log(&v, ctx, man, &ms);
    }
    json_decref(man);
    members_free(&ms);
    free(zbytes);
    *ok = v.ok && v.partial ? 2 : v.ok;
    return FA_OK;
}
