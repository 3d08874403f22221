/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, after the maps).
 * Which processes are traced: the traced_bits bitmap (is_traced,
 * set_traced), the early test every program makes (wanted, and for
 * syscalls syscall_wanted, which leaves ia32 ones out), and the
 * command-name filter that adds a process at exec (comm_matches).
 */

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

static __always_inline bool wanted(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (trace_all)
		return true;
	return is_traced(tgid);
}

/* Is the syscall in progress one to decode: a traced process's, not one
 * through the 32-bit entry (those are counted, IPCS_CNT_IA32)? */
static __always_inline bool syscall_wanted(void)
{
	if (!wanted(bpf_get_current_pid_tgid() >> 32))
		return false;
	if (ia32_syscall()) {
		count(IPCS_CNT_IA32);
		return false;
	}
	return true;
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
