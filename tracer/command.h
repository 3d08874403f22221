/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The traced command: started held (waiting before its exec) so that the
 * tracer can attach before its first instruction, then released; at the
 * end of a run it is still in, ended with its process group.
 */
#ifndef IPCSCOPE_COMMAND_H
#define IPCSCOPE_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>

/* A command held before its exec waits on a pipe whose write end only
 * the tracer holds: a byte lets it run; the end closed (by us, or by the
 * kernel when we die, however we die) ends it without running anything.
 * Nothing can leave it stopped. */
struct command_hold {
	int fd;		/* our write end while it is held, else -1 */
	int child_fd;	/* its read end, as numbered in the command: it
			 * holds it until the exec, not one of its fds to
			 * show */
	/* --step: set before command_start, which then has the command
	 * install the step filter (step.h) before it waits and hands us
	 * its listener (ours, or -1); its own copy and its end of the pipe
	 * that told us go at its exec, not fds to show either */
	bool step;
	int listener;
	int step_child_fds[2];
	/* our end of the guard's pipe (command_start), or -1 */
	int guard;
};

/* Forks the command in a process group of its own, held before exec.
 * With output non-NULL its stdin is /dev/null and its stdout and stderr
 * go into a pipe whose read end (non-blocking) is returned there: the
 * live view owns the terminal and shows what the command prints.
 * only_std closes every other fd it would inherit. Returns 0 or -errno,
 * having printed what went wrong. */
int command_start(pid_t *pid, struct command_hold *hold, char *const argv[],
		  int *output, bool only_std);
/* Tells the command's guard that we end as planned: it goes without
 * touching the group (processes the command left behind stay, as a
 * shell leaves them). Any end of ours without this (SIGKILL, a crash)
 * has the guard end the group: SIGTERM, then SIGKILL after 2 s. */
void command_unguard(struct command_hold *hold);
/* Lets it run: it execs. */
int command_release(struct command_hold *hold);
/* Ends a held command that will never run (it exits at once), and
 * waits for it. */
void command_abort(pid_t pid, struct command_hold *hold);
/* Sends sig to the command's process group (and SIGCONT, so that a
 * stopped member acts on it). */
void command_signal(pid_t pid, int sig);
/* Whether a process of the group is still alive (zombies do not count:
 * one that no one reaps has ended all the same). */
bool command_group_alive(pid_t pgid);
/* An exit status as a shell reports it: code, or 128 + signal. */
int command_status(int wstatus);

#endif /* IPCSCOPE_COMMAND_H */
