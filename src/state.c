/* state.c: the accumulators of one run as a value: fed, finished, merged, and (de)serialised as JSON with jansson. */
#include "state.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

static const char *const command_name[] = {
	[STATE_SUMMARIZE] = "summarize", [STATE_DEAD] = "dead", [STATE_MAXVIO] = "maxvio",
};

static const char *const experts_from_name[] = {
	[EXPERTS_FROM_NONE] = "none", [EXPERTS_FROM_OPTION] = "option",
	[EXPERTS_FROM_HEADER] = "header", [EXPERTS_FROM_IDS] = "ids",
};

/* A full chunk of the size whose chunks make the experts' counts. */
static int count_chunk(void *ctx, const struct batch_layer *l)
{
	struct state *s = ctx;

	return stats_add_counts(&s->all, l->layer, l->touched, l->ntouched, l->chunk_count,
	                        s->counts_from->capacity);
}

int state_init(struct state *s, const struct state_options *opt)
{
	memset(s, 0, sizeof *s);
	s->opt = *opt;
	s->domains = domains_new();
	s->input.domains = s->domains;
	stats_init(&s->all, 0, opt->command == STATE_DEAD);
	if (opt->command == STATE_SUMMARIZE && opt->batch)
		s->nbatch = 1;
	else if (opt->command == STATE_MAXVIO)
		s->nbatch = opt->nsizes;
	s->batch = calloc(s->nbatch ? s->nbatch : 1, sizeof *s->batch);
	if (!s->domains || !s->batch) {
		state_free(s);
		return -1;
	}
	if (opt->command == STATE_SUMMARIZE && opt->batch)
		batch_init(&s->batch[0], opt->batch, 0, true);
	for (size_t i = 0; opt->command == STATE_MAXVIO && i < s->nbatch; i++)
		batch_init(&s->batch[i], opt->sizes[i], 0, false);
	/* Sizes that divide the next are chained (batch.h): only the first of a chain
	 * takes records. A size of 1 counts nothing, so it does not feed the next. */
	for (size_t i = 0; opt->command == STATE_MAXVIO && i + 1 < s->nbatch; i++)
		if (opt->sizes[i] > 1 && opt->sizes[i + 1] % opt->sizes[i] == 0)
			batch_chain(&s->batch[i], &s->batch[i + 1]);
	for (size_t i = 0; i < s->nbatch; i++)
		if (i == 0 || s->batch[i - 1].parent != &s->batch[i])
			s->takes_records[s->ntakes++] = &s->batch[i];
	/* The first chain that counts (not from a size of 1) counts for the stats too. */
	for (size_t i = 0; i < s->ntakes && !s->counts_from; i++) {
		if (s->takes_records[i]->size == 1)
			continue;
		for (s->counts_from = s->takes_records[i]; s->counts_from->parent;)
			s->counts_from = s->counts_from->parent;
		batch_on_chunk(s->counts_from, count_chunk, s);
	}
	return 0;
}

/* The stats of domain d, made (empty) when new. */
static struct stats *domain_stats(struct state *s, size_t d)
{
	if (d >= s->ndomains) {
		struct stats *more = realloc(s->domain, (d + 1) * sizeof *more);

		if (!more)
			return NULL;
		s->domain = more;
		while (s->ndomains <= d)
			stats_init(&s->domain[s->ndomains++], 0, false);
	}
	return &s->domain[d];
}

int state_add(struct state *s, const struct moe_record *rec)
{
	struct stats *d;

	if ((s->counts_from ? stats_add_records(&s->all, rec->layer, 1, rec->k) : stats_add(&s->all, rec)) < 0)
		return -1;
	for (size_t i = 0; i < s->ntakes; i++)
		if (batch_add(s->takes_records[i], rec) < 0)
			return -1;
	if (!s->opt.by_domain || rec->domain < 0)
		return 0;
	if (!(d = domain_stats(s, (size_t)rec->domain)))
		return -1;
	return stats_add(d, rec);
}

static void *open_part(void *ctx)
{
	const struct state *s = ctx;
	struct stats *part = malloc(sizeof *part);

	if (part)
		stats_init(part, s->all.capacity, false);
	return part;
}

static void empty_part(void *part)
{
	stats_clear(part);
}

static int add_to_part(void *part, const struct moe_record *rec)
{
	return stats_add(part, rec);
}

static int add_run_to_part(void *part, const struct moe_run *run)
{
	return stats_add_run(part, run);
}

static int join_part(void *ctx, const void *part)
{
	struct state *s = ctx;

	return stats_merge(&s->all, part);
}

static void close_part(void *part)
{
	stats_free(part);
	free(part);
}

bool state_parts(struct state *s, struct reader_parts *parts)
{
	/* Not with gaps: a part of dead keeps four arrays of 8 bytes an expert
	 * for every layer, one part for every block in flight, and a worker's
	 * records, a layer after another, miss the cache on each id (a third of
	 * dead's time went to one load of last_used). A shard adds a layer's
	 * records at once, with its arrays in the cache (dead on the bench's
	 * ds58.mlog.gz: 0.68 s in parts, 0.57 s in shards, as long as summarize). */
	if (s->ntakes > 0 || s->opt.by_domain || s->all.gaps)
		return false;
	*parts = (struct reader_parts){ open_part, empty_part, add_to_part, add_run_to_part, join_part,
	                                close_part, s };
	return true;
}

/* A shard is a state of the same options holding some of the layers. Each
 * accumulator's layers move whole, open chunks and all, so that a layer's
 * records go on where they were: exact, as no merge of parts could be. */
static int move_layers(struct state *to, struct state *from, unsigned shard, unsigned nshards)
{
	if (stats_move_layers(&to->all, &from->all, shard, nshards) < 0)
		return -1;
	for (size_t i = 0; i < to->nbatch; i++)
		if (batch_move_layers(&to->batch[i], &from->batch[i], shard, nshards) < 0)
			return -1;
	return 0;
}

