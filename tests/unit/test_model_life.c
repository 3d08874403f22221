// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model under process churn and against large fd numbers, from
 * scripted records: a re-read that meets a process whose exit was already
 * applied does not bring it back (no ghosts), a table address the kernel
 * reused is not shared with the processes that held it before, and what a
 * table costs follows the fds it holds, not the highest of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>

#include "records.h"

#define P 100		/* the parent */
#define C 101		/* its child */
#define G 300		/* a process the model holds that the kernel does not */
#define TBL_P 0xffff888000a00000ULL
#define TBL_C 0xffff888000b00000ULL
#define TBL_G 0xffff888000c00000ULL
#define RD 0xffff888001000100ULL	/* pipe read end */
#define WR 0xffff888001000200ULL	/* pipe write end */
#define FA 0xffff888001000300ULL	/* a regular file */
#define PIPE_INO 4242
#define MS 1000000ULL
#define C_START (2 * MS)	/* rec_fork gives the child the fork's time */

/* --- scripting ------------------------------------------------------------ */

static struct rec_fx *fx_of(void **state)
{
	return *state;
}

static void snap_task_at(struct rec_fx *fx, uint32_t pid, uint64_t start,
			 uint64_t files)
{
	struct ipcs_snap_task t = rec_snap_task(pid, 1, start, files);

	assert_int_equal(model_apply_snap(&fx->m, &t, sizeof(t)), 0);
}

static void snap_fd(struct rec_fx *fx, uint32_t pid, uint64_t files, int fd,
		    struct ipcs_file_info f, const char *path)
{
	struct ipcs_snap_fd s = rec_snap_fd(pid, files, fd, 0, f, path);

	assert_int_equal(model_apply_snap(&fx->m, &s, sizeof(s)), 0);
}

static void apply(struct rec_fx *fx, const void *rec, size_t size)
{
	assert_int_equal(model_apply(&fx->m, rec, size), 0);
}

static void fd_ev(struct rec_fx *fx, unsigned kind, uint64_t ts, uint32_t pid,
		  uint64_t files, int fd, int oldfd, struct ipcs_file_info f)
{
	struct ipcs_ev_fd e = rec_fd(kind, ts, pid, files, fd, oldfd, 0, f);

	apply(fx, &e, sizeof(e));
}

/* P (from a snapshot) with a pipe on fds 3 and 4, forked at 2 ms: C. */
static void with_pipe_forked(struct rec_fx *fx)
{
	struct ipcs_ev_proc fork = rec_fork(C_START, P, C, TBL_P, TBL_C, 0);

	snap_task_at(fx, P, P * 1000ULL, TBL_P);
	fd_ev(fx, IPCS_EV_PIPE, 1 * MS, P, TBL_P, 3, -1,
	      rec_pipe(RD, PIPE_INO, O_RDONLY, 1));
	fd_ev(fx, IPCS_EV_PIPE, 1 * MS, P, TBL_P, 4, -1,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 1));
	apply(fx, &fork, sizeof(fork));
}

/* The exit the kernel reports: with the process's start time. */
static void exit_ev(struct rec_fx *fx, uint64_t ts, uint32_t pid,
		    uint64_t files, uint64_t start)
{
	struct ipcs_ev_proc e = rec_exit(ts, pid, files, 0);

	e.start = start;
	apply(fx, &e, sizeof(e));
}

/* A flow the kernel summed up for pid, drained after the fact. */
static void flow_ev(struct rec_fx *fx, uint64_t ts, uint32_t pid,
		    uint64_t files, uint64_t file)
{
	struct ipcs_flow fl;

	memset(&fl, 0, sizeof(fl));
	rec_hdr(&fl.h, IPCS_EV_WRITE, ts - 1, pid, sizeof(fl));
	fl.calls = 1;
	fl.bytes = 1;
	fl.files = files;
	fl.last_ts = ts;
	fl.f = rec_pipe(file, PIPE_INO, 0, 0);
	assert_int_equal(model_apply_flow(&fx->m, &fl, sizeof(fl)), 0);
}

static bool alive(struct rec_fx *fx, uint32_t pid)
{
	struct model_proc *p = model_proc(&fx->m, pid);

	return p && !p->exited;
}

