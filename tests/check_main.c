/* check_main.c — runs every Check suite in one runner. */
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_errno.h>

#include "tests.h"

int
main(void)
{
    SRunner *sr;
    int failed;

    gsl_set_error_handler_off();
    sr = srunner_create(metrics_suite());
    srunner_add_suite(sr, util_suite());
    srunner_add_suite(sr, ingest_suite());
    srunner_add_suite(sr, run_suite());
    srunner_add_suite(sr, synth_suite());
    srunner_add_suite(sr, scores_suite());
    srunner_add_suite(sr, bootstrap_suite());
    srunner_add_suite(sr, stats_suite());
    srunner_add_suite(sr, strata_suite());
    srunner_add_suite(sr, weighted_suite());
    srunner_add_suite(sr, policy_suite());
    srunner_add_suite(sr, curves_suite());
    srunner_add_suite(sr, charts_suite());
    srunner_add_suite(sr, xlsx_suite());
    srunner_add_suite(sr, pack_suite());
    srunner_add_suite(sr, suppress_suite());
    srunner_add_suite(sr, rerun_suite());
    srunner_add_suite(sr, compare_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
