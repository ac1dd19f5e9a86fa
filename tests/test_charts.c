/* test_charts.c — the charts: every chart of a run draws (no cairo error,
 * ink on the page), the same bytes twice, the rates chart against a
 * reference image, undefined rates, a 40-group attribute, write errors;
 * the score curves (ROC, calibration, sweep) of hand-made curves.
 *
 * Each test builds its run from a CSV it writes itself (ingest, run with
 * the eeoc-four-fifths template, load), in a mkdtemp folder that the
 * checked teardown removes.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "charts.h"
#include "ingest.h"
#include "policy.h"
#include "run.h"
#include "store.h"
#include "tests.h"

/* The reference image of the rates chart, its size in points and scale. */
#define REF_PNG FA_FIXTURES "/charts/rates.png"
#define REF_W 480
#define REF_H 320
#define REF_SCALE 2

static char dir[64];

static void
remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;

    if (!d) {
        unlink(path);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char *p;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        p = fa_xasprintf("%s/%s", path, e->d_name);
        remove_tree(p);
        free(p);
    }
    closedir(d);
    rmdir(path);
}

static void
setup(void)
{
    memcpy(dir, "/tmp/fa_charts_XXXXXX", sizeof("/tmp/fa_charts_XXXXXX"));
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
    remove_tree(dir);
    /* the font caches, so a leak checker sees only real leaks (a forked
     * test ends here, not at the runner's end) */
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}

static char *
path_of(const char *name)
{
    return fa_xasprintf("%s/%s", dir, name);
}

/*
 * Loads csv (columns attrs..., age, y, p, and score when not NULL) as a
 * run judged by the eeoc-four-fifths template, age binned at 18, 25, 40
 * and 65 when bin_age.
 */
static void
audit_scored(const char *csv, const char *const *attrs, size_t nattrs,
             int bin_age, const char *score, fa_results *r)
{
    static const struct fa_bin_opt bins[] = {{"age", "18,25,40,65"}};
    struct fa_ingest_opts o = {0};
    struct fa_ingest_result ires;
    struct fa_run_opts ro = {.tool_version = "t", .bootstrap = -1};
    fa_ctx *ctx = fa_ctx_new();
    fa_store *st = NULL;
    fa_template t;
    int64_t run_id;
    char *path = path_of("data.csv");
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(csv, f);
    ck_assert_int_eq(fclose(f), 0);
    o.path = path;
    o.label = "y";
    o.pred = "p";
    o.score = score;
    o.attrs = attrs;
    o.nattrs = nattrs;
    o.bins = bins;
    o.nbins = bin_age ? 1 : 0;
    o.max_rejects = 0;
    ck_assert_int_eq(fa_store_open(ctx, ":memory:", 1, &st), FA_OK);
    ck_assert_msg(fa_ingest(ctx, st, &o, &ires) == FA_OK, "%s",
                  fa_ctx_msg(ctx));
    ck_assert_int_eq(fa_template_load(ctx, "eeoc-four-fifths", &t), FA_OK);
    fa_template_resolve(&t, &ro);
    ro.dataset_id = ires.dataset_id;
    ro.tmpl = &t;
    ck_assert_msg(fa_run(ctx, st, &ro, &run_id) == FA_OK, "%s",
                  fa_ctx_msg(ctx));
    ck_assert_int_eq(fa_store_run_load(ctx, st, run_id, r), FA_OK);
    fa_template_release(&t);
    fa_store_close(st);
    fa_ctx_free(ctx);
    free(path);
}

static void
audit(const char *csv, const char *const *attrs, size_t nattrs, int bin_age,
      fa_results *r)
{
    audit_scored(csv, attrs, nattrs, bin_age, NULL, r);
}

/*
 * The small fixture: race (five groups, one missing value), sex, age.
 * White 100 of 200 selected (0.5, the best: the reference), Black 56 of
 * 160 (ratio 0.7, significant: fail), Asian 54 of 120 (0.9: pass),
 * Hispanic 6 of 20 (under min_group 30: insufficient; all y = 0, so its
 * TPR is undefined; women only, so Hispanic x M has no rows), missing 18
 * of 40. Ages 20 to 60: the bins below 18 and from 65 are empty, their
 * selection rates undefined.
 */
