/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The records that cross from the eBPF programs to user space: ring-buffer
 * events and task iterator (snapshot) records. This is the only header that
 * both sides include; fixed-width fields only, explicit padding.
 */
#ifndef IPCSCOPE_H
#define IPCSCOPE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define IPCS_COMM_LEN 16
#define IPCS_NAME_LEN 64	/* last path component of a dentry */
#define IPCS_PATH_LEN 256
#define IPCS_PAYLOAD_MAX 256

/* Every event kind, declared once with the record it travels in:
 * X(ENUM_SUFFIX, "json type", struct tag). User space generates its names
 * and minimum sizes from this list (tracer/record.c). */
#define IPCS_EVENT_KINDS(X)                                                    \
	X(FORK, "fork", ipcs_ev_proc)                                          \
	X(EXEC, "exec", ipcs_ev_proc)                                          \
	X(EXIT, "exit", ipcs_ev_proc)                                          \
	X(OPEN, "open", ipcs_ev_fd)                                            \
	X(PIPE, "pipe", ipcs_ev_fd)                                            \
	X(DUP, "dup", ipcs_ev_fd)                                              \
	X(FCNTL, "fcntl", ipcs_ev_fd)                                          \
	X(CLOSE, "close", ipcs_ev_fd)                                          \
	X(MKFIFO, "mkfifo", ipcs_ev_fd)                                        \
	X(WRITE, "write", ipcs_ev_data)                                        \
	X(READ, "read", ipcs_ev_data)                                          \
	X(SOCKET, "socket", ipcs_ev_fd)                                        \
	X(SOCKETPAIR, "socketpair", ipcs_ev_fd)                                \
	X(ACCEPT, "accept", ipcs_ev_fd)                                        \
	X(RECVFD, "recvfd", ipcs_ev_fd)                                        \
	X(BIND, "bind", ipcs_ev_sockaddr)                                      \
	X(LISTEN, "listen", ipcs_ev_sockaddr)                                  \
	X(CONNECT, "connect", ipcs_ev_sockaddr)                                \
	X(MSGGET, "msgget", ipcs_ev_ipc)                                       \
	X(MSGSND, "msgsnd", ipcs_ev_ipc)                                       \
	X(MSGRCV, "msgrcv", ipcs_ev_ipc)                                       \
	X(MSGCTL, "msgctl", ipcs_ev_ipc)                                       \
	X(SHMGET, "shmget", ipcs_ev_ipc)                                       \
	X(SHMAT, "shmat", ipcs_ev_ipc)                                         \
	X(SHMDT, "shmdt", ipcs_ev_ipc)                                         \
	X(SHMCTL, "shmctl", ipcs_ev_ipc)                                       \
	X(SEMGET, "semget", ipcs_ev_ipc)                                       \
	X(SEMOP, "semop", ipcs_ev_ipc)                                         \
	X(SEMCTL, "semctl", ipcs_ev_ipc)                                       \
	X(SIGNAL, "signal", ipcs_ev_signal)                                    \
	X(MMAP, "mmap", ipcs_ev_fd)                                            \
	X(MQ_OPEN, "mq_open", ipcs_ev_fd)                                      \
	X(MQ_UNLINK, "mq_unlink", ipcs_ev_fd)                                  \
	X(MUNMAP, "munmap", ipcs_ev_munmap)                                    \
	X(LSEEK, "lseek", ipcs_ev_fd)

enum ipcs_kind {
#define IPCS_X(name, str, rec) IPCS_EV_##name,
	IPCS_EVENT_KINDS(IPCS_X)
#undef IPCS_X
	IPCS_EV__COUNT
};

/* Which syscall moved the data of a WRITE/READ event. */
#define IPCS_DATA_SYSCALLS(X)                                                  \
	X(WRITE, "write")                                                      \
	X(WRITEV, "writev")                                                    \
	X(PWRITEV, "pwritev")                                                  \
	X(READ, "read")                                                        \
	X(READV, "readv")                                                      \
	X(PREADV, "preadv")                                                    \
	X(SPLICE, "splice")                                                    \
	X(TEE, "tee")                                                          \
	X(SENDTO, "sendto")                                                    \
	X(SENDMSG, "sendmsg")                                                  \
	X(SENDMMSG, "sendmmsg")                                                \
	X(RECVFROM, "recvfrom")                                                \
	X(RECVMSG, "recvmsg")                                                  \
	X(RECVMMSG, "recvmmsg")                                                \
	X(MQ_TIMEDSEND, "mq_timedsend")                                        \
	X(MQ_TIMEDRECEIVE, "mq_timedreceive")

