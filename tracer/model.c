// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model's housekeeping: init and free; the open-file entries, fd
 * tables, processes and shared mappings that records change; the sweep of
 * what nothing holds any more; lookups and sorted views. Records are
 * applied in model_apply.c and model_apply_ipc.c, snapshot records in
 * model_snap.c; objects are kept in model_objects.c. Every operation is
 * idempotent where it can be ("fd N now points at entry E", "fd N is
 * gone"), so a resync that overlaps events converges.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>

#include "model_impl.h"

#define MAX_FD (1 << 20)	/* the kernel's default nr_open */
/* how often tables that emptied give their room back (a walk of every
 * slot, not worth doing at every sweep) */
#define COMPACT_EVERY_NS (1000ULL * 1000 * 1000)

static const char *const wait_names[WAIT__COUNT] = {
	[WAIT_NONE] = "",	  [WAIT_READ] = "read",	    [WAIT_WRITE] = "write",
	[WAIT_ACCEPT] = "accept", [WAIT_CONNECT] = "connect", [WAIT_OPEN] = "open",
	[WAIT_MSGRCV] = "msgrcv", [WAIT_MSGSND] = "msgsnd", [WAIT_SEMOP] = "semop",
	[WAIT_CHILD] = "wait",	  [WAIT_SIGNAL] = "pause",  [WAIT_POLL] = "poll",
	[WAIT_SLEEP] = "sleep",	  [WAIT_OTHER] = "syscall",
};

#define IPCS_X(name)                                                           \
	_Static_assert((int)IPCS_WAIT_##name == (int)WAIT_##name, "wait " #name);
IPCS_WAITS(IPCS_X)
#undef IPCS_X

const char *model_wait_name(enum model_wait w)
{
	return w < WAIT__COUNT ? wait_names[w] : "";
}

const char *model_access(uint32_t flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return "r";
	case O_WRONLY:
		return "w";
	default:
		return "rw";
	}
}

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->next_file_id = 1;
	m->exited_keep_ns = 0;
	m->sweep_at = UINT64_MAX;
}

static void table_release(struct model *m, struct model_table *t);

void model_free(struct model *m)
{
	hmap_for_each(&m->procs, s) {
		struct model_proc *p = s->val;

		free(p->maps);
		free(p);
	}
	hmap_for_each(&m->tables, s) {
		struct model_table *t = s->val;

		free(t->slots);
		free(t);
	}
	hmap_for_each(&m->files, s)
		free(s->val);
	hmap_for_each(&m->objects, s)
		free(s->val);
	hmap_for_each(&m->gone, s)
		free(s->val);
	hmap_free(&m->procs);
	hmap_free(&m->tables);
	hmap_free(&m->files);
	hmap_free(&m->objects);
	hmap_free(&m->gone);
}

/* --- open-file entries ---------------------------------------------------- */

static void file_set_object(struct model_file *f, struct model_object *o)
{
	if (f->obj == o)
		return;
	if (f->obj)
		f->obj->nfiles--;
	f->obj = o;
	if (o)
		o->nfiles++;
}

/* An entry the kernel has freed: its address may come back for a new
 * one. Kept under its id until no slot points at it. */
int file_retire(struct model *m, struct model_file *f)
{
	if (f->stale)
		return 0;
	m->sweep_due = true;
	hmap_del(&m->files, f->kaddr, 0);
	f->stale = true;
	return hmap_put(&m->files, f->kaddr, f->id, f);
}

/* A new entry for the file at kaddr; a stale one is kept apart from the
 * live entry at that address. */
static struct model_file *file_new(struct model *m, uint64_t kaddr,
				   struct model_object *o, bool stale)
{
	struct model_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->kaddr = kaddr;
	f->id = m->next_file_id++;
	f->stale = stale;
	m->sweep_due = true;
	if (hmap_put(&m->files, kaddr, stale ? f->id : 0, f)) {
		free(f);
		return NULL;
	}
	file_set_object(f, o);
	return f;
}

