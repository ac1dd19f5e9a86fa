/* test_rerun.c — a run's rows as CSV, the resolved template read back,
 * and the run done again from the rows. (tests/e2e.sh packs with
 * --include-rows and verifies.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ingest.h"
#include "policy.h"
#include "rerun.h"
#include "results_json.h"
#include "run.h"
#include "tests.h"

/* Writes text to a new temporary file; its path into path. */
static void
write_tmp(char *path, const char *text)
{
    int fd = mkstemp(path);
    FILE *f;

    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Every bundled template, resolved, written as JSON, read back and
 * resolved again, gives the same JSON: a pack's template.json runs the
 * same run. */
START_TEST(template_round_trip)
{
    for (size_t i = 0; fa_template_names[i]; i++) {
        fa_ctx *ctx = fa_ctx_new();
        fa_template t, u;
        struct fa_run_opts o = {0}, p = {0};
        char *a, *b;

        ck_assert_int_eq(fa_template_load(ctx, fa_template_names[i], &t),
                         FA_OK);
        o.suppress = 7; /* as a command line overrides it */
        fa_template_resolve(&t, &o);
        a = fa_template_json(&t);
        ck_assert_msg(
            fa_template_parse(ctx, a, strlen(a), "template.json", &u) == FA_OK,
            "%s: %s", fa_template_names[i], fa_ctx_msg(ctx));
        fa_template_resolve(&u, &p);
        b = fa_template_json(&u);
        ck_assert_msg(strcmp(a, b) == 0, "%s:\n%s\n%s", fa_template_names[i], a,
                      b);
        ck_assert_int_eq(u.suppress, 7);
        free(a);
        free(b);
        fa_template_release(&t);
        fa_template_release(&u);
        fa_ctx_free(ctx);
    }
}
END_TEST

/* A check's unset bound and an unset reference (null in the JSON) are
 * read as unset, and a quoted "null" is still a string. */
START_TEST(template_nulls)
{
    static const char text[] =
        "{\"name\": \"t\", \"title\": \"T\", \"source\": \"s\", "
        "\"reference\": null, \"checks\": [{\"metric\": \"tpr\", "
        "\"measure\": \"difference\", \"min\": -0.1, \"max\": null}]}";
    static const char quoted[] =
        "{\"name\": \"t\", \"title\": \"T\", \"source\": \"s\", "
        "\"checks\": [{\"metric\": \"tpr\", \"min\": \"null\"}]}";
    fa_ctx *ctx = fa_ctx_new();
    fa_template t;

    ck_assert_int_eq(fa_template_parse(ctx, text, strlen(text), "t", &t),
                     FA_OK);
    ck_assert_ptr_null(t.reference);
    ck_assert_uint_eq(t.nchecks, 1);
    ck_assert(t.checks[0].has_min && !t.checks[0].has_max);
    ck_assert(t.checks[0].min == -0.1);
    fa_template_release(&t);
    ck_assert_int_eq(fa_template_parse(ctx, quoted, strlen(quoted), "t", &t),
                     FA_ERR_USAGE);
    fa_ctx_free(ctx);
}
END_TEST

/* The rows as CSV: the fixed columns renamed clear of the audited ones,
 * text quoted (quotes doubled), a missing value empty, a binned column's
 * number, scores and weights as the shortest exact decimals. */
START_TEST(rows_csv_by_hand)
{
    static const char csv[] = "label,y,p,s,w,age\n"
                              "\"a,\"\"b\",1,1,0.1,2.5,40\n"
                              ",0,1,0.30000000000000004,1,\n"
                              "c,1,0,1e-300,0.5,17\n";
    static const char want[] =
        "\"_label\",\"pred\",\"score\",\"weight\",\"label\",\"age\"\n"
        "1,1,0.1,2.5,\"a,\"\"b\",40\n"
        "0,1,0.30000000000000004,1,,\n"
        "1,0,1e-300,0.5,\"c\",17\n";
    static const char *const attrs[] = {"label"}, *const segs[] = {"age"};
    static const struct fa_bin_opt bins[] = {{"age", "18,65"}};
    char path[] = "/tmp/fa-rerun-XXXXXX";
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ir;
    fa_dataset ds;
    json_t *cols;
    char *text;
    size_t len;

    write_tmp(path, csv);
    o.path = path;
    o.label = "y";
    o.pred = "p";
    o.score = "s";
    o.weight = "w";
    o.attrs = attrs;
    o.nattrs = 1;
    o.segments = segs;
    o.nsegments = 1;
    o.bins = bins;
    o.nbins = 1;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, &st), FA_OK);
    ck_assert_msg(fa_ingest(ctx, st, &o, &ir) == FA_OK, "%s", fa_ctx_msg(ctx));
    unlink(path);
    ck_assert_int_eq(fa_store_dataset_load(ctx, st, ir.dataset_id, &ds), FA_OK);
    ck_assert_int_eq(fa_rerun_rows_csv(ctx, st, &ds, &text, &len, &cols),
                     FA_OK);
    ck_assert_str_eq(text, want);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_str_eq(json_string_value(json_object_get(cols, "label")),
                     "_label");
    ck_assert_str_eq(json_string_value(json_object_get(cols, "weight")),
                     "weight");
    free(text);
    json_decref(cols);
    fa_dataset_release(&ds);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

