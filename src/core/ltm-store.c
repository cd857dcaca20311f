/* ltm-store.c: channels, keys and tokens: secrets in the keyring,
 * metadata in channels.json
 *
 * Secrets, and only secrets, go to the desktop keyring through libsecret,
 * under one schema with the attributes channel, kind (assertion-key,
 * channel-secret, access-token) and key-id.  Attributes are not encrypted,
 * so no secret is ever put in one.  Everything that may be shown goes to
 * channels.json (ltm-store-file.c).
 *
 * Every change is an LtmStoreOp run by ltm_store_op_run(): take the file
 * lock, read the file as it is now (another process may have written it),
 * change the keyring first and the file second, undo the keyring change if
 * the file cannot be written, and hand back the new metadata.  That part
 * touches no GObject and runs in a worker thread for the window; the
 * models are then brought in line in the caller's thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ltm-jwt.h"
#include "ltm-store-private.h"


struct _LtmStore
{
  GObject parent_instance;

  char *dir;
  char *path;
  GListStore *channels;
  gint64 applied;               /* the generation of channels.json the models show */
};

G_DEFINE_FINAL_TYPE (LtmStore, ltm_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ltm-store-error-quark, ltm_store_error)

typedef enum {
  LTM_STORE_OP_LOAD,
  LTM_STORE_OP_ADD_CHANNEL,
  LTM_STORE_OP_REMOVE_CHANNEL,
  LTM_STORE_OP_SET_NAME,
  LTM_STORE_OP_SET_KID,
  LTM_STORE_OP_SET_KEY,
  LTM_STORE_OP_SET_SECRET,
  LTM_STORE_OP_ADD_TOKEN,
  LTM_STORE_OP_SET_TOKEN_STATE,
  LTM_STORE_OP_REMOVE_TOKEN,
  LTM_STORE_OP_REPAIR,
} LtmStoreOpKind;

typedef struct {
  LtmStoreOpKind kind;
  char *dir;
  char *path;
  char *channel_id;
  char *name;
  char *kid;
  LtmKey *key;
  LtmSecret *secret;            /* a channel secret or an access token */
  char *key_id;
  LtmTokenKind token_kind;
  gint64 issued_at;
  gint64 expires_at;
  gboolean revoked;
  gboolean unknown;
} LtmStoreOp;

static void
ltm_store_op_free (LtmStoreOp *op)
{
  g_free (op->dir);
  g_free (op->path);
  g_free (op->channel_id);
  g_free (op->name);
  g_free (op->kid);
  g_clear_object (&op->key);
  ltm_secret_free (op->secret);
  g_free (op->key_id);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreOp, ltm_store_op_free)

static LtmStoreOp *
ltm_store_op_new (LtmStore       *self,
                  LtmStoreOpKind  kind,
                  const char     *channel_id)
{
  LtmStoreOp *op = g_new0 (LtmStoreOp, 1);

  op->kind = kind;
  op->dir = g_strdup (self->dir);
  op->path = g_strdup (self->path);
  op->channel_id = g_strdup (channel_id);

  return op;
}

/* The operations, on the metadata as it is on disk now */

static LtmChannelRecord *
ltm_store_doc_require_channel (LtmStoreDoc  *doc,
                               const char   *channel_id,
                               GError      **error)
{
  LtmChannelRecord *record = ltm_store_doc_find_channel (doc, channel_id, NULL);

  if (record == NULL)
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                 _("The channel %s is not in the list; add it with “ltm channel add %s --name "
                   "NAME”."), channel_id, channel_id);

  return record;
}

