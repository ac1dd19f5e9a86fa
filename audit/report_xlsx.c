/* report_xlsx.c — the XLSX workbook (libxlsxwriter), from the store alone.
 *
 * One function per sheet, each writing its rows in order. Formulas refer
 * only to cells of their own row, so they stay right when a reviewer
 * sorts or filters; the named cells (Verdict, RunId, ...) lie outside
 * every table.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <pango/pango.h>
#include <sodium.h>
#include <sqlite3.h>
#include <xlsxwriter.h>
#include <yaml.h>
#include <zlib.h>

#include "charts.h"
#include "compare.h"
#include "curves.h"
#include "report_xlsx.h"
#include "results.h"

/* an intersection's matrix at most: columns, cells */
#define MATRIX_COLS 1000
#define MATRIX_CELLS 100000
/* the first rejected rows listed in Data quality */
#define FIRST_REJECTS 1000
/* a cell's text in bytes at most (Excel's limit is 32,767 characters) */
#define CELL_BYTES 32000
/* the last row a table may use; one more says what was left out */
#define LAST_ROW (LXW_ROW_MAX - 2)

struct book {
    lxw_workbook *wb;
    const fa_results *r;
    const struct fa_report_opts *o;
    json_t *tmpl;
    fa_reject_count *rej;
    size_t nrej;
    fa_reject_row *rows;
    size_t nrows;
    fa_score_curves *curves;
    size_t ncurves;
    fa_metric main; /* the main metric (charts, intersections) */
    lxw_error err;  /* the first failure */
    lxw_format *title, *head, *bold, *wrap, *rate, *count, *wcount, *pval, *num,
        *mono;
    lxw_format *v_fail, *v_pass, *v_insufficient, *v_excluded;
};

/* ------------------------------------------------------------------ */
/* Private functions: cells                                            */

static void
ck(struct book *b, lxw_error e)
{
    if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
        b->err = e;
}

/* Writes data-derived text (sanitised, always a string). */
static void
text_n(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
       const char *s, size_t n, lxw_format *f)
{
    char *t;

    if (!s)
        return;
    t = fa_xlsx_text(s, n);
    if (*t)
        ck(b, worksheet_write_string(ws, row, col, t, f));
    free(t);
}

static void
text(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
     const char *s, lxw_format *f)
{
    if (s)
        text_n(b, ws, row, col, s, strlen(s), f);
}

static void textf(struct book *b, lxw_worksheet *ws, lxw_row_t row,
                  lxw_col_t col, lxw_format *f, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
textf(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
      lxw_format *f, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = fa_xvasprintf(fmt, ap);
    va_end(ap);
    text(b, ws, row, col, s, f);
    free(s);
}

static void
number(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
       double v, lxw_format *f)
{
    if (isfinite(v))
        ck(b, worksheet_write_number(ws, row, col, v, f));
}

/* A value: the number, or nothing when undefined. */
static void
value(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
      const fa_value *v, lxw_format *f)
{
    if (!v->reason)
        number(b, ws, row, col, v->value, f);
}

/* An interval's ends in col and col + 1, nothing when undefined. */
static void
interval(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
         const fa_interval *ci, lxw_format *f)
{
    if (ci->reason)
        return;
    number(b, ws, row, col, ci->lo, f);
    number(b, ws, row, col + 1, ci->hi, f);
}

/* A header row. */
static void
header_c(struct book *b, lxw_worksheet *ws, lxw_row_t row,
         const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        text(b, ws, row, (lxw_col_t)i, names[i], b->head);
}

/* A list sheet's finish: frozen header row, autofilter over the table. */
static void
table_finish(struct book *b, lxw_worksheet *ws, lxw_row_t head, lxw_row_t last,
             lxw_col_t ncols)
{
    if (ncols == 0)
        return;
    worksheet_freeze_panes(ws, head + 1, 0);
    ck(b,
       worksheet_autofilter(ws, head, 0, last > head ? last : head, ncols - 1));
}

/* The row after a table that ran out of rows. */
static void
left_out(struct book *b, lxw_worksheet *ws, lxw_row_t row, size_t n)
{
    textf(b, ws, row, 0, b->bold,
          "%zu more rows do not fit a sheet; results.json holds them all.", n);
}

static void
colour_verdicts(struct book *b, lxw_worksheet *ws, lxw_row_t r0, lxw_col_t c0,
                lxw_row_t r1, lxw_col_t c1)
{
    static const char *const words[] = {"fail", "insufficient", "excluded",
                                        "pass"};
    lxw_format *fmts[] = {b->v_fail, b->v_insufficient, b->v_excluded,
                          b->v_pass};

    if (r1 < r0)
        return;
    for (size_t i = 0; i < FA_ARRAY_LEN(words); i++) {
        lxw_conditional_format cf = {0};

        cf.type = LXW_CONDITIONAL_TYPE_TEXT;
        cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_BEGINS_WITH;
        cf.value_string = (char *)words[i];
        cf.format = fmts[i];
        ck(b, worksheet_conditional_format_range(ws, r0, c0, r1, c1, &cf));
    }
}

static const char *
verdict_cue(int v)
{
    switch (v) {
    case FA_VERDICT_FAIL:
        return "fail \xe2\x9c\x97";
    case FA_VERDICT_PASS:
        return "pass \xe2\x9c\x93";
    case FA_VERDICT_INSUFFICIENT:
        return "insufficient ?";
    case FA_VERDICT_EXCLUDED:
        return "excluded \xe2\x80\x93";
    default:
        return "";
    }
}

/* ------------------------------------------------------------------ */
/* Private functions: which metrics a run has                          */

static int
has_metric(const fa_results *r, fa_metric m)
{
    return (!fa_metric_needs_label(m) || r->ds.labelled) &&
           (!fa_metric_needs_score(m) || r->ds.scored);
}

static const char *
ci_method_of(const fa_results *r, fa_metric m)
{
    return m == FA_METRIC_AUC ? "delong" : r->ci_method;
}

static int
any_above(const fa_results *r)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (r->groups[i].has_above)
            return 1;
    return 0;
}

/* The undefined metrics of g as "tpr, fnr: no actual positives; ...";
 * NULL when every metric the run has is defined. */
static char *
group_note(const fa_results *r, const fa_group *g)
{
    char *out = NULL;
    unsigned char done[FA_METRIC_COUNT] = {0};

    for (int m = 0; m < FA_METRIC_COUNT; m++) {
        const char *why = g->m[m].reason;
        char *part;

        if (done[m] || !why || !has_metric(r, (fa_metric)m))
            continue;
        part = fa_xstrdup(fa_metric_name((fa_metric)m));
        for (int k = m + 1; k < FA_METRIC_COUNT; k++) {
            if (!done[k] && g->m[k].reason && has_metric(r, (fa_metric)k) &&
                strcmp(g->m[k].reason, why) == 0) {
                char *t =
                    fa_xasprintf("%s, %s", part, fa_metric_name((fa_metric)k));

                free(part);
                part = t;
                done[k] = 1;
            }
        }
        {
            char *t = out ? fa_xasprintf("%s; %s: %s", out, part, why)
                          : fa_xasprintf("%s: %s", part, why);

            free(out);
            out = t;
        }
        free(part);
    }
    /* an interval missing for this group only (the Definitions sheet
     * gives the reason every group shares) */
    for (int m = 0; m < FA_METRIC_COUNT; m++) {
        const char *why = g->ci[m].reason, *all = r->groups[0].ci[m].reason;
        char *t;

        if (g->m[m].reason || !why || !has_metric(r, (fa_metric)m) ||
            (all && strcmp(all, why) == 0))
            continue;
        t = out ? fa_xasprintf("%s; %s interval: %s", out,
                               fa_metric_name((fa_metric)m), why)
                : fa_xasprintf("%s interval: %s", fa_metric_name((fa_metric)m),
                               why);
        free(out);
        out = t;
    }
    return out;
}

/* ------------------------------------------------------------------ */
/* Public functions: formulas and text                                 */

char *
fa_xlsx_rate_formula(fa_metric m, const char *tp, const char *fp,
                     const char *tn, const char *fn)
{
    if (!tp) {
        /* label-free: fp holds the selected, tn the others */
        if (m != FA_METRIC_SELECTION_RATE)
            return NULL;
        return fa_xasprintf("=IF(%s+%s=0,\"\",%s/(%s+%s))", fp, tn, fp, fp, tn);
    }
    switch (m) {
    case FA_METRIC_BASE_RATE:
    case FA_METRIC_SELECTION_RATE:
    case FA_METRIC_ACCURACY: {
        const char *a = tp, *c = m == FA_METRIC_BASE_RATE        ? fn
                                 : m == FA_METRIC_SELECTION_RATE ? fp
                                                                 : tn;

        return fa_xasprintf("=IF(%s+%s+%s+%s=0,\"\",(%s+%s)/(%s+%s+%s+%s))", tp,
                            fp, tn, fn, a, c, tp, fp, tn, fn);
    }
    case FA_METRIC_BALANCED_ACCURACY:
        return fa_xasprintf("=IF(OR(%s+%s=0,%s+%s=0),\"\","
                            "(%s/(%s+%s)+%s/(%s+%s))/2)",
                            tp, fn, tn, fp, tp, tp, fn, tn, tn, fp);
    case FA_METRIC_TPR:
    case FA_METRIC_FNR:
        return fa_xasprintf("=IF(%s+%s=0,\"\",%s/(%s+%s))", tp, fn,
                            m == FA_METRIC_TPR ? tp : fn, tp, fn);
    case FA_METRIC_TNR:
    case FA_METRIC_FPR:
        return fa_xasprintf("=IF(%s+%s=0,\"\",%s/(%s+%s))", tn, fp,
                            m == FA_METRIC_TNR ? tn : fp, tn, fp);
    case FA_METRIC_PPV:
    case FA_METRIC_FDR:
        return fa_xasprintf("=IF(%s+%s=0,\"\",%s/(%s+%s))", tp, fp,
                            m == FA_METRIC_PPV ? tp : fp, tp, fp);
    case FA_METRIC_NPV:
    case FA_METRIC_FOR:
        return fa_xasprintf("=IF(%s+%s=0,\"\",%s/(%s+%s))", tn, fn,
                            m == FA_METRIC_NPV ? tn : fn, tn, fn);
    case FA_METRIC_F1:
        return fa_xasprintf("=IF(2*%s+%s+%s=0,\"\",2*%s/(2*%s+%s+%s))", tp, fp,
                            fn, tp, tp, fp, fn);
    default:
        return NULL;
    }
}

