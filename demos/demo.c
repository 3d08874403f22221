/*
 * demo.c - helpers shared by the ipcscope demos (see demo.h).
 *
 * The cleanup list is a fixed table, not a malloc'ed list, because the
 * signal handler walks it; the program changes it only with the cleanup
 * signals blocked, so the handler never sees it half-written.
 */
#include "demo.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACKED_MAX 16
#define TRACKED_TEXT 128

enum tracked_kind {
	TRACK_NONE,
	TRACK_PATH,
	TRACK_MSG,
	TRACK_SHM,
	TRACK_SEM,
	TRACK_CHILD,
};

struct tracked {
	enum tracked_kind kind;
	long id;                  /* SysV id, or the child's pid */
	char text[TRACKED_TEXT];  /* the path, or the child's role */
};

static const struct demo_entry {
	const char *name;
	const char *about;
} demo_catalog[] = {
#define DEMO(name, about) { name, about },
#include "demos.def"
#undef DEMO
};

static struct tracked tracked[TRACKED_MAX];
static int tracked_count;

static const char *prog = "demo";
static char role[32];
static char signal_prefix[96];
static size_t signal_prefix_len;
static unsigned pace_ms = DEMO_PACE_DEFAULT_MS;
static const char *started_as;
static char **args;
static int args_count;

/*
 * Signals that end a demo early but leave time to clean up: Ctrl-C, kill,
 * a closed terminal, and a closed stdout pipe ("demo | head").
 */
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

#define CLEANUP_SIGNALS (sizeof(cleanup_signals) / sizeof(cleanup_signals[0]))

static void cleanup_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < CLEANUP_SIGNALS; i++)
		sigaddset(set, cleanup_signals[i]);
}

