/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The traced command's output (stdout and stderr, through a pipe to us):
 * raw, untrusted bytes in chunks that need not end at a line, kept as a
 * bounded ring of recent lines already made safe for the screen.
 */
#ifndef IPCSCOPE_OUTPUT_H
#define IPCSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTPUT_LINES 64		/* recent lines kept */
#define OUTPUT_RAW 240		/* bytes kept of one line; the rest is cut */
#define OUTPUT_TEXT (OUTPUT_RAW * 4 + 8)	/* escaped, worst case */

struct view_output {
	char lines[OUTPUT_LINES][OUTPUT_TEXT];
	uint64_t count;		/* lines ever completed; newest at count-1 */
	uint64_t bytes;		/* bytes ever received */
	/* the line being received */
	char partial[OUTPUT_RAW];
	size_t partial_len;
	bool partial_cut;	/* longer than OUTPUT_RAW: the rest dropped */
	bool cr;		/* a '\r' ended the last chunk */
};

/* Appends a chunk: '\n' (or "\r\n") ends a line, a lone '\r' starts the
 * line again (progress bars), long lines are cut. */
void output_add(struct view_output *o, const void *buf, size_t len);
/* The line still being received, made safe, or "" when none. */
const char *output_partial(const struct view_output *o, char *out,
			   size_t outlen);
/* Raw line bytes -> screen text: escape sequences that only color or move
 * (CSI) are dropped, tabs become spaces, every other control byte and
 * invalid UTF-8 is escaped. */
size_t output_clean(char *out, size_t outlen, const void *raw, size_t len,
		    bool cut);

#endif /* IPCSCOPE_OUTPUT_H */
