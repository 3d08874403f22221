/*
 * unix-socket - a stream socket in the AF_UNIX family: a client/server
 * conversation between processes on one machine, found by a path name.
 *
 * The server binds the path and listens before forking the client, so the
 * client's connect() cannot come too early. Every connection is a fresh fd
 * from accept(). The client shuts down its sending side after the request,
 * which the server reads as EOF: that is how it knows the request is whole.
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char request[] = "GET /time";
static const char response[] = "it is demo time";

static _Noreturn void client(int listen_fd, const struct sockaddr_un *addr)
{
	char buf[64];
	int fd;

	demo_step("closing the listening socket fd %d I inherited: only the "
		  "server accepts", listen_fd);
	if (close(listen_fd) == -1)
		die("close fd %d", listen_fd);
	demo_step("socket(AF_UNIX, SOCK_STREAM)");
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1)
		die("socket");
	demo_step("connect(fd %d, %s)", fd, addr->sun_path);
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == -1)
		die("connect %s", addr->sun_path);

	demo_step("sending the request \"%s\" on fd %d", request, fd);
	demo_write_all(fd, request, strlen(request));
	demo_step("shutdown(fd %d, SHUT_WR): the request is complete", fd);
	if (shutdown(fd, SHUT_WR) == -1)
		die("shutdown fd %d", fd);

	demo_step("reading the response from fd %d until EOF", fd);
	demo_read_all(fd, buf, sizeof(buf));
	demo_step("got the response \"%s\"", buf);
	if (close(fd) == -1)
		die("close fd %d", fd);
	if (strcmp(buf, response) != 0)
		demo_fail("client expected \"%s\"", response);
	exit(0);
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[64], buf[64];
	int listen_fd, fd;
	pid_t pid;

	demo_init(argc, argv, "unix-socket", NULL);
	demo_set_role("server");

	demo_step("making a private directory for the socket with mkdtemp()");
	demo_temp_dir(dir, sizeof(dir));
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/socket", dir);

	demo_step("socket(AF_UNIX, SOCK_STREAM)");
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd == -1)
		die("socket");
	demo_step("bind(fd %d, %s): creates the socket file", listen_fd,
		  addr.sun_path);
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		die("bind %s", addr.sun_path);
	demo_track_path(addr.sun_path);
	demo_step("listen(fd %d)", listen_fd);
	if (listen(listen_fd, 1) == -1)
		die("listen");

	demo_step("forking the client");
	pid = demo_fork("client");
	if (pid == 0)
		client(listen_fd, &addr);

	demo_step("accept(fd %d): waiting for a connection", listen_fd);
	fd = accept(listen_fd, NULL, NULL);
	if (fd == -1)
		die("accept");
	demo_step("accepted: the connection is my new fd %d", fd);

	demo_step("reading the request from fd %d until EOF", fd);
	demo_read_all(fd, buf, sizeof(buf));
	demo_step("got the request \"%s\"", buf);
	if (strcmp(buf, request) != 0)
		demo_fail("server expected \"%s\"", request);

	demo_step("sending the response \"%s\" and closing fd %d", response,
		  fd);
	demo_write_all(fd, response, strlen(response));
	if (close(fd) == -1)
		die("close fd %d", fd);

	demo_step("waiting for client %d with waitpid()", (int)pid);
	demo_wait_ok(pid);

	demo_step("closing fd %d, removing %s and its directory", listen_fd,
		  addr.sun_path);
	if (close(listen_fd) == -1)
		die("close fd %d", listen_fd);
	if (unlink(addr.sun_path) == -1)
		die("unlink %s", addr.sun_path);
	demo_untrack_path(addr.sun_path);
	if (rmdir(dir) == -1)
		die("rmdir %s", dir);
	demo_untrack_path(dir);
	return 0;
}
