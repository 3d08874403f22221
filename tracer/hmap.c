// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Open-addressing hash map; see hmap.h. */
#include <errno.h>
#include <stdlib.h>

#include "hmap.h"

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static size_t find(const struct hmap *h, uint64_t a, uint64_t b)
{
	size_t i = mix(a, b) & (h->cap - 1);

	while (h->slots[i].val && (h->slots[i].a != a || h->slots[i].b != b))
		i = (i + 1) & (h->cap - 1);
	return i;
}

void *hmap_get(const struct hmap *h, uint64_t a, uint64_t b)
{
	if (!h->cap)
		return NULL;
	return h->slots[find(h, a, b)].val;
}

static int grow(struct hmap *h)
{
	struct hmap bigger = { .cap = h->cap ? h->cap * 2 : 16 };

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < h->cap; i++) {
		if (h->slots[i].val)
			bigger.slots[find(&bigger, h->slots[i].a, h->slots[i].b)] =
				h->slots[i];
	}
	bigger.len = h->len;
	free(h->slots);
	*h = bigger;
	return 0;
}

int hmap_put(struct hmap *h, uint64_t a, uint64_t b, void *val)
{
	size_t i;

	if ((h->len + 1) * 4 > h->cap * 3 && grow(h))
		return -ENOMEM;
	i = find(h, a, b);
	if (!h->slots[i].val)
		h->len++;
	h->slots[i] = (struct hmap_slot){ a, b, val };
	return 0;
}

void *hmap_del(struct hmap *h, uint64_t a, uint64_t b)
{
	size_t i, j, home;
	void *val;

	if (!h->cap)
		return NULL;
	i = find(h, a, b);
	val = h->slots[i].val;
	if (!val)
		return NULL;
	h->len--;
	/* shift later members of the probe run back into the hole */
	for (j = (i + 1) & (h->cap - 1); h->slots[j].val;
	     j = (j + 1) & (h->cap - 1)) {
		home = mix(h->slots[j].a, h->slots[j].b) & (h->cap - 1);
		if (((j - home) & (h->cap - 1)) >= ((j - i) & (h->cap - 1))) {
			h->slots[i] = h->slots[j];
			i = j;
		}
	}
	h->slots[i].val = NULL;
	return val;
}

void hmap_free(struct hmap *h)
{
	free(h->slots);
	h->slots = NULL;
	h->cap = h->len = 0;
}
