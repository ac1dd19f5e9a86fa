/* util.c — allocation, the error context, UTF-8 and number helpers. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

struct fa_ctx {
    fa_err err;
    char *msg;
    int64_t now;
};

static void
oom(size_t size)
{
    fprintf(stderr, "fairaudit: fatal: out of memory allocating %zu bytes\n",
            size);
    abort();
}

void *
fa_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        oom(size);
    return p;
}

void *
fa_xcalloc(size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *
fa_xrealloc(void *p, size_t n, size_t size)
{
    void *q;

    if (size && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    q = realloc(p, n * size > 0 ? n * size : 1);
    if (!q)
        oom(n * size);
    return q;
}

char *
fa_xstrdup(const char *s)
{
    return fa_xstrndup(s, strlen(s));
}

char *
fa_xstrndup(const char *s, size_t n)
{
    char *d = fa_xmalloc(n + 1);

    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *
vasprintf_x(const char *fmt, va_list ap)
{
    va_list aq;
    int len;
    char *s;

    va_copy(aq, ap);
    len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (len < 0)
        len = 0;
    s = fa_xmalloc((size_t)len + 1);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    return s;
}

char *
fa_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = vasprintf_x(fmt, ap);
    va_end(ap);
    return s;
}

fa_ctx *
fa_ctx_new(void)
{
    fa_ctx *ctx = fa_xcalloc(1, sizeof(*ctx));
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    long long v;

    ctx->now = (int64_t)time(NULL);
    if (sde && *sde) {
        errno = 0;
        v = strtoll(sde, &end, 10);
        if (!errno && end && *end == '\0' && v >= 0)
            ctx->now = (int64_t)v;
    }
    return ctx;
}

void
fa_ctx_free(fa_ctx *ctx)
{
    if (!ctx)
        return;
    free(ctx->msg);
    free(ctx);
}

fa_err
fa_ctx_fail(fa_ctx *ctx, fa_err err, const char *fmt, ...)
{
    va_list ap;

    if (ctx->err != FA_OK)
        return ctx->err;
    ctx->err = err;
    va_start(ap, fmt);
    ctx->msg = vasprintf_x(fmt, ap);
    va_end(ap);
    return err;
}

fa_err
fa_ctx_err(const fa_ctx *ctx)
{
    return ctx->err;
}

const char *
fa_ctx_msg(const fa_ctx *ctx)
{
    return ctx->msg ? ctx->msg : "";
}

void
fa_ctx_clear(fa_ctx *ctx)
{
    free(ctx->msg);
    ctx->msg = NULL;
    ctx->err = FA_OK;
}

int64_t
fa_ctx_now(const fa_ctx *ctx)
{
    return ctx->now;
}

void
fa_ctx_now_iso(const fa_ctx *ctx, char *buf, size_t size)
{
    time_t t = (time_t)ctx->now;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
fa_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

void
fa_fmt_double(double d, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

int
fa_parse_double(const char *s, double *out)
{
    char *end = NULL;
    double d;

    if (!*s)
        return -1;
    errno = 0;
    d = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(d))
        return -1;
    /* Overflow gives HUGE_VAL (caught above); underflow to 0 is a number. */
    if (errno == ERANGE && fabs(d) > 1)
        return -1;
    *out = d;
    return 0;
}
