/* test_suppress.c — fa_suppress_select and fa_suppress_choose: which
 * groups of a set, and of a whole run, are published only as suppressed
 * (primary and complementary suppression).
 *
 * Every expected vector below was worked out by hand from the specification
 * in results.h, not from the implementation. Notation: a slice "holds" when
 * it has no suppressed group, or at least two holding at least min rows
 * between them; a slice that falls short and has groups left gets its
 * smallest unsuppressed group (lowest index among equals) suppressed too.
 *
 * The specification does not fix the order in which slices are visited, so
 * every multi-column case is built so that its result does not depend on
 * that order: for each case the comment shows that, from any state between
 * the primary suppressions and the final set F, every short slice can only
 * pick a group of F (F is "closed"), and that F itself holds everywhere.
 */
#include <stdint.h>
#include <string.h>

#include "results.h"
#include "tests.h"
#include "util.h"

/* Values of the columns (NULL is a missing value). Writable arrays because
 * the function takes char *const *. */
static char F[] = "f", M[] = "m";
static char A[] = "a", B[] = "b", C[] = "c", U[] = "u";
static char V0[] = "0", V1[] = "1";

#define MAXG 32

/* Runs fa_suppress_select and checks out[] against want[] entry by entry,
 * that every out[i] is 0 or 1, and that the return value is the number of
 * 1s (in want and in out). out starts filled with garbage so that every
 * entry must be written. */
static void
expect_sel(const char *what, size_t ngroups, size_t ndims, char *const *values,
           const int64_t *n, int64_t min, const unsigned char *want)
{
    unsigned char out[MAXG];
    size_t got, nwant = 0, nout = 0;

    ck_assert_uint_le(ngroups, MAXG);
    memset(out, 0xAA, sizeof(out));
    got = fa_suppress_select(ngroups, ndims, values, n, min, out);
    for (size_t i = 0; i < ngroups; i++) {
        ck_assert_msg(out[i] == 0 || out[i] == 1, "%s: out[%zu] = %d", what, i,
                      (int)out[i]);
        ck_assert_msg(out[i] == want[i],
                      "%s: out[%zu] = %d, expected %d (n = %lld, min %lld)",
                      what, i, (int)out[i], (int)want[i], (long long)n[i],
                      (long long)min);
        nwant += want[i];
        nout += out[i];
    }
    ck_assert_msg(got == nout, "%s: returned %zu, out has %zu ones", what, got,
                  nout);
    ck_assert_msg(got == nwant, "%s: returned %zu, expected %zu", what, got,
                  nwant);
}

/* 1. min <= 0 suppresses nothing, even groups of 0 or 1 row. */
START_TEST(min_not_positive)
{
    char *const v[] = {A, B, C, U};
    const int64_t n[] = {0, 1, 2, 300};
    const unsigned char none[] = {0, 0, 0, 0};

    expect_sel("min 0", 4, 1, v, n, 0, none);
    expect_sel("min -1", 4, 1, v, n, -1, none);
    expect_sel("min -1000", 4, 1, v, n, -1000, none);
    expect_sel("min INT64_MIN", 4, 1, v, n, INT64_MIN, none);
}
END_TEST

/* An empty set: nothing to suppress. */
START_TEST(no_groups)
{
    char *const v[] = {A};
    const int64_t n[] = {5};
    unsigned char out[1] = {0xAA};

    ck_assert_uint_eq(fa_suppress_select(0, 1, v, n, 11, out), 0);
    ck_assert_uint_eq(fa_suppress_select(0, 2, v, n, 11, out), 0);
}
END_TEST

/* 2. One column, no group under min. {20, 30, 11}, min 11: 11 is not fewer
 * than 11, so no primary suppression; the single slice (the whole set) has
 * none suppressed and holds. Nothing. */
