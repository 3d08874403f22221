// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What one frame of the live view costs on a large model: 1,000 processes
 * of 20 fds each (a terminal shared by all, pipes of their own, pipe ends
 * inherited from the parent), built from snapshot records through
 * model_apply_snap() as the tracer does, then laid out and drawn as ui.c
 * draws (scene_layout, view_fix, scene_draw) at 200x60 and 80x24.
 * Prints "render PROCSxFDS WxH: X.XX ms/frame" (the median of the runs).
 *
 *   build/bench/render [PROCS [FRAMES]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../tests/unit/records.h"
#include "notes.h"
#include "scene.h"

#define NFDS 20
#define OWN_PIPES 4	/* fds 3-10: both ends of four pipes of its own */
#define TTY_FILE 0xffff888000001000ULL
#define TTY_INO 3

static uint64_t table_of(uint32_t i) { return 0xffff880000000000ULL + (uint64_t)i * 0x1000; }
/* entry of end e (0 read, 1 write) of pipe k of process i */
static uint64_t pipe_file(uint32_t i, int k, int e)
{
	return 0xffff890000000000ULL + ((uint64_t)i * 64 + k * 2 + e) * 0x100;
}
static uint64_t pipe_ino(uint32_t i, int k) { return 1000000 + (uint64_t)i * 64 + k; }

static void snap_fd(struct model *m, uint32_t pid, uint64_t files, int fd,
		    struct ipcs_file_info f, const char *path)
{
	struct ipcs_snap_fd s = rec_snap_fd(pid, files, fd, 0, f, path);

	model_apply_snap(m, &s, sizeof(s));
}

/* Process i (pid 1000 + i) is a child of process (i - 1) / 8. */
static void build(struct model *m, uint32_t nprocs)
{
	struct ipcs_file_info tty = rec_reg(TTY_FILE, TTY_INO, O_RDWR, 3 * nprocs);

	tty.dev = 0x19;
	tty.imode = S_IFCHR | 0620;
	for (uint32_t i = 0; i < nprocs; i++) {
		uint32_t pid = 1000 + i, parent = i ? (i - 1) / 8 : 0;
		struct ipcs_snap_task t = rec_snap_task(pid, i ? 1000 + parent : 1,
							pid, table_of(i));
		int fd = 0;

		model_apply_snap(m, &t, sizeof(t));
		for (; fd < 3; fd++)
			snap_fd(m, pid, table_of(i), fd, tty, "/dev/pts/0");
		for (int k = 0; k < OWN_PIPES; k++)
			for (int e = 0; e < 2; e++, fd++)
				snap_fd(m, pid, table_of(i), fd,
					rec_pipe(pipe_file(i, k, e), pipe_ino(i, k),
						 e ? O_WRONLY : O_RDONLY, 2),
					NULL);
		/* the rest: ends of the parent's pipes, inherited */
		for (int k = 0; fd < NFDS; k = (k + 1) % OWN_PIPES) {
			for (int e = 0; e < 2 && fd < NFDS; e++, fd++)
				snap_fd(m, pid, table_of(i), fd,
					rec_pipe(pipe_file(parent, k, e),
						 pipe_ino(parent, k),
						 e ? O_WRONLY : O_RDONLY, 2),
					NULL);
		}
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One frame as ui.c draws it: layout, repair the selection, render. */
static int frame_once(const struct model *m, struct view *v, struct frame *f)
{
	struct scene_layout l;

	if (scene_layout(&l, m, v, f->w, f->h))
		return -1;
	view_fix(v, &l);
	scene_draw(&l, m, v, f);
	scene_layout_free(&l);
	return 0;
}

static int bench(const struct model *m, uint32_t nprocs, int w, int h,
		 int frames, const char *what, bool log)
{
	struct frame f = { 0 };
	struct view v;
	struct view_log vlog = { 0 };
	double *t = calloc(frames, sizeof(*t));

	if (!t || frame_init(&f, w, h, false))
		return -1;
	view_init(&v);
	v.now_ns = 2000000000ULL;
	v.log = &vlog;
	v.show_log = log;
	/* selection in the middle: scrolled, as someone browsing */
	v.focus = PANE_PROCS;
	v.have_sel = true;
	v.sel = (struct view_sel){ PANE_PROCS, 1000 + nprocs / 2, 1000 + nprocs / 2, 0 };
	for (int i = 0; i < frames; i++) {
		double t0 = now_ms();

		if (frame_once(m, &v, &f))
			return -1;
		t[i] = now_ms() - t0;
	}
	qsort(t, frames, sizeof(*t), cmp_double);
	printf("render %ux%d %dx%d%s: %.2f ms/frame (min %.2f, max %.2f)\n",
	       nprocs, NFDS, w, h, what, t[frames / 2], t[0], t[frames - 1]);
	frame_free(&f);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t nprocs = argc > 1 ? (uint32_t)atoi(argv[1]) : 1000;
	int frames = argc > 2 ? atoi(argv[2]) : 100;
	struct model m;
	int err = 0;

	if (!nprocs || frames < 1) {
		fprintf(stderr, "usage: %s [PROCS [FRAMES]]\n", argv[0]);
		return 2;
	}
	model_init(&m);
	build(&m, nprocs);
	err |= bench(&m, nprocs, 200, 60, frames, "", false);
	err |= bench(&m, nprocs, 80, 24, frames, "", false);
	err |= bench(&m, nprocs, 80, 24, frames, " +log", true);
	model_free(&m);
	if (err)
		fprintf(stderr, "render: out of memory\n");
	return err ? 1 : 0;
}
