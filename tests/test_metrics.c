/* test_metrics.c — hand-worked cases for metrics/. */

/*
 * Every expected value below was worked out by hand from the definitions in
 * confusion.h, scores.h and disparity.h; the arithmetic sits beside each
 * row. Each table row is one loop iteration, so a failure names its row.
 */

#include <check.h>
#include <stddef.h>

#include "confusion.h"
#include "disparity.h"
#include "scores.h"

Suite *metrics_suite(void);

#define TOL 1e-12
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Reasons, spelled once. */
#define R_EMPTY "empty group"
#define R_NAP "no actual positives"
#define R_NAN "no actual negatives"
#define R_NPP "no predicted positives"
#define R_NPN "no predicted negatives"
#define R_NAOPP "no actual or predicted positives"
#define R_NLC "no label column"
#define R_UNIT "scores outside [0,1]"
#define R_GRP "group value undefined"
#define R_REF "reference value undefined"
#define R_REF0 "reference value is 0"
#define R_FEW "fewer than two groups with a defined value"
#define R_MAX0 "largest value is 0"

/*
 * What a result must be: defined with value (and num / den when has_parts
 * is 1; has_parts -1 leaves it unchecked), or undefined with the exact
 * reason.
 */
typedef struct expect {
    double value, num, den;
    int has_parts;
    const char *reason;
} expect;

/* Defined ratio: value, numerator, denominator. */
#define RAT(v, n, d)                                                           \
    {                                                                          \
        (v), (n), (d), 1, NULL                                                 \
    }
/* Defined, no parts. */
#define VAL(v)                                                                 \
    {                                                                          \
        (v), 0.0, 0.0, 0, NULL                                                 \
    }
/* Defined; has_parts not specified by the contract, so not checked. */
#define ANY(v)                                                                 \
    {                                                                          \
        (v), 0.0, 0.0, -1, NULL                                                \
    }
/* Undefined with reason r. */
#define UND(r)                                                                 \
    {                                                                          \
        0.0, 0.0, 0.0, 0, (r)                                                  \
    }

static void
check_value(fa_value got, const expect *w)
{
    if (w->reason != NULL) {
        ck_assert_ptr_nonnull(got.reason);
        ck_assert_str_eq(got.reason, w->reason);
        return;
    }
    ck_assert_msg(got.reason == NULL, "undefined, reason \"%s\"", got.reason);
    ck_assert_double_eq_tol(got.value, w->value, TOL);
    if (w->has_parts >= 0)
        ck_assert_int_eq(got.has_parts, w->has_parts);
    if (w->has_parts == 1) {
        ck_assert_double_eq_tol(got.num, w->num, TOL);
        ck_assert_double_eq_tol(got.den, w->den, TOL);
    }
}

/* ---- fa_value_ratio / fa_value_undefined ------------------------------ */

static const struct {
    double num, den;
    const char *reason;
    expect want;
} ratio_rows[] = {
    {3.0, 4.0, "r", RAT(3.0 / 4.0, 3.0, 4.0)},         /* 3 / 4 */
    {2.5, 0.5, "r", RAT(5.0, 2.5, 0.5)},               /* 2.5 / 0.5 = 5 */
    {0.0, 7.0, "r", RAT(0.0, 0.0, 7.0)},               /* 0 / 7 = 0 */
    {-1.0, 4.0, "r", RAT(-1.0 / 4.0, -1.0, 4.0)},      /* -1 / 4 */
    {3.0, 0.0, "custom reason", UND("custom reason")}, /* den 0 */
    {0.0, 0.0, R_NAP, UND(R_NAP)},                     /* 0 / 0 */
};

START_TEST(test_value_ratio)
{
    check_value(fa_value_ratio(ratio_rows[_i].num, ratio_rows[_i].den,
                               ratio_rows[_i].reason),
                &ratio_rows[_i].want);
}
END_TEST

START_TEST(test_value_undefined)
{
    fa_value v = fa_value_undefined("some reason");

    ck_assert_ptr_nonnull(v.reason);
    ck_assert_str_eq(v.reason, "some reason");
}
END_TEST

/* ---- fa_confusion_metric, labelled --------------------------------------
 * Each row: metric, counts {tp, fp, tn, fn}, labelled, expected.
 * P = tp + fn, Q = tn + fp, PP = tp + fp, PN = tn + fn.
 */

typedef struct conf_row {
    fa_metric m;
    fa_counts c;
    int labelled;
    expect want;
} conf_row;

#define M(x) FA_METRIC_##x
/* A: tp 4, fp 2, tn 7, fn 1; N 14, P 5, Q 9, PP 6, PN 8. */
#define GA(x) M(x), {4.0, 2.0, 7.0, 1.0}, 1
/* B: tp 2.5, fp 0.5, tn 1.25, fn 0.75; N 5, P 3.25, Q 1.75, PP 3, PN 2. */
#define GB(x) M(x), {2.5, 0.5, 1.25, 0.75}, 1
/* C (no actual positives): tp 0, fp 2, tn 3, fn 0; N 5, Q 5, PP 2, PN 3. */
#define GC(x) M(x), {0.0, 2.0, 3.0, 0.0}, 1
/* D (no actual negatives): tp 3, fp 0, tn 0, fn 1; N 4, P 4, PP 3, PN 1. */
#define GD(x) M(x), {3.0, 0.0, 0.0, 1.0}, 1
/* E (no predicted positives): tp 0, fp 0, tn 5, fn 2; N 7, P 2, Q 5, PN 7.*/
#define GE(x) M(x), {0.0, 0.0, 5.0, 2.0}, 1
/* F (no predicted negatives): tp 2, fp 3, tn 0, fn 0; N 5, P 2, Q 3, PP 5.*/
#define GF(x) M(x), {2.0, 3.0, 0.0, 0.0}, 1
/* G (true negatives only): tp 0, fp 0, tn 4, fn 0; N 4, Q 4, PN 4. */
#define GG(x) M(x), {0.0, 0.0, 4.0, 0.0}, 1
/* H (empty): all 0. */
#define GH(x) M(x), {0.0, 0.0, 0.0, 0.0}, 1
/* I (one row, a false negative of weight 1.5): fn 1.5; N 1.5, P 1.5. */
#define GI(x) M(x), {0.0, 0.0, 0.0, 1.5}, 1