static void *open_shard(void *ctx, unsigned shard, unsigned nshards)
{
	struct state *s = ctx, *sh = malloc(sizeof *sh);

	if (!sh || state_init(sh, &s->opt) < 0) {
		free(sh);
		return NULL;
	}
	if (move_layers(sh, s, shard, nshards) < 0) {
		move_layers(s, sh, 0, 1);
		state_free(sh);
		free(sh);
		return NULL;
	}
	return sh;
}

/* What state_add does for each of the records, without domains (a shard has none). */
static int add_layer_to_shard(void *shard, unsigned layer, const uint32_t *ids, size_t n, size_t k,
                              unsigned below)
{
	struct state *s = shard;

	if ((s->counts_from ? stats_add_records(&s->all, layer, n, k)
	                    : stats_add_layer(&s->all, layer, ids, n, k, below)) < 0)
		return -1;
	for (size_t i = 0; i < s->ntakes; i++)
		if (batch_add_layer(s->takes_records[i], layer, ids, n, k, below) < 0)
			return -1;
	return 0;
}

static int close_shard(void *ctx, void *shard)
{
	int rc = move_layers(ctx, shard, 0, 1);

	state_free(shard);
	free(shard);
	return rc;
}

bool state_shards(struct state *s, struct reader_shards *shards)
{
	if (s->opt.by_domain)
		return false;
	*shards = (struct reader_shards){ open_shard, add_layer_to_shard, close_shard, s };
	return true;
}

static int add_file(struct state *s, const char *name)
{
	char **files = realloc(s->files, (s->input.nfiles + 1) * sizeof *files);

	if (!files)
		return -1;
	s->files = files;
	s->input.files = files;
	if (!(files[s->input.nfiles] = strdup(name)))
		return -1;
	s->input.nfiles++;
	return 0;
}

/* Room for n experts in every accumulator. */
static int reserve(struct state *s, unsigned n)
{
	if (stats_reserve(&s->all, n) < 0)
		return -1;
	for (size_t i = 0; i < s->ndomains; i++)
		if (stats_reserve(&s->domain[i], n) < 0)
			return -1;
	for (size_t i = 0; i < s->nbatch; i++)
		if (batch_reserve(&s->batch[i], n) < 0)
			return -1;
	return 0;
}

int state_finish(struct state *s, const struct moe_input *in)
{
	struct moe_input copy = *in;

	for (size_t i = 0; i < in->nfiles; i++)
		if (add_file(s, in->files[i]) < 0)
			return -1;
	for (size_t i = 0; i < domains_count(in->domains); i++) {
		const char *name = domains_name(in->domains, (int)i);
		if (domains_intern(s->domains, name, strlen(name)) < 0)
			return -1;
	}
	copy.files = s->files;
	copy.domains = s->domains;
	s->input = copy;
	for (size_t i = 0; i < s->ntakes; i++)
		if (batch_finish(s->takes_records[i]) < 0)
			return -1;
	/* The records after the last full chunk of the size that makes the counts. */
	for (const struct stats_layer *l = stats_next(&s->all, 0); s->counts_from && l;
	     l = stats_next(&s->all, l->layer + 1)) {
		const struct batch_layer *open = batch_layer(s->counts_from, l->layer);

		if (open && count_chunk(s, open) < 0)
			return -1;
	}
	return reserve(s, in->experts);
}

/* The first option in which a and b differ, or NULL. */
static const char *options_differ(const struct state_options *a, const struct state_options *b)
{
	if (a->experts != b->experts)
		return "--experts";
	if (a->has_layers != b->has_layers || memcmp(a->layers, b->layers, sizeof a->layers) != 0)
		return "--layers";
	if (a->has_domain != b->has_domain || strcmp(a->domain, b->domain) != 0)
		return "--domain";
	if (a->bottom != b->bottom)
		return "--bottom";
	if (a->experts_table != b->experts_table)
		return "--experts-table";
	if (a->by_domain != b->by_domain)
		return "--by-domain";
	if (a->batch != b->batch || a->nsizes != b->nsizes || a->default_sweep != b->default_sweep ||
	    memcmp(a->sizes, b->sizes, a->nsizes * sizeof *a->sizes) != 0)
		return "--batch";
	if (a->threshold != b->threshold)
		return "--threshold";
	if (a->gap != b->gap)
		return "--gap";
	if (a->fail != b->fail)
		return "--fail";
	return NULL;
}

/* The header and N of a part read after into's parts, as the reader takes a later file's. */
static int merge_model(struct moe_input *into, const struct moe_input *from, const char *name,
                       struct moe_error *err)
{
	struct moe_shape *h = &into->header;
	const struct moe_shape *f = &from->header;

