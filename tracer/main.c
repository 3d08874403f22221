// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ipcscope's main: picks what to trace, loads the BPF side, takes the
 * start-up snapshot, then runs the one event loop (epoll over the ring
 * buffer, a signalfd, a timerfd and, for the live view, stdin) until the
 * traced command ends, the user quits or a signal asks us to.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "kernel_features.h"
#include "loader.h"
#include "model.h"
#include "names.h"
#include "options.h"
#include "report.h"
#include "top.h"
#include "ui.h"

#define TICK_NS (10 * 1000 * 1000)	/* ring buffer poll and housekeeping */
#define IDLE_TICK_NS (100 * 1000 * 1000)	/* ... when nothing happens */
#define IDLE_AFTER 50			/* ticks without a record */
#define EXITED_KEEP_NS (5ULL * 1000 * 1000 * 1000)
#define MAX_RESYNC_PER_TICK 64
#define WAIT_POLL_NS (500 * 1000 * 1000)	/* live view: who is blocked */
/* live view and --top: a pipe last seen holding data is re-read after a
 * second, in case a process we do not trace emptied it */
#define UNSURE_PIPE_NS (1000 * 1000 * 1000ULL)
#define MAX_UNSURE_PER_TICK 8
#define MAX_QUIET 32	/* pipes re-read per tick after their flows stop */

/* A pipe whose latest flow ended with calls the kernel did not sample the
 * fill after: unless a newer reading comes, it is re-read a tick later. */
struct quiet_pipe {
	uint64_t dev, ino, ts;
	uint32_t pid;
};

struct session {
	struct options opt;
	struct model model;
	struct loader *loader;
	struct ui *ui;
	struct json json;
	struct features features;	/* optional kernel features */
	const char *features_off[FEAT__COUNT];
	size_t nfeatures_off;
	char features_off_text[256];
	struct top *top;	/* --top */
	FILE *out;		/* JSON and snapshots: stdout or -o FILE */
	pid_t child;		/* the traced command, or 0 */
	int child_out;		/* live view: the command's output, or -1 */
	int tour;		/* --demo tour: index of the demo running, else -1 */
	int child_status;	/* exit status once it ended, else -1 */
	uint64_t lost_seen;
	uint64_t records;	/* ring-buffer records received */
	uint64_t flow_calls;	/* calls the kernel aggregated into flows */
	bool aggregate;		/* data comes as flows (live view, --top) */
	bool ended;		/* live view: what we traced is over */
	uint64_t next_top_ns, top_start_ns, top_events;
	uint64_t next_wait_ns;
	uint64_t next_unsure_ns;
	uint64_t seen;		/* records + flow calls at the last tick */
	unsigned quiet_ticks;
	struct quiet_pipe quiet[MAX_QUIET];
	size_t nquiet;
	uint64_t state_ts;	/* when on_fd_state's records were read */
	uint64_t resyncs;
	int64_t ts_offset;	/* CLOCK_MONOTONIC -> CLOCK_REALTIME */
	uint64_t start_ns;
	int epfd, sigfd, timerfd;
	bool done;
	bool output_broken;	/* stdout went away (EPIPE) */
	/* which processes the start-up snapshot keeps */
	uint32_t *keep;
	size_t nkeep;
};

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void on_note(void *ctx, const struct model_note *n)
{
	struct session *s = ctx;

	if (s->opt.mode == OUT_JSON)
		report_note_json(&s->json, n, s->ts_offset);
	else if (s->top)
		top_note(s->top, n);
	else if (s->ui)
		ui_note(s->ui, n);
}

/* Syscalls seen: ring records plus the calls the kernel summed in flows. */
static uint64_t calls_seen(const struct session *s)
{
	return s->records + s->flow_calls;
}

static int on_flow(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;
	const struct ipcs_flow *fl = rec;

	if (model_apply_flow(&s->model, rec, size))
		return 0;
	s->flow_calls += fl->calls;
	if ((fl->f.imode & S_IFMT) == S_IFIFO &&
	    fl->calls != 1 && fl->calls % IPCS_FLOW_FILL_EVERY != 0 &&
	    s->nquiet < MAX_QUIET)
		s->quiet[s->nquiet++] = (struct quiet_pipe){
			.dev = fl->f.dev, .ino = fl->f.ino, .ts = fl->last_ts,
			.pid = fl->h.pid,
		};
	return 0;
}

