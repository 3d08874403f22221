// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON lines, summary and snapshots; see report.h. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "ipc_cmd.h"
#include "record.h"
#include "report.h"

/* "f<id>", as snprintf would write it but at every data event: cheaply */
static void file_id(char *buf, size_t len, const struct model_file *f)
{
	char digits[12];
	unsigned v = f ? f->id : 0;
	size_t n = sizeof(digits), k = 0;

	do {
		digits[--n] = '0' + v % 10;
		v /= 10;
	} while (v);
	if (len < 2)
		return;
	buf[k++] = 'f';
	while (n < sizeof(digits) && k + 1 < len)
		buf[k++] = digits[n++];
	buf[k] = 0;
}

static void object_members(struct json *j, const struct model_object *o)
{
	json_kv_str(j, "object", o->name);
	json_kv_str(j, "kind", obj_kind_name(o->kind));
}

static void pipe_members(struct json *j, const struct model_object *o)
{
	if (!obj_is_pipe(o->kind))
		return;
	json_kv_u64(j, "buffered", o->buffered);
	json_kv_u64(j, "capacity", o->capacity);
}

/* A POSIX queue's depth, as the kernel had it at the event. */
static void mq_members(struct json *j, const struct model_object *o)
{
	if (!o || o->kind != OBJ_MQ)
		return;
	json_kv_u64(j, "curmsgs", o->stat.count);
	json_kv_u64(j, "maxmsg", o->stat.limit);
	json_kv_u64(j, "msgsize", o->stat.msgsize);
	json_kv_u64(j, "qsize", o->stat.bytes);
}

static const char *signame(int sig)
{
	static char buf[24];
	const char *abbrev = sigabbrev_np(sig);

	snprintf(buf, sizeof(buf), "SIG%s", abbrev ? abbrev : "?");
	return buf;
}

static const char *signal_result(int result)
{
	/* enum trace_signal_result (include/trace/events/signal.h) */
	static const char *const names[] = {
		"delivered", "ignored", "already_pending", "overflow_fail",
		"lose_info", "group_delivered",
	};

	return result >= 0 && result < 6 ? names[result] : "unknown";
}

/* "semvals": a semaphore set's values, when known */
static void semvals_json(struct json *j, const struct model_object *o)
{
	if (o->kind != OBJ_SEM || !o->stat.nsemval)
		return;
	json_key(j, "semvals");
	json_begin_array(j);
	for (uint32_t i = 0; i < o->stat.nsemval && i < IPCS_SEMVAL_MAX; i++)
		json_u64(j, o->stat.semval[i]);
	json_end_array(j);
}

/* SysV events: the object, what moved, and the object's state after. */
static void ipc_members(struct json *j, const struct model_note *n)
{
	const struct ipcs_ev_ipc *e = n->ipc;
	const struct model_object *o = n->obj;

	if (o)
		json_kv_str(j, "object", o->name);
	if (e->id >= 0)
		json_kv_i64(j, "id", e->id);
	switch (n->kind) {
	case IPCS_EV_MSGGET:
	case IPCS_EV_SHMGET:
	case IPCS_EV_SEMGET:
		json_kv_i64(j, "key", e->key);
		if (n->kind == IPCS_EV_SHMGET)
			json_kv_i64(j, "bytes", e->bytes);
		if (n->kind == IPCS_EV_SEMGET)
			json_kv_u64(j, "nsems", e->nsops);
		break;
	case IPCS_EV_MSGSND:
	case IPCS_EV_MSGRCV:
		json_kv_i64(j, "bytes", e->bytes);
		json_kv_i64(j, "mtype", e->mtype);
		break;
	case IPCS_EV_SHMAT:
	case IPCS_EV_SHMDT:
		json_kv_u64(j, "addr", e->addr);
		break;
	case IPCS_EV_SEMOP:
		json_kv_u64(j, "sem_num", e->sem_num);
		json_kv_i64(j, "sem_op", e->sem_op);
		json_kv_u64(j, "nsops", e->nsops);
		break;
	default: {	/* *ctl */
		const char *name = ipc_cmd_name(n->kind, e->cmd);

		if (name)
			json_kv_str(j, "cmd", name);
		else
			json_kv_i64(j, "cmd", e->cmd);
		break;
	}
	}
	if (n->kind == IPCS_EV_MSGSND || n->kind == IPCS_EV_MSGRCV ||
	    n->kind == IPCS_EV_SEMOP) {
		json_kv_bool(j, "blocked", e->blocked);
		if (e->blocked)
			json_kv_u64(j, "waited_ns", e->waited_ns);
	}
	if (!o)
		return;
	if (!e->found && n->kind == IPCS_EV_SHMDT && e->id >= 0) {
		/* the last detach of a removed segment destroyed it */
		json_kv_u64(j, "nattch", 0);
		json_kv_bool(j, "destroyed", true);
		return;
	}
	if (!e->found)
		return;
	if (o->kind == OBJ_MSGQ) {
		json_kv_u64(j, "qnum", o->stat.count);
		json_kv_u64(j, "cbytes", o->stat.bytes);
		json_kv_u64(j, "qbytes", o->stat.limit);
	} else if (o->kind == OBJ_SHM) {
		json_kv_u64(j, "nattch", o->stat.count);
		json_kv_bool(j, "rmid_pending", o->rmid_pending);
	} else if (o->kind == OBJ_SEM) {
		semvals_json(j, o);
	}
}

