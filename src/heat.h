/* heat.h: the colour scale of the heatmaps: a load ratio to a place on a diverging log scale, its colour and its shade. */
#ifndef MOESTAT_HEAT_H
#define MOESTAT_HEAT_H

#include <stdint.h>

/* heat = clamp(log2(ratio) / 2, -1, 1): -1 at a ratio of 1/4 or less, 0 at the balanced load, 1 at a ratio of 4 or more */
/* Returns 0 for an undefined ratio (NAN). */
double heat_of(double ratio);

struct heat_rgb {
	unsigned char r, g, b;
};

/* colour = grey (221, 221, 221) at heat 0, mixed linearly towards red (178, 24, 43) as heat goes to 1 and towards blue (33, 102, 172) as heat goes to -1 */
struct heat_rgb heat_colour(double heat);

/* shade = 0 for an expert never chosen (count 0), else 1 for heat < -1/2, 2 for heat < 1/2, 3 for heat < 1, 4 at heat 1 */
int heat_shade(uint64_t count, double heat);

#endif