static void signals_block(sigset_t *old)
{
	sigset_t set;

	cleanup_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void signals_restore(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

/*
 * Undoes everything still tracked, newest first. Called from the signal
 * handler too, so it uses only calls that are safe there: unlink, rmdir,
 * kill, waitpid, and the SysV *ctl calls, which are plain system calls.
 * Children own nothing of their own, so SIGKILL is safe and cannot be
 * ignored or caught.
 */
static void cleanup_run(void)
{
	while (tracked_count > 0) {
		struct tracked *t = &tracked[--tracked_count];

		switch (t->kind) {
		case TRACK_PATH:
			if (unlink(t->text) == -1 &&
			    (errno == EISDIR || errno == EPERM))
				rmdir(t->text);
			break;
		case TRACK_MSG:
			msgctl((int)t->id, IPC_RMID, NULL);
			break;
		case TRACK_SHM:
			shmctl((int)t->id, IPC_RMID, NULL);
			break;
		case TRACK_SEM:
			semctl((int)t->id, 0, IPC_RMID);
			break;
		case TRACK_CHILD:
			kill((pid_t)t->id, SIGKILL);
			while (waitpid((pid_t)t->id, NULL, 0) == -1 &&
			       errno == EINTR)
				;
			break;
		case TRACK_NONE:
			break;
		}
		t->kind = TRACK_NONE;
	}
}

static void cleanup_at_exit(void)
{
	sigset_t old;

	/* Leave them blocked: a Ctrl-C now must not run the cleanup twice. */
	signals_block(&old);
	cleanup_run();
}

static const char *signal_reason(int sig)
{
	switch (sig) {
	case SIGINT:
		return "interrupted (SIGINT)";
	case SIGTERM:
		return "terminated (SIGTERM)";
	case SIGHUP:
		return "hung up (SIGHUP)";
	case SIGPIPE:
		return "wrote into a closed pipe (SIGPIPE)";
	}
	return "stopped by a signal";
}

static void on_signal(int sig)
{
	const char *what = signal_reason(sig);
	const char *tail = ", cleaning up\n";
	ssize_t ignored;

	/* No stdio in a handler: write() the prepared pieces. */
	ignored = write(STDERR_FILENO, signal_prefix, signal_prefix_len);
	ignored = write(STDERR_FILENO, what, strlen(what));
	ignored = write(STDERR_FILENO, tail, strlen(tail));
	(void)ignored;
	cleanup_run();
	_exit(128 + sig);
}

static void track(enum tracked_kind kind, long id, const char *text)
{
	sigset_t old;

	if (strlen(text) >= TRACKED_TEXT)
		demo_fail("cannot track '%s': name too long", text);
	signals_block(&old);
	if (tracked_count == TRACKED_MAX) {
		signals_restore(&old);
		demo_fail("cannot track '%s': cleanup list full", text);
	}
	tracked[tracked_count].kind = kind;
	tracked[tracked_count].id = id;
	strcpy(tracked[tracked_count].text, text);
	tracked_count++;
	signals_restore(&old);
}

static void untrack(enum tracked_kind kind, long id, const char *text)
{
	sigset_t old;

	signals_block(&old);
	for (int i = tracked_count - 1; i >= 0; i--) {
		struct tracked *t = &tracked[i];

		if (t->kind == kind && t->id == id &&
		    (!text || strcmp(t->text, text) == 0)) {
			t->kind = TRACK_NONE;
			break;
		}
	}
	/* Forgotten entries on top can go; ones below wait for their turn. */
	while (tracked_count > 0 &&
	       tracked[tracked_count - 1].kind == TRACK_NONE)
		tracked_count--;
	signals_restore(&old);
}

void demo_track_path(const char *path)
{
	track(TRACK_PATH, 0, path);
}

void demo_untrack_path(const char *path)
{
	untrack(TRACK_PATH, 0, path);
}

static enum tracked_kind ipc_kind(enum demo_ipc kind)
{
	switch (kind) {
	case DEMO_MSG:
		return TRACK_MSG;
	case DEMO_SHM:
		return TRACK_SHM;
	case DEMO_SEM:
		return TRACK_SEM;
	}
	return TRACK_NONE;
}

void demo_track_ipc(enum demo_ipc kind, int id)
{
	track(ipc_kind(kind), id, "");
}

void demo_untrack_ipc(enum demo_ipc kind, int id)
{
	untrack(ipc_kind(kind), id, NULL);
}

void demo_set_role(const char *name)
{
	snprintf(role, sizeof(role), "%s", name);
	/* Prepared now, since the handler cannot call snprintf. */
	snprintf(signal_prefix, sizeof(signal_prefix), "%s: %s[%d] ", prog,
		 role, (int)getpid());
	signal_prefix_len = strlen(signal_prefix);
}

static void sleep_ms(unsigned ms)
{
	struct timespec left = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	/* A handled signal (SIGUSR1 in signals.c) cuts it short: sleep on. */
	while (ms > 0 && nanosleep(&left, &left) == -1 && errno == EINTR)
		;
}

static void pace_sleep(void)
{
	sleep_ms(pace_ms);
}

void demo_pause(unsigned steps)
{
	sleep_ms(pace_ms * steps);
}

unsigned demo_pace_ms(void)
{
	return pace_ms;
}

static void narrate(const char *fmt, va_list ap)
{
	char line[512];
	int len;

	len = snprintf(line, sizeof(line), "%s[%d]: ", role, (int)getpid());
	vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	/* One fputs of a whole line: lines from parent and child never mix. */
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

void demo_step(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	narrate(fmt, ap);
	va_end(ap);
	pace_sleep();
}

void demo_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	narrate(fmt, ap);
	va_end(ap);
}

static void report(int err, const char *fmt, va_list ap)
{
	char line[512];
	int len;

	len = snprintf(line, sizeof(line), "%s: ", prog);
	len += vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	if (err && len >= 0 && (size_t)len < sizeof(line))
		snprintf(line + len, sizeof(line) - (size_t)len, ": %s",
			 strerror(err));
	fflush(stdout);
	fprintf(stderr, "%s\n", line);
}

void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	report(err, fmt, ap);
	va_end(ap);
	exit(1);
}

void demo_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(0, fmt, ap);
	va_end(ap);
	exit(1);
}

static void usage_line(FILE *to)
{
	fprintf(to, "usage: %s [--pace MS] [--help]\n", prog);
}

static void usage(FILE *to)
{
	const char *about = "";

	for (size_t i = 0; i < sizeof(demo_catalog) / sizeof(demo_catalog[0]);
	     i++)
		if (strcmp(demo_catalog[i].name, prog) == 0)
			about = demo_catalog[i].about;
	usage_line(to);
	fprintf(to,
		"%s\n"
		"  --pace MS  pause MS milliseconds after each step "
		"(default %d, 0 = none)\n"
		"  --help     show this help and exit\n",
		about, DEMO_PACE_DEFAULT_MS);
}