static gboolean
ltm_store_op_add_channel (LtmStoreOp   *op,
                          LtmStoreDoc  *doc,
                          GError      **error)
{
  LtmChannelRecord *record;

  if (!ltm_jwt_check_channel_id (op->channel_id, error) ||
      (op->kid != NULL && !ltm_jwt_check_kid (op->kid, error)))
    return FALSE;

  if (ltm_store_doc_find_channel (doc, op->channel_id, NULL) != NULL)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("The channel %s is already in the list."), op->channel_id);
      return FALSE;
    }

  /* Secrets first: a channel is listed only once its secrets are safe. */
  if (op->key != NULL && !ltm_store_keyring_put_key (op->channel_id, op->key, error))
    return FALSE;

  if (op->secret != NULL &&
      !ltm_store_keyring_put (op->channel_id, KIND_SECRET, NULL, op->secret, error))
    {
      ltm_store_keyring_clear (op->channel_id, NULL, NULL, NULL);
      return FALSE;
    }

  record = ltm_channel_record_new (op->channel_id);
  record->name = g_strdup (op->name);
  record->kid = g_strdup (op->kid);
  if (op->key != NULL)
    {
      record->key_thumbprint = g_strdup (ltm_key_get_thumbprint (op->key));
      record->key_created = g_get_real_time () / G_USEC_PER_SEC;
    }
  record->has_secret = op->secret != NULL;
  g_ptr_array_add (doc->channels, record);

  return TRUE;
}

static gboolean
ltm_store_op_change (LtmStoreOp   *op,
                     LtmStoreDoc  *doc,
                     GError      **error)
{
  LtmChannelRecord *record;
  LtmTokenRecord *token;
  guint index;

  if (op->kind == LTM_STORE_OP_ADD_CHANNEL)
    return ltm_store_op_add_channel (op, doc, error);

  if ((record = ltm_store_doc_require_channel (doc, op->channel_id, error)) == NULL)
    return FALSE;

  switch (op->kind)
    {
    case LTM_STORE_OP_REMOVE_CHANNEL:
      /* Every secret of the channel goes, whatever the metadata says. */
      if (!ltm_store_keyring_clear (op->channel_id, NULL, NULL, error))
        return FALSE;
      ltm_store_doc_find_channel (doc, op->channel_id, &index);
      g_ptr_array_remove_index (doc->channels, index);
      return TRUE;

    case LTM_STORE_OP_SET_NAME:
      g_free (record->name);
      record->name = g_strdup (op->name);
      return TRUE;

    case LTM_STORE_OP_SET_KID:
      if (op->kid != NULL && !ltm_jwt_check_kid (op->kid, error))
        return FALSE;
      g_free (record->kid);
      record->kid = g_strdup (op->kid);
      return TRUE;

    case LTM_STORE_OP_SET_KEY:
      if (!ltm_store_keyring_put_key (op->channel_id, op->key, error))
        return FALSE;
      /* The kid belonged to the old key: the new one must be registered. */
      if (g_strcmp0 (record->key_thumbprint, ltm_key_get_thumbprint (op->key)) != 0)
        g_clear_pointer (&record->kid, g_free);
      g_free (record->key_thumbprint);
      record->key_thumbprint = g_strdup (ltm_key_get_thumbprint (op->key));
      record->key_created = g_get_real_time () / G_USEC_PER_SEC;
      return TRUE;

    case LTM_STORE_OP_SET_SECRET:
      if (!ltm_store_keyring_put (op->channel_id, KIND_SECRET, NULL, op->secret, error))
        return FALSE;
      record->has_secret = TRUE;
      return TRUE;

    case LTM_STORE_OP_ADD_TOKEN:
      {
        if (ltm_channel_record_find_token (record, op->key_id, NULL) != NULL)
          {
            g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                         _("A token with the key ID %s is already stored."), op->key_id);
            return FALSE;
          }
        /* The secret is already in the keyring (ltm_store_op_run()). */
        g_ptr_array_add (record->tokens, ltm_token_record_new (op->key_id, op->token_kind,
                                                               op->issued_at, op->expires_at));
        return TRUE;
      }

    case LTM_STORE_OP_SET_TOKEN_STATE:
    case LTM_STORE_OP_REMOVE_TOKEN:
      if ((token = ltm_channel_record_find_token (record, op->key_id, &index)) == NULL)
        {
          g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                       _("No token with the key ID %s is stored for channel %s."),
                       op->key_id, op->channel_id);
          return FALSE;
        }
      /* Its secret goes once the file says so (ltm_store_op_run()). */
      if (op->kind == LTM_STORE_OP_REMOVE_TOKEN)
        {
          g_ptr_array_remove_index (record->tokens, index);
          return TRUE;
        }
      token->revoked = op->revoked;
      token->unknown = op->unknown;
      return TRUE;

    case LTM_STORE_OP_LOAD:
    case LTM_STORE_OP_ADD_CHANNEL:
    case LTM_STORE_OP_REPAIR:
    default:
      g_assert_not_reached ();
    }
}

