/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF side only (included by ipcscope.bpf.c, after fds.bpf.h).
 * SysV IPC: finding a message queue, semaphore set or shared memory
 * segment by id (ipc_find*, shm_id_of), its state as ipcs shows it
 * (ipc_fill), and the records of msg*, sem* and shm* calls (ipc_begin,
 * on_ipc_exit). Also the entry helpers of shmdt and munmap, which both
 * look up the mapping at an address before it goes, and munmap's record.
 */

#define IPC_SEM_IDS 0
#define IPC_MSG_IDS 1
#define IPC_SHM_IDS 2
#define IPCMNI_IDX_MASK 0x7fff	/* ipc/util.h, without ipcmni_extend */
#define XA_CHUNK_MASK 63

/* The kern_ipc_perm of SysV object id in IPC namespace ns: a walk down
 * the namespace's idr (an xarray). NULL when not found. */
static __always_inline struct kern_ipc_perm *ipc_find_in(struct ipc_namespace *ns,
							 int which, int id)
{
	unsigned long index = id & IPCMNI_IDX_MASK, entry;
	struct kern_ipc_perm *perm;

	if (!ns || which < 0 || which > 2)
		return NULL;
	entry = (unsigned long)BPF_CORE_READ(ns, ids[which].ipcs_idr.idr_rt.xa_head);
	if ((entry & 3) != 2 && index != 0)	/* a lone entry sits at index 0 */
		return NULL;
	for (int level = 0; level < 4 && (entry & 3) == 2; level++) {
		struct xa_node *node = (void *)(entry - 2);
		__u8 shift = BPF_CORE_READ(node, shift);
		void **slots = __builtin_preserve_access_index(&node->slots[0]);

		bpf_probe_read_kernel(&entry, sizeof(entry),
				      slots + ((index >> shift) & XA_CHUNK_MASK));
	}
	if (!entry || (entry & 3))
		return NULL;
	perm = (void *)entry;
	return BPF_CORE_READ(perm, id) == id ? perm : NULL;
}

/* ... in the caller's IPC namespace */
static __always_inline struct kern_ipc_perm *ipc_find(int which, int id)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return ipc_find_in(BPF_CORE_READ(t, nsproxy, ipc_ns), which, id);
}

/* The SysV segment whose attach maps inode, or -1. An attach's file
 * shares the segment's shmem inode, whose i_ino is the shmid (newseg()). */
static __always_inline int shm_id_of(struct ipc_namespace *ns,
				     struct inode *inode, __u64 *nattch,
				     __u64 *segsz)
{
	struct kern_ipc_perm *perm;
	struct shmid_kernel *shp;
	int id = BPF_CORE_READ(inode, i_ino);

	perm = ipc_find_in(ns, IPC_SHM_IDS, id);
	if (!perm)
		return -1;
	shp = (void *)perm - bpf_core_field_offset(struct shmid_kernel, shm_perm);
	if (BPF_CORE_READ(shp, shm_file, f_inode) != inode)
		return -1;
	*nattch = BPF_CORE_READ(shp, shm_nattch);
	*segsz = BPF_CORE_READ(shp, shm_segsz);
	return id;
}

/* The values of a semaphore set, as semctl(GETALL) reads them: the
 * sems[] that follow struct sem_array, whose element size (cache-line
 * aligned) is the running kernel's. */
static __always_inline void sem_values(struct ipcs_ev_ipc *e,
				       struct sem_array *sma, int nsems)
{
	void *sems = __builtin_preserve_access_index(&sma->sems[0]);
	__u32 size = bpf_core_type_size(struct sem);
	int n = nsems < IPCS_SEMVAL_MAX ? nsems : IPCS_SEMVAL_MAX;

	for (int i = 0; i < IPCS_SEMVAL_MAX; i++) {
		struct sem *sem = sems + i * size;

		if (i >= n)
			break;
		e->semval[i] = BPF_CORE_READ(sem, semval);
	}
	e->nsemval = n > 0 ? n : 0;
}