static char *
small_csv(int scored)
{
    static const struct {
        const char *race;
        int n, sel, pos, women_only;
    } g[] = {{"White", 200, 100, 100, 0},
             {"Black", 160, 56, 80, 0},
             {"Asian", 120, 54, 60, 0},
             {"Hispanic", 20, 6, 0, 1},
             {"", 40, 18, 20, 0}};
    size_t cap = 64 * 1024, len = 0;
    char *s = fa_xcalloc(cap, 1);

    len += (size_t)snprintf(s + len, cap - len, "race,sex,age,y,p%s\n",
                            scored ? ",s" : "");
    for (size_t k = 0; k < FA_ARRAY_LEN(g); k++)
        for (int i = 0; i < g[k].n; i++) {
            int y = i * 7 % g[k].n < g[k].pos;

            len += (size_t)snprintf(s + len, cap - len, "%s,%s,%d,%d,%d",
                                    g[k].race,
                                    g[k].women_only || i % 2 == 0 ? "F" : "M",
                                    20 + i * 13 % 41, y, i < g[k].sel);
            /* positives score higher, with overlap: AUCs inside (0, 1) */
            if (scored)
                len +=
                    (size_t)snprintf(s + len, cap - len, ",%.3f",
                                     y ? 0.4 + 0.55 * (i * 37 % 100) / 100.0
                                       : 0.05 + 0.6 * (i * 53 % 100) / 100.0);
            len += (size_t)snprintf(s + len, cap - len, "\n");
        }
    ck_assert_uint_lt(len, cap - 1);
    return s;
}

static void
small_run(fa_results *r)
{
    static const char *const attrs[] = {"race", "sex", "age"};
    char *csv = small_csv(0);

    audit(csv, attrs, 3, 1, r);
    free(csv);
}

/* The small fixture with a score column s: every group but Hispanic (no
 * positives) has an AUC. */
static void
scored_run(fa_results *r)
{
    static const char *const attrs[] = {"race", "sex", "age"};
    char *csv = small_csv(1);

    audit_scored(csv, attrs, 3, 1, "s", r);
    free(csv);
}

/*
 * 40 groups of grp (one with a label far wider than the margin, one of
 * non-ASCII text, one missing) and sex; group k has 30 + 3k rows.
 */
static void
many_run(fa_results *r)
{
    static const char *const attrs[] = {"grp", "sex"};
    size_t cap = 256 * 1024, len = 0;
    char *s = fa_xcalloc(cap, 1);

    len += (size_t)snprintf(s + len, cap - len, "grp,sex,age,y,p\n");
    for (int k = 0; k < 40; k++) {
        char name[96];
        int n = 30 + 3 * k, sel = n * (20 + k) / 100;

        if (k == 0)
            snprintf(name, sizeof(name),
                     "a group label far too long for the "
                     "margin of any chart we draw");
        else if (k == 1)
            snprintf(name, sizeof(name),
                     "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xe2\x9c\x93");
        else if (k == 2)
            name[0] = '\0';
        else
            snprintf(name, sizeof(name), "group-%02d", k);
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(s + len, cap - len, "%s,%s,%d,%d,%d\n",
                                    name, i % 3 ? "F" : "M", 30,
                                    i * 7 % n < n / 2, i < sel);
    }
    ck_assert_uint_lt(len, cap - 1);
    audit(s, attrs, 2, 0, r);
    free(s);
}

static int
find_set(const fa_results *r, const char *dim)
{
    for (size_t i = 1; i < r->nsets; i++)
        if (r->sets[i].ndims == 1 &&
            strcmp(r->ds.dims[r->sets[i].dims[0]].name, dim) == 0)
            return r->sets[i].id;
    ck_abort_msg("no set of '%s'", dim);
    return -1;
}

/* Draws chart f at w x h points, scale s, into a new ARGB32 surface. */
static cairo_surface_t *
render(const fa_results *r, const fa_chart_file *f, double w, double h, int s)
{
    cairo_surface_t *sf =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)w * s, (int)h * s);
    cairo_t *cr = cairo_create(sf);

    cairo_scale(cr, s, s);
    fa_chart_draw(cr, w, h, r, f);
    ck_assert_msg(cairo_status(cr) == CAIRO_STATUS_SUCCESS, "%s: %s", f->name,
                  cairo_status_to_string(cairo_status(cr)));
    cairo_destroy(cr);
    cairo_surface_flush(sf);
    return sf;
}

/* Pixels that are not (nearly) white. */
static long
ink(cairo_surface_t *sf)
{
    const unsigned char *d = cairo_image_surface_get_data(sf);
    int w = cairo_image_surface_get_width(sf);
    int h = cairo_image_surface_get_height(sf);
    int stride = cairo_image_surface_get_stride(sf);
    long n = 0;

    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t p;

            memcpy(&p, d + (size_t)y * (size_t)stride + 4 * (size_t)x, 4);
            if ((p >> 16 & 0xff) < 240 || (p >> 8 & 0xff) < 240 ||
                (p & 0xff) < 240)
                n++;
        }
    return n;
}

/* Every chart draws without error and puts ink on at least 2% of the
 * page, at the standard size and at a cramped one. */