/* Undoes the keyring side of a failed @op: a new channel's secrets when
 * they were stored but the file could not be written (@changed), a new
 * token's secret whatever failed. */
static void
ltm_store_op_undo (LtmStoreOp *op,
                   gboolean    changed)
{
  if (op->kind == LTM_STORE_OP_ADD_CHANNEL && changed)
    ltm_store_keyring_clear (op->channel_id, NULL, NULL, NULL);
  else if (op->kind == LTM_STORE_OP_ADD_TOKEN)
    ltm_store_keyring_clear (op->channel_id, KIND_TOKEN, op->key_id, NULL);
}

static gboolean ltm_store_op_repair (LtmStoreOp   *op,
                                     LtmStoreDoc  *doc,
                                     GError      **error);

/* Runs in any thread: no GObject here but the immutable LtmKey. */
static LtmStoreDoc *
ltm_store_op_run (LtmStoreOp  *op,
                  GError     **error)
{
  g_autoptr(LtmStoreDoc) doc = NULL;
  gboolean changed;
  gboolean ok;
  int lock;

  /* Reading needs no lock: the file is replaced atomically.  And reading
   * creates nothing, so that a list from a missing or read-only folder works. */
  if (op->kind == LTM_STORE_OP_LOAD)
    return ltm_store_file_read (op->path, error);

  /* A new token's secret is stored before the lock is taken, so that
   * writers (rotating hundreds of channels at once) hold the lock only for
   * the file.  It is removed again if the file does not list it. */
  if (op->kind == LTM_STORE_OP_ADD_TOKEN &&
      !ltm_store_keyring_put (op->channel_id, KIND_TOKEN, op->key_id, op->secret, error))
    return NULL;

  if ((lock = ltm_store_file_lock (op->dir, error)) < 0)
    {
      ltm_store_op_undo (op, FALSE);
      return NULL;
    }

  if ((doc = ltm_store_file_read (op->path, error)) == NULL)
    {
      ltm_store_file_unlock (lock);
      ltm_store_op_undo (op, FALSE);
      return NULL;
    }

  if (op->kind == LTM_STORE_OP_REPAIR)
    changed = ltm_store_op_repair (op, doc, error);
  else
    changed = ltm_store_op_change (op, doc, error);

  ok = changed && ltm_store_file_write (op->path, doc, error);

  ltm_store_file_unlock (lock);

  if (!ok)
    {
      /* (A token listed already keeps the secret it has: same key ID.) */
      if (changed || !g_error_matches (*error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS))
        ltm_store_op_undo (op, changed);
      return NULL;
    }

  /* A revoked or removed token is worth nothing: its secret goes, now that
   * the file no longer offers it.  Should that fail, it is only a leftover. */
  if (op->kind == LTM_STORE_OP_REMOVE_TOKEN ||
      (op->kind == LTM_STORE_OP_SET_TOKEN_STATE && op->revoked))
    {
      g_autoptr(GError) local_error = NULL;

      if (!ltm_store_keyring_clear (op->channel_id, KIND_TOKEN, op->key_id, &local_error))
        g_debug ("The secret of a revoked token stayed in the keyring: %s", local_error->message);
    }

  return g_steal_pointer (&doc);
}

/* The models */

