/* render_html.c: the report as one self-contained HTML page: inline SVG and CSS, no script, nothing fetched. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

#define FONT 10                 /* px, the labels of the charts */
#define CHART_HEIGHT 160        /* px, the plot area of a bar chart or the trade-off plot */

static const char *const palette[] = { "#4d4d4d", "#e08214", "#1b9e77", "#7570b3", "#e7298a", "#66a61e" };
#define PALETTE (sizeof palette / sizeof *palette)

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5em;color:#222;"
	"max-width:1400px}\n"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}\n"
	"table.meta th{text-align:left;padding-right:1em;vertical-align:top}\n"
	"code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}\n"
	"svg{display:block;margin:.4em 0}svg text{font-size:" "10" "px;fill:#333}\n"
	"svg text.axis{font-weight:bold}svg .dead{stroke:#000;stroke-width:1.2;pointer-events:none}\n"
	"svg .grid{stroke:#ccc;stroke-width:.5}\n"
	".sides{display:flex;flex-wrap:wrap;gap:1.5em}.sides h3{font-size:1em;margin:.3em 0}\n"
	".key span{margin:0 .2em 0 1em;font-size:1.3em;vertical-align:-.1em}\n"
	"p.note{color:#555;font-size:.9em;max-width:60em}\n";

/* Writes s with &, <, >, " and ' as entities. */
static void esc(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp);
		}
	}
}

/* A figure to 4 decimals, "-" where undefined. */
static void fig(FILE *fp, double x)
{
	if (isfinite(x))
		fprintf(fp, "%.4f", x);
	else
		fputc('-', fp);
}

static void colour(FILE *fp, double heat)
{
	struct heat_rgb c = heat_colour(heat);

	fprintf(fp, "#%02x%02x%02x", c.r, c.g, c.b);
}

/* The smallest power of 2 of steps of size px that spans room px: every step-th label fits. */
static unsigned label_step(double size, double room)
{
	unsigned step = 1;

	while (step * size < room && step < (1u << 30))
		step *= 2;
	return step;
}

/* Chart bounds: 0 to the first round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of
 * 10) not below max, whose quarters are round too. */
static double round_up(double max)
{
	static const double steps[] = { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 };
	double p;
	size_t i = 0;

	if (!(max > 0) || !isfinite(max))
		return 1;
	p = pow(10, floor(log10(max)));
	while (i + 1 < sizeof steps / sizeof *steps && max > steps[i] * p)
		i++;
	return steps[i] * p;
}

static void input_row(FILE *fp, const struct moe_input *in)
{
	fputs("<tr><th>input</th><td>", fp);
	for (size_t i = 0; i < in->nfiles; i++) {
		fputs(i ? " " : "", fp);
		fputs("<code>", fp);
		esc(fp, strcmp(in->files[i], "-") ? in->files[i] : "<stdin>");
		fputs("</code>", fp);
	}
	fprintf(fp, " (%s), %llu record%s", in->format ? in->format : "no data",
	        (unsigned long long)in->records, in->records == 1 ? "" : "s");
	if (in->skipped)
		fprintf(fp, ", %llu skipped", (unsigned long long)in->skipped);
	if (in->truncated)
		fputs(", <strong>truncated</strong>", fp);
	fputs("</td></tr>\n", fp);
}

static void header(FILE *fp, const struct render_report *r)
{
	const struct moe_input *in = r->input;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>moestat report: ",
	      fp);
	esc(fp, in->header.model[0] ? in->header.model : in->nfiles ? in->files[0] : "<stdin>");
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>moestat report</h1>\n"
	        "<table class=\"meta\">\n", style);
	input_row(fp, in);
	if (r->input_b)
		input_row(fp, r->input_b);
	fputs("<tr><th>model</th><td>", fp);
	if (in->header.model[0]) {
		esc(fp, in->header.model);
		fputs(", ", fp);
	}
	fprintf(fp, "%zu layer%s, %u experts", r->all->nlayers, r->all->nlayers == 1 ? "" : "s", r->all->experts);
	if (in->topk)
		fprintf(fp, ", top-%u", in->topk);
	if (in->header.score[0])
		fprintf(fp, ", %s", in->header.score);
	fputs("</td></tr>\n<tr><th>command</th><td><code>", fp);
	esc(fp, r->command_line);
	fputs("</code></td></tr>\n</table>\n", fp);
}

