// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The JSON writer and the JSON outputs: commas and nesting, string escaping
 * (a decoded JSON string is exactly escape_text()'s form), the keys of the
 * --json lines the contract promises, and the --snapshot document. Output
 * goes to an open_memstream() and is checked with a small JSON parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "escape.h"
#include "json.h"
#include "records.h"
#include "report.h"

/* --- a stream in memory --------------------------------------------------- */

struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
}

static const char *mem_text(struct mem *m)
{
	fflush(m->f);
	return m->buf;
}

static void mem_close(struct mem *m)
{
	if (m->f)
		fclose(m->f);
	free(m->buf);
	m->f = NULL;
	m->buf = NULL;
}

/* --- a small JSON parser, to check what was written ----------------------- */

static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the JSON string at s (at its opening quote) into out, NUL-
 * terminated; returns the byte count, or -1 when the string is not valid
 * JSON (raw control byte, bad escape, no closing quote). *end is set past
 * the closing quote. */
static long decode_string(const char *s, char *out, size_t outlen,
			  const char **end)
{
	size_t o = 0;

	if (*s++ != '"')
		return -1;
	for (;;) {
		unsigned char c = *s++;
		unsigned cp = 0;
		char tmp[4];
		size_t n = 1;

		if (c == '"')
			break;
		if (c < 0x20)
			return -1;
		tmp[0] = c;
		if (c == '\\') {
			switch (*s++) {
			case '"': tmp[0] = '"'; break;
			case '\\': tmp[0] = '\\'; break;
			case '/': tmp[0] = '/'; break;
			case 'b': tmp[0] = '\b'; break;
			case 'f': tmp[0] = '\f'; break;
			case 'n': tmp[0] = '\n'; break;
			case 'r': tmp[0] = '\r'; break;
			case 't': tmp[0] = '\t'; break;
			case 'u':
				for (int i = 0; i < 4; i++) {
					int v = hexval(*s++);

					if (v < 0)
						return -1;
					cp = cp << 4 | v;
				}
				if (cp < 0x80) {
					tmp[0] = cp;
				} else if (cp < 0x800) {
					tmp[0] = 0xc0 | cp >> 6;
					tmp[1] = 0x80 | (cp & 0x3f);
					n = 2;
				} else {
					tmp[0] = 0xe0 | cp >> 12;
					tmp[1] = 0x80 | ((cp >> 6) & 0x3f);
					tmp[2] = 0x80 | (cp & 0x3f);
					n = 3;
				}
				break;
			default:
				return -1;
			}
		}
		if (o + n >= outlen)
			return -1;
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = 0;
	if (end)
		*end = s;
	return o;
}

static const char *value(const char *s, int depth);

static const char *string(const char *s)
{
	char buf[4096];
	const char *end;

	return decode_string(s, buf, sizeof(buf), &end) < 0 ? NULL : end;
}

static const char *number(const char *s)
{
	const char *start;

	if (*s == '-')
		s++;
	start = s;
	while (*s >= '0' && *s <= '9')
		s++;
	if (s == start || (start[0] == '0' && s - start > 1))
		return NULL;
	return s;
}

static const char *members(const char *s, int depth, char close, bool keys)
{
	s = ws(s);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (keys) {
			s = string(ws(s));
			if (!s)
				return NULL;
			s = ws(s);
			if (*s++ != ':')
				return NULL;
		}
		s = value(s, depth + 1);
		if (!s)
			return NULL;
		s = ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *value(const char *s, int depth)
{
	if (depth > 64)
		return NULL;
	s = ws(s);
	switch (*s) {
	case '{':
		return members(s + 1, depth, '}', true);
	case '[':
		return members(s + 1, depth, ']', false);
	case '"':
		return string(s);
	case 't':
		return strncmp(s, "true", 4) ? NULL : s + 4;
	case 'f':
		return strncmp(s, "false", 5) ? NULL : s + 5;
	case 'n':
		return strncmp(s, "null", 4) ? NULL : s + 4;
	default:
		return number(s);
	}
}

/* One JSON value per line, nothing else. */
static bool json_lines_valid(const char *s)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		const char *e;

		if (!nl)
			return false;
		e = value(s, 0);
		if (s == nl || e != nl)
			return false;
		s = nl + 1;
	}
	return true;
}

/* The JSON string that json_string() writes for s, decoded. */
static void roundtrip(const char *s, size_t len, bool bytes, char *out,
		      size_t outlen)
{
	struct mem m;
	struct json j;
	const char *end;

	mem_open(&m);
	json_init(&j, m.f);
	if (bytes)
		json_bytes(&j, s, len);
	else
		json_string_n(&j, s, len);
	mem_text(&m);
	for (const char *p = m.buf; *p; p++)
		assert_true((unsigned char)*p >= 0x20);
	assert_true(decode_string(m.buf, out, outlen, &end) >= 0);
	assert_string_equal(end, "");
	mem_close(&m);
}

