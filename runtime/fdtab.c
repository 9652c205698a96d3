/*
 * fdtab: the program's fds and rights. See fdtab.h.
 */
#include "fdtab.h"

#include "rights.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

/*
 * Every system call on an fd looks it up, so lookups take no lock: each
 * slot is a sequence lock. Writers (rare: open, close, narrow) hold the
 * mutex, make the sequence odd, change the fields and make it even again;
 * a reader retries while the sequence is odd or changed under it. The
 * fields are atomics so that these racing reads are defined.
 */
struct fdtab_slot {
	_Atomic uint32_t seq;
	_Atomic bool used;
	_Atomic cloudabi_filetype_t filetype;
	_Atomic cloudabi_rights_t base;
	_Atomic cloudabi_rights_t inheriting;
};

static struct fdtab_slot fdtab[FDTAB_MAX];
static pthread_mutex_t fdtab_lock = PTHREAD_MUTEX_INITIALIZER;

/* proc_fork may run while another thread writes the table: the child
 * must not inherit a held mutex. */
static void fdtab_fork_prepare(void)
{
	pthread_mutex_lock(&fdtab_lock);
}

static void fdtab_fork_release(void)
{
	pthread_mutex_unlock(&fdtab_lock);
}

__attribute__((constructor)) static void fdtab_register_fork(void)
{
	pthread_atfork(fdtab_fork_prepare, fdtab_fork_release,
	               fdtab_fork_release);
}

/* Starts a write of slot (mutex held). */
static void fdtab_write_begin(struct fdtab_slot *slot)
{
	uint32_t s = atomic_load_explicit(&slot->seq, memory_order_relaxed);

	atomic_store_explicit(&slot->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

/* Ends a write of slot (mutex held). */
static void fdtab_write_end(struct fdtab_slot *slot)
{
	uint32_t s = atomic_load_explicit(&slot->seq, memory_order_relaxed);

	atomic_store_explicit(&slot->seq, s + 1, memory_order_release);
}

/* A consistent copy of slot; false when the fd is not the program's. */
static bool fdtab_read(const struct fdtab_slot *slot, struct fdtab_entry *e)
{
	uint32_t s1, s2;
	bool used;

	do {
		s1 = atomic_load_explicit(&slot->seq, memory_order_acquire);
		used = atomic_load_explicit(&slot->used, memory_order_relaxed);
		e->filetype = atomic_load_explicit(&slot->filetype,
		                                   memory_order_relaxed);
		e->base =
		        atomic_load_explicit(&slot->base, memory_order_relaxed);
		e->inheriting = atomic_load_explicit(&slot->inheriting,
		                                     memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&slot->seq, memory_order_relaxed);
	} while ((s1 & 1) != 0 || s1 != s2);
	return used;
}

/* Stores an entry into slot (mutex held). */
static void fdtab_store(struct fdtab_slot *slot, bool used,
                        const struct fdtab_entry *e)
{
	fdtab_write_begin(slot);
	atomic_store_explicit(&slot->used, used, memory_order_relaxed);
	atomic_store_explicit(&slot->filetype, e->filetype,
	                      memory_order_relaxed);
	atomic_store_explicit(&slot->base, e->base, memory_order_relaxed);
	atomic_store_explicit(&slot->inheriting, e->inheriting,
	                      memory_order_relaxed);
	fdtab_write_end(slot);
}

int fdtab_set(int fd, cloudabi_filetype_t type, cloudabi_rights_t base,
              cloudabi_rights_t inheriting)
{
	struct fdtab_entry e = {type, base, inheriting};

	if (fd < 0 || fd >= FDTAB_MAX)
		return -EMFILE;
	pthread_mutex_lock(&fdtab_lock);
	fdtab_store(&fdtab[fd], true, &e);
	pthread_mutex_unlock(&fdtab_lock);
	return 0;
}

cloudabi_errno_t fdtab_get(cloudabi_fd_t fd, cloudabi_rights_t need,
                           struct fdtab_entry *out)
{
	struct fdtab_entry e;

	if (fd >= FDTAB_MAX || !fdtab_read(&fdtab[fd], &e))
		return CLOUDABI_EBADF;
	if ((e.base & need) != need)
		return CLOUDABI_ENOTCAPABLE;
	if (out != NULL)
		*out = e;
	return CLOUDABI_ESUCCESS;
}

void fdtab_remove(int fd)
{
	struct fdtab_entry none = {0, 0, 0};

	if (fd < 0 || fd >= FDTAB_MAX)
		return;
	pthread_mutex_lock(&fdtab_lock);
	fdtab_store(&fdtab[fd], false, &none);
	pthread_mutex_unlock(&fdtab_lock);
}

cloudabi_errno_t fdtab_narrow(cloudabi_fd_t fd, cloudabi_rights_t base,
                              cloudabi_rights_t inheriting)
{
	struct fdtab_entry e;
	cloudabi_errno_t rc = CLOUDABI_ESUCCESS;

	if (fd >= FDTAB_MAX)
		return CLOUDABI_EBADF;
	pthread_mutex_lock(&fdtab_lock);
	if (!fdtab_read(&fdtab[fd], &e))
		rc = CLOUDABI_EBADF;
	else if ((base & ~e.base) != 0 || (inheriting & ~e.inheriting) != 0)
		rc = CLOUDABI_ENOTCAPABLE; /* rights are never widened */
	else {
		e.base = base;
		e.inheriting = inheriting;
		fdtab_store(&fdtab[fd], true, &e);
	}
	pthread_mutex_unlock(&fdtab_lock);
	return rc;
}

cloudabi_filetype_t fdtab_classify(int fd)
{
	uint8_t type;

	if (rights_classify_fd(fd, &type, NULL) != 0)
		return CLOUDABI_FILETYPE_UNKNOWN;
	return type;
}
