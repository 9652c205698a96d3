/*
 * daemon_rpc: the Supervisor calls bench/daemon makes, through the C
 * client of cli/rpc_client. Every error status is fatal: a benchmark of
 * calls that fail would measure nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "supervisor.pb-c.h"

#define RPC_PREFIX     "/cloudabi.supervisor.v1.Supervisor/"
#define RPC_TIMEOUT_MS 60000 /* a deploy may wait on the disk */

void daemon_rpc_connect(struct daemon_bench *b, int timeout_ms)
{
	int rc = -ENOENT;

	for (int waited = 0; waited < timeout_ms; waited += 20) {
		rc = rpc_client_connect(b->sock, RPC_TIMEOUT_MS, &b->rpc);
		if (rc == 0)
			return;
		if (!rpc_client_daemon_down(rc))
			break;
		daemon_host_sleep(20);
	}
	daemon_die("connect %s: %s (see %s/daemon.log)", b->sock, strerror(-rc),
	           b->dir);
}

/* One unary call; dies unless it ends OK. *resp is the decoded reply. */
static void rpc_unary(struct rpc_client *c, const char *method,
                      const ProtobufCMessage *req,
                      const ProtobufCMessageDescriptor *desc,
                      ProtobufCMessage **resp)
{
	struct rpc_status st;
	char path[96];
	int rc;

	snprintf(path, sizeof(path), RPC_PREFIX "%s", method);
	rc = rpc_client_unary(c, path, req, desc, resp, &st);
	if (rc != 0)
		daemon_die("%s: %s", method, strerror(-rc));
	if (st.code != 0)
		daemon_die("%s: status %d: %s", method, st.code, st.message);
}

void daemon_rpc_deploy(struct rpc_client *c, const char *guest,
                       const char *watch, const char *name, int mode)
{
	Cloudabi__Supervisor__V1__DeployRequest req =
	        CLOUDABI__SUPERVISOR__V1__DEPLOY_REQUEST__INIT;
	ProtobufCMessage *resp;
	char yaml[1024];

	/* Zero backoff and no crash-loop limit: a crashing guest comes back
	 * as fast as the daemon can restart it. */
	snprintf(yaml, sizeof(yaml),
	         "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n"
	         "---\n"
	         "name: %s\n"
	         "executable: %s\n"
	         "args: [!socket {connect: %s, type: dgram}, !!int %d, %s]\n"
	         "restart:\n"
	         "  policy: on-failure\n"
	         "  backoff: {initial: 0, max: 0, jitter: 0}\n"
	         "  crash_loop: {within: 0}\n"
	         "stop: {grace: 5s}\n",
	         name, guest, watch, mode, name);
	req.yaml = yaml;
	req.file_name = (char *)name;
	rpc_unary(c, "Deploy", &req.base,
	          &cloudabi__supervisor__v1__deploy_response__descriptor,
	          &resp);
	protobuf_c_message_free_unpacked(resp, NULL);
}

void daemon_rpc_op(struct rpc_client *c, const char *method, const char *name)
{
	Cloudabi__Supervisor__V1__NameRequest req =
	        CLOUDABI__SUPERVISOR__V1__NAME_REQUEST__INIT;
	ProtobufCMessage *resp;

	req.name = (char *)name;
	rpc_unary(c, method, &req.base,
	          &cloudabi__supervisor__v1__operation_response__descriptor,
	          &resp);
	protobuf_c_message_free_unpacked(resp, NULL);
}

int daemon_rpc_state(struct rpc_client *c, const char *name, int *pid)
{
	Cloudabi__Supervisor__V1__GetRequest req =
	        CLOUDABI__SUPERVISOR__V1__GET_REQUEST__INIT;
	Cloudabi__Supervisor__V1__ServiceStatus *s;
	ProtobufCMessage *resp;
	int state;

	req.name = (char *)name;
	rpc_unary(c, "Get", &req.base,
	          &cloudabi__supervisor__v1__service_status__descriptor, &resp);
	s = (Cloudabi__Supervisor__V1__ServiceStatus *)resp;
	state = (int)s->state;
	if (pid != NULL)
		*pid = s->pid;
	protobuf_c_message_free_unpacked(resp, NULL);
	return state;
}

void daemon_rpc_wait_state(struct rpc_client *c, const char *name, int state,
                           int timeout_ms)
{
	double end = daemon_host_now() + timeout_ms * 1e3;
	int last = 0;

	while (daemon_host_now() < end) {
		if ((last = daemon_rpc_state(c, name, NULL)) == state)
			return;
		daemon_host_sleep(1);
	}
	daemon_die("%s: still in state %d after %d ms, want %d", name, last,
	           timeout_ms, state);
}

size_t daemon_rpc_list(struct rpc_client *c, size_t *running, long *pss_kb)
{
	Cloudabi__Supervisor__V1__ListRequest req =
	        CLOUDABI__SUPERVISOR__V1__LIST_REQUEST__INIT;
	Cloudabi__Supervisor__V1__ListResponse *l;
	ProtobufCMessage *resp;
	size_t n;

	rpc_unary(c, "List", &req.base,
	          &cloudabi__supervisor__v1__list_response__descriptor, &resp);
	l = (Cloudabi__Supervisor__V1__ListResponse *)resp;
	n = l->n_services;
	*running = 0;
	if (pss_kb != NULL)
		*pss_kb = 0;
	for (size_t i = 0; i < n; i++) {
		if (l->services[i]->state !=
		    CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_RUNNING)
			continue;
		(*running)++;
		if (pss_kb != NULL && l->services[i]->pid > 0)
			*pss_kb += daemon_host_pss_kb(l->services[i]->pid);
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	return n;
}

void daemon_rpc_list_states(struct rpc_client *c)
{
	Cloudabi__Supervisor__V1__ListRequest req =
	        CLOUDABI__SUPERVISOR__V1__LIST_REQUEST__INIT;
	Cloudabi__Supervisor__V1__ServiceStatus *s;
	ProtobufCMessage *resp;
	size_t count[8] = {0};
	int first[8];

	rpc_unary(c, "List", &req.base,
	          &cloudabi__supervisor__v1__list_response__descriptor, &resp);
	Cloudabi__Supervisor__V1__ListResponse *l = (void *)resp;
	for (size_t i = 0; i < l->n_services; i++) {
		s = l->services[i];
		if ((unsigned)s->state >= 8)
			continue;
		if (count[s->state]++ == 0)
			first[s->state] = (int)i;
	}
	for (int k = 0; k < 8; k++)
		if (count[k] > 0) {
			s = l->services[first[k]];
			fprintf(stderr,
			        "state %d: %zu services (%s: \"%s\", "
			        "restarts %u)\n",
			        k, count[k], s->name, s->message,
			        s->restart_count);
		}
	protobuf_c_message_free_unpacked(resp, NULL);
}
