// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Record files: the format (recording.h), the writer that --record feeds,
 * the reader that --replay trusts nothing of (every length, checksum and
 * record is checked, with the record contract's own helpers, before the
 * model sees it), and the dispatch of replayed records to the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "options.h"
#include "record.h"
#include "recording.h"

struct rec_hdr {
	uint32_t type;
	uint32_t len;
	uint32_t crc;	/* of type, len and the payload */
};

static const char *const type_names[RECORDING__COUNT] = {
	[RECORDING_META] = "meta", [RECORDING_EVENT] = "event",
	[RECORDING_FLOW] = "flow", [RECORDING_SNAP] = "snapshot",
	[RECORDING_RESYNC_BEGIN] = "resync-begin",
	[RECORDING_RESYNC_END] = "resync-end",
	[RECORDING_FD_STATE] = "fd-state", [RECORDING_TASK_WAIT] = "task-wait",
	[RECORDING_PIPE_EMPTIED] = "pipe-emptied",
	[RECORDING_RESOLVE] = "resolve", [RECORDING_SINK_OPEN] = "sink-open",
	[RECORDING_TICK] = "tick", [RECORDING_TITLE] = "title",
	[RECORDING_ENDED] = "ended", [RECORDING_END] = "end",
	[RECORDING_FIN] = "fin", [RECORDING_SYSV] = "sysv",
	[RECORDING_LOSS] = "loss", [RECORDING_OUTPUT] = "output",
};

uint32_t recording_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = buf;

	if (!table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* A file from a build whose records differ would be misread: refused. */
uint32_t recording_layout(void)
{
	static const uint32_t sizes[] = {
		IPCS_EV__COUNT,
#define IPCS_X(name, str, rec) sizeof(struct rec),
		IPCS_EVENT_KINDS(IPCS_X)
#undef IPCS_X
#define IPCS_X(name, val, rec) val, sizeof(struct rec),
		IPCS_SNAP_KINDS(IPCS_X)
#undef IPCS_X
		sizeof(struct ipcs_hdr), sizeof(struct ipcs_flow),
		sizeof(struct recording_header), sizeof(struct recording_end),
		sizeof(struct recording_sysv),
		RECORDING__COUNT,
	};

	return recording_crc32(0, sizes, sizeof(sizes));
}

void recording_header_init(struct recording_header *h)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, RECORDING_MAGIC, sizeof(h->magic));
	h->version = RECORDING_VERSION;
	h->size = sizeof(*h);
	h->layout = recording_layout();
	if (!uname(&u))
		snprintf(h->release, sizeof(h->release), "%s", u.release);
}

/* --- writing ---------------------------------------------------------------- */

static bool payload_ok(uint32_t type, const unsigned char *p, uint32_t len);

struct recording {
	FILE *f;
	int err;	/* the first write that failed, -errno */
	uint64_t count, bytes;
};

int recording_create_fd(struct recording **out, int fd,
			struct recording_header *h)
{
	struct recording *r = calloc(1, sizeof(*r));
	int err;

	if (!r || !(r->f = fdopen(fd, "w"))) {
		err = errno ? errno : ENOMEM;
		free(r);
		close(fd);
		return -err;
	}
	h->crc = recording_crc32(0, h, offsetof(struct recording_header, crc));
	if (fwrite(h, sizeof(*h), 1, r->f) != 1)
		r->err = -errno;
	r->bytes = sizeof(*h);
	*out = r;
	return 0;
}

int recording_create(struct recording **out, const char *path,
		     struct recording_header *h)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		int err = errno;

		if (!lstat(path, &st) && S_ISLNK(st.st_mode))
			fprintf(stderr, "ipcscope: %s is a symbolic link; --record "
				"never writes through one: give a new file's path\n",
				path);
		else if (err == EEXIST)
			fprintf(stderr, "ipcscope: %s exists; --record never "
				"overwrites a file: give a new name\n", path);
		else
			fprintf(stderr, "ipcscope: cannot create %s: %s\n", path,
				strerror(err));
		return -err;
	}
	err = recording_create_fd(out, fd, h);
	if (err)
		fprintf(stderr, "ipcscope: cannot write %s: %s\n", path,
			strerror(-err));
	return err;
}

