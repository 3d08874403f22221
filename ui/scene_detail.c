// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The detail box (see scene_detail.h): everything about the selected
 * process, fd, open-file entry or object, with every holder from the
 * whole model and its recent lines of the event log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene_detail.h"
#include "scene_prim.h"

#define DETAIL_MAX 200

struct lines {
	char text[DETAIL_MAX][160];
	enum role role[DETAIL_MAX];
	int n;
	int more;	/* lines that did not fit */
};

static void __attribute__((format(printf, 3, 4)))
lines_add(struct lines *ls, enum role role, const char *fmt, ...)
{
	va_list ap;

	if (ls->n == DETAIL_MAX) {
		ls->more++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(ls->text[ls->n], sizeof(ls->text[0]), fmt, ap);
	va_end(ap);
	ls->role[ls->n++] = role;
}

/* Every process and fd holding file, from the whole model. */
static void add_holders(const struct scene_ctx *c, struct lines *ls,
			const struct model_file *file, const char *indent)
{
	struct model_proc **procs;
	size_t n, found = 0;

	procs = model_procs_sorted(c->m, &n);
	if (!procs)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct model_proc *p = procs[i];
		const struct model_table *t = p->table;
		char comm[IPCS_COMM_LEN * 4 + 1];

		if (!t || p->exited)
			continue;
		esc_field(comm, sizeof(comm), p->comm, IPCS_COMM_LEN);
		model_table_for_each(t, s) {
			if (s->file != file)
				continue;
			lines_add(ls, ROLE_BOX, "%spid %u %s  fd %d  %s%s", indent,
				  p->pid, comm, s->fd, model_access(file->flags),
				  s->cloexec ? "  cloexec" : "");
			found++;
		}
		for (size_t j = 0; j < p->nmaps; j++) {
			if (p->maps[j].file != file)
				continue;
			lines_add(ls, ROLE_BOX, "%spid %u %s  shared mapping at 0x%llx",
				  indent, p->pid, comm,
				  (unsigned long long)p->maps[j].addr);
			found++;
		}
	}
	free(procs);
	if (!found)
		lines_add(ls, ROLE_BOX, "%s(no traced fd: held elsewhere)",
			  indent);
	if (file->refs > found)
		lines_add(ls, ROLE_DIM,
			  "%s%llu of %llu refs not from fds shown: an mmap, an in-flight syscall, or an untraced process",
			  indent, (unsigned long long)(file->refs - found),
			  (unsigned long long)file->refs);
}

static void add_traffic(const struct scene_ctx *c, struct lines *ls,
			const char *needle)
{
	const struct view_log *log = c->v->log;
	int shown = 0;

	if (!log || !needle[0])
		return;
	lines_add(ls, ROLE_BOX_TITLE, "RECENT");
	for (uint64_t i = log->count; i-- > 0 && shown < 8;) {
		const struct view_log_line *ln;

		if (log->count - i > VIEW_LOG_LINES)
			break;
		ln = &log->lines[i % VIEW_LOG_LINES];
		if ((ln->noise && !c->v->show_noise) || !strstr(ln->text, needle))
			continue;
		lines_add(ls, ROLE_BOX, "  %s", ln->text);
		shown++;
	}
	if (!shown)
		lines_add(ls, ROLE_DIM, "  (nothing in the event log)");
}

/* "  now 1.5KB/s in, 1.5KB/s out" while data keeps moving (two seconds
 * in a row), "  just moved 14B in, 14B out" after a burst */
static const char *rates(char *out, size_t len, const struct view_traffic *tr)
{
	char a[16], b[16];

	out[0] = '\0';
	if (tr && tr->busy >= 2 && (tr->rate_in || tr->rate_out))
		snprintf(out, len, "  now %sB/s in, %sB/s out",
			 notes_size(a, sizeof(a), tr->rate_in),
			 notes_size(b, sizeof(b), tr->rate_out));
	else if (tr && (tr->burst_in || tr->burst_out))
		snprintf(out, len, "  just moved %sB in, %sB out",
			 notes_size(a, sizeof(a), tr->burst_in),
			 notes_size(b, sizeof(b), tr->burst_out));
	return out;
}