	if (from->has_header && !into->has_header) {
		if (into->records > 0) {
			moe_error_set(err, EX_DATAERR, name, 0, "a header, after %llu records that had none",
			              (unsigned long long)into->records);
			return -1;
		}
		*h = *f;
		into->has_header = true;
	} else if (from->has_header) {
		int before = err->status;

		/* As the reader words headers that disagree. err may hold an earlier, skipped one. */
		err->status = 0;
		if (f->experts && h->experts && f->experts != h->experts)
			moe_error_set(err, EX_DATAERR, name, 0, "another model: its header says experts=%u, "
			              "an earlier part's %u", f->experts, h->experts);
		else if (f->topk && h->topk && f->topk != h->topk)
			moe_error_set(err, EX_DATAERR, name, 0, "another model: its header says topk=%u, "
			              "an earlier part's %u", f->topk, h->topk);
		else if (f->score[0] && h->score[0] && strcmp(f->score, h->score) != 0)
			moe_error_set(err, EX_DATAERR, name, 0, "another model: its header says score=%s, "
			              "an earlier part's %s", f->score, h->score);
		else if (f->model[0] && h->model[0] && strcmp(f->model, h->model) != 0)
			moe_error_set(err, EX_DATAERR, name, 0, "another model: its header says model=%s, "
			              "an earlier part's %s", f->model, h->model);
		if (err->status)
			return -1;
		err->status = before;
	}
	if (from->experts_from == EXPERTS_FROM_OPTION) {
		/* --experts, the same for both (the options agree) */
		into->experts = from->experts;
		into->experts_from = EXPERTS_FROM_OPTION;
		return 0;
	}
	if (into->experts_from == EXPERTS_FROM_OPTION)
		return 0;
	if (h->experts) {
		if (from->experts_from == EXPERTS_FROM_IDS && from->experts > h->experts) {
			moe_error_set(err, EX_DATAERR, name, 0, "expert id %u out of range (experts=%u)",
			              from->experts - 1, h->experts);
			return -1;
		}
		into->experts = h->experts;
		into->experts_from = EXPERTS_FROM_HEADER;
	} else if (from->experts_from == EXPERTS_FROM_IDS) {
		into->experts = from->experts > into->experts ? from->experts : into->experts;
		into->experts_from = EXPERTS_FROM_IDS;
	}
	return 0;
}

static void merge_format(struct moe_input *into, const char *format)
{
	if (!format)
		return;
	if (!into->format)
		into->format = format;
	else if (strcmp(into->format, format) != 0)
		into->format = "mixed";
}

static int merge_input(struct state *into, const struct state *from, const char *name,
                       struct moe_error *err)
{
	struct moe_input *in = &into->input;
	const struct moe_input *f = &from->input;

	if (merge_model(in, f, name, err) < 0)
		return -1;
	if (in->header.topk && f->records && !f->header.topk && f->topk != in->header.topk) {
		moe_error_set(err, EX_DATAERR, name, 0, "records whose lengths are not the header's topk=%u",
		              in->header.topk);
		return -1;
	}
	/* Without a header, top-k is the records' common length, or 0 when they differ. */
	if (in->header.topk)
		in->topk = in->header.topk;
	else if (in->records == 0)
		in->topk = f->topk;
	else if (f->records && f->topk != in->topk)
		in->topk = 0;
	merge_format(in, f->format);
	if (!in->skipped && f->skipped)
		in->first_skip = f->first_skip;
	if (!in->truncated && f->truncated)
		in->truncation = f->truncation;
	in->truncated |= f->truncated;
	in->records += f->records;
	in->selected += f->selected;
	in->skipped += f->skipped;
	for (size_t i = 0; i < f->nfiles; i++)
		if (add_file(into, f->files[i]) < 0)
			goto oom;
	return 0;
oom:
	moe_error_set(err, EX_OSERR, NULL, 0, "out of memory");
	return -1;
}

int state_merge(struct state *into, const struct state *from, const char *name, struct moe_error *err)
{
	const char *differ;

	if (into->opt.command != from->opt.command) {
		moe_error_set(err, EX_DATAERR, name, 0, "a state of %s, not of %s",
		              command_name[from->opt.command], command_name[into->opt.command]);
		return -1;
	}
	if ((differ = options_differ(&into->opt, &from->opt))) {
		moe_error_set(err, EX_DATAERR, name, 0, "saved with another %s than the first state", differ);
		return -1;
	}
	if (merge_input(into, from, name, err) < 0)
		return -1;
	if (stats_merge(&into->all, &from->all) < 0)
		goto oom;
	for (size_t i = 0; i < from->ndomains; i++) {
		const char *dname = domains_name(from->domains, (int)i);
		int d = domains_intern(into->domains, dname, strlen(dname));
		struct stats *st;

		if (d < 0 || !(st = domain_stats(into, (size_t)d)) || stats_merge(st, &from->domain[i]) < 0)
			goto oom;
	}
	/* Domains named but without records in from still take their place in the table. */
	for (size_t i = from->ndomains; i < domains_count(from->domains); i++) {
		const char *dname = domains_name(from->domains, (int)i);
		if (domains_intern(into->domains, dname, strlen(dname)) < 0)
			goto oom;
	}
	for (size_t i = 0; i < into->nbatch; i++)
		if (batch_merge(&into->batch[i], &from->batch[i]) < 0)
			goto oom;
	if (reserve(into, into->input.experts) < 0)
		goto oom;
	return 0;
oom:
	moe_error_set(err, EX_OSERR, NULL, 0, "out of memory");
	return -1;
}

void state_free(struct state *s)
{
	for (size_t i = 0; i < s->input.nfiles && s->files; i++)
		free(s->files[i]);
	free(s->files);
	domains_free(s->domains);
	stats_free(&s->all);
	for (size_t i = 0; i < s->ndomains; i++)
		stats_free(&s->domain[i]);
	free(s->domain);
	for (size_t i = 0; s->batch && i < s->nbatch; i++)
		batch_free(&s->batch[i]);
	free(s->batch);
	memset(s, 0, sizeof *s);
}

/* Saving. Every number is an integer: the state is exact. */

static json_t *uint_json(uint64_t x)
{
	return json_integer((json_int_t)x);
}

static json_t *uints_json(const uint64_t *a, size_t n)
{
	json_t *array = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(array, uint_json(a[i]));
	return array;
}

static json_t *positions_json(const int64_t *a, size_t n)
{
	json_t *array = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(array, json_integer(a[i]));
	return array;
}

static json_t *error_json(const struct moe_error *e, bool set)
{
	if (!set)
		return json_null();
	return json_pack("{s:i,s:s,s:I,s:s}", "status", e->status, "file", e->file, "line",
	                 (json_int_t)e->line, "message", e->msg);
}

static json_t *string_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

