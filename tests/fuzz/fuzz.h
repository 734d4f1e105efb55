/*
 * Fuzz targets: each file defines LLVMFuzzerTestOneInput for one parser.
 * With ./configure --enable-fuzzing CC=clang they link with libFuzzer
 * (scripts/fuzz runs them); every build also links them with replay.c,
 * which make check runs over tests/fuzz/corpus/TARGET/ so each seed and
 * each crash ever found stays a regression test.
 */
#ifndef WSX_TESTS_FUZZ_H
#define WSX_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property every input must keep: abort (a crash for libFuzzer) if not. */
#define FUZZ_ASSERT(cond)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
