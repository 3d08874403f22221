/* A POSIX message queue between a parent and its child.
 *
 * parent: mq_open(NAME, O_CREAT | O_EXCL | O_RDWR), 4 messages of at most
 *         32 bytes (fd 3); fork (the child inherits fd 3: refs 2)
 * child:  mq_open(NAME, O_WRONLY) (fd 4: a second entry on the queue);
 *         sends "low" (priority 1), "high!" (5), "mid." (3): the queue
 *         holds 1, 2, 3 messages; closes fd 4 (mq_close); exits
 * parent: waitpid; receives "high!", "mid.", "low" (highest priority
 *         first: 2, 1, 0 messages left); mq_unlink(NAME) while fd 3 is
 *         open (/proc then shows "NAME (deleted)"); mq_close(fd 3)
 *
 * NAME is /ipcscope-test-mq-PID. Prints "name NAME child PID". Exits 0
 * when all went so; the queue is unlinked on every path.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char name[64];

static void on_alarm(int sig)
{
	(void)sig;
	mq_unlink(name);
	_exit(3);
}

static int child(void)
{
	static const struct { const char *text; unsigned prio; } msgs[] = {
		{ "low", 1 }, { "high!", 5 }, { "mid.", 3 },
	};
	mqd_t q = mq_open(name, O_WRONLY);

	if (q == (mqd_t)-1)
		return perror("child mq_open"), 1;
	for (int i = 0; i < 3; i++)
		if (mq_send(q, msgs[i].text, strlen(msgs[i].text), msgs[i].prio))
			return perror("mq_send"), 1;
	return mq_close(q) ? 1 : 0;
}

int main(void)
{
	static const char *const want[] = { "high!", "mid.", "low" };
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 32 };
	int status = 0, ok = 1;
	char buf[32];
	pid_t pid;
	mqd_t q;

	snprintf(name, sizeof(name), "/ipcscope-test-mq-%d", (int)getpid());
	signal(SIGALRM, on_alarm);
	alarm(20);
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (q == (mqd_t)-1)
		return perror("mq_open"), 1;
	pid = fork();
	if (pid < 0) {
		perror("fork");
		mq_unlink(name);
		return 1;
	}
	if (pid == 0)
		_exit(child());
	printf("name %s child %d\n", name, (int)pid);
	fflush(stdout);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed (status %#x)\n", status);
		ok = 0;
	}
	for (int i = 0; ok && i < 3; i++) {
		ssize_t n = mq_receive(q, buf, sizeof(buf), NULL);

		if (n != (ssize_t)strlen(want[i]) || memcmp(buf, want[i], n)) {
			fprintf(stderr, "message %d: want %s\n", i, want[i]);
			ok = 0;
		}
	}
	if (mq_unlink(name) || mq_close(q))
		return perror("mq_unlink/mq_close"), 1;
	return ok ? 0 : 1;
}
