/* cmd_common.c — option parsing, help, exit codes and the ingest options
 * shared by the subcommands.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "compare.h"
#include "msg.h"
#include "report_pdf.h"
#include "report_xlsx.h"
#include "results_json.h"
#include "run.h"

#define MAX_OPTS 64

int
fa_cmd_getopt(const char *cmd, int argc, char **argv, const struct fa_opt *opts,
              size_t n, const char **arg)
{
    struct option lo[MAX_OPTS + 1];
    char shorts[2 * MAX_OPTS + 2], *p = shorts;
    int idx = -1, c;

    *p++ = ':'; /* report a missing argument as ':' */
    for (size_t i = 0; i < n && i < MAX_OPTS; i++) {
        lo[i].name = opts[i].name;
        lo[i].has_arg = opts[i].arg ? required_argument : no_argument;
        lo[i].flag = NULL;
        lo[i].val = 256 + (int)i;
        if (opts[i].letter) {
            *p++ = (char)opts[i].letter;
            if (opts[i].arg)
                *p++ = ':';
        }
    }
    *p = '\0';
    lo[n < MAX_OPTS ? n : MAX_OPTS] = (struct option){0};
    opterr = 0;
    c = getopt_long(argc, argv, shorts, lo, &idx);
    if (c == -1)
        return -1;
    *arg = optarg;
    if (c >= 256)
        return c - 256;
    if (c == '?' || c == ':') {
        const char *what = c == '?' ? "unknown option" : "missing argument to";

        if (optopt && optopt < 256)
            fa_cmd_usage(cmd, "%s '-%c'", what, optopt);
        else
            fa_cmd_usage(cmd, "%s '%s'", what, argv[optind - 1]);
        return -2;
    }
    for (size_t i = 0; i < n; i++)
        if (opts[i].letter == c)
            return (int)i;
    fa_cmd_usage(cmd, "unknown option '-%c'", c);
    return -2;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(((const struct fa_opt *)a)->name,
                  ((const struct fa_opt *)b)->name);
}

size_t
fa_cmd_merge_opts(struct fa_opt *out, size_t cap, const struct fa_opt *a,
                  size_t na, const struct fa_opt *b, size_t nb)
{
    size_t n = 0;

    for (size_t i = 0; i < na && n < cap; i++)
        out[n++] = a[i];
    for (size_t i = 0; i < nb && n < cap; i++)
        out[n++] = b[i];
    qsort(out, n, sizeof(*out), by_name);
    return n;
}

void
fa_cmd_help(const char *usage, const char *about, const struct fa_opt *opts,
            size_t n)
{
    printf("Usage: %s\n\n%s\n\nOptions:\n", usage, about);
    for (size_t i = 0; i < n; i++) {
        char left[64];

        if (opts[i].letter)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].letter,
                     opts[i].name, opts[i].arg ? " " : "",
                     opts[i].arg ? opts[i].arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", opts[i].name,
                     opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        printf("  %-30s %s\n", left, opts[i].help);
    }
    printf("\nExit status: 0 done; 1 a verdict failed; 2 bad option or "
           "argument;\n3 unreadable or invalid input or store; 4 an output "
           "could not be written;\n5 internal error.\n");
}

int
fa_cmd_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "fairaudit: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'fairaudit %s --help'\n", cmd);
    return FA_EXIT_USAGE;
}

int
fa_exit_code(fa_err err)
{
    switch (err) {
    case FA_OK:
        return FA_EXIT_OK;
    case FA_ERR_USAGE:
        return FA_EXIT_USAGE;
    case FA_ERR_IO_READ:
    case FA_ERR_CSV_HEADER:
    case FA_ERR_CSV_COLUMN:
    case FA_ERR_CSV_DUPLICATE:
    case FA_ERR_CSV_EMPTY:
    case FA_ERR_CSV_REJECTS:
    case FA_ERR_CARDINALITY:
    case FA_ERR_GZIP:
    case FA_ERR_STORE:
    case FA_ERR_STORE_VERSION:
    case FA_ERR_NOT_FOUND:
        return FA_EXIT_INPUT;
    case FA_ERR_IO_WRITE:
    case FA_ERR_STORE_WRITE:
        return FA_EXIT_OUTPUT;
    case FA_ERR_INTERNAL:
    case FA_ERR_COUNT:
        break;
    }
    return FA_EXIT_INTERNAL;
}

