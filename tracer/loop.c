// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The event loop: epoll over the ring buffer, a signalfd, a timerfd, the
 * traced command's output, stdin and (--step) the seccomp listener; ticks that drain the kernel's flows,
 * re-read quiet and unsure pipes, resync uncertain processes (saying
 * where events were lost) and pace themselves; the end of the traced
 * command or -p processes; and at the end of the run, the end of a
 * command still running. Every output goes through the session's sink.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "loop.h"
#include "names.h"
#include "record.h"
#include "recording.h"
#include "step.h"
#include "targets.h"
#include "tour.h"

#define TICK_NS (10 * 1000 * 1000)	/* ring buffer poll and housekeeping */
#define IDLE_TICK_NS (100 * 1000 * 1000)	/* ... when nothing happens */
#define IDLE_AFTER 50			/* ticks without a record */
#define MAX_RESYNC_PER_TICK 64
#define WAIT_POLL_NS (500 * 1000 * 1000)	/* live view: who is blocked */
/* live view and --top: a pipe last seen holding data is re-read after a
 * second, in case a process we do not trace emptied it */
#define UNSURE_PIPE_NS (1000 * 1000 * 1000ULL)
#define MAX_UNSURE_PER_TICK 8
/* A command still running at the end gets SIGTERM, and SIGKILL after
 * this long (the loop goes on meanwhile: its last events are told) */
#define END_GRACE_NS (2000ULL * 1000 * 1000)
#define GROUP_CHECK_NS (50ULL * 1000 * 1000)

/* Handled through the signalfd; blocked from the start (main), so that
 * none of them can end us before the loop says what became of the
 * command. */
static const int loop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD,
				    SIGWINCH };

void loop_note(void *ctx, const struct model_note *n)
{
	struct session *s = ctx;

	sink_note(&s->sink, n);
}

static int on_flow(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;
	const struct ipcs_flow *fl = rec;

	recording_put(s->rec, RECORDING_FLOW, rec, size, NULL, 0);
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

	if (record_snap_ok(rec, size, IPCS_SNAP_FD) &&
	    (r->f.imode & S_IFMT) == S_IFIFO) {
		recording_put(s->rec, RECORDING_FD_STATE, &s->state_ts,
			      sizeof(s->state_ts), rec, size);
		model_object_state(&s->model, r, s->state_ts);
	}
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

	if (record_snap_ok(rec, size, IPCS_SNAP_TASK)) {
		recording_put(s->rec, RECORDING_TASK_WAIT, rec, size, NULL, 0);
		model_set_wait(&s->model, rec);
	}
	return 0;
}

int loop_on_event(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;

	s->records++;
	recording_put(s->rec, RECORDING_EVENT, rec, size, NULL, 0);
	model_apply(&s->model, rec, size);
	return 0;
}

/* After lost events: every process is to be re-read. Returns how many. */
static size_t everyone_uncertain(struct session *s)
{
	size_t n = 0;

	hmap_for_each(&s->model.procs, slot) {
		struct model_proc *p = slot->val;

		p->uncertain = true;
		n += !p->exited;
	}
	return n;
}

/* Re-reads processes whose table the model is unsure of (after exec, or
 * after lost events). */
static void resync(struct session *s)
{
	uint32_t pids[MAX_RESYNC_PER_TICK];
	size_t n;

	n = model_take_uncertain(&s->model, pids, MAX_RESYNC_PER_TICK);
	for (size_t i = 0; i < n; i++) {
		recording_put(s->rec, RECORDING_RESYNC_BEGIN, &pids[i],
			      sizeof(pids[i]), NULL, 0);
		model_resync_begin(&s->model, pids[i]);
		if (!loader_snapshot(s->loader, pids[i], targets_on_snap, s)) {
			recording_put(s->rec, RECORDING_RESYNC_END, &pids[i],
				      sizeof(pids[i]), NULL, 0);
			model_resync_end(&s->model, pids[i]);
		}
		s->resyncs++;
		loader_consume(s->loader);	/* keep up while re-reading */
	}
}

/* The loop ends, for the first reason given. */
static void finish(struct session *s, enum run_end why)
{
	if (!s->done)
		s->end = why;
	s->done = true;
}

/* The traced command, demo or processes are over. A sink that stays
 * shows the end (exited processes greyed); with the others the run ends. */
