/*
 * sys_mem: memory system calls (mem_*).
 */
#include <errno.h>
#include <sys/mman.h>

#include "errmap.h"
#include "sys.h"

/* Linux protection bits for CloudABI ones; -1 for unknown bits. */
static int sys_mem_prot(cloudabi_mprot_t prot)
{
	int p = PROT_NONE;

	if (prot &
	    ~(CLOUDABI_PROT_READ | CLOUDABI_PROT_WRITE | CLOUDABI_PROT_EXEC))
		return -1;
	if (prot & CLOUDABI_PROT_READ)
		p |= PROT_READ;
	if (prot & CLOUDABI_PROT_WRITE)
		p |= PROT_WRITE;
	if (prot & CLOUDABI_PROT_EXEC)
		p |= PROT_EXEC;
	return p;
}

cloudabi_errno_t cloudabi_sys_mem_protect(void *mapping, size_t mapping_len,
                                          cloudabi_mprot_t prot)
{
	int p = sys_mem_prot(prot);

	if (p < 0)
		return CLOUDABI_EINVAL;
	/* W^X: CloudABI refuses memory that is writable and executable. */
	if ((p & PROT_WRITE) && (p & PROT_EXEC))
		return CLOUDABI_ENOTSUP;
	if (mprotect(mapping, mapping_len, p) != 0)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}
