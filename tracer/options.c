// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Command-line parsing, --help and --list-demos. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipcscope.h"
#include "kernel_features.h"
#include "options.h"

static const char usage[] =
"Usage: ipcscope [OPTIONS] [-- COMMAND [ARG...]]\n"
"\n"
"Live view of inter-process communication: processes, their fd tables, the\n"
"kernel's open-file entries (with reference counts and offsets) and the\n"
"pipes, FIFOs and files behind them, with data moving between processes.\n"
"\n"
"What to trace (default: every process on the system):\n"
"  -- COMMAND [ARG...]   run COMMAND, trace it and its descendants from its\n"
"                        first instruction; exit with its exit status (if\n"
"                        ipcscope ends first, it ends COMMAND's process group)\n"
"  -p, --pid PID         trace PID and its descendants (repeatable)\n"
"      --comm NAME       trace processes named NAME (at start and on exec)\n"
"      --demo NAME       run a bundled demo under the tracer (see --list-demos)\n"
"      --pace MS         with --demo: milliseconds per step (0 = full speed)\n"
"      --list-demos      list the bundled demos and exit\n"
"      --step            with -- COMMAND or --demo NAME, in the live view:\n"
"                        hold every process of it before each fd-table or\n"
"                        IPC syscall (read and write only on pipes, FIFOs,\n"
"                        sockets and queues), name the call, and let it run\n"
"                        on a key: n one call, c run freely, s hold again\n"
"\n"
"Output (default: the live view in the terminal):\n"
"      --json            one JSON object per event on stdout, then a summary\n"
"      --text            one line per event in plain words (time, pid, name,\n"
"                        what happened) on stdout, then a summary line; not\n"
"                        with --json, --snapshot or --top\n"
"      --snapshot        print the current graph and exit (text; with --json,\n"
"                        one JSON document)\n"
"      --top             like iftop, for IPC: every interval, a table of\n"
"                        channels (writer -> object -> reader, bytes/s,\n"
"                        calls/s, buffered bytes); with --json, one line each\n"
"      --interval SECS   with --top: seconds between tables (default 1)\n"
"      --payload N       with --json: include the first N bytes (<= 256) of\n"
"                        data moved through pipes, FIFOs, sockets, files\n"
"  -o, --output FILE     write JSON, text, the snapshot or --top to FILE, not\n"
"                        stdout (the traced command keeps stdout); a new FILE\n"
"                        is made 0600 and a symbolic link is refused\n"
"      --record FILE     also write every record the kernel sent and every\n"
"                        snapshot read, in order, to FILE (any mode), so the\n"
"                        run can be replayed; FILE must be new (made 0600,\n"
"                        never over a file or through a symbolic link)\n"
"      --replay FILE     tell a recorded run again: in the live view,\n"
"                        paused at its first event (n N c + - g G move in\n"
"                        time); with --json, --text, --top or --snapshot,\n"
"                        what the run printed; nothing is traced\n"
"      --ascii           draw with ASCII only\n"
"      --no-color        no colors (also when NO_COLOR is set)\n"
"\n"
"Other:\n"
"      --ring-size BYTES kernel ring buffer size (power of two, default 4 MiB)\n"
"  -v, --verbose         show libbpf's diagnostics and each optional kernel\n"
"                        feature, on or off and why\n"
"  -h, --help            show this help\n"
"  -V, --version         show the version\n"
"\n"
"Examples:\n"
"  sudo ipcscope --demo pipe           watch a pipe between parent and child\n"
"  sudo ipcscope -- ./server --port 8080\n"
"  sudo ipcscope --json -- sh -c 'echo hi | cat'\n"
"  sudo ipcscope --text -- sh -c 'echo hi | cat'\n"
"  sudo ipcscope --json -o trace.json --demo msgqueue --pace 0\n"
"  sudo ipcscope --json --payload 32 -p 1234\n"
"  sudo ipcscope --snapshot -p 1234    fds, shared entries and refs, now\n"
"  sudo ipcscope --snapshot --json     the whole system, as JSON\n"
"  sudo ipcscope --json --record run.rec -- make\n"
"  ipcscope --replay run.rec --json    the same JSON lines again\n"
"\n"
"Requires Linux 6.1 or newer with BTF (/sys/kernel/btf/vmlinux), and root\n"
"or CAP_BPF + CAP_PERFMON. Tested on 6.1, 6.12 and 6.18. Hooks are\n"
"tracepoints. Syscalls of 32-bit (ia32) processes on x86_64 are not\n"
"decoded: they are counted (\"ia32_syscalls\" in the summary) and said.\n"
"\n"
"The live view: ? lists its keys. Space holds the whole view at one moment\n"
"while the run goes on and is recorded (in memory, IPCSCOPE_HISTORY); n, N\n"
"step an event on or back, c plays from there, + and - change the pace; the\n"
"last picture stays after the command ends, until q.\n"
"\n"
"Optional kernel features: one the kernel lacks or refuses is switched off\n"
"and the rest runs; -v says which and why, and the JSON summary, snapshots\n"
"and the live view's help name those off:\n";

