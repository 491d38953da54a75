/* jsonl.c: parser of JSON Lines logs (one object a line, one token or a batch), decoded with jansson. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "format.h"

/* The names loggers use for each role, tried in order; --key replaces them. */
static const char *const default_keys[MOE_ROLE_COUNT][6] = {
	[MOE_ROLE_LAYER] = { "layer", "layer_id" },
	[MOE_ROLE_TOKEN] = { "token", "token_idx", "token_pos" },
	[MOE_ROLE_EXPERTS] = { "experts", "topk_ids", "expert_ids", "selected_experts", "top_indices" },
	[MOE_ROLE_WEIGHTS] = { "weights", "gating_probs", "topk_weights" },
	[MOE_ROLE_LOGITS] = { "logits", "router_logits" },
	[MOE_ROLE_DOMAIN] = { "domain" },
};

struct jsonl {
	struct parser_env env;
	json_t *doc;                    /* the line being handed out */
	json_t *value[MOE_ROLE_COUNT];  /* its fields, borrowed from doc */
	size_t batch;                   /* tokens in the line; 0 = one token, not a list of lists */
	size_t next;                    /* the token to hand out next */
	unsigned layer;
	int domain;
	struct field_lists lists;
};

static void *jsonl_open(const struct parser_env *env)
{
	struct jsonl *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->env = *env;
	return p;
}

static void jsonl_close(void *parser)
{
	struct jsonl *p = parser;

	if (!p)
		return;
	json_decref(p->doc);
	field_lists_free(&p->lists);
	free(p);
}

static json_t *find_role(const struct jsonl *p, const json_t *obj, enum moe_role role)
{
	if (p->env.keys && p->env.keys[role])
		return json_object_get(obj, p->env.keys[role]);
	for (size_t i = 0; i < 6 && default_keys[role][i]; i++) {
		json_t *v = json_object_get(obj, default_keys[role][i]);
		if (v)
			return v;
	}
	return NULL;
}

static const char *role_key(const struct jsonl *p, enum moe_role role)
{
	return p->env.keys && p->env.keys[role] ? p->env.keys[role] : default_keys[role][0];
}

/* A header object: {"moestat": 1, "experts": 8, "topk": 2, "score": "softmax", "model": "..."}. */
static int parse_header(struct jsonl *p, json_t *obj, struct moe_shape *shape, struct moe_error *err)
{
	static const char *const counts[] = { "experts", "topk" };
	json_t *v;

	memset(shape, 0, sizeof *shape);
	v = json_object_get(obj, "moestat");
	if (!(json_is_integer(v) && json_integer_value(v) == 1) &&
	    !(json_is_string(v) && strcmp(json_string_value(v), "1") == 0))
		return format_fail(&p->env, err, PARSE_FATAL, "header: unsupported version (expected \"moestat\": 1)");
	for (size_t i = 0; i < 2; i++) {
		json_int_t n;

		v = json_object_get(obj, counts[i]);
		if (!v)
			continue;
		n = json_is_integer(v) ? json_integer_value(v) : 0;
		if (n < 1 || n > MOE_MAX_EXPERTS)
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: \"%s\" is not a whole number from 1 to %u", counts[i],
			                   MOE_MAX_EXPERTS);
		*(i == 0 ? &shape->experts : &shape->topk) = (unsigned)n;
	}
	if (shape->experts && shape->topk > shape->experts)
		return format_fail(&p->env, err, PARSE_FATAL, "header: topk %u is more than experts %u",
		                   shape->topk, shape->experts);
	v = json_object_get(obj, "score");
	if (v) {
		const char *s = json_string_value(v);
		if (!s || (strcmp(s, "softmax") != 0 && strcmp(s, "sigmoid") != 0))
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: \"score\" is neither \"softmax\" nor \"sigmoid\"");
		snprintf(shape->score, sizeof shape->score, "%s", s);
	}
	v = json_object_get(obj, "model");
	if (v) {
		const char *s = json_string_value(v);
		if (!s || strlen(s) >= sizeof shape->model)
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: \"model\" is not a string of at most %zu bytes",
			                   sizeof shape->model - 1);
		memcpy(shape->model, s, strlen(s) + 1);
	}
	return PARSE_HEADER;
}