/* The object's state now, as ipcs would show it. */
static __always_inline void ipc_fill(struct ipcs_ev_ipc *e, enum ipcs_kind kind,
				     int id)
{
	struct kern_ipc_perm *perm;

	switch (kind) {
	case IPCS_EV_MSGGET: case IPCS_EV_MSGSND: case IPCS_EV_MSGRCV:
	case IPCS_EV_MSGCTL: {
		struct msg_queue *q;

		perm = ipc_find(IPC_MSG_IDS, id);
		if (!perm)
			return;
		q = (void *)perm - bpf_core_field_offset(struct msg_queue, q_perm);
		e->qnum = BPF_CORE_READ(q, q_qnum);
		e->cbytes = BPF_CORE_READ(q, q_cbytes);
		e->qbytes = BPF_CORE_READ(q, q_qbytes);
		break;
	}
	case IPCS_EV_SHMGET: case IPCS_EV_SHMAT: case IPCS_EV_SHMDT:
	case IPCS_EV_SHMCTL: {
		struct shmid_kernel *shp;

		perm = ipc_find(IPC_SHM_IDS, id);
		if (!perm)
			return;
		shp = (void *)perm - bpf_core_field_offset(struct shmid_kernel, shm_perm);
		e->qnum = BPF_CORE_READ(shp, shm_nattch);
		e->cbytes = BPF_CORE_READ(shp, shm_segsz);
		break;
	}
	default: {
		struct sem_array *sma;

		perm = ipc_find(IPC_SEM_IDS, id);
		if (!perm)
			return;
		sma = (void *)perm - bpf_core_field_offset(struct sem_array, sem_perm);
		e->qnum = BPF_CORE_READ(sma, sem_nsems);
		sem_values(e, sma, e->qnum);
		break;
	}
	}
	e->found = 1;
}

static __always_inline struct ipcs_ev_ipc *ipc_begin(enum ipcs_kind kind, int id)
{
	struct ipcs_ev_ipc *e = reserve(sizeof(*e));

	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, kind, sizeof(*e));
	e->id = id;
	if (id >= 0)
		ipc_fill(e, kind, id);
	return e;
}

/* Did the caller sleep in this syscall? Its voluntary context switches tell. */
static __always_inline void ipc_wait_end(struct ipcs_ev_ipc *e)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct wait_start *w = bpf_map_lookup_elem(&waits, &tid);
	struct task_struct *t = bpf_get_current_task_btf();

	if (!w)
		return;
	if (t->nvcsw != w->nvcsw) {
		e->blocked = 1;
		e->waited_ns = e->h.ts - w->ts;
	}
	bpf_map_delete_elem(&waits, &tid);
}