int
fa_cmd_fail(const fa_ctx *ctx)
{
    fa_err err = fa_ctx_err(ctx);

    if (err == FA_ERR_USAGE) {
        /* a usage error found by a stage: an argument the data refutes */
        fa_cmd_usage(fa_msg_command(), "%s", fa_ctx_msg(ctx));
        return FA_EXIT_USAGE;
    }
    fa_errorf("%s", *fa_ctx_msg(ctx) ? fa_ctx_msg(ctx) : fa_strerror(err));
    return fa_exit_code(err);
}

int
fa_cmd_finish(int code)
{
    if (fclose(stdout) != 0) {
        fa_errorf("cannot write to standard output: %s", strerror(errno));
        return FA_EXIT_OUTPUT;
    }
    return code;
}

int
fa_cmd_mkdirs(const char *dir)
{
    char *p = fa_xstrdup(dir);
    struct stat sb;

    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            fa_errorf("cannot create '%s': %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        fa_errorf("cannot create '%s': %s", p, strerror(errno));
        free(p);
        return -1;
    }
    if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fa_errorf("cannot create '%s': %s", p, strerror(ENOTDIR));
        free(p);
        return -1;
    }
    free(p);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The run options                                                     */

const struct fa_opt fa_run_options[] = {
    {"bootstrap", 0, "B",
     "bootstrap replicates for the aggregates' intervals (default 1000; 0: "
     "none)"},
    {"ci", 0, "METHOD",
     "interval of each rate: wilson (default) or exact (Clopper-Pearson)"},
    {"confidence", 0, "C", "confidence of every interval (default 0.95)"},
    {"correction", 0, "METHOD",
     "p-value adjustment in each family: holm (default) or bh"},
    {"min-class", 0, "N",
     "rows a rate's denominator needs on each side (default 10)"},
    {"min-group", 0, "N", "rows a group needs for a verdict (default 30)"},
    {"reference", 'r', "REF",
     "reference group: largest, best, overall, or COL=VALUE[,...] "
     "(default: the template's)"},
    {"seed", 0, "S", "seed of the bootstrap (default 1)"},
    {"strata", 0, "COL",
     "a --segment column: pool each comparison within its strata (CMH)"},
    {"suppress", 0, "N",
     "publish groups of fewer than N rows only as suppressed (default: the "
     "template's; 0: none)"},
};
const size_t fa_run_noptions = FA_ARRAY_LEN(fa_run_options);

const struct fa_opt fa_policy_options[] = {
    {"fail-on", 0, "LEVEL",
     "exit 1 on this verdict or worse: fail (default) or insufficient"},
    {"field", 0, "KEY=VALUE",
     "a fact the template requires, such as audit_date (repeatable)"},
    {"template", 0, "NAME|FILE",
     "the report template that judges the run (default generic)"},
};
const size_t fa_policy_noptions = FA_ARRAY_LEN(fa_policy_options);

int
fa_policy_cli_apply(const char *cmd, struct fa_policy_cli *p, const char *name,
                    const char *arg)
{
    if (strcmp(name, "template") == 0) {
        if (p->spec)
            return fa_cmd_usage(cmd, "--template is given twice"), -1;
        p->spec = arg;
    } else if (strcmp(name, "fail-on") == 0) {
        if (strcmp(arg, "fail") != 0 && strcmp(arg, "insufficient") != 0)
            return fa_cmd_usage(cmd,
                                "bad --fail-on '%s' (fail or "
                                "insufficient)",
                                arg),
                   -1;
        p->fail_on_insufficient = strcmp(arg, "insufficient") == 0;
    } else if (strcmp(name, "field") == 0) {
        const char *eq = strchr(arg, '=');
        const char *c = arg;

        while (eq && c < eq && (islower((unsigned char)*c) || *c == '_'))
            c++;
        if (!eq || eq == arg || c != eq)
            return fa_cmd_usage(cmd,
                                "bad --field '%s' (KEY=VALUE, the key of "
                                "a-z and _)",
                                arg),
                   -1;
        if (!fa_utf8_valid(eq + 1, strlen(eq + 1)))
            return fa_cmd_usage(cmd, "--field %.*s: the value is not UTF-8",
                                (int)(eq - arg), arg),
                   -1;
        p->fields = fa_xrealloc(p->fields, p->nfields + 1, sizeof(fa_field));
        p->fields[p->nfields].key = fa_xstrndup(arg, (size_t)(eq - arg));
        p->fields[p->nfields].value = fa_xstrdup(eq + 1);
        p->nfields++;
    } else {
        return 0;
    }
    return 1;
}

