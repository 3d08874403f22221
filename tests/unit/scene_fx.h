/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The scene tests' fixtures (test_scene*.c): scripted models made of
 * records applied with the real model code, and rendering, keys and
 * frame look-ups as ui.c does them. Include after cmocka.h.
 */
#ifndef IPCSCOPE_TEST_SCENE_FX_H
#define IPCSCOPE_TEST_SCENE_FX_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "notes.h"
#include "notes_text.h"
#include "output.h"
#include "scene.h"

/* ---- scripted models ------------------------------------------------------ */

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "model.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define PIPE_DEV 0xc
#define TTY_DEV 0x19

/* comm as the kernel keeps it: at most 16 bytes, NUL-padded */
static inline void fx_comm(char *dst, const char *src)
{
	memset(dst, 0, IPCS_COMM_LEN);
	memcpy(dst, src, strnlen(src, IPCS_COMM_LEN));
}

static inline void fx_hdr(struct ipcs_hdr *h, unsigned kind, uint64_t ts,
			  uint32_t pid, const char *comm, size_t size)
{
	h->ts = ts;
	h->pid = pid;
	h->tid = pid;
	h->kind = kind;
	h->size = size;
	fx_comm(h->comm, comm);
}

static inline int fx_fork(struct model *m, uint64_t ts, uint32_t parent,
			  uint32_t child, const char *comm, uint64_t pfiles,
			  uint64_t cfiles)
{
	struct ipcs_ev_proc e = { 0 };

	fx_hdr(&e.h, IPCS_EV_FORK, ts, parent, comm, sizeof(e));
	e.child = child;
	e.ppid = parent;
	e.start = ts;
	e.files = cfiles;
	e.parent_files = pfiles;
	return model_apply(m, &e, sizeof(e));
}

static inline int fx_exit(struct model *m, uint64_t ts, uint32_t pid,
			  const char *comm, int code)
{
	struct ipcs_ev_proc e = { 0 };

	fx_hdr(&e.h, IPCS_EV_EXIT, ts, pid, comm, sizeof(e));
	e.code = code;
	return model_apply(m, &e, sizeof(e));
}

/* One end of a pipe, a dup, or a close: an fd record. */
static inline int fx_fd(struct model *m, unsigned kind, uint64_t ts,
			uint32_t pid, const char *comm, uint64_t files, int fd,
			int oldfd, uint64_t file, uint64_t ino, uint32_t flags,
			uint64_t refs, uint32_t buffered)
{
	struct ipcs_ev_fd e = { 0 };

	fx_hdr(&e.h, kind, ts, pid, comm, sizeof(e));
	e.fd = fd;
	e.oldfd = oldfd;
	e.files = files;
	e.f.file = file;
	e.f.ino = ino;
	e.f.refs = refs;
	e.f.dev = PIPE_DEV;
	e.f.imode = S_IFIFO | 0600;
	e.f.flags = flags;
	e.f.magic = IPCS_PIPEFS_MAGIC;
	e.f.pipe_buffered = buffered;
	e.f.pipe_capacity = 65536;
	e.f.pipe_readers = 1;
	e.f.pipe_writers = 1;
	return model_apply(m, &e, sizeof(e));
}

static inline int fx_data(struct model *m, unsigned kind, uint64_t ts,
			  uint32_t pid, const char *comm, uint64_t files,
			  int fd, uint64_t file, uint64_t ino, uint32_t flags,
			  uint64_t refs, int64_t bytes, uint32_t buffered,
			  const char *payload)
{
	struct {
		struct ipcs_ev_data e;
		uint8_t payload[64];
	} r = { 0 };
	size_t plen = payload ? strlen(payload) : 0;

	fx_hdr(&r.e.h, kind, ts, pid, comm,
	       sizeof(r.e) + (payload ? sizeof(r.payload) : 0));
	r.e.fd = fd;
	r.e.syscall = kind == IPCS_EV_WRITE ? IPCS_SC_WRITE : IPCS_SC_READ;
	r.e.bytes = bytes;
	r.e.files = files;
	r.e.f.file = file;
	r.e.f.ino = ino;
	r.e.f.refs = refs;
	r.e.f.dev = PIPE_DEV;
	r.e.f.imode = S_IFIFO | 0600;
	r.e.f.flags = flags;
	r.e.f.magic = IPCS_PIPEFS_MAGIC;
	r.e.f.pipe_buffered = buffered;
	r.e.f.pipe_capacity = 65536;
	r.e.f.pipe_readers = 1;
	r.e.f.pipe_writers = 1;
	if (payload) {
		memcpy(r.payload, payload, plen);
		r.e.payload_len = plen;
	}
	return model_apply(m, &r, r.e.h.size);
}

