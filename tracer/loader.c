// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Skeleton lifecycle, ring buffer and iterators; see loader.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel_features.h"
#include "ipcscope.h"
#include "ipcscope.skel.h"
#include "loader.h"
#include "record.h"

/* Our own reader of the BPF ring buffer (libbpf's hands back each record's
 * space at once: a store to the consumer position per record, which the
 * producing CPU reads at every reserve, so each event cost it a cache miss
 * on a line we had just written). */
struct ring {
	unsigned long *consumer_pos;	/* ours to write */
	const unsigned long *producer_pos;
	const uint8_t *data;		/* mapped twice: no record wraps */
	size_t data_len;
	unsigned long mask;
	size_t page;
	loader_record_fn fn;
	void *ctx;
};

/* Space is handed back to the producers in steps this large (or at the
 * end of a pass): far less than the ring, so they never wait on it. */
#define RING_RELEASE_STEP (64 * 1024)

struct loader {
	struct ipcscope_bpf *skel;
	struct ring ring;
	int ring_fd;
	int ncpus;
	struct ipcs_flow_slot *slots;	/* flow_slots, mmapped */
	size_t slots_len;
	const volatile __u64 *busy;	/* flow_busy, mmapped: a mark per CPU */
	size_t busy_len;
	unsigned busy_waits;	/* ticks a drain has waited on a mark */
	uint64_t lost_prev;	/* lost count, as last seen */
	uint64_t lost_ns;	/* when it last grew */
	uint64_t lost_synced;	/* lost count when everyone was last re-read */
	uint64_t synced_ns;
};

#define RESYNC_QUIET_NS (100ULL * 1000 * 1000)
#define RESYNC_UNDER_LOSS_NS (1000ULL * 1000 * 1000)

static bool verbose;

/* What libbpf said during a load: the name of a program the kernel refused
 * and the verifier's telling line are read from it. It keeps the end: a
 * verifier's log can run to megabytes, and what tells is at its end. */
static struct {
	char buf[64 * 1024];
	size_t len;
	bool on;
} said;

static void said_add(const char *fmt, va_list ap)
{
	va_list copy;
	const char *p;
	char *msg;
	size_t len, room = sizeof(said.buf) - 1;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n <= 0 || !(msg = malloc((size_t)n + 1)))
		return;
	va_copy(copy, ap);
	vsnprintf(msg, (size_t)n + 1, fmt, copy);
	va_end(copy);
	p = msg;
	len = n;
	if (len > room) {
		p += len - room;
		len = room;
	}
	if (said.len + len > room) {
		size_t drop = said.len + len - room;

		memmove(said.buf, said.buf + drop, said.len - drop);
		said.len -= drop;
	}
	memcpy(said.buf + said.len, p, len);
	said.len += len;
	said.buf[said.len] = 0;
	free(msg);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (said.on && level == LIBBPF_WARN)
		said_add(fmt, ap);
	/* without -v, warnings are summed up by our own message */
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static void explain(const char *what, int err)
{
	/* as root, EACCES is the verifier refusing a program */
	if (err == EACCES && geteuid() == 0)
		fprintf(stderr,
			"ipcscope: %s: the kernel's verifier refused a program "
			"(%s); run with -v for its log\n",
			what, strerror(err));
	else if (err == EPERM || err == EACCES)
		fprintf(stderr,
			"ipcscope: %s: %s: loading BPF programs needs root or "
			"CAP_BPF and CAP_PERFMON; try: sudo ipcscope\n",
			what, strerror(err));
	else if (err == ENOENT || err == ESRCH || err == 524 /* ENOTSUPP */ || err == EINVAL)
		fprintf(stderr,
			"ipcscope: %s: %s: this kernel lacks a tracepoint or "
			"BPF feature ipcscope needs (Linux " IPCSCOPE_MIN_KERNEL "+ with BTF); "
			"run with -v for libbpf's details\n",
			what, strerror(err));
	else
		fprintf(stderr, "ipcscope: %s: %s; run with -v for details\n",
			what, strerror(err));
}

/* What the running kernel offers, by its BTF: a function (kfuncs, the
 * iterators' bpf_iter_* functions), a tracepoint's btf_trace_* typedef, or
 * a helper's BPF_FUNC_* value. */
