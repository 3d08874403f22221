// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Snapshots and re-reads: records of the task, task_file and task_vma
 * iterators, the resync of one process, fresh readings of an object's state,
 * and the choices of what to re-read (uncertain tables, pipes last seen
 * holding data that an untraced process may have read). Also the processes
 * recently gone, which no record may bring back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "record.h"

/* How long the end of a process is remembered. A record of a dead
 * process comes a tick or two after its exit (a flow drained late, then
 * the re-read it asks for); the iterators mark the ones they meet dying
 * (IPCS_TASK_EXITING), so this is the second line, not the only one. */
#define GONE_KEEP_NS (10ULL * 1000 * 1000 * 1000)

/* --- processes gone -------------------------------------------------------- */

struct model_gone {
	uint64_t exit_ns;
};

/* (pid, start) has ended at ts. start 0 (not known) names no process. */
void proc_gone(struct model *m, uint32_t pid, uint64_t start, uint64_t ts)
{
	struct model_gone *g;

	if (!start)
		return;
	g = hmap_get(&m->gone, pid, start);
	if (g) {
		g->exit_ns = ts;
		return;
	}
	g = malloc(sizeof(*g));
	if (!g)
		return;
	g->exit_ns = ts;
	if (hmap_put(&m->gone, pid, start, g))
		free(g);
	if (!m->gone_scan_at)
		m->gone_scan_at = ts + GONE_KEEP_NS;
}

bool proc_is_gone(const struct model *m, uint32_t pid, uint64_t start)
{
	return start && hmap_get(&m->gone, pid, start);
}

/* Forgets ends older than GONE_KEEP_NS, looking at most every half of it
 * (each is kept between 1 and 1.5 times GONE_KEEP_NS). */
void gone_expire(struct model *m, uint64_t now_ns)
{
	struct hmap_slot *s;

	if (!m->gone_scan_at || now_ns < m->gone_scan_at)
		return;
	/* Deleting shifts later slots back: re-examine the same slot. */
	for (size_t i = 0; i < m->gone.cap; i++) {
		while ((s = &m->gone.slots[i])->val) {
			struct model_gone *g = s->val;

			if (now_ns < g->exit_ns + GONE_KEEP_NS)
				break;
			hmap_del(&m->gone, s->a, s->b);
			free(g);
		}
	}
	m->gone_scan_at = m->gone.len ? now_ns + GONE_KEEP_NS / 2 : 0;
}

/* --- snapshots and resync ------------------------------------------------ */

void model_resync_begin(struct model *m, uint32_t pid)
{
	struct model_proc *p = hmap_get(&m->procs, pid, 0);

	m->sweep_due = true;
	m->resync_pid = pid;
	m->resync_found = false;
	if (!p)
		return;
	proc_forget_maps(p);	/* the task_vma records bring them back */
	model_table_for_each(p->table, s)
		slot_clear(s, false);
}

void model_resync_end(struct model *m, uint32_t pid)
{
	struct model_proc *p = hmap_get(&m->procs, pid, 0);

	if (pid != m->resync_pid || m->resync_found || !p || p->exited)
		return;
	/* as apply_exit(), without a note: we do not know how it ended */
	proc_exit(m, p, p->last_ns);
}

/* Did the process of this record end already? The iterator meets a
 * process between its exit and its reaping (and, with its fds, while it
 * is still in do_exit); its exit event may have been applied before the
 * record is: such a record describes the dead, never a new process. */
static bool snap_task_ended(const struct model *m,
			    const struct model_proc *p,
			    const struct ipcs_snap_task *r)
{
	return (r->flags & IPCS_TASK_EXITING) ||
	       (p && p->exited && p->start == r->start) ||
	       proc_is_gone(m, r->h.pid, r->start);
}

static void snap_task(struct model *m, const struct ipcs_snap_task *r)
{
	struct model_proc *p = hmap_get(&m->procs, r->h.pid, 0);
	bool same = p && !p->exited && (!p->start || p->start == r->start);

	if (snap_task_ended(m, p, r)) {
		/* what the model holds of it ends too (its exit may be among
		 * lost events); a re-read of it finds nothing alive */
		if (same) {
			p->start = r->start;
			proc_exit(m, p, p->last_ns);
		}
		return;
	}
	if (r->h.pid == m->resync_pid)
		m->resync_found = true;
	if (!same)
		p = proc_new(m, r->h.pid, r->start);
	if (!p)
		return;
	p->start = r->start;
	p->ppid = r->ppid;
	memcpy(p->comm, r->comm, sizeof(p->comm));
	p->uncertain = false;
	if (r->files)
		proc_set_table(m, p, table_get(m, r->files));
	model_set_wait(m, r);	/* where it sleeps, as it was read */
}

static void snap_fd(struct model *m, const struct ipcs_snap_fd *r)
{
	struct model_proc *p = hmap_get(&m->procs, r->h.pid, 0);
	struct model_table *t;
	struct model_file *f;
	struct model_fd *s;

	if (!p || p->exited)
		return;
	t = p->table && p->table->kaddr == r->files ? p->table :
						      table_get(m, r->files);
	if (!t)
		return;
	proc_set_table(m, p, t);
	f = file_get(m, &r->f, false);
	s = table_slot(t, r->fd);
	if (!f || !s)
		return;
	object_name(m, f->obj, &r->f, r->h.pid, r->fd, NULL, NULL, r->path);
	if (s->file != f) {
		slot_clear(s, false);
		s->file = f;
		f->slots++;
	}
	s->cloexec = r->fd_flags & IPCS_FD_CLOEXEC;
	f->refs = r->f.refs;
	f->pos = r->f.pos;
	f->flags = r->f.flags;
	file_classify(m, f, s->cloexec);
	object_update(f->obj, &r->f, f->last_ns);
	if (r->addrlen && f->obj->kind == OBJ_SOCKET)	/* as bound */
		model_format_sockaddr(f->obj->local, sizeof(f->obj->local),
				      r->addr, r->addrlen < sizeof(r->addr) ?
					       r->addrlen : sizeof(r->addr));
}

