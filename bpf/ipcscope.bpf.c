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
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "ipcscope.h"

#if !defined(__TARGET_ARCH_x86)
#error "ipcscope reads syscall numbers and arguments as on x86_64"
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_readv 19
#define NR_writev 20
#define NR_pipe 22
#define NR_dup 32
#define NR_dup2 33
#define NR_fcntl 72
#define NR_creat 85
#define NR_mknod 133
#define NR_openat 257
#define NR_mknodat 259
#define NR_splice 275
#define NR_tee 276
#define NR_dup3 292
#define NR_pipe2 293
#define NR_preadv 295
#define NR_pwritev 296
#define NR_preadv2 327
#define NR_pwritev2 328
#define NR_close_range 436
#define NR_openat2 437
#define NR_mmap 9
#define NR_shmget 29
#define NR_shmat 30
#define NR_shmctl 31
#define NR_socket 41
#define NR_connect 42
#define NR_accept 43
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_bind 49
#define NR_listen 50
#define NR_socketpair 53
#define NR_semget 64
#define NR_semop 65
#define NR_semctl 66
#define NR_shmdt 67
#define NR_msgget 68
#define NR_msgsnd 69
#define NR_msgrcv 70
#define NR_msgctl 71
#define NR_semtimedop 220
#define NR_accept4 288
#define NR_recvmmsg 299
#define NR_sendmmsg 307
#define NR_munmap 11
#define NR_mq_open 240
#define NR_mq_unlink 241
#define NR_mq_timedsend 242
#define NR_mq_timedreceive 243

#define F_DUPFD 0
#define F_SETFD 2
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#define S_IFMT 00170000
#define S_IFIFO 0010000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define MAP_SHARED 0x01
#define VM_MAYSHARE 0x00000080	/* what /proc/PID/maps shows as 's' */
#define EINPROGRESS 115
#define MAX_SCM_FDS 8
_Static_assert(IPCS_SOCKADDR_MAX == 128, "sockaddr reads are masked with 127");
#define PAGE_SIZE 4096
#define MAX_PIPE_SLOTS 16	/* buffers summed exactly; more are counted as full pages */
#define MAX_CLOSE_RANGE 256	/* fds one close_range reports one by one */

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
 * drains the other generation a tick later, when no program can still be
 * adding to it. */
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

static __always_inline bool is_traced(__u32 tgid)
{
	return (traced_bits[(tgid >> 6) & (TRACED_WORDS - 1)] >> (tgid & 63)) & 1;
}

static __always_inline void set_traced(__u32 tgid, bool on)
{
	__u64 *w = &traced_bits[(tgid >> 6) & (TRACED_WORDS - 1)];
	__u64 bit = 1ULL << (tgid & 63);

	if (on)
		__sync_fetch_and_or(w, bit);
	else
		__sync_fetch_and_and(w, ~bit);
}

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

