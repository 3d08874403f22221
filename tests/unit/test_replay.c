/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for record files (tracer/recording.c): a small file written
 * by the writer replays whole into the model; the header's checks (magic,
 * version, checksum, layout, options; FIFOs, directories and /dev/zero
 * refused without waiting); a cut at every offset, every single-bit flip
 * tried at a fixed seed, absurd lengths; and a corpus of damaged variants
 * (payloads rewritten under valid checksums, records swapped, duplicated,
 * cut) fed through the reader into a real model, which must come through
 * whole (run under ASan and UBSan by the sanitizer build).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "records.h"
#include "recording.h"
#include "report.h"

#define HDR sizeof(struct recording_header)
#define REC_HDR 12	/* type, len, crc */

static unsigned char *valid;	/* the small valid file */
static size_t valid_len;
static size_t valid_records;	/* records in it, the closing one included */
static char dir[64];

/* --- the small valid file ------------------------------------------------ */

static void put_event(struct recording *r, const void *e, size_t size)
{
	recording_put(r, RECORDING_EVENT, e, size, NULL, 0);
	valid_records++;
}

static void put(struct recording *r, unsigned type, const void *a, size_t alen,
		const void *b, size_t blen)
{
	recording_put(r, type, a, alen, b, blen);
	valid_records++;
}

