/*
 * cloudabi-run: runs a CloudABI executable on Linux with the configuration
 * (argdata and granted fds) described by YAML, as the original launcher of
 * the same name did: `cloudabi-run [-e] executable < config.yaml`.
 *
 * Any error of the launcher itself ends it with status 127 and a message
 * on stderr; after that the program's exit status is this process's
 * (the program runs in this very process).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adtree.h"
#include "config.h"
#include "exec.h"
#include "launch.h"
#include "rtthread.h"
#include "trace.h"

#define RUN_EXIT_LAUNCHER 127

static const char run_usage[] =
        "usage: cloudabi-run [-et] [-c config.yaml] executable < "
        "config.yaml\n"
        "\n"
        "Runs a CloudABI executable with the argdata and file descriptors "
        "that\n"
        "the YAML configuration describes (read from standard input, or from\n"
        "the file given with -c).\n"
        "\n"
        "  -e, --emulate       accepted for compatibility; changes nothing\n"
        "  -c, --config FILE   read the configuration from FILE, not stdin\n"
        "  -t, --trace         log every system call and its result to "
        "stderr\n"
        "  -h, --help          show this help\n"
        "  -V, --version       show the version\n";

/* Prints a launcher error and exits with status 127. */
static _Noreturn void run_fail(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));

static _Noreturn void run_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("cloudabi-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(RUN_EXIT_LAUNCHER);
}

/* The resource that resolved to host fd `fd`; NULL if none. */
static const struct config_resource *run_resource(const struct config *cfg,
                                                  int fd)
{
	for (size_t i = 0; i < cfg->nres; i++)
		if (cfg->res[i].fd == fd)
			return &cfg->res[i];
	return NULL;
}

/* Builds the fd list of the launch from the encoded fd order. */
static struct launch_fd *run_fds(const struct config *cfg, const int *fds,
                                 size_t nfds)
{
	struct launch_fd *out = calloc(nfds ? nfds : 1, sizeof(*out));

	if (out == NULL)
		run_fail("out of memory");
	for (size_t i = 0; i < nfds; i++) {
		const struct config_resource *r = run_resource(cfg, fds[i]);
		if (r == NULL)
			run_fail("internal error: fd %d has no resource",
			         fds[i]);
		out[i] = (struct launch_fd){.fd = fds[i],
		                            .filetype = r->filetype,
		                            .base = r->rights.base,
		                            .inheriting = r->rights.inheriting};
	}
	return out;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"emulate", no_argument, NULL, 'e'},
	        {"config", required_argument, NULL, 'c'},
	        {"trace", no_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL;
	struct config *cfg = NULL;
	struct config_error cerr;
	struct launch l = {.keep_fd = STDERR_FILENO};
	char err[512];
	int c, cfd = STDIN_FILENO, *fds = NULL, trace = 0;

	/* Internal: the second half of proc_exec (exec.h). */
	if (argc == 3 && strcmp(argv[1], EXEC_STATE_OPTION) == 0) {
		rtthread_init();
		exec_resume(argv[2], err, sizeof(err));
		run_fail("exec: %s", err);
	}
	while ((c = getopt_long(argc, argv, "+ec:thV", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			break;
		case 'c':
			config_path = optarg;
			break;
		case 't':
			trace = 1;
			break;
		case 'h':
			fputs(run_usage, stdout);
			return 0;
		case 'V':
			printf("cloudabi-run %s\n", CLOUDABID_VERSION);
			return 0;
		default:
			fputs(run_usage, stderr);
			return RUN_EXIT_LAUNCHER;
		}
	}
	if (optind != argc - 1) {
		fputs(run_usage, stderr);
		return RUN_EXIT_LAUNCHER;
	}
	l.exe_fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (l.exe_fd < 0)
		run_fail("%s: %s", argv[optind], strerror(errno));
	if (config_path != NULL &&
	    (cfd = open(config_path, O_RDONLY | O_CLOEXEC)) < 0)
		run_fail("%s: %s", config_path, strerror(errno));
	if (config_parse_fd(config_path ? config_path : "<stdin>", cfd, &cfg,
	                    &cerr) != 0 ||
	    config_resolve(cfg, l.exe_fd, &cerr) != 0)
		run_fail("%s", cerr.msg);
	if (adtree_encode(cfg->root, ADTREE_FD_RENUMBER, &l.argdata,
	                  &l.argdata_len, &fds, &l.nfds) != 0)
		run_fail("encoding the argdata failed");
	l.fds = run_fds(cfg, fds, l.nfds);
	rtthread_init();
	if (trace)
		trace_init(&launch_kept_fd);
	launch_run(&l, err, sizeof(err));
	run_fail("%s: %s", argv[optind], err);
}
