/* Unit tests of policies/grant: normalisation, prefix boundaries, socket
 * patterns, users, whole services, and symlink escapes in a temp dir. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "grant.h"
#include "service.h"

#define HEAD                                                                   \
	"%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"                             \
	"name: web\n"                                                          \
	"executable: /bin/web\n"

/* HEAD as a printf format. */
#define HEADF                                                                  \
	"%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"                            \
	"name: web\n"                                                          \
	"executable: /bin/web\n"

/* The refusals of one grant_check. */
struct denials {
	size_t n;
	char msg[8][512];
	int line[8];
};

static void collect(const struct config_error *e, void *ctx)
{
	struct denials *d = ctx;

	if (d->n < 8) {
		snprintf(d->msg[d->n], sizeof(d->msg[0]), "%s", e->msg);
		d->line[d->n] = e->line;
	}
	d->n++;
}

/* Parses yaml (must be valid) and checks it against p. */
static size_t check(const struct grant_policy *p, const char *yaml,
                    grant_resolve_fn resolve, struct denials *d)
{
	struct service_errors errs;
	struct service *svc = NULL;
	size_t n;
	int rc = service_parse("svc.yaml", yaml, strlen(yaml), &svc, &errs);

	if (rc != 0)
		fail_msg("parse: %s", errs.count ? errs.e[0].msg : "?");
	memset(d, 0, sizeof(*d));
	n = grant_check(p, svc, resolve, NULL, collect, d);
	assert_int_equal(n, d->n);
	service_free(svc);
	return n;
}

