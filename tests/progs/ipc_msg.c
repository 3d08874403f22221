/* A SysV message queue between parent and child, with types.
 *
 * parent: msgget(IPC_PRIVATE); msgsnd type 1 "one" (3 bytes), type 2
 *         "type two" (8 bytes); fork
 * child:  msgrcv type 2, then type 1 (both there already: no wait), then
 *         type 3, which is not there: it sleeps in msgrcv
 * parent: waits until /proc says the child sleeps in msgrcv, then msgsnd
 *         type 3 "late" (4 bytes), which goes straight to the waiting
 *         child; waitpid; msgctl(IPC_RMID)
 *
 * Prints "msqid ID child PID". Exits 0 when all went as described; the
 * queue is removed on every path (an alarm ends a stuck run).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_msgrcv 70	/* x86_64 */

struct message {
	long mtype;
	char mtext[32];
};

static int qid = -1;

static void on_alarm(int sig)
{
	(void)sig;
	if (qid >= 0)
		msgctl(qid, IPC_RMID, NULL);
	_exit(3);
}

static int send_message(long type, const char *text)
{
	struct message m = { .mtype = type };
	size_t n = strlen(text);

	memcpy(m.mtext, text, n);
	return msgsnd(qid, &m, n, 0);
}

static int receive_message(long type, const char *want)
{
	struct message m;
	ssize_t n = msgrcv(qid, &m, sizeof(m.mtext), type, 0);

	return n == (ssize_t)strlen(want) && m.mtype == type &&
	       !memcmp(m.mtext, want, n) ? 0 : -1;
}

/* True once pid sleeps in syscall nr: /proc/PID/syscall names the
 * syscall of a task that is blocked, and says "running" otherwise. */
static int sleeps_in(pid_t pid, long nr)
{
	char path[64], buf[256], *end;
	FILE *f;
	long got;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	got = strtol(buf, &end, 10);
	return end != buf && got == nr;
}

int main(void)
{
	int status = 0, ok = 1;
	pid_t child;

	signal(SIGALRM, on_alarm);
	alarm(20);
	qid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (qid < 0)
		return perror("msgget"), 1;
	if (send_message(1, "one") || send_message(2, "type two")) {
		perror("msgsnd");
		msgctl(qid, IPC_RMID, NULL);
		return 1;
	}
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fork");
		msgctl(qid, IPC_RMID, NULL);
		return 1;
	}
	if (child == 0) {
		alarm(20);
		if (receive_message(2, "type two") || receive_message(1, "one") ||
		    receive_message(3, "late"))
			_exit(1);
		_exit(0);
	}
	printf("msqid %d child %d\n", qid, (int)child);
	fflush(stdout);
	while (!sleeps_in(child, NR_msgrcv)) {
		if (waitpid(child, &status, WNOHANG) != 0) {
			fprintf(stderr, "child ended before it waited\n");
			msgctl(qid, IPC_RMID, NULL);
			return 1;
		}
		usleep(1000);
	}
	if (send_message(3, "late")) {
		perror("msgsnd");
		ok = 0;
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed (status %#x)\n", status);
		ok = 0;
	}
	if (msgctl(qid, IPC_RMID, NULL)) {
		perror("msgctl IPC_RMID");
		ok = 0;
	}
	return ok ? 0 : 1;
}
