/*
 * libFuzzer target for the untrusted half of the configuration: YAML ->
 * tree -> argdata (parse only: resolving would touch the file system).
 * Every document that parses must encode, and decode back to an equal tree.
 */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct config_error err;
	struct adtree *back = NULL;
	uint8_t *buf = NULL;
	int *fds = NULL;
	size_t len, nfds;

	if (config_parse("fuzz.yaml", data, size, &cfg, &err) != 0)
		return 0;
	if (adtree_encode(cfg->root, ADTREE_FD_RENUMBER, &buf, &len, &fds,
	                  &nfds) != 0)
		abort(); /* the parser's bounds must keep trees encodable */
	if (cfg->nres > 0 && nfds == 0)
		abort(); /* resources are fd nodes: at least one index */
	if (adtree_decode(buf, len, &back, NULL) != 0)
		abort();
	free(buf);
	free(fds);
	adtree_free(back);
	config_free(cfg);
	return 0;
}
