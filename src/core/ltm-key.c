/* ltm-key.c: the RSA assertion signing key
 *
 * An LtmKey is the RSA-2048 key pair whose public half the user registers
 * in the LINE Developers Console and whose private half signs the JWT
 * assertions.  It is generated here or imported from what other tools
 * write: WebCrypto, jwcrypto, jwx and node-jose JWKs, the older console's
 * download (a JWK wrapped under "privateKey"), PKCS#1 and PKCS#8 PEM.
 *
 * Every key is checked once, when it is made: RSA, exactly 2048 bits,
 * consistent parameters, and a sign/verify round trip.  After that it is
 * immutable.  Private parameters live only inside GnuTLS; whatever copies
 * of them this file makes (decoded JWK members, exported JWK text) are
 * wiped before they are freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-key.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>

#include "ltm-base64.h"
#include "ltm-json.h"

struct _LtmKey
{
  GObject parent_instance;

  gnutls_privkey_t privkey;     /* NULL for a public key */
  gnutls_pubkey_t pubkey;
  char *n;                      /* base64url, no leading zeros */
  char *e;
  char *kid;                    /* carried by an imported file, or NULL */
  char *thumbprint;             /* RFC 7638, SHA-256 */
  guint bits;
};

G_DEFINE_FINAL_TYPE (LtmKey, ltm_key, G_TYPE_OBJECT)

G_DEFINE_QUARK (ltm-key-error-quark, ltm_key_error)

enum {
  PROP_0,
  PROP_BITS,
  PROP_HAS_PRIVATE,
  PROP_KID,
  PROP_THUMBPRINT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The RSA members of a JWK, in the order GnuTLS takes them. */
typedef struct {
  gnutls_datum_t n, e, d, p, q, qi, dp, dq;
} LtmRsaParams;

static const char * const private_members[] = { "d", "p", "q", "dp", "dq", "qi" };

static const char self_test_message[] = "line-token-manager key self-test";

static void
ltm_rsa_params_clear (LtmRsaParams *params)
{
  gnutls_datum_t *all[] = {
    &params->n, &params->e, &params->d, &params->p,
    &params->q, &params->qi, &params->dp, &params->dq,
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      ltm_secret_wipe (all[i]->data, all[i]->size);
      g_clear_pointer (&all[i]->data, g_free);
      all[i]->size = 0;
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LtmRsaParams, ltm_rsa_params_clear)

static void
ltm_gnutls_datum_wipe_free (gnutls_datum_t *datum)
{
  if (datum->data != NULL)
    {
      ltm_secret_wipe (datum->data, datum->size);
      gnutls_free (datum->data);
    }
  datum->data = NULL;
  datum->size = 0;
}

static gboolean
ltm_key_set_gnutls_error (GError     **error,
                          int          code,
                          const char  *what)
{
  g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_FAILED,
               "%s: %s", what, gnutls_strerror (code));
  return FALSE;
}

static void
ltm_key_finalize (GObject *object)
{
  LtmKey *self = (LtmKey *)object;

  g_clear_pointer (&self->privkey, gnutls_privkey_deinit);
  g_clear_pointer (&self->pubkey, gnutls_pubkey_deinit);
  g_clear_pointer (&self->n, g_free);
  g_clear_pointer (&self->e, g_free);
  g_clear_pointer (&self->kid, g_free);
  g_clear_pointer (&self->thumbprint, g_free);

  G_OBJECT_CLASS (ltm_key_parent_class)->finalize (object);
}

static void
ltm_key_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  LtmKey *self = LTM_KEY (object);

