// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The view state (see view.h): its defaults, the filter and the sort. Keys
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

bool view_filter_object(const struct view *v, const char *name,
			const char *local, const char *remote, const char *peer)
{
	const char *const texts[] = { name, local, remote, peer };

	if (!v->filter[0])
		return true;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i] && texts[i][0] && strcasestr(texts[i], v->filter))
			return true;
	return false;
}

const char *view_sort_name(enum view_sort s)
{
	static const char *const names[SORT__COUNT] = {
		[SORT_PID] = "pid", [SORT_ACTIVITY] = "activity",
		[SORT_NAME] = "name",
	};

	return s < SORT__COUNT ? names[s] : "pid";
}
