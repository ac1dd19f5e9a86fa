/* main.c — fairaudit: subcommand dispatch only. */
#include <stdio.h>
#include <string.h>

#include <cairo.h>
#include <csv.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <pango/pango.h>
#include <qpdf/qpdf-c.h>
#include <sodium.h>
#include <sqlite3.h>
#include <xlsxwriter.h>
#include <yaml.h>
#include <zip.h>
#include <zlib.h>

#include "cmd.h"
#include "msg.h"
#include "version.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"audit", cmd_audit, "ingest, run and report in one step"},
    {"compare", cmd_compare, "compare two runs: regressions and drift"},
    {"history", cmd_history, "every dataset and run of the store"},
    {"ingest", cmd_ingest, "load a CSV into the store"},
    {"keygen", cmd_keygen, "write an Ed25519 key pair for signing packs"},
    {"pack", cmd_pack, "seal an output folder into a verifiable zip"},
    {"report", cmd_report, "write the outputs of a run"},
    {"run", cmd_run, "compute every group and intersection"},
    {"synth", cmd_synth, "write synthetic predictions with planted gaps"},
    {"templates", cmd_templates, "list, show or check report templates"},
    {"verify", cmd_verify, "check an audit pack"},
};

static void
usage(FILE *f)
{
    fprintf(f, "Usage: fairaudit COMMAND [options]\n\n"
               "Fairness and bias audits of a classifier's predictions.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < FA_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'fairaudit COMMAND --help' describes a command; "
               "'fairaudit --version' the build.\n"
               "Exit status: 0 done; 1 a verdict failed; 2 bad option or "
               "argument;\n3 unreadable or invalid input or store; 4 an "
               "output could not be written;\n5 internal error.\n");
}

static void
version(void)
{
    printf("fairaudit %s\n", FA_VERSION);
    printf("sqlite %s\n", sqlite3_libversion());
    printf("libcsv %d.%d.%d\n", CSV_MAJOR, CSV_MINOR, CSV_RELEASE);
    printf("jansson %s\n", jansson_version_str());
    printf("gsl %s\n", gsl_version);
    printf("libsodium %s\n", sodium_version_string());
    printf("zlib %s\n", zlibVersion());
    printf("libyaml %s\n", yaml_get_version_string());
    printf("cairo %s\n", cairo_version_string());
    printf("pango %s\n", pango_version_string());
    printf("libxlsxwriter %s\n", LXW_VERSION);
    printf("libzip %s\n", zip_libzip_version());
    printf("qpdf %s\n", qpdf_get_qpdf_version());
}

int
main(int argc, char **argv)
{
    /* GSL's default handler aborts the process; every GSL result is
     * checked where it is used instead */
    gsl_set_error_handler_off();
    if (sodium_init() < 0) {
        fa_errorf("cannot initialise libsodium");
        return FA_EXIT_INTERNAL;
    }
    if (argc < 2)
        return usage(stderr), FA_EXIT_USAGE;
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return fa_cmd_finish(FA_EXIT_OK);
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        version();
        return fa_cmd_finish(FA_EXIT_OK);
    }
    for (size_t i = 0; i < FA_ARRAY_LEN(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            fa_msg_set_command(commands[i].name);
            return commands[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr,
            "fairaudit: unknown command '%s'\n"
            "Try 'fairaudit --help'\n",
            argv[1]);
    return FA_EXIT_USAGE;
}
