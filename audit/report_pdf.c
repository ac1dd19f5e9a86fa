/* report_pdf.c — the PDF report (cairo, pango), from the store alone. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <pango/pangocairo.h>
#include <qpdf/qpdf-c.h>
#include <sodium.h>
#include <sqlite3.h>
#include <yaml.h>
#include <zlib.h>

#include "charts.h"
#include "compare.h"
#include "curves.h"
#include "report_pdf.h"
#include "results.h"

#define FONT "DejaVu Sans"
#define MONO "DejaVu Sans Mono"
#define BODY 9.5
#define SMALL 7.5
#define HEADER_H 24.0 /* running header band */
#define FOOTER_H 24.0

struct sec {
    char *title;
    int level;
    int page;
    double y; /* the heading's top, from the top of the page */
};

/* A link from an area of a page (points, from the top left) to a place
 * on another page. */
struct link {
    int page, to_page; /* from 1 */
    double x0, y0, x1, y1, to_y;
};

struct doc {
    cairo_surface_t *surf;
    cairo_t *cr;
    PangoLayout *lay; /* every text's */
    double pw, ph, m; /* page size and margin, points */
    double y;         /* cursor, from the top of the page */
    int page;
    int final;        /* the pass that is written */
    int toc_pages;    /* the contents' pages, as laid out */
    int toc_used;     /* the pages this pass's contents took */
    struct sec *secs; /* this pass's sections */
    size_t nsecs, cap;
    const struct sec *known; /* the previous pass's, for the contents */
    size_t nknown;
    int outline_parent;
    struct link *links; /* the contents' entries, in the pass written */
    size_t nlinks, lcap;
    const fa_results *r;
    json_t *tmpl; /* the resolved template, or NULL */
    const struct fa_report_opts *o;
    const fa_reject_count *rej;
    size_t nrej;
    char *title;
    const fa_score_curves *curves; /* ROC, calibration, sweep per attribute */
    size_t ncurves;
};

/* A group's rows as the report shows them (caller frees). */
static char *
group_n(const fa_group *g)
{
    return g->suppressed ? fa_xstrdup(fa_suppressed)
                         : fa_xasprintf("%lld", (long long)g->n);
}

/* ------------------------------------------------------------------ */
/* Private functions: text                                             */

/* The document's one layout, set up for text (the caller does not free
 * it): a layout per text would cost a pango context each. */
static PangoLayout *
layout(struct doc *d, const char *text, const char *font, double size, int bold,
       double width)
{
    PangoLayout *l = d->lay;
    PangoFontDescription *fd = pango_font_description_from_string(font);
    char *shown = fa_display_text(text);

    pango_font_description_set_size(fd, (gint)(size * PANGO_SCALE));
    if (bold)
        pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, width > 0 ? (int)(width * PANGO_SCALE) : -1);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    /* nothing from the data reorders or hides the text around it */
    pango_layout_set_text(l, shown, -1);
    free(shown);
    return l;
}

static PangoLayout *
layout_new(cairo_t *cr)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoContext *pc = pango_layout_get_context(l);
    cairo_font_options_t *fo = cairo_font_options_create();

    pango_cairo_context_set_resolution(pc, 72);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(l);
    return l;
}