START_TEST(one_col_none_small)
{
    char *const v[] = {A, B, C};
    const int64_t n[] = {20, 30, 11};
    const unsigned char want[] = {0, 0, 0};

    expect_sel("n == min is kept", 3, 1, v, n, 11, want);
}
END_TEST

/* 3. One column, one group under min. {100, 5, 40, 60}, min 11: primary {1}
 * (5 < 11). The slice (whole set) has one suppressed: short. Its smallest
 * other is 40 (index 2): suppressed {1, 2}, two groups, 45 >= 11: holds.
 * Exactly indices 1 and 2, return 2. */
START_TEST(one_col_one_small)
{
    char *const v[] = {A, B, C, U};
    const int64_t n[] = {100, 5, 40, 60};
    const unsigned char want[] = {0, 1, 1, 0};

    expect_sel("{100,5,40,60} min 11", 4, 1, v, n, 11, want);
}
END_TEST

/* A group of 0 rows is a known zero, not a small group: {0, 50, 60},
 * min 10: nothing. And it is never a complement: {0, 5, 50, 60}, min 10:
 * primary {1}; the smallest non-empty other is 50 (index 2): {1, 2}. */
START_TEST(one_col_empty_group)
{
    char *const v[] = {A, B, C};
    const int64_t n[] = {0, 50, 60};
    const unsigned char want[] = {0, 0, 0};
    char *const v4[] = {A, B, C, U};
    const int64_t n4[] = {0, 5, 50, 60};
    const unsigned char want4[] = {0, 1, 1, 0};

    expect_sel("{0,50,60} min 10", 3, 1, v, n, 10, want);
    expect_sel("{0,5,50,60} min 10", 4, 1, v4, n4, 10, want4);
}
END_TEST

/* 4. Two small groups whose sum is under min. {3, 4, 50, 80}, min 11:
 * primary {0, 1}; two groups but 3 + 4 = 7 < 11: short. Smallest other 50
 * (index 2): 57 >= 11, holds. {1, 1, 1, 0}, return 3. */
START_TEST(one_col_small_sum_short)
{
    char *const v[] = {A, B, C, U};
    const int64_t n[] = {3, 4, 50, 80};
    const unsigned char want[] = {1, 1, 1, 0};

    expect_sel("{3,4,50,80} min 11", 4, 1, v, n, 11, want);
}
END_TEST

/* More: {1, 5, 100}, min 10: primary {0, 1}, 1 + 5 = 6 < 10: short; the only
 * other, 100, is added: all three, 106. And {2, 12, 15, 100}, min 10:
 * primary {0}; smallest other 12: {0, 1}, 14 >= 10, holds. */
START_TEST(one_col_small_sum_more)
{
    char *const v[] = {A, B, C, U};
    const int64_t n1[] = {1, 5, 100};
    const unsigned char want1[] = {1, 1, 1};
    const int64_t n2[] = {2, 12, 15, 100};
    const unsigned char want2[] = {1, 1, 0, 0};

    expect_sel("{1,5,100} min 10", 3, 1, v, n1, 10, want1);
    expect_sel("{2,12,15,100} min 10", 4, 1, v, n2, 10, want2);
}
END_TEST

/* 5. Two small groups whose sum reaches min. {6, 7, 50}, min 11: primary
 * {0, 1}, two groups, 13 >= 11: holds at once. {1, 1, 0}, return 2.
 * Also exactly min: {5, 6, 50}, min 11: 5 + 6 = 11 >= 11, holds. */
START_TEST(one_col_small_sum_enough)
{
    char *const v[] = {A, B, C};
    const int64_t n1[] = {6, 7, 50};
    const int64_t n2[] = {5, 6, 50};
    const unsigned char want[] = {1, 1, 0};

    expect_sel("{6,7,50} min 11", 3, 1, v, n1, 11, want);
    expect_sel("{5,6,50} min 11", 3, 1, v, n2, 11, want);
}
END_TEST

