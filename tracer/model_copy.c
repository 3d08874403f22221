// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Deep copies of the model (the paused view's frozen picture). Pointers
 * between processes, tables, entries and objects are remapped through a
 * map from old to new addresses; hash keys are kept as the model made them.
 * A table's copy holds only its slots in use: a copy costs what the model
 * holds, whatever the fd numbers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

void model_copy_free(struct model *m)
{
	model_free(m);
	memset(m, 0, sizeof(*m));
}

/* Copies every value of from into to under the same key, recording the
 * new address of each old one in map. */
static int copy_map(struct hmap *to, const struct hmap *from, size_t size,
		    struct hmap *map)
{
	hmap_for_each(from, s) {
		void *copy = malloc(size);

		if (!copy)
			return -ENOMEM;
		memcpy(copy, s->val, size);
		if (hmap_put(to, s->a, s->b, copy)) {
			free(copy);
			return -ENOMEM;
		}
		if (hmap_put(map, (uintptr_t)s->val, 0, copy))
			return -ENOMEM;
	}
	return 0;
}

static void *remap(const struct hmap *map, const void *old)
{
	return old ? hmap_get(map, (uintptr_t)old, 0) : NULL;
}

/* The slots of from that hold an fd, into to (from's copy): what a copy
 * costs follows the open fds, as the table's own. */
static int copy_slots(struct model_table *to, const struct model_table *from,
		      const struct hmap *map)
{
	unsigned n = 0;

	model_table_for_each(from, s)
		n += s->file != NULL;
	if (!n)
		return 0;
	to->slots = malloc(n * sizeof(*to->slots));
	if (!to->slots)
		return -ENOMEM;
	to->cap = n;
	model_table_for_each(from, s) {
		if (!s->file)
			continue;
		to->slots[to->nslots] = *s;
		to->slots[to->nslots++].file = remap(map, s->file);
	}
	return 0;
}

int model_copy(struct model *dst, const struct model *src)
{
	struct hmap map = { 0 };
	int err;

	memset(dst, 0, sizeof(*dst));
	dst->next_file_id = src->next_file_id;
	dst->events = src->events;
	dst->bad_records = src->bad_records;
	dst->exited_keep_ns = src->exited_keep_ns;
	err = copy_map(&dst->objects, &src->objects, sizeof(struct model_object),
		       &map);
	if (!err)
		err = copy_map(&dst->files, &src->files,
			       sizeof(struct model_file), &map);
	if (!err)
		err = copy_map(&dst->tables, &src->tables,
			       sizeof(struct model_table), &map);
	/* until they get slots of their own (copy_slots), tables have none:
	 * nothing points into src's, and a failure frees nothing twice */
	hmap_for_each(&dst->tables, s) {
		struct model_table *t = s->val;

		t->slots = NULL;
		t->nslots = t->cap = 0;
	}
	if (!err)
		err = copy_map(&dst->procs, &src->procs,
			       sizeof(struct model_proc), &map);
	/* processes get mapping lists of their own (or none, on failure),
	 * so that nothing points into src's */
	hmap_for_each(&dst->procs, s) {
		struct model_proc *p = s->val;
		const struct model_map *maps = p->maps;

		p->maps = NULL;
		if (err || !p->nmaps) {
			p->nmaps = 0;
			continue;
		}
		p->maps = malloc(p->nmaps * sizeof(*maps));
		if (!p->maps) {
			p->nmaps = 0;
			err = -ENOMEM;
			continue;
		}
		for (size_t i = 0; i < p->nmaps; i++) {
			p->maps[i] = maps[i];
			p->maps[i].file = remap(&map, maps[i].file);
			p->maps[i].shm = remap(&map, maps[i].shm);
		}
	}
	if (err)
		goto fail;
	hmap_for_each(&dst->files, s) {
		struct model_file *f = s->val;

		f->obj = remap(&map, f->obj);
	}
	hmap_for_each(&src->tables, s) {
		err = copy_slots(remap(&map, s->val), s->val, &map);
		if (err)
			goto fail;
	}
	hmap_for_each(&dst->procs, s) {
		struct model_proc *p = s->val;

		p->table = remap(&map, p->table);
	}
	hmap_free(&map);
	return 0;
fail:
	hmap_free(&map);
	model_copy_free(dst);
	return err;
}