/* "fd", "file", "object", "refs": the entry an fd event is about. */
static void entry_members(struct json *j, const struct model_note *n)
{
	char id[16];

	json_kv_i64(j, "fd", n->fd);
	file_id(id, sizeof(id), n->file);
	json_kv_str(j, "file", id);
	object_members(j, n->obj);
	json_kv_u64(j, "refs", n->refs);
}

/* fork, exec, exit, mkfifo */
static void proc_members(struct json *j, const struct model_note *n)
{
	switch (n->kind) {
	case IPCS_EV_FORK:
		json_kv_u64(j, "child", n->child);
		break;
	case IPCS_EV_EXEC:
		json_key(j, "filename");	/* a record's text may lack its NUL */
		json_string_n(j, n->filename, IPCS_PATH_LEN);
		break;
	case IPCS_EV_EXIT:
		if (n->signal) {
			json_kv_i64(j, "signal", n->signal);
			json_kv_str(j, "signame", signame(n->signal));
		} else {
			json_kv_i64(j, "code", n->code);
		}
		break;
	default:	/* mkfifo */
		json_key(j, "path");
		json_string_n(j, n->filename, IPCS_PATH_LEN);
		break;
	}
}

static void data_members(struct json *j, const struct model_note *n)
{
	entry_members(j, n);
	json_kv_i64(j, "bytes", n->bytes);
	json_kv_str(j, "syscall", record_syscall_name(n->syscall));
	if (n->has_pos)
		json_kv_u64(j, "pos", n->pos);
	pipe_members(j, n->obj);
	mq_members(j, n->obj);
	if (n->peer)
		json_kv_str(j, "peer", n->peer);
	if (n->payload) {
		json_key(j, "data");
		json_bytes(j, n->payload, n->payload_len);
	}
}

/* bind, listen, connect */
static void socket_members(struct json *j, const struct model_note *n)
{
	entry_members(j, n);
	if (n->address)
		json_kv_str(j, "address", n->address);
	if (n->kind == IPCS_EV_LISTEN)
		json_kv_u64(j, "backlog", n->backlog);
	if (n->ret)
		json_kv_str(j, "result", strerrorname_np(-n->ret) ?: "error");
	if (n->peer)
		json_kv_str(j, "peer", n->peer);
}

