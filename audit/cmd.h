/* cmd.h — the subcommands, their exit codes and the option machinery they
 * share. Only main.c and cmd_*.c include this.
 */
#ifndef FA_CMD_H
#define FA_CMD_H

#include <stdio.h>

#include "ingest.h"
#include "policy.h"
#include "run.h"
#include "util.h"

/* Exit codes: listed in README and --help, never renumbered. */
enum fa_exit {
    FA_EXIT_OK = 0,      /* done; every verdict passed */
    FA_EXIT_FAIL = 1,    /* done, but a verdict failed */
    FA_EXIT_USAGE = 2,   /* bad option or argument */
    FA_EXIT_INPUT = 3,   /* unreadable or invalid CSV, template or store */
    FA_EXIT_OUTPUT = 4,  /* an output could not be written */
    FA_EXIT_INTERNAL = 5 /* bug or unexpected library failure */
};

int cmd_audit(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_templates(int argc, char **argv);

/* One option: its long name, short letter (0: none), whether it takes an
 * argument (named arg in help) and its help text. Tables are sorted by
 * long name. */
struct fa_opt {
    const char *name;
    int letter;
    const char *arg;
    const char *help;
};

/*
 * getopt_long over a table: returns the index of the option found, -1 at
 * the end, -2 on an unknown option or a missing argument (the message is
 * printed). *arg is the option's argument.
 */
int fa_cmd_getopt(const char *cmd, int argc, char **argv,
                  const struct fa_opt *opts, size_t n, const char **arg);

/* Copies tables a and b into out (at most cap) sorted by long name;
 * returns the count. */
size_t fa_cmd_merge_opts(struct fa_opt *out, size_t cap, const struct fa_opt *a,
                         size_t na, const struct fa_opt *b, size_t nb);

/* Prints a command's --help: usage line, description, options, exit codes. */
void fa_cmd_help(const char *usage, const char *about,
                 const struct fa_opt *opts, size_t n);

/* Prints a usage error and the "Try" line; returns FA_EXIT_USAGE. */
int fa_cmd_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the context's error and returns the exit code for it. */
int fa_cmd_fail(const fa_ctx *ctx);

/* The exit code of an error. */
int fa_exit_code(fa_err err);

/* Closes stdout; FA_EXIT_OUTPUT when that fails, else code. */
int fa_cmd_finish(int code);

/* The ingest options, shared by ingest and audit. */
struct fa_ingest_cli {
    struct fa_ingest_opts o;
    char **attrs, **segments;
    struct fa_bin_opt *bins;
    char **bin_text;
    int quiet;
};

extern const struct fa_opt fa_ingest_options[];
extern const size_t fa_ingest_noptions;

/*
 * Applies ingest option name (a long name) to c; returns 1 when it was an
 * ingest option, 0 when not, -1 after printing a usage error.
 */
int fa_ingest_cli_apply(const char *cmd, struct fa_ingest_cli *c,
                        const char *name, const char *arg);
/* Checks the combination once all options are read; -1 after a usage
 * error. */
int fa_ingest_cli_check(const char *cmd, struct fa_ingest_cli *c);
void fa_ingest_cli_release(struct fa_ingest_cli *c);

/* Runs the load and prints its summary; returns an exit code. */
int fa_ingest_cli_load(fa_ctx *ctx, const char *db, struct fa_ingest_cli *c,
                       struct fa_ingest_result *res);

/* The run options, shared by run and audit. */
struct fa_run_opts;
extern const struct fa_opt fa_run_options[];
extern const size_t fa_run_noptions;

/*
 * Applies run option name to o; returns 1 when it was a run option, 0 when
 * not, -1 after printing a usage error.
 */
int fa_run_cli_apply(const char *cmd, struct fa_run_opts *o, const char *name,
                     const char *arg);

/* The template options, shared by run and audit: --template, --field,
 * --fail-on. */
struct fa_policy_cli {
    const char *spec; /* NULL: generic */
    fa_field *fields;
    size_t nfields;
    int fail_on_insufficient;
    fa_template t;
    int loaded;
};

extern const struct fa_opt fa_policy_options[];
extern const size_t fa_policy_noptions;

/* As fa_run_cli_apply, for the template options. */
int fa_policy_cli_apply(const char *cmd, struct fa_policy_cli *p,
                        const char *name, const char *arg);

/*
 * Loads the template, checks the --field values against it and resolves
 * it into ro (which then points at it). An exit code; the error printed.
 */
int fa_policy_cli_prepare(fa_ctx *ctx, struct fa_policy_cli *p,
                          struct fa_run_opts *ro);

/* Prints the verdict summary; the exit code the verdict asks for. */
int fa_policy_cli_verdict(const struct fa_policy_cli *p,
                          const struct fa_run_verdicts *v);

void fa_policy_cli_release(struct fa_policy_cli *p);

/* The report options, shared by report and audit. */
struct fa_report_opts;
extern const struct fa_opt fa_report_options[];
extern const size_t fa_report_noptions;

/* As fa_run_cli_apply, for the report options. */
int fa_report_cli_apply(const char *cmd, struct fa_report_opts *o,
                        const char *name, const char *arg);

/*
 * Writes every output of run_id into out (created): results.json,
 * report.pdf and charts/. An exit code; the error printed.
 */
int fa_report_cli_write(fa_ctx *ctx, fa_store *st, int64_t run_id,
                        const char *out, const struct fa_report_opts *o);

/* Parses all of arg as a whole number >= min into *out; -1 otherwise. */
int fa_cmd_parse_int(const char *arg, int64_t min, int64_t *out);

/* Makes directory dir (and its parents); -1 after printing an error. */
int fa_cmd_mkdirs(const char *dir);

/* The pack options (pack and audit --pack) and their parsing (as
 * fa_report_cli_apply). */
struct fa_pack_opts;
extern const struct fa_opt fa_pack_options[];
extern const size_t fa_pack_noptions;
int fa_pack_cli_apply(const char *cmd, struct fa_pack_opts *o, const char *name,
                      const char *arg);
/* Seals o->dir and says so; an exit code. */
int fa_pack_cli_write(fa_ctx *ctx, fa_store *st, struct fa_pack_opts *o);

/* argv as one shell-quoted line "fairaudit ..." (caller frees). */
char *fa_cmd_line(int argc, char **argv);

#endif /* FA_CMD_H */