static const char usage_tail[] =
"\n"
"Exit status: the traced command's when it ends by itself (128 + N when\n"
"signal N killed it); 0 when you end the run (q, Ctrl-C, SIGTERM, SIGHUP:\n"
"a command still running is ended, SIGTERM then SIGKILL after 2 s, and its\n"
"status is in the summary) or the -p processes are gone; 1 on a failure\n"
"(the kernel refused a required program, no privilege, the output went\n"
"away, --record onto a file that exists, ...); 2 on a usage error; 127\n"
"when the command cannot be run. --replay: 0 when the file was whole, 1\n"
"when it is not a record file or is damaged (what came before the damage\n"
"is replayed, and stderr says where it is).\n"
"\n"
"Environment: NO_COLOR (see --no-color); IPCSCOPE_REFUSE=NAME[,NAME]\n"
"treats those optional features as refused by the kernel (to test each\n"
"degradation on any kernel; fast-data refused loads the data path made for\n"
"kernels before 6.2); IPCSCOPE_HISTORY=SIZE (bytes, or 64M, 1G) is how much\n"
"of a live run is kept to go back in (default 256M; past it the view says\n"
"\"history full\" and going back stops there).\n";

static const struct {
	const char *name, *about;
} demos[] = {
#define DEMO(name, about) { name, about },
#include "../demos/demos.def"
#undef DEMO
};

static int bad(const char *fmt, const char *arg)
{
	fputs("ipcscope: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\ntry: ipcscope --help\n", stderr);
	return 2;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return false;
	*out = v;
	return true;
}

bool options_demo(int i, const char **name, const char **about)
{
	if (i < 0 || (size_t)i >= sizeof(demos) / sizeof(demos[0]))
		return false;
	*name = demos[i].name;
	*about = demos[i].about;
	return true;
}

bool options_demo_exists(const char *name)
{
	for (size_t i = 0; i < sizeof(demos) / sizeof(demos[0]); i++)
		if (!strcmp(demos[i].name, name))
			return true;
	return false;
}

enum { O_COMM = 256, O_JSON, O_SNAPSHOT, O_PAYLOAD, O_DEMO, O_PACE,
       O_LIST, O_ASCII, O_NOCOLOR, O_RING, O_TOP, O_INTERVAL, O_TEXT,
       O_RECORD, O_REPLAY, O_STEP };

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "comm", required_argument, NULL, O_COMM },
	{ "json", no_argument, NULL, O_JSON },
	{ "text", no_argument, NULL, O_TEXT },
	{ "snapshot", no_argument, NULL, O_SNAPSHOT },
	{ "payload", required_argument, NULL, O_PAYLOAD },
	{ "demo", required_argument, NULL, O_DEMO },
	{ "pace", required_argument, NULL, O_PACE },
	{ "list-demos", no_argument, NULL, O_LIST },
	{ "step", no_argument, NULL, O_STEP },
	{ "ascii", no_argument, NULL, O_ASCII },
	{ "no-color", no_argument, NULL, O_NOCOLOR },
	{ "ring-size", required_argument, NULL, O_RING },
	{ "top", no_argument, NULL, O_TOP },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "record", required_argument, NULL, O_RECORD },
	{ "replay", required_argument, NULL, O_REPLAY },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{}
};

