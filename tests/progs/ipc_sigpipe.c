/* SIGPIPE kills a writer whose pipe has no reader left.
 *
 * parent: pipe (3, 4); forks the reader, which closes both ends and
 *         exits 0; closes its own read end 3; waitpid(reader): now nobody
 *         holds the read end
 * parent: forks the writer, which sets SIGPIPE to its default action and
 *         writes 5 bytes into fd 4: the kernel sends it SIGPIPE, it dies
 * parent: closes 4, waitpid(writer) and checks it was killed by SIGPIPE
 *
 * Prints "reader PID writer PID". Exits 0 when all went so.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int p[2], status = 0;
	pid_t reader, writer;
	sigset_t set;

	alarm(20);
	if (pipe(p))
		return perror("pipe"), 1;
	fflush(stdout);
	reader = fork();
	if (reader < 0)
		return perror("fork"), 1;
	if (reader == 0) {
		close(p[1]);
		close(p[0]);
		_exit(0);
	}
	close(p[0]);
	if (waitpid(reader, &status, 0) != reader || status != 0)
		return fprintf(stderr, "reader failed\n"), 1;
	writer = fork();
	if (writer < 0)
		return perror("fork"), 1;
	if (writer == 0) {
		/* whoever started us may have ignored or blocked it */
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		if (write(p[1], "hello", 5) < 0)
			perror("write");
		_exit(1);	/* SIGPIPE should have killed us */
	}
	close(p[1]);
	printf("reader %d writer %d\n", (int)reader, (int)writer);
	fflush(stdout);
	if (waitpid(writer, &status, 0) != writer || !WIFSIGNALED(status) ||
	    WTERMSIG(status) != SIGPIPE)
		return fprintf(stderr, "writer status %#x, want SIGPIPE\n",
			       status), 1;
	return 0;
}
