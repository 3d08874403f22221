// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Applying ring-buffer records: model_apply() checks a record and hands it
 * to its apply_* function, which changes processes, fd tables, entries
 * and objects and emits the notes; model_apply_flow() does the same for
 * data the kernel aggregated. Mappings and SysV objects: model_apply_ipc.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model_impl.h"
#include "record.h"

static void note_fd(struct model *m, const struct ipcs_hdr *h, enum ipcs_kind kind,
		    int fd, const struct model_file *f, bool cloexec,
		    const char *implicit)
{
	struct model_note n;

	note_init(&n, h);
	n.kind = kind;
	n.fd = fd;
	n.file = f;
	n.obj = f ? f->obj : NULL;
	n.refs = f ? f->refs : 0;
	n.cloexec = cloexec;
	n.implicit = implicit;
	emit(m, &n);
}

static void apply_fork(struct model *m, const struct ipcs_ev_proc *e)
{
	struct model_proc *parent, *child;
	struct model_note n;

	if (e->child == e->h.pid) {	/* a process is not its own child */
		m->bad_records++;
		return;
	}
	parent = proc_for_event_as(m, &e->h, e->parent_files, false);
	child = proc_new(m, e->child, e->start);
	if (!child)
		return;
	child->ppid = e->h.pid;
	child->last_ns = e->h.ts;
	memcpy(child->comm, e->h.comm, sizeof(child->comm));
	struct model_table *src = parent ? parent->table : NULL;

	/* one table for both: shared, whatever the flag says */
	if ((e->flags & IPCS_PROC_SHARED_FILES) ||
	    (src && src->kaddr == e->files)) {
		proc_set_table(m, child, src);
	} else {
		struct model_table *dst = table_fresh(m, e->files);

		if (!dst)
			return;
		proc_set_table(m, child, dst);
		/* the kernel copies every fd: each entry gains a reference */
		model_table_for_each(src, from) {
			struct model_fd *to;

			if (!from->file)
				continue;
			to = table_slot(dst, from->fd);
			if (!to)
				break;
			slot_clear(to, true);
			*to = *from;
			to->file->slots++;
			to->file->refs++;
			to->file->last_ns = e->h.ts;
		}
		if (!src || (parent && parent->uncertain))
			child->uncertain = true;
	}
	for (size_t i = 0; parent && i < parent->nmaps; i++) {
		if (proc_add_map(child, &parent->maps[i]))
			break;
		map_hold(&parent->maps[i]);
	}
	note_init(&n, &e->h);
	n.child = e->child;
	emit(m, &n);
}

/* Did the kernel tell which fds are open after exec, for the whole table? */
static bool exec_fds_known(const struct ipcs_ev_proc *e)
{
	return e->fd_words && e->fd_words <= IPCS_EXEC_FD_WORDS &&
	       e->max_fds <= e->fd_words * 64;
}

/* An fd past the words the kernel sent (the model holds one the kernel
 * does not) is not open. */
static bool exec_fd_open(const struct ipcs_ev_proc *e, int fd)
{
	return (unsigned)fd < e->fd_words * 64 &&
	       ((e->open_fds[fd / 64] >> (fd % 64)) & 1);
}

/* The table as the kernel left it after exec: every fd it closed (the
 * close-on-exec ones) is an implicit close; those left have close-on-exec
 * clear. One the model never knew of is re-read. */
static void exec_close_to(struct model *m, struct model_proc *p,
			  const struct ipcs_ev_proc *e)
{
	int known = 0;

	model_table_for_each(p->table, s) {
		int fd = s->fd;
		struct model_file *f;

		if (!s->file)
			continue;
		if (exec_fd_open(e, fd)) {
			s->cloexec = false;
			known++;
			continue;
		}
		f = slot_clear(s, true);
		note_fd(m, &e->h, IPCS_EV_CLOSE, fd, f, false, "exec");
	}
	for (uint32_t i = 0; i < e->fd_words; i++)
		known -= __builtin_popcountll(e->open_fds[i]);
	if (known != 0 || !p->table)
		p->uncertain = true;
}

