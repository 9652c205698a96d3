/*
 * config: the launcher's YAML (one document) turned into an argdata tree
 * whose fd nodes stand for resources: !fd, !file, !socket, !executable.
 * The format is described for users in docs/configuration.md.
 *
 * Two steps, so that untrusted YAML can be checked without side effects:
 *   config_parse()   validates and builds the tree plus the ordered list of
 *                    resources; it opens, binds and resolves nothing.
 *   config_resolve() opens files, creates sockets, sets every fd node and
 *                    records the CloudABI filetype and rights of each.
 *
 * Ownership: struct config owns the tree, the resources and their strings.
 * After config_resolve() it also owns the fds it opened (resource.owned);
 * config_free() closes them, unless the caller took them over with
 * config_release_fds() (the daemon keeps listening sockets across restarts).
 * !fd, !executable and !log fds belong to the caller and are never closed
 * here.
 * The file of a bound UNIX socket goes with its fd: closing it here (free,
 * or a failed resolve) also unlinks the path; after config_release_fds()
 * the caller owns both.
 *
 * Errors: functions return 0 or a negative errno, and fill a struct
 * config_error with "file:line:column: message" (1-based positions).
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adtree.h"
#include "rights.h"

/* Bounds for untrusted input. The depth stays below ARGDATA_MAX_DEPTH. */
#define CONFIG_MAX_SIZE      (1024 * 1024) /* bytes of YAML */
#define CONFIG_MAX_DEPTH     32            /* nested sequences/maps */
#define CONFIG_MAX_NODES     65536         /* YAML nodes in the document */
#define CONFIG_MAX_RESOURCES 256           /* tagged resources */

/* Prefixes of the tags the configuration understands. */
#define CONFIG_TAG_CLOUDABI "tag:nuxi.nl,2015:cloudabi/"
#define CONFIG_TAG_YAML     "tag:yaml.org,2002:"

struct config_error {
	int line, column; /* 1-based; 0 when the error has no position */
	char msg[512];    /* the full "file:line:column: text" */
};

enum config_kind {
	CONFIG_FD,         /* !fd: an fd of the launcher */
	CONFIG_FILE,       /* !file: a path opened by resolve */
	CONFIG_SOCKET,     /* !socket: created by resolve */
	CONFIG_EXECUTABLE, /* !executable: the fd given to resolve */
	CONFIG_LOG, /* !log (services only): the log fd given to resolve */
};

/* !file `mode:` */
enum config_mode {
	CONFIG_MODE_READ,      /* O_RDONLY (the original's only mode) */
	CONFIG_MODE_WRITE,     /* O_WRONLY */
	CONFIG_MODE_READWRITE, /* O_RDWR */
	CONFIG_MODE_APPEND,    /* O_WRONLY | O_APPEND */
};

/* !socket `type:` */
enum config_socktype {
	CONFIG_SOCK_STREAM,
	CONFIG_SOCK_DGRAM,
	CONFIG_SOCK_SEQPACKET,
};

/* How a `rights:` attribute narrows the default rights. */
enum config_rights_kind {
	CONFIG_RIGHTS_DEFAULT, /* no `rights:` */
	CONFIG_RIGHTS_PRESET,  /* a preset name */
	CONFIG_RIGHTS_LIST,    /* a list of right names */
};

struct config_resource {
	enum config_kind kind;
	int line, column;    /* of the tagged node (1-based) */
	struct adtree *node; /* the fd node it fills, owned by the tree */

	/* Attributes (from parsing). */
	int launcher_fd; /* CONFIG_FD: the launcher's fd number */
	char *path;      /* FILE: path; SOCKET: address (owned) */
	bool connect;    /* SOCKET: connect: instead of bind: */
	enum config_socktype socktype;
	enum config_mode mode;
	bool create, truncate, exclusive; /* FILE: O_CREAT/O_TRUNC/O_EXCL */
	enum config_rights_kind rights_kind;
	enum rights_preset preset; /* CONFIG_RIGHTS_PRESET */
	uint64_t rights_list;      /* CONFIG_RIGHTS_LIST */

	/* Results (from config_resolve). */
	int fd;               /* -1 until resolved */
	bool owned;           /* config_free() closes fd */
	uint8_t filetype;     /* CLOUDABI_FILETYPE_* */
	struct rights rights; /* after narrowing */
};

struct config {
	char *name;                  /* file name used in messages (owned) */
	struct adtree *root;         /* owned */
	struct config_resource *res; /* owned array, document order */
	size_t nres;
	bool resolved;
};

/*
 * Parses len bytes of YAML; `name` is the file name used in messages.
 * *out receives a new config (config_free() it). Returns 0, -EINVAL (bad
 * document, err filled), -E2BIG (a bound was exceeded, err filled),
 * -ENOMEM.
 */
int config_parse(const char *name, const void *yaml, size_t len,
                 struct config **out, struct config_error *err);

/* How config_parse_opts() reads a document. */
struct config_opts {
	/*
	 * NULL: the whole document is the argdata root. Else the document
	 * must be a mapping and the value of this top-level key is the root
	 * (null when the key is absent); the other values are only checked
	 * for anchors and bounds (their meaning is the caller's), and
	 * positions stay those of the whole document.
	 */
	const char *root_key;
	/*
	 * A service of the daemon: !log is accepted, !fd stdout and !fd
	 * stderr mean !log, and !fd N is refused (the daemon's fds are not
	 * for services).
	 */
	bool service;
};

/* config_parse() with options (NULL: the defaults, as config_parse()). */
int config_parse_opts(const char *name, const void *yaml, size_t len,
                      const struct config_opts *opts, struct config **out,
                      struct config_error *err);

/* config_parse() on the content of a file descriptor (read to its end,
 * at most CONFIG_MAX_SIZE bytes; not closed). */
int config_parse_fd(const char *name, int fd, struct config **out,
                    struct config_error *err);

/*
 * Opens every resource and sets its fd node; executable_fd fills
 * !executable nodes (-1 when there is none: such a node is then an
 * error). On failure everything this call opened is closed again, the
 * error is the failing resource's position and path or address, and the
 * result is a negative errno. Resolving twice is -EALREADY.
 */
int config_resolve(struct config *cfg, int executable_fd,
                   struct config_error *err);

/* config_resolve() that also fills !log nodes with log_fd (borrowed like
 * executable_fd; -1 when there is none: a !log node is then an error). */
int config_resolve_log(struct config *cfg, int executable_fd, int log_fd,
                       struct config_error *err);

/* Gives up ownership of every fd resolve opened: config_free() will not
 * close them; the caller must (they stay listed in cfg->res[i].fd). */
void config_release_fds(struct config *cfg);

/* Closes the owned fds and frees everything; NULL is fine. */
void config_free(struct config *cfg);

/* A short name for a resource kind ("file"...). */
const char *config_kind_name(enum config_kind kind);

#endif
