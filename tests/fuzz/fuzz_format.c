/* fuzz_format.c: libFuzzer target: the bytes as a file of one format (FUZZ_FORMAT, set by make), read through the reader. */
#include "fuzz.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=MOE_FORMAT_MLOG (or _CSV, _STEPS, _JSONL)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read(fuzz_input_file(data, size), FUZZ_FORMAT);
	return 0;
}
