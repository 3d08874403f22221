/* A TCP server (parent) and client (child) on 127.0.0.1:PORT (or, with a
 * second argument 6, [::1]:PORT), with the classic half-close at the end.
 *
 * server: socket (fd 3), SO_REUSEADDR, bind 127.0.0.1:PORT, listen
 *         (backlog 4), fork
 * client: closes the inherited fd 3, socket (fd 3), connect 127.0.0.1:PORT,
 *         then SIGUSR1 to the server
 * server: accept (fd 4), and once the client's connect has returned
 *         (SIGUSR1: so its address is known before any byte moves),
 *         writes "hello" (5 bytes) first, so every byte moves after
 *         accept()
 * client: reads "hello", writes "ping" (4 bytes), shutdown(SHUT_WR)
 * server: reads "ping", then EOF; writes "bye" (3 bytes); shutdown(SHUT_WR)
 *         and keeps fd 4 open until the client has exited
 * client: waits until it has the server's FIN (POLLRDHUP; its socket is
 *         then in TIME_WAIT), and 100 ms more, reads "bye" and EOF, exits
 * server: waitpid, closes fd 4 and fd 3
 *
 * Prints "server listen-ino L accepted-ino A client PID" and the client
 * prints "client-ino C port P" (its local port). Exits 0 when all went so,
 * 4 when PORT is taken (or there is no IPv6 loopback).
 * Usage: ipc_tcp PORT [6]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

union inet_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static socklen_t addr_len(const union inet_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in);
}

static int client(const union inet_addr *addr)
{
	struct pollfd pfd = { .events = POLLRDHUP };
	union inet_addr me;
	socklen_t len = sizeof(me);
	char buf[16];
	int fd;

	fd = socket(addr->sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, &addr->sa, addr_len(addr)) ||
	    getsockname(fd, &me.sa, &len))
		return perror("client socket/connect"), 1;
	pfd.fd = fd;
	kill(getppid(), SIGUSR1);
	printf("client-ino %lu port %u\n", ino(fd),
	       ntohs(me.sa.sa_family == AF_INET6 ? me.in6.sin6_port :
						    me.in.sin_port));
	fflush(stdout);
	if (read(fd, buf, sizeof(buf)) != 5 || memcmp(buf, "hello", 5))
		return fprintf(stderr, "client: no hello\n"), 1;
	if (write(fd, "ping", 4) != 4 || shutdown(fd, SHUT_WR))
		return perror("client write/shutdown"), 1;
	/* "bye" is read only once the connection is closed both ways, and a
	 * while later: the tracer must still name the socket that sent it */
	if (poll(&pfd, 1, 10000) != 1 || !(pfd.revents & POLLRDHUP))
		return fprintf(stderr, "client: the server did not shut down\n"), 1;
	usleep(100 * 1000);
	if (read(fd, buf, sizeof(buf)) != 3 || memcmp(buf, "bye", 3))
		return fprintf(stderr, "client: no bye\n"), 1;
	if (read(fd, buf, sizeof(buf)) != 0)
		return fprintf(stderr, "client: want EOF\n"), 1;
	return close(fd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	union inet_addr addr = { 0 };
	int lfd, fd, one = 1, status = 0, ok = 1, sig;
	char buf[16];
	sigset_t usr1;
	pid_t child;

	if (argc < 2 || argc > 3 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535 ||
	    (argc == 3 && strcmp(argv[2], "6")))
		return fprintf(stderr, "usage: ipc_tcp PORT [6]\n"), 2;
	if (argc == 3) {
		addr.in6.sin6_family = AF_INET6;
		addr.in6.sin6_addr = in6addr_loopback;
		addr.in6.sin6_port = htons(atoi(argv[1]));
	} else {
		addr.in.sin_family = AF_INET;
		addr.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		addr.in.sin_port = htons(atoi(argv[1]));
	}
	alarm(20);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	lfd = socket(addr.sa.sa_family, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return perror("socket"), 1;
	if (bind(lfd, &addr.sa, addr_len(&addr)))
		return perror("bind"), errno == EADDRINUSE ||
				       errno == EADDRNOTAVAIL ? 4 : 1;
	if (listen(lfd, 4))
		return perror("listen"), 1;
	fflush(stdout);
	child = fork();
	if (child < 0)
		return perror("fork"), 1;
	if (child == 0) {
		alarm(20);
		close(lfd);
		_exit(client(&addr));
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("accept");
		ok = 0;
	} else {
		printf("server listen-ino %lu accepted-ino %lu client %d\n",
		       ino(lfd), ino(fd), (int)child);
		fflush(stdout);
		sigwait(&usr1, &sig);
		if (write(fd, "hello", 5) != 5 || read(fd, buf, sizeof(buf)) != 4 ||
		    memcmp(buf, "ping", 4) || read(fd, buf, sizeof(buf)) != 0 ||
		    write(fd, "bye", 3) != 3 || shutdown(fd, SHUT_WR)) {
			fprintf(stderr, "server: hello/ping/EOF/bye failed\n");
			ok = 0;
		}
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "client failed (status %#x)\n", status);
		ok = 0;
	}
	if (fd >= 0)
		close(fd);
	close(lfd);
	return ok ? 0 : 1;
}