  switch (prop_id)
    {
    case PROP_BITS:
      g_value_set_uint (value, self->bits);
      break;

    case PROP_HAS_PRIVATE:
      g_value_set_boolean (value, ltm_key_has_private (self));
      break;

    case PROP_KID:
      g_value_set_string (value, self->kid);
      break;

    case PROP_THUMBPRINT:
      g_value_set_string (value, self->thumbprint);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_key_class_init (LtmKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ltm_key_finalize;
  object_class->get_property = ltm_key_get_property;

  properties[PROP_BITS] =
    g_param_spec_uint ("bits", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_HAS_PRIVATE] =
    g_param_spec_boolean ("has-private", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_KID] =
    g_param_spec_string ("kid", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_THUMBPRINT] =
    g_param_spec_string ("thumbprint", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ltm_key_init (LtmKey *self)
{
}

static char *
ltm_key_compute_thumbprint (const char *n,
                            const char *e)
{
  /* RFC 7638 section 3.2: the required members, sorted, no white space. */
  g_autofree char *input = g_strdup_printf ("{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", e, n);
  guint8 digest[32];

  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, input, strlen (input), digest) < 0)
    return NULL;

  return ltm_base64url_encode (digest, sizeof digest);
}

static gboolean
ltm_key_self_test (LtmKey  *self,
                   GError **error)
{
  g_autoptr(GBytes) signature = NULL;
  gsize signature_len;
  const guint8 *signature_data;

  signature = ltm_key_sign (self, (const guint8 *) self_test_message,
                            strlen (self_test_message), NULL);
  if (signature == NULL)
    goto invalid;

  signature_data = g_bytes_get_data (signature, &signature_len);
  if (!ltm_key_verify (self, (const guint8 *) self_test_message, strlen (self_test_message),
                       signature_data, signature_len, NULL))
    goto invalid;

  return TRUE;

invalid:
  g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_INVALID,
                       _("The private key is damaged: its parts do not belong together, "
                         "so a signature made with it does not verify."));
  return FALSE;
}

/* What LINE accepts: RSA, exactly 2048 bits. */
static gboolean
ltm_key_check_kind (int       algorithm,
                    guint     bits,
                    GError  **error)
{
  if (algorithm != GNUTLS_PK_RSA)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                   _("The key type is %s; LINE's assertion signing keys are RSA keys."),
                   gnutls_pk_get_name (algorithm));
      return FALSE;
    }

  if (bits != LTM_KEY_BITS)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_WRONG_SIZE,
                   _("The key has %u bits; LINE requires 2048-bit RSA keys."), bits);
      return FALSE;
    }

  return TRUE;
}

/* Takes ownership of @privkey or @pubkey (one of them) and checks what LINE
 * needs: RSA, 2048 bits, and for a private key a working signature (unless
 * @flags has LTM_KEY_IMPORT_CHECKED). */