/* --layers as ranges: "0-3,7". */
static json_t *layers_json(const struct state_options *o)
{
	char buf[16384];
	size_t len = 0;

	if (!o->has_layers)
		return json_null();
	buf[0] = '\0';
	for (unsigned i = 0; i < MOE_MAX_LAYERS; i++) {
		unsigned j = i;

		if (!(o->layers[i / 8] & 1u << i % 8))
			continue;
		while (j + 1 < MOE_MAX_LAYERS && o->layers[(j + 1) / 8] & 1u << (j + 1) % 8)
			j++;
		if (len + 24 >= sizeof buf)
			break;
		len += (size_t)snprintf(buf + len, sizeof buf - len, i == j ? "%s%u" : "%s%u-%u",
		                        len ? "," : "", i, j);
		i = j;
	}
	return json_string(buf);
}

static json_t *options_json(const struct state_options *o)
{
	json_t *j = json_object();

	json_object_set_new(j, "experts", o->experts ? json_integer(o->experts) : json_null());
	json_object_set_new(j, "layers", layers_json(o));
	json_object_set_new(j, "domain", o->has_domain ? json_string(o->domain) : json_null());
	if (o->command == STATE_SUMMARIZE) {
		json_object_set_new(j, "bottom", uint_json(o->bottom));
		json_object_set_new(j, "experts_table", json_boolean(o->experts_table));
		json_object_set_new(j, "by_domain", json_boolean(o->by_domain));
		json_object_set_new(j, "batch", uint_json(o->batch));
	} else if (o->command == STATE_DEAD) {
		json_object_set_new(j, "threshold", uint_json(o->threshold));
		json_object_set_new(j, "gap", json_boolean(o->gap));
		json_object_set_new(j, "fail", json_boolean(o->fail));
	} else {
		json_object_set_new(j, "sizes", uints_json(o->sizes, o->nsizes));
		json_object_set_new(j, "default_sweep", json_boolean(o->default_sweep));
	}
	return j;
}

static json_t *input_json(const struct state *s)
{
	const struct moe_input *in = &s->input;
	json_t *j = json_object(), *files = json_array(), *domains = json_array();

	for (size_t i = 0; i < in->nfiles; i++)
		json_array_append_new(files, json_string(in->files[i]));
	for (size_t i = 0; i < domains_count(s->domains); i++)
		json_array_append_new(domains, json_string(domains_name(s->domains, (int)i)));
	json_object_set_new(j, "files", files);
	json_object_set_new(j, "format", string_or_null(in->format));
	json_object_set_new(j, "records", uint_json(in->records));
	json_object_set_new(j, "selected", uint_json(in->selected));
	json_object_set_new(j, "skipped", uint_json(in->skipped));
	json_object_set_new(j, "first_skip", error_json(&in->first_skip, in->skipped > 0));
	json_object_set_new(j, "truncated", json_boolean(in->truncated));
	json_object_set_new(j, "truncation", error_json(&in->truncation, in->truncated));
	json_object_set_new(j, "header", !in->has_header ? json_null() :
	                    json_pack("{s:i,s:i,s:o,s:o}", "experts", (int)in->header.experts,
	                              "topk", (int)in->header.topk, "score",
	                              string_or_null(in->header.score), "model",
	                              string_or_null(in->header.model)));
	json_object_set_new(j, "experts", json_integer(in->experts));
	json_object_set_new(j, "experts_from", json_string(experts_from_name[in->experts_from]));
	json_object_set_new(j, "topk", json_integer(in->topk));
	json_object_set_new(j, "domains", domains);
	return j;
}

static json_t *stats_json(const struct stats *st, unsigned n)
{
	json_t *layers = json_array();

	for (const struct stats_layer *l = stats_next(st, 0); l; l = stats_next(st, l->layer + 1)) {
		json_t *o = json_pack("{s:i,s:o,s:o,s:o,s:o,s:o}", "layer", (int)l->layer,
		                      "tokens", uint_json(l->tokens), "selections", uint_json(l->selections),
		                      "k_min", uint_json(l->k_min), "k_max", uint_json(l->k_max),
		                      "count", uints_json(l->count, n));

		if (st->gaps) {
			json_object_set_new(o, "first_used", positions_json(l->first_used, n));
			json_object_set_new(o, "last_used", positions_json(l->last_used, n));
			json_object_set_new(o, "max_gap", uints_json(l->max_gap, n));
		}
		json_array_append_new(layers, o);
	}
	return layers;
}

static int by_shape(const void *a, const void *b)
{
	const struct batch_shape *x = a, *y = b;

	if (x->max != y->max)
		return (x->max > y->max) - (x->max < y->max);
	return (x->selections > y->selections) - (x->selections < y->selections);
}

static json_t *batch_layer_json(const struct batch *b, const struct batch_layer *l, unsigned n)
{
	struct batch_shape *shape = malloc((l->nshapes ? l->nshapes : 1) * sizeof *shape);
	json_t *o, *shapes = json_array(), *open = json_array();
	size_t m = 0;

	if (!shape)
		return NULL;
	for (size_t i = 0; i < l->cap_shapes; i++)
		if (l->shape[i].chunks)
			shape[m++] = l->shape[i];
	/* In the hash table's order they would differ from run to run of the table's growth. */
	qsort(shape, m, sizeof *shape, by_shape);
	for (size_t i = 0; i < m; i++)
		json_array_append_new(shapes, json_pack("[o,o,o]", uint_json(shape[i].max),
		                                        uint_json(shape[i].selections),
		                                        uint_json(shape[i].chunks)));
	free(shape);
	for (size_t i = 0; i < l->ntouched; i++)
		json_array_append_new(open, json_pack("[i,o]", (int)l->touched[i],
		                                      uint_json(l->chunk_count[l->touched[i]])));
	o = json_pack("{s:i,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o}}", "layer", (int)l->layer,
	              "tokens", uint_json(l->tokens), "chunks", uint_json(l->chunks), "shapes", shapes,
	              "open", "tokens", uint_json(l->chunk_tokens), "selections",
	              uint_json(l->chunk_selections), "max", uint_json(l->chunk_max), "counts", open);
	if (o && b->per_expert) {
		json_object_set_new(o, "sum", uints_json(l->sum, n));
		json_object_set_new(o, "sum_sq", uints_json(l->sum_sq, n));
	}
	return o;
}

