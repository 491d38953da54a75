/* bias.c: the bias file: JSON read and written with jansson, held by layer id. */
#include "bias.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "moestat.h"

static void free_vector(void *object)
{
	struct bias_vector *v = object;

	free(v->b);
	free(v);
}

int bias_set(struct bias_table *t, unsigned layer, const double *b, size_t n)
{
	struct bias_vector *v = bylayer_get(&t->layers, layer);

	if (!v) {
		if (!(v = calloc(1, sizeof *v)) || bylayer_put(&t->layers, layer, v) < 0) {
			free(v);
			return -1;
		}
		v->layer = layer;
	}
	double *copy = malloc((n ? n : 1) * sizeof *copy);
	if (!copy)
		return -1;
	memcpy(copy, b, n * sizeof *copy);
	free(v->b);
	v->b = copy;
	v->n = n;
	return 0;
}

const struct bias_vector *bias_get(const struct bias_table *t, unsigned layer)
{
	return bylayer_get(&t->layers, layer);
}

static int bad(struct moe_error *err, const char *path, const char *what, size_t i)
{
	moe_error_set(err, EX_DATAERR, path, 0, "bias file: layers[%zu]: %s", i, what);
	return -1;
}

int bias_load(struct bias_table *t, const char *path, struct moe_error *err)
{
	json_error_t jerr;
	json_t *doc, *layers, *entry;
	struct stat st;
	size_t i;
	int rc = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		moe_error_set(err, EX_NOINPUT, path, 0, "cannot read: is a directory");
		return -1;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		FILE *fp = fopen(path, "r");

		if (!fp) {
			moe_error_set(err, EX_NOINPUT, path, 0, "cannot open the bias file");
			return -1;
		}
		fclose(fp);
		moe_error_set(err, EX_DATAERR, path, jerr.line, "bias file: invalid JSON: %s", jerr.text);
		return -1;
	}
	layers = json_object_get(doc, "layers");
	if (!json_is_array(layers)) {
		moe_error_set(err, EX_DATAERR, path, 0, "bias file: no \"layers\" list");
		json_decref(doc);
		return -1;
	}
	json_array_foreach(layers, i, entry) {
		json_t *layer = json_object_get(entry, "layer"), *bias = json_object_get(entry, "bias");
		json_int_t id = json_integer_value(layer);
		size_t n = json_array_size(bias);
		double *b;

		if (!json_is_integer(layer) || id < 0 || id >= MOE_MAX_LAYERS) {
			rc = bad(err, path, "\"layer\" is not a layer number", i);
			break;
		}
		if (bias_get(t, (unsigned)id)) {
			rc = bad(err, path, "a layer given twice", i);
			break;
		}
		if (!json_is_array(bias) || n == 0 || n > MOE_MAX_EXPERTS) {
			rc = bad(err, path, "\"bias\" is not a list of 1 to 65536 numbers", i);
			break;
		}
		if (!(b = malloc(n * sizeof *b))) {
			moe_error_set(err, EX_OSERR, path, 0, "out of memory");
			rc = -1;
			break;
		}
		for (size_t j = 0; j < n && rc == 0; j++) {
			json_t *x = json_array_get(bias, j);
			if (!json_is_number(x) || !isfinite(b[j] = json_number_value(x)))
				rc = bad(err, path, "\"bias\" holds something other than a number", i);
		}
		if (rc == 0 && bias_set(t, (unsigned)id, b, n) < 0) {
			moe_error_set(err, EX_OSERR, path, 0, "out of memory");
			rc = -1;
		}
		free(b);
		if (rc)
			break;
	}
	json_decref(doc);
	return rc;
}

int bias_save(const struct bias_table *t, FILE *fp)
{
	json_t *doc = json_object(), *layers = json_array();
	const struct bias_vector *v;
	int rc;

	for (v = bylayer_next(&t->layers, 0); v; v = bylayer_next(&t->layers, v->layer + 1)) {
		json_t *b = json_array();

		for (size_t i = 0; i < v->n; i++)
			json_array_append_new(b, json_real(v->b[i]));
		json_array_append_new(layers, json_pack("{s:I,s:o}", "layer", (json_int_t)v->layer, "bias", b));
	}
	json_object_set_new(doc, "layers", layers);
	rc = json_dumpf(doc, fp, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(doc);
	fputc('\n', fp);
	return rc < 0 ? -1 : 0;
}

void bias_free(struct bias_table *t)
{
	bylayer_free(&t->layers, free_vector);
}
