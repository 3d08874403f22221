// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * escape_text(): what a traced program's bytes look like once they may
 * reach a terminal. Controls, invalid UTF-8 and bidi overrides become \xNN;
 * valid printable UTF-8 stays; truncation never cuts an escape or a
 * character in half.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "escape.h"

/* Escapes a NUL-terminated input into a roomy buffer and compares. */
static void check(const char *in, const char *want)
{
	char out[256];
	size_t n;

	memset(out, '#', sizeof(out));
	n = escape_text(out, sizeof(out), in, strlen(in));
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_plain_ascii_unchanged(void **state)
{
	(void)state;
	check("hello, world: 42 ~!@#$%^&*()[]{}\"'",
	      "hello, world: 42 ~!@#$%^&*()[]{}\"'");
	check("", "");
}

static void test_controls_escaped(void **state)
{
	(void)state;
	check("\x1b[31mred", "\\x1b[31mred");
	check("a\rb", "a\\x0db");
	check("bell\a", "bell\\x07");
	check("del\x7f", "del\\x7f");
	check("tab\tnl\n", "tab\\x09nl\\x0a");
	check("\x01\x1f", "\\x01\\x1f");
}

static void test_backslash_doubled(void **state)
{
	(void)state;
	check("a\\b", "a\\\\b");
	/* an escape already in the input stays distinguishable */
	check("\\x1b", "\\\\x1b");
}

static void test_valid_utf8_kept(void **state)
{
	(void)state;
	check("caf\xc3\xa9", "caf\xc3\xa9");			/* é */
	/* 日本 */
	check("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	check("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!");	/* U+1F600 */
	check("\xc2\xa0", "\xc2\xa0");				/* U+00A0 */
	check("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");		/* U+10FFFF */
}

static void test_lone_continuation_escaped(void **state)
{
	(void)state;
	check("a\x80z", "a\\x80z");
	check("\xbf", "\\xbf");
}

static void test_truncated_sequence_escaped(void **state)
{
	char out[64];

	(void)state;
	check("\xe6\x97z", "\\xe6\\x97z");
	check("\xf0\x9f\x98", "\\xf0\\x9f\\x98");
	/* the character is cut by inlen, not by a NUL */
	escape_text(out, sizeof(out), "\xe6\x97\xa5", 2);
	assert_string_equal(out, "\\xe6\\x97");
}

static void test_overlong_escaped(void **state)
{
	(void)state;
	check("\xc0\x80", "\\xc0\\x80");
	check("\xc1\xbf", "\\xc1\\xbf");
	check("\xe0\x80\x80", "\\xe0\\x80\\x80");
	check("\xf0\x80\x80\x80", "\\xf0\\x80\\x80\\x80");
}

static void test_surrogate_escaped(void **state)
{
	(void)state;
	check("\xed\xa0\x80", "\\xed\\xa0\\x80");
	check("\xed\xbf\xbf", "\\xed\\xbf\\xbf");
}

static void test_beyond_unicode_escaped(void **state)
{
	(void)state;
	check("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	check("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	check("\xff\xfe", "\\xff\\xfe");
}

static void test_c1_control_escaped(void **state)
{
	(void)state;
	check("\xc2\x9b" "31m", "\\xc2\\x9b31m");	/* U+009B CSI */
	check("\xc2\x80", "\\xc2\\x80");
	check("\xc2\x9f", "\\xc2\\x9f");
}

static void test_bidi_and_line_separators_escaped(void **state)
{
	(void)state;
	check("\xe2\x80\xae" "abc", "\\xe2\\x80\\xae" "abc");	/* U+202E RLO */
	check("\xe2\x80\xaa", "\\xe2\\x80\\xaa");		/* U+202A LRE */
	check("\xe2\x81\xa6", "\\xe2\\x81\\xa6");		/* U+2066 LRI */
	check("\xe2\x81\xa9", "\\xe2\\x81\\xa9");		/* U+2069 PDI */
	check("\xe2\x80\xa8", "\\xe2\\x80\\xa8");		/* U+2028 LS */
	/* neighbours are ordinary punctuation */
	check("\xe2\x80\xa6", "\xe2\x80\xa6");			/* U+2026 … */
}

static void test_stops_at_nul(void **state)
{
	char out[32];
	size_t n;

	(void)state;
	n = escape_text(out, sizeof(out), "ab\0\x1b" "cd", 6);
	assert_string_equal(out, "ab");
	assert_int_equal(n, 2);
	n = escape_text(out, sizeof(out), "\0abc", 4);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
}

static void test_outlen_zero_writes_nothing(void **state)
{
	char out[4] = "zzz";

	(void)state;
	assert_int_equal(escape_text(out, 0, "abc", 3), 0);
	assert_string_equal(out, "zzz");
}

/*
 * Truncation: for every outlen the output is the longest run of whole
 * units (a byte, an escape, a character) that fits with its NUL.
 */
static void test_truncation_keeps_units_whole(void **state)
{
	/* units: "a" "\x1b"->4 "é"->2 "\\"->2 "日"->3 "\x80"->4 "b" */
	static const char in[] = "a\x1b\xc3\xa9\\\xe6\x97\xa5\x80" "b";
	static const char full[] = "a\\x1b\xc3\xa9\\\\\xe6\x97\xa5\\x80b";
	static const size_t ends[] = { 0, 1, 5, 7, 9, 12, 16, 17 };
	char out[32];

	(void)state;
	for (size_t outlen = 1; outlen <= sizeof(full) + 2; outlen++) {
		size_t want = 0, n;

		for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++)
			if (ends[k] < outlen)
				want = ends[k];
		memset(out, '#', sizeof(out));
		n = escape_text(out, outlen, in, strlen(in));
		assert_int_equal(n, want);
		assert_int_equal(out[n], '\0');
		assert_memory_equal(out, full, n);
		/* nothing written past outlen */
		for (size_t i = outlen; i < sizeof(out); i++)
			assert_int_equal(out[i], '#');
	}
}

static void test_truncation_small_outlens(void **state)
{
	static const struct {
		const char *in;
		const char *want[9];	/* for outlen 0..8 */
	} cases[] = {
		{ "\x1b\x1b", { "", "", "", "", "", "\\x1b", "\\x1b", "\\x1b",
				"\\x1b" } },
		{ "\xf0\x9f\x98\x80x", { "", "", "", "", "", "\xf0\x9f\x98\x80",
					 "\xf0\x9f\x98\x80x",
					 "\xf0\x9f\x98\x80x",
					 "\xf0\x9f\x98\x80x" } },
		{ "\\\\", { "", "", "", "\\\\", "\\\\", "\\\\\\\\", "\\\\\\\\",
			    "\\\\\\\\", "\\\\\\\\" } },
	};
	char out[16];

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t outlen = 1; outlen <= 8; outlen++) {
			size_t n = escape_text(out, outlen, cases[c].in,
					       strlen(cases[c].in));

			assert_string_equal(out, cases[c].want[outlen]);
			assert_int_equal(n, strlen(cases[c].want[outlen]));
			assert_true(n < outlen);
		}
	}
}