/* SysV calls that may sleep: when each began, to tell whether it blocked */
struct wait_start {
	__u64 ts;
	__u64 nvcsw;
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

/* Linux 6.13 (commit 90ee6ed776c0 "fs: port files to file_ref") replaced
 * f_count with f_ref, a file_ref_t that stores count - 1. */
struct file_ref___new {
	atomic64_t refcnt;
} __attribute__((preserve_access_index));
struct file___new {
	struct file_ref___new f_ref;
} __attribute__((preserve_access_index));
struct file___old {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

static __always_inline __u64 file_refs(struct file *f)
{
	if (bpf_core_field_exists(struct file___new, f_ref)) {
		struct file___new *n = (void *)f;
		__s64 v = BPF_CORE_READ(n, f_ref.refcnt.counter);

		/* at or past FILE_REF_RELEASED the file is dying */
		return v >= 0 ? (__u64)v + 1 : 0;
	}
	struct file___old *o = (void *)f;
	return BPF_CORE_READ(o, f_count.counter);
}

static __always_inline bool wanted(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (trace_all)
		return true;
	return is_traced(tgid);
}

static __always_inline void count_lost(void)
{
	__u32 key = CNT_LOST;
	__u64 *n = bpf_map_lookup_elem(&lost, &key);

	if (n)
		(*n)++;
}

/* Wakeups dominate the cost (KERNEL-NOTES.md): wake the reader only every
 * wake_every events of this CPU; its 10 ms timer picks up the rest. A
 * per-CPU count, because asking the ring how much is pending
 * (bpf_ringbuf_query) reads the consumer's cache line: ~240 ns here. */
static __always_inline __u64 wake_flags(void)
{
	__u32 key = CNT_SUBMITTED;
	__u64 *n = bpf_map_lookup_elem(&lost, &key);

	return n && ++*n % wake_every == 0 ? BPF_RB_FORCE_WAKEUP
					     : BPF_RB_NO_WAKEUP;
}

static __always_inline void submit(void *rec)
{
	bpf_ringbuf_submit(rec, wake_flags());
}

static __always_inline void *reserve(__u32 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec)
		count_lost();
	return rec;
}

static __always_inline void hdr_fill(struct ipcs_hdr *h, enum ipcs_kind kind,
				     __u32 size)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->ts = bpf_ktime_get_ns();
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->kind = kind;
	h->size = size;
	h->_pad = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* Linux 6.2+ casts a pointer to a kernel type for plain loads, where each
 * BPF_CORE_READ is a helper call (~20 ns here). The data path comes in two
 * variants, "direct" with it and a portable one; the loader loads the
 * exit program the kernel can take. */
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym __weak;
#define KCAST(p, type)                                                          \
	((type *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(type)))
#define LOAD(direct, p, field) ((direct) ? (p)->field : BPF_CORE_READ(p, field))

/* t is a trusted BTF pointer (the current task, or a tracepoint argument):
 * plain loads walk it, far cheaper than a helper call per field. */
static __always_inline struct fdtable *task_fdt(struct task_struct *t,
						__u64 *files_out)
{
	struct files_struct *files = t->files;

	*files_out = (__u64)files;
	if (!files)
		return NULL;
	return files->fdt;
}

/* The file installed at fd, or NULL. max_fds and the array come from the
 * same fdtable, which can be replaced when the table grows. */
static __always_inline struct file *fdt_file(struct fdtable *fdt, int fd)
{
	struct file **arr;
	struct file *f = NULL;

	if (!fdt || fd < 0 || (__u32)fd >= fdt->max_fds)
		return NULL;
	arr = fdt->fd;
	bpf_probe_read_kernel(&f, sizeof(f), arr + fd);
	return f;
}

static __always_inline bool fdt_cloexec(struct fdtable *fdt, __u32 fd)
{
	unsigned long *bits = BPF_CORE_READ(fdt, close_on_exec);
	unsigned long word = 0;

	bpf_probe_read_kernel(&word, sizeof(word), bits + fd / 64);
	return (word >> (fd % 64)) & 1;
}

/* The file at fd in the current task's table (and the table itself). */
static __always_inline struct file *current_file(int fd, struct fdtable **fdt,
						 __u64 *files)
{
	*fdt = task_fdt(bpf_get_current_task_btf(), files);
	return fdt_file(*fdt, fd);
}

/* The same with a plain load for the fd array's slot, where fdt_file pays
 * a helper call: every kernel's struct kiocb begins with a struct file
 * pointer (ki_filp), so the slot is read as one. */
static __always_inline struct file *current_file_direct(int fd, __u64 *files)
{
	struct fdtable *fdt = task_fdt(bpf_get_current_task_btf(), files);

	if (!fdt || fd < 0 || (__u32)fd >= fdt->max_fds)
		return NULL;
	return KCAST(fdt->fd + fd, struct kiocb)->ki_filp;
}

/* The pipe ring's indices and counters sit together after the wait queues
 * in every layout since 5.5: one read fetches them all. */
#define PIPE_BLOCK 64
#define PIPE_FIELD(blk, base, field)                                           \
	(*(__u32 *)((blk) +                                                    \
		    ((bpf_core_field_offset(struct pipe_inode_info, field) -  \
		      (base)) & (PIPE_BLOCK - 4))))

static __always_inline void pipe_fill(struct inode *inode,
				      struct ipcs_file_info *fi, bool direct)
{
	struct pipe_inode_info *p = LOAD(direct, inode, i_pipe);
	__u32 base = bpf_core_field_offset(struct pipe_inode_info, head);
	__u64 bufsz = bpf_core_type_size(struct pipe_buffer);
	__u32 head, tail, ring, used, total = 0;
	__u8 blk[PIPE_BLOCK];
	void *bufs;

	if (!p)
		return;
	if (direct) {
		head = p->head;
		tail = p->tail;
		ring = p->ring_size;
		bufs = p->bufs;
		fi->pipe_capacity = p->max_usage * PAGE_SIZE;
		fi->pipe_readers = p->readers;
		fi->pipe_writers = p->writers;
	} else {
		if (bpf_probe_read_kernel(blk, sizeof(blk), (void *)p + base))
			return;
		head = PIPE_FIELD(blk, base, head);
		tail = PIPE_FIELD(blk, base, tail);
		ring = PIPE_FIELD(blk, base, ring_size);
		bufs = BPF_CORE_READ(p, bufs);
		fi->pipe_capacity = PIPE_FIELD(blk, base, max_usage) * PAGE_SIZE;
		fi->pipe_readers = PIPE_FIELD(blk, base, readers);
		fi->pipe_writers = PIPE_FIELD(blk, base, writers);
	}
	used = head - tail;
	for (int i = 0; i < MAX_PIPE_SLOTS; i++) {
		struct pipe_buffer *b;

		if (i >= used || !ring)
			break;
		b = bufs + ((tail + i) & (ring - 1)) * bufsz;
		total += direct ? KCAST(b, struct pipe_buffer)->len
				: BPF_CORE_READ(b, len);
	}
	if (used > MAX_PIPE_SLOTS)
		total += (used - MAX_PIPE_SLOTS) * PAGE_SIZE;
	fi->pipe_buffered = total;
}

/* Who is at the other end: the peer's inode for unix sockets (also for
 * connections older than the tracer), the 4-tuple for IPv4. */
static __always_inline void sock_fill(struct file *f, struct ipcs_sock_info *si)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);

	if (!sk)
		return;
	si->type = BPF_CORE_READ(sock, type);
	si->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (si->family == AF_UNIX) {
		struct unix_sock *u = (void *)sk;
		struct sock *peer = BPF_CORE_READ(u, peer);

		if (peer)
			si->peer_ino = BPF_CORE_READ(peer, sk_socket, file,
						     f_inode, i_ino);
	} else if (si->family == AF_INET) {
		si->laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		si->raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		si->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		si->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	} else if (si->family == AF_INET6) {
		BPF_CORE_READ_INTO(&si->laddr6, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&si->raddr6, sk, __sk_common.skc_v6_daddr);
		si->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		si->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	}
}

/* A POSIX message queue's depth: its inode is the vfs_inode inside a
 * struct mqueue_inode_info (ipc/mqueue.c). */
