/* cli.c: the part of every command that is the same: common options, the read loop, messages, output. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state.h"

void cli_common_init(struct cli_common *c, const char *command)
{
	memset(c, 0, sizeof *c);
	c->command = command;
	c->read.format = MOE_FORMAT_AUTO;
}

void cli_common_free(struct cli_common *c)
{
	free(c->layers);
	c->layers = NULL;
}

/* getopt_long's table for a command: its own options, then the common ones,
 * as in the usage text. */
static const struct option *longopts_of(const struct option *own)
{
	static const struct option common[] = { CLI_COMMON_LONGOPTS };
	static struct option all[64];
	size_t n = 0;

	while (own->name && n < sizeof all / sizeof *all - sizeof common / sizeof *common - 1)
		all[n++] = *own++;
	memcpy(all + n, common, sizeof common);
	n += sizeof common / sizeof *common;
	memset(&all[n], 0, sizeof all[n]);
	return all;
}

int cli_getopt(struct cli_common *c, int argc, char **argv, const struct option *own)
{
	const struct option *all = longopts_of(own);
	int opt, rc;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, all, NULL)) != -1) {
		rc = cli_common_option(c, opt, optarg, argv);
		if (rc < 0)
			return CLI_OPTIONS_BAD;
		if (rc == 0)
			return opt;
	}
	return CLI_OPTIONS_END;
}

int cli_usage_error(const struct cli_common *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "moestat: %s: ", c->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'moestat %s --help' for more information.\n", c->command);
	return EX_USAGE;
}

int cli_error(const struct moe_error *err)
{
	char msg[2048];

	moe_error_format(err, msg, sizeof msg);
	fprintf(stderr, "moestat: %s\n", msg);
	return err->status;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("moestat: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_number(const struct cli_common *c, const char *name, const char *arg, unsigned long long min,
               unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || *out < min || *out > max) {
		cli_usage_error(c, "--%s takes a whole number from %llu to %llu, not '%s'", name, min, max,
		                arg);
		return -1;
	}
	return 0;
}

int cli_format(struct cli_common *c, const char *arg)
{
	if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0 && strcmp(arg, "csv") != 0)
		return cli_usage_error(c, "--format takes text, json or csv, not '%s'", arg), -1;
	c->json = strcmp(arg, "json") == 0;
	c->csv = strcmp(arg, "csv") == 0;
	return 0;
}

int cli_names(const struct cli_common *c, const char *name, const char *arg, const char *const *names,
              size_t nnames, int *order, size_t *n)
{
	const char *s = arg;
	char list[512];
	size_t len = 0;

	for (*n = 0;; s += strcspn(s, ",") + 1) {
		size_t word = strcspn(s, ",");
		size_t i = 0, j = 0;

		while (i < nnames && (strlen(names[i]) != word || strncmp(s, names[i], word) != 0))
			i++;
		while (j < *n && order[j] != (int)i)
			j++;
		if (i == nnames || j < *n)
			break;
		order[(*n)++] = (int)i;
		if (!s[word])
			return 0;
	}
	for (size_t i = 0; i < nnames && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i == 0 ? "" :
		                        i + 1 == nnames ? " or " : ", ", names[i]);
	cli_usage_error(c, "--%s takes %s, each once, not '%s'", name, list, arg);
	return -1;
}

/* "0,3,10-20" into a bitmap of MOE_MAX_LAYERS bits. */
static int parse_layers(struct cli_common *c, const char *arg)
{
	const char *s = arg;

	free(c->layers);
	c->layers = calloc(MOE_MAX_LAYERS / 8, 1);
	if (!c->layers) {
		fprintf(stderr, "moestat: out of memory\n");
		return -1;
	}
	for (;;) {
		unsigned long lo, hi;
		char *end;

		if (*s < '0' || *s > '9')
			goto bad;
		lo = hi = strtoul(s, &end, 10);
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				goto bad;
			hi = strtoul(s, &end, 10);
		}
		if (lo > hi || hi >= MOE_MAX_LAYERS)
			goto bad;
		for (unsigned long i = lo; i <= hi; i++)
			c->layers[i / 8] |= (unsigned char)(1u << i % 8);
		if (*end == '\0')
			break;
		if (*end != ',')
			goto bad;
		s = end + 1;
	}
	c->read.layers = c->layers;
	return 0;
