/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared by the stress programs: waiting for the driver's go file. */
#ifndef STRESS_H
#define STRESS_H
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Waits until PATH exists ("-": at once), at most 120 s, opening and
 * closing /dev/null every 20 ms meanwhile: a heartbeat of events the
 * driver sees once the tracer is attached. */
static inline int stress_wait_file(const char *path)
{
	struct timespec t = { 0, 20 * 1000 * 1000 };

	if (!path || !strcmp(path, "-"))
		return 0;
	for (int i = 0; i < 6000; i++) {
		if (!access(path, F_OK))
			return 0;
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		nanosleep(&t, NULL);
	}
	fprintf(stderr, "stress: %s never appeared\n", path);
	return -1;
}

/* Creates PATH (empty) to tell the driver something happened. */
static inline void stress_mark(const char *path, const char *text)
{
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return;
	f = fopen(path, "w");
	if (f) {
		fputs(text ? text : "", f);
		fclose(f);
	}
}
#endif
