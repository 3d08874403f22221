// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * IPC microbenchmarks for measuring what tracing costs. Each mode runs a
 * fixed number of operations, times the steady state itself (after a short
 * warm-up) and prints one line: "MODE ns_per_op=X ops=N".
 *
 *   ipcbench pingpong1cpu N   1-byte pipe ping-pong, both ends on CPU 0
 *   ipcbench pingpong N       the same, unpinned
 *   ipcbench stream N         N 64 KiB writes into a pipe, drained
 *   ipcbench wstorm N         N 1-byte writes into a pipe, drained in bulk
 *   ipcbench msgpp N          SysV message ping-pong
 *   ipcbench sockpp N         socketpair ping-pong
 *   ipcbench spawn N          pipe + fork + dup2 + exec(true) + wait
 *   ipcbench filewrite N      N 16-byte writes to a regular file (each one
 *                             an event with its offset), rewound every 4096
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARMUP_DIV 10	/* a tenth of the ops, untimed, first */

static void die(const char *what)
{
	fprintf(stderr, "ipcbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void xwrite(int fd, const void *buf, size_t n)
{
	if (write(fd, buf, n) != (ssize_t)n)
		die("write");
}

static void xread(int fd, void *buf, size_t n)
{
	if (read(fd, buf, n) != (ssize_t)n)
		die("read");
}

static void reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("child failed");
}

/* One byte there and back over two fds pairs (pipes or a socketpair). */
static double pingpong(long n, int to_child[2], int to_parent[2], bool pin)
{
	long warm = n / WARMUP_DIV;
	char c = 'x';
	double t0 = 0;
	pid_t pid;

	if (pin)
		pin_cpu0();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (long i = 0; i < n + warm; i++) {
			xread(to_child[0], &c, 1);
			xwrite(to_parent[1], &c, 1);
		}
		_exit(0);
	}
	for (long i = 0; i < n + warm; i++) {
		if (i == warm)
			t0 = now();
		xwrite(to_child[1], &c, 1);
		xread(to_parent[0], &c, 1);
	}
	t0 = now() - t0;
	reap(pid);
	return t0;
}

static double bench_pipe_pingpong(long n, bool pin)
{
	int a[2], b[2];

	if (pipe(a) || pipe(b))
		die("pipe");
	return pingpong(n, a, b, pin);
}

static double bench_sockpp(long n)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	/* one pair, both ways: the child reads and writes sv[1], we sv[0] */
	int to_child[2] = { sv[1], sv[0] }, to_parent[2] = { sv[0], sv[1] };

	return pingpong(n, to_child, to_parent, false);
}

/* A writer of n blocks of size bs; a child drains in 64 KiB reads. */
static double stream(long n, size_t bs)
{
	static char buf[65536];
	long warm = n / WARMUP_DIV;
	double t0 = 0;
	int p[2];
	pid_t pid;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	for (long i = 0; i < n + warm; i++) {
		if (i == warm)
			t0 = now();
		xwrite(p[1], buf, bs);
	}
	t0 = now() - t0;
	close(p[1]);
	reap(pid);
	return t0;
}

struct msgbuf1 {
	long mtype;
	char c;
};

static double bench_msgpp(long n)
{
	int id = msgget(IPC_PRIVATE, 0600);
	struct msgbuf1 m = { 1, 'x' };
	long warm = n / WARMUP_DIV;
	double t0 = 0;
	pid_t pid;

	if (id < 0)
		die("msgget");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (long i = 0; i < n + warm; i++) {
			if (msgrcv(id, &m, 1, 1, 0) != 1)
				die("msgrcv");
			m.mtype = 2;
			if (msgsnd(id, &m, 1, 0))
				die("msgsnd");
		}
		_exit(0);
	}
	for (long i = 0; i < n + warm; i++) {
		if (i == warm)
			t0 = now();
		m.mtype = 1;
		if (msgsnd(id, &m, 1, 0) || msgrcv(id, &m, 1, 2, 0) != 1)
			die("msg");
	}
	t0 = now() - t0;
	reap(pid);
	msgctl(id, IPC_RMID, NULL);
	return t0;
}

static double bench_spawn(long n)
{
	long warm = n / WARMUP_DIV;
	double t0 = 0;

	for (long i = 0; i < n + warm; i++) {
		int p[2];
		pid_t pid;

		if (i == warm)
			t0 = now();
		if (pipe(p))
			die("pipe");
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			dup2(p[1], 1);
			close(p[0]);
			close(p[1]);
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		close(p[0]);
		reap(pid);
	}
	return now() - t0;
}

static double bench_filewrite(long n)
{
	char path[] = "/tmp/ipcbench-XXXXXX", buf[16] = "0123456789abcde";
	long warm = n / WARMUP_DIV;
	double t0 = 0;
	int fd = mkstemp(path);

	if (fd < 0)
		die("mkstemp");
	unlink(path);
	for (long i = 0; i < n + warm; i++) {
		if (i == warm)
			t0 = now();
		if (i % 4096 == 0 && lseek(fd, 0, SEEK_SET))
			die("lseek");
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			die("write");
	}
	t0 = now() - t0;
	close(fd);
	return t0;
}

int main(int argc, char **argv)
{
	const char *mode = argc == 3 ? argv[1] : "";
	long n = argc == 3 ? atol(argv[2]) : 0;
	double t;

	if (n <= 0) {
		fprintf(stderr, "usage: ipcbench pingpong1cpu|pingpong|stream|wstorm|msgpp|sockpp|spawn|filewrite N\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "pingpong1cpu"))
		t = bench_pipe_pingpong(n, true);
	else if (!strcmp(mode, "pingpong"))
		t = bench_pipe_pingpong(n, false);
	else if (!strcmp(mode, "stream"))
		t = stream(n, 65536);
	else if (!strcmp(mode, "wstorm"))
		t = stream(n, 1);
	else if (!strcmp(mode, "msgpp"))
		t = bench_msgpp(n);
	else if (!strcmp(mode, "sockpp"))
		t = bench_sockpp(n);
	else if (!strcmp(mode, "spawn"))
		t = bench_spawn(n);
	else if (!strcmp(mode, "filewrite"))
		t = bench_filewrite(n);
	else
		return fprintf(stderr, "ipcbench: unknown mode '%s'\n", mode), 2;
	printf("%s ns_per_op=%.1f ops=%ld\n", mode, t * 1e9 / n, n);
	return 0;
}
