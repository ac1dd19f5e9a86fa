/* ingest.c — CSV or TSV (plain, gzip or standard input) into the store.
 *
 * Bytes flow: read(2) -> SHA-256 -> (inflate) -> split at line feeds ->
 * libcsv -> one record -> a parsed row or a reject -> batches -> store.
 * Feeding libcsv one physical line at a time is what lets every record and
 * every reject carry the line it starts on, quoted newlines included.
 *
 * Parsing and writing overlap: this thread parses into one of two slots
 * while a writer thread inserts the other into SQLite, the only thread
 * that touches the store during the load.
 *
 * Depends on libcsv, zlib, libsodium (SHA-256) and jansson (the mapping).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>
#include <jansson.h>
#include <sodium.h>
#include <zlib.h>

#include "ingest.h"

#define CHUNK (1 << 20)
#define BATCH_ROWS 8192
#define REJECT_LIMIT_NONE INT64_MAX

/* libcsv's parser states (libcsv.c); only "inside a field" is read here */
#define CSV_STATE_ROW_NOT_BEGUN 0
#define CSV_STATE_FIELD_BEGUN 2

/* A mapped column's role. */
enum role { ROLE_LABEL, ROLE_PRED, ROLE_SCORE, ROLE_WEIGHT, ROLE_COUNT };

/* The dictionary of one categorical column: open addressing on a hash of
 * the bytes; slots hold code + 1 (0 = empty). */
struct dict {
    uint32_t *slots;
    uint64_t *hashes; /* by code */
    size_t mask;
};

/* One batch for the writer: parsed rows and the rejects among them. */
struct slot {
    fa_row_batch rows;
    fa_reject *rej; /* owned copies of every string but reason */
    size_t nrej, rejcap;
};

struct writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started;
    int full[2]; /* slot i is waiting to be written */
    int done;    /* no more slots will come */
    fa_err err;  /* the writer's first failure */
    fa_ctx *ctx; /* the writer's own messages */
    fa_store *st;
    fa_dataset layout; /* what bind_row reads; dims shared, not owned */
    struct slot *slots;
};

struct loader {
    fa_ctx *ctx;
    fa_store *st;
    const struct fa_ingest_opts *o;
    fa_dataset ds;
    const char *name; /* the input's name in messages */

    /* the record being parsed */
    char *rec; /* field bytes, each NUL-terminated */
    size_t reclen, reccap;
    size_t *foff, *flen; /* offset and length of each field */
    size_t nfields, fcap;
    int64_t rec_line;   /* line where the record starts */
    int64_t piece_line; /* line of the bytes being fed */
    int unterminated;   /* the input ended inside a quoted field */
    int pending_cr;     /* the last piece ended with a CR */
    char *label_neg;    /* the other label, with --positive alone */
    char *pred_neg;     /* the other decision, likewise */

    /* the header */
    char **header;
    size_t ncols;
    int have_header;
    int col[ROLE_COUNT]; /* -1 when not mapped */

    struct dict *dicts; /* per dim */
    int *quantiles;     /* per dim: N of qN, 0 otherwise */
    double **qvals;     /* per dim with quantiles: every value */
    size_t *nq, *qcap;

    struct slot slots[2];
    int cur; /* the slot being filled */
    struct writer w;
    int64_t rows_read, rows_loaded, rows_rejected;
    int64_t bytes, total;
    int64_t next_progress;
    double smin, smax;
    fa_err err; /* the first fatal error; stops the load */
};

/* ------------------------------------------------------------------ */
/* Private functions                                                   */

static uint64_t
hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, 64 bits */

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static void
dict_init(struct dict *d)
{
    d->mask = 1023;
    d->slots = fa_xcalloc(d->mask + 1, sizeof(*d->slots));
    d->hashes = NULL;
}

static void
dict_release(struct dict *d)
{
    free(d->slots);
    free(d->hashes);
}

