// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON writer; see json.h. One thread writes: the unlocked stdio calls
 * save a lock per character, which matters at a million events a second. */
#include <inttypes.h>

#include "escape.h"
#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* A comma before every member but the first, none after a key. */
static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		putc_unlocked(',', j->out);
	j->first[j->depth] = false;
}

static void open(struct json *j, char c)
{
	sep(j);
	putc_unlocked(c, j->out);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	putc_unlocked(c, j->out);
	if (j->depth > 0)
		j->depth--;
}

void json_begin_object(struct json *j)
{
	open(j, '{');
}

void json_end_object(struct json *j)
{
	close_(j, '}');
}

void json_begin_array(struct json *j)
{
	open(j, '[');
}

void json_end_array(struct json *j)
{
	close_(j, ']');
}

/* The decoded string is exactly escape_text()'s form: a consumer that
 * prints it cannot be handed a control byte either. */
static void put_escaped(FILE *out, const unsigned char *s, size_t len,
			bool stop_at_nul)
{
	static const char hex[] = "0123456789abcdef";

	putc_unlocked('"', out);
	for (size_t i = 0; i < len && (s[i] || !stop_at_nul);) {
		size_t n = escape_utf8_len(s + i, len - i);

		if (s[i] == '"') {
			fputs_unlocked("\\\"", out);
			i++;
		} else if (s[i] == '\\') {
			fputs_unlocked("\\\\\\\\", out);
			i++;
		} else if (n) {
			fwrite_unlocked(s + i, 1, n, out);
			i += n;
		} else {
			fputs_unlocked("\\\\x", out);
			putc_unlocked(hex[s[i] >> 4], out);
			putc_unlocked(hex[s[i] & 15], out);
			i++;
		}
	}
	putc_unlocked('"', out);
}

void json_key(struct json *j, const char *key)
{
	sep(j);
	put_escaped(j->out, (const unsigned char *)key, SIZE_MAX, true);
	putc_unlocked(':', j->out);
	j->after_key = true;
}

void json_string_n(struct json *j, const void *s, size_t len)
{
	sep(j);
	put_escaped(j->out, s, len, true);
}

void json_bytes(struct json *j, const void *data, size_t len)
{
	sep(j);
	put_escaped(j->out, data, len, false);
}

void json_string(struct json *j, const char *s)
{
	json_string_n(j, s, SIZE_MAX);
}

/* Digits without printf's format parsing. */
static void put_u64(FILE *out, uint64_t v)
{
	char buf[20];
	int n = sizeof(buf);

	do {
		buf[--n] = '0' + v % 10;
		v /= 10;
	} while (v);
	fwrite_unlocked(buf + n, 1, sizeof(buf) - n, out);
}

void json_u64(struct json *j, uint64_t v)
{
	sep(j);
	put_u64(j->out, v);
}

void json_i64(struct json *j, int64_t v)
{
	sep(j);
	if (v < 0) {
		putc_unlocked('-', j->out);
		put_u64(j->out, -(uint64_t)v);
	} else {
		put_u64(j->out, v);
	}
}

void json_bool(struct json *j, bool v)
{
	sep(j);
	fputs_unlocked(v ? "true" : "false", j->out);
}

void json_newline(struct json *j)
{
	putc_unlocked('\n', j->out);
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_i64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_i64(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
