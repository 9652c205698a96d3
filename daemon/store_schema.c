/*
 * store_schema: the SQLite side of opening the store (see store_schema.h):
 * the private file, connection settings, and the versioned migrations.
 */
#include "store_schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

/* Where messages go while the store is being opened. */
struct schema_ctx {
	sqlite3 *db;
	char *err;
	size_t errlen;
};

/*
 * Migrations: entry i moves the schema from version i to i + 1. Never
 * edit a released entry; append a new one and bump STORE_SCHEMA_VERSION.
 */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
        "CREATE TABLE services ("
        " name TEXT PRIMARY KEY NOT NULL,"
        " spec TEXT NOT NULL,"
        " generation INTEGER NOT NULL,"
        " desired TEXT NOT NULL CHECK (desired IN ('stopped', 'running')),"
        " created_at INTEGER NOT NULL,"
        " updated_at INTEGER NOT NULL);"
        "CREATE TABLE instances ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " service TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,"
        " generation INTEGER NOT NULL,"
        " pid INTEGER NOT NULL,"
        " start_time INTEGER NOT NULL,"
        " started_at INTEGER NOT NULL,"
        " ended_at INTEGER,"
        " exit_code INTEGER,"
        " exit_signal INTEGER);"
        "CREATE INDEX instances_service ON instances(service, id);"
        "CREATE INDEX instances_running ON instances(id) WHERE ended_at IS "
        "NULL;"
        "CREATE TABLE policy ("
        " service TEXT PRIMARY KEY NOT NULL"
        "  REFERENCES services(name) ON DELETE CASCADE,"
        " state TEXT NOT NULL,"
        " failures INTEGER NOT NULL,"
        " backoff_ms INTEGER NOT NULL,"
        " next_attempt INTEGER NOT NULL);"
        /* Events and audit outlive their service: no foreign keys. */
        "CREATE TABLE events ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " time INTEGER NOT NULL,"
        " service TEXT NOT NULL,"
        " kind TEXT NOT NULL,"
        " from_state TEXT NOT NULL,"
        " to_state TEXT NOT NULL,"
        " message TEXT NOT NULL);"
        "CREATE TABLE audit ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " time INTEGER NOT NULL,"
        " uid INTEGER NOT NULL,"
        " method TEXT NOT NULL,"
        " target TEXT NOT NULL,"
        " result TEXT NOT NULL);",
};

/* The negative errno for an SQLite result code. */
int store_schema_errno(int sqlite_rc)
{
	switch (sqlite_rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_CONSTRAINT:
		return sqlite_rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
		                       sqlite_rc == SQLITE_CONSTRAINT_UNIQUE
		               ? -EEXIST
		               : -EINVAL;
	default:
		return -EIO;
	}
}

/* Records a formatted message in c's buffer; returns rc. */
static int fail(struct schema_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->errlen == 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* Records the connection's current SQLite error for function fn. */
static int fail_db(struct schema_ctx *c, const char *fn, int sqlite_rc)
{
	return fail(c, store_schema_errno(sqlite_rc), "%s: %s", fn,
	            sqlite3_errmsg(c->db));
}

/* Column 0 of s as text, "" for NULL. */
static const char *col0(sqlite3_stmt *s)
{
	const unsigned char *t = sqlite3_column_text(s, 0);

	return t != NULL ? (const char *)t : "";
}

/* Executes a script with sqlite3_exec (pragmas, migrations). */
static int exec(struct schema_ctx *c, const char *sql, const char *fn)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return 0;
	fail(c, store_schema_errno(rc), "%s: %s", fn,
	     msg != NULL ? msg : "failed");
	sqlite3_free(msg);
	return store_schema_errno(rc);
}

/* Reads the schema version inside the migration transaction (0: new). */
static int read_version(struct schema_ctx *c, int *version)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*version = 0;
	rc = sqlite3_prepare_v2(c->db,
	                        "SELECT count(*) FROM sqlite_schema WHERE"
	                        " name = 'schema_version'",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail_db(c, "schema", rc);
	rc = sqlite3_step(s);
	bool exists = rc == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return fail_db(c, "schema", rc);
	if (!exists)
		return 0;
	rc = sqlite3_prepare_v2(c->db, "SELECT version FROM schema_version", -1,
	                        &s, NULL);
	if (rc != SQLITE_OK)
		return fail_db(c, "schema version", rc);
	if (sqlite3_step(s) == SQLITE_ROW)
		*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* Brings the schema to STORE_SCHEMA_VERSION in one transaction. */
static int migrate(struct schema_ctx *c)
{
	char sql[64];
	int v, r;

	r = exec(c, "BEGIN IMMEDIATE", "migrate");
	if (r < 0)
		return r;
	r = read_version(c, &v);
	if (r == 0 && (v < 0 || v > STORE_SCHEMA_VERSION))
		r = fail(c, -EPROTO,
		         "database schema version %d is not one this cloudabid"
		         " knows (1 to %d): it was written by a newer version",
		         v, STORE_SCHEMA_VERSION);
	if (r == 0 && v == 0)
		r = exec(c,
		         "CREATE TABLE schema_version"
		         " (version INTEGER NOT NULL);"
		         "INSERT INTO schema_version VALUES (0)",
		         "migrate");
	for (; r == 0 && v < STORE_SCHEMA_VERSION; v++)
		r = exec(c, migrations[v], "migrate");
	if (r == 0) {
		snprintf(sql, sizeof(sql),
		         "UPDATE schema_version SET version = %d", v);
		r = exec(c, sql, "migrate");
	}
	if (r == 0)
		return exec(c, "COMMIT", "migrate");
	exec(c, "ROLLBACK", "migrate");
	return r;
}

/* Creates the file with mode 0600 before SQLite (which would use 0644). */
static int create_private(struct schema_ctx *c, const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return fail(c, -errno, "%s: %s", path, strerror(errno));
	close(fd);
	return 0;
}

/* Sets the connection up: WAL, FULL sync, foreign keys, busy timeout. */
static int configure(struct schema_ctx *c)
{
	sqlite3_stmt *s = NULL;
	bool wal = false;
	int r;

	if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &s,
	                       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		wal = strcmp(col0(s), "wal") == 0;
	sqlite3_finalize(s);
	if (!wal)
		return fail(c, -EIO, "cannot switch the database to WAL: %s",
		            sqlite3_errmsg(c->db));
	r = exec(c,
	         "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
	         " PRAGMA trusted_schema = OFF",
	         "configure");
	sqlite3_busy_timeout(c->db, 1000);
	return r;
}

int store_schema_create(const char *path, char *err, size_t errlen)
{
	struct schema_ctx c = {NULL, err, errlen};

	return create_private(&c, path);
}

int store_schema_setup(sqlite3 *db, char *err, size_t errlen)
{
	struct schema_ctx c = {db, err, errlen};
	int r = configure(&c);

	return r < 0 ? r : migrate(&c);
}