static void
dict_grow(struct dict *d, const fa_dim *dim)
{
    size_t mask = d->mask * 2 + 1;
    uint32_t *slots = fa_xcalloc(mask + 1, sizeof(*slots));

    for (size_t code = 0; code < dim->nvalues; code++) {
        size_t i = d->hashes[code] & mask;

        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = (uint32_t)code + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->mask = mask;
}

/* The code of value s[0..n) in dim, adding it when new; -1 when the dim
 * would pass FA_INGEST_MAX_VALUES. The empty value is the missing group. */
static int64_t
dict_code(struct dict *d, fa_dim *dim, const char *s, size_t n)
{
    uint64_t h = hash_bytes(s, n);
    size_t i = h & d->mask;
    size_t code;

    while (d->slots[i]) {
        const char *v;

        code = d->slots[i] - 1;
        v = dim->values[code];
        if (d->hashes[code] == h &&
            (v ? strlen(v) == n && memcmp(v, s, n) == 0 : n == 0))
            return (int64_t)code;
        i = (i + 1) & d->mask;
    }
    if (n != 0 &&
        dim->nvalues - (dim->missing_code >= 0) >= FA_INGEST_MAX_VALUES)
        return -1;
    code = dim->nvalues++;
    dim->values = fa_xrealloc(dim->values, dim->nvalues, sizeof(char *));
    dim->counts = fa_xrealloc(dim->counts, dim->nvalues, sizeof(int64_t));
    d->hashes = fa_xrealloc(d->hashes, dim->nvalues, sizeof(uint64_t));
    dim->values[code] = n ? fa_xstrndup(s, n) : NULL;
    dim->counts[code] = 0;
    d->hashes[code] = h;
    if (n == 0)
        dim->missing_code = (int64_t)code;
    d->slots[i] = (uint32_t)code + 1;
    if (dim->nvalues * 2 > d->mask)
        dict_grow(d, dim);
    return (int64_t)code;
}

static void
slot_clear(struct slot *sl)
{
    for (size_t i = 0; i < sl->nrej; i++) {
        free((char *)sl->rej[i].column_name);
        free((char *)sl->rej[i].value);
        free((char *)sl->rej[i].raw);
    }
    sl->nrej = 0;
    sl->rows.n = 0;
}

static fa_err
slot_write(struct writer *w, const struct slot *sl)
{
    fa_err err = FA_OK;

    if (sl->rows.n)
        err = fa_store_rows_insert(w->ctx, w->st, &w->layout, &sl->rows);
    for (size_t i = 0; i < sl->nrej && !err; i++)
        err = fa_store_reject_add(w->ctx, w->st, w->layout.id, &sl->rej[i]);
    return err;
}

static void *
writer_main(void *arg)
{
    struct writer *w = arg;
    int i = 0;

    for (;;) {
        fa_err err = FA_OK;

        pthread_mutex_lock(&w->mu);
        while (!w->full[i] && !w->done)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->full[i]) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        err = w->err;
        pthread_mutex_unlock(&w->mu);
        /* after a failure, slots are only handed back */
        if (!err)
            err = slot_write(w, &w->slots[i]);
        pthread_mutex_lock(&w->mu);
        w->err = err;
        w->full[i] = 0;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        i ^= 1;
    }
    return NULL;
}

static fa_err
writer_start(struct loader *L)
{
    struct writer *w = &L->w;

    w->ctx = fa_ctx_new();
    w->st = L->st;
    w->slots = L->slots;
    w->layout = L->ds; /* a shallow copy: id, flags, dims' bin_spec */
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        return fa_ctx_fail(L->ctx, FA_ERR_INTERNAL,
                           "cannot start the writer thread");
    }
    w->started = 1;
    return FA_OK;
}

/* The writer's failure, moved into the loader's context. */
static fa_err
writer_error(struct loader *L, fa_err err)
{
    return fa_ctx_fail(L->ctx, err, "%s", fa_ctx_msg(L->w.ctx));
}

/* Hands the current slot to the writer and takes the other one, waiting
 * until the writer is done with it. */
static fa_err
submit(struct loader *L)
{
    struct writer *w = &L->w;
    struct slot *sl = &L->slots[L->cur];
    fa_err err;

    if (sl->rows.n == 0 && sl->nrej == 0)
        return FA_OK;
    if (!w->started) {
        err = slot_write(w, sl);
        slot_clear(sl);
        return err ? writer_error(L, err) : FA_OK;
    }
    pthread_mutex_lock(&w->mu);
    w->full[L->cur] = 1;
    pthread_cond_broadcast(&w->cv);
    L->cur ^= 1;
    while (w->full[L->cur])
        pthread_cond_wait(&w->cv, &w->mu);
    err = w->err;
    pthread_mutex_unlock(&w->mu);
    slot_clear(&L->slots[L->cur]);
    return err ? writer_error(L, err) : FA_OK;
}

/* Waits for the writer to write everything and stop. */
static fa_err
writer_finish(struct loader *L)
{
    struct writer *w = &L->w;
    fa_err err;

    if (!w->started)
        return FA_OK;
    pthread_mutex_lock(&w->mu);
    w->done = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    w->started = 0;
    err = w->err;
    return err && !L->err ? writer_error(L, err) : FA_OK;
}

/* Appends field f of the record to buf as CSV (quoted when needed). */
static void
append_csv_field(char **buf, size_t *len, size_t *cap, const char *s, size_t n,
                 char delim)
{
    int quote = 0;

    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (*len + 2 * n + 4 > *cap) {
        *cap = 2 * (*len + 2 * n + 4);
        *buf = fa_xrealloc(*buf, *cap, 1);
    }
    if (quote)
        (*buf)[(*len)++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            (*buf)[(*len)++] = '"';
        (*buf)[(*len)++] = s[i];
    }
    if (quote)
        (*buf)[(*len)++] = '"';
}

/* Records the current record as rejected. column is 0-based, -1 for the
 * whole row. */
