/* util.h — allocation that aborts on exhaustion, the error context, small
 * string helpers.
 *
 * fa_ctx is an opaque handle owned by its creator (fa_ctx_new/fa_ctx_free).
 * The first failure recorded in a context wins; later ones are dropped so
 * the message names the cause, not a consequence.
 */
#ifndef FA_UTIL_H
#define FA_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "fa_err.h"

#define FA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#ifdef FA_TESTING
#define FA_STATIC
#else
#define FA_STATIC static
#endif

/* Allocation: never returns NULL; prints and aborts when memory runs out
 * or n * size overflows. */
void *fa_xmalloc(size_t size);
void *fa_xcalloc(size_t n, size_t size);
void *fa_xrealloc(void *p, size_t n, size_t size);
char *fa_xstrdup(const char *s);
char *fa_xstrndup(const char *s, size_t n);
/* printf into a new string, the caller's to free() */
char *fa_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *fa_xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

typedef struct fa_ctx fa_ctx;

/* A new context; reads SOURCE_DATE_EPOCH once. */
fa_ctx *fa_ctx_new(void);
void fa_ctx_free(fa_ctx *ctx);

/* Records err and its message unless a failure is already recorded; returns
 * the error that is recorded (the first). */
fa_err fa_ctx_fail(fa_ctx *ctx, fa_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The recorded error, FA_OK when none. */
fa_err fa_ctx_err(const fa_ctx *ctx);
/* The recorded message (borrowed), "" when none. */
const char *fa_ctx_msg(const fa_ctx *ctx);
/* Forgets the recorded failure. */
void fa_ctx_clear(fa_ctx *ctx);

/*
 * Renames tmp, a finished output, to path; on failure removes tmp and
 * fails with FA_ERR_IO_WRITE naming path.
 */
fa_err fa_file_commit(fa_ctx *ctx, const char *tmp, const char *path);

/*
 * The time stamps of outputs: SOURCE_DATE_EPOCH when it is set (so outputs
 * are reproducible), else the current time; read once at fa_ctx_new.
 */
int64_t fa_ctx_now(const fa_ctx *ctx);
/* The same as ISO 8601 UTC "2026-01-31T12:00:00Z" into buf (>= 21 bytes). */
void fa_ctx_now_iso(const fa_ctx *ctx, char *buf, size_t size);

/* The time it is now, as fa_ctx_now_iso writes it: SOURCE_DATE_EPOCH when
 * set, else the clock's (for the end of a step). */
void fa_ctx_clock_iso(const fa_ctx *ctx, char *buf, size_t size);

/*
 * A copy of s that lives until the process ends, one per distinct text, so
 * reasons made at run time or read from the store keep the
 * borrowed-forever contract of the metrics library's static reasons.
 * NULL gives NULL. Not thread-safe: the main thread calls it.
 */
const char *fa_intern(const char *s);

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int fa_utf8_valid(const char *s, size_t n);

/*
 * Shortest decimal text that reads back as exactly d (%.15g to %.17g) into
 * buf (>= 32 bytes).
 */
void fa_fmt_double(double d, char *buf, size_t size);

/* qsort's comparison of two doubles, ascending (no NaN). */
int fa_cmp_double(const void *a, const void *b);

/* Parses all of s as a finite double; 0 on success, -1 otherwise. */
int fa_parse_double(const char *s, double *out);

/*
 * 1 when n rows are fewer than share of total, a bound met within rounding
 * counting as met (7 of 100 is not under 7%, though 0.07 * 100 is
 * 7.000000000000001 in doubles).
 */
int fa_below_share(int64_t n, int64_t total, double share);

/*
 * s with every control and bidirectional formatting character, and the
 * noncharacters U+FFFE and U+FFFF, written as "<U+202E>", so text from the
 * data can neither reorder nor hide the text drawn around it, nor break a
 * PDF or an XML part (caller frees).
 */
char *fa_display_text(const char *s);

/* s quoted for a POSIX shell: 'it'\''s' (caller frees). */
char *fa_shell_quote(const char *s);

#endif /* FA_UTIL_H */
