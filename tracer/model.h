/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The model: what the kernel holds, as far as the events and snapshots told
 * us. Processes point at fd tables, fd slots at open-file entries, entries at
 * objects (pipe, FIFO, socket, file ...). model_apply() turns one ring-buffer
 * record into state changes and "notes" (what happened, in model terms) for
 * the outputs. No libbpf and no curses here: it is tested from scripted
 * records alone.
 */
#ifndef IPCSCOPE_MODEL_H
#define IPCSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipcscope.h"
#include "hmap.h"

enum obj_kind {
	OBJ_PIPE,
	OBJ_FIFO,
	OBJ_FILE,
	OBJ_DIR,
	OBJ_CHR,
	OBJ_BLK,
	OBJ_SOCKET,
	OBJ_ANON,
	OBJ_OTHER,
	OBJ_MSGQ,	/* SysV message queue: msg:[ID] */
	OBJ_SHM,	/* SysV shared memory segment: shm:[ID] */
	OBJ_SEM,	/* SysV semaphore set: sem:[ID] */
	OBJ_MQ,		/* POSIX message queue: /NAME, an fd on the mqueue fs */
	OBJ__COUNT
};

/* SysV objects live in the model under this pseudo device, with the id as
 * inode: no real superblock has it. */
#define MODEL_SYSV_DEV(kind) (0xfffffff0u + (kind))

/* The state of a SysV object or POSIX queue, as the kernel (or
 * /proc/sysvipc) told. */
struct model_ipc_stat {
	int32_t key;
	uint64_t bytes;		/* msg: cbytes in the queue; shm: size; mq: qsize */
	uint64_t count;		/* msg: qnum; shm: nattch; sem: nsems; mq: curmsgs */
	uint64_t limit;		/* msg: qbytes; mq: maxmsg */
	uint64_t msgsize;	/* mq: the largest message */
	/* sem: the values of semaphores 0 .. nsemval-1 (the first
	 * IPCS_SEMVAL_MAX), as the latest event read them; 0: not known */
	uint32_t nsemval;
	uint16_t semval[IPCS_SEMVAL_MAX];
};

const char *obj_kind_name(enum obj_kind kind);

/* A pipe or a FIFO: a buffer with a fill, readers and writers. */
static inline bool obj_is_pipe(enum obj_kind kind)
{
	return kind == OBJ_PIPE || kind == OBJ_FIFO;
}

/* A kernel object behind open files, named as /proc/PID/fd names it. */
struct model_object {
	uint64_t dev, ino;
	enum obj_kind kind;
	char name[IPCS_PATH_LEN];
	bool name_certain;	/* from d_path or /proc, not a guess */
	/* pipes and FIFOs, as of the latest event */
	uint32_t buffered, capacity;
	uint16_t readers, writers;
	uint64_t state_ns;		/* when they were read */
	uint64_t asked_ns;		/* when a re-read was last asked for */
	uint64_t bytes_in, bytes_out;	/* written into / read from it */
	uint64_t last_ns;		/* last change, for highlighting */
	unsigned nfiles;		/* entries that point here */
	/* sockets */
	struct ipcs_sock_info sock;
	char local[IPCS_SOCKADDR_MAX];	/* bound address, as text */
	char remote[IPCS_SOCKADDR_MAX];	/* connected-to address, as text */
	bool listening;
	char peer[IPCS_PATH_LEN];	/* the other end, once named */
	/* SysV objects (and POSIX queues, whose stat the events carry):
	 * SysV ones are alive until removed (IPC_RMID) */
	bool sysv_alive;
	bool rmid_pending;		/* shm: removed, still attached */
	struct model_ipc_stat stat;
	uint32_t last_writer, last_reader;	/* pids */
	bool ours;	/* ipcscope's own: the traced command's output pipe */
};

/* An open-file entry (struct file): shared by dup and fork. */
struct model_file {
	uint64_t kaddr;		/* identity; never shown */
	unsigned id;		/* shown as "f<id>" */
	struct model_object *obj;
	uint64_t refs;		/* the kernel's count, latest seen */
	unsigned slots;		/* fd slots in traced tables pointing here */
	uint64_t pos;
	uint32_t flags;		/* f_flags: O_ACCMODE, O_APPEND, O_NONBLOCK ... */
	uint64_t bytes_in, bytes_out;
	uint64_t last_ns;
	bool stale;		/* its address now belongs to another entry */
	unsigned maps;		/* shared mappings holding it (mmap) */
	bool loader;	/* opened by the dynamic loader (model_loader_path,
			 * read-only, close-on-exec): noise to the live view */
};

