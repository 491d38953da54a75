/* route.h: the router replayed: scores from logits, and the top-k selection with a bias and group limits. */
#ifndef MOESTAT_ROUTE_H
#define MOESTAT_ROUTE_H

#include <stddef.h>
#include <stdint.h>

enum route_score { ROUTE_SOFTMAX, ROUTE_SIGMOID };

/* softmax: s_i = exp(x_i - max_j x_j) / sum_j exp(x_j - max_j x_j);
 * sigmoid: s_i = 1 / (1 + exp(-x_i)). */
void route_scores(enum route_score score, const double *logits, size_t n, double *s);

/* Group-limited routing, off when groups is 0. */
struct route_groups {
	unsigned groups;        /* G equal groups of consecutive expert ids */
	unsigned topk;          /* M groups kept */
};

/* Selected = the top k of (s_i + b_i), ties to the lower expert id; with groups,
 * a group's score is the sum of its k/M largest (s_i + b_i), the M best groups
 * are kept (ties to the lower group id) and every expert of the other groups
 * counts as -infinity. */
/* Writes the k ids to out, best first; b may be NULL (no bias); scratch holds
 * 6 n doubles, and with groups ends up holding s + b, -infinity where masked.
 * The groups must fit n and k (see route_groups_fit). */
void route_select(const double *s, const double *b, size_t n, size_t k,
                  const struct route_groups *g, uint32_t *out, double *scratch);

/* Whether n experts and lists of k fit the groups: 0, or -1 with *why set. */
int route_groups_fit(const struct route_groups *g, size_t n, size_t k, const char **why);

#endif
