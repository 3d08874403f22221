// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The optional kernel features: IPCSCOPE_REFUSE's names, probing, which
 * programs load, what a refusal switches off, and reading a refusal out of
 * what libbpf said (with the verifiers' own words from 6.1 and 6.18.44).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "ipcscope.h"
#include "kernel_features.h"

static void test_all_on_by_default(void **state)
{
	struct features f;
	const char *off[FEAT__COUNT];

	(void)state;
	assert_int_equal(features_init(&f, NULL), 0);
	assert_int_equal(features_off(&f, off, FEAT__COUNT), 0);
	assert_int_equal(features_mask(&f) & IPCS_FEAT_SYSV, IPCS_FEAT_SYSV);
	assert_true(features_autoload(&f, "tp_btf_sys_exit_direct"));
	assert_false(features_autoload(&f, "tp_btf_sys_exit"));
	assert_true(features_autoload(&f, "iter_task_vma"));
	assert_true(features_autoload(&f, "tp_btf_sched_process_fork"));
}

static void test_refuse_names(void **state)
{
	struct features f;
	const char *off[FEAT__COUNT];
	char text[128];

	(void)state;
	assert_int_equal(features_init(&f, "maps,,fast-data,"), 0);
	assert_int_equal(features_off(&f, off, FEAT__COUNT), 2);
	assert_string_equal(off[0], "fast-data");	/* table order */
	assert_string_equal(off[1], "maps");
	assert_string_equal(f.why[FEAT_MAPS], "refused by IPCSCOPE_REFUSE");
	assert_false(features_autoload(&f, "iter_task_vma"));
	/* without fast-data, the portable exit program */
	assert_true(features_autoload(&f, "tp_btf_sys_exit"));
	assert_false(features_autoload(&f, "tp_btf_sys_exit_direct"));
	features_off_text(&f, text, sizeof(text));
	assert_string_equal(text, "fast-data, maps");

	assert_int_equal(features_init(&f, "map"), -EINVAL);	/* no prefixes */
	assert_int_equal(features_init(&f, "sysv,bogus"), -EINVAL);
}

static bool has_none_of_loop(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "bpf_loop") && strcmp(name, "bpf_rdonly_cast");
}

static void test_probe_switches_off_what_is_missing(void **state)
{
	struct features f;

	(void)state;
	features_init(&f, NULL);
	features_probe(&f, has_none_of_loop, NULL);
	assert_false(f.on[FEAT_CLOSE_RANGE]);
	assert_false(f.on[FEAT_FAST_DATA]);
	assert_true(f.on[FEAT_MAPS]);
	assert_string_equal(f.why[FEAT_CLOSE_RANGE],
			    "this kernel has no bpf_loop (Linux 5.17+)");
	assert_int_equal(features_mask(&f) & IPCS_FEAT_CLOSE_RANGE, 0);
}

static void test_refusal_of_own_program(void **state)
{
	struct features f;

	(void)state;
	features_init(&f, NULL);
	assert_true(features_refused(&f, "iter_task_vma", "R1 type=untrusted_ptr_"));
	assert_false(f.on[FEAT_MAPS]);
	assert_string_equal(f.why[FEAT_MAPS],
			    "the kernel refused iter_task_vma: R1 type=untrusted_ptr_");
	/* the direct exit program is fast-data's: the portable one next */
	assert_true(features_refused(&f, "tp_btf_sys_exit_direct", "x"));
	assert_true(features_autoload(&f, "tp_btf_sys_exit"));
}

static void test_refusal_of_core_program(void **state)
{
	struct features f;

	(void)state;
	features_init(&f, NULL);
	/* the portable exit program: sockets, sysv, posix-mq, mmap off */
	assert_true(features_refused(&f, "tp_btf_sys_exit", "too large"));
	assert_false(f.on[FEAT_SOCKETS]);
	assert_false(f.on[FEAT_SYSV]);
	assert_false(f.on[FEAT_POSIX_MQ]);
	assert_false(f.on[FEAT_MMAP]);
	assert_true(f.on[FEAT_CLOSE_RANGE]);
	/* refused again without them: the core itself */
	assert_false(features_refused(&f, "tp_btf_sys_exit", "too large"));
	/* a program that holds no feature */
	assert_false(features_refused(&f, "tp_btf_sched_process_fork", "x"));
}

/* libbpf's words on 6.1, as printed there (shortened log) */
static const char said_61[] =
	"libbpf: prog 'tp_btf_sys_exit': BPF program load failed: Permission denied\n"
	"libbpf: prog 'tp_btf_sys_exit': -- BEGIN PROG LOAD LOG --\n"
	"0: R1=ctx(off=0,imm=0) R10=fp0\n"
	"combined stack size of 2 calls is 640. Too large\n"
	"verification time 2412345 usec\n"
	"stack depth 288+352\n"
	"processed 49234 insns (limit 1000000) max_states_per_insn 10 total_states 2307 peak_states 1859 mark_read 29\n"
	"-- END PROG LOAD LOG --\n"
	"libbpf: prog 'tp_btf_sys_exit': failed to load: -13\n"
	"libbpf: failed to load object 'ipcscope_bpf'\n";

/* ... and on 6.18.44 */
static const char said_618[] =
	"libbpf: prog 'iter_task_vma': BPF program load failed: Permission denied\n"
	"libbpf: prog 'iter_task_vma': -- BEGIN PROG LOAD LOG --\n"
	"R1 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_\n"
	"processed 933 insns (limit 1000000) max_states_per_insn 4 total_states 27 peak_states 27 mark_read 0\n"
	"-- END PROG LOAD LOG --\n"
	"libbpf: prog 'iter_task_vma': failed to load: -13\n";

static void test_parse_refusal(void **state)
{
	char prog[64], why[FEATURE_WHY_LEN];

	(void)state;
	assert_true(features_parse_refusal(said_61, prog, sizeof(prog), why,
					   sizeof(why)));
	assert_string_equal(prog, "tp_btf_sys_exit");
	assert_string_equal(why, "combined stack size of 2 calls is 640. Too large");
	assert_true(features_parse_refusal(said_618, prog, sizeof(prog), why,
					   sizeof(why)));
	assert_string_equal(prog, "iter_task_vma");
	assert_string_equal(why, "R1 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_");
	/* a refusal without a log: said so */
	assert_true(features_parse_refusal(
		"libbpf: prog 'iter_task': failed to load: -22\n", prog,
		sizeof(prog), why, sizeof(why)));
	assert_string_equal(prog, "iter_task");
	assert_string_equal(why, "refused, with no verifier log; run with -v");
	/* a log that lost its start: the telling line is read from its end */
	assert_true(features_parse_refusal(said_61 + 140, prog, sizeof(prog),
					   why, sizeof(why)));
	assert_string_equal(prog, "tp_btf_sys_exit");
	assert_string_equal(why, "combined stack size of 2 calls is 640. Too large");
	/* no program refused: a map failed */
	assert_false(features_parse_refusal(
		"libbpf: map 'events': failed to create: Invalid argument(-22)\n",
		prog, sizeof(prog), why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_on_by_default),
		cmocka_unit_test(test_refuse_names),
		cmocka_unit_test(test_probe_switches_off_what_is_missing),
		cmocka_unit_test(test_refusal_of_own_program),
		cmocka_unit_test(test_refusal_of_core_program),
		cmocka_unit_test(test_parse_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