static const conf_row conf_rows[] = {
    /* A: plain integer counts */
    {GA(BASE_RATE), RAT(5.0 / 14.0, 5.0, 14.0)},     /* (4 + 1) / 14 */
    {GA(SELECTION_RATE), RAT(3.0 / 7.0, 6.0, 14.0)}, /* (4 + 2) / 14 */
    {GA(ACCURACY), RAT(11.0 / 14.0, 11.0, 14.0)},    /* (4 + 7) / 14 */
    {GA(BALANCED_ACCURACY), VAL(71.0 / 90.0)},       /* (4/5 + 7/9) / 2
                                                        = (36 + 35) / 90 */
    {GA(TPR), RAT(4.0 / 5.0, 4.0, 5.0)},             /* 4 / (4 + 1) */
    {GA(FPR), RAT(2.0 / 9.0, 2.0, 9.0)},             /* 2 / (7 + 2) */
    {GA(TNR), RAT(7.0 / 9.0, 7.0, 9.0)},             /* 7 / (7 + 2) */
    {GA(FNR), RAT(1.0 / 5.0, 1.0, 5.0)},             /* 1 / (4 + 1) */
    {GA(PPV), RAT(2.0 / 3.0, 4.0, 6.0)},             /* 4 / (4 + 2) */
    {GA(NPV), RAT(7.0 / 8.0, 7.0, 8.0)},             /* 7 / (7 + 1) */
    {GA(FDR), RAT(1.0 / 3.0, 2.0, 6.0)},             /* 2 / (4 + 2) */
    {GA(FOR), RAT(1.0 / 8.0, 1.0, 8.0)},             /* 1 / (7 + 1) */
    {GA(F1), RAT(8.0 / 11.0, 8.0, 11.0)},            /* 8 / (8 + 2 + 1) */

    /* B: weighted, non-integer sums */
    {GB(BASE_RATE), RAT(13.0 / 20.0, 3.25, 5.0)},   /* 3.25 / 5 */
    {GB(SELECTION_RATE), RAT(3.0 / 5.0, 3.0, 5.0)}, /* (2.5 + 0.5) / 5 */
    {GB(ACCURACY), RAT(3.0 / 4.0, 3.75, 5.0)},      /* (2.5 + 1.25) / 5 */
    {GB(BALANCED_ACCURACY), VAL(135.0 / 182.0)},    /* (10/13 + 5/7) / 2
                                                       = (70 + 65) / 182 */
    {GB(TPR), RAT(10.0 / 13.0, 2.5, 3.25)},         /* 2.5 / 3.25 */
    {GB(FPR), RAT(2.0 / 7.0, 0.5, 1.75)},           /* 0.5 / 1.75 */
    {GB(TNR), RAT(5.0 / 7.0, 1.25, 1.75)},          /* 1.25 / 1.75 */
    {GB(FNR), RAT(3.0 / 13.0, 0.75, 3.25)},         /* 0.75 / 3.25 */
    {GB(PPV), RAT(5.0 / 6.0, 2.5, 3.0)},            /* 2.5 / 3 */
    {GB(NPV), RAT(5.0 / 8.0, 1.25, 2.0)},           /* 1.25 / 2 */
    {GB(FDR), RAT(1.0 / 6.0, 0.5, 3.0)},            /* 0.5 / 3 */
    {GB(FOR), RAT(3.0 / 8.0, 0.75, 2.0)},           /* 0.75 / 2 */
    {GB(F1), RAT(4.0 / 5.0, 5.0, 6.25)},            /* 5 / (5 + .5 + .75) */

    /* C: no actual positives */
    {GC(BASE_RATE), RAT(0.0, 0.0, 5.0)},            /* (0 + 0) / 5 */
    {GC(SELECTION_RATE), RAT(2.0 / 5.0, 2.0, 5.0)}, /* (0 + 2) / 5 */
    {GC(ACCURACY), RAT(3.0 / 5.0, 3.0, 5.0)},       /* (0 + 3) / 5 */
    {GC(BALANCED_ACCURACY), UND(R_NAP)},            /* tpr undefined */
    {GC(TPR), UND(R_NAP)},                          /* 0 / 0 */
    {GC(FPR), RAT(2.0 / 5.0, 2.0, 5.0)},            /* 2 / (3 + 2) */
    {GC(TNR), RAT(3.0 / 5.0, 3.0, 5.0)},            /* 3 / (3 + 2) */
    {GC(FNR), UND(R_NAP)},                          /* 0 / 0 */
    {GC(PPV), RAT(0.0, 0.0, 2.0)},                  /* 0 / (0 + 2) */
    {GC(NPV), RAT(1.0, 3.0, 3.0)},                  /* 3 / (3 + 0) */
    {GC(FDR), RAT(1.0, 2.0, 2.0)},                  /* 2 / (0 + 2) */
    {GC(FOR), RAT(0.0, 0.0, 3.0)},                  /* 0 / (3 + 0) */
    {GC(F1), RAT(0.0, 0.0, 2.0)},                   /* 0 / (0 + 2 + 0) */

    /* D: no actual negatives */
    {GD(BASE_RATE), RAT(1.0, 4.0, 4.0)},            /* (3 + 1) / 4 */
    {GD(SELECTION_RATE), RAT(3.0 / 4.0, 3.0, 4.0)}, /* (3 + 0) / 4 */
    {GD(ACCURACY), RAT(3.0 / 4.0, 3.0, 4.0)},       /* (3 + 0) / 4 */
    {GD(BALANCED_ACCURACY), UND(R_NAN)},            /* tpr 3/4 fine, tnr 0/0 */
    {GD(TPR), RAT(3.0 / 4.0, 3.0, 4.0)},            /* 3 / (3 + 1) */
    {GD(FPR), UND(R_NAN)},                          /* 0 / 0 */
    {GD(TNR), UND(R_NAN)},                          /* 0 / 0 */
    {GD(FNR), RAT(1.0 / 4.0, 1.0, 4.0)},            /* 1 / (3 + 1) */
    {GD(PPV), RAT(1.0, 3.0, 3.0)},                  /* 3 / (3 + 0) */
    {GD(NPV), RAT(0.0, 0.0, 1.0)},                  /* 0 / (0 + 1) */
    {GD(FDR), RAT(0.0, 0.0, 3.0)},                  /* 0 / (3 + 0) */
    {GD(FOR), RAT(1.0, 1.0, 1.0)},                  /* 1 / (0 + 1) */
    {GD(F1), RAT(6.0 / 7.0, 6.0, 7.0)},             /* 6 / (6 + 0 + 1) */

    /* E: no predicted positives */
    {GE(BASE_RATE), RAT(2.0 / 7.0, 2.0, 7.0)}, /* (0 + 2) / 7 */
    {GE(SELECTION_RATE), RAT(0.0, 0.0, 7.0)},  /* (0 + 0) / 7 */
    {GE(ACCURACY), RAT(5.0 / 7.0, 5.0, 7.0)},  /* (0 + 5) / 7 */
    {GE(BALANCED_ACCURACY), VAL(1.0 / 2.0)},   /* (0 + 1) / 2 */
    {GE(TPR), RAT(0.0, 0.0, 2.0)},             /* 0 / (0 + 2) */
    {GE(FPR), RAT(0.0, 0.0, 5.0)},             /* 0 / (5 + 0) */
    {GE(TNR), RAT(1.0, 5.0, 5.0)},             /* 5 / (5 + 0) */
    {GE(FNR), RAT(1.0, 2.0, 2.0)},             /* 2 / (0 + 2) */
    {GE(PPV), UND(R_NPP)},                     /* 0 / 0 */
    {GE(NPV), RAT(5.0 / 7.0, 5.0, 7.0)},       /* 5 / (5 + 2) */
    {GE(FDR), UND(R_NPP)},                     /* 0 / 0 */
    {GE(FOR), RAT(2.0 / 7.0, 2.0, 7.0)},       /* 2 / (5 + 2) */
    {GE(F1), RAT(0.0, 0.0, 2.0)},              /* 0 / (0 + 0 + 2) */

    /* F: no predicted negatives */
    {GF(BASE_RATE), RAT(2.0 / 5.0, 2.0, 5.0)}, /* (2 + 0) / 5 */
    {GF(SELECTION_RATE), RAT(1.0, 5.0, 5.0)},  /* (2 + 3) / 5 */
    {GF(ACCURACY), RAT(2.0 / 5.0, 2.0, 5.0)},  /* (2 + 0) / 5 */
    {GF(BALANCED_ACCURACY), VAL(1.0 / 2.0)},   /* (1 + 0) / 2 */
    {GF(TPR), RAT(1.0, 2.0, 2.0)},             /* 2 / (2 + 0) */
    {GF(FPR), RAT(1.0, 3.0, 3.0)},             /* 3 / (0 + 3) */
    {GF(TNR), RAT(0.0, 0.0, 3.0)},             /* 0 / (0 + 3) */
    {GF(FNR), RAT(0.0, 0.0, 2.0)},             /* 0 / (2 + 0) */
    {GF(PPV), RAT(2.0 / 5.0, 2.0, 5.0)},       /* 2 / (2 + 3) */
    {GF(NPV), UND(R_NPN)},                     /* 0 / 0 */
    {GF(FDR), RAT(3.0 / 5.0, 3.0, 5.0)},       /* 3 / (2 + 3) */
    {GF(FOR), UND(R_NPN)},                     /* 0 / 0 */
    {GF(F1), RAT(4.0 / 7.0, 4.0, 7.0)},        /* 4 / (4 + 3 + 0) */

    /* G: true negatives only; f1 has no denominator */
    {GG(BASE_RATE), RAT(0.0, 0.0, 4.0)},      /* 0 / 4 */
    {GG(SELECTION_RATE), RAT(0.0, 0.0, 4.0)}, /* 0 / 4 */
    {GG(ACCURACY), RAT(1.0, 4.0, 4.0)},       /* (0 + 4) / 4 */
    {GG(BALANCED_ACCURACY), UND(R_NAP)},      /* tpr and tnr: tpr first */
    {GG(TPR), UND(R_NAP)},                    /* 0 / 0 */
    {GG(FPR), RAT(0.0, 0.0, 4.0)},            /* 0 / (4 + 0) */
    {GG(TNR), RAT(1.0, 4.0, 4.0)},            /* 4 / (4 + 0) */
    {GG(FNR), UND(R_NAP)},                    /* 0 / 0 */
    {GG(PPV), UND(R_NPP)},                    /* 0 / 0 */
    {GG(NPV), RAT(1.0, 4.0, 4.0)},            /* 4 / (4 + 0) */
    {GG(FDR), UND(R_NPP)},                    /* 0 / 0 */
    {GG(FOR), RAT(0.0, 0.0, 4.0)},            /* 0 / (4 + 0) */
    {GG(F1), UND(R_NAOPP)},                   /* 0 / (0 + 0 + 0) */

    /* H: empty group, every denominator 0 */
    {GH(BASE_RATE), UND(R_EMPTY)},
    {GH(SELECTION_RATE), UND(R_EMPTY)},
    {GH(ACCURACY), UND(R_EMPTY)},
    {GH(BALANCED_ACCURACY), UND(R_NAP)}, /* tpr's reason comes first */
    {GH(TPR), UND(R_NAP)},
    {GH(FPR), UND(R_NAN)},
    {GH(TNR), UND(R_NAN)},
    {GH(FNR), UND(R_NAP)},
    {GH(PPV), UND(R_NPP)},
    {GH(NPV), UND(R_NPN)},
    {GH(FDR), UND(R_NPP)},
    {GH(FOR), UND(R_NPN)},
    {GH(F1), UND(R_NAOPP)},

    /* I: n = 1, one false negative of weight 1.5 */
    {GI(BASE_RATE), RAT(1.0, 1.5, 1.5)},      /* (0 + 1.5) / 1.5 */
    {GI(SELECTION_RATE), RAT(0.0, 0.0, 1.5)}, /* 0 / 1.5 */
    {GI(ACCURACY), RAT(0.0, 0.0, 1.5)},       /* 0 / 1.5 */
    {GI(BALANCED_ACCURACY), UND(R_NAN)},      /* tpr 0/1.5 fine, tnr 0/0 */
    {GI(TPR), RAT(0.0, 0.0, 1.5)},            /* 0 / (0 + 1.5) */
    {GI(FPR), UND(R_NAN)},                    /* 0 / 0 */
    {GI(TNR), UND(R_NAN)},                    /* 0 / 0 */
    {GI(FNR), RAT(1.0, 1.5, 1.5)},            /* 1.5 / (0 + 1.5) */
    {GI(PPV), UND(R_NPP)},                    /* 0 / 0 */
    {GI(NPV), RAT(0.0, 0.0, 1.5)},            /* 0 / (0 + 1.5) */
    {GI(FDR), UND(R_NPP)},                    /* 0 / 0 */
    {GI(FOR), RAT(1.0, 1.5, 1.5)},            /* 1.5 / (0 + 1.5) */
    {GI(F1), RAT(0.0, 0.0, 1.5)},             /* 0 / (0 + 0 + 1.5) */
};