static bool kernel_has(void *ctx, const char *name)
{
	struct btf *vmlinux = ctx;
	const struct btf_type *t;
	char helper[64];
	int id;

	if (!vmlinux)
		return false;
	if (btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) > 0 ||
	    btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) > 0)
		return true;
	if (strncmp(name, "bpf_", 4))
		return false;
	snprintf(helper, sizeof(helper), "BPF_FUNC_%s", name + 4);
	id = btf__find_by_name_kind(vmlinux, "bpf_func_id", BTF_KIND_ENUM);
	if (id <= 0)
		return false;
	t = btf__type_by_id(vmlinux, id);
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(vmlinux, btf_enum(t)[i].name_off),
			    helper))
			return true;
	return false;
}

/* What the core needs, in the order it came; a kernel without one gets a
 * clear line instead of a verifier's riddle. The tid-filtered task
 * iterators (struct bpf_iter_link_info's task, Linux 6.1) are the newest. */
static int check_core(struct btf *vmlinux)
{
	static const struct { const char *name, *what; } need[] = {
		{ "btf_trace_sys_exit", "the raw syscall tracepoints (tp_btf)" },
		{ "bpf_ringbuf_reserve", "BPF ring buffers (Linux 5.8)" },
		{ "bpf_iter_task_file", "the task_file iterator (Linux 5.8)" },
		{ "bpf_get_current_task_btf", "bpf_get_current_task_btf (Linux 5.11)" },
	};
	struct utsname u = {};
	int id;

	uname(&u);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!kernel_has(vmlinux, need[i].name)) {
			fprintf(stderr, "ipcscope: this kernel (%s) lacks %s; "
				"ipcscope needs Linux %s or newer with BTF\n",
				u.release, need[i].what, IPCSCOPE_MIN_KERNEL);
			return -ENOTSUP;
		}
	id = btf__find_by_name_kind(vmlinux, "bpf_iter_link_info", BTF_KIND_UNION);
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(vmlinux, id);
		const struct btf_member *m = btf_members(t);

		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(vmlinux, m[i].name_off),
				    "task"))
				return 0;
	}
	fprintf(stderr, "ipcscope: this kernel (%s) has no task iterators "
		"filtered by process (Linux 6.1); ipcscope needs Linux %s or "
		"newer with BTF\n", u.release, IPCSCOPE_MIN_KERNEL);
	return -ENOTSUP;
}

static int ring_open(struct ring *r, int fd, size_t size, loader_record_fn fn,
		     void *ctx)
{
	void *p;

	r->page = sysconf(_SC_PAGESIZE);
	r->mask = size - 1;
	r->fn = fn;
	r->ctx = ctx;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer_pos = p;
	r->data_len = r->page + 2 * size;
	p = mmap(NULL, r->data_len, PROT_READ, MAP_SHARED, fd, r->page);
	if (p == MAP_FAILED) {
		int err = -errno;

		munmap(r->consumer_pos, r->page);
		r->consumer_pos = NULL;
		return err;
	}
	r->producer_pos = p;
	r->data = (const uint8_t *)p + r->page;
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->data_len);
	r->consumer_pos = NULL;
	r->producer_pos = NULL;
}

/* Hands the committed records to fn, in order; returns how many. At most
 * one ring's worth per call: producers that outrun us must not keep the
 * event loop from its signals and timers. */
static int ring_consume(struct ring *r)
{
	unsigned long cons = *r->consumer_pos, released = cons, prod;
	unsigned long end = cons + r->mask + 1;
	int n = 0;

	while (cons < end &&
	       cons < (prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE))) {
		while (cons < prod) {
			const uint32_t *hdr = (const void *)(r->data + (cons & r->mask));
			uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

			if (len & BPF_RINGBUF_BUSY_BIT)
				goto out;	/* not committed yet: later */
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				r->fn(r->ctx, (const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ,
				      size);
				n++;
			}
			cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
			if (cons - released >= RING_RELEASE_STEP) {
				__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
				released = cons;
			}
		}
	}
out:
	if (cons != released)
		__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	return n;
}

/* Opens the skeleton and sets what the programs read before they load. */
static int skel_open(struct loader *l, const struct loader_options *o)
{
	struct ipcscope_bpf *skel = ipcscope_bpf__open();
	struct bpf_program *prog;

	if (!skel)
		return -errno;
	l->skel = skel;
	skel->rodata->trace_all = o->trace_all;
	skel->rodata->aggregate = o->aggregate;
	skel->rodata->self_tgid = getpid();
	skel->rodata->payload_cap =
		o->payload > IPCS_PAYLOAD_MAX ? IPCS_PAYLOAD_MAX : o->payload;
	if (o->comm)
		strncpy((char *)skel->rodata->comm_filter, o->comm,
			IPCS_COMM_LEN - 1);
	skel->rodata->nr_cpus = l->ncpus;
	skel->rodata->features_on = features_mask(o->features);
	bpf_map__set_max_entries(skel->maps.flow_slots,
				 2 * l->ncpus * IPCS_FLOW_SLOTS);
	bpf_map__set_max_entries(skel->maps.flow_busy, l->ncpus);
	if (o->ring_bytes) {
		bpf_map__set_max_entries(skel->maps.events, o->ring_bytes);
		/* a wakeup per CPU for every ~1/16 of the ring */
		skel->rodata->wake_every = o->ring_bytes / 16 / 256 ?: 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		bpf_program__set_autoload(prog, features_autoload(
			o->features, bpf_program__name(prog)));
		/* the iterators are attached on demand, not at start */
		if (bpf_program__type(prog) == BPF_PROG_TYPE_TRACING &&
		    !strncmp(bpf_program__name(prog), "iter_", 5))
			bpf_program__set_autoattach(prog, false);
	}
	return 0;
}