/* 6. Ties: the first of equals (lowest index) is taken.
 * a) {5, 30, 20, 20}, min 11: primary {0}; smallest others 20 at 2 and 3:
 *    index 2. {1, 0, 1, 0}.
 * b) {20, 5, 20}, min 11: primary {1}; 20 at 0 and 2: index 0. {1, 1, 0}.
 * c) {4, 4, 4, 50, 30, 30}, min 15: primary {0, 1, 2}, 12 < 15: short;
 *    smallest others 30 at 4 and 5: index 4; 42 >= 15. {1,1,1,0,1,0}.
 * d) {3, 5, 5, 5}, min 4: primary {0}; 5 at 1, 2, 3: index 1; 8 >= 4.
 *    {1, 1, 0, 0}. */
START_TEST(one_col_ties)
{
    char *const v[] = {A, B, C, U, F, M};
    const int64_t na[] = {5, 30, 20, 20};
    const unsigned char wa[] = {1, 0, 1, 0};
    const int64_t nb[] = {20, 5, 20};
    const unsigned char wb[] = {1, 1, 0};
    const int64_t nc[] = {4, 4, 4, 50, 30, 30};
    const unsigned char wc[] = {1, 1, 1, 0, 1, 0};
    const int64_t nd[] = {3, 5, 5, 5};
    const unsigned char wd[] = {1, 1, 0, 0};

    expect_sel("ties a", 4, 1, v, na, 11, wa);
    expect_sel("ties b", 3, 1, v, nb, 11, wb);
    expect_sel("ties c", 6, 1, v, nc, 15, wc);
    expect_sel("ties d", 4, 1, v, nd, 4, wd);
}
END_TEST

/* 7. All groups small: {1, 2, 3}, min 11: all primary; 6 < 11 is short but
 * no group is left, so it stays so. All three, return 3 = ngroups.
 * A single group under min: {5}, min 11: suppressed (primary), nothing else
 * exists. A single group at or over min: {50}: nothing. */
START_TEST(one_col_all_small)
{
    char *const v[] = {A, B, C};
    const int64_t n[] = {1, 2, 3};
    const unsigned char all[] = {1, 1, 1};
    const int64_t n1[] = {5};
    const unsigned char one[] = {1};
    const int64_t n2[] = {50};
    const unsigned char zero[] = {0};

    expect_sel("all small", 3, 1, v, n, 11, all);
    expect_sel("single small", 1, 1, v, n1, 11, one);
    expect_sel("single large", 1, 1, v, n2, 11, zero);
}
END_TEST

/* 8. sex {f, m} x race {a, b, c}, min 10. Index: 0 fa, 1 fb, 2 fc, 3 ma,
 * 4 mb, 5 mc.
 *        a   b   c
 *   f    3  20  50
 *   m   40  30  60
 * Row slices (share sex): f = {0,1,2}, m = {3,4,5}. Column slices (share
 * race): a = {0,3}, b = {1,4}, c = {2,5}.
 * Primary: fa (3 < 10).
 * Row f {fa} short -> smallest of fb 20, fc 50: fb. Column a {fa} short ->
 * ma. Column b {fb} short (the cascade) -> mb. Row m {ma, mb} 70: holds.
 * Row f {fa, fb} 23, column a {fa, ma} 43, column b {fb, mb} 50, column c
 * none: all hold. F = {fa, fb, ma, mb}.
 * Order: row f with only fa picks fb; row m with only ma picks mb
 * (30 < 60), with only mb picks ma (40 < 60); column b with one picks the
 * other; column a is forced; column c never touched: F is closed.
 * Expected {1, 1, 0, 1, 1, 0}, return 4. */
START_TEST(two_col_cascade)
{
    char *const v[] = {F, A, F, B, F, C, M, A, M, B, M, C};
    const int64_t n[] = {3, 20, 50, 40, 30, 60};
    const unsigned char want[] = {1, 1, 0, 1, 1, 0};

    expect_sel("2x3 cascade", 6, 2, v, n, 10, want);
}
END_TEST