static __always_inline void mq_fill(struct inode *inode,
				    struct ipcs_file_info *fi)
{
	struct mqueue_inode_info *info = (void *)inode -
		bpf_core_field_offset(struct mqueue_inode_info, vfs_inode);

	fi->mq.curmsgs = BPF_CORE_READ(info, attr.mq_curmsgs);
	fi->mq.maxmsg = BPF_CORE_READ(info, attr.mq_maxmsg);
	fi->mq.msgsize = BPF_CORE_READ(info, attr.mq_msgsize);
	fi->mq.qsize = BPF_CORE_READ(info, qsize);
}

/* The identity of a file and its object (inode is f's): cheap enough for
 * every write. */
static __always_inline void file_object(struct file *f, struct inode *inode,
					struct ipcs_file_info *fi, bool direct)
{
	fi->file = (__u64)f;
	fi->ino = LOAD(direct, inode, i_ino);
	fi->imode = LOAD(direct, inode, i_mode);
	if (direct) {
		fi->dev = inode->i_sb->s_dev;
		fi->magic = inode->i_sb->s_magic;
	} else {
		fi->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		fi->magic = BPF_CORE_READ(inode, i_sb, s_magic);
	}
	if ((fi->imode & S_IFMT) == S_IFIFO)
		pipe_fill(inode, fi, direct);
	else if ((fi->imode & S_IFMT) == S_IFSOCK)
		sock_fill(f, &fi->sock);
	else if (fi->magic == IPCS_MQUEUE_MAGIC)	/* never on the data path */
		mq_fill(inode, fi);
}

static __always_inline void file_fill_object(struct file *f,
					     struct ipcs_file_info *fi)
{
	file_object(f, BPF_CORE_READ(f, f_inode), fi, false);
}

static __always_inline void file_fill(struct file *f, struct ipcs_file_info *fi)
{
	file_fill_object(f, fi);
	fi->pos = BPF_CORE_READ(f, f_pos);
	fi->flags = BPF_CORE_READ(f, f_flags);
	fi->refs = file_refs(f);
}

/* The record of an fd that appeared in or is leaving the current task's
 * table, whose file is f. */
static __always_inline void fd_record(struct ipcs_ev_fd *e, struct file *f,
				      struct fdtable *fdt, __u64 files,
				      enum ipcs_kind kind, int fd, int oldfd,
				      __u32 fd_flags, const char *upath,
				      __s64 refs_delta, __u64 addr, __u64 len)
{
	hdr_fill(&e->h, kind, sizeof(*e));
	e->fd = fd;
	e->oldfd = oldfd;
	e->fd_flags = fd_flags;
	if (kind != IPCS_EV_CLOSE && fdt_cloexec(fdt, fd))
		e->fd_flags |= IPCS_FD_CLOEXEC;
	e->_pad = 0;
	e->files = files;
	e->addr = addr;
	e->len = len;
	__builtin_memset(&e->f, 0, sizeof(e->f));
	file_fill(f, &e->f);
	e->f.refs += refs_delta;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name),
				  BPF_CORE_READ(f, f_path.dentry, d_name.name));
	e->path[0] = 0;
	if (upath)
		bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
}

/* One fd appeared or disappeared in the current task's table. */
static __always_inline void emit_fd_at(enum ipcs_kind kind, int fd, int oldfd,
				       __u32 fd_flags, const char *upath,
				       __s64 refs_delta, __u64 addr, __u64 len)
{
	struct ipcs_ev_fd *e;
	struct fdtable *fdt;
	__u64 files;
	struct file *f = current_file(fd, &fdt, &files);

	if (!f)
		return;
	e = reserve(sizeof(*e));
	if (!e)
		return;
	fd_record(e, f, fdt, files, kind, fd, oldfd, fd_flags, upath,
		  refs_delta, addr, len);
	submit(e);
}

static __always_inline void emit_fd(enum ipcs_kind kind, int fd, int oldfd,
				    __u32 fd_flags, const char *upath,
				    __s64 refs_delta)
{
	emit_fd_at(kind, fd, oldfd, fd_flags, upath, refs_delta, 0, 0);
}

/* close(fd), at entry: the count after is the count now minus one (a close
 * of an open fd always removes it, whatever it returns). */
static __always_inline void close_enter(int fd)
{
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct ipcs_ev_fd *e = bpf_map_lookup_elem(&fd_scratch, &zero);
	struct fdtable *fdt;
	__u64 files;
	struct file *f = current_file(fd, &fdt, &files);

	if (!e || !f)
		return;
	fd_record(e, f, fdt, files, IPCS_EV_CLOSE, fd, -1, 0, NULL, -1, 0, 0);
	if (bpf_map_update_elem(&closing, &tid, e, BPF_ANY))
		count_lost();
}

/* ... and at exit: sent. */
static __always_inline void close_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ipcs_ev_fd *e = bpf_map_lookup_elem(&closing, &tid);

	if (!e)
		return;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), wake_flags()))
		count_lost();
	bpf_map_delete_elem(&closing, &tid);
}

/* An event about a name, not an fd: mkfifo (imode S_IFIFO) and mq_unlink
 * (glibc passes the queue's name without its leading '/'). */
static __always_inline void emit_path(enum ipcs_kind kind, const char *upath,
				      __u32 imode)
{
	struct ipcs_ev_fd *e = reserve(sizeof(*e));

	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, kind, sizeof(*e));
	e->fd = -1;
	e->oldfd = -1;
	e->f.imode = imode;
	bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	submit(e);
}

