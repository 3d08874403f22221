// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ipcscope's entry point: options, then the output mode, decided once
 * here by opening one sink (JSON lines, text, --top, or the live view, whose
 * adapter over ui/ is live.c: with this file, the entry point, the only
 * ones that include both tracer/ and ui/ headers), then the run: start the command or demo, load
 * the BPF side, take the start-up snapshot (targets.c) and hand over to
 * the event loop (loop.c) until the end; and the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "kernel_features.h"
#include "live.h"
#include "loader.h"
#include "loop.h"
#include "model.h"
#include "names.h"
#include "options.h"
#include "replay.h"
#include "report.h"
#include "session.h"
#include "sink.h"
#include "step.h"
#include "targets.h"
#include "tour.h"

/* --- start-up --------------------------------------------------------------- */

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

/* The output mode, as the loop needs it: which sink, and what the loop
 * does beside the ring for it. */
static bool mode_live(const struct session *s)
{
	return s->opt.mode == OUT_LIVE;
}

static bool mode_top(const struct session *s)
{
	return s->opt.mode == OUT_TOP || s->opt.mode == OUT_TOP_JSON;
}

static bool mode_snapshot(const struct session *s)
{
	return s->opt.mode == OUT_SNAPSHOT || s->opt.mode == OUT_SNAPSHOT_JSON;
}

/* The command or demo, forked before anything else is set up, so that it
 * inherits none of our fds (it unblocks the signals we block); held until
 * the tracer is ready. Returns 0 or the exit status to end with. */
static int start_command(struct session *s, char *const **argvp,
			 char *demo_path, char *pace, char **demo_args)
{
	int err;

	if (s->opt.demo) {
		const char *name = s->opt.demo, *about = NULL;

		if (!strcmp(name, "tour")) {	/* the first now, then tour_next() */
			s->tour = 0;
			options_demo(0, &name, &about);
		}
		if (tour_demo_argv(&s->opt, name, demo_path, PATH_MAX, pace, 16,
				   demo_args))
			return 1;
		*argvp = demo_args;
	}
	if (!*argvp)
		return 0;
	s->hold.step = s->opt.step;
	err = command_start(&s->child, &s->hold, *argvp,
			    mode_live(s) ? &s->child_out : NULL, false);
	if (err)
		return err == -ENOENT || err == -EACCES ? 127 : 1;
	if (s->hold.listener >= 0) {	/* --step: the listener is the step's */
		err = step_open(&s->step, s->hold.listener, s->child);
		if (err) {
			fprintf(stderr, "ipcscope: --step: %s\n", strerror(-err));
			command_abort(s->child, &s->hold);
			return 1;
		}
		s->hold.listener = -1;
	}
	return 0;
}

/* The output file, the BPF side, what the kernel offers, the clocks. */
static int start_tracer(struct session *s)
{
	struct loader_options lo = {
		.trace_all = !s->opt.command && !s->opt.demo && !s->opt.npids &&
			     !s->opt.comm,
		.comm = s->opt.comm,
		.payload = s->opt.payload,
		.ring_bytes = s->opt.ring_bytes,
		.verbose = s->opt.verbose,
		.aggregate = mode_live(s) || mode_top(s),
		.features = &s->features,
	};

	/* after the fork: an ignored signal would stay ignored across exec,
	 * and the command should not hold our output file */
	signal(SIGPIPE, SIG_IGN);
	s->out = stdout;
	if (s->opt.output && !(s->out = output_open(s->opt.output)))
		return -1;
	if (loader_open(&s->loader, &lo, loop_on_event, s))
		return -1;
	s->aggregate = lo.aggregate;
	s->nfeatures_off = features_off(&s->features, s->features_off,
					FEAT__COUNT);
	features_off_text(&s->features, s->features_off_text,
			  sizeof(s->features_off_text));
	s->ts_offset = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	s->start_ns = now_ns(CLOCK_MONOTONIC);
	if (s->child && loader_trace_pid(s->loader, s->child)) {
		fprintf(stderr, "ipcscope: cannot trace pid %d\n", s->child);
		return -1;
	}
	return 0;
}

/* --snapshot: the graph now, and the end. */
static int print_snapshot(struct session *s)
{
	struct report_features feat = { s->features_off, s->nfeatures_off };

	replay_add_sysv(s);
	if (s->opt.mode == OUT_SNAPSHOT_JSON)
		report_snapshot_json(s->out, &s->model, &feat);
	else
		report_snapshot_text(s->out, &s->model, &feat);
	loader_close(s->loader);
	return fflush(s->out) ? 1 : 0;
}

/* The one sink of the run, and what the loop does for it. */
static int open_sink(struct session *s, const char *target)
{
	struct sink_out o = { s->out, s->opt.output != NULL, s->ts_offset };
	uint64_t t0 = replay_clock(s);
	int err;

	if (mode_live(s)) {
		s->model.exited_keep_ns = EXITED_KEEP_NS;
		s->unsure_pipes = s->wait_poll = true;
		return live_open(s, target);
	}
	if (mode_top(s)) {
		s->unsure_pipes = true;
		err = sink_top_open(&s->sink, &o, s->opt.mode == OUT_TOP_JSON,
				    &s->model, s->opt.interval_ms, t0);
	} else if (s->opt.mode == OUT_TEXT) {
		err = sink_text_open(&s->sink, &o);
	} else {
		err = sink_json_open(&s->sink, &o);
	}
	if (err)
		fprintf(stderr, "ipcscope: out of memory\n");
	return err;
}

/* A failure before the loop: the command, held, never runs. */
static int run_fail(struct session *s)
{
	sink_close(&s->sink);
	step_close(s->step);	/* before the abort: nothing is left held */
	s->step = NULL;
	if (s->child && s->child_status < 0)
		command_abort(s->child, &s->hold);
	loader_close(s->loader);
	return 1;
}

