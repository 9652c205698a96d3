/*
 * harness: configuration access and failure reporting for conformance
 * test programs. See harness.h.
 */
#include "harness.h"

#include <program.h>
#include <sdk_fmt.h>
#include <sdk_io.h>
#include <sdk_string.h>

static argdata_t conf_config;
static int conf_log_fd = -1;
static unsigned conf_failures;

argdata_t conf_value(const char *key)
{
	argdata_map_iterator_t it;
	argdata_t k, v, none = {0};
	const char *s;

	if (argdata_map_iterate(&conf_config, &it) != 0)
		return none;
	while (argdata_map_next(&it, &k, &v) == 1)
		if (argdata_get_str_c(&k, &s) == 0 && strcmp(s, key) == 0)
			return v;
	return none;
}

int conf_fd(const char *key)
{
	argdata_t v = conf_value(key);
	uint32_t fd;

	if (argdata_get_fd(&v, &fd) != 0)
		return -1;
	return (int)fd;
}

cloudabi_fd_t conf_tmpdir(void)
{
	int fd = conf_fd("tmpdir");

	if (fd < 0)
		conf_fail(__FILE__, __LINE__, "configuration has no tmpdir");
	return (cloudabi_fd_t)fd;
}

void conf_log(const char *msg)
{
	if (conf_log_fd < 0)
		return;
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, msg);
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, "\n");
}

/* Writes "FAIL file:line: what" without the newline. */
static void conf_fail_prefix(const char *file, int line, const char *what)
{
	conf_failures++;
	if (conf_log_fd < 0)
		return;
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, "FAIL ");
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, file);
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, ":");
	sdk_io_write_i64((cloudabi_fd_t)conf_log_fd, line);
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, ": ");
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, what);
}

void conf_fail(const char *file, int line, const char *what)
{
	conf_fail_prefix(file, line, what);
	conf_log("");
}

void conf_fail_errno(const char *file, int line, const char *what, unsigned got,
                     unsigned want)
{
	conf_fail_prefix(file, line, what);
	if (conf_log_fd < 0)
		return;
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, ": errno ");
	sdk_io_write_i64((cloudabi_fd_t)conf_log_fd, got);
	sdk_io_write_str((cloudabi_fd_t)conf_log_fd, ", expected ");
	sdk_io_write_i64((cloudabi_fd_t)conf_log_fd, want);
	conf_log("");
}

void program_main(const argdata_t *ad)
{
	conf_config = *ad;
	conf_log_fd = conf_fd("log");
	conf_main();
	if (conf_failures != 0) {
		conf_log("conformance: FAILED");
		sdk_io_exit(1);
	}
	conf_log("conformance: ok");
}