static LtmKey *
ltm_key_new_take (gnutls_privkey_t    privkey,
                  gnutls_pubkey_t     pubkey,
                  const char         *kid,
                  LtmKeyImportFlags   flags,
                  GError            **error)
{
  g_autoptr(LtmKey) self = g_object_new (LTM_TYPE_KEY, NULL);
  gnutls_datum_t n = { NULL, 0 };
  gnutls_datum_t e = { NULL, 0 };
  unsigned int bits = 0;
  int algorithm;
  int ret;

  self->privkey = privkey;
  self->pubkey = pubkey;

  if (self->pubkey == NULL)
    {
      if ((ret = gnutls_pubkey_init (&self->pubkey)) < 0)
        return ltm_key_set_gnutls_error (error, ret, "gnutls_pubkey_init"), NULL;

      if ((ret = gnutls_pubkey_import_privkey (self->pubkey, self->privkey, 0, 0)) < 0)
        return ltm_key_set_gnutls_error (error, ret, "gnutls_pubkey_import_privkey"), NULL;
    }

  algorithm = gnutls_pubkey_get_pk_algorithm (self->pubkey, &bits);
  if (!ltm_key_check_kind (algorithm, bits, error))
    return NULL;

  if ((ret = gnutls_pubkey_export_rsa_raw2 (self->pubkey, &n, &e, GNUTLS_EXPORT_FLAG_NO_LZ)) < 0)
    return ltm_key_set_gnutls_error (error, ret, "gnutls_pubkey_export_rsa_raw2"), NULL;

  self->bits = bits;
  self->n = ltm_base64url_encode (n.data, n.size);
  self->e = ltm_base64url_encode (e.data, e.size);
  self->kid = g_strdup (kid);
  self->thumbprint = ltm_key_compute_thumbprint (self->n, self->e);
  gnutls_free (n.data);
  gnutls_free (e.data);

  if (self->privkey != NULL && !(flags & LTM_KEY_IMPORT_CHECKED) &&
      !ltm_key_self_test (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Takes ownership of @x509. */
static LtmKey *
ltm_key_new_take_x509 (gnutls_x509_privkey_t   x509,
                       const char             *kid,
                       LtmKeyImportFlags       flags,
                       GError                **error)
{
  gnutls_privkey_t privkey = NULL;
  unsigned int bits = 0;
  int algorithm;
  int ret;

  algorithm = gnutls_x509_privkey_get_pk_algorithm2 (x509, &bits);
  if (!ltm_key_check_kind (algorithm, bits, error))
    {
      gnutls_x509_privkey_deinit (x509);
      return NULL;
    }

  if (!(flags & LTM_KEY_IMPORT_CHECKED) && gnutls_x509_privkey_verify_params (x509) < 0)
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_INVALID,
                           _("The private key is damaged: its parts do not belong together."));
      gnutls_x509_privkey_deinit (x509);
      return NULL;
    }

  if ((ret = gnutls_privkey_init (&privkey)) < 0)
    {
      gnutls_x509_privkey_deinit (x509);
      return ltm_key_set_gnutls_error (error, ret, "gnutls_privkey_init"), NULL;
    }

  if ((ret = gnutls_privkey_import_x509 (privkey, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0)
    {
      gnutls_x509_privkey_deinit (x509);
      gnutls_privkey_deinit (privkey);
      return ltm_key_set_gnutls_error (error, ret, "gnutls_privkey_import_x509"), NULL;
    }

  return ltm_key_new_take (privkey, NULL, kid, flags, error);
}

/**
 * ltm_key_generate:
 * @error: return location for a #GError
 *
 * Generates a new RSA-2048 key pair with public exponent 65537.  This takes
 * tens of milliseconds; the window uses ltm_key_generate_async().
 *
 * Returns: (transfer full): the new key, or %NULL with @error set
 */
LtmKey *
ltm_key_generate (GError **error)
{
  gnutls_privkey_t privkey = NULL;
  int ret;

  if ((ret = gnutls_privkey_init (&privkey)) < 0)
    return ltm_key_set_gnutls_error (error, ret, "gnutls_privkey_init"), NULL;

  /* GnuTLS generates RSA keys with e = 65537 (FIPS 186-4). */
  if ((ret = gnutls_privkey_generate2 (privkey, GNUTLS_PK_RSA, LTM_KEY_BITS, 0, NULL, 0)) < 0)
    {
      gnutls_privkey_deinit (privkey);
      return ltm_key_set_gnutls_error (error, ret, _("Could not generate a key")), NULL;
    }

  return ltm_key_new_take (privkey, NULL, NULL, LTM_KEY_IMPORT_PRIVATE, error);
}

/* Generations still running in a worker thread.  GnuTLS frees its state
 * in a destructor at exit, under a thread still inside it: the process
 * waits for them (ltm_key_generate_wait_cb(), run by exit()) instead. */
static GMutex generate_lock;
static GCond generate_cond;
static guint generate_running;

static void
ltm_key_generate_wait_cb (void)
{
  g_mutex_lock (&generate_lock);
  while (generate_running > 0)
    g_cond_wait (&generate_cond, &generate_lock);
  g_mutex_unlock (&generate_lock);
}

static void
ltm_key_generate_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  GError *error = NULL;
  LtmKey *key;

  key = ltm_key_generate (&error);

  /* Cancelled, the task has returned already: the key is discarded here,
   * while exit() still waits for this thread. */
  if (!g_task_set_return_on_cancel (task, FALSE))
    {
      g_clear_object (&key);
      g_clear_error (&error);
    }
  else if (key == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, g_object_unref);

  g_mutex_lock (&generate_lock);
  generate_running--;
  g_cond_broadcast (&generate_cond);
  g_mutex_unlock (&generate_lock);
}

/**
 * ltm_key_generate_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the key is ready
 * @user_data: data for @callback
 *
 * Generates a key in a worker thread.  Cancelling returns at once; the
 * half-made key is discarded when the thread ends, and a process that
 * exits meanwhile waits for that in exit().
 */
void
ltm_key_generate_async (GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  static gsize wait_registered = 0;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (g_once_init_enter (&wait_registered))
    {
      atexit (ltm_key_generate_wait_cb);
      g_once_init_leave (&wait_registered, 1);
    }

  g_mutex_lock (&generate_lock);
  generate_running++;
  g_mutex_unlock (&generate_lock);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_key_generate_async);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, ltm_key_generate_thread);
}