/* values.csv by hand: a cell is the attribute g and the strata column st;
 * the segment seg apart; rows of one cell, label, decision, score and
 * weight counted together. */
START_TEST(values_csv_by_hand)
{
    /* the first row's values come last in their columns' order: lines
     * follow the values' order, not the input's */
    static const char csv[] = "g,seg,st,y,p,s,w\n"
                              "b,,v,0,1,0.25,1\n"
                              "a,y,v,1,0,0.5,2\n"
                              "a,x,u,1,1,0.5,2\n"
                              "a,x,u,1,1,0.5,2\n"
                              "a,y,u,1,1,0.5,3\n"
                              "b,x,u,0,0,0.75,1\n";
    static const char want[] = "kind,\"g\",\"seg\",\"st\",label,pred,score,"
                               "weight,rows\n"
                               "cell,\"a\",,\"u\",1,1,0.5,2,2\n"
                               "cell,\"a\",,\"u\",1,1,0.5,3,1\n"
                               "cell,\"a\",,\"v\",1,0,0.5,2,1\n"
                               "cell,\"b\",,\"u\",0,0,0.75,1,1\n"
                               "cell,\"b\",,\"v\",0,1,0.25,1,1\n"
                               "\"segment:seg\",,\"x\",,1,1,0.5,2,2\n"
                               "\"segment:seg\",,\"x\",,0,0,0.75,1,1\n"
                               "\"segment:seg\",,\"y\",,1,1,0.5,3,1\n"
                               "\"segment:seg\",,\"y\",,1,0,0.5,2,1\n"
                               "\"segment:seg\",,,,0,1,0.25,1,1\n";
    static const char *const attrs[] = {"g"}, *const segs[] = {"seg", "st"};
    char path[] = "/tmp/fa-rerun-XXXXXX";
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ir;
    fa_dataset ds;
    char *text;
    size_t len;

    write_tmp(path, csv);
    o.path = path;
    o.label = "y";
    o.pred = "p";
    o.score = "s";
    o.weight = "w";
    o.attrs = attrs;
    o.nattrs = 1;
    o.segments = segs;
    o.nsegments = 2;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, &st), FA_OK);
    ck_assert_msg(fa_ingest(ctx, st, &o, &ir) == FA_OK, "%s", fa_ctx_msg(ctx));
    unlink(path);
    ck_assert_int_eq(fa_store_dataset_load(ctx, st, ir.dataset_id, &ds), FA_OK);
    ck_assert_int_eq(fa_rerun_values_csv(ctx, st, &ds, "st", &text, &len),
                     FA_OK);
    ck_assert_str_eq(text, want);
    ck_assert_uint_eq(len, strlen(want));
    free(text);
    fa_dataset_release(&ds);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

/* Audits text (g, h, y, p, s), writes its rows, runs them again with the
 * first run's options and template, and compares results.json's numbers
 * and verdicts; then a changed row must change them. */
