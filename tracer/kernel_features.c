// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The table of optional kernel features and the decisions about them; see
 * features.h. Knows the programs by name, not the skeleton. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel_features.h"
#include "ipcscope.h"

/* The exit program: one of two variants, each holding the code of the
 * switched features below. */
#define EXIT_PORTABLE "tp_btf_sys_exit"
#define EXIT_DIRECT "tp_btf_sys_exit_direct"

static const struct feature_def {
	const char *name;
	const char *gives;	/* what the user has with it */
	uint32_t bit;		/* IPCS_FEAT_* */
	const char *prog;	/* a program of its own, or NULL */
	const char *in[3];	/* programs holding its switched code */
	const char *probe;	/* a BTF name the kernel must have, or NULL */
	const char *since;	/* the first kernel with it */
} defs[FEAT__COUNT] = {
	[FEAT_FAST_DATA] = { "fast-data",
		"plain loads on the data path (cheaper per call)",
		IPCS_FEAT_FAST_DATA, EXIT_DIRECT, { NULL },
		"bpf_rdonly_cast", "Linux 6.2" },
	[FEAT_MAPS] = { "maps", "shared mappings in snapshots",
		IPCS_FEAT_MAPS, "iter_task_vma", { NULL },
		"bpf_iter_task_vma", "Linux 5.12" },
	[FEAT_SIGNALS] = { "signals", "signals sent and received",
		IPCS_FEAT_SIGNALS, "tp_btf_signal_generate", { NULL },
		"btf_trace_signal_generate", "Linux 5.5" },
	[FEAT_SOCKETS] = { "sockets",
		"socket calls, addresses, data and fds passed (SCM_RIGHTS)",
		IPCS_FEAT_SOCKETS, NULL, { EXIT_PORTABLE, EXIT_DIRECT },
		NULL, NULL },
	[FEAT_SYSV] = { "sysv",
		"SysV message queues, shared memory and semaphores",
		IPCS_FEAT_SYSV, NULL,
		{ EXIT_PORTABLE, EXIT_DIRECT, "tp_btf_sys_enter" },
		NULL, NULL },
	[FEAT_POSIX_MQ] = { "posix-mq", "POSIX message queues",
		IPCS_FEAT_POSIX_MQ, NULL, { EXIT_PORTABLE, EXIT_DIRECT },
		NULL, NULL },
	[FEAT_MMAP] = { "mmap", "shared mappings made and unmade as events",
		IPCS_FEAT_MMAP, NULL, { EXIT_PORTABLE, EXIT_DIRECT },
		NULL, NULL },
	[FEAT_CLOSE_RANGE] = { "close-range", "close_range, fd by fd",
		IPCS_FEAT_CLOSE_RANGE, NULL, { "tp_btf_sys_enter" },
		"bpf_loop", "Linux 5.17" },
	[FEAT_WAITS] = { "waits", "what a sleeping process waits for",
		IPCS_FEAT_WAITS, NULL, { "iter_task" },
		"bpf_task_pt_regs", "Linux 5.15" },
};

const char *features_name(enum feature_id id)
{
	return id < FEAT__COUNT ? defs[id].name : "?";
}

static void set_off(struct features *f, int i, const char *fmt, const char *a,
		    const char *b)
{
	f->on[i] = false;
	snprintf(f->why[i], sizeof(f->why[i]), fmt, a, b);
}

int features_init(struct features *f, const char *refuse)
{
	const char *p = refuse;

	for (int i = 0; i < FEAT__COUNT; i++) {
		f->on[i] = true;
		f->why[i][0] = 0;
	}
	while (p && *p) {
		size_t n = strcspn(p, ",");
		int i;

		for (i = 0; i < FEAT__COUNT; i++)
			if (strlen(defs[i].name) == n &&
			    !strncmp(defs[i].name, p, n))
				break;
		if (n && i == FEAT__COUNT) {
			char names[256] = "";

			for (int j = 0; j < FEAT__COUNT; j++) {
				if (j)
					strcat(names, ", ");
				strcat(names, defs[j].name);
			}
			fprintf(stderr, "ipcscope: IPCSCOPE_REFUSE: no feature "
				"named '%.*s'; the features are: %s\n",
				(int)(n > 64 ? 64 : n), p, names);
			return -EINVAL;
		}
		if (n)
			set_off(f, i, "refused by IPCSCOPE_REFUSE%s%s", "", "");
		p += n + (p[n] == ',');
	}
	return 0;
}

void features_probe(struct features *f, feature_has_fn has, void *ctx)
{
	for (int i = 0; i < FEAT__COUNT; i++)
		if (f->on[i] && defs[i].probe && !has(ctx, defs[i].probe))
			set_off(f, i, "this kernel has no %s (%s+)",
				defs[i].probe, defs[i].since);
}