/* Geometry of a layer x expert heatmap: cells small enough for N = 1024 in 1024 px. */
struct grid {
	unsigned cw, ch;        /* a cell, px */
	unsigned left, top;     /* the labels' room */
	unsigned width, height;
};

static struct grid grid_of(unsigned n, size_t layers)
{
	struct grid g;

	g.cw = n <= 32 ? 16 : n <= 128 ? 6 : n <= 256 ? 4 : n <= 512 ? 2 : 1;
	g.ch = layers <= 64 ? 10 : layers <= 256 ? 4 : 2;
	g.left = 48;
	g.top = 30;
	g.width = g.left + n * g.cw + 12;
	g.height = g.top + (unsigned)layers * g.ch + 6;
	return g;
}

/* The axes: column ids (experts or devices) above, the layer ids of the rows beside them
 * (row i's at (const char *)layer + i * stride), each sparse enough to read. */
static void grid_axes(FILE *fp, const struct grid *g, const char *xname, unsigned ncols, size_t nrows,
                      const unsigned *layer, size_t stride)
{
	unsigned xstep = label_step(g->cw, 5 * 6 + 4), ystep = label_step(g->ch, FONT + 2);

	fprintf(fp, "<text class=\"axis\" x=\"%u\" y=\"11\">%s</text>\n", g->left, xname);
	fprintf(fp, "<text class=\"axis\" x=\"%u\" y=\"%u\" text-anchor=\"end\">layer</text>\n", g->left - 4,
	        g->top - 6);
	for (unsigned e = 0; e < ncols; e += xstep)
		fprintf(fp, "<text x=\"%g\" y=\"%u\" text-anchor=\"middle\">%u</text>\n",
		        g->left + e * g->cw + g->cw / 2.0, g->top - 6, e);
	for (size_t i = 0; i < nrows; i += ystep)
		fprintf(fp, "<text x=\"%u\" y=\"%g\" text-anchor=\"end\">%u</text>\n", g->left - 4,
		        g->top + i * g->ch + g->ch / 2.0 + 3.5,
		        *(const unsigned *)(const void *)((const char *)layer + i * stride));
}

/* The svg element of a grid. */
static void grid_open(FILE *fp, const char *id, const struct grid *g, const char *label)
{
	fprintf(fp, "<svg id=\"%s\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\" "
	        "aria-label=\"%s\">\n", id, g->width, g->height, g->width, g->height, label);
}

/* The dead layer of id layer in d, walking on from *at (both ascending); NULL if none. */
static const struct dead_layer *dead_layer_of(const struct dead_report *d, unsigned layer, size_t *at)
{
	while (*at < d->nlayers && d->layers[*at].layer < layer)
		(*at)++;
	return *at < d->nlayers && d->layers[*at].layer == layer ? &d->layers[*at] : NULL;
}

static bool listed(const struct dead_layer *dl, uint32_t expert)
{
	for (size_t i = 0; dl && i < dl->n; i++)
		if (dl->experts[i].expert == expert)
			return true;
	return false;
}

/* The cells' text, built in memory and written a buffer at a time: the cells are most of
 * the page, N x layers of them, and printf's parsing and locking would cost more than the log. */
#define CELL_ROOM 4096          /* the most a cell writes: its side's name escaped, and more */
struct line {
	char b[1 << 16];
	size_t n;
};

/* Writes out l when a cell might not fit any more (all: whatever it holds). */
static void flush(FILE *fp, struct line *l, bool all)
{
	if (all || l->n > sizeof l->b - CELL_ROOM) {
		fwrite(l->b, 1, l->n, fp);
		l->n = 0;
	}
}