enum ipcs_data_syscall {
#define IPCS_X(name, str) IPCS_SC_##name,
	IPCS_DATA_SYSCALLS(IPCS_X)
#undef IPCS_X
	IPCS_SC__COUNT
};

/* Optional features, as the loader switches them in the programs'
 * read-only data (tracer/kernel_features.c has the table: names, what each gives,
 * how it is probed). */
#define IPCS_FEAT_FAST_DATA	(1U << 0)	/* tp_btf_sys_exit_direct */
#define IPCS_FEAT_MAPS		(1U << 1)	/* iter_task_vma */
#define IPCS_FEAT_SIGNALS	(1U << 2)	/* tp_btf_signal_generate */
#define IPCS_FEAT_SOCKETS	(1U << 3)
#define IPCS_FEAT_SYSV		(1U << 4)
#define IPCS_FEAT_POSIX_MQ	(1U << 5)
#define IPCS_FEAT_MMAP		(1U << 6)
#define IPCS_FEAT_CLOSE_RANGE	(1U << 7)
#define IPCS_FEAT_WAITS		(1U << 8)

/* Per-CPU counters in the map "lost": events the ring could not take, events
 * submitted, syscalls of traced 32-bit (ia32) processes left undecoded. */
#define IPCS_CNT_LOST 0
#define IPCS_CNT_SUBMITTED 1
#define IPCS_CNT_IA32 2

/* Flags on fd events. */
#define IPCS_FD_CLOEXEC 0x1	/* the fd has close-on-exec set */
#define IPCS_FD_IMPLICIT 0x2	/* closed as a side effect (close_range) */
#define IPCS_FD_KPATH 0x4	/* open: path is the file's own, absolute,
				 * as /proc names it (not the one passed) */

/* Flags on proc events. */
#define IPCS_PROC_SHARED_FILES 0x1 /* fork: child shares the fd table */

/* Common header of every ring-buffer record. */
struct ipcs_hdr {
	__u64 ts;		/* CLOCK_MONOTONIC ns */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u16 kind;		/* enum ipcs_kind */
	__u16 size;		/* bytes of the whole record */
	__u32 _pad;
	char comm[IPCS_COMM_LEN];
};

/* Sockets: enough to name the other end. */
struct ipcs_sock_info {
	__u64 peer_ino;		/* AF_UNIX: inode of the connected peer, or 0 */
	__u32 laddr;		/* AF_INET: local and remote address, */
	__u32 raddr;		/* network byte order */
	__u16 lport;		/* host byte order */
	__u16 rport;
	__u16 family;
	__u16 type;		/* SOCK_STREAM, SOCK_DGRAM, ... */
	__u8 laddr6[16];	/* AF_INET6: local and remote address */
	__u8 raddr6[16];
	__u16 state;		/* sk_state: IPCS_SK_LISTEN for any listener */
	__u16 _pad[3];
};

/* POSIX message queues: the queue's state (struct mqueue_inode_info). */
struct ipcs_mq_info {
	__u64 qsize;		/* bytes in the queued messages */
	__u32 curmsgs;		/* messages queued */
	__u32 maxmsg;		/* queue limit, in messages */
	__u32 msgsize;		/* largest message */
	__u32 _pad;
};

/* What an event knows of one open-file entry and the object behind it. */
struct ipcs_file_info {
	__u64 file;		/* struct file address: identity, never shown */
	__u64 ino;
	__u64 pos;
	__u64 refs;		/* the kernel's reference count, decoded */
	__u32 dev;		/* superblock s_dev */
	__u32 imode;		/* inode i_mode */
	__u32 flags;		/* f_flags (O_ACCMODE, O_APPEND, ...) */
	__u32 magic;		/* superblock s_magic: pipefs, sockfs, ... */
	__u32 pipe_buffered;	/* pipes and FIFOs: bytes in the buffer */
	__u32 pipe_capacity;	/* bytes */
	__u16 pipe_readers;
	__u16 pipe_writers;
	__u32 _pad;
	union {
		struct ipcs_sock_info sock;	/* S_IFSOCK only */
		struct ipcs_mq_info mq;		/* mqueue files only */
	};
};

/* exec: the fds open once it is done, for fds below 64 * this; a table
 * with room for more is re-read (a task iterator) instead. */
#define IPCS_EXEC_FD_WORDS 16

