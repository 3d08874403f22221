// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The scene (see scene.h): one frame from a layout, the model and the
 * view, drawn in layers: headers, graph, panes, status bar, then the
 * detail and help boxes on top. The parts are scene_layout.c and
 * scene_tree.c (where things go), scene_graph.c, scene_chrome.c and
 * scene_detail.c (drawing them), on scene_prim.c's primitives.
 */
#include "scene.h"
#include "scene_chrome.h"
#include "scene_detail.h"
#include "scene_graph.h"
#include "scene_prim.h"

void scene_draw(const struct scene_layout *l, const struct model *m,
		const struct view *v, struct frame *f)
{
	struct scene_ctx c = { .f = f, .l = l, .v = v, .m = m };

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