static void add_n(struct line *l, const char *s, size_t k)
{
	if (k > sizeof l->b - l->n)
		k = sizeof l->b - l->n;
	memcpy(l->b + l->n, s, k);
	l->n += k;
}

static void add(struct line *l, const char *s)
{
	add_n(l, s, strlen(s));
}

/* A string literal, its length known. */
#define ADD(l, lit) add_n((l), lit, sizeof lit - 1)

static void add_uint(struct line *l, unsigned long long v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536"
	                            "373839404142434445464748495051525354555657585960616263646566676869707172"
	                            "737475767778798081828384858687888990919293949596979899";
	char t[24];
	size_t i = sizeof t;

	/* Two digits a division: the cells' numbers are most of the page's. */
	while (v >= 100) {
		i -= 2;
		memcpy(t + i, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		i -= 2;
		memcpy(t + i, pairs + 2 * v, 2);
	} else {
		t[--i] = (char)('0' + v);
	}
	add_n(l, t + i, sizeof t - i);
}

/* x >= 0 to 4 decimals, as "%.4f" writes it; near a tie of the fifth decimal, by snprintf itself. */
static void add_fixed4(struct line *l, double x)
{
	char t[48];
	double v = x * 10000, f = v - floor(v);

	if (!isfinite(x) || x < 0 || v > 1e15 || fabs(f - 0.5) < 1e-6) {
		if (isfinite(x))
			snprintf(t, sizeof t, "%.4f", x);
		add(l, isfinite(x) ? t : "-");
		return;
	}
	unsigned long long q = (unsigned long long)(f < 0.5 ? floor(v) : ceil(v));
	add_uint(l, q / 10000);
	t[0] = '.';
	for (int i = 4; i >= 1; i--, q /= 10)
		t[i] = (char)('0' + q % 10);
	add_n(l, t, 5);
}

static void add_colour(struct line *l, struct heat_rgb c)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char rgb[3] = { c.r, c.g, c.b };

	char t[7];

	for (int i = 0; i < 3; i++) {
		t[1 + 2 * i] = hex[rgb[i] >> 4];
		t[2 + 2 * i] = hex[rgb[i] & 15];
	}
	t[0] = '#';
	add_n(l, t, sizeof t);
}

static void add_esc(struct line *l, const char *s)
{
	for (; *s; s++) {
		char t[2] = { *s, '\0' };
		add(l, *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '"' ? "&quot;"
		       : *s == '\'' ? "&#39;" : t);
	}
}

/* One cell: its colour and the tooltip (an SVG <title>); with sl (the main heatmap), the
 * last use and whether dead. */
static void cell(struct line *c, const struct grid *g, size_t row, const struct summary_layer *l,
                 const struct summary_expert *x, const char *side, const struct stats_layer *sl, bool dead,
                 uint64_t threshold)
{
	add(c, sl ? "<rect class=\"cell\" x=\"" : "<rect x=\"");
	add_uint(c, g->left + x->expert * g->cw);
	ADD(c, "\" y=\"");
	add_uint(c, g->top + (unsigned)row * g->ch);
	ADD(c, "\" width=\"");
	add_uint(c, g->cw);
	ADD(c, "\" height=\"");
	add_uint(c, g->ch);
	ADD(c, "\" fill=\"");
	add_colour(c, heat_colour(heat_of(x->ratio)));
	ADD(c, "\"><title>");
	if (side) {
		add_esc(c, side);
		ADD(c, ", ");
	}
	ADD(c, "layer ");
	add_uint(c, l->layer);
	ADD(c, ", expert ");
	add_uint(c, x->expert);
	ADD(c, ": count ");
	add_uint(c, x->count);
	ADD(c, ", share ");
	add_fixed4(c, x->share);
	ADD(c, ", ratio ");
	add_fixed4(c, x->ratio);
	if (sl) {
		struct dead_expert d = dead_expert_of(sl, x->expert);

		ADD(c, ", last use ");
		if (d.last_used < 0)
			ADD(c, "never");
		else
			add_uint(c, (unsigned long long)d.last_used);
		if (dead) {
			ADD(c, ", dead: idle ");
			add_uint(c, d.idle);
			ADD(c, " tokens (at least ");
			add_uint(c, threshold);
			ADD(c, ")");
		}
	}
	ADD(c, "</title></rect>\n");
}

