/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small open-addressing hash map from a two-word key to a pointer, with
 * linear probing and backward-shift deletion (no tombstones). The model's
 * tables are keyed by pids, kernel addresses and (dev, inode) pairs.
 */
#ifndef IPCSCOPE_HMAP_H
#define IPCSCOPE_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	uint64_t a, b;
	void *val;		/* NULL: empty */
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap;		/* 0 or a power of two */
	size_t len;
};

void *hmap_get(const struct hmap *h, uint64_t a, uint64_t b);
/* Inserts or replaces; val must not be NULL. Returns 0 or -ENOMEM. */
int hmap_put(struct hmap *h, uint64_t a, uint64_t b, void *val);
/* Removes the key; returns its value or NULL. */
void *hmap_del(struct hmap *h, uint64_t a, uint64_t b);
void hmap_free(struct hmap *h);

/* for (size_t i = 0; i < h->cap; i++) if (h->slots[i].val) ... */
#define hmap_for_each(h, slot)                                                 \
	for (struct hmap_slot *slot = (h)->slots;                             \
	     (h)->slots && slot < (h)->slots + (h)->cap; slot++)              \
		if (slot->val)

#endif /* IPCSCOPE_HMAP_H */
