/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What is traced at start: the processes chosen by -p or --comm (with
 * their descendants), the command or demo we started, or everyone; and
 * the start-up snapshot of their fd tables.
 */
#ifndef IPCSCOPE_TARGETS_H
#define IPCSCOPE_TARGETS_H

#include <stddef.h>

#include "session.h"

/* A snapshot record into the model (loader_snapshot's callback; ctx is
 * the session). */
int targets_on_snap(void *ctx, const void *rec, size_t size);
/* Chooses the processes to keep and reads their fd tables into the
 * model; returns 0 or -errno, having said what went wrong. */
int targets_snapshot(struct session *s);

#endif /* IPCSCOPE_TARGETS_H */
