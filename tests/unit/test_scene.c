// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Frame tests of the live view: scripted models (records applied with the
 * real model code) rendered to text and compared with the text files in tests/golden/,
 * key sequences applied to the view and the next frame checked, escaping
 * of untrusted names, and the small pure helpers around the scene.
 * UPDATE_GOLDEN=1 rewrites the golden files; review the diff.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "scene_fx.h"

struct fx {
	struct model m;
	struct view v;
	struct frame f;
};

static int fx_setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	memset(&test_log, 0, sizeof(test_log));
	model_init(&x->m);
	x->m.note = log_note;
	fx_pipe_demo(&x->m);
	setup_view(&x->v);
	*state = x;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *x = *state;

	frame_free(&x->f);
	model_free(&x->m);
	free(x);
	return 0;
}

/* ---- golden frames ------------------------------------------------------- */

static void test_pipe_80x24(void **state)
{
	struct fx *x = *state;

	render(&x->f, &x->m, &x->v, 80, 24, false);
	check_golden(&x->f, "pipe_80x24");
	assert_has(&x->f, "PROCESSES");
	assert_has(&x->f, "pipe:[51234]");
	assert_has(&x->f, "6/64K r1 w1");
}

static void test_pipe_160x48(void **state)
{
	struct fx *x = *state;

	render(&x->f, &x->m, &x->v, 160, 48, false);
	check_golden(&x->f, "pipe_160x48");
}

static void test_pipe_ascii(void **state)
{
	struct fx *x = *state;
	char *t;

	render(&x->f, &x->m, &x->v, 80, 24, true);
	check_golden(&x->f, "pipe_ascii_80x24");
	t = text_of(&x->f);
	for (char *p = t; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	free(t);
}

static void test_help(void **state)
{
	struct fx *x = *state;
	int fl = keys(&x->m, &x->v, 80, 24, '?', 0);

	assert_true(fl & VIEW_REDRAW);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	check_golden(&x->f, "help_80x24");
	/* any key closes it; q still quits */
	keys(&x->m, &x->v, 80, 24, 'j', 0);
	assert_false(x->v.show_help);
	keys(&x->m, &x->v, 80, 24, '?', 0);
	assert_true(keys(&x->m, &x->v, 80, 24, 'q', 0) & VIEW_QUIT);
}

static void test_log_pane(void **state)
{
	struct fx *x = *state;

	keys(&x->m, &x->v, 80, 24, 'l', 0);
	assert_true(x->v.show_log);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	check_golden(&x->f, "log_80x24");
	assert_has(&x->f, "EVENTS");
	assert_has(&x->f, "\"hello\\x0a\"");
	keys(&x->m, &x->v, 80, 24, 'l', 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "EVENTS") && x->v.show_log);
}

/* Enter on the pipe lists every holder: who keeps which end open. */
static void test_detail_object(void **state)
{
	struct fx *x = *state;

	keys(&x->m, &x->v, 80, 24, VKEY_TAB, VKEY_TAB, VKEY_TAB, 0);
	assert_int_equal(x->v.focus, PANE_OBJECTS);
	/* the tty comes first; the pipe is next */
	keys(&x->m, &x->v, 80, 24, 'G', VKEY_ENTER, 0);
	assert_true(x->v.show_detail);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	check_golden(&x->f, "detail_pipe_80x24");
	assert_has(&x->f, "pid 100 demo-pipe  fd 4  w");
	assert_has(&x->f, "pid 101 demo-pipe  fd 3  r");
	assert_has(&x->f, "readers 1  writers 1");
	keys(&x->m, &x->v, 80, 24, VKEY_ESC, 0);
	assert_false(x->v.show_detail);
}

/* ---- keys ------------------------------------------------------------------ */