static void
reject_value(struct loader *L, int column, const char *reason,
             const char *value, size_t valuelen)
{
    struct slot *sl = &L->slots[L->cur];
    fa_reject rj = {0};
    char *raw = NULL;
    size_t len = 0, cap = 0;

    if (L->err)
        return;
    for (size_t f = 0; f < L->nfields; f++) {
        if (f) {
            if (len + 1 > cap) {
                cap = 2 * (len + 1) + 16;
                raw = fa_xrealloc(raw, cap, 1);
            }
            raw[len++] = L->ds.delimiter;
        }
        append_csv_field(&raw, &len, &cap, L->rec + L->foff[f], L->flen[f],
                         L->ds.delimiter);
    }
    rj.line = L->rec_line;
    rj.column = column + 1;
    rj.column_name = column >= 0 && (size_t)column < L->ncols
                         ? fa_xstrdup(L->header[column])
                         : NULL;
    rj.reason = reason;
    if (!value && column >= 0 && (size_t)column < L->nfields) {
        value = L->rec + L->foff[column];
        valuelen = L->flen[column];
    }
    rj.value = value ? fa_xstrndup(value, valuelen) : NULL;
    rj.valuelen = valuelen;
    rj.raw = raw;
    rj.rawlen = len;
    if (sl->nrej == sl->rejcap) {
        sl->rejcap = sl->rejcap ? 2 * sl->rejcap : 16;
        sl->rej = fa_xrealloc(sl->rej, sl->rejcap, sizeof(*sl->rej));
    }
    sl->rej[sl->nrej++] = rj; /* the slot owns the copies now */
    L->rows_rejected++;
    if (sl->nrej >= BATCH_ROWS && !L->err)
        L->err = submit(L);
    if (L->rows_rejected > L->o->max_rejects)
        L->err = fa_ctx_fail(
            L->ctx, FA_ERR_CSV_REJECTS,
            "%s: more than %lld rows rejected (the last at line %lld, "
            "column %d: %s); check the column mapping and --positive, or "
            "raise --max-rejects",
            L->name, (long long)L->o->max_rejects, (long long)L->rec_line,
            column + 1, reason);
}

static void
reject(struct loader *L, int column, const char *reason)
{
    reject_value(L, column, reason, NULL, 0);
}

static int
is_word(const char *s, const char *w)
{
    return strcasecmp(s, w) == 0;
}

/*
 * A binary outcome: 1, 0 or -1 (not binary). With a named positive value
 * the match is exact; the negative is the named one or, when none is named,
 * the one other value the column holds (*seen keeps it: a third value is
 * not binary).
 */
static int
parse_binary(const char *s, const char *pos, const char *neg, char **seen)
{
    if (pos) {
        if (strcmp(s, pos) == 0)
            return 1;
        if (neg)
            return strcmp(s, neg) == 0 ? 0 : -1;
        if (!*s)
            return -1;
        if (!*seen)
            *seen = fa_xstrdup(s);
        return strcmp(s, *seen) == 0 ? 0 : -1;
    }
    if (s[0] && !s[1]) {
        if (s[0] == '1')
            return 1;
        if (s[0] == '0')
            return 0;
        return -1;
    }
    if (neg && strcmp(s, neg) == 0)
        return 0;
    if (is_word(s, "true") || is_word(s, "yes"))
        return 1;
    if (is_word(s, "false") || is_word(s, "no"))
        return 0;
    return -1;
}

/* A number field: finite, no surrounding blanks. */
static int
parse_number(const char *s, double *out)
{
    if (!*s || isspace((unsigned char)*s))
        return -1;
    return fa_parse_double(s, out);
}

static const char *
field(const struct loader *L, int col)
{
    return L->rec + L->foff[col];
}

/* A mapped field must be text: valid UTF-8 without NUL bytes. */
static const char *
bad_text(const struct loader *L, int col)
{
    const unsigned char *s = (const unsigned char *)field(L, col);
    size_t n = L->flen[col], i = 0;

    /* the common field is short printable ASCII: one pass decides it */
    while (i < n && s[i] && s[i] < 0x80)
        i++;
    if (i == n)
        return NULL;
    if (memchr(s, '\0', n))
        return "NUL byte in field";
    if (!fa_utf8_valid((const char *)s, n))
        return "invalid UTF-8";
    return NULL;
}

