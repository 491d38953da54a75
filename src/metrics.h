/* metrics.h: the balance formulas, each written once, over one layer's counts of N experts. */
#ifndef MOESTAT_METRICS_H
#define MOESTAT_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct moe_expert_count {
	uint32_t expert;
	uint64_t count;
};

/* Each formula takes count[0..n) and selections = sum of count; mean = selections / n.
 * A figure that is undefined (no selections; entropy when n = 1) is NAN. */

/* share_i = count_i / selections. */
double metrics_share(uint64_t count, uint64_t selections);

/* ratio_i = count_i / mean: 1 is the balanced load. */
double metrics_ratio(uint64_t count, size_t n, uint64_t selections);

/* MaxVio = (max_i count_i - mean) / mean. */
double metrics_maxvio(const uint64_t *count, size_t n, uint64_t selections);

/* The same from max_i count_i alone, for chunks that keep only their largest count. */
double metrics_maxvio_of_max(uint64_t max, size_t n, uint64_t selections);

/* CV = sqrt(sum_i (count_i - mean)^2 / n) / mean. */
double metrics_cv(const uint64_t *count, size_t n, uint64_t selections);

/* entropy_norm = (-sum_i share_i ln share_i) / ln n, share_i = count_i / selections, 0 ln 0 = 0. */
double metrics_entropy_norm(const uint64_t *count, size_t n, uint64_t selections);

/* Number of experts with count 0. */
size_t metrics_unused(const uint64_t *count, size_t n);

/* Orders experts by ascending count, ties to the lower expert id: the least-used order. */
void metrics_sort_ascending(struct moe_expert_count *e, size_t n);

/* Gini = sum_i sum_j |count_i - count_j| / (2 n^2 mean), from the counts in ascending order. */
double metrics_gini_sorted(const struct moe_expert_count *sorted, size_t n, uint64_t selections);

/* coverage(top) = (sum of the top largest count_i) / selections, from the counts in
 * ascending order; its balanced value is top / n. */
double metrics_coverage(const struct moe_expert_count *sorted, size_t n, size_t top,
                        uint64_t selections);

/* specialisation = max_d share_d / (sum_d share_d / domains), over the domains
 * that have the layer: 1 = no preference for any domain. */
double metrics_specialisation(const double *share, size_t domains);

#endif
