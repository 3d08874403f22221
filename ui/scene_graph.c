// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The graph (see scene_graph.h): the four columns (processes, fd tables,
 * open files, objects) and the edges between them in the two gutters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene_graph.h"
#include "scene_prim.h"

/* The socket's second row: what it is connected to, the peer first. */
static void draw_sock_line(const struct scene_ctx *c, const struct model_object *o,
			   int x, int y, int w)
{
	struct frame *f = c->f;
	struct sock_text st;
	const char *both = f->ascii ? "<->" : "\xe2\x86\x94";	/* ↔ */
	const char *to = f->ascii ? "->" : "\xe2\x86\x92";		/* → */
	char text[IPCS_PATH_LEN * 12];

	sock_text(&st, o);
	if (o->listening)
		snprintf(text, sizeof(text), "listening %s",
			 st.local[0] ? st.local : "");
	else if (st.peer[0] && st.local[0])
		snprintf(text, sizeof(text), "%s %s %s", st.local, both,
			 st.peer);
	else if (st.peer[0])
		snprintf(text, sizeof(text), "%s %s", both, st.peer);
	else if (st.remote[0])
		snprintf(text, sizeof(text), "%s %s", to, st.remote);
	else if (st.local[0])
		snprintf(text, sizeof(text), "%s", st.local);
	else
		snprintf(text, sizeof(text), "%s", st.proto);
	/* no room for both ends: the peer says more */
	if (!o->listening && st.peer[0] && st.local[0] &&
	    frame_text_width(text) > w)
		snprintf(text, sizeof(text), "%s %s", both, st.peer);
	puts_tail(f, x, y, w, text, ROLE_NORMAL);
}

/* A signal that came to p lately (proc_signal_shown), or else one it
 * sent (proc_sent_shown), as text for its row; NULL when none. */
static const char *sig_text(const struct scene_ctx *c,
			    const struct model_proc *p, char *out, size_t len)
{
	char name[24], from[24] = "";

	/* what came in first; else what it sent */
	if (!proc_signal_shown(c->v, p) && proc_sent_shown(c->v, p)) {
		snprintf(out, len, "%s sent %s%u",
			 sig_name(name, sizeof(name), p->sent_sig),
			 c->f->ascii ? "->" : "\xe2\x86\x92", p->sent_to);
		return out;
	}
	if (!proc_signal_shown(c->v, p))
		return NULL;
	if (p->sig_from && p->sig_from != p->pid)
		snprintf(from, sizeof(from), " %s%u",
			 c->f->ascii ? "<-" : "\xe2\x86\x90", p->sig_from);
	snprintf(out, len, "%s %s%s", sig_name(name, sizeof(name), p->sig),
		 sig_handling(p->sig, p->sig_action), from);
	return out;
}

/* A process's first row from x on: pid and name (with what is folded
 * into it), and on a process of one row its signal or its wait after it,
 * the wait's short name when the whole does not fit before end. */
static void draw_proc_name(const struct scene_ctx *c,
			   const struct scene_item *it, int x, int y, int end,
			   const char *sig)
{
	struct frame *f = c->f;
	const struct model_proc *p = it->proc;
	char comm[IPCS_COMM_LEN * 4 + 1], text[128], ws[32];

	esc_field(comm, sizeof(comm), p->comm, IPCS_COMM_LEN);
	/* alike workers folded here ('F' unfolds them) */
	if (it->alike)
		snprintf(text, sizeof(text), "%u %s +%u alike", p->pid, comm,
			 it->alike);
	else if (it->below)
		snprintf(text, sizeof(text), "%u %s +%u exited", p->pid, comm,
			 it->below);
	else
		snprintf(text, sizeof(text), "%u %s", p->pid, comm);
	x += frame_puts(f, x, y, end - x, text,
			is_selected(c, PANE_PROCS, it) ? ROLE_SELECTED :
			p->exited ? ROLE_DIM : ROLE_NORMAL);
	if (it->height != 1 || x + 2 > end)
		return;
	if (sig) {
		frame_put(f, x + 1, y, GLYPH_SIGNAL(f), ROLE_WARNING);
		frame_puts(f, x + 2, y, end - x - 2, sig, ROLE_WARNING);
	} else if (proc_waits(c->v, p)) {
		frame_put(f, x + 1, y, GLYPH_WAIT(f), ROLE_WAIT);
		wait_short(ws, sizeof(ws), p);
		if (x + 3 + frame_text_width(ws) > end)
			snprintf(ws, sizeof(ws), "%s", model_wait_name(p->wait));
		if (x + 3 + frame_text_width(ws) <= end)
			frame_puts(f, x + 3, y, end - x - 3, ws, ROLE_WAIT);
	}
}

