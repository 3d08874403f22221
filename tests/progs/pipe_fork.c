/* The classic: parent writes "Hello, Pipe!" to its child through a pipe;
 * each side first closes the end it does not use. The parent writes only
 * once the child has closed its write end (SIGUSR1 says so), so the ref
 * counts at each close are always the same; the child reads only once the
 * parent's write has returned (SIGUSR1 again), so the pipe is seen holding
 * the message after the write, however the two are scheduled. Exit 0 when
 * the child read exactly the message. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] = "Hello, Pipe!";
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
		close(p[1]);
		kill(getppid(), SIGUSR1);
		sigwait(&usr1, &sig);
		while ((n = read(p[0], buf + got, sizeof(buf) - got)) > 0)
			got += n;
		close(p[0]);
		_exit(got == strlen(msg) && !memcmp(buf, msg, got) ? 0 : 3);
	}
	close(p[0]);
	sigwait(&usr1, &sig);
	if (write(p[1], msg, strlen(msg)) != (ssize_t)strlen(msg))
		return perror("write"), 1;
	kill(pid, SIGUSR1);
	close(p[1]);
	if (waitpid(pid, &status, 0) != pid)
		return perror("waitpid"), 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
