/* Close-on-exec changed between fork and exec, as Python's
 * os.set_inheritable does (ioctl FIONCLEX / FIOCLEX), and an exec from a
 * posix_spawn (CLONE_VFORK) child.
 *
 * pipe2(O_CLOEXEC) makes fds 3 and 4; "fork": a child clears close-on-exec
 * on 3 with FIONCLEX, sets it again on 4 with FIOCLEX, and execs this
 * program with "after"; "spawn": posix_spawn runs it with "after" (both
 * fds close at its exec). "after" lists the fds it holds.
 *
 * Prints "child PID" and then the child prints "after fds F..." (fds of 3
 * and above, from /proc/self/fd). Exits 0 when every call succeeded.
 */
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		exit(1);
	printf("after fds");
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd >= 3 && fd != dirfd(d))
			printf(" %d", fd);
	}
	printf("\n");
	closedir(d);
}

int main(int argc, char **argv)
{
	char *args[] = { argv[0], "after", NULL };
	int p[2], status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "after")) {
		list_fds();
		return 0;
	}
	if (argc < 2 || pipe2(p, O_CLOEXEC) || p[0] != 3)
		return 1;
	if (!strcmp(argv[1], "spawn")) {
		if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ))
			return 1;
	} else {
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			if (ioctl(3, FIONCLEX) || ioctl(4, FIOCLEX))
				_exit(1);
			execv("/proc/self/exe", args);
			_exit(1);
		}
	}
	printf("child %d\n", (int)pid);
	fflush(stdout);
	return waitpid(pid, &status, 0) == pid && !status ? 0 : 1;
}
