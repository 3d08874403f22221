/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c).
 * What only the snapshot iterators use: what a sleeping task waits for
 * (task_wait), from the syscall it sleeps in.
 */

#define NR_pread64 17
#define NR_pwrite64 18
#define NR_poll 7
#define NR_select 23
#define NR_pause 34
#define NR_nanosleep 35
#define NR_wait4 61
#define NR_rt_sigtimedwait 128
#define NR_rt_sigsuspend 130
#define NR_epoll_wait 232
#define NR_clock_nanosleep 230
#define NR_waitid 247
#define NR_pselect6 270
#define NR_ppoll 271
#define NR_epoll_pwait 281
#define NR_epoll_pwait2 441
#define TASK_INTERRUPTIBLE 0x1
#define TASK_UNINTERRUPTIBLE 0x2

/* What a sleeping task waits for, from the syscall it sleeps in. */
static __always_inline void task_wait(struct task_struct *t,
				      struct ipcs_snap_task *rec)
{
	struct pt_regs *regs;
	long nr;

	rec->wait = IPCS_WAIT_NONE;
	rec->wait_fd = -1;
	if (!FEAT(WAITS) || !(t->__state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)))
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs)
		return;
	nr = BPF_CORE_READ(regs, orig_ax);
	/* ia32 numbers are not these: a syscall, not named */
	if (nr >= 0 && (t->thread_info.status & TS_COMPAT)) {
		rec->wait = IPCS_WAIT_OTHER;
		return;
	}
	switch (nr) {
	case NR_read: case NR_readv: case NR_pread64: case NR_preadv:
	case NR_preadv2: case NR_recvfrom: case NR_recvmsg: case NR_recvmmsg:
		rec->wait = IPCS_WAIT_READ;
		break;
	case NR_write: case NR_writev: case NR_pwrite64: case NR_pwritev:
	case NR_pwritev2: case NR_sendto: case NR_sendmsg: case NR_sendmmsg:
		rec->wait = IPCS_WAIT_WRITE;
		break;
	case NR_accept: case NR_accept4:
		rec->wait = IPCS_WAIT_ACCEPT;
		break;
	case NR_connect:
		rec->wait = IPCS_WAIT_CONNECT;
		break;
	case NR_open: case NR_openat: case NR_openat2: case NR_creat:
		rec->wait = IPCS_WAIT_OPEN;
		return;
	case NR_msgrcv:
		rec->wait = IPCS_WAIT_MSGRCV;
		return;
	case NR_msgsnd:
		rec->wait = IPCS_WAIT_MSGSND;
		return;
	case NR_semop: case NR_semtimedop:
		rec->wait = IPCS_WAIT_SEMOP;
		return;
	case NR_wait4: case NR_waitid:
		rec->wait = IPCS_WAIT_CHILD;
		return;
	case NR_pause: case NR_rt_sigsuspend: case NR_rt_sigtimedwait:
		rec->wait = IPCS_WAIT_SIGNAL;
		return;
	case NR_poll: case NR_ppoll: case NR_select: case NR_pselect6:
	case NR_epoll_wait: case NR_epoll_pwait: case NR_epoll_pwait2:
		rec->wait = IPCS_WAIT_POLL;
		return;
	case NR_nanosleep: case NR_clock_nanosleep:
		rec->wait = IPCS_WAIT_SLEEP;
		return;
	default:	/* -1: not in a syscall (a page fault) */
		if (nr >= 0) {
			rec->wait = IPCS_WAIT_OTHER;
			rec->wait_fd = nr;	/* named by the tracer */
		}
		return;
	}
	rec->wait_fd = BPF_CORE_READ(regs, di);
}
