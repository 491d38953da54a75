/* mlog_avx512.c: a whole "layer id,id,..." line read from one 64-byte load: byte masks check its shape, one permute gathers its numbers' digits, two multiplies give their values. */
#include "mlog_avx512.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512cd,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt")))

bool mlog_avx512_usable(void)
{
	const char *simd = getenv("MOESTAT_SIMD");

	if (simd && strcmp(simd, "0") == 0)
		return false;
	__builtin_cpu_init();
	/* libgcc and compiler-rt answer false where the system does not save the
	 * AVX-512 registers (XCR0), as under valgrind, which has no AVX-512. */
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512vbmi") &&
	       __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2");
}

/* Byte i is i: compressed by a mask, the places of its bits. */
static const unsigned char place[64] __attribute__((aligned(64))) = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
};

/* Byte 4j + b is j: number j's byte spread over the four bytes of its slot. */
static const unsigned char spread[64] __attribute__((aligned(64))) = {
	0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
	4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7,
	8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11,
	12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15,
};

/* Byte 4j + b is j - 1 (and 0 for j = 0): the number before. */
static const unsigned char spread_before[64] __attribute__((aligned(64))) = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6,
	7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10,
	11, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14,
};

/* Byte 4j + b is 3 - b: how far before a number's last digit byte b of its slot reads. */
static const unsigned char back[64] __attribute__((aligned(64))) = {
	3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0,
	3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0,
	3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0,
	3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0,
};

/* The line s[0, len) and its newline (len < 64; 64 bytes from s readable),
 * as mlog_avx512_run takes it: false when it does not. */
static inline __attribute__((always_inline)) AVX512 bool
read_line(const char *s, unsigned len, unsigned experts, unsigned topk, unsigned *layer, uint32_t *ids,
          size_t *k)
{
	const __m512i x = _mm512_loadu_si512((const void *)s);
	uint64_t line = _bzhi_u64(~0ull, len);
	uint64_t digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8('0')),
	                                        _mm512_set1_epi8(10)) & line;
	uint64_t comma = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(',')) & line;
	uint64_t space = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(' ')) & line;
	uint64_t last = digit & ~(digit >> 1);  /* a number's last digit */
	uint64_t sep = comma | space | 1ull << len;

	/* Nothing but digits, commas and one space; a digit first and before
	 * every separator (no empty number); the space right after the first
	 * number, so that the rest are ids. */
	if ((digit | comma | space) != line || !(digit & 1) || (sep >> 1 & ~digit) ||
	    space != (last & -last) << 1)
		return false;
	unsigned numbers = (unsigned)_mm_popcnt_u64(last);
	size_t n = numbers - 1;

	if (numbers > MLOG_AVX512_IDS + 1 || (topk && n != topk))
		return false;
	const __m512i places = _mm512_load_si512((const void *)place);
	const __m512i backs = _mm512_load_si512((const void *)back);
	__m512i ends = _mm512_maskz_compress_epi8(last, places);
	__m512i end4 = _mm512_permutexvar_epi8(_mm512_load_si512((const void *)spread), ends);
	/* A separator is one byte: number j > 0 starts two bytes after number
	 * j - 1 ends, number 0 at 0. */
	__m512i start4 = _mm512_maskz_permutexvar_epi8(~0xfull, _mm512_load_si512((const void *)spread_before),
	                                               ends);

	start4 = _mm512_mask_add_epi8(start4, ~0xfull, start4, _mm512_set1_epi8(2));
	/* At most 4 digits a number. */
	if (_mm512_mask_cmpgt_epu8_mask(_bzhi_u64(~0ull, 4 * numbers), _mm512_sub_epi8(end4, start4),
	                                _mm512_set1_epi8(3)))
		return false;
	/* Slot j's bytes b = 0..3 read the byte 3 - b before number j's last
	 * digit, where it is one of its digits (from >= its start, as signed
	 * bytes: before byte 0 is below 0), and are 0 where not. */
	__m512i from = _mm512_sub_epi8(end4, backs);
	__mmask64 inside = _mm512_cmpge_epi8_mask(from, start4);
	__m512i d = _mm512_maskz_sub_epi8(inside, _mm512_permutexvar_epi8(from, x), _mm512_set1_epi8('0'));
	/* Pairs of digits (10, 1), then pairs of pairs (100, 1): slot j's value. */
	__m512i pairs = _mm512_maddubs_epi16(d, _mm512_set1_epi16(1 << 8 | 10));
	__m512i value = _mm512_madd_epi16(pairs, _mm512_set1_epi32(1 << 16 | 100));
	__m512i id = _mm512_alignr_epi32(_mm512_setzero_si512(), value, 1);
	__mmask16 in = (__mmask16)_bzhi_u32(~0u, (unsigned)n);

	if (experts && _mm512_mask_cmpge_epu32_mask(in, id, _mm512_set1_epi32((int)experts)))
		return false;
	/* Lane i's conflict bits name the lanes before it with the same id. */
	__m512i same = _mm512_conflict_epi32(id);

	if (_mm512_mask_test_epi32_mask(in, same, same))
		return false;
	_mm512_storeu_si512((void *)ids, id);
	*layer = (unsigned)_mm_cvtsi128_si32(_mm512_castsi512_si128(value));
	*k = n;
	return true;
}

