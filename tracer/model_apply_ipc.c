// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Applying the records of shared mappings (mmap, munmap), SysV objects
 * (msg*, shm*, sem*) and POSIX queue removal, for model_apply().
 */
#include <stdio.h>
#include <string.h>

#include "model_impl.h"

#define MODEL_PAGE 4096ULL

static uint64_t page_up(uint64_t n)
{
	return (n + MODEL_PAGE - 1) & ~(MODEL_PAGE - 1);
}

/* Where a mapping ends; an attach we saw no size for spans its segment. */
static uint64_t map_end(const struct model_map *mp)
{
	uint64_t len = mp->len;

	if (!len && mp->shm)
		len = mp->shm->stat.bytes;
	return mp->addr + page_up(len ? len : 1);
}

void apply_mmap(struct model *m, const struct ipcs_ev_fd *e)
{
	struct model_file *f = fd_entry(m, &e->h, e->files, e->fd, &e->f, true);
	struct model_proc *p = hmap_get(&m->procs, e->h.pid, 0);
	struct model_map mp = { .file = f, .addr = e->addr, .len = e->len };
	struct model_note n;

	if (!f || !p || proc_add_map(p, &mp))
		return;
	f->maps++;
	note_init(&n, &e->h);
	n.fd = e->fd;
	n.file = f;
	n.obj = f->obj;
	n.refs = f->refs;
	n.addr = e->addr;
	n.len = e->len;
	emit(m, &n);
}

static enum obj_kind ipc_kind(unsigned kind)
{
	switch (kind) {
	case IPCS_EV_MSGGET: case IPCS_EV_MSGSND: case IPCS_EV_MSGRCV:
	case IPCS_EV_MSGCTL:
		return OBJ_MSGQ;
	case IPCS_EV_SEMGET: case IPCS_EV_SEMOP: case IPCS_EV_SEMCTL:
		return OBJ_SEM;
	default:
		return OBJ_SHM;
	}
}

#define IPC_RMID_CMD 0

/* shmdt(addr) unmaps the attach at addr: each vma of that segment from
 * addr on (a munmap may have split it). *o is the segment, or NULL when
 * the one attached at addr is to be found. */
static void shm_detach(struct model_proc *p, struct model_object **o,
		       uint64_t addr)
{
	uint64_t end = 0;

	for (size_t i = 0; p && i < p->nmaps; i++) {
		struct model_map *mp = &p->maps[i];

		if (mp->shm && mp->addr == addr && (!*o || mp->shm == *o)) {
			*o = mp->shm;
			end = addr + page_up(mp->shm->stat.bytes);
			break;
		}
	}
	for (size_t i = 0; *o && p && i < p->nmaps;) {
		struct model_map *mp = &p->maps[i];

		if (mp->shm == *o && mp->addr >= addr && mp->addr < end) {
			map_release(mp);
			p->maps[i] = p->maps[--p->nmaps];
		} else {
			i++;
		}
	}
}

/* munmap: every mapping in the range goes, or loses the part in it; one
 * cut in the middle of a mapping leaves two vmas, each holding a
 * reference (an attach), as the kernel's split does. Most munmaps free
 * private memory: those change nothing here, not even the process's
 * last activity. */
void apply_munmap(struct model *m, const struct ipcs_ev_munmap *e)
{
	struct model_proc *p = hmap_get(&m->procs, e->h.pid, 0);
	uint64_t lo = e->addr, hi = e->addr + page_up(e->len);
	struct model_file *at = e->file ? hmap_get(&m->files, e->file, 0) : NULL;

	if (p && p->exited)
		return;
	/* the count of the file mapped at addr, as the kernel had it just
	 * before: the vmas' arithmetic below starts from the truth */
	if (at && !at->stale && e->refs)
		at->refs = e->refs;
	for (size_t i = 0; p && i < p->nmaps;) {
		struct model_map *mp = &p->maps[i], cut, tail;
		uint64_t start = mp->addr, end = map_end(mp);
		struct model_note n;
		bool gone = false;

		if (end <= lo || start >= hi) {
			i++;
			continue;
		}
		cut = *mp;
		cut.addr = start > lo ? start : lo;
		cut.len = (end < hi ? end : hi) - cut.addr;
		if (start >= lo && end <= hi) {
			map_release(mp);
			p->maps[i] = p->maps[--p->nmaps];
			gone = true;
		} else if (start < lo && end > hi) {
			tail = *mp;
			tail.addr = hi;
			tail.len = end - hi;
			mp->len = lo - start;
			if (proc_add_map(p, &tail) == 0)
				map_hold(&tail);
		} else if (start < lo) {
			mp->len = lo - start;
		} else {
			mp->addr = hi;
			mp->len = end - hi;
		}
		p->last_ns = e->h.ts;
		note_init(&n, &e->h);
		n.file = cut.file;
		n.obj = cut.file ? cut.file->obj : cut.shm;
		n.refs = cut.file ? cut.file->refs : 0;
		n.addr = cut.addr;
		n.len = cut.len;
		emit(m, &n);
		if (cut.shm)
			cut.shm->last_ns = e->h.ts;
		if (cut.file)
			cut.file->last_ns = e->h.ts;
		if (!gone)
			i++;
	}
}