static void
all_draw(const fa_results *r, size_t want)
{
    size_t n;
    fa_chart_file *f = fa_chart_list(r, &n);

    ck_assert_uint_eq(n, want);
    for (size_t i = 0; i < n; i++) {
        cairo_surface_t *sf = render(r, &f[i], 480, 320, 1);
        long k = ink(sf);

        ck_assert_msg(k > 480 * 320 / 50, "%s: %ld pixels of ink", f[i].name,
                      k);
        cairo_surface_destroy(sf);
        sf = render(r, &f[i], 160, 90, 1);
        cairo_surface_destroy(sf);
    }
    fa_chart_files_free(f, n);
}

START_TEST(list_names_and_titles)
{
    fa_results r;
    size_t n;
    fa_chart_file *f;

    small_run(&r);
    f = fa_chart_list(&r, &n);
    /* race, sex, age: rates, forest, multiples each; then race x sex,
     * race x age and sex x age as heatmaps; race x sex x age none */
    ck_assert_uint_eq(n, 12);
    ck_assert_str_eq(f[0].name, "set1-rates-selection_rate");
    ck_assert_str_eq(f[0].title, "Selection rate by race");
    ck_assert_str_eq(f[1].name, "set1-forest-selection_rate");
    ck_assert_str_eq(f[1].title, "Selection rate ratio to the reference, race");
    ck_assert_str_eq(f[2].name, "set1-multiples");
    ck_assert_str_eq(f[2].title, "TPR, FPR, PPV and NPV by race");
    ck_assert_int_eq(f[2].kind, 2);
    ck_assert_str_eq(f[9].name, "set4-heatmap-selection_rate");
    ck_assert_str_eq(f[9].title, "Selection rate by race x sex");
    ck_assert_int_eq(f[9].kind, 3);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(f[i].metric, FA_METRIC_SELECTION_RATE);
    fa_chart_files_free(f, n);
    fa_results_release(&r);
}
END_TEST

START_TEST(every_chart_draws)
{
    fa_results r;

    small_run(&r);
    all_draw(&r, 12);
    fa_results_release(&r);
}
END_TEST