/* The length of the valid UTF-8 sequence at s (n bytes left), 0 when
 * none. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
    size_t k = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;

    if (s[0] == 0 || k > n || !fa_utf8_valid((const char *)s, k))
        return 0;
    return k;
}

static int
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

char *
fa_xlsx_text(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t total = n, len = 0, m, k;
    char *valid, *shown, *out;

    /* 0. no more input than a cell can show, cut before a character */
    if (n > CELL_BYTES) {
        n = CELL_BYTES;
        while (n > 0 && (p[n] & 0xc0) == 0x80 && CELL_BYTES - n < 3)
            n--;
    }
    /* 1. valid UTF-8 without NUL */
    valid = fa_xmalloc(n * 4 + 1);
    for (size_t i = 0; i < n; i += k) {
        k = utf8_seq(p + i, n - i);
        if (k == 0) {
            len += (size_t)sprintf(valid + len, "\\x%02X", p[i]);
            k = 1;
        } else {
            memcpy(valid + len, p + i, k);
            len += k;
        }
    }
    valid[len] = '\0';
    /* 2. control, bidirectional and non-characters shown */
    shown = fa_display_text(valid);
    free(valid);
    /* 3. a literal _xHHHH_ would be read as an escape: escape its _ */
    m = strlen(shown);
    out = fa_xmalloc(m * 7 + 64);
    len = 0;
    for (size_t i = 0; i < m; i++) {
        if (shown[i] == '_' && i + 6 < m && shown[i + 1] == 'x' &&
            is_hex(shown[i + 2]) && is_hex(shown[i + 3]) &&
            is_hex(shown[i + 4]) && is_hex(shown[i + 5]) &&
            shown[i + 6] == '_') {
            /* "_x005F_" is the escape of "_" itself */
            memcpy(out + len, "_x005F_", 7);
            len += 7;
            continue;
        }
        out[len++] = shown[i];
    }
    out[len] = '\0';
    free(shown);
    /* 4. what a cell holds, cut at a character boundary */
    if (len > CELL_BYTES || total > n) {
        size_t cut = len < CELL_BYTES ? len : CELL_BYTES;

        while (cut > 0 && ((unsigned char)out[cut] & 0xc0) == 0x80)
            cut--;
        len = cut +
              (size_t)sprintf(out + cut, " [clipped: %zu bytes in all]", total);
    }
    out[len] = '\0';
    return out;
}

/* ------------------------------------------------------------------ */
/* Private functions: the sheets                                       */

static void
kv_text(struct book *b, lxw_worksheet *ws, lxw_row_t *row, const char *key,
        const char *val)
{
    text(b, ws, *row, 0, key, b->bold);
    text(b, ws, *row, 1, val, NULL);
    (*row)++;
}

static void
kv_num(struct book *b, lxw_worksheet *ws, lxw_row_t *row, const char *key,
       double v, lxw_format *f)
{
    text(b, ws, *row, 0, key, b->bold);
    number(b, ws, *row, 1, v, f);
    (*row)++;
}

/* Names the cell beside the key just written. */
static void
name_last(struct book *b, const char *sheet, lxw_row_t row, const char *name)
{
    char *f = fa_xasprintf("='%s'!$B$%u", sheet, (unsigned)row);

    ck(b, workbook_define_name(b->wb, name, f));
    free(f);
}

static void
summary(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Summary");
    static const char *const head[] = {
        "Set",     "Group",   "Check",      "Metric",  "Measure", "Value",
        "Minimum", "Maximum", "Adjusted p", "Verdict", "Rule",    "Reason"};
    const char *title = json_string_value(json_object_get(b->tmpl, "title"));
    size_t counts[FA_VERDICT_COUNT] = {0};
    lxw_row_t row = 0, h, last;
    size_t ngroups = r->ngroups ? r->ngroups - 1 : 0;

    worksheet_set_column(ws, 0, 0, 26, NULL);
    worksheet_set_column(ws, 1, 1, 34, NULL);
    worksheet_set_column(ws, 2, 8, 11, NULL);
    worksheet_set_column(ws, 9, 9, 14, NULL);
    worksheet_set_column(ws, 10, 11, 48, NULL);
    text(b, ws, row++, 0, title ? title : "Fairness audit", b->title);
    row++;
    text(b, ws, row, 0, "Overall verdict", b->bold);
    if (r->verdict >= 0)
        text(b, ws, row, 1, verdict_cue(r->verdict), b->bold);
    else
        text(b, ws, row, 1, "none (no template)", NULL);
    colour_verdicts(b, ws, row, 1, row, 1);
    row++;
    name_last(b, "Summary", row, "Verdict");
    kv_text(b, ws, &row, "Template",
            r->template_name ? r->template_name : "none");
    kv_text(b, ws, &row, "Template SHA-256",
            r->template_sha256 ? r->template_sha256 : "");
    name_last(b, "Summary", row, "TemplateSHA256");
    kv_text(b, ws, &row, "Dataset", r->ds.source);
    kv_text(b, ws, &row, "Dataset SHA-256", r->ds.sha256);
    name_last(b, "Summary", row, "DatasetSHA256");
    kv_num(b, ws, &row, "Rows read", (double)r->ds.rows_read, b->count);
    kv_num(b, ws, &row, "Rows loaded", (double)r->ds.rows_loaded, b->count);
    kv_num(b, ws, &row, "Rows rejected", (double)r->ds.rows_rejected, b->count);
    kv_num(b, ws, &row, "Run", (double)r->run_id, b->count);
    name_last(b, "Summary", row, "RunId");
    kv_text(b, ws, &row, "Run created", r->created);
    kv_num(b, ws, &row, "Groups", (double)ngroups, b->count);
    for (size_t i = 0; i < r->nverdicts; i++)
        counts[r->verdicts[i].verdict]++;
    for (int v = 0; v < FA_VERDICT_COUNT; v++) {
        char *k = fa_xasprintf("Verdicts %s", fa_verdict_name(v));

        kv_num(b, ws, &row, k, (double)counts[v], b->count);
        free(k);
    }
    if (r->skipped_json && strcmp(r->skipped_json, "[]") != 0) {
        json_t *sk = json_loads(r->skipped_json, 0, NULL), *e;
        size_t i;

        json_array_foreach(sk, i, e)
        {
            const char *m = json_string_value(json_object_get(e, "metric"));
            const char *why = json_string_value(json_object_get(e, "reason"));
            char *s = fa_xasprintf("%s: %s", m ? m : "?", why ? why : "?");

            kv_text(b, ws, &row, "Check skipped", s);
            free(s);
        }
        json_decref(sk);
    }
    row++;
    if (r->nverdicts == 0) {
        text(b, ws, row, 0,
             r->template_name ? "The template judged no group."
                              : "No template: the run has no verdicts.",
             NULL);
        return;
    }
    h = row;
    header_c(b, ws, h, head, FA_ARRAY_LEN(head));
    row = h + 1;
    for (size_t i = 0; i < r->nverdicts && row <= LAST_ROW; i++, row++) {
        const fa_verdict *v = &r->verdicts[i];
        const fa_group *g = &r->groups[v->gid];
        char *gl = fa_group_label(r, g),
             *sl = fa_set_label(r, &r->sets[g->set]);

        text(b, ws, row, 0, sl, NULL);
        text(b, ws, row, 1, gl, NULL);
        number(b, ws, row, 2, v->check, b->count);
        text(b, ws, row, 3, v->metric, NULL);
        text(b, ws, row, 4, v->measure, NULL);
        value(b, ws, row, 5, &v->value, b->rate);
        if (v->has_min)
            number(b, ws, row, 6, v->min, b->num);
        if (v->has_max)
            number(b, ws, row, 7, v->max, b->num);
        if (v->has_p)
            number(b, ws, row, 8, v->p_adjusted, b->pval);
        text(b, ws, row, 9, verdict_cue(v->verdict), NULL);
        text(b, ws, row, 10, v->rule, NULL);
        if (v->value.reason)
            textf(b, ws, row, 11, NULL, "%s (value: %s)",
                  v->reason ? v->reason : "", v->value.reason);
        else
            text(b, ws, row, 11, v->reason, NULL);
        free(gl);
        free(sl);
    }
    last = row - 1;
    colour_verdicts(b, ws, h + 1, 9, last, 9);
    ck(b, worksheet_autofilter(ws, h, 0, last, FA_ARRAY_LEN(head) - 1));
    if (row > LAST_ROW && (size_t)(row - h - 1) < r->nverdicts)
        left_out(b, ws, row, r->nverdicts - (size_t)(row - h - 1));
}

/* The columns of the Groups sheet. */
struct gcols {
    lxw_col_t set, kind, dims, rows, weight, counts, rowcounts, metrics, above,
        reference, note, n;
    int ncounts;
    int metric_col[FA_METRIC_COUNT]; /* -1 when the run has none */
};