static double
layout_height(PangoLayout *l)
{
    int w, h;

    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void
draw_text(struct doc *d, double x, double y, const char *text, const char *font,
          double size, int bold, double width, double grey)
{
    PangoLayout *l;

    /* a layout pass needs the heights only, which the callers measure */
    if (!d->final)
        return;
    l = layout(d, text, font, size, bold, width);
    cairo_set_source_rgb(d->cr, grey, grey, grey);
    cairo_move_to(d->cr, x, y);
    pango_cairo_update_layout(d->cr, l);
    pango_cairo_show_layout(d->cr, l);
}

static double
text_height(struct doc *d, const char *text, const char *font, double size,
            int bold, double width)
{
    return layout_height(layout(d, text, font, size, bold, width));
}

/* ------------------------------------------------------------------ */
/* Private functions: pages                                            */

static double
bottom(const struct doc *d)
{
    return d->ph - d->m - FOOTER_H;
}

static double
content_width(const struct doc *d)
{
    return d->pw - 2 * d->m;
}

/* The running header and footer of a page after the cover. */
static void
page_furniture(struct doc *d)
{
    char buf[128];

    if (d->page == 1)
        return;
    {
        char *h = strlen(d->title) > 110
                      ? fa_xasprintf("%.100s\xe2\x80\xa6", d->title)
                      : fa_xstrdup(d->title);

        draw_text(d, d->m, d->m - HEADER_H + 6, h, FONT, SMALL, 0, 0, 0.35);
        free(h);
    }
    cairo_set_source_rgb(d->cr, 0.7, 0.7, 0.7);
    cairo_set_line_width(d->cr, 0.5);
    cairo_move_to(d->cr, d->m, d->m - 6);
    cairo_line_to(d->cr, d->pw - d->m, d->m - 6);
    cairo_stroke(d->cr);
    snprintf(buf, sizeof(buf), "Page %d", d->page);
    draw_text(d, d->pw - d->m - 60, d->ph - d->m - 10, buf, FONT, SMALL, 0, 0,
              0.35);
    snprintf(buf, sizeof(buf), "fairaudit %s, run %lld",
             d->r->tool_version ? d->r->tool_version : "",
             (long long)d->r->run_id);
    draw_text(d, d->m, d->ph - d->m - 10, buf, FONT, SMALL, 0, 0, 0.35);
}

static void
page_break(struct doc *d)
{
    cairo_show_page(d->cr);
    d->page++;
    d->y = d->m;
    page_furniture(d);
}

/* Room for h more points on this page, or a new page. */
static void
need(struct doc *d, double h)
{
    if (d->y + h > bottom(d) && d->y > d->m)
        page_break(d);
}

static void
para_sized(struct doc *d, const char *text, const char *font, double size,
           int bold, double indent)
{
    double w = content_width(d) - indent;
    double h = text_height(d, text, font, size, bold, w);

    need(d, h);
    draw_text(d, d->m + indent, d->y, text, font, size, bold, w, 0);
    d->y += h + size * 0.45;
}

static void
para(struct doc *d, const char *text)
{
    para_sized(d, text, FONT, BODY, 0, 0);
}

static void paraf(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void bulletf(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
paraf(struct doc *d, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = fa_xvasprintf(fmt, ap);
    va_end(ap);
    para(d, s);
    free(s);
}

static void
bullet(struct doc *d, const char *text)
{
    double w = content_width(d) - 14;
    double h = text_height(d, text, FONT, BODY, 0, w);

    need(d, h);
    draw_text(d, d->m + 4, d->y, "\xe2\x80\xa2", FONT, BODY, 0, 0, 0);
    draw_text(d, d->m + 14, d->y, text, FONT, BODY, 0, w, 0);
    d->y += h + 3;
}

static void
bulletf(struct doc *d, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = fa_xvasprintf(fmt, ap);
    va_end(ap);
    bullet(d, s);
    free(s);
}

/* A section heading: a named destination, a bookmark, a contents entry.
 * A top-level section starts a page. */
static void
section(struct doc *d, const char *title, int level)
{
    char attr[64];
    double size = level == 1 ? 15 : 11.5;
    double h = text_height(d, title, FONT, size, 1, content_width(d));
    size_t i = d->nsecs;

    if (level == 1 && d->y > d->m)
        page_break(d);
    need(d, h + 120); /* never a heading alone at the foot of a page */
    if (d->nsecs == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 32;
        d->secs = fa_xrealloc(d->secs, d->cap, sizeof(*d->secs));
    }
    d->secs[d->nsecs++] = (struct sec){fa_xstrdup(title), level, d->page, d->y};
    snprintf(attr, sizeof(attr), "name='s%zu'", i);
    cairo_tag_begin(d->cr, CAIRO_TAG_DEST, attr);
    draw_text(d, d->m, d->y, title, FONT, size, 1, content_width(d), 0);
    cairo_tag_end(d->cr, CAIRO_TAG_DEST);
    if (d->final) {
        int id;

        snprintf(attr, sizeof(attr), "dest='s%zu'", i);
        id = cairo_pdf_surface_add_outline(
            d->surf, level == 1 ? CAIRO_PDF_OUTLINE_ROOT : d->outline_parent,
            title, attr, 0);
        if (level == 1)
            d->outline_parent = id;
    }
    d->y += h + (level == 1 ? 10 : 5);
}

/* ------------------------------------------------------------------ */
/* Private functions: tables                                           */

struct table {
    size_t ncols;
    const double *w; /* fractions of the width */
    const char *const *head;
    double size;
};

/* A cell's text, at most 600 bytes (a row must fit a page). */
static char *
clip(const char *s)
{
    size_t n = s ? strlen(s) : 0, k = 600;

    if (n <= k)
        return fa_xstrdup(s ? s : "");
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--; /* not inside a UTF-8 character */
    return fa_xasprintf("%.*s\xe2\x80\xa6 (%zu more bytes)", (int)k, s, n - k);
}

static double
row_height(struct doc *d, const struct table *t, char *const *cells, int bold)
{
    double h = 0, cw = content_width(d);

    for (size_t c = 0; c < t->ncols; c++) {
        char *x = clip(cells[c]);

        h = fmax(h, text_height(d, x, FONT, t->size, bold, t->w[c] * cw - 6));
        free(x);
    }
    return h + 5;
}

static void
draw_row(struct doc *d, const struct table *t, char *const *cells, int bold,
         double h)
{
    double x = d->m, cw = content_width(d);

    if (bold) {
        cairo_set_source_rgb(d->cr, 0.92, 0.92, 0.92);
        cairo_rectangle(d->cr, d->m, d->y, cw, h);
        cairo_fill(d->cr);
    }
    for (size_t c = 0; c < t->ncols; c++) {
        char *s = clip(cells[c]);

        draw_text(d, x + 3, d->y + 2.5, s, FONT, t->size, bold,
                  t->w[c] * cw - 6, 0);
        free(s);
        x += t->w[c] * cw;
    }
    cairo_set_source_rgb(d->cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(d->cr, 0.4);
    cairo_move_to(d->cr, d->m, d->y + h);
    cairo_line_to(d->cr, d->m + cw, d->y + h);
    cairo_stroke(d->cr);
    d->y += h;
}

static void
table_head(struct doc *d, const struct table *t)
{
    double h = row_height(d, t, (char *const *)t->head, 1);

    need(d, 2 * h);
    draw_row(d, t, (char *const *)t->head, 1, h);
}

/* One body row; past the page's foot the table goes on, its header
 * repeated. */
static void
table_row(struct doc *d, const struct table *t, char *const *cells)
{
    double h = row_height(d, t, cells, 0);

    if (d->y + h > bottom(d)) {
        page_break(d);
        table_head(d, t);
    }
    draw_row(d, t, cells, 0, h);
}

static void
table_end(struct doc *d)
{
    d->y += 8;
}

static void
free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
}

/* ------------------------------------------------------------------ */
/* Private functions: numbers and names                                */

static char *
num(const fa_value *v)
{
    return v->reason ? fa_xasprintf("n/a (%s)", v->reason)
                     : fa_xasprintf("%.3f", v->value);
}

static char *
interval(const fa_interval *ci)
{
    return ci->reason ? fa_xstrdup("")
                      : fa_xasprintf("[%.3f, %.3f]", ci->lo, ci->hi);
}

static char *
pval(double p)
{
    return p < 0.001 ? fa_xasprintf("%.2e", p) : fa_xasprintf("%.4f", p);
}

static const char *
label_of(const char *metric)
{
    int m = fa_metric_from_name(metric);

    return m >= 0 ? fa_metric_label(m) : "scoring rate";
}

static const char *
verdict_word(const struct doc *d, int v)
{
    static const char *const keys[] = {"pass", "fail", "insufficient",
                                       "excluded"};
    json_t *w = d->tmpl ? json_object_get(d->tmpl, "wording") : NULL;
    const char *s = w ? json_string_value(json_object_get(w, keys[v])) : NULL;

    return s ? s : fa_verdict_name(v);
}

static const char *
tmpl_string(const struct doc *d, const char *key)
{
    return d->tmpl ? json_string_value(json_object_get(d->tmpl, key)) : NULL;
}

/* The user's --field value, or NULL. */
static const char *
field(const struct doc *d, json_t *fields, const char *key)
{
    (void)d;
    return fields ? json_string_value(json_object_get(fields, key)) : NULL;
}

static int
has_section(const struct doc *d, const char *name)
{
    json_t *s = d->tmpl ? json_object_get(d->tmpl, "sections") : NULL;
    size_t i;
    json_t *v;

    if (!s)
        return 1;
    json_array_foreach(s, i,
                       v) if (strcmp(json_string_value(v), name) == 0) return 1;
    return 0;
}

/* Whether the template asks for charts of this kind (every chart without
 * a template). */
static int
wants_chart(const struct doc *d, const fa_chart_file *f)
{
    static const char *const names[][7] = {
        {"selection_rate", NULL}, /* rates: of the main metric */
        {"impact_ratio", NULL},
        {"tpr", "fpr", "tnr", "ppv", "npv", "accuracy", NULL},
        {"heatmap", NULL},
        {"roc", "auc", NULL},
        {"calibration", NULL},
        {"threshold_sweep", NULL},
    };
    json_t *c = d->tmpl ? json_object_get(d->tmpl, "charts") : NULL;
    size_t i;
    json_t *v;

    if (!d->tmpl)
        return 1;
    json_array_foreach(c, i, v)
    {
        const char *n = json_string_value(v);

        for (size_t k = 0; names[f->kind][k]; k++)
            if (strcmp(names[f->kind][k], n) == 0)
                return 1;
        /* a rates chart of another metric the template names */
        if (f->kind == 0 && strcmp(n, fa_metric_name(f->metric)) == 0)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Private functions: sections                                         */

static void
cover(struct doc *d, json_t *fields)
{
    const fa_results *r = d->r;
    const char *system = field(d, fields, "system");
    const char *date = field(d, fields, "audit_date");
    char *s;
    double y;
    static const double colour[][3] = {
        {0.0, 0.62, 0.45}, {0.84, 0.37, 0.0}, {0.6, 0.6, 0.6}, {0.8, 0.8, 0.8}};
    int v = r->template_name ? r->verdict : -1;

    d->y = d->m + 90;
    para_sized(d, d->title, FONT, 22, 1, 0);
    s = fa_xasprintf("Fairness audit of %s", system ? system : r->ds.source);
    para_sized(d, s, FONT, 13, 0, 0);
    free(s);
    d->y += 20;
    if (v >= 0) {
        y = d->y;
        cairo_set_source_rgb(d->cr, colour[v][0], colour[v][1], colour[v][2]);
        cairo_set_line_width(d->cr, 3);
        cairo_rectangle(d->cr, d->m, y, content_width(d), 56);
        cairo_stroke(d->cr);
        s = fa_xasprintf("Overall verdict: %s", fa_verdict_name(v));
        for (char *c = s + 17; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        draw_text(d, d->m + 14, y + 9, s, FONT, 18, 1, 0, 0);
        free(s);
        s = fa_xasprintf("(%s)", verdict_word(d, v));
        draw_text(d, d->m + 14, y + 34, s, FONT, BODY, 0, 0, 0.2);
        free(s);
        d->y = y + 76;
    }
    s = fa_xasprintf("Template: %s (%s), SHA-256 %s",
                     r->template_name ? r->template_name : "none",
                     tmpl_string(d, "source") ? tmpl_string(d, "source") : "",
                     r->template_sha256 ? r->template_sha256 : "-");
    para(d, s);
    free(s);
    paraf(d, "Audit date: %s", date ? date : r->created);
    paraf(d, "Run %lld, computed %s by fairaudit %s", (long long)r->run_id,
          r->created, r->tool_version);
    paraf(d, "Dataset %lld: %s, SHA-256 %s", (long long)r->ds.id, r->ds.source,
          r->ds.sha256);
}

/* The pages the contents take with these entries: the heights contents()
 * uses, without drawing. */
static int
toc_pages_needed(struct doc *d, const struct sec *e, size_t n)
{
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t *cr = cairo_create(img), *saved = d->cr;
    PangoLayout *saved_lay = d->lay;
    double y;
    int pages = 1;

    d->cr = cr;
    d->lay = layout_new(cr);
    y = d->m + text_height(d, "Contents", FONT, 15, 1, content_width(d)) + 10;
    for (size_t i = 0; i < n; i++) {
        double indent = e[i].level == 1 ? 0 : 16;

        if (y + 30 > bottom(d)) {
            pages++;
            y = d->m;
        }
        y += fmax(15, text_height(d, e[i].title, FONT, BODY, e[i].level == 1,
                                  content_width(d) - indent - 40) +
                          3);
    }
    g_object_unref(d->lay);
    d->lay = saved_lay;
    d->cr = saved;
    cairo_destroy(cr);
    cairo_surface_destroy(img);
    return pages;
}

static void
contents(struct doc *d)
{
    d->y = d->m;
    section(d, "Contents", 1);
    for (size_t i = 0; i < d->nknown; i++) {
        const struct sec *s = &d->known[i];
        double indent = s->level == 1 ? 0 : 16;
        double h = fmax(15, text_height(d, s->title, FONT, BODY, s->level == 1,
                                        content_width(d) - indent - 40) +
                                3);
        char page[16];

        if (d->y + 30 > bottom(d))
            page_break(d);
        snprintf(page, sizeof(page), "%d", s->page);
        draw_text(d, d->m + indent, d->y, s->title, FONT, BODY, s->level == 1,
                  content_width(d) - indent - 40, 0);
        draw_text(d, d->pw - d->m - 30, d->y, page, FONT, BODY, 0, 0, 0);
        /* cairo's own link tags are written damaged by cairo 1.16, so the
         * links are added to the finished file (add_links) */
        if (d->final) {
            if (d->nlinks == d->lcap) {
                d->lcap = d->lcap ? 2 * d->lcap : 32;
                d->links = fa_xrealloc(d->links, d->lcap, sizeof(*d->links));
            }
            d->links[d->nlinks++] = (struct link){
                d->page,      s->page,      d->m + indent, d->y - 1,
                d->pw - d->m, d->y + h - 2, s->y};
        }
        d->y += h;
    }
    d->toc_used = d->page - 1;
    /* the same pages in every pass, and the next section on a page of its
     * own whether or not the last one is full */
    while (d->page < 2 + d->toc_pages)
        page_break(d);
}

/* Whether verdict v is an exclusion (small_only 0) or insufficient
 * evidence for want of rows (small_only 1). */
static int
counts_toward(const fa_verdict *v, int small_only)
{
    return small_only ? v->verdict == FA_VERDICT_INSUFFICIENT &&
                            strstr(v->reason, "rows, fewer than")
                      : v->verdict == FA_VERDICT_EXCLUDED;
}

/* The groups with at least one such verdict. */
static size_t
groups_with(const fa_results *r, int small_only)
{
    unsigned char *seen = fa_xcalloc(r->ngroups + 1, 1);
    size_t n = 0;

    for (size_t i = 0; i < r->nverdicts; i++) {
        const fa_verdict *v = &r->verdicts[i];

        if (counts_toward(v, small_only) && !seen[v->gid]) {
            seen[v->gid] = 1;
            n++;
        }
    }
    free(seen);
    return n;
}

/* Why check k was skipped, or NULL (a static string of the run's JSON). */
static const char *
skipped_reason(const fa_results *r, int k)
{
    static char why[128];
    json_t *a = r->skipped_json ? json_loads(r->skipped_json, 0, NULL) : NULL;
    const char *found = NULL;
    size_t i;
    json_t *v;

    json_array_foreach(a, i, v)
    {
        if (json_integer_value(json_object_get(v, "check")) == k) {
            snprintf(why, sizeof(why), "%s",
                     json_string_value(json_object_get(v, "reason")));
            found = why;
        }
    }
    json_decref(a);
    return found;
}

/* A finding in words, for a verdict. */
static char *
finding(const struct doc *d, const fa_verdict *v)
{
    const fa_results *r = d->r;
    const fa_group *g = &r->groups[v->gid];
    char *name = fa_group_label(r, g), *ref = NULL, *ci = NULL, *band, *test,
         *s;
    int m = fa_metric_from_name(v->metric),
        ratio = strcmp(v->measure, "ratio") == 0;
    const char *adj = strcmp(r->correction, "bh") == 0 ? "BH" : "Holm";
    double alpha = json_number_value(
        json_object_get(json_object_get(d->tmpl, "statistics"), "alpha"));

    if (g->ref_gid >= 0 && m >= 0)
        ref = fa_group_label(r, &r->groups[g->ref_gid]);
    if (m >= 0) {
        const fa_interval *c = ratio ? &g->cmp[m].ratio_ci : &g->cmp[m].diff_ci;

        if (!c->reason)
            ci = fa_xasprintf(" (%.0f%% CI %.3f to %.3f)", 100 * r->confidence,
                              c->lo, c->hi);
    }
    if (v->has_min && v->has_max)
        band = fa_xasprintf("outside the band %g to %g", v->min, v->max);
    else if (v->has_min)
        band = fa_xasprintf("below the %g threshold", v->min);
    else
        band = fa_xasprintf("above the %g threshold", v->max);
    if (!v->has_p)
        test = fa_xstrdup("there is no test of it");
    else if (v->p_adjusted < alpha)
        test = fa_xasprintf("it differs significantly from the reference "
                            "(%s-adjusted p = %.3g)",
                            adj, v->p_adjusted);
    else
        test = fa_xasprintf("its difference from the reference is not "
                            "significant (%s-adjusted p = %.3g)",
                            adj, v->p_adjusted);
    if (v->value.reason)
        s = fa_xasprintf("The %s of %s is undefined: %s. Verdict: %s.",
                         label_of(v->metric), name, v->value.reason,
                         verdict_word(d, v->verdict));
    else if (ratio)
        s = fa_xasprintf("The %s for %s is %.3f times that for %s%s, %s; "
                         "%s. Verdict: %s; %s.",
                         label_of(v->metric), name, v->value.value,
                         ref ? ref : "the reference", ci ? ci : "", band, test,
                         verdict_word(d, v->verdict), v->reason);
    else
        s = fa_xasprintf("The %s for %s differs from that for %s by %+.3f%s, "
                         "%s; %s. Verdict: %s; %s.",
                         label_of(v->metric), name, ref ? ref : "the reference",
                         v->value.value, ci ? ci : "", band, test,
                         verdict_word(d, v->verdict), v->reason);
    free(name);
    free(ref);
    free(ci);
    free(band);
    free(test);
    return s;
}

static void
summary(struct doc *d)
{
    const fa_results *r = d->r;
    size_t count[FA_VERDICT_COUNT] = {0}, shown = 0;
    json_t *checks = d->tmpl ? json_object_get(d->tmpl, "checks") : NULL;
    static const double w[] = {0.46, 0.135, 0.135, 0.135, 0.135};
    static const char *const head[] = {"Check", "pass", "fail", "insufficient",
                                       "excluded"};
    struct table t = {5, w, head, 8.5};
    size_t i;
    json_t *c;

    section(d, "Executive summary", 1);
    if (!r->template_name) {
        para(d, "This run was made without a template: no verdicts.");
        return;
    }
    for (i = 0; i < r->nverdicts; i++)
        count[r->verdicts[i].verdict]++;
    paraf(d,
          "Overall verdict: %s (%s). The template %s judged %zu comparisons: "
          "%zu "
          "fail, %zu insufficient evidence and %zu pass; %zu comparisons "
          "(of %zu groups) were excluded from the ratios by its rules. Tests "
          "are adjusted for multiple comparisons (%s) at alpha %g.",
          fa_verdict_name(r->verdict), verdict_word(d, r->verdict),
          r->template_name, r->nverdicts - count[FA_VERDICT_EXCLUDED],
          count[FA_VERDICT_FAIL], count[FA_VERDICT_INSUFFICIENT],
          count[FA_VERDICT_PASS], count[FA_VERDICT_EXCLUDED], groups_with(r, 0),
          strcmp(r->correction, "bh") == 0 ? "Benjamini-Hochberg" : "Holm",
          json_number_value(json_object_get(
              json_object_get(d->tmpl, "statistics"), "alpha")));
    table_head(d, &t);
    json_array_foreach(checks, i, c)
    {
        size_t k[FA_VERDICT_COUNT] = {0};
        char *cells[5];
        json_t *mn = json_object_get(c, "min"), *mx = json_object_get(c, "max");

        char band[64];
        const char *why = skipped_reason(r, (int)i);

        for (size_t j = 0; j < r->nverdicts; j++)
            if (r->verdicts[j].check == (int)i)
                k[r->verdicts[j].verdict]++;
        if (!json_is_null(mn) && !json_is_null(mx))
            snprintf(band, sizeof(band), "%g to %g", json_number_value(mn),
                     json_number_value(mx));
        else if (!json_is_null(mn))
            snprintf(band, sizeof(band), "\xe2\x89\xa5 %g",
                     json_number_value(mn));
        else
            snprintf(band, sizeof(band), "\xe2\x89\xa4 %g",
                     json_number_value(mx));
        cells[0] = fa_xasprintf(
            "%s %s, band %s",
            label_of(json_string_value(json_object_get(c, "metric"))),
            json_string_value(json_object_get(c, "measure")), band);
        for (int q = 0; q < 4; q++)
            cells[1 + q] =
                why ? fa_xstrdup(q == 0 ? "skipped" : "")
                    : fa_xasprintf("%zu", k[q == 0   ? FA_VERDICT_PASS
                                            : q == 1 ? FA_VERDICT_FAIL
                                            : q == 2 ? FA_VERDICT_INSUFFICIENT
                                                     : FA_VERDICT_EXCLUDED]);
        if (why) {
            char *t2 = fa_xasprintf("%s (skipped: %s)", cells[0], why);

            free(cells[0]);
            cells[0] = t2;
        }
        table_row(d, &t, cells);
        free_cells(cells, 5);
    }
    table_end(d);
    section(d, "Findings", 2);
    for (i = 0; i < r->nverdicts; i++) {
        const fa_verdict *v = &r->verdicts[i];
        char *s;

        if (v->verdict != FA_VERDICT_FAIL)
            continue;
        if (shown++ == 30) {
            paraf(d, "... and %zu more failed comparisons%s.",
                  count[FA_VERDICT_FAIL] - 30,
                  has_section(d, "verdicts") ? " (see Verdicts)"
                                             : " (every verdict is in "
                                               "results.json)");
            break;
        }
        s = finding(d, v);
        bullet(d, s);
        free(s);
    }
    if (count[FA_VERDICT_FAIL] == 0)
        para(d, "No comparison failed.");
    if (count[FA_VERDICT_INSUFFICIENT])
        paraf(d,
              "%zu comparisons had insufficient evidence for a verdict "
              "(small groups, or values outside the band whose difference "
              "is not significant); see Limitations.",
              count[FA_VERDICT_INSUFFICIENT]);
}

static void
verdicts(struct doc *d)
{
    const fa_results *r = d->r;
    static const double w[] = {0.19, 0.13, 0.08, 0.09, 0.09, 0.13, 0.29};
    static const char *const head[] = {"Group",  "Metric",  "Value", "Band",
                                       "Adj. p", "Verdict", "Reason"};
    struct table t = {7, w, head, 7};

    if (!r->template_name || !has_section(d, "verdicts"))
        return;
    section(d, "Verdicts", 1);
    paraf(d,
          "Every comparison the template %s names, with the rule applied "
          "and its reason. A verdict is also marked by its word, never by "
          "colour alone.",
          r->template_name);
    table_head(d, &t);
    for (size_t i = 0; i < r->nverdicts; i++) {
        const fa_verdict *v = &r->verdicts[i];
        char *cells[7];

        cells[0] = fa_group_label(r, &r->groups[v->gid]);
        cells[1] = fa_xasprintf("%s %s", label_of(v->metric), v->measure);
        cells[2] = num(&v->value);
        if (v->has_min && v->has_max)
            cells[3] = fa_xasprintf("%g to %g", v->min, v->max);
        else if (v->has_min)
            cells[3] = fa_xasprintf("\xe2\x89\xa5 %g", v->min);
        else
            cells[3] = fa_xasprintf("\xe2\x89\xa4 %g", v->max);
        cells[4] = v->has_p ? pval(v->p_adjusted) : fa_xstrdup("-");
        cells[5] = fa_xasprintf("%s", fa_verdict_name(v->verdict));
        for (char *c = cells[5]; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        cells[6] = fa_xstrdup(v->reason);
        table_row(d, &t, cells);
        free_cells(cells, 7);
    }
    table_end(d);
}

static void
data(struct doc *d)
{
    const fa_results *r = d->r;
    const fa_dataset *ds = &r->ds;
    static const double w2[] = {0.3, 0.7};
    static const char *const h2[] = {"Item", "Value"};
    struct table t = {2, w2, h2, 8.5};
    static const double w3[] = {0.5, 0.2, 0.3};
    static const char *const h3[] = {"Reason", "Rows", "First line"};
    struct table t3 = {3, w3, h3, 8.5};
    static const char *const h4[] = {"Column", "Missing rows", "Share"};
    struct table t4 = {3, w3, h4, 8.5};
    char *cells[3];

    if (!has_section(d, "data"))
        return;
    section(d, "Scope and data", 1);
    table_head(d, &t);
#define KV(k, ...)                                                             \
    do {                                                                       \
        cells[0] = fa_xstrdup(k);                                              \
        cells[1] = fa_xasprintf(__VA_ARGS__);                                  \
        table_row(d, &t, cells);                                               \
        free_cells(cells, 2);                                                  \
    } while (0)
    KV("Source", "%s", ds->source);
    KV("SHA-256", "%s", ds->sha256);
    KV("Loaded", "%s", ds->loaded_at);
    KV("Bytes", "%lld", (long long)ds->bytes);
    KV("Rows read", "%lld", (long long)ds->rows_read);
    KV("Rows loaded", "%lld", (long long)ds->rows_loaded);
    KV("Rows rejected", "%lld", (long long)ds->rows_rejected);
    KV("Outcomes", "%s",
       ds->labelled ? "true labels given"
                    : "no label column (label-free audit)");
    KV("Scores", "%s", ds->scored ? "given" : "none");
    KV("Weights", "%s", ds->weighted ? "given" : "none (every row counts 1)");
#undef KV
    table_end(d);
    section(d, "Data quality", 2);
    if (d->nrej == 0) {
        para(d, "No row was rejected.");
    } else {
        table_head(d, &t3);
        for (size_t i = 0; i < d->nrej; i++) {
            cells[0] = fa_xstrdup(d->rej[i].reason);
            cells[1] = fa_xasprintf("%lld", (long long)d->rej[i].rows);
            cells[2] = fa_xasprintf("%lld", (long long)d->rej[i].first_line);
            table_row(d, &t3, cells);
            free_cells(cells, 3);
        }
        table_end(d);
    }
    para(d, "Group sizes (rows):");
    for (size_t k = 1; k < r->nsets; k++) {
        const fa_group_set *gs = &r->sets[k];
        char *line, *name;

        if (gs->kind != FA_SET_ATTRIBUTE && gs->kind != FA_SET_SEGMENT)
            continue;
        name = fa_set_label(r, gs);
        line = fa_xasprintf("%s:", name);
        free(name);
        for (size_t i = 0; i < r->ngroups; i++) {
            const fa_group *g = &r->groups[i];
            char *x, *n;

            if (g->set != gs->id)
                continue;
            n = group_n(g);
            x = fa_xasprintf("%s %s %s;", line,
                             g->values[0] ? g->values[0] : "(missing)", n);
            free(n);
            free(line);
            line = x;
        }
        line[strlen(line) - 1] = '.';
        bullet(d, line);
        free(line);
    }
    para(d, "Missing values form their own group, counted and shown:");
    table_head(d, &t4);
    for (size_t j = 0; j < ds->ndims; j++) {
        const fa_dim *dim = &ds->dims[j];
        int64_t miss = dim->bin_spec            ? dim->missing_rows
                       : dim->missing_code >= 0 ? dim->counts[dim->missing_code]
                                                : 0;

        cells[0] = fa_xasprintf("%s (%s)", dim->name,
                                j < ds->nattrs ? "attribute" : "segment");
        if (miss < 0) { /* the missing group is suppressed */
            cells[1] = fa_xstrdup(fa_suppressed);
            cells[2] = fa_xstrdup(fa_suppressed);
        } else {
            cells[1] = fa_xasprintf("%lld", (long long)miss);
            cells[2] = fa_xasprintf("%.2f%%", ds->rows_loaded
                                                  ? 100.0 * (double)miss /
                                                        (double)ds->rows_loaded
                                                  : 0.0);
        }
        table_row(d, &t4, cells);
        free_cells(cells, 3);
    }
    table_end(d);
}

/* The reference policy in words. */
static char *
reference_words(const char *ref)
{
    if (strcmp(ref, "largest") == 0)
        return fa_xstrdup("the largest group (by weight, rows when "
                          "unweighted)");
    if (strcmp(ref, "best") == 0)
        return fa_xstrdup("the group with the highest selection rate, as "
                          "the four-fifths rule compares");
    if (strcmp(ref, "overall") == 0)
        return fa_xstrdup("the whole population");
    return fa_xasprintf("the group %s (sets without those columns: the "
                        "largest group)",
                        ref);
}

static void
method(struct doc *d)
{
    const fa_results *r = d->r;
    static const double w[] = {0.22, 0.5, 0.28};
    static const char *const head[] = {"Metric", "Formula", "Direction"};
    struct table t = {3, w, head, 8};
    static const double wc[] = {0.22, 0.12, 0.16, 0.5};
    static const char *const hc[] = {"Metric", "Measure", "Band", "Rule"};
    struct table tc = {4, wc, hc, 8};
    json_t *ms = d->tmpl ? json_object_get(d->tmpl, "metrics") : NULL;
    json_t *checks = d->tmpl ? json_object_get(d->tmpl, "checks") : NULL;
    json_t *st = d->tmpl ? json_object_get(d->tmpl, "statistics") : NULL;
    char *refw = reference_words(r->reference), *boot;
    size_t i;
    json_t *v;

    if (!has_section(d, "method"))
        return;
    section(d, "Method", 1);
    boot =
        r->bootstrap > 0
            ? fa_xasprintf("Aggregates have a %lld-replicate "
                           "group-stratified bootstrap interval (seed "
                           "%llu).",
                           (long long)r->bootstrap, (unsigned long long)r->seed)
            : fa_xstrdup("Aggregates have no bootstrap interval "
                         "(--bootstrap 0).");
    paraf(d,
          "Reference group of each attribute: %s. Each rate has a %.0f%% "
          "%s interval; differences of rates Newcombe's hybrid score "
          "interval and ratios Katz's log interval%s. Each group is compared "
          "with its reference by a two-proportion z-test%s. p-values are "
          "adjusted within each metric and set by %s; a test is significant "
          "below alpha %g. A comparison needs %lld rows in the group and the "
          "reference and %lld in each rate's denominator, else it is "
          "insufficient evidence. %s%s%s%s",
          refw, 100 * r->confidence,
          strcmp(r->ci_method, "wilson") == 0 ? "Wilson score"
                                              : "Clopper-Pearson exact",
          r->ds.weighted ? "" : "; the AUC DeLong's",
          r->ds.weighted ? " on Kish's effective sample sizes (weighted rows)"
                         : ", or Fisher's exact test when an expected count "
                           "is below 5 (DeLong's test for the AUC)",
          strcmp(r->correction, "bh") == 0 ? "Benjamini-Hochberg" : "Holm",
          st ? json_number_value(json_object_get(st, "alpha")) : 0.05,
          (long long)r->min_group, (long long)r->min_class, boot,
          r->strata ? " Comparisons are also pooled within the strata of "
                      "the column "
                    : "",
          r->strata ? r->strata : "", r->strata ? "." : "");
    free(refw);
    free(boot);
    if (r->suppress > 0)
        paraf(d,
              "Small groups are suppressed for publication: a group of 1 "
              "to %lld rows is shown without its numbers, and so are as "
              "many more groups (the smallest first) as keep it from being "
              "worked out from a shown total: of the groups that make up "
              "any total (the population, an attribute's group within an "
              "intersection, ...), none suppressed, or at least two holding "
              "at least %lld rows between them. Counts within strata are "
              "not shown.",
              (long long)r->suppress - 1, (long long)r->suppress);
    if (json_number_value(json_object_get(d->tmpl, "exclude_below_share")) > 0)
        paraf(d,
              "Groups with fewer rows than %g%% of the data are excluded "
              "from the ratios (shown, not judged, never the reference).",
              100 * json_number_value(
                        json_object_get(d->tmpl, "exclude_below_share")));
    if (json_is_true(json_object_get(d->tmpl, "exclude_missing")))
        para(d, "Groups of an unknown (missing) category are excluded from "
                "the ratios and counted.");
    if (json_array_size(checks)) {
        section(d, "Thresholds and rules", 2);
        table_head(d, &tc);
        json_array_foreach(checks, i, v)
        {
            json_t *mn = json_object_get(v, "min"),
                   *mx = json_object_get(v, "max");
            const char *rule = json_string_value(json_object_get(v, "rule"));
            json_int_t ff = json_integer_value(json_object_get(v, "flip_flop"));
            char *cells[4];

            cells[0] = fa_xstrdup(
                label_of(json_string_value(json_object_get(v, "metric"))));
            cells[1] =
                fa_xstrdup(json_string_value(json_object_get(v, "measure")));
            if (!json_is_null(mn) && !json_is_null(mx))
                cells[2] = fa_xasprintf("%g to %g", json_number_value(mn),
                                        json_number_value(mx));
            else if (!json_is_null(mn))
                cells[2] =
                    fa_xasprintf("\xe2\x89\xa5 %g", json_number_value(mn));
            else
                cells[2] =
                    fa_xasprintf("\xe2\x89\xa4 %g", json_number_value(mx));
            cells[3] = fa_xasprintf(
                "%s%s",
                strcmp(rule, "band") == 0
                    ? "outside the band: fail"
                    : "outside the band: fail when significant, else "
                      "insufficient evidence",
                ff ? "; a shortfall must survive moving the flip-flop "
                     "number of people to selected"
                   : "");
            if (ff) {
                char *x = fa_xasprintf("%s (%lld)", cells[3], (long long)ff);

                free(cells[3]);
                cells[3] = x;
            }
            table_row(d, &tc, cells);
            free_cells(cells, 4);
        }
        table_end(d);
    }
    section(d, "Metrics", 2);
    table_head(d, &t);
    json_array_foreach(ms, i, v)
    {
        int m = fa_metric_from_name(json_string_value(v));
        char *cells[3];
        int dir;

        if (m < 0 || (!r->ds.labelled && fa_metric_needs_label(m)) ||
            (!r->ds.scored && fa_metric_needs_score(m)))
            continue;
        dir = fa_metric_direction((fa_metric)m);
        cells[0] = fa_xstrdup(fa_metric_label(m));
        cells[1] = fa_xstrdup(!r->ds.labelled && m == FA_METRIC_SELECTION_RATE
                                  ? "predicted positives / N"
                                  : fa_metric_formula(m));
        cells[2] = fa_xstrdup(dir > 0   ? "higher is better"
                              : dir < 0 ? "neither (a parity metric)"
                                        : "lower is better");
        table_row(d, &t, cells);
        free_cells(cells, 3);
    }
    table_end(d);
    if (r->has_median)
        paraf(d,
              "Scoring rate (NYC LL144): the share of a group's rows "
              "scoring above the sample median, %.6g.",
              r->score_median);
    if (tmpl_string(d, "source"))
        paraf(d, "Policy: %s. Source: %s.", tmpl_string(d, "title"),
              tmpl_string(d, "source"));
}

static void
chart(struct doc *d, const fa_chart_file *f, double h)
{
    char *cap;

    need(d, h + 20);
    if (d->final) {
        cairo_save(d->cr);
        cairo_translate(d->cr, d->m, d->y);
        fa_chart_draw(d->cr, content_width(d), h, d->r, f);
        cairo_restore(d->cr);
    }
    d->y += h + 4;
    cap = fa_xasprintf("Figure: %s (charts/%s.svg)", f->title, f->name);
    para_sized(d, cap, FONT, SMALL, 0, 0);
    free(cap);
}

static double
chart_height(const fa_results *r, int set)
{
    int64_t n = 0;

    for (size_t i = 0; i < r->ngroups; i++)
        n += r->groups[i].set == set;
    return fmin(640, fmax(200, 60 + 16.0 * (double)n));
}

/* The metrics the template checks (the data can serve), with the measure
 * of their first check; the selection rate by ratio without any. */
static size_t
checked_metrics(const struct doc *d, fa_metric *ms, int *ratio)
{
    json_t *checks = d->tmpl ? json_object_get(d->tmpl, "checks") : NULL;
    size_t n = 0, i;
    json_t *c;

    json_array_foreach(checks, i, c)
    {
        int m = fa_metric_from_name(
            json_string_value(json_object_get(c, "metric")));
        size_t k = 0;

        if (m < 0 || (!d->r->ds.labelled && fa_metric_needs_label(m)) ||
            (!d->r->ds.scored && fa_metric_needs_score(m)))
            continue;
        while (k < n && ms[k] != (fa_metric)m)
            k++;
        if (k < n || n == FA_METRIC_COUNT)
            continue;
        ms[n] = (fa_metric)m;
        ratio[n++] = strcmp(json_string_value(json_object_get(c, "measure")),
                            "ratio") == 0;
    }
    if (n == 0) {
        ms[0] = FA_METRIC_SELECTION_RATE;
        ratio[0] = 1;
        n = 1;
    }
    return n;
}

/* One metric's table for the groups of a set. */
static void
metric_table(struct doc *d, const fa_group_set *gs, fa_metric m, int ratio)
{
    const fa_results *r = d->r;
    static const double w[] = {0.21, 0.12, 0.2, 0.2, 0.1, 0.17};
    const char *head[6] = {"Group",
                           "n",
                           fa_metric_label(m),
                           ratio ? "Ratio to reference" : "Difference",
                           "Adj. p",
                           "Verdict"};
    struct table t = {6, w, head, 7.5};
    int ci = has_section(d, "intervals"), disp = has_section(d, "disparities");
    int tests = has_section(d, "tests");

    table_head(d, &t);
    for (size_t i = 0; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];
        const fa_verdict *v;
        char *cells[6], *a, *b;

        if (g->set != gs->id)
            continue;
        v = fa_results_verdict(r, g->gid, fa_metric_name(m), NULL);
        cells[0] = fa_group_label(r, g);
        if (gs->ndims == 1) {
            free(cells[0]);
            cells[0] = fa_xstrdup(g->values[0] ? g->values[0] : "(missing)");
        }
        cells[1] = group_n(g);
        a = num(&g->m[m]);
        b = ci ? interval(&g->ci[m]) : fa_xstrdup("");
        cells[2] = fa_xasprintf("%s %s", a, b);
        free(a);
        free(b);
        if (g->gid == gs->ref_gid) {
            cells[3] = fa_xstrdup("reference");
            cells[4] = fa_xstrdup("");
        } else {
            const fa_value *x = ratio ? &g->ratio[m] : &g->diff[m];
            const fa_interval *xi =
                ratio ? &g->cmp[m].ratio_ci : &g->cmp[m].diff_ci;

            a = num(x);
            b = ci ? interval(xi) : fa_xstrdup("");
            cells[3] = disp ? fa_xasprintf("%s %s", a, b) : fa_xstrdup("");
            free(a);
            free(b);
            cells[4] = !tests || g->cmp[m].test.reason
                           ? fa_xstrdup("-")
                           : pval(g->cmp[m].p_adjusted);
        }
        cells[5] = v ? fa_xstrdup(fa_verdict_name(v->verdict)) : fa_xstrdup("");
        table_row(d, &t, cells);
        free_cells(cells, 6);
    }
    table_end(d);
}

/* NYC LL144's scoring rate: rows above the sample median, per group. */
static void
scoring_table(struct doc *d, const fa_group_set *gs)
{
    const fa_results *r = d->r;
    static const double w[] = {0.3, 0.12, 0.18, 0.16, 0.24};
    static const char *const head[] = {"Group", "n", "Above the median",
                                       "Scoring rate", "Ratio, verdict"};
    struct table t = {5, w, head, 7.5};

    paraf(d,
          "Scoring rate: the share of a group's rows whose score is above "
          "the median of the whole sample (%.6g; a score equal to it is "
          "not above it).",
          r->score_median);
    table_head(d, &t);
    for (size_t i = 0; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];
        const fa_verdict *v;
        char *cells[5];
        fa_value rate;

        if (g->set != gs->id || !g->has_above)
            continue;
        v = fa_results_verdict(r, g->gid, "scoring_rate", NULL);
        rate = g->suppressed ? fa_value_undefined(fa_suppressed)
               : r->ds.weighted
                   ? fa_value_ratio(g->wabove, g->weight, "no rows")
                   : fa_value_ratio((double)g->above, (double)g->n, "no rows");
        cells[0] = fa_group_label(r, g);
        cells[1] = group_n(g);
        cells[2] = g->suppressed ? fa_xstrdup(fa_suppressed)
                                 : fa_xasprintf("%lld", (long long)g->above);
        cells[3] = num(&rate);
        if (v) {
            char *x = num(&v->value);

            cells[4] = fa_xasprintf("%s, %s", x, fa_verdict_name(v->verdict));
            free(x);
        } else {
            cells[4] = fa_xstrdup("reference");
        }
        table_row(d, &t, cells);
        free_cells(cells, 5);
    }
    table_end(d);
}

static void
attribute_results(struct doc *d, const fa_chart_file *cf, size_t ncf)
{
    const fa_results *r = d->r;
    fa_metric ms[FA_METRIC_COUNT];
    int ratio[FA_METRIC_COUNT];
    size_t nm = checked_metrics(d, ms, ratio);

    if (!has_section(d, "groups"))
        return;
    section(d, "Results by attribute", 1);
    para(d, "For each metric the template checks: each group's value with "
            "its interval, its ratio to (or difference from) the reference "
            "group with that comparison's interval, the test's adjusted "
            "p-value and the verdict. The intervals are not adjusted for "
            "multiple comparisons; the p-values are.");
    for (size_t k = 1; k < r->nsets; k++) {
        const fa_group_set *gs = &r->sets[k];
        char *name;

        if (gs->kind != FA_SET_ATTRIBUTE)
            continue;
        name = fa_set_label(r, gs);
        section(d, name, 2);
        free(name);
        for (size_t j = 0; j < nm; j++)
            metric_table(d, gs, ms[j], ratio[j]);
        if (r->has_median)
            scoring_table(d, gs);
        for (size_t c = 0; c < ncf; c++)
            if (cf[c].set == gs->id && cf[c].kind < 4 && wants_chart(d, &cf[c]))
                chart(d, &cf[c], chart_height(r, gs->id));
    }
}

static void
intersections(struct doc *d, const fa_chart_file *cf, size_t ncf)
{
    const fa_results *r = d->r;
    fa_metric ms[FA_METRIC_COUNT];
    int ratio[FA_METRIC_COUNT], any = 0;
    size_t nm = checked_metrics(d, ms, ratio);

    for (size_t k = 1; k < r->nsets; k++)
        any |= r->sets[k].kind == FA_SET_INTERSECTION;
    if (!any || !has_section(d, "groups"))
        return;
    section(d, "Intersections", 1);
    for (size_t k = 1; k < r->nsets; k++) {
        const fa_group_set *gs = &r->sets[k];
        char *name;

        if (gs->kind != FA_SET_INTERSECTION)
            continue;
        name = fa_set_label(r, gs);
        section(d, name, 2);
        free(name);
        for (size_t c = 0; c < ncf; c++)
            if (cf[c].set == gs->id && wants_chart(d, &cf[c]))
                chart(d, &cf[c], chart_height(r, gs->id));
        for (size_t j2 = 0; j2 < nm; j2++)
            metric_table(d, gs, ms[j2], ratio[j2]);
        if (r->has_median)
            scoring_table(d, gs);
    }
}

/* Score-based results and segment accuracy: one table per set. */
static void
metric_tables(struct doc *d, const char *title, enum fa_set_kind kind,
              const fa_metric *ms, size_t nm, const fa_chart_file *cf,
              size_t ncf)
{
    const fa_results *r = d->r;
    double w[6];
    const char *head[6];
    struct table t = {nm + 2, w, head, 7.5};
    int any = 0;

    for (size_t k = 1; k < r->nsets; k++)
        any |= r->sets[k].kind == kind;
    if (!any || !has_section(d, "groups"))
        return;
    section(d, title, 1);
    w[0] = 0.22;
    w[1] = 0.08;
    head[0] = "Group";
    head[1] = "n";
    for (size_t j = 0; j < nm; j++) {
        w[2 + j] = 0.7 / (double)nm;
        head[2 + j] = fa_metric_label(ms[j]);
    }
    for (size_t k = 1; k < r->nsets; k++) {
        const fa_group_set *gs = &r->sets[k];
        char *name;

        if (gs->kind != kind)
            continue;
        name = fa_set_label(r, gs);
        section(d, name, 2);
        free(name);
        table_head(d, &t);
        for (size_t i = 0; i < r->ngroups; i++) {
            const fa_group *g = &r->groups[i];
            char *cells[6];

            if (g->set != gs->id)
                continue;
            cells[0] = fa_group_label(r, g);
            cells[1] = group_n(g);
            for (size_t j = 0; j < nm; j++) {
                char *a = num(&g->m[ms[j]]), *b = interval(&g->ci[ms[j]]);

                cells[2 + j] = fa_xasprintf("%s %s", a, b);
                free(a);
                free(b);
            }
            table_row(d, &t, cells);
            free_cells(cells, nm + 2);
        }
        table_end(d);
        for (size_t c = 0; c < ncf; c++)
            if (cf[c].set == gs->id && cf[c].kind >= 4 &&
                wants_chart(d, &cf[c]))
                chart(d, &cf[c], cf[c].kind == 6 ? 340 : 300);
    }
}

static void
aggregates(struct doc *d)
{
    const fa_results *r = d->r;
    static const double w[] = {0.4, 0.2, 0.4};
    static const char *const head[] = {"Aggregate", "Value", "Interval"};
    struct table t = {3, w, head, 8};

    if (!d->tmpl || !has_section(d, "aggregates"))
        return;
    section(d, "Aggregates", 1);
    para(d, "The largest gap (difference) and the smallest ratio over the "
            "groups of each set, with the group-stratified bootstrap "
            "interval; and the chi-square test of independence of group and "
            "outcome.");
    for (size_t k = 1; k < r->nsets; k++) {
        const fa_group_set *gs = &r->sets[k];
        char *name = fa_set_label(r, gs);

        section(d, name, 2);
        free(name);
        table_head(d, &t);
        for (int a = 0; a < FA_AGG_COUNT; a++) {
            char *cells[3];

            cells[0] = fa_xstrdup(fa_aggregate_name((fa_aggregate)a));
            cells[1] = num(&gs->agg[a]);
            cells[2] = gs->agg_ci[a].reason
                           ? fa_xasprintf("n/a (%s)", gs->agg_ci[a].reason)
                           : interval(&gs->agg_ci[a]);
            table_row(d, &t, cells);
            free_cells(cells, 3);
        }
        for (int c = 0; c < 3; c++) {
            const fa_test *x = &gs->chi2[c];
            char *cells[3];

            cells[0] = fa_xasprintf("chi-square, %s",
                                    fa_metric_label(fa_chi2_metrics[c]));
            cells[1] = x->reason
                           ? fa_xasprintf("n/a (%s)", x->reason)
                           : fa_xasprintf("%.3f (df %g)", x->statistic, x->df);
            cells[2] = x->reason ? fa_xstrdup("")
                                 : fa_xasprintf("p %.3g, adjusted %.3g", x->p,
                                                gs->chi2_adjusted[c]);
            table_row(d, &t, cells);
            free_cells(cells, 3);
        }
        table_end(d);
    }
}

static void
strata(struct doc *d)
{
    const fa_results *r = d->r;
    static const double w[] = {0.3, 0.14, 0.16, 0.2, 0.2};
    static const char *const head[] = {"Group", "Strata used", "CMH X2",
                                       "Adj. p", "Common odds ratio"};
    struct table t = {5, w, head, 8};
    fa_metric ms[FA_METRIC_COUNT];
    int ratio[FA_METRIC_COUNT];

    if (!r->strata || (d->tmpl && !has_section(d, "strata")))
        return;
    checked_metrics(d, ms, ratio);
    section(d, "Within strata", 1);
    paraf(d,
          "Each group's %s against its reference within every stratum of "
          "%s, pooled by the Cochran-Mantel-Haenszel test and the "
          "Mantel-Haenszel common odds ratio: a gap that is only a mix "
          "effect shows a CMH p-value near 1.",
          fa_metric_label(ms[0]), r->strata);
    table_head(d, &t);
    for (size_t i = 1; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];
        const fa_cmh *c = &g->cmp[ms[0]].cmh;
        enum fa_set_kind kind = r->sets[g->set].kind;
        char *cells[5];

        if ((kind != FA_SET_ATTRIBUTE && kind != FA_SET_INTERSECTION) ||
            g->gid == r->sets[g->set].ref_gid)
            continue;
        cells[0] = fa_group_label(r, g);
        cells[1] = fa_suppressed_reason(c->test.reason)
                       ? fa_xstrdup(fa_suppressed)
                       : fa_xasprintf("%zu", c->strata_used);
        cells[2] = c->test.reason ? fa_xasprintf("n/a (%s)", c->test.reason)
                                  : fa_xasprintf("%.3f", c->test.statistic);
        cells[3] = c->test.reason ? fa_xstrdup("") : pval(c->p_adjusted);
        cells[4] = num(&c->odds_ratio);
        table_row(d, &t, cells);
        free_cells(cells, 5);
    }
    table_end(d);
}

static void
limitations(struct doc *d)
{
    const fa_results *r = d->r;
    size_t small = 0, excl = 0, nsup = 0;
    json_t *skipped =
        r->skipped_json ? json_loads(r->skipped_json, 0, NULL) : NULL;
    size_t i;
    json_t *v;

    section(d, "Limitations", 1);
    small = groups_with(r, 1);
    for (i = 0; i < r->nverdicts; i++)
        excl += r->verdicts[i].verdict == FA_VERDICT_EXCLUDED;
    if (small)
        bulletf(d,
                "%zu judged groups (or their references) have fewer rows than "
                "the minimum (%lld rows, or %lld in a rate's denominator): "
                "their comparisons are insufficient evidence, never pass or "
                "fail. The minimum detectable ratio of each comparison is in "
                "results.json.",
                small, (long long)r->min_group, (long long)r->min_class);
    for (i = 0; i < r->ngroups; i++)
        nsup += r->groups[i].suppressed;
    if (nsup)
        bulletf(d,
                "%zu groups are published only as suppressed: those of fewer "
                "than %lld rows, and as many more as keep any of them from "
                "being worked out from the totals of its attribute, "
                "intersection or segment. Their rows, counts, rates and "
                "comparisons are not shown, nor the aggregates and "
                "chi-square tests of their sets, nor comparisons with a "
                "suppressed reference; their verdicts are. The store and "
                "the audit pack's cells.csv hold their numbers.",
                nsup, (long long)r->suppress);
    if (!r->ds.labelled)
        bullet(d, "The data has no true outcomes (label-free): error rates, "
                  "calibration and the AUC cannot be assessed; only "
                  "selection (and scoring) rates are compared.");
    if (r->ds.weighted)
        bullet(d, "The audit is weighted: the AUC has no DeLong interval "
                  "and the strata have no CMH test for weighted rows; "
                  "proportions use Kish's effective sample size.");
    if (excl)
        bulletf(d,
                "%zu groups are excluded from the ratios by the template's "
                "rules (small or unknown categories): shown, not judged.",
                groups_with(r, 0));
    json_array_foreach(skipped, i, v)
    {
        bulletf(d, "The check of %s was skipped: %s.",
                label_of(json_string_value(json_object_get(v, "metric"))),
                json_string_value(json_object_get(v, "reason")));
    }
    bullet(d, "Group fairness metrics compare groups; they say nothing of "
              "individual decisions, and they cannot show bias in the "
              "labels themselves.");
    json_decref(skipped);
}

static void
disclosures(struct doc *d, json_t *fields)
{
    json_t *ds = d->tmpl ? json_object_get(d->tmpl, "disclosures") : NULL;
    const char *key;
    size_t i;
    json_t *v;

    if (!has_section(d, "disclosures") ||
        (!json_array_size(ds) && !json_object_size(fields)))
        return;
    section(d, "Disclosures", 1);
    json_array_foreach(ds, i, v) para(d, json_string_value(v));
    json_object_foreach(fields, key, v)
    {
        paraf(d, "%s: %s", key, json_string_value(v));
    }
}

static void
signoff(struct doc *d)
{
    static const double w[] = {0.18, 0.32, 0.32, 0.18};
    static const char *const head[] = {"Role", "Name", "Signature", "Date"};
    struct table t = {4, w, head, BODY};
    const char *names[3] = {d->o->preparer, d->o->reviewer, d->o->approver};
    static const char *const roles[3] = {"Preparer", "Reviewer", "Approver"};

    section(d, "Sign-off", 1);
    para(d, "By signing, each person confirms having read this report and "
            "the verdicts it states.");
    table_head(d, &t);
    for (int i = 0; i < 3; i++) {
        char *cells[4];

        cells[0] = fa_xstrdup(roles[i]);
        cells[1] = fa_xstrdup(names[i] ? names[i] : "\n\n");
        cells[2] = fa_xstrdup("\n\n");
        cells[3] = fa_xstrdup("");
        table_row(d, &t, cells);
        free_cells(cells, 4);
    }
    table_end(d);
}

static void
appendix(struct doc *d)
{
    const fa_results *r = d->r;
    char *cmd;

    section(d, "Appendix", 1);
    section(d, "Reproducing this run", 2);
    cmd = fa_results_command(r, d->o->store);
    para_sized(d, cmd, MONO, 7.5, 0, 0);
    free(cmd);
    paraf(d,
          "The store holds dataset %lld as loaded from %s (SHA-256 "
          "above) with the column mapping %s. A template given as a file "
          "is named here by its name; its resolved text below and its "
          "SHA-256 identify it.",
          (long long)r->ds.id, r->ds.source, r->ds.mapping);
    section(d, "Versions and hashes", 2);
    paraf(d,
          "fairaudit %s; cairo %s; pango %s; qpdf %s; SQLite %s; GSL %s; "
          "libsodium %s; jansson %s; zlib %s; libyaml %s.",
          r->tool_version, cairo_version_string(), pango_version_string(),
          qpdf_get_qpdf_version(), sqlite3_libversion(), gsl_version,
          sodium_version_string(), JANSSON_VERSION, zlibVersion(),
          yaml_get_version_string());
    paraf(d, "Dataset SHA-256: %s", r->ds.sha256);
    paraf(d, "Template SHA-256: %s",
          r->template_sha256 ? r->template_sha256 : "-");
    if (d->tmpl) {
        /* 15 digits read as the decimals the template was written with;
         * results.json holds the exact text that was hashed */
        char *pretty = json_dumps(d->tmpl, JSON_INDENT(2) | JSON_SORT_KEYS |
                                               JSON_REAL_PRECISION(15));
        char *line = pretty;

        section(d, "Resolved template", 2);
        while (line && *line) {
            char *nl = strchr(line, '\n');

            if (nl)
                *nl = '\0';
            para_sized(d, *line ? line : " ", MONO, 7, 0, 0);
            d->y -= 2.5;
            line = nl ? nl + 1 : NULL;
        }
        free(pretty);
    }
}

/* ------------------------------------------------------------------ */
/* Private functions: the document                                     */

static cairo_status_t
discard(void *closure, const unsigned char *data, unsigned int length)
{
    (void)closure;
    (void)data;
    (void)length;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
to_file(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length
               ? CAIRO_STATUS_SUCCESS
               : CAIRO_STATUS_WRITE_ERROR;
}

/* The error of qpdf's last call, as a failure of ctx. */
static fa_err
qpdf_fail(fa_ctx *ctx, qpdf_data q)
{
    qpdf_error e = qpdf_get_error(q);

    return fa_ctx_fail(ctx, FA_ERR_INTERNAL, "qpdf: %s",
                       e ? qpdf_get_error_full_text(q, e) : "failed");
}

/* Write the PDF pdf[0..len) to f with d's links added as link
 * annotations, each to its place (qpdf); deterministic, as the input. */
static fa_err
add_links(fa_ctx *ctx, const struct doc *d, const char *pdf, size_t len,
          FILE *f)
{
    qpdf_data q = qpdf_init();
    int npages;
    fa_err err = FA_OK;

    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    if (qpdf_read_memory(q, "report.pdf", pdf, len, NULL) & QPDF_ERRORS) {
        err = qpdf_fail(ctx, q);
        goto out;
    }
    npages = qpdf_get_num_pages(q);
    for (size_t i = 0; i < d->nlinks; i++) {
        const struct link *l = &d->links[i];
        char text[160];
        qpdf_oh page, to, annots, annot, dest;

        if (l->page < 1 || l->page > npages || l->to_page < 1 ||
            l->to_page > npages) {
            err = fa_ctx_fail(ctx, FA_ERR_INTERNAL,
                              "contents link %zu: page %d to %d of %d", i + 1,
                              l->page, l->to_page, npages);
            goto out;
        }
        page = qpdf_get_page_n(q, (size_t)l->page - 1);
        to = qpdf_get_page_n(q, (size_t)l->to_page - 1);
        annots = qpdf_oh_get_key(q, page, "/Annots");
        if (!qpdf_oh_is_array(q, annots)) {
            annots = qpdf_oh_new_array(q);
            qpdf_oh_replace_key(q, page, "/Annots", annots);
        }
        /* PDF's y runs up from the foot of the page */
        snprintf(text, sizeof(text),
                 "<< /Type /Annot /Subtype /Link /Border [0 0 0] "
                 "/Rect [%.2f %.2f %.2f %.2f] >>",
                 l->x0, d->ph - l->y1, l->x1, d->ph - l->y0);
        annot = qpdf_oh_parse(q, text);
        dest = qpdf_oh_new_array(q);
        qpdf_oh_append_item(q, dest, to);
        qpdf_oh_append_item(q, dest, qpdf_oh_new_name(q, "/XYZ"));
        qpdf_oh_append_item(q, dest, qpdf_oh_new_null(q));
        qpdf_oh_append_item(
            q, dest, qpdf_oh_new_real_from_double(q, d->ph - l->to_y + 4, 2));
        qpdf_oh_append_item(q, dest, qpdf_oh_new_null(q));
        qpdf_oh_replace_key(q, annot, "/Dest", dest);
        qpdf_oh_replace_key(q, annot, "/P", page);
        qpdf_oh_append_item(q, annots, qpdf_make_indirect_object(q, annot));
        if (qpdf_has_error(q)) {
            err = qpdf_fail(ctx, q);
            goto out;
        }
    }
    if (qpdf_init_write_memory(q) & QPDF_ERRORS) {
        err = qpdf_fail(ctx, q);
        goto out;
    }
    qpdf_set_deterministic_ID(q, QPDF_TRUE);
    qpdf_set_object_stream_mode(q, qpdf_o_preserve);
    if (qpdf_write(q) & QPDF_ERRORS) {
        err = qpdf_fail(ctx, q);
        goto out;
    }
    if (fwrite(qpdf_get_buffer(q), 1, qpdf_get_buffer_length(q), f) !=
        qpdf_get_buffer_length(q))
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write the PDF: %s",
                          strerror(errno));
out:
    qpdf_cleanup(&q);
    return err;
}

static void cmp_body(struct doc *d, json_t *c, json_t *runs, int level);

/* With --compare: the comparison with the base run. */
static void
comparison(struct doc *d)
{
    if (!d->o->cmp)
        return;
    section(d, "Comparison with the base run", 1);
    cmp_body(d, d->o->cmp, d->o->cmp_runs, 2);
}

/* One pass over the whole document; FILE f NULL measures only. */
static cairo_status_t
render(struct doc *d, FILE *f)
{
    json_t *fields =
        d->r->fields_json ? json_loads(d->r->fields_json, 0, NULL) : NULL;
    size_t ncf = 0;
    fa_chart_file *cf = fa_chart_list_curves(d->r, d->curves, d->ncurves, &ncf);
    static const fa_metric scores[] = {FA_METRIC_AUC, FA_METRIC_BRIER,
                                       FA_METRIC_MEAN_SCORE};
    static const fa_metric seg[] = {FA_METRIC_ACCURACY, FA_METRIC_TPR,
                                    FA_METRIC_FPR, FA_METRIC_PPV};
    static const fa_metric segl[] = {FA_METRIC_SELECTION_RATE};
    cairo_status_t st;
    char date[32];

    d->surf =
        f ? cairo_pdf_surface_create_for_stream(to_file, f, d->pw, d->ph)
          : cairo_pdf_surface_create_for_stream(discard, NULL, d->pw, d->ph);
    d->final = f != NULL;
    /* the run's own time, so the same run gives the same bytes */
    snprintf(date, sizeof(date), "%.19s", d->r->created);
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(
        d->surf, CAIRO_PDF_METADATA_SUBJECT,
        tmpl_string(d, "source") ? tmpl_string(d, "source") : "fairness audit");
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATOR,
                                   "fairaudit");
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATE_DATE,
                                   date);
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_MOD_DATE, date);
    d->cr = cairo_create(d->surf);
    d->lay = layout_new(d->cr);
    d->page = 1;
    d->nsecs = 0;
    d->outline_parent = CAIRO_PDF_OUTLINE_ROOT;
    d->y = d->m;
    cover(d, fields);
    page_break(d);
    contents(d);
    summary(d);
    verdicts(d);
    comparison(d);
    data(d);
    method(d);
    attribute_results(d, cf, ncf);
    intersections(d, cf, ncf);
    if (d->r->ds.scored && d->r->ds.labelled)
        metric_tables(d, "Score-based results", FA_SET_ATTRIBUTE, scores, 3, cf,
                      ncf);
    if (d->r->ds.labelled)
        metric_tables(d, "Segment accuracy", FA_SET_SEGMENT, seg, 4, NULL, 0);
    else
        metric_tables(d, "Segments", FA_SET_SEGMENT, segl, 1, NULL, 0);
    aggregates(d);
    strata(d);
    limitations(d);
    disclosures(d, fields);
    signoff(d);
    appendix(d);
    cairo_show_page(d->cr);
    st = cairo_status(d->cr);
    g_object_unref(d->lay);
    d->lay = NULL;
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(d->surf);
    cairo_surface_destroy(d->surf);
    fa_chart_files_free(cf, ncf);
    json_decref(fields);
    return st;
}

static void
release_secs(struct sec *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].title);
    free(s);
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

