// SPDX-License-Identifier: GPL-2.0
/*
 * jefree: a C program on jemalloc (linked statically with Debian's
 * libjemalloc.a), for runtime_test. It allocates and writes 128 MiB in
 * 1 MiB blocks, frees every other one (64 MiB), lets their decay run
 * (arena.<all>.decay), prints "freed", then holds for the seconds given
 * (default 60). With MALLOC_CONF=dirty_decay_ms:1,muzzy_decay_ms:10000,
 * jemalloc purges the freed pages lazily, with MADV_FREE. Freeing every
 * other block keeps each free extent at 1 MiB: freed neighbours would
 * coalesce past opt.oversize_threshold (8 MiB), which jemalloc purges at
 * once with MADV_DONTNEED (src/extent.c extent_record).
 */
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCKS	128
#define BLOCK	(1UL << 20)

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	char cmd[64];
	void *blocks[BLOCKS];
	long hold = argc > 1 ? strtol(argv[1], NULL, 10) : 60;
	int i;

	for (i = 0; i < BLOCKS; i++) {
		blocks[i] = malloc(BLOCK);
		if (!blocks[i]) {
			fprintf(stderr, "jefree: out of memory\n");
			return 1;
		}
		memset(blocks[i], 1, BLOCK);
	}
	for (i = 1; i < BLOCKS; i += 2)
		free(blocks[i]);
	/*
	 * Decay advances by epochs, each one seen by a decay pass: a few
	 * passes, each past dirty_decay_ms, move every freed page along.
	 */
	snprintf(cmd, sizeof(cmd), "arena.%u.decay", MALLCTL_ARENAS_ALL);
	for (i = 0; i < 20; i++) {
		sleep_ms(10);
		if (mallctl(cmd, NULL, NULL, NULL, 0)) {
			fprintf(stderr, "jefree: mallctl %s failed\n", cmd);
			return 1;
		}
	}
	printf("freed\n");
	fflush(stdout);
	sleep((unsigned int)hold);
	return 0;
}
