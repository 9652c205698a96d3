/*
 * Unit tests of cloudabictl's command line parsing: every command, global
 * options in any position, option value forms, socket precedence, and
 * the usage errors (with their messages).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli_args.h"

#define MAXARGS 16

static char errbuf[256];

/* Parses the NULL-terminated words after "cloudabictl". */
static int parse_env(struct cli_args *a, const char *env, const char *w0, ...)
{
	char *argv[MAXARGS] = {"cloudabictl"};
	const char *w = w0;
	int argc = 1;
	va_list ap;

	va_start(ap, w0);
	while (w != NULL && argc < MAXARGS) {
		argv[argc++] = (char *)w;
		w = va_arg(ap, const char *);
	}
	va_end(ap);
	return cli_args_parse(argc, argv, env, a, errbuf, sizeof(errbuf));
}

#define parse(a, ...) parse_env(a, NULL, __VA_ARGS__, NULL)

static void test_no_command_is_help(void **state)
{
	struct cli_args a;
	char *argv[] = {"cloudabictl"};

	assert_int_equal(
	        cli_args_parse(1, argv, NULL, &a, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(a.cmd, CLI_CMD_HELP);
	assert_string_equal(a.socket, CLI_DEFAULT_SOCKET);
	assert_int_equal(a.output, CLI_OUTPUT_TABLE);
}

static void test_name_commands(void **state)
{
	static const struct {
		const char *word;
		enum cli_command cmd;
	} cases[] = {
	        {"status", CLI_CMD_STATUS}, {"start", CLI_CMD_START},
	        {"stop", CLI_CMD_STOP},     {"restart", CLI_CMD_RESTART},
	        {"remove", CLI_CMD_REMOVE}, {"logs", CLI_CMD_LOGS},
	};
	struct cli_args a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&a, cases[i].word, "web"), 0);
		assert_int_equal(a.cmd, cases[i].cmd);
		assert_string_equal(a.name, "web");
		assert_string_equal(cli_args_command_name(a.cmd),
		                    cases[i].word);
		/* Each of them needs exactly one name. */
		assert_int_equal(parse(&a, cases[i].word), -EINVAL);
		assert_string_equal(errbuf + strlen(cases[i].word),
		                    " needs a service name");
		assert_int_equal(parse(&a, cases[i].word, "a", "b"), -EINVAL);
	}
}

static void test_deploy(void **state)
{
	struct cli_args a;

	assert_int_equal(parse(&a, "deploy", "svc.yaml"), 0);
	assert_int_equal(a.cmd, CLI_CMD_DEPLOY);
	assert_string_equal(a.file, "svc.yaml");
	assert_null(a.name);
	assert_false(a.dry_run);
	assert_int_equal(parse(&a, "deploy", "--dry-run", "svc.yaml"), 0);
	assert_true(a.dry_run);
	assert_int_equal(parse(&a, "deploy", "svc.yaml", "--dry-run"), 0);
	assert_true(a.dry_run);
	assert_int_equal(parse(&a, "deploy"), -EINVAL);
	assert_string_equal(errbuf, "deploy needs a service file: deploy FILE");
	/* "-" is stdin, not an option. */
	assert_int_equal(parse(&a, "deploy", "-"), 0);
	assert_string_equal(a.file, "-");
	/* --dry-run belongs to deploy only. */
	assert_int_equal(parse(&a, "list", "--dry-run"), -EINVAL);
	assert_string_equal(errbuf, "list does not take option --dry-run");
}

static void test_logs_options(void **state)
{
	struct cli_args a;

	assert_int_equal(parse(&a, "logs", "-f", "-n", "20", "web"), 0);
	assert_true(a.follow);
	assert_int_equal(a.lines, 20);
	assert_int_equal(parse(&a, "logs", "web", "-n5"), 0);
	assert_int_equal(a.lines, 5);
	assert_false(a.follow);
	assert_int_equal(parse(&a, "logs", "--lines=7", "--follow", "web"), 0);
	assert_int_equal(a.lines, 7);
	assert_true(a.follow);
	assert_int_equal(parse(&a, "logs", "--lines", "4294967295", "w"), 0);
	assert_int_equal(a.lines, UINT32_MAX);
	assert_int_equal(parse(&a, "logs", "-n", "4294967296", "w"), -EINVAL);
	assert_int_equal(parse(&a, "logs", "-n", "-3", "w"), -EINVAL);
	assert_int_equal(parse(&a, "logs", "-n", "", "w"), -EINVAL);
	assert_int_equal(parse(&a, "logs", "-n", "12x", "w"), -EINVAL);
	assert_string_equal(errbuf, "-n wants a number of lines, not '12x'");
	assert_int_equal(parse(&a, "logs", "w", "-n"), -EINVAL);
	assert_string_equal(errbuf, "option -n needs a value");
	/* -n is for logs only. */
	assert_int_equal(parse(&a, "events", "-n", "3"), -EINVAL);
}

