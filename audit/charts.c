/* charts.c — the report's charts (cairo, pango): rates, forest plot, small
 * multiples, heatmap, and the score curves (ROC, calibration, threshold
 * sweep), and their SVG and PNG files.
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
#include "curves.h"

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
    {
        char *shown = fa_display_text(s);

        pango_layout_set_text(c->lay, shown, -1);
        free(shown);
    }
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
    else if (kind == 4)
        t = fa_xasprintf("ROC curves by %s", what);
    else if (kind == 5)
        t = fa_xasprintf("Calibration by %s", what);
    else if (kind == 6)
        t = fa_xasprintf("Threshold sweep by %s", what);
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
    const fa_verdict *v = fa_results_verdict(r, gid, name, "ratio");

    if (!v && !ratio_only)
        v = fa_results_verdict(r, gid, name, NULL);
    return v ? mark_of_verdict(v->verdict) : MARK_NOT_JUDGED;
}

static const char *
json_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

fa_band
fa_chart_band(const fa_results *r, fa_metric m, enum fa_set_kind kind)
{
    fa_band b = {0};
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

fa_metric
fa_chart_main_metric(const fa_results *r)
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
        int k = metric ? fa_metric_from_name(metric) : -1;

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
    int suppressed; /* n and points not published */
    struct point p[4];
    char value[24]; /* the value column; "" for the point's value */
};

/* The n column of row w. */
static void
row_n(char *buf, size_t size, const struct row *w)
{
    if (w->suppressed)
        snprintf(buf, size, "suppressed");
    else
        snprintf(buf, size, "%lld", (long long)w->n);
}

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
        row_n(buf, sizeof(buf), w);
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
        row_n(buf, sizeof(buf), w);
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
    w->suppressed = g->suppressed;
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
    if (g && g->suppressed) {
        snprintf(h->line[h->nlines++], 32, "suppressed");
        return;
    }
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
/* Private functions: x-y plots of the score curves                    */

#define MAX_CURVES 8 /* curves drawn at most: the largest groups */
#define MAX_TICKS 16
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */
#define DIVIDE "\xc3\xb7"       /* U+00F7 */
#define MINUS "\xe2\x88\x92"    /* U+2212 */
#define GEQ "\xe2\x89\xa5"      /* U+2265 */

/*
 * Curve colours: Okabe-Ito without its yellow, which a thin line on white
 * does not show. The eighth curve shares the first's colour; its dash and
 * marker, unique to each curve, still tell them apart, in colour or not.
 */
static const unsigned curve_rgb[] = {0x0072B2, 0xD55E00, 0x009E73, 0xE69F00,
                                     0xCC79A7, 0x56B4E9, 0x000000};

enum shape {
    SHAPE_CIRCLE,
    SHAPE_SQUARE,
    SHAPE_TRIANGLE,
    SHAPE_DIAMOND,
    SHAPE_TRIANGLE_DOWN,
    SHAPE_CROSS,
    SHAPE_PLUS,
    SHAPE_STAR
};

static const struct {
    int ndash;
    double dash[6];
} curve_dash[MAX_CURVES] = {
    {0, {0}},
    {2, {6, 2.5}},
    {2, {1.5, 2}},
    {4, {6, 2, 1.5, 2}},
    {2, {3, 3}},
    {4, {9, 2.5, 3, 2.5}},
    {6, {1.5, 2, 1.5, 2, 6, 2}},
    {4, {3, 1.5, 1.5, 1.5}},
};

/* The plot area of an x-y chart and its scales. */
struct xy {
    double x0, y0, x1, y1; /* left, top, right, bottom, in points */
    double xlo, xhi, ylo, yhi;
    double xt[MAX_TICKS], yt[MAX_TICKS];
    size_t nxt, nyt;
};

static double
xy_px(const struct xy *p, double v)
{
    return p->x0 + (v - p->xlo) / (p->xhi - p->xlo) * (p->x1 - p->x0);
}

static double
xy_py(const struct xy *p, double v)
{
    return p->y1 - (v - p->ylo) / (p->yhi - p->ylo) * (p->y1 - p->y0);
}

/*
 * Round ticks from lo to hi, at most maxn + 1 of them, 1, 2, 2.5 or 5
 * times a power of ten apart; each is k x step, never a running sum, so
 * 0.3 prints as 0.3.
 */
static size_t
nice_ticks(double lo, double hi, size_t maxn, double *t)
{
    static const double mult[] = {1, 2, 2.5, 5, 10};
    double raw, base, step = 1;
    size_t n = 0;

    if (maxn < 1)
        maxn = 1;
    if (!(hi > lo))
        return 0;
    raw = (hi - lo) / (double)maxn;
    base = pow(10, floor(log10(raw)));
    for (size_t i = 0; i < FA_ARRAY_LEN(mult); i++) {
        step = mult[i] * base;
        if ((hi - lo) / step <= (double)maxn + 1e-9)
            break;
    }
    for (double k = ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
        if (n == MAX_TICKS)
            break;
        t[n] = k * step;
        if (fabs(t[n]) < step * 1e-9)
            t[n] = 0;
        n++;
    }
    return n;
}

/* The widest of the y tick labels of p. */
static double
ytick_width(struct chart *c, const struct xy *p)
{
    double w = 0;

    for (size_t i = 0; i < p->nyt; i++) {
        char buf[32];

        tick_label(buf, sizeof(buf), p->yt[i]);
        w = fmax(w, text_width(c, buf, &st_small));
    }
    return w;
}

/* Grid lines at p's ticks. */
static void
xy_grid(struct chart *c, const struct xy *p)
{
    cairo_t *cr = c->cr;

    set_rgb(cr, C_GRID);
    cairo_set_line_width(cr, 0.5);
    for (size_t i = 0; i < p->nxt; i++)
        seg(cr, xy_px(p, p->xt[i]), p->y0, xy_px(p, p->xt[i]), p->y1);
    for (size_t i = 0; i < p->nyt; i++)
        seg(cr, p->x0, xy_py(p, p->yt[i]), p->x1, xy_py(p, p->yt[i]));
    cairo_stroke(cr);
}

/*
 * The left and bottom axes of p with their ticks, the y labels, and the x
 * labels unless xlabels is 0 (a panel sharing the axis of the one below).
 * No frame on the top and right: a curve along an edge stays visible.
 */
