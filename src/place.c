/* place.c: the placements as pure functions of a layer's loads; EPLB ported from DeepSeek's eplb.py step by step. */
#include "place.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[PLACE_KINDS] = {
	[PLACE_CONTIGUOUS] = "contiguous", [PLACE_ROUND_ROBIN] = "round-robin",
	[PLACE_BALANCED] = "balanced", [PLACE_EPLB] = "eplb",
};

const char *place_name(enum place_kind kind)
{
	return names[kind];
}

bool place_eplb_hierarchical(const struct place_eplb *o)
{
	return o->groups % o->nodes == 0;
}

const char *place_check(enum place_kind kind, unsigned n, unsigned devices, const struct place_eplb *o)
{
	if (kind != PLACE_EPLB && devices > n)
		return "more devices than experts";
	if (kind == PLACE_BALANCED && n % devices != 0)
		return "the experts do not divide by the devices";
	if (kind != PLACE_EPLB)
		return NULL;
	if ((n + (unsigned long long)o->redundant) % devices != 0)
		return "the physical experts (experts + redundant) do not divide by the devices";
	if (devices % o->nodes != 0)
		return "the devices do not divide by the nodes";
	if (place_eplb_hierarchical(o) && n % o->groups != 0)
		return "the experts do not divide by the groups";
	return NULL;
}

void place_free(struct place_plan *p)
{
	free(p->phy2log);
	free(p->first);
	free(p->logcnt);
	free(p->replica_first);
	free(p->device);
	memset(p, 0, sizeof *p);
}

static int plan_alloc(struct place_plan *p, unsigned n, unsigned devices, unsigned slots)
{
	memset(p, 0, sizeof *p);
	p->devices = devices;
	p->experts = n;
	p->slots = slots;
	p->phy2log = calloc(slots, sizeof *p->phy2log);
	p->first = calloc(devices + 1, sizeof *p->first);
	p->logcnt = calloc(n, sizeof *p->logcnt);
	p->replica_first = calloc(n + 1, sizeof *p->replica_first);
	p->device = calloc(slots, sizeof *p->device);
	return p->phy2log && p->first && p->logcnt && p->replica_first && p->device ? 0 : -1;
}

/* Devices of equal size: device d holds slots d * (slots / devices) and on. */
static void equal_devices(struct place_plan *p)
{
	for (unsigned d = 0; d <= p->devices; d++)
		p->first[d] = d * (p->slots / p->devices);
}

/* logcnt and the replicas' devices, from phy2log and first. */
static void index_replicas(struct place_plan *p)
{
	unsigned *fill = p->replica_first;

	memset(p->logcnt, 0, p->experts * sizeof *p->logcnt);
	for (unsigned s = 0; s < p->slots; s++)
		p->logcnt[p->phy2log[s]]++;
	fill[0] = 0;
	for (unsigned e = 0; e < p->experts; e++)
		fill[e + 1] = fill[e] + p->logcnt[e];
	for (unsigned d = 0; d < p->devices; d++)
		for (unsigned s = p->first[d]; s < p->first[d + 1]; s++)
			p->device[fill[p->phy2log[s]]++] = d;
	/* fill[e] now stands where fill[e + 1] started: shift back. */
	for (unsigned e = p->experts; e > 0; e--)
		fill[e] = fill[e - 1];
	fill[0] = 0;
}

static void contiguous(struct place_plan *p)
{
	unsigned base = p->experts / p->devices, extra = p->experts % p->devices;

	for (unsigned d = 0; d < p->devices; d++)
		p->first[d + 1] = p->first[d] + base + (d < extra);
	for (unsigned s = 0; s < p->slots; s++)
		p->phy2log[s] = s;
}

static void round_robin(struct place_plan *p)
{
	unsigned s = 0;

	for (unsigned d = 0; d < p->devices; d++) {
		p->first[d] = s;
		for (unsigned e = d; e < p->experts; e += p->devices)
			p->phy2log[s++] = e;
	}
	p->first[p->devices] = s;
}

/* A sum of loads as EPLB makes it: in single precision (torch's float32) for eplb,
 * in double for balanced, whose loads are exact counts. */
static double add(double a, double b, bool single)
{
	return single ? (double)((float)a + (float)b) : a + b;
}

struct weighted {
	double w;
	unsigned i;
};

/* torch.sort(descending=True) on the CPU is stable: heaviest first, ties to the lower index. */
static int heaviest_first(const void *a, const void *b)
{
	const struct weighted *x = a, *y = b;

	if (x->w != y->w)
		return x->w < y->w ? 1 : -1;
	return (x->i > y->i) - (x->i < y->i);
}

