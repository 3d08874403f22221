// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The event loop: epoll over the ring buffer, a signalfd, a timerfd, the
 * traced command's output and stdin; ticks that drain the kernel's flows,
 * re-read quiet and unsure pipes, resync uncertain processes and pace
 * themselves; the end of the traced command. Every output goes through
 * the session's sink.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
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

static void finish(struct session *s)
{
	s->done = true;
}

static bool any_alive(const struct session *s)
{
	for (int i = 0; i < s->opt.npids; i++)
		if (!kill(s->opt.pids[i], 0) || errno != ESRCH)
			return true;
	return false;
}

/* The traced command, demo or processes are over. A sink that stays
 * shows the end (exited processes greyed); with the others the run ends. */
static void traced_ended(struct session *s, const char *what)
{
	if (!s->sink.ops || !s->sink.ops->ended) {
		finish(s);
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

	if (sink_tick(&s->sink, now, &st) & SINK_DONE)
		finish(s);
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
	if (s->unsure_pipes)
		reread_unsure_pipes(s, now);
	if (s->wait_poll && now >= s->next_wait_ns) {
		loader_tasks(s->loader, on_task_wait, s);
		s->next_wait_ns = now + WAIT_POLL_NS;
	}
	model_sweep(&s->model, now);
	sink_refresh(s, now);
	if (!s->child && s->opt.npids && !any_alive(s))
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
	if (s->tour >= 0 && !s->child_status && !tour_next(s))
		return;
	snprintf(what, sizeof(what), "%s ended (exit %d)",
		 s->opt.demo ? "the demo" : "the command", s->child_status);
	traced_ended(s, what);
}

static void on_signal(struct session *s)
{
	struct signalfd_siginfo si;
	int wstatus;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			if (s->child && s->child_status < 0 &&
			    waitpid(s->child, &wstatus, WNOHANG) == s->child)
				child_ended(s, wstatus);
			break;
		case SIGWINCH:
			if (s->sink.ops->resize)
				s->sink.ops->resize(s->sink.ctx);
			break;
		default:	/* SIGINT, SIGTERM, SIGHUP */
			finish(s);
			break;
		}
	}
}

int loop_setup(struct session *s)
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
	    loop_add_fd(s->epfd, s->sigfd) || loop_add_fd(s->epfd, s->timerfd) ||
	    loop_add_fd(s->epfd, loader_ring_fd(s->loader)) ||
	    (s->sink.ops->input && loop_add_fd(s->epfd, STDIN_FILENO))) {
		fprintf(stderr, "ipcscope: setting up the event loop: %s\n",
			strerror(errno));
		return -errno;
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
			finish(s);
		else	/* at once, not at the next tick */
			sink_refresh(s, now_ns(CLOCK_MONOTONIC));
	} else if (fd == s->child_out) {
		command_output(s);
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
	uint64_t now;

	loader_consume(s->loader);
	if (s->aggregate) {
		loader_drain_flows(s->loader, true, on_flow, s);
		reread_quiet_pipes(s, s->nquiet);
	}
	now = now_ns(CLOCK_MONOTONIC);
	st = (struct sink_stats){ .events = calls_seen(s),
				  .lost = loader_lost(s->loader) };
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
	if (s->sink.ops->end)
		s->sink.ops->end(s->sink.ctx, now, &st, &sum);
}

void loop_run(struct session *s)
{
	struct epoll_event evs[8];

	while (!s->done) {
		int n = epoll_wait(s->epfd, evs, 8, -1);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n && !s->done; i++)
			on_ready(s, evs[i].data.fd);
	}
	loop_end(s);
}