fa_err
fa_report_pdf_write(fa_ctx *ctx, fa_store *st, int64_t run_id, const char *path,
                    const struct fa_report_opts *opts)
{
    struct doc d;
    fa_results r;
    struct sec *known = NULL;
    size_t nknown = 0;
    fa_score_curves *curves = NULL;
    fa_err err = fa_store_run_load(ctx, st, run_id, &r);
    char *tmp = NULL;
    cairo_status_t cs = CAIRO_STATUS_SUCCESS;
    FILE *f, *mem;
    char *buf = NULL;
    size_t len = 0;

    if (err)
        return err;
    /* what is published: small groups suppressed */
    fa_results_suppress(&r);
    memset(&d, 0, sizeof(d));
    d.r = &r;
    d.o = opts;
    d.pw = opts->letter ? 612 : 595.276;
    d.ph = opts->letter ? 792 : 841.89;
    d.m = 56;
    d.tmpl = r.template_json ? json_loads(r.template_json, 0, NULL) : NULL;
    d.title = fa_xstrdup(tmpl_string(&d, "title") ? tmpl_string(&d, "title")
                                                  : "Fairness audit");
    err = fa_store_reject_summary(ctx, st, r.ds.id, (fa_reject_count **)&d.rej,
                                  &d.nrej);
    if (!err)
        err = fa_score_curves_load(ctx, st, &r, &curves, &d.ncurves);
    if (err)
        goto out;
    d.curves = curves;
    /* lay out to learn each section's page, then write. The contents are
     * padded to toc_pages, so the pages after them do not depend on their
     * entries as long as those fit: measure that, and lay out once more
     * with room for them when they do not */
    d.toc_pages = 1;
    for (int pass = 0; pass < 3 && cs == CAIRO_STATUS_SUCCESS; pass++) {
        int need;

        d.known = NULL;
        d.nknown = 0;
        cs = render(&d, NULL);
        release_secs(known, nknown);
        known = d.secs;
        nknown = d.nsecs;
        d.secs = NULL;
        d.cap = 0;
        need = toc_pages_needed(&d, known + 1, nknown - 1);
        if (need <= d.toc_pages)
            break;
        d.toc_pages = need;
    }
    if (cs != CAIRO_STATUS_SUCCESS) {
        err = fa_ctx_fail(ctx, FA_ERR_INTERNAL, "cairo: %s",
                          cairo_status_to_string(cs));
        goto out;
    }
    /* the contents list the sections after itself */
    d.known = known + 1;
    d.nknown = nknown - 1;
    mem = open_memstream(&buf, &len);
    if (!mem) {
        err = fa_ctx_fail(ctx, FA_ERR_INTERNAL, "open_memstream: %s",
                          strerror(errno));
        goto out;
    }
    cs = render(&d, mem);
    if (fclose(mem) != 0 || cs != CAIRO_STATUS_SUCCESS) {
        err =
            fa_ctx_fail(ctx, FA_ERR_INTERNAL, "cairo: %s",
                        cs != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(cs)
                                                   : strerror(errno));
        goto out;
    }
    tmp = fa_xasprintf("%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
        goto out;
    }
    err = add_links(ctx, &d, buf, len, f);
    if (fclose(f) != 0 && !err)
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
    if (err) {
        unlink(tmp);
        goto out;
    }
    err = fa_file_commit(ctx, tmp, path);
out:
    free(tmp);
    free(buf);
    free(d.links);
    release_secs(d.secs, d.nsecs);
    release_secs(known, nknown);
    for (size_t i = 0; i < d.nrej; i++)
        free(((fa_reject_count *)d.rej)[i].reason);
    free((void *)d.rej);
    free(d.title);
    json_decref(d.tmpl);
    fa_score_curves_free(curves, d.ncurves);
    fa_results_release(&r);
    return err;
}

