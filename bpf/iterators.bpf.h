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

#define SEM_WALK_HOPS 8	/* sleepers looked at per wait list */

/* Is t's sem_queue on the wait list at head? Then its first sop. The
 * queue lives on the sleeper's stack; the lists change under us, so
 * every step is a checked read, and the walk is bounded. */
static __always_inline bool sem_list_find(struct list_head *head,
					  struct task_struct *t,
					  struct sembuf *sb)
{
	struct list_head *pos = BPF_CORE_READ(head, next);

	for (int i = 0; i < SEM_WALK_HOPS; i++) {
		struct sem_queue *q;

		if (!pos || pos == head)
			return false;
		q = (void *)pos - bpf_core_field_offset(struct sem_queue, list);
		if (BPF_CORE_READ(q, sleeper) == t)
			return !bpf_probe_read_kernel(sb, sizeof(*sb),
						      BPF_CORE_READ(q, sops));
		pos = BPF_CORE_READ(pos, next);
	}
	return false;
}

/* Where do_semtimedop() queued t: the set's lists (several sops, or
 * complex ops pending), or those of the semaphore a lone sop asks of. */
static __always_inline bool sem_queue_sop(struct task_struct *t, int semid,
					  struct sembuf *sb)
{
	struct kern_ipc_perm *perm =
		ipc_find_in(BPF_CORE_READ(t, nsproxy, ipc_ns), IPC_SEM_IDS, semid);
	struct sem_array *sma;
	void *sems;
	__u32 size = bpf_core_type_size(struct sem);
	int n;

	if (!perm)
		return false;
	sma = (void *)perm - bpf_core_field_offset(struct sem_array, sem_perm);
	if (sem_list_find(__builtin_preserve_access_index(&sma->pending_alter), t, sb) ||
	    sem_list_find(__builtin_preserve_access_index(&sma->pending_const), t, sb))
		return true;
	n = BPF_CORE_READ(sma, sem_nsems);
	sems = __builtin_preserve_access_index(&sma->sems[0]);
	for (int i = 0; i < IPCS_SEMVAL_MAX; i++) {
		struct sem *sem = sems + i * size;

		if (i >= n)
			break;
		if (sem_list_find(__builtin_preserve_access_index(&sem->pending_alter), t, sb) ||
		    sem_list_find(__builtin_preserve_access_index(&sem->pending_const), t, sb))
			return true;
	}
	return false;
}

/* semop: the semaphore the first sop asks of. The entry recorded it for
 * a call we saw begin; for an older one (a snapshot) the kernel's wait
 * queues tell. */
static __always_inline void task_wait_sem(struct task_struct *t,
					  struct ipcs_snap_task *rec)
{
	__u32 tid = t->pid;
	struct wait_start *w = bpf_map_lookup_elem(&waits, &tid);
	struct sembuf sb;

	if (w && w->semid >= 0 && w->semid == rec->wait_id) {
		rec->wait_sem_num = w->sem_num;
		rec->wait_sem_op = w->sem_op;
	} else if (rec->wait_id >= 0 && sem_queue_sop(t, rec->wait_id, &sb)) {
		rec->wait_sem_num = sb.sem_num;
		rec->wait_sem_op = sb.sem_op;
	} else {
		return;
	}
	rec->flags |= IPCS_TASK_WAIT_SEM;
}

/* What a sleeping task waits for, from the syscall it sleeps in. */
static __always_inline void task_wait(struct task_struct *t,
				      struct ipcs_snap_task *rec)
{
	struct pt_regs *regs;
	long nr;

	rec->wait = IPCS_WAIT_NONE;
	rec->wait_fd = -1;
	rec->wait_id = -1;
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
		rec->wait_id = BPF_CORE_READ(regs, di);
		return;
	case NR_msgsnd:
		rec->wait = IPCS_WAIT_MSGSND;
		rec->wait_id = BPF_CORE_READ(regs, di);
		return;
	case NR_semop: case NR_semtimedop:
		rec->wait = IPCS_WAIT_SEMOP;
		rec->wait_id = BPF_CORE_READ(regs, di);
		task_wait_sem(t, rec);
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