/* --- the writer ----------------------------------------------------------- */

static void test_object_members_and_commas(void **state)
{
	struct mem m;
	struct json j;

	(void)state;
	mem_open(&m);
	json_init(&j, m.f);
	json_begin_object(&j);
	json_kv_u64(&j, "a", 1);
	json_kv_str(&j, "b", "x");
	json_kv_bool(&j, "c", true);
	json_kv_i64(&j, "d", -5);
	json_end_object(&j);
	json_newline(&j);
	assert_string_equal(mem_text(&m),
			    "{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":-5}\n");
	mem_close(&m);
}

static void test_array_values_and_commas(void **state)
{
	struct mem m;
	struct json j;

	(void)state;
	mem_open(&m);
	json_init(&j, m.f);
	json_begin_array(&j);
	json_u64(&j, 1);
	json_string(&j, "two");
	json_bool(&j, false);
	json_i64(&j, -3);
	json_end_array(&j);
	assert_string_equal(mem_text(&m), "[1,\"two\",false,-3]");
	mem_close(&m);
}

static void test_nesting(void **state)
{
	struct mem m;
	struct json j;

	(void)state;
	mem_open(&m);
	json_init(&j, m.f);
	json_begin_object(&j);
	json_key(&j, "a");
	json_begin_array(&j);
	json_u64(&j, 1);
	json_begin_object(&j);
	json_key(&j, "b");
	json_begin_array(&j);
	json_end_array(&j);
	json_end_object(&j);
	json_begin_object(&j);
	json_end_object(&j);
	json_end_array(&j);
	json_key(&j, "c");
	json_begin_object(&j);
	json_key(&j, "d");
	json_begin_array(&j);
	json_begin_array(&j);
	json_end_array(&j);
	json_begin_array(&j);
	json_u64(&j, 2);
	json_end_array(&j);
	json_end_array(&j);
	json_end_object(&j);
	json_kv_u64(&j, "e", 3);
	json_end_object(&j);
	json_newline(&j);
	assert_string_equal(mem_text(&m),
			    "{\"a\":[1,{\"b\":[]},{}],\"c\":{\"d\":[[],[2]]},"
			    "\"e\":3}\n");
	assert_true(json_lines_valid(m.buf));
	mem_close(&m);
}

static void test_nesting_to_max_depth(void **state)
{
	struct mem m;
	struct json j;
	int levels = JSON_MAX_DEPTH - 1;

	(void)state;
	mem_open(&m);
	json_init(&j, m.f);
	for (int i = 0; i < levels; i++) {
		json_begin_array(&j);
		json_u64(&j, i);
	}
	for (int i = 0; i < levels; i++) {
		json_u64(&j, 99);
		json_end_array(&j);
	}
	json_newline(&j);
	assert_true(json_lines_valid(mem_text(&m)));
	mem_close(&m);
}

static void test_newline_starts_a_fresh_value(void **state)
{
	struct mem m;
	struct json j;

	(void)state;
	mem_open(&m);
	json_init(&j, m.f);
	json_begin_object(&j);
	json_kv_u64(&j, "a", 1);
	json_end_object(&j);
	json_newline(&j);
	json_begin_object(&j);
	json_kv_u64(&j, "b", 2);
	json_end_object(&j);
	json_newline(&j);
	assert_string_equal(mem_text(&m), "{\"a\":1}\n{\"b\":2}\n");
	mem_close(&m);
}

static void test_number_limits(void **state)
{
	struct mem m;
	struct json j;

	(void)state;
	mem_open(&m);
	json_init(&j, m.f);
	json_begin_array(&j);
	json_u64(&j, UINT64_MAX);
	json_i64(&j, INT64_MIN);
	json_i64(&j, 0);
	json_end_array(&j);
	assert_string_equal(mem_text(&m),
			    "[18446744073709551615,-9223372036854775808,0]");
	mem_close(&m);
}

/* --- strings -------------------------------------------------------------- */

static void test_string_escapes_quote_and_backslash(void **state)
{
	struct mem m;
	struct json j;

	(void)state;
	mem_open(&m);
	json_init(&j, m.f);
	json_string(&j, "a\"b\\c");
	/* the quote for JSON; the backslash for JSON and, doubled, for the
	 * terminal, as escape_text() writes it */
	assert_string_equal(mem_text(&m), "\"a\\\"b\\\\\\\\c\"");
	mem_close(&m);
}

static void test_string_decodes_to_escape_text_form(void **state)
{
	static const char *const inputs[] = {
		"plain",
		"quote \" and backslash \\ and slash /",
		"\x1b[2J\x1b]0;title\x07",
		"cr\rlf\ntab\tbs\bff\f",
		"\x01\x02\x1f\x7f",
		"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
		"\xc2\x9b" "31m",
		"\xe2\x80\xae" "txt.exe",
		"\xe2\x80\xa8",
		"\x80\xc0\x80\xed\xa0\x80\xff",
		"\xe6\x97",
		"\\x1b",
	};
	char want[1024], got[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		escape_text(want, sizeof(want), inputs[i], strlen(inputs[i]));
		roundtrip(inputs[i], strlen(inputs[i]), false, got,
			  sizeof(got));
		assert_string_equal(got, want);
	}
}

