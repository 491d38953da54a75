/* batch.c: the chunk accumulator: O(k) a record, O(touched experts) a chunk, O(N) a layer; no chunk is kept. */
#include "batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bylayer.h"
#include "metrics.h"

void batch_init(struct batch *b, uint64_t size, unsigned experts, bool per_expert)
{
	memset(b, 0, sizeof *b);
	b->size = size;
	b->capacity = experts;
	b->per_expert = per_expert;
}

static void free_layer(void *object)
{
	struct batch_layer *l = object;

	if (!l)
		return;
	free(l->chunk_count);
	free(l->touched);
	free(l->shape);
	free(l->sum);
	free(l->sum_sq);
	free(l);
}

static int grow_array(uint64_t **a, unsigned old, unsigned cap)
{
	uint64_t *p = realloc(*a, cap * sizeof *p);

	if (!p)
		return -1;
	memset(p + old, 0, (cap - old) * sizeof *p);
	*a = p;
	return 0;
}

static int grow_layer(struct batch_layer *l, unsigned old, unsigned cap, bool per_expert)
{
	uint32_t *count, *touched;

	if (cap == old)
		return 0;
	count = realloc(l->chunk_count, cap * sizeof *count);
	if (!count)
		return -1;
	memset(count + old, 0, (cap - old) * sizeof *count);
	l->chunk_count = count;
	touched = realloc(l->touched, (cap + 1) * sizeof *touched);
	if (!touched)
		return -1;
	l->touched = touched;
	if (per_expert && (grow_array(&l->sum, old, cap) < 0 || grow_array(&l->sum_sq, old, cap) < 0))
		return -1;
	return 0;
}

int batch_reserve(struct batch *b, unsigned n)
{
	unsigned cap;

	if (n <= b->capacity)
		return 0;
	if (!(cap = bylayer_capacity(b->capacity, n)))
		return -1;
	for (unsigned i = 0; i < b->layers.nslots; i++)
		if (b->layers.slot[i] && grow_layer(b->layers.slot[i], b->capacity, cap, b->per_expert) < 0)
			return -1;
	b->capacity = cap;
	return 0;
}

static struct batch_layer *add_layer(struct batch *b, unsigned id)
{
	struct batch_layer *l = calloc(1, sizeof *l);

	if (!l || grow_layer(l, 0, b->capacity, b->per_expert) < 0 || bylayer_put(&b->layers, id, l) < 0) {
		free_layer(l);
		return NULL;
	}
	l->layer = id;
	return l;
}

static size_t shape_slot(const struct batch_layer *l, uint64_t max, uint64_t selections)
{
	uint64_t h = (max * 0x9e3779b97f4a7c15u) ^ (selections + 0x632be59bd9b4e019u);
	size_t i = (size_t)(h ^ h >> 29) & (l->cap_shapes - 1);

	while (l->shape[i].chunks &&
	       (l->shape[i].max != max || l->shape[i].selections != selections))
		i = (i + 1) & (l->cap_shapes - 1);
	return i;
}

/* Counts n more chunks of this shape; the table stays at most half full. */
static int add_shapes(struct batch_layer *l, uint64_t max, uint64_t selections, uint64_t n)
{
	size_t i;

	/* Chunks of one layer mostly repeat a shape (with B = 1, always): no hashing then. */
	if (l->last_shape && l->last_shape->max == max && l->last_shape->selections == selections) {
		l->last_shape->chunks += n;
		return 0;
	}
	if (2 * (l->nshapes + 1) > l->cap_shapes) {
		struct batch_layer old = *l;

		l->cap_shapes = old.cap_shapes ? 2 * old.cap_shapes : 16;
		l->shape = calloc(l->cap_shapes, sizeof *l->shape);
		if (!l->shape) {
			*l = old;
			return -1;
		}
		for (size_t j = 0; j < old.cap_shapes; j++)
			if (old.shape[j].chunks)
				l->shape[shape_slot(l, old.shape[j].max, old.shape[j].selections)] = old.shape[j];
		free(old.shape);
	}
	i = shape_slot(l, max, selections);
	if (!l->shape[i].chunks) {
		l->shape[i].max = max;
		l->shape[i].selections = selections;
		l->nshapes++;
	}
	l->shape[i].chunks += n;
	l->last_shape = &l->shape[i];
	return 0;
}

static int close_chunk(struct batch *b, struct batch_layer *l);

