/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Names and states of objects from /proc: the model's resolvers.
 * /proc/PID/fd/FD is trusted only while it still refers to the inode the
 * event named; /proc/sysvipc lists SysV objects as ipcs shows them.
 */
#ifndef IPCSCOPE_NAMES_H
#define IPCSCOPE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

/* A stat() device number as the kernel encodes s_dev, the way events and
 * iterator records carry it: MKDEV(major, minor) = major << 20 | minor. */
uint64_t names_kernel_dev(dev_t dev);

/* A model_resolve_fn; ctx is unused. dev is the kernel's s_dev encoding. */
bool names_resolve_fd(void *ctx, uint32_t pid, int fd, const char *upath,
		      uint64_t dev, uint64_t ino, char *out, size_t outlen);

/* Adds every SysV object /proc/sysvipc lists (what ipcs shows). */
void names_add_sysv(struct model *m);
/* The same, each handed to fn (--record keeps what it was told). */
typedef void (*names_sysv_fn)(void *ctx, enum obj_kind kind, int id,
			      const struct model_ipc_stat *st);
void names_each_sysv(names_sysv_fn fn, void *ctx);

#endif /* IPCSCOPE_NAMES_H */