static void test_string_n_stops_at_len_and_nul(void **state)
{
	char got[64];

	(void)state;
	roundtrip("abcdef", 3, false, got, sizeof(got));
	assert_string_equal(got, "abc");
	roundtrip("ab\0cd", 5, false, got, sizeof(got));
	assert_string_equal(got, "ab");
	/* a character cut by len is escaped, not split */
	roundtrip("\xe6\x97\xa5", 2, false, got, sizeof(got));
	assert_string_equal(got, "\\xe6\\x97");
}

static void test_bytes_keep_embedded_nuls(void **state)
{
	char got[64];

	(void)state;
	roundtrip("a\0b\0", 4, true, got, sizeof(got));
	assert_string_equal(got, "a\\x00b\\x00");
	roundtrip("\0\0\0", 3, true, got, sizeof(got));
	assert_string_equal(got, "\\x00\\x00\\x00");
	roundtrip("hi\n", 3, true, got, sizeof(got));
	assert_string_equal(got, "hi\\x0a");
}

static void test_key_is_escaped(void **state)
{
	struct mem m;
	struct json j;

	(void)state;
	mem_open(&m);
	json_init(&j, m.f);
	json_begin_object(&j);
	json_kv_u64(&j, "a\"b", 1);
	json_end_object(&j);
	json_newline(&j);
	assert_string_equal(mem_text(&m), "{\"a\\\"b\":1}\n");
	assert_true(json_lines_valid(m.buf));
	mem_close(&m);
}

/* --- --json lines --------------------------------------------------------- */

#define P 100
#define C 101
#define TBL_P 0xffff888000a00000ULL
#define TBL_C 0xffff888000b00000ULL
#define RD 0xffff888001000100ULL
#define WR 0xffff888001000200ULL
#define PIPE_INO 4242

/* A model whose notes are written as JSON lines, as --json does. */
struct jfx {
	struct model m;
	struct mem out;
	struct json j;
	int64_t ts_offset;
};

static void on_note(void *ctx, const struct model_note *n)
{
	struct jfx *x = ctx;

	report_note_json(&x->j, n, x->ts_offset);
}

static int jfx_setup(void **state)
{
	struct jfx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	model_init(&x->m);
	x->m.note = on_note;
	x->m.note_ctx = x;
	x->out.f = open_memstream(&x->out.buf, &x->out.len);
	if (!x->out.f) {
		free(x);
		return -1;
	}
	json_init(&x->j, x->out.f);
	*state = x;
	return 0;
}

static int jfx_teardown(void **state)
{
	struct jfx *x = *state;

	mem_close(&x->out);
	model_free(&x->m);
	free(x);
	return 0;
}

static void apply(struct jfx *x, const void *rec, size_t size)
{
	assert_int_equal(model_apply(&x->m, rec, size), 0);
}

static void apply_fd(struct jfx *x, unsigned kind, uint32_t pid, uint64_t files,
		     int fd, int oldfd, struct ipcs_file_info f)
{
	struct ipcs_ev_fd e = rec_fd(kind, 1000, pid, files, fd, oldfd, 0, f);

	apply(x, &e, sizeof(e));
}

static void start_with_pipe(struct jfx *x)
{
	struct ipcs_snap_task t = rec_snap_task(P, 1, 1, TBL_P);

	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	apply_fd(x, IPCS_EV_PIPE, P, TBL_P, 3, -1,
		 rec_pipe(RD, PIPE_INO, O_RDONLY, 1));
	apply_fd(x, IPCS_EV_PIPE, P, TBL_P, 4, -1,
		 rec_pipe(WR, PIPE_INO, O_WRONLY, 1));
}

/* Line n (from 0) of the output, in a static buffer. */
static const char *line(struct jfx *x, int n)
{
	static char buf[4096];
	const char *s = mem_text(&x->out), *nl;

	assert_non_null(s);
	assert_true(json_lines_valid(s));
	while (n-- > 0) {
		s = strchr(s, '\n');
		assert_non_null(s);
		s++;
	}
	nl = strchr(s, '\n');
	assert_non_null(nl);
	assert_true((size_t)(nl - s) < sizeof(buf));
	memcpy(buf, s, nl - s);
	buf[nl - s] = 0;
	return buf;
}

/* noinline: inlined, gcc 12 wrongly sees a NULL reach fail_msg's %s */
static __attribute__((noinline)) void assert_has(const char *s,
						 const char *part)
{
	if (!strstr(s, part))
		fail_msg("%s\n  does not contain  %s", s, part);
}