static void
data_row(struct loader *L)
{
    const struct fa_ingest_opts *o = L->o;
    fa_row_batch *b = &L->slots[L->cur].rows;
    size_t i = b->n;
    double score = 0, weight = 1;
    int y = -1, p;
    const char *why;

    L->rows_read++;
    if (L->nfields != L->ncols) {
        char msg[96];
        int len = snprintf(msg, sizeof(msg), "%zu fields, expected %zu",
                           L->nfields, L->ncols);

        reject_value(
            L, -1, L->nfields < L->ncols ? "too few fields" : "too many fields",
            msg, (size_t)len);
        return;
    }
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (L->col[r] >= 0 && (why = bad_text(L, L->col[r]))) {
            reject(L, L->col[r], why);
            return;
        }
    }
    for (size_t j = 0; j < L->ds.ndims; j++) {
        if ((why = bad_text(L, L->ds.dims[j].column))) {
            reject(L, L->ds.dims[j].column, why);
            return;
        }
    }
    if (L->col[ROLE_LABEL] >= 0) {
        const char *s = field(L, L->col[ROLE_LABEL]);

        if (!*s) {
            reject(L, L->col[ROLE_LABEL], "label missing");
            return;
        }
        y = parse_binary(s, o->positive, o->negative, &L->label_neg);
        if (y < 0) {
            reject(L, L->col[ROLE_LABEL], "label not binary");
            return;
        }
    }
    if (L->col[ROLE_SCORE] >= 0) {
        const char *s = field(L, L->col[ROLE_SCORE]);

        if (!*s) {
            reject(L, L->col[ROLE_SCORE], "score missing");
            return;
        }
        if (parse_number(s, &score) != 0) {
            reject(L, L->col[ROLE_SCORE], "score not a finite number");
            return;
        }
    }
    if (L->col[ROLE_PRED] >= 0) {
        const char *s = field(L, L->col[ROLE_PRED]);

        if (!*s) {
            reject(L, L->col[ROLE_PRED], "prediction missing");
            return;
        }
        p = parse_binary(s, o->pred_positive, o->pred_negative, &L->pred_neg);
        if (p < 0) {
            reject(L, L->col[ROLE_PRED], "prediction not binary");
            return;
        }
    } else {
        p = score >= o->threshold;
    }
    if (L->col[ROLE_WEIGHT] >= 0) {
        const char *s = field(L, L->col[ROLE_WEIGHT]);

        if (!*s) {
            reject(L, L->col[ROLE_WEIGHT], "weight missing");
            return;
        }
        if (parse_number(s, &weight) != 0) {
            reject(L, L->col[ROLE_WEIGHT], "weight not a finite number");
            return;
        }
        if (weight < 0) {
            reject(L, L->col[ROLE_WEIGHT], "weight negative");
            return;
        }
        /* sums of weights and of weight x score must stay finite */
        if (weight > FA_INGEST_MAX_WEIGHT) {
            reject(L, L->col[ROLE_WEIGHT], "weight above 1e100");
            return;
        }
    }
    for (size_t j = 0; j < L->ds.ndims; j++) {
        const fa_dim *d = &L->ds.dims[j];
        const char *s = field(L, d->column);
        double x;

        if (d->bin_spec && *s && parse_number(s, &x) != 0) {
            reject(L, d->column, "binned value not a finite number");
            return;
        }
    }
    /* The row is good: only now may it touch the dictionaries. */
    for (size_t j = 0; j < L->ds.ndims; j++) {
        fa_dim *d = &L->ds.dims[j];
        const char *s = field(L, d->column);
        size_t k = i * b->ndims + j;

        if (d->bin_spec) {
            if (!*s) {
                b->code[k] = 0;
                d->missing_rows++;
                continue;
            }
            b->code[k] = 1;
            parse_number(s, &b->x[k]);
            if (L->quantiles[j]) {
                if (L->nq[j] == L->qcap[j]) {
                    L->qcap[j] = L->qcap[j] ? 2 * L->qcap[j] : 1024;
                    L->qvals[j] =
                        fa_xrealloc(L->qvals[j], L->qcap[j], sizeof(double));
                }
                L->qvals[j][L->nq[j]++] = b->x[k];
            }
            continue;
        }
        b->code[k] = dict_code(&L->dicts[j], d, s, L->flen[d->column]);
        if (b->code[k] < 0) {
            L->err = fa_ctx_fail(
                L->ctx, FA_ERR_CARDINALITY,
                "%s:%lld:%d: column '%s' has more than %d distinct values; "
                "an identifier cannot be audited as a group (use --bin for "
                "a number)",
                L->name, (long long)L->rec_line, d->column + 1, d->name,
                FA_INGEST_MAX_VALUES);
            return;
        }
        d->counts[b->code[k]]++;
    }
    if (L->ds.scored) {
        if (L->rows_loaded == 0 || score < L->smin)
            L->smin = score;
        if (L->rows_loaded == 0 || score > L->smax)
            L->smax = score;
    }
    b->line[i] = L->rec_line;
    b->y_true[i] = (signed char)y;
    b->y_pred[i] = (signed char)p;
    b->score[i] = score;
    b->weight[i] = weight;
    b->n++;
    L->rows_loaded++;
    if (b->n == b->cap)
        L->err = submit(L);
}

static int
find_column(const struct loader *L, const char *name)
{
    for (size_t c = 0; c < L->ncols; c++)
        if (strcmp(L->header[c], name) == 0)
            return (int)c;
    return -1;
}

static fa_err
missing_column(struct loader *L, const char *what, const char *name)
{
    char *cols = fa_xstrdup("");

    for (size_t c = 0; c < L->ncols && c < 20; c++) {
        char *t = fa_xasprintf("%s%s'%s'", cols, c ? ", " : "", L->header[c]);

        free(cols);
        cols = t;
    }
    fa_ctx_fail(L->ctx, FA_ERR_CSV_COLUMN,
                "%s:1: no column '%s' (%s) in the header; the header has %s%s",
                L->name, name, what, cols, L->ncols > 20 ? ", ..." : "");
    free(cols);
    return FA_ERR_CSV_COLUMN;
}

