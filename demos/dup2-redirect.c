/*
 * dup2-redirect - how a shell builds "... | tr a-z A-Z | ...".
 *
 * tr knows nothing about pipes: it reads fd 0 and writes fd 1. So the child
 * dup2()s one pipe onto its stdin and another onto its stdout, closes the
 * original pipe fds (a stray write end would keep tr from ever seeing EOF),
 * and execs tr, which keeps the fds. The parent feeds the text in through
 * the first pipe and reads the result back through the second.
 */
#include "demo.h"

#include <string.h>
#include <unistd.h>

static const char text[] = "hello from the parent\n";
static const char expected[] = "HELLO FROM THE PARENT";

/*
 * The child waits two paces between the dup2() onto its stdout and the
 * exec, so the switch of fd 1 is seen; the parent closes tr's input only
 * once tr is running, so tr is seen reading from one pipe and writing into
 * the other.
 */
static _Noreturn void child(int in[2], int out[2])
{
	if (dup2(in[0], STDIN_FILENO) == -1)
		die("dup2 %d 0", in[0]);
	demo_step("dup2(%d, 0): my stdin is now the read end of the input "
		  "pipe", in[0]);

	if (close(in[0]) == -1 || close(in[1]) == -1 || close(out[0]) == -1)
		die("close");
	demo_step("closed the originals fd %d, %d and %d", in[0], in[1],
		  out[0]);

	/* After this dup2 what I print goes into the pipe, to the parent. */
	demo_say("about to dup2(%d, 1), close(%d) and exec tr: my last line "
		 "of narration", out[1], out[1]);
	if (dup2(out[1], STDOUT_FILENO) == -1)
		die("dup2 %d 1", out[1]);
	if (close(out[1]) == -1)
		die("close fd %d", out[1]);
	demo_pause(2);
	execlp("tr", "tr", "a-z", "A-Z", (char *)NULL);
	die("execlp tr");
}

int main(int argc, char **argv)
{
	int in[2], out[2];
	char buf[128];
	pid_t pid;

	demo_init(argc, argv, "dup2-redirect", NULL);
	demo_set_role("parent");

	if (pipe(in) == -1)
		die("pipe");
	demo_step("made the input pipe (parent -> tr): read end fd %d, write "
		  "end fd %d", in[0], in[1]);
	if (pipe(out) == -1)
		die("pipe");
	demo_step("made the output pipe (tr -> parent): read end fd %d, write "
		  "end fd %d", out[0], out[1]);

	pid = demo_fork("child");
	if (pid == 0)
		child(in, out);
	demo_step("forked the child that will become tr");

	if (close(in[0]) == -1 || close(out[1]) == -1)
		die("close");
	demo_step("closed the ends tr uses: fd %d and fd %d", in[0], out[1]);

	demo_write_all(in[1], text, strlen(text));
	demo_step("wrote \"hello from the parent\\n\" (%zu bytes) into fd %d",
		  strlen(text), in[1]);
	demo_pause(3);

	if (close(in[1]) == -1)
		die("close fd %d", in[1]);
	demo_step("closed fd %d: tr sees EOF on its stdin and finishes",
		  in[1]);

	demo_read_all(out[0], buf, sizeof(buf));
	if (close(out[0]) == -1)
		die("close fd %d", out[0]);
	buf[strcspn(buf, "\n")] = '\0';
	demo_step("read what tr wrote to its stdout from fd %d: \"%s\"",
		  out[0], buf);

	demo_say("waiting for tr (pid %d) with waitpid()", (int)pid);
	demo_wait_ok(pid);
	if (strcmp(buf, expected) != 0)
		demo_fail("expected \"%s\" from tr", expected);
	return 0;
}
