/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The live view as the run sees it (live.c): a sink over ui/, with step
 * mode and time control; and --replay in the live view.
 */
#ifndef IPCSCOPE_LIVE_H
#define IPCSCOPE_LIVE_H

#include "session.h"

/* How long an exited process stays in the live view. */
#define EXITED_KEEP_NS (5ULL * 1000 * 1000 * 1000)

/* Opens the live view as the session's sink (target: what is traced, for
 * the status bar); 0, or -errno having said why on stderr. */
int live_open(struct session *s, const char *target);
/* --replay FILE in the live view, paused at its first event, until q:
 * 0, or 1 when the file could not be read or was damaged (said on
 * stderr after the view closed). */
int live_replay(struct session *s);

#endif /* IPCSCOPE_LIVE_H */