static __attribute__((noinline)) void assert_lacks(const char *s,
						   const char *part)
{
	if (strstr(s, part))
		fail_msg("%s\n  contains  %s", s, part);
}

static void test_pipe_note_has_contract_keys(void **state)
{
	struct jfx *x = *state;
	const char *l;

	start_with_pipe(x);
	l = line(x, 0);
	assert_has(l, "\"ts\":1000,");
	assert_has(l, "\"type\":\"pipe\"");
	assert_has(l, "\"pid\":100,");
	assert_has(l, "\"tid\":100,");
	assert_has(l, "\"comm\":\"p100\"");
	assert_has(l, "\"fd\":3,");
	assert_has(l, "\"file\":\"f1\"");
	assert_has(l, "\"object\":\"pipe:[4242]\"");
	assert_has(l, "\"refs\":1");
	assert_has(l, "\"mode\":\"r\"");
	assert_lacks(l, "oldfd");
	l = line(x, 1);
	assert_has(l, "\"fd\":4,");
	assert_has(l, "\"file\":\"f2\"");
	assert_has(l, "\"mode\":\"w\"");
}

static void test_dup_note_adds_oldfd(void **state)
{
	struct jfx *x = *state;
	const char *l;

	start_with_pipe(x);
	apply_fd(x, IPCS_EV_DUP, P, TBL_P, 7, 4,
		 rec_pipe(WR, PIPE_INO, O_WRONLY, 2));
	l = line(x, 2);
	assert_has(l, "\"type\":\"dup\"");
	assert_has(l, "\"fd\":7,");
	assert_has(l, "\"oldfd\":4");
	assert_has(l, "\"file\":\"f2\"");
	assert_has(l, "\"refs\":2");
}

static void test_close_note_keys(void **state)
{
	struct jfx *x = *state;
	const char *l;

	start_with_pipe(x);
	apply_fd(x, IPCS_EV_CLOSE, P, TBL_P, 3, -1,
		 rec_pipe(RD, PIPE_INO, O_RDONLY, 0));
	l = line(x, 2);
	assert_has(l, "\"type\":\"close\"");
	assert_has(l, "\"fd\":3,");
	assert_has(l, "\"file\":\"f1\"");
	assert_has(l, "\"object\":\"pipe:[4242]\"");
	assert_has(l, "\"refs\":0");
}

static void write_12(struct jfx *x, const char *payload, size_t plen)
{
	struct ipcs_file_info f = rec_pipe(WR, PIPE_INO, O_WRONLY, 0);
	struct ipcs_ev_data *e;

	f.pipe_buffered = 12;
	e = rec_data(IPCS_EV_WRITE, 2000, P, TBL_P, 4, 12, f, payload, plen);
	apply(x, e, e->h.size);
	free(e);
}

static void test_write_note_keys(void **state)
{
	struct jfx *x = *state;
	const char *l;

	start_with_pipe(x);
	write_12(x, NULL, 0);
	l = line(x, 2);
	assert_has(l, "\"ts\":2000,");
	assert_has(l, "\"type\":\"write\"");
	assert_has(l, "\"pid\":100,");
	assert_has(l, "\"tid\":100,");
	assert_has(l, "\"comm\":\"p100\"");
	assert_has(l, "\"fd\":4,");
	assert_has(l, "\"file\":\"f2\"");
	assert_has(l, "\"object\":\"pipe:[4242]\"");
	assert_has(l, "\"bytes\":12");
	assert_has(l, "\"syscall\":\"write\"");
	assert_has(l, "\"buffered\":12");
	assert_lacks(l, "\"data\"");
}

/* Regression: write and read lines had no "refs", though DESIGN.md's
 * contract says every fd-related --json line has fd, file, object and refs
 * and the note carries it. Found by this test; fixed in report.c. */
static void test_write_note_has_refs(void **state)
{
	struct jfx *x = *state;

	start_with_pipe(x);
	write_12(x, NULL, 0);
	assert_has(line(x, 2), "\"refs\":1");
}

static void test_write_note_payload_as_data(void **state)
{
	struct jfx *x = *state;

	start_with_pipe(x);
	write_12(x, "Hi\x1b\0Pipe", 8);
	assert_has(line(x, 2), "\"data\":\"Hi\\\\x1b\\\\x00Pipe\"");
}

static void test_note_ts_offset_added(void **state)
{
	struct jfx *x = *state;

	x->ts_offset = 1700000000000000000LL;
	start_with_pipe(x);
	assert_has(line(x, 0), "\"ts\":1700000000000001000,");
}

static void test_note_hostile_comm_escaped(void **state)
{
	struct jfx *x = *state;
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_PIPE, 1000, P, TBL_P, 3, -1, 0,
				     rec_pipe(RD, PIPE_INO, O_RDONLY, 1));

	/* all 16 bytes used, no NUL */
	memcpy(e.h.comm, "\x1b]0;pwned\x07\"\\abcd", IPCS_COMM_LEN);
	apply(x, &e, sizeof(e));
	assert_has(line(x, 0),
		   "\"comm\":\"\\\\x1b]0;pwned\\\\x07\\\"\\\\\\\\abcd\",");
}

