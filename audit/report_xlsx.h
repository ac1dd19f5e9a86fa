/* report_xlsx.h — the XLSX workbook of one run (libxlsxwriter), from the
 * store alone.
 *
 * Sheets: Summary, Groups, Disparities, Charts, Intersections, Segments,
 * Thresholds (scored, labelled runs), Data quality, Definitions and
 * Provenance; docs/workbook.md describes each column. The rates of the
 * Groups sheet are formulas over the count cells of their own row, with
 * the stored value cached. Every text that came from the input is
 * written as a string, never as a formula.
 */
#ifndef FA_REPORT_XLSX_H
#define FA_REPORT_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "confusion.h"
#include "report_pdf.h"
#include "store.h"
#include "util.h"

/*
 * Writes run run_id of st as a workbook at path (a temporary file renamed
 * into place). The document's created time is the run's, so the same run
 * gives the same bytes. FA_ERR_NOT_FOUND, FA_ERR_STORE, FA_ERR_IO_WRITE.
 */
fa_err fa_report_xlsx_write(fa_ctx *ctx, fa_store *st, int64_t run_id,
                            const char *path,
                            const struct fa_report_opts *opts);

/*
 * The Excel formula of confusion metric m (up to FA_METRIC_F1) over the
 * cells that hold the row's counts: tp, fp, tn, fn ("F5" ...), or, in a
 * label-free run (tp NULL), sel and not the decisions in fp and tn. An
 * undefined rate (zero denominator) gives "". NULL when the metric needs
 * the label and the run has none. Caller frees.
 */
char *fa_xlsx_rate_formula(fa_metric m, const char *tp, const char *fp,
                           const char *tn, const char *fn);

/*
 * Text from the data made safe for a cell: invalid UTF-8 bytes and NUL
 * as \xNN, control and bidirectional-override characters as <U+XXXX>,
 * a literal _xHHHH_ escaped so spreadsheets show it as written, clipped
 * to the 32,767 characters a cell holds. Caller frees.
 */
char *fa_xlsx_text(const char *s, size_t n);

/*
 * Writes a comparison (compare.json's object) and the store's run history
 * (history's runs, possibly empty) as a workbook at path: the sheets
 * Compare, Verdicts changed, Drift and History (with a line chart of the
 * headline numbers). Deterministic: its created time is the candidate's.
 */
fa_err fa_compare_xlsx_write(fa_ctx *ctx, json_t *cmp, json_t *runs,
                             const char *path);

#endif /* FA_REPORT_XLSX_H */
