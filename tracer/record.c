/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The record contract, checked and named from the lists in bpf/ipcscope.h:
 * a new event or snapshot kind is declared there once and is known here.
 */
#include <errno.h>
#include <string.h>

#include "record.h"

static const char *const kind_names[] = {
#define IPCS_X(name, str, rec) [IPCS_EV_##name] = str,
	IPCS_EVENT_KINDS(IPCS_X)
#undef IPCS_X
};

static const unsigned short kind_sizes[] = {
#define IPCS_X(name, str, rec) [IPCS_EV_##name] = sizeof(struct rec),
	IPCS_EVENT_KINDS(IPCS_X)
#undef IPCS_X
};

static const char *const syscall_names[] = {
#define IPCS_X(name, str) [IPCS_SC_##name] = str,
	IPCS_DATA_SYSCALLS(IPCS_X)
#undef IPCS_X
};

const char *record_kind_name(unsigned kind)
{
	return kind < IPCS_EV__COUNT ? kind_names[kind] : "unknown";
}

const char *record_syscall_name(unsigned sc)
{
	return sc < IPCS_SC__COUNT ? syscall_names[sc] : "unknown";
}

bool record_event_ok(const void *rec, size_t size)
{
	const struct ipcs_hdr *h = rec;

	return size >= sizeof(*h) && h->size <= size &&
	       h->kind < IPCS_EV__COUNT && h->size >= kind_sizes[h->kind];
}

static size_t snap_size(enum ipcs_snap_kind kind)
{
	switch (kind) {
#define IPCS_X(name, val, rec)                                                 \
	case IPCS_SNAP_##name:                                                 \
		return sizeof(struct rec);
	IPCS_SNAP_KINDS(IPCS_X)
#undef IPCS_X
	}
	return 0;
}

bool record_snap_ok(const void *rec, size_t size, enum ipcs_snap_kind kind)
{
	const struct ipcs_snap_hdr *h = rec;
	size_t need = snap_size(kind);

	return need && size == need && h->kind == kind && h->size == need;
}

int record_snap_each(const char *buf, size_t len,
		     int (*fn)(void *ctx, const void *rec, size_t size),
		     void *ctx)
{
	size_t off = 0;

	while (len - off >= sizeof(struct ipcs_snap_hdr)) {
		struct ipcs_snap_hdr h;

		/* the iterator's buffer gives no alignment promise */
		memcpy(&h, buf + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > len - off)
			return -EPROTO;
		fn(ctx, buf + off, h.size);
		off += h.size;
	}
	return 0;
}
