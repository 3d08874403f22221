/*
 * pipe-race - why a conversation needs two pipes.
 *
 * Here parent and child share ONE pipe and both keep both ends. The parent
 * writes its question and reads at once, hoping for the answer, but a pipe
 * does not know who wrote what: whoever reads first gets the bytes, and
 * that is usually the parent, reading its own question back. The demo says
 * which way the race went, then finishes the conversation safely by taking
 * turns (waitpid() as the referee), and exits 0 either way.
 */
#include "demo.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char question[] = "Are you there?";
static const char answer[] = "Yes!";

static _Noreturn void child(int fds[2])
{
	char buf[64];
	ssize_t n;

	/* This pause hands the parent the race at human pace. */
	demo_step("busy for a moment before I read");
	demo_say("reading the question from the shared pipe (fd %d)",
		 fds[0]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	if (n == -1)
		die("read fd %d", fds[0]);
	buf[n] = '\0';
	demo_write_all(fds[1], answer, strlen(answer));
	demo_step("got \"%s\"; wrote the answer \"%s\" into fd %d", buf,
		  answer, fds[1]);
	exit(0);
}

int main(int argc, char **argv)
{
	char buf[64];
	int fds[2];
	ssize_t n;
	pid_t pid;

	demo_init(argc, argv, "pipe-race", NULL);
	demo_set_role("parent");

	if (pipe(fds) == -1)
		die("pipe");
	demo_step("made ONE pipe for both directions: read end fd %d, write "
		  "end fd %d; nobody closes either", fds[0], fds[1]);

	pid = demo_fork("child");
	if (pid == 0)
		child(fds);
	demo_step("forked child %d: parent and child both hold both ends",
		  (int)pid);

	/* No pause between write and read: that is the careless part. */
	demo_say("writing \"%s\" into fd %d, then reading fd %d at once",
		 question, fds[1], fds[0]);
	demo_write_all(fds[1], question, strlen(question));
	n = read(fds[0], buf, sizeof(buf) - 1);
	if (n == -1)
		die("read fd %d", fds[0]);
	buf[n] = '\0';

	if (strcmp(buf, question) == 0) {
		demo_step("read \"%s\": my OWN question came back!", buf);
		demo_step("I emptied the pipe: the child's read() finds "
			  "nothing and waits");
		demo_write_all(fds[1], question, strlen(question));
		demo_step("asked again; this time I do not read until the "
			  "child has exited");
		demo_say("waiting for child %d with waitpid()", (int)pid);
		demo_wait_ok(pid);
		n = read(fds[0], buf, sizeof(buf) - 1);
		if (n == -1)
			die("read fd %d", fds[0]);
		buf[n] = '\0';
		demo_step("now read \"%s\": the answer, since only it was left",
			  buf);
	} else {
		demo_step("read \"%s\": the child was quicker this time, but "
			  "that was luck", buf);
		demo_say("waiting for child %d with waitpid()", (int)pid);
		demo_wait_ok(pid);
	}

	if (close(fds[0]) == -1 || close(fds[1]) == -1)
		die("close");
	demo_say("lesson: one pipe per direction, each end closed where "
		 "unused (see pipe-duplex)");
	if (strcmp(buf, answer) != 0)
		demo_fail("parent expected the answer \"%s\"", answer);
	return 0;
}
