/* cmd_templates.c — fairaudit templates: list, show and check report
 * templates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>
#include <jansson.h>

#include "cmd.h"
#include "msg.h"
#include "policy.h"
#include "run.h"

static const struct fa_opt own[] = {
    {"help", 'h', NULL, "show this help"},
};

static int
list(void)
{
    for (size_t i = 0; fa_template_names[i]; i++) {
        fa_ctx *ctx = fa_ctx_new();
        fa_template t;

        if (fa_template_load(ctx, fa_template_names[i], &t) != FA_OK) {
            int code = fa_cmd_fail(ctx);

            fa_ctx_free(ctx);
            return code;
        }
        printf("%-20s %s\n", t.name, t.title);
        fa_template_release(&t);
        fa_ctx_free(ctx);
    }
    return FA_EXIT_OK;
}

/* show: the resolved template as indented JSON; check: one line. */
static int
load(const char *spec, int show)
{
    fa_ctx *ctx = fa_ctx_new();
    struct fa_run_opts ro = {0};
    fa_template t;
    int code = FA_EXIT_OK;

    if (fa_template_load(ctx, spec, &t) != FA_OK) {
        code = fa_cmd_fail(ctx);
        fa_ctx_free(ctx);
        return code;
    }
    fa_template_resolve(&t, &ro);
    if (show) {
        char *s = fa_template_json(&t);
        json_t *j = json_loads(s, 0, NULL);
        char *pretty = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) |
                                         JSON_REAL_PRECISION(17));

        printf("%s\n", pretty);
        free(pretty);
        json_decref(j);
        free(s);
    } else {
        printf("%s: template %s is valid (%zu checks)\n", spec, t.name,
               t.nchecks);
    }
    fa_template_release(&t);
    fa_ctx_free(ctx);
    return code;
}

int
cmd_templates(int argc, char **argv)
{
    const char *arg;
    int k;

    optind = 0;
    while ((k = fa_cmd_getopt("templates", argc, argv, own, FA_ARRAY_LEN(own),
                              &arg)) != -1) {
        if (k == -2)
            return FA_EXIT_USAGE;
        fa_cmd_help("fairaudit templates list | show NAME|FILE | check FILE",
                    "List the bundled report templates, print one resolved "
                    "(as JSON), or\ncheck a template file of your own.",
                    own, FA_ARRAY_LEN(own));
        return fa_cmd_finish(FA_EXIT_OK);
    }
    if (optind >= argc)
        return fa_cmd_usage("templates", "list, show or check?");
    if (strcmp(argv[optind], "list") == 0 && optind + 1 == argc)
        return fa_cmd_finish(list());
    if ((strcmp(argv[optind], "show") == 0 ||
         strcmp(argv[optind], "check") == 0) &&
        optind + 2 == argc)
        return fa_cmd_finish(
            load(argv[optind + 1], strcmp(argv[optind], "show") == 0));
    return fa_cmd_usage("templates",
                        "expected 'list', 'show NAME|FILE' or 'check FILE'");
}