static void test_keys_move(void **state)
{
	struct fx *x = *state;

	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_int_equal(x->v.sel.pane, PANE_PROCS);
	assert_int_equal(x->v.sel.a, FX_PARENT);
	assert_int_equal(role_of(&x->f, "100 demo-pipe"), 'S');

	keys(&x->m, &x->v, 80, 24, 'j', 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_int_equal(x->v.sel.a, FX_CHILD);
	assert_int_equal(role_of(&x->f, "101 demo-pipe"), 'S');
	assert_int_equal(role_of(&x->f, "100 demo-pipe"), '.');

	/* down at the end stays; Tab lands on the child's first fd */
	keys(&x->m, &x->v, 80, 24, VKEY_DOWN, VKEY_TAB, 0);
	assert_int_equal(x->v.sel.pane, PANE_FDS);
	assert_int_equal(x->v.sel.a, FX_CHILD);
	assert_int_equal(x->v.sel.b, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_int_equal(role_of(&x->f, "PROCESSES"), 'H');
	assert_int_equal(role_of(&x->f, "FD TABLE"), 'F');

	/* to the child's fd 3, then Enter: its entry and both holders */
	keys(&x->m, &x->v, 80, 24, 'G', VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "fd 3 of 101 demo-pipe");
	assert_has(&x->f, "open file f2 -> pipe:[51234]");

	/* Shift-Tab back to processes; k up */
	keys(&x->m, &x->v, 80, 24, VKEY_ESC, VKEY_BTAB, 'k', 'k', 0);
	assert_int_equal(x->v.sel.pane, PANE_PROCS);
	assert_int_equal(x->v.sel.a, FX_PARENT);
}

static void test_keys_flags(void **state)
{
	struct fx *x = *state;

	assert_true(keys(&x->m, &x->v, 80, 24, ' ', 0) & VIEW_PAUSE);
	assert_true(x->v.paused);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "PAUSED");
	keys(&x->m, &x->v, 80, 24, ' ', 0);
	assert_false(x->v.paused);
	assert_true(keys(&x->m, &x->v, 80, 24, VKEY_F10, 0) & VIEW_QUIT);
	assert_int_equal(keys(&x->m, &x->v, 80, 24, 'Z', 0), 0);
	keys(&x->m, &x->v, 80, 24, 'a', 0);
	assert_false(x->v.show_all);
}

static void test_filter(void **state)
{
	struct fx *x = *state;

	keys(&x->m, &x->v, 80, 24, '/', 0);
	assert_true(x->v.filter_editing);
	/* q is text while typing a filter, not quit */
	assert_false(keys(&x->m, &x->v, 80, 24, 'q', VKEY_BACKSPACE, '1', '0',
			  '1', 0) & VIEW_QUIT);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "filter: 101_");
	keys(&x->m, &x->v, 80, 24, VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "101 demo-pipe");
	assert_false(has(&x->f, "100 demo-pipe"));
	assert_has(&x->f, "filter: 101");
	/* by name, any case */
	keys(&x->m, &x->v, 80, 24, '/', 0x15, 'D', 'E', 'M', 'O', VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "100 demo-pipe");
	keys(&x->m, &x->v, 80, 24, '/', 'z', 'z', VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "2 processes hidden");
	keys(&x->m, &x->v, 80, 24, '/', VKEY_ESC, 0);
	assert_string_equal(x->v.filter, "");
}

static void test_click(void **state)
{
	struct fx *x = *state;
	struct scene_layout l;

	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_int_equal(scene_layout(&l, &x->m, &x->v, 80, 24), 0);
	/* the pipe's read-end entry, f2 */
	const struct scene_item *it = NULL;
	for (size_t i = 0; i < l.n[PANE_FILES]; i++)
		if (l.items[PANE_FILES][i].file->id == 2)
			it = &l.items[PANE_FILES][i];
	assert_non_null(it);
	int fl = view_click(&x->v, &l, l.col_x[PANE_FILES] + 2,
			    l.graph_y + it->row - x->v.scroll);
	assert_true(fl & VIEW_REDRAW);
	assert_int_equal(x->v.focus, PANE_FILES);
	assert_int_equal(x->v.sel.a, FX_RD);
	/* a header click focuses that pane */
	view_click(&x->v, &l, l.col_x[PANE_OBJECTS] + 1, 0);
	assert_int_equal(x->v.focus, PANE_OBJECTS);
	scene_layout_free(&l);
}

/* ---- what the picture says ------------------------------------------------- */

static void test_escaped_comm(void **state)
{
	struct fx *x = *state;
	char *t;

	fx_snap_task(&x->m, 300, 1, "\033]0;pwn\a\033[2J", 0xf300);
	fx_snap_tty(&x->m, 300, 0xf300, 0, FX_TTY, 4);
	render(&x->f, &x->m, &x->v, 100, 30, false);
	t = text_of(&x->f);
	assert_null(strchr(t, '\033'));
	assert_null(strchr(t, '\a'));
	free(t);
	assert_has(&x->f, "300 \\x1b]0;pwn\\x07");
	/* and in the detail box */
	keys(&x->m, &x->v, 100, 30, 'G', VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 100, 30, false);
	t = text_of(&x->f);
	assert_null(strchr(t, '\033'));
	free(t);
	assert_has(&x->f, "process 300 \\x1b]0;pwn\\x07");
}

static void test_too_small(void **state)
{
	struct fx *x = *state;
	static const int sizes[][2] = { { 79, 24 }, { 80, 23 }, { 40, 10 },
					{ 20, 3 }, { 1, 1 } };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		render(&x->f, &x->m, &x->v, sizes[i][0], sizes[i][1], false);
		if (sizes[i][0] >= 40)
			assert_has(&x->f, "terminal too small");
	}
	render(&x->f, &x->m, &x->v, 79, 24, false);
	check_golden(&x->f, "too_small_79x24");
	/* keys other than quit do nothing there */
	assert_int_equal(keys(&x->m, &x->v, 79, 24, 'j', 0), 0);
	assert_true(keys(&x->m, &x->v, 79, 24, 'q', 0) & VIEW_QUIT);
}

