/* render_csv.c: CSV for spreadsheets and pandas: one row per layer and expert, floats at full precision. */
#include <math.h>

#include "render.h"

/* An undefined figure (NAN) is an empty cell. */
static void cell(FILE *fp, double x)
{
	if (isfinite(x))
		fprintf(fp, ",%.17g", x);
	else
		fputc(',', fp);
}

int render_csv_summary(FILE *fp, const struct render_summary *r)
{
	const struct summary *s = r->all;

	fputs("layer,tokens,selections,expert,count,share,ratio,batch_mean,batch_std,batch_cv,"
	      "specialisation\n", fp);
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct summary_layer *l = &s->layers[i];

		for (unsigned e = 0; e < s->experts; e++) {
			const struct summary_expert *x = &l->experts[e];

			fprintf(fp, "%u,%llu,%llu,%u,%llu", l->layer, (unsigned long long)l->tokens,
			        (unsigned long long)l->selections, x->expert, (unsigned long long)x->count);
			cell(fp, x->share);
			cell(fp, x->ratio);
			cell(fp, x->batch_mean);
			cell(fp, x->batch_std);
			cell(fp, x->batch_cv);
			cell(fp, x->specialisation);
			fputc('\n', fp);
		}
	}
	return 0;
}
