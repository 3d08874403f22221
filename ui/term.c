// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The one file that talks curses (see term.h): colors and attributes by
 * role, the Unicode/ASCII decision, keys and mouse, resize, and putting the
 * terminal back on every way out, including a crash.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <term.h>
#include <unistd.h>

#include "term.h"
#include "keys.h"

struct term {
	SCREEN *screen;
	attr_t attr[ROLE__COUNT];
	short pair[ROLE__COUNT];
	bool ascii;
};

/* For term_emergency(): written at open, read from a signal handler. */
static volatile sig_atomic_t term_active;
static struct termios term_saved;
static bool term_saved_ok;
static char term_reset[256];
static size_t term_reset_len;

static void reset_add(const char *s)
{
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (term_reset_len + n < sizeof(term_reset)) {
		memcpy(term_reset + term_reset_len, s, n);
		term_reset_len += n;
	}
}

/* Colors readable on dark and light backgrounds: the default background,
 * colored text or reverse video, never a fixed white or black text. */
static void roles_init(struct term *t, bool color)
{
	static const struct {
		short fg, bg;
		attr_t attr, mono;
	} r[ROLE__COUNT] = {
		[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
		[ROLE_HEADER] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
		[ROLE_HEADER_FOCUS] = { COLOR_BLACK, COLOR_GREEN, A_BOLD,
					A_REVERSE | A_BOLD | A_UNDERLINE },
		[ROLE_SELECTED] = { -1, -1, A_REVERSE | A_BOLD,
				    A_REVERSE | A_BOLD },
		[ROLE_FLASH] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL,
				 A_BOLD | A_UNDERLINE },
		[ROLE_DIM] = { -1, -1, A_DIM, A_DIM },
		[ROLE_WARNING] = { COLOR_WHITE, COLOR_RED, A_BOLD,
				   A_BOLD | A_UNDERLINE },
		[ROLE_EDGE] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
		[ROLE_EDGE_ACTIVE] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
		[ROLE_GAUGE] = { COLOR_GREEN, -1, A_NORMAL, A_BOLD },
		[ROLE_GAUGE_EMPTY] = { -1, -1, A_DIM, A_DIM },
		[ROLE_STATUS] = { -1, -1, A_REVERSE, A_REVERSE },
		[ROLE_STATUS_KEY] = { -1, -1, A_REVERSE | A_BOLD,
				      A_REVERSE | A_BOLD },
		[ROLE_BOX] = { -1, -1, A_NORMAL, A_NORMAL },
		[ROLE_BOX_TITLE] = { -1, -1, A_BOLD, A_BOLD },
		[ROLE_WAIT] = { COLOR_RED, -1, A_NORMAL, A_UNDERLINE },
	};

	for (int i = 0; i < ROLE__COUNT; i++) {
		t->pair[i] = 0;
		t->attr[i] = color ? r[i].attr : r[i].mono;
		if (color && (r[i].fg >= 0 || r[i].bg >= 0) &&
		    init_pair(i + 1, r[i].fg, r[i].bg) == OK)
			t->pair[i] = i + 1;
	}
}

int term_open(struct term **out, bool want_ascii, bool no_color, bool *ascii)
{
	struct term *t;
	const char *nc = getenv("NO_COLOR");
	const char *cs;

	*out = NULL;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -ENOTTY;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	/* wide characters need the locale; only LC_CTYPE, so numbers in
	 * other outputs keep their C format */
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	t->ascii = want_ascii || !cs || strcmp(cs, "UTF-8");
	term_saved_ok = tcgetattr(STDIN_FILENO, &term_saved) == 0;
	t->screen = newterm(NULL, stdout, stdin);
	if (!t->screen) {
		free(t);
		return -ENOTTY;
	}
	set_term(t->screen);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
	mouseinterval(0);
	if (no_color || (nc && nc[0]) || !has_colors()) {
		roles_init(t, false);
	} else {
		start_color();
		use_default_colors();
		roles_init(t, true);
	}
	term_reset_len = 0;
	reset_add("\033[?1000l\033[?1002l\033[?1006l");	/* mouse off */
	reset_add(tigetstr("sgr0"));
	reset_add(tigetstr("cnorm"));
	reset_add(tigetstr("rmcup"));
	reset_add("\r\n");
	term_active = 1;
	*ascii = t->ascii;
	*out = t;
	return 0;
}

