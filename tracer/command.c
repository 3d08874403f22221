// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Starting the traced command held; see command.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"

/* The program execv() will run, found as execvp() would, so that a typo is
 * reported here, plainly, rather than as exit status 127 later. */
static int find_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	int err = ENOENT;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return access(out, X_OK) ? errno : 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(out, len, "%.*s%s%s", (int)n, n ? path : ".",
			 n ? "/" : "", name);
		if (!access(out, X_OK))
			return 0;
		if (errno == EACCES)
			err = EACCES;
		path += n + (path[n] == ':');
	}
	return err;
}

int command_start(pid_t *out, char *const argv[], int *output, bool only_std)
{
	char prog[PATH_MAX];
	int err, wstatus, pfd[2] = { -1, -1 };
	pid_t pid;

	err = find_program(argv[0], prog, sizeof(prog));
	if (err) {
		fprintf(stderr, "ipcscope: cannot run '%s': %s\n", argv[0],
			err == ENOENT ? "command not found" : strerror(err));
		return -err;
	}
	if (output && pipe2(pfd, O_CLOEXEC)) {
		err = errno;
		fprintf(stderr, "ipcscope: pipe: %s\n", strerror(err));
		return -err;
	}
	pid = fork();
	if (pid < 0) {
		err = errno;
		fprintf(stderr, "ipcscope: fork: %s\n", strerror(err));
		if (output) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -err;
	}
	if (pid == 0) {
		sigset_t none;

		/* a tour forks demos after we blocked signals for signalfd */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (output) {
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (null > 0) {
				dup2(null, 0);
				close(null);
			}
			dup2(pfd[1], 1);
			dup2(pfd[1], 2);
			close(pfd[0]);
			if (pfd[1] > 2)
				close(pfd[1]);
		}
		/* forked late (a tour), we hold the tracer's own fds: they
		 * would show up in the command's table until its exec */
		if (only_std)
			close_range(3, ~0U, 0);
		raise(SIGSTOP);
		execv(prog, argv);
		fprintf(stderr, "ipcscope: cannot run '%s': %s\n", prog,
			strerror(errno));
		_exit(127);
	}
	if (output) {
		close(pfd[1]);
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	}
	if (waitpid(pid, &wstatus, WUNTRACED) != pid || !WIFSTOPPED(wstatus)) {
		fprintf(stderr, "ipcscope: '%s' did not start\n", argv[0]);
		if (output)
			close(pfd[0]);
		return -ECHILD;
	}
	if (output)
		*output = pfd[0];
	*out = pid;
	return 0;
}

int command_release(pid_t pid)
{
	return kill(pid, SIGCONT) ? -errno : 0;
}

void command_abort(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	kill(pid, SIGCONT);
	waitpid(pid, NULL, 0);
}

int command_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}
