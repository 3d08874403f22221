/* Listening sockets held for a snapshot, and a connect with the address
 * length most portable code passes.
 *
 * Listens on TCP 127.0.0.1 port 0 (the kernel chooses) and on a unix
 * socket bound to the path given; connects a TCP client to the listener
 * passing sizeof(struct sockaddr_storage) (128) as the length, and accepts
 * it. Prints "ready PID PORT TCP-LISTENER-INO UNIX-LISTENER-INO CLIENT-INO"
 * and holds everything until its stdin closes. Exits 0 when every call
 * succeeded.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static unsigned long ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(*in);
	int tl, ul, c, a;
	char buf[1];

	if (argc != 2 || strlen(argv[1]) >= sizeof(un.sun_path))
		return 1;
	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	tl = socket(AF_INET, SOCK_STREAM, 0);
	if (tl < 0 || bind(tl, (struct sockaddr *)in, sizeof(*in)) ||
	    listen(tl, 4) || getsockname(tl, (struct sockaddr *)in, &len))
		return 1;
	strcpy(un.sun_path, argv[1]);
	ul = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ul < 0 || bind(ul, (struct sockaddr *)&un, sizeof(un)) ||
	    listen(ul, 4))
		return 1;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&ss, sizeof(ss)))
		return 1;
	a = accept(tl, NULL, NULL);
	if (a < 0)
		return 1;
	printf("ready %d %u %lu %lu %lu\n", (int)getpid(), ntohs(in->sin_port),
	       ino(tl), ino(ul), ino(c));
	fflush(stdout);
	while (read(0, buf, 1) > 0)
		;
	return 0;
}
