/*
 * popen - read another program's output as if it were a file.
 *
 * popen() does the pipe, fork, dup2 and exec of "/bin/sh -c COMMAND" for
 * us and hands back the read end as a FILE *. pclose() then waits for the
 * shell and returns its wait status, which has to be checked like any
 * other child's.
 *
 * The pipeline sleeps between its lines for a few paces, so that the shell,
 * wc and the pipe between them are alive long enough to be seen.
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	char command[128], line[64];
	unsigned ms;
	FILE *out;
	int status;
	long lines;

	demo_init(argc, argv, "popen", NULL);
	demo_set_role("parent");

	ms = 3 * demo_pace_ms();
	snprintf(command, sizeof(command),
		 "{ printf 'a\\nb\\n'; sleep %u.%03u; printf 'c\\n'; } | wc -l",
		 ms / 1000, ms % 1000);
	out = popen(command, "r");
	if (!out)
		die("popen");
	demo_step("popen(\"%s\", \"r\") started a shell; its stdout is a pipe "
		  "whose read end is my fd %d", command, fileno(out));

	demo_say("fgets() on fd %d: waits until wc prints its line",
		 fileno(out));
	if (!fgets(line, sizeof(line), out)) {
		if (ferror(out))
			die("reading from the command");
		demo_fail("the command printed nothing");
	}
	line[strcspn(line, "\n")] = '\0';
	demo_step("the command printed \"%s\"", line);

	status = pclose(out);
	if (status == -1)
		die("pclose");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		demo_fail("the command failed (wait status %#x)", status);
	demo_step("pclose() closed my end and reaped the shell: exit status "
		  "0");

	lines = strtol(line, NULL, 10);
	if (lines != 3)
		demo_fail("expected 3 lines, the command counted \"%s\"",
			  line);
	demo_say("wc -l counted %ld lines, as expected", lines);
	return 0;
}