/* The heatmap of s's ratios; with r's stats and dead report (the main one), the last uses and dead marks. */
static void heatmap(FILE *fp, const char *id, const struct summary *s, const char *side,
                    const struct render_report *r, struct line *buf)
{
	struct grid g = grid_of(s->experts, s->nlayers);
	size_t at = 0;

	grid_open(fp, id, &g, "load ratio of each expert in each layer");
	grid_axes(fp, &g, "expert", s->experts, s->nlayers, s->nlayers ? &s->layers[0].layer : NULL,
	          sizeof *s->layers);
	fputs("<g class=\"cells\">\n", fp);
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct summary_layer *l = &s->layers[i];
		const struct dead_layer *dl = r ? dead_layer_of(r->dead, l->layer, &at) : NULL;
		const struct stats_layer *sl = r ? stats_layer(r->stats, l->layer) : NULL;

		for (unsigned e = 0; e < s->experts; e++) {
			cell(buf, &g, i, l, &l->experts[e], side, sl, listed(dl, e), r ? r->dead->threshold : 0);
			flush(fp, buf, false);
		}
	}
	flush(fp, buf, true);
	fputs("</g>\n", fp);
	/* A cross over each dead expert's cell, drawn after the cells to stay on top. */
	at = 0;
	for (size_t i = 0; r && i < s->nlayers; i++) {
		const struct dead_layer *dl = dead_layer_of(r->dead, s->layers[i].layer, &at);

		for (size_t k = 0; dl && k < dl->n; k++) {
			unsigned x = g.left + dl->experts[k].expert * g.cw, y = g.top + (unsigned)i * g.ch;

			fprintf(fp, "<path class=\"dead\" d=\"M%u %uL%u %uM%u %uL%u %u\"/>\n", x, y, x + g.cw, y + g.ch,
			        x + g.cw, y, x, y + g.ch);
		}
	}
	fputs("</svg>\n", fp);
}

/* The colour scale from heat -1 to 1, its ratios marked, and the dead mark. */
static void legend(FILE *fp, const struct render_report *r)
{
	static const struct { double ratio; const char *label; } ticks[] = {
		{ 0.25, "1/4 or less" }, { 0.5, "1/2" }, { 1, "1: balanced" }, { 2, "2" }, { 4, "4 or more" },
	};
	const unsigned x0 = 40, w = 320, steps = 64;

	fprintf(fp, "<svg id=\"legend\" width=\"%u\" height=\"52\" viewBox=\"0 0 %u 52\" role=\"img\" "
	        "aria-label=\"colour scale\">\n", x0 + w + 200, x0 + w + 200);
	for (unsigned i = 0; i < steps; i++) {
		fprintf(fp, "<rect x=\"%g\" y=\"4\" width=\"%g\" height=\"14\" fill=\"", x0 + i * (double)w / steps,
		        (double)w / steps + 0.3);
		colour(fp, -1 + (2.0 * i + 1) / steps);
		fputs("\"/>\n", fp);
	}
	for (size_t i = 0; i < sizeof ticks / sizeof *ticks; i++) {
		double x = x0 + (heat_of(ticks[i].ratio) + 1) / 2 * w;

		fprintf(fp, "<line class=\"grid\" x1=\"%g\" y1=\"4\" x2=\"%g\" y2=\"24\"/>"
		        "<text x=\"%g\" y=\"34\" text-anchor=\"middle\">%s</text>\n", x, x, x, ticks[i].label);
	}
	fprintf(fp, "<text x=\"%u\" y=\"48\">load ratio = count / balanced load, on a log scale</text>\n", x0);
	fprintf(fp, "<rect x=\"%u\" y=\"4\" width=\"14\" height=\"14\" fill=\"", x0 + w + 30);
	colour(fp, heat_of(0));
	fprintf(fp, "\"/><path class=\"dead\" d=\"M%u 4L%u 18M%u 4L%u 18\"/>"
	        "<text x=\"%u\" y=\"15\">dead: idle for %llu tokens</text>\n<text x=\"%u\" y=\"30\">or more at the end</text>\n",
	        x0 + w + 30, x0 + w + 44, x0 + w + 44, x0 + w + 30, x0 + w + 50,
	        (unsigned long long)r->dead->threshold, x0 + w + 50);
	fputs("</svg>\n", fp);
}

