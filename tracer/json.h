/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small JSON writer on a stdio stream: objects, arrays, keys and values,
 * commas placed for the caller. Strings are escaped for JSON and, like
 * everything from traced programs, for terminals (see escape.h).
 * Text is gathered in the writer's own buffer and handed to the stream in
 * one piece whenever a top-level value is complete (and when the buffer
 * fills): a stdio call per field cost most of --json's time.
 */
#ifndef IPCSCOPE_JSON_H
#define IPCSCOPE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16
#define JSON_BUF_LEN 4096

struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* no member written yet at this depth */
	bool after_key;
	size_t len;			/* bytes in buf not yet in out */
	char buf[JSON_BUF_LEN];
};

void json_init(struct json *j, FILE *out);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
/* Keys are string literals: the compiler makes their quoted form and, with
 * strspn folded, tells whether they need escaping (ours never do). */
#define JSON_PLAIN_CHARS                                                       \
	" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`"      \
	"abcdefghijklmnopqrstuvwxyz{|}~"
#define json_key(j, key)                                                       \
	json_key_quoted(j, "\"" key "\":", sizeof(key) + 2,                     \
			__builtin_strspn(key, JSON_PLAIN_CHARS) == sizeof(key) - 1)
void json_key_quoted(struct json *j, const char *quoted, size_t len,
		     bool plain);
/* A string of at most len bytes (stops at NUL), escaped. */
void json_string_n(struct json *j, const void *s, size_t len);
void json_string(struct json *j, const char *s);
/* Bytes that may hold NULs (payloads), escaped the same way. */
void json_bytes(struct json *j, const void *data, size_t len);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
/* Ends a top-level value with a newline (JSON lines). */
void json_newline(struct json *j);
/* Hands what is buffered to the stream (complete values already are). */
void json_flush(struct json *j);

/* Shorthands for one member. */
#define json_kv_str(j, key, s) (json_key(j, key), json_string(j, s))
#define json_kv_u64(j, key, v) (json_key(j, key), json_u64(j, v))
#define json_kv_i64(j, key, v) (json_key(j, key), json_i64(j, v))
#define json_kv_bool(j, key, v) (json_key(j, key), json_bool(j, v))

#endif /* IPCSCOPE_JSON_H */
