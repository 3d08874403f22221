// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --top: channels summed over an interval; see top.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "top.h"

enum { W, R };	/* the two sides of a channel: writers, readers */

struct top_end {
	uint32_t pid;
	char comm[IPCS_COMM_LEN];
	uint64_t bytes, calls;
};

struct top_chan {
	/* the object written to, and the one read from: the same for pipes,
	 * FIFOs and queues; a socket and its peer ("" when not known) */
	char src[IPCS_PATH_LEN], dst[IPCS_PATH_LEN];
	bool directed;
	enum obj_kind kind;
	struct top_end *ends[2];
	size_t nends[2];
	uint64_t bytes[2], calls[2];
	bool has_fill;		/* buffered/capacity known */
	uint64_t buffered, capacity;
	uint64_t dev, ino;	/* the object, for its state at print time */
};

/* A pipe a table showed, and the fill it showed. */
struct top_fill {
	uint64_t dev, ino, buffered;
};

struct top {
	struct top_chan *chans;
	size_t n, cap;
	struct top_fill *shown;	/* the pipes of the last table */
	size_t nshown;
};

struct top *top_new(void)
{
	return calloc(1, sizeof(struct top));
}

static void reset(struct top *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->chans[i].ends[W]);
		free(t->chans[i].ends[R]);
	}
	t->n = 0;
}

void top_free(struct top *t)
{
	if (!t)
		return;
	reset(t);
	free(t->chans);
	free(t->shown);
	free(t);
}

static struct top_chan *chan_get(struct top *t, const char *src,
				 const char *dst, bool directed)
{
	struct top_chan *c;

	for (size_t i = 0; i < t->n; i++) {
		c = &t->chans[i];
		if (c->directed == directed && !strcmp(c->src, src) &&
		    !strcmp(c->dst, dst))
			return c;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;

		c = realloc(t->chans, cap * sizeof(*c));
		if (!c)
			return NULL;
		t->chans = c;
		t->cap = cap;
	}
	c = &t->chans[t->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->src, sizeof(c->src), "%s", src);
	snprintf(c->dst, sizeof(c->dst), "%s", dst);
	c->directed = directed;
	return c;
}

