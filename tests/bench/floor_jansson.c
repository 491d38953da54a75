/* floor_jansson.c: the jansson floor of make bench: json_loadb each line of a JSON Lines file. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	unsigned long long lines = 0, items = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	if (argc != 2) {
		fputs("usage: floor_jansson FILE.jsonl\n", stderr);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		json_error_t err;
		json_t *doc = json_loadb(line, (size_t)len, 0, &err);

		if (!doc) {
			fprintf(stderr, "floor_jansson: %s:%d: %s\n", argv[1], err.line, err.text);
			return 1;
		}
		/* Something that depends on the document, so that nothing is optimised away. */
		items += json_object_size(doc);
		lines++;
		json_decref(doc);
	}
	free(line);
	fclose(f);
	printf("%llu %llu\n", lines, items);
	return 0;
}