static int on_fd_state(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;
	const struct ipcs_snap_fd *r = rec;

	if (size == sizeof(*r) && r->kind == IPCS_SNAP_FD &&
	    (r->f.imode & S_IFMT) == S_IFIFO)
		model_object_state(&s->model, r, s->state_ts);
	return 0;
}

/* Pipes read by processes we do not trace: re-read through a traced
 * holder's fds (see model_unsure_pipes). */
static void reread_unsure_pipes(struct session *s, uint64_t now)
{
	uint32_t pids[MAX_UNSURE_PER_TICK];
	size_t n;

	if (now < s->next_unsure_ns)
		return;
	s->next_unsure_ns = now + UNSURE_PIPE_NS / 2;
	n = model_unsure_pipes(&s->model, now - UNSURE_PIPE_NS, now, pids,
			       MAX_UNSURE_PER_TICK);
	for (size_t i = 0; i < n; i++) {
		s->state_ts = now_ns(CLOCK_MONOTONIC);
		loader_files(s->loader, pids[i], on_fd_state, s);
	}
}

/* Pipes whose last flow ended unsampled and that no newer reading
 * reached: read through a holder's fds (the flows were drained a tick
 * late, so the pipe has been quiet since). */
static void reread_quiet_pipes(struct session *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct quiet_pipe *q = &s->quiet[i];
		const struct model_object *o =
			hmap_get(&s->model.objects, q->dev, q->ino);

		/* newer than the flow: a later one, or a re-read of another
		 * candidate's process that holds this pipe too */
		if (!o || o->state_ns > q->ts)
			continue;
		s->state_ts = now_ns(CLOCK_MONOTONIC);
		loader_files(s->loader, q->pid, on_fd_state, s);
	}
	memmove(s->quiet, s->quiet + n, (s->nquiet - n) * sizeof(s->quiet[0]));
	s->nquiet -= n;
}

static int on_task_wait(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;

	if (size == sizeof(struct ipcs_snap_task))
		model_set_wait(&s->model, rec);
	return 0;
}

static int on_event(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;

	s->records++;
	model_apply(&s->model, rec, size);
	return 0;
}

static int on_snap(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;

	model_apply_snap(&s->model, rec, size);
	return 0;
}

/* --- choosing processes ------------------------------------------------- */

struct task_list {
	struct ipcs_snap_task *v;
	size_t n, cap;
};

