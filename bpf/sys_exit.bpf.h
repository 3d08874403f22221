/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, last of its headers).
 * The exit program's dispatch on the syscall number: sys_exit sorts out
 * the calls of no interest and sends data calls to emit_data*; every
 * other call goes to the subprogram sys_exit_other.
 */

/* bpf(2) commands whose result is a new fd (include/uapi/linux/bpf.h) */
static __always_inline bool bpf_cmd_makes_fd(unsigned long cmd)
{
	switch (cmd) {
	case 0:		/* BPF_MAP_CREATE */
	case 5:		/* BPF_PROG_LOAD */
	case 7:		/* BPF_OBJ_GET */
	case 13:	/* BPF_PROG_GET_FD_BY_ID */
	case 14:	/* BPF_MAP_GET_FD_BY_ID */
	case 17:	/* BPF_RAW_TRACEPOINT_OPEN */
	case 18:	/* BPF_BTF_LOAD */
	case 19:	/* BPF_BTF_GET_FD_BY_ID */
	case 28:	/* BPF_LINK_CREATE */
	case 30:	/* BPF_LINK_GET_FD_BY_ID */
	case 32:	/* BPF_ENABLE_STATS */
	case 33:	/* BPF_ITER_CREATE */
	case 36:	/* BPF_TOKEN_CREATE */
		return true;
	default:
		return false;
	}
}

/* Every call that is not a data call: fd-table changes, socket addresses,
 * SysV IPC, POSIX queues, shared mappings. A subprogram of its own, so
 * that its frame and the data path's are never on the stack together
 * (before 6.13 a call chain may use 512 bytes in all). */