static unsigned char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long len;

    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    b = fa_xmalloc((size_t)len + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* Two writes of the same run give the same files, byte for byte. */
START_TEST(same_bytes_twice)
{
    fa_results r;
    fa_ctx *ctx = fa_ctx_new();
    char *a = path_of("a"), *b = path_of("b");
    size_t n;
    fa_chart_file *f;

    small_run(&r);
    ck_assert_int_eq(fa_charts_write(ctx, &r, NULL, 0, a), FA_OK);
    ck_assert_int_eq(fa_charts_write(ctx, &r, NULL, 0, b), FA_OK);
    /* and into a folder that exists */
    ck_assert_int_eq(fa_charts_write(ctx, &r, NULL, 0, b), FA_OK);
    f = fa_chart_list(&r, &n);
    for (size_t i = 0; i < 2 * n; i++) {
        const char *ext = i % 2 ? "png" : "svg";
        char *pa = fa_xasprintf("%s/%s.%s", a, f[i / 2].name, ext);
        char *pb = fa_xasprintf("%s/%s.%s", b, f[i / 2].name, ext);
        size_t na, nb;
        unsigned char *da = slurp(pa, &na), *db = slurp(pb, &nb);

        ck_assert_uint_gt(na, 100);
        ck_assert_msg(na == nb && memcmp(da, db, na) == 0, "%s differs", pb);
        free(da);
        free(db);
        free(pa);
        free(pb);
    }
    fa_chart_files_free(f, n);
    fa_results_release(&r);
    fa_ctx_free(ctx);
    free(a);
    free(b);
}
END_TEST

/*
 * The rates chart of race against fixtures/charts/rates.png: at most 0.5%
 * of the pixels may differ by more than 16 in a channel (antialiasing and
 * font versions move a few). FA_CHARTS_REGEN=FILE writes the image drawn
 * to FILE, to renew the reference after a deliberate change (look at it
 * first).
 */
START_TEST(rates_matches_reference)
{
    fa_results r;
    fa_chart_file f = {0};
    char name[] = "rates";
    cairo_surface_t *got, *want;
    const char *regen = getenv("FA_CHARTS_REGEN");
    long bad = 0, total;
    int w, h;

    small_run(&r);
    f.name = name;
    f.kind = 0;
    f.set = find_set(&r, "race");
    f.metric = FA_METRIC_SELECTION_RATE;
    got = render(&r, &f, REF_W, REF_H, REF_SCALE);
    if (regen)
        ck_assert_int_eq(cairo_surface_write_to_png(got, regen),
                         CAIRO_STATUS_SUCCESS);
    want = cairo_image_surface_create_from_png(REF_PNG);
    ck_assert_msg(cairo_surface_status(want) == CAIRO_STATUS_SUCCESS,
                  "cannot read %s", REF_PNG);
    w = cairo_image_surface_get_width(got);
    h = cairo_image_surface_get_height(got);
    ck_assert_int_eq(cairo_image_surface_get_width(want), w);
    ck_assert_int_eq(cairo_image_surface_get_height(want), h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const unsigned char *pg = cairo_image_surface_get_data(got) +
                                      y * cairo_image_surface_get_stride(got) +
                                      4 * x;
            const unsigned char *pw = cairo_image_surface_get_data(want) +
                                      y * cairo_image_surface_get_stride(want) +
                                      4 * x;

            for (int k = 0; k < 4; k++)
                if (abs(pg[k] - pw[k]) > 16) {
                    bad++;
                    break;
                }
        }
    total = (long)w * h;
    ck_assert_msg(bad * 200 <= total, "%ld of %ld pixels differ", bad, total);
    cairo_surface_destroy(got);
    cairo_surface_destroy(want);
    fa_results_release(&r);
}
END_TEST

/*
 * Undefined values: the empty age bins (selection rate "empty group"),
 * the Hispanic group's TPR (no positives) and the Hispanic x M cell (no
 * rows) are drawn as n/a; the charts still draw.
 */
START_TEST(undefined_rates_draw)
{
    fa_results r;
    int set;
    size_t nundef = 0;
    fa_chart_file f = {0};
    cairo_surface_t *sf;

    small_run(&r);
    set = find_set(&r, "age");
    for (size_t i = 1; i < r.ngroups; i++)
        if (r.groups[i].set == set &&
            r.groups[i].m[FA_METRIC_SELECTION_RATE].reason)
            nundef++;
    ck_assert_uint_eq(nundef, 2);
    f.set = set;
    f.metric = FA_METRIC_SELECTION_RATE;
    for (int kind = 0; kind < 3; kind++) {
        f.kind = kind;
        sf = render(&r, &f, 480, 320, 1);
        ck_assert_int_gt(ink(sf), 480 * 320 / 50);
        cairo_surface_destroy(sf);
    }
    f.set = find_set(&r, "race");
    f.kind = 2;
    sf = render(&r, &f, 480, 320, 1);
    cairo_surface_destroy(sf);
    fa_results_release(&r);
}
END_TEST

/* 40 groups with long and non-ASCII labels: every chart draws, and the
 * files are written at a height that fits their rows. */
START_TEST(forty_groups)
{
    fa_results r;
    fa_ctx *ctx = fa_ctx_new();
    char *out = path_of("out"), *png;
    cairo_surface_t *sf;

    many_run(&r);
    ck_assert_uint_eq(r.ds.dims[0].nvalues, 40);
    all_draw(&r, 7);
    ck_assert_int_eq(fa_charts_write(ctx, &r, NULL, 0, out), FA_OK);
    png = fa_xasprintf("%s/set1-rates-selection_rate.png", out);
    sf = cairo_image_surface_create_from_png(png);
    ck_assert_int_eq(cairo_surface_status(sf), CAIRO_STATUS_SUCCESS);
    ck_assert_int_eq(cairo_image_surface_get_width(sf), 960);
    /* 40 rows of at least 10 points each, at 2 pixels a point */
    ck_assert_int_gt(cairo_image_surface_get_height(sf), 2 * 40 * 10);
    cairo_surface_destroy(sf);
    free(png);
    fa_results_release(&r);
    fa_ctx_free(ctx);
    free(out);
}
END_TEST

/* A folder below a regular file cannot be made: FA_ERR_IO_WRITE naming
 * it. */
START_TEST(write_error_names_the_path)
{
    fa_results r;
    fa_ctx *ctx = fa_ctx_new();
    char *file = path_of("plain"), *sub = path_of("plain/charts");
    FILE *f = fopen(file, "w");

    ck_assert_ptr_nonnull(f);
    fclose(f);
    small_run(&r);
    ck_assert_int_eq(fa_charts_write(ctx, &r, NULL, 0, sub), FA_ERR_IO_WRITE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "cannot write '"));
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), sub));
    fa_results_release(&r);
    fa_ctx_free(ctx);
    free(file);
    free(sub);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The score curves, made by hand                                      */

#define NT 11 /* thresholds 0, 0.1, ..., 1 */

/* ROC points: a perfect classifier, chance, one in between. */
static double perfect_fpr[] = {0, 0, 1}, perfect_tpr[] = {0, 1, 1};
static double chance_fpr[] = {0, 0.5, 1}, chance_tpr[] = {0, 0.5, 1};
static double mid_fpr[] = {0, 0.1, 0.3, 0.6, 1};
static double mid_tpr[] = {0, 0.5, 0.8, 0.95, 1};

enum roc_mode { ROC_MIXED, ROC_PERFECT, ROC_CHANCE };

