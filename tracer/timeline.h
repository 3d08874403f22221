/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The live view's time: the run as it happens, or a moment of it built
 * again from its records (paused, stepping, playing at a chosen speed,
 * the end kept, a record file replayed). A live run writes every record
 * to its history (--record's file, else a memfd: replay.h); a past moment
 * is a second model fed from that history up to a step, a step being a
 * record that changed something (the model noted it). Forward applies
 * more records; back builds again from the first. The view is told
 * through callbacks: tracer/ never includes ui/.
 */
#ifndef IPCSCOPE_TIMELINE_H
#define IPCSCOPE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "sink.h"

struct recording;
struct timeline;

/* Slowest and fastest pace, as powers of two of the recorded one. */
#define TIMELINE_SPEED_MIN (-3)
#define TIMELINE_SPEED_MAX 4

enum timeline_state {
	TIMELINE_LIVE,		/* the run as it happens (or its end) */
	TIMELINE_PAUSED,	/* a past moment, held */
	TIMELINE_PLAYING,	/* a past moment moving at the pace */
};

/* What the view shows, told whenever it changes. */
struct timeline_moment {
	enum timeline_state state;
	bool replay;		/* a record file, not a run */
	bool ended;		/* the run is over */
	bool history_full;	/* the history stopped growing */
	uint64_t step, steps;	/* shown: after `step` of `steps` */
	uint64_t ts;		/* the moment, on the events' clock */
	uint64_t ts0;		/* the first step's */
	int speed;		/* log2 of the pace: 0 as recorded */
	const struct model *model;	/* the past model (not when LIVE) */
};

struct timeline_view {
	/* The past is built again from the first record into m: forget its
	 * log, traffic and output. */
	void (*reset)(void *ctx, const struct model *m);
	/* Show this moment. */
	void (*show)(void *ctx, const struct timeline_moment *mo);
	/* The past's notes, ticks, titles, losses and output (the live
	 * run's go to the session's sink). */
	struct sink past;
	void *ctx;
};

/* History of a live run: rec is the recording the loop writes (flushed
 * before each read), path a name that opens it again for reading. */
int timeline_open_live(struct timeline **out, struct recording *rec,
		       const char *path, const struct timeline_view *view,
		       uint64_t exited_keep_ns);
/* A record file in the live view: paused at its first step. */
int timeline_open_replay(struct timeline **out, const char *path,
			 const struct timeline_view *view,
			 uint64_t exited_keep_ns, char *why, size_t whylen);
void timeline_close(struct timeline *t);
/* A replayed file's damage: 1 with why said, or 0 when it was whole. */
int timeline_damage(const struct timeline *t, char *why, size_t whylen);

/* A note of the live model: the record just put made a step. */
void timeline_live_note(struct timeline *t, uint64_t ts);
/* What is traced is over: the end is kept (see model.h exited_keep_ns). */
void timeline_ended(struct timeline *t);
/* The history stopped growing (too large): no steps after this one. */
void timeline_history_full(struct timeline *t);
/* Time keys: space, p (pause / live), n, N (a step on, back), c (play),
 * + - (pace), g G (first, last). */
void timeline_key(struct timeline *t, int key);
/* Every loop tick: a playing past moves on; wall-clock ns. */
void timeline_tick(struct timeline *t, uint64_t now_ns);

#endif /* IPCSCOPE_TIMELINE_H */
