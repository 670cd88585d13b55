/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A crowd of processes that each touch some memory, free it with
 * MADV_FREE when told, and exit when told: the soak test counts the
 * module's records for them, the benchmark weighs them.
 */
#ifndef MADVSTAT_CROWD_H
#define MADVSTAT_CROWD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct crowd {
	pid_t *pids;
	int nr;
	/* One pipe per step: with one, a quick child takes a slow one's. */
	int go_free[2], done[2], go_exit[2];
};

/* Fork n children, each with bytes touched; returns 0 or -errno. */
int crowd_start(struct crowd *c, int n, size_t bytes);
/* Each frees its memory; returns when all have. */
int crowd_free(struct crowd *c);
/* Each exits; returns how many did not exit with status 0. */
int crowd_exit(struct crowd *c);
/* Kill what is left (after a failure) and free c. */
void crowd_kill(struct crowd *c);

#endif /* MADVSTAT_CROWD_H */
