// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Step mode's mechanism (see step.h): the seccomp filter the command
 * installs before its exec, and ipcscope's side of the listener: the
 * calls pending, and the answers that let them run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ipcscope.h"
#include "step.h"

/* Every call that changes an fd table or moves data through IPC. fcntl
 * and mmap are held only for F_DUPFD* and MAP_SHARED of an fd (checked
 * in the filter); read and write are sorted by fd here. */
static const int held_nrs[] = {
	__NR_pipe, __NR_pipe2, __NR_dup, __NR_dup2, __NR_dup3,
	__NR_fork, __NR_vfork, __NR_clone, __NR_clone3, __NR_execve,
	__NR_execveat, __NR_close, __NR_close_range, __NR_open, __NR_openat,
	__NR_openat2, __NR_creat, __NR_socket, __NR_socketpair, __NR_bind,
	__NR_listen, __NR_connect, __NR_accept, __NR_accept4, __NR_msgget,
	__NR_msgsnd, __NR_msgrcv, __NR_msgctl, __NR_shmget, __NR_shmat,
	__NR_shmdt, __NR_shmctl, __NR_semget, __NR_semop, __NR_semtimedop,
	__NR_semctl, __NR_mq_open, __NR_mq_unlink, __NR_mq_timedsend,
	__NR_mq_timedreceive, __NR_read, __NR_write, __NR_readv, __NR_writev,
	__NR_sendto, __NR_recvfrom, __NR_sendmsg, __NR_recvmsg, __NR_sendmmsg,
	__NR_recvmmsg,
};
#define NHELD (sizeof(held_nrs) / sizeof(held_nrs[0]))

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

int step_install_filter(void)
{
	/* x86_64 only (ia32 and x32 calls run unasked); then the list, and
	 * fcntl's and mmap's arguments */
	struct sock_filter f[8 + NHELD + 12];
	struct sock_fprog prog = { .filter = f };
	unsigned n = 0;
	int fd;

	f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, nr));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
					      0x40000000, 0, 1);	/* x32 */
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	for (size_t i = 0; i < NHELD; i++)	/* to the NOTIF return */
		f[n++] = (struct sock_filter)BPF_JUMP(
			BPF_JMP | BPF_JEQ | BPF_K, held_nrs[i],
			(unsigned char)(NHELD - i + 10), 0);
	/* fcntl(fd, F_DUPFD or F_DUPFD_CLOEXEC, ...) */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      __NR_fcntl, 0, 3);
	f[n++] = (struct sock_filter)LD(ARG_LO(1));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      F_DUPFD, 8, 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      F_DUPFD_CLOEXEC, 7, 6);
	/* mmap(..., flags with MAP_SHARED, fd >= 0, ...) */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      __NR_mmap, 0, 5);
	f[n++] = (struct sock_filter)LD(ARG_LO(3));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					      MAP_SHARED, 0, 3);
	f[n++] = (struct sock_filter)LD(ARG_LO(4));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					      0x80000000U, 1, 2);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_USER_NOTIF);
	prog.len = n;
	fd = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0 && errno == EACCES) {	/* not CAP_SYS_ADMIN */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			return -errno;
		fd = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	}
	return fd < 0 ? -errno : fd;
}

struct step {
	int fd;			/* the listener, or -1 */
	pid_t exec_pid;		/* whose first execve is ipcscope's own */
	bool free;		/* c: no more holding */
	struct seccomp_notif *buf;	/* as big as this kernel's */
	size_t buf_size;
	struct step_call *pending;	/* oldest first */
	size_t npending, cap;
};

int step_open(struct step **out, int listener, pid_t pid)
{
	struct seccomp_notif_sizes sz;
	struct step *st;

	*out = NULL;
	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz))
		return -errno;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->buf_size = sz.seccomp_notif > sizeof(struct seccomp_notif) ?
			       sz.seccomp_notif : sizeof(struct seccomp_notif);
	st->buf = calloc(1, st->buf_size);
	if (!st->buf) {
		free(st);
		return -ENOMEM;
	}
	st->fd = listener;
	st->exec_pid = pid;
	*out = st;
	return 0;
}