static _Noreturn void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s '%s'\n", prog, what, arg);
	usage_line(stderr);
	exit(2);
}

static bool role_allowed(const char *name, const char *const *roles)
{
	for (; roles && *roles; roles++)
		if (strcmp(*roles, name) == 0)
			return true;
	return false;
}

void demo_init(int argc, char **argv, const char *name,
	       const char *const *roles)
{
	static const struct option options[] = {
		{ "pace", required_argument, NULL, 'p' },
		{ "role", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa;
	char short_opt[3] = "-?";
	int c;

	prog = name;
	demo_set_role(name);
	/* stdout is often a pipe (tests, the tracer): keep it line by line. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		char *end;
		unsigned long ms;

		switch (c) {
		case 'p':
			errno = 0;
			ms = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end ||
			    optarg[0] == '-' || ms > 3600 * 1000)
				usage_error("bad --pace value", optarg);
			pace_ms = (unsigned)ms;
			break;
		case 'r':
			started_as = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("missing value for", argv[optind - 1]);
		default:
			short_opt[1] = (char)optopt;
			usage_error("unknown option",
				    optopt ? short_opt : argv[optind - 1]);
		}
	}
	if (started_as) {
		if (!role_allowed(started_as, roles))
			usage_error("unknown role", started_as);
		demo_set_role(started_as);
	} else if (optind < argc) {
		usage_error("unexpected argument", argv[optind]);
	}
	args = argv + optind;
	args_count = argc - optind;

	if (atexit(cleanup_at_exit) != 0)
		demo_fail("atexit failed");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	cleanup_set(&sa.sa_mask);
	/*
	 * Installed even if SIGINT was ignored, as it is for "demo &" in a
	 * script: the tests interrupt demos exactly that way.
	 */
	for (size_t i = 0; i < CLEANUP_SIGNALS; i++)
		if (sigaction(cleanup_signals[i], &sa, NULL) == -1)
			die("sigaction %d", cleanup_signals[i]);
}

bool demo_started_as(const char *name)
{
	return started_as && strcmp(started_as, name) == 0;
}

const char *demo_arg(int i)
{
	if (i < 0 || i >= args_count)
		demo_fail("role %s needs argument %d", role, i + 1);
	return args[i];
}

void demo_temp_dir(char *dir, size_t size)
{
	sigset_t old;

	if ((size_t)snprintf(dir, size, "/tmp/ipcscope-%s.XXXXXX", prog) >=
	    size)
		demo_fail("temporary directory name too long");
	/* Blocked so that no Ctrl-C falls between creating and tracking. */
	signals_block(&old);
	if (!mkdtemp(dir))
		die("mkdtemp %s", dir);
	demo_track_path(dir);
	signals_restore(&old);
}

int demo_temp_file(char *path, size_t size)
{
	sigset_t old;
	int fd;

	if ((size_t)snprintf(path, size, "/tmp/ipcscope-%s.XXXXXX", prog) >=
	    size)
		demo_fail("temporary file name too long");
	signals_block(&old);
	fd = mkstemp(path);
	if (fd == -1)
		die("mkstemp %s", path);
	demo_track_path(path);
	signals_restore(&old);
	return fd;
}

void demo_remove_temp_file(int fd, const char *path)
{
	if (close(fd) == -1)
		die("close fd %d", fd);
	if (unlink(path) == -1)
		die("unlink %s", path);
	demo_untrack_path(path);
	demo_step("closed fd %d and removed %s", fd, path);
}

pid_t demo_fork(const char *child_role)
{
	sigset_t old;
	pid_t pid;

	/* Unflushed output would otherwise be printed twice. */
	fflush(NULL);
	signals_block(&old);
	pid = fork();
	if (pid == -1)
		die("fork");
	if (pid == 0) {
		tracked_count = 0;
		demo_set_role(child_role);
	} else {
		track(TRACK_CHILD, pid, child_role);
	}
	signals_restore(&old);
	if (pid == 0)
		sleep_ms(pace_ms / 2);
	return pid;
}

pid_t demo_spawn(const char *role_name, const char *arg)
{
	char self[PATH_MAX];
	char pace[16];
	char *argv[7];
	int argc = 0;
	ssize_t len;
	pid_t pid;

	/*
	 * Exec the real path rather than /proc/self/exe itself: the kernel
	 * names the new process (comm) after the file it was given, and
	 * "exe" would tell a person watching the tracer nothing.
	 */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len == -1)
		die("readlink /proc/self/exe");
	self[len] = '\0';
	snprintf(pace, sizeof(pace), "%u", pace_ms);

	argv[argc++] = (char *)prog;
	argv[argc++] = "--role";
	argv[argc++] = (char *)role_name;
	argv[argc++] = "--pace";
	argv[argc++] = pace;
	if (arg)
		argv[argc++] = (char *)arg;
	argv[argc] = NULL;

	pid = demo_fork(role_name);
	if (pid == 0) {
		execv(self, argv);
		die("execv %s", self);
	}
	return pid;
}

int demo_wait(pid_t pid)
{
	siginfo_t info;
	sigset_t old;
	int status;

	/*
	 * Wait without reaping first: once reaped, the pid is free for reuse,
	 * so it has to leave the cleanup list at the same moment.
	 */
	while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == -1)
		if (errno != EINTR)
			die("waitid %d", (int)pid);
	signals_block(&old);
	if (waitpid(pid, &status, 0) == -1)
		die("waitpid %d", (int)pid);
	untrack(TRACK_CHILD, pid, NULL);
	signals_restore(&old);
	return status;
}

