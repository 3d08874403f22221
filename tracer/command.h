/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The traced command: started held (stopped before exec) so that the
 * tracer can attach before its first instruction, then released.
 */
#ifndef IPCSCOPE_COMMAND_H
#define IPCSCOPE_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>

/* Forks the command, stopped just before exec. With output non-NULL its
 * stdin is /dev/null and its stdout and stderr go into a pipe whose read
 * end (non-blocking) is returned there: the live view owns the terminal
 * and shows what the command prints. only_std closes every other fd it
 * would inherit. Returns 0 or -errno, having printed what went wrong. */
int command_start(pid_t *pid, char *const argv[], int *output, bool only_std);
/* Lets it run. */
int command_release(pid_t pid);
/* Ends a held command that will never be released (error paths). */
void command_abort(pid_t pid);
/* An exit status as a shell reports it: code, or 128 + signal. */
int command_status(int wstatus);

#endif /* IPCSCOPE_COMMAND_H */