/* Lets one call run; a call whose process died meanwhile is gone. */
static void answer(struct step *st, uint64_t id)
{
	struct seccomp_notif_resp r = {
		.id = id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE,
	};

	if (st->fd < 0 || ioctl(st->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id))
		return;
	ioctl(st->fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

static void continue_all(struct step *st)
{
	for (size_t i = 0; i < st->npending; i++)
		answer(st, st->pending[i].id);
	st->npending = 0;
}

void step_close(struct step *st)
{
	if (!st)
		return;
	continue_all(st);
	if (st->fd >= 0)
		close(st->fd);
	free(st->pending);
	free(st->buf);
	free(st);
}

int step_fd(const struct step *st)
{
	return st ? st->fd : -1;
}

static bool is_data_nr(int nr)
{
	return nr == __NR_read || nr == __NR_write || nr == __NR_readv ||
	       nr == __NR_writev;
}

/* read and write matter on pipes, FIFOs, sockets and message queues
 * (an mqueue inode is a regular file on the mqueue file system) */
static bool ipc_fd(uint32_t pid, int fd)
{
	char path[64];
	struct statfs sf;
	struct stat sb;

	snprintf(path, sizeof(path), "/proc/%u/fd/%d", pid, fd);
	if (stat(path, &sb))
		return true;	/* cannot tell: ask */
	if (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))
		return true;
	return !statfs(path, &sf) && sf.f_type == IPCS_MQUEUE_MAGIC;
}

/* Whether a call needs no one's say: ipcscope's own exec of the command,
 * data on plain files, an anonymous shared mapping, anything while the
 * program runs freely. */
static bool run_unasked(struct step *st, const struct seccomp_notif *n)
{
	if (st->free)
		return true;
	if (n->pid == (uint32_t)st->exec_pid && n->data.nr == __NR_execve) {
		st->exec_pid = 0;
		return true;
	}
	if (n->data.nr == __NR_mmap && (n->data.args[3] & MAP_ANONYMOUS))
		return true;
	return is_data_nr(n->data.nr) && !ipc_fd(n->pid, (int)n->data.args[0]);
}

/* Which argument is a path or name, or -1. */
static int path_arg(int nr)
{
	switch (nr) {
	case __NR_open:
	case __NR_creat:
	case __NR_execve:
	case __NR_mq_open:
	case __NR_mq_unlink:
		return 0;
	case __NR_openat:
	case __NR_openat2:
	case __NR_execveat:
		return 1;
	default:
		return -1;
	}
}

/* The call's path, as the process has it now; the caller checks that
 * the call is still there after (the process may have died and its pid
 * been reused meanwhile). */
static void read_path(struct step_call *c)
{
	int a = path_arg(c->nr);
	struct iovec local = { c->path, sizeof(c->path) - 1 };
	struct iovec remote = { (void *)(uintptr_t)(a >= 0 ? c->args[a] : 0),
				sizeof(c->path) - 1 };
	ssize_t n;

	size_t to_page = 4096 - ((uintptr_t)remote.iov_base & 4095);

	c->path[0] = '\0';
	if (a < 0 || !remote.iov_base)
		return;
	/* one page at most: the string may end just before unmapped memory */
	if (to_page < remote.iov_len)
		remote.iov_len = local.iov_len = to_page;
	n = process_vm_readv(c->pid, &local, 1, &remote, 1, 0);
	c->path[n > 0 ? n : 0] = '\0';
}

static bool keep(struct step *st, const struct seccomp_notif *n)
{
	struct step_call *c;

	if (st->npending == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		void *p = realloc(st->pending, cap * sizeof(*c));

		if (!p)		/* cannot keep it: it runs */
			return false;
		st->pending = p;
		st->cap = cap;
	}
	c = &st->pending[st->npending++];
	c->id = n->id;
	c->pid = n->pid;
	c->nr = n->data.nr;
	memcpy(c->args, n->data.args, sizeof(c->args));
	read_path(c);
	/* gone while we read (its pid may be another's now): nothing held */
	if (ioctl(st->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &c->id))
		st->npending--;
	return true;
}

bool step_on_ready(struct step *st)
{
	struct pollfd pf = { .fd = st ? st->fd : -1, .events = POLLIN };
	bool changed = false;

	if (!st || st->fd < 0)
		return false;
	while (poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN)) {
		memset(st->buf, 0, st->buf_size);
		if (ioctl(st->fd, SECCOMP_IOCTL_NOTIF_RECV, st->buf))
			continue;	/* its process died first (ENOENT) */
		if (run_unasked(st, st->buf) || !keep(st, st->buf))
			answer(st, st->buf->id);
		else
			changed = true;
	}
	/* no process uses the filter any more: nothing will come */
	if (!(pf.revents & POLLIN) && (pf.revents & (POLLHUP | POLLERR))) {
		close(st->fd);
		st->fd = -1;
		st->npending = 0;
		changed = true;
	}
	return changed;
}

/* Drops pending calls whose process is gone (killed while held). */
static void drop_stale(struct step *st)
{
	size_t k = 0;

	for (size_t i = 0; i < st->npending; i++) {
		uint64_t id = st->pending[i].id;

		if (st->fd >= 0 &&
		    !ioctl(st->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id))
			st->pending[k++] = st->pending[i];
	}
	st->npending = k;
}

void step_next(struct step *st)
{
	if (!st)
		return;
	if (st->free) {
		st->free = false;
		return;
	}
	drop_stale(st);
	if (!st->npending)
		return;
	answer(st, st->pending[0].id);
	memmove(st->pending, st->pending + 1,
		(st->npending - 1) * sizeof(st->pending[0]));
	st->npending--;
}

void step_go(struct step *st)
{
	if (!st)
		return;
	st->free = true;
	continue_all(st);
}

void step_hold(struct step *st)
{
	if (st)
		st->free = false;
}

bool step_holding(const struct step *st)
{
	return st && !st->free && st->fd >= 0;
}

const struct step_call *step_pending(const struct step *st, size_t *more)
{
	if (more)
		*more = st && st->npending ? st->npending - 1 : 0;
	return st && st->npending ? &st->pending[0] : NULL;
}
