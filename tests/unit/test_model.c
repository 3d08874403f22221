// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Model transitions from scripted records: what pipe, fork, dup, close,
 * exec and exit do to processes, fd tables, open-file entries and objects,
 * the notes they emit, snapshots and resyncs, and records that are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "records.h"

#define P 100		/* the parent */
#define C 101		/* its child */
#define TBL_P 0xffff888000a00000ULL
#define TBL_C 0xffff888000b00000ULL
#define RD 0xffff888001000100ULL	/* pipe read end */
#define WR 0xffff888001000200ULL	/* pipe write end */
#define FA 0xffff888001000300ULL	/* a regular file */
#define FB 0xffff888001000400ULL	/* another */
#define PIPE_INO 4242
#define MS 1000000ULL

/* --- scripting ------------------------------------------------------------ */

static struct rec_fx *fx_of(void **state)
{
	return *state;
}

static void snap_task(struct rec_fx *fx, uint32_t pid, uint64_t files)
{
	struct ipcs_snap_task t = rec_snap_task(pid, 1, pid * 1000ULL, files);

	assert_int_equal(model_apply_snap(&fx->m, &t, sizeof(t)), 0);
}

static void snap_fd(struct rec_fx *fx, uint32_t pid, uint64_t files, int fd,
		    struct ipcs_file_info f, const char *path)
{
	struct ipcs_snap_fd s = rec_snap_fd(pid, files, fd, 0, f, path);

	assert_int_equal(model_apply_snap(&fx->m, &s, sizeof(s)), 0);
}

static void fd_ev(struct rec_fx *fx, unsigned kind, uint64_t ts, uint32_t pid,
		  uint64_t files, int fd, int oldfd, uint32_t fd_flags,
		  struct ipcs_file_info f)
{
	struct ipcs_ev_fd e;

	e = rec_fd(kind, ts, pid, files, fd, oldfd, fd_flags, f);
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
}

static void proc_ev(struct rec_fx *fx, struct ipcs_ev_proc e)
{
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
}

static void open_ev(struct rec_fx *fx, uint64_t ts, uint32_t pid,
		    uint64_t files, int fd, uint32_t fd_flags, uint64_t file,
		    uint64_t ino, uint64_t refs)
{
	fd_ev(fx, IPCS_EV_OPEN, ts, pid, files, fd, -1, fd_flags,
	      rec_reg(file, ino, O_RDONLY, refs));
}

/* pipe(): two PIPE records, one per end, as the BPF side sends them. */
static void pipe_ev(struct rec_fx *fx, uint64_t ts, uint32_t pid,
		    uint64_t files, int rfd, int wfd)
{
	fd_ev(fx, IPCS_EV_PIPE, ts, pid, files, rfd, -1, 0,
	      rec_pipe(RD, PIPE_INO, O_RDONLY, 1));
	fd_ev(fx, IPCS_EV_PIPE, ts, pid, files, wfd, -1, 0,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 1));
}

/* Process P with a pipe on fds 3 (read) and 4 (write). */
static void with_pipe(struct rec_fx *fx)
{
	snap_task(fx, P, TBL_P);
	pipe_ev(fx, 1 * MS, P, TBL_P, 3, 4);
}

/* ... then forked: C has a copy of P's table. */
static void with_pipe_forked(struct rec_fx *fx)
{
	with_pipe(fx);
	proc_ev(fx, rec_fork(2 * MS, P, C, TBL_P, TBL_C, 0));
}

/* The same script without cmocka's assertions, for a forked child (a
 * failed assertion there would jump back into cmocka's runner). */
static void child_with_pipe(struct model *m)
{
	struct ipcs_snap_task t = rec_snap_task(P, 1, P * 1000ULL, TBL_P);
	struct ipcs_ev_fd r = rec_fd(IPCS_EV_PIPE, 1 * MS, P, TBL_P, 3, -1, 0,
				     rec_pipe(RD, PIPE_INO, O_RDONLY, 1));
	struct ipcs_ev_fd w = rec_fd(IPCS_EV_PIPE, 1 * MS, P, TBL_P, 4, -1, 0,
				     rec_pipe(WR, PIPE_INO, O_WRONLY, 1));

	model_init(m);
	model_apply_snap(m, &t, sizeof(t));
	model_apply(m, &r, sizeof(r));
	model_apply(m, &w, sizeof(w));
}

static void child_apply_fork(struct model *m, struct ipcs_ev_proc e)
{
	model_apply(m, &e, sizeof(e));
}

static struct model_file *file_at(struct model *m, uint32_t pid, int fd)
{
	struct model_proc *p = model_proc(m, pid);
	struct model_fd *s = p ? model_table_fd(p->table, fd) : NULL;

	return s ? s->file : NULL;
}

static void clear_log(struct rec_fx *fx)
{
	fx->log.n = 0;
}

/* --- pipe ----------------------------------------------------------------- */

static void test_pipe_gives_two_entries_one_object(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_file *r, *w;

	with_pipe(fx);
	r = model_file(&fx->m, RD);
	w = model_file(&fx->m, WR);
	assert_non_null(r);
	assert_non_null(w);
	assert_int_equal(r->id, 1);
	assert_int_equal(w->id, 2);
	assert_int_equal(r->refs, 1);
	assert_int_equal(w->refs, 1);
	assert_int_equal(r->slots, 1);
	assert_int_equal(w->slots, 1);
	assert_ptr_equal(file_at(&fx->m, P, 3), r);
	assert_ptr_equal(file_at(&fx->m, P, 4), w);
	assert_ptr_equal(r->obj, w->obj);
	assert_int_equal(fx->m.objects.len, 1);
	assert_int_equal(r->obj->kind, OBJ_PIPE);
	assert_string_equal(r->obj->name, "pipe:[4242]");
	assert_int_equal(r->obj->nfiles, 2);
	assert_string_equal(model_access(r->flags), "r");
	assert_string_equal(model_access(w->flags), "w");
}

static void test_pipe_notes_carry_fd_file_object_refs(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	with_pipe(fx);
	assert_int_equal(fx->log.n, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(n[i].kind, IPCS_EV_PIPE);
		assert_int_equal(n[i].pid, P);
		assert_string_equal(n[i].comm, "p100");
		assert_int_equal(n[i].fd, 3 + i);
		assert_int_equal(n[i].oldfd, -1);
		assert_true(n[i].has_file);
		assert_int_equal(n[i].file_id, 1 + i);
		assert_string_equal(n[i].object, "pipe:[4242]");
		assert_int_equal(n[i].obj_kind, OBJ_PIPE);
		assert_int_equal(n[i].refs, 1);
		assert_false(n[i].has_implicit);
	}
}

/* --- fork ----------------------------------------------------------------- */

static void test_fork_copies_table(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_proc *p, *c;

	with_pipe_forked(fx);
	p = model_proc(&fx->m, P);
	c = model_proc(&fx->m, C);
	assert_non_null(c);
	assert_int_equal(c->ppid, P);
	assert_non_null(c->table);
	assert_ptr_not_equal(c->table, p->table);
	assert_int_equal(c->table->kaddr, TBL_C);
	for (int fd = 3; fd <= 4; fd++) {
		struct model_file *f = file_at(&fx->m, C, fd);

		assert_non_null(f);
		assert_ptr_equal(f, file_at(&fx->m, P, fd));
		assert_int_equal(f->id, fd - 2);
		assert_int_equal(f->refs, 2);
		assert_int_equal(f->slots, 2);
	}
	assert_null(file_at(&fx->m, C, 5));
	assert_int_equal(fx->m.files.len, 2);
}

static void test_fork_note_names_child(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe(fx);
	clear_log(fx);
	proc_ev(fx, rec_fork(2 * MS, P, C, TBL_P, TBL_C, 0));
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.v[0].kind, IPCS_EV_FORK);
	assert_int_equal(fx->log.v[0].pid, P);
	assert_int_equal(fx->log.v[0].child, C);
	assert_false(fx->log.v[0].has_file);
}

static void test_fork_shared_files_shares_table(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_proc *p, *c;

	with_pipe(fx);
	proc_ev(fx, rec_fork(2 * MS, P, C, TBL_P, TBL_P,
			     IPCS_PROC_SHARED_FILES));
	p = model_proc(&fx->m, P);
	c = model_proc(&fx->m, C);
	assert_non_null(c);
	assert_ptr_equal(c->table, p->table);
	assert_int_equal(p->table->users, 2);
	assert_int_equal(fx->m.tables.len, 1);
	/* one table, so no fd slot and no reference was added */
	assert_int_equal(model_file(&fx->m, RD)->refs, 1);
	assert_int_equal(model_file(&fx->m, RD)->slots, 1);
}

/* Regression: a FORK record whose child table is the parent's own (files
 * == parent_files) without IPCS_PROC_SHARED_FILES made apply_fork() copy
 * the table onto itself (src == dst): slot_clear(to) emptied `from` too,
 * and `to->file->slots++` dereferenced NULL. Found by this test; apply_fork()
 * now treats one table for both as shared. */
static void fork_into_own_table(void)
{
	struct model m;

	child_with_pipe(&m);
	child_apply_fork(&m, rec_fork(2 * MS, P, C, TBL_P, TBL_P, 0));
	model_free(&m);
}

static void test_fork_into_own_table_does_not_crash(void **state)
{
	(void)state;
	assert_true(rec_survives(fork_into_own_table));
}

/* A FORK record whose child pid is the parent's own (only a corrupt record:
 * the BPF side drops forks whose child tgid is the parent's) is refused and
 * leaves the parent as it was; apply_fork() once freed the parent here and
 * read it afterwards. */
static void fork_child_is_parent(void)
{
	struct model m;
	struct model_proc *p;
	bool intact;

	child_with_pipe(&m);
	child_apply_fork(&m, rec_fork(2 * MS, P, P, TBL_P, TBL_C, 0));
	p = model_proc(&m, P);
	intact = p && p->table && p->table->kaddr == TBL_P &&
		 file_at(&m, P, 3) && file_at(&m, P, 4);
	model_free(&m);
	if (!intact)
		_exit(1);
}

static void test_fork_child_pid_of_parent_leaves_parent_intact(void **state)
{
	(void)state;
	assert_true(rec_survives(fork_child_is_parent));
}

/* --- dup ------------------------------------------------------------------ */

static void test_dup_shares_entry(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n;
	struct model_file *f;

	snap_task(fx, P, TBL_P);
	open_ev(fx, 1 * MS, P, TBL_P, 3, 0, FA, 10, 1);
	fd_ev(fx, IPCS_EV_DUP, 2 * MS, P, TBL_P, 5, 3, 0,
	      rec_reg(FA, 10, O_RDONLY, 2));
	f = model_file(&fx->m, FA);
	assert_ptr_equal(file_at(&fx->m, P, 3), f);
	assert_ptr_equal(file_at(&fx->m, P, 5), f);
	assert_int_equal(f->id, 1);
	assert_int_equal(f->slots, 2);
	assert_int_equal(f->refs, 2);
	assert_int_equal(fx->m.files.len, 1);
	assert_int_equal(fx->log.n, 2);
	n = &fx->log.v[1];
	assert_int_equal(n->kind, IPCS_EV_DUP);
	assert_int_equal(n->fd, 5);
	assert_int_equal(n->oldfd, 3);
	assert_int_equal(n->file_id, 1);
	assert_int_equal(n->refs, 2);
}

