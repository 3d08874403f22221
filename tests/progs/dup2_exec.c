/* The child dup2()s the pipe's write end onto stdout and execs echo; the
 * parent reads what echo printed. The child starts only once the parent
 * has closed its write end (SIGUSR1 says so), so the count after dup2 is
 * always the same. Exit 0 when it read "hello\n". */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	char buf[64];
	size_t got = 0;
	ssize_t n;
	int p[2], status, sig;
	sigset_t usr1;
	pid_t pid;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (pipe(p))
		return perror("pipe"), 1;
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		sigwait(&usr1, &sig);
		sigprocmask(SIG_UNBLOCK, &usr1, NULL);
		if (dup2(p[1], 1) != 1)
			_exit(126);
		close(p[0]);
		close(p[1]);
		execl("/bin/echo", "echo", "hello", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	kill(pid, SIGUSR1);
	while ((n = read(p[0], buf + got, sizeof(buf) - got)) > 0)
		got += n;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 1;
	return got == 6 && !memcmp(buf, "hello\n", 6) ? 0 : 2;
}