/* A chart's series: the bars of one figure, or one strategy's points. */
struct series {
	const char *name;
	const char *colour;
};

typedef double (*layer_value)(const struct render_report *r, size_t series, unsigned layer);

static void key(FILE *fp, const struct series *s, size_t n)
{
	fputs("<p class=\"key\">", fp);
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "<span style=\"color:%s\">&#9632;</span>", s[i].colour);
		esc(fp, s[i].name);
	}
	fputs("</p>\n", fp);
}

/* The y axis of a chart from 0 to top over CHART_HEIGHT px below y0, at left. */
static void y_axis(FILE *fp, unsigned left, unsigned y0, unsigned right, double top, const char *label)
{
	for (int i = 0; i <= 4; i++) {
		double y = y0 + CHART_HEIGHT - i * CHART_HEIGHT / 4.0;

		fprintf(fp, "<line class=\"grid\" x1=\"%u\" y1=\"%g\" x2=\"%u\" y2=\"%g\"/>"
		        "<text x=\"%u\" y=\"%g\" text-anchor=\"end\">%g</text>\n", left, y, right, y, left - 4, y + 3.5,
		        top * i / 4);
	}
	fprintf(fp, "<text class=\"axis\" x=\"%u\" y=\"%u\">", left, y0 - 6);
	esc(fp, label);
	fputs("</text>\n", fp);
}

/* Bars of nseries figures side by side for each layer of the report, from get. */
static void bar_chart(FILE *fp, const char *id, const char *label, const struct render_report *r,
                      const struct series *s, size_t nseries, layer_value get)
{
	const struct summary *all = r->all;
	unsigned left = 52, y0 = 20, gw = all->nlayers ? 960 / (unsigned)all->nlayers : 24;
	unsigned width, xstep;
	double max = 0, top, bw;

	gw = gw < 4 ? 4 : gw > 28 ? 28 : gw;
	bw = (gw - 1.0) / nseries;
	width = left + gw * (unsigned)all->nlayers + 16;
	xstep = label_step(gw, 5 * 6 + 2);
	for (size_t i = 0; i < all->nlayers; i++)
		for (size_t k = 0; k < nseries; k++) {
			double v = get(r, k, all->layers[i].layer);

			if (isfinite(v) && v > max)
				max = v;
		}
	top = round_up(max);
	fprintf(fp, "<svg id=\"%s\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\" aria-label=\"",
	        id, width, y0 + CHART_HEIGHT + 34, width, y0 + CHART_HEIGHT + 34);
	esc(fp, label);
	fputs(" per layer\">\n", fp);
	y_axis(fp, left, y0, width - 16, top, label);
	for (size_t i = 0; i < all->nlayers; i++) {
		unsigned layer = all->layers[i].layer;

		for (size_t k = 0; k < nseries; k++) {
			double v = get(r, k, layer), h = isfinite(v) ? v / top * CHART_HEIGHT : 0;

			if (!isfinite(v))
				continue;
			fprintf(fp, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"%s\"><title>layer %u: ",
			        left + i * gw + k * bw, y0 + CHART_HEIGHT - h, bw, h, s[k].colour, layer);
			esc(fp, s[k].name);
			fputc(' ', fp);
			fig(fp, v);
			fputs("</title></rect>\n", fp);
		}
		if (i % xstep == 0)
			fprintf(fp, "<text x=\"%g\" y=\"%u\" text-anchor=\"middle\">%u</text>\n", left + i * gw + gw / 2.0,
			        y0 + CHART_HEIGHT + 14, layer);
	}
	fprintf(fp, "<text class=\"axis\" x=\"%u\" y=\"%u\">layer</text>\n</svg>\n", left, y0 + CHART_HEIGHT + 30);
	key(fp, s, nseries);
}