static void test_dup2_onto_open_fd_closes_it_first(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_file *old;
	const struct rec_note *n = fx->log.v;

	with_pipe(fx);
	open_ev(fx, 1 * MS, P, TBL_P, 1, 0, FA, 10, 1);
	old = model_file(&fx->m, FA);
	clear_log(fx);
	/* dup2(4, 1): fd 1 held FA */
	fd_ev(fx, IPCS_EV_DUP, 2 * MS, P, TBL_P, 1, 4, 0,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 2));
	assert_int_equal(fx->log.n, 2);
	assert_int_equal(n[0].kind, IPCS_EV_CLOSE);
	assert_int_equal(n[0].fd, 1);
	assert_int_equal(n[0].file_id, old->id);
	assert_true(n[0].has_implicit);
	assert_string_equal(n[0].implicit, "dup2");
	assert_int_equal(n[0].refs, 0);
	assert_int_equal(n[1].kind, IPCS_EV_DUP);
	assert_int_equal(n[1].fd, 1);
	assert_int_equal(n[1].oldfd, 4);
	assert_int_equal(n[1].file_id, model_file(&fx->m, WR)->id);
	assert_int_equal(n[1].refs, 2);
	assert_false(n[1].has_implicit);
	assert_int_equal(old->slots, 0);
	assert_ptr_equal(file_at(&fx->m, P, 1), model_file(&fx->m, WR));
	assert_int_equal(model_file(&fx->m, WR)->slots, 2);
}

/* --- close and sweep ------------------------------------------------------ */

static void test_close_sets_refs_from_event(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_file *r;
	const struct rec_note *n = fx->log.v;

	with_pipe_forked(fx);
	clear_log(fx);
	fd_ev(fx, IPCS_EV_CLOSE, 3 * MS, P, TBL_P, 3, -1, 0,
	      rec_pipe(RD, PIPE_INO, O_RDONLY, 1));
	r = model_file(&fx->m, RD);
	assert_null(file_at(&fx->m, P, 3));
	assert_ptr_equal(file_at(&fx->m, C, 3), r);
	assert_int_equal(r->slots, 1);
	assert_int_equal(r->refs, 1);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(n[0].kind, IPCS_EV_CLOSE);
	assert_int_equal(n[0].pid, P);
	assert_int_equal(n[0].fd, 3);
	assert_int_equal(n[0].file_id, r->id);
	assert_string_equal(n[0].object, "pipe:[4242]");
	assert_int_equal(n[0].refs, 1);
	assert_false(n[0].has_implicit);
}

static void test_close_range_note_is_implicit(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe(fx);
	clear_log(fx);
	fd_ev(fx, IPCS_EV_CLOSE, 3 * MS, P, TBL_P, 4, -1, IPCS_FD_IMPLICIT,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 0));
	assert_int_equal(fx->log.n, 1);
	assert_true(fx->log.v[0].has_implicit);
	assert_string_equal(fx->log.v[0].implicit, "close_range");
	assert_null(file_at(&fx->m, P, 4));
}

static void test_close_of_last_reference_retires_entry(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_file **v;
	size_t n;

	with_pipe(fx);
	fd_ev(fx, IPCS_EV_CLOSE, 3 * MS, P, TBL_P, 3, -1, 0,
	      rec_pipe(RD, PIPE_INO, O_RDONLY, 0));
	/* the kernel frees it: its address no longer names it */
	assert_null(model_file(&fx->m, RD));
	v = model_files_sorted(&fx->m, &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0]->id, 1);
	assert_true(v[0]->stale);
	assert_int_equal(v[0]->slots, 0);
	assert_int_equal(v[0]->refs, 0);
	free(v);
}

static void test_sweep_drops_unreferenced_entry_and_object(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe(fx);
	fd_ev(fx, IPCS_EV_CLOSE, 3 * MS, P, TBL_P, 3, -1, 0,
	      rec_pipe(RD, PIPE_INO, O_RDONLY, 0));
	assert_int_equal(fx->m.files.len, 2);	/* closed, not swept */
	model_sweep(&fx->m, 4 * MS);
	assert_int_equal(fx->m.files.len, 1);
	assert_non_null(model_file(&fx->m, WR));
	assert_int_equal(model_file(&fx->m, WR)->obj->nfiles, 1);
	assert_int_equal(fx->m.objects.len, 1);

	fd_ev(fx, IPCS_EV_CLOSE, 5 * MS, P, TBL_P, 4, -1, 0,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 0));
	model_sweep(&fx->m, 6 * MS);
	assert_int_equal(fx->m.files.len, 0);
	assert_int_equal(fx->m.objects.len, 0);
	assert_non_null(model_proc(&fx->m, P));
}

/* --- fcntl ---------------------------------------------------------------- */

static void test_fcntl_setfd_sets_cloexec(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe(fx);
	clear_log(fx);
	fd_ev(fx, IPCS_EV_FCNTL, 2 * MS, P, TBL_P, 4, -1, IPCS_FD_CLOEXEC,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 1));
	assert_true(model_table_fd(model_proc(&fx->m, P)->table, 4)->cloexec);
	assert_false(model_table_fd(model_proc(&fx->m, P)->table, 3)->cloexec);
	assert_int_equal(model_file(&fx->m, WR)->slots, 1);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.v[0].kind, IPCS_EV_FCNTL);
	assert_true(fx->log.v[0].cloexec);
}

/* --- exec ----------------------------------------------------------------- */

static void test_exec_drops_cloexec_fds(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	snap_task(fx, P, TBL_P);
	open_ev(fx, 1 * MS, P, TBL_P, 3, 0, FA, 10, 1);
	open_ev(fx, 1 * MS, P, TBL_P, 4, IPCS_FD_CLOEXEC, FB, 11, 1);
	clear_log(fx);
	proc_ev(fx, rec_exec(2 * MS, P, TBL_P, "/bin/cat"));
	assert_int_equal(fx->log.n, 2);
	assert_int_equal(n[0].kind, IPCS_EV_EXEC);
	assert_string_equal(n[0].filename, "/bin/cat");
	assert_int_equal(n[1].kind, IPCS_EV_CLOSE);
	assert_int_equal(n[1].fd, 4);
	assert_int_equal(n[1].file_id, model_file(&fx->m, FB)->id);
	assert_true(n[1].has_implicit);
	assert_string_equal(n[1].implicit, "exec");
	assert_int_equal(n[1].refs, 0);
	assert_ptr_equal(file_at(&fx->m, P, 3), model_file(&fx->m, FA));
	assert_null(file_at(&fx->m, P, 4));
	assert_int_equal(model_file(&fx->m, FB)->slots, 0);
}

/* The kernel's own list of the fds left after exec wins over the model's
 * close-on-exec bits (FIOCLEX and FIONCLEX change them without an event),
 * and needs no re-read. */
static void test_exec_with_open_fds_closes_what_the_kernel_closed(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;
	struct ipcs_ev_proc e = rec_exec(2 * MS, P, TBL_P, "/bin/cat");
	uint32_t pids[4];

	snap_task(fx, P, TBL_P);
	open_ev(fx, 1 * MS, P, TBL_P, 3, 0, FA, 10, 1);
	open_ev(fx, 1 * MS, P, TBL_P, 4, IPCS_FD_CLOEXEC, FB, 11, 1);
	model_take_uncertain(&fx->m, pids, 4);
	clear_log(fx);
	e.fd_words = 1;
	e.max_fds = 64;
	e.open_fds[0] = 1ULL << 4;	/* fd 3 went, fd 4 stayed */
	proc_ev(fx, e);
	assert_int_equal(fx->log.n, 2);
	assert_int_equal(n[1].kind, IPCS_EV_CLOSE);
	assert_int_equal(n[1].fd, 3);
	assert_string_equal(n[1].implicit, "exec");
	assert_null(file_at(&fx->m, P, 3));
	assert_ptr_equal(file_at(&fx->m, P, 4), model_file(&fx->m, FB));
	assert_false(model_table_fd(model_proc(&fx->m, P)->table, 4)->cloexec);
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 0);

	/* an fd open that the model never saw: re-read */
	e.open_fds[0] = 1ULL << 4 | 1ULL << 7;
	proc_ev(fx, e);
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 1);
	/* a table with room beyond what the record holds: re-read */
	e.open_fds[0] = 1ULL << 4;
	e.max_fds = 64 * IPCS_EXEC_FD_WORDS + 64;
	proc_ev(fx, e);
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 1);
}

static void test_exec_marks_uncertain_once(void **state)
{
	struct rec_fx *fx = fx_of(state);
	uint32_t pids[4];

	with_pipe(fx);
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 0);
	proc_ev(fx, rec_exec(2 * MS, P, TBL_P, "/bin/cat"));
	assert_true(model_proc(&fx->m, P)->uncertain);
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 1);
	assert_int_equal(pids[0], P);
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 0);
}

static void test_event_from_unknown_process_is_uncertain(void **state)
{
	struct rec_fx *fx = fx_of(state);
	uint32_t pids[4];

	pipe_ev(fx, 1 * MS, P, TBL_P, 3, 4);
	assert_non_null(model_proc(&fx->m, P));
	assert_string_equal(model_proc(&fx->m, P)->comm, "p100");
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 1);
	assert_int_equal(pids[0], P);
}

/* --- exit ----------------------------------------------------------------- */

static void test_exit_drops_all_fds(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_proc *c;

	with_pipe(fx);
	/* a second slot on the write end: dup(4) = 5 */
	fd_ev(fx, IPCS_EV_DUP, 1 * MS, P, TBL_P, 5, 4, 0,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 2));
	proc_ev(fx, rec_fork(2 * MS, P, C, TBL_P, TBL_C, 0));
	assert_int_equal(model_file(&fx->m, RD)->refs, 2);
	assert_int_equal(model_file(&fx->m, WR)->refs, 4);

	proc_ev(fx, rec_exit(3 * MS, C, TBL_C, 7));
	assert_int_equal(model_file(&fx->m, RD)->refs, 1);
	assert_int_equal(model_file(&fx->m, WR)->refs, 2);
	assert_int_equal(model_file(&fx->m, RD)->slots, 1);
	assert_int_equal(model_file(&fx->m, WR)->slots, 2);
	c = model_proc(&fx->m, C);
	assert_non_null(c);
	assert_true(c->exited);
	assert_int_equal(c->exit_code, 7);
	assert_null(c->table);
	assert_int_equal(fx->log.v[fx->log.n - 1].kind, IPCS_EV_EXIT);
	assert_int_equal(fx->log.v[fx->log.n - 1].code, 7);
}

