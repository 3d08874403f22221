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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static _Noreturn void client(int listen_fd, const struct sockaddr_un *addr)
{
	int fd;

	if (close(listen_fd) == -1)
		die("close fd %d", listen_fd);
	demo_step("closed the listening socket fd %d I inherited: only the "
		  "server accepts", listen_fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1)
		die("socket");
	demo_step("socket(AF_UNIX, SOCK_STREAM) = fd %d", fd);
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == -1)
		die("connect %s", addr->sun_path);
	demo_step("connect(fd %d, %s): connected to the server", fd,
		  addr->sun_path);

	demo_request(fd);
	exit(0);
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[64];
	int listen_fd;
	pid_t pid;

	demo_init(argc, argv, "unix-socket", NULL);
	demo_set_role("server");

	demo_temp_dir(dir, sizeof(dir));
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/socket", dir);
	demo_step("mkdtemp() made the private directory %s for the socket",
		  dir);

	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd == -1)
		die("socket");
	demo_step("socket(AF_UNIX, SOCK_STREAM) = fd %d", listen_fd);
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		die("bind %s", addr.sun_path);
	demo_track_path(addr.sun_path);
	demo_step("bind(fd %d, %s) created the socket file", listen_fd,
		  addr.sun_path);
	if (listen(listen_fd, 1) == -1)
		die("listen");
	demo_step("listen(fd %d): connections may come", listen_fd);

	pid = demo_fork("client");
	if (pid == 0)
		client(listen_fd, &addr);
	demo_say("forked the client %d", (int)pid);

	demo_serve(listen_fd, pid);

	if (close(listen_fd) == -1)
		die("close fd %d", listen_fd);
	if (unlink(addr.sun_path) == -1)
		die("unlink %s", addr.sun_path);
	demo_untrack_path(addr.sun_path);
	if (rmdir(dir) == -1)
		die("rmdir %s", dir);
	demo_untrack_path(dir);
	demo_say("closed fd %d, removed %s and its directory", listen_fd,
		 addr.sun_path);
	return 0;
}
