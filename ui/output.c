// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The traced command's output as lines for the OUTPUT pane (see output.h).
 * The bytes are untrusted: nothing here reaches the terminal unescaped.
 */
#include <string.h>

#include "escape.h"
#include "output.h"

size_t output_clean(char *out, size_t outlen, const void *raw, size_t len,
		    bool cut)
{
	const unsigned char *s = raw;
	char clean[OUTPUT_RAW + 16];
	size_t n = 0, o;

	if (len > OUTPUT_RAW)
		len = OUTPUT_RAW;
	for (size_t i = 0; i < len && n < OUTPUT_RAW; i++) {
		if (s[i] == 0x1b && i + 1 < len && s[i + 1] == '[') {
			/* CSI: parameters and intermediates, then a final
			 * byte in 0x40-0x7e; a cut one is dropped whole */
			size_t j = i + 2;

			while (j < len && s[j] >= 0x20 && s[j] <= 0x3f)
				j++;
			while (j < len && s[j] >= 0x20 && s[j] <= 0x2f)
				j++;
			if (j >= len || (s[j] >= 0x40 && s[j] <= 0x7e)) {
				i = j;
				continue;
			}
		}
		if (s[i] == '\t') {
			do
				clean[n++] = ' ';
			while (n % 8 && n < OUTPUT_RAW);
			continue;
		}
		clean[n++] = (char)s[i];
	}
	/* the escaper stops at a NUL byte: escape the pieces between */
	o = 0;
	for (size_t i = 0; i <= n && o + 1 < outlen;) {
		size_t end = i;

		while (end < n && clean[end])
			end++;
		o += escape_text(out + o, outlen - o, clean + i, end - i);
		if (end < n && o + 5 < outlen) {
			memcpy(out + o, "\\x00", 5);
			o += 4;
		}
		i = end + 1;
	}
	if (outlen)
		out[o < outlen ? o : outlen - 1] = '\0';
	if (cut && o + 3 < outlen) {
		memcpy(out + o, "...", 4);
		o += 3;
	}
	return o;
}

static void commit(struct view_output *o)
{
	output_clean(o->lines[o->count % OUTPUT_LINES], OUTPUT_TEXT,
		     o->partial, o->partial_len, o->partial_cut);
	o->count++;
	o->partial_len = 0;
	o->partial_cut = false;
}

void output_add(struct view_output *o, const void *buf, size_t len)
{
	const unsigned char *s = buf;

	o->bytes += len;
	for (size_t i = 0; i < len; i++) {
		if (o->cr) {
			o->cr = false;
			if (s[i] == '\n') {
				commit(o);
				continue;
			}
			/* a lone '\r': the line is written again */
			o->partial_len = 0;
			o->partial_cut = false;
		}
		if (s[i] == '\n') {
			commit(o);
		} else if (s[i] == '\r') {
			o->cr = true;
		} else if (o->partial_len < OUTPUT_RAW) {
			o->partial[o->partial_len++] = (char)s[i];
		} else {
			o->partial_cut = true;
		}
	}
}

const char *output_partial(const struct view_output *o, char *out,
			   size_t outlen)
{
	if (!outlen)
		return "";
	out[0] = '\0';
	if (o->partial_len)
		output_clean(out, outlen, o->partial, o->partial_len,
			     o->partial_cut);
	return out;
}
