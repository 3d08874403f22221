/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, after the maps).
 * What exists only to cope with differences between kernels: the file
 * reference count before and after Linux 6.13 (file_refs), plain loads
 * through bpf_rdonly_cast on Linux 6.2+ (KCAST, LOAD), and syscalls that
 * came in through the 32-bit entry (ia32_syscall).
 */

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

/* Linux 6.2+ casts a pointer to a kernel type for plain loads, where each
 * BPF_CORE_READ is a helper call (~20 ns here). The data path comes in two
 * variants, "direct" with it and a portable one; the loader loads the
 * exit program the kernel can take. */
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym __weak;
#define KCAST(p, type)                                                          \
	((type *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(type)))
#define LOAD(direct, p, field) ((direct) ? (p)->field : BPF_CORE_READ(p, field))

/* x86's TS_COMPAT (arch/x86/include/asm/thread_info.h, the same value
 * since it came): the syscall in progress came through the 32-bit entry,
 * with ia32 numbers (3 is read, not close) and ia32 argument registers.
 * Those are not decoded; syscall_wanted counts them, and user space says
 * so. */
#define TS_COMPAT 0x0002

static __always_inline bool ia32_syscall(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return t->thread_info.status & TS_COMPAT;
}
