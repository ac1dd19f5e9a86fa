/* test_charts.c — the charts: every chart of a run draws (no cairo error,
 * ink on the page), the same bytes twice, the rates chart against a
 * reference image, undefined rates, a 40-group attribute, write errors.
 *
 * Each test builds its run from a CSV it writes itself (ingest, run with
 * the eeoc-four-fifths template, load), in a mkdtemp folder that the
 * checked teardown removes.
 */
#include <dirent.h>
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
 * Loads csv (columns attrs..., age, y, p) as a run judged by the
 * eeoc-four-fifths template, age binned at 18, 25, 40 and 65 when bin_age.
 */
static void
audit(const char *csv, const char *const *attrs, size_t nattrs, int bin_age,
      fa_results *r)
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
small_csv(void)
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

    len += (size_t)snprintf(s + len, cap - len, "race,sex,age,y,p\n");
    for (size_t k = 0; k < FA_ARRAY_LEN(g); k++)
        for (int i = 0; i < g[k].n; i++)
            len += (size_t)snprintf(
                s + len, cap - len, "%s,%s,%d,%d,%d\n", g[k].race,
                g[k].women_only || i % 2 == 0 ? "F" : "M", 20 + i * 13 % 41,
                i * 7 % g[k].n < g[k].pos, i < g[k].sel);
    ck_assert_uint_lt(len, cap - 1);
    return s;
}

static void
small_run(fa_results *r)
{
    static const char *const attrs[] = {"race", "sex", "age"};
    char *csv = small_csv();

    audit(csv, attrs, 3, 1, r);
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
    ck_assert_int_eq(fa_charts_write(ctx, &r, a), FA_OK);
    ck_assert_int_eq(fa_charts_write(ctx, &r, b), FA_OK);
    /* and into a folder that exists */
    ck_assert_int_eq(fa_charts_write(ctx, &r, b), FA_OK);
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
    ck_assert_int_eq(fa_charts_write(ctx, &r, out), FA_OK);
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
    ck_assert_int_eq(fa_charts_write(ctx, &r, sub), FA_ERR_IO_WRITE);
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), "cannot write '"));
    ck_assert_ptr_nonnull(strstr(fa_ctx_msg(ctx), sub));
    fa_results_release(&r);
    fa_ctx_free(ctx);
    free(file);
    free(sub);
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
    suite_add_tcase(s, tc);
    return s;
}
