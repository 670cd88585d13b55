// SPDX-License-Identifier: GPL-2.0
/*
 * Pod and container names from the kubelet's log directories; see
 * podlogs.h.
 */
#include "podlogs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A field of a directory entry's name: not NUL-terminated. */
struct field {
	const char *s;
	size_t len;
};

/*
 * Whether f is a name Kubernetes allows: lower-case letters, digits and
 * '-' (and '.' in a subdomain), starting and ending with a letter or a
 * digit, at most max bytes. Copied into out if so.
 */
static bool take_dns_name(struct field f, bool subdomain, size_t max,
			  char *out)
{
	const char *set = subdomain ? "abcdefghijklmnopqrstuvwxyz0123456789-." :
				      "abcdefghijklmnopqrstuvwxyz0123456789-";
	size_t i;

	if (!f.len || f.len > max || f.s[0] == '-' || f.s[0] == '.' ||
	    f.s[f.len - 1] == '-' || f.s[f.len - 1] == '.')
		return false;
	for (i = 0; i < f.len; i++)
		if (!strchr(set, f.s[i]))
			return false;
	memcpy(out, f.s, f.len);
	out[f.len] = '\0';
	return true;
}

/* s cut at its first sep into *head and *rest; false if it has none. */
static bool split_at(struct field s, char sep, struct field *head,
		     struct field *rest)
{
	const char *at = memchr(s.s, sep, s.len);

	if (!at)
		return false;
	head->s = s.s;
	head->len = (size_t)(at - s.s);
	rest->s = at + 1;
	rest->len = s.len - head->len - 1;
	return true;
}

/* "<namespace>_<pod>_<uid>" (a pod's log directory). */
static bool parse_pod_dir(const char *name, struct ms_pod_entry *e)
{
	struct field all = { name, strlen(name) }, ns, pod, uid, rest;

	if (!split_at(all, '_', &ns, &rest) || !split_at(rest, '_', &pod, &uid) ||
	    !ms_cgname_is_pod_uid(uid.s, uid.len))
		return false;
	memcpy(e->uid, uid.s, uid.len);
	e->uid[uid.len] = '\0';
	return take_dns_name(ns, false, MS_CG_LABEL_MAX, e->pod_namespace) &&
	       take_dns_name(pod, true, MS_CG_SUBDOMAIN_MAX, e->pod_name);
}

/* "<pod>_<namespace>_<container>-<id>.log" (a container's log link). */
static bool parse_container_link(const char *name,
				 struct ms_container_entry *e)
{
	struct field all = { name, strlen(name) }, pod, ns, ctr, rest;
	const char *dash;
	size_t i;

	if (all.len < 4 || strcmp(name + all.len - 4, ".log"))
		return false;
	all.len -= 4;
	if (!split_at(all, '_', &pod, &rest) || !split_at(rest, '_', &ns, &ctr))
		return false;
	/* The id is what follows the last '-': container names have some. */
	for (dash = ctr.s + ctr.len; dash > ctr.s && dash[-1] != '-'; dash--)
		;
	if (dash == ctr.s ||
	    (size_t)(ctr.s + ctr.len - dash) != MS_CG_ID_LEN)
		return false;
	for (i = 0; i < MS_CG_ID_LEN; i++)
		if (!strchr("0123456789abcdef", dash[i]))
			return false;
	memcpy(e->id, dash, MS_CG_ID_LEN);
	e->id[MS_CG_ID_LEN] = '\0';
	ctr.len = (size_t)(dash - 1 - ctr.s);
	return take_dns_name(pod, true, MS_CG_SUBDOMAIN_MAX, e->pod_name) &&
	       take_dns_name(ns, false, MS_CG_LABEL_MAX, e->pod_namespace) &&
	       take_dns_name(ctr, false, MS_CG_LABEL_MAX, e->container_name);
}

/*
 * Every entry of dir that parse() takes, into a malloc()ed array of
 * entries of size bytes (at most MS_PODLOGS_MAX). Returns how many, or a
 * negative errno (the directory's, or -ENOMEM).
 */
