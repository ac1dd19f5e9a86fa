/* test_xlsx.c — the workbook's formulas and cell text, and writing it.
 * (tests/xlsx_check.py opens whole workbooks in LibreOffice.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest.h"
#include "report_xlsx.h"
#include "run.h"
#include "tests.h"

static void
formula_is(fa_metric m, const char *want)
{
    char *f = fa_xlsx_rate_formula(m, "A2", "B2", "C2", "D2");

    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f, want);
    free(f);
}

/* Each formula written out by hand from docs/metrics.md, with the cells
 * TP A2, FP B2, TN C2, FN D2. */
START_TEST(rate_formulas)
{
    formula_is(FA_METRIC_BASE_RATE,
               "=IF(A2+B2+C2+D2=0,\"\",(A2+D2)/(A2+B2+C2+D2))");
    formula_is(FA_METRIC_SELECTION_RATE,
               "=IF(A2+B2+C2+D2=0,\"\",(A2+B2)/(A2+B2+C2+D2))");
    formula_is(FA_METRIC_ACCURACY,
               "=IF(A2+B2+C2+D2=0,\"\",(A2+C2)/(A2+B2+C2+D2))");
    formula_is(FA_METRIC_BALANCED_ACCURACY,
               "=IF(OR(A2+D2=0,C2+B2=0),\"\",(A2/(A2+D2)+C2/(C2+B2))/2)");
    formula_is(FA_METRIC_TPR, "=IF(A2+D2=0,\"\",A2/(A2+D2))");
    formula_is(FA_METRIC_FNR, "=IF(A2+D2=0,\"\",D2/(A2+D2))");
    formula_is(FA_METRIC_TNR, "=IF(C2+B2=0,\"\",C2/(C2+B2))");
    formula_is(FA_METRIC_FPR, "=IF(C2+B2=0,\"\",B2/(C2+B2))");
    formula_is(FA_METRIC_PPV, "=IF(A2+B2=0,\"\",A2/(A2+B2))");
    formula_is(FA_METRIC_FDR, "=IF(A2+B2=0,\"\",B2/(A2+B2))");
    formula_is(FA_METRIC_NPV, "=IF(C2+D2=0,\"\",C2/(C2+D2))");
    formula_is(FA_METRIC_FOR, "=IF(C2+D2=0,\"\",D2/(C2+D2))");
    formula_is(FA_METRIC_F1, "=IF(2*A2+B2+D2=0,\"\",2*A2/(2*A2+B2+D2))");
    /* the score metrics are no formula of counts */
    ck_assert_ptr_null(
        fa_xlsx_rate_formula(FA_METRIC_AUC, "A2", "B2", "C2", "D2"));
}
END_TEST

START_TEST(rate_formulas_label_free)
{
    char *f =
        fa_xlsx_rate_formula(FA_METRIC_SELECTION_RATE, NULL, "E7", "F7", NULL);

    ck_assert_str_eq(f, "=IF(E7+F7=0,\"\",E7/(E7+F7))");
    free(f);
    ck_assert_ptr_null(
        fa_xlsx_rate_formula(FA_METRIC_TPR, NULL, "E7", "F7", NULL));
    ck_assert_ptr_null(
        fa_xlsx_rate_formula(FA_METRIC_ACCURACY, NULL, "E7", "F7", NULL));
}
END_TEST

static void
text_is(const char *in, size_t n, const char *want)
{
    char *t = fa_xlsx_text(in, n);

    ck_assert_str_eq(t, want);
    free(t);
}

START_TEST(cell_text)
{
    /* a formula-looking value stays text, byte for byte */
    text_is("=HYPERLINK(\"x\")", 15, "=HYPERLINK(\"x\")");
    text_is("+cmd|' /C calc'!A0", 18, "+cmd|' /C calc'!A0");
    /* invalid UTF-8 and NUL shown as bytes */
    text_is("a\xff"
            "b",
            3, "a\\xFFb");
    text_is("a\0b", 3, "a\\x00b");
    text_is("\xc3\x28", 2, "\\xC3(");
    text_is("\xe2\x82", 2, "\\xE2\\x82"); /* cut short */
    /* valid multi-byte text kept */
    text_is("Zo\xc3\xab \xe4\xb8\xad \xf0\x9f\x98\x80", 13,
            "Zo\xc3\xab \xe4\xb8\xad \xf0\x9f\x98\x80");
    /* control and bidirectional characters shown, tab and newline kept */
    text_is("a\x01"
            "b\tc\n",
            6, "a<U+0001>b\tc\n");
    text_is("abc\xe2\x80\xae"
            "def",
            9, "abc<U+202E>def");
    /* a literal escape sequence is escaped, so it shows as written */
    text_is("_x0041_", 7, "_x005F_x0041_");
    text_is("a_x00e9_b_x12_", 14, "a_x005F_x00e9_b_x12_");
    text_is("_xGHIJ_", 7, "_xGHIJ_");
    text_is("", 0, "");
}
END_TEST

