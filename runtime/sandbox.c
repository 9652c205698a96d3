/*
 * sandbox: options, detection, the --sandbox-check report, and the order
 * in which the layers are entered. See sandbox.h.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <link.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

/* Files the dynamic loader opens when proc_exec starts the runtime anew. */
#define SANDBOX_MAX_FILES 32

static bool sandbox_is_active;

static const int sandbox_rlimit_res[SANDBOX_NLIMITS] = {
        RLIMIT_NOFILE, RLIMIT_AS, RLIMIT_NPROC, RLIMIT_CORE};
static const char *const sandbox_rlimit_name[SANDBOX_NLIMITS] = {
        "nofile", "as", "nproc", "core"};

bool sandbox_active(void)
{
	return sandbox_is_active;
}

/* Parses a decimal id; false unless the whole string is one. */
static bool sandbox_number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

int sandbox_opts_user(struct sandbox_opts *o, const char *user,
                      bool group_given, char *err, size_t errlen)
{
	struct passwd *pw = NULL;
	unsigned long id;

	if (sandbox_number(user, UINT_MAX - 1, &id)) {
		o->uid = (uid_t)id;
		pw = getpwuid(o->uid);
	} else if ((pw = getpwnam(user)) != NULL) {
		o->uid = pw->pw_uid;
	} else {
		snprintf(err, errlen, "no such user: %s", user);
		return -EINVAL;
	}
	if (!group_given) {
		if (pw == NULL) {
			snprintf(err, errlen,
			         "user %s has no account: give --group", user);
			return -EINVAL;
		}
		o->gid = pw->pw_gid;
	}
	o->set_ids = true;
	return 0;
}

int sandbox_opts_group(struct sandbox_opts *o, const char *group, char *err,
                       size_t errlen)
{
	struct group *gr;
	unsigned long id;

	if (sandbox_number(group, UINT_MAX - 1, &id)) {
		o->gid = (gid_t)id;
	} else if ((gr = getgrnam(group)) != NULL) {
		o->gid = gr->gr_gid;
	} else {
		snprintf(err, errlen, "no such group: %s", group);
		return -EINVAL;
	}
	o->set_ids = true;
	return 0;
}

int sandbox_opts_limit(struct sandbox_opts *o, enum sandbox_limit which,
                       const char *value, char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (strcmp(value, "unlimited") == 0) {
		o->limit[which] = RLIM_INFINITY;
	} else {
		errno = 0;
		v = strtoull(value, &end, 10);
		if (*value < '0' || *value > '9' || *end != '\0' ||
		    errno != 0 || v >= RLIM_INFINITY) {
			snprintf(err, errlen, "bad --limit-%s: %s",
			         sandbox_rlimit_name[which], value);
			return -EINVAL;
		}
		o->limit[which] = (rlim_t)v;
	}
	o->has_limit[which] = true;
	return 0;
}

int sandbox_opts_default(struct sandbox_opts *o)
{
	struct passwd *pw;
	struct group *gr;

	memset(o, 0, sizeof(*o));
	/* A crashing program's memory stays out of core files. */
	o->has_limit[SANDBOX_LIMIT_CORE] = true;
	o->limit[SANDBOX_LIMIT_CORE] = 0;
	if (geteuid() != 0)
		return 0;
	/* Root never runs a program as root unless told so (--user). */
	if ((pw = getpwnam("nobody")) == NULL)
		return -ENOENT;
	gr = getgrnam("nogroup");
	if (gr == NULL)
		gr = getgrnam("nobody");
	o->uid = pw->pw_uid;
	o->gid = gr != NULL ? gr->gr_gid : pw->pw_gid;
	o->set_ids = true;
	return 0;
}

/* Whether the test-only variable names layer `name`. */
static bool sandbox_simulated(const char *name)
{
	const char *s = getenv(SANDBOX_SIMULATE_ENV);
	size_t n = strlen(name);

	while (s != NULL && *s != '\0') {
		size_t len = strcspn(s, ",");
		if (len == n && strncmp(s, name, n) == 0)
			return true;
		s += len + (s[len] == ',');
	}
	return false;
}

void sandbox_probe(struct sandbox_probe *p)
{
	int abi = sandbox_landlock_abi();
	int sc = sandbox_seccomp_available();

	memset(p, 0, sizeof(*p));
	p->landlock_abi = abi > 0 ? abi : 0;
	p->landlock_errno = abi > 0 ? 0 : -abi;
	p->seccomp = sc == 0;
	p->seccomp_errno = -sc;
	p->fsgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;
	/* Simulation only ever takes layers away (fails closed). */
	if (sandbox_simulated("landlock")) {
		p->landlock_abi = 0;
		p->landlock_errno = EOPNOTSUPP;
		p->simulated = true;
	}
	if (sandbox_simulated("seccomp")) {
		p->seccomp = false;
		p->seccomp_errno = EINVAL;
		p->simulated = true;
	}
	p->sim_net = sandbox_simulated("landlock-net");
	p->sim_scope = sandbox_simulated("landlock-scope");
	p->simulated |= p->sim_net || p->sim_scope;
}