static LtmToken *
ltm_store_new_token (LtmTokenRecord *record)
{
  LtmToken *token = ltm_token_new (record->key_id, record->kind,
                                   record->issued_at, record->expires_at);

  ltm_token_set_revoked (token, record->revoked);
  ltm_token_set_unknown (token, record->unknown);

  return token;
}

static void
ltm_store_apply_tokens (LtmChannel       *channel,
                        LtmChannelRecord *record)
{
  GListModel *tokens = ltm_channel_get_tokens (channel);
  guint n = g_list_model_get_n_items (tokens);
  g_autoptr(GHashTable) existing = NULL;
  g_autoptr(GPtrArray) ordered = NULL;
  gboolean same = n == record->tokens->len;

  /* The common case when loading: nothing there yet. */
  if (n == 0 && record->tokens->len == 0)
    return;

  existing = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  ordered = g_ptr_array_new_full (record->tokens->len, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      LtmToken *token = g_list_model_get_item (tokens, i);

      g_hash_table_insert (existing, (gpointer) ltm_token_get_key_id (token), token);
    }

  for (guint i = 0; i < record->tokens->len; i++)
    {
      LtmTokenRecord *token_record = g_ptr_array_index (record->tokens, i);
      LtmToken *token = g_hash_table_lookup (existing, token_record->key_id);

      if (token == NULL)
        {
          token = ltm_store_new_token (token_record);
          same = FALSE;
        }
      else
        {
          g_object_ref (token);
          ltm_token_set_revoked (token, token_record->revoked);
          ltm_token_set_unknown (token, token_record->unknown);
          if (same)
            {
              g_autoptr(LtmToken) at = g_list_model_get_item (tokens, i);
              same = at == token;
            }
        }

      g_ptr_array_add (ordered, token);
    }

  if (!same)
    ltm_channel_set_tokens (channel, ordered);
}

/* Brings the models in line with @doc, keeping the objects that stay, so
 * that views bound to them follow. */
static void
ltm_store_apply (LtmStore    *self,
                 LtmStoreDoc *doc)
{
  g_autoptr(GHashTable) existing = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                          NULL, g_object_unref);
  g_autoptr(GPtrArray) ordered = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));
  gboolean same_order = n == doc->channels->len;

  /* Concurrent ops finish in any order: an older file never undoes what
   * a newer one showed. */
  if (doc->generation < self->applied)
    return;
  self->applied = doc->generation;

  for (guint i = 0; i < n; i++)
    {
      LtmChannel *channel = g_list_model_get_item (G_LIST_MODEL (self->channels), i);

      g_hash_table_insert (existing, (gpointer) ltm_channel_get_channel_id (channel), channel);
    }

  for (guint i = 0; i < doc->channels->len; i++)
    {
      LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);
      LtmChannel *channel = g_hash_table_lookup (existing, record->channel_id);

      if (channel == NULL)
        {
          channel = ltm_channel_new (record->channel_id, NULL);
          same_order = FALSE;
        }
      else
        {
          g_object_ref (channel);
          if (same_order)
            {
              g_autoptr(LtmChannel) at = g_list_model_get_item (G_LIST_MODEL (self->channels), i);
              same_order = at == channel;
            }
        }

      ltm_channel_set_name (channel, record->name);
      ltm_channel_set_kid (channel, record->kid);
      ltm_channel_set_key_thumbprint (channel, record->key_thumbprint);
      ltm_channel_set_key_created (channel, record->key_created);
      ltm_channel_set_has_secret (channel, record->has_secret);
      ltm_store_apply_tokens (channel, record);

      g_ptr_array_add (ordered, channel);
    }

  if (!same_order)
    g_list_store_splice (self->channels, 0, n, ordered->pdata, ordered->len);
}

/* Runs @op and updates the models. */
static gboolean
ltm_store_run (LtmStore    *self,
               LtmStoreOp  *op,
               GError     **error)
{
  g_autoptr(LtmStoreDoc) doc = ltm_store_op_run (op, error);

  if (doc == NULL)
    return FALSE;

  ltm_store_apply (self, doc);

  return TRUE;
}

