/* confusion.h — weighted confusion counts to rates.
 *
 * Pure functions: counts in, numbers out. No allocation; every returned
 * reason is a static string (borrowed forever).
 */
#ifndef FA_CONFUSION_H
#define FA_CONFUSION_H

#include <stddef.h>

/*
 * Confusion counts of one group. Each field is a sum of row weights (a plain
 * count when the audit is unweighted): tp = y_true 1 and y_pred 1, fp = y_true
 * 0 and y_pred 1, tn = y_true 0 and y_pred 0, fn = y_true 1 and y_pred 0.
 * In a label-free audit the true label is unknown; callers then put every
 * predicted positive in fp and every predicted negative in tn, and only the
 * sums tp + fp and tn + fn are read.
 */
typedef struct fa_counts {
    double tp, fp, tn, fn;
} fa_counts;

/*
 * A metric value: defined when reason is NULL. num and den are the parts of
 * the ratio it is (has_parts), so a reader can recompute it; den is the
 * denominator whose zero makes the metric undefined.
 */
typedef struct fa_value {
    double value;
    double num, den;
    int has_parts;
    const char *reason;
} fa_value;

/* Every metric fairaudit computes for a group; order is the output order. */
typedef enum fa_metric {
    FA_METRIC_BASE_RATE,
    FA_METRIC_SELECTION_RATE,
    FA_METRIC_ACCURACY,
    FA_METRIC_BALANCED_ACCURACY,
    FA_METRIC_TPR,
    FA_METRIC_FPR,
    FA_METRIC_TNR,
    FA_METRIC_FNR,
    FA_METRIC_PPV,
    FA_METRIC_NPV,
    FA_METRIC_FDR,
    FA_METRIC_FOR,
    FA_METRIC_F1,
    FA_METRIC_AUC,
    FA_METRIC_BRIER,
    FA_METRIC_MEAN_SCORE,
    FA_METRIC_COUNT
} fa_metric;

/* The metric's key in results.json and the store ("tpr"); never NULL. */
const char *fa_metric_name(fa_metric m);

/* The metric named name (fa_metric_name's inverse), -1 for none. */
int fa_metric_from_name(const char *name);

/* 1 when the metric needs the true label, 0 otherwise. */
int fa_metric_needs_label(fa_metric m);

/* 1 when the metric needs a score column (auc, brier, mean_score). */
int fa_metric_needs_score(fa_metric m);

/* 1 when larger is better (accuracy, tpr ...), 0 when smaller is better
 * (fpr, fnr, fdr, for, brier), -1 when neither (base_rate, selection_rate,
 * mean_score). */
int fa_metric_direction(fa_metric m);

/* An undefined value with the given reason (a static string). */
fa_value fa_value_undefined(const char *reason);

/* value = num / den, or undefined with reason when den is 0. */
fa_value fa_value_ratio(double num, double den, const char *reason);

/*
 * A confusion-count metric of one group: every fa_metric up to and including
 * FA_METRIC_F1. labelled is 0 in a label-free audit, which leaves every
 * metric that needs the label undefined. Cannot fail; m must be a confusion
 * metric (asserted).
 */
fa_value fa_confusion_metric(fa_metric m, const fa_counts *c, int labelled);

#endif /* FA_CONFUSION_H */