/* How many live processes use the table at kaddr. */
static unsigned table_holders(struct rec_fx *fx, uint64_t kaddr)
{
	unsigned n = 0;

	hmap_for_each(&fx->m.procs, s) {
		const struct model_proc *p = s->val;

		n += !p->exited && p->table && p->table->kaddr == kaddr;
	}
	return n;
}

/* --- ghosts --------------------------------------------------------------- */

/* The loop chose C for a re-read; before C's turn, C's exit was consumed
 * (the loop keeps up with the ring between re-reads). The iterator still
 * finds C (a zombie, or still in do_exit with its fds): that is the
 * process whose exit was applied, not a new one. */
static void test_reread_after_exit_does_not_revive(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe_forked(fx);
	exit_ev(fx, 3 * MS, C, TBL_C, C_START);
	model_resync_begin(&fx->m, C);
	snap_task_at(fx, C, C_START, TBL_C);
	snap_fd(fx, C, TBL_C, 3, rec_pipe(RD, PIPE_INO, O_RDONLY, 2),
		"pipe:[4242]");
	snap_fd(fx, C, TBL_C, 4, rec_pipe(WR, PIPE_INO, O_WRONLY, 2),
		"pipe:[4242]");
	model_resync_end(&fx->m, C);
	assert_false(alive(fx, C));
	assert_int_equal(table_holders(fx, TBL_C), 0);
	assert_int_equal(model_file(&fx->m, RD)->slots, 1);
	assert_int_equal(model_file(&fx->m, WR)->slots, 1);
	model_sweep(&fx->m, 4 * MS);
	assert_null(model_proc(&fx->m, C));
	assert_int_equal(fx->m.tables.len, 1);
}

/* Swept already (the JSON and --top outputs keep no exited process): a
 * flow C made before it exited is drained late. It is told, and adds no
 * process (which nothing would end: its exit has been applied). */
static void test_late_flow_after_sweep_adds_no_process(void **state)
{
	struct rec_fx *fx = fx_of(state);
	uint32_t pids[4];

	with_pipe_forked(fx);
	exit_ev(fx, 3 * MS, C, TBL_C, C_START);
	model_sweep(&fx->m, 4 * MS);
	assert_null(model_proc(&fx->m, C));
	fx->log.n = 0;
	flow_ev(fx, 5 * MS, C, TBL_C, WR);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.v[0].pid, C);
	assert_null(model_proc(&fx->m, C));
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 0);
}

/* Swept already, then a re-read meets C's zombie (a record without the
 * iterator's mark, as older records are): C stays gone. */
static void test_stale_record_after_sweep_does_not_revive(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe_forked(fx);
	exit_ev(fx, 3 * MS, C, TBL_C, C_START);
	model_sweep(&fx->m, 4 * MS);
	snap_task_at(fx, C, C_START, 0);	/* a zombie has no table */
	assert_null(model_proc(&fx->m, C));
	/* until it is forgotten, seconds later */
	model_sweep(&fx->m, 60000 * MS);
	snap_task_at(fx, C, C_START, 0);
	assert_true(alive(fx, C));
}

/* The iterator marks a process whose threads have all begun to exit: at
 * start-up (a zombie whose exit came before we did) it is not added; one
 * the model holds ends (its exit may be among lost events). */
static void test_exiting_task_record_adds_nothing_ends_what_was(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_snap_task t = rec_snap_task(G, 1, G * 1000ULL, 0);

	t.flags = IPCS_TASK_EXITING;
	assert_int_equal(model_apply_snap(&fx->m, &t, sizeof(t)), 0);
	assert_null(model_proc(&fx->m, G));

	with_pipe_forked(fx);
	model_resync_begin(&fx->m, C);
	t = rec_snap_task(C, P, C_START, TBL_C);
	t.flags = IPCS_TASK_EXITING;
	assert_int_equal(model_apply_snap(&fx->m, &t, sizeof(t)), 0);
	snap_fd(fx, C, TBL_C, 3, rec_pipe(RD, PIPE_INO, O_RDONLY, 2),
		"pipe:[4242]");
	model_resync_end(&fx->m, C);
	assert_false(alive(fx, C));
	assert_int_equal(model_file(&fx->m, RD)->slots, 1);
	assert_int_equal(table_holders(fx, TBL_C), 0);
}

/* The pid is used again by a new process (another start time): that one
 * is real. */
