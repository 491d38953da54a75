/* floor_strtod.c: the strtod floor of make bench: parse every logit of an mlog with logits, and sum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The logits are the third field of a "layer experts logits" record (fields=layer,experts,logits). */
int main(int argc, char **argv)
{
	unsigned long long count = 0;
	double sum = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (argc != 2) {
		fputs("usage: floor_strtod FILE.mlog\n", stderr);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (getline(&line, &cap, f) > 0) {
		char *p, *end;

		if (line[0] == '#')
			continue;
		p = strchr(line, ' ');
		p = p ? strchr(p + 1, ' ') : NULL;
		if (!p) {
			fprintf(stderr, "floor_strtod: %s: no logits\n", argv[1]);
			return 1;
		}
		for (p++;; p = end + 1) {
			sum += strtod(p, &end);
			if (end == p) {
				fprintf(stderr, "floor_strtod: %s: bad number\n", argv[1]);
				return 1;
			}
			count++;
			if (*end != ',')
				break;
		}
	}
	free(line);
	fclose(f);
	printf("%llu %.17g\n", count, sum);
	return 0;
}