/* Loads the programs the features leave on. A program the kernel refuses
 * switches its feature off (and the features whose code it holds), and
 * the rest is loaded again; a core program refused ends it, saying which
 * and why. */
static int skel_load(struct loader *l, const struct loader_options *o)
{
	int err;

	for (;;) {
		char prog[64], why[FEATURE_WHY_LEN];

		err = skel_open(l, o);
		if (err) {
			explain("opening the BPF object", -err);
			return err;
		}
		said.len = 0;
		said.buf[0] = 0;
		said.on = true;
		err = ipcscope_bpf__load(l->skel);
		said.on = false;
		if (!err)
			return 0;
		ipcscope_bpf__destroy(l->skel);
		l->skel = NULL;
		if (!features_parse_refusal(said.buf, prog, sizeof(prog), why,
					    sizeof(why))) {
			explain("loading BPF programs", -err);
			return err;
		}
		if (!features_refused(o->features, prog, why)) {
			struct utsname u = {};

			uname(&u);
			fprintf(stderr, "ipcscope: the kernel (%s) refused the "
				"required program %s: %s; ipcscope needs Linux "
				"%s or newer; run with -v for the verifier's "
				"log\n", u.release, prog, why,
				IPCSCOPE_MIN_KERNEL);
			return err;
		}
		if (verbose)
			fprintf(stderr, "ipcscope: %s refused (%s); loading "
				"again without it\n", prog, why);
	}
}

/* Maps len bytes of an mmapable map read-only; NULL on failure, said in
 * one line as what, with *err set. */
static void *map_mmap(struct bpf_map *map, size_t len, const char *what,
		      int *err)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(map), 0);

	if (p != MAP_FAILED)
		return p;
	*err = -errno;
	explain(what, -*err);
	return NULL;
}

int loader_open(struct loader **out, const struct loader_options *o,
		loader_record_fn on_event, void *ctx)
{
	struct btf *vmlinux;
	struct loader *l;
	int err;

	verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr,
			"ipcscope: /sys/kernel/btf/vmlinux is missing: the kernel "
			"has no BTF; ipcscope needs one built with "
			"CONFIG_DEBUG_INFO_BTF=y (Linux %s+)\n",
			IPCSCOPE_MIN_KERNEL);
		return -ENOENT;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0) {
		err = l->ncpus ? l->ncpus : -EINVAL;
		fprintf(stderr, "ipcscope: counting the possible CPUs "
			"(/sys/devices/system/cpu/possible): %s\n", strerror(-err));
		goto fail;
	}
	vmlinux = btf__load_vmlinux_btf();
	err = vmlinux ? check_core(vmlinux) : -errno;
	if (!vmlinux)
		explain("reading the kernel's BTF", -err);
	features_probe(o->features, kernel_has, vmlinux);
	btf__free(vmlinux);
	if (err)
		goto fail;
	err = skel_load(l, o);
	if (err)
		goto fail;
	if (verbose)
		features_print(o->features, stderr);
	err = ipcscope_bpf__attach(l->skel);
	if (err) {
		explain("attaching to tracepoints", -err);
		goto fail;
	}
	err = ring_open(&l->ring, bpf_map__fd(l->skel->maps.events),
			bpf_map__max_entries(l->skel->maps.events), on_event, ctx);
	if (err) {
		explain("mapping the ring buffer", -err);
		goto fail;
	}
	l->ring_fd = bpf_map__fd(l->skel->maps.events);
	l->slots_len = bpf_map__max_entries(l->skel->maps.flow_slots) *
		       sizeof(*l->slots);
	l->slots = map_mmap(l->skel->maps.flow_slots, l->slots_len,
			    "mapping the flow slots", &err);
	if (!l->slots)
		goto fail;
	l->busy_len = l->ncpus * sizeof(*l->busy);
	l->busy = map_mmap(l->skel->maps.flow_busy, l->busy_len,
			   "mapping the flow marks", &err);
	if (!l->busy)
		goto fail;
	*out = l;
	return 0;
