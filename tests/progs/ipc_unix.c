/* An AF_UNIX stream server (parent) and client (child) on PATH.
 *
 * server: socket (fd 3), bind PATH, listen (backlog 4), fork
 * client: closes the inherited fd 3, socket (fd 3), connect PATH
 * server: accept (fd 4), writes "hello" (5 bytes): it speaks first, so
 *         every byte moves after accept() and both ends have a name
 * client: reads "hello", writes "ping" (4 bytes)
 * server: reads "ping", writes "bye" (3 bytes), closes fd 4
 * client: waits until it sees the server's end closed (POLLRDHUP), and
 *         100 ms more, then reads "bye" and EOF, exits
 * server: waitpid, closes fd 3, unlinks PATH
 *
 * Prints "server listen-ino L accepted-ino A client PID" and the client
 * prints "client-ino C" (socket inode numbers, from fstat). Exits 0 when
 * all went so. Usage: ipc_unix PATH
 */
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *path;

static void on_alarm(int sig)
{
	(void)sig;
	unlink(path);
	_exit(3);
}

static unsigned long ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

static int client(const struct sockaddr_un *addr, socklen_t len)
{
	struct pollfd pfd = { .events = POLLRDHUP };
	char buf[16];
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, len))
		return perror("client socket/connect"), 1;
	pfd.fd = fd;
	printf("client-ino %lu\n", ino(fd));
	fflush(stdout);
	if (read(fd, buf, sizeof(buf)) != 5 || memcmp(buf, "hello", 5))
		return fprintf(stderr, "client: no hello\n"), 1;
	if (write(fd, "ping", 4) != 4)
		return perror("client write"), 1;
	/* the server's "bye" is read only after the server has closed its
	 * end, and a while later: the tracer must still name it */
	if (poll(&pfd, 1, 10000) != 1 || !(pfd.revents & POLLRDHUP))
		return fprintf(stderr, "client: the server did not close\n"), 1;
	usleep(100 * 1000);
	if (read(fd, buf, sizeof(buf)) != 3 || memcmp(buf, "bye", 3))
		return fprintf(stderr, "client: no bye\n"), 1;
	if (read(fd, buf, sizeof(buf)) != 0)
		return fprintf(stderr, "client: want EOF\n"), 1;
	return close(fd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int lfd, fd, status = 0, ok = 1;
	char buf[16];
	socklen_t len;
	pid_t child;

	if (argc != 2 || strlen(argv[1]) >= sizeof(addr.sun_path))
		return fprintf(stderr, "usage: ipc_unix PATH\n"), 2;
	path = argv[1];
	strcpy(addr.sun_path, path);
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
	signal(SIGALRM, on_alarm);
	alarm(20);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, len))
		return perror("socket/bind"), 1;
	if (listen(lfd, 4)) {
		perror("listen");
		unlink(path);
		return 1;
	}
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fork");
		unlink(path);
		return 1;
	}
	if (child == 0) {
		alarm(20);
		close(lfd);
		_exit(client(&addr, len));
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("accept");
		ok = 0;
	} else {
		printf("server listen-ino %lu accepted-ino %lu client %d\n",
		       ino(lfd), ino(fd), (int)child);
		fflush(stdout);
		if (write(fd, "hello", 5) != 5 || read(fd, buf, sizeof(buf)) != 4 ||
		    memcmp(buf, "ping", 4) || write(fd, "bye", 3) != 3) {
			fprintf(stderr, "server: hello/ping/bye failed\n");
			ok = 0;
		}
		close(fd);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "client failed (status %#x)\n", status);
		ok = 0;
	}
	close(lfd);
	if (unlink(path)) {
		perror("unlink");
		ok = 0;
	}
	return ok ? 0 : 1;
}
