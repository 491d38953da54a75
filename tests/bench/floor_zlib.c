/* floor_zlib.c: the zlib floor of make bench: gzread a gzip file into a 1 MiB buffer to the end. */
#include <stdio.h>
#include <zlib.h>

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned long long total = 0;
	gzFile gz;
	int n;

	if (argc != 2) {
		fputs("usage: floor_zlib FILE.gz\n", stderr);
		return 2;
	}
	gz = gzopen(argv[1], "rb");
	if (!gz) {
		perror(argv[1]);
		return 1;
	}
	/* zlib's default 8 KiB input buffer costs a little; a floor takes the best zlib offers. */
	gzbuffer(gz, 1 << 17);
	while ((n = gzread(gz, buf, sizeof buf)) > 0)
		total += (unsigned)n;
	if (n < 0 || gzclose(gz) != Z_OK) {
		fprintf(stderr, "floor_zlib: %s: gzip error\n", argv[1]);
		return 1;
	}
	printf("%llu\n", total);
	return 0;
}
