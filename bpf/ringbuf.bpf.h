/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, after the maps).
 * The ring buffer and its counters: reserve and submit a record, pace the
 * reader's wakeups, count the events lost; and the header every record
 * begins with (hdr_fill, proc_fill).
 */

/* One more in this CPU's counter key (IPCS_CNT_*). */
static __always_inline void count(__u32 key)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &key);

	if (n)
		(*n)++;
}

static __always_inline void count_lost(void)
{
	count(CNT_LOST);
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

static __always_inline void proc_fill(struct ipcs_ev_proc *e,
				      enum ipcs_kind kind)
{
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, kind, sizeof(*e));
}
