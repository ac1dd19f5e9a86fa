/* cmd_pack.c — fairaudit pack, verify and keygen: the audit pack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "cmd.h"
#include "msg.h"
#include "pack.h"
#include "version.h"

/* ------------------------------------------------------------------ */
/* Shared                                                              */

const struct fa_opt fa_pack_options[] = {
    {"include-rows", 0, NULL,
     "put the parsed rows in the pack (rows.csv), so that verify runs the "
     "audit again from them"},
    {"sign", 0, "KEY", "sign the manifest with a key from 'fairaudit keygen'"},
    {"valid-until", 0, "DATE",
     "the last day (YYYY-MM-DD) the sign-off holds, in the manifest"},
};
const size_t fa_pack_noptions = FA_ARRAY_LEN(fa_pack_options);

int
fa_pack_cli_apply(const char *cmd, struct fa_pack_opts *o, const char *name,
                  const char *arg)
{
    if (strcmp(name, "include-rows") == 0) {
        o->include_rows = 1;
    } else if (strcmp(name, "sign") == 0) {
        o->sign_key = arg;
    } else if (strcmp(name, "valid-until") == 0) {
        int y, m, d;
        char end;

        if (sscanf(arg, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 ||
            strlen(arg) != 10 || m < 1 || m > 12 || d < 1 || d > 31)
            return fa_cmd_usage(cmd, "bad --valid-until '%s' (YYYY-MM-DD)",
                                arg),
                   -1;
        o->valid_until = arg;
    } else {
        return 0;
    }
    return 1;
}

/* argv (the command's: argv[0] is its name) as one line, each argument
 * quoted for a POSIX shell when it needs
 * it (caller frees). */
char *
fa_cmd_line(int argc, char **argv)
{
    char *s = fa_xstrdup("fairaudit");

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int plain = *a != '\0';
        char *q, *t;

        for (const char *p = a; *p; p++)
            plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                            "WXYZ0123456789-_=./,:@+%",
                            *p) != NULL;
        q = plain ? fa_xstrdup(a) : fa_shell_quote(a);
        t = fa_xasprintf("%s %s", s, q);
        free(q);
        free(s);
        s = t;
    }
    return s;
}

