/*
 * sys_sock: sock_recv, sock_send and sock_shutdown.
 *
 * Data goes straight between the program's iovecs and the kernel (bad
 * buffers are the kernel's EFAULT); the recv_in/send_in/out structures and
 * the fd arrays are copied with usercopy. Descriptors travel as SCM_RIGHTS
 * on UNIX sockets. A received descriptor is a new fd of the program: it is
 * registered in fdtab with its classified type and the default rights for
 * that type, narrowed by the receiving socket's inheriting rights (the
 * sender's rights cannot travel with it: the sender may be another
 * process). docs/runtime.md has the details and the accept convention.
 *
 * Ownership: every fd received here is either registered and handed to
 * the program, or closed before returning; none is kept by the runtime.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "errmap.h"
#include "fdtab.h"
#include "rights.h"
#include "sys.h"
#include "usercopy.h"

/* The kernel's limit on iovecs per call. */
#define SYS_SOCK_IOV_MAX 1024

/* The kernel's limit on descriptors per message (SCM_MAX_FD). */
#define SYS_SOCK_FDS_MAX 253

/* Control buffer for the largest SCM_RIGHTS message, suitably aligned. */
union sys_sock_cmsg {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(int) * SYS_SOCK_FDS_MAX)];
};

/* Registers a received host fd: default rights for its type, narrowed by
 * `inh`, the inheriting rights of the socket it came through. */
static int sys_sock_adopt(int fd, cloudabi_rights_t inh)
{
	cloudabi_filetype_t type = fdtab_classify(fd);
	struct rights r;

	if (rights_default(type, rights_access_of_fd(fd), &r) != 0)
		rights_default(CLOUDABI_FILETYPE_UNKNOWN, RIGHTS_READ, &r);
	return fdtab_set(fd, type, r.base & inh, r.inheriting & inh);
}

/* Takes back fds already registered for the program, on a late error. */
static void sys_sock_discard(const cloudabi_fd_t *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fdtab_remove((int)fds[i]);
		close((int)fds[i]);
	}
}

/* Checks that the program's p[0..n) is readable and writable, without
 * changing it, so that a bad output pointer fails before any data or fd
 * is consumed. `scratch` holds at least n bytes. */
static cloudabi_errno_t sys_sock_probe(void *p, size_t n, void *scratch)
{
	cloudabi_errno_t rc;

	if (n == 0)
		return CLOUDABI_ESUCCESS;
	rc = usercopy_read(scratch, p, n);
	if (rc == CLOUDABI_ESUCCESS)
		rc = usercopy_write(p, scratch, n);
	return rc;
}

/* Whether fd is a listening socket. */
static bool sys_sock_listening(int fd)
{
	int on = 0;
	socklen_t len = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 &&
	       on != 0;
}

/* The accept convention: one new connection as the single received fd. */
static cloudabi_errno_t sys_sock_accept(int fd, cloudabi_rights_t inh,
                                        cloudabi_fd_t *fds_u,
                                        cloudabi_recv_out_t *out_u)
{
	cloudabi_recv_out_t out;
	cloudabi_fd_t conn;
	cloudabi_errno_t rc;
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return errmap_from_linux(errno);
	if (sys_sock_adopt(c, inh) != 0) {
		close(c);
		return CLOUDABI_EMFILE;
	}
	conn = (cloudabi_fd_t)c;
	memset(&out, 0, sizeof(out));
	out.ro_fdslen = 1;
	rc = usercopy_write(fds_u, &conn, sizeof(conn));
	if (rc == CLOUDABI_ESUCCESS)
		rc = usercopy_write(out_u, &out, sizeof(out));
	if (rc != CLOUDABI_ESUCCESS)
		sys_sock_discard(&conn, 1);
	return rc;
}

/* Registers the fds of every SCM_RIGHTS message in msg, up to `room` of
 * them, into fds; closes the rest and reports them as truncated. */
