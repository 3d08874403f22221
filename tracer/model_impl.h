/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The model's private interface: the helpers its files share (objects,
 * entries, tables, processes, mappings, and the event appliers split across
 * files). Only tracer/model*.c include it; everyone else uses model.h.
 */
#ifndef IPCSCOPE_MODEL_IMPL_H
#define IPCSCOPE_MODEL_IMPL_H

#include <string.h>

#include "model.h"

static inline void emit(struct model *m, struct model_note *n)
{
	if (m->note)
		m->note(m->note_ctx, n);
}

static inline void note_init(struct model_note *n, const struct ipcs_hdr *h)
{
	memset(n, 0, sizeof(*n));
	n->kind = h->kind;
	n->ts = h->ts;
	n->pid = h->pid;
	n->tid = h->tid;
	n->comm = h->comm;
	n->fd = -1;
	n->oldfd = -1;
}

/* --- objects (model_objects.c) -------------------------------------------- */

/* Names o from what a record carries: d_name, the user's path, d_path, or
 * /proc through m->resolve; a name from d_path or /proc is final. */
void object_name(struct model *m, struct model_object *o,
		 const struct ipcs_file_info *fi, uint32_t pid, int fd,
		 const char *dname, const char *upath, const char *dpath);
/* The object (dev, ino) of fi, created on first sight. */
/* Sets f->loader by the rule of model_loader_path() for an entry held
 * at a close-on-exec fd or not, and remembers the loader's objects for a
 * while (model_noise.c); a flow's entry is the loader's when its object
 * was lately. */
void file_classify(struct model *m, struct model_file *f, bool cloexec);
void flow_classify(const struct model *m, struct model_file *f);
struct model_object *object_get(struct model *m,
				const struct ipcs_file_info *fi);
/* Its state as fi read it at ts (pipe fill, queue sizes, socket). */
void object_entry_freed(struct model_object *o, uint32_t f_flags);
void object_update(struct model_object *o,
		   const struct ipcs_file_info *fi, uint64_t ts);
/* The name of the socket at the other end, remembered once found. */
const char *socket_peer(struct model *m, struct model_object *o,
			char *buf, size_t len);
/* The SysV object of kind and id, created alive on first sight. */
struct model_object *sysv_get(struct model *m, enum obj_kind kind, int id);

/* --- open-file entries, tables, processes, mappings (model.c) ------------- */

int file_retire(struct model *m, struct model_file *f);
struct model_file *file_get(struct model *m,
			    const struct ipcs_file_info *fi, bool fresh);
struct model_file *flow_file(struct model *m,
			     const struct ipcs_file_info *fi);
void file_update(struct model_file *f, const struct ipcs_file_info *fi,
		 uint64_t ts);

struct model_table *table_get(struct model *m, uint64_t kaddr);
struct model_table *table_fresh(struct model *m, uint64_t kaddr);
struct model_fd *table_slot(struct model_table *t, int fd);
struct model_file *slot_clear(struct model_fd *s, bool kernel_drop);

void proc_set_table(struct model *m, struct model_proc *p,
		    struct model_table *t);
struct model_proc *proc_new(struct model *m, uint32_t pid,
			    uint64_t start);
void proc_exit(struct model *m, struct model_proc *p, uint64_t ts);
void proc_gone(struct model *m, uint32_t pid, uint64_t start, uint64_t ts);
bool proc_is_gone(const struct model *m, uint32_t pid, uint64_t start);
void gone_expire(struct model *m, uint64_t now_ns);
struct model_proc *proc_for_event_as(struct model *m,
				     const struct ipcs_hdr *h,
				     uint64_t files, bool rename);
struct model_proc *proc_for_event(struct model *m,
				  const struct ipcs_hdr *h,
				  uint64_t files);

int proc_add_map(struct model_proc *p, const struct model_map *mp);
void map_release(struct model_map *mp);
void map_hold(struct model_map *mp);
void proc_drop_maps(struct model_proc *p);
void proc_forget_maps(struct model_proc *p);

/* --- applying events (model_apply.c, model_apply_ipc.c) ------------------- */

struct model_file *fd_entry(struct model *m, const struct ipcs_hdr *h,
			    uint64_t files, int fd,
			    const struct ipcs_file_info *fi, bool full);
void apply_mmap(struct model *m, const struct ipcs_ev_fd *e);
void apply_munmap(struct model *m, const struct ipcs_ev_munmap *e);
void apply_mq_unlink(struct model *m, const struct ipcs_ev_fd *e);
void apply_ipc(struct model *m, const struct ipcs_ev_ipc *e);

#endif /* IPCSCOPE_MODEL_IMPL_H */
