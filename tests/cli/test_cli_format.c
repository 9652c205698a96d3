/*
 * Unit tests of cloudabictl's output: exact tables, status blocks, event
 * lines and JSON for hand-built replies, plus the JSON writer's escaping
 * (control characters, invalid UTF-8) and the time and duration helpers.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_format.h"
#include "cli_json.h"

#define S(x) ((int64_t)(x)*1000000000)
/* 2023-11-14T22:13:20Z */
#define NOW S(1700000000)

typedef Cloudabi__Supervisor__V1__ServiceStatus service_status;
typedef Cloudabi__Supervisor__V1__ExitStatus exit_status;

/* Output captured in memory. */
struct capture {
	char *out, *err;
	size_t out_len, err_len;
	struct cli_format f;
};

static void cap_open(struct capture *c, enum cli_output o)
{
	memset(c, 0, sizeof(*c));
	c->f.out = open_memstream(&c->out, &c->out_len);
	c->f.err = open_memstream(&c->err, &c->err_len);
	assert_non_null(c->f.out);
	assert_non_null(c->f.err);
	c->f.output = o;
	c->f.now_ns = NOW;
}

/* Closes the streams; out and err then hold the text. */
static void cap_close(struct capture *c)
{
	fclose(c->f.out);
	fclose(c->f.err);
}

static void cap_free(struct capture *c)
{
	free(c->out);
	free(c->err);
}

static exit_status code_exit = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__INIT;
static exit_status sig_exit = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__INIT;

/* Three services in different states. */
static void fill(service_status s[3])
{
	service_status init = CLOUDABI__SUPERVISOR__V1__SERVICE_STATUS__INIT;

	s[0] = s[1] = s[2] = init;
	s[0].name = "web";
	s[0].state =
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_RUNNING;
	s[0].desired =
	        CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_RUNNING;
	s[0].pid = 4242;
	s[0].start_time_ns = NOW - S(3 * 3600 + 7 * 60 + 5);
	s[0].restart_count = 2;
	code_exit.how_case = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_CODE;
	code_exit.code = 1;
	code_exit.time_ns = NOW - S(3 * 3600 + 8 * 60);
	s[0].last_exit = &code_exit;

	s[1].name = "crashy-worker";
	s[1].state =
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_BACKOFF;
	s[1].desired =
	        CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_RUNNING;
	s[1].restart_count = 17;
	sig_exit.how_case = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_SIGNAL;
	sig_exit.signal = SIGSEGV;
	sig_exit.core_dumped = 1;
	sig_exit.time_ns = NOW - S(2);
	s[1].last_exit = &sig_exit;

	s[2].name = "db";
	s[2].state =
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_STOPPED;
	s[2].desired =
	        CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_STOPPED;
}

static void test_list_table(void **state)
{
	service_status s[3], *ptrs[3] = {&s[0], &s[1], &s[2]};
	Cloudabi__Supervisor__V1__ListResponse l =
	        CLOUDABI__SUPERVISOR__V1__LIST_RESPONSE__INIT;
	struct capture c;

	fill(s);
	l.n_services = 3;
	l.services = ptrs;
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_list(&c.f, &l);
	cap_close(&c);
	assert_string_equal(
	        c.out,
	        "NAME           STATE    PID   UPTIME  RESTARTS  LAST-EXIT\n"
	        "web            running  4242  3h07m   2         exit 1\n"
	        "crashy-worker  backoff  -     -       17        SIGSEGV "
	        "(core)\n"
	        "db             stopped  -     -       0         -\n");
	assert_int_equal(c.err_len, 0);
	cap_free(&c);
}

static void test_list_table_empty_and_hostile(void **state)
{
	service_status s = CLOUDABI__SUPERVISOR__V1__SERVICE_STATUS__INIT,
	               *ptr = &s;
	Cloudabi__Supervisor__V1__ListResponse l =
	        CLOUDABI__SUPERVISOR__V1__LIST_RESPONSE__INIT;
	struct capture c;

	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_list(&c.f, &l);
	cap_close(&c);
	assert_string_equal(c.out,
	                    "NAME  STATE  PID  UPTIME  RESTARTS  LAST-EXIT\n");
	cap_free(&c);

	/* Terminal escapes in a name are defused; an unknown state named. */
	s.name = "ev\033[2Jil";
	s.state = 42;
	l.n_services = 1;
	l.services = &ptr;
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_list(&c.f, &l);
	cap_close(&c);
	assert_string_equal(
	        c.out, "NAME      STATE    PID  UPTIME  RESTARTS  LAST-EXIT\n"
	               "ev?[2Jil  unknown  -    -       0         -\n");
	cap_free(&c);
}

