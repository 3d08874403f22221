// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A call held by step mode in plain words (see step.h): what it is about
 * to do to the fd table or an IPC object, naming open-file entries and
 * objects as the live view does when the model knows them. Pure: it
 * reads the model and nothing else.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "model.h"
#include "step.h"

#ifndef CLONE_FILES
#define CLONE_FILES 0x00000400
#endif
#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif

struct words {
	char *out;
	size_t len, at;
	struct model *m;
	uint32_t pid;
};

static void say(struct words *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct words *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->at >= w->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->out + w->at, w->len - w->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->at += (size_t)n < w->len - w->at ? (size_t)n :
						      w->len - w->at - 1;
}

/* The path argument, quoted, when it was read. */
static void say_path(struct words *w, const struct step_call *c)
{
	if (c->path[0])
		say(w, "\"%.100s\"", c->path);
}

static const struct model_file *fd_file(struct words *w, int fd)
{
	struct model_proc *p = w->m ? model_proc(w->m, w->pid) : NULL;
	struct model_fd *s = p ? model_table_fd(p->table, fd) : NULL;

	return s ? s->file : NULL;
}

/* " f5 pipe:[123]" when the model knows what fd is, else "". */
static void say_fd_entry(struct words *w, int fd)
{
	const struct model_file *f = fd_file(w, fd);

	if (!f)
		return;
	say(w, " f%u", f->id);
	if (f->obj && f->obj->name[0])
		say(w, " %s", f->obj->name);
}

/* What a new or changed fd will point at: the entry, or the old fd. */
static void say_target(struct words *w, int fd)
{
	if (fd_file(w, fd))
		say_fd_entry(w, fd);
	else
		say(w, " what fd %d points at", fd);
}

static unsigned cloexec_fds(struct words *w)
{
	struct model_proc *p = w->m ? model_proc(w->m, w->pid) : NULL;
	unsigned n = 0;

	if (!p)
		return 0;
	model_table_for_each(p->table, s) {
		if (s->file && s->cloexec)
			n++;
	}
	return n;
}

static int fd_calls(struct words *w, const struct step_call *c)
{
	int a = (int)c->args[0], b = (int)c->args[1];
	const struct model_file *f;

	switch (c->nr) {
	case __NR_pipe:
		say(w, "pipe(): a new pipe, its two ends on two new fds");
		return -1;
	case __NR_pipe2:
		say(w, "pipe2(%s): a new pipe, its two ends on two new fds",
		    c->args[1] & O_CLOEXEC ? "O_CLOEXEC" : "0");
		return -1;
	case __NR_dup:
		say(w, "dup(%d): a new fd will point at", a);
		break;
	case __NR_dup2:
	case __NR_dup3:
		say(w, "%s(%d, %d): fd %d will point at",
		    c->nr == __NR_dup2 ? "dup2" : "dup3", a, b, b);
		say_target(w, a);
		f = fd_file(w, b);
		if (a != b && f)
			say(w, " (closing its f%u first)", f->id);
		return b;
	case __NR_fcntl:
		say(w, "fcntl(%d, %s, %d): a new fd from %d up will point at",
		    a, b == F_DUPFD ? "F_DUPFD" : "F_DUPFD_CLOEXEC",
		    (int)c->args[2], (int)c->args[2]);
		break;
	case __NR_close:
		say(w, "close(%d):", a);
		f = fd_file(w, a);
		if (f)
			say(w, " fd %d lets go of", a);
		say_fd_entry(w, a);
		if (f)
			say(w, " (refs %llu before)", (unsigned long long)f->refs);
		else
			say(w, " fd %d goes", a);
		return a;
	case __NR_close_range:
		if ((unsigned)c->args[1] == ~0U)
			say(w, "close_range(%u, ~0): every fd from %u up goes",
			    (unsigned)a, (unsigned)a);
		else
			say(w, "close_range(%u, %u): fds %u to %u go",
			    (unsigned)a, (unsigned)b, (unsigned)a, (unsigned)b);
		return -1;
	default:
		return -2;
	}
	say_target(w, a);
	return a;
}