static void
ltm_store_finalize (GObject *object)
{
  LtmStore *self = (LtmStore *)object;

  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->channels);

  G_OBJECT_CLASS (ltm_store_parent_class)->finalize (object);
}

static void
ltm_store_class_init (LtmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ltm_store_finalize;
}

static void
ltm_store_init (LtmStore *self)
{
  self->channels = g_list_store_new (LTM_TYPE_CHANNEL);
}

/**
 * ltm_store_new:
 * @data_dir: (nullable): the folder for channels.json; %NULL for
 *   `LTM_DATA_DIR` or, without it, `$XDG_DATA_HOME/line-token-manager`
 *
 * Nothing is read until ltm_store_load().
 *
 * Returns: (transfer full): a new #LtmStore
 */
LtmStore *
ltm_store_new (const char *data_dir)
{
  LtmStore *self = g_object_new (LTM_TYPE_STORE, NULL);

  if (data_dir == NULL)
    data_dir = g_getenv ("LTM_DATA_DIR");

  if (data_dir != NULL && data_dir[0] != '\0')
    self->dir = g_strdup (data_dir);
  else
    self->dir = g_build_filename (g_get_user_data_dir (), "line-token-manager", NULL);

  self->path = g_build_filename (self->dir, "channels.json", NULL);

  return self;
}

/**
 * ltm_store_get_path:
 * @self: a #LtmStore
 *
 * Returns: where channels.json is
 */
const char *
ltm_store_get_path (LtmStore *self)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  return self->path;
}

/**
 * ltm_store_get_channels:
 * @self: a #LtmStore
 *
 * Returns: (transfer none): the #LtmChannel objects
 */
GListModel *
ltm_store_get_channels (LtmStore *self)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  return G_LIST_MODEL (self->channels);
}

/**
 * ltm_store_find_channel:
 * @self: a #LtmStore
 * @channel_id: a channel ID
 *
 * Returns: (transfer none) (nullable): the channel
 */
LtmChannel *
ltm_store_find_channel (LtmStore   *self,
                        const char *channel_id)
{
  guint n;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmChannel) channel = g_list_model_get_item (G_LIST_MODEL (self->channels), i);

      if (g_strcmp0 (ltm_channel_get_channel_id (channel), channel_id) == 0)
        return channel;
    }

  return NULL;
}

