// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The live view as the run sees it: the adapter that makes ui/ a sink,
 * the glue of step mode (step.h) and of time control (timeline.h) to the
 * view's keys, and --replay in the live view. Part of the entry point
 * with main.c: the only files that include both tracer/ and ui/ headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "live.h"
#include "recording.h"
#include "step.h"
#include "timeline.h"
#include "ui.h"

/* The end kept: exited processes are not swept (model.h). */
#define KEEP_END_NS (1ULL << 62)

struct live_sink;
static void live_time_open(struct live_sink *l);

struct live_sink {
	struct ui *ui;
	struct session *s;	/* for --step: the calls held */
	struct timeline *time;	/* the run's past, or NULL */
};

/* --step: the call held, named in the view; the view's step keys. */
static void live_step_show(struct live_sink *l)
{
	struct step *st = l->s->step;
	const struct step_call *c = step_pending(st, NULL);
	char text[256];
	size_t more;
	int fd = -1;

	if (!st)
		return;
	if (c) {
		fd = step_words(text, sizeof(text), c, &l->s->model);
		step_pending(st, &more);
		if (more)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
				 " (+%zu more held)", more);
	}
	ui_step(l->ui, step_holding(st), c ? text : NULL, c ? c->pid : 0, fd);
}

static void live_step_keys(struct live_sink *l)
{
	char keys[32];
	size_t n = ui_step_keys(l->ui, keys, sizeof(keys));

	for (size_t i = 0; i < n; i++) {
		if (keys[i] == 'n')
			step_next(l->s->step);
		else if (keys[i] == 'c')
			step_go(l->s->step);
		else
			step_hold(l->s->step);
	}
	if (n)
		live_step_show(l);
}

static void live_time_keys(struct live_sink *l)
{
	char keys[32];
	size_t n = ui_time_keys(l->ui, keys, sizeof(keys));

	for (size_t i = 0; i < n; i++)
		timeline_key(l->time, keys[i]);
}

static void live_note(void *ctx, const struct model_note *n)
{
	struct live_sink *l = ctx;

	ui_note(l->ui, n);
	timeline_live_note(l->time, n->ts);
}

static int live_tick(void *ctx, uint64_t now_ns, const struct sink_stats *st)
{
	struct live_sink *l = ctx;
	struct ui_stats us = { .events = st->events, .lost = st->lost };

	live_step_show(l);
	/* a memfd history stops before it eats the memory
	 * (IPCSCOPE_HISTORY) */
	if (l->time && !l->s->opt.record &&
	    recording_bytes(l->s->rec) > l->s->history_max) {
		recording_stop(l->s->rec);
		timeline_history_full(l->time);
	}
	timeline_tick(l->time, now_ns);
	ui_tick(l->ui, now_ns, &us);
	return 0;
}

static void live_title(void *ctx, int n, const char *name, const char *about,
		       uint64_t ts)
{
	struct live_sink *l = ctx;

	(void)ts;
	ui_message(l->ui, "demo %d: %s - %s", n, name, about);
}

/* A loss or a re-read, marked in the log of the run or of the past. */
static void mark_loss(struct live_sink *l, const struct sink_loss *ls,
		      bool resync, bool past)
{
	char what[160];

	sink_loss_words(what, sizeof(what), ls, resync);
	if (past)
		ui_past_mark(l->ui, ls->ts, what);
	else
		ui_mark(l->ui, ls->ts, what);
}

static void live_lost(void *ctx, const struct sink_loss *ls)
{
	mark_loss(ctx, ls, false, false);
}

static void live_resync(void *ctx, const struct sink_loss *ls)
{
	mark_loss(ctx, ls, true, false);
}

static void live_ended(void *ctx, const char *what)
{
	struct live_sink *l = ctx;

	if (!l->time) {
		ui_message(l->ui, "%s; q quits", what);
		return;
	}
	/* the last picture stays: exited processes are no longer swept */
	l->s->model.exited_keep_ns = KEEP_END_NS;
	ui_ended(l->ui, what);
	timeline_ended(l->time);
}

static int live_input(void *ctx)
{
	struct live_sink *l = ctx;
	int flags = ui_input(l->ui);

	if (flags & UI_STEP)
		live_step_keys(l);
	if (flags & UI_TIME)
		live_time_keys(l);
	return flags & UI_QUIT ? SINK_DONE : 0;
}

static void live_resize(void *ctx)
{
	struct live_sink *l = ctx;

	ui_resize(l->ui);
}

static void live_output(void *ctx, const char *buf, size_t len)
{
	struct live_sink *l = ctx;

	ui_output(l->ui, buf, len);
}

/* Gives the terminal back; the ia32 line and errors go to stderr after. */
static void live_end(void *ctx, uint64_t now_ns, const struct sink_stats *st,
		     const struct report_summary *sum)
{
	struct live_sink *l = ctx;

	(void)now_ns;
	(void)st;
	(void)sum;
	ui_close(l->ui);
	l->ui = NULL;
}

static void live_close(void *ctx)
{
	struct live_sink *l = ctx;

	ui_close(l->ui);
	timeline_close(l->time);
	free(l);
}

static const struct sink_ops live_ops = {
	.note = live_note,
	.tick = live_tick,
	.title = live_title,
	.lost = live_lost,
	.resync = live_resync,
	.ended = live_ended,
	.input = live_input,
	.resize = live_resize,
	.output = live_output,
	.end = live_end,
	.close = live_close,
};