/* The entry at kaddr. A struct file address is reused after free (the slab
 * is SLAB_TYPESAFE_BY_RCU): a different object behind it, or an event that
 * creates a file (fresh), means a new entry. */
struct model_file *file_get(struct model *m,
			    const struct ipcs_file_info *fi, bool fresh)
{
	struct model_file *f = hmap_get(&m->files, fi->file, 0);
	struct model_object *o = object_get(m, fi);

	if (!o)
		return NULL;
	if (f && (f->obj != o || fresh)) {
		if (file_retire(m, f))
			return NULL;
		f = NULL;
	}
	return f ? f : file_new(m, fi->file, o, false);
}

/* The entry a flow went through. Flows are drained a tick or two late: an
 * entry at the address with another object behind it came after the
 * flow's file, which closed meanwhile. It stays; the flow gets an entry of
 * its own, stale from the start, which the sweep removes. */
struct model_file *flow_file(struct model *m,
			     const struct ipcs_file_info *fi)
{
	struct model_file *f = hmap_get(&m->files, fi->file, 0);
	struct model_object *o = object_get(m, fi);

	if (!o)
		return NULL;
	if (!f || f->obj == o)
		return f ? f : file_new(m, fi->file, o, false);
	return file_new(m, fi->file, o, true);
}

void file_update(struct model_file *f, const struct ipcs_file_info *fi,
		 uint64_t ts)
{
	f->refs = fi->refs;
	f->pos = fi->pos;
	f->flags = fi->flags;
	f->last_ns = ts;
	object_update(f->obj, fi, ts);
}

struct model_file *model_file(struct model *m, uint64_t kaddr)
{
	return hmap_get(&m->files, kaddr, 0);
}

/* --- fd tables ---------------------------------------------------------- */

struct model_table *table_get(struct model *m, uint64_t kaddr)
{
	struct model_table *t = hmap_get(&m->tables, kaddr, 0);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->kaddr = kaddr;
	m->sweep_due = true;
	if (hmap_put(&m->tables, kaddr, 0, t)) {
		free(t);
		return NULL;
	}
	return t;
}

/* A table the kernel has just made at kaddr (fork without CLONE_FILES,
 * unshare): no live task can hold that address, so a table the model
 * holds there with users is one the kernel freed and reused, and its
 * users are wrong (their exit or unshare was missed, or they are ghosts).
 * It is kept apart for them, and they are re-read; the new table starts
 * empty. */
struct model_table *table_fresh(struct model *m, uint64_t kaddr)
{
	struct model_table *t = hmap_get(&m->tables, kaddr, 0);

	if (t && t->users) {
		uint64_t id = ++m->next_table_id;

		hmap_for_each(&m->procs, s) {
			struct model_proc *p = s->val;

			if (p->table == t && !p->exited)
				p->uncertain = true;
		}
		if (hmap_put(&m->tables, kaddr, id, t))
			return NULL;
		hmap_del(&m->tables, kaddr, 0);
		t->stale_id = id;
	}
	return table_get(m, kaddr);
}

/* The first slot of t whose fd is fd or more (nslots if none). Slot i
 * holds fd i or more (sorted, distinct, not negative), so fd is at slot
 * fd or before. */
