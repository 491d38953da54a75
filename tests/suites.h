/* suites.h: every unit-test suite; check_main.c runs them all. */
#ifndef MOESTAT_SUITES_H
#define MOESTAT_SUITES_H

#include <check.h>

Suite *source_suite(void);
Suite *lines_suite(void);
Suite *fields_suite(void);
Suite *mlog_suite(void);
Suite *mlog_avx512_suite(void);
Suite *jsonl_suite(void);
Suite *jsonw_suite(void);
Suite *csv_suite(void);
Suite *steps_suite(void);
Suite *reader_suite(void);
Suite *stats_suite(void);
Suite *metrics_suite(void);
Suite *dead_suite(void);
Suite *cli_suite(void);
Suite *batch_suite(void);
Suite *pairs_suite(void);
Suite *compare_suite(void);
Suite *route_suite(void);
Suite *replay_suite(void);
Suite *jsonl_scan_suite(void);
Suite *place_suite(void);
Suite *devload_suite(void);
Suite *counts_suite(void);
Suite *state_suite(void);
Suite *window_suite(void);
Suite *render_log_suite(void);
Suite *heat_suite(void);
Suite *blocks_suite(void);

#endif