static void test_events(void **state)
{
	struct cli_args a;

	assert_int_equal(parse(&a, "events"), 0);
	assert_int_equal(a.cmd, CLI_CMD_EVENTS);
	assert_null(a.name);
	assert_false(a.follow);
	assert_int_equal(parse(&a, "events", "-f", "web"), 0);
	assert_true(a.follow);
	assert_string_equal(a.name, "web");
	assert_int_equal(parse(&a, "events", "a", "b"), -EINVAL);
	assert_string_equal(errbuf, "events: unexpected argument 'b'");
}

static void test_global_options(void **state)
{
	struct cli_args a;

	assert_int_equal(parse(&a, "--socket", "/tmp/s", "-o", "json", "list"),
	                 0);
	assert_int_equal(a.cmd, CLI_CMD_LIST);
	assert_string_equal(a.socket, "/tmp/s");
	assert_int_equal(a.output, CLI_OUTPUT_JSON);
	/* After the command, and in the joined forms. */
	assert_int_equal(parse(&a, "list", "--socket=/x", "-ojson"), 0);
	assert_string_equal(a.socket, "/x");
	assert_int_equal(a.output, CLI_OUTPUT_JSON);
	assert_int_equal(parse(&a, "list", "--output=table"), 0);
	assert_int_equal(a.output, CLI_OUTPUT_TABLE);
	assert_int_equal(parse(&a, "list", "--output", "yaml"), -EINVAL);
	assert_string_equal(errbuf,
	                    "unknown output format 'yaml': use table or json");
	assert_int_equal(parse(&a, "list", "--socket"), -EINVAL);
	assert_string_equal(errbuf, "option --socket needs a value");
	assert_int_equal(parse(&a, "list", "--socket="), -EINVAL);
	/* A longer option that merely starts with "socket" is unknown. */
	assert_int_equal(parse(&a, "list", "--sockets", "x"), -EINVAL);
	assert_int_equal(parse(&a, "--bogus", "list"), -EINVAL);
	assert_string_equal(errbuf,
	                    "unknown option --bogus (before the command)");
}

static void test_socket_precedence(void **state)
{
	struct cli_args a;

	assert_int_equal(parse_env(&a, "/env.sock", "list", NULL), 0);
	assert_string_equal(a.socket, "/env.sock");
	assert_int_equal(parse_env(&a, "/env.sock", "--socket", "/opt.sock",
	                           "list", NULL),
	                 0);
	assert_string_equal(a.socket, "/opt.sock");
	/* An empty variable is as good as none. */
	assert_int_equal(parse_env(&a, "", "list", NULL), 0);
	assert_string_equal(a.socket, CLI_DEFAULT_SOCKET);
}

static void test_help_and_unknown(void **state)
{
	struct cli_args a;

	assert_int_equal(parse(&a, "stop", "-h"), 0);
	assert_int_equal(a.cmd, CLI_CMD_HELP);
	assert_string_equal(a.name, "stop");
	assert_int_equal(parse(&a, "--help"), 0);
	assert_int_equal(a.cmd, CLI_CMD_HELP);
	assert_null(a.name);
	assert_int_equal(parse(&a, "help", "deploy"), 0);
	assert_int_equal(a.cmd, CLI_CMD_HELP);
	assert_string_equal(a.name, "deploy");
	assert_int_equal(parse(&a, "version"), 0);
	assert_int_equal(a.cmd, CLI_CMD_VERSION);
	assert_int_equal(parse(&a, "version", "x"), -EINVAL);
	assert_int_equal(parse(&a, "lsit"), -EINVAL);
	assert_string_equal(errbuf,
	                    "unknown command 'lsit': see cloudabictl help");
	assert_int_equal(parse(&a, "status", ""), -EINVAL);
	assert_string_equal(errbuf, "status: empty argument");
}

static void test_double_dash(void **state)
{
	struct cli_args a;

	/* After "--" a name may start with '-'. */
	assert_int_equal(parse(&a, "status", "--", "-odd"), 0);
	assert_string_equal(a.name, "-odd");
	assert_int_equal(parse(&a, "status", "-odd"), -EINVAL);
}

static void test_complete(void **state)
{
	struct cli_args a;

	assert_int_equal(parse(&a, "__complete", "services"), 0);
	assert_int_equal(a.cmd, CLI_CMD_COMPLETE);
	assert_string_equal(a.name, "services");
	assert_int_equal(parse(&a, "__complete"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_no_command_is_help),
	        cmocka_unit_test(test_name_commands),
	        cmocka_unit_test(test_deploy),
	        cmocka_unit_test(test_logs_options),
	        cmocka_unit_test(test_events),
	        cmocka_unit_test(test_global_options),
	        cmocka_unit_test(test_socket_precedence),
	        cmocka_unit_test(test_help_and_unknown),
	        cmocka_unit_test(test_double_dash),
	        cmocka_unit_test(test_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
