/*
 * Tests of runtime/config.c: every tag and attribute, exact encoded bytes,
 * every parse error with its exact "file:line:column: message", and
 * resolving real files, directories and sockets.
 */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cloudabi_types.h"
#include "config.h"

#define TAG "%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"
/* The same for printf-style formats. */
#define TAGF "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"

/* Parses yaml (named t.yaml) and fails the test on error. */
static struct config *parse_ok(const char *yaml)
{
	struct config *cfg = NULL;
	struct config_error err;
	int rc = config_parse("t.yaml", yaml, strlen(yaml), &cfg, &err);

	if (rc != 0)
		fail_msg("parse failed (%d): %s", rc, err.msg);
	return cfg;
}

/* Encodes cfg's tree with renumbering and compares with want[]. */
static void expect_bytes(const struct config *cfg, const uint8_t *want,
                         size_t wlen, size_t want_nfds)
{
	uint8_t *buf;
	size_t len, nfds;
	int *fds;

	assert_int_equal(adtree_encode(cfg->root, ADTREE_FD_RENUMBER, &buf,
	                               &len, &fds, &nfds),
	                 0);
	assert_int_equal(len, wlen);
	if (wlen > 0)
		assert_memory_equal(buf, want, wlen);
	assert_int_equal(nfds, want_nfds);
	free(buf);
	free(fds);
}

/* Parses yaml and checks the encoded bytes (no fds expected). */
static void expect_doc(const char *yaml, const uint8_t *want, size_t wlen)
{
	struct config *cfg = parse_ok(yaml);

	expect_bytes(cfg, want, wlen, 0);
	config_free(cfg);
}

#define EXPECT_DOC(yaml, ...)                                                  \
	do {                                                                   \
		static const uint8_t w_[] = {__VA_ARGS__};                     \
		expect_doc(yaml, w_, sizeof(w_));                              \
	} while (0)

