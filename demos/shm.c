/*
 * shm - System V shared memory: the same physical pages mapped into two
 * processes. No bytes are copied through the kernel as with a pipe; the
 * child just stores a string and the parent sees it. Nothing tells the
 * parent when the data is ready, so here it simply waits for the child to
 * exit (see shm-sem for doing it with semaphores).
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define SHM_SIZE 4096

static const char text[] = "Hello, shared memory!";

static char *attach(int id, const char *why)
{
	char *p;

	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("shmat %d", id);
	demo_step("shmat(%d) mapped the segment into my address space%s", id,
		  why);
	return p;
}

static void detach(char *p)
{
	if (shmdt(p) == -1)
		die("shmdt");
	demo_step("shmdt() unmapped the segment");
}

/*
 * The child stays attached until the parent has attached too, so that
 * the segment is in both address spaces at once; the parent reads it once
 * the child has exited, which is what tells it the data is ready.
 */
int main(int argc, char **argv)
{
	char copy[64];
	char *p;
	pid_t pid;
	int id;

	demo_init(argc, argv, "shm", NULL);
	demo_set_role("parent");

	id = shmget(IPC_PRIVATE, SHM_SIZE, IPC_CREAT | 0600);
	if (id == -1)
		die("shmget");
	demo_track_ipc(DEMO_SHM, id);
	demo_step("shmget(IPC_PRIVATE, %d) made a new segment, id %d (ipcs -m "
		  "shows it)", SHM_SIZE, id);

	pid = demo_fork("child");
	if (pid == 0) {
		p = attach(id, "");
		memcpy(p, text, sizeof(text));
		demo_step("stored \"%s\" at the start of the segment", text);
		demo_pause(2);
		detach(p);
		exit(0);
	}
	demo_step("forked child %d: it knows the id from me", (int)pid);
	demo_pause(1);

	p = attach(id, " too");

	demo_say("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);

	snprintf(copy, sizeof(copy), "%s", p);
	demo_step("the segment holds \"%s\": the child's store", copy);
	detach(p);

	if (shmctl(id, IPC_RMID, NULL) == -1)
		die("shmctl %d IPC_RMID", id);
	demo_untrack_ipc(DEMO_SHM, id);
	demo_say("shmctl(%d, IPC_RMID) removed it: segments outlive processes "
		 "unless removed", id);

	if (strcmp(copy, text) != 0)
		demo_fail("expected \"%s\" in the segment", text);
	return 0;
}
