/* gen.c: writes the logs of make bench (issue 5), the same bytes on every run and every machine. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/*
 * Everything is integer arithmetic on splitmix64 streams: no libc rand, no libm, so the bytes
 * cannot change with the C library. The .gz is deflated from the plain file with zlib's default
 * level; its bytes depend on the zlib version (deflate's output is not promised across versions).
 */

#define EXPERTS 256
#define TOPK 8
#define DS_FIRST_LAYER 3
#define DS_LAYERS 58
#define LOGIT_LAYERS 4
#define STEP_TOKENS 512

static const char usage[] =
	"usage: gen [-s SCALE] [-d DIR] WHAT...\n"
	"WHAT: ds58 (ds58.mlog), ds58gz (ds58.mlog.gz, from ds58.mlog), logits (logits.mlog),\n"
	"      megatron (megatron.jsonl); SCALE multiplies the tokens of each (default 1)\n";

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A number in [0, n), n < 2^32, by multiply-shift (Lemire) without rejection: the tiny bias is
 * the same on every run, which is all a benchmark needs. */
static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((splitmix64(s) >> 32) * n) >> 32);
}

static void shuffle(unsigned *a, unsigned n, uint64_t *s)
{
	for (unsigned i = 0; i < n; i++)
		a[i] = i;
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = below(s, i + 1), t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

/* ---- output: a large buffer in front of stdio ---- */

struct out {
	FILE *f;
	const char *path;
	size_t n;
	char buf[1 << 20];
};

static void die(const char *what, const char *path)
{
	fprintf(stderr, "gen: %s: %s\n", path, what ? what : strerror(errno));
	exit(1);
}

static void out_flush(struct out *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
		die(NULL, o->path);
	o->n = 0;
}

/* Makes room for at least 256 more bytes. */
static char *out_room(struct out *o)
{
	if (o->n > sizeof o->buf - 256)
		out_flush(o);
	return o->buf + o->n;
}

static void out_str(struct out *o, const char *s)
{
	size_t len = strlen(s);

	if (o->n + len > sizeof o->buf)
		out_flush(o);
	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

static char *put_uint(char *p, unsigned long v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* A logit kept in thousandths, printed with exactly 3 decimals: -1234 is "-1.234", -5 "-0.005". */
static char *put_milli(char *p, int v)
{
	unsigned a = v < 0 ? (unsigned)-v : (unsigned)v;

	if (v < 0)
		*p++ = '-';
	p = put_uint(p, a / 1000);
	*p++ = '.';
	*p++ = (char)('0' + a / 100 % 10);
	*p++ = (char)('0' + a / 10 % 10);
	*p++ = (char)('0' + a % 10);
	return p;
}

/* Files are written beside their final name and renamed at the end: a file that is there is whole. */
static char tmp_path[4096], final_path[4096];

static void out_open(struct out *o, const char *dir, const char *name)
{
	snprintf(final_path, sizeof final_path, "%s/%s", dir, name);
	snprintf(tmp_path, sizeof tmp_path, "%s/%s.tmp", dir, name);
	o->f = fopen(tmp_path, "wb");
	if (!o->f)
		die(NULL, tmp_path);
	o->path = tmp_path;
	o->n = 0;
}

static void out_close(struct out *o)
{
	out_flush(o);
	if (fclose(o->f) != 0)
		die(NULL, tmp_path);
	if (rename(tmp_path, final_path) != 0)
		die(NULL, final_path);
}

/* ---- the 58 x 256 x top-8 model (ds58.mlog and megatron.jsonl) ---- */

/* Dead experts: never chosen (halfway 0), or chosen until half the tokens, then never again. */
static const struct {
	unsigned layer, expert, halfway;
} dead_experts[] = {
	{ 3, 17, 0 }, { 3, 200, 0 }, { 30, 99, 0 }, { 60, 5, 0 }, { 60, 6, 0 }, { 60, 7, 0 },
	{ 10, 42, 1 }, { 20, 3, 1 }, { 45, 128, 1 },
};

/* Cumulative integer weights per layer, before ([0]) and after ([1]) the half-way point. */
struct model {
	uint32_t cum[DS_LAYERS][2][EXPERTS];
};

/*
 * Zipf-like popularity: a random ranking of the experts per layer, weight 2^24 / (rank + c)
 * with c drawn in [2, 25] per layer (small c: a few very popular experts). The experts that die
 * half-way are moved to rank 20 so that their going quiet is visible.
 */
static void model_init(struct model *m, uint64_t seed)
{
	uint64_t s = seed;

	for (unsigned l = 0; l < DS_LAYERS; l++) {
		unsigned rank_of[EXPERTS], layer = DS_FIRST_LAYER + l, c = 2 + below(&s, 24);
		uint32_t w[2][EXPERTS];

		shuffle(rank_of, EXPERTS, &s);
		for (size_t d = 0; d < sizeof dead_experts / sizeof dead_experts[0]; d++) {
			if (dead_experts[d].layer != layer || !dead_experts[d].halfway)
				continue;
			for (unsigned e = 0; e < EXPERTS; e++)
				if (rank_of[e] == 20)
					rank_of[e] = rank_of[dead_experts[d].expert];
			rank_of[dead_experts[d].expert] = 20;
		}
		for (unsigned e = 0; e < EXPERTS; e++)
			w[0][e] = w[1][e] = (1u << 24) / (rank_of[e] + c);
		for (size_t d = 0; d < sizeof dead_experts / sizeof dead_experts[0]; d++) {
			if (dead_experts[d].layer != layer)
				continue;
			w[1][dead_experts[d].expert] = 0;
			if (!dead_experts[d].halfway)
				w[0][dead_experts[d].expert] = 0;
		}
		for (unsigned h = 0; h < 2; h++) {
			uint32_t sum = 0;

			for (unsigned e = 0; e < EXPERTS; e++)
				m->cum[l][h][e] = sum += w[h][e];
		}
	}
}

/* TOPK distinct experts of layer index l, drawn by popularity, in the order drawn. */
static void model_draw(const struct model *m, unsigned l, unsigned half, uint64_t *s, unsigned *ids)
{
	const uint32_t *cum = m->cum[l][half];
	uint32_t total = cum[EXPERTS - 1];
	uint64_t chosen[EXPERTS / 64] = { 0 };

	for (unsigned k = 0; k < TOPK;) {
		uint32_t x = below(s, total);
		unsigned lo = 0, hi = EXPERTS - 1;

		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;

			if (cum[mid] > x)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (chosen[lo / 64] >> (lo % 64) & 1)
			continue;
		chosen[lo / 64] |= (uint64_t)1 << (lo % 64);
		ids[k++] = lo;
	}
}

static struct model the_model;
static struct out the_out;

static void gen_ds58(const char *dir, unsigned long tokens)
{
	struct out *o = &the_out;
	uint64_t s = 0x5eed0058u;
	unsigned ids[TOPK];

	model_init(&the_model, 0xd5e9a58u);
	out_open(o, dir, "ds58.mlog");
	out_str(o, "#moestat v1 experts=256 topk=8 score=sigmoid fields=layer,experts model=bench-deepseek-v3\n"
	           "# SYNTHETIC: made by tests/bench/gen.c for make bench, not routing of a real model\n");
	for (unsigned long t = 0; t < tokens; t++) {
		unsigned half = t >= tokens / 2;

		for (unsigned l = 0; l < DS_LAYERS; l++) {
			char *p = out_room(o), *start = p;

			model_draw(&the_model, l, half, &s, ids);
			p = put_uint(p, DS_FIRST_LAYER + l);
			*p++ = ' ';
			for (unsigned k = 0; k < TOPK; k++) {
				p = put_uint(p, ids[k]);
				*p++ = k + 1 < TOPK ? ',' : '\n';
			}
			o->n += (size_t)(p - start);
		}
	}
	out_close(o);
}

static void gen_megatron(const char *dir, unsigned long tokens)
{
	struct out *o = &the_out;
	uint64_t s = 0x5eed1a5eu;
	unsigned ids[TOPK];

	model_init(&the_model, 0xd5e9a58u);
	out_open(o, dir, "megatron.jsonl");
	for (unsigned long step = 0; step * STEP_TOKENS < tokens; step++) {
		unsigned long first = step * STEP_TOKENS, n = tokens - first;

		if (n > STEP_TOKENS)
			n = STEP_TOKENS;
		for (unsigned l = 0; l < DS_LAYERS; l++) {
			char *p = out_room(o), *start = p;

			p += sprintf(p, "{\"step\": %lu, \"layer\": %u, \"rank\": 0, \"top_indices\": [",
			             step, DS_FIRST_LAYER + l);
			o->n += (size_t)(p - start);
			for (unsigned long t = first; t < first + n; t++) {
				p = start = out_room(o);
				model_draw(&the_model, l, t >= tokens / 2, &s, ids);
				*p++ = '[';
				for (unsigned k = 0; k < TOPK; k++) {
					p = put_uint(p, ids[k]);
					if (k + 1 < TOPK) {
						*p++ = ',';
						*p++ = ' ';
					}
				}
				*p++ = ']';
				if (t + 1 < first + n) {
					*p++ = ',';
					*p++ = ' ';
				}
				o->n += (size_t)(p - start);
			}
			out_str(o, "]}\n");
		}
	}
	out_close(o);
}

/*
 * Logits in thousandths: a per-layer skew (expert of rank r: -1.000 - 3.000 r / 255) plus noise,
 * the sum of 4 uniform draws in [-0.800, 0.800]. The logged experts are the top 8 of the printed
 * values (softmax keeps the order), ties to the lower id, best first: what a router that reads
 * these very numbers would choose.
 */
static void gen_logits(const char *dir, unsigned long tokens)
{
	struct out *o = &the_out;
	uint64_t s = 0x5eed0109u;
	int bias[LOGIT_LAYERS][EXPERTS];

	for (unsigned l = 0; l < LOGIT_LAYERS; l++) {
		unsigned rank_of[EXPERTS];

		shuffle(rank_of, EXPERTS, &s);
		for (unsigned e = 0; e < EXPERTS; e++)
			bias[l][e] = -1000 - (int)(rank_of[e] * 3000 / 255);
	}
	out_open(o, dir, "logits.mlog");
	out_str(o, "#moestat v1 experts=256 topk=8 score=softmax fields=layer,experts,logits model=bench-logits\n"
	           "# SYNTHETIC: made by tests/bench/gen.c for make bench, not routing of a real model\n");
	for (unsigned long t = 0; t < tokens; t++) {
		for (unsigned l = 0; l < LOGIT_LAYERS; l++) {
			int v[EXPERTS], best[TOPK];
			unsigned nbest = 0;
			char *p, *start;

			for (unsigned e = 0; e < EXPERTS; e++) {
				uint64_t r = splitmix64(&s);
				int noise = 0;

				for (unsigned i = 0; i < 4; i++)
					noise += (int)(((r >> (16 * i) & 0xffff) * 1601) >> 16) - 800;
				v[e] = bias[l][e] + noise;
			}
			/* Insertion into the best 8 so far; strictly greater, so an equal value keeps the
			 * lower id in front. */
			for (unsigned e = 0; e < EXPERTS; e++) {
				unsigned i;

				if (nbest == TOPK && v[e] <= v[best[TOPK - 1]])
					continue;
				i = nbest < TOPK ? nbest++ : TOPK - 1;
				while (i > 0 && v[best[i - 1]] < v[e]) {
					best[i] = best[i - 1];
					i--;
				}
				best[i] = (int)e;
			}
			p = start = out_room(o);
			p = put_uint(p, l);
			*p++ = ' ';
			for (unsigned k = 0; k < TOPK; k++) {
				p = put_uint(p, (unsigned)best[k]);
				*p++ = k + 1 < TOPK ? ',' : ' ';
			}
			o->n += (size_t)(p - start);
			for (unsigned e = 0; e < EXPERTS; e++) {
				p = start = out_room(o);
				p = put_milli(p, v[e]);
				*p++ = e + 1 < EXPERTS ? ',' : '\n';
				o->n += (size_t)(p - start);
			}
		}
	}
	out_close(o);
}

static void gen_ds58gz(const char *dir)
{
	static char buf[1 << 20];
	char in_path[4096];
	FILE *in;
	gzFile gz;
	size_t n;

	snprintf(in_path, sizeof in_path, "%s/ds58.mlog", dir);
	snprintf(final_path, sizeof final_path, "%s/ds58.mlog.gz", dir);
	snprintf(tmp_path, sizeof tmp_path, "%s/ds58.mlog.gz.tmp", dir);
	in = fopen(in_path, "rb");
	if (!in)
		die(NULL, in_path);
	gz = gzopen(tmp_path, "wb6");
	if (!gz)
		die(NULL, tmp_path);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (gzwrite(gz, buf, (unsigned)n) != (int)n)
			die("gzwrite failed", tmp_path);
	if (ferror(in))
		die(NULL, in_path);
	fclose(in);
	if (gzclose(gz) != Z_OK)
		die("gzclose failed", tmp_path);
	if (rename(tmp_path, final_path) != 0)
		die(NULL, final_path);
}

int main(int argc, char **argv)
{
	const char *dir = "tests/bench/data";
	double scale = 1.0;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 >= argc)
			goto bad;
		if (!strcmp(argv[i], "-s"))
			scale = strtod(argv[i + 1], NULL);
		else if (!strcmp(argv[i], "-d"))
			dir = argv[i + 1];
		else
			goto bad;
	}
	if (i == argc || !(scale > 0 && scale <= 100))
		goto bad;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "ds58"))
			gen_ds58(dir, (unsigned long)(200000 * scale + 0.5));
		else if (!strcmp(argv[i], "ds58gz"))
			gen_ds58gz(dir);
		else if (!strcmp(argv[i], "logits"))
			gen_logits(dir, (unsigned long)(50000 * scale + 0.5));
		else if (!strcmp(argv[i], "megatron"))
			gen_megatron(dir, (unsigned long)(50000 * scale + 0.5));
		else
			goto bad;
	}
	return 0;
bad:
	fputs(usage, stderr);
	return 2;
}
