/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What is drawn around the graph (scene_chrome.c): column headers, the
 * event log and command output panes, the status bar and its key hints,
 * the help box, and the too-small screen.
 */
#ifndef IPCSCOPE_SCENE_CHROME_H
#define IPCSCOPE_SCENE_CHROME_H

#include <stddef.h>

struct frame;
struct scene_ctx;

void draw_headers(const struct scene_ctx *c);
void draw_log(const struct scene_ctx *c);
/* The traced command's latest lines, already made safe by output.c. */
void draw_output(const struct scene_ctx *c);
/* hidden: processes filtered out or idle, told when only active show */
void draw_status(const struct scene_ctx *c, size_t hidden);
void draw_help(const struct scene_ctx *c);
void draw_too_small(struct frame *f);

#endif /* IPCSCOPE_SCENE_CHROME_H */
