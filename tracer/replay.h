/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --record and --replay as a run sees them (the file format is
 * recording.h): the record file made before anything runs, a tee in front
 * of the sink that records what the outputs are told beside the model,
 * and the replay that hands a record file to the same model and sink.
 */
#ifndef IPCSCOPE_REPLAY_H
#define IPCSCOPE_REPLAY_H

#include <stdint.h>

#include "session.h"

/* --record FILE: creates it (never over a file, never through a link);
 * returns 0 or 1 having said why. Records what the names resolver finds
 * from then on. Without --record (the live view): the same into a memfd,
 * the view's history (live.c); none if it cannot be made. */
int replay_record_open(struct session *s, int argc, char **argv);
/* After the tracer is set up: the clocks and the features off. */
int replay_record_meta(struct session *s);
/* After the sink is opened: puts the recording tee in front of it. */
void replay_record_sink(struct session *s);
/* --snapshot: the SysV objects /proc/sysvipc lists, recorded; none when
 * replaying (they are in the file). */
void replay_add_sysv(struct session *s);
/* The end of the run: closes the file; returns rc, or 1 if writing
 * failed (said on stderr). */
int replay_record_close(struct session *s, int rc);

/* The time the sink opens at: now (recorded with --record), or when
 * replaying the time it opened at in the recorded run. */
uint64_t replay_clock(struct session *s);

/* --replay FILE: opens and checks it, sets the clocks, the features off and
 * the names resolver from it; returns 0 or 1 having said why. */
int replay_open(struct session *s);
/* The output mode of the recorded run (enum output_mode). */
int replay_recorded_mode(const struct session *s);
/* Hands every record to the model and the sink; open_sink (NULL for a
 * snapshot) is called when the recorded run opened its sink. Returns 0
 * when the file was whole, 1 when it was damaged (said on stderr; what
 * came before the damage was replayed). */
int replay_play(struct session *s,
		int (*open_sink)(struct session *s, const char *target));
void replay_close(struct session *s);

#endif /* IPCSCOPE_REPLAY_H */
