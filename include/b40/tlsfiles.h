/*
 * tlsfiles: checks, before the server starts, that the certificate and key
 * files can be read, parse, and belong together, so that a mistake is told
 * in one clear sentence rather than deep in a TLS library's log; and reads
 * the names a certificate is valid for, which are the server's own origins.
 */
#ifndef B40_TLSFILES_H
#define B40_TLSFILES_H

#include <stddef.h>

struct origin_list;

/* Returns 0 when cert_path and key_path are a usable pair; -1 and a message in err otherwise. */
int tlsfiles_check(const char *cert_path, const char *key_path, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Adds "https://NAME:PORT" to list for every DNS name and IP address in the
 * certificate's subjectAltName. Returns the number added, or -1 on error.
 */
int tlsfiles_add_origins(const char *cert_path, int port, struct origin_list *list) __attribute__((warn_unused_result));

#endif
