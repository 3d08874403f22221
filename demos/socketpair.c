/*
 * socketpair - a pair of connected sockets: like a pipe, but each end can
 * both send and receive. Parent and child keep one end each, and both talk
 * at the same time on their single fd, which one pipe could not do (see
 * pipe-race). Each side shuts down its sending half when done, so the
 * other one reads its message until EOF.
 */
#include "demo.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void talk(int fd, const char *say, const char *expect)
{
	char buf[64];

	demo_write_all(fd, say, strlen(say));
	demo_step("sent \"%s\" on fd %d", say, fd);
	if (shutdown(fd, SHUT_WR) == -1)
		die("shutdown fd %d", fd);
	demo_step("shutdown(fd %d, SHUT_WR): nothing more from me", fd);

	demo_say("reading from the same fd %d until EOF", fd);
	demo_read_all(fd, buf, sizeof(buf));
	demo_step("got \"%s\"", buf);
	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_say("closed fd %d", fd);
	if (strcmp(buf, expect) != 0)
		demo_fail("expected \"%s\"", expect);
}

int main(int argc, char **argv)
{
	static const char from_parent[] = "Hello, child!";
	static const char from_child[] = "Hello, parent!";
	int sv[2];
	pid_t pid;

	demo_init(argc, argv, "socketpair", NULL);
	demo_set_role("parent");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		die("socketpair");
	demo_step("socketpair(AF_UNIX, SOCK_STREAM): two connected sockets, "
		  "fd %d and fd %d", sv[0], sv[1]);

	pid = demo_fork("child");
	if (pid == 0) {
		if (close(sv[0]) == -1)
			die("close fd %d", sv[0]);
		demo_step("closed fd %d, the parent's end", sv[0]);
		talk(sv[1], from_child, from_parent);
		exit(0);
	}
	demo_say("forked child %d: I keep fd %d, the child keeps fd %d",
		 (int)pid, sv[0], sv[1]);

	if (close(sv[1]) == -1)
		die("close fd %d", sv[1]);
	demo_step("closed fd %d, the child's end", sv[1]);
	talk(sv[0], from_parent, from_child);

	demo_say("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);
	return 0;
}
