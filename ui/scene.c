// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The scene (see scene.h): where processes, fds, open-file entries and
 * objects go, how edges are routed between them, and drawing all of it,
 * the event log, the status bar and the help and detail boxes into a
 * frame. Reads the model and the view; writes only the frame.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "escape.h"
#include "output.h"
#include "scene.h"

/* ---- text helpers ------------------------------------------------------ */

/* notes.c's name for escape_text(): the one escaper is tracer/escape.c */
size_t scene_escape(char *out, size_t outlen, const void *in, size_t inlen)
{
	return escape_text(out, outlen, in, inlen);
}

/* Escapes a NUL-terminated field of at most max bytes. */
static const char *esc_field(char *out, size_t outlen, const char *in,
			     size_t max)
{
	escape_text(out, outlen, in, strnlen(in, max));
	return out;
}

const char *scene_size(char *out, size_t outlen, uint64_t n)
{
	static const char units[] = "KMGTPE";
	double d = n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, outlen, "%llu", (unsigned long long)n);
		return out;
	}
	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (d < 10 && d != (int)d)
		snprintf(out, outlen, "%.1f%c", d, units[u]);
	else
		snprintf(out, outlen, "%.0f%c", d, units[u]);
	return out;
}

/* ---- glyphs ------------------------------------------------------------ */

enum { DIR_N = 1, DIR_S = 2, DIR_E = 4, DIR_W = 8 };

static uint32_t line_glyph(unsigned mask, bool ascii)
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

#define G(f, uni, asc) ((f)->ascii ? (uint32_t)(asc) : (uint32_t)(uni))
#define GLYPH_ARROW(f) G(f, 0x25b8, '>')	/* ▸ */
#define GLYPH_WRITE(f) G(f, 0x00bb, '>')	/* » */
#define GLYPH_READ(f) G(f, 0x00ab, '<')		/* « */
#define GLYPH_FULL(f) G(f, 0x2588, '#')		/* █ */
#define GLYPH_EMPTY(f) G(f, 0x2591, '.')	/* ░ */
#define GLYPH_ELLIPSIS(f) G(f, 0x2026, '~')	/* … */
#define GLYPH_WAIT(f) G(f, 0x25f7, 'z')		/* ◷ blocked in a syscall */

/* ---- which processes ---------------------------------------------------- */

static bool holds_pipe(const struct model_proc *p)
{
	const struct model_table *t = p->table;

	if (!t)
		return false;
	for (int i = 0; i < t->nfds; i++) {
		const struct model_file *f = t->fds[i].file;

		if (f && f->obj &&
		    (f->obj->kind == OBJ_PIPE || f->obj->kind == OBJ_FIFO))
			return true;
	}
	return false;
}

/* Active: an event lately, or holding a pipe someone may be waiting on. */
static bool proc_active(const struct view *v, const struct model_proc *p)
{
	if (v->now_ns <= v->active_ns || p->last_ns + v->active_ns >= v->now_ns)
		return true;
	return holds_pipe(p);
}

/* ---- layout ------------------------------------------------------------- */

static void columns(struct scene_layout *l)
{
	int extra = l->w > SCENE_MIN_W ? l->w - SCENE_MIN_W : 0;
	int x = 0;

	l->col_w[PANE_PROCS] = 20 + (extra / 6 > 12 ? 12 : extra / 6);
	l->col_w[PANE_FDS] = 9;
	l->gut_w[0] = 6 + (extra / 10 > 8 ? 8 : extra / 10);
	l->col_w[PANE_FILES] = 16 + (extra / 10 > 8 ? 8 : extra / 10);
	l->gut_w[1] = 4 + (extra / 20 > 4 ? 4 : extra / 20);
	l->col_x[PANE_PROCS] = x;
	x += l->col_w[PANE_PROCS];
	l->col_x[PANE_FDS] = x;
	x += l->col_w[PANE_FDS];
	l->gut_x[0] = x;
	x += l->gut_w[0];
	l->col_x[PANE_FILES] = x;
	x += l->col_w[PANE_FILES];
	l->gut_x[1] = x;
	x += l->gut_w[1];
	l->col_x[PANE_OBJECTS] = x;
	l->col_w[PANE_OBJECTS] = l->w - x;
}

struct vec {
	struct scene_item *v;
	size_t n, cap;
};

static struct scene_item *vec_add(struct vec *vec)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		struct scene_item *nv = realloc(vec->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		vec->v = nv;
		vec->cap = cap;
	}
	memset(&vec->v[vec->n], 0, sizeof(vec->v[0]));
	vec->v[vec->n].lane = -1;
	return &vec->v[vec->n++];
}

struct tree {
	struct model_proc **procs;	/* shown, sorted by pid */
	size_t n;
	ssize_t *first_child, *next_sibling;
	bool *visited;
};

static ssize_t tree_index(const struct tree *t, uint32_t pid)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->procs[mid]->pid == pid)
			return mid;
		if (t->procs[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Rows of one process: its fds, or one line saying whose table it shares. */
static int add_proc(struct scene_layout *l, struct vec *pv, struct vec *fv,
		    struct hmap *tables_seen, int row,
		    const struct model_proc *p, int depth, uint32_t bars,
		    bool last, bool has_children)
{
	struct scene_item *it = vec_add(pv);
	int nfds = 0;

	if (!it)
		return -ENOMEM;
	it->a = p->pid;
	it->b = p->start;
	it->row = row;
	it->proc = p;
	it->depth = depth;
	it->tree_bars = bars;
	it->last_child = last;
	it->has_children = has_children;
	if (p->table) {
		const struct model_proc *owner =
			hmap_get(tables_seen, (uintptr_t)p->table, 0);

		if (owner && owner != p) {
			it->shares_with = owner->pid;
		} else {
			if (hmap_put(tables_seen, (uintptr_t)p->table, 0,
				     (void *)p))
				return -ENOMEM;
			for (int fd = 0; fd < p->table->nfds; fd++) {
				const struct model_fd *s = &p->table->fds[fd];
				struct scene_item *fi;

				if (!s->file)
					continue;
				fi = vec_add(fv);
				if (!fi)
					return -ENOMEM;
				fi->a = p->pid;
				fi->b = (uint64_t)fd;
				fi->row = row + nfds++;
				fi->height = 1;
				fi->proc = p;
				fi->file = s->file;
				fi->obj = s->file->obj;
				fi->fd = fd;
				fi->cloexec = s->cloexec;
			}
		}
	}
	it->height = nfds > 1 ? nfds : 1;
	if (p->exited && it->height < 2)
		it->height = 2;
	(void)l;
	return it->height;
}

static int build_tree(struct scene_layout *l, const struct view *v,
		      struct tree *t, struct vec *pv, struct vec *fv)
{
	struct hmap seen = { 0 };
	ssize_t *stack = NULL;
	int *depth = NULL;
	uint32_t *bars = NULL;
	int row = 0, err = 0;
	size_t sp = 0;

	t->first_child = malloc(t->n * sizeof(ssize_t) + 1);
	t->next_sibling = malloc(t->n * sizeof(ssize_t) + 1);
	t->visited = calloc(t->n + 1, 1);
	stack = malloc((t->n + 1) * sizeof(*stack));
	depth = malloc((t->n + 1) * sizeof(*depth));
	bars = malloc((t->n + 1) * sizeof(*bars));
	if (!t->first_child || !t->next_sibling || !t->visited || !stack ||
	    !depth || !bars) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t->n; i++)
		t->first_child[i] = t->next_sibling[i] = -1;
	/* children lists in pid order: walk backwards and prepend */
	for (size_t i = t->n; i-- > 0;) {
		ssize_t parent = t->procs[i]->ppid != t->procs[i]->pid ?
					 tree_index(t, t->procs[i]->ppid) :
					 -1;

		if (parent >= 0) {
			t->next_sibling[i] = t->first_child[parent];
			t->first_child[parent] = i;
		}
	}
	/* roots first (no shown parent), then anything left (cycles) */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < t->n; r++) {
			ssize_t parent = tree_index(t, t->procs[r]->ppid);

			if (t->visited[r])
				continue;
			if (!pass && parent >= 0 &&
			    t->procs[r]->ppid != t->procs[r]->pid)
				continue;
			stack[0] = r;
			depth[0] = 0;
			bars[0] = 0;
			sp = 1;
			while (sp) {
				ssize_t i = stack[--sp], c;
				int d = depth[sp];
				uint32_t b = bars[sp];
				bool last = t->next_sibling[i] < 0;
				int h;

				t->visited[i] = true;
				h = add_proc(l, pv, fv, &seen, row, t->procs[i],
					     d, b, last,
					     t->first_child[i] >= 0);
				if (h < 0) {
					err = h;
					goto out;
				}
				row += h;
				/* push children in reverse so the lowest pid
				 * comes out first */
				size_t start = sp;

				for (c = t->first_child[i]; c >= 0;
				     c = t->next_sibling[c]) {
					if (t->visited[c])
						continue;
					stack[sp] = c;
					depth[sp] = d + 1;
					bars[sp] = b;
					if (d >= 1 && d < 32 && !last)
						bars[sp] |= 1u << d;
					sp++;
				}
				for (size_t x = start, y = sp; x + 1 < y; x++, y--) {
					ssize_t ts = stack[x];
					int td = depth[x];
					uint32_t tb = bars[x];

					stack[x] = stack[y - 1];
					depth[x] = depth[y - 1];
					bars[x] = bars[y - 1];
					stack[y - 1] = ts;
					depth[y - 1] = td;
					bars[y - 1] = tb;
				}
			}
		}
	}
	l->rows = row;
	(void)v;
