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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adtree.h"
#include "config.h"
#include "exec.h"
#include "launch.h"
#include "rtthread.h"
#include "sandbox.h"
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
        "      --user USER     as root: run as USER (name or uid; default "
        "nobody)\n"
        "      --group GROUP   as root: run with GROUP (default USER's, or "
        "nogroup)\n"
        "      --limit-nofile N, --limit-as BYTES, --limit-nproc N,\n"
        "      --limit-core BYTES\n"
        "                      resource limits (number or unlimited; core "
        "defaults to 0)\n"
        "      --sandbox-check report the sandbox layers this system offers\n"
        "      --insecure      run even when a sandbox layer is missing\n"
        "  -h, --help          show this help\n"
        "  -V, --version       show the version\n";

/* Prints a launcher error and exits with status 127. */
static _Noreturn void run_fail(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));

static _Noreturn void run_fail(const char *fmt, ...)
{
	/* Once the program's fds are in place, fd 2 may not be ours. */
	int fd = launch_kept_fd >= 0 ? launch_kept_fd : STDERR_FILENO;
	va_list ap;

	dprintf(fd, "cloudabi-run: ");
	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
	dprintf(fd, "\n");
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

/* Options of the sandbox, kept as given until all are read. */
struct run_sandbox_args {
	const char *user, *group, *limit[SANDBOX_NLIMITS];
	bool insecure, check;
};

/* Resolves the sandbox options (accounts are looked up now, while /etc
 * is reachable). */
static void run_sandbox_opts(const struct run_sandbox_args *a,
                             struct sandbox_opts *o, bool resumed)
{
	char err[256];
	int rc = sandbox_opts_default(o);

	/* After proc_exec the ids are settled and /etc may be out of reach. */
	if (rc != 0 && a->user == NULL && !resumed)
		run_fail("running as root and no user nobody: give --user");
	o->insecure = a->insecure;
	if (a->group != NULL &&
	    sandbox_opts_group(o, a->group, err, sizeof(err)) != 0)
		run_fail("%s", err);
	if (a->user != NULL && sandbox_opts_user(o, a->user, a->group != NULL,
	                                         err, sizeof(err)) != 0)
		run_fail("%s", err);
	if (geteuid() != 0 && (a->user != NULL || a->group != NULL) &&
	    (o->uid != getuid() || o->gid != getgid()))
		run_fail("--user and --group need root");
	for (int i = 0; i < SANDBOX_NLIMITS; i++)
		if (a->limit[i] != NULL &&
		    sandbox_opts_limit(o, (enum sandbox_limit)i, a->limit[i],
		                       err, sizeof(err)) != 0)
			run_fail("%s", err);
}

/* Refuses to go on without every required layer, unless --insecure;
 * never silently. */
static void run_sandbox_gate(const struct sandbox_opts *o)
{
	struct sandbox_probe p;
	char missing[256];

	sandbox_probe(&p);
	if (sandbox_missing(&p, missing, sizeof(missing)) == 0)
		return;
	if (!o->insecure)
		run_fail("sandbox: this system lacks %s; refusing to run "
		         "(--sandbox-check explains, --insecure overrides)",
		         missing);
	fprintf(stderr,
	        "cloudabi-run: warning: --insecure: running without %s\n",
	        missing);
}

int main(int argc, char **argv)
{
	enum {
		OPT_USER = 256,
		OPT_GROUP,
		OPT_LIMIT,
		OPT_INSECURE = OPT_LIMIT + SANDBOX_NLIMITS,
		OPT_CHECK,
		OPT_STATE
	};
	static const struct option opts[] = {
	        {"emulate", no_argument, NULL, 'e'},
	        {"config", required_argument, NULL, 'c'},
	        {"trace", no_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {"user", required_argument, NULL, OPT_USER},
	        {"group", required_argument, NULL, OPT_GROUP},
	        {"limit-nofile", required_argument, NULL,
	         OPT_LIMIT + SANDBOX_LIMIT_NOFILE},
	        {"limit-as", required_argument, NULL,
	         OPT_LIMIT + SANDBOX_LIMIT_AS},
	        {"limit-nproc", required_argument, NULL,
	         OPT_LIMIT + SANDBOX_LIMIT_NPROC},
	        {"limit-core", required_argument, NULL,
	         OPT_LIMIT + SANDBOX_LIMIT_CORE},
	        {"insecure", no_argument, NULL, OPT_INSECURE},
	        {"sandbox-check", no_argument, NULL, OPT_CHECK},
	        {&EXEC_STATE_OPTION[2], required_argument, NULL, OPT_STATE},
	        {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *state = NULL;
	struct run_sandbox_args sa = {0};
	struct sandbox_opts so;
	struct config *cfg = NULL;
	struct config_error cerr;
	struct launch l = {.keep_fd = STDERR_FILENO, .self_fd = -1};
	char err[512];
	int c, cfd = STDIN_FILENO, *fds = NULL, trace = 0;

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
		case OPT_USER:
			sa.user = optarg;
			break;
		case OPT_GROUP:
			sa.group = optarg;
			break;
		case OPT_INSECURE:
			sa.insecure = true;
			break;
		case OPT_CHECK:
			sa.check = true;
			break;
		case OPT_STATE:
			state = optarg;
			break;
		default:
			if (c >= OPT_LIMIT && c < OPT_INSECURE) {
				sa.limit[c - OPT_LIMIT] = optarg;
				break;
			}
			fputs(run_usage, stderr);
			return RUN_EXIT_LAUNCHER;
		}
	}
	run_sandbox_opts(&sa, &so, state != NULL);
	if (sa.check) {
		struct sandbox_probe p;
		sandbox_probe(&p);
		return sandbox_report(stdout, &so, &p) == 0 ? 0 : 1;
	}
	/* Internal: the second half of proc_exec, or the daemon's launch
	 * (exec.h). */
	if (state != NULL) {
		rtthread_init();
		exec_resume(state, &so, err, sizeof(err));
		run_fail("exec: %s", err);
	}
	if (optind != argc - 1) {
		fputs(run_usage, stderr);
		return RUN_EXIT_LAUNCHER;
	}
	run_sandbox_gate(&so);
	l.sandbox = &so;
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