static void test_list_json(void **state)
{
	service_status s[3], *ptrs[2] = {&s[1], &s[2]};
	Cloudabi__Supervisor__V1__ListResponse l =
	        CLOUDABI__SUPERVISOR__V1__LIST_RESPONSE__INIT;
	struct capture c;

	fill(s);
	l.n_services = 2;
	l.services = ptrs;
	cap_open(&c, CLI_OUTPUT_JSON);
	cli_format_list(&c.f, &l);
	cap_close(&c);
	assert_string_equal(
	        c.out,
	        "[{\"name\":\"crashy-worker\",\"state\":\"backoff\","
	        "\"desired\":\"running\",\"pid\":0,\"start_time_ns\":0,"
	        "\"state_since_ns\":0,\"restart_count\":17,\"last_exit\":"
	        "{\"signal\":11,\"signal_name\":\"SIGSEGV\",\"time_ns\":"
	        "1699999998000000000,\"core_dumped\":true},"
	        "\"next_start_ns\":0,\"generation\":0,\"executable\":\"\","
	        "\"restart_policy\":\"\",\"message\":\"\",\"uid\":0,\"gid\":0,"
	        "\"deployed_ns\":0},"
	        "{\"name\":\"db\",\"state\":\"stopped\",\"desired\":"
	        "\"stopped\","
	        "\"pid\":0,\"start_time_ns\":0,\"state_since_ns\":0,"
	        "\"restart_count\":0,\"last_exit\":null,\"next_start_ns\":0,"
	        "\"generation\":0,\"executable\":\"\",\"restart_policy\":\"\","
	        "\"message\":\"\",\"uid\":0,\"gid\":0,\"deployed_ns\":0}]\n");
	cap_free(&c);

	l.n_services = 0;
	cap_open(&c, CLI_OUTPUT_JSON);
	cli_format_list(&c.f, &l);
	cap_close(&c);
	assert_string_equal(c.out, "[]\n");
	cap_free(&c);
}

static void test_status_table(void **state)
{
	service_status s[3];
	struct capture c;

	fill(s);
	s[0].state_since_ns = s[0].start_time_ns;
	s[0].executable = "/srv/web/webserver";
	s[0].restart_policy = "on-failure";
	s[0].uid = 1000;
	s[0].gid = 100;
	s[0].generation = 3;
	s[0].deployed_ns = S(1699990000);
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_status(&c.f, &s[0]);
	cap_close(&c);
	assert_string_equal(
	        c.out,
	        "Name:        web\n"
	        "State:       running since 2023-11-14T19:06:15Z (3h07m)\n"
	        "Desired:     running\n"
	        "PID:         4242\n"
	        "Uptime:      3h07m\n"
	        "Restarts:    2\n"
	        "Last exit:   exit 1 at 2023-11-14T19:05:20Z\n"
	        "Executable:  /srv/web/webserver\n"
	        "Restart:     on-failure\n"
	        "UID/GID:     1000/100\n"
	        "Generation:  3\n"
	        "Deployed:    2023-11-14T19:26:40Z\n");
	cap_free(&c);

	/* In backoff: when it starts again, and why. */
	s[1].next_start_ns = NOW + S(4);
	s[1].message = "crash loop: 5 starts in 10s";
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_status(&c.f, &s[1]);
	cap_close(&c);
	assert_non_null(strstr(c.out, "State:       backoff\n"));
	assert_non_null(strstr(c.out, "PID:         -\n"));
	assert_null(strstr(c.out, "Uptime:"));
	assert_non_null(strstr(c.out, "Next start:  in 4s\n"));
	assert_non_null(
	        strstr(c.out, "Message:     crash loop: 5 starts in 10s\n"));
	assert_non_null(strstr(c.out, "Last exit:   SIGSEGV (core) at "
	                              "2023-11-14T22:13:18Z\n"));
	assert_non_null(strstr(c.out, "Deployed:    -\n"));
	cap_free(&c);
}

static void test_status_json_has_spec(void **state)
{
	service_status s[3];
	struct capture c;

	fill(s);
	s[2].spec_yaml = "name: db\nexecutable: \"/x\"\n";
	cap_open(&c, CLI_OUTPUT_JSON);
	cli_format_status(&c.f, &s[2]);
	cap_close(&c);
	assert_non_null(strstr(
	        c.out,
	        ",\"spec_yaml\":\"name: db\\nexecutable: \\\"/x\\\"\\n\"}\n"));
	assert_int_equal(c.out[0], '{');
	cap_free(&c);
}