struct ipcs_ev_proc {
	struct ipcs_hdr h;
	__u32 child;		/* fork: child tgid */
	__u32 ppid;		/* fork/exec: parent tgid */
	__u64 start;		/* fork: child start time; exec: own */
	__u64 files;		/* fork: child's files_struct; exec: own */
	__u64 parent_files;	/* fork: parent's files_struct */
	__s32 code;		/* exit: status code (when not killed) */
	__s32 signal;		/* exit: killing signal, 0 if none */
	__u32 old_pid;		/* exec: tid before exec */
	__u32 flags;		/* IPCS_PROC_* */
	char filename[IPCS_PATH_LEN]; /* exec */
	/* exec: the open fds after it (close-on-exec ones are gone), one bit
	 * each, in fd_words words; max_fds: the table's room (fd_words is 0
	 * when it could not be read) */
	__u32 fd_words;
	__u32 max_fds;
	__u64 open_fds[IPCS_EXEC_FD_WORDS];
};

struct ipcs_ev_fd {
	struct ipcs_hdr h;
	__s32 fd;
	__s32 oldfd;		/* dup: the source fd; else -1 */
	__u32 fd_flags;		/* IPCS_FD_* */
	__s32 dirfd;		/* openat: the fd of the directory a relative
				 * path starts from; -1 for the cwd, or none */
	__u64 files;		/* files_struct of the table changed */
	__u64 addr;		/* mmap: where it was mapped */
	__u64 len;		/* mmap: bytes */
	struct ipcs_file_info f;
	char name[IPCS_NAME_LEN]; /* dentry name */
	char path[IPCS_PATH_LEN]; /* open/mkfifo: the path as passed */
};

struct ipcs_ev_data {
	struct ipcs_hdr h;
	__s32 fd;
	__u16 syscall;		/* enum ipcs_data_syscall */
	__u16 payload_len;	/* bytes of payload[] that are valid */
	__s64 bytes;		/* the syscall's result */
	__u64 files;
	struct ipcs_file_info f;
	__u8 payload[];		/* only when payload capture is on */
};

/* Data aggregated in the kernel (live view, --top): what one process moved
 * through one open-file entry in one direction since user space last
 * drained the map. Structural events still come one by one. */
struct ipcs_flow_key {
	__u64 file;		/* struct file address */
	__u32 tgid;
	__u16 kind;		/* IPCS_EV_WRITE or IPCS_EV_READ */
	__u16 _pad;
};

/* A flow's object state (pipe fill) is read at its first call and every
 * IPCS_FLOW_FILL_EVERY calls. */
#define IPCS_FLOW_FILL_EVERY 64

struct ipcs_flow {
	struct ipcs_hdr h;	/* of the first call: ts, tid, comm; size */
	__u64 calls;
	__s64 bytes;		/* sum of the calls' results */
	__u64 files;		/* the caller's files_struct */
	__u64 last_ts;		/* when f's object state was read */
	__u64 inode;		/* struct inode address: identity, never shown */
	struct ipcs_file_info f;	/* pipe fill as of last_ts */
};

/* In front of the flow maps, each CPU has IPCS_FLOW_SLOTS slots per
 * generation (map flow_slots, mmapped by user space): a flow whose slot is
 * free takes it for the generation and adds there without a hash lookup
 * or atomics; a flow whose slot another holds goes to the flow map. */
/* Each CPU marks, in the map flow_busy (mmapped by user space), the
 * generation it is adding to while it adds: IPCS_FLOW_BUSY_READING before
 * it has read flow_gen, gen + IPCS_FLOW_BUSY_GEN after, 0 when done. User
 * space drains a generation only when no CPU may still add to it: a tick
 * is no proof when a CPU can stall (a virtual one, under a busy host). */
#define IPCS_FLOW_BUSY_READING 1
#define IPCS_FLOW_BUSY_GEN 2
#define IPCS_FLOW_SLOT_BITS 6
#define IPCS_FLOW_SLOTS (1U << IPCS_FLOW_SLOT_BITS)
struct ipcs_flow_slot {
	__u64 epoch;		/* flow_gen + 1 of the generation it holds */
	struct ipcs_flow_key k;
	struct ipcs_flow v;
};

/* bind, connect: the address as the caller passed it. */
#define IPCS_SOCKADDR_MAX 128	/* >= sizeof(struct sockaddr_un); a power of two */
struct ipcs_ev_sockaddr {
	struct ipcs_hdr h;
	__s32 fd;
	__s32 ret;		/* connect: -EINPROGRESS is worth showing */
	__u32 addrlen;
	__u32 backlog;		/* listen */
	__u64 files;
	struct ipcs_file_info f;
	__u8 addr[IPCS_SOCKADDR_MAX];
};