START_TEST(test_confusion)
{
    const conf_row *r = &conf_rows[_i];

    check_value(fa_confusion_metric(r->m, &r->c, r->labelled), &r->want);
}
END_TEST

/* ---- fa_confusion_metric, label-free (labelled == 0) -------------------
 * Label-free callers put predicted positives in fp, negatives in tn.
 */

/* L: fp 3, tn 5; N 8. */
#define LL(x) M(x), {0.0, 3.0, 5.0, 0.0}, 0
/* A's counts (tp 4, fp 2, tn 7, fn 1; N 14) but no label column. */
#define LA(x) M(x), {4.0, 2.0, 7.0, 1.0}, 0
/* Empty, no label column. */
#define LH(x) M(x), {0.0, 0.0, 0.0, 0.0}, 0
/* Weighted: fp 0.5, tn 1.5; N 2. */
#define LW(x) M(x), {0.0, 0.5, 1.5, 0.0}, 0
/* No predicted positives: tn 3; N 3. */
#define LN(x) M(x), {0.0, 0.0, 3.0, 0.0}, 0

static const conf_row free_rows[] = {
    {LL(SELECTION_RATE), RAT(3.0 / 8.0, 3.0, 8.0)}, /* (0 + 3) / 8 */
    {LL(BASE_RATE), UND(R_NLC)},
    {LL(ACCURACY), UND(R_NLC)},
    {LL(BALANCED_ACCURACY), UND(R_NLC)},
    {LL(TPR), UND(R_NLC)},
    {LL(FPR), UND(R_NLC)},
    {LL(TNR), UND(R_NLC)},
    {LL(FNR), UND(R_NLC)},
    {LL(PPV), UND(R_NLC)},
    {LL(NPV), UND(R_NLC)},
    {LL(FDR), UND(R_NLC)},
    {LL(FOR), UND(R_NLC)},
    {LL(F1), UND(R_NLC)},

    /* counts that would give defined values if labelled */
    {LA(SELECTION_RATE), RAT(3.0 / 7.0, 6.0, 14.0)}, /* (4 + 2) / 14 */
    {LA(BASE_RATE), UND(R_NLC)},                     /* else 5/14 */
    {LA(ACCURACY), UND(R_NLC)},                      /* else 11/14 */
    {LA(BALANCED_ACCURACY), UND(R_NLC)},             /* else 71/90 */
    {LA(TPR), UND(R_NLC)},                           /* else 4/5 */
    {LA(FPR), UND(R_NLC)},                           /* else 2/9 */
    {LA(TNR), UND(R_NLC)},                           /* else 7/9 */
    {LA(FNR), UND(R_NLC)},                           /* else 1/5 */
    {LA(PPV), UND(R_NLC)},                           /* else 2/3 */
    {LA(NPV), UND(R_NLC)},                           /* else 7/8 */
    {LA(FDR), UND(R_NLC)},                           /* else 1/3 */
    {LA(FOR), UND(R_NLC)},                           /* else 1/8 */
    {LA(F1), UND(R_NLC)},                            /* else 8/11 */

    /* empty: selection rate has no denominator; labels still missing */
    {LH(SELECTION_RATE), UND(R_EMPTY)}, /* 0 / 0 */
    {LH(BASE_RATE), UND(R_NLC)},
    {LH(TPR), UND(R_NLC)},
    {LH(F1), UND(R_NLC)},

    {LW(SELECTION_RATE), RAT(1.0 / 4.0, 0.5, 2.0)}, /* 0.5 / 2 */
    {LW(ACCURACY), UND(R_NLC)},
    {LN(SELECTION_RATE), RAT(0.0, 0.0, 3.0)}, /* 0 / 3 */
    {LN(PPV), UND(R_NLC)},
};

