/*
 * hello: the example of the cloudabi-run manual page. It receives a
 * sequence of file descriptors and writes "Hello, world" to each of them;
 * with examples/hello.yaml that is standard output, three times.
 *
 *   cloudabi-run build/guests/hello < examples/hello.yaml
 *
 * Elements that are not fds are skipped; a malformed sequence or a failed
 * write ends the process with status 1.
 */
#include <program.h>
#include <sdk_io.h>

void program_main(const argdata_t *ad)
{
	static const char msg[] = "Hello, world\n";
	argdata_seq_iterator_t it;
	argdata_t value;
	int more;

	if (argdata_seq_iterate(ad, &it) != 0)
		sdk_io_exit(1);
	while ((more = argdata_seq_next(&it, &value)) > 0) {
		uint32_t fd;

		if (argdata_get_fd(&value, &fd) != 0)
			continue;
		if (sdk_io_write_all(fd, msg, sizeof(msg) - 1) != 0)
			sdk_io_exit(1);
	}
	if (more < 0)
		sdk_io_exit(1);
}