/* munmap: a range of the caller's address space went away. */
struct ipcs_ev_munmap {
	struct ipcs_hdr h;
	__u64 addr;
	__u64 len;		/* bytes, as passed */
	__u64 file;		/* the file mapped at addr before the call, or 0 */
	__u64 refs;		/* its reference count then (the kernel's) */
};

/* sem*: how many values of a set an event carries (the first ones) */
#define IPCS_SEMVAL_MAX 16

/* SysV IPC: msg*, shm*, sem*. */
struct ipcs_ev_ipc {
	struct ipcs_hdr h;
	__s32 id;
	__s32 key;
	__s64 bytes;		/* msgsnd/msgrcv: message size; shmget: size */
	__s64 mtype;		/* msgsnd/msgrcv: the type asked for / got */
	__u64 addr;		/* shmat/shmdt */
	__s32 cmd;		/* *ctl; msgget/shmget/semget: flags */
	__u16 sem_num;
	__s16 sem_op;
	__u32 nsops;
	__u32 blocked;		/* the caller slept in the syscall */
	__u64 waited_ns;	/* time in the syscall, when it blocked */
	/* the object after the call, read from the kernel; found = 0 when
	 * it is gone (or was never found) */
	__u32 found;
	__u32 _pad;
	__u64 qnum;		/* msg: messages queued; shm: attaches; sem: nsems */
	__u64 cbytes;		/* msg: bytes queued; shm: size */
	__u64 qbytes;		/* msg: queue limit */
	/* sem*, when found: semval of semaphores 0 .. nsemval-1 after the
	 * call (nsemval = min(nsems, IPCS_SEMVAL_MAX)); SEMVMX fits 16 bits */
	__u32 nsemval;
	__u16 semval[IPCS_SEMVAL_MAX];
	__u32 _pad2;
};

struct ipcs_ev_signal {
	struct ipcs_hdr h;	/* the sender (the kernel, for SIGPIPE: the writer) */
	__u32 target;		/* tgid */
	__u32 target_tid;
	__s32 sig;
	__s32 code;		/* si_code: SI_USER, SI_KERNEL, ... */
	__s32 result;		/* TRACE_SIGNAL_DELIVERED = 0, IGNORED = 1, ... */
	__u32 action;		/* IPCS_SIGACT_*: the target's disposition */
};

/* What the target does with a signal, as it stood when it was sent (0 in
 * records from before this field: not known). BLOCKED is or-ed in. */
#define IPCS_SIGACT_DEFAULT 1	/* SIG_DFL: the default action */
#define IPCS_SIGACT_IGNORE 2	/* SIG_IGN */
#define IPCS_SIGACT_HANDLER 3	/* a handler of its own */
#define IPCS_SIGACT_BLOCKED 0x10	/* blocked: it stays pending */

/* Task iterator records (snapshot / resync), written with bpf_seq_write,
 * declared once with their records: X(ENUM_SUFFIX, value, struct tag). */
#define IPCS_SNAP_KINDS(X)                                                     \
	X(TASK, 1, ipcs_snap_task)                                             \
	X(FD, 2, ipcs_snap_fd)                                                 \
	X(VMA, 3, ipcs_snap_vma)

enum ipcs_snap_kind {
#define IPCS_X(name, val, rec) IPCS_SNAP_##name = val,
	IPCS_SNAP_KINDS(IPCS_X)
#undef IPCS_X
};

/* Common header of every snapshot record. */
struct ipcs_snap_hdr {
	__u32 kind;		/* enum ipcs_snap_kind */
	__u32 size;		/* bytes of the whole record */
	__u32 pid;		/* tgid */
};

/* Where a sleeping task waits (task records), from its syscall. */
#define IPCS_WAITS(X)                                                          \
	X(NONE) X(READ) X(WRITE) X(ACCEPT) X(CONNECT) X(OPEN) X(MSGRCV)        \
	X(MSGSND) X(SEMOP) X(CHILD) X(SIGNAL) X(POLL) X(SLEEP) X(OTHER)

enum ipcs_wait {
#define IPCS_X(name) IPCS_WAIT_##name,
	IPCS_WAITS(IPCS_X)
#undef IPCS_X
};

/* Task record flags. EXITING: every thread has begun to exit (the
 * process's exit event is sent, or about to be): a zombie, or a process
 * in do_exit, never one to add. */
#define IPCS_TASK_EXITING 0x1
/* WAIT_SEMOP: wait_sem_num and wait_sem_op hold the first sop of the
 * call (recorded at its entry, or found on the set's wait queues) */
#define IPCS_TASK_WAIT_SEM 0x2