struct model_fd {
	int fd;
	bool cloexec;
	struct model_file *file;	/* NULL: slot is free */
	uint64_t last_ns;
};

/* An fd table (files_struct): threads and CLONE_FILES children share one.
 * Its slots are kept sorted by fd, one per fd the table holds (and a few
 * free ones until room is needed): what it costs follows the open fds,
 * not the highest one (anyone can dup2 onto fd 1,000,000 and fork). */
struct model_table {
	uint64_t kaddr;
	uint64_t stale_id;	/* 0, or: the kernel reused kaddr, and this
				 * one is kept apart (keyed kaddr, stale_id)
				 * for the processes that still point at it */
	struct model_fd *slots;	/* sorted by fd, distinct */
	unsigned nslots, cap;
	unsigned users;		/* live processes using it */
};

/* Every slot of table t (may be NULL) in fd order, as s; a free slot has
 * no file. The table must not gain slots meanwhile. */
#define model_table_for_each(t, s)                                             \
	for (struct model_fd *s = (t) ? (t)->slots : NULL;                    \
	     s && s < (t)->slots + (t)->nslots; s++)

/* The slot of fd in t (free or not), or NULL: a binary search, at once
 * for the common table that holds every fd from 0 up. */
struct model_fd *model_table_fd(const struct model_table *t, int fd);

/* A shared mapping of a file, or an attached SysV segment: one vma, which
 * holds one reference of the file (one attach of the segment). */
struct model_map {
	struct model_file *file;	/* mmap of a file, or NULL */
	struct model_object *shm;	/* shmat, or NULL */
	uint64_t addr, len;
};

/* Where a process sleeps, as the task iterator last saw it (live view). */
enum model_wait {
	WAIT_NONE,	/* running, or not known */
	WAIT_READ,	/* read/readv/recv* on wait_fd */
	WAIT_WRITE,	/* write/writev/send* on wait_fd (buffer full) */
	WAIT_ACCEPT,	/* accept on wait_fd */
	WAIT_CONNECT,
	WAIT_OPEN,	/* open of a FIFO with no other end yet */
	WAIT_MSGRCV,
	WAIT_MSGSND,
	WAIT_SEMOP,
	WAIT_CHILD,	/* wait4/waitid */
	WAIT_SIGNAL,	/* pause, sigsuspend, sigtimedwait */
	WAIT_POLL,	/* poll/select/epoll_wait */
	WAIT_SLEEP,	/* nanosleep, clock_nanosleep */
	WAIT_OTHER,	/* some other syscall */
	WAIT__COUNT
};

/* "read", "write", ... ("" for WAIT_NONE) */
const char *model_wait_name(enum model_wait w);

struct model_proc {
	uint32_t pid, ppid;
	uint64_t start;		/* with pid, the identity */
	char comm[IPCS_COMM_LEN];
	struct model_table *table;
	bool exited;
	int exit_code, exit_signal;
	uint64_t exit_ns;
	uint64_t last_ns;
	bool uncertain;		/* table may be wrong: resync wanted */
	struct model_map *maps;	/* shared mappings, inherited by fork */
	size_t nmaps;
	enum model_wait wait;	/* blocked in a syscall, as last seen */
	int wait_fd;		/* its fd argument, or -1 */
	int wait_nr;		/* WAIT_OTHER: the syscall's number, or -1 */
	/* the latest signal sent to it, for the live view */
	int sig, sig_action;	/* sig_action: IPCS_SIGACT_* */
	uint32_t sig_from;	/* the sender's pid (0: the kernel, a timer) */
	uint64_t sig_ns;
	/* the latest it sent to another with kill(), tgkill(), sigqueue() */
	int sent_sig;
	uint32_t sent_to;
	uint64_t sent_ns;
	int wait_id;		/* semop, msgsnd, msgrcv: the SysV id, or -1 */
	bool wait_sem_known;	/* semop: wait_sem_num/op hold its first sop */
	uint16_t wait_sem_num;
	int16_t wait_sem_op;
};

/* What happened, in model terms: one per fd that appeared or disappeared,
 * per data transfer, per process event. Pointers are valid only during the
 * note callback. */