static void test_exited_process_kept_until_keep_time(void **state)
{
	struct rec_fx *fx = fx_of(state);

	fx->m.exited_keep_ns = 10 * MS;
	with_pipe(fx);
	proc_ev(fx, rec_exit(3 * MS, P, TBL_P, 0));
	/* its entries and object go at once: nothing holds them */
	model_sweep(&fx->m, 4 * MS);
	assert_int_equal(fx->m.files.len, 0);
	assert_int_equal(fx->m.objects.len, 0);
	assert_int_equal(fx->m.tables.len, 0);
	assert_non_null(model_proc(&fx->m, P));
	model_sweep(&fx->m, 13 * MS - 1);
	assert_non_null(model_proc(&fx->m, P));
	model_sweep(&fx->m, 13 * MS + 1);
	assert_null(model_proc(&fx->m, P));
	assert_int_equal(fx->m.procs.len, 0);
}

/* --- identity ------------------------------------------------------------- */

static void test_reused_file_address_gives_new_id(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_file **v;
	size_t n;

	snap_task(fx, P, TBL_P);
	open_ev(fx, 1 * MS, P, TBL_P, 3, 0, FA, 10, 1);
	fd_ev(fx, IPCS_EV_CLOSE, 2 * MS, P, TBL_P, 3, -1, 0,
	      rec_reg(FA, 10, O_RDONLY, 0));
	/* the slab hands the same struct file to an open of another inode */
	open_ev(fx, 3 * MS, P, TBL_P, 3, 0, FA, 20, 1);
	assert_int_equal(model_file(&fx->m, FA)->id, 2);
	assert_int_equal(model_file(&fx->m, FA)->obj->ino, 20);
	assert_int_equal(fx->log.v[fx->log.n - 1].file_id, 2);

	v = model_files_sorted(&fx->m, &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0]->id, 1);
	assert_true(v[0]->stale);
	assert_int_equal(v[0]->slots, 0);
	assert_int_equal(v[1]->id, 2);
	assert_false(v[1]->stale);
	free(v);

	model_sweep(&fx->m, 4 * MS);
	assert_int_equal(fx->m.files.len, 1);
	assert_int_equal(fx->m.objects.len, 1);
	assert_int_equal(model_file(&fx->m, FA)->id, 2);
}

static void test_reused_address_on_open_fd_replaces_it(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	snap_task(fx, P, TBL_P);
	open_ev(fx, 1 * MS, P, TBL_P, 3, 0, FA, 10, 1);
	clear_log(fx);
	/* the close was missed */
	open_ev(fx, 3 * MS, P, TBL_P, 3, 0, FA, 20, 1);
	assert_int_equal(fx->log.n, 2);
	assert_int_equal(n[0].kind, IPCS_EV_CLOSE);
	assert_int_equal(n[0].file_id, 1);
	assert_string_equal(n[0].implicit, "replaced");
	assert_int_equal(n[1].kind, IPCS_EV_OPEN);
	assert_int_equal(n[1].file_id, 2);
	assert_int_equal(file_at(&fx->m, P, 3)->id, 2);
}

/* --- data ----------------------------------------------------------------- */

static void data_ev(struct rec_fx *fx, unsigned kind, uint64_t ts, int fd,
		    uint64_t file, uint32_t flags, int64_t bytes,
		    uint32_t buffered, const char *payload)
{
	struct ipcs_file_info f = rec_pipe(file, PIPE_INO, flags, 0);
	struct ipcs_ev_data *e;

	f.pipe_buffered = buffered;
	e = rec_data(kind, ts, P, TBL_P, fd, bytes, f, payload,
		     payload ? strlen(payload) : 0);
	assert_int_equal(model_apply(&fx->m, e, e->h.size), 0);
	free(e);
}

/* The sweep skips ticks when nothing changed, but a data record that finds
 * another entry in its fd (an event we missed) still leaves work for it. */
static void test_sweep_after_data_that_replaced_an_entry(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const uint64_t other = WR + 0x1000;

	with_pipe(fx);
	model_sweep(&fx->m, 2 * MS);
	assert_int_equal(fx->m.files.len, 2);
	data_ev(fx, IPCS_EV_WRITE, 3 * MS, 4, WR, O_WRONLY, 1, 1, NULL);
	model_sweep(&fx->m, 4 * MS);
	assert_int_equal(fx->m.files.len, 2);
	data_ev(fx, IPCS_EV_WRITE, 5 * MS, 4, other, O_WRONLY, 1, 2, NULL);
	assert_int_equal(fx->m.files.len, 3);
	model_sweep(&fx->m, 6 * MS);
	assert_int_equal(fx->m.files.len, 2);
	assert_null(model_file(&fx->m, WR));
	assert_non_null(model_file(&fx->m, other));
}

static void test_write_read_update_object_and_counters(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_object *o;

	with_pipe(fx);
	data_ev(fx, IPCS_EV_WRITE, 2 * MS, 4, WR, O_WRONLY, 12, 12, NULL);
	o = model_file(&fx->m, WR)->obj;
	assert_int_equal(o->buffered, 12);
	assert_int_equal(o->capacity, REC_PIPE_CAP);
	assert_int_equal(o->bytes_in, 12);
	assert_int_equal(o->bytes_out, 0);
	assert_int_equal(model_file(&fx->m, WR)->bytes_in, 12);

	data_ev(fx, IPCS_EV_READ, 3 * MS, 3, RD, O_RDONLY, 5, 7, NULL);
	assert_int_equal(o->buffered, 7);
	assert_int_equal(o->bytes_out, 5);
	assert_int_equal(model_file(&fx->m, RD)->bytes_out, 5);
	/* data events carry no count: the entries keep theirs */
	assert_int_equal(model_file(&fx->m, WR)->refs, 1);
	assert_int_equal(model_file(&fx->m, RD)->refs, 1);
}

/* A flow: what the kernel summed for one process, file and direction. */
static void flow_ev(struct rec_fx *fx, unsigned kind, uint64_t ts, uint32_t pid,
		    uint64_t files, uint64_t file, uint64_t calls, int64_t bytes,
		    uint32_t buffered)
{
	struct ipcs_flow fl;

	memset(&fl, 0, sizeof(fl));
	rec_hdr(&fl.h, kind, ts - 1, pid, sizeof(fl));
	fl.calls = calls;
	fl.bytes = bytes;
	fl.files = files;
	fl.last_ts = ts;
	fl.f = rec_pipe(file, PIPE_INO, 0, 0);
	fl.f.pipe_buffered = buffered;
	assert_int_equal(model_apply_flow(&fx->m, &fl, sizeof(fl)), 0);
}

static void test_flow_notes_sum_with_fd_found(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;
	struct model_object *o;

	with_pipe(fx);
	clear_log(fx);
	flow_ev(fx, IPCS_EV_WRITE, 2 * MS, P, TBL_P, WR, 12, 4096, 4096);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(n[0].kind, IPCS_EV_WRITE);
	assert_int_equal(n[0].fd, 4);	/* the fd P holds the entry at */
	assert_int_equal(n[0].bytes, 4096);
	assert_string_equal(n[0].object, "pipe:[4242]");
	o = model_file(&fx->m, WR)->obj;
	assert_int_equal(o->bytes_in, 4096);
	assert_int_equal(o->buffered, 4096);
	assert_int_equal(o->last_writer, P);
}

/* Flows are drained a tick or two late. Meanwhile the writer closed its
 * end and a new pipe's write end took the same struct file address: the
 * late flow counts for the old pipe and leaves the new entry alone. */
static void test_late_flow_of_a_reused_address(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const uint64_t rd2 = RD + 0x1000;
	struct model_object *old;
	struct model_file *f;

	with_pipe(fx);
	old = model_file(&fx->m, WR)->obj;
	fd_ev(fx, IPCS_EV_CLOSE, 3 * MS, P, TBL_P, 4, -1, 0,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 0));
	fd_ev(fx, IPCS_EV_PIPE, 4 * MS, P, TBL_P, 5, -1, 0,
	      rec_pipe(rd2, PIPE_INO + 1, O_RDONLY, 1));
	fd_ev(fx, IPCS_EV_PIPE, 4 * MS, P, TBL_P, 4, -1, 0,
	      rec_pipe(WR, PIPE_INO + 1, O_WRONLY, 1));
	f = file_at(&fx->m, P, 4);
	clear_log(fx);
	flow_ev(fx, IPCS_EV_WRITE, 2 * MS, P, TBL_P, WR, 3, 30, 30);
	assert_int_equal(fx->log.n, 1);
	assert_string_equal(fx->log.v[0].object, "pipe:[4242]");
	assert_int_equal(old->bytes_in, 30);
	/* the new write end is untouched, still at its address and its fd */
	assert_ptr_equal(model_file(&fx->m, WR), f);
	assert_ptr_equal(file_at(&fx->m, P, 4), f);
	assert_false(f->stale);
	assert_int_equal(f->obj->ino, PIPE_INO + 1);
	assert_int_equal(f->bytes_in, 0);
	assert_int_equal(f->obj->bytes_in, 0);
}

/* A pipe last seen holding data may have been read by a process we do
 * not trace: after a while, a holder is named for a re-read, once. */
static void test_unsure_pipes_name_a_holder_once(void **state)
{
	struct rec_fx *fx = fx_of(state);
	uint32_t pids[4];

	with_pipe(fx);
	data_ev(fx, IPCS_EV_WRITE, 2 * MS, 4, WR, O_WRONLY, 100, 100, NULL);
	/* read at 2 ms: still sure at 1 ms */
	assert_int_equal(model_unsure_pipes(&fx->m, 1 * MS, 5 * MS, pids, 4), 0);
	assert_int_equal(model_unsure_pipes(&fx->m, 3 * MS, 5 * MS, pids, 4), 1);
	assert_int_equal(pids[0], P);
	/* asked at 5 ms: not again before that */
	assert_int_equal(model_unsure_pipes(&fx->m, 4 * MS, 6 * MS, pids, 4), 0);
	assert_int_equal(model_unsure_pipes(&fx->m, 6 * MS, 7 * MS, pids, 4), 1);
	/* an empty pipe is sure */
	data_ev(fx, IPCS_EV_READ, 8 * MS, 3, RD, O_RDONLY, 100, 0, NULL);
	assert_int_equal(model_unsure_pipes(&fx->m, 20 * MS, 21 * MS, pids, 4), 0);
}

static void test_flow_keeps_latest_pipe_state(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_object *o;

	with_pipe(fx);
	/* the reader's flow (read at 3 ms) is drained before the writer's
	 * (last read at 2 ms): the pipe stays as the later reading says */
	flow_ev(fx, IPCS_EV_READ, 3 * MS, P, TBL_P, RD, 1, 6, 0);
	flow_ev(fx, IPCS_EV_WRITE, 2 * MS, P, TBL_P, WR, 1, 6, 6);
	o = model_file(&fx->m, WR)->obj;
	assert_int_equal(o->buffered, 0);
	assert_int_equal(o->bytes_in, 6);
	assert_int_equal(o->bytes_out, 6);
}

static void test_flow_after_exit_does_not_revive(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_proc e = rec_exit(3 * MS, P, TBL_P, 0);

	with_pipe(fx);
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
	clear_log(fx);
	flow_ev(fx, IPCS_EV_WRITE, 4 * MS, P, TBL_P, WR, 3, 30, 30);
	assert_true(model_proc(&fx->m, P)->exited);
	assert_int_equal(fx->log.n, 1);	/* still counted and told */
	assert_int_equal(fx->log.v[0].bytes, 30);
}