static void traced_ended(struct session *s, const char *what)
{
	if (!s->sink.ops || !s->sink.ops->ended) {
		finish(s, END_TRACED);
		return;
	}
	if (!s->ended) {
		s->ended = true;
		s->sink.ops->ended(s->sink.ctx, what);
	}
}

/* The sink's tick, with what the loop has counted. */
static void sink_refresh(struct session *s, uint64_t now)
{
	struct sink_stats st = { .events = calls_seen(s),
				 .lost = s->lost_seen };

	/* a stream sink is done when its output went away */
	if (sink_tick(&s->sink, now, &st) & SINK_DONE)
		finish(s, END_ERROR);
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

/* Events lost since the last look, told where the stream is now. */
static void check_lost(struct session *s, uint64_t now)
{
	uint64_t lost = loader_lost(s->loader);
	struct sink_loss l = {
		.ts = now, .count = lost - s->lost_seen, .total = lost,
		.resync = s->full_resyncs + 1,	/* the one that follows */
	};

	if (lost > s->lost_seen)
		sink_lost(&s->sink, &l);
	s->lost_seen = lost;
}

/* Once the losses stop, every process is to be re-read: the resync the
 * lost lines announced. */
static void check_resync(struct session *s, uint64_t now)
{
	struct sink_loss l = { .ts = now, .total = s->lost_seen };

	if (!loader_resync_due(s->loader, s->lost_seen, now))
		return;
	l.resync = ++s->full_resyncs;
	l.processes = everyone_uncertain(s);
	sink_resync(&s->sink, &l);
}

static void tick(struct session *s)
{
	uint64_t now;

	loader_consume(s->loader);
	if (s->aggregate) {
		size_t quiet = s->nquiet;	/* from the previous tick */

		loader_drain_flows(s->loader, false, on_flow, s);
		reread_quiet_pipes(s, quiet);
	}
	now = now_ns(CLOCK_MONOTONIC);
	check_lost(s, now);
	check_resync(s, now);
	resync(s);
	now = now_ns(CLOCK_MONOTONIC);
	if (s->unsure_pipes)
		reread_unsure_pipes(s, now);
	if (s->wait_poll && now >= s->next_wait_ns) {
		loader_tasks(s->loader, on_task_wait, s);
		s->next_wait_ns = now + WAIT_POLL_NS;
	}
	model_sweep(&s->model, now);
	sink_refresh(s, now);
	/* the pidfds wake the loop; this is for where /proc watches */
	if (!s->child && s->opt.npids && targets_gone(s))
		traced_ended(s, "the traced processes have exited");
	pace_ticks(s);
}

int loop_add_fd(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* What the traced command printed, to the sink. At its end the pipe is
 * read dry and closed (a tour opens one per demo). */
static void command_output(struct session *s)
{
	char buf[4096];
	struct stat st;
	ssize_t n;

	if (s->child_out < 0)
		return;
	while ((n = read(s->child_out, buf, sizeof(buf))) > 0)
		s->sink.ops->output(s->sink.ctx, buf, n);
	if (n < 0 && errno == EAGAIN && !fstat(s->child_out, &st)) {
		/* read dry by us, whom no event shows: the view's gauge too */
		uint64_t e[3] = { names_kernel_dev(st.st_dev), st.st_ino,
				  now_ns(CLOCK_MONOTONIC) };

		recording_put(s->rec, RECORDING_PIPE_EMPTIED, e, sizeof(e),
			      NULL, 0);
		model_pipe_emptied(&s->model, e[0], e[1], e[2]);
	}
	if (n == 0 || s->child_status >= 0) {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->child_out, NULL);
		close(s->child_out);
		s->child_out = -1;
	}
}

static void child_ended(struct session *s, int wstatus)
{
	char what[64];

	s->child_status = command_status(wstatus);
	command_output(s);
	if (s->ending)		/* we ended it: no next demo, no end to show */
		return;
	if (s->tour >= 0 && !s->child_status && !tour_next(s))
		return;
	snprintf(what, sizeof(what), "%s ended (exit %d)",
		 s->opt.demo ? "the demo" : "the command", s->child_status);
	traced_ended(s, what);
}

/* The command ended, or stopped: a command in a process group of its own
 * that reads (or, with TOSTOP, writes) the terminal we share is stopped
 * by the kernel; say why, once, where stderr is free to say it. */
static void on_child(struct session *s)
{
	int wstatus;

	if (!s->child || s->child_status >= 0 ||
	    waitpid(s->child, &wstatus, WNOHANG | WUNTRACED) != s->child)
		return;
	if (!WIFSTOPPED(wstatus)) {
		child_ended(s, wstatus);
		return;
	}
	if ((WSTOPSIG(wstatus) == SIGTTIN || WSTOPSIG(wstatus) == SIGTTOU) &&
	    !s->said_tty && !s->sink.ops->input) {
		s->said_tty = true;
		fprintf(stderr, "ipcscope: the command (pid %d) is stopped: "
			"it tried to use the terminal, which ipcscope keeps; "
			"give it input with < FILE (Ctrl-C ends both)\n",
			s->child);
	}
}

static void on_signal(struct session *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			on_child(s);
			break;
		case SIGWINCH:
			if (s->sink.ops->resize)
				s->sink.ops->resize(s->sink.ctx);
			break;
		default:	/* SIGINT, SIGTERM, SIGHUP */
			if (s->ending)	/* asked again: no more grace */
				s->kill_now = true;
			finish(s, END_USER);
			break;
		}
	}
}