static void
groups(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Groups");
    const fa_dataset *ds = &r->ds;
    int labelled = ds->labelled, weighted = ds->weighted, above = any_above(r);
    struct gcols c = {0};
    lxw_col_t col;
    lxw_row_t row;
    static const char *const cn[] = {"TP", "FP", "TN", "FN"};
    lxw_format *cf = weighted ? b->wcount : b->count;

    c.set = 0;
    c.kind = 1;
    c.dims = 2;
    c.rows = c.dims + (lxw_col_t)ds->ndims;
    c.weight = c.rows + 1;
    c.counts = c.weight + 1;
    c.ncounts = labelled ? 4 : 2;
    c.rowcounts = c.counts + (lxw_col_t)c.ncounts;
    col = c.rowcounts + (weighted ? (lxw_col_t)c.ncounts : 0);
    c.metrics = col;
    for (int m = 0; m < FA_METRIC_COUNT; m++) {
        c.metric_col[m] = -1;
        if (!has_metric(r, (fa_metric)m))
            continue;
        c.metric_col[m] = (int)col;
        col += 3;
    }
    c.above = col;
    if (above)
        col += 2;
    c.reference = col++;
    c.note = col++;
    c.n = col;

    /* header */
    text(b, ws, 0, c.set, "Set", b->head);
    text(b, ws, 0, c.kind, "Kind", b->head);
    for (size_t j = 0; j < ds->ndims; j++)
        text(b, ws, 0, c.dims + (lxw_col_t)j, ds->dims[j].name, b->head);
    text(b, ws, 0, c.rows, "Rows", b->head);
    text(b, ws, 0, c.weight, "Weight", b->head);
    for (int k = 0; k < c.ncounts; k++) {
        if (labelled)
            text(b, ws, 0, c.counts + (lxw_col_t)k, cn[k], b->head);
        else
            text(b, ws, 0, c.counts + (lxw_col_t)k,
                 k == 0 ? "Selected" : "Not selected", b->head);
        if (weighted)
            textf(b, ws, 0, c.rowcounts + (lxw_col_t)k, b->head, "%s rows",
                  labelled ? cn[k]
                  : k == 0 ? "Selected"
                           : "Not selected");
    }
    for (int m = 0; m < FA_METRIC_COUNT; m++) {
        const char *name = fa_metric_name((fa_metric)m);

        if (c.metric_col[m] < 0)
            continue;
        text(b, ws, 0, (lxw_col_t)c.metric_col[m], name, b->head);
        textf(b, ws, 0, (lxw_col_t)c.metric_col[m] + 1, b->head, "%s low",
              name);
        textf(b, ws, 0, (lxw_col_t)c.metric_col[m] + 2, b->head, "%s high",
              name);
    }
    if (above) {
        text(b, ws, 0, c.above, "Above median", b->head);
        text(b, ws, 0, c.above + 1, "scoring_rate", b->head);
    }
    text(b, ws, 0, c.reference, "Reference", b->head);
    text(b, ws, 0, c.note, "Note", b->head);

    worksheet_set_column(ws, c.set, c.set, 20, NULL);
    worksheet_set_column(ws, c.kind, c.kind, 12, NULL);
    if (ds->ndims)
        worksheet_set_column(ws, c.dims, c.dims + (lxw_col_t)ds->ndims - 1, 14,
                             NULL);
    worksheet_set_column(ws, c.rows, c.metrics - 1, 11, NULL);
    if (c.above > c.metrics)
        worksheet_set_column(ws, c.metrics, c.above - 1, 10, NULL);
    worksheet_set_column(ws, c.reference, c.reference, 28, NULL);
    worksheet_set_column(ws, c.note, c.note, 60, NULL);

    row = 1;
    for (size_t i = 0; i < r->ngroups && row <= LAST_ROW; i++, row++) {
        const fa_group *g = &r->groups[i];
        const fa_group_set *gs = &r->sets[g->set];
        char cell[4][16];
        char *note;

        if (gs->ndims == 0)
            text(b, ws, row, c.set, "overall", NULL);
        else {
            char *s = fa_set_label(r, gs);

            text(b, ws, row, c.set, s, NULL);
            free(s);
        }
        text(b, ws, row, c.kind, fa_set_kind_name(gs->kind), NULL);
        for (size_t k = 0; k < gs->ndims; k++)
            text(b, ws, row, c.dims + (lxw_col_t)gs->dims[k],
                 g->values[k] ? g->values[k] : "(missing)", NULL);
        if (g->suppressed) {
            /* no number of a suppressed group, nor a formula over none */
            text(b, ws, row, c.rows, fa_suppressed, NULL);
            text(b, ws, row, c.weight, fa_suppressed, NULL);
        } else {
            number(b, ws, row, c.rows, (double)g->n, b->count);
            number(b, ws, row, c.weight, g->weight, cf);
        }
        if (g->suppressed) {
            for (int k = 0; k < c.ncounts; k++)
                text(b, ws, row, c.counts + (lxw_col_t)k, fa_suppressed, NULL);
        } else if (labelled) {
            double w[4] = {g->w.tp, g->w.fp, g->w.tn, g->w.fn};

            for (int k = 0; k < 4; k++) {
                number(b, ws, row, c.counts + (lxw_col_t)k, w[k], cf);
                if (weighted)
                    number(b, ws, row, c.rowcounts + (lxw_col_t)k,
                           (double)g->rows[k], b->count);
            }
        } else {
            number(b, ws, row, c.counts, g->w.tp + g->w.fp, cf);
            number(b, ws, row, c.counts + 1, g->w.tn + g->w.fn, cf);
            if (weighted) {
                number(b, ws, row, c.rowcounts,
                       (double)(g->rows[0] + g->rows[1]), b->count);
                number(b, ws, row, c.rowcounts + 1,
                       (double)(g->rows[2] + g->rows[3]), b->count);
            }
        }
        for (int k = 0; k < c.ncounts; k++)
            lxw_rowcol_to_cell(cell[k], row, c.counts + (lxw_col_t)k);
        for (int m = 0; m < FA_METRIC_COUNT; m++) {
            lxw_col_t mc;
            char *f;

            if (c.metric_col[m] < 0)
                continue;
            mc = (lxw_col_t)c.metric_col[m];
            f = m <= FA_METRIC_F1
                    ? (labelled
                           ? fa_xlsx_rate_formula((fa_metric)m, cell[0],
                                                  cell[1], cell[2], cell[3])
                           : fa_xlsx_rate_formula((fa_metric)m, NULL, cell[0],
                                                  cell[1], NULL))
                    : NULL;
            if (g->suppressed)
                value(b, ws, row, mc, &g->m[m], b->rate);
            else if (f && g->m[m].reason)
                ck(b, worksheet_write_formula_str(ws, row, mc, f, b->rate, ""));
            else if (f)
                ck(b, worksheet_write_formula_num(ws, row, mc, f, b->rate,
                                                  g->m[m].value));
            else
                value(b, ws, row, mc, &g->m[m], b->rate);
            free(f);
            interval(b, ws, row, mc + 1, &g->ci[m], b->rate);
        }
        if (above && g->has_above && g->suppressed) {
            text(b, ws, row, c.above, fa_suppressed, NULL);
        } else if (above && g->has_above) {
            char a[16], wc[16], *f;

            number(b, ws, row, c.above, weighted ? g->wabove : (double)g->above,
                   cf);
            lxw_rowcol_to_cell(a, row, c.above);
            lxw_rowcol_to_cell(wc, row, c.weight);
            f = fa_xasprintf("=IF(%s=0,\"\",%s/%s)", wc, a, wc);
            if (g->weight == 0)
                ck(b, worksheet_write_formula_str(ws, row, c.above + 1, f,
                                                  b->rate, ""));
            else
                ck(b,
                   worksheet_write_formula_num(
                       ws, row, c.above + 1, f, b->rate,
                       (weighted ? g->wabove : (double)g->above) / g->weight));
            free(f);
        }
        if (g->ref_gid >= 0) {
            char *s = fa_group_label(r, &r->groups[g->ref_gid]);

            text(b, ws, row, c.reference, s, NULL);
            free(s);
        }
        note = group_note(r, g);
        text(b, ws, row, c.note, note, NULL);
        free(note);
    }
    table_finish(b, ws, 0, row - 1, c.n);
    worksheet_freeze_panes(ws, 1, c.dims);
    if (row > LAST_ROW && (size_t)(row - 1) < r->ngroups)
        left_out(b, ws, row, r->ngroups - (size_t)(row - 1));
}

static void
disparities(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Disparities");
    static const char *const head[] = {"Set",
                                       "Group",
                                       "Reference",
                                       "Metric",
                                       "Value",
                                       "Reference value",
                                       "Ratio",
                                       "Ratio low",
                                       "Ratio high",
                                       "Difference",
                                       "Difference low",
                                       "Difference high",
                                       "Test",
                                       "Statistic",
                                       "p-value",
                                       "Adjusted p-value",
                                       "Evidence",
                                       "MDR",
                                       "Verdict",
                                       "Rule",
                                       "Note"};
    lxw_row_t row = 1;
    size_t total = 0, written = 0;

    header_c(b, ws, 0, head, FA_ARRAY_LEN(head));
    worksheet_set_column(ws, 0, 0, 18, NULL);
    worksheet_set_column(ws, 1, 2, 30, NULL);
    worksheet_set_column(ws, 3, 3, 16, NULL);
    worksheet_set_column(ws, 4, 17, 11, NULL);
    worksheet_set_column(ws, 16, 16, 30, NULL);
    worksheet_set_column(ws, 18, 18, 14, NULL);
    worksheet_set_column(ws, 19, 20, 48, NULL);
    for (size_t i = 0; i < r->ngroups; i++) {
        const fa_group *g = &r->groups[i];
        char *gl, *sl, *rl;

        if (g->ref_gid < 0)
            continue;
        gl = fa_group_label(r, g);
        sl = fa_set_label(r, &r->sets[g->set]);
        rl = fa_group_label(r, &r->groups[g->ref_gid]);
        for (int m = 0; m < FA_METRIC_COUNT; m++) {
            const fa_compare *cp = &g->cmp[m];
            const fa_verdict *v;
            char *note = NULL;

            if (!fa_metric_has_disparity((fa_metric)m) ||
                !has_metric(r, (fa_metric)m))
                continue;
            total++;
            if (row > LAST_ROW)
                continue;
            written++;
            text(b, ws, row, 0, sl, NULL);
            text(b, ws, row, 1, gl, NULL);
            text(b, ws, row, 2, rl, NULL);
            text(b, ws, row, 3, fa_metric_name((fa_metric)m), NULL);
            value(b, ws, row, 4, &g->m[m], b->rate);
            value(b, ws, row, 5, &r->groups[g->ref_gid].m[m], b->rate);
            value(b, ws, row, 6, &g->ratio[m], b->num);
            interval(b, ws, row, 7, &cp->ratio_ci, b->num);
            value(b, ws, row, 9, &g->diff[m], b->num);
            interval(b, ws, row, 10, &cp->diff_ci, b->num);
            if (cp->test_name && !cp->test.reason) {
                text(b, ws, row, 12, cp->test_name, NULL);
                number(b, ws, row, 13, cp->test.statistic, b->num);
                number(b, ws, row, 14, cp->test.p, b->pval);
                number(b, ws, row, 15, cp->p_adjusted, b->pval);
            }
            text(b, ws, row, 16, cp->evidence, NULL);
            value(b, ws, row, 17, &cp->mdr, b->num);
            {
                /* the checks of this metric: the worst verdict, each rule */
                static const char *const measures[] = {"ratio", "difference"};
                static const int rank[FA_VERDICT_COUNT] = {
                    [FA_VERDICT_FAIL] = 3,
                    [FA_VERDICT_INSUFFICIENT] = 2,
                    [FA_VERDICT_PASS] = 1,
                    [FA_VERDICT_EXCLUDED] = 0};
                const fa_verdict *worst = NULL;
                char *rules = NULL;

                for (size_t k = 0; k < FA_ARRAY_LEN(measures); k++) {
                    char *t;

                    v = fa_results_verdict(
                        r, g->gid, fa_metric_name((fa_metric)m), measures[k]);
                    if (!v)
                        continue;
                    if (!worst || rank[v->verdict] > rank[worst->verdict])
                        worst = v;
                    t = rules
                            ? fa_xasprintf("%s; %s (%s): %s", rules, v->measure,
                                           fa_verdict_name(v->verdict), v->rule)
                            : fa_xasprintf("%s (%s): %s", v->measure,
                                           fa_verdict_name(v->verdict),
                                           v->rule);
                    free(rules);
                    rules = t;
                }
                if (worst) {
                    text(b, ws, row, 18, verdict_cue(worst->verdict), NULL);
                    text(b, ws, row, 19, rules, NULL);
                }
                free(rules);
            }
            /* why a number is missing */
#define WHY(label, reason)                                                     \
    do {                                                                       \
        if (reason) {                                                          \
            char *t_ = note ? fa_xasprintf("%s; %s: %s", note, label, reason)  \
                            : fa_xasprintf("%s: %s", label, reason);           \
            free(note);                                                        \
            note = t_;                                                         \
        }                                                                      \
    } while (0)
            WHY("ratio", g->ratio[m].reason);
            if (!g->ratio[m].reason)
                WHY("ratio interval", cp->ratio_ci.reason);
            WHY("difference", g->diff[m].reason);
            if (!g->diff[m].reason)
                WHY("difference interval", cp->diff_ci.reason);
            WHY("test", cp->test.reason);
            WHY("MDR", cp->mdr.reason);
#undef WHY
            text(b, ws, row, 20, note, NULL);
            free(note);
            row++;
        }
        free(gl);
        free(sl);
        free(rl);
    }
    colour_verdicts(b, ws, 1, 18, row - 1, 18);
    table_finish(b, ws, 0, row - 1, FA_ARRAY_LEN(head));
    if (written < total)
        left_out(b, ws, row, total - written);
}

