/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Keys and mouse clicks on the view: pure functions of the view state and
 * the layout on screen that return what the caller should do (redraw,
 * quit, pause), and the repair of selection and scroll against a new
 * layout that comes before each render.
 */
#ifndef IPCSCOPE_KEYS_H
#define IPCSCOPE_KEYS_H

#include "view.h"

struct scene_layout;

/* Keys as view_key() takes them: printable ASCII as is, the rest here
 * (term.c maps curses key codes onto these). */
enum view_keycode {
	VKEY_UP = 0x100,
	VKEY_DOWN,
	VKEY_LEFT,
	VKEY_RIGHT,
	VKEY_PGUP,
	VKEY_PGDN,
	VKEY_HOME,
	VKEY_END,
	VKEY_ENTER,
	VKEY_ESC,
	VKEY_TAB,
	VKEY_BTAB,
	VKEY_BACKSPACE,
	VKEY_F1,
	VKEY_F10,
	VKEY_CTRL_L,
};

/* Flags returned by the key handlers. */
#define VIEW_HANDLED 0x1
#define VIEW_REDRAW 0x2
#define VIEW_QUIT 0x4
#define VIEW_PAUSE 0x8	/* pause state changed */
#define VIEW_STEP 0x10	/* a step key (n, c, s): the caller acts on it */
#define VIEW_TIME 0x20	/* a time key (space, n, N, c, +, -, g, G): the
			 * caller acts on it */

/* Clamps selection and scroll against the layout of the frame about to be
 * drawn; call after scene_layout() and before scene_render(). */
void view_fix(struct view *v, const struct scene_layout *l);
/* One key; l is the layout currently on screen. Returns VIEW_* flags. */
int view_key(struct view *v, const struct scene_layout *l, int key);
/* A mouse click at screen cell (x, y). */
int view_click(struct view *v, const struct scene_layout *l, int x, int y);

#endif /* IPCSCOPE_KEYS_H */
