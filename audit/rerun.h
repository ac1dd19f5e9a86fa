/* rerun.h — a run done again from its parsed rows, in memory: the rows of
 * a dataset as a CSV (a pack's rows.csv, with pack --include-rows), and
 * the run that input, template and options give, as results.json text.
 */
#ifndef FA_RERUN_H
#define FA_RERUN_H

#include <stddef.h>

#include <jansson.h>

#include "ingest.h"
#include "store.h"
#include "util.h"

/* Ingest options built from a column mapping (JSON), with the arrays
 * they point into. */
typedef struct fa_mapped_ingest {
    struct fa_ingest_opts o;
    const char **attrs, **segments;
    struct fa_bin_opt *bins;
} fa_mapped_ingest;

/*
 * Options to load the CSV at path by mapping: label, pred, score, weight,
 * positive, negative, pred_positive, pred_negative, delimiter (names or
 * absent), threshold (a number), attributes and segments (arrays of
 * names), bins ({column: spec}); every rejected row allowed. -1 (and
 * nothing to release) when a name is not text.
 */
int fa_mapped_ingest_init(fa_mapped_ingest *m, json_t *mapping,
                          const char *path);
void fa_mapped_ingest_release(fa_mapped_ingest *m);

/*
 * The loaded rows of dataset ds of st as CSV text (*text, *len; caller
 * frees), in the store's order: the label (1 or 0) when labelled, the
 * decision (1 or 0), the score and the weight when given (shortest
 * round-trip decimals), then every attribute and segment by its name
 * (a binned column's number; a missing value empty and unquoted, every
 * other value quoted). *columns (caller decrefs) names the label, pred,
 * score and weight columns: "label", "pred", "score", "weight", with "_"
 * put before any that an audited column already uses.
 */
fa_err fa_rerun_rows_csv(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                         char **text /* OUT */, size_t *len /* OUT */,
                         json_t **columns /* OUT */);

/*
 * values.csv of a scored or weighted run of dataset ds of st: the rows of
 * each finest cell (every attribute, and the strata column when given)
 * and of each other segment's values, counted by their label, decision,
 * score and weight: one line per distinct (cell, label, decision, score,
 * weight), in the order of the levels, then of those values. Columns:
 * kind ("cell", or "segment:COLUMN"), every dim (a cell's attributes and
 * stratum, a segment line's one column; the others empty; a missing value
 * empty and unquoted, others quoted), label (1/0, empty when unlabelled),
 * pred (1/0), score and weight (shortest round-trip decimals, empty when
 * the run has none) and rows.
 */
fa_err fa_rerun_values_csv(fa_ctx *ctx, fa_store *st, const fa_dataset *ds,
                           const char *strata, char **text /* OUT */,
                           size_t *len /* OUT */);

/*
 * Loads the CSV at path into an in-memory store with the column mapping
 * (label, pred, score, weight: names or absent; attributes, segments:
 * arrays of names; bins: {column: spec}), every row loaded or none, then
 * runs it with the resolved template (template.json's text; NULL: none)
 * and the run options of results (a results.json: run and fields); *out
 * is the new run's results.json text (caller frees), *rows the rows.
 */
fa_err fa_rerun(fa_ctx *ctx, const char *path, json_t *mapping,
                const char *template_json, json_t *results,
                char **out /* OUT */, int64_t *rows /* OUT */);

#endif /* FA_RERUN_H */