void demo_wait_ok(pid_t pid)
{
	char who[TRACKED_TEXT] = "child";
	int status;

	for (int i = 0; i < tracked_count; i++)
		if (tracked[i].kind == TRACK_CHILD && tracked[i].id == pid)
			snprintf(who, sizeof(who), "%s", tracked[i].text);
	status = demo_wait(pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		demo_say("reaped %s %d: exited with status 0", who, (int)pid);
		return;
	}
	if (WIFEXITED(status))
		demo_fail("%s %d exited with status %d", who, (int)pid,
			  WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		demo_fail("%s %d was killed by signal %d (%s)", who, (int)pid,
			  WTERMSIG(status), strsignal(WTERMSIG(status)));
	demo_fail("%s %d ended with wait status %#x", who, (int)pid, status);
}

size_t demo_read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < size) {
		n = read(fd, buf + got, size - 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("read fd %d", fd);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

void demo_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("write fd %d", fd);
		p += n;
		len -= (size_t)n;
	}
}

static const char request[] = "GET /time";
static const char response[] = "it is demo time";

void demo_request(int fd)
{
	char buf[64];

	demo_write_all(fd, request, strlen(request));
	demo_step("sent the request \"%s\" on fd %d", request, fd);
	if (shutdown(fd, SHUT_WR) == -1)
		die("shutdown fd %d", fd);
	demo_step("shutdown(fd %d, SHUT_WR): the request is complete", fd);

	demo_say("reading the response from fd %d until EOF", fd);
	demo_read_all(fd, buf, sizeof(buf));
	demo_step("got the response \"%s\"", buf);
	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_say("closed fd %d", fd);
	if (strcmp(buf, response) != 0)
		demo_fail("client expected \"%s\"", response);
}

void demo_serve(int listen_fd, pid_t client)
{
	char buf[64];
	int fd;

	demo_say("accept(fd %d): waits for a connection", listen_fd);
	fd = accept(listen_fd, NULL, NULL);
	if (fd == -1)
		die("accept");
	demo_step("accepted: the connection is my new fd %d", fd);
	demo_pause(1);

	demo_say("reading the request from fd %d until EOF", fd);
	demo_read_all(fd, buf, sizeof(buf));
	demo_step("got the request \"%s\"", buf);
	if (strcmp(buf, request) != 0)
		demo_fail("server expected \"%s\"", request);

	demo_write_all(fd, response, strlen(response));
	demo_step("sent the response \"%s\" on fd %d", response, fd);
	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_step("closed fd %d: the client reads EOF after the response", fd);

	demo_say("waiting for client %d with waitpid()", (int)client);
	demo_wait_ok(client);
}