/*
 * Hand-made curves of set, one per group in the set's order. ROC: groups
 * with both classes get, by mode, perfect, chance, or in turn perfect,
 * chance and in between; the others none. Calibration over [cal_lo, cal_hi]:
 * group k has (b + 1)(k + 1) x 3 rows in bin b, at the bin's middle,
 * observed rate that plus (k - 1) x 0.05 (clamped), bins 0 and 9 empty
 * for k = 2. Sweep: selection 1 - t(1 + 0.15k) and TPR 1 - t^2(1 + 0.2k),
 * at least 0, so no group is selected at t = 1 (the ratio undefined
 * there); the decision threshold 0.5.
 */
static void
hand_curves(const fa_results *r, int set, enum roc_mode mode, double cal_lo,
            double cal_hi, fa_score_curves *c)
{
    size_t n = 0, nroc = 0;

    memset(c, 0, sizeof(*c));
    c->set = set;
    for (size_t i = 1; i < r->ngroups; i++)
        n += r->groups[i].set == set;
    c->g = fa_xcalloc(n, sizeof(*c->g));
    c->nthresh = NT;
    c->thresh = fa_xcalloc(NT, sizeof(double));
    for (size_t t = 0; t < NT; t++)
        c->thresh[t] = (double)t / 10;
    c->cal_lo = cal_lo;
    c->cal_hi = cal_hi;
    c->has_chosen = 1;
    c->chosen = 0.5;
    for (size_t i = 1; i < r->ngroups; i++) {
        const fa_group *rg = &r->groups[i];
        fa_curve_group *g;
        size_t k = c->ngroups;
        int kind;

        if (rg->set != set)
            continue;
        g = &c->g[c->ngroups++];
        g->gid = rg->gid;
        g->n = rg->n;
        g->positives = rg->rows[0] + rg->rows[3];
        if (g->positives > 0 && g->positives < g->n) {
            kind = mode == ROC_PERFECT  ? 0
                   : mode == ROC_CHANCE ? 1
                                        : (int)(nroc++ % 3);
            g->nroc = kind == 2 ? 5 : 3;
            g->roc_fpr = kind == 0   ? perfect_fpr
                         : kind == 1 ? chance_fpr
                                     : mid_fpr;
            g->roc_tpr = kind == 0   ? perfect_tpr
                         : kind == 1 ? chance_tpr
                                     : mid_tpr;
        }
        for (size_t b = 0; b < FA_CAL_BINS && g->n > 0; b++) {
            double mid = cal_lo + (cal_hi - cal_lo) * ((double)b + 0.5) / 10;
            double t = ((double)b + 0.5) / 10 + ((double)k - 1) * 0.05;

            if (k == 2 && (b == 0 || b == 9))
                continue;
            g->cal_n[b] = (int64_t)((b + 1) * (k + 1) * 3);
            g->cal_score[b] = mid;
            g->cal_rate[b] = t < 0 ? 0 : t > 1 ? 1 : t;
        }
        g->sel = fa_xcalloc(NT, sizeof(double));
        g->tpr = fa_xcalloc(NT, sizeof(double));
        g->tpr_ok = fa_xcalloc(NT, 1);
        for (size_t t = 0; t < NT; t++) {
            double x = c->thresh[t];

            g->sel[t] = fmax(0, 1 - x * (1 + 0.15 * (double)k));
            g->tpr[t] = fmax(0, 1 - x * x * (1 + 0.2 * (double)k));
            g->tpr_ok[t] = g->positives > 0;
        }
    }
}

static void
hand_curves_free(fa_score_curves *c)
{
    for (size_t i = 0; i < c->ngroups; i++) {
        free(c->g[i].sel);
        free(c->g[i].tpr);
        free(c->g[i].tpr_ok);
    }
    free(c->g);
    free(c->thresh);
}

/* A chart file of kind 4 (ROC), 5 (calibration) or 6 (sweep) of c. */
static fa_chart_file
curve_file(const fa_score_curves *c, int kind)
{
    static char name[] = "curves";
    fa_chart_file f = {0};

    f.name = name;
    f.set = c->set;
    f.kind = kind;
    f.curves = c;
    return f;
}

/* The race set's groups have AUCs (Hispanic, no positives, none). */
START_TEST(scored_fixture_has_aucs)
{
    fa_results r;
    int set;
    size_t ndef = 0, nundef = 0;

    scored_run(&r);
    set = find_set(&r, "race");
    for (size_t i = 1; i < r.ngroups; i++) {
        const fa_group *g = &r.groups[i];

        if (g->set != set)
            continue;
        if (g->m[FA_METRIC_AUC].reason) {
            nundef++;
            ck_assert_str_eq(g->values[0], "Hispanic");
        } else {
            ndef++;
            ck_assert(g->m[FA_METRIC_AUC].value > 0.5 &&
                      g->m[FA_METRIC_AUC].value < 1);
        }
    }
    ck_assert_uint_eq(ndef, 4);
    ck_assert_uint_eq(nundef, 1);
    fa_results_release(&r);
}
END_TEST