/* The same 2x3 with the groups listed column-major (race first, then sex):
 * index 0 (a,f)=3, 1 (a,m)=40, 2 (b,f)=20, 3 (b,m)=30, 4 (c,f)=50,
 * 5 (c,m)=60. The slices are the same groups; the result must be the same
 * cells: {1, 1, 1, 1, 0, 0}. */
START_TEST(two_col_cascade_order)
{
    char *const v[] = {A, F, A, M, B, F, B, M, C, F, C, M};
    const int64_t n[] = {3, 40, 20, 30, 50, 60};
    const unsigned char want[] = {1, 1, 1, 1, 0, 0};

    expect_sel("2x3 cascade, other order", 6, 2, v, n, 10, want);
}
END_TEST

/* 2x3 with a tie in the row slice, min 10:
 *        a   b   c
 *   f    3  20  20
 *   m   40  30  60
 * Primary fa. Row f {fa} short -> fb and fc tie at 20: the first, fb
 * (index 1). Then as in two_col_cascade: column a -> ma, column b -> mb,
 * row m {ma, mb} holds. Closed: row f with only fa always picks fb (tie,
 * lower index); row m picks within {ma, mb} (30, 40 < 60); column b picks
 * the other of {fb, mb}. Taking fc instead would bring in mc.
 * Expected {1, 1, 0, 1, 1, 0}. */
START_TEST(two_col_tie)
{
    char *const v[] = {F, A, F, B, F, C, M, A, M, B, M, C};
    const int64_t n[] = {3, 20, 20, 40, 30, 60};
    const unsigned char want[] = {1, 1, 0, 1, 1, 0};

    expect_sel("2x3 tie", 6, 2, v, n, 10, want);
}
END_TEST

/* 2x2, min 10, index 0 fa=3, 1 fb=50, 2 ma=40, 3 mb=60. Every slice has
 * two groups, so one suppressed forces the other: row f -> fb, column a ->
 * ma, column b -> mb (row m then {ma, mb} holds). All four, whatever the
 * order. */
START_TEST(two_by_two_all)
{
    char *const v[] = {F, A, F, B, M, A, M, B};
    const int64_t n[] = {3, 50, 40, 60};
    const unsigned char want[] = {1, 1, 1, 1};

    expect_sel("2x2", 4, 2, v, n, 10, want);
}
END_TEST

/* 2x3, two small cells in one column slice, min 10:
 *        a   b   c
 *   f    3  20  50
 *   m    4  30  60
 * Primary fa, ma. Column a {fa, ma}: 7 < 10, short, and no group left in it
 * (race a has only f and m): it stays short. Row f {fa} -> fb (20 < 50);
 * row m {ma} -> mb (30 < 60). Column b {fb, mb} 50 holds (if one of them is
 * suppressed first, column b picks the other, already in F). Column c
 * none. Expected {1, 1, 0, 1, 1, 0}. */
START_TEST(two_col_short_slice_exhausted)
{
    char *const v[] = {F, A, F, B, F, C, M, A, M, B, M, C};
    const int64_t n[] = {3, 20, 50, 4, 30, 60};
    const unsigned char want[] = {1, 1, 0, 1, 1, 0};

    expect_sel("2x3 column exhausted", 6, 2, v, n, 10, want);
}
END_TEST

/* An incomplete 2x2 (the empty combination (m, b) is not listed), min 10:
 * index 0 fa=3, 1 fb=50, 2 ma=40. Primary fa. Row f {fa, fb} -> fb;
 * column a {fa, ma} -> ma. Row m = {ma} alone and column b = {fb} alone:
 * each has one suppressed, short, nothing left: stay so. All three. */
