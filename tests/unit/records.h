/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Synthetic records for the model, escape and JSON tests: ring-buffer and
 * snapshot records laid out as bpf/ipcscope.h defines them and filled the
 * way bpf/ipcscope.bpf.c fills them (refs is the kernel's count after the
 * change; the comm of pid N is "pN"), and a note log that copies every note
 * the model emits, since a note's pointers die with the callback.
 */
#ifndef IPCSCOPE_TEST_RECORDS_H
#define IPCSCOPE_TEST_RECORDS_H

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "model.h"

#define REC_PIPE_DEV 0xdU	/* pipefs s_dev */
#define REC_DISK_DEV 0x800001U	/* MKDEV(8, 1) as the kernel encodes it */
#define REC_EXT4_MAGIC 0xEF53U
#define REC_PIPE_CAP 65536U
#define REC_MQUEUE_DEV 0x14U	/* the mqueue fs */
#define REC_SOCK_DEV 0x8U	/* sockfs */

/* Copies src into the fixed field dst[len], NUL-padded and, like the BPF
 * side's *_str helpers, NUL-terminated. */
static inline void rec_str(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	memset(dst, 0, len);
	for (; src && i + 1 < len && src[i]; i++)
		dst[i] = src[i];
}

/* --- what an event knows of one open file --------------------------------- */

static inline struct ipcs_file_info rec_pipe(uint64_t file, uint64_t ino,
					     uint32_t flags, uint64_t refs)
{
	return (struct ipcs_file_info){
		.file = file,
		.ino = ino,
		.refs = refs,
		.dev = REC_PIPE_DEV,
		.imode = S_IFIFO | 0600,
		.flags = flags,
		.magic = IPCS_PIPEFS_MAGIC,
		.pipe_capacity = REC_PIPE_CAP,
		.pipe_readers = 1,
		.pipe_writers = 1,
	};
}

static inline struct ipcs_file_info rec_reg(uint64_t file, uint64_t ino,
					    uint32_t flags, uint64_t refs)
{
	return (struct ipcs_file_info){
		.file = file,
		.ino = ino,
		.refs = refs,
		.dev = REC_DISK_DEV,
		.imode = S_IFREG | 0644,
		.flags = flags,
		.magic = REC_EXT4_MAGIC,
	};
}

/* A POSIX message queue: curmsgs of maxmsg messages, qsize bytes. */
static inline struct ipcs_file_info rec_mq(uint64_t file, uint64_t ino,
					   uint32_t flags, uint64_t refs,
					   uint32_t curmsgs, uint32_t maxmsg,
					   uint64_t qsize)
{
	return (struct ipcs_file_info){
		.file = file,
		.ino = ino,
		.refs = refs,
		.dev = REC_MQUEUE_DEV,
		.imode = S_IFREG | 0600,
		.flags = flags,
		.magic = IPCS_MQUEUE_MAGIC,
		.mq = { .qsize = qsize, .curmsgs = curmsgs, .maxmsg = maxmsg,
			.msgsize = 64 },
	};
}

/* A TCP socket with an IPv4 or IPv6 4-tuple; addresses as text, ports in
 * host order. */
static inline struct ipcs_file_info rec_inet(uint64_t file, uint64_t ino,
					     int family, const char *laddr,
					     uint16_t lport, const char *raddr,
					     uint16_t rport)
{
	struct ipcs_file_info f = {
		.file = file,
		.ino = ino,
		.refs = 1,
		.dev = REC_SOCK_DEV,
		.imode = S_IFSOCK | 0777,
		.flags = O_RDWR,
		.magic = IPCS_SOCKFS_MAGIC,
	};

	f.sock.family = family;
	f.sock.type = SOCK_STREAM;
	f.sock.lport = lport;
	f.sock.rport = rport;
	if (family == AF_INET) {
		inet_pton(AF_INET, laddr, &f.sock.laddr);
		inet_pton(AF_INET, raddr, &f.sock.raddr);
	} else {
		inet_pton(AF_INET6, laddr, f.sock.laddr6);
		inet_pton(AF_INET6, raddr, f.sock.raddr6);
	}
	return f;
}

/* --- ring-buffer records -------------------------------------------------- */

static inline void rec_hdr(struct ipcs_hdr *h, unsigned kind, uint64_t ts,
			   uint32_t pid, size_t size)
{
	char comm[IPCS_COMM_LEN + 8];

	h->ts = ts;
	h->pid = pid;
	h->tid = pid;
	h->kind = kind;
	h->size = size;
	snprintf(comm, sizeof(comm), "p%u", (unsigned)pid);
	rec_str(h->comm, sizeof(h->comm), comm);
}

/* open, pipe, dup, fcntl and close: one fd of the table at files. */
static inline struct ipcs_ev_fd rec_fd(unsigned kind, uint64_t ts, uint32_t pid,
				       uint64_t files, int fd, int oldfd,
				       uint32_t fd_flags,
				       struct ipcs_file_info f)
{
	struct ipcs_ev_fd e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.h, kind, ts, pid, sizeof(e));
	e.fd = fd;
	e.oldfd = oldfd;
	e.fd_flags = fd_flags;
	e.files = files;
	e.f = f;
	return e;
}

