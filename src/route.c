/* route.c: the selection rule every replayed strategy shares, in O(n k) a token. */
#include "route.h"

#include <math.h>

void route_scores(enum route_score score, const double *logits, size_t n, double *s)
{
	double max = -INFINITY, sum = 0;

	if (score == ROUTE_SIGMOID) {
		for (size_t i = 0; i < n; i++)
			s[i] = 1 / (1 + exp(-logits[i]));
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (logits[i] > max)
			max = logits[i];
	for (size_t i = 0; i < n; i++)
		sum += s[i] = exp(logits[i] - max);
	for (size_t i = 0; i < n; i++)
		s[i] /= sum;
}

/* Keeps the best k of v[first..last) in out (ids, best first), for ids in
 * ascending order: a later equal value never displaces an earlier one, which
 * is the tie rule. Returns how many are in out. */
static size_t top(const double *v, size_t first, size_t last, size_t k, uint32_t *out)
{
	size_t n = 0;
	double kth = 0;         /* v[out[k - 1]] once out is full: the value to beat */

	if (k == 0)
		return 0;
	for (size_t i = first; i < last; i++) {
		double x = v[i];
		size_t j;

		if (n == k && !(x > kth))
			continue;
		j = n < k ? n++ : k - 1;
		while (j > 0 && x > v[out[j - 1]]) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = (uint32_t)i;
		if (n == k)
			kth = v[out[k - 1]];
	}
	return n;
}

int route_groups_fit(const struct route_groups *g, size_t n, size_t k, const char **why)
{
	if (!g || !g->groups)
		return 0;
	if (n % g->groups) {
		*why = "the number of experts does not divide by --groups";
		return -1;
	}
	if (g->topk == 0 || g->topk > g->groups) {
		*why = "--group-topk is not between 1 and --groups";
		return -1;
	}
	if (k % g->topk) {
		*why = "the top-k does not divide by --group-topk";
		return -1;
	}
	if (k / g->topk > n / g->groups) {
		*why = "k / --group-topk is more than the experts of a group";
		return -1;
	}
	return 0;
}

void route_select(const double *s, const double *b, size_t n, size_t k,
                  const struct route_groups *g, uint32_t *out, double *scratch)
{
	double *v = scratch, *group_score = scratch + n;

	if (!b && !(g && g->groups)) {
		top(s, 0, n, k, out);   /* nothing to add or mask: s itself */
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = s[i] + (b ? b[i] : 0);
	if (g && g->groups) {
		size_t size = n / g->groups, per = k / g->topk;

		for (unsigned gi = 0; gi < g->groups; gi++) {
			size_t m = top(v, gi * size, (gi + 1) * size, per, out);

			group_score[gi] = 0;
			for (size_t j = 0; j < m; j++)
				group_score[gi] += v[out[j]];
		}
		/* The kept groups are marked +infinity, which no sum of finite scores is. */
		top(group_score, 0, g->groups, g->topk, out);
		for (unsigned j = 0; j < g->topk; j++)
			group_score[out[j]] = INFINITY;
		for (unsigned gi = 0; gi < g->groups; gi++)
			if (group_score[gi] != INFINITY)
				for (size_t i = gi * size; i < (gi + 1) * size; i++)
					v[i] = -INFINITY;
	}
	top(v, 0, n, k, out);
}
