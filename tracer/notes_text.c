// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The plain words for a note (see notes_text.h). Everything that came from
 * a traced program is escaped here, once.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "ipc_cmd.h"
#include "notes_text.h"
#include "record.h"

#define PREVIEW_BYTES 32
#define NAME_MAX_ESC (IPCS_PATH_LEN * 4 + 1)

const char *notes_size(char *out, size_t outlen, uint64_t n)
{
	static const char units[] = "KMGTPE";
	double d = n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, outlen, "%llu", (unsigned long long)n);
		return out;
	}
	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (d < 10 && d != (int)d)
		snprintf(out, outlen, "%.1f%c", d, units[u]);
	else
		snprintf(out, outlen, "%.0f%c", d, units[u]);
	return out;
}

/* 6 -> "6 B", 49152 -> "48 KiB" */
static const char *human_bytes(char *out, size_t len, int64_t bytes)
{
	char sz[16];

	if (bytes < 1024) {
		snprintf(out, len, "%lld B", (long long)bytes);
		return out;
	}
	notes_size(sz, sizeof(sz), (uint64_t)bytes);
	snprintf(out, len, "%.*s %ciB", (int)strlen(sz) - 1, sz,
		 sz[strlen(sz) - 1]);
	return out;
}

/* "fd 4: f3 pipe:[51234]", less what the note does not know */
static const char *note_where(char *out, size_t len,
			      const struct model_note *n, const char *name)
{
	char fd[24] = "", id[16] = "";

	if (n->fd >= 0)
		snprintf(fd, sizeof(fd), "fd %d: ", n->fd);
	if (n->file)
		snprintf(id, sizeof(id), "f%u ", n->file->id);
	snprintf(out, len, "%s%s%s", fd, id, name);
	return out;
}

static const char *ipc_cmd(char *out, size_t len, enum ipcs_kind kind,
			   int cmd)
{
	const char *name = ipc_cmd_name(kind, cmd);

	if (name)
		return name;
	snprintf(out, len, "cmd %d", cmd);
	return out;
}

/* SysV events: the object, what the call did, the object after it */
static void format_ipc(char *what, size_t len, const struct model_note *n,
		       const char *kind, const char *name)
{
	const struct ipcs_ev_ipc *e = n->ipc;
	const struct model_object *o = n->obj;
	char sz[32], extra[96] = "", cmd[24];

	if (!e) {
		snprintf(what, len, "%s %s", kind, name);
		return;
	}
	if (e->blocked)
		snprintf(extra, sizeof(extra), " after %llu.%03llu s blocked",
			 (unsigned long long)(e->waited_ns / 1000000000),
			 (unsigned long long)(e->waited_ns / 1000000 % 1000));
	switch (n->kind) {
	case IPCS_EV_MSGGET:
	case IPCS_EV_SHMGET:
	case IPCS_EV_SEMGET:
		if (e->key)
			snprintf(sz, sizeof(sz), "key 0x%08x", (unsigned)e->key);
		else
			snprintf(sz, sizeof(sz), "IPC_PRIVATE");
		snprintf(what, len, "%s %s -> %s", kind, sz,
			 o ? name : "failed");
		break;
	case IPCS_EV_MSGSND:
	case IPCS_EV_MSGRCV:
		snprintf(what, len, "%s %s %s type %lld, %llu queued%s", kind,
			 name, human_bytes(sz, sizeof(sz), n->bytes),
			 (long long)e->mtype,
			 (unsigned long long)(o ? o->stat.count : e->qnum), extra);
		break;
	case IPCS_EV_SHMAT:
	case IPCS_EV_SHMDT:
		snprintf(what, len, "%s %s at 0x%llx, %llu attached%s", kind,
			 name, (unsigned long long)e->addr,
			 (unsigned long long)(o ? o->stat.count : e->qnum),
			 o && o->rmid_pending ? ", removed" : "");
		break;
	case IPCS_EV_SEMOP:
		snprintf(what, len, "%s %s sem %u op %d (%u ops)%s", kind, name,
			 e->sem_num, e->sem_op, e->nsops, extra);
		break;
	default:	/* *ctl */
		snprintf(what, len, "%s %s %s", kind,
			 ipc_cmd(cmd, sizeof(cmd), n->kind, e->cmd), name);
		break;
	}
}

