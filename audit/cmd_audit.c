/* cmd_audit.c — fairaudit audit: ingest, run and report in one command. */
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "cmd.h"
#include "msg.h"
#include "pack.h"
#include "report_pdf.h"
#include "results_json.h"
#include "run.h"
#include "version.h"

static const struct fa_opt own[] = {
    {"db", 0, "FILE", "the store (default fairaudit.db)"},
    {"help", 'h', NULL, "show this help"},
    {"out", 'o', "DIR", "output folder (required)"},
    {"pack", 0, NULL, "also seal DIR into DIR.zip (see 'fairaudit pack')"},
    {"quiet", 'q', NULL, "no progress, no summary"},
};

int
cmd_audit(int argc, char **argv)
{
    struct fa_opt opts[160], both[64], three[96], four[128], five[160];
    struct fa_pack_opts po = {0};
    int pack = 0;
    struct fa_report_opts rep = {0};
    struct fa_policy_cli pc = {0};
    struct fa_run_verdicts verdicts = {0};
    size_t n;
    struct fa_ingest_cli c = {0};
    struct fa_ingest_result ires;
    struct fa_run_opts ro = {0};
    const char *db = "fairaudit.db", *out = NULL, *arg;
    fa_store *st = NULL;
    int64_t run_id = 0;
    fa_ctx *ctx;
    fa_err err;
    int k, code;

    n = fa_cmd_merge_opts(both, FA_ARRAY_LEN(both), own, FA_ARRAY_LEN(own),
                          fa_run_options, fa_run_noptions);
    n = fa_cmd_merge_opts(three, FA_ARRAY_LEN(three), both, n,
                          fa_policy_options, fa_policy_noptions);
    n = fa_cmd_merge_opts(four, FA_ARRAY_LEN(four), three, n, fa_report_options,
                          fa_report_noptions);
    n = fa_cmd_merge_opts(five, FA_ARRAY_LEN(five), four, n, fa_ingest_options,
                          fa_ingest_noptions);
    n = fa_cmd_merge_opts(opts, FA_ARRAY_LEN(opts), five, n, fa_pack_options,
                          fa_pack_noptions);
    c.o.max_rejects = FA_INGEST_MAX_REJECTS;
    ro.tool_version = FA_VERSION;
    ro.verdicts = &verdicts;
    optind = 0;
    while ((k = fa_cmd_getopt("audit", argc, argv, opts, n, &arg)) != -1) {
        const char *name;

        if (k == -2) {
            fa_ingest_cli_release(&c);
            fa_policy_cli_release(&pc);
            fa_run_verdicts_release(&verdicts);
            return FA_EXIT_USAGE;
        }
        name = opts[k].name;
        if (strcmp(name, "help") == 0) {
            fa_cmd_help("fairaudit audit [options] --out DIR FILE",
                        "Load FILE into the store, compute every group and "
                        "intersection, judge them by a report template, and "
                        "write\nDIR/results.json, DIR/report.pdf, "
                        "DIR/workbook.xlsx and DIR/charts/: ingest, run\nand "
                        "report in one step. "
                        "Exit 1 when a verdict fails.",
                        opts, n);
            fa_ingest_cli_release(&c);
            fa_policy_cli_release(&pc);
            fa_run_verdicts_release(&verdicts);
            return fa_cmd_finish(FA_EXIT_OK);
        } else if (strcmp(name, "db") == 0) {
            db = arg;
        } else if (strcmp(name, "out") == 0) {
            out = arg;
        } else if (strcmp(name, "pack") == 0) {
            pack = 1;
        } else if (strcmp(name, "quiet") == 0) {
            fa_msg_set_quiet(1);
        } else {
            int r = fa_run_cli_apply("audit", &ro, name, arg);

            if (r == 0)
                r = fa_policy_cli_apply("audit", &pc, name, arg);
            if (r == 0)
                r = fa_report_cli_apply("audit", &rep, name, arg);
            if (r == 0)
                r = fa_ingest_cli_apply("audit", &c, name, arg);
            if (r == 0)
                r = fa_pack_cli_apply("audit", &po, name, arg);
            if (r < 0) {
                fa_ingest_cli_release(&c);
                fa_policy_cli_release(&pc);
                fa_run_verdicts_release(&verdicts);
                return FA_EXIT_USAGE;
            }
        }
    }
    code = FA_EXIT_USAGE;
    if (optind != argc - 1)
        fa_cmd_usage("audit",
                     optind >= argc ? "no input file"
                                    : "one input file, not %d",
                     argc - optind);
    else if (!out)
        fa_cmd_usage("audit", "--out DIR is required");
    else if (!pack && (po.sign_key || po.valid_until))
        fa_cmd_usage("audit", "--sign and --valid-until go with --pack");
    else if (fa_ingest_cli_check("audit", &c) == 0)
        code = FA_EXIT_OK;
    if (code != FA_EXIT_OK) {
        fa_ingest_cli_release(&c);
        fa_policy_cli_release(&pc);
        fa_run_verdicts_release(&verdicts);
        return code;
    }
    c.o.path = argv[optind];
    ctx = fa_ctx_new();
    /* the template is checked before anything is loaded */
    code = fa_policy_cli_prepare(ctx, &pc, &ro);
    if (code != FA_EXIT_OK)
        goto out;
    if (pc.t.requires_label && !c.o.label) {
        code = fa_cmd_usage("audit",
                            "template %s needs a label column: give "
                            "--label COL",
                            pc.t.name);
        goto out;
    }
    if (fa_run_check_reference(ctx, ro.reference) != FA_OK) {
        code = fa_cmd_fail(ctx);
        goto out;
    }
    code = fa_ingest_cli_load(ctx, db, &c, &ires);
    if (code != FA_EXIT_OK)
        goto out;
    ro.dataset_id = ires.dataset_id;
    err = fa_store_open(ctx, db, 0, &st);
    if (!err)
        err = fa_run(ctx, st, &ro, &run_id);
    if (err) {
        fa_store_close(st);
        code = fa_cmd_fail(ctx);
        goto out;
    }
    /* the output folder only once there is something to put in it */
    rep.store = db;
    rep.tool_version = FA_VERSION;
    code = fa_report_cli_write(ctx, st, run_id, out, &rep);
    if (code == FA_EXIT_OK && pack) {
        char *line = fa_cmd_line(argc, argv);

        po.dir = out;
        po.preparer = rep.preparer;
        po.reviewer = rep.reviewer;
        po.approver = rep.approver;
        po.command = line;
        po.tool_version = FA_VERSION;
        code = fa_pack_cli_write(ctx, st, &po);
        free(line);
    }
    fa_store_close(st);
    if (code != FA_EXIT_OK)
        goto out;
    code = fa_policy_cli_verdict(&pc, &verdicts);
out:
    fa_ctx_free(ctx);
    fa_ingest_cli_release(&c);
    fa_policy_cli_release(&pc);
    fa_run_verdicts_release(&verdicts);
    return fa_cmd_finish(code);
}