int
fa_policy_cli_prepare(fa_ctx *ctx, struct fa_policy_cli *p,
                      struct fa_run_opts *ro)
{
    fa_err err = fa_template_load(ctx, p->spec ? p->spec : "generic", &p->t);

    if (err)
        return fa_cmd_fail(ctx);
    p->loaded = 1;
    err = fa_template_check_fields(ctx, &p->t, p->fields, p->nfields);
    if (err)
        return fa_cmd_fail(ctx);
    fa_template_resolve(&p->t, ro);
    ro->tmpl = &p->t;
    ro->fields = p->fields;
    ro->nfields = p->nfields;
    return FA_EXIT_OK;
}

int
fa_policy_cli_verdict(const struct fa_policy_cli *p,
                      const struct fa_run_verdicts *v)
{
    static const char *const upper[] = {"PASS", "FAIL", "INSUFFICIENT EVIDENCE",
                                        "EXCLUDED"};

    fa_notef("template %s: %s (%zu fail, %zu insufficient evidence, %zu "
             "pass, %zu excluded)",
             p->t.name, upper[v->overall], v->count[FA_VERDICT_FAIL],
             v->count[FA_VERDICT_INSUFFICIENT], v->count[FA_VERDICT_PASS],
             v->count[FA_VERDICT_EXCLUDED]);
    for (size_t i = 0; i < v->nfail_lines; i++)
        fa_notef("  FAIL %s", v->fail_lines[i]);
    if (v->count[FA_VERDICT_FAIL] > v->nfail_lines)
        fa_notef("  ... and %zu more (every verdict is in the store and "
                 "results.json)",
                 v->count[FA_VERDICT_FAIL] - v->nfail_lines);
    if (v->overall == FA_VERDICT_FAIL ||
        (p->fail_on_insufficient && v->overall == FA_VERDICT_INSUFFICIENT))
        return FA_EXIT_FAIL;
    return FA_EXIT_OK;
}

void
fa_policy_cli_release(struct fa_policy_cli *p)
{
    for (size_t i = 0; i < p->nfields; i++) {
        free(p->fields[i].key);
        free(p->fields[i].value);
    }
    free(p->fields);
    if (p->loaded)
        fa_template_release(&p->t);
    *p = (struct fa_policy_cli){0};
}

const struct fa_opt fa_report_options[] = {
    {"approver", 0, "NAME", "the report's approver (sign-off block)"},
    {"compare", 0, "BASE",
     "add a comparison with BASE (a run id of the store or an audit pack) "
     "to the report and workbook, and write compare.json"},
    {"formats", 0, "LIST",
     "outputs to write: json,pdf,xlsx,charts (default: all four)"},
    {"paper", 0, "SIZE", "a4 (default) or letter"},
    {"preparer", 0, "NAME", "the report's preparer (sign-off block)"},
    {"reviewer", 0, "NAME", "the report's reviewer (sign-off block)"},
};
const size_t fa_report_noptions = FA_ARRAY_LEN(fa_report_options);

int
fa_report_cli_apply(const char *cmd, struct fa_report_opts *o, const char *name,
                    const char *arg)
{
    const char **who = strcmp(name, "approver") == 0   ? &o->approver
                       : strcmp(name, "preparer") == 0 ? &o->preparer
                       : strcmp(name, "reviewer") == 0 ? &o->reviewer
                                                       : NULL;

    if (who) {
        if (!fa_utf8_valid(arg, strlen(arg)))
            return fa_cmd_usage(cmd, "--%s: not UTF-8", name), -1;
        *who = arg;
    } else if (strcmp(name, "compare") == 0) {
        o->compare = arg;
    } else if (strcmp(name, "paper") == 0) {
        if (strcmp(arg, "a4") != 0 && strcmp(arg, "letter") != 0)
            return fa_cmd_usage(cmd, "bad --paper '%s' (a4 or letter)", arg),
                   -1;
        o->letter = strcmp(arg, "letter") == 0;
    } else if (strcmp(name, "formats") == 0) {
        static const char *const names[] = {"json", "pdf", "xlsx", "charts"};
        const char *p = arg;

        o->formats = 0;
        while (*p) {
            size_t len = strcspn(p, ","), k;

            for (k = 0; k < FA_ARRAY_LEN(names); k++)
                if (strlen(names[k]) == len && strncmp(p, names[k], len) == 0)
                    break;
            if (k == FA_ARRAY_LEN(names))
                return fa_cmd_usage(cmd,
                                    "bad --formats '%s' (a list of json, "
                                    "pdf, xlsx and charts)",
                                    arg),
                       -1;
            o->formats |= 1u << k;
            p += len;
            if (*p == ',')
                p++;
        }
        if (!o->formats)
            return fa_cmd_usage(cmd, "--formats names no output"), -1;
    } else {
        return 0;
    }
    return 1;
}

