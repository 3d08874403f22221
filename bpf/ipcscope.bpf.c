// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ipcscope's kernel side: tracepoint programs that report process life
 * (fork, exec, exit), every change to an fd table, and data moving through
 * pipes and FIFOs; and two task iterators that dump fd tables for the
 * snapshot and for resyncs. Records are defined in ipcscope.h.
 *
 * Hooks are tracepoints only (see DESIGN.md): one tp_btf/sys_exit program
 * dispatches on the syscall number and reads the arguments from pt_regs, so
 * no per-event map stash is needed; tp_btf/sys_enter only handles close and
 * close_range, which must read the file before it goes away.
 *
 * This file holds the global data, the maps and the programs. The helpers
 * are in the *.bpf.h headers beside it, one concern each, included here
 * only and in order: each uses the maps and the headers included before it.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "ipcscope.h"
#include "syscall_abi.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space between open and load. */
const volatile bool trace_all = false;
const volatile __u32 self_tgid = 0;
const volatile __u32 payload_cap = 0;	/* bytes of data payload, <= IPCS_PAYLOAD_MAX */
const volatile __u64 wake_every = 1024;	/* events per CPU between wakeups */
const volatile char comm_filter[IPCS_COMM_LEN] = {};
const volatile bool aggregate = false;	/* data into the flow maps, not the ring */
/* Optional features the loader switched on (IPCS_FEAT_*, tracer/kernel_features.c).
 * Read-only data: the verifier sees the code of a feature that is off as
 * dead and never checks it, so one a kernel refuses can be left out. */
const volatile __u32 features_on = ~0U;
#define FEAT(name) (features_on & IPCS_FEAT_##name)

/* The generation of flows the programs add to (its parity picks the flow
 * map and the half of flow_slots): user space counts it up every tick, then
 * drains the other generation a tick later, once no CPU's mark in
 * flow_busy says it may still be adding to it. */
volatile __u32 flow_gen;
const volatile __u32 nr_cpus = 1;	/* possible CPUs: flow_slots' rows */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

/* tgids being traced, one bit each (pids are below PID_MAX_LIMIT, 2^22):
 * children join on fork, exit removes them. A bitmap in global data,
 * because every syscall asks: a load, not a hash lookup. User space sets
 * bits through the mmapped .bss, atomically like us. */
#define TRACED_WORDS ((1 << 22) / 64)
__u64 traced_bits[TRACED_WORDS];

/* per CPU: [0] ring-buffer reserve failures (events lost), [1] events
 * submitted, which paces the wakeups, [2] syscalls of traced 32-bit
 * processes left undecoded (IPCS_CNT_IA32) */
#define CNT_LOST IPCS_CNT_LOST
#define CNT_SUBMITTED IPCS_CNT_SUBMITTED
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Aggregated data, two generations (see flow_gen). A full map is no loss:
 * the call is then sent as an event. */
#define FLOW_ENTRIES 4096
struct flow_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FLOW_ENTRIES);
	__type(key, struct ipcs_flow_key);
	__type(value, struct ipcs_flow);
};
struct flow_map flows0 SEC(".maps");
struct flow_map flows1 SEC(".maps");

/* 2 generations x nr_cpus x IPCS_FLOW_SLOTS; user space sets the size and
 * reads the slots through mmap. A CPU's slots are its own and need no
 * atomics: the exit program never runs twice at once on one CPU (syscall
 * tracepoints run it with preemption off, and the kernel skips a nested
 * run of a raw tracepoint program). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2 * IPCS_FLOW_SLOTS);
	__type(key, __u32);
	__type(value, struct ipcs_flow_slot);
} flow_slots SEC(".maps");

/* nr_cpus marks, one a CPU (see IPCS_FLOW_BUSY_READING); user space sets
 * the size and reads them through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} flow_busy SEC(".maps");

/* A new flow is built here before it goes into a flow map: 200 bytes on
 * the stack would take the exit program past the 512 bytes a call chain
 * may use on kernels without private BPF stacks (before 6.13). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipcs_flow);
} flow_scratch SEC(".maps");

/* close: the record is made at entry, while the file can still be read
 * safely, and sent at exit, once the fd is gone and the reference dropped,
 * so that a re-read made after user space has it never sees the close
 * half done. Keyed by tid; fd_scratch is where it is built. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct ipcs_ev_fd);
} closing SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipcs_ev_fd);
} fd_scratch SEC(".maps");

/* SysV calls that may sleep: when each began, to tell whether it blocked;
 * semop: which semaphore the first sop asks of, for the task iterator */
struct wait_start {
	__u64 ts;
	__u64 nvcsw;
	__s32 semid;		/* -1: not a semop, or its sops unreadable */
	__u16 sem_num;
	__s16 sem_op;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct wait_start);
} waits SEC(".maps");

/* munmap: the file mapped at the address, and its count, at entry */
struct munmap_start {
	__u64 file;
	__u64 refs;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct munmap_start);
} munmaps SEC(".maps");

/* shmdt: the segment found at the address at entry, for the exit */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __s32);
} shmdt_ids SEC(".maps");

