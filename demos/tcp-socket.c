/*
 * tcp-socket - the same request and response as unix-socket, over TCP on
 * the loopback address. Binding port 0 lets the kernel pick a free port,
 * so two runs never clash; getsockname() tells us which one it picked.
 */
#include "demo.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char request[] = "GET /time";
static const char response[] = "it is demo time";

static _Noreturn void client(int listen_fd, const struct sockaddr_in *addr)
{
	char buf[64];
	int fd;

	demo_step("closing the listening socket fd %d I inherited: only the "
		  "server accepts", listen_fd);
	if (close(listen_fd) == -1)
		die("close fd %d", listen_fd);
	demo_step("socket(AF_INET, SOCK_STREAM)");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1)
		die("socket");
	demo_step("connect(fd %d, 127.0.0.1:%d)", fd, ntohs(addr->sin_port));
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == -1)
		die("connect 127.0.0.1:%d", ntohs(addr->sin_port));

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
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(0),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(addr);
	int listen_fd, fd;
	char buf[64];
	pid_t pid;

	demo_init(argc, argv, "tcp-socket", NULL);
	demo_set_role("server");

	demo_step("socket(AF_INET, SOCK_STREAM)");
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd == -1)
		die("socket");
	demo_step("bind(fd %d, 127.0.0.1:0): any free port", listen_fd);
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		die("bind 127.0.0.1:0");
	if (getsockname(listen_fd, (struct sockaddr *)&addr, &len) == -1)
		die("getsockname fd %d", listen_fd);
	demo_step("the kernel chose port %d", ntohs(addr.sin_port));
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

	demo_step("closing the listening socket fd %d", listen_fd);
	if (close(listen_fd) == -1)
		die("close fd %d", listen_fd);
	return 0;
}
