/* util.c — allocation, the error context, UTF-8 and number helpers. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct fa_ctx {
    fa_err err;
    char *msg;
    int64_t now;
    int fixed; /* SOURCE_DATE_EPOCH is set */
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

char *
fa_xvasprintf(const char *fmt, va_list ap)
{
    return vasprintf_x(fmt, ap);
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
        if (!errno && end && *end == '\0' && v >= 0) {
            ctx->now = (int64_t)v;
            ctx->fixed = 1;
        }
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

void
fa_ctx_clock_iso(const fa_ctx *ctx, char *buf, size_t size)
{
    time_t t = ctx->fixed ? (time_t)ctx->now : time(NULL);
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

/*
 * Clinger's fast path: a decimal with at most 15 significant digits is an
 * exact double m, and 10^k for |k| <= 22 is exact too, so one correctly
 * rounded multiplication or division gives the correctly rounded result,
 * the same bits as strtod. Returns -1 when the text is not that simple.
 */
static int
parse_simple(const char *s, double *out)
{
    static const double pow10[] = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    uint64_t m = 0;
    int neg = 0, digits = 0, any = 0, exp10 = 0;

    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, any = 1) {
        if (m == 0 && *p == '0')
            continue;
        if (++digits > 15)
            return -1;
        m = m * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
            exp10--;
            if (m == 0 && *p == '0')
                continue;
            if (++digits > 15)
                return -1;
            m = m * 10 + (uint64_t)(*p - '0');
        }
    }
    if (!any)
        return -1;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0, e = 0, edigits = 0;

        p++;
        if (*p == '-' || *p == '+')
            eneg = *p++ == '-';
        for (; *p >= '0' && *p <= '9'; p++) {
            if (++edigits > 4)
                return -1;
            e = e * 10 + (*p - '0');
        }
        if (!edigits)
            return -1;
        exp10 += eneg ? -e : e;
    }
    if (*p != '\0' || exp10 < -22 || exp10 > 22)
        return -1;
    *out = exp10 < 0 ? (double)m / pow10[-exp10] : (double)m * pow10[exp10];
    if (neg)
        *out = -*out;
    return 0;
}

int
fa_parse_double(const char *s, double *out)
{
    char *end = NULL;
    double d;

    if (parse_simple(s, out) == 0)
        return 0;

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

const char *
fa_intern(const char *s)
{
    static char **pool;
    static size_t n, cap;

    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(pool[i], s) == 0)
            return pool[i];
    if (n == cap) {
        cap = cap ? 2 * cap : 32;
        pool = fa_xrealloc(pool, cap, sizeof(*pool));
    }
    pool[n] = fa_xstrdup(s);
    return pool[n++];
}

int
fa_below_share(int64_t n, int64_t total, double share)
{
    return (double)n < share * (double)total * (1 - 1e-12);
}

/* A control (C0, DEL, C1) or a bidirectional formatting character. */
static int
hidden_code(uint32_t c)
{
    return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c < 0xa0) ||
           c == 0x061c || c == 0x200e || c == 0x200f ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0xfffe || c == 0xffff; /* not characters (nor XML's) */
}

char *
fa_shell_quote(const char *s)
{
    char *out = fa_xmalloc(strlen(s) * 4 + 3), *o = out;

    *o++ = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *s;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

fa_err
fa_file_commit(fa_ctx *ctx, const char *tmp, const char *path)
{
    fa_err err;

    if (rename(tmp, path) == 0)
        return FA_OK;
    err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", path,
                      strerror(errno));
    unlink(tmp);
    return err;
}

char *
fa_display_text(const char *s)
{
    size_t n = strlen(s), len = 0;
    char *out = fa_xmalloc(n * 8 + 1);
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        uint32_t c = *p;
        size_t k = 1;

        if (c >= 0xc0 && c < 0xe0 && (p[1] & 0xc0) == 0x80) {
            c = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
            k = 2;
        } else if (c >= 0xe0 && c < 0xf0 && (p[1] & 0xc0) == 0x80 &&
                   (p[2] & 0xc0) == 0x80) {
            c = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
                (p[2] & 0x3f);
            k = 3;
        } else if (c >= 0xf0 && c < 0xf8 && (p[1] & 0xc0) == 0x80 &&
                   (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
            /* beyond the BMP: nothing hidden there */
            k = 4;
        }
        if (hidden_code(c)) {
            len += (size_t)sprintf(out + len, "<U+%04X>", (unsigned)c);
        } else {
            memcpy(out + len, p, k);
            len += k;
        }
        p += k;
    }
    out[len] = '\0';
    return out;
}

int
fa_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}