/* EPLB's balanced_packing: n items of weight w into packs of n / packs items each,
 * heaviest first to the lightest pack that has room, ties to the lower pack (Python's
 * min). pack[i] and rank[i]: the pack of item i and its place in it. -1 out of memory. */
static int packing(const double *w, unsigned n, unsigned packs, bool single, unsigned *pack,
                   unsigned *rank)
{
	unsigned per = n / packs, *items = calloc(packs, sizeof *items);
	double *weight = calloc(packs, sizeof *weight);
	struct weighted *order = malloc(n * sizeof *order);

	if (!items || !weight || !order) {
		free(items);
		free(weight);
		free(order);
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		order[i] = (struct weighted){ w[i], i };
	qsort(order, n, sizeof *order, heaviest_first);
	for (unsigned k = 0; k < n; k++) {
		unsigned best = packs;

		for (unsigned q = 0; q < packs; q++)
			if (items[q] < per && (best == packs || weight[q] < weight[best]))
				best = q;
		pack[order[k].i] = best;
		rank[order[k].i] = items[best]++;
		weight[best] = add(weight[best], order[k].w, single);
	}
	free(items);
	free(weight);
	free(order);
	return 0;
}

static int balanced(struct place_plan *p, const double *load)
{
	unsigned *pack = malloc(p->experts * sizeof *pack), *rank = malloc(p->experts * sizeof *rank);
	int rc = -1;

	if (pack && rank && packing(load, p->experts, p->devices, false, pack, rank) == 0) {
		equal_devices(p);
		for (unsigned e = 0; e < p->experts; e++)
			p->phy2log[pack[e] * (p->experts / p->devices) + rank[e]] = e;
		rc = 0;
	}
	free(pack);
	free(rank);
	return rc;
}

/* EPLB's packing with its shortcut: one item a pack keeps the items in order. */
static int eplb_packing(const double *w, unsigned n, unsigned packs, unsigned *pack, unsigned *rank)
{
	if (n / packs == 1) {
		for (unsigned i = 0; i < n; i++) {
			pack[i] = i;
			rank[i] = 0;
		}
		return 0;
	}
	return packing(w, n, packs, true, pack, rank);
}

/* EPLB's replicate_experts: n experts of weight w to phys replicas, each new replica to
 * the expert of the largest weight / replicas (float32; ties to the lower id, as
 * torch's max). phy2log[phys], cnt[n]. */
static void replicate(const double *w, unsigned n, unsigned phys, uint32_t *phy2log, uint32_t *cnt)
{
	for (unsigned i = 0; i < n; i++) {
		phy2log[i] = i;
		cnt[i] = 1;
	}
	for (unsigned s = n; s < phys; s++) {
		unsigned best = 0;
		float top = (float)w[0] / (float)cnt[0];

		for (unsigned i = 1; i < n; i++) {
			float v = (float)w[i] / (float)cnt[i];

			if (v > top) {
				top = v;
				best = i;
			}
		}
		phy2log[s] = best;
		cnt[best]++;
	}
}

/* Scratch of EPLB's rebalance_experts_hierarchical for one layer. */
struct eplb_work {
	double *group_w, *node_w, *phys_w;
	unsigned *pack, *rank, *log2mlog, *mlog2log;
	uint32_t *phy2mlog, *mlogcnt;
};

static void eplb_work_free(struct eplb_work *x)
{
	free(x->group_w);
	free(x->node_w);
	free(x->phys_w);
	free(x->pack);
	free(x->rank);
	free(x->log2mlog);
	free(x->mlog2log);
	free(x->phy2mlog);
	free(x->mlogcnt);
}

/* rebalance_experts_hierarchical(weight, slots, groups, nodes, devices), for one layer:
 * step 1 packs the groups onto the nodes; step 2 replicates each node's experts; step 3
 * packs each node's physical experts onto its devices. */
static int hierarchical(struct place_plan *p, const double *load, unsigned groups, unsigned nodes)
{
	unsigned n = p->experts, gsize = n / groups, per_node = n / nodes, slots_node = p->slots / nodes;
	unsigned gpus_node = p->devices / nodes, per_gpu = p->slots / p->devices;
	unsigned most = slots_node > groups ? slots_node : groups;
	struct eplb_work x = {
		.group_w = calloc(groups, sizeof *x.group_w), .node_w = calloc(per_node, sizeof *x.node_w),
		.phys_w = calloc(slots_node, sizeof *x.phys_w), .pack = calloc(most, sizeof *x.pack),
		.rank = calloc(most, sizeof *x.rank), .log2mlog = calloc(n, sizeof *x.log2mlog),
		.mlog2log = calloc(n, sizeof *x.mlog2log),
		.phy2mlog = calloc(slots_node, sizeof *x.phy2mlog),
		.mlogcnt = calloc(per_node, sizeof *x.mlogcnt),
	};
	int rc = -1;

	if (!x.group_w || !x.node_w || !x.phys_w || !x.pack || !x.rank || !x.log2mlog || !x.mlog2log ||
	    !x.phy2mlog || !x.mlogcnt)
		goto done;
	/* Step 1: tokens_per_group, packed onto nodes; log2mlog numbers the experts node by node. */
	for (unsigned g = 0; g < groups; g++)
		for (unsigned j = 0; j < gsize; j++)
			x.group_w[g] = add(x.group_w[g], load[g * gsize + j], true);
	if (eplb_packing(x.group_w, groups, nodes, x.pack, x.rank) < 0)
		goto done;
	for (unsigned g = 0; g < groups; g++)
		for (unsigned j = 0; j < gsize; j++) {
			unsigned mlog = (x.pack[g] * (groups / nodes) + x.rank[g]) * gsize + j;

			x.log2mlog[g * gsize + j] = mlog;
			x.mlog2log[mlog] = g * gsize + j;
		}
	for (unsigned node = 0; node < nodes; node++) {
		/* Step 2: tokens_per_mlog of the node, replicated to its share of the slots. */
		for (unsigned k = 0; k < per_node; k++)
			x.node_w[k] = (float)load[x.mlog2log[node * per_node + k]];
		replicate(x.node_w, per_node, slots_node, x.phy2mlog, x.mlogcnt);
		/* Step 3: tokens_per_phy, packed onto the node's devices. */
		for (unsigned s = 0; s < slots_node; s++)
			x.phys_w[s] = (float)x.node_w[x.phy2mlog[s]] / (float)x.mlogcnt[x.phy2mlog[s]];
		if (eplb_packing(x.phys_w, slots_node, gpus_node, x.pack, x.rank) < 0)
			goto done;
		for (unsigned s = 0; s < slots_node; s++)
			p->phy2log[node * slots_node + x.pack[s] * per_gpu + x.rank[s]] =
				x.mlog2log[node * per_node + x.phy2mlog[s]];
	}
	equal_devices(p);
	rc = 0;
done:
	eplb_work_free(&x);
	return rc;
}

int place_plan(struct place_plan *p, enum place_kind kind, const double *load, unsigned n,
               unsigned devices, const struct place_eplb *o)
{
	unsigned slots = kind == PLACE_EPLB ? n + o->redundant : n;
	int rc = 0;

	if (plan_alloc(p, n, devices, slots) < 0)
		return -1;
	switch (kind) {
	case PLACE_CONTIGUOUS:
		contiguous(p);
		break;
	case PLACE_ROUND_ROBIN:
		round_robin(p);
		break;
	case PLACE_BALANCED:
		rc = balanced(p, load);
		break;
	default:
		/* rebalance_experts: hierarchical when the groups divide by the nodes, else global. */
		rc = place_eplb_hierarchical(o) ? hierarchical(p, load, o->groups, o->nodes)
		                                : hierarchical(p, load, 1, 1);
		break;
	}
	if (rc == 0)
		index_replicas(p);
	return rc;
}

void place_add(const struct place_plan *p, uint32_t e, double count, long double *load)
{
	long double share = (long double)count / p->logcnt[e];

	for (unsigned r = p->replica_first[e]; r < p->replica_first[e + 1]; r++)
		load[p->device[r]] += share;
}

static long double total(const long double *load, unsigned devices)
{
	long double sum = 0;

	for (unsigned d = 0; d < devices; d++)
		sum += load[d];
	return sum;
}

unsigned place_busiest(const long double *load, unsigned devices)
{
	unsigned best = 0;

	for (unsigned d = 1; d < devices; d++)
		if (load[d] > load[best])
			best = d;
	return best;
}

double place_imbalance(const long double *load, unsigned devices)
{
	long double sum = total(load, devices);

	if (!(sum > 0))
		return (double)NAN;
	return (double)(load[place_busiest(load, devices)] * devices / sum);
}

void place_ratios(const long double *load, unsigned devices, double *ratio)
{
	long double mean = total(load, devices) / devices;

	for (unsigned d = 0; d < devices; d++)
		ratio[d] = mean > 0 ? (double)(load[d] / mean) : (double)NAN;
}

double place_balancedness(const long double *load, unsigned devices)
{
	long double sum = total(load, devices);

	if (!(sum > 0))
		return (double)NAN;
	return (double)(sum / devices / load[place_busiest(load, devices)]);
}
