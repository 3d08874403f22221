/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Record files (--record, --replay): the file format, its writer and its
 * reader, and how a replayed record reaches the model. A file is a header
 * (magic, version, a fingerprint of the record layouts, the kernel release
 * and the options of the run) and then length-prefixed, typed records,
 * each with a CRC32, in the order the model saw them. Pure C: no libbpf,
 * no session, so the reader is unit-tested and fuzzed alone.
 */
#ifndef IPCSCOPE_RECORDING_H
#define IPCSCOPE_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "sink.h"

#define RECORDING_MAGIC "IPCSREC\n"
#define RECORDING_VERSION 1
#define RECORDING_MAX_LEN 65536U	/* of one record's payload */
#define RECORDING_MAX_FEATURES 32

/* The types of record, in the order the file's version fixes. */
enum recording_type {
	RECORDING_META = 1,	/* struct recording_meta, then names\0... */
	RECORDING_EVENT,	/* a ring-buffer record, as the kernel sent it */
	RECORDING_FLOW,		/* a drained struct ipcs_flow */
	RECORDING_SNAP,		/* a snapshot record: start-up or resync */
	RECORDING_RESYNC_BEGIN,	/* uint32_t pid */
	RECORDING_RESYNC_END,	/* uint32_t pid: the re-read found it */
	RECORDING_FD_STATE,	/* uint64_t ts, then a struct ipcs_snap_fd */
	RECORDING_TASK_WAIT,	/* a struct ipcs_snap_task (who is blocked) */
	RECORDING_PIPE_EMPTIED,	/* uint64_t dev, ino, ts */
	RECORDING_RESOLVE,	/* uint32_t found, then the name (no NUL) */
	RECORDING_SINK_OPEN,	/* uint64_t now: when the sink was opened */
	RECORDING_TICK,		/* struct recording_tick */
	RECORDING_TITLE,	/* struct recording_title, name\0about\0 */
	RECORDING_ENDED,	/* what ended, NUL-terminated */
	RECORDING_END,		/* struct recording_end: the summary's inputs */
	RECORDING_FIN,		/* empty: the file was closed whole */
	RECORDING_SYSV,		/* struct recording_sysv: ipcs as --snapshot read it */
	RECORDING_LOSS,		/* struct recording_loss: a lost or resync line */
	RECORDING_OUTPUT,	/* the traced command's output (live view): raw bytes */
	RECORDING__COUNT
};

/* Events lost, or the re-read after them, as the sink was told. */
struct recording_loss {
	uint64_t ts, count, total, processes;
	uint32_t resync;
	uint32_t is_resync;	/* 1: the re-read; 0: the loss */
};

/* The header, as the file holds it (native byte order, x86_64). */
struct recording_header {
	char magic[8];
	uint32_t version;
	uint32_t size;		/* sizeof(struct recording_header) */
	uint32_t layout;	/* fingerprint of bpf/ipcscope.h's records */
	uint32_t mode;		/* enum output_mode of the run */
	uint32_t aggregate;	/* data came as flows (--top, live view) */
	uint32_t payload;	/* --payload */
	uint32_t interval_ms;	/* --top --interval */
	uint32_t pad;
	char release[72];	/* uname -r of the host */
	char command[256];	/* the command line, cut to fit */
	uint32_t crc;		/* of the bytes above */
	uint32_t pad2;
};

struct recording_meta {
	int64_t ts_offset;	/* CLOCK_MONOTONIC -> CLOCK_REALTIME */
	uint64_t start_ns;
};

struct recording_tick {
	uint64_t now, events, lost;
};

struct recording_title {
	int32_t n;
	uint32_t pad;
	uint64_t ts;
};

struct recording_sysv {
	uint32_t kind;		/* enum obj_kind: OBJ_MSGQ, OBJ_SHM, OBJ_SEM */
	int32_t id;
	struct model_ipc_stat st;
};

