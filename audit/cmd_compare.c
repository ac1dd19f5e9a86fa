/* cmd_compare.c — fairaudit history and fairaudit compare. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "compare.h"
#include "msg.h"
#include "report_pdf.h"
#include "report_xlsx.h"
#include "results_json.h"
#include "store.h"

/* ------------------------------------------------------------------ */
/* history                                                             */

static const struct fa_opt history_own[] = {
    {"db", 0, "FILE", "the store (default fairaudit.db)"},
    {"help", 'h', NULL, "show this help"},
    {"json", 0, NULL, "print the history as JSON"},
};

static void
print_value(json_t *v, const char *fmt)
{
    if (json_is_number(v))
        printf(fmt, json_number_value(v));
    else
        printf("%*s", (int)strlen("0.000"), "-");
}

int
cmd_history(int argc, char **argv)
{
    struct fa_opt opts[8];
    const char *db = "fairaudit.db", *arg;
    int k, as_json = 0, code = FA_EXIT_OK;
    fa_ctx *ctx;
    fa_store *st = NULL;
    int64_t last_ds = 0;
    json_t *root, *dss, *runs;
    fa_err err;

    memcpy(opts, history_own, sizeof(history_own));
    optind = 0;
    while ((k = fa_cmd_getopt("history", argc, argv, opts,
                              FA_ARRAY_LEN(history_own), &arg)) != -1) {
        const char *name;

        if (k == -2)
            return FA_EXIT_USAGE;
        name = opts[k].name;
        if (strcmp(name, "help") == 0) {
            fa_cmd_help("fairaudit history [options]",
                        "Every dataset and run of the store: when, which "
                        "template, the verdict and\nthe headline numbers "
                        "(as published: suppressed groups stay so).",
                        opts, FA_ARRAY_LEN(history_own));
            return fa_cmd_finish(FA_EXIT_OK);
        } else if (strcmp(name, "db") == 0) {
            db = arg;
        } else if (strcmp(name, "json") == 0) {
            as_json = 1;
        }
    }
    if (optind != argc)
        return fa_cmd_usage("history", "unexpected argument '%s'",
                            argv[optind]);
    ctx = fa_ctx_new();
    err = fa_store_open_readonly(ctx, db, &st);
    if (!err)
        err = fa_store_dataset_latest(ctx, st, &last_ds);
    if (err == FA_ERR_NOT_FOUND) {
        fa_ctx_clear(ctx);
        err = FA_OK;
        last_ds = 0;
    }
    root = json_object();
    dss = json_array();
    runs = NULL;
    for (int64_t id = 1; !err && id <= last_ds; id++) {
        fa_dataset ds;
        fa_err e = fa_store_dataset_load(ctx, st, id, &ds);

        if (e == FA_ERR_NOT_FOUND) {
            fa_ctx_clear(ctx);
            continue;
        }
        if (e) {
            err = e;
            break;
        }
        json_array_append_new(
            dss, json_pack("{s:I, s:s, s:s, s:I, s:I, s:s}", "id",
                           (json_int_t)ds.id, "source", ds.source, "sha256",
                           ds.sha256, "rows_loaded", (json_int_t)ds.rows_loaded,
                           "rows_rejected", (json_int_t)ds.rows_rejected,
                           "loaded_at", ds.loaded_at ? ds.loaded_at : ""));
        fa_dataset_release(&ds);
    }
    if (!err)
        err = fa_cmp_history(ctx, st, &runs);
    fa_store_close(st);
    if (err) {
        json_decref(root);
        json_decref(dss);
        json_decref(runs);
        code = fa_cmd_fail(ctx);
        fa_ctx_free(ctx);
        return fa_cmd_finish(code);
    }
    json_object_set_new(root, "datasets", dss);
    json_object_set_new(root, "runs", runs);
    if (as_json) {
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);

        printf("%s\n", s);
        free(s);
    } else {
        size_t i;
        json_t *x;

        printf("Datasets\n");
        printf("  %4s  %-20s  %10s  %-12s  %s\n", "id", "loaded", "rows",
               "sha256", "source");
        json_array_foreach(dss, i, x)
        {
            printf("  %4lld  %-20.20s  %10lld  %-12.12s  %s\n",
                   (long long)json_integer_value(json_object_get(x, "id")),
                   json_string_value(json_object_get(x, "loaded_at")),
                   (long long)json_integer_value(
                       json_object_get(x, "rows_loaded")),
                   json_string_value(json_object_get(x, "sha256")),
                   json_string_value(json_object_get(x, "source")));
        }
        printf("Runs\n");
        printf("  %4s  %-20s  %4s  %-20s  %-12s  %5s  %5s  %5s  %5s  %s\n",
               "id", "created", "data", "template", "verdict", "fail", "sel",
               "acc", "auc", "lowest selection ratio");
        json_array_foreach(runs, i, x)
        {
            json_t *h = json_object_get(x, "headline");
            json_t *vc = json_object_get(h, "verdicts");
            json_t *lg = json_object_get(h, "lowest_selection_ratio_group");
            const char *t = json_string_value(json_object_get(x, "template"));
            const char *v = json_string_value(json_object_get(x, "verdict"));

            printf("  %4lld  %-20.20s  %4lld  %-20.20s  %-12s  %5lld  ",
                   (long long)json_integer_value(json_object_get(x, "id")),
                   json_string_value(json_object_get(x, "created")),
                   (long long)json_integer_value(json_object_get(x, "dataset")),
                   t ? t : "-", v ? v : "-",
                   (long long)json_integer_value(json_object_get(vc, "fail")));
            print_value(json_object_get(h, "selection_rate"), "%5.3f");
            printf("  ");
            print_value(json_object_get(h, "accuracy"), "%5.3f");
            printf("  ");
            print_value(json_object_get(h, "auc"), "%5.3f");
            printf("  ");
            if (lg) {
                char *s = json_dumps(lg, JSON_COMPACT | JSON_SORT_KEYS);

                print_value(json_object_get(h, "lowest_selection_ratio"),
                            "%.3f");
                printf(" %s", s);
                free(s);
            } else {
                printf("-");
            }
            printf("\n");
        }
    }
    json_decref(root);
    fa_ctx_free(ctx);
    return fa_cmd_finish(code);
}

