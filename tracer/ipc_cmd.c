// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The SysV control commands' names by object kind (see ipc_cmd.h). */
#include <stddef.h>

#include "ipc_cmd.h"

#define IPC_CMD_64 0x100	/* IPC_64: 32-bit callers' "new" layout */
#define IPC_CMD_MAX 21

/* Commands 0..3 are every kind's (IPC_RMID..IPC_INFO, <linux/ipc.h>). */
static const char *const msg_cmds[IPC_CMD_MAX] = {
	"IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO",
	[11] = "MSG_STAT", [12] = "MSG_INFO", [13] = "MSG_STAT_ANY",
};

static const char *const shm_cmds[IPC_CMD_MAX] = {
	"IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO",
	[11] = "SHM_LOCK", [12] = "SHM_UNLOCK", [13] = "SHM_STAT",
	[14] = "SHM_INFO", [15] = "SHM_STAT_ANY",
};

static const char *const sem_cmds[IPC_CMD_MAX] = {
	"IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO",
	[11] = "GETPID", [12] = "GETVAL", [13] = "GETALL", [14] = "GETNCNT",
	[15] = "GETZCNT", [16] = "SETVAL", [17] = "SETALL", [18] = "SEM_STAT",
	[19] = "SEM_INFO", [20] = "SEM_STAT_ANY",
};

const char *ipc_cmd_name(enum ipcs_kind kind, int cmd)
{
	const char *const *names;

	switch (kind) {
	case IPCS_EV_MSGCTL:
		names = msg_cmds;
		break;
	case IPCS_EV_SHMCTL:
		names = shm_cmds;
		break;
	case IPCS_EV_SEMCTL:
		names = sem_cmds;
		break;
	default:
		return NULL;
	}
	/* the kernel drops IPC_64 from a compat caller's command too */
	if (cmd > 0 && cmd & IPC_CMD_64)
		cmd &= ~IPC_CMD_64;
	return cmd >= 0 && cmd < IPC_CMD_MAX ? names[cmd] : NULL;
}