/* Layer and domain apply to every token of the line. */
static int parse_line_fields(struct jsonl *p, struct moe_error *err)
{
	json_t *v = p->value[MOE_ROLE_LAYER];
	char text[32];

	p->layer = 0;
	if (v) {
		json_int_t n = json_integer_value(v);
		if (!json_is_integer(v) || n < 0 || n >= MOE_MAX_LAYERS)
			return format_fail(&p->env, err, PARSE_BAD,
			                   "\"%s\" is not a layer number from 0 to %u",
			                   role_key(p, MOE_ROLE_LAYER), MOE_MAX_LAYERS - 1);
		p->layer = (unsigned)n;
	}
	p->domain = -1;
	v = p->value[MOE_ROLE_DOMAIN];
	if (v && !json_is_null(v)) {
		const char *name = text;
		size_t len;

		if (json_is_string(v)) {
			name = json_string_value(v);
			len = json_string_length(v);
		} else if (json_is_integer(v)) {
			len = (size_t)snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else {
			return format_fail(&p->env, err, PARSE_BAD, "\"%s\" is not a string",
			                   role_key(p, MOE_ROLE_DOMAIN));
		}
		if (len == 0 || len >= MOE_MAX_NAME || memchr(name, '\0', len))
			return format_fail(&p->env, err, PARSE_BAD,
			                   "\"%s\" is empty, longer than %u bytes or holds a NUL",
			                   role_key(p, MOE_ROLE_DOMAIN), MOE_MAX_NAME - 1);
		p->domain = domains_intern(p->env.domains, name, len);
		if (p->domain < 0)
			return format_fail(&p->env, err, PARSE_FATAL, "more than %u domains", MOE_MAX_DOMAINS);
	}
	return 0;
}

/* The per-token fields must be lists, one item per token in a batch. */
static int check_shapes(struct jsonl *p, struct moe_error *err)
{
	static const enum moe_role listed[] = { MOE_ROLE_TOKEN, MOE_ROLE_WEIGHTS, MOE_ROLE_LOGITS };

	for (size_t i = 0; i < sizeof listed / sizeof *listed; i++) {
		enum moe_role role = listed[i];
		json_t *v = p->value[role];

		if (!v || (role == MOE_ROLE_TOKEN && !p->batch))
			continue;
		if (!json_is_array(v))
			return format_fail(&p->env, err, PARSE_BAD, "\"%s\" is not a list", role_key(p, role));
		if (p->batch && json_array_size(v) != p->batch)
			return format_fail(&p->env, err, PARSE_BAD,
			                   "\"%s\" has %zu items for a batch of %zu tokens", role_key(p, role),
			                   json_array_size(v), p->batch);
	}
	return 0;
}

/* Reads the next non-blank line into p->doc and finds its fields. */
static int read_line(struct jsonl *p, struct moe_shape *header, struct moe_error *err)
{
	json_error_t jerr;
	json_t *experts;
	char *line;
	size_t len;
	int rc;

	json_decref(p->doc);
	p->doc = NULL;
	for (;;) {
		rc = lines_next(p->env.lines, &line, &len, err);
		if (rc == LINES_END)
			return PARSE_END;
		if (rc == LINES_ERROR)
			return PARSE_FATAL;
		if (rc == LINES_TOO_LONG)
			return PARSE_BAD;
		while (len > 0 && (*line == ' ' || *line == '\t')) {
			line++;
			len--;
		}
		if (len > 0)
			break;
	}
	p->doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!p->doc)
		return format_fail(&p->env, err, PARSE_BAD, "invalid JSON: %s", jerr.text);
	if (!json_is_object(p->doc))
		return format_fail(&p->env, err, PARSE_BAD, "not a JSON object");
	if (json_object_get(p->doc, "moestat"))
		return parse_header(p, p->doc, header, err);
	for (int role = 0; role < MOE_ROLE_COUNT; role++) {
		p->value[role] = find_role(p, p->doc, (enum moe_role)role);
		if (json_is_null(p->value[role]))
			p->value[role] = NULL;
	}
	experts = p->value[MOE_ROLE_EXPERTS];
	if (!experts)
		return format_fail(&p->env, err, PARSE_BAD, "no expert list (no key \"%s\"%s)",
		                   role_key(p, MOE_ROLE_EXPERTS),
		                   p->env.keys && p->env.keys[MOE_ROLE_EXPERTS] ? "" :
		                   " nor topk_ids, expert_ids, selected_experts, top_indices");
	if (!json_is_array(experts))
		return format_fail(&p->env, err, PARSE_BAD, "\"%s\" is not a list",
		                   role_key(p, MOE_ROLE_EXPERTS));
	rc = parse_line_fields(p, err);
	if (rc < 0)
		return rc;
	/* A list of lists is a batch of tokens; a list of numbers is one token. */
	p->batch = json_is_array(json_array_get(experts, 0)) ? json_array_size(experts) : 0;
	p->next = 0;
	return check_shapes(p, err) < 0 ? PARSE_BAD : PARSE_RECORD;
}

