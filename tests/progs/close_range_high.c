/* close_range over fds far apart, in a child and before an exec.
 *
 * A pipe's ends are dup2'ed to 300, 1000 and 5000, so that fds 3, 4, 300,
 * 1000 and 5000 hold two entries (read end: 3 and 1000; write end: 4, 300
 * and 5000). A child lists its fds (from /proc/self/fd), calls
 * close_range(3, ~0U, 0) and exits. The parent then lists its own, calls
 * close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) and execs itself with "after",
 * which lists the fds that survived the exec.
 *
 * Prints "child PID fds F..." , "parent fds F..." and "after fds F..."
 * (fds of 3 and above). Exits 0 when every call succeeded.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The fds of 3 and above, as the kernel lists them. */
static void list_fds(const char *who)
{
	int fds[64], n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		exit(1);
	while ((e = readdir(d)) && n < 64) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd >= 3 && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, n, sizeof(fds[0]), cmp);
	printf("%s fds", who);
	for (int i = 0; i < n; i++)
		printf(" %d", fds[i]);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 8192, 8192 };
	int p[2], status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "after")) {
		list_fds("after");
		return 0;
	}
	if (setrlimit(RLIMIT_NOFILE, &rl) || pipe(p) || p[0] != 3 ||
	    dup2(p[1], 300) != 300 || dup2(p[0], 1000) != 1000 ||
	    dup2(p[1], 5000) != 5000)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		char who[32];

		snprintf(who, sizeof(who), "child %d", (int)getpid());
		list_fds(who);
		return syscall(SYS_close_range, 3U, ~0U, 0U) ? 1 : 0;
	}
	if (waitpid(pid, &status, 0) != pid || status)
		return 1;
	list_fds("parent");
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC))
		return 1;
	execl("/proc/self/exe", argv[0], "after", (char *)NULL);
	return 1;
}