static void test_operation_and_deploy(void **state)
{
	Cloudabi__Supervisor__V1__OperationResponse r =
	        CLOUDABI__SUPERVISOR__V1__OPERATION_RESPONSE__INIT;
	Cloudabi__Supervisor__V1__DeployResponse d =
	        CLOUDABI__SUPERVISOR__V1__DEPLOY_RESPONSE__INIT;
	struct capture c;

	r.name = "web";
	r.desired =
	        CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_STOPPED;
	r.state =
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_RUNNING;
	r.changed = 1;
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_operation(&c.f, "stop", &r);
	r.changed = 0;
	cli_format_operation(&c.f, "stop", &r);
	cap_close(&c);
	assert_string_equal(c.out, "stop web: desired stopped, now running\n"
	                           "stop web: desired stopped, now running (no "
	                           "change)\n");
	cap_free(&c);

	cap_open(&c, CLI_OUTPUT_JSON);
	cli_format_operation(&c.f, "stop", &r);
	cap_close(&c);
	assert_string_equal(c.out, "{\"operation\":\"stop\",\"name\":\"web\","
	                           "\"desired\":\"stopped\",\"state\":"
	                           "\"running\",\"changed\":false}\n");
	cap_free(&c);

	d.name = "web";
	d.generation = 4;
	d.updated = 1;
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_deploy(&c.f, &d);
	d.created = 1;
	cli_format_deploy(&c.f, &d);
	d.created = d.updated = 0;
	cli_format_deploy(&c.f, &d);
	cap_close(&c);
	assert_string_equal(c.out, "deployed web (generation 4, updated)\n"
	                           "deployed web (generation 4, new)\n"
	                           "deployed web (generation 4, unchanged)\n");
	cap_free(&c);

	cap_open(&c, CLI_OUTPUT_JSON);
	cli_format_deploy(&c.f, &d);
	cap_close(&c);
	assert_string_equal(c.out, "{\"name\":\"web\",\"generation\":4,"
	                           "\"created\":false,\"updated\":false,"
	                           "\"dry_run\":false}\n");
	cap_free(&c);
}

static void test_validation(void **state)
{
	Cloudabi__Supervisor__V1__ValidationError e[2] = {
	        CLOUDABI__SUPERVISOR__V1__VALIDATION_ERROR__INIT,
	        CLOUDABI__SUPERVISOR__V1__VALIDATION_ERROR__INIT,
	};
	Cloudabi__Supervisor__V1__ValidationError *ep[2] = {&e[0], &e[1]};
	Cloudabi__Supervisor__V1__ValidateResponse v =
	        CLOUDABI__SUPERVISOR__V1__VALIDATE_RESPONSE__INIT;
	struct capture c;

	e[0].file = "svc.yaml";
	e[0].line = 12;
	e[0].column = 7;
	e[0].message = "unknown tag !sockit";
	e[0].text = "svc.yaml:12:7: unknown tag !sockit";
	/* Without the ready text, the CLI builds it. */
	e[1].line = 3;
	e[1].column = 1;
	e[1].message = "restart: expected never, on-failure\033[2J or always";
	v.n_errors = 2;
	v.errors = ep;
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_validation(&c.f, "svc.yaml", &v);
	cap_close(&c);
	assert_string_equal(c.err, "svc.yaml:12:7: unknown tag !sockit\n"
	                           "svc.yaml:3:1: restart: expected never, "
	                           "on-failure?[2J or always\n"
	                           "svc.yaml: 2 errors, nothing deployed\n");
	assert_int_equal(c.out_len, 0);
	cap_free(&c);

	cap_open(&c, CLI_OUTPUT_JSON);
	cli_format_validation(&c.f, "svc.yaml", &v);
	cap_close(&c);
	assert_string_equal(
	        c.out,
	        "{\"file\":\"svc.yaml\",\"ok\":false,\"name\":\"\",\"errors\":"
	        "[{\"file\":\"svc.yaml\",\"line\":12,\"column\":7,\"message\":"
	        "\"unknown tag !sockit\",\"text\":\"svc.yaml:12:7: unknown tag "
	        "!sockit\"},{\"file\":\"\",\"line\":3,\"column\":1,"
	        "\"message\":\"restart: expected never, on-failure\\u001b[2J "
	        "or always\","
	        "\"text\":\"\"}]}\n");
	assert_int_equal(c.err_len, 0);
	cap_free(&c);

	v.ok = 1;
	v.name = "web";
	v.n_errors = 0;
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_validation(&c.f, "svc.yaml", &v);
	cap_close(&c);
	assert_string_equal(c.out, "svc.yaml: ok (service web)\n");
	assert_int_equal(c.err_len, 0);
	cap_free(&c);
}