static void test_reused_pid_in_a_reread_is_a_new_process(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe_forked(fx);
	exit_ev(fx, 3 * MS, C, TBL_C, C_START);
	snap_task_at(fx, C, 9 * MS, TBL_G);
	assert_true(alive(fx, C));
	assert_int_equal(model_proc(&fx->m, C)->start, 9 * MS);
	assert_int_equal(table_holders(fx, TBL_G), 1);
}

/* The kernel freed G's files_struct (G is gone; its exit never reached
 * us) and gave the address to C's new table. C gets a table of its own,
 * not G's fds; G is re-read. */
static void test_fork_onto_a_reused_table_address(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_proc fork = rec_fork(C_START, P, C, TBL_P, TBL_G, 0);
	struct model_proc *c;
	uint32_t pids[4];

	snap_task_at(fx, G, G * 1000ULL, TBL_G);
	snap_fd(fx, G, TBL_G, 5, rec_reg(FA, 10, O_RDONLY, 1), "/etc/x");
	snap_task_at(fx, P, P * 1000ULL, TBL_P);
	fd_ev(fx, IPCS_EV_PIPE, 1 * MS, P, TBL_P, 3, -1,
	      rec_pipe(RD, PIPE_INO, O_RDONLY, 1));
	apply(fx, &fork, sizeof(fork));
	c = model_proc(&fx->m, C);
	assert_non_null(c->table);
	assert_ptr_not_equal(c->table, model_proc(&fx->m, G)->table);
	assert_int_equal(c->table->users, 1);
	assert_int_equal(model_file(&fx->m, FA)->slots, 1);	/* G's only */
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 1);
	assert_int_equal(pids[0], G);
	/* the re-read finds no G: it goes, and its table with it */
	model_resync_begin(&fx->m, G);
	model_resync_end(&fx->m, G);
	model_sweep(&fx->m, 3 * MS);
	assert_null(model_file(&fx->m, FA));
	assert_int_equal(table_holders(fx, TBL_G), 1);
	assert_ptr_equal(model_proc(&fx->m, C)->table, c->table);
}

/* --- memory --------------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define MALLOC_COUNTED 0	/* ASan's allocator is not glibc's */
#else
#define MALLOC_COUNTED 1
#endif

/* in use: from the arenas, and mmapped apart (large blocks) */
static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

#define HIGH_FD 19999
#define NPROCS 300

/* One fd at 19999 in 300 tables (what any user can do: dup2, then fork):
 * a table costs its open fds, not the highest one; the paused view's
 * copy costs no more. */
static void test_high_fd_costs_what_is_open(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model copy;
	size_t before, model_bytes;

	if (!MALLOC_COUNTED)
		skip();
	before = heap_used();
	for (uint32_t i = 0; i < NPROCS; i++) {
		uint64_t tbl = TBL_P + i * 0x1000ULL;

		snap_task_at(fx, P + i, (P + i) * 1000ULL, tbl);
		for (int fd = 0; fd < 3; fd++)
			snap_fd(fx, P + i, tbl, fd,
				rec_reg(FA, 10, O_RDWR, NPROCS * 4), "/dev/x");
		snap_fd(fx, P + i, tbl, HIGH_FD,
			rec_reg(FA, 10, O_RDWR, NPROCS * 4), "/dev/x");
	}
	model_bytes = heap_used() - before;
	/* a process with its table, 4 fds and a share of the hash maps */
	assert_true(model_bytes < NPROCS * 2048);
	assert_int_equal(model_file(&fx->m, FA)->slots, NPROCS * 4);

	before = heap_used();
	assert_int_equal(model_copy(&copy, &fx->m), 0);
	assert_true(heap_used() - before < NPROCS * 2048 + 64 * 1024);
	model_copy_free(&copy);
}

/* A table's slots against a plain array, over opens, dup2s onto high
 * fds and closes in a scrambled order: every lookup agrees, the walk is
 * in fd order, and a table that emptied gives its room back. */
#define SPAN 3000

static void check_table(struct rec_fx *fx, const uint64_t *want)
{
	const struct model_table *t = model_proc(&fx->m, P)->table;
	int prev = -1;

	for (int fd = 0; fd < SPAN; fd++) {
		const struct model_fd *s = model_table_fd(t, fd);
		uint64_t got = s && s->file ? s->file->kaddr : 0;

		assert_int_equal(got, want[fd]);
	}
	model_table_for_each(t, s) {
		assert_true(s->fd > prev);
		prev = s->fd;
	}
	assert_true(t->nslots <= t->cap);
}