static int collect_task(void *ctx, const void *rec, size_t size)
{
	struct task_list *l = ctx;
	const struct ipcs_snap_task *t = rec;

	if (size != sizeof(*t) || t->kind != IPCS_SNAP_TASK)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *v = realloc(l->v, cap * sizeof(*l->v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *t;
	return 0;
}

static bool kept(const struct session *s, uint32_t pid)
{
	for (size_t i = 0; i < s->nkeep; i++)
		if (s->keep[i] == pid)
			return true;
	return false;
}

static int keep_pid(struct session *s, uint32_t pid)
{
	uint32_t *v;

	if (kept(s, pid))
		return 0;
	v = realloc(s->keep, (s->nkeep + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->keep = v;
	s->keep[s->nkeep++] = pid;
	return 0;
}

/* -p PIDs and their descendants, or processes named --comm, from the task
 * iterator's view of every process. */
static int choose_processes(struct session *s)
{
	struct task_list all = {};
	bool grew = true;
	int err;

	err = loader_snapshot(s->loader, 0, collect_task, &all);
	if (err) {
		fprintf(stderr, "ipcscope: reading the process list: %s\n",
			strerror(-err));
		free(all.v);
		return err;
	}
	for (int i = 0; i < s->opt.npids; i++) {
		bool found = false;

		for (size_t k = 0; k < all.n; k++)
			found |= all.v[k].pid == s->opt.pids[i];
		if (!found) {
			fprintf(stderr, "ipcscope: no process with pid %u\n",
				s->opt.pids[i]);
			free(all.v);
			return -ESRCH;
		}
		keep_pid(s, s->opt.pids[i]);
	}
	for (size_t k = 0; s->opt.comm && k < all.n; k++)
		if (!strncmp(all.v[k].comm, s->opt.comm, IPCS_COMM_LEN) &&
		    all.v[k].pid != (uint32_t)getpid())
			keep_pid(s, all.v[k].pid);
	while (grew) {
		grew = false;
		for (size_t k = 0; k < all.n; k++) {
			if (kept(s, all.v[k].ppid) && !kept(s, all.v[k].pid)) {
				keep_pid(s, all.v[k].pid);
				grew = true;
			}
		}
	}
	free(all.v);
	for (size_t i = 0; i < s->nkeep; i++)
		loader_trace_pid(s->loader, s->keep[i]);
	return 0;
}

static int on_snap_filtered(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;
	const struct ipcs_snap_task *t = rec;	/* pid sits at the same offset */

	if (size < sizeof(*t) || t->pid == (uint32_t)getpid())
		return 0;
	if (s->keep && !kept(s, t->pid))
		return 0;
	return on_snap(ctx, rec, size);
}

static int take_snapshot(struct session *s)
{
	int err = 0;

	if (s->child) {
		err = loader_snapshot(s->loader, s->child, on_snap, s);
	} else {
		if (s->opt.npids || s->opt.comm) {
			err = choose_processes(s);
			if (err)
				return err;
		}
		err = loader_snapshot(s->loader, 0, on_snap_filtered, s);
	}
	if (err)
		fprintf(stderr, "ipcscope: reading fd tables: %s\n",
			strerror(-err));
	return err;
}

/* Re-reads processes whose table the model is unsure of (after exec, or
 * after lost events). */
static void resync(struct session *s, bool everyone)
{
	uint32_t pids[MAX_RESYNC_PER_TICK];
	size_t n;

	if (everyone) {
		hmap_for_each(&s->model.procs, slot)
			((struct model_proc *)slot->val)->uncertain = true;
	}
	n = model_take_uncertain(&s->model, pids, MAX_RESYNC_PER_TICK);
	for (size_t i = 0; i < n; i++) {
		model_resync_begin(&s->model, pids[i]);
		if (!loader_snapshot(s->loader, pids[i], on_snap, s))
			model_resync_end(&s->model, pids[i]);
		s->resyncs++;
		loader_consume(s->loader);	/* keep up while re-reading */
	}
}

/* --- the loop ----------------------------------------------------------- */

static void finish(struct session *s)
{
	s->done = true;
}

static bool json_out(const struct session *s)
{
	return s->opt.mode == OUT_JSON || s->opt.mode == OUT_TOP_JSON;
}

static void check_output(struct session *s)
{
	if ((!json_out(s) && s->opt.mode != OUT_TOP) || s->output_broken)
		return;
	if (fflush(s->out) == EOF || ferror(s->out)) {
		s->output_broken = true;
		finish(s);
	}
}

static bool any_alive(const struct session *s)
{
	for (int i = 0; i < s->opt.npids; i++)
		if (!kill(s->opt.pids[i], 0) || errno != ESRCH)
			return true;
	return false;
}

/* --top: the table of the interval that ends now. */
static void top_print(struct session *s, uint64_t now)
{
	struct top_stats st = {
		.ts = now + s->ts_offset,
		.interval_ns = now - s->top_start_ns,
		.events = calls_seen(s) - s->top_events,
		.lost = loader_lost(s->loader),
	};

	if (s->opt.mode == OUT_TOP_JSON) {
		top_print_json(s->top, &s->model, &s->json, &st);
	} else {
		unsigned rows = 0;

		if (!s->opt.output && isatty(STDOUT_FILENO)) {
			struct winsize ws;

			/* like top: the table replaces the previous one */
			fputs("\033[H\033[2J", s->out);
			if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row > 4)
				rows = ws.ws_row - 4;
		}
		top_print_text(s->top, &s->model, s->out, &st, rows);
		if (!rows)
			fputc('\n', s->out);
	}
	s->top_start_ns = now;
	s->top_events = calls_seen(s);
	s->next_top_ns = now + s->opt.interval_ms * 1000000ULL;
}

/* The traced command, demo or processes are over. The live view stays so
 * the end can be seen (exited processes greyed); other outputs end. */
static void traced_ended(struct session *s, const char *what)
{
	if (!s->ui) {
		finish(s);
		return;
	}
	if (!s->ended) {
		s->ended = true;
		ui_message(s->ui, "%s; q quits", what);
	}
}

static void ui_refresh(struct session *s, uint64_t now)
{
	struct ui_stats st = { .events = calls_seen(s),
			       .lost = s->lost_seen };

	if (s->ui)
		ui_tick(s->ui, now, &st);
}

static int set_tick(struct session *s, uint64_t ns)
{
	struct itimerspec its = {
		.it_interval = { 0, ns }, .it_value = { 0, ns },
	};

	return timerfd_settime(s->timerfd, 0, &its, NULL);
}

/* An idle tracer wakes 10 times a second, not 100: the ring buffer's
 * wakeups and the first record after a quiet spell bring the pace back. */
static void pace_ticks(struct session *s)
{
	uint64_t seen = calls_seen(s);

	if (seen != s->seen) {
		if (s->quiet_ticks >= IDLE_AFTER)
			set_tick(s, TICK_NS);
		s->quiet_ticks = 0;
	} else if (++s->quiet_ticks == IDLE_AFTER) {
		set_tick(s, IDLE_TICK_NS);
	}
	s->seen = seen;
}

static void tick(struct session *s)
{
	uint64_t lost, now;

	loader_consume(s->loader);
	if (s->aggregate) {
		size_t quiet = s->nquiet;	/* from the previous tick */

		loader_drain_flows(s->loader, false, on_flow, s);
		reread_quiet_pipes(s, quiet);
	}
	lost = loader_lost(s->loader);
	resync(s, loader_resync_due(s->loader, lost, now_ns(CLOCK_MONOTONIC)));
	s->lost_seen = lost;
	now = now_ns(CLOCK_MONOTONIC);
	if (s->ui || s->top)
		reread_unsure_pipes(s, now);
	if (s->ui && now >= s->next_wait_ns) {
		loader_tasks(s->loader, on_task_wait, s);
		s->next_wait_ns = now + WAIT_POLL_NS;
	}
	model_sweep(&s->model, now);
	if (s->top && now >= s->next_top_ns)
		top_print(s, now);
	check_output(s);
	ui_refresh(s, now);
	if (!s->child && s->opt.npids && !any_alive(s))
		traced_ended(s, "the traced processes have exited");
	pace_ticks(s);
}

static int add_fd(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Live view: what the traced command printed, into the view. At its end
 * the pipe is read dry and closed (a tour opens one per demo). */
static void command_output(struct session *s)
{
	char buf[4096];
	struct stat st;
	ssize_t n;

	if (s->child_out < 0)
		return;
	while ((n = read(s->child_out, buf, sizeof(buf))) > 0)
		ui_output(s->ui, buf, n);
	if (n < 0 && errno == EAGAIN && !fstat(s->child_out, &st))
		/* read dry by us, whom no event shows: the view's gauge too */
		model_pipe_emptied(&s->model, names_kernel_dev(st.st_dev),
				   st.st_ino, now_ns(CLOCK_MONOTONIC));
	if (n == 0 || s->child_status >= 0) {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->child_out, NULL);
		close(s->child_out);
		s->child_out = -1;
	}
}

/* argv for --demo NAME: the demo program next to our own binary. */
static int demo_argv(const struct options *o, const char *name, char *path,
		     size_t len, char *pace, size_t pacelen, char **argv)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int k = 0;

	if (n <= 0)
		return -errno;
	self[n] = 0;
	snprintf(path, len, "%s/demos/%s", dirname(self), name);
	if (access(path, X_OK)) {
		fprintf(stderr,
			"ipcscope: demo '%s' is not built (%s is missing); run: make\n",
			name, path);
		return -ENOENT;
	}
	argv[k++] = path;
	if (o->pace_ms >= 0) {
		snprintf(pace, pacelen, "%d", o->pace_ms);
		argv[k++] = "--pace";
		argv[k++] = pace;
	}
	argv[k] = NULL;
	return 0;
}

/* --demo tour: says which demo runs now. */
static void tour_title(struct session *s)
{
	const char *name, *about;

	if (!options_demo(s->tour, &name, &about))
		return;
	if (s->ui)
		ui_message(s->ui, "demo %d: %s - %s", s->tour + 1, name, about);
	else if (s->opt.mode == OUT_JSON)
		report_title_json(&s->json, s->tour + 1, name, about,
				  now_ns(CLOCK_REALTIME));
}

/* --demo tour: the next demo, held, traced, announced, released. Returns
 * 0 when one started, 1 when the tour is over. */
static int tour_next(struct session *s)
{
	char path[PATH_MAX], pace[16], *argv[4];
	const char *name, *about;

	if (!options_demo(++s->tour, &name, &about))
		return 1;
	if (demo_argv(&s->opt, name, path, sizeof(path), pace, sizeof(pace),
		      argv) ||
	    command_start(&s->child, argv, s->ui ? &s->child_out : NULL, true))
		return 1;
	if (s->ui)
		add_fd(s->epfd, s->child_out);
	loader_trace_pid(s->loader, s->child);
	loader_snapshot(s->loader, s->child, on_snap, s);
	tour_title(s);
	s->child_status = -1;
	return command_release(s->child) ? 1 : 0;
}

static void on_signal(struct session *s)
{
	struct signalfd_siginfo si;
	int wstatus;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			if (s->child && s->child_status < 0 &&
			    waitpid(s->child, &wstatus, WNOHANG) == s->child) {
				char what[64];

				s->child_status = command_status(wstatus);
				command_output(s);
				if (s->tour >= 0 && !s->child_status &&
				    !tour_next(s))
					break;
				snprintf(what, sizeof(what), "%s ended (exit %d)",
					 s->opt.demo ? "the demo" : "the command",
					 s->child_status);
				traced_ended(s, what);
			}
			break;
		case SIGWINCH:
			if (s->ui)
				ui_resize(s->ui);
			break;
		default:	/* SIGINT, SIGTERM, SIGHUP */
			finish(s);
			break;
		}
	}
}

