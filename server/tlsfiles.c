/*
 * tlsfiles: start-up checks of the certificate and key files, and the names
 * in a certificate's subjectAltName. OpenSSL only; called before the
 * libwebsockets context exists. See include/b40/tlsfiles.h.
 */
#include "b40/tlsfiles.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b40/log.h"
#include "b40/origin.h"

static X509 *read_cert(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    X509 *cert;

    if (!f) {
        snprintf(err, errlen, "cannot read the certificate %s: %s", path, strerror(errno));
        return NULL;
    }
    cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!cert)
        snprintf(err, errlen, "the certificate %s is not a PEM certificate", path);
    ERR_clear_error();
    return cert;
}

int tlsfiles_check(const char *cert_path, const char *key_path, char *err, size_t errlen)
{
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    FILE *f = NULL;
    int rc = -1;

    cert = read_cert(cert_path, err, errlen);
    if (!cert)
        goto out;
    f = fopen(key_path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read the private key %s: %s", key_path, strerror(errno));
        goto out;
    }
    key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    if (!key) {
        snprintf(err, errlen, "the private key %s is not an unencrypted PEM private key", key_path);
        goto out;
    }
    if (X509_check_private_key(cert, key) != 1) {
        snprintf(err, errlen, "the private key %s does not belong to the certificate %s", key_path, cert_path);
        goto out;
    }
    if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0)
        log_warn("tls: the certificate %s has expired; browsers will refuse it", cert_path);
    rc = 0;
out:
    if (f)
        fclose(f);
    EVP_PKEY_free(key);
    X509_free(cert);
    ERR_clear_error();
    return rc;
}

int tlsfiles_add_origins(const char *cert_path, int port, struct origin_list *list)
{
    char err[256], host[INET6_ADDRSTRLEN];
    GENERAL_NAMES *names;
    X509 *cert = read_cert(cert_path, err, sizeof(err));
    int added = 0;

    if (!cert)
        return -1;
    names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        int len;

        if (gn->type == GEN_DNS) {
            const unsigned char *s = ASN1_STRING_get0_data(gn->d.dNSName);
            len = ASN1_STRING_length(gn->d.dNSName);
            if (len <= 0 || (size_t)len >= sizeof(host) || memchr(s, '*', (size_t)len) || memchr(s, 0, (size_t)len))
                continue; /* a wildcard names no single origin */
            memcpy(host, s, (size_t)len);
            host[len] = '\0';
        } else if (gn->type == GEN_IPADD) {
            len = ASN1_STRING_length(gn->d.iPAddress);
            if (!inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(gn->d.iPAddress), host, sizeof(host)))
                continue;
        } else {
            continue;
        }
        if (origin_list_add_host(list, host, port) == 0)
            added++;
    }
    GENERAL_NAMES_free(names);
    X509_free(cert);
    return added;
}