static __noinline int sys_exit_other(struct pt_regs *regs, long nr, long ret)
{
	unsigned long a0 = regs->di, a1 = regs->si, a2 = regs->dx;
	unsigned long a3 = regs->r10, a4 = regs->r8;

	switch (nr) {
	case NR_open: case NR_creat:
		emit_openat(ret, -1, (const char *)a0);
		break;
	case NR_openat: case NR_openat2:
		emit_openat(ret, a0, (const char *)a1);
		break;
	case NR_pipe: case NR_pipe2:
		on_pair_exit(IPCS_EV_PIPE, (const int *)a0);
		break;
	case NR_dup:
		emit_fd(IPCS_EV_DUP, ret, a0, 0, NULL, 0);
		break;
	case NR_dup2: case NR_dup3:
		if ((int)a0 != (int)ret)	/* dup2(fd, fd) changes nothing */
			emit_fd(IPCS_EV_DUP, ret, a0, 0, NULL, 0);
		break;
	case NR_fcntl:
		if (a1 == F_DUPFD || a1 == F_DUPFD_CLOEXEC)
			emit_fd(IPCS_EV_FCNTL, ret, a0, 0, NULL, 0);
		else if (a1 == F_SETFD)
			emit_fd(IPCS_EV_FCNTL, a0, -1, 0, NULL, 0);
		break;
	case NR_ioctl:	/* close-on-exec set or cleared, as F_SETFD */
		if (a1 == FIOCLEX || a1 == FIONCLEX)
			emit_fd(IPCS_EV_FCNTL, a0, -1, 0, NULL, 0);
		break;
	case NR_lseek:
		emit_fd(IPCS_EV_LSEEK, a0, -1, 0, NULL, 0);
		break;
	case NR_bpf:	/* only some commands make an fd */
		if (bpf_cmd_makes_fd(a0))
			emit_fd(IPCS_EV_OPEN, ret, -1, 0, NULL, 0);
		break;
	case NR_landlock_create_ruleset:	/* or tells the ABI version */
		if (!(a2 & LANDLOCK_CREATE_RULESET_VERSION))
			emit_fd(IPCS_EV_OPEN, ret, -1, 0, NULL, 0);
		break;
	case NR_signalfd: case NR_signalfd4:	/* a given fd is updated */
		if ((int)a0 < 0)
			emit_fd(IPCS_EV_OPEN, ret, -1, 0, NULL, 0);
		break;
	case NR_memfd_create:	/* named as /proc does: "/memfd:NAME (deleted)" */
		emit_openat(ret, -1, NULL);
		break;
	case NR_eventfd: case NR_eventfd2: case NR_timerfd_create:
	case NR_epoll_create: case NR_epoll_create1: case NR_inotify_init:
	case NR_inotify_init1: case NR_pidfd_open: case NR_pidfd_getfd:
	case NR_userfaultfd: case NR_perf_event_open: case NR_fanotify_init:
	case NR_io_uring_setup: case NR_open_tree: case NR_fsopen:
	case NR_fspick: case NR_fsmount: case NR_open_by_handle_at:
	case NR_memfd_secret:
		emit_fd(IPCS_EV_OPEN, ret, -1, 0, NULL, 0);
		break;
	case NR_mknod:
		if ((a1 & S_IFMT) == S_IFIFO)
			emit_path(IPCS_EV_MKFIFO, (const char *)a0, S_IFIFO);
		break;
	case NR_mknodat:
		if ((a2 & S_IFMT) == S_IFIFO)
			emit_path(IPCS_EV_MKFIFO, (const char *)a1, S_IFIFO);
		break;
	case NR_socket:
		if (FEAT(SOCKETS))
			emit_fd(IPCS_EV_SOCKET, ret, -1, 0, NULL, 0);
		break;
	case NR_socketpair:	/* socketpair(domain, type, protocol, sv) */
		if (FEAT(SOCKETS))
			on_pair_exit(IPCS_EV_SOCKETPAIR, (const int *)a3);
		break;
	case NR_accept: case NR_accept4:
		if (FEAT(SOCKETS))
			emit_fd(IPCS_EV_ACCEPT, ret, a0, 0, NULL, 0);
		break;
	case NR_bind:
		if (FEAT(SOCKETS))
			emit_sockaddr(IPCS_EV_BIND, a0, (void *)a1, a2, 0, ret);
		break;
	case NR_connect:
		if (FEAT(SOCKETS))
			emit_sockaddr(IPCS_EV_CONNECT, a0, (void *)a1, a2, 0, ret);
		break;
	case NR_listen:
		if (FEAT(SOCKETS))
			emit_sockaddr(IPCS_EV_LISTEN, a0, NULL, 0, a1, ret);
		break;
	case NR_recvmsg:	/* its data went through the data path */
		if (FEAT(SOCKETS))
			on_recvmsg_exit((const struct user_msghdr *)a1);
		break;
	case NR_mmap:	/* mmap(addr, len, prot, flags, fd, off) */
		if (FEAT(MMAP) && (a3 & MAP_SHARED) && (int)a4 >= 0)
			emit_fd_at(IPCS_EV_MMAP, a4, -1, 0, NULL, 0, ret, a1);
		break;
	case NR_munmap:	/* munmap(addr, len) */
		if (FEAT(MMAP))
			emit_munmap(a0, a1);
		break;
	case NR_mq_open:	/* mq_open(name, oflag, mode, attr) */
		if (FEAT(POSIX_MQ))
			emit_fd(IPCS_EV_MQ_OPEN, ret, -1, 0, (const char *)a0, 0);
		break;
	case NR_mq_unlink:
		if (FEAT(POSIX_MQ))
			emit_path(IPCS_EV_MQ_UNLINK, (const char *)a0, 0);
		break;
	case NR_mq_timedsend:	/* (mqdes, msg, len, prio, timeout): 0 or -errno */
		if (FEAT(POSIX_MQ))
			emit_mq_data(IPCS_EV_WRITE, a0, IPCS_SC_MQ_TIMEDSEND, a2, (void *)a1);
		break;
	case NR_mq_timedreceive:	/* returns the message's length */
		if (FEAT(POSIX_MQ))
			emit_mq_data(IPCS_EV_READ, a0, IPCS_SC_MQ_TIMEDRECEIVE, ret, (void *)a1);
		break;
	default:
		if (FEAT(SYSV))
			on_ipc_exit(nr, a0, a1, a2, a3, ret);
		break;
	}
	return 0;
}

