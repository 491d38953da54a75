# moestat: GNU make. The user owns CFLAGS, CPPFLAGS and LDFLAGS; the project's flags are MOE_*.

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
INSTALL ?= install

# gzip is inflated with ISA-L's igzip where it is installed (ISAL=0: with zlib only).
ISAL ?= $(shell $(PKG_CONFIG) --exists libisal && echo 1 || echo 0)
DEPS = zlib jansson
ifeq ($(ISAL),1)
DEPS += libisal
BACKEND = -DMOESTAT_ISAL
endif
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
MOE_FLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARNINGS) -pthread \
	-DMOESTAT_VERSION='"$(VERSION)"'
MOE_CFLAGS = $(MOE_FLAGS) $(BACKEND) $(shell $(PKG_CONFIG) --cflags $(DEPS))
MOE_LIBS = $(shell $(PKG_CONFIG) --libs $(DEPS)) -lm -pthread
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check)

# Everything but main.c, so the unit tests link the same stages.
LIB_SRC = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ = $(LIB_SRC:src/%.c=build/%.o)
TEST_SRC = $(wildcard tests/check_*.c) tests/testutil.c
TEST_OBJ = $(TEST_SRC:tests/%.c=build/tests/%.o)

# The sanitizer build lives beside the normal one, so both can be current.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_OBJ = $(LIB_SRC:src/%.c=build/san/%.o) build/san/main.o
SAN_TEST_OBJ = $(TEST_SRC:tests/%.c=build/san/tests/%.o)
# The zlib-only build, beside the other: the benchmark checks both give the same output.
ZLIB_OBJ = $(LIB_SRC:src/%.c=build/zlib/%.o) build/zlib/main.o

all: moestat

moestat: $(LIB_OBJ) build/main.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MOE_LIBS)

