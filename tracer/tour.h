/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --demo: the bundled demo programs, found next to our own binary, and
 * --demo tour, which runs them one after another.
 */
#ifndef IPCSCOPE_TOUR_H
#define IPCSCOPE_TOUR_H

#include <stddef.h>

#include "options.h"
#include "session.h"

/* argv for --demo NAME, in path, pace and argv (room for 4). Returns 0 or
 * -errno, having said what is missing. */
int tour_demo_argv(const struct options *o, const char *name, char *path,
		   size_t len, char *pace, size_t pacelen, char **argv);
/* --demo tour: says which demo runs now. */
void tour_title(struct session *s);
/* --demo tour: the next demo, held, traced, announced, released. Returns
 * 0 when one started, 1 when the tour is over. */
int tour_next(struct session *s);

#endif /* IPCSCOPE_TOUR_H */
