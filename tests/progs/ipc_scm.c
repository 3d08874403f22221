/* SCM_RIGHTS passes a pipe's read end to another process.
 *
 * parent: socketpair (3, 4); fork; closes 4 (the child keeps 4, closes 3)
 * parent: pipe (4, 5), made after the fork, so the child has no copy;
 *         sendmsg on 3: one byte "x" and SCM_RIGHTS with fd 4
 * child:  recvmsg on 4: the pipe's read end arrives as its fd 3, the same
 *         open-file entry as the parent's fd 4 (which stays open until
 *         the child is done: refs 2)
 * parent: writes "via scm" (7 bytes) into 5, closes 5
 * child:  reads "via scm" from 3, then EOF; exits
 * parent: waitpid, closes 4
 *
 * Prints "received fd N" (the child) and "child PID" (the parent). Exits
 * 0 when all went so.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int receive_fd(int sock)
{
	char byte, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1 || byte != 'x')
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static int send_fd(int sock, int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

int main(void)
{
	int sv[2], p[2], fd, status = 0, ok = 1;
	char buf[16];
	pid_t child;

	alarm(20);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return perror("socketpair"), 1;
	fflush(stdout);
	child = fork();
	if (child < 0)
		return perror("fork"), 1;
	if (child == 0) {
		alarm(20);
		close(sv[0]);
		fd = receive_fd(sv[1]);
		if (fd < 0)
			_exit(1);
		printf("received fd %d\n", fd);
		fflush(stdout);
		if (read(fd, buf, sizeof(buf)) != 7 || memcmp(buf, "via scm", 7) ||
		    read(fd, buf, sizeof(buf)) != 0)
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	printf("child %d\n", (int)child);
	fflush(stdout);
	if (pipe(p) || send_fd(sv[0], p[0])) {
		perror("pipe/sendmsg");
		ok = 0;
	} else if (write(p[1], "via scm", 7) != 7) {
		ok = 0;
	}
	close(p[1]);
	if (waitpid(child, &status, 0) != child || status != 0)
		ok = 0;
	close(p[0]);
	close(sv[0]);
	return ok ? 0 : 1;
}
