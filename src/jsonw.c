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

#ifdef __SIZEOF_INT128__
/* floor(x 10^p) of x = m 2^e, and whether x 10^p rounds up from it, to the
 * nearest and to the even on a tie, as printf rounds: false when it does not
 * fit the 128 bits this takes. */
static bool scaled(uint64_t m, int e, int p, uint64_t *floor_part, bool *up)
{
	static const uint64_t five[28] = {
		1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625, 48828125, 244140625,
		1220703125, 6103515625, 30517578125, 152587890625, 762939453125, 3814697265625,
		19073486328125, 95367431640625, 476837158203125, 2384185791015625, 11920928955078125,
		59604644775390625, 298023223876953125, 1490116119384765625, 7450580596923828125,
	};
	unsigned __int128 n;

	if (p >= 0) {
		/* m 5^p 2^(e+p): 5^p fits when p <= 27, the product when p <= 32. */
		int s = e + p;

		if (p > 32)
			return false;
		n = (unsigned __int128)m * five[p > 27 ? 27 : p];
		for (int i = 27; i < p; i++)
			n *= 5;
		if (s >= 0) {
			if (s >= 64 || (n >> (64 - s)) != 0)
				return false;
			*floor_part = (uint64_t)(n << s);
			*up = false;
			return true;
		}
		if (-s >= 128)
			return false;
		unsigned __int128 rest = n & (((unsigned __int128)1 << -s) - 1), half = (unsigned __int128)1 << (-s - 1);

		n >>= -s;
		if (n >> 64)
			return false;
		*floor_part = (uint64_t)n;
		*up = rest > half || (rest == half && (n & 1));
		return true;
	}
	/* m 2^(e-q) / 5^q, q = -p: an odd divisor has no tie. */
	int q = -p;

	if (q > 27 || e - q < 0 || e - q > 74)
		return false;
	n = (unsigned __int128)m << (e - q);
	unsigned __int128 quotient = n / five[q];

	if (quotient >> 64)
		return false;
	*floor_part = (uint64_t)quotient;
	*up = 2 * (n - quotient * five[q]) > five[q];
	return true;
}

/* C's %.17g of x (finite) into text, worked out exactly in integers: its
 * length, or 0 for an x too small or too big for scaled (below 10^-16, from
 * 10^44 on: printf's then). The same text as printf's in a tenth of its
 * instructions: summarize's JSON of a DeepSeek-V3-shaped model holds 31,000
 * reals, written after the last record is read. */
static int g17(char *text, double x)
{
	static const uint64_t lowest = 10000000000000000u;      /* 10^16 */
	uint64_t bits, m, digits;
	char d[17], *t = text;
	int e, exp10, point;
	bool up;

	memcpy(&bits, &x, sizeof bits);
	if (bits >> 63) {
		*t++ = '-';
		bits &= ~((uint64_t)1 << 63);
	}
	if (bits == 0) {
		*t++ = '0';
		return (int)(t - text);
	}
	if ((bits >> 52) == 0)
		return 0;       /* subnormal */
	m = (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
	e = (int)(bits >> 52) - 1075;
	/* x is in [2^(e+52), 2^(e+53)): its decimal exponent is this or one more. */
	exp10 = (int)floor((e + 52) * 0.30102999566398120);
	for (int tries = 0;; tries++) {
		if (tries == 3 || !scaled(m, e, 16 - exp10, &digits, &up))
			return 0;
		if (digits >= 10 * lowest)
			exp10++;
		else if (digits < lowest)
			exp10--;
		else
			break;
	}
	if ((digits += up) == 10 * lowest) {
		digits = lowest;
		exp10++;
	}
	for (int i = 16; i >= 0; i--, digits /= 10)
		d[i] = (char)('0' + digits % 10);
	int last = 16;

	while (last > 0 && d[last] == '0')
		last--;
	if (exp10 < -4 || exp10 >= 17) {
		*t++ = d[0];
		if (last > 0) {
			*t++ = '.';
			memcpy(t, d + 1, (size_t)last);
			t += last;
		}
		t += sprintf(t, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
		return (int)(t - text);
	}
	if (exp10 < 0) {
		memcpy(t, "0.0000", (size_t)(1 - exp10));
		t += 1 - exp10;
		memcpy(t, d, (size_t)last + 1);
		return (int)(t + last + 1 - text);
	}
	point = exp10 + 1;
	memcpy(t, d, (size_t)point);
	t += point;
	if (last >= point) {
		*t++ = '.';
		memcpy(t, d + point, (size_t)(last + 1 - point));
		t += last + 1 - point;
	}
	return (int)(t - text);
}
#else
static int g17(char *text, double x)
{
	(void)text;
	(void)x;
	return 0;
}
#endif

void jsonw_real(struct jsonw *w, const char *key, double x)
{
	char text[40], *e;
	int n;

	start_value(w, key);
	if (!isfinite(x)) {
		put(w, "null", 4);
		return;
	}
	if (!(n = g17(text, x)))
		n = snprintf(text, sizeof text, "%.17g", x);
	text[n] = '\0';
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