/* Reads and writes: one call with a preview of its bytes, or the sum of
 * calls aggregated in the kernel. */
static void format_data(char *what, size_t len, const struct model_note *n,
			const char *kind, const char *name)
{
	char peer[IPCS_PATH_LEN * 4 + 8] = "", extra[PREVIEW_BYTES * 4 + 8] = "";
	char where[NAME_MAX_ESC + 48];

	if (n->peer) {
		memcpy(peer, " peer ", 6);
		escape_text(peer + 6, sizeof(peer) - 6, n->peer,
			    strnlen(n->peer, IPCS_PATH_LEN));
	}
	if (n->calls > 1) {
		/* aggregated in the kernel: the sum of many calls */
		char sz[32];

		snprintf(what, len, "%s %s in %llu calls %s %s%s",
			 n->kind == IPCS_EV_WRITE ? "wrote" : "read",
			 human_bytes(sz, sizeof(sz), n->bytes),
			 (unsigned long long)n->calls,
			 n->kind == IPCS_EV_WRITE ? "to" : "from",
			 note_where(where, sizeof(where), n, name), peer);
		return;
	}
	if (n->payload && n->payload_len) {
		size_t plen = n->payload_len < PREVIEW_BYTES ? n->payload_len :
							       PREVIEW_BYTES;
		char esc[PREVIEW_BYTES * 4 + 1];

		escape_text(esc, sizeof(esc), n->payload, plen);
		snprintf(extra, sizeof(extra), " \"%s%s\"", esc,
			 n->payload_len > plen ? "..." : "");
	}
	if (n->fd < 0 || !n->file) {
		snprintf(what, len, "%s %s %lld B%s%s", kind,
			 note_where(where, sizeof(where), n, name),
			 (long long)n->bytes, peer, extra);
		return;
	}
	snprintf(what, len, "%s fd %d: f%u %s %lld B%s%s", kind, n->fd,
		 n->file->id, name, (long long)n->bytes, peer, extra);
}

/* bind, connect, listen: the socket and the address it was given */
static void format_socket(char *what, size_t len, const struct model_note *n,
			  const char *kind, const char *name)
{
	char addr[IPCS_SOCKADDR_MAX * 4 + 1] = "", where[NAME_MAX_ESC + 48];

	if (n->address)
		escape_text(addr, sizeof(addr), n->address,
			    strnlen(n->address, IPCS_SOCKADDR_MAX));
	note_where(where, sizeof(where), n, name);
	if (n->kind == IPCS_EV_LISTEN)
		snprintf(what, len, "listen %s backlog %u", where, n->backlog);
	else
		snprintf(what, len, "%s %s %s%s%s", kind, where, addr,
			 n->ret ? ": " : "",
			 n->ret ? (strerrorname_np(-n->ret) ?: "error") : "");
}

/* fork, exec, mkfifo, exit, signal */
static void format_proc(char *what, size_t len, const struct model_note *n,
			const char *kind)
{
	char name[NAME_MAX_ESC];
	const char *sig;

	switch (n->kind) {
	case IPCS_EV_FORK:
		snprintf(what, len, "fork: child %u", n->child);
		break;
	case IPCS_EV_EXEC:
	case IPCS_EV_MKFIFO:
		escape_text(name, sizeof(name), n->filename ? n->filename : "",
			    n->filename ? strnlen(n->filename, IPCS_PATH_LEN) : 0);
		snprintf(what, len, "%s %s", kind, name);
		break;
	case IPCS_EV_EXIT:
		if (n->signal)
			snprintf(what, len, "exit: killed by signal %d",
				 n->signal);
		else
			snprintf(what, len, "exit: code %d", n->code);
		break;
	default:	/* signal */
		sig = sigabbrev_np(n->signal);
		if (n->sig)
			snprintf(what, len, "signal SIG%s -> pid %u%s",
				 sig ? sig : "?", n->sig->target,
				 n->sig->result == 1 ? " (ignored)" : "");
		else
			snprintf(what, len, "signal %d", n->signal);
		break;
	}
}