/* Each score chart draws without error with ink on 2% of the page, at
 * its written size, at 480 x 320 and cramped; scores outside [0, 1]
 * too. FA_CHARTS_SHOW=DIR writes what is drawn there, to look at. */
START_TEST(curve_charts_draw)
{
    static const struct {
        double w, h;
    } sizes[] = {{520, 360}, {480, 400}, {480, 320}, {300, 200}, {160, 90}};
    const char *show = getenv("FA_CHARTS_SHOW");
    fa_results r;
    fa_score_curves c[2];

    scored_run(&r);
    hand_curves(&r, find_set(&r, "race"), ROC_MIXED, 0, 1, &c[0]);
    hand_curves(&r, find_set(&r, "race"), ROC_MIXED, -2, 3, &c[1]);
    for (size_t v = 0; v < 2; v++)
        for (int kind = 4; kind <= 6; kind++)
            for (size_t z = 0; z < FA_ARRAY_LEN(sizes); z++) {
                fa_chart_file f = curve_file(&c[v], kind);
                cairo_surface_t *sf = render(&r, &f, sizes[z].w, sizes[z].h, 2);
                long k = ink(sf);

                ck_assert_msg(k > (long)(4 * sizes[z].w * sizes[z].h / 50),
                              "kind %d at %gx%g: %ld pixels of ink", kind,
                              sizes[z].w, sizes[z].h, k);
                if (show) {
                    char *p = fa_xasprintf("%s/k%d-v%zu-%gx%g.png", show, kind,
                                           v, sizes[z].w, sizes[z].h);

                    cairo_surface_write_to_png(sf, p);
                    free(p);
                }
                cairo_surface_destroy(sf);
            }
    hand_curves_free(&c[0]);
    hand_curves_free(&c[1]);
    fa_results_release(&r);
}
END_TEST

/*
 * Nothing to draw: no group with both classes, no scored rows, no
 * thresholds, and a min_group no group reaches. The charts say so and
 * draw without error (render checks the status).
 */
START_TEST(empty_curves_draw)
{
    const char *show = getenv("FA_CHARTS_SHOW");
    fa_results r;
    fa_score_curves c;
    size_t nthresh;

    scored_run(&r);
    hand_curves(&r, find_set(&r, "race"), ROC_MIXED, 0, 1, &c);
    nthresh = c.nthresh;
    for (size_t i = 0; i < c.ngroups; i++) {
        c.g[i].nroc = 0;
        memset(c.g[i].cal_n, 0, sizeof(c.g[i].cal_n));
    }
    for (int pass = 0; pass < 2; pass++) {
        /* no thresholds, then thresholds but groups too small */
        c.nthresh = pass ? nthresh : 0;
        r.min_group = pass ? 1000 : r.min_group;
        for (int kind = 4; kind <= 6; kind++) {
            fa_chart_file f = curve_file(&c, kind);
            cairo_surface_t *sf = render(&r, &f, 520, 360, 2);

            ck_assert_int_gt(ink(sf), 0);
            if (show) {
                char *p = fa_xasprintf("%s/empty-k%d-%d.png", show, kind, pass);

                cairo_surface_write_to_png(sf, p);
                free(p);
            }
            cairo_surface_destroy(sf);
        }
    }
    hand_curves_free(&c);
    fa_results_release(&r);
}
END_TEST

/* A pixel clearly coloured (not white, grey or black): a curve's. */
static int
coloured(cairo_surface_t *sf, int x, int y)
{
    const unsigned char *d =
        cairo_image_surface_get_data(sf) +
        (size_t)y * (size_t)cairo_image_surface_get_stride(sf) + 4 * (size_t)x;
    uint32_t p;
    int cr, cg, cb, hi, lo;

    memcpy(&p, d, 4);
    cr = p >> 16 & 0xff;
    cg = p >> 8 & 0xff;
    cb = p & 0xff;
    hi = cr > cg ? (cr > cb ? cr : cb) : (cg > cb ? cg : cb);
    lo = cr < cg ? (cr < cb ? cr : cb) : (cg < cb ? cg : cb);
    return hi - lo > 60;
}

/* Coloured pixels in the box (x, y) to (x + n, y + n). */
static int
coloured_in(cairo_surface_t *sf, int x, int y, int n)
{
    int k = 0;

    for (int j = y; j < y + n; j++)
        for (int i = x; i < x + n; i++)
            k += coloured(sf, i, j);
    return k;
}

/*
 * The perfect classifier's curves run through the top-left corner of the
 * plot, chance's do not. The two charts differ only in their curves (the
 * legend's AUCs come from the run), so the box of the pixels that differ
 * is the plot area, give or take a marker: the box's top-left 12 points
 * hold curve colour in the perfect chart and none in chance's; its
 * bottom-right none in the perfect chart.
 */
