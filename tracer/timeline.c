// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The live view's time (see timeline.h): the steps of the run, the past
 * model built again from the history up to one of them, and the keys
 * that move it (pause, a step on or back, play at a pace, first, last).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recording.h"
#include "timeline.h"

/* Playing skips what was idle longer than this (at the pace shown). */
#define GAP_NS (2ULL * 1000000000)
/* The end kept: exited processes are not swept (model.h). */
#define KEEP_FOREVER_NS (1ULL << 62)
/* The moment before the first step: nothing shown as just changed. */
#define BEFORE_NS (2ULL * 1000000000)

struct timeline_step {
	uint64_t rec;		/* the record that made it (recording_count) */
	uint64_t ts;		/* of its first note */
};

struct timeline {
	struct recording_reader *reader;
	struct recording *rec;	/* a live run's history, or NULL */
	struct timeline_view view;
	struct model past;
	bool past_valid;
	bool mute;		/* reading ahead: the view is not told */
	uint64_t exited_keep_ns;

	struct timeline_step *steps;
	size_t nsteps, cap;
	size_t shown_steps;	/* nsteps when the view was last told */
	size_t at;		/* steps applied to the past model */
	uint64_t notes;		/* of the past model */
	uint64_t note_ts;	/* the first note of the record applied */

	enum timeline_state state;
	bool replay, ended, full;
	char damage[192];	/* a replayed file's, or "" */
	int speed;
	uint64_t play_ts;	/* playing: the moment shown */
	uint64_t wall;		/* the last tick */
	int read_rc;		/* of the last recording_next() */
};

static void add_step(struct timeline *t, uint64_t rec, uint64_t ts)
{
	if (t->full || (t->nsteps && t->steps[t->nsteps - 1].rec >= rec))
		return;
	if (t->nsteps == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		struct timeline_step *s = realloc(t->steps, cap * sizeof(*s));

		if (!s) {
			t->full = true;	/* out of memory: no more steps */
			return;
		}
		t->steps = s;
		t->cap = cap;
	}
	t->steps[t->nsteps++] = (struct timeline_step){ rec, ts };
}

static void past_note(void *ctx, const struct model_note *n)
{
	struct timeline *t = ctx;

	t->notes++;
	if (!t->note_ts)	/* the record's first note dates its step */
		t->note_ts = n->ts;
	if (!t->mute && t->view.past.ops && t->view.past.ops->note)
		t->view.past.ops->note(t->view.past.ctx, n);
}

/* The past model empty again, the history read again from the first. */
static int rebuild(struct timeline *t)
{
	if (recording_rewind(t->reader))
		return -1;
	model_free(&t->past);
	model_init(&t->past);
	t->past.resolve = recording_resolve;
	t->past.resolve_ctx = t->reader;
	t->past.note = past_note;
	t->past.note_ctx = t;
	t->past.exited_keep_ns = t->exited_keep_ns;
	t->past_valid = true;
	t->at = 0;
	if (!t->mute)
		t->view.reset(t->view.ctx, &t->past);
	return 0;
}

/* One record into the past model and the past view. */
static void apply(struct timeline *t, const struct recording_rec *rec)
{
	uint64_t notes = t->notes, idx = recording_taken(t->reader) - 1;

	t->note_ts = 0;
	switch (rec->type) {
	case RECORDING_ENDED:
		/* the recorded run kept its end: so does its past */
		t->past.exited_keep_ns = KEEP_FOREVER_NS;
		return;
	case RECORDING_TICK:
		recording_apply(&t->past, rec);	/* the sweep */
		/* fall through */
	case RECORDING_TITLE:
	case RECORDING_LOSS:
	case RECORDING_OUTPUT:
		if (!t->mute)
			recording_tell(&t->view.past, rec);
		return;
	}
	recording_apply(&t->past, rec);
	if (t->notes != notes)
		add_step(t, idx, t->note_ts);
}