static inline int fx_snap_task(struct model *m, uint32_t pid, uint32_t ppid,
			       const char *comm, uint64_t files)
{
	struct ipcs_snap_task t = { 0 };

	t.h.kind = IPCS_SNAP_TASK;
	t.h.size = sizeof(t);
	t.h.pid = pid;
	t.ppid = ppid;
	t.start = pid;
	t.files = files;
	fx_comm(t.comm, comm);
	return model_apply_snap(m, &t, sizeof(t));
}

/* A terminal on fds 0-2, as a shell hands them down. */
static inline int fx_snap_tty(struct model *m, uint32_t pid, uint64_t files,
			      int fd, uint64_t file, uint64_t refs)
{
	struct ipcs_snap_fd s = { 0 };

	s.h.kind = IPCS_SNAP_FD;
	s.h.size = sizeof(s);
	s.h.pid = pid;
	s.fd = fd;
	s.files = files;
	s.f.file = file;
	s.f.ino = 3;
	s.f.dev = TTY_DEV;
	s.f.imode = S_IFCHR | 0620;
	s.f.flags = O_RDWR;
	s.f.refs = refs;
	strcpy(s.path, "/dev/pts/0");
	return model_apply_snap(m, &s, sizeof(s));
}

/*
 * The classic: a process with a terminal makes a pipe, forks, the parent
 * keeps the write end and the child the read end; the parent writes.
 * ts runs from 1 s to 1.6 s.
 */
#define FX_PARENT 100
#define FX_CHILD 101
#define FX_TBL_P 0xffff888000a00000ULL
#define FX_TBL_C 0xffff888000b00000ULL
#define FX_TTY 0xffff888001000000ULL
#define FX_RD 0xffff888001000100ULL
#define FX_WR 0xffff888001000200ULL
#define FX_INO 51234

static inline void fx_pipe_demo(struct model *m)
{
	const char *c = "demo-pipe";

	fx_snap_task(m, FX_PARENT, 1, c, FX_TBL_P);
	for (int fd = 0; fd < 3; fd++)
		fx_snap_tty(m, FX_PARENT, FX_TBL_P, fd, FX_TTY, 3);
	fx_fd(m, IPCS_EV_PIPE, 1 * SEC, FX_PARENT, c, FX_TBL_P, 3, -1, FX_RD,
	      FX_INO, O_RDONLY, 1, 0);
	fx_fd(m, IPCS_EV_PIPE, 1 * SEC, FX_PARENT, c, FX_TBL_P, 4, -1, FX_WR,
	      FX_INO, O_WRONLY, 1, 0);
	fx_fork(m, 1 * SEC + 100 * MS, FX_PARENT, FX_CHILD, c, FX_TBL_P,
		FX_TBL_C);
	fx_fd(m, IPCS_EV_CLOSE, 1 * SEC + 200 * MS, FX_PARENT, c, FX_TBL_P, 3,
	      -1, FX_RD, FX_INO, O_RDONLY, 1, 0);
	fx_fd(m, IPCS_EV_CLOSE, 1 * SEC + 300 * MS, FX_CHILD, c, FX_TBL_C, 4,
	      -1, FX_WR, FX_INO, O_WRONLY, 1, 0);
	fx_data(m, IPCS_EV_WRITE, 1 * SEC + 600 * MS, FX_PARENT, c, FX_TBL_P,
		4, FX_WR, FX_INO, O_WRONLY, 1, 6, 6, "hello\n");
}


/* Sockets: an open-file entry on sockfs; AF_UNIX stream, peer by inode. */
#define SOCK_DEV 0x8

static inline struct ipcs_file_info fx_sockinfo(uint64_t file, uint64_t ino,
						uint64_t peer_ino)
{
	struct ipcs_file_info f = { 0 };

	f.file = file;
	f.ino = ino;
	f.refs = 1;
	f.dev = SOCK_DEV;
	f.imode = S_IFSOCK | 0777;
	f.flags = O_RDWR;
	f.magic = IPCS_SOCKFS_MAGIC;
	f.sock.family = AF_UNIX;
	f.sock.type = SOCK_STREAM;
	f.sock.peer_ino = peer_ino;
	return f;
}

/* socket, accept: an fd record */
static inline int fx_sock(struct model *m, unsigned kind, uint64_t ts,
			  uint32_t pid, const char *comm, uint64_t files, int fd,
			  struct ipcs_file_info f)
{
	struct ipcs_ev_fd e = { 0 };

