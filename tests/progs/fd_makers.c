/* Calls that make an fd without open, and a regular file's offset.
 *
 * Makes an eventfd, a timerfd, a signalfd, an epoll instance, an inotify
 * instance, a memfd and a pidfd, printing "fd N LINK" for each, LINK
 * being what /proc/self/fd/N reads. Then, in the directory given as its
 * argument, opens "sub/../real.txt" (relative, through a subdirectory it
 * makes) and prints "fd N LINK" for it, then "pos OP N" after each of:
 * write of 5 bytes, lseek to 1, read of 2 bytes, pwrite of 3 bytes at 10
 * (which leaves the offset), lseek to the end; then holds its fds until
 * its stdin closes (names are read from /proc while it runs). The caller
 * removes the directory. Exits 0 when every call succeeded.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

static int show(int fd)
{
	char path[64], link[4096];
	ssize_t n;

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = 0;
	printf("fd %d %s\n", fd, link);
	return fd;
}

static int pos(const char *op, int fd)
{
	off_t at = lseek(fd, 0, SEEK_CUR);

	printf("pos %s %lld\n", op, (long long)at);
	return at < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	sigset_t mask;
	char buf[2];
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	if (argc != 2 || sigprocmask(SIG_BLOCK, &mask, NULL) ||
	    show(eventfd(0, 0)) < 0 ||
	    show(timerfd_create(CLOCK_MONOTONIC, 0)) < 0 ||
	    show(signalfd(-1, &mask, 0)) < 0 || show(epoll_create1(0)) < 0 ||
	    show(inotify_init1(0)) < 0 || show(memfd_create("ipcs", 0)) < 0 ||
	    show(syscall(SYS_pidfd_open, getpid(), 0)) < 0)
		return 1;
	if (chdir(argv[1]) || mkdir("sub", 0700))
		return 1;
	fd = show(open("sub/../real.txt", O_RDWR | O_CREAT | O_TRUNC, 0600));
	if (fd < 0 || write(fd, "hello", 5) != 5 || pos("write", fd) ||
	    lseek(fd, 1, SEEK_SET) != 1 || pos("lseek", fd) ||
	    read(fd, buf, 2) != 2 || pos("read", fd) ||
	    pwrite(fd, "abc", 3, 10) != 3 || pos("pwrite", fd) ||
	    lseek(fd, 0, SEEK_END) != 13 || pos("end", fd))
		return 1;
	fflush(stdout);
	while (read(0, buf, 1) > 0)
		;
	return 0;
}