static void apply_exec(struct model *m, const struct ipcs_ev_proc *e)
{
	struct model_proc *p = proc_for_event(m, &e->h, e->files);
	struct model_note n;

	if (!p)
		return;
	memcpy(p->comm, e->h.comm, sizeof(p->comm));
	if (e->ppid)
		p->ppid = e->ppid;
	if (e->start && !p->start)
		p->start = e->start;
	proc_drop_maps(p);	/* a new address space */
	note_init(&n, &e->h);
	n.filename = e->filename;
	emit(m, &n);

	if (exec_fds_known(e)) {
		exec_close_to(m, p, e);
		return;
	}
	/* exec has already closed the close-on-exec fds */
	model_table_for_each(p->table, s) {
		struct model_file *f;

		if (!s->file || !s->cloexec)
			continue;
		f = slot_clear(s, true);
		note_fd(m, &e->h, IPCS_EV_CLOSE, s->fd, f, false, "exec");
	}
	/* and that is the model's guess: re-read the table */
	p->uncertain = true;
}

static void apply_exit(struct model *m, const struct ipcs_ev_proc *e)
{
	struct model_proc *p = hmap_get(&m->procs, e->h.pid, 0);
	struct model_note n;

	if (p && !p->exited) {
		if (!p->start)
			p->start = e->start;
		proc_exit(m, p, e->h.ts);
		p->exit_code = e->code;
		p->exit_signal = e->signal;
	}
	/* one we never held is not to be added by a late record either */
	proc_gone(m, e->h.pid, e->start, e->h.ts);
	note_init(&n, &e->h);
	n.code = e->code;
	n.signal = e->signal;
	emit(m, &n);
}

/* The path an open was given, from the directory its relative path
 * starts at when that was an fd (openat(dirfd, "f6"): tar, git): the
 * name of the directory's object, which the model holds. */
static const char *open_path(struct model_proc *p, const struct ipcs_ev_fd *e,
			     char *out, size_t outlen)
{
	const struct model_fd *dir;

	if (e->h.kind != IPCS_EV_OPEN || e->dirfd < 0 || !e->path[0] ||
	    e->path[0] == '/')
		return e->path;
	dir = model_table_fd(p->table, e->dirfd);
	if (!dir || !dir->file || dir->file->obj->kind != OBJ_DIR ||
	    dir->file->obj->name[0] != '/')
		return e->path;
	snprintf(out, outlen, "%s/%.*s", dir->file->obj->name, IPCS_PATH_LEN,
		 e->path);
	return out;
}

/* fd now points at the entry the event describes. */
static void apply_fd_install(struct model *m, const struct ipcs_ev_fd *e)
{
	char path[2 * IPCS_PATH_LEN];
	struct model_proc *p = proc_for_event(m, &e->h, e->files);
	struct model_file *f;
	struct model_fd *s;
	bool cloexec = e->fd_flags & IPCS_FD_CLOEXEC, fresh;

	if (!p || !p->table)
		return;
	s = table_slot(p->table, e->fd);
	if (!s)
		return;
	/* A new struct file, unless a snapshot taken after this event
	 * already put that very entry in this slot. */
	fresh = (e->h.kind == IPCS_EV_OPEN || e->h.kind == IPCS_EV_PIPE ||
		 e->h.kind == IPCS_EV_SOCKET || e->h.kind == IPCS_EV_SOCKETPAIR ||
		 e->h.kind == IPCS_EV_ACCEPT || e->h.kind == IPCS_EV_MQ_OPEN) &&
		!(s->file && s->file->kaddr == e->f.file && !s->file->stale);
	f = file_get(m, &e->f, fresh);
	if (!f)
		return;
	/* the kernel's own path, when it gave one, names it for certain */
	object_name(m, f->obj, &e->f, e->h.pid, e->fd, e->name,
		    open_path(p, e, path, sizeof(path)),
		    e->fd_flags & IPCS_FD_KPATH ? e->path : NULL);
	if (s->file && s->file != f) {
		/* dup2 onto an open fd closes what was there */
		struct model_file *old = slot_clear(s, true);

		note_fd(m, &e->h, IPCS_EV_CLOSE, e->fd, old, false,
			e->h.kind == IPCS_EV_DUP ? "dup2" : "replaced");
	}
	if (!s->file)
		f->slots++;
	s->file = f;
	s->cloexec = cloexec;
	s->last_ns = e->h.ts;
	file_update(f, &e->f, e->h.ts);
	if (e->h.kind == IPCS_EV_OPEN)
		file_classify(m, f, cloexec);

	struct model_note n;

	note_init(&n, &e->h);
	n.fd = e->fd;
	n.oldfd = e->oldfd;
	n.file = f;
	n.obj = f->obj;
	n.refs = f->refs;
	n.cloexec = cloexec;
	emit(m, &n);
}

