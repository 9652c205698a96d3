/*
 * launch_static: the baseline of bench/launch. A static host binary that
 * writes one byte to fd 3 (the benchmark's pipe) as its first action and
 * exits: the cost of a bare fork+exec+wait, with no dynamic loader.
 */
#include <unistd.h>

int main(void)
{
	/* A failed write only delays the benchmark's read until exit. */
	if (write(3, "s", 1) != 1)
		return 1;
	return 0;
}
