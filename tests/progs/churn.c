/* Process churn for the ghost test: WORKERS processes in parallel each
 * fork CHILDREN short-lived children, one after another. A child puts its
 * worker's pipe on fd 1500 (a table too large for the exec event to tell
 * its open fds, so the tracer re-reads it after exec), execs churn again
 * to write one byte there, and exits; the worker reads the byte and reaps
 * lazily, leaving up to ZOMBIES children dead but not yet reaped, so that
 * a re-read meets processes whose exit has already been told. Every child
 * is reaped before the end: when churn exits, none of its descendants is
 * left. It prints nothing (its stdout may carry JSON); its exit status
 * says whether all went well.
 *   churn WORKERS CHILDREN ZOMBIES
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_FD 1500	/* above the 1024 fds an exec event tells */

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* After exec: a pipe of its own, one byte to the worker, the end. */
static int child_after_exec(void)
{
	int own[2];

	if (pipe(own) || write(CHILD_FD, "x", 1) != 1)
		return 1;
	return 0;
}

static void child(int out)
{
	if (dup2(out, CHILD_FD) != CHILD_FD)
		_exit(1);
	execl("/proc/self/exe", "churn", "--child", (char *)NULL);
	_exit(127);
}

static int worker(int children, int zombies)
{
	int p[2], dead = 0, status, bad = 0;
	char c;

	if (pipe(p))
		die("pipe");
	for (int i = 0; i < children; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(p[0]);
			child(p[1]);
		}
		if (read(p[0], &c, 1) != 1)
			die("read");
		/* the child is about to exit: leave it a zombie a while */
		if (++dead > zombies) {
			if (wait(&status) < 0)
				die("wait");
			bad |= !WIFEXITED(status) || WEXITSTATUS(status);
			dead--;
		}
	}
	while (wait(&status) > 0)
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	return bad;
}

int main(int argc, char **argv)
{
	int workers, children, zombies, status, bad = 0;
	struct rlimit rl;

	if (argc == 2 && !strcmp(argv[1], "--child"))
		return child_after_exec();
	if (argc != 4 || (workers = atoi(argv[1])) < 1 ||
	    (children = atoi(argv[2])) < 0 || (zombies = atoi(argv[3])) < 0) {
		fprintf(stderr, "usage: churn WORKERS CHILDREN ZOMBIES\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur <= CHILD_FD) {
		rl.rlim_cur = CHILD_FD + 1;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;	/* root only */
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit");
	}
	for (int i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(worker(children, zombies));
	}
	while (wait(&status) > 0)
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	return bad;
}
