/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, after objects.bpf.h).
 * fd tables: the file at an fd (task_fdt, fdt_file, fdt_cloexec,
 * current_file*), and the events about an fd: one appearing or leaving
 * (fd_record, emit_fd*), close at entry and exit, close_range, pipe and
 * socketpair, fds received with SCM_RIGHTS, socket addresses, mkfifo's
 * name, and the fds left open after exec.
 */

#define MAX_SCM_FDS 8
_Static_assert(IPCS_SOCKADDR_MAX == 128, "sockaddr reads are masked with 127");

/* t is a trusted BTF pointer (the current task, or a tracepoint argument):
 * plain loads walk it, far cheaper than a helper call per field. */
static __always_inline struct fdtable *task_fdt(struct task_struct *t,
						__u64 *files_out)
{
	struct files_struct *files = t->files;

	*files_out = (__u64)files;
	if (!files)
		return NULL;
	return files->fdt;
}

/* The file installed at fd, or NULL. max_fds and the array come from the
 * same fdtable, which can be replaced when the table grows. */
static __always_inline struct file *fdt_file(struct fdtable *fdt, int fd)
{
	struct file **arr;
	struct file *f = NULL;

	if (!fdt || fd < 0 || (__u32)fd >= fdt->max_fds)
		return NULL;
	arr = fdt->fd;
	bpf_probe_read_kernel(&f, sizeof(f), arr + fd);
	return f;
}

static __always_inline bool fdt_cloexec(struct fdtable *fdt, __u32 fd)
{
	unsigned long *bits = BPF_CORE_READ(fdt, close_on_exec);
	unsigned long word = 0;

	bpf_probe_read_kernel(&word, sizeof(word), bits + fd / 64);
	return (word >> (fd % 64)) & 1;
}

/* The file at fd in the current task's table (and the table itself). */
static __always_inline struct file *current_file(int fd, struct fdtable **fdt,
						 __u64 *files)
{
	*fdt = task_fdt(bpf_get_current_task_btf(), files);
	return fdt_file(*fdt, fd);
}

/* The same with a plain load for the fd array's slot, where fdt_file pays
 * a helper call: every kernel's struct kiocb begins with a struct file
 * pointer (ki_filp), so the slot is read as one. */
static __always_inline struct file *current_file_direct(int fd, __u64 *files)
{
	struct fdtable *fdt = task_fdt(bpf_get_current_task_btf(), files);

	if (!fdt || fd < 0 || (__u32)fd >= fdt->max_fds)
		return NULL;
	return KCAST(fdt->fd + fd, struct kiocb)->ki_filp;
}

/* The record of an fd that appeared in or is leaving the current task's
 * table, whose file is f. */
static __always_inline void fd_record(struct ipcs_ev_fd *e, struct file *f,
				      struct fdtable *fdt, __u64 files,
				      enum ipcs_kind kind, int fd, int oldfd,
				      __u32 fd_flags, const char *upath,
				      __s64 refs_delta, __u64 addr, __u64 len)
{
	hdr_fill(&e->h, kind, sizeof(*e));
	e->fd = fd;
	e->oldfd = oldfd;
	e->fd_flags = fd_flags;
	if (kind != IPCS_EV_CLOSE && fdt_cloexec(fdt, fd))
		e->fd_flags |= IPCS_FD_CLOEXEC;
	e->dirfd = -1;
	e->files = files;
	e->addr = addr;
	e->len = len;
	__builtin_memset(&e->f, 0, sizeof(e->f));
	file_fill(f, &e->f);
	e->f.refs += refs_delta;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name),
				  BPF_CORE_READ(f, f_path.dentry, d_name.name));
	e->path[0] = 0;
	if (upath)
		bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
}

/* One fd appeared or disappeared in the current task's table. */
static __always_inline void emit_fd_at(enum ipcs_kind kind, int fd, int oldfd,
				       __u32 fd_flags, const char *upath,
				       __s64 refs_delta, __u64 addr, __u64 len)
{
	struct ipcs_ev_fd *e;
	struct fdtable *fdt;
	__u64 files;
	struct file *f = current_file(fd, &fdt, &files);

	if (!f)
		return;
	e = reserve(sizeof(*e));
	if (!e)
		return;
	fd_record(e, f, fdt, files, kind, fd, oldfd, fd_flags, upath,
		  refs_delta, addr, len);
	submit(e);
}

static __always_inline void emit_fd(enum ipcs_kind kind, int fd, int oldfd,
				    __u32 fd_flags, const char *upath,
				    __s64 refs_delta)
{
	emit_fd_at(kind, fd, oldfd, fd_flags, upath, refs_delta, 0, 0);
}

