// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The choice of targets and the start-up snapshot: -p PIDs and their
 * descendants, processes named --comm, the command or demo we started, or
 * every process; the list of pids kept and the snapshot filtered by it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "recording.h"
#include "targets.h"

int targets_on_snap(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;

	recording_put(s->rec, RECORDING_SNAP, rec, size, NULL, 0);
	model_apply_snap(&s->model, rec, size);
	return 0;
}

struct task_list {
	struct ipcs_snap_task *v;
	size_t n, cap;
};

static int collect_task(void *ctx, const void *rec, size_t size)
{
	struct task_list *l = ctx;
	const struct ipcs_snap_task *t = rec;

	if (!record_snap_ok(rec, size, IPCS_SNAP_TASK))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *v = realloc(l->v, cap * sizeof(*l->v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *t;
	return 0;
}

static bool kept(const struct session *s, uint32_t pid)
{
	for (size_t i = 0; i < s->nkeep; i++)
		if (s->keep[i] == pid)
			return true;
	return false;
}

static int keep_pid(struct session *s, uint32_t pid)
{
	uint32_t *v;

	if (kept(s, pid))
		return 0;
	v = realloc(s->keep, (s->nkeep + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->keep = v;
	s->keep[s->nkeep++] = pid;
	return 0;
}

/* -p PIDs, each of which must exist. */
static int keep_pids(struct session *s, const struct task_list *all)
{
	for (int i = 0; i < s->opt.npids; i++) {
		bool found = false;

		for (size_t k = 0; k < all->n; k++)
			found |= all->v[k].h.pid == s->opt.pids[i];
		if (!found) {
			fprintf(stderr, "ipcscope: no process with pid %u\n",
				s->opt.pids[i]);
			return -ESRCH;
		}
		keep_pid(s, s->opt.pids[i]);
	}
	return 0;
}

/* -p PIDs and their descendants, or processes named --comm, from the task
 * iterator's view of every process. */
static int choose_processes(struct session *s)
{
	struct task_list all = {};
	bool grew = true;
	int err;

	err = loader_snapshot(s->loader, 0, collect_task, &all);
	if (err) {
		fprintf(stderr, "ipcscope: reading the process list: %s\n",
			strerror(-err));
		free(all.v);
		return err;
	}
	err = keep_pids(s, &all);
	if (err) {
		free(all.v);
		return err;
	}
	for (size_t k = 0; s->opt.comm && k < all.n; k++)
		if (!strncmp(all.v[k].comm, s->opt.comm, IPCS_COMM_LEN) &&
		    all.v[k].h.pid != (uint32_t)getpid())
			keep_pid(s, all.v[k].h.pid);
	while (grew) {
		grew = false;
		for (size_t k = 0; k < all.n; k++) {
			if (kept(s, all.v[k].ppid) && !kept(s, all.v[k].h.pid)) {
				keep_pid(s, all.v[k].h.pid);
				grew = true;
			}
		}
	}
	free(all.v);
	for (size_t i = 0; i < s->nkeep; i++)
		loader_trace_pid(s->loader, s->keep[i]);
	return 0;
}

static int on_snap_filtered(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;
	const struct ipcs_snap_hdr *h = rec;

	if (size < sizeof(*h) || h->pid == (uint32_t)getpid())
		return 0;
	if (s->keep && !kept(s, h->pid))
		return 0;
	return targets_on_snap(ctx, rec, size);
}

int targets_snapshot(struct session *s)
{
	int err = 0;

	if (s->child) {
		err = loader_snapshot(s->loader, s->child, targets_on_snap, s);
	} else {
		if (s->opt.npids || s->opt.comm) {
			err = choose_processes(s);
			if (err)
				return err;
		}
		err = loader_snapshot(s->loader, 0, on_snap_filtered, s);
	}
	if (err)
		fprintf(stderr, "ipcscope: reading fd tables: %s\n",
			strerror(-err));
	return err;
}
