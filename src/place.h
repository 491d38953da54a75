/* place.h: expert-parallel placements of one layer (contiguous, round-robin, balanced, DeepSeek's EPLB) and the load each device gets. */
#ifndef MOESTAT_PLACE_H
#define MOESTAT_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum place_kind {
	PLACE_CONTIGUOUS,       /* P groups of consecutive ids; the first N mod P groups take one more */
	PLACE_ROUND_ROBIN,      /* expert i on device i mod P */
	PLACE_BALANCED,         /* N/P experts a device, heaviest first to the least-loaded device with room */
	PLACE_EPLB,             /* DeepSeek EPLB's rebalance_experts, with redundant replicas */
	PLACE_KINDS
};

/* "contiguous", "round-robin", "balanced", "eplb". */
const char *place_name(enum place_kind kind);

/* EPLB's parameters: R redundant replicas (N + R physical experts), M nodes, G expert groups. */
struct place_eplb {
	unsigned redundant;
	unsigned nodes;
	unsigned groups;
};

/* EPLB packs groups onto nodes first (hierarchical) when G divides by M; otherwise it
 * places over all devices at once (global). */
bool place_eplb_hierarchical(const struct place_eplb *o);

/* One layer's plan: `slots` physical experts, device-major: device d holds the slots
 * first[d] .. first[d + 1] - 1. */
struct place_plan {
	unsigned devices;       /* P */
	unsigned experts;       /* N, the logical experts */
	unsigned slots;         /* N + R */
	uint32_t *phy2log;      /* [slots] the logical expert of each physical slot */
	unsigned *first;        /* [devices + 1] */
	uint32_t *logcnt;       /* [experts] the replicas of each expert */
	/* The devices of expert e's replicas: device[replica_first[e] .. replica_first[e + 1] - 1]. */
	unsigned *replica_first;        /* [experts + 1] */
	uint32_t *device;               /* [slots] */
};

/* Whether kind can place n experts on devices (with o, for eplb): NULL, or a static
 * message saying which rule fails. */
const char *place_check(enum place_kind kind, unsigned n, unsigned devices, const struct place_eplb *o);

/* Fills p with kind's plan for n experts on devices, fitted (balanced, eplb) on load[0..n),
 * the experts' loads; contiguous and round-robin do not read load, which may be NULL.
 * place_check must have passed. 0, or -1 when out of memory. p is place_free's after. */
int place_plan(struct place_plan *p, enum place_kind kind, const double *load, unsigned n,
               unsigned devices, const struct place_eplb *o);

void place_free(struct place_plan *p);

/* A replicated expert's tokens are split evenly over its replicas: adds
 * count / logcnt[e] to load[device] for each replica of expert e. */
void place_add(const struct place_plan *p, uint32_t e, double count, long double *load);

/* imbalance = max_d load_d / mean_d load_d over the P devices: 1 is balanced. */
double place_imbalance(const long double *load, unsigned devices);

/* balancedness = mean_d load_d / max_d load_d: 1 is balanced. */
double place_balancedness(const long double *load, unsigned devices);

/* ratio_d = load_d / mean_d load_d over the P devices: 1 is the mean device's load. */
/* Fills ratio[0..devices); NAN when every load is 0. */
void place_ratios(const long double *load, unsigned devices, double *ratio);

/* busiest = the device of the largest load, ties to the lower device id. */
unsigned place_busiest(const long double *load, unsigned devices);

#endif
