/*
 * errmap: Linux errno to CloudABI errno. See errmap.h.
 */
#include "errmap.h"

#include <errno.h>
#include <stddef.h>

/* Indexed by Linux errno; 0 entries have no counterpart (except 0). */
static const cloudabi_errno_t errmap_table[] = {
        [E2BIG] = CLOUDABI_E2BIG,
        [EACCES] = CLOUDABI_EACCES,
        [EADDRINUSE] = CLOUDABI_EADDRINUSE,
        [EADDRNOTAVAIL] = CLOUDABI_EADDRNOTAVAIL,
        [EAFNOSUPPORT] = CLOUDABI_EAFNOSUPPORT,
        [EAGAIN] = CLOUDABI_EAGAIN,
        [EALREADY] = CLOUDABI_EALREADY,
        [EBADF] = CLOUDABI_EBADF,
        [EBADMSG] = CLOUDABI_EBADMSG,
        [EBUSY] = CLOUDABI_EBUSY,
        [ECANCELED] = CLOUDABI_ECANCELED,
        [ECHILD] = CLOUDABI_ECHILD,
        [ECONNABORTED] = CLOUDABI_ECONNABORTED,
        [ECONNREFUSED] = CLOUDABI_ECONNREFUSED,
        [ECONNRESET] = CLOUDABI_ECONNRESET,
        [EDEADLK] = CLOUDABI_EDEADLK,
        [EDESTADDRREQ] = CLOUDABI_EDESTADDRREQ,
        [EDOM] = CLOUDABI_EDOM,
        [EDQUOT] = CLOUDABI_EDQUOT,
        [EEXIST] = CLOUDABI_EEXIST,
        [EFAULT] = CLOUDABI_EFAULT,
        [EFBIG] = CLOUDABI_EFBIG,
        [EHOSTUNREACH] = CLOUDABI_EHOSTUNREACH,
        [EIDRM] = CLOUDABI_EIDRM,
        [EILSEQ] = CLOUDABI_EILSEQ,
        [EINPROGRESS] = CLOUDABI_EINPROGRESS,
        [EINTR] = CLOUDABI_EINTR,
        [EINVAL] = CLOUDABI_EINVAL,
        [EIO] = CLOUDABI_EIO,
        [EISCONN] = CLOUDABI_EISCONN,
        [EISDIR] = CLOUDABI_EISDIR,
        [ELOOP] = CLOUDABI_ELOOP,
        [EMFILE] = CLOUDABI_EMFILE,
        [EMLINK] = CLOUDABI_EMLINK,
        [EMSGSIZE] = CLOUDABI_EMSGSIZE,
        [EMULTIHOP] = CLOUDABI_EMULTIHOP,
        [ENAMETOOLONG] = CLOUDABI_ENAMETOOLONG,
        [ENETDOWN] = CLOUDABI_ENETDOWN,
        [ENETRESET] = CLOUDABI_ENETRESET,
        [ENETUNREACH] = CLOUDABI_ENETUNREACH,
        [ENFILE] = CLOUDABI_ENFILE,
        [ENOBUFS] = CLOUDABI_ENOBUFS,
        [ENODEV] = CLOUDABI_ENODEV,
        [ENOENT] = CLOUDABI_ENOENT,
        [ENOEXEC] = CLOUDABI_ENOEXEC,
        [ENOLCK] = CLOUDABI_ENOLCK,
        [ENOLINK] = CLOUDABI_ENOLINK,
        [ENOMEM] = CLOUDABI_ENOMEM,
        [ENOMSG] = CLOUDABI_ENOMSG,
        [ENOPROTOOPT] = CLOUDABI_ENOPROTOOPT,
        [ENOSPC] = CLOUDABI_ENOSPC,
        [ENOSYS] = CLOUDABI_ENOSYS,
        [ENOTCONN] = CLOUDABI_ENOTCONN,
        [ENOTDIR] = CLOUDABI_ENOTDIR,
        [ENOTEMPTY] = CLOUDABI_ENOTEMPTY,
        [ENOTRECOVERABLE] = CLOUDABI_ENOTRECOVERABLE,
        [ENOTSOCK] = CLOUDABI_ENOTSOCK,
        [EOPNOTSUPP] = CLOUDABI_ENOTSUP,
        [ENOTTY] = CLOUDABI_ENOTTY,
        [ENXIO] = CLOUDABI_ENXIO,
        [EOVERFLOW] = CLOUDABI_EOVERFLOW,
        [EOWNERDEAD] = CLOUDABI_EOWNERDEAD,
        [EPERM] = CLOUDABI_EPERM,
        [EPIPE] = CLOUDABI_EPIPE,
        [EPROTO] = CLOUDABI_EPROTO,
        [EPROTONOSUPPORT] = CLOUDABI_EPROTONOSUPPORT,
        [EPROTOTYPE] = CLOUDABI_EPROTOTYPE,
        [ERANGE] = CLOUDABI_ERANGE,
        [EROFS] = CLOUDABI_EROFS,
        [ESPIPE] = CLOUDABI_ESPIPE,
        [ESRCH] = CLOUDABI_ESRCH,
        [ESTALE] = CLOUDABI_ESTALE,
        [ETIMEDOUT] = CLOUDABI_ETIMEDOUT,
        [ETXTBSY] = CLOUDABI_ETXTBSY,
        [EXDEV] = CLOUDABI_EXDEV,
};

cloudabi_errno_t errmap_from_linux(int e)
{
	if (e == 0)
		return CLOUDABI_ESUCCESS;
	if (e < 0 ||
	    (size_t)e >= sizeof(errmap_table) / sizeof(errmap_table[0]) ||
	    errmap_table[e] == 0)
		return CLOUDABI_EIO;
	return errmap_table[e];
}

int errmap_to_linux(cloudabi_errno_t e)
{
	if (e == CLOUDABI_ESUCCESS)
		return 0;
	for (size_t i = 1; i < sizeof(errmap_table) / sizeof(errmap_table[0]);
	     i++)
		if (errmap_table[i] == e)
			return (int)i;
	return EIO;
}