static __always_inline int sys_exit(struct pt_regs *regs, long ret,
				    bool direct)
{
	long nr = regs->orig_ax;
	unsigned long a0 = regs->di, a1 = regs->si, a2 = regs->dx;

	/* every syscall of every process comes here: leave early */
	switch (nr) {
	case NR_read: case NR_write: case NR_readv: case NR_writev:
	case NR_preadv: case NR_pwritev: case NR_preadv2: case NR_pwritev2:
	case NR_splice: case NR_tee:
	case NR_open: case NR_openat: case NR_openat2: case NR_creat:
	case NR_pipe: case NR_pipe2: case NR_dup: case NR_dup2: case NR_dup3:
	case NR_fcntl: case NR_mknod: case NR_mknodat:
	case NR_socket: case NR_socketpair: case NR_accept: case NR_accept4:
	case NR_bind: case NR_listen: case NR_connect:
	case NR_sendto: case NR_recvfrom: case NR_sendmsg: case NR_recvmsg:
	case NR_sendmmsg: case NR_recvmmsg: case NR_mmap:
	case NR_msgget: case NR_msgsnd: case NR_msgrcv: case NR_msgctl:
	case NR_shmget: case NR_shmat: case NR_shmdt: case NR_shmctl:
	case NR_semget: case NR_semop: case NR_semtimedop: case NR_semctl:
	case NR_munmap: case NR_mq_open: case NR_mq_unlink:
	case NR_mq_timedsend: case NR_mq_timedreceive:
	case NR_lseek: case NR_ioctl: case NR_bpf:
	case NR_landlock_create_ruleset: case NR_memfd_create: case NR_eventfd:
	case NR_eventfd2: case NR_timerfd_create: case NR_signalfd:
	case NR_signalfd4: case NR_epoll_create: case NR_epoll_create1:
	case NR_inotify_init: case NR_inotify_init1: case NR_pidfd_open:
	case NR_pidfd_getfd: case NR_userfaultfd: case NR_perf_event_open:
	case NR_fanotify_init: case NR_io_uring_setup: case NR_open_tree:
	case NR_fsopen: case NR_fspick: case NR_fsmount:
	case NR_open_by_handle_at: case NR_memfd_secret:
		break;
	case NR_close:	/* whatever it returned: see close_enter */
		if (wanted(bpf_get_current_pid_tgid() >> 32))
			close_exit();
		return 0;
	default:
		return 0;
	}
	if (ret < 0 && !(nr == NR_connect && ret == -EINPROGRESS)) {
		if (nr == NR_msgsnd || nr == NR_msgrcv || nr == NR_semop ||
		    nr == NR_semtimedop) {
			__u32 tid = (__u32)bpf_get_current_pid_tgid();

			bpf_map_delete_elem(&waits, &tid);
		} else if (nr == NR_shmdt || nr == NR_munmap) {
			__u32 tid = (__u32)bpf_get_current_pid_tgid();

			bpf_map_delete_elem(nr == NR_shmdt ? (void *)&shmdt_ids
							   : (void *)&munmaps,
					    &tid);
		}
		return 0;
	}
	if (!syscall_wanted())
		return 0;

	switch (nr) {
	case NR_write:
		EMIT_DATA(direct, DATA(IPCS_EV_WRITE, IPCS_SC_WRITE, false), a0, ret, (void *)a1);
		return 0;
	case NR_writev:
		EMIT_DATA(direct, DATA(IPCS_EV_WRITE, IPCS_SC_WRITEV, true), a0, ret, (void *)a1);
		return 0;
	case NR_pwritev: case NR_pwritev2:
		EMIT_DATA(direct, DATA(IPCS_EV_WRITE, IPCS_SC_PWRITEV, true), a0, ret, (void *)a1);
		return 0;
	case NR_read:
		EMIT_DATA(direct, DATA(IPCS_EV_READ, IPCS_SC_READ, false), a0, ret, (void *)a1);
		return 0;
	case NR_readv:
		EMIT_DATA(direct, DATA(IPCS_EV_READ, IPCS_SC_READV, true), a0, ret, (void *)a1);
		return 0;
	case NR_preadv: case NR_preadv2:
		EMIT_DATA(direct, DATA(IPCS_EV_READ, IPCS_SC_PREADV, true), a0, ret, (void *)a1);
		return 0;
	case NR_splice:	/* splice(fd_in, off_in, fd_out, ...) */
		EMIT_DATA(direct, DATA(IPCS_EV_READ, IPCS_SC_SPLICE, false), a0, ret, NULL);
		EMIT_DATA(direct, DATA(IPCS_EV_WRITE, IPCS_SC_SPLICE, false), a2, ret, NULL);
		return 0;
	case NR_tee:	/* tee(fd_in, fd_out, ...): copies, consumes nothing */
		EMIT_DATA(direct, DATA(IPCS_EV_WRITE, IPCS_SC_TEE, false), a1, ret, NULL);
		return 0;
	case NR_sendto:
		EMIT_DATA(direct, DATA(IPCS_EV_WRITE, IPCS_SC_SENDTO, false), a0, ret, (void *)a1);
		return 0;
	case NR_recvfrom:
		EMIT_DATA(direct, DATA(IPCS_EV_READ, IPCS_SC_RECVFROM, false), a0, ret, (void *)a1);
		return 0;
	case NR_sendmsg:
		EMIT_DATA(direct, DATA(IPCS_EV_WRITE, IPCS_SC_SENDMSG, false), a0, ret, NULL);
		return 0;
	case NR_recvmsg:	/* and the fds it may have brought: below */
		EMIT_DATA(direct, DATA(IPCS_EV_READ, IPCS_SC_RECVMSG, false), a0, ret, NULL);
		break;
	case NR_sendmmsg:	/* the result counts messages, not bytes */
		EMIT_DATA(direct, DATA(IPCS_EV_WRITE, IPCS_SC_SENDMMSG, false), a0, ret, NULL);
		return 0;
	case NR_recvmmsg:
		EMIT_DATA(direct, DATA(IPCS_EV_READ, IPCS_SC_RECVMMSG, false), a0, ret, NULL);
		return 0;
	}
	return sys_exit_other(regs, nr, ret);
}