/* Applies the records up to step k (k == nsteps: all there are). */
static void advance(struct timeline *t, size_t k)
{
	uint64_t until = k == t->nsteps ? UINT64_MAX :
			 k == 0 ? t->steps[0].rec : t->steps[k - 1].rec + 1;
	struct recording_rec rec;

	recording_flush(t->rec);	/* what the loop wrote, readable */
	while (recording_taken(t->reader) < until &&
	       (t->read_rc = recording_next(t->reader, &rec)) == 1) {
		if (rec.type != RECORDING_RESOLVE)
			apply(t, &rec);
	}
	t->at = k;
}

static uint64_t moment_ts(const struct timeline *t)
{
	if (t->state == TIMELINE_PLAYING)
		return t->play_ts;
	if (t->at)
		return t->steps[t->at - 1].ts;
	return t->nsteps ? t->steps[0].ts - BEFORE_NS : 0;
}

static void show(struct timeline *t)
{
	struct timeline_moment mo = {
		.state = t->state, .replay = t->replay, .ended = t->ended,
		.history_full = t->full, .step = t->at, .steps = t->nsteps,
		.ts = moment_ts(t), .speed = t->speed,
		.ts0 = t->nsteps ? t->steps[0].ts : 0,
		.model = t->state == TIMELINE_LIVE ? NULL : &t->past,
	};

	t->shown_steps = t->nsteps;
	t->view.show(t->view.ctx, &mo);
}

static void go_to(struct timeline *t, size_t k)
{
	if (k > t->nsteps)
		k = t->nsteps;
	if ((!t->past_valid || k < t->at) && rebuild(t))
		return;
	advance(t, k);
}

static void pause_at(struct timeline *t, size_t k)
{
	t->state = TIMELINE_PAUSED;
	go_to(t, k);
}

static void play_from_here(struct timeline *t)
{
	if (t->state == TIMELINE_LIVE)
		pause_at(t, t->nsteps);
	t->play_ts = moment_ts(t);
	t->state = TIMELINE_PLAYING;
}

/* A live run's view goes back to what happens now (or its end). */
static void go_live(struct timeline *t)
{
	t->state = t->replay ? TIMELINE_PAUSED : TIMELINE_LIVE;
	if (t->replay)
		go_to(t, t->nsteps);
}

void timeline_key(struct timeline *t, int key)
{
	if (!t)
		return;
	switch (key) {
	case ' ':
	case 'p':
		if (t->state == TIMELINE_LIVE)
			pause_at(t, t->nsteps);
		else if (t->replay && t->state == TIMELINE_PAUSED)
			play_from_here(t);
		else if (t->replay)
			t->state = TIMELINE_PAUSED;
		else
			go_live(t);
		break;
	case 'c':
		if (t->state != TIMELINE_LIVE)
			play_from_here(t);
		break;
	case 'n':
		if (t->state == TIMELINE_LIVE)
			pause_at(t, t->nsteps);
		else if (t->at < t->nsteps)
			pause_at(t, t->at + 1);
		else if (!t->replay)
			go_live(t);	/* stepped to now */
		else
			t->state = TIMELINE_PAUSED;
		break;
	case 'N':
		if (t->state == TIMELINE_LIVE)
			pause_at(t, t->nsteps ? t->nsteps - 1 : 0);
		else
			pause_at(t, t->at ? t->at - 1 : 0);
		break;
	case 'g':
		pause_at(t, 0);
		break;
	case 'G':
		if (t->replay)
			pause_at(t, t->nsteps);
		else
			go_live(t);
		break;
	case '+':
		if (t->speed < TIMELINE_SPEED_MAX)
			t->speed++;
		break;
	case '-':
		if (t->speed > TIMELINE_SPEED_MIN)
			t->speed--;
		/* slower than the run: the view falls behind it */
		if (t->state == TIMELINE_LIVE && !t->ended && t->speed < 0)
			play_from_here(t);
		break;
	default:
		return;
	}
	show(t);
}

