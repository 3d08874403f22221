// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Keys, clicks and selection repair (see keys.h). Pure functions of the
 * view and the layout on screen: they return what the caller should do
 * (redraw, quit, pause) and never touch the model or the terminal.
 */
#include <string.h>
#include <sys/types.h>

#include "keys.h"
#include "scene.h"

static void select_item(struct view *v, enum pane pane,
			const struct scene_layout *l, size_t i)
{
	const struct scene_item *it = &l->items[pane][i];

	v->sel = (struct view_sel){ pane, it->a, it->b, (int)i };
	v->have_sel = true;
}

/* Keeps the selected item inside the graph area. */
static void scroll_to(struct view *v, const struct scene_layout *l,
		      const struct scene_item *it)
{
	int h = it->height < l->graph_h ? it->height : l->graph_h;

	if (it->row < v->scroll)
		v->scroll = it->row;
	else if (it->row + h > v->scroll + l->graph_h)
		v->scroll = it->row + h - l->graph_h;
}

void view_fix(struct view *v, const struct scene_layout *l)
{
	const struct scene_item *it = NULL;
	size_t i, n;

	if (l->too_small)
		return;
	if (v->focus >= PANE__COUNT)
		v->focus = PANE_PROCS;
	n = l->n[v->focus];
	if (v->have_sel && v->sel.pane == v->focus)
		it = scene_find(l, v->focus, v->sel.a, v->sel.b, &i);
	if (!it && n) {
		/* gone (closed, exited, filtered): take its neighbour */
		i = v->have_sel && v->sel.pane == v->focus && v->sel.index > 0 ?
			    (size_t)v->sel.index :
			    0;
		if (i >= n)
			i = n - 1;
		it = &l->items[v->focus][i];
	}
	if (it) {
		select_item(v, v->focus, l, i);
		scroll_to(v, l, it);
	} else {
		v->have_sel = false;
		v->show_detail = false;
	}
	if (v->scroll > l->rows - l->graph_h)
		v->scroll = l->rows - l->graph_h;
	if (v->scroll < 0)
		v->scroll = 0;
}

/* The item of a pane nearest to a graph row. */
static ssize_t nearest(const struct scene_layout *l, enum pane pane, int row)
{
	ssize_t best = -1;
	int bestd = 0;

	for (size_t i = 0; i < l->n[pane]; i++) {
		const struct scene_item *it = &l->items[pane][i];
		int d = row < it->row ? it->row - row :
			row >= it->row + it->height ? row - (it->row + it->height - 1) :
						      0;

		if (best < 0 || d < bestd) {
			best = (ssize_t)i;
			bestd = d;
		}
	}
	return best;
}

static int current_row(const struct view *v, const struct scene_layout *l)
{
	const struct scene_item *it;

	if (!v->have_sel)
		return v->scroll;
	it = scene_find(l, v->sel.pane, v->sel.a, v->sel.b, NULL);
	return it ? it->row : v->scroll;
}

/* Focus moves to the item of the new pane nearest to the selection, so
 * Tab from an fd lands on (or near) its open-file entry. */
static int focus_to(struct view *v, const struct scene_layout *l,
		    enum pane pane)
{
	int row = current_row(v, l);
	ssize_t i;

	v->focus = pane;
	i = nearest(l, v->focus, row);
	if (i >= 0)
		select_item(v, v->focus, l, (size_t)i);
	else
		v->have_sel = false;
	return VIEW_HANDLED | VIEW_REDRAW;
}

static int focus_pane(struct view *v, const struct scene_layout *l, int dir)
{
	return focus_to(v, l,
			(enum pane)((v->focus + PANE__COUNT + dir) % PANE__COUNT));
}

static int move(struct view *v, const struct scene_layout *l, long delta,
		bool page)
{
	size_t n = l->n[v->focus], cur = 0;
	long i;

	if (!n)
		return VIEW_HANDLED;
	if (v->have_sel && v->sel.pane == v->focus)
		scene_find(l, v->focus, v->sel.a, v->sel.b, &cur);
	if (page) {
		/* a page of rows, not of items */
		int row = current_row(v, l) + (int)delta * (l->graph_h - 1);
		ssize_t k = nearest(l, v->focus, row < 0 ? 0 : row);

		i = k < 0 ? 0 : k;
	} else {
		i = (long)cur + delta;
	}
	if (i < 0)
		i = 0;
	if (i >= (long)n)
		i = (long)n - 1;
	select_item(v, v->focus, l, (size_t)i);
	scroll_to(v, l, &l->items[v->focus][i]);
	return VIEW_HANDLED | VIEW_REDRAW;
}

