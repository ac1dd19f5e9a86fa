/* dataset.c — releasing datasets and row batches, bins. */
#include <stdlib.h>

#include "dataset.h"
#include "util.h"

void
fa_dataset_release(fa_dataset *ds)
{
    if (!ds)
        return;
    for (size_t i = 0; i < ds->ndims; i++) {
        fa_dim *d = &ds->dims[i];

        free(d->name);
        free(d->bin_spec);
        free(d->edges);
        for (size_t k = 0; k < d->nvalues; k++)
            free(d->values[k]);
        free(d->values);
        free(d->counts);
    }
    free(ds->dims);
    free(ds->source);
    free(ds->mapping);
    free(ds->loaded_at);
    *ds = (fa_dataset){0};
}

size_t
fa_dim_levels(const fa_dim *d)
{
    return d->bin_spec ? d->nedges + 2 : d->nvalues;
}

size_t
fa_dim_bin_of(const fa_dim *d, double x)
{
    size_t lo = 0, hi = d->nedges;

    /* the number of edges <= x, by bisection */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (d->edges[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

char *
fa_dim_bin_label(const fa_dim *d, size_t bin)
{
    char lo[32], hi[32];

    if (bin == d->nedges + 1)
        return fa_xstrdup("(missing)");
    if (d->nedges == 0)
        return fa_xstrdup("(-inf,inf)");
    if (bin == 0) {
        fa_fmt_double(d->edges[0], hi, sizeof(hi));
        return fa_xasprintf("(-inf,%s)", hi);
    }
    fa_fmt_double(d->edges[bin - 1], lo, sizeof(lo));
    if (bin == d->nedges)
        return fa_xasprintf("[%s,inf)", lo);
    fa_fmt_double(d->edges[bin], hi, sizeof(hi));
    return fa_xasprintf("[%s,%s)", lo, hi);
}

void
fa_row_batch_init(fa_row_batch *b, size_t cap, size_t ndims)
{
    size_t cells = cap * (ndims ? ndims : 1);

    b->n = 0;
    b->cap = cap;
    b->ndims = ndims;
    b->line = fa_xcalloc(cap, sizeof(*b->line));
    b->y_true = fa_xcalloc(cap, sizeof(*b->y_true));
    b->y_pred = fa_xcalloc(cap, sizeof(*b->y_pred));
    b->score = fa_xcalloc(cap, sizeof(*b->score));
    b->weight = fa_xcalloc(cap, sizeof(*b->weight));
    b->code = fa_xcalloc(cells, sizeof(*b->code));
    b->x = fa_xcalloc(cells, sizeof(*b->x));
}

void
fa_row_batch_release(fa_row_batch *b)
{
    if (!b)
        return;
    free(b->line);
    free(b->y_true);
    free(b->y_pred);
    free(b->score);
    free(b->weight);
    free(b->code);
    free(b->x);
    *b = (fa_row_batch){0};
}

char *
fa_dim_level_value(const fa_dim *d, size_t level)
{
    if (d->bin_spec)
        return level == d->nedges + 1 ? NULL : fa_dim_bin_label(d, level);
    return level < d->nvalues && d->values[level] ? fa_xstrdup(d->values[level])
                                                  : NULL;
}
