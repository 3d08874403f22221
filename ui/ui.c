// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The live view as the event loop sees it (see ui.h): keeps the event log,
 * traffic and rates from the notes, turns keys into view changes, freezes
 * a copy of the model while paused, and redraws through scene + term at
 * most ~30 times a second, only when something changed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "keys.h"
#include "model.h"
#include "notes.h"
#include "output.h"
#include "scene.h"
#include "term.h"
#include "ui.h"

#define FRAME_NS (1000000000ULL / 30)
#define MESSAGE_NS (5ULL * 1000000000)
#define TRAFFIC_KEEP_NS (10ULL * 1000000000)
#define WAIT_CHECK_NS (100ULL * 1000000)
#define DEADLINES 32

/* What the view tells beside the model, kept from the notes: the event
 * log, traffic and rates, the traced command's output. One for the run as
 * it happens, one for the past moment the tracer rebuilds (ui_past_*). */
struct story {
	struct view_log log;
	struct hmap file_traffic, obj_traffic;
	uint64_t ts0;		/* first event: time 0 of the log */
	struct view_output output;	/* the traced command's */
	struct ui_stats stats;
	double events_per_s;
	uint64_t second_ns, events_at_second;
};

struct ui {
	struct model *m;
	struct model frozen;	/* what the paused view shows, when the
				 * tracer keeps no history */
	bool frozen_valid;
	struct term *term;
	struct view view;
	struct frame frame;
	bool ascii;
	struct story live, past;
	bool output_chosen;		/* 'o' pressed: no longer automatic */

	/* time control (ui_time): the past moment shown, if any */
	bool timed;
	struct view_time time;
	const struct model *past_model;
	char time_keys[32];
	size_t ntime_keys;
	char ended_text[160];

	bool dirty;
	uint64_t now_ns, last_draw_ns;
	/* times the picture changes by itself (a highlight ends, an exited
	 * process goes, an idle one is hidden): one more frame each */
	uint64_t deadline[DEADLINES];
	int ndeadlines;
	/* where processes wait changes without a note: checked now and then */
	uint64_t wait_sig, wait_check_ns;

	char target[256];
	char features_off[128];	/* plain names ipcscope chose: no escaping */
	char message[256];
	bool message_warn;
	uint64_t message_ns;
	bool message_pending;	/* set before the first tick gave a time */

	/* --step: the call held, escaped, and the step keys not yet taken */
	char step_text[512];
	char step_keys[32];
	size_t nstep_keys;
};

static void story_clear(struct story *st);

int ui_open(struct ui **out, struct model *m, const struct ui_options *opts)
{
	struct ui *ui;
	int err;

	*out = NULL;
	ui = calloc(1, sizeof(*ui));
	if (!ui)
		return -ENOMEM;
	ui->m = m;
	view_init(&ui->view);
	/* traced command or pids: all of them; whole system: active ones */
	ui->view.show_all = opts && opts->target;
	ui->view.step_mode = ui->view.step_holding = opts && opts->step;
	if (opts && opts->target)
		escape_text(ui->target, sizeof(ui->target), opts->target,
			     strlen(opts->target));
	if (opts && opts->features_off)
		snprintf(ui->features_off, sizeof(ui->features_off), "%s",
			 opts->features_off);
	err = term_open(&ui->term, opts && opts->ascii,
			opts && opts->no_color, &ui->ascii);
	if (err) {
		free(ui);
		return err;
	}
	ui->dirty = true;
	*out = ui;
	return 0;
}

void ui_close(struct ui *ui)
{
	if (!ui)
		return;
	term_close(ui->term);
	ui->term = NULL;
	frame_free(&ui->frame);
	if (ui->frozen_valid)
		model_copy_free(&ui->frozen);
	story_clear(&ui->live);
	story_clear(&ui->past);
	free(ui);
}

static void story_clear(struct story *st)
{
	notes_traffic_free(&st->file_traffic);
	notes_traffic_free(&st->obj_traffic);
	memset(st, 0, sizeof(*st));
}

