// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Everything around the graph (see scene_chrome.h): the column headers,
 * the event log and command output panes, the status bar with its key
 * hints, the help box, and the screen shown when the terminal is too
 * small.
 */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "output.h"
#include "scene_chrome.h"
#include "scene_prim.h"

void draw_headers(const struct scene_ctx *c)
{
	static const char *names[PANE__COUNT] = { "PROCESSES", "FD TABLE",
						  "OPEN FILES", "OBJECTS" };
	const struct scene_layout *l = c->l;
	char text[64];

	frame_fill(c->f, 0, 0, l->w, ' ', ROLE_HEADER);
	for (int p = 0; p < PANE__COUNT; p++)
		frame_puts(c->f, l->col_x[p], 0, l->col_w[p], names[p],
			   p == (int)c->v->focus ? ROLE_HEADER_FOCUS :
						   ROLE_HEADER);
	if (l->rows > l->graph_h) {
		int last = c->v->scroll + l->graph_h;

		snprintf(text, sizeof(text), "rows %d-%d of %d",
			 c->v->scroll + 1, last < l->rows ? last : l->rows,
			 l->rows);
		int tw = (int)strlen(text);
		frame_puts(c->f, l->w - tw - 1, 0, tw, text, ROLE_HEADER);
	}
}

void draw_log(const struct scene_ctx *c)
{
	const struct scene_layout *l = c->l;
	const struct view_log *log = c->v->log;
	int lines = l->log_h - 1;
	char text[64];

	frame_fill(c->f, 0, l->log_y, l->w, ' ', ROLE_HEADER);
	snprintf(text, sizeof(text), "EVENTS%s",
		 c->v->paused ? " (view paused; still recording)" : "");
	frame_puts(c->f, 0, l->log_y, l->w, text, ROLE_HEADER);
	if (!log)
		return;
	/* the newest lines shown (noise only with 'x'), oldest on top */
	uint64_t first = log->count, oldest = log->count > VIEW_LOG_LINES ?
						      log->count - VIEW_LOG_LINES : 0;
	int shown = 0;
	while (first > oldest && shown < lines) {
		first--;
		if (c->v->show_noise || !log->lines[first % VIEW_LOG_LINES].noise)
			shown++;
	}
	unsigned hidden = 0;
	for (uint64_t i = first, y = 0; i < log->count; i++) {
		const struct view_log_line *ln = &log->lines[i % VIEW_LOG_LINES];

		if (ln->noise && !c->v->show_noise) {
			hidden++;
			continue;
		}
		frame_puts(c->f, 0, l->log_y + 1 + (int)y++, l->w,
			   ln->text, ln->warn ? ROLE_WARNING : ROLE_NORMAL);
	}
	if (hidden)
		frame_printf(c->f, (int)strlen(text) + 2, l->log_y, l->w,
			     ROLE_HEADER,
			     "(%u of the loader's or ipcscope's own hidden: x shows them)",
			     hidden);
}

/* The traced command's output: its latest lines, the one still being
 * written last. Already made safe by output.c. */
void draw_output(const struct scene_ctx *c)
{
	const struct scene_layout *l = c->l;
	const struct view_output *o = c->v->output;
	int lines = l->out_h - 1, y = l->out_y + 1;
	char partial[OUTPUT_TEXT];
	uint64_t first, have;

	frame_fill(c->f, 0, l->out_y, l->w, ' ', ROLE_HEADER);
	frame_puts(c->f, 0, l->out_y, l->w, "OUTPUT of the traced command  (o hides)",
		   ROLE_HEADER);
	if (!o || (!o->count && !o->partial_len)) {
		frame_puts(c->f, 0, y, l->w, "(nothing yet)", ROLE_DIM);
		return;
	}
	output_partial(o, partial, sizeof(partial));
	if (partial[0])
		lines--;
	have = o->count < OUTPUT_LINES ? o->count : OUTPUT_LINES;
	if (lines < 0)
		lines = 0;
	first = o->count - (have < (uint64_t)lines ? have : (uint64_t)lines);
	for (uint64_t i = first; i < o->count; i++)
		frame_puts(c->f, 0, y++, l->w, o->lines[i % OUTPUT_LINES],
			   ROLE_NORMAL);
	if (partial[0])
		frame_puts(c->f, 0, y, l->w, partial, ROLE_NORMAL);
}