#define PATH_PARTS 40	/* components file_path walks up at most */
#define PATH_MASK (IPCS_PATH_LEN * 2 - 1)
#define NAME_MASK (IPCS_PATH_LEN - 1)

/* A file's absolute path as /proc/PID/fd names it (d_path from the global
 * root), built in the kernel at the open: by the time user space could
 * read /proc the file may be gone (git's loose objects, a temp file). Its
 * dentries are walked up to the root, crossing mounts, one bpf_loop step
 * each (checked once by the verifier); " (deleted)" as d_path adds it.
 * Only files with a place in a tree (not pipes, sockets, anonymous
 * inodes). Returns 0 with out filled, or -1. */
struct path_walk {
	struct vfsmount *vm;
	struct mount *mnt;
	struct dentry *d;
	char *buf;		/* path_scratch: built from its middle down */
	__u32 pos;		/* where the path begins in buf */
	int err;
};

static long path_step(__u32 i, struct path_walk *w)
{
	/* locals: BPF_CORE_READ of our own struct's fields would be
	 * relocated against the kernel's BTF */
	struct vfsmount *vm = w->vm;
	struct mount *mnt = w->mnt;
	struct dentry *d = w->d;
	struct dentry *root = BPF_CORE_READ(vm, mnt_root);
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	const unsigned char *name;
	__u32 len, pos = w->pos;

	if (d == root) {	/* at its mount's root: up a mount */
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt)
			return 1;
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		w->vm = (void *)up + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	len = BPF_CORE_READ(d, d_name.len);
	name = BPF_CORE_READ(d, d_name.name);
	if (len >= IPCS_PATH_LEN || len + 1 > pos) {
		w->err = -1;	/* longer than a record's path */
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(w->buf + (pos & PATH_MASK), len & NAME_MASK, name);
	pos--;
	w->buf[pos & PATH_MASK] = '/';
	w->pos = pos;
	w->d = parent;
	/* a root that is no mount's (a memfd's, a pipe-like pseudo file):
	 * its own name was the last, as d_path has it */
	return d == parent;
}

static __noinline int file_path(struct file *f, char *out)
{
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct path_walk w = {
		.vm = vm,
		.d = d,
		.mnt = (void *)vm - bpf_core_field_offset(struct mount, mnt),
		.pos = IPCS_PATH_LEN * 2 - 1,
	};
	__u32 zero = 0, len;
	bool deleted;

	w.buf = bpf_map_lookup_elem(&path_scratch, &zero);
	if (!w.buf || !d)
		return -1;
	/* unhashed and not its mount's root: unlinked, or never linked (a
	 * memfd), which /proc marks alike */
	deleted = !BPF_CORE_READ(d, d_hash.pprev) &&
		  BPF_CORE_READ(vm, mnt_root) != d;
	w.buf[PATH_MASK] = 0;
	if (bpf_loop(PATH_PARTS, path_step, &w, 0) == PATH_PARTS || w.err)
		return -1;	/* deeper than we walk, or too long */
	if (w.pos == IPCS_PATH_LEN * 2 - 1)
		w.buf[--w.pos & PATH_MASK] = '/';
	len = IPCS_PATH_LEN * 2 - 1 - w.pos;
	if (len >= IPCS_PATH_LEN - 11)
		return -1;
	bpf_probe_read_kernel_str(out, IPCS_PATH_LEN, w.buf + (w.pos & PATH_MASK));
	if (deleted) {
		barrier_var(len);	/* keep the bound checked above */
		if (len < IPCS_PATH_LEN - 11)
			bpf_probe_read_kernel(out + len, 11, " (deleted)");
	}
	return 0;
}

/* Files that file_path can name: in a tree of directories. */
static __always_inline bool has_path(const struct ipcs_file_info *fi)
{
	__u32 type = fi->imode & S_IFMT;

	if (fi->magic == IPCS_PIPEFS_MAGIC || fi->magic == IPCS_SOCKFS_MAGIC ||
	    fi->magic == IPCS_ANON_INODE_FS_MAGIC || fi->magic == IPCS_PIDFS_MAGIC ||
	    fi->magic == IPCS_MQUEUE_MAGIC)
		return false;
	return type == S_IFREG || type == S_IFDIR || type == S_IFIFO ||
	       type == S_IFCHR || type == S_IFBLK;
}

/* openat(dirfd, path): a relative path is told with the directory fd it
 * starts from, for user space to name the file as /proc does. */
static __always_inline void emit_openat(int fd, int dirfd, const char *upath)
{
	struct ipcs_ev_fd *e;
	struct fdtable *fdt;
	__u64 files;
	struct file *f = current_file(fd, &fdt, &files);

	if (!f)
		return;
	e = reserve(sizeof(*e));
	if (!e)
		return;
	fd_record(e, f, fdt, files, IPCS_EV_OPEN, fd, -1, 0, upath, 0, 0, 0);
	if (dirfd >= 0)
		e->dirfd = dirfd;
	if (has_path(&e->f) && !file_path(f, e->path))
		e->fd_flags |= IPCS_FD_KPATH;
	submit(e);
}

/* close(fd), at entry: the count after is the count now minus one (a close
 * of an open fd always removes it, whatever it returns). */
static __always_inline void close_enter(int fd)
{
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct ipcs_ev_fd *e = bpf_map_lookup_elem(&fd_scratch, &zero);
	struct fdtable *fdt;
	__u64 files;
	struct file *f = current_file(fd, &fdt, &files);

	if (!e || !f)
		return;
	fd_record(e, f, fdt, files, IPCS_EV_CLOSE, fd, -1, 0, NULL, -1, 0, 0);
	if (bpf_map_update_elem(&closing, &tid, e, BPF_ANY))
		count_lost();
}

/* ... and at exit: sent. */
static __always_inline void close_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ipcs_ev_fd *e = bpf_map_lookup_elem(&closing, &tid);

	if (!e)
		return;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), wake_flags()))
		count_lost();
	bpf_map_delete_elem(&closing, &tid);
}

