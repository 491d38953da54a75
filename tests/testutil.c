/* testutil.c: the unit tests' fixtures. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

char *tu_temp_file(const void *bytes, size_t len)
{
	char *path = strdup("/tmp/moestat-test-XXXXXX");
	int fd;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	return path;
}

static size_t deflate_member(const char *text, size_t len, unsigned char *out, size_t cap)
{
	z_stream z = { 0 };

	ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return cap - z.avail_out;
}

char *tu_temp_gzip(const char *text, int split)
{
	size_t cap = 2 * strlen(text) + 1024, used = 0;
	unsigned char *out = malloc(cap);
	char *path;

	ck_assert_ptr_nonnull(out);
	for (;;) {
		size_t n = split ? strcspn(text, "|") : strlen(text);
		used += deflate_member(text, n, out + used, cap - used);
		text += n;
		if (!*text)
			break;
		text++;
	}
	path = tu_temp_file(out, used);
	free(out);
	return path;
}

void tu_parse_open(struct tu_parse *t, const struct parser_ops *ops, const char *text,
                   const char *const *keys)
{
	tu_parse_open_bytes(t, ops, text, strlen(text), keys);
}

void tu_parse_open_bytes(struct tu_parse *t, const struct parser_ops *ops, const char *bytes,
                         size_t len, const char *const *keys)
{
	struct parser_env env;

	memset(t, 0, sizeof *t);
	t->path = tu_temp_file(bytes, len);
	t->src = source_open(t->path, &t->err);
	ck_assert_ptr_nonnull(t->src);
	t->lines = lines_open(t->src);
	t->domains = domains_new();
	env.lines = t->lines;
	env.domains = t->domains;
	env.keys = keys;
	t->mlog.domain = -1;
	env.mlog = &t->mlog;
	t->ops = ops;
	t->parser = ops->open(&env);
	ck_assert_ptr_nonnull(t->parser);
}

int tu_parse_next(struct tu_parse *t, struct moe_record *rec)
{
	return t->ops->next(t->parser, rec, &t->header, &t->err);
}

void tu_parse_close(struct tu_parse *t)
{
	t->ops->close(t->parser);
	lines_close(t->lines);
	source_close(t->src);
	domains_free(t->domains);
	unlink(t->path);
	free(t->path);
}

void tu_assert_experts(const struct moe_record *rec, const unsigned *ids, size_t k)
{
	ck_assert_uint_eq(rec->k, k);
	for (size_t i = 0; i < k; i++)
		ck_assert_uint_eq(rec->experts[i], ids[i]);
}

uint64_t tu_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}