static void test_exited_dim(void **state)
{
	struct fx *x = *state;

	fx_exit(&x->m, 1 * SEC + 700 * MS, FX_CHILD, "demo-pipe", 3);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "exited 3");
	assert_int_equal(role_of(&x->f, "101 demo-pipe"), 'd');
	assert_int_equal(role_of(&x->f, "exited 3"), 'd');
}

static void test_flash(void **state)
{
	struct fx *x = *state;

	/* 0.7 s after the write, 1.2 s after the fork: the pipe and the
	 * write end light up, the terminal entry no longer */
	x->v.now_ns = 2 * SEC + 300 * MS;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_int_equal(role_of(&x->f, "pipe:[51234]"), '!');
	assert_int_equal(role_of(&x->f, "f3 w"), '!');
	assert_int_equal(role_of(&x->f, "f1 rw"), '.');
	x->v.now_ns = 5 * SEC;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_int_equal(role_of(&x->f, "pipe:[51234]"), '.');
	assert_int_equal(role_of(&x->f, "f3 w"), '.');
}

static void test_status(void **state)
{
	struct fx *x = *state;

	x->v.lost = 7;
	x->v.events_per_s = 42;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "42 ev/s");
	assert_int_equal(role_of(&x->f, "lost 7"), 'W');
	x->v.lost = 0;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_int_equal(role_of(&x->f, "lost 0"), 's');
	x->v.message = "cannot re-read pid 7";
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "cannot re-read pid 7");
	/* a long target: the hints that go first are not help and quit */
	x->v.message = NULL;
	x->v.target = "./server --port 8080 --verbose";
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "? help");
	assert_has(&x->f, "q quit");
	assert_false(has(&x->f, "spc pause"));
}

static void test_traffic_marker(void **state)
{
	struct fx *x = *state;
	struct hmap files = { 0 }, objs = { 0 };
	struct model_note n = { .kind = IPCS_EV_WRITE, .ts = 1 * SEC + 600 * MS,
				.bytes = 6 };

	n.file = model_file(&x->m, FX_WR);
	n.obj = n.file->obj;
	assert_int_equal(notes_traffic(&files, &objs, &n), 0);
	assert_true(notes_roll(&objs, 2 * SEC, 1 * SEC, 10 * SEC));
	notes_roll(&files, 2 * SEC, 1 * SEC, 10 * SEC);
	x->v.file_traffic = &files;
	x->v.obj_traffic = &objs;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	/* one write is bytes moved, not a rate */
	assert_has(&x->f, "pipe:[51234] 6B moved");
	assert_false(has(&x->f, "B/s"));
	assert_has(&x->f, "\xc2\xbb");	/* » on the write end's edge */
	/* data in a second roll in a row: now it is a rate */
	n.ts = 2 * SEC + 500 * MS;
	assert_int_equal(notes_traffic(&files, &objs, &n), 0);
	assert_true(notes_roll(&objs, 3 * SEC, 1 * SEC, 10 * SEC));
	x->v.now_ns = 2 * SEC + 900 * MS;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "pipe:[51234] 6B/s");
	/* a quiet second later the rate drops; ten more and it is gone */
	notes_roll(&objs, 4 * SEC, 1 * SEC, 10 * SEC);
	x->v.now_ns = 4 * SEC + 100 * MS;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "6B"));
	assert_non_null(hmap_get(&objs, PIPE_DEV, FX_INO));
	notes_roll(&objs, 30 * SEC, 27 * SEC, 10 * SEC);
	assert_null(hmap_get(&objs, PIPE_DEV, FX_INO));
	notes_traffic_free(&files);
	notes_traffic_free(&objs);
}

static void test_active_only(void **state)
{
	struct fx *x = *state;

	/* a process with only a terminal, quiet for a long time */
	fx_snap_task(&x->m, 400, 1, "idle", 0xf400);
	fx_snap_tty(&x->m, 400, 0xf400, 0, FX_TTY, 4);
	x->v.now_ns = 100 * SEC;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "400 idle");
	x->v.show_all = false;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "400 idle"));
	assert_has(&x->f, "100 demo-pipe");	/* holds a pipe */
	assert_has(&x->f, "1 idle hidden");
}

static void test_shared_table(void **state)
{
	struct fx *x = *state;
	struct ipcs_ev_proc e = { 0 };

	fx_hdr(&e.h, IPCS_EV_FORK, 1 * SEC + 700 * MS, FX_PARENT, "demo-pipe",
	       sizeof(e));
	e.child = 102;
	e.start = 102;
	e.files = FX_TBL_P;
	e.parent_files = FX_TBL_P;
	e.flags = IPCS_PROC_SHARED_FILES;
	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "102 demo-pipe");
	assert_has(&x->f, "=fds 100");
}