/* The layer of parent that from's chunks go to, with room for capacity experts. */
static struct batch_layer *parent_layer(struct batch *parent, const struct batch_layer *from,
                                        unsigned capacity)
{
	struct batch_layer *l = bylayer_get(&parent->layers, from->layer);

	if (capacity > parent->capacity && batch_reserve(parent, capacity) < 0)
		return NULL;
	return l ? l : add_layer(parent, from->layer);
}

/* Adds from's open chunk to to's, the same layer of the next size; with clear,
 * empties from's counts (adding them to its per-expert sums). The loops run on
 * local copies: the arrays are all uint32_t, which the compiler must otherwise
 * assume a store into any of them may change. */
static inline __attribute__((always_inline)) int
feed(struct batch *parent, struct batch_layer *to, struct batch_layer *from, bool clear,
                bool per_expert)
{
	const uint32_t *restrict touched = from->touched;
	uint32_t *restrict count = from->chunk_count;
	size_t n = from->ntouched;

	for (size_t i = 0; per_expert && i < n; i++) {
		uint32_t c = count[touched[i]];

		from->sum[touched[i]] += c;
		from->sum_sq[touched[i]] += (uint64_t)c * c;
	}
	if (to) {
		uint32_t *restrict sum = to->chunk_count, *restrict sum_touched = to->touched;
		size_t nsum = to->ntouched;
		uint64_t max = to->chunk_max;

		for (size_t i = 0; i < n; i++) {
			uint32_t e = touched[i], c = sum[e];

			sum_touched[nsum] = e;
			nsum += c == 0;
			sum[e] = c += count[e];
			max = c > max ? c : max;
			if (clear)
				count[e] = 0;
		}
		to->ntouched = nsum;
		to->chunk_max = max;
		to->tokens += from->chunk_tokens;
		to->chunk_tokens += from->chunk_tokens;
		to->chunk_selections += from->chunk_selections;
		return to->chunk_tokens == parent->size ? close_chunk(parent, to) : 0;
	}
	for (size_t i = 0; clear && i < n; i++)
		count[touched[i]] = 0;
	return 0;
}

static int close_chunk(struct batch *b, struct batch_layer *l)
{
	struct batch_layer *up = NULL;

	if (add_shapes(l, l->chunk_max, l->chunk_selections, 1) < 0)
		return -1;
	if (b->on_chunk && b->on_chunk(b->on_chunk_ctx, l) < 0)
		return -1;
	if (b->parent && !(up = parent_layer(b->parent, l, b->capacity)))
		return -1;
	if (feed(b->parent, up, l, true, b->per_expert) < 0)
		return -1;
	l->ntouched = 0;
	l->chunk_tokens = l->chunk_selections = l->chunk_max = 0;
	l->chunks++;
	return 0;
}

void batch_on_chunk(struct batch *b, batch_chunk_fn fn, void *ctx)
{
	b->on_chunk = fn;
	b->on_chunk_ctx = ctx;
}

void batch_chain(struct batch *child, struct batch *parent)
{
	child->parent = parent;
}

int batch_finish(struct batch *b)
{
	struct batch_layer *l;

	if (!b->parent)
		return 0;
	for (l = bylayer_next(&b->layers, 0); l; l = bylayer_next(&b->layers, l->layer + 1)) {
		struct batch_layer *up;

		if (l->chunk_tokens == 0)
			continue;
		/* The open chunk stays: a layer with no full chunk is judged by it. */
		if (!(up = parent_layer(b->parent, l, b->capacity)) ||
		    feed(b->parent, up, l, false, false) < 0)
			return -1;
	}
	return batch_finish(b->parent);
}

/* One record of k ids into layer l's chunk; in_room says that every id is
 * below the room there is. The arrays are restrict: a store into touched
 * does not change a count. */
static inline __attribute__((always_inline)) int
add_to_layer(struct batch *b, struct batch_layer *l, const uint32_t *ids, size_t k, bool in_room)
{
	uint32_t *restrict count = l->chunk_count, *restrict touched = l->touched;
	unsigned room = b->capacity;
	uint64_t max = l->chunk_max;
	size_t ntouched = l->ntouched;

	for (size_t i = 0; i < k; i++) {
		uint32_t e = ids[i], c;

		/* Room for an id past it is made as it comes (as in stats_add). */
		if (!in_room && e >= room) {
			if (batch_reserve(b, e + 1) < 0)
				return -1;
			room = b->capacity;
			count = l->chunk_count;
			touched = l->touched;
		}
		c = ++count[e];
		/* Without a branch: whether an id is new to the chunk is a coin toss. */
		touched[ntouched] = e;
		ntouched += c == 1;
		max = c > max ? c : max;
	}
	l->ntouched = ntouched;
	l->chunk_max = max;
	l->tokens++;
	l->chunk_selections += k;
	if (++l->chunk_tokens == b->size)
		return close_chunk(b, l);
	return 0;
}

