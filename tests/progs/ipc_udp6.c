/* Two connected UDP sockets on the IPv6 loopback, parent and child.
 *
 * a (fd 3) and b (fd 4): socket(AF_INET6, SOCK_DGRAM), bind [::1]:0, then
 * connect a to b's address and b to a's; fork
 * child:  closes a; sends "ping" (4 bytes) on b; receives "pong"; exits
 * parent: closes b; receives "ping" on a; sends "pong"; waitpid
 *
 * Prints "a-ino A a-port P b-ino B b-port Q child PID". Exits 0 when all
 * went so, 4 when there is no IPv6 loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
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

static int bound(struct sockaddr_in6 *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	memset(addr, 0, sizeof(*addr));
	addr->sin6_family = AF_INET6;
	addr->sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		return -1;
	return fd;
}

int main(void)
{
	struct sockaddr_in6 aa, ba;
	unsigned long a_ino, b_ino;
	int a, b, status = 0;
	char buf[16];
	pid_t pid;

	alarm(20);
	a = bound(&aa);
	b = bound(&ba);
	if (a < 0 || b < 0)
		return perror("socket/bind [::1]"), errno == EADDRNOTAVAIL ? 4 : 1;
	if (connect(a, (struct sockaddr *)&ba, sizeof(ba)) ||
	    connect(b, (struct sockaddr *)&aa, sizeof(aa)))
		return perror("connect"), 1;
	a_ino = ino(a);
	b_ino = ino(b);
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		close(a);
		if (send(b, "ping", 4, 0) != 4 || recv(b, buf, sizeof(buf), 0) != 4 ||
		    memcmp(buf, "pong", 4))
			_exit(1);
		_exit(0);
	}
	close(b);
	printf("a-ino %lu a-port %u b-ino %lu b-port %u child %d\n", a_ino,
	       ntohs(aa.sin6_port), b_ino, ntohs(ba.sin6_port), (int)pid);
	fflush(stdout);
	if (recv(a, buf, sizeof(buf), 0) != 4 || memcmp(buf, "ping", 4) ||
	    send(a, "pong", 4, 0) != 4)
		return perror("parent recv/send"), 1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return fprintf(stderr, "child failed (status %#x)\n", status), 1;
	return close(a) ? 1 : 0;
}
