// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The scene's shared primitives (see scene_prim.h): text helpers (escaped
 * fields, the tail of a path, what a process waits for, a socket's
 * addresses), line glyphs and boxes, and the draw context's small
 * questions (on screen? selected? changed just now?).
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "escape.h"
#include "scene_prim.h"

/* Escapes a NUL-terminated field of at most max bytes. */
const char *esc_field(char *out, size_t outlen, const char *in,
		      size_t max)
{
	escape_text(out, outlen, in, strnlen(in, max));
	return out;
}

uint32_t line_glyph(unsigned mask, bool ascii)
{
	static const uint32_t uni[16] = {
		[0] = ' ',
		[DIR_N] = 0x2502, [DIR_S] = 0x2502, [DIR_N | DIR_S] = 0x2502,
		[DIR_E] = 0x2500, [DIR_W] = 0x2500, [DIR_E | DIR_W] = 0x2500,
		[DIR_S | DIR_E] = 0x250c, [DIR_S | DIR_W] = 0x2510,
		[DIR_N | DIR_E] = 0x2514, [DIR_N | DIR_W] = 0x2518,
		[DIR_N | DIR_S | DIR_E] = 0x251c,
		[DIR_N | DIR_S | DIR_W] = 0x2524,
		[DIR_S | DIR_E | DIR_W] = 0x252c,
		[DIR_N | DIR_E | DIR_W] = 0x2534,
		[DIR_N | DIR_S | DIR_E | DIR_W] = 0x253c,
	};

	mask &= 15;
	if (!ascii)
		return uni[mask];
	if (!mask)
		return ' ';
	if (!(mask & (DIR_E | DIR_W)))
		return '|';
	if (!(mask & (DIR_N | DIR_S)))
		return '-';
	return '+';
}

bool is_sysv(const struct model_object *o)
{
	return o->kind == OBJ_MSGQ || o->kind == OBJ_SHM || o->kind == OBJ_SEM;
}

/* Screen row of a graph row, or -1 when scrolled out of sight. */
int screen_y(const struct scene_ctx *c, int row)
{
	int r = row - c->v->scroll;

	if (r < 0 || r >= c->l->graph_h)
		return -1;
	return c->l->graph_y + r;
}

bool is_selected(const struct scene_ctx *c, enum pane pane,
		 const struct scene_item *it)
{
	return c->v->have_sel && c->v->sel.pane == pane &&
	       c->v->sel.a == it->a && c->v->sel.b == it->b;
}

bool recent(const struct view *v, uint64_t ts)
{
	return ts && ts <= v->now_ns + v->flash_ns &&
	       ts + v->flash_ns > v->now_ns;
}

const struct view_traffic *file_traffic(const struct view *v,
					const struct model_file *f)
{
	return v->file_traffic ? hmap_get(v->file_traffic, f->kaddr, 0) : NULL;
}

const struct view_traffic *obj_traffic(const struct view *v,
				       const struct model_object *o)
{
	return v->obj_traffic ? hmap_get(v->obj_traffic, o->dev, o->ino) : NULL;
}

/* The end of s that fits in maxw columns, with an ellipsis in front when
 * cut: paths are told apart by their ends. */
int puts_tail(struct frame *f, int x, int y, int maxw, const char *s,
	      enum role role)
{
	const char *p = s;

	if (maxw <= 0)
		return 0;
	if (frame_text_width(s) <= maxw)
		return frame_puts(f, x, y, maxw, s, role);
	while (*p && frame_text_width(p) > maxw - 1) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)p, strnlen(p, 4),
				       &cp);

		p += n ? n : 1;
	}
	frame_put(f, x, y, GLYPH_ELLIPSIS(f), role);
	return 1 + frame_puts(f, x + 1, y, maxw - 1, p, role);
}

bool proc_waits(const struct view *v, const struct model_proc *p)
{
	/* a sleep is a pause of the program's own, not a wait on IPC */
	if (p->wait == WAIT_SLEEP && !v->show_noise)
		return false;
	return !p->exited && p->wait != WAIT_NONE && p->wait < WAIT__COUNT;
}

const char *sig_name(char *out, size_t len, int sig)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(out, len, "SIG%s", abbrev);
	else
		snprintf(out, len, "signal %d", sig);
	return out;
}

