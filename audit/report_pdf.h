/* report_pdf.h — the PDF report of one run, from the store alone (cairo
 * for drawing, pango for every text, fonts embedded).
 *
 * The report's sections, their wording and its charts follow the run's
 * template; every number comes from the run as stored. Two passes: the
 * first lays the document out to learn each section's page, the second
 * writes it with a linked table of contents and PDF bookmarks.
 */
#ifndef FA_REPORT_PDF_H
#define FA_REPORT_PDF_H

#include <stdint.h>

#include <jansson.h>

#include "store.h"
#include "util.h"

struct fa_report_opts {
    int letter;           /* US letter instead of A4 */
    const char *preparer; /* the sign-off block's names; NULL: blank */
    const char *reviewer;
    const char *approver;
    const char *store; /* the store's path, for the command that
                          reproduces the run */
    const char *tool_version;
    unsigned formats;    /* FA_REPORT_* bits to write; 0 for every one */
    const char *compare; /* --compare BASE (a run id or a pack), or NULL */
    /* filled from compare for the writers: compare.json's object and the
     * store's run history */
    json_t *cmp, *cmp_runs;
};

/* The outputs of report and audit (--formats). */
enum {
    FA_REPORT_JSON = 1u << 0,   /* results.json */
    FA_REPORT_PDF = 1u << 1,    /* report.pdf */
    FA_REPORT_XLSX = 1u << 2,   /* workbook.xlsx */
    FA_REPORT_CHARTS = 1u << 3, /* charts/NAME.svg and .png */
    FA_REPORT_ALL = 0xfu
};

/*
 * Writes run run_id of st as a PDF at path (a temporary file renamed into
 * place). FA_ERR_NOT_FOUND, FA_ERR_STORE, FA_ERR_IO_WRITE.
 */
fa_err fa_report_pdf_write(fa_ctx *ctx, fa_store *st, int64_t run_id,
                           const char *path, const struct fa_report_opts *opts);

/* Writes the charts of run run_id as dir/NAME.svg and dir/NAME.png. */
fa_err fa_report_charts_write(fa_ctx *ctx, fa_store *st, int64_t run_id,
                              const char *dir);

/*
 * Releases the font caches pango, cairo and fontconfig keep for the whole
 * process (so a leak checker sees none). Call once no more text will be
 * drawn; drawing after it starts them again.
 */
void fa_report_release_fonts(void);

/*
 * Writes a comparison (compare.json's object) and the store's run history
 * (history's runs, possibly empty) as a PDF at path: what got worse, what
 * got better, verdicts that changed, drift, and a chart of the headline
 * numbers across the runs. Deterministic: its dates are the candidate's.
 */
fa_err fa_compare_pdf_write(fa_ctx *ctx, json_t *cmp, json_t *runs,
                            const char *path);

#endif /* FA_REPORT_PDF_H */
