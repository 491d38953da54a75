/* floor_isal.c: the ISA-L floor of make bench: isal_inflate a gzip file (every member) into a buffer. */
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static unsigned char in[1 << 20], out[1 << 20];
	static struct inflate_state st;
	unsigned long long total = 0;
	int fd, eof = 0, finished = 0;
	ssize_t n;

	if (argc != 2) {
		fputs("usage: floor_isal FILE.gz\n", stderr);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	isal_inflate_init(&st);
	st.crc_flag = ISAL_GZIP;
	for (;;) {
		if (st.avail_in == 0 && !eof) {
			n = read(fd, in, sizeof in);
			if (n < 0) {
				perror(argv[1]);
				return 1;
			}
			eof = n == 0;
			st.next_in = in;
			st.avail_in = (uint32_t)n;
		}
		if (st.avail_in == 0 && eof)
			break;
		/* The next member: a new header, a new crc; whatever follows the trailer is its input. */
		if (finished) {
			uint32_t avail = st.avail_in;
			uint8_t *next = st.next_in;

			isal_inflate_reset(&st);
			st.crc_flag = ISAL_GZIP;
			st.next_in = next;
			st.avail_in = avail;
			finished = 0;
		}
		st.next_out = out;
		st.avail_out = sizeof out;
		if (isal_inflate(&st) != ISAL_DECOMP_OK) {
			fprintf(stderr, "floor_isal: %s: gzip error\n", argv[1]);
			return 1;
		}
		total += sizeof out - st.avail_out;
		finished = st.block_state == ISAL_BLOCK_FINISH;
		if (!finished && eof && st.avail_in == 0 && st.avail_out != 0) {
			fprintf(stderr, "floor_isal: %s: truncated\n", argv[1]);
			return 1;
		}
	}
	if (!finished) {
		fprintf(stderr, "floor_isal: %s: truncated\n", argv[1]);
		return 1;
	}
	close(fd);
	printf("%llu\n", total);
	return 0;
}