out:
	hmap_free(&seen);
	free(stack);
	free(depth);
	free(bars);
	return err;
}

struct place {
	size_t item;	/* index in the destination vector */
	int want;	/* median row of what points at it */
	unsigned id;	/* tie break: file id, or first seen */
};

static int cmp_place(const void *a, const void *b)
{
	const struct place *x = a, *y = b;

	if (x->want != y->want)
		return x->want < y->want ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Rows an object takes: its name, then a gauge or what it is connected
 * to, for the kinds that have one. */
static int obj_height(const struct model_object *o)
{
	switch (o->kind) {
	case OBJ_PIPE:
	case OBJ_FIFO:
	case OBJ_SOCKET:
	case OBJ_MSGQ:
	case OBJ_SHM:
		return 2;
	default:
		return 1;
	}
}

/* Puts the targets in the order they were placed in (by row, so lists
 * and key moves follow the screen) and points the sources' .target at
 * the new places. */
static int reorder(struct vec *src, struct vec *dst, const struct place *pl)
{
	struct scene_item *sorted;
	int *where;
	size_t n = dst->n;

	if (!n)
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	where = malloc(n * sizeof(*where));
	if (!sorted || !where) {
		free(sorted);
		free(where);
		return -ENOMEM;
	}
	for (size_t j = 0; j < n; j++) {
		sorted[j] = dst->v[pl[j].item];
		where[pl[j].item] = (int)j;
	}
	for (size_t i = 0; i < src->n; i++)
		if (src->v[i].target >= 0)
			src->v[i].target = where[src->v[i].target];
	free(dst->v);
	dst->v = sorted;
	dst->cap = n;
	free(where);
	return 0;
}

/* Places the items of dst that the items of src point at (through
 * src[i].file or .obj) on the row of one of their sources, the median one,
 * in that order: edges cross little, and a target's row never holds
 * another target's source, so two horizontal edges never share a row. */
static int place_targets(struct vec *src, struct vec *dst, enum pane dpane,
			 int *rows)
{
	struct hmap idx = { 0 };
	struct place *pl = NULL;
	size_t *off = NULL, *fill = NULL;
	int *srows = NULL, maxrow = 0;
	bool *busy = NULL;
	int row = 0, err = 0;

	for (size_t i = 0; i < src->n; i++) {
		const void *key = dpane == PANE_FILES ? (const void *)src->v[i].file :
							(const void *)src->v[i].obj;
		uintptr_t k;

		if (!key) {
			src->v[i].target = -1;
			continue;
		}
		k = (uintptr_t)hmap_get(&idx, (uintptr_t)key, 0);
		if (!k) {
			struct scene_item *d = vec_add(dst);

			if (!d || hmap_put(&idx, (uintptr_t)key, 0,
					   (void *)(uintptr_t)dst->n)) {
				err = -ENOMEM;
				goto out;
			}
			k = dst->n;
			if (dpane == PANE_FILES) {
				d->file = src->v[i].file;
				d->obj = d->file->obj;
				d->a = d->file->kaddr;
				d->b = d->file->id;
				d->height = 1;
			} else {
				d->obj = src->v[i].obj;
				d->a = d->obj->dev;
				d->b = d->obj->ino;
				d->height = obj_height(d->obj);
			}
		}
		src->v[i].target = (int)(k - 1);
	}
	for (size_t i = 0; i < src->n; i++)
		if (src->v[i].row > maxrow)
			maxrow = src->v[i].row;
	pl = calloc(dst->n + 1, sizeof(*pl));
	off = calloc(dst->n + 1, sizeof(*off));
	fill = calloc(dst->n + 1, sizeof(*fill));
	srows = calloc(src->n + 1, sizeof(*srows));
	busy = calloc((size_t)maxrow + 2, sizeof(*busy));
	if (!pl || !off || !fill || !srows || !busy) {
		err = -ENOMEM;
		goto out;
	}
	/* rows holding a source: another target's row must not be one */
	for (size_t i = 0; i < src->n; i++)
		if (src->v[i].target >= 0)
			busy[src->v[i].row] = true;
	/* source rows grouped by target, sorted */
	for (size_t i = 0; i < src->n; i++)
		if (src->v[i].target >= 0)
			off[src->v[i].target + 1]++;
	for (size_t j = 0; j < dst->n; j++)
		off[j + 1] += off[j];
	for (size_t i = 0; i < src->n; i++) {
		int t = src->v[i].target;

		if (t >= 0)
			srows[off[t] + fill[t]++] = src->v[i].row;
	}
	/* sources come in row order, so each group is sorted already */
	for (size_t j = 0; j < dst->n; j++) {
		pl[j].item = j;
		pl[j].want = fill[j] ? srows[off[j] + (fill[j] - 1) / 2] : 0;
		pl[j].id = dpane == PANE_FILES ? dst->v[j].file->id : (unsigned)j;
	}
	qsort(pl, dst->n, sizeof(*pl), cmp_place);
	for (size_t j = 0; j < dst->n; j++) {
		size_t t = pl[j].item;
		struct scene_item *d = &dst->v[t];

		d->row = pl[j].want;
		if (d->row < row) {
			/* pushed down: the next row of a source of its own,
			 * or one with no source, whichever comes first */
			size_t k = 0;

			d->row = row;
			while (k < fill[t] && srows[off[t] + k] < row)
				k++;
			while (d->row <= maxrow && busy[d->row] &&
			       !(k < fill[t] && srows[off[t] + k] == d->row)) {
				d->row++;
				while (k < fill[t] && srows[off[t] + k] < d->row)
					k++;
			}
		}
		row = d->row + d->height;
	}
	*rows = row;
	err = reorder(src, dst, pl);
out:
	hmap_free(&idx);
	free(pl);
	free(off);
	free(fill);
	free(srows);
	free(busy);
	return err;
}

/* Gives every bus (a target and its sources) a lane in the gutter: greedy
 * interval colouring by top row, so overlapping buses never share one. */
static int assign_lanes(struct vec *src, struct vec *dst, int lanes)
{
	int *top = malloc((dst->n + 1) * sizeof(int));
	int *bot = malloc((dst->n + 1) * sizeof(int));
	size_t *order = malloc((dst->n + 1) * sizeof(size_t));
	int *lane_end = calloc(lanes > 0 ? lanes : 1, sizeof(int));

	if (!top || !bot || !order || !lane_end) {
		free(top);
		free(bot);
		free(order);
		free(lane_end);
		return -ENOMEM;
	}
	for (size_t j = 0; j < dst->n; j++) {
		top[j] = bot[j] = dst->v[j].row;
		order[j] = j;
	}
	for (size_t i = 0; i < src->n; i++) {
		int t = src->v[i].target;

		if (t < 0)
			continue;
		if (src->v[i].row < top[t])
			top[t] = src->v[i].row;
		if (src->v[i].row > bot[t])
			bot[t] = src->v[i].row;
	}
	/* insertion sort by top row: dst is already nearly in that order */
	for (size_t j = 1; j < dst->n; j++) {
		size_t k = order[j], x = j;

		while (x > 0 && top[order[x - 1]] > top[k]) {
			order[x] = order[x - 1];
			x--;
		}
		order[x] = k;
	}
	for (int k = 0; k < lanes; k++)
		lane_end[k] = -1;
	for (size_t j = 0; j < dst->n; j++) {
		size_t t = order[j];
		int best = -1;

		if (top[t] == bot[t]) {
			dst->v[t].lane = -1;	/* a straight line */
			continue;
		}
		for (int k = 0; k < lanes; k++) {
			if (lane_end[k] < top[t]) {
				best = k;
				break;
			}
		}
		if (best < 0)	/* more buses than lanes: share one */
			best = (int)(j % (lanes > 0 ? lanes : 1));
		if (lanes > 0 && bot[t] > lane_end[best])
			lane_end[best] = bot[t];
		dst->v[t].lane = best;
	}
	free(top);
	free(bot);
	free(order);
	free(lane_end);
	return 0;
}

static bool is_sysv(const struct model_object *o)
{
	return o->kind == OBJ_MSGQ || o->kind == OBJ_SHM || o->kind == OBJ_SEM;
}

struct sysv_place {
	const struct model_object *o;
	int want;	/* row of the first shown process using it */
};

static int cmp_sysv(const void *a, const void *b)
{
	const struct sysv_place *x = a, *y = b;

	if (x->want != y->want)
		return x->want < y->want ? -1 : 1;
	if (x->o->kind != y->o->kind)
		return x->o->kind < y->o->kind ? -1 : 1;
	return x->o->ino < y->o->ino ? -1 : x->o->ino > y->o->ino;
}

static void want_row(struct sysv_place *sp, const struct hmap *idx,
		     const struct model_object *o, int row)
{
	uintptr_t k = o ? (uintptr_t)hmap_get(idx, o->dev, o->ino) : 0;

	if (k && row < sp[k - 1].want)
		sp[k - 1].want = row;
}

/* Which SysV objects to show: the ones a shown process uses; without a
 * filter also the ones events touched (lately, unless all are shown),
 * and with all shown on the whole system even those only the snapshot
 * listed. */
static bool sysv_shown(const struct view *v, const struct sysv_place *sp)
{
	const struct model_object *o = sp->o;
	bool seen = o->last_ns != 0;

	if (sp->want != INT_MAX)
		return true;
	if (v->filter[0])
		return false;
	if (v->show_all)
		return seen || !v->target;
	return seen && o->last_ns + v->active_ns >= v->now_ns;
}

/* SysV objects have no fds, hence no edges: they go in the objects
 * column at the row of a process that uses them (attached to a segment,
 * last to send or receive on a queue), in the first gap that fits, or
 * below everything. The sources' .target are kept pointing right. */
static int place_sysv(const struct model *m, const struct view *v,
		      const struct vec *procs, struct vec *files,
		      struct vec *objs, int *rows)
{
	struct sysv_place *sp = NULL;
	struct hmap idx = { 0 }, pidrow = { 0 };
	struct scene_item *merged = NULL;
	int *where = NULL, row = 0, err = 0;
	size_t n = 0, cap = 0, shown = 0, k = 0;

	hmap_for_each(&m->objects, s) {
		const struct model_object *o = s->val;

		if (!is_sysv(o) || !o->sysv_alive)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct sysv_place *np = realloc(sp, nc * sizeof(*np));

			if (!np) {
				err = -ENOMEM;
				goto out;
			}
			sp = np;
			cap = nc;
		}
		sp[n] = (struct sysv_place){ o, INT_MAX };
		if (hmap_put(&idx, o->dev, o->ino, (void *)(uintptr_t)++n)) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (!n)
		goto out;
	for (size_t i = 0; i < procs->n; i++) {
		const struct scene_item *it = &procs->v[i];
		const struct model_proc *p = it->proc;

		if (hmap_put(&pidrow, p->pid, 0, (void *)(uintptr_t)(it->row + 1))) {
			err = -ENOMEM;
			goto out;
		}
		for (size_t j = 0; j < p->nmaps; j++)
			want_row(sp, &idx, p->maps[j].shm, it->row);
	}
	for (size_t i = 0; i < n; i++) {
		const struct model_object *o = sp[i].o;
		uintptr_t r;

		if (o->kind != OBJ_MSGQ)
			continue;
		if ((r = (uintptr_t)hmap_get(&pidrow, o->last_writer, 0)))
			want_row(sp, &idx, o, (int)r - 1);
		if ((r = (uintptr_t)hmap_get(&pidrow, o->last_reader, 0)))
			want_row(sp, &idx, o, (int)r - 1);
	}
	for (size_t i = 0; i < n; i++)
		if (sysv_shown(v, &sp[i]))
			sp[shown++] = sp[i];
	if (!shown)
		goto out;
	qsort(sp, shown, sizeof(*sp), cmp_sysv);
	merged = malloc((objs->n + shown) * sizeof(*merged));
	where = malloc((objs->n + 1) * sizeof(*where));
	if (!merged || !where) {
		err = -ENOMEM;
		goto out;
	}
	/* objs is sorted by row: walk it along, filling gaps */
	size_t out_n = 0;
	for (size_t i = 0; i < shown; i++) {
		int h = obj_height(sp[i].o);
		int want = sp[i].want == INT_MAX ? *rows : sp[i].want;
		struct scene_item *it;

		if (want > row)
			row = want;
		for (;;) {
			const struct scene_item *d;

			if (k == objs->n)
				break;
			d = &objs->v[k];
			if (d->row + d->height <= row) {
				where[k] = (int)out_n;
				merged[out_n++] = *d;
				k++;
				continue;
			}
			if (d->row >= row + h)
				break;
			row = d->row + d->height;	/* overlaps: below it */
		}
		it = &merged[out_n++];
		memset(it, 0, sizeof(*it));
		it->obj = sp[i].o;
		it->a = sp[i].o->dev;
		it->b = sp[i].o->ino;
		it->row = row;
		it->height = h;
		it->lane = -1;
		it->target = -1;
		row += h;
	}
	for (; k < objs->n; k++) {
		where[k] = (int)out_n;
		merged[out_n++] = objs->v[k];
	}
	for (size_t i = 0; i < files->n; i++)
		if (files->v[i].target >= 0)
			files->v[i].target = where[files->v[i].target];
	free(objs->v);
	objs->v = merged;
	objs->n = objs->cap = out_n;
	merged = NULL;
	if (row > *rows)
		*rows = row;
out:
	hmap_free(&idx);
	hmap_free(&pidrow);
	free(sp);
	free(merged);
	free(where);
	return err;
}

void scene_layout_free(struct scene_layout *l)
{
	for (int p = 0; p < PANE__COUNT; p++) {
		free(l->items[p]);
		l->items[p] = NULL;
		l->n[p] = 0;
	}
}

int scene_layout(struct scene_layout *l, const struct model *m,
		 const struct view *v, int w, int h)
{
	struct vec vecs[PANE__COUNT] = { 0 };
	struct model_proc **all;
	struct tree t = { 0 };
	size_t nall;
	int rows, err = 0;

	memset(l, 0, sizeof(*l));
	l->w = w;
	l->h = h;
	if (w < SCENE_MIN_W || h < SCENE_MIN_H) {
		l->too_small = true;
		return 0;
	}
	columns(l);
	l->graph_y = 1;
	l->graph_h = h - 2;
	if (v->show_output) {
		l->out_h = (h - 2) / 4;
		l->out_h = l->out_h < 5 ? 5 : l->out_h > 9 ? 9 : l->out_h;
		l->graph_h -= l->out_h;
		l->out_y = l->graph_y + l->graph_h;
	}
	if (v->show_log) {
		l->log_h = (h - 2) / 3 > 6 ? (h - 2) / 3 : 6;
		l->graph_h -= l->log_h;
		l->log_y = l->graph_y + l->graph_h;
	}

	all = model_procs_sorted(m, &nall);
	if (!all && nall)
		return -ENOMEM;
	t.procs = malloc((nall + 1) * sizeof(*t.procs));
	if (!t.procs) {
		free(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nall; i++) {
		char comm[IPCS_COMM_LEN * 4 + 1];

		esc_field(comm, sizeof(comm), all[i]->comm, IPCS_COMM_LEN);
		if (!view_filter_match(v, all[i]->pid, comm) ||
		    (!v->show_all && !proc_active(v, all[i]))) {
			l->nprocs_hidden++;
			continue;
		}
		t.procs[t.n++] = all[i];
	}
	free(all);

	err = build_tree(l, v, &t, &vecs[PANE_PROCS], &vecs[PANE_FDS]);
	if (err)
		goto out;
	err = place_targets(&vecs[PANE_FDS], &vecs[PANE_FILES], PANE_FILES,
			    &rows);
	if (err)
		goto out;
	if (rows > l->rows)
		l->rows = rows;
	err = place_targets(&vecs[PANE_FILES], &vecs[PANE_OBJECTS],
			    PANE_OBJECTS, &rows);
	if (err)
		goto out;
	if (rows > l->rows)
		l->rows = rows;
	err = assign_lanes(&vecs[PANE_FDS], &vecs[PANE_FILES], l->gut_w[0] - 2);
	if (!err)
		err = assign_lanes(&vecs[PANE_FILES], &vecs[PANE_OBJECTS],
				   l->gut_w[1] - 2);
	if (err)
		goto out;
	rows = l->rows;
	err = place_sysv(m, v, &vecs[PANE_PROCS], &vecs[PANE_FILES],
			 &vecs[PANE_OBJECTS], &rows);
	if (err)
		goto out;
	l->rows = rows;
	for (int p = 0; p < PANE__COUNT; p++) {
		l->items[p] = vecs[p].v;
		l->n[p] = vecs[p].n;
		vecs[p].v = NULL;
	}
out:
	for (int p = 0; p < PANE__COUNT; p++)
		free(vecs[p].v);
	free(t.procs);
	free(t.first_child);
	free(t.next_sibling);
	free(t.visited);
	return err;
}

const struct scene_item *scene_find(const struct scene_layout *l,
				    enum pane pane, uint64_t a, uint64_t b,
				    size_t *index)
{
	if (pane >= PANE__COUNT)
		return NULL;
	for (size_t i = 0; i < l->n[pane]; i++) {
		if (l->items[pane][i].a == a && l->items[pane][i].b == b) {
			if (index)
				*index = i;
			return &l->items[pane][i];
		}
	}
	return NULL;
}

/* ---- drawing ------------------------------------------------------------ */

struct ctx {
	struct frame *f;
	const struct scene_layout *l;
	const struct view *v;
	const struct model *m;
};

/* Screen row of a graph row, or -1 when scrolled out of sight. */
static int screen_y(const struct ctx *c, int row)
{
	int r = row - c->v->scroll;

	if (r < 0 || r >= c->l->graph_h)
		return -1;
	return c->l->graph_y + r;
}

static bool is_selected(const struct ctx *c, enum pane pane,
			const struct scene_item *it)
{
	return c->v->have_sel && c->v->sel.pane == pane &&
	       c->v->sel.a == it->a && c->v->sel.b == it->b;
}

static bool recent(const struct view *v, uint64_t ts)
{
	return ts && ts <= v->now_ns + v->flash_ns &&
	       ts + v->flash_ns > v->now_ns;
}

static const struct view_traffic *file_traffic(const struct view *v,
					       const struct model_file *f)
{
	return v->file_traffic ? hmap_get(v->file_traffic, f->kaddr, 0) : NULL;
}

static const struct view_traffic *obj_traffic(const struct view *v,
					      const struct model_object *o)
{
	return v->obj_traffic ? hmap_get(v->obj_traffic, o->dev, o->ino) : NULL;
}

/* The end of s that fits in maxw columns, with an ellipsis in front when
 * cut: paths are told apart by their ends. */
static int puts_tail(struct frame *f, int x, int y, int maxw, const char *s,
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

/* ---- what processes wait for, what objects are connected to --------- */

static bool proc_waits(const struct model_proc *p)
{
	return !p->exited && p->wait != WAIT_NONE && p->wait < WAIT__COUNT;
}

/* "read fd3", "msgrcv": the PROCESSES column's short form */
static const char *wait_short(char *out, size_t len, const struct model_proc *p)
{
	if (p->wait_fd >= 0)
		snprintf(out, len, "%s fd%d", model_wait_name(p->wait),
			 p->wait_fd);
	else
		snprintf(out, len, "%s", model_wait_name(p->wait));
	return out;
}

static const struct model_file *proc_fd_file(const struct model_proc *p,
					     int fd)
{
	const struct model_table *t = p->table;

	if (!t || fd < 0 || fd >= t->nfds)
		return NULL;
	return t->fds[fd].file;
}

/* "blocked in read on fd 3: f2 pipe:[51234], empty, 1 writer" */
static const char *wait_words(char *out, size_t len, const struct model_proc *p)
{
	const struct model_file *file = proc_fd_file(p, p->wait_fd);
	const struct model_object *o = file ? file->obj : NULL;
	char name[IPCS_PATH_LEN * 4 + 1], why[64] = "";
	size_t n;

	n = (size_t)snprintf(out, len, "blocked in %s", model_wait_name(p->wait));
	if (n < len && p->wait_fd >= 0)
		n += (size_t)snprintf(out + n, len - n, " on fd %d", p->wait_fd);
	if (n >= len || !file)
		return out;
	if (o && (o->kind == OBJ_PIPE || o->kind == OBJ_FIFO)) {
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

/* A socket's addresses and peer, escaped (paths are untrusted). */
struct sock_text {
	char local[IPCS_SOCKADDR_MAX * 4 + 1];
	char remote[IPCS_SOCKADDR_MAX * 4 + 1];
	char peer[IPCS_PATH_LEN * 4 + 1];
	const char *proto;	/* "unix stream", "tcp", ... */
};

static void inet_text(char *out, size_t len, uint32_t addr, uint16_t port)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	snprintf(out, len, "%s:%u", ip, port);
}

static void sock_text(struct sock_text *st, const struct model_object *o)
{
	const struct ipcs_sock_info *si = &o->sock;
	char raw[IPCS_SOCKADDR_MAX];
	bool inet = si->family == AF_INET;

	esc_field(st->local, sizeof(st->local), o->local, sizeof(o->local));
	esc_field(st->remote, sizeof(st->remote), o->remote, sizeof(o->remote));
	esc_field(st->peer, sizeof(st->peer), o->peer, sizeof(o->peer));
	if (!st->local[0] && inet && si->lport) {
		inet_text(raw, sizeof(raw), si->laddr, si->lport);
		snprintf(st->local, sizeof(st->local), "%s", raw);
	}
	if (!st->remote[0] && inet && si->rport) {
		inet_text(raw, sizeof(raw), si->raddr, si->rport);
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

/* The socket's second row: what it is connected to, the peer first. */
static void draw_sock_line(const struct ctx *c, const struct model_object *o,
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

static void draw_proc(const struct ctx *c, const struct scene_item *it)
{
	struct frame *f = c->f;
	const struct model_proc *p = it->proc;
	int x0 = c->l->col_x[PANE_PROCS], w = c->l->col_w[PANE_PROCS] - 1;
	int d = it->depth, maxd = (w - 8) / 2;
	enum role role = p->exited ? ROLE_DIM : ROLE_NORMAL;
	uint32_t vbar = G(f, 0x2502, '|');
	char comm[IPCS_COMM_LEN * 4 + 1], text[128];

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
			esc_field(comm, sizeof(comm), p->comm, IPCS_COMM_LEN);
			snprintf(text, sizeof(text), "%u %s", p->pid, comm);
			x += frame_puts(f, x, y, x0 + w - x, text,
					is_selected(c, PANE_PROCS, it) ?
						ROLE_SELECTED :
						role);
			/* one row only: the wait goes after the name */
			if (it->height == 1 && proc_waits(p) &&
			    x + 2 <= x0 + w) {
				char ws[32];

				frame_put(f, x + 1, y, GLYPH_WAIT(f), ROLE_WAIT);
				wait_short(ws, sizeof(ws), p);
				if (x + 3 + frame_text_width(ws) <= x0 + w)
					frame_puts(f, x + 3, y, x0 + w - x - 3,
						   ws, ROLE_WAIT);
			}
			continue;
		}
		if (d > 0 && !it->last_child)
			frame_put(f, x, y, vbar, ROLE_EDGE);
		if (d > 0)
			x += 2;
		if (it->has_children)
			frame_put(f, x, y, vbar, ROLE_EDGE);
		if (r == 1 && p->exited) {
			if (p->exit_signal)
				snprintf(text, sizeof(text), "killed by %d",
					 p->exit_signal);
			else
				snprintf(text, sizeof(text), "exited %d",
					 p->exit_code);
			frame_puts(f, x + 2, y, x0 + w - x - 2, text, ROLE_DIM);
		} else if (r == 1 && proc_waits(p)) {
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

static void draw_fd(const struct ctx *c, const struct scene_item *it)
{
	const struct model_table *t = it->proc->table;
	int y = screen_y(c, it->row);
	enum role role = ROLE_NORMAL;
	char text[32];

	if (y < 0)
		return;
	bool waits = proc_waits(it->proc) && it->proc->wait_fd == it->fd;

	if (waits)
		role = ROLE_WAIT;
	if (t && it->fd < t->nfds && recent(c->v, t->fds[it->fd].last_ns))
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

static void draw_file(const struct ctx *c, const struct scene_item *it)
{
	const struct model_file *file = it->file;
	int y = screen_y(c, it->row), w = c->l->col_w[PANE_FILES] - 1;
	enum role role = ROLE_NORMAL;
	char text[96], pos[16];

	if (y < 0)
		return;
	if (recent(c->v, file->last_ns))
		role = ROLE_FLASH;
	if (is_selected(c, PANE_FILES, it))
		role = ROLE_SELECTED;
	snprintf(text, sizeof(text), "f%u %s refs %llu @%s", file->id,
		 model_access(file->flags), (unsigned long long)file->refs,
		 scene_size(pos, sizeof(pos), file->pos));
	frame_puts(c->f, c->l->col_x[PANE_FILES], y, w, text, role);
}

/* [███░░░] text: used of cap in cells, then what the numbers are. */
static void draw_gauge(const struct ctx *c, uint64_t used, uint64_t cap,
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
	if (o->kind == OBJ_SHM)
		snprintf(out, len, "%s %s", name,
			 scene_size(sz, sizeof(sz), o->stat.bytes));
	else if (o->kind == OBJ_SEM)
		snprintf(out, len, "%s %llu sem%s", name,
			 (unsigned long long)o->stat.count,
			 o->stat.count == 1 ? "" : "s");
	else
		snprintf(out, len, "%s", name);
}

/* The second row: a gauge, or what it is connected to. */
static void draw_object_line(const struct ctx *c, const struct model_object *o,
			     int x, int y, int w)
{
	char text[64], a[16], b[16];

	switch (o->kind) {
	case OBJ_PIPE:
	case OBJ_FIFO:
		if (o->capacity)
			snprintf(text, sizeof(text), "%s/%s r%u w%u",
				 scene_size(a, sizeof(a), o->buffered),
				 scene_size(b, sizeof(b), o->capacity),
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
			 scene_size(a, sizeof(a), o->stat.bytes),
			 o->stat.limit ? scene_size(b, sizeof(b), o->stat.limit) :
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
	default:
		break;
	}
}

static void draw_object(const struct ctx *c, const struct scene_item *it)
{
	const struct model_object *o = it->obj;
	const struct view_traffic *tr = obj_traffic(c->v, o);
	int x = c->l->col_x[PANE_OBJECTS], w = c->l->col_w[PANE_OBJECTS];
	int y = screen_y(c, it->row), y2 = screen_y(c, it->row + 1);
	enum role role = ROLE_NORMAL;
	char title[IPCS_PATH_LEN * 4 + 32], rate[24] = "", sz[16];
	int rw = 0;

	if (recent(c->v, o->last_ns))
		role = ROLE_FLASH;
	if (is_selected(c, PANE_OBJECTS, it))
		role = ROLE_SELECTED;
	if (y >= 0) {
		object_title(title, sizeof(title), o);
		if (tr && tr->rate) {
			snprintf(rate, sizeof(rate), " %sB/s",
				 scene_size(sz, sizeof(sz), tr->rate));
			rw = (int)strlen(rate);
		}
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

static void draw_gutter(const struct ctx *c, int gi)
{
	const struct scene_layout *l = c->l;
	enum pane sp = gi ? PANE_FILES : PANE_FDS, dp = sp + 1;
	int gw = l->gut_w[gi], gx = l->gut_x[gi];
	int lanes = gw - 2, r0 = c->v->scroll, vh = l->graph_h;
	int *top = NULL, *bot = NULL;
	bool *fed = NULL;	/* a target with sources: SysV objects have none */
	struct gcell *g = NULL;
	size_t nd = l->n[dp];

	if (gw < 3 || vh <= 0 || !nd)
		return;
	/* cells of the rows on screen only: the graph may be 20,000 rows */
	g = calloc((size_t)vh * gw, sizeof(*g));
	top = malloc(nd * sizeof(*top));
	bot = malloc(nd * sizeof(*bot));
	fed = calloc(nd, sizeof(*fed));
	if (!g || !top || !bot || !fed)
		goto out;
	for (size_t i = 0; i < (size_t)vh * gw; i++)
		g[i].owner = -1;
	for (size_t j = 0; j < nd; j++)
		top[j] = bot[j] = l->items[dp][j].row;
	for (size_t i = 0; i < l->n[sp]; i++) {
		const struct scene_item *s = &l->items[sp][i];
		int t = s->target;

		if (t < 0)
			continue;
		fed[t] = true;
		if (s->row < top[t])
			top[t] = s->row;
		if (s->row > bot[t])
			bot[t] = s->row;
	}
	/* verticals first so they own the cells they pass through: one per
	 * bus, from its top source (or target) to its bottom one */
	for (size_t j = 0; j < nd; j++) {
		const struct scene_item *d = &l->items[dp][j];
		int lx = d->lane < 0 ? -1 : 1 + d->lane % lanes;
		int from = top[j] > r0 ? top[j] : r0;
		int to = bot[j] < r0 + vh - 1 ? bot[j] : r0 + vh - 1;

		if (lx < 0)
			continue;
		for (int r = from; r <= to; r++) {
			unsigned bits = (r > top[j] ? DIR_N : 0) |
					(r < bot[j] ? DIR_S : 0);

			gpaint(&g[(r - r0) * gw + lx], (int)j + 1, bits, false);
		}
	}
	/* horizontals: source to lane (all the way when on the target's
	 * row), with a marker where data moved just now */
	for (size_t i = 0; i < l->n[sp]; i++) {
		const struct scene_item *s = &l->items[sp][i];
		const struct view_traffic *tr;
		const struct scene_item *d;
		bool active = false;
		uint32_t mark = 0;
		int lx, end;

		if (s->target < 0 || s->row < r0 || s->row >= r0 + vh)
			continue;
		d = &l->items[dp][s->target];
		lx = d->lane < 0 ? -1 : 1 + d->lane % lanes;
		if (gi && (tr = file_traffic(c->v, s->file))) {
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
			gpaint(&g[(s->row - r0) * gw + x], s->target + 1, bits,
			       active);
		}
		if (mark)
			g[(s->row - r0) * gw].mark = mark;
	}
	/* lane to target, and the arrow */
	for (size_t j = 0; j < nd; j++) {
		const struct scene_item *d = &l->items[dp][j];
		int lx = d->lane < 0 ? -1 : 1 + d->lane % lanes;

		if (d->row < r0 || d->row >= r0 + vh || !fed[j])
			continue;
		if (lx >= 0)
			for (int x = lx; x < gw; x++)
				gpaint(&g[(d->row - r0) * gw + x], (int)j + 1,
				       DIR_E | (x > lx ? DIR_W : 0), false);
		g[(d->row - r0) * gw + gw - 1].mark = GLYPH_ARROW(c->f);
	}
	for (int r = 0; r < vh; r++) {
		int y = l->graph_y + r;

		for (int x = 0; x < gw; x++) {
			struct gcell *e = &g[r * gw + x];
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
			frame_put(c->f, gx + x, y, ch,
				  e->active ? ROLE_EDGE_ACTIVE : ROLE_EDGE);
		}
	}
out:
	free(top);
	free(bot);
	free(fed);
	free(g);
}

static void draw_headers(const struct ctx *c)
{
	static const char *names[PANE__COUNT] = { "PROCESSES", "FD TABLE",
						  "OPEN FILES", "OBJECTS" };
	const struct scene_layout *l = c->l;
	char text[64];

	frame_fill(c->f, 0, 0, l->w, ' ', ROLE_HEADER);
	for (int p = 0; p < PANE__COUNT; p++)
		frame_puts(c->f, l->col_x[p], 0, l->col_w[p], names[p],
			   p == (int)c->v->focus ? ROLE_HEADER_FOCUS :
						   ROLE_HEADER);
	if (l->rows > l->graph_h) {
		int last = c->v->scroll + l->graph_h;

		snprintf(text, sizeof(text), "rows %d-%d of %d",
			 c->v->scroll + 1, last < l->rows ? last : l->rows,
			 l->rows);
		int tw = (int)strlen(text);
		frame_puts(c->f, l->w - tw - 1, 0, tw, text, ROLE_HEADER);
	}
}

static void draw_graph(const struct ctx *c)
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

static void draw_log(const struct ctx *c)
{
	const struct scene_layout *l = c->l;
	const struct view_log *log = c->v->log;
	int lines = l->log_h - 1;
	char text[64];

	frame_fill(c->f, 0, l->log_y, l->w, ' ', ROLE_HEADER);
	snprintf(text, sizeof(text), "EVENTS%s",
		 c->v->paused ? " (view paused; still recording)" : "");
	frame_puts(c->f, 0, l->log_y, l->w, text, ROLE_HEADER);
	if (!log)
		return;
	uint64_t first = log->count > (uint64_t)lines ? log->count - lines : 0;
	if (log->count > VIEW_LOG_LINES && first < log->count - VIEW_LOG_LINES)
		first = log->count - VIEW_LOG_LINES;
	for (uint64_t i = first; i < log->count; i++) {
		const struct view_log_line *ln = &log->lines[i % VIEW_LOG_LINES];

		frame_puts(c->f, 0, l->log_y + 1 + (int)(i - first), l->w,
			   ln->text, ln->warn ? ROLE_WARNING : ROLE_NORMAL);
	}
}

/* The traced command's output: its latest lines, the one still being
 * written last. Already made safe by output.c. */
static void draw_output(const struct ctx *c)
{
	const struct scene_layout *l = c->l;
	const struct view_output *o = c->v->output;
	int lines = l->out_h - 1, y = l->out_y + 1;
	char partial[OUTPUT_TEXT];
	uint64_t first, have;

	frame_fill(c->f, 0, l->out_y, l->w, ' ', ROLE_HEADER);
	frame_puts(c->f, 0, l->out_y, l->w, "OUTPUT of the traced command  (o hides)",
		   ROLE_HEADER);
	if (!o || (!o->count && !o->partial_len)) {
		frame_puts(c->f, 0, y, l->w, "(nothing yet)", ROLE_DIM);
		return;
	}
	output_partial(o, partial, sizeof(partial));
	if (partial[0])
		lines--;
	have = o->count < OUTPUT_LINES ? o->count : OUTPUT_LINES;
	if (lines < 0)
		lines = 0;
	first = o->count - (have < (uint64_t)lines ? have : (uint64_t)lines);
	for (uint64_t i = first; i < o->count; i++)
		frame_puts(c->f, 0, y++, l->w, o->lines[i % OUTPUT_LINES],
			   ROLE_NORMAL);
	if (partial[0])
		frame_puts(c->f, 0, y, l->w, partial, ROLE_NORMAL);
}

/* Appends text to the status bar at *x; returns false when out of room. */
static bool status_add(struct frame *f, int *x, int limit, const char *s,
		       enum role role)
{
	int w = frame_text_width(s);

	if (*x + w > limit)
		return false;
	*x += frame_puts(f, *x, f->h - 1, w, s, role);
	return true;
}

static void draw_status(const struct ctx *c, size_t hidden)
{
	static const char *const hints[][2] = {
		{ "?", "help" }, { "/", "filter" }, { "l", "log" },
		{ "a", "all" },	 { "spc", "pause" }, { "q", "quit" },
	};
	struct frame *f = c->f;
	const struct view *v = c->v;
	int y = f->h - 1, x = 0, hx;
	char text[512], esc[256];

	frame_fill(f, 0, y, f->w, ' ', ROLE_STATUS);
	if (v->filter_editing) {
		escape_text(esc, sizeof(esc), v->filter, strlen(v->filter));
		snprintf(text, sizeof(text), " filter: %s_", esc);
		status_add(f, &x, f->w, text, ROLE_STATUS_KEY);
		status_add(f, &x, f->w,
			   "   name or pid; Enter keeps it, Esc clears it",
			   ROLE_STATUS);
		return;
	}
	status_add(f, &x, f->w, v->paused ? " PAUSED " : " LIVE ",
		   ROLE_STATUS_KEY);
	snprintf(text, sizeof(text), " %.0f ev/s ", v->events_per_s);
	status_add(f, &x, f->w, text, ROLE_STATUS);
	snprintf(text, sizeof(text), "lost %llu", (unsigned long long)v->lost);
	status_add(f, &x, f->w, text, v->lost ? ROLE_WARNING : ROLE_STATUS);
	if (v->filter[0]) {
		escape_text(esc, sizeof(esc), v->filter, strlen(v->filter));
		snprintf(text, sizeof(text), "  filter: %s", esc);
		status_add(f, &x, f->w, text, ROLE_STATUS_KEY);
	}
	if (!v->show_all && hidden) {
		snprintf(text, sizeof(text), "  %zu idle hidden", hidden);
		status_add(f, &x, f->w, text, ROLE_STATUS);
	}
	if (v->message) {
		snprintf(text, sizeof(text), "  %s", v->message);
		if (!status_add(f, &x, f->w, text,
				v->message_warn ? ROLE_WARNING : ROLE_STATUS))
			frame_puts(f, x, y, f->w - x, text,
				   v->message_warn ? ROLE_WARNING : ROLE_STATUS);
		return;	/* the message wins over the key hints */
	}
	if (v->target) {
		snprintf(text, sizeof(text), "  %s", v->target);
		status_add(f, &x, f->w - 20, text, ROLE_STATUS);
	}
	/* key hints, right-aligned, as many as fit: help and quit last */
	static const int drop_order[] = { 4, 3, 2, 1, 0, 5 };
	bool shown[sizeof(hints) / sizeof(hints[0])];
	size_t nh = sizeof(hints) / sizeof(hints[0]);
	int need = 0;

	for (size_t i = 0; i < nh; i++) {
		shown[i] = true;
		need += (int)(strlen(hints[i][0]) + strlen(hints[i][1]) + 2);
	}
	for (size_t k = 0; k < nh && x + need + 1 > f->w; k++) {
		int i = drop_order[k];

		shown[i] = false;
		need -= (int)(strlen(hints[i][0]) + strlen(hints[i][1]) + 2);
	}
	hx = f->w - need;
	for (size_t i = 0; i < nh; i++) {
		if (!shown[i])
			continue;
		status_add(f, &hx, f->w, hints[i][0], ROLE_STATUS_KEY);
		snprintf(text, sizeof(text), " %s ", hints[i][1]);
		status_add(f, &hx, f->w, text, ROLE_STATUS);
	}
}

static void draw_box(struct frame *f, int x, int y, int w, int h,
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

static const char *const help_lines[] = {
	"Up Down j k    move the selection",
	"PgUp PgDn      move a page;  Home End g G: first, last",
	"Tab Left Right change pane: processes, fds, open files, objects",
	"Enter          details: every holder of the selection",
	"/              filter by name or pid (Enter keeps, Esc clears)",
	"space          pause the view (events are still recorded)",
	"l              show or hide the event log",
	"o              show or hide the traced command's output",
	"a              all processes / only active ones",
	"? F1           this help;  Esc closes a box",
	"q F10          quit",
	"mouse click    select what is under the pointer",
	"",
	"f3        open-file entry 3 (a struct file, shared by dup/fork)",
	"refs N    the kernel's reference count of that entry",
	"@N        file offset;  cx: close-on-exec is set on the fd",
	"[##..]    bytes buffered in a pipe against its capacity",
	"rN wN     readers and writers of a pipe or FIFO",
	"\xe2\x97\xb7 read fd3 blocked in read() on fd 3 (the fd is marked too)",
	"\xc2\xbb \xc2\xab       data just written into / read out of an object",
};

static void draw_help(const struct ctx *c)
{
	struct frame *f = c->f;
	int lines = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	const char *off = c->v->features_off;
	int n = lines + (off && *off ? 2 : 0);
	int w = 72, pad = 1, h;
	char off_line[160];

	if (n + 4 > f->h - 2)
		pad = 0;	/* 80x24: no blank rows inside the box */
	h = n + 2 + 2 * pad;
	if (h > f->h - 2)
		h = f->h - 2;
	int x = (f->w - w) / 2, y = (f->h - h) / 2;
	draw_box(f, x, y, w, h, "ipcscope keys");
	snprintf(off_line, sizeof(off_line), "off on this kernel: %s "
		 "(ipcscope -v says why)", off ? off : "");
	for (int i = 0; i < n && i < h - 2 - 2 * pad; i++) {
		const char *s = i < lines ? help_lines[i] :
				i == lines ? "" : off_line;

		/* the help's own glyphs turn ASCII too */
		if (f->ascii && !strncmp(s, "\xc2\xbb", 2))
			s = "> <       data just written into / read out of an object";
		else if (f->ascii && (unsigned char)s[0] >= 0x80)
			s = "z read fd3 blocked in read() on fd 3 (the fd is marked too)";
		frame_puts(f, x + 2, y + 1 + pad + i, w - 4, s, ROLE_BOX);
	}
}

/* ---- detail box ----------------------------------------------------------- */

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
static void add_holders(const struct ctx *c, struct lines *ls,
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
		for (int fd = 0; fd < t->nfds; fd++) {
			if (t->fds[fd].file != file)
				continue;
			lines_add(ls, ROLE_BOX, "%spid %u %s  fd %d  %s%s", indent,
				  p->pid, comm, fd, model_access(file->flags),
				  t->fds[fd].cloexec ? "  cloexec" : "");
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

static void add_traffic(const struct ctx *c, struct lines *ls,
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
		if (!strstr(ln->text, needle))
			continue;
		lines_add(ls, ROLE_BOX, "  %s", ln->text);
		shown++;
	}
	if (!shown)
		lines_add(ls, ROLE_DIM, "  (nothing in the event log)");
}

/* "  now 1.5K/s in, 1.5K/s out" when data moved in the last second */
static const char *rates(char *out, size_t len, const struct view_traffic *tr)
{
	char a[16], b[16];

	out[0] = '\0';
	if (tr && (tr->rate_in || tr->rate_out))
		snprintf(out, len, "  now %sB/s in, %sB/s out",
			 scene_size(a, sizeof(a), tr->rate_in),
			 scene_size(b, sizeof(b), tr->rate_out));
	return out;
}

static void detail_file(const struct ctx *c, struct lines *ls,
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
		  scene_size(a, sizeof(a), file->bytes_in),
		  scene_size(b, sizeof(b), file->bytes_out),
		  rates(r, sizeof(r), file_traffic(c->v, file)));
	lines_add(ls, ROLE_BOX_TITLE, "HOLDERS");
	add_holders(c, ls, file, "  ");
	snprintf(needle, sizeof(needle), "f%u ", file->id);
	add_traffic(c, ls, needle);
}

static void detail_sysv(const struct ctx *c, struct lines *ls,
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
			  scene_size(a, sizeof(a), o->stat.bytes),
			  o->stat.limit ? scene_size(b, sizeof(b), o->stat.limit) :
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
		return;
	default:
		break;
	}
	lines_add(ls, ROLE_BOX, "%ssize %s  attached %llu", key,
		  scene_size(a, sizeof(a), o->stat.bytes),
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

static void detail_object(const struct ctx *c, struct lines *ls,
			  const struct model_object *o)
{
	struct model_file **files;
	size_t n;
	char name[IPCS_PATH_LEN * 4 + 1], a[16], b[16], r[64];

	esc_field(name, sizeof(name), o->name, IPCS_PATH_LEN);
	lines_add(ls, ROLE_BOX_TITLE, "%s %s", obj_kind_name(o->kind), name);
	if (o->kind == OBJ_PIPE || o->kind == OBJ_FIFO)
		lines_add(ls, ROLE_BOX,
			  "buffered %s of %s  readers %u  writers %u",
			  scene_size(a, sizeof(a), o->buffered),
			  scene_size(b, sizeof(b), o->capacity), o->readers,
			  o->writers);
	else if (o->kind == OBJ_SOCKET)
		detail_socket(ls, o);
	else if (is_sysv(o))
		detail_sysv(c, ls, o);
	if (is_sysv(o))
		lines_add(ls, ROLE_BOX, "bytes in %s  out %s%s",
			  scene_size(a, sizeof(a), o->bytes_in),
			  scene_size(b, sizeof(b), o->bytes_out),
			  rates(r, sizeof(r), obj_traffic(c->v, o)));
	else
		lines_add(ls, ROLE_BOX, "bytes in %s  out %s  open-file entries %u%s",
			  scene_size(a, sizeof(a), o->bytes_in),
			  scene_size(b, sizeof(b), o->bytes_out), o->nfiles,
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

static void detail_proc(const struct ctx *c, struct lines *ls,
			const struct model_proc *p)
{
	const struct model_table *t = p->table;
	char comm[IPCS_COMM_LEN * 4 + 1], name[IPCS_PATH_LEN * 4 + 1];
	char needle[32], wait[IPCS_PATH_LEN * 4 + 96];

	esc_field(comm, sizeof(comm), p->comm, IPCS_COMM_LEN);
	lines_add(ls, ROLE_BOX_TITLE, "process %u %s", p->pid, comm);
	if (p->exited)
		lines_add(ls, ROLE_BOX, "parent %u  exited: code %d signal %d",
			  p->ppid, p->exit_code, p->exit_signal);
	else if (proc_waits(p))
		lines_add(ls, ROLE_BOX, "parent %u%s", p->ppid,
			  p->uncertain ? "  (fd table being re-read)" : "");
	else
		lines_add(ls, ROLE_BOX, "parent %u  running%s", p->ppid,
			  p->uncertain ? "  (fd table being re-read)" : "");
	if (proc_waits(p))
		lines_add(ls, ROLE_WAIT, "%s", wait_words(wait, sizeof(wait), p));
	if (t && t->users > 1)
		lines_add(ls, ROLE_BOX, "fd table shared by %u processes",
			  t->users);
	lines_add(ls, ROLE_BOX_TITLE, "FDS");
	for (int fd = 0; t && fd < t->nfds; fd++) {
		const struct model_file *file = t->fds[fd].file;

		if (!file)
			continue;
		esc_field(name, sizeof(name), file->obj ? file->obj->name : "",
			  IPCS_PATH_LEN);
		lines_add(ls, proc_waits(p) && p->wait_fd == fd ? ROLE_WAIT :
								  ROLE_BOX,
			  "  fd %d  %s%s  f%u refs %llu  %s%s", fd,
			  model_access(file->flags),
			  t->fds[fd].cloexec ? " cloexec" : "", file->id,
			  (unsigned long long)file->refs, name,
			  proc_waits(p) && p->wait_fd == fd ? "  (blocked here)" :
							      "");
	}
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

static void draw_detail(const struct ctx *c)
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
		lines_add(ls, ROLE_BOX_TITLE, "fd %d of %u %s%s", it->fd,
			  it->proc->pid, comm, it->cloexec ? " (cloexec)" : "");
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

static void draw_too_small(struct frame *f)
{
	char text[96];
	int y = f->h / 2, tw;

	snprintf(text, sizeof(text), "terminal too small: %dx%d, need %dx%d",
		 f->w, f->h, SCENE_MIN_W, SCENE_MIN_H);
	tw = (int)strlen(text);
	frame_puts(f, tw < f->w ? (f->w - tw) / 2 : 0, y, f->w, text,
		   ROLE_WARNING);
	if (y + 1 < f->h)
		frame_puts(f, f->w > 8 ? (f->w - 8) / 2 : 0, y + 1, f->w,
			   "q quits", ROLE_DIM);
}

void scene_draw(const struct scene_layout *l, const struct model *m,
		const struct view *v, struct frame *f)
{
	struct ctx c = { .f = f, .l = l, .v = v, .m = m };

	frame_clear(f);
	if (l->too_small) {
		draw_too_small(f);
		return;
	}
	if (l->w != f->w || l->h != f->h)
		return;	/* a layout for another size: the caller's bug */
	draw_headers(&c);
	draw_graph(&c);
	if (l->log_h)
		draw_log(&c);
	if (l->out_h)
		draw_output(&c);
	draw_status(&c, l->nprocs_hidden);
	if (v->show_detail)
		draw_detail(&c);
	if (v->show_help)
		draw_help(&c);
}

void scene_render(const struct model *m, const struct view *v,
		  struct frame *f)
{
	struct scene_layout l;

	if (scene_layout(&l, m, v, f->w, f->h)) {
		frame_clear(f);
		frame_puts(f, 0, 0, f->w, "out of memory", ROLE_WARNING);
		return;
	}
	scene_draw(&l, m, v, f);
	scene_layout_free(&l);
}