/* One native chart: a line chart whose value series has a marker and
 * whose interval is drawn as high-low lines between two hidden series. */
static lxw_chart *
ci_chart(struct book *b, const char *title, const char *ytitle, lxw_row_t r0,
         lxw_row_t r1, lxw_col_t cat, lxw_col_t val)
{
    lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_LINE);
    lxw_chart_line none = {0}, hl = {0};
    lxw_chart_series *s;
    static const char *const names[] = {"low", "value", "high"};

    none.none = LXW_TRUE;
    hl.color = 0x333333;
    hl.width = 1.25;
    for (int k = 0; k < 3; k++) {
        /* value, low, high in the sheet: columns val, val+1, val+2 */
        lxw_col_t c = (lxw_col_t)(k == 0 ? val + 1 : k == 1 ? val : val + 2);

        s = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(s, "Charts", r0, cat, r1, cat);
        chart_series_set_values(s, "Charts", r0, c, r1, c);
        chart_series_set_name(s, k == 1 ? ytitle : names[k]);
        chart_series_set_line(s, &none);
        if (k == 1) {
            lxw_chart_fill fill = {0};
            lxw_chart_line edge = {0};

            fill.color = 0x0072B2;
            edge.color = 0x0072B2;
            chart_series_set_marker_type(s, LXW_CHART_MARKER_DIAMOND);
            chart_series_set_marker_size(s, 8);
            chart_series_set_marker_fill(s, &fill);
            chart_series_set_marker_line(s, &edge);
        } else {
            lxw_chart_fill fill = {0};
            lxw_chart_line edge = {0};

            /* the interval's ends: dark dashes, joined by the high-low
             * lines where the program draws them */
            fill.color = 0x333333;
            edge.color = 0x333333;
            chart_series_set_marker_type(s, LXW_CHART_MARKER_LONG_DASH);
            chart_series_set_marker_size(s, 9);
            chart_series_set_marker_fill(s, &fill);
            chart_series_set_marker_line(s, &edge);
        }
    }
    chart_set_high_low_lines(ch, &hl);
    chart_title_set_name(ch, title);
    chart_axis_set_name(ch->y_axis, ytitle);
    chart_axis_set_name(ch->x_axis, "group (rows)");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    chart_show_blanks_as(ch, LXW_CHART_BLANKS_AS_GAP);
    return ch;
}

/* A chart's title made safe (frees s). */
static char *
chart_title(char *s)
{
    char *t = fa_xlsx_text(s, strlen(s));

    free(s);
    return t;
}

static void
charts(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Charts");
    static const char *const head[] = {
        "Group (rows)", "Rows",        "Value",     "Low",
        "High",         "Ratio",       "Ratio low", "Ratio high",
        "Band minimum", "Band maximum"};
    const char *mname = fa_metric_name(b->main);
    lxw_row_t row = 0;
    int any = 0;

    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 1, 9, 10, NULL);
    for (size_t k = 1; k < r->nsets; k++) {
        const fa_group_set *gs = &r->sets[k];
        fa_band band = fa_chart_band(r, b->main, gs->kind);
        lxw_row_t r0, r1, height;
        size_t n = 0;
        char *sl, *title;
        lxw_chart *ch;
        lxw_chart_options opt = {0};

        if (gs->kind != FA_SET_ATTRIBUTE)
            continue;
        any = 1;
        sl = fa_set_label(r, gs);
        textf(b, ws, row++, 0, b->bold, "%s [%s] by %s (reference: %s)",
              fa_metric_label(b->main), fa_metric_name(b->main), sl,
              gs->ref_gid >= 0 ? "marked *" : "none");
        header_c(b, ws, row++, head, FA_ARRAY_LEN(head));
        r0 = row;
        for (size_t i = 0; i < r->ngroups && row <= LAST_ROW - 40; i++) {
            const fa_group *g = &r->groups[i];

            if (g->set != gs->id)
                continue;
            if (g->suppressed) {
                textf(b, ws, row, 0, NULL, "%s%s (suppressed)",
                      g->values[0] ? g->values[0] : "(missing)",
                      g->gid == gs->ref_gid ? " *" : "");
                text(b, ws, row, 1, fa_suppressed, NULL);
            } else {
                textf(b, ws, row, 0, NULL, "%s%s (%lld)",
                      g->values[0] ? g->values[0] : "(missing)",
                      g->gid == gs->ref_gid ? " *" : "", (long long)g->n);
                number(b, ws, row, 1, (double)g->n, b->count);
            }
            value(b, ws, row, 2, &g->m[b->main], b->rate);
            interval(b, ws, row, 3, &g->ci[b->main], b->rate);
            value(b, ws, row, 5, &g->ratio[b->main], b->num);
            interval(b, ws, row, 6, &g->cmp[b->main].ratio_ci, b->num);
            if (band.has_min)
                number(b, ws, row, 8, band.min, b->num);
            if (band.has_max)
                number(b, ws, row, 9, band.max, b->num);
            row++;
            n++;
        }
        if (n == 0) {
            free(sl);
            continue;
        }
        r1 = row - 1;
        /* two charts side by side under the block, each 20 rows tall */
        height = 20;
        opt.x_offset = 0;
        title =
            chart_title(fa_xasprintf("%s by %s", fa_metric_label(b->main), sl));
        ch = ci_chart(b, title, mname, r0, r1, 0, 2);
        ck(b, worksheet_insert_chart_opt(ws, row + 1, 0, ch, &opt));
        free(title);
        /* the band is in the title, not a series: high-low lines join
         * the extremes of every series of the chart */
        if (band.has_min && band.has_max)
            title = chart_title(fa_xasprintf(
                "Ratio of %s to the reference, by %s (band %g to %g)",
                fa_metric_label(b->main), sl, band.min, band.max));
        else if (band.has_min || band.has_max)
            title = chart_title(fa_xasprintf(
                "Ratio of %s to the reference, by %s (band %s %g)",
                fa_metric_label(b->main), sl, band.has_min ? "from" : "up to",
                band.has_min ? band.min : band.max));
        else
            title =
                chart_title(fa_xasprintf("Ratio of %s to the reference, by %s",
                                         fa_metric_label(b->main), sl));
        ch = ci_chart(b, title, "ratio", r0, r1, 0, 5);
        ck(b, worksheet_insert_chart_opt(ws, row + 1, 7, ch, &opt));
        free(title);
        free(sl);
        row += height + 3;
    }
    if (!any)
        text(b, ws, 0, 0, "The run has no attribute.", NULL);
}

/* The index of s in a list of n strings (NULL = missing), appending it
 * when absent. */
static size_t
level_of(char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i] == s || ((*list)[i] && s && strcmp((*list)[i], s) == 0))
            return i;
    *list = fa_xrealloc(*list, *n + 1, sizeof(**list));
    (*list)[*n] = (char *)s;
    return (*n)++;
}

/* The index of the row whose first k values are g's (NULL = missing
 * matching only NULL), appending g as that row's example when absent. */
static size_t
row_of(const fa_group ***rows, size_t *n, const fa_group *g, size_t k)
{
    for (size_t i = 0; i < *n; i++) {
        size_t d = 0;

        for (; d < k; d++) {
            const char *a = (*rows)[i]->values[d], *c = g->values[d];

            if (a != c && (!a || !c || strcmp(a, c) != 0))
                break;
        }
        if (d == k)
            return i;
    }
    *rows = fa_xrealloc(*rows, *n + 1, sizeof(**rows));
    (*rows)[*n] = g;
    return (*n)++;
}

/* The row label of an intersection group: its values but the last. */
static char *
row_label(const fa_group *g, size_t ndims)
{
    char *s = fa_xstrdup("");

    for (size_t k = 0; k + 1 < ndims; k++) {
        char *t = fa_xasprintf("%s%s%s", s, k ? " / " : "",
                               g->values[k] ? g->values[k] : "(missing)");

        free(s);
        s = t;
    }
    return s;
}

