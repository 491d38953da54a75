/* rss.c: runs a command and writes its peak RSS in KiB (wait4's ru_maxrss) to a file, as GNU time's %M. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * make bench runs commands from Python; a child forked (or vforked) by Python inherits
 * Python's high-water RSS across exec, so the kernel would report Python's size for a small
 * program. This wrapper is small and forks the command itself, so what it reports is the
 * command's own.
 */
int main(int argc, char **argv)
{
	struct rusage ru;
	FILE *f;
	pid_t pid;
	int status;

	if (argc < 3) {
		fputs("usage: rss FILE COMMAND [ARG...]\n", stderr);
		return 127;
	}
	pid = fork();
	if (pid < 0) {
		perror("rss: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("rss: wait4");
		return 127;
	}
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) != 0) {
		perror(argv[1]);
		return 127;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
