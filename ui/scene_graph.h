/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The graph: the four columns and the edges between them (scene_graph.c). */
#ifndef IPCSCOPE_SCENE_GRAPH_H
#define IPCSCOPE_SCENE_GRAPH_H

struct scene_ctx;

/* The graph rows on screen, or a line saying why there are none. */
void draw_graph(const struct scene_ctx *c);

#endif /* IPCSCOPE_SCENE_GRAPH_H */