/* The manual's hello.yaml: three !fd stdout share fd index 0. */
static void test_hello(void **state)
{
	static const uint8_t want[] = {0x07, 0x85, 0x03, 0, 0, 0, 0,
	                               0x85, 0x03, 0,    0, 0, 0, 0x85,
	                               0x03, 0,    0,    0, 0};
	struct config *cfg =
	        parse_ok(TAG "- !fd stdout\n- !fd stdout\n- !fd stdout\n");
	uint8_t *buf;
	size_t len, nfds;
	int *fds;

	assert_int_equal(cfg->nres, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(cfg->res[i].kind, CONFIG_FD);
		assert_int_equal(cfg->res[i].launcher_fd, 1);
		assert_int_equal(cfg->res[i].line, 3 + (int)i);
		assert_int_equal(cfg->res[i].column, 3);
	}
	assert_int_equal(adtree_encode(cfg->root, ADTREE_FD_RENUMBER, &buf,
	                               &len, &fds, &nfds),
	                 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(nfds, 1);
	assert_int_equal(fds[0], 1);
	free(buf);
	free(fds);
	config_free(cfg);
}

/* The contract's worked examples and the scalar types. */
static void test_scalars(void **state)
{
	EXPECT_DOC("[!!int 0, !!bool true, A]", 0x07, 0x81, 0x05, 0x82, 0x02,
	           0x01, 0x83, 0x08, 0x41, 0x00);
	EXPECT_DOC("- ~\n-\n", 0x07, 0x80, 0x80);
	EXPECT_DOC("[!!null , !!null null]", 0x07, 0x80, 0x80);
	EXPECT_DOC("!!int -129", 0x05, 0xff, 0x7f);
	EXPECT_DOC("!!int 255", 0x05, 0x00, 0xff);
	EXPECT_DOC("!!int 0x10", 0x05, 0x10);
	EXPECT_DOC("!!int 0o17", 0x05, 0x0f);
	EXPECT_DOC("!!int +7", 0x05, 0x07);
	EXPECT_DOC("!!int -0", 0x05);
	EXPECT_DOC("!!int -9223372036854775808", 0x05, 0x80, 0, 0, 0, 0, 0, 0,
	           0);
	EXPECT_DOC("!!int 18446744073709551615", 0x05, 0x00, 0xff, 0xff, 0xff,
	           0xff, 0xff, 0xff, 0xff, 0xff);
	EXPECT_DOC("!!bool false", 0x02);
	EXPECT_DOC("!!float 1.5", 0x04, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0);
	EXPECT_DOC("!!float -.inf", 0x04, 0xff, 0xf0, 0, 0, 0, 0, 0, 0);
	EXPECT_DOC("!!binary aGk=", 0x01, 'h', 'i');
	/* Untagged scalars are strings, whatever they look like. */
	EXPECT_DOC("42", 0x08, '4', '2', 0);
	EXPECT_DOC("true", 0x08, 't', 'r', 'u', 'e', 0);
	EXPECT_DOC("'~'", 0x08, '~', 0);
	EXPECT_DOC("! 7", 0x08, '7', 0);
	EXPECT_DOC("!!str 7", 0x08, '7', 0);

	/* An empty stream is null. */
	struct config *cfg = parse_ok("");
	assert_int_equal(cfg->root->type, ADTREE_NULL);
	config_free(cfg);
}

/* Containers, and the contract's map example with an fd. */
static void test_containers(void **state)
{
	static const uint8_t want[] = {0x06, 0x83, 0x08, 0x61, 0x00, 0x82, 0x05,
	                               0x01, 0x84, 0x08, 0x66, 0x64, 0x00, 0x85,
	                               0x03, 0x00, 0x00, 0x00, 0x00};
	struct config *cfg = parse_ok(TAG "{a: !!int 1, fd: !fd 7}");

	expect_bytes(cfg, want, sizeof(want), 1);
	assert_int_equal(cfg->res[0].launcher_fd, 7);
	config_free(cfg);
	EXPECT_DOC("!!seq [a]", 0x07, 0x83, 0x08, 'a', 0);
	EXPECT_DOC("!!map {a: b}", 0x06, 0x83, 0x08, 'a', 0, 0x83, 0x08, 'b',
	           0);
	EXPECT_DOC("[[], {}]", 0x07, 0x81, 0x07, 0x81, 0x06);
	/* Keys may be any value; duplicates in plain maps are kept. */
	EXPECT_DOC("{!!int 1: x, a: b, a: c}", 0x06, 0x82, 0x05, 0x01, 0x83,
	           0x08, 'x', 0, 0x83, 0x08, 'a', 0, 0x83, 0x08, 'b', 0, 0x83,
	           0x08, 'a', 0, 0x83, 0x08, 'c', 0);
}

/* !file attributes, defaults first. */
static void test_file_attrs(void **state)
{
	struct config *cfg = parse_ok(
	        TAG "a: !file {path: /x}\n"
	            "b: !file\n"
	            "  path: /y\n"
	            "  mode: append\n"
	            "  create: true\n"
	            "  exclusive: true\n"
	            "  rights: [fd_write, file_stat_fget]\n"
	            "c: !file {path: /z, mode: write, truncate: true, "
	            "rights: read-only}\n"
	            "d: !file {path: /w, mode: readwrite, create: false}\n");
	const struct config_resource *r = cfg->res;

	assert_int_equal(cfg->nres, 4);
	assert_int_equal(r[0].kind, CONFIG_FILE);
	assert_string_equal(r[0].path, "/x");
	assert_int_equal(r[0].mode, CONFIG_MODE_READ);
	assert_false(r[0].create || r[0].truncate || r[0].exclusive);
	assert_int_equal(r[0].rights_kind, CONFIG_RIGHTS_DEFAULT);
	assert_int_equal(r[0].line, 3);
	assert_int_equal(r[0].column, 4);
	assert_int_equal(r[0].fd, -1);
	assert_int_equal(r[0].node->u.fd, -1);

	assert_string_equal(r[1].path, "/y");
	assert_int_equal(r[1].mode, CONFIG_MODE_APPEND);
	assert_true(r[1].create && r[1].exclusive && !r[1].truncate);
	assert_int_equal(r[1].rights_kind, CONFIG_RIGHTS_LIST);
	assert_int_equal(r[1].rights_list,
	                 CLOUDABI_RIGHT_FD_WRITE |
	                         CLOUDABI_RIGHT_FILE_STAT_FGET);

	assert_int_equal(r[2].mode, CONFIG_MODE_WRITE);
	assert_true(r[2].truncate);
	assert_int_equal(r[2].rights_kind, CONFIG_RIGHTS_PRESET);
	assert_int_equal(r[2].preset, RIGHTS_PRESET_READ_ONLY);
	assert_int_equal(r[3].mode, CONFIG_MODE_READWRITE);
	assert_false(r[3].create);
	/* Unresolved nodes each get their own index. */
	static const uint8_t want[] = {
	        0x06, 0x83, 0x08, 'a',  0,    0x85, 0x03, 0, 0, 0,    0,
	        0x83, 0x08, 'b',  0,    0x85, 0x03, 0,    0, 0, 1,    0x83,
	        0x08, 'c',  0,    0x85, 0x03, 0,    0,    0, 2, 0x83, 0x08,
	        'd',  0,    0x85, 0x03, 0,    0,    0,    3};
	expect_bytes(cfg, want, sizeof(want), 4);
	config_free(cfg);
}

/* !socket and !executable attributes. */
static void test_socket_attrs(void **state)
{
	struct config *cfg =
	        parse_ok(TAG "- !socket {bind: '[::]:12345'}\n"
	                     "- !socket {connect: /run/x.sock, type: dgram}\n"
	                     "- !socket {bind: 'localhost:0', type: seqpacket,"
	                     " rights: no-exec}\n"
	                     "- !executable\n"
	                     "- !executable ''\n");
	const struct config_resource *r = cfg->res;

	assert_int_equal(cfg->nres, 5);
	assert_int_equal(r[0].kind, CONFIG_SOCKET);
	assert_string_equal(r[0].path, "[::]:12345");
	assert_false(r[0].connect);
	assert_int_equal(r[0].socktype, CONFIG_SOCK_STREAM);
	assert_true(r[1].connect);
	assert_string_equal(r[1].path, "/run/x.sock");
	assert_int_equal(r[1].socktype, CONFIG_SOCK_DGRAM);
	assert_int_equal(r[2].socktype, CONFIG_SOCK_SEQPACKET);
	assert_int_equal(r[2].preset, RIGHTS_PRESET_NO_EXEC);
	assert_int_equal(r[3].kind, CONFIG_EXECUTABLE);
	assert_int_equal(r[4].kind, CONFIG_EXECUTABLE);
	assert_string_equal(config_kind_name(r[3].kind), "executable");
	config_free(cfg);
}

struct error_case {
	const char *yaml;
	int rc;
	const char *msg;
};

/* Every parse error, with its exact message and position. */
static const struct error_case error_cases[] = {
        {"- !fd stdout\n", -EINVAL,
         "t.yaml:1:3: tag !fd needs the line "
         "'%TAG ! tag:nuxi.nl,2015:cloudabi/' at the top of the file"},
        {TAG "- !fd stdout\n- !sockit {bind: x}\n", -EINVAL,
         "t.yaml:4:3: unknown tag !sockit"},
        {TAG "- !<tag:example.com,2000:x> a\n", -EINVAL,
         "t.yaml:3:3: unknown tag tag:example.com,2000:x"},
        {TAG "- !!timestamp 2001-01-01\n", -EINVAL,
         "t.yaml:3:3: unknown tag !!timestamp"},
        {TAG "- !fd {a: b}\n", -EINVAL, "t.yaml:3:3: !fd needs a scalar"},
        {TAG "- !file x\n", -EINVAL,
         "t.yaml:3:3: !file needs a mapping, not a scalar"},
        {TAG "- !socket [x]\n", -EINVAL,
         "t.yaml:3:3: !socket needs a mapping, not a sequence"},
        {TAG "- !!seq a\n", -EINVAL,
         "t.yaml:3:3: !!seq needs a sequence, not a scalar"},
        {TAG "- !!map [a]\n", -EINVAL, "t.yaml:3:3: !!map needs a mapping"},
        {TAG "- !!str [a]\n", -EINVAL, "t.yaml:3:3: !!str needs a scalar"},
        {TAG "- !file {}\n", -EINVAL,
         "t.yaml:3:3: !file needs a path attribute"},
        {TAG "- !file {path: a, path: b}\n", -EINVAL,
         "t.yaml:3:19: duplicate attribute 'path'"},
        {TAG "- !file {path: a, color: b}\n", -EINVAL,
         "t.yaml:3:19: unknown attribute 'color' of !file"},
        {TAG "- !socket {path: a}\n", -EINVAL,
         "t.yaml:3:12: unknown attribute 'path' of !socket"},
        {TAG "- !file {path: ''}\n", -EINVAL,
         "t.yaml:3:16: path must be a non-empty string"},
        {TAG "- !file {path: [a]}\n", -EINVAL,
         "t.yaml:3:16: path must be a scalar"},
        {TAG "- !file {path: !!int 1}\n", -EINVAL,
         "t.yaml:3:16: path must be a plain string"},
        {TAG "- !file {path: a, create: true}\n", -EINVAL,
         "t.yaml:3:3: create and truncate need a mode that writes"},
        {TAG "- !file {path: a, mode: write, exclusive: true}\n", -EINVAL,
         "t.yaml:3:3: exclusive needs create: true"},
        {TAG "- !file {path: a, mode: exec}\n", -EINVAL,
         "t.yaml:3:25: mode must be read, write, readwrite or append, "
         "not 'exec'"},
        {TAG "- !file {path: a, mode: write, create: yes}\n", -EINVAL,
         "t.yaml:3:40: create must be true or false, not 'yes'"},
        {TAG "- !file {path: a, rights: [fd_read, fd_flurb]}\n", -EINVAL,
         "t.yaml:3:37: unknown right 'fd_flurb'"},
        {TAG "- !file {path: a, rights: all}\n", -EINVAL,
         "t.yaml:3:27: unknown rights preset 'all'"},
        {TAG "- !file {path: a, rights: {a: b}}\n", -EINVAL,
         "t.yaml:3:27: rights must be a preset name or a list of rights"},
        {TAG "- !fd 99999999999\n", -EINVAL,
         "t.yaml:3:3: fd number out of range: 99999999999"},
        {TAG "- !fd -1\n", -EINVAL,
         "t.yaml:3:3: !fd needs stdout, stderr or a decimal fd, not '-1'"},
        {TAG "- !fd 0x1\n", -EINVAL,
         "t.yaml:3:3: !fd needs stdout, stderr or a decimal fd, not '0x1'"},
        {TAG "- !executable foo\n", -EINVAL,
         "t.yaml:3:3: !executable takes no value"},
        {TAG "- !!int 12a\n", -EINVAL, "t.yaml:3:3: bad integer: '12a'"},
        {TAG "- !!int ''\n", -EINVAL, "t.yaml:3:3: bad integer: ''"},
        {TAG "- !!int 18446744073709551616\n", -EINVAL,
         "t.yaml:3:3: integer out of range: 18446744073709551616"},
        {TAG "- !!int -9223372036854775809\n", -EINVAL,
         "t.yaml:3:3: integer out of range: -9223372036854775809"},
        {TAG "- !!bool yes\n", -EINVAL,
         "t.yaml:3:3: bad bool: 'yes' (true or false)"},
        {TAG "- !!float 1.5x\n", -EINVAL, "t.yaml:3:3: bad float: '1.5x'"},
        {TAG "- !!float inf\n", -EINVAL, "t.yaml:3:3: bad float: 'inf'"},
        {TAG "- !!null x\n", -EINVAL, "t.yaml:3:3: bad null: 'x'"},
        {TAG "- !!binary a*==\n", -EINVAL,
         "t.yaml:3:3: bad base64 in !!binary"},
        {TAG "- \"a\\0b\"\n", -EINVAL,
         "t.yaml:3:3: string contains a NUL character"},
        {TAG "- a\n---\n- b\n", -EINVAL, "t.yaml:4:1: more than one document"},
        {TAG "- &x a\n- *x\n", -EINVAL,
         "t.yaml:3:3: anchors and aliases are not supported"},
        {TAG "- !file {path: &p a}\n", -EINVAL,
         "t.yaml:3:16: anchors and aliases are not supported"},
        {TAG "- !socket {bind: '1.2.3.4:99999'}\n", -EINVAL,
         "t.yaml:3:18: bad port '99999' (0 to 65535)"},
        {TAG "- !socket {bind: 'h:'}\n", -EINVAL,
         "t.yaml:3:18: bad port '' (0 to 65535)"},
        {TAG "- !socket {bind: '::1:80'}\n", -EINVAL,
         "t.yaml:3:18: bad address '::1:80' (a /path, host:port or "
         "[ipv6]:port)"},
        {TAG "- !socket {bind: /a, connect: /b}\n", -EINVAL,
         "t.yaml:3:3: !socket takes bind or connect, not both"},
        {TAG "- !socket {type: stream}\n", -EINVAL,
         "t.yaml:3:3: !socket needs a bind or connect attribute"},
        {TAG "- !socket {bind: /a, type: raw}\n", -EINVAL,
         "t.yaml:3:28: type must be stream, dgram or seqpacket, not 'raw'"},
        /* libyaml's own errors, in the same format. */
        {TAG "- [a, b\n", -EINVAL,
         "t.yaml:4:1: did not find expected ',' or ']' while parsing a "
         "flow sequence"},
        {"\"abc\n", -EINVAL,
         "t.yaml:2:1: found unexpected end of stream while scanning a "
         "quoted scalar"},
        {"a: b\nc: \"\xc3\x28\"\n", -EINVAL,
         "t.yaml:2:6: invalid trailing UTF-8 octet"},
        {"a: b\n- c\n", -EINVAL,
         "t.yaml:2:1: did not find expected key while parsing a block "
         "mapping"},
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]);
	     i++) {
		const struct error_case *c = &error_cases[i];
		struct config *cfg = NULL;
		struct config_error err;
		int rc = config_parse("t.yaml", c->yaml, strlen(c->yaml), &cfg,
		                      &err);
		if (rc != c->rc || strcmp(err.msg, c->msg) != 0)
			fail_msg("case %zu: got %d '%s', want %d '%s'", i, rc,
			         err.msg, c->rc, c->msg);
		assert_null(cfg);
	}
}