/* An event about a name, not an fd: mkfifo (imode S_IFIFO) and mq_unlink
 * (glibc passes the queue's name without its leading '/'). */
static __always_inline void emit_path(enum ipcs_kind kind, const char *upath,
				      __u32 imode)
{
	struct ipcs_ev_fd *e = reserve(sizeof(*e));

	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, kind, sizeof(*e));
	e->fd = -1;
	e->oldfd = -1;
	e->f.imode = imode;
	bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	submit(e);
}

/* pipe(), socketpair(): two fds written to user memory */
static __always_inline void on_pair_exit(enum ipcs_kind kind, const int *ufds)
{
	int fds[2];

	if (bpf_probe_read_user(fds, sizeof(fds), ufds))
		return;
	emit_fd(kind, fds[0], -1, 0, NULL, 0);
	emit_fd(kind, fds[1], -1, 0, NULL, 0);
}

/* fds received with SCM_RIGHTS: new slots for entries another process
 * holds. Only the first control message is read. */
static __always_inline void on_recvmsg_exit(const struct user_msghdr *umsg)
{
	struct user_msghdr msg;
	struct {
		__u64 len;
		int level, type;
		int fds[MAX_SCM_FDS];
	} cmsg = {};
	__u32 n;

	if (bpf_probe_read_user(&msg, sizeof(msg), umsg) || !msg.msg_control ||
	    msg.msg_controllen < 16)
		return;
	if (bpf_probe_read_user(&cmsg, sizeof(cmsg), msg.msg_control) &&
	    bpf_probe_read_user(&cmsg, 16 + 4, msg.msg_control))
		return;
	if (cmsg.level != SOL_SOCKET || cmsg.type != SCM_RIGHTS || cmsg.len < 20)
		return;
	n = (cmsg.len - 16) / 4;
	for (int i = 0; i < MAX_SCM_FDS; i++) {
		if (i >= n)
			break;
		emit_fd(IPCS_EV_RECVFD, cmsg.fds[i], -1, 0, NULL, 0);
	}
}

/* bind, listen, connect. bind and listen tell the address the kernel
 * bound (the port it chose for port 0), connect the one passed. */
static __always_inline void emit_sockaddr(enum ipcs_kind kind, int fd,
					  const void *uaddr, __u32 addrlen,
					  __u32 backlog, long ret)
{
	struct ipcs_ev_sockaddr *e;
	struct fdtable *fdt;
	__u64 files;
	struct file *f = current_file(fd, &fdt, &files);

	if (!f)
		return;
	e = reserve(sizeof(*e));
	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, kind, sizeof(*e));
	e->fd = fd;
	e->ret = ret;
	e->backlog = backlog;
	e->files = files;
	file_fill(f, &e->f);
	if (kind != IPCS_EV_CONNECT && (e->f.imode & S_IFMT) == S_IFSOCK)
		e->addrlen = sock_bound_addr(f, e->addr);
	if (!e->addrlen && uaddr && addrlen) {
		/* sizeof(struct sockaddr_storage), 128, is what most code
		 * passes: read 1 to 128 bytes */
		if (addrlen > IPCS_SOCKADDR_MAX)
			addrlen = IPCS_SOCKADDR_MAX;
		e->addrlen = addrlen;
		/* the barrier keeps the compiler from dropping the mask that
		 * proves the bound to the verifier */
		barrier_var(addrlen);
		bpf_probe_read_user(e->addr, ((addrlen - 1) & (IPCS_SOCKADDR_MAX - 1)) + 1,
				    uaddr);
	}
	submit(e);
}

