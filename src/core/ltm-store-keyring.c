/* ltm-store-keyring.c: the keyring side of LtmStore
 *
 * One SecretSchema, io.github.ltm.LineTokenManager.Secret, with the
 * attributes channel, kind (assertion-key, channel-secret, access-token)
 * and key-id.  Attributes are not encrypted: no secret is ever put in one.
 * Inside Flatpak libsecret talks to the Secret portal by itself.
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
  if (cause == NULL)
    {
      /* libsecret answers FALSE without an error when a prompt is dismissed. */
      g_set_error_literal (error, LTM_STORE_ERROR, LTM_STORE_ERROR_KEYRING_LOCKED,
                           _("The keyring is locked and was not unlocked. Unlock it (for example "
                             "in Passwords and Keys) and try again."));
      return FALSE;
    }

  if (g_error_matches (cause, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_KEYRING_LOCKED,
                 _("The keyring is locked and was not unlocked (%s). Unlock it (for example in "
                   "Passwords and Keys) and try again."), cause->message);
  else
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_KEYRING_UNAVAILABLE,
                 _("The keyring could not be used (%s). LINE Token Manager keeps keys and tokens "
                   "only in the desktop keyring: start GNOME Keyring or another Secret Service, "
                   "or log in to a desktop session, and try again."), cause->message);

  g_error_free (cause);

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

static char *
ltm_store_keyring_label (const char *kind,
                 const char *channel_id)
{
  if (g_str_equal (kind, KIND_KEY))
    return g_strdup_printf (_("LINE channel %s: assertion signing key"), channel_id);
  if (g_str_equal (kind, KIND_SECRET))
    return g_strdup_printf (_("LINE channel %s: channel secret"), channel_id);

  return g_strdup_printf (_("LINE channel %s: channel access token"), channel_id);
}

gboolean
ltm_store_keyring_put (const char  *channel_id,
                       const char  *kind,
                       const char  *key_id,
                       const char  *secret,
                       GError     **error)
{
  g_autoptr(GHashTable) attributes = ltm_store_keyring_attributes (channel_id, kind, key_id);
  g_autofree char *label = ltm_store_keyring_label (kind, channel_id);
  GError *local_error = NULL;

  /* An item with the same attributes is replaced in one step: the old
   * secret stays until the new one is stored. */
  gboolean stored;

  G_LOCK (keyring);
  stored = secret_password_storev_sync (&ltm_store_schema, attributes, SECRET_COLLECTION_DEFAULT,
                                        label, secret, NULL, &local_error);
  G_UNLOCK (keyring);

  if (!stored)
    return ltm_store_keyring_error (local_error, error);

  return TRUE;
}

static LtmSecret *
ltm_store_keyring_get (const char  *channel_id,
                      const char  *kind,
                      const char  *key_id,
                      const char  *missing_message,
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
      g_set_error_literal (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND, missing_message);
      return NULL;
    }

  secret = g_strdup (found);
  secret_password_free (found);

  return secret;
}

/* Removes every item matching the attributes given. */
gboolean
ltm_store_keyring_clear (const char  *channel_id,
                        const char  *kind,
                        const char  *key_id,
                        GError     **error)
{
  g_autoptr(GHashTable) attributes = ltm_store_keyring_attributes (channel_id, kind, key_id);
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


gboolean
ltm_store_keyring_put_key (const char  *channel_id,
                   LtmKey      *key,
                   GError     **error)
{
  g_autoptr(LtmSecret) jwk = NULL;

  if ((jwk = ltm_key_to_private_jwk (key, error)) == NULL)
    return FALSE;

  return ltm_store_keyring_put (channel_id, KIND_KEY, NULL, jwk, error);
}

LtmKey *
ltm_store_keyring_get_key (const char  *channel_id,
                      GError     **error)
{
  g_autofree char *missing = g_strdup_printf (_("No assertion key is stored for channel %s; add "
                                                "one with “ltm channel add %s --key FILE”."),
                                              channel_id, channel_id);
  g_autoptr(LtmSecret) jwk = ltm_store_keyring_get (channel_id, KIND_KEY, NULL, missing, error);
  LtmKey *key;

  if (jwk == NULL)
    return NULL;

  key = ltm_key_new_from_data (jwk, strlen (jwk), LTM_KEY_IMPORT_PRIVATE, error);
  if (key == NULL)
    g_prefix_error (error, _("The key stored for channel %s is damaged: "), channel_id);

  return key;
}

LtmSecret *
ltm_store_keyring_get_secret (const char  *channel_id,
                         const char  *key_id,
                         GError     **error)
{
  g_autofree char *missing = NULL;

  if (key_id == NULL)
    {
      missing = g_strdup_printf (_("No channel secret is stored for channel %s; give it with "
                                   "--secret-file or LTM_CHANNEL_SECRET."), channel_id);
      return ltm_store_keyring_get (channel_id, KIND_SECRET, NULL, missing, error);
    }

  missing = g_strdup_printf (_("The keyring holds no token with the key ID %s for channel %s."),
                             key_id, channel_id);
  return ltm_store_keyring_get (channel_id, KIND_TOKEN, key_id, missing, error);
}

/* Consistency between channels.json and the keyring */

typedef struct {
  char *channel_id;
  char *kind;
  char *key_id;
} LtmKeyringItem;

static void
ltm_keyring_item_free (gpointer data)
{
  LtmKeyringItem *item = data;

  g_free (item->channel_id);
  g_free (item->kind);
  g_free (item->key_id);
  g_free (item);
}

/* What the keyring holds under our schema: attributes only, no secrets. */
static GPtrArray *
ltm_store_keyring_list (GError **error)
{
  g_autoptr(GHashTable) attributes = ltm_store_keyring_attributes (NULL, NULL, NULL);
  GPtrArray *items = g_ptr_array_new_with_free_func (ltm_keyring_item_free);
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
      LtmKeyringItem *item = g_new0 (LtmKeyringItem, 1);

      item->channel_id = g_strdup (g_hash_table_lookup (item_attributes, "channel"));
      item->kind = g_strdup (g_hash_table_lookup (item_attributes, "kind"));
      item->key_id = g_strdup (g_hash_table_lookup (item_attributes, "key-id"));
      g_ptr_array_add (items, item);
    }

  g_list_free_full (found, g_object_unref);

  return items;
}