static json_t *batches_json(const struct state *s, unsigned n)
{
	json_t *batches = json_array();

	for (size_t i = 0; i < s->nbatch; i++) {
		const struct batch *b = &s->batch[i];
		json_t *layers = json_array();

		for (const struct batch_layer *l = bylayer_next(&b->layers, 0); l;
		     l = bylayer_next(&b->layers, l->layer + 1))
			json_array_append_new(layers, batch_layer_json(b, l, n));
		json_array_append_new(batches, json_pack("{s:o,s:o}", "size", uint_json(b->size),
		                                         "layers", layers));
	}
	return batches;
}

int state_save(const struct state *s, FILE *fp)
{
	unsigned n = s->input.experts;
	json_t *doc = json_object(), *domains = json_array();
	int rc;

	for (size_t i = 0; i < s->ndomains; i++)
		json_array_append_new(domains, stats_json(&s->domain[i], n));
	json_object_set_new(doc, "moestat_state", json_integer(STATE_VERSION));
	json_object_set_new(doc, "command", json_string(command_name[s->opt.command]));
	json_object_set_new(doc, "options", options_json(&s->opt));
	json_object_set_new(doc, "input", input_json(s));
	json_object_set_new(doc, "stats", stats_json(&s->all, n));
	json_object_set_new(doc, "domain_stats", domains);
	json_object_set_new(doc, "batches", batches_json(s, n));
	rc = json_dumpf(doc, fp, JSON_COMPACT);
	json_decref(doc);
	if (rc < 0)
		return -1;
	fputc('\n', fp);
	return 0;
}

/* Loading. Each reader of a part checks what it takes and says where it is wrong. */

struct load {
	const char *path;
	struct moe_error *err;
	char where[128];        /* the object being read, for messages */
	unsigned n;             /* experts: the length of every per-expert array */
};

static int bad(struct load *ld, const char *key, const char *what)
{
	moe_error_set(ld->err, EX_DATAERR, ld->path, 0, "%s%s%s: %s", ld->where, ld->where[0] ? "." : "",
	              key, what);
	return -1;
}

static int get_uint(struct load *ld, json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
		return bad(ld, key, "not a whole number in range");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_bool(struct load *ld, json_t *o, const char *key, bool *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		return bad(ld, key, "not true or false");
	*out = json_is_true(v);
	return 0;
}

/* A string of at most size - 1 bytes, or null (""). */
static int get_string(struct load *ld, json_t *o, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v)) {
		out[0] = '\0';
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= size)
		return bad(ld, key, "not a string of the right length");
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* An array of n whole numbers, each from min to max. */
static json_t *get_array(struct load *ld, json_t *o, const char *key, size_t n)
{
	json_t *a = json_object_get(o, key);

	if (!json_is_array(a) || (n != SIZE_MAX && json_array_size(a) != n)) {
		bad(ld, key, "not an array of the right length");
		return NULL;
	}
	return a;
}

static int get_uints(struct load *ld, json_t *o, const char *key, uint64_t *out)
{
	json_t *a = get_array(ld, o, key, ld->n), *v;
	size_t i;

	if (!a)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return bad(ld, key, "holds something other than a whole number");
		out[i] = (uint64_t)json_integer_value(v);
	}
	return 0;
}

/* Positions below tokens, or -1. */
static int get_positions(struct load *ld, json_t *o, const char *key, uint64_t tokens, int64_t *out)
{
	json_t *a = get_array(ld, o, key, ld->n), *v;
	size_t i;

	if (!a)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) >= (json_int_t)tokens)
			return bad(ld, key, "holds something other than a position in the layer or -1");
		out[i] = (int64_t)json_integer_value(v);
	}
	return 0;
}

static int load_layers_bitmap(struct load *ld, json_t *o, struct state_options *opt)
{
	json_t *v = json_object_get(o, "layers");
	const char *s;

	opt->has_layers = !json_is_null(v);
	if (!opt->has_layers)
		return 0;
	if (!json_is_string(v))
		return bad(ld, "layers", "not a string or null");
	for (s = json_string_value(v); *s;) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (end == s || lo > hi || hi >= MOE_MAX_LAYERS || (*end && *end != ','))
			return bad(ld, "layers", "not a list of layers like 0-3,7");
		for (unsigned long i = lo; i <= hi; i++)
			opt->layers[i / 8] |= (unsigned char)(1u << i % 8);
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int load_options(struct load *ld, json_t *doc, struct state_options *opt)
{
	json_t *o = json_object_get(doc, "options"), *c = json_object_get(doc, "command");
	uint64_t experts = 0;

	memset(opt, 0, sizeof *opt);
	if (!json_is_string(c))
		return bad(ld, "command", "missing");
	for (size_t i = 0;; i++) {
		if (i == sizeof command_name / sizeof *command_name)
			return bad(ld, "command", "not summarize, dead or maxvio");
		if (strcmp(json_string_value(c), command_name[i]) == 0) {
			opt->command = (enum state_command)i;
			break;
		}
	}
	if (!json_is_object(o))
		return bad(ld, "options", "missing");
	strcpy(ld->where, "options");
	if ((!json_is_null(json_object_get(o, "experts")) &&
	     get_uint(ld, o, "experts", MOE_MAX_EXPERTS, &experts) < 0) ||
	    load_layers_bitmap(ld, o, opt) < 0 ||
	    get_string(ld, o, "domain", opt->domain, sizeof opt->domain) < 0)
		return -1;
	opt->experts = (unsigned)experts;
	opt->has_domain = !json_is_null(json_object_get(o, "domain"));
	if (opt->command == STATE_SUMMARIZE)
		return get_uint(ld, o, "bottom", MOE_MAX_EXPERTS, &opt->bottom) < 0 ||
		       get_bool(ld, o, "experts_table", &opt->experts_table) < 0 ||
		       get_bool(ld, o, "by_domain", &opt->by_domain) < 0 ||
		       get_uint(ld, o, "batch", UINT32_MAX, &opt->batch) < 0 ? -1 : 0;
	if (opt->command == STATE_DEAD)
		return get_uint(ld, o, "threshold", INT64_MAX, &opt->threshold) < 0 ||
		       get_bool(ld, o, "gap", &opt->gap) < 0 ||
		       get_bool(ld, o, "fail", &opt->fail) < 0 ? -1 : 0;
	json_t *sizes = get_array(ld, o, "sizes", SIZE_MAX), *v;
	size_t i;

	if (!sizes || json_array_size(sizes) > STATE_MAX_SIZES)
		return sizes ? bad(ld, "sizes", "more than 64") : -1;
	json_array_foreach(sizes, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > UINT32_MAX ||
		    (i > 0 && (uint64_t)json_integer_value(v) <= opt->sizes[i - 1]))
			return bad(ld, "sizes", "not ascending batch sizes from 1 to 4294967295");
		opt->sizes[i] = (uint64_t)json_integer_value(v);
	}
	opt->nsizes = json_array_size(sizes);
	return get_bool(ld, o, "default_sweep", &opt->default_sweep);
}

