// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Objects: their kinds and names (as /proc/PID/fd names them), their state
 * as the latest record told (pipe fill, queue sizes, socket 4-tuples),
 * the text of socket addresses, the socket at the other end, and SysV
 * objects by id.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "model_impl.h"

static const char *const kind_names[OBJ__COUNT] = {
	[OBJ_PIPE] = "pipe", [OBJ_FIFO] = "fifo",     [OBJ_FILE] = "file",
	[OBJ_DIR] = "dir",   [OBJ_CHR] = "chr",       [OBJ_BLK] = "blk",
	[OBJ_SOCKET] = "socket", [OBJ_ANON] = "anon", [OBJ_OTHER] = "other",
	[OBJ_MSGQ] = "msg",  [OBJ_SHM] = "shm",       [OBJ_SEM] = "sem",
	[OBJ_MQ] = "mq",
};

const char *obj_kind_name(enum obj_kind kind)
{
	return kind < OBJ__COUNT ? kind_names[kind] : "other";
}

static enum obj_kind kind_of(const struct ipcs_file_info *fi)
{
	if (fi->magic == IPCS_MQUEUE_MAGIC)
		return OBJ_MQ;
	switch (fi->imode & S_IFMT) {
	case S_IFIFO:
		return fi->magic == IPCS_PIPEFS_MAGIC ? OBJ_PIPE : OBJ_FIFO;
	case S_IFSOCK:
		return OBJ_SOCKET;
	case S_IFREG:
		return fi->magic == IPCS_ANON_INODE_FS_MAGIC ? OBJ_ANON : OBJ_FILE;
	case S_IFDIR:
		return OBJ_DIR;
	case S_IFCHR:
		return OBJ_CHR;
	case S_IFBLK:
		return OBJ_BLK;
	default:
		return fi->magic == IPCS_ANON_INODE_FS_MAGIC ? OBJ_ANON : OBJ_OTHER;
	}
}