/* "list, 'name'" (the list freed). */
static char *
append_name(char *list, const char *name)
{
    char *t = fa_xasprintf("%s%s'%s'", list, *list ? ", " : "", name);

    free(list);
    return t;
}

/* A JSON object written at path (sorted keys, indented), atomically. */
static fa_err
write_json(fa_ctx *ctx, json_t *j, const char *path)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    char *tmp = fa_xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    fa_err err = FA_OK;

    if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
        if (f)
            fclose(f);
        unlink(tmp);
    } else if (fclose(f) != 0) {
        err = fa_ctx_fail(ctx, FA_ERR_IO_WRITE, "cannot write '%s': %s", tmp,
                          strerror(errno));
        unlink(tmp);
    } else {
        err = fa_file_commit(ctx, tmp, path);
    }
    free(text);
    free(tmp);
    return err;
}

int
fa_report_cli_write(fa_ctx *ctx, fa_store *st, int64_t run_id, const char *out,
                    const struct fa_report_opts *opts)
{
    struct fa_report_opts oc = *opts, *o = &oc;
    unsigned want = o->formats ? o->formats : FA_REPORT_ALL;
    char *json = fa_xasprintf("%s/results.json", out);
    char *pdf = fa_xasprintf("%s/report.pdf", out);
    char *charts = fa_xasprintf("%s/charts", out);
    char *xlsx = fa_xasprintf("%s/workbook.xlsx", out);
    char *list = fa_xstrdup("");
    fa_err err = FA_OK;
    int code = FA_EXIT_OK, cmp_code = FA_EXIT_OK;

    if (fa_cmd_mkdirs(out) != 0 ||
        ((want & FA_REPORT_CHARTS) && fa_cmd_mkdirs(charts) != 0))
        code = FA_EXIT_OUTPUT;
#define WRITE(bit, call, name)                                                 \
    do {                                                                       \
        if (code == FA_EXIT_OK && !err && (want & (bit))) {                    \
            err = (call);                                                      \
            if (!err) {                                                        \
                char *t_ =                                                     \
                    fa_xasprintf("%s%s'%s'", list, *list ? ", " : "", name);   \
                free(list);                                                    \
                list = t_;                                                     \
            }                                                                  \
        }                                                                      \
    } while (0)
    if (code == FA_EXIT_OK && o->compare) {
        /* the comparison with BASE, for the report, workbook and
         * compare.json; without it (BASE unreadable) the outputs are
         * written all the same and the error is the exit status */
        fa_cmp_side base, cand;
        struct fa_compare_opts co = {-1, -1, 0.25};
        size_t regressions;
        char *id = fa_xasprintf("%lld", (long long)run_id);
        fa_err cerr;

        memset(&base, 0, sizeof(base));
        memset(&cand, 0, sizeof(cand));
        cerr = fa_cmp_side_load(ctx, st, o->store, o->compare, &base);
        if (!cerr)
            cerr = fa_cmp_side_load(ctx, st, o->store, id, &cand);
        if (!cerr)
            cerr =
                fa_compare_runs(ctx, &base, &cand, &co, &o->cmp, &regressions);
        if (!cerr)
            cerr = fa_cmp_history(ctx, st, &o->cmp_runs);
        if (!cerr) {
            char *cj = fa_xasprintf("%s/compare.json", out);

            cerr = write_json(ctx, o->cmp, cj);
            if (!cerr)
                list = append_name(list, cj);
            free(cj);
        }
        if (cerr) {
            cmp_code = fa_cmd_fail(ctx);
            fa_ctx_clear(ctx);
            json_decref(o->cmp);
            json_decref(o->cmp_runs);
            o->cmp = o->cmp_runs = NULL;
        }
        fa_cmp_side_release(&base);
        fa_cmp_side_release(&cand);
        free(id);
    }
    WRITE(FA_REPORT_JSON, fa_results_json_write(ctx, st, run_id, json), json);
    WRITE(FA_REPORT_CHARTS, fa_report_charts_write(ctx, st, run_id, charts),
          charts);
    WRITE(FA_REPORT_PDF, fa_report_pdf_write(ctx, st, run_id, pdf, o), pdf);
    WRITE(FA_REPORT_XLSX, fa_report_xlsx_write(ctx, st, run_id, xlsx, o), xlsx);
#undef WRITE
    if (want & (FA_REPORT_CHARTS | FA_REPORT_PDF))
        fa_report_release_fonts();
    if (err)
        code = fa_cmd_fail(ctx);
    else if (code == FA_EXIT_OK)
        fa_notef("wrote %s", list);
    if (code == FA_EXIT_OK && cmp_code != FA_EXIT_OK)
        code = cmp_code;
    json_decref(o->cmp);
    json_decref(o->cmp_runs);
    free(json);
    free(pdf);
    free(charts);
    free(xlsx);
    free(list);
    return code;
}

