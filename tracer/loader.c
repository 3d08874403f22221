// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Skeleton lifecycle, ring buffer and iterators; see loader.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "ipcscope.h"
#include "ipcscope.skel.h"
#include "loader.h"

struct loader {
	struct ipcscope_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
};

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!verbose && level != LIBBPF_WARN)
		return 0;
	if (!verbose)	/* warnings are summed up by our own message */
		return 0;
	return vfprintf(stderr, fmt, ap);
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
			"BPF feature ipcscope needs (Linux 5.8+ with BTF); "
			"run with -v for libbpf's details\n",
			what, strerror(err));
	else
		fprintf(stderr, "ipcscope: %s: %s; run with -v for details\n",
			what, strerror(err));
}

/* iter/task_vma is Linux 5.12+ (commit 3a7b35b899de "bpf: Introduce
 * task_vma bpf_iter"; bpf_d_path in iterators came with it, 3d06f34aa896):
 * without it snapshots list no shared mappings. */
static bool have_task_vma_iter(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool ok = vmlinux && btf__find_by_name_kind(vmlinux, "bpf_iter_task_vma",
						    BTF_KIND_FUNC) > 0;

	btf__free(vmlinux);
	return ok;
}

int loader_open(struct loader **out, const struct loader_options *o,
		loader_record_fn on_event, void *ctx)
{
	struct loader *l;
	int err;

	verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr,
			"ipcscope: /sys/kernel/btf/vmlinux is missing: the kernel "
			"has no BTF; ipcscope needs one built with "
			"CONFIG_DEBUG_INFO_BTF=y (Linux 5.8+)\n");
		return -ENOENT;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ncpus = libbpf_num_possible_cpus();
	l->skel = ipcscope_bpf__open();
	if (!l->skel) {
		err = -errno;
		explain("opening the BPF object", -err);
		goto fail;
	}
	l->skel->rodata->trace_all = o->trace_all;
	l->skel->rodata->aggregate = o->aggregate;
	l->skel->rodata->self_tgid = getpid();
	l->skel->rodata->payload_cap =
		o->payload > IPCS_PAYLOAD_MAX ? IPCS_PAYLOAD_MAX : o->payload;
	if (o->comm)
		strncpy((char *)l->skel->rodata->comm_filter, o->comm,
			IPCS_COMM_LEN - 1);
	if (o->ring_bytes) {
		bpf_map__set_max_entries(l->skel->maps.events, o->ring_bytes);
		/* a wakeup per CPU for every ~1/16 of the ring */
		l->skel->rodata->wake_every = o->ring_bytes / 16 / 256 ?: 1;
	}
	/* the iterators are attached on demand, not at start */
	bpf_program__set_autoattach(l->skel->progs.iter_task, false);
	bpf_program__set_autoattach(l->skel->progs.iter_task_file, false);
	bpf_program__set_autoattach(l->skel->progs.iter_task_vma, false);
	if (!have_task_vma_iter())
		bpf_program__set_autoload(l->skel->progs.iter_task_vma, false);

	err = ipcscope_bpf__load(l->skel);
	if (err) {
		explain("loading BPF programs", -err);
		goto fail;
	}
	err = ipcscope_bpf__attach(l->skel);
	if (err) {
		explain("attaching to tracepoints", -err);
		goto fail;
	}
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.events),
				 (ring_buffer_sample_fn)on_event, ctx, NULL);
	if (!l->rb) {
		err = -errno;
		explain("creating the ring buffer reader", -err);
		goto fail;
	}
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
	ring_buffer__free(l->rb);
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
	return ring_buffer__epoll_fd(l->rb);
}

int loader_consume(struct loader *l)
{
	return ring_buffer__consume(l->rb);
}

uint64_t loader_lost(struct loader *l)
{
	__u64 vals[l->ncpus > 0 ? l->ncpus : 1];
	__u32 zero = 0;	/* CNT_LOST */
	uint64_t sum = 0;

	if (bpf_map__lookup_elem(l->skel->maps.lost, &zero, sizeof(zero), vals,
				 sizeof(vals), 0))
		return 0;
	for (int i = 0; i < l->ncpus; i++)
		sum += vals[i];
	return sum;
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

int loader_drain_flows(struct loader *l, bool final, loader_record_fn fn,
		       void *ctx)
{
	struct bpf_map *maps[2] = { l->skel->maps.flows0, l->skel->maps.flows1 };
	__u32 gen = l->skel->bss->flow_gen & 1;
	int err;

	/* maps[!gen] stopped taking flows a tick ago: nothing adds to it */
	err = drain_map(maps[!gen], fn, ctx);
	l->skel->bss->flow_gen = !gen;
	if (final && !err)
		err = drain_map(maps[gen], fn, ctx);
	return err;
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

static int records(const char *buf, size_t len, loader_record_fn fn, void *ctx)
{
	size_t off = 0;

	while (off + 8 <= len) {
		uint32_t size;

		memcpy(&size, buf + off + 4, sizeof(size));
		if (size < 8 || size > len - off)
			return -EPROTO;
		fn(ctx, buf + off, size);
		off += size;
	}
	return 0;
}

static int iter_run(struct bpf_program *prog, uint32_t pid,
		    loader_record_fn fn, void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	int err = iter_read(prog, pid, &buf, &len);

	if (!err)
		err = records(buf, len, fn, ctx);
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

int loader_snapshot(struct loader *l, uint32_t pid, loader_record_fn fn,
		    void *ctx)
{
	struct bpf_program *progs[] = { l->skel->progs.iter_task,
					l->skel->progs.iter_task_file,
					l->skel->progs.iter_task_vma };
	int err = 0;

	for (size_t i = 0; i < 3 && !err; i++) {
		if (!bpf_program__autoload(progs[i]))
			continue;	/* a kernel without that iterator */
		err = iter_run(progs[i], pid, fn, ctx);
	}
	return err;
}