fa_err
fa_report_charts_write(fa_ctx *ctx, fa_store *st, int64_t run_id,
                       const char *dir)
{
    fa_results r;
    fa_score_curves *curves = NULL;
    size_t ncurves = 0;
    fa_err err = fa_store_run_load(ctx, st, run_id, &r);

    if (err)
        return err;
    /* what is published: small groups suppressed */
    fa_results_suppress(&r);
    err = fa_score_curves_load(ctx, st, &r, &curves, &ncurves);
    if (!err)
        err = fa_charts_write(ctx, &r, curves, ncurves, dir);
    fa_score_curves_free(curves, ncurves);
    fa_results_release(&r);
    return err;
}

void
fa_report_release_fonts(void)
{
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}

/* ------------------------------------------------------------------ */
/* The comparison report                                               */

static char *
jfmt(json_t *v, const char *fmt)
{
    return json_is_number(v) ? fa_xasprintf(fmt, json_number_value(v))
                             : fa_xstrdup("-");
}

/* The regressions (worse 1) or improvements (worse 0) as a table. */
static void
cmp_changes(struct doc *d, json_t *c, int worse)
{
    static const double w[] = {0.26, 0.1, 0.1, 0.11, 0.29, 0.14};
    static const char *const head[] = {
        "Group", "Metric", "Base", "Candidate", "Change (CI)", "Adjusted p"};
    struct table t = {6, w, head, 8};
    size_t i, n = 0;
    json_t *e;

    json_array_foreach(json_object_get(c, "changes"), i, e)
    {
        n += json_is_true(
            json_object_get(e, worse ? "regression" : "improvement"));
    }
    if (!n) {
        para(d, worse ? "Nothing got worse beyond the tolerance with "
                        "significance after correction."
                      : "Nothing got better beyond the tolerance with "
                        "significance after correction.");
        return;
    }
    table_head(d, &t);
    json_array_foreach(json_object_get(c, "changes"), i, e)
    {
        char *cells[6], *lo, *hi, *ch;
        json_t *ci = json_object_get(e, "ci");

        if (!json_is_true(
                json_object_get(e, worse ? "regression" : "improvement")))
            continue;
        cells[0] = fa_cmp_attrs_label(json_object_get(e, "attributes"));
        cells[1] = fa_xstrdup(json_string_value(json_object_get(e, "metric")));
        cells[2] = jfmt(json_object_get(e, "base"), "%.3f");
        cells[3] = jfmt(json_object_get(e, "candidate"), "%.3f");
        ch = jfmt(json_object_get(e, "change"), "%+.3f");
        lo = jfmt(json_array_get(ci, 0), "%+.3f");
        hi = jfmt(json_array_get(ci, 1), "%+.3f");
        cells[4] = fa_xasprintf("%s (%s to %s)", ch, lo, hi);
        free(ch);
        free(lo);
        free(hi);
        cells[5] = jfmt(json_object_get(e, "p_adjusted"), "%.2g");
        table_row(d, &t, cells);
        free_cells(cells, 6);
    }
    table_end(d);
}