static unsigned slot_index(const struct model_table *t, int fd)
{
	unsigned lo = 0, hi = t->nslots;

	if (!hi || t->slots[hi - 1].fd < fd)	/* a new highest fd */
		return hi;
	if ((unsigned)fd < hi)
		hi = fd + 1;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (t->slots[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct model_fd *model_table_fd(const struct model_table *t, int fd)
{
	unsigned i;

	if (!t || fd < 0)
		return NULL;
	/* most tables hold every fd from 0 up: slot fd is fd */
	if ((unsigned)fd < t->nslots && t->slots[fd].fd == fd)
		return &t->slots[fd];
	i = slot_index(t, fd);
	return i < t->nslots && t->slots[i].fd == fd ? &t->slots[i] : NULL;
}

/* Drops the free slots (no pointer to a slot may be held); then, to make
 * room for one more (more), grows a table that stays over 3/4 full (so
 * that dropping is not done again at every slot), and shrinks one under
 * 1/4 full to twice its fds. Returns -ENOMEM only when no room is left. */
static int table_compact(struct model_table *t, bool more)
{
	unsigned n = 0, cap = t->cap;
	struct model_fd *v;

	for (unsigned i = 0; i < t->nslots; i++)
		if (t->slots[i].file)
			t->slots[n++] = t->slots[i];
	t->nslots = n;
	if (more && n + 1 > cap * 3 / 4) {
		cap = cap ? cap * 2 : 8;
	} else if (cap > 16 && n < cap / 4) {
		for (cap = 16; cap < n * 2; cap *= 2)
			;
	}
	if (cap == t->cap)
		return 0;
	v = realloc(t->slots, cap * sizeof(*v));
	if (!v)
		return n < t->cap ? 0 : -ENOMEM;
	t->slots = v;
	t->cap = cap;
	return 0;
}

/* The slot of fd in t, made free if there was none. Slots are moved (and
 * pointers to them die) only when one is made. */
struct model_fd *table_slot(struct model_table *t, int fd)
{
	struct model_fd *s = model_table_fd(t, fd);
	unsigned i;

	if (s || fd < 0 || fd >= MAX_FD)
		return s;
	if (t->nslots == t->cap && table_compact(t, true))
		return NULL;
	i = slot_index(t, fd);
	memmove(&t->slots[i + 1], &t->slots[i],
		(t->nslots - i) * sizeof(t->slots[0]));
	t->nslots++;
	t->slots[i] = (struct model_fd){ .fd = fd };
	return &t->slots[i];
}

/* Empties a slot; the entry loses one slot, and when kernel_drop is set one
 * kernel reference too (we saw no event carrying the new count). The
 * guess never goes below the holders the model still sees (fd slots and
 * mappings): the latest reading may already have counted this drop (a
 * close at exec comes before the exec's record, and another process's
 * event in between read the count without it). */
struct model_file *slot_clear(struct model_fd *s, bool kernel_drop)
{
	struct model_file *f = s->file;
	uint64_t held;

	if (!f)
		return NULL;
	f->slots--;
	held = (uint64_t)f->slots + f->maps;
	if (kernel_drop && f->refs) {
		f->refs = f->refs - 1 > held ? f->refs - 1 : held;
		if (!f->refs)
			object_entry_freed(f->obj, f->flags);
	}
	s->file = NULL;
	s->cloexec = false;
	return f;
}

static void table_release(struct model *m, struct model_table *t)
{
	(void)m;
	model_table_for_each(t, s)
		slot_clear(s, true);
}

/* --- processes ------------------------------------------------------------ */

struct model_proc *model_proc(struct model *m, uint32_t pid)
{
	return hmap_get(&m->procs, pid, 0);
}

void proc_set_table(struct model *m, struct model_proc *p,
		    struct model_table *t)
{
	if (p->table == t)
		return;
	m->sweep_due = true;
	if (p->table && !p->exited && --p->table->users == 0)
		table_release(m, p->table);
	p->table = t;
	if (t && !p->exited)
		t->users++;
}

/* p has ended (its exit event, or a re-read that says so): its table
 * and mappings go, and (pid, start) is remembered a while (proc_gone). */
void proc_exit(struct model *m, struct model_proc *p, uint64_t ts)
{
	proc_set_table(m, p, NULL);
	proc_drop_maps(p);
	p->exited = true;
	p->exit_ns = ts;
	p->uncertain = false;
	proc_gone(m, p->pid, p->start, ts);
}

static void proc_free(struct model *m, struct model_proc *p)
{
	proc_set_table(m, p, NULL);
	proc_drop_maps(p);
	free(p);
}

/* A new process at pid: an older one with that pid is gone. */
struct model_proc *proc_new(struct model *m, uint32_t pid,
			    uint64_t start)
{
	struct model_proc *old = hmap_get(&m->procs, pid, 0);
	struct model_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->start = start;
	p->wait_fd = -1;
	p->wait_nr = -1;
	p->wait_id = -1;
	m->sweep_due = true;
	if (hmap_put(&m->procs, pid, 0, p)) {
		free(p);
		return NULL;
	}
	if (old)
		proc_free(m, old);
	return p;
}

/* The live process for an event from pid; one we never saw is created and
 * marked uncertain so that the loop re-reads it. rename: take the name the
 * event carries, as of the call (prctl(PR_SET_NAME) changes it without an
 * event of its own); fork's is given to the child, not taken here. */
struct model_proc *proc_for_event_as(struct model *m,
				     const struct ipcs_hdr *h,
				     uint64_t files, bool rename)
{
	struct model_proc *p = hmap_get(&m->procs, h->pid, 0);

	if (!p || p->exited) {
		p = proc_new(m, h->pid, 0);
		if (!p)
			return NULL;
		p->uncertain = true;
	}
	/* a thread's own name is not the process's */
	if (rename && h->tid == h->pid)
		memcpy(p->comm, h->comm, sizeof(p->comm));
	if (files && (!p->table || p->table->kaddr != files)) {
		/* the table changed under us (unshare, exec): the new one
		 * was just made */
		if (p->table)
			p->uncertain = true;
		proc_set_table(m, p, p->table ? table_fresh(m, files) :
						table_get(m, files));
	}
	p->last_ns = h->ts;
	return p;
}

struct model_proc *proc_for_event(struct model *m,
				  const struct ipcs_hdr *h,
				  uint64_t files)
{
	return proc_for_event_as(m, h, files, true);
}
/* --- shared mappings ----------------------------------------------------- */

int proc_add_map(struct model_proc *p, const struct model_map *mp)
{
	struct model_map *v = realloc(p->maps, (p->nmaps + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	p->maps = v;
	p->maps[p->nmaps++] = *mp;
	return 0;
}

/* A mapping goes away: its file loses a reference, its segment an attach. */
void map_release(struct model_map *mp)
{
	if (mp->file) {
		mp->file->maps--;
		if (mp->file->refs)
			mp->file->refs--;
	}
	if (mp->shm) {
		if (mp->shm->stat.count)
			mp->shm->stat.count--;
		if (mp->shm->rmid_pending && !mp->shm->stat.count)
			mp->shm->sysv_alive = false;
	}
}

/* A mapping is copied by fork: one more reference, one more attach. */
void map_hold(struct model_map *mp)
{
	if (mp->file) {
		mp->file->maps++;
		mp->file->refs++;
	}
	if (mp->shm)
		mp->shm->stat.count++;
}

void proc_drop_maps(struct model_proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		map_release(&p->maps[i]);
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
}

/* Before a re-read of the mappings: the kernel's counts come with it, so
 * the mappings go without touching refs or attaches. */
void proc_forget_maps(struct model_proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		if (p->maps[i].file)
			p->maps[i].file->maps--;
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
}

/* --- housekeeping --------------------------------------------------------- */

/* Tables that hold far fewer fds than they have room for (closes leave
 * free slots, dropped only when room is needed) give it back. */
static void tables_compact(struct model *m, uint64_t now_ns)
{
	if (now_ns < m->compact_at)
		return;
	m->compact_at = now_ns + COMPACT_EVERY_NS;
	hmap_for_each(&m->tables, s) {
		struct model_table *t = s->val;

		if (t->cap > 16)
			table_compact(t, false);
	}
}

void model_sweep(struct model *m, uint64_t now_ns)
{
	struct hmap_slot *s;

	if (!m->sweep_due && now_ns < m->sweep_at)
		return;
	m->sweep_at = UINT64_MAX;
	/* Deleting shifts later slots back: re-examine the same slot. */
	for (size_t i = 0; i < m->procs.cap; i++) {
		struct model_proc *p;

		while ((s = &m->procs.slots[i])->val) {
			p = s->val;
			if (p->exited &&
			    now_ns < p->exit_ns + m->exited_keep_ns) {
				if (p->exit_ns + m->exited_keep_ns < m->sweep_at)
					m->sweep_at = p->exit_ns + m->exited_keep_ns;
				break;
			}
			if (!p->exited)
				break;
			hmap_del(&m->procs, p->pid, 0);
			proc_free(m, p);
		}
	}
	for (size_t i = 0; i < m->tables.cap; i++) {
		struct model_table *t;

		while ((s = &m->tables.slots[i])->val) {
			t = s->val;
			if (t->users)
				break;
			table_release(m, t);
			hmap_del(&m->tables, t->kaddr, t->stale_id);
			free(t->slots);
			free(t);
		}
	}
	for (size_t i = 0; i < m->files.cap; i++) {
		struct model_file *f;

		while ((s = &m->files.slots[i])->val) {
			f = s->val;
			if (f->slots || f->maps)
				break;
			hmap_del(&m->files, f->kaddr, f->stale ? f->id : 0);
			file_set_object(f, NULL);
			free(f);
		}
	}
	for (size_t i = 0; i < m->objects.cap; i++) {
		struct model_object *o;

		while ((s = &m->objects.slots[i])->val) {
			o = s->val;
			if (o->nfiles || o->sysv_alive)
				break;
			hmap_del(&m->objects, o->dev, o->ino);
			free(o);
		}
	}
	gone_expire(m, now_ns);
	tables_compact(m, now_ns);
	m->sweep_due = false;
}

/* --- sorted views ----------------------------------------------------------- */

static int cmp_proc(const void *a, const void *b)
{
	const struct model_proc *x = *(struct model_proc *const *)a;
	const struct model_proc *y = *(struct model_proc *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_file(const void *a, const void *b)
{
	const struct model_file *x = *(struct model_file *const *)a;
	const struct model_file *y = *(struct model_file *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_object(const void *a, const void *b)
{
	const struct model_object *x = *(struct model_object *const *)a;
	const struct model_object *y = *(struct model_object *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->ino > y->ino) - (x->ino < y->ino);
}

static void **sorted(const struct hmap *h, size_t *n,
		     int (*cmp)(const void *, const void *))
{
	void **v = malloc((h->len ? h->len : 1) * sizeof(*v));
	size_t k = 0;

	*n = 0;
	if (!v)
		return NULL;
	hmap_for_each(h, s)
		v[k++] = s->val;
	qsort(v, k, sizeof(*v), cmp);
	*n = k;
	return v;
}

struct model_proc **model_procs_sorted(const struct model *m, size_t *n)
{
	return (struct model_proc **)sorted(&m->procs, n, cmp_proc);
}

struct model_file **model_files_sorted(const struct model *m, size_t *n)
{
	return (struct model_file **)sorted(&m->files, n, cmp_file);
}

uint32_t *model_alive(const struct model *m, size_t *n)
{
	struct model_proc **procs = model_procs_sorted(m, n);
	uint32_t *alive = procs ? malloc((*n ? *n : 1) * sizeof(*alive)) : NULL;
	size_t k = 0;

	for (size_t i = 0; alive && i < *n; i++)
		if (!procs[i]->exited)
			alive[k++] = procs[i]->pid;
	free(procs);
	*n = k;
	return alive;
}

struct model_object **model_objects_sorted(const struct model *m, size_t *n)
{
	return (struct model_object **)sorted(&m->objects, n, cmp_object);
}
