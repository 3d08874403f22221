/* An abstract AF_UNIX datagram socket: a name with no file behind it.
 *
 * parent: socket(AF_UNIX, SOCK_DGRAM) (fd 3), bind to the abstract name
 *         "\0ipcscope-test-abstract-PID" (PID = the parent's), fork
 * child:  closes the inherited fd 3, socket (fd 3), connect to that name,
 *         send "ping" (4 bytes, the sendto syscall), waits for SIGUSR1
 * parent: recv (the recvfrom syscall) 4 bytes, kill(child, SIGUSR1),
 *         waitpid: both sockets are open when the datagram moves
 *
 * Prints "name @NAME child PID". Nothing to clean up: abstract names go
 * with their socket. Exits 0 when all went so.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, sig, status = 0, ok = 1;
	char name[64], buf[16];
	sigset_t usr1;
	socklen_t len;
	pid_t child;

	alarm(20);
	snprintf(name, sizeof(name), "ipcscope-test-abstract-%d", (int)getpid());
	memcpy(addr.sun_path + 1, name, strlen(name));	/* sun_path[0] = 0 */
	len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, len))
		return perror("socket/bind"), 1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);	/* the child waits for it */
	fflush(stdout);
	child = fork();
	if (child < 0)
		return perror("fork"), 1;
	if (child == 0) {
		close(fd);
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&addr, len) ||
		    send(fd, "ping", 4, 0) != 4)
			_exit(1);
		/* stay until the parent has received it */
		_exit(sigwait(&usr1, &sig) == 0 ? 0 : 1);
	}
	printf("name @%s child %d\n", name, (int)child);
	fflush(stdout);
	if (recv(fd, buf, sizeof(buf), 0) != 4 || memcmp(buf, "ping", 4)) {
		fprintf(stderr, "no ping\n");
		ok = 0;
	}
	kill(child, SIGUSR1);
	if (waitpid(child, &status, 0) != child || status != 0)
		ok = 0;
	close(fd);
	return ok ? 0 : 1;
}
