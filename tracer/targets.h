/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What is traced at start: the processes chosen by -p or --comm (with
 * their descendants), the command or demo we started, or everyone; the
 * start-up snapshot of their fd tables; and whether the -p processes
 * are still there.
 */
#ifndef IPCSCOPE_TARGETS_H
#define IPCSCOPE_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

/* A snapshot record into the model (loader_snapshot's callback; ctx is
 * the session). */
int targets_on_snap(void *ctx, const void *rec, size_t size);
/* Chooses the processes to keep and reads their fd tables into the
 * model; returns 0 or -errno, having said what went wrong. */
int targets_snapshot(struct session *s);
/* -p PIDs: takes hold of each process now (a pidfd), so that its end is
 * seen even while it stays a zombie or when its pid is reused; returns 0
 * or -errno, having said what went wrong. */
int targets_watch(struct session *s);
/* Every -p process has exited. */
bool targets_gone(const struct session *s);
/* Whether fd is one of the pidfds. */
bool targets_is_pidfd(const struct session *s, int fd);
void targets_unwatch(struct session *s);
/* The command's output pipe, empty now, is ipcscope's own, not the
 * command's: the model marks it so (and a record file keeps that, as a
 * pipe we emptied). */
void targets_output_ours(struct session *s);

#endif /* IPCSCOPE_TARGETS_H */