/**
 * ltm_key_generate_finish:
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the new key, or %NULL with @error set
 */
LtmKey *
ltm_key_generate_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_key_generate_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
ltm_key_jwk_get_member (JsonObject      *jwk,
                        const char      *name,
                        gnutls_datum_t  *out,
                        GError         **error)
{
  JsonNode *node = json_object_get_member (jwk, name);
  const char *text;
  gsize len = 0;

  if (node == NULL)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MISSING_MEMBER,
                   _("The JWK is missing the member “%s”."), name);
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                   _("The JWK member “%s” is not a string."), name);
      return FALSE;
    }

  text = json_node_get_string (node);
  out->data = ltm_base64url_decode (text, -1, &len);
  if (out->data == NULL || len == 0)
    {
      g_clear_pointer (&out->data, g_free);
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                   _("The JWK member “%s” is not valid base64url."), name);
      return FALSE;
    }
  out->size = len;

  return TRUE;
}

/* Checks the members that say what the key is, before its numbers. */
static gboolean
ltm_key_jwk_check_type (JsonObject  *jwk,
                        GError     **error)
{
  const char *kty = ltm_json_object_get_string (jwk, "kty");
  const char *alg = ltm_json_object_get_string (jwk, "alg");
  const char *use = ltm_json_object_get_string (jwk, "use");

  if (kty == NULL)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MISSING_MEMBER,
                   _("The JWK is missing the member “%s”."), "kty");
      return FALSE;
    }

  if (g_strcmp0 (kty, "EC") == 0)
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                           _("The key is an elliptic-curve key (kty “EC”); "
                             "LINE's assertion signing keys are RSA keys."));
      return FALSE;
    }

  if (g_strcmp0 (kty, "oct") == 0)
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                           _("The key is a symmetric key (kty “oct”); "
                             "LINE's assertion signing keys are RSA keys."));
      return FALSE;
    }

  if (g_strcmp0 (kty, "RSA") != 0)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                   _("The key type “%s” is not supported; "
                     "LINE's assertion signing keys are RSA keys."), kty);
      return FALSE;
    }

  if (alg != NULL && g_strcmp0 (alg, "RS256") != 0)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                   _("The key is meant for the algorithm “%s”; LINE signs assertions with RS256."),
                   alg);
      return FALSE;
    }

  if (use != NULL && g_strcmp0 (use, "sig") != 0)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                   _("The key is meant for “%s”; an assertion signing key has “use” “sig”."),
                   use);
      return FALSE;
    }

  if (json_object_has_member (jwk, "oth"))
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                           _("Multi-prime RSA keys (member “oth”) are not supported."));
      return FALSE;
    }

  return TRUE;
}