static int filter_key(struct view *v, int key)
{
	size_t n = strlen(v->filter);

	switch (key) {
	case VKEY_ENTER:
		v->filter_editing = false;
		break;
	case VKEY_ESC:
		v->filter_editing = false;
		v->filter[0] = '\0';
		break;
	case VKEY_BACKSPACE:
		if (n)
			v->filter[n - 1] = '\0';
		break;
	case 0x15:	/* ^U */
		v->filter[0] = '\0';
		break;
	case VKEY_F10:
		return VIEW_HANDLED | VIEW_QUIT;
	default:
		if (key < 0x20 || key > 0x7e)
			return VIEW_HANDLED;
		if (n + 1 < sizeof(v->filter)) {
			v->filter[n] = (char)key;
			v->filter[n + 1] = '\0';
		}
		break;
	}
	/* the list changes under the selection: start from the top */
	v->scroll = 0;
	v->sel.index = 0;
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* With time control, the keys that move the time shown; step mode keeps
 * n and c while the view follows the run. */
static int time_key(const struct view *v, int key)
{
	const struct view_time *t = v->time;
	bool following = !t->past && !t->ended;

	switch (key) {
	case 'n':
	case 'c':
		if (v->step_mode && following)
			return 0;
		return VIEW_HANDLED | VIEW_REDRAW | VIEW_TIME;
	case ' ':
	case 'p':
	case 'N':
	case '+':
	case '-':
		return VIEW_HANDLED | VIEW_REDRAW | VIEW_TIME;
	case 'g':	/* in the past: the first event, the last */
	case 'G':
		return t->past || t->replay ?
			       VIEW_HANDLED | VIEW_REDRAW | VIEW_TIME : 0;
	}
	return 0;
}

/* The event log focused: keys move through it, newest at the bottom. */
static int log_key(struct view *v, int key)
{
	switch (key) {
	case VKEY_UP:
	case 'k':
		v->log_back++;
		break;
	case VKEY_DOWN:
	case 'j':
		v->log_back -= v->log_back > 0;
		break;
	case VKEY_PGUP:
		v->log_back += 10;
		break;
	case VKEY_PGDN:
	case 0x06:	/* ^F */
		v->log_back = v->log_back > 10 ? v->log_back - 10 : 0;
		break;
	case VKEY_HOME:
		v->log_back = VIEW_LOG_LINES;
		break;
	case VKEY_END:
		v->log_back = 0;
		break;
	case VKEY_ESC:
	case 'e':
		v->log_focus = false;
		v->log_back = 0;
		break;
	default:
		return 0;
	}
	return VIEW_HANDLED | VIEW_REDRAW;
}

int view_key(struct view *v, const struct scene_layout *l, int key)
{
	int flags;

	if (v->filter_editing)
		return filter_key(v, key);
	if (key == 'q' || key == 'Q' || key == VKEY_F10)
		return VIEW_HANDLED | VIEW_QUIT;
	if (v->show_help) {
		/* any key closes the help; only the ones above do more */
		v->show_help = false;
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	if (l->too_small)
		return key == VKEY_CTRL_L ? VIEW_HANDLED | VIEW_REDRAW : 0;
	if (v->time && (flags = time_key(v, key)))
		return flags;
	if (v->log_focus && (flags = log_key(v, key)))
		return flags;
	switch (key) {
	case VKEY_UP:
	case 'k':
		return move(v, l, -1, false);
	case VKEY_DOWN:
	case 'j':
		return move(v, l, 1, false);
	case VKEY_PGUP:
		return move(v, l, -1, true);
	case VKEY_PGDN:
	case 0x06:	/* ^F */
		return move(v, l, 1, true);
	case VKEY_HOME:
	case 'g':
		return move(v, l, -(long)l->n[v->focus], false);
	case VKEY_END:
	case 'G':
		return move(v, l, (long)l->n[v->focus], false);
	case VKEY_TAB:
	case VKEY_RIGHT:
		return focus_pane(v, l, 1);
	case VKEY_BTAB:
	case VKEY_LEFT:
		return focus_pane(v, l, -1);
	case VKEY_ENTER:
		v->show_detail = !v->show_detail && v->have_sel;
		return VIEW_HANDLED | VIEW_REDRAW;
	case VKEY_ESC:
	case VKEY_BACKSPACE:
		v->show_detail = false;
		return VIEW_HANDLED | VIEW_REDRAW;
	case '/':
		v->filter_editing = true;
		v->show_detail = false;
		return VIEW_HANDLED | VIEW_REDRAW;
	case ' ':
	case 'p':
		v->paused = !v->paused;
		return VIEW_HANDLED | VIEW_REDRAW | VIEW_PAUSE;
	case 'l':
		v->show_log = !v->show_log;
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'e':
		v->show_log = v->log_focus = true;
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'a':
		v->show_all = !v->show_all;
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'S':
		v->sort = (enum view_sort)((v->sort + 1) % SORT__COUNT);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'C':
		v->connected = !v->connected;
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'F':
		v->unfold = !v->unfold;
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'o':
		v->show_output = !v->show_output;
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'x':
		v->show_noise = !v->show_noise;
		return VIEW_HANDLED | VIEW_REDRAW;
	case '?':
	case 'h':
	case VKEY_F1:
		v->show_help = true;
		return VIEW_HANDLED | VIEW_REDRAW;
	case VKEY_CTRL_L:
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'n':
	case 'c':
	case 's':
		return v->step_mode ? VIEW_HANDLED | VIEW_REDRAW | VIEW_STEP : 0;
	default:
		return 0;
	}
}

int view_click(struct view *v, const struct scene_layout *l, int x, int y)
{
	int row;

	if (v->show_help) {
		v->show_help = false;
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	if (l->too_small || v->filter_editing)
		return 0;
	if (y == 0) {	/* a column header focuses its pane */
		for (int p = 0; p < PANE__COUNT; p++) {
			if (x >= l->col_x[p] && x < l->col_x[p] + l->col_w[p])
				return focus_to(v, l, (enum pane)p);
		}
		return 0;
	}
	if (y < l->graph_y || y >= l->graph_y + l->graph_h)
		return 0;
	row = y - l->graph_y + v->scroll;
	for (int p = 0; p < PANE__COUNT; p++) {
		if (x < l->col_x[p] || x >= l->col_x[p] + l->col_w[p])
			continue;
		for (size_t i = 0; i < l->n[p]; i++) {
			const struct scene_item *it = &l->items[p][i];

			if (row >= it->row && row < it->row + it->height) {
				v->focus = (enum pane)p;
				select_item(v, (enum pane)p, l, i);
				return VIEW_HANDLED | VIEW_REDRAW;
			}
		}
	}
	return 0;
}