static void detail_file(const struct scene_ctx *c, struct lines *ls,
			const struct model_file *file)
{
	const struct model_object *o = file->obj;
	char name[IPCS_PATH_LEN * 4 + 1], a[16], b[16], needle[32], r[64];

	esc_field(name, sizeof(name), o ? o->name : "", IPCS_PATH_LEN);
	lines_add(ls, ROLE_BOX_TITLE, "open file f%u -> %s", file->id, name);
	lines_add(ls, ROLE_BOX,
		  "access %s  flags 0%o  offset %llu  refs %llu  fd slots %u",
		  model_access(file->flags), file->flags,
		  (unsigned long long)file->pos,
		  (unsigned long long)file->refs, file->slots);
	lines_add(ls, ROLE_BOX, "bytes written %s  read %s%s",
		  notes_size(a, sizeof(a), file->bytes_in),
		  notes_size(b, sizeof(b), file->bytes_out),
		  rates(r, sizeof(r), file_traffic(c->v, file)));
	lines_add(ls, ROLE_BOX_TITLE, "HOLDERS");
	add_holders(c, ls, file, "  ");
	snprintf(needle, sizeof(needle), "f%u ", file->id);
	add_traffic(c, ls, needle);
}

/* A semaphore set: its values, when an event or a snapshot read them. */
static void sem_detail_values(struct lines *ls, const struct model_object *o)
{
	char vals[IPCS_SEMVAL_MAX * 12 + 8];

	if (o->stat.nsemval)
		lines_add(ls, ROLE_BOX, "values %s",
			  sem_values_text(vals, sizeof(vals), o));
}

static void detail_sysv(const struct scene_ctx *c, struct lines *ls,
			const struct model_object *o)
{
	char key[32], a[16], b[16], comm[IPCS_COMM_LEN * 4 + 1];
	struct model_proc **procs;
	size_t n, found = 0;

	/* the key only when known (snapshots); events name the id */
	if (o->stat.key)
		snprintf(key, sizeof(key), "key 0x%08x  ", (unsigned)o->stat.key);
	else
		key[0] = '\0';
	switch (o->kind) {
	case OBJ_MSGQ:
		lines_add(ls, ROLE_BOX, "%s%llu message%s queued, %s of %s bytes",
			  key, (unsigned long long)o->stat.count,
			  o->stat.count == 1 ? "" : "s",
			  notes_size(a, sizeof(a), o->stat.bytes),
			  o->stat.limit ? notes_size(b, sizeof(b), o->stat.limit) :
					  "?");
		if (o->last_writer && o->last_reader)
			lines_add(ls, ROLE_BOX, "last sent by pid %u, received by pid %u",
				  o->last_writer, o->last_reader);
		else if (o->last_writer || o->last_reader)
			lines_add(ls, ROLE_BOX, "last %s by pid %u",
				  o->last_writer ? "sent" : "received",
				  o->last_writer ? o->last_writer : o->last_reader);
		return;
	case OBJ_SEM:
		lines_add(ls, ROLE_BOX, "%s%llu semaphore%s", key,
			  (unsigned long long)o->stat.count,
			  o->stat.count == 1 ? "" : "s");
		sem_detail_values(ls, o);
		return;
	default:
		break;
	}
	lines_add(ls, ROLE_BOX, "%ssize %s  attached %llu", key,
		  notes_size(a, sizeof(a), o->stat.bytes),
		  (unsigned long long)o->stat.count);
	if (o->rmid_pending)
		lines_add(ls, ROLE_BOX,
			  "removed (IPC_RMID), still attached: freed at the last detach");
	lines_add(ls, ROLE_BOX_TITLE, "ATTACHED");
	procs = model_procs_sorted(c->m, &n);
	for (size_t i = 0; procs && i < n; i++) {
		for (size_t j = 0; j < procs[i]->nmaps; j++) {
			if (procs[i]->maps[j].shm != o)
				continue;
			esc_field(comm, sizeof(comm), procs[i]->comm,
				  IPCS_COMM_LEN);
			lines_add(ls, ROLE_BOX, "  pid %u %s  at 0x%llx",
				  procs[i]->pid, comm,
				  (unsigned long long)procs[i]->maps[j].addr);
			found++;
		}
	}
	free(procs);
	if (!found)
		lines_add(ls, ROLE_DIM, "  (no traced process)");
}

static void detail_socket(struct lines *ls, const struct model_object *o)
{
	struct sock_text st;

	sock_text(&st, o);
	lines_add(ls, ROLE_BOX, "%s%s", st.proto,
		  o->listening ? "  listening" : "");
	if (st.local[0])
		lines_add(ls, ROLE_BOX, "local address  %s", st.local);
	if (st.remote[0])
		lines_add(ls, ROLE_BOX, "remote address %s", st.remote);
	lines_add(ls, ROLE_BOX, "peer           %s",
		  st.peer[0] ? st.peer : "(none known)");
}

