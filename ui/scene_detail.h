/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The detail box of the selection (scene_detail.c). */
#ifndef IPCSCOPE_SCENE_DETAIL_H
#define IPCSCOPE_SCENE_DETAIL_H

struct scene_ctx;

/* Draws nothing when nothing on screen is selected. */
void draw_detail(const struct scene_ctx *c);

#endif /* IPCSCOPE_SCENE_DETAIL_H */