/* A flow's first call. */
static __always_inline void flow_init(struct ipcs_flow *v, enum ipcs_kind kind,
				      struct file *f, struct inode *inode,
				      long ret, __u64 files, bool direct)
{
	hdr_fill(&v->h, kind, sizeof(*v));
	v->calls = 1;
	v->bytes = ret;
	v->files = files;
	v->last_ts = v->h.ts;
	v->inode = (__u64)inode;
	file_object(f, inode, &v->f, direct);
}

/* Reading the pipe's fill costs ~150 ns: at the first call (flow_init) and
 * every IPCS_FLOW_FILL_EVERY calls; user space re-reads a pipe that went
 * quiet after an unsampled call. */
static __always_inline void flow_sample(struct ipcs_flow *v, __u64 calls,
					struct inode *inode, __u32 imode,
					bool direct)
{
	if (imode == S_IFIFO && calls % IPCS_FLOW_FILL_EVERY == 0) {
		v->last_ts = bpf_ktime_get_ns();
		pipe_fill(inode, &v->f, direct);
	}
}

/* Adds one call to this process's flow through f in this CPU's slot for
 * it; false when another flow holds the slot. */
static __always_inline bool flow_slot_add(__u32 gen, int fd,
					  enum ipcs_kind kind, __u32 tgid,
					  struct file *f, struct inode *inode,
					  __u32 imode, long ret, __u64 files,
					  bool direct)
{
	__u32 h = (tgid ^ (__u32)fd << 12 ^ (__u32)kind << 26) * 0x9e3779b1U;
	__u32 i = ((gen & 1) * nr_cpus + bpf_get_smp_processor_id()) *
		  IPCS_FLOW_SLOTS + (h >> (32 - IPCS_FLOW_SLOT_BITS));
	struct ipcs_flow_slot *s = bpf_map_lookup_elem(&flow_slots, &i);
	__u64 epoch = (__u64)gen + 1;

	if (!s)
		return false;
	if (s->epoch != epoch) {	/* free in this generation: take it */
		s->k.file = (__u64)f;
		s->k.tgid = tgid;
		s->k.kind = kind;
		s->k._pad = 0;
		flow_init(&s->v, kind, f, inode, ret, files, direct);
		s->epoch = epoch;
		return true;
	}
	if (s->k.file != (__u64)f || s->k.tgid != tgid || s->k.kind != kind ||
	    s->v.inode != (__u64)inode)
		return false;
	s->v.bytes += ret;
	flow_sample(&s->v, ++s->v.calls, inode, imode, direct);
	return true;
}

/* Adds one call to this process's flow through f in a flow map; false when
 * the map is full or the entry belongs to an older file at the same
 * address. */
static __always_inline bool flow_add(void *map, enum ipcs_kind kind,
				     __u32 tgid, struct file *f,
				     struct inode *inode, __u32 imode, long ret,
				     __u64 files, bool direct)
{
	struct ipcs_flow_key k = {
		.file = (__u64)f,
		.tgid = tgid,
		.kind = kind,
	};
	struct ipcs_flow *v = bpf_map_lookup_elem(map, &k);

	if (!v) {
		__u32 zero = 0;
		struct ipcs_flow *nv = bpf_map_lookup_elem(&flow_scratch, &zero);

		if (!nv)
			return false;
		__builtin_memset(nv, 0, sizeof(*nv));
		flow_init(nv, kind, f, inode, ret, files, direct);
		if (!bpf_map_update_elem(map, &k, nv, BPF_NOEXIST))
			return true;
		v = bpf_map_lookup_elem(map, &k);	/* another CPU won */
		if (!v)
			return false;
	}
	if (v->inode != (__u64)inode)	/* an older file at the same address */
		return false;
	__sync_fetch_and_add(&v->bytes, ret);
	flow_sample(v, __sync_fetch_and_add(&v->calls, 1) + 1, inode, imode,
		    direct);
	return true;
}

/* The record of one data call through f, with the payload's first bytes
 * when asked for (ubuf: the buffer, or an iovec array when buf_is_iov). */
static __always_inline void data_record(enum ipcs_kind kind, int fd,
					enum ipcs_data_syscall sc, long ret,
					struct file *f, struct inode *inode,
					__u64 files, const void *ubuf,
					bool buf_is_iov, bool direct)
{
	struct ipcs_ev_data *e;
	__u32 size;

	size = sizeof(*e) + (payload_cap ? IPCS_PAYLOAD_MAX : 0);
	if (payload_cap)
		e = reserve(sizeof(*e) + IPCS_PAYLOAD_MAX);
	else
		e = reserve(sizeof(*e));
	if (!e)
		return;
	hdr_fill(&e->h, kind, size);
	e->fd = fd;
	e->syscall = sc;
	e->payload_len = 0;
	e->bytes = ret;
	e->files = files;
	__builtin_memset(&e->f, 0, sizeof(e->f));
	file_object(f, inode, &e->f, direct);
	if (payload_cap && ubuf && ret > 0) {
		__u32 n = ret < payload_cap ? ret : payload_cap;

		if (buf_is_iov) {
			struct iovec iov = {};

			bpf_probe_read_user(&iov, sizeof(iov), ubuf);
			ubuf = iov.iov_base;
			if (n > iov.iov_len)
				n = iov.iov_len;
		}
		n &= IPCS_PAYLOAD_MAX * 2 - 1;
		if (n > IPCS_PAYLOAD_MAX)
			n = IPCS_PAYLOAD_MAX;
		if (bpf_probe_read_user(e->payload, n, ubuf) == 0)
			e->payload_len = n;
	}
	submit(e);
}

