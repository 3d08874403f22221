/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Step mode (--step): the traced command runs under a seccomp filter that
 * stops each of its processes before every fd-table or IPC syscall and
 * asks ipcscope (seccomp user notification); ipcscope keeps the calls
 * pending and lets them run, one at a time or all, with
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5+). The BPF tracer sees each
 * call as before, when it runs. Nothing is held once ipcscope lets go:
 * at the end every pending call continues, and a closed listener makes
 * the kernel fail held calls (ENOSYS) rather than keep them.
 */
#ifndef IPCSCOPE_STEP_H
#define IPCSCOPE_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct model;
struct step;

/* A syscall held before it runs, as seccomp tells it. */
struct step_call {
	uint64_t id;		/* the notification's cookie */
	uint32_t pid;		/* the thread's id, as the kernel gives it */
	int nr;			/* x86_64 syscall number */
	uint64_t args[6];
	char path[128];		/* its path or name argument, read from the
				 * process when it has one, else "" */
};

/* The command's side, before its exec: installs the filter and returns
 * the listener fd (close-on-exec), or -errno. Root needs no
 * no_new_privs; anyone else gets it set. Uses no syscall the filter
 * holds once it is installed. */
int step_install_filter(void);

/* Takes over a listener fd (step_install_filter's, in our own table);
 * pid's first execve (ipcscope's own exec of the command) is let through
 * unasked. Returns 0 or -errno. */
int step_open(struct step **out, int listener, pid_t pid);
/* Continues every pending call, then closes the listener; NULL is fine. */
void step_close(struct step *st);
/* The listener, to poll; -1 once the filter has no process left. */
int step_fd(const struct step *st);
/* The listener is readable: takes the new calls. Read and write on fds
 * that are not pipes, FIFOs, sockets or queues continue at once, and so
 * does every call while the program runs freely. Returns true when what
 * is pending changed. */
bool step_on_ready(struct step *st);
/* n: lets the oldest pending call run (or, running freely, starts
 * holding again). */
void step_next(struct step *st);
/* c: lets every pending call run and holds no more. */
void step_go(struct step *st);
/* s: holds again from the next call. */
void step_hold(struct step *st);
bool step_holding(const struct step *st);
/* The oldest pending call, or NULL; *more: how many wait behind it. */
const struct step_call *step_pending(const struct step *st, size_t *more);

/* The pending call in plain words ("pid 42 is about to dup2(4, 1): fd 1
 * will point at f5 pipe:[123]"), the model naming its fds and objects
 * where it knows them (m may be NULL). Raw text: object names come from
 * other programs and must be escaped before they are shown. Returns the
 * fd the call will change or use (for the view to point at), or -1. */
int step_words(char *out, size_t len, const struct step_call *c,
	       struct model *m);

#endif /* IPCSCOPE_STEP_H */