static void draw_proc(const struct scene_ctx *c, const struct scene_item *it)
{
	struct frame *f = c->f;
	const struct model_proc *p = it->proc;
	int x0 = c->l->col_x[PANE_PROCS], w = c->l->col_w[PANE_PROCS] - 1;
	int d = it->depth, maxd = (w - 8) / 2;
	uint32_t vbar = G(f, 0x2502, '|');
	char text[128], sigs[64];
	const char *sig = sig_text(c, p, sigs, sizeof(sigs));

	if (d > maxd)
		d = maxd;
	for (int r = 0; r < it->height; r++) {
		int y = screen_y(c, it->row + r), x = x0;

		if (y < 0)
			continue;
		for (int j = 1; j < d; j++, x += 2)
			if (it->tree_bars & (1u << j))
				frame_put(f, x, y, vbar, ROLE_EDGE);
		if (r == 0) {
			if (d > 0) {
				frame_put(f, x, y,
					  it->last_child ? G(f, 0x2514, '`') :
							   G(f, 0x251c, '|'),
					  ROLE_EDGE);
				frame_put(f, x + 1, y, G(f, 0x2500, '-'),
					  ROLE_EDGE);
				x += 2;
			}
			draw_proc_name(c, it, x, y, x0 + w, sig);
			continue;
		}
		if (d > 0 && !it->last_child)
			frame_put(f, x, y, vbar, ROLE_EDGE);
		if (d > 0)
			x += 2;
		if (it->has_children)
			frame_put(f, x, y, vbar, ROLE_EDGE);
		if (r == 1 && p->exited) {
			char name[24];

			if (p->exit_signal)
				snprintf(text, sizeof(text), "killed by %s",
					 sig_name(name, sizeof(name),
						  p->exit_signal));
			else
				snprintf(text, sizeof(text), "exited %d",
					 p->exit_code);
			frame_puts(f, x + 2, y, x0 + w - x - 2, text, ROLE_DIM);
		} else if (r == 1 && sig) {
			frame_put(f, x + 2, y, GLYPH_SIGNAL(f), ROLE_WARNING);
			frame_puts(f, x + 3, y, x0 + w - x - 3, sig,
				   ROLE_WARNING);
		} else if (r == 1 && proc_waits(c->v, p)) {
			frame_put(f, x + 2, y, GLYPH_WAIT(f), ROLE_WAIT);
			frame_puts(f, x + 4, y, x0 + w - x - 4,
				   wait_short(text, sizeof(text), p), ROLE_WAIT);
		}
	}
	/* a process without fds says why its column is empty */
	int y = screen_y(c, it->row);
	if (y >= 0 && it->shares_with) {
		snprintf(text, sizeof(text), "=fds %u", it->shares_with);
		frame_puts(f, c->l->col_x[PANE_FDS], y, c->l->col_w[PANE_FDS],
			   text, ROLE_DIM);
	} else if (y >= 0 && !p->table && !p->exited) {
		frame_puts(f, c->l->col_x[PANE_FDS], y, c->l->col_w[PANE_FDS],
			   "  ?", ROLE_DIM);
	}
}

