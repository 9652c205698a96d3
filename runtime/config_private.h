/*
 * config_private: what config.c (parsing) and config_resolve.c share.
 * Not for use outside the config module.
 */
#ifndef CONFIG_PRIVATE_H
#define CONFIG_PRIVATE_H

#include <stdarg.h>

#include "config.h"

/* Fills err with "name:line:col: text"; line 0 means no position. */
void config_verror(const char *name, int line, int col,
                   struct config_error *err, const char *fmt, va_list ap);

/* Closes the fds resolve opened (and unlinks its UNIX socket files). */
void config_close_all(struct config *cfg);

/* Splits "host:port" / "[v6]:port" into its parts. */
int config_split_address(const char *addr, char *host, size_t hsize, char *port,
                         size_t psize);

#endif