static fa_err
header_row(struct loader *L)
{
    const struct fa_ingest_opts *o = L->o;
    const char *names[ROLE_COUNT] = {o->label, o->pred, o->score, o->weight};
    const char *what[ROLE_COUNT] = {"--label", "--pred", "--score", "--weight"};
    fa_err err;

    L->ncols = L->nfields;
    L->header = fa_xcalloc(L->ncols, sizeof(char *));
    for (size_t c = 0; c < L->ncols; c++)
        L->header[c] = fa_xstrndup(field(L, (int)c), L->flen[c]);
    for (size_t c = 0; c < L->ncols; c++)
        for (size_t k = 0; k < c; k++)
            if (strcmp(L->header[c], L->header[k]) == 0)
                return fa_ctx_fail(L->ctx, FA_ERR_CSV_DUPLICATE,
                                   "%s:1: duplicate column name '%s' "
                                   "(columns %zu and %zu)",
                                   L->name, L->header[c], k + 1, c + 1);
    for (int r = 0; r < ROLE_COUNT; r++) {
        L->col[r] = -1;
        if (names[r] && (L->col[r] = find_column(L, names[r])) < 0)
            return missing_column(L, what[r], names[r]);
    }
    for (size_t j = 0; j < L->ds.ndims; j++) {
        fa_dim *d = &L->ds.dims[j];

        d->column = find_column(L, d->name);
        if (d->column < 0)
            return missing_column(
                L, d->kind == FA_DIM_ATTRIBUTE ? "--attr" : "--segment",
                d->name);
    }
    L->have_header = 1;
    err = fa_store_dataset_create(L->ctx, L->st, &L->ds);
    return err ? err : writer_start(L);
}

static void
on_field(void *s, size_t len, void *data)
{
    struct loader *L = data;

    if (L->nfields == L->fcap) {
        L->fcap = L->fcap ? 2 * L->fcap : 64;
        L->foff = fa_xrealloc(L->foff, L->fcap, sizeof(size_t));
        L->flen = fa_xrealloc(L->flen, L->fcap, sizeof(size_t));
    }
    if (L->reclen + len + 1 > FA_INGEST_MAX_RECORD && !L->err) {
        L->err = fa_ctx_fail(L->ctx, FA_ERR_CSV_HEADER,
                             "%s:%lld: a record over %d MiB (an unterminated "
                             "quote?)",
                             L->name, (long long)L->rec_line,
                             FA_INGEST_MAX_RECORD >> 20);
        return;
    }
    if (L->reclen + len + 1 > L->reccap) {
        L->reccap = 2 * (L->reclen + len + 1);
        L->rec = fa_xrealloc(L->rec, L->reccap, 1);
    }
    if (len)
        memcpy(L->rec + L->reclen, s, len);
    L->rec[L->reclen + len] = '\0';
    L->foff[L->nfields] = L->reclen;
    L->flen[L->nfields] = len;
    L->nfields++;
    L->reclen += len + 1;
}

static void
on_row(int c, void *data)
{
    struct loader *L = data;

    (void)c;
    if (!L->err) {
        if (!L->have_header)
            L->err = header_row(L);
        else if (L->unterminated) {
            L->rows_read++;
            reject(L, (int)L->nfields - 1, "unterminated quoted field");
        } else
            data_row(L);
    }
    L->nfields = 0;
    L->reclen = 0;
}

static int
no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* Feeds decoded bytes to libcsv one physical line at a time. */
static void
feed(struct loader *L, struct csv_parser *p, const char *s, size_t n)
{
    while (n > 0 && !L->err) {
        /* a line ends at LF, CR or CRLF, as libcsv's records do */
        const char *nl = memchr(s, '\n', n);
        const char *cr = memchr(s, '\r', nl ? (size_t)(nl - s) : n);
        const char *end = cr ? cr : nl;
        size_t len = end ? (size_t)(end - s) + 1 : n;
        int crlf_tail = L->pending_cr && len == 1 && *s == '\n';

        /* between records: this piece starts the next one */
        if (p->pstate == CSV_STATE_ROW_NOT_BEGUN)
            L->rec_line = L->piece_line;
        if (csv_parse(p, s, len, on_field, on_row, L) != len) {
            L->err = fa_ctx_fail(L->ctx, FA_ERR_CSV_HEADER, "%s:%lld: %s",
                                 L->name, (long long)L->piece_line,
                                 csv_strerror(csv_error(p)));
            return;
        }
        if (p->entry_pos > FA_INGEST_MAX_RECORD) {
            L->err = fa_ctx_fail(L->ctx, FA_ERR_CSV_HEADER,
                                 "%s:%lld: a field over %d MiB (an "
                                 "unterminated quote?)",
                                 L->name, (long long)L->rec_line,
                                 FA_INGEST_MAX_RECORD >> 20);
            return;
        }
        /* the LF of a CRLF split from its CR ends no new line */
        if (end && !crlf_tail)
            L->piece_line++;
        L->pending_cr = end && *end == '\r';
        s += len;
        n -= len;
        if (L->have_header && L->o->progress &&
            L->rows_read >= L->next_progress) {
            L->next_progress = L->rows_read + 65536;
            L->o->progress(L->o->progress_data, L->rows_read, L->bytes,
                           L->total, 0);
        }
    }
}

