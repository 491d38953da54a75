/* error.c: filling and formatting struct moe_error. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Writes the control characters of raw C-style ("\\n", "\\x1b"): a message quotes
 * the input, where a CSV field may span lines and a binary log holds anything,
 * and it must stay one line that sends the terminal nothing. */
static void escape_controls(char *out, size_t size, const char *raw)
{
	size_t n = 0;

	for (; *raw; raw++) {
		unsigned char c = (unsigned char)*raw;
		char esc[5];
		size_t len = 1;

		esc[0] = (char)c;
		if (c == '\n' || c == '\r' || c == '\t')
			len = (size_t)snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		else if (c < 0x20 || c == 0x7f)
			len = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
		if (n + len >= size)
			break;
		memcpy(out + n, esc, len);
		n += len;
	}
	out[n] = '\0';
}

void moe_error_vset(struct moe_error *err, int status, const char *file, long line,
                    const char *fmt, va_list ap)
{
	char raw[sizeof err->msg];

	err->status = status;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	vsnprintf(raw, sizeof raw, fmt, ap);
	escape_controls(err->msg, sizeof err->msg, raw);
}

void moe_error_set(struct moe_error *err, int status, const char *file, long line,
                   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	moe_error_vset(err, status, file, line, fmt, ap);
	va_end(ap);
}

void moe_error_format(const struct moe_error *err, char *buf, size_t size)
{
	if (err->file[0] && err->line > 0)
		snprintf(buf, size, "%s:%ld: %s", err->file, err->line, err->msg);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, err->msg);
	else
		snprintf(buf, size, "%s", err->msg);
}
