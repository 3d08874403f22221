// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The process tree (see scene_tree.h): which processes are shown, in what
 * order and at what depth, and the rows of their fds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "scene_prim.h"
#include "scene_tree.h"

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

/* Children lists in pid order: walk backwards and prepend. */
static void link_children(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->first_child[i] = t->next_sibling[i] = -1;
	for (size_t i = t->n; i-- > 0;) {
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
		bool last = t->next_sibling[i] < 0;
		int h;

		t->visited[i] = true;
		h = add_proc(v, pv, fv, seen, *row, t->procs[i], d, b, last,
			     t->first_child[i] >= 0);
		if (h < 0)
			return h;
		*row += h;
		push_children(w, t, i, d, b, last);
	}
	return 0;
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
	w.stack = malloc((t->n + 1) * sizeof(*w.stack));
	w.depth = malloc((t->n + 1) * sizeof(*w.depth));
	w.bars = malloc((t->n + 1) * sizeof(*w.bars));
	if (!t->first_child || !t->next_sibling || !t->visited || !w.stack ||
	    !w.depth || !w.bars) {
		err = -ENOMEM;
		goto out;
	}
	link_children(t);
	/* roots first (no shown parent), then anything left (cycles) */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < t->n; r++) {
			ssize_t parent = tree_index(t, t->procs[r]->ppid);

			if (t->visited[r])
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

/* The shown processes (filter, active ones) as a tree in pid order, with
 * their fd rows; sets l->rows and l->nprocs_hidden. */
int scene_tree(struct scene_layout *l, const struct model *m,
	       const struct view *v, struct vec *pv, struct vec *fv)
{
	struct model_proc **all;
	struct tree t = { 0 };
	size_t nall;
	int err;

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

	err = build_tree(l, v, &t, pv, fv);
	free(t.procs);
	free(t.first_child);
	free(t.next_sibling);
	free(t.visited);
	return err;
}