static void test_scroll(void **state)
{
	struct fx *x = *state;
	char *t;

	/* thirty children, each with its own pipe: taller than 24 rows */
	for (int i = 0; i < 30; i++) {
		uint32_t pid = 200 + i;
		uint64_t tbl = 0xf0000000ULL + i * 0x1000;

		fx_fork(&x->m, 2 * SEC, FX_PARENT, pid, "worker", FX_TBL_P, tbl);
		fx_fd(&x->m, IPCS_EV_PIPE, 2 * SEC, pid, "worker", tbl, 5, -1,
		      0xe0000000ULL + i * 0x100, 60000 + i, O_RDWR, 1, 0);
	}
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "rows 1-22 of");
	keys(&x->m, &x->v, 80, 24, 'G', 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	t = text_of(&x->f);
	assert_non_null(strstr(t, "229 worker"));
	assert_null(strstr(t, "100 demo-pipe"));
	free(t);
	assert_int_equal(role_of(&x->f, "229 worker"), 'S');
	keys(&x->m, &x->v, 80, 24, VKEY_HOME, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "100 demo-pipe");
	keys(&x->m, &x->v, 80, 24, VKEY_PGDN, 0);
	assert_true(x->v.scroll > 0);
	check_golden(&x->f, "scroll_top_80x24");
}

/* A closed fd that was selected: the selection moves to a neighbour. */
static void test_selection_repair(void **state)
{
	struct fx *x = *state;

	keys(&x->m, &x->v, 80, 24, VKEY_TAB, 'j', 'j', 'j', 0);
	assert_int_equal(x->v.sel.pane, PANE_FDS);
	assert_int_equal(x->v.sel.b, 4);
	fx_fd(&x->m, IPCS_EV_CLOSE, 2 * SEC, FX_PARENT, "demo-pipe", FX_TBL_P,
	      4, -1, FX_WR, FX_INO, O_WRONLY, 0, 0);
	model_sweep(&x->m, 2 * SEC);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_true(x->v.have_sel);
	assert_int_equal(x->v.sel.pane, PANE_FDS);
	assert_int_equal(x->v.sel.a, FX_CHILD);
	assert_int_equal(x->v.sel.b, 0);
}

/* Pausing shows a copy: the live model moves on, the frame does not. */
static void test_freeze(void **state)
{
	struct fx *x = *state;
	struct model frozen;
	char *before, *after;

	assert_int_equal(model_copy(&frozen, &x->m), 0);
	render(&x->f, &frozen, &x->v, 80, 24, false);
	before = text_of(&x->f);
	fx_exit(&x->m, 2 * SEC, FX_CHILD, "demo-pipe", 0);
	fx_fd(&x->m, IPCS_EV_CLOSE, 2 * SEC, FX_PARENT, "demo-pipe", FX_TBL_P,
	      4, -1, FX_WR, FX_INO, O_WRONLY, 0, 0);
	model_sweep(&x->m, 100 * SEC);
	render(&x->f, &frozen, &x->v, 80, 24, false);
	after = text_of(&x->f);
	assert_string_equal(before, after);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "pipe:[51234]"));
	free(before);
	free(after);
	model_copy_free(&frozen);
}

/* The copy owns its processes' mapping lists: the live model frees its
 * own at exit, and the copy must not point into them. */
static void test_freeze_owns_mappings(void **state)
{
	struct fx *x = *state;
	struct model frozen;
	struct model_proc *p;

	assert_int_equal(fx_fd(&x->m, IPCS_EV_MMAP, 2 * SEC, FX_PARENT,
			       "demo-pipe", FX_TBL_P, 4, -1, FX_WR, FX_INO,
			       O_WRONLY, 3, 0), 0);
	assert_int_equal(model_copy(&frozen, &x->m), 0);
	fx_exit(&x->m, 3 * SEC, FX_PARENT, "demo-pipe", 0);
	model_sweep(&x->m, 100 * SEC);
	p = model_proc(&frozen, FX_PARENT);
	assert_non_null(p);
	assert_int_equal(p->nmaps, 1);
	assert_ptr_equal(p->maps[0].file, model_file(&frozen, FX_WR));
	assert_int_equal(p->maps[0].file->maps, 1);
	model_copy_free(&frozen);
}

/* ---- where processes wait ------------------------------------------------- */

/* The child blocked in read on fd 3: said in the processes column,
 * marked on the fd, in words in the details. */
static void test_wait_read(void **state)
{
	struct fx *x = *state;
	struct model_proc *child = model_proc(&x->m, FX_CHILD);

	child->wait = WAIT_READ;
	child->wait_fd = 3;
	x->v.now_ns = 3 * SEC;	/* no highlight left over */
	render(&x->f, &x->m, &x->v, 80, 24, false);
	check_golden(&x->f, "wait_80x24");
	assert_has(&x->f, "\xe2\x97\xb7 read fd3");
	assert_int_equal(role_of(&x->f, "read fd3"), 'w');
	assert_has(&x->f, "  3 r \xe2\x97\xb7");
	assert_int_equal(role_of(&x->f, "  3 r"), 'w');
	keys(&x->m, &x->v, 80, 24, 'j', VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "blocked in read on fd 3: f2 pipe:[51234]");
	assert_int_equal(role_of(&x->f, "blocked in read"), 'w');
	assert_has(&x->f, "(blocked here)");
	/* an empty pipe: who could still write */
	fx_data(&x->m, IPCS_EV_READ, 1 * SEC + 700 * MS, FX_CHILD, "demo-pipe",
		FX_TBL_C, 3, FX_RD, FX_INO, O_RDONLY, 1, 6, 0, NULL);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "pipe:[51234], empty, 1 writer open");
	/* running again: gone */
	child->wait = WAIT_NONE;
	child->wait_fd = -1;
	x->v.show_detail = false;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "read fd3"));
	assert_int_equal(role_of(&x->f, "  3 r"), '.');
}