/* close_range(first, last, flags), at entry: every open fd in the range,
 * found in the table's bitmap of open fds a word at a time. */
struct close_range_ctx {
	struct fdtable *fdt;
	unsigned long *open_fds;
	__u32 first;
	__u32 last;
	__u32 cloexec;
	__u32 tid;
	__u64 call;		/* when the call began: tells calls apart */
};

/* One close of fd: the count after it is the count now minus the closes
 * of the same entry this call made before it and this one (a range may
 * hold several fds of one entry: 3, 2, 1, not 3, 3, 3). */
static __noinline int close_range_one(struct close_range_ctx *c, __u32 fd)
{
	struct range_close_key k = { .call = c->call, .tid = c->tid };
	struct file *f = fdt_file(c->fdt, fd);
	__u32 *seen, n = 1;

	if (!f)
		return 0;
	if (c->cloexec) {
		emit_fd(IPCS_EV_FCNTL, fd, -1, IPCS_FD_CLOEXEC, NULL, 0);
		return 0;
	}
	k.file = (__u64)f;
	seen = bpf_map_lookup_elem(&range_closes, &k);
	if (seen)
		n = *seen + 1;
	bpf_map_update_elem(&range_closes, &k, &n, BPF_ANY);
	emit_fd(IPCS_EV_CLOSE, fd, -1, IPCS_FD_IMPLICIT, NULL, -(__s64)n);
	return 0;
}

static long close_range_word(__u32 i, struct close_range_ctx *c)
{
	__u32 base = (c->first / 64 + i) * 64;
	unsigned long word = 0;

	if (base > c->last)
		return 1;
	bpf_probe_read_kernel(&word, sizeof(word), c->open_fds + base / 64);
	if (base < c->first)
		word &= ~0UL << (c->first - base);
	if (c->last - base < 63)
		word &= (2UL << (c->last - base)) - 1;
	for (__u32 b = 0; b < 64 && word; b++, word >>= 1)
		if (word & 1)
			close_range_one(c, base + b);
	return 0;
}

static __always_inline void close_range_enter(__u32 first, __u32 last,
					      __u32 flags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct close_range_ctx c = {};
	__u64 files, max;
	/* a local: BPF_CORE_READ of a field of our own struct would be
	 * relocated against the kernel's BTF, where it is not */
	struct fdtable *fdt = task_fdt(t, &files);

	if (!fdt || flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE))
		return;
	/* a shared table is copied first and the copy closed: the closes
	 * are not the shared table's (see KERNEL-NOTES) */
	if ((flags & CLOSE_RANGE_UNSHARE) &&
	    BPF_CORE_READ(t, files, count.counter) > 1)
		return;
	max = BPF_CORE_READ(fdt, max_fds);
	if (first > last || first >= max)
		return;
	if (last >= max)
		last = max - 1;
	c.fdt = fdt;
	c.open_fds = BPF_CORE_READ(fdt, open_fds);
	c.first = first;
	c.last = last;
	c.cloexec = flags & CLOSE_RANGE_CLOEXEC;
	c.tid = (__u32)bpf_get_current_pid_tgid();
	c.call = bpf_ktime_get_ns();
	bpf_loop(last / 64 - first / 64 + 1, close_range_word, &c, 0);
}

/* The fds open once exec is done: the kernel's own answer to which
 * close-on-exec fds it closed, so that the table needs no re-read (which
 * would hold a reference on each file while the program runs on). */
static __always_inline void exec_open_fds(struct ipcs_ev_proc *e,
					  struct task_struct *p)
{
	__u64 files;
	struct fdtable *fdt = task_fdt(p, &files);
	unsigned long *bits;
	__u32 words;

	if (!fdt)
		return;
	e->max_fds = fdt->max_fds;
	words = (e->max_fds + 63) / 64;
	if (words > IPCS_EXEC_FD_WORDS)
		words = IPCS_EXEC_FD_WORDS;
	bits = fdt->open_fds;
	for (__u32 i = 0; i < IPCS_EXEC_FD_WORDS; i++) {
		if (i >= words)
			break;
		if (bpf_probe_read_kernel(&e->open_fds[i], sizeof(e->open_fds[i]),
					  bits + i))
			return;	/* fd_words stays 0: unknown */
	}
	e->fd_words = words;
}