/* The bounds: depth, node count, resource count, size. */
static void test_bounds(void **state)
{
	char *buf = malloc(CONFIG_MAX_SIZE + 2);
	struct config *cfg = NULL;
	struct config_error err;
	size_t n;

	assert_non_null(buf);
	/* 32 nested sequences are fine, 33 are not. */
	n = 0;
	for (int i = 0; i < CONFIG_MAX_DEPTH; i++)
		buf[n++] = '[';
	for (int i = 0; i < CONFIG_MAX_DEPTH; i++)
		buf[n++] = ']';
	assert_int_equal(config_parse("t.yaml", buf, n, &cfg, &err), 0);
	config_free(cfg);
	memmove(buf + 1, buf, n);
	buf[0] = '[';
	buf[++n] = ']';
	n++;
	assert_int_equal(config_parse("t.yaml", buf, n, &cfg, &err), -E2BIG);
	assert_string_equal(err.msg, "t.yaml:1:33: nested deeper than 32 "
	                             "levels");

	n = (size_t)sprintf(buf, TAGF "[");
	for (int i = 0; i <= CONFIG_MAX_RESOURCES; i++)
		n += (size_t)sprintf(buf + n, "!fd 1,");
	n += (size_t)sprintf(buf + n, "]");
	assert_int_equal(config_parse("t.yaml", buf, n, &cfg, &err), -E2BIG);
	assert_string_equal(err.msg, "t.yaml:3:1538: more than 256 resources");

	n = (size_t)sprintf(buf, "[");
	for (int i = 0; i < CONFIG_MAX_NODES; i++)
		n += (size_t)sprintf(buf + n, "a,");
	n += (size_t)sprintf(buf + n, "]");
	assert_int_equal(config_parse("t.yaml", buf, n, &cfg, &err), -E2BIG);
	assert_string_equal(err.msg, "t.yaml:1:131072: more than 65536 nodes");

	memset(buf, ' ', CONFIG_MAX_SIZE + 1);
	assert_int_equal(
	        config_parse("t.yaml", buf, CONFIG_MAX_SIZE + 1, &cfg, &err),
	        -E2BIG);
	assert_string_equal(err.msg, "t.yaml: larger than 1048576 bytes");
	assert_int_equal(err.line, 0);
	free(buf);
}