static int proc_calls(struct words *w, const struct step_call *c)
{
	uint64_t fl = c->args[0];
	unsigned n;

	switch (c->nr) {
	case __NR_fork:
	case __NR_vfork:
		say(w, "%s(): a new process with a copy of its fd table",
		    c->nr == __NR_fork ? "fork" : "vfork");
		return -1;
	case __NR_clone:
		say(w, "clone(): a new %s %s its fd table",
		    fl & CLONE_THREAD ? "thread" : "process",
		    fl & CLONE_FILES ? "sharing" : "with a copy of");
		return -1;
	case __NR_clone3:
		say(w, "clone3(): a new process or thread");
		return -1;
	case __NR_execve:
	case __NR_execveat:
		n = cloexec_fds(w);
		say(w, "%s(", c->nr == __NR_execve ? "execve" : "execveat");
		say_path(w, c);
		say(w, "): a new program");
		if (n)
			say(w, "; its %u close-on-exec fd%s will close", n,
			    n == 1 ? "" : "s");
		return -1;
	case __NR_open:
	case __NR_openat:
	case __NR_openat2:
	case __NR_creat:
		say(w, "%s(", c->nr == __NR_open ? "open" :
		    c->nr == __NR_openat ? "openat" :
		    c->nr == __NR_openat2 ? "openat2" : "creat");
		say_path(w, c);
		say(w, "): %s on a new fd", c->path[0] ? "opens it" :
		    "a file opened");
		return -1;
	case __NR_mmap:
		say(w, "mmap(fd %d, %llu bytes, MAP_SHARED): a shared mapping of",
		    (int)c->args[4], (unsigned long long)c->args[1]);
		say_target(w, (int)c->args[4]);
		return (int)c->args[4];
	default:
		return -2;
	}
}

static const char *family(int d)
{
	return d == AF_UNIX ? "AF_UNIX" : d == AF_INET ? "AF_INET" :
	       d == AF_INET6 ? "AF_INET6" : d == AF_NETLINK ? "AF_NETLINK" :
	       "a family";
}

static const char *sock_type(int t)
{
	t &= 0xf;
	return t == SOCK_STREAM ? "SOCK_STREAM" : t == SOCK_DGRAM ?
	       "SOCK_DGRAM" : t == SOCK_SEQPACKET ? "SOCK_SEQPACKET" : "a type";
}

static int socket_calls(struct words *w, const struct step_call *c)
{
	int a = (int)c->args[0];
	const char *what;

	switch (c->nr) {
	case __NR_socket:
		say(w, "socket(%s, %s): a new socket on a new fd", family(a),
		    sock_type((int)c->args[1]));
		return -1;
	case __NR_socketpair:
		say(w, "socketpair(%s, %s): two connected sockets on two new "
		    "fds", family(a), sock_type((int)c->args[1]));
		return -1;
	case __NR_bind:
		what = "bind(%d): gives an address to";
		break;
	case __NR_listen:
		what = "listen(%d): starts listening on";
		break;
	case __NR_connect:
		what = "connect(%d): connects";
		break;
	case __NR_accept:
	case __NR_accept4:
		what = c->nr == __NR_accept ? "accept(%d): a new fd for a "
			"connection waiting on" : "accept4(%d): a new fd for "
			"a connection waiting on";
		break;
	default:
		return -2;
	}
	say(w, what, a);
	if (!fd_file(w, a))
		say(w, " fd %d", a);
	say_fd_entry(w, a);
	return a;
}

