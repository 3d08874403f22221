/*
 * msgqueue - a System V message queue keeps messages apart and typed.
 *
 * Unlike a pipe's byte stream, each msgsnd() stays one message with a type
 * (a positive long). The receiver asks msgrcv() for a type and gets the
 * oldest message of that type, so it can take them out of order: here it
 * takes type 2 first, although type 1 was sent first.
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct message {
	long mtype;        /* > 0: what msgrcv() selects on */
	char mtext[64];
};

static void send_message(int id, long type, const char *text)
{
	struct message m = { .mtype = type };

	snprintf(m.mtext, sizeof(m.mtext), "%s", text);
	if (msgsnd(id, &m, strlen(m.mtext) + 1, 0) == -1)
		die("msgsnd %d", id);
	demo_step("msgsnd(%d) sent type %ld, \"%s\" (%zu bytes): it stays "
		  "in the queue until received", id, type, text,
		  strlen(text) + 1);
}

static void receive_message(int id, long type, const char *expected)
{
	struct message m;
	ssize_t n;

	demo_say("msgrcv(%d, type %ld): takes the oldest message of that "
		 "type, or waits for one", id, type);
	n = msgrcv(id, &m, sizeof(m.mtext), type, 0);
	if (n == -1)
		die("msgrcv %d", id);
	demo_step("got type %ld, %zd bytes: \"%s\"", m.mtype, n, m.mtext);
	if (m.mtype != type || strcmp(m.mtext, expected) != 0)
		demo_fail("expected type %ld \"%s\"", type, expected);
}

/*
 * The receiver starts once both messages are queued (at the default pace),
 * so the queue holds two before it takes them, type 2 first.
 */
int main(int argc, char **argv)
{
	pid_t pid;
	int id;

	demo_init(argc, argv, "msgqueue", NULL);
	demo_set_role("sender");

	id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id == -1)
		die("msgget");
	demo_track_ipc(DEMO_MSG, id);
	demo_step("msgget(IPC_PRIVATE) made a new queue, id %d (ipcs -q shows "
		  "it as msqid %d); no other program can look it up", id, id);

	pid = demo_fork("receiver");
	if (pid == 0) {
		demo_step("forked: I know the queue's id from the sender");
		demo_pause(2);
		receive_message(id, 2, "second, type 2");
		receive_message(id, 1, "first, type 1");
		exit(0);
	}
	demo_step("forked receiver %d", (int)pid);

	send_message(id, 1, "first, type 1");
	send_message(id, 2, "second, type 2");

	demo_say("waiting for receiver %d with waitpid()", (int)pid);
	demo_wait_ok(pid);

	if (msgctl(id, IPC_RMID, NULL) == -1)
		die("msgctl %d IPC_RMID", id);
	demo_untrack_ipc(DEMO_MSG, id);
	demo_say("msgctl(%d, IPC_RMID) removed the queue: queues outlive "
		 "processes unless removed", id);
	return 0;
}
