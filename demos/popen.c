/*
 * popen - read another program's output as if it were a file.
 *
 * popen() does the pipe, fork, dup2 and exec of "/bin/sh -c COMMAND" for
 * us and hands back the read end as a FILE *. pclose() then waits for the
 * shell and returns its wait status, which has to be checked like any
 * other child's.
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char command[] = "printf 'a\\nb\\nc\\n' | wc -l";

int main(int argc, char **argv)
{
	char line[64];
	FILE *out;
	int status;
	long lines;

	demo_init(argc, argv, "popen", NULL);
	demo_set_role("parent");

	demo_step("popen(\"%s\", \"r\")", command);
	out = popen(command, "r");
	if (!out)
		die("popen");
	demo_step("a shell runs it, its stdout a pipe whose read end is my "
		  "fd %d", fileno(out));

	demo_step("reading a line from fd %d with fgets()", fileno(out));
	if (!fgets(line, sizeof(line), out)) {
		if (ferror(out))
			die("reading from the command");
		demo_fail("the command printed nothing");
	}
	line[strcspn(line, "\n")] = '\0';
	demo_step("the command printed \"%s\"", line);

	demo_step("pclose(): closes fd %d and waits for the shell",
		  fileno(out));
	status = pclose(out);
	if (status == -1)
		die("pclose");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		demo_fail("the command failed (wait status %#x)", status);
	demo_step("the shell exited with status 0");

	lines = strtol(line, NULL, 10);
	if (lines != 3)
		demo_fail("expected 3 lines, the command counted \"%s\"",
			  line);
	demo_step("wc -l counted %ld lines, as expected", lines);
	return 0;
}