/* Appends text to buf, with a comma after earlier items. */
static void sandbox_append(char *buf, size_t len, const char *text)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
		         text);
}

int sandbox_missing(const struct sandbox_probe *p, char *buf, size_t len)
{
	int n = 0;

	if (len > 0)
		buf[0] = '\0';
	if (p->landlock_abi == 0) {
		n++, sandbox_append(buf, len,
		                    "Landlock (file system, TCP, "
		                    "scopes)");
	} else {
		if (p->landlock_abi < 4 || p->sim_net)
			n++, sandbox_append(buf, len,
			                    "Landlock TCP rules (ABI 4)");
		if (p->landlock_abi < SANDBOX_LANDLOCK_REQUIRED || p->sim_scope)
			n++, sandbox_append(buf, len,
			                    "Landlock scopes (ABI 6)");
	}
	if (!p->seccomp)
		n++, sandbox_append(buf, len, "seccomp filters");
	return n;
}

/* Prints the uid, gid and capabilities the program will run with. */
static void sandbox_report_ids(FILE *out, const struct sandbox_opts *o)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	bool root = geteuid() == 0;

	fprintf(out, "no_new_privs:   set at launch (always available)\n");
	if (root && o->set_ids)
		fprintf(out,
		        "uid/gid:        root: drops to uid %u gid %u, "
		        "supplementary groups cleared\n",
		        (unsigned)o->uid, (unsigned)o->gid);
	else
		fprintf(out, "uid/gid:        %u/%u (not root: unchanged)\n",
		        (unsigned)getuid(), (unsigned)getgid());
	syscall(SYS_capget, &h, d);
	fprintf(out,
	        "capabilities:   now effective %#llx, all dropped at "
	        "launch (bounding set too when root)\n",
	        (unsigned long long)d[0].effective |
	                ((unsigned long long)d[1].effective << 32));
	fprintf(out, "rlimits:       ");
	for (int i = 0; i < SANDBOX_NLIMITS; i++) {
		if (!o->has_limit[i])
			fprintf(out, " %s=inherited", sandbox_rlimit_name[i]);
		else if (o->limit[i] == RLIM_INFINITY)
			fprintf(out, " %s=unlimited", sandbox_rlimit_name[i]);
		else
			fprintf(out, " %s=%llu", sandbox_rlimit_name[i],
			        (unsigned long long)o->limit[i]);
	}
	fputc('\n', out);
}

/* Prints the Landlock ABI and each feature it brings. */
static void sandbox_report_landlock(FILE *out, const struct sandbox_probe *p)
{
	static const struct {
		const char *name;
		int abi;
	} f[] = {{"fs", 1},  {"refer", 2},     {"truncate", 3},
	         {"net", 4}, {"ioctl_dev", 5}, {"scopes", 6}};
	int abi = p->landlock_abi;

	if (abi == 0) {
		fprintf(out, "landlock:       MISSING (%s)\n",
		        strerror(p->landlock_errno));
		return;
	}
	fprintf(out, "landlock:       ABI %d:", abi);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		bool on = abi >= f[i].abi && !(f[i].abi == 4 && p->sim_net) &&
		          !(f[i].abi == 6 && p->sim_scope);
		fprintf(out, " %s=%s", f[i].name, on ? "on" : "MISSING");
	}
	fputc('\n', out);
}

int sandbox_report(FILE *out, const struct sandbox_opts *o,
                   const struct sandbox_probe *p)
{
	char missing[256];
	int n = sandbox_missing(p, missing, sizeof(missing));

	sandbox_report_ids(out, o);
	sandbox_report_landlock(out, p);
	if (p->seccomp)
		fprintf(out, "seccomp:        filter available (allowlist, "
		             "kills on anything else)\n");
	else
		fprintf(out, "seccomp:        MISSING (%s)\n",
		        strerror(p->seccomp_errno));
	fprintf(out, "fsgsbase:       %s\n",
	        p->fsgsbase ? "yes (%fs switches without system calls)"
	                    : "no (arch_prctl, allowed for SET_FS/GET_FS)");
	if (p->simulated)
		fprintf(out, "note:           %s removes layers (tests only)\n",
		        SANDBOX_SIMULATE_ENV);
	if (n == 0)
		fprintf(out,
		        "result:         every required layer is available\n");
	else
		fprintf(out, "result:         missing %s\n", missing);
	return n;
}

