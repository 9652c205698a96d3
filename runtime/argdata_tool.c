/*
 * cloudabi-argdata [--resolve] [FILE.yaml|-]
 *
 * Shows what a program would receive for a configuration: the fd table
 * (index -> resource, with its source position and, once resolved, its
 * CloudABI filetype and rights), a hex dump of the encoded argdata, and the
 * decoded view. Without --resolve nothing is opened: fd nodes that still
 * wait for a resource show as their own index with "(unresolved)".
 * Exit status: 0, or 1 with a "file:line:column: message" on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adtree.h"
#include "config.h"
#include "rights.h"

/* The resource whose node comes first in depth-first order with this fd
 * table slot; resources are in document order, which is that order. */
static void tool_describe(FILE *out, const struct config *cfg, size_t index,
                          int fd, const int *fds)
{
	char buf[1024];

	for (size_t i = 0; i < cfg->nres; i++) {
		const struct config_resource *r = &cfg->res[i];
		if (r->node->u.fd != fd)
			continue;
		/* Unresolved nodes are each their own slot: match by order. */
		if (fd < 0) {
			size_t k = 0;
			for (size_t j = 0; j < index; j++)
				k += fds[j] < 0;
			size_t seen = 0;
			for (size_t j = 0; j < i; j++)
				seen += cfg->res[j].node->u.fd < 0;
			if (seen != k)
				continue;
		}
		fprintf(out, "  %zu: %s:%d:%d !%s", index, cfg->name, r->line,
		        r->column, config_kind_name(r->kind));
		if (r->kind == CONFIG_FD)
			fprintf(out, " %d", r->launcher_fd);
		if (r->path != NULL)
			fprintf(out, " %s%s",
			        r->kind == CONFIG_SOCKET
			                ? (r->connect ? "connect " : "bind ")
			                : "",
			        r->path);
		if (!cfg->resolved) {
			fprintf(out, " (unresolved)\n");
			return;
		}
		fprintf(out, " [host fd %d, %s]\n", fd,
		        rights_filetype_name(r->filetype));
		rights_format(r->rights.base, buf, sizeof(buf));
		fprintf(out, "     base: %s\n", buf);
		rights_format(r->rights.inheriting, buf, sizeof(buf));
		fprintf(out, "     inheriting: %s\n", buf);
		return;
	}
	fprintf(out, "  %zu: fd %d\n", index, fd);
}

/* Encodes and prints the three views; 0 or a negative errno. */
static int tool_show(FILE *out, const struct config *cfg)
{
	uint8_t *buf = NULL;
	int *fds = NULL;
	size_t len = 0, nfds = 0;
	struct adtree *back = NULL;
	int rc = adtree_encode(cfg->root, ADTREE_FD_RENUMBER, &buf, &len, &fds,
	                       &nfds);

	if (rc != 0)
		return rc;
	fprintf(out, "fds (%zu):\n", nfds);
	for (size_t i = 0; i < nfds; i++)
		tool_describe(out, cfg, i, fds[i], fds);
	fprintf(out, "argdata (%zu bytes):\n", len);
	adtree_hexdump(out, buf, len);
	fprintf(out, "decoded:\n");
	/* Decode what was encoded: the view is what the program will see. */
	if ((rc = adtree_decode(buf, len, &back, NULL)) == 0)
		rc = adtree_print(out, back);
	adtree_free(back);
	free(buf);
	free(fds);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = "-";
	bool resolve = false;
	struct config *cfg = NULL;
	struct config_error err;
	int fd = STDIN_FILENO, rc, i = 1;

	if (i < argc && strcmp(argv[i], "--resolve") == 0) {
		resolve = true;
		i++;
	}
	if (i < argc)
		path = argv[i++];
	if (i != argc || (path[0] == '-' && path[1] != '\0')) {
		fprintf(stderr, "usage: cloudabi-argdata [--resolve] "
		                "[FILE.yaml|-]\n");
		return 1;
	}
	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	rc = config_parse_fd(strcmp(path, "-") ? path : "<stdin>", fd, &cfg,
	                     &err);
	if (fd != STDIN_FILENO)
		close(fd);
	/* No executable here: !executable fails to resolve, by design. */
	if (rc == 0 && resolve)
		rc = config_resolve(cfg, -1, &err);
	if (rc != 0) {
		fprintf(stderr, "%s\n", err.msg[0] ? err.msg : strerror(-rc));
		config_free(cfg);
		return 1;
	}
	rc = tool_show(stdout, cfg);
	config_free(cfg);
	if (rc != 0) {
		fprintf(stderr, "cloudabi-argdata: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}
