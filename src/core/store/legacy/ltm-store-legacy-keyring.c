/* ltm-store-legacy-keyring.c: the first layout's keyring items, read to be migrated
 *
 * Until 0.1 every secret was its own item, schema
 * io.github.ltm.LineTokenManager.Secret, attributes channel, kind
 * (assertion-key, channel-secret, access-token) and key-id.  The
 * migration (ltm-store-legacy.c) reads them, lists them and, once the
 * database holds them, removes them.  Nothing here writes a secret.
 *
 * Everything here may run in a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "ltm-jwt.h"
#include "ltm-store.h"
#include "ltm-store-legacy.h"
#include "ltm-store-private.h"

/* One keyring call at a time: libsecret's file backend (and, it seems, its
 * collection cache) is not safe to use from several threads at once, and
 * the store runs its operations in worker threads. */
G_LOCK_DEFINE_STATIC (keyring);

static const SecretSchema ltm_store_schema = {
  "io.github.ltm.LineTokenManager.Secret", SECRET_SCHEMA_NONE,
  {
    { "channel", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static gboolean
ltm_store_keyring_error (GError  *cause,
                         GError **error)
{
  /* libsecret answers FALSE without an error when a prompt is dismissed. */
  if (cause == NULL || g_error_matches (cause, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_KEYRING_LOCKED,
                 _("The keyring, which holds the secrets kept by LINE Token Manager 0.1, is locked "
                   "and was not unlocked (%s)."),
                 cause != NULL ? cause->message : _("the prompt was dismissed"));
  else
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_KEYRING_UNAVAILABLE,
                 _("The keyring, which holds the secrets kept by LINE Token Manager 0.1, could not "
                   "be used (%s)."), cause->message);

  g_clear_error (&cause);

  return FALSE;
}

static GHashTable *
ltm_store_keyring_attributes (const char *channel_id,
                      const char *kind,
                      const char *key_id)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  if (channel_id != NULL)
    g_hash_table_insert (attributes, "channel", (gpointer) channel_id);
  if (kind != NULL)
    g_hash_table_insert (attributes, "kind", (gpointer) kind);
  if (key_id != NULL)
    g_hash_table_insert (attributes, "key-id", (gpointer) key_id);

  return attributes;
}

LtmSecret *
ltm_store_legacy_keyring_get (const char  *channel_id,
                              const char  *kind,
                              const char  *key_id,
                              GError     **error)
{
  g_autoptr(GHashTable) attributes = ltm_store_keyring_attributes (channel_id, kind, key_id);
  GError *local_error = NULL;
  char *found;
  LtmSecret *secret;

  G_LOCK (keyring);
  found = secret_password_lookupv_sync (&ltm_store_schema, attributes, NULL, &local_error);
  G_UNLOCK (keyring);
  if (local_error != NULL)
    {
      ltm_store_keyring_error (local_error, error);
      return NULL;
    }

  if (found == NULL)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                   "The keyring holds no %s of channel %s.", kind, channel_id);
      return NULL;
    }

  secret = g_strdup (found);
  secret_password_free (found);

  return secret;
}

/* Removes every item of @channel_id. */
gboolean
ltm_store_legacy_keyring_clear (const char  *channel_id,
                                GError     **error)
{
  g_autoptr(GHashTable) attributes = ltm_store_keyring_attributes (channel_id, NULL, NULL);
  GError *local_error = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      gboolean cleared;

      G_LOCK (keyring);
      cleared = secret_password_clearv_sync (&ltm_store_schema, attributes, NULL, &local_error);
      G_UNLOCK (keyring);

      if (!cleared)
        {
          if (local_error != NULL)
            return ltm_store_keyring_error (local_error, error);
          return TRUE;
        }
    }

  return TRUE;
}


void
ltm_legacy_item_free (LtmLegacyItem *item)
{
  g_free (item->channel_id);
  g_free (item->kind);
  g_free (item->key_id);
  g_free (item);
}

/* What the keyring holds under the schema: attributes only, no secrets. */
GPtrArray *
ltm_store_legacy_keyring_list (GError **error)
{
  g_autoptr(GHashTable) attributes = ltm_store_keyring_attributes (NULL, NULL, NULL);
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_legacy_item_free);
  GError *local_error = NULL;
  GList *found;

  G_LOCK (keyring);
  found = secret_password_searchv_sync (&ltm_store_schema, attributes,
                                        SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                                        NULL, &local_error);
  G_UNLOCK (keyring);
  if (local_error != NULL)
    {
      g_ptr_array_unref (items);
      ltm_store_keyring_error (local_error, error);
      return NULL;
    }

  for (GList *l = found; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) item_attributes = secret_retrievable_get_attributes (l->data);
      LtmLegacyItem *item = g_new0 (LtmLegacyItem, 1);

      item->channel_id = g_strdup (g_hash_table_lookup (item_attributes, "channel"));
      item->kind = g_strdup (g_hash_table_lookup (item_attributes, "kind"));
      item->key_id = g_strdup (g_hash_table_lookup (item_attributes, "key-id"));
      g_ptr_array_add (items, item);
    }

  g_list_free_full (found, g_object_unref);

  return items;
}

