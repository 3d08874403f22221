// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * SysV semaphores, from records to screen: the values a sem event read
 * in the kernel reach the set's object, a task record's first sop reaches
 * the blocked process, and the view, the detail pane and the JSON outputs
 * say both (sem:[11] "#0=0 #1=3 #2=1", "semop #0 -1").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "json.h"
#include "report.h"
#include "scene_fx.h"
#include "scene_prim.h"

#define SEM_ID 11
#define PROD 301
#define CONS 302

struct sfx {
	struct model m;
	struct view v;
	struct frame f;
	char *json;		/* the notes as JSON lines */
	size_t json_len;
	FILE *out;
	struct json j;
};

static void on_note(void *ctx, const struct model_note *n)
{
	struct sfx *x = ctx;

	log_note(NULL, n);
	report_note_json(&x->j, n, 0);
	json_newline(&x->j);
}

/* A sem event as the kernel sends it: the set's values after the call. */
static void sem_ev(struct sfx *x, unsigned kind, uint64_t ts, uint32_t pid,
		   int sem_num, int sem_op, unsigned nvals, const uint16_t *vals)
{
	struct ipcs_ev_ipc e = { 0 };

	fx_hdr(&e.h, kind, ts, pid, pid == PROD ? "producer" : "consumer",
	       sizeof(e));
	e.id = SEM_ID;
	e.sem_num = sem_num;
	e.sem_op = sem_op;
	e.nsops = 1;
	e.found = 1;
	e.qnum = 3;
	e.nsemval = nvals;	/* may claim more than the record holds */
	memcpy(e.semval, vals,
	       (nvals < IPCS_SEMVAL_MAX ? nvals : IPCS_SEMVAL_MAX) *
		       sizeof(vals[0]));
	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
}

/* Where pid sleeps, as the task iterator tells: semop on SEM_ID, with
 * its first sop when the entry recorded it. */
static void task_waits(struct sfx *x, uint32_t pid, bool sop_known,
		       int sem_num, int sem_op)
{
	struct ipcs_snap_task t = { 0 };

	t.h.kind = IPCS_SNAP_TASK;
	t.h.size = sizeof(t);
	t.h.pid = pid;
	t.ppid = 1;
	t.start = pid;
	fx_comm(t.comm, pid == PROD ? "producer" : "consumer");
	t.wait = IPCS_WAIT_SEMOP;
	t.wait_fd = -1;
	t.wait_id = SEM_ID;
	if (sop_known) {
		t.flags = IPCS_TASK_WAIT_SEM;
		t.wait_sem_num = sem_num;
		t.wait_sem_op = sem_op;
	}
	model_set_wait(&x->m, &t);
}

static int sfx_setup(void **state)
{
	static const uint16_t init[3] = { 4, 0, 1 }, after[3] = { 0, 3, 1 };
	struct sfx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	memset(&test_log, 0, sizeof(test_log));
	model_init(&x->m);
	x->out = open_memstream(&x->json, &x->json_len);
	if (!x->out)
		return -1;
	json_init(&x->j, x->out);
	x->m.note = on_note;
	x->m.note_ctx = x;
	fx_snap_task(&x->m, PROD, 1, "producer", 0xf301);
	fx_snap_task(&x->m, CONS, 1, "consumer", 0xf302);
	/* a terminal on fds 0 and 1 each: two rows, the wait on the second */
	for (int fd = 0; fd < 2; fd++) {
		fx_snap_tty(&x->m, PROD, 0xf301, fd, 0xffff888003000100ULL, 2);
		fx_snap_tty(&x->m, CONS, 0xf302, fd, 0xffff888003000200ULL, 2);
	}
	sem_ev(x, IPCS_EV_SEMGET, 1 * SEC, PROD, 0, 0, 3,
	       (const uint16_t[3]){ 0, 0, 0 });
	sem_ev(x, IPCS_EV_SEMCTL, 1 * SEC + 10 * MS, PROD, 0, 0, 3, init);
	sem_ev(x, IPCS_EV_SEMOP, 1 * SEC + 100 * MS, PROD, 0, -1, 3, after);
	setup_view(&x->v);
	x->v.now_ns = 1 * SEC + 300 * MS;
	*state = x;
	return 0;
}

