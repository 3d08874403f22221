/* socketpair ping-pong between parent and child.
 *
 * parent: socketpair(AF_UNIX, SOCK_STREAM) = fds 3 and 4; fork; keeps 3,
 *         closes 4; the child keeps 4 and closes 3
 * twice:  parent writes "pingN" (5 bytes) on 3, child reads it on 4 and
 *         writes "pongN" (5 bytes) back, parent reads it
 * then:   parent closes 3; the child reads EOF and exits; waitpid. Both
 *         ends are open for every ping and pong.
 *
 * Prints "sv0-ino A sv1-ino B child PID" (inodes from fstat). Exits 0
 * when all went so.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 2

static unsigned long ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

static int expect(int fd, const char *want)
{
	char buf[16];

	return read(fd, buf, sizeof(buf)) == (ssize_t)strlen(want) &&
	       !memcmp(buf, want, strlen(want)) ? 0 : -1;
}

int main(void)
{
	int sv[2], status = 0, ok = 1;
	unsigned long ino0, ino1;
	char msg[8];
	pid_t child;

	alarm(20);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return perror("socketpair"), 1;
	ino0 = ino(sv[0]);
	ino1 = ino(sv[1]);
	fflush(stdout);
	child = fork();
	if (child < 0)
		return perror("fork"), 1;
	if (child == 0) {
		alarm(20);
		close(sv[0]);
		for (int i = 1; i <= ROUNDS; i++) {
			snprintf(msg, sizeof(msg), "ping%d", i);
			if (expect(sv[1], msg))
				_exit(1);
			snprintf(msg, sizeof(msg), "pong%d", i);
			if (write(sv[1], msg, 5) != 5)
				_exit(1);
		}
		/* stay until the parent has read everything and closed */
		_exit(read(sv[1], msg, sizeof(msg)) == 0 ? 0 : 1);
	}
	close(sv[1]);
	printf("sv0-ino %lu sv1-ino %lu child %d\n", ino0, ino1, (int)child);
	fflush(stdout);
	for (int i = 1; ok && i <= ROUNDS; i++) {
		snprintf(msg, sizeof(msg), "ping%d", i);
		if (write(sv[0], msg, 5) != 5)
			ok = 0;
		snprintf(msg, sizeof(msg), "pong%d", i);
		if (ok && expect(sv[0], msg))
			ok = 0;
	}
	close(sv[0]);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		ok = 0;
	return ok ? 0 : 1;
}