uint32_t features_mask(const struct features *f)
{
	uint32_t mask = 0;

	for (int i = 0; i < FEAT__COUNT; i++)
		if (f->on[i])
			mask |= defs[i].bit;
	return mask;
}

bool features_autoload(const struct features *f, const char *prog)
{
	if (!strcmp(prog, EXIT_PORTABLE))
		return !f->on[FEAT_FAST_DATA];
	for (int i = 0; i < FEAT__COUNT; i++)
		if (defs[i].prog && !strcmp(defs[i].prog, prog))
			return f->on[i];
	return true;
}

static bool holds(const struct feature_def *d, const char *prog)
{
	for (size_t j = 0; j < sizeof(d->in) / sizeof(d->in[0]); j++)
		if (d->in[j] && !strcmp(d->in[j], prog))
			return true;
	return false;
}

bool features_refused(struct features *f, const char *prog, const char *why)
{
	bool any = false;

	for (int i = 0; i < FEAT__COUNT; i++)
		if (f->on[i] && defs[i].prog && !strcmp(defs[i].prog, prog)) {
			set_off(f, i, "the kernel refused %s: %s", prog, why);
			return true;
		}
	/* a core program: without the switched code it may load */
	for (int i = 0; i < FEAT__COUNT; i++)
		if (f->on[i] && holds(&defs[i], prog)) {
			set_off(f, i, "the kernel refused %s with it: %s", prog,
				why);
			any = true;
		}
	return any;
}

void features_print(const struct features *f, FILE *out)
{
	for (int i = 0; i < FEAT__COUNT; i++)
		if (f->on[i])
			fprintf(out, "ipcscope: feature %s: on\n", defs[i].name);
		else
			fprintf(out, "ipcscope: feature %s: off (%s)\n",
				defs[i].name, f->why[i]);
}

void features_help(FILE *out)
{
	for (int i = 0; i < FEAT__COUNT; i++)
		fprintf(out, "  %-12s %s%s%s%s\n", defs[i].name, defs[i].gives,
			defs[i].since ? " (" : "",
			defs[i].since ? defs[i].since : "",
			defs[i].since ? "+)" : "");
}

size_t features_off(const struct features *f, const char **names, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < FEAT__COUNT; i++)
		if (!f->on[i] && n < max)
			names[n++] = defs[i].name;
	return n;
}

void features_off_text(const struct features *f, char *buf, size_t len)
{
	const char *names[FEAT__COUNT];
	size_t n = features_off(f, names, FEAT__COUNT), used = 0;

	if (len)
		buf[0] = 0;
	for (size_t i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 names[i]);
}

/* The program libbpf last said it failed to load, into prog; *at is
 * where it said so. */
static bool refused_prog(const char *log, char *prog, size_t len,
			 const char **at)
{
	const char *end = NULL, *p = log, *start;

	while ((p = strstr(p, "': failed to load")))
		end = p++;
	if (!end)
		return false;
	for (start = end; start > log && start[-1] != '\''; start--)
		;
	if (start == log || (size_t)(end - start) >= len)
		return false;
	memcpy(prog, start, end - start);
	prog[end - start] = 0;
	*at = start;
	return true;
}

static bool statistic(const char *line)
{
	return !strncmp(line, "processed ", 10) ||
	       !strncmp(line, "verification time", 17) ||
	       !strncmp(line, "stack depth", 11);
}

/* The verifier's telling line: the last line of the log that ends before
 * `before` which is not a statistic. Read backwards from the log's end,
 * as a long log may have lost its start. */
static void refusal_reason(const char *log, const char *before, char *why,
			   size_t len)
{
	static const char end_mark[] = "-- END PROG LOAD LOG --";
	const char *end = NULL, *p = log, *le;

	snprintf(why, len, "refused, with no verifier log; run with -v");
	while ((p = strstr(p, end_mark)) && p < before)
		end = p++;
	if (!end)
		return;
	for (le = end; le > log; ) {
		const char *line = le;

		while (line > log && line[-1] != '\n')
			line--;
		if (strstr(line, "-- BEGIN PROG LOAD LOG --") &&
		    strstr(line, "-- BEGIN PROG LOAD LOG --") < le)
			return;	/* the log's first line: nothing telling */
		if (le > line && !statistic(line)) {
			snprintf(why, len, "%.*s", (int)(le - line), line);
			return;
		}
		le = line > log ? line - 1 : log;	/* the newline before */
	}
}

bool features_parse_refusal(const char *log, char *prog, size_t prog_len,
			    char *why, size_t why_len)
{
	const char *at;

	if (!refused_prog(log, prog, prog_len, &at))
		return false;
	refusal_reason(log, at, why, why_len);
	return true;
}
