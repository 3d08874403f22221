// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The noise out of the live view, and its labels (issue 15): the dynamic
 * loader's files, ipcscope's own output pipe and sleeps are hidden or
 * marked (x shows them) while the model and its notes keep them; a
 * signal on its target's row and an exit by signal named; an entry held
 * only by a mapping stays in the graph; the pending syscall named; the
 * help's gauge legend drawn with the gauge's glyphs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "records.h"

#include "keys.h"
#include "notes.h"
#include "scene.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define PID 100
#define FILES 0xf100

struct nfx {
	struct model m;
	struct view v;
	struct frame f;
	struct view_log log;
};

static void log_note(void *ctx, const struct model_note *n)
{
	struct nfx *x = ctx;

	notes_log(&x->log, n, 0);
}

static int setup(void **state)
{
	struct nfx *x = calloc(1, sizeof(*x));
	struct ipcs_snap_task t = rec_snap_task(PID, 1, 1, FILES);

	if (!x)
		return -1;
	model_init(&x->m);
	x->m.note = log_note;
	x->m.note_ctx = x;
	view_init(&x->v);
	x->v.log = &x->log;
	x->v.target = "demo";
	x->v.now_ns = 1 * SEC;
	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct nfx *x = *state;

	frame_free(&x->f);
	model_free(&x->m);
	free(x);
	return 0;
}

static void render(struct nfx *x, bool ascii)
{
	struct scene_layout l;

	assert_int_equal(frame_init(&x->f, 100, 30, ascii), 0);
	assert_int_equal(scene_layout(&l, &x->m, &x->v, 100, 30), 0);
	view_fix(&x->v, &l);
	scene_layout_free(&l);
	scene_render(&x->m, &x->v, &x->f);
}

static bool has(const struct frame *f, const char *s)
{
	char *t = frame_to_text(f);
	bool yes = t && strstr(t, s);

	free(t);
	return yes;
}

#define assert_has(x, s)                                                      \
	do {                                                                   \
		if (!has(&(x)->f, s)) {                                        \
			char *t_ = frame_to_text(&(x)->f);                     \
			fprintf(stderr, "no \"%s\" in:\n%s", s, t_);            \
			free(t_);                                              \
			fail();                                                \
		}                                                              \
	} while (0)
#define assert_hasnt(x, s)                                                    \
	do {                                                                   \
		if (has(&(x)->f, s)) {                                         \
			char *t_ = frame_to_text(&(x)->f);                     \
			fprintf(stderr, "\"%s\" should not be in:\n%s", s, t_); \
			free(t_);                                              \
			fail();                                                \
		}                                                              \
	} while (0)

static void key(struct nfx *x, int k)
{
	struct scene_layout l;

	assert_int_equal(scene_layout(&l, &x->m, &x->v, 100, 30), 0);
	view_fix(&x->v, &l);
	view_key(&x->v, &l, k);
	scene_layout_free(&l);
}

/* open(path) at fd as the BPF side reports it: the kernel's own path */
static void open_file(struct nfx *x, uint64_t ts, int fd, const char *path,
		      uint64_t file, uint64_t ino, uint32_t flags, bool cloexec)
{
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_OPEN, ts, PID, FILES, fd, -1,
				     IPCS_FD_KPATH |
					     (cloexec ? IPCS_FD_CLOEXEC : 0),
				     rec_reg(file, ino, flags, 1));

	e.dirfd = -1;
	rec_str(e.path, sizeof(e.path), path);
	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
}

static void test_loader_path(void **state)
{
	(void)state;
	assert_true(model_loader_path("/etc/ld.so.cache"));
	assert_true(model_loader_path("/usr/lib/x86_64-linux-gnu/libc.so.6"));
	assert_true(model_loader_path("/lib64/ld-linux-x86-64.so.2"));
	assert_true(model_loader_path("/opt/app/lib/libfoo.so"));
	assert_true(model_loader_path("/usr/lib/locale/locale-archive"));
	assert_true(model_loader_path("/usr/lib32/gconv/gconv-modules.cache"));
	assert_false(model_loader_path("/tmp/ipcscope-demo-file"));
	assert_false(model_loader_path("/home/u/notes.so.txt"));
	assert_false(model_loader_path("/home/u/.so"));
	assert_false(model_loader_path("/usr/library/x"));
	assert_false(model_loader_path("/etc/passwd"));
	assert_false(model_loader_path("libc.so.6"));
	assert_false(model_loader_path(NULL));
}

