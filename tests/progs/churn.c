/* Process churn for the ghost test: WORKERS processes in parallel each
 * fork CHILDREN short-lived children, one after another. A child holds a
 * pipe of its own, writes one byte to its worker and exits; the worker
 * reads it and reaps lazily, leaving up to ZOMBIES children dead but not
 * yet reaped, so that a re-read of the process list meets processes whose
 * exit has already been told. Every child is reaped before the end: when
 * churn exits, none of its descendants is left. It prints nothing (its
 * stdout may carry JSON); its exit status says whether all went well.
 *   churn WORKERS CHILDREN ZOMBIES
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void child(int out)
{
	int own[2];

	if (pipe(own) || write(out, "x", 1) != 1)
		_exit(1);
	_exit(0);
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

	if (argc != 4 || (workers = atoi(argv[1])) < 1 ||
	    (children = atoi(argv[2])) < 0 || (zombies = atoi(argv[3])) < 0) {
		fprintf(stderr, "usage: churn WORKERS CHILDREN ZOMBIES\n");
		return 2;
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