/* The traced command's status when it ended by itself (even if the user
 * quit the view after); 0 when the user ended the run (q, SIGINT,
 * SIGTERM, SIGHUP: a command still running was ended and its status is
 * in the summary) or the -p processes are gone; 1 on a failure. */
static int exit_status(const struct session *s)
{
	/* a stream that failed at its last words fails the run too */
	if (s->end == END_ERROR || (s->out && ferror(s->out)))
		return 1;
	if (s->child && !s->child_ended_by_us && s->child_status >= 0)
		return s->child_status;
	return 0;
}

static int run(struct session *s)
{
	char demo_path[PATH_MAX], pace[16], *demo_args[4];
	char *const *argv = s->opt.command;
	uint64_t ia32;
	int rc, err;

	if (mode_live(s) && !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ipcscope: the live view needs a terminal on "
				"stdout; for a pipe or a file use --json, --text or --snapshot\n");
		return 2;
	}
	rc = start_command(s, &argv, demo_path, pace, demo_args);
	if (rc)
		return rc;
	if ((s->opt.npids && !mode_snapshot(s) && targets_watch(s)) ||
	    start_tracer(s) || replay_record_meta(s) || targets_snapshot(s))
		return run_fail(s);
	if (mode_snapshot(s))
		return print_snapshot(s);
	if (open_sink(s, s->opt.demo ? s->opt.demo : argv ? argv[0] : NULL) ||
	    loop_setup(s) ||
	    (s->child_out >= 0 && loop_add_fd(s->epfd, s->child_out)))
		return run_fail(s);
	replay_record_sink(s);
	targets_output_ours(s);
	if (s->tour == 0)
		tour_title(s);
	/* asked to stop while we loaded: the loop ends at once, and the
	 * command is let go without running */
	if (s->child && !loop_stop_pending() &&
	    (err = command_release(&s->hold))) {
		fprintf(stderr, "ipcscope: cannot let pid %d run: %s\n",
			s->child, strerror(-err));
		return run_fail(s);
	}
	loop_run(s);
	ia32 = loader_ia32(s->loader);
	if (ia32)
		fprintf(stderr, "ipcscope: %llu syscalls of traced 32-bit "
			"processes were not decoded (ia32 syscalls are not "
			"traced; their fd tables are as read at exec)\n",
			(unsigned long long)ia32);
	fputs(s->end_note, stderr);	/* the terminal is ours again */
	loader_close(s->loader);
	return exit_status(s);
}

/* --replay FILE: the same model and sink, fed from the file. */
static int run_replay(struct session *s)
{
	int rc;

	s->out = stdout;
	if (s->opt.output && !(s->out = output_open(s->opt.output)))
		return 1;
	if (replay_open(s))
		return 1;
	if (mode_live(s)) {
		if (!isatty(STDOUT_FILENO)) {
			fprintf(stderr, "ipcscope: the live view needs a terminal "
				"on stdout; for a pipe or a file use --json, "
				"--text, --top or --snapshot\n");
			return 2;
		}
		return live_replay(s);
	}
	/* the same model: a live run keeps exited processes a while */
	if (replay_recorded_mode(s) == OUT_LIVE)
		s->model.exited_keep_ns = EXITED_KEEP_NS;
	rc = replay_play(s, mode_snapshot(s) ? NULL : open_sink);
	if (mode_snapshot(s))
		rc |= print_snapshot(s);
	return rc;
}

/* IPCSCOPE_HISTORY=BYTES[K|M|G]: how much of a live run the view keeps
 * to go back in (default 256 MiB); 0 keeps none. */
static int history_limit(uint64_t *out, const char *text)
{
	char *end;
	unsigned long long v;

	*out = 256ULL << 20;
	if (!text || !*text)
		return 0;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (*end == 'K' || *end == 'M' || *end == 'G')
		v <<= *end == 'K' ? 10 : *end == 'M' ? 20 : 30, end++;
	if (errno || *end || text[0] == '-' || v > (1ULL << 40)) {
		fprintf(stderr, "ipcscope: IPCSCOPE_HISTORY=%s: not a size "
			"(bytes, or with K, M or G; at most 1T)\n", text);
		return 1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct session s = { .child_status = -1, .epfd = -1, .sigfd = -1,
			     .timerfd = -1, .tour = -1, .child_out = -1,
			     .hold = { .fd = -1, .child_fd = -1,
				       .listener = -1, .guard = -1 } };
	int rc;

	loop_block_signals();
	for (int i = 0; i < OPT_MAX_PIDS; i++)
		s.pidfd[i] = -1;
	rc = options_parse(&s.opt, argc, argv);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (features_init(&s.features, getenv("IPCSCOPE_REFUSE")))
		return 2;
	if (history_limit(&s.history_max, getenv("IPCSCOPE_HISTORY")))
		return 2;
	model_init(&s.model);
	s.model.resolve = names_resolve_fd;
	s.model.note = loop_note;
	s.model.note_ctx = &s;
	if (s.opt.replay)
		rc = run_replay(&s);
	else if ((s.opt.record || mode_live(&s)) &&
		 replay_record_open(&s, argc, argv))
		rc = 1;
	else
		rc = run(&s);
	rc = replay_record_close(&s, rc);
	if (s.out && s.out != stdout && fclose(s.out) && !rc) {
		fprintf(stderr, "ipcscope: writing %s: %s\n", s.opt.output,
			strerror(errno));
		rc = 1;
	}
	sink_close(&s.sink);
	targets_unwatch(&s);
	replay_close(&s);
	command_unguard(&s.hold);	/* we end as planned */
	model_free(&s.model);
	free(s.keep);
	return rc;
}