static double maxvio_value(const struct render_report *r, size_t series, unsigned layer)
{
	const struct maxvio_report *m = r->maxvio;

	for (size_t i = 0; i < m->nlayers; i++)
		if (m->layers[i].layer == layer)
			return series == 0 ? m->layers[i].maxvio_global
			       : m->layers[i].nbatch ? m->layers[i].batch[0].mean : NAN;
	return NAN;
}

static double jsd_value(const struct render_report *r, size_t series, unsigned layer)
{
	const struct compare_report *c = &r->compare[series];

	for (size_t i = 0; i < c->nlayers; i++)
		if (c->layers[i].layer == layer)
			return c->layers[i].jsd;
	return NAN;
}

static double imbalance_value(const struct render_report *r, size_t series, unsigned layer)
{
	const struct devload *d = &r->placements[series];

	for (size_t i = 0; i < d->nlayers; i++)
		if (d->layers[i].layer == layer)
			return d->layers[i].f.imbalance;
	return NAN;
}

static void maxvio_section(FILE *fp, const struct render_report *r)
{
	char batch[64];
	struct series s[2] = { { "MaxVio_global", palette[0] }, { batch, palette[1] } };

	snprintf(batch, sizeof batch, "MaxVio_batch (B = %llu)", (unsigned long long)r->maxvio->sizes[0]);
	fputs("<h2>MaxVio per layer</h2>\n<p class=\"note\">MaxVio = (max_i count_i &minus; mean) / mean over "
	      "the whole log (MaxVio_global) and its mean over the chunks of B tokens (MaxVio_batch); a layer "
	      "shorter than B has its one partial chunk.</p>\n", fp);
	bar_chart(fp, "maxvio", "MaxVio", r, s, 2, maxvio_value);
}

static void sides_section(FILE *fp, const struct render_report *r, struct line *buf)
{
	struct series s[PALETTE];
	char names[PALETTE][128];
	size_t n = r->nsides - 1 < PALETTE ? r->nsides - 1 : PALETTE;

	fputs("<h2>Per side: each expert's share</h2>\n<p class=\"note\">The same colour scale: share &times; N "
	      "is the load ratio. Hover a cell for its share.</p>\n<div class=\"sides\">\n", fp);
	for (size_t i = 0; i < r->nsides; i++) {
		char id[32];

		snprintf(id, sizeof id, "side-%zu", i);
		fputs("<div><h3>", fp);
		esc(fp, r->side[i]);
		fputs("</h3>\n", fp);
		heatmap(fp, id, &r->sides[i], r->side[i], NULL, buf);
		fputs("</div>\n", fp);
	}
	fputs("</div>\n<h2>Jensen&ndash;Shannon divergence per layer</h2>\n<p class=\"note\">JSD of the two "
	      "sides' shares, from 0 (the same) to 1 (no expert in common).</p>\n", fp);
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "%s vs %s", r->side[0], r->side[i + 1]);
		s[i] = (struct series){ names[i], palette[(i + 2) % PALETTE] };
	}
	bar_chart(fp, "jsd", "JSD", r, s, n, jsd_value);
}

