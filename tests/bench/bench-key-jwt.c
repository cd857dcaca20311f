/* bench-key-jwt.c: RSA-2048 generation, JWT create-and-sign, raw RS256
 *
 * Not a test: it prints numbers.  Run with `meson test -C build --benchmark
 * --suite bench -v` or directly.  The raw GnuTLS signing rate and the JWT
 * rate are measured in alternating rounds of the same run, so that a busy
 * machine slows both alike and the ratio stays meaningful.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ltm-jwt.h"
#include "ltm-key.h"

#define GENERATE_RUNS 30
#define ROUNDS 6
#define ROUND_SECONDS 0.5

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
now_seconds (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* The same PEM key, held by GnuTLS alone. */
static gnutls_privkey_t
load_raw_key (const char *pem,
              gsize       len)
{
  const gnutls_datum_t data = { (unsigned char *) pem, len };
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_privkey_t privkey = NULL;

  gnutls_x509_privkey_init (&x509);
  if (gnutls_x509_privkey_import2 (x509, &data, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN) < 0)
    g_error ("Could not read the benchmark key");
  gnutls_privkey_init (&privkey);
  gnutls_privkey_import_x509 (privkey, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);

  return privkey;
}

int
main (int   argc,
      char *argv[])
{
  double generate_ms[GENERATE_RUNS];
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  gsize pem_len = 0;
  gnutls_privkey_t raw_key;
  g_autofree char *signing_input = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint64 raw_count = 0;
  guint64 jwt_count = 0;
  double raw_time = 0;
  double jwt_time = 0;
  double raw_rate;
  double jwt_rate;

  /* 1. RSA-2048 generation */
  for (guint i = 0; i < GENERATE_RUNS; i++)
    {
      double start = now_seconds ();
      g_autoptr(LtmKey) generated = ltm_key_generate (NULL);

      generate_ms[i] = (now_seconds () - start) * 1000;
      g_assert_nonnull (generated);
    }
  qsort (generate_ms, GENERATE_RUNS, sizeof (double), compare_doubles);

  printf ("RSA-2048 generation (ltm_key_generate, %d runs): median %.1f ms, "
          "min %.1f ms, max %.1f ms\n",
          GENERATE_RUNS, (generate_ms[GENERATE_RUNS / 2 - 1] + generate_ms[GENERATE_RUNS / 2]) / 2,
          generate_ms[0], generate_ms[GENERATE_RUNS - 1]);

  /* 2. JWT create-and-sign against raw GnuTLS signatures of the same size */
  if (!g_file_get_contents (KEY_FILE, &pem, &pem_len, &error))
    g_error ("%s", error->message);
  key = ltm_key_new_from_data (pem, pem_len, LTM_KEY_IMPORT_PRIVATE, &error);
  g_assert_no_error (error);
  raw_key = load_raw_key (pem, pem_len);
  signing_input = ltm_jwt_create_assertion (key, "4d2c1e0a-7b3f-4c58-9e21-6a0f3b2d9c77",
                                            "1234567890", now, 1800, 2592000, NULL);
  *strrchr (signing_input, '.') = '\0';

  for (guint round = 0; round < ROUNDS; round++)
    {
      double start = now_seconds ();
      double end;

      do
        {
          const gnutls_datum_t data = { (unsigned char *) signing_input, strlen (signing_input) };
          gnutls_datum_t signature;

          gnutls_privkey_sign_data2 (raw_key, GNUTLS_SIGN_RSA_SHA256, 0, &data, &signature);
          gnutls_free (signature.data);
          raw_count++;
        }
      while ((end = now_seconds ()) - start < ROUND_SECONDS);
      raw_time += end - start;

      start = now_seconds ();
      do
        {
          g_autofree char *jwt = ltm_jwt_create_assertion (key, "4d2c1e0a-7b3f-4c58-9e21-6a0f3b2d9c77",
                                                           "1234567890", now, 1800, 2592000, NULL);
          g_assert_nonnull (jwt);
          jwt_count++;
        }
      while ((end = now_seconds ()) - start < ROUND_SECONDS);
      jwt_time += end - start;
    }

  raw_rate = raw_count / raw_time;
  jwt_rate = jwt_count / jwt_time;

  printf ("Raw GnuTLS RS256 signatures: %.0f per second (%" G_GUINT64_FORMAT " in %.1f s)\n",
          raw_rate, raw_count, raw_time);
  printf ("JWT create-and-sign (ltm_jwt_create_assertion): %.0f per second (%" G_GUINT64_FORMAT
          " in %.1f s)\n", jwt_rate, jwt_count, jwt_time);
  printf ("JWT rate / raw signing rate: %.3f (target at least 0.9)\n", jwt_rate / raw_rate);

  gnutls_privkey_deinit (raw_key);

  return 0;
}