START_TEST(two_col_missing_combination)
{
    char *const v[] = {F, A, F, B, M, A};
    const int64_t n[] = {3, 50, 40};
    const unsigned char want[] = {1, 1, 1};

    expect_sel("2x2 less one", 3, 2, v, n, 10, want);
}
END_TEST

/* 3x3, min 10: a longer chain.
 *        a   b   c
 *   r1   2  15  40
 *   r2  30  35  60
 *   r3  70  80  90
 * Primary r1a. Row r1 {r1a} -> r1b (15 < 40). Column a {r1a} -> r2a
 * (30 < 70). Column b {r1b} -> r2b (35 < 80). Row r2 {r2a, r2b} 65 holds.
 * F = {r1a, r1b, r2a, r2b}: rows r1 17, r2 65, columns a 32, b 50 hold;
 * r3 and c untouched.
 * Closed: row r2 with only r2a picks r2b (35 < 60), with only r2b picks r2a
 * (30 < 60); column b with only r2b picks r1b (15 < 80), with only r1b
 * picks r2b; column a with only r1a picks r2a.
 * Expected {1,1,0, 1,1,0, 0,0,0}. */
START_TEST(three_by_three_chain)
{
    static char R1[] = "r1", R2[] = "r2", R3[] = "r3";
    char *const v[] = {R1, A,  R1, B,  R1, C,  R2, A,  R2,
                       B,  R2, C,  R3, A,  R3, B,  R3, C};
    const int64_t n[] = {2, 15, 40, 30, 35, 60, 70, 80, 90};
    const unsigned char want[] = {1, 1, 0, 1, 1, 0, 0, 0, 0};

    expect_sel("3x3 chain", 9, 2, v, n, 10, want);
}
END_TEST

/* 9a. One column with a missing value: {"a", NULL, "b"} is one slice (the
 * whole set). n {5, 30, 20}, min 11: primary {0}; smallest other 20
 * (index 2, "b"): {1, 0, 1}. With n {5, 20, 30} the smallest other is the
 * missing-value group (index 1): {1, 1, 0}. */
START_TEST(null_one_col)
{
    char *const v[] = {A, NULL, B};
    const int64_t n1[] = {5, 30, 20};
    const unsigned char w1[] = {1, 0, 1};
    const int64_t n2[] = {5, 20, 30};
    const unsigned char w2[] = {1, 1, 0};

    expect_sel("NULL, 1 col, b taken", 3, 1, v, n1, 11, w1);
    expect_sel("NULL, 1 col, NULL taken", 3, 1, v, n2, 11, w2);
}
END_TEST

/* 9b. Two columns, sex {f, NULL} x race {a, b, c}, min 10. Index 0 fa,
 * 1 fb, 2 fc, 3 Na, 4 Nb, 5 Nc.
 *        a   b   c
 *   f   50  60  70
 *   N    6   3 100
 * Primary Na, Nb. The row slice of the missing sex is {Na, Nb, Nc} (NULL
 * matches NULL): 6 + 3 = 9 < 10, short -> Nc (the only one left): 109.
 * Each column slice {fX, NX} then has NX suppressed alone -> fX. All six.
 * (Were each NULL its own value, the rows of Na and Nb would be single
 * groups, Nc would never be taken, nor fc: {1,1,0,1,1,0}.) */
START_TEST(null_two_col_rows)
{
    char *const v[] = {F, A, F, B, F, C, NULL, A, NULL, B, NULL, C};
    const int64_t n[] = {50, 60, 70, 6, 3, 100};
    const unsigned char want[] = {1, 1, 1, 1, 1, 1};

    expect_sel("NULL sex, 2 cols", 6, 2, v, n, 10, want);
}
END_TEST

/* 9c. The missing value in the second column: x {a, b, c} x y {u, NULL},
 * min 10. Index 0 (a,u)=50, 1 (a,N)=6, 2 (b,u)=60, 3 (b,N)=3, 4 (c,u)=70,
 * 5 (c,N)=100. The slice sharing y = NULL is {1, 3, 5}: 6 + 3 = 9 < 10 ->
 * index 5. Slices sharing x ({0,1}, {2,3}, {4,5}) then each have one
 * suppressed -> 0, 2, 4. All six. */
