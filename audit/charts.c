/* charts.c — the report's charts (cairo, pango): rates, forest plot, small
 * multiples and heatmap, and their SVG and PNG files.
 *
 * Reads a loaded run (fa_results) and its template's JSON (jansson); owns
 * nothing past a call. Every chart draws in points into (0, 0)-(w, h) of
 * the caller's context and leaves its state as it found it; a cairo error
 * is sticky, so the caller checks cairo_status() once per chart.
 *
 * Text from the data (group values, column names) is set with
 * pango_layout_set_text, never as markup, so any bytes a CSV held show as
 * themselves. Numbers are formatted with snprintf in the C locale the
 * program runs in, and hinting is off, so a chart's layout does not
 * depend on the surface's resolution and the files are identical from run
 * to run.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo-svg.h>
#include <cairo.h>
#include <jansson.h>
#include <pango/pangocairo.h>

#include "charts.h"

/* ------------------------------------------------------------------ */
/* Private functions: colours, marks, text                             */

#define MARGIN 8.0
#define ROW_MAX 36.0  /* a row is never taller than this */
#define ROW_MIN 8.0   /* nor shorter: rows that do not fit are counted */
#define ROW_PREF 14.0 /* rows of a written chart with many groups */
#define HEAD_H 13.0   /* the column headers above the rows */
#define AXIS_H 30.0   /* tick labels and the axis title below */
#define CELL_W 46.0   /* heatmap cells of a written chart */
#define CELL_H 30.0
#define CELL_MIN 8.0
#define HEAT_MAX_COLS 200
#define HEAT_MAX_CELLS 100000
#define FILE_MAX_W 1600.0 /* a written chart's largest size (the PNG is */
#define FILE_MAX_H 2400.0 /* twice that in pixels); past it, rows are cut */
#define FONT "DejaVu Sans"
#define PI 3.14159265358979323846
#define TIMES "\xc3\x97"       /* U+00D7 */
#define EN_DASH "\xe2\x80\x93" /* U+2013 */

/* Okabe-Ito, and the greys of the verdicts without a colour */
#define C_BLACK 0x000000
#define C_GREEN 0x009E73      /* bluish green: pass */
#define C_VERMILLION 0xD55E00 /* fail */
#define C_GREY 0x999999       /* insufficient evidence */
#define C_LIGHT 0xBBBBBB      /* excluded */
#define C_TEXT2 0x555555      /* secondary text */
#define C_GRID 0xDDDDDD
#define C_ZEBRA 0xF4F4F4
#define C_BAND 0x56B4E9 /* sky blue, drawn faint */

/* How a point is drawn: its verdict, or the reference. */
enum mark {
    MARK_PASS,
    MARK_FAIL,
    MARK_INSUFFICIENT,
    MARK_EXCLUDED,
    MARK_REFERENCE,
    MARK_NOT_JUDGED,
    MARK_COUNT
};

static const struct {
    unsigned rgb;
    const char *name;
} marks[] = {
    [MARK_PASS] = {C_GREEN, "pass"},
    [MARK_FAIL] = {C_VERMILLION, "fail"},
    [MARK_INSUFFICIENT] = {C_GREY, "insufficient evidence"},
    [MARK_EXCLUDED] = {C_LIGHT, "excluded"},
    [MARK_REFERENCE] = {C_BLACK, "reference"},
    [MARK_NOT_JUDGED] = {C_BLACK, "not judged"},
};

_Static_assert(FA_ARRAY_LEN(marks) == MARK_COUNT, "every mark needs a row");

/* What a chart calls a metric. */
static const char *const metric_labels[] = {
    [FA_METRIC_BASE_RATE] = "Base rate",
    [FA_METRIC_SELECTION_RATE] = "Selection rate",
    [FA_METRIC_ACCURACY] = "Accuracy",
    [FA_METRIC_BALANCED_ACCURACY] = "Balanced accuracy",
    [FA_METRIC_TPR] = "TPR",
    [FA_METRIC_FPR] = "FPR",
    [FA_METRIC_TNR] = "TNR",
    [FA_METRIC_FNR] = "FNR",
    [FA_METRIC_PPV] = "PPV",
    [FA_METRIC_NPV] = "NPV",
    [FA_METRIC_FDR] = "FDR",
    [FA_METRIC_FOR] = "FOR",
    [FA_METRIC_F1] = "F1 score",
    [FA_METRIC_AUC] = "AUC",
    [FA_METRIC_BRIER] = "Brier score",
    [FA_METRIC_MEAN_SCORE] = "Mean score",
};

_Static_assert(FA_ARRAY_LEN(metric_labels) == FA_METRIC_COUNT,
               "every metric needs a label");

/* The panels of the small multiples. */
static const fa_metric multiples[4] = {FA_METRIC_TPR, FA_METRIC_FPR,
                                       FA_METRIC_PPV, FA_METRIC_NPV};