static int load_error(struct load *ld, json_t *o, const char *key, struct moe_error *e)
{
	json_t *v = json_object_get(o, key);
	uint64_t status, line;

	if (!json_is_object(v))
		return bad(ld, key, "not an error object");
	if (get_uint(ld, v, "status", 255, &status) < 0 || get_uint(ld, v, "line", INT32_MAX, &line) < 0 ||
	    get_string(ld, v, "file", e->file, sizeof e->file) < 0 ||
	    get_string(ld, v, "message", e->msg, sizeof e->msg) < 0)
		return -1;
	e->status = (int)status;
	e->line = (long)line;
	return 0;
}

static int load_input(struct load *ld, json_t *doc, struct state *s)
{
	struct moe_input *in = &s->input;
	json_t *o = json_object_get(doc, "input"), *files, *domains, *v, *h;
	char format[32], from[16];
	uint64_t experts, topk;
	size_t i;

	if (!json_is_object(o))
		return bad(ld, "input", "missing");
	strcpy(ld->where, "input");
	if (!(files = get_array(ld, o, "files", SIZE_MAX)) || !(domains = get_array(ld, o, "domains", SIZE_MAX)))
		return -1;
	json_array_foreach(files, i, v) {
		if (!json_is_string(v))
			return bad(ld, "files", "holds something other than a file name");
		if (add_file(s, json_string_value(v)) < 0)
			goto oom;
	}
	json_array_foreach(domains, i, v) {
		if (!json_is_string(v) || json_string_length(v) >= MOE_MAX_NAME ||
		    domains_find(s->domains, json_string_value(v)) >= 0)
			return bad(ld, "domains", "holds something other than distinct domain names");
		if (domains_intern(s->domains, json_string_value(v), json_string_length(v)) < 0)
			return bad(ld, "domains", "more than the limit of domains");
	}
	if (get_string(ld, o, "format", format, sizeof format) < 0 ||
	    get_uint(ld, o, "records", INT64_MAX, &in->records) < 0 ||
	    get_uint(ld, o, "selected", in->records, &in->selected) < 0 ||
	    get_uint(ld, o, "skipped", INT64_MAX, &in->skipped) < 0 ||
	    get_bool(ld, o, "truncated", &in->truncated) < 0 ||
	    (in->skipped && load_error(ld, o, "first_skip", &in->first_skip) < 0) ||
	    (in->truncated && load_error(ld, o, "truncation", &in->truncation) < 0) ||
	    get_uint(ld, o, "experts", MOE_MAX_EXPERTS, &experts) < 0 ||
	    get_uint(ld, o, "topk", MOE_MAX_EXPERTS, &topk) < 0 ||
	    get_string(ld, o, "experts_from", from, sizeof from) < 0)
		return -1;
	in->experts = (unsigned)experts;
	in->topk = (unsigned)topk;
	in->format = NULL;
	if (strcmp(format, "mixed") == 0)
		in->format = "mixed";
	else if (format[0] && format_from_name(format) > 0)
		in->format = format_name((enum moe_format)format_from_name(format));
	else if (format[0])
		return bad(ld, "format", "not a format's name");
	for (i = 0; i < sizeof experts_from_name / sizeof *experts_from_name; i++)
		if (strcmp(from, experts_from_name[i]) == 0)
			break;
	if (i == sizeof experts_from_name / sizeof *experts_from_name)
		return bad(ld, "experts_from", "not none, option, header or ids");
	in->experts_from = (enum moe_experts_from)i;
	h = json_object_get(o, "header");
	in->has_header = !json_is_null(h);
	if (in->has_header) {
		strcpy(ld->where, "input.header");
		if (!json_is_object(h) || get_uint(ld, h, "experts", MOE_MAX_EXPERTS, &experts) < 0 ||
		    get_uint(ld, h, "topk", MOE_MAX_EXPERTS, &topk) < 0 ||
		    get_string(ld, h, "score", in->header.score, sizeof in->header.score) < 0 ||
		    get_string(ld, h, "model", in->header.model, sizeof in->header.model) < 0)
			return json_is_object(h) ? -1 : bad(ld, "header", "not an object or null");
		in->header.experts = (unsigned)experts;
		in->header.topk = (unsigned)topk;
	}
	ld->n = in->experts;
	return 0;
oom:
	moe_error_set(ld->err, EX_OSERR, NULL, 0, "out of memory");
	return -1;
}

