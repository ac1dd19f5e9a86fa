/* tests.h — the Check suites, one per module. */
#ifndef FA_TESTS_H
#define FA_TESTS_H

#include <check.h>

Suite *metrics_suite(void);
Suite *util_suite(void);
Suite *ingest_suite(void);
Suite *run_suite(void);
Suite *synth_suite(void);
Suite *scores_suite(void);
Suite *bootstrap_suite(void);
Suite *stats_suite(void);
Suite *strata_suite(void);
Suite *weighted_suite(void);
Suite *policy_suite(void);
Suite *curves_suite(void);
Suite *charts_suite(void);
Suite *xlsx_suite(void);
Suite *pack_suite(void);
Suite *suppress_suite(void);
Suite *rerun_suite(void);
Suite *compare_suite(void);

#endif /* FA_TESTS_H */