int
fa_cmd_parse_int(const char *arg, int64_t min, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || v < min)
        return -1;
    *out = v;
    return 0;
}

int
fa_run_cli_apply(const char *cmd, struct fa_run_opts *o, const char *name,
                 const char *arg)
{
    int64_t n;

    if (strcmp(name, "reference") == 0) {
        o->reference = arg;
    } else if (strcmp(name, "strata") == 0) {
        o->strata = arg;
    } else if (strcmp(name, "ci") == 0) {
        if (strcmp(arg, "wilson") != 0 && strcmp(arg, "exact") != 0)
            return fa_cmd_usage(cmd, "bad --ci '%s' (wilson or exact)", arg),
                   -1;
        o->exact = strcmp(arg, "exact") == 0;
        o->has_ci = 1;
    } else if (strcmp(name, "confidence") == 0) {
        if (fa_parse_double(arg, &o->confidence) != 0 || o->confidence <= 0 ||
            o->confidence >= 1)
            return fa_cmd_usage(cmd,
                                "bad --confidence '%s' (between 0 and "
                                "1, such as 0.95)",
                                arg),
                   -1;
    } else if (strcmp(name, "correction") == 0) {
        if (strcmp(arg, "holm") != 0 && strcmp(arg, "bh") != 0)
            return fa_cmd_usage(cmd, "bad --correction '%s' (holm or bh)", arg),
                   -1;
        o->bh = strcmp(arg, "bh") == 0;
        o->has_correction = 1;
    } else if (strcmp(name, "bootstrap") == 0) {
        if (fa_cmd_parse_int(arg, 0, &n) != 0 || (n > 0 && n < 100))
            return fa_cmd_usage(cmd,
                                "bad --bootstrap '%s' (0, or at least 100 "
                                "replicates)",
                                arg),
                   -1;
        o->bootstrap = n ? n : -1;
    } else if (strcmp(name, "seed") == 0) {
        if (fa_cmd_parse_int(arg, 0, &n) != 0)
            return fa_cmd_usage(cmd, "bad --seed '%s' (a whole number >= 0)",
                                arg),
                   -1;
        o->seed = (uint64_t)n;
        o->has_seed = 1;
    } else if (strcmp(name, "min-group") == 0 ||
               strcmp(name, "min-class") == 0) {
        if (fa_cmd_parse_int(arg, 0, &n) != 0)
            return fa_cmd_usage(cmd, "bad --%s '%s' (a whole number >= 0)",
                                name, arg),
                   -1;
        /* 0 asks for no minimum; the struct says that with -1 */
        *(name[4] == 'g' ? &o->min_group : &o->min_class) = n ? n : -1;
    } else if (strcmp(name, "suppress") == 0) {
        if (fa_cmd_parse_int(arg, 0, &n) != 0)
            return fa_cmd_usage(
                       cmd, "bad --suppress '%s' (a whole number >= 0)", arg),
                   -1;
        o->suppress = n ? n : -1;
    } else {
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* The ingest options                                                  */

const struct fa_opt fa_ingest_options[] = {
    {"attr", 'a', "A,B", "protected attribute columns (intersected)"},
    {"bin", 0, "COL=SPEC",
     "bin a numeric attribute or segment: edges 18,25,40 or qN quantiles "
     "(repeatable)"},
    {"delimiter", 0, "CHAR", "field separator: , or tab (default: guessed)"},
    {"label", 'l', "COL", "true outcome column (omit: label-free audit)"},
    {"max-rejects", 0, "N",
     "fail the load when more than N rows are rejected (default 1000)"},
    {"negative", 0, "VALUE",
     "the unfavourable label (default: the one other value)"},
    {"positive", 0, "VALUE", "the favourable label (default: 1, true or yes)"},
    {"pred", 'p', "COL", "predicted decision column"},
    {"pred-negative", 0, "VALUE",
     "the unfavourable decision (default: the one other value)"},
    {"pred-positive", 0, "VALUE",
     "the favourable decision (default: 1, true or yes)"},
    {"score", 's', "COL", "score column: any finite number"},
    {"segment", 'g', "X,Y", "segment columns (region, channel, ...)"},
    {"threshold", 't', "T", "without --pred, the decision is score >= T"},
    {"weight", 'w', "COL", "row weight column (0 to 1e100)"},
};
const size_t fa_ingest_noptions = FA_ARRAY_LEN(fa_ingest_options);

/* Splits "a,b,c" into a new NULL-terminated list; empty names are kept so
 * that the check can name them. */
static char **
split_list(const char *s, size_t *n)
{
    char **out = NULL;
    const char *p = s;

    *n = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        out = fa_xrealloc(out, *n + 2, sizeof(char *));
        out[(*n)++] = fa_xstrndup(p, len);
        out[*n] = NULL;
        if (!comma)
            break;
        p = comma + 1;
    }
    return out;
}

static void
free_list(char **l)
{
    for (size_t i = 0; l && l[i]; i++)
        free(l[i]);
    free(l);
}

static int
append_list(const char *cmd, char ***list, size_t *n, const char *arg,
            const char *opt)
{
    size_t k;
    char **add = split_list(arg, &k);

    for (size_t i = 0; i < k; i++) {
        if (!*add[i]) {
            free_list(add);
            return fa_cmd_usage(cmd, "--%s '%s' has an empty column name", opt,
                                arg),
                   -1;
        }
    }
    *list = fa_xrealloc(*list, *n + k + 1, sizeof(char *));
    for (size_t i = 0; i < k; i++)
        (*list)[(*n)++] = add[i];
    (*list)[*n] = NULL;
    free(add);
    return 1;
}

int
fa_ingest_cli_apply(const char *cmd, struct fa_ingest_cli *c, const char *name,
                    const char *arg)
{
    struct fa_ingest_opts *o = &c->o;

    if (strcmp(name, "attr") == 0)
        return append_list(cmd, &c->attrs, &o->nattrs, arg, name);
    if (strcmp(name, "segment") == 0)
        return append_list(cmd, &c->segments, &o->nsegments, arg, name);
    if (strcmp(name, "bin") == 0) {
        const char *eq = strchr(arg, '=');

        if (!eq || eq == arg || !eq[1])
            return fa_cmd_usage(cmd, "bad --bin '%s' (expected COL=SPEC)", arg),
                   -1;
        c->bins = fa_xrealloc(c->bins, o->nbins + 1, sizeof(*c->bins));
        c->bin_text = fa_xrealloc(c->bin_text, o->nbins + 1, sizeof(char *));
        c->bin_text[o->nbins] = fa_xstrndup(arg, (size_t)(eq - arg));
        c->bins[o->nbins].column = c->bin_text[o->nbins];
        c->bins[o->nbins].spec = eq + 1;
        o->nbins++;
        o->bins = c->bins;
        return 1;
    }
    if (strcmp(name, "delimiter") == 0) {
        if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0)
            o->delimiter = '\t';
        else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' &&
                 arg[0] != '\r')
            o->delimiter = arg[0];
        else
            return fa_cmd_usage(cmd,
                                "bad --delimiter '%s' (one character, "
                                "or 'tab')",
                                arg),
                   -1;
        return 1;
    }
    if (strcmp(name, "label") == 0)
        o->label = arg;
    else if (strcmp(name, "pred") == 0)
        o->pred = arg;
    else if (strcmp(name, "score") == 0)
        o->score = arg;
    else if (strcmp(name, "weight") == 0)
        o->weight = arg;
    else if (strcmp(name, "positive") == 0)
        o->positive = arg;
    else if (strcmp(name, "negative") == 0)
        o->negative = arg;
    else if (strcmp(name, "pred-positive") == 0)
        o->pred_positive = arg;
    else if (strcmp(name, "pred-negative") == 0)
        o->pred_negative = arg;
    else if (strcmp(name, "threshold") == 0) {
        if (fa_parse_double(arg, &o->threshold) != 0)
            return fa_cmd_usage(cmd, "bad --threshold '%s' (a finite number)",
                                arg),
                   -1;
        o->has_threshold = 1;
    } else if (strcmp(name, "max-rejects") == 0) {
        if (fa_cmd_parse_int(arg, 0, &o->max_rejects) != 0)
            return fa_cmd_usage(cmd,
                                "bad --max-rejects '%s' (a whole number "
                                ">= 0)",
                                arg),
                   -1;
    } else {
        return 0;
    }
    return 1;
}