/* mmap, and munmap: one note per shared mapping it hit */
static void map_members(struct json *j, const struct model_note *n)
{
	char id[16];

	if (n->kind == IPCS_EV_MMAP) {
		entry_members(j, n);
	} else {
		if (n->file) {
			file_id(id, sizeof(id), n->file);
			json_kv_str(j, "file", id);
		}
		if (n->obj)
			object_members(j, n->obj);
		if (n->file)
			json_kv_u64(j, "refs", n->refs);
	}
	json_kv_u64(j, "bytes", n->len);
	json_kv_u64(j, "addr", n->addr);
	if (n->kind == IPCS_EV_MUNMAP && n->obj && n->obj->kind == OBJ_SHM)
		json_kv_u64(j, "nattch", n->obj->stat.count);
}

static void signal_members(struct json *j, const struct model_note *n)
{
	json_kv_i64(j, "sig", n->sig->sig);
	json_kv_str(j, "signame", signame(n->sig->sig));
	json_kv_u64(j, "target", n->sig->target);
	json_kv_u64(j, "target_tid", n->sig->target_tid);
	json_kv_i64(j, "code", n->sig->code);
	json_kv_str(j, "result", signal_result(n->sig->result));
}

/* open, pipe, dup, fcntl, close and the other fd events */
static void fd_members(struct json *j, const struct model_note *n)
{
	char id[16];

	json_kv_i64(j, "fd", n->fd);
	if (n->oldfd >= 0)
		json_kv_i64(j, "oldfd", n->oldfd);
	file_id(id, sizeof(id), n->file);
	json_kv_str(j, "file", id);
	object_members(j, n->obj);
	json_kv_u64(j, "refs", n->refs);
	if (n->kind != IPCS_EV_CLOSE) {
		json_kv_str(j, "mode", model_access(n->file->flags));
		json_kv_bool(j, "cloexec", n->cloexec);
	}
	if (n->has_pos)
		json_kv_u64(j, "pos", n->pos);
	if (n->implicit)
		json_kv_str(j, "implicit", n->implicit);
	mq_members(j, n->obj);
}

void report_note_json(struct json *j, const struct model_note *n,
		      int64_t ts_offset)
{
	json_begin_object(j);
	json_kv_u64(j, "ts", n->ts + ts_offset);
	json_kv_str(j, "type", record_kind_name(n->kind));
	json_kv_u64(j, "pid", n->pid);
	json_kv_u64(j, "tid", n->tid);
	json_key(j, "comm");
	json_string_n(j, n->comm, IPCS_COMM_LEN);
	switch (n->kind) {
	case IPCS_EV_FORK:
	case IPCS_EV_EXEC:
	case IPCS_EV_EXIT:
	case IPCS_EV_MKFIFO:
		proc_members(j, n);
		break;
	case IPCS_EV_WRITE:
	case IPCS_EV_READ:
		data_members(j, n);
		break;
	case IPCS_EV_BIND:
	case IPCS_EV_LISTEN:
	case IPCS_EV_CONNECT:
		socket_members(j, n);
		break;
	case IPCS_EV_MMAP:
	case IPCS_EV_MUNMAP:
		map_members(j, n);
		break;
	case IPCS_EV_MQ_UNLINK:
		json_key(j, "path");	/* "/" and up to IPCS_PATH_LEN bytes */
		json_string_n(j, n->filename, IPCS_PATH_LEN + 1);
		if (n->obj)
			json_kv_str(j, "object", n->obj->name);
		break;
	case IPCS_EV_SIGNAL:
		signal_members(j, n);
		break;
	case IPCS_EV_MSGGET: case IPCS_EV_MSGSND: case IPCS_EV_MSGRCV:
	case IPCS_EV_MSGCTL: case IPCS_EV_SHMGET: case IPCS_EV_SHMAT:
	case IPCS_EV_SHMDT: case IPCS_EV_SHMCTL: case IPCS_EV_SEMGET:
	case IPCS_EV_SEMOP: case IPCS_EV_SEMCTL:
		ipc_members(j, n);
		break;
	default:	/* fd events */
		fd_members(j, n);
		break;
	}
	json_end_object(j);
	json_newline(j);
}

/* "features_off":["maps",...], always there (empty when all are on). */
static void features_off_json(struct json *j, const char *const *off, size_t n)
{
	json_key(j, "features_off");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++)
		json_string(j, off[i]);
	json_end_array(j);
}

