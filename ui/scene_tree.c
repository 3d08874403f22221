// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The process tree (see scene_tree.h): which processes are shown, in what
 * order and at what depth, and the rows of their fds.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "scene_prim.h"
#include "scene_tree.h"

/* Alike workers and exited subtrees fold from this many on. */
#define FOLD_MIN 3

static bool holds_pipe(const struct model_proc *p)
{
	const struct model_table *t = p->table;

	if (!t)
		return false;
	model_table_for_each(t, s) {
		const struct model_file *f = s->file;

		/* ipcscope's own output pipe keeps nobody waiting */
		if (f && f->obj && obj_is_pipe(f->obj->kind) && !f->obj->ours)
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

struct scene_item *vec_add(struct vec *vec)
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
	size_t *order;		/* indexes of procs in the order shown */
	unsigned *alike;	/* siblings folded into this one, or
				 * UINT_MAX: folded away */
	unsigned *below;	/* exited descendants folded into it */
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

static bool table_holds(const struct model_table *t,
			const struct model_file *f)
{
	model_table_for_each(t, s)
		if (s->file == f)
			return true;
	return false;
}

/* A row for each entry only a shared mapping of p holds (no fd of its
 * table does): the mapping keeps the entry, and the graph says so. */
static int add_maps(const struct view *v, struct vec *fv,
		    const struct model_proc *p, int row, int *nrows)
{
	for (size_t j = 0; j < p->nmaps; j++) {
		const struct model_file *f = p->maps[j].file;
		struct scene_item *fi;
		bool dup = false;

		if (!f || table_holds(p->table, f) ||
		    (f->loader && !v->show_noise))
			continue;
		for (size_t k = 0; k < j; k++)
			dup |= p->maps[k].file == f;
		if (dup)
			continue;
		fi = vec_add(fv);
		if (!fi)
			return -ENOMEM;
		fi->a = p->pid;
		fi->b = SCENE_MAP_B(j);
		fi->row = row + (*nrows)++;
		fi->height = 1;
		fi->proc = p;
		fi->file = f;
		fi->obj = f->obj;
		fi->fd = -1;
		fi->map = true;
	}
	return 0;
}

/* Rows of one process: its fds, or one line saying whose table it shares. */
static int add_proc(const struct view *v, struct vec *pv, struct vec *fv,
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
			model_table_for_each(p->table, s) {
				int fd = s->fd;
				struct scene_item *fi;

				if (!view_fd_shown(v, s))
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
			if (add_maps(v, fv, p, row, &nfds))
				return -ENOMEM;
		}
	}
	it->height = nfds > 1 ? nfds : 1;
	/* a second row for how it ended, or for a signal that came */
	if ((p->exited || proc_signal_shown(v, p) || proc_sent_shown(v, p)) &&
	    it->height < 2)
		it->height = 2;
	return it->height;
}

/* Children lists in the order shown: walk it backwards and prepend. */
static void link_children(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->first_child[i] = t->next_sibling[i] = -1;
	for (size_t k = t->n; k-- > 0;) {
		size_t i = t->order[k];
		ssize_t parent = t->procs[i]->ppid != t->procs[i]->pid ?
					 tree_index(t, t->procs[i]->ppid) :
					 -1;

		if (parent >= 0) {
			t->next_sibling[i] = t->first_child[parent];
			t->first_child[parent] = i;
		}
	}
}

/* The depth-first walk's own stack: a process tree can be deep. */
struct walk {
	ssize_t *stack;
	int *depth;
	uint32_t *bars;
	size_t sp;
};

/* Pushes the children of i not yet shown, in reverse so the lowest pid
 * comes out first. */
static void push_children(struct walk *w, const struct tree *t, ssize_t i,
			  int d, uint32_t b, bool last)
{
	size_t start = w->sp;
	ssize_t c;

	for (c = t->first_child[i]; c >= 0; c = t->next_sibling[c]) {
		if (t->visited[c])
			continue;
		w->stack[w->sp] = c;
		w->depth[w->sp] = d + 1;
		w->bars[w->sp] = b;
		if (d >= 1 && d < 32 && !last)
			w->bars[w->sp] |= 1u << d;
		w->sp++;
	}
	for (size_t x = start, y = w->sp; x + 1 < y; x++, y--) {
		ssize_t ts = w->stack[x];
		int td = w->depth[x];
		uint32_t tb = w->bars[x];

		w->stack[x] = w->stack[y - 1];
		w->depth[x] = w->depth[y - 1];
		w->bars[x] = w->bars[y - 1];
		w->stack[y - 1] = ts;
		w->depth[y - 1] = td;
		w->bars[y - 1] = tb;
	}
}

/* Adds the subtree of root r, a process then its children, from *row. */
static int walk_from(const struct view *v, struct tree *t, struct walk *w,
		     struct hmap *seen, size_t r, int *row, struct vec *pv,
		     struct vec *fv)
{
	w->stack[0] = r;
	w->depth[0] = 0;
	w->bars[0] = 0;
	w->sp = 1;
	while (w->sp) {
		ssize_t i = w->stack[--w->sp];
		int d = w->depth[w->sp];
		uint32_t b = w->bars[w->sp];
		ssize_t next = t->next_sibling[i];
		bool last;
		int h;

		while (next >= 0 && t->alike[next] == UINT_MAX)
			next = t->next_sibling[next];	/* folded: not shown */
		last = next < 0;

		t->visited[i] = true;
		if (t->alike[i] == UINT_MAX)
			continue;	/* folded into an alike sibling */
		h = add_proc(v, pv, fv, seen, *row, t->procs[i], d, b, last,
			     t->first_child[i] >= 0 && !t->below[i]);
		if (h < 0)
			return h;
		pv->v[pv->n - 1].alike = t->alike[i];
		pv->v[pv->n - 1].below = t->below[i];
		*row += h;
		push_children(w, t, i, d, b, last);
	}
	return 0;
}

/* A fold key of a process's table: what each fd reaches (fd, mode and
 * object), so that workers holding the same pipes look alike; for an
 * exited one, how it ended; 0 when it has no table. */
static uint64_t table_shape(const struct model_proc *p)
{
	uint64_t h = 1469598103934665603ULL;

	if (p->exited)	/* exited shims: alike when they ended alike */
		return h ^ ((uint64_t)p->exit_code << 8 | (uint64_t)p->exit_signal);
	if (!p->table)
		return 0;
	model_table_for_each(p->table, s) {
		const struct model_file *f = s->file;

		if (!f)
			continue;
		h = (h ^ (uint64_t)s->fd) * 1099511628211ULL;
		h = (h ^ f->flags) * 1099511628211ULL;
		h = (h ^ (f->obj ? f->obj->ino ^ f->obj->dev << 20 :
				   f->kaddr)) * 1099511628211ULL;
	}
	return h;
}

/* Leaves with the same parent, name and table shape, at least FOLD_MIN
 * of them: the first in the order shown stays, with how many more; the
 * rest are marked UINT_MAX. */
static int fold_alike(struct tree *t)
{
	struct hmap groups = { 0 };
	size_t *rep = malloc((t->n + 1) * sizeof(*rep));

	if (!rep)
		return -ENOMEM;
	for (size_t k = 0; k < t->n; k++) {
		size_t i = t->order[k];
		const struct model_proc *p = t->procs[i];
		bool leaf = t->first_child[i] < 0 || t->below[i];
		uint64_t shape = leaf && p->ppid != p->pid &&
					 t->alike[i] != UINT_MAX ?
					 table_shape(p) ^ t->below[i] : 0;
		uint64_t name = 1469598103934665603ULL;
		void *first;

		rep[i] = SIZE_MAX;
		if (!shape)
			continue;
		for (size_t c = 0; c < IPCS_COMM_LEN && p->comm[c]; c++)
			name = (name ^ (unsigned char)p->comm[c]) * 1099511628211ULL;
		first = hmap_get(&groups, p->ppid, shape ^ name);
		if (first) {
			rep[i] = (uintptr_t)first - 1;
			t->alike[rep[i]]++;
		} else if (hmap_put(&groups, p->ppid, shape ^ name,
				    (void *)(uintptr_t)(i + 1))) {
			hmap_free(&groups);
			free(rep);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		if (rep[i] == SIZE_MAX)
			continue;
		if (t->alike[rep[i]] + 1 >= FOLD_MIN)
			t->alike[i] = UINT_MAX;
	}
	for (size_t i = 0; i < t->n; i++)
		if (rep[i] == SIZE_MAX && t->alike[i] != UINT_MAX &&
		    t->alike[i] + 1 < FOLD_MIN)
			t->alike[i] = 0;
	hmap_free(&groups);
	free(rep);
	return 0;
}

/* An exited process whose descendants all exited too (shims, a shell's
 * finished pipeline): one row that says how many are folded below it.
 * Children are seen before parents by walking a preorder backwards. */
static int fold_exited(struct tree *t)
{
	size_t *pre = malloc((t->n + 1) * sizeof(*pre));
	size_t *stack = malloc((t->n + 1) * sizeof(*stack));
	bool *dead = calloc(t->n + 1, 1), *in = calloc(t->n + 1, 1);
	size_t np = 0, sp;
	int err = -ENOMEM;

	if (!pre || !stack || !dead || !in)
		goto out;
	for (size_t r = 0; r < t->n; r++) {
		ssize_t parent = tree_index(t, t->procs[r]->ppid);

		if (in[r] || (parent >= 0 && t->procs[r]->ppid != t->procs[r]->pid))
			continue;	/* not a root: reached from one */
		stack[0] = r;
		sp = 1;
		in[r] = true;
		while (sp) {
			size_t i = stack[--sp];

			pre[np++] = i;
			for (ssize_t c = t->first_child[i]; c >= 0;
			     c = t->next_sibling[c])
				if (!in[c]) {
					in[c] = true;
					stack[sp++] = c;
				}
		}
	}
	/* what no root reaches (a cycle of ppids) is left as it is */
	for (size_t k = np; k-- > 0;) {
		size_t i = pre[k];
		unsigned n = 0;
		bool all = t->procs[i]->exited;

		for (ssize_t c = t->first_child[i]; c >= 0; c = t->next_sibling[c]) {
			all = all && dead[c];
			n += 1 + t->below[c];
		}
		dead[i] = all;
		t->below[i] = all ? n : 0;
	}
	/* the topmost of each such subtree of FOLD_MIN or more stays; all
	 * below it go (a parent and its one child stay as they are) */
	for (size_t k = 0; k < np; k++) {
		size_t i = pre[k];

		if (t->alike[i] == UINT_MAX || t->below[i] < FOLD_MIN) {
			t->below[i] = 0;
			continue;
		}
		sp = 0;
		for (ssize_t c = t->first_child[i]; c >= 0; c = t->next_sibling[c])
			stack[sp++] = c;
		while (sp) {
			size_t j = stack[--sp];

			t->alike[j] = UINT_MAX;
			t->below[j] = 0;
			for (ssize_t c = t->first_child[j]; c >= 0;
			     c = t->next_sibling[c])
				stack[sp++] = c;
		}
	}
	err = 0;
out:
	free(pre);
	free(stack);
	free(dead);
	free(in);
	return err;
}

static const struct view *sort_view;	/* qsort has no context */
static const struct tree *sort_tree;

static int cmp_order(const void *a, const void *b)
{
	const struct model_proc *x = sort_tree->procs[*(const size_t *)a];
	const struct model_proc *y = sort_tree->procs[*(const size_t *)b];
	int c = 0;

	if (sort_view->sort == SORT_ACTIVITY)
		c = x->last_ns > y->last_ns ? -1 : x->last_ns < y->last_ns;
	else if (sort_view->sort == SORT_NAME)
		c = strncmp(x->comm, y->comm, IPCS_COMM_LEN);
	return c ? c : x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void sort_order(const struct view *v, struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->order[i] = i;
	if (v->sort == SORT_PID)
		return;
	sort_view = v;
	sort_tree = t;
	qsort(t->order, t->n, sizeof(*t->order), cmp_order);
}

static int build_tree(struct scene_layout *l, const struct view *v,
		      struct tree *t, struct vec *pv, struct vec *fv)
{
	struct hmap seen = { 0 };
	struct walk w = { 0 };
	int row = 0, err = 0;

	t->first_child = malloc(t->n * sizeof(ssize_t) + 1);
	t->next_sibling = malloc(t->n * sizeof(ssize_t) + 1);
	t->visited = calloc(t->n + 1, 1);
	t->order = malloc((t->n + 1) * sizeof(*t->order));
	t->alike = calloc(t->n + 1, sizeof(*t->alike));
	t->below = calloc(t->n + 1, sizeof(*t->below));
	w.stack = malloc((t->n + 1) * sizeof(*w.stack));
	w.depth = malloc((t->n + 1) * sizeof(*w.depth));
	w.bars = malloc((t->n + 1) * sizeof(*w.bars));
	if (!t->first_child || !t->next_sibling || !t->visited || !w.stack ||
	    !w.depth || !w.bars || !t->order || !t->alike || !t->below) {
		err = -ENOMEM;
		goto out;
	}
	sort_order(v, t);
	link_children(t);
	if (!v->unfold && ((err = fold_exited(t)) || (err = fold_alike(t))))
		goto out;
	/* roots first (no shown parent), then anything left (cycles) */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < t->n; k++) {
			size_t r = t->order[k];
			ssize_t parent = tree_index(t, t->procs[r]->ppid);

			if (t->visited[r] || t->alike[r] == UINT_MAX)
				continue;
			if (!pass && parent >= 0 &&
			    t->procs[r]->ppid != t->procs[r]->pid)
				continue;
			err = walk_from(v, t, &w, &seen, r, &row, pv, fv);
			if (err)
				goto out;
		}
	}
	l->rows = row;
out:
	hmap_free(&seen);
	free(w.stack);
	free(w.depth);
	free(w.bars);
	return err;
}

/* The filter names an object one of p's fds reaches. */
static bool holds_filtered(const struct view *v, const struct model_proc *p)
{
	if (!p->table)
		return false;
	model_table_for_each(p->table, s) {
		const struct model_object *o = s->file ? s->file->obj : NULL;

		if (o && view_filter_object(v, o->name, o->local, o->remote,
					    o->peer))
			return true;
	}
	return false;
}

/* The objects the selection reaches: a process's (through its fds), an
 * fd's, an entry's, or the object itself; keyed by address. */
static int reach_proc(struct hmap *r, const struct model_proc *p)
{
	if (!p || !p->table)
		return 0;
	model_table_for_each(p->table, s) {
		if (s->file && s->file->obj &&
		    hmap_put(r, (uintptr_t)s->file->obj, 0, s->file->obj))
			return -ENOMEM;
	}
	return 0;
}

static int selection_reach(const struct model *m, const struct view *v,
			   struct hmap *r)
{
	struct model *mm = (struct model *)m;	/* look-ups only */
	struct model_proc *p;
	const struct model_fd *slot;
	const struct model_file *f;
	const struct model_object *o = NULL;

	switch (v->sel.pane) {
	case PANE_PROCS:
		return reach_proc(r, model_proc(mm, (uint32_t)v->sel.a));
	case PANE_FDS:
		p = model_proc(mm, (uint32_t)v->sel.a);
		slot = p && p->table ? model_table_fd(p->table, (int)v->sel.b) :
				       NULL;
		o = slot && slot->file ? slot->file->obj : NULL;
		break;
	case PANE_FILES:
		f = hmap_get(&m->files, v->sel.a, 0);
		o = f ? f->obj : NULL;
		break;
	case PANE_OBJECTS:
		o = hmap_get(&m->objects, v->sel.a, v->sel.b);
		break;
	default:
		break;
	}
	return o && hmap_put(r, (uintptr_t)o, 0, (void *)o) ? -ENOMEM : 0;
}

/* p holds an fd on an object the selection reaches. */
static bool reaches(const struct hmap *r, const struct model_proc *p)
{
	if (!p->table)
		return false;
	model_table_for_each(p->table, s) {
		if (s->file && s->file->obj &&
		    hmap_get(r, (uintptr_t)s->file->obj, 0))
			return true;
	}
	return false;
}

/* The shown processes (filter, active ones) as a tree in pid order, with
 * their fd rows; sets l->rows and l->nprocs_hidden. */
int scene_tree(struct scene_layout *l, const struct model *m,
	       const struct view *v, struct vec *pv, struct vec *fv)
{
	struct model_proc **all;
	struct tree t = { 0 };
	size_t nall;
	int err;

	struct hmap reach = { 0 };
	bool reach_on = v->connected && v->have_sel;

	if (reach_on && selection_reach(m, v, &reach))
		return -ENOMEM;
	all = model_procs_sorted(m, &nall);
	if (!all && nall) {
		hmap_free(&reach);
		return -ENOMEM;
	}
	t.procs = malloc((nall + 1) * sizeof(*t.procs));
	if (!t.procs) {
		free(all);
		hmap_free(&reach);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nall; i++) {
		char comm[IPCS_COMM_LEN * 4 + 1];

		esc_field(comm, sizeof(comm), all[i]->comm, IPCS_COMM_LEN);
		if ((!view_filter_match(v, all[i]->pid, comm) &&
		     !holds_filtered(v, all[i])) ||
		    (!v->show_all && !proc_active(v, all[i])) ||
		    (reach_on && !reaches(&reach, all[i]))) {
			l->nprocs_hidden++;
			continue;
		}
		t.procs[t.n++] = all[i];
	}
	free(all);
	hmap_free(&reach);

	err = build_tree(l, v, &t, pv, fv);
	free(t.order);
	free(t.alike);
	free(t.below);
	free(t.procs);
	free(t.first_child);
	free(t.next_sibling);
	free(t.visited);
	return err;
}
