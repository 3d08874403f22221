/*
 * fork-offset - fork() copies the fd table, not the open files behind it.
 *
 * The file is opened once, before the fork, so parent and child each have
 * an fd 3 that points at the SAME open-file entry, and the offset lives in
 * that entry. The child's write moves it for both: the parent's next write
 * lands after the child's instead of on top of it.
 */
#include "demo.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char child_text[] = "[child wrote this]";
static const char parent_text[] = "[parent wrote this]";

static off_t offset_of(int fd)
{
	off_t off = lseek(fd, 0, SEEK_CUR);

	if (off == -1)
		die("lseek fd %d", fd);
	return off;
}

static _Noreturn void child(int fd)
{
	demo_step("my fd %d is at offset %lld: the entry's offset, shared",
		  fd, (long long)offset_of(fd));
	demo_write_all(fd, child_text, strlen(child_text));
	demo_step("wrote \"%s\" (%zu bytes) into fd %d", child_text,
		  strlen(child_text), fd);
	demo_step("lseek(fd %d, 0, SEEK_CUR) = %lld: moved for both of us", fd,
		  (long long)offset_of(fd));
	exit(0);
}

int main(int argc, char **argv)
{
	char path[64], buf[128];
	ssize_t n;
	pid_t pid;
	int fd;

	demo_init(argc, argv, "fork-offset", NULL);
	demo_set_role("parent");

	fd = demo_temp_file(path, sizeof(path));
	demo_step("mkstemp() opened %s as fd %d, offset %lld", path, fd,
		  (long long)offset_of(fd));

	pid = demo_fork("child");
	if (pid == 0)
		child(fd);
	demo_step("forked child %d: its fd %d shares my open-file entry "
		  "(refs 2)", (int)pid, fd);

	demo_say("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);

	demo_step("lseek(fd %d, 0, SEEK_CUR) = %lld: the child moved MY offset",
		  fd, (long long)offset_of(fd));
	demo_write_all(fd, parent_text, strlen(parent_text));
	demo_step("wrote \"%s\" (%zu bytes) into fd %d: after the child's",
		  parent_text, strlen(parent_text), fd);
	demo_step("lseek(fd %d, 0, SEEK_CUR) = %lld", fd,
		  (long long)offset_of(fd));

	/* pread() takes an explicit offset and leaves the shared one alone. */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n == -1)
		die("pread fd %d", fd);
	buf[n] = '\0';
	demo_step("the file now holds \"%s\": one after the other", buf);

	demo_remove_temp_file(fd, path);

	if (strncmp(buf, child_text, strlen(child_text)) != 0 ||
	    strcmp(buf + strlen(child_text), parent_text) != 0)
		demo_fail("the file should hold \"%s%s\"", child_text,
			  parent_text);
	return 0;
}
