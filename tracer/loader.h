/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The BPF side, as user space drives it: open, configure, load and attach
 * the skeleton; the ring buffer; the map of traced processes; the lost
 * counter; and the task iterators that read fd tables (snapshot, resync).
 */
#ifndef IPCSCOPE_LOADER_H
#define IPCSCOPE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loader;
struct features;

/* The oldest kernel ipcscope loads on (the core's newest need: task
 * iterators filtered by process). */
#define IPCSCOPE_MIN_KERNEL "6.1"

struct loader_options {
	bool trace_all;		/* every process but ourselves */
	const char *comm;	/* also trace processes that exec this name */
	uint32_t payload;	/* bytes of data payload per event */
	uint32_t ring_bytes;	/* ring buffer size, a power of two */
	bool verbose;		/* let libbpf print its diagnostics */
	bool aggregate;		/* data into the kernel's flow maps */
	struct features *features;	/* in: those wanted; out: those on */
};

/* Called for each ring-buffer record or iterator record. */
typedef int (*loader_record_fn)(void *ctx, const void *rec, size_t size);

/* Loads and attaches. On failure returns -errno and has printed one line
 * saying what failed and what to do. */
int loader_open(struct loader **out, const struct loader_options *opts,
		loader_record_fn on_event, void *ctx);
void loader_close(struct loader *l);

int loader_trace_pid(struct loader *l, uint32_t pid);
/* The fd to poll for ring-buffer data, and a call that reads all of it. */
int loader_ring_fd(struct loader *l);
int loader_consume(struct loader *l);
/* Events the kernel could not queue, since start. */
uint64_t loader_lost(struct loader *l);
/* Syscalls of traced 32-bit (ia32) processes left undecoded, since start. */
uint64_t loader_ia32(struct loader *l);
/* Given loader_lost() at each tick: whether every process should be re-read
 * now (the losses stopped, or have gone on for a second). */
bool loader_resync_due(struct loader *l, uint64_t lost, uint64_t now_ns);

/* With aggregate: hands fn every flow (struct ipcs_flow) added since the
 * previous call but one, and starts a new generation. Call it every tick;
 * final is for the last call, which takes everything. */
int loader_drain_flows(struct loader *l, bool final, loader_record_fn fn,
		       void *ctx);

/* Hands fn an fd record (struct ipcs_snap_fd) for every fd of pid. */
int loader_files(struct loader *l, uint32_t pid, loader_record_fn fn,
		 void *ctx);
/* Hands fn a task record (struct ipcs_snap_task) for every process. */
int loader_tasks(struct loader *l, loader_record_fn fn, void *ctx);

/* Reads every process (pid 0) or one process through the task iterators
 * and hands each record to fn: task records first, then fd records, then
 * shared mappings (iter/task_vma). */
int loader_snapshot(struct loader *l, uint32_t pid, loader_record_fn fn,
		    void *ctx);

#endif /* IPCSCOPE_LOADER_H */