static gboolean
ltm_keyring_has (GPtrArray  *items,
                 const char *channel_id,
                 const char *kind,
                 const char *key_id)
{
  for (guint i = 0; i < items->len; i++)
    {
      LtmKeyringItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->channel_id, channel_id) == 0 && g_strcmp0 (item->kind, kind) == 0 &&
          (key_id == NULL || g_strcmp0 (item->key_id, key_id) == 0))
        return TRUE;
    }

  return FALSE;
}

static void
ltm_store_add_problem (GPtrArray  *problems,
                       const char *channel_id,
                       const char *key_id,
                       char       *description)
{
  LtmStoreProblem *problem = g_new0 (LtmStoreProblem, 1);

  problem->channel_id = g_strdup (channel_id);
  problem->key_id = g_strdup (key_id);
  problem->description = description;
  g_ptr_array_add (problems, problem);
}

/* Compares @doc with the keyring; when @repair, changes @doc to agree. */
GPtrArray *
ltm_store_keyring_compare (LtmStoreDoc  *doc,
                   gboolean      repair,
                   GError      **error)
{
  g_autoptr(GPtrArray) items = ltm_store_keyring_list (error);
  g_autoptr(GHashTable) orphans = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *problems;

  if (items == NULL)
    return NULL;

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_store_problem_free);

  for (guint i = 0; i < doc->channels->len; i++)
    {
      LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);
      const char *id = record->channel_id;

      if (record->key_thumbprint != NULL && !ltm_keyring_has (items, id, KIND_KEY, NULL))
        {
          ltm_store_add_problem (problems, id, NULL,
                                 g_strdup_printf (_("Channel %s should have a key, but the keyring "
                                                    "has none."), id));
          if (repair)
            g_clear_pointer (&record->key_thumbprint, g_free);
        }

      if (record->has_secret && !ltm_keyring_has (items, id, KIND_SECRET, NULL))
        {
          ltm_store_add_problem (problems, id, NULL,
                                 g_strdup_printf (_("Channel %s should have a channel secret, but "
                                                    "the keyring has none."), id));
          if (repair)
            record->has_secret = FALSE;
        }

      for (guint j = record->tokens->len; j > 0; j--)
        {
          LtmTokenRecord *token = g_ptr_array_index (record->tokens, j - 1);

          if (token->revoked || ltm_keyring_has (items, id, KIND_TOKEN, token->key_id))
            continue;

          ltm_store_add_problem (problems, id, token->key_id,
                                 g_strdup_printf (_("The token %s of channel %s is listed, but the "
                                                    "keyring does not hold it."),
                                                  token->key_id, id));
          if (repair)
            g_ptr_array_remove_index (record->tokens, j - 1);
        }
    }

  for (guint i = 0; i < items->len; i++)
    {
      LtmKeyringItem *item = g_ptr_array_index (items, i);
      LtmChannelRecord *record;

      if (item->channel_id == NULL)
        continue;

      record = ltm_store_doc_find_channel (doc, item->channel_id, NULL);
      if (record == NULL)
        {
          /* Reported once per channel, however many secrets it has. */
          if (!g_hash_table_add (orphans, item->channel_id))
            continue;
          ltm_store_add_problem (problems, item->channel_id, NULL,
                                 g_strdup_printf (_("The keyring holds secrets of channel %s, "
                                                    "which is not in the list."),
                                                  item->channel_id));
          if (!repair || !ltm_jwt_check_channel_id (item->channel_id, NULL))
            continue;
          record = ltm_channel_record_new (item->channel_id);
          g_ptr_array_add (doc->channels, record);
        }

      if (g_strcmp0 (item->kind, KIND_KEY) == 0 && record->key_thumbprint == NULL)
        {
          g_autoptr(LtmKey) key = ltm_store_keyring_get_key (item->channel_id, NULL);

          if (repair && key != NULL)
            record->key_thumbprint = g_strdup (ltm_key_get_thumbprint (key));
        }
      else if (g_strcmp0 (item->kind, KIND_SECRET) == 0 && !record->has_secret)
        {
          if (repair)
            record->has_secret = TRUE;
        }
      else if (g_strcmp0 (item->kind, KIND_TOKEN) == 0 && item->key_id != NULL &&
               ltm_channel_record_find_token (record, item->key_id, NULL) == NULL)
        {
          ltm_store_add_problem (problems, item->channel_id, item->key_id,
                                 g_strdup_printf (_("The keyring holds the token %s of channel %s, "
                                                    "which is not listed."),
                                                  item->key_id, item->channel_id));
          if (repair)
            {
              /* Its times are lost: listed as unknown until LINE is asked. */
              LtmTokenRecord *token = ltm_token_record_new (item->key_id, LTM_TOKEN_KIND_V21, 0, 0);

              token->unknown = TRUE;
              g_ptr_array_add (record->tokens, token);
            }
        }
    }

  return problems;
}

