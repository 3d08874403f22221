/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Primitives the scene's parts share (scene_prim.c): the draw context,
 * line glyphs and boxes, and text helpers. Untrusted text is escaped by
 * tracer/escape.c's escape_text(), here through esc_field().
 */
#ifndef IPCSCOPE_SCENE_PRIM_H
#define IPCSCOPE_SCENE_PRIM_H

#include "scene.h"

/* What every drawing function reads and the frame it writes. */
struct scene_ctx {
	struct frame *f;
	const struct scene_layout *l;
	const struct view *v;
	const struct model *m;
};

/* ---- glyphs and boxes ---------------------------------------------- */

enum { DIR_N = 1, DIR_S = 2, DIR_E = 4, DIR_W = 8 };

#define G(f, uni, asc) ((f)->ascii ? (uint32_t)(asc) : (uint32_t)(uni))
#define GLYPH_ARROW(f) G(f, 0x25b8, '>')	/* ▸ */
#define GLYPH_WRITE(f) G(f, 0x00bb, '>')	/* » */
#define GLYPH_READ(f) G(f, 0x00ab, '<')		/* « */
#define GLYPH_FULL(f) G(f, 0x2588, '#')		/* █ */
#define GLYPH_EMPTY(f) G(f, 0x2591, '.')	/* ░ */
#define GLYPH_ELLIPSIS(f) G(f, 0x2026, '~')	/* … */
#define GLYPH_WAIT(f) G(f, 0x25f7, 'z')		/* ◷ blocked in a syscall */
#define GLYPH_SIGNAL(f) G(f, 0x21af, '!')	/* ↯ a signal came */

/* The line drawing character joining the DIR_* directions in mask. */
uint32_t line_glyph(unsigned mask, bool ascii);
void draw_box(struct frame *f, int x, int y, int w, int h,
	      const char *title);

/* ---- the draw context ---------------------------------------------- */

/* Screen row of a graph row, or -1 when scrolled out of sight. */
int screen_y(const struct scene_ctx *c, int row);
bool is_selected(const struct scene_ctx *c, enum pane pane,
		 const struct scene_item *it);
/* Changed within the flash time of now. */
bool recent(const struct view *v, uint64_t ts);
const struct view_traffic *file_traffic(const struct view *v,
					const struct model_file *f);
const struct view_traffic *obj_traffic(const struct view *v,
				       const struct model_object *o);

/* ---- text ---------------------------------------------------------- */

/* Escapes a NUL-terminated field of at most max bytes. */
const char *esc_field(char *out, size_t outlen, const char *in, size_t max);
/* The end of s that fits in maxw columns, with an ellipsis in front when
 * cut: paths are told apart by their ends. */
int puts_tail(struct frame *f, int x, int y, int maxw, const char *s,
	      enum role role);

bool is_sysv(const struct model_object *o);
/* "SIGPIPE", or "signal 40" for one without a name */
const char *sig_name(char *out, size_t len, int sig);
/* What a signal's target does with it ("caught", "kills it", "pending")
 * from its IPCS_SIGACT_* disposition; "" when not known. */
const char *sig_handling(int sig, int action);
/* A signal came to p lately (VIEW_SIGNAL_NS) and is worth its row: not
 * SIGCHLD, nor one ignored by default, unless noise is shown. */
bool proc_signal_shown(const struct view *v, const struct model_proc *p);
/* p sent another a signal lately (not SIGCHLD). */
bool proc_sent_shown(const struct view *v, const struct model_proc *p);
/* Blocked in a syscall worth a marker (a sleep only with noise shown). */
bool proc_waits(const struct view *v, const struct model_proc *p);
/* "read fd3", "msgrcv": the PROCESSES column's short form */
const char *wait_short(char *out, size_t len, const struct model_proc *p);
/* "blocked in read on fd 3: f2 pipe:[51234], empty, 1 writer" */
const char *wait_words(char *out, size_t len, const struct model_proc *p);
/* "#0=0 #1=3 #2=1": a semaphore set's values, when known ("" if not) */
const char *sem_values_text(char *out, size_t len,
			    const struct model_object *o);

/* A socket's addresses and peer, escaped (paths are untrusted). */
struct sock_text {
	char local[IPCS_SOCKADDR_MAX * 4 + 1];
	char remote[IPCS_SOCKADDR_MAX * 4 + 1];
	char peer[IPCS_PATH_LEN * 4 + 1];
	const char *proto;	/* "unix stream", "tcp", ... */
};

void sock_text(struct sock_text *st, const struct model_object *o);

#endif /* IPCSCOPE_SCENE_PRIM_H */
