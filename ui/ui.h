/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The live view, as the tracer's event loop sees it. The loop owns epoll,
 * the ring buffer and signals; it hands the UI the notes of what happened,
 * the keys on stdin, resizes and a periodic tick. The UI draws the model
 * (read-only) at most ~30 times a second.
 */
#ifndef IPCSCOPE_UI_H
#define IPCSCOPE_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "view.h"

struct ui;

struct ui_options {
	bool ascii;		/* no Unicode line drawing */
	bool no_color;		/* also implied by the NO_COLOR variable */
	const char *target;	/* what is traced, for the status bar */
	const char *features_off;	/* "maps, signals": told in the help */
	bool step;		/* --step: n, c and s are step keys */
};

struct ui_stats {
	uint64_t events;	/* records received */
	uint64_t lost;		/* records the kernel could not queue */
};

/* Flags returned by ui_input(). */
#define UI_QUIT 0x1
#define UI_STEP 0x2	/* step keys came: ui_step_keys() */
#define UI_TIME 0x4	/* time keys came: ui_time_keys() */


/* Takes over the terminal; returns 0 or -errno. */
int ui_open(struct ui **out, struct model *m, const struct ui_options *opts);
/* Gives the terminal back; safe to call twice and with NULL. */
void ui_close(struct ui *ui);
/* Called for every note, before model_sweep(). */
void ui_note(struct ui *ui, const struct model_note *note);
/* A line of ipcscope's own in the event log, marked as a warning (events
 * lost, the re-read after them); ts on the events' clock. */
void ui_mark(struct ui *ui, uint64_t ts, const char *what);
/* stdin is readable: handle the keys. */
int ui_input(struct ui *ui);
void ui_resize(struct ui *ui);
/* Redraws if anything changed and the last frame is old enough. */
void ui_tick(struct ui *ui, uint64_t now_ns, const struct ui_stats *st);
/* A one-line message for the status bar (errors while curses owns the
 * screen go here, never to stderr). */
void ui_message(struct ui *ui, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Output of the traced command (its stdout and stderr go through a pipe
 * to us while the live view owns the terminal): raw, untrusted bytes, not
 * necessarily whole lines. */
void ui_output(struct ui *ui, const char *buf, size_t len);
/* --step: whether calls are held, and the one held in words (raw: it is
 * escaped here), or NULL; the view selects the fd it will touch (or its
 * process) when it changes. */
void ui_step(struct ui *ui, bool holding, const char *text, uint32_t pid,
	     int fd);
/* The step keys typed since the last call, in order ('n', 'c', 's'). */
size_t ui_step_keys(struct ui *ui, char *keys, size_t max);
/* Time control: the view shows this time from now on (its first call
 * turns time keys on: space, n, N, c, +, -, and g, G in the past). */
void ui_time(struct ui *ui, const struct view_time *t);
/* The time keys typed since the last call, in order. */
size_t ui_time_keys(struct ui *ui, char *keys, size_t max);
/* What is traced is over: said in the status bar until q. */
void ui_ended(struct ui *ui, const char *what);
/* The past moment is built again from the start into m: its log,
 * traffic and output start empty; then its notes, marks, output and
 * ticks (on the recorded clock) come through these. */
void ui_past_reset(struct ui *ui, const struct model *m);
void ui_past_note(struct ui *ui, const struct model_note *note);
void ui_past_mark(struct ui *ui, uint64_t ts, const char *what);
void ui_past_output(struct ui *ui, const char *buf, size_t len);
void ui_past_tick(struct ui *ui, uint64_t now_ns, const struct ui_stats *st);
/* Restores the terminal from a fatal signal handler: async-signal-safe. */
void ui_emergency_restore(void);

#endif /* IPCSCOPE_UI_H */
