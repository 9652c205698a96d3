/*
 * cli_args: a table of commands (name, how many names they take, which
 * options they accept) drives one small loop over argv; options take their
 * value as the next word or after '=' (long) or attached (short).
 */
#include "cli_args.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options a command accepts, besides the global ones. */
#define OPT_DRY_RUN 0x1
#define OPT_FOLLOW  0x2
#define OPT_LINES   0x4

/* Operand: what positional word a command takes. */
enum operand {
	OPERAND_NONE,
	OPERAND_NAME,          /* exactly one service name */
	OPERAND_OPTIONAL_NAME, /* zero or one */
	OPERAND_FILE,          /* exactly one file */
	OPERAND_WORD,          /* __complete: what to complete */
};

struct command_def {
	const char *name;
	enum cli_command cmd;
	enum operand operand;
	unsigned opts;
};

static const struct command_def commands[] = {
        {"deploy", CLI_CMD_DEPLOY, OPERAND_FILE, OPT_DRY_RUN},
        {"list", CLI_CMD_LIST, OPERAND_NONE, 0},
        {"status", CLI_CMD_STATUS, OPERAND_NAME, 0},
        {"start", CLI_CMD_START, OPERAND_NAME, 0},
        {"stop", CLI_CMD_STOP, OPERAND_NAME, 0},
        {"restart", CLI_CMD_RESTART, OPERAND_NAME, 0},
        {"remove", CLI_CMD_REMOVE, OPERAND_NAME, 0},
        {"logs", CLI_CMD_LOGS, OPERAND_NAME, OPT_FOLLOW | OPT_LINES},
        {"events", CLI_CMD_EVENTS, OPERAND_OPTIONAL_NAME, OPT_FOLLOW},
        {"version", CLI_CMD_VERSION, OPERAND_NONE, 0},
        {"help", CLI_CMD_HELP, OPERAND_OPTIONAL_NAME, 0},
        {"__complete", CLI_CMD_COMPLETE, OPERAND_WORD, 0},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Parser state across words. */
struct parser {
	int argc;
	char **argv;
	int i; /* index of the word being looked at */
	const struct command_def *def;
	const char *operand;
	int operands;
	bool help; /* -h or --help seen */
	struct cli_args *out;
	char *err;
	size_t errlen;
};

const char *cli_args_command_name(enum cli_command cmd)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

/* Records a usage error; always returns -EINVAL. */
static int usage_error(struct parser *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static int usage_error(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * If word is option long_name (--x, --x=V) or short_name (-c, -cV), sets
 * *value to its value (from '=', attached, or the next word) and returns
 * 1; 0 if it is another option; -EINVAL if the value is missing.
 */
static int take_value(struct parser *p, const char *long_name, char short_name,
                      const char **value)
{
	const char *w = p->argv[p->i];
	size_t n = strlen(long_name);

	if (strncmp(w, "--", 2) == 0 && strncmp(w + 2, long_name, n) == 0 &&
	    (w[n + 2] == '=' || w[n + 2] == '\0')) {
		if (w[n + 2] == '=') {
			*value = w + n + 3;
			return 1;
		}
	} else if (short_name != 0 && w[0] == '-' && w[1] == short_name) {
		if (w[2] != '\0') {
			*value = w + 2;
			return 1;
		}
	} else {
		return 0;
	}
	if (p->i + 1 >= p->argc)
		return usage_error(p, "option %s needs a value", w);
	*value = p->argv[++p->i];
	return 1;
}

/* Parses "-o FORMAT". */
static int set_output(struct parser *p, const char *v)
{
	if (strcmp(v, "table") == 0)
		p->out->output = CLI_OUTPUT_TABLE;
	else if (strcmp(v, "json") == 0)
		p->out->output = CLI_OUTPUT_JSON;
	else
		return usage_error(p,
		                   "unknown output format '%s': use table "
		                   "or json",
		                   v);
	return 0;
}

/* Parses "-n LINES": a decimal count up to UINT32_MAX. */
static int set_lines(struct parser *p, const char *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 ||
	    n > UINT32_MAX)
		return usage_error(p, "-n wants a number of lines, not '%s'",
		                   v);
	p->out->lines = (uint32_t)n;
	return 0;
}

/* True if this command accepts option bit opt. */
static bool accepts(const struct parser *p, unsigned opt)
{
	return p->def != NULL && (p->def->opts & opt) != 0;
}

/* Handles one word that starts with '-'; returns 0 or -EINVAL. */
static int parse_option(struct parser *p)
{
	const char *w = p->argv[p->i], *v;
	int rc;

	if ((rc = take_value(p, "socket", 0, &v)) != 0) {
		if (rc > 0 && v[0] == '\0')
			return usage_error(p, "--socket needs a path");
		if (rc > 0)
			p->out->socket = v;
		return rc < 0 ? rc : 0;
	}
	if ((rc = take_value(p, "output", 'o', &v)) != 0)
		return rc < 0 ? rc : set_output(p, v);
	if (strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0) {
		p->help = true;
		return 0;
	}
	if (accepts(p, OPT_DRY_RUN) && strcmp(w, "--dry-run") == 0) {
		p->out->dry_run = true;
		return 0;
	}
	if (accepts(p, OPT_FOLLOW) &&
	    (strcmp(w, "-f") == 0 || strcmp(w, "--follow") == 0)) {
		p->out->follow = true;
		return 0;
	}
	if (accepts(p, OPT_LINES) &&
	    (rc = take_value(p, "lines", 'n', &v)) != 0)
		return rc < 0 ? rc : set_lines(p, v);
	if (p->def == NULL)
		return usage_error(p, "unknown option %s (before the command)",
		                   w);
	return usage_error(p, "%s does not take option %s", p->def->name, w);
}

/* Handles a word that is not an option: the command, then operands. */
static int parse_word(struct parser *p, const char *w)
{
	size_t i;

	if (p->def == NULL) {
		for (i = 0; i < NCOMMANDS; i++)
			if (strcmp(commands[i].name, w) == 0)
				break;
		if (i == NCOMMANDS)
			return usage_error(p,
			                   "unknown command '%s': see "
			                   "cloudabictl help",
			                   w);
		p->def = &commands[i];
		p->out->cmd = commands[i].cmd;
		return 0;
	}
	if (p->def->operand == OPERAND_NONE || p->operands > 0)
		return usage_error(p, "%s: unexpected argument '%s'",
		                   p->def->name, w);
	if (w[0] == '\0')
		return usage_error(p, "%s: empty argument", p->def->name);
	p->operand = w;
	p->operands++;
	return 0;
}

/* Checks that the command got the operand it needs and stores it. */
static int finish(struct parser *p)
{
	const struct command_def *d = p->def;

	if (p->help || d == NULL) {
		/* "cloudabictl stop -h" is help about stop. */
		p->out->cmd = CLI_CMD_HELP;
		p->out->name = d != NULL && d->cmd != CLI_CMD_HELP ? d->name
		                                                   : p->operand;
		return 0;
	}
	if (p->operands == 0 &&
	    (d->operand == OPERAND_NAME || d->operand == OPERAND_FILE ||
	     d->operand == OPERAND_WORD))
		return usage_error(p, "%s needs %s", d->name,
		                   d->operand == OPERAND_FILE
		                           ? "a service file: deploy FILE"
		                           : "a service name");
	if (d->operand == OPERAND_FILE)
		p->out->file = p->operand;
	else
		p->out->name = p->operand;
	return 0;
}

int cli_args_parse(int argc, char **argv, const char *env_socket,
                   struct cli_args *out, char *err, size_t errlen)
{
	struct parser p = {.argc = argc,
	                   .argv = argv,
	                   .out = out,
	                   .err = err,
	                   .errlen = errlen};
	bool options_done = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	out->socket = env_socket != NULL && env_socket[0] != '\0'
	                      ? env_socket
	                      : CLI_DEFAULT_SOCKET;
	for (p.i = 1; p.i < argc; p.i++) {
		const char *w = argv[p.i];

		rc = 0;
		if (!options_done && strcmp(w, "--") == 0)
			options_done = true;
		else if (!options_done && w[0] == '-' && w[1] != '\0')
			rc = parse_option(&p);
		else
			rc = parse_word(&p, w);
		if (rc < 0)
			return rc;
	}
	return finish(&p);
}