static __always_inline void on_ipc_exit(long nr, unsigned long a0,
					unsigned long a1, unsigned long a2,
					unsigned long a3, long ret)
{
	struct ipcs_ev_ipc *e;
	struct sembuf sb = {};

	switch (nr) {
	case NR_msgget:
		if ((e = ipc_begin(IPCS_EV_MSGGET, ret))) {
			e->key = a0;
			e->cmd = a1;
			submit(e);
		}
		break;
	case NR_msgsnd:	/* msgsnd(id, msgp, msgsz, flags) */
		if ((e = ipc_begin(IPCS_EV_MSGSND, a0))) {
			e->bytes = a2;
			bpf_probe_read_user(&e->mtype, sizeof(e->mtype), (void *)a1);
			ipc_wait_end(e);
			submit(e);
		}
		break;
	case NR_msgrcv:	/* msgrcv(id, msgp, msgsz, msgtyp, flags) */
		if ((e = ipc_begin(IPCS_EV_MSGRCV, a0))) {
			e->bytes = ret;
			bpf_probe_read_user(&e->mtype, sizeof(e->mtype), (void *)a1);
			ipc_wait_end(e);
			submit(e);
		}
		break;
	case NR_msgctl:
	case NR_shmctl:
		if ((e = ipc_begin(nr == NR_msgctl ? IPCS_EV_MSGCTL : IPCS_EV_SHMCTL, a0))) {
			e->cmd = a1;
			submit(e);
		}
		break;
	case NR_semctl:	/* semctl(id, semnum, cmd, ...) */
		if ((e = ipc_begin(IPCS_EV_SEMCTL, a0))) {
			e->sem_num = a1;
			e->cmd = a2;
			submit(e);
		}
		break;
	case NR_shmget:
		if ((e = ipc_begin(IPCS_EV_SHMGET, ret))) {
			e->key = a0;
			e->bytes = a1;
			e->cmd = a2;
			submit(e);
		}
		break;
	case NR_shmat:
		if ((e = ipc_begin(IPCS_EV_SHMAT, a0))) {
			e->addr = ret;
			e->cmd = a2;
			submit(e);
		}
		break;
	case NR_shmdt: {	/* the segment was found at entry */
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		__s32 *idp = bpf_map_lookup_elem(&shmdt_ids, &tid);
		int id = idp ? *idp : -1;

		if (idp)
			bpf_map_delete_elem(&shmdt_ids, &tid);
		if ((e = ipc_begin(IPCS_EV_SHMDT, id))) {
			e->addr = a0;
			submit(e);
		}
		break;
	}
	case NR_semget:
		if ((e = ipc_begin(IPCS_EV_SEMGET, ret))) {
			e->key = a0;
			e->nsops = a1;	/* nsems */
			e->cmd = a2;
			submit(e);
		}
		break;
	case NR_semop:
	case NR_semtimedop:	/* semop(id, sops, nsops) */
		if ((e = ipc_begin(IPCS_EV_SEMOP, a0))) {
			bpf_probe_read_user(&sb, sizeof(sb), (void *)a1);
			e->sem_num = sb.sem_num;
			e->sem_op = sb.sem_op;
			e->nsops = a2;
			ipc_wait_end(e);
			submit(e);
		}
		break;
	}
}

/* munmap: a small record; user space knows which shared mappings it hit,
 * and has the count of the file at addr as it was before (munmap_enter):
 * one held for a while by someone else (msync holds one) is no guess. */
static __always_inline void emit_munmap(__u64 addr, __u64 len)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct munmap_start *st = bpf_map_lookup_elem(&munmaps, &tid);
	struct ipcs_ev_munmap *e = reserve(sizeof(*e));

	if (e) {
		hdr_fill(&e->h, IPCS_EV_MUNMAP, sizeof(*e));
		e->addr = addr;
		e->len = len;
		e->file = st ? st->file : 0;
		e->refs = st ? st->refs : 0;
		submit(e);
	}
	if (st)
		bpf_map_delete_elem(&munmaps, &tid);
}

struct vma_file_ctx {
	struct file *file;
};

static long vma_file_cb(struct task_struct *task, struct vm_area_struct *vma,
			struct vma_file_ctx *c)
{
	c->file = BPF_CORE_READ(vma, vm_file);
	return 0;
}

/* munmap(addr, len): the file mapped at addr, while it is. */
static __always_inline void munmap_enter(__u64 addr)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vma_file_ctx c = {};
	struct munmap_start st;

	if (bpf_find_vma(t, addr, vma_file_cb, &c, 0) || !c.file)
		return;
	st.file = (__u64)c.file;
	st.refs = file_refs(c.file);
	bpf_map_update_elem(&munmaps, &tid, &st, BPF_ANY);
}

/* shmdt(addr): once it returns the mapping is gone, so which segment is
 * attached at addr is asked now (bpf_find_vma, Linux 5.17, older than the
 * core's needs). */
static __always_inline void shmdt_enter(__u64 addr)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vma_file_ctx c = {};
	__u64 nattch, segsz;
	__s32 id;

	struct file *f;

	if (bpf_find_vma(t, addr, vma_file_cb, &c, 0) || !c.file)
		return;
	f = c.file;	/* not inside BPF_CORE_READ: c is no kernel type */
	id = shm_id_of(BPF_CORE_READ(t, nsproxy, ipc_ns),
		       BPF_CORE_READ(f, f_inode), &nattch, &segsz);
	if (id >= 0)
		bpf_map_update_elem(&shmdt_ids, &tid, &id, BPF_ANY);
}