int
fa_ingest_cli_check(const char *cmd, struct fa_ingest_cli *c)
{
    struct fa_ingest_opts *o = &c->o;
    fa_ctx *ctx;

    o->attrs = (const char *const *)c->attrs;
    o->segments = (const char *const *)c->segments;
    {
        /* names and values land in JSON and the store: UTF-8 only */
        const char *texts[] = {o->label,         o->pred,         o->score,
                               o->weight,        o->positive,     o->negative,
                               o->pred_positive, o->pred_negative};

        for (size_t i = 0; i < FA_ARRAY_LEN(texts); i++)
            if (texts[i] && !fa_utf8_valid(texts[i], strlen(texts[i])))
                return fa_cmd_usage(cmd, "an option's value is not UTF-8"), -1;
        for (size_t i = 0; i < o->nattrs + o->nsegments; i++) {
            const char *a =
                i < o->nattrs ? o->attrs[i] : o->segments[i - o->nattrs];

            if (!fa_utf8_valid(a, strlen(a)))
                return fa_cmd_usage(cmd, "a column name is not UTF-8"), -1;
        }
    }
    if (!o->pred && !(o->score && o->has_threshold))
        return fa_cmd_usage(cmd, "no decision: give --pred, or --score with "
                                 "--threshold"),
               -1;
    if (o->pred && o->has_threshold)
        return fa_cmd_usage(cmd, "--threshold applies only without --pred"), -1;
    if (o->has_threshold && !o->score)
        return fa_cmd_usage(cmd, "--threshold needs --score"), -1;
    if (o->negative && !o->positive)
        return fa_cmd_usage(cmd, "--negative needs --positive"), -1;
    if (o->pred_negative && !o->pred_positive)
        return fa_cmd_usage(cmd, "--pred-negative needs --pred-positive"), -1;
    if (o->positive && o->negative && strcmp(o->positive, o->negative) == 0)
        return fa_cmd_usage(cmd, "--positive and --negative are the same"), -1;
    if ((o->positive || o->negative) && !o->label)
        return fa_cmd_usage(cmd, "--positive needs --label"), -1;
    if (o->nattrs + o->nsegments == 0)
        return fa_cmd_usage(cmd, "nothing to audit: give --attr (and "
                                 "--segment)"),
               -1;
    if (o->nattrs > 16)
        return fa_cmd_usage(cmd, "at most 16 attributes (--attr)"), -1;
    for (size_t i = 0; i < o->nattrs + o->nsegments; i++) {
        const char *a =
            i < o->nattrs ? o->attrs[i] : o->segments[i - o->nattrs];

        for (size_t k = 0; k < i; k++) {
            const char *b =
                k < o->nattrs ? o->attrs[k] : o->segments[k - o->nattrs];

            if (strcmp(a, b) == 0)
                return fa_cmd_usage(cmd,
                                    "column '%s' is named twice in "
                                    "--attr/--segment",
                                    a),
                       -1;
        }
    }
    ctx = fa_ctx_new();
    for (size_t i = 0; i < o->nbins; i++) {
        int known = 0, q;
        double *edges;
        size_t ne;

        for (size_t k = 0; k < o->nattrs + o->nsegments; k++)
            known |= strcmp(o->bins[i].column,
                            k < o->nattrs ? o->attrs[k]
                                          : o->segments[k - o->nattrs]) == 0;
        for (size_t k = 0; k < i; k++)
            if (strcmp(o->bins[i].column, o->bins[k].column) == 0)
                known = -1;
        if (known <= 0) {
            fa_cmd_usage(cmd,
                         known < 0 ? "--bin '%s' is given twice"
                                   : "--bin '%s': not an --attr or --segment "
                                     "column",
                         o->bins[i].column);
            fa_ctx_free(ctx);
            return -1;
        }
        if (fa_ingest_parse_bin(ctx, o->bins[i].column, o->bins[i].spec, &edges,
                                &ne, &q) != FA_OK) {
            fa_cmd_usage(cmd, "%s", fa_ctx_msg(ctx));
            fa_ctx_free(ctx);
            return -1;
        }
        free(edges);
    }
    fa_ctx_free(ctx);
    return 0;
}