static int sfx_teardown(void **state)
{
	struct sfx *x = *state;

	fclose(x->out);
	free(x->json);
	frame_free(&x->f);
	model_free(&x->m);
	free(x);
	return 0;
}

static const struct model_object *sem_obj(struct sfx *x)
{
	const struct model_object *o =
		hmap_get(&x->m.objects, MODEL_SYSV_DEV(OBJ_SEM), SEM_ID);

	assert_non_null(o);
	return o;
}

/* The latest event's values are the set's; a set larger than the cap
 * keeps the first IPCS_SEMVAL_MAX. */
static void test_values_follow_events(void **state)
{
	struct sfx *x = *state;
	const struct model_object *o = sem_obj(x);
	uint16_t many[IPCS_SEMVAL_MAX];

	assert_int_equal(o->stat.count, 3);
	assert_int_equal(o->stat.nsemval, 3);
	assert_int_equal(o->stat.semval[0], 0);
	assert_int_equal(o->stat.semval[1], 3);
	assert_int_equal(o->stat.semval[2], 1);
	for (int i = 0; i < IPCS_SEMVAL_MAX; i++)
		many[i] = i;
	sem_ev(x, IPCS_EV_SEMOP, 2 * SEC, CONS, 1, 1, IPCS_SEMVAL_MAX + 9, many);
	assert_int_equal(o->stat.nsemval, IPCS_SEMVAL_MAX);
	assert_int_equal(o->stat.semval[IPCS_SEMVAL_MAX - 1], IPCS_SEMVAL_MAX - 1);
}

/* A set the kernel no longer has keeps no claim on the values shown
 * alive: it is gone (IPC_RMID). */
static void test_removed_set_is_not_alive(void **state)
{
	struct sfx *x = *state;
	struct ipcs_ev_ipc e = { 0 };

	fx_hdr(&e.h, IPCS_EV_SEMCTL, 2 * SEC, PROD, "producer", sizeof(e));
	e.id = SEM_ID;
	e.cmd = 0;	/* IPC_RMID */
	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
	assert_false(sem_obj(x)->sysv_alive);
}

/* The task record's first sop reaches the process; without it (a call
 * begun before the tracer) only the set is known. */
static void test_blocked_on_a_named_semaphore(void **state)
{
	struct sfx *x = *state;
	struct model_proc *p = model_proc(&x->m, CONS);
	char buf[160];

	task_waits(x, CONS, true, 1, -1);
	assert_int_equal(p->wait, WAIT_SEMOP);
	assert_int_equal(p->wait_fd, -1);
	assert_int_equal(p->wait_id, SEM_ID);
	assert_true(p->wait_sem_known);
	assert_int_equal(p->wait_sem_num, 1);
	assert_int_equal(p->wait_sem_op, -1);
	assert_string_equal(wait_short(buf, sizeof(buf), p), "semop #1 -1");
	assert_string_equal(wait_words(buf, sizeof(buf), p),
			    "blocked in semop on sem:[11], semaphore #1, asking -1"
			    " (waits for a value that large)");
	task_waits(x, CONS, false, 0, 0);
	assert_false(p->wait_sem_known);
	assert_string_equal(wait_short(buf, sizeof(buf), p), "semop");
	assert_string_equal(wait_words(buf, sizeof(buf), p),
			    "blocked in semop on sem:[11]");
}

/* The graph: the set's row says its values, the blocked process on
 * which semaphore and what it asks; the detail pane both. */