build/%.o: src/%.c | build/tests
	$(CC) $(CPPFLAGS) $(MOE_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

build/san/%.o: src/%.c | build/san
	$(CC) $(CPPFLAGS) $(MOE_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/zlib/%.o: src/%.c | build/zlib
	$(CC) $(CPPFLAGS) $(MOE_FLAGS) $(shell $(PKG_CONFIG) --cflags zlib jansson) $(CFLAGS) -MMD -MP -c -o $@ $<

moestat-zlib: $(ZLIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs zlib jansson) -lm -pthread

build/tests/%.o: tests/%.c | build/tests
	$(CC) $(CPPFLAGS) $(MOE_CFLAGS) $(CHECK_CFLAGS) -Isrc $(CFLAGS) -MMD -MP -c -o $@ $<

build/san/tests/%.o: tests/%.c | build/san/tests
	$(CC) $(CPPFLAGS) $(MOE_CFLAGS) $(CHECK_CFLAGS) -Isrc $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/san build/san/tests build/zlib build/tests build/fuzz:
	mkdir -p $@

# libFuzzer targets (clang, with libclang-rt-14-dev): one for each input format, read through
# the reader, one for the gzip layer and the line splitter, held against zlib, and one for the
# state files of merge. The stages are
# built for the fuzzer beside the others.
FUZZ_CC ?= clang
FUZZ_TARGETS = mlog jsonl csv steps source state blocks
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ = $(LIB_SRC:src/%.c=build/fuzz/%.o) build/fuzz/fuzz.o
FUZZ_LINK = $(FUZZ_CC) $(CPPFLAGS) $(MOE_CFLAGS) -Isrc $(FUZZ_FLAGS) -fsanitize=fuzzer $(LDFLAGS)

build/fuzz/%.o: src/%.c | build/fuzz
	$(FUZZ_CC) $(CPPFLAGS) $(MOE_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

build/fuzz/fuzz.o: tests/fuzz/fuzz.c | build/fuzz
	$(FUZZ_CC) $(CPPFLAGS) $(MOE_CFLAGS) -Isrc $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

# mlog, csv and steps: one source, the format given by name.
build/fuzz_mlog build/fuzz_csv build/fuzz_steps: build/fuzz_%: tests/fuzz/fuzz_format.c $(FUZZ_OBJ)
	$(FUZZ_LINK) -DFUZZ_FORMAT=MOE_FORMAT_$(shell echo $* | tr a-z A-Z) -o $@ $^ $(MOE_LIBS)

build/fuzz_jsonl build/fuzz_source build/fuzz_state build/fuzz_blocks: build/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_LINK) -o $@ $^ $(MOE_LIBS)

# make fuzz FUZZ_SECONDS=N runs each target N seconds (FUZZ_TIME is the older name), FUZZ_JOBS
# at a time (2 unless said otherwise): 3 N seconds in all. A finding (a crash, a leak, a broken
# promise, an input over FUZZ_TIMEOUT seconds, a run over 2 GB) fails the target, which then
# shows the end of its log. The corpora, the logs and the findings stay under build/fuzz, out of
# the source tree.
FUZZ_TIME ?= 60
FUZZ_SECONDS ?= $(FUZZ_TIME)
FUZZ_TIMEOUT ?= 20
FUZZ_JOBS ?= 2
fuzz:
	$(MAKE) -j$(FUZZ_JOBS) $(FUZZ_TARGETS:%=fuzz-%)

# The state file's seeds are the states of the three commands, which moestat writes.
fuzz-state: moestat

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: build/fuzz_%
	rm -rf build/fuzz/$*-seeds
	mkdir -p build/fuzz/$* build/fuzz/findings
	tests/fuzz/seed $* build/fuzz/$*-seeds
	@echo "fuzz_$*: $(FUZZ_SECONDS) s, log in build/fuzz/$*.log"
	@if build/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) -max_len=8192 \
		-dict=tests/fuzz/$*.dict -artifact_prefix=build/fuzz/findings/$*- \
		build/fuzz/$* build/fuzz/$*-seeds >build/fuzz/$*.log 2>&1; then \
		grep '^#[0-9]*.*DONE' build/fuzz/$*.log | sed 's/^/fuzz_$*: /'; \
	else \
		grep -v "^#[0-9]\|NEW_FUNC" build/fuzz/$*.log | tail -n 40; \
		echo "fuzz_$*: FAILED, the input is in build/fuzz/findings"; exit 1; \
	fi

build/check_moestat: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(MOE_LIBS)

build/moestat-san: $(SAN_OBJ)
	$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(MOE_LIBS)

# UPDATE=1 rewrites the command-line goldens; only after checking the new numbers by hand.
check: moestat moestat-zlib build/check_moestat build/moestat-san
	build/check_moestat
	MOESTAT=./moestat UPDATE=$(UPDATE) tests/cli/run tests/cli
	MOESTAT=build/moestat-san tests/cli/run tests/cli/bad-*.sh tests/cli/report-tiny.sh tests/cli/heatmap-tiny.sh
	MOESTAT=./moestat-zlib tests/cli/run tests/cli/bad-*.sh tests/cli/stdin-and-streams.sh
	MOESTAT_THREADS=1 MOESTAT=./moestat tests/cli/run tests/cli/bad-*.sh tests/cli/stdin-and-streams.sh
	tests/check-install
	tests/check-report ./moestat
	tests/man-lint man/moestat.1 man/moestat.5

build/check_moestat-san: $(SAN_TEST_OBJ) $(filter-out build/san/main.o,$(SAN_OBJ))
	$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(MOE_LIBS)

# The whole suite, unit tests and command-line tests, built with AddressSanitizer and UBSan;
# any report ends the program with a failure, which fails its test.
check-sanitize: build/check_moestat-san build/moestat-san
	build/check_moestat-san
	MOESTAT=build/moestat-san tests/cli/run tests/cli

# The command-line tests with moestat under valgrind's memcheck (tests/valgrind, the MOESTAT
# wrapper: --error-exitcode=1 --leak-check=full). An error fails the test (its status or its
# stderr differ), and as a status of 1 could pass for `dead --fail`'s, each run's report goes
# to build/valgrind, which must stay empty. JOBS tests at a time, as for make check (2 minutes
# on 2 idle cores). All the tests but six. Valgrind computes x87 long double at double
# precision, and compare.sh and replay-tiny.sh print figures summed in long double to 17
# digits, whose last digit then differs; the oracle cases run the same commands, compared with
# a tolerance. oracle-place.sh names the busiest device of each chunk, where device loads
# summed in long double can tie at double precision and the tie go the other way.
# bad-long-line.sh and bad-gzip-bomb.sh scan and inflate gigabytes to show the bounds on
# memory, which takes minutes under memcheck's byte-at-a-time memchr and memcpy;
# convert-round-trip.sh runs some 300 commands on the samples, a third of the whole under
# memcheck, where bad-convert.sh and megatron-trace.sh run convert's code here too;
# threads-same.sh reads 11 MB logs 72 times to show that blocks read on threads change
# nothing, where check_blocks.c does the same with the reader alone (2.5 minutes under
# memcheck: CK_FORK=no CK_RUN_SUITE=blocks valgrind build/check_moestat);
# check-sanitize runs all of them with ASan and UBSan.
VALGRIND_SKIP = compare.sh replay-tiny.sh oracle-place.sh bad-long-line.sh bad-gzip-bomb.sh \
	convert-round-trip.sh threads-same.sh
VALGRIND_TESTS = $(filter-out $(VALGRIND_SKIP:%=tests/cli/%),$(wildcard tests/cli/*.sh))
check-valgrind: moestat
	rm -rf build/valgrind
	mkdir -p build/valgrind
	VALGRIND_LOGS=$(CURDIR)/build/valgrind MOESTAT_BIN=$(CURDIR)/moestat MOESTAT=tests/valgrind \
		tests/cli/run $(VALGRIND_TESTS)
	@if grep -l . build/valgrind/*.log; then cat build/valgrind/*.log; \
		echo "check-valgrind: valgrind reported errors, above"; exit 1; fi

# Validation on the real router logs beside the project, when they are there.
REAL_LOGS ?= ../shared/real-logs
check-real: moestat
	@if [ -d $(REAL_LOGS) ]; then python3 tests/real/check_real.py ./moestat $(REAL_LOGS); \
	else echo "check-real: $(REAL_LOGS) not found, nothing to check"; fi

# The benchmark of issue 5, recorded in BENCHMARKS.md; its floors get moestat's flags.
# RUNS=, SCALE= and the other settings: tests/bench/run.
bench: export BENCH_CC = $(CC)
bench: export BENCH_CFLAGS = $(CPPFLAGS) $(MOE_CFLAGS) $(CFLAGS)
bench: export BENCH_LDFLAGS = $(LDFLAGS)
bench: moestat moestat-zlib
	tests/bench/run

samples:
	python3 sample-logs/generate.py sample-logs

install: moestat
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 755 moestat $(DESTDIR)$(BINDIR)/moestat
	$(INSTALL) -m 644 man/moestat.1 $(DESTDIR)$(MANDIR)/man1/moestat.1
	$(INSTALL) -m 644 man/moestat.5 $(DESTDIR)$(MANDIR)/man5/moestat.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/moestat $(DESTDIR)$(MANDIR)/man1/moestat.1 \
		$(DESTDIR)$(MANDIR)/man5/moestat.5

clean:
	rm -rf build moestat moestat-zlib

.PHONY: all check check-sanitize check-valgrind check-real bench fuzz $(FUZZ_TARGETS:%=fuzz-%) \
	samples install uninstall clean

-include $(wildcard build/*.d build/san/*.d build/san/tests/*.d build/zlib/*.d build/tests/*.d \
	build/fuzz/*.d)