void report_summary_json(struct json *j, const struct report_summary *s)
{
	json_begin_object(j);
	json_kv_str(j, "type", "summary");
	json_kv_u64(j, "events", s->events);
	json_kv_u64(j, "records", s->records);
	json_kv_u64(j, "lost", s->lost);
	json_kv_u64(j, "bad_records", s->bad_records);
	json_kv_u64(j, "resyncs", s->resyncs);
	json_kv_u64(j, "duration_ns", s->duration_ns);
	if (s->exit_status >= 0)
		json_kv_i64(j, "exit_status", s->exit_status);
	json_kv_u64(j, "ia32_syscalls", s->ia32);
	features_off_json(j, s->features_off, s->nfeatures_off);
	json_key(j, "alive");
	json_begin_array(j);
	for (size_t i = 0; i < s->nalive; i++)
		json_u64(j, s->alive[i]);
	json_end_array(j);
	json_end_object(j);
	json_newline(j);
}

void report_title_json(struct json *j, int n, const char *name,
		       const char *about, uint64_t ts)
{
	json_begin_object(j);
	json_kv_u64(j, "ts", ts);
	json_kv_str(j, "type", "demo");
	json_kv_i64(j, "n", n);
	json_kv_str(j, "name", name);
	json_kv_str(j, "about", about);
	json_end_object(j);
	json_newline(j);
}

/* Open flags worth showing besides the access mode. */
static void flags_text(char *buf, size_t len, uint32_t flags)
{
	snprintf(buf, len, "%s%s%s", model_access(flags),
		 flags & O_APPEND ? ",append" : "",
		 flags & O_NONBLOCK ? ",nonblock" : "");
}

/* A socket's own address, the one it is connected to, and the socket at
 * the other end: the kernel's view of IP sockets first (a bind to port 0
 * gets its port there), what bind and connect passed otherwise. */
static void socket_texts(const struct model *m, const struct model_object *o,
			 char *local, char *remote, char *peer,
			 const char **peer_out)
{
	if (!model_socket_address(o, false, local, IPCS_SOCKADDR_MAX))
		snprintf(local, IPCS_SOCKADDR_MAX, "%s", o->local);
	if (!model_socket_address(o, true, remote, IPCS_SOCKADDR_MAX))
		snprintf(remote, IPCS_SOCKADDR_MAX, "%s", o->remote);
	*peer_out = model_socket_peer(m, o, peer, IPCS_PATH_LEN);
}