int
fa_pack_cli_write(fa_ctx *ctx, fa_store *st, struct fa_pack_opts *o)
{
    fa_err err = fa_pack(ctx, st, o);

    if (err)
        return fa_cmd_fail(ctx);
    if (o->out)
        fa_notef("sealed '%s' into '%s'%s", o->dir, o->out,
                 o->sign_key ? ", signed" : "");
    else
        fa_notef("sealed '%s' into '%s.zip'%s", o->dir, o->dir,
                 o->sign_key ? ", signed" : "");
    return FA_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* pack                                                                */

static const struct fa_opt pack_own[] = {
    {"approver", 0, "NAME", "the approver, in the manifest"},
    {"db", 0, "FILE", "the store that holds the run (default fairaudit.db)"},
    {"help", 'h', NULL, "show this help"},
    {"out", 'o', "FILE", "the zip to write (default DIR.zip)"},
    {"preparer", 0, "NAME", "the preparer, in the manifest"},
    {"quiet", 'q', NULL, "no summary"},
    {"reviewer", 0, "NAME", "the reviewer, in the manifest"},
};

int
cmd_pack(int argc, char **argv)
{
    struct fa_opt opts[32];
    struct fa_pack_opts po = {0};
    const char *db = "fairaudit.db", *arg;
    fa_store *st = NULL;
    fa_ctx *ctx;
    size_t n;
    int k, code;
    char *line;

    n = fa_cmd_merge_opts(opts, FA_ARRAY_LEN(opts), pack_own,
                          FA_ARRAY_LEN(pack_own), fa_pack_options,
                          fa_pack_noptions);
    optind = 0;
    while ((k = fa_cmd_getopt("pack", argc, argv, opts, n, &arg)) != -1) {
        const char *name;

        if (k == -2)
            return FA_EXIT_USAGE;
        name = opts[k].name;
        if (strcmp(name, "db") == 0) {
            db = arg;
        } else if (strcmp(name, "help") == 0) {
            fa_cmd_help("fairaudit pack [options] DIR",
                        "Seal an output folder of 'fairaudit report' into "
                        "DIR.zip: its files,\nthe resolved template, "
                        "cells.csv and values.csv (the run's sufficient "
                        "statistics) and\nmanifest.json (versions, input "
                        "and file hashes, the command line), signed\nwith "
                        "--sign. The same outputs give the same zip.",
                        opts, n);
            return fa_cmd_finish(FA_EXIT_OK);
        } else if (strcmp(name, "out") == 0) {
            po.out = arg;
        } else if (strcmp(name, "quiet") == 0) {
            fa_msg_set_quiet(1);
        } else if (strcmp(name, "preparer") == 0) {
            po.preparer = arg;
        } else if (strcmp(name, "reviewer") == 0) {
            po.reviewer = arg;
        } else if (strcmp(name, "approver") == 0) {
            po.approver = arg;
        } else if (fa_pack_cli_apply("pack", &po, name, arg) < 0) {
            return FA_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc)
        return fa_cmd_usage("pack",
                            optind >= argc ? "the output folder is missing"
                                           : "one folder, not %d",
                            argc - optind);
    po.dir = argv[optind];
    po.tool_version = FA_VERSION;
    line = fa_cmd_line(argc, argv);
    po.command = line;
    ctx = fa_ctx_new();
    if (fa_store_open(ctx, db, 0, &st) != FA_OK)
        code = fa_cmd_fail(ctx);
    else
        code = fa_pack_cli_write(ctx, st, &po);
    fa_store_close(st);
    fa_ctx_free(ctx);
    free(line);
    return fa_cmd_finish(code);
}

/* ------------------------------------------------------------------ */
/* verify                                                              */

static const struct fa_opt verify_own[] = {
    {"data", 0, "FILE", "the audited CSV: check it is the one the pack names"},
    {"db", 0, "FILE",
     "the store: check its run log still holds the pack's run, unchanged"},
    {"help", 'h', NULL, "show this help"},
    {"pubkey", 0, "KEY", "check the signature with this public key"},
    {"quiet", 'q', NULL, "print only what fails"},
};

static int verify_quiet;

static void
print_check(void *data, int ok, const char *what)
{
    (void)data;
    if (ok && verify_quiet)
        return;
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
}

int
cmd_verify(int argc, char **argv)
{
    struct fa_opt opts[8];
    struct fa_verify_opts vo = {0};
    const char *arg;
    fa_ctx *ctx;
    int k, ok = 0, code;

    memcpy(opts, verify_own, sizeof(verify_own));
    optind = 0;
    verify_quiet = 0;
    while ((k = fa_cmd_getopt("verify", argc, argv, opts,
                              FA_ARRAY_LEN(verify_own), &arg)) != -1) {
        const char *name;

        if (k == -2)
            return FA_EXIT_USAGE;
        name = opts[k].name;
        if (strcmp(name, "help") == 0) {
            fa_cmd_help("fairaudit verify [options] PACK.zip",
                        "Check an audit pack: the archive's form, every "
                        "file's hash, the signature,\nthe numbers of "
                        "results.json recomputed from cells.csv, the run "
                        "done again\nfrom the cells (and rows.csv), and with "
                        "--data the input. One line per\ncheck; exit 0 when "
                        "all hold, 1 otherwise.",
                        opts, FA_ARRAY_LEN(verify_own));
            return fa_cmd_finish(FA_EXIT_OK);
        } else if (strcmp(name, "data") == 0) {
            vo.data = arg;
        } else if (strcmp(name, "db") == 0) {
            vo.db = arg;
        } else if (strcmp(name, "pubkey") == 0) {
            vo.pubkey = arg;
        } else if (strcmp(name, "quiet") == 0) {
            verify_quiet = 1;
        }
    }
    if (optind + 1 != argc)
        return fa_cmd_usage("verify",
                            optind >= argc ? "the pack is missing"
                                           : "one pack, not %d",
                            argc - optind);
    vo.zip = argv[optind];
    vo.report = print_check;
    ctx = fa_ctx_new();
    if (fa_verify(ctx, &vo, &ok) != FA_OK)
        code = fa_cmd_fail(ctx);
    else
        code = ok ? FA_EXIT_OK : FA_EXIT_FAIL;
    if (code == FA_EXIT_OK || code == FA_EXIT_FAIL)
        printf("%s: %s\n", vo.zip,
               ok == 2 ? "verified, but the run was not done again (see "
                         "above)"
               : ok    ? "verified"
                       : "NOT verified");
    fa_ctx_free(ctx);
    return fa_cmd_finish(code);
}

/* ------------------------------------------------------------------ */
/* keygen                                                              */

static const struct fa_opt keygen_own[] = {
    {"help", 'h', NULL, "show this help"},
    {"quiet", 'q', NULL, "no summary"},
};

int
cmd_keygen(int argc, char **argv)
{
    struct fa_opt opts[4];
    const char *arg;
    fa_ctx *ctx;
    int k, code;

    memcpy(opts, keygen_own, sizeof(keygen_own));
    optind = 0;
    while ((k = fa_cmd_getopt("keygen", argc, argv, opts,
                              FA_ARRAY_LEN(keygen_own), &arg)) != -1) {
        if (k == -2)
            return FA_EXIT_USAGE;
        if (strcmp(opts[k].name, "help") == 0) {
            fa_cmd_help("fairaudit keygen [options] KEY",
                        "Write a new Ed25519 key pair: KEY (secret, mode "
                        "0600; for 'pack --sign')\nand KEY.pub (for 'verify "
                        "--pubkey'). An existing KEY is never overwritten.",
                        opts, FA_ARRAY_LEN(keygen_own));
            return fa_cmd_finish(FA_EXIT_OK);
        }
        fa_msg_set_quiet(1);
    }
    if (optind + 1 != argc)
        return fa_cmd_usage("keygen", "the key's file name is missing");
    ctx = fa_ctx_new();
    if (fa_keygen(ctx, argv[optind]) != FA_OK) {
        code = fa_cmd_fail(ctx);
    } else {
        fa_notef("wrote the secret key '%s' and the public key '%s.pub'",
                 argv[optind], argv[optind]);
        code = FA_EXIT_OK;
    }
    fa_ctx_free(ctx);
    return fa_cmd_finish(code);
}