static void emergency(int sig)
{
	ui_emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int live_open(struct session *s, const char *target)
{
	struct ui_options uo = {
		.ascii = s->opt.ascii,
		.no_color = s->opt.no_color || getenv("NO_COLOR"),
		.target = target,
		.features_off = s->features_off_text,
		.step = s->step != NULL,
	};
	struct live_sink *l = calloc(1, sizeof(*l));
	int err = l ? ui_open(&l->ui, &s->model, &uo) : -ENOMEM;

	if (err) {
		fprintf(stderr, "ipcscope: cannot start the live view: %s\n",
			strerror(-err));
		free(l);
		return err;
	}
	l->s = s;
	s->sink = (struct sink){ &live_ops, l };
	live_time_open(l);
	signal(SIGSEGV, emergency);
	signal(SIGABRT, emergency);
	signal(SIGBUS, emergency);
	signal(SIGFPE, emergency);
	return 0;
}


/* --- time control ---------------------------------------------------------- */

static void past_reset(void *ctx, const struct model *m)
{
	struct live_sink *l = ctx;

	ui_past_reset(l->ui, m);
}

static void past_show(void *ctx, const struct timeline_moment *mo)
{
	struct live_sink *l = ctx;
	struct view_time t = {
		.past = mo->state != TIMELINE_LIVE,
		.playing = mo->state == TIMELINE_PLAYING,
		.replay = mo->replay, .ended = mo->ended,
		.history_full = mo->history_full,
		.step = mo->step, .steps = mo->steps,
		.ts = mo->ts, .ts0 = mo->ts0, .speed = mo->speed,
	};

	ui_time(l->ui, &t);
}

static void past_note(void *ctx, const struct model_note *n)
{
	struct live_sink *l = ctx;

	ui_past_note(l->ui, n);
}

static int past_tick(void *ctx, uint64_t now_ns, const struct sink_stats *st)
{
	struct live_sink *l = ctx;
	struct ui_stats us = { .events = st->events, .lost = st->lost };

	ui_past_tick(l->ui, now_ns, &us);
	return 0;
}

static void past_lost(void *ctx, const struct sink_loss *ls)
{
	mark_loss(ctx, ls, false, true);
}

static void past_resync(void *ctx, const struct sink_loss *ls)
{
	mark_loss(ctx, ls, true, true);
}

static void past_output(void *ctx, const char *buf, size_t len)
{
	struct live_sink *l = ctx;

	ui_past_output(l->ui, buf, len);
}

static const struct sink_ops past_ops = {
	.note = past_note,
	.tick = past_tick,
	.lost = past_lost,
	.resync = past_resync,
	.output = past_output,
};

static struct timeline_view time_view(struct live_sink *l)
{
	return (struct timeline_view){
		.reset = past_reset, .show = past_show,
		.past = { &past_ops, l }, .ctx = l,
	};
}

/* The run's history is what it records (--record's file, else a memfd);
 * without one the view only pauses, as a copy. */
static void live_time_open(struct live_sink *l)
{
	struct timeline_view v = time_view(l);
	char path[64];
	int fd = recording_fd(l->s->rec);

	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (timeline_open_live(&l->time, l->s->rec, path, &v, EXITED_KEEP_NS))
		ui_message(l->ui, "no going back in time: cannot read the "
			   "history");
}

/* --- --replay in the live view ----------------------------------------------- */

/* Keys, resizes and a frame clock until q or a signal to end. */
static int replay_loop(struct live_sink *l)
{
	sigset_t set;
	struct signalfd_siginfo si;
	struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
			       { .fd = -1, .events = POLLIN } };

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGWINCH);
	p[1].fd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);

		timeline_tick(l->time, now);
		ui_tick(l->ui, now, NULL);
		if (poll(p, 2, 33) < 0 && errno != EINTR)
			break;
		if ((p[0].revents & POLLIN) && (live_input(l) & SINK_DONE))
			break;
		if (p[0].revents & (POLLHUP | POLLERR))
			break;
		if (p[1].fd >= 0 && (p[1].revents & POLLIN) &&
		    read(p[1].fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGWINCH)
				break;
			ui_resize(l->ui);
		}
	}
	if (p[1].fd >= 0)
		close(p[1].fd);
	return 0;
}

int live_replay(struct session *s)
{
	struct timeline_view v;
	struct live_sink *l;
	char target[300], why[192];
	int err;

	snprintf(target, sizeof(target), "replay of %s", s->opt.replay);
	if (live_open(s, target))
		return 1;
	l = s->sink.ctx;
	v = time_view(l);
	err = timeline_open_replay(&l->time, s->opt.replay, &v, EXITED_KEEP_NS,
				   why, sizeof(why));
	if (err) {
		sink_close(&s->sink);
		fprintf(stderr, "ipcscope: cannot replay %s: %s\n",
			s->opt.replay, why);
		return 1;
	}
	replay_loop(l);
	err = timeline_damage(l->time, why, sizeof(why));
	sink_close(&s->sink);
	if (err) {
		fprintf(stderr, "ipcscope: %s: %s; the view showed what came "
			"before it\n", s->opt.replay, why);
		return 1;
	}
	return 0;
}
