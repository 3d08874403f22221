// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The view state (see view.h): its defaults and the process filter. Keys
 * that change it are in keys.c.
 */
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "view.h"

void view_init(struct view *v)
{
	memset(v, 0, sizeof(*v));
	v->focus = PANE_PROCS;
	v->show_all = true;
	v->active_ns = VIEW_ACTIVE_NS;
	v->flash_ns = VIEW_FLASH_NS;
}

bool view_fd_shown(const struct view *v, const struct model_fd *s)
{
	return s->file && (v->show_noise || !s->file->loader);
}

bool view_filter_match(const struct view *v, uint32_t pid, const char *comm)
{
	char pidbuf[16];
	size_t n = strlen(v->filter);

	if (!n)
		return true;
	snprintf(pidbuf, sizeof(pidbuf), "%u", pid);
	if (!strncmp(pidbuf, v->filter, n))
		return true;
	return strcasestr(comm, v->filter) != NULL;
}