static void end_add(struct top_chan *c, int side, const struct model_note *n,
		    uint64_t bytes, uint64_t calls)
{
	struct top_end *e = NULL;

	for (size_t i = 0; i < c->nends[side]; i++)
		if (c->ends[side][i].pid == n->pid)
			e = &c->ends[side][i];
	if (!e) {
		e = realloc(c->ends[side], (c->nends[side] + 1) * sizeof(*e));
		if (!e)
			return;
		c->ends[side] = e;
		e += c->nends[side]++;
		memset(e, 0, sizeof(*e));
		e->pid = n->pid;
	}
	if (n->comm)
		memcpy(e->comm, n->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = 0;
	e->bytes += bytes;
	e->calls += calls;
	c->bytes[side] += bytes;
	c->calls[side] += calls;
}

void top_note(struct top *t, const struct model_note *n)
{
	const struct model_object *o = n->obj;
	bool wr = n->kind == IPCS_EV_WRITE || n->kind == IPCS_EV_MSGSND;
	bool directed;
	struct top_chan *c;
	const char *peer;

	if (!o || (n->kind != IPCS_EV_WRITE && n->kind != IPCS_EV_READ &&
		   n->kind != IPCS_EV_MSGSND && n->kind != IPCS_EV_MSGRCV))
		return;
	/* a socket's data goes from the writer's socket to its peer; nothing
	 * read from no one (EOF once the peer is gone) is no channel */
	directed = o->kind == OBJ_SOCKET;
	if (directed && !n->peer && n->bytes <= 0)
		return;
	peer = n->peer ? n->peer : "";
	if (!directed)
		c = chan_get(t, o->name, o->name, false);
	else if (wr)
		c = chan_get(t, o->name, peer, true);
	else
		c = chan_get(t, peer, o->name, true);
	if (!c)
		return;
	c->kind = o->kind;
	c->dev = o->dev;
	c->ino = o->ino;
	end_add(c, wr ? W : R, n, n->bytes > 0 ? n->bytes : 0,
		n->calls ? n->calls : 1);
	if (obj_is_pipe(o->kind)) {
		c->has_fill = true;
		c->buffered = o->buffered;
		c->capacity = o->capacity;
	} else if (o->kind == OBJ_MSGQ && n->ipc) {
		c->has_fill = true;
		c->buffered = o->stat.bytes;
		c->capacity = o->stat.limit;
	} else if (o->kind == OBJ_MQ) {	/* POSIX queue: bytes queued */
		c->has_fill = true;
		c->buffered = o->stat.bytes;
		c->capacity = o->stat.limit * o->stat.msgsize;
	}
}

static uint64_t chan_bytes(const struct top_chan *c)
{
	return c->bytes[W] > c->bytes[R] ? c->bytes[W] : c->bytes[R];
}

static int by_bytes(const void *a, const void *b)
{
	const struct top_chan *x = a, *y = b;
	uint64_t bx = chan_bytes(x), by = chan_bytes(y);
	uint64_t cx = x->calls[W] + x->calls[R], cy = y->calls[W] + y->calls[R];

	if (bx != by)
		return bx < by ? 1 : -1;
	if (cx != cy)
		return cx < cy ? 1 : -1;
	return strcmp(x->src, y->src);
}

/* A pipe the last table showed, whose fill changed since without a call
 * (a reading that came after that table): a row of its own. */
static void fill_rows(struct top *t, const struct model *m)
{
	for (size_t i = 0; i < t->nshown; i++) {
		const struct top_fill *f = &t->shown[i];
		const struct model_object *o = hmap_get(&m->objects, f->dev, f->ino);
		struct top_chan *c;

		if (!o || !obj_is_pipe(o->kind) || o->buffered == f->buffered)
			continue;
		c = chan_get(t, o->name, o->name, false);
		if (!c || c->nends[W] || c->nends[R])	/* a row already */
			continue;
		c->kind = o->kind;
		c->dev = o->dev;
		c->ino = o->ino;
		c->has_fill = true;
	}
}

/* Remembers the pipes this table shows, with their fill. */
static void remember_fills(struct top *t)
{
	struct top_fill *v = realloc(t->shown, (t->n ? t->n : 1) * sizeof(*v));

	t->nshown = 0;
	if (!v)
		return;
	t->shown = v;
	for (size_t i = 0; i < t->n; i++)
		if (obj_is_pipe(t->chans[i].kind))
			v[t->nshown++] = (struct top_fill){ t->chans[i].dev,
				t->chans[i].ino, t->chans[i].buffered };
}

/* The latest pipe state the model has: readings can come after the note
 * (a pipe re-read once quiet). */
static void settle(struct top *t, const struct model *m)
{
	fill_rows(t, m);
	for (size_t i = 0; i < t->n; i++) {
		struct top_chan *c = &t->chans[i];
		const struct model_object *o;

		if (!obj_is_pipe(c->kind))
			continue;
		o = hmap_get(&m->objects, c->dev, c->ino);
		if (o) {
			c->buffered = o->buffered;
			c->capacity = o->capacity;
		}
	}
	remember_fills(t);
	if (t->n)	/* qsort's pointer must not be NULL, even for none */
		qsort(t->chans, t->n, sizeof(*t->chans), by_bytes);
}

static double per_s(uint64_t v, uint64_t interval_ns)
{
	return interval_ns ? v * 1e9 / interval_ns : 0;
}

/* 1234567 -> "1.2M"; with a unit suffix for bytes ("1.2M" is MiB). */
static void human(char *buf, size_t len, double v, bool binary)
{
	static const char units[] = " KMGT";
	double step = binary ? 1024 : 1000;
	int u = 0;

	while (v >= step * 0.9995 && u < 4) {
		v /= step;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
}

/* "comm[pid]" of the busiest end, and "+N" for the others. */
static void ends_text(char *buf, size_t len, const struct top_chan *c, int side)
{
	const struct top_end *best = NULL;
	char comm[4 * IPCS_COMM_LEN + 1];

	for (size_t i = 0; i < c->nends[side]; i++)
		if (!best || c->ends[side][i].bytes > best->bytes)
			best = &c->ends[side][i];
	if (!best) {
		snprintf(buf, len, "-");
		return;
	}
	escape_text(comm, sizeof(comm), best->comm, sizeof(best->comm));
	if (c->nends[side] > 1)
		snprintf(buf, len, "%s[%u]+%zu", comm, best->pid,
			 c->nends[side] - 1);
	else
		snprintf(buf, len, "%s[%u]", comm, best->pid);
}

static void object_text(char *buf, size_t len, const struct top_chan *c)
{
	char src[2 * IPCS_PATH_LEN], dst[2 * IPCS_PATH_LEN];

	escape_text(src, sizeof(src), c->src[0] ? c->src : "?", IPCS_PATH_LEN);
	escape_text(dst, sizeof(dst), c->dst[0] ? c->dst : "?", IPCS_PATH_LEN);
	if (c->directed)
		snprintf(buf, len, "%s > %s", src, dst);
	else
		snprintf(buf, len, "%s", src);
}

void top_print_text(struct top *t, const struct model *m, FILE *out,
		    const struct top_stats *st, unsigned max_rows)
{
	char when[32], writer[96], reader[96], rate[16], calls[16];
	char object[4 * IPCS_PATH_LEN + 8];
	char buf[16], cap[16], fill[40];
	time_t secs = st->ts / 1000000000ULL;
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	settle(t, m);
	fprintf(out, "ipcscope top  %s  every %.1f s  %.0f events/s  %llu lost\n",
		when, st->interval_ns / 1e9, per_s(st->events, st->interval_ns),
		(unsigned long long)st->lost);
	fprintf(out, "%-22s %-34s %-22s %8s %8s %13s\n", "WRITER", "OBJECT",
		"READER", "BYTES/S", "CALLS/S", "BUFFERED");
	for (size_t i = 0; i < t->n && (!max_rows || i < max_rows); i++) {
		const struct top_chan *c = &t->chans[i];

		ends_text(writer, sizeof(writer), c, W);
		ends_text(reader, sizeof(reader), c, R);
		object_text(object, sizeof(object), c);
		human(rate, sizeof(rate), per_s(chan_bytes(c), st->interval_ns), true);
		human(calls, sizeof(calls),
		      per_s(c->calls[W] + c->calls[R], st->interval_ns), false);
		if (c->has_fill) {
			human(buf, sizeof(buf), c->buffered, true);
			human(cap, sizeof(cap), c->capacity, true);
			snprintf(fill, sizeof(fill), "%s/%s", buf, cap);
		} else {
			snprintf(fill, sizeof(fill), "-");
		}
		fprintf(out, "%-22.22s %-34.34s %-22.22s %8s %8s %13s\n", writer,
			object, reader, rate, calls, fill);
	}
	if (max_rows && t->n > max_rows)
		fprintf(out, "(%zu more)\n", t->n - max_rows);
	if (!t->n)
		fprintf(out, "(no data moved)\n");
	reset(t);
}

static void ends_json(struct json *j, const struct top_chan *c, int side)
{
	if (side == W)	/* keys are literals (json.h) */
		json_key(j, "writers");
	else
		json_key(j, "readers");
	json_begin_array(j);
	for (size_t i = 0; i < c->nends[side]; i++) {
		const struct top_end *e = &c->ends[side][i];

		json_begin_object(j);
		json_kv_u64(j, "pid", e->pid);
		json_kv_str(j, "comm", e->comm);
		json_kv_u64(j, "bytes", e->bytes);
		json_kv_u64(j, "calls", e->calls);
		json_end_object(j);
	}
	json_end_array(j);
}

void top_print_json(struct top *t, const struct model *m, struct json *j,
		    const struct top_stats *st)
{
	settle(t, m);
	json_begin_object(j);
	json_kv_u64(j, "ts", st->ts);
	json_kv_str(j, "type", "top");
	json_kv_u64(j, "interval_ns", st->interval_ns);
	json_kv_u64(j, "events", st->events);
	json_kv_u64(j, "lost", st->lost);
	json_key(j, "channels");
	json_begin_array(j);
	for (size_t i = 0; i < t->n; i++) {
		const struct top_chan *c = &t->chans[i];

		json_begin_object(j);
		json_kv_str(j, "object", c->src[0] ? c->src : c->dst);
		json_kv_str(j, "kind", obj_kind_name(c->kind));
		if (c->directed)
		{
			json_kv_str(j, "from", c->src);
			json_kv_str(j, "to", c->dst);
		}
		json_kv_u64(j, "written", c->bytes[W]);
		json_kv_u64(j, "writes", c->calls[W]);
		json_kv_u64(j, "read", c->bytes[R]);
		json_kv_u64(j, "reads", c->calls[R]);
		json_kv_u64(j, "bytes_per_s",
			    (uint64_t)(per_s(chan_bytes(c), st->interval_ns) + 0.5));
		json_kv_u64(j, "calls_per_s",
			    (uint64_t)(per_s(c->calls[W] + c->calls[R],
					     st->interval_ns) + 0.5));
		if (c->has_fill) {
			json_kv_u64(j, "buffered", c->buffered);
			json_kv_u64(j, "capacity", c->capacity);
		}
		ends_json(j, c, W);
		ends_json(j, c, R);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	json_newline(j);
	reset(t);
}
