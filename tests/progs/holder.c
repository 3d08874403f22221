/* Sets up fd tables for snapshot tests, prints "ready PID..." and holds
 * them until stdin reaches EOF (every process it made reads stdin).
 *   holder pipe-fork          pipe, then fork: both ends in two processes
 *   holder mixed DIR          pipe, FIFO DIR/fifo, a file opened twice and
 *                             dup'ed, a socketpair, cloexec fds; then fork
 *   holder offset FILE        file written 5 bytes, fork, child writes 3
 *                             (and prints "wrote")
 *   holder exit-open          pipe, fork, the child exits with both ends open
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void hold(void)
{
	char c;

	while (read(0, &c, 1) > 0)
		;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int p[2], sv[2], fd = -1, status;
	pid_t child;
	char path[4096];

	if (!strcmp(mode, "pipe-fork") || !strcmp(mode, "exit-open")) {
		if (pipe(p))
			die("pipe");
	} else if (!strcmp(mode, "mixed") && argc == 3) {
		if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			die("pipe/socketpair");
		snprintf(path, sizeof(path), "%s/fifo", argv[2]);
		if (mkfifo(path, 0600))
			die("mkfifo");
		if (open(path, O_RDWR) < 0)	/* O_RDWR: no wait for a peer */
			die("open fifo");
		snprintf(path, sizeof(path), "%s/file", argv[2]);
		fd = open(path, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || open(path, O_RDONLY) < 0 || dup(fd) < 0 ||
		    open(path, O_RDONLY | O_CLOEXEC) < 0 ||
		    fcntl(fd, F_DUPFD_CLOEXEC, 20) < 0)
			die("file");
	} else if (!strcmp(mode, "offset") && argc == 3) {
		fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, "12345", 5) != 5)
			die("offset file");
	} else {
		fprintf(stderr, "usage: holder pipe-fork|mixed DIR|offset FILE|exit-open\n");
		return 2;
	}
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (!strcmp(mode, "exit-open"))
			_exit(0);
		if (!strcmp(mode, "offset")) {
			if (write(fd, "678", 3) != 3)
				_exit(1);
			printf("wrote\n");
			fflush(stdout);
		}
		hold();
		_exit(0);
	}
	if (!strcmp(mode, "exit-open"))
		waitpid(child, &status, 0);
	printf("ready %d %d\n", getpid(), child);
	fflush(stdout);
	hold();
	if (strcmp(mode, "exit-open"))
		waitpid(child, &status, 0);
	return 0;
}
