// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model: applies ring-buffer records and snapshot records to processes,
 * fd tables, open-file entries and objects, and reports each change as a
 * note. Every operation is idempotent where it can be ("fd N now points at
 * entry E", "fd N is gone"), so a resync that overlaps events converges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "model.h"

#define MAX_FD (1 << 20)	/* the kernel's default nr_open */

static const char *const kind_names[OBJ__COUNT] = {
	[OBJ_PIPE] = "pipe", [OBJ_FIFO] = "fifo",     [OBJ_FILE] = "file",
	[OBJ_DIR] = "dir",   [OBJ_CHR] = "chr",       [OBJ_BLK] = "blk",
	[OBJ_SOCKET] = "socket", [OBJ_ANON] = "anon", [OBJ_OTHER] = "other",
	[OBJ_MSGQ] = "msg",  [OBJ_SHM] = "shm",       [OBJ_SEM] = "sem",
	[OBJ_MQ] = "mq",
};

const char *obj_kind_name(enum obj_kind kind)
{
	return kind < OBJ__COUNT ? kind_names[kind] : "other";
}

static const char *const wait_names[WAIT__COUNT] = {
	[WAIT_NONE] = "",	  [WAIT_READ] = "read",	    [WAIT_WRITE] = "write",
	[WAIT_ACCEPT] = "accept", [WAIT_CONNECT] = "connect", [WAIT_OPEN] = "open",
	[WAIT_MSGRCV] = "msgrcv", [WAIT_MSGSND] = "msgsnd", [WAIT_SEMOP] = "semop",
	[WAIT_CHILD] = "wait",	  [WAIT_SIGNAL] = "pause",  [WAIT_POLL] = "poll",
	[WAIT_SLEEP] = "sleep",	  [WAIT_OTHER] = "syscall",
};

#define IPCS_X(name)                                                           \
	_Static_assert((int)IPCS_WAIT_##name == (int)WAIT_##name, "wait " #name);
IPCS_WAITS(IPCS_X)
#undef IPCS_X

const char *model_wait_name(enum model_wait w)
{
	return w < WAIT__COUNT ? wait_names[w] : "";
}

const char *model_access(uint32_t flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return "r";
	case O_WRONLY:
		return "w";
	default:
		return "rw";
	}
}

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->next_file_id = 1;
	m->exited_keep_ns = 0;
	m->sweep_at = UINT64_MAX;
}

static void table_release(struct model *m, struct model_table *t);
static void proc_drop_maps(struct model_proc *p);

void model_free(struct model *m)
{
	hmap_for_each(&m->procs, s) {
		struct model_proc *p = s->val;

		free(p->maps);
		free(p);
	}
	hmap_for_each(&m->tables, s) {
		struct model_table *t = s->val;

		free(t->fds);
		free(t);
	}
	hmap_for_each(&m->files, s)
		free(s->val);
	hmap_for_each(&m->objects, s)
		free(s->val);
	hmap_free(&m->procs);
	hmap_free(&m->tables);
	hmap_free(&m->files);
	hmap_free(&m->objects);
}

static void emit(struct model *m, struct model_note *n)
{
	if (m->note)
		m->note(m->note_ctx, n);
}

static void note_init(struct model_note *n, const struct ipcs_hdr *h)
{
	memset(n, 0, sizeof(*n));
	n->kind = h->kind;
	n->ts = h->ts;
	n->pid = h->pid;
	n->tid = h->tid;
	n->comm = h->comm;
	n->fd = -1;
	n->oldfd = -1;
}

/* --- objects ------------------------------------------------------------ */

static enum obj_kind kind_of(const struct ipcs_file_info *fi)
{
	if (fi->magic == IPCS_MQUEUE_MAGIC)
		return OBJ_MQ;
	switch (fi->imode & S_IFMT) {
	case S_IFIFO:
		return fi->magic == IPCS_PIPEFS_MAGIC ? OBJ_PIPE : OBJ_FIFO;
	case S_IFSOCK:
		return OBJ_SOCKET;
	case S_IFREG:
		return fi->magic == IPCS_ANON_INODE_FS_MAGIC ? OBJ_ANON : OBJ_FILE;
	case S_IFDIR:
		return OBJ_DIR;
	case S_IFCHR:
		return OBJ_CHR;
	case S_IFBLK:
		return OBJ_BLK;
	default:
		return fi->magic == IPCS_ANON_INODE_FS_MAGIC ? OBJ_ANON : OBJ_OTHER;
	}
}