/* fork: pid makes child; files is the child's table, pfiles the parent's. */
static inline struct ipcs_ev_proc rec_fork(uint64_t ts, uint32_t pid,
					   uint32_t child, uint64_t pfiles,
					   uint64_t files, uint32_t flags)
{
	struct ipcs_ev_proc e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.h, IPCS_EV_FORK, ts, pid, sizeof(e));
	e.child = child;
	e.ppid = pid;
	e.start = ts;
	e.files = files;
	e.parent_files = pfiles;
	e.flags = flags;
	return e;
}

static inline struct ipcs_ev_proc rec_exec(uint64_t ts, uint32_t pid,
					   uint64_t files, const char *filename)
{
	struct ipcs_ev_proc e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.h, IPCS_EV_EXEC, ts, pid, sizeof(e));
	e.files = files;
	e.old_pid = pid;
	rec_str(e.filename, sizeof(e.filename), filename);
	return e;
}

static inline struct ipcs_ev_proc rec_exit(uint64_t ts, uint32_t pid,
					   uint64_t files, int code)
{
	struct ipcs_ev_proc e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.h, IPCS_EV_EXIT, ts, pid, sizeof(e));
	e.files = files;
	e.code = code;
	return e;
}

/* write/read of `bytes` through fd, with an optional captured payload
 * appended after the struct; free() the record. */
static inline struct ipcs_ev_data *rec_data(unsigned kind, uint64_t ts,
					    uint32_t pid, uint64_t files,
					    int fd, int64_t bytes,
					    struct ipcs_file_info f,
					    const void *payload, size_t plen)
{
	size_t size = sizeof(struct ipcs_ev_data) + plen;
	struct ipcs_ev_data *e = calloc(1, size);

	if (!e)
		abort();
	rec_hdr(&e->h, kind, ts, pid, size);
	e->fd = fd;
	e->syscall = kind == IPCS_EV_WRITE ? IPCS_SC_WRITE : IPCS_SC_READ;
	e->bytes = bytes;
	e->files = files;
	e->f = f;
	/* data events carry the object, not the entry's count or flags;
	 * for a regular file, its offset after the call */
	e->f.refs = 0;
	if ((f.imode & S_IFMT) != S_IFREG)
		e->f.pos = 0;
	e->f.flags = 0;
	if (plen) {
		memcpy(e->payload, payload, plen);
		e->payload_len = plen;
	}
	return e;
}

/* mmap of fd at addr, len bytes; f.refs counts the mapping's reference. */
static inline struct ipcs_ev_fd rec_mmap(uint64_t ts, uint32_t pid,
					 uint64_t files, int fd, uint64_t addr,
					 uint64_t len, struct ipcs_file_info f)
{
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_MMAP, ts, pid, files, fd, -1, 0, f);

	e.addr = addr;
	e.len = len;
	return e;
}

static inline struct ipcs_ev_munmap rec_munmap(uint64_t ts, uint32_t pid,
					       uint64_t addr, uint64_t len)
{
	struct ipcs_ev_munmap e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.h, IPCS_EV_MUNMAP, ts, pid, sizeof(e));
	e.addr = addr;
	e.len = len;
	return e;
}

/* A SysV event on object id (-1: none). found: the kernel still had it,
 * with qnum (shm: nattch) and cbytes (shm: size). */
static inline struct ipcs_ev_ipc rec_ipc(unsigned kind, uint64_t ts,
					 uint32_t pid, int id, bool found,
					 uint64_t qnum, uint64_t cbytes)
{
	struct ipcs_ev_ipc e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.h, kind, ts, pid, sizeof(e));
	e.id = id;
	e.found = found;
	e.qnum = qnum;
	e.cbytes = cbytes;
	return e;
}

/* --- task iterator records ------------------------------------------------ */

static inline struct ipcs_snap_task rec_snap_task(uint32_t pid, uint32_t ppid,
						  uint64_t start,
						  uint64_t files)
{
	struct ipcs_snap_task t;
	char comm[IPCS_COMM_LEN + 8];

	memset(&t, 0, sizeof(t));
	t.h.kind = IPCS_SNAP_TASK;
	t.h.size = sizeof(t);
	t.h.pid = pid;
	t.ppid = ppid;
	t.start = start;
	t.files = files;
	snprintf(comm, sizeof(comm), "p%u", (unsigned)pid);
	rec_str(t.comm, sizeof(t.comm), comm);
	return t;
}

/* refs is the count without the iterator's own reference, as the BPF side
 * reports it. */
static inline struct ipcs_snap_fd rec_snap_fd(uint32_t pid, uint64_t files,
					      int fd, uint32_t fd_flags,
					      struct ipcs_file_info f,
					      const char *path)
{
	struct ipcs_snap_fd s;

	memset(&s, 0, sizeof(s));
	s.h.kind = IPCS_SNAP_FD;
	s.h.size = sizeof(s);
	s.h.pid = pid;
	s.fd = fd;
	s.fd_flags = fd_flags;
	s.files = files;
	s.f = f;
	rec_str(s.path, sizeof(s.path), path);
	return s;
}