/* ------------------------------------------------------------------ */
/* compare                                                             */

static const struct fa_opt compare_own[] = {
    {"alpha", 0, "A", "significance after Holm's correction (default 0.05)"},
    {"db", 0, "FILE", "the store of run ids (default fairaudit.db)"},
    {"help", 'h', NULL, "show this help"},
    {"out", 'o', "DIR", "write DIR/compare.json, compare.pdf and compare.xlsx"},
    {"psi", 0, "P", "a population stability index above P is drift (0.25)"},
    {"quiet", 'q', NULL, "no summary"},
    {"tolerance", 0, "T",
     "the smallest change in a rate that is a regression (default: the "
     "candidate template's, or 0.02)"},
};

/* A side from a run id of the store, or a pack's path. */
static fa_err
load_side(fa_ctx *ctx, const char *db, fa_store **st, const char *arg,
          fa_cmp_side *side)
{
    int64_t id;

    if (fa_cmd_parse_int(arg, 1, &id) == 0) {
        fa_err err = *st ? FA_OK : fa_store_open_readonly(ctx, db, st);

        return err ? err : fa_cmp_side_from_run(ctx, *st, db, id, side);
    }
    return fa_cmp_side_from_pack(ctx, arg, side);
}

static double
jnum(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static void
summary(json_t *c)
{
    size_t i;
    json_t *e;

    printf("base:      %s\ncandidate: %s\n",
           json_string_value(
               json_object_get(json_object_get(c, "base"), "source")),
           json_string_value(
               json_object_get(json_object_get(c, "candidate"), "source")));
    printf("%lld regressions, %lld improvements (alpha %g after Holm, "
           "tolerance %g)\n",
           (long long)json_integer_value(json_object_get(c, "regressions")),
           (long long)json_integer_value(json_object_get(c, "improvements")),
           jnum(c, "alpha"), jnum(c, "tolerance"));
    json_array_foreach(json_object_get(c, "changes"), i, e)
    {
        int reg = json_is_true(json_object_get(e, "regression"));
        int imp = json_is_true(json_object_get(e, "improvement"));
        char *a;

        if (!reg && !imp)
            continue;
        a = json_dumps(json_object_get(e, "attributes"),
                       JSON_COMPACT | JSON_SORT_KEYS);
        printf("  %s %s %s %s: %.4f -> %.4f (%+.4f, adjusted p %.3g)\n",
               reg ? "WORSE " : "better",
               json_string_value(json_object_get(e, "kind")), a,
               json_string_value(json_object_get(e, "metric")), jnum(e, "base"),
               jnum(e, "candidate"), jnum(e, "change"), jnum(e, "p_adjusted"));
        free(a);
    }
    json_array_foreach(json_object_get(c, "verdicts_changed"), i, e)
    {
        char *a = json_dumps(json_object_get(e, "attributes"),
                             JSON_COMPACT | JSON_SORT_KEYS);
        const char *b = json_string_value(json_object_get(e, "base"));

        printf("  verdict %s %s %s: %s -> %s\n",
               json_string_value(json_object_get(e, "metric")),
               json_string_value(json_object_get(e, "kind")), a, b ? b : "none",
               json_string_value(json_object_get(e, "candidate")));
        free(a);
    }
    json_array_foreach(
        json_object_get(json_object_get(c, "drift"), "composition"), i, e)
    {
        printf("  mix of %s: PSI %.3f%s\n",
               json_string_value(json_object_get(e, "attribute")),
               jnum(e, "psi"),
               json_is_true(json_object_get(e, "alert")) ? " (drift)" : "");
    }
}

int
cmd_compare(int argc, char **argv)
{
    struct fa_opt opts[12];
    struct fa_compare_opts co = {-1, -1, 0.25};
    const char *db = "fairaudit.db", *out = NULL, *arg;
    int k, quiet = 0, code;
    fa_ctx *ctx;
    fa_store *st = NULL;
    fa_cmp_side base, cand;
    json_t *c = NULL;
    size_t regressions = 0;
    fa_err err;

    memcpy(opts, compare_own, sizeof(compare_own));
    optind = 0;
    while ((k = fa_cmd_getopt("compare", argc, argv, opts,
                              FA_ARRAY_LEN(compare_own), &arg)) != -1) {
        const char *name;
        char *end;

        if (k == -2)
            return FA_EXIT_USAGE;
        name = opts[k].name;
        if (strcmp(name, "help") == 0) {
            fa_cmd_help(
                "fairaudit compare [options] BASE CANDIDATE",
                "Compare two runs, each a run id of the store or an audit "
                "pack: every shared\ngroup's metrics with the change's "
                "interval and test, regressions (a change\nfor the worse, "
                "significant after Holm's correction and larger than the\n"
                "tolerance), groups that appeared or vanished, verdicts "
                "that changed, and\ndrift (group mix, base rates, scores). "
                "Exit 1 when there is a regression.",
                opts, FA_ARRAY_LEN(compare_own));
            return fa_cmd_finish(FA_EXIT_OK);
        } else if (strcmp(name, "db") == 0) {
            db = arg;
        } else if (strcmp(name, "out") == 0) {
            out = arg;
        } else if (strcmp(name, "quiet") == 0) {
            quiet = 1;
            fa_msg_set_quiet(1);
        } else {
            double x = strtod(arg, &end);
            int bad = end == arg || *end || !(x >= 0 && x < 1) ||
                      (strcmp(name, "alpha") == 0 && x <= 0) ||
                      (strcmp(name, "psi") == 0 && x <= 0);

            if (strcmp(name, "psi") == 0 && !bad)
                bad = 0;
            if (bad)
                return fa_cmd_usage("compare", "bad --%s '%s'", name, arg);
            *(strcmp(name, "alpha") == 0       ? &co.alpha
              : strcmp(name, "tolerance") == 0 ? &co.tolerance
                                               : &co.psi_alert) = x;
        }
    }
    if (optind + 2 != argc)
        return fa_cmd_usage("compare", "give two runs: BASE CANDIDATE");
    ctx = fa_ctx_new();
    memset(&base, 0, sizeof(base));
    memset(&cand, 0, sizeof(cand));
    err = load_side(ctx, db, &st, argv[optind], &base);
    if (!err)
        err = load_side(ctx, db, &st, argv[optind + 1], &cand);
    if (!err)
        err = fa_compare_runs(ctx, &base, &cand, &co, &c, &regressions);
    if (!err && out) {
        char *path = fa_xasprintf("%s/compare.json", out);
        char *text = json_dumps(c, JSON_INDENT(2) | JSON_SORT_KEYS);
        char *tmp = fa_xasprintf("%s.tmp", path);
        FILE *f = NULL;

        if (fa_cmd_mkdirs(out) != 0) {
            err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot create '%s'", out);
        } else if (!(f = fopen(tmp, "w")) || fputs(text, f) < 0 ||
                   fputc('\n', f) < 0 || fclose(f) != 0) {
            err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s'", tmp);
            unlink(tmp);
        } else {
            err = fa_file_commit(ctx, tmp, path);
        }
        free(tmp);
        free(text);
        if (!err) {
            /* the history: the store's runs, else the two compared */
            json_t *runs = NULL;
            char *pdf = fa_xasprintf("%s/compare.pdf", out);
            char *xlsx = fa_xasprintf("%s/compare.xlsx", out);

            if (st) {
                err = fa_cmp_history(ctx, st, &runs);
            } else {
                runs = json_array();
                json_array_append_new(runs, fa_cmp_run_entry(base.results));
                json_array_append_new(runs, fa_cmp_run_entry(cand.results));
            }
            if (!err)
                err = fa_compare_pdf_write(ctx, c, runs, pdf);
            if (!err)
                err = fa_compare_xlsx_write(ctx, c, runs, xlsx);
            /* pango's and fontconfig's caches, freed as report does */
            fa_report_release_fonts();
            if (!err)
                fa_notef("wrote '%s', '%s', '%s'", path, pdf, xlsx);
            json_decref(runs);
            free(pdf);
            free(xlsx);
        }
        free(path);
    }
    if (err) {
        code = fa_cmd_fail(ctx);
    } else {
        if (!quiet)
            summary(c);
        code = regressions ? FA_EXIT_FAIL : FA_EXIT_OK;
    }
    json_decref(c);
    fa_cmp_side_release(&base);
    fa_cmp_side_release(&cand);
    fa_store_close(st);
    fa_ctx_free(ctx);
    return fa_cmd_finish(code);
}
