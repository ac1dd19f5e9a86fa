/* cmd_report.c — fairaudit report: the outputs of one run, from the store
 * alone. */
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "cmd.h"
#include "msg.h"
#include "results_json.h"

enum { O_DB, O_HELP, O_OUT, O_QUIET, O_RUN };

static const struct fa_opt opts[] = {
    {"db", 0, "FILE", "the store (default fairaudit.db)"},
    {"help", 'h', NULL, "show this help"},
    {"out", 'o', "DIR", "output folder (required)"},
    {"quiet", 'q', NULL, "no summary"},
    {"run", 0, "ID", "the run to report (default: the newest)"},
};

int
cmd_report(int argc, char **argv)
{
    const char *db = "fairaudit.db", *out = NULL, *arg;
    fa_store *st = NULL;
    int64_t run_id = 0;
    char *path = NULL;
    fa_ctx *ctx;
    fa_err err;
    int k, code = FA_EXIT_OK;

    optind = 0;
    while ((k = fa_cmd_getopt("report", argc, argv, opts, FA_ARRAY_LEN(opts),
                              &arg)) != -1) {
        switch (k) {
        case -2:
            return FA_EXIT_USAGE;
        case O_DB:
            db = arg;
            break;
        case O_HELP:
            fa_cmd_help("fairaudit report [options] --out DIR",
                        "Write the outputs of a run (DIR/results.json) from "
                        "the store alone.",
                        opts, FA_ARRAY_LEN(opts));
            return fa_cmd_finish(FA_EXIT_OK);
        case O_OUT:
            out = arg;
            break;
        case O_QUIET:
            fa_msg_set_quiet(1);
            break;
        case O_RUN:
            if (fa_cmd_parse_int(arg, 1, &run_id) != 0)
                return fa_cmd_usage("report", "bad --run '%s'", arg);
            break;
        }
    }
    if (optind != argc)
        return fa_cmd_usage("report", "unexpected argument '%s'", argv[optind]);
    if (!out)
        return fa_cmd_usage("report", "--out DIR is required");
    ctx = fa_ctx_new();
    err = fa_store_open(ctx, db, 0, &st);
    if (!err && !run_id) {
        err = fa_store_run_latest(ctx, st, &run_id);
        if (!err && !run_id)
            err = fa_ctx_fail(ctx, FA_ERR_NOT_FOUND,
                              "store '%s' has no run (run 'fairaudit run' "
                              "first)",
                              db);
    }
    if (!err && fa_cmd_mkdirs(out) != 0)
        code = FA_EXIT_OUTPUT;
    if (!err && code == FA_EXIT_OK) {
        path = fa_xasprintf("%s/results.json", out);
        err = fa_results_json_write(ctx, st, run_id, path);
        if (!err)
            fa_notef("wrote '%s'", path);
    }
    fa_store_close(st);
    if (err)
        code = fa_cmd_fail(ctx);
    free(path);
    fa_ctx_free(ctx);
    return fa_cmd_finish(code);
}
