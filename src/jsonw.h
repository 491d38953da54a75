/* jsonw.h: a JSON document written out as it is made: compact, keys in the order given, reals to 17 significant digits. */
#ifndef MOESTAT_JSONW_H
#define MOESTAT_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The deepest nesting of objects and arrays a document may have. */
#define JSONW_DEPTH 32

/* The writer: on the caller's stack, no memory of its own; its fields are
 * not for the caller. */
struct jsonw {
	FILE *fp;
	size_t depth;
	bool first[JSONW_DEPTH + 1];    /* nothing written yet in the open object or array */
	char closer[JSONW_DEPTH + 1];   /* what ends it: '}' or ']' */
	bool broken;                    /* nesting past JSONW_DEPTH, or an end without a start */
	size_t len;
	char buf[16384];
};

/* Starts a document on fp. */
void jsonw_init(struct jsonw *w, FILE *fp);

/* Each value takes a key inside an object and NULL inside an array or at the
 * top. Text is written as UTF-8 with '"', '\\' and the control characters
 * escaped as jansson does; a byte that is not part of valid UTF-8 is written
 * as U+FFFD, so that the document is valid JSON whatever the bytes; NULL is
 * null. A real is written as jansson writes it at 17 significant digits
 * (C's %.17g, then ".0" where it would read as an integer, and its exponent
 * without '+' and leading zeros); one that is not finite (NAN) is null. */
void jsonw_object(struct jsonw *w, const char *key);
void jsonw_array(struct jsonw *w, const char *key);
void jsonw_end(struct jsonw *w);        /* of the innermost object or array */
void jsonw_string(struct jsonw *w, const char *key, const char *s);
void jsonw_int(struct jsonw *w, const char *key, int64_t x);
void jsonw_uint(struct jsonw *w, const char *key, uint64_t x);
void jsonw_real(struct jsonw *w, const char *key, double x);
void jsonw_bool(struct jsonw *w, const char *key, bool b);
void jsonw_null(struct jsonw *w, const char *key);

/* Ends the document with a newline and hands what is buffered to fp: 0, or
 * -1 when the document was not well nested (a bug of the caller's). Write
 * errors are fp's (ferror). */
int jsonw_finish(struct jsonw *w);

#endif
