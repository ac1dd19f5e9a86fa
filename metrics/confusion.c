/* confusion.c — weighted confusion counts to rates.
 *
 * Every formula, its direction and its zero-denominator rule are in
 * docs/metrics.md; each function carries the anchor of its section.
 */
#include <assert.h>
#include <string.h>

#include "confusion.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *name;
    int needs_label;
    int needs_score;
    int direction;
} info[] = {
    [FA_METRIC_BASE_RATE] = {"base_rate", 1, 0, -1},
    [FA_METRIC_SELECTION_RATE] = {"selection_rate", 0, 0, -1},
    [FA_METRIC_ACCURACY] = {"accuracy", 1, 0, 1},
    [FA_METRIC_BALANCED_ACCURACY] = {"balanced_accuracy", 1, 0, 1},
    [FA_METRIC_TPR] = {"tpr", 1, 0, 1},
    [FA_METRIC_FPR] = {"fpr", 1, 0, 0},
    [FA_METRIC_TNR] = {"tnr", 1, 0, 1},
    [FA_METRIC_FNR] = {"fnr", 1, 0, 0},
    [FA_METRIC_PPV] = {"ppv", 1, 0, 1},
    [FA_METRIC_NPV] = {"npv", 1, 0, 1},
    [FA_METRIC_FDR] = {"fdr", 1, 0, 0},
    [FA_METRIC_FOR] = {"for", 1, 0, 0},
    [FA_METRIC_F1] = {"f1", 1, 0, 1},
    [FA_METRIC_AUC] = {"auc", 1, 1, 1},
    [FA_METRIC_BRIER] = {"brier", 1, 1, 0},
    [FA_METRIC_MEAN_SCORE] = {"mean_score", 0, 1, -1},
};

_Static_assert(ARRAY_LEN(info) == FA_METRIC_COUNT,
               "every metric needs its row");

const char *
fa_metric_name(fa_metric m)
{
    assert((unsigned)m < FA_METRIC_COUNT);
    return info[m].name;
}

int
fa_metric_from_name(const char *name)
{
    for (int m = 0; m < FA_METRIC_COUNT; m++)
        if (strcmp(info[m].name, name) == 0)
            return m;
    return -1;
}

int
fa_metric_needs_label(fa_metric m)
{
    assert((unsigned)m < FA_METRIC_COUNT);
    return info[m].needs_label;
}

int
fa_metric_needs_score(fa_metric m)
{
    assert((unsigned)m < FA_METRIC_COUNT);
    return info[m].needs_score;
}

int
fa_metric_direction(fa_metric m)
{
    assert((unsigned)m < FA_METRIC_COUNT);
    return info[m].direction;
}

fa_value
fa_value_undefined(const char *reason)
{
    fa_value v = {0};

    assert(reason);
    v.reason = reason;
    return v;
}

fa_value
fa_value_ratio(double num, double den, const char *reason)
{
    fa_value v = {0};

    v.num = num;
    v.den = den;
    v.has_parts = 1;
    if (den == 0) {
        v.reason = reason;
        return v;
    }
    v.value = num / den;
    return v;
}

/* METRIC balanced_accuracy — docs/metrics.md#balanced_accuracy */
static fa_value
balanced_accuracy(const fa_counts *c)
{
    fa_value tpr = fa_value_ratio(c->tp, c->tp + c->fn, "no actual positives");
    fa_value tnr = fa_value_ratio(c->tn, c->tn + c->fp, "no actual negatives");
    fa_value v = {0};

    if (tpr.reason)
        return fa_value_undefined(tpr.reason);
    if (tnr.reason)
        return fa_value_undefined(tnr.reason);
    v.value = (tpr.value + tnr.value) / 2;
    return v;
}

fa_value
fa_confusion_metric(fa_metric m, const fa_counts *c, int labelled)
{
    double n = c->tp + c->fp + c->tn + c->fn;

    assert(m <= FA_METRIC_F1);
    if (!labelled && info[m].needs_label)
        return fa_value_undefined("no label column");
    switch (m) {
    /* METRIC base_rate — docs/metrics.md#base_rate */
    case FA_METRIC_BASE_RATE:
        return fa_value_ratio(c->tp + c->fn, n, "empty group");
    /* METRIC selection_rate — docs/metrics.md#selection_rate */
    case FA_METRIC_SELECTION_RATE:
        return fa_value_ratio(c->tp + c->fp, n, "empty group");
    /* METRIC accuracy — docs/metrics.md#accuracy */
    case FA_METRIC_ACCURACY:
        return fa_value_ratio(c->tp + c->tn, n, "empty group");
    case FA_METRIC_BALANCED_ACCURACY:
        return balanced_accuracy(c);
    /* METRIC tpr — docs/metrics.md#tpr */
    case FA_METRIC_TPR:
        return fa_value_ratio(c->tp, c->tp + c->fn, "no actual positives");
    /* METRIC fnr — docs/metrics.md#fnr */
    case FA_METRIC_FNR:
        return fa_value_ratio(c->fn, c->tp + c->fn, "no actual positives");
    /* METRIC tnr — docs/metrics.md#tnr */
    case FA_METRIC_TNR:
        return fa_value_ratio(c->tn, c->tn + c->fp, "no actual negatives");
    /* METRIC fpr — docs/metrics.md#fpr */
    case FA_METRIC_FPR:
        return fa_value_ratio(c->fp, c->tn + c->fp, "no actual negatives");
    /* METRIC ppv — docs/metrics.md#ppv */
    case FA_METRIC_PPV:
        return fa_value_ratio(c->tp, c->tp + c->fp, "no predicted positives");
    /* METRIC fdr — docs/metrics.md#fdr */
    case FA_METRIC_FDR:
        return fa_value_ratio(c->fp, c->tp + c->fp, "no predicted positives");
    /* METRIC npv — docs/metrics.md#npv */
    case FA_METRIC_NPV:
        return fa_value_ratio(c->tn, c->tn + c->fn, "no predicted negatives");
    /* METRIC for — docs/metrics.md#for */
    case FA_METRIC_FOR:
        return fa_value_ratio(c->fn, c->tn + c->fn, "no predicted negatives");
    /* METRIC f1 — docs/metrics.md#f1 */
    case FA_METRIC_F1:
        return fa_value_ratio(2 * c->tp, 2 * c->tp + c->fp + c->fn,
                              "no actual or predicted positives");
    default:
        assert(!"not a confusion metric");
        return fa_value_undefined("not a confusion metric");
    }
}
