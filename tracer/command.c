// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Starting the traced command held, letting it run, ending it; see
 * command.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "step.h"

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

/* A pipe with both ends above stderr: the command's stdin, stdout and
 * stderr are set up by dup2() onto 0-2, which must not land on them
 * (ipcscope may have been started with one of those closed). */
static int pipe_high(int p[2])
{
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	for (int i = 0; i < 2; i++) {
		int fd;

		if (p[i] > 2)
			continue;
		fd = fcntl(p[i], F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			int err = -errno;

			close(p[0]);
			close(p[1]);
			return err;
		}
		close(p[i]);
		p[i] = fd;
	}
	return 0;
}

/* Every fd from 3 up but a and b (a tour forks from the loop: the
 * tracer's own fds would show in the command's table until its exec). */
static void close_all_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
}

/* --step: the filter goes on here, then "r", the listener's number and
 * our end's through vmsplice(), which the filter lets by: write() and
 * close() would wait for ipcscope, who waits for us. Our end stays open
 * (close-on-exec: it goes at the exec). */
static void step_ready(int fd)
{
	int lfd = step_install_filter();
	char msg[1 + 2 * sizeof(int)] = "r";
	struct iovec iov = { msg, sizeof(msg) };

	if (lfd < 0) {
		fprintf(stderr, "ipcscope: --step: cannot install the seccomp "
			"filter: %s\n", strerror(-lfd));
		_exit(126);
	}
	memcpy(msg + 1, &lfd, sizeof(int));
	memcpy(msg + 1 + sizeof(int), &fd, sizeof(int));
	if (vmsplice(fd, &iov, 1, 0) != (ssize_t)sizeof(msg))
		_exit(126);
}

/* The command's side until its exec. Every call here is made before the
 * tracer follows it, but for the wait and what comes after it (poll,
 * prctl, getppid: no event tells them): what the command's table shows
 * at the exec is its own. */
static void __attribute__((noreturn))
held_child(const char *prog, char *const argv[], pid_t tracer, int hold[2],
	   int ready[2], int out[2], bool only_std, bool step)
{
	struct pollfd pf = { .fd = hold[0], .events = POLLIN };
	sigset_t none;

	/* a tour forks after we blocked signals for signalfd and ignored
	 * SIGPIPE: the command gets neither */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	/* our death kills it while it waits; the check closes the race with
	 * a death before the prctl */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != tracer)
		_exit(126);
	close(hold[1]);
	close(ready[0]);
	if (out) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null > 0) {
			dup2(null, 0);
			close(null);
		}
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(out[0]);
		if (out[1] > 2)
			close(out[1]);
	}
	if (only_std)
		close_all_but(hold[0], ready[1]);
	if (step)
		step_ready(ready[1]);	/* returns with ready[1] open */
	else if (write(ready[1], "r", 1) != 1)
		_exit(126);
	else
		close(ready[1]);
	while (poll(&pf, 1, -1) < 0 && errno == EINTR)
		;
	/* a pipe polls POLLIN only with data in it: the tracer's byte; a
	 * write end closed with nothing written means it gave up or died */
	if (!(pf.revents & POLLIN))
		_exit(126);
	/* from here on it is the command: if ipcscope dies without ending
	 * it (SIGKILL, a crash), it gets a SIGTERM it may clean up after */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != tracer)
		_exit(126);
	execv(prog, argv);
	fprintf(stderr, "ipcscope: cannot run '%s': %s\n", prog,
		strerror(errno));
	_exit(127);
}

/* The command has set itself up and waits: it wrote its byte and closed
 * its end (EOF). EOF alone means it died first. */
static bool child_ready(int fd)
{
	char c = 0;
	ssize_t n;

	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1 || c != 'r')
		return false;
	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return n == 0;
}

/* --step: "r", the command's listener fd and its end of this pipe (which
 * it keeps: no EOF to wait for); the listener is copied into our table
 * (pidfd_getfd, Linux 5.6+). */