struct recording_end {
	uint64_t now, st_events, st_lost;
	uint64_t events, records, lost, bad_records, resyncs, duration_ns;
	uint64_t ia32;
	int32_t exit_status;
	uint32_t pad;
};

/* One record read: data is 8-byte aligned and lives until the next call
 * to recording_next() but one. */
struct recording_rec {
	uint32_t type;
	uint32_t len;
	const void *data;
	uint64_t off;		/* where it starts in the file */
};

uint32_t recording_crc32(uint32_t crc, const void *buf, size_t len);
uint32_t recording_layout(void);
/* Fills the parts of h every writer sets (magic, version, size, layout,
 * release); the caller sets the options. */
void recording_header_init(struct recording_header *h);

/* --- writing ---------------------------------------------------------------- */

struct recording;

/* Creates path (O_EXCL, O_NOFOLLOW, 0600) and writes h. On failure
 * returns -errno having printed one line. */
int recording_create(struct recording **out, const char *path,
		     struct recording_header *h);
/* The same on an open file (a memfd for the live view's history); takes
 * fd. On failure returns -errno, saying nothing. */
int recording_create_fd(struct recording **out, int fd,
			struct recording_header *h);
/* Appends a record of type whose payload is a then b; r may be NULL. */
void recording_put(struct recording *r, unsigned type, const void *a,
		   size_t alen, const void *b, size_t blen);
/* Hands what is buffered to the kernel (at each tick). */
void recording_flush(struct recording *r);
/* Records put so far that a reader meets in turn (all but the names
 * answered, which the model takes inside the record that asked), and the
 * bytes written. */
uint64_t recording_count(const struct recording *r);
/* The file written (to open it again for reading), or -1. */
int recording_fd(const struct recording *r);
/* Writes nothing more (counted as a failed write: -EFBIG). */
void recording_stop(struct recording *r);
uint64_t recording_bytes(const struct recording *r);
/* Writes the closing record and closes; returns 0 or -errno of the first
 * write that failed. */
int recording_close(struct recording *r);

/* --- reading ---------------------------------------------------------------- */

struct recording_reader;

/* Opens a regular file and checks its header; on failure returns -errno
 * and says why in why (one line, without the path). */
int recording_open(struct recording_reader **out, const char *path,
		   struct recording_header *h, char *why, size_t whylen);
int recording_open_fd(struct recording_reader **out, int fd,
		      struct recording_header *h, char *why, size_t whylen);
/* The next record, checked: 1 with *rec, 0 at the closing record, -1 at
 * damage (recording_why() says what and where; the records before it
 * were whole). */
int recording_next(struct recording_reader *r, struct recording_rec *rec);
const char *recording_why(const struct recording_reader *r);
/* A file still being written (the live view's history): at the end of
 * what was written, recording_next() returns 2, not damage, and can be
 * called again once more is written. */
void recording_follow(struct recording_reader *r);
/* Back to the first record after the header. */
int recording_rewind(struct recording_reader *r);
/* Records taken with recording_next() since the header, as
 * recording_count() counts them. */
uint64_t recording_taken(const struct recording_reader *r);
void recording_reader_close(struct recording_reader *r);

/* A record of a type the model takes, applied to m: true if it was one.
 * Ticks sweep the model. */
bool recording_apply(struct model *m, const struct recording_rec *rec);
/* The sink's part of a record, told to sk's operations (those it has): a
 * tick (its flags returned), a demo title, a loss or a re-read, the
 * command's output. Other types are the caller's; they return 0. */
int recording_tell(const struct sink *sk, const struct recording_rec *rec);
/* A model_resolve_fn (ctx: the reader) that answers what the recorded run
 * answered: the next record, when it is a RECORDING_RESOLVE. */
bool recording_resolve(void *ctx, uint32_t pid, int fd, const char *upath,
		       uint64_t dev, uint64_t ino, char *out, size_t outlen);

#endif /* IPCSCOPE_RECORDING_H */