bad:
	cli_usage_error(c, "--layers takes a list like 0,3,10-20 of layers below %u, not '%s'",
	                MOE_MAX_LAYERS, arg);
	return -1;
}

static int parse_key(struct cli_common *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char role[16];
	int r = -1;

	if (eq && (size_t)(eq - arg) < sizeof role) {
		memcpy(role, arg, (size_t)(eq - arg));
		role[eq - arg] = '\0';
		r = format_role_from_name(role);
	}
	if (r < 0 || !eq[1]) {
		cli_usage_error(c, "--key takes ROLE=NAME with ROLE one of layer, token, experts, "
		                   "weights, logits, domain, not '%s'", arg);
		return -1;
	}
	c->read.keys[r] = eq + 1;
	return 0;
}

int cli_common_option(struct cli_common *c, int opt, const char *arg, char **argv)
{
	unsigned long long n;
	int format;

	switch (opt) {
	case CLI_JSON:
		c->json = true;
		return 1;
	case 'o':
		c->output = arg;
		return 1;
	case CLI_EXPERTS:
		if (cli_number(c, "experts", arg, 1, MOE_MAX_EXPERTS, &n) < 0)
			return -1;
		c->read.experts = (unsigned)n;
		return 1;
	case CLI_LAYERS:
		return parse_layers(c, arg) < 0 ? -1 : 1;
	case CLI_DOMAIN:
		c->read.domain = arg;
		return 1;
	case CLI_SKIP_BAD:
		c->read.skip_bad = true;
		return 1;
	case CLI_INPUT_FORMAT:
		format = format_from_name(arg);
		if (format < 0) {
			cli_usage_error(c, "--input-format takes auto, mlog, jsonl, csv or steps, not '%s'", arg);
			return -1;
		}
		c->read.format = (enum moe_format)format;
		return 1;
	case CLI_KEY:
		return parse_key(c, arg) < 0 ? -1 : 1;
	case CLI_PROGRESS:
	case CLI_NO_PROGRESS:
		c->progress = opt == CLI_PROGRESS ? 1 : -1;
		return 1;
	case 'j':
		if (!c->takes_state) {
			cli_usage_error(c, "unknown option '-j'");
			return -1;
		}
		if (cli_number(c, "jobs", arg, 1, 256, &n) < 0)
			return -1;
		c->jobs = (unsigned)n;
		return 1;
	case CLI_SAVE_STATE:
		c->save_state = arg;
		return 1;
	case 'h':
	case CLI_HELP:
		c->help = true;
		return 1;
	case ':':
		cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		return -1;
	case '?':
		if (optopt)
			cli_usage_error(c, "unknown option '-%c'", optopt);
		else
			cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		return -1;
	default:
		return 0;
	}
}

/* The progress meter: one line on standard error, at most 10 times a second. */
struct meter {
	bool on;
	struct timespec start, last;
	size_t width;                   /* of the line last drawn, to erase it */
};

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void meter_start(struct meter *m, const struct cli_common *c, const struct reader *r)
{
	uint64_t done, total;

	memset(m, 0, sizeof *m);
	reader_progress(r, &done, &total);
	m->on = c->progress > 0 || (c->progress == 0 && total > 0 && isatty(STDERR_FILENO));
	clock_gettime(CLOCK_MONOTONIC, &m->start);
	m->last = m->start;
}

int cli_meter_line(char *line, size_t size, uint64_t done, uint64_t total, double elapsed)
{
	double rate = elapsed > 0 ? (double)done / elapsed : 0;
	int n = snprintf(line, size, "moestat: %.1f MB read, %.1f MB/s, %d:%02d", (double)done / 1e6, rate / 1e6,
	                 (int)elapsed / 60, (int)elapsed % 60);

	if (total > 0 && rate > 0 && done <= total && n >= 0 && (size_t)n < size) {
		double eta = (double)(total - done) / rate;

		n += snprintf(line + n, size - (size_t)n, ", %d%%, ETA %d:%02d",
		              (int)(100.0 * (double)done / (double)total), (int)eta / 60, (int)eta % 60);
	}
	return n < 0 ? 0 : (size_t)n < size ? n : (int)size - 1;
}

static void meter_draw(struct meter *m, const struct reader *r)
{
	struct timespec now;
	uint64_t done, total;
	char line[128];
	int n;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (seconds(&m->last, &now) < 0.1)
		return;
	m->last = now;
	reader_progress(r, &done, &total);
	n = cli_meter_line(line, sizeof line, done, total, seconds(&m->start, &now));
	fprintf(stderr, "\r%-*s", (int)m->width, line);
	m->width = (size_t)n;
}