/* A note into a story; false when out of memory counting traffic. */
static bool story_note(struct story *st, const struct model_note *note)
{
	if (!st->ts0)
		st->ts0 = note->ts;
	notes_log(&st->log, note, st->ts0);
	return !notes_traffic(&st->file_traffic, &st->obj_traffic, note);
}

static void story_mark(struct story *st, uint64_t ts, const char *what)
{
	if (!st->ts0)
		st->ts0 = ts;
	notes_log_mark(&st->log, ts, st->ts0, what);
}

/* A second has passed: events per second and traffic rates; true when
 * what is shown changed. */
static bool story_roll(struct story *st, uint64_t now_ns)
{
	bool changed = false;

	if (!st->second_ns) {
		st->second_ns = now_ns;
		st->events_at_second = st->stats.events;
	} else if (now_ns >= st->second_ns + 1000000000ULL) {
		double secs = (now_ns - st->second_ns) / 1e9;
		/* as shown: a steady trickle measured over 0.99 s or 1.01 s
		 * must not redraw an idle screen every second */
		uint64_t n = st->stats.events - st->events_at_second;
		double eps = (double)(uint64_t)(n / secs + 0.5);

		changed = eps != st->events_per_s;
		st->events_per_s = eps;
		st->events_at_second = st->stats.events;
		if (notes_roll(&st->file_traffic, now_ns, now_ns - st->second_ns,
			       TRAFFIC_KEEP_NS) |
		    notes_roll(&st->obj_traffic, now_ns, now_ns - st->second_ns,
			       TRAFFIC_KEEP_NS))
			changed = true;
		st->second_ns = now_ns;
	}
	return changed;
}

static bool showing_past(const struct ui *ui)
{
	return ui->timed && ui->time.past && ui->past_model;
}

static struct story *shown_story(struct ui *ui)
{
	return showing_past(ui) ? &ui->past : &ui->live;
}

void ui_emergency_restore(void)
{
	term_emergency();
}

/* Asks for a frame at time t, or up to slack later (merged with another
 * such time: a bounded list, and never more frames than needed). */
static void redraw_at(struct ui *ui, uint64_t t, uint64_t slack)
{
	int last = 0;

	for (int i = 0; i < ui->ndeadlines; i++) {
		uint64_t d = ui->deadline[i];

		if (t <= d && d <= t + slack)
			return;
		if (d < t && t <= d + slack) {
			ui->deadline[i] = t;
			return;
		}
		if (d > ui->deadline[last])
			last = i;
	}
	if (ui->ndeadlines < DEADLINES) {
		ui->deadline[ui->ndeadlines++] = t;
		return;
	}
	/* full: the latest one waits for this too */
	if (t > ui->deadline[last])
		ui->deadline[last] = t;
}

/* Drops the deadlines that have come; true when there were any. */
static bool deadlines_due(struct ui *ui, uint64_t now_ns)
{
	bool due = false;

	for (int i = 0; i < ui->ndeadlines;) {
		if (ui->deadline[i] <= now_ns) {
			ui->deadline[i] = ui->deadline[--ui->ndeadlines];
			due = true;
		} else {
			i++;
		}
	}
	return due;
}

void ui_note(struct ui *ui, const struct model_note *note)
{
	if (!ui || !note)
		return;
	if (!story_note(&ui->live, note))
		ui_message(ui, "out of memory counting traffic");
	if (showing_past(ui))
		return;		/* the live story goes on unseen */
	ui->dirty = true;
	/* the highlight of this change ends */
	redraw_at(ui, note->ts + VIEW_FLASH_NS, FRAME_NS);
	/* a signal's mark on its target's row ends */
	if (note->kind == IPCS_EV_SIGNAL)
		redraw_at(ui, note->ts + VIEW_SIGNAL_NS, FRAME_NS);
	/* an exited process leaves the model (model_sweep, at a tick of the
	 * loop: a frame later, it is gone for sure) */
	if (note->kind == IPCS_EV_EXIT && ui->m->exited_keep_ns)
		redraw_at(ui, note->ts + ui->m->exited_keep_ns + FRAME_NS,
			  FRAME_NS);
	/* an idle process is hidden when only active ones are shown */
	if (!ui->view.show_all)
		redraw_at(ui, note->ts + VIEW_ACTIVE_NS + 1, 1000000000ULL);
}