static void copy_str(char *dst, size_t len, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen < len ? srclen : len - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

/* Names pipes and sockets as /proc does; other objects by path. */
static void object_name(struct model *m, struct model_object *o,
			const struct ipcs_file_info *fi, uint32_t pid, int fd,
			const char *dname, const char *upath, const char *dpath)
{
	if (o->name_certain)
		return;
	switch (o->kind) {
	case OBJ_PIPE:
		snprintf(o->name, sizeof(o->name), "pipe:[%llu]",
			 (unsigned long long)fi->ino);
		o->name_certain = true;
		return;
	case OBJ_SOCKET:
		snprintf(o->name, sizeof(o->name), "socket:[%llu]",
			 (unsigned long long)fi->ino);
		o->name_certain = true;
		return;
	case OBJ_ANON:
		if (dname && dname[0]) {
			snprintf(o->name, sizeof(o->name), "anon_inode:%.*s",
				 IPCS_NAME_LEN, dname);
			o->name_certain = true;
			return;
		}
		break;
	case OBJ_MQ:	/* /proc shows the mqueue fs path: "/" and the name */
		if (!(dpath && dpath[0]) && dname && dname[0]) {
			snprintf(o->name, sizeof(o->name), "/%.*s",
				 IPCS_NAME_LEN, dname);
			o->name_certain = true;
			return;
		}
		break;
	default:
		break;
	}
	if (dpath && dpath[0]) {
		copy_str(o->name, sizeof(o->name), dpath, IPCS_PATH_LEN);
		o->name_certain = true;
	} else if (fd >= 0 && m->resolve &&
		   m->resolve(m->resolve_ctx, pid, fd, fi->dev, fi->ino, o->name,
			      sizeof(o->name))) {
		o->name_certain = true;
	} else if (!o->name[0] && upath && upath[0] == '/') {
		copy_str(o->name, sizeof(o->name), upath, IPCS_PATH_LEN);
	} else if (!o->name[0] && dname && dname[0]) {
		copy_str(o->name, sizeof(o->name), dname, IPCS_NAME_LEN);
	} else if (!o->name[0]) {
		snprintf(o->name, sizeof(o->name), "inode:[%llu]",
			 (unsigned long long)fi->ino);
	}
}

static struct model_object *object_get(struct model *m,
				       const struct ipcs_file_info *fi)
{
	struct model_object *o = hmap_get(&m->objects, fi->dev, fi->ino);

	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->dev = fi->dev;
	o->ino = fi->ino;
	o->kind = kind_of(fi);
	m->sweep_due = true;
	if (hmap_put(&m->objects, fi->dev, fi->ino, o)) {
		free(o);
		return NULL;
	}
	return o;
}

static void object_update(struct model_object *o,
			  const struct ipcs_file_info *fi, uint64_t ts)
{
	if (obj_is_pipe(o->kind)) {
		/* flows are drained in no order: keep the latest reading */
		if (ts < o->state_ns)
			return;
		o->state_ns = ts;
		o->buffered = fi->pipe_buffered;
		o->capacity = fi->pipe_capacity;
		o->readers = fi->pipe_readers;
		o->writers = fi->pipe_writers;
	} else if (o->kind == OBJ_MQ) {
		o->stat.count = fi->mq.curmsgs;
		o->stat.limit = fi->mq.maxmsg;
		o->stat.bytes = fi->mq.qsize;
		o->stat.msgsize = fi->mq.msgsize;
	} else if (o->kind == OBJ_SOCKET && fi->sock.family &&
		   !((fi->sock.family == AF_INET ||
		      fi->sock.family == AF_INET6) && !fi->sock.lport &&
		     o->sock.lport)) {
		/* a closed TCP socket's local port reads 0: keep the last
		 * complete 4-tuple, the peer is still named by it */
		o->sock = fi->sock;
	}
	o->last_ns = ts;
}

void model_inet_text(char *out, size_t len, int family, const void *ip,
		     uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(family, ip, text, sizeof(text));
	if (family == AF_INET6)
		snprintf(out, len, "[%s]:%u", text, port);
	else
		snprintf(out, len, "%s:%u", text, port);
}

void model_format_sockaddr(char *out, size_t len, const void *addr,
			   size_t addrlen)
{
	const struct sockaddr *sa = addr;

	out[0] = 0;
	if (addrlen < sizeof(sa->sa_family))
		return;
	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = addr;
		size_t n = addrlen - offsetof(struct sockaddr_un, sun_path);

		if (n > sizeof(un->sun_path))
			n = sizeof(un->sun_path);
		if (n == 0)
			snprintf(out, len, "(unnamed)");
		else if (un->sun_path[0] == 0)	/* abstract: no NUL ends it */
			snprintf(out, len, "@%.*s", (int)n - 1, un->sun_path + 1);
		else
			snprintf(out, len, "%.*s", (int)strnlen(un->sun_path, n),
				 un->sun_path);
	} else if (sa->sa_family == AF_INET &&
		   addrlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = addr;

		model_inet_text(out, len, AF_INET, &in->sin_addr,
				ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6 &&
		   addrlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = addr;

		model_inet_text(out, len, AF_INET6, &in6->sin6_addr,
				ntohs(in6->sin6_port));
	} else {
		snprintf(out, len, "family %u", sa->sa_family);
	}
}

/* An IPv4 or IPv6 endpoint address as 16 bytes: IPv4 as ::ffff:A.B.C.D,
 * the way an IPv6 socket sees an IPv4 peer. */
static bool inet_addr16(const struct ipcs_sock_info *si, bool remote,
			uint8_t out[16])
{
	if (si->family == AF_INET) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, remote ? &si->raddr : &si->laddr, 4);
		return true;
	}
	if (si->family == AF_INET6) {
		memcpy(out, remote ? si->raddr6 : si->laddr6, 16);
		return true;
	}
	return false;
}