static void test_normalize(void **unused)
{
	char out[64];

	(void)unused;
	assert_int_equal(grant_normalize("/srv//www/./a/", out, sizeof(out)),
	                 0);
	assert_string_equal(out, "/srv/www/a");
	assert_int_equal(grant_normalize("/", out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(grant_normalize("//./", out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(grant_normalize("/a/...", out, sizeof(out)), 0);
	assert_string_equal(out, "/a/...");
	assert_int_equal(grant_normalize("srv/www", out, sizeof(out)), -EINVAL);
	assert_int_equal(grant_normalize("", out, sizeof(out)), -EINVAL);
	assert_int_equal(grant_normalize("/srv/../etc", out, sizeof(out)),
	                 -EINVAL);
	assert_int_equal(grant_normalize("/srv/www/..", out, sizeof(out)),
	                 -EINVAL);
	assert_int_equal(grant_normalize("/abcdefgh", out, 8), -ENAMETOOLONG);
	assert_int_equal(grant_normalize("/abcdef", out, 8), 0);
}

static void test_prefix_boundaries(void **unused)
{
	struct grant_policy p;

	(void)unused;
	grant_policy_init(&p);
	assert_false(grant_path_allowed(&p, "/srv/www"));
	assert_int_equal(grant_policy_add_path(&p, "/srv/www/"), 0);
	assert_true(grant_path_allowed(&p, "/srv/www"));
	assert_true(grant_path_allowed(&p, "/srv/www/a/b"));
	assert_false(grant_path_allowed(&p, "/srv/wwwx"));
	assert_false(grant_path_allowed(&p, "/srv/wwwx/a"));
	assert_false(grant_path_allowed(&p, "/srv/ww"));
	assert_false(grant_path_allowed(&p, "/srv"));
	assert_false(grant_path_allowed(&p, "/"));
	assert_true(grant_path_beneath("/etc", "/"));
	assert_int_equal(grant_policy_add_path(&p, "srv"), -EINVAL);
	assert_int_equal(grant_policy_add_path(&p, "/srv/www/../.."), -EINVAL);
	for (size_t i = p.npaths; i < GRANT_MAX_RULES; i++)
		assert_int_equal(grant_policy_add_path(&p, "/x"), 0);
	assert_int_equal(grant_policy_add_path(&p, "/x"), -E2BIG);
	grant_policy_free(&p);
	assert_int_equal(p.npaths, 0);
}

static void test_socket_patterns(void **unused)
{
	static const char *bad[] = {
	        "80",     "host:",       "host:70000", "h:9-8",  ":80",
	        "::1:80", "[::1:80",     "[]:80",      "h:1-",   "h:-2",
	        "h:8x",   "/run/../etc", "h:123456",   "h:*-80",
	};
	struct grant_policy p;

	(void)unused;
	grant_policy_init(&p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (grant_policy_add_socket(&p, bad[i]) != -EINVAL)
			fail_msg("pattern %s accepted", bad[i]);
	assert_int_equal(p.nsockets, 0);
	assert_false(grant_socket_allowed(&p, "127.0.0.1:8080"));
	assert_int_equal(grant_policy_add_socket(&p, "127.0.0.1:8000-8099"), 0);
	assert_int_equal(grant_policy_add_socket(&p, "*:443"), 0);
	assert_int_equal(grant_policy_add_socket(&p, "[::1]:*"), 0);
	assert_int_equal(grant_policy_add_socket(&p, "DB.internal:5432"), 0);
	assert_int_equal(grant_policy_add_socket(&p, "/run/app/"), 0);
	assert_true(grant_socket_allowed(&p, "127.0.0.1:8000"));
	assert_true(grant_socket_allowed(&p, "127.0.0.1:8099"));
	assert_false(grant_socket_allowed(&p, "127.0.0.1:8100"));
	assert_false(grant_socket_allowed(&p, "127.0.0.1:7999"));
	assert_false(grant_socket_allowed(&p, "0.0.0.0:8080"));
	assert_false(grant_socket_allowed(&p, "127.0.0.10:8080"));
	assert_true(grant_socket_allowed(&p, "0.0.0.0:443"));
	assert_true(grant_socket_allowed(&p, "[::]:443"));
	assert_true(grant_socket_allowed(&p, "[::1]:1"));
	assert_false(grant_socket_allowed(&p, "[::2]:1"));
	assert_true(grant_socket_allowed(&p, "db.INTERNAL:5432"));
	assert_false(grant_socket_allowed(&p, "db.internal:5433"));
	assert_true(grant_socket_allowed(&p, "/run/app"));
	assert_true(grant_socket_allowed(&p, "/run/app/m.sock"));
	assert_false(grant_socket_allowed(&p, "/run/apps.sock"));
	assert_false(grant_socket_allowed(&p, "/run/docker.sock"));
	/* An IP rule never matches a UNIX path and the reverse. */
	assert_false(grant_socket_allowed(&p, "/443"));
	grant_policy_free(&p);
}

/* The default policy refuses every resource, each at its position. */
static void test_empty_policy_denies(void **unused)
{
	struct grant_policy p;
	struct denials d;

	(void)unused;
	grant_policy_init(&p);
	assert_int_equal(check(&p,
	                       HEAD "args:\n"
	                            "  log: !log\n"
	                            "  root: !file {path: /srv/www}\n"
	                            "  http: !socket {bind: 0.0.0.0:8080}\n",
	                       NULL, &d),
	                 2);
	assert_string_equal(
	        d.msg[0], "svc.yaml:7:9: !file /srv/www is not beneath a path "
	                  "the operator allows (cloudabid --allow-path)");
	assert_string_equal(d.msg[1], "svc.yaml:8:9: !socket bind 0.0.0.0:8080 "
	                              "is not an address the operator allows "
	                              "(cloudabid --allow-socket)");
	assert_int_equal(d.line[0], 7);
	/* No resources: nothing to refuse. */
	assert_int_equal(check(&p, HEAD "args: [!log, 1]\n", NULL, &d), 0);
	grant_policy_free(&p);
}

static void test_service_paths_and_sockets(void **unused)
{
	struct grant_policy p;
	struct denials d;

	(void)unused;
	grant_policy_init(&p);
	assert_int_equal(grant_policy_add_path(&p, "/srv/www"), 0);
	assert_int_equal(grant_policy_add_socket(&p, "127.0.0.1:8080"), 0);
	assert_int_equal(grant_policy_add_socket(&p, "/run/web"), 0);
	assert_int_equal(check(&p,
	                       HEAD "args:\n"
	                            "  - !file {path: /srv/www}\n"
	                            "  - !file {path: /srv/www//./index.html}\n"
	                            "  - !socket {bind: 127.0.0.1:8080}\n"
	                            "  - !socket {bind: /run/web/s.sock}\n"
	                            "  - !socket {connect: 127.0.0.1:8080}\n",
	                       NULL, &d),
	                 0);
	assert_int_equal(check(&p,
	                       HEAD
	                       "args:\n"
	                       "  - !file {path: /srv/wwwx}\n"
	                       "  - !file {path: /srv/www/../../etc/shadow}\n"
	                       "  - !socket {connect: /run/docker.sock}\n"
	                       "  - !socket {bind: '127.0.0.1:80'}\n"
	                       "  - !file {path: /srv/www/ok}\n",
	                       NULL, &d),
	                 4);
	assert_string_equal(
	        d.msg[0], "svc.yaml:6:5: !file /srv/wwwx is not beneath a path "
	                  "the operator allows (cloudabid --allow-path)");
	assert_string_equal(d.msg[1],
	                    "svc.yaml:7:5: !file "
	                    "/srv/www/../../etc/shadow: a granted path "
	                    "must be absolute, without '..'");
	assert_string_equal(d.msg[2],
	                    "svc.yaml:8:5: !socket connect /run/docker.sock is "
	                    "not beneath a path the operator allows (cloudabid "
	                    "--allow-socket)");
	assert_non_null(strstr(d.msg[3], "svc.yaml:9:5: !socket bind "
	                                 "127.0.0.1:80 is not an address"));
	/* A path prefix does not allow a UNIX socket there, nor the reverse. */
	assert_int_equal(check(&p,
	                       HEAD "args: [!socket {bind: /srv/www/s.sock},"
	                            " !file {path: /run/web/f}]\n",
	                       NULL, &d),
	                 2);
	grant_policy_free(&p);
}

static void test_users(void **unused)
{
	struct grant_policy p;
	struct denials d;

	(void)unused;
	grant_policy_init(&p);
	assert_int_equal(check(&p, HEAD "user: root\n", NULL, &d), 1);
	assert_string_equal(d.msg[0], "svc.yaml:5:7: user: uid 0 (root) is not "
	                              "allowed (cloudabid --allow-root-user)");
	assert_int_equal(check(&p, HEAD "user: 0\ngroup: 100\n", NULL, &d), 1);
	assert_int_equal(check(&p, HEAD "user: 65534\ngroup: 0\n", NULL, &d),
	                 1);
	assert_non_null(strstr(d.msg[0], "group: gid 0 (root)"));
	assert_int_equal(
	        check(&p, HEAD "user: 65534\ngroup: 65534\n", NULL, &d), 0);
	assert_int_equal(check(&p, HEAD, NULL, &d), 0);
	p.allow_root_user = true;
	assert_int_equal(check(&p, HEAD "user: root\n", NULL, &d), 0);
	/* A list of users allows only those. */
	assert_int_equal(grant_policy_add_user(&p, 1000), 0);
	assert_int_equal(check(&p, HEAD "user: 1000\ngroup: 1000\n", NULL, &d),
	                 0);
	assert_int_equal(check(&p, HEAD "user: 1001\ngroup: 1000\n", NULL, &d),
	                 1);
	assert_string_equal(d.msg[0],
	                    "svc.yaml:5:7: user: uid 1001 is not a user the "
	                    "operator allows (cloudabid --allow-user)");
	grant_policy_free(&p);
}

/* A temp dir: www/ allowed, a symlink in it leading outside. */
static void test_symlink_escape(void **unused)
{
	char tmpl[] = "/tmp/grant.XXXXXX", dir[PATH_MAX], path[PATH_MAX * 2];
	char yaml[PATH_MAX * 8];
	struct grant_policy p;
	struct denials d;
	FILE *f;

	(void)unused;
	assert_non_null(mkdtemp(tmpl));
	assert_non_null(realpath(tmpl, dir));
	snprintf(path, sizeof(path), "%s/www", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/out", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/www/ok", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/www/link", dir);
	assert_int_equal(symlink("/etc", path), 0);
	snprintf(path, sizeof(path), "%s/www/dangling", dir);
	assert_int_equal(symlink("../out/new", path), 0);
	snprintf(path, sizeof(path), "%s/www/inner", dir);
	assert_int_equal(symlink("ok", path), 0);
	/* A symlinked prefix: realpath of the grant is allowed too. */
	snprintf(path, sizeof(path), "%s/alias", dir);
	assert_int_equal(symlink("out", path), 0);

	grant_policy_init(&p);
	snprintf(path, sizeof(path), "%s/www", dir);
	assert_int_equal(grant_policy_add_path(&p, path), 0);
	snprintf(path, sizeof(path), "%s/www/sock", dir);
	assert_int_equal(grant_policy_add_socket(&p, path), 0);
	snprintf(yaml, sizeof(yaml),
	         HEADF
	         "args:\n"
	         "  - !file {path: %s/www/ok}\n"
	         "  - !file {path: %s/www/inner}\n"
	         "  - !file {path: %s/www/new, mode: write, create: true}\n"
	         "  - !file {path: %s/www/link/passwd}\n"
	         "  - !file {path: %s/www/dangling, mode: write, create: "
	         "true}\n",
	         dir, dir, dir, dir, dir);
	assert_int_equal(check(&p, yaml, grant_realpath, &d), 2);
	snprintf(path, sizeof(path),
	         "svc.yaml:9:5: !file %s/www/link/passwd leads to /etc/passwd, "
	         "which is not beneath a path the operator allows (cloudabid "
	         "--allow-path)",
	         dir);
	assert_string_equal(d.msg[0], path);
	assert_int_equal(d.line[1], 10);
	assert_non_null(strstr(d.msg[1], "www/dangling: cannot tell where it "
	                                 "leads"));
	/* Without resolving, the same file passes: the check is needed. */
	assert_int_equal(check(&p, yaml, NULL, &d), 0);

	/* A UNIX socket bound through a symlinked directory. */
	snprintf(path, sizeof(path), "%s/www/sock", dir);
	assert_int_equal(symlink("../out", path), 0);
	snprintf(yaml, sizeof(yaml),
	         HEADF "args: [!socket {bind: %s/www/sock/s}]\n", dir);
	assert_int_equal(check(&p, yaml, grant_realpath, &d), 1);
	assert_non_null(strstr(d.msg[0], "/out/s, which is not beneath"));

	/* Granting the symlinked alias allows what it leads to only when the
	 * resolved prefix is granted as well (the daemon adds both). */
	grant_policy_free(&p);
	grant_policy_init(&p);
	snprintf(path, sizeof(path), "%s/alias", dir);
	assert_int_equal(grant_policy_add_path(&p, path), 0);
	snprintf(yaml, sizeof(yaml), HEADF "args: [!file {path: %s/alias}]\n",
	         dir);
	assert_int_equal(check(&p, yaml, grant_realpath, &d), 1);
	snprintf(path, sizeof(path), "%s/out", dir);
	assert_int_equal(grant_policy_add_path(&p, path), 0);
	assert_int_equal(check(&p, yaml, grant_realpath, &d), 0);
	grant_policy_free(&p);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* grant_realpath: existing, missing (through the parent), errors. */
static void test_realpath(void **unused)
{
	char out[PATH_MAX];

	(void)unused;
	assert_int_equal(grant_realpath("/", out, sizeof(out), NULL), 0);
	assert_string_equal(out, "/");
	assert_int_equal(grant_realpath("/nonexistent-grant-test", out,
	                                sizeof(out), NULL),
	                 0);
	assert_string_equal(out, "/nonexistent-grant-test");
	assert_int_equal(grant_realpath("/nonexistent-grant-test/x", out,
	                                sizeof(out), NULL),
	                 -ENOENT);
	assert_int_equal(grant_realpath("/", out, 1, NULL), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_normalize),
	        cmocka_unit_test(test_prefix_boundaries),
	        cmocka_unit_test(test_socket_patterns),
	        cmocka_unit_test(test_empty_policy_denies),
	        cmocka_unit_test(test_service_paths_and_sockets),
	        cmocka_unit_test(test_users),
	        cmocka_unit_test(test_symlink_escape),
	        cmocka_unit_test(test_realpath),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
