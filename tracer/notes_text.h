/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The plain words for a model note ("pipe fd 3: f1 pipe:[51234] r refs 1"),
 * escaped: one formatter for the live view's event log and the --text
 * sink. Also the short size ("1.5K") that those words and the scene use.
 */
#ifndef IPCSCOPE_NOTES_TEXT_H
#define IPCSCOPE_NOTES_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* What happened, without time, pid or name: "fork: child 4242". */
void notes_format_what(char *out, size_t outlen, const struct model_note *n);
/* The note's command name, escaped; out has room for IPCS_COMM_LEN * 4 + 1. */
void notes_format_comm(char *out, size_t outlen, const struct model_note *n);
/* One log line for a note: time since ts0, pid, comm, what happened. */
void notes_format(char *out, size_t outlen, const struct model_note *n,
		  uint64_t ts0);
/* 1536 -> "1.5K"; out has room for 8 bytes */
const char *notes_size(char *out, size_t outlen, uint64_t n);

#endif /* IPCSCOPE_NOTES_TEXT_H */