static int cmp_map(const void *a, const void *b)
{
	const struct model_map *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* A process's mappings sorted by address; free() the copy. */
static struct model_map *maps_sorted(const struct model_proc *p)
{
	struct model_map *v = malloc((p->nmaps ? p->nmaps : 1) * sizeof(*v));

	if (!v)
		return NULL;
	if (p->nmaps)
		memcpy(v, p->maps, p->nmaps * sizeof(*v));
	qsort(v, p->nmaps, sizeof(*v), cmp_map);
	return v;
}

/* An attach seen without its size spans the segment. */
static uint64_t map_len(const struct model_map *mp)
{
	return mp->len || !mp->shm ? mp->len : mp->shm->stat.bytes;
}

/* Each shared mapping of a process: where, how long, which entry (a file
 * mapping) and which object. */
static void maps_json(struct json *j, const struct model_proc *p)
{
	struct model_map *v = maps_sorted(p);
	char id[16];

	json_key(j, "maps");
	json_begin_array(j);
	for (size_t i = 0; v && i < p->nmaps; i++) {
		const struct model_object *o = v[i].file ? v[i].file->obj : v[i].shm;

		if (!o)
			continue;
		json_begin_object(j);
		json_kv_u64(j, "addr", v[i].addr);
		json_kv_u64(j, "len", map_len(&v[i]));
		if (v[i].file) {
			file_id(id, sizeof(id), v[i].file);
			json_kv_str(j, "file", id);
		}
		json_kv_str(j, "object", o->name);
		json_end_object(j);
	}
	json_end_array(j);
	free(v);
}

/* "wait": the syscall a process sleeps in, when the task iterator saw
 * it asleep: its fd, or SysV id and (semop) the first sop asked. */
static void wait_json(struct json *j, const struct model_proc *p)
{
	if (p->wait == WAIT_NONE || p->wait >= WAIT__COUNT)
		return;
	json_key(j, "wait");
	json_begin_object(j);
	json_kv_str(j, "syscall", model_wait_name(p->wait));
	if (p->wait_fd >= 0)
		json_kv_i64(j, "fd", p->wait_fd);
	if (p->wait_id >= 0)
		json_kv_i64(j, "id", p->wait_id);
	if (p->wait_sem_known) {
		json_kv_u64(j, "sem_num", p->wait_sem_num);
		json_kv_i64(j, "sem_op", p->wait_sem_op);
	}
	json_end_object(j);
}

/* What an object holds now, beyond its name and kind. */
static void object_state_json(struct json *j, const struct model *m,
			      const struct model_object *o)
{
	switch (o->kind) {
	case OBJ_PIPE:
	case OBJ_FIFO:
		json_kv_u64(j, "ino", o->ino);
		json_kv_u64(j, "buffered", o->buffered);
		json_kv_u64(j, "capacity", o->capacity);
		json_kv_u64(j, "readers", o->readers);
		json_kv_u64(j, "writers", o->writers);
		break;
	case OBJ_SOCKET: {
		char local[IPCS_SOCKADDR_MAX], remote[IPCS_SOCKADDR_MAX];
		char peer[IPCS_PATH_LEN];
		const char *pn;

		socket_texts(m, o, local, remote, peer, &pn);
		json_kv_u64(j, "ino", o->ino);
		if (local[0])
			json_kv_str(j, "address", local);
		if (remote[0])
			json_kv_str(j, "remote", remote);
		if (pn)
			json_kv_str(j, "peer", pn);
		if (o->listening)
			json_kv_bool(j, "listening", true);
		break;
	}
	case OBJ_MQ:
		json_kv_u64(j, "ino", o->ino);
		json_kv_u64(j, "curmsgs", o->stat.count);
		json_kv_u64(j, "maxmsg", o->stat.limit);
		json_kv_u64(j, "msgsize", o->stat.msgsize);
		json_kv_u64(j, "qsize", o->stat.bytes);
		break;
	case OBJ_MSGQ:
		json_kv_u64(j, "id", o->ino);
		json_kv_i64(j, "key", o->stat.key);
		json_kv_u64(j, "qnum", o->stat.count);
		json_kv_u64(j, "cbytes", o->stat.bytes);
		json_kv_u64(j, "qbytes", o->stat.limit);
		break;
	case OBJ_SHM:
		json_kv_u64(j, "id", o->ino);
		json_kv_i64(j, "key", o->stat.key);
		json_kv_u64(j, "bytes", o->stat.bytes);
		json_kv_u64(j, "nattch", o->stat.count);
		break;
	case OBJ_SEM:
		json_kv_u64(j, "id", o->ino);
		json_kv_i64(j, "key", o->stat.key);
		json_kv_u64(j, "nsems", o->stat.count);
		semvals_json(j, o);
		break;
	case OBJ_ANON:	/* its ino is the entry's address: never shown */
		break;
	default:
		json_kv_u64(j, "ino", o->ino);
		break;
	}
}

/* "key 0  3 semaphores, values #0=2 #1=0 #2=5" (values when known) */
static void sem_text(FILE *out, const struct model_object *o)
{
	fprintf(out, "  key %d  %llu semaphores", o->stat.key,
		(unsigned long long)o->stat.count);
	for (uint32_t i = 0; i < o->stat.nsemval && i < IPCS_SEMVAL_MAX; i++)
		fprintf(out, "%s#%u=%u", i ? " " : ", values ", i,
			o->stat.semval[i]);
}

void report_snapshot_json(FILE *out, const struct model *m,
			  const struct report_features *feat)
{
	size_t np, nf, no;
	struct model_proc **procs = model_procs_sorted(m, &np);
	struct model_file **files = model_files_sorted(m, &nf);
	struct model_object **objs = model_objects_sorted(m, &no);
	struct json j;
	char id[16], fl[32];

	json_init(&j, out);
	json_begin_object(&j);
	json_key(&j, "processes");
	json_begin_array(&j);
	for (size_t i = 0; i < np; i++) {
		const struct model_proc *p = procs[i];

		if (p->exited)
			continue;
		json_begin_object(&j);
		json_kv_u64(&j, "pid", p->pid);
		json_kv_u64(&j, "ppid", p->ppid);
		json_key(&j, "comm");
		json_string_n(&j, p->comm, IPCS_COMM_LEN);
		json_key(&j, "fds");
		json_begin_array(&j);
		model_table_for_each(p->table, s) {
			int fd = s->fd;

			if (!s->file)
				continue;
			json_begin_object(&j);
			json_kv_i64(&j, "fd", fd);
			file_id(id, sizeof(id), s->file);
			json_kv_str(&j, "file", id);
			json_kv_bool(&j, "cloexec", s->cloexec);
			json_end_object(&j);
		}
		json_end_array(&j);
		maps_json(&j, p);
		wait_json(&j, p);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "files");
	json_begin_array(&j);
	for (size_t i = 0; i < nf; i++) {
		const struct model_file *f = files[i];

		if (!f->slots && !f->maps)
			continue;
		json_begin_object(&j);
		file_id(id, sizeof(id), f);
		json_kv_str(&j, "id", id);
		json_kv_str(&j, "object", f->obj->name);
		json_kv_u64(&j, "refs", f->refs);
		json_kv_u64(&j, "slots", f->slots);
		json_kv_u64(&j, "maps", f->maps);
		json_kv_u64(&j, "pos", f->pos);
		flags_text(fl, sizeof(fl), f->flags);
		json_kv_str(&j, "flags", fl);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "objects");
	json_begin_array(&j);
	for (size_t i = 0; i < no; i++) {
		const struct model_object *o = objs[i];

		if (!o->nfiles && !o->sysv_alive)
			continue;
		json_begin_object(&j);
		json_kv_str(&j, "name", o->name);
		json_kv_str(&j, "kind", obj_kind_name(o->kind));
		object_state_json(&j, m, o);
		json_end_object(&j);
	}
	json_end_array(&j);
	if (feat)
		features_off_json(&j, feat->off, feat->n);
	json_end_object(&j);
	json_newline(&j);
	free(procs);
	free(files);
	free(objs);
}

/* "  ADDRESS -> REMOTE  peer OBJECT", each part when known, escaped: a
 * unix socket's path is anybody's text. */
static void socket_text(FILE *out, const struct model *m,
			const struct model_object *o)
{
	char local[IPCS_SOCKADDR_MAX], remote[IPCS_SOCKADDR_MAX];
	char peer[IPCS_PATH_LEN], esc[4 * IPCS_PATH_LEN + 1];
	const char *pn;

	socket_texts(m, o, local, remote, peer, &pn);
	if (local[0]) {
		escape_text(esc, sizeof(esc), local, sizeof(local));
		fprintf(out, "  %s", esc);
	}
	if (remote[0]) {
		escape_text(esc, sizeof(esc), remote, sizeof(remote));
		fprintf(out, " -> %s", esc);
	}
	if (pn) {
		escape_text(esc, sizeof(esc), pn, IPCS_PATH_LEN);
		fprintf(out, "  peer %s", esc);
	}
}

/* "    map ADDR LEN fID OBJECT", by address. */
static void maps_text(FILE *out, const struct model_proc *p)
{
	char name[4 * IPCS_PATH_LEN + 1], id[16];
	struct model_map *v = maps_sorted(p);

	for (size_t i = 0; v && i < p->nmaps; i++) {
		const struct model_object *o = v[i].file ? v[i].file->obj : v[i].shm;

		if (!o)
			continue;
		escape_text(name, sizeof(name), o->name, IPCS_PATH_LEN);
		id[0] = 0;
		if (v[i].file)
			file_id(id, sizeof(id), v[i].file);
		fprintf(out, "    map %#llx %-8llu %-5s %s\n",
			(unsigned long long)v[i].addr,
			(unsigned long long)map_len(&v[i]), id, name);
	}
	free(v);
}

void report_snapshot_text(FILE *out, const struct model *m,
			  const struct report_features *feat)
{
	size_t np, nf, no;
	struct model_proc **procs = model_procs_sorted(m, &np);
	struct model_file **files = model_files_sorted(m, &nf);
	struct model_object **objs = model_objects_sorted(m, &no);
	char comm[4 * IPCS_COMM_LEN + 1], name[4 * IPCS_PATH_LEN + 1], fl[32];

	fprintf(out, "PROCESSES\n");
	for (size_t i = 0; i < np; i++) {
		const struct model_proc *p = procs[i];

		if (p->exited)
			continue;
		escape_text(comm, sizeof(comm), p->comm, IPCS_COMM_LEN);
		fprintf(out, "  %u %s (ppid %u)\n", p->pid, comm, p->ppid);
		model_table_for_each(p->table, s) {
			int fd = s->fd;

			if (!s->file)
				continue;
			escape_text(name, sizeof(name), s->file->obj->name,
				    IPCS_PATH_LEN);
			fprintf(out, "    fd %-3d %-2s %s f%-4u %s\n", fd,
				model_access(s->file->flags),
				s->cloexec ? "cloexec" : "       ", s->file->id,
				name);
		}
		maps_text(out, p);
	}
	fprintf(out, "\nOPEN FILES\n");
	for (size_t i = 0; i < nf; i++) {
		const struct model_file *f = files[i];

		if (!f->slots && !f->maps)
			continue;
		escape_text(name, sizeof(name), f->obj->name, IPCS_PATH_LEN);
		flags_text(fl, sizeof(fl), f->flags);
		fprintf(out, "  f%-4u refs %-3llu fds %-3u pos %-8llu %-14s %s",
			f->id, (unsigned long long)f->refs, f->slots,
			(unsigned long long)f->pos, fl, name);
		if (f->maps)
			fprintf(out, "  (mapped %u)", f->maps);
		fputc('\n', out);
	}
	fprintf(out, "\nOBJECTS\n");
	for (size_t i = 0; i < no; i++) {
		const struct model_object *o = objs[i];

		if (!o->nfiles && !o->sysv_alive)
			continue;
		escape_text(name, sizeof(name), o->name, IPCS_PATH_LEN);
		fprintf(out, "  %-6s %s", obj_kind_name(o->kind), name);
		if (obj_is_pipe(o->kind))
			fprintf(out, "  buffered %u/%u  readers %u writers %u",
				o->buffered, o->capacity, o->readers, o->writers);
		else if (o->kind == OBJ_MSGQ)
			fprintf(out, "  key %d  %llu messages, %llu/%llu bytes",
				o->stat.key, (unsigned long long)o->stat.count,
				(unsigned long long)o->stat.bytes,
				(unsigned long long)o->stat.limit);
		else if (o->kind == OBJ_SHM)
			fprintf(out, "  key %d  %llu bytes, %llu attached",
				o->stat.key, (unsigned long long)o->stat.bytes,
				(unsigned long long)o->stat.count);
		else if (o->kind == OBJ_SEM)
			sem_text(out, o);
		else if (o->kind == OBJ_MQ)
			fprintf(out, "  %llu/%llu messages, %llu bytes",
				(unsigned long long)o->stat.count,
				(unsigned long long)o->stat.limit,
				(unsigned long long)o->stat.bytes);
		else if (o->kind == OBJ_SOCKET)
			socket_text(out, m, o);
		fputc('\n', out);
	}
	if (feat && feat->n) {
		fprintf(out, "\nFEATURES OFF (ipcscope -v says why)\n ");
		for (size_t i = 0; i < feat->n; i++)
			fprintf(out, " %s", feat->off[i]);
		fputc('\n', out);
	}
	free(procs);
	free(files);
	free(objs);
}