void ui_mark(struct ui *ui, uint64_t ts, const char *what)
{
	if (!ui || !what)
		return;
	story_mark(&ui->live, ts, what);
	ui->dirty |= !showing_past(ui);
}

/* Where the processes wait, in one number: the task iterator updates
 * proc->wait without a note. */
static uint64_t wait_signature(const struct model *m)
{
	uint64_t h = 1469598103934665603ULL;

	hmap_for_each(&m->procs, s) {
		const struct model_proc *p = s->val;

		if (p->wait == WAIT_NONE || p->exited)
			continue;
		h = (h ^ p->pid) * 1099511628211ULL;
		h = (h ^ ((uint64_t)p->wait << 32 | (uint32_t)p->wait_fd)) *
		    1099511628211ULL;
	}
	return h;
}

static const struct model *shown_model(const struct ui *ui)
{
	if (showing_past(ui))
		return ui->past_model;
	return ui->view.paused && ui->frozen_valid ? &ui->frozen : ui->m;
}

static void view_update(struct ui *ui)
{
	struct view *v = &ui->view;
	struct story *st = shown_story(ui);

	/* a past moment is seen as it was then: its changes just made */
	v->now_ns = showing_past(ui) ? ui->time.ts + 1 : ui->now_ns;
	v->events = st->stats.events;
	v->lost = st->stats.lost;
	v->events_per_s = st->events_per_s;
	v->target = ui->target[0] ? ui->target : NULL;
	v->features_off = ui->features_off;
	v->message = ui->message[0] ? ui->message : NULL;
	v->message_warn = ui->message_warn;
	v->log = &st->log;
	v->output = &st->output;
	v->file_traffic = &st->file_traffic;
	v->obj_traffic = &st->obj_traffic;
	v->step_text = ui->step_text[0] ? ui->step_text : NULL;
	v->time = ui->timed ? &ui->time : NULL;
	v->ended_text = ui->ended_text[0] ? ui->ended_text : NULL;
}

static void draw(struct ui *ui)
{
	struct scene_layout l;
	int w, h;

	term_size(ui->term, &w, &h);
	if (frame_init(&ui->frame, w, h, ui->ascii))
		return;
	view_update(ui);
	if (scene_layout(&l, shown_model(ui), &ui->view, w, h)) {
		ui_message(ui, "out of memory drawing the view");
		return;
	}
	/* one layout per frame: view_fix() moves only selection and scroll */
	view_fix(&ui->view, &l);
	scene_draw(&l, shown_model(ui), &ui->view, &ui->frame);
	scene_layout_free(&l);
	term_draw(ui->term, &ui->frame);
	ui->dirty = false;
	ui->last_draw_ns = ui->now_ns;
}

static void set_paused(struct ui *ui, bool paused)
{
	if (ui->frozen_valid) {
		model_copy_free(&ui->frozen);
		ui->frozen_valid = false;
	}
	if (!paused)
		return;
	if (model_copy(&ui->frozen, ui->m)) {
		ui->view.paused = false;
		ui_message(ui, "cannot pause: out of memory");
		return;
	}
	ui->frozen_valid = true;
}

/* Only active processes shown from now on: each active one hides when
 * its last event gets old. */
static void idle_deadlines(struct ui *ui)
{
	hmap_for_each(&ui->m->procs, s) {
		const struct model_proc *p = s->val;

		if (p->last_ns + VIEW_ACTIVE_NS > ui->now_ns)
			redraw_at(ui, p->last_ns + VIEW_ACTIVE_NS + 1,
				  1000000000ULL);
	}
}