/* Data moved through fd; only pipes, FIFOs and sockets are reported. */
static __always_inline void data_event(enum ipcs_kind kind, int fd,
				       enum ipcs_data_syscall sc, long ret,
				       const void *ubuf, bool buf_is_iov,
				       bool direct)
{
	struct fdtable *fdt;
	struct inode *inode;
	__u32 imode;
	__u64 files;
	struct file *f = direct ? current_file_direct(fd, &files)
				: current_file(fd, &fdt, &files);

	if (!f)
		return;
	inode = direct ? KCAST(f, struct file)->f_inode : BPF_CORE_READ(f, f_inode);
	if (!inode)
		return;
	imode = LOAD(direct, inode, i_mode) & S_IFMT;
	if (imode != S_IFIFO && (imode != S_IFSOCK || !FEAT(SOCKETS)))
		return;
	if (aggregate) {
		__u32 gen = flow_gen;
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;

		if (flow_slot_add(gen, fd, kind, tgid, f, inode, imode, ret,
				  files, direct) ||
		    flow_add(gen & 1 ? (void *)&flows1 : (void *)&flows0, kind,
			     tgid, f, inode, imode, ret, files, direct))
			return;
	}
	data_record(kind, fd, sc, ret, f, inode, files, ubuf, buf_is_iov,
		    direct);
}

/* One copy for every data syscall: inlined at each of them, the exit
 * program would outgrow the verifier's 16-bit jumps. A subprogram takes
 * five arguments at most, so how = kind | syscall << 8 | iov << 16. */
#define DATA(kind, sc, iov) ((kind) | (sc) << 8 | (iov) << 16)
static __noinline int emit_data(__u32 how, int fd, long ret, const void *ubuf)
{
	data_event(how & 0xff, fd, (how >> 8) & 0xff, ret, ubuf, how >> 16,
		   false);
	return 0;
}

static __noinline int emit_data_direct(__u32 how, int fd, long ret,
				       const void *ubuf)
{
	data_event(how & 0xff, fd, (how >> 8) & 0xff, ret, ubuf, how >> 16,
		   true);
	return 0;
}

#define EMIT_DATA(direct, how, fd, ret, ubuf)                                  \
	((direct) ? emit_data_direct(how, fd, ret, ubuf)                       \
		  : emit_data(how, fd, ret, ubuf))

/* mq_timedsend, mq_timedreceive: a message moved through a POSIX queue.
 * Apart from emit_data, so that the pipe and socket path stays as short. */
static __always_inline void emit_mq_data(enum ipcs_kind kind, int fd,
					 enum ipcs_data_syscall sc, long bytes,
					 const void *ubuf)
{
	struct fdtable *fdt;
	struct inode *inode;
	__u64 files;
	struct file *f = current_file(fd, &fdt, &files);

	if (!f)
		return;
	inode = BPF_CORE_READ(f, f_inode);
	if (BPF_CORE_READ(inode, i_sb, s_magic) != IPCS_MQUEUE_MAGIC)
		return;
	data_record(kind, fd, sc, bytes, f, inode, files, ubuf, false, false);
}

/* munmap: a small record; user space knows which shared mappings it hit,
 * and has the count of the file at addr as it was before (munmap_enter):
 * one held for a while by someone else (msync holds one) is no guess. */
static __always_inline void emit_munmap(__u64 addr, __u64 len)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct munmap_start *st = bpf_map_lookup_elem(&munmaps, &tid);
	struct ipcs_ev_munmap *e = reserve(sizeof(*e));

	if (e) {
		hdr_fill(&e->h, IPCS_EV_MUNMAP, sizeof(*e));
		e->addr = addr;
		e->len = len;
		e->file = st ? st->file : 0;
		e->refs = st ? st->refs : 0;
		submit(e);
	}
	if (st)
		bpf_map_delete_elem(&munmaps, &tid);
}

/* pipe(), socketpair(): two fds written to user memory */
static __always_inline void on_pair_exit(enum ipcs_kind kind, const int *ufds)
{
	int fds[2];

	if (bpf_probe_read_user(fds, sizeof(fds), ufds))
		return;
	emit_fd(kind, fds[0], -1, 0, NULL, 0);
	emit_fd(kind, fds[1], -1, 0, NULL, 0);
}

/* fds received with SCM_RIGHTS: new slots for entries another process
 * holds. Only the first control message is read. */
static __always_inline void on_recvmsg_exit(const struct user_msghdr *umsg)
{
	struct user_msghdr msg;
	struct {
		__u64 len;
		int level, type;
		int fds[MAX_SCM_FDS];
	} cmsg = {};
	__u32 n;

	if (bpf_probe_read_user(&msg, sizeof(msg), umsg) || !msg.msg_control ||
	    msg.msg_controllen < 16)
		return;
	if (bpf_probe_read_user(&cmsg, sizeof(cmsg), msg.msg_control) &&
	    bpf_probe_read_user(&cmsg, 16 + 4, msg.msg_control))
		return;
	if (cmsg.level != SOL_SOCKET || cmsg.type != SCM_RIGHTS || cmsg.len < 20)
		return;
	n = (cmsg.len - 16) / 4;
	for (int i = 0; i < MAX_SCM_FDS; i++) {
		if (i >= n)
			break;
		emit_fd(IPCS_EV_RECVFD, cmsg.fds[i], -1, 0, NULL, 0);
	}
}