static void test_process_notes(void **state)
{
	struct jfx *x = *state;
	struct ipcs_ev_proc f = rec_fork(2000, P, C, TBL_P, TBL_C, 0);
	struct ipcs_ev_proc e = rec_exec(3000, C, TBL_C, "/usr/bin/wc");
	struct ipcs_ev_proc q = rec_exit(4000, C, TBL_C, 3);

	start_with_pipe(x);
	apply(x, &f, sizeof(f));
	apply(x, &e, sizeof(e));
	apply(x, &q, sizeof(q));
	assert_has(line(x, 2), "\"type\":\"fork\"");
	assert_has(line(x, 2), "\"child\":101");
	assert_has(line(x, 3), "\"type\":\"exec\"");
	assert_has(line(x, 3), "\"pid\":101,");
	assert_has(line(x, 3), "\"filename\":\"/usr/bin/wc\"");
	assert_has(line(x, 4), "\"type\":\"exit\"");
	assert_has(line(x, 4), "\"code\":3");
}

/* A record that ends where a PROT_NONE page begins: reading one byte past
 * it faults, with or without sanitizers. */
static void *record_at_page_end(const void *rec, size_t size, void **map,
				size_t *maplen)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	*maplen = 2 * page;
	p = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + page, page, PROT_NONE);
	*map = p;
	memcpy(p + page - size, rec, size);
	return p + page - size;
}

static void note_to_null(void *ctx, const struct model_note *n)
{
	report_note_json(ctx, n, 0);
}

/* Applies rec from the end of a page and writes its notes as JSON. */
static void json_of_record_at_page_end(const void *rec, size_t size)
{
	FILE *devnull = fopen("/dev/null", "w");
	struct model m;
	struct json j;
	void *map, *r;
	size_t maplen;

	r = record_at_page_end(rec, size, &map, &maplen);
	if (!devnull || !r)
		_exit(2);
	json_init(&j, devnull);
	model_init(&m);
	m.note = note_to_null;
	m.note_ctx = &j;
	model_apply(&m, r, size);
	model_free(&m);
	munmap(map, maplen);
	fclose(devnull);
}

static void exec_filename_unterminated(void)
{
	struct ipcs_ev_proc e = rec_exec(1000, P, TBL_P, "");

	memset(e.filename, 'A', sizeof(e.filename));
	json_of_record_at_page_end(&e, sizeof(e));
}

/* Regression: report_note_json() wrote an exec's filename with the
 * unbounded json_kv_str(), so a record whose 256-byte filename (its last
 * field) has no NUL was read past its end (here into a PROT_NONE page).
 * The BPF side NUL-terminates; a corrupt or replayed record need not.
 * Found by this test; report.c now uses json_string_n(..., IPCS_PATH_LEN). */
static void test_exec_note_unterminated_filename_stays_in_record(void **state)
{
	(void)state;
	assert_true(rec_survives(exec_filename_unterminated));
}

static void mkfifo_path_unterminated(void)
{
	struct ipcs_file_info fifo = { .imode = S_IFIFO };
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_MKFIFO, 1000, P, 0, -1, -1, 0,
				     fifo);

	memset(e.path, 'A', sizeof(e.path));
	json_of_record_at_page_end(&e, sizeof(e));
}

/* Regression: the same for mkfifo's path (n.filename = e->path, the last
 * field of struct ipcs_ev_fd). */
static void test_mkfifo_note_unterminated_path_stays_in_record(void **state)
{
	(void)state;
	assert_true(rec_survives(mkfifo_path_unterminated));
}

/* --- --snapshot JSON ------------------------------------------------------ */

static char *snapshot_json(struct model *m)
{
	struct mem out;

	mem_open(&out);
	report_snapshot_json(out.f, m, NULL);
	fclose(out.f);
	return out.buf;
}

static void test_snapshot_json_valid_and_complete(void **state)
{
	struct jfx *x = *state;
	struct ipcs_ev_proc f = rec_fork(2000, P, C, TBL_P, TBL_C, 0);
	char *s;

	start_with_pipe(x);
	apply(x, &f, sizeof(f));
	s = snapshot_json(&x->m);
	assert_non_null(s);
	assert_true(json_lines_valid(s));
	assert_int_equal(strchr(s, '\n')[1], '\0');	/* one document */
	assert_has(s, "\"processes\":[");
	assert_has(s, "\"files\":[");
	assert_has(s, "\"objects\":[");
	assert_has(s, "{\"pid\":100,\"ppid\":1,\"comm\":\"p100\"");
	assert_has(s, "{\"pid\":101,\"ppid\":100,");
	assert_has(s, "{\"fd\":3,\"file\":\"f1\",\"cloexec\":false}");
	assert_has(s, "{\"fd\":4,\"file\":\"f2\",\"cloexec\":false}");
	assert_has(s, "{\"id\":\"f1\",\"object\":\"pipe:[4242]\",\"refs\":2,"
		      "\"slots\":2,");
	assert_has(s, "\"flags\":\"r\"");
	assert_has(s, "\"flags\":\"w\"");
	assert_has(s, "{\"name\":\"pipe:[4242]\",\"kind\":\"pipe\","
		      "\"ino\":4242,");
	assert_has(s, "\"capacity\":65536");
	free(s);
}

