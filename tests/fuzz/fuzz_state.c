/* fuzz_state.c: libFuzzer target: the bytes as a state file; a state that loads is saved, merged with itself and freed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_state.XXXXXX";
	struct moe_error err = { 0 };
	struct state s, twice;
	int fd = mkstemp(path);
	FILE *null;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (state_load(&s, path, &err) == 0) {
		if (!(null = fopen("/dev/null", "w")))
			abort();
		state_save(&s, null);
		fclose(null);
		if (state_init(&twice, &s.opt) == 0) {
			if (state_merge(&twice, &s, path, &err) == 0)
				state_merge(&twice, &s, path, &err);
			state_free(&twice);
		}
		state_free(&s);
	}
	unlink(path);
	return 0;
}
