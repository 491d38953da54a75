/* error.c: filling and formatting struct moe_error. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void moe_error_vset(struct moe_error *err, int status, const char *file, long line,
                    const char *fmt, va_list ap)
{
	err->status = status;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
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