/* A shared mapping [start, end) of f, or of SysV segment shmid (>= 0). */
static inline struct ipcs_snap_vma rec_snap_vma(uint32_t pid, uint64_t start,
						uint64_t end, int shmid,
						uint64_t nattch,
						struct ipcs_file_info f,
						const char *path)
{
	struct ipcs_snap_vma s;

	memset(&s, 0, sizeof(s));
	s.h.kind = IPCS_SNAP_VMA;
	s.h.size = sizeof(s);
	s.h.pid = pid;
	s.shmid = shmid;
	s.start = start;
	s.end = end;
	s.nattch = nattch;
	s.segsz = shmid >= 0 ? end - start : 0;
	s.f = f;
	rec_str(s.path, sizeof(s.path), path);
	return s;
}

/* --- the note log --------------------------------------------------------- */

#define REC_NOTES_MAX 64

struct rec_note {
	enum ipcs_kind kind;
	uint64_t ts;
	uint32_t pid, tid, child;
	char comm[IPCS_COMM_LEN + 1];
	int fd, oldfd;
	bool has_file;
	unsigned file_id;
	bool has_obj;
	char object[IPCS_PATH_LEN];
	enum obj_kind obj_kind;
	uint64_t refs;
	bool cloexec;
	bool has_implicit;
	char implicit[32];
	int64_t bytes;
	enum ipcs_data_syscall syscall;
	bool has_payload;
	uint8_t payload[IPCS_PAYLOAD_MAX];
	size_t payload_len;
	char filename[IPCS_PATH_LEN + 2];
	int code, signal;
	uint64_t addr, len;
	char peer[IPCS_PATH_LEN];	/* "" when the note named none */
};

struct rec_log {
	size_t n;
	size_t dropped;		/* notes past REC_NOTES_MAX */
	struct rec_note v[REC_NOTES_MAX];
};

static inline void rec_log_note(void *ctx, const struct model_note *n)
{
	struct rec_log *log = ctx;
	struct rec_note *r;

	if (log->n == REC_NOTES_MAX) {
		log->dropped++;
		return;
	}
	r = &log->v[log->n++];
	memset(r, 0, sizeof(*r));
	r->kind = n->kind;
	r->ts = n->ts;
	r->pid = n->pid;
	r->tid = n->tid;
	r->child = n->child;
	if (n->comm)
		memcpy(r->comm, n->comm, strnlen(n->comm, IPCS_COMM_LEN));
	r->fd = n->fd;
	r->oldfd = n->oldfd;
	r->has_file = n->file != NULL;
	r->file_id = n->file ? n->file->id : 0;
	r->has_obj = n->obj != NULL;
	if (n->obj) {
		memcpy(r->object, n->obj->name,
		       strnlen(n->obj->name, sizeof(r->object) - 1));
		r->obj_kind = n->obj->kind;
	}
	r->refs = n->refs;
	r->cloexec = n->cloexec;
	r->has_implicit = n->implicit != NULL;
	if (n->implicit)
		memcpy(r->implicit, n->implicit,
		       strnlen(n->implicit, sizeof(r->implicit) - 1));
	r->bytes = n->bytes;
	r->syscall = n->syscall;
	r->has_payload = n->payload != NULL;
	r->payload_len = n->payload_len;
	if (n->payload) {
		size_t k = n->payload_len;

		memcpy(r->payload, n->payload,
		       k < sizeof(r->payload) ? k : sizeof(r->payload));
	}
	if (n->filename)
		memcpy(r->filename, n->filename,
		       strnlen(n->filename, IPCS_PATH_LEN + 1));
	r->code = n->code;
	r->signal = n->signal;
	r->addr = n->addr;
	r->len = n->len;
	if (n->peer)
		memcpy(r->peer, n->peer, strnlen(n->peer, sizeof(r->peer) - 1));
}

/* A model whose notes go to a log; both freed by rec_fx_teardown, which
 * cmocka runs even when a test fails. */
struct rec_fx {
	struct model m;
	struct rec_log log;
};

static inline int rec_fx_setup(void **state)
{
	struct rec_fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	model_init(&fx->m);
	fx->m.note = rec_log_note;
	fx->m.note_ctx = &fx->log;
	*state = fx;
	return 0;
}

static inline int rec_fx_teardown(void **state)
{
	struct rec_fx *fx = *state;

	model_free(&fx->m);
	free(fx);
	return 0;
}

/* --- crashes -------------------------------------------------------------- */

/* Runs fn in a child process and returns true when it returned normally:
 * a test of "never crashes" that does not take the other tests down with
 * it (cmocka's and the sanitizers' handlers are reset in the child). */
static inline bool rec_survives(void (*fn)(void))
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#endif /* IPCSCOPE_TEST_RECORDS_H */