static int data_calls(struct words *w, const struct step_call *c)
{
	static const struct {
		int nr;
		const char *name;
		bool in;	/* reads */
		bool count;	/* args[2] is a byte count */
	} t[] = {
		{ __NR_read, "read", true, true },
		{ __NR_write, "write", false, true },
		{ __NR_readv, "readv", true, false },
		{ __NR_writev, "writev", false, false },
		{ __NR_recvfrom, "recvfrom", true, true },
		{ __NR_sendto, "sendto", false, true },
		{ __NR_recvmsg, "recvmsg", true, false },
		{ __NR_sendmsg, "sendmsg", false, false },
		{ __NR_recvmmsg, "recvmmsg", true, false },
		{ __NR_sendmmsg, "sendmmsg", false, false },
		{ __NR_mq_timedreceive, "mq_timedreceive", true, true },
		{ __NR_mq_timedsend, "mq_timedsend", false, true },
	};
	int fd = (int)c->args[0];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].nr != c->nr)
			continue;
		if (t[i].count)
			say(w, "%s(%d, %llu bytes): ", t[i].name, fd,
			    (unsigned long long)c->args[2]);
		else
			say(w, "%s(%d): ", t[i].name, fd);
		say(w, "%s", t[i].in ? "data out of" : "data into");
		if (!fd_file(w, fd))
			say(w, " fd %d", fd);
		say_fd_entry(w, fd);
		return fd;
	}
	return -2;
}

static int sysv_calls(struct words *w, const struct step_call *c)
{
	int id = (int)c->args[0];

	switch (c->nr) {
	case __NR_msgget:
		say(w, "msgget(key %#x): a System V message queue", id);
		return -1;
	case __NR_msgsnd:
		say(w, "msgsnd(msg:[%d], %llu bytes): a message into the queue",
		    id, (unsigned long long)c->args[2]);
		return -1;
	case __NR_msgrcv:
		say(w, "msgrcv(msg:[%d]): a message out of the queue", id);
		return -1;
	case __NR_msgctl:
		say(w, "msgctl(msg:[%d], %s)", id,
		    (int)c->args[1] == 0 ? "IPC_RMID" : "a command");
		return -1;
	case __NR_shmget:
		say(w, "shmget(key %#x, %llu bytes): a System V shared memory "
		    "segment", id, (unsigned long long)c->args[1]);
		return -1;
	case __NR_shmat:
		say(w, "shmat(shm:[%d]): maps the segment", id);
		return -1;
	case __NR_shmdt:
		say(w, "shmdt(): unmaps a segment");
		return -1;
	case __NR_shmctl:
		say(w, "shmctl(shm:[%d], %s)", id,
		    (int)c->args[1] == 0 ? "IPC_RMID" : "a command");
		return -1;
	case __NR_semget:
		say(w, "semget(key %#x): a System V semaphore set", id);
		return -1;
	case __NR_semop:
	case __NR_semtimedop:
		say(w, "%s(sem:[%d]): %llu operation%s on the set",
		    c->nr == __NR_semop ? "semop" : "semtimedop", id,
		    (unsigned long long)c->args[2], c->args[2] == 1 ? "" : "s");
		return -1;
	case __NR_semctl:
		say(w, "semctl(sem:[%d])", id);
		return -1;
	case __NR_mq_open:
		say(w, "mq_open(");
		say_path(w, c);
		say(w, "): a POSIX message queue on a new fd");
		return -1;
	case __NR_mq_unlink:
		say(w, "mq_unlink(");
		say_path(w, c);
		say(w, "): a POSIX message queue loses its name");
		return -1;
	default:
		return -2;
	}
}

int step_words(char *out, size_t len, const struct step_call *c,
	       struct model *m)
{
	struct words w = { out, len, 0, m, c->pid };
	int (*const family_of[])(struct words *, const struct step_call *) = {
		fd_calls, proc_calls, socket_calls, data_calls, sysv_calls,
	};
	int fd = -2;

	if (!len)
		return -1;
	out[0] = '\0';
	say(&w, "pid %u is about to ", c->pid);
	for (size_t i = 0; fd == -2 && i < 5; i++)
		fd = family_of[i](&w, c);
	if (fd == -2) {
		say(&w, "make syscall %d", c->nr);
		fd = -1;
	}
	return fd;
}