static void draw_meter(void *meter, const struct reader *r)
{
	meter_draw(meter, r);
}

static void meter_end(struct meter *m)
{
	if (m->on && m->width)
		fprintf(stderr, "\r%*s\r", (int)m->width, "");
}

/* cli_read, with parts or shards for the reader (reader.h) when not NULL. */
static int read_records(const struct cli_common *c, int nfiles, char **files, cli_sink sink, void *ctx,
                        const struct reader_parts *parts, const struct reader_shards *shards,
                        struct reader **out)
{
	uint64_t count = 0;
	struct meter meter;
	static char *stdin_only[] = { "-", NULL };
	struct moe_error err = { 0 };
	struct moe_record rec;
	int rc, status = 0;

	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	/* Set before the first record, so that a sink can look at the input so far. */
	*out = reader_open(files, (size_t)nfiles, &c->read);
	if (!*out)
		return cli_out_of_memory();
	if (parts)
		reader_parts(*out, parts);
	if (shards)
		reader_shards(*out, shards);
	meter_start(&meter, c, *out);
	/* Records that go into parts never come out here: the meter hears of their blocks. */
	if (meter.on)
		reader_on_block(*out, draw_meter, &meter);
	while ((rc = reader_next(*out, &rec, &err)) > 0 && (status = sink(ctx, &rec)) == 0)
		if (meter.on && (++count & 0x3fff) == 0)
			meter_draw(&meter, *out);
	meter_end(&meter);
	if (rc < 0)
		status = cli_error(&err);
	else if (status < 0)
		status = cli_out_of_memory();
	if (status) {
		reader_close(*out);
		*out = NULL;
	}
	return status;
}

int cli_read(const struct cli_common *c, int nfiles, char **files, cli_sink sink, void *ctx,
             struct reader **out)
{
	return read_records(c, nfiles, files, sink, ctx, NULL, NULL, out);
}

int cli_input_status(const struct moe_input *in)
{
	char msg[2048];

	if (in->skipped) {
		moe_error_format(&in->first_skip, msg, sizeof msg);
		cli_warn("skipped %llu bad record%s (the first: %s)", (unsigned long long)in->skipped,
		         in->skipped == 1 ? "" : "s", msg);
	}
	if (in->experts_from == EXPERTS_FROM_IDS)
		cli_warn("number of experts not given; assuming %u (largest id seen + 1): "
		         "never-chosen experts above it are not counted (set it with --experts N)",
		         in->experts);
	if (in->records == 0)
		cli_warn("no records in the input");
	else if (in->selected == 0)
		cli_warn("none of the %llu records is in the layers or the domain asked for",
		         (unsigned long long)in->records);
	if (in->truncated) {
		moe_error_format(&in->truncation, msg, sizeof msg);
		fprintf(stderr, "moestat: %s\n", msg);
		cli_warn("the figures cover only what was read before the damage");
		return EX_IOERR;
	}
	return 0;
}

int cli_common_experts(const struct cli_common *c, const struct moe_input *a, const struct moe_input *b,
                       const char *name_a, const char *name_b, unsigned *n)
{
	bool told_a, told_b;

	if (!b)
		b = a;
	told_a = a->experts_from == EXPERTS_FROM_HEADER || a->experts_from == EXPERTS_FROM_OPTION;
	told_b = b->experts_from == EXPERTS_FROM_HEADER || b->experts_from == EXPERTS_FROM_OPTION;
	/* A side that states N cannot hold the other side's ids at or above it. */
	if ((told_a && told_b && a->experts != b->experts) || (told_a && b->experts > a->experts) ||
	    (told_b && a->experts > b->experts)) {
		fprintf(stderr, "moestat: %s: %s has %u experts, %s %u: not the same model\n", c->command,
		        name_a, a->experts, name_b, b->experts);
		return EX_DATAERR;
	}
	*n = a->experts > b->experts ? a->experts : b->experts;
	return 0;
}

