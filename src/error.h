/* error.h: the error every stage fills instead of printing: an exit status and "FILE:LINE: message". */
#ifndef MOESTAT_ERROR_H
#define MOESTAT_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <sysexits.h>

struct moe_error {
	int status;             /* an EX_* value from <sysexits.h>; 0 while no error */
	char file[1024];        /* input name as the user gave it, "" when none */
	long line;              /* 1-based line number, 0 when the error has no line */
	char msg[512];          /* one line: control characters are escaped C-style */
};

/* Records an error; the message is lowercase without a final period. */
void moe_error_set(struct moe_error *err, int status, const char *file, long line,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

void moe_error_vset(struct moe_error *err, int status, const char *file, long line,
                    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* "FILE:LINE: message", "FILE: message" or "message" into buf. */
void moe_error_format(const struct moe_error *err, char *buf, size_t size);

#endif
