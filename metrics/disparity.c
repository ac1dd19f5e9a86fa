/* disparity.c — a group against its reference, and gaps across groups.
 *
 * Formulas: docs/metrics.md#disparities and #aggregates.
 */
#include "disparity.h"

static const char few[] = "fewer than two groups with a defined value";

/* METRIC ratio — docs/metrics.md#disparities */
fa_value
fa_disparity_ratio(const fa_value *group, const fa_value *ref)
{
    fa_value v = {0};

    if (group->reason)
        return fa_value_undefined("group value undefined");
    if (ref->reason)
        return fa_value_undefined("reference value undefined");
    if (ref->value == 0)
        return fa_value_undefined("reference value is 0");
    v.value = group->value / ref->value;
    return v;
}

/* METRIC difference — docs/metrics.md#disparities */
fa_value
fa_disparity_difference(const fa_value *group, const fa_value *ref)
{
    fa_value v = {0};

    if (group->reason)
        return fa_value_undefined("group value undefined");
    if (ref->reason)
        return fa_value_undefined("reference value undefined");
    v.value = group->value - ref->value;
    return v;
}

/* Smallest and largest defined value; returns how many were defined. */
static size_t
range(const fa_value *vals, size_t n, double *lo, double *hi)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (vals[i].reason)
            continue;
        if (k == 0 || vals[i].value < *lo)
            *lo = vals[i].value;
        if (k == 0 || vals[i].value > *hi)
            *hi = vals[i].value;
        k++;
    }
    return k;
}

/* METRIC aggregate_difference — docs/metrics.md#aggregates */
fa_value
fa_aggregate_difference(const fa_value *vals, size_t n)
{
    double lo = 0, hi = 0;
    fa_value v = {0};

    if (range(vals, n, &lo, &hi) < 2)
        return fa_value_undefined(few);
    v.value = hi - lo;
    return v;
}

/* METRIC aggregate_ratio — docs/metrics.md#aggregates */
fa_value
fa_aggregate_ratio(const fa_value *vals, size_t n)
{
    double lo = 0, hi = 0;
    fa_value v = {0};

    if (range(vals, n, &lo, &hi) < 2)
        return fa_value_undefined(few);
    if (hi == 0)
        return fa_value_undefined("largest value is 0");
    v.value = lo / hi;
    return v;
}

/* METRIC equalized_odds_difference — docs/metrics.md#aggregates */
fa_value
fa_equalized_odds_difference(const fa_value *tpr, const fa_value *fpr, size_t n)
{
    fa_value a = fa_aggregate_difference(tpr, n);
    fa_value b = fa_aggregate_difference(fpr, n);

    if (a.reason)
        return a;
    if (b.reason)
        return b;
    return a.value >= b.value ? a : b;
}

/* METRIC equalized_odds_ratio — docs/metrics.md#aggregates */
fa_value
fa_equalized_odds_ratio(const fa_value *tpr, const fa_value *fpr, size_t n)
{
    fa_value a = fa_aggregate_ratio(tpr, n);
    fa_value b = fa_aggregate_ratio(fpr, n);

    if (a.reason)
        return a;
    if (b.reason)
        return b;
    return a.value <= b.value ? a : b;
}