static int loop_setup(struct session *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->sigfd < 0 || s->timerfd < 0 || s->epfd < 0 ||
	    set_tick(s, TICK_NS) ||
	    add_fd(s->epfd, s->sigfd) || add_fd(s->epfd, s->timerfd) ||
	    add_fd(s->epfd, loader_ring_fd(s->loader)) ||
	    (s->ui && add_fd(s->epfd, STDIN_FILENO))) {
		fprintf(stderr, "ipcscope: setting up the event loop: %s\n",
			strerror(errno));
		return -errno;
	}
	return 0;
}

static void loop_run(struct session *s)
{
	struct epoll_event evs[8];
	uint64_t expirations;

	while (!s->done) {
		int n = epoll_wait(s->epfd, evs, 8, -1);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n && !s->done; i++) {
			int fd = evs[i].data.fd;

			if (fd == s->sigfd) {
				on_signal(s);
			} else if (fd == s->timerfd) {
				if (read(fd, &expirations, sizeof(expirations)) > 0)
					tick(s);
			} else if (fd == STDIN_FILENO && s->ui) {
				if (ui_input(s->ui) & UI_QUIT)
					finish(s);
				else	/* at once, not at the next tick */
					ui_refresh(s, now_ns(CLOCK_MONOTONIC));
			} else if (fd == s->child_out) {
				command_output(s);
			} else {
				loader_consume(s->loader);
				pace_ticks(s);
			}
		}
	}
	/* what the kernel queued before the end is still ours to report */
	loader_consume(s->loader);
	if (s->aggregate) {
		loader_drain_flows(s->loader, true, on_flow, s);
		reread_quiet_pipes(s, s->nquiet);
	}
	if (s->top && !s->output_broken)
		top_print(s, now_ns(CLOCK_MONOTONIC));
	check_output(s);
}

