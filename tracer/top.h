/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --top: who talks to whom, like iftop for IPC. Data notes (aggregated in
 * the kernel, or one SysV message each) are summed per channel, writer
 * processes -> object -> reader processes, and printed every interval as a
 * table or as one JSON line.
 *
 * A channel is the path data takes: a pipe, FIFO or message queue is one
 * channel for everyone who uses it; a socket connection is one channel per
 * direction, from the writer's socket to its peer.
 */
#ifndef IPCSCOPE_TOP_H
#define IPCSCOPE_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "model.h"

struct top;

struct top_stats {
	uint64_t ts;		/* wall-clock ns at the end of the interval */
	uint64_t interval_ns;
	uint64_t events;	/* records received in the interval */
	uint64_t lost;		/* since start */
};

struct top *top_new(void);
void top_free(struct top *t);
/* Counts a note; notes that move no data are ignored. */
void top_note(struct top *t, const struct model_note *n);
/* Prints the interval's channels, busiest first, with the pipes' latest
 * state in m, then starts a new interval. max_rows 0 prints all. */
void top_print_text(struct top *t, const struct model *m, FILE *out,
		    const struct top_stats *st, unsigned max_rows);
void top_print_json(struct top *t, const struct model *m, struct json *j,
		    const struct top_stats *st);

#endif /* IPCSCOPE_TOP_H */