static __always_inline void emit_sockaddr(enum ipcs_kind kind, int fd,
					  const void *uaddr, __u32 addrlen,
					  __u32 backlog, long ret)
{
	struct ipcs_ev_sockaddr *e;
	struct fdtable *fdt;
	__u64 files;
	struct file *f = current_file(fd, &fdt, &files);

	if (!f)
		return;
	e = reserve(sizeof(*e));
	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, kind, sizeof(*e));
	e->fd = fd;
	e->ret = ret;
	e->backlog = backlog;
	e->files = files;
	file_fill(f, &e->f);
	if (uaddr) {
		if (addrlen > IPCS_SOCKADDR_MAX)
			addrlen = IPCS_SOCKADDR_MAX;
		e->addrlen = addrlen;
		/* the barrier keeps the compiler from dropping the mask that
		 * proves the bound to the verifier */
		barrier_var(addrlen);
		bpf_probe_read_user(e->addr, addrlen & 127, uaddr);
	}
	submit(e);
}

#define IPC_SEM_IDS 0
#define IPC_MSG_IDS 1
#define IPC_SHM_IDS 2
#define IPCMNI_IDX_MASK 0x7fff	/* ipc/util.h, without ipcmni_extend */
#define XA_CHUNK_MASK 63

/* The kern_ipc_perm of SysV object id in IPC namespace ns: a walk down
 * the namespace's idr (an xarray). NULL when not found. */
static __always_inline struct kern_ipc_perm *ipc_find_in(struct ipc_namespace *ns,
							 int which, int id)
{
	unsigned long index = id & IPCMNI_IDX_MASK, entry;
	struct kern_ipc_perm *perm;

	if (!ns || which < 0 || which > 2)
		return NULL;
	entry = (unsigned long)BPF_CORE_READ(ns, ids[which].ipcs_idr.idr_rt.xa_head);
	if ((entry & 3) != 2 && index != 0)	/* a lone entry sits at index 0 */
		return NULL;
	for (int level = 0; level < 4 && (entry & 3) == 2; level++) {
		struct xa_node *node = (void *)(entry - 2);
		__u8 shift = BPF_CORE_READ(node, shift);
		void **slots = __builtin_preserve_access_index(&node->slots[0]);

		bpf_probe_read_kernel(&entry, sizeof(entry),
				      slots + ((index >> shift) & XA_CHUNK_MASK));
	}
	if (!entry || (entry & 3))
		return NULL;
	perm = (void *)entry;
	return BPF_CORE_READ(perm, id) == id ? perm : NULL;
}

/* ... in the caller's IPC namespace */
static __always_inline struct kern_ipc_perm *ipc_find(int which, int id)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return ipc_find_in(BPF_CORE_READ(t, nsproxy, ipc_ns), which, id);
}

/* The SysV segment whose attach maps inode, or -1. An attach's file
 * shares the segment's shmem inode, whose i_ino is the shmid (newseg()). */
static __always_inline int shm_id_of(struct ipc_namespace *ns,
				     struct inode *inode, __u64 *nattch,
				     __u64 *segsz)
{
	struct kern_ipc_perm *perm;
	struct shmid_kernel *shp;
	int id = BPF_CORE_READ(inode, i_ino);

	perm = ipc_find_in(ns, IPC_SHM_IDS, id);
	if (!perm)
		return -1;
	shp = (void *)perm - bpf_core_field_offset(struct shmid_kernel, shm_perm);
	if (BPF_CORE_READ(shp, shm_file, f_inode) != inode)
		return -1;
	*nattch = BPF_CORE_READ(shp, shm_nattch);
	*segsz = BPF_CORE_READ(shp, shm_segsz);
	return id;
}

/* The object's state now, as ipcs would show it. */
static __always_inline void ipc_fill(struct ipcs_ev_ipc *e, enum ipcs_kind kind,
				     int id)
{
	struct kern_ipc_perm *perm;

	switch (kind) {
	case IPCS_EV_MSGGET: case IPCS_EV_MSGSND: case IPCS_EV_MSGRCV:
	case IPCS_EV_MSGCTL: {
		struct msg_queue *q;

		perm = ipc_find(IPC_MSG_IDS, id);
		if (!perm)
			return;
		q = (void *)perm - bpf_core_field_offset(struct msg_queue, q_perm);
		e->qnum = BPF_CORE_READ(q, q_qnum);
		e->cbytes = BPF_CORE_READ(q, q_cbytes);
		e->qbytes = BPF_CORE_READ(q, q_qbytes);
		break;
	}
	case IPCS_EV_SHMGET: case IPCS_EV_SHMAT: case IPCS_EV_SHMDT:
	case IPCS_EV_SHMCTL: {
		struct shmid_kernel *shp;

		perm = ipc_find(IPC_SHM_IDS, id);
		if (!perm)
			return;
		shp = (void *)perm - bpf_core_field_offset(struct shmid_kernel, shm_perm);
		e->qnum = BPF_CORE_READ(shp, shm_nattch);
		e->cbytes = BPF_CORE_READ(shp, shm_segsz);
		break;
	}
	default: {
		struct sem_array *sma;

		perm = ipc_find(IPC_SEM_IDS, id);
		if (!perm)
			return;
		sma = (void *)perm - bpf_core_field_offset(struct sem_array, sem_perm);
		e->qnum = BPF_CORE_READ(sma, sem_nsems);
		break;
	}
	}
	e->found = 1;
}

static __always_inline struct ipcs_ev_ipc *ipc_begin(enum ipcs_kind kind, int id)
{
	struct ipcs_ev_ipc *e = reserve(sizeof(*e));

	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, kind, sizeof(*e));
	e->id = id;
	if (id >= 0)
		ipc_fill(e, kind, id);
	return e;
}