static void test_flow_bad_kind_refused(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_flow fl;

	memset(&fl, 0, sizeof(fl));
	fl.h.kind = IPCS_EV_FORK;
	assert_int_equal(model_apply_flow(&fx->m, &fl, sizeof(fl)), -EINVAL);
	assert_int_equal(model_apply_flow(&fx->m, &fl, sizeof(fl) - 1), -EINVAL);
	assert_int_equal(fx->m.bad_records, 2);
}

static void test_data_note_without_payload(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	with_pipe(fx);
	clear_log(fx);
	data_ev(fx, IPCS_EV_WRITE, 2 * MS, 4, WR, O_WRONLY, 12, 12, NULL);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(n[0].kind, IPCS_EV_WRITE);
	assert_int_equal(n[0].fd, 4);
	assert_int_equal(n[0].file_id, 2);
	assert_string_equal(n[0].object, "pipe:[4242]");
	assert_int_equal(n[0].bytes, 12);
	assert_int_equal(n[0].syscall, IPCS_SC_WRITE);
	assert_false(n[0].has_payload);
	assert_int_equal(n[0].payload_len, 0);
}

static void test_data_note_carries_payload(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	with_pipe(fx);
	clear_log(fx);
	data_ev(fx, IPCS_EV_WRITE, 2 * MS, 4, WR, O_WRONLY, 12, 12,
		"Hello, Pipe!");
	assert_int_equal(fx->log.n, 1);
	assert_true(n[0].has_payload);
	assert_int_equal(n[0].payload_len, 12);
	assert_memory_equal(n[0].payload, "Hello, Pipe!", 12);
}

static void test_data_payload_len_clamped_to_record(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_data *e;

	with_pipe(fx);
	clear_log(fx);
	e = rec_data(IPCS_EV_WRITE, 2 * MS, P, TBL_P, 4, 100,
		     rec_pipe(WR, PIPE_INO, O_WRONLY, 0), "abcd", 4);
	e->payload_len = 100;	/* claims more than the record holds */
	assert_int_equal(model_apply(&fx->m, e, e->h.size), 0);
	free(e);
	assert_int_equal(fx->log.n, 1);
	assert_true(fx->log.v[0].has_payload);
	assert_int_equal(fx->log.v[0].payload_len, 4);
}

static void test_data_on_unknown_fd_installs_it(void **state)
{
	struct rec_fx *fx = fx_of(state);
	uint32_t pids[4];

	snap_task(fx, P, TBL_P);
	data_ev(fx, IPCS_EV_WRITE, 2 * MS, 4, WR, O_WRONLY, 3, 3, NULL);
	assert_ptr_equal(file_at(&fx->m, P, 4), model_file(&fx->m, WR));
	assert_int_equal(model_file(&fx->m, WR)->slots, 1);
	assert_int_equal(model_take_uncertain(&fx->m, pids, 4), 1);
}

/* --- refused records ------------------------------------------------------ */

static void assert_refused(struct rec_fx *fx, const void *rec, size_t size)
{
	uint64_t bad = fx->m.bad_records, events = fx->m.events;

	assert_int_equal(model_apply(&fx->m, rec, size), -EINVAL);
	assert_int_equal(fx->m.bad_records, bad + 1);
	assert_int_equal(fx->m.events, events);
	assert_int_equal(fx->log.n, 0);
	assert_int_equal(fx->m.procs.len, 0);
	assert_int_equal(fx->m.files.len, 0);
}

/* Exactly len bytes of heap, so that ASan sees any read past them. */
static void *exact_copy(const void *rec, size_t len)
{
	void *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, rec, len);
	return p;
}

static void test_bad_record_size_zero(void **state)
{
	struct rec_fx *fx = fx_of(state);
	char *none = malloc(1);	/* a read past its one byte is an ASan error */

	assert_non_null(none);
	*none = 0;
	assert_refused(fx, none, 0);
	free(none);
}

static void test_bad_record_shorter_than_header(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_OPEN, 1, P, TBL_P, 3, -1, 0,
				     rec_reg(FA, 10, O_RDONLY, 1));
	void *p = exact_copy(&e, sizeof(struct ipcs_hdr) - 1);

	assert_refused(fx, p, sizeof(struct ipcs_hdr) - 1);
	free(p);
}

static void test_bad_record_header_claims_more_than_given(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_OPEN, 1, P, TBL_P, 3, -1, 0,
				     rec_reg(FA, 10, O_RDONLY, 1));
	size_t given = sizeof(e) - 64;
	void *p = exact_copy(&e, given);

	assert_refused(fx, p, given);
	free(p);
}

static void test_bad_record_header_size_zero(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_OPEN, 1, P, TBL_P, 3, -1, 0,
				     rec_reg(FA, 10, O_RDONLY, 1));

	e.h.size = 0;
	assert_refused(fx, &e, sizeof(e));
}

static void test_bad_record_fork_header_only(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_proc e = rec_fork(1, P, C, TBL_P, TBL_C, 0);
	void *p;

	e.h.size = sizeof(struct ipcs_hdr);
	p = exact_copy(&e, sizeof(struct ipcs_hdr));
	assert_refused(fx, p, sizeof(struct ipcs_hdr));
	free(p);
}

static void test_bad_record_fd_event_too_short(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_CLOSE, 1, P, TBL_P, 3, -1, 0,
				     rec_reg(FA, 10, O_RDONLY, 1));
	void *p;

	e.h.size = sizeof(e) - 8;
	p = exact_copy(&e, sizeof(e) - 8);
	assert_refused(fx, p, sizeof(e) - 8);
	free(p);
}

static void test_bad_record_data_event_too_short(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_data *e = rec_data(IPCS_EV_WRITE, 1, P, TBL_P, 4, 1,
					  rec_pipe(WR, PIPE_INO, O_WRONLY, 0),
					  NULL, 0);

	e->h.size = sizeof(*e) - 8;
	assert_refused(fx, e, sizeof(*e) - 8);
	free(e);
}

/* The last writer's close: the close is read before the kernel does it,
 * so it says "w1"; once its entry is freed the pipe has no writer (the
 * reader will see EOF). */
static void test_last_writer_close_leaves_no_writer(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_object *o;

	with_pipe(fx);
	fd_ev(fx, IPCS_EV_CLOSE, 2 * MS, P, TBL_P, 4, -1, 0,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 0));
	o = hmap_get(&fx->m.objects, REC_PIPE_DEV, PIPE_INO);
	assert_non_null(o);
	assert_int_equal(o->writers, 0);
	assert_int_equal(o->readers, 1);
}

/* ... and the same when the last writer goes with its process's exit. */
static void test_last_writer_exit_leaves_no_writer(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_object *o;

	with_pipe_forked(fx);
	fd_ev(fx, IPCS_EV_CLOSE, 3 * MS, P, TBL_P, 4, -1, 0,
	      rec_pipe(WR, PIPE_INO, O_WRONLY, 1));
	o = hmap_get(&fx->m.objects, REC_PIPE_DEV, PIPE_INO);
	assert_int_equal(o->writers, 1);
	proc_ev(fx, rec_exit(4 * MS, C, 0, 0));
	assert_int_equal(o->writers, 0);
	assert_int_equal(o->readers, 1);
}

static const struct model_object *object_of_fd(struct rec_fx *fx,
					       uint32_t pid, int fd)
{
	const struct model_proc *p = model_proc(&fx->m, pid);
	const struct model_fd *s;

	assert_non_null(p);
	s = model_table_fd(p->table, fd);
	assert_non_null(s);
	assert_non_null(s->file);
	return s->file->obj;
}

/* An open the kernel named (IPCS_FD_KPATH) is named by that path, for
 * certain; a later open of the same inode number (git's HEAD.lock after
 * master.lock went) is named afresh. */
static void test_open_named_by_kernel_path_afresh(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_fd e;

	snap_task(fx, P, TBL_P);
	e = rec_fd(IPCS_EV_OPEN, 1 * MS, P, TBL_P, 3, -1, IPCS_FD_KPATH,
		   rec_reg(FA, 77, O_WRONLY, 1));
	strcpy(e.path, "/repo/.git/refs/heads/master.lock");
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
	assert_string_equal(object_of_fd(fx, P, 3)->name,
			    "/repo/.git/refs/heads/master.lock");
	fd_ev(fx, IPCS_EV_CLOSE, 2 * MS, P, TBL_P, 3, -1, 0,
	      rec_reg(FA, 77, O_WRONLY, 0));
	e = rec_fd(IPCS_EV_OPEN, 3 * MS, P, TBL_P, 3, -1, IPCS_FD_KPATH,
		   rec_reg(FB, 77, O_WRONLY, 1));
	strcpy(e.path, "/repo/.git/HEAD.lock");
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
	assert_string_equal(object_of_fd(fx, P, 3)->name, "/repo/.git/HEAD.lock");
}

/* Every eventfd, timerfd, epoll... is one anonymous inode: each entry is
 * its own object, named by its own dentry. */
static void test_anon_inodes_are_one_object_each(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_file_info a = rec_reg(FA, 9, O_RDWR, 1);
	struct ipcs_file_info b = rec_reg(FB, 9, O_RDWR, 1);
	struct ipcs_ev_fd e;

	a.imode = b.imode = 0600;	/* anon inodes carry no type bits */
	a.magic = b.magic = IPCS_ANON_INODE_FS_MAGIC;
	snap_task(fx, P, TBL_P);
	e = rec_fd(IPCS_EV_OPEN, 1 * MS, P, TBL_P, 3, -1, 0, a);
	strcpy(e.name, "[eventfd]");
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
	e = rec_fd(IPCS_EV_OPEN, 2 * MS, P, TBL_P, 4, -1, 0, b);
	strcpy(e.name, "[timerfd]");
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
	assert_string_equal(object_of_fd(fx, P, 3)->name, "anon_inode:[eventfd]");
	assert_string_equal(object_of_fd(fx, P, 4)->name, "anon_inode:[timerfd]");
	assert_ptr_not_equal(object_of_fd(fx, P, 3), object_of_fd(fx, P, 4));
}

/* lseek and regular-file data move the entry's offset; the notes say it. */
static void test_offsets_follow_lseek_and_data(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_file_info f = rec_reg(FA, 5, O_RDWR, 1);
	struct ipcs_ev_data *d;

	snap_task(fx, P, TBL_P);
	fd_ev(fx, IPCS_EV_OPEN, 1 * MS, P, TBL_P, 3, -1, 0, f);
	f.pos = 5;
	d = rec_data(IPCS_EV_WRITE, 2 * MS, P, TBL_P, 3, 5, f, NULL, 0);
	assert_int_equal(model_apply(&fx->m, d, d->h.size), 0);
	free(d);
	assert_int_equal(model_file(&fx->m, FA)->pos, 5);
	f.pos = 1;
	fd_ev(fx, IPCS_EV_LSEEK, 3 * MS, P, TBL_P, 3, -1, 0, f);
	assert_int_equal(model_file(&fx->m, FA)->pos, 1);
}

