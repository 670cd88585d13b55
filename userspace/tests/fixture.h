/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixture trees for the host unit tests: files standing in for /proc and
 * /sys/fs/cgroup under a temporary directory.
 */
#ifndef MADVSTAT_FIXTURE_H
#define MADVSTAT_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Write root/rel with text, making the directories on the way. */
static inline void fixture_put(const char *root, const char *rel,
			       const char *text)
{
	char path[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* Remove the tree root. */
static inline void fixture_remove(const char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		printf("# could not remove %s\n", root);
}

#endif /* MADVSTAT_FIXTURE_H */
