// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shapes READYFILE GOFILE NHIGH: the fd-table shapes that break models.
 *   - fd 19999 (RLIMIT_NOFILE raised to its hard limit) in this process and NHIGH children;
 *   - two threads opening fds in the one table they share;
 *   - a CLONE_FILES child whose open shows in our table too;
 *   - fds 100..149 opened then closed with close_range, and a child that
 *     closes everything from 3 up;
 *   - pid reuse: a child exits and is reaped, and a new one is made with
 *     the same pid (clone3 set_tid), holding another object.
 * Then READYFILE gets "PID..." (every process, this one first) and
 * "reuse PID" or "reuse none"; at GOFILE all end and it exits 0.
 */
#include <errno.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "stress.h"

#define HIGH_FD 19999
static int hold[2];
static pid_t pids[4096];
static int npids;

static void wait_hold(void)
{
	char c;

	while (read(hold[0], &c, 1) < 0 && errno == EINTR)
		;
}

static void *thread_main(void *arg)
{
	(void)arg;
	if (open("/dev/null", O_RDONLY) < 0)
		return NULL;
	wait_hold();
	return NULL;
}

static int clone_files_child(void *arg)
{
	(void)arg;
	open("/dev/zero", O_RDONLY);	/* lands in the shared table */
	wait_hold();
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	static char stack[64 * 1024];
	pthread_t th[2];
	int p[2], nhigh, st;
	pid_t reuse = 0, pid;
	FILE *f;

	if (argc != 4)
		return 2;
	nhigh = atoi(argv[3]);
	/* raised as far as the hard limit goes (no CAP_SYS_RESOURCE here) */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= HIGH_FD) {
		fprintf(stderr, "shapes: RLIMIT_NOFILE hard limit %lu <= %d\n",
			(unsigned long)rl.rlim_max, HIGH_FD);
		return 1;
	}
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? HIGH_FD + 100 : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) || pipe(hold) || pipe(p))
		return 1;
	if (dup2(p[0], HIGH_FD) != HIGH_FD)
		return 1;
	pids[npids++] = getpid();
	for (int i = 0; i < nhigh && npids < 4000; i++) {
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			close(hold[1]);
			wait_hold();
			_exit(0);
		}
		pids[npids++] = pid;
	}
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, thread_main, NULL))
			return 1;
	pid = clone(clone_files_child, stack + sizeof(stack),
		    CLONE_FILES | SIGCHLD, NULL);
	if (pid < 0)
		return 1;
	pids[npids++] = pid;
	for (int fd = 100; fd < 150; fd++)
		if (dup2(p[1], fd) != fd)
			return 1;
	if (syscall(SYS_close_range, 100, 149, 0))
		return 1;
	pid = fork();
	if (pid == 0) {
		dup2(hold[0], 0);
		syscall(SYS_close_range, 3, ~0U, 0);
		hold[0] = 0;
		wait_hold();
		_exit(0);
	}
	pids[npids++] = pid;
	/* pid reuse: the same pid again, with another object at fd 7 */
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0 && waitpid(pid, &st, 0) == pid) {
		struct clone_args ca = { .exit_signal = SIGCHLD };
		pid_t want = pid;
		int z = open("/dev/zero", O_RDONLY);

		ca.set_tid = (unsigned long)&want;
		ca.set_tid_size = 1;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0) {
			close(hold[1]);
			dup2(z, 7);
			wait_hold();
			_exit(0);
		}
		if (pid > 0) {
			reuse = pid;
			pids[npids++] = pid;
		}
		close(z);
	}
	{
		char tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
		f = fopen(tmp, "w");
		if (!f)
			return 1;
		for (int i = 0; i < npids; i++)
			fprintf(f, "%d ", (int)pids[i]);
		fprintf(f, "\nreuse %d\n", (int)reuse);
		fclose(f);
		if (rename(tmp, argv[1]))
			return 1;
	}
	if (stress_wait_file(argv[2]))
		return 1;
	close(hold[1]);
	close(hold[0]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	while (wait(&st) > 0 || errno == EINTR)
		;
	return 0;
}
