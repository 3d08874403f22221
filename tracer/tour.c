// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The demo tour: the path and arguments of a bundled demo, the title of
 * each demo as the tour reaches it, and the start of the next one when
 * the previous demo ends well.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "command.h"
#include "loop.h"
#include "targets.h"
#include "tour.h"

int tour_demo_argv(const struct options *o, const char *name, char *path,
		   size_t len, char *pace, size_t pacelen, char **argv)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int k = 0;

	if (n <= 0)
		return -errno;
	self[n] = 0;
	snprintf(path, len, "%s/demos/%s", dirname(self), name);
	if (access(path, X_OK)) {
		fprintf(stderr,
			"ipcscope: demo '%s' is not built (%s is missing); run: make\n",
			name, path);
		return -ENOENT;
	}
	argv[k++] = path;
	if (o->pace_ms >= 0) {
		snprintf(pace, pacelen, "%d", o->pace_ms);
		argv[k++] = "--pace";
		argv[k++] = pace;
	}
	argv[k] = NULL;
	return 0;
}

void tour_title(struct session *s)
{
	const char *name, *about;

	if (!options_demo(s->tour, &name, &about))
		return;
	if (s->sink.ops && s->sink.ops->title)
		s->sink.ops->title(s->sink.ctx, s->tour + 1, name, about,
				   now_ns(CLOCK_REALTIME));
}

int tour_next(struct session *s)
{
	char path[PATH_MAX], pace[16], *argv[4];
	const char *name, *about;
	bool output = s->sink.ops && s->sink.ops->output;

	if (!options_demo(++s->tour, &name, &about))
		return 1;
	if (tour_demo_argv(&s->opt, name, path, sizeof(path), pace,
			   sizeof(pace), argv) ||
	    command_start(&s->child, &s->hold, argv,
			  output ? &s->child_out : NULL, true))
		return 1;
	if (output) {
		loop_add_fd(s->epfd, s->child_out);
		targets_output_ours(s);
	}
	loader_trace_pid(s->loader, s->child);
	loader_snapshot(s->loader, s->child, targets_on_snap, s);
	tour_title(s);
	s->child_status = -1;
	return command_release(&s->hold) ? 1 : 0;
}