/* Is b the other end of a: its local address and port a's remote ones
 * and back? */
static bool inet_mirrors(const struct ipcs_sock_info *a,
			 const struct ipcs_sock_info *b)
{
	uint8_t al[16], ar[16], bl[16], br[16];

	if (a->lport != b->rport || a->rport != b->lport ||
	    !inet_addr16(a, false, al) || !inet_addr16(a, true, ar) ||
	    !inet_addr16(b, false, bl) || !inet_addr16(b, true, br))
		return false;
	return !memcmp(al, br, 16) && !memcmp(ar, bl, 16);
}

bool model_socket_address(const struct model_object *o, bool remote,
			  char *out, size_t len)
{
	const struct ipcs_sock_info *si = &o->sock;
	uint16_t port = remote ? si->rport : si->lport;

	if (o->kind != OBJ_SOCKET || !port)
		return false;
	if (si->family == AF_INET)
		model_inet_text(out, len, AF_INET,
				remote ? &si->raddr : &si->laddr, port);
	else if (si->family == AF_INET6)
		model_inet_text(out, len, AF_INET6,
				remote ? si->raddr6 : si->laddr6, port);
	else
		return false;
	return true;
}

static const char *find_peer(const struct model *m, const struct model_object *o,
			     char *buf, size_t len)
{
	const struct ipcs_sock_info *si = &o->sock;

	if (si->peer_ino) {
		snprintf(buf, len, "socket:[%llu]", (unsigned long long)si->peer_ino);
		return buf;
	}
	if (si->family == AF_UNIX) {
		/* before accept() the server's socket has no inode to name;
		 * once it has, it names us */
		hmap_for_each(&m->objects, slot) {
			const struct model_object *p = slot->val;

			if (p->kind == OBJ_SOCKET && p->sock.peer_ino == o->ino)
				return p->name;
		}
		return NULL;
	}
	if ((si->family != AF_INET && si->family != AF_INET6) || !si->rport)
		return NULL;
	hmap_for_each(&m->objects, slot) {
		const struct model_object *p = slot->val;

		if (p->kind == OBJ_SOCKET && inet_mirrors(&p->sock, si))
			return p->name;
	}
	return NULL;
}

const char *model_socket_peer(const struct model *m,
			      const struct model_object *o, char *buf,
			      size_t len)
{
	const char *peer;

	if (o->kind != OBJ_SOCKET)
		return NULL;
	peer = find_peer(m, o, buf, len);
	return peer ? peer : o->peer[0] ? o->peer : NULL;
}

/* The name of the socket at the other end: the unix peer's inode, or the
 * IPv4/IPv6 socket whose 4-tuple mirrors ours (loopback). Once named it is
 * remembered: the peer may close and be swept while data is still queued
 * for us. Unnamed IP peers are shown by address. */
static const char *socket_peer(struct model *m, struct model_object *o,
			       char *buf, size_t len)
{
	const char *peer;

	if (o->kind != OBJ_SOCKET)
		return NULL;
	peer = find_peer(m, o, buf, len);
	if (peer) {
		if (peer != o->peer)
			snprintf(o->peer, sizeof(o->peer), "%s", peer);
		return o->peer;
	}
	if (o->peer[0])
		return o->peer;
	if (model_socket_address(o, true, buf, len))
		return buf;
	return NULL;
}

/* --- open-file entries ---------------------------------------------------- */

static void file_set_object(struct model_file *f, struct model_object *o)
{
	if (f->obj == o)
		return;
	if (f->obj)
		f->obj->nfiles--;
	f->obj = o;
	if (o)
		o->nfiles++;
}

/* An entry the kernel has freed: its address may come back for a new
 * one. Kept under its id until no slot points at it. */