static void detail_object(const struct scene_ctx *c, struct lines *ls,
			  const struct model_object *o)
{
	struct model_file **files;
	size_t n;
	char name[IPCS_PATH_LEN * 4 + 1], a[16], b[16], r[64];

	esc_field(name, sizeof(name), o->name, IPCS_PATH_LEN);
	lines_add(ls, ROLE_BOX_TITLE, "%s %s", obj_kind_name(o->kind), name);
	if (o->ours)
		lines_add(ls, ROLE_BOX,
			  "ipcscope's own: it reads the traced command's output from here");
	if (obj_is_pipe(o->kind))
		lines_add(ls, ROLE_BOX,
			  "buffered %s of %s  readers %u  writers %u",
			  notes_size(a, sizeof(a), o->buffered),
			  notes_size(b, sizeof(b), o->capacity), o->readers,
			  o->writers);
	else if (o->kind == OBJ_SOCKET)
		detail_socket(ls, o);
	else if (is_sysv(o))
		detail_sysv(c, ls, o);
	if (is_sysv(o))
		lines_add(ls, ROLE_BOX, "bytes in %s  out %s%s",
			  notes_size(a, sizeof(a), o->bytes_in),
			  notes_size(b, sizeof(b), o->bytes_out),
			  rates(r, sizeof(r), obj_traffic(c->v, o)));
	else
		lines_add(ls, ROLE_BOX, "bytes in %s  out %s  open-file entries %u%s",
			  notes_size(a, sizeof(a), o->bytes_in),
			  notes_size(b, sizeof(b), o->bytes_out), o->nfiles,
			  rates(r, sizeof(r), obj_traffic(c->v, o)));
	if (o->nfiles) {
		lines_add(ls, ROLE_BOX_TITLE, "HOLDERS");
		files = model_files_sorted(c->m, &n);
		for (size_t i = 0; files && i < n; i++) {
			if (files[i]->obj != o)
				continue;
			lines_add(ls, ROLE_BOX, "  f%u %s  refs %llu", files[i]->id,
				  model_access(files[i]->flags),
				  (unsigned long long)files[i]->refs);
			add_holders(c, ls, files[i], "    ");
		}
		free(files);
	}
	add_traffic(c, ls, name);
}

/* The latest signal that came, and the latest it sent, with when */
static void add_signals(const struct scene_ctx *c, struct lines *ls,
			const struct model_proc *p)
{
	char name[24], from[32] = "";
	uint64_t now = c->v->now_ns;

	if (p->sig && p->sig_ns <= now) {
		const char *how = sig_handling(p->sig, p->sig_action);

		if (p->sig_from && p->sig_from != p->pid)
			snprintf(from, sizeof(from), " from %u", p->sig_from);
		lines_add(ls, ROLE_BOX, "last signal %s%s%s%s, %.1f s ago",
			  sig_name(name, sizeof(name), p->sig), from,
			  how[0] ? ": " : "", how, (now - p->sig_ns) / 1e9);
	}
	if (p->sent_sig && p->sent_ns <= now)
		lines_add(ls, ROLE_BOX, "last sent %s to %u, %.1f s ago",
			  sig_name(name, sizeof(name), p->sent_sig), p->sent_to,
			  (now - p->sent_ns) / 1e9);
}

