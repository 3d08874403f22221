/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Names of objects from /proc: the model's resolver. /proc/PID/fd/FD is
 * trusted only while it still refers to the inode the event named.
 */
#ifndef IPCSCOPE_NAMES_H
#define IPCSCOPE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A model_resolve_fn; ctx is unused. dev is the kernel's s_dev encoding. */
bool names_resolve_fd(void *ctx, uint32_t pid, int fd, uint64_t dev,
		      uint64_t ino, char *out, size_t outlen);

#endif /* IPCSCOPE_NAMES_H */
