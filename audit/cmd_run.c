/* cmd_run.c — fairaudit run: every group and intersection of a dataset. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "msg.h"
#include "results_json.h"
#include "run.h"
#include "version.h"

static const struct fa_opt own[] = {
    {"dataset", 0, "ID", "the dataset to audit (default: the newest)"},
    {"db", 0, "FILE", "the store (default fairaudit.db)"},
    {"help", 'h', NULL, "show this help"},
    {"out", 'o', "DIR", "also write DIR/results.json"},
    {"quiet", 'q', NULL, "no summary"},
    {"timings", 0, NULL, "print where the run's time went (stderr)"},
};

int
cmd_run(int argc, char **argv)
{
    struct fa_opt opts[64], both[64];
    struct fa_run_opts ro = {0};
    struct fa_policy_cli pc = {0};
    struct fa_run_verdicts verdicts = {0};
    struct fa_run_timings tm;
    int timings = 0;
    const char *db = "fairaudit.db", *out = NULL, *arg;
    fa_store *st = NULL;
    fa_ctx *ctx;
    int64_t run_id = 0;
    fa_err err;
    size_t n;
    int k;

    n = fa_cmd_merge_opts(both, FA_ARRAY_LEN(both), own, FA_ARRAY_LEN(own),
                          fa_run_options, fa_run_noptions);
    n = fa_cmd_merge_opts(opts, FA_ARRAY_LEN(opts), both, n, fa_policy_options,
                          fa_policy_noptions);
    optind = 0;
    ro.tool_version = FA_VERSION;
    ro.verdicts = &verdicts;
    while ((k = fa_cmd_getopt("run", argc, argv, opts, n, &arg)) != -1) {
        const char *name;

        if (k == -2) {
            fa_policy_cli_release(&pc);
            fa_run_verdicts_release(&verdicts);
            return FA_EXIT_USAGE;
        }
        name = opts[k].name;
        if (strcmp(name, "dataset") == 0) {
            if (fa_cmd_parse_int(arg, 1, &ro.dataset_id) != 0) {
                fa_policy_cli_release(&pc);
                fa_run_verdicts_release(&verdicts);
                return fa_cmd_usage("run", "bad --dataset '%s'", arg);
            }
        } else if (strcmp(name, "db") == 0) {
            db = arg;
        } else if (strcmp(name, "help") == 0) {
            fa_cmd_help("fairaudit run [options]",
                        "Compute every metric, interval and test for every "
                        "attribute, every\nintersection of the attributes "
                        "and every segment of a dataset in the\nstore, judge "
                        "them by a report template, and save the run. Exit "
                        "1 when\na verdict fails.",
                        opts, n);
            fa_policy_cli_release(&pc);
            fa_run_verdicts_release(&verdicts);
            return fa_cmd_finish(FA_EXIT_OK);
        } else if (strcmp(name, "out") == 0) {
            out = arg;
        } else if (strcmp(name, "quiet") == 0) {
            fa_msg_set_quiet(1);
        } else if (strcmp(name, "timings") == 0) {
            timings = 1;
            ro.timings = &tm;
        } else {
            int r = fa_run_cli_apply("run", &ro, name, arg);

            if (r == 0)
                r = fa_policy_cli_apply("run", &pc, name, arg);
            if (r < 0) {
                fa_policy_cli_release(&pc);
                fa_run_verdicts_release(&verdicts);
                return FA_EXIT_USAGE;
            }
        }
    }
    if (optind != argc) {
        fa_policy_cli_release(&pc);
        fa_run_verdicts_release(&verdicts);
        return fa_cmd_usage("run", "unexpected argument '%s'", argv[optind]);
    }
    ctx = fa_ctx_new();
    k = fa_policy_cli_prepare(ctx, &pc, &ro);
    if (k != FA_EXIT_OK) {
        fa_policy_cli_release(&pc);
        fa_run_verdicts_release(&verdicts);
        fa_ctx_free(ctx);
        return fa_cmd_finish(k);
    }
    err = fa_run_check_reference(ctx, ro.reference);
    if (!err && out && fa_cmd_mkdirs(out) != 0) {
        fa_policy_cli_release(&pc);
        fa_run_verdicts_release(&verdicts);
        fa_ctx_free(ctx);
        return fa_cmd_finish(FA_EXIT_OUTPUT);
    }
    if (!err)
        err = fa_store_open(ctx, db, 0, &st);
    if (!err)
        err = fa_run(ctx, st, &ro, &run_id);
    if (!err && out) {
        char *path = fa_xasprintf("%s/results.json", out);

        err = fa_results_json_write(ctx, st, run_id, path);
        if (!err)
            fa_notef("wrote '%s'", path);
        free(path);
    }
    fa_store_close(st);
    if (err) {
        int code = fa_cmd_fail(ctx);

        fa_policy_cli_release(&pc);
        fa_run_verdicts_release(&verdicts);
        fa_ctx_free(ctx);
        return fa_cmd_finish(code);
    }
    fa_notef("run %lld saved in '%s'", (long long)run_id, db);
    k = fa_policy_cli_verdict(&pc, &verdicts);
    fa_policy_cli_release(&pc);
    fa_run_verdicts_release(&verdicts);
    if (timings)
        fprintf(stderr,
                "timings: scan %.3f s, groups %.3f s, statistics %.3f s, "
                "bootstrap %.3f s, save %.3f s\n",
                tm.scan, tm.groups, tm.statistics, tm.bootstrap, tm.save);
    fa_ctx_free(ctx);
    return fa_cmd_finish(k);
}