/* No fd to mark, one row: only the marker fits after a long name. */
static void test_wait_other(void **state)
{
	struct fx *x = *state;
	struct model_proc *p = model_proc(&x->m, FX_PARENT);

	p->wait = WAIT_CHILD;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "\xe2\x97\xb7 wait");
	keys(&x->m, &x->v, 80, 24, VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "blocked in wait");
	/* exited processes wait for nothing */
	p->wait = WAIT_SLEEP;
	fx_exit(&x->m, 1 * SEC + 800 * MS, FX_PARENT, "demo-pipe", 0);
	x->v.show_detail = false;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "sleep"));
}

/* ---- exited processes ------------------------------------------------------- */

/* Greyed for as long as the model keeps them, then gone. */
static void test_exited_kept(void **state)
{
	struct fx *x = *state;

	x->m.exited_keep_ns = 5 * SEC;
	fx_exit(&x->m, 1 * SEC + 700 * MS, FX_CHILD, "demo-pipe", 0);
	model_sweep(&x->m, 2 * SEC);
	x->v.now_ns = 2 * SEC;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_int_equal(role_of(&x->f, "101 demo-pipe"), 'd');
	assert_int_equal(role_of(&x->f, "exited 0"), 'd');
	/* its fds are gone with it: the read end's entry too */
	assert_false(has(&x->f, "f2 r"));
	model_sweep(&x->m, 6 * SEC + 700 * MS);
	x->v.now_ns = 6 * SEC + 700 * MS;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "101 demo-pipe"));
	assert_has(&x->f, "100 demo-pipe");
}

/* ---- data aggregated in the kernel ----------------------------------------- */

static void test_aggregated_log(void **state)
{
	struct fx *x = *state;
	char line[VIEW_LOG_TEXT];
	struct model_note n = { .kind = IPCS_EV_WRITE, .ts = 2 * SEC, .pid = 7,
				.comm = "writer", .fd = 4, .bytes = 48 * 1024,
				.calls = 12 };

	n.file = model_file(&x->m, FX_WR);
	n.obj = n.file->obj;
	notes_format(line, sizeof(line), &n, 1 * SEC);
	assert_string_equal(line,
		"   1.000      7 writer          wrote 48 KiB in 12 calls to fd 4: f3 pipe:[51234]");
	/* the fd not known, a read */
	n.kind = IPCS_EV_READ;
	n.fd = -1;
	n.bytes = 1536;
	n.calls = 3;
	notes_format(line, sizeof(line), &n, 1 * SEC);
	assert_string_equal(line,
		"   1.000      7 writer          read 1.5 KiB in 3 calls from f3 pipe:[51234]");
	/* one call: as before */
	n.kind = IPCS_EV_WRITE;
	n.fd = 4;
	n.bytes = 6;
	n.calls = 1;
	notes_format(line, sizeof(line), &n, 1 * SEC);
	assert_string_equal(line,
		"   1.000      7 writer          write fd 4: f3 pipe:[51234] 6 B");
}

/* Rates from summed notes: bytes over the window, counted once when both
 * ends are traced, and still when only the reader is. */
static void test_aggregated_rates(void **state)
{
	struct fx *x = *state;
	struct hmap files = { 0 }, objs = { 0 };
	const struct view_traffic *t;
	struct model_note w = { .kind = IPCS_EV_WRITE, .bytes = 24 * 1024,
				.calls = 6, .fd = 4 };
	struct model_note r = { .kind = IPCS_EV_READ, .bytes = 48 * 1024,
				.calls = 12, .fd = 3 };

	w.file = model_file(&x->m, FX_WR);
	w.obj = w.file->obj;
	r.file = model_file(&x->m, FX_RD);
	r.obj = r.file->obj;
	w.ts = 1 * SEC + 100 * MS;
	assert_int_equal(notes_traffic(&files, &objs, &w), 0);
	w.ts = 1 * SEC + 110 * MS;
	assert_int_equal(notes_traffic(&files, &objs, &w), 0);
	r.ts = 1 * SEC + 120 * MS;
	assert_int_equal(notes_traffic(&files, &objs, &r), 0);
	assert_true(notes_roll(&objs, 2 * SEC, 1 * SEC, 10 * SEC));
	notes_roll(&files, 2 * SEC, 1 * SEC, 10 * SEC);
	t = hmap_get(&objs, PIPE_DEV, FX_INO);
	assert_non_null(t);
	assert_int_equal(t->rate_in, 48 * 1024);
	assert_int_equal(t->rate_out, 48 * 1024);
	assert_int_equal(t->rate, 48 * 1024);
	t = hmap_get(&files, FX_RD, 0);
	assert_int_equal(t->rate, 48 * 1024);	/* the read end, reads only */
	/* over two seconds: half */
	r.ts = 2 * SEC + 500 * MS;
	notes_traffic(&files, &objs, &r);
	notes_roll(&objs, 4 * SEC, 2 * SEC, 10 * SEC);
	t = hmap_get(&objs, PIPE_DEV, FX_INO);
	assert_int_equal(t->rate, 24 * 1024);
	assert_int_equal(t->rate_in, 0);
	x->v.obj_traffic = &objs;
	x->v.file_traffic = &files;
	x->v.now_ns = 2 * SEC + 900 * MS;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "pipe:[51234] 24KB/s");
	assert_has(&x->f, "\xc2\xab");	/* « on the read end's edge */
	/* an aggregated note that knows only the object */
	r.file = NULL;
	r.ts = 4 * SEC + 100 * MS;
	assert_int_equal(notes_traffic(&files, &objs, &r), 0);
	notes_roll(&objs, 5 * SEC, 1 * SEC, 10 * SEC);
	assert_int_equal(((const struct view_traffic *)hmap_get(&objs, PIPE_DEV,
								FX_INO))->rate,
			 48 * 1024);
	notes_traffic_free(&files);
	notes_traffic_free(&objs);
}

