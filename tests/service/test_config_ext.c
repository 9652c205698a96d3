/*
 * Tests of what the service file added to runtime/config.c: the !log
 * resource, the service mode of !fd, and parsing one top-level key of a
 * larger document (config_parse_opts with root_key).
 */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cloudabi_types.h"
#include "config.h"

#define TAG "%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"

static const struct config_opts service_opts = {.root_key = "args",
                                                .service = true};

/* Parses with opts; expects rc and, on error, the message. */
static struct config *parse(const char *yaml, const struct config_opts *o,
                            int want_rc, const char *want_msg)
{
	struct config *cfg = NULL;
	struct config_error err;
	int rc = config_parse_opts("c.yaml", yaml, strlen(yaml), o, &cfg, &err);

	assert_int_equal(rc, want_rc);
	if (want_msg != NULL)
		assert_string_equal(err.msg, want_msg);
	return cfg;
}

static void test_log_only_for_services(void **state)
{
	parse(TAG "- !log\n", NULL, -EINVAL,
	      "c.yaml:3:3: !log is only for services run by cloudabid");
	struct config *cfg = parse(TAG "[!fd stdout, !fd 7]\n", NULL, 0, NULL);
	assert_int_equal(cfg->res[0].kind, CONFIG_FD);
	assert_int_equal(cfg->res[1].launcher_fd, 7);
	config_free(cfg);
	assert_string_equal(config_kind_name(CONFIG_LOG), "log");
}

static void test_service_fds(void **state)
{
	static const struct config_opts svc = {.service = true};
	struct config *cfg =
	        parse(TAG "[!log , !fd stdout, !fd stderr]\n", &svc, 0, NULL);

	assert_int_equal(cfg->nres, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(cfg->res[i].kind, CONFIG_LOG);
		assert_int_equal(cfg->res[i].fd, -1);
		assert_int_equal(cfg->res[i].node->u.fd, -1);
	}
	config_free(cfg);
	parse(TAG "[!fd 2, !fd 0]\n", &svc, -EINVAL,
	      "c.yaml:3:9: a service gets no fd 0 of the daemon: use !file, "
	      "!socket or !log");
	parse(TAG "[!log stdout]\n", &svc, -EINVAL,
	      "c.yaml:3:2: !log takes no value");
}

static void test_root_key(void **state)
{
	struct config *cfg =
	        parse(TAG "name: x\n"
	                  "other: {deep: [1, 2, {x: y}], t: !whatever z}\n"
	                  "args:\n"
	                  "  - !log\n"
	                  "  - 5\n"
	                  "after: 1\n",
	              &service_opts, 0, NULL);

	assert_int_equal(cfg->root->type, ADTREE_SEQ);
	assert_int_equal(cfg->root->u.list.count, 2);
	assert_int_equal(cfg->nres, 1);
	assert_int_equal(cfg->res[0].line, 6); /* of the whole document */
	assert_int_equal(cfg->res[0].column, 5);
	config_free(cfg);
	cfg = parse(TAG "name: x\n", &service_opts, 0, NULL);
	assert_int_equal(cfg->root->type, ADTREE_NULL);
	config_free(cfg);
	parse(TAG "- args\n", &service_opts, -EINVAL,
	      "c.yaml:3:1: the document must be a mapping");
	parse(TAG "x: &a 1\nargs: 2\n", &service_opts, -EINVAL,
	      "c.yaml:3:4: anchors and aliases are not supported");
	parse(TAG "args: 1\nargs: 2\n", &service_opts, -EINVAL,
	      "c.yaml:4:1: duplicate key 'args'");
	parse(TAG "args: {a: !file {path: /x, mode: bad}}\n", &service_opts,
	      -EINVAL,
	      "c.yaml:3:34: mode must be read, write, readwrite or append, "
	      "not 'bad'");
}

/* Skipped values count against the same bounds as built ones. */
static void test_root_key_bounds(void **state)
{
	char yaml[256] = TAG "x: ";

	for (int i = 0; i < CONFIG_MAX_DEPTH + 1; i++)
		strcat(yaml, "[");
	for (int i = 0; i < CONFIG_MAX_DEPTH + 1; i++)
		strcat(yaml, "]");
	strcat(yaml, "\n");
	struct config *cfg = NULL;
	struct config_error err;
	assert_int_equal(config_parse_opts("c.yaml", yaml, strlen(yaml),
	                                   &service_opts, &cfg, &err),
	                 -E2BIG);
	assert_string_equal(err.msg,
	                    "c.yaml:3:35: nested deeper than 32 levels");
}

static void test_resolve_log(void **state)
{
	struct config *cfg =
	        parse(TAG "args:\n- !log\n- !log\n", &service_opts, 0, NULL);
	struct config_error err;
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(config_resolve(cfg, -1, &err), -EBADF);
	assert_string_equal(err.msg, "c.yaml:4:3: no log fd to give");
	assert_int_equal(config_resolve_log(cfg, -1, p[1], &err), 0);
	assert_int_equal(cfg->res[0].fd, p[1]);
	assert_int_equal(cfg->res[1].node->u.fd, p[1]);
	assert_int_equal(cfg->res[0].filetype, CLOUDABI_FILETYPE_SOCKET_STREAM);
	assert_false(cfg->res[0].owned); /* borrowed */
	config_free(cfg);
	assert_int_equal(fcntl(p[1], F_GETFD), 0); /* still open */
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_log_only_for_services),
	        cmocka_unit_test(test_service_fds),
	        cmocka_unit_test(test_root_key),
	        cmocka_unit_test(test_root_key_bounds),
	        cmocka_unit_test(test_resolve_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