/* The item of a per-token field for the token being handed out. */
static json_t *token_item(const struct jsonl *p, enum moe_role role)
{
	json_t *v = p->value[role];

	return v && p->batch ? json_array_get(v, p->next) : v;
}

static int parse_numbers(struct jsonl *p, enum moe_role role, json_t *list, struct moe_error *err)
{
	const char *key = role_key(p, role);
	const char *why = NULL;
	json_t *item;
	size_t i;

	if (!json_is_array(list))
		return format_fail(&p->env, err, PARSE_BAD, "\"%s\" of token %zu is not a list", key, p->next);
	json_array_foreach(list, i, item) {
		int rc;

		if (role == MOE_ROLE_EXPERTS) {
			json_int_t id = json_integer_value(item);
			if (!json_is_integer(item) || id < 0)
				return format_fail(&p->env, err, PARSE_BAD,
				                   "\"%s\" item %zu is not a non-negative integer", key, i);
			if (id >= MOE_MAX_EXPERTS)
				return format_fail(&p->env, err, PARSE_BAD,
				                   "expert id %" JSON_INTEGER_FORMAT " above the limit of %u",
				                   id, MOE_MAX_EXPERTS - 1);
			rc = field_push_expert(&p->lists, (uint32_t)id, &why);
		} else {
			if (!json_is_number(item))
				return format_fail(&p->env, err, PARSE_BAD, "\"%s\" item %zu is not a number",
				                   key, i);
			rc = role == MOE_ROLE_WEIGHTS ? field_push_weight(&p->lists, json_number_value(item), &why)
			                              : field_push_logit(&p->lists, json_number_value(item), &why);
		}
		if (rc == FIELD_NOMEM)
			return format_nomem(&p->env, err);
		if (rc < 0)
			return format_fail(&p->env, err, PARSE_BAD, "\"%s\": %s", key, why);
	}
	return 0;
}

/* Hands out token p->next of the current line. */
static int emit(struct jsonl *p, struct moe_record *rec, struct moe_error *err)
{
	static const enum moe_role lists[] = { MOE_ROLE_EXPERTS, MOE_ROLE_WEIGHTS, MOE_ROLE_LOGITS };
	json_t *token = token_item(p, MOE_ROLE_TOKEN);

	field_lists_clear(&p->lists);
	memset(rec, 0, sizeof *rec);
	rec->layer = p->layer;
	rec->domain = p->domain;
	rec->token = -1;
	if (token && !json_is_null(token)) {
		if (!json_is_integer(token) || json_integer_value(token) < 0)
			return format_fail(&p->env, err, PARSE_BAD, "\"%s\" is not a non-negative integer",
			                   role_key(p, MOE_ROLE_TOKEN));
		rec->token = json_integer_value(token);
	}
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
		json_t *v = token_item(p, lists[i]);
		if (v && parse_numbers(p, lists[i], v, err) < 0)
			return PARSE_BAD;
	}
	field_lists_to_record(&p->lists, p->value[MOE_ROLE_WEIGHTS] != NULL,
	                      p->value[MOE_ROLE_LOGITS] != NULL, rec);
	return PARSE_RECORD;
}

static int jsonl_next(void *parser, struct moe_record *rec, struct moe_shape *header,
                      struct moe_error *err)
{
	struct jsonl *p = parser;
	int rc;

	if (!p->doc || p->next >= (p->batch ? p->batch : 1)) {
		rc = read_line(p, header, err);
		if (rc != PARSE_RECORD) {
			/* Nothing more is handed out from a line that failed or was a header. */
			json_decref(p->doc);
			p->doc = NULL;
			return rc;
		}
	}
	rc = emit(p, rec, err);
	p->next++;
	return rc;
}

const struct parser_ops jsonl_parser = {
	.name = "jsonl",
	.open = jsonl_open,
	.next = jsonl_next,
	.close = jsonl_close,
};