START_TEST(roc_perfect_top_left)
{
    fa_results r;
    fa_score_curves perfect, chance;
    fa_chart_file fp, fc;
    cairo_surface_t *a, *b;
    int w, h, stride, x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;

    scored_run(&r);
    hand_curves(&r, find_set(&r, "race"), ROC_PERFECT, 0, 1, &perfect);
    hand_curves(&r, find_set(&r, "race"), ROC_CHANCE, 0, 1, &chance);
    fp = curve_file(&perfect, 4);
    fc = curve_file(&chance, 4);
    a = render(&r, &fp, 520, 360, 2);
    b = render(&r, &fc, 520, 360, 2);
    w = cairo_image_surface_get_width(a);
    h = cairo_image_surface_get_height(a);
    stride = cairo_image_surface_get_stride(a);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (memcmp(cairo_image_surface_get_data(a) + y * stride + 4 * x,
                       cairo_image_surface_get_data(b) + y * stride + 4 * x,
                       4) != 0) {
                x0 = x < x0 ? x : x0;
                y0 = y < y0 ? y : y0;
                x1 = x > x1 ? x : x1;
                y1 = y > y1 ? y : y1;
            }
    /* a plot area, not a speck: 200 points square at least */
    ck_assert_int_gt(x1 - x0, 400);
    ck_assert_int_gt(y1 - y0, 400);
    ck_assert_int_gt(coloured_in(a, x0, y0, 24), 20);
    ck_assert_int_eq(coloured_in(b, x0, y0, 24), 0);
    ck_assert_int_eq(coloured_in(a, x1 - 24, y1 - 24, 24), 0);
    /* and chance's run through the middle, the perfect's do not */
    ck_assert_int_gt(coloured_in(b, (x0 + x1) / 2 - 6, (y0 + y1) / 2 - 6, 12),
                     10);
    ck_assert_int_eq(coloured_in(a, (x0 + x1) / 2 - 6, (y0 + y1) / 2 - 6, 12),
                     0);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    hand_curves_free(&perfect);
    hand_curves_free(&chance);
    fa_results_release(&r);
}
END_TEST

/*
 * The list with curves of race and sex: the three score charts right
 * after each set's own, named and titled, 6 more than without; the list
 * without curves is fa_chart_list's.
 */
START_TEST(list_with_curves)
{
    static const char *const what[3] = {"roc", "calibration", "sweep"};
    static const char *const titles[3] = {
        "ROC curves by %s", "Calibration by %s", "Threshold sweep by %s"};
    fa_results r;
    fa_score_curves c[2];
    fa_chart_file *f, *g, *h;
    size_t n, ng, nh, at = 0;

    scored_run(&r);
    hand_curves(&r, find_set(&r, "race"), ROC_MIXED, 0, 1, &c[0]);
    hand_curves(&r, find_set(&r, "sex"), ROC_MIXED, 0, 1, &c[1]);
    f = fa_chart_list(&r, &n);
    g = fa_chart_list_curves(&r, NULL, 0, &ng);
    h = fa_chart_list_curves(&r, c, 2, &nh);
    ck_assert_uint_eq(ng, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(g[i].name, f[i].name);
        ck_assert_str_eq(g[i].title, f[i].title);
        ck_assert_int_eq(g[i].kind, f[i].kind);
        ck_assert_ptr_null(g[i].curves);
    }
    ck_assert_uint_eq(nh, n + 6);
    /* h is f with each curves set's three charts after the set's last */
    for (size_t i = 0; i < nh; i++) {
        if (h[i].kind < 4) {
            ck_assert_uint_lt(at, n);
            ck_assert_str_eq(h[i].name, f[at].name);
            at++;
            continue;
        }
        {
            int set = h[i].set, k = h[i].kind - 4;
            const char *attr = set == c[0].set ? "race" : "sex";
            char *name = fa_xasprintf("set%d-%s", set, what[k]);
            char *title = fa_xasprintf(titles[k], attr);

            ck_assert(set == c[0].set || set == c[1].set);
            ck_assert_ptr_eq(h[i].curves, set == c[0].set ? &c[0] : &c[1]);
            ck_assert_str_eq(h[i].name, name);
            ck_assert_str_eq(h[i].title, title);
            /* after the set's own charts, before the next set's */
            ck_assert_int_eq(f[at - 1].set, set);
            ck_assert(at == n || f[at].set != set);
            free(name);
            free(title);
        }
    }
    ck_assert_uint_eq(at, n);
    ck_assert_str_eq(h[3].name, "set1-roc");
    ck_assert_str_eq(h[4].name, "set1-calibration");
    ck_assert_str_eq(h[5].name, "set1-sweep");
    ck_assert_str_eq(h[5].title, "Threshold sweep by race");
    fa_chart_files_free(f, n);
    fa_chart_files_free(g, ng);
    fa_chart_files_free(h, nh);
    hand_curves_free(&c[0]);
    hand_curves_free(&c[1]);
    fa_results_release(&r);
}
END_TEST