fail:
	loader_close(l);
	return err;
}

void loader_close(struct loader *l)
{
	if (!l)
		return;
	ring_close(&l->ring);
	if (l->slots)
		munmap(l->slots, l->slots_len);
	if (l->busy)
		munmap((void *)l->busy, l->busy_len);
	ipcscope_bpf__destroy(l->skel);
	free(l);
}

int loader_trace_pid(struct loader *l, uint32_t pid)
{
	size_t words = sizeof(l->skel->bss->traced_bits) /
		       sizeof(l->skel->bss->traced_bits[0]);

	if (pid / 64 >= words)
		return -ERANGE;
	/* the programs set and clear bits of the same words: atomically */
	__atomic_fetch_or(&l->skel->bss->traced_bits[pid / 64],
			  1ULL << (pid % 64), __ATOMIC_SEQ_CST);
	return 0;
}

int loader_ring_fd(struct loader *l)
{
	return l->ring_fd;	/* the map polls readable when data is pending */
}

int loader_consume(struct loader *l)
{
	return ring_consume(&l->ring);
}

/* One of the programs' per-CPU counters (IPCS_CNT_*), summed. */
static uint64_t counter(struct loader *l, __u32 key)
{
	__u64 vals[l->ncpus];
	uint64_t sum = 0;

	if (bpf_map__lookup_elem(l->skel->maps.lost, &key, sizeof(key), vals,
				 sizeof(vals), 0))
		return 0;
	for (int i = 0; i < l->ncpus; i++)
		sum += vals[i];
	return sum;
}

uint64_t loader_lost(struct loader *l)
{
	return counter(l, IPCS_CNT_LOST);
}

uint64_t loader_ia32(struct loader *l)
{
	return counter(l, IPCS_CNT_IA32);
}

/* Takes everything out of one flow map, FLOW_BATCH entries a call. */
#define FLOW_BATCH 256
static int drain_map(struct bpf_map *map, loader_record_fn fn, void *ctx)
{
	static struct ipcs_flow_key keys[FLOW_BATCH];
	static struct ipcs_flow vals[FLOW_BATCH];
	int fd = bpf_map__fd(map);
	__u64 batch = 0;
	bool first = true;

	for (;;) {
		__u32 n = FLOW_BATCH;
		int err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &batch,
							  &batch, keys, vals, &n,
							  NULL);

		first = false;
		if (err && errno != ENOENT)
			return -errno;
		for (__u32 i = 0; i < n; i++)
			fn(ctx, &vals[i], sizeof(vals[i]));
		if (err)	/* ENOENT: that was the last batch */
			return 0;
	}
}

/* Hands on the flows the CPUs' slots hold for generation gen. */
static void drain_slots(struct loader *l, __u32 gen, loader_record_fn fn,
			void *ctx)
{
	const struct ipcs_flow_slot *s = l->slots +
		(size_t)(gen & 1) * l->ncpus * IPCS_FLOW_SLOTS;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (size_t i = 0; i < (size_t)l->ncpus * IPCS_FLOW_SLOTS; i++)
		if (s[i].epoch == (__u64)gen + 1)
			fn(ctx, &s[i].v, sizeof(s[i].v));
}

static int drain_gen(struct loader *l, __u32 gen, loader_record_fn fn,
		     void *ctx)
{
	struct bpf_map *maps[2] = { l->skel->maps.flows0, l->skel->maps.flows1 };

	drain_slots(l, gen, fn, ctx);
	return drain_map(maps[gen & 1], fn, ctx);
}

/* Whether a CPU may still be adding to generation gen. */
#define BUSY_WAIT_TICKS 100
static bool busy_with(const struct loader *l, __u32 gen)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (int i = 0; i < l->ncpus; i++) {
		__u64 v = l->busy[i];

		if (v == IPCS_FLOW_BUSY_READING ||
		    v == (__u64)gen + IPCS_FLOW_BUSY_GEN)
			return true;
	}
	return false;
}

int loader_drain_flows(struct loader *l, bool final, loader_record_fn fn,
		       void *ctx)
{
	__u32 gen = l->skel->bss->flow_gen;
	int err;

	/* generation gen - 1 stopped taking flows a tick ago; a CPU that
	 * stalled since may still be adding to it (its mark says so): then
	 * wait a tick more, a second at the most */
	if (!final && busy_with(l, gen - 1) && ++l->busy_waits < BUSY_WAIT_TICKS)
		return 0;
	l->busy_waits = 0;
	/* its slots and map are then free for gen + 1 */
	err = drain_gen(l, gen - 1, fn, ctx);
	__atomic_store_n(&l->skel->bss->flow_gen, gen + 1, __ATOMIC_RELEASE);
	if (final && !err)
		err = drain_gen(l, gen, fn, ctx);
	return err;
}

