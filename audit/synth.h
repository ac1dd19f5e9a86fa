/* synth.h — deterministic synthetic predictions with planted disparities.
 *
 * Every row draws its attributes and segments independently from the
 * given shares, then its true label, decision and score:
 *   P(y = 1)          = base_rate * product of the row's base multipliers
 *   P(yhat = 1 | y=1) = tpr * product of its tpr multipliers
 *   P(yhat = 1 | y=0) = fpr * product of its fpr multipliers
 * (each clamped to [0, 1]). The score lies in [0.5, 1) when yhat = 1 and in
 * [0, 0.5) otherwise, so --threshold 0.5 gives back the decision; within
 * each half, positives score higher on average. The same options and seed
 * give byte-identical output (GSL's mt19937).
 */
#ifndef FA_SYNTH_H
#define FA_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "util.h"

struct fa_synth_value {
    char *name;
    double share;
    double mult[3]; /* base, tpr, fpr multipliers */
};

struct fa_synth_column {
    char *name;
    int segment;
    struct fa_synth_value *values;
    size_t nvalues;
};

struct fa_synth_spec {
    int64_t rows;
    uint64_t seed;
    double base_rate, tpr, fpr;
    double missing; /* share of empty attribute values */
    int weights;    /* add a weight column */
    struct fa_synth_column *cols;
    size_t ncols;
};

/* The built-in scenario: sex, race, region, age; a lower TPR planted for
 * women and a higher FPR for one race. */
void fa_synth_default(struct fa_synth_spec *spec);

/*
 * Adds a column from "NAME=V1:SHARE,V2:SHARE" (shares are normalised).
 * FA_ERR_USAGE on a malformed text.
 */
fa_err fa_synth_add_column(fa_ctx *ctx, struct fa_synth_spec *spec,
                           const char *text, int segment);

/*
 * Plants "COL=VALUE:RATE=MULT[,RATE=MULT]" with RATE base, tpr, fpr, or sel
 * (the selection rate: tpr and fpr both multiplied).
 * FA_ERR_USAGE when the column or value is unknown.
 */
fa_err fa_synth_plant(fa_ctx *ctx, struct fa_synth_spec *spec,
                      const char *text);

void fa_synth_release(struct fa_synth_spec *spec);

/* Writes the CSV to f. FA_ERR_IO_WRITE when writing fails. */
fa_err fa_synth_write(fa_ctx *ctx, const struct fa_synth_spec *spec, FILE *f);

#endif /* FA_SYNTH_H */