/* fcntl(F_SETFD) and close_range(CLOSE_RANGE_CLOEXEC): only a flag changes */
static void apply_setfd(struct model *m, const struct ipcs_ev_fd *e)
{
	struct model_proc *p = proc_for_event(m, &e->h, e->files);
	struct model_fd *s = p && p->table ? table_slot(p->table, e->fd) : NULL;
	struct model_file *f = file_get(m, &e->f, false);
	bool cloexec = e->fd_flags & IPCS_FD_CLOEXEC;

	if (!s || !f)
		return;
	if (s->file != f) {	/* we missed how it got there */
		apply_fd_install(m, e);
		return;
	}
	s->cloexec = cloexec;
	s->last_ns = e->h.ts;
	file_update(f, &e->f, e->h.ts);
	note_fd(m, &e->h, IPCS_EV_FCNTL, e->fd, f, cloexec, NULL);
}

static void apply_close(struct model *m, const struct ipcs_ev_fd *e)
{
	struct model_proc *p = proc_for_event(m, &e->h, e->files);
	struct model_fd *s = p && p->table ? table_slot(p->table, e->fd) : NULL;
	struct model_file *f = file_get(m, &e->f, false);

	if (!f)
		return;
	object_name(m, f->obj, &e->f, e->h.pid, -1, e->name, NULL, NULL);
	if (s && s->file)
		slot_clear(s, false);
	file_update(f, &e->f, e->h.ts);
	note_fd(m, &e->h, IPCS_EV_CLOSE, e->fd, f, false,
		e->fd_flags & IPCS_FD_IMPLICIT ? "close_range" : NULL);
	if (!f->refs) {	/* the last reference: the kernel frees it now */
		object_entry_freed(f->obj, f->flags);
		file_retire(m, f);
	}
}

/* lseek: only the entry's offset moves. */
static void apply_lseek(struct model *m, const struct ipcs_ev_fd *e)
{
	struct model_file *f = fd_entry(m, &e->h, e->files, e->fd, &e->f, true);
	struct model_note n;

	if (!f)
		return;
	note_init(&n, &e->h);
	n.fd = e->fd;
	n.file = f;
	n.obj = f->obj;
	n.refs = f->refs;
	n.has_pos = true;
	n.pos = f->pos;
	emit(m, &n);
}

static void apply_mkfifo(struct model *m, const struct ipcs_ev_fd *e)
{
	struct model_note n;

	proc_for_event(m, &e->h, 0);
	note_init(&n, &e->h);
	n.filename = e->path;
	emit(m, &n);
}

/* The entry an fd of the caller points at, taking the slot (and asking for
 * a re-read) if we missed how it got there. Records that describe the
 * entry in full update it; data records carry only the object's state. */
struct model_file *fd_entry(struct model *m, const struct ipcs_hdr *h,
			    uint64_t files, int fd,
			    const struct ipcs_file_info *fi, bool full)
{
	struct model_proc *p = proc_for_event(m, h, files);
	struct model_file *f = file_get(m, fi, false);
	struct model_fd *s = p && p->table ? table_slot(p->table, fd) : NULL;

	if (!f)
		return NULL;
	if (s && s->file != f) {
		slot_clear(s, true);
		s->file = f;
		f->slots++;
		p->uncertain = true;
		m->sweep_due = true;
	}
	object_name(m, f->obj, fi, h->pid, fd, NULL, NULL, NULL);
	if (full) {
		file_update(f, fi, h->ts);
	} else {
		f->last_ns = h->ts;
		if (f->obj->kind == OBJ_FILE)	/* the offset it moved */
			f->pos = fi->pos;
		object_update(f->obj, fi, h->ts);
	}
	return f;
}

