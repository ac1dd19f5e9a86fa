/* test_util.c — error texts, UTF-8, numbers, bins, the context. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "tests.h"
#include "util.h"

START_TEST(strerror_every_code)
{
    for (int e = 0; e < FA_ERR_COUNT; e++) {
        const char *m = fa_strerror((fa_err)e);

        ck_assert_ptr_nonnull(m);
        ck_assert_str_ne(m, "unknown error");
        ck_assert_int_gt((int)strlen(m), 0);
    }
    ck_assert_str_eq(fa_strerror(FA_ERR_COUNT), "unknown error");
    ck_assert_str_eq(fa_strerror((fa_err)-1), "unknown error");
}
END_TEST

static const struct {
    const char *s;
    size_t n;
    int valid;
} utf8[] = {
    {"plain ascii", 11, 1},
    {"caf\xc3\xa9", 5, 1},      /* é */
    {"\xe2\x82\xac", 3, 1},     /* € */
    {"\xf0\x9f\x98\x80", 4, 1}, /* U+1F600 */
    {"\xc3", 1, 0},             /* truncated */
    {"\xc0\xaf", 2, 0},         /* overlong '/' */
    {"\xe0\x80\xaf", 3, 0},     /* overlong */
    {"\xed\xa0\x80", 3, 0},     /* surrogate D800 */
    {"\xf4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
    {"\xff", 1, 0},
    {"ab\x80", 3, 0}, /* stray continuation */
    {"", 0, 1},
};

START_TEST(utf8_table)
{
    ck_assert_int_eq(fa_utf8_valid(utf8[_i].s, utf8[_i].n), utf8[_i].valid);
}
END_TEST

static const struct {
    const char *s;
    int ok;
    double v;
} nums[] = {
    {"0.5", 0, 0.5},   {"-0.1", 0, -0.1}, {"1e3", 0, 1000}, {"1.5", 0, 1.5},
    {"NaN", -1, 0},    {"nan", -1, 0},    {"inf", -1, 0},   {"1e400", -1, 0},
    {"-1e400", -1, 0}, {"", -1, 0},       {"1x", -1, 0},    {"0.5 ", -1, 0},
    {"abc", -1, 0},    {"1e-400", 0, 0},
};

START_TEST(parse_double_table)
{
    double v = 12345;
    int rc = fa_parse_double(nums[_i].s, &v);

    ck_assert_int_eq(rc, nums[_i].ok);
    if (rc == 0)
        ck_assert_double_eq(v, nums[_i].v);
}
END_TEST

/* The fast decimal path must give strtod's bits for every input. */
START_TEST(parse_double_matches_strtod)
{
    uint64_t x = 88172645463325252ULL;
    char buf[64];

    for (int i = 0; i < 200000; i++) {
        double a = 0, b;
        int len, digits, point, e;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        digits = 1 + (int)(x % 19);
        point = (int)((x >> 8) % (uint64_t)(digits + 1));
        len = 0;
        if ((x >> 16) & 1)
            buf[len++] = '-';
        for (int k = 0; k < digits; k++) {
            if (k == point && k > 0)
                buf[len++] = '.';
            buf[len++] = (char)('0' + (int)((x >> (20 + 2 * (k % 20))) % 10));
        }
        e = (int)((x >> 40) % 61) - 30;
        if ((x >> 50) & 1)
            len += snprintf(buf + len, sizeof(buf) - (size_t)len, "e%d", e);
        buf[len] = '\0';
        b = strtod(buf, NULL);
        ck_assert_int_eq(fa_parse_double(buf, &a), 0);
        ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0, "'%s': %.17g != %.17g",
                      buf, a, b);
    }
}
END_TEST