/* What every layer the accumulator fills satisfies: the counts add up to the
 * selections, between k_min and k_max a record; with gaps, an expert has a
 * first and a last use exactly when it has a count, in that order, and no idle
 * run is longer than the layer. */
static bool layer_consistent(const struct stats_layer *l, unsigned n, uint64_t k_min,
                                   uint64_t k_max, bool gaps)
{
	uint64_t sum = 0;

	if (k_min == 0 || l->selections < k_min * l->tokens || l->selections > k_max * l->tokens)
		return false;
	for (unsigned e = 0; e < n; e++) {
		sum += l->count[e];
		if (gaps && ((l->count[e] > 0) != (l->first_used[e] >= 0) ||
		             l->first_used[e] > l->last_used[e] || l->max_gap[e] > l->tokens))
			return false;
	}
	return sum == l->selections;
}

/* One layer of stats, through a layer of arrays of n, merged into st (empty). */
static int load_stats_layer(struct load *ld, json_t *o, struct stats *st)
{
	struct stats_layer l = { 0 };
	uint64_t layer, k_min, k_max;
	size_t n = ld->n ? ld->n : 1;
	int rc = -1;

	l.count = calloc(n, sizeof *l.count);
	l.first_used = calloc(n, sizeof *l.first_used);
	l.last_used = calloc(n, sizeof *l.last_used);
	l.max_gap = calloc(n, sizeof *l.max_gap);
	if (!l.count || !l.first_used || !l.last_used || !l.max_gap) {
		moe_error_set(ld->err, EX_OSERR, NULL, 0, "out of memory");
		goto done;
	}
	if (!json_is_object(o) || get_uint(ld, o, "layer", MOE_MAX_LAYERS - 1, &layer) < 0 ||
	    get_uint(ld, o, "tokens", INT64_MAX, &l.tokens) < 0 ||
	    get_uint(ld, o, "selections", INT64_MAX, &l.selections) < 0 ||
	    get_uint(ld, o, "k_min", MOE_MAX_EXPERTS, &k_min) < 0 ||
	    get_uint(ld, o, "k_max", MOE_MAX_EXPERTS, &k_max) < 0 || get_uints(ld, o, "count", l.count) < 0)
		goto done;
	if (l.tokens == 0 || k_min > k_max || stats_layer(st, (unsigned)layer)) {
		bad(ld, "layer", "empty, repeated, or with k_min above k_max");
		goto done;
	}
	if (st->gaps && (get_positions(ld, o, "first_used", l.tokens, l.first_used) < 0 ||
	                 get_positions(ld, o, "last_used", l.tokens, l.last_used) < 0 ||
	                 get_uints(ld, o, "max_gap", l.max_gap) < 0))
		goto done;
	if (!layer_consistent(&l, ld->n, k_min, k_max, st->gaps)) {
		bad(ld, "count", "does not agree with the tokens, selections and positions");
		goto done;
	}
	l.layer = (unsigned)layer;
	l.k_min = k_min;
	l.k_max = k_max;
	if (stats_merge_layer(st, &l, ld->n) < 0)
		moe_error_set(ld->err, EX_OSERR, NULL, 0, "out of memory");
	else
		rc = 0;
done:
	free(l.count);
	free(l.first_used);
	free(l.last_used);
	free(l.max_gap);
	return rc;
}

static int load_stats(struct load *ld, json_t *layers, struct stats *st, const char *where)
{
	json_t *v;
	size_t i;

	if (!json_is_array(layers))
		return bad(ld, where, "not an array of layers");
	json_array_foreach(layers, i, v) {
		snprintf(ld->where, sizeof ld->where, "%s[%zu]", where, i);
		if (load_stats_layer(ld, v, st) < 0)
			return -1;
	}
	return 0;
}

/* The open chunk's counts: [expert, count] pairs of distinct experts below n. */
static int load_open(struct load *ld, json_t *open, struct batch_layer *l, uint64_t size)
{
	json_t *counts = get_array(ld, open, "counts", SIZE_MAX), *v;
	uint64_t sum = 0;
	size_t i;

	if (!counts || get_uint(ld, open, "tokens", size - 1, &l->chunk_tokens) < 0 ||
	    get_uint(ld, open, "selections", INT64_MAX, &l->chunk_selections) < 0 ||
	    get_uint(ld, open, "max", size, &l->chunk_max) < 0)
		return -1;
	json_array_foreach(counts, i, v) {
		json_t *e = json_array_get(v, 0), *c = json_array_get(v, 1);

		if (!json_is_integer(e) || !json_is_integer(c) || json_integer_value(e) < 0 ||
		    json_integer_value(e) >= (json_int_t)ld->n || json_integer_value(c) < 1 ||
		    json_integer_value(c) > (json_int_t)l->chunk_max ||
		    l->chunk_count[json_integer_value(e)])
			return bad(ld, "counts", "not [expert, count] pairs of distinct experts");
		l->touched[l->ntouched++] = (uint32_t)json_integer_value(e);
		l->chunk_count[json_integer_value(e)] = (uint32_t)json_integer_value(c);
		sum += (uint64_t)json_integer_value(c);
	}
	if (sum != l->chunk_selections)
		return bad(ld, "counts", "do not add up to the selections");
	return 0;
}