static LtmKey *
ltm_key_new_from_jwk (JsonObject         *jwk,
                      LtmKeyImportFlags   flags,
                      GError            **error)
{
  g_auto(LtmRsaParams) params = { { NULL, 0 } };
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gboolean any_private = FALSE;
  int ret;

  if (!ltm_key_jwk_check_type (jwk, error))
    return NULL;

  if (!ltm_key_jwk_get_member (jwk, "n", &params.n, error) ||
      !ltm_key_jwk_get_member (jwk, "e", &params.e, error))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (private_members); i++)
    any_private |= json_object_has_member (jwk, private_members[i]);

  if (!any_private)
    {
      if (!(flags & LTM_KEY_IMPORT_ALLOW_PUBLIC))
        {
          g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_NOT_PRIVATE,
                       _("The JWK is missing the member “%s”: it is a public key, "
                         "and signing needs the private key."), "d");
          return NULL;
        }

      if ((ret = gnutls_pubkey_init (&pubkey)) < 0)
        return ltm_key_set_gnutls_error (error, ret, "gnutls_pubkey_init"), NULL;

      if ((ret = gnutls_pubkey_import_rsa_raw (pubkey, &params.n, &params.e)) < 0)
        {
          gnutls_pubkey_deinit (pubkey);
          g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_INVALID,
                               _("The JWK does not hold a valid RSA public key."));
          return NULL;
        }

      return ltm_key_new_take (NULL, pubkey, ltm_json_object_get_string (jwk, "kid"), flags,
                               error);
    }

  if (!ltm_key_jwk_get_member (jwk, "d", &params.d, error) ||
      !ltm_key_jwk_get_member (jwk, "p", &params.p, error) ||
      !ltm_key_jwk_get_member (jwk, "q", &params.q, error) ||
      !ltm_key_jwk_get_member (jwk, "dp", &params.dp, error) ||
      !ltm_key_jwk_get_member (jwk, "dq", &params.dq, error) ||
      !ltm_key_jwk_get_member (jwk, "qi", &params.qi, error))
    return NULL;

  if ((ret = gnutls_x509_privkey_init (&x509)) < 0)
    return ltm_key_set_gnutls_error (error, ret, "gnutls_x509_privkey_init"), NULL;

  /* GnuTLS's "u" is PKCS#1's coefficient, q⁻¹ mod p: JWK's "qi". */
  ret = gnutls_x509_privkey_import_rsa_raw2 (x509, &params.n, &params.e, &params.d,
                                             &params.p, &params.q, &params.qi,
                                             &params.dp, &params.dq);
  if (ret < 0)
    {
      gnutls_x509_privkey_deinit (x509);
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_INVALID,
                           _("The private key is damaged: its parts do not belong together."));
      return NULL;
    }

  return ltm_key_new_take_x509 (x509, ltm_json_object_get_string (jwk, "kid"), flags, error);
}

static LtmKey *
ltm_key_new_from_json (const char         *data,
                       gsize               len,
                       LtmKeyImportFlags   flags,
                       GError            **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *jwk;
  LtmKey *key;

  root = ltm_json_parse (data, len, &local_error);
  if (root == NULL)
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                   _("The key is not valid JSON: %s"), local_error->message);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                           _("The key is JSON, but not a JWK: a JWK is a JSON object."));
      ltm_json_wipe (root);
      return NULL;
    }

  jwk = json_node_get_object (root);

  /* Older console downloads: {"privateKey": {…}, "publicKey": {…}} */
  if (!json_object_has_member (jwk, "kty") &&
      json_object_has_member (jwk, "privateKey"))
    {
      JsonNode *wrapped = json_object_get_member (jwk, "privateKey");

      if (!JSON_NODE_HOLDS_OBJECT (wrapped))
        {
          g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                               _("The member “privateKey” is not a JWK object."));
          ltm_json_wipe (root);
          return NULL;
        }
      jwk = json_node_get_object (wrapped);
    }

  key = ltm_key_new_from_jwk (jwk, flags, error);
  ltm_json_wipe (root);

  return key;
}

