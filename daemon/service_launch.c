/*
 * service_launch: the deploy-time half of service.h: opening the
 * executable, resolving the resources of `args:`, building the fds and
 * argdata of a launch, and comparing two services for a redeploy.
 * Ownership is as service.h states.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service.h"

int service_open_executable(const struct service *svc, int *fd,
                            struct config_error *err)
{
	struct stat st;
	int f = open(svc->exe_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int rc;

	memset(err, 0, sizeof(*err));
	if (f < 0) {
		rc = -errno;
		goto fail;
	}
	if (fstat(f, &st) != 0) {
		rc = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EACCES;
		goto fail;
	}
	*fd = f;
	return 0;
fail:
	snprintf(err->msg, sizeof(err->msg),
	         "%s: cannot open executable %s: %s", svc->name, svc->exe_path,
	         rc == -EACCES && f >= 0 ? "not a regular file"
	                                 : strerror(-rc));
	if (f >= 0)
		close(f);
	return rc;
}

int service_resolve(struct service *svc, int log_fd, int exe_fd,
                    struct config_error *err)
{
	int rc;

	if (svc->resolved) {
		memset(err, 0, sizeof(*err));
		return -EALREADY;
	}
	rc = config_resolve_log(svc->args, exe_fd, log_fd, err);
	if (rc != 0)
		return rc;
	svc->exe_fd = exe_fd;
	svc->resolved = true;
	return 0;
}

/* The resource whose fd is fd (several !log nodes share one). */
static const struct config_resource *service_res_of(const struct config *cfg,
                                                    int fd)
{
	for (size_t i = 0; i < cfg->nres; i++)
		if (cfg->res[i].fd == fd)
			return &cfg->res[i];
	return NULL;
}

int service_launch_build(const struct service *svc, struct service_launch *l)
{
	int *fds = NULL;
	int rc;

	memset(l, 0, sizeof(*l));
	l->exe_fd = -1;
	if (!svc->resolved)
		return -EINVAL;
	rc = adtree_encode(svc->args->root, ADTREE_FD_RENUMBER, &l->argdata,
	                   &l->argdata_len, &fds, &l->nfds);
	if (rc != 0)
		goto fail;
	if (l->nfds > 0 &&
	    (l->fds = calloc(l->nfds, sizeof(*l->fds))) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < l->nfds; i++) {
		const struct config_resource *r =
		        service_res_of(svc->args, fds[i]);
		if (fds[i] < 0 || r == NULL) {
			rc = -EINVAL; /* resolved trees have no -1 left */
			goto fail;
		}
		l->fds[i] = (struct launch_fd){
		        .fd = fds[i],
		        .filetype = r->filetype,
		        .base = r->rights.base,
		        .inheriting = r->rights.inheriting,
		};
	}
	l->exe_fd = svc->exe_fd;
	free(fds);
	return 0;
fail:
	free(fds);
	service_launch_free(l);
	return rc;
}

void service_launch_free(struct service_launch *l)
{
	free(l->fds);
	free(l->argdata);
	memset(l, 0, sizeof(*l));
	l->exe_fd = -1;
}

/* Trees equal but for fd values (which the resources compare). */
static bool service_tree_same(const struct adtree *a, const struct adtree *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == ADTREE_FD)
		return true;
	if (a->type != ADTREE_MAP && a->type != ADTREE_SEQ)
		return adtree_equal(a, b);
	if (a->u.list.count != b->u.list.count)
		return false;
	/* Depth is bounded by CONFIG_MAX_DEPTH. */
	for (size_t i = 0; i < a->u.list.count; i++)
		if (!service_tree_same(a->u.list.items[i], b->u.list.items[i]))
			return false;
	return true;
}

/* Whether two resources ask for the same thing (results ignored). */
static bool service_res_same(const struct config_resource *a,
                             const struct config_resource *b)
{
	if (a->kind != b->kind || a->launcher_fd != b->launcher_fd ||
	    a->connect != b->connect || a->socktype != b->socktype ||
	    a->mode != b->mode || a->create != b->create ||
	    a->truncate != b->truncate || a->exclusive != b->exclusive ||
	    a->rights_kind != b->rights_kind)
		return false;
	if ((a->path == NULL) != (b->path == NULL) ||
	    (a->path != NULL && strcmp(a->path, b->path) != 0))
		return false;
	if (a->rights_kind == CONFIG_RIGHTS_PRESET && a->preset != b->preset)
		return false;
	return a->rights_kind != CONFIG_RIGHTS_LIST ||
	       a->rights_list == b->rights_list;
}

/* Whether the argdata trees and their resources are the same. */
static bool service_args_same(const struct config *a, const struct config *b)
{
	if (a->nres != b->nres || !service_tree_same(a->root, b->root))
		return false;
	for (size_t i = 0; i < a->nres; i++)
		if (!service_res_same(&a->res[i], &b->res[i]))
			return false;
	return true;
}

/* Field by field: the struct has padding and a double. */
static bool service_policy_same(const struct restart_policy *a,
                                const struct restart_policy *b)
{
	return a->mode == b->mode &&
	       a->backoff_initial_ms == b->backoff_initial_ms &&
	       a->backoff_max_ms == b->backoff_max_ms &&
	       a->backoff_multiplier == b->backoff_multiplier &&
	       a->jitter == b->jitter && a->loop_starts == b->loop_starts &&
	       a->loop_window_ms == b->loop_window_ms &&
	       a->reset_ms == b->reset_ms && a->stop_signal == b->stop_signal &&
	       a->stop_grace_ms == b->stop_grace_ms;
}

unsigned service_diff(const struct service *a, const struct service *b)
{
	unsigned d = 0;

	if (strcmp(a->name, b->name) != 0)
		d |= SERVICE_DIFF_NAME;
	if (strcmp(a->exe_path, b->exe_path) != 0)
		d |= SERVICE_DIFF_EXE;
	if (!service_args_same(a->args, b->args))
		d |= SERVICE_DIFF_ARGS;
	if (!service_policy_same(&a->restart, &b->restart))
		d |= SERVICE_DIFF_RESTART;
	if (a->limits.memory != b->limits.memory ||
	    a->limits.open_files != b->limits.open_files ||
	    a->limits.processes != b->limits.processes)
		d |= SERVICE_DIFF_LIMITS;
	if (a->has_user != b->has_user ||
	    (a->has_user && (a->uid != b->uid || a->gid != b->gid)))
		d |= SERVICE_DIFF_USER;
	return d;
}
