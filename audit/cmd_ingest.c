/* cmd_ingest.c — fairaudit ingest: a CSV into the store. */
#include <string.h>

#include <getopt.h>

#include "cmd.h"
#include "msg.h"

static const struct fa_opt own[] = {
    {"db", 0, "FILE", "the store (default fairaudit.db)"},
    {"help", 'h', NULL, "show this help"},
    {"quiet", 'q', NULL, "no progress, no summary"},
};

int
cmd_ingest(int argc, char **argv)
{
    struct fa_opt opts[64];
    size_t n;
    struct fa_ingest_cli c = {0};
    struct fa_ingest_result res;
    const char *db = "fairaudit.db", *arg;
    fa_ctx *ctx;
    int k, code;

    n = fa_cmd_merge_opts(opts, FA_ARRAY_LEN(opts), own, FA_ARRAY_LEN(own),
                          fa_ingest_options, fa_ingest_noptions);
    c.o.max_rejects = FA_INGEST_MAX_REJECTS;
    optind = 0;
    while ((k = fa_cmd_getopt("ingest", argc, argv, opts, n, &arg)) != -1) {
        int r;

        if (k == -2) {
            fa_ingest_cli_release(&c);
            return FA_EXIT_USAGE;
        }
        if (strcmp(opts[k].name, "help") == 0) {
            fa_cmd_help("fairaudit ingest [options] FILE",
                        "Load predictions (CSV or TSV; a .gz file; - for "
                        "standard input) into the store.\nRows that cannot "
                        "be used are kept in the reject table with their "
                        "line and reason.",
                        opts, n);
            fa_ingest_cli_release(&c);
            return fa_cmd_finish(FA_EXIT_OK);
        }
        if (strcmp(opts[k].name, "db") == 0) {
            db = arg;
            continue;
        }
        if (strcmp(opts[k].name, "quiet") == 0) {
            fa_msg_set_quiet(1);
            continue;
        }
        r = fa_ingest_cli_apply("ingest", &c, opts[k].name, arg);
        if (r < 0) {
            fa_ingest_cli_release(&c);
            return FA_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fa_ingest_cli_release(&c);
        return fa_cmd_usage("ingest",
                            optind >= argc ? "no input file"
                                           : "one input file, not %d",
                            argc - optind);
    }
    c.o.path = argv[optind];
    if (fa_ingest_cli_check("ingest", &c) < 0) {
        fa_ingest_cli_release(&c);
        return FA_EXIT_USAGE;
    }
    ctx = fa_ctx_new();
    code = fa_ingest_cli_load(ctx, db, &c, &res);
    fa_ctx_free(ctx);
    fa_ingest_cli_release(&c);
    return fa_cmd_finish(code);
}
