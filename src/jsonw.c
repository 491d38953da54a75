/* jsonw.c: JSON written into a buffer as the renderers walk their results, byte for byte what jansson's compact dump of the same values is. */
#include "jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void jsonw_init(struct jsonw *w, FILE *fp)
{
	w->fp = fp;
	w->depth = 0;
	w->first[0] = true;
	w->broken = false;
	w->len = 0;
}

static void flush(struct jsonw *w)
{
	if (w->len)
		fwrite(w->buf, 1, w->len, w->fp);
	w->len = 0;
}

/* Room for n more bytes (n <= sizeof buf). */
static char *room(struct jsonw *w, size_t n)
{
	if (w->len + n > sizeof w->buf)
		flush(w);
	return w->buf + w->len;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	while (n > 0) {
		size_t step = n < sizeof w->buf ? n : sizeof w->buf;

		memcpy(room(w, step), s, step);
		w->len += step;
		s += step;
		n -= step;
	}
}

static void put_char(struct jsonw *w, char c)
{
	*room(w, 1) = c;
	w->len++;
}

/* A string's bytes, escaped; invalid UTF-8 as U+FFFD. */
static void put_text(struct jsonw *w, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;

	put_char(w, '"');
	while (*s) {
		const unsigned char *run = s;

		while (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
			s++;
		put(w, (const char *)run, (size_t)(s - run));
		if (!*s)
			break;
		if (*s < 0x80) {
			static const char hex[] = "0123456789ABCDEF";
			char esc[6] = { '\\', 'u', '0', '0', hex[*s >> 4], hex[*s & 15] };
			const char *two = *s == '"' ? "\\\"" : *s == '\\' ? "\\\\" : *s == '\b' ? "\\b"
			                : *s == '\f' ? "\\f" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r"
			                : *s == '\t' ? "\\t" : NULL;

			if (two)
				put(w, two, 2);
			else
				put(w, esc, sizeof esc);
			s++;
			continue;
		}
		/* A sequence of 2 to 4 bytes: its lead says how long, and the range
		 * of its second byte rules out overlong forms, surrogates and code
		 * points past U+10FFFF (RFC 3629). */
		unsigned lead = *s, n = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3
		                       : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
		unsigned lo = lead == 0xe0 ? 0xa0 : lead == 0xf0 ? 0x90 : 0x80;
		unsigned hi = lead == 0xed ? 0x9f : lead == 0xf4 ? 0x8f : 0xbf;
		unsigned i = 1;

		if (n && s[1] >= lo && s[1] <= hi)
			for (i = 2; i < n && s[i] >= 0x80 && s[i] <= 0xbf; i++)
				;
		if (n && i == n) {
			put(w, (const char *)s, n);
			s += n;
		} else {
			put(w, "\xef\xbf\xbd", 3);
			s++;
		}
	}
	put_char(w, '"');
}

/* The comma before a value, and its key. */
static void start_value(struct jsonw *w, const char *key)
{
	if (!w->first[w->depth])
		put_char(w, ',');
	w->first[w->depth] = false;
	if (key) {
		put_text(w, key);
		put_char(w, ':');
	}
}

static void open_nested(struct jsonw *w, const char *key, char c, char closer)
{
	start_value(w, key);
	put_char(w, c);
	if (w->depth == JSONW_DEPTH) {
		w->broken = true;
		return;
	}
	w->first[++w->depth] = true;
	w->closer[w->depth] = closer;
}

void jsonw_object(struct jsonw *w, const char *key)
{
	open_nested(w, key, '{', '}');
}

void jsonw_array(struct jsonw *w, const char *key)
{
	open_nested(w, key, '[', ']');
}

void jsonw_end(struct jsonw *w)
{
	if (w->depth == 0) {
		w->broken = true;
		return;
	}
	put_char(w, w->closer[w->depth--]);
}

void jsonw_string(struct jsonw *w, const char *key, const char *s)
{
	start_value(w, key);
	if (s)
		put_text(w, s);
	else
		put(w, "null", 4);
}

void jsonw_int(struct jsonw *w, const char *key, int64_t x)
{
	start_value(w, key);
	w->len += (size_t)snprintf(room(w, 24), 24, "%" PRId64, x);
}

void jsonw_uint(struct jsonw *w, const char *key, uint64_t x)
{
	char digits[24], *p = digits + sizeof digits;

	start_value(w, key);
	do
		*--p = (char)('0' + x % 10);
	while ((x /= 10) > 0);
	put(w, p, (size_t)(digits + sizeof digits - p));
}

void jsonw_real(struct jsonw *w, const char *key, double x)
{
	char text[40], *e;
	int n;

	start_value(w, key);
	if (!isfinite(x)) {
		put(w, "null", 4);
		return;
	}
	n = snprintf(text, sizeof text, "%.17g", x);
	/* As jansson: a point or an exponent, so that it reads back as a real. */
	if (!strchr(text, '.') && !strchr(text, 'e')) {
		memcpy(text + n, ".0", 3);
		n += 2;
	}
	/* And the exponent without '+' and leading zeros: "1e-05" is "1e-5". */
	if ((e = strchr(text, 'e'))) {
		char *digits = e + 1 + (e[1] == '-'), *from = e + 2;

		while (*from == '0')
			from++;
		if (from != digits) {
			memmove(digits, from, (size_t)(text + n + 1 - from));
			n -= (int)(from - digits);
		}
	}
	put(w, text, (size_t)n);
}

void jsonw_bool(struct jsonw *w, const char *key, bool b)
{
	start_value(w, key);
	if (b)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jsonw_null(struct jsonw *w, const char *key)
{
	start_value(w, key);
	put(w, "null", 4);
}

int jsonw_finish(struct jsonw *w)
{
	put_char(w, '\n');
	flush(w);
	return w->broken || w->depth != 0 ? -1 : 0;
}