/* ---- the traced command's output ------------------------------------------- */

static struct view_output test_out;

#define OUT_ADD(lit) output_add(&test_out, lit, sizeof(lit) - 1)

static const char *out_line(uint64_t back)
{
	return test_out.lines[(test_out.count - 1 - back) % OUTPUT_LINES];
}

static void test_output_lines(void **state)
{
	char buf[OUTPUT_TEXT], big[600];

	(void)state;
	memset(&test_out, 0, sizeof(test_out));
	/* chunks end anywhere: a line is joined */
	OUT_ADD("parent[1]: cre");
	assert_int_equal(test_out.count, 0);
	assert_string_equal(output_partial(&test_out, buf, sizeof(buf)),
			    "parent[1]: cre");
	OUT_ADD("ating a pipe\nchild");
	assert_int_equal(test_out.count, 1);
	assert_string_equal(out_line(0), "parent[1]: creating a pipe");
	assert_string_equal(output_partial(&test_out, buf, sizeof(buf)), "child");
	/* \r\n across chunks is one end of line; a lone \r starts over */
	OUT_ADD("[2]: hi\r");
	OUT_ADD("\n50%\r100%\n");
	assert_int_equal(test_out.count, 3);
	assert_string_equal(out_line(1), "child[2]: hi");
	assert_string_equal(out_line(0), "100%");
	/* colors dropped, other escapes shown escaped, tabs expanded */
	OUT_ADD("\033[1;31mred\033[0m \033]0;pwn\a\tx\n");
	assert_string_equal(out_line(0), "red \\x1b]0;pwn\\x07    x");
	/* a long line is cut, the rest dropped up to its end */
	memset(big, 'a', sizeof(big));
	output_add(&test_out, big, sizeof(big));
	OUT_ADD("\nnext\n");
	assert_int_equal(strlen(out_line(1)), OUTPUT_RAW + 3);
	assert_string_equal(out_line(1) + OUTPUT_RAW, "...");
	assert_string_equal(out_line(0), "next");
	/* a bounded ring */
	for (int i = 0; i < 3 * OUTPUT_LINES; i++) {
		char l[16];
		int n = snprintf(l, sizeof(l), "line %d\n", i);

		output_add(&test_out, l, (size_t)n);
	}
	assert_string_equal(out_line(0), "line 191");
	assert_string_equal(out_line(OUTPUT_LINES - 1), "line 128");
}

static void test_output_pane(void **state)
{
	struct fx *x = *state;
	char *t;

	memset(&test_out, 0, sizeof(test_out));
	x->v.output = &test_out;
	/* shown, empty */
	assert_true(keys(&x->m, &x->v, 80, 24, 'o', 0) & VIEW_REDRAW);
	assert_true(x->v.show_output);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "OUTPUT");
	assert_has(&x->f, "(nothing yet)");
	for (int i = 1; i <= 6; i++) {
		char l[96];
		int n = snprintf(l, sizeof(l),
				 "parent[100]: step %d of the demo, a line long enough to be cut at 80 columns\n",
				 i);

		output_add(&test_out, l, (size_t)n);
	}
	OUT_ADD("child[101]: \033[2Jreading");
	render(&x->f, &x->m, &x->v, 80, 24, false);
	check_golden(&x->f, "output_80x24");
	/* the latest lines, the partial one last; nothing raw */
	assert_has(&x->f, "step 6 of the demo");
	assert_false(has(&x->f, "step 2 of the demo"));
	assert_has(&x->f, "child[101]: reading");
	t = text_of(&x->f);
	assert_null(strchr(t, '\033'));
	free(t);
	/* with the log too, at 80x24: the graph keeps its rows */
	keys(&x->m, &x->v, 80, 24, 'l', 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "EVENTS");
	assert_has(&x->f, "OUTPUT");
	assert_has(&x->f, "101 demo-pipe");
	assert_has(&x->f, "pipe:[51234]");
	assert_has(&x->f, "q quit");
	/* o hides it */
	keys(&x->m, &x->v, 80, 24, 'o', 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "OUTPUT"));
}

