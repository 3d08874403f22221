/*
 * pipe - the first example of every course: a parent writes "Hello, Pipe!"
 * to its child through a pipe.
 *
 * Both sides close the end they do not use. That is what lets the child see
 * EOF: read() returns 0 only once no process holds a write end any more,
 * and a forgotten write end in the reader itself would make it wait forever.
 */
#include "demo.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char message[] = "Hello, Pipe!";

/*
 * The steps are ordered in time (the child runs half a pace behind): the
 * parent writes first, and the 12 bytes sit in the pipe for a step before
 * the child reads them; then the child waits in read() until the parent
 * closes the last write end.
 */
static _Noreturn void child(int fds[2])
{
	char buf[64];
	size_t got = 0;
	ssize_t n;

	if (close(fds[1]) == -1)
		die("close fd %d", fds[1]);
	demo_step("closed the write end I inherited (fd %d): I only read",
		  fds[1]);
	demo_pause(2);

	demo_say("reading from the read end (fd %d) until EOF", fds[0]);
	while (got + 1 < sizeof(buf) &&
	       (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) != 0) {
		if (n == -1)
			die("read fd %d", fds[0]);
		got += (size_t)n;
		demo_step("read() returned %zd bytes: the pipe is empty again; "
			  "reading on until EOF", n);
	}
	buf[got] = '\0';
	demo_step("read() returned 0: EOF, no write end is open any more");

	if (close(fds[0]) == -1)
		die("close fd %d", fds[0]);
	demo_step("closed fd %d; got %zu bytes: \"%s\"", fds[0], got, buf);
	if (strcmp(buf, message) != 0)
		demo_fail("child expected \"%s\"", message);
	exit(0);
}

int main(int argc, char **argv)
{
	int fds[2];
	pid_t pid;

	demo_init(argc, argv, "pipe", NULL);
	demo_set_role("parent");

	if (pipe(fds) == -1)
		die("pipe");
	demo_step("pipe() gave read end fd %d and write end fd %d", fds[0],
		  fds[1]);

	pid = demo_fork("child");
	if (pid == 0)
		child(fds);
	demo_step("forked child %d: it inherited both fds (refs 2 each)",
		  (int)pid);

	if (close(fds[0]) == -1)
		die("close fd %d", fds[0]);
	demo_step("closed the read end (fd %d): I only write", fds[0]);

	demo_write_all(fds[1], message, strlen(message));
	demo_step("wrote %zu bytes into the write end (fd %d): they sit in "
		  "the pipe until the child reads", strlen(message), fds[1]);
	demo_pause(3);

	if (close(fds[1]) == -1)
		die("close fd %d", fds[1]);
	demo_step("closed the write end (fd %d): the child sees EOF", fds[1]);

	demo_say("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);
	return 0;
}