START_TEST(null_two_col_columns)
{
    char *const v[] = {A, U, A, NULL, B, U, B, NULL, C, U, C, NULL};
    const int64_t n[] = {50, 6, 60, 3, 70, 100};
    const unsigned char want[] = {1, 1, 1, 1, 1, 1};

    expect_sel("NULL y, 2 cols", 6, 2, v, n, 10, want);
}
END_TEST

/* 9d. NULL does not match a value: sex {f, NULL} x race {a, b}, min 10,
 * index 0 fa=4, 1 fb=50, 2 Na=40, 3 Nb=60, plus 4 (m, a) = 45 — an
 * incomplete 3x2 (m, b) not listed. Primary fa. Row f {fa, fb} -> fb.
 * Column a {fa, Na, ma} {fa} -> smallest of Na 40, ma 45: Na. Column b
 * {fb, Nb} -> Nb. Row N {Na, Nb} holds; row m {ma} none.
 * Closed: row N with one picks the other; column b with one picks the
 * other; column a always has fa and picks Na (40 < 45) when short.
 * Expected {1, 1, 1, 1, 0}. */
START_TEST(null_two_col_distinct)
{
    char *const v[] = {F, A, F, B, NULL, A, NULL, B, M, A};
    const int64_t n[] = {4, 50, 40, 60, 45};
    const unsigned char want[] = {1, 1, 1, 1, 0};

    expect_sel("NULL distinct from values", 5, 2, v, n, 10, want);
}
END_TEST

/* 10a. 2x2x2, min 10, one small cell (0,0,0) = 2. Every slice (vary one
 * column, fix the other two) has exactly two groups, so a suppressed group
 * forces its neighbour along each column; the cube is connected, so all
 * eight end up suppressed, whatever the order. Any two suppressed hold
 * >= 10 (every other cell >= 10). */
START_TEST(three_col_cube)
{
    char *const v[] = {V0, V0, V0, V0, V0, V1, V0, V1, V0, V0, V1, V1,
                       V1, V0, V0, V1, V0, V1, V1, V1, V0, V1, V1, V1};
    const int64_t n[] = {2, 20, 30, 40, 50, 60, 70, 80};
    const unsigned char want[] = {1, 1, 1, 1, 1, 1, 1, 1};

    expect_sel("2x2x2", 8, 3, v, n, 10, want);
}
END_TEST

/* 10b. x {0,1} x y {0,1} x z {a,b,c}, min 10; index 3*(2x+y) + z.
 *   (x,y)   a   b   c
 *   (0,0)   2  20  90
 *   (0,1)  30  25  80
 *   (1,0)  40  35  70
 *   (1,1)  50  45  60
 * Slices varying x or y have two groups (same z); slices varying z are the
 * rows above. Primary (0,0,a). Varying x: (1,0,a); varying y: (0,1,a) and
 * from (1,0,a) (1,1,a): the whole a-plane. Each row {(x,y,a)} is short ->
 * its smallest other, always b (c is the largest of every row); the
 * b-plane's x and y slices then have both cells suppressed. F = a- and
 * b-planes: each row {a, b} >= 10 holds; x/y slices in a or b hold; c
 * untouched.
 * Closed: x/y slices pick within the same plane; a row picks the smallest
 * of what is left of a, b, c, never c (largest); so F whatever the order.
 * Expected a and b of every row, return 8. */