START_TEST(run_again_from_rows)
{
    static const char *const attrs[] = {"g", "h"};
    char path[] = "/tmp/fa-rerun-XXXXXX", rows[] = "/tmp/fa-rerun-XXXXXX";
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ir;
    struct fa_run_opts ro = {.tool_version = "t",
                             .bootstrap = 200,
                             .seed = 9,
                             .has_seed = 1,
                             .suppress = 6};
    fa_template t;
    fa_dataset ds;
    json_t *cols, *first, *again, *mapping;
    char *text, *res, *res2, *tj;
    size_t len;
    int64_t run_id, n;
    FILE *f;
    char *csv = NULL;
    size_t clen = 0;
    FILE *m = open_memstream(&csv, &clen);

    fputs("g,h,y,p,s\n", m);
    for (int i = 0; i < 400; i++)
        fprintf(m, "%s,%s,%d,%d,%.3f\n",
                i % 7 == 0 ? "a"
                : i < 5    ? ""
                           : "b",
                i % 3 ? "x" : "y", (i * 7) % 5 < 2, (i * 3) % 4 == 0,
                (double)((i * 37) % 101) / 100);
    fclose(m);
    write_tmp(path, csv);
    free(csv);
    o.path = path;
    o.label = "y";
    o.pred = "p";
    o.score = "s";
    o.attrs = attrs;
    o.nattrs = 2;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, &st), FA_OK);
    ck_assert_int_eq(fa_ingest(ctx, st, &o, &ir), FA_OK);
    unlink(path);
    ck_assert_int_eq(fa_template_load(ctx, "generic", &t), FA_OK);
    fa_template_resolve(&t, &ro);
    ro.tmpl = &t;
    ro.dataset_id = ir.dataset_id;
    ck_assert_int_eq(fa_run(ctx, st, &ro, &run_id), FA_OK);
    ck_assert_int_eq(fa_results_json_text(ctx, st, run_id, &res), FA_OK);
    first = json_loads(res, 0, NULL);
    ck_assert_ptr_nonnull(first);
    ck_assert_int_eq(fa_store_dataset_load(ctx, st, ir.dataset_id, &ds), FA_OK);
    ck_assert_int_eq(fa_rerun_rows_csv(ctx, st, &ds, &text, &len, &cols),
                     FA_OK);
    write_tmp(rows, text);
    mapping = json_pack("{s:[s,s], s:[]}", "attributes", "g", "h", "segments");
    json_object_update(mapping, cols);
    tj = fa_template_json(&t);
    ck_assert_msg(fa_rerun(ctx, rows, mapping, tj, first, &res2, &n) == FA_OK,
                  "%s", fa_ctx_msg(ctx));
    ck_assert_int_eq(n, 400);
    again = json_loads(res2, 0, NULL);
    ck_assert_ptr_nonnull(again);
    for (const char *const *k =
             (const char *const[]){"overall", "groups", "aggregates",
                                   "verdicts", "verdict", "score_median",
                                   "template", NULL};
         *k; k++)
        ck_assert_msg(
            json_equal(json_object_get(first, *k), json_object_get(again, *k)),
            "%s differs", *k);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(again, "run"), "suppress")),
                     6);
    /* one row's label flipped: the numbers differ */
    free(res2);
    json_decref(again);
    text[strlen("\"label\",\"pred\",\"score\",\"g\",\"h\"\n")] ^= 1;
    f = fopen(rows, "w");
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(fa_rerun(ctx, rows, mapping, tj, first, &res2, &n), FA_OK);
    again = json_loads(res2, 0, NULL);
    ck_assert(!json_equal(json_object_get(first, "overall"),
                          json_object_get(again, "overall")));
    unlink(rows);
    free(res2);
    free(res);
    free(text);
    free(tj);
    json_decref(again);
    json_decref(first);
    json_decref(mapping);
    json_decref(cols);
    fa_dataset_release(&ds);
    fa_template_release(&t);
    fa_store_close(st);
    fa_ctx_free(ctx);
}
END_TEST

Suite *
rerun_suite(void)
{
    Suite *s = suite_create("rerun");
    TCase *tc = tcase_create("rerun");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, template_round_trip);
    tcase_add_test(tc, template_nulls);
    tcase_add_test(tc, rows_csv_by_hand);
    tcase_add_test(tc, values_csv_by_hand);
    tcase_add_test(tc, run_again_from_rows);
    suite_add_tcase(s, tc);
    return s;
}
