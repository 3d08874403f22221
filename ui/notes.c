// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The event log's plain words and the traffic counters (see notes.h).
 * Everything that came from a traced program is escaped here, once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes.h"
#include "scene.h"

#define PREVIEW_BYTES 32

static const char *const kind_names[] = {
#define IPCS_X(name, str) str,
	IPCS_EVENT_KINDS(IPCS_X)
#undef IPCS_X
};

void notes_format(char *out, size_t outlen, const struct model_note *n,
		  uint64_t ts0)
{
	char comm[IPCS_COMM_LEN * 4 + 1], what[2048];
	char name[IPCS_PATH_LEN * 4 + 1] = "", extra[PREVIEW_BYTES * 4 + 8];
	uint64_t t = n->ts > ts0 ? n->ts - ts0 : 0;
	const char *kind = n->kind < IPCS_EV__COUNT ? kind_names[n->kind] : "?";
	unsigned id = n->file ? n->file->id : 0;
	unsigned long long refs = n->refs;

	scene_escape(comm, sizeof(comm), n->comm ? n->comm : "",
		     n->comm ? strnlen(n->comm, IPCS_COMM_LEN) : 0);
	if (n->obj)
		scene_escape(name, sizeof(name), n->obj->name,
			     strnlen(n->obj->name, sizeof(n->obj->name)));
	switch (n->kind) {
	case IPCS_EV_FORK:
		snprintf(what, sizeof(what), "fork: child %u", n->child);
		break;
	case IPCS_EV_EXEC:
	case IPCS_EV_MKFIFO:
		scene_escape(name, sizeof(name), n->filename ? n->filename : "",
			     n->filename ? strnlen(n->filename, IPCS_PATH_LEN) : 0);
		snprintf(what, sizeof(what), "%s %s", kind, name);
		break;
	case IPCS_EV_EXIT:
		if (n->signal)
			snprintf(what, sizeof(what), "exit: killed by signal %d",
				 n->signal);
		else
			snprintf(what, sizeof(what), "exit: code %d", n->code);
		break;
	case IPCS_EV_DUP:
		snprintf(what, sizeof(what), "dup fd %d -> fd %d: f%u %s refs %llu",
			 n->oldfd, n->fd, id, name, refs);
		break;
	case IPCS_EV_FCNTL:
		snprintf(what, sizeof(what), "fcntl fd %d: f%u cloexec %s", n->fd,
			 id, n->cloexec ? "on" : "off");
		break;
	case IPCS_EV_CLOSE:
		snprintf(what, sizeof(what), "close fd %d: f%u %s refs %llu%s%s",
			 n->fd, id, name, refs, n->implicit ? " by " : "",
			 n->implicit ? n->implicit : "");
		break;
	case IPCS_EV_WRITE:
	case IPCS_EV_READ:
		extra[0] = '\0';
		if (n->payload && n->payload_len) {
			size_t len = n->payload_len < PREVIEW_BYTES ?
					     n->payload_len :
					     PREVIEW_BYTES;
			char esc[PREVIEW_BYTES * 4 + 1];

			scene_escape(esc, sizeof(esc), n->payload, len);
			snprintf(extra, sizeof(extra), " \"%s%s\"", esc,
				 n->payload_len > len ? "..." : "");
		}
		snprintf(what, sizeof(what), "%s fd %d: f%u %s %lld B%s", kind,
			 n->fd, id, name, (long long)n->bytes, extra);
		break;
	default:	/* open, pipe */
		snprintf(what, sizeof(what), "%s fd %d: f%u %s %s refs %llu%s",
			 kind, n->fd, id, name,
			 n->file ? model_access(n->file->flags) : "", refs,
			 n->cloexec ? " cloexec" : "");
		break;
	}
	snprintf(out, outlen, "%4llu.%03llu %6u %-15s %s",
		 (unsigned long long)(t / 1000000000),
		 (unsigned long long)(t / 1000000 % 1000), n->pid, comm, what);
}

void notes_log(struct view_log *log, const struct model_note *n, uint64_t ts0)
{
	struct view_log_line *ln = &log->lines[log->count % VIEW_LOG_LINES];

	ln->ts = n->ts;
	ln->warn = n->kind == IPCS_EV_EXIT && n->signal;
	notes_format(ln->text, sizeof(ln->text), n, ts0);
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
	if (n->kind == IPCS_EV_WRITE)
		t->write_ns = n->ts;
	else
		t->read_ns = n->ts;
	/* a transfer counts once: as it goes in */
	if (n->bytes > 0 && n->kind == IPCS_EV_WRITE)
		t->bytes_cur += (uint64_t)n->bytes;
}

int notes_traffic(struct hmap *files, struct hmap *objects,
		  const struct model_note *n)
{
	struct view_traffic *t;

	if ((n->kind != IPCS_EV_WRITE && n->kind != IPCS_EV_READ) || !n->file)
		return 0;
	t = traffic_get(files, n->file->kaddr, 0);
	if (!t)
		return -ENOMEM;
	traffic_count(t, n);
	if (!n->obj)
		return 0;
	t = traffic_get(objects, n->obj->dev, n->obj->ino);
	if (!t)
		return -ENOMEM;
	traffic_count(t, n);
	return 0;
}

bool notes_roll(struct hmap *traffic, uint64_t now_ns, uint64_t keep_ns)
{
	bool changed = false;

	for (size_t i = 0; i < traffic->cap; i++) {
		struct view_traffic *t;

		/* deleting shifts later slots back: look at slot i again */
		while ((t = traffic->slots[i].val)) {
			uint64_t last = t->write_ns > t->read_ns ? t->write_ns :
								   t->read_ns;

			if (t->rate != t->bytes_cur)
				changed = true;
			t->rate = t->bytes_cur;
			t->bytes_cur = 0;
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
