/* The tracer's memory against a high fd: dup2()s stdin's entry onto fd FD
 * (raising RLIMIT_NOFILE as needed), forks N children that inherit it and
 * stay alive, prints "ready PID" on stderr (stdout may carry JSON) and
 * holds until SIGUSR1, SIGTERM or SIGINT; then the children go and it
 * reaps them. Its stdin may be /dev/null (the live view): it never reads it.
 *   high_fd FD N
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	int fd, n, gate[2], sig;
	sigset_t set;
	char c;

	if (argc != 3 || (fd = atoi(argv[1])) < 3 || (n = atoi(argv[2])) < 0) {
		fprintf(stderr, "usage: high_fd FD N\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur <= (rlim_t)fd) {
		rl.rlim_cur = fd + 1;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;	/* root only */
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit");
	}
	if (dup2(0, fd) != fd)
		die("dup2");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* the children wait for EOF on the gate: when we close our end */
	if (pipe(gate))
		die("pipe");
	for (int i = 0; i < n; i++) {
		pid_t child = fork();

		if (child < 0)
			die("fork");
		if (child == 0) {
			close(gate[1]);
			while (read(gate[0], &c, 1) > 0)
				;
			_exit(0);
		}
	}
	close(gate[0]);
	fprintf(stderr, "ready %d\n", (int)getpid());
	if (sigwait(&set, &sig))
		die("sigwait");
	close(gate[1]);
	while (wait(NULL) > 0)
		;
	return 0;
}
