/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small JSON writer on a stdio stream: objects, arrays, keys and values,
 * commas placed for the caller. Strings are escaped for JSON and, like
 * everything from traced programs, for terminals (see escape.h).
 */
#ifndef IPCSCOPE_JSON_H
#define IPCSCOPE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* no member written yet at this depth */
	bool after_key;
};

void json_init(struct json *j, FILE *out);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
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

/* Shorthands for one member. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_i64(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

#endif /* IPCSCOPE_JSON_H */