START_TEST(three_col_planes)
{
    char *const v[] = {V0, V0, A, V0, V0, B, V0, V0, C, V0, V1, A,
                       V0, V1, B, V0, V1, C, V1, V0, A, V1, V0, B,
                       V1, V0, C, V1, V1, A, V1, V1, B, V1, V1, C};
    const int64_t n[] = {2, 20, 90, 30, 25, 80, 40, 35, 70, 50, 45, 60};
    const unsigned char want[] = {1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0};

    expect_sel("2x2x3", 12, 3, v, n, 10, want);
}
END_TEST

/* Nothing small in a multi-column set: nothing suppressed. */
START_TEST(two_col_none_small)
{
    char *const v[] = {F, A, F, B, M, A, M, B};
    const int64_t n[] = {10, 50, 40, 60};
    const unsigned char want[] = {0, 0, 0, 0};

    expect_sel("2x2 none small", 4, 2, v, n, 10, want);
    expect_sel("2x2 min 0", 4, 2, v, n, 0, want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* fa_suppress_choose: the whole run, totals across sets               */

static char P[] = "p", Q[] = "q", X[] = "x", Y[] = "y", Z[] = "z";

/* Runs fa_suppress_choose and checks out[] against want[]. */
static void
expect_choose(const char *what, const struct fa_sup_set *sets, size_t nsets,
              const struct fa_sup_group *g, size_t ng, int64_t min,
              const unsigned char *want)
{
    unsigned char out[MAXG];
    size_t got, nwant = 0;

    ck_assert_uint_le(ng, MAXG);
    memset(out, 0xAA, sizeof(out));
    got = fa_suppress_choose(sets, nsets, g, ng, min, out);
    for (size_t i = 0; i < ng; i++) {
        ck_assert_msg(out[i] == want[i], "%s: group %zu: %d, expected %d", what,
                      i, (int)out[i], (int)want[i]);
        nwant += want[i];
    }
    ck_assert_uint_eq(got, nwant);
}

/* A = {p, q}, B = {x, y, z}, cells px 20, py 40, pz 2, qx 20, qy 8, qz 5;
 * margins p 62, q 33, x 40, y 48, z 7; population 95; min 11.
 * Suppressing z (7) and x (the next smallest of B) at the margin is not
 * enough if x's cells px and qx are published: x = px + qx, then
 * z = 95 - y - x. Worked by hand: primary z, pz, qz, qy. B's family (the
 * population's): z alone, adds x (47). A x B's families by A: p has pz
 * only, adds px (22); q has qy, qz (13), holds. By B: x is suppressed and
 * its family has px only, adds qx; y's family has qy only, adds py; z's
 * family pz, qz (7) has none left. Then every family holds: x and z of B,
 * every cell of A x B; p, q and y shown. No suppressed number follows
 * from the shown ones. */
START_TEST(choose_across_sets)
{
    static const int da[] = {0}, db[] = {1}, dab[] = {0, 1};
    const struct fa_sup_set sets[] = {
        {0, NULL, 1}, {1, da, 0}, {1, db, 0}, {2, dab, 0}};
    char *const vp[] = {P}, *const vq[] = {Q}, *const vx[] = {X},
                *const vy[] = {Y}, *const vz[] = {Z};
    char *const px[] = {P, X}, *const py[] = {P, Y}, *const pz[] = {P, Z},
                *const qx[] = {Q, X}, *const qy[] = {Q, Y},
                *const qz[] = {Q, Z};
    const struct fa_sup_group g[] = {{0, NULL, 95}, {1, vp, 62}, {1, vq, 33},
                                     {2, vx, 40},   {2, vy, 48}, {2, vz, 7},
                                     {3, px, 20},   {3, py, 40}, {3, pz, 2},
                                     {3, qx, 20},   {3, qy, 8},  {3, qz, 5}};
    const unsigned char want[] = {0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1};

    expect_choose("across sets", sets, 4, g, 12, 11, want);
}
END_TEST

/* A cell that is its margin's only one: cells px 30, py 5, qx 40 (no qy);
 * A: p 35, q 40; B: x 70, y 5; population 75; min 11. Primary y, py.
 * B adds x (75); A x B's population family adds px (35); B's family x
 * has px suppressed and qx not: adds qx (70). Now A's q has the one cell
 * qx, suppressed, so q is too (q = qx), and A's family then adds p.
 * Everything but the population is suppressed. */
START_TEST(choose_single_member)
{
    static const int da[] = {0}, db[] = {1}, dab[] = {0, 1};
    const struct fa_sup_set sets[] = {
        {0, NULL, 1}, {1, da, 0}, {1, db, 0}, {2, dab, 0}};
    char *const vp[] = {P}, *const vq[] = {Q}, *const vx[] = {X},
                *const vy[] = {Y};
    char *const px[] = {P, X}, *const py[] = {P, Y}, *const qx[] = {Q, X};
    const struct fa_sup_group g[] = {{0, NULL, 75}, {1, vp, 35}, {1, vq, 40},
                                     {2, vx, 70},   {2, vy, 5},  {3, px, 30},
                                     {3, py, 5},    {3, qx, 40}};
    const unsigned char want[] = {0, 1, 1, 1, 1, 1, 1, 1};

    expect_choose("single member", sets, 4, g, 8, 11, want);
}
END_TEST

/* Nothing small: nothing suppressed; min 0: nothing; an empty cell (0
 * rows) is not small. */
START_TEST(choose_nothing)
{
    static const int da[] = {0};
    const struct fa_sup_set sets[] = {{0, NULL, 1}, {1, da, 0}};
    char *const vp[] = {P}, *const vq[] = {Q}, *const vx[] = {X};
    const struct fa_sup_group g[] = {
        {0, NULL, 70}, {1, vp, 30}, {1, vq, 40}, {1, vx, 0}};
    const unsigned char none[] = {0, 0, 0, 0};
    const struct fa_sup_group h[] = {
        {0, NULL, 35}, {1, vp, 30}, {1, vq, 5}, {1, vx, 0}};

    expect_choose("nothing small", sets, 2, g, 4, 11, none);
    expect_choose("min 0", sets, 2, h, 4, 0, none);
}
END_TEST

Suite *
suppress_suite(void)
{
    Suite *s = suite_create("suppress");
    TCase *tc = tcase_create("one column");

    tcase_add_test(tc, min_not_positive);
    tcase_add_test(tc, no_groups);
    tcase_add_test(tc, one_col_none_small);
    tcase_add_test(tc, one_col_one_small);
    tcase_add_test(tc, one_col_empty_group);
    tcase_add_test(tc, one_col_small_sum_short);
    tcase_add_test(tc, one_col_small_sum_more);
    tcase_add_test(tc, one_col_small_sum_enough);
    tcase_add_test(tc, one_col_ties);
    tcase_add_test(tc, one_col_all_small);
    tcase_add_test(tc, null_one_col);
    suite_add_tcase(s, tc);
    tc = tcase_create("several columns");
    tcase_add_test(tc, two_col_none_small);
    tcase_add_test(tc, two_col_cascade);
    tcase_add_test(tc, two_col_cascade_order);
    tcase_add_test(tc, two_col_tie);
    tcase_add_test(tc, two_by_two_all);
    tcase_add_test(tc, two_col_short_slice_exhausted);
    tcase_add_test(tc, two_col_missing_combination);
    tcase_add_test(tc, three_by_three_chain);
    tcase_add_test(tc, null_two_col_rows);
    tcase_add_test(tc, null_two_col_columns);
    tcase_add_test(tc, null_two_col_distinct);
    tcase_add_test(tc, three_col_cube);
    tcase_add_test(tc, three_col_planes);
    suite_add_tcase(s, tc);
    tc = tcase_create("whole run");
    tcase_add_test(tc, choose_across_sets);
    tcase_add_test(tc, choose_single_member);
    tcase_add_test(tc, choose_nothing);
    suite_add_tcase(s, tc);
    return s;
}