/* A shared mapping: a holder of its file, or an attach of a segment. A
 * mapping already known at that address is kept (a snapshot taken after
 * the event that made it). */
static void snap_vma(struct model *m, const struct ipcs_snap_vma *r)
{
	struct model_proc *p = hmap_get(&m->procs, r->h.pid, 0);
	struct model_map mp = { .addr = r->start, .len = r->end - r->start };

	if (!p || p->exited || r->end <= r->start)
		return;
	if (r->shmid >= 0) {
		mp.shm = sysv_get(m, OBJ_SHM, r->shmid);
		if (!mp.shm)
			return;
		mp.shm->stat.count = r->nattch;
		mp.shm->stat.bytes = r->segsz;
	} else {
		mp.file = file_get(m, &r->f, false);
		if (!mp.file)
			return;
		object_name(m, mp.file->obj, &r->f, r->h.pid, -1, NULL, NULL,
			    r->path);
		mp.file->refs = r->f.refs;
		mp.file->flags = r->f.flags;
		/* a mapping has no fd: the C library's, read-only */
		if (!mp.file->slots)
			file_classify(m, mp.file, true);
		object_update(mp.file->obj, &r->f, mp.file->last_ns);
	}
	for (size_t i = 0; i < p->nmaps; i++)
		if (p->maps[i].addr == mp.addr && p->maps[i].file == mp.file &&
		    p->maps[i].shm == mp.shm) {
			p->maps[i].len = mp.len;
			return;
		}
	if (proc_add_map(p, &mp))
		return;
	if (mp.file)
		mp.file->maps++;
}

int model_apply_snap(struct model *m, const void *rec, size_t size)
{
	m->sweep_due = true;
	if (record_snap_ok(rec, size, IPCS_SNAP_TASK)) {
		snap_task(m, rec);
		return 0;
	}
	if (record_snap_ok(rec, size, IPCS_SNAP_FD)) {
		snap_fd(m, rec);
		return 0;
	}
	if (record_snap_ok(rec, size, IPCS_SNAP_VMA)) {
		snap_vma(m, rec);
		return 0;
	}
	m->bad_records++;
	return -EINVAL;
}

/* --- re-reads ------------------------------------------------------------ */

void model_object_state(struct model *m, const struct ipcs_snap_fd *r,
			uint64_t ts)
{
	struct model_object *o = hmap_get(&m->objects, r->f.dev, r->f.ino);

	if (o)
		object_update(o, &r->f, ts);
}

static bool pipe_unsure(const struct model_object *o, uint64_t before)
{
	return obj_is_pipe(o->kind) && o->buffered &&
	       o->state_ns < before && o->asked_ns < before;
}

size_t model_unsure_pipes(struct model *m, uint64_t before, uint64_t now_ns,
			  uint32_t *pids, size_t max)
{
	size_t n = 0;

	hmap_for_each(&m->procs, slot) {
		struct model_proc *p = slot->val;
		struct model_table *t = p->table;
		bool chosen = false;

		if (n == max)
			break;
		if (p->exited || !t)
			continue;
		/* one re-read of p's fds reads every pipe it holds */
		model_table_for_each(t, s) {
			struct model_file *f = s->file;

			if (f && pipe_unsure(f->obj, before)) {
				chosen = true;
				f->obj->asked_ns = now_ns;
			}
		}
		if (chosen)
			pids[n++] = p->pid;
	}
	return n;
}

void model_pipe_emptied(struct model *m, uint64_t dev, uint64_t ino,
			uint64_t ts)
{
	struct model_object *o = hmap_get(&m->objects, dev, ino);

	/* only ours is read by us */
	model_own_object(m, dev, ino);
	if (o && obj_is_pipe(o->kind) && ts >= o->state_ns) {
		o->buffered = 0;
		o->state_ns = ts;
	}
}

void model_set_wait(struct model *m, const struct ipcs_snap_task *r)
{
	struct model_proc *p = hmap_get(&m->procs, r->h.pid, 0);

	if (!p || p->exited || (p->start && r->start != p->start))
		return;
	p->wait = r->wait < WAIT__COUNT ? (enum model_wait)r->wait : WAIT_OTHER;
	p->wait_fd = p->wait == WAIT_READ || p->wait == WAIT_WRITE ||
			     p->wait == WAIT_ACCEPT || p->wait == WAIT_CONNECT ?
			     r->wait_fd : -1;
	p->wait_nr = p->wait == WAIT_OTHER ? r->wait_fd : -1;
	p->wait_id = p->wait == WAIT_SEMOP || p->wait == WAIT_MSGRCV ||
			     p->wait == WAIT_MSGSND ? r->wait_id : -1;
	p->wait_sem_known = p->wait == WAIT_SEMOP && (r->flags & IPCS_TASK_WAIT_SEM);
	p->wait_sem_num = p->wait_sem_known ? r->wait_sem_num : 0;
	p->wait_sem_op = p->wait_sem_known ? r->wait_sem_op : 0;
}

size_t model_take_uncertain(struct model *m, uint32_t *pids, size_t max)
{
	size_t n = 0;

	hmap_for_each(&m->procs, s) {
		struct model_proc *p = s->val;

		if (n < max && p->uncertain && !p->exited) {
			pids[n++] = p->pid;
			p->uncertain = false;
		}
	}
	return n;
}
