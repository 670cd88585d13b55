// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching probes to kernel tracepoints by name. Tracepoint structures are
 * not exported one by one; for_each_kernel_tracepoint() finds them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>
#include <linux/tracepoint.h>

#include "madvstat.h"

struct madvstat_tp_search {
	struct madvstat_tp *tps;
	unsigned int n;
};

static void madvstat_tp_match(struct tracepoint *tp, void *priv)
{
	struct madvstat_tp_search *s = priv;
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!s->tps[i].tp && !strcmp(tp->name, s->tps[i].name))
			s->tps[i].tp = tp;
}

/**
 * madvstat_tp_register - attach each probe to the tracepoint of its name
 * @tps: the probes; ->tp must be NULL on entry
 * @n: how many
 *
 * All or nothing: on failure none stays attached.
 *
 * Return: 0, -ENOENT if a tracepoint does not exist, or the error of
 * tracepoint_probe_register().
 */
int madvstat_tp_register(struct madvstat_tp *tps, unsigned int n)
{
	struct madvstat_tp_search s = { .tps = tps, .n = n };
	unsigned int i;
	int err = 0;

	for_each_kernel_tracepoint(madvstat_tp_match, &s);
	for (i = 0; i < n; i++) {
		if (!tps[i].tp) {
			pr_err("tracepoint %s not found\n", tps[i].name);
			err = -ENOENT;
			break;
		}
		err = tracepoint_probe_register(tps[i].tp, tps[i].probe, NULL);
		if (err) {
			pr_err("cannot attach to tracepoint %s: %d\n",
			       tps[i].name, err);
			break;
		}
	}
	if (!err)
		return 0;
	while (i--)
		tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
	tracepoint_synchronize_unregister();
	for (i = 0; i < n; i++)
		tps[i].tp = NULL;
	return err;
}

/* Detach, and wait until no probe runs any more. */
void madvstat_tp_unregister(struct madvstat_tp *tps, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (tps[i].tp)
			tracepoint_probe_unregister(tps[i].tp, tps[i].probe,
						    NULL);
	tracepoint_synchronize_unregister();
	for (i = 0; i < n; i++)
		tps[i].tp = NULL;
}