static void copy_str(char *dst, size_t len, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen < len ? srclen : len - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

/* Names pipes and sockets as /proc does; other objects by path. */
void object_name(struct model *m, struct model_object *o,
		 const struct ipcs_file_info *fi, uint32_t pid, int fd,
		 const char *dname, const char *upath, const char *dpath)
{
	/* names that a new open tells afresh: an anonymous object's entry
	 * address may come back for another; a file's inode number may come
	 * back for another file, or the file be renamed (git's HEAD.lock) */
	bool fresh = (o->kind == OBJ_FILE || o->kind == OBJ_DIR ||
		      o->kind == OBJ_FIFO) && upath && upath[0];

	if (o->name_certain && !(o->kind == OBJ_ANON && dname && dname[0]) &&
	    !fresh)
		return;
	switch (o->kind) {
	case OBJ_PIPE:
		snprintf(o->name, sizeof(o->name), "pipe:[%llu]",
			 (unsigned long long)fi->ino);
		o->name_certain = true;
		return;
	case OBJ_SOCKET:
		snprintf(o->name, sizeof(o->name), "socket:[%llu]",
			 (unsigned long long)fi->ino);
		o->name_certain = true;
		return;
	case OBJ_ANON:
		if (dname && dname[0]) {
			snprintf(o->name, sizeof(o->name), "anon_inode:%.*s",
				 IPCS_NAME_LEN, dname);
			o->name_certain = true;
			return;
		}
		break;
	case OBJ_MQ:	/* /proc shows the mqueue fs path: "/" and the name */
		if (!(dpath && dpath[0]) && dname && dname[0]) {
			snprintf(o->name, sizeof(o->name), "/%.*s",
				 IPCS_NAME_LEN, dname);
			o->name_certain = true;
			return;
		}
		break;
	default:
		break;
	}
	if (dpath && dpath[0]) {
		copy_str(o->name, sizeof(o->name), dpath, IPCS_PATH_LEN);
		o->name_certain = true;
	} else if (fd >= 0 && m->resolve &&
		   m->resolve(m->resolve_ctx, pid, fd, upath, fi->dev, fi->ino,
			      o->name, sizeof(o->name))) {
		o->name_certain = true;
	} else if ((!o->name[0] || fresh) && upath && upath[0] == '/') {
		copy_str(o->name, sizeof(o->name), upath, IPCS_PATH_LEN);
		o->name_certain = false;
	} else if (!o->name[0] && fi->magic == IPCS_PIDFS_MAGIC) {
		/* what /proc shows for a pidfd, on pidfs too (6.9+) */
		snprintf(o->name, sizeof(o->name), "anon_inode:[pidfd]");
	} else if ((!o->name[0] || fresh) && dname &&
		   !strncmp(dname, "memfd:", 6)) {
		/* as /proc shows a memfd: its tmpfs file is unlinked */
		snprintf(o->name, sizeof(o->name), "/%.*s (deleted)",
			 IPCS_NAME_LEN, dname);
	} else if ((!o->name[0] || fresh) && dname && dname[0]) {
		copy_str(o->name, sizeof(o->name), dname, IPCS_NAME_LEN);
		o->name_certain = false;
	} else if (!o->name[0]) {
		snprintf(o->name, sizeof(o->name), "inode:[%llu]",
			 (unsigned long long)fi->ino);
	}
}

/* Objects are known by (dev, ino); an anonymous inode is one inode for
 * every eventfd, timerfd, epoll... each of which is its own object behind
 * its own entry: those are known by the entry (its ino: the entry's
 * address, never shown). */
struct model_object *object_get(struct model *m,
				const struct ipcs_file_info *fi)
{
	enum obj_kind kind = kind_of(fi);
	uint64_t ino = kind == OBJ_ANON ? fi->file : fi->ino;
	struct model_object *o = hmap_get(&m->objects, fi->dev, ino);

	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->dev = fi->dev;
	o->ino = ino;
	o->kind = kind;
	o->ours = model_is_own(m, fi->dev, ino);
	m->sweep_due = true;
	if (hmap_put(&m->objects, fi->dev, ino, o)) {
		free(o);
		return NULL;
	}
	return o;
}

void object_update(struct model_object *o,
		   const struct ipcs_file_info *fi, uint64_t ts)
{
	if (obj_is_pipe(o->kind)) {
		/* flows are drained in no order: keep the latest reading */
		if (ts < o->state_ns)
			return;
		o->state_ns = ts;
		o->buffered = fi->pipe_buffered;
		o->capacity = fi->pipe_capacity;
		o->readers = fi->pipe_readers;
		o->writers = fi->pipe_writers;
	} else if (o->kind == OBJ_MQ) {
		o->stat.count = fi->mq.curmsgs;
		o->stat.limit = fi->mq.maxmsg;
		o->stat.bytes = fi->mq.qsize;
		o->stat.msgsize = fi->mq.msgsize;
	} else if (o->kind == OBJ_SOCKET && fi->sock.family &&
		   !((fi->sock.family == AF_INET ||
		      fi->sock.family == AF_INET6) && !fi->sock.lport &&
		     o->sock.lport)) {
		/* a closed TCP socket's local port reads 0: keep the last
		 * complete 4-tuple, the peer is still named by it */
		o->sock = fi->sock;
		o->listening = fi->sock.state == IPCS_SK_LISTEN;
	}
	o->last_ns = ts;
}

/* The kernel freed an entry of o (its last reference went): a pipe end
 * loses its reader or writer as pipe_release counts them, by the entry's
 * access mode. A close is read before the kernel does it, so the count
 * it carries is still the one before. */
void object_entry_freed(struct model_object *o, uint32_t f_flags)
{
	int acc = f_flags & O_ACCMODE;

	if (!o || !obj_is_pipe(o->kind))
		return;
	if ((acc == O_RDONLY || acc == O_RDWR) && o->readers)
		o->readers--;
	if ((acc == O_WRONLY || acc == O_RDWR) && o->writers)
		o->writers--;
}

void model_inet_text(char *out, size_t len, int family, const void *ip,
		     uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(family, ip, text, sizeof(text));
	if (family == AF_INET6)
		snprintf(out, len, "[%s]:%u", text, port);
	else
		snprintf(out, len, "%s:%u", text, port);
}

void model_format_sockaddr(char *out, size_t len, const void *addr,
			   size_t addrlen)
{
	const struct sockaddr *sa = addr;

	out[0] = 0;
	if (addrlen < sizeof(sa->sa_family))
		return;
	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = addr;
		size_t n = addrlen - offsetof(struct sockaddr_un, sun_path);

		if (n > sizeof(un->sun_path))
			n = sizeof(un->sun_path);
		if (n == 0)
			snprintf(out, len, "(unnamed)");
		else if (un->sun_path[0] == 0)	/* abstract: no NUL ends it */
			snprintf(out, len, "@%.*s", (int)n - 1, un->sun_path + 1);
		else
			snprintf(out, len, "%.*s", (int)strnlen(un->sun_path, n),
				 un->sun_path);
	} else if (sa->sa_family == AF_INET &&
		   addrlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = addr;

		model_inet_text(out, len, AF_INET, &in->sin_addr,
				ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6 &&
		   addrlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = addr;

		model_inet_text(out, len, AF_INET6, &in6->sin6_addr,
				ntohs(in6->sin6_port));
	} else {
		snprintf(out, len, "family %u", sa->sa_family);
	}
}

/* An IPv4 or IPv6 endpoint address as 16 bytes: IPv4 as ::ffff:A.B.C.D,
 * the way an IPv6 socket sees an IPv4 peer. */
static bool inet_addr16(const struct ipcs_sock_info *si, bool remote,
			uint8_t out[16])
{
	if (si->family == AF_INET) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, remote ? &si->raddr : &si->laddr, 4);
		return true;
	}
	if (si->family == AF_INET6) {
		memcpy(out, remote ? si->raddr6 : si->laddr6, 16);
		return true;
	}
	return false;
}