const char *sig_handling(int sig, int action)
{
	if (action & IPCS_SIGACT_BLOCKED)
		return "pending";	/* blocked: it waits */
	switch (action) {
	case IPCS_SIGACT_HANDLER:
		return "caught";
	case IPCS_SIGACT_IGNORE:
		return "ignored";
	case IPCS_SIGACT_DEFAULT:
		switch (sig) {
		case SIGCHLD: case SIGURG: case SIGWINCH:
			return "ignored";
		case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
			return "stops it";
		case SIGCONT:
			return "continues";
		default:
			return "kills it";
		}
	default:
		return "";
	}
}

bool proc_sent_shown(const struct view *v, const struct model_proc *p)
{
	return p->sent_sig && !p->exited && p->sent_sig != SIGCHLD &&
	       p->sent_ns <= v->now_ns + v->flash_ns &&
	       p->sent_ns + VIEW_SIGNAL_NS > v->now_ns;
}

bool proc_signal_shown(const struct view *v, const struct model_proc *p)
{
	if (!p->sig || p->exited || p->sig_ns > v->now_ns + v->flash_ns ||
	    p->sig_ns + VIEW_SIGNAL_NS <= v->now_ns)
		return false;
	/* the kernel's SIGCHLD at every child's end is not news */
	if ((p->sig == SIGCHLD ||
	     (p->sig_action == IPCS_SIGACT_DEFAULT &&
	      !strcmp(sig_handling(p->sig, p->sig_action), "ignored"))) &&
	    !v->show_noise)
		return false;
	return true;
}

/* "futex" for WAIT_OTHER when the syscall is known, else the wait's name */
static const char *wait_name(char *out, size_t len,
			     const struct model_proc *p)
{
	const char *name = p->wait == WAIT_OTHER && p->wait_nr >= 0 ?
				   model_syscall_name(p->wait_nr) :
				   NULL;

	if (name)
		snprintf(out, len, "%s", name);
	else if (p->wait == WAIT_OTHER && p->wait_nr >= 0)
		snprintf(out, len, "syscall %d", p->wait_nr);
	else
		snprintf(out, len, "%s", model_wait_name(p->wait));
	return out;
}

/* "read fd3", "msgrcv", "semop #0 -1": the PROCESSES column's short form */
const char *wait_short(char *out, size_t len, const struct model_proc *p)
{
	char name[32];

	wait_name(name, sizeof(name), p);
	if (p->wait == WAIT_SEMOP && p->wait_sem_known)
		snprintf(out, len, "%s #%u %+d", name, p->wait_sem_num,
			 p->wait_sem_op);
	else if (p->wait_fd >= 0)
		snprintf(out, len, "%s fd%d", name, p->wait_fd);
	else
		snprintf(out, len, "%s", name);
	return out;
}

static const struct model_file *proc_fd_file(const struct model_proc *p,
					     int fd)
{
	const struct model_fd *s = model_table_fd(p->table, fd);

	return s ? s->file : NULL;
}

/* " on sem:[5], semaphore #0, asking -1" (what it waits for: a value the
 * op can take from, or 0 for an op of 0) */
static void sem_wait_words(char *out, size_t len, const struct model_proc *p)
{
	size_t n = 0;

	if (!len)
		return;
	out[0] = 0;
	if (p->wait_id >= 0)
		n = (size_t)snprintf(out, len, " on sem:[%d]", p->wait_id);
	if (n < len && p->wait_sem_known)
		snprintf(out + n, len - n, ", semaphore #%u, asking %+d%s",
			 p->wait_sem_num, p->wait_sem_op,
			 p->wait_sem_op < 0 ? " (waits for a value that large)" :
			 p->wait_sem_op == 0 ? " (waits for 0)" : "");
}

/* "#0=0 #1=3 #2=1": a semaphore set's values, when known ("" if not) */
const char *sem_values_text(char *out, size_t len,
			    const struct model_object *o)
{
	size_t n = 0;

	if (len)
		out[0] = 0;
	for (uint32_t i = 0; i < o->stat.nsemval && i < IPCS_SEMVAL_MAX; i++) {
		if (n >= len)
			break;
		n += (size_t)snprintf(out + n, len - n, "%s#%u=%u", i ? " " : "",
				      i, o->stat.semval[i]);
	}
	if (n < len && o->stat.count > o->stat.nsemval && o->stat.nsemval)
		snprintf(out + n, len - n, " ...");
	return out;
}