/* Counts data through f and tells it: one call (an event), or the sum of
 * many that the kernel aggregated (a flow). */
static void data_note(struct model *m, const struct ipcs_hdr *h,
		      struct model_file *f, int fd, int64_t bytes,
		      uint64_t calls, struct model_note *n)
{
	char peer[IPCS_SOCKADDR_MAX];

	if (h->kind == IPCS_EV_WRITE) {
		f->bytes_in += bytes;
		f->obj->bytes_in += bytes;
		f->obj->last_writer = h->pid;
	} else {
		f->bytes_out += bytes;
		f->obj->bytes_out += bytes;
		f->obj->last_reader = h->pid;
	}
	n->fd = fd;
	n->file = f;
	n->obj = f->obj;
	n->refs = f->refs;
	n->bytes = bytes;
	n->calls = calls;
	n->has_pos = f->obj->kind == OBJ_FILE;
	n->pos = f->pos;
	n->peer = socket_peer(m, f->obj, peer, sizeof(peer));
	emit(m, n);
}

static void apply_data(struct model *m, const struct ipcs_ev_data *e,
		       size_t size)
{
	struct model_file *f = fd_entry(m, &e->h, e->files, e->fd, &e->f, false);
	struct model_note n;
	size_t plen = e->payload_len;

	if (!f)
		return;
	if (plen > size - sizeof(*e))
		plen = size - sizeof(*e);
	note_init(&n, &e->h);
	n.syscall = e->syscall;
	if (size > sizeof(*e)) {	/* payload capture is on */
		n.payload = e->payload;
		n.payload_len = plen;
	}
	data_note(m, &e->h, f, e->fd, e->bytes, 1, &n);
}

/* The lowest fd of table t that points at f, or -1. */
static int table_find(const struct model_table *t, const struct model_file *f)
{
	model_table_for_each(t, s)
		if (s->file == f)
			return s->fd;
	return -1;
}

int model_apply_flow(struct model *m, const void *rec, size_t size)
{
	const struct ipcs_flow *fl = rec;
	struct model_proc *p;
	struct model_file *f;
	struct model_note n;
	struct ipcs_hdr h;
	int fd;

	if (size < sizeof(*fl) || (fl->h.kind != IPCS_EV_WRITE &&
				   fl->h.kind != IPCS_EV_READ)) {
		m->bad_records++;
		return -EINVAL;
	}
	m->events++;
	h = fl->h;
	h.ts = fl->last_ts;
	/* drained a tick late: the process may have exited meanwhile (and
	 * been swept), and an exited process is not brought back; so a flow
	 * never adds a process, it is told without one */
	p = hmap_get(&m->procs, h.pid, 0);
	if (p && !p->exited)
		p = proc_for_event(m, &h, fl->files);
	f = flow_file(m, &fl->f);
	if (!f)
		return -ENOMEM;
	flow_classify(m, f);
	fd = p ? table_find(p->table, f) : -1;
	object_name(m, f->obj, &fl->f, h.pid, fd, NULL, NULL, NULL);
	f->last_ns = h.ts;
	if (f->obj->kind == OBJ_FILE)
		f->pos = fl->f.pos;
	object_update(f->obj, &fl->f, h.ts);
	note_init(&n, &h);
	n.syscall = h.kind == IPCS_EV_WRITE ? IPCS_SC_WRITE : IPCS_SC_READ;
	data_note(m, &h, f, fd, fl->bytes, fl->calls, &n);
	return 0;
}

static void apply_sockaddr(struct model *m, const struct ipcs_ev_sockaddr *e)
{
	struct model_file *f = fd_entry(m, &e->h, e->files, e->fd, &e->f, true);
	char addr[IPCS_SOCKADDR_MAX], peer[IPCS_SOCKADDR_MAX];
	struct model_note n;

	if (!f)
		return;
	model_format_sockaddr(addr, sizeof(addr), e->addr,
			      e->addrlen < sizeof(e->addr) ? e->addrlen : sizeof(e->addr));
	/* bind and listen carry the address the kernel bound */
	if (e->h.kind == IPCS_EV_CONNECT)
		memcpy(f->obj->remote, addr, sizeof(addr));
	else if (e->addrlen)
		memcpy(f->obj->local, addr, sizeof(addr));
	if (e->h.kind == IPCS_EV_LISTEN && !e->ret)
		f->obj->listening = true;
	note_init(&n, &e->h);
	n.fd = e->fd;
	n.file = f;
	n.obj = f->obj;
	n.refs = f->refs;
	n.address = e->addrlen ? addr : NULL;
	n.ret = e->ret;
	n.backlog = e->backlog;
	n.peer = socket_peer(m, f->obj, peer, sizeof(peer));
	emit(m, &n);
}