static void test_snapshot_json_leaves_out_exited(void **state)
{
	struct jfx *x = *state;
	struct ipcs_ev_proc f = rec_fork(2000, P, C, TBL_P, TBL_C, 0);
	struct ipcs_ev_proc q = rec_exit(3000, C, TBL_C, 0);
	char *s;

	x->m.exited_keep_ns = 1000000;
	start_with_pipe(x);
	apply(x, &f, sizeof(f));
	apply(x, &q, sizeof(q));
	s = snapshot_json(&x->m);
	assert_true(json_lines_valid(s));
	assert_lacks(s, "\"pid\":101");
	assert_has(s, "\"refs\":1,\"slots\":1,");
	free(s);
}

static void test_snapshot_json_of_empty_model(void **state)
{
	struct jfx *x = *state;
	char *s = snapshot_json(&x->m);

	assert_string_equal(s,
			    "{\"processes\":[],\"files\":[],\"objects\":[]}\n");
	free(s);
}

static void test_snapshot_json_escapes_names(void **state)
{
	struct jfx *x = *state;
	struct ipcs_snap_task t = rec_snap_task(P, 1, 1, TBL_P);
	struct ipcs_snap_fd f = rec_snap_fd(P, TBL_P, 3, 0,
					    rec_reg(0xffff888001000300ULL, 10,
						    O_RDONLY, 1),
					    "/tmp/\x1b[31m\"red\"\\");
	char *s;

	memcpy(t.comm, "\x1b[2J", 5);
	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	assert_int_equal(model_apply_snap(&x->m, &f, sizeof(f)), 0);
	s = snapshot_json(&x->m);
	assert_true(json_lines_valid(s));
	assert_has(s, "\"comm\":\"\\\\x1b[2J\"");
	assert_has(s, "\"name\":\"/tmp/\\\\x1b[31m\\\"red\\\"\\\\\\\\\"");
	assert_null(strchr(s, '\x1b'));
	free(s);
}

/* --- POSIX queues, munmap, shmdt, mappings and IPv6 in JSON ------------------- */

#define MQF 0xffff888001000500ULL
#define MAPF 0xffff888001000300ULL
#define MAP_AT 0x7f0000000000ULL

static void start_with_mq(struct jfx *x)
{
	struct ipcs_snap_task t = rec_snap_task(P, 1, 1, TBL_P);
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_MQ_OPEN, 1000, P, TBL_P, 3, -1,
				     IPCS_FD_CLOEXEC,
				     rec_mq(MQF, 77, O_RDWR, 1, 0, 4, 0));

	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	rec_str(e.name, sizeof(e.name), "q\x1b[2J");	/* anybody's name */
	apply(x, &e, sizeof(e));
}

static void test_mq_open_and_data_keys(void **state)
{
	struct jfx *x = *state;
	struct ipcs_ev_data *e;
	const char *l;

	start_with_mq(x);
	l = line(x, 0);
	assert_has(l, "\"type\":\"mq_open\"");
	assert_has(l, "\"fd\":3,\"file\":\"f1\",\"object\":\"/q\\\\x1b[2J\","
		      "\"kind\":\"mq\",\"refs\":1,\"mode\":\"rw\",\"cloexec\":true,"
		      "\"curmsgs\":0,\"maxmsg\":4,\"msgsize\":64,\"qsize\":0}");
	e = rec_data(IPCS_EV_WRITE, 2000, P, TBL_P, 3, 5,
		     rec_mq(MQF, 77, 0, 0, 1, 4, 5), NULL, 0);
	e->syscall = IPCS_SC_MQ_TIMEDSEND;
	apply(x, e, e->h.size);
	free(e);
	l = line(x, 1);
	assert_has(l, "\"type\":\"write\"");
	assert_has(l, "\"bytes\":5,\"syscall\":\"mq_timedsend\",\"curmsgs\":1,"
		      "\"maxmsg\":4,\"msgsize\":64,\"qsize\":5");
	assert_lacks(l, "buffered");
	assert_null(strchr(mem_text(&x->out), '\x1b'));
}

