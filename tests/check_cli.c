/* check_cli.c: the common options: layer lists, --key, numbers, formats; the progress meter's line. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "suites.h"
#include "testutil.h"

static bool has_layer(const struct cli_common *c, unsigned layer)
{
	return c->read.layers[layer / 8] & (1u << layer % 8);
}

START_TEST(layer_lists)
{
	struct cli_common c;

	cli_common_init(&c, "test");
	ck_assert_int_eq(cli_common_option(&c, CLI_LAYERS, "0,3,10-12,65535", NULL), 1);
	for (unsigned l = 0; l < 20; l++)
		ck_assert(has_layer(&c, l) == (l == 0 || l == 3 || (l >= 10 && l <= 12)));
	ck_assert(has_layer(&c, 65535));
	cli_common_free(&c);
}
END_TEST

static const char *const bad_values[][2] = {
	{ "layers", "" }, { "layers", "1,,2" }, { "layers", "3-1" }, { "layers", "1-" },
	{ "layers", "65536" }, { "layers", "-2" }, { "layers", "1,x" }, { "layers", "2," },
	{ "experts", "0" }, { "experts", "65537" }, { "experts", "-3" }, { "experts", "8x" },
	{ "key", "experts" }, { "key", "color=x" }, { "key", "experts=" },
	{ "input-format", "xml" },
};

START_TEST(bad_option_values_are_usage_errors)
{
	static const int codes[] = { ['l'] = CLI_LAYERS, ['e'] = CLI_EXPERTS, ['k'] = CLI_KEY,
	                             ['i'] = CLI_INPUT_FORMAT };
	struct cli_common c;
	FILE *saved = stderr;

	cli_common_init(&c, "test");
	stderr = fopen("/dev/null", "w");
	ck_assert_int_eq(cli_common_option(&c, codes[(unsigned char)bad_values[_i][0][0]],
	                                   bad_values[_i][1], NULL), -1);
	fclose(stderr);
	stderr = saved;
	cli_common_free(&c);
}
END_TEST

START_TEST(good_option_values)
{
	struct cli_common c;

	cli_common_init(&c, "test");
	ck_assert_int_eq(cli_common_option(&c, CLI_EXPERTS, "65536", NULL), 1);
	ck_assert_uint_eq(c.read.experts, 65536);
	ck_assert_int_eq(cli_common_option(&c, CLI_KEY, "domain=dataset", NULL), 1);
	ck_assert_str_eq(c.read.keys[MOE_ROLE_DOMAIN], "dataset");
	ck_assert_int_eq(cli_common_option(&c, CLI_INPUT_FORMAT, "steps", NULL), 1);
	ck_assert_int_eq(c.read.format, MOE_FORMAT_STEPS);
	ck_assert_int_eq(cli_common_option(&c, CLI_SKIP_BAD, NULL, NULL), 1);
	ck_assert(c.read.skip_bad);
	ck_assert_int_eq(cli_common_option(&c, CLI_FIRST_COMMAND_OPTION, NULL, NULL), 0);
	cli_common_free(&c);
}
END_TEST

/* Rates and times worked out by hand: 50 MB in 2 s is 25 MB/s, and the
 * 150 MB left take 6 s more; 15 MB in 3750 s (62:30) is 4000 B/s, and the
 * 45 MB left take 11250 s (187:30). */
static const struct {
	uint64_t done, total;
	double elapsed;
	const char *line;
} meter_lines[] = {
	{ 50000000, 200000000, 2.0, "moestat: 50.0 MB read, 25.0 MB/s, 0:02, 25%, ETA 0:06" },
	{ 50000000, 0, 2.0, "moestat: 50.0 MB read, 25.0 MB/s, 0:02" },               /* size not known */
	{ 143000000, 143000000, 75.5, "moestat: 143.0 MB read, 1.9 MB/s, 1:15, 100%, ETA 0:00" },
	{ 15000000, 60000000, 3750.0, "moestat: 15.0 MB read, 0.0 MB/s, 62:30, 25%, ETA 187:30" },
	{ 0, 100, 0.0, "moestat: 0.0 MB read, 0.0 MB/s, 0:00" },                        /* no rate yet */
	{ 300, 200, 1.0, "moestat: 0.0 MB read, 0.0 MB/s, 0:01" },                      /* past the size */
};

START_TEST(meter_line)
{
	char line[128];

	memset(line, 'x', sizeof line);
	ck_assert_int_eq(cli_meter_line(line, sizeof line, meter_lines[_i].done, meter_lines[_i].total,
	                                meter_lines[_i].elapsed),
	                 (int)strlen(meter_lines[_i].line));
	ck_assert_str_eq(line, meter_lines[_i].line);
}
END_TEST

START_TEST(meter_line_cut_to_its_room)
{
	char line[20];

	ck_assert_int_eq(cli_meter_line(line, sizeof line, 50000000, 200000000, 2.0), 19);
	ck_assert_str_eq(line, "moestat: 50.0 MB re");
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_add_test(tc, layer_lists);
	tcase_add_loop_test(tc, bad_option_values_are_usage_errors, 0,
	                    sizeof bad_values / sizeof *bad_values);
	tcase_add_test(tc, good_option_values);
	tcase_add_loop_test(tc, meter_line, 0, sizeof meter_lines / sizeof *meter_lines);
	tcase_add_test(tc, meter_line_cut_to_its_room);
	suite_add_tcase(s, tc);
	return s;
}