static void draw_fd(const struct scene_ctx *c, const struct scene_item *it)
{
	const struct model_fd *s = model_table_fd(it->proc->table, it->fd);
	int y = screen_y(c, it->row);
	enum role role = ROLE_NORMAL;
	char text[32];

	if (y < 0)
		return;
	if (it->map) {	/* no fd: a shared mapping holds the entry */
		frame_puts(c->f, c->l->col_x[PANE_FDS], y,
			   c->l->col_w[PANE_FDS], "  mmap",
			   is_selected(c, PANE_FDS, it) ? ROLE_SELECTED :
							  ROLE_DIM);
		return;
	}
	bool waits = proc_waits(c->v, it->proc) && it->proc->wait_fd == it->fd;

	if (waits)
		role = ROLE_WAIT;
	if (s && recent(c->v, s->last_ns))
		role = ROLE_FLASH;
	if (it->proc->exited)
		role = ROLE_DIM;
	if (is_selected(c, PANE_FDS, it))
		role = ROLE_SELECTED;
	snprintf(text, sizeof(text), "%3d %-2s %s", it->fd,
		 model_access(it->file->flags), it->cloexec ? "cx" : "");
	frame_puts(c->f, c->l->col_x[PANE_FDS], y, c->l->col_w[PANE_FDS],
		   text, role);
	/* the fd its process is blocked on, between mode and cx */
	if (waits)
		frame_put(c->f, c->l->col_x[PANE_FDS] + 6, y,
			  GLYPH_WAIT(c->f), role);
}

static void draw_file(const struct scene_ctx *c, const struct scene_item *it)
{
	const struct model_file *file = it->file;
	int y = screen_y(c, it->row), w = c->l->col_w[PANE_FILES] - 1;
	enum role role = ROLE_NORMAL;
	char text[96], pos[16];

	if (y < 0)
		return;
	/* our own pipe's writes are not the lesson: no flash */
	if (recent(c->v, file->last_ns) && !(file->obj && file->obj->ours))
		role = ROLE_FLASH;
	if (is_selected(c, PANE_FILES, it))
		role = ROLE_SELECTED;
	snprintf(text, sizeof(text), "f%u %s refs %llu @%s", file->id,
		 model_access(file->flags), (unsigned long long)file->refs,
		 notes_size(pos, sizeof(pos), file->pos));
	frame_puts(c->f, c->l->col_x[PANE_FILES], y, w, text, role);
}

/* [███░░░] text: used of cap in cells, then what the numbers are. */
static void draw_gauge(const struct scene_ctx *c, uint64_t used, uint64_t cap,
		       const char *text, int x, int y, int w)
{
	struct frame *f = c->f;
	int cells = (w - 17) / 2, filled = 0, n;

	if (cells < 4)
		cells = 4;
	if (cells > 16)
		cells = 16;
	if (cap) {
		uint64_t fill = used * cells;

		filled = (int)((fill + cap - 1) / cap);
		if (filled > cells)
			filled = cells;
	}
	frame_put(f, x, y, '[', ROLE_NORMAL);
	for (int i = 0; i < cells; i++) {
		if (i < filled)
			frame_put(f, x + 1 + i, y, GLYPH_FULL(f), ROLE_GAUGE);
		else
			frame_put(f, x + 1 + i, y, GLYPH_EMPTY(f),
				  ROLE_GAUGE_EMPTY);
	}
	frame_put(f, x + 1 + cells, y, ']', ROLE_NORMAL);
	n = cells + 3;
	frame_puts(f, x + n, y, w - n, text, ROLE_NORMAL);
}

/* The first row's text: the name, and the size of what has one. */
static void object_title(char *out, size_t len, const struct model_object *o)
{
	char name[IPCS_PATH_LEN * 4 + 1], sz[16];

	esc_field(name, sizeof(name), o->name, sizeof(o->name));
	if (!name[0])
		snprintf(name, sizeof(name), "%s:[%llu]",
			 obj_kind_name(o->kind), (unsigned long long)o->ino);
	if (o->ours)
		snprintf(out, len, "ipcscope's output");
	else if (o->kind == OBJ_SHM)
		snprintf(out, len, "%s %sB", name,
			 notes_size(sz, sizeof(sz), o->stat.bytes));
	else if (o->kind == OBJ_SEM)
		snprintf(out, len, "%s %llu sem%s", name,
			 (unsigned long long)o->stat.count,
			 o->stat.count == 1 ? "" : "s");
	else
		snprintf(out, len, "%s", name);
}