/* "blocked in read on fd 3: f2 pipe:[51234], empty, 1 writer" */
const char *wait_words(char *out, size_t len, const struct model_proc *p)
{
	const struct model_file *file = proc_fd_file(p, p->wait_fd);
	const struct model_object *o = file ? file->obj : NULL;
	char name[IPCS_PATH_LEN * 4 + 1], why[64] = "", call[32];
	size_t n;

	n = (size_t)snprintf(out, len, "blocked in %s",
			     wait_name(call, sizeof(call), p));
	if (p->wait == WAIT_SEMOP)
		return sem_wait_words(out + n, len - n, p), out;
	if (n < len && p->wait_fd >= 0)
		n += (size_t)snprintf(out + n, len - n, " on fd %d", p->wait_fd);
	if (n >= len || !file)
		return out;
	if (o && obj_is_pipe(o->kind)) {
		if (p->wait == WAIT_READ && !o->buffered)
			snprintf(why, sizeof(why), ", empty, %u writer%s open",
				 o->writers, o->writers == 1 ? "" : "s");
		else if (p->wait == WAIT_WRITE && o->capacity &&
			 o->buffered >= o->capacity)
			snprintf(why, sizeof(why), ", full");
	}
	esc_field(name, sizeof(name), o ? o->name : "", IPCS_PATH_LEN);
	snprintf(out + n, len - n, ": f%u %s%s", file->id, name, why);
	return out;
}

void sock_text(struct sock_text *st, const struct model_object *o)
{
	const struct ipcs_sock_info *si = &o->sock;
	char raw[IPCS_SOCKADDR_MAX];
	bool inet = si->family == AF_INET;

	esc_field(st->local, sizeof(st->local), o->local, sizeof(o->local));
	esc_field(st->remote, sizeof(st->remote), o->remote, sizeof(o->remote));
	esc_field(st->peer, sizeof(st->peer), o->peer, sizeof(o->peer));
	if (!st->local[0] && inet && si->lport) {
		model_inet_text(raw, sizeof(raw), AF_INET, &si->laddr, si->lport);
		snprintf(st->local, sizeof(st->local), "%s", raw);
	}
	if (!st->remote[0] && inet && si->rport) {
		model_inet_text(raw, sizeof(raw), AF_INET, &si->raddr, si->rport);
		snprintf(st->remote, sizeof(st->remote), "%s", raw);
	}
	if (!st->peer[0] && si->peer_ino)
		snprintf(st->peer, sizeof(st->peer), "socket:[%llu]",
			 (unsigned long long)si->peer_ino);
	switch (si->family) {
	case AF_UNIX:
		st->proto = si->type == SOCK_DGRAM ? "unix dgram" :
			    si->type == SOCK_SEQPACKET ? "unix seqpacket" :
							 "unix stream";
		break;
	case AF_INET:
	case AF_INET6:
		st->proto = si->type == SOCK_DGRAM ? "udp" : "tcp";
		break;
	default:
		st->proto = "socket";
		break;
	}
}

void draw_box(struct frame *f, int x, int y, int w, int h,
	      const char *title)
{
	for (int r = 0; r < h; r++) {
		unsigned left, right;

		frame_fill(f, x, y + r, w, ' ', ROLE_BOX);
		if (r == 0) {
			left = DIR_S | DIR_E;
			right = DIR_S | DIR_W;
			for (int i = 1; i < w - 1; i++)
				frame_put(f, x + i, y, line_glyph(DIR_E | DIR_W,
								  f->ascii),
					  ROLE_BOX);
		} else if (r == h - 1) {
			left = DIR_N | DIR_E;
			right = DIR_N | DIR_W;
			for (int i = 1; i < w - 1; i++)
				frame_put(f, x + i, y + r,
					  line_glyph(DIR_E | DIR_W, f->ascii),
					  ROLE_BOX);
		} else {
			left = right = DIR_N | DIR_S;
		}
		frame_put(f, x, y + r, line_glyph(left, f->ascii), ROLE_BOX);
		frame_put(f, x + w - 1, y + r, line_glyph(right, f->ascii),
			  ROLE_BOX);
	}
	if (title) {
		frame_put(f, x + 1, y, ' ', ROLE_BOX);
		int tw = frame_puts(f, x + 2, y, w - 4, title, ROLE_BOX_TITLE);
		frame_put(f, x + 2 + tw, y, ' ', ROLE_BOX);
	}
}