/* Is b the other end of a: its local address and port a's remote ones
 * and back? */
static bool inet_mirrors(const struct ipcs_sock_info *a,
			 const struct ipcs_sock_info *b)
{
	uint8_t al[16], ar[16], bl[16], br[16];

	if (a->lport != b->rport || a->rport != b->lport ||
	    !inet_addr16(a, false, al) || !inet_addr16(a, true, ar) ||
	    !inet_addr16(b, false, bl) || !inet_addr16(b, true, br))
		return false;
	return !memcmp(al, br, 16) && !memcmp(ar, bl, 16);
}

bool model_socket_address(const struct model_object *o, bool remote,
			  char *out, size_t len)
{
	const struct ipcs_sock_info *si = &o->sock;
	uint16_t port = remote ? si->rport : si->lport;

	if (o->kind != OBJ_SOCKET || !port)
		return false;
	if (si->family == AF_INET)
		model_inet_text(out, len, AF_INET,
				remote ? &si->raddr : &si->laddr, port);
	else if (si->family == AF_INET6)
		model_inet_text(out, len, AF_INET6,
				remote ? si->raddr6 : si->laddr6, port);
	else
		return false;
	return true;
}

static const char *find_peer(const struct model *m, const struct model_object *o,
			     char *buf, size_t len)
{
	const struct ipcs_sock_info *si = &o->sock;

	if (si->peer_ino) {
		snprintf(buf, len, "socket:[%llu]", (unsigned long long)si->peer_ino);
		return buf;
	}
	if (si->family == AF_UNIX) {
		/* before accept() the server's socket has no inode to name;
		 * once it has, it names us */
		hmap_for_each(&m->objects, slot) {
			const struct model_object *p = slot->val;

			if (p->kind == OBJ_SOCKET && p->sock.peer_ino == o->ino)
				return p->name;
		}
		return NULL;
	}
	if ((si->family != AF_INET && si->family != AF_INET6) || !si->rport)
		return NULL;
	hmap_for_each(&m->objects, slot) {
		const struct model_object *p = slot->val;

		if (p->kind == OBJ_SOCKET && inet_mirrors(&p->sock, si))
			return p->name;
	}
	return NULL;
}

const char *model_socket_peer(const struct model *m,
			      const struct model_object *o, char *buf,
			      size_t len)
{
	const char *peer;

	if (o->kind != OBJ_SOCKET)
		return NULL;
	peer = find_peer(m, o, buf, len);
	return peer ? peer : o->peer[0] ? o->peer : NULL;
}

/* The name of the socket at the other end: the unix peer's inode, or the
 * IPv4/IPv6 socket whose 4-tuple mirrors ours (loopback). Once named it is
 * remembered: the peer may close and be swept while data is still queued
 * for us. Unnamed IP peers are shown by address. */
const char *socket_peer(struct model *m, struct model_object *o,
			char *buf, size_t len)
{
	const char *peer;

	if (o->kind != OBJ_SOCKET)
		return NULL;
	peer = find_peer(m, o, buf, len);
	if (peer) {
		if (peer != o->peer)
			snprintf(o->peer, sizeof(o->peer), "%s", peer);
		return o->peer;
	}
	if (o->peer[0])
		return o->peer;
	if (model_socket_address(o, true, buf, len))
		return buf;
	return NULL;
}

struct model_object *sysv_get(struct model *m, enum obj_kind kind, int id)
{
	struct model_object *o = hmap_get(&m->objects, MODEL_SYSV_DEV(kind), id);
	static const char *const prefix[] = {
		[OBJ_MSGQ] = "msg", [OBJ_SHM] = "shm", [OBJ_SEM] = "sem",
	};

	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->dev = MODEL_SYSV_DEV(kind);
	o->ino = id;
	m->sweep_due = true;
	o->kind = kind;
	o->sysv_alive = true;
	o->name_certain = true;
	snprintf(o->name, sizeof(o->name), "%s:[%d]", prefix[kind], id);
	if (hmap_put(&m->objects, o->dev, o->ino, o)) {
		free(o);
		return NULL;
	}
	return o;
}

void model_add_sysv(struct model *m, enum obj_kind kind, int id,
		    const struct model_ipc_stat *st)
{
	struct model_object *o = sysv_get(m, kind, id);

	if (o)
		o->stat = *st;
}