void recording_put(struct recording *r, unsigned type, const void *a,
		   size_t alen, const void *b, size_t blen)
{
	struct rec_hdr h = { .type = type, .len = alen + blen };

	if (!r || r->err)
		return;
	if (alen + blen > RECORDING_MAX_LEN) {
		r->err = -E2BIG;
		return;
	}
	/* what the contract refuses, the model refused too (bad_records,
	 * which the end record carries): a replay need not stop at it */
	if (!blen && !payload_ok(type, a, alen))
		return;
	h.crc = recording_crc32(0, &h, offsetof(struct rec_hdr, crc));
	h.crc = recording_crc32(h.crc, a, alen);
	h.crc = recording_crc32(h.crc, b, blen);
	if (fwrite(&h, sizeof(h), 1, r->f) != 1 ||
	    (alen && fwrite(a, alen, 1, r->f) != 1) ||
	    (blen && fwrite(b, blen, 1, r->f) != 1))
		r->err = -(errno ? errno : EIO);
	r->count += type != RECORDING_RESOLVE;
	r->bytes += sizeof(h) + alen + blen;
}

uint64_t recording_count(const struct recording *r)
{
	return r ? r->count : 0;
}

int recording_fd(const struct recording *r)
{
	return r ? fileno(r->f) : -1;
}

void recording_stop(struct recording *r)
{
	if (r && !r->err) {
		recording_flush(r);
		r->err = -EFBIG;
	}
}

uint64_t recording_bytes(const struct recording *r)
{
	return r ? r->bytes : 0;
}

void recording_flush(struct recording *r)
{
	if (r && !r->err && fflush(r->f))
		r->err = -errno;
}

int recording_close(struct recording *r)
{
	int err;

	if (!r)
		return 0;
	recording_put(r, RECORDING_FIN, NULL, 0, NULL, 0);
	recording_flush(r);
	err = r->err;
	if (fclose(r->f) && !err)
		err = -errno;
	free(r);
	return err;
}

/* --- reading ---------------------------------------------------------------- */

struct recording_reader {
	FILE *f;
	uint64_t off;		/* of the next byte to read */
	unsigned char *buf[2];	/* the record handed out, and one ahead */
	int cur;
	bool ahead;		/* buf[!cur] holds next, read ahead */
	int ahead_rc;
	struct recording_rec next;
	int end_rc;		/* once the end or damage was met */
	bool ended;
	bool follow;		/* still being written: its end is "not yet" */
	uint64_t taken;		/* as recording_count() counts */
	char why[192];
};

/* Exactly n NUL-terminated strings fill p[0..len). */
static bool strings_ok(const char *p, size_t len, size_t n)
{
	size_t found = 0;

	if (!len || p[len - 1])
		return false;
	for (size_t i = 0; i < len; i++)
		found += !p[i];
	return found == n;
}

static bool snap_ok(const void *p, size_t len)
{
	const struct ipcs_snap_hdr *h = p;

	return len >= sizeof(*h) &&
	       record_snap_ok(p, len, (enum ipcs_snap_kind)h->kind);
}

static bool meta_ok(const char *p, size_t len)
{
	size_t names = len - sizeof(struct recording_meta), n = 0;

	if (len < sizeof(struct recording_meta))
		return false;
	if (!names)
		return true;
	for (size_t i = 0; i < names; i++)
		n += !p[sizeof(struct recording_meta) + i];
	return n <= RECORDING_MAX_FEATURES &&
	       strings_ok(p + sizeof(struct recording_meta), names, n);
}

