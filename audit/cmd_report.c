/* cmd_report.c — fairaudit report: the outputs of one run, from the store
 * alone. */
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "cmd.h"
#include "msg.h"
#include "report_pdf.h"
#include "version.h"

static const struct fa_opt own[] = {
    {"db", 0, "FILE", "the store (default fairaudit.db)"},
    {"help", 'h', NULL, "show this help"},
    {"out", 'o', "DIR", "output folder (required)"},
    {"quiet", 'q', NULL, "no summary"},
    {"run", 0, "ID", "the run to report (default: the newest)"},
};

int
cmd_report(int argc, char **argv)
{
    struct fa_opt opts[32];
    struct fa_report_opts ro = {0};
    const char *db = "fairaudit.db", *out = NULL, *arg;
    fa_store *st = NULL;
    int64_t run_id = 0;
    fa_ctx *ctx;
    fa_err err;
    size_t n;
    int k, code = FA_EXIT_OK;

    n = fa_cmd_merge_opts(opts, FA_ARRAY_LEN(opts), own, FA_ARRAY_LEN(own),
                          fa_report_options, fa_report_noptions);
    optind = 0;
    while ((k = fa_cmd_getopt("report", argc, argv, opts, n, &arg)) != -1) {
        const char *name;

        if (k == -2)
            return FA_EXIT_USAGE;
        name = opts[k].name;
        if (strcmp(name, "db") == 0) {
            db = arg;
        } else if (strcmp(name, "help") == 0) {
            fa_cmd_help("fairaudit report [options] --out DIR",
                        "Write the outputs of a run from the store alone: "
                        "DIR/results.json,\nDIR/report.pdf, "
                        "DIR/workbook.xlsx and every chart as "
                        "DIR/charts/NAME.svg\nand NAME.png.",
                        opts, n);
            return fa_cmd_finish(FA_EXIT_OK);
        } else if (strcmp(name, "out") == 0) {
            out = arg;
        } else if (strcmp(name, "quiet") == 0) {
            fa_msg_set_quiet(1);
        } else if (strcmp(name, "run") == 0) {
            if (fa_cmd_parse_int(arg, 1, &run_id) != 0)
                return fa_cmd_usage("report", "bad --run '%s'", arg);
        } else if (fa_report_cli_apply("report", &ro, name, arg) < 0) {
            return FA_EXIT_USAGE;
        }
    }
    if (optind != argc)
        return fa_cmd_usage("report", "unexpected argument '%s'", argv[optind]);
    if (!out)
        return fa_cmd_usage("report", "--out DIR is required");
    ro.store = db;
    ro.tool_version = FA_VERSION;
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
    if (err)
        code = fa_cmd_fail(ctx);
    else
        code = fa_report_cli_write(ctx, st, run_id, out, &ro);
    fa_store_close(st);
    fa_ctx_free(ctx);
    return fa_cmd_finish(code);
}