/* A private temporary directory for the resolve tests. */
static char tmpdir[64];

static int setup_tmp(void **state)
{
	strcpy(tmpdir, "/tmp/cfgtest.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Parses a document built with printf-style arguments. */
__attribute__((format(printf, 1, 2))) static struct config *
parse_fmt(const char *fmt, ...)
{
	char yaml[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(yaml, sizeof(yaml), fmt, ap);
	va_end(ap);
	return parse_ok(yaml);
}

/* Resolves cfg and fails the test on error. */
static void resolve_ok(struct config *cfg, int exe)
{
	struct config_error err;
	int rc = config_resolve(cfg, exe, &err);

	if (rc != 0)
		fail_msg("resolve failed (%d): %s", rc, err.msg);
}

/* A regular file for reading, a directory, and a created file. */
static void test_resolve_files(void **state)
{
	char path[128], got[8] = {0};
	int fd;

	snprintf(path, sizeof(path), "%s/in.txt", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);

	struct config *cfg = parse_fmt(
	        TAGF
	        "in: !file {path: %s}\n"
	        "dir: !file {path: %s}\n"
	        "out: !file {path: %s/out.txt, mode: write, create: true}\n",
	        path, tmpdir, tmpdir);
	resolve_ok(cfg, -1);
	struct config_resource *r = cfg->res;

	assert_true(r[0].fd >= 0 && r[0].owned);
	assert_int_equal(r[0].node->u.fd, r[0].fd);
	assert_int_equal(read(r[0].fd, got, 5), 5);
	assert_string_equal(got, "hello");
	assert_int_equal(r[0].filetype, CLOUDABI_FILETYPE_REGULAR_FILE);
	assert_true(r[0].rights.base & CLOUDABI_RIGHT_FD_READ);
	assert_false(r[0].rights.base & CLOUDABI_RIGHT_FD_WRITE);
	assert_true(fcntl(r[0].fd, F_GETFD) & FD_CLOEXEC);

	/* The directory fd is usable for openat. */
	assert_int_equal(r[1].filetype, CLOUDABI_FILETYPE_DIRECTORY);
	fd = openat(r[1].fd, "in.txt", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	assert_true(r[1].rights.base & CLOUDABI_RIGHT_FILE_CREATE_FILE);
	assert_true(r[1].rights.inheriting & CLOUDABI_RIGHT_FD_WRITE);

	assert_int_equal(write(r[2].fd, "x", 1), 1);
	assert_true(r[2].rights.base & CLOUDABI_RIGHT_FD_WRITE);
	assert_false(r[2].rights.base & CLOUDABI_RIGHT_FD_READ);
	snprintf(path, sizeof(path), "%s/out.txt", tmpdir);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(config_resolve(cfg, -1, NULL), -EALREADY);

	/* config_free closes what resolve opened. */
	fd = r[0].fd;
	config_free(cfg);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

/* Narrowing with a list and with presets; widening is refused. */
static void test_resolve_rights(void **state)
{
	struct config *cfg = parse_fmt(
	        TAGF "- !file {path: %s, rights: [file_open, fd_read]}\n"
	             "- !file {path: %s, rights: read-only}\n"
	             "- !file {path: %s/a, mode: append, create: true}\n",
	        tmpdir, tmpdir, tmpdir);
	struct config_error err;

	resolve_ok(cfg, -1);
	assert_int_equal(cfg->res[0].rights.base, CLOUDABI_RIGHT_FILE_OPEN);
	assert_int_equal(cfg->res[0].rights.inheriting,
	                 CLOUDABI_RIGHT_FILE_OPEN | CLOUDABI_RIGHT_FD_READ);
	assert_false(cfg->res[1].rights.base & CLOUDABI_RIGHT_FILE_UNLINK);
	assert_true(cfg->res[1].rights.base & CLOUDABI_RIGHT_FILE_READDIR);
	assert_false(cfg->res[1].rights.inheriting & CLOUDABI_RIGHT_FD_WRITE);
	assert_true(cfg->res[1].rights.inheriting & CLOUDABI_RIGHT_FD_READ);
	assert_false(cfg->res[2].rights.base & CLOUDABI_RIGHT_FD_SEEK);
	assert_false(cfg->res[2].rights.base &
	             CLOUDABI_RIGHT_FD_STAT_PUT_FLAGS);
	assert_true(cfg->res[2].rights.base & CLOUDABI_RIGHT_FD_WRITE);
	config_free(cfg);

	/* A read-only file cannot be granted fd_write. */
	cfg = parse_fmt(TAGF
	                "- !file {path: %s/a, rights: [fd_read, fd_write]}",
	                tmpdir);
	assert_int_equal(config_resolve(cfg, -1, &err), -EPERM);
	assert_string_equal(err.msg, "t.yaml:3:3: right fd_write is not "
	                             "granted to a regular_file");
	assert_int_equal(cfg->res[0].fd, -1);
	assert_int_equal(cfg->res[0].node->u.fd, -1);
	config_free(cfg);
}

/* A UNIX socket is bound and listening: a client can connect. */
static void test_resolve_unix(void **state)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct config_error err;
	struct config *cfg;
	int c;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s.sock", tmpdir);
	cfg = parse_fmt(TAGF "!socket {bind: %s}", sun.sun_path);
	resolve_ok(cfg, -1);
	assert_int_equal(cfg->res[0].filetype, CLOUDABI_FILETYPE_SOCKET_STREAM);
	assert_true(cfg->res[0].rights.base & CLOUDABI_RIGHT_SOCK_SHUTDOWN);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(c);

	/* Binding the same path again: EADDRINUSE, with position. */
	struct config *again =
	        parse_fmt(TAGF "- a\n- !socket {bind: %s}", sun.sun_path);
	assert_int_equal(config_resolve(again, -1, &err), -EADDRINUSE);
	char want[256];
	snprintf(want, sizeof(want),
	         "t.yaml:4:3: cannot bind %s: Address already in use",
	         sun.sun_path);
	assert_string_equal(err.msg, want);
	config_free(again);

	/* A connect: socket reaches the listening one. */
	again = parse_fmt(TAGF "!socket {connect: %s}", sun.sun_path);
	resolve_ok(again, -1);
	assert_true(again->res[0].fd >= 0);
	config_free(again);
	config_free(cfg);
	/* Closing the bound socket removed its file. */
	assert_int_equal(access(sun.sun_path, F_OK), -1);
}

/* TCP on 127.0.0.1:0 listens; UDP does not need to. */
static void test_resolve_tcp(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct config *cfg =
	        parse_ok(TAG "- !socket {bind: '127.0.0.1:0'}\n"
	                     "- !socket {bind: '127.0.0.1:0', type: dgram}\n");
	int c;

	resolve_ok(cfg, -1);
	assert_int_equal(
	        getsockname(cfg->res[0].fd, (struct sockaddr *)&sin, &len), 0);
	assert_int_not_equal(sin.sin_port, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
	close(c);
	assert_int_equal(cfg->res[1].filetype, CLOUDABI_FILETYPE_SOCKET_DGRAM);
	assert_true(cfg->res[1].rights.inheriting & CLOUDABI_RIGHT_FILE_OPEN);
	config_free(cfg);
}

/* !fd and !executable borrow fds; release_fds hands owned ones over. */
static void test_resolve_borrowed(void **state)
{
	struct config_error err;
	struct config *cfg = parse_fmt(TAGF "- !fd stderr\n- !executable\n"
	                                    "- !file {path: %s}\n",
	                               tmpdir);
	int p[2], kept;

	assert_int_equal(pipe(p), 0);
	resolve_ok(cfg, p[0]);
	assert_int_equal(cfg->res[0].fd, 2);
	assert_false(cfg->res[0].owned);
	assert_int_equal(cfg->res[1].fd, p[0]);
	assert_false(cfg->res[1].owned);
	kept = cfg->res[2].fd;
	config_release_fds(cfg);
	config_free(cfg);
	/* Borrowed and released fds all stay open. */
	assert_int_not_equal(fcntl(p[0], F_GETFD), -1);
	assert_int_not_equal(fcntl(kept, F_GETFD), -1);
	close(kept);
	close(p[0]);
	close(p[1]);

	cfg = parse_ok(TAG "- !executable\n");
	assert_int_equal(config_resolve(cfg, -1, &err), -EBADF);
	assert_string_equal(err.msg, "t.yaml:3:3: no executable fd to give");
	config_free(cfg);

	/* A failed resolve closes what it had opened so far. */
	cfg = parse_fmt(TAGF "- !file {path: %s}\n- !file {path: %s/nope}\n",
	                tmpdir, tmpdir);
	assert_int_equal(config_resolve(cfg, -1, &err), -ENOENT);
	char want[256];
	snprintf(want, sizeof(want),
	         "t.yaml:4:3: cannot open %s/nope: No such file or directory",
	         tmpdir);
	assert_string_equal(err.msg, want);
	assert_int_equal(cfg->res[0].fd, -1);
	assert_false(cfg->res[0].owned);
	config_free(cfg);

	cfg = parse_ok(TAG "- !fd 1000\n");
	assert_int_equal(config_resolve(cfg, -1, &err), -EBADF);
	assert_string_equal(err.msg,
	                    "t.yaml:3:3: fd 1000: Bad file descriptor");
	config_free(cfg);
}

/* config_parse_fd reads a whole file. */
static void test_parse_fd(void **state)
{
	int p[2];
	struct config *cfg = NULL;
	struct config_error err;
	const char *doc = TAG "- !fd stdout\n";

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], doc, strlen(doc)), (ssize_t)strlen(doc));
	close(p[1]);
	assert_int_equal(config_parse_fd("pipe.yaml", p[0], &cfg, &err), 0);
	close(p[0]);
	assert_int_equal(cfg->nres, 1);
	assert_string_equal(cfg->name, "pipe.yaml");
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hello),
	        cmocka_unit_test(test_scalars),
	        cmocka_unit_test(test_containers),
	        cmocka_unit_test(test_file_attrs),
	        cmocka_unit_test(test_socket_attrs),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_bounds),
	        cmocka_unit_test(test_resolve_files),
	        cmocka_unit_test(test_resolve_rights),
	        cmocka_unit_test(test_resolve_unix),
	        cmocka_unit_test(test_resolve_tcp),
	        cmocka_unit_test(test_resolve_borrowed),
	        cmocka_unit_test(test_parse_fd),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