void term_close(struct term *t)
{
	if (!t)
		return;
	term_active = 0;
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	delscreen(t->screen);
	if (term_saved_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
	free(t);
}

void term_emergency(void)
{
	ssize_t n;

	if (!term_active)
		return;
	term_active = 0;
	n = write(STDOUT_FILENO, term_reset, term_reset_len);
	(void)n;
	if (term_saved_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
}

void term_size(struct term *t, int *w, int *h)
{
	(void)t;
	*w = COLS;
	*h = LINES;
}

void term_resize(struct term *t)
{
	struct winsize ws;

	(void)t;
	/* SIGWINCH goes to the loop's signalfd, not to curses: ask the
	 * terminal for its size ourselves */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row &&
	    ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

void term_invalidate(struct term *t)
{
	(void)t;
	clearok(curscr, TRUE);
}

void term_draw(struct term *t, const struct frame *f)
{
	int h = f->h < LINES ? f->h : LINES, w = f->w < COLS ? f->w : COLS;

	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			const struct cell *c = &f->cells[(size_t)y * f->w + x];
			wchar_t wc[2] = { (wchar_t)c->ch, 0 };
			cchar_t cc;
			int role = c->role < ROLE__COUNT ? c->role : ROLE_NORMAL;

			if (c->ch == FRAME_WIDE_CONT)
				continue;
			if (t->ascii && c->ch >= 0x80)
				wc[0] = '?';
			if (c->ch < 0x20)
				wc[0] = ' ';	/* never a control byte */
			setcchar(&cc, wc, t->attr[role], t->pair[role], NULL);
			mvadd_wch(y, x, &cc);
		}
	}
	wnoutrefresh(stdscr);
	doupdate();
}

int term_key(struct term *t, int *x, int *y)
{
	wint_t ch;
	int r = wget_wch(stdscr, &ch);
	MEVENT ev;

	(void)t;
	if (r == ERR)
		return TERM_KEY_NONE;
	if (r == OK) {
		switch (ch) {
		case '\r':
		case '\n':
			return VKEY_ENTER;
		case 27:
			return VKEY_ESC;
		case '\t':
			return VKEY_TAB;
		case 127:
		case 8:
			return VKEY_BACKSPACE;
		case 12:
			return VKEY_CTRL_L;
		default:
			return ch < 0x80 ? (int)ch : TERM_KEY_OTHER;
		}
	}
	switch (ch) {
	case KEY_UP: return VKEY_UP;
	case KEY_DOWN: return VKEY_DOWN;
	case KEY_LEFT: return VKEY_LEFT;
	case KEY_RIGHT: return VKEY_RIGHT;
	case KEY_PPAGE: return VKEY_PGUP;
	case KEY_NPAGE: return VKEY_PGDN;
	case KEY_HOME: return VKEY_HOME;
	case KEY_END: return VKEY_END;
	case KEY_ENTER: return VKEY_ENTER;
	case KEY_BTAB: return VKEY_BTAB;
	case KEY_BACKSPACE: return VKEY_BACKSPACE;
	case KEY_F(1): return VKEY_F1;
	case KEY_F(10): return VKEY_F10;
	case KEY_RESIZE: return TERM_KEY_RESIZE;
	case KEY_MOUSE:
		if (getmouse(&ev) == OK &&
		    (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))) {
			*x = ev.x;
			*y = ev.y;
			return TERM_KEY_MOUSE;
		}
		return TERM_KEY_OTHER;
	default:
		return TERM_KEY_OTHER;
	}
}
