// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * names_resolve_fd(): an object is named by the path its call was given,
 * made absolute from the process's cwd and with links resolved, when that
 * path is the object's inode; else it is not named from the path at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"

static void test_resolves_relative_and_linked_paths(void **state)
{
	char dir[] = "/tmp/ipcscope-names-XXXXXX", real[PATH_MAX + 16];
	char old[PATH_MAX], out[PATH_MAX], want[PATH_MAX + 16];
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(old, sizeof(old)));
	snprintf(real, sizeof(real), "%s/real.txt", dir);
	f = fopen(real, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(stat(real, &st), 0);
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(mkdir("sub", 0700), 0);
	assert_int_equal(symlink("real.txt", "link"), 0);
	assert_non_null(realpath(real, want));

	/* relative, through "..", through a link: the path /proc would show */
	assert_true(names_resolve_fd(NULL, getpid(), -1, "sub/../real.txt",
				     names_kernel_dev(st.st_dev), st.st_ino,
				     out, sizeof(out)));
	assert_string_equal(out, want);
	assert_true(names_resolve_fd(NULL, getpid(), -1, "link",
				     names_kernel_dev(st.st_dev), st.st_ino,
				     out, sizeof(out)));
	assert_string_equal(out, want);
	/* another inode at that path: not this object's name */
	assert_false(names_resolve_fd(NULL, getpid(), -1, "link",
				      names_kernel_dev(st.st_dev), st.st_ino + 1,
				      out, sizeof(out)));

	assert_int_equal(chdir(old), 0);
	unlink(real);
	snprintf(want, sizeof(want), "%s/link", dir);
	unlink(want);
	snprintf(want, sizeof(want), "%s/sub", dir);
	rmdir(want);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolves_relative_and_linked_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