static void test_bad_record_unknown_kind(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_fd e = rec_fd(IPCS_EV__COUNT, 1, P, TBL_P, 3, -1, 0,
				     rec_reg(FA, 10, O_RDONLY, 1));

	assert_refused(fx, &e, sizeof(e));
	e.h.kind = 0xffff;
	assert_refused(fx, &e, sizeof(e));
	assert_int_equal(fx->m.bad_records, 2);
}

static void test_bad_snap_records(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_snap_task t = rec_snap_task(P, 1, 1, TBL_P);
	struct ipcs_snap_fd s = rec_snap_fd(P, TBL_P, 3, 0,
					    rec_reg(FA, 10, O_RDONLY, 1), "/a");
	void *p = exact_copy(&t, 4);

	assert_int_equal(model_apply_snap(&fx->m, p, 4), -EINVAL);
	free(p);
	p = exact_copy(&t, sizeof(t) - 1);
	assert_int_equal(model_apply_snap(&fx->m, p, sizeof(t) - 1), -EINVAL);
	free(p);
	t.h.size = sizeof(t) + 8;		/* a size it does not have */
	assert_int_equal(model_apply_snap(&fx->m, &t, sizeof(t)), -EINVAL);
	t.h.size = sizeof(t);
	t.h.kind = 7;
	assert_int_equal(model_apply_snap(&fx->m, &t, sizeof(t)), -EINVAL);
	/* an fd record that says it is a task */
	s.h.kind = IPCS_SNAP_TASK;
	assert_int_equal(model_apply_snap(&fx->m, &s, sizeof(s)), -EINVAL);
	s.h.kind = IPCS_SNAP_FD;
	p = exact_copy(&s, sizeof(s) - 8);
	assert_int_equal(model_apply_snap(&fx->m, p, sizeof(s) - 8), -EINVAL);
	free(p);
	assert_int_equal(fx->m.bad_records, 6);
	assert_int_equal(fx->m.procs.len, 0);
	assert_int_equal(fx->m.files.len, 0);
}

/* --- snapshot and resync -------------------------------------------------- */

/* P and C, each with its own table holding both pipe ends on 3 and 4. */
static void snap_pipe_pair(struct rec_fx *fx)
{
	snap_task(fx, P, TBL_P);
	snap_task(fx, C, TBL_C);
	for (int i = 0; i < 2; i++) {
		uint32_t pid = i ? C : P;
		uint64_t tbl = i ? TBL_C : TBL_P;

		snap_fd(fx, pid, tbl, 3, rec_pipe(RD, PIPE_INO, O_RDONLY, 2),
			"pipe:[4242]");
		snap_fd(fx, pid, tbl, 4, rec_pipe(WR, PIPE_INO, O_WRONLY, 2),
			"pipe:[4242]");
	}
}

static void test_snapshot_builds_procs_tables_entries(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_proc *p, *c;

	snap_pipe_pair(fx);
	p = model_proc(&fx->m, P);
	c = model_proc(&fx->m, C);
	assert_non_null(p);
	assert_non_null(c);
	assert_string_equal(p->comm, "p100");
	assert_int_equal(p->start, P * 1000ULL);
	assert_false(p->uncertain);
	assert_int_equal(p->table->kaddr, TBL_P);
	assert_int_equal(c->table->kaddr, TBL_C);
	assert_int_equal(p->table->users, 1);
	assert_int_equal(fx->m.tables.len, 2);
	assert_int_equal(fx->m.files.len, 2);
	assert_int_equal(fx->m.objects.len, 1);
	assert_string_equal(model_file(&fx->m, RD)->obj->name, "pipe:[4242]");
	assert_int_equal(fx->log.n, 0);	/* snapshots make no notes */
}

static void test_snapshot_same_file_shares_entry(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_file *r;

	snap_pipe_pair(fx);
	r = model_file(&fx->m, RD);
	assert_ptr_equal(file_at(&fx->m, P, 3), r);
	assert_ptr_equal(file_at(&fx->m, C, 3), r);
	assert_int_equal(r->slots, 2);
	assert_int_equal(r->refs, 2);
	assert_int_equal(model_file(&fx->m, WR)->slots, 2);
	assert_int_not_equal(r->id, model_file(&fx->m, WR)->id);
}

static void test_snapshot_names_file_by_d_path(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_file *f;

	snap_task(fx, P, TBL_P);
	snap_fd(fx, P, TBL_P, 3, rec_reg(FA, 10, O_RDWR | O_APPEND, 1),
		"/var/log/x.log");
	f = model_file(&fx->m, FA);
	assert_non_null(f);
	assert_int_equal(f->obj->kind, OBJ_FILE);
	assert_string_equal(f->obj->name, "/var/log/x.log");
	assert_true(f->obj->name_certain);
	assert_string_equal(model_access(f->flags), "rw");
}

static void test_resync_drops_missing_fd_keeps_ids(void **state)
{
	struct rec_fx *fx = fx_of(state);
	unsigned rid, wid;

	snap_pipe_pair(fx);
	rid = model_file(&fx->m, RD)->id;
	wid = model_file(&fx->m, WR)->id;
	/* C closed its write end while we were not looking */
	model_resync_begin(&fx->m, C);
	snap_task(fx, C, TBL_C);
	snap_fd(fx, C, TBL_C, 3, rec_pipe(RD, PIPE_INO, O_RDONLY, 2),
		"pipe:[4242]");
	assert_ptr_equal(file_at(&fx->m, C, 3), model_file(&fx->m, RD));
	assert_null(file_at(&fx->m, C, 4));
	assert_int_equal(model_file(&fx->m, RD)->slots, 2);
	assert_int_equal(model_file(&fx->m, WR)->slots, 1);
	model_sweep(&fx->m, 1);
	assert_int_equal(model_file(&fx->m, RD)->id, rid);
	assert_int_equal(model_file(&fx->m, WR)->id, wid);
	assert_ptr_equal(file_at(&fx->m, P, 4), model_file(&fx->m, WR));
}

static void test_resync_after_events_converges(void **state)
{
	struct rec_fx *fx = fx_of(state);
	unsigned rid;

	with_pipe_forked(fx);
	rid = model_file(&fx->m, RD)->id;
	/* exec closed C's fds; it now holds the read end and a new file */
	model_resync_begin(&fx->m, C);
	snap_task(fx, C, TBL_C);
	snap_fd(fx, C, TBL_C, 3, rec_pipe(RD, PIPE_INO, O_RDONLY, 2),
		"pipe:[4242]");
	snap_fd(fx, C, TBL_C, 7, rec_reg(FA, 10, O_RDONLY, 1), "/etc/x");
	model_sweep(&fx->m, 3 * MS);
	assert_int_equal(model_file(&fx->m, RD)->id, rid);
	assert_int_equal(model_file(&fx->m, RD)->slots, 2);
	assert_null(file_at(&fx->m, C, 4));
	assert_int_equal(model_file(&fx->m, WR)->slots, 1);
	assert_int_equal(file_at(&fx->m, C, 7)->id, 3);
	assert_string_equal(file_at(&fx->m, C, 7)->obj->name, "/etc/x");
	assert_int_equal(fx->m.files.len, 3);
}

static void test_resync_then_sweep_frees_gone_entry(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe(fx);
	model_resync_begin(&fx->m, P);
	snap_task(fx, P, TBL_P);
	snap_fd(fx, P, TBL_P, 4, rec_pipe(WR, PIPE_INO, O_WRONLY, 1),
		"pipe:[4242]");
	model_sweep(&fx->m, 3 * MS);
	assert_null(model_file(&fx->m, RD));
	assert_int_equal(model_file(&fx->m, WR)->id, 2);
	assert_int_equal(fx->m.files.len, 1);
	assert_int_equal(fx->m.objects.len, 1);
}

/* A resync that finds no such process: its exit was among the lost
 * events. It goes, and so do the fds it held. */
static void test_resync_of_a_gone_process_drops_it(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_pipe_forked(fx);
	model_resync_begin(&fx->m, C);
	model_resync_end(&fx->m, C);
	assert_true(model_proc(&fx->m, C)->exited);
	model_sweep(&fx->m, 3 * MS);
	assert_null(model_proc(&fx->m, C));
	assert_int_equal(model_file(&fx->m, RD)->slots, 1);
	assert_int_equal(model_file(&fx->m, WR)->slots, 1);
	/* one that is found stays */
	model_resync_begin(&fx->m, P);
	snap_task(fx, P, TBL_P);
	model_resync_end(&fx->m, P);
	assert_false(model_proc(&fx->m, P)->exited);
}

/* Regression: an OPEN (or PIPE) event that a resync has already seen must
 * be idempotent ("a resync that overlaps events converges", model.c's
 * header). The loop consumes the ring buffer, then re-reads a process; an
 * open() made in between is in the snapshot and still queued. With
 * file_get(..., fresh = true) for every creating event, apply_fd_install()
 * retired the snapshot's entry although the slot already held it: a new id
 * and a spurious close note (implicit "replaced"). Found by this test;
 * apply_fd_install() now leaves `fresh` off when the slot already holds
 * that live entry. */
static void test_resync_overlapping_open_event_keeps_entry(void **state)
{
	struct rec_fx *fx = fx_of(state);

	snap_task(fx, P, TBL_P);
	snap_fd(fx, P, TBL_P, 5, rec_reg(FA, 10, O_RDONLY, 1), "/etc/x");
	assert_int_equal(model_file(&fx->m, FA)->id, 1);
	/* the open the snapshot already saw arrives afterwards */
	open_ev(fx, 1 * MS, P, TBL_P, 5, 0, FA, 10, 1);
	assert_int_equal(model_file(&fx->m, FA)->id, 1);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.v[0].kind, IPCS_EV_OPEN);
	assert_int_equal(fx->log.v[0].file_id, 1);
}

/* --- sorted views --------------------------------------------------------- */

static void test_procs_sorted_by_pid(void **state)
{
	struct rec_fx *fx = fx_of(state);
	static const uint32_t pids[] = { 300, 7, 1000, 100, 42 };
	static const uint32_t want[] = { 7, 42, 100, 300, 1000 };
	struct model_proc **v;
	size_t n;

	for (size_t i = 0; i < 5; i++)
		snap_task(fx, pids[i], TBL_P + i * 0x1000);
	v = model_procs_sorted(&fx->m, &n);
	assert_non_null(v);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i]->pid, want[i]);
	free(v);
}

static void test_files_sorted_by_id(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_file **v;
	size_t n;

	snap_task(fx, P, TBL_P);
	for (int i = 0; i < 20; i++)
		open_ev(fx, 1 * MS, P, TBL_P, 3 + i, 0,
			FA + (uint64_t)(20 - i) * 0x100, 10 + i, 1);
	v = model_files_sorted(&fx->m, &n);
	assert_non_null(v);
	assert_int_equal(n, 20);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i]->id, i + 1);
	free(v);
}

static void test_objects_sorted_by_name(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_object **v;
	size_t n;

	snap_task(fx, P, TBL_P);
	snap_fd(fx, P, TBL_P, 3, rec_reg(FA, 11, O_RDONLY, 1), "/b");
	snap_fd(fx, P, TBL_P, 4, rec_pipe(RD, 5, O_RDONLY, 1), "pipe:[5]");
	snap_fd(fx, P, TBL_P, 5, rec_reg(FB, 12, O_RDONLY, 1), "/a");
	v = model_objects_sorted(&fx->m, &n);
	assert_non_null(v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0]->name, "/a");
	assert_string_equal(v[1]->name, "/b");
	assert_string_equal(v[2]->name, "pipe:[5]");
	free(v);
}

