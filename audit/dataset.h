/* dataset.h — a loaded dataset as the stages share it: its columns, the
 * dictionaries of its attribute values, and batches of its rows.
 *
 * Plain structs owned by whoever holds them; fa_dataset_release and
 * fa_row_batch_release free what they point to (not the struct itself).
 */
#ifndef FA_DATASET_H
#define FA_DATASET_H

#include <stddef.h>
#include <stdint.h>

enum fa_dim_kind { FA_DIM_ATTRIBUTE = 0, FA_DIM_SEGMENT = 1 };

/*
 * One audited column: a protected attribute or a segment. A categorical
 * column keeps a dictionary (code -> exact value; the code of the empty
 * value is the missing group). A binned column keeps its numbers and its
 * edges; bin i holds [edges[i-1], edges[i]).
 */
typedef struct fa_dim {
    char *name;
    enum fa_dim_kind kind;
    int column;     /* 0-based index in the input's header */
    char *bin_spec; /* NULL when categorical; "18,25,40" or "q4" */
    double *edges;  /* nedges ascending bin edges */
    size_t nedges;
    char **values;   /* categorical: dictionary, code -> value */
    int64_t *counts; /* rows per code */
    size_t nvalues;
    int64_t missing_code; /* code of the empty value, -1 when never seen */
    int64_t missing_rows; /* binned: rows with no value */
} fa_dim;

typedef struct fa_dataset {
    int64_t id;
    char *source;    /* the path as given, "-" for standard input */
    char sha256[65]; /* of the exact bytes read (compressed, if gzip) */
    int64_t bytes;
    int64_t rows_read, rows_loaded, rows_rejected;
    char *mapping;   /* canonical JSON of the column mapping */
    char *loaded_at; /* ISO 8601 UTC */
    int labelled, weighted, scored;
    double score_min, score_max; /* of loaded rows, when scored */
    char delimiter;
    fa_dim *dims; /* the attributes first, then the segments */
    size_t ndims;
    size_t nattrs;
} fa_dataset;

void fa_dataset_release(fa_dataset *ds);

/* The number of groups a dim has in a run: dictionary codes, or bins plus
 * one for the missing bin. */
size_t fa_dim_levels(const fa_dim *d);

/* Bin label "[25,40)", "(-inf,18)", "[65,inf)" of bin i into a new string. */
char *fa_dim_bin_label(const fa_dim *d, size_t bin);

/* The display value of a level (the group's name) into a new string; NULL
 * for the missing level. */
char *fa_dim_level_value(const fa_dim *d, size_t level);

/* The bin of x: the number of edges <= x. */
size_t fa_dim_bin_of(const fa_dim *d, double x);

/*
 * Rows in columns. For dim j of row i: code[i * ndims + j] is the
 * dictionary code of a categorical dim; for a binned dim it is 1 when
 * x[i * ndims + j] holds the number and 0 when the value is missing.
 * y_true is -1 in a label-free dataset; score and weight are read only
 * when the dataset has them.
 */
typedef struct fa_row_batch {
    size_t n, cap, ndims;
    int64_t *line;
    signed char *y_true;
    signed char *y_pred;
    double *score;
    double *weight;
    int64_t *code;
    double *x;
} fa_row_batch;

void fa_row_batch_init(fa_row_batch *b, size_t cap, size_t ndims);
void fa_row_batch_release(fa_row_batch *b);

/* One rejected row. */
typedef struct fa_reject {
    int64_t line; /* physical line where the record starts, 1-based */
    int column;   /* 1-based column, 0 for the whole row */
    const char *column_name; /* NULL for the whole row */
    const char *reason;      /* what was wrong, without the value */
    const char *value;       /* the offending field, NULL for none */
    size_t valuelen;
    const char *raw; /* the record re-encoded as CSV, field bytes exact */
    size_t rawlen;
} fa_reject;

typedef struct fa_reject_count {
    char *reason;
    int64_t rows;
    int64_t first_line;
} fa_reject_count;

#endif /* FA_DATASET_H */