static void test_mq_unlink_keys(void **state)
{
	struct jfx *x = *state;
	struct ipcs_ev_fd e = rec_fd(IPCS_EV_MQ_UNLINK, 3000, P, 0, -1, -1, 0,
				     (struct ipcs_file_info){ 0 });

	start_with_mq(x);
	rec_str(e.path, sizeof(e.path), "q\x1b[2J");
	apply(x, &e, sizeof(e));
	assert_string_equal(line(x, 1),
			    "{\"ts\":3000,\"type\":\"mq_unlink\",\"pid\":100,"
			    "\"tid\":100,\"comm\":\"p100\",\"path\":\"/q\\\\x1b[2J\","
			    "\"object\":\"/q\\\\x1b[2J (deleted)\"}");
}

static void test_munmap_keys(void **state)
{
	struct jfx *x = *state;
	struct ipcs_snap_task t = rec_snap_task(P, 1, 1, TBL_P);
	struct ipcs_ev_fd o = rec_fd(IPCS_EV_OPEN, 1000, P, TBL_P, 3, -1, 0,
				     rec_reg(MAPF, 10, O_RDWR, 1));
	struct ipcs_ev_fd mm = rec_mmap(2000, P, TBL_P, 3, MAP_AT, 8192,
					rec_reg(MAPF, 10, O_RDWR, 2));
	struct ipcs_ev_munmap um = rec_munmap(3000, P, MAP_AT, 8192);

	rec_str(o.path, sizeof(o.path), "/tmp/m");
	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	apply(x, &o, sizeof(o));
	apply(x, &mm, sizeof(mm));
	apply(x, &um, sizeof(um));
	assert_string_equal(line(x, 2),
			    "{\"ts\":3000,\"type\":\"munmap\",\"pid\":100,"
			    "\"tid\":100,\"comm\":\"p100\",\"file\":\"f1\","
			    "\"object\":\"/tmp/m\",\"kind\":\"file\",\"refs\":1,"
			    "\"bytes\":8192,\"addr\":139637976727552}");
}

static void test_shmdt_keys(void **state)
{
	struct jfx *x = *state;
	struct ipcs_snap_task t = rec_snap_task(P, 1, 1, TBL_P);
	struct ipcs_ev_ipc at = rec_ipc(IPCS_EV_SHMAT, 1000, P, 5, true, 1, 100);
	struct ipcs_ev_ipc dt = rec_ipc(IPCS_EV_SHMDT, 2000, P, 5, true, 0, 100);
	struct ipcs_ev_ipc gone = rec_ipc(IPCS_EV_SHMDT, 3000, P, 5, false, 0, 0);

	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	at.addr = dt.addr = gone.addr = MAP_AT;
	apply(x, &at, sizeof(at));
	apply(x, &dt, sizeof(dt));
	assert_has(line(x, 1), "\"type\":\"shmdt\",\"pid\":100,\"tid\":100,"
			       "\"comm\":\"p100\",\"object\":\"shm:[5]\",\"id\":5,"
			       "\"addr\":139637976727552,\"nattch\":0,"
			       "\"rmid_pending\":false}");
	apply(x, &at, sizeof(at));
	apply(x, &gone, sizeof(gone));
	assert_has(line(x, 3), "\"id\":5,\"addr\":139637976727552,\"nattch\":0,"
			       "\"destroyed\":true}");
}

static void test_snapshot_json_maps_mq_and_ipv6(void **state)
{
	struct jfx *x = *state;
	struct ipcs_snap_task t = rec_snap_task(P, 1, 1, TBL_P);
	struct ipcs_snap_vma v = rec_snap_vma(P, MAP_AT, MAP_AT + 8192, -1, 0,
					      rec_reg(MAPF, 10, O_RDWR, 1),
					      "/tmp/m");
	struct ipcs_snap_vma sv = rec_snap_vma(P, MAP_AT + 8192, MAP_AT + 12288,
					       5, 2, rec_reg(0x1, 5, O_RDWR, 2),
					       "/SYSV00000000 (deleted)");
	struct ipcs_snap_fd q = rec_snap_fd(P, TBL_P, 3, 0,
					    rec_mq(MQF, 77, O_RDWR, 1, 2, 4, 9),
					    "/q");
	struct ipcs_snap_fd s1 = rec_snap_fd(P, TBL_P, 4, 0,
					     rec_inet(0x2, 501, AF_INET6, "::1",
						      40000, "::1", 8080),
					     "socket:[501]");
	struct ipcs_snap_fd s2 = rec_snap_fd(P, TBL_P, 5, 0,
					     rec_inet(0x3, 502, AF_INET6, "::1",
						      8080, "::1", 40000),
					     "socket:[502]");
	char *s;

	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	assert_int_equal(model_apply_snap(&x->m, &sv, sizeof(sv)), 0);
	assert_int_equal(model_apply_snap(&x->m, &v, sizeof(v)), 0);
	assert_int_equal(model_apply_snap(&x->m, &q, sizeof(q)), 0);
	assert_int_equal(model_apply_snap(&x->m, &s1, sizeof(s1)), 0);
	assert_int_equal(model_apply_snap(&x->m, &s2, sizeof(s2)), 0);
	s = snapshot_json(&x->m);
	assert_true(json_lines_valid(s));
	/* by address */
	assert_has(s, "\"maps\":[{\"addr\":139637976727552,\"len\":8192,"
		      "\"file\":\"f1\",\"object\":\"/tmp/m\"},"
		      "{\"addr\":139637976735744,\"len\":4096,"
		      "\"object\":\"shm:[5]\"}]");
	assert_has(s, "{\"id\":\"f1\",\"object\":\"/tmp/m\",\"refs\":1,"
		      "\"slots\":0,\"maps\":1,");
	assert_has(s, "{\"name\":\"/q\",\"kind\":\"mq\",\"ino\":77,\"curmsgs\":2,"
		      "\"maxmsg\":4,\"msgsize\":64,\"qsize\":9}");
	assert_has(s, "{\"name\":\"shm:[5]\",\"kind\":\"shm\",\"id\":5,\"key\":0,"
		      "\"bytes\":4096,\"nattch\":2}");
	assert_has(s, "{\"name\":\"socket:[501]\",\"kind\":\"socket\",\"ino\":501,"
		      "\"address\":\"[::1]:40000\",\"remote\":\"[::1]:8080\","
		      "\"peer\":\"socket:[502]\"}");
	assert_has(s, "{\"name\":\"socket:[502]\",\"kind\":\"socket\",\"ino\":502,"
		      "\"address\":\"[::1]:8080\",\"remote\":\"[::1]:40000\","
		      "\"peer\":\"socket:[501]\"}");
	free(s);
}