/* The output options seen, turned into a mode once all are read. */
struct outputs {
	bool json, text, snapshot, top;
};

/* What to trace: -p, --comm, --demo, --pace, --step, --list-demos.
 * Returns 0 to
 * go on, or what options_parse() returns; -1 when c is not one of them. */
static int parse_target(struct options *o, int c)
{
	uint32_t v;

	switch (c) {
	case 'p':
		if (!parse_u32(optarg, INT_MAX, &v) || !v)
			return bad("--pid needs a process id, not '%s'", optarg);
		if (o->npids == OPT_MAX_PIDS)
			return bad("%s: too many --pid options", optarg);
		o->pids[o->npids++] = v;
		return 0;
	case O_COMM:
		if (!optarg[0] || strlen(optarg) >= IPCS_COMM_LEN)
			return bad("--comm needs a name of 1 to 15 bytes, not '%s'",
				   optarg);
		o->comm = optarg;
		return 0;
	case O_DEMO:
		if (strcmp(optarg, "tour") && !options_demo_exists(optarg))
			return bad("no demo named '%s'; see: ipcscope --list-demos",
				   optarg);
		o->demo = optarg;
		return 0;
	case O_PACE:
		if (!parse_u32(optarg, 60000, &v))
			return bad("--pace needs milliseconds from 0 to 60000, not '%s'",
				   optarg);
		o->pace_ms = v;
		return 0;
	case O_STEP:
		o->step = true;
		return 0;
	case O_LIST:
		for (size_t i = 0; i < sizeof(demos) / sizeof(demos[0]); i++)
			printf("%-14s %s\n", demos[i].name, demos[i].about);
		printf("%-14s %s\n", "tour", "all of the above, one after another");
		return 1;
	}
	return -1;
}

/* How to output: -o, --json, --text, --snapshot, --top, --interval, --payload,
 * --ascii, --no-color. Returns like parse_target(). */
static int parse_output(struct options *o, struct outputs *out, int c)
{
	double secs;
	char *end;

	switch (c) {
	case 'o':
		o->output = optarg;
		return 0;
	case O_JSON:
		out->json = true;
		return 0;
	case O_TEXT:
		out->text = true;
		return 0;
	case O_SNAPSHOT:
		out->snapshot = true;
		return 0;
	case O_TOP:
		out->top = true;
		return 0;
	case O_PAYLOAD:
		if (!parse_u32(optarg, IPCS_PAYLOAD_MAX, &o->payload))
			return bad("--payload needs a byte count from 0 to 256, not '%s'",
				   optarg);
		return 0;
	case O_INTERVAL:
		errno = 0;
		secs = strtod(optarg, &end);
		if (errno || end == optarg || *end || !(secs >= 0.1 && secs <= 3600))
			return bad("--interval needs seconds from 0.1 to 3600, not '%s'",
				   optarg);
		o->interval_ms = secs * 1000 + 0.5;
		o->interval_set = true;
		return 0;
	case O_RECORD:
		o->record = optarg;
		return 0;
	case O_REPLAY:
		o->replay = optarg;
		return 0;
	case O_ASCII:
		o->ascii = true;
		return 0;
	case O_NOCOLOR:
		o->no_color = true;
		return 0;
	}
	return -1;
}

