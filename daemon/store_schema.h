/*
 * store_schema: internal to the store. Creates the database file, sets the
 * connection up (WAL, synchronous=FULL, foreign keys) and migrates the
 * schema, version by version, to STORE_SCHEMA_VERSION in one transaction.
 * Also maps SQLite result codes to negative errnos for store.c.
 *
 * The connection is borrowed. Messages go to err (NUL-terminated when
 * errlen > 0).
 */
#ifndef CLOUDABID_STORE_SCHEMA_H
#define CLOUDABID_STORE_SCHEMA_H

#include <stddef.h>

#include <sqlite3.h>

/* Creates path with mode 0600 if missing (SQLite itself would use 0644). */
int store_schema_create(const char *path, char *err, size_t errlen);

/*
 * Configures db and migrates it. Returns 0, -EPROTO for a schema newer
 * than this code, or another negative errno; on failure nothing changed.
 */
int store_schema_setup(sqlite3 *db, char *err, size_t errlen);

/* The negative errno for an SQLite (extended) result code. */
int store_schema_errno(int sqlite_rc);

#endif
