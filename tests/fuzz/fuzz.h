/* fuzz.h: what the libFuzzer targets share: the input as a file, and the reader's promises checked on it. */
#ifndef MOESTAT_FUZZ_H
#define MOESTAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "moestat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes the input to a temporary file made on the first call (removed at
 * exit) and returns its path: the stages read files, not memory. */
const char *fuzz_input_file(const uint8_t *data, size_t size);

/* Prints what broke, with the input's file, and aborts: a finding. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Reads path to its end through the reader as format, twice: strictly, and
 * with --skip-bad over the file given twice (one stream of two files). Aborts
 * when a record breaks reader.h's promises or an error is not of the form
 * "FILE:LINE: message" with a documented status. */
void fuzz_read(const char *path, enum moe_format format);

#endif
