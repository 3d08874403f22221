/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The process tree, the first step of the layout (scene_tree.c), and the
 * growing item vectors the layout builds its panes in.
 */
#ifndef IPCSCOPE_SCENE_TREE_H
#define IPCSCOPE_SCENE_TREE_H

#include "scene.h"

struct vec {
	struct scene_item *v;
	size_t n, cap;
};

/* A new zeroed item with no lane, or NULL when out of memory. */
struct scene_item *vec_add(struct vec *vec);

/* The shown processes (filter, active ones) as a tree in pid order into
 * pv, their fds into fv; sets l->rows and l->nprocs_hidden. Returns 0 or
 * -ENOMEM. */
int scene_tree(struct scene_layout *l, const struct model *m,
	       const struct view *v, struct vec *pv, struct vec *fv);

#endif /* IPCSCOPE_SCENE_TREE_H */