/**
 * ltm_store_load:
 * @self: a #LtmStore
 * @error: return location for a #GError
 *
 * Reads channels.json.  No keyring access.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_load (LtmStore  *self,
                GError   **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_LOAD, NULL);

  return ltm_store_run (self, op, error);
}

static LtmStoreOp *
ltm_store_op_new_add_channel (LtmStore   *self,
                              const char *channel_id,
                              const char *name,
                              const char *kid,
                              LtmKey     *key,
                              const char *channel_secret)
{
  LtmStoreOp *op = ltm_store_op_new (self, LTM_STORE_OP_ADD_CHANNEL, channel_id);

  op->name = g_strdup (name);
  op->kid = g_strdup (kid);
  op->key = key != NULL ? g_object_ref (key) : NULL;
  op->secret = g_strdup (channel_secret);

  return op;
}

/**
 * ltm_store_add_channel:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): a name to show
 * @kid: (nullable): the kid the console gave for @key
 * @key: (nullable): the assertion signing key, with its private half
 * @channel_secret: (nullable): the channel secret
 * @error: return location for a #GError
 *
 * The secrets go to the keyring first; the channel is listed only when
 * they are stored, and nothing is left behind when something fails.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_add_channel (LtmStore    *self,
                       const char  *channel_id,
                       const char  *name,
                       const char  *kid,
                       LtmKey      *key,
                       const char  *channel_secret,
                       GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);
  g_return_val_if_fail (key == NULL || ltm_key_has_private (key), FALSE);

  op = ltm_store_op_new_add_channel (self, channel_id, name, kid, key, channel_secret);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_remove_channel:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Removes the channel and every secret the keyring holds for it.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_remove_channel (LtmStore    *self,
                          const char  *channel_id,
                          GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_REMOVE_CHANNEL, channel_id);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_name:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): the new name
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_name (LtmStore    *self,
                    const char  *channel_id,
                    const char  *name,
                    GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_NAME, channel_id);
  op->name = g_strdup (name);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_kid:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kid: (nullable): the kid the console gave for the channel's key
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_kid (LtmStore    *self,
                   const char  *channel_id,
                   const char  *kid,
                   GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_KID, channel_id);
  op->kid = g_strdup (kid);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_key:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key: the new assertion signing key
 * @error: return location for a #GError
 *
 * Replaces the channel's key.  The old key stays in the keyring until the
 * new one is stored.  A different key needs registering again, so the
 * stored kid is cleared.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_key (LtmStore    *self,
                   const char  *channel_id,
                   LtmKey      *key,
                   GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (LTM_IS_KEY (key) && ltm_key_has_private (key), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_KEY, channel_id);
  op->key = g_object_ref (key);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_secret:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @channel_secret: the channel secret
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_secret (LtmStore    *self,
                      const char  *channel_id,
                      const char  *channel_secret,
                      GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_secret != NULL, FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_SECRET, channel_id);
  op->secret = g_strdup (channel_secret);

  return ltm_store_run (self, op, error);
}

static LtmStoreOp *
ltm_store_op_new_add_token (LtmStore           *self,
                            const char         *channel_id,
                            LtmTokenKind        kind,
                            const LtmLineToken *token,
                            gint64              issued_at)
{
  LtmStoreOp *op = ltm_store_op_new (self, LTM_STORE_OP_ADD_TOKEN, channel_id);

  /* Only v2.1 tokens have a key_id from LINE; the others get one of ours. */
  if (token->key_id != NULL)
    op->key_id = g_strdup (token->key_id);
  else
    {
      g_autofree char *uuid = g_uuid_string_random ();
      op->key_id = g_strconcat ("local-", uuid, NULL);
    }
  op->secret = g_strdup (token->access_token);
  op->token_kind = kind;
  op->issued_at = issued_at;
  op->expires_at = issued_at + token->expires_in;

  return op;
}

/**
 * ltm_store_add_token:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kind: the kind of token
 * @token: what LINE answered when it issued the token
 * @issued_at: when it was issued, Unix seconds
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token's key ID (LINE's for v2.1, one of
 *   ours otherwise), or %NULL with @error set
 */
char *
ltm_store_add_token (LtmStore            *self,
                     const char          *channel_id,
                     LtmTokenKind         kind,
                     const LtmLineToken  *token,
                     gint64               issued_at,
                     GError             **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (token != NULL, NULL);

  op = ltm_store_op_new_add_token (self, channel_id, kind, token, issued_at);

  if (!ltm_store_run (self, op, error))
    return NULL;

  return g_strdup (op->key_id);
}

/**
 * ltm_store_set_token_state:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @revoked: whether it was revoked; its secret is then removed
 * @unknown: whether LINE no longer lists it
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_token_state (LtmStore    *self,
                           const char  *channel_id,
                           const char  *key_id,
                           gboolean     revoked,
                           gboolean     unknown,
                           GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_TOKEN_STATE, channel_id);
  op->key_id = g_strdup (key_id);
  op->revoked = revoked;
  op->unknown = unknown;

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_remove_token:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @error: return location for a #GError
 *
 * Forgets a token and removes its secret.  LINE is not asked to revoke it.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_remove_token (LtmStore    *self,
                        const char  *channel_id,
                        const char  *key_id,
                        GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_REMOVE_TOKEN, channel_id);
  op->key_id = g_strdup (key_id);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_get_key:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel's assertion signing key
 */
LtmKey *
ltm_store_get_key (LtmStore    *self,
                   const char  *channel_id,
                   GError     **error)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  return ltm_store_keyring_get_key (channel_id, error);
}