/* What each type's payload must be. */
static bool payload_ok(uint32_t type, const unsigned char *p, uint32_t len)
{
	const struct ipcs_flow *fl = (const void *)p;
	const uint32_t *found = (const void *)p;
	size_t t = sizeof(struct recording_title);

	switch (type) {
	case RECORDING_META:
		return meta_ok((const char *)p, len);
	case RECORDING_EVENT:
		return record_event_ok(p, len);
	case RECORDING_FLOW:
		return len == sizeof(*fl) &&
		       (fl->h.kind == IPCS_EV_WRITE || fl->h.kind == IPCS_EV_READ);
	case RECORDING_SNAP:
		return snap_ok(p, len);
	case RECORDING_RESYNC_BEGIN:
	case RECORDING_RESYNC_END:
		return len == sizeof(uint32_t);
	case RECORDING_FD_STATE:
		return len == 8 + sizeof(struct ipcs_snap_fd) &&
		       record_snap_ok(p + 8, len - 8, IPCS_SNAP_FD);
	case RECORDING_TASK_WAIT:
		return record_snap_ok(p, len, IPCS_SNAP_TASK);
	case RECORDING_PIPE_EMPTIED:
		return len == 3 * sizeof(uint64_t);
	case RECORDING_RESOLVE:
		return len >= sizeof(uint32_t) && *found <= 1 &&
		       !memchr(p + 4, 0, len - 4);
	case RECORDING_SINK_OPEN:
		return len == sizeof(uint64_t);
	case RECORDING_TICK:
		return len == sizeof(struct recording_tick);
	case RECORDING_TITLE:
		return len > t && strings_ok((const char *)p + t, len - t, 2);
	case RECORDING_ENDED:
		return strings_ok((const char *)p, len, 1);
	case RECORDING_END:
		return len == sizeof(struct recording_end);
	case RECORDING_FIN:
		return len == 0;
	case RECORDING_OUTPUT:
		return len > 0;
	case RECORDING_LOSS:
		return len == sizeof(struct recording_loss) &&
		       ((const struct recording_loss *)p)->is_resync <= 1;
	case RECORDING_SYSV:
		return len == sizeof(struct recording_sysv) &&
		       (found[0] == OBJ_MSGQ || found[0] == OBJ_SHM ||
			found[0] == OBJ_SEM);
	}
	return false;
}

static int damaged(struct recording_reader *r, const char *fmt,
		   unsigned long long off, const char *what)
{
	snprintf(r->why, sizeof(r->why), fmt, off, what);
	return -1;
}

/* Reads n bytes; false at the end of the file or an error. */
static bool read_exact(struct recording_reader *r, void *p, size_t n,
		       size_t *got)
{
	*got = fread(p, 1, n, r->f);
	r->off += *got;
	return *got == n;
}

static int read_fin(struct recording_reader *r, uint64_t at)
{
	if (fgetc(r->f) != EOF)
		return damaged(r, "data after the closing record at byte %llu%s",
			       at, "");
	return 0;
}

/* One record into buf; 1, 0 at the closing record, -1 at damage. */
static int read_one(struct recording_reader *r, unsigned char *buf,
		    struct recording_rec *rec)
{
	uint64_t at = r->off;
	struct rec_hdr h;
	uint32_t crc;
	size_t got;

	if (!read_exact(r, &h, sizeof(h), &got)) {
		if (r->follow && !got && !ferror(r->f)) {
			clearerr(r->f);	/* more may come */
			return 2;
		}
		if (ferror(r->f))
			return damaged(r, "read error at byte %llu: %s", at,
				       strerror(errno));
		return damaged(r, got ? "cut short in the record at byte %llu%s"
				      : "ends at byte %llu without its closing "
					"record%s",
			       at, got ? "" : " (the run was cut short, or the "
					      "file truncated)");
	}
	if (h.len > RECORDING_MAX_LEN)
		return damaged(r, "absurd record length at byte %llu (%s)", at,
			       "over 64 KiB");
	if (!read_exact(r, buf, h.len, &got))
		return damaged(r, "cut short in the record at byte %llu%s", at,
			       "");
	crc = recording_crc32(0, &h, offsetof(struct rec_hdr, crc));
	if (recording_crc32(crc, buf, h.len) != h.crc)
		return damaged(r, "damaged record at byte %llu (%s)", at,
			       "checksum mismatch");
	if (!h.type || h.type >= RECORDING__COUNT)
		return damaged(r, "unknown record type at byte %llu%s", at, "");
	if (!payload_ok(h.type, buf, h.len))
		return damaged(r, "malformed record at byte %llu (%s)", at,
			       type_names[h.type]);
	*rec = (struct recording_rec){ h.type, h.len, buf, at };
	return h.type == RECORDING_FIN ? read_fin(r, at) : 1;
}

