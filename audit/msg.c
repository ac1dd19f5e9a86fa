/* msg.c — messages to stderr. */
#include <stdarg.h>
#include <stdio.h>

#include "msg.h"

static int quiet;

static void
emit(const char *kind, const char *fmt, va_list ap)
{
    fputs("fairaudit: ", stderr);
    if (kind)
        fprintf(stderr, "%s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void
fa_errorf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit("error", fmt, ap);
    va_end(ap);
}

void
fa_warnf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit("warning", fmt, ap);
    va_end(ap);
}

void
fa_notef(const char *fmt, ...)
{
    va_list ap;

    if (quiet)
        return;
    va_start(ap, fmt);
    emit(NULL, fmt, ap);
    va_end(ap);
}

void
fa_msg_set_quiet(int q)
{
    quiet = q;
}

int
fa_msg_quiet(void)
{
    return quiet;
}