/**
 * ltm_store_get_secret:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel secret; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_secret (LtmStore    *self,
                      const char  *channel_id,
                      GError     **error)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  return ltm_store_keyring_get_secret (channel_id, NULL, error);
}

/**
 * ltm_store_get_token:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the access token; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_token (LtmStore    *self,
                     const char  *channel_id,
                     const char  *key_id,
                     GError     **error)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (key_id != NULL, NULL);

  return ltm_store_keyring_get_secret (channel_id, key_id, error);
}

/* Consistency between channels.json and the keyring */

void
ltm_store_problem_free (LtmStoreProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->channel_id);
  g_free (problem->key_id);
  g_free (problem->description);
  g_free (problem);
}

static gboolean
ltm_store_op_repair (LtmStoreOp   *op,
                     LtmStoreDoc  *doc,
                     GError      **error)
{
  g_autoptr(GPtrArray) problems = ltm_store_keyring_compare (doc, TRUE, error);

  return problems != NULL;
}

/**
 * ltm_store_check:
 * @self: a #LtmStore
 * @error: return location for a #GError
 *
 * Compares channels.json with the keyring: secrets listed but missing,
 * secrets kept but not listed.
 *
 * Returns: (transfer full) (element-type LtmStoreProblem): the problems,
 *   possibly none, or %NULL with @error set
 */
GPtrArray *
ltm_store_check (LtmStore  *self,
                 GError   **error)
{
  g_autoptr(LtmStoreOp) op = NULL;
  g_autoptr(LtmStoreDoc) doc = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  op = ltm_store_op_new (self, LTM_STORE_OP_LOAD, NULL);
  if ((doc = ltm_store_op_run (op, error)) == NULL)
    return NULL;

  ltm_store_apply (self, doc);

  return ltm_store_keyring_compare (doc, FALSE, error);
}

/**
 * ltm_store_repair:
 * @self: a #LtmStore
 * @error: return location for a #GError
 *
 * Makes channels.json agree with the keyring, which is never changed:
 * what the keyring lacks is unlisted, what it holds is listed again.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_repair (LtmStore  *self,
                  GError   **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_REPAIR, NULL);

  return ltm_store_run (self, op, error);
}

/* Asynchronous: the op in a thread, the models in the caller's context */

static void
ltm_store_op_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  LtmStoreDoc *doc = ltm_store_op_run (task_data, &error);

  if (doc == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, doc, (GDestroyNotify) ltm_store_doc_free);
}

static void
ltm_store_op_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LtmStoreDoc) doc = NULL;
  GError *error = NULL;

  doc = g_task_propagate_pointer (G_TASK (result), &error);
  if (doc == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_store_apply (LTM_STORE (source), doc);
  g_task_return_boolean (task, TRUE);
}

/* Takes @op. */
static void
ltm_store_run_async (LtmStore            *self,
                     LtmStoreOp          *op,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) worker = g_task_new (self, cancellable, ltm_store_op_done_cb, task);

  g_task_set_source_tag (task, ltm_store_change_finish);
  g_task_set_source_tag (worker, ltm_store_run_async);
  g_task_set_task_data (worker, op, (GDestroyNotify) ltm_store_op_free);
  g_task_run_in_thread (worker, ltm_store_op_thread);
}

/**
 * ltm_store_change_finish:
 * @self: a #LtmStore
 * @result: the result of any of the store's asynchronous changes
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the change is stored and the models show it
 */
