/* render_prom.c: the Prometheus text exposition format (version 0.0.4): HELP and TYPE lines, then the samples. */
#include <math.h>

#include "render.h"

static void family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int render_prom_watch(FILE *fp, const struct watch_snapshot *s)
{
	family(fp, "moestat_expert_selections_total", "counter",
	       "Records of the layer that chose the expert.");
	for (size_t i = 0; i < s->nlayers; i++)
		for (unsigned e = 0; e < s->experts; e++)
			fprintf(fp, "moestat_expert_selections_total{layer=\"%u\",expert=\"%u\"} %llu\n",
			        s->layers[i].layer, e, (unsigned long long)s->layers[i].count[e]);
	family(fp, "moestat_layer_tokens_total", "counter", "Records of the layer.");
	for (size_t i = 0; i < s->nlayers; i++)
		fprintf(fp, "moestat_layer_tokens_total{layer=\"%u\"} %llu\n", s->layers[i].layer,
		        (unsigned long long)s->layers[i].tokens);
	family(fp, "moestat_layer_maxvio", "gauge",
	       "MaxVio of the layer over its last window tokens (NaN when undefined).");
	for (size_t i = 0; i < s->nlayers; i++) {
		double x = s->layers[i].maxvio_window;

		fprintf(fp, "moestat_layer_maxvio{layer=\"%u\",window=\"%llu\"} ", s->layers[i].layer,
		        (unsigned long long)s->window);
		if (isfinite(x))
			fprintf(fp, "%.17g\n", x);
		else
			fputs("NaN\n", fp);
	}
	family(fp, "moestat_layer_dead_experts", "gauge",
	       "Experts of the layer not chosen for the threshold of tokens or more.");
	for (size_t i = 0; i < s->nlayers; i++)
		fprintf(fp, "moestat_layer_dead_experts{layer=\"%u\"} %zu\n", s->layers[i].layer,
		        s->layers[i].dead);
	return 0;
}