/* The headline numbers of the runs as lines across the history. */
static void
cmp_history_chart(struct doc *d, json_t *runs)
{
    static const char *const keys[] = {"selection_rate", "accuracy", "auc",
                                       "lowest_selection_ratio"};
    static const char *const names[] = {"Selection rate", "Accuracy", "AUC",
                                        "Lowest selection ratio"};
    /* Okabe-Ito: blue, vermillion, bluish green, reddish purple */
    static const double rgb[4][3] = {{0, 0.447, 0.698},
                                     {0.835, 0.369, 0},
                                     {0, 0.62, 0.451},
                                     {0.8, 0.475, 0.655}};
    static const double dash[4][2] = {{1, 0}, {5, 2}, {2, 2}, {6, 2}};
    size_t n = json_array_size(runs);
    double x0 = d->m + 34, x1 = d->pw - d->m - 10, h = 190, top, y0, ymax = 1;
    size_t i;
    json_t *r;

    if (n == 0)
        return;
    json_array_foreach(runs, i, r)
    {
        for (size_t k = 0; k < 4; k++) {
            json_t *v =
                json_object_get(json_object_get(r, "headline"), keys[k]);

            if (json_is_number(v))
                ymax = fmax(ymax, json_number_value(v));
        }
    }
    /* a ratio may pass 1; the axis stops at 2, a point above is left
     * out */
    ymax = fmin(2, ceil(ymax * 5) / 5);
    need(d, h + 60);
    top = d->y + 4;
    y0 = top + h;
    cairo_save(d->cr);
    cairo_set_line_width(d->cr, 0.4);
    for (int g = 0; g <= (int)lround(ymax * 5); g++) {
        double v = g / 5.0, y = y0 - v / ymax * h;
        char lab[16];

        cairo_set_source_rgb(d->cr, 0.85, 0.85, 0.85);
        cairo_move_to(d->cr, x0, y);
        cairo_line_to(d->cr, x1, y);
        cairo_stroke(d->cr);
        snprintf(lab, sizeof(lab), "%.1f", v);
        draw_text(d, d->m, y - 5, lab, FONT, SMALL, 0, 0, 0.35);
    }
    json_array_foreach(runs, i, r)
    {
        double x = n == 1 ? (x0 + x1) / 2
                          : x0 + (x1 - x0) * (double)i / (double)(n - 1);
        char lab[32];

        snprintf(lab, sizeof(lab), "%lld",
                 (long long)json_integer_value(json_object_get(r, "id")));
        draw_text(d, x - 6, y0 + 3, lab, FONT, SMALL, 0, 0, 0.35);
    }
    for (size_t k = 0; k < 4; k++) {
        int open = 0;

        cairo_set_source_rgb(d->cr, rgb[k][0], rgb[k][1], rgb[k][2]);
        cairo_set_line_width(d->cr, 1.4);
        cairo_set_dash(d->cr, dash[k], dash[k][1] > 0 ? 2 : 0, 0);
        json_array_foreach(runs, i, r)
        {
            json_t *v =
                json_object_get(json_object_get(r, "headline"), keys[k]);
            double x = n == 1 ? (x0 + x1) / 2
                              : x0 + (x1 - x0) * (double)i / (double)(n - 1);

            if (!json_is_number(v) ||
                !(json_number_value(v) >= 0 && json_number_value(v) <= ymax)) {
                open = 0;
                continue;
            }
            if (open)
                cairo_line_to(d->cr, x, y0 - json_number_value(v) / ymax * h);
            else
                cairo_move_to(d->cr, x, y0 - json_number_value(v) / ymax * h);
            open = 1;
        }
        cairo_stroke(d->cr);
        cairo_set_dash(d->cr, NULL, 0, 0);
        /* a marker of its own shape on every point */
        json_array_foreach(runs, i, r)
        {
            json_t *v =
                json_object_get(json_object_get(r, "headline"), keys[k]);
            double x = n == 1 ? (x0 + x1) / 2
                              : x0 + (x1 - x0) * (double)i / (double)(n - 1);
            double y;

            if (!json_is_number(v) ||
                !(json_number_value(v) >= 0 && json_number_value(v) <= ymax))
                continue;
            y = y0 - json_number_value(v) / ymax * h;
            if (k == 0)
                cairo_arc(d->cr, x, y, 2.4, 0, 2 * M_PI);
            else if (k == 1)
                cairo_rectangle(d->cr, x - 2.2, y - 2.2, 4.4, 4.4);
            else if (k == 2) {
                cairo_move_to(d->cr, x, y - 2.8);
                cairo_line_to(d->cr, x + 2.6, y + 2);
                cairo_line_to(d->cr, x - 2.6, y + 2);
                cairo_close_path(d->cr);
            } else {
                cairo_move_to(d->cr, x, y - 3);
                cairo_line_to(d->cr, x + 3, y);
                cairo_line_to(d->cr, x, y + 3);
                cairo_line_to(d->cr, x - 3, y);
                cairo_close_path(d->cr);
            }
            cairo_fill(d->cr);
        }
        /* the legend */
        {
            double lx = x0 + (double)k * (x1 - x0) / 4, ly = y0 + 22;

            cairo_move_to(d->cr, lx, ly + 4);
            cairo_line_to(d->cr, lx + 18, ly + 4);
            cairo_set_dash(d->cr, dash[k], dash[k][1] > 0 ? 2 : 0, 0);
            cairo_stroke(d->cr);
            cairo_set_dash(d->cr, NULL, 0, 0);
            draw_text(d, lx + 22, ly - 2, names[k], FONT, SMALL, 0, 0, 0);
        }
    }
    cairo_restore(d->cr);
    d->y = y0 + 44;
    para_sized(d,
               "Run (x) against the population's selection rate, "
               "accuracy and AUC and the lowest selection-rate ratio of an "
               "attribute's group (y), as each run published them.",
               FONT, SMALL, 0, 0);
}

