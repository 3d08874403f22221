/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, after fds.bpf.h).
 * Data moving through pipes, FIFOs, sockets and POSIX queues, and reads
 * and writes of regular files (for the offset they move): one record
 * per call (data_record), or added up into flows (flow_*) when user space
 * aggregates; emit_data and emit_data_direct are the exit program's
 * subprograms for it.
 */

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

/* A regular file's offset after the call. */
static __always_inline __u64 file_pos(struct file *f, bool direct)
{
	return direct ? KCAST(f, struct file)->f_pos : BPF_CORE_READ(f, f_pos);
}

/* Reading the pipe's fill costs ~150 ns: at the first call (flow_init) and
 * every IPCS_FLOW_FILL_EVERY calls; user space re-reads a pipe that went
 * quiet after an unsampled call. A regular file's offset: at every call
 * (one load). */
static __always_inline void flow_sample(struct ipcs_flow *v, __u64 calls,
					struct file *f, struct inode *inode,
					__u32 imode, bool direct)
{
	if (imode == S_IFREG)
		v->f.pos = file_pos(f, direct);
	else if (imode == S_IFIFO && calls % IPCS_FLOW_FILL_EVERY == 0) {
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
		if (imode == S_IFREG)
			s->v.f.pos = file_pos(f, direct);
		s->epoch = epoch;
		return true;
	}
	if (s->k.file != (__u64)f || s->k.tgid != tgid || s->k.kind != kind ||
	    s->v.inode != (__u64)inode)
		return false;
	s->v.bytes += ret;
	flow_sample(&s->v, ++s->v.calls, f, inode, imode, direct);
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
		if (imode == S_IFREG)
			nv->f.pos = file_pos(f, direct);
		if (!bpf_map_update_elem(map, &k, nv, BPF_NOEXIST))
			return true;
		v = bpf_map_lookup_elem(map, &k);	/* another CPU won */
		if (!v)
			return false;
	}
	if (v->inode != (__u64)inode)	/* an older file at the same address */
		return false;
	__sync_fetch_and_add(&v->bytes, ret);
	flow_sample(v, __sync_fetch_and_add(&v->calls, 1) + 1, f, inode, imode,
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
	if ((e->f.imode & S_IFMT) == S_IFREG)
		e->f.pos = file_pos(f, direct);
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

/* Data moved through fd; pipes, FIFOs, sockets and regular files are
 * reported (anonymous inodes, eventfd and the like, have no type bits). */
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
	if (imode != S_IFIFO && imode != S_IFREG &&
	    (imode != S_IFSOCK || !FEAT(SOCKETS)))
		return;
	if (aggregate) {
		__u32 cpu = bpf_get_smp_processor_id();
		volatile __u64 *busy = bpf_map_lookup_elem(&flow_busy, &cpu);
		__u32 gen, tgid = bpf_get_current_pid_tgid() >> 32;
		bool added;

		/* marked before flow_gen is read: see IPCS_FLOW_BUSY_READING */
		if (busy)
			*busy = IPCS_FLOW_BUSY_READING;
		gen = flow_gen;
		if (busy)
			*busy = (__u64)gen + IPCS_FLOW_BUSY_GEN;
		added = flow_slot_add(gen, fd, kind, tgid, f, inode, imode, ret,
				      files, direct) ||
			flow_add(gen & 1 ? (void *)&flows1 : (void *)&flows0,
				 kind, tgid, f, inode, imode, ret, files,
				 direct);
		if (busy)
			*busy = 0;
		if (added)
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
