// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The sinks that write a stream: JSON lines (--json), plain-text lines
 * (--text) and the --top table (text or JSON lines), with what they share: the buffered stream, the
 * check that it is still there, the closing summary. Also the calls
 * through any sink (sink.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "notes_text.h"
#include "report.h"
#include "sink.h"
#include "top.h"

void sink_note(const struct sink *sk, const struct model_note *n)
{
	if (sk->ops && sk->ops->note)
		sk->ops->note(sk->ctx, n);
}

int sink_tick(const struct sink *sk, uint64_t now_ns,
	      const struct sink_stats *st)
{
	return sk->ops && sk->ops->tick ? sk->ops->tick(sk->ctx, now_ns, st) : 0;
}

void sink_lost(const struct sink *sk, const struct sink_loss *l)
{
	if (sk->ops && sk->ops->lost)
		sk->ops->lost(sk->ctx, l);
}

void sink_resync(const struct sink *sk, const struct sink_loss *l)
{
	if (sk->ops && sk->ops->resync)
		sk->ops->resync(sk->ctx, l);
}

void sink_loss_words(char *out, size_t len, const struct sink_loss *l,
		     bool resync)
{
	if (resync)
		snprintf(out, len, "re-reading %zu processes after %llu lost "
			 "events (resync %u)", l->processes,
			 (unsigned long long)l->total, l->resync);
	else
		snprintf(out, len, "lost %llu events: the ring buffer was full "
			 "(%llu in all; resync %u follows)",
			 (unsigned long long)l->count,
			 (unsigned long long)l->total, l->resync);
}

void sink_close(struct sink *sk)
{
	if (sk->ops && sk->ops->close)
		sk->ops->close(sk->ctx);
	sk->ops = NULL;
	sk->ctx = NULL;
}

/* --- a stream of JSON or text ---------------------------------------------- */

struct stream {
	struct sink_out o;
	struct json json;
	bool broken;		/* the stream went away (EPIPE) */
	uint64_t lines;		/* event lines written */
};

static void stream_init(struct stream *st, const struct sink_out *o)
{
	static char outbuf[1 << 20];

	st->o = *o;
	setvbuf(o->out, outbuf, _IOFBF, sizeof(outbuf));
	json_init(&st->json, o->out);
}

/* Returns SINK_DONE once the stream has gone away (said once). */
static int stream_check(struct stream *st)
{
	if (st->broken)
		return 0;
	if (fflush(st->o.out) == EOF || ferror(st->o.out)) {
		st->broken = true;
		fprintf(stderr, "ipcscope: writing the output: %s; the run "
			"ends\n", errno ? strerror(errno) : "write error");
		return SINK_DONE;
	}
	return 0;
}

/* The output went to a file: say on stderr how the run went. */
static void stream_told(struct stream *st, const struct report_summary *sum)
{
	if (st->o.to_file)
		fprintf(stderr,
			"ipcscope: %llu events (%.0f/s), %llu lost, %llu resyncs\n",
			(unsigned long long)sum->events,
			sum->duration_ns ? sum->events * 1e9 / sum->duration_ns : 0.0,
			(unsigned long long)sum->lost,
			(unsigned long long)sum->resyncs);
}

/* The summary as this stream tells it: its events are the lines it wrote
 * (a record may make several, an exec's closes, or none). */
static struct report_summary stream_counted(const struct stream *st,
					    const struct report_summary *sum)
{
	struct report_summary s = *sum;

	s.events = st->lines;
	return s;
}

static void stream_summary(struct stream *st, const struct report_summary *sum)
{
	struct report_summary s = stream_counted(st, sum);

	if (st->broken)
		return;
	report_summary_json(&st->json, &s);
	fflush(st->o.out);
	stream_told(st, &s);
}

/* --- JSON lines ------------------------------------------------------------- */

static void json_note(void *ctx, const struct model_note *n)
{
	struct stream *st = ctx;

	report_note_json(&st->json, n, st->o.ts_offset);
	st->lines++;
}

static int json_tick(void *ctx, uint64_t now_ns, const struct sink_stats *ss)
{
	(void)now_ns;
	(void)ss;
	return stream_check(ctx);
}

static void json_title(void *ctx, int n, const char *name, const char *about,
		       uint64_t ts)
{
	struct stream *st = ctx;

	report_title_json(&st->json, n, name, about, ts);
}

/* {"ts","type":"lost","count","total","resync"}: where in the stream */
static void json_lost(void *ctx, const struct sink_loss *l)
{
	struct stream *st = ctx;
	struct json *j = &st->json;

	json_begin_object(j);
	json_kv_u64(j, "ts", l->ts + st->o.ts_offset);
	json_kv_str(j, "type", "lost");
	json_kv_u64(j, "count", l->count);
	json_kv_u64(j, "total", l->total);
	json_kv_u64(j, "resync", l->resync);
	json_end_object(j);
	json_newline(j);
}

/* {"ts","type":"resync","resync","processes","lost"} */
static void json_resync(void *ctx, const struct sink_loss *l)
{
	struct stream *st = ctx;
	struct json *j = &st->json;

	json_begin_object(j);
	json_kv_u64(j, "ts", l->ts + st->o.ts_offset);
	json_kv_str(j, "type", "resync");
	json_kv_u64(j, "resync", l->resync);
	json_kv_u64(j, "processes", l->processes);
	json_kv_u64(j, "lost", l->total);
	json_end_object(j);
	json_newline(j);
}

static void json_end(void *ctx, uint64_t now_ns, const struct sink_stats *ss,
		     const struct report_summary *sum)
{
	(void)now_ns;
	(void)ss;
	stream_check(ctx);
	stream_summary(ctx, sum);
}

static const struct sink_ops json_ops = {
	.note = json_note,
	.tick = json_tick,
	.title = json_title,
	.lost = json_lost,
	.resync = json_resync,
	.end = json_end,
	.close = free,
};

/* A sink whose state is only the stream: JSON lines or plain text. */
static int stream_sink_open(struct sink *sk, const struct sink_out *o,
			    const struct sink_ops *ops)
{
	struct stream *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	stream_init(st, o);
	sk->ops = ops;
	sk->ctx = st;
	return 0;
}

int sink_json_open(struct sink *sk, const struct sink_out *o)
{
	return stream_sink_open(sk, o, &json_ops);
}

/* --- plain text --------------------------------------------------------------- */

/* "14:02:07.123456" */
static void text_clock(char *out, size_t len, uint64_t wall)
{
	time_t secs = wall / 1000000000;
	char hms[16] = "??:??:??";
	struct tm tm;

	if (localtime_r(&secs, &tm))
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(out, len, "%s.%06llu", hms,
		 (unsigned long long)(wall / 1000 % 1000000));
}

/* "14:02:07.123456   4242 sh              pipe fd 3: ..." */
static void text_note(void *ctx, const struct model_note *n)
{
	struct stream *st = ctx;
	char comm[IPCS_COMM_LEN * 4 + 1], what[2048], clock[32];

	if (st->broken)
		return;
	text_clock(clock, sizeof(clock), n->ts + st->o.ts_offset);
	notes_format_comm(comm, sizeof(comm), n);
	notes_format_what(what, sizeof(what), n);
	fprintf(st->o.out, "%s %6u %-15s %s\n", clock, n->pid, comm, what);
	st->lines++;
}

/* A loss or a re-read: ipcscope's own line, with no process. */
static void text_loss(struct stream *st, const struct sink_loss *l,
		      bool resync)
{
	char clock[32], what[160];

	if (st->broken)
		return;
	text_clock(clock, sizeof(clock), l->ts + st->o.ts_offset);
	sink_loss_words(what, sizeof(what), l, resync);
	fprintf(st->o.out, "%s %6s %-15s %s\n", clock, "-", "ipcscope", what);
}

static void text_lost(void *ctx, const struct sink_loss *l)
{
	text_loss(ctx, l, false);
}

static void text_resync(void *ctx, const struct sink_loss *l)
{
	text_loss(ctx, l, true);
}

static void text_title(void *ctx, int n, const char *name, const char *about,
		       uint64_t ts)
{
	struct stream *st = ctx;

	(void)ts;
	if (!st->broken)
		fprintf(st->o.out, "== demo %d: %s: %s\n", n, name, about);
}

/* "summary: 12 events, 0 lost, ..., exit status 0" on one line */
static void text_end(void *ctx, uint64_t now_ns, const struct sink_stats *ss,
		     const struct report_summary *sum)
{
	struct stream *st = ctx;
	FILE *out = st->o.out;
	struct report_summary counted = stream_counted(st, sum);

	(void)now_ns;
	(void)ss;
	sum = &counted;
	stream_check(st);
	if (st->broken)
		return;
	fprintf(out, "summary: %llu events, %llu lost, %llu bad records, "
		     "%llu resyncs, %llu.%03llu s",
		(unsigned long long)sum->events, (unsigned long long)sum->lost,
		(unsigned long long)sum->bad_records,
		(unsigned long long)sum->resyncs,
		(unsigned long long)(sum->duration_ns / 1000000000),
		(unsigned long long)(sum->duration_ns / 1000000 % 1000));
	if (sum->exit_status >= 0)
		fprintf(out, ", exit status %d", sum->exit_status);
	if (sum->ia32)
		fprintf(out, ", %llu ia32 syscalls not decoded",
			(unsigned long long)sum->ia32);
	if (sum->nfeatures_off) {
		fputs(", features off:", out);
		for (size_t i = 0; i < sum->nfeatures_off; i++)
			fprintf(out, " %s", sum->features_off[i]);
	}
	fputc('\n', out);
	fflush(out);
	stream_told(st, sum);
}

static const struct sink_ops text_ops = {
	.note = text_note,
	.tick = json_tick,	/* only checks the stream */
	.title = text_title,
	.lost = text_lost,
	.resync = text_resync,
	.end = text_end,
	.close = free,
};

int sink_text_open(struct sink *sk, const struct sink_out *o)
{
	return stream_sink_open(sk, o, &text_ops);
}

/* --- --top ------------------------------------------------------------------ */

struct top_sink {
	struct stream st;
	struct top *top;
	const struct model *model;
	bool json;
	uint64_t interval_ns;
	uint64_t next_ns, start_ns, events;	/* this interval's */
};

static void top_sink_note(void *ctx, const struct model_note *n)
{
	struct top_sink *t = ctx;

	top_note(t->top, n);
}

/* The table of the interval that ends now. */
static void top_sink_print(struct top_sink *t, uint64_t now,
			   const struct sink_stats *ss)
{
	struct top_stats st = {
		.ts = now + t->st.o.ts_offset,
		.interval_ns = now - t->start_ns,
		.events = ss->events - t->events,
		.lost = ss->lost,
	};
	FILE *out = t->st.o.out;

	if (t->json) {
		top_print_json(t->top, t->model, &t->st.json, &st);
	} else {
		unsigned rows = 0;

		if (!t->st.o.to_file && isatty(STDOUT_FILENO)) {
			struct winsize ws;

			/* like top: the table replaces the previous one */
			fputs("\033[H\033[2J", out);
			if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row > 4)
				rows = ws.ws_row - 4;
		}
		top_print_text(t->top, t->model, out, &st, rows);
		if (!rows)
			fputc('\n', out);
	}
	t->start_ns = now;
	t->events = ss->events;
	t->next_ns = now + t->interval_ns;
}

