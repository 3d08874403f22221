/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for the record contract as user space checks it
 * (tracer/record.c): every kind named and sized from bpf/ipcscope.h, short
 * or mislabelled records refused, snapshot streams walked by their headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "record.h"

static const size_t kind_size[] = {
#define IPCS_X(name, str, rec) [IPCS_EV_##name] = sizeof(struct rec),
	IPCS_EVENT_KINDS(IPCS_X)
#undef IPCS_X
};

static void test_every_kind_has_a_name(void **state)
{
	(void)state;
	for (unsigned k = 0; k < IPCS_EV__COUNT; k++) {
		const char *name = record_kind_name(k);

		assert_non_null(name);
		assert_string_not_equal(name, "unknown");
		for (unsigned j = 0; j < k; j++)
			assert_string_not_equal(name, record_kind_name(j));
	}
	assert_string_equal(record_kind_name(IPCS_EV__COUNT), "unknown");
	assert_string_equal(record_kind_name(IPCS_EV_MUNMAP), "munmap");
	assert_string_equal(record_syscall_name(IPCS_SC_SENDMMSG), "sendmmsg");
	assert_string_equal(record_syscall_name(IPCS_SC__COUNT), "unknown");
}

static void test_event_needs_its_kinds_record(void **state)
{
	static _Alignas(8) unsigned char buf[4096];
	struct ipcs_hdr *h = (struct ipcs_hdr *)buf;

	(void)state;
	for (unsigned k = 0; k < IPCS_EV__COUNT; k++) {
		memset(buf, 0, sizeof(buf));
		h->kind = k;
		h->size = kind_size[k];
		assert_true(record_event_ok(buf, kind_size[k]));
		/* a data record may carry payload beyond its struct */
		assert_true(record_event_ok(buf, kind_size[k] + 8));
		h->size = kind_size[k] - 8;
		assert_false(record_event_ok(buf, kind_size[k]));
		h->size = kind_size[k];
		assert_false(record_event_ok(buf, kind_size[k] - 8));
	}
	h->kind = IPCS_EV__COUNT;
	h->size = sizeof(*h);
	assert_false(record_event_ok(buf, sizeof(buf)));
	assert_false(record_event_ok(buf, sizeof(*h) - 1));
}

static void test_snap_record_is_its_kind(void **state)
{
	struct ipcs_snap_task t = { .h = { IPCS_SNAP_TASK, sizeof(t), 7 } };
	struct ipcs_snap_fd f = { .h = { IPCS_SNAP_FD, sizeof(f), 7 } };

	(void)state;
	assert_true(record_snap_ok(&t, sizeof(t), IPCS_SNAP_TASK));
	assert_false(record_snap_ok(&t, sizeof(t), IPCS_SNAP_FD));
	assert_false(record_snap_ok(&t, sizeof(t) - 4, IPCS_SNAP_TASK));
	assert_true(record_snap_ok(&f, sizeof(f), IPCS_SNAP_FD));
	f.h.size = sizeof(t);
	assert_false(record_snap_ok(&f, sizeof(f), IPCS_SNAP_FD));
}

static int count_pids(void *ctx, const void *rec, size_t size)
{
	const struct ipcs_snap_hdr *h = rec;

	assert_int_equal(h->size, size);
	*(uint64_t *)ctx = *(uint64_t *)ctx * 10 + h->pid;
	return 0;
}

static void test_snap_stream_walks_headers(void **state)
{
	struct {
		struct ipcs_snap_task a;
		struct ipcs_snap_fd b;
	} s = {
		.a = { .h = { IPCS_SNAP_TASK, sizeof(s.a), 1 } },
		.b = { .h = { IPCS_SNAP_FD, sizeof(s.b), 2 } },
	};
	uint64_t seen = 0;

	(void)state;
	assert_int_equal(record_snap_each((char *)&s, sizeof(s), count_pids,
					  &seen), 0);
	assert_int_equal(seen, 12);
	/* a header claiming more than the stream holds */
	s.b.h.size = sizeof(s.b) + 8;
	seen = 0;
	assert_int_equal(record_snap_each((char *)&s, sizeof(s), count_pids,
					  &seen), -EPROTO);
	assert_int_equal(seen, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_has_a_name),
		cmocka_unit_test(test_event_needs_its_kinds_record),
		cmocka_unit_test(test_snap_record_is_its_kind),
		cmocka_unit_test(test_snap_stream_walks_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
