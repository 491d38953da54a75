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
 * is the tie rule. Returns how many are in out. best[0..k) holds their values,
 * so that moving down the list reads no v[out[j]]. */
static size_t top(const double *v, size_t first, size_t last, size_t k, uint32_t *out,
                  double *best)
{
	size_t n = 0;

	if (k == 0)
		return 0;
	for (size_t i = first; i < last; i++) {
		double x = v[i];
		size_t j;

		if (n == k && !(x > best[k - 1]))
			continue;
		j = n < k ? n++ : k - 1;
		for (; j > 0 && x > best[j - 1]; j--) {
			out[j] = out[j - 1];
			best[j] = best[j - 1];
		}
		out[j] = (uint32_t)i;
		best[j] = x;
	}
	return n;
}

/* The same, for many values and few kept (256 and 8): top alone mispredicts a
 * branch at each of the ~40 values that enter the list on their way to the
 * best k. Instead: the k-th largest of the maxima of 4 k blocks is a bar that
 * at least k values reach, and every value of the best k reaches it; the values
 * that reach it (a dozen or so) are gathered without a branch, in id order,
 * and top picks from them, ties as before. w holds 4 (last - first) doubles. */
static size_t select_top(const double *v, size_t first, size_t last, size_t k, uint32_t *out,
                         double *w)
{
	size_t n = last - first, size, blocks, m = 0;
	double *best = w, *maxima = w + n, *value = w + 2 * n, *id = w + 3 * n, bar;

	if (n < 8 * k)
		return top(v, first, last, k, out, best);
	size = (n + 4 * k - 1) / (4 * k);
	blocks = (n + size - 1) / size;         /* > k, as n >= 8 k */
	for (size_t b = 0; b < blocks; b++) {
		size_t end = first + (b + 1) * size < last ? first + (b + 1) * size : last;
		double max = -INFINITY;

		for (size_t i = first + b * size; i < end; i++)
			max = v[i] > max ? v[i] : max;
		maxima[b] = max;
	}
	top(maxima, 0, blocks, k, out, best);
	bar = best[k - 1];
	for (size_t b = 0; b < blocks; b++) {
		size_t end = first + (b + 1) * size < last ? first + (b + 1) * size : last;

		if (maxima[b] < bar)
			continue;       /* nothing in it reaches the bar */
		for (size_t i = first + b * size; i < end; i++) {
			value[m] = v[i];
			id[m] = (double)i;
			m += v[i] >= bar;
		}
	}
	top(value, 0, m, k, out, best);
	for (size_t j = 0; j < k; j++)
		out[j] = (uint32_t)id[out[j]];
	return k;
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
	double *v = scratch, *group_score = scratch + n, *w = scratch + 2 * n;

	if (!b && !(g && g->groups)) {
		select_top(s, 0, n, k, out, w);         /* nothing to add or mask: s itself */
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = s[i] + (b ? b[i] : 0);
	if (g && g->groups) {
		size_t size = n / g->groups, per = k / g->topk;

		for (unsigned gi = 0; gi < g->groups; gi++) {
			size_t m = select_top(v, gi * size, (gi + 1) * size, per, out, w);

			group_score[gi] = 0;
			for (size_t j = 0; j < m; j++)
				group_score[gi] += v[out[j]];
		}
		/* The kept groups are marked +infinity, which no sum of finite scores is. */
		select_top(group_score, 0, g->groups, g->topk, out, w);
		for (unsigned j = 0; j < g->topk; j++)
			group_score[out[j]] = INFINITY;
		for (unsigned gi = 0; gi < g->groups; gi++)
			if (group_score[gi] != INFINITY)
				for (size_t i = gi * size; i < (gi + 1) * size; i++)
					v[i] = -INFINITY;
	}
	select_top(v, 0, n, k, out, w);
}
