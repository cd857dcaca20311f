/* ltm-test-server-tls.c: the HTTPS server's self-signed certificate
 *
 * Made at start-up, never written to disk: an EC P-256 key and a
 * certificate for 127.0.0.1 and localhost, valid from an hour ago for a
 * day.  It is its own CA (CA:TRUE, keyCertSign), so a client trusts the
 * server by trusting this one certificate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-server-private.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)

static gboolean
ltm_test_server_tls_failed (GError     **error,
                            int          ret,
                            const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "Cannot make the test server's certificate: %s: %s",
               what, gnutls_strerror (ret));
  return FALSE;
}

static char *
ltm_test_server_tls_datum_to_string (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;

  return text;
}

/**
 * ltm_test_server_create_certificate:
 * @flaws: LTM_TEST_SERVER_EXPIRED_CERTIFICATE or LTM_TEST_SERVER_WRONG_HOST,
 *   for a certificate that clients must refuse; 0 for a good one
 * @out_pem: (out): the certificate and its private key, PEM
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the new certificate, with its private key
 */
GTlsCertificate *
ltm_test_server_create_certificate (guint    flaws,
                                    char   **out_pem,
                                    GError **error)
{
  static const char wrong_host[] = "wrong.example";
  gboolean expired = (flaws & LTM_TEST_SERVER_EXPIRED_CERTIFICATE) != 0;
  gboolean wrong = (flaws & LTM_TEST_SERVER_WRONG_HOST) != 0;
  static const guint8 loopback[4] = { 127, 0, 0, 1 };
  static const char localhost[] = "localhost";
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autofree char *crt_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *pem = NULL;
  gnutls_datum_t out = { NULL, 0 };
  guint8 serial[16];
  guint8 key_id[20];
  size_t key_id_len = sizeof key_id;
  GTlsCertificate *certificate;
  time_t now = time (NULL);
  int ret;

  if ((ret = gnutls_x509_privkey_init (&key)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_privkey_init"), NULL;
  if ((ret = gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                           GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                           0)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_privkey_generate"), NULL;

  if ((ret = gnutls_x509_crt_init (&crt)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_crt_init"), NULL;

  if ((ret = gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_rnd"), NULL;
  serial[0] &= 0x7f;            /* a positive serial number */
  serial[0] |= 0x01;

  if ((ret = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0 ||
      (ret = gnutls_x509_crt_set_activation_time (crt, now - (expired ? 2 * 24 : 1) * 60 * 60)) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (crt, expired ? now - 24 * 60 * 60
                                                               : now + 24 * 60 * 60)) < 0 ||
      (ret = gnutls_x509_crt_set_key (crt, key)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_crt_set_*"), NULL;

  if ((ret = gnutls_x509_crt_set_dn (crt, "CN=LINE Token Manager test server,O=ltm tests",
                                     NULL)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_crt_set_dn"), NULL;

  if ((ret = gnutls_x509_crt_set_basic_constraints (crt, 1, -1)) < 0 ||
      (ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                                 GNUTLS_KEY_KEY_CERT_SIGN)) < 0 ||
      (ret = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_crt_set extensions"), NULL;

  if (wrong)
    ret = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                wrong_host, sizeof wrong_host - 1,
                                                GNUTLS_FSAN_APPEND);
  else if ((ret = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                                        loopback, sizeof loopback,
                                                        GNUTLS_FSAN_APPEND)) >= 0)
    ret = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                localhost, sizeof localhost - 1,
                                                GNUTLS_FSAN_APPEND);
  if (ret < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_crt_set_subject_alt_name"), NULL;

  if ((ret = gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_len)) < 0 ||
      (ret = gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_len)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_crt_set_subject_key_id"), NULL;

  if ((ret = gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_crt_sign2"), NULL;

  if ((ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_crt_export2"), NULL;
  crt_pem = ltm_test_server_tls_datum_to_string (&out);

  /* PKCS#8, "BEGIN PRIVATE KEY": what GTlsCertificate reads for any key type. */
  if ((ret = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, &out)) < 0)
    return ltm_test_server_tls_failed (error, ret, "gnutls_x509_privkey_export2_pkcs8"), NULL;
  key_pem = ltm_test_server_tls_datum_to_string (&out);

  pem = g_strconcat (crt_pem, key_pem, NULL);
  certificate = g_tls_certificate_new_from_pem (pem, -1, error);
  if (certificate == NULL)
    return NULL;

  *out_pem = g_steal_pointer (&crt_pem);

  return certificate;
}
