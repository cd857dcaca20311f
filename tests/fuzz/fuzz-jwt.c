/* fuzz-jwt.c: compact JWS text into ltm_jwt_decode()
 *
 * Feeds the input, as the text a user pastes into "ltm jwt decode", to
 * ltm_jwt_decode(), and a JWT that decodes to ltm_jwt_get_kid(),
 * ltm_jwt_get_expiry() and ltm_jwt_check_line_claims() at a fixed time,
 * just before its own exp and at it.  The claims LINE accepts must be the
 * ones the getters see.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-json.h"
#include "ltm-base64.h"
#include "ltm-jwt.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* 2023-11-14 22:13:20 UTC: a fixed "now", so that a run can be repeated. */
#define FUZZ_JWT_NOW G_GINT64_CONSTANT (1700000000)

static void
fuzz_jwt_check_claims (LtmJwt *jwt,
                       gint64  now)
{
  g_autoptr(GError) error = NULL;
  gboolean accepted;
  gint64 exp = 0;

  accepted = ltm_jwt_check_line_claims (jwt, now, &error);
  g_assert_true (accepted == (error == NULL));

  if (!accepted)
    {
      g_assert_true (error->domain == LTM_JWT_ERROR);
      return;
    }

  /* What LINE would accept has a kid and an exp within 30 minutes. */
  g_assert_nonnull (ltm_jwt_get_kid (jwt));
  g_assert_true (ltm_jwt_get_expiry (jwt, &exp));
  g_assert_cmpint (exp, >, now);
  g_assert_cmpint (exp - now, <=, LTM_JWT_MAX_LIFETIME);
}

/* The header and the payload are JSON under base64url: look at each piece
 * between dots that decodes, as ltm_jwt_decode() may. */
static gboolean
fuzz_jwt_has_many_values (const uint8_t *data,
                          size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) pieces = g_strsplit (text, ".", 0);

  for (guint i = 0; pieces[i] != NULL; i++)
    {
      g_autofree guint8 *json = NULL;
      gsize json_len = 0;

      json = ltm_base64url_decode (g_strstrip (pieces[i]), -1, &json_len);
      if (json != NULL && fuzz_json_has_many_values ((const char *) json, json_len))
        return TRUE;
    }

  return FALSE;
}

static void
fuzz_jwt_run (const uint8_t *data,
              size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(LtmJwt) jwt = NULL;
  g_autoptr(GError) error = NULL;
  const char *compact;
  gint64 exp = 0;

  jwt = ltm_jwt_decode (text, &error);
  g_assert_true ((jwt == NULL) != (error == NULL));

  if (jwt == NULL)
    {
      g_assert_true (error->domain == LTM_JWT_ERROR);
      return;
    }

  /* Decoding keeps the text, less the white space around it. */
  compact = ltm_jwt_get_compact (jwt);
  g_assert_nonnull (compact);
  g_assert_nonnull (strstr (text, compact));
  g_assert_nonnull (ltm_jwt_get_header (jwt));
  g_assert_nonnull (ltm_jwt_get_payload (jwt));

  if (ltm_jwt_get_kid (jwt) != NULL)
    g_assert_true (g_utf8_validate (ltm_jwt_get_kid (jwt), -1, NULL));

  fuzz_jwt_check_claims (jwt, FUZZ_JWT_NOW);

  if (ltm_jwt_get_expiry (jwt, &exp))
    {
      /* A clock just before exp, and one just after, as a user's may be. */
      if (exp > G_MININT64)
        fuzz_jwt_check_claims (jwt, exp - 1);
      fuzz_jwt_check_claims (jwt, exp);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean many = fuzz_jwt_has_many_values (data, size);

  /* fuzz-json.h: json-glib's own leak of "{}{}" is not ours to report. */
  if (many)
    fuzz_lsan_disable ();
  fuzz_jwt_run (data, size);
  if (many)
    fuzz_lsan_enable ();

  return 0;
}
