/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one event loop: epoll over the ring buffer, a signalfd, a timerfd,
 * the traced command's output and, for a sink that reads keys, stdin.
 */
#ifndef IPCSCOPE_LOOP_H
#define IPCSCOPE_LOOP_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

/* The model's note callback (ctx is the session): to the sink. */
void loop_note(void *ctx, const struct model_note *n);
/* The ring buffer's record callback (ctx is the session). */
int loop_on_event(void *ctx, const void *rec, size_t size);
int loop_add_fd(int epfd, int fd);
/* Blocks the signals the loop handles (INT, TERM, HUP, CHLD, WINCH): at
 * the start, before anything is forked or loaded, so that they wait for
 * the loop rather than end us with a command held or running. */
void loop_block_signals(void);
/* SIGINT, SIGTERM or SIGHUP came and waits for the loop. */
bool loop_stop_pending(void);
/* Signals, timer and epoll; returns 0 or -errno, having said why. */
int loop_setup(struct session *s);
/* Runs until the traced command ends, the user quits, a signal asks us
 * to or the output goes away; then ends a command still running (or
 * held), reports what the kernel still queued and ends the sink. */
void loop_run(struct session *s);

#endif /* IPCSCOPE_LOOP_H */
