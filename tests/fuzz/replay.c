/*
 * Runs a fuzz target over its corpus without libFuzzer, as a TAP test:
 * every file in $WSX_SRCDIR/tests/fuzz/corpus/FUZZ_TARGET/ is one input
 * (FUZZ_TARGET is defined by the build). A crash fails the test.
 */
#include "config.h"

#include <dirent.h>
#include <string.h>

#include "fuzz.h"
#include "../unit/tap.h"

static void
replay_file(const char *path, const char *name)
{
	unsigned char *data = NULL;
	size_t size = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");

	if (!ok(f != NULL, "%s: readable", name))
		return;
	do {
		if (size == cap) {
			cap = cap ? cap * 2 : 4096;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n);
	fclose(f);
	LLVMFuzzerTestOneInput(data, size);
	ok(1, "%s (%zu bytes)", name, size);
	free(data);
}

int
main(void)
{
	const char *srcdir = getenv("WSX_SRCDIR");
	char dir[4096], path[8192];
	struct dirent **names;
	int n;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
		 srcdir ? srcdir : ".", FUZZ_TARGET);
	n = scandir(dir, &names, NULL, alphasort);
	if (!ok(n > 2, "corpus %s has inputs", dir))
		return done_testing();
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			replay_file(path, names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	return done_testing();
}