static int load_batch_layer(struct load *ld, json_t *o, struct batch *b)
{
	struct batch_layer l = { 0 };
	json_t *shapes, *v;
	uint64_t layer;
	size_t n = ld->n ? ld->n : 1, i;
	int rc = -1;

	shapes = json_is_object(o) ? get_array(ld, o, "shapes", SIZE_MAX) : NULL;
	if (!shapes) {
		bad(ld, "shapes", "missing");
		return -1;
	}
	l.chunk_count = calloc(n, sizeof *l.chunk_count);
	l.touched = calloc(n + 1, sizeof *l.touched);
	l.sum = calloc(n, sizeof *l.sum);
	l.sum_sq = calloc(n, sizeof *l.sum_sq);
	l.shape = calloc(json_array_size(shapes) + 1, sizeof *l.shape);
	if (!l.chunk_count || !l.touched || !l.sum || !l.sum_sq || !l.shape) {
		moe_error_set(ld->err, EX_OSERR, NULL, 0, "out of memory");
		goto done;
	}
	if (get_uint(ld, o, "layer", MOE_MAX_LAYERS - 1, &layer) < 0 ||
	    get_uint(ld, o, "tokens", INT64_MAX, &l.tokens) < 0 ||
	    get_uint(ld, o, "chunks", INT64_MAX, &l.chunks) < 0 ||
	    !json_is_object(json_object_get(o, "open")) ||
	    load_open(ld, json_object_get(o, "open"), &l, b->size) < 0 ||
	    (b->per_expert && (get_uints(ld, o, "sum", l.sum) < 0 || get_uints(ld, o, "sum_sq", l.sum_sq) < 0)))
		goto done;
	json_array_foreach(shapes, i, v) {
		struct batch_shape *s = &l.shape[i];
		json_t *m = json_array_get(v, 0), *sel = json_array_get(v, 1), *c = json_array_get(v, 2);

		if (!json_is_integer(m) || !json_is_integer(sel) || !json_is_integer(c) ||
		    json_integer_value(m) < 0 || json_integer_value(sel) < json_integer_value(m) ||
		    json_integer_value(c) < 1) {
			bad(ld, "shapes", "not [max, selections, chunks] triples");
			goto done;
		}
		s->max = (uint64_t)json_integer_value(m);
		s->selections = (uint64_t)json_integer_value(sel);
		s->chunks = (uint64_t)json_integer_value(c);
	}
	l.cap_shapes = json_array_size(shapes);
	l.layer = (unsigned)layer;
	if (batch_layer(b, l.layer)) {
		bad(ld, "layer", "repeated");
		goto done;
	}
	if (batch_merge_layer(b, &l, ld->n) < 0)
		moe_error_set(ld->err, EX_OSERR, NULL, 0, "out of memory");
	else
		rc = 0;
done:
	free(l.chunk_count);
	free(l.touched);
	free(l.sum);
	free(l.sum_sq);
	free(l.shape);
	return rc;
}

static int load_batches(struct load *ld, json_t *batches, struct state *s)
{
	json_t *v, *w;
	size_t i, j;

	if (!json_is_array(batches) || json_array_size(batches) != s->nbatch)
		return bad(ld, "batches", "not one per batch size of the options");
	json_array_foreach(batches, i, v) {
		json_t *layers = json_object_get(v, "layers");
		uint64_t size;

		snprintf(ld->where, sizeof ld->where, "batches[%zu]", i);
		if (get_uint(ld, v, "size", UINT32_MAX, &size) < 0)
			return -1;
		if (size != s->batch[i].size)
			return bad(ld, "size", "not the options' batch size");
		if (!json_is_array(layers))
			return bad(ld, "layers", "not an array");
		json_array_foreach(layers, j, w) {
			snprintf(ld->where, sizeof ld->where, "batches[%zu].layers[%zu]", i, j);
			if (load_batch_layer(ld, w, &s->batch[i]) < 0)
				return -1;
		}
	}
	return 0;
}

static int load_domain_stats(struct load *ld, json_t *a, struct state *s)
{
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > domains_count(s->domains))
		return bad(ld, "domain_stats", "not an array of at most one per domain");
	json_array_foreach(a, i, v) {
		char where[48];
		struct stats *st = domain_stats(s, i);

		snprintf(where, sizeof where, "domain_stats[%zu]", i);
		if (!st) {
			moe_error_set(ld->err, EX_OSERR, NULL, 0, "out of memory");
			return -1;
		}
		ld->where[0] = '\0';
		if (load_stats(ld, v, st, where) < 0)
			return -1;
	}
	return 0;
}

int state_load(struct state *s, const char *path, struct moe_error *err)
{
	struct load ld = { .path = path, .err = err };
	struct state_options opt;
	json_error_t jerr;
	json_t *doc, *version;
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc = -1;

	memset(s, 0, sizeof *s);
	if (!fp) {
		moe_error_set(err, EX_NOINPUT, path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	doc = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	if (fp != stdin)
		fclose(fp);
	if (!doc) {
		moe_error_set(err, EX_DATAERR, path, jerr.line > 0 ? jerr.line : 0, "not a state file: %s",
		              jerr.text);
		return -1;
	}
	version = json_object_get(doc, "moestat_state");
	if (!json_is_integer(version)) {
		moe_error_set(err, EX_DATAERR, path, 0, "not a state file (no \"moestat_state\" version)");
	} else if (json_integer_value(version) != STATE_VERSION) {
		moe_error_set(err, EX_DATAERR, path, 0, "a state of version %lld; this moestat reads %d",
		              (long long)json_integer_value(version), STATE_VERSION);
	} else if (load_options(&ld, doc, &opt) == 0) {
		if (state_init(s, &opt) < 0) {
			moe_error_set(err, EX_OSERR, NULL, 0, "out of memory");
		} else if (load_input(&ld, doc, s) == 0 && reserve(s, ld.n) == 0) {
			ld.where[0] = '\0';
			if (load_stats(&ld, json_object_get(doc, "stats"), &s->all, "stats") == 0 &&
			    load_domain_stats(&ld, json_object_get(doc, "domain_stats"), s) == 0 &&
			    load_batches(&ld, json_object_get(doc, "batches"), s) == 0)
				rc = reserve(s, ld.n) < 0 ? -1 : 0;
		}
	}
	json_decref(doc);
	if (rc < 0) {
		if (!err->status)
			moe_error_set(err, EX_OSERR, NULL, 0, "out of memory");
		state_free(s);
	}
	return rc;
}