int recording_next(struct recording_reader *r, struct recording_rec *rec)
{
	int rc;

	if (r->ended)
		return r->end_rc;
	if (r->ahead && r->ahead_rc == 2)
		r->ahead = false;	/* "not yet" then: look again */
	if (r->ahead) {
		r->ahead = false;
		r->cur = !r->cur;
		*rec = r->next;
		rc = r->ahead_rc;
	} else {
		rc = read_one(r, r->buf[r->cur], rec);
	}
	if (rc <= 0) {
		r->ended = true;
		r->end_rc = rc;
	}
	if (rc == 1 && rec->type != RECORDING_RESOLVE)
		r->taken++;
	return rc;
}

void recording_follow(struct recording_reader *r)
{
	r->follow = true;
}

int recording_rewind(struct recording_reader *r)
{
	if (fseek(r->f, sizeof(struct recording_header), SEEK_SET))
		return -errno;
	r->off = sizeof(struct recording_header);
	r->ahead = r->ended = false;
	r->taken = 0;
	return 0;
}

uint64_t recording_taken(const struct recording_reader *r)
{
	return r->taken;
}

/* The next record, without taking it; 1 if there is one. */
static int peek(struct recording_reader *r, struct recording_rec *rec)
{
	if (r->ended)
		return r->end_rc;
	if (!r->ahead) {
		r->ahead_rc = read_one(r, r->buf[!r->cur], &r->next);
		r->ahead = true;
	}
	*rec = r->next;
	return r->ahead_rc;
}

const char *recording_why(const struct recording_reader *r)
{
	return r->why;
}

static int header_check(const struct recording_header *h, char *why,
			size_t whylen)
{
	if (memcmp(h->magic, RECORDING_MAGIC, sizeof(h->magic))) {
		snprintf(why, whylen, "not an ipcscope record file (wrong magic)");
		return -EINVAL;
	}
	if (h->version != RECORDING_VERSION || h->size != sizeof(*h)) {
		snprintf(why, whylen, "record file version %u; this ipcscope "
			 "reads version %u", h->version, RECORDING_VERSION);
		return -EINVAL;
	}
	/* pad2, after the checksum, is written 0: any other value is damage */
	if (recording_crc32(0, h, offsetof(struct recording_header, crc)) !=
	    h->crc || h->pad2) {
		snprintf(why, whylen, "damaged header (checksum mismatch)");
		return -EINVAL;
	}
	if (h->layout != recording_layout()) {
		snprintf(why, whylen, "recorded by an ipcscope whose records "
			 "differ from this one's (layout %08x, here %08x)",
			 h->layout, recording_layout());
		return -EINVAL;
	}
	if (h->mode > OUT_TOP_JSON || h->aggregate > 1 ||
	    !memchr(h->release, 0, sizeof(h->release)) ||
	    !memchr(h->command, 0, sizeof(h->command))) {
		snprintf(why, whylen, "damaged header (bad options)");
		return -EINVAL;
	}
	return 0;
}

int recording_open_fd(struct recording_reader **out, int fd,
		      struct recording_header *h, char *why, size_t whylen)
{
	struct recording_reader *r = calloc(1, sizeof(*r));
	size_t got;
	int err;

	if (!r || !(r->buf[0] = malloc(RECORDING_MAX_LEN)) ||
	    !(r->buf[1] = malloc(RECORDING_MAX_LEN)) ||
	    !(r->f = fdopen(fd, "r"))) {
		snprintf(why, whylen, "%s", strerror(errno));
		err = -errno;
		close(fd);
		goto fail;
	}
	if (!read_exact(r, h, sizeof(*h), &got)) {
		snprintf(why, whylen, ferror(r->f) ? strerror(errno) :
			 "too short to be an ipcscope record file");
		err = -EINVAL;
		goto fail;
	}
	err = header_check(h, why, whylen);
	if (err)
		goto fail;
	*out = r;
	return 0;
fail:
	recording_reader_close(r);
	return err;
}

int recording_open(struct recording_reader **out, const char *path,
		   struct recording_header *h, char *why, size_t whylen)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, 0)) {
		snprintf(why, whylen, "not a regular file");
		close(fd);
		return -EINVAL;
	}
	return recording_open_fd(out, fd, h, why, whylen);
}