START_TEST(fmt_double_round_trips)
{
    const double xs[] = {0.1, 1.0 / 3, 0.41, 1e-300, 123456789.125, -2.5};
    char buf[32];

    for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
        fa_fmt_double(xs[i], buf, sizeof(buf));
        ck_assert_double_eq(strtod(buf, NULL), xs[i]);
    }
    fa_fmt_double(0.41, buf, sizeof(buf));
    ck_assert_str_eq(buf, "0.41"); /* shortest, not 0.40999999999999998 */
}
END_TEST

START_TEST(bins_label_and_locate)
{
    double edges[] = {18, 25, 40, 65};
    fa_dim d = {0};
    char *s;

    d.bin_spec = (char *)"18,25,40,65";
    d.edges = edges;
    d.nedges = 4;
    ck_assert_uint_eq(fa_dim_levels(&d), 6); /* 5 bins + missing */
    ck_assert_uint_eq(fa_dim_bin_of(&d, 17.999), 0);
    ck_assert_uint_eq(fa_dim_bin_of(&d, 18), 1); /* [18,25) */
    ck_assert_uint_eq(fa_dim_bin_of(&d, 24.999), 1);
    ck_assert_uint_eq(fa_dim_bin_of(&d, 25), 2);
    ck_assert_uint_eq(fa_dim_bin_of(&d, 65), 4); /* [65,inf) */
    ck_assert_uint_eq(fa_dim_bin_of(&d, 1e9), 4);
    s = fa_dim_bin_label(&d, 0);
    ck_assert_str_eq(s, "(-inf,18)");
    free(s);
    s = fa_dim_bin_label(&d, 2);
    ck_assert_str_eq(s, "[25,40)");
    free(s);
    s = fa_dim_bin_label(&d, 4);
    ck_assert_str_eq(s, "[65,inf)");
    free(s);
    s = fa_dim_bin_label(&d, 5);
    ck_assert_str_eq(s, "(missing)");
    free(s);
}
END_TEST

START_TEST(ctx_first_failure_wins)
{
    fa_ctx *ctx = fa_ctx_new();

    ck_assert_int_eq(fa_ctx_err(ctx), FA_OK);
    ck_assert_str_eq(fa_ctx_msg(ctx), "");
    ck_assert_int_eq(fa_ctx_fail(ctx, FA_ERR_CSV_HEADER, "first %d", 1),
                     FA_ERR_CSV_HEADER);
    ck_assert_int_eq(fa_ctx_fail(ctx, FA_ERR_STORE, "second"),
                     FA_ERR_CSV_HEADER);
    ck_assert_str_eq(fa_ctx_msg(ctx), "first 1");
    fa_ctx_clear(ctx);
    ck_assert_int_eq(fa_ctx_err(ctx), FA_OK);
    fa_ctx_free(ctx);
}
END_TEST

START_TEST(ctx_source_date_epoch)
{
    fa_ctx *ctx;
    char buf[32];

    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    ctx = fa_ctx_new();
    ck_assert_int_eq(fa_ctx_now(ctx), 1700000000);
    fa_ctx_now_iso(ctx, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2023-11-14T22:13:20Z");
    fa_ctx_free(ctx);
    unsetenv("SOURCE_DATE_EPOCH");
}
END_TEST

Suite *
util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("errors");

    tcase_add_test(tc, strerror_every_code);
    tcase_add_test(tc, ctx_first_failure_wins);
    tcase_add_test(tc, ctx_source_date_epoch);
    suite_add_tcase(s, tc);
    tc = tcase_create("text");
    tcase_add_loop_test(tc, utf8_table, 0, sizeof(utf8) / sizeof(utf8[0]));
    tcase_add_loop_test(tc, parse_double_table, 0,
                        sizeof(nums) / sizeof(nums[0]));
    tcase_add_test(tc, fmt_double_round_trips);
    tcase_add_test(tc, parse_double_matches_strtod);
    suite_add_tcase(s, tc);
    tc = tcase_create("bins");
    tcase_add_test(tc, bins_label_and_locate);
    suite_add_tcase(s, tc);
    return s;
}
