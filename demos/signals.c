/*
 * signals - two ways a process learns about another one through signals.
 *
 * Part 1: the parent kill()s its child with SIGUSR1 and the child's handler
 * runs. To be race-free the signal is blocked before the fork: if it comes
 * before the child is ready it stays pending, and sigsuspend() unblocks it
 * and waits in one atomic step, so it can be neither lost nor early.
 *
 * Part 2: SIGPIPE. A child writes into a pipe whose read end nobody holds.
 * With SIGPIPE at its default action the kernel kills the writer, and the
 * parent finds out from waitpid(): WIFSIGNALED, WTERMSIG == SIGPIPE.
 */
#include "demo.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static _Noreturn void usr1_child(const sigset_t *unblocked)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) == -1)
		die("sigaction SIGUSR1");
	demo_step("installed a SIGUSR1 handler with sigaction()");
	demo_say("sigsuspend(): unblock SIGUSR1 and sleep until it comes");
	while (!got_usr1)
		sigsuspend(unblocked);
	demo_step("my handler ran: SIGUSR1 arrived");
	exit(0);
}

static void part_usr1(void)
{
	sigset_t usr1, old;
	pid_t pid;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, &old) == -1)
		die("sigprocmask");
	demo_step("part 1: blocked SIGUSR1 before fork(), so none is lost");

	pid = demo_fork("child");
	if (pid == 0)
		usr1_child(&old);
	if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
		die("sigprocmask");
	demo_step("forked child %d", (int)pid);
	demo_pause(1);

	if (kill(pid, SIGUSR1) == -1)
		die("kill %d SIGUSR1", (int)pid);
	demo_say("kill(%d, SIGUSR1) sent it", (int)pid);
	demo_say("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);
}

static _Noreturn void pipe_child(int write_fd)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t pipe_set;

	/*
	 * demo.c catches SIGPIPE to clean up, and whoever started us may have
	 * ignored or blocked it: put back the default, unblocked.
	 */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (sigaction(SIGPIPE, &sa, NULL) == -1 ||
	    sigprocmask(SIG_UNBLOCK, &pipe_set, NULL) == -1)
		die("resetting SIGPIPE");
	demo_step("set SIGPIPE back to its default action: terminate");
	demo_say("about to write 5 bytes into fd %d, a pipe with no reader",
		 write_fd);
	demo_pause(1);
	if (write(write_fd, "hello", 5) == -1)
		die("write fd %d (SIGPIPE should have killed me)", write_fd);
	demo_fail("write into a pipe with no reader succeeded");
}

static void part_sigpipe(void)
{
	int status, fds[2];
	pid_t pid;

	if (pipe(fds) == -1)
		die("pipe");
	demo_step("part 2: pipe() for a child that will write into it: read "
		  "end fd %d, write end fd %d", fds[0], fds[1]);
	if (close(fds[0]) == -1)
		die("close fd %d", fds[0]);
	demo_step("closed the read end fd %d before fork(): nobody will have "
		  "it", fds[0]);

	pid = demo_fork("child");
	if (pid == 0)
		pipe_child(fds[1]);
	if (close(fds[1]) == -1)
		die("close fd %d", fds[1]);
	demo_step("forked child %d; closed my write end fd %d", (int)pid,
		  fds[1]);

	demo_say("waiting for child %d with waitpid()", (int)pid);
	status = demo_wait(pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGPIPE)
		demo_fail("child %d was expected to die of SIGPIPE "
			  "(wait status %#x)", (int)pid, status);
	demo_step("child %d was killed by SIGPIPE", (int)pid);
}

int main(int argc, char **argv)
{
	demo_init(argc, argv, "signals", NULL);
	demo_set_role("parent");
	part_usr1();
	part_sigpipe();
	return 0;
}
