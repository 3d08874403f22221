// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The choice of targets and the start-up snapshot: -p PIDs and their
 * descendants, processes named --comm, the command or demo we started, or
 * every process; the list of pids kept and the snapshot filtered by it;
 * the watch on -p processes that tells when they are gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "names.h"
#include "record.h"
#include "recording.h"
#include "targets.h"

int targets_on_snap(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;
	const struct ipcs_snap_fd *f = rec;

	/* a held command's end of the pipe it waits on is ours, not its:
	 * it goes at the exec, which would show it closing */
	if (s->hold.fd >= 0 && record_snap_ok(rec, size, IPCS_SNAP_FD) &&
	    f->h.pid == (uint32_t)s->child &&
	    (f->fd == s->hold.child_fd ||
	     (s->hold.step && (f->fd == s->hold.step_child_fds[0] ||
			       f->fd == s->hold.step_child_fds[1]))))
		return 0;
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

/* The start time /proc gives a live process (not a zombie), or 0. */
static unsigned long long proc_start(uint32_t pid)
{
	char path[64], buf[1024], *p, state;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) state ... starttime" (field 22); comm may hold ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %*s %*s %*s %*s %llu", &state,
			 &start) != 2 || state == 'Z' || state == 'X')
		return 0;
	return start;
}

int targets_watch(struct session *s)
{
	for (int i = 0; i < s->opt.npids; i++) {
		uint32_t pid = s->opt.pids[i];
		int fd = syscall(SYS_pidfd_open, pid, 0);

		if (fd >= 0) {
			s->pidfd[i] = fd;
			continue;
		}
		if (errno == ESRCH) {
			fprintf(stderr, "ipcscope: no process with pid %u\n", pid);
			return -ESRCH;
		}
		/* Linux before 5.3: the pid with its start time, read again
		 * at each tick (a zombie or a new process there is an end) */
		if (s->opt.verbose)
			fprintf(stderr, "ipcscope: pidfd_open: %s; pid %u is "
				"watched through /proc/%u/stat\n",
				strerror(errno), pid, pid);
		s->pid_start[i] = proc_start(pid);
		if (!s->pid_start[i]) {
			fprintf(stderr, "ipcscope: no process with pid %u\n", pid);
			return -ESRCH;
		}
	}
	return 0;
}

bool targets_gone(const struct session *s)
{
	for (int i = 0; i < s->opt.npids; i++) {
		struct pollfd pf = { .fd = s->pidfd[i], .events = POLLIN };

		if (pf.fd >= 0) {
			/* a pidfd is readable once its process has exited */
			if (poll(&pf, 1, 0) == 0)
				return false;
		} else if (s->pid_start[i] &&
			   proc_start(s->opt.pids[i]) == s->pid_start[i]) {
			return false;
		}
	}
	return true;
}

bool targets_is_pidfd(const struct session *s, int fd)
{
	for (int i = 0; i < s->opt.npids; i++)
		if (s->pidfd[i] == fd)
			return true;
	return false;
}

void targets_unwatch(struct session *s)
{
	for (int i = 0; i < s->opt.npids; i++) {
		if (s->pidfd[i] >= 0)
			close(s->pidfd[i]);
		s->pidfd[i] = -1;
	}
}

void targets_output_ours(struct session *s)
{
	struct stat st;

	if (s->child_out >= 0 && !fstat(s->child_out, &st)) {
		uint64_t e[3] = { names_kernel_dev(st.st_dev), st.st_ino,
				  now_ns(CLOCK_MONOTONIC) };

		recording_put(s->rec, RECORDING_PIPE_EMPTIED, e, sizeof(e),
			      NULL, 0);
		model_pipe_emptied(&s->model, e[0], e[1], e[2]);
	}
}