static char *
ltm_key_pem_label (const char *data,
                   gsize       len)
{
  static const char begin[] = "-----BEGIN ";
  const char *start = g_strstr_len (data, len, begin);
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (begin);
  end = g_strstr_len (start, len - (start - data), "-----");
  if (end == NULL || end - start > 64)
    return NULL;

  return g_strndup (start, end - start);
}

static LtmKey *
ltm_key_new_from_pem (const char         *data,
                      gsize               len,
                      LtmKeyImportFlags   flags,
                      GError            **error)
{
  g_autofree char *label = ltm_key_pem_label (data, len);
  const gnutls_datum_t datum = { (unsigned char *) data, len };
  gnutls_x509_privkey_t x509 = NULL;
  int ret;

  if (label == NULL)
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                           _("The PEM data has no “-----BEGIN …-----” line."));
      return NULL;
    }

  if (g_str_equal (label, "ENCRYPTED PRIVATE KEY"))
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                           _("The PEM private key is protected by a passphrase; "
                             "remove it first with “openssl pkey -in KEY.pem -out PLAIN.pem”."));
      return NULL;
    }

  if (g_str_equal (label, "EC PRIVATE KEY"))
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_UNSUPPORTED,
                           _("The key is an elliptic-curve key; "
                             "LINE's assertion signing keys are RSA keys."));
      return NULL;
    }

  if ((g_str_equal (label, "PUBLIC KEY") || g_str_equal (label, "RSA PUBLIC KEY")) &&
      (flags & LTM_KEY_IMPORT_ALLOW_PUBLIC))
    {
      gnutls_pubkey_t pubkey = NULL;

      if ((ret = gnutls_pubkey_init (&pubkey)) < 0)
        return ltm_key_set_gnutls_error (error, ret, "gnutls_pubkey_init"), NULL;

      if ((ret = gnutls_pubkey_import (pubkey, &datum, GNUTLS_X509_FMT_PEM)) < 0)
        {
          gnutls_pubkey_deinit (pubkey);
          g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                       _("The PEM public key could not be read: %s"), gnutls_strerror (ret));
          return NULL;
        }

      return ltm_key_new_take (NULL, pubkey, NULL, flags, error);
    }

  if (!g_str_equal (label, "PRIVATE KEY") && !g_str_equal (label, "RSA PRIVATE KEY"))
    {
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_NOT_PRIVATE,
                   _("The PEM data holds a “%s”, not a private key."), label);
      return NULL;
    }

  if ((ret = gnutls_x509_privkey_init (&x509)) < 0)
    return ltm_key_set_gnutls_error (error, ret, "gnutls_x509_privkey_init"), NULL;

  if ((ret = gnutls_x509_privkey_import2 (x509, &datum, GNUTLS_X509_FMT_PEM,
                                          NULL, GNUTLS_PKCS_PLAIN)) < 0)
    {
      gnutls_x509_privkey_deinit (x509);
      g_set_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                   _("The PEM private key could not be read: %s"), gnutls_strerror (ret));
      return NULL;
    }

  return ltm_key_new_take_x509 (x509, NULL, flags, error);
}

/**
 * ltm_key_new_from_data:
 * @data: (array length=len): a JWK, a JSON object wrapping one under
 *   "privateKey", or a PEM key
 * @len: size of @data
 * @flags: whether a public key is accepted
 * @error: return location for a #GError
 *
 * Reads a key from what another tool or an earlier export wrote.  The
 * caller should wipe @data afterwards.
 *
 * Returns: (transfer full): the key, or %NULL with @error set to a message
 *   that names what is wrong
 */
