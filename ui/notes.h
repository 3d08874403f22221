/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the UI keeps from the model's notes, which live only during the
 * callback: event log lines in plain words (escaped, by notes_text.c), and
 * traffic per
 * open-file entry and object for rates and edge markers.
 */
#ifndef IPCSCOPE_NOTES_H
#define IPCSCOPE_NOTES_H

#include "model.h"
#include "view.h"

/* Not the traced program's lesson: the loader's files, ipcscope's own
 * output pipe (shown with 'x'). */
bool notes_noise(const struct model_note *n);
/* Keeps the note's line (notes_format(), tracer/notes_text.h); ts0 is the
 * time shown as 0. */
void notes_log(struct view_log *log, const struct model_note *n, uint64_t ts0);
/* A line of ipcscope's own (lost events), in the same columns, marked as
 * a warning; what is our text, not a traced program's. */
void notes_log_mark(struct view_log *log, uint64_t ts, uint64_t ts0,
		    const char *what);
/* Counts a data note in the traffic maps; returns 0 or -ENOMEM. */
int notes_traffic(struct hmap *files, struct hmap *objects,
		  const struct model_note *n);
/* About once a second: rates from the bytes counted over the window_ns
 * since the last roll; forgets traffic idle for longer than keep_ns.
 * Returns true when a shown rate changed. */
bool notes_roll(struct hmap *traffic, uint64_t now_ns, uint64_t window_ns,
		uint64_t keep_ns);
void notes_traffic_free(struct hmap *traffic);

#endif /* IPCSCOPE_NOTES_H */
