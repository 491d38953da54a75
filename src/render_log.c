/* render_log.c: one record a line, formatted into a buffer and handed to the writer. */
#include "render_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void render_log_init(struct render_log *w, struct writer *out, enum render_log_format format)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->format = format;
	w->domain = -1;
}

void render_log_free(struct render_log *w)
{
	free(w->line);
	w->line = NULL;
}

static char *put_str(char *s, const char *text)
{
	size_t n = strlen(text);

	memcpy(s, text, n);
	return s + n;
}

static char *put_uint(char *s, unsigned long long v)
{
	char digits[24];
	size_t n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		*s++ = digits[--n];
	return s;
}

/* The shortest of %.15g, %.16g and %.17g that reads back as x: every double
 * survives the trip through text, and the common short ones stay short. */
static char *put_double(char *s, double x)
{
	for (int precision = 15;; precision++) {
		int n = snprintf(s, 32, "%.*g", precision, x);

		if (precision == 17 || strtod(s, NULL) == x)
			return s + n;
	}
}

static char *put_list_uint(char *s, const uint32_t *v, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			s = put_str(s, sep);
		s = put_uint(s, v[i]);
	}
	return s;
}

static char *put_list_double(char *s, const double *v, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			s = put_str(s, sep);
		s = put_double(s, v[i]);
	}
	return s;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static char *put_json_string(char *s, const char *text)
{
	*s++ = '"';
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (*c == '"' || *c == '\\') {
			*s++ = '\\';
			*s++ = (char)*c;
		} else if (*c < 0x20) {
			s += sprintf(s, "\\u%04x", *c);
		} else {
			*s++ = (char)*c;
		}
	}
	*s++ = '"';
	return s;
}

#define MODEL_WITH_SPACE "the model name holds white space, which an mlog header cannot (--to jsonl can)"

static bool has_space(const char *s)
{
	return strpbrk(s, " \t\r\n\v\f") != NULL;
}

/* Room for the longest text of rec, and of a header. */
static int reserve(struct render_log *w, const struct moe_record *rec)
{
	/* An id is at most 5 digits, a double 24 characters; a name 255 bytes, 6
	 * each when escaped; separators and keys take the rest. */
	size_t need = 4096 + 8 * rec->k + 32 * (rec->nweights + rec->nlogits) + 6 * 2 * MOE_MAX_NAME;
	char *line;

	if (need <= w->cap)
		return 0;
	line = realloc(w->line, need);
	if (!line)
		return -1;
	w->line = line;
	w->cap = need;
	return 0;
}

static bool experts_known(const struct moe_input *in)
{
	return in->experts_from == EXPERTS_FROM_HEADER || in->experts_from == EXPERTS_FROM_OPTION;
}

static char *mlog_header(struct render_log *w, char *s, const struct moe_input *in)
{
	s = put_str(s, "#moestat v1");
	if (experts_known(in))
		s = put_uint(put_str(s, " experts="), in->experts);
	if (in->header.topk)
		s = put_uint(put_str(s, " topk="), in->header.topk);
	if (in->header.score[0])
		s = put_str(put_str(s, " score="), in->header.score);
	s = put_str(s, " fields=layer");
	if (w->token)
		s = put_str(s, ",token");
	s = put_str(s, ",experts");
	if (w->weights)
		s = put_str(s, ",weights");
	if (w->logits)
		s = put_str(s, ",logits");
	if (in->header.model[0])
		s = put_str(put_str(s, " model="), in->header.model);
	return put_str(s, "\n");
}

static char *jsonl_header(char *s, const struct moe_input *in)
{
	s = put_str(s, "{\"moestat\": 1");
	if (experts_known(in))
		s = put_uint(put_str(s, ", \"experts\": "), in->experts);
	if (in->header.topk)
		s = put_uint(put_str(s, ", \"topk\": "), in->header.topk);
	if (in->header.score[0])
		s = put_json_string(put_str(s, ", \"score\": "), in->header.score);
	if (in->header.model[0])
		s = put_json_string(put_str(s, ", \"model\": "), in->header.model);
	return put_str(s, "}\n");
}

