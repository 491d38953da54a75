/* check_heat.c: the colour scale of the heatmaps at its edges, worked out by hand. */
#include <math.h>

#include "heat.h"
#include "suites.h"

static const struct {
	double ratio;
	uint64_t count;
	double heat;            /* log2(ratio) / 2, clamped to [-1, 1] */
	int shade;
	unsigned char r, g, b;  /* grey 221 mixed towards red (178, 24, 43) or blue (33, 102, 172) by |heat| */
} cases[] = {
	{ 0, 0, -1, 0, 33, 102, 172 },          /* never chosen: shade 0, the full blue */
	{ 0.125, 1, -1, 1, 33, 102, 172 },      /* below 1/4: clamped */
	{ 0.25, 1, -1, 1, 33, 102, 172 },
	/* log2(1/2) / 2 = -1/2: on the edge, the shade of 1/2 to 2; the colour halfway:
	 * 221 + (33 - 221) / 2 = 127, 221 + (102 - 221) / 2 = 161.5 -> 162 (lround: away from 0), 196.5 -> 197. */
	{ 0.5, 2, -0.5, 2, 127, 162, 197 },
	{ 1, 4, 0, 2, 221, 221, 221 },          /* the balanced load: grey */
	/* log2(2) / 2 = 1/2: halfway to red: 199.5 -> 200, 122.5 -> 123, 132 */
	{ 2, 8, 0.5, 3, 200, 123, 132 },
	{ 4, 16, 1, 4, 178, 24, 43 },
	{ 8, 32, 1, 4, 178, 24, 43 },           /* above 4: clamped */
	{ NAN, 0, 0, 0, 221, 221, 221 },        /* undefined: the centre */
};

START_TEST(edges)
{
	double h = heat_of(cases[_i].ratio);
	struct heat_rgb c = heat_colour(h);

	ck_assert_double_eq(h, cases[_i].heat);
	ck_assert_int_eq(heat_shade(cases[_i].count, h), cases[_i].shade);
	ck_assert_uint_eq(c.r, cases[_i].r);
	ck_assert_uint_eq(c.g, cases[_i].g);
	ck_assert_uint_eq(c.b, cases[_i].b);
}
END_TEST

/* sqrt(2): log2 = 1/2, heat 1/4; 1/sqrt(2) its mirror image: the scale is symmetric in log. */
START_TEST(symmetric)
{
	ck_assert_double_eq_tol(heat_of(M_SQRT2), 0.25, 1e-15);
	ck_assert_double_eq_tol(heat_of(M_SQRT1_2), -0.25, 1e-15);
}
END_TEST

Suite *heat_suite(void)
{
	Suite *s = suite_create("heat");
	TCase *tc = tcase_create("scale");

	tcase_add_loop_test(tc, edges, 0, sizeof cases / sizeof *cases);
	tcase_add_test(tc, symmetric);
	suite_add_tcase(s, tc);
	return s;
}
