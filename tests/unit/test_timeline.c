/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The live view's time (tracer/timeline.c) on record files written here:
 * a replay opens at its first step; forward, back, first and last give
 * the model each moment had (the same going forward or coming back);
 * play moves by the records' clock at the pace chosen; a live history
 * read while it grows (the reader's follow mode) counts steps, and a
 * pause holds its step while the run goes on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "options.h"
#include "records.h"
#include "recording.h"
#include "timeline.h"

#define MS 1000000ULL

/* What the view was told. */
struct seen {
	struct timeline_moment mo;
	const struct model *m;
	int resets, notes, outputs;
};

static void seen_reset(void *ctx, const struct model *m)
{
	struct seen *s = ctx;

	s->m = m;
	s->resets++;
	s->notes = s->outputs = 0;
}

static void seen_show(void *ctx, const struct timeline_moment *mo)
{
	struct seen *s = ctx;

	s->mo = *mo;
}

static void seen_note(void *ctx, const struct model_note *n)
{
	struct seen *s = ctx;

	(void)n;
	s->notes++;
}

static void seen_output(void *ctx, const char *buf, size_t len)
{
	struct seen *s = ctx;

	(void)buf, (void)len;
	s->outputs++;
}

static const struct sink_ops seen_ops = {
	.note = seen_note,
	.output = seen_output,
};

static struct timeline_view view_of(struct seen *s)
{
	return (struct timeline_view){ .reset = seen_reset, .show = seen_show,
				       .past = { &seen_ops, s }, .ctx = s };
}

/* A run of pid 10: a pipe (two steps), a fork (one), output, the child's
 * exit (one); each step 100 ms apart. */
static void put_run(struct recording *r, bool live, struct timeline *t)
{
	struct recording_meta meta = { 0, 1 };
	struct ipcs_snap_task task = rec_snap_task(10, 1, 1, 0xa0);
	struct ipcs_ev_fd p0 = rec_fd(IPCS_EV_PIPE, 100 * MS, 10, 0xa0, 3, -1,
				      0, rec_pipe(0xf2, 88, O_RDONLY, 1));
	struct ipcs_ev_fd p1 = rec_fd(IPCS_EV_PIPE, 200 * MS, 10, 0xa0, 4, -1,
				      0, rec_pipe(0xf3, 88, O_WRONLY, 1));
	struct ipcs_ev_proc fork = rec_fork(300 * MS, 10, 11, 0xa0, 0xb0, 0);
	struct ipcs_ev_proc ex = rec_exit(400 * MS, 11, 0xb0, 0);
	const void *ev[] = { &p0, &p1, &fork, &ex };
	size_t sz[] = { sizeof(p0), sizeof(p1), sizeof(fork), sizeof(ex) };
	uint64_t ts[] = { 100 * MS, 200 * MS, 300 * MS, 400 * MS };

	recording_put(r, RECORDING_META, &meta, sizeof(meta), NULL, 0);
	recording_put(r, RECORDING_SNAP, &task, sizeof(task), NULL, 0);
	for (int i = 0; i < 4; i++) {
		if (i == 3)
			recording_put(r, RECORDING_OUTPUT, "hi\n", 3, NULL, 0);
		recording_put(r, RECORDING_EVENT, ev[i], sz[i], NULL, 0);
		if (live)	/* as the live model's note tells it */
			timeline_live_note(t, ts[i]);
	}
}

static int memfd_recording(struct recording **r, char *path, size_t len)
{
	struct recording_header h;
	int fd = memfd_create("history", MFD_CLOEXEC);

	assert_true(fd >= 0);
	recording_header_init(&h);
	h.mode = OUT_LIVE;
	snprintf(path, len, "/proc/self/fd/%d", fd);
	assert_int_equal(recording_create_fd(r, fd, &h), 0);
	return fd;
}

static bool has_fd(const struct model *m, uint32_t pid, int fd)
{
	struct model_proc *p = model_proc((struct model *)m, pid);

	return p && p->table && model_table_fd(p->table, fd) &&
	       model_table_fd(p->table, fd)->file;
}

static void test_replay_forward_back_ends(void **state)
{
	struct seen s = { 0 };
	struct timeline_view v = view_of(&s);
	struct recording *r;
	struct timeline *t;
	char path[64], why[192];

	(void)state;
	memfd_recording(&r, path, sizeof(path));
	put_run(r, false, NULL);
	recording_flush(r);
	assert_int_equal(timeline_open_replay(&t, path, &v, 5000 * MS, why,
					      sizeof(why)), 0);
	/* paused at the first step: the read end only */
	assert_int_equal(s.mo.state, TIMELINE_PAUSED);
	assert_true(s.mo.replay);
	assert_int_equal(s.mo.step, 1);
	assert_int_equal(s.mo.steps, 4);
	assert_true(has_fd(s.mo.model, 10, 3));
	assert_false(has_fd(s.mo.model, 10, 4));
	/* not closed by its FIN: read to where it stops, said */
	assert_int_equal(timeline_damage(t, why, sizeof(why)), 1);

	timeline_key(t, 'G');
	assert_int_equal(s.mo.step, 4);
	assert_true(model_proc((struct model *)s.mo.model, 11)->exited);
	assert_int_equal(s.outputs, 1);

	/* back one: built again from the first record, the child alive */
	int resets = s.resets;
	timeline_key(t, 'N');
	assert_int_equal(s.mo.step, 3);
	assert_int_equal(s.resets, resets + 1);
	assert_false(model_proc((struct model *)s.mo.model, 11)->exited);
	assert_true(has_fd(s.mo.model, 11, 4));	/* inherited */
	assert_int_equal(s.outputs, 0);	/* the output came after */
	assert_int_equal(s.notes, 3);	/* 2 pipes, the fork: told afresh */

	timeline_key(t, 'g');
	assert_int_equal(s.mo.step, 0);
	assert_non_null(model_proc((struct model *)s.mo.model, 10));
	assert_false(has_fd(s.mo.model, 10, 3));
	timeline_key(t, 'n');
	timeline_key(t, 'n');
	assert_int_equal(s.mo.step, 2);
	assert_true(has_fd(s.mo.model, 10, 3) && has_fd(s.mo.model, 10, 4));
	assert_null(model_proc((struct model *)s.mo.model, 11));

	/* play: the records' clock at the pace; the end holds */
	timeline_tick(t, 1000 * MS);
	timeline_key(t, 'c');
	assert_int_equal(s.mo.state, TIMELINE_PLAYING);
	timeline_tick(t, 1050 * MS);
	assert_int_equal(s.mo.step, 2);
	timeline_tick(t, 1100 * MS);	/* 200 ms + 100 ms: the fork */
	assert_int_equal(s.mo.step, 3);
	timeline_key(t, '+');		/* x2 */
	assert_int_equal(s.mo.speed, 1);
	timeline_tick(t, 1150 * MS);	/* +100 ms of the run: the exit */
	assert_int_equal(s.mo.step, 4);
	assert_int_equal(s.mo.state, TIMELINE_PAUSED);
	for (int i = 0; i < 10; i++)
		timeline_key(t, '-');
	assert_int_equal(s.mo.speed, TIMELINE_SPEED_MIN);
	timeline_close(t);
	recording_close(r);
}

static void test_live_history_grows_pause_holds(void **state)
{
	struct seen s = { 0 };
	struct timeline_view v = view_of(&s);
	struct ipcs_ev_fd c3 = rec_fd(IPCS_EV_CLOSE, 500 * MS, 10, 0xa0, 3, -1,
				      0, rec_pipe(0xf2, 88, O_RDONLY, 0));
	struct recording *r;
	struct timeline *t;
	char path[64];

	(void)state;
	memfd_recording(&r, path, sizeof(path));
	assert_int_equal(timeline_open_live(&t, r, path, &v, 5000 * MS), 0);
	assert_int_equal(s.mo.state, TIMELINE_LIVE);
	put_run(r, true, t);
	timeline_key(t, ' ');
	assert_int_equal(s.mo.state, TIMELINE_PAUSED);
	assert_int_equal(s.mo.step, 4);
	assert_int_equal(s.mo.steps, 4);
	assert_true(has_fd(s.mo.model, 10, 3));
	/* the run goes on: one more step, not shown */
	recording_put(r, RECORDING_EVENT, &c3, sizeof(c3), NULL, 0);
	timeline_live_note(t, 500 * MS);
	timeline_tick(t, 2000 * MS);
	assert_int_equal(s.mo.step, 4);
	assert_int_equal(s.mo.steps, 5);
	assert_true(has_fd(s.mo.model, 10, 3));
	/* a step on reads it from the growing history */
	timeline_key(t, 'n');
	assert_int_equal(s.mo.step, 5);
	assert_false(has_fd(s.mo.model, 10, 3));
	/* stepping past now is the run again */
	timeline_key(t, 'n');
	assert_int_equal(s.mo.state, TIMELINE_LIVE);
	/* slower than the run: the view falls behind, playing */
	timeline_key(t, '-');
	assert_int_equal(s.mo.state, TIMELINE_PLAYING);
	timeline_close(t);
	recording_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_forward_back_ends),
		cmocka_unit_test(test_live_history_grows_pause_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