/* Tab when the file is named .tsv, or its first line has a tab and no
 * comma; comma otherwise. */
static char
guess_delimiter(const char *path, const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    size_t len = nl ? (size_t)(nl - s) : n;
    size_t plen = strlen(path);

    if ((plen > 4 && strcmp(path + plen - 4, ".tsv") == 0) ||
        (plen > 7 && strcmp(path + plen - 7, ".tsv.gz") == 0))
        return '\t';
    if (memchr(s, '\t', len) && !memchr(s, ',', len))
        return '\t';
    return ',';
}

/* Reads, hashes, inflates and parses the whole input. */
static void
read_input(struct loader *L, int fd)
{
    unsigned char *in = fa_xmalloc(CHUNK), *out = fa_xmalloc(CHUNK);
    crypto_hash_sha256_state sha;
    struct csv_parser p;
    z_stream z = {0};
    int gzip = -1, zinit = 0, first = 1;
    unsigned char digest[crypto_hash_sha256_BYTES];

    crypto_hash_sha256_init(&sha);
    csv_init(&p, CSV_APPEND_NULL);
    csv_set_space_func(&p, no_space);
    for (;;) {
        ssize_t got = read(fd, in, CHUNK);
        const char *data;
        size_t len;

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            L->err = fa_ctx_fail(L->ctx, FA_ERR_IO_READ, "cannot read '%s': %s",
                                 L->name, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        L->bytes += got;
        crypto_hash_sha256_update(&sha, in, (unsigned long long)got);
        if (gzip < 0) {
            gzip = got >= 2 && in[0] == 0x1f && in[1] == 0x8b;
            if (gzip) {
                if (inflateInit2(&z, 15 + 32) != Z_OK) {
                    L->err = fa_ctx_fail(L->ctx, FA_ERR_INTERNAL,
                                         "zlib: cannot start inflate");
                    break;
                }
                zinit = 1;
            }
        }
        z.next_in = in;
        z.avail_in = (uInt)got;
        do {
            if (gzip) {
                int rc;

                z.next_out = out;
                z.avail_out = CHUNK;
                rc = inflate(&z, Z_NO_FLUSH);
                if (rc == Z_STREAM_END && z.avail_in > 0)
                    rc = inflateReset(&z); /* another gzip member */
                if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
                    L->err = fa_ctx_fail(L->ctx, FA_ERR_GZIP,
                                         "%s: corrupt gzip data: %s", L->name,
                                         z.msg ? z.msg : "error");
                    break;
                }
                data = (const char *)out;
                len = CHUNK - z.avail_out;
            } else {
                data = (const char *)in;
                len = (size_t)got;
                z.avail_in = 0;
            }
            if (first && len > 0) {
                first = 0;
                if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
                    data += 3;
                    len -= 3;
                }
                if (!L->ds.delimiter)
                    L->ds.delimiter = guess_delimiter(L->o->path, data, len);
                csv_set_delim(&p, (unsigned char)L->ds.delimiter);
            }
            feed(L, &p, data, len);
        } while (!L->err && z.avail_in > 0);
        if (L->err)
            break;
    }
    if (!L->err && gzip > 0 && zinit) {
        /* Drain what zlib still holds; a stream that never reaches its
         * end is a truncated file, not a short one. */
        int rc;

        do {
            z.next_in = NULL;
            z.avail_in = 0;
            z.next_out = out;
            z.avail_out = CHUNK;
            rc = inflate(&z, Z_FINISH);
            if (CHUNK - z.avail_out > 0)
                feed(L, &p, (const char *)out, CHUNK - z.avail_out);
        } while (!L->err && (rc == Z_OK || rc == Z_BUF_ERROR) &&
                 z.avail_out == 0);
        if (!L->err && rc != Z_STREAM_END)
            L->err = fa_ctx_fail(L->ctx, FA_ERR_GZIP,
                                 "%s: gzip data ends early (truncated "
                                 "file?)",
                                 L->name);
    }
    if (!L->err) {
        L->unterminated = p.pstate == CSV_STATE_FIELD_BEGUN && p.quoted;
        csv_fini(&p, on_field, on_row, L);
    }
    csv_free(&p);
    if (zinit)
        inflateEnd(&z);
    crypto_hash_sha256_final(&sha, digest);
    sodium_bin2hex(L->ds.sha256, sizeof(L->ds.sha256), digest, sizeof(digest));
    free(in);
    free(out);
}

/*
 * Quantile edges of one dim: the R type-7 quantiles at k/q, k = 1..q-1,
 * duplicates dropped (ties can make two quantiles equal).
 */
static void
quantile_edges(fa_dim *d, double *v, size_t n, int q)
{
    qsort(v, n, sizeof(*v), fa_cmp_double);
    free(d->edges);
    d->edges = fa_xcalloc((size_t)q, sizeof(double));
    d->nedges = 0;
    if (n == 0)
        return;
    for (int k = 1; k < q; k++) {
        double h = (double)(n - 1) * k / q;
        size_t lo = (size_t)floor(h);
        double e = v[lo];

        if (lo + 1 < n)
            e += (h - (double)lo) * (v[lo + 1] - v[lo]);
        if (d->nedges == 0 || e > d->edges[d->nedges - 1])
            d->edges[d->nedges++] = e;
    }
}