/* Appends text to the status bar at *x; returns false when out of room. */
static bool status_add(struct frame *f, int *x, int limit, const char *s,
		       enum role role)
{
	int w = frame_text_width(s);

	if (*x + w > limit)
		return false;
	*x += frame_puts(f, *x, f->h - 1, w, s, role);
	return true;
}

/* --step with a call held: it fills the bar, its keys at the end (the
 * call needs the room more than "? help" does). */
static void draw_step_status(struct frame *f, const struct view *v)
{
	static const char *const keys[][2] = {
		{ "n", "next" }, { "c", "run" }, { "q", "quit" },
	};
	int x = 0, need = 0, hx;
	char text[64];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		need += (int)(strlen(keys[i][0]) + strlen(keys[i][1]) + 2);
	status_add(f, &x, f->w, " STEP ", ROLE_STATUS_KEY);
	if (v->lost) {
		snprintf(text, sizeof(text), " lost %llu",
			 (unsigned long long)v->lost);
		status_add(f, &x, f->w, text, ROLE_WARNING);
	}
	status_add(f, &x, f->w, " ", ROLE_STATUS);
	hx = f->w - need;
	if (hx > x)
		frame_puts(f, x, f->h - 1, hx - x - 1, v->step_text,
			   ROLE_WARNING);
	else
		hx = x;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		status_add(f, &hx, f->w, keys[i][0], ROLE_STATUS_KEY);
		snprintf(text, sizeof(text), " %s ", keys[i][1]);
		status_add(f, &hx, f->w, text, ROLE_STATUS);
	}
}

void draw_status(const struct scene_ctx *c, size_t hidden)
{
	static const char *const hints[][2] = {
		{ "?", "help" }, { "/", "filter" }, { "l", "log" },
		{ "a", "all" },	 { "spc", "pause" }, { "q", "quit" },
	};
	struct frame *f = c->f;
	const struct view *v = c->v;
	int y = f->h - 1, x = 0, hx;
	char text[512], esc[256];

	frame_fill(f, 0, y, f->w, ' ', ROLE_STATUS);
	if (v->filter_editing) {
		escape_text(esc, sizeof(esc), v->filter, strlen(v->filter));
		snprintf(text, sizeof(text), " filter: %s_", esc);
		status_add(f, &x, f->w, text, ROLE_STATUS_KEY);
		status_add(f, &x, f->w,
			   "   name or pid; Enter keeps it, Esc clears it",
			   ROLE_STATUS);
		return;
	}
	if (v->step_mode && v->step_text) {
		draw_step_status(f, v);
		return;
	}
	status_add(f, &x, f->w, v->paused ? " PAUSED " :
		   v->step_mode && v->step_holding ? " STEP " : " LIVE ",
		   ROLE_STATUS_KEY);
	snprintf(text, sizeof(text), " %.0f ev/s ", v->events_per_s);
	status_add(f, &x, f->w, text, ROLE_STATUS);
	snprintf(text, sizeof(text), "lost %llu", (unsigned long long)v->lost);
	status_add(f, &x, f->w, text, v->lost ? ROLE_WARNING : ROLE_STATUS);
	if (v->filter[0]) {
		escape_text(esc, sizeof(esc), v->filter, strlen(v->filter));
		snprintf(text, sizeof(text), "  filter: %s", esc);
		status_add(f, &x, f->w, text, ROLE_STATUS_KEY);
	}
	if (!v->show_all && hidden) {
		snprintf(text, sizeof(text), "  %zu idle hidden", hidden);
		status_add(f, &x, f->w, text, ROLE_STATUS);
	}
	if (v->message) {
		snprintf(text, sizeof(text), "  %s", v->message);
		if (!status_add(f, &x, f->w, text,
				v->message_warn ? ROLE_WARNING : ROLE_STATUS))
			frame_puts(f, x, y, f->w - x, text,
				   v->message_warn ? ROLE_WARNING : ROLE_STATUS);
		return;	/* the message wins over the key hints */
	}
	if (v->target) {
		snprintf(text, sizeof(text), "  %s", v->target);
		status_add(f, &x, f->w - 20, text, ROLE_STATUS);
	}
	/* key hints, right-aligned, as many as fit: help and quit last */
	static const int drop_order[] = { 4, 3, 2, 1, 0, 5 };
	bool shown[sizeof(hints) / sizeof(hints[0])];
	size_t nh = sizeof(hints) / sizeof(hints[0]);
	int need = 0;

	for (size_t i = 0; i < nh; i++) {
		shown[i] = true;
		need += (int)(strlen(hints[i][0]) + strlen(hints[i][1]) + 2);
	}
	for (size_t k = 0; k < nh && x + need + 1 > f->w; k++) {
		int i = drop_order[k];

		shown[i] = false;
		need -= (int)(strlen(hints[i][0]) + strlen(hints[i][1]) + 2);
	}
	hx = f->w - need;
	for (size_t i = 0; i < nh; i++) {
		if (!shown[i])
			continue;
		status_add(f, &hx, f->w, hints[i][0], ROLE_STATUS_KEY);
		snprintf(text, sizeof(text), " %s ", hints[i][1]);
		status_add(f, &hx, f->w, text, ROLE_STATUS);
	}
}