/* Only what ld.so does: read-only and close-on-exec. */
static void test_loader_flag(void **state)
{
	struct nfx *x = *state;

	open_file(x, 10 * MS, 3, "/etc/ld.so.cache", 0xa1, 11, O_RDONLY, true);
	open_file(x, 11 * MS, 4, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0xa2,
		  12, O_RDONLY, false);
	open_file(x, 12 * MS, 5, "/usr/lib/libfoo.so", 0xa3, 13, O_RDWR, true);
	open_file(x, 13 * MS, 6, "/tmp/data", 0xa4, 14, O_RDONLY, true);
	/* glibc's caches: close-on-exec or not, as its version has it */
	open_file(x, 14 * MS, 7, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache",
		  0xa5, 15, O_RDONLY, false);
	open_file(x, 15 * MS, 8, "/usr/lib/os-release", 0xa6, 16, O_RDONLY,
		  false);
	assert_true(model_file(&x->m, 0xa1)->loader);
	assert_false(model_file(&x->m, 0xa2)->loader);
	assert_false(model_file(&x->m, 0xa3)->loader);
	assert_false(model_file(&x->m, 0xa4)->loader);
	assert_true(model_file(&x->m, 0xa5)->loader);
	assert_false(model_file(&x->m, 0xa6)->loader);
}

/* Hidden from the graph, the details and the log; 'x' shows them. */
static void test_loader_hidden(void **state)
{
	struct nfx *x = *state;
	struct ipcs_ev_fd c;

	open_file(x, 10 * MS, 3, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0xa1,
		  11, O_RDONLY, true);
	open_file(x, 20 * MS, 4, "/tmp/lesson", 0xa2, 12, O_RDONLY, false);
	x->v.show_log = true;
	render(x, false);
	assert_hasnt(x, "libc.so.6");
	assert_has(x, "/tmp/lesson");
	/* the log keeps the line, marked */
	assert_true(x->log.lines[0].noise);
	assert_non_null(strstr(x->log.lines[0].text, "libc.so.6"));
	assert_false(x->log.lines[1].noise);
	/* its close too: the entry says it is the loader's */
	c = rec_fd(IPCS_EV_CLOSE, 30 * MS, PID, FILES, 3, -1, 0,
		   rec_reg(0xa1, 11, O_RDONLY, 0));
	assert_int_equal(model_apply(&x->m, &c, sizeof(c)), 0);
	assert_true(x->log.lines[2].noise);
	render(x, false);
	assert_hasnt(x, "libc.so.6");
	assert_has(x, "EVENTS  (2 of the loader's or ipcscope's own hidden: x shows them)");
	/* shown on demand, with the log lines */
	key(x, 'x');
	render(x, false);
	assert_has(x, "libc.so.6");
}

/* The kernel hands the loader's reads over aggregated, after the close
 * and the sweep: still the loader's. */
static void test_loader_flow(void **state)
{
	struct nfx *x = *state;
	struct ipcs_ev_fd c;
	struct ipcs_flow fl;

	open_file(x, 10 * MS, 3, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0xa1,
		  11, O_RDONLY, true);
	c = rec_fd(IPCS_EV_CLOSE, 30 * MS, PID, FILES, 3, -1, 0,
		   rec_reg(0xa1, 11, O_RDONLY, 0));
	assert_int_equal(model_apply(&x->m, &c, sizeof(c)), 0);
	model_sweep(&x->m, 40 * MS);
	assert_null(model_file(&x->m, 0xa1));
	memset(&fl, 0, sizeof(fl));
	rec_hdr(&fl.h, IPCS_EV_READ, 20 * MS, PID, sizeof(fl));
	fl.calls = 2;
	fl.bytes = 832;
	fl.files = FILES;
	fl.last_ts = 50 * MS;
	fl.f = rec_reg(0xa1, 11, O_RDONLY, 0);
	assert_int_equal(model_apply_flow(&x->m, &fl, sizeof(fl)), 0);
	assert_true(x->log.lines[x->log.count - 1].noise);
	/* another file's flow is not */
	fl.f = rec_reg(0xa9, 19, O_RDONLY, 0);
	assert_int_equal(model_apply_flow(&x->m, &fl, sizeof(fl)), 0);
	assert_false(x->log.lines[x->log.count - 1].noise);
}

static void test_loader_detail(void **state)
{
	struct nfx *x = *state;

	open_file(x, 10 * MS, 3, "/etc/ld.so.cache", 0xa1, 11, O_RDONLY, true);
	x->v.have_sel = true;
	x->v.focus = PANE_PROCS;
	x->v.sel = (struct view_sel){ PANE_PROCS, PID, 1, 0 };
	x->v.show_detail = true;
	render(x, false);
	assert_has(x, "1 of the dynamic loader's (x shows them)");
	assert_hasnt(x, "ld.so.cache");
}