LtmKey *
ltm_key_new_from_data (const char         *data,
                       gsize               len,
                       LtmKeyImportFlags   flags,
                       GError            **error)
{
  static const char bom[] = "\xef\xbb\xbf";
  gsize i = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len >= 3 && memcmp (data, bom, 3) == 0)
    i = 3;

  while (i < len && g_ascii_isspace (data[i]))
    i++;

  if (i == len)
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                           _("The key is empty."));
      return NULL;
    }

  if (data[i] == '{')
    return ltm_key_new_from_json (data + i, len - i, flags, error);

  if (len - i >= 10 && memcmp (data + i, "-----BEGIN", 10) == 0)
    return ltm_key_new_from_pem (data + i, len - i, flags, error);

  g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED,
                       _("This is neither a JWK (JSON) nor a PEM private key."));
  return NULL;
}

/**
 * ltm_key_has_private:
 * @self: a #LtmKey
 *
 * Returns: whether @self can sign
 */
gboolean
ltm_key_has_private (LtmKey *self)
{
  g_return_val_if_fail (LTM_IS_KEY (self), FALSE);

  return self->privkey != NULL;
}

/**
 * ltm_key_get_bits:
 * @self: a #LtmKey
 *
 * Returns: the size of the modulus in bits
 */
guint
ltm_key_get_bits (LtmKey *self)
{
  g_return_val_if_fail (LTM_IS_KEY (self), 0);

  return self->bits;
}

/**
 * ltm_key_get_kid:
 * @self: a #LtmKey
 *
 * The `kid` an imported JWK carried.  It is only a hint: the kid that
 * counts is the one the console answered when the key was registered.
 *
 * Returns: (nullable): the carried kid
 */
const char *
ltm_key_get_kid (LtmKey *self)
{
  g_return_val_if_fail (LTM_IS_KEY (self), NULL);

  return self->kid;
}

/**
 * ltm_key_get_thumbprint:
 * @self: a #LtmKey
 *
 * The RFC 7638 SHA-256 thumbprint recognises a key without showing it.
 *
 * Returns: the thumbprint in base64url
 */
const char *
ltm_key_get_thumbprint (LtmKey *self)
{
  g_return_val_if_fail (LTM_IS_KEY (self), NULL);

  return self->thumbprint;
}

/**
 * ltm_key_to_public_jwk:
 * @self: a #LtmKey
 *
 * The public JWK exactly as the LINE Developers Console accepts it: `kty`,
 * `alg`, `use`, `e` and `n`; never a `kid` (registration fails with one),
 * never a private member, never `key_ops`.
 *
 * Returns: (transfer full): the JWK as one line of JSON
 */
char *
ltm_key_to_public_jwk (LtmKey *self)
{
  g_return_val_if_fail (LTM_IS_KEY (self), NULL);

  return g_strdup_printf ("{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\","
                          "\"e\":\"%s\",\"n\":\"%s\"}", self->e, self->n);
}

/**
 * ltm_key_to_private_jwk:
 * @self: a #LtmKey with a private key
 * @error: return location for a #GError
 *
 * The private JWK: `kty n e d p q dp dq qi`, `alg` RS256, `use` sig, and
 * the `kid` an imported key carried.
 *
 * Returns: (transfer full): the JWK as indented JSON, to be freed with
 *   ltm_secret_free()
 */