static char *
mapping_json(const struct fa_ingest_opts *o, char delimiter)
{
    json_t *m = json_object(), *a = json_array(), *s = json_array();
    json_t *b = json_object();
    char delim[2] = {delimiter, 0};
    char *text;

#define SET_STR(key, v)                                                        \
    json_object_set_new(m, key, (v) ? json_string(v) : json_null())
    SET_STR("label", o->label);
    SET_STR("pred", o->pred);
    SET_STR("score", o->score);
    SET_STR("weight", o->weight);
    SET_STR("positive", o->positive);
    SET_STR("negative", o->negative);
    SET_STR("pred_positive", o->pred_positive);
    SET_STR("pred_negative", o->pred_negative);
#undef SET_STR
    json_object_set_new(m, "threshold",
                        o->has_threshold ? json_real(o->threshold)
                                         : json_null());
    for (size_t i = 0; i < o->nattrs; i++)
        json_array_append_new(a, json_string(o->attrs[i]));
    for (size_t i = 0; i < o->nsegments; i++)
        json_array_append_new(s, json_string(o->segments[i]));
    for (size_t i = 0; i < o->nbins; i++)
        json_object_set_new(b, o->bins[i].column, json_string(o->bins[i].spec));
    json_object_set_new(m, "attributes", a);
    json_object_set_new(m, "segments", s);
    json_object_set_new(m, "bins", b);
    json_object_set_new(m, "delimiter", json_string(delim));
    text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(m);
    if (!text)
        abort(); /* jansson fails only when out of memory */
    return text;
}

static const char *
bin_spec_of(const struct fa_ingest_opts *o, const char *column)
{
    for (size_t i = 0; i < o->nbins; i++)
        if (strcmp(o->bins[i].column, column) == 0)
            return o->bins[i].spec;
    return NULL;
}

static fa_err
setup(struct loader *L)
{
    const struct fa_ingest_opts *o = L->o;
    size_t nd = o->nattrs + o->nsegments;
    char when[32];

    L->ds.source = fa_xstrdup(o->path);
    L->ds.labelled = o->label != NULL;
    L->ds.weighted = o->weight != NULL;
    L->ds.scored = o->score != NULL;
    L->ds.delimiter = o->delimiter;
    fa_ctx_now_iso(L->ctx, when, sizeof(when));
    L->ds.loaded_at = fa_xstrdup(when);
    L->ds.ndims = nd;
    L->ds.nattrs = o->nattrs;
    L->ds.dims = fa_xcalloc(nd ? nd : 1, sizeof(fa_dim));
    L->dicts = fa_xcalloc(nd ? nd : 1, sizeof(struct dict));
    L->quantiles = fa_xcalloc(nd ? nd : 1, sizeof(int));
    L->qvals = fa_xcalloc(nd ? nd : 1, sizeof(double *));
    L->nq = fa_xcalloc(nd ? nd : 1, sizeof(size_t));
    L->qcap = fa_xcalloc(nd ? nd : 1, sizeof(size_t));
    for (size_t j = 0; j < nd; j++) {
        fa_dim *d = &L->ds.dims[j];
        const char *spec;
        fa_err err;

        d->kind = j < o->nattrs ? FA_DIM_ATTRIBUTE : FA_DIM_SEGMENT;
        d->name = fa_xstrdup(j < o->nattrs ? o->attrs[j]
                                           : o->segments[j - o->nattrs]);
        d->missing_code = -1;
        dict_init(&L->dicts[j]);
        spec = bin_spec_of(o, d->name);
        if (!spec)
            continue;
        d->bin_spec = fa_xstrdup(spec);
        err = fa_ingest_parse_bin(L->ctx, d->name, spec, &d->edges, &d->nedges,
                                  &L->quantiles[j]);
        if (err)
            return err;
    }
    for (int i = 0; i < 2; i++)
        fa_row_batch_init(&L->slots[i].rows, BATCH_ROWS, nd);
    L->total = -1;
    return FA_OK;
}

