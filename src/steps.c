/* steps.c: streaming parser of step traces: a JSON list of steps mapping layer ids to each token's expert ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "format.h"

#define STEPS_SHOWN 32                  /* bytes of a value quoted in a message */

/* Where the parser stands between two tokens of the document. */
enum steps_state {
	STEPS_TOP,                      /* before a document, or after one */
	STEPS_DOC,                      /* after a document's '[' */
	STEPS_DOC_COMMA,
	STEPS_DOC_MORE,                 /* after a step */
	STEPS_STEP,                     /* after a step's '{' */
	STEPS_STEP_COMMA,
	STEPS_STEP_MORE,                /* after a layer's value */
	STEPS_LAYER,                    /* after the '[' of a layer's tokens */
	STEPS_LAYER_COMMA,
	STEPS_LAYER_MORE,               /* after a token */
	STEPS_BROKEN,
};

/* What each state expects, for "expected X, found Y". */
static const char *const steps_expected[] = {
	[STEPS_TOP] = "'[' to start the list of steps",
	[STEPS_DOC] = "'{' (a step) or ']'",
	[STEPS_DOC_COMMA] = "'{' (a step) after ','",
	[STEPS_DOC_MORE] = "',' or ']' after a step",
	[STEPS_STEP] = "a layer key (a string) or '}'",
	[STEPS_STEP_COMMA] = "a layer key (a string) after ','",
	[STEPS_STEP_MORE] = "',' or '}' after a layer",
	[STEPS_LAYER] = "'[' (a token) or ']'",
	[STEPS_LAYER_COMMA] = "'[' (a token) after ','",
	[STEPS_LAYER_MORE] = "',' or ']' after a token",
	[STEPS_BROKEN] = "nothing",
};

enum steps_kind {
	STEPS_TOK_EOF,
	STEPS_TOK_PUNCT,                      /* one of []{}:, */
	STEPS_TOK_STRING,                     /* text is the raw bytes between the quotes */
	STEPS_TOK_NUMBER,
	STEPS_TOK_WORD,                       /* a run of letters: null, true, false or garbage */
	STEPS_TOK_OTHER,                      /* any other byte */
};

struct steps_tok {
	enum steps_kind kind;
	const char *text;
	size_t len;
	bool escaped;                   /* a string holding a backslash */
};

struct steps {
	struct parser_env env;
	enum steps_state state;
	bool seen_doc;
	const char *pos, *end;          /* the unread part of the current line */
	unsigned layer;
	const char *key_why;            /* why the current layer key is bad, NULL when it is good */
	char key[STEPS_SHOWN + 1];      /* the current layer key, for messages */
	bool layer_empty;               /* no token yet under the current key */
	struct field_lists lists;
};

static void *steps_open(const struct parser_env *env)
{
	struct steps *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->env = *env;
	return p;
}