/* ipcscope's own output pipe: named as ours, no gauge, no flash, its
 * data in the log only with 'x'. */
static void test_own_pipe(void **state)
{
	struct nfx *x = *state;
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_DUP, 10 * MS, PID, FILES, 1, -1,
				     0, rec_pipe(0xb1, 777, O_WRONLY, 2));
	struct ipcs_ev_data *d;

	model_own_object(&x->m, REC_PIPE_DEV, 777);
	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
	d = rec_data(IPCS_EV_WRITE, 900 * MS, PID, FILES, 1, 14,
		     rec_pipe(0xb1, 777, O_WRONLY, 2), NULL, 0);
	assert_int_equal(model_apply(&x->m, d, d->h.size), 0);
	free(d);
	x->v.show_log = true;
	render(x, false);
	assert_has(x, "ipcscope's output");
	assert_hasnt(x, "0/64K");
	assert_true(x->log.lines[x->log.count - 1].noise);
	assert_hasnt(x, "write");
	/* the pipe's row is dim, not flashing */
	char *t = frame_to_text(&x->f), *r = frame_roles_to_text(&x->f);
	char *p = strstr(t, "ipcscope's output");
	int row = 0, col = 0;

	for (char *q = t; q < p; q++) {
		if (*q == '\n') {
			row++;
			col = 0;
		} else if ((*q & 0xc0) != 0x80) {
			col++;
		}
	}
	char *line = r;
	for (int i = 0; i < row; i++)
		line = strchr(line, '\n') + 1;
	assert_int_equal(line[col], frame_role_letter(ROLE_DIM));
	free(t);
	free(r);
	/* the model marks one it already holds too */
	model_own_object(&x->m, REC_PIPE_DEV, 778);
	assert_true(model_is_own(&x->m, REC_PIPE_DEV, 778));
}

static void test_sleep_not_a_wait(void **state)
{
	struct nfx *x = *state;
	struct model_proc *p = model_proc(&x->m, PID);

	p->wait = WAIT_SLEEP;
	render(x, false);
	assert_hasnt(x, "sleep");
	key(x, 'x');
	render(x, false);
	assert_has(x, "\xe2\x97\xb7 sleep");
}

/* WAIT_OTHER: the task record carries the syscall's number. */
static void test_wait_syscall_name(void **state)
{
	struct nfx *x = *state;
	struct ipcs_snap_task t = rec_snap_task(PID, 1, 1, FILES);

	t.wait = IPCS_WAIT_OTHER;
	t.wait_fd = 202;
	model_set_wait(&x->m, &t);
	assert_int_equal(model_proc(&x->m, PID)->wait_nr, 202);
	render(x, false);
	assert_has(x, "\xe2\x97\xb7 futex");
	assert_hasnt(x, "syscall");
	t.wait_fd = 999;
	model_set_wait(&x->m, &t);
	render(x, false);
	assert_has(x, "syscall 999");
	t.wait = IPCS_WAIT_READ;
	t.wait_fd = 3;
	model_set_wait(&x->m, &t);
	assert_int_equal(model_proc(&x->m, PID)->wait_nr, -1);
}

static void signal_code(struct nfx *x, uint64_t ts, uint32_t from,
			uint32_t to, int sig, uint32_t action, int code)
{
	struct ipcs_ev_signal e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.h, IPCS_EV_SIGNAL, ts, from, sizeof(e));
	e.target = to;
	e.target_tid = to;
	e.sig = sig;
	e.code = code;
	e.action = action;
	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
}

static void signal_to(struct nfx *x, uint64_t ts, uint32_t from, int sig,
		      uint32_t action)
{
	signal_code(x, ts, from, PID, sig, action, 0 /* SI_USER */);
}