int cli_rereadable(const struct cli_common *c, int nfiles, char **files, const char *why, const char *or_else)
{
	struct stat st;

	for (int i = 0; i < nfiles; i++)
		if (strcmp(files[i], "-") == 0 || (stat(files[i], &st) == 0 && !S_ISREG(st.st_mode))) {
			cli_usage_error(c, "%s cannot be read twice (%s): give a regular file%s%s",
			                strcmp(files[i], "-") ? files[i] : "standard input", why,
			                or_else ? ", or " : "", or_else ? or_else : "");
			return -1;
		}
	return 0;
}

int cli_output_open(struct cli_output *out, const char *path)
{
	struct stat st;
	int fd;

	memset(out, 0, sizeof *out);
	if (!path || strcmp(path, "-") == 0) {
		out->fp = stdout;
		return 0;
	}
	out->path = path;
	/* A device or a pipe cannot be replaced by a rename: write it directly. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		out->fp = fopen(path, "w");
	} else {
		size_t len = strlen(path);
		out->tmp = malloc(len + sizeof ".XXXXXX");
		if (!out->tmp)
			goto fail;
		memcpy(out->tmp, path, len);
		memcpy(out->tmp + len, ".XXXXXX", sizeof ".XXXXXX");
		fd = mkstemp(out->tmp);
		if (fd < 0) {
			free(out->tmp);
			out->tmp = NULL;
			goto fail;
		}
		/* mkstemp makes it 0600; give it the mode a plain creat() would. */
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
		out->fp = fdopen(fd, "w");
		if (!out->fp) {
			close(fd);
			unlink(out->tmp);
		}
	}
	if (out->fp) {
		/* Large outputs (report's page) in few writes. */
		setvbuf(out->fp, NULL, _IOFBF, 1 << 16);
		return 0;
	}
fail:
	fprintf(stderr, "moestat: %s: cannot create: %s\n", path, strerror(errno));
	free(out->tmp);
	out->tmp = NULL;
	return EX_CANTCREAT;
}