static void test_events(void **state)
{
	Cloudabi__Supervisor__V1__Event e =
	        CLOUDABI__SUPERVISOR__V1__EVENT__INIT;
	exit_status x = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__INIT;
	struct capture c;

	e.time_ns = NOW;
	e.service = "web";
	e.kind = CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_STATE;
	e.from_state =
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_STARTING;
	e.to_state =
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_RUNNING;
	e.sequence = 9;
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_event(&c.f, &e);
	e.kind = CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_EXITED;
	x.how_case = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_SIGNAL;
	x.signal = SIGKILL;
	e.exit = &x;
	e.message = "stop grace period over";
	cli_format_event(&c.f, &e);
	e.kind = CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_DEPLOYED;
	e.message = "generation 2";
	cli_format_event(&c.f, &e);
	e.kind = CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_OPERATION;
	e.caller_uid = 1000;
	e.message = "";
	cli_format_event(&c.f, &e);
	cap_close(&c);
	assert_string_equal(
	        c.out,
	        "2023-11-14T22:13:20Z  web               state      starting "
	        "-> running\n"
	        "2023-11-14T22:13:20Z  web               exited     SIGKILL: "
	        "stop grace period over\n"
	        "2023-11-14T22:13:20Z  web               deployed   "
	        "generation 2\n"
	        "2023-11-14T22:13:20Z  web               operation  by uid "
	        "1000\n");
	cap_free(&c);

	e.kind = CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_EXITED;
	x.how_case = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_CODE;
	x.code = 3;
	x.time_ns = NOW;
	cap_open(&c, CLI_OUTPUT_JSON);
	cli_format_event(&c.f, &e);
	cli_format_event(&c.f, &e);
	cap_close(&c);
	/* A stream: one object per line. */
	assert_string_equal(
	        c.out,
	        "{\"time_ns\":1700000000000000000,\"service\":\"web\",\"kind\":"
	        "\"exited\",\"from_state\":\"starting\",\"to_state\":"
	        "\"running\",\"message\":\"\",\"sequence\":9,\"exit\":{"
	        "\"code\":3,\"time_ns\":1700000000000000000,\"core_dumped\":"
	        "false},\"caller_uid\":1000}\n"
	        "{\"time_ns\":1700000000000000000,\"service\":\"web\",\"kind\":"
	        "\"exited\",\"from_state\":\"starting\",\"to_state\":"
	        "\"running\",\"message\":\"\",\"sequence\":9,\"exit\":{"
	        "\"code\":3,\"time_ns\":1700000000000000000,\"core_dumped\":"
	        "false},\"caller_uid\":1000}\n");
	cap_free(&c);
}

static void test_log_chunks(void **state)
{
	Cloudabi__Supervisor__V1__LogChunk l =
	        CLOUDABI__SUPERVISOR__V1__LOG_CHUNK__INIT;
	static const uint8_t data[] = "hi\n\x01\xff\xc3\xa9\n";
	struct capture c;

	l.data.data = (uint8_t *)data;
	l.data.len = sizeof(data) - 1;
	l.offset = 100;
	l.time_ns = 5;
	cap_open(&c, CLI_OUTPUT_TABLE);
	cli_format_log_chunk(&c.f, &l);
	l.truncated = 1;
	cli_format_log_chunk(&c.f, &l);
	cap_close(&c);
	/* The service's bytes, unchanged, twice; one note on stderr. */
	assert_int_equal(c.out_len, 2 * l.data.len);
	assert_memory_equal(c.out, data, l.data.len);
	assert_memory_equal(c.out + l.data.len, data, l.data.len);
	assert_non_null(strstr(c.err, "log output was lost here"));
	cap_free(&c);

	cap_open(&c, CLI_OUTPUT_JSON);
	cli_format_log_chunk(&c.f, &l);
	cap_close(&c);
	assert_string_equal(c.out, "{\"time_ns\":5,\"offset\":100,"
	                           "\"truncated\":true,\"data\":\"hi\\n"
	                           "\\u0001\\ufffd\xc3\xa9\\n\"}\n");
	cap_free(&c);
}