/* The newlines among the 64 bytes at s that are before end. */
static inline __attribute__((always_inline)) AVX512 uint64_t newlines(const char *s, const char *end)
{
	uint64_t nl = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)s), _mm512_set1_epi8('\n'));

	return end - s >= 64 ? nl : _bzhi_u64(nl, (unsigned)(end - s));
}

AVX512 size_t mlog_avx512_run(const char *s, const char *end, const struct moe_limits *lim,
                              struct moe_run *run, size_t n, const char **stop)
{
	const unsigned experts = lim->experts, topk = lim->topk;
	uint32_t used = run->start[n];
	const char *base = s;
	uint64_t nl = newlines(base, end);
	size_t k;

	/* The newlines come from loads 64 bytes apart, not from the lines read:
	 * where the next line starts waits on two bit operations, not on reading
	 * this one, so that lines overlap in the processor. */
	while (n < MOE_RUN) {
		while (!nl) {
			base += 64;
			if (base >= end)
				goto out;
			nl = newlines(base, end);
		}
		const char *eol = base + _tzcnt_u64(nl);

		nl = _blsr_u64(nl);
		if (eol - s >= 64 ||
		    !read_line(s, (unsigned)(eol - s), experts, topk, &run->layer[n], run->ids + used, &k))
			break;
		run->start[n++] = used;
		used += (uint32_t)k;
		s = eol + 1;
	}
out:
	run->start[n] = used;
	*stop = s;
	return n;
}

AVX512 size_t mlog_avx512_line(const char *s, size_t avail, unsigned experts, unsigned topk,
                               unsigned *layer, uint32_t *ids, size_t *k)
{
	uint64_t nl = newlines(s, avail >= 64 ? s + 64 : s + avail);
	unsigned len = (unsigned)_tzcnt_u64(nl);

	if (!nl || !read_line(s, len, experts, topk, layer, ids, k))
		return 0;
	return len + 1;
}

#else

bool mlog_avx512_usable(void)
{
	return false;
}

size_t mlog_avx512_line(const char *s, size_t avail, unsigned experts, unsigned topk, unsigned *layer,
                        uint32_t *ids, size_t *k)
{
	(void)s, (void)avail, (void)experts, (void)topk, (void)layer, (void)ids, (void)k;
	return 0;
}

size_t mlog_avx512_run(const char *s, const char *end, const struct moe_limits *lim,
                       struct moe_run *run, size_t n, const char **stop)
{
	(void)end, (void)lim, (void)run;
	*stop = s;
	return n;
}

#endif