void recording_reader_close(struct recording_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->buf[0]);
	free(r->buf[1]);
	free(r);
}

/* --- into the model ----------------------------------------------------------- */

bool recording_apply(struct model *m, const struct recording_rec *rec)
{
	const unsigned char *p = rec->data;
	const struct ipcs_snap_fd *fd = (const void *)(p + 8);
	struct recording_sysv sysv;
	uint64_t v[3];
	uint32_t pid;

	switch (rec->type) {
	case RECORDING_EVENT:
		model_apply(m, p, rec->len);
		return true;
	case RECORDING_FLOW:
		model_apply_flow(m, p, rec->len);
		return true;
	case RECORDING_SNAP:
		model_apply_snap(m, p, rec->len);
		return true;
	case RECORDING_RESYNC_BEGIN:
		memcpy(&pid, p, sizeof(pid));
		model_resync_begin(m, pid);
		return true;
	case RECORDING_RESYNC_END:
		memcpy(&pid, p, sizeof(pid));
		model_resync_end(m, pid);
		return true;
	case RECORDING_FD_STATE:
		memcpy(v, p, sizeof(uint64_t));
		if ((fd->f.imode & S_IFMT) == S_IFIFO)	/* as loop.c reads */
			model_object_state(m, fd, v[0]);
		return true;
	case RECORDING_TASK_WAIT:
		model_set_wait(m, (const void *)p);
		return true;
	case RECORDING_PIPE_EMPTIED:
		memcpy(v, p, sizeof(v));
		model_pipe_emptied(m, v[0], v[1], v[2]);
		return true;
	case RECORDING_TICK:
		memcpy(v, p, sizeof(uint64_t));
		model_sweep(m, v[0]);
		return true;
	case RECORDING_SYSV:
		memcpy(&sysv, p, sizeof(sysv));
		model_add_sysv(m, sysv.kind, sysv.id, &sysv.st);
		return true;
	}
	return false;
}

int recording_tell(const struct sink *sk, const struct recording_rec *rec)
{
	const struct sink_ops *ops = sk->ops;
	const char *p = rec->data;
	struct recording_title title;
	struct recording_tick tick;
	struct recording_loss loss;
	struct sink_loss l;

	if (!ops)
		return 0;
	switch (rec->type) {
	case RECORDING_TICK:
		memcpy(&tick, p, sizeof(tick));
		return ops->tick ? ops->tick(sk->ctx, tick.now,
					     &(struct sink_stats){ tick.events,
								   tick.lost }) :
				   0;
	case RECORDING_TITLE:
		memcpy(&title, p, sizeof(title));
		p += sizeof(title);
		if (ops->title)
			ops->title(sk->ctx, title.n, p, p + strlen(p) + 1,
				   title.ts);
		return 0;
	case RECORDING_LOSS:
		memcpy(&loss, p, sizeof(loss));
		l = (struct sink_loss){ loss.ts, loss.count, loss.total,
					loss.resync, loss.processes };
		if (loss.is_resync && ops->resync)
			ops->resync(sk->ctx, &l);
		else if (!loss.is_resync && ops->lost)
			ops->lost(sk->ctx, &l);
		return 0;
	case RECORDING_OUTPUT:
		if (ops->output)
			ops->output(sk->ctx, p, rec->len);
		return 0;
	}
	return 0;
}

bool recording_resolve(void *ctx, uint32_t pid, int fd, const char *upath,
		       uint64_t dev, uint64_t ino, char *out, size_t outlen)
{
	struct recording_reader *r = ctx;
	struct recording_rec rec = { 0 };
	uint32_t found;
	size_t n;

	(void)pid, (void)fd, (void)upath, (void)dev, (void)ino;
	if (peek(r, &rec) != 1 || rec.type != RECORDING_RESOLVE || !outlen)
		return false;
	/* taken in place: the record being applied stays in buf[cur] */
	r->ahead = false;
	memcpy(&found, rec.data, sizeof(found));
	n = rec.len - sizeof(found);
	if (n > outlen - 1)
		n = outlen - 1;
	memcpy(out, (const char *)rec.data + sizeof(found), n);
	out[n] = 0;
	return found;
}