/* close_range: how many fds of one entry a call has closed so far */
struct range_close_key {
	__u64 call;
	__u64 file;
	__u32 tid;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct range_close_key);
	__type(value, __u32);
} range_closes SEC(".maps");

/* where file_path builds a path, from its end: room for a whole path at
 * any offset up to IPCS_PATH_LEN * 2 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[IPCS_PATH_LEN * 4]);
} path_scratch SEC(".maps");

/* scratch for iter/task_vma records */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipcs_snap_vma);
} vma_scratch SEC(".maps");

/* scratch for iterator records, too large for the BPF stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipcs_snap_fd);
} snap_scratch SEC(".maps");

#include "core_fixes.bpf.h"
#include "ringbuf.bpf.h"
#include "traced.bpf.h"
#include "objects.bpf.h"
#include "fds.bpf.h"
#include "data.bpf.h"
#include "sysv_ipc.bpf.h"
#include "iterators.bpf.h"
#include "sys_exit.bpf.h"

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_sys_exit, struct pt_regs *regs, long ret)
{
	return sys_exit(regs, ret, false);
}

/* The same with the direct data path (Linux 6.2+); see KCAST. */
SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_sys_exit_direct, struct pt_regs *regs, long ret)
{
	return sys_exit(regs, ret, true);
}

/* close and close_range are read at entry, while the file can still be
 * read safely (close is sent at exit: close_enter); a close of an open fd
 * always removes it, whatever it returns, so the count after is the count
 * now minus one. */
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_sys_enter, struct pt_regs *regs, long id)
{
	if (id != NR_close && id != NR_close_range && id != NR_msgsnd &&
	    id != NR_msgrcv && id != NR_semop && id != NR_semtimedop &&
	    id != NR_shmdt && id != NR_munmap)
		return 0;
	if (!syscall_wanted())
		return 0;
	if (id == NR_shmdt) {
		if (FEAT(SYSV))
			shmdt_enter(regs->di);
		return 0;
	}
	if (id == NR_munmap) {
		if (FEAT(MMAP))
			munmap_enter(regs->di);
		return 0;
	}
	if (id != NR_close && id != NR_close_range) {
		if (!FEAT(SYSV))
			return 0;
		struct task_struct *cur = bpf_get_current_task_btf();
		struct wait_start w = { bpf_ktime_get_ns(), cur->nvcsw, -1 };
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		struct sembuf sb;

		if ((id == NR_semop || id == NR_semtimedop) &&
		    !bpf_probe_read_user(&sb, sizeof(sb), (void *)regs->si)) {
			w.semid = regs->di;
			w.sem_num = sb.sem_num;
			w.sem_op = sb.sem_op;
		}
		bpf_map_update_elem(&waits, &tid, &w, BPF_ANY);
		return 0;
	}
	if (id == NR_close) {
		close_enter(regs->di);
		return 0;
	}
	if (FEAT(CLOSE_RANGE))
		close_range_enter(regs->di, regs->si, regs->dx);
	return 0;
}

/* What the target does with sig: its handler, and whether it blocks it. */
static __always_inline __u32 sig_action(struct task_struct *task, int sig)
{
	unsigned long h, blocked;
	__u32 act;

	if (sig < 1 || sig > 64)
		return 0;
	h = (unsigned long)BPF_CORE_READ(task, sighand, action[sig - 1].sa.sa_handler);
	blocked = BPF_CORE_READ(task, blocked.sig[0]);
	act = h == 0 ? IPCS_SIGACT_DEFAULT : h == 1 ? IPCS_SIGACT_IGNORE :
						       IPCS_SIGACT_HANDLER;
	if (sig <= 64 && (blocked >> (sig - 1)) & 1)
		act |= IPCS_SIGACT_BLOCKED;
	return act;
}

/* Every signal sent to or by a traced process, including the ones the
 * kernel raises (SIGPIPE into a writer, SIGCHLD to a parent). */
