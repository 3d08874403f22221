/* Holds shared mappings, a POSIX queue and an IPv6 TCP connection for
 * snapshot tests, until stdin reaches EOF (or SIGTERM/SIGINT/SIGHUP, or
 * 60 s), and removes what it made on every path:
 *
 * - PATH (created, 2 pages) mapped MAP_SHARED, its fd closed: only the
 *   mapping holds the open-file entry;
 * - a SysV segment of 6000 bytes, attached (removed at exit);
 * - a POSIX queue /ipcscope-test-holder-PID (fd 3) holding one 4-byte
 *   message (unlinked at exit);
 * - over [::1]: a listener (fd 4), a client connected to it (fd 5) and
 *   the accepted socket (fd 6).
 *
 * Prints "ready PID SHMID FILE-ADDR SHM-ADDR QUEUE LISTEN-PORT
 * CLIENT-PORT" (addresses in decimal). Usage: ipc_maps_holder PATH
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile int shmid = -1;
static char qname[64];

static void cleanup(void)
{
	if (shmid >= 0)
		shmctl(shmid, IPC_RMID, NULL);
	if (qname[0])
		mq_unlink(qname);
}

static void on_signal(int sig)
{
	(void)sig;
	cleanup();
	_exit(1);
}

static int fail(const char *what)
{
	perror(what);
	cleanup();
	return 1;
}

int main(int argc, char **argv)
{
	struct mq_attr attr = { .mq_maxmsg = 5, .mq_msgsize = 16 };
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 }, c;
	socklen_t len = sizeof(a);
	int fd, lfd, cfd, afd;
	void *file, *shm;
	mqd_t q;
	char ch;

	if (argc != 2)
		return fprintf(stderr, "usage: ipc_maps_holder PATH\n"), 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGALRM, on_signal);
	alarm(60);
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 8192))
		return fail(argv[1]);
	file = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (file == MAP_FAILED || close(fd))
		return fail("mmap");
	shmid = shmget(IPC_PRIVATE, 6000, IPC_CREAT | 0600);
	if (shmid < 0 || (shm = shmat(shmid, NULL, 0)) == (void *)-1)
		return fail("shmget/shmat");
	snprintf(qname, sizeof(qname), "/ipcscope-test-holder-%d", (int)getpid());
	q = mq_open(qname, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (q == (mqd_t)-1 || mq_send(q, "held", 4, 0))
		return fail("mq_open/mq_send");
	a.sin6_addr = in6addr_loopback;
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&a, &len))
		return fail("listen on [::1]");
	cfd = socket(AF_INET6, SOCK_STREAM, 0);
	len = sizeof(c);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(cfd, (struct sockaddr *)&c, &len))
		return fail("connect to [::1]");
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		return fail("accept");
	printf("ready %d %d %lu %lu %s %u %u\n", (int)getpid(), shmid,
	       (unsigned long)file, (unsigned long)shm, qname,
	       ntohs(a.sin6_port), ntohs(c.sin6_port));
	fflush(stdout);
	while (read(0, &ch, 1) > 0)
		;
	cleanup();
	return 0;
}