static int file_retire(struct model *m, struct model_file *f)
{
	if (f->stale)
		return 0;
	m->sweep_due = true;
	hmap_del(&m->files, f->kaddr, 0);
	f->stale = true;
	return hmap_put(&m->files, f->kaddr, f->id, f);
}

/* A new entry for the file at kaddr; a stale one is kept apart from the
 * live entry at that address. */
static struct model_file *file_new(struct model *m, uint64_t kaddr,
				   struct model_object *o, bool stale)
{
	struct model_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->kaddr = kaddr;
	f->id = m->next_file_id++;
	f->stale = stale;
	m->sweep_due = true;
	if (hmap_put(&m->files, kaddr, stale ? f->id : 0, f)) {
		free(f);
		return NULL;
	}
	file_set_object(f, o);
	return f;
}

/* The entry at kaddr. A struct file address is reused after free (the slab
 * is SLAB_TYPESAFE_BY_RCU): a different object behind it, or an event that
 * creates a file (fresh), means a new entry. */
static struct model_file *file_get(struct model *m,
				   const struct ipcs_file_info *fi, bool fresh)
{
	struct model_file *f = hmap_get(&m->files, fi->file, 0);
	struct model_object *o = object_get(m, fi);

	if (!o)
		return NULL;
	if (f && (f->obj != o || fresh)) {
		if (file_retire(m, f))
			return NULL;
		f = NULL;
	}
	return f ? f : file_new(m, fi->file, o, false);
}

/* The entry a flow went through. Flows are drained a tick or two late: an
 * entry at the address with another object behind it came after the
 * flow's file, which closed meanwhile. It stays; the flow gets an entry of
 * its own, stale from the start, which the sweep removes. */
static struct model_file *flow_file(struct model *m,
				    const struct ipcs_file_info *fi)
{
	struct model_file *f = hmap_get(&m->files, fi->file, 0);
	struct model_object *o = object_get(m, fi);

	if (!o)
		return NULL;
	if (!f || f->obj == o)
		return f ? f : file_new(m, fi->file, o, false);
	return file_new(m, fi->file, o, true);
}

static void file_update(struct model_file *f, const struct ipcs_file_info *fi,
			uint64_t ts)
{
	f->refs = fi->refs;
	f->pos = fi->pos;
	f->flags = fi->flags;
	f->last_ns = ts;
	object_update(f->obj, fi, ts);
}

struct model_file *model_file(struct model *m, uint64_t kaddr)
{
	return hmap_get(&m->files, kaddr, 0);
}

/* --- fd tables ---------------------------------------------------------- */

static struct model_table *table_get(struct model *m, uint64_t kaddr)
{
	struct model_table *t = hmap_get(&m->tables, kaddr, 0);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->kaddr = kaddr;
	m->sweep_due = true;
	if (hmap_put(&m->tables, kaddr, 0, t)) {
		free(t);
		return NULL;
	}
	return t;
}

static struct model_fd *table_slot(struct model_table *t, int fd)
{
	if (fd < 0 || fd >= MAX_FD)
		return NULL;
	if (fd >= t->nfds) {
		int n = t->nfds ? t->nfds : 16;
		struct model_fd *fds;

		while (n <= fd)
			n *= 2;
		fds = realloc(t->fds, n * sizeof(*fds));
		if (!fds)
			return NULL;
		memset(fds + t->nfds, 0, (n - t->nfds) * sizeof(*fds));
		t->fds = fds;
		t->nfds = n;
	}
	return &t->fds[fd];
}

/* Empties a slot; the entry loses one slot, and when kernel_drop is set one
 * kernel reference too (we saw no event carrying the new count). */
static struct model_file *slot_clear(struct model_fd *s, bool kernel_drop)
{
	struct model_file *f = s->file;

	if (!f)
		return NULL;
	f->slots--;
	if (kernel_drop && f->refs)
		f->refs--;
	s->file = NULL;
	s->cloexec = false;
	return f;
}

static void table_release(struct model *m, struct model_table *t)
{
	(void)m;
	for (int fd = 0; fd < t->nfds; fd++)
		slot_clear(&t->fds[fd], true);
}

/* --- processes ------------------------------------------------------------ */

struct model_proc *model_proc(struct model *m, uint32_t pid)
{
	return hmap_get(&m->procs, pid, 0);
}

static void proc_set_table(struct model *m, struct model_proc *p,
			   struct model_table *t)
{
	if (p->table == t)
		return;
	m->sweep_due = true;
	if (p->table && !p->exited && --p->table->users == 0)
		table_release(m, p->table);
	p->table = t;
	if (t && !p->exited)
		t->users++;
}

