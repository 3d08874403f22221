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
	char text[96];

	frame_fill(c->f, 0, l->log_y, l->w, ' ', ROLE_HEADER);
	if (c->v->time && c->v->time->past)
		snprintf(text, sizeof(text), "EVENTS up to event %llu of %llu%s",
			 (unsigned long long)c->v->time->step,
			 (unsigned long long)c->v->time->steps,
			 c->v->time->ended ? "" : " (the run goes on, recorded)");
	else
		snprintf(text, sizeof(text), "EVENTS%s",
			 c->v->paused ? " (view paused; still recording)" : "");
	frame_puts(c->f, 0, l->log_y, l->w, text, ROLE_HEADER);
	if (!log)
		return;
	/* the lines kept, oldest first; noise only with 'x'; the newest shown
	 * at the bottom, or log_back lines above it when the log is focused */
	uint64_t oldest = log->count > VIEW_LOG_LINES ? log->count - VIEW_LOG_LINES : 0;
	uint64_t back = c->v->log_focus ? c->v->log_back : 0;
	uint64_t end = log->count, first;
	bool noise = c->v->show_noise;
	int shown = 0;

#define LOG_SHOWN(i) (noise || !log->lines[(i) % VIEW_LOG_LINES].noise)
	for (uint64_t skip = 0; end > oldest && skip < back; end--)
		skip += LOG_SHOWN(end - 1);
	for (first = end; first > oldest && shown < lines; first--)
		shown += LOG_SHOWN(first - 1);
	for (; shown < lines && end < log->count; end++)	/* a full pane */
		shown += LOG_SHOWN(end);
	unsigned hidden = 0;
	for (uint64_t i = first, y = 0; i < end; i++) {
		const struct view_log_line *ln = &log->lines[i % VIEW_LOG_LINES];
		char line[VIEW_LOG_TEXT + 24];

		if (!LOG_SHOWN(i)) {
			hidden++;
			continue;
		}
		/* the entry's id: its place in the run, the same in a replay */
		snprintf(line, sizeof(line), "#%-4llu%s",
			 (unsigned long long)i + 1, ln->text);
		frame_puts(c->f, 0, l->log_y + 1 + (int)y++, l->w, line,
			   ln->warn ? ROLE_WARNING : ROLE_NORMAL);
	}
#undef LOG_SHOWN
	int x = frame_text_width(text) + 2;

	if (c->v->log_focus && x < l->w)
		x += 2 + frame_printf(c->f, x, l->log_y, l->w - x,
				      ROLE_HEADER_FOCUS,
				      "focused: Up Down PgUp PgDn Home End, Esc "
				      "leaves  #%llu-#%llu of %llu",
				      (unsigned long long)first + 1,
				      (unsigned long long)end,
				      (unsigned long long)log->count);
	if (hidden && x < l->w)
		frame_printf(c->f, x, l->log_y, l->w - x, ROLE_HEADER,
			     "(%u of the loader's or ipcscope's own hidden: x "
			     "shows them)", hidden);
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

/* Key hints from the right edge, as many as fit, the first ones kept. */
static void status_hints(struct frame *f, int x, const char *const (*keys)[2],
			 size_t n)
{
	int need = 0, hx;
	char text[64];

	for (size_t i = 0; i < n; i++) {
		int w = (int)(strlen(keys[i][0]) + strlen(keys[i][1]) + 2);

		if (x + need + w + 1 > f->w) {
			n = i;
			break;
		}
		need += w;
	}
	hx = f->w - need;
	for (size_t i = 0; i < n; i++) {
		status_add(f, &hx, f->w, keys[i][0], ROLE_STATUS_KEY);
		snprintf(text, sizeof(text), " %s ", keys[i][1]);
		status_add(f, &hx, f->w, text, ROLE_STATUS);
	}
}

/* Time control, when a past moment or the run's end is shown: where in
 * the run, the pace, and the keys that move it. */
