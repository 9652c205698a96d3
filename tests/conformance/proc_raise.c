/*
 * A guest for tests/run/proc_signals.sh: raises the CloudABI signal given
 * as "raise" in its configuration. If proc_raise returns (an ignored
 * signal, a stop that was continued, an invalid number), the process exits
 * with the returned errno, so the script sees every outcome in the status.
 */
#include "harness.h"

#include <sdk_io.h>

void conf_main(void)
{
	argdata_t v = conf_value("raise");
	int64_t sig = -1;

	if (argdata_get_int(&v, &sig) != 0 || sig < 0 || sig > 255) {
		conf_log("proc_raise: no \"raise\" number");
		sdk_io_exit(100);
	}
	sdk_io_exit(cloudabi_sys_proc_raise((cloudabi_signal_t)sig));
}
