/* rpc_testserver SOCKET: the test server as a process, for grpcio. */
#include <stdio.h>

#include "testsrv.h"

int main(int argc, char **argv)
{
	/* Small request bound so that the oversize case is cheap to hit. */
	struct rpc_server_config cfg = {.max_request = 65536};

	if (argc != 2) {
		fprintf(stderr, "usage: rpc_testserver SOCKET\n");
		return 2;
	}
	return testsrv_run(argv[1], &cfg) == 0 ? 0 : 1;
}