START_TEST(test_label_free)
{
    const conf_row *r = &free_rows[_i];

    check_value(fa_confusion_metric(r->m, &r->c, r->labelled), &r->want);
}
END_TEST

/* ---- fa_auc --------------------------------------------------------------
 * AUC = sum over (positive i, negative j) of w_i w_j ([s_i > s_j] +
 * 0.5 [s_i == s_j]) / (W+ W-). Rows are copied to a local array first,
 * since fa_auc sorts them in place.
 */

#define AUC_MAX 24
#define POS(s)                                                                 \
    {                                                                          \
        (s), 1.0, 1                                                            \
    }
#define NEG(s)                                                                 \
    {                                                                          \
        (s), 1.0, 0                                                            \
    }
#define POSW(s, w)                                                             \
    {                                                                          \
        (s), (w), 1                                                            \
    }
#define NEGW(s, w)                                                             \
    {                                                                          \
        (s), (w), 0                                                            \
    }

typedef struct auc_row {
    size_t n;
    fa_scored rows[AUC_MAX];
    expect want;
} auc_row;

static const auc_row auc_rows[] = {
    /* perfect separation: each of the 2 x 2 = 4 pairs won; 4 / 4 */
    {4, {NEG(0.1), POS(0.9), NEG(0.3), POS(0.8)}, VAL(1.0)},
    /* inverted: each of the 2 x 3 = 6 pairs lost; 0 / 6 */
    {5, {POS(0.2), NEG(0.7), POS(0.1), NEG(0.5), NEG(0.6)}, VAL(0.0)},
    /* all tied: 6 pairs, each 0.5; 3 / 6 */
    {5, {POS(0.5), NEG(0.5), NEG(0.5), POS(0.5), NEG(0.5)}, VAL(1.0 / 2.0)},
    /* ties, pair by pair; pos {.8, .5, .3}, neg {.5, .3, .1}:
     * .8: beats .5, .3, .1          = 3
     * .5: ties .5, beats .3, .1     = 2.5
     * .3: loses .5, ties .3, beats .1 = 1.5
     * total 7 over 3 x 3 = 9 pairs */
    {6,
     {NEG(0.3), POS(0.5), NEG(0.1), POS(0.8), NEG(0.5), POS(0.3)},
     VAL(7.0 / 9.0)},
    /* the same, every weight 2.5: each pair weighs 6.25 on both sides */
    {6,
     {NEGW(0.3, 2.5), POSW(0.5, 2.5), NEGW(0.1, 2.5), POSW(0.8, 2.5),
      NEGW(0.5, 2.5), POSW(0.3, 2.5)},
     VAL(7.0 / 9.0)},
    /* the same plus zero-weight rows that would win, lose or tie
     * if counted: pos .05 (w 0), neg .95 (w 0), neg .5 (w 0); 7 / 9 */
    {9,
     {NEG(0.3), POSW(0.05, 0.0), POS(0.5), NEG(0.1), NEGW(0.95, 0.0), POS(0.8),
      NEG(0.5), NEGW(0.5, 0.0), POS(0.3)},
     VAL(7.0 / 9.0)},
    /* weighted: pos .9 (w 1.5), .4 (w .5); neg .6 (w 2), .4 (w .25),
     * .2 (w 1). W+ = 2, W- = 3.25, W+ W- = 6.5.
     * .9: beats all, 1.5 x 3.25                 = 4.875
     * .4: loses .6 (0), ties .4: .5 x .25 x .5  = 0.0625,
     *     beats .2: .5 x 1                      = 0.5
     * total 5.4375 = 87/16; (87/16) / (13/2) = 87/104 */
    {5,
     {NEGW(0.6, 2.0), POSW(0.4, 0.5), NEGW(0.2, 1.0), POSW(0.9, 1.5),
      NEGW(0.4, 0.25)},
     VAL(87.0 / 104.0)},
    /* weights change a tie's share: pos .5 (w 3); neg .5 (w 1), .2 (w .5).
     * tie 3 x 1 x .5 = 1.5, win 3 x .5 = 1.5; 3 / (3 x 1.5) = 2/3
     * (unweighted it would be 1.5 / 2 = 3/4) */
    {3, {NEGW(0.2, 0.5), POSW(0.5, 3.0), NEGW(0.5, 1.0)}, VAL(2.0 / 3.0)},
    /* classic 10 + 10 example. Negatives below each positive:
     * .9: 10, .8: 10, .7: 10, .55: 9 (not .6), .54: 9 (not .6),
     * .51: 7 (not .6 .53 .52), .4: 6 (.39 .37 .36 .35 .33 .1),
     * .38: 5 (.37 .36 .35 .33 .1), .34: 2 (.33 .1), .3: 1 (.1).
     * No ties. 10+10+10+9+9+7+6+5+2+1 = 69 of 100 pairs */
    {20,
     {POS(0.9),  POS(0.8),  POS(0.7),  NEG(0.6),  POS(0.55),
      POS(0.54), NEG(0.53), NEG(0.52), POS(0.51), NEG(0.505),
      POS(0.4),  NEG(0.39), POS(0.38), NEG(0.37), NEG(0.36),
      NEG(0.35), POS(0.34), NEG(0.33), POS(0.3),  NEG(0.1)},
     VAL(69.0 / 100.0)},
    /* n = 2: one pair */
    {2, {NEG(0.4), POS(0.6)}, VAL(1.0)},       /* won: 1 / 1 */
    {2, {POS(0.4), NEG(0.4)}, VAL(1.0 / 2.0)}, /* tied: 0.5 / 1 */
    {2, {POS(0.4), NEG(0.6)}, VAL(0.0)},       /* lost: 0 / 1 */
    /* undefined */
    {0, {POS(0.0)}, UND(R_NAP)},                       /* n = 0: W+ = 0 */
    {1, {POS(0.7)}, UND(R_NAN)},                       /* n = 1: W- = 0 */
    {1, {NEG(0.7)}, UND(R_NAP)},                       /* n = 1: W+ = 0 */
    {1, {POSW(0.7, 2.5)}, UND(R_NAN)},                 /* W- = 0 */
    {3, {POS(0.9), POS(0.1), POS(0.5)}, UND(R_NAN)},   /* W- = 0 */
    {2, {POSW(0.9, 0.0), NEG(0.1)}, UND(R_NAP)},       /* W+ = 0 x 1 */
    {2, {POS(0.9), NEGW(0.1, 0.0)}, UND(R_NAN)},       /* W- = 0 */
    {2, {POSW(0.9, 0.0), NEGW(0.1, 0.0)}, UND(R_NAP)}, /* W+ first */
};

