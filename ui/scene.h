/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The scene: model + view state -> frame. Pure: it reads the model and the
 * view and writes only the frame, so the same picture goes to the terminal
 * and to golden files. scene_layout() is the first half (where every
 * process, fd, entry and object goes); view_fix() and the key handlers use
 * it to move the selection, and scene_render() draws it.
 */
#ifndef IPCSCOPE_SCENE_H
#define IPCSCOPE_SCENE_H

#include "frame.h"
#include "keys.h"	/* view_fix(): a caller of scene_layout() needs it */
#include "model.h"
#include "notes_text.h"	/* notes_size() */
#include "view.h"

#define SCENE_MIN_W 80
#define SCENE_MIN_H 24

/* The identity (b) of a mapping's row in the FDS pane: never an fd. */
#define SCENE_MAP_B(i) (UINT64_C(1) << 40 | (uint64_t)(i))

/* One selectable thing on screen, in graph rows (0 = first graph row). */
struct scene_item {
	uint64_t a, b;		/* identity, as in struct view_sel */
	int row, height;
	const struct model_proc *proc;	/* PROCS, FDS: the process */
	const struct model_file *file;	/* FDS, FILES */
	const struct model_object *obj;	/* OBJECTS, FILES (SysV objects
					 * stand alone: no fd points there) */
	int fd;				/* FDS: -1 for a mapping */
	bool cloexec;			/* FDS */
	bool map;			/* FDS: a shared mapping, not an fd,
					 * is what holds the entry */
	int depth;			/* PROCS: tree depth */
	uint32_t tree_bars;		/* PROCS: ancestors with later siblings */
	bool last_child;		/* PROCS */
	bool has_children;		/* PROCS */
	uint32_t shares_with;		/* PROCS: fd table drawn under this pid */
	unsigned alike;			/* PROCS: siblings alike, folded here */
	unsigned below;			/* PROCS: exited descendants folded */
	int lane;			/* FILES, OBJECTS: edge lane, -1 none */
	int target;			/* FDS, FILES: index of the item it
					 * points at in the next pane, or -1 */
};

struct scene_layout {
	int w, h;
	bool too_small;
	int graph_y, graph_h;	/* screen rows given to the graph */
	int rows;		/* rows the whole graph needs */
	int log_y, log_h;	/* event log pane, log_h 0 when hidden */
	int out_y, out_h;	/* command output pane, out_h 0 when hidden */
	int col_x[PANE__COUNT], col_w[PANE__COUNT];
	int gut_x[2], gut_w[2];	/* edge gutters: fd->entry, entry->object */
	struct scene_item *items[PANE__COUNT];
	size_t n[PANE__COUNT];
	size_t nprocs_hidden;	/* filtered out or inactive */
};

/* Computes the layout for a w x h screen; returns 0 or -ENOMEM. */
int scene_layout(struct scene_layout *l, const struct model *m,
		 const struct view *v, int w, int h);
void scene_layout_free(struct scene_layout *l);
/* The item of a pane with the given identity, or NULL. */
const struct scene_item *scene_find(const struct scene_layout *l,
				    enum pane pane, uint64_t a, uint64_t b,
				    size_t *index);

/* Draws the whole screen into f (sized by the caller): scene_layout()
 * and scene_draw(). */
void scene_render(const struct model *m, const struct view *v,
		  struct frame *f);
/* Draws with a layout already made for f's size (and kept valid by
 * view_fix(), which moves only the selection and scroll). */
void scene_draw(const struct scene_layout *l, const struct model *m,
		const struct view *v, struct frame *f);


#endif /* IPCSCOPE_SCENE_H */