/* ---- every mechanism ------------------------------------------------------ */

static int ipc_setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	memset(&test_log, 0, sizeof(test_log));
	model_init(&x->m);
	x->m.note = log_note;
	fx_ipc_demo(&x->m);
	setup_view(&x->v);
	x->v.now_ns = 1 * SEC + 300 * MS;
	*state = x;
	return 0;
}

/* Sockets with address and peer, a queue's depth, a segment removed
 * while attached, a semaphore set; a process blocked in msgrcv. */
static void test_ipc_80x24(void **state)
{
	struct fx *x = *state;
	struct model_proc *mq = model_proc(&x->m, FX_MQ);

	mq->wait = WAIT_MSGRCV;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	check_golden(&x->f, "ipc_80x24");
	assert_has(&x->f, "listening /tmp/demo.sock");
	assert_has(&x->f, "socket:[7002]");
	assert_has(&x->f, "\xe2\x86\x94 socket:[7001]");	/* ↔ peer */
	assert_has(&x->f, "3 msgs 120/16K");
	assert_has(&x->f, "shm:[9] 4K");
	assert_has(&x->f, "removed, still attached");
	assert_has(&x->f, "sem:[11] 3 sems");
	/* one row only: the wait goes after the name */
	assert_has(&x->f, "202 mq \xe2\x97\xb7 msgrcv");
	assert_int_equal(role_of(&x->f, "msgrcv"), 'w');
	/* the same in ASCII */
	render(&x->f, &x->m, &x->v, 80, 24, true);
	assert_has(&x->f, "<-> socket:[7001]");
	assert_has(&x->f, "202 mq z msgrcv");
	assert_has(&x->f, "[#...] 3 msgs");
}

static void select_object(struct fx *x, const char *name)
{
	struct scene_layout l;

	assert_int_equal(scene_layout(&l, &x->m, &x->v, 80, 24), 0);
	for (size_t i = 0; i < l.n[PANE_OBJECTS]; i++) {
		const struct scene_item *it = &l.items[PANE_OBJECTS][i];

		if (!strcmp(it->obj->name, name)) {
			x->v.focus = PANE_OBJECTS;
			x->v.sel = (struct view_sel){ PANE_OBJECTS, it->a, it->b,
						      (int)i };
			x->v.have_sel = true;
			x->v.show_detail = true;
			scene_layout_free(&l);
			return;
		}
	}
	scene_layout_free(&l);
	print_error("no object %s in the layout\n", name);
	fail();
}

static void test_detail_socket(void **state)
{
	struct fx *x = *state;

	select_object(x, "socket:[7000]");
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "socket socket:[7000]");
	assert_has(&x->f, "unix stream  listening");
	assert_has(&x->f, "local address  /tmp/demo.sock");
	assert_has(&x->f, "pid 200 server  fd 3  rw");
	select_object(x, "socket:[7001]");
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "remote address /tmp/demo.sock");
	assert_has(&x->f, "peer           socket:[7002]");
	assert_has(&x->f, "connect fd 3: f2 socket:[7001] /tm");
}

static void test_detail_sysv(void **state)
{
	struct fx *x = *state;

	select_object(x, "msg:[5]");
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "msg msg:[5]");
	assert_has(&x->f, "3 messages queued, 120 of 16K bytes");
	assert_has(&x->f, "last sent by pid 202");
	assert_has(&x->f, "msgsnd msg:[5] 40 B type 1, 3 qu");
	assert_false(has(&x->f, "HOLDERS"));
	select_object(x, "shm:[9]");
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "size 4K  attached 1");
	assert_has(&x->f, "removed (IPC_RMID), still attached");
	assert_has(&x->f, "pid 203 shm  at 0x7f0000000000");
	assert_has(&x->f, "shmctl IPC_RMID shm:[9]");
	select_object(x, "sem:[11]");
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "3 semaphores");
	/* the process' side: its attached segment */
	x->v.focus = PANE_PROCS;
	x->v.sel = (struct view_sel){ PANE_PROCS, FX_SHM, FX_SHM, 0 };
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "SHARED MAPPINGS");
	assert_has(&x->f, "at 0x7f0000000000  shm:[9]");
}

/* SysV objects follow the processes shown: a filter hides the ones no
 * shown process uses; removed ones go. */
