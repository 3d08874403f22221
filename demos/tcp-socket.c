/*
 * tcp-socket - the same request and response as unix-socket, over TCP on
 * the loopback address. Binding port 0 lets the kernel pick a free port,
 * so two runs never clash; getsockname() tells us which one it picked.
 */
#include "demo.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static _Noreturn void client(int listen_fd, const struct sockaddr_in *addr)
{
	int fd;

	if (close(listen_fd) == -1)
		die("close fd %d", listen_fd);
	demo_step("closed the listening socket fd %d I inherited: only the "
		  "server accepts", listen_fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1)
		die("socket");
	demo_step("socket(AF_INET, SOCK_STREAM) = fd %d", fd);
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == -1)
		die("connect 127.0.0.1:%d", ntohs(addr->sin_port));
	demo_step("connect(fd %d, 127.0.0.1:%d): connected to the server", fd,
		  ntohs(addr->sin_port));

	demo_request(fd);
	exit(0);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(0),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(addr);
	int listen_fd;
	pid_t pid;

	demo_init(argc, argv, "tcp-socket", NULL);
	demo_set_role("server");

	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd == -1)
		die("socket");
	demo_step("socket(AF_INET, SOCK_STREAM) = fd %d", listen_fd);
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		die("bind 127.0.0.1:0");
	if (getsockname(listen_fd, (struct sockaddr *)&addr, &len) == -1)
		die("getsockname fd %d", listen_fd);
	demo_step("bind(fd %d, 127.0.0.1:0): the kernel chose port %d",
		  listen_fd, ntohs(addr.sin_port));
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
	demo_say("closed the listening socket fd %d", listen_fd);
	return 0;
}
