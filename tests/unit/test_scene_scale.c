// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The live view at scale: the filter names objects (a pipe, a path),
 * 'C' keeps only what is connected to the selection, 'S' sorts by pid,
 * activity or name, and what repeats is folded ('F' unfolds it): alike
 * workers into one row, an exited subtree into its top.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "scene_fx.h"

#define SH 200			/* a shell with four alike workers */
#define SH_TBL 0xffff888000c00000ULL
#define SH_PIPE 0xffff888001000300ULL
#define SH_INO 777
#define DEAD 300		/* an exited pipeline: 300 > 301 > 302 > 303 */

static void scale_model(struct model *m)
{
	fx_pipe_demo(m);
	fx_snap_task(m, SH, 1, "sh", SH_TBL);
	fx_fd(m, IPCS_EV_PIPE, 2 * SEC, SH, "sh", SH_TBL, 3, -1, SH_PIPE,
	      SH_INO, O_RDONLY, 1, 0);
	for (uint32_t w = 1; w <= 4; w++)
		fx_fork(m, 2 * SEC + w * MS, SH, SH + w, "sh", SH_TBL,
			SH_TBL + w * 0x1000);
	fx_snap_task(m, DEAD, 1, "aaa", 0);
	fx_fork(m, 3 * SEC, DEAD, DEAD + 1, "aaa", 0, 0);
	fx_fork(m, 3 * SEC + 1 * MS, DEAD + 1, DEAD + 2, "aaa", 0, 0);
	fx_fork(m, 3 * SEC + 1 * MS, DEAD + 2, DEAD + 3, "aaa", 0, 0);
	fx_exit(m, 3 * SEC + 2 * MS, DEAD + 3, "aaa", 0);
	fx_exit(m, 3 * SEC + 2 * MS, DEAD + 2, "aaa", 0);
	fx_exit(m, 3 * SEC + 3 * MS, DEAD + 1, "aaa", 0);
	fx_exit(m, 3 * SEC + 4 * MS, DEAD, "aaa", 0);
}

struct fx {
	struct model m;
	struct view v;
	struct scene_layout l;
	bool laid;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	model_init(&x->m);
	scale_model(&x->m);
	setup_view(&x->v);
	x->v.now_ns = 4 * SEC;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	if (x->laid)
		scene_layout_free(&x->l);
	model_free(&x->m);
	free(x);
	return 0;
}

/* The process rows of the layout, as "pid[+alike][^below]" in order. */
static const char *rows(struct fx *x)
{
	static char out[512];
	size_t at = 0;

	if (x->laid)
		scene_layout_free(&x->l);
	assert_int_equal(scene_layout(&x->l, &x->m, &x->v, 160, 60), 0);
	x->laid = true;
	out[0] = 0;
	for (size_t i = 0; i < x->l.n[PANE_PROCS] && at < sizeof(out); i++) {
		const struct scene_item *it = &x->l.items[PANE_PROCS][i];

		at += snprintf(out + at, sizeof(out) - at, "%s%u", i ? " " : "",
			       it->proc->pid);
		if (it->alike && at < sizeof(out))
			at += snprintf(out + at, sizeof(out) - at, "+%u", it->alike);
		if (it->below && at < sizeof(out))
			at += snprintf(out + at, sizeof(out) - at, "^%u", it->below);
	}
	return out;
}

static void test_folds_by_default(void **state)
{
	struct fx *x = *state;

	/* four alike workers: one row, +3; the exited pipeline: its top;
	 * the pipe demo's parent and child stay as they are */
	assert_string_equal(rows(x), "100 101 200 201+3 300^3");
	keys(&x->m, &x->v, 160, 60, 'F', 0);
	assert_string_equal(rows(x),
			    "100 101 200 201 202 203 204 300 301 302 303");
}

static void test_fold_needs_three_alike(void **state)
{
	struct fx *x = *state;

	/* two workers leave: two alike are shown as they are */
	fx_exit(&x->m, 5 * SEC, SH + 3, "sh", 0);
	fx_exit(&x->m, 5 * SEC + 1, SH + 4, "sh", 0);
	assert_string_equal(rows(x), "100 101 200 201 202 203 204 300^3");
	/* a third ends alike: the three exited fold, the one running
	 * stands alone */
	fx_exit(&x->m, 5 * SEC + 2, SH + 2, "sh", 0);
	assert_string_equal(rows(x), "100 101 200 201 202+2 300^3");
}

static void test_filter_names_objects(void **state)
{
	struct fx *x = *state;
	char f[32];

	snprintf(f, sizeof(f), "pipe:[%d]", SH_INO);
	snprintf(x->v.filter, sizeof(x->v.filter), "%s", f);
	assert_string_equal(rows(x), "200 201+3");
	snprintf(x->v.filter, sizeof(x->v.filter), "pipe:[%d]", FX_INO);
	assert_string_equal(rows(x), "100 101");
	/* a path: the terminal both pipe-demo processes hold */
	snprintf(x->v.filter, sizeof(x->v.filter), "/dev/pts");
	assert_string_equal(rows(x), "100 101");
	/* names and pids still match */
	snprintf(x->v.filter, sizeof(x->v.filter), "aaa");
	assert_string_equal(rows(x), "300^3");
}

static void test_connected_to_selection(void **state)
{
	struct fx *x = *state;

	x->v.sel = (struct view_sel){ PANE_PROCS, SH + 1, 2 * SEC + 1 * MS, 0 };
	x->v.have_sel = true;
	keys(&x->m, &x->v, 160, 60, 'C', 0);
	assert_true(x->v.connected);
	/* worker 201 holds pipe 777: its shell and the other workers do */
	assert_string_equal(rows(x), "200 201+3");
	/* the pipe demo's pipe object, selected: both of its holders */
	x->v.sel = (struct view_sel){ PANE_OBJECTS, PIPE_DEV, FX_INO, 0 };
	assert_string_equal(rows(x), "100 101");
	keys(&x->m, &x->v, 160, 60, 'C', 0);
	assert_false(x->v.connected);
}

static void test_sort_keys(void **state)
{
	struct fx *x = *state;

	keys(&x->m, &x->v, 160, 60, 'S', 0);
	assert_int_equal(x->v.sort, SORT_ACTIVITY);
	/* the latest event first: the pipeline's exit, the workers' forks;
	 * the latest worker stands for the alike ones */
	assert_string_equal(rows(x), "300^3 200 204+3 100 101");
	keys(&x->m, &x->v, 160, 60, 'S', 0);
	assert_int_equal(x->v.sort, SORT_NAME);
	assert_string_equal(rows(x), "300^3 100 101 200 201+3");
	keys(&x->m, &x->v, 160, 60, 'S', 0);
	assert_int_equal(x->v.sort, SORT_PID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_folds_by_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fold_needs_three_alike,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_names_objects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connected_to_selection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_keys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