static void test_view_shows_values_and_the_wait(void **state)
{
	struct sfx *x = *state;
	struct scene_layout l;

	task_waits(x, CONS, true, 0, -1);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "sem:[11] 3 sems");
	assert_has(&x->f, "#0=0 #1=3 #2=1");
	assert_has(&x->f, "\xe2\x97\xb7 semop #0 -1");
	assert_int_equal(role_of(&x->f, "semop #0 -1"), 'w');
	/* the detail pane of the set */
	assert_int_equal(scene_layout(&l, &x->m, &x->v, 80, 24), 0);
	for (size_t i = 0; i < l.n[PANE_OBJECTS]; i++) {
		const struct scene_item *it = &l.items[PANE_OBJECTS][i];

		if (it->obj == sem_obj(x)) {
			x->v.focus = PANE_OBJECTS;
			x->v.sel = (struct view_sel){ PANE_OBJECTS, it->a, it->b,
						      (int)i };
			x->v.have_sel = true;
			x->v.show_detail = true;
		}
	}
	scene_layout_free(&l);
	assert_true(x->v.have_sel);
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "3 semaphores");
	assert_has(&x->f, "values #0=0 #1=3 #2=1");
}

/* A set whose values no event has read yet says so, not "0". */
static void test_values_unknown(void **state)
{
	struct sfx *x = *state;
	struct ipcs_ev_ipc e = { 0 };
	char buf[64];

	fx_hdr(&e.h, IPCS_EV_SEMGET, 3 * SEC, PROD, "producer", sizeof(e));
	e.id = SEM_ID + 1;
	e.found = 1;
	e.qnum = 2;
	assert_int_equal(model_apply(&x->m, &e, sizeof(e)), 0);
	assert_string_equal(sem_values_text(buf, sizeof(buf),
			    hmap_get(&x->m.objects, MODEL_SYSV_DEV(OBJ_SEM),
				     SEM_ID + 1)), "");
	x->v.now_ns = 3 * SEC;
	render(&x->f, &x->m, &x->v, 80, 24, false);
	assert_has(&x->f, "sem:[12] 2 sems");
	assert_has(&x->f, "values ?");
}

/* JSON: sem events carry "semvals"; the snapshot document carries them
 * on the set, and "wait" on the blocked process. */
static void test_json_semvals_and_wait(void **state)
{
	struct sfx *x = *state;
	char *snap = NULL;
	size_t len = 0;
	FILE *f;

	fflush(x->out);
	assert_non_null(strstr(x->json, "\"type\":\"semop\""));
	assert_non_null(strstr(x->json, "\"sem_num\":0,\"sem_op\":-1"));
	assert_non_null(strstr(x->json, "\"semvals\":[0,3,1]"));
	assert_non_null(strstr(x->json, "\"semvals\":[4,0,1]"));	/* SETALL */
	task_waits(x, CONS, true, 0, -1);
	f = open_memstream(&snap, &len);
	assert_non_null(f);
	report_snapshot_json(f, &x->m, NULL);
	fclose(f);
	assert_non_null(strstr(snap, "\"nsems\":3,\"semvals\":[0,3,1]"));
	assert_non_null(strstr(snap, "\"wait\":{\"syscall\":\"semop\",\"id\":11,"
				     "\"sem_num\":0,\"sem_op\":-1}"));
	/* the producer sleeps nowhere: no "wait" */
	assert_int_equal(strstr(strstr(snap, "\"wait\"") + 1, "\"wait\""), NULL);
	free(snap);
	/* the text snapshot names the values too */
	snap = NULL;
	f = open_memstream(&snap, &len);
	assert_non_null(f);
	report_snapshot_text(f, &x->m, NULL);
	fclose(f);
	assert_non_null(strstr(snap, "sem:[11]  key 0  3 semaphores, values "
				     "#0=0 #1=3 #2=1\n"));
	free(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values_follow_events,
						sfx_setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_removed_set_is_not_alive,
						sfx_setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_blocked_on_a_named_semaphore,
						sfx_setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_view_shows_values_and_the_wait,
						sfx_setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_values_unknown,
						sfx_setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_json_semvals_and_wait,
						sfx_setup, sfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