gboolean
ltm_store_change_finish (LtmStore      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_change_finish, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ltm_store_load_async:
 * @self: a #LtmStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_load_async (LtmStore            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_run_async (self, ltm_store_op_new (self, LTM_STORE_OP_LOAD, NULL),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_add_channel_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): a name to show
 * @kid: (nullable): the kid
 * @key: (nullable): the assertion signing key
 * @channel_secret: (nullable): the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_add_channel_async (LtmStore            *self,
                             const char          *channel_id,
                             const char          *name,
                             const char          *kid,
                             LtmKey              *key,
                             const char          *channel_secret,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (channel_id != NULL);

  ltm_store_run_async (self, ltm_store_op_new_add_channel (self, channel_id, name, kid, key,
                                                           channel_secret),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_remove_channel_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_remove_channel_async (LtmStore            *self,
                                const char          *channel_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_run_async (self, ltm_store_op_new (self, LTM_STORE_OP_REMOVE_CHANNEL, channel_id),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_set_kid_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kid: (nullable): the kid
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_kid_async (LtmStore            *self,
                         const char          *channel_id,
                         const char          *kid,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_KID, channel_id);
  op->kid = g_strdup (kid);
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_set_key_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key: the new assertion signing key
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_key_async (LtmStore            *self,
                         const char          *channel_id,
                         LtmKey              *key,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (LTM_IS_KEY (key) && ltm_key_has_private (key));

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_KEY, channel_id);
  op->key = g_object_ref (key);
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_set_secret_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @channel_secret: the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_secret_async (LtmStore            *self,
                            const char          *channel_id,
                            const char          *channel_secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (channel_secret != NULL);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_SECRET, channel_id);
  op->secret = g_strdup (channel_secret);
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_add_token_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kind: the kind of token
 * @token: what LINE answered
 * @issued_at: when it was issued, Unix seconds
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_add_token_async (LtmStore            *self,
                           const char          *channel_id,
                           LtmTokenKind         kind,
                           const LtmLineToken  *token,
                           gint64               issued_at,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (token != NULL);

  ltm_store_run_async (self, ltm_store_op_new_add_token (self, channel_id, kind, token, issued_at),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_set_token_state_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @revoked: whether it was revoked
 * @unknown: whether LINE no longer lists it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_token_state_async (LtmStore            *self,
                                 const char          *channel_id,
                                 const char          *key_id,
                                 gboolean             revoked,
                                 gboolean             unknown,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (key_id != NULL);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_TOKEN_STATE, channel_id);
  op->key_id = g_strdup (key_id);
  op->revoked = revoked;
  op->unknown = unknown;
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

typedef struct {
  char *channel_id;
  char *key_id;
} LtmStoreLookup;

static void
ltm_store_lookup_free (LtmStoreLookup *lookup)
{
  g_free (lookup->channel_id);
  g_free (lookup->key_id);
  g_free (lookup);
}

static void
ltm_store_get_key_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  LtmStoreLookup *lookup = task_data;
  GError *error = NULL;
  LtmKey *key = ltm_store_keyring_get_key (lookup->channel_id, &error);

  if (key == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, g_object_unref);
}

static void
ltm_store_get_secret_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  LtmStoreLookup *lookup = task_data;
  GError *error = NULL;
  LtmSecret *secret = ltm_store_keyring_get_secret (lookup->channel_id, lookup->key_id, &error);

  if (secret == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) ltm_secret_free);
}

static void
ltm_store_lookup_async (LtmStore            *self,
                        const char          *channel_id,
                        const char          *key_id,
                        GTaskThreadFunc      thread_func,
                        gpointer             source_tag,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  LtmStoreLookup *lookup = g_new0 (LtmStoreLookup, 1);

  lookup->channel_id = g_strdup (channel_id);
  lookup->key_id = g_strdup (key_id);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, lookup, (GDestroyNotify) ltm_store_lookup_free);
  g_task_run_in_thread (task, thread_func);
}

/**
 * ltm_store_get_key_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_key_async (LtmStore            *self,
                         const char          *channel_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_lookup_async (self, channel_id, NULL, ltm_store_get_key_thread,
                          ltm_store_get_key_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_key_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the key, or %NULL
 */
LtmKey *
ltm_store_get_key_finish (LtmStore      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_get_key_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ltm_store_get_secret_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: (nullable): a token's key ID, or %NULL for the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_secret_async (LtmStore            *self,
                            const char          *channel_id,
                            const char          *key_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_lookup_async (self, channel_id, key_id, ltm_store_get_secret_thread,
                          ltm_store_get_secret_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_secret_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the secret; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_secret_finish (LtmStore      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_get_secret_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
