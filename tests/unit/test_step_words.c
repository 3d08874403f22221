// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Step mode's plain words for a held call (tracer/step_words.c, included
 * here: it is part of the tracer, which unit tests do not link): the
 * call, its arguments, and the fds and objects the model names, and the
 * fd the view is to point at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "records.h"
#include "step_words.c"

#define P 100
#define TBL_P 0xffff888000a00000ULL
#define RD 0xffff888001000100ULL
#define WR 0xffff888001000200ULL
#define PIPE_INO 4242

/* P with a pipe on fds 3 (read, f1) and 4 (write, f2). */
static void with_pipe(struct model *m)
{
	struct ipcs_snap_task t = rec_snap_task(P, 1, P * 1000ULL, TBL_P);
	struct ipcs_ev_fd r = rec_fd(IPCS_EV_PIPE, 1000, P, TBL_P, 3, -1, 0,
				     rec_pipe(RD, PIPE_INO, O_RDONLY, 1));
	struct ipcs_ev_fd w = rec_fd(IPCS_EV_PIPE, 1000, P, TBL_P, 4, -1,
				     IPCS_FD_CLOEXEC,
				     rec_pipe(WR, PIPE_INO, O_WRONLY, 1));

	assert_int_equal(model_apply_snap(m, &t, sizeof(t)), 0);
	assert_int_equal(model_apply(m, &r, sizeof(r)), 0);
	assert_int_equal(model_apply(m, &w, sizeof(w)), 0);
}

static struct step_call call(int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return (struct step_call){ .pid = P, .nr = nr, .args = { a0, a1, a2 } };
}

static int words(struct model *m, struct step_call c, char *out)
{
	return step_words(out, 256, &c, m);
}

static void test_dup2_names_the_entry_and_target_fd(void **state)
{
	struct rec_fx *fx = *state;
	char out[256];

	with_pipe(&fx->m);
	assert_int_equal(words(&fx->m, call(__NR_dup2, 4, 1, 0), out), 1);
	assert_string_equal(out, "pid 100 is about to dup2(4, 1): fd 1 will "
			    "point at f2 pipe:[4242]");
	/* onto an open fd: its entry goes first */
	assert_int_equal(words(&fx->m, call(__NR_dup3, 4, 3, 0), out), 3);
	assert_string_equal(out, "pid 100 is about to dup3(4, 3): fd 3 will "
			    "point at f2 pipe:[4242] (closing its f1 first)");
}

static void test_close_says_refs(void **state)
{
	struct rec_fx *fx = *state;
	char out[256];

	with_pipe(&fx->m);
	assert_int_equal(words(&fx->m, call(__NR_close, 3, 0, 0), out), 3);
	assert_string_equal(out, "pid 100 is about to close(3): fd 3 lets go "
			    "of f1 pipe:[4242] (refs 1 before)");
	assert_int_equal(words(&fx->m, call(__NR_close, 9, 0, 0), out), 9);
	assert_string_equal(out, "pid 100 is about to close(9): fd 9 goes");
}

static void test_data_on_a_pipe(void **state)
{
	struct rec_fx *fx = *state;
	char out[256];

	with_pipe(&fx->m);
	assert_int_equal(words(&fx->m, call(__NR_write, 4, 0, 12), out), 4);
	assert_string_equal(out, "pid 100 is about to write(4, 12 bytes): "
			    "data into f2 pipe:[4242]");
	assert_int_equal(words(&fx->m, call(__NR_readv, 3, 0, 2), out), 3);
	assert_string_equal(out, "pid 100 is about to readv(3): data out of "
			    "f1 pipe:[4242]");
}

static void test_exec_counts_cloexec_fds(void **state)
{
	struct rec_fx *fx = *state;
	struct step_call c = call(__NR_execve, 0, 0, 0);
	char out[256];

	with_pipe(&fx->m);
	strcpy(c.path, "/bin/cat");
	assert_int_equal(step_words(out, sizeof(out), &c, &fx->m), -1);
	assert_string_equal(out, "pid 100 is about to execve(\"/bin/cat\"): a "
			    "new program; its 1 close-on-exec fd will close");
}

/* No model, or a process it does not know: the numbers alone. */
static void test_without_the_model(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(words(NULL, call(__NR_pipe2, 0, O_CLOEXEC, 0), out), -1);
	assert_string_equal(out, "pid 100 is about to pipe2(O_CLOEXEC): a new "
			    "pipe, its two ends on two new fds");
	assert_int_equal(words(NULL, call(__NR_dup, 4, 0, 0), out), 4);
	assert_string_equal(out, "pid 100 is about to dup(4): a new fd will "
			    "point at what fd 4 points at");
	assert_int_equal(words(NULL, call(__NR_connect, 5, 0, 0), out), 5);
	assert_string_equal(out, "pid 100 is about to connect(5): connects fd 5");
	assert_int_equal(words(NULL, call(__NR_clone, 0x00010000 | 0x400, 0, 0),
			       out), -1);
	assert_string_equal(out, "pid 100 is about to clone(): a new thread "
			    "sharing its fd table");
	assert_int_equal(words(NULL, call(__NR_msgsnd, 7, 0, 16), out), -1);
	assert_string_equal(out, "pid 100 is about to msgsnd(msg:[7], 16 bytes): "
			    "a message into the queue");
	assert_int_equal(words(NULL, call(__NR_getpid, 0, 0, 0), out), -1);
	assert_string_equal(out, "pid 100 is about to make syscall 39");
}

/* A small buffer is cut, never overrun. */
static void test_truncates(void **state)
{
	struct step_call c = call(__NR_close_range, 3, ~0U, 0);
	char out[24];

	(void)state;
	memset(out, 'x', sizeof(out));
	step_words(out, 16, &c, NULL);
	assert_int_equal(strlen(out), 15);
	assert_int_equal(out[16], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dup2_names_the_entry_and_target_fd,
						rec_fx_setup, rec_fx_teardown),
		cmocka_unit_test_setup_teardown(test_close_says_refs,
						rec_fx_setup, rec_fx_teardown),
		cmocka_unit_test_setup_teardown(test_data_on_a_pipe,
						rec_fx_setup, rec_fx_teardown),
		cmocka_unit_test_setup_teardown(test_exec_counts_cloexec_fds,
						rec_fx_setup, rec_fx_teardown),
		cmocka_unit_test(test_without_the_model),
		cmocka_unit_test(test_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