static void
xy_axes(struct chart *c, const struct xy *p, int xlabels)
{
    cairo_t *cr = c->cr;
    double last = -1e9;
    char buf[32];

    set_rgb(cr, C_BLACK);
    cairo_set_line_width(cr, 0.8);
    seg(cr, p->x0, p->y0, p->x0, p->y1);
    seg(cr, p->x0, p->y1, p->x1, p->y1);
    for (size_t i = 0; i < p->nxt; i++)
        seg(cr, xy_px(p, p->xt[i]), p->y1, xy_px(p, p->xt[i]), p->y1 + 3);
    for (size_t i = 0; i < p->nyt; i++)
        seg(cr, p->x0 - 3, xy_py(p, p->yt[i]), p->x0, xy_py(p, p->yt[i]));
    cairo_stroke(cr);
    for (size_t i = 0; xlabels && i < p->nxt; i++) {
        double x = xy_px(p, p->xt[i]), tw;

        tick_label(buf, sizeof(buf), p->xt[i]);
        tw = text_width(c, buf, &st_small);
        if (x - tw / 2 < last + 3)
            continue;
        text_at(c, buf, &st_small, x, p->y1 + 8, 0, 0);
        last = x + tw / 2;
    }
    last = 1e9;
    for (size_t i = 0; i < p->nyt; i++) {
        double y = xy_py(p, p->yt[i]);

        if (y > last - 9)
            continue;
        tick_label(buf, sizeof(buf), p->yt[i]);
        text_at(c, buf, &st_small, p->x0 - 5, y, 1, 0);
        last = y;
    }
}

/* The axis titles: x centred under the x labels, y turned up left of the
 * y labels (ylw wide). */
static void
xy_titles(struct chart *c, const struct xy *p, const char *xt, const char *yt,
          double ylw)
{
    if (xt)
        text_at(c, xt, &st_small, (p->x0 + p->x1) / 2, p->y1 + 19, 0,
                c->w - 2 * MARGIN);
    if (yt) {
        double len = fmin(text_width(c, yt, &st_small), p->y1 - p->y0);

        text_up(c, yt, &st_small, p->x0 - ylw - 11,
                (p->y0 + p->y1) / 2 + len / 2, len);
    }
}

/* Sets curve k's colour, width and dash. */
static void
curve_style(cairo_t *cr, int k, double width)
{
    set_rgb(cr, curve_rgb[k % FA_ARRAY_LEN(curve_rgb)]);
    cairo_set_line_width(cr, width);
    cairo_set_dash(cr, curve_dash[k % MAX_CURVES].dash,
                   curve_dash[k % MAX_CURVES].ndash, 0);
}

/* Curve k's marker at (x, y), about r in radius, on a thin white halo so
 * it stands off the lines it sits on. */