/* si_code of a signal a process sent (SI_USER, SI_QUEUE, SI_TKILL), not
 * one the kernel raised (a timer, SIGCHLD): only then is the event's
 * process its sender. The kernel's SIGPIPE is SI_USER, from the writer
 * to itself. */
static bool sent_by_process(int code)
{
	return code == 0 || code == -1 || code == -6;
}

static void apply_signal(struct model *m, const struct ipcs_ev_signal *e)
{
	struct model_proc *t = hmap_get(&m->procs, e->target, 0);
	struct model_proc *from = hmap_get(&m->procs, e->h.pid, 0);
	bool sent = sent_by_process(e->code);
	struct model_note n;

	if (t && !t->exited) {
		t->sig = e->sig;
		t->sig_action = (int)e->action;
		t->sig_from = sent ? e->h.pid : 0;
		t->sig_ns = e->h.ts;
	}
	if (sent && from && !from->exited && e->h.pid != e->target) {
		from->sent_sig = e->sig;
		from->sent_to = e->target;
		from->sent_ns = e->h.ts;
	}
	note_init(&n, &e->h);
	n.sig = e;
	n.signal = e->sig;
	emit(m, &n);
}

int model_apply(struct model *m, const void *rec, size_t size)
{
	const struct ipcs_hdr *h = rec;

	if (!record_event_ok(rec, size)) {
		m->bad_records++;
		return -EINVAL;
	}
	m->events++;
	/* data records change what an entry or object holds, never who
	 * points at whom (fd_entry() says so when they do) */
	if (h->kind != IPCS_EV_WRITE && h->kind != IPCS_EV_READ)
		m->sweep_due = true;
	switch (h->kind) {
	case IPCS_EV_FORK:
		apply_fork(m, rec);
		break;
	case IPCS_EV_EXEC:
		apply_exec(m, rec);
		break;
	case IPCS_EV_EXIT:
		apply_exit(m, rec);
		break;
	case IPCS_EV_OPEN:
	case IPCS_EV_PIPE:
	case IPCS_EV_DUP:
	case IPCS_EV_SOCKET:
	case IPCS_EV_SOCKETPAIR:
	case IPCS_EV_ACCEPT:
	case IPCS_EV_RECVFD:
	case IPCS_EV_MQ_OPEN:
		apply_fd_install(m, rec);
		break;
	case IPCS_EV_MQ_UNLINK:
		apply_mq_unlink(m, rec);
		break;
	case IPCS_EV_MUNMAP:
		apply_munmap(m, rec);
		break;
	case IPCS_EV_MMAP:
		apply_mmap(m, rec);
		break;
	case IPCS_EV_BIND:
	case IPCS_EV_LISTEN:
	case IPCS_EV_CONNECT:
		apply_sockaddr(m, rec);
		break;
	case IPCS_EV_SIGNAL:
		apply_signal(m, rec);
		break;
	case IPCS_EV_FCNTL: {
		const struct ipcs_ev_fd *e = rec;

		if (e->oldfd >= 0)
			apply_fd_install(m, e);
		else
			apply_setfd(m, e);
		break;
	}
	case IPCS_EV_CLOSE:
		apply_close(m, rec);
		break;
	case IPCS_EV_MKFIFO:
		apply_mkfifo(m, rec);
		break;
	case IPCS_EV_LSEEK:
		apply_lseek(m, rec);
		break;
	case IPCS_EV_WRITE:
	case IPCS_EV_READ:
		apply_data(m, rec, h->size);
		break;
	default:
		apply_ipc(m, rec);
		break;
	}
	return 0;
}