static void signal_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(loop_signals) / sizeof(loop_signals[0]); i++)
		sigaddset(set, loop_signals[i]);
}

void loop_block_signals(void)
{
	sigset_t set;

	signal_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

bool loop_stop_pending(void)
{
	sigset_t set;

	return !sigpending(&set) && (sigismember(&set, SIGINT) == 1 ||
				     sigismember(&set, SIGTERM) == 1 ||
				     sigismember(&set, SIGHUP) == 1);
}

int loop_setup(struct session *s)
{
	sigset_t set;

	signal_set(&set);
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->sigfd < 0 || s->timerfd < 0 || s->epfd < 0 ||
	    set_tick(s, TICK_NS) ||
	    loop_add_fd(s->epfd, s->sigfd) || loop_add_fd(s->epfd, s->timerfd) ||
	    loop_add_fd(s->epfd, loader_ring_fd(s->loader)) ||
	    (s->sink.ops->input && loop_add_fd(s->epfd, STDIN_FILENO))) {
		fprintf(stderr, "ipcscope: setting up the event loop: %s\n",
			strerror(errno));
		return -errno;
	}
	if (s->step && loop_add_fd(s->epfd, step_fd(s->step))) {
		fprintf(stderr, "ipcscope: --step: watching the seccomp "
			"listener: %s\n", strerror(errno));
		return -errno;
	}
	for (int i = 0; i < s->opt.npids; i++) {
		if (s->pidfd[i] >= 0 && loop_add_fd(s->epfd, s->pidfd[i])) {
			fprintf(stderr, "ipcscope: watching pid %u: %s\n",
				s->opt.pids[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static void on_ready(struct session *s, int fd)
{
	uint64_t expirations;

	if (fd == s->sigfd) {
		on_signal(s);
	} else if (fd == s->timerfd) {
		if (read(fd, &expirations, sizeof(expirations)) > 0)
			tick(s);
	} else if (fd == STDIN_FILENO && s->sink.ops->input) {
		if (s->sink.ops->input(s->sink.ctx) & SINK_DONE)
			finish(s, END_USER);
		else	/* at once, not at the next tick */
			sink_refresh(s, now_ns(CLOCK_MONOTONIC));
	} else if (fd == s->child_out) {
		command_output(s);
	} else if (s->step && fd == step_fd(s->step)) {
		if (step_on_ready(s->step))	/* the view names it now */
			sink_refresh(s, now_ns(CLOCK_MONOTONIC));
	} else if (targets_is_pidfd(s, fd)) {
		/* readable for good once its process exited */
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
		if (targets_gone(s))
			traced_ended(s, "the traced processes have exited");
	} else {
		loader_consume(s->loader);
		pace_ticks(s);
	}
}

/* The loop is over: what the kernel queued before the end is still ours
 * to report; then the sink's last words. */
static void loop_end(struct session *s)
{
	struct sink_stats st;
	struct report_summary sum;
	uint32_t *alive;
	uint64_t now;

	loader_consume(s->loader);
	if (s->aggregate) {
		loader_drain_flows(s->loader, true, on_flow, s);
		reread_quiet_pipes(s, s->nquiet);
	}
	now = now_ns(CLOCK_MONOTONIC);
	check_lost(s, now);	/* the summary's lost is the lost lines' sum */
	st = (struct sink_stats){ .events = calls_seen(s),
				  .lost = s->lost_seen };
	sum = (struct report_summary){
		.events = calls_seen(s),	/* the stream sinks count lines */
		.records = calls_seen(s),
		.lost = st.lost,
		.bad_records = s->model.bad_records,
		.resyncs = s->resyncs,
		.duration_ns = now - s->start_ns,
		.exit_status = s->child ? s->child_status : -1,
		.ia32 = loader_ia32(s->loader),
		.features_off = s->features_off,
		.nfeatures_off = s->nfeatures_off,
	};
	/* who the model still holds alive, for the summary (no ghosts) */
	alive = model_alive(&s->model, &sum.nalive);
	sum.alive = alive;
	if (s->sink.ops->end)
		s->sink.ops->end(s->sink.ctx, now, &st, &sum);
	free(alive);
}

/* One wait for what is ready, and its handling. Returns -1 when the
 * wait itself failed. */
static int wait_once(struct session *s, int timeout_ms)
{
	struct epoll_event evs[8];
	int n = epoll_wait(s->epfd, evs, 8, timeout_ms);

	if (n < 0 && errno != EINTR) {
		fprintf(stderr, "ipcscope: waiting for events: %s\n",
			strerror(errno));
		finish(s, END_ERROR);
		return -1;
	}
	for (int i = 0; i < n && (s->ending || !s->done); i++)
		on_ready(s, evs[i].data.fd);
	return 0;
}

/* Whether anything of the command is left: the command itself until we
 * reaped it, then the rest of its process group. */
static bool command_left(struct session *s, uint64_t now, uint64_t *next)
{
	if (s->child_status < 0)
		return true;
	if (now < *next)
		return true;
	*next = now + GROUP_CHECK_NS;
	return command_group_alive(s->child);
}

/* The run ends while the command still runs: it is ended, with its
 * process group, SIGTERM first and SIGKILL after a grace, while the loop
 * goes on reporting; a command still held is let go without running.
 * What was done is kept for a line on stderr once the sink has ended
 * (the live view gives the terminal back first). */
static void end_command(struct session *s)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC), check = now;
	uint64_t deadline = now + END_GRACE_NS;
	const char *how = "SIGTERM";
	int wstatus;

	if (s->hold.fd >= 0) {
		command_abort(s->child, &s->hold);
		snprintf(s->end_note, sizeof(s->end_note),
			 "ipcscope: the run ended before the command started: "
			 "it was not run\n");
		return;
	}
	s->ending = true;
	/* it may have ended by itself, its SIGCHLD not yet read */
	if (waitpid(s->child, &wstatus, WNOHANG) == s->child) {
		s->child_status = command_status(wstatus);
		command_output(s);
		return;
	}
	if (s->sink.ops->input)	/* keys wait: no spinning on stdin */
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
	command_signal(s->child, SIGTERM);
	while (!s->kill_now && now < deadline && command_left(s, now, &check)) {
		uint64_t left_ms = (deadline - now) / 1000000 + 1;

		if (wait_once(s, left_ms < 50 ? (int)left_ms : 50))
			break;
		now = now_ns(CLOCK_MONOTONIC);
	}
	check = 0;
	if (command_left(s, now, &check)) {
		command_signal(s->child, SIGKILL);
		how = s->kill_now ? "SIGKILL (asked twice)" :
			"SIGKILL (SIGTERM did not end it within 2 s)";
	}
	if (s->child_status < 0 && waitpid(s->child, &wstatus, 0) == s->child) {
		s->child_status = command_status(wstatus);
		command_output(s);
	}
	s->child_ended_by_us = true;
	snprintf(s->end_note, sizeof(s->end_note),
		 "ipcscope: the command was still running: ended it and its "
		 "process group (pid %d) with %s\n", s->child, how);
}

void loop_run(struct session *s)
{
	while (!s->done && !wait_once(s, -1))
		;
	/* --step: what is held runs, and what comes while the command is
	 * ended too; the listener closes only once it is over */
	step_go(s->step);
	if (s->child && s->child_status < 0)
		end_command(s);
	loop_end(s);
	step_close(s->step);
	s->step = NULL;
}
