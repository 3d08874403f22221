// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The event log's plain words and the traffic counters (see notes.h).
 * Everything that came from a traced program is escaped here, once.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_cmd.h"
#include "notes.h"
#include "scene.h"

#define PREVIEW_BYTES 32

static const char *const kind_names[] = {
#define IPCS_X(name, str) str,
	IPCS_EVENT_KINDS(IPCS_X)
#undef IPCS_X
};

/* 6 -> "6 B", 49152 -> "48 KiB" */
static const char *human_bytes(char *out, size_t len, int64_t bytes)
{
	char sz[16];

	if (bytes < 1024) {
		snprintf(out, len, "%lld B", (long long)bytes);
		return out;
	}
	scene_size(sz, sizeof(sz), (uint64_t)bytes);
	snprintf(out, len, "%.*s %ciB", (int)strlen(sz) - 1, sz,
		 sz[strlen(sz) - 1]);
	return out;
}

/* "fd 4: f3 pipe:[51234]", less what the note does not know */
static const char *note_where(char *out, size_t len,
			      const struct model_note *n, const char *name)
{
	char fd[24] = "", id[16] = "";

	if (n->fd >= 0)
		snprintf(fd, sizeof(fd), "fd %d: ", n->fd);
	if (n->file)
		snprintf(id, sizeof(id), "f%u ", n->file->id);
	snprintf(out, len, "%s%s%s", fd, id, name);
	return out;
}

static const char *ipc_cmd(char *out, size_t len, enum ipcs_kind kind,
			   int cmd)
{
	const char *name = ipc_cmd_name(kind, cmd);

	if (name)
		return name;
	snprintf(out, len, "cmd %d", cmd);
	return out;
}

/* SysV events: the object, what the call did, the object after it */
static void format_ipc(char *what, size_t len, const struct model_note *n,
		       const char *kind, const char *name)
{
	const struct ipcs_ev_ipc *e = n->ipc;
	const struct model_object *o = n->obj;
	char sz[32], extra[96] = "", cmd[24];

	if (!e) {
		snprintf(what, len, "%s %s", kind, name);
		return;
	}
	if (e->blocked)
		snprintf(extra, sizeof(extra), " after %llu.%03llu s blocked",
			 (unsigned long long)(e->waited_ns / 1000000000),
			 (unsigned long long)(e->waited_ns / 1000000 % 1000));
	switch (n->kind) {
	case IPCS_EV_MSGGET:
	case IPCS_EV_SHMGET:
	case IPCS_EV_SEMGET:
		if (e->key)
			snprintf(sz, sizeof(sz), "key 0x%08x", (unsigned)e->key);
		else
			snprintf(sz, sizeof(sz), "IPC_PRIVATE");
		snprintf(what, len, "%s %s -> %s", kind, sz,
			 o ? name : "failed");
		break;
	case IPCS_EV_MSGSND:
	case IPCS_EV_MSGRCV:
		snprintf(what, len, "%s %s %s type %lld, %llu queued%s", kind,
			 name, human_bytes(sz, sizeof(sz), n->bytes),
			 (long long)e->mtype,
			 (unsigned long long)(o ? o->stat.count : e->qnum), extra);
		break;
	case IPCS_EV_SHMAT:
	case IPCS_EV_SHMDT:
		snprintf(what, len, "%s %s at 0x%llx, %llu attached%s", kind,
			 name, (unsigned long long)e->addr,
			 (unsigned long long)(o ? o->stat.count : e->qnum),
			 o && o->rmid_pending ? ", removed" : "");
		break;
	case IPCS_EV_SEMOP:
		snprintf(what, len, "%s %s sem %u op %d (%u ops)%s", kind, name,
			 e->sem_num, e->sem_op, e->nsops, extra);
		break;
	default:	/* *ctl */
		snprintf(what, len, "%s %s %s", kind,
			 ipc_cmd(cmd, sizeof(cmd), n->kind, e->cmd), name);
		break;
	}
}