static void
intersections(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Intersections");
    lxw_row_t row = 0;
    int any = 0;

    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 60, 12, NULL);
    for (size_t k = 1; k < r->nsets && row <= LAST_ROW - 100; k++) {
        const fa_group_set *gs = &r->sets[k];
        const fa_group **rows = NULL;
        char **cols = NULL, *sl;
        size_t nr = 0, nc = 0, ng = 0;
        const fa_group **cell;
        size_t *ri, *ci;
        lxw_row_t top;
        lxw_col_t right;

        if (gs->kind != FA_SET_INTERSECTION)
            continue;
        any = 1;
        {
            /* a matrix is for reading: past a size it is not one */
            size_t across = fa_dim_levels(&r->ds.dims[gs->dims[gs->ndims - 1]]),
                   down = 1;

            for (size_t d = 0; d + 1 < gs->ndims; d++)
                down *= fa_dim_levels(&r->ds.dims[gs->dims[d]]);
            if (across > MATRIX_COLS || down * across > MATRIX_CELLS) {
                sl = fa_set_label(r, gs);
                textf(b, ws, row++, 0, b->bold,
                      "%s: %zu x %zu combinations are too many for a matrix; "
                      "the Groups sheet lists every group.",
                      sl, down, across);
                free(sl);
                row++;
                continue;
            }
        }
        /* the set's groups are contiguous in r->groups */
        for (size_t i = 0; i < r->ngroups; i++)
            ng += r->groups[i].set == gs->id;
        ri = fa_xcalloc(ng + 1, sizeof(*ri));
        ci = fa_xcalloc(ng + 1, sizeof(*ci));
        {
            size_t j = 0;

            for (size_t i = 0; i < r->ngroups; i++) {
                const fa_group *g = &r->groups[i];

                if (g->set != gs->id)
                    continue;
                /* a row is a tuple of values (NULL: missing), matched as
                 * values, never by its printed label */
                ri[j] = row_of(&rows, &nr, g, gs->ndims - 1);
                ci[j] = level_of(&cols, &nc, g->values[gs->ndims - 1]);
                j++;
            }
        }
        cell = fa_xcalloc(nr * nc + 1, sizeof(*cell));
        {
            size_t j = 0;

            for (size_t i = 0; i < r->ngroups; i++)
                if (r->groups[i].set == gs->id) {
                    cell[ri[j] * nc + ci[j]] = &r->groups[i];
                    j++;
                }
        }
        sl = fa_set_label(r, gs);
        textf(b, ws, row++, 0, b->bold,
              "%s: %s [%s] (left), rows (right); groups under %lld rows "
              "show their size only",
              sl, fa_metric_label(b->main), fa_metric_name(b->main),
              (long long)r->min_group);
        free(sl);
        top = row;
        {
            char *rh = fa_xstrdup("");

            for (size_t d = 0; d + 1 < gs->ndims; d++) {
                char *t = fa_xasprintf("%s%s%s", rh, d ? " / " : "",
                                       r->ds.dims[gs->dims[d]].name);

                free(rh);
                rh = t;
            }
            textf(b, ws, row, 0, b->head, "%s \\ %s", rh,
                  r->ds.dims[gs->dims[gs->ndims - 1]].name);
            free(rh);
        }
        right = (lxw_col_t)(nc + 2);
        for (size_t j = 0; j < nc; j++) {
            text(b, ws, row, (lxw_col_t)(1 + j),
                 cols[j] ? cols[j] : "(missing)", b->head);
            text(b, ws, row, right + (lxw_col_t)j,
                 cols[j] ? cols[j] : "(missing)", b->head);
        }
        row++;
        for (size_t i = 0; i < nr; i++, row++) {
            char *rl = row_label(rows[i], gs->ndims);

            text(b, ws, row, 0, rl, b->bold);
            free(rl);
            for (size_t j = 0; j < nc; j++) {
                const fa_group *g = cell[i * nc + j];
                lxw_col_t cc = (lxw_col_t)(1 + j);

                if (g && g->suppressed) {
                    text(b, ws, row, cc, fa_suppressed, NULL);
                    text(b, ws, row, right + (lxw_col_t)j, fa_suppressed, NULL);
                    continue;
                }
                if (!g || g->n == 0) {
                    text(b, ws, row, cc, "no rows", NULL);
                    number(b, ws, row, right + (lxw_col_t)j, 0, b->count);
                    continue;
                }
                number(b, ws, row, right + (lxw_col_t)j, (double)g->n,
                       b->count);
                if (g->n < r->min_group)
                    textf(b, ws, row, cc, NULL, "small (n=%lld)",
                          (long long)g->n);
                else if (g->m[b->main].reason)
                    textf(b, ws, row, cc, NULL, "n/a: %s",
                          g->m[b->main].reason);
                else
                    number(b, ws, row, cc, g->m[b->main].value, b->rate);
            }
        }
        if (nr && nc) {
            lxw_conditional_format cf = {0};

            cf.type = LXW_CONDITIONAL_3_COLOR_SCALE;
            cf.min_color = 0xF8F0E3;
            cf.mid_color = 0x9ECAE1;
            cf.max_color = 0x2171B5;
            ck(b, worksheet_conditional_format_range(ws, top + 1, 1, row - 1,
                                                     (lxw_col_t)nc, &cf));
        }
        row++;
        free(rows);
        free(cols);
        free(cell);
        free(ri);
        free(ci);
    }
    if (!any)
        text(b, ws, 0, 0,
             "The run has no intersection (one attribute, or none).", NULL);
}

static void
segments(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Segments");
    static const fa_metric want[] = {FA_METRIC_ACCURACY,
                                     FA_METRIC_BALANCED_ACCURACY,
                                     FA_METRIC_SELECTION_RATE,
                                     FA_METRIC_TPR,
                                     FA_METRIC_FPR,
                                     FA_METRIC_PPV,
                                     FA_METRIC_AUC,
                                     FA_METRIC_BRIER};
    fa_metric ms[FA_ARRAY_LEN(want)];
    size_t nm = 0;
    lxw_col_t col;
    lxw_row_t row = 1;

    for (size_t i = 0; i < FA_ARRAY_LEN(want); i++)
        if (has_metric(r, want[i]))
            ms[nm++] = want[i];
    text(b, ws, 0, 0, "Segment", b->head);
    text(b, ws, 0, 1, "Value", b->head);
    text(b, ws, 0, 2, "Rows", b->head);
    text(b, ws, 0, 3, "Weight", b->head);
    col = 4;
    for (size_t i = 0; i < nm; i++, col += 3) {
        const char *name = fa_metric_name(ms[i]);

        text(b, ws, 0, col, name, b->head);
        textf(b, ws, 0, col + 1, b->head, "%s low", name);
        textf(b, ws, 0, col + 2, b->head, "%s high", name);
    }
    text(b, ws, 0, col, "Note", b->head);
    worksheet_set_column(ws, 0, 1, 18, NULL);
    worksheet_set_column(ws, 2, col - 1, 10, NULL);
    worksheet_set_column(ws, col, col, 60, NULL);
    for (size_t i = 0; i < r->ngroups && row <= LAST_ROW; i++) {
        const fa_group *g = &r->groups[i];
        const fa_group_set *gs = &r->sets[g->set];
        char *note;

        if (gs->kind != FA_SET_SEGMENT)
            continue;
        text(b, ws, row, 0, r->ds.dims[gs->dims[0]].name, NULL);
        text(b, ws, row, 1, g->values[0] ? g->values[0] : "(missing)", NULL);
        if (g->suppressed) {
            text(b, ws, row, 2, fa_suppressed, NULL);
            text(b, ws, row, 3, fa_suppressed, NULL);
        } else {
            number(b, ws, row, 2, (double)g->n, b->count);
            number(b, ws, row, 3, g->weight,
                   r->ds.weighted ? b->wcount : b->count);
        }
        for (size_t k = 0; k < nm; k++) {
            value(b, ws, row, 4 + 3 * (lxw_col_t)k, &g->m[ms[k]], b->rate);
            interval(b, ws, row, 5 + 3 * (lxw_col_t)k, &g->ci[ms[k]], b->rate);
        }
        note = group_note(r, g);
        text(b, ws, row, col, note, NULL);
        free(note);
        row++;
    }
    if (row == 1) {
        text(b, ws, 1, 0, "No segment column was given.", NULL);
        return;
    }
    table_finish(b, ws, 0, row - 1, col + 1);
}

static void
thresholds(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws;
    static const char *const head[] = {
        "Set",
        "Threshold",
        "Group",
        "Rows",
        "Compared",
        "Selection rate",
        "TPR",
        "Set ratio (lowest / highest selection rate)",
        "Set TPR gap (highest - lowest)",
        "Decision threshold"};
    lxw_row_t row = 1;
    size_t total = 0, written = 0;

    if (b->ncurves == 0)
        return;
    ws = workbook_add_worksheet(b->wb, "Thresholds");
    header_c(b, ws, 0, head, FA_ARRAY_LEN(head));
    worksheet_set_column(ws, 0, 0, 16, NULL);
    worksheet_set_column(ws, 1, 1, 11, NULL);
    worksheet_set_column(ws, 2, 2, 28, NULL);
    worksheet_set_column(ws, 3, 6, 12, NULL);
    worksheet_set_column(ws, 7, 9, 20, NULL);
    for (size_t k = 0; k < b->ncurves; k++) {
        const fa_score_curves *c = &b->curves[k];
        fa_sweep sw;
        char *sl = fa_set_label(r, &r->sets[c->set]);

        fa_sweep_compute(r, c, &sw);
        for (size_t t = 0; t < c->nthresh; t++) {
            for (size_t i = 0; i < c->ngroups; i++) {
                const fa_curve_group *cg = &c->g[i];
                char *gl;

                total++;
                if (row > LAST_ROW)
                    continue;
                written++;
                gl = fa_group_label(r, &r->groups[cg->gid]);
                text(b, ws, row, 0, sl, NULL);
                number(b, ws, row, 1, c->thresh[t], b->num);
                text(b, ws, row, 2, gl, NULL);
                number(b, ws, row, 3, (double)cg->n, b->count);
                text(b, ws, row, 4, sw.eligible[i] ? "yes" : "no", NULL);
                if (cg->n > 0)
                    number(b, ws, row, 5, cg->sel[t], b->rate);
                if (cg->tpr_ok[t])
                    number(b, ws, row, 6, cg->tpr[t], b->rate);
                if (sw.rok[t])
                    number(b, ws, row, 7, sw.ratio[t], b->rate);
                if (sw.gok[t])
                    number(b, ws, row, 8, sw.gap[t], b->rate);
                if (c->has_chosen)
                    number(b, ws, row, 9, c->chosen, b->num);
                free(gl);
                row++;
            }
        }
        fa_sweep_free(&sw);
        free(sl);
    }
    table_finish(b, ws, 0, row - 1, FA_ARRAY_LEN(head));
    if (written < total)
        left_out(b, ws, row, total - written);
}

