/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The names of SysV control commands (msgctl, shmctl, semctl): one table,
 * read by the kind of object the call is about, for the JSON report and the
 * plain words alike. Values from <linux/{ipc,msg,shm,sem}.h>.
 */
#ifndef IPCSCOPE_IPC_CMD_H
#define IPCSCOPE_IPC_CMD_H

#include "model.h"

/* "IPC_RMID", "MSG_STAT", "SHM_LOCK", "GETVAL"... for a command of an
 * IPCS_EV_MSGCTL, _SHMCTL or _SEMCTL event; NULL for a command (or kind)
 * without a name, which the caller prints as its number. */
const char *ipc_cmd_name(enum ipcs_kind kind, int cmd);

#endif /* IPCSCOPE_IPC_CMD_H */
