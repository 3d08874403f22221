/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, first of its headers).
 * The x86_64 syscall numbers the programs dispatch on, and the ABI
 * constants they test (fcntl commands, mode bits, socket families, mmap
 * flags, errno values): these are #defines in the kernel, so vmlinux.h,
 * which carries only types, does not have them.
 */

#if !defined(__TARGET_ARCH_x86)
#error "ipcscope reads syscall numbers and arguments as on x86_64"
#endif

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
#define NR_lseek 8
#define NR_ioctl 16
/* calls that return a new fd (besides open, pipe, dup, socket, accept) */
#define NR_epoll_create 213
#define NR_inotify_init 253
#define NR_signalfd 282
#define NR_timerfd_create 283
#define NR_eventfd 284
#define NR_signalfd4 289
#define NR_eventfd2 290
#define NR_epoll_create1 291
#define NR_inotify_init1 294
#define NR_perf_event_open 298
#define NR_fanotify_init 300
#define NR_open_by_handle_at 304
#define NR_memfd_create 319
#define NR_bpf 321
#define NR_userfaultfd 323
#define NR_io_uring_setup 425
#define NR_open_tree 428
#define NR_fsopen 430
#define NR_fsmount 432
#define NR_fspick 433
#define NR_pidfd_open 434
#define NR_pidfd_getfd 438
#define NR_landlock_create_ruleset 444
#define NR_memfd_secret 447

#define F_DUPFD 0
#define F_SETFD 2
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define LANDLOCK_CREATE_RULESET_VERSION 1U
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFBLK 0060000
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
