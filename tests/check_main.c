/* check_main.c: runs every unit-test suite (CK_FORK=no runs them in one process, for a debugger). */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	Suite *(*const suites[])(void) = {
		source_suite, lines_suite, fields_suite, mlog_suite, mlog_avx512_suite,
		jsonl_suite, jsonw_suite, csv_suite,
		steps_suite, reader_suite, stats_suite, metrics_suite, dead_suite, cli_suite,
		batch_suite, pairs_suite, compare_suite, route_suite, replay_suite,
		jsonl_scan_suite, place_suite, devload_suite, counts_suite, render_log_suite,
		heat_suite, state_suite, window_suite, blocks_suite,
	};
	SRunner *sr = srunner_create(suites[0]());
	int failed;

	for (size_t i = 1; i < sizeof suites / sizeof *suites; i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