LtmSecret *
ltm_key_to_private_jwk (LtmKey  *self,
                        GError **error)
{
  gnutls_datum_t raw[8] = { { NULL, 0 } };
  static const char * const names[] = { "n", "e", "d", "p", "q", "qi", "dp", "dq" };
  g_autoptr(GString) out = NULL;
  char *result;
  int ret;

  g_return_val_if_fail (LTM_IS_KEY (self), NULL);

  if (self->privkey == NULL)
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_NOT_PRIVATE,
                           _("This is a public key; there is no private key to export."));
      return NULL;
    }

  ret = gnutls_privkey_export_rsa_raw2 (self->privkey, &raw[0], &raw[1], &raw[2], &raw[3],
                                        &raw[4], &raw[5], &raw[6], &raw[7],
                                        GNUTLS_EXPORT_FLAG_NO_LZ);
  if (ret < 0)
    return ltm_key_set_gnutls_error (error, ret, "gnutls_privkey_export_rsa_raw2"), NULL;

  out = g_string_sized_new (4096);
  g_string_append (out, "{\n  \"kty\": \"RSA\",\n  \"alg\": \"RS256\",\n  \"use\": \"sig\"");

  if (self->kid != NULL)
    {
      g_autofree char *kid_json = ltm_json_quote (self->kid);

      g_string_append_printf (out, ",\n  \"kid\": %s", kid_json);
    }

  /* The JWK order: n e d p q dp dq qi. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      static const guint order[] = { 0, 1, 2, 3, 4, 6, 7, 5 };
      guint k = order[i];
      char *value = ltm_base64url_encode (raw[k].data, raw[k].size);

      g_string_append_printf (out, ",\n  \"%s\": \"%s\"", names[k], value);
      ltm_secret_free (value);
    }
  g_string_append (out, "\n}\n");

  for (guint i = 0; i < G_N_ELEMENTS (raw); i++)
    ltm_gnutls_datum_wipe_free (&raw[i]);

  /* Copy out so that no unwiped growth of the GString is left behind. */
  result = g_strndup (out->str, out->len);
  ltm_secret_wipe (out->str, out->allocated_len);

  return result;
}

/**
 * ltm_key_sign:
 * @self: a #LtmKey with a private key
 * @data: (array length=len): the bytes to sign
 * @len: size of @data
 * @error: return location for a #GError
 *
 * Signs @data with RSASSA-PKCS1-v1_5 and SHA-256 (JWS "RS256").
 *
 * Returns: (transfer full): the signature, or %NULL with @error set
 */
GBytes *
ltm_key_sign (LtmKey        *self,
              const guint8  *data,
              gsize          len,
              GError       **error)
{
  const gnutls_datum_t datum = { (unsigned char *) data, len };
  gnutls_datum_t signature = { NULL, 0 };
  GBytes *bytes;
  int ret;

  g_return_val_if_fail (LTM_IS_KEY (self), NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (self->privkey == NULL)
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_NOT_PRIVATE,
                           _("This is a public key; signing needs the private key."));
      return NULL;
    }

  if ((ret = gnutls_privkey_sign_data2 (self->privkey, GNUTLS_SIGN_RSA_SHA256, 0,
                                        &datum, &signature)) < 0)
    return ltm_key_set_gnutls_error (error, ret, _("Could not sign")), NULL;

  bytes = g_bytes_new (signature.data, signature.size);
  gnutls_free (signature.data);

  return bytes;
}

/**
 * ltm_key_verify:
 * @self: a #LtmKey
 * @data: (array length=len): the signed bytes
 * @len: size of @data
 * @signature: (array length=signature_len): the RS256 signature
 * @signature_len: size of @signature
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @signature is @self's RS256 signature of @data
 */
gboolean
ltm_key_verify (LtmKey        *self,
                const guint8  *data,
                gsize          len,
                const guint8  *signature,
                gsize          signature_len,
                GError       **error)
{
  const gnutls_datum_t datum = { (unsigned char *) data, len };
  const gnutls_datum_t sig = { (unsigned char *) signature, signature_len };

  g_return_val_if_fail (LTM_IS_KEY (self), FALSE);

  if (gnutls_pubkey_verify_data2 (self->pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &datum, &sig) < 0)
    {
      g_set_error_literal (error, LTM_KEY_ERROR, LTM_KEY_ERROR_INVALID,
                           _("The signature does not match this key."));
      return FALSE;
    }

  return TRUE;
}
