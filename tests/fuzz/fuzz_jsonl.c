/* fuzz_jsonl.c: libFuzzer target: the bytes as a JSON Lines file, read by the scanner and by jansson alone (any difference aborts), then by the reader. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domains.h"
#include "format.h"
#include "fuzz.h"
#include "jsonl.h"
#include "lines.h"
#include "source.h"

/* --key settings each input is read with: none, Megatron's names, and one-letter names. */
static const char *const keys_megatron[MOE_ROLE_COUNT] = {
	[MOE_ROLE_EXPERTS] = "top_indices", [MOE_ROLE_TOKEN] = "step", [MOE_ROLE_DOMAIN] = "dataset",
};
static const char *const keys_short[MOE_ROLE_COUNT] = {
	[MOE_ROLE_LAYER] = "l", [MOE_ROLE_TOKEN] = "t", [MOE_ROLE_EXPERTS] = "e",
	[MOE_ROLE_WEIGHTS] = "w", [MOE_ROLE_LOGITS] = "x", [MOE_ROLE_DOMAIN] = "d",
};
static const char *const *const key_sets[] = { NULL, keys_megatron, keys_short };

struct side {
	struct source *src;
	struct lines *lines;
	struct domains *domains;
	struct mlog_carry mlog;
	void *parser;
};

static void differ(const char *what, long line)
{
	fuzz_fail("line %ld: %s differ between jansson and the scanner", line, what);
}

static void side_open(struct side *s, const char *path, const char *const *keys, bool scanner)
{
	struct parser_env env;
	struct moe_error err;

	memset(s, 0, sizeof *s);
	s->src = source_open(path, &err);
	s->lines = s->src ? lines_open(s->src) : NULL;
	s->domains = domains_new();
	if (!s->lines || !s->domains)
		differ("the opening", 0);
	s->mlog.domain = -1;
	env.lines = s->lines;
	env.domains = s->domains;
	env.keys = keys;
	env.mlog = &s->mlog;
	jsonl_set_scanner(scanner);
	s->parser = jsonl_parser.open(&env);
	jsonl_set_scanner(true);
	if (!s->parser)
		differ("the opening", 0);
}

static void side_close(struct side *s)
{
	jsonl_parser.close(s->parser);
	lines_close(s->lines);
	source_close(s->src);
	domains_free(s->domains);
}

static bool same_reals(const double *a, size_t na, const double *b, size_t nb)
{
	return (a == NULL) == (b == NULL) && na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

static void diff_file(const char *path, const char *const *keys)
{
	struct side ref, fast;

	side_open(&ref, path, keys, false);
	side_open(&fast, path, keys, true);
	for (;;) {
		struct moe_record a, b;
		struct moe_shape ha, hb;
		struct moe_error ea, eb;
		long line;
		int ra, rb;

		memset(&ea, 0, sizeof ea);
		memset(&eb, 0, sizeof eb);
		ra = jsonl_parser.next(ref.parser, &a, &ha, &ea);
		rb = jsonl_parser.next(fast.parser, &b, &hb, &eb);
		line = lines_number(ref.lines);
		if (ra != rb || line != lines_number(fast.lines))
			differ("return codes", line);
		if (ra == PARSE_END)
			break;
		if (ra == PARSE_HEADER) {
			if (ha.experts != hb.experts || ha.topk != hb.topk || strcmp(ha.score, hb.score) != 0 ||
			    strcmp(ha.model, hb.model) != 0)
				differ("headers", line);
		} else if (ra < 0) {
			if (ea.status != eb.status || ea.line != eb.line || strcmp(ea.file, eb.file) != 0 ||
			    strcmp(ea.msg, eb.msg) != 0)
				differ("errors", line);
			/* A bad header or too many domains is fatal to a run, not to the parser;
			 * anything else (out of memory, a read error) ends the file. */
			if (ra == PARSE_FATAL && ea.status != EX_DATAERR)
				break;
		} else {
			if (a.layer != b.layer || a.token != b.token || a.domain != b.domain || a.k != b.k ||
			    (a.k && memcmp(a.experts, b.experts, a.k * sizeof *a.experts) != 0))
				differ("records", line);
			if (a.domain >= 0 && strcmp(domains_name(ref.domains, a.domain),
			                            domains_name(fast.domains, b.domain)) != 0)
				differ("domains", line);
			if (!same_reals(a.weights, a.nweights, b.weights, b.nweights) ||
			    !same_reals(a.logits, a.nlogits, b.logits, b.nlogits))
				differ("weights or logits", line);
		}
	}
	if (domains_count(ref.domains) != domains_count(fast.domains))
		differ("domain tables", 0);
	side_close(&ref);
	side_close(&fast);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file(data, size);

	for (size_t i = 0; i < sizeof key_sets / sizeof *key_sets; i++)
		diff_file(path, key_sets[i]);
	fuzz_read(path, MOE_FORMAT_JSONL);
	return 0;
}