static void
loader_release(struct loader *L)
{
    for (size_t j = 0; j < L->ds.ndims; j++) {
        dict_release(&L->dicts[j]);
        free(L->qvals[j]);
    }
    free(L->dicts);
    free(L->qvals);
    free(L->nq);
    free(L->qcap);
    free(L->quantiles);
    for (size_t c = 0; c < L->ncols; c++)
        free(L->header[c]);
    free(L->header);
    free(L->rec);
    free(L->label_neg);
    free(L->pred_neg);
    free(L->foff);
    free(L->flen);
    for (int i = 0; i < 2; i++) {
        slot_clear(&L->slots[i]);
        free(L->slots[i].rej);
        fa_row_batch_release(&L->slots[i].rows);
    }
    fa_ctx_free(L->w.ctx);
    fa_dataset_release(&L->ds);
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

fa_err
fa_ingest_parse_bin(fa_ctx *ctx, const char *column, const char *spec,
                    double **edges, size_t *nedges, int *quantiles)
{
    const char *p = spec;
    size_t n = 0;

    *edges = NULL;
    *nedges = 0;
    *quantiles = 0;
    if (spec[0] == 'q') {
        char *end;
        long q = strtol(spec + 1, &end, 10);

        if (end == spec + 1 || *end || q < 2 || q > 100)
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "bad --bin for '%s': '%s' (quantiles are q2 "
                               "to q100)",
                               column, spec);
        *quantiles = (int)q;
        return FA_OK;
    }
    *edges = fa_xcalloc(strlen(spec) + 1, sizeof(double));
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *num = fa_xstrndup(p, len);
        double e;
        int bad = fa_parse_double(num, &e) != 0 || len == 0;

        free(num);
        if (bad || (n > 0 && e <= (*edges)[n - 1])) {
            free(*edges);
            *edges = NULL;
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "bad --bin for '%s': '%s' (expected strictly "
                               "ascending numbers such as 18,25,40, or qN)",
                               column, spec);
        }
        (*edges)[n++] = e;
        p += len + (comma ? 1 : 0);
        if (comma && !*p) {
            free(*edges);
            *edges = NULL;
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "bad --bin for '%s': '%s' ends with a comma",
                               column, spec);
        }
    }
    if (n == 0) {
        free(*edges);
        *edges = NULL;
        return fa_ctx_fail(ctx, FA_ERR_USAGE, "bad --bin for '%s': empty",
                           column);
    }
    *nedges = n;
    return FA_OK;
}

fa_err
fa_ingest(fa_ctx *ctx, fa_store *st, const struct fa_ingest_opts *opts,
          struct fa_ingest_result *out)
{
    struct loader L = {0};
    struct stat sb;
    int fd = -1;
    int64_t reuse = 0;
    fa_err err;

    *out = (struct fa_ingest_result){0};
    L.ctx = ctx;
    L.st = st;
    L.o = opts;
    L.name = strcmp(opts->path, "-") == 0 ? "<stdin>" : opts->path;
    L.piece_line = 1;
    err = setup(&L);
    if (err)
        goto out;
    if (strcmp(opts->path, "-") == 0) {
        fd = STDIN_FILENO;
    } else if ((fd = open(opts->path, O_RDONLY)) < 0) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_READ, "cannot open '%s': %s",
                          opts->path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        L.total = (int64_t)sb.st_size;
    else if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_READ, "cannot read '%s': %s",
                          opts->path, strerror(EISDIR));
        goto out;
    }
    err = fa_store_tune_for_load(ctx, st);
    if (!err)
        err = fa_store_begin(ctx, st);
    if (err)
        goto out;
    read_input(&L, fd);
    if (!L.err)
        L.err = submit(&L);
    {
        fa_err werr = writer_finish(&L);

        if (!L.err)
            L.err = werr;
    }
    err = L.err;
    if (!err && !L.have_header)
        err = fa_ctx_fail(ctx, FA_ERR_CSV_HEADER,
                          "%s: empty file (expected a header row)", L.name);
    if (!err && L.rows_read == 0)
        err = fa_ctx_fail(ctx, FA_ERR_CSV_EMPTY,
                          "%s: no data rows after the header", L.name);
    if (!err && L.rows_loaded == 0)
        err = fa_ctx_fail(ctx, FA_ERR_CSV_EMPTY,
                          "%s: no usable data rows (all %lld rejected)", L.name,
                          (long long)L.rows_rejected);
    if (!err) {
        for (size_t j = 0; j < L.ds.ndims; j++)
            if (L.quantiles[j])
                quantile_edges(&L.ds.dims[j], L.qvals[j], L.nq[j],
                               L.quantiles[j]);
        L.ds.bytes = L.bytes;
        L.ds.rows_read = L.rows_read;
        L.ds.rows_loaded = L.rows_loaded;
        L.ds.rows_rejected = L.rows_rejected;
        L.ds.score_min = L.smin;
        L.ds.score_max = L.smax;
        L.ds.mapping = mapping_json(opts, L.ds.delimiter);
        err = fa_store_dataset_find(ctx, st, L.ds.sha256, L.ds.mapping, &reuse);
    }
    if (!err && !reuse) {
        /* the mapping is known only now: the delimiter may be guessed */
        err = fa_store_dataset_finish(ctx, st, &L.ds);
    }
    if (err || reuse) {
        fa_store_rollback(st);
    } else {
        err = fa_store_commit(ctx, st);
    }
    if (!err) {
        out->dataset_id = reuse ? reuse : L.ds.id;
        out->reused = reuse != 0;
        out->rows_read = L.rows_read;
        out->rows_loaded = L.rows_loaded;
        out->rows_rejected = L.rows_rejected;
        if (opts->progress)
            opts->progress(opts->progress_data, L.rows_read, L.bytes, L.total,
                           1);
    }
out:
    if (fd > STDIN_FILENO)
        close(fd);
    loader_release(&L);
    return err;
}