/* JSON string escaping of one byte string. */
static void check_escape(const char *in, size_t len, const char *want)
{
	struct cli_json j;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	cli_json_init(&j, f);
	cli_json_bytes(&j, (const uint8_t *)in, len);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

static void test_json_escaping(void **state)
{
	check_escape("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_escape("\t\r\n\x1f\x7f", 5, "\"\\t\\r\\n\\u001f\\u007f\"");
	check_escape("nul\0x", 5, "\"nul\\u0000x\"");
	/* Valid UTF-8 of 2, 3 and 4 bytes passes through. */
	check_escape("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
	             "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* Overlong, surrogate, past U+10FFFF, cut short, stray. */
	check_escape("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	check_escape("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check_escape("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check_escape("\xe2\x82", 2, "\"\\ufffd\\ufffd\"");
	check_escape("\x80z", 2, "\"\\ufffdz\"");
}

static void test_json_nesting(void **state)
{
	struct cli_json j;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	cli_json_init(&j, f);
	cli_json_begin_object(&j);
	cli_json_key(&j, "a");
	cli_json_begin_array(&j);
	cli_json_int(&j, -1);
	cli_json_uint(&j, UINT64_MAX);
	cli_json_begin_object(&j);
	cli_json_end_object(&j);
	cli_json_begin_array(&j);
	cli_json_end_array(&j);
	cli_json_null(&j);
	cli_json_end_array(&j);
	cli_json_key(&j, "k\"");
	cli_json_bool(&j, true);
	cli_json_key(&j, "s");
	cli_json_string(&j, NULL);
	cli_json_end_object(&j);
	fclose(f);
	assert_string_equal(buf, "{\"a\":[-1,18446744073709551615,{},[],null],"
	                         "\"k\\\"\":true,\"s\":null}");
	free(buf);
}

static void test_helpers(void **state)
{
	char buf[64];
	exit_status e = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__INIT;

	cli_format_duration(buf, sizeof(buf), S(0));
	assert_string_equal(buf, "0s");
	cli_format_duration(buf, sizeof(buf), -S(5));
	assert_string_equal(buf, "0s");
	cli_format_duration(buf, sizeof(buf), S(59) + 999999999);
	assert_string_equal(buf, "59s");
	cli_format_duration(buf, sizeof(buf), S(60));
	assert_string_equal(buf, "1m00s");
	cli_format_duration(buf, sizeof(buf), S(3599));
	assert_string_equal(buf, "59m59s");
	cli_format_duration(buf, sizeof(buf), S(3600 + 5 * 60));
	assert_string_equal(buf, "1h05m");
	cli_format_duration(buf, sizeof(buf), S(86400 * 3 + 4 * 3600));
	assert_string_equal(buf, "3d04h");
	cli_format_time(buf, sizeof(buf), NOW + 999999999);
	assert_string_equal(buf, "2023-11-14T22:13:20Z");
	cli_format_time(buf, sizeof(buf), 0);
	assert_string_equal(buf, "-");
	cli_format_exit(buf, sizeof(buf), NULL);
	assert_string_equal(buf, "-");
	cli_format_exit(buf, sizeof(buf), &e);
	assert_string_equal(buf, "-");
	e.how_case = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_CODE;
	e.code = 0;
	cli_format_exit(buf, sizeof(buf), &e);
	assert_string_equal(buf, "exit 0");
	e.how_case = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_SIGNAL;
	e.signal = SIGTERM;
	cli_format_exit(buf, sizeof(buf), &e);
	assert_string_equal(buf, "SIGTERM");
	e.signal = 0;
	e.core_dumped = 1;
	cli_format_exit(buf, sizeof(buf), &e);
	assert_string_equal(buf, "signal 0 (core)");
	assert_string_equal(cli_format_state_name(7), "exited");
	assert_string_equal(cli_format_state_name(8), "unknown");
	assert_string_equal(cli_format_state_name(-1), "unknown");
	assert_string_equal(cli_format_desired_name(2), "stopped");
	assert_string_equal(cli_format_desired_name(0), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_list_table),
	        cmocka_unit_test(test_list_table_empty_and_hostile),
	        cmocka_unit_test(test_list_json),
	        cmocka_unit_test(test_status_table),
	        cmocka_unit_test(test_status_json_has_spec),
	        cmocka_unit_test(test_operation_and_deploy),
	        cmocka_unit_test(test_validation),
	        cmocka_unit_test(test_events),
	        cmocka_unit_test(test_log_chunks),
	        cmocka_unit_test(test_json_escaping),
	        cmocka_unit_test(test_json_nesting),
	        cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