static void
quality(struct book *b)
{
    const fa_results *r = b->r;
    const fa_dataset *ds = &r->ds;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Data quality");
    static const char *const h1[] = {"Reason", "Rows", "First line"};
    static const char *const h2[] = {"Column", "Kind", "Missing rows",
                                     "Share of rows"};
    static const char *const h3[] = {"Line",   "Column", "Column name",
                                     "Reason", "Value",  "Record"};
    lxw_row_t row = 0, h;
    lxw_format *share = b->rate;

    worksheet_set_column(ws, 0, 0, 36, NULL);
    worksheet_set_column(ws, 1, 2, 14, NULL);
    worksheet_set_column(ws, 3, 3, 36, NULL);
    worksheet_set_column(ws, 4, 4, 24, NULL);
    worksheet_set_column(ws, 5, 5, 60, NULL);
    text(b, ws, row++, 0, "Rejected rows by reason", b->title);
    if (b->nrej == 0) {
        text(b, ws, row++, 0, "No row was rejected.", NULL);
    } else {
        header_c(b, ws, row++, h1, FA_ARRAY_LEN(h1));
        for (size_t i = 0; i < b->nrej; i++, row++) {
            text(b, ws, row, 0, b->rej[i].reason, NULL);
            number(b, ws, row, 1, (double)b->rej[i].rows, b->count);
            number(b, ws, row, 2, (double)b->rej[i].first_line, b->count);
        }
    }
    row++;
    text(b, ws, row++, 0,
         "Missing values per column (each forms its own group)", b->title);
    header_c(b, ws, row++, h2, FA_ARRAY_LEN(h2));
    for (size_t j = 0; j < ds->ndims; j++, row++) {
        const fa_dim *dim = &ds->dims[j];
        int64_t miss = dim->bin_spec            ? dim->missing_rows
                       : dim->missing_code >= 0 ? dim->counts[dim->missing_code]
                                                : 0;

        text(b, ws, row, 0, dim->name, NULL);
        text(b, ws, row, 1, j < ds->nattrs ? "attribute" : "segment", NULL);
        if (miss < 0) { /* the missing group is suppressed */
            text(b, ws, row, 2, fa_suppressed, NULL);
            text(b, ws, row, 3, fa_suppressed, NULL);
            continue;
        }
        number(b, ws, row, 2, (double)miss, b->count);
        if (ds->rows_loaded)
            number(b, ws, row, 3, (double)miss / (double)ds->rows_loaded,
                   share);
    }
    row++;
    textf(b, ws, row++, 0, b->title, "First rejected rows (%zu of %lld)",
          b->nrows, (long long)ds->rows_rejected);
    if (b->nrows == 0) {
        text(b, ws, row, 0, "No row was rejected.", NULL);
        return;
    }
    h = row;
    header_c(b, ws, row++, h3, FA_ARRAY_LEN(h3));
    for (size_t i = 0; i < b->nrows; i++, row++) {
        const fa_reject_row *x = &b->rows[i];

        number(b, ws, row, 0, (double)x->line, b->count);
        if (x->column > 0)
            number(b, ws, row, 1, x->column, b->count);
        text(b, ws, row, 2, x->column_name, NULL);
        text(b, ws, row, 3, x->reason, NULL);
        text_n(b, ws, row, 4, x->value, x->valuelen, NULL);
        text_n(b, ws, row, 5, x->raw, x->rawlen, b->mono);
    }
    ck(b, worksheet_autofilter(ws, h, 0, row - 1, FA_ARRAY_LEN(h3) - 1));
}

/* Each metric's zero-denominator rule, in the words of docs/metrics.md. */
static const char *const zero_rules[FA_METRIC_COUNT] = {
    [FA_METRIC_BASE_RATE] = "undefined when N = 0 (empty group)",
    [FA_METRIC_SELECTION_RATE] = "undefined when N = 0 (empty group)",
    [FA_METRIC_ACCURACY] = "undefined when N = 0 (empty group)",
    [FA_METRIC_BALANCED_ACCURACY] = "undefined when TP + FN = 0 or TN + FP = 0",
    [FA_METRIC_TPR] = "undefined when TP + FN = 0 (no actual positives)",
    [FA_METRIC_FPR] = "undefined when FP + TN = 0 (no actual negatives)",
    [FA_METRIC_TNR] = "undefined when TN + FP = 0 (no actual negatives)",
    [FA_METRIC_FNR] = "undefined when FN + TP = 0 (no actual positives)",
    [FA_METRIC_PPV] = "undefined when TP + FP = 0 (no predicted positives)",
    [FA_METRIC_NPV] = "undefined when TN + FN = 0 (no predicted negatives)",
    [FA_METRIC_FDR] = "undefined when FP + TP = 0 (no predicted positives)",
    [FA_METRIC_FOR] = "undefined when FN + TN = 0 (no predicted negatives)",
    [FA_METRIC_F1] =
        "undefined when 2 TP + FP + FN = 0 (no actual or predicted positives)",
    [FA_METRIC_AUC] = "undefined without both an actual positive and an "
                      "actual negative",
    [FA_METRIC_BRIER] = "undefined for an empty group",
    [FA_METRIC_MEAN_SCORE] = "undefined for an empty group",
};

static void
definitions(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Definitions");
    static const char *const head[] = {
        "Metric",           "Name",
        "Formula",          "Direction",
        "Zero denominator", "Formula in Groups (row 2)",
        "Interval"};
    static const char *const terms[][2] = {
        {"ratio", "metric of the group / metric of the reference; undefined "
                  "when the reference's is 0"},
        {"difference", "metric of the group - metric of the reference"},
        {"p-value", "two-sided test of the group against the reference "
                    "(z test, Fisher's exact test for small counts, DeLong "
                    "for the AUC)"},
        {"adjusted p-value", "within the run's family of tests for the "
                             "metric (the correction in Provenance)"},
        {"MDR", "minimum detectable ratio at 80% power for the group's "
                "size"},
        {"verdict", "pass, fail, insufficient (too little data to judge) or "
                    "excluded (by the template's rules)"},
        {"(missing)", "the group of rows with no value in that column"},
        {"suppressed",
         "a group published without its numbers: fewer rows than the "
         "run's --suppress, or needed to keep such a group from being "
         "worked out from its set's totals (Provenance has the command)"},
    };
    lxw_row_t row = 1;

    header_c(b, ws, 0, head, FA_ARRAY_LEN(head));
    worksheet_set_column(ws, 0, 0, 20, NULL);
    worksheet_set_column(ws, 1, 1, 18, NULL);
    worksheet_set_column(ws, 2, 2, 40, NULL);
    worksheet_set_column(ws, 3, 3, 18, NULL);
    worksheet_set_column(ws, 4, 4, 56, NULL);
    worksheet_set_column(ws, 5, 5, 56, NULL);
    worksheet_set_column(ws, 6, 6, 20, NULL);
    for (int m = 0; m < FA_METRIC_COUNT; m++, row++) {
        int d = fa_metric_direction((fa_metric)m);
        char *f = NULL;

        text(b, ws, row, 0, fa_metric_label((fa_metric)m), NULL);
        text(b, ws, row, 1, fa_metric_name((fa_metric)m), NULL);
        text(b, ws, row, 2, fa_metric_formula((fa_metric)m), NULL);
        text(b, ws, row, 3,
             d > 0    ? "higher is better"
             : d == 0 ? "lower is better"
                      : "neither (context)",
             NULL);
        text(b, ws, row, 4, zero_rules[m], NULL);
        if (m <= FA_METRIC_F1)
            f = r->ds.labelled
                    ? fa_xlsx_rate_formula((fa_metric)m, "TP", "FP", "TN", "FN")
                    : fa_xlsx_rate_formula((fa_metric)m, NULL, "Selected",
                                           "NotSelected", NULL);
        text(b, ws, row, 5,
             f ? f
               : (m <= FA_METRIC_F1 ? "(needs the label)"
                                    : "(value: needs each row's score)"),
             b->mono);
        free(f);
        if (r->ngroups && r->groups[0].ci[m].reason &&
            !r->groups[0].m[m].reason)
            textf(b, ws, row, 6, NULL, "none: %s", r->groups[0].ci[m].reason);
        else
            text(b, ws, row, 6, ci_method_of(r, (fa_metric)m), NULL);
    }
    row++;
    for (size_t i = 0; i < FA_ARRAY_LEN(terms); i++, row++) {
        text(b, ws, row, 0, terms[i][0], b->bold);
        text(b, ws, row, 2, terms[i][1], NULL);
    }
    row++;
    text(b, ws, row++, 0,
         "The rates of the Groups sheet are formulas over the count cells "
         "of their own row; the intervals, tests and verdicts are the "
         "stored results and do not move when a count is changed.",
         NULL);
    textf(b, ws, row, 0, NULL,
          "Intervals are %g%% intervals; the Interval column names each "
          "metric's method.",
          100 * r->confidence);
}