static bool step_child_ready(int fd, pid_t pid, struct command_hold *hold,
			     bool *said)
{
	char msg[1 + 2 * sizeof(int)];
	size_t got = 0;
	int pidfd, lfd;
	ssize_t n;

	while (got < sizeof(msg)) {
		n = read(fd, msg + got, sizeof(msg) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	memcpy(&lfd, msg + 1, sizeof(int));
	memcpy(&hold->step_child_fds[1], msg + 1 + sizeof(int), sizeof(int));
	hold->step_child_fds[0] = lfd;
	pidfd = msg[0] == 'r' ? syscall(SYS_pidfd_open, pid, 0) : -1;
	if (msg[0] != 'r')
		errno = EPROTO;
	if (pidfd >= 0) {
		hold->listener = syscall(SYS_pidfd_getfd, pidfd, lfd, 0);
		close(pidfd);
	}
	if (hold->listener < 0) {
		fprintf(stderr, "ipcscope: --step: cannot take the command's "
			"seccomp listener: %s\n", strerror(errno));
		*said = true;
		kill(pid, SIGKILL);	/* it waits for us: it would not end */
		return false;
	}
	return true;
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

#define GUARD_GRACE_MS 2000
#define GUARD_POLL_MS 50

/* The guard: a process of ours outside the command's group that outlives
 * us only to end the group when we die without ending it (SIGKILL, a
 * crash), which no handler of ours can. It waits on a pipe only we hold:
 * "d" means we ended as planned; end of file means we died. */
static void __attribute__((noreturn)) guard(int rd, pid_t pgid)
{
	char c = 0;

	/* nothing of ours kept alive by it: not our BPF links, not the
	 * command's hold pipe, not the terminal */
	if (dup2(rd, 0) < 0)
		_exit(1);
	close_range(1, ~0U, 0);
	setpgid(0, 0);		/* the terminal's keys are not for it */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	prctl(PR_SET_NAME, "ipcscope-guard");
	while (read(0, &c, 1) < 0 && errno == EINTR)
		;
	if (c == 'd')
		_exit(0);
	kill(-pgid, SIGTERM);
	kill(-pgid, SIGCONT);
	for (int ms = 0; ms < GUARD_GRACE_MS; ms += GUARD_POLL_MS) {
		if (kill(-pgid, 0) && errno == ESRCH)
			_exit(0);
		poll(NULL, 0, GUARD_POLL_MS);
	}
	kill(-pgid, SIGKILL);
	_exit(0);
}

/* Starts the command's guard; our end of its pipe, or -1 (the run goes
 * on unguarded: a SIGKILL of ours then leaves the group running). */
static int guard_start(pid_t pgid)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0)
		guard(p[0], pgid);
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return -1;
	}
	return p[1];
}

void command_unguard(struct command_hold *hold)
{
	if (hold->guard < 0)
		return;
	if (write(hold->guard, "d", 1) != 1) {
		/* it ends the group as if we had died: nothing is lost */
	}
	close(hold->guard);
	hold->guard = -1;
}

int command_start(pid_t *out, struct command_hold *hold, char *const argv[],
		  int *output, bool only_std)
{
	int err, hp[2] = { -1, -1 }, rp[2] = { -1, -1 }, op[2] = { -1, -1 };
	pid_t pid, tracer = getpid();
	char prog[PATH_MAX];
	bool said = false;

	hold->listener = -1;
	command_unguard(hold);	/* the tour's previous demo ended */

	err = find_program(argv[0], prog, sizeof(prog));
	if (err) {
		fprintf(stderr, "ipcscope: cannot run '%s': %s\n", argv[0],
			err == ENOENT ? "command not found" : strerror(err));
		return -err;
	}
	err = pipe_high(hp);
	if (!err)
		err = pipe_high(rp);
	if (!err && output && pipe2(op, O_CLOEXEC))
		err = -errno;
	if (err) {
		fprintf(stderr, "ipcscope: cannot start '%s': pipe: %s\n",
			argv[0], strerror(-err));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		fprintf(stderr, "ipcscope: cannot start '%s': fork: %s\n",
			argv[0], strerror(-err));
		goto fail;
	}
	if (pid == 0)
		held_child(prog, argv, tracer, hp, rp, output ? op : NULL,
			   only_std, hold->step);
	/* here too: whichever of the two runs first, the group exists
	 * before anyone signals it */
	setpgid(pid, pid);
	hold->child_fd = hp[0];
	close(hp[0]);
	close(rp[1]);
	if (output)
		close(op[1]);
	hp[0] = rp[1] = op[1] = -1;
	if (hold->step ? !step_child_ready(rp[0], pid, hold, &said) :
			 !child_ready(rp[0])) {
		if (!said)
			fprintf(stderr, "ipcscope: '%s' did not start: its "
				"process ended before its exec\n", argv[0]);
		waitpid(pid, NULL, 0);
		err = -ECHILD;
		goto fail;
	}
	close(rp[0]);
	hold->fd = hp[1];
	hold->guard = guard_start(pid);
	if (output) {
		fcntl(op[0], F_SETFL, O_NONBLOCK);
		*output = op[0];
	}
	*out = pid;
	return 0;
fail:
	close_pair(hp);
	close_pair(rp);
	close_pair(op);
	return err;
}

int command_release(struct command_hold *hold)
{
	int err = 0;

	if (hold->fd < 0)
		return 0;
	if (write(hold->fd, "g", 1) != 1)
		err = errno ? -errno : -EIO;
	close(hold->fd);
	hold->fd = -1;
	return err;
}

void command_abort(pid_t pid, struct command_hold *hold)
{
	if (hold->listener >= 0) {	/* held calls fail: ENOSYS */
		close(hold->listener);
		hold->listener = -1;
	}
	if (hold->fd >= 0) {	/* it exits, nothing run */
		close(hold->fd);
		hold->fd = -1;
	} else if (pid > 0) {
		command_signal(pid, SIGKILL);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

void command_signal(pid_t pid, int sig)
{
	if (pid <= 0)
		return;
	kill(-pid, sig);
	if (sig != SIGKILL && sig != SIGCONT)
		kill(-pid, SIGCONT);
}

bool command_group_alive(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool alive = false;

	if (!d)		/* cannot tell: say so the safe way, alive */
		return true;
	while (!alive && (de = readdir(d))) {
		char path[300], buf[512], *p, state;
		int pgrp, fd;
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) state ppid pgrp ...": comm may hold anything */
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %c %*d %d", &state, &pgrp) == 2)
			alive = pgrp == pgid && state != 'Z' && state != 'X';
	}
	closedir(d);
	return alive;
}

int command_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}
