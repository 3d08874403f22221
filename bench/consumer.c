// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The user-space half of --json alone: model_apply() and report_note_json()
 * on records laid out as the ring buffer holds them, without BPF or a traced
 * program. What wstorm makes (1-byte writes into a pipe, the reader draining
 * in bulk) is replayed N times; the CPU time per event is what the consumer
 * can sustain. A hash of the output shows that a change kept the bytes.
 *
 *   consumer N [OUT]     OUT defaults to /dev/null
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "model.h"
#include "report.h"

#define WRITER 14030U
#define READER 14031U
#define WFILES 0xffff888004a1c000ULL
#define RFILES 0xffff888004a1d000ULL
#define RFILE 0xffff8880061e2300ULL
#define WFILE 0xffff8880061e2a00ULL
#define INO 123456ULL
#define RECS 4096		/* distinct records, replayed in a loop */

static struct ipcs_file_info pipe_end(uint64_t file, uint32_t flags)
{
	return (struct ipcs_file_info){
		.file = file, .ino = INO, .dev = 0xd, .imode = S_IFIFO | 0600,
		.flags = flags, .magic = IPCS_PIPEFS_MAGIC, .refs = 1,
		.pipe_capacity = 65536, .pipe_readers = 1, .pipe_writers = 1,
	};
}

static void snap(struct model *m)
{
	struct ipcs_snap_task t = { .h = { IPCS_SNAP_TASK, sizeof(t), 0 } };
	struct ipcs_snap_fd f = { .h = { IPCS_SNAP_FD, sizeof(f), 0 } };

	strcpy(t.comm, "ipcbench");
	t.h.pid = WRITER, t.ppid = 1, t.start = 1, t.files = WFILES;
	model_apply_snap(m, &t, sizeof(t));
	t.h.pid = READER, t.ppid = WRITER, t.start = 2, t.files = RFILES;
	model_apply_snap(m, &t, sizeof(t));
	f.h.pid = WRITER, f.files = WFILES, f.fd = 4;
	f.f = pipe_end(WFILE, 01);
	model_apply_snap(m, &f, sizeof(f));
	f.h.pid = READER, f.files = RFILES, f.fd = 3;
	f.f = pipe_end(RFILE, 0);
	model_apply_snap(m, &f, sizeof(f));
}

/* One read for every 50 writes, as the drained pipe shows under tracing. */
static void fill(struct ipcs_ev_data *recs)
{
	uint32_t buffered = 0;

	for (int i = 0; i < RECS; i++) {
		struct ipcs_ev_data *e = &recs[i];
		bool rd = i % 51 == 50;

		memset(e, 0, sizeof(*e));
		e->h.pid = e->h.tid = rd ? READER : WRITER;
		e->h.kind = rd ? IPCS_EV_READ : IPCS_EV_WRITE;
		e->h.size = sizeof(*e);
		strcpy(e->h.comm, "ipcbench");
		e->fd = rd ? 3 : 4;
		e->syscall = rd ? IPCS_SC_READ : IPCS_SC_WRITE;
		e->bytes = rd ? buffered : 1;
		e->files = rd ? RFILES : WFILES;
		e->f = pipe_end(rd ? RFILE : WFILE, rd ? 0 : 01);
		e->f.refs = e->f.pos = e->f.flags = 0;
		buffered = rd ? 0 : buffered + 1;
		e->f.pipe_buffered = buffered;
	}
}

struct ctx {
	struct json j;
	int64_t ts_offset;
};

static void on_note(void *p, const struct model_note *n)
{
	struct ctx *c = p;

	report_note_json(&c->j, n, c->ts_offset);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct ipcs_ev_data recs[RECS];
	static char outbuf[1 << 20];
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char *path = argc > 2 ? argv[2] : "/dev/null";
	struct ctx c = { .ts_offset = 1700000000000000000LL };
	struct model m;
	FILE *out = fopen(path, "w");
	double t0;

	if (!out || n <= 0) {
		fprintf(stderr, "usage: consumer N [OUT]\n");
		return 2;
	}
	setvbuf(out, outbuf, _IOFBF, sizeof(outbuf));
	json_init(&c.j, out);
	model_init(&m);
	m.note = on_note;
	m.note_ctx = &c;
	snap(&m);
	fill(recs);
	t0 = cpu_now();
	for (long i = 0; i < n; i++) {
		struct ipcs_ev_data *e = &recs[i % RECS];

		e->h.ts = 2400000000000ULL + i * 587ULL;
		model_apply(&m, e, sizeof(*e));
	}
	fflush(out);
	t0 = cpu_now() - t0;
	printf("consumer ns_per_event=%.1f events_per_s=%.0f events=%ld\n",
	       t0 * 1e9 / n, n / t0, n);
	model_free(&m);
	fclose(out);
	return 0;
}