/* MaxVio_batch against retained score mass, a point per strategy and parameter, joined per strategy. */
static void replay_section(FILE *fp, const struct render_report *r)
{
	const unsigned left = 52, y0 = 20, w = 560;
	double xmin = 1, ymax = 0, top;
	char params[64];

	for (size_t i = 0; i < r->nreplay; i++) {
		const struct replay_figures *f = &r->replay[i].mean;

		if (isfinite(f->retained) && f->retained < xmin)
			xmin = f->retained;
		if (isfinite(f->maxvio_batch) && f->maxvio_batch > ymax)
			ymax = f->maxvio_batch;
	}
	xmin = floor(xmin * 10 - 0.5) / 10;
	xmin = xmin < 0 ? 0 : xmin;
	top = round_up(ymax);
	fprintf(fp, "<h2>Replay: balance against routing quality</h2>\n<p class=\"note\">Each strategy re-run "
	        "on the logged logits (%s scores, chunks of %llu tokens): its mean MaxVio_batch over the layers "
	        "against the share of the score mass of the unbiased selections it keeps.</p>\n",
	        r->score == ROUTE_SIGMOID ? "sigmoid" : "softmax", (unsigned long long)r->replay_options->batch);
	fprintf(fp, "<svg id=\"replay\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\" "
	        "aria-label=\"MaxVio_batch against retained score mass\">\n", left + w + 140, y0 + CHART_HEIGHT + 34,
	        left + w + 140, y0 + CHART_HEIGHT + 34);
	y_axis(fp, left, y0, left + w, top, "MaxVio_batch");
	for (int i = 0; i <= 4; i++)
		fprintf(fp, "<text x=\"%g\" y=\"%u\" text-anchor=\"middle\">%g</text>\n", left + w * i / 4.0,
		        y0 + CHART_HEIGHT + 14, xmin + (1 - xmin) * i / 4);
	fprintf(fp, "<text class=\"axis\" x=\"%u\" y=\"%u\" text-anchor=\"end\">retained score mass</text>\n",
	        left + w, y0 + CHART_HEIGHT + 30);
	for (size_t i = 0; i < r->nreplay; i++) {
		const struct replay_result *res = &r->replay[i];
		const struct replay_figures *f = &res->mean;
		const char *c = palette[res->instance.strategy % PALETTE];
		double x = left + (f->retained - xmin) / (1 - xmin) * w, y = y0 + CHART_HEIGHT - f->maxvio_batch / top * CHART_HEIGHT;

		if (!isfinite(x) || !isfinite(y))
			continue;
		if (i > 0 && res[-1].instance.strategy == res->instance.strategy) {
			const struct replay_figures *p = &res[-1].mean;

			fprintf(fp, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\"/>\n",
			        left + (p->retained - xmin) / (1 - xmin) * w,
			        y0 + CHART_HEIGHT - p->maxvio_batch / top * CHART_HEIGHT, x, y, c);
		}
		render_replay_params(params, sizeof params, &res->instance, r->replay_options);
		fprintf(fp, "<circle cx=\"%g\" cy=\"%g\" r=\"4\" fill=\"%s\"><title>%s %s: MaxVio_batch ", x, y, c,
		        render_replay_name(res->instance.strategy), params);
		fig(fp, f->maxvio_batch);
		fputs(", retained ", fp);
		fig(fp, f->retained);
		fprintf(fp, "</title></circle>\n<text x=\"%g\" y=\"%g\">%zu</text>\n", x + 5, y - 5, i + 1);
	}
	fputs("</svg>\n<table class=\"meta\"><tr><th>point</th><th>strategy</th><th>params</th><th>MaxVio_batch</th>"
	      "<th>retained</th><th>changed</th><th>dropped</th></tr>\n", fp);
	for (size_t i = 0; i < r->nreplay; i++) {
		const struct replay_result *res = &r->replay[i];
		const double row[] = { res->mean.maxvio_batch, res->mean.retained, res->mean.changed, res->mean.dropped };

		render_replay_params(params, sizeof params, &res->instance, r->replay_options);
		fprintf(fp, "<tr><td>%zu</td><td style=\"color:%s\">%s</td><td>%s</td>", i + 1,
		        palette[res->instance.strategy % PALETTE], render_replay_name(res->instance.strategy), params);
		for (size_t k = 0; k < sizeof row / sizeof *row; k++) {
			fputs("<td>", fp);
			fig(fp, row[k]);
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

/* A placement's devices' loads, a row a layer, a column a device. */
static void devices(FILE *fp, const struct devload *d)
{
	struct grid g = grid_of(d->devices, d->nlayers);
	char id[48];

	snprintf(id, sizeof id, "devices-%s", place_name(d->kind));
	fprintf(fp, "<div><h3>%s</h3>\n", place_name(d->kind));
	grid_open(fp, id, &g, "load ratio of each device in each layer");
	grid_axes(fp, &g, "device", d->devices, d->nlayers, d->nlayers ? &d->layers[0].layer : NULL,
	          sizeof *d->layers);
	for (size_t i = 0; i < d->nlayers; i++)
		for (unsigned k = 0; k < d->devices; k++) {
			fprintf(fp, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"", g.left + k * g.cw,
			        g.top + (unsigned)i * g.ch, g.cw, g.ch);
			colour(fp, heat_of(d->layers[i].device_ratio[k]));
			fprintf(fp, "\"><title>%s, layer %u, device %u: load ", place_name(d->kind), d->layers[i].layer, k);
			fig(fp, d->layers[i].device_load[k]);
			fputs(", ratio ", fp);
			fig(fp, d->layers[i].device_ratio[k]);
			fputs("</title></rect>\n", fp);
		}
	fputs("</svg>\n</div>\n", fp);
}

static void placements_section(FILE *fp, const struct render_report *r)
{
	struct series s[PLACE_KINDS];
	size_t n = r->nplacements < PLACE_KINDS ? r->nplacements : PLACE_KINDS;

	fprintf(fp, "<h2>Device loads under expert parallelism over %u devices</h2>\n<p class=\"note\">Per "
	        "layer, the mean over the chunks of B tokens of the busiest device's load over the mean "
	        "device's (imbalance: 1 is balanced), for each placement; balanced and eplb are fitted on "
	        "this same log.</p>\n<table class=\"meta\"><tr><th>placement</th><th>imbalance</th>"
	        "<th>imbalance_global</th></tr>\n", r->devices);
	for (size_t i = 0; i < n; i++) {
		s[i] = (struct series){ place_name(r->placements[i].kind), palette[(i + 2) % PALETTE] };
		fprintf(fp, "<tr><td>%s</td><td>", s[i].name);
		fig(fp, r->placements[i].mean.imbalance);
		fputs("</td><td>", fp);
		fig(fp, r->placements[i].mean.imbalance_global);
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
	bar_chart(fp, "placements", "imbalance", r, s, n, imbalance_value);
	fputs("<p class=\"note\">Each device's load over the whole log as a ratio to the mean device's, "
	      "on the colour scale of the experts' heatmap.</p>\n<div class=\"sides\">\n", fp);
	for (size_t i = 0; i < n; i++)
		devices(fp, &r->placements[i]);
	fputs("</div>\n", fp);
}

int render_html_report(FILE *fp, const struct render_report *r)
{
	struct line *buf;

	header(fp, r);
	if (r->all->nlayers == 0) {
		fputs("<p>No records.</p>\n</body>\n</html>\n", fp);
		return 0;
	}
	fputs("<h2>Load of each expert in each layer</h2>\n<p class=\"note\">The load ratio, count / (selections "
	      "/ N): 1 is the balanced load. Colour: heat = clamp(log2(ratio) / 2, &minus;1, 1), blue below the "
	      "balanced load, red above; twice the balanced load is as far from grey as half of it. Hover a "
	      "cell for its figures.</p>\n", fp);
	if (!(buf = malloc(sizeof *buf)))
		return -1;
	buf->n = 0;
	legend(fp, r);
	heatmap(fp, "load-heatmap", r->all, NULL, r, buf);
	maxvio_section(fp, r);
	if (r->nsides > 1)
		sides_section(fp, r, buf);
	if (r->replay_options && r->nreplay)
		replay_section(fp, r);
	if (r->devices && r->nplacements)
		placements_section(fp, r);
	fputs("</body>\n</html>\n", fp);
	free(buf);
	return 0;
}
