/* heat.c: the colour scale of the heatmaps, written once for the terminal and the HTML report. */
#include <math.h>

#include "heat.h"

double heat_of(double ratio)
{
	double h;

	if (isnan(ratio))
		return 0;
	if (ratio <= 0.25)
		return -1;
	h = log2(ratio) / 2;
	return h > 1 ? 1 : h;
}

static unsigned char mix(unsigned char from, unsigned char to, double t)
{
	return (unsigned char)lround(from + (to - from) * t);
}

struct heat_rgb heat_colour(double heat)
{
	static const struct heat_rgb mid = { 221, 221, 221 }, hot = { 178, 24, 43 }, cold = { 33, 102, 172 };
	const struct heat_rgb *end = heat < 0 ? &cold : &hot;
	double t = fabs(heat);

	return (struct heat_rgb){ mix(mid.r, end->r, t), mix(mid.g, end->g, t), mix(mid.b, end->b, t) };
}

int heat_shade(uint64_t count, double heat)
{
	if (count == 0)
		return 0;
	if (heat < -0.5)
		return 1;
	if (heat < 0.5)
		return 2;
	return heat < 1 ? 3 : 4;
}