void timeline_tick(struct timeline *t, uint64_t now_ns)
{
	uint64_t dt;
	size_t k;

	if (!t)
		return;
	dt = t->wall && now_ns > t->wall ? now_ns - t->wall : 0;
	t->wall = now_ns;
	if (t->state != TIMELINE_PLAYING) {
		/* held: the run goes on, its count of steps with it */
		if (t->state == TIMELINE_PAUSED && t->nsteps != t->shown_steps)
			show(t);
		return;
	}
	t->play_ts += t->speed >= 0 ? dt << t->speed : dt >> -t->speed;
	k = t->at;
	while (k < t->nsteps && t->steps[k].ts <= t->play_ts)
		k++;
	/* idle time is skipped: the next step comes within GAP_NS */
	if (k < t->nsteps && t->steps[k].ts > t->play_ts + GAP_NS)
		t->play_ts = t->steps[k].ts - GAP_NS;
	if (k != t->at)
		go_to(t, k);
	if (k == t->nsteps) {
		if (t->replay)
			t->state = TIMELINE_PAUSED;	/* the end */
		else if (t->ended || t->play_ts >= now_ns)
			go_live(t);	/* caught up with the run */
	}
	show(t);
}

void timeline_live_note(struct timeline *t, uint64_t ts)
{
	uint64_t n;

	if (!t || !(n = recording_count(t->rec)))
		return;
	add_step(t, n - 1, ts);
}

void timeline_ended(struct timeline *t)
{
	if (!t)
		return;
	t->ended = true;
	show(t);
}

void timeline_history_full(struct timeline *t)
{
	if (!t || t->full)
		return;
	t->full = true;
	show(t);
}

static int timeline_new(struct timeline **out, const char *path,
			const struct timeline_view *view, uint64_t keep_ns,
			char *why, size_t whylen)
{
	struct recording_header h;
	struct timeline *t = calloc(1, sizeof(*t));
	int err;

	*out = NULL;
	if (!t) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	err = recording_open(&t->reader, path, &h, why, whylen);
	if (err) {
		free(t);
		return err;
	}
	t->view = *view;
	t->exited_keep_ns = keep_ns;
	model_init(&t->past);
	*out = t;
	return 0;
}

int timeline_open_live(struct timeline **out, struct recording *rec,
		       const char *path, const struct timeline_view *view,
		       uint64_t exited_keep_ns)
{
	char why[192];
	int err;

	recording_flush(rec);	/* the header, to be read */
	err = timeline_new(out, path, view, exited_keep_ns, why, sizeof(why));
	if (err)
		return err;
	(*out)->rec = rec;
	recording_follow((*out)->reader);
	show(*out);
	return 0;
}

int timeline_open_replay(struct timeline **out, const char *path,
			 const struct timeline_view *view,
			 uint64_t exited_keep_ns, char *why, size_t whylen)
{
	struct timeline *t;
	int err = timeline_new(out, path, view, exited_keep_ns, why, whylen);

	if (err)
		return err;
	t = *out;
	t->replay = t->ended = true;
	/* read it all once, unseen, to know its steps */
	t->mute = true;
	rebuild(t);
	advance(t, t->nsteps);
	if (t->read_rc < 0)
		snprintf(t->damage, sizeof(t->damage), "%s",
			 recording_why(t->reader));
	t->mute = false;
	t->past_valid = false;
	pause_at(t, t->nsteps ? 1 : 0);
	show(t);
	return 0;
}

int timeline_damage(const struct timeline *t, char *why, size_t whylen)
{
	if (!t || !t->damage[0])
		return 0;
	snprintf(why, whylen, "%s", t->damage);
	return 1;
}

void timeline_close(struct timeline *t)
{
	if (!t)
		return;
	recording_reader_close(t->reader);
	model_free(&t->past);
	free(t->steps);
	free(t);
}
