/* format.c: what the parsers share: format and role names, sniffing, the error helper. */
#include "format.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

static const char *const format_names[] = {
	[MOE_FORMAT_AUTO] = "auto",
	[MOE_FORMAT_MLOG] = "mlog",
	[MOE_FORMAT_JSONL] = "jsonl",
	[MOE_FORMAT_CSV] = "csv",
	[MOE_FORMAT_STEPS] = "steps",
};

static const char *const role_names[MOE_ROLE_COUNT] = {
	[MOE_ROLE_LAYER] = "layer",
	[MOE_ROLE_TOKEN] = "token",
	[MOE_ROLE_EXPERTS] = "experts",
	[MOE_ROLE_WEIGHTS] = "weights",
	[MOE_ROLE_LOGITS] = "logits",
	[MOE_ROLE_DOMAIN] = "domain",
};

const struct parser_ops *format_parser(enum moe_format format)
{
	switch (format) {
	case MOE_FORMAT_MLOG:
		return &mlog_parser;
	case MOE_FORMAT_JSONL:
		return &jsonl_parser;
	case MOE_FORMAT_CSV:
		return &csv_parser;
	case MOE_FORMAT_STEPS:
		return &steps_parser;
	default:
		return NULL;
	}
}

enum moe_format format_sniff(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len)
		return MOE_FORMAT_AUTO;
	if (line[i] == '#' || isdigit((unsigned char)line[i]))
		return MOE_FORMAT_MLOG;
	if (line[i] == '{')
		return MOE_FORMAT_JSONL;
	if (line[i] == '[')
		return MOE_FORMAT_STEPS;
	return MOE_FORMAT_CSV;
}

const char *format_name(enum moe_format format)
{
	return format_names[format];
}

int format_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++)
		if (strcmp(name, format_names[i]) == 0)
			return (int)i;
	return -1;
}

int format_role_from_name(const char *name)
{
	for (int i = 0; i < MOE_ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return i;
	return -1;
}

const char *format_role_name(enum moe_role role)
{
	return role_names[role];
}

int format_fail(const struct parser_env *env, struct moe_error *err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	moe_error_vset(err, EX_DATAERR, lines_name(env->lines), lines_number(env->lines), fmt, ap);
	va_end(ap);
	return rc;
}

int format_nomem(const struct parser_env *env, struct moe_error *err)
{
	moe_error_set(err, EX_OSERR, lines_name(env->lines), lines_number(env->lines), "out of memory");
	return PARSE_FATAL;
}