static void test_sorted_views_of_empty_model(void **state)
{
	struct rec_fx *fx = fx_of(state);
	size_t n = 99;
	void *v;

	v = model_procs_sorted(&fx->m, &n);
	assert_int_equal(n, 0);
	free(v);
	v = model_files_sorted(&fx->m, &n);
	assert_int_equal(n, 0);
	free(v);
	v = model_objects_sorted(&fx->m, &n);
	assert_int_equal(n, 0);
	free(v);
}

/* --- POSIX message queues --------------------------------------------------- */

#define MQ 0xffff888001000500ULL	/* an mq_open()ed queue */
#define MQ_CHILD 0xffff888001000600ULL	/* the same queue, opened again */
#define MQ_INO 196610

static void mq_open_ev(struct rec_fx *fx, uint64_t ts, uint32_t pid,
		       uint64_t files, int fd, uint64_t file, uint32_t flags,
		       uint64_t refs, uint32_t curmsgs)
{
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_MQ_OPEN, ts, pid, files, fd, -1,
				     IPCS_FD_CLOEXEC,
				     rec_mq(file, MQ_INO, flags, refs, curmsgs,
					    4, curmsgs * 5));

	rec_str(e.name, sizeof(e.name), "myq");
	rec_str(e.path, sizeof(e.path), "myq");	/* glibc drops the '/' */
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
}

static void mq_data_ev(struct rec_fx *fx, unsigned kind, uint64_t ts,
		       uint32_t pid, uint64_t files, int fd, uint64_t file,
		       int64_t bytes, uint32_t curmsgs, uint64_t qsize)
{
	struct ipcs_ev_data *e;

	e = rec_data(kind, ts, pid, files, fd, bytes,
		     rec_mq(file, MQ_INO, 0, 0, curmsgs, 4, qsize), NULL, 0);
	e->syscall = kind == IPCS_EV_WRITE ? IPCS_SC_MQ_TIMEDSEND :
					     IPCS_SC_MQ_TIMEDRECEIVE;
	assert_int_equal(model_apply(&fx->m, e, e->h.size), 0);
	free(e);
}

static void mq_unlink_ev(struct rec_fx *fx, uint64_t ts, uint32_t pid,
			 const char *name)
{
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_MQ_UNLINK, ts, pid, 0, -1, -1, 0,
				     (struct ipcs_file_info){ 0 });

	rec_str(e.path, sizeof(e.path), name);
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
}

static void test_mq_open_names_queue_as_proc_does(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;
	struct model_file *f;

	snap_task(fx, P, TBL_P);
	mq_open_ev(fx, 1 * MS, P, TBL_P, 3, MQ, O_RDWR, 1, 0);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(n[0].kind, IPCS_EV_MQ_OPEN);
	assert_int_equal(n[0].fd, 3);
	assert_true(n[0].cloexec);
	assert_string_equal(n[0].object, "/myq");
	assert_int_equal(n[0].obj_kind, OBJ_MQ);
	assert_int_equal(n[0].refs, 1);
	f = file_at(&fx->m, P, 3);
	assert_non_null(f);
	assert_int_equal(f->obj->stat.count, 0);
	assert_int_equal(f->obj->stat.limit, 4);
	assert_int_equal(f->obj->stat.msgsize, 64);
	assert_string_equal(obj_kind_name(OBJ_MQ), "mq");
}

/* Each mq_open makes an entry of its own on the one queue object. */
static void test_mq_two_opens_two_entries_one_queue(void **state)
{
	struct rec_fx *fx = fx_of(state);

	snap_task(fx, P, TBL_P);
	mq_open_ev(fx, 1 * MS, P, TBL_P, 3, MQ, O_RDWR, 1, 0);
	mq_open_ev(fx, 2 * MS, P, TBL_P, 4, MQ_CHILD, O_WRONLY, 1, 0);
	assert_ptr_not_equal(file_at(&fx->m, P, 3), file_at(&fx->m, P, 4));
	assert_ptr_equal(file_at(&fx->m, P, 3)->obj, file_at(&fx->m, P, 4)->obj);
	assert_int_equal(file_at(&fx->m, P, 4)->obj->nfiles, 2);
}

static void test_mq_send_receive_follow_depth(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;
	struct model_object *o;

	snap_task(fx, P, TBL_P);
	mq_open_ev(fx, 1 * MS, P, TBL_P, 3, MQ, O_RDWR, 1, 0);
	clear_log(fx);
	mq_data_ev(fx, IPCS_EV_WRITE, 2 * MS, P, TBL_P, 3, MQ, 5, 1, 5);
	mq_data_ev(fx, IPCS_EV_WRITE, 3 * MS, P, TBL_P, 3, MQ, 2, 2, 7);
	o = file_at(&fx->m, P, 3)->obj;
	assert_int_equal(o->stat.count, 2);
	assert_int_equal(o->stat.bytes, 7);
	assert_int_equal(o->bytes_in, 7);
	mq_data_ev(fx, IPCS_EV_READ, 4 * MS, P, TBL_P, 3, MQ, 2, 1, 5);
	assert_int_equal(o->stat.count, 1);
	assert_int_equal(o->stat.bytes, 5);
	assert_int_equal(o->stat.limit, 4);
	assert_int_equal(o->bytes_out, 2);
	assert_int_equal(fx->log.n, 3);
	assert_int_equal(n[0].kind, IPCS_EV_WRITE);
	assert_int_equal(n[0].syscall, IPCS_SC_MQ_TIMEDSEND);
	assert_int_equal(n[0].bytes, 5);
	assert_string_equal(n[0].object, "/myq");
	assert_int_equal(n[2].kind, IPCS_EV_READ);
	assert_int_equal(n[2].syscall, IPCS_SC_MQ_TIMEDRECEIVE);
	/* the entry's count is the one mq_open saw */
	assert_int_equal(n[2].refs, 1);
}

static void test_mq_unlink_marks_open_queue_deleted(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	snap_task(fx, P, TBL_P);
	mq_open_ev(fx, 1 * MS, P, TBL_P, 3, MQ, O_RDWR, 1, 0);
	clear_log(fx);
	mq_unlink_ev(fx, 2 * MS, P, "other");
	mq_unlink_ev(fx, 3 * MS, P, "myq");
	assert_int_equal(fx->log.n, 2);
	assert_int_equal(n[0].kind, IPCS_EV_MQ_UNLINK);
	assert_string_equal(n[0].filename, "/other");
	assert_false(n[0].has_obj);
	assert_string_equal(n[1].filename, "/myq");
	assert_true(n[1].has_obj);
	/* as /proc/PID/fd shows an unlinked queue */
	assert_string_equal(n[1].object, "/myq (deleted)");
	assert_string_equal(file_at(&fx->m, P, 3)->obj->name, "/myq (deleted)");
}

static void test_mq_unlink_of_longest_name_is_bounded(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_MQ_UNLINK, 1 * MS, P, 0, -1, -1, 0,
				     (struct ipcs_file_info){ 0 });

	memset(e.path, 'q', sizeof(e.path));	/* no NUL at all */
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(strlen(fx->log.v[0].filename), IPCS_PATH_LEN + 1);
	assert_int_equal(fx->log.v[0].filename[0], '/');
}

static void test_mq_snapshot_names_by_d_path(void **state)
{
	struct rec_fx *fx = fx_of(state);

	snap_task(fx, P, TBL_P);
	snap_fd(fx, P, TBL_P, 5, rec_mq(MQ, MQ_INO, O_RDWR, 1, 3, 4, 15),
		"/myq (deleted)");
	assert_string_equal(file_at(&fx->m, P, 5)->obj->name, "/myq (deleted)");
	assert_int_equal(file_at(&fx->m, P, 5)->obj->kind, OBJ_MQ);
	assert_int_equal(file_at(&fx->m, P, 5)->obj->stat.count, 3);
	assert_int_equal(file_at(&fx->m, P, 5)->obj->stat.bytes, 15);
}

/* --- shared mappings: munmap, shmdt ------------------------------------------ */

#define MAP_AT 0x7f0000000000ULL
#define PG 4096ULL
#define SHMID 98313

static void mmap_ev(struct rec_fx *fx, uint64_t ts, uint32_t pid, int fd,
		    uint64_t addr, uint64_t len, uint64_t refs)
{
	struct ipcs_ev_fd e = rec_mmap(ts, pid, TBL_P, fd, addr, len,
				       rec_reg(FA, 10, O_RDWR, refs));

	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
}

static void munmap_ev(struct rec_fx *fx, uint64_t ts, uint32_t pid,
		      uint64_t addr, uint64_t len)
{
	struct ipcs_ev_munmap e = rec_munmap(ts, pid, addr, len);

	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
}

static void ipc_ev(struct rec_fx *fx, struct ipcs_ev_ipc e)
{
	assert_int_equal(model_apply(&fx->m, &e, sizeof(e)), 0);
}

/* P opens FA on fd 3 and maps 3 pages of it at MAP_AT. */
static void with_mapping(struct rec_fx *fx)
{
	snap_task(fx, P, TBL_P);
	open_ev(fx, 1 * MS, P, TBL_P, 3, 0, FA, 10, 1);
	mmap_ev(fx, 2 * MS, P, 3, MAP_AT, 3 * PG, 2);
}

static struct model_file *fa(struct rec_fx *fx)
{
	return model_file(&fx->m, FA);
}

static void test_munmap_of_whole_mapping_frees_entry_held_by_it(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	with_mapping(fx);
	fd_ev(fx, IPCS_EV_CLOSE, 3 * MS, P, TBL_P, 3, -1, 0,
	      rec_reg(FA, 10, O_RDWR, 1));
	assert_int_equal(fa(fx)->refs, 1);
	assert_int_equal(fa(fx)->slots, 0);
	assert_int_equal(fa(fx)->maps, 1);
	model_sweep(&fx->m, 3 * MS);
	assert_non_null(fa(fx));	/* the mapping holds it */
	clear_log(fx);
	munmap_ev(fx, 4 * MS, P, MAP_AT, 3 * PG);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(n[0].kind, IPCS_EV_MUNMAP);
	assert_int_equal(n[0].file_id, 1);
	assert_string_equal(n[0].object, "inode:[10]");
	assert_int_equal(n[0].refs, 0);
	assert_int_equal(n[0].addr, MAP_AT);
	assert_int_equal(n[0].len, 3 * PG);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 0);
	assert_int_equal(fa(fx)->maps, 0);
	model_sweep(&fx->m, 4 * MS);
	assert_null(fa(fx));
}

/* A hole in the middle leaves two vmas, each with a reference of its own:
 * the counts agree with the kernel's at the next close. */