static void write_records(struct recording *r)
{
	struct recording_meta meta = { 1000, 5 };
	struct ipcs_snap_task t = rec_snap_task(10, 1, 1, 0xa0);
	struct ipcs_snap_fd sfd = rec_snap_fd(10, 0xa0, 0, 0,
					      rec_pipe(0xf1, 77, O_RDONLY, 1), "");
	struct ipcs_ev_fd p0 = rec_fd(IPCS_EV_PIPE, 100, 10, 0xa0, 3, -1, 0,
				      rec_pipe(0xf2, 88, O_RDONLY, 1));
	struct ipcs_ev_fd p1 = rec_fd(IPCS_EV_PIPE, 100, 10, 0xa0, 4, -1, 0,
				      rec_pipe(0xf3, 88, O_WRONLY, 1));
	struct ipcs_ev_proc fork = rec_fork(200, 10, 11, 0xa0, 0xb0, 0);
	struct ipcs_ev_fd open = rec_fd(IPCS_EV_OPEN, 250, 11, 0xb0, 5, -1, 0,
					rec_reg(0xf4, 99, O_RDWR, 1));
	struct ipcs_ev_data *w = rec_data(IPCS_EV_WRITE, 300, 11, 0xb0, 4, 5,
					  rec_pipe(0xf3, 88, O_WRONLY, 2),
					  "hello", 5);
	struct ipcs_ev_proc ex = rec_exit(400, 11, 0xb0, 0);
	struct recording_tick tick = { 500, 6, 0 };
	struct recording_title title = { 1, 0, 600 };
	struct recording_end end = { .now = 700, .events = 6, .records = 6,
				     .exit_status = 0 };
	uint32_t found = 1, pid = 10;
	uint64_t ts = 450;

	put(r, RECORDING_META, &meta, sizeof(meta), "fast-data", 10);
	put(r, RECORDING_SNAP, &t, sizeof(t), NULL, 0);
	put(r, RECORDING_SNAP, &sfd, sizeof(sfd), NULL, 0);
	put(r, RECORDING_SINK_OPEN, &ts, sizeof(ts), NULL, 0);
	put_event(r, &p0, sizeof(p0));
	put_event(r, &p1, sizeof(p1));
	put_event(r, &fork, sizeof(fork));
	put_event(r, &open, sizeof(open));
	put(r, RECORDING_RESOLVE, &found, sizeof(found), "/tmp/log", 8);
	put_event(r, w, w->h.size);
	put_event(r, &ex, sizeof(ex));
	put(r, RECORDING_RESYNC_BEGIN, &pid, sizeof(pid), NULL, 0);
	put(r, RECORDING_SNAP, &t, sizeof(t), NULL, 0);
	put(r, RECORDING_RESYNC_END, &pid, sizeof(pid), NULL, 0);
	sfd.f.imode = S_IFIFO | 0600;
	put(r, RECORDING_FD_STATE, &ts, sizeof(ts), &sfd, sizeof(sfd));
	put(r, RECORDING_TICK, &tick, sizeof(tick), NULL, 0);
	put(r, RECORDING_TITLE, &title, sizeof(title), "pipe\0a pipe", 12);
	put(r, RECORDING_ENDED, "the command ended", 18, NULL, 0);
	put(r, RECORDING_END, &end, sizeof(end), NULL, 0);
	valid_records++;	/* the closing record */
	free(w);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	unsigned char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	struct recording_header h;
	struct recording *r;
	char path[96];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ipcscope-replay-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/valid.rec", dir);
	recording_header_init(&h);
	h.mode = OUT_JSON;
	snprintf(h.command, sizeof(h.command), "ipcscope --json");
	if (recording_create(&r, path, &h))
		return -1;
	write_records(r);
	if (recording_close(r))
		return -1;
	valid = slurp(path, &valid_len);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	free(valid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* --- replaying a buffer ---------------------------------------------------- */

struct played {
	int rc;			/* -2 refused at open, -1 damaged, 0 whole */
	size_t records;
	size_t notes;
	char json[16384];
	char why[192];
};

static void note_json(void *ctx, const struct model_note *n)
{
	struct json *j = ctx;

	report_note_json(j, n, 1000);
}

/* Replays buf as --replay would: each record checked, then to a model
 * whose notes are written as JSON lines. */
static void play(const void *buf, size_t len, struct played *out)
{
	int fd = memfd_create("rec", MFD_CLOEXEC);
	struct recording_reader *r;
	struct recording_header h;
	struct recording_rec rec;
	struct model m;
	struct json j;
	FILE *js;

	memset(out, 0, sizeof(*out));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	if (recording_open_fd(&r, fd, &h, out->why, sizeof(out->why))) {
		out->rc = -2;
		return;
	}
	js = fmemopen(out->json, sizeof(out->json) - 1, "w");
	assert_non_null(js);
	json_init(&j, js);
	model_init(&m);
	m.note = note_json;
	m.note_ctx = &j;
	m.resolve = recording_resolve;
	m.resolve_ctx = r;
	while ((out->rc = recording_next(r, &rec)) == 1) {
		out->records++;
		recording_apply(&m, &rec);
	}
	if (out->rc == 0)
		out->records++;
	snprintf(out->why, sizeof(out->why), "%s", recording_why(r));
	fclose(js);
	model_free(&m);
	recording_reader_close(r);
}

/* Recomputes every record's checksum, so that damage to a payload or a
 * type reaches the checks behind the checksum. */
static void recrc(unsigned char *buf, size_t len)
{
	size_t off = HDR;
	uint32_t h[3], crc;

	while (len - off >= REC_HDR) {
		memcpy(h, buf + off, sizeof(h));
		if (h[1] > len - off - REC_HDR)
			break;
		crc = recording_crc32(0, h, 8);
		crc = recording_crc32(crc, buf + off + REC_HDR, h[1]);
		memcpy(buf + off + 8, &crc, 4);
		off += REC_HDR + h[1];
	}
}

/* Where each record starts: up to max offsets. */
static size_t record_offsets(const unsigned char *buf, size_t len,
			     size_t *offs, size_t max)
{
	size_t off = HDR, n = 0;
	uint32_t h[3];

	while (len - off >= REC_HDR && n < max) {
		memcpy(h, buf + off, sizeof(h));
		offs[n++] = off;
		off += REC_HDR + h[1];
	}
	return n;
}

/* --- tests ------------------------------------------------------------------ */

static void test_valid_file_replays_whole(void **state)
{
	struct played *p = malloc(sizeof(*p));

	(void)state;
	play(valid, valid_len, p);
	assert_int_equal(p->rc, 0);
	/* the resolve record is taken by the open that asked for it */
	assert_int_equal(p->records, valid_records - 1);
	assert_non_null(strstr(p->json, "\"type\":\"pipe\""));
	assert_non_null(strstr(p->json, "\"type\":\"fork\""));
	assert_non_null(strstr(p->json, "\"object\":\"/tmp/log\""));
	assert_non_null(strstr(p->json, "\"type\":\"write\""));
	free(p);
}

static void refused(const void *buf, size_t len, const char *why)
{
	struct played *p = malloc(sizeof(*p));

	play(buf, len, p);
	assert_int_equal(p->rc, -2);
	assert_non_null(strstr(p->why, why));
	free(p);
}

static void test_header_checks(void **state)
{
	unsigned char *b = malloc(valid_len);
	struct recording_header *h = (void *)b;

	(void)state;
	memcpy(b, valid, valid_len);
	b[0] ^= 1;
	refused(b, valid_len, "wrong magic");
	memcpy(b, valid, valid_len);
	h->version = 2;
	refused(b, valid_len, "version 2");
	memcpy(b, valid, valid_len);
	h->command[3] ^= 0x20;
	refused(b, valid_len, "checksum");
	memcpy(b, valid, valid_len);
	h->layout ^= 1;
	h->crc = recording_crc32(0, h, offsetof(struct recording_header, crc));
	refused(b, valid_len, "layout");
	memcpy(b, valid, valid_len);
	h->mode = 99;
	h->crc = recording_crc32(0, h, offsetof(struct recording_header, crc));
	refused(b, valid_len, "bad options");
	refused(b, 0, "too short");
	refused(valid, HDR - 1, "too short");
	memset(b, 0, valid_len);
	refused(b, valid_len, "wrong magic");
	free(b);
}

static void test_not_regular_files(void **state)
{
	struct recording_reader *r;
	struct recording_header h;
	char why[192], fifo[96];

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* no writer: a blocking open would wait for ever */
	assert_int_equal(recording_open(&r, fifo, &h, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "not a regular file");
	assert_int_equal(recording_open(&r, dir, &h, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(recording_open(&r, "/dev/zero", &h, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(recording_open(&r, "/nonexistent/x", &h, why,
					sizeof(why)), -ENOENT);
}

static void test_writer_refuses_existing_and_links(void **state)
{
	struct recording_header h;
	struct recording *r;
	char path[96], link[96];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/valid.rec", dir);
	snprintf(link, sizeof(link), "%s/link.rec", dir);
	recording_header_init(&h);
	assert_int_equal(recording_create(&r, path, &h), -EEXIST);
	assert_int_equal(symlink("target.rec", link), 0);
	assert_true(recording_create(&r, link, &h) < 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	snprintf(link, sizeof(link), "%s/target.rec", dir);
	assert_int_equal(stat(link, &st), -1);	/* nothing made through it */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_cut_at_every_offset(void **state)
{
	struct played *p = malloc(sizeof(*p));

	(void)state;
	for (size_t n = 0; n < valid_len; n++) {
		play(valid, n, p);
		if (n < HDR) {
			assert_int_equal(p->rc, -2);
			continue;
		}
		assert_int_equal(p->rc, -1);
		assert_true(p->records < valid_records);
		assert_true(strstr(p->why, "cut short") ||
			    strstr(p->why, "without its closing record"));
	}
	free(p);
}

static void test_every_bit_flip_seen(void **state)
{
	unsigned char *b = malloc(valid_len);
	struct played *p = malloc(sizeof(*p));

	(void)state;
	srand(14);
	for (int i = 0; i < 400; i++) {
		size_t bit = (size_t)rand() % (valid_len * 8);

		memcpy(b, valid, valid_len);
		b[bit / 8] ^= 1u << (bit % 8);
		play(b, valid_len, p);
		/* a checksum sees every single-bit error */
		assert_true(p->rc < 0);
	}
	free(p);
	free(b);
}

static void test_absurd_lengths(void **state)
{
	static const uint32_t lens[] = { 0xffffffffU, 0x80000000U,
					 RECORDING_MAX_LEN + 1, 1 << 20 };
	unsigned char *b = malloc(valid_len);
	struct played *p = malloc(sizeof(*p));
	size_t offs[64], n = record_offsets(valid, valid_len, offs, 64);

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (size_t k = 0; k < n; k += 3) {
			memcpy(b, valid, valid_len);
			memcpy(b + offs[k] + 4, &lens[i], 4);
			play(b, valid_len, p);
			assert_int_equal(p->rc, -1);
			/* all before it (the resolve record, 8th, is the
			 * open's and not counted) */
			assert_int_equal(p->records, k - (k > 8));
			assert_non_null(strstr(p->why, "absurd record length"));
		}
	}
	free(p);
	free(b);
}

/* One damaged variant of the valid file, made by kind % 6. */
static size_t mutate(unsigned char *b, int kind)
{
	size_t offs[64], n = record_offsets(valid, valid_len, offs, 64);
	size_t len = valid_len, a, c, alen;

	memcpy(b, valid, valid_len);
	switch (kind % 6) {
	case 0:	/* payload bytes rewritten, under valid checksums */
		for (int k = 0; k < 1 + rand() % 8; k++)
			b[HDR + rand() % (valid_len - HDR)] = rand();
		recrc(b, len);
		break;
	case 1:	/* a record's type changed */
		a = offs[rand() % n];
		b[a] = rand() % (RECORDING__COUNT + 2);
		recrc(b, len);
		break;
	case 2:	/* a record's length changed, checksums redone */
		a = offs[1 + rand() % (n - 1)];
		b[a + 4] = rand();
		recrc(b, len);
		break;
	case 3:	/* two records swapped (whole, valid each) */
		a = 1 + rand() % (n - 3);
		c = a + 1;
		alen = offs[c] - offs[a];
		memcpy(b + offs[a], valid + offs[c], offs[c + 1] - offs[c]);
		memcpy(b + offs[a] + (offs[c + 1] - offs[c]), valid + offs[a],
		       alen);
		break;
	case 4:	/* records duplicated in place of the closing one */
		a = 1 + rand() % (n - 2);
		alen = offs[n - 1] - offs[a];
		memcpy(b + offs[n - 1], valid + offs[a], alen);
		memcpy(b + offs[n - 1] + alen, valid + offs[n - 1], REC_HDR);
		len = offs[n - 1] + alen + REC_HDR;
		break;
	default:	/* payload rewritten, then cut */
		b[HDR + rand() % (valid_len - HDR)] ^= 0xff;
		recrc(b, len);
		len = HDR + rand() % (valid_len - HDR);
		break;
	}
	return len;
}

static void test_damaged_corpus(void **state)
{
	unsigned char *b = malloc(valid_len * 2);
	struct played *p = malloc(sizeof(*p));
	int seen[3] = { 0 };

	(void)state;
	srand(1414);
	for (int i = 0; i < 240; i++) {
		size_t len = mutate(b, i);

		play(b, len, p);
		assert_true(p->rc >= -2 && p->rc <= 0);
		assert_true(p->records <= 4 * valid_records);
		seen[-p->rc]++;
	}
	/* the corpus reaches the model whole, the checks, and the header */
	assert_true(seen[0] > 0);
	assert_true(seen[1] > 0);
	free(p);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_file_replays_whole),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_not_regular_files),
		cmocka_unit_test(test_writer_refuses_existing_and_links),
		cmocka_unit_test(test_cut_at_every_offset),
		cmocka_unit_test(test_every_bit_flip_seen),
		cmocka_unit_test(test_absurd_lengths),
		cmocka_unit_test(test_damaged_corpus),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