/* On the target's row for a while, with how it is handled. */
static void test_signal_row(void **state)
{
	struct nfx *x = *state;
	struct ipcs_ev_proc ex;

	signal_to(x, 900 * MS, 55, SIGUSR1, IPCS_SIGACT_HANDLER);
	render(x, false);
	assert_has(x, "SIGUSR1 caught \xe2\x86\x90" "55");
	render(x, true);
	assert_has(x, "!SIGUSR1 caught <-55");
	x->v.now_ns = 900 * MS + VIEW_SIGNAL_NS;
	render(x, false);
	assert_hasnt(x, "SIGUSR1");
	/* blocked: pending; SIGCHLD only with the noise */
	x->v.now_ns = 2 * SEC;
	signal_to(x, 2 * SEC, 55, SIGUSR2,
		  IPCS_SIGACT_HANDLER | IPCS_SIGACT_BLOCKED);
	render(x, false);
	assert_has(x, "SIGUSR2 pending");
	signal_to(x, 2 * SEC, 55, SIGCHLD, IPCS_SIGACT_DEFAULT);
	render(x, false);
	assert_hasnt(x, "SIGCHLD");
	key(x, 'x');
	render(x, false);
	assert_has(x, "SIGCHLD ignored");
	/* the kernel's SIGPIPE into the writer: no sender shown; its end
	 * named */
	signal_to(x, 2 * SEC, PID, SIGPIPE, IPCS_SIGACT_DEFAULT);
	render(x, false);
	assert_has(x, "SIGPIPE kills it");
	assert_hasnt(x, "\xe2\x86\x90");
	ex = rec_exit(2 * SEC + 1, PID, FILES, 0);
	ex.signal = SIGPIPE;
	assert_int_equal(model_apply(&x->m, &ex, sizeof(ex)), 0);
	render(x, false);
	assert_has(x, "killed by SIGPIPE");
	assert_hasnt(x, "killed by 13");
}

/* The sender's row says what it sent to whom; a timer's signal (the
 * kernel's, SI_TIMER) names no sender. */
static void test_signal_sender(void **state)
{
	struct nfx *x = *state;
	struct ipcs_snap_task t = rec_snap_task(200, 1, 1, 0xf200);

	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	signal_code(x, 900 * MS, PID, 200, SIGUSR1, IPCS_SIGACT_HANDLER, 0);
	render(x, false);
	assert_has(x, "SIGUSR1 sent \xe2\x86\x92" "200");
	assert_has(x, "SIGUSR1 caught \xe2\x86\x90" "100");
	/* the details keep both after the mark is gone */
	x->v.now_ns = 5 * SEC;
	x->v.have_sel = true;
	x->v.sel = (struct view_sel){ PANE_PROCS, 200, 1, 0 };
	x->v.show_detail = true;
	render(x, false);
	assert_has(x, "last signal SIGUSR1 from 100: caught, 4.1 s ago");
	x->v.sel = (struct view_sel){ PANE_PROCS, PID, 1, 0 };
	render(x, false);
	assert_has(x, "last sent SIGUSR1 to 200, 4.1 s ago");
	x->v.show_detail = false;
	x->v.now_ns = 900 * MS;
	x->v.now_ns = 900 * MS + VIEW_SIGNAL_NS;
	render(x, false);
	assert_hasnt(x, "SIGUSR1");
	signal_code(x, 5 * SEC, PID, 200, SIGALRM, IPCS_SIGACT_HANDLER,
		    -2 /* SI_TIMER */);
	x->v.now_ns = 5 * SEC;
	render(x, false);
	assert_has(x, "SIGALRM caught");
	assert_hasnt(x, "\xe2\x86\x90" "100");
	assert_hasnt(x, "sent");
}

/* Closed after mmap: the mapping holds the entry, and the graph shows
 * it on a row of its own. */
static void test_map_held_entry(void **state)
{
	struct nfx *x = *state;
	struct ipcs_ev_fd mm, c;

	open_file(x, 10 * MS, 3, "/tmp/ipcscope-mmap", 0xc1, 21, O_RDWR, false);
	mm = rec_mmap(20 * MS, PID, FILES, 3, 0x7f0000000000, 4096,
		      rec_reg(0xc1, 21, O_RDWR, 2));
	assert_int_equal(model_apply(&x->m, &mm, sizeof(mm)), 0);
	render(x, false);
	assert_hasnt(x, "mmap ");	/* the fd holds it too: one row */
	c = rec_fd(IPCS_EV_CLOSE, 30 * MS, PID, FILES, 3, -1, 0,
		   rec_reg(0xc1, 21, O_RDWR, 1));
	assert_int_equal(model_apply(&x->m, &c, sizeof(c)), 0);
	model_sweep(&x->m, 40 * MS);
	render(x, false);
	assert_has(x, "mmap");
	assert_has(x, "refs 1");
	assert_has(x, "/tmp/ipcscope-mmap");
	/* its details say what holds it */
	x->v.focus = PANE_FDS;
	x->v.have_sel = true;
	x->v.sel = (struct view_sel){ PANE_FDS, PID, SCENE_MAP_B(0), 0 };
	x->v.show_detail = true;
	render(x, false);
	assert_has(x, "a shared mapping of 100");
	assert_has(x, "shared mapping at 0x7f0000000000");
}

