/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The terminal, behind a wall: term.c is the only file that includes
 * curses. It copies frames to the screen, reads keys and mouse clicks as
 * view key codes, follows resizes and gives the terminal back.
 */
#ifndef IPCSCOPE_TERM_H
#define IPCSCOPE_TERM_H

#include <stdbool.h>

#include "frame.h"

struct term;

#define TERM_KEY_NONE (-1)	/* nothing more to read */
#define TERM_KEY_MOUSE 0x200	/* a click; see term_key()'s x, y */
#define TERM_KEY_RESIZE 0x201
#define TERM_KEY_OTHER 0x202	/* a key no one handles */

/* Takes the terminal on stdin/stdout. *ascii is set when line drawing must
 * be ASCII (asked for, or the locale is not UTF-8). Returns 0 or -errno. */
int term_open(struct term **out, bool want_ascii, bool no_color, bool *ascii);
/* Gives the terminal back; accepts NULL. */
void term_close(struct term *t);
void term_size(struct term *t, int *w, int *h);
/* Follows a new window size (after SIGWINCH). */
void term_resize(struct term *t);
/* Copies the frame to the screen; only changed cells are sent. */
void term_draw(struct term *t, const struct frame *f);
/* Makes the next draw repaint everything (^L). */
void term_invalidate(struct term *t);
/* The next key as a view key code, or TERM_KEY_*. */
int term_key(struct term *t, int *x, int *y);
/* Async-signal-safe: resets modes and leaves the alternate screen. */
void term_emergency(void);

#endif /* IPCSCOPE_TERM_H */
