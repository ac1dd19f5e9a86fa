/* fa_err.h — the one error enum shared by every layer. */
#ifndef FA_ERR_H
#define FA_ERR_H

/*
 * Append only: never renumber or reuse a value, the numbers are stored and
 * may be compared across versions.
 */
typedef enum fa_err {
    FA_OK = 0,
    FA_ERR_USAGE,         /* a bad option or argument */
    FA_ERR_IO_READ,       /* an input could not be read */
    FA_ERR_IO_WRITE,      /* an output could not be written */
    FA_ERR_CSV_HEADER,    /* no header row, or a bad one */
    FA_ERR_CSV_COLUMN,    /* a mapped column is absent */
    FA_ERR_CSV_DUPLICATE, /* two header columns share a name */
    FA_ERR_CSV_EMPTY,     /* no data rows */
    FA_ERR_CSV_REJECTS,   /* more rejected rows than allowed */
    FA_ERR_CARDINALITY,   /* too many distinct values in one column */
    FA_ERR_GZIP,          /* corrupt compressed input */
    FA_ERR_STORE,         /* the store failed (SQLite) */
    FA_ERR_STORE_VERSION, /* the store is of an unknown schema */
    FA_ERR_NOT_FOUND,     /* a dataset, run or group does not exist */
    FA_ERR_INTERNAL,      /* a bug or an unexpected library failure */
    FA_ERR_STORE_WRITE,   /* the store could not be written (full, I/O) */
    FA_ERR_COUNT
} fa_err;

/* The fixed English text for an error code; never NULL. */
const char *fa_strerror(fa_err err);

#endif /* FA_ERR_H */