/* The comparison's text, tables and chart, its sections at level. */
static void
cmp_body(struct doc *d, json_t *c, json_t *runs, int level)
{
    size_t i, j;
    json_t *e, *g;

    for (int side = 0; side < 2; side++) {
        json_t *x = json_object_get(c, side ? "candidate" : "base");
        const char *t = json_string_value(json_object_get(x, "template"));
        const char *v = json_string_value(json_object_get(x, "verdict"));

        paraf(d,
              "%s: %s (started %s); template %s; verdict %s; dataset "
              "SHA-256 %s.",
              side ? "Candidate" : "Base",
              json_string_value(json_object_get(x, "source")),
              json_string_value(json_object_get(x, "created"))
                  ? json_string_value(json_object_get(x, "created"))
                  : "-",
              t ? t : "-", v ? v : "-",
              json_string_value(json_object_get(x, "dataset_sha256"))
                  ? json_string_value(json_object_get(x, "dataset_sha256"))
                  : "-");
    }
    paraf(d,
          "%lld regressions and %lld improvements: a change counts when it "
          "is for the worse (or the better) by the metric's direction, "
          "significant at alpha %g after Holm's correction over every test "
          "of the comparison, and larger than the tolerance %g.",
          (long long)json_integer_value(json_object_get(c, "regressions")),
          (long long)json_integer_value(json_object_get(c, "improvements")),
          json_number_value(json_object_get(c, "alpha")),
          json_number_value(json_object_get(c, "tolerance")));
    section(d, "What got worse", level);
    cmp_changes(d, c, 1);
    section(d, "What got better", level);
    cmp_changes(d, c, 0);
    section(d, "Verdicts that changed", level);
    if (!json_array_size(json_object_get(c, "verdicts_changed")))
        para(d, "No verdict changed.");
    json_array_foreach(json_object_get(c, "verdicts_changed"), i, e)
    {
        char *gl = fa_cmp_attrs_label(json_object_get(e, "attributes"));
        const char *b = json_string_value(json_object_get(e, "base"));

        bulletf(d, "%s, %s (%s): %s to %s.", gl,
                json_string_value(json_object_get(e, "metric")),
                json_string_value(json_object_get(e, "measure")),
                b ? b : "none",
                json_string_value(json_object_get(e, "candidate")));
        free(gl);
    }
    for (int k = 0; k < 2; k++) {
        json_t *a = json_object_get(c, k ? "vanished" : "appeared");

        json_array_foreach(a, i, e)
        {
            char *gl = fa_cmp_attrs_label(json_object_get(e, "attributes"));

            bulletf(d, "%s %s.", gl,
                    k ? "vanished (base only)" : "appeared (candidate only)");
            free(gl);
        }
    }
    section(d, "Drift", level);
    json_array_foreach(
        json_object_get(json_object_get(c, "drift"), "composition"), i, e)
    {
        json_t *chi = json_object_get(e, "chi2");
        char *shares = fa_xstrdup("");

        json_array_foreach(json_object_get(e, "groups"), j, g)
        {
            json_t *gr = json_object_get(g, "group");
            json_t *v;
            const char *key;
            char *t, *name = NULL;

            json_object_foreach(gr, key, v)
            {
                name = fa_xstrdup(json_is_string(v) ? json_string_value(v)
                                                    : "(missing)");
            }
            t = fa_xasprintf(
                "%s%s%s %.3f to %.3f", shares, *shares ? "; " : "",
                name ? name : "suppressed",
                json_number_value(json_object_get(g, "base_share")),
                json_number_value(json_object_get(g, "candidate_share")));
            free(name);
            free(shares);
            shares = t;
        }
        if (chi && !json_is_null(chi))
            bulletf(d,
                    "%s: PSI %.3f%s; chi-square %.2f on %lld df, p %.2g. "
                    "Shares: %s.",
                    json_string_value(json_object_get(e, "attribute")),
                    json_number_value(json_object_get(e, "psi")),
                    json_is_true(json_object_get(e, "alert"))
                        ? " (a major shift)"
                        : "",
                    json_number_value(json_object_get(chi, "statistic")),
                    (long long)json_integer_value(json_object_get(chi, "df")),
                    json_number_value(json_object_get(chi, "p_value")), shares);
        else
            bulletf(d, "%s: PSI %.3f. Shares: %s.",
                    json_string_value(json_object_get(e, "attribute")),
                    json_number_value(json_object_get(e, "psi")), shares);
        free(shares);
    }
    {
        json_t *sc = json_object_get(json_object_get(c, "drift"), "scores");
        static const double w[] = {0.4, 0.15, 0.15, 0.15, 0.15};
        static const char *const head[] = {"Group", "Score PSI", "Alert",
                                           "KS D", "KS p"};
        struct table t = {5, w, head, 8};

        if (!json_is_array(sc)) {
            paraf(d, "Scores: not compared (%s).",
                  json_string_value(json_object_get(json_object_get(c, "drift"),
                                                    "scores_reason")));
        } else {
            para(d, "Scores per group: PSI over the base's deciles and the "
                    "two-sample Kolmogorov-Smirnov test.");
            table_head(d, &t);
            json_array_foreach(sc, i, e)
            {
                char *cells[5];

                cells[0] = fa_cmp_attrs_label(json_object_get(e, "attributes"));
                cells[1] = jfmt(json_object_get(e, "psi"), "%.3f");
                cells[2] = fa_xstrdup(
                    json_is_true(json_object_get(e, "alert")) ? "yes" : "no");
                cells[3] =
                    jfmt(json_object_get(json_object_get(e, "ks"), "statistic"),
                         "%.4f");
                cells[4] =
                    jfmt(json_object_get(json_object_get(e, "ks"), "p_value"),
                         "%.2g");
                table_row(d, &t, cells);
                free_cells(cells, 5);
            }
            table_end(d);
        }
    }
    section(d, "Run history", level);
    cmp_history_chart(d, runs);
}