START_TEST(test_auc)
{
    fa_scored buf[AUC_MAX];
    const auc_row *r = &auc_rows[_i];
    size_t k;

    for (k = 0; k < AUC_MAX; k++)
        buf[k] = r->rows[k];
    check_value(fa_auc(buf, r->n), &r->want);
}
END_TEST

/* ---- fa_score_sums_add, fa_brier, fa_mean_score --------------------------
 * Each row: scored rows (score, label, weight) added to zeroed sums; the
 * sums expected; the Brier score wsq_err / w; the mean score ws / w.
 */

#define SCORE_MAX 6

typedef struct score_row {
    size_t n;
    struct {
        double score;
        int label;
        double w;
    } r[SCORE_MAX];
    int unit;
    double w, ws, sq;
    expect brier, mean;
} score_row;

static const score_row score_rows[] = {
    /* unweighted: scores .8 .3 .6 1, labels 1 0 0 1.
     * w 4; ws .8 + .3 + .6 + 1 = 2.7;
     * sq .04 + .09 + .36 + 0 = .49.
     * brier .49 / 4 = 49/400; mean 2.7 / 4 = 27/40 */
    {4,
     {{0.8, 1, 1.0}, {0.3, 0, 1.0}, {0.6, 0, 1.0}, {1.0, 1, 1.0}},
     1,
     4.0,
     2.7,
     0.49,
     RAT(49.0 / 400.0, 0.49, 4.0),
     RAT(27.0 / 40.0, 2.7, 4.0)},
    /* weighted, with a zero-weight row (.9, 1, w 0) adding nothing:
     * w 2.5 + .5 + 1 = 4; ws 1.25 + .125 + 1 = 2.375;
     * sq 2.5 x .25 + .5 x .0625 + 1 x 1 = .625 + .03125 + 1 = 1.65625.
     * brier 1.65625 / 4 = 53/128; mean 2.375 / 4 = 19/32 */
    {4,
     {{0.5, 1, 2.5}, {0.25, 0, 0.5}, {1.0, 0, 1.0}, {0.9, 1, 0.0}},
     1,
     4.0,
     2.375,
     1.65625,
     RAT(53.0 / 128.0, 1.65625, 4.0),
     RAT(19.0 / 32.0, 2.375, 4.0)},
    /* n = 1: (.7, 1, w 1); sq .3^2 = .09 */
    {1,
     {{0.7, 1, 1.0}},
     1,
     1.0,
     0.7,
     0.09,
     RAT(9.0 / 100.0, 0.09, 1.0),
     RAT(7.0 / 10.0, 0.7, 1.0)},
    /* n = 1 weighted: (.25, 0, w 3); ws .75; sq 3 x .0625 = .1875 */
    {1,
     {{0.25, 0, 3.0}},
     1,
     3.0,
     0.75,
     0.1875,
     RAT(1.0 / 16.0, 0.1875, 3.0),
     RAT(1.0 / 4.0, 0.75, 3.0)},
    /* perfect: (1, 1, w 1), (0, 0, w 2); sq 0; ws 1 */
    {2,
     {{1.0, 1, 1.0}, {0.0, 0, 2.0}},
     1,
     3.0,
     1.0,
     0.0,
     RAT(0.0, 0.0, 3.0),
     RAT(1.0 / 3.0, 1.0, 3.0)},
    /* worst: (0, 1, w .5), (1, 0, w .5); sq .5 + .5 = 1; ws .5 */
    {2,
     {{0.0, 1, 0.5}, {1.0, 0, 0.5}},
     1,
     1.0,
     0.5,
     1.0,
     RAT(1.0, 1.0, 1.0),
     RAT(1.0 / 2.0, 0.5, 1.0)},
    /* scores outside [0,1]: (2, 1, w 1), (-1, 0, w 1);
     * sq 1 + 1 = 2; ws 2 - 1 = 1; mean 1 / 2, Brier undefined */
    {2,
     {{2.0, 1, 1.0}, {-1.0, 0, 1.0}},
     0,
     2.0,
     1.0,
     2.0,
     UND(R_UNIT),
     RAT(1.0 / 2.0, 1.0, 2.0)},
    /* empty */
    {0, {{0.0, 0, 0.0}}, 1, 0.0, 0.0, 0.0, UND(R_EMPTY), UND(R_EMPTY)},
    /* empty and not unit: the unit check comes first */
    {0, {{0.0, 0, 0.0}}, 0, 0.0, 0.0, 0.0, UND(R_UNIT), UND(R_EMPTY)},
    /* only zero-weight rows: w 0 */
    {2,
     {{0.4, 1, 0.0}, {0.6, 0, 0.0}},
     1,
     0.0,
     0.0,
     0.0,
     UND(R_EMPTY),
     UND(R_EMPTY)},
};

