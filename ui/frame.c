// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The cell grid the scene draws into (see frame.h): UTF-8 decoding, column
 * widths, and the text form that golden tests compare.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int frame_init(struct frame *f, int w, int h, bool ascii)
{
	struct cell *cells;

	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	if (f->cells && f->w == w && f->h == h) {
		f->ascii = ascii;
		frame_clear(f);
		return 0;
	}
	cells = calloc((size_t)w * h, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	free(f->cells);
	f->cells = cells;
	f->w = w;
	f->h = h;
	f->ascii = ascii;
	frame_clear(f);
	return 0;
}

void frame_free(struct frame *f)
{
	if (!f)
		return;
	free(f->cells);
	f->cells = NULL;
	f->w = f->h = 0;
}

void frame_clear(struct frame *f)
{
	for (size_t i = 0; i < (size_t)f->w * f->h; i++)
		f->cells[i] = (struct cell){ ' ', ROLE_NORMAL };
}

struct cell *frame_at(struct frame *f, int x, int y)
{
	if (x < 0 || y < 0 || x >= f->w || y >= f->h)
		return NULL;
	return &f->cells[(size_t)y * f->w + x];
}

void frame_put(struct frame *f, int x, int y, uint32_t ch, enum role role)
{
	struct cell *c = frame_at(f, x, y);

	if (!c)
		return;
	/* overwriting half of a wide character blanks the other half */
	if (c->ch == FRAME_WIDE_CONT && x > 0)
		c[-1].ch = ' ';
	if (x + 1 < f->w && c[1].ch == FRAME_WIDE_CONT)
		c[1].ch = ' ';
	c->ch = ch;
	c->role = role;
}

void frame_fill(struct frame *f, int x, int y, int w, uint32_t ch,
		enum role role)
{
	for (int i = 0; i < w; i++)
		frame_put(f, x + i, y, ch, role);
}

void frame_set_role(struct frame *f, int x, int y, int w, enum role role)
{
	for (int i = 0; i < w; i++) {
		struct cell *c = frame_at(f, x + i, y);

		if (c)
			c->role = role;
	}
}

size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n;

	if (!len)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* 0: must not be drawn as is (combining, zero width, bidi); 1 or 2 columns.
 * A short table rather than wcwidth(), so the scene needs no locale. */
static int cp_width(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0;
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) ||
	    (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) ||
	    (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f) ||
	    (c >= 0xfe20 && c <= 0xfe2f) || c == 0xfeff || c == 0xad)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	    (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

/* Next code point of s to draw and its width; advances *s. */
static int next_glyph(const char **s, uint32_t *cp)
{
	size_t n = utf8_decode((const unsigned char *)*s, strnlen(*s, 4), cp);
	int w;

	if (!n) {
		/* escaped text never gets here; be safe anyway */
		*s += 1;
		*cp = '?';
		return 1;
	}
	*s += n;
	w = cp_width(*cp);
	if (!w) {
		*cp = '?';
		return 1;
	}
	return w;
}

int frame_text_width(const char *s)
{
	uint32_t cp;
	int w = 0;

	while (*s)
		w += next_glyph(&s, &cp);
	return w;
}

int frame_puts(struct frame *f, int x, int y, int maxw, const char *s,
	       enum role role)
{
	int used = 0;
	uint32_t cp;

	while (*s && used < maxw) {
		int w = next_glyph(&s, &cp);

		if (f->ascii && cp >= 0x80) {
			cp = '?';
			w = 1;
		}
		if (used + w > maxw)
			break;
		frame_put(f, x + used, y, cp, role);
		if (w == 2)
			frame_put(f, x + used + 1, y, FRAME_WIDE_CONT, role);
		used += w;
	}
	return used;
}

int frame_printf(struct frame *f, int x, int y, int maxw, enum role role,
		 const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return frame_puts(f, x, y, maxw, buf, role);
}

char frame_role_letter(enum role role)
{
	static const char letters[ROLE__COUNT] = {
		[ROLE_NORMAL] = '.',	    [ROLE_HEADER] = 'H',
		[ROLE_HEADER_FOCUS] = 'F',  [ROLE_SELECTED] = 'S',
		[ROLE_FLASH] = '!',	    [ROLE_DIM] = 'd',
		[ROLE_WARNING] = 'W',	    [ROLE_EDGE] = 'e',
		[ROLE_EDGE_ACTIVE] = 'E',   [ROLE_GAUGE] = 'G',
		[ROLE_GAUGE_EMPTY] = 'g',   [ROLE_STATUS] = 's',
		[ROLE_STATUS_KEY] = 'k',    [ROLE_BOX] = 'b',
		[ROLE_BOX_TITLE] = 'B',	    [ROLE_WAIT] = 'w',
	};

	return role < ROLE__COUNT ? letters[role] : '?';
}

static char *frame_text(const struct frame *f, bool roles)
{
	size_t cap = (size_t)f->h * (f->w * 4 + 1) + 1, len = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (int y = 0; y < f->h; y++) {
		size_t row_start = len, row_end = len;

		for (int x = 0; x < f->w; x++) {
			const struct cell *c = &f->cells[(size_t)y * f->w + x];

			if (c->ch == FRAME_WIDE_CONT)
				continue;
			if (roles)
				out[len++] = frame_role_letter(c->role);
			else
				len += utf8_encode(c->ch, out + len);
			if (roles ? c->role != ROLE_NORMAL : c->ch != ' ')
				row_end = len;
		}
		len = row_end > row_start ? row_end : row_start;
		out[len++] = '\n';
	}
	out[len] = '\0';
	return out;
}

char *frame_to_text(const struct frame *f)
{
	return frame_text(f, false);
}

char *frame_roles_to_text(const struct frame *f)
{
	return frame_text(f, true);
}