struct model_note {
	enum ipcs_kind kind;
	uint64_t ts;
	uint32_t pid, tid;
	const char *comm;
	int fd, oldfd;
	const struct model_file *file;	/* NULL for process events */
	const struct model_object *obj;
	uint64_t refs;
	bool cloexec;
	const char *implicit;	/* why an fd went without its own syscall */
	/* data: one syscall (calls == 1, under --json), or the sum of calls
	 * aggregated in the kernel since the last note (live view, --top) */
	int64_t bytes;
	uint64_t calls;
	enum ipcs_data_syscall syscall;
	const uint8_t *payload;
	size_t payload_len;
	/* regular files: the entry's offset after read, write, lseek */
	bool has_pos;
	uint64_t pos;
	/* process events */
	uint32_t child;
	const char *filename;	/* exec, mkfifo */
	int code, signal;
	/* sockets */
	const char *address;	/* bind, connect */
	const char *peer;	/* data: the object at the other end, if known */
	int ret;		/* connect: -EINPROGRESS */
	uint32_t backlog;
	/* mmap */
	uint64_t addr, len;
	/* SysV */
	const struct ipcs_ev_ipc *ipc;
	/* signals */
	const struct ipcs_ev_signal *sig;
};

typedef void (*model_note_fn)(void *ctx, const struct model_note *note);


/* Names an object from outside the model (the path the call was given,
 * upath, or /proc/PID/fd/FD); returns true and fills out when what it
 * found is (dev, ino). */
typedef bool (*model_resolve_fn)(void *ctx, uint32_t pid, int fd,
				 const char *upath, uint64_t dev, uint64_t ino,
				 char *out, size_t outlen);

struct model {
	struct hmap procs;	/* pid -> struct model_proc (latest of that pid) */
	struct hmap tables;	/* files_struct address -> struct model_table */
	struct hmap files;	/* struct file address -> struct model_file */
	struct hmap objects;	/* (dev, ino) -> struct model_object */
	unsigned next_file_id;
	uint64_t events;	/* records applied */
	uint64_t bad_records;	/* records refused: wrong size or kind */
	model_resolve_fn resolve;
	void *resolve_ctx;
	model_note_fn note;
	void *note_ctx;
	uint64_t exited_keep_ns;	/* how long exited processes stay */
	/* model_sweep() has work: something may have lost its last user
	 * since the last sweep, or a kept exited process expires then */
	bool sweep_due;
	uint64_t sweep_at;
	uint32_t resync_pid;	/* being re-read, and whether it was found */
	bool resync_found;
	/* (pid, start) -> struct model_gone: processes whose end the model
	 * has applied, for a while, so that a late record of one (a re-read
	 * that meets its zombie) does not bring it back */
	struct hmap gone;
	uint64_t gone_scan_at;	/* when old ones are next forgotten */
	uint64_t next_table_id;	/* for stale tables */
	uint64_t compact_at;	/* when tables next give back their room */
	/* (dev, ino) of objects that are ipcscope's own (model_own_object),
	 * the latest few: a tour opens one output pipe per demo */
	uint64_t own[4][2];
	unsigned nown;
	/* (dev, ino) of the loader's files lately opened: its reads, which
	 * the kernel aggregates and hands over after the close, are its */
	uint64_t loader_objs[32][2];
	unsigned nloader_objs;
};

void model_init(struct model *m);
void model_free(struct model *m);

/* Deep-copies src into dst (processes, tables, entries, objects; no
 * callbacks), e.g. for a paused view while src keeps taking events.
 * Returns 0 or -ENOMEM, leaving dst empty. model_copy_free() frees a copy
 * and leaves it empty, so that freeing it twice is harmless. */
int model_copy(struct model *dst, const struct model *src);
void model_copy_free(struct model *m);

/* Applies one ring-buffer record; returns 0 or -EINVAL for a record that
 * is too short or of an unknown kind (counted in bad_records). */
int model_apply(struct model *m, const void *rec, size_t size);

/* A flow (struct ipcs_flow): data the kernel aggregated for one process,
 * file and direction. Notes it like a data event with calls and no fd
 * when the process holds the file at no fd we know. */
int model_apply_flow(struct model *m, const void *rec, size_t size);

/* Snapshot records from the task iterators. Resync of one process: call
 * model_resync_begin(), feed its records, then model_resync_end(): a
 * process the iterator did not find is gone (its exit event was lost). */