static fa_score_sums
build_sums(const score_row *r)
{
    fa_score_sums s = {0.0, 0.0, 0.0};
    size_t k;

    for (k = 0; k < r->n; k++)
        fa_score_sums_add(&s, r->r[k].score, r->r[k].label, r->r[k].w);
    return s;
}

START_TEST(test_score_sums_add)
{
    fa_score_sums s = build_sums(&score_rows[_i]);

    ck_assert_double_eq_tol(s.w, score_rows[_i].w, TOL);
    ck_assert_double_eq_tol(s.ws, score_rows[_i].ws, TOL);
    ck_assert_double_eq_tol(s.wsq_err, score_rows[_i].sq, TOL);
}
END_TEST

START_TEST(test_score_sums_add_onto)
{
    /* {1, .5, .25} plus (.5, 0, w 2): w 3, ws .5 + 1 = 1.5,
     * sq .25 + 2 x .25 = .75 */
    fa_score_sums s = {1.0, 0.5, 0.25};

    fa_score_sums_add(&s, 0.5, 0, 2.0);
    ck_assert_double_eq_tol(s.w, 3.0, TOL);
    ck_assert_double_eq_tol(s.ws, 1.5, TOL);
    ck_assert_double_eq_tol(s.wsq_err, 0.75, TOL);
}
END_TEST

START_TEST(test_score_sums_merge)
{
    /* {1.5, .75, .25} + {2, .5, 1} = {3.5, 1.25, 1.25}; b untouched */
    fa_score_sums a = {1.5, 0.75, 0.25};
    fa_score_sums b = {2.0, 0.5, 1.0};

    fa_score_sums_merge(&a, &b);
    ck_assert_double_eq_tol(a.w, 3.5, TOL);
    ck_assert_double_eq_tol(a.ws, 1.25, TOL);
    ck_assert_double_eq_tol(a.wsq_err, 1.25, TOL);
    ck_assert_double_eq_tol(b.w, 2.0, TOL);
    ck_assert_double_eq_tol(b.ws, 0.5, TOL);
    ck_assert_double_eq_tol(b.wsq_err, 1.0, TOL);
}
END_TEST

START_TEST(test_score_sums_cells)
{
    /* The weighted row of score_rows split into two cells and merged:
     * cell 1 (.5, 1, 2.5), (.25, 0, .5): w 3, ws 1.375, sq .65625;
     * cell 2 (1, 0, 1): w 1, ws 1, sq 1.
     * Whole: w 4, ws 2.375, sq 1.65625; Brier 53/128, mean 19/32. */
    fa_score_sums a = {0.0, 0.0, 0.0};
    fa_score_sums b = {0.0, 0.0, 0.0};
    const expect brier = RAT(53.0 / 128.0, 1.65625, 4.0);
    const expect mean = RAT(19.0 / 32.0, 2.375, 4.0);

    fa_score_sums_add(&a, 0.5, 1, 2.5);
    fa_score_sums_add(&a, 0.25, 0, 0.5);
    fa_score_sums_add(&b, 1.0, 0, 1.0);
    ck_assert_double_eq_tol(a.wsq_err, 0.65625, TOL);
    fa_score_sums_merge(&a, &b);
    check_value(fa_brier(&a, 1), &brier);
    check_value(fa_mean_score(&a), &mean);
}
END_TEST

START_TEST(test_brier)
{
    fa_score_sums s = build_sums(&score_rows[_i]);

    check_value(fa_brier(&s, score_rows[_i].unit), &score_rows[_i].brier);
}
END_TEST

START_TEST(test_mean_score)
{
    fa_score_sums s = build_sums(&score_rows[_i]);

    check_value(fa_mean_score(&s), &score_rows[_i].mean);
}
END_TEST

/* ---- fa_disparity_ratio, fa_disparity_difference ------------------------
 * Inputs: DV(x) is defined with value x; UV(x) is undefined, with junk x
 * in its value field that must not be read.
 */