/* The second row: a gauge, or what it is connected to. */
static void draw_object_line(const struct scene_ctx *c, const struct model_object *o,
			     int x, int y, int w)
{
	char text[64], a[16], b[16];

	switch (o->kind) {
	case OBJ_PIPE:
	case OBJ_FIFO:
		if (o->capacity)
			snprintf(text, sizeof(text), "%s/%s r%u w%u",
				 notes_size(a, sizeof(a), o->buffered),
				 notes_size(b, sizeof(b), o->capacity),
				 o->readers, o->writers);
		else
			snprintf(text, sizeof(text), "? r%u w%u", o->readers,
				 o->writers);
		draw_gauge(c, o->buffered, o->capacity, text, x, y, w);
		break;
	case OBJ_MSGQ:
		snprintf(text, sizeof(text), "%llu msg%s %s/%s",
			 (unsigned long long)o->stat.count,
			 o->stat.count == 1 ? "" : "s",
			 notes_size(a, sizeof(a), o->stat.bytes),
			 o->stat.limit ? notes_size(b, sizeof(b), o->stat.limit) :
					 "?");
		draw_gauge(c, o->stat.bytes, o->stat.limit, text, x, y, w);
		break;
	case OBJ_SHM:
		if (o->rmid_pending)
			snprintf(text, sizeof(text), "removed, still attached");
		else
			snprintf(text, sizeof(text), "%llu attached",
				 (unsigned long long)o->stat.count);
		frame_puts(c->f, x, y, w, text, ROLE_NORMAL);
		break;
	case OBJ_SOCKET:
		draw_sock_line(c, o, x, y, w);
		break;
	case OBJ_SEM:	/* "?" until an event reads them */
		sem_values_text(text, sizeof(text), o);
		frame_puts(c->f, x, y, w, text[0] ? text : "values ?", ROLE_NORMAL);
		break;
	default:
		break;
	}
}

/* " 1.5KB/s" while data moves (two rolls in a row), else " 14B moved"
 * for a burst, while it is recent; "" when nothing moved */
static void traffic_label(char *out, size_t len, const struct view *v,
			  const struct view_traffic *tr, bool room)
{
	uint64_t burst = tr->burst_in > tr->burst_out ? tr->burst_in :
							tr->burst_out;
	char sz[16];

	out[0] = '\0';
	if (tr->rate && tr->busy >= 2)
		snprintf(out, len, " %sB/s",
			 notes_size(sz, sizeof(sz), tr->rate));
	else if (burst && (recent(v, tr->write_ns) || recent(v, tr->read_ns) ||
			   tr->rate))
		snprintf(out, len, room ? " %sB moved" : " +%sB",
			 notes_size(sz, sizeof(sz), burst));
}

static void draw_object(const struct scene_ctx *c, const struct scene_item *it)
{
	const struct model_object *o = it->obj;
	const struct view_traffic *tr = obj_traffic(c->v, o);
	int x = c->l->col_x[PANE_OBJECTS], w = c->l->col_w[PANE_OBJECTS];
	int y = screen_y(c, it->row), y2 = screen_y(c, it->row + 1);
	enum role role = ROLE_NORMAL;
	char title[IPCS_PATH_LEN * 4 + 32], rate[24] = "";
	int rw = 0;

	if (o->ours)	/* ipcscope's, not the lesson's: quiet */
		role = ROLE_DIM;
	else if (recent(c->v, o->last_ns))
		role = ROLE_FLASH;
	if (is_selected(c, PANE_OBJECTS, it))
		role = ROLE_SELECTED;
	if (y >= 0) {
		object_title(title, sizeof(title), o);
		if (tr && !o->ours)
			traffic_label(rate, sizeof(rate), c->v, tr,
				      w - frame_text_width(title) > 12);
		rw = (int)strlen(rate);
		int used = puts_tail(c->f, x, y, w - rw, title, role);
		if (rw)
			frame_puts(c->f, x + used, y, rw, rate,
				   ROLE_EDGE_ACTIVE);
	}
	if (y2 >= 0 && it->height > 1)
		draw_object_line(c, o, x + 1, y2, w - 1);
}

/* Edges in one gutter: every target (entry or object) with the sources
 * pointing at it forms a bus in its own lane. Where two buses cross, the
 * lane's vertical is drawn through the other's horizontal, so a junction
 * (┼) always means "same edge". */
struct gcell {
	uint8_t own, other;	/* DIR_* bits of the first bus, of others */
	uint8_t active;
	uint32_t mark;
	int32_t owner;
};

static void gpaint(struct gcell *g, int bus, unsigned bits, bool active)
{
	if (g->owner < 0 || g->owner == bus) {
		g->owner = bus;
		g->own |= bits;
	} else {
		g->other |= bits;
	}
	if (active)
		g->active = 1;
}