static void test_munmap_in_the_middle_splits_mapping(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;
	struct model_proc *p;

	with_mapping(fx);
	clear_log(fx);
	munmap_ev(fx, 3 * MS, P, MAP_AT + PG, PG);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(n[0].addr, MAP_AT + PG);
	assert_int_equal(n[0].len, PG);
	assert_int_equal(n[0].refs, 3);
	p = model_proc(&fx->m, P);
	assert_int_equal(p->nmaps, 2);
	assert_int_equal(fa(fx)->maps, 2);
	assert_int_equal(p->maps[0].addr, MAP_AT);
	assert_int_equal(p->maps[0].len, PG);
	assert_int_equal(p->maps[1].addr, MAP_AT + 2 * PG);
	assert_int_equal(p->maps[1].len, PG);
	munmap_ev(fx, 4 * MS, P, MAP_AT, PG);
	assert_int_equal(n[1].refs, 2);
	munmap_ev(fx, 5 * MS, P, MAP_AT + 2 * PG, PG);
	assert_int_equal(n[2].refs, 1);	/* the fd's */
	assert_int_equal(fa(fx)->maps, 0);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 0);
}

static void test_munmap_of_one_end_shrinks_mapping(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_proc *p;

	with_mapping(fx);
	munmap_ev(fx, 3 * MS, P, MAP_AT + 2 * PG, 100);	/* rounds up a page */
	munmap_ev(fx, 4 * MS, P, MAP_AT - PG, 2 * PG);	/* from below */
	p = model_proc(&fx->m, P);
	assert_int_equal(p->nmaps, 1);
	assert_int_equal(p->maps[0].addr, MAP_AT + PG);
	assert_int_equal(p->maps[0].len, PG);
	assert_int_equal(fa(fx)->refs, 2);	/* still one vma */
	assert_int_equal(fx->log.v[fx->log.n - 1].len, PG);
}

static void test_munmap_elsewhere_says_nothing(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_mapping(fx);
	clear_log(fx);
	munmap_ev(fx, 3 * MS, P, MAP_AT + 3 * PG, PG);
	munmap_ev(fx, 3 * MS, P, MAP_AT - PG, PG);
	munmap_ev(fx, 3 * MS, C, MAP_AT, PG);	/* another process */
	assert_int_equal(fx->log.n, 0);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 1);
	assert_int_equal(fa(fx)->refs, 2);
	/* nor does it make the process look busy, or make one up */
	assert_int_equal(model_proc(&fx->m, P)->last_ns, 2 * MS);
	assert_null(model_proc(&fx->m, C));
}

/* fork copies the mapping; the child's munmap leaves the parent's. */
static void test_munmap_in_child_keeps_parents_mapping(void **state)
{
	struct rec_fx *fx = fx_of(state);

	with_mapping(fx);
	proc_ev(fx, rec_fork(3 * MS, P, C, TBL_P, TBL_C, 0));
	assert_int_equal(fa(fx)->refs, 4);	/* two fds, two vmas */
	assert_int_equal(fa(fx)->maps, 2);
	munmap_ev(fx, 4 * MS, C, MAP_AT, 3 * PG);
	assert_int_equal(model_proc(&fx->m, C)->nmaps, 0);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 1);
	assert_int_equal(fa(fx)->refs, 3);
	assert_int_equal(fa(fx)->maps, 1);
}

/* P attaches SHMID (6000 bytes, two pages) at MAP_AT. */
static void with_attach(struct rec_fx *fx)
{
	snap_task(fx, P, TBL_P);
	ipc_ev(fx, rec_ipc(IPCS_EV_SHMGET, 1 * MS, P, SHMID, true, 0, 6000));
	struct ipcs_ev_ipc at = rec_ipc(IPCS_EV_SHMAT, 2 * MS, P, SHMID, true,
					1, 6000);

	at.addr = MAP_AT;
	ipc_ev(fx, at);
}

static struct model_object *segment(struct rec_fx *fx)
{
	size_t n;
	struct model_object **v = model_objects_sorted(&fx->m, &n), *o = NULL;

	for (size_t i = 0; i < n; i++)
		if (v[i]->kind == OBJ_SHM && v[i]->ino == SHMID)
			o = v[i];
	free(v);
	return o;
}

/* shmget/msgget/semget name the key the object was asked for by. */
static void test_get_keeps_the_key(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_ipc get = rec_ipc(IPCS_EV_SHMGET, 1 * MS, P, SHMID,
					 true, 0, 6000);

	snap_task(fx, P, TBL_P);
	get.key = 0x1234abcd;
	ipc_ev(fx, get);
	assert_non_null(segment(fx));
	assert_int_equal(segment(fx)->stat.key, 0x1234abcd);
}

static void test_munmap_of_attach_drops_an_attach(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	with_attach(fx);
	assert_int_equal(segment(fx)->stat.count, 1);
	assert_int_equal(model_proc(&fx->m, P)->maps[0].len, 6000);
	clear_log(fx);
	munmap_ev(fx, 3 * MS, P, MAP_AT + PG, PG);	/* the segment's end */
	assert_int_equal(segment(fx)->stat.count, 1);
	munmap_ev(fx, 4 * MS, P, MAP_AT, PG);
	assert_int_equal(fx->log.n, 2);
	assert_string_equal(n[1].object, "shm:[98313]");
	assert_false(n[1].has_file);
	assert_int_equal(segment(fx)->stat.count, 0);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 0);
}

static void test_shmdt_with_kernel_id_takes_kernel_nattch(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_ipc dt;

	with_attach(fx);
	proc_ev(fx, rec_fork(3 * MS, P, C, TBL_P, TBL_C, 0));
	assert_int_equal(segment(fx)->stat.count, 2);
	dt = rec_ipc(IPCS_EV_SHMDT, 4 * MS, C, SHMID, true, 1, 6000);
	dt.addr = MAP_AT;
	clear_log(fx);
	ipc_ev(fx, dt);
	assert_int_equal(fx->log.n, 1);
	assert_string_equal(fx->log.v[0].object, "shm:[98313]");
	assert_int_equal(model_proc(&fx->m, C)->nmaps, 0);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 1);
	assert_int_equal(segment(fx)->stat.count, 1);
	assert_true(segment(fx)->sysv_alive);
}

/* The kernel splits an attach into two vmas on a munmap in its middle;
 * shmdt removes both. */
static void test_shmdt_removes_every_vma_of_the_attach(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_ipc dt;

	snap_task(fx, P, TBL_P);
	ipc_ev(fx, rec_ipc(IPCS_EV_SHMGET, 1 * MS, P, SHMID, true, 0, 3 * PG));
	dt = rec_ipc(IPCS_EV_SHMAT, 2 * MS, P, SHMID, true, 1, 3 * PG);
	dt.addr = MAP_AT;
	ipc_ev(fx, dt);
	munmap_ev(fx, 3 * MS, P, MAP_AT + PG, PG);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 2);
	assert_int_equal(segment(fx)->stat.count, 2);
	dt = rec_ipc(IPCS_EV_SHMDT, 4 * MS, P, SHMID, true, 0, 3 * PG);
	dt.addr = MAP_AT;
	ipc_ev(fx, dt);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 0);
	assert_int_equal(segment(fx)->stat.count, 0);
}

static void test_shmdt_of_removed_segment_destroys_it(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_ipc rm, dt;

	with_attach(fx);
	rm = rec_ipc(IPCS_EV_SHMCTL, 3 * MS, P, SHMID, true, 1, 6000);
	rm.cmd = 0;	/* IPC_RMID */
	ipc_ev(fx, rm);
	assert_true(segment(fx)->rmid_pending);
	assert_true(segment(fx)->sysv_alive);
	/* the kernel freed it: shmdt's exit no longer finds the id */
	dt = rec_ipc(IPCS_EV_SHMDT, 4 * MS, P, SHMID, false, 0, 0);
	dt.addr = MAP_AT;
	ipc_ev(fx, dt);
	assert_false(segment(fx)->sysv_alive);
	assert_int_equal(segment(fx)->stat.count, 0);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 0);
}

/* Without bpf_find_vma the event has no id: the address names it. */
static void test_shmdt_without_id_found_by_address(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_ev_ipc dt;

	with_attach(fx);
	dt = rec_ipc(IPCS_EV_SHMDT, 3 * MS, P, -1, false, 0, 0);
	dt.addr = MAP_AT;
	clear_log(fx);
	ipc_ev(fx, dt);
	assert_string_equal(fx->log.v[0].object, "shm:[98313]");
	assert_int_equal(segment(fx)->stat.count, 0);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 0);
}

/* --- shared mappings in snapshots --------------------------------------------- */

static void snap_vma(struct rec_fx *fx, struct ipcs_snap_vma v)
{
	assert_int_equal(model_apply_snap(&fx->m, &v, sizeof(v)), 0);
}

static void test_snapshot_mapping_holds_entry_without_fd(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_proc *p;

	snap_task(fx, P, TBL_P);
	snap_vma(fx, rec_snap_vma(P, MAP_AT, MAP_AT + 2 * PG, -1, 0,
				  rec_reg(FA, 10, O_RDWR, 1), "/tmp/mapped"));
	p = model_proc(&fx->m, P);
	assert_int_equal(p->nmaps, 1);
	assert_ptr_equal(p->maps[0].file, fa(fx));
	assert_int_equal(p->maps[0].addr, MAP_AT);
	assert_int_equal(p->maps[0].len, 2 * PG);
	assert_int_equal(fa(fx)->refs, 1);	/* the kernel's, as read */
	assert_int_equal(fa(fx)->maps, 1);
	assert_int_equal(fa(fx)->slots, 0);
	assert_string_equal(fa(fx)->obj->name, "/tmp/mapped");
	model_sweep(&fx->m, 1 * MS);
	assert_non_null(fa(fx));
	assert_int_equal(fx->log.n, 0);	/* snapshots make no notes */
	munmap_ev(fx, 2 * MS, P, MAP_AT, 2 * PG);
	assert_int_equal(fa(fx)->refs, 0);
	model_sweep(&fx->m, 2 * MS);
	assert_null(fa(fx));
}

static void test_snapshot_attach_names_segment_and_nattch(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_proc *p;

	snap_task(fx, P, TBL_P);
	snap_vma(fx, rec_snap_vma(P, MAP_AT, MAP_AT + 2 * PG, SHMID, 3,
				  rec_reg(0xffff888001000700ULL, SHMID, O_RDWR, 3),
				  "/SYSV00000000 (deleted)"));
	p = model_proc(&fx->m, P);
	assert_int_equal(p->nmaps, 1);
	assert_null(p->maps[0].file);
	assert_ptr_equal(p->maps[0].shm, segment(fx));
	assert_int_equal(segment(fx)->stat.count, 3);
	assert_int_equal(segment(fx)->stat.bytes, 2 * PG);
	assert_string_equal(segment(fx)->name, "shm:[98313]");
	/* no entry is made for the attach's file */
	assert_null(model_file(&fx->m, 0xffff888001000700ULL));
}