static void
cmp_render(struct doc *d, json_t *c, json_t *runs)
{
    d->y = d->m;
    draw_text(d, d->m, d->y, "Comparison of two audits", FONT, 20, 1, 0, 0);
    d->y += 34;
    cmp_body(d, c, runs, 2);
    cairo_show_page(d->cr);
}

fa_err
fa_compare_pdf_write(fa_ctx *ctx, json_t *cmp, json_t *runs, const char *path)
{
    struct doc d;
    fa_results fake = {0};
    json_t *cand = json_object_get(cmp, "candidate");
    const char *created = json_string_value(json_object_get(cand, "created"));
    char *tmp = fa_xasprintf("%s.tmp", path), date[32];
    cairo_status_t cs;
    fa_err err = FA_OK;
    FILE *f = fopen(tmp, "wb");

    if (!f) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
        free(tmp);
        return err;
    }
    memset(&d, 0, sizeof(d));
    fake.tool_version = (char *)json_string_value(
        json_object_get(json_object_get(cmp, "tool"), "version"));
    fake.run_id = json_integer_value(json_object_get(cand, "run"));
    d.r = &fake;
    d.pw = 595.276;
    d.ph = 841.89;
    d.m = 56;
    d.title = fa_xstrdup("Comparison of two audits");
    d.final = 1;
    d.surf = cairo_pdf_surface_create_for_stream(to_file, f, d.pw, d.ph);
    snprintf(date, sizeof(date), "%.19s", created ? created : "");
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_TITLE, d.title);
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_CREATOR,
                                   "fairaudit");
    if (created) {
        /* the candidate's time: the same comparison gives the same bytes */
        cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_CREATE_DATE,
                                       date);
        cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_MOD_DATE,
                                       date);
    }
    d.cr = cairo_create(d.surf);
    d.lay = layout_new(d.cr);
    d.page = 1;
    d.outline_parent = CAIRO_PDF_OUTLINE_ROOT;
    cmp_render(&d, cmp, runs);
    cs = cairo_status(d.cr);
    g_object_unref(d.lay);
    cairo_destroy(d.cr);
    cairo_surface_finish(d.surf);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(d.surf);
    cairo_surface_destroy(d.surf);
    if (fclose(f) != 0 || cs != CAIRO_STATUS_SUCCESS) {
        err =
            fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                        cs != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(cs)
                                                   : strerror(errno));
        unlink(tmp);
    } else {
        err = fa_file_commit(ctx, tmp, path);
    }
    release_secs(d.secs, d.nsecs);
    free(d.title);
    free(tmp);
    return err;
}
