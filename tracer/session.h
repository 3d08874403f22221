/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One run of ipcscope: the state that main.c sets up and that the event
 * loop (loop.c), the choice of targets (targets.c) and the demo tour
 * (tour.c) share. What the output is stays behind the sink.
 */
#ifndef IPCSCOPE_SESSION_H
#define IPCSCOPE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "command.h"
#include "kernel_features.h"
#include "loader.h"
#include "model.h"
#include "options.h"
#include "sink.h"

struct recording;
struct replay;
struct step;

#define MAX_QUIET 32	/* pipes re-read per tick after their flows stop */

/* A pipe whose latest flow ended with calls the kernel did not sample the
 * fill after: unless a newer reading comes, it is re-read a tick later. */
struct quiet_pipe {
	uint64_t dev, ino, ts;
	uint32_t pid;
};

/* Why the loop ended, which decides the exit status. */
enum run_end {
	END_TRACED,	/* what was traced is over (or the user quit after) */
	END_USER,	/* q, SIGINT, SIGTERM or SIGHUP */
	END_ERROR,	/* the output went away, the loop failed */
};

struct session {
	struct options opt;
	struct model model;
	struct loader *loader;
	struct sink sink;	/* where the output goes */
	struct features features;	/* optional kernel features */
	const char *features_off[FEAT__COUNT];
	size_t nfeatures_off;
	char features_off_text[256];
	FILE *out;		/* JSON and snapshots: stdout or -o FILE */
	pid_t child;		/* the traced command (and its process group), or 0 */
	struct command_hold hold;	/* while it waits before its exec */
	struct step *step;	/* --step: the calls held (step.h), or NULL */
	bool ending;		/* the loop is over: the command is being ended */
	bool kill_now;		/* ... and asked again: no more grace */
	bool child_ended_by_us;	/* its status is what we sent it */
	bool said_tty;		/* told why it stopped on the terminal */
	enum run_end end;
	char end_note[192];	/* what became of the command, for stderr */
	/* -p PIDs: a pidfd each (readable once it exited), or -1 and the
	 * start time /proc gave, where pidfd_open is missing */
	int pidfd[OPT_MAX_PIDS];
	unsigned long long pid_start[OPT_MAX_PIDS];
	int child_out;		/* live view: the command's output, or -1 */
	int tour;		/* --demo tour: index of the demo running, else -1 */
	int child_status;	/* exit status once it ended, else -1 */
	uint64_t lost_seen;
	uint64_t records;	/* ring-buffer records received */
	uint64_t flow_calls;	/* calls the kernel aggregated into flows */
	/* what the loop does beside the ring, chosen with the mode */
	bool aggregate;		/* data comes as flows (live view, --top) */
	bool unsure_pipes;	/* re-read pipes untraced readers may empty */
	bool wait_poll;		/* read who is blocked (live view) */
	bool ended;		/* live view: what we traced is over */
	uint64_t next_wait_ns;
	uint64_t next_unsure_ns;
	uint64_t seen;		/* records + flow calls at the last tick */
	unsigned quiet_ticks;
	struct quiet_pipe quiet[MAX_QUIET];
	size_t nquiet;
	uint64_t state_ts;	/* when on_fd_state's records were read */
	uint64_t resyncs;	/* processes re-read */
	unsigned full_resyncs;	/* re-reads of everyone after lost events */
	int64_t ts_offset;	/* CLOCK_MONOTONIC -> CLOCK_REALTIME */
	uint64_t start_ns;
	int epfd, sigfd, timerfd;
	bool done;
	/* --record: the file every record goes to too, or NULL;
	 * --replay: the file the records come from, or NULL (replay.h) */
	struct recording *rec;
	struct replay *replay;
	uint64_t history_max;	/* live view: the memfd history's limit */
	/* which processes the start-up snapshot keeps */
	uint32_t *keep;
	size_t nkeep;
};

static inline uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Syscalls seen: ring records plus the calls the kernel summed in flows. */
static inline uint64_t calls_seen(const struct session *s)
{
	return s->records + s->flow_calls;
}

#endif /* IPCSCOPE_SESSION_H */