static int handle_key(struct ui *ui, int key, int x, int y)
{
	struct scene_layout l;
	int w, h, flags;

	if (key == TERM_KEY_RESIZE) {
		/* curses queues this after our own resizeterm(): resizing
		 * again would queue another, forever */
		ui->dirty = true;
		return 0;
	}
	if (key == TERM_KEY_OTHER)
		return 0;
	term_size(ui->term, &w, &h);
	view_update(ui);
	if (scene_layout(&l, shown_model(ui), &ui->view, w, h))
		return 0;
	view_fix(&ui->view, &l);
	if (key == TERM_KEY_MOUSE)
		flags = view_click(&ui->view, &l, x, y);
	else
		flags = view_key(&ui->view, &l, key);
	scene_layout_free(&l);
	if ((flags & VIEW_TIME) && (key == ' ' || key == 'p') &&
	    ui->time.history_full && !ui->time.past) {
		/* the history stopped short of now: the view holds a copy */
		ui->view.paused = !ui->view.paused;
		set_paused(ui, ui->view.paused);
	} else if ((flags & VIEW_TIME) &&
		   ui->ntime_keys < sizeof(ui->time_keys)) {
		ui->time_keys[ui->ntime_keys++] = (char)key;
	} else if (flags & VIEW_PAUSE) {
		set_paused(ui, ui->view.paused);
	}
	if (key == 'o' && (flags & VIEW_HANDLED))
		ui->output_chosen = true;
	if (key == 'a' && !ui->view.show_all)
		idle_deadlines(ui);
	if (key == VKEY_CTRL_L)
		term_invalidate(ui->term);
	if ((flags & VIEW_STEP) && ui->nstep_keys < sizeof(ui->step_keys))
		ui->step_keys[ui->nstep_keys++] = (char)key;
	if (flags & VIEW_REDRAW)
		ui->dirty = true;
	return flags;
}

int ui_input(struct ui *ui)
{
	int key, x = 0, y = 0;

	if (!ui)
		return 0;
	while ((key = term_key(ui->term, &x, &y)) != TERM_KEY_NONE) {
		if (handle_key(ui, key, x, y) & VIEW_QUIT)
			return UI_QUIT;
	}
	/* a key deserves an answer now, not at the next tick */
	if (ui->dirty && ui->now_ns)
		draw(ui);
	return (ui->nstep_keys ? UI_STEP : 0) | (ui->ntime_keys ? UI_TIME : 0);
}

size_t ui_time_keys(struct ui *ui, char *keys, size_t max)
{
	size_t n = ui && ui->ntime_keys < max ? ui->ntime_keys : max;

	if (!ui)
		return 0;
	memcpy(keys, ui->time_keys, n);
	ui->ntime_keys = 0;
	return n;
}

size_t ui_step_keys(struct ui *ui, char *keys, size_t max)
{
	size_t n = ui && ui->nstep_keys < max ? ui->nstep_keys : max;

	if (!ui)
		return 0;
	memcpy(keys, ui->step_keys, n);
	ui->nstep_keys = 0;
	return n;
}

/* The view points at what the held call will touch: its fd when the
 * model has it, else its process. */
static void step_select(struct ui *ui, uint32_t pid, int fd)
{
	struct model_proc *p = model_proc(ui->m, pid);
	struct model_fd *slot = p && fd >= 0 ? model_table_fd(p->table, fd) :
					       NULL;
	struct view *v = &ui->view;

	if (!p || v->paused)
		return;
	if (slot && slot->file) {
		v->focus = PANE_FDS;
		v->sel = (struct view_sel){ PANE_FDS, pid, (uint64_t)fd, 0 };
	} else {
		v->focus = PANE_PROCS;
		v->sel = (struct view_sel){ PANE_PROCS, pid, p->start, 0 };
	}
	v->have_sel = true;
}

void ui_step(struct ui *ui, bool holding, const char *text, uint32_t pid,
	     int fd)
{
	char esc[sizeof(ui->step_text)];

	if (!ui)
		return;
	esc[0] = '\0';
	if (text)
		escape_text(esc, sizeof(esc), text, strlen(text));
	if (holding != ui->view.step_holding)
		ui->dirty = true;
	ui->view.step_holding = holding;
	if (!strcmp(esc, ui->step_text))
		return;
	snprintf(ui->step_text, sizeof(ui->step_text), "%s", esc);
	if (text)
		step_select(ui, pid, fd);
	ui->dirty = true;
}