/* Sets every configured rlimit (soft and hard). */
static int sandbox_rlimits(const struct sandbox_opts *o, char *err,
                           size_t errlen)
{
	for (int i = 0; i < SANDBOX_NLIMITS; i++) {
		struct rlimit r = {o->limit[i], o->limit[i]};
		if (o->has_limit[i] &&
		    setrlimit(sandbox_rlimit_res[i], &r) != 0) {
			snprintf(err, errlen, "setting rlimit %s: %s",
			         sandbox_rlimit_name[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* Empties the bounding set (needs CAP_SETPCAP: as root), so that no
 * later exec can grant a capability again. */
static int sandbox_drop_bounding(void)
{
	for (int c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL)
			return -errno;
	return 0;
}

/* Drops the ambient, permitted, effective and inheritable sets. */
static int sandbox_drop_caps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL)
		return -errno;
	return syscall(SYS_capset, &h, d) == 0 ? 0 : -errno;
}

/* As root: leaves uid 0 (unless told to stay) and every capability for
 * good; otherwise drops whatever capabilities the process has. */
static int sandbox_privileges(const struct sandbox_opts *o, char *err,
                              size_t errlen)
{
	int rc = 0;
	const char *what = "emptying the capability bounding set";

	if (geteuid() == 0) {
		if ((rc = sandbox_drop_bounding()) != 0)
			goto out;
		what = "changing uid/gid";
		if (o->set_ids && (setgroups(0, NULL) != 0 ||
		                   setresgid(o->gid, o->gid, o->gid) != 0 ||
		                   setresuid(o->uid, o->uid, o->uid) != 0)) {
			rc = -errno;
			goto out;
		}
	}
	what = "dropping capabilities";
	rc = sandbox_drop_caps();
out:
	if (rc != 0)
		snprintf(err, errlen, "%s: %s", what, strerror(-rc));
	return rc;
}

struct sandbox_files {
	int fd[SANDBOX_MAX_FILES];
	size_t n;
};

/* dl_iterate_phdr callback: opens each loaded object by path. */
static int sandbox_file_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct sandbox_files *f = arg;
	int fd;

	if (info->dlpi_name == NULL || info->dlpi_name[0] != '/' ||
	    f->n == SANDBOX_MAX_FILES)
		return 0;
	fd = open(info->dlpi_name, O_PATH | O_CLOEXEC);
	if (fd >= 0)
		f->fd[f->n++] = fd;
	return 0;
}

/* Enters Landlock: the grants, plus what re-executing the runtime needs
 * (its binary and shared objects to execute, the loader's cache). */
static int sandbox_landlock(const struct sandbox_probe *p,
                            const struct launch_fd *fds, size_t nfds,
                            int self_fd, char *err, size_t errlen)
{
	struct sandbox_files ex = {.n = 0}, rd = {.n = 0};
	int rc, cache;

	if (self_fd >= 0)
		ex.fd[ex.n++] = self_fd;
	dl_iterate_phdr(sandbox_file_cb, &ex);
	if ((cache = open("/etc/ld.so.cache", O_PATH | O_CLOEXEC)) >= 0)
		rd.fd[rd.n++] = cache;
	rc = sandbox_landlock_apply(p->landlock_abi, fds, nfds, ex.fd, ex.n,
	                            rd.fd, rd.n, err, errlen);
	for (size_t i = self_fd >= 0; i < ex.n; i++)
		close(ex.fd[i]);
	if (cache >= 0)
		close(cache);
	return rc;
}

/* The layers, in order: each one may need what the next forbids. */
static int sandbox_layers(const struct sandbox_opts *o,
                          const struct sandbox_probe *p,
                          const struct launch_fd *fds, size_t nfds, int self_fd,
                          char *err, size_t errlen)
{
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -errno;
	}
	if ((rc = sandbox_rlimits(o, err, errlen)) != 0 ||
	    (rc = sandbox_privileges(o, err, errlen)) != 0)
		return rc;
	if (p->landlock_abi > 0 &&
	    (rc = sandbox_landlock(p, fds, nfds, self_fd, err, errlen)) != 0)
		return rc;
	if (p->seccomp &&
	    (rc = sandbox_seccomp_install(self_fd, err, errlen)) != 0)
		return rc;
	return 0;
}

int sandbox_enter(const struct sandbox_opts *o, const struct launch_fd *fds,
                  size_t nfds, int self_fd, char *err, size_t errlen)
{
	struct sandbox_probe p;
	char missing[256];
	int rc;

	/* After proc_exec every layer is inherited through the exec; the
	 * kernel confirms no_new_privs and a filter, which nothing clears. */
	if (o->inherited && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 &&
	    prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2) {
		sandbox_is_active = true;
		return 0;
	}
	sandbox_probe(&p);
	if (sandbox_missing(&p, missing, sizeof(missing)) > 0 && !o->insecure) {
		snprintf(err, errlen,
		         "sandbox: this kernel lacks %s (--insecure runs "
		         "without them)",
		         missing);
		return -EPERM;
	}
	rc = sandbox_layers(o, &p, fds, nfds, self_fd, err, errlen);
	if (rc == 0)
		sandbox_is_active = true;
	return rc;
}
