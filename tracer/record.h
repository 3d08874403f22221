/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The record contract of bpf/ipcscope.h as user space checks and names it:
 * which records are whole, what each event kind and data syscall is called.
 * Everything here is generated from the lists in that header.
 */
#ifndef IPCSCOPE_RECORD_H
#define IPCSCOPE_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "ipcscope.h"

/* "fork", "open", ...: the JSON type of an event kind; "unknown" if none. */
const char *record_kind_name(unsigned kind);
/* "write", "sendmsg", ...: the syscall of a data event; "unknown" if none. */
const char *record_syscall_name(unsigned sc);

/* A ring-buffer record of size bytes is whole: a known kind, its header's
 * size within size and at least its kind's record. */
bool record_event_ok(const void *rec, size_t size);

/* A snapshot record of size bytes is a whole record of kind (its header
 * says so, and its size is its kind's record). */
bool record_snap_ok(const void *rec, size_t size, enum ipcs_snap_kind kind);

/* Hands fn each record of a stream of snapshot records (as an iterator
 * writes them); -EPROTO when a header's size does not fit the stream. */
int record_snap_each(const char *buf, size_t len,
		     int (*fn)(void *ctx, const void *rec, size_t size),
		     void *ctx);

#endif /* IPCSCOPE_RECORD_H */