/* Calls on one fd: open, pipe, dup, fcntl, close, mmap */
static void format_fd(char *what, size_t len, const struct model_note *n,
		      const char *kind, const char *name)
{
	unsigned id = n->file ? n->file->id : 0;
	unsigned long long refs = n->refs;
	char where[NAME_MAX_ESC + 48], sz[32];

	switch (n->kind) {
	case IPCS_EV_DUP:
		snprintf(what, len, "dup fd %d -> fd %d: f%u %s refs %llu",
			 n->oldfd, n->fd, id, name, refs);
		break;
	case IPCS_EV_FCNTL:
		snprintf(what, len, "fcntl fd %d: f%u cloexec %s", n->fd, id,
			 n->cloexec ? "on" : "off");
		break;
	case IPCS_EV_CLOSE:
		snprintf(what, len, "close fd %d: f%u %s refs %llu%s%s", n->fd,
			 id, name, refs, n->implicit ? " by " : "",
			 n->implicit ? n->implicit : "");
		break;
	case IPCS_EV_LSEEK:
		snprintf(what, len, "lseek fd %d: f%u %s offset %llu", n->fd,
			 id, name, (unsigned long long)n->pos);
		break;
	case IPCS_EV_MMAP:
		snprintf(what, len, "mmap %s %s at 0x%llx",
			 note_where(where, sizeof(where), n, name),
			 human_bytes(sz, sizeof(sz), (int64_t)n->len),
			 (unsigned long long)n->addr);
		break;
	default:	/* open, pipe */
		snprintf(what, len, "%s fd %d: f%u %s %s refs %llu%s", kind,
			 n->fd, id, name,
			 n->file ? model_access(n->file->flags) : "", refs,
			 n->cloexec ? " cloexec" : "");
		break;
	}
}

void notes_format_what(char *out, size_t outlen, const struct model_note *n)
{
	const char *kind = record_kind_name(n->kind);
	char name[NAME_MAX_ESC] = "";

	if (n->obj)
		escape_text(name, sizeof(name), n->obj->name,
			    strnlen(n->obj->name, sizeof(n->obj->name)));
	switch (n->kind) {
	case IPCS_EV_FORK: case IPCS_EV_EXEC: case IPCS_EV_MKFIFO:
	case IPCS_EV_EXIT: case IPCS_EV_SIGNAL:
		format_proc(out, outlen, n, kind);
		break;
	case IPCS_EV_WRITE:
	case IPCS_EV_READ:
		format_data(out, outlen, n, kind, name);
		break;
	case IPCS_EV_BIND:
	case IPCS_EV_CONNECT:
	case IPCS_EV_LISTEN:
		format_socket(out, outlen, n, kind, name);
		break;
	case IPCS_EV_MSGGET: case IPCS_EV_MSGSND: case IPCS_EV_MSGRCV:
	case IPCS_EV_MSGCTL: case IPCS_EV_SHMGET: case IPCS_EV_SHMAT:
	case IPCS_EV_SHMDT: case IPCS_EV_SHMCTL: case IPCS_EV_SEMGET:
	case IPCS_EV_SEMOP: case IPCS_EV_SEMCTL:
		format_ipc(out, outlen, n, kind, name);
		break;
	default:
		format_fd(out, outlen, n, kind, name);
		break;
	}
}

void notes_format_comm(char *out, size_t outlen, const struct model_note *n)
{
	escape_text(out, outlen, n->comm ? n->comm : "",
		    n->comm ? strnlen(n->comm, IPCS_COMM_LEN) : 0);
}

void notes_format(char *out, size_t outlen, const struct model_note *n,
		  uint64_t ts0)
{
	char comm[IPCS_COMM_LEN * 4 + 1], what[2048];
	uint64_t t = n->ts > ts0 ? n->ts - ts0 : 0;

	notes_format_comm(comm, sizeof(comm), n);
	notes_format_what(what, sizeof(what), n);
	snprintf(out, outlen, "%4llu.%03llu %6u %-15s %s",
		 (unsigned long long)(t / 1000000000),
		 (unsigned long long)(t / 1000000 % 1000), n->pid, comm, what);
}