#define HELP_STEP_LINE 12
static const char *const help_lines[] = {
	"Up Down j k    move the selection",
	"PgUp PgDn      move a page;  Home End g G: first, last",
	"Tab Left Right change pane: processes, fds, open files, objects",
	"Enter          details: every holder of the selection",
	"/              filter by name or pid (Enter keeps, Esc clears)",
	"space          pause the view (events are still recorded)",
	"l              show or hide the event log",
	"o              show or hide the traced command's output",
	"a x            all / active processes; x: loader's files, sleeps",
	"? F1           this help;  Esc closes a box",
	"q F10          quit",
	"mouse click    select what is under the pointer",
	"",	/* HELP_STEP_LINE */
	"f3        open-file entry 3 (a struct file, shared by dup/fork)",
	"refs N    the kernel's reference count of that entry",
	"@N        file offset;  cx: close-on-exec is set on the fd",
	"[\xe2\x96\x88\xe2\x96\x88\xe2\x96\x91\xe2\x96\x91]    bytes buffered in a pipe against its capacity",
	"rN wN     readers and writers of a pipe or FIFO",
	"\xe2\x97\xb7 read fd3 blocked in read() on fd 3 (the fd is marked too)",
	"\xc2\xbb \xc2\xab \xe2\x86\xaf     data written into / read out of an object; a signal",
};

void draw_help(const struct scene_ctx *c)
{
	struct frame *f = c->f;
	int lines = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	const char *off = c->v->features_off;
	int n = lines + (off && *off ? 2 : 0);
	int w = 72, pad = 1, h;
	char off_line[160];

	if (n + 4 > f->h - 2)
		pad = 0;	/* 80x24: no blank rows inside the box */
	h = n + 2 + 2 * pad;
	if (h > f->h - 2)
		h = f->h - 2;
	int x = (f->w - w) / 2, y = (f->h - h) / 2;
	draw_box(f, x, y, w, h, "ipcscope keys");
	snprintf(off_line, sizeof(off_line), "off on this kernel: %s "
		 "(ipcscope -v says why)", off ? off : "");
	for (int i = 0; i < n && i < h - 2 - 2 * pad; i++) {
		const char *s = i < lines ? help_lines[i] :
				i == lines ? "" : off_line;

		/* --step: its keys where the legend's blank line was */
		if (c->v->step_mode && i == HELP_STEP_LINE)
			s = "n c s          step: one held call runs; run freely; hold again";

		/* the help's own glyphs turn ASCII too */
		if (f->ascii && !strncmp(s, "[\xe2\x96\x88", 4))
			s = "[##..]    bytes buffered in a pipe against its capacity";
		else if (f->ascii && !strncmp(s, "\xc2\xbb", 2))
			s = "> < !     data written into / read out of an object; a signal";
		else if (f->ascii && (unsigned char)s[0] >= 0x80)
			s = "z read fd3 blocked in read() on fd 3 (the fd is marked too)";
		frame_puts(f, x + 2, y + 1 + pad + i, w - 4, s, ROLE_BOX);
	}
}

void draw_too_small(struct frame *f)
{
	char text[96];
	int y = f->h / 2, tw;

	snprintf(text, sizeof(text), "terminal too small: %dx%d, need %dx%d",
		 f->w, f->h, SCENE_MIN_W, SCENE_MIN_H);
	tw = (int)strlen(text);
	frame_puts(f, tw < f->w ? (f->w - tw) / 2 : 0, y, f->w, text,
		   ROLE_WARNING);
	if (y + 1 < f->h)
		frame_puts(f, f->w > 8 ? (f->w - 8) / 2 : 0, y + 1, f->w,
			   "q quits", ROLE_DIM);
}