/* One gutter being drawn: the rows on screen and each bus's extent. */
struct gutter {
	const struct scene_ctx *c;
	enum pane sp, dp;	/* sources on the left, targets on the right */
	int gw, gx, lanes, r0, vh;
	int *top, *bot;		/* rows a bus spans, by target */
	bool *fed;	/* a target with sources: SysV objects have none */
	struct gcell *g;	/* cells of the rows on screen only */
};

/* Column of a target's lane in the gutter, or -1 for a straight line. */
static int lane_x(const struct gutter *gu, const struct scene_item *d)
{
	return d->lane < 0 ? -1 : 1 + d->lane % gu->lanes;
}

static void gutter_buses(struct gutter *gu)
{
	const struct scene_layout *l = gu->c->l;

	for (size_t j = 0; j < l->n[gu->dp]; j++)
		gu->top[j] = gu->bot[j] = l->items[gu->dp][j].row;
	for (size_t i = 0; i < l->n[gu->sp]; i++) {
		const struct scene_item *s = &l->items[gu->sp][i];
		int t = s->target;

		if (t < 0)
			continue;
		gu->fed[t] = true;
		if (s->row < gu->top[t])
			gu->top[t] = s->row;
		if (s->row > gu->bot[t])
			gu->bot[t] = s->row;
	}
}

/* Verticals first so they own the cells they pass through: one per bus,
 * from its top source (or target) to its bottom one. */
static void gutter_verticals(struct gutter *gu)
{
	const struct scene_layout *l = gu->c->l;
	int r0 = gu->r0, vh = gu->vh, gw = gu->gw;

	for (size_t j = 0; j < l->n[gu->dp]; j++) {
		int lx = lane_x(gu, &l->items[gu->dp][j]);
		int top = gu->top[j], bot = gu->bot[j];
		int from = top > r0 ? top : r0;
		int to = bot < r0 + vh - 1 ? bot : r0 + vh - 1;

		if (lx < 0)
			continue;
		for (int r = from; r <= to; r++) {
			unsigned bits = (r > top ? DIR_N : 0) |
					(r < bot ? DIR_S : 0);

			gpaint(&gu->g[(r - r0) * gw + lx], (int)j + 1, bits,
			       false);
		}
	}
}

/* Horizontals: source to lane (all the way when on the target's row),
 * with a marker where data moved just now (entry to object only). */
static void gutter_horizontals(struct gutter *gu, bool marks)
{
	const struct scene_ctx *c = gu->c;
	const struct scene_layout *l = c->l;
	int r0 = gu->r0, vh = gu->vh, gw = gu->gw;

	for (size_t i = 0; i < l->n[gu->sp]; i++) {
		const struct scene_item *s = &l->items[gu->sp][i];
		const struct view_traffic *tr;
		bool active = false;
		uint32_t mark = 0;
		int lx, end;

		if (s->target < 0 || s->row < r0 || s->row >= r0 + vh)
			continue;
		lx = lane_x(gu, &l->items[gu->dp][s->target]);
		if (marks && !(s->obj && s->obj->ours) &&
		    (tr = file_traffic(c->v, s->file))) {
			bool wr = recent(c->v, tr->write_ns);
			bool rd = recent(c->v, tr->read_ns);

			active = wr || rd;
			mark = wr ? GLYPH_WRITE(c->f) :
			       rd ? GLYPH_READ(c->f) :
				    0;
		}
		end = lx < 0 ? gw - 1 : lx;
		for (int x = 0; x <= end; x++) {
			unsigned bits = DIR_W | (x < end ? DIR_E : 0);

			if (lx < 0)
				bits |= DIR_E;
			gpaint(&gu->g[(s->row - r0) * gw + x], s->target + 1,
			       bits, active);
		}
		if (mark)
			gu->g[(s->row - r0) * gw].mark = mark;
	}
}

/* Lane to target, and the arrow. */
static void gutter_arrows(struct gutter *gu)
{
	const struct scene_layout *l = gu->c->l;
	int r0 = gu->r0, vh = gu->vh, gw = gu->gw;

	for (size_t j = 0; j < l->n[gu->dp]; j++) {
		const struct scene_item *d = &l->items[gu->dp][j];
		int lx = lane_x(gu, d);

		if (d->row < r0 || d->row >= r0 + vh || !gu->fed[j])
			continue;
		if (lx >= 0)
			for (int x = lx; x < gw; x++)
				gpaint(&gu->g[(d->row - r0) * gw + x],
				       (int)j + 1, DIR_E | (x > lx ? DIR_W : 0),
				       false);
		gu->g[(d->row - r0) * gw + gw - 1].mark = GLYPH_ARROW(gu->c->f);
	}
}

