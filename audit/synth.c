/* synth.c — deterministic synthetic predictions with planted disparities
 * (GSL random numbers). The model is described in synth.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "synth.h"

static struct fa_synth_column *
add_col(struct fa_synth_spec *s, const char *name, int segment)
{
    struct fa_synth_column *c;

    s->cols = fa_xrealloc(s->cols, s->ncols + 1, sizeof(*s->cols));
    c = &s->cols[s->ncols++];
    *c = (struct fa_synth_column){0};
    c->name = fa_xstrdup(name);
    c->segment = segment;
    return c;
}

static void
add_value(struct fa_synth_column *c, const char *name, double share)
{
    struct fa_synth_value *v;

    c->values = fa_xrealloc(c->values, c->nvalues + 1, sizeof(*c->values));
    v = &c->values[c->nvalues++];
    v->name = fa_xstrdup(name);
    v->share = share;
    v->mult[0] = v->mult[1] = v->mult[2] = 1;
}

void
fa_synth_default(struct fa_synth_spec *s)
{
    struct fa_synth_column *c;

    *s = (struct fa_synth_spec){0};
    s->rows = 10000;
    s->seed = 1;
    s->base_rate = 0.3;
    s->tpr = 0.8;
    s->fpr = 0.1;
    s->missing = 0.01;
    c = add_col(s, "sex", 0);
    add_value(c, "female", 0.5);
    add_value(c, "male", 0.5);
    c->values[0].mult[1] = 0.75;
    c = add_col(s, "race", 0);
    add_value(c, "White", 0.6);
    add_value(c, "Black", 0.2);
    add_value(c, "Asian", 0.1);
    add_value(c, "Hispanic", 0.1);
    c->values[1].mult[2] = 1.8;
    c = add_col(s, "region", 1);
    add_value(c, "north", 0.25);
    add_value(c, "south", 0.35);
    add_value(c, "east", 0.2);
    add_value(c, "west", 0.2);
}

void
fa_synth_release(struct fa_synth_spec *s)
{
    for (size_t i = 0; i < s->ncols; i++) {
        for (size_t k = 0; k < s->cols[i].nvalues; k++)
            free(s->cols[i].values[k].name);
        free(s->cols[i].values);
        free(s->cols[i].name);
    }
    free(s->cols);
    s->cols = NULL;
    s->ncols = 0;
}

fa_err
fa_synth_add_column(fa_ctx *ctx, struct fa_synth_spec *s, const char *text,
                    int segment)
{
    const char *eq = strchr(text, '='), *p;
    struct fa_synth_column *c;
    char *name;

    if (!eq || eq == text || !eq[1])
        return fa_ctx_fail(ctx, FA_ERR_USAGE,
                           "bad column '%s' (expected NAME=V1:SHARE,...)",
                           text);
    name = fa_xstrndup(text, (size_t)(eq - text));
    for (size_t i = 0; i < s->ncols; i++) {
        if (strcmp(s->cols[i].name, name) == 0) {
            free(name);
            return fa_ctx_fail(ctx, FA_ERR_USAGE, "column '%.*s' given twice",
                               (int)(eq - text), text);
        }
    }
    c = add_col(s, name, segment);
    free(name);
    p = eq + 1;
    while (*p) {
        const char *comma = strchr(p, ','), *colon;
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = fa_xstrndup(p, len), *num;
        double share = 1;

        colon = strrchr(item, ':');
        if (colon) {
            num = fa_xstrdup(colon + 1);
            item[colon - item] = '\0';
            if (fa_parse_double(num, &share) != 0 || share <= 0) {
                free(num);
                free(item);
                return fa_ctx_fail(ctx, FA_ERR_USAGE,
                                   "bad share in '%s' (a number > 0)", text);
            }
            free(num);
        }
        if (!*item || strchr(item, '"') || strchr(item, '\n')) {
            free(item);
            return fa_ctx_fail(ctx, FA_ERR_USAGE, "bad value in '%s'", text);
        }
        add_value(c, item, share);
        free(item);
        p += len + (comma ? 1 : 0);
    }
    return FA_OK;
}

fa_err
fa_synth_plant(fa_ctx *ctx, struct fa_synth_spec *s, const char *text)
{
    const char *eq = strchr(text, '='), *colon;
    struct fa_synth_value *v = NULL;
    const char *p;

    colon = eq ? strchr(eq, ':') : NULL;
    if (!eq || !colon)
        return fa_ctx_fail(ctx, FA_ERR_USAGE,
                           "bad --plant '%s' (expected COL=VALUE:RATE=MULT)",
                           text);
    for (size_t i = 0; i < s->ncols && !v; i++) {
        struct fa_synth_column *c = &s->cols[i];

        if (strlen(c->name) != (size_t)(eq - text) ||
            strncmp(c->name, text, (size_t)(eq - text)) != 0)
            continue;
        for (size_t k = 0; k < c->nvalues && !v; k++)
            if (strlen(c->values[k].name) == (size_t)(colon - eq - 1) &&
                strncmp(c->values[k].name, eq + 1, (size_t)(colon - eq - 1)) ==
                    0)
                v = &c->values[k];
    }
    if (!v)
        return fa_ctx_fail(ctx, FA_ERR_USAGE,
                           "--plant '%s': no such column and value", text);
    p = colon + 1;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = fa_xstrndup(p, len), *e = strchr(item, '=');
        int which = -1;
        double m;

        if (e) {
            *e = '\0';
            which = strcmp(item, "base") == 0  ? 0
                    : strcmp(item, "tpr") == 0 ? 1
                    : strcmp(item, "fpr") == 0 ? 2
                    : strcmp(item, "sel") == 0 ? 3
                                               : -1;
        }
        if (which < 0 || fa_parse_double(e + 1, &m) != 0 || m < 0) {
            free(item);
            return fa_ctx_fail(ctx, FA_ERR_USAGE,
                               "bad --plant '%s' (RATE is base, tpr, fpr or "
                               "sel; MULT a number >= 0)",
                               text);
        }
        if (which == 3) {
            /* the selection rate: both error rates move together */
            v->mult[1] *= m;
            v->mult[2] *= m;
        } else {
            v->mult[which] = m;
        }
        free(item);
        p += len + (comma ? 1 : 0);
    }
    return FA_OK;
}