struct ipcs_snap_task {
	struct ipcs_snap_hdr h;	/* IPCS_SNAP_TASK */
	__u32 ppid;
	__u64 start;
	__u64 files;
	char comm[IPCS_COMM_LEN];
	__u16 wait;		/* enum ipcs_wait of the main thread */
	__u16 flags;		/* IPCS_TASK_* */
	__s32 wait_fd;		/* the syscall's fd argument, or -1; for
				 * IPCS_WAIT_OTHER the syscall's number */
	__s32 wait_id;		/* semop, msgsnd, msgrcv: the SysV id; or -1 */
	__u16 wait_sem_num;	/* IPCS_TASK_WAIT_SEM: the first sop's */
	__s16 wait_sem_op;
};

struct ipcs_snap_fd {
	struct ipcs_snap_hdr h;	/* IPCS_SNAP_FD */
	__s32 fd;
	__u32 fd_flags;
	__u32 _pad;
	__u64 files;
	struct ipcs_file_info f;
	char path[IPCS_PATH_LEN]; /* d_path, as /proc/PID/fd shows it */
	__u32 addrlen;		/* sockets: the bound address, or 0 */
	__u32 _pad2;
	__u8 addr[IPCS_SOCKADDR_MAX];
};

/* A shared mapping (VM_MAYSHARE with a file): iter/task_vma. */
struct ipcs_snap_vma {
	struct ipcs_snap_hdr h;	/* IPCS_SNAP_VMA */
	__s32 shmid;		/* a SysV segment's attach: its id; else -1 */
	__u64 start;
	__u64 end;
	__u64 pgoff;		/* in pages */
	__u64 nattch;		/* SysV: the segment's attaches now */
	__u64 segsz;		/* SysV: the segment's size in bytes */
	struct ipcs_file_info f;
	char path[IPCS_PATH_LEN]; /* the last component; the loader puts the
				   * whole path from /proc/PID/map_files */
};

#define IPCS_PIPEFS_MAGIC 0x50495045
#define IPCS_SOCKFS_MAGIC 0x534F434B
#define IPCS_ANON_INODE_FS_MAGIC 0x09041934
#define IPCS_MQUEUE_MAGIC 0x19800202
#define IPCS_PIDFS_MAGIC 0x50494446	/* pidfds on Linux 6.9+ */

/* sk_state of any listener, unix sockets too (include/net/tcp_states.h) */
#define IPCS_SK_LISTEN 10

#ifndef __VMLINUX_H__
_Static_assert(sizeof(struct ipcs_hdr) == 40, "ipcs_hdr layout");
_Static_assert(sizeof(struct ipcs_sock_info) == 64, "ipcs_sock_info layout");
_Static_assert(sizeof(struct ipcs_mq_info) == 24, "ipcs_mq_info layout");
_Static_assert(sizeof(struct ipcs_file_info) == 128, "ipcs_file_info layout");
_Static_assert(sizeof(struct ipcs_ev_sockaddr) % 8 == 0, "ipcs_ev_sockaddr padding");
_Static_assert(sizeof(struct ipcs_ev_ipc) % 8 == 0, "ipcs_ev_ipc padding");
_Static_assert(sizeof(struct ipcs_ev_signal) % 8 == 0, "ipcs_ev_signal padding");
_Static_assert(sizeof(struct ipcs_ev_proc) % 8 == 0, "ipcs_ev_proc padding");
_Static_assert(sizeof(struct ipcs_ev_fd) % 8 == 0, "ipcs_ev_fd padding");
_Static_assert(sizeof(struct ipcs_ev_data) % 8 == 0, "ipcs_ev_data padding");
_Static_assert(sizeof(struct ipcs_flow) % 8 == 0, "ipcs_flow padding");
_Static_assert(sizeof(struct ipcs_flow_key) == 16, "ipcs_flow_key layout");
_Static_assert(sizeof(struct ipcs_flow_slot) % 8 == 0, "ipcs_flow_slot padding");
_Static_assert(sizeof(struct ipcs_snap_hdr) == 12, "ipcs_snap_hdr layout");
_Static_assert(sizeof(struct ipcs_snap_task) == 64, "ipcs_snap_task layout");
_Static_assert(sizeof(struct ipcs_snap_fd) % 8 == 0, "ipcs_snap_fd padding");
_Static_assert(sizeof(struct ipcs_snap_vma) % 8 == 0, "ipcs_snap_vma padding");
_Static_assert(sizeof(struct ipcs_ev_munmap) == 72, "ipcs_ev_munmap layout");
#endif

#endif /* IPCSCOPE_H */