/* Did the caller sleep in this syscall? Its voluntary context switches tell. */
static __always_inline void ipc_wait_end(struct ipcs_ev_ipc *e)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct wait_start *w = bpf_map_lookup_elem(&waits, &tid);
	struct task_struct *t = bpf_get_current_task_btf();

	if (!w)
		return;
	if (t->nvcsw != w->nvcsw) {
		e->blocked = 1;
		e->waited_ns = e->h.ts - w->ts;
	}
	bpf_map_delete_elem(&waits, &tid);
}

static __always_inline void on_ipc_exit(long nr, unsigned long a0,
					unsigned long a1, unsigned long a2,
					unsigned long a3, long ret)
{
	struct ipcs_ev_ipc *e;
	struct sembuf sb = {};

	switch (nr) {
	case NR_msgget:
		if ((e = ipc_begin(IPCS_EV_MSGGET, ret))) {
			e->key = a0;
			e->cmd = a1;
			submit(e);
		}
		break;
	case NR_msgsnd:	/* msgsnd(id, msgp, msgsz, flags) */
		if ((e = ipc_begin(IPCS_EV_MSGSND, a0))) {
			e->bytes = a2;
			bpf_probe_read_user(&e->mtype, sizeof(e->mtype), (void *)a1);
			ipc_wait_end(e);
			submit(e);
		}
		break;
	case NR_msgrcv:	/* msgrcv(id, msgp, msgsz, msgtyp, flags) */
		if ((e = ipc_begin(IPCS_EV_MSGRCV, a0))) {
			e->bytes = ret;
			bpf_probe_read_user(&e->mtype, sizeof(e->mtype), (void *)a1);
			ipc_wait_end(e);
			submit(e);
		}
		break;
	case NR_msgctl:
	case NR_shmctl:
		if ((e = ipc_begin(nr == NR_msgctl ? IPCS_EV_MSGCTL : IPCS_EV_SHMCTL, a0))) {
			e->cmd = a1;
			submit(e);
		}
		break;
	case NR_semctl:	/* semctl(id, semnum, cmd, ...) */
		if ((e = ipc_begin(IPCS_EV_SEMCTL, a0))) {
			e->sem_num = a1;
			e->cmd = a2;
			submit(e);
		}
		break;
	case NR_shmget:
		if ((e = ipc_begin(IPCS_EV_SHMGET, ret))) {
			e->key = a0;
			e->bytes = a1;
			e->cmd = a2;
			submit(e);
		}
		break;
	case NR_shmat:
		if ((e = ipc_begin(IPCS_EV_SHMAT, a0))) {
			e->addr = ret;
			e->cmd = a2;
			submit(e);
		}
		break;
	case NR_shmdt: {	/* the segment was found at entry */
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		__s32 *idp = bpf_map_lookup_elem(&shmdt_ids, &tid);
		int id = idp ? *idp : -1;

		if (idp)
			bpf_map_delete_elem(&shmdt_ids, &tid);
		if ((e = ipc_begin(IPCS_EV_SHMDT, id))) {
			e->addr = a0;
			submit(e);
		}
		break;
	}
	case NR_semget:
		if ((e = ipc_begin(IPCS_EV_SEMGET, ret))) {
			e->key = a0;
			e->nsops = a1;	/* nsems */
			e->cmd = a2;
			submit(e);
		}
		break;
	case NR_semop:
	case NR_semtimedop:	/* semop(id, sops, nsops) */
		if ((e = ipc_begin(IPCS_EV_SEMOP, a0))) {
			bpf_probe_read_user(&sb, sizeof(sb), (void *)a1);
			e->sem_num = sb.sem_num;
			e->sem_op = sb.sem_op;
			e->nsops = a2;
			ipc_wait_end(e);
			submit(e);
		}
		break;
	}
}

/* x86's TS_COMPAT (arch/x86/include/asm/thread_info.h, the same value
 * since it came): the syscall in progress came through the 32-bit entry,
 * with ia32 numbers (3 is read, not close) and ia32 argument registers.
 * Those are not decoded; they are counted, and user space says so. */
#define TS_COMPAT 0x0002

static __always_inline bool ia32_syscall(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (!(t->thread_info.status & TS_COMPAT))
		return false;
	__u32 key = IPCS_CNT_IA32;
	__u64 *n = bpf_map_lookup_elem(&lost, &key);

	if (n)
		(*n)++;
	return true;
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
		emit_fd(IPCS_EV_OPEN, ret, -1, 0, (const char *)a0, 0);
		break;
	case NR_openat: case NR_openat2:
		emit_fd(IPCS_EV_OPEN, ret, -1, 0, (const char *)a1, 0);
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
	if (!wanted(bpf_get_current_pid_tgid() >> 32) || ia32_syscall())
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

struct vma_file_ctx {
	struct file *file;
};

static long vma_file_cb(struct task_struct *task, struct vm_area_struct *vma,
			struct vma_file_ctx *c)
{
	c->file = BPF_CORE_READ(vma, vm_file);
	return 0;
}

/* munmap(addr, len): the file mapped at addr, while it is. */
static __always_inline void munmap_enter(__u64 addr)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vma_file_ctx c = {};
	struct munmap_start st;

	if (bpf_find_vma(t, addr, vma_file_cb, &c, 0) || !c.file)
		return;
	st.file = (__u64)c.file;
	st.refs = file_refs(c.file);
	bpf_map_update_elem(&munmaps, &tid, &st, BPF_ANY);
}

