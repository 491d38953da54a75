/* mlog_avx512.h: mlog's common line, "layer id,id,...", read and checked with AVX-512 in one go. */
#ifndef MOESTAT_MLOG_AVX512_H
#define MOESTAT_MLOG_AVX512_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "moestat.h"

/* Ids a line read here has at most; ids must have room for one more. */
#define MLOG_AVX512_IDS 15

/* Whether this processor and its system run mlog_avx512_line (AVX-512 F, BW,
 * CD, VBMI and VBMI2), and MOESTAT_SIMD is not "0" in the environment. */
bool mlog_avx512_usable(void);

/* Reads the line at s, of which avail bytes are the caller's (64 bytes from s
 * must be readable): a layer of 1 to 4 digits, one space, then 1 to
 * MLOG_AVX512_IDS ids of 1 to 4 digits separated by commas, then a newline,
 * all within min(avail, 64) bytes. Taken only when the ids are distinct, each
 * below experts (when experts > 0), and there are topk of them (when topk >
 * 0). Then fills *layer, ids[0 .. *k) (writing ids[0 .. 16)) and returns the
 * line's length with its newline; otherwise returns 0 and the caller reads
 * the line another way, which also says what is wrong with it. Call only
 * when mlog_avx512_usable. */
size_t mlog_avx512_line(const char *s, size_t avail, unsigned experts, unsigned topk, unsigned *layer,
                        uint32_t *ids, size_t *k);

/* The lines from s on (64 bytes past end readable) of the same shape, each
 * taken as mlog_avx512_line takes it with lim's experts and topk, and ending
 * before end, read into run as its records n, n + 1, ... (up to MOE_RUN; ids
 * from run->start[n] on, with room for 16 more past the last): the new
 * number of records, run->start[] set to match, with *stop at the first line
 * not taken. */
size_t mlog_avx512_run(const char *s, const char *end, const struct moe_limits *lim,
                       struct moe_run *run, size_t n, const char **stop);

#endif
