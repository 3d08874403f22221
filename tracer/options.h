/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Command-line options of ipcscope. */
#ifndef IPCSCOPE_OPTIONS_H
#define IPCSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define OPT_MAX_PIDS 64

enum output_mode {
	OUT_LIVE,		/* the ncurses view */
	OUT_JSON,		/* one JSON line per event */
	OUT_TEXT,		/* one line of plain words per event */
	OUT_SNAPSHOT,		/* the graph now, as text */
	OUT_SNAPSHOT_JSON,	/* the graph now, as one JSON document */
	OUT_TOP,		/* a table of channels every interval */
	OUT_TOP_JSON,		/* the same, one JSON line per interval */
};

struct options {
	enum output_mode mode;
	uint32_t pids[OPT_MAX_PIDS];
	int npids;
	const char *comm;
	uint32_t payload;
	uint32_t ring_bytes;
	const char *output;	/* -o FILE: JSON there, not on stdout */
	const char *demo;
	int pace_ms;		/* for --demo; -1: the demo's default */
	uint32_t interval_ms;	/* --top: ms between tables */
	bool interval_set;
	bool ascii, no_color, verbose;
	bool step;		/* --step: hold each IPC call (step.h) */
	char **command;		/* argv after "--", or NULL */
	const char *record;	/* --record FILE */
	const char *replay;	/* --replay FILE */
};

/* Fills o from argv. Returns 0 to run, 1 when it printed help, version or
 * the demo list (exit 0), or 2 on a usage error (already reported). */
int options_parse(struct options *o, int argc, char **argv);
bool options_demo_exists(const char *name);
/* The i-th bundled demo; false past the last. */
bool options_demo(int i, const char **name, const char **about);

#endif /* IPCSCOPE_OPTIONS_H */