/* The painted cells to the frame; a crossing shows as the lane's line. */
static void gutter_put(const struct gutter *gu)
{
	const struct scene_ctx *c = gu->c;

	for (int r = 0; r < gu->vh; r++) {
		int y = c->l->graph_y + r;

		for (int x = 0; x < gu->gw; x++) {
			const struct gcell *e = &gu->g[r * gu->gw + x];
			unsigned m = e->own | e->other;
			uint32_t ch;

			if (!m && !e->mark)
				continue;
			if (e->other && (((e->own & (DIR_N | DIR_S)) &&
					  !(e->own & (DIR_E | DIR_W))) ||
					 ((e->other & (DIR_N | DIR_S)) &&
					  !(e->other & (DIR_E | DIR_W)))))
				m = DIR_N | DIR_S;	/* a crossing */
			ch = e->mark ? e->mark : line_glyph(m, c->f->ascii);
			frame_put(c->f, gu->gx + x, y, ch,
				  e->active ? ROLE_EDGE_ACTIVE : ROLE_EDGE);
		}
	}
}

static void draw_gutter(const struct scene_ctx *c, int gi)
{
	const struct scene_layout *l = c->l;
	struct gutter gu = {
		.c = c,
		.sp = gi ? PANE_FILES : PANE_FDS,
		.dp = gi ? PANE_OBJECTS : PANE_FILES,
		.gw = l->gut_w[gi],
		.gx = l->gut_x[gi],
		.lanes = l->gut_w[gi] - 2,
		.r0 = c->v->scroll,
		.vh = l->graph_h,
	};
	size_t nd = l->n[gu.dp];

	if (gu.gw < 3 || gu.vh <= 0 || !nd)
		return;
	/* cells of the rows on screen only: the graph may be 20,000 rows */
	gu.g = calloc((size_t)gu.vh * gu.gw, sizeof(*gu.g));
	gu.top = malloc(nd * sizeof(*gu.top));
	gu.bot = malloc(nd * sizeof(*gu.bot));
	gu.fed = calloc(nd, sizeof(*gu.fed));
	if (gu.g && gu.top && gu.bot && gu.fed) {
		for (size_t i = 0; i < (size_t)gu.vh * gu.gw; i++)
			gu.g[i].owner = -1;
		gutter_buses(&gu);
		gutter_verticals(&gu);
		gutter_horizontals(&gu, gi);
		gutter_arrows(&gu);
		gutter_put(&gu);
	}
	free(gu.top);
	free(gu.bot);
	free(gu.fed);
	free(gu.g);
}

void draw_graph(const struct scene_ctx *c)
{
	const struct scene_layout *l = c->l;

	if (!l->n[PANE_PROCS]) {
		char text[128];
		int y = l->graph_y + l->graph_h / 2;

		if (l->nprocs_hidden)
			snprintf(text, sizeof(text),
				 "%zu processes hidden: 'a' shows all, '/' changes the filter",
				 l->nprocs_hidden);
		else
			snprintf(text, sizeof(text), "waiting for processes...");
		int tw = frame_text_width(text);
		frame_puts(c->f, tw < l->w ? (l->w - tw) / 2 : 0, y, l->w, text,
			   ROLE_DIM);
		return;
	}
	draw_gutter(c, 0);
	draw_gutter(c, 1);
	for (size_t i = 0; i < l->n[PANE_PROCS]; i++)
		draw_proc(c, &l->items[PANE_PROCS][i]);
	for (size_t i = 0; i < l->n[PANE_FDS]; i++)
		draw_fd(c, &l->items[PANE_FDS][i]);
	for (size_t i = 0; i < l->n[PANE_FILES]; i++)
		draw_file(c, &l->items[PANE_FILES][i]);
	for (size_t i = 0; i < l->n[PANE_OBJECTS]; i++)
		draw_object(c, &l->items[PANE_OBJECTS][i]);
}