#define DV(x)                                                                  \
    {                                                                          \
        (x), 0.0, 0.0, 0, NULL                                                 \
    }
#define UV(x)                                                                  \
    {                                                                          \
        (x), 0.0, 0.0, 0, R_NAP                                                \
    }

static const struct {
    fa_value g, ref;
    expect ratio, diff;
} disp_rows[] = {
    {DV(0.6), DV(0.8), VAL(3.0 / 4.0), VAL(-1.0 / 5.0)}, /* .6/.8, .6-.8 */
    {DV(0.5), DV(0.25), VAL(2.0), VAL(1.0 / 4.0)},       /* .5/.25, .5-.25 */
    {DV(0.0), DV(0.4), VAL(0.0), VAL(-2.0 / 5.0)},       /* 0/.4, 0-.4 */
    {DV(0.7), DV(0.7), VAL(1.0), VAL(0.0)},              /* .7/.7, .7-.7 */
    {DV(0.3), DV(0.0), UND(R_REF0), VAL(3.0 / 10.0)},    /* ref 0; .3-0 */
    {DV(0.0), DV(0.0), UND(R_REF0), VAL(0.0)},           /* ref 0; 0-0 */
    {UV(0.5), DV(0.5), UND(R_GRP), UND(R_GRP)},
    {DV(0.5), UV(0.5), UND(R_REF), UND(R_REF)},
    {UV(0.5), UV(0.5), UND(R_GRP), UND(R_GRP)}, /* group first */
    {UV(0.5), DV(0.0), UND(R_GRP), UND(R_GRP)}, /* before ref 0 */
    {DV(0.9), UV(0.0), UND(R_REF), UND(R_REF)}, /* not "is 0" */
};

START_TEST(test_disparity_ratio)
{
    check_value(fa_disparity_ratio(&disp_rows[_i].g, &disp_rows[_i].ref),
                &disp_rows[_i].ratio);
}
END_TEST

START_TEST(test_disparity_difference)
{
    check_value(fa_disparity_difference(&disp_rows[_i].g, &disp_rows[_i].ref),
                &disp_rows[_i].diff);
}
END_TEST

/* ---- fa_aggregate_difference, fa_aggregate_ratio ------------------------
 * Over defined values only: difference max - min, ratio min / max.
 * has_parts is not specified for these, so it is not checked (ANY).
 */

#define AGG_MAX 5

static const struct {
    size_t n;
    fa_value v[AGG_MAX];
    expect diff, ratio;
} agg_rows[] = {
    /* .5 - .2; .2 / .5 */
    {3, {DV(0.2), DV(0.5), DV(0.35)}, ANY(3.0 / 10.0), ANY(2.0 / 5.0)},
    /* .8 - .2; .2 / .8 (max first, min last) */
    {3, {DV(0.8), DV(0.6), DV(0.2)}, ANY(3.0 / 5.0), ANY(1.0 / 4.0)},
    /* undefined with junk 0 skipped: .9 - .6; .6 / .9
     * (as 0 it would give .9 and 0) */
    {3, {DV(0.6), UV(0.0), DV(0.9)}, ANY(3.0 / 10.0), ANY(2.0 / 3.0)},
    /* undefined with junk 5 skipped: .3 - .1; .1 / .3
     * (as 5 it would give 4.9 and .02) */
    {3, {UV(5.0), DV(0.3), DV(0.1)}, ANY(1.0 / 5.0), ANY(1.0 / 3.0)},
    /* two undefined skipped: .75 - .25; .25 / .75 */
    {5,
     {DV(0.25), UV(0.0), DV(0.75), DV(0.5), UV(1.0)},
     ANY(1.0 / 2.0),
     ANY(1.0 / 3.0)},
    /* equal: .5 - .5; .5 / .5 */
    {2, {DV(0.5), DV(0.5)}, ANY(0.0), ANY(1.0)},
    /* .25 - 0; 0 / .25 */
    {2, {DV(0.0), DV(0.25)}, ANY(1.0 / 4.0), ANY(0.0)},
    /* 0 - 0; max is 0 */
    {2, {DV(0.0), DV(0.0)}, ANY(0.0), UND(R_MAX0)},
    /* fewer than two defined */
    {1, {DV(0.4)}, UND(R_FEW), UND(R_FEW)}, /* n = 1 */
    {0, {DV(0.4)}, UND(R_FEW), UND(R_FEW)}, /* n = 0 */
    {3, {UV(0.1), DV(0.7), UV(0.2)}, UND(R_FEW), UND(R_FEW)},
    {2, {DV(0.0), UV(1.0)}, UND(R_FEW), UND(R_FEW)},
    {2, {UV(0.3), UV(0.6)}, UND(R_FEW), UND(R_FEW)},
};

START_TEST(test_aggregate_difference)
{
    check_value(fa_aggregate_difference(agg_rows[_i].v, agg_rows[_i].n),
                &agg_rows[_i].diff);
}
END_TEST

START_TEST(test_aggregate_ratio)
{
    check_value(fa_aggregate_ratio(agg_rows[_i].v, agg_rows[_i].n),
                &agg_rows[_i].ratio);
}
END_TEST

/* ---- fa_equalized_odds_difference, fa_equalized_odds_ratio -------------
 * difference = max(diff(tpr), diff(fpr)); ratio = min(ratio(tpr),
 * ratio(fpr)); an undefined part makes it undefined, tpr's reason first.
 */

#define EO_MAX 4