static void detail_proc(const struct scene_ctx *c, struct lines *ls,
			const struct model_proc *p)
{
	const struct model_table *t = p->table;
	char comm[IPCS_COMM_LEN * 4 + 1], name[IPCS_PATH_LEN * 4 + 1];
	char needle[32], wait[IPCS_PATH_LEN * 4 + 96];
	unsigned hidden = 0;

	esc_field(comm, sizeof(comm), p->comm, IPCS_COMM_LEN);
	lines_add(ls, ROLE_BOX_TITLE, "process %u %s", p->pid, comm);
	if (p->exited)
		lines_add(ls, ROLE_BOX, "parent %u  exited: code %d signal %d",
			  p->ppid, p->exit_code, p->exit_signal);
	else if (proc_waits(c->v, p))
		lines_add(ls, ROLE_BOX, "parent %u%s", p->ppid,
			  p->uncertain ? "  (fd table being re-read)" : "");
	else
		lines_add(ls, ROLE_BOX, "parent %u  %s%s", p->ppid,
			  p->wait == WAIT_SLEEP ? "sleeping (nanosleep)" :
						  "running",
			  p->uncertain ? "  (fd table being re-read)" : "");
	if (proc_waits(c->v, p))
		lines_add(ls, ROLE_WAIT, "%s", wait_words(wait, sizeof(wait), p));
	add_signals(c, ls, p);
	if (t && t->users > 1)
		lines_add(ls, ROLE_BOX, "fd table shared by %u processes",
			  t->users);
	lines_add(ls, ROLE_BOX_TITLE, "FDS");
	model_table_for_each(t, s) {
		const struct model_file *file = s->file;
		int fd = s->fd;

		if (!file)
			continue;
		if (!view_fd_shown(c->v, s)) {
			hidden++;
			continue;
		}
		esc_field(name, sizeof(name), file->obj ? file->obj->name : "",
			  IPCS_PATH_LEN);
		lines_add(ls, proc_waits(c->v, p) && p->wait_fd == fd ? ROLE_WAIT :
								  ROLE_BOX,
			  "  fd %d  %s%s  f%u refs %llu  %s%s", fd,
			  model_access(file->flags),
			  s->cloexec ? " cloexec" : "", file->id,
			  (unsigned long long)file->refs, name,
			  proc_waits(c->v, p) && p->wait_fd == fd ? "  (blocked here)" :
							      "");
	}
	if (hidden)
		lines_add(ls, ROLE_DIM, "  %u of the dynamic loader's (x shows them)",
			  hidden);
	for (size_t i = 0; i < p->nmaps; i++) {
		const struct model_map *mp = &p->maps[i];

		if (!i)
			lines_add(ls, ROLE_BOX_TITLE, "SHARED MAPPINGS");
		if (mp->shm)
			esc_field(name, sizeof(name), mp->shm->name,
				  IPCS_PATH_LEN);
		else if (mp->file && mp->file->obj)
			esc_field(name, sizeof(name), mp->file->obj->name,
				  IPCS_PATH_LEN);
		else
			snprintf(name, sizeof(name), "?");
		lines_add(ls, ROLE_BOX, "  at 0x%llx  %s", (unsigned long long)mp->addr,
			  name);
	}
	snprintf(needle, sizeof(needle), " %u ", p->pid);
	add_traffic(c, ls, needle);
}

void draw_detail(const struct scene_ctx *c)
{
	const struct scene_layout *l = c->l;
	const struct scene_item *it;
	struct lines *ls;
	struct frame *f = c->f;
	int w, h, x, y;

	if (!c->v->have_sel)
		return;
	it = scene_find(l, c->v->sel.pane, c->v->sel.a, c->v->sel.b, NULL);
	if (!it)
		return;
	ls = calloc(1, sizeof(*ls));
	if (!ls)
		return;
	switch (c->v->sel.pane) {
	case PANE_PROCS:
		detail_proc(c, ls, it->proc);
		break;
	case PANE_FDS: {
		char comm[IPCS_COMM_LEN * 4 + 1];

		esc_field(comm, sizeof(comm), it->proc->comm, IPCS_COMM_LEN);
		if (it->map)
			lines_add(ls, ROLE_BOX_TITLE,
				  "a shared mapping of %u %s (no fd): it holds the entry",
				  it->proc->pid, comm);
		else
			lines_add(ls, ROLE_BOX_TITLE, "fd %d of %u %s%s", it->fd,
				  it->proc->pid, comm,
				  it->cloexec ? " (cloexec)" : "");
		detail_file(c, ls, it->file);
		break;
	}
	case PANE_FILES:
		detail_file(c, ls, it->file);
		break;
	default:
		detail_object(c, ls, it->obj);
		break;
	}
	w = f->w - 8;
	h = ls->n + 4 + (ls->more ? 1 : 0);
	if (h > f->h - 4)
		h = f->h - 4;
	x = 4;
	y = (f->h - h) / 2;
	draw_box(f, x, y, w, h, "details (Enter or Esc closes)");
	for (int i = 0; i < ls->n && i < h - 4; i++)
		frame_puts(f, x + 2, y + 2 + i, w - 4, ls->text[i],
			   ls->role[i] == ROLE_DIM ? ROLE_BOX : ls->role[i]);
	if (ls->n + 4 > h || ls->more)
		frame_printf(f, x + 2, y + h - 2, w - 4, ROLE_BOX,
			     "... %d more lines",
			     ls->more + ls->n - (h - 4 > 0 ? h - 4 : 0));
	free(ls);
}
