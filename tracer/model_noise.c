// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the model knows is not the traced program's own doing (see
 * model.h): the dynamic loader's files, the objects that are ipcscope's
 * own (the traced command's output pipe), and the names of the syscalls
 * a process may sleep in. The outputs keep all of it; the live view
 * hides or marks it.
 */
#include <fcntl.h>
#include <string.h>

#include "model_impl.h"

/* NAME.so or NAME.so.DIGITS[.DIGITS...] */
static bool shared_object(const char *base)
{
	const char *so = NULL;

	for (const char *p = strstr(base, ".so"); p; p = strstr(p + 1, ".so"))
		so = p;
	if (!so || so == base)
		return false;
	so += 3;
	if (!*so)
		return true;
	if (*so != '.')
		return false;
	for (so++; *so; so++)
		if ((*so < '0' || *so > '9') && *so != '.')
			return false;
	return so[-1] != '.';
}

/* /lib, /lib64, /usr/lib, /usr/lib32, /usr/local/lib ... and below */
static bool in_lib_dir(const char *path)
{
	static const char *const dirs[] = { "/lib", "/usr/lib",
					    "/usr/local/lib" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		const char *p = path + n;

		if (strncmp(path, dirs[i], n))
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '/')
			return true;
	}
	return false;
}

bool model_loader_path(const char *path)
{
	const char *base;

	if (!path || path[0] != '/')
		return false;
	if (!strcmp(path, "/etc/ld.so.cache") ||
	    !strcmp(path, "/etc/ld.so.preload"))
		return true;
	base = strrchr(path, '/') + 1;
	return shared_object(base) || in_lib_dir(path);
}

/* The C library's caches, which some versions open without O_CLOEXEC */
static bool libc_cache(const char *path)
{
	const char *base = strrchr(path, '/');

	return in_lib_dir(path) && base &&
	       (!strcmp(base, "/gconv-modules.cache") ||
		!strcmp(base, "/locale-archive"));
}

static bool loader_known(const struct model *m, uint64_t dev, uint64_t ino)
{
	unsigned n = m->nloader_objs < 32 ? m->nloader_objs : 32;

	for (unsigned i = 0; i < n; i++)
		if (m->loader_objs[i][0] == dev && m->loader_objs[i][1] == ino)
			return true;
	return false;
}

void file_classify(struct model *m, struct model_file *f, bool cloexec)
{
	const char *path = f->obj ? f->obj->name : "";

	/* ld.so opens O_RDONLY | O_CLOEXEC, and only these */
	f->loader = (f->flags & O_ACCMODE) == O_RDONLY && f->obj &&
		    (f->obj->kind == OBJ_FILE || f->obj->kind == OBJ_DIR) &&
		    model_loader_path(path) && (cloexec || libc_cache(path));
	if (f->loader && !loader_known(m, f->obj->dev, f->obj->ino)) {
		m->loader_objs[m->nloader_objs % 32][0] = f->obj->dev;
		m->loader_objs[m->nloader_objs % 32][1] = f->obj->ino;
		m->nloader_objs++;
	}
}

void flow_classify(const struct model *m, struct model_file *f)
{
	if (!f->loader && f->obj)
		f->loader = loader_known(m, f->obj->dev, f->obj->ino);
}

bool model_is_own(const struct model *m, uint64_t dev, uint64_t ino)
{
	unsigned n = m->nown < 4 ? m->nown : 4;

	for (unsigned i = 0; i < n; i++)
		if (m->own[i][0] == dev && m->own[i][1] == ino)
			return true;
	return false;
}

void model_own_object(struct model *m, uint64_t dev, uint64_t ino)
{
	struct model_object *o = hmap_get(&m->objects, dev, ino);

	if (o)
		o->ours = true;
	if (model_is_own(m, dev, ino))
		return;
	m->own[m->nown % 4][0] = dev;
	m->own[m->nown % 4][1] = ino;
	m->nown++;
}

/* x86_64 (arch/x86/entry/syscalls/syscall_64.tbl): the ones a process
 * sleeps in that enum model_wait does not name already */
static const struct {
	int nr;
	const char *name;
} syscalls[] = {
	{ 16, "ioctl" },	   { 24, "sched_yield" },
	{ 40, "sendfile" },	   { 56, "clone" },
	{ 57, "fork" },		   { 58, "vfork" },
	{ 59, "execve" },	   { 72, "fcntl" },
	{ 73, "flock" },	   { 74, "fsync" },
	{ 75, "fdatasync" },	   { 76, "truncate" },
	{ 77, "ftruncate" },	   { 87, "unlink" },
	{ 101, "ptrace" },	   { 127, "rt_sigpending" },
	{ 162, "sync" },	   { 202, "futex" },
	{ 206, "io_setup" },	   { 208, "io_getevents" },
	{ 240, "mq_open" },	   { 242, "mq_timedsend" },
	{ 243, "mq_timedreceive" }, { 275, "splice" },
	{ 276, "tee" },		   { 277, "sync_file_range" },
	{ 278, "vmsplice" },	   { 306, "syncfs" },
	{ 318, "getrandom" },	   { 426, "io_uring_enter" },
	{ 434, "pidfd_open" },	   { 449, "futex_waitv" },
};

const char *model_syscall_name(int nr)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (syscalls[i].nr == nr)
			return syscalls[i].name;
	return NULL;
}
