/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, after core_fixes.bpf.h).
 * What a struct file is and what it holds: its identity and object
 * (file_object, file_fill), with the state of the object behind it: a
 * pipe's fill (pipe_fill), a socket's peer (sock_fill), a POSIX message
 * queue's depth (mq_fill).
 */

#define PAGE_SIZE 4096
#define MAX_PIPE_SLOTS 16	/* buffers summed exactly; more are counted as full pages */

/* The pipe ring's indices and counters sit together after the wait queues
 * in every layout since 5.5: one read fetches them all. */
#define PIPE_BLOCK 64
#define PIPE_FIELD(blk, base, field)                                           \
	(*(__u32 *)((blk) +                                                    \
		    ((bpf_core_field_offset(struct pipe_inode_info, field) -  \
		      (base)) & (PIPE_BLOCK - 4))))

static __always_inline void pipe_fill(struct inode *inode,
				      struct ipcs_file_info *fi, bool direct)
{
	struct pipe_inode_info *p = LOAD(direct, inode, i_pipe);
	__u32 base = bpf_core_field_offset(struct pipe_inode_info, head);
	__u64 bufsz = bpf_core_type_size(struct pipe_buffer);
	__u32 head, tail, ring, used, total = 0;
	__u8 blk[PIPE_BLOCK];
	void *bufs;

	if (!p)
		return;
	if (direct) {
		head = p->head;
		tail = p->tail;
		ring = p->ring_size;
		bufs = p->bufs;
		fi->pipe_capacity = p->max_usage * PAGE_SIZE;
		fi->pipe_readers = p->readers;
		fi->pipe_writers = p->writers;
	} else {
		if (bpf_probe_read_kernel(blk, sizeof(blk), (void *)p + base))
			return;
		head = PIPE_FIELD(blk, base, head);
		tail = PIPE_FIELD(blk, base, tail);
		ring = PIPE_FIELD(blk, base, ring_size);
		bufs = BPF_CORE_READ(p, bufs);
		fi->pipe_capacity = PIPE_FIELD(blk, base, max_usage) * PAGE_SIZE;
		fi->pipe_readers = PIPE_FIELD(blk, base, readers);
		fi->pipe_writers = PIPE_FIELD(blk, base, writers);
	}
	used = head - tail;
	for (int i = 0; i < MAX_PIPE_SLOTS; i++) {
		struct pipe_buffer *b;

		if (i >= used || !ring)
			break;
		b = bufs + ((tail + i) & (ring - 1)) * bufsz;
		total += direct ? KCAST(b, struct pipe_buffer)->len
				: BPF_CORE_READ(b, len);
	}
	if (used > MAX_PIPE_SLOTS)
		total += (used - MAX_PIPE_SLOTS) * PAGE_SIZE;
	fi->pipe_buffered = total;
}

/* Who is at the other end: the peer's inode for unix sockets (also for
 * connections older than the tracer), the 4-tuple for IPv4. */
static __always_inline void sock_fill(struct file *f, struct ipcs_sock_info *si)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);

	if (!sk)
		return;
	si->type = BPF_CORE_READ(sock, type);
	si->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	si->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (si->family == AF_UNIX) {
		struct unix_sock *u = (void *)sk;
		struct sock *peer = BPF_CORE_READ(u, peer);

		if (peer)
			si->peer_ino = BPF_CORE_READ(peer, sk_socket, file,
						     f_inode, i_ino);
	} else if (si->family == AF_INET) {
		si->laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		si->raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		si->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		si->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	} else if (si->family == AF_INET6) {
		BPF_CORE_READ_INTO(&si->laddr6, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&si->raddr6, sk, __sk_common.skc_v6_daddr);
		si->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		si->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	}
}

/* The socket's own address as the kernel holds it, as a struct sockaddr
 * in out: after bind, the port it chose for port 0; for unix sockets, the
 * path (or abstract name) as bound. Its length, 0 when unbound. */
static __always_inline __u32 sock_bound_addr(struct file *f, __u8 *out)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct unix_address *ua;
	__u16 family, port;
	int len;

	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	port = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
	if (family == AF_INET) {	/* struct sockaddr_in */
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		if (!port && !a)
			return 0;
		*(__u16 *)out = AF_INET;
		*(__u16 *)(out + 2) = port;
		__builtin_memcpy(out + 4, &a, 4);
		return 16;
	}
	if (family == AF_INET6) {	/* struct sockaddr_in6 */
		if (!port)
			return 0;
		struct in6_addr a6;

		BPF_CORE_READ_INTO(&a6, sk, __sk_common.skc_v6_rcv_saddr);
		*(__u16 *)out = AF_INET6;
		*(__u16 *)(out + 2) = port;
		__builtin_memcpy(out + 8, &a6, sizeof(a6));
		return 28;
	}
	if (family != AF_UNIX)
		return 0;
	ua = BPF_CORE_READ((struct unix_sock *)sk, addr);
	if (!ua)
		return 0;
	len = BPF_CORE_READ(ua, len);
	if (len <= 2 || len > (int)sizeof(struct sockaddr_un))
		return 0;
	/* exactly len bytes: the name is allocated to its length */
	bpf_probe_read_kernel(out, len & (IPCS_SOCKADDR_MAX - 1),
			      (void *)ua + bpf_core_field_offset(struct unix_address, name));
	return len;
}

/* A POSIX message queue's depth: its inode is the vfs_inode inside a
 * struct mqueue_inode_info (ipc/mqueue.c). */
static __always_inline void mq_fill(struct inode *inode,
				    struct ipcs_file_info *fi)
{
	struct mqueue_inode_info *info = (void *)inode -
		bpf_core_field_offset(struct mqueue_inode_info, vfs_inode);

	fi->mq.curmsgs = BPF_CORE_READ(info, attr.mq_curmsgs);
	fi->mq.maxmsg = BPF_CORE_READ(info, attr.mq_maxmsg);
	fi->mq.msgsize = BPF_CORE_READ(info, attr.mq_msgsize);
	fi->mq.qsize = BPF_CORE_READ(info, qsize);
}

/* The identity of a file and its object (inode is f's): cheap enough for
 * every write. */
static __always_inline void file_object(struct file *f, struct inode *inode,
					struct ipcs_file_info *fi, bool direct)
{
	fi->file = (__u64)f;
	fi->ino = LOAD(direct, inode, i_ino);
	fi->imode = LOAD(direct, inode, i_mode);
	if (direct) {
		fi->dev = inode->i_sb->s_dev;
		fi->magic = inode->i_sb->s_magic;
	} else {
		fi->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		fi->magic = BPF_CORE_READ(inode, i_sb, s_magic);
	}
	if ((fi->imode & S_IFMT) == S_IFIFO)
		pipe_fill(inode, fi, direct);
	else if ((fi->imode & S_IFMT) == S_IFSOCK)
		sock_fill(f, &fi->sock);
	else if (fi->magic == IPCS_MQUEUE_MAGIC)	/* never on the data path */
		mq_fill(inode, fi);
}

static __always_inline void file_fill_object(struct file *f,
					     struct ipcs_file_info *fi)
{
	file_object(f, BPF_CORE_READ(f, f_inode), fi, false);
}

static __always_inline void file_fill(struct file *f, struct ipcs_file_info *fi)
{
	file_fill_object(f, fi);
	fi->pos = BPF_CORE_READ(f, f_pos);
	fi->flags = BPF_CORE_READ(f, f_flags);
	fi->refs = file_refs(f);
}
