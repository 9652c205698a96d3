/*
 * libFuzzer target for service files (parse only: resolving would touch
 * the file system). A file either parses, or fails with at least one
 * positioned error; a parsed service equals itself and cannot launch
 * before it is resolved.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct service *svc = NULL;
	struct service_errors errs;
	struct service_launch l;
	char text[SERVICE_MAX_ERRORS * 520];
	int rc = service_parse("fuzz.yaml", data, size, &svc, &errs);

	if (rc == -ENOMEM)
		return 0;
	if (rc != 0) {
		if (svc != NULL || errs.count == 0 ||
		    errs.count > SERVICE_MAX_ERRORS)
			abort();
		if (service_errors_format(&errs, text, sizeof(text)) == 0)
			abort();
		return 0;
	}
	if (service_diff(svc, svc) != 0)
		abort();
	if (service_launch_build(svc, &l) != -EINVAL)
		abort();
	if (svc->yaml_len != size || memcmp(svc->yaml, data, size) != 0)
		abort();
	service_free(svc);
	return 0;
}