unsigned cli_columns(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	unsigned long n;

	if (env && *env >= '1' && *env <= '9') {
		n = strtoul(env, &end, 10);
		if (!*end && n <= 65536)
			return (unsigned)n;
	}
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

bool cli_colour(const char *path)
{
	const char *no_color = getenv("NO_COLOR");

	return (!path || strcmp(path, "-") == 0) && isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

int cli_out_of_memory(void)
{
	fprintf(stderr, "moestat: out of memory\n");
	return EX_OSERR;
}

void cli_output_discard(struct cli_output *out)
{
	if (out->fp != stdout)
		fclose(out->fp);
	if (out->tmp)
		unlink(out->tmp);
	free(out->tmp);
	out->tmp = NULL;
}

int cli_output_close(struct cli_output *out, int render_rc)
{
	const char *name = out->path ? out->path : "<stdout>";
	bool failed = render_rc < 0 || fflush(out->fp) != 0 || ferror(out->fp);
	int saved = errno;

	if (out->fp != stdout && fclose(out->fp) != 0 && !failed) {
		failed = true;
		saved = errno;
	}
	if (!failed && out->tmp && rename(out->tmp, out->path) != 0) {
		failed = true;
		saved = errno;
	}
	if (failed && out->tmp)
		unlink(out->tmp);
	free(out->tmp);
	out->tmp = NULL;
	if (render_rc < 0)
		return cli_out_of_memory();
	if (failed) {
		fprintf(stderr, "moestat: %s: write error: %s\n", name, strerror(saved));
		return EX_IOERR;
	}
	return 0;
}

/* -j: the files read by a pool of threads, each file into a state of its own,
 * merged in the order of the files by the caller's thread. At most 2 * jobs
 * parts are held at once, so memory stays bounded by the model's shape. */
struct part {
	struct state state;
	struct moe_error err;
	bool started, done;
	int status;                     /* 0, or the exit status of err */
};

struct pool {
	const struct cli_common *c;
	struct reader_options read;     /* the common ones, without blocks: the pool has threads */
	const struct state_options *opt;
	char **files;
	size_t nfiles, next, merged;
	size_t nthreads;                /* 0: no thread to be had, each part read by merge_parts */
	bool stop;
	struct part *parts;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void read_part(struct pool *p, struct part *part, char **file)
{
	struct reader *r = NULL;
	struct moe_record rec;
	int rc = -1;

	/* err may hold a record that --skip-bad passed over: only rc says the part failed. */
	if (state_init(&part->state, p->opt) < 0 || !(r = reader_open(file, 1, &p->read)))
		goto oom;
	while ((rc = reader_next(r, &rec, &part->err)) > 0)
		if (state_add(&part->state, &rec) < 0)
			goto oom;
	if (rc == 0 && state_finish(&part->state, reader_input(r)) < 0)
		goto oom;
	part->status = rc < 0 ? part->err.status : 0;
	reader_close(r);
	return;
oom:
	moe_error_set(&part->err, EX_OSERR, NULL, 0, "out of memory");
	part->status = EX_OSERR;
	reader_close(r);
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t i;

		while (!p->stop && p->next < p->nfiles && p->next >= p->merged + 2 * p->c->jobs)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || p->next == p->nfiles)
			break;
		i = p->next++;
		p->parts[i].started = true;
		pthread_mutex_unlock(&p->mu);
		read_part(p, &p->parts[i], &p->files[i]);
		pthread_mutex_lock(&p->mu);
		p->parts[i].done = true;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Merges the parts into s as they finish, in order; the exit status. */
static int merge_parts(struct pool *p, struct state *s)
{
	int status = 0;

	for (size_t i = 0; i < p->nfiles && !status; i++) {
		struct part *part = &p->parts[i];

		if (p->nthreads == 0) {
			read_part(p, part, &p->files[i]);
			part->done = true;
		}
		pthread_mutex_lock(&p->mu);
		while (!part->done)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (part->status || state_merge(s, &part->state, p->files[i], &part->err) < 0)
			status = cli_error(&part->err);
		state_free(&part->state);
		pthread_mutex_lock(&p->mu);
		p->merged++;
		p->stop = status != 0;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return status;
}

static int read_parts(const struct cli_common *c, size_t nfiles, char **files,
                      const struct state_options *opt, struct state *s)
{
	struct pool p = { .c = c, .read = c->read, .opt = opt, .files = files, .nfiles = nfiles };
	pthread_t thread[256];
	int status;

	p.read.no_blocks = true;
	p.parts = calloc(nfiles, sizeof *p.parts);
	if (!p.parts)
		return cli_out_of_memory();
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	while (p.nthreads < c->jobs && p.nthreads < nfiles &&
	       pthread_create(&thread[p.nthreads], NULL, worker, &p) == 0)
		p.nthreads++;
	status = merge_parts(&p, s);
	for (size_t i = 0; i < p.nthreads; i++)
		pthread_join(thread[i], NULL);
	/* Parts read after an error are not merged. */
	for (size_t i = 0; i < nfiles; i++)
		if (p.parts[i].done && i >= p.merged)
			state_free(&p.parts[i].state);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.parts);
	return status;
}

static int add_record(void *ctx, const struct moe_record *rec)
{
	return state_add(ctx, rec);
}

int cli_read_state(const struct cli_common *c, int nfiles, char **files,
                   const struct state_options *opt, struct state *s)
{
	static char *stdin_only[] = { "-", NULL };
	struct reader_parts parts;
	struct reader_shards shards;
	struct reader *r;
	int status;

	if (c->save_state && c->output)
		return cli_usage_error(c, "--save-state writes the state instead of the report: not with -o");
	if (state_init(s, opt) < 0)
		return cli_out_of_memory();
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	if (c->jobs) {
		status = read_parts(c, (size_t)nfiles, files, opt, s);
	} else {
		/* Parts where the sink takes them, else shards. */
		bool in_parts = state_parts(s, &parts);

		status = read_records(c, nfiles, files, add_record, s, in_parts ? &parts : NULL,
		                      !in_parts && state_shards(s, &shards) ? &shards : NULL, &r);
		if (status == 0 && state_finish(s, reader_input(r)) < 0)
			status = cli_out_of_memory();
		reader_close(r);
	}
	if (status)
		state_free(s);
	return status;
}

void cli_state_options(const struct cli_common *c, struct state_options *opt)
{
	opt->experts = c->read.experts;
	opt->has_layers = c->read.layers != NULL;
	if (c->read.layers)
		memcpy(opt->layers, c->read.layers, sizeof opt->layers);
	opt->has_domain = c->read.domain != NULL;
	if (c->read.domain)
		snprintf(opt->domain, sizeof opt->domain, "%s", c->read.domain);
}

int cli_save_state(const struct state *s, const char *path)
{
	struct cli_output out;
	int rc = cli_output_open(&out, path);

	return rc ? rc : cli_output_close(&out, state_save(s, out.fp));
}
