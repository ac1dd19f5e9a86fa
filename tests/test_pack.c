/* test_pack.c — which member names a pack may hold. (tests/e2e.sh and
 * tests/pack_tamper.py pack, damage and verify whole packs.) */
#include <string.h>

#include "pack.h"
#include "tests.h"

START_TEST(safe_names)
{
    static const char *const good[] = {"results.json", "charts/set1-roc.svg",
                                       "a/b/c.txt",    "caf\xc3\xa9.csv",
                                       ".hidden",      "a..b",
                                       "..a"};
    static const char *const bad[] = {"",
                                      "/etc/passwd",
                                      "../x",
                                      "a/../../x",
                                      "a/..",
                                      "./a",
                                      "a/./b",
                                      "a//b",
                                      "a/",
                                      "x\\..\\y",
                                      "C:evil",
                                      "a\x01"
                                      "b",
                                      "tab\there",
                                      "bad\xff"
                                      "utf8",
                                      "del\x7f"};

    for (size_t i = 0; i < FA_ARRAY_LEN(good); i++)
        ck_assert_msg(fa_pack_name_safe(good[i]), "'%s' is safe", good[i]);
    for (size_t i = 0; i < FA_ARRAY_LEN(bad); i++)
        ck_assert_msg(!fa_pack_name_safe(bad[i]), "'%s' is unsafe", bad[i]);
}
END_TEST

START_TEST(long_names)
{
    char name[1100];

    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    ck_assert(!fa_pack_name_safe(name));
    name[1024] = '\0';
    ck_assert(fa_pack_name_safe(name));
}
END_TEST

Suite *
pack_suite(void)
{
    Suite *s = suite_create("pack");
    TCase *tc = tcase_create("pack");

    /* the machine may be busy with other suites */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, safe_names);
    tcase_add_test(tc, long_names);
    suite_add_tcase(s, tc);
    return s;
}