static size_t u8len(const char *s, size_t n)
{
	return escape_utf8_len((const unsigned char *)s, n);
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(u8len("a", 1), 1);
	assert_int_equal(u8len("\xc3\xa9", 2), 2);
	assert_int_equal(u8len("\xe6\x97\xa5", 3), 3);
	assert_int_equal(u8len("\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(u8len("\xf0\x9f\x98\x80", 3), 0);	/* cut short */
	assert_int_equal(u8len("\x1b", 1), 0);
	assert_int_equal(u8len("\x7f", 1), 0);
	assert_int_equal(u8len("\xc2\x9b", 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ascii_unchanged),
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_backslash_doubled),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_lone_continuation_escaped),
		cmocka_unit_test(test_truncated_sequence_escaped),
		cmocka_unit_test(test_overlong_escaped),
		cmocka_unit_test(test_surrogate_escaped),
		cmocka_unit_test(test_beyond_unicode_escaped),
		cmocka_unit_test(test_c1_control_escaped),
		cmocka_unit_test(test_bidi_and_line_separators_escaped),
		cmocka_unit_test(test_stops_at_nul),
		cmocka_unit_test(test_outlen_zero_writes_nothing),
		cmocka_unit_test(test_truncation_keeps_units_whole),
		cmocka_unit_test(test_truncation_small_outlens),
		cmocka_unit_test(test_utf8_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