static void proc_free(struct model *m, struct model_proc *p)
{
	proc_set_table(m, p, NULL);
	proc_drop_maps(p);
	free(p);
}

/* A new process at pid: an older one with that pid is gone. */
static struct model_proc *proc_new(struct model *m, uint32_t pid,
				   uint64_t start)
{
	struct model_proc *old = hmap_get(&m->procs, pid, 0);
	struct model_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->start = start;
	p->wait_fd = -1;
	m->sweep_due = true;
	if (hmap_put(&m->procs, pid, 0, p)) {
		free(p);
		return NULL;
	}
	if (old)
		proc_free(m, old);
	return p;
}

/* The live process for an event from pid; one we never saw is created and
 * marked uncertain so that the loop re-reads it. rename: take the name the
 * event carries, as of the call (prctl(PR_SET_NAME) changes it without an
 * event of its own); fork's is given to the child, not taken here. */
static struct model_proc *proc_for_event_as(struct model *m,
					    const struct ipcs_hdr *h,
					    uint64_t files, bool rename)
{
	struct model_proc *p = hmap_get(&m->procs, h->pid, 0);

	if (!p || p->exited) {
		p = proc_new(m, h->pid, 0);
		if (!p)
			return NULL;
		p->uncertain = true;
	}
	/* a thread's own name is not the process's */
	if (rename && h->tid == h->pid)
		memcpy(p->comm, h->comm, sizeof(p->comm));
	if (files && (!p->table || p->table->kaddr != files)) {
		if (p->table)	/* the table changed under us: unshare, exec */
			p->uncertain = true;
		proc_set_table(m, p, table_get(m, files));
	}
	p->last_ns = h->ts;
	return p;
}

static struct model_proc *proc_for_event(struct model *m,
					 const struct ipcs_hdr *h,
					 uint64_t files)
{
	return proc_for_event_as(m, h, files, true);
}

/* --- shared mappings and SysV objects ---------------------------------------- */

static struct model_object *sysv_get(struct model *m, enum obj_kind kind, int id)
{
	struct model_object *o = hmap_get(&m->objects, MODEL_SYSV_DEV(kind), id);
	static const char *const prefix[] = {
		[OBJ_MSGQ] = "msg", [OBJ_SHM] = "shm", [OBJ_SEM] = "sem",
	};

	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->dev = MODEL_SYSV_DEV(kind);
	o->ino = id;
	m->sweep_due = true;
	o->kind = kind;
	o->sysv_alive = true;
	o->name_certain = true;
	snprintf(o->name, sizeof(o->name), "%s:[%d]", prefix[kind], id);
	if (hmap_put(&m->objects, o->dev, o->ino, o)) {
		free(o);
		return NULL;
	}
	return o;
}

void model_add_sysv(struct model *m, enum obj_kind kind, int id,
		    const struct model_ipc_stat *st)
{
	struct model_object *o = sysv_get(m, kind, id);

	if (o)
		o->stat = *st;
}