void
fa_ingest_cli_release(struct fa_ingest_cli *c)
{
    free_list(c->attrs);
    free_list(c->segments);
    for (size_t i = 0; i < c->o.nbins; i++)
        free(c->bin_text[i]);
    free(c->bin_text);
    free(c->bins);
}

struct progress {
    struct timespec start;
    int shown;
};

static double
since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Progress on a terminal: rows, MB/s and time left, on one line. */
static void
show_progress(void *data, int64_t rows, int64_t bytes, int64_t total, int done)
{
    struct progress *p = data;
    double secs = since(&p->start), rate = secs > 0 ? bytes / secs : 0;

    if (!done && secs < 0.5)
        return;
    if (done) {
        if (p->shown)
            fprintf(stderr, "\r\033[K");
        return;
    }
    fprintf(stderr, "\r\033[Kingest: %lld rows, %.1f MB/s", (long long)rows,
            rate / 1e6);
    if (total > 0 && rate > 0)
        fprintf(stderr, ", %.0f s left",
                (double)(total - bytes > 0 ? total - bytes : 0) / rate);
    p->shown = 1;
}

int
fa_ingest_cli_load(fa_ctx *ctx, const char *db, struct fa_ingest_cli *c,
                   struct fa_ingest_result *res)
{
    struct progress prog = {0};
    struct stat sb;
    int existed;
    fa_store *st = NULL;
    fa_reject_count *rc = NULL;
    size_t nrc = 0;
    fa_err err;

