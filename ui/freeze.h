/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A frozen copy of the model for the paused view: the live model keeps
 * taking events while the screen shows (and lets one browse) the copy.
 */
#ifndef IPCSCOPE_FREEZE_H
#define IPCSCOPE_FREEZE_H

#include "model.h"

/* Deep-copies src into dst (processes, tables, entries, objects; no
 * callbacks). Returns 0 or -ENOMEM, leaving dst empty. */
int freeze_copy(struct model *dst, const struct model *src);
void freeze_free(struct model *m);

#endif /* IPCSCOPE_FREEZE_H */
