/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where a run's output goes: one interface that the event loop calls and
 * that each output implements (JSON lines, plain text, --top as text or
 * JSON, and the live view, whose adapter over ui/ is built in main.c so
 * that nothing in tracer/ includes ui/). The output mode is chosen once, in main.c, by
 * opening one sink; the loop only calls the sink's operations.
 */
#ifndef IPCSCOPE_SINK_H
#define IPCSCOPE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "report.h"

struct sink_stats {
	uint64_t events;	/* syscalls seen: records plus flow calls */
	uint64_t lost;		/* records the kernel could not queue */
};

/* Events lost because the ring buffer was full, and the re-read of every
 * traced process that follows them once the losses stop. */
struct sink_loss {
	uint64_t ts;		/* CLOCK_MONOTONIC ns, as the events' */
	uint64_t count;		/* lost(): lost since the last one */
	uint64_t total;		/* lost in the run so far */
	unsigned resync;	/* the number of the re-read that follows
				 * (lost()) or that this is (resync()) */
	size_t processes;	/* resync(): how many are re-read */
};

/* Flags returned by tick() and input(). */
#define SINK_DONE 0x1	/* the output went away, or the user quit */

/* Operations a sink may leave NULL: note, title, lost, resync, ended,
 * input, resize, output, end, close. */
struct sink_ops {
	/* A note of what happened (lives only during the call). */
	void (*note)(void *ctx, const struct model_note *n);
	/* Every loop tick, after model_sweep(). */
	int (*tick)(void *ctx, uint64_t now_ns, const struct sink_stats *st);
	/* --demo tour: demo number n starts; ts is wall-clock ns. */
	void (*title)(void *ctx, int n, const char *name, const char *about,
		      uint64_t ts);
	/* Losses seen now, at this point of the stream of notes. */
	void (*lost)(void *ctx, const struct sink_loss *l);
	/* The re-read after losses begins. */
	void (*resync)(void *ctx, const struct sink_loss *l);
	/* What is traced is over. A sink with ended() stays (the live view
	 * shows the end until the user quits) and is told once; without it
	 * the run ends. */
	void (*ended)(void *ctx, const char *what);
	/* Keys on stdin (the loop watches stdin only for a sink with input);
	 * unless it returns SINK_DONE, the loop calls tick() at once. */
	int (*input)(void *ctx);
	void (*resize)(void *ctx);
	/* What the traced command printed (a sink with output takes the
	 * command's stdout and stderr through a pipe): raw, untrusted bytes. */
	void (*output)(void *ctx, const char *buf, size_t len);
	/* The loop is over: last words (a last table, the summary). */
	void (*end)(void *ctx, uint64_t now_ns, const struct sink_stats *st,
		    const struct report_summary *sum);
	/* Frees the sink; after end() or in its stead on a failure. */
	void (*close)(void *ctx);
};

struct sink {
	const struct sink_ops *ops;
	void *ctx;
};

/* Where JSON and tables go: the stream, and whether it is -o FILE (then
 * the JSON summary is also told on stderr). */
struct sink_out {
	FILE *out;
	bool to_file;
	int64_t ts_offset;	/* CLOCK_MONOTONIC -> CLOCK_REALTIME */
};

/* --json: one JSON line per note, a title per tour demo, the summary. */
int sink_json_open(struct sink *sk, const struct sink_out *o);
/* --text: one line per note in plain words (notes_text.h) after the
 * wall-clock time, pid and command name, a title line per tour demo, and a
 * one-line summary. */
int sink_text_open(struct sink *sk, const struct sink_out *o);
/* --top: a table (or with json a JSON line) every interval_ms, of the
 * notes counted and the pipes' state in m; the summary when json. */
int sink_top_open(struct sink *sk, const struct sink_out *o, bool json,
		  const struct model *m, uint32_t interval_ms, uint64_t now_ns);

/* Calls through a sink, skipping the operations it lacks. */
void sink_note(const struct sink *sk, const struct model_note *n);
int sink_tick(const struct sink *sk, uint64_t now_ns,
	      const struct sink_stats *st);
void sink_lost(const struct sink *sk, const struct sink_loss *l);
void sink_resync(const struct sink *sk, const struct sink_loss *l);
void sink_close(struct sink *sk);
/* A loss or a re-read in plain words, as --text and the live view's log
 * say it. */
void sink_loss_words(char *out, size_t len, const struct sink_loss *l,
		     bool resync);

#endif /* IPCSCOPE_SINK_H */