static size_t sys_sock_collect(struct msghdr *msg, size_t room,
                               cloudabi_rights_t inh, cloudabi_fd_t *fds,
                               cloudabi_roflags_t *flags)
{
	size_t got = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
	     c = CMSG_NXTHDR(msg, c)) {
		const unsigned char *data = CMSG_DATA(c);
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int hfd;

			memcpy(&hfd, data + i * sizeof(int), sizeof(hfd));
			/* CMSG_SPACE padding can let one more fd in. */
			if (got < room && sys_sock_adopt(hfd, inh) == 0) {
				fds[got++] = (cloudabi_fd_t)hfd;
			} else {
				close(hfd);
				*flags |= CLOUDABI_SOCK_RECV_FDS_TRUNCATED;
			}
		}
	}
	return got;
}

/* recvmsg into the program's iovecs; received fds (at most `room`) are
 * registered and listed in fds, the counts and flags go to *out. */
static cloudabi_errno_t sys_sock_recvmsg(int fd, const cloudabi_recv_in_t *in,
                                         size_t room, cloudabi_rights_t inh,
                                         cloudabi_fd_t *fds,
                                         cloudabi_recv_out_t *out)
{
	union sys_sock_cmsg cm;
	struct msghdr msg;
	int flags = MSG_CMSG_CLOEXEC;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = (struct iovec *)in->ri_data;
	msg.msg_iovlen = in->ri_data_len;
	if (room > 0) {
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * room);
	}
	if (in->ri_flags & CLOUDABI_SOCK_RECV_PEEK)
		flags |= MSG_PEEK;
	if (in->ri_flags & CLOUDABI_SOCK_RECV_WAITALL)
		flags |= MSG_WAITALL;
	n = recvmsg(fd, &msg, flags);
	if (n < 0) {
		int e = errno;

		/* Linux says EINVAL for UNIX and ENOTCONN for TCP listening
		 * sockets: one answer for both (docs/runtime.md). */
		if (e == EINVAL && sys_sock_listening(fd))
			return CLOUDABI_ENOTCONN;
		return errmap_from_linux(e);
	}
	out->ro_datalen = (size_t)n;
	if (msg.msg_flags & MSG_TRUNC)
		out->ro_flags |= CLOUDABI_SOCK_RECV_DATA_TRUNCATED;
	if (msg.msg_flags & MSG_CTRUNC)
		out->ro_flags |= CLOUDABI_SOCK_RECV_FDS_TRUNCATED;
	out->ro_fdslen = sys_sock_collect(&msg, room, inh, fds, &out->ro_flags);
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_sock_recv(cloudabi_fd_t sock,
                                        const cloudabi_recv_in_t *in_u,
                                        cloudabi_recv_out_t *out_u)
{
	cloudabi_fd_t fds[SYS_SOCK_FDS_MAX];
	struct fdtab_entry e;
	cloudabi_recv_in_t in;
	cloudabi_recv_out_t out;
	size_t room;
	cloudabi_errno_t rc = fdtab_get(sock, CLOUDABI_RIGHT_FD_READ, &e);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = usercopy_read(&in, in_u, sizeof(in));
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if ((in.ri_flags &
	     ~(CLOUDABI_SOCK_RECV_PEEK | CLOUDABI_SOCK_RECV_WAITALL)) != 0 ||
	    in.ri_data_len > SYS_SOCK_IOV_MAX)
		return CLOUDABI_EINVAL;
	room = in.ri_fds_len < SYS_SOCK_FDS_MAX ? in.ri_fds_len
	                                        : SYS_SOCK_FDS_MAX;
	rc = sys_sock_probe(out_u, sizeof(out), &out);
	if (rc == CLOUDABI_ESUCCESS)
		rc = sys_sock_probe(in.ri_fds, room * sizeof(fds[0]), fds);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (room > 0 && e.filetype == CLOUDABI_FILETYPE_SOCKET_STREAM &&
	    sys_sock_listening((int)sock))
		return sys_sock_accept((int)sock, e.inheriting, in.ri_fds,
		                       out_u);
	memset(&out, 0, sizeof(out));
	rc = sys_sock_recvmsg((int)sock, &in, room, e.inheriting, fds, &out);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* Both were probed; a failure now means another thread unmapped
	 * them, and the fds must not leak. */
	rc = usercopy_write(in.ri_fds, fds, out.ro_fdslen * sizeof(fds[0]));
	if (rc == CLOUDABI_ESUCCESS)
		rc = usercopy_write(out_u, &out, sizeof(out));
	if (rc != CLOUDABI_ESUCCESS)
		sys_sock_discard(fds, out.ro_fdslen);
	return rc;
}