/* --- start-up ------------------------------------------------------------- */

static void emergency(int sig)
{
	ui_emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* -o FILE: what it writes may be private (--payload captures other
 * programs' bytes), so a new file is 0600 and a symbolic link is never
 * followed: an attacker's link would have us truncate its target. "-",
 * /dev/stdout and /dev/stderr are the streams themselves. */
static FILE *output_open(const char *path)
{
	int fd;
	FILE *f;

	if (!strcmp(path, "-") || !strcmp(path, "/dev/stdout"))
		return stdout;
	if (!strcmp(path, "/dev/stderr"))
		return fdopen(dup(STDERR_FILENO), "w");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		if (errno == ELOOP)
			fprintf(stderr, "ipcscope: %s is a symbolic link; ipcscope "
				"does not write through one: give the file's own "
				"path\n", path);
		else
			fprintf(stderr, "ipcscope: cannot write %s: %s\n", path,
				strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		fprintf(stderr, "ipcscope: cannot write %s: %s\n", path,
			strerror(errno));
		close(fd);
	}
	return f;
}

static int run(struct session *s)
{
	struct loader_options lo = {
		.trace_all = !s->opt.command && !s->opt.demo && !s->opt.npids &&
			     !s->opt.comm,
		.comm = s->opt.comm,
		.payload = s->opt.payload,
		.ring_bytes = s->opt.ring_bytes,
		.verbose = s->opt.verbose,
		.aggregate = s->opt.mode == OUT_LIVE || s->opt.mode == OUT_TOP ||
			     s->opt.mode == OUT_TOP_JSON,
		.features = &s->features,
	};
	struct report_features feat;
	bool snapshot = s->opt.mode == OUT_SNAPSHOT ||
			s->opt.mode == OUT_SNAPSHOT_JSON;
	char demo_path[PATH_MAX], pace[16], *demo_args[4];
	char *const *argv = s->opt.command;
	int err;

	if (s->opt.mode == OUT_LIVE && !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ipcscope: the live view needs a terminal on "
				"stdout; for a pipe or a file use --json or --snapshot\n");
		return 2;
	}
	if (s->opt.demo) {
		const char *name = s->opt.demo, *about = NULL;

		if (!strcmp(name, "tour")) {	/* the first now, then tour_next() */
			s->tour = 0;
			options_demo(0, &name, &about);
		}
		if (demo_argv(&s->opt, name, demo_path, sizeof(demo_path), pace,
			      sizeof(pace), demo_args))
			return 1;
		argv = demo_args;
	}
	/* the command is forked before anything else is set up, so it
	 * inherits none of our fds and none of our blocked signals */
	if (argv) {
		err = command_start(&s->child, argv,
				    s->opt.mode == OUT_LIVE ? &s->child_out : NULL,
				    false);
		if (err)
			return err == -ENOENT || err == -EACCES ? 127 : 1;
	}
	/* after the fork: an ignored signal would stay ignored across exec,
	 * and the command should not hold our output file */
	signal(SIGPIPE, SIG_IGN);
	s->out = stdout;
	if (s->opt.output && !(s->out = output_open(s->opt.output)))
		goto fail;
	if (loader_open(&s->loader, &lo, on_event, s))
		goto fail;
	s->nfeatures_off = features_off(&s->features, s->features_off,
					FEAT__COUNT);
	features_off_text(&s->features, s->features_off_text,
			  sizeof(s->features_off_text));
	feat = (struct report_features){ s->features_off, s->nfeatures_off };
	s->ts_offset = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	s->start_ns = now_ns(CLOCK_MONOTONIC);
	if (s->child && loader_trace_pid(s->loader, s->child)) {
		fprintf(stderr, "ipcscope: cannot trace pid %d\n", s->child);
		goto fail;
	}
	if (take_snapshot(s))
		goto fail;
	if (snapshot) {
		names_add_sysv(&s->model);
		if (s->opt.mode == OUT_SNAPSHOT_JSON)
			report_snapshot_json(s->out, &s->model, &feat);
		else
			report_snapshot_text(s->out, &s->model, &feat);
		loader_close(s->loader);
		return fflush(s->out) ? 1 : 0;
	}
	if (s->opt.mode == OUT_LIVE) {
		struct ui_options uo = {
			.ascii = s->opt.ascii,
			.no_color = s->opt.no_color || getenv("NO_COLOR"),
			.target = s->opt.demo ? s->opt.demo : argv ? argv[0] : NULL,
			.features_off = s->features_off_text,
		};

		s->model.exited_keep_ns = EXITED_KEEP_NS;
		err = ui_open(&s->ui, &s->model, &uo);
		if (err) {
			fprintf(stderr, "ipcscope: cannot start the live view: %s\n",
				strerror(-err));
			goto fail;
		}
		signal(SIGSEGV, emergency);
		signal(SIGABRT, emergency);
		signal(SIGBUS, emergency);
		signal(SIGFPE, emergency);
	} else {
		static char outbuf[1 << 20];

		setvbuf(s->out, outbuf, _IOFBF, sizeof(outbuf));
		json_init(&s->json, s->out);
	}
	s->aggregate = lo.aggregate;
	if (s->opt.mode == OUT_TOP || s->opt.mode == OUT_TOP_JSON) {
		s->top = top_new();
		if (!s->top) {
			fprintf(stderr, "ipcscope: out of memory\n");
			goto fail;
		}
		s->top_start_ns = now_ns(CLOCK_MONOTONIC);
		s->next_top_ns = s->top_start_ns + s->opt.interval_ms * 1000000ULL;
	}
	if (loop_setup(s) || (s->child_out >= 0 && add_fd(s->epfd, s->child_out)))
		goto fail;
	if (s->tour == 0)
		tour_title(s);
	if (s->child && command_release(s->child)) {
		fprintf(stderr, "ipcscope: cannot start pid %d\n", s->child);
		goto fail;
	}
	loop_run(s);

	if (s->ui) {
		ui_close(s->ui);
		s->ui = NULL;
	}
	if (json_out(s) && !s->output_broken) {
		struct report_summary sum = {
			.events = calls_seen(s),
			.lost = loader_lost(s->loader),
			.bad_records = s->model.bad_records,
			.resyncs = s->resyncs,
			.duration_ns = now_ns(CLOCK_MONOTONIC) - s->start_ns,
			.exit_status = s->child ? s->child_status : -1,
			.ia32 = loader_ia32(s->loader),
			.features_off = s->features_off,
			.nfeatures_off = s->nfeatures_off,
		};

		report_summary_json(&s->json, &sum);
		fflush(s->out);
		if (s->opt.output)	/* the JSON went to a file: say how it went */
			fprintf(stderr,
				"ipcscope: %llu events (%.0f/s), %llu lost, %llu resyncs\n",
				(unsigned long long)sum.events,
				sum.duration_ns ? sum.events * 1e9 / sum.duration_ns : 0.0,
				(unsigned long long)sum.lost,
				(unsigned long long)sum.resyncs);
	}
	if (loader_ia32(s->loader))
		fprintf(stderr, "ipcscope: %llu syscalls of traced 32-bit "
			"processes were not decoded (ia32 syscalls are not "
			"traced; their fd tables are as read at exec)\n",
			(unsigned long long)loader_ia32(s->loader));
	loader_close(s->loader);
	return s->child && s->child_status >= 0 ? s->child_status : 0;
fail:
	ui_close(s->ui);
	s->ui = NULL;
	if (s->child && s->child_status < 0)
		command_abort(s->child);
	loader_close(s->loader);
	return 1;
}

int main(int argc, char **argv)
{
	struct session s = { .child_status = -1, .epfd = -1, .sigfd = -1,
			     .timerfd = -1, .tour = -1, .child_out = -1 };
	int rc = options_parse(&s.opt, argc, argv);

	if (rc)
		return rc == 1 ? 0 : rc;
	if (features_init(&s.features, getenv("IPCSCOPE_REFUSE")))
		return 2;
	model_init(&s.model);
	s.model.resolve = names_resolve_fd;
	s.model.note = on_note;
	s.model.note_ctx = &s;
	rc = run(&s);
	if (s.out && s.out != stdout && fclose(s.out) && !rc) {
		fprintf(stderr, "ipcscope: writing %s: %s\n", s.opt.output,
			strerror(errno));
		rc = 1;
	}
	model_free(&s.model);
	top_free(s.top);
	free(s.keep);
	return rc;
}
