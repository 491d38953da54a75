/* metrics.c: the balance formulas, in long double so that sums of integer counts stay exact. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>

double metrics_share(uint64_t count, uint64_t selections)
{
	return selections ? (double)((long double)count / selections) : NAN;
}

double metrics_ratio(uint64_t count, size_t n, uint64_t selections)
{
	return selections ? (double)((long double)count * n / selections) : NAN;
}

double metrics_maxvio(const uint64_t *count, size_t n, uint64_t selections)
{
	uint64_t max = 0;

	for (size_t i = 0; i < n; i++)
		if (count[i] > max)
			max = count[i];
	return metrics_maxvio_of_max(max, n, selections);
}

double metrics_maxvio_of_max(uint64_t max, size_t n, uint64_t selections)
{
	long double mean;

	if (n == 0 || selections == 0)
		return NAN;
	mean = (long double)selections / n;
	return (double)(((long double)max - mean) / mean);
}

double metrics_cv(const uint64_t *count, size_t n, uint64_t selections)
{
	long double mean, sum = 0;

	if (n == 0 || selections == 0)
		return NAN;
	mean = (long double)selections / n;
	for (size_t i = 0; i < n; i++) {
		long double d = count[i] - mean;
		sum += d * d;
	}
	return (double)(sqrtl(sum / n) / mean);
}

double metrics_entropy_norm(const uint64_t *count, size_t n, uint64_t selections)
{
	long double h = 0;

	if (n < 2 || selections == 0)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (count[i] == 0)
			continue;               /* 0 ln 0 = 0 */
		long double share = (long double)count[i] / selections;
		h -= share * logl(share);
	}
	return (double)(h / logl((long double)n));
}

size_t metrics_unused(const uint64_t *count, size_t n)
{
	size_t unused = 0;

	for (size_t i = 0; i < n; i++)
		unused += count[i] == 0;
	return unused;
}

static int ascending(const void *a, const void *b)
{
	const struct moe_expert_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return x->expert < y->expert ? -1 : x->expert > y->expert;
}

void metrics_sort_ascending(struct moe_expert_count *e, size_t n)
{
	qsort(e, n, sizeof *e, ascending);
}

double metrics_gini_sorted(const struct moe_expert_count *sorted, size_t n, uint64_t selections)
{
	long double sum = 0;

	if (n == 0 || selections == 0)
		return NAN;
	/* With c ascending, sum_i sum_j |c_i - c_j| = 2 sum_i (2i - n + 1) c_i (i from 0),
	 * and 2 n^2 mean = 2 n selections: O(n log n) instead of O(n^2). */
	for (size_t i = 0; i < n; i++)
		sum += (2.0L * i - (long double)n + 1) * sorted[i].count;
	return (double)(sum / ((long double)n * selections));
}

double metrics_coverage(const struct moe_expert_count *sorted, size_t n, size_t top,
                        uint64_t selections)
{
	uint64_t sum = 0;

	if (selections == 0)
		return NAN;
	for (size_t i = 0; i < top && i < n; i++)
		sum += sorted[n - 1 - i].count;
	return (double)((long double)sum / selections);
}

double metrics_specialisation(const double *share, size_t domains)
{
	long double sum = 0;
	double max = 0;

	for (size_t d = 0; d < domains; d++) {
		sum += share[d];
		if (share[d] > max)
			max = share[d];
	}
	if (domains == 0 || sum == 0)
		return NAN;
	return (double)(max / (sum / domains));
}