static const struct {
    size_t n;
    fa_value tpr[EO_MAX], fpr[EO_MAX];
    expect diff, ratio;
} eo_rows[] = {
    /* tpr diff .2, ratio 3/4; fpr diff .3, ratio 1/4 */
    {2,
     {DV(0.8), DV(0.6)},
     {DV(0.1), DV(0.4)},
     ANY(3.0 / 10.0),
     ANY(1.0 / 4.0)},
    /* tpr diff .4, ratio 5/9; fpr diff .1, ratio 2/3 */
    {3,
     {DV(0.9), DV(0.5), DV(0.7)},
     {DV(0.2), DV(0.25), DV(0.3)},
     ANY(2.0 / 5.0),
     ANY(5.0 / 9.0)},
    /* tpr diff .4, ratio 5/9; fpr diff .05, ratio 1/2:
     * tpr wins the difference, fpr the ratio */
    {2,
     {DV(0.9), DV(0.5)},
     {DV(0.05), DV(0.1)},
     ANY(2.0 / 5.0),
     ANY(1.0 / 2.0)},
    /* tpr diff 0, ratio 1; fpr diff .1, ratio 1/2 */
    {2,
     {DV(0.6), DV(0.6)},
     {DV(0.2), DV(0.1)},
     ANY(1.0 / 10.0),
     ANY(1.0 / 2.0)},
    /* undefined groups skipped: tpr {.8, .4} diff .4, ratio 1/2;
     * fpr {.2, .15} diff .05, ratio 3/4 */
    {3,
     {DV(0.8), UV(0.0), DV(0.4)},
     {DV(0.2), DV(0.15), UV(0.0)},
     ANY(2.0 / 5.0),
     ANY(1.0 / 2.0)},
    /* tpr has one defined value: both undefined */
    {2, {DV(0.8), UV(0.9)}, {DV(0.1), DV(0.2)}, UND(R_FEW), UND(R_FEW)},
    /* fpr all 0: diff max(.5, 0) = .5; fpr ratio undefined */
    {2, {DV(0.5), DV(1.0)}, {DV(0.0), DV(0.0)}, ANY(1.0 / 2.0), UND(R_MAX0)},
    /* tpr all 0 (diff 0, ratio: max 0), fpr one defined (fewer):
     * diff takes fpr's reason, ratio tpr's */
    {2, {DV(0.0), DV(0.0)}, {DV(0.3), UV(0.0)}, UND(R_FEW), UND(R_MAX0)},
    /* tpr fewer, fpr max 0: tpr's reason first in both */
    {2, {DV(0.5), UV(0.0)}, {DV(0.0), DV(0.0)}, UND(R_FEW), UND(R_FEW)},
    /* n = 1 */
    {1, {DV(0.7)}, {DV(0.2)}, UND(R_FEW), UND(R_FEW)},
    /* n = 0 */
    {0, {DV(0.7)}, {DV(0.2)}, UND(R_FEW), UND(R_FEW)},
};

START_TEST(test_equalized_odds_difference)
{
    check_value(fa_equalized_odds_difference(eo_rows[_i].tpr, eo_rows[_i].fpr,
                                             eo_rows[_i].n),
                &eo_rows[_i].diff);
}
END_TEST

START_TEST(test_equalized_odds_ratio)
{
    check_value(fa_equalized_odds_ratio(eo_rows[_i].tpr, eo_rows[_i].fpr,
                                        eo_rows[_i].n),
                &eo_rows[_i].ratio);
}
END_TEST

/* ---- fa_metric_name, _needs_label, _needs_score, _direction ------------ */

static const struct {
    fa_metric m;
    const char *name;
    int label, score, dir;
} name_rows[] = {
    {M(BASE_RATE), "base_rate", 1, 0, -1},
    {M(SELECTION_RATE), "selection_rate", 0, 0, -1},
    {M(ACCURACY), "accuracy", 1, 0, 1},
    {M(BALANCED_ACCURACY), "balanced_accuracy", 1, 0, 1},
    {M(TPR), "tpr", 1, 0, 1},
    {M(FPR), "fpr", 1, 0, 0},
    {M(TNR), "tnr", 1, 0, 1},
    {M(FNR), "fnr", 1, 0, 0},
    {M(PPV), "ppv", 1, 0, 1},
    {M(NPV), "npv", 1, 0, 1},
    {M(FDR), "fdr", 1, 0, 0},
    {M(FOR), "for", 1, 0, 0},
    {M(F1), "f1", 1, 0, 1},
    {M(AUC), "auc", 1, 1, 1},
    {M(BRIER), "brier", 1, 1, 0},
    {M(MEAN_SCORE), "mean_score", 0, 1, -1},
};

_Static_assert(COUNT_OF(name_rows) == FA_METRIC_COUNT,
               "name_rows must list every metric");

START_TEST(test_names)
{
    const char *got = fa_metric_name(name_rows[_i].m);

    ck_assert_int_eq((int)name_rows[_i].m, _i); /* table in enum order */
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, name_rows[_i].name);
    ck_assert_int_eq(fa_metric_needs_label(name_rows[_i].m),
                     name_rows[_i].label);
    ck_assert_int_eq(fa_metric_needs_score(name_rows[_i].m),
                     name_rows[_i].score);
    ck_assert_int_eq(fa_metric_direction(name_rows[_i].m), name_rows[_i].dir);
}
END_TEST

/* ---- suite ------------------------------------------------------------ */

static TCase *
loop_case(const char *name, const TTest *t, size_t n)
{
    TCase *tc = tcase_create(name);

    tcase_add_loop_test(tc, t, 0, (int)n);
    return tc;
}

Suite *
metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc;

    tc = loop_case("value", test_value_ratio, COUNT_OF(ratio_rows));
    tcase_add_test(tc, test_value_undefined);
    suite_add_tcase(s, tc);

    suite_add_tcase(
        s, loop_case("confusion", test_confusion, COUNT_OF(conf_rows)));
    suite_add_tcase(
        s, loop_case("label_free", test_label_free, COUNT_OF(free_rows)));
    suite_add_tcase(s, loop_case("auc", test_auc, COUNT_OF(auc_rows)));

    tc = loop_case("score_sums", test_score_sums_add, COUNT_OF(score_rows));
    tcase_add_test(tc, test_score_sums_add_onto);
    tcase_add_test(tc, test_score_sums_merge);
    tcase_add_test(tc, test_score_sums_cells);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, loop_case("brier", test_brier, COUNT_OF(score_rows)));
    suite_add_tcase(
        s, loop_case("mean_score", test_mean_score, COUNT_OF(score_rows)));

    tc = loop_case("disparity", test_disparity_ratio, COUNT_OF(disp_rows));
    tcase_add_loop_test(tc, test_disparity_difference, 0,
                        (int)COUNT_OF(disp_rows));
    suite_add_tcase(s, tc);

    tc = loop_case("aggregate", test_aggregate_difference, COUNT_OF(agg_rows));
    tcase_add_loop_test(tc, test_aggregate_ratio, 0, (int)COUNT_OF(agg_rows));
    suite_add_tcase(s, tc);

    tc = loop_case("equalized_odds", test_equalized_odds_difference,
                   COUNT_OF(eo_rows));
    tcase_add_loop_test(tc, test_equalized_odds_ratio, 0,
                        (int)COUNT_OF(eo_rows));
    suite_add_tcase(s, tc);

    suite_add_tcase(s, loop_case("names", test_names, COUNT_OF(name_rows)));
    return s;
}