static void test_snapshot_text_maps_and_ipv6(void **state)
{
	struct jfx *x = *state;
	struct ipcs_snap_task t = rec_snap_task(P, 1, 1, TBL_P);
	struct ipcs_snap_vma v = rec_snap_vma(P, MAP_AT, MAP_AT + 8192, -1, 0,
					      rec_reg(MAPF, 10, O_RDWR, 1),
					      "/tmp/\x1b[31mm");
	struct ipcs_snap_fd s1 = rec_snap_fd(P, TBL_P, 4, 0,
					     rec_inet(0x2, 501, AF_INET6, "::1",
						      40000, "::1", 8080),
					     "socket:[501]");
	struct mem out;

	assert_int_equal(model_apply_snap(&x->m, &t, sizeof(t)), 0);
	assert_int_equal(model_apply_snap(&x->m, &v, sizeof(v)), 0);
	assert_int_equal(model_apply_snap(&x->m, &s1, sizeof(s1)), 0);
	mem_open(&out);
	report_snapshot_text(out.f, &x->m, NULL);
	assert_has(mem_text(&out), "    map 0x7f0000000000 8192     f1    "
				   "/tmp/\\x1b[31mm\n");
	assert_has(mem_text(&out), "  f1    refs 1   fds 0   pos 0        rw"
				   "             /tmp/\\x1b[31mm  (mapped 1)\n");
	assert_has(mem_text(&out), "  socket socket:[501]  [::1]:40000 -> "
				   "[::1]:8080\n");
	assert_null(strchr(mem_text(&out), '\x1b'));
	mem_close(&out);
}

#define J(fn) cmocka_unit_test_setup_teardown(fn, jfx_setup, jfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_members_and_commas),
		cmocka_unit_test(test_array_values_and_commas),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_nesting_to_max_depth),
		cmocka_unit_test(test_newline_starts_a_fresh_value),
		cmocka_unit_test(test_number_limits),
		cmocka_unit_test(test_string_escapes_quote_and_backslash),
		cmocka_unit_test(test_string_decodes_to_escape_text_form),
		cmocka_unit_test(test_string_n_stops_at_len_and_nul),
		cmocka_unit_test(test_bytes_keep_embedded_nuls),
		cmocka_unit_test(test_key_is_escaped),
		J(test_pipe_note_has_contract_keys),
		J(test_dup_note_adds_oldfd),
		J(test_close_note_keys),
		J(test_write_note_keys),
		J(test_write_note_has_refs),
		J(test_write_note_payload_as_data),
		J(test_note_ts_offset_added),
		J(test_note_hostile_comm_escaped),
		J(test_process_notes),
		J(test_exec_note_unterminated_filename_stays_in_record),
		J(test_mkfifo_note_unterminated_path_stays_in_record),
		J(test_snapshot_json_valid_and_complete),
		J(test_snapshot_json_leaves_out_exited),
		J(test_snapshot_json_of_empty_model),
		J(test_snapshot_json_escapes_names),
		J(test_mq_open_and_data_keys),
		J(test_mq_unlink_keys),
		J(test_munmap_keys),
		J(test_shmdt_keys),
		J(test_snapshot_json_maps_mq_and_ipv6),
		J(test_snapshot_text_maps_and_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