/* A chunk of one record: its ids are distinct (reader.h), so its largest
 * count is 1 and its selections k; nothing to count. */
static bool size_one(const struct batch *b)
{
	return b->size == 1 && !b->per_expert && !b->on_chunk;
}

int batch_add(struct batch *b, const struct moe_record *rec)
{
	struct batch_layer *l = bylayer_get(&b->layers, rec->layer);

	if (!l && !(l = add_layer(b, rec->layer)))
		return -1;
	if (size_one(b)) {
		l->tokens++;
		l->chunks++;
		return add_shapes(l, rec->k > 0, rec->k, 1);
	}
	return add_to_layer(b, l, rec->experts, rec->k, false);
}

/* A whole chunk of B records of k ids, all below the room there is, into
 * layer l, whose chunk is empty, and at once into the parent's layer up: what
 * B add_to_layer and the close_chunk after them do, without the touched list
 * of l's chunk and the pass of feed over it. Into up, the experts new to its
 * chunk come in the order of their first ids, as feed would add them. */
static int add_whole_chunk(struct batch *b, struct batch_layer *l, struct batch_layer *up, const uint32_t *ids,
                           size_t k)
{
	uint32_t *restrict count = l->chunk_count, *restrict up_count = up->chunk_count;
	uint32_t *restrict up_touched = up->touched;
	size_t m = b->size * k, nup = up->ntouched;
	uint64_t max = 0, up_max = up->chunk_max;

	for (size_t i = 0; i < m; i++) {
		uint32_t e = ids[i], c = ++count[e], u = ++up_count[e];

		max = c > max ? c : max;
		up_touched[nup] = e;
		nup += u == 1;
		up_max = u > up_max ? u : up_max;
	}
	/* Emptied whole where that takes fewer stores (256 experts: 16 of 64
	 * bytes, against 64 ids for B = 8 and top-8). */
	if (b->capacity <= 16 * m)
		memset(count, 0, b->capacity * sizeof *count);
	else
		for (size_t i = 0; i < m; i++)
			count[ids[i]] = 0;
	l->tokens += b->size;
	l->chunks++;
	if (add_shapes(l, max, m, 1) < 0)
		return -1;
	up->ntouched = nup;
	up->chunk_max = up_max;
	up->tokens += b->size;
	up->chunk_tokens += b->size;
	up->chunk_selections += m;
	return up->chunk_tokens == b->parent->size ? close_chunk(b->parent, up) : 0;
}

int batch_add_layer(struct batch *b, unsigned layer, const uint32_t *ids, size_t n, size_t k,
                    unsigned below)
{
	struct batch_layer *l = bylayer_get(&b->layers, layer), *up = NULL;
	bool in_room = below && batch_reserve(b, below) == 0;

	if (n == 0)
		return 0;
	if (!l && !(l = add_layer(b, layer)))
		return -1;
	if (size_one(b)) {
		l->tokens += n;
		l->chunks += n;
		return add_shapes(l, k > 0, k, n);
	}
	/* Whole chunks go into the parent as they are counted, when nothing
	 * else must see them close (per-expert sums, a callback). */
	bool whole = in_room && b->parent && !b->per_expert && !b->on_chunk;

	for (size_t i = 0; i < n;) {
		if (whole && l->chunk_tokens == 0 && n - i >= b->size) {
			if ((!up && !(up = parent_layer(b->parent, l, b->capacity))) ||
			    add_whole_chunk(b, l, up, ids + i * k, k) < 0)
				return -1;
			i += b->size;
			continue;
		}
		if ((in_room ? add_to_layer(b, l, ids + i * k, k, true) : add_to_layer(b, l, ids + i * k, k, false)) < 0)
			return -1;
		i++;
	}
	return 0;
}

