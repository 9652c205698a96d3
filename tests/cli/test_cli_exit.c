/*
 * Unit tests of cloudabictl's exit codes: each gRPC status and transport
 * error lands in the documented class, and the messages say what to do.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli_exit.h"
#include "grpc_wire.h"

static void test_status_codes(void **state)
{
	assert_int_equal(cli_exit_of_status(GRPC_OK), 0);
	assert_int_equal(cli_exit_of_status(GRPC_NOT_FOUND), 4);
	assert_int_equal(cli_exit_of_status(GRPC_PERMISSION_DENIED), 4);
	assert_int_equal(cli_exit_of_status(GRPC_INVALID_ARGUMENT), 4);
	assert_int_equal(cli_exit_of_status(GRPC_ALREADY_EXISTS), 4);
	assert_int_equal(cli_exit_of_status(GRPC_FAILED_PRECONDITION), 4);
	assert_int_equal(cli_exit_of_status(GRPC_RESOURCE_EXHAUSTED), 4);
	assert_int_equal(cli_exit_of_status(GRPC_UNAUTHENTICATED), 4);
	assert_int_equal(cli_exit_of_status(GRPC_UNAVAILABLE), 3);
	assert_int_equal(cli_exit_of_status(GRPC_INTERNAL), 1);
	assert_int_equal(cli_exit_of_status(GRPC_UNIMPLEMENTED), 1);
	assert_int_equal(cli_exit_of_status(GRPC_UNKNOWN), 1);
	assert_int_equal(cli_exit_of_status(GRPC_CANCELLED), 1);
	assert_int_equal(cli_exit_of_status(99), 1);
	assert_int_equal(cli_exit_of_status(-1), 1);
}

static void test_transport_errors(void **state)
{
	assert_int_equal(cli_exit_of_error(0), 0);
	assert_int_equal(cli_exit_of_error(-ENOENT), 3);
	assert_int_equal(cli_exit_of_error(-ECONNREFUSED), 3);
	assert_int_equal(cli_exit_of_error(-EACCES), 3);
	assert_int_equal(cli_exit_of_error(-ECONNRESET), 3);
	assert_int_equal(cli_exit_of_error(-ETIMEDOUT), 3);
	assert_int_equal(cli_exit_of_error(-EPROTO), 1);
	assert_int_equal(cli_exit_of_error(-ENOMEM), 1);
	assert_int_equal(cli_exit_of_error(-ENAMETOOLONG), 1);
}

static void test_status_names(void **state)
{
	assert_string_equal(cli_exit_status_name(GRPC_OK), "OK");
	assert_string_equal(cli_exit_status_name(GRPC_NOT_FOUND), "NOT_FOUND");
	assert_string_equal(cli_exit_status_name(GRPC_UNAUTHENTICATED),
	                    "UNAUTHENTICATED");
	assert_string_equal(cli_exit_status_name(17), "UNKNOWN_STATUS");
	assert_string_equal(cli_exit_status_name(-3), "UNKNOWN_STATUS");
}

static void test_messages(void **state)
{
	char buf[512];

	cli_exit_error_message(buf, sizeof(buf), "/run/cloudabid/control.sock",
	                       -ENOENT);
	assert_string_equal(buf,
	                    "cloudabid is not running at "
	                    "/run/cloudabid/control.sock: start it with "
	                    "`systemctl start cloudabid` or pass --socket");
	cli_exit_error_message(buf, sizeof(buf), "/s", -ECONNREFUSED);
	assert_non_null(strstr(buf, "not running at /s"));
	cli_exit_error_message(buf, sizeof(buf), "/s", -EACCES);
	assert_string_equal(buf, "no permission to connect to /s: run as "
	                         "root or as a member of cloudabid's "
	                         "control group");
	cli_exit_error_message(buf, sizeof(buf), "/s", -EPROTO);
	assert_non_null(strstr(buf, "is --socket the right path?"));
	cli_exit_error_message(buf, sizeof(buf), "/s", -ENOMEM);
	assert_string_equal(buf, "talking to cloudabid at /s: Cannot "
	                         "allocate memory");
	cli_exit_status_message(buf, sizeof(buf), GRPC_NOT_FOUND,
	                        "no service named web");
	assert_string_equal(buf, "NOT_FOUND: no service named web "
	                         "(`cloudabictl list` shows what is "
	                         "deployed)");
	cli_exit_status_message(buf, sizeof(buf), GRPC_PERMISSION_DENIED,
	                        "uid 1000 may not deploy");
	assert_string_equal(buf, "PERMISSION_DENIED: uid 1000 may not deploy "
	                         "(changes need root or cloudabid's control "
	                         "group)");
	/* Several lines (every validation error) stay; escapes do not. */
	cli_exit_status_message(buf, sizeof(buf), GRPC_INVALID_ARGUMENT,
	                        "a:1:1: x\033[2J\na:2:1: y\t");
	assert_string_equal(buf, "INVALID_ARGUMENT: a:1:1: x?[2J\na:2:1: y?");
	cli_exit_status_message(buf, sizeof(buf), GRPC_INTERNAL, "");
	assert_string_equal(buf, "INTERNAL: (no message)");
	/* Truncation is safe. */
	cli_exit_status_message(buf, 8, GRPC_NOT_FOUND, "x");
	assert_string_equal(buf, "NOT_FOU");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_status_codes),
	        cmocka_unit_test(test_transport_errors),
	        cmocka_unit_test(test_status_names),
	        cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