	fx_hdr(&e.h, kind, ts, pid, comm, sizeof(e));
	e.fd = fd;
	e.oldfd = -1;
	e.files = files;
	e.f = f;
	return model_apply(m, &e, sizeof(e));
}

/* bind, listen, connect to an AF_UNIX path */
static inline int fx_sockaddr(struct model *m, unsigned kind, uint64_t ts,
			      uint32_t pid, const char *comm, uint64_t files,
			      int fd, struct ipcs_file_info f, const char *path)
{
	struct ipcs_ev_sockaddr e = { 0 };
	struct sockaddr_un un = { .sun_family = AF_UNIX };

	fx_hdr(&e.h, kind, ts, pid, comm, sizeof(e));
	e.fd = fd;
	e.files = files;
	e.f = f;
	e.backlog = 5;
	if (path) {
		snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
		e.addrlen = offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
		memcpy(e.addr, &un, e.addrlen);
	}
	return model_apply(m, &e, sizeof(e));
}

/* SysV: id, and the object as the kernel has it after the call */
static inline int fx_ipc(struct model *m, unsigned kind, uint64_t ts,
			 uint32_t pid, const char *comm, int id, int64_t bytes,
			 uint64_t addr, int cmd, uint64_t qnum, uint64_t cbytes,
			 uint64_t qbytes)
{
	struct ipcs_ev_ipc e = { 0 };

	fx_hdr(&e.h, kind, ts, pid, comm, sizeof(e));
	e.id = id;
	e.key = 0x1234;
	e.bytes = bytes;
	e.mtype = 1;
	e.addr = addr;
	e.cmd = cmd;
	e.found = 1;
	e.qnum = qnum;
	e.cbytes = cbytes;
	e.qbytes = qbytes;
	return model_apply(m, &e, sizeof(e));
}

/*
 * Every other mechanism at once, ts 1 s to 1.3 s: a unix socket server
 * (listening socket, one accepted connection) and its client; a message
 * queue holding 3 messages; a shared memory segment removed while still
 * attached; a semaphore set of 3.
 */
#define FX_SRV 200
#define FX_CLI 201
#define FX_MQ 202
#define FX_SHM 203
#define FX_LISTEN_INO 7000
#define FX_CLI_INO 7001
#define FX_CONN_INO 7002

static inline void fx_ipc_demo(struct model *m)
{
	struct ipcs_file_info lsn = fx_sockinfo(0xffff888002000100ULL,
						FX_LISTEN_INO, 0);
	struct ipcs_file_info cli = fx_sockinfo(0xffff888002000200ULL,
						FX_CLI_INO, 0);
	struct ipcs_file_info conn = fx_sockinfo(0xffff888002000300ULL,
						 FX_CONN_INO, FX_CLI_INO);

	fx_snap_task(m, FX_SRV, 1, "server", 0xf200);
	fx_snap_task(m, FX_CLI, 1, "client", 0xf201);
	fx_snap_task(m, FX_MQ, 1, "mq", 0xf202);
	fx_snap_task(m, FX_SHM, 1, "shm", 0xf203);
	fx_sock(m, IPCS_EV_SOCKET, 1 * SEC, FX_SRV, "server", 0xf200, 3, lsn);
	fx_sockaddr(m, IPCS_EV_BIND, 1 * SEC + 10 * MS, FX_SRV, "server",
		    0xf200, 3, lsn, "/tmp/demo.sock");
	fx_sockaddr(m, IPCS_EV_LISTEN, 1 * SEC + 20 * MS, FX_SRV, "server",
		    0xf200, 3, lsn, NULL);
	fx_sock(m, IPCS_EV_SOCKET, 1 * SEC + 30 * MS, FX_CLI, "client", 0xf201,
		3, cli);
	cli.sock.peer_ino = FX_CONN_INO;
	fx_sockaddr(m, IPCS_EV_CONNECT, 1 * SEC + 50 * MS, FX_CLI, "client",
		    0xf201, 3, cli, "/tmp/demo.sock");
	fx_sock(m, IPCS_EV_ACCEPT, 1 * SEC + 100 * MS, FX_SRV, "server",
		0xf200, 4, conn);
	fx_ipc(m, IPCS_EV_MSGGET, 1 * SEC + 200 * MS, FX_MQ, "mq", 5, 0, 0,
	       0, 0, 0, 16384);
	fx_ipc(m, IPCS_EV_MSGSND, 1 * SEC + 210 * MS, FX_MQ, "mq", 5, 40, 0,
	       0, 3, 120, 16384);
	fx_ipc(m, IPCS_EV_SEMGET, 1 * SEC + 220 * MS, FX_MQ, "mq", 11, 0, 0,
	       0, 3, 0, 0);
	fx_ipc(m, IPCS_EV_SHMGET, 1 * SEC + 250 * MS, FX_SHM, "shm", 9, 4096,
	       0, 0, 0, 4096, 0);
	fx_ipc(m, IPCS_EV_SHMAT, 1 * SEC + 260 * MS, FX_SHM, "shm", 9, 0,
	       0x7f0000000000ULL, 0, 1, 4096, 0);
	fx_ipc(m, IPCS_EV_SHMCTL, 1 * SEC + 270 * MS, FX_SHM, "shm", 9, 0, 0,
	       0 /* IPC_RMID */, 1, 4096, 0);
}