static long list_dir(const char *dir, size_t size, void **out,
		     bool (*parse)(const char *name, void *entry))
{
	size_t n = 0, cap = 0;
	struct dirent *de;
	char *v = NULL;
	DIR *d = opendir(dir);

	*out = NULL;
	if (!d)
		return -errno;
	while (n < MS_PODLOGS_MAX && (de = readdir(d))) {
		if (n == cap) {
			size_t grown_cap = cap ? cap * 2 : 64;
			char *grown = realloc(v, grown_cap * size);

			if (!grown) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = grown;
			cap = grown_cap;
		}
		if (parse(de->d_name, v + n * size))
			n++;
	}
	closedir(d);
	*out = v;
	return (long)n;
}

static bool parse_pod(const char *name, void *entry)
{
	return parse_pod_dir(name, entry);
}

static bool parse_container(const char *name, void *entry)
{
	return parse_container_link(name, entry);
}

/* Both entries begin with their key: the UID, or the id. */
static int cmp_key(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* list_dir() of <logdir>/<sub>, sorted; 0 or -ENOMEM, *err its errno. */
static int read_sorted(const char *logdir, const char *sub, size_t size,
		       bool (*parse)(const char *, void *), void **v,
		       size_t *n, int *err)
{
	char dir[PATH_MAX];
	long ret;

	*n = 0;
	*err = 0;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", logdir, sub) >=
	    sizeof(dir)) {
		*err = -ENAMETOOLONG;
		return 0;
	}
	ret = list_dir(dir, size, v, parse);
	if (ret == -ENOMEM)
		return -ENOMEM;
	if (ret < 0) {
		*err = (int)ret;
		return 0;
	}
	*n = (size_t)ret;
	if (*n > 1)
		qsort(*v, *n, size, cmp_key);
	return 0;
}

int ms_podlogs_read(const char *logdir, struct ms_podlogs *pl)
{
	void *pods = NULL, *containers = NULL;
	int ret;

	memset(pl, 0, sizeof(*pl));
	ret = read_sorted(logdir, "pods", sizeof(struct ms_pod_entry),
			  parse_pod, &pods, &pl->nr_pods, &pl->pods_err);
	pl->pods = pods;
	if (ret)
		return ret;
	ret = read_sorted(logdir, "containers",
			  sizeof(struct ms_container_entry), parse_container,
			  &containers, &pl->nr_containers,
			  &pl->containers_err);
	pl->containers = containers;
	return ret;
}

void ms_podlogs_free(struct ms_podlogs *pl)
{
	free(pl->pods);
	free(pl->containers);
	memset(pl, 0, sizeof(*pl));
}

void ms_podlogs_name(const struct ms_podlogs *pl, struct ms_cgname *n)
{
	const struct ms_pod_entry *pod = NULL;
	const struct ms_container_entry *ctr = NULL;

	if (n->kind != MS_CG_POD && n->kind != MS_CG_POD_CONTAINER)
		return;
	if (pl->nr_pods)
		pod = bsearch(n->pod_uid, pl->pods, pl->nr_pods,
			      sizeof(*pl->pods), cmp_key);
	if (n->kind == MS_CG_POD_CONTAINER && n->id[0] && pl->nr_containers)
		ctr = bsearch(n->id, pl->containers, pl->nr_containers,
			      sizeof(*pl->containers), cmp_key);
	/* A link of another pod than the UID's is none of this one's. */
	if (ctr && pod && (strcmp(ctr->pod_namespace, pod->pod_namespace) ||
			   strcmp(ctr->pod_name, pod->pod_name)))
		ctr = NULL;
	if (pod) {
		strcpy(n->pod_namespace, pod->pod_namespace);
		strcpy(n->pod_name, pod->pod_name);
	} else if (ctr) {
		strcpy(n->pod_namespace, ctr->pod_namespace);
		strcpy(n->pod_name, ctr->pod_name);
	}
	if (ctr)
		strcpy(n->container_name, ctr->container_name);
}