static void draw_time_status(struct frame *f, const struct view *v)
{
	static const char *const past_keys[][2] = {
		{ "n", "next" }, { "N", "back" }, { "c", "play" },
		{ "+-", "pace" }, { "g G", "first last" }, { "spc", "live" },
		{ "q", "quit" },
	};
	static const char *const replay_keys[][2] = {
		{ "n", "next" }, { "N", "back" }, { "c", "play" },
		{ "+-", "pace" }, { "g G", "first last" }, { "q", "quit" },
	};
	static const char *const end_keys[][2] = {
		{ "N", "step back" }, { "q", "quits" },
	};
	const struct view_time *t = v->time;
	int x = 0;
	char text[256], pace[16];

	if (t->speed >= 0)
		snprintf(pace, sizeof(pace), "x%d", 1 << t->speed);
	else
		snprintf(pace, sizeof(pace), "x1/%d", 1 << -t->speed);
	if (!t->past) {		/* the end, kept */
		status_add(f, &x, f->w, " ENDED ", ROLE_STATUS_KEY);
		snprintf(text, sizeof(text), "  %s; the last picture stays until "
			 "q; N steps back through the run",
			 v->ended_text ? v->ended_text : "the run ended");
		/* cut to fit before the keys */
		if (f->w - 24 > x)
			x += frame_puts(f, x, f->h - 1, f->w - 24 - x, text,
					ROLE_STATUS);
		status_hints(f, x, end_keys, 2);
		return;
	}
	status_add(f, &x, f->w, t->replay ? " REPLAY " :
		   t->playing ? " PLAYING " : " PAUSED ", ROLE_STATUS_KEY);
	snprintf(text, sizeof(text), " event %llu of %llu  %+.3fs  %s%s%s ",
		 (unsigned long long)t->step, (unsigned long long)t->steps,
		 t->ts >= t->ts0 ? (t->ts - t->ts0) / 1e9 :
				   -((t->ts0 - t->ts) / 1e9),
		 t->playing ? "playing " : "", pace,
		 t->history_full ? "  history full" : "");
	status_add(f, &x, f->w, text, ROLE_STATUS);
	if (t->replay)
		status_hints(f, x, replay_keys, 6);
	else
		status_hints(f, x, past_keys, 7);
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
			   "   name, pid or object (pipe:[N], a path, an address); "
			   "Enter keeps it, Esc clears it",
			   ROLE_STATUS);
		return;
	}
	if (v->step_mode && v->step_text && !(v->time && v->time->past)) {
		draw_step_status(f, v);
		return;
	}
	if (v->time && (v->time->past || v->time->ended)) {
		draw_time_status(f, v);
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
	if (v->sort != SORT_PID) {
		snprintf(text, sizeof(text), "  sort: %s", view_sort_name(v->sort));
		status_add(f, &x, f->w, text, ROLE_STATUS_KEY);
	}
	if (v->connected) {
		status_add(f, &x, f->w, v->have_sel ? "  connected to the selection" :
			   "  connected: select something", ROLE_STATUS_KEY);
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
	"Up Down j k    move the selection (or click on it)",
	"PgUp PgDn      move a page;  Home End g G: first, last",
	"Tab Left Right change pane: processes, fds, open files, objects",
	"Enter          details: every holder of the selection",
	"/              filter: name, pid or object (pipe:[N], path, address)",
	"S  C  F        sort by pid/activity/name; only connected; fold alike",
	"space p        pause: the whole view holds; again: back to now",
	"n N  c         an event on, an event back;  play from there",
	"+ -  g G       play faster, slower (x1/8-x16);  first, last event",
	"l e o          log; scroll it (Esc: back); the command's output",
	"a x            all / active processes; x: loader's files, sleeps",
	"? F1  q F10    this help (Esc closes a box);  quit",
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
			s = "n c s          step (following the run): one call runs; run; hold";

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