static void
curve_mark(cairo_t *cr, int k, double x, double y, double r)
{
    int shape = k % MAX_CURVES,
        open = shape == SHAPE_CROSS || shape == SHAPE_PLUS;

    cairo_save(cr);
    cairo_new_path(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    switch (shape) {
    case SHAPE_CIRCLE:
        cairo_arc(cr, x, y, r, 0, 2 * PI);
        break;
    case SHAPE_SQUARE:
        cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r);
        break;
    case SHAPE_TRIANGLE:
    case SHAPE_TRIANGLE_DOWN: {
        double s = shape == SHAPE_TRIANGLE ? 1 : -1;

        cairo_move_to(cr, x, y - s * 1.2 * r);
        cairo_line_to(cr, x + 1.1 * r, y + s * 0.75 * r);
        cairo_line_to(cr, x - 1.1 * r, y + s * 0.75 * r);
        cairo_close_path(cr);
        break;
    }
    case SHAPE_DIAMOND:
        cairo_move_to(cr, x, y - 1.25 * r);
        cairo_line_to(cr, x + 1.0 * r, y);
        cairo_line_to(cr, x, y + 1.25 * r);
        cairo_line_to(cr, x - 1.0 * r, y);
        cairo_close_path(cr);
        break;
    case SHAPE_CROSS:
        seg(cr, x - r, y - r, x + r, y + r);
        seg(cr, x + r, y - r, x - r, y + r);
        break;
    case SHAPE_PLUS:
        seg(cr, x - 1.2 * r, y, x + 1.2 * r, y);
        seg(cr, x, y - 1.2 * r, x, y + 1.2 * r);
        break;
    default:
        star_path(cr, x, y, 1.35 * r);
        break;
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, open ? 3.4 : 1.6);
    cairo_stroke_preserve(cr);
    set_rgb(cr, curve_rgb[k % FA_ARRAY_LEN(curve_rgb)]);
    if (open) {
        cairo_set_line_width(cr, 1.5);
        cairo_stroke(cr);
    } else {
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

/* The dashed grey diagonal from (lo, lo) to (hi, hi). */
static void
diagonal(cairo_t *cr, const struct xy *p, double lo, double hi)
{
    const double dash[] = {4, 3};

    cairo_save(cr);
    set_rgb(cr, C_GREY);
    cairo_set_line_width(cr, 1);
    cairo_set_dash(cr, dash, 2, 0);
    seg(cr, xy_px(p, lo), xy_py(p, lo), xy_px(p, hi), xy_py(p, hi));
    cairo_stroke(cr);
    cairo_restore(cr);
}

/*
 * The line through the n points (x, y) whose ok is set (all when ok is
 * NULL), broken where ok is 0; a point with no neighbour to join is a
 * dot. The caller has set colour, width and dash.
 */
static void
polyline(cairo_t *cr, const struct xy *p, const double *x, const double *y,
         const unsigned char *ok, size_t n)
{
    int on = 0;

    cairo_new_path(cr);
    for (size_t i = 0; i < n; i++) {
        if (ok && !ok[i]) {
            on = 0;
            continue;
        }
        if (on)
            cairo_line_to(cr, xy_px(p, x[i]), xy_py(p, y[i]));
        else
            cairo_move_to(cr, xy_px(p, x[i]), xy_py(p, y[i]));
        on = 1;
    }
    cairo_stroke(cr);
    for (size_t i = 0; i < n; i++) {
        int alone = (!ok || ok[i]) && (i == 0 || (ok && !ok[i - 1])) &&
                    (i + 1 == n || (ok && !ok[i + 1]));

        if (!alone)
            continue;
        cairo_arc(cr, xy_px(p, x[i]), xy_py(p, y[i]), cairo_get_line_width(cr),
                  0, 2 * PI);
        cairo_fill(cr);
    }
}

/*
 * Curve k's markers along the line through the n points (x, y): four,
 * evenly spaced by length, each curve of nk starting at its own offset so
 * that curves which run together do not hide each other's markers.
 */
static void
curve_marks(cairo_t *cr, const struct xy *p, const double *x, const double *y,
            size_t n, int k, int nk, double r)
{
    double len = 0, step, next, acc = 0;

    for (size_t i = 1; i < n; i++)
        len += hypot(xy_px(p, x[i]) - xy_px(p, x[i - 1]),
                     xy_py(p, y[i]) - xy_py(p, y[i - 1]));
    if (n == 0)
        return;
    if (len <= 0) {
        curve_mark(cr, k, xy_px(p, x[0]), xy_py(p, y[0]), r);
        return;
    }
    step = len / 4;
    next = step * (k + 0.5) / (nk > 0 ? nk : 1);
    for (size_t i = 1; i < n; i++) {
        double ax = xy_px(p, x[i - 1]), ay = xy_py(p, y[i - 1]);
        double bx = xy_px(p, x[i]), by = xy_py(p, y[i]);
        double sl = hypot(bx - ax, by - ay);

        while (sl > 0 && next <= acc + sl) {
            double t = (next - acc) / sl;

            curve_mark(cr, k, ax + t * (bx - ax), ay + t * (by - ay), r);
            next += step;
        }
        acc += sl;
    }
}

/* ------------------------------------------------------------------ */
/* Private functions: the legend column of the score curves            */

enum entry_kind { ENTRY_CURVE, ENTRY_DIAGONAL, ENTRY_SIZE, ENTRY_NOTE };

/* One line (or two, when it does not fit on one) of the legend column. */
struct entry {
    enum entry_kind kind;
    int curve;            /* ENTRY_CURVE: its number */
    int bold;             /* the reference group */
    char *label, *detail; /* owned; detail may be NULL */
};

struct entries {
    struct entry *e;
    size_t n, cap;
};

static void
entry_add(struct entries *E, enum entry_kind kind, int curve, int bold,
          char *label, char *detail)
{
    if (E->n == E->cap) {
        E->cap = E->cap ? 2 * E->cap : 16;
        E->e = fa_xrealloc(E->e, E->cap, sizeof(*E->e));
    }
    E->e[E->n++] = (struct entry){kind, curve, bold, label, detail};
}

static void
entries_release(struct entries *E)
{
    for (size_t i = 0; i < E->n; i++) {
        free(E->e[i].label);
        free(E->e[i].detail);
    }
    free(E->e);
}

static void
entry_swatch(struct chart *c, const struct entry *e, double x, double y)
{
    cairo_t *cr = c->cr;

    cairo_save(cr);
    switch (e->kind) {
    case ENTRY_CURVE:
        curve_style(cr, e->curve, 1.4);
        seg(cr, x, y, x + 20, y);
        cairo_stroke(cr);
        curve_mark(cr, e->curve, x + 10, y, 2.6);
        break;
    case ENTRY_DIAGONAL: {
        const double dash[] = {4, 3};

        set_rgb(cr, C_GREY);
        cairo_set_line_width(cr, 1);
        cairo_set_dash(cr, dash, 2, 0);
        seg(cr, x, y, x + 20, y);
        cairo_stroke(cr);
        break;
    }
    case ENTRY_SIZE:
        set_rgb(cr, 0x666666);
        cairo_set_line_width(cr, 0.8);
        cairo_arc(cr, x + 4, y, 1.6, 0, 2 * PI);
        cairo_stroke(cr);
        cairo_arc(cr, x + 14, y, 4.5, 0, 2 * PI);
        cairo_stroke(cr);
        break;
    case ENTRY_NOTE:
        break;
    }
    cairo_restore(cr);
}

#define ENTRY_LINES 4

/* The next break from q on: ", " (*keep 1: the comma stays on the line)
 * or " [" (*keep 0); the space after the line is dropped. NULL: none. */
static const char *
next_break(const char *q, size_t *keep)
{
    const char *a = strstr(q, ", "), *b = strstr(q, " [");

    if (a && (!b || a < b)) {
        *keep = 1;
        return a;
    }
    *keep = 0;
    return b;
}

/*
 * Splits s into at most ENTRY_LINES lines of maxw points in style st,
 * breaking after ", " or before " [" (the last line is cut when they do
 * not fit); returns how many. Each line is the caller's to free.
 */
static size_t
wrap_detail(struct chart *c, const char *s, const struct style *st, double maxw,
            char **line)
{
    size_t n = 0, len = strlen(s), at = 0;

    while (at < len && n < ENTRY_LINES) {
        size_t end = len, fit = 0;

        /* the longest run of whole pieces that fits, one piece at least */
        for (const char *q = s + at; n + 1 < ENTRY_LINES;) {
            size_t keep;
            const char *brk = next_break(q, &keep);
            size_t cut = brk ? (size_t)(brk - s) + keep : len;
            char *piece = fa_xcalloc(cut - at + 1, 1);
            int fits;

            memcpy(piece, s + at, cut - at);
            fits = text_width(c, piece, st) <= maxw;
            free(piece);
            if (!fits && fit)
                break;
            fit = cut;
            if (!fits || !brk)
                break;
            q = brk + 2;
        }
        end = fit ? fit : len;
        line[n] = fa_xcalloc(end - at + 1, 1);
        memcpy(line[n], s + at, end - at);
        n++;
        at = end;
        while (s[at] == ' ')
            at++;
    }
    return n;
}

/*
 * Draws the entries down from y in the column x to x + w, above ymax:
 * each label and its detail on one line when every group's fit, else the
 * detail under the label (broken after a comma where it is still too
 * wide). Entries past ymax are counted on a last line. Returns the y
 * below the last.
 */
static double
entries_draw(struct chart *c, const struct entries *E, double x, double y,
             double w, double ymax)
{
    const double lh = 10, sw = 24;
    double tw = w - sw;
    int split = 0;

    /* the groups alike: all on one line each, or all on two or more */
    for (size_t i = 0; i < E->n; i++) {
        const struct entry *e = &E->e[i];

        if (e->kind == ENTRY_CURVE && e->detail &&
            text_width(c, e->label, e->bold ? &st_head : &st_small) + 4 +
                    text_width(c, e->detail, &st_small) >
                tw)
            split = 1;
    }
    for (size_t i = 0; i < E->n; i++) {
        const struct entry *e = &E->e[i];
        const struct style *sl = e->kind == ENTRY_NOTE ? &st_sub
                                 : e->bold             ? &st_head
                                                       : &st_small;
        const struct style *sd = e->kind == ENTRY_NOTE ? &st_sub : &st_small;
        double wl = text_width(c, e->label, sl);
        double wd = e->detail ? text_width(c, e->detail, sd) : 0;
        char *line[ENTRY_LINES];
        size_t nl = 0;
        double eh;

        if (e->detail &&
            ((e->kind == ENTRY_CURVE && split) || wl + 4 + wd > tw))
            nl = wrap_detail(c, e->detail, sd, tw, line);
        eh = lh * (double)(1 + nl);
        if (y + eh > ymax || (i + 1 < E->n && y + eh + lh > ymax)) {
            char *s;

            for (size_t k = 0; k < nl; k++)
                free(line[k]);
            if (y + lh > ymax)
                break;
            s = fa_xasprintf(ELLIPSIS " %zu more not listed: the chart is "
                                      "too small",
                             E->n - i);
            text_at(c, s, &st_sub, x, y + lh / 2, -1, w);
            free(s);
            return y + lh;
        }
        entry_swatch(c, e, x, y + lh / 2);
        if (nl == 0) {
            double used = text_at(c, e->label, sl, x + sw, y + lh / 2, -1, tw);

            if (e->detail)
                text_at(c, e->detail, sd, x + sw + used + 4, y + lh / 2, -1,
                        tw - used - 4);
        } else {
            text_at(c, e->label, sl, x + sw, y + lh / 2, -1, tw);
            for (size_t k = 0; k < nl; k++) {
                text_at(c, line[k], sd, x + sw, y + lh * (1.5 + (double)k), -1,
                        tw);
                free(line[k]);
            }
        }
        y += eh + 2;
    }
    return y;
}

/* ------------------------------------------------------------------ */
/* Private functions: the score curves' groups                         */

static const fa_group *
curve_group(const fa_results *r, const fa_curve_group *g)
{
    assert(g->gid > 0 && (size_t)g->gid < r->ngroups);
    return &r->groups[g->gid];
}

static int
has_roc(const fa_curve_group *g)
{
    return g->nroc > 0;
}

static int
has_cal(const fa_curve_group *g)
{
    for (size_t b = 0; b < FA_CAL_BINS; b++)
        if (g->cal_n[b] > 0)
            return 1;
    return 0;
}

/*
 * Which groups of c get a curve: of those has() accepts, the MAX_CURVES
 * with the most rows (ties to the earlier), flagged in drawn[] (c->ngroups
 * + 1 of them, caller frees); *nd are drawn, *nskip have a curve but are
 * not drawn.
 */
static unsigned char *
pick_curves(const fa_score_curves *c, int (*has)(const fa_curve_group *),
            size_t *nd, size_t *nskip)
{
    unsigned char *drawn = fa_xcalloc(c->ngroups + 1, 1);
    size_t nhas = 0;

    *nd = 0;
    for (size_t i = 0; i < c->ngroups; i++)
        nhas += has(&c->g[i]) != 0;
    while (*nd < MAX_CURVES && *nd < nhas) {
        size_t best = c->ngroups;

        for (size_t i = 0; i < c->ngroups; i++)
            if (!drawn[i] && has(&c->g[i]) &&
                (best == c->ngroups || c->g[i].n > c->g[best].n))
                best = i;
        drawn[best] = 1;
        (*nd)++;
    }
    *nskip = nhas - *nd;
    return drawn;
}

/* " [0.760–0.861]", or nothing when the interval is undefined (a run
 * without intervals of m would repeat "n/a" on every line). */
static void
ci_text(char *buf, size_t size, const fa_interval *ci)
{
    if (ci->reason)
        snprintf(buf, size, "%s", "");
    else
        snprintf(buf, size, " [%.3f" EN_DASH "%.3f]", ci->lo, ci->hi);
}

/* "(n=200, AUC 0.812 [0.760–0.861])": the group's n and metric m with
 * its interval, "AUC n/a" when undefined (caller frees). */
static char *
metric_detail(const fa_group *g, fa_metric m)
{
    char ci[64];

    if (g->m[m].reason)
        return fa_xasprintf("(n=%lld, %s n/a)", (long long)g->n,
                            metric_labels[m]);
    ci_text(ci, sizeof(ci), &g->ci[m]);
    return fa_xasprintf("(n=%lld, %s %.3f%s)", (long long)g->n,
                        metric_labels[m], g->m[m].value, ci);
}

/*
 * The legend entries of the drawn groups, each with its n and metric m,
 * then the count of the groups left out; returns the curves numbered.
 * The caller adds its keys, then nocurve_entries.
 */
static int
curve_entries(struct entries *E, const fa_results *r, const fa_score_curves *c,
              const unsigned char *drawn, size_t nskip, fa_metric m)
{
    int64_t ref = r->sets[c->set].ref_gid;
    int k = 0;

    for (size_t i = 0; i < c->ngroups; i++) {
        const fa_group *g;

        if (!drawn[i])
            continue;
        g = curve_group(r, &c->g[i]);
        entry_add(E, ENTRY_CURVE, k++, g->gid == ref, group_label(r, g),
                  metric_detail(g, m));
    }
    if (nskip > 0)
        entry_add(E, ENTRY_NOTE, 0, 0,
                  fa_xasprintf(ELLIPSIS " %zu smaller group%s not drawn", nskip,
                               nskip == 1 ? "" : "s"),
                  NULL);
    return k;
}

/* The groups without a curve (has() is 0), each with why it has none. */
static void
nocurve_entries(struct entries *E, const fa_results *r,
                const fa_score_curves *c, int (*has)(const fa_curve_group *),
                const char *why)
{
    for (size_t i = 0; i < c->ngroups; i++) {
        const fa_group *g;

        if (has(&c->g[i]))
            continue;
        g = curve_group(r, &c->g[i]);
        entry_add(E, ENTRY_NOTE, 0, 0, group_label(r, g),
                  fa_xasprintf("(n=%lld, %s)", (long long)g->n,
                               c->g[i].n == 0 ? "no rows" : why));
    }
}

/*
 * Places a square plot and the legend column right of it below y: *p gets
 * the plot area (y labels ylw wide on its left, x labels and title below),
 * *lx and *lw the column. 0 when there is no room for a plot.
 */
static int
square_layout(const struct chart *c, double y, double ylw, struct xy *p,
              double *lx, double *lw)
{
    double left = MARGIN + 14 + ylw + 5, top = y + 6;
    double bottom = c->h - MARGIN - 24;
    double side =
        fmin(bottom - top, c->w - MARGIN - left - 12 - fmin(150, 0.32 * c->w));

    if (side < 40)
        return 0;
    p->x0 = left;
    p->x1 = left + side;
    p->y0 = top;
    p->y1 = top + side;
    *lx = p->x1 + 12;
    *lw = c->w - MARGIN - *lx;
    return 1;
}

/* The legend column: its head (the set's columns), then the entries. */
static void
legend_column(struct chart *c, const fa_results *r, int set,
              const struct entries *E, double x, double y, double w)
{
    char *sl = set_label(r, set);

    text_at(c, sl, &st_head, x, y + 5, -1, w);
    free(sl);
    entries_draw(c, E, x, y + 13, w, c->h - MARGIN);
}

/* A second line under the title block: returns the y below it. */
static double
note_line(struct chart *c, const char *s, double y)
{
    static const struct style st_note = {7.5, 1, C_TEXT2};

    text_at(c, s, &st_note, MARGIN, y + 4, -1, c->w - 2 * MARGIN);
    return y + 11;
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
    fa_band b;
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
    b = fa_chart_band(r, m, gs->kind);
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
        rc.sub = fa_xasprintf("Reference: %s (%s). Whiskers: %s.", refl,
                              ref->suppressed ? "suppressed" : "n/a", ci);
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
    fa_band b;
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
    b = fa_chart_band(r, m, gs->kind);
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
    if (ref && ref->suppressed)
        rc.sub = fa_xasprintf("Reference: %s (suppressed): no ratios "
                              "shown.",
                              refl);
    else if (ref)
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

void
fa_chart_roc(cairo_t *cr, double w, double h, const fa_results *r,
             const fa_score_curves *c)
{
    struct chart ch;
    struct entries E = {0};
    struct xy p = {0};
    unsigned char *drawn;
    size_t nd, nskip;
    double y, ylw, lx = MARGIN, lw = w - 2 * MARGIN;
    char *title, *sub, *ci;
    int nk, k = 0, plot;

    assert(c->set > 0 && (size_t)c->set < r->nsets);
    drawn = pick_curves(c, has_roc, &nd, &nskip);
    nk = curve_entries(&E, r, c, drawn, nskip, FA_METRIC_AUC);
    entry_add(&E, ENTRY_DIAGONAL, 0, 0, fa_xstrdup("chance (AUC 0.5)"), NULL);
    nocurve_entries(&E, r, c, has_roc, "no ROC: one class only");
    title = chart_title(r, c->set, 4, FA_METRIC_AUC);
    ci = ci_words(r, FA_METRIC_AUC);
    sub = fa_xasprintf("True against false positive rate as the threshold "
                       "falls; AUC with %s.",
                       ci);
    free(ci);

    chart_open(&ch, cr, w, h);
    y = title_block(&ch, title, sub);
    p.xlo = p.ylo = 0;
    p.xhi = p.yhi = 1;
    p.nxt = nice_ticks(0, 1, 5, p.xt);
    p.nyt = nice_ticks(0, 1, 5, p.yt);
    ylw = ytick_width(&ch, &p);
    plot = square_layout(&ch, y, ylw, &p, &lx, &lw);
    if (plot) {
        if (p.y1 - p.y0 < 100) {
            p.nxt = nice_ticks(0, 1, 2, p.xt);
            p.nyt = nice_ticks(0, 1, 2, p.yt);
        }
        xy_grid(&ch, &p);
        diagonal(cr, &p, 0, 1);
        cairo_save(cr);
        cairo_rectangle(cr, p.x0 - 6, p.y0 - 6, p.x1 - p.x0 + 12,
                        p.y1 - p.y0 + 12);
        cairo_clip(cr);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        for (size_t i = 0; i < c->ngroups; i++) {
            const fa_curve_group *g = &c->g[i];

            if (!drawn[i])
                continue;
            cairo_save(cr);
            curve_style(cr, k, 1.6);
            polyline(cr, &p, g->roc_fpr, g->roc_tpr, NULL, g->nroc);
            cairo_restore(cr);
            curve_marks(cr, &p, g->roc_fpr, g->roc_tpr, g->nroc, k, nk, 3);
            k++;
        }
        cairo_restore(cr);
        xy_axes(&ch, &p, 1);
        xy_titles(&ch, &p, "false positive rate, FPR (0" EN_DASH "1)",
                  "true positive rate, TPR (0" EN_DASH "1)", ylw);
        if (nd == 0)
            text_boxed(&ch, "no group has both classes: no ROC curve", &st_sub,
                       (p.x0 + p.x1) / 2, (p.y0 + p.y1) / 2, p.x1 - p.x0 - 8);
    }
    legend_column(&ch, r, c->set, &E, lx, plot ? p.y0 - 4 : y, lw);
    chart_close(&ch);
    entries_release(&E);
    free(drawn);
    free(title);
    free(sub);
}

void
fa_chart_calibration(cairo_t *cr, double w, double h, const fa_results *r,
                     const fa_score_curves *c)
{
    struct chart ch;
    struct entries E = {0};
    struct xy p = {0};
    unsigned char *drawn;
    size_t nd, nskip;
    int64_t maxn = 0;
    double y, ylw, lx = MARGIN, lw = w - 2 * MARGIN, lo = c->cal_lo;
    double hi = c->cal_hi;
    char *title, *sub;
    int k = 0, plot, probs = c->cal_lo >= 0 && c->cal_hi <= 1;

    assert(c->set > 0 && (size_t)c->set < r->nsets);
    if (!(hi > lo)) {
        /* every score the same: a range around it */
        lo -= 0.5;
        hi += 0.5;
    }
    drawn = pick_curves(c, has_cal, &nd, &nskip);
    for (size_t i = 0; i < c->ngroups; i++)
        for (size_t b = 0; drawn[i] && b < FA_CAL_BINS; b++)
            if (c->g[i].cal_n[b] > maxn)
                maxn = c->g[i].cal_n[b];
    curve_entries(&E, r, c, drawn, nskip, FA_METRIC_BRIER);
    if (probs)
        entry_add(&E, ENTRY_DIAGONAL, 0, 0, fa_xstrdup("perfect calibration"),
                  NULL);
    if (nd > 0)
        entry_add(&E, ENTRY_SIZE, 0, 0,
                  fa_xstrdup("marker area: the bin's rows"),
                  fa_xasprintf("(largest %lld)", (long long)maxn));
    nocurve_entries(&E, r, c, has_cal, "no rows");
    title = chart_title(r, c->set, 5, FA_METRIC_BRIER);
    sub = fa_xasprintf("%d equal score bins of [%g, %g]; a point per bin "
                       "with rows, at its mean score and its share of "
                       "actual positives.",
                       FA_CAL_BINS, c->cal_lo, c->cal_hi);

    chart_open(&ch, cr, w, h);
    y = title_block(&ch, title, sub);
    if (!probs)
        y = note_line(&ch,
                      "scores outside [0,1]: the diagonal is not a "
                      "calibration line",
                      y);
    p.xlo = lo;
    p.xhi = hi;
    p.ylo = 0;
    p.yhi = 1;
    p.nxt = nice_ticks(lo, hi, 5, p.xt);
    p.nyt = nice_ticks(0, 1, 5, p.yt);
    ylw = ytick_width(&ch, &p);
    plot = square_layout(&ch, y, ylw, &p, &lx, &lw);
    if (plot) {
        if (p.y1 - p.y0 < 100) {
            p.nxt = nice_ticks(lo, hi, 2, p.xt);
            p.nyt = nice_ticks(0, 1, 2, p.yt);
        }
        xy_grid(&ch, &p);
        if (probs)
            diagonal(cr, &p, lo, hi);
        cairo_save(cr);
        cairo_rectangle(cr, p.x0 - 8, p.y0 - 8, p.x1 - p.x0 + 16,
                        p.y1 - p.y0 + 16);
        cairo_clip(cr);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        for (size_t i = 0; i < c->ngroups; i++) {
            const fa_curve_group *g = &c->g[i];
            double px[FA_CAL_BINS], py[FA_CAL_BINS];
            size_t np = 0;

            if (!drawn[i])
                continue;
            for (size_t b = 0; b < FA_CAL_BINS; b++)
                if (g->cal_n[b] > 0) {
                    px[np] = g->cal_score[b];
                    py[np++] = g->cal_rate[b];
                }
            cairo_save(cr);
            curve_style(cr, k, 1.2);
            polyline(cr, &p, px, py, NULL, np);
            cairo_restore(cr);
            /* area grows with the rows: the radius with their root */
            for (size_t b = 0; b < FA_CAL_BINS; b++)
                if (g->cal_n[b] > 0)
                    curve_mark(cr, k, xy_px(&p, g->cal_score[b]),
                               xy_py(&p, g->cal_rate[b]),
                               fmax(1.6, 5.5 * sqrt((double)g->cal_n[b] /
                                                    (double)maxn)));
            k++;
        }
        cairo_restore(cr);
        xy_axes(&ch, &p, 1);
        xy_titles(&ch, &p, "mean score in bin",
                  "observed share of actual positives", ylw);
        if (nd == 0)
            text_boxed(&ch, "no group has rows: nothing to show", &st_sub,
                       (p.x0 + p.x1) / 2, (p.y0 + p.y1) / 2, p.x1 - p.x0 - 8);
    }
    legend_column(&ch, r, c->set, &E, lx, plot ? p.y0 - 4 : y, lw);
    chart_close(&ch);
    entries_release(&E);
    free(drawn);
    free(title);
    free(sub);
}

/* 1 when the box y0 to y1 (points), x0 to x1, meets the line through
 * the n points (t, v) whose ok is set. */
static int
box_meets_line(const struct xy *p, const double *t, const double *v,
               const unsigned char *ok, size_t n, double x0, double x1,
               double y0, double y1)
{
    for (size_t i = 0; i + 1 < n; i++) {
        double ax = xy_px(p, t[i]), bx = xy_px(p, t[i + 1]);
        double ay = xy_py(p, v[i]), by = xy_py(p, v[i + 1]);
        double lo, hi, ya, yb;

        if (!ok[i] || !ok[i + 1] || bx < x0 || ax > x1)
            continue;
        /* the segment's y over the box's x range */
        lo = fmax(ax, x0);
        hi = fmin(bx, x1);
        ya = bx > ax ? ay + (by - ay) * (lo - ax) / (bx - ax) : ay;
        yb = bx > ax ? ay + (by - ay) * (hi - ax) / (bx - ax) : by;
        if (fmax(ya, yb) >= y0 && fmin(ya, yb) <= y1)
            return 1;
    }
    for (size_t i = 0; i < n; i++) {
        double px = xy_px(p, t[i]), py = xy_py(p, v[i]);

        if (ok[i] && px >= x0 && px <= x1 && py >= y0 && py <= y1)
            return 1;
    }
    return 0;
}

/*
 * Where the decision threshold's label (tw x th) goes in panel p: beside
 * the line at x (right, else left), at the top, under the 0.8 line or at
 * the bottom, the first place clear of the 0.8 line and of the curve
 * (t, v); the top when none is. *lx, *ly get its centre.
 */
static void
place_label(const struct xy *p, const double *t, const double *v,
            const unsigned char *ok, size_t n, double x, double tw, double th,
            double *lx, double *ly)
{
    double y8 = xy_py(p, 0.8);
    const double ys[3] = {p->y0 + th / 2 + 1, y8 + th / 2 + 3,
                          p->y1 - th / 2 - 3};
    double xs[2];

    xs[0] = x + 5 + tw / 2;
    xs[1] = x - 5 - tw / 2;
    *lx = xs[0] + tw / 2 + 2 <= p->x1 ? xs[0] : xs[1];
    *ly = ys[0];
    for (size_t k = 0; k < 3; k++)
        for (size_t j = 0; j < 2; j++) {
            double bx0 = xs[j] - tw / 2 - 2, bx1 = xs[j] + tw / 2 + 2;
            double by0 = ys[k] - th / 2 - 1, by1 = ys[k] + th / 2 + 1;

            if (bx0 < p->x0 || bx1 > p->x1 || by1 > p->y1 ||
                (by0 <= y8 + 1 && by1 >= y8 - 1) ||
                box_meets_line(p, t, v, ok, n, bx0, bx1, by0, by1))
                continue;
            *lx = xs[j];
            *ly = ys[k];
            return;
        }
}

/* One panel of the sweep: grid, the 0.8 line when line, the curve. */
static void
sweep_panel(struct chart *ch, const struct xy *p, const double *t,
            const double *v, const unsigned char *ok, size_t n, unsigned rgb,
            int line, int xlabels)
{
    cairo_t *cr = ch->cr;

    xy_grid(ch, p);
    if (line) {
        const double dash[] = {5, 3};
        double y = xy_py(p, 0.8);

        cairo_save(cr);
        set_rgb(cr, 0x444444);
        cairo_set_line_width(cr, 1);
        cairo_set_dash(cr, dash, 2, 0);
        seg(cr, p->x0, y, p->x1, y);
        cairo_stroke(cr);
        cairo_restore(cr);
        text_at(ch, "0.8", &st_head, p->x1 + 3, y, -1, 0);
    }
    cairo_save(cr);
    cairo_rectangle(cr, p->x0 - 3, p->y0 - 3, p->x1 - p->x0 + 6,
                    p->y1 - p->y0 + 6);
    cairo_clip(cr);
    set_rgb(cr, rgb);
    cairo_set_line_width(cr, 1.6);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    polyline(cr, p, t, v, ok, n);
    cairo_restore(cr);
    xy_axes(ch, p, xlabels);
}

void
fa_chart_sweep(cairo_t *cr, double w, double h, const fa_results *r,
               const fa_score_curves *c)
{
    struct chart ch;
    struct xy top = {0}, bot = {0};
    size_t n = c->nthresh, nel, nratio = 0, ngap = 0;
    fa_sweep sw;
    const unsigned char *rok, *gok;
    const double *ratio, *gap;
    double y, ylw, left, right, bottom, ph, maxgap = 0, tlo, thi;
    char *title, *sub, *note = NULL, *away = NULL, others[64] = "";

    assert(c->set > 0 && (size_t)c->set < r->nsets);
    fa_sweep_compute(r, c, &sw);
    nel = sw.neligible;
    rok = sw.rok;
    gok = sw.gok;
    ratio = sw.ratio;
    gap = sw.gap;
    if (nel < c->ngroups)
        snprintf(others, sizeof(others), " (%zu other%s left out)",
                 c->ngroups - nel, c->ngroups - nel == 1 ? "" : "s");
    for (size_t t = 0; t < n; t++) {
        nratio += rok[t];
        ngap += gok[t];
        if (gok[t])
            maxgap = fmax(maxgap, gap[t]);
    }
    title = chart_title(r, c->set, 6, FA_METRIC_SELECTION_RATE);
    if (nel >= 2)
        sub = fa_xasprintf("Over the %zu groups of at least %lld rows with "
                           "no value missing%s.",
                           nel, (long long)r->min_group, others);
    else
        sub = fa_xasprintf("Fewer than two groups have at least %lld rows "
                           "and no value missing%s: nothing to compare.",
                           (long long)r->min_group,
                           r->suppress > 0 ? " (suppressed groups left out)"
                                           : "");
    if (nel >= 2 && nratio < n)
        note = fa_xstrdup("The ratio is undefined (no line) where no group "
                          "is selected.");
    tlo = n ? c->thresh[0] : 0;
    thi = n ? c->thresh[n - 1] : 1;
    if (!(thi > tlo)) {
        tlo -= 0.5;
        thi += 0.5;
    }
    if (c->has_chosen && !(c->chosen >= tlo && c->chosen <= thi))
        away = fa_xasprintf("The decision threshold t = %g lies outside the "
                            "thresholds swept.",
                            c->chosen);

    chart_open(&ch, cr, w, h);
    y = title_block(&ch, title, sub);
    if (note)
        y = note_line(&ch, note, y);
    if (away)
        y = note_line(&ch, away, y);
    top.xlo = bot.xlo = tlo;
    top.xhi = bot.xhi = thi;
    top.ylo = bot.ylo = 0;
    top.yhi = 1;
    bot.yhi = 1;
    for (size_t i = 0; ngap > 0 && i < 9; i++) {
        static const double caps[] = {0.05, 0.1, 0.2, 0.25, 0.3,
                                      0.4,  0.5, 0.6, 0.8};

        if (maxgap * 1.05 <= caps[i]) {
            bot.yhi = caps[i];
            break;
        }
    }
    top.nyt = nice_ticks(0, 1, 5, top.yt);
    ylw = fmax(ytick_width(&ch, &top), text_width(&ch, "0.25", &st_small));
    left = MARGIN + 14 + ylw + 5;
    right = w - MARGIN - text_width(&ch, "0.8", &st_head) - 6;
    bottom = h - MARGIN - 24;
    /* two panels, each under its heading, 10 points apart */
    ph = (bottom - y - 2 * 13 - 10) / 2;
    if (ph >= 24 && right - left >= 40) {
        size_t maxt = ph < 70 ? 2 : 5;

        top.x0 = bot.x0 = left;
        top.x1 = bot.x1 = right;
        top.y0 = y + 13;
        top.y1 = top.y0 + ph;
        bot.y0 = top.y1 + 10 + 13;
        bot.y1 = bot.y0 + ph;
        top.nxt = bot.nxt = nice_ticks(
            tlo, thi, (size_t)fmax(2, fmin(10, (right - left) / 45)), top.xt);
        memcpy(bot.xt, top.xt, sizeof(top.xt));
        top.nyt = nice_ticks(0, 1, maxt, top.yt);
        bot.nyt = nice_ticks(0, bot.yhi, maxt, bot.yt);
        text_at(&ch,
                "Selection-rate ratio: the lowest group's rate " DIVIDE
                " the highest's",
                &st_head, left, top.y0 - 7, -1, right - left);
        text_at(&ch, "TPR gap: the highest group's TPR " MINUS " the lowest's",
                &st_head, left, bot.y0 - 7, -1, right - left);
        sweep_panel(&ch, &top, c->thresh, ratio, rok, n, 0x0072B2, 1, 0);
        sweep_panel(&ch, &bot, c->thresh, gap, gok, n, C_VERMILLION, 0, 1);
        xy_titles(&ch, &top, NULL, "ratio (0" EN_DASH "1)", ylw);
        xy_titles(&ch, &bot,
                  "threshold t on the score (a row is selected when "
                  "score " GEQ " t)",
                  "gap (0" EN_DASH "1)", ylw);
        if (c->has_chosen && c->chosen >= tlo && c->chosen <= thi) {
            const double dash[] = {3, 2};
            double x = xy_px(&top, c->chosen), tw, tht, tx, ty;
            char buf[80];

            cairo_save(cr);
            set_rgb(cr, C_BLACK);
            cairo_set_line_width(cr, 1);
            cairo_set_dash(cr, dash, 2, 0);
            seg(cr, x, top.y0, x, top.y1);
            seg(cr, x, bot.y0, x, bot.y1);
            cairo_stroke(cr);
            cairo_restore(cr);
            snprintf(buf, sizeof(buf), "decision threshold t = %g", c->chosen);
            text_set(&ch, buf, &st_small, 0, &tw, &tht);
            place_label(&top, c->thresh, ratio, rok, n, x, tw, tht, &tx, &ty);
            text_boxed(&ch, buf, &st_small, tx, ty, right - left);
        }
        /* over the threshold line, so it reads */
        if (nratio == 0)
            text_boxed(&ch, "n/a: no ratio at any threshold", &st_sub,
                       (left + right) / 2, (top.y0 + top.y1) / 2,
                       right - left - 8);
        if (ngap == 0)
            text_boxed(&ch, "n/a: no TPR gap at any threshold", &st_sub,
                       (left + right) / 2, (bot.y0 + bot.y1) / 2,
                       right - left - 8);
    } else {
        text_at(&ch, "the chart is too small for the sweep", &st_sub, MARGIN,
                y + 8, -1, w - 2 * MARGIN);
    }
    chart_close(&ch);
    free(title);
    free(sub);
    free(note);
    free(away);
    fa_sweep_free(&sw);
}

static void
add_file(fa_chart_file **f, size_t *n, char *name, char *title, int set,
         int kind, fa_metric m, const fa_score_curves *curves)
{
    *f = fa_xrealloc(*f, *n + 1, sizeof(**f));
    (*f)[*n] = (fa_chart_file){name, title, set, kind, m, curves};
    (*n)++;
}

fa_chart_file *
fa_chart_list(const fa_results *r, size_t *n)
{
    return fa_chart_list_curves(r, NULL, 0, n);
}

fa_chart_file *
fa_chart_list_curves(const fa_results *r, const fa_score_curves *curves,
                     size_t ncurves, size_t *n)
{
    /* the score charts: their name, kind and the metric they show */
    static const struct {
        const char *name;
        int kind;
        fa_metric m;
    } sc[] = {{"roc", 4, FA_METRIC_AUC},
              {"calibration", 5, FA_METRIC_BRIER},
              {"sweep", 6, FA_METRIC_SELECTION_RATE}};
    fa_metric m = fa_chart_main_metric(r);
    const char *mn = fa_metric_name(m);
    fa_chart_file *f = NULL;

    *n = 0;
    for (size_t s = 1; s < r->nsets; s++) {
        const fa_group_set *gs = &r->sets[s];
        int id = gs->id;

        if (gs->kind == FA_SET_ATTRIBUTE) {
            add_file(&f, n, fa_xasprintf("set%d-rates-%s", id, mn),
                     chart_title(r, id, 0, m), id, 0, m, NULL);
            add_file(&f, n, fa_xasprintf("set%d-forest-%s", id, mn),
                     chart_title(r, id, 1, m), id, 1, m, NULL);
            if (r->ds.labelled)
                add_file(&f, n, fa_xasprintf("set%d-multiples", id),
                         chart_title(r, id, 2, m), id, 2, m, NULL);
        } else if (gs->kind == FA_SET_INTERSECTION && gs->ndims == 2) {
            add_file(&f, n, fa_xasprintf("set%d-heatmap-%s", id, mn),
                     chart_title(r, id, 3, m), id, 3, m, NULL);
        }
        for (size_t i = 0; i < ncurves; i++) {
            if (curves[i].set != id)
                continue;
            for (size_t k = 0; k < FA_ARRAY_LEN(sc); k++)
                add_file(&f, n, fa_xasprintf("set%d-%s", id, sc[k].name),
                         chart_title(r, id, sc[k].kind, sc[k].m), id,
                         sc[k].kind, sc[k].m, &curves[i]);
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
    case 4:
        assert(f->curves);
        fa_chart_roc(cr, w, h, r, f->curves);
        break;
    case 5:
        assert(f->curves);
        fa_chart_calibration(cr, w, h, r, f->curves);
        break;
    case 6:
        assert(f->curves);
        fa_chart_sweep(cr, w, h, r, f->curves);
        break;
    default:
        fa_chart_heatmap(cr, w, h, r, f->set, f->metric);
        break;
    }
}

/* The size a chart file is written at: 480 x 320 points, taller (and for
 * a heatmap wider) when its groups need the room; the score curves at a
 * size of their own (a square plot and its legend; two panels). */
static void
file_size(const fa_results *r, const fa_chart_file *f, double *w, double *h)
{
    size_t n = 0, *ix;

    if (f->kind == 3) {
        heatmap_size(r, f->set, w, h);
        return;
    }
    if (f->kind == 4 || f->kind == 5) {
        *w = 520;
        *h = 360;
        return;
    }
    if (f->kind == 6) {
        *w = 480;
        *h = 400;
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
fa_charts_write(fa_ctx *ctx, const fa_results *r, const fa_score_curves *curves,
                size_t ncurves, const char *dir)
{
    size_t n;
    fa_chart_file *f;
    fa_err err = FA_OK;

    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", dir,
                           strerror(errno));
    f = fa_chart_list_curves(r, curves, ncurves, &n);
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
