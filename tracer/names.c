// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Object names from /proc; see names.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "names.h"

uint64_t names_kernel_dev(dev_t dev)
{
	return (uint64_t)major(dev) << 20 | minor(dev);
}

/* The path the call was given, made absolute (from the process's cwd)
 * and resolved in our view of the files, when it names (dev, ino). */
static bool resolve_upath(uint32_t pid, const char *upath, uint64_t dev,
			  uint64_t ino, char *out, size_t outlen)
{
	char cwd[PATH_MAX], path[2 * PATH_MAX], real[PATH_MAX], link[64];
	struct stat st;
	ssize_t n;

	if (!upath || !upath[0])
		return false;
	if (upath[0] == '/') {
		snprintf(path, sizeof(path), "%s", upath);
	} else {
		snprintf(link, sizeof(link), "/proc/%u/cwd", pid);
		n = readlink(link, cwd, sizeof(cwd) - 1);
		if (n <= 0)
			return false;
		cwd[n] = 0;
		snprintf(path, sizeof(path), "%s/%s", cwd, upath);
	}
	if (!realpath(path, real) || stat(real, &st) || st.st_ino != ino ||
	    names_kernel_dev(st.st_dev) != dev || strlen(real) >= outlen)
		return false;
	memcpy(out, real, strlen(real) + 1);
	return true;
}

/* By the path first: opening /proc/PID/fd/FD takes a reference on the
 * file for a moment, and the traced program's next close or dup, racing
 * it, would count it. */
bool names_resolve_fd(void *ctx, uint32_t pid, int fd, const char *upath,
		      uint64_t dev, uint64_t ino, char *out, size_t outlen)
{
	char link[64];
	struct stat st;
	ssize_t n;

	(void)ctx;
	if (resolve_upath(pid, upath, dev, ino, out, outlen))
		return true;
	snprintf(link, sizeof(link), "/proc/%u/fd/%d", pid, fd);
	if (stat(link, &st) || st.st_ino != ino ||
	    names_kernel_dev(st.st_dev) != dev)
		return false;
	n = readlink(link, out, outlen - 1);
	if (n <= 0)
		return false;
	out[n] = 0;
	return true;
}

static const char *sysv_file(enum obj_kind kind)
{
	return kind == OBJ_MSGQ ? "/proc/sysvipc/msg" :
	       kind == OBJ_SHM	? "/proc/sysvipc/shm" :
				  "/proc/sysvipc/sem";
}

/* One line of /proc/sysvipc/{msg,shm,sem}, in the columns each has:
 *   msg: key msqid perms cbytes qnum ...
 *   shm: key shmid perms size cpid lpid nattch ...
 *   sem: key semid perms nsems ... */
static bool sysv_parse(enum obj_kind kind, const char *line, int *id,
		       struct model_ipc_stat *st)
{
	unsigned long long a, b, c, d;
	int key, perms;

	memset(st, 0, sizeof(*st));
	switch (kind) {
	case OBJ_MSGQ:
		if (sscanf(line, "%d %d %o %llu %llu", &key, id, &perms, &a, &b) != 5)
			return false;
		st->bytes = a;
		st->count = b;
		break;
	case OBJ_SHM:
		if (sscanf(line, "%d %d %o %llu %llu %llu %llu", &key, id, &perms,
			   &a, &b, &c, &d) != 7)
			return false;
		st->bytes = a;
		st->count = d;
		break;
	default:
		if (sscanf(line, "%d %d %o %llu", &key, id, &perms, &a) != 4)
			return false;
		st->count = a;
		break;
	}
	st->key = key;
	return true;
}

/* The queue size limit is not in /proc/sysvipc/msg: ask the kernel. */
static uint64_t msg_qbytes(int id)
{
	struct msqid_ds ds;

	return msgctl(id, IPC_STAT, &ds) ? 0 : ds.msg_qbytes;
}

/* A semaphore set's values are not in /proc/sysvipc/sem either: the
 * first IPCS_SEMVAL_MAX, as events carry them (GETALL fills them all). */
static void sem_values(int id, struct model_ipc_stat *st)
{
	unsigned short *v = st->count ? calloc(st->count, sizeof(*v)) : NULL;
	uint32_t n = st->count < IPCS_SEMVAL_MAX ? st->count : IPCS_SEMVAL_MAX;

	if (v && !semctl(id, 0, GETALL, v)) {
		st->nsemval = n;
		for (uint32_t i = 0; i < n; i++)
			st->semval[i] = v[i];
	}
	free(v);
}

static void add_sysv(void *ctx, enum obj_kind kind, int id,
		     const struct model_ipc_stat *st)
{
	model_add_sysv(ctx, kind, id, st);
}

void names_add_sysv(struct model *m)
{
	names_each_sysv(add_sysv, m);
}

void names_each_sysv(names_sysv_fn fn, void *ctx)
{
	static const enum obj_kind kinds[] = { OBJ_MSGQ, OBJ_SHM, OBJ_SEM };
	struct model_ipc_stat st;
	char line[512];
	int id;

	for (size_t k = 0; k < 3; k++) {
		FILE *f = fopen(sysv_file(kinds[k]), "re");

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (!sysv_parse(kinds[k], line, &id, &st))
				continue;	/* the header line */
			if (kinds[k] == OBJ_MSGQ)
				st.limit = msg_qbytes(id);
			else if (kinds[k] == OBJ_SEM)
				sem_values(id, &st);
			fn(ctx, kinds[k], id, &st);
		}
		fclose(f);
	}
}