/* The rest: --ring-size, -v, -h, -V and mistakes. */
static int parse_other(struct options *o, int c, char **argv)
{
	uint32_t v;

	switch (c) {
	case O_RING:
		if (!parse_u32(optarg, 1U << 30, &v) || v < 4096 || (v & (v - 1)))
			return bad("--ring-size needs a power of two from 4096 to 2^30, not '%s'",
				   optarg);
		o->ring_bytes = v;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'h':
		fputs(usage, stdout);
		features_help(stdout);
		fputs(usage_tail, stdout);
		return 1;
	case 'V':
		printf("ipcscope %s\n", IPCSCOPE_VERSION);
		return 1;
	case ':':
		return bad("option '%s' needs a value", argv[optind - 1]);
	default:
		return bad("unknown option '%s'", argv[optind - 1]);
	}
}

/* --replay traces nothing: no target, no --record, no tracing option. */
static int options_check_replay(const struct options *o)
{
	if (o->record && o->output && !strcmp(o->record, o->output))
		return bad("%s", "--record and --output need two files");
	if (!o->replay)
		return 0;
	if (o->output && !strcmp(o->replay, o->output))
		return bad("%s", "--output would overwrite the --replay file");
	if (o->record)
		return bad("%s", "choose one of: --record, --replay");
	if (o->command || o->demo || o->npids || o->comm)
		return bad("%s", "--replay traces nothing: no -- COMMAND, --demo, -p or --comm");
	if (o->payload || o->ring_bytes)
		return bad("%s", "--payload and --ring-size are the recorded run's: not with --replay");
	return 0;
}

/* The mode from the output options, and the combinations refused. */
static int options_check(struct options *o, const struct outputs *out)
{
	if (out->snapshot && out->top)
		return bad("%s", "choose one of: --snapshot, --top");
	if (out->text && (out->json || out->snapshot || out->top))
		return bad("%s", "choose one of: --text, --json, --snapshot, --top");
	if (out->snapshot)
		o->mode = out->json ? OUT_SNAPSHOT_JSON : OUT_SNAPSHOT;
	else if (out->top)
		o->mode = out->json ? OUT_TOP_JSON : OUT_TOP;
	else if (out->json)
		o->mode = OUT_JSON;
	else if (out->text)
		o->mode = OUT_TEXT;
	if ((o->command != NULL) + (o->demo != NULL) + (o->npids > 0 || o->comm) > 1)
		return bad("%s", "choose one of: -- COMMAND, --demo, -p/--comm");
	if (out->snapshot && (o->command || o->demo))
		return bad("%s", "--snapshot reads processes that already run: use -p PID, --comm NAME, or nothing for all");
	if (o->interval_set && !out->top)
		return bad("%s", "--interval goes with --top");
	if (o->payload && o->mode != OUT_JSON)
		return bad("%s", "--payload goes with --json");
	if (o->output && o->mode == OUT_LIVE)
		return bad("%s", "--output goes with --json, --text, --snapshot or --top");
	if (o->pace_ms >= 0 && !o->demo)
		return bad("%s", "--pace goes with --demo");
	if (o->step && (o->mode != OUT_LIVE || o->replay))
		return bad("%s", "--step is for the live view: not with --json, --text, --top, --snapshot or --replay");
	if (o->step && ((!o->command && !o->demo) ||
			(o->demo && !strcmp(o->demo, "tour"))))
		return bad("%s", "--step holds a command ipcscope starts: give -- COMMAND or --demo NAME (not tour)");
	return options_check_replay(o);
}

int options_parse(struct options *o, int argc, char **argv)
{
	struct outputs out = {};
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->pace_ms = -1;
	o->interval_ms = 1000;
	opterr = 0;
	/* "+": stop at the first non-option, the command */
	while ((c = getopt_long(argc, argv, "+:p:o:vhV", longopts, NULL)) != -1) {
		rc = parse_target(o, c);
		if (rc < 0)
			rc = parse_output(o, &out, c);
		if (rc < 0)
			rc = parse_other(o, c, argv);
		if (rc)
			return rc;
	}
	if (optind < argc)
		o->command = argv + optind;
	return options_check(o, &out);
}
