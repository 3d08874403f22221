/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The outputs that are not the live view: one JSON line per note (--json),
 * the closing summary, and the snapshot of the model as text or as one
 * JSON document (--snapshot).
 */
#ifndef IPCSCOPE_REPORT_H
#define IPCSCOPE_REPORT_H

#include <stdio.h>

#include "json.h"
#include "model.h"

struct report_summary {
	uint64_t events;	/* event lines written (JSON, text) */
	uint64_t records;	/* what the kernel sent: records, and the
				 * calls it added up in flows */
	uint64_t lost;		/* records the kernel could not queue */
	uint64_t bad_records;
	uint64_t resyncs;	/* processes re-read */
	uint64_t duration_ns;
	int exit_status;	/* of the traced command, -1 if none */
	uint64_t ia32;		/* syscalls of 32-bit processes not decoded */
	const char *const *features_off;	/* optional features off */
	size_t nfeatures_off;
	/* the processes the model holds alive at the end, by pid: what a
	 * test holds against /proc (no ghosts) */
	const uint32_t *alive;
	size_t nalive;
};

/* What a snapshot says of the run beside the model: the optional kernel
 * features that are off. */
struct report_features {
	const char *const *off;
	size_t n;
};

/* ts_offset turns CLOCK_MONOTONIC event times into wall-clock ns. */
void report_note_json(struct json *j, const struct model_note *n,
		      int64_t ts_offset);
void report_summary_json(struct json *j, const struct report_summary *s);
/* --demo tour: a line before each demo. */
void report_title_json(struct json *j, int n, const char *name,
		       const char *about, uint64_t ts);
void report_snapshot_json(FILE *out, const struct model *m,
			  const struct report_features *feat);
void report_snapshot_text(FILE *out, const struct model *m,
			  const struct report_features *feat);

#endif /* IPCSCOPE_REPORT_H */
