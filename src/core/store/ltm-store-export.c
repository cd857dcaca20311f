/* ltm-store-export.c: one channel to a file and back, to move it between machines
 *
 *   {
 *     "format": "line-token-manager-channel",
 *     "version": 1,
 *     "channel_id": "1234567890",
 *     "name": "My bot",
 *     "kid": "…",
 *     "channel_secret": "…",
 *     "privateKey": { the private JWK }
 *   }
 *
 * The key sits under "privateKey" as in the console's older downloads, so
 * that `ltm key info` and every key import read an export too.  The file
 * holds secrets in plain form: it is the one the user asked for, written
 * 0600 by the caller; the text here is built and freed so that no copy is
 * left in memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ltm-json.h"
#include "ltm-jwt.h"

#define EXPORT_FORMAT "line-token-manager-channel"
#define EXPORT_VERSION 1

/* Room for every member, so that the string never moves (and leaves a
 * copy of a secret behind) while it grows. */
#define EXPORT_SIZE (64 * 1024)

/* Appends @text as a JSON string literal. */
static void
ltm_store_export_append_string (GString    *out,
                                const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

static void
ltm_store_export_append_member (GString    *out,
                                const char *name,
                                const char *value)
{
  g_string_append_printf (out, ",\n  \"%s\": ", name);
  if (value != NULL)
    ltm_store_export_append_string (out, value);
  else
    g_string_append (out, "null");
}

/**
 * ltm_store_export_channel:
 * @self: a #LtmStore
 * @channel_id: a stored channel
 * @error: return location for a #GError
 *
 * The channel's name, kid, private key and channel secret as one JSON
 * document, for ltm_store_import_channel() on another machine.
 *
 * Returns: (transfer full): the document; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_export_channel (LtmStore    *self,
                          const char  *channel_id,
                          GError     **error)
{
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmSecret) jwk = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  GString *out;
  LtmChannel *channel;
  LtmSecret *document;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  if ((channel = ltm_store_lookup_channel (self, channel_id, error)) == NULL)
    return NULL;

  if (ltm_channel_get_has_key (channel) &&
      ((key = ltm_store_get_key (self, channel_id, error)) == NULL ||
       (jwk = ltm_key_to_private_jwk (key, error)) == NULL))
    return NULL;

  if (ltm_channel_get_has_secret (channel) &&
      (secret = ltm_store_get_secret (self, channel_id, error)) == NULL)
    return NULL;

  out = g_string_sized_new (EXPORT_SIZE);
  g_string_append_printf (out, "{\n  \"format\": \"%s\",\n  \"version\": %d", EXPORT_FORMAT,
                          EXPORT_VERSION);
  ltm_store_export_append_member (out, "channel_id", channel_id);
  ltm_store_export_append_member (out, "name", ltm_channel_get_name (channel));
  ltm_store_export_append_member (out, "kid", ltm_channel_get_kid (channel));
  ltm_store_export_append_member (out, "channel_secret", secret);
  g_string_append_printf (out, ",\n  \"privateKey\": %s\n}\n", jwk != NULL ? jwk : "null");

  document = g_strndup (out->str, out->len);
  ltm_secret_wipe (out->str, out->len);
  g_string_free (out, TRUE);

  return document;
}

static gboolean
ltm_store_import_fail (GError     **error,
                       const char  *what)
{
  g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED,
               _("This is not a channel exported by LINE Token Manager: %s."), what);
  return FALSE;
}

/**
 * ltm_store_import_channel:
 * @self: a #LtmStore
 * @data: what ltm_store_export_channel() made
 * @len: its size
 * @error: return location for a #GError
 *
 * Adds the exported channel, its key and its channel secret.  A channel
 * already stored is refused (%LTM_STORE_ERROR_EXISTS) and left as it is.
 *
 * Returns: (transfer full): the ID of the channel it added, or %NULL with
 *   @error set
 */
char *
ltm_store_import_channel (LtmStore    *self,
                          const char  *data,
                          gsize        len,
                          GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autofree char *channel_id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *kid = NULL;
  JsonObject *root;
  JsonNode *private_key;
  gint64 version = 0;
  char *added = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  if ((node = ltm_json_parse (data, len, &local_error)) == NULL)
    {
      ltm_store_import_fail (error, local_error->message);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ltm_store_import_fail (error, _("it is not a JSON object"));
      goto out;
    }

  root = json_node_get_object (node);
  if (g_strcmp0 (ltm_json_object_get_string (root, "format"), EXPORT_FORMAT) != 0)
    {
      ltm_store_import_fail (error, _("it has no member “format” saying so"));
      goto out;
    }

  if (!ltm_json_object_get_int (root, "version", &version) || version > EXPORT_VERSION)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NEWER_VERSION,
                   _("The channel was exported by a newer version of LINE Token Manager."));
      goto out;
    }

  channel_id = g_strdup (ltm_json_object_get_string (root, "channel_id"));
  name = g_strdup (ltm_json_object_get_string (root, "name"));
  kid = g_strdup (ltm_json_object_get_string (root, "kid"));
  secret = g_strdup (ltm_json_object_get_string (root, "channel_secret"));
  if (channel_id == NULL)
    {
      ltm_store_import_fail (error, _("the member “channel_id” is missing"));
      goto out;
    }

  private_key = json_object_get_member (root, "privateKey");
  if (private_key != NULL && !JSON_NODE_HOLDS_NULL (private_key) &&
      (key = ltm_key_new_from_data (data, len, LTM_KEY_IMPORT_PRIVATE, error)) == NULL)
    goto out;

  if (ltm_store_add_channel (self, channel_id, name, kid, key, secret, error))
    added = g_steal_pointer (&channel_id);

out:
  ltm_json_wipe (node);

  return added;
}