static void test_sysv_shown(void **state)
{
	struct fx *x = *state;

	keys(&x->m, &x->v, 80, 24, '/', 's', 'e', 'r', 'v', VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "socket:[7000]");
	assert_false(has(&x->f, "msg:[5]"));
	assert_false(has(&x->f, "shm:[9]"));
	keys(&x->m, &x->v, 80, 24, '/', 0x15, 'm', 'q', VKEY_ENTER, 0);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "msg:[5]");		/* 202 sent to it */
	assert_false(has(&x->f, "sem:[11]"));	/* no user known */
	keys(&x->m, &x->v, 80, 24, '/', VKEY_ESC, 0);
	/* whole system, active only: touched lately */
	x->v.target = NULL;
	x->v.show_all = false;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "sem:[11]");
	x->v.now_ns = 100 * SEC;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "sem:[11]"));
	/* removed: gone at the next sweep */
	x->v.now_ns = 1 * SEC + 300 * MS;
	x->v.show_all = true;
	fx_ipc(&x->m, IPCS_EV_MSGCTL, 1 * SEC + 290 * MS, FX_MQ, "mq", 5, 0, 0,
	       0, 0, 0, 0);
	model_sweep(&x->m, 2 * SEC);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_false(has(&x->f, "msg:[5]"));
	assert_has(&x->f, "shm:[9]");
}

/* ---- helpers around the scene ----------------------------------------------- */

static void test_notes_format(void **state)
{
	struct fx *x = *state;
	char line[VIEW_LOG_TEXT];
	struct model_note n = { .kind = IPCS_EV_WRITE, .ts = 2500 * MS,
				.pid = 7, .comm = "a\033b", .fd = 4,
				.bytes = 3, .payload = (const uint8_t *)"\033[H",
				.payload_len = 3 };

	n.file = model_file(&x->m, FX_WR);
	n.obj = n.file->obj;
	notes_format(line, sizeof(line), &n, 1 * SEC);
	assert_string_equal(line,
		"   1.500      7 a\\x1bb          write fd 4: f3 pipe:[51234] 3 B \"\\x1b[H\"");
	n = (struct model_note){ .kind = IPCS_EV_CLOSE, .ts = 1 * SEC, .pid = 7,
				 .comm = "sh", .fd = 5, .refs = 1,
				 .implicit = "exec" };
	n.file = model_file(&x->m, FX_WR);
	n.obj = n.file->obj;
	notes_format(line, sizeof(line), &n, 1 * SEC);
	assert_string_equal(line,
		"   0.000      7 sh              close fd 5: f3 pipe:[51234] refs 1 by exec");
}

static void test_frame_text(void **state)
{
	struct frame f = { 0 };
	char *t;

	(void)state;
	assert_int_equal(frame_init(&f, 10, 2, false), 0);
	/* wide characters take two cells; invalid bytes one '?' */
	assert_int_equal(frame_puts(&f, 0, 0, 10, "a\xe4\xb8\xad" "b", ROLE_NORMAL), 4);
	assert_int_equal(frame_puts(&f, 0, 1, 3, "\xff" "xyz", ROLE_NORMAL), 3);
	t = frame_to_text(&f);
	assert_string_equal(t, "a\xe4\xb8\xad" "b\n?xy\n");
	free(t);
	/* a wide character that does not fit is not cut in half */
	frame_clear(&f);
	assert_int_equal(frame_puts(&f, 0, 0, 2, "a\xe4\xb8\xad", ROLE_NORMAL), 1);
	/* zero-width and bidi controls never reach the screen */
	assert_int_equal(frame_text_width("\xe2\x80\xae" "x"), 2);
	frame_free(&f);
}

static void test_size_text(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(notes_size(b, sizeof(b), 0), "0");
	assert_string_equal(notes_size(b, sizeof(b), 1023), "1023");
	assert_string_equal(notes_size(b, sizeof(b), 1536), "1.5K");
	assert_string_equal(notes_size(b, sizeof(b), 65536), "64K");
	assert_string_equal(notes_size(b, sizeof(b), 3ULL << 30), "3G");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_pipe_80x24),
		T(test_pipe_160x48),
		T(test_pipe_ascii),
		T(test_help),
		T(test_log_pane),
		T(test_detail_object),
		T(test_keys_move),
		T(test_keys_flags),
		T(test_filter),
		T(test_click),
		T(test_escaped_comm),
		T(test_too_small),
		T(test_exited_dim),
		T(test_flash),
		T(test_status),
		T(test_traffic_marker),
		T(test_active_only),
		T(test_shared_table),
		T(test_scroll),
		T(test_selection_repair),
		T(test_freeze),
		T(test_freeze_owns_mappings),
		T(test_notes_format),
		T(test_wait_read),
		T(test_wait_other),
		T(test_exited_kept),
		T(test_aggregated_log),
		T(test_aggregated_rates),
		T(test_output_pane),
#undef T
#define T(fn) cmocka_unit_test_setup_teardown(fn, ipc_setup, fx_teardown)
		T(test_ipc_80x24),
		T(test_detail_socket),
		T(test_detail_sysv),
		T(test_sysv_shown),
#undef T
		cmocka_unit_test(test_output_lines),
		cmocka_unit_test(test_frame_text),
		cmocka_unit_test(test_size_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