/* ---- helpers ------------------------------------------------------------ */

static struct view_log test_log;

static inline void log_note(void *ctx, const struct model_note *n)
{
	(void)ctx;
	notes_log(&test_log, n, 1 * SEC);
}

static inline void setup_view(struct view *v)
{
	view_init(v);
	v->now_ns = 1 * SEC + 900 * MS;
	v->target = "pipe";
	v->log = &test_log;
}

/* Renders as ui.c does: layout, repair, render. */
static inline void render(struct frame *f, const struct model *m, struct view *v,
		   int w, int h, bool ascii)
{
	struct scene_layout l;

	assert_int_equal(frame_init(f, w, h, ascii), 0);
	assert_int_equal(scene_layout(&l, m, v, w, h), 0);
	view_fix(v, &l);
	scene_layout_free(&l);
	scene_render(m, v, f);
}

/* Applies keys as the terminal would deliver them, each against the
 * layout of the frame then on screen. */
static inline int keys(const struct model *m, struct view *v, int w, int h, ...)
{
	va_list ap;
	int key, flags = 0;

	va_start(ap, h);
	while ((key = va_arg(ap, int)) != 0) {
		struct scene_layout l;

		assert_int_equal(scene_layout(&l, m, v, w, h), 0);
		view_fix(v, &l);
		flags |= view_key(v, &l, key);
		scene_layout_free(&l);
	}
	va_end(ap);
	return flags;
}

static inline char *text_of(const struct frame *f)
{
	char *t = frame_to_text(f);

	assert_non_null(t);
	return t;
}

static inline void check_golden(const struct frame *f, const char *name)
{
	char path[256], *text = text_of(f), *want = NULL;
	const char *update = getenv("UPDATE_GOLDEN");
	FILE *fp;
	long len;

	snprintf(path, sizeof(path), "tests/golden/%s.txt", name);
	if (update && !strcmp(update, "1")) {
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(text, fp);
		assert_int_equal(fclose(fp), 0);
		free(text);
		return;
	}
	fp = fopen(path, "r");
	if (!fp) {
		print_error("%s: %s (run from the repo root; UPDATE_GOLDEN=1 makes it)\n",
			    path, strerror(errno));
		free(text);
		fail();
	}
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	want = calloc(1, len + 1);
	assert_non_null(want);
	assert_int_equal(fread(want, 1, len, fp), (size_t)len);
	fclose(fp);
	if (strcmp(want, text)) {
		print_error("frame differs from %s; got:\n%s", path, text);
		free(want);
		free(text);
		fail();
	}
	free(want);
	free(text);
}

/* The role letter (frame_role_letter) of the first cell showing s. */
static inline char role_of(const struct frame *f, const char *s)
{
	char *t = text_of(f), *r = frame_roles_to_text(f), *p, c = 0;

	p = strstr(t, s);
	if (p) {
		/* same row and column in the role text: count cells */
		int row = 0, col = 0;

		for (char *q = t; q < p; q++) {
			if (*q == '\n') {
				row++;
				col = 0;
			} else if ((*q & 0xc0) != 0x80) {
				col++;
			}
		}
		char *line = r;
		for (int i = 0; i < row && line; i++) {
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
		if (line && (int)strcspn(line, "\n") > col)
			c = line[col];
		else
			c = '.';
	}
	free(t);
	free(r);
	return c;
}

static inline bool has(const struct frame *f, const char *s)
{
	char *t = text_of(f);
	bool yes = strstr(t, s) != NULL;

	free(t);
	return yes;
}

/* has(), saying what the frame held when it fails */
#define assert_has(f, s)                                                       \
	do {                                                                   \
		if (!has(f, s)) {                                              \
			char *t_ = text_of(f);                                 \
			fprintf(stderr, "no \"%s\" in:\n%s", s, t_);            \
			free(t_);                                              \
			fail();                                                \
		}                                                              \
	} while (0)

#endif /* IPCSCOPE_TEST_SCENE_FX_H */