/* The C library's mapped cache, closed: no mmap row unless noise. */
static void test_map_held_loader(void **state)
{
	struct nfx *x = *state;
	struct ipcs_ev_fd mm, c;

	open_file(x, 10 * MS, 3, "/usr/lib/locale/locale-archive", 0xc2, 22,
		  O_RDONLY, true);
	mm = rec_mmap(20 * MS, PID, FILES, 3, 0x7f0000001000, 4096,
		      rec_reg(0xc2, 22, O_RDONLY, 2));
	assert_int_equal(model_apply(&x->m, &mm, sizeof(mm)), 0);
	c = rec_fd(IPCS_EV_CLOSE, 30 * MS, PID, FILES, 3, -1, 0,
		   rec_reg(0xc2, 22, O_RDONLY, 1));
	assert_int_equal(model_apply(&x->m, &c, sizeof(c)), 0);
	render(x, false);
	assert_hasnt(x, "mmap");
	assert_hasnt(x, "locale-archive");
	key(x, 'x');
	render(x, false);
	assert_has(x, "mmap");
	assert_has(x, "locale-archive");
}

/* The legend shows the glyphs the gauge is drawn with, in both sets. */
static void test_gauge_legend(void **state)
{
	struct nfx *x = *state;
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_PIPE, 10 * MS, PID, FILES, 3, -1,
				     0, rec_pipe(0xd1, 888, O_RDONLY, 1));

	e.f.pipe_buffered = 40000;
	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
	render(x, false);
	assert_has(x, "[\xe2\x96\x88");		/* [█ */
	assert_has(x, "\xe2\x96\x91]");		/* ░] */
	x->v.show_help = true;
	render(x, false);
	assert_has(x, "[\xe2\x96\x88\xe2\x96\x88\xe2\x96\x91\xe2\x96\x91]    bytes buffered");
	assert_hasnt(x, "[##..]");
	render(x, true);
	assert_has(x, "[##..]    bytes buffered");
	x->v.show_help = false;
	render(x, true);
	assert_has(x, "[#");
	assert_has(x, ".]");
}

/* One write is bytes moved, in the graph and the details; a rate only
 * once data keeps moving. */
static void test_moved_then_rate(void **state)
{
	struct nfx *x = *state;
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_PIPE, 10 * MS, PID, FILES, 4, -1,
				     0, rec_pipe(0xd2, 889, O_WRONLY, 1));
	struct hmap files = { 0 }, objs = { 0 };
	struct model_note n = { .kind = IPCS_EV_WRITE, .bytes = 14 };

	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
	n.file = model_file(&x->m, 0xd2);
	n.obj = n.file->obj;
	n.ts = 900 * MS;
	assert_int_equal(notes_traffic(&files, &objs, &n), 0);
	notes_roll(&objs, 1 * SEC, 1 * SEC, 10 * SEC);
	x->v.file_traffic = &files;
	x->v.obj_traffic = &objs;
	x->v.now_ns = 1 * SEC;
	x->v.have_sel = true;
	x->v.focus = PANE_OBJECTS;
	x->v.sel = (struct view_sel){ PANE_OBJECTS, REC_PIPE_DEV, 889, 0 };
	render(x, false);
	assert_has(x, "pipe:[889] 14B moved");
	x->v.show_detail = true;
	render(x, false);
	assert_has(x, "just moved 14B in, 0B out");
	assert_hasnt(x, "B/s");
	n.ts = 1 * SEC + 500 * MS;
	assert_int_equal(notes_traffic(&files, &objs, &n), 0);
	notes_roll(&objs, 2 * SEC, 1 * SEC, 10 * SEC);
	x->v.now_ns = 2 * SEC;
	render(x, false);
	assert_has(x, "now 14B/s in, 0B/s out");
	x->v.show_detail = false;
	render(x, false);
	assert_has(x, "pipe:[889] 14B/s");
	notes_traffic_free(&files);
	notes_traffic_free(&objs);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_path),
		T(test_loader_flag),
		T(test_loader_hidden),
		T(test_loader_flow),
		T(test_loader_detail),
		T(test_own_pipe),
		T(test_sleep_not_a_wait),
		T(test_wait_syscall_name),
		T(test_signal_row),
		T(test_signal_sender),
		T(test_map_held_entry),
		T(test_map_held_loader),
		T(test_gauge_legend),
		T(test_moved_then_rate),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
