// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * churn GOFILE DONEFILE STOPFILE TOTAL FORKERS: waits for GOFILE, then
 * FORKERS forkers make TOTAL short-lived children between them (each
 * child makes a pipe, dups it, writes a byte and exits; forkers reap
 * lazily, up to 16 unreaped at a time), all are reaped, DONEFILE is made;
 * then it waits for STOPFILE and exits. "-" skips a file. Every fourth
 * child puts its pipe on fd 1500 (a table too large for the exec event to
 * tell, so the tracer re-reads it) and execs churn again to write there.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include "stress.h"

#define EXEC_FD 1500

static void child(long i)
{
	char *argv[] = { "churn", "-child", NULL };
	int p[2];

	if (pipe(p))
		_exit(1);
	if (i % 4 == 0) {
		if (dup2(p[1], EXEC_FD) < 0)
			_exit(1);
		execv("/proc/self/exe", argv);
		_exit(1);
	}
	if (dup2(p[1], 10) < 0 || write(10, "x", 1) != 1)
		_exit(1);
	_exit(0);
}

static int forker(long count)
{
	long live = 0, failed = 0;

	for (long i = 0; i < count; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			i--;
			if (wait(NULL) > 0)
				live--;
			continue;
		}
		if (pid == 0)
			child(i);
		if (++live >= 16) {
			int st;

			while (live > 8 && wait(&st) > 0) {
				live--;
				failed += !WIFEXITED(st) || WEXITSTATUS(st);
			}
		}
	}
	for (int st; wait(&st) > 0;)
		failed += !WIFEXITED(st) || WEXITSTATUS(st);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	long total, forkers, failed = 0;

	if (argc == 2 && !strcmp(argv[1], "-child"))
		return write(EXEC_FD, "x", 1) == 1 ? 0 : 1;
	if (argc != 6)
		return 2;
	total = atol(argv[4]);
	forkers = atol(argv[5]);
	if (forkers < 1 || stress_wait_file(argv[1]))
		return 1;
	for (long f = 0; f < forkers; f++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(forker(total / forkers + (f < total % forkers)));
	}
	for (int st; wait(&st) > 0;)
		failed += !WIFEXITED(st) || WEXITSTATUS(st);
	stress_mark(argv[2], failed ? "failed\n" : "ok\n");
	if (strcmp(argv[3], "-") && stress_wait_file(argv[3]))
		return 1;
	return failed ? 1 : 0;
}
