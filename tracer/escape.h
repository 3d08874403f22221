/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Escaping of untrusted text (process names, paths, payload bytes) before it
 * reaches a terminal or a JSON string: no byte from a traced program can
 * start an escape sequence on the user's screen.
 */
#ifndef IPCSCOPE_ESCAPE_H
#define IPCSCOPE_ESCAPE_H

#include <stddef.h>

/* Copies in[0..inlen) to out, replacing C0 and C1 controls, DEL and bytes
 * that are not valid UTF-8 by \xNN, and a backslash by \\. Stops at a NUL
 * byte. Always NUL-terminates (when outlen > 0) and never cuts an escape or
 * a character in half. Returns the length written. */
size_t escape_text(char *out, size_t outlen, const void *in, size_t inlen);

/* Length of the valid, printable UTF-8 sequence at s (1..4), or 0 when the
 * bytes there must be escaped. */
size_t escape_utf8_len(const unsigned char *s, size_t n);

#endif /* IPCSCOPE_ESCAPE_H */