int batch_merge_layer(struct batch *into, const struct batch_layer *from, unsigned n)
{
	struct batch_layer *l = bylayer_get(&into->layers, from->layer);

	if (n > into->capacity && batch_reserve(into, n) < 0)
		return -1;
	if (!l && !(l = add_layer(into, from->layer)))
		return -1;
	for (size_t i = 0; i < from->cap_shapes; i++) {
		const struct batch_shape *s = &from->shape[i];

		if (s->chunks && add_shapes(l, s->max, s->selections, s->chunks) < 0)
			return -1;
	}
	for (unsigned e = 0; into->per_expert && e < n; e++) {
		l->sum[e] += from->sum[e];
		l->sum_sq[e] += from->sum_sq[e];
	}
	/* Chunks do not span parts: into's unfinished chunk gives way to from's. */
	for (size_t i = 0; i < l->ntouched; i++)
		l->chunk_count[l->touched[i]] = 0;
	for (size_t i = 0; i < from->ntouched; i++)
		l->chunk_count[from->touched[i]] = from->chunk_count[from->touched[i]];
	memcpy(l->touched, from->touched, from->ntouched * sizeof *l->touched);
	l->ntouched = from->ntouched;
	l->chunk_max = from->chunk_max;
	l->chunk_tokens = from->chunk_tokens;
	l->chunk_selections = from->chunk_selections;
	l->tokens += from->tokens;
	l->chunks += from->chunks;
	return 0;
}

int batch_merge(struct batch *into, const struct batch *from)
{
	const struct batch_layer *l;

	for (l = bylayer_next(&from->layers, 0); l; l = bylayer_next(&from->layers, l->layer + 1))
		if (batch_merge_layer(into, l, from->capacity) < 0)
			return -1;
	return 0;
}

int batch_move_layers(struct batch *to, struct batch *from, unsigned shard, unsigned nshards)
{
	unsigned cap = to->capacity > from->capacity ? to->capacity : from->capacity;

	if (batch_reserve(to, cap) < 0 || batch_reserve(from, cap) < 0)
		return -1;
	return bylayer_move(&to->layers, &from->layers, shard, nshards);
}

const struct batch_layer *batch_layer(const struct batch *b, unsigned layer)
{
	return bylayer_get(&b->layers, layer);
}

void batch_free(struct batch *b)
{
	bylayer_free(&b->layers, free_layer);
	memset(b, 0, sizeof *b);
}

struct valued_shape {
	double maxvio;
	uint64_t chunks;
};

static int by_maxvio(const void *a, const void *b)
{
	double x = ((const struct valued_shape *)a)->maxvio, y = ((const struct valued_shape *)b)->maxvio;

	return (x > y) - (x < y);
}

int batch_maxvio(const struct batch_layer *l, uint64_t size, unsigned n, struct batch_maxvio *out)
{
	struct valued_shape *v;
	long double sum = 0;
	uint64_t rank, seen = 0;
	size_t m = 0;

	memset(out, 0, sizeof *out);
	out->size = size;
	if (l->chunks == 0) {
		/* No full chunk: the partial one stands for the layer. */
		out->chunks = 1;
		out->partial = true;
		out->mean = out->max = out->p95 = metrics_maxvio_of_max(l->chunk_max, n, l->chunk_selections);
		return 0;
	}
	v = malloc(l->nshapes * sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < l->cap_shapes; i++) {
		const struct batch_shape *s = &l->shape[i];

		if (!s->chunks)
			continue;
		v[m].maxvio = metrics_maxvio_of_max(s->max, n, s->selections);
		v[m].chunks = s->chunks;
		sum += (long double)v[m].maxvio * s->chunks;
		m++;
	}
	qsort(v, m, sizeof *v, by_maxvio);
	out->chunks = l->chunks;
	out->mean = (double)(sum / l->chunks);
	out->max = v[m - 1].maxvio;
	rank = (95 * l->chunks + 99) / 100;     /* ceil(0.95 chunks), in integers */
	for (size_t i = 0; i < m; i++) {
		seen += v[i].chunks;
		if (seen >= rank) {
			out->p95 = v[i].maxvio;
			break;
		}
	}
	free(v);
	return 0;
}

void batch_expert(const struct batch_layer *l, uint32_t expert, double *mean, double *std,
                  double *cv)
{
	uint64_t n = l->chunks, s = l->sum[expert], s2 = l->sum_sq[expert];

	if (n == 0) {
		*mean = *std = *cv = NAN;
		return;
	}
	/* From the integer sums: var = (n sum c^2 - (sum c)^2) / n^2, exact before the division,
	 * where Welford's running update would round at every chunk. */
#ifdef __SIZEOF_INT128__
	unsigned __int128 num = (unsigned __int128)n * s2 - (unsigned __int128)s * s;
	long double var = (long double)num / ((long double)n * n);
#else
	long double m = (long double)s / n;
	long double var = (long double)s2 / n - m * m;

	if (var < 0)
		var = 0;        /* rounding, where the exact value is 0 */
#endif
	*mean = (double)((long double)s / n);
	*std = (double)sqrtl(var);
	*cv = s ? *std / *mean : NAN;
}