static double
clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static size_t
draw(gsl_rng *r, const struct fa_synth_column *c, double total)
{
    double u = gsl_rng_uniform(r) * total, acc = 0;

    for (size_t k = 0; k < c->nvalues; k++) {
        acc += c->values[k].share;
        if (u < acc)
            return k;
    }
    return c->nvalues - 1;
}

fa_err
fa_synth_write(fa_ctx *ctx, const struct fa_synth_spec *s, FILE *f)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *total = fa_xcalloc(s->ncols + 1, sizeof(double));
    size_t *pick = fa_xcalloc(s->ncols + 1, sizeof(size_t));
    fa_err err = FA_OK;

    gsl_rng_set(r, (unsigned long)s->seed);
    for (size_t i = 0; i < s->ncols; i++)
        for (size_t k = 0; k < s->cols[i].nvalues; k++)
            total[i] += s->cols[i].values[k].share;
    fprintf(f, "id");
    for (size_t i = 0; i < s->ncols; i++)
        fprintf(f, ",%s", s->cols[i].name);
    fprintf(f, ",age,label,decision,score%s\n", s->weights ? ",weight" : "");
    for (int64_t row = 1; row <= s->rows; row++) {
        double pb = s->base_rate, pt = s->tpr, pf = s->fpr, u;
        int y, yhat, age;
        long half;

        fprintf(f, "%lld", (long long)row);
        for (size_t i = 0; i < s->ncols; i++) {
            const struct fa_synth_value *v;

            pick[i] = draw(r, &s->cols[i], total[i]);
            v = &s->cols[i].values[pick[i]];
            pb *= v->mult[0];
            pt *= v->mult[1];
            pf *= v->mult[2];
            /* a missing value still carries its planted rates: missingness
             * here is at random, not informative */
            if (!s->cols[i].segment && gsl_rng_uniform(r) < s->missing)
                fputc(',', f);
            else
                fprintf(f, ",%s", v->name);
        }
        age = 18 + (int)gsl_rng_uniform_int(r, 63);
        y = gsl_rng_uniform(r) < clamp01(pb);
        yhat = gsl_rng_uniform(r) < clamp01(y ? pt : pf);
        u = gsl_rng_uniform(r);
        /* positives skew high, negatives low, inside each half */
        u = y ? 1 - (1 - u) * (1 - u) : u * u;
        half = (long)floor(u * 500000.0);
        if (half > 499999)
            half = 499999;
        fprintf(f, ",%d,%d,%d,0.%06ld", age, y, yhat,
                (yhat ? 500000L : 0L) + half);
        if (s->weights)
            fprintf(f, ",%.3f", 0.5 + gsl_rng_uniform_int(r, 1501) / 1000.0);
        fputc('\n', f);
        if (ferror(f))
            break;
    }
    if (fflush(f) != 0 || ferror(f))
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write the CSV: %s",
                          strerror(errno ? errno : EIO));
    gsl_rng_free(r);
    free(total);
    free(pick);
    return err;
}