static void test_table_slots_agree_with_an_array(void **state)
{
	struct rec_fx *fx = fx_of(state);
	static uint64_t want[SPAN];
	uint32_t x = 12345;
	unsigned open = 0;

	memset(want, 0, sizeof(want));
	snap_task_at(fx, P, P * 1000ULL, TBL_P);
	for (int step = 0; step < 20000; step++) {
		int fd;

		x = x * 1103515245 + 12345;
		/* mostly low fds, as the kernel hands out; some far up */
		fd = (x >> 8) % 16 ? (int)((x >> 12) % 64) :
				     (int)((x >> 12) % SPAN);
		if (want[fd] && (x >> 4) % 2) {
			fd_ev(fx, IPCS_EV_CLOSE, step, P, TBL_P, fd, -1,
			      rec_reg(want[fd], 10, O_RDONLY, 0));
			want[fd] = 0;
			open--;
		} else if (!want[fd]) {
			want[fd] = FA + 0x100ULL * (step + 1);
			fd_ev(fx, IPCS_EV_OPEN, step, P, TBL_P, fd, -1,
			      rec_reg(want[fd], 10, O_RDONLY, 1));
			open++;
		}
		if (step % 997 == 0)
			check_table(fx, want);
	}
	check_table(fx, want);
	/* close them all; the sweep gives the room back */
	for (int fd = 0; fd < SPAN; fd++)
		if (want[fd]) {
			fd_ev(fx, IPCS_EV_CLOSE, 30000, P, TBL_P, fd, -1,
			      rec_reg(want[fd], 10, O_RDONLY, 0));
			want[fd] = 0;
		}
	model_sweep(&fx->m, 30000);
	check_table(fx, want);
	for (int fd = 0; fd < 3; fd++) {
		want[fd] = FA + 0x10ULL * (fd + 1);
		fd_ev(fx, IPCS_EV_OPEN, 30001, P, TBL_P, fd, -1,
		      rec_reg(want[fd], 10, O_RDONLY, 1));
	}
	check_table(fx, want);
	assert_true(model_proc(&fx->m, P)->table->cap <= 64);
	assert_true(open > 0);
}

static struct model_file *file_at(struct model *m, uint32_t pid, int fd)
{
	struct model_proc *p = model_proc(m, pid);
	struct model_fd *s = p && p->table ? model_table_fd(p->table, fd) : NULL;

	return s ? s->file : NULL;
}

/* popen: the child's close-on-exec closes of the read end happen before
 * its exec record, and the parent's fcntl in between reads the count
 * without the child's reference (1). The exec's implicit close then
 * leaves the parent's: refs 1, not 0, and the pipe keeps its reader. */
static void test_exec_close_counted_before_keeps_holders(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_proc e = rec_exec(4 * MS, C, TBL_C, "/bin/sh");
	struct model_file *rd;

	with_pipe_forked(fx);
	fd_ev(fx, IPCS_EV_FCNTL, 3 * MS, P, TBL_P, 3, -1,
	      rec_pipe(RD, PIPE_INO, O_RDONLY, 1));
	rd = model_file(&fx->m, RD);
	assert_int_equal(rd->refs, 1);
	e.fd_words = 1;
	e.max_fds = 64;
	e.open_fds[0] = 1ULL << 4;	/* fd 3 was close-on-exec */
	apply(fx, &e, sizeof(e));
	assert_null(file_at(&fx->m, C, 3));
	assert_ptr_equal(file_at(&fx->m, P, 3), rd);
	assert_int_equal(rd->refs, 1);
	assert_int_equal(fx->log.v[fx->log.n - 1].refs, 1);
	assert_int_equal(rd->obj->readers, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, rec_fx_setup, rec_fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reread_after_exit_does_not_revive),
		T(test_late_flow_after_sweep_adds_no_process),
		T(test_stale_record_after_sweep_does_not_revive),
		T(test_exiting_task_record_adds_nothing_ends_what_was),
		T(test_reused_pid_in_a_reread_is_a_new_process),
		T(test_fork_onto_a_reused_table_address),
		T(test_high_fd_costs_what_is_open),
		T(test_table_slots_agree_with_an_array),
		T(test_exec_close_counted_before_keeps_holders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