/* Reads the fds to send from the program and checks each is its own. */
static cloudabi_errno_t sys_sock_send_fds(const cloudabi_send_in_t *in,
                                          int *fds)
{
	cloudabi_fd_t fd;
	cloudabi_errno_t rc;

	for (size_t i = 0; i < in->si_fds_len; i++) {
		rc = usercopy_read(&fd, &in->si_fds[i], sizeof(fd));
		if (rc != CLOUDABI_ESUCCESS)
			return rc;
		rc = fdtab_get(fd, 0, NULL);
		if (rc != CLOUDABI_ESUCCESS)
			return rc;
		fds[i] = (int)fd;
	}
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_sock_send(cloudabi_fd_t sock,
                                        const cloudabi_send_in_t *in_u,
                                        cloudabi_send_out_t *out_u)
{
	union sys_sock_cmsg cm;
	cloudabi_send_in_t in;
	cloudabi_send_out_t out;
	struct msghdr msg;
	ssize_t n;
	cloudabi_errno_t rc = fdtab_get(sock, CLOUDABI_RIGHT_FD_WRITE, NULL);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = usercopy_read(&in, in_u, sizeof(in));
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (in.si_flags != 0 || in.si_data_len > SYS_SOCK_IOV_MAX ||
	    in.si_fds_len > SYS_SOCK_FDS_MAX)
		return CLOUDABI_EINVAL;
	rc = sys_sock_probe(out_u, sizeof(out), &out);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = (struct iovec *)in.si_data;
	msg.msg_iovlen = in.si_data_len;
	if (in.si_fds_len > 0) {
		struct cmsghdr *c = &cm.h;
		int fds[SYS_SOCK_FDS_MAX];

		rc = sys_sock_send_fds(&in, fds);
		if (rc != CLOUDABI_ESUCCESS)
			return rc;
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * in.si_fds_len);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * in.si_fds_len);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * in.si_fds_len);
	}
	/* CloudABI ignores SIGPIPE: a closed peer is EPIPE, not a signal. */
	n = sendmsg((int)sock, &msg, MSG_NOSIGNAL);
	if (n < 0)
		return errmap_from_linux(errno);
	out.so_datalen = (size_t)n;
	return usercopy_write(out_u, &out, sizeof(out));
}

cloudabi_errno_t cloudabi_sys_sock_shutdown(cloudabi_fd_t sock,
                                            cloudabi_sdflags_t how)
{
	static const int sys_sock_how[] = {
	        [CLOUDABI_SHUT_RD] = SHUT_RD,
	        [CLOUDABI_SHUT_WR] = SHUT_WR,
	        [CLOUDABI_SHUT_RD | CLOUDABI_SHUT_WR] = SHUT_RDWR,
	};
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	cloudabi_errno_t rc =
	        fdtab_get(sock, CLOUDABI_RIGHT_SOCK_SHUTDOWN, NULL);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (how == 0 || (how & ~(CLOUDABI_SHUT_RD | CLOUDABI_SHUT_WR)) != 0)
		return CLOUDABI_EINVAL;
	/* Linux lets an unconnected UNIX socket be shut down; CloudABI (as
	 * FreeBSD) says ENOTCONN. getpeername also gives ENOTSOCK. */
	if (getpeername((int)sock, (struct sockaddr *)&peer, &len) != 0)
		return errmap_from_linux(errno);
	if (shutdown((int)sock, sys_sock_how[how]) != 0)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}
