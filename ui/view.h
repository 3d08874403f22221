/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * View state: what the person looking at the screen chose (selection,
 * scroll, focused pane, filter, pause, panes shown) and what the scene
 * needs besides the model (time, rates, the event log, the status line).
 * Keys and clicks change it through keys.h.
 */
#ifndef IPCSCOPE_VIEW_H
#define IPCSCOPE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"

struct view_output;

/* The time shown (tracer/timeline.h decides it): the run as it happens,
 * or a past moment built again into a model of its own. */
struct view_time {
	bool past;		/* show the past model (ui.h: ui_past_reset) */
	bool playing;		/* the past moves at the pace */
	bool replay;		/* a record file, not a run */
	bool ended;		/* the run is over: its end is kept */
	bool history_full;	/* no going back past a point */
	uint64_t step, steps;	/* shown: after `step` of `steps` events */
	uint64_t ts;		/* the moment, on the events' clock */
	uint64_t ts0;		/* the first event's */
	int speed;		/* log2 of the pace: 0 as recorded */
};

/* The order of processes among their siblings (and of the roots). */
enum view_sort {
	SORT_PID,
	SORT_ACTIVITY,	/* the latest event first */
	SORT_NAME,
	SORT__COUNT
};

enum pane {
	PANE_PROCS,
	PANE_FDS,
	PANE_FILES,
	PANE_OBJECTS,
	PANE__COUNT
};

/* How long a change stays highlighted. */
#define VIEW_FLASH_NS 1000000000ULL
/* How long a signal stays drawn on its target's row. */
#define VIEW_SIGNAL_NS 3000000000ULL
/* A process or object is active while its last event is this recent. */
#define VIEW_ACTIVE_NS (10ULL * 1000000000)

/* The event log: a ring of lines already escaped for the screen. */
#define VIEW_LOG_LINES 256
#define VIEW_LOG_TEXT 192

struct view_log_line {
	uint64_t ts;
	bool warn;
	bool noise;	/* the loader's files, data on our own pipe */
	char text[VIEW_LOG_TEXT];
};

struct view_log {
	struct view_log_line lines[VIEW_LOG_LINES];
	uint64_t count;		/* lines ever added; newest at count-1 */
};

/* Data moving through one open-file entry (keyed by its kernel address)
 * or one object (keyed by dev, ino), kept by ui.c from the notes. A note
 * may sum many syscalls (the kernel aggregates data in the live view). */
struct view_traffic {
	uint64_t write_ns, read_ns;	/* latest transfer each way */
	uint64_t in_cur, out_cur;	/* bytes written in / read out since
					 * the last roll */
	uint64_t rate_in, rate_out;	/* bytes/s over the last roll */
	uint64_t rate;			/* shown: the larger of the two, so
					 * data counts once when both ends
					 * are traced and still shows when
					 * only one is */
	unsigned busy;			/* rolls in a row that saw data: a
					 * rate is shown from the second */
	uint64_t burst_in, burst_out;	/* bytes since the last idle roll */
};

/* An identity of a selectable item that survives model changes. */
struct view_sel {
	enum pane pane;
	uint64_t a, b;
	int index;		/* where it was, to repair when it is gone */
};

struct view {
	/* chosen by keys */
	enum pane focus;
	struct view_sel sel;
	bool have_sel;
	int scroll;		/* first graph row shown */
	bool paused;
	bool show_log;
	bool log_focus;		/* keys scroll the event log ('e') */
	uint64_t log_back;	/* lines scrolled back from the newest */
	bool show_all;		/* every process, not just active ones */
	bool show_help;
	bool show_detail;
	bool show_output;	/* the traced command's output pane */
	bool show_noise;	/* the loader's files, sleeps, data on our
				 * own pipe: hidden unless asked for ('x') */
	bool filter_editing;
	char filter[64];	/* raw bytes typed; escaped when drawn */
	enum view_sort sort;
	bool connected;		/* only what is connected to the selection */
	bool unfold;		/* alike workers each on their own rows */

	/* given by ui.c before each render */
	uint64_t now_ns;	/* same clock as the events' ts */
	uint64_t active_ns;	/* "active" means an event this recently */
	uint64_t flash_ns;	/* how long a change stays highlighted */
	double events_per_s;
	uint64_t events, lost;
	const char *target;	/* escaped */
	const char *features_off;	/* optional kernel features off, or "" */
	const char *message;	/* escaped, or NULL */
	bool message_warn;
	const struct view_log *log;
	const struct view_output *output;	/* or NULL */
	const struct hmap *file_traffic;	/* (kaddr, 0) -> view_traffic */
	const struct hmap *obj_traffic;		/* (dev, ino) -> view_traffic */
	/* --step: n, c and s step; calls are held; the one held, escaped */
	bool step_mode, step_holding;
	const char *step_text;	/* or NULL */
	/* time control: the time shown, or NULL when there is none;
	 * what ended, escaped, once the run is over */
	const struct view_time *time;
	const char *ended_text;
};

void view_init(struct view *v);
/* Is the fd slot shown: not the loader's unless noise is? */
struct model_fd;
bool view_fd_shown(const struct view *v, const struct model_fd *s);
/* Does a process pass the filter text (name or pid)? */
bool view_filter_match(const struct view *v, uint32_t pid, const char *comm);
/* Does the filter text name this object (its name, its addresses or
 * peer: "pipe:[218346]", a path, "127.0.0.1:80")? */
bool view_filter_object(const struct view *v, const char *name,
			const char *local, const char *remote, const char *peer);
/* "pid", "activity", "name" */
const char *view_sort_name(enum view_sort s);

#endif /* IPCSCOPE_VIEW_H */