static char *mlog_record(struct render_log *w, char *s, const struct moe_record *rec)
{
	s = put_uint(s, rec->layer);
	if (w->token)
		s = put_uint(put_str(s, " "), (unsigned long long)rec->token);
	s = put_list_uint(put_str(s, " "), rec->experts, rec->k, ",");
	if (w->weights)
		s = put_list_double(put_str(s, " "), rec->weights, rec->nweights, ",");
	if (w->logits)
		s = put_list_double(put_str(s, " "), rec->logits, rec->nlogits, ",");
	return put_str(s, "\n");
}

static char *jsonl_record(struct render_log *w, char *s, const struct moe_record *rec,
                          const char *domain)
{
	s = put_uint(put_str(s, "{\"layer\": "), rec->layer);
	if (w->token)
		s = put_uint(put_str(s, ", \"token\": "), (unsigned long long)rec->token);
	s = put_str(put_list_uint(put_str(s, ", \"experts\": ["), rec->experts, rec->k, ", "), "]");
	if (w->weights)
		s = put_str(put_list_double(put_str(s, ", \"weights\": ["), rec->weights, rec->nweights,
		                            ", "), "]");
	if (w->logits)
		s = put_str(put_list_double(put_str(s, ", \"logits\": ["), rec->logits, rec->nlogits,
		                            ", "), "]");
	if (domain)
		s = put_json_string(put_str(s, ", \"domain\": "), domain);
	return put_str(s, "}\n");
}

/* Whether rec has the columns of the first record; *why says what differs. */
static bool same_columns(const struct render_log *w, const struct moe_record *rec, const char **why)
{
	if ((rec->token >= 0) != w->token)
		*why = w->token ? "a record without a token after records with one"
		                : "a record with a token after records without one";
	else if (!!rec->weights != w->weights)
		*why = w->weights ? "a record without weights after records with them"
		                  : "a record with weights after records without them";
	else if (!!rec->logits != w->logits)
		*why = w->logits ? "a record without logits after records with them"
		                 : "a record with logits after records without them";
	else
		return true;
	return false;
}

int render_log_record(struct render_log *w, const struct moe_record *rec,
                      const struct moe_input *in, const char **why)
{
	const char *domain = rec->domain >= 0 ? domains_name(in->domains, rec->domain) : NULL;
	bool mlog = w->format == RENDER_LOG_MLOG;
	char *s;

	if (reserve(w, rec) < 0)
		return RENDER_LOG_NOMEM;
	s = w->line;
	if (!w->started) {
		w->token = rec->token >= 0;
		w->weights = rec->weights != NULL;
		w->logits = rec->logits != NULL;
		if (mlog && has_space(in->header.model)) {
			*why = MODEL_WITH_SPACE;
			return RENDER_LOG_MISFIT;
		}
		s = mlog ? mlog_header(w, s, in) : jsonl_header(s, in);
		w->started = true;
	} else if (!same_columns(w, rec, why)) {
		return RENDER_LOG_MISFIT;
	}
	if (mlog && rec->domain != w->domain) {
		if (!domain) {
			*why = "a record without a domain after records with one, which mlog cannot say "
			       "(--to jsonl can)";
			return RENDER_LOG_MISFIT;
		}
		if (has_space(domain)) {
			*why = "a domain name with white space, which mlog cannot hold (--to jsonl can)";
			return RENDER_LOG_MISFIT;
		}
		s = put_str(put_str(put_str(s, "#domain "), domain), "\n");
	}
	w->domain = rec->domain;
	s = mlog ? mlog_record(w, s, rec) : jsonl_record(w, s, rec, domain);
	return writer_write(w->out, w->line, (size_t)(s - w->line)) < 0 ? RENDER_LOG_WRITE : 0;
}

int render_log_finish(struct render_log *w, const struct moe_input *in, const char **why)
{
	static const struct moe_record none = { .token = -1, .domain = -1 };
	bool mlog = w->format == RENDER_LOG_MLOG;
	char *s;

	if (w->started)
		return 0;
	if (reserve(w, &none) < 0)
		return RENDER_LOG_NOMEM;
	if (mlog && has_space(in->header.model)) {
		*why = MODEL_WITH_SPACE;
		return RENDER_LOG_MISFIT;
	}
	s = mlog ? mlog_header(w, w->line, in) : jsonl_header(w->line, in);
	w->started = true;
	return writer_write(w->out, w->line, (size_t)(s - w->line)) < 0 ? RENDER_LOG_WRITE : 0;
}
