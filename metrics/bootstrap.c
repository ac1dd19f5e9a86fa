/* bootstrap.c — stratified multinomial percentile bootstrap (GSL). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bootstrap.h"

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* R's type-7 quantile of sorted v[0..n) */
static double
quantile(const double *v, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)h;

    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* METRIC bootstrap_basic — docs/metrics.md#bootstrap */
fa_interval
fa_bootstrap_basic(fa_interval pc, double est, double min, double max)
{
    fa_interval ci = pc;

    if (pc.reason)
        return pc;
    ci.lo = fmax(min, fmin(max, 2 * est - pc.hi));
    ci.hi = fmax(min, fmin(max, 2 * est - pc.lo));
    return ci;
}

/* Draws group i of a replicate into *g. */
typedef void (*draw_fn)(gsl_rng *r, const void *groups, size_t i, fa_counts *g);

static void
draw_counts(gsl_rng *r, const void *groups, size_t i, fa_counts *g)
{
    const int64_t(*rows)[4] = (const int64_t(*)[4])groups;
    double p[4];
    unsigned int n[4] = {0, 0, 0, 0};
    int64_t tot = rows[i][0] + rows[i][1] + rows[i][2] + rows[i][3];

    for (int c = 0; c < 4; c++)
        p[c] = (double)rows[i][c];
    if (tot > 0)
        gsl_ran_multinomial(r, 4, (unsigned int)tot, p, n);
    *g = (fa_counts){n[0], n[1], n[2], n[3]};
}

/* The weight total of m rows drawn with replacement from cell c. */
static double
draw_total(gsl_rng *r, const fa_boot_cell *c, unsigned int m)
{
    double mean, var, s = 0;

    if (m == 0 || c->rows == 0)
        return 0;
    mean = c->w / (double)c->rows;
    var = fmax(0, c->w2 / (double)c->rows - mean * mean);
    if (var == 0) /* equal weights: no draw, as in the count bootstrap */
        return m * mean;
    if (c->weights) {
        for (unsigned int j = 0; j < m; j++)
            s += c->weights[gsl_rng_uniform_int(r, (unsigned long)c->rows)];
        return s;
    }
    s = m * mean + sqrt(m * var) * gsl_ran_gaussian_ziggurat(r, 1.0);
    return fmax(0, s);
}

static void
draw_weighted(gsl_rng *r, const void *groups, size_t i, fa_counts *g)
{
    const fa_boot_cell(*cells)[4] = (const fa_boot_cell(*)[4])groups;
    const fa_boot_cell *c = cells[i];
    double p[4], w[4];
    unsigned int n[4] = {0, 0, 0, 0};
    int64_t tot = c[0].rows + c[1].rows + c[2].rows + c[3].rows;

    for (int q = 0; q < 4; q++)
        p[q] = (double)c[q].rows;
    if (tot > 0)
        gsl_ran_multinomial(r, 4, (unsigned int)tot, p, n);
    for (int q = 0; q < 4; q++)
        w[q] = draw_total(r, &c[q], n[q]);
    *g = (fa_counts){w[0], w[1], w[2], w[3]};
}

static void
bootstrap(const void *groups, draw_fn draw, size_t k, fa_boot_stat_fn fn,
          void *data, size_t nout, uint64_t seed, size_t replicates,
          double conf, fa_interval *out)
{
    gsl_rng *r;
    fa_counts *g;
    fa_value *v;
    double *vals, a = 1 - conf;
    size_t *nvals;

    if (replicates == 0 || k == 0) {
        for (size_t s = 0; s < nout; s++)
            out[s] =
                (fa_interval){0, 0, replicates ? "no groups" : "no bootstrap"};
        return;
    }
    r = gsl_rng_alloc(gsl_rng_mt19937);
    g = calloc(k, sizeof(*g));
    v = calloc(nout, sizeof(*v));
    vals = calloc(nout * replicates, sizeof(*vals));
    nvals = calloc(nout, sizeof(*nvals));
    if (!r || !g || !v || !vals || !nvals)
        abort(); /* out of memory: no recovery, as everywhere */
    gsl_rng_set(r, (unsigned long)seed);
    for (size_t b = 0; b < replicates; b++) {
        for (size_t i = 0; i < k; i++)
            draw(r, groups, i, &g[i]);
        fn(g, k, v, nout, data);
        for (size_t s = 0; s < nout; s++)
            if (!v[s].reason)
                vals[s * replicates + nvals[s]++] = v[s].value;
    }
    for (size_t s = 0; s < nout; s++) {
        double *x = vals + s * replicates;

        if ((double)nvals[s] < 0.95 * (double)replicates) {
            out[s] = (fa_interval){0, 0, "undefined in too many replicates"};
            continue;
        }
        qsort(x, nvals[s], sizeof(double), cmp_double);
        out[s] = (fa_interval){quantile(x, nvals[s], a / 2),
                               quantile(x, nvals[s], 1 - a / 2), NULL};
    }
    gsl_rng_free(r);
    free(g);
    free(v);
    free(vals);
    free(nvals);
}

/* METRIC bootstrap — docs/metrics.md#bootstrap */
void
fa_bootstrap(const int64_t (*rows)[4], size_t k, fa_boot_stat_fn fn, void *data,
             size_t nout, uint64_t seed, size_t replicates, double conf,
             fa_interval *out)
{
    bootstrap(rows, draw_counts, k, fn, data, nout, seed, replicates, conf,
              out);
}

/* METRIC bootstrap_weighted — docs/metrics.md#weighted-bootstrap */
void
fa_bootstrap_weighted(const fa_boot_cell (*cells)[4], size_t k,
                      fa_boot_stat_fn fn, void *data, size_t nout,
                      uint64_t seed, size_t replicates, double conf,
                      fa_interval *out)
{
    bootstrap(cells, draw_weighted, k, fn, data, nout, seed, replicates, conf,
              out);
}