SEC("tp_btf/signal_generate")
int BPF_PROG(tp_btf_signal_generate, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	__u32 target = task->tgid;
	struct ipcs_ev_signal *e;

	/* our own signals (SIGCONT releasing the command) are not news */
	if (target == self_tgid || (bpf_get_current_pid_tgid() >> 32) == self_tgid ||
	    (!wanted(target) && !wanted(bpf_get_current_pid_tgid() >> 32)))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	hdr_fill(&e->h, IPCS_EV_SIGNAL, sizeof(*e));
	e->target = target;
	e->target_tid = task->pid;
	e->sig = sig;
	e->code = (__u64)info > 2 ? BPF_CORE_READ(info, si_code) : 0;
	e->result = result;
	e->action = sig_action(task, sig);
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_sched_process_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct ipcs_ev_proc *e;

	if (ctgid == ptgid || !wanted(ptgid))	/* threads share the process */
		return 0;
	if (!trace_all)
		set_traced(ctgid, true);
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	proc_fill(e, IPCS_EV_FORK);
	e->child = ctgid;
	e->ppid = ptgid;
	e->start = child->start_time;
	e->files = (__u64)child->files;
	e->parent_files = (__u64)parent->files;
	if (e->files == e->parent_files)
		e->flags |= IPCS_PROC_SHARED_FILES;
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct ipcs_ev_proc *e;
	char comm[IPCS_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	if (tgid != self_tgid && comm_matches(comm))
		set_traced(tgid, true);
	if (!wanted(tgid))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	proc_fill(e, IPCS_EV_EXEC);
	e->ppid = p->real_parent->tgid;
	e->start = p->group_leader->start_time;
	e->files = (__u64)p->files;
	e->old_pid = old_pid;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				  BPF_CORE_READ(bprm, filename));
	exec_open_fds(e, p);
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf_sched_process_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct ipcs_ev_proc *e;
	int code;

	/* only the last thread out reports the process's exit */
	if (BPF_CORE_READ(p, signal, live.counter) != 0 || !wanted(tgid))
		return 0;
	if (!trace_all)
		set_traced(tgid, false);
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	proc_fill(e, IPCS_EV_EXIT);
	code = p->exit_code;
	e->signal = code & 0x7f;
	e->code = e->signal ? 0 : (code >> 8) & 0xff;
	e->start = p->group_leader->start_time;
	e->files = (__u64)p->files;
	submit(e);
	return 0;
}

/* Snapshot: one record per process (thread group leaders only). */

SEC("iter/task")
int iter_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct ipcs_snap_task rec = {};

	if (!t || t->pid != t->tgid || (t->flags & 0x00200000 /* PF_KTHREAD */))
		return 0;
	rec.h.kind = IPCS_SNAP_TASK;
	rec.h.size = sizeof(rec);
	rec.h.pid = t->tgid;
	rec.ppid = t->real_parent->tgid;
	rec.start = t->start_time;
	rec.files = (__u64)t->files;
	/* as the exit program's test: the last thread out has gone by */
	if (BPF_CORE_READ(t, signal, live.counter) == 0)
		rec.flags = IPCS_TASK_EXITING;
	bpf_probe_read_kernel_str(rec.comm, sizeof(rec.comm), t->comm);
	task_wait(t, &rec);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

/* Snapshot: one record per (process, fd). The iterator holds a reference
 * of its own on the file while we look at it. */
SEC("iter/task_file")
int iter_task_file(struct bpf_iter__task_file *ctx)
{
	struct task_struct *t = ctx->task;
	struct file *f = ctx->file;
	struct ipcs_snap_fd *rec;
	struct fdtable *fdt;
	__u32 zero = 0;
	__u64 files;

	if (!t || !f)
		return 0;
	rec = bpf_map_lookup_elem(&snap_scratch, &zero);
	if (!rec)
		return 0;
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->h.kind = IPCS_SNAP_FD;
	rec->h.size = sizeof(*rec);
	rec->h.pid = t->tgid;
	rec->fd = ctx->fd;
	fdt = task_fdt(t, &files);
	rec->files = files;
	if (fdt && fdt_cloexec(fdt, ctx->fd))
		rec->fd_flags = IPCS_FD_CLOEXEC;
	file_fill(f, &rec->f);
	if (rec->f.refs)
		rec->f.refs--;
	bpf_d_path((struct path *)&f->f_path, rec->path, sizeof(rec->path));
	if ((rec->f.imode & S_IFMT) == S_IFSOCK)
		rec->addrlen = sock_bound_addr(f, rec->addr);
	bpf_seq_write(ctx->meta->seq, rec, sizeof(*rec));
	return 0;
}

/* Snapshot: one record per shared mapping of a file (what /proc/PID/maps
 * marks 's'), SysV attaches told apart by their segment. */
SEC("iter/task_vma")
int iter_task_vma(struct bpf_iter__task_vma *ctx)
{
	struct task_struct *t = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	struct ipcs_snap_vma *rec;
	struct file *f;
	__u32 zero = 0;

	if (!t || !vma || t->pid != t->tgid || !(vma->vm_flags & VM_MAYSHARE))
		return 0;
	f = vma->vm_file;
	if (!f)
		return 0;
	rec = bpf_map_lookup_elem(&vma_scratch, &zero);
	if (!rec)
		return 0;
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->h.kind = IPCS_SNAP_VMA;
	rec->h.size = sizeof(*rec);
	rec->h.pid = t->tgid;
	rec->start = vma->vm_start;
	rec->end = vma->vm_end;
	rec->pgoff = vma->vm_pgoff;
	file_fill(f, &rec->f);
	rec->shmid = shm_id_of(BPF_CORE_READ(t, nsproxy, ipc_ns),
			       BPF_CORE_READ(f, f_inode), &rec->nattch,
			       &rec->segsz);
	/* Only the last component: bpf_d_path wants a trusted file, and
	 * vma->vm_file is not one on every kernel (6.18.44 refuses it). The
	 * loader reads the whole path from /proc/PID/map_files. */
	bpf_probe_read_kernel_str(rec->path, sizeof(rec->path),
				  BPF_CORE_READ(f, f_path.dentry, d_name.name));
	bpf_seq_write(ctx->meta->seq, rec, sizeof(*rec));
	return 0;
}