/* A re-read while events are still being dropped is stale at once, and it
 * costs the consumer exactly when it is behind (losses come in bursts, a
 * 10 ms tick without one proves little): wait for RESYNC_QUIET_NS without
 * new losses, or RESYNC_UNDER_LOSS_NS of losses that go on, then re-read
 * everyone once. */
bool loader_resync_due(struct loader *l, uint64_t lost, uint64_t now_ns)
{
	if (lost != l->lost_prev) {
		l->lost_prev = lost;
		l->lost_ns = now_ns;
	}
	if (lost == l->lost_synced)
		return false;
	if (now_ns - l->lost_ns < RESYNC_QUIET_NS &&
	    now_ns - l->synced_ns < RESYNC_UNDER_LOSS_NS)
		return false;
	l->lost_synced = lost;
	l->synced_ns = now_ns;
	return true;
}

/* Runs one iterator program and returns everything it wrote. */
static int iter_read(struct bpf_program *prog, uint32_t pid, char **buf,
		     size_t *len)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = {};
	struct bpf_link *link;
	size_t cap = 1 << 16;
	int fd, err = 0;
	ssize_t n;

	if (pid) {
		info.task.tid = pid;
		opts.link_info = &info;
		opts.link_info_len = sizeof(info);
	}
	link = bpf_program__attach_iter(prog, &opts);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	*len = 0;
	*buf = malloc(cap);
	while (*buf) {
		if (cap - *len < 4096) {
			char *bigger = realloc(*buf, cap *= 2);

			if (!bigger) {
				free(*buf);
				*buf = NULL;
				break;
			}
			*buf = bigger;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* ESRCH: the process is gone; that is an empty read */
			err = errno == ESRCH ? 0 : -errno;
			break;
		}
		if (n == 0)
			break;
		*len += n;
	}
	if (!*buf)
		err = -ENOMEM;
	close(fd);
out:
	bpf_link__destroy(link);
	return err;
}

static int iter_run(struct bpf_program *prog, uint32_t pid,
		    loader_record_fn fn, void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	int err = iter_read(prog, pid, &buf, &len);

	if (!err)
		err = record_snap_each(buf, len, fn, ctx);
	free(buf);
	return err;
}

int loader_files(struct loader *l, uint32_t pid, loader_record_fn fn,
		 void *ctx)
{
	return iter_run(l->skel->progs.iter_task_file, pid, fn, ctx);
}

int loader_tasks(struct loader *l, loader_record_fn fn, void *ctx)
{
	return iter_run(l->skel->progs.iter_task, 0, fn, ctx);
}

/* iter/task_vma gives a mapping's last path component (see the program):
 * the whole path, as /proc/PID/maps shows it, is the link in map_files. */
struct vma_paths {
	loader_record_fn fn;
	void *ctx;
};

static int vma_with_path(void *ctx, const void *rec, size_t size)
{
	const struct vma_paths *v = ctx;
	struct ipcs_snap_vma r;
	char link[80];
	ssize_t n;

	if (!record_snap_ok(rec, size, IPCS_SNAP_VMA))
		return v->fn(v->ctx, rec, size);
	memcpy(&r, rec, sizeof(r));
	snprintf(link, sizeof(link), "/proc/%u/map_files/%llx-%llx", r.h.pid,
		 (unsigned long long)r.start, (unsigned long long)r.end);
	n = readlink(link, r.path, sizeof(r.path) - 1);
	if (n > 0)	/* else gone already, or not ours to read: the name */
		r.path[n] = 0;
	return v->fn(v->ctx, &r, sizeof(r));
}

int loader_snapshot(struct loader *l, uint32_t pid, loader_record_fn fn,
		    void *ctx)
{
	struct vma_paths v = { fn, ctx };
	int err;

	err = iter_run(l->skel->progs.iter_task, pid, fn, ctx);
	if (!err)
		err = iter_run(l->skel->progs.iter_task_file, pid, fn, ctx);
	/* shared mappings, where the maps feature is on */
	if (!err && bpf_program__autoload(l->skel->progs.iter_task_vma))
		err = iter_run(l->skel->progs.iter_task_vma, pid,
			       vma_with_path, &v);
	return err;
}