int model_apply_snap(struct model *m, const void *rec, size_t size);
void model_resync_begin(struct model *m, uint32_t pid);
void model_resync_end(struct model *m, uint32_t pid);

/* A fresh reading of a known object's state (pipe fill) from an fd
 * record of the iterator, taken at ts. */
void model_object_state(struct model *m, const struct ipcs_snap_fd *r,
			uint64_t ts);

/* Pipes and FIFOs last seen holding data, as read before `before`: a
 * process the tracer does not see (with -p, or outside a traced command)
 * may have read them since. Gives up to max traced processes whose fds
 * reach them, for a re-read (model_object_state), and notes the time. */
size_t model_unsure_pipes(struct model *m, uint64_t before, uint64_t now_ns,
			  uint32_t *pids, size_t max);

/* A pipe we read to the end ourselves (untraced, so no event says so):
 * it is empty as of ts. dev as the kernel encodes it. */
void model_pipe_emptied(struct model *m, uint64_t dev, uint64_t ino,
			uint64_t ts);

/* Where a known, live process waits now (from a task record). */
void model_set_wait(struct model *m, const struct ipcs_snap_task *r);

/* Drops entries no traced fd points at, objects no entry points at, and
 * exited processes older than exited_keep_ns before now_ns. Returns at
 * once when nothing changed since the last sweep but data moving. */
void model_sweep(struct model *m, uint64_t now_ns);

struct model_proc *model_proc(struct model *m, uint32_t pid);
struct model_file *model_file(struct model *m, uint64_t kaddr);

/* Processes (live and recently exited) sorted by pid; free() the array. */
struct model_proc **model_procs_sorted(const struct model *m, size_t *n);
/* Entries sorted by id; objects sorted by name; free() the arrays. */
struct model_file **model_files_sorted(const struct model *m, size_t *n);
/* The pids of the processes the model holds alive, in pid order (free
 * it); NULL when there is no memory. */
uint32_t *model_alive(const struct model *m, size_t *n);
struct model_object **model_objects_sorted(const struct model *m, size_t *n);

/* Pids whose table is uncertain; clears the marks. Returns the count
 * written (at most max). */
size_t model_take_uncertain(struct model *m, uint32_t *pids, size_t max);

/* Adds a SysV object as /proc/sysvipc lists it (snapshots). */
void model_add_sysv(struct model *m, enum obj_kind kind, int id,
		    const struct model_ipc_stat *st);

/* The name of the socket at the other end of o (a unix peer, or the
 * loopback TCP/UDP socket whose 4-tuple mirrors o's, IPv4 or IPv6), as
 * far as the model knows; NULL if none. buf may hold the answer. */
const char *model_socket_peer(const struct model *m,
			      const struct model_object *o, char *buf,
			      size_t len);

/* An IPv4/IPv6 socket's local (or remote) address from the kernel's view,
 * "IP:PORT" or "[IPv6]:PORT"; false when it has none. */
bool model_socket_address(const struct model_object *o, bool remote,
			  char *out, size_t len);

/* An IP endpoint as text, the one form every output shows: "IP:PORT" for
 * AF_INET, "[IPv6]:PORT" for AF_INET6. ip is in network order (4 or 16
 * bytes), port in host order. */
void model_inet_text(char *out, size_t len, int family, const void *ip,
		     uint16_t port);

/* Formats a socket address (AF_UNIX path, @abstract, IPv4 IP:PORT, IPv6
 * [IP]:PORT). */
void model_format_sockaddr(char *out, size_t len, const void *addr,
			   size_t addrlen);

/* The dynamic loader's and the C library's own files: /etc/ld.so.cache,
 * /etc/ld.so.preload, a shared object (NAME.so, NAME.so.1.2) anywhere,
 * anything under /lib*, /usr/lib*, /usr/local/lib* (gconv, locale). */
bool model_loader_path(const char *path);

/* An object ipcscope itself holds the other end of (the traced command's
 * output pipe): marked ours now and when it appears later. */
void model_own_object(struct model *m, uint64_t dev, uint64_t ino);
bool model_is_own(const struct model *m, uint64_t dev, uint64_t ino);

/* An x86_64 syscall's name ("futex"), or NULL when the table lacks it. */
const char *model_syscall_name(int nr);

/* "r", "w" or "rw" from f_flags */
const char *model_access(uint32_t flags);

#endif /* IPCSCOPE_MODEL_H */
