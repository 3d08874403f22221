/*
 * pipe-duplex - a pipe carries bytes one way only, so a conversation takes
 * two: one from parent to child for the question, one from child to parent
 * for the answer. Each process closes the two ends it does not use, which
 * is also what makes each read() end with EOF.
 */
#include "demo.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char question[] = "What is 6 x 7?";
static const char answer[] = "42";

static void close_fd(int fd, const char *why)
{
	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_step("closed fd %d (%s)", fd, why);
}

/*
 * The child reads a step after the parent has written and closed, so the
 * question is seen waiting in its pipe.
 */
static _Noreturn void child(int down[2], int up[2])
{
	char buf[64];

	close_fd(down[1], "write end of the question pipe: I only read it");
	close_fd(up[0], "read end of the answer pipe: I only write it");
	demo_pause(3);

	demo_say("reading the question from fd %d until EOF", down[0]);
	demo_read_all(down[0], buf, sizeof(buf));
	demo_step("got the question \"%s\"", buf);
	close_fd(down[0], "done reading");

	demo_write_all(up[1], answer, strlen(answer));
	demo_step("wrote the answer \"%s\" (%zu bytes) into fd %d", answer,
		  strlen(answer), up[1]);
	close_fd(up[1], "done writing: the parent sees EOF");

	if (strcmp(buf, question) != 0)
		demo_fail("child expected the question \"%s\"", question);
	exit(0);
}

int main(int argc, char **argv)
{
	int down[2], up[2];
	char buf[64];
	pid_t pid;

	demo_init(argc, argv, "pipe-duplex", NULL);
	demo_set_role("parent");

	if (pipe(down) == -1)
		die("pipe");
	demo_step("made the question pipe (parent -> child): read end fd %d, "
		  "write end fd %d", down[0], down[1]);
	if (pipe(up) == -1)
		die("pipe");
	demo_step("made the answer pipe (child -> parent): read end fd %d, "
		  "write end fd %d", up[0], up[1]);

	pid = demo_fork("child");
	if (pid == 0)
		child(down, up);
	demo_step("forked child %d: it inherited all four fds", (int)pid);

	close_fd(down[0], "read end of the question pipe: I only write it");
	close_fd(up[1], "write end of the answer pipe: I only read it");

	demo_write_all(down[1], question, strlen(question));
	demo_step("wrote the question \"%s\" (%zu bytes) into fd %d",
		  question, strlen(question), down[1]);
	close_fd(down[1], "done asking: the child sees EOF");

	demo_say("reading the answer from fd %d until EOF", up[0]);
	demo_read_all(up[0], buf, sizeof(buf));
	demo_step("got the answer \"%s\"", buf);
	close_fd(up[0], "done reading");

	demo_say("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);
	if (strcmp(buf, answer) != 0)
		demo_fail("parent expected the answer \"%s\"", answer);
	return 0;
}