/* A resync re-reads the mappings: the same ones, no count twice. */
static void test_resync_rereads_mappings_once(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_snap_vma v = rec_snap_vma(P, MAP_AT, MAP_AT + 3 * PG, -1, 0,
					      rec_reg(FA, 10, O_RDWR, 2), "/f");

	with_mapping(fx);
	assert_int_equal(fa(fx)->maps, 1);
	model_resync_begin(&fx->m, P);
	snap_task(fx, P, TBL_P);
	snap_fd(fx, P, TBL_P, 3, rec_reg(FA, 10, O_RDWR, 2), "/f");
	snap_vma(fx, v);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 1);
	assert_int_equal(fa(fx)->maps, 1);
	assert_int_equal(fa(fx)->refs, 2);
	/* the same record again (an overlapping read) changes nothing */
	snap_vma(fx, v);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 1);
	assert_int_equal(fa(fx)->maps, 1);
	/* and a resync that finds no mapping forgets it */
	model_resync_begin(&fx->m, P);
	snap_task(fx, P, TBL_P);
	assert_int_equal(model_proc(&fx->m, P)->nmaps, 0);
	assert_int_equal(fa(fx)->maps, 0);
}

/* --- IP sockets ------------------------------------------------------------------ */

#define SA 0xffff888001000800ULL	/* the client's socket */
#define SB 0xffff888001000900ULL	/* the server's accepted socket */
#define SC 0xffff888001000a00ULL	/* an unrelated one */

static void sock_data(struct rec_fx *fx, uint64_t ts, int fd,
		      struct ipcs_file_info f)
{
	struct ipcs_ev_data *e = rec_data(IPCS_EV_WRITE, ts, P, TBL_P, fd, 4,
					  f, NULL, 0);

	e->syscall = IPCS_SC_WRITE;
	assert_int_equal(model_apply(&fx->m, e, e->h.size), 0);
	free(e);
}

static void test_ipv6_loopback_peers_by_mirrored_tuple(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	snap_task(fx, P, TBL_P);
	sock_data(fx, 1 * MS, 3, rec_inet(SA, 501, AF_INET6, "::1", 40000, "::1", 8080));
	assert_string_equal(n[0].peer, "[::1]:8080");	/* not seen yet */
	sock_data(fx, 2 * MS, 4, rec_inet(SC, 503, AF_INET6, "::1", 8080, "::1", 40001));
	sock_data(fx, 3 * MS, 5, rec_inet(SB, 502, AF_INET6, "::1", 8080, "::1", 40000));
	assert_string_equal(n[2].peer, "socket:[501]");
	sock_data(fx, 4 * MS, 3, rec_inet(SA, 501, AF_INET6, "::1", 40000, "::1", 8080));
	assert_string_equal(n[3].peer, "socket:[502]");
	assert_string_equal(n[1].peer, "[::1]:40001");
}

/* Addresses must match too, not only ports. */
static void test_ipv6_peer_needs_the_addresses(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	snap_task(fx, P, TBL_P);
	sock_data(fx, 1 * MS, 3, rec_inet(SA, 501, AF_INET6, "::1", 40000, "fe80::1", 8080));
	sock_data(fx, 2 * MS, 4, rec_inet(SB, 502, AF_INET6, "::1", 8080, "::1", 40000));
	assert_string_equal(n[1].peer, "[::1]:40000");
	assert_string_equal(n[0].peer, "[fe80::1]:8080");
}

/* An IPv6 socket talking to an IPv4 one sees it as ::ffff:A.B.C.D. */
static void test_ipv4_mapped_peer_matches_ipv4_socket(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	snap_task(fx, P, TBL_P);
	sock_data(fx, 1 * MS, 3, rec_inet(SA, 501, AF_INET6, "::ffff:127.0.0.1",
					  40000, "::ffff:127.0.0.1", 8080));
	sock_data(fx, 2 * MS, 4, rec_inet(SB, 502, AF_INET, "127.0.0.1", 8080,
					  "127.0.0.1", 40000));
	assert_string_equal(n[1].peer, "socket:[501]");
	sock_data(fx, 3 * MS, 3, rec_inet(SA, 501, AF_INET6, "::ffff:127.0.0.1",
					  40000, "::ffff:127.0.0.1", 8080));
	assert_string_equal(n[2].peer, "socket:[502]");
}

static void test_ipv4_peers_still_matched(void **state)
{
	struct rec_fx *fx = fx_of(state);
	const struct rec_note *n = fx->log.v;

	snap_task(fx, P, TBL_P);
	sock_data(fx, 1 * MS, 3, rec_inet(SA, 501, AF_INET, "127.0.0.1", 40000, "127.0.0.1", 8080));
	assert_string_equal(n[0].peer, "127.0.0.1:8080");
	sock_data(fx, 2 * MS, 4, rec_inet(SB, 502, AF_INET, "127.0.0.1", 8080, "127.0.0.1", 40000));
	assert_string_equal(n[1].peer, "socket:[501]");
}

/* A closed TCP socket reads port 0: the last full 4-tuple stays, so a
 * late reader on the other side still names it. */
static void test_ipv6_closed_socket_keeps_its_tuple(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct ipcs_file_info closed = rec_inet(SB, 502, AF_INET6, "::", 0, "::", 0);
	const struct rec_note *n = fx->log.v;

	snap_task(fx, P, TBL_P);
	sock_data(fx, 1 * MS, 4, rec_inet(SB, 502, AF_INET6, "::1", 8080, "::1", 40000));
	sock_data(fx, 2 * MS, 4, closed);
	sock_data(fx, 3 * MS, 3, rec_inet(SA, 501, AF_INET6, "::1", 40000, "::1", 8080));
	assert_string_equal(n[2].peer, "socket:[502]");
}

static void test_socket_address_text(void **state)
{
	struct rec_fx *fx = fx_of(state);
	struct model_object o = { .kind = OBJ_SOCKET };
	char buf[IPCS_SOCKADDR_MAX];
	char peer[IPCS_PATH_LEN];

	o.sock = rec_inet(SA, 501, AF_INET6, "::1", 40000, "::1", 8080).sock;
	assert_true(model_socket_address(&o, false, buf, sizeof(buf)));
	assert_string_equal(buf, "[::1]:40000");
	assert_true(model_socket_address(&o, true, buf, sizeof(buf)));
	assert_string_equal(buf, "[::1]:8080");
	o.sock = rec_inet(SA, 501, AF_INET, "127.0.0.1", 5, "0.0.0.0", 0).sock;
	assert_true(model_socket_address(&o, false, buf, sizeof(buf)));
	assert_string_equal(buf, "127.0.0.1:5");
	assert_false(model_socket_address(&o, true, buf, sizeof(buf)));
	o.sock.family = AF_UNIX;
	assert_false(model_socket_address(&o, false, buf, sizeof(buf)));
	assert_null(model_socket_peer(&fx->m, &o, peer, sizeof(peer)));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, rec_fx_setup, rec_fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pipe_gives_two_entries_one_object),
		T(test_pipe_notes_carry_fd_file_object_refs),
		T(test_fork_copies_table),
		T(test_fork_note_names_child),
		T(test_fork_shared_files_shares_table),
		T(test_fork_into_own_table_does_not_crash),
		T(test_fork_child_pid_of_parent_leaves_parent_intact),
		T(test_dup_shares_entry),
		T(test_dup2_onto_open_fd_closes_it_first),
		T(test_close_sets_refs_from_event),
		T(test_close_range_note_is_implicit),
		T(test_close_of_last_reference_retires_entry),
		T(test_sweep_drops_unreferenced_entry_and_object),
		T(test_sweep_after_data_that_replaced_an_entry),
		T(test_fcntl_setfd_sets_cloexec),
		T(test_exec_drops_cloexec_fds),
		T(test_exec_with_open_fds_closes_what_the_kernel_closed),
		T(test_exec_marks_uncertain_once),
		T(test_event_from_unknown_process_is_uncertain),
		T(test_exit_drops_all_fds),
		T(test_exited_process_kept_until_keep_time),
		T(test_reused_file_address_gives_new_id),
		T(test_reused_address_on_open_fd_replaces_it),
		T(test_write_read_update_object_and_counters),
		T(test_data_note_without_payload),
		T(test_data_note_carries_payload),
		T(test_data_payload_len_clamped_to_record),
		T(test_data_on_unknown_fd_installs_it),
		T(test_flow_notes_sum_with_fd_found),
		T(test_flow_keeps_latest_pipe_state),
		T(test_late_flow_of_a_reused_address),
		T(test_unsure_pipes_name_a_holder_once),
		T(test_flow_after_exit_does_not_revive),
		T(test_flow_bad_kind_refused),
		T(test_bad_record_size_zero),
		T(test_bad_record_shorter_than_header),
		T(test_bad_record_header_claims_more_than_given),
		T(test_bad_record_header_size_zero),
		T(test_bad_record_fork_header_only),
		T(test_bad_record_fd_event_too_short),
		T(test_bad_record_data_event_too_short),
		T(test_bad_record_unknown_kind),
		T(test_last_writer_close_leaves_no_writer),
		T(test_last_writer_exit_leaves_no_writer),
		T(test_open_named_by_kernel_path_afresh),
		T(test_anon_inodes_are_one_object_each),
		T(test_offsets_follow_lseek_and_data),
		T(test_bad_snap_records),
		T(test_snapshot_builds_procs_tables_entries),
		T(test_snapshot_same_file_shares_entry),
		T(test_snapshot_names_file_by_d_path),
		T(test_resync_drops_missing_fd_keeps_ids),
		T(test_resync_after_events_converges),
		T(test_resync_then_sweep_frees_gone_entry),
		T(test_resync_of_a_gone_process_drops_it),
		T(test_resync_overlapping_open_event_keeps_entry),
		T(test_procs_sorted_by_pid),
		T(test_files_sorted_by_id),
		T(test_objects_sorted_by_name),
		T(test_sorted_views_of_empty_model),
		T(test_mq_open_names_queue_as_proc_does),
		T(test_mq_two_opens_two_entries_one_queue),
		T(test_mq_send_receive_follow_depth),
		T(test_mq_unlink_marks_open_queue_deleted),
		T(test_mq_unlink_of_longest_name_is_bounded),
		T(test_mq_snapshot_names_by_d_path),
		T(test_munmap_of_whole_mapping_frees_entry_held_by_it),
		T(test_munmap_in_the_middle_splits_mapping),
		T(test_munmap_of_one_end_shrinks_mapping),
		T(test_munmap_elsewhere_says_nothing),
		T(test_munmap_in_child_keeps_parents_mapping),
		T(test_get_keeps_the_key),
		T(test_munmap_of_attach_drops_an_attach),
		T(test_shmdt_with_kernel_id_takes_kernel_nattch),
		T(test_shmdt_removes_every_vma_of_the_attach),
		T(test_shmdt_of_removed_segment_destroys_it),
		T(test_shmdt_without_id_found_by_address),
		T(test_snapshot_mapping_holds_entry_without_fd),
		T(test_snapshot_attach_names_segment_and_nattch),
		T(test_resync_rereads_mappings_once),
		T(test_ipv6_loopback_peers_by_mirrored_tuple),
		T(test_ipv6_peer_needs_the_addresses),
		T(test_ipv4_mapped_peer_matches_ipv4_socket),
		T(test_ipv4_peers_still_matched),
		T(test_ipv6_closed_socket_keeps_its_tuple),
		T(test_socket_address_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
