// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The event log's lines (in tracer/notes_text.c's plain words) and the
 * traffic counters (see notes.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "notes.h"
#include "notes_text.h"

bool notes_noise(const struct model_note *n)
{
	return (n->file && n->file->loader) || (n->obj && n->obj->ours);
}

void notes_log(struct view_log *log, const struct model_note *n, uint64_t ts0)
{
	struct view_log_line *ln = &log->lines[log->count % VIEW_LOG_LINES];

	ln->ts = n->ts;
	ln->warn = n->kind == IPCS_EV_EXIT && n->signal;
	ln->noise = notes_noise(n);
	notes_format(ln->text, sizeof(ln->text), n, ts0);
	log->count++;
}

void notes_log_mark(struct view_log *log, uint64_t ts, uint64_t ts0,
		    const char *what)
{
	struct view_log_line *ln = &log->lines[log->count % VIEW_LOG_LINES];
	uint64_t t = ts > ts0 ? ts - ts0 : 0;

	ln->ts = ts;
	ln->warn = true;
	snprintf(ln->text, sizeof(ln->text), "%4llu.%03llu %6s %-15s %s",
		 (unsigned long long)(t / 1000000000),
		 (unsigned long long)(t / 1000000 % 1000), "-", "ipcscope",
		 what);
	log->count++;
}

static struct view_traffic *traffic_get(struct hmap *h, uint64_t a,
					uint64_t b)
{
	struct view_traffic *t = hmap_get(h, a, b);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t || hmap_put(h, a, b, t)) {
		free(t);
		return NULL;
	}
	return t;
}

static void traffic_count(struct view_traffic *t, const struct model_note *n)
{
	uint64_t bytes = n->bytes > 0 ? (uint64_t)n->bytes : 0;

	if (n->kind == IPCS_EV_WRITE) {
		t->write_ns = n->ts;
		t->in_cur += bytes;
		t->burst_in += bytes;
	} else {
		t->read_ns = n->ts;
		t->out_cur += bytes;
		t->burst_out += bytes;
	}
}

int notes_traffic(struct hmap *files, struct hmap *objects,
		  const struct model_note *n)
{
	struct view_traffic *t;

	if (n->kind != IPCS_EV_WRITE && n->kind != IPCS_EV_READ)
		return 0;
	/* an aggregated note may know the object and not the entry */
	if (n->file) {
		t = traffic_get(files, n->file->kaddr, 0);
		if (!t)
			return -ENOMEM;
		traffic_count(t, n);
	}
	if (n->obj) {
		t = traffic_get(objects, n->obj->dev, n->obj->ino);
		if (!t)
			return -ENOMEM;
		traffic_count(t, n);
	}
	return 0;
}

static uint64_t per_second(uint64_t bytes, uint64_t window_ns)
{
	if (!bytes)
		return 0;
	if (window_ns < 1000000ULL)
		window_ns = 1000000000ULL;
	return (uint64_t)((double)bytes * 1e9 / (double)window_ns + 0.5);
}

bool notes_roll(struct hmap *traffic, uint64_t now_ns, uint64_t window_ns,
		uint64_t keep_ns)
{
	bool changed = false;

	for (size_t i = 0; i < traffic->cap; i++) {
		struct view_traffic *t;

		/* deleting shifts later slots back: look at slot i again */
		while ((t = traffic->slots[i].val)) {
			uint64_t last = t->write_ns > t->read_ns ? t->write_ns :
								   t->read_ns;
			uint64_t old = t->rate;

			unsigned busy = t->busy;

			t->rate_in = per_second(t->in_cur, window_ns);
			t->rate_out = per_second(t->out_cur, window_ns);
			t->rate = t->rate_in > t->rate_out ? t->rate_in :
							     t->rate_out;
			/* an idle roll ends the burst: the next one counts
			 * from zero, and a rate needs two busy rolls again */
			if (t->in_cur || t->out_cur) {
				t->busy++;
			} else {
				t->busy = 0;
				t->burst_in = t->burst_out = 0;
			}
			t->in_cur = t->out_cur = 0;
			if (t->rate != old || (busy >= 2) != (t->busy >= 2))
				changed = true;
			if (t->rate || last + keep_ns > now_ns)
				break;
			hmap_del(traffic, traffic->slots[i].a,
				 traffic->slots[i].b);
			free(t);
		}
	}
	return changed;
}

void notes_traffic_free(struct hmap *traffic)
{
	hmap_for_each(traffic, s)
		free(s->val);
	hmap_free(traffic);
}