/* Written twice, the score charts are the same bytes, PNG and SVG; and
 * two renders give the same pixels. */
START_TEST(curve_charts_same_bytes)
{
    fa_results r;
    fa_ctx *ctx = fa_ctx_new();
    fa_score_curves c;
    char *a = path_of("a"), *b = path_of("b");
    size_t n, ncurve = 0;
    fa_chart_file *f;

    scored_run(&r);
    hand_curves(&r, find_set(&r, "race"), ROC_MIXED, 0, 1, &c);
    ck_assert_int_eq(fa_charts_write(ctx, &r, &c, 1, a), FA_OK);
    ck_assert_int_eq(fa_charts_write(ctx, &r, &c, 1, b), FA_OK);
    f = fa_chart_list_curves(&r, &c, 1, &n);
    for (size_t i = 0; i < 2 * n; i++) {
        const char *ext = i % 2 ? "png" : "svg";
        char *pa, *pb;
        size_t na, nb;
        unsigned char *da, *db;

        if (f[i / 2].kind < 4)
            continue;
        ncurve++;
        pa = fa_xasprintf("%s/%s.%s", a, f[i / 2].name, ext);
        pb = fa_xasprintf("%s/%s.%s", b, f[i / 2].name, ext);
        da = slurp(pa, &na);
        db = slurp(pb, &nb);
        ck_assert_uint_gt(na, 100);
        ck_assert_msg(na == nb && memcmp(da, db, na) == 0, "%s differs", pb);
        free(da);
        free(db);
        free(pa);
        free(pb);
    }
    ck_assert_uint_eq(ncurve, 6);
    for (int kind = 4; kind <= 6; kind++) {
        fa_chart_file cf = curve_file(&c, kind);
        cairo_surface_t *s1 = render(&r, &cf, 480, 320, 2);
        cairo_surface_t *s2 = render(&r, &cf, 480, 320, 2);
        size_t bytes = (size_t)cairo_image_surface_get_stride(s1) *
                       (size_t)cairo_image_surface_get_height(s1);

        ck_assert(memcmp(cairo_image_surface_get_data(s1),
                         cairo_image_surface_get_data(s2), bytes) == 0);
        cairo_surface_destroy(s1);
        cairo_surface_destroy(s2);
    }
    fa_chart_files_free(f, n);
    hand_curves_free(&c);
    fa_results_release(&r);
    fa_ctx_free(ctx);
    free(a);
    free(b);
}
END_TEST

/* 40 groups: at most 8 curves, the others counted; every score chart
 * still draws. */
START_TEST(curve_charts_forty_groups)
{
    const char *show = getenv("FA_CHARTS_SHOW");
    fa_results r;
    fa_score_curves c;

    many_run(&r);
    hand_curves(&r, find_set(&r, "grp"), ROC_MIXED, 0, 1, &c);
    ck_assert_uint_eq(c.ngroups, 40);
    for (int kind = 4; kind <= 6; kind++) {
        fa_chart_file f = curve_file(&c, kind);
        cairo_surface_t *sf = render(&r, &f, 520, 360, 2);

        ck_assert_int_gt(ink(sf), 4 * 520 * 360 / 50);
        if (show) {
            char *p = fa_xasprintf("%s/many-k%d.png", show, kind);

            cairo_surface_write_to_png(sf, p);
            free(p);
        }
        cairo_surface_destroy(sf);
    }
    hand_curves_free(&c);
    fa_results_release(&r);
}
END_TEST

Suite *
charts_suite(void)
{
    Suite *s = suite_create("charts");
    TCase *tc = tcase_create("charts");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, list_names_and_titles);
    tcase_add_test(tc, every_chart_draws);
    tcase_add_test(tc, same_bytes_twice);
    tcase_add_test(tc, rates_matches_reference);
    tcase_add_test(tc, undefined_rates_draw);
    tcase_add_test(tc, forty_groups);
    tcase_add_test(tc, write_error_names_the_path);
    tcase_add_test(tc, scored_fixture_has_aucs);
    tcase_add_test(tc, curve_charts_draw);
    tcase_add_test(tc, empty_curves_draw);
    tcase_add_test(tc, roc_perfect_top_left);
    tcase_add_test(tc, list_with_curves);
    tcase_add_test(tc, curve_charts_same_bytes);
    tcase_add_test(tc, curve_charts_forty_groups);
    suite_add_tcase(s, tc);
    return s;
}
