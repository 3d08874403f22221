// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON writer; see json.h. At a million events a second every byte counts:
 * text goes into the writer's buffer with memcpy, plain runs of a string
 * are copied whole, and numbers are formatted two digits at a time. */
#include <string.h>

#include "escape.h"
#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
	j->len = 0;
}

void json_flush(struct json *j)
{
	if (j->len)
		fwrite_unlocked(j->buf, 1, j->len, j->out);
	j->len = 0;
}

/* Room for n more bytes; n must be at most JSON_BUF_LEN. */
static inline char *room(struct json *j, size_t n)
{
	if (JSON_BUF_LEN - j->len < n)
		json_flush(j);
	return j->buf + j->len;
}

static inline void put_c(struct json *j, char c)
{
	*room(j, 1) = c;
	j->len++;
}

/* Short copies without a call: two overlapping moves, never reading past
 * the source (it may end a page). */
static inline void copy(char *d, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t c, e;

	if (n >= 8 && n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&c, s, 4);
		memcpy(&e, s + n - 4, 4);
		memcpy(d, &c, 4);
		memcpy(d + n - 4, &e, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(d, s, n);
	}
}

static void put(struct json *j, const void *s, size_t n)
{
	if (n > JSON_BUF_LEN - j->len) {
		json_flush(j);
		if (n > JSON_BUF_LEN) {
			fwrite_unlocked(s, 1, n, j->out);
			return;
		}
	}
	copy(j->buf + j->len, s, n);
	j->len += n;
}

/* A value is done: at the top level it goes to the stream. */
static inline void done(struct json *j)
{
	if (j->depth == 0)
		json_flush(j);
}

/* A comma before every member but the first, none after a key. */
static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		put_c(j, ',');
	j->first[j->depth] = false;
}

static void open(struct json *j, char c)
{
	sep(j);
	put_c(j, c);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	put_c(j, c);
	if (j->depth > 0)
		j->depth--;
	done(j);
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

/* Bytes that stand for themselves in a string: printable ASCII but the
 * quote and the backslash. */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
};

/* The decoded string is exactly escape_text()'s form: a consumer that
 * prints it cannot be handed a control byte either. */
static void put_escaped(struct json *j, const unsigned char *s, size_t len,
			bool stop_at_nul)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	put_c(j, '"');
	while (i < len) {
		size_t k = i, n;
		char *o;

		while (k < len && plain[s[k]])
			k++;
		if (k > i) {
			put(j, s + i, k - i);
			i = k;
			if (i >= len)
				break;
		}
		if (!s[i] && stop_at_nul)
			break;
		o = room(j, 5);
		if (s[i] == '"') {
			memcpy(o, "\\\"", 2);
			j->len += 2;
			i++;
		} else if (s[i] == '\\') {
			memcpy(o, "\\\\\\\\", 4);
			j->len += 4;
			i++;
		} else if ((n = escape_utf8_len(s + i, len - i))) {
			memcpy(o, s + i, n);
			j->len += n;
			i += n;
		} else {
			o[0] = '\\';
			o[1] = '\\';
			o[2] = 'x';
			o[3] = hex[s[i] >> 4];
			o[4] = hex[s[i] & 15];
			j->len += 5;
			i++;
		}
	}
	put_c(j, '"');
}

/* quoted is "key": as the compiler made it */
void json_key_quoted(struct json *j, const char *quoted, size_t len,
		     bool plain)
{
	sep(j);
	if (plain) {
		put(j, quoted, len);
	} else {
		put_escaped(j, (const unsigned char *)quoted + 1, len - 3, true);
		put_c(j, ':');
	}
	j->after_key = true;
}

void json_string_n(struct json *j, const void *s, size_t len)
{
	sep(j);
	put_escaped(j, s, len, true);
	done(j);
}

void json_bytes(struct json *j, const void *data, size_t len)
{
	sep(j);
	put_escaped(j, data, len, false);
	done(j);
}

void json_string(struct json *j, const char *s)
{
	json_string_n(j, s, SIZE_MAX);
}

/* Digits without printf's format parsing, two at a time, in place. */
static void put_u64(struct json *j, uint64_t v)
{
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	static const uint64_t p10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL,
		100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL,
	};
	char *o = room(j, 20);
	/* the digit count from the bit length: log10(2) ~ 1233 / 4096 */
	unsigned t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;
	size_t n = t + (v >= p10[t]);

	n += !n;
	j->len += n;
	while (v >= 100) {
		unsigned d = v % 100;

		v /= 100;
		n -= 2;
		o[n] = pairs[2 * d];
		o[n + 1] = pairs[2 * d + 1];
	}
	if (v >= 10) {
		o[0] = pairs[2 * v];
		o[1] = pairs[2 * v + 1];
	} else {
		o[0] = '0' + v;
	}
}

void json_u64(struct json *j, uint64_t v)
{
	sep(j);
	put_u64(j, v);
	done(j);
}

void json_i64(struct json *j, int64_t v)
{
	sep(j);
	if (v < 0) {
		put_c(j, '-');
		put_u64(j, -(uint64_t)v);
	} else {
		put_u64(j, v);
	}
	done(j);
}

void json_bool(struct json *j, bool v)
{
	sep(j);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
	done(j);
}

void json_newline(struct json *j)
{
	put_c(j, '\n');
	json_flush(j);
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}
