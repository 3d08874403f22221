/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Optional kernel features: one table of what each gives the user, the
 * program or switch it lives in and how it is probed; which are on for this
 * run and, for each that is off, why. Only the core (processes, fd tables,
 * pipes) is required: a feature the kernel lacks or refuses is switched off
 * and the rest loads. IPCSCOPE_REFUSE=NAME[,NAME] treats features as
 * refused, so that every degradation can be tested on any kernel.
 */
#ifndef IPCSCOPE_KERNEL_FEATURES_H
#define IPCSCOPE_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum feature_id {
	FEAT_FAST_DATA,
	FEAT_MAPS,
	FEAT_SIGNALS,
	FEAT_SOCKETS,
	FEAT_SYSV,
	FEAT_POSIX_MQ,
	FEAT_MMAP,
	FEAT_CLOSE_RANGE,
	FEAT_WAITS,
	FEAT__COUNT
};

#define FEATURE_WHY_LEN 200

struct features {
	bool on[FEAT__COUNT];
	char why[FEAT__COUNT][FEATURE_WHY_LEN];	/* for those off */
};

/* What the kernel offers, as probed; the loader answers from its BTF. */
typedef bool (*feature_has_fn)(void *ctx, const char *btf_name);

/* All on, then those named in refuse (IPCSCOPE_REFUSE's value, may be
 * NULL) off. Returns -EINVAL, having printed one line, for a name that is
 * no feature. */
int features_init(struct features *f, const char *refuse);
/* Switches off what the kernel does not have. */
void features_probe(struct features *f, feature_has_fn has, void *ctx);

const char *features_name(enum feature_id id);
/* IPCS_FEAT_* bits of the features on, for the programs' read-only data. */
uint32_t features_mask(const struct features *f);
/* Whether the program named prog is to be loaded: programs that belong to
 * no feature always are; tp_btf_sys_exit (portable) only when fast-data is
 * off. */
bool features_autoload(const struct features *f, const char *prog);

/* The kernel refused program prog (why: the verifier's telling line).
 * Switches off the feature that owns it, or, for a core program, the
 * features whose code it holds; true when that leaves something to try
 * again, false when prog is core as it stands. */
bool features_refused(struct features *f, const char *prog, const char *why);

/* From what libbpf said while loading (its warnings, in order): the
 * program the kernel refused last and the verifier's telling line about
 * it (the last line of its log that is not a statistic). False when no
 * program was refused (a map, say, failed instead). */
bool features_parse_refusal(const char *log, char *prog, size_t prog_len,
			    char *why, size_t why_len);

/* -v: "ipcscope: feature NAME: on" or "off (REASON)", one line each. */
void features_print(const struct features *f, FILE *out);
/* --help: each feature's name and what it gives, a line each. */
void features_help(FILE *out);
/* The names of the features that are off, in table order: how many. */
size_t features_off(const struct features *f, const char **names, size_t max);
/* The same as "name, name" (empty when all are on). */
void features_off_text(const struct features *f, char *buf, size_t len);

#endif /* IPCSCOPE_KERNEL_FEATURES_H */
