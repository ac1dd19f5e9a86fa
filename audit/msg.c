/* msg.c — messages to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "msg.h"

static int quiet;
static const char *command = "";

/*
 * Messages quote input (column names, values): control bytes are written
 * as \xHH so a hostile header cannot move the cursor or clear the screen.
 */
static void
emit(const char *kind, const char *fmt, va_list ap)
{
    char small[512], *buf = small;
    va_list aq;
    int len;

    va_copy(aq, ap);
    len = vsnprintf(small, sizeof(small), fmt, aq);
    va_end(aq);
    if (len < 0)
        len = 0;
    if ((size_t)len >= sizeof(small)) {
        buf = malloc((size_t)len + 1);
        if (!buf)
            abort();
        vsnprintf(buf, (size_t)len + 1, fmt, ap);
    }
    fputs("fairaudit: ", stderr);
    if (kind)
        fprintf(stderr, "%s: ", kind);
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
    if (buf != small)
        free(buf);
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

void
fa_msg_set_command(const char *name)
{
    command = name;
}

const char *
fa_msg_command(void)
{
    return command;
}