void ui_resize(struct ui *ui)
{
	if (!ui)
		return;
	term_resize(ui->term);
	ui->dirty = true;
	if (ui->now_ns)
		draw(ui);
}

void ui_tick(struct ui *ui, uint64_t now_ns, const struct ui_stats *st)
{
	if (!ui)
		return;
	ui->now_ns = now_ns;
	if (st) {
		if (st->lost != ui->live.stats.lost)
			ui->dirty = true;
		ui->live.stats = *st;
	}
	if (ui->message_pending) {
		ui->message_ns = now_ns;
		ui->message_pending = false;
	}
	if (story_roll(&ui->live, now_ns) && !showing_past(ui))
		ui->dirty = true;
	if (ui->message[0] && now_ns >= ui->message_ns + MESSAGE_NS) {
		ui->message[0] = '\0';
		ui->dirty = true;
	}
	if (deadlines_due(ui, now_ns))
		ui->dirty = true;
	if (!ui->view.paused && !showing_past(ui) &&
	    now_ns >= ui->wait_check_ns + WAIT_CHECK_NS) {
		uint64_t sig = wait_signature(ui->m);

		if (sig != ui->wait_sig)
			ui->dirty = true;
		ui->wait_sig = sig;
		ui->wait_check_ns = now_ns;
	}
	if (ui->dirty && now_ns >= ui->last_draw_ns + FRAME_NS)
		draw(ui);
}

void ui_message(struct ui *ui, const char *fmt, ...)
{
	char raw[256];
	va_list ap;

	if (!ui)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* messages quote paths and names: escape them too */
	escape_text(ui->message, sizeof(ui->message), raw, strlen(raw));
	ui->message_warn = true;
	ui->message_ns = ui->now_ns;
	ui->message_pending = !ui->now_ns;
	ui->dirty = true;
}

void ui_output(struct ui *ui, const char *buf, size_t len)
{
	if (!ui || !buf || !len)
		return;
	output_add(&ui->live.output, buf, len);
	/* the command talks: show it, unless 'o' said otherwise */
	if (!ui->output_chosen)
		ui->view.show_output = true;
	ui->dirty |= !showing_past(ui);
}

/* --- a past moment --------------------------------------------------------- */

void ui_time(struct ui *ui, const struct view_time *t)
{
	if (!ui || !t)
		return;
	ui->timed = true;
	ui->time = *t;
	/* the key hints and the PAUSED label follow the time shown */
	ui->view.paused = t->past && !t->playing;
	ui->dirty = true;
}

void ui_ended(struct ui *ui, const char *what)
{
	if (!ui)
		return;
	escape_text(ui->ended_text, sizeof(ui->ended_text), what, strlen(what));
	ui->dirty = true;
}

void ui_past_reset(struct ui *ui, const struct model *m)
{
	if (!ui)
		return;
	story_clear(&ui->past);
	ui->past_model = m;
	ui->dirty = true;
}

void ui_past_note(struct ui *ui, const struct model_note *note)
{
	if (!ui || !note)
		return;
	if (!story_note(&ui->past, note))
		ui_message(ui, "out of memory counting traffic");
	ui->dirty = true;
}

void ui_past_mark(struct ui *ui, uint64_t ts, const char *what)
{
	if (!ui || !what)
		return;
	story_mark(&ui->past, ts, what);
	ui->dirty = true;
}

void ui_past_output(struct ui *ui, const char *buf, size_t len)
{
	if (!ui || !buf || !len)
		return;
	output_add(&ui->past.output, buf, len);
	ui->dirty = true;
}

void ui_past_tick(struct ui *ui, uint64_t now_ns, const struct ui_stats *st)
{
	if (!ui)
		return;
	if (st)
		ui->past.stats = *st;
	if (story_roll(&ui->past, now_ns))
		ui->dirty = true;
}