static void
provenance(struct book *b)
{
    const fa_results *r = b->r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Provenance");
    lxw_row_t row = 0;
    char buf[64];
    char *cmd;

    worksheet_set_column(ws, 0, 0, 26, NULL);
    worksheet_set_column(ws, 1, 1, 100, b->wrap);
    text(b, ws, row++, 0, "Provenance", b->title);
    kv_text(b, ws, &row, "Tool", "fairaudit");
    kv_text(b, ws, &row, "Version", r->tool_version);
    kv_text(b, ws, &row, "libxlsxwriter", lxw_version());
    kv_text(b, ws, &row, "SQLite", sqlite3_libversion());
    kv_text(b, ws, &row, "GSL", gsl_version);
    kv_text(b, ws, &row, "cairo", cairo_version_string());
    kv_text(b, ws, &row, "pango", pango_version_string());
    kv_text(b, ws, &row, "jansson", jansson_version_str());
    kv_text(b, ws, &row, "libsodium", sodium_version_string());
    kv_text(b, ws, &row, "zlib", zlibVersion());
    kv_text(b, ws, &row, "libyaml", yaml_get_version_string());
    row++;
    kv_num(b, ws, &row, "Run", (double)r->run_id, b->count);
    kv_text(b, ws, &row, "Run created", r->created);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r->seed);
    kv_text(b, ws, &row, "Seed", buf);
    name_last(b, "Provenance", row, "Seed");
    kv_num(b, ws, &row, "Bootstrap replicates", (double)r->bootstrap, b->count);
    kv_num(b, ws, &row, "Confidence", r->confidence, NULL);
    kv_text(b, ws, &row, "Interval method", r->ci_method);
    kv_text(b, ws, &row, "Correction", r->correction);
    kv_text(b, ws, &row, "Reference policy", r->reference);
    kv_num(b, ws, &row, "Minimum group rows", (double)r->min_group, b->count);
    kv_num(b, ws, &row, "Minimum class rows", (double)r->min_class, b->count);
    kv_text(b, ws, &row, "Strata", r->strata ? r->strata : "none");
    kv_text(b, ws, &row, "Template",
            r->template_name ? r->template_name : "none");
    kv_text(b, ws, &row, "Template SHA-256",
            r->template_sha256 ? r->template_sha256 : "");
    kv_text(b, ws, &row, "Template (canonical JSON)",
            r->template_json ? r->template_json : "");
    kv_text(b, ws, &row, "Fields", r->fields_json ? r->fields_json : "{}");
    row++;
    kv_num(b, ws, &row, "Dataset", (double)r->ds.id, b->count);
    kv_text(b, ws, &row, "Source", r->ds.source);
    kv_text(b, ws, &row, "Dataset SHA-256", r->ds.sha256);
    kv_num(b, ws, &row, "Bytes", (double)r->ds.bytes, b->count);
    kv_text(b, ws, &row, "Loaded", r->ds.loaded_at);
    kv_text(b, ws, &row, "Column mapping", r->ds.mapping);
    cmd = fa_results_command(r, b->o->store);
    kv_text(b, ws, &row, "Command that reproduces the run", cmd);
    free(cmd);
}

/* ------------------------------------------------------------------ */
/* Private functions: the workbook                                     */

static lxw_format *
fmt(lxw_workbook *wb, const char *num, int bold)
{
    lxw_format *f = workbook_add_format(wb);

    if (num)
        format_set_num_format(f, num);
    if (bold)
        format_set_bold(f);
    return f;
}

static lxw_format *
verdict_fmt(lxw_workbook *wb, lxw_color_t bg, lxw_color_t fg, int bold)
{
    lxw_format *f = workbook_add_format(wb);

    format_set_bg_color(f, bg);
    format_set_font_color(f, fg);
    if (bold)
        format_set_bold(f);
    return f;
}

static void
formats(struct book *b)
{
    lxw_workbook *wb = b->wb;

    b->title = fmt(wb, NULL, 1);
    format_set_font_size(b->title, 13);
    b->head = fmt(wb, NULL, 1);
    format_set_bottom(b->head, LXW_BORDER_THIN);
    format_set_text_wrap(b->head);
    format_set_align(b->head, LXW_ALIGN_VERTICAL_TOP);
    b->bold = fmt(wb, NULL, 1);
    b->wrap = fmt(wb, NULL, 0);
    format_set_text_wrap(b->wrap);
    format_set_align(b->wrap, LXW_ALIGN_VERTICAL_TOP);
    b->rate = fmt(wb, "0.000", 0);
    b->num = fmt(wb, "0.000", 0);
    b->count = fmt(wb, "0", 0);
    b->wcount = fmt(wb, "0.00", 0);
    b->pval = fmt(wb, "[<0.001]0.00E+00;0.0000", 0);
    b->mono = fmt(wb, NULL, 0);
    format_set_font_name(b->mono, "Courier New");
    /* Okabe-Ito tints; the verdict's word and mark are the cue, colour
     * only adds to it */
    b->v_fail = verdict_fmt(wb, 0xF4CCCC, 0x9C0006, 1);
    b->v_pass = verdict_fmt(wb, 0xD9EAD3, 0x1E5631, 0);
    b->v_insufficient = verdict_fmt(wb, 0xFFF2CC, 0x7F6000, 0);
    b->v_excluded = verdict_fmt(wb, 0xEEEEEE, 0x444444, 0);
}

/* The run's created time ("2026-01-31T12:00:00Z") as seconds since the
 * epoch; 0 when it does not read. */
static time_t
created_time(const char *iso)
{
    struct tm tm = {0};

    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                       &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

static void cmp_sheet(struct book *b, json_t *c);
static void cmp_verdicts_sheet(struct book *b, json_t *c);
static void cmp_drift_sheet(struct book *b, json_t *c);
static void cmp_history_sheet(struct book *b, json_t *runs);

fa_err
fa_report_xlsx_write(fa_ctx *ctx, fa_store *st, int64_t run_id,
                     const char *path, const struct fa_report_opts *opts)
{
    struct book b;
    fa_results r;
    fa_err err = fa_store_run_load(ctx, st, run_id, &r);
    lxw_doc_properties props = {0};
    char *tmp = NULL, *subject = NULL, *title = NULL;
    lxw_error e;

    if (err)
        return err;
    /* what is published: small groups suppressed */
    fa_results_suppress(&r);
    memset(&b, 0, sizeof(b));
    b.r = &r;
    b.o = opts;
    b.tmpl = r.template_json ? json_loads(r.template_json, 0, NULL) : NULL;
    b.main = fa_chart_main_metric(&r);
    err = fa_store_reject_summary(ctx, st, r.ds.id, &b.rej, &b.nrej);
    if (!err)
        err = fa_store_reject_first(ctx, st, r.ds.id, FIRST_REJECTS, &b.rows,
                                    &b.nrows);
    if (!err)
        err = fa_score_curves_load(ctx, st, &r, &b.curves, &b.ncurves);
    if (err)
        goto out;
    tmp = fa_xasprintf("%s.tmp", path);
    {
        /* the library reports a file it cannot create only on stderr and
         * at the end: find out first */
        FILE *f = fopen(tmp, "wb");

        if (!f || fclose(f) != 0) {
            err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s",
                              tmp, strerror(errno));
            goto out;
        }
    }
    b.wb = workbook_new(tmp);
    if (!b.wb) {
        unlink(tmp);
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
        goto out;
    }
    {
        const char *t = json_string_value(json_object_get(b.tmpl, "title"));

        title = fa_xlsx_text(t ? t : "Fairness audit",
                             strlen(t ? t : "Fairness audit"));
    }
    subject = fa_xasprintf("Run %lld of dataset %s (SHA-256 %s)",
                           (long long)r.run_id, r.ds.source, r.ds.sha256);
    {
        char *s = fa_xlsx_text(subject, strlen(subject));

        free(subject);
        subject = s;
    }
    props.title = title;
    props.subject = subject;
    props.author = (char *)"fairaudit";
    props.comments = (char *)"Written from the audit store by fairaudit "
                             "report.";
    /* 0 would make the library take the current time */
    props.created = created_time(r.created);
    if (props.created <= 0)
        props.created = 1;
    ck(&b, workbook_set_properties(b.wb, &props));
    formats(&b);
    summary(&b);
    groups(&b);
    disparities(&b);
    if (opts->cmp) {
        /* --compare: the comparison with the base run */
        cmp_sheet(&b, opts->cmp);
        cmp_verdicts_sheet(&b, opts->cmp);
        cmp_drift_sheet(&b, opts->cmp);
        cmp_history_sheet(&b, opts->cmp_runs);
    }
    charts(&b);
    intersections(&b);
    segments(&b);
    thresholds(&b);
    quality(&b);
    definitions(&b);
    provenance(&b);
    e = workbook_close(b.wb);
    b.wb = NULL;
    if (b.err == LXW_NO_ERROR)
        b.err = e;
    if (b.err != LXW_NO_ERROR) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          lxw_strerror(b.err));
        unlink(tmp);
        goto out;
    }
    err = fa_file_commit(ctx, tmp, path);
out:
    free(tmp);
    free(title);
    free(subject);
    for (size_t i = 0; i < b.nrej; i++)
        free(b.rej[i].reason);
    free(b.rej);
    fa_reject_rows_free(b.rows, b.nrows);
    fa_score_curves_free(b.curves, b.ncurves);
    json_decref(b.tmpl);
    fa_results_release(&r);
    return err;
}

/* ------------------------------------------------------------------ */
/* The comparison workbook                                             */

static void
jnumber(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
        json_t *v, lxw_format *f)
{
    if (json_is_number(v))
        number(b, ws, row, col, json_number_value(v), f);
}

static void
jtext(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
      json_t *v, lxw_format *f)
{
    if (json_is_string(v))
        text(b, ws, row, col, json_string_value(v), f);
    else if (json_is_true(v) || json_is_false(v))
        text(b, ws, row, col, json_is_true(v) ? "yes" : "no", f);
}

static void
cmp_sheet(struct book *b, json_t *c)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Compare");
    static const char *const head[] = {
        "Kind",      "Group",      "Metric",     "Direction",   "Base",
        "Candidate", "Change",     "CI low",     "CI high",     "Test",
        "p",         "Adjusted p", "Regression", "Improvement", "Reason"};
    lxw_row_t row = 0, h;
    size_t i;
    json_t *e;

    text(b, ws, row++, 0, "Comparison of two audits", b->title);
    for (int side = 0; side < 2; side++) {
        json_t *x = json_object_get(c, side ? "candidate" : "base");

        text(b, ws, row, 0, side ? "Candidate" : "Base", b->bold);
        jtext(b, ws, row, 1, json_object_get(x, "source"), NULL);
        jtext(b, ws, row, 2, json_object_get(x, "created"), NULL);
        jtext(b, ws, row, 3, json_object_get(x, "template"), NULL);
        jtext(b, ws, row, 4, json_object_get(x, "verdict"), NULL);
        jtext(b, ws, row++, 5, json_object_get(x, "dataset_sha256"), b->mono);
    }
    textf(b, ws, row++, 0, NULL,
          "%lld regressions, %lld improvements: alpha %g after Holm's "
          "correction, tolerance %g",
          (long long)json_integer_value(json_object_get(c, "regressions")),
          (long long)json_integer_value(json_object_get(c, "improvements")),
          json_number_value(json_object_get(c, "alpha")),
          json_number_value(json_object_get(c, "tolerance")));
    row++;
    h = row;
    header_c(b, ws, row++, head, FA_ARRAY_LEN(head));
    worksheet_set_column(ws, 1, 1, 30, NULL);
    worksheet_set_column(ws, 14, 14, 40, NULL);
    json_array_foreach(json_object_get(c, "changes"), i, e)
    {
        json_t *ci = json_object_get(e, "ci");
        char *g = fa_cmp_attrs_label(json_object_get(e, "attributes"));

        if (row > LAST_ROW)
            break;
        jtext(b, ws, row, 0, json_object_get(e, "kind"), NULL);
        text(b, ws, row, 1, g, NULL);
        free(g);
        jtext(b, ws, row, 2, json_object_get(e, "metric"), NULL);
        jtext(b, ws, row, 3, json_object_get(e, "direction"), NULL);
        jnumber(b, ws, row, 4, json_object_get(e, "base"), b->rate);
        jnumber(b, ws, row, 5, json_object_get(e, "candidate"), b->rate);
        jnumber(b, ws, row, 6, json_object_get(e, "change"), b->rate);
        jnumber(b, ws, row, 7, json_array_get(ci, 0), b->rate);
        jnumber(b, ws, row, 8, json_array_get(ci, 1), b->rate);
        jtext(b, ws, row, 9, json_object_get(e, "test"), NULL);
        jnumber(b, ws, row, 10, json_object_get(e, "p_value"), b->pval);
        jnumber(b, ws, row, 11, json_object_get(e, "p_adjusted"), b->pval);
        jtext(b, ws, row, 12, json_object_get(e, "regression"),
              json_is_true(json_object_get(e, "regression")) ? b->v_fail
                                                             : NULL);
        jtext(b, ws, row, 13, json_object_get(e, "improvement"),
              json_is_true(json_object_get(e, "improvement")) ? b->v_pass
                                                              : NULL);
        jtext(b, ws, row, 14, json_object_get(e, "reason"), NULL);
        row++;
    }
    table_finish(b, ws, h, row - 1, FA_ARRAY_LEN(head));
}

