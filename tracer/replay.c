// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --record and --replay as a run sees them. Recording: the file is made
 * before the command starts; loop.c and targets.c hand it each record as
 * they hand it to the model; the names resolver's answers (it reads /proc)
 * are recorded as they are given; a tee in front of the sink records what
 * the outputs are told beside the model (ticks with their clock and
 * counts, demo titles, the end and the summary's inputs). Replaying: the
 * same model and the same sink, fed from the file in the same order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "names.h"
#include "recording.h"
#include "replay.h"

struct replay {
	struct recording_reader *reader;
	char names[RECORDING_MAX_LEN];	/* the features off, as recorded */
	uint64_t sink_open_ns;
	bool sink_opened;
	uint64_t records;	/* replayed */
	int mode;		/* of the recorded run */
};

/* --- recording ---------------------------------------------------------------- */

static bool resolve_tee(void *ctx, uint32_t pid, int fd, const char *upath,
			uint64_t dev, uint64_t ino, char *out, size_t outlen)
{
	struct session *s = ctx;
	bool found = names_resolve_fd(NULL, pid, fd, upath, dev, ino, out,
				      outlen);
	uint32_t f = found;

	recording_put(s->rec, RECORDING_RESOLVE, &f, sizeof(f), out,
		      found ? strnlen(out, outlen) : 0);
	return found;
}

int replay_record_open(struct session *s, int argc, char **argv)
{
	struct recording_header h;
	size_t at = 0;

	recording_header_init(&h);
	h.mode = s->opt.mode;
	h.aggregate = s->opt.mode == OUT_LIVE || s->opt.mode == OUT_TOP ||
		      s->opt.mode == OUT_TOP_JSON;
	h.payload = s->opt.payload;
	h.interval_ms = s->opt.interval_ms;
	for (int i = 0; i < argc && at < sizeof(h.command) - 1; i++)
		at += snprintf(h.command + at, sizeof(h.command) - at, "%s%s",
			       i ? " " : "", argv[i]);
	memset(h.command + strlen(h.command), 0,
	       sizeof(h.command) - strlen(h.command));
	if (!s->opt.record) {
		/* the live view's history, in memory: without one the view
		 * cannot go back, and the run goes on */
		int fd = memfd_create("ipcscope-history", MFD_CLOEXEC);

		if (fd < 0 || recording_create_fd(&s->rec, fd, &h))
			return 0;
	} else if (recording_create(&s->rec, s->opt.record, &h)) {
		return 1;
	}
	s->model.resolve = resolve_tee;
	s->model.resolve_ctx = s;
	return 0;
}

int replay_record_meta(struct session *s)
{
	struct recording_meta m = { s->ts_offset, s->start_ns };
	char names[RECORDING_MAX_FEATURES * 32];
	size_t n = 0;

	for (size_t i = 0; i < s->nfeatures_off && i < RECORDING_MAX_FEATURES;
	     i++) {
		size_t len = strlen(s->features_off[i]) + 1;

		if (n + len > sizeof(names))
			break;
		memcpy(names + n, s->features_off[i], len);
		n += len;
	}
	recording_put(s->rec, RECORDING_META, &m, sizeof(m), names, n);
	return 0;
}

uint64_t replay_clock(struct session *s)
{
	uint64_t now;

	if (s->replay)
		return s->replay->sink_open_ns;
	now = now_ns(CLOCK_MONOTONIC);
	recording_put(s->rec, RECORDING_SINK_OPEN, &now, sizeof(now), NULL, 0);
	return now;
}

static void sysv_tee(void *ctx, enum obj_kind kind, int id,
		     const struct model_ipc_stat *st)
{
	struct session *s = ctx;
	struct recording_sysv r = { .kind = kind, .id = id, .st = *st };

	recording_put(s->rec, RECORDING_SYSV, &r, sizeof(r), NULL, 0);
	model_add_sysv(&s->model, kind, id, st);
}

void replay_add_sysv(struct session *s)
{
	if (!s->replay)	/* a replay has what the file holds */
		names_each_sysv(sysv_tee, s);
}

int replay_record_close(struct session *s, int rc)
{
	int err;

	if (!s->rec)
		return rc;
	err = recording_close(s->rec);
	s->rec = NULL;
	if (err && s->opt.record) {
		fprintf(stderr, "ipcscope: writing %s: %s\n", s->opt.record,
			strerror(-err));
		return rc ? rc : 1;
	}
	return rc;
}

/* --- the tee in front of the sink ------------------------------------------------ */

struct tee {
	struct sink inner;
	struct sink_ops ops;
	struct recording *rec;
};

static void tee_note(void *ctx, const struct model_note *n)
{
	struct tee *t = ctx;

	t->inner.ops->note(t->inner.ctx, n);
}

static int tee_tick(void *ctx, uint64_t now_ns, const struct sink_stats *st)
{
	struct tee *t = ctx;
	struct recording_tick r = { now_ns, st->events, st->lost };

	recording_put(t->rec, RECORDING_TICK, &r, sizeof(r), NULL, 0);
	recording_flush(t->rec);
	return sink_tick(&t->inner, now_ns, st);
}

static void tee_title(void *ctx, int n, const char *name, const char *about,
		      uint64_t ts)
{
	struct tee *t = ctx;
	struct recording_title r = { .n = n, .ts = ts };
	char text[512];
	int len = snprintf(text, sizeof(text), "%s%c%s", name, 0, about);

	if (len >= (int)sizeof(text))
		len = sizeof(text) - 1;
	text[len] = 0;
	recording_put(t->rec, RECORDING_TITLE, &r, sizeof(r), text, len + 1);
	t->inner.ops->title(t->inner.ctx, n, name, about, ts);
}

static void tee_ended(void *ctx, const char *what)
{
	struct tee *t = ctx;

	recording_put(t->rec, RECORDING_ENDED, what, strlen(what) + 1, NULL, 0);
	t->inner.ops->ended(t->inner.ctx, what);
}

static int tee_input(void *ctx)
{
	struct tee *t = ctx;

	return t->inner.ops->input(t->inner.ctx);
}

static void tee_resize(void *ctx)
{
	struct tee *t = ctx;

	t->inner.ops->resize(t->inner.ctx);
}

static void tee_output(void *ctx, const char *buf, size_t len)
{
	struct tee *t = ctx;

	for (size_t at = 0; at < len; at += RECORDING_MAX_LEN) {
		size_t n = len - at < RECORDING_MAX_LEN ? len - at :
							  RECORDING_MAX_LEN;

		recording_put(t->rec, RECORDING_OUTPUT, buf + at, n, NULL, 0);
	}
	t->inner.ops->output(t->inner.ctx, buf, len);
}

static void tee_end(void *ctx, uint64_t now_ns, const struct sink_stats *st,
		    const struct report_summary *sum)
{
	struct tee *t = ctx;
	struct recording_end r = {
		.now = now_ns, .st_events = st->events, .st_lost = st->lost,
		.events = sum->events, .records = sum->records,
		.lost = sum->lost, .bad_records = sum->bad_records,
		.resyncs = sum->resyncs, .duration_ns = sum->duration_ns,
		.ia32 = sum->ia32, .exit_status = sum->exit_status,
	};

	recording_put(t->rec, RECORDING_END, &r, sizeof(r), NULL, 0);
	recording_flush(t->rec);
	if (t->inner.ops->end)
		t->inner.ops->end(t->inner.ctx, now_ns, st, sum);
}

static void tee_loss(void *ctx, const struct sink_loss *l, bool resync)
{
	struct tee *t = ctx;
	struct recording_loss r = {
		.ts = l->ts, .count = l->count, .total = l->total,
		.processes = l->processes, .resync = l->resync,
		.is_resync = resync,
	};

	recording_put(t->rec, RECORDING_LOSS, &r, sizeof(r), NULL, 0);
	if (resync)
		sink_resync(&t->inner, l);
	else
		sink_lost(&t->inner, l);
}

static void tee_lost(void *ctx, const struct sink_loss *l)
{
	tee_loss(ctx, l, false);
}

static void tee_resync(void *ctx, const struct sink_loss *l)
{
	tee_loss(ctx, l, true);
}

static void tee_close(void *ctx)
{
	struct tee *t = ctx;

	sink_close(&t->inner);
	free(t);
}

void replay_record_sink(struct session *s)
{
	const struct sink_ops *in = s->sink.ops;
	struct tee *t;

	if (!s->rec || !in || !(t = calloc(1, sizeof(*t))))
		return;	/* out of memory: the run goes on unrecorded */
	t->inner = s->sink;
	t->rec = s->rec;
	/* what the loop may test for stays as the sink has it */
	t->ops = (struct sink_ops){
		.note = in->note ? tee_note : NULL,
		.tick = tee_tick,
		.title = in->title ? tee_title : NULL,
		.lost = tee_lost,
		.resync = tee_resync,
		.ended = in->ended ? tee_ended : NULL,
		.input = in->input ? tee_input : NULL,
		.resize = in->resize ? tee_resize : NULL,
		.output = in->output ? tee_output : NULL,
		.end = tee_end,
		.close = tee_close,
	};
	s->sink = (struct sink){ &t->ops, t };
}

/* --- replaying ------------------------------------------------------------------ */

static void replay_features(struct session *s, const struct recording_rec *rec)
{
	struct replay *rp = s->replay;
	struct recording_meta m;
	size_t n = rec->len - sizeof(m), at = 0;

	memcpy(&m, rec->data, sizeof(m));
	s->ts_offset = m.ts_offset;
	s->start_ns = m.start_ns;
	memcpy(rp->names, (const char *)rec->data + sizeof(m), n);
	s->nfeatures_off = 0;
	s->features_off_text[0] = 0;
	while (at < n && s->nfeatures_off < FEAT__COUNT) {
		const char *name = rp->names + at;

		s->features_off[s->nfeatures_off++] = name;
		snprintf(s->features_off_text + strlen(s->features_off_text),
			 sizeof(s->features_off_text) -
				 strlen(s->features_off_text),
			 "%s%s", s->nfeatures_off > 1 ? ", " : "", name);
		at += strlen(name) + 1;
	}
}

int replay_open(struct session *s)
{
	struct recording_header h;
	struct recording_rec rec;
	char why[192];
	int rc;

	s->replay = calloc(1, sizeof(*s->replay));
	if (!s->replay) {
		fprintf(stderr, "ipcscope: out of memory\n");
		return 1;
	}
	if (recording_open(&s->replay->reader, s->opt.replay, &h, why,
			   sizeof(why))) {
		fprintf(stderr, "ipcscope: cannot replay %s: %s\n",
			s->opt.replay, why);
		return 1;
	}
	rc = recording_next(s->replay->reader, &rec);
	if (rc != 1 || rec.type != RECORDING_META) {
		fprintf(stderr, "ipcscope: cannot replay %s: %s\n",
			s->opt.replay, rc < 0 ? recording_why(s->replay->reader)
					      : "it holds no run");
		return 1;
	}
	replay_features(s, &rec);
	s->replay->mode = h.mode;
	if (!s->opt.interval_set && h.interval_ms >= 100 &&
	    h.interval_ms <= 3600 * 1000)
		s->opt.interval_ms = h.interval_ms;
	s->model.resolve = recording_resolve;
	s->model.resolve_ctx = s->replay->reader;
	return 0;
}

int replay_recorded_mode(const struct session *s)
{
	return s->replay ? s->replay->mode : -1;
}

/* The sink's part of a record; false when the output went away. */
static bool replay_sink(struct session *s, const struct recording_rec *rec)
{
	const char *p = rec->data;
	struct recording_end e;
	uint32_t *alive;
	size_t nalive;

	switch (rec->type) {
	case RECORDING_ENDED:
		if (s->sink.ops && s->sink.ops->ended)
			s->sink.ops->ended(s->sink.ctx, p);
		return true;
	case RECORDING_END:
		memcpy(&e, p, sizeof(e));
		/* the same model: it holds the same processes alive */
		alive = model_alive(&s->model, &nalive);
		if (s->sink.ops && s->sink.ops->end)
			s->sink.ops->end(s->sink.ctx, e.now,
				&(struct sink_stats){ e.st_events, e.st_lost },
				&(struct report_summary){
					.events = e.events, .records = e.records,
					.lost = e.lost, .bad_records = e.bad_records,
					.resyncs = e.resyncs,
					.duration_ns = e.duration_ns,
					.exit_status = e.exit_status, .ia32 = e.ia32,
					.features_off = s->features_off,
					.nfeatures_off = s->nfeatures_off,
					.alive = alive, .nalive = nalive,
				});
		free(alive);
		return true;
	}
	return !(recording_tell(&s->sink, rec) & SINK_DONE);
}

int replay_play(struct session *s,
		int (*open_sink)(struct session *s, const char *target))
{
	struct replay *rp = s->replay;
	struct recording_rec rec;
	int rc;

	while ((rc = recording_next(rp->reader, &rec)) == 1) {
		rp->records++;
		if (rec.type == RECORDING_SINK_OPEN && open_sink &&
		    !rp->sink_opened) {
			memcpy(&rp->sink_open_ns, rec.data, sizeof(uint64_t));
			rp->sink_opened = true;
			if (open_sink(s, NULL))
				return 1;
			continue;
		}
		if (rec.type != RECORDING_TICK &&
		    recording_apply(&s->model, &rec))
			continue;
		if (rec.type == RECORDING_TICK)
			recording_apply(&s->model, &rec);	/* the sweep */
		if (!replay_sink(s, &rec))
			break;
	}
	if (rc < 0)
		fprintf(stderr, "ipcscope: %s: %s; replayed the %llu records "
			"before it\n", s->opt.replay, recording_why(rp->reader),
			(unsigned long long)rp->records);
	if (open_sink && !rp->sink_opened) {
		rp->sink_open_ns = s->start_ns;
		rp->sink_opened = true;
		if (open_sink(s, NULL))
			return 1;
	}
	return rc < 0 ? 1 : 0;
}

void replay_close(struct session *s)
{
	if (!s->replay)
		return;
	recording_reader_close(s->replay->reader);
	free(s->replay);
	s->replay = NULL;
}