/* shmdt(addr): once it returns the mapping is gone, so which segment is
 * attached at addr is asked now (bpf_find_vma, Linux 5.17, older than the
 * core's needs). */
static __always_inline void shmdt_enter(__u64 addr)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vma_file_ctx c = {};
	__u64 nattch, segsz;
	__s32 id;

	struct file *f;

	if (bpf_find_vma(t, addr, vma_file_cb, &c, 0) || !c.file)
		return;
	f = c.file;	/* not inside BPF_CORE_READ: c is no kernel type */
	id = shm_id_of(BPF_CORE_READ(t, nsproxy, ipc_ns),
		       BPF_CORE_READ(f, f_inode), &nattch, &segsz);
	if (id >= 0)
		bpf_map_update_elem(&shmdt_ids, &tid, &id, BPF_ANY);
}

struct close_range_ctx {
	struct fdtable *fdt;
	__u32 first;
	__u32 last;
	__u32 cloexec;
};

static long close_range_one(__u32 i, struct close_range_ctx *c)
{
	__u32 fd = c->first + i;

	if (fd > c->last)
		return 1;
	if (!fdt_file(c->fdt, fd))
		return 0;
	if (c->cloexec)
		emit_fd(IPCS_EV_FCNTL, fd, -1, IPCS_FD_CLOEXEC, NULL, 0);
	else
		emit_fd(IPCS_EV_CLOSE, fd, -1, IPCS_FD_IMPLICIT, NULL, -1);
	return 0;
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
	if (!wanted(bpf_get_current_pid_tgid() >> 32) || ia32_syscall())
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
		struct wait_start w = { bpf_ktime_get_ns(), cur->nvcsw };
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		bpf_map_update_elem(&waits, &tid, &w, BPF_ANY);
		return 0;
	}
	if (id == NR_close) {
		close_enter(regs->di);
		return 0;
	}
	if (!FEAT(CLOSE_RANGE))
		return 0;

	struct task_struct *t = bpf_get_current_task_btf();
	struct close_range_ctx c = {};
	struct fdtable *fdt;
	__u64 files, max;

	fdt = task_fdt(t, &files);
	if (!fdt || (__u32)regs->dx & ~(CLOSE_RANGE_CLOEXEC | 2U))
		return 0;
	c.fdt = fdt;
	c.first = regs->di;
	c.last = regs->si;
	c.cloexec = regs->dx & CLOSE_RANGE_CLOEXEC;
	max = BPF_CORE_READ(fdt, max_fds);
	if (c.first > c.last || c.first >= max)
		return 0;
	if (c.last >= max)
		c.last = max - 1;
	bpf_loop(MAX_CLOSE_RANGE, close_range_one, &c, 0);
	return 0;
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
	e->_pad = 0;
	submit(e);
	return 0;
}

static __always_inline bool comm_matches(const char *comm)
{
	if (!comm_filter[0])
		return false;
	for (int i = 0; i < IPCS_COMM_LEN; i++) {
		if (comm[i] != comm_filter[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline void proc_fill(struct ipcs_ev_proc *e,
				      enum ipcs_kind kind)
{
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, kind, sizeof(*e));
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

/* The fds open once exec is done: the kernel's own answer to which
 * close-on-exec fds it closed, so that the table needs no re-read (which
 * would hold a reference on each file while the program runs on). */
static __always_inline void exec_open_fds(struct ipcs_ev_proc *e,
					  struct task_struct *p)
{
	__u64 files;
	struct fdtable *fdt = task_fdt(p, &files);
	unsigned long *bits;
	__u32 words;

	if (!fdt)
		return;
	e->max_fds = fdt->max_fds;
	words = (e->max_fds + 63) / 64;
	if (words > IPCS_EXEC_FD_WORDS)
		words = IPCS_EXEC_FD_WORDS;
	bits = fdt->open_fds;
	for (__u32 i = 0; i < IPCS_EXEC_FD_WORDS; i++) {
		if (i >= words)
			break;
		if (bpf_probe_read_kernel(&e->open_fds[i], sizeof(e->open_fds[i]),
					  bits + i))
			return;	/* fd_words stays 0: unknown */
	}
	e->fd_words = words;
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
		if (nr >= 0)
			rec->wait = IPCS_WAIT_OTHER;
		return;
	}
	rec->wait_fd = BPF_CORE_READ(regs, di);
}

SEC("iter/task")
int iter_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct ipcs_snap_task rec = {};

	if (!t || t->pid != t->tgid || (t->flags & 0x00200000 /* PF_KTHREAD */))
		return 0;
	rec.kind = IPCS_SNAP_TASK;
	rec.size = sizeof(rec);
	rec.pid = t->tgid;
	rec.ppid = t->real_parent->tgid;
	rec.start = t->start_time;
	rec.files = (__u64)t->files;
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
	rec->kind = IPCS_SNAP_FD;
	rec->size = sizeof(*rec);
	rec->pid = t->tgid;
	rec->fd = ctx->fd;
	fdt = task_fdt(t, &files);
	rec->files = files;
	if (fdt && fdt_cloexec(fdt, ctx->fd))
		rec->fd_flags = IPCS_FD_CLOEXEC;
	file_fill(f, &rec->f);
	if (rec->f.refs)
		rec->f.refs--;
	bpf_d_path((struct path *)&f->f_path, rec->path, sizeof(rec->path));
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
	rec->kind = IPCS_SNAP_VMA;
	rec->size = sizeof(*rec);
	rec->pid = t->tgid;
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