static void steps_close(void *parser)
{
	struct steps *p = parser;

	if (!p)
		return;
	field_lists_free(&p->lists);
	free(p);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int shown(size_t len)
{
	return (int)(len > STEPS_SHOWN ? STEPS_SHOWN : len);
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool steps_is_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && is_digit(s[i]))
		while (i < n && is_digit(s[i]))
			i++;
	else
		return false;
	if (i < n && s[i] == '.') {
		if (++i == n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i == n;
}

/* A string from just after its opening quote; a JSON string cannot hold a raw
 * newline, so it must end on this line. */
static int steps_lex_string(struct steps *p, struct steps_tok *t, struct moe_error *err)
{
	const char *s = p->pos + 1;

	t->kind = STEPS_TOK_STRING;
	t->text = s;
	t->escaped = false;
	for (; s < p->end && *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return format_fail(&p->env, err, PARSE_FATAL, "control character 0x%02x in a string",
			                   (unsigned)(unsigned char)*s);
		if (*s != '\\')
			continue;
		t->escaped = true;
		if (++s == p->end)
			break;
		if (*s == 'u') {
			for (int i = 0; i < 4; i++)
				if (++s == p->end || !is_hex(*s))
					return format_fail(&p->env, err, PARSE_FATAL,
					                   "bad \\u escape in a string (expected 4 hex digits)");
		} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
			return format_fail(&p->env, err, PARSE_FATAL, "bad escape '\\%c' in a string", *s);
		}
	}
	if (s >= p->end)
		return format_fail(&p->env, err, PARSE_FATAL, "string '%.*s' not closed on its line",
		                   shown((size_t)(p->end - t->text)), t->text);
	t->len = (size_t)(s - t->text);
	p->pos = s + 1;
	return 0;
}

/* The next token, reading lines as needed; PARSE_FATAL when the bytes are not JSON. */
static int steps_lex(struct steps *p, struct steps_tok *t, struct moe_error *err)
{
	const char *s;
	char *line;
	size_t len;
	int rc;

	for (;;) {
		while (p->pos < p->end && is_ws(*p->pos))
			p->pos++;
		if (p->pos < p->end)
			break;
		rc = lines_next(p->env.lines, &line, &len, err);
		if (rc == LINES_END) {
			t->kind = STEPS_TOK_EOF;
			t->text = "";
			t->len = 0;
			return 0;
		}
		if (rc != LINES_OK)
			return PARSE_FATAL;     /* a line passed over would tear the document */
		p->pos = line;
		p->end = line + len;
	}
	s = p->pos;
	t->text = s;
	if (*s == '"')
		return steps_lex_string(p, t, err);
	if (*s && strchr("[]{}:,", *s)) {
		t->kind = STEPS_TOK_PUNCT;
		s++;
	} else if (*s == '-' || is_digit(*s)) {
		t->kind = STEPS_TOK_NUMBER;
		while (s < p->end && (is_digit(*s) || (*s && strchr("+-.eE", *s))))
			s++;
		if (!steps_is_number(t->text, (size_t)(s - t->text)))
			return format_fail(&p->env, err, PARSE_FATAL, "malformed number '%.*s'",
			                   shown((size_t)(s - t->text)), t->text);
	} else if (is_letter(*s)) {
		t->kind = STEPS_TOK_WORD;
		while (s < p->end && is_letter(*s))
			s++;
	} else {
		t->kind = STEPS_TOK_OTHER;
		s++;
	}
	t->len = (size_t)(s - t->text);
	p->pos = s;
	return 0;
}

static bool is_punct(const struct steps_tok *t, char c)
{
	return t->kind == STEPS_TOK_PUNCT && *t->text == c;
}

static bool is_null(const struct steps_tok *t)
{
	return t->kind == STEPS_TOK_WORD && t->len == 4 && memcmp(t->text, "null", 4) == 0;
}

static int steps_broken(struct steps *p)
{
	p->state = STEPS_BROKEN;
	return PARSE_FATAL;
}

static int steps_unexpected(struct steps *p, const struct steps_tok *t, const char *expected,
                            struct moe_error *err)
{
	char found[2 * STEPS_SHOWN];
	unsigned char c = (unsigned char)*t->text;

	steps_broken(p);
	if (t->kind == STEPS_TOK_EOF)
		return format_fail(&p->env, err, PARSE_FATAL, "document ends early (expected %s)", expected);
	if (t->kind == STEPS_TOK_STRING)
		snprintf(found, sizeof found, "string \"%.*s\"", shown(t->len), t->text);
	else if (t->kind == STEPS_TOK_NUMBER)
		snprintf(found, sizeof found, "number %.*s", shown(t->len), t->text);
	else if (t->kind == STEPS_TOK_WORD)
		snprintf(found, sizeof found, "'%.*s'", shown(t->len), t->text);
	else if (c >= 0x20 && c < 0x7f)
		snprintf(found, sizeof found, "'%c'", c);
	else
		snprintf(found, sizeof found, "byte 0x%02x", c);
	return format_fail(&p->env, err, PARSE_FATAL, "expected %s, found %s", expected, found);
}

/* A layer key, its ':' and the start of its value. Returns 0, PARSE_BAD for
 * a bad key with no token to carry the error, or PARSE_FATAL. */
static int steps_layer(struct steps *p, const struct steps_tok *key, struct moe_error *err)
{
	char expected[2 * STEPS_SHOWN + 64];
	struct steps_tok t;

	memcpy(p->key, key->text, (size_t)shown(key->len));
	p->key[shown(key->len)] = '\0';
	p->key_why = NULL;
	/* Escapes are not decoded: a layer id written as "\u0031" is refused. */
	if (key->escaped)
		p->key_why = "not a non-negative integer";
	else
		field_layer(key->text, key->len, &p->layer, &p->key_why);
	if (steps_lex(p, &t, err) < 0)
		return steps_broken(p);
	if (!is_punct(&t, ':')) {
		snprintf(expected, sizeof expected, "':' after layer key \"%s\"", p->key);
		return steps_unexpected(p, &t, expected, err);
	}
	if (steps_lex(p, &t, err) < 0)
		return steps_broken(p);
	if (is_punct(&t, '[')) {
		p->state = STEPS_LAYER;
		p->layer_empty = true;
		return 0;
	}
	if (!is_null(&t)) {
		snprintf(expected, sizeof expected, "null or '[' (a list of tokens) for layer \"%s\"", p->key);
		return steps_unexpected(p, &t, expected, err);
	}
	/* A dense layer: nothing to record. */
	p->state = STEPS_STEP_MORE;
	if (p->key_why)
		return format_fail(&p->env, err, PARSE_BAD, "bad layer key '%s': %s", p->key, p->key_why);
	return 0;
}

/* Appends one expert id to the token's list; PARSE_BAD (err filled) when it is not one. */
static int steps_id(struct steps *p, const struct steps_tok *t, struct moe_error *err)
{
	const char *why;
	uint32_t id;
	int rc;

	if (field_expert(t->text, t->len, &id, &why) < 0)
		return format_fail(&p->env, err, PARSE_BAD, "bad expert id '%.*s': %s", shown(t->len),
		                   t->text, why);
	rc = field_push_expert(&p->lists, id, &why);
	if (rc == FIELD_NOMEM)
		return format_nomem(&p->env, err);
	if (rc < 0)
		return format_fail(&p->env, err, PARSE_BAD, "token at layer %u: %s", p->layer, why);
	return 0;
}

/* The ids of one token up to its ']'. A bad id only sets *bad: the list is
 * read to its end so that the next token starts clean. */
static int steps_ids(struct steps *p, bool *bad, struct moe_error *err)
{
	struct steps_tok t;

	if (steps_lex(p, &t, err) < 0)
		return PARSE_FATAL;
	if (is_punct(&t, ']'))
		return 0;
	for (bool first = true;; first = false) {
		if (t.kind != STEPS_TOK_NUMBER)
			return steps_unexpected(p, &t, first ? "an expert id or ']'" : "an expert id after ','",
			                        err);
		if (!*bad) {
			int rc = steps_id(p, &t, err);

			if (rc == PARSE_FATAL)
				return PARSE_FATAL;     /* out of memory */
			*bad = rc < 0;  /* keep the first error */
		}
		if (steps_lex(p, &t, err) < 0)
			return PARSE_FATAL;
		if (is_punct(&t, ']'))
			return 0;
		if (!is_punct(&t, ','))
			return steps_unexpected(p, &t, "',' or ']' after an expert id", err);
		if (steps_lex(p, &t, err) < 0)
			return PARSE_FATAL;
	}
}

/* One token, from after its '[': a record, or PARSE_BAD for a bad id or layer key. */
static int steps_token(struct steps *p, struct moe_record *rec, struct moe_error *err)
{
	bool bad = p->key_why != NULL;

	field_lists_clear(&p->lists);
	p->layer_empty = false;
	if (bad)
		format_fail(&p->env, err, PARSE_BAD, "bad layer key '%s': %s", p->key, p->key_why);
	if (steps_ids(p, &bad, err) < 0)
		return steps_broken(p);
	p->state = STEPS_LAYER_MORE;
	if (bad)
		return PARSE_BAD;
	memset(rec, 0, sizeof *rec);
	rec->layer = p->layer;
	rec->token = -1;
	rec->domain = -1;
	field_lists_to_record(&p->lists, false, false, rec);
	return PARSE_RECORD;
}

static int steps_next(void *parser, struct moe_record *rec, struct moe_shape *header,
                      struct moe_error *err)
{
	struct steps *p = parser;
	struct steps_tok t;
	int rc;

	(void)header;
	if (p->state == STEPS_BROKEN)
		return format_fail(&p->env, err, PARSE_FATAL, "cannot read on after a broken document");
	for (;;) {
		if (steps_lex(p, &t, err) < 0)
			return steps_broken(p);
		switch (p->state) {
		case STEPS_TOP:
			if (t.kind == STEPS_TOK_EOF)
				return PARSE_END;
			if (is_punct(&t, '[')) {
				p->seen_doc = true;
				p->state = STEPS_DOC;
				continue;
			}
			if (p->seen_doc)
				return steps_unexpected(p, &t, "white space or another '[' document after the "
				                        "closing ']'", err);
			break;
		case STEPS_DOC:
			if (is_punct(&t, ']')) {
				p->state = STEPS_TOP;
				continue;
			}
			/* fall through */
		case STEPS_DOC_COMMA:
			if (is_punct(&t, '{')) {
				p->state = STEPS_STEP;
				continue;
			}
			break;
		case STEPS_DOC_MORE:
			if (is_punct(&t, ',')) {
				p->state = STEPS_DOC_COMMA;
				continue;
			}
			if (is_punct(&t, ']')) {
				p->state = STEPS_TOP;
				continue;
			}
			break;
		case STEPS_STEP:
			if (is_punct(&t, '}')) {
				p->state = STEPS_DOC_MORE;
				continue;
			}
			/* fall through */
		case STEPS_STEP_COMMA:
			if (t.kind == STEPS_TOK_STRING) {
				if ((rc = steps_layer(p, &t, err)) < 0)
					return rc;
				continue;
			}
			break;
		case STEPS_STEP_MORE:
			if (is_punct(&t, ',')) {
				p->state = STEPS_STEP_COMMA;
				continue;
			}
			if (is_punct(&t, '}')) {
				p->state = STEPS_DOC_MORE;
				continue;
			}
			break;
		case STEPS_LAYER:
			if (is_punct(&t, ']')) {
				p->state = STEPS_STEP_MORE;
				/* A bad key with no token is still reported once. */
				if (p->key_why && p->layer_empty)
					return format_fail(&p->env, err, PARSE_BAD, "bad layer key '%s': %s",
					                   p->key, p->key_why);
				continue;
			}
			/* fall through */
		case STEPS_LAYER_COMMA:
			if (is_punct(&t, '['))
				return steps_token(p, rec, err);
			break;
		case STEPS_LAYER_MORE:
			if (is_punct(&t, ',')) {
				p->state = STEPS_LAYER_COMMA;
				continue;
			}
			if (is_punct(&t, ']')) {
				p->state = STEPS_STEP_MORE;
				continue;
			}
			break;
		case STEPS_BROKEN:
			break;
		}
		return steps_unexpected(p, &t, steps_expected[p->state], err);
	}
}

const struct parser_ops steps_parser = {
	.name = "steps",
	.open = steps_open,
	.next = steps_next,
	.close = steps_close,
};