static int proc_add_map(struct model_proc *p, const struct model_map *mp)
{
	struct model_map *v = realloc(p->maps, (p->nmaps + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	p->maps = v;
	p->maps[p->nmaps++] = *mp;
	return 0;
}

/* A mapping goes away: its file loses a reference, its segment an attach. */
static void map_release(struct model_map *mp)
{
	if (mp->file) {
		mp->file->maps--;
		if (mp->file->refs)
			mp->file->refs--;
	}
	if (mp->shm) {
		if (mp->shm->stat.count)
			mp->shm->stat.count--;
		if (mp->shm->rmid_pending && !mp->shm->stat.count)
			mp->shm->sysv_alive = false;
	}
}

/* A mapping is copied by fork: one more reference, one more attach. */
static void map_hold(struct model_map *mp)
{
	if (mp->file) {
		mp->file->maps++;
		mp->file->refs++;
	}
	if (mp->shm)
		mp->shm->stat.count++;
}

static void proc_drop_maps(struct model_proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		map_release(&p->maps[i]);
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
}

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

/* Before a re-read of the mappings: the kernel's counts come with it, so
 * the mappings go without touching refs or attaches. */
static void proc_forget_maps(struct model_proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		if (p->maps[i].file)
			p->maps[i].file->maps--;
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
}

/* --- applying events ------------------------------------------------------ */

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
		struct model_table *dst = table_get(m, e->files);

		if (!dst)
			return;
		proc_set_table(m, child, dst);
		/* the kernel copies every fd: each entry gains a reference */
		for (int fd = 0; src && fd < src->nfds; fd++) {
			struct model_fd *from = &src->fds[fd], *to;

			if (!from->file)
				continue;
			to = table_slot(dst, fd);
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

static bool exec_fd_open(const struct ipcs_ev_proc *e, int fd)
{
	return (e->open_fds[fd / 64] >> (fd % 64)) & 1;
}

/* The table as the kernel left it after exec: every fd it closed (the
 * close-on-exec ones) is an implicit close; those left have close-on-exec
 * clear. One the model never knew of is re-read. */
static void exec_close_to(struct model *m, struct model_proc *p,
			  const struct ipcs_ev_proc *e)
{
	int known = 0;

	for (int fd = 0; p->table && fd < p->table->nfds; fd++) {
		struct model_fd *s = &p->table->fds[fd];
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
	for (int fd = 0; p->table && fd < p->table->nfds; fd++) {
		struct model_fd *s = &p->table->fds[fd];
		struct model_file *f;

		if (!s->file || !s->cloexec)
			continue;
		f = slot_clear(s, true);
		note_fd(m, &e->h, IPCS_EV_CLOSE, fd, f, false, "exec");
	}
	/* and that is the model's guess: re-read the table */
	p->uncertain = true;
}

static void apply_exit(struct model *m, const struct ipcs_ev_proc *e)
{
	struct model_proc *p = hmap_get(&m->procs, e->h.pid, 0);
	struct model_note n;

	if (p && !p->exited) {
		proc_set_table(m, p, NULL);
		proc_drop_maps(p);
		p->exited = true;
		p->exit_code = e->code;
		p->exit_signal = e->signal;
		p->exit_ns = e->h.ts;
		p->uncertain = false;
	}
	note_init(&n, &e->h);
	n.code = e->code;
	n.signal = e->signal;
	emit(m, &n);
}

/* fd now points at the entry the event describes. */
static void apply_fd_install(struct model *m, const struct ipcs_ev_fd *e)
{
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
	object_name(m, f->obj, &e->f, e->h.pid, e->fd, e->name, e->path, NULL);
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
	if (!f->refs)	/* the last reference: the kernel frees it now */
		file_retire(m, f);
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
static struct model_file *fd_entry(struct model *m, const struct ipcs_hdr *h,
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
	for (int fd = 0; t && fd < t->nfds; fd++)
		if (t->fds[fd].file == f)
			return fd;
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
	/* drained a tick late: the process may have exited meanwhile, and
	 * an exited process is not brought back */
	p = hmap_get(&m->procs, h.pid, 0);
	if (!p || !p->exited)
		p = proc_for_event(m, &h, fl->files);
	f = flow_file(m, &fl->f);
	if (!f)
		return -ENOMEM;
	fd = p ? table_find(p->table, f) : -1;
	object_name(m, f->obj, &fl->f, h.pid, fd, NULL, NULL, NULL);
	f->last_ns = h.ts;
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
	if (e->h.kind == IPCS_EV_BIND)
		memcpy(f->obj->local, addr, sizeof(addr));
	else if (e->h.kind == IPCS_EV_CONNECT)
		memcpy(f->obj->remote, addr, sizeof(addr));
	else
		f->obj->listening = true;
	note_init(&n, &e->h);
	n.fd = e->fd;
	n.file = f;
	n.obj = f->obj;
	n.refs = f->refs;
	n.address = e->h.kind == IPCS_EV_LISTEN ? NULL : addr;
	n.ret = e->ret;
	n.backlog = e->backlog;
	n.peer = socket_peer(m, f->obj, peer, sizeof(peer));
	emit(m, &n);
}

static void apply_mmap(struct model *m, const struct ipcs_ev_fd *e)
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
static void apply_munmap(struct model *m, const struct ipcs_ev_munmap *e)
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
static void apply_mq_unlink(struct model *m, const struct ipcs_ev_fd *e)
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

static void apply_ipc(struct model *m, const struct ipcs_ev_ipc *e)
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

static void apply_signal(struct model *m, const struct ipcs_ev_signal *e)
{
	struct model_note n;

	note_init(&n, &e->h);
	n.sig = e;
	n.signal = e->sig;
	emit(m, &n);
}

static size_t record_min_size(unsigned kind)
{
	switch (kind) {
	case IPCS_EV_FORK:
	case IPCS_EV_EXEC:
	case IPCS_EV_EXIT:
		return sizeof(struct ipcs_ev_proc);
	case IPCS_EV_OPEN:
	case IPCS_EV_PIPE:
	case IPCS_EV_DUP:
	case IPCS_EV_FCNTL:
	case IPCS_EV_CLOSE:
	case IPCS_EV_MKFIFO:
		return sizeof(struct ipcs_ev_fd);
	case IPCS_EV_WRITE:
	case IPCS_EV_READ:
		return sizeof(struct ipcs_ev_data);
	case IPCS_EV_SOCKET:
	case IPCS_EV_SOCKETPAIR:
	case IPCS_EV_ACCEPT:
	case IPCS_EV_RECVFD:
	case IPCS_EV_MMAP:
		return sizeof(struct ipcs_ev_fd);
	case IPCS_EV_BIND:
	case IPCS_EV_LISTEN:
	case IPCS_EV_CONNECT:
		return sizeof(struct ipcs_ev_sockaddr);
	case IPCS_EV_MSGGET: case IPCS_EV_MSGSND: case IPCS_EV_MSGRCV:
	case IPCS_EV_MSGCTL: case IPCS_EV_SHMGET: case IPCS_EV_SHMAT:
	case IPCS_EV_SHMDT: case IPCS_EV_SHMCTL: case IPCS_EV_SEMGET:
	case IPCS_EV_SEMOP: case IPCS_EV_SEMCTL:
		return sizeof(struct ipcs_ev_ipc);
	case IPCS_EV_SIGNAL:
		return sizeof(struct ipcs_ev_signal);
	case IPCS_EV_MQ_OPEN:
	case IPCS_EV_MQ_UNLINK:
		return sizeof(struct ipcs_ev_fd);
	case IPCS_EV_MUNMAP:
		return sizeof(struct ipcs_ev_munmap);
	default:
		return 0;
	}
}

int model_apply(struct model *m, const void *rec, size_t size)
{
	const struct ipcs_hdr *h = rec;
	size_t need;

	if (size < sizeof(*h) || h->size > size ||
	    !(need = record_min_size(h->kind)) || h->size < need) {
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

/* --- snapshots ------------------------------------------------------------ */

void model_resync_begin(struct model *m, uint32_t pid)
{
	struct model_proc *p = hmap_get(&m->procs, pid, 0);

	m->sweep_due = true;
	m->resync_pid = pid;
	m->resync_found = false;
	if (!p)
		return;
	proc_forget_maps(p);	/* the task_vma records bring them back */
	if (!p->table)
		return;
	for (int fd = 0; fd < p->table->nfds; fd++)
		slot_clear(&p->table->fds[fd], false);
}

void model_resync_end(struct model *m, uint32_t pid)
{
	struct model_proc *p = hmap_get(&m->procs, pid, 0);

	if (pid != m->resync_pid || m->resync_found || !p || p->exited)
		return;
	/* as apply_exit(), without a note: we do not know how it ended */
	proc_set_table(m, p, NULL);
	proc_drop_maps(p);
	p->exited = true;
	p->exit_ns = p->last_ns;
	p->uncertain = false;
}

static void snap_task(struct model *m, const struct ipcs_snap_task *r)
{
	struct model_proc *p = hmap_get(&m->procs, r->pid, 0);

	if (r->pid == m->resync_pid)
		m->resync_found = true;
	if (!p || p->exited || (p->start && p->start != r->start))
		p = proc_new(m, r->pid, r->start);
	if (!p)
		return;
	p->start = r->start;
	p->ppid = r->ppid;
	memcpy(p->comm, r->comm, sizeof(p->comm));
	p->uncertain = false;
	if (r->files)
		proc_set_table(m, p, table_get(m, r->files));
}

static void snap_fd(struct model *m, const struct ipcs_snap_fd *r)
{
	struct model_proc *p = hmap_get(&m->procs, r->pid, 0);
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
	object_name(m, f->obj, &r->f, r->pid, r->fd, NULL, NULL, r->path);
	if (s->file != f) {
		slot_clear(s, false);
		s->file = f;
		f->slots++;
	}
	s->cloexec = r->fd_flags & IPCS_FD_CLOEXEC;
	f->refs = r->f.refs;
	f->pos = r->f.pos;
	f->flags = r->f.flags;
	object_update(f->obj, &r->f, f->last_ns);
}

/* A shared mapping: a holder of its file, or an attach of a segment. A
 * mapping already known at that address is kept (a snapshot taken after
 * the event that made it). */
static void snap_vma(struct model *m, const struct ipcs_snap_vma *r)
{
	struct model_proc *p = hmap_get(&m->procs, r->pid, 0);
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
		object_name(m, mp.file->obj, &r->f, r->pid, -1, NULL, NULL,
			    r->path);
		mp.file->refs = r->f.refs;
		mp.file->flags = r->f.flags;
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
	const struct ipcs_snap_task *r = rec;

	m->sweep_due = true;
	if (size >= sizeof(struct ipcs_snap_task) && r->kind == IPCS_SNAP_TASK &&
	    r->size == sizeof(struct ipcs_snap_task)) {
		snap_task(m, rec);
		return 0;
	}
	if (size >= sizeof(struct ipcs_snap_fd) && r->kind == IPCS_SNAP_FD &&
	    r->size == sizeof(struct ipcs_snap_fd)) {
		snap_fd(m, rec);
		return 0;
	}
	if (size >= sizeof(struct ipcs_snap_vma) && r->kind == IPCS_SNAP_VMA &&
	    r->size == sizeof(struct ipcs_snap_vma)) {
		snap_vma(m, rec);
		return 0;
	}
	m->bad_records++;
	return -EINVAL;
}

/* --- housekeeping --------------------------------------------------------- */

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
		for (int fd = 0; fd < t->nfds; fd++) {
			struct model_file *f = t->fds[fd].file;

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

	if (o && obj_is_pipe(o->kind) && ts >= o->state_ns) {
		o->buffered = 0;
		o->state_ns = ts;
	}
}

void model_set_wait(struct model *m, const struct ipcs_snap_task *r)
{
	struct model_proc *p = hmap_get(&m->procs, r->pid, 0);

	if (!p || p->exited || (p->start && r->start != p->start))
		return;
	p->wait = r->wait < WAIT__COUNT ? (enum model_wait)r->wait : WAIT_OTHER;
	p->wait_fd = p->wait == WAIT_READ || p->wait == WAIT_WRITE ||
			     p->wait == WAIT_ACCEPT || p->wait == WAIT_CONNECT ?
			     r->wait_fd : -1;
}

void model_sweep(struct model *m, uint64_t now_ns)
{
	struct hmap_slot *s;

	if (!m->sweep_due && now_ns < m->sweep_at)
		return;
	m->sweep_at = UINT64_MAX;
	/* Deleting shifts later slots back: re-examine the same slot. */
	for (size_t i = 0; i < m->procs.cap; i++) {
		struct model_proc *p;

		while ((s = &m->procs.slots[i])->val) {
			p = s->val;
			if (p->exited &&
			    now_ns < p->exit_ns + m->exited_keep_ns) {
				if (p->exit_ns + m->exited_keep_ns < m->sweep_at)
					m->sweep_at = p->exit_ns + m->exited_keep_ns;
				break;
			}
			if (!p->exited)
				break;
			hmap_del(&m->procs, p->pid, 0);
			proc_free(m, p);
		}
	}
	for (size_t i = 0; i < m->tables.cap; i++) {
		struct model_table *t;

		while ((s = &m->tables.slots[i])->val) {
			t = s->val;
			if (t->users)
				break;
			table_release(m, t);
			hmap_del(&m->tables, t->kaddr, 0);
			free(t->fds);
			free(t);
		}
	}
	for (size_t i = 0; i < m->files.cap; i++) {
		struct model_file *f;

		while ((s = &m->files.slots[i])->val) {
			f = s->val;
			if (f->slots || f->maps)
				break;
			hmap_del(&m->files, f->kaddr, f->stale ? f->id : 0);
			file_set_object(f, NULL);
			free(f);
		}
	}
	for (size_t i = 0; i < m->objects.cap; i++) {
		struct model_object *o;

		while ((s = &m->objects.slots[i])->val) {
			o = s->val;
			if (o->nfiles || o->sysv_alive)
				break;
			hmap_del(&m->objects, o->dev, o->ino);
			free(o);
		}
	}
	m->sweep_due = false;
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

/* --- sorted views ----------------------------------------------------------- */

static int cmp_proc(const void *a, const void *b)
{
	const struct model_proc *x = *(struct model_proc *const *)a;
	const struct model_proc *y = *(struct model_proc *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_file(const void *a, const void *b)
{
	const struct model_file *x = *(struct model_file *const *)a;
	const struct model_file *y = *(struct model_file *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_object(const void *a, const void *b)
{
	const struct model_object *x = *(struct model_object *const *)a;
	const struct model_object *y = *(struct model_object *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->ino > y->ino) - (x->ino < y->ino);
}

static void **sorted(const struct hmap *h, size_t *n,
		     int (*cmp)(const void *, const void *))
{
	void **v = malloc((h->len ? h->len : 1) * sizeof(*v));
	size_t k = 0;

	*n = 0;
	if (!v)
		return NULL;
	hmap_for_each(h, s)
		v[k++] = s->val;
	qsort(v, k, sizeof(*v), cmp);
	*n = k;
	return v;
}

struct model_proc **model_procs_sorted(const struct model *m, size_t *n)
{
	return (struct model_proc **)sorted(&m->procs, n, cmp_proc);
}

struct model_file **model_files_sorted(const struct model *m, size_t *n)
{
	return (struct model_file **)sorted(&m->files, n, cmp_file);
}

struct model_object **model_objects_sorted(const struct model *m, size_t *n)
{
	return (struct model_object **)sorted(&m->objects, n, cmp_object);
}
