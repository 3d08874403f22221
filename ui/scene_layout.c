// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The layout (see scene.h): columns and panes for a screen size, the
 * rows of open-file entries and objects next to what points at them, the
 * lanes their edges take in the gutters, and SysV objects in the gaps.
 * The process tree is scene_tree.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scene_prim.h"
#include "scene_tree.h"

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
	if (o->ours)	/* ipcscope's output: its name only */
		return 1;
	switch (o->kind) {
	case OBJ_PIPE:
	case OBJ_FIFO:
	case OBJ_SOCKET:
	case OBJ_MSGQ:
	case OBJ_SHM:
	case OBJ_SEM:
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

/* Adds to dst, once each, what the items of src point at (their .file or
 * .obj) and points src[i].target at it. */
static int collect_targets(struct vec *src, struct vec *dst, enum pane dpane)
{
	struct hmap idx = { 0 };
	int err = 0;

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
				break;
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
	hmap_free(&idx);
	return err;
}

/* Places the items of dst that the items of src point at (through
 * src[i].file or .obj) on the row of one of their sources, the median one,
 * in that order: edges cross little, and a target's row never holds
 * another target's source, so two horizontal edges never share a row. */
static int place_targets(struct vec *src, struct vec *dst, enum pane dpane,
			 int *rows)
{
	struct place *pl = NULL;
	size_t *off = NULL, *fill = NULL;
	int *srows = NULL, maxrow = 0;
	bool *busy = NULL;
	int row = 0, err = 0;

	err = collect_targets(src, dst, dpane);
	if (err)
		return err;
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

/* Every live SysV object into *spp (nobody's row wanted yet), indexed by
 * (dev, ino) in idx as position + 1. */
static int sysv_list(const struct model *m, struct sysv_place **spp,
		     size_t *np, struct hmap *idx)
{
	size_t n = 0, cap = 0;

	hmap_for_each(&m->objects, s) {
		const struct model_object *o = s->val;

		if (!is_sysv(o) || !o->sysv_alive)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct sysv_place *grown = realloc(*spp, nc * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			*spp = grown;
			cap = nc;
		}
		(*spp)[n] = (struct sysv_place){ o, INT_MAX };
		if (hmap_put(idx, o->dev, o->ino, (void *)(uintptr_t)++n))
			return -ENOMEM;
		*np = n;
	}
	return 0;
}

/* The row each object wants: the first shown process attached to it, or
 * for a queue the row of its last sender or receiver. */
static int sysv_wants(const struct vec *procs, struct sysv_place *sp,
		      size_t n, const struct hmap *idx)
{
	struct hmap pidrow = { 0 };
	int err = 0;

	for (size_t i = 0; i < procs->n; i++) {
		const struct scene_item *it = &procs->v[i];
		const struct model_proc *p = it->proc;

		if (hmap_put(&pidrow, p->pid, 0, (void *)(uintptr_t)(it->row + 1))) {
			err = -ENOMEM;
			goto out;
		}
		for (size_t j = 0; j < p->nmaps; j++)
			want_row(sp, idx, p->maps[j].shm, it->row);
	}
	for (size_t i = 0; i < n; i++) {
		const struct model_object *o = sp[i].o;
		uintptr_t r;

		if (o->kind != OBJ_MSGQ)
			continue;
		if ((r = (uintptr_t)hmap_get(&pidrow, o->last_writer, 0)))
			want_row(sp, idx, o, (int)r - 1);
		if ((r = (uintptr_t)hmap_get(&pidrow, o->last_reader, 0)))
			want_row(sp, idx, o, (int)r - 1);
	}
out:
	hmap_free(&pidrow);
	return err;
}

/* Merges the shown objects, sorted by wanted row, into objs (sorted by
 * row) in the first gap that fits each, and keeps files' .target right. */
static int sysv_merge(const struct sysv_place *sp, size_t shown,
		      struct vec *files, struct vec *objs, int *rows)
{
	struct scene_item *merged;
	int *where, row = 0;
	size_t k = 0, out_n = 0;

	merged = malloc((objs->n + shown) * sizeof(*merged));
	where = malloc((objs->n + 1) * sizeof(*where));
	if (!merged || !where) {
		free(merged);
		free(where);
		return -ENOMEM;
	}
	/* objs is sorted by row: walk it along, filling gaps */
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
	if (row > *rows)
		*rows = row;
	free(where);
	return 0;
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
	struct hmap idx = { 0 };
	size_t n = 0, shown = 0;
	int err;

	err = sysv_list(m, &sp, &n, &idx);
	if (err || !n)
		goto out;
	err = sysv_wants(procs, sp, n, &idx);
	if (err)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (sysv_shown(v, &sp[i]))
			sp[shown++] = sp[i];
	if (!shown)
		goto out;
	qsort(sp, shown, sizeof(*sp), cmp_sysv);
	err = sysv_merge(sp, shown, files, objs, rows);
out:
	hmap_free(&idx);
	free(sp);
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

	err = scene_tree(l, m, v, &vecs[PANE_PROCS], &vecs[PANE_FDS]);
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