/* mq_unlink: the queue lives on while fds hold it; /proc then shows its
 * name with " (deleted)", and so does the model. */
void apply_mq_unlink(struct model *m, const struct ipcs_ev_fd *e)
{
	char name[IPCS_PATH_LEN + 2];
	struct model_note n;

	proc_for_event(m, &e->h, 0);
	snprintf(name, sizeof(name), "/%.*s", IPCS_PATH_LEN, e->path);
	note_init(&n, &e->h);
	hmap_for_each(&m->objects, slot) {
		struct model_object *o = slot->val;

		if (o->kind == OBJ_MQ && o->nfiles && !strcmp(o->name, name)) {
			snprintf(o->name, sizeof(o->name), "%.*s (deleted)",
				 IPCS_PATH_LEN - 11, name);
			o->last_ns = e->h.ts;
			n.obj = o;
			break;
		}
	}
	n.filename = name;
	emit(m, &n);
}

/* A semaphore set's values as the event read them after the call. */
static void sem_values(struct model_object *o, const struct ipcs_ev_ipc *e)
{
	uint32_t n = e->nsemval < IPCS_SEMVAL_MAX ? e->nsemval : IPCS_SEMVAL_MAX;

	o->stat.nsemval = n;
	memset(o->stat.semval, 0, sizeof(o->stat.semval));
	memcpy(o->stat.semval, e->semval, n * sizeof(e->semval[0]));
}

void apply_ipc(struct model *m, const struct ipcs_ev_ipc *e)
{
	struct model_proc *p = proc_for_event(m, &e->h, 0);
	enum obj_kind kind = ipc_kind(e->h.kind);
	struct model_object *o = NULL;
	struct model_note n;

	if (e->h.kind == IPCS_EV_SHMDT) {
		/* the kernel names the segment attached there (the model
		 * guesses it from the address where it cannot) */
		o = e->id >= 0 ? sysv_get(m, kind, e->id) : NULL;
		shm_detach(p, &o, e->addr);
	} else if (e->id >= 0) {
		o = sysv_get(m, kind, e->id);
	}
	if (o) {
		o->last_ns = e->h.ts;
		o->sysv_alive = true;
	}
	switch (e->h.kind) {
	case IPCS_EV_MSGGET:
	case IPCS_EV_SHMGET:
	case IPCS_EV_SEMGET:
		if (o)
			o->stat.key = e->key;
		break;
	case IPCS_EV_MSGSND:
		if (o) {
			o->last_writer = e->h.pid;
			o->bytes_in += e->bytes;
		}
		break;
	case IPCS_EV_MSGRCV:
		if (o) {
			o->last_reader = e->h.pid;
			o->bytes_out += e->bytes;
		}
		break;
	case IPCS_EV_SHMAT:
		if (o && p) {
			struct model_map mp = { .shm = o, .addr = e->addr,
						.len = e->found ? e->cbytes : 0 };

			proc_add_map(p, &mp);
		}
		break;
	case IPCS_EV_MSGCTL:
	case IPCS_EV_SEMCTL:
	case IPCS_EV_SHMCTL:
		if (o && e->cmd == IPC_RMID_CMD) {
			if (kind == OBJ_SHM)
				o->rmid_pending = true;
			else
				o->sysv_alive = false;
		}
		break;
	}
	if (o && e->found) {	/* the kernel's view, read at the event */
		o->stat.count = e->qnum;
		o->stat.bytes = e->cbytes;
		o->stat.limit = e->qbytes;
		if (kind == OBJ_SEM)
			sem_values(o, e);
	} else if (o && e->id >= 0) {
		o->sysv_alive = false;	/* removed; a shmdt destroyed it */
		o->stat.count = 0;
	}
	note_init(&n, &e->h);
	n.obj = o;
	n.ipc = e;
	n.bytes = e->bytes;
	emit(m, &n);
}