static void
cmp_verdicts_sheet(struct book *b, json_t *c)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Verdicts changed");
    static const char *const head[] = {"Kind",    "Group", "Metric",
                                       "Measure", "Base",  "Candidate"};
    lxw_row_t row = 0;
    size_t i;
    json_t *e;

    header_c(b, ws, row++, head, FA_ARRAY_LEN(head));
    worksheet_set_column(ws, 1, 1, 30, NULL);
    json_array_foreach(json_object_get(c, "verdicts_changed"), i, e)
    {
        char *g = fa_cmp_attrs_label(json_object_get(e, "attributes"));

        if (row > LAST_ROW)
            break;
        jtext(b, ws, row, 0, json_object_get(e, "kind"), NULL);
        text(b, ws, row, 1, g, NULL);
        free(g);
        jtext(b, ws, row, 2, json_object_get(e, "metric"), NULL);
        jtext(b, ws, row, 3, json_object_get(e, "measure"), NULL);
        jtext(b, ws, row, 4, json_object_get(e, "base"), NULL);
        jtext(b, ws, row, 5, json_object_get(e, "candidate"), NULL);
        row++;
    }
    table_finish(b, ws, 0, row - 1, FA_ARRAY_LEN(head));
}

static void
cmp_drift_sheet(struct book *b, json_t *c)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Drift");
    static const char *const h1[] = {"Attribute",       "Group", "Base share",
                                     "Candidate share", "PSI",   "Alert",
                                     "Chi-square",      "df",    "p"};
    static const char *const h2[] = {"Kind",  "Group",        "Score PSI",
                                     "Alert", "KS statistic", "KS p"};
    json_t *drift = json_object_get(c, "drift"), *e, *g;
    lxw_row_t row = 0;
    size_t i, j;

    text(b, ws, row++, 0, "Group mix per attribute", b->title);
    header_c(b, ws, row++, h1, FA_ARRAY_LEN(h1));
    worksheet_set_column(ws, 1, 1, 30, NULL);
    json_array_foreach(json_object_get(drift, "composition"), i, e)
    {
        json_t *chi = json_object_get(e, "chi2");

        json_array_foreach(json_object_get(e, "groups"), j, g)
        {
            json_t *gr = json_object_get(g, "group");
            char *l = json_is_object(gr) ? fa_cmp_attrs_label(gr)
                                         : fa_xstrdup("suppressed");

            jtext(b, ws, row, 0, json_object_get(e, "attribute"), NULL);
            text(b, ws, row, 1, l, NULL);
            free(l);
            jnumber(b, ws, row, 2, json_object_get(g, "base_share"), b->rate);
            jnumber(b, ws, row++, 3, json_object_get(g, "candidate_share"),
                    b->rate);
        }
        jtext(b, ws, row, 0, json_object_get(e, "attribute"), b->bold);
        text(b, ws, row, 1, "(the attribute)", b->bold);
        jnumber(b, ws, row, 4, json_object_get(e, "psi"), b->num);
        jtext(b, ws, row, 5, json_object_get(e, "alert"),
              json_is_true(json_object_get(e, "alert")) ? b->v_fail : NULL);
        jnumber(b, ws, row, 6, json_object_get(chi, "statistic"), b->num);
        jnumber(b, ws, row, 7, json_object_get(chi, "df"), b->count);
        jnumber(b, ws, row++, 8, json_object_get(chi, "p_value"), b->pval);
    }
    row++;
    text(b, ws, row++, 0, "Scores per group", b->title);
    if (!json_is_array(json_object_get(drift, "scores"))) {
        jtext(b, ws, row, 0, json_object_get(drift, "scores_reason"), NULL);
        return;
    }
    header_c(b, ws, row++, h2, FA_ARRAY_LEN(h2));
    json_array_foreach(json_object_get(drift, "scores"), i, e)
    {
        char *l = fa_cmp_attrs_label(json_object_get(e, "attributes"));

        jtext(b, ws, row, 0, json_object_get(e, "kind"), NULL);
        text(b, ws, row, 1, l, NULL);
        free(l);
        jnumber(b, ws, row, 2, json_object_get(e, "psi"), b->num);
        jtext(b, ws, row, 3, json_object_get(e, "alert"),
              json_is_true(json_object_get(e, "alert")) ? b->v_fail : NULL);
        jnumber(b, ws, row, 4,
                json_object_get(json_object_get(e, "ks"), "statistic"), b->num);
        jnumber(b, ws, row++, 5,
                json_object_get(json_object_get(e, "ks"), "p_value"), b->pval);
    }
}

static void
cmp_history_sheet(struct book *b, json_t *runs)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "History");
    static const char *const head[] = {"Run",
                                       "Created",
                                       "Dataset",
                                       "Template",
                                       "Verdict",
                                       "Fail",
                                       "Selection rate",
                                       "Accuracy",
                                       "AUC",
                                       "Lowest selection ratio"};
    static const char *const series[] = {"Selection rate", "Accuracy", "AUC",
                                         "Lowest selection ratio"};
    lxw_row_t row = 0;
    size_t i, n = json_array_size(runs);
    json_t *r;

    header_c(b, ws, row++, head, FA_ARRAY_LEN(head));
    worksheet_set_column(ws, 1, 1, 22, NULL);
    json_array_foreach(runs, i, r)
    {
        json_t *h = json_object_get(r, "headline");

        jnumber(b, ws, row, 0, json_object_get(r, "id"), b->count);
        jtext(b, ws, row, 1, json_object_get(r, "created"), NULL);
        jnumber(b, ws, row, 2, json_object_get(r, "dataset"), b->count);
        jtext(b, ws, row, 3, json_object_get(r, "template"), NULL);
        jtext(b, ws, row, 4, json_object_get(r, "verdict"), NULL);
        number(b, ws, row, 5,
               (double)json_integer_value(
                   json_object_get(json_object_get(h, "verdicts"), "fail")),
               b->count);
        jnumber(b, ws, row, 6, json_object_get(h, "selection_rate"), b->rate);
        jnumber(b, ws, row, 7, json_object_get(h, "accuracy"), b->rate);
        jnumber(b, ws, row, 8, json_object_get(h, "auc"), b->rate);
        jnumber(b, ws, row++, 9, json_object_get(h, "lowest_selection_ratio"),
                b->rate);
    }
    if (n == 0)
        return;
    {
        lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_LINE);

        for (size_t k = 0; k < FA_ARRAY_LEN(series); k++) {
            lxw_chart_series *s = chart_add_series(ch, NULL, NULL);

            chart_series_set_categories(s, "History", 1, 0, (lxw_row_t)n, 0);
            chart_series_set_values(s, "History", 1, (lxw_col_t)(6 + k),
                                    (lxw_row_t)n, (lxw_col_t)(6 + k));
            chart_series_set_name(s, series[k]);
            chart_series_set_marker_type(s, LXW_CHART_MARKER_AUTOMATIC);
        }
        chart_title_set_name(ch, "Headline numbers across the run history");
        chart_axis_set_name(ch->x_axis, "Run");
        chart_axis_set_min(ch->y_axis, 0);
        worksheet_insert_chart(ws, (lxw_row_t)(n + 2), 0, ch);
    }
}

fa_err
fa_compare_xlsx_write(fa_ctx *ctx, json_t *cmp, json_t *runs, const char *path)
{
    struct book b;
    lxw_doc_properties props = {0};
    char *tmp = fa_xasprintf("%s.tmp", path);
    const char *created = json_string_value(
        json_object_get(json_object_get(cmp, "candidate"), "created"));
    fa_err err = FA_OK;
    lxw_error e;
    FILE *f = fopen(tmp, "wb");

    memset(&b, 0, sizeof(b));
    if (!f || fclose(f) != 0) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
        free(tmp);
        return err;
    }
    b.wb = workbook_new(tmp);
    if (!b.wb) {
        unlink(tmp);
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
        free(tmp);
        return err;
    }
    props.title = (char *)"Comparison of two audits";
    props.author = (char *)"fairaudit";
    props.comments = (char *)"Written by fairaudit compare.";
    /* the candidate's time: the same comparison gives the same bytes */
    props.created = created ? created_time(created) : 1;
    if (props.created <= 0)
        props.created = 1;
    ck(&b, workbook_set_properties(b.wb, &props));
    formats(&b);
    cmp_sheet(&b, cmp);
    cmp_verdicts_sheet(&b, cmp);
    cmp_drift_sheet(&b, cmp);
    cmp_history_sheet(&b, runs);
    e = workbook_close(b.wb);
    if (b.err == LXW_NO_ERROR)
        b.err = e;
    if (b.err != LXW_NO_ERROR) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          lxw_strerror(b.err));
        unlink(tmp);
    } else {
        err = fa_file_commit(ctx, tmp, path);
    }
    free(tmp);
    return err;
}