START_TEST(cell_text_clipped)
{
    size_t n = 40000;
    char *s = malloc(n), *t;
    size_t len;

    /* two-byte characters: the cut falls between them, never inside */
    for (size_t i = 0; i < n; i += 2) {
        s[i] = '\xc3';
        s[i + 1] = '\xa9';
    }
    t = fa_xlsx_text(s, n);
    len = strlen(t);
    ck_assert_uint_lt(len, 32100);
    ck_assert(fa_utf8_valid(t, len));
    ck_assert_ptr_nonnull(strstr(t, " [clipped: 40000 bytes in all]"));
    free(t);
    free(s);
}
END_TEST

/* A huge value of control characters (each shown as 8 bytes) is cut
 * before it is expanded: the result is one cell's worth. */
START_TEST(cell_text_huge)
{
    size_t n = 20u << 20;
    char *s = malloc(n), *t;

    memset(s, 1, n);
    t = fa_xlsx_text(s, n);
    ck_assert_uint_le(strlen(t), 32000 + 40);
    ck_assert_int_eq(strncmp(t, "<U+0001><U+0001>", 16), 0);
    ck_assert_ptr_nonnull(strstr(t, " [clipped: 20971520 bytes in all]"));
    free(t);
    free(s);
}
END_TEST

/* A small run in an in-memory store. */
static int64_t
small_run(fa_ctx *ctx, fa_store **st)
{
    static const char *const attrs[] = {"g"};
    static const char csv[] = "g,y,p\n"
                              "=1+1,1,1\n=1+1,0,1\n=1+1,1,0\nB,1,1\nB,0,0\n"
                              "B,0,0\nB,x,1\n";
    char path[] = "/tmp/fa-xlsx-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ires;
    struct fa_run_opts ro = {.tool_version = "t", .min_group = -1};
    int64_t run_id;

    fputs(csv, f);
    fclose(f);
    o.path = path;
    o.label = "y";
    o.pred = "p";
    o.attrs = attrs;
    o.nattrs = 1;
    o.max_rejects = 10;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, st), FA_OK);
    ck_assert_int_eq(fa_ingest(ctx, *st, &o, &ires), FA_OK);
    unlink(path);
    ro.dataset_id = ires.dataset_id;
    ck_assert_int_eq(fa_run(ctx, *st, &ro, &run_id), FA_OK);
    return run_id;
}

static char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    buf = malloc(*n + 1);
    ck_assert_uint_eq(fread(buf, 1, *n, f), *n);
    fclose(f);
    return buf;
}

START_TEST(write_is_reproducible)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    struct fa_report_opts o = {.tool_version = "t"};
    char dir[] = "/tmp/fa-xlsxw-XXXXXX";
    char a[64], b[64], tmp[80];
    int64_t run = small_run(ctx, &st);
    size_t na, nb;
    char *ba, *bb;
    struct stat sb;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(a, sizeof(a), "%s/a.xlsx", dir);
    snprintf(b, sizeof(b), "%s/b.xlsx", dir);
    ck_assert_int_eq(fa_report_xlsx_write(ctx, st, run, a, &o), FA_OK);
    ck_assert_int_eq(fa_report_xlsx_write(ctx, st, run, b, &o), FA_OK);
    ba = slurp(a, &na);
    bb = slurp(b, &nb);
    ck_assert_uint_gt(na, 1000);
    ck_assert_mem_eq(ba, "PK\x03\x04", 4);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(ba, bb, na);
    snprintf(tmp, sizeof(tmp), "%s.tmp", a);
    ck_assert_int_ne(stat(tmp, &sb), 0);
    free(ba);
    free(bb);
    unlink(a);
    unlink(b);
    rmdir(dir);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

START_TEST(write_refused)
{
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    struct fa_report_opts o = {.tool_version = "t"};
    int64_t run = small_run(ctx, &st);
    struct stat sb;

    ck_assert_int_eq(
        fa_report_xlsx_write(ctx, st, run, "/nonexistent-dir/w.xlsx", &o),
        FA_ERR_IO_WRITE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "/nonexistent-dir/w.xlsx"));
    ck_assert_int_ne(stat("/nonexistent-dir", &sb), 0);
    fa_ctx_clear(ctx);
    ck_assert_int_eq(fa_report_xlsx_write(ctx, st, run + 7, "/tmp/x.xlsx", &o),
                     FA_ERR_NOT_FOUND);
    ck_assert_int_ne(stat("/tmp/x.xlsx.tmp", &sb), 0);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

Suite *
xlsx_suite(void)
{
    Suite *s = suite_create("xlsx");
    TCase *tc = tcase_create("xlsx");

    /* the machine may be busy with other suites */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rate_formulas);
    tcase_add_test(tc, rate_formulas_label_free);
    tcase_add_test(tc, cell_text);
    tcase_add_test(tc, cell_text_clipped);
    tcase_add_test(tc, cell_text_huge);
    tcase_add_test(tc, write_is_reproducible);
    tcase_add_test(tc, write_refused);
    suite_add_tcase(s, tc);
    return s;
}
