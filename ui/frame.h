/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A frame: the screen as a grid of cells, each a character and a role.
 * The scene draws into it; term.c copies it to ncurses and tests turn it
 * into text. Roles name what a cell is, never which color it has.
 */
#ifndef IPCSCOPE_FRAME_H
#define IPCSCOPE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role {
	ROLE_NORMAL,
	ROLE_HEADER,		/* column headers */
	ROLE_HEADER_FOCUS,	/* header of the focused pane */
	ROLE_SELECTED,		/* the selection */
	ROLE_FLASH,		/* changed in the last second */
	ROLE_DIM,		/* exited processes, secondary text */
	ROLE_WARNING,		/* lost events, errors */
	ROLE_EDGE,		/* fd -> entry -> object lines */
	ROLE_EDGE_ACTIVE,	/* an edge data moved along just now */
	ROLE_GAUGE,		/* filled part of a pipe gauge */
	ROLE_GAUGE_EMPTY,	/* empty part of a pipe gauge */
	ROLE_STATUS,		/* status bar */
	ROLE_STATUS_KEY,	/* key names in the status bar */
	ROLE_BOX,		/* help and detail boxes */
	ROLE_BOX_TITLE,
	ROLE_WAIT,		/* a process blocked in a syscall, its fd */
	ROLE__COUNT
};

/* A cell that continues the wide character to its left. */
#define FRAME_WIDE_CONT 0xffffffffu

struct cell {
	uint32_t ch;		/* Unicode code point */
	uint8_t role;		/* enum role */
};

struct frame {
	int w, h;
	bool ascii;		/* draw lines with ASCII only */
	struct cell *cells;
};

/* Sizes the grid and clears it; returns 0 or -ENOMEM. */
int frame_init(struct frame *f, int w, int h, bool ascii);
void frame_free(struct frame *f);
void frame_clear(struct frame *f);
struct cell *frame_at(struct frame *f, int x, int y);
void frame_put(struct frame *f, int x, int y, uint32_t ch, enum role role);
void frame_fill(struct frame *f, int x, int y, int w, uint32_t ch,
		enum role role);
void frame_set_role(struct frame *f, int x, int y, int w, enum role role);
/* Draws UTF-8 text (already escaped) from x, at most maxw columns; returns
 * the columns used. Zero-width and bidi controls become '?', so a column
 * count is always a cell count. */
int frame_puts(struct frame *f, int x, int y, int maxw, const char *s,
	       enum role role);
int frame_printf(struct frame *f, int x, int y, int maxw, enum role role,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Columns text would take, as frame_puts counts them. */
int frame_text_width(const char *s);
/* Rows joined by '\n', trailing blanks trimmed; malloc'd, NULL on ENOMEM. */
char *frame_to_text(const struct frame *f);
/* Same with one letter per cell naming its role (see frame_role_letter). */
char *frame_roles_to_text(const struct frame *f);
char frame_role_letter(enum role role);

/* Decodes one UTF-8 sequence; returns its length, or 0 if invalid. */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* Encodes cp; returns bytes written to out[4]. */
size_t utf8_encode(uint32_t cp, char *out);

#endif /* IPCSCOPE_FRAME_H */
