// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Escaping of untrusted text; see escape.h. */
#include <string.h>

#include "escape.h"

size_t escape_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	size_t len;

	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0xc2 || c > 0xf4)	/* controls, DEL, continuation, overlong */
		return 0;
	len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (n < len)
		return 0;
	cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp >= 0x80 && cp < 0xa0)	/* C1 controls, e.g. CSI */
		return 0;
	if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))	/* line breaks, bidi overrides */
		return 0;
	return len;
}

size_t escape_text(char *out, size_t outlen, const void *in, size_t inlen)
{
	const unsigned char *s = in;
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i = 0;

	if (!outlen)
		return 0;
	while (i < inlen && s[i]) {
		size_t len = escape_utf8_len(s + i, inlen - i);

		if (s[i] == '\\') {
			if (o + 2 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = '\\';
			i++;
		} else if (len) {
			if (o + len >= outlen)
				break;
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
			i++;
		}
	}
	out[o] = 0;
	return o;
}