static void
set_rgb(cairo_t *cr, unsigned rgb)
{
    cairo_set_source_rgb(cr, (rgb >> 16 & 0xff) / 255.0,
                         (rgb >> 8 & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

/* A line segment from (x0, y0) to (x1, y1), added to the path. */
static void
seg(cairo_t *cr, double x0, double y0, double x1, double y1)
{
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
}

/* A five-pointed star around (x, y), outer radius r. */
static void
star_path(cairo_t *cr, double x, double y, double r)
{
    for (int k = 0; k < 10; k++) {
        double a = -PI / 2 + k * PI / 5, rr = k % 2 ? 0.45 * r : r;

        if (k == 0)
            cairo_move_to(cr, x + rr * cos(a), y + rr * sin(a));
        else
            cairo_line_to(cr, x + rr * cos(a), y + rr * sin(a));
    }
    cairo_close_path(cr);
}

/* Mark k at (x, y), about r in radius: shape and colour both tell the
 * verdict, so a grey print still does. */
static void
draw_mark(cairo_t *cr, int k, double x, double y, double r)
{
    cairo_save(cr);
    cairo_new_path(cr);
    set_rgb(cr, marks[k].rgb);
    switch (k) {
    case MARK_PASS:
        cairo_arc(cr, x, y, r, 0, 2 * PI);
        cairo_fill(cr);
        break;
    case MARK_FAIL:
        cairo_rectangle(cr, x - 0.9 * r, y - 0.9 * r, 1.8 * r, 1.8 * r);
        cairo_fill(cr);
        break;
    case MARK_INSUFFICIENT:
        cairo_move_to(cr, x, y - 1.25 * r);
        cairo_line_to(cr, x + 1.25 * r, y);
        cairo_line_to(cr, x, y + 1.25 * r);
        cairo_line_to(cr, x - 1.25 * r, y);
        cairo_close_path(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        set_rgb(cr, marks[k].rgb);
        cairo_set_line_width(cr, 1.3);
        cairo_stroke(cr);
        break;
    case MARK_EXCLUDED:
        cairo_move_to(cr, x - 0.9 * r, y - 0.9 * r);
        cairo_line_to(cr, x + 0.9 * r, y + 0.9 * r);
        cairo_move_to(cr, x + 0.9 * r, y - 0.9 * r);
        cairo_line_to(cr, x - 0.9 * r, y + 0.9 * r);
        cairo_set_line_width(cr, 1.6);
        cairo_stroke(cr);
        break;
    case MARK_REFERENCE:
        star_path(cr, x, y, 1.45 * r);
        cairo_fill(cr);
        break;
    default:
        cairo_arc(cr, x, y, 0.6 * r, 0, 2 * PI);
        cairo_fill(cr);
        break;
    }
    cairo_restore(cr);
}

/* Diagonal hatching over a light ground: a cell without a usable value. */
static void
hatch(cairo_t *cr, double x, double y, double w, double h)
{
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    set_rgb(cr, 0xEEEEEE);
    cairo_paint(cr);
    for (double d = -h; d < w; d += 5)
        seg(cr, x + d, y + h, x + d + h, y);
    set_rgb(cr, 0x999999);
    cairo_set_line_width(cr, 0.7);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* One chart being drawn: its context, and one pango layout reused for
 * every text. */
struct chart {
    cairo_t *cr;
    double w, h;
    PangoContext *pc;
    PangoLayout *lay;
    PangoFontDescription *fd;
};

struct style {
    double size; /* points */
    int bold;
    unsigned rgb;
};

static const struct style st_title = {10.5, 1, C_BLACK};
static const struct style st_sub = {7.5, 0, C_TEXT2};
static const struct style st_small = {7.5, 0, C_BLACK};
static const struct style st_head = {7.5, 1, C_BLACK};

static void
chart_open(struct chart *c, cairo_t *cr, double w, double h)
{
    cairo_font_options_t *fo = cairo_font_options_create();

    c->cr = cr;
    c->w = w;
    c->h = h;
    /* unhinted metrics: the same layout at every scale and surface */
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    c->pc = pango_cairo_create_context(cr);
    pango_cairo_context_set_font_options(c->pc, fo);
    cairo_font_options_destroy(fo);
    c->lay = pango_layout_new(c->pc);
    pango_layout_set_single_paragraph_mode(c->lay, TRUE);
    c->fd = pango_font_description_from_string(FONT);
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
}

static void
chart_close(struct chart *c)
{
    cairo_restore(c->cr);
    pango_font_description_free(c->fd);
    g_object_unref(c->lay);
    g_object_unref(c->pc);
}

/*
 * Sets the layout to s in style st, cut to maxw points with an ellipsis
 * when maxw > 0; *tw and *th get its size. Bytes that are not UTF-8 (the
 * ingest refuses them, but a store may be old) show as '?', because pango
 * would warn on stderr.
 */
static void
text_set(struct chart *c, const char *s, const struct style *st, double maxw,
         double *tw, double *th)
{
    PangoRectangle log;
    char *fixed = NULL;

    if (!fa_utf8_valid(s, strlen(s))) {
        fixed = fa_xstrdup(s);
        for (char *p = fixed; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        s = fixed;
    }
    pango_font_description_set_absolute_size(c->fd, st->size * PANGO_SCALE);
    pango_font_description_set_weight(c->fd, st->bold ? PANGO_WEIGHT_BOLD
                                                      : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(c->lay, c->fd);
    pango_layout_set_width(c->lay, maxw > 0 ? (int)(maxw * PANGO_SCALE) : -1);
    pango_layout_set_ellipsize(c->lay, maxw > 0 ? PANGO_ELLIPSIZE_END
                                                : PANGO_ELLIPSIZE_NONE);
    pango_layout_set_text(c->lay, s, -1);
    free(fixed);
    pango_layout_get_extents(c->lay, NULL, &log);
    *tw = (double)log.width / PANGO_SCALE;
    *th = (double)log.height / PANGO_SCALE;
}

static double
text_width(struct chart *c, const char *s, const struct style *st)
{
    double tw, th;

    text_set(c, s, st, 0, &tw, &th);
    return tw;
}

/*
 * Draws s with its left edge (align -1), centre (0) or right edge (1) at
 * x and its middle at y, cut to maxw (when > 0); returns its width.
 */
static double
text_at(struct chart *c, const char *s, const struct style *st, double x,
        double y, int align, double maxw)
{
    double tw, th;

    if (maxw > 0 && maxw < 4)
        return 0; /* not even an ellipsis fits */
    text_set(c, s, st, maxw, &tw, &th);
    if (align == 0)
        x -= tw / 2;
    else if (align > 0)
        x -= tw;
    set_rgb(c->cr, st->rgb);
    cairo_move_to(c->cr, x, y - th / 2);
    pango_cairo_show_layout(c->cr, c->lay);
    cairo_new_path(c->cr);
    return tw;
}

/* s centred at (x, y) on a white box, clear of the lines below it. */
static void
text_boxed(struct chart *c, const char *s, const struct style *st, double x,
           double y, double maxw)
{
    double tw, th;

    text_set(c, s, st, maxw, &tw, &th);
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_rectangle(c->cr, x - tw / 2 - 2, y - th / 2, tw + 4, th);
    cairo_fill(c->cr);
    text_at(c, s, st, x, y, 0, maxw);
}

/* s turned a quarter left, its start at (x, y) and running up. */
static void
text_up(struct chart *c, const char *s, const struct style *st, double x,
        double y, double maxw)
{
    cairo_save(c->cr);
    cairo_translate(c->cr, x, y);
    cairo_rotate(c->cr, -PI / 2);
    pango_cairo_update_context(c->cr, c->pc);
    pango_layout_context_changed(c->lay);
    text_at(c, s, st, 0, 0, -1, maxw);
    cairo_restore(c->cr);
    pango_cairo_update_context(c->cr, c->pc);
    pango_layout_context_changed(c->lay);
}

/* The title and a line under it; returns the y below them. */
static double
title_block(struct chart *c, const char *title, const char *sub)
{
    double y = MARGIN, tw, th;

    text_set(c, title, &st_title, c->w - 2 * MARGIN, &tw, &th);
    text_at(c, title, &st_title, MARGIN, y + th / 2, -1, c->w - 2 * MARGIN);
    y += th + 1;
    if (sub) {
        text_set(c, sub, &st_sub, c->w - 2 * MARGIN, &tw, &th);
        text_at(c, sub, &st_sub, MARGIN, y + th / 2, -1, c->w - 2 * MARGIN);
        y += th;
    }
    return y + 4;
}

/* ------------------------------------------------------------------ */
/* Private functions: legend                                           */

enum key_kind { KEY_MARK, KEY_WHISKER, KEY_BAND, KEY_LINE, KEY_HATCH, KEY_BOX };

struct key {
    enum key_kind kind;
    int mark;
    char text[120];
};

#define MAX_KEYS 12

static void
key_swatch(cairo_t *cr, const struct key *k, double x, double y)
{
    cairo_save(cr);
    switch (k->kind) {
    case KEY_MARK:
        draw_mark(cr, k->mark, x + 5, y, 3.2);
        break;
    case KEY_WHISKER:
        set_rgb(cr, C_BLACK);
        cairo_set_line_width(cr, 1);
        seg(cr, x, y, x + 10, y);
        seg(cr, x + 0.5, y - 2.5, x + 0.5, y + 2.5);
        seg(cr, x + 9.5, y - 2.5, x + 9.5, y + 2.5);
        cairo_stroke(cr);
        break;
    case KEY_BAND:
        cairo_rectangle(cr, x, y - 4, 10, 8);
        cairo_set_source_rgba(cr, 0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0,
                              0.22);
        cairo_fill_preserve(cr);
        set_rgb(cr, C_BAND);
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
        break;
    case KEY_LINE: {
        const double dash[] = {1.5, 1.5};

        set_rgb(cr, 0x444444);
        cairo_set_line_width(cr, 1);
        cairo_set_dash(cr, dash, k->mark ? 2 : 0, 0);
        seg(cr, x + 5, y - 4.5, x + 5, y + 4.5);
        cairo_stroke(cr);
        break;
    }
    case KEY_HATCH:
        hatch(cr, x, y - 4, 10, 8);
        break;
    case KEY_BOX:
        set_rgb(cr, C_BLACK);
        cairo_set_line_width(cr, 2);
        cairo_rectangle(cr, x + 1, y - 3, 8, 6);
        cairo_stroke(cr);
        break;
    }
    cairo_restore(cr);
}

/*
 * Draws the keys left to right from (x, y), wrapping within w; returns the
 * height they take.
 */
static double
legend(struct chart *c, const struct key *k, size_t n, double x, double y,
       double w)
{
    const double lh = 11, sw = 13, gap = 10;
    double cx = x, cy = y + lh / 2;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        double tw = text_width(c, k[i].text, &st_small);
        double iw = sw + fmin(tw, w - sw);

        if (cx > x && cx + iw > x + w) {
            cx = x;
            cy += lh;
        }
        key_swatch(c->cr, &k[i], cx, cy);
        text_at(c, k[i].text, &st_small, cx + sw, cy, -1, w - sw);
        cx += iw + gap;
    }
    return cy + lh / 2 - y;
}

static void
add_key(struct key *k, size_t *n, enum key_kind kind, int mark,
        const char *text)
{
    assert(*n < MAX_KEYS);
    k[*n].kind = kind;
    k[*n].mark = mark;
    snprintf(k[*n].text, sizeof(k[*n].text), "%s", text);
    (*n)++;
}

/* ------------------------------------------------------------------ */
/* Private functions: the run                                          */

/* The groups of set, in run order; *n of them (caller frees). */
static size_t *
set_groups(const fa_results *r, int set, size_t *n)
{
    size_t *ix = fa_xcalloc(r->ngroups + 1, sizeof(size_t));

    *n = 0;
    for (size_t i = 1; i < r->ngroups; i++)
        if (r->groups[i].set == set)
            ix[(*n)++] = i;
    return ix;
}

/* A group's values, "(missing)" for a missing one (caller frees). */
static char *
group_label(const fa_results *r, const fa_group *g)
{
    size_t nd = r->sets[g->set].ndims, len = 1;
    char *s;

    if (g->gid == 0 || nd == 0)
        return fa_xstrdup("all rows");
    for (size_t k = 0; k < nd; k++)
        len += strlen(g->values[k] ? g->values[k] : "(missing)") + 2;
    s = fa_xcalloc(len, 1);
    for (size_t k = 0; k < nd; k++) {
        if (k)
            strcat(s, ", ");
        strcat(s, g->values[k] ? g->values[k] : "(missing)");
    }
    return s;
}

/* "race", "sex x race": the set's columns (caller frees). */
static char *
set_label(const fa_results *r, int set)
{
    const fa_group_set *gs = &r->sets[set];
    size_t len = 1;
    char *s;

    if (gs->ndims == 0)
        return fa_xstrdup("all rows");
    for (size_t k = 0; k < gs->ndims; k++)
        len += strlen(r->ds.dims[gs->dims[k]].name) + 3;
    s = fa_xcalloc(len, 1);
    for (size_t k = 0; k < gs->ndims; k++) {
        if (k)
            strcat(s, " x ");
        strcat(s, r->ds.dims[gs->dims[k]].name);
    }
    return s;
}

static char *
chart_title(const fa_results *r, int set, int kind, fa_metric m)
{
    char *what = set_label(r, set), *t;

    if (kind == 1)
        t = fa_xasprintf("%s ratio to the reference, %s", metric_labels[m],
                         what);
    else if (kind == 2)
        t = fa_xasprintf("TPR, FPR, PPV and NPV by %s", what);
    else
        t = fa_xasprintf("%s by %s", metric_labels[m], what);
    free(what);
    return t;
}

static int
mark_of_verdict(int v)
{
    switch (v) {
    case FA_VERDICT_PASS:
        return MARK_PASS;
    case FA_VERDICT_FAIL:
        return MARK_FAIL;
    case FA_VERDICT_INSUFFICIENT:
        return MARK_INSUFFICIENT;
    case FA_VERDICT_EXCLUDED:
        return MARK_EXCLUDED;
    }
    return MARK_NOT_JUDGED;
}

/*
 * The mark of group gid for metric m: its verdict on m as a ratio, else
 * (unless ratio_only) on m as a difference, else not judged.
 */
static int
verdict_mark(const fa_results *r, int64_t gid, fa_metric m, int ratio_only)
{
    const char *name = fa_metric_name(m);
    int other = -1;

    for (size_t i = 0; i < r->nverdicts; i++) {
        const fa_verdict *v = &r->verdicts[i];

        if (v->gid != gid || strcmp(v->metric, name) != 0)
            continue;
        if (strcmp(v->measure, "ratio") == 0)
            return mark_of_verdict(v->verdict);
        if (other < 0)
            other = mark_of_verdict(v->verdict);
    }
    return other >= 0 && !ratio_only ? other : MARK_NOT_JUDGED;
}

/* The metric a name stands for, -1 for none ("scoring_rate"). */
static int
metric_of(const char *name)
{
    for (int k = 0; k < FA_METRIC_COUNT; k++)
        if (strcmp(fa_metric_name((fa_metric)k), name) == 0)
            return k;
    return -1;
}

static const char *
json_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A template check's ratio band; has is 0 when there is none. */
struct band {
    int has, has_min, has_max;
    double min, max;
};

/*
 * The band of the first check of m as a ratio in the run's template, when
 * it judges sets of kind.
 */
static struct band
template_band(const fa_results *r, fa_metric m, enum fa_set_kind kind)
{
    struct band b = {0};
    json_t *root =
        r->template_json ? json_loads(r->template_json, 0, NULL) : NULL;
    json_t *checks = json_object_get(root, "checks"), *ck;
    size_t i;

    json_array_foreach(checks, i, ck)
    {
        const char *metric = json_str(ck, "metric");
        const char *measure = json_str(ck, "measure");
        json_t *sets = json_object_get(ck, "sets"), *s, *lo, *hi;
        size_t j;
        int judged = !json_is_array(sets);

        if (!metric || strcmp(metric, fa_metric_name(m)) != 0 || !measure ||
            strcmp(measure, "ratio") != 0)
            continue;
        json_array_foreach(sets, j, s)
        {
            const char *k = json_string_value(s);

            judged |= k && strcmp(k, fa_set_kind_name(kind)) == 0;
        }
        lo = json_object_get(ck, "min");
        hi = json_object_get(ck, "max");
        b.has_min = json_is_number(lo);
        b.has_max = json_is_number(hi);
        b.min = b.has_min ? json_number_value(lo) : 0;
        b.max = b.has_max ? json_number_value(hi) : 0;
        b.has = judged && (b.has_min || b.has_max);
        break;
    }
    json_decref(root);
    return b;
}

/*
 * The main metric: the first the template checks as a ratio that the data
 * can have (a label-free run has no TPR), else the selection rate.
 */
static fa_metric
main_metric(const fa_results *r)
{
    json_t *root =
        r->template_json ? json_loads(r->template_json, 0, NULL) : NULL;
    json_t *checks = json_object_get(root, "checks"), *ck;
    fa_metric m = FA_METRIC_SELECTION_RATE;
    size_t i;

    json_array_foreach(checks, i, ck)
    {
        const char *metric = json_str(ck, "metric");
        const char *measure = json_str(ck, "measure");
        int k = metric ? metric_of(metric) : -1;

        if (k < 0 || !measure || strcmp(measure, "ratio") != 0 ||
            !fa_metric_has_disparity((fa_metric)k) ||
            (fa_metric_needs_label((fa_metric)k) && !r->ds.labelled) ||
            (fa_metric_needs_score((fa_metric)k) && !r->ds.scored))
            continue;
        m = (fa_metric)k;
        break;
    }
    json_decref(root);
    return m;
}

static void
fmt3(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.3f", v);
}

/* ------------------------------------------------------------------ */
/* Private functions: charts of one row per group                      */

/* One point of a row in one panel. */
struct point {
    int defined; /* else "n/a", no point */
    double v;
    int has_ci;
    double lo, hi;
    int mark;
    const char *why; /* of an undefined value (borrowed) */
};

struct row {
    char *label; /* owned */
    int ref;     /* the reference: bold, a star */
    int64_t n;
    struct point p[4];
    char value[24]; /* the value column; "" for the point's value */
};

struct axis {
    int log;
    double lo, hi;
    const double *ticks;
    size_t nticks;
    int has_band;
    double blo, bhi;
    int has_line; /* the reference's value */
    double line;
    int dotted;
};

struct rowchart {
    char *title, *sub;
    const char *head;       /* the groups' column: the set's columns */
    const char *value_head; /* NULL: no value column */
    char *axis_title;
    const char *panel_title[4];
    struct axis ax[4];
    size_t npanels;
    struct row *rows;
    size_t nrows;
    struct key keys[MAX_KEYS];
    size_t nkeys;
};

static void
rowchart_release(struct rowchart *rc)
{
    for (size_t i = 0; i < rc->nrows; i++)
        free(rc->rows[i].label);
    free(rc->rows);
    free(rc->title);
    free(rc->sub);
    free(rc->axis_title);
}

/* x of v on axis a drawn from x0 to x1, clamped to the axis. */
static double
axis_x(const struct axis *a, double x0, double x1, double v)
{
    double t;

    if (a->log)
        t = v <= 0 ? 0 : log(v / a->lo) / log(a->hi / a->lo);
    else
        t = (v - a->lo) / (a->hi - a->lo);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return x0 + t * (x1 - x0);
}

static int
outside(const struct axis *a, double v)
{
    return v < a->lo || v > a->hi;
}

/* A whisker end: a cap, or an arrowhead where the interval runs on past
 * the axis. */
static void
whisker_end(cairo_t *cr, double x, double y, double r, int out, int dir)
{
    if (!out) {
        seg(cr, x, y - r, x, y + r);
        cairo_stroke(cr);
        return;
    }
    cairo_move_to(cr, x + dir * 1.6 * r, y);
    cairo_line_to(cr, x, y - r);
    cairo_line_to(cr, x, y + r);
    cairo_close_path(cr);
    cairo_fill(cr);
}

static void
tick_label(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%g", v);
}

/* Tick labels under an axis, skipping any that would touch the last one
 * drawn. */
static void
axis_ticks(struct chart *c, const struct axis *a, double x0, double x1,
           double y)
{
    double last = -1e9;

    set_rgb(c->cr, C_BLACK);
    cairo_set_line_width(c->cr, 0.8);
    seg(c->cr, x0, y, x1, y);
    cairo_stroke(c->cr);
    for (size_t i = 0; i < a->nticks; i++) {
        double v = a->ticks[i], x, tw;
        char buf[32];

        if (outside(a, v))
            continue;
        x = axis_x(a, x0, x1, v);
        set_rgb(c->cr, C_BLACK);
        seg(c->cr, x, y, x, y + 3);
        cairo_stroke(c->cr);
        tick_label(buf, sizeof(buf), v);
        tw = text_width(c, buf, &st_small);
        if (x - tw / 2 < last + 3)
            continue;
        text_at(c, buf, &st_small, x, y + 8, 0, 0);
        last = x + tw / 2;
    }
}

/* Band, grid and reference line of one panel over the rows' height. */
static void
panel_ground(struct chart *c, const struct axis *a, double x0, double x1,
             double y0, double y1)
{
    cairo_t *cr = c->cr;

    if (a->has_band) {
        double bx0 = axis_x(a, x0, x1, a->blo), bx1 = axis_x(a, x0, x1, a->bhi);

        cairo_rectangle(cr, bx0, y0, bx1 - bx0, y1 - y0);
        cairo_set_source_rgba(cr, 0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0,
                              0.22);
        cairo_fill(cr);
        set_rgb(cr, C_BAND);
        cairo_set_line_width(cr, 0.6);
        if (a->blo > a->lo)
            seg(cr, bx0, y0, bx0, y1);
        if (a->bhi < a->hi)
            seg(cr, bx1, y0, bx1, y1);
        cairo_stroke(cr);
    }
    set_rgb(cr, C_GRID);
    cairo_set_line_width(cr, 0.5);
    for (size_t i = 0; i < a->nticks; i++) {
        double x;

        if (outside(a, a->ticks[i]))
            continue;
        x = axis_x(a, x0, x1, a->ticks[i]);
        seg(cr, x, y0, x, y1);
    }
    cairo_stroke(cr);
    if (a->has_line && !outside(a, a->line)) {
        const double dash[] = {1.5, 1.5};
        double x = axis_x(a, x0, x1, a->line);

        cairo_save(cr);
        set_rgb(cr, 0x444444);
        cairo_set_line_width(cr, 1);
        cairo_set_dash(cr, dash, a->dotted ? 2 : 0, 0);
        seg(cr, x, y0, x, y1);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
}

/* One row's point in one panel: whisker, mark, or "n/a". */
static void
panel_point(struct chart *c, const struct axis *a, const struct point *p,
            double x0, double x1, double y, double r, double fs, int wide)
{
    cairo_t *cr = c->cr;

    if (!p->defined) {
        struct style st = {fs, 0, C_TEXT2};
        char *s = wide && p->why ? fa_xasprintf("n/a: %s", p->why)
                                 : fa_xstrdup("n/a");

        text_boxed(c, s, &st, (x0 + x1) / 2, y, x1 - x0 - 4);
        free(s);
        return;
    }
    if (p->has_ci) {
        double lx = axis_x(a, x0, x1, p->lo), hx = axis_x(a, x0, x1, p->hi);

        cairo_save(cr);
        set_rgb(cr, p->mark == MARK_NOT_JUDGED || p->mark == MARK_REFERENCE
                        ? 0x333333
                        : marks[p->mark].rgb);
        cairo_set_line_width(cr, 1);
        seg(cr, lx, y, hx, y);
        cairo_stroke(cr);
        whisker_end(cr, lx, y, 0.7 * r, p->lo < a->lo || (a->log && p->lo <= 0),
                    -1);
        whisker_end(cr, hx, y, 0.7 * r, p->hi > a->hi, 1);
        cairo_restore(cr);
    }
    draw_mark(cr, p->mark, axis_x(a, x0, x1, p->v), y, r);
}

/* The legend keys of the marks the rows use, in a fixed order. */
static void
mark_keys(struct rowchart *rc)
{
    int used[MARK_COUNT] = {0};

    for (size_t i = 0; i < rc->nrows; i++)
        for (size_t k = 0; k < rc->npanels; k++)
            if (rc->rows[i].p[k].defined)
                used[rc->rows[i].p[k].mark] = 1;
    for (int k = 0; k < MARK_COUNT; k++)
        if (used[k])
            add_key(rc->keys, &rc->nkeys, KEY_MARK, k, marks[k].name);
}

/* The height a written chart of n rows gets: 320 points, or rows of
 * ROW_PREF under the title, legend and axis when there are many. */
static double
rows_height(size_t n)
{
    return fmax(320, 128 + (double)n * ROW_PREF);
}

static void
rowchart_draw(struct chart *c, const struct rowchart *rc)
{
    cairo_t *cr = c->cr;
    double y = title_block(c, rc->title, rc->sub);
    double top, avail, rowh, fs, mr, wl = 0, wn = 0, wv = 0, px0, px1, pw;
    double ybot, plotmin;
    size_t shown = rc->nrows, slots;
    struct style st_row, st_ref, st_num;
    char buf[32];

    y += legend(c, rc->keys, rc->nkeys, MARGIN, y, c->w - 2 * MARGIN) + 5;
    top = y + HEAD_H;
    avail = c->h - MARGIN - AXIS_H - top;
    if (avail < ROW_MIN)
        return; /* too small for even one row: title and legend only */
    rowh = rc->nrows ? avail / (double)rc->nrows : ROW_MAX;
    if (rowh > ROW_MAX)
        rowh = ROW_MAX;
    if (rowh < ROW_MIN) {
        /* the rows left out are counted on the last line */
        rowh = ROW_MIN;
        shown = (size_t)(avail / ROW_MIN);
        shown = shown > 0 ? shown - 1 : 0;
    }
    slots = shown < rc->nrows ? shown + 1 : shown;
    fs = fmin(8, fmax(6, rowh * 0.62));
    mr = fmin(4, fmax(2.2, rowh * 0.26));
    st_row = (struct style){fs, 0, C_BLACK};
    st_ref = (struct style){fs, 1, C_BLACK};
    st_num = (struct style){fs, 0, C_TEXT2};

    /* columns: label, n, panels, value */
    for (size_t i = 0; i < shown; i++) {
        const struct row *w = &rc->rows[i];

        wl = fmax(wl, text_width(c, w->label, w->ref ? &st_ref : &st_row));
        snprintf(buf, sizeof(buf), "%lld", (long long)w->n);
        wn = fmax(wn, text_width(c, buf, &st_num));
    }
    wn = fmax(wn, text_width(c, "n", &st_head));
    if (rc->value_head) {
        wv = fmax(text_width(c, "0.000", &st_row),
                  text_width(c, rc->value_head, &st_head));
        for (size_t i = 0; i < shown; i++)
            if (rc->rows[i].value[0])
                wv = fmax(wv, text_width(c, rc->rows[i].value, &st_row));
    }
    wl = fmin(wl, (rc->npanels > 1 ? 0.22 : 0.3) * c->w);
    px1 = c->w - MARGIN - (rc->value_head ? wv + 10 : 6);
    plotmin = 0.4 * (c->w - 2 * MARGIN);
    px0 = MARGIN + wl + 6 + wn + 10;
    if (px1 - px0 < plotmin) {
        wl = fmax(24, wl - (plotmin - (px1 - px0)));
        px0 = MARGIN + wl + 6 + wn + 10;
    }
    pw = (px1 - px0 - 12.0 * (double)(rc->npanels - 1)) / (double)rc->npanels;
    ybot = top + (double)slots * rowh;

    /* headers */
    text_at(c, rc->head, &st_head, MARGIN, top - HEAD_H / 2, -1, wl);
    text_at(c, "n", &st_head, MARGIN + wl + 6 + wn, top - HEAD_H / 2, 1, 0);
    if (rc->value_head)
        text_at(c, rc->value_head, &st_head, c->w - MARGIN, top - HEAD_H / 2, 1,
                0);
    for (size_t k = 0; k < rc->npanels; k++)
        if (rc->panel_title[k])
            text_at(c, rc->panel_title[k], &st_head,
                    px0 + (double)k * (pw + 12) + pw / 2, top - HEAD_H / 2, 0,
                    pw);

    /* ground: zebra rows, then each panel's band, grid and line */
    set_rgb(cr, C_ZEBRA);
    for (size_t i = 1; i < shown; i += 2)
        cairo_rectangle(cr, MARGIN, top + (double)i * rowh, c->w - 2 * MARGIN,
                        rowh);
    cairo_fill(cr);
    for (size_t k = 0; k < rc->npanels; k++) {
        double x0 = px0 + (double)k * (pw + 12);

        panel_ground(c, &rc->ax[k], x0, x0 + pw, top,
                     top + (double)shown * rowh);
    }

    /* rows */
    for (size_t i = 0; i < shown; i++) {
        const struct row *w = &rc->rows[i];
        double yc = top + ((double)i + 0.5) * rowh;

        text_at(c, w->label, w->ref ? &st_ref : &st_row, MARGIN, yc, -1, wl);
        snprintf(buf, sizeof(buf), "%lld", (long long)w->n);
        text_at(c, buf, &st_num, MARGIN + wl + 6 + wn, yc, 1, 0);
        for (size_t k = 0; k < rc->npanels; k++) {
            double x0 = px0 + (double)k * (pw + 12);

            panel_point(c, &rc->ax[k], &w->p[k], x0, x0 + pw, yc, mr, fs,
                        rc->npanels == 1);
        }
        if (rc->value_head) {
            const char *v = w->value;

            if (!v[0] && w->p[0].defined) {
                fmt3(buf, sizeof(buf), w->p[0].v);
                v = buf;
            } else if (!v[0]) {
                v = "n/a";
            }
            text_at(c, v, w->ref ? &st_ref : &st_row, c->w - MARGIN, yc, 1, 0);
        }
    }
    if (shown < rc->nrows) {
        struct style st = {fs, 0, C_TEXT2};
        char *s = fa_xasprintf("... and %zu more groups, not shown: the "
                               "chart is too small for them",
                               rc->nrows - shown);

        text_at(c, s, &st, MARGIN, top + ((double)shown + 0.5) * rowh, -1,
                c->w - 2 * MARGIN);
        free(s);
    }

    /* axes */
    for (size_t k = 0; k < rc->npanels; k++) {
        double x0 = px0 + (double)k * (pw + 12);

        axis_ticks(c, &rc->ax[k], x0, x0 + pw, ybot);
    }
    text_at(c, rc->axis_title, &st_small, (px0 + px1) / 2, ybot + 21, 0,
            c->w - 2 * MARGIN);
}

static const double rate_ticks[] = {0, 0.2, 0.4, 0.6, 0.8, 1};
static const double coarse_ticks[] = {0, 0.5, 1};
static const double ratio_ticks[] = {0.05, 0.1, 0.2, 0.25, 0.5, 0.8, 1,
                                     1.25, 2,   4,   5,    10,  20};

static void
add_row(struct rowchart *rc, const fa_results *r, const fa_group *g, int ref)
{
    struct row *w = &rc->rows[rc->nrows++];

    memset(w, 0, sizeof(*w));
    w->label = group_label(r, g);
    w->ref = ref;
    w->n = g->n;
}

/* A point of g's metric m: value, interval, mark. */
static struct point
rate_point(const fa_group *g, fa_metric m, int mark)
{
    struct point p = {0};

    p.defined = !g->m[m].reason;
    p.v = g->m[m].value;
    p.why = g->m[m].reason;
    p.has_ci = !g->ci[m].reason;
    p.lo = g->ci[m].lo;
    p.hi = g->ci[m].hi;
    p.mark = mark;
    return p;
}

/* A linear axis from 0 to 1, or wider when a value lies outside. */
static void
rate_axis(struct axis *a, const struct rowchart *rc, size_t k,
          const double *ticks, size_t nticks)
{
    a->lo = 0;
    a->hi = 1;
    for (size_t i = 0; i < rc->nrows; i++) {
        const struct point *p = &rc->rows[i].p[k];

        if (!p->defined)
            continue;
        a->lo = fmin(a->lo, floor(fmin(p->v, p->has_ci ? p->lo : p->v)));
        a->hi = fmax(a->hi, ceil(fmax(p->v, p->has_ci ? p->hi : p->v)));
    }
    a->ticks = ticks;
    a->nticks = nticks;
}

/* "95% Wilson intervals": the intervals of metric m. */
static char *
ci_words(const fa_results *r, fa_metric m)
{
    const char *how = "";

    if (m == FA_METRIC_AUC)
        how = " DeLong";
    else if (!fa_metric_is_proportion(m) || !r->ci_method)
        how = "";
    else if (strcmp(r->ci_method, "wilson") == 0)
        how = " Wilson";
    else if (strcmp(r->ci_method, "clopper-pearson") == 0)
        how = " Clopper-Pearson";

    return fa_xasprintf("%g%%%s intervals", 100 * r->confidence, how);
}

/* ------------------------------------------------------------------ */
/* Private functions: heatmap                                          */

/* Values of one column, in the run's order; NULL is the missing one. */
struct levels {
    const char **v;
    size_t n;
};

static int
same_value(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static size_t
level_index(const struct levels *L, const char *v)
{
    for (size_t i = 0; i < L->n; i++)
        if (same_value(L->v[i], v))
            return i;
    return L->n;
}

static void
level_add(struct levels *L, const char *v)
{
    if (level_index(L, v) == L->n)
        L->v[L->n++] = v;
}

/* The levels of dim k of intersection set gs: the attribute's own order
 * first (its groups), then any other value the intersection holds. */
static void
levels_of(const fa_results *r, const fa_group_set *gs, size_t k,
          struct levels *L)
{
    L->v = fa_xcalloc(r->ngroups + 1, sizeof(char *));
    L->n = 0;
    for (size_t s = 1; s < r->nsets; s++) {
        const fa_group_set *a = &r->sets[s];

        if (a->kind != FA_SET_ATTRIBUTE || a->ndims != 1 ||
            a->dims[0] != gs->dims[k])
            continue;
        for (size_t i = 1; i < r->ngroups; i++)
            if (r->groups[i].set == a->id)
                level_add(L, r->groups[i].values[0]);
        break;
    }
    for (size_t i = 1; i < r->ngroups; i++)
        if (r->groups[i].set == gs->id)
            level_add(L, r->groups[i].values[k]);
}

/* ColorBrewer YlGnBu: sequential, colour-blind safe, light to dark. */
static const unsigned seq_stops[] = {0xFFFFCC, 0xC7E9B4, 0x7FCDBB, 0x41B6C4,
                                     0x1D91C0, 0x225EA8, 0x0C2C84};

static void
seq_colour(double t, double rgb[3])
{
    size_t n = FA_ARRAY_LEN(seq_stops) - 1, i;
    double f;

    t = t < 0 ? 0 : t > 1 ? 1 : t;
    i = (size_t)(t * (double)n);
    if (i >= n)
        i = n - 1;
    f = t * (double)n - (double)i;
    for (int k = 0; k < 3; k++) {
        int sh = 16 - 8 * k;
        double a = (seq_stops[i] >> sh & 0xff) / 255.0;
        double b = (seq_stops[i + 1] >> sh & 0xff) / 255.0;

        rgb[k] = a + f * (b - a);
    }
}

/* One heatmap cell's text lines and look. */
struct hcell {
    int64_t gid; /* -1: no group */
    int hatched;
    double t; /* position on the colour scale */
    char line[3][32];
    int nlines;
};

static void
hcell_fill(const fa_results *r, fa_metric m, struct hcell *h, double lo,
           double hi)
{
    const fa_group *g = h->gid >= 0 ? &r->groups[h->gid] : NULL;

    h->nlines = 0;
    h->hatched = 1;
    if (!g || g->n == 0) {
        snprintf(h->line[h->nlines++], 32, "no rows");
        snprintf(h->line[h->nlines++], 32, "n=0");
        return;
    }
    if (g->m[m].reason) {
        snprintf(h->line[h->nlines++], 32, "n/a");
        snprintf(h->line[h->nlines++], 32, "n=%lld", (long long)g->n);
        return;
    }
    if (g->n < r->min_group)
        snprintf(h->line[h->nlines++], 32, "n<%lld", (long long)r->min_group);
    else
        h->hatched = 0;
    fmt3(h->line[h->nlines++], 32, g->m[m].value);
    snprintf(h->line[h->nlines++], 32, "n=%lld", (long long)g->n);
    h->t = hi > lo ? (g->m[m].value - lo) / (hi - lo) : 0.5;
}

/* The heatmap's size when written: cells big enough for their text. */
static void
heatmap_size(const fa_results *r, int set, double *w, double *h)
{
    const fa_group_set *gs = &r->sets[set];
    struct levels a, b;

    *w = 480;
    *h = 320;
    if (gs->ndims != 2)
        return;
    levels_of(r, gs, 0, &a);
    levels_of(r, gs, 1, &b);
    *w = fmin(FILE_MAX_W,
              fmax(480, 2 * MARGIN + 130 + (double)b.n * CELL_W + 60));
    *h = fmin(FILE_MAX_H, fmax(320, 170 + (double)a.n * CELL_H));
    free(a.v);
    free(b.v);
}

/* The colour bar from lo (bottom) to hi (top) at x, y0 to y1. */
static void
colour_bar(struct chart *c, double x, double y0, double y1, double lo,
           double hi)
{
    cairo_t *cr = c->cr;
    cairo_pattern_t *pat = cairo_pattern_create_linear(0, y1, 0, y0);
    static const double steps[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1};
    size_t n = FA_ARRAY_LEN(seq_stops), maxt;
    double last = 1e9, step = 1;

    for (size_t i = 0; i < n; i++) {
        double rgb[3];

        seq_colour((double)i / (double)(n - 1), rgb);
        cairo_pattern_add_color_stop_rgb(pat, (double)i / (double)(n - 1),
                                         rgb[0], rgb[1], rgb[2]);
    }
    cairo_rectangle(cr, x, y0, 10, y1 - y0);
    cairo_set_source(cr, pat);
    cairo_fill_preserve(cr);
    cairo_pattern_destroy(pat);
    set_rgb(cr, 0x666666);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
    /* round ticks, as many as fit 24 points apart */
    maxt = (size_t)((y1 - y0) / 24) + 1;
    for (size_t i = 0; i < FA_ARRAY_LEN(steps); i++) {
        step = steps[i];
        if (floor((hi - lo) / step + 1e-9) + 1 <= (double)maxt)
            break;
    }
    for (double k = ceil(lo / step - 1e-9); k * step <= hi + 1e-9; k++) {
        double t = k * step, ty = y1 - (y1 - y0) * (t - lo) / (hi - lo);
        char buf[32];

        if (last - ty < 9)
            continue;
        snprintf(buf, sizeof(buf), "%.2f", fabs(t) < 1e-12 ? 0 : t);
        set_rgb(cr, C_BLACK);
        seg(cr, x + 10, ty, x + 13, ty);
        cairo_stroke(cr);
        text_at(c, buf, &st_small, x + 15, ty, -1, 0);
        last = ty;
    }
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

void
fa_chart_rates(cairo_t *cr, double w, double h, const fa_results *r, int set,
               fa_metric m)
{
    const fa_group_set *gs;
    struct rowchart rc = {0};
    struct chart c;
    struct band b;
    const fa_group *ref;
    size_t n, *ix;
    char *ci, *refl, *sl;

    assert(set > 0 && (size_t)set < r->nsets);
    gs = &r->sets[set];
    ref = gs->ref_gid >= 0 ? &r->groups[gs->ref_gid] : NULL;
    ix = set_groups(r, set, &n);
    rc.rows = fa_xcalloc(n + 1, sizeof(struct row));
    rc.npanels = 1;
    /* the population as the reference is a row of its own, first */
    if (ref && ref->gid == 0) {
        add_row(&rc, r, ref, 1);
        rc.rows[0].p[0] = rate_point(ref, m, MARK_REFERENCE);
    }
    for (size_t i = 0; i < n; i++) {
        const fa_group *g = &r->groups[ix[i]];
        int is_ref = g->gid == gs->ref_gid;

        add_row(&rc, r, g, is_ref);
        rc.rows[rc.nrows - 1].p[0] = rate_point(
            g, m, is_ref ? MARK_REFERENCE : verdict_mark(r, g->gid, m, 0));
    }
    free(ix);
    rate_axis(&rc.ax[0], &rc, 0, rate_ticks, FA_ARRAY_LEN(rate_ticks));
    b = template_band(r, m, gs->kind);
    if (ref && !ref->m[m].reason) {
        double rv = ref->m[m].value;

        rc.ax[0].has_line = 1;
        rc.ax[0].dotted = 1;
        rc.ax[0].line = rv;
        if (b.has) {
            rc.ax[0].has_band = 1;
            rc.ax[0].blo = fmax(rc.ax[0].lo, b.has_min ? b.min * rv : 0);
            rc.ax[0].bhi = fmin(1, b.has_max ? b.max * rv : 1);
            rc.ax[0].has_band = rc.ax[0].bhi > rc.ax[0].blo;
        }
    }
    mark_keys(&rc);
    add_key(rc.keys, &rc.nkeys, KEY_WHISKER, 0, "interval");
    if (rc.ax[0].has_line)
        add_key(rc.keys, &rc.nkeys, KEY_LINE, 1, "reference's rate");
    if (rc.ax[0].has_band) {
        char buf[120];

        if (b.has_min && b.has_max)
            snprintf(buf, sizeof(buf), "allowed: %g to %g " TIMES " reference",
                     b.min, b.max);
        else if (b.has_min)
            snprintf(buf, sizeof(buf),
                     "allowed: %g " TIMES " reference and above", b.min);
        else
            snprintf(buf, sizeof(buf), "allowed: up to %g " TIMES " reference",
                     b.max);
        add_key(rc.keys, &rc.nkeys, KEY_BAND, 0, buf);
    }
    ci = ci_words(r, m);
    refl = ref ? group_label(r, ref) : NULL;
    if (ref && !ref->m[m].reason)
        rc.sub = fa_xasprintf("Reference: %s (%.3f). Whiskers: %s.", refl,
                              ref->m[m].value, ci);
    else if (ref)
        rc.sub = fa_xasprintf("Reference: %s (n/a). Whiskers: %s.", refl, ci);
    else
        rc.sub = fa_xasprintf("No reference group. Whiskers: %s.", ci);
    free(ci);
    free(refl);
    rc.title = chart_title(r, set, 0, m);
    sl = set_label(r, set);
    rc.head = sl;
    rc.value_head = fa_metric_is_proportion(m) ? "rate" : "value";
    rc.axis_title =
        fa_xasprintf("%s (%s0" EN_DASH "1)", metric_labels[m],
                     fa_metric_is_proportion(m) ? "proportion, " : "");
    chart_open(&c, cr, w, h);
    rowchart_draw(&c, &rc);
    chart_close(&c);
    free(sl);
    rowchart_release(&rc);
}

void
fa_chart_forest(cairo_t *cr, double w, double h, const fa_results *r, int set,
                fa_metric m)
{
    const fa_group_set *gs;
    struct rowchart rc = {0};
    struct chart c;
    struct band b;
    const fa_group *ref;
    size_t n, *ix;
    double lo = 0.5, hi = 2;
    char *refl, *sl;

    assert(set > 0 && (size_t)set < r->nsets);
    gs = &r->sets[set];
    ref = gs->ref_gid >= 0 ? &r->groups[gs->ref_gid] : NULL;
    ix = set_groups(r, set, &n);
    rc.rows = fa_xcalloc(n + 1, sizeof(struct row));
    rc.npanels = 1;
    /* the reference first, at 1 */
    if (ref) {
        add_row(&rc, r, ref, 1);
        rc.rows[0].p[0] = (struct point){1, 1, 0, 0, 0, MARK_REFERENCE, NULL};
        snprintf(rc.rows[0].value, sizeof(rc.rows[0].value), "ref.");
    }
    for (size_t i = 0; i < n; i++) {
        const fa_group *g = &r->groups[ix[i]];
        const fa_compare *cmp = &g->cmp[m];
        struct point *p;

        if (g->gid == gs->ref_gid)
            continue;
        add_row(&rc, r, g, 0);
        p = &rc.rows[rc.nrows - 1].p[0];
        p->defined = ref && !g->ratio[m].reason;
        p->v = g->ratio[m].value;
        p->why = ref ? g->ratio[m].reason : "no reference group";
        p->has_ci = ref && !cmp->ratio_ci.reason;
        p->lo = cmp->ratio_ci.lo;
        p->hi = cmp->ratio_ci.hi;
        p->mark = verdict_mark(r, g->gid, m, 1);
        if (p->defined && p->v > 0) {
            lo = fmin(lo, p->v);
            hi = fmax(hi, p->v);
        }
        if (p->has_ci && p->lo > 0)
            lo = fmin(lo, p->lo);
        if (p->has_ci)
            hi = fmax(hi, p->hi);
    }
    free(ix);
    b = template_band(r, m, gs->kind);
    if (b.has_min)
        lo = fmin(lo, b.min);
    if (b.has_max)
        hi = fmax(hi, b.max);
    /* 0.5 to 2 with a margin; wider data ends the axis on a tick */
    rc.ax[0].log = 1;
    rc.ax[0].lo = lo < 0.5 ? ratio_ticks[0] : 0.5 / 1.15;
    rc.ax[0].hi =
        hi > 2 ? ratio_ticks[FA_ARRAY_LEN(ratio_ticks) - 1] : 2 * 1.15;
    for (size_t i = 0; i < FA_ARRAY_LEN(ratio_ticks); i++) {
        if (lo < 0.5 && ratio_ticks[i] <= lo * 0.97)
            rc.ax[0].lo = ratio_ticks[i];
        if (hi > 2 &&
            ratio_ticks[FA_ARRAY_LEN(ratio_ticks) - 1 - i] >= hi * 1.03)
            rc.ax[0].hi = ratio_ticks[FA_ARRAY_LEN(ratio_ticks) - 1 - i];
    }
    rc.ax[0].ticks = ratio_ticks;
    rc.ax[0].nticks = FA_ARRAY_LEN(ratio_ticks);
    rc.ax[0].has_line = 1;
    rc.ax[0].line = 1;
    if (b.has && ref) {
        rc.ax[0].has_band = 1;
        rc.ax[0].blo = b.has_min ? fmax(b.min, rc.ax[0].lo) : rc.ax[0].lo;
        rc.ax[0].bhi = b.has_max ? fmin(b.max, rc.ax[0].hi) : rc.ax[0].hi;
        rc.ax[0].has_band = rc.ax[0].bhi > rc.ax[0].blo;
    }
    mark_keys(&rc);
    add_key(rc.keys, &rc.nkeys, KEY_WHISKER, 0, "interval");
    if (rc.ax[0].has_band) {
        char buf[120];

        if (b.has_min && b.has_max)
            snprintf(buf, sizeof(buf), "allowed: %g to %g", b.min, b.max);
        else if (b.has_min)
            snprintf(buf, sizeof(buf), "allowed: %g and above", b.min);
        else
            snprintf(buf, sizeof(buf), "allowed: up to %g", b.max);
        add_key(rc.keys, &rc.nkeys, KEY_BAND, 0, buf);
    }
    refl = ref ? group_label(r, ref) : NULL;
    if (ref)
        rc.sub = fa_xasprintf("Reference: %s, n=%lld. Whiskers: %g%% "
                              "intervals of the ratio.",
                              refl, (long long)ref->n, 100 * r->confidence);
    else
        rc.sub = fa_xstrdup("No reference group: no ratios.");
    free(refl);
    rc.title = chart_title(r, set, 1, m);
    sl = set_label(r, set);
    rc.head = sl;
    rc.value_head = "ratio";
    rc.axis_title =
        fa_xasprintf("%s ratio to the reference (log scale)", metric_labels[m]);
    chart_open(&c, cr, w, h);
    rowchart_draw(&c, &rc);
    chart_close(&c);
    free(sl);
    rowchart_release(&rc);
}

void
fa_chart_multiples(cairo_t *cr, double w, double h, const fa_results *r,
                   int set)
{
    const fa_group_set *gs;
    struct rowchart rc = {0};
    struct chart c;
    const fa_group *ref;
    size_t n, *ix;
    char *ci, *refl, *sl;

    assert(set > 0 && (size_t)set < r->nsets);
    gs = &r->sets[set];
    ref = gs->ref_gid >= 0 ? &r->groups[gs->ref_gid] : NULL;
    ix = set_groups(r, set, &n);
    rc.rows = fa_xcalloc(n + 1, sizeof(struct row));
    rc.npanels = 4;
    for (size_t i = 0; i <= n; i++) {
        /* the population as the reference is a row of its own, first */
        const fa_group *g = i == 0 ? ref : &r->groups[ix[i - 1]];
        int is_ref = g && g->gid == gs->ref_gid;

        if (!g || (i == 0 && g->gid != 0))
            continue;
        add_row(&rc, r, g, is_ref);
        for (size_t k = 0; k < 4; k++)
            rc.rows[rc.nrows - 1].p[k] =
                rate_point(g, multiples[k],
                           is_ref ? MARK_REFERENCE
                                  : verdict_mark(r, g->gid, multiples[k], 0));
    }
    free(ix);
    for (size_t k = 0; k < 4; k++) {
        rate_axis(&rc.ax[k], &rc, k, coarse_ticks, FA_ARRAY_LEN(coarse_ticks));
        rc.panel_title[k] = metric_labels[multiples[k]];
        if (ref && !ref->m[multiples[k]].reason) {
            rc.ax[k].has_line = 1;
            rc.ax[k].dotted = 1;
            rc.ax[k].line = ref->m[multiples[k]].value;
        }
    }
    mark_keys(&rc);
    add_key(rc.keys, &rc.nkeys, KEY_WHISKER, 0, "interval");
    if (rc.ax[0].has_line || rc.ax[1].has_line || rc.ax[2].has_line ||
        rc.ax[3].has_line)
        add_key(rc.keys, &rc.nkeys, KEY_LINE, 1, "reference's rate");
    ci = ci_words(r, FA_METRIC_TPR);
    refl = ref ? group_label(r, ref) : NULL;
    rc.sub = ref ? fa_xasprintf("Reference: %s. Whiskers: %s.", refl, ci)
                 : fa_xasprintf("No reference group. Whiskers: %s.", ci);
    free(ci);
    free(refl);
    rc.title = chart_title(r, set, 2, FA_METRIC_TPR);
    sl = set_label(r, set);
    rc.head = sl;
    rc.axis_title = fa_xstrdup("rate (proportion, 0" EN_DASH "1)");
    chart_open(&c, cr, w, h);
    rowchart_draw(&c, &rc);
    chart_close(&c);
    free(sl);
    rowchart_release(&rc);
}

void
fa_chart_heatmap(cairo_t *cr, double w, double h, const fa_results *r, int set,
                 fa_metric m)
{
    const fa_group_set *gs;
    struct chart c;
    struct levels L[2] = {{0}};
    struct hcell *cells = NULL;
    struct key keys[MAX_KEYS];
    size_t nkeys = 0, nr, nc, shown;
    double lo = 1e300, hi = -1e300, y, wl = 0, wc = 0, hdr, gx0, gy0, cw, ch;
    double fs = 0, fsr, maxw = 0, avail, barx;
    int rotate, lines = 2, maxl, ref_in = 0;
    char *title, *sub, *sl0, *sl1, buf[120];
    struct style st_row;

    assert(set > 0 && (size_t)set < r->nsets);
    gs = &r->sets[set];
    title = chart_title(r, set, 3, m);
    chart_open(&c, cr, w, h);
    if (gs->ndims != 2) {
        y = title_block(&c, title, NULL);
        text_at(&c, "a heatmap shows an intersection of two attributes",
                &st_sub, MARGIN, y + 8, -1, w - 2 * MARGIN);
        chart_close(&c);
        free(title);
        return;
    }
    levels_of(r, gs, 0, &L[0]);
    levels_of(r, gs, 1, &L[1]);
    nr = L[0].n;
    nc = L[1].n;
    if (nr == 0 || nc == 0 || nc > HEAT_MAX_COLS || nr * nc > HEAT_MAX_CELLS) {
        /* a grid this large would be unreadable and costly: say so */
        char *why = fa_xasprintf("%zu x %zu cells: %s", nr, nc,
                                 nr && nc ? "too many for a heatmap; the "
                                            "groups are in the tables"
                                          : "no groups");

        y = title_block(&c, title, NULL);
        text_at(&c, why, &st_sub, MARGIN, y + 8, -1, w - 2 * MARGIN);
        free(why);
        chart_close(&c);
        free(L[0].v);
        free(L[1].v);
        free(title);
        return;
    }
    cells = fa_xcalloc(nr * nc + 1, sizeof(*cells));
    for (size_t i = 0; i < nr * nc; i++)
        cells[i].gid = -1;
    for (size_t i = 1; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];
        size_t a, b;

        if (g->set != set)
            continue;
        a = level_index(&L[0], g->values[0]);
        b = level_index(&L[1], g->values[1]);
        cells[a * nc + b].gid = g->gid;
        ref_in |= g->gid == gs->ref_gid;
        if (g->n >= r->min_group && g->n > 0 && !g->m[m].reason) {
            lo = fmin(lo, g->m[m].value);
            hi = fmax(hi, g->m[m].value);
        }
    }
    /* the colour scale: the judged cells' range, in steps of 0.05 */
    if (lo > hi) {
        lo = 0;
        hi = 1;
    }
    lo = floor(lo * 20 + 1e-9) / 20;
    hi = ceil(hi * 20 - 1e-9) / 20;
    if (hi - lo < 0.05)
        hi = lo + 0.05;
    for (size_t i = 0; i < nr * nc; i++) {
        hcell_fill(r, m, &cells[i], lo, hi);
        if (cells[i].nlines > lines)
            lines = cells[i].nlines;
    }

    sl0 = fa_xstrdup(r->ds.dims[gs->dims[0]].name);
    sl1 = fa_xstrdup(r->ds.dims[gs->dims[1]].name);
    sub = fa_xasprintf("Rows: %s; columns: %s. Each cell: the value and the "
                       "rows; coloured when it has %lld rows or more.",
                       sl0, sl1, (long long)r->min_group);
    y = title_block(&c, title, sub);
    snprintf(buf, sizeof(buf),
             "hatched: fewer than %lld rows (n<%lld), undefined (n/a) or "
             "no rows",
             (long long)r->min_group, (long long)r->min_group);
    add_key(keys, &nkeys, KEY_HATCH, 0, buf);
    if (ref_in)
        add_key(keys, &nkeys, KEY_BOX, 0, "reference group");
    y += legend(&c, keys, nkeys, MARGIN, y, w - 2 * MARGIN) + 5;

    /* columns: row labels, grid, colour bar */
    for (size_t i = 0; i < nr; i++)
        wl = fmax(
            wl, text_width(&c, L[0].v[i] ? L[0].v[i] : "(missing)", &st_small));
    wl = fmin(fmax(wl, text_width(&c, sl0, &st_head)), 0.25 * w);
    gx0 = MARGIN + wl + 6;
    barx = w - MARGIN - 40;
    cw = fmin(90, (barx - 10 - gx0) / (double)nc);
    for (size_t j = 0; j < nc; j++)
        wc = fmax(
            wc, text_width(&c, L[1].v[j] ? L[1].v[j] : "(missing)", &st_small));
    rotate = wc > cw - 4;
    hdr = rotate ? fmin(wc, 70) + 4 : 11;
    /* the column name, then the column labels */
    text_at(&c, sl1, &st_head, gx0 + cw * (double)nc / 2, y + 5, 0,
            cw * (double)nc);
    y += 11;
    gy0 = y + hdr + 2;
    avail = h - MARGIN - gy0;
    ch = nr ? fmin(56, avail / (double)nr) : 56;
    shown = nr;
    if (ch < CELL_MIN) {
        ch = CELL_MIN;
        shown = avail > CELL_MIN ? (size_t)(avail / CELL_MIN) - 1 : 0;
    }
    text_at(&c, sl0, &st_head, MARGIN, gy0 - 6, -1, wl);
    if (cw >= 6) {
        for (size_t j = 0; j < nc; j++) {
            const char *s = L[1].v[j] ? L[1].v[j] : "(missing)";
            double xc = gx0 + ((double)j + 0.5) * cw;

            if (!rotate) {
                text_at(&c, s, &st_small, xc, y + hdr / 2, 0, cw - 2);
            } else {
                struct style st = st_small;

                st.size = fmin(7.5, cw * 0.8);
                text_up(&c, s, &st, xc, gy0 - 3, hdr - 4);
            }
        }
    }

    /* cells: one font size for all, the largest that fits every cell */
    for (size_t i = 0; i < shown * nc; i++)
        for (int k = 0; k < cells[i].nlines; k++)
            maxw = fmax(maxw, text_width(&c, cells[i].line[k], &st_small));
    /* as many lines as fit at 5 points or more: all, else the first */
    for (maxl = lines; maxl > 0; maxl--) {
        fs = fmin(8, (ch - 3) / ((double)maxl * 1.2));
        if (maxw > 0)
            fs = fmin(fs, 7.5 * (cw - 5) / maxw);
        if (fs >= 5)
            break;
    }
    fsr = fmin(7.5, fmax(5, ch * 0.7));
    st_row = (struct style){fsr, 0, C_BLACK};
    for (size_t i = 0; i < shown; i++) {
        double yc = gy0 + ((double)i + 0.5) * ch;

        text_at(&c, L[0].v[i] ? L[0].v[i] : "(missing)", &st_row, MARGIN, yc,
                -1, wl);
        for (size_t j = 0; j < nc; j++) {
            const struct hcell *hc = &cells[i * nc + j];
            double x = gx0 + (double)j * cw, cy = gy0 + (double)i * ch;
            double rgb[3] = {1, 1, 1}, lh = fs * 1.2, bw = 0;
            struct style st = {fs, 0, C_BLACK};
            int nl = hc->nlines < maxl ? hc->nlines : maxl;

            if (hc->hatched) {
                hatch(cr, x + 0.5, cy + 0.5, cw - 1, ch - 1);
            } else {
                seq_colour(hc->t, rgb);
                cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
                cairo_rectangle(cr, x + 0.5, cy + 0.5, cw - 1, ch - 1);
                cairo_fill(cr);
                if (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 0.45)
                    st.rgb = 0xFFFFFF;
            }
            if (hc->gid >= 0 && hc->gid == gs->ref_gid) {
                set_rgb(cr, C_BLACK);
                cairo_set_line_width(cr, 2);
                cairo_rectangle(cr, x + 1.5, cy + 1.5, cw - 3, ch - 3);
                cairo_stroke(cr);
            }
            if (nl == 0)
                continue; /* no room for text: the colour alone */
            if (hc->hatched) {
                /* a white ground keeps the text clear of the hatching */
                for (int k = 0; k < nl; k++)
                    bw = fmax(bw, text_width(&c, hc->line[k], &st));
                cairo_set_source_rgb(cr, 1, 1, 1);
                cairo_rectangle(cr, x + cw / 2 - bw / 2 - 1.5,
                                cy + ch / 2 - lh * nl / 2 - 0.5, bw + 3,
                                lh * nl + 1);
                cairo_fill(cr);
            }
            for (int k = 0; k < nl; k++) {
                st.bold = k == 0 && hc->hatched;
                text_at(&c, hc->line[k], &st, x + cw / 2,
                        cy + ch / 2 + lh * (k - (nl - 1) / 2.0), 0, cw - 2);
            }
        }
    }
    if (shown < nr) {
        char *s = fa_xasprintf("... and %zu more rows, not shown: the chart "
                               "is too small for them",
                               nr - shown);

        text_at(&c, s, &st_sub, MARGIN, gy0 + ((double)shown + 0.5) * ch, -1,
                w - 2 * MARGIN);
        free(s);
    }
    if (shown > 0)
        colour_bar(&c, gx0 + cw * (double)nc + 10, gy0,
                   gy0 + fmax(fmin((double)shown * ch, 160),
                              fmin(60, (double)shown * ch)),
                   lo, hi);
    chart_close(&c);
    free(sub);
    free(sl0);
    free(sl1);
    free(cells);
    free(L[0].v);
    free(L[1].v);
    free(title);
}

static void
add_file(fa_chart_file **f, size_t *n, char *name, char *title, int set,
         int kind, fa_metric m)
{
    *f = fa_xrealloc(*f, *n + 1, sizeof(**f));
    (*f)[*n] = (fa_chart_file){name, title, set, kind, m};
    (*n)++;
}

fa_chart_file *
fa_chart_list(const fa_results *r, size_t *n)
{
    fa_metric m = main_metric(r);
    const char *mn = fa_metric_name(m);
    fa_chart_file *f = NULL;

    *n = 0;
    for (size_t s = 1; s < r->nsets; s++) {
        const fa_group_set *gs = &r->sets[s];
        int id = gs->id;

        if (gs->kind == FA_SET_ATTRIBUTE) {
            add_file(&f, n, fa_xasprintf("set%d-rates-%s", id, mn),
                     chart_title(r, id, 0, m), id, 0, m);
            add_file(&f, n, fa_xasprintf("set%d-forest-%s", id, mn),
                     chart_title(r, id, 1, m), id, 1, m);
            if (r->ds.labelled)
                add_file(&f, n, fa_xasprintf("set%d-multiples", id),
                         chart_title(r, id, 2, m), id, 2, m);
        } else if (gs->kind == FA_SET_INTERSECTION && gs->ndims == 2) {
            add_file(&f, n, fa_xasprintf("set%d-heatmap-%s", id, mn),
                     chart_title(r, id, 3, m), id, 3, m);
        }
    }
    return f;
}

void
fa_chart_files_free(fa_chart_file *f, size_t n)
{
    if (!f)
        return;
    for (size_t i = 0; i < n; i++) {
        free(f[i].name);
        free(f[i].title);
    }
    free(f);
}

void
fa_chart_draw(cairo_t *cr, double w, double h, const fa_results *r,
              const fa_chart_file *f)
{
    switch (f->kind) {
    case 0:
        fa_chart_rates(cr, w, h, r, f->set, f->metric);
        break;
    case 1:
        fa_chart_forest(cr, w, h, r, f->set, f->metric);
        break;
    case 2:
        fa_chart_multiples(cr, w, h, r, f->set);
        break;
    default:
        fa_chart_heatmap(cr, w, h, r, f->set, f->metric);
        break;
    }
}

/* The size a chart file is written at: 480 x 320 points, taller (and for
 * a heatmap wider) when its groups need the room. */
static void
file_size(const fa_results *r, const fa_chart_file *f, double *w, double *h)
{
    size_t n = 0, *ix;

    if (f->kind == 3) {
        heatmap_size(r, f->set, w, h);
        return;
    }
    ix = set_groups(r, f->set, &n);
    free(ix);
    *w = 480;
    *h = fmin(FILE_MAX_H, rows_height(n + 1));
}

/* A chart file in memory: cairo writes here, then the file is written in
 * one go. Never larger than MAX_FILE. */
#define MAX_FILE ((size_t)256 << 20)

struct buf {
    unsigned char *p;
    size_t n, cap;
};

static cairo_status_t
buf_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct buf *b = closure;

    if (len > MAX_FILE - b->n)
        return CAIRO_STATUS_NO_MEMORY;
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 64 * 1024;

        while (cap < b->n + len)
            cap *= 2;
        b->p = fa_xrealloc(b->p, cap, 1);
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    return CAIRO_STATUS_SUCCESS;
}

/*
 * Cairo names an SVG's surfaces after a counter global to the process
 * ("surface418"), so the second chart a process writes would differ from
 * the same chart written first. The ids are renumbered 1, 2, ... in order
 * of appearance, references included. (Text is drawn as glyphs, so
 * "surface" in the data never reaches the file as text.)
 */
static void
svg_renumber(struct buf *b)
{
    static const char key[] = "surface";
    const size_t klen = sizeof(key) - 1;
    unsigned long *seen = NULL;
    size_t nseen = 0, i = 0;
    struct buf out = {0};

    while (i < b->n) {
        size_t j = i + klen, k;
        unsigned long id = 0;
        char num[32];
        int len;

        if (b->n - i <= klen || memcmp(b->p + i, key, klen) != 0 ||
            b->p[j] < '0' || b->p[j] > '9') {
            /* copy up to the next 's' */
            const unsigned char *s = memchr(b->p + i + 1, 's', b->n - i - 1);
            size_t run = s ? (size_t)(s - (b->p + i)) : b->n - i;

            buf_write(&out, b->p + i, (unsigned)run);
            i += run;
            continue;
        }
        while (j < b->n && b->p[j] >= '0' && b->p[j] <= '9' && j - i < 18)
            id = id * 10 + (unsigned long)(b->p[j++] - '0');
        for (k = 0; k < nseen && seen[k] != id; k++)
            ;
        if (k == nseen) {
            seen = fa_xrealloc(seen, nseen + 1, sizeof(*seen));
            seen[nseen++] = id;
        }
        len = snprintf(num, sizeof(num), "%s%zu", key, k + 1);
        buf_write(&out, (const unsigned char *)num, (unsigned)len);
        i = j;
    }
    free(seen);
    free(b->p);
    *b = out;
}

/* Writes b to path: 0, or the errno of the failure. */
static int
write_file(const char *path, const struct buf *b)
{
    FILE *fp = fopen(path, "wb");
    int err = 0;

    if (!fp)
        return errno ? errno : EIO;
    errno = 0;
    if (fwrite(b->p, 1, b->n, fp) != b->n || fflush(fp) != 0 || ferror(fp))
        err = errno ? errno : EIO;
    if (fclose(fp) != 0 && !err)
        err = errno ? errno : EIO;
    if (err)
        unlink(path);
    return err;
}

/* Draws f into path as SVG, or as PNG at twice the size in pixels. */
static fa_err
write_chart(fa_ctx *ctx, const fa_results *r, const fa_chart_file *f,
            const char *path, int png)
{
    struct buf b = {0};
    cairo_surface_t *sf;
    cairo_t *cr;
    cairo_status_t st;
    double w, h;
    int err;

    file_size(r, f, &w, &h);
    if (png) {
        sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(2 * w),
                                        (int)ceil(2 * h));
    } else {
        sf = cairo_svg_surface_create_for_stream(buf_write, &b, w, h);
        cairo_svg_surface_restrict_to_version(sf, CAIRO_SVG_VERSION_1_1);
        cairo_svg_surface_set_document_unit(sf, CAIRO_SVG_UNIT_PT);
    }
    cr = cairo_create(sf);
    if (png)
        cairo_scale(cr, 2, 2);
    fa_chart_draw(cr, w, h, r, f);
    st = cairo_status(cr);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS && png)
        st = cairo_surface_write_to_png_stream(sf, buf_write, &b);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS) {
        free(b.p);
        return fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", path,
                           cairo_status_to_string(st));
    }
    if (!png)
        svg_renumber(&b);
    err = write_file(path, &b);
    free(b.p);
    if (err)
        return fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", path,
                           strerror(err));
    return FA_OK;
}

fa_err
fa_charts_write(fa_ctx *ctx, const fa_results *r, const char *dir)
{
    size_t n;
    fa_chart_file *f;
    fa_err err = FA_OK;

    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", dir,
                           strerror(errno));
    f = fa_chart_list(r, &n);
    for (size_t i = 0; i < n && !err; i++) {
        char *svg = fa_xasprintf("%s/%s.svg", dir, f[i].name);
        char *png = fa_xasprintf("%s/%s.png", dir, f[i].name);

        err = write_chart(ctx, r, &f[i], svg, 0);
        if (!err)
            err = write_chart(ctx, r, &f[i], png, 1);
        free(svg);
        free(png);
    }
    fa_chart_files_free(f, n);
    return err;
}