void notes_format(char *out, size_t outlen, const struct model_note *n,
		  uint64_t ts0)
{
	char comm[IPCS_COMM_LEN * 4 + 1], what[2048];
	char name[IPCS_PATH_LEN * 4 + 1] = "", extra[PREVIEW_BYTES * 4 + 8];
	char peer[IPCS_PATH_LEN * 4 + 8] = "";
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
		if (n->peer) {
			memcpy(peer, " peer ", 6);
			scene_escape(peer + 6, sizeof(peer) - 6, n->peer,
				     strnlen(n->peer, IPCS_PATH_LEN));
		}
		if (n->calls > 1) {
			/* aggregated in the kernel: the sum of many calls */
			char sz[32], where[sizeof(name) + 48];

			snprintf(what, sizeof(what), "%s %s in %llu calls %s %s%s",
				 n->kind == IPCS_EV_WRITE ? "wrote" : "read",
				 human_bytes(sz, sizeof(sz), n->bytes),
				 (unsigned long long)n->calls,
				 n->kind == IPCS_EV_WRITE ? "to" : "from",
				 note_where(where, sizeof(where), n, name), peer);
			break;
		}
		if (n->payload && n->payload_len) {
			size_t len = n->payload_len < PREVIEW_BYTES ?
					     n->payload_len :
					     PREVIEW_BYTES;
			char esc[PREVIEW_BYTES * 4 + 1];

			scene_escape(esc, sizeof(esc), n->payload, len);
			snprintf(extra, sizeof(extra), " \"%s%s\"", esc,
				 n->payload_len > len ? "..." : "");
		}
		if (n->fd < 0 || !n->file) {
			char where[sizeof(name) + 48];

			snprintf(what, sizeof(what), "%s %s %lld B%s%s", kind,
				 note_where(where, sizeof(where), n, name),
				 (long long)n->bytes, peer, extra);
			break;
		}
		snprintf(what, sizeof(what), "%s fd %d: f%u %s %lld B%s%s", kind,
			 n->fd, id, name, (long long)n->bytes, peer, extra);
		break;
	case IPCS_EV_BIND:
	case IPCS_EV_CONNECT:
	case IPCS_EV_LISTEN: {
		char addr[IPCS_SOCKADDR_MAX * 4 + 1] = "", where[sizeof(name) + 48];

		if (n->address)
			scene_escape(addr, sizeof(addr), n->address,
				     strnlen(n->address, IPCS_SOCKADDR_MAX));
		note_where(where, sizeof(where), n, name);
		if (n->kind == IPCS_EV_LISTEN)
			snprintf(what, sizeof(what), "listen %s backlog %u",
				 where, n->backlog);
		else
			snprintf(what, sizeof(what), "%s %s %s%s%s", kind, where,
				 addr, n->ret ? ": " : "",
				 n->ret ? (strerrorname_np(-n->ret) ?: "error") : "");
		break;
	}
	case IPCS_EV_MMAP: {
		char where[sizeof(name) + 48], sz[32];

		snprintf(what, sizeof(what), "mmap %s %s at 0x%llx",
			 note_where(where, sizeof(where), n, name),
			 human_bytes(sz, sizeof(sz), (int64_t)n->len),
			 (unsigned long long)n->addr);
		break;
	}
	case IPCS_EV_SIGNAL: {
		const char *sig = sigabbrev_np(n->signal);

		if (n->sig)
			snprintf(what, sizeof(what), "signal SIG%s -> pid %u%s",
				 sig ? sig : "?", n->sig->target,
				 n->sig->result == 1 ? " (ignored)" : "");
		else
			snprintf(what, sizeof(what), "signal %d", n->signal);
		break;
	}
	case IPCS_EV_MSGGET: case IPCS_EV_MSGSND: case IPCS_EV_MSGRCV:
	case IPCS_EV_MSGCTL: case IPCS_EV_SHMGET: case IPCS_EV_SHMAT:
	case IPCS_EV_SHMDT: case IPCS_EV_SHMCTL: case IPCS_EV_SEMGET:
	case IPCS_EV_SEMOP: case IPCS_EV_SEMCTL:
		format_ipc(what, sizeof(what), n, kind, name);
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
	uint64_t bytes = n->bytes > 0 ? (uint64_t)n->bytes : 0;

	if (n->kind == IPCS_EV_WRITE) {
		t->write_ns = n->ts;
		t->in_cur += bytes;
	} else {
		t->read_ns = n->ts;
		t->out_cur += bytes;
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

			t->rate_in = per_second(t->in_cur, window_ns);
			t->rate_out = per_second(t->out_cur, window_ns);
			t->rate = t->rate_in > t->rate_out ? t->rate_in :
							     t->rate_out;
			t->in_cur = t->out_cur = 0;
			if (t->rate != old)
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
