// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The SysV control commands' names: one table, read by object kind, as the
 * JSON report and the plain words print them. semctl's and msgctl's commands share numbers
 * with shmctl's and must not take their names; an unknown command is its
 * number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_cmd.h"
#include "json.h"
#include "notes_text.h"
#include "report.h"

static void check(enum ipcs_kind kind, int cmd, const char *want)
{
	const char *got = ipc_cmd_name(kind, cmd);

	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

static void test_common_commands(void **state)
{
	(void)state;
	for (int k = 0; k < 3; k++) {
		enum ipcs_kind kind = k == 0 ? IPCS_EV_MSGCTL :
				      k == 1 ? IPCS_EV_SHMCTL : IPCS_EV_SEMCTL;

		check(kind, 0, "IPC_RMID");
		check(kind, 1, "IPC_SET");
		check(kind, 2, "IPC_STAT");
		check(kind, 3, "IPC_INFO");
		check(kind, 4, NULL);
		check(kind, -1, NULL);
	}
}

static void test_msg_commands(void **state)
{
	(void)state;
	check(IPCS_EV_MSGCTL, 11, "MSG_STAT");
	check(IPCS_EV_MSGCTL, 12, "MSG_INFO");
	check(IPCS_EV_MSGCTL, 13, "MSG_STAT_ANY");
	check(IPCS_EV_MSGCTL, 14, NULL);
	check(IPCS_EV_MSGCTL, 16, NULL);
}

static void test_shm_commands(void **state)
{
	(void)state;
	check(IPCS_EV_SHMCTL, 11, "SHM_LOCK");
	check(IPCS_EV_SHMCTL, 12, "SHM_UNLOCK");
	check(IPCS_EV_SHMCTL, 13, "SHM_STAT");
	check(IPCS_EV_SHMCTL, 14, "SHM_INFO");
	check(IPCS_EV_SHMCTL, 15, "SHM_STAT_ANY");
	check(IPCS_EV_SHMCTL, 16, NULL);
}

static void test_sem_commands(void **state)
{
	(void)state;
	check(IPCS_EV_SEMCTL, 11, "GETPID");
	check(IPCS_EV_SEMCTL, 12, "GETVAL");
	check(IPCS_EV_SEMCTL, 13, "GETALL");
	check(IPCS_EV_SEMCTL, 14, "GETNCNT");
	check(IPCS_EV_SEMCTL, 15, "GETZCNT");
	check(IPCS_EV_SEMCTL, 16, "SETVAL");
	check(IPCS_EV_SEMCTL, 17, "SETALL");
	check(IPCS_EV_SEMCTL, 18, "SEM_STAT");
	check(IPCS_EV_SEMCTL, 19, "SEM_INFO");
	check(IPCS_EV_SEMCTL, 20, "SEM_STAT_ANY");
	check(IPCS_EV_SEMCTL, 21, NULL);
	check(IPCS_EV_SEMCTL, 4096, NULL);
}

static void test_ipc64_and_other_kinds(void **state)
{
	(void)state;
	check(IPCS_EV_SEMCTL, 0x100 | 12, "GETVAL");	/* a 32-bit caller's */
	check(IPCS_EV_MSGCTL, 0x100 | 11, "MSG_STAT");
	check(IPCS_EV_MSGGET, 0, NULL);
}

/* The "cmd" member of a *ctl event's JSON line. */
static char *ctl_json(enum ipcs_kind kind, int cmd)
{
	struct ipcs_ev_ipc e = { .id = 7, .cmd = cmd };
	struct model_note n = {
		.kind = kind, .pid = 1, .tid = 1, .comm = "t", .fd = -1,
		.oldfd = -1, .ipc = &e,
	};
	char *buf = NULL, *cmdp;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	assert_non_null(f);
	json_init(&j, f);
	report_note_json(&j, &n, 0);
	fclose(f);
	cmdp = strstr(buf, "\"cmd\":");
	assert_non_null(cmdp);
	memmove(buf, cmdp, strlen(cmdp) + 1);
	return buf;
}

static void check_json(enum ipcs_kind kind, int cmd, const char *want)
{
	char *got = ctl_json(kind, cmd);

	assert_true(!strncmp(got, want, strlen(want)));
	free(got);
}

static void test_json_names_by_kind(void **state)
{
	(void)state;
	check_json(IPCS_EV_SEMCTL, 12, "\"cmd\":\"GETVAL\"");
	check_json(IPCS_EV_SEMCTL, 11, "\"cmd\":\"GETPID\"");
	check_json(IPCS_EV_SEMCTL, 16, "\"cmd\":\"SETVAL\"");
	check_json(IPCS_EV_MSGCTL, 11, "\"cmd\":\"MSG_STAT\"");
	check_json(IPCS_EV_SHMCTL, 11, "\"cmd\":\"SHM_LOCK\"");
	check_json(IPCS_EV_MSGCTL, 0, "\"cmd\":\"IPC_RMID\"");
	check_json(IPCS_EV_SHMCTL, 99, "\"cmd\":99");
}

/* The plain words of a *ctl event without its object: "semctl GETVAL ". */
static void check_words(enum ipcs_kind kind, int cmd, const char *want)
{
	struct ipcs_ev_ipc e = { .id = 7, .cmd = cmd };
	struct model_note n = {
		.kind = kind, .pid = 1, .tid = 1, .comm = "t", .fd = -1,
		.oldfd = -1, .ipc = &e,
	};
	char what[256];

	notes_format_what(what, sizeof(what), &n);
	assert_string_equal(what, want);
}

static void test_words_name_by_kind(void **state)
{
	(void)state;
	check_words(IPCS_EV_SEMCTL, 12, "semctl GETVAL ");
	check_words(IPCS_EV_SEMCTL, 16, "semctl SETVAL ");
	check_words(IPCS_EV_MSGCTL, 11, "msgctl MSG_STAT ");
	check_words(IPCS_EV_SHMCTL, 12, "shmctl SHM_UNLOCK ");
	check_words(IPCS_EV_SHMCTL, 42, "shmctl cmd 42 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_commands),
		cmocka_unit_test(test_msg_commands),
		cmocka_unit_test(test_shm_commands),
		cmocka_unit_test(test_sem_commands),
		cmocka_unit_test(test_ipc64_and_other_kinds),
		cmocka_unit_test(test_json_names_by_kind),
		cmocka_unit_test(test_words_name_by_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