static int top_sink_tick(void *ctx, uint64_t now_ns,
			 const struct sink_stats *ss)
{
	struct top_sink *t = ctx;

	if (now_ns >= t->next_ns)
		top_sink_print(t, now_ns, ss);
	return stream_check(&t->st);
}

static void top_sink_end(void *ctx, uint64_t now_ns,
			 const struct sink_stats *ss,
			 const struct report_summary *sum)
{
	struct top_sink *t = ctx;

	if (!t->st.broken)
		top_sink_print(t, now_ns, ss);
	stream_check(&t->st);
	if (t->json)
		stream_summary(&t->st, sum);
}

static void top_sink_close(void *ctx)
{
	struct top_sink *t = ctx;

	top_free(t->top);
	free(t);
}

static const struct sink_ops top_ops = {
	.note = top_sink_note,
	.tick = top_sink_tick,
	.end = top_sink_end,
	.close = top_sink_close,
};

int sink_top_open(struct sink *sk, const struct sink_out *o, bool json,
		  const struct model *m, uint32_t interval_ms, uint64_t now_ns)
{
	struct top_sink *t = calloc(1, sizeof(*t));

	if (!t || !(t->top = top_new())) {
		free(t);
		return -ENOMEM;
	}
	stream_init(&t->st, o);
	t->model = m;
	t->json = json;
	t->interval_ns = interval_ms * 1000000ULL;
	t->start_ns = now_ns;
	t->next_ns = now_ns + t->interval_ns;
	sk->ops = &top_ops;
	sk->ctx = t;
	return 0;
}