    clock_gettime(CLOCK_MONOTONIC, &prog.start);
    if (!fa_msg_quiet() && isatty(STDERR_FILENO)) {
        c->o.progress = show_progress;
        c->o.progress_data = &prog;
    }
    existed = stat(db, &sb) == 0;
    err = fa_store_open(ctx, db, 1, &st);
    if (!err)
        err = fa_ingest(ctx, st, &c->o, res);
    if (!err && res->rows_rejected)
        err = fa_store_reject_summary(ctx, st, res->dataset_id, &rc, &nrc);
    fa_store_close(st);
    if (err) {
        /* a store this load created holds nothing: leave no file */
        if (!existed && err != FA_ERR_STORE_WRITE) {
            char *journal = fa_xasprintf("%s-journal", db);

            unlink(db);
            unlink(journal);
            free(journal);
        }
        free(rc);
        return fa_cmd_fail(ctx);
    }
    if (res->reused)
        fa_notef("'%s' was loaded before with the same mapping: dataset %lld",
                 c->o.path, (long long)res->dataset_id);
    else
        fa_notef("loaded '%s' into '%s' as dataset %lld: %lld rows read, "
                 "%lld loaded, %lld rejected",
                 c->o.path, db, (long long)res->dataset_id,
                 (long long)res->rows_read, (long long)res->rows_loaded,
                 (long long)res->rows_rejected);
    for (size_t i = 0; i < nrc; i++) {
        fa_warnf("%lld rows rejected: %s (first at line %lld)",
                 (long long)rc[i].rows, rc[i].reason,
                 (long long)rc[i].first_line);
        free(rc[i].reason);
    }
    free(rc);
    return FA_EXIT_OK;
}
