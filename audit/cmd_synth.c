/* cmd_synth.c — fairaudit synth: synthetic predictions with planted
 * disparities. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "cmd.h"
#include "msg.h"
#include "synth.h"

enum {
    O_ATTR,
    O_BASE_RATE,
    O_FPR,
    O_HELP,
    O_MISSING,
    O_OUT,
    O_PLANT,
    O_ROWS,
    O_SEED,
    O_SEGMENT,
    O_TPR,
    O_WEIGHTS
};

static const struct fa_opt opts[] = {
    {"attr", 'a', "NAME=V:SHARE,...",
     "an attribute and its value shares (repeatable; replaces the default "
     "scenario)"},
    {"base-rate", 0, "P", "share of actual positives (default 0.3)"},
    {"fpr", 0, "P", "false positive rate (default 0.1)"},
    {"help", 'h', NULL, "show this help"},
    {"missing", 0, "P", "share of empty attribute values (default 0.01)"},
    {"out", 'o', "FILE", "write to FILE (default: standard output)"},
    {"plant", 0, "COL=VAL:RATE=M",
     "multiply RATE (base, tpr, fpr or sel) for one group (repeatable)"},
    {"rows", 'n', "N", "number of rows (default 10000)"},
    {"seed", 0, "S", "random seed (default 1)"},
    {"segment", 'g', "NAME=V:SHARE,...", "a segment column (repeatable)"},
    {"tpr", 0, "P", "true positive rate (default 0.8)"},
    {"weights", 0, NULL, "add a weight column"},
};

static int
prob(const char *arg, double *out)
{
    return fa_parse_double(arg, out) == 0 && *out >= 0 && *out <= 1 ? 0 : -1;
}

int
cmd_synth(int argc, char **argv)
{
    struct fa_synth_spec spec;
    const char *out = NULL, *arg;
    char **plants = NULL;
    size_t nplants = 0;
    int custom = 0, k, code = FA_EXIT_OK;
    fa_ctx *ctx = fa_ctx_new();
    FILE *f = stdout;
    int64_t seed;

    fa_synth_default(&spec);
    optind = 0;
    while ((k = fa_cmd_getopt("synth", argc, argv, opts, FA_ARRAY_LEN(opts),
                              &arg)) != -1) {
        double p;

        if (k == -2) {
            code = FA_EXIT_USAGE;
            goto out;
        }
        switch (k) {
        case O_ATTR:
        case O_SEGMENT:
            if (!custom) {
                /* a given column list replaces the default scenario */
                fa_synth_release(&spec);
                custom = 1;
            }
            if (fa_synth_add_column(ctx, &spec, arg, k == O_SEGMENT)) {
                code = fa_cmd_usage("synth", "%s", fa_ctx_msg(ctx));
                goto out;
            }
            break;
        case O_BASE_RATE:
        case O_FPR:
        case O_TPR:
        case O_MISSING:
            if (prob(arg, &p) != 0) {
                code = fa_cmd_usage("synth", "bad --%s '%s' (0 to 1)",
                                    opts[k].name, arg);
                goto out;
            }
            *(k == O_BASE_RATE ? &spec.base_rate
              : k == O_FPR     ? &spec.fpr
              : k == O_TPR     ? &spec.tpr
                               : &spec.missing) = p;
            break;
        case O_HELP:
            fa_cmd_help("fairaudit synth [options]",
                        "Write synthetic predictions with planted group "
                        "disparities as CSV.\nThe same options and seed give "
                        "the same bytes.",
                        opts, FA_ARRAY_LEN(opts));
            code = FA_EXIT_OK;
            goto out;
        case O_OUT:
            out = arg;
            break;
        case O_PLANT:
            plants = fa_xrealloc(plants, nplants + 1, sizeof(char *));
            plants[nplants++] = (char *)arg;
            break;
        case O_ROWS:
            if (fa_cmd_parse_int(arg, 0, &spec.rows) != 0) {
                code = fa_cmd_usage("synth", "bad --rows '%s'", arg);
                goto out;
            }
            break;
        case O_SEED:
            if (fa_cmd_parse_int(arg, 0, &seed) != 0) {
                code = fa_cmd_usage("synth", "bad --seed '%s'", arg);
                goto out;
            }
            spec.seed = (uint64_t)seed;
            break;
        case O_WEIGHTS:
            spec.weights = 1;
            break;
        }
    }
    if (optind != argc) {
        code = fa_cmd_usage("synth", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    for (size_t i = 0; i < nplants; i++) {
        if (fa_synth_plant(ctx, &spec, plants[i]) != FA_OK) {
            code = fa_cmd_usage("synth", "%s", fa_ctx_msg(ctx));
            goto out;
        }
    }
    if (out && strcmp(out, "-") != 0 && !(f = fopen(out, "w"))) {
        fa_errorf("cannot write '%s': %s", out, strerror(errno));
        code = FA_EXIT_OUTPUT;
        goto out;
    }
    if (fa_synth_write(ctx, &spec, f) != FA_OK)
        code = fa_cmd_fail(ctx);
    if (f != stdout && fclose(f) != 0 && code == FA_EXIT_OK) {
        fa_errorf("cannot write '%s': %s", out, strerror(errno));
        code = FA_EXIT_OUTPUT;
    }
out:
    free(plants);
    fa_synth_release(&spec);
    fa_ctx_free(ctx);
    return fa_cmd_finish(code);
}
