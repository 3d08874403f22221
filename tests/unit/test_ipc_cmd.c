// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The SysV control commands' names: one table, read by object kind, as the
 * JSON report and the plain words print them. semctl's and msgctl's
 * commands share numbers with shmctl's and must not take their names; an
 * unknown command is its number.
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
#include "record.h"
#include "report.h"

#define MSG IPCS_EV_MSGCTL
#define SHM IPCS_EV_SHMCTL
#define SEM IPCS_EV_SEMCTL

static const struct ctl_case {
	enum ipcs_kind kind;
	int cmd;
	const char *name;	/* NULL: printed as its number */
} cases[] = {
	{ MSG, 0, "IPC_RMID" }, { MSG, 1, "IPC_SET" }, { MSG, 2, "IPC_STAT" },
	{ MSG, 3, "IPC_INFO" }, { MSG, 4, NULL }, { MSG, -1, NULL },
	{ MSG, 11, "MSG_STAT" }, { MSG, 12, "MSG_INFO" },
	{ MSG, 13, "MSG_STAT_ANY" }, { MSG, 14, NULL }, { MSG, 16, NULL },
	{ SHM, 0, "IPC_RMID" }, { SHM, 3, "IPC_INFO" }, { SHM, 4, NULL },
	{ SHM, 11, "SHM_LOCK" }, { SHM, 12, "SHM_UNLOCK" },
	{ SHM, 13, "SHM_STAT" }, { SHM, 14, "SHM_INFO" },
	{ SHM, 15, "SHM_STAT_ANY" }, { SHM, 16, NULL }, { SHM, 99, NULL },
	{ SEM, 0, "IPC_RMID" }, { SEM, 1, "IPC_SET" }, { SEM, 2, "IPC_STAT" },
	{ SEM, 3, "IPC_INFO" }, { SEM, 11, "GETPID" }, { SEM, 12, "GETVAL" },
	{ SEM, 13, "GETALL" }, { SEM, 14, "GETNCNT" }, { SEM, 15, "GETZCNT" },
	{ SEM, 16, "SETVAL" }, { SEM, 17, "SETALL" }, { SEM, 18, "SEM_STAT" },
	{ SEM, 19, "SEM_INFO" }, { SEM, 20, "SEM_STAT_ANY" }, { SEM, 21, NULL },
	{ SEM, 4096, NULL },
	/* a 32-bit caller's IPC_64 bit, which the kernel drops too */
	{ SEM, 0x100 | 12, "GETVAL" }, { MSG, 0x100 | 11, "MSG_STAT" },
};

static struct model_note ctl_note(const struct ctl_case *c,
				  struct ipcs_ev_ipc *e)
{
	struct model_note n = {
		.kind = c->kind, .pid = 1, .tid = 1, .comm = "t", .fd = -1,
		.oldfd = -1, .ipc = e,
	};

	e->id = 7;
	e->cmd = c->cmd;
	return n;
}

static void test_names_by_kind(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = ipc_cmd_name(cases[i].kind, cases[i].cmd);

		if (!cases[i].name)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].name);
	}
	assert_null(ipc_cmd_name(IPCS_EV_MSGGET, 0));
}

/* The "cmd" member of each case's JSON line: its name or its number. */
static void test_json_names_by_kind(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipcs_ev_ipc e = {};
		struct model_note n = ctl_note(&cases[i], &e);
		char *buf = NULL, want[64];
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct json j;

		assert_non_null(f);
		json_init(&j, f);
		report_note_json(&j, &n, 0);
		fclose(f);
		if (cases[i].name)
			snprintf(want, sizeof(want), "\"cmd\":\"%s\"", cases[i].name);
		else
			snprintf(want, sizeof(want), "\"cmd\":%d}", cases[i].cmd);
		assert_non_null(strstr(buf, want));
		free(buf);
	}
}

/* The plain words of each case, without an object: "semctl GETVAL ". */
static void test_words_name_by_kind(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipcs_ev_ipc e = {};
		struct model_note n = ctl_note(&cases[i], &e);
		const char *kind = record_kind_name(cases[i].kind);
		char got[256], want[64];

		notes_format_what(got, sizeof(got), &n);
		if (cases[i].name)
			snprintf(want, sizeof(want), "%s %s ", kind, cases[i].name);
		else
			snprintf(want, sizeof(want), "%s cmd %d ", kind, cases[i].cmd);
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_by_kind),
		cmocka_unit_test(test_json_names_by_kind),
		cmocka_unit_test(test_words_name_by_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
