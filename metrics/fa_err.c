/* fa_err.c — texts for fa_err codes. */
#include "fa_err.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const msgs[] = {
    [FA_OK] = "no error",
    [FA_ERR_USAGE] = "bad option or argument",
    [FA_ERR_IO_READ] = "cannot read input",
    [FA_ERR_IO_WRITE] = "cannot write output",
    [FA_ERR_CSV_HEADER] = "bad or missing header row",
    [FA_ERR_CSV_COLUMN] = "mapped column not in header",
    [FA_ERR_CSV_DUPLICATE] = "duplicate column name",
    [FA_ERR_CSV_EMPTY] = "no data rows",
    [FA_ERR_CSV_REJECTS] = "too many rejected rows",
    [FA_ERR_CARDINALITY] = "too many distinct values",
    [FA_ERR_GZIP] = "corrupt gzip input",
    [FA_ERR_STORE] = "store failure",
    [FA_ERR_STORE_VERSION] = "unsupported store version",
    [FA_ERR_NOT_FOUND] = "not found",
    [FA_ERR_INTERNAL] = "internal error",
    [FA_ERR_STORE_WRITE] = "cannot write the store",
};

_Static_assert(ARRAY_LEN(msgs) == FA_ERR_COUNT, "every fa_err needs a message");

const char *
fa_strerror(fa_err err)
{
    if ((unsigned)err >= FA_ERR_COUNT || !msgs[err])
        return "unknown error";
    return msgs[err];
}
