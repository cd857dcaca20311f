/* ltm-store-legacy.c: the first layout, migrated into store.sqlite3
 *
 * Until 0.1 the store was channels.json, metadata only,
 *
 *   {
 *     "version": 1,
 *     "generation": 1796000000123456,
 *     "channels": [
 *       { "channel_id": "1234567890", "name": "My bot", "kid": "…",
 *         "key_thumbprint": "…", "key_created": 1796000000, "has_secret": true,
 *         "tokens": [
 *           ["<key_id>", "v2.1", <issued_at>, <expires_at>, <revoked>, <unknown>]
 *         ] }
 *     ]
 *   }
 *
 * plus one keyring item per secret (ltm-store-legacy-keyring.c).  The
 * first open of such a folder copies everything into the database in one
 * transaction, reads it back, and only then removes the old keyring items
 * and renames channels.json to channels.json.migrated.  A migration that
 * was interrupted resumes where it stopped; nothing is ever dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ltm-json.h"
#include "ltm-jwt.h"
#include "ltm-store.h"
#include "ltm-store-legacy.h"
#include "ltm-store-private.h"

/* channels.json's format; a newer one is never touched. */
#define LTM_STORE_VERSION 1

static gboolean
ltm_store_doc_fail (GError     **error,
                    const char  *what)
{
  g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED,
               _("The channel list is damaged: %s"), what);
  return FALSE;
}

static const char * const token_fields[] = {
  "key_id", "kind", "issued_at", "expires_at", "revoked", "unknown",
};

static gboolean
ltm_store_doc_parse_token (JsonNode          *node,
                           LtmChannelRecord  *channel,
                           GError           **error)
{
  JsonArray *row;
  JsonNode *cells[G_N_ELEMENTS (token_fields)];
  const char *key_id;
  LtmTokenKind kind;
  LtmTokenRecord *record;

  if (!JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (row = json_node_get_array (node)) != G_N_ELEMENTS (token_fields))
    return ltm_store_doc_fail (error, _("a token is not a row of six values"));

  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      cells[i] = json_array_get_element (row, i);
      if (!JSON_NODE_HOLDS_VALUE (cells[i]))
        return ltm_store_doc_fail (error, _("a token has a value of the wrong type"));
    }

  if (json_node_get_value_type (cells[0]) != G_TYPE_STRING ||
      json_node_get_value_type (cells[1]) != G_TYPE_STRING ||
      json_node_get_value_type (cells[2]) != G_TYPE_INT64 ||
      json_node_get_value_type (cells[3]) != G_TYPE_INT64 ||
      json_node_get_value_type (cells[4]) != G_TYPE_BOOLEAN ||
      json_node_get_value_type (cells[5]) != G_TYPE_BOOLEAN)
    return ltm_store_doc_fail (error, _("a token has a value of the wrong type"));

  key_id = json_node_get_string (cells[0]);
  if (key_id[0] == '\0' || !g_utf8_validate (key_id, -1, NULL))
    return ltm_store_doc_fail (error, _("a token has no key_id"));
  if (!ltm_token_kind_from_string (json_node_get_string (cells[1]), &kind))
    return ltm_store_doc_fail (error, _("a token has an unknown kind"));
  if (json_node_get_int (cells[2]) < 0 || json_node_get_int (cells[3]) < 0)
    return ltm_store_doc_fail (error, _("a token has no valid times"));
  if (ltm_channel_record_find_token (channel, key_id, NULL) != NULL)
    return ltm_store_doc_fail (error, _("a token is listed twice"));

  record = ltm_token_record_new (key_id, kind, json_node_get_int (cells[2]),
                                 json_node_get_int (cells[3]));
  record->revoked = json_node_get_boolean (cells[4]);
  record->unknown = json_node_get_boolean (cells[5]);
  g_ptr_array_add (channel->tokens, record);

  return TRUE;
}

/* The file names its token columns; a file that names others is not ours. */
static gboolean
ltm_store_doc_check_token_fields (JsonObject  *root,
                                  GError     **error)
{
  JsonNode *node = json_object_get_member (root, "token_fields");
  JsonArray *fields;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (fields = json_node_get_array (node)) != G_N_ELEMENTS (token_fields))
    return ltm_store_doc_fail (error, _("it does not name its token fields"));

  for (guint i = 0; i < G_N_ELEMENTS (token_fields); i++)
    {
      JsonNode *field = json_array_get_element (fields, i);

      if (!JSON_NODE_HOLDS_VALUE (field) || json_node_get_value_type (field) != G_TYPE_STRING ||
          g_strcmp0 (json_node_get_string (field), token_fields[i]) != 0)
        return ltm_store_doc_fail (error, _("it does not name its token fields"));
    }

  return TRUE;
}

static gboolean
ltm_store_doc_parse_channel (JsonNode     *node,
                             LtmStoreDoc  *doc,
                             GError      **error)
{
  JsonObject *object;
  JsonNode *tokens;
  const char *channel_id;
  LtmChannelRecord *record;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return ltm_store_doc_fail (error, _("a channel is not a JSON object"));

  object = json_node_get_object (node);
  channel_id = ltm_json_object_get_string (object, "channel_id");
  if (channel_id == NULL || channel_id[0] == '\0')
    return ltm_store_doc_fail (error, _("a channel has no channel_id"));
  if (ltm_store_doc_find_channel (doc, channel_id, NULL) != NULL)
    return ltm_store_doc_fail (error, _("a channel is listed twice"));

  record = ltm_channel_record_new (channel_id);
  g_ptr_array_add (doc->channels, record);
  record->name = g_strdup (ltm_json_object_get_string (object, "name"));
  record->kid = g_strdup (ltm_json_object_get_string (object, "kid"));
  record->key_thumbprint = g_strdup (ltm_json_object_get_string (object, "key_thumbprint"));
  ltm_json_object_get_int (object, "key_created", &record->key_created);
  ltm_json_object_get_bool (object, "has_secret", &record->has_secret);

  tokens = json_object_get_member (object, "tokens");
  if (tokens == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (tokens))
    return ltm_store_doc_fail (error, _("a channel's tokens are not a list"));

  for (guint i = 0; i < json_array_get_length (json_node_get_array (tokens)); i++)
    if (!ltm_store_doc_parse_token (json_array_get_element (json_node_get_array (tokens), i),
                                    record, error))
      return FALSE;

  return TRUE;
}

/**
 * ltm_store_legacy_parse:
 * @data: the contents of channels.json
 * @len: its size
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the metadata, or %NULL with
 *   %LTM_STORE_ERROR_DAMAGED or %LTM_STORE_ERROR_NEWER_VERSION
 */
LtmStoreDoc *
ltm_store_legacy_parse (const char  *data,
                        gsize        len,
                        GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(LtmStoreDoc) doc = ltm_store_doc_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonNode *channels;
  gint64 version;

  if ((node = ltm_json_parse (data, len, &local_error)) == NULL)
    {
      ltm_store_doc_fail (error, local_error->message);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ltm_store_doc_fail (error, _("it is not a JSON object"));
      return NULL;
    }

  root = json_node_get_object (node);
  if (!ltm_json_object_get_int (root, "version", &version) || version < 1)
    {
      ltm_store_doc_fail (error, _("it has no version"));
      return NULL;
    }

  if (version > LTM_STORE_VERSION)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NEWER_VERSION,
                   _("The channel list was written by a newer version of LINE Token Manager "
                     "(format %lld); update this one to use it"), (long long) version);
      return NULL;
    }

  if (!ltm_store_doc_check_token_fields (root, error))
    return NULL;

  /* Files from before it was written have none. */
  if (json_object_has_member (root, "generation") &&
      (!ltm_json_object_get_int (root, "generation", &doc->generation) || doc->generation < 0))
    {
      ltm_store_doc_fail (error, _("its generation is not a number"));
      return NULL;
    }

  channels = json_object_get_member (root, "channels");
  if (channels == NULL || !JSON_NODE_HOLDS_ARRAY (channels))
    {
      ltm_store_doc_fail (error, _("it has no list of channels"));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (channels)); i++)
    if (!ltm_store_doc_parse_channel (json_array_get_element (json_node_get_array (channels), i),
                                      doc, error))
      return NULL;

  return g_steal_pointer (&doc);
}

/* Moves a damaged file aside, so that nothing ever writes over it. */
static char *
ltm_store_file_keep_aside (const char *path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *aside = i == 0
        ? g_strdup_printf ("%s.damaged-%s", path, stamp)
        : g_strdup_printf ("%s.damaged-%s-%u", path, stamp, i);

      if (g_file_test (aside, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (path, aside) == 0)
        return g_steal_pointer (&aside);
      break;
    }

  return NULL;
}

/* Reads channels.json: %NULL without an error when it is gone (another
 * process finished the migration); a damaged one is moved aside. */
static LtmStoreDoc *
ltm_store_legacy_read (const char  *path,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *aside = NULL;
  LtmStoreDoc *doc;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;

      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not read “%s”: %s"), path, local_error->message);
      return NULL;
    }

  if ((doc = ltm_store_legacy_parse (contents, len, &local_error)) != NULL)
    return doc;

  if (g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NEWER_VERSION))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Its secrets stay in the keyring, where the damaged list named them. */
  aside = ltm_store_file_keep_aside (path);
  if (aside == NULL)
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED,
                 _("%s. It could not be moved aside either; nothing was changed."),
                 local_error->message);
  else
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED,
                 _("%s. It was kept as “%s”; the secrets it listed are still in the keyring."),
                 local_error->message, aside);

  return NULL;
}

/* What the migration copies: each plain secret beside the row it goes to. */
typedef struct {
  char *channel_id;
  const char *kind;
  char *key_id;
  LtmSecret *plain;
} LtmLegacySecret;

static void
ltm_legacy_secret_free (gpointer data)
{
  LtmLegacySecret *secret = data;

  g_free (secret->channel_id);
  g_free (secret->key_id);
  ltm_secret_free (secret->plain);
  g_free (secret);
}

/* Adds, after those @doc lists, the channels and tokens the keyring holds secrets for but @doc
 * does not list (left by a crash of the first layout), so that the
 * migration drops none of them.  Their times are unknown. */
static void
ltm_store_legacy_add_unlisted (LtmStoreDoc *doc,
                               GPtrArray   *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      LtmLegacyItem *item = g_ptr_array_index (items, i);
      LtmChannelRecord *record;

      if (item->channel_id == NULL || !ltm_jwt_check_channel_id (item->channel_id, NULL))
        continue;

      if ((record = ltm_store_doc_find_channel (doc, item->channel_id, NULL)) == NULL)
        {
          record = ltm_channel_record_new (item->channel_id);
          g_ptr_array_add (doc->channels, record);
        }

      if (g_strcmp0 (item->kind, KIND_TOKEN) == 0 && item->key_id != NULL &&
          ltm_channel_record_find_token (record, item->key_id, NULL) == NULL)
        {
          LtmTokenRecord *token = ltm_token_record_new (item->key_id, LTM_TOKEN_KIND_V21, 0, 0);

          token->unknown = TRUE;
          g_ptr_array_add (record->tokens, token);
        }
    }
}

/* Reads every secret of @doc from the old keyring. */
static GPtrArray *
ltm_store_legacy_collect (LtmStoreDoc  *doc,
                          GError      **error)
{
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (ltm_legacy_secret_free);

  for (guint i = 0; i < doc->channels->len; i++)
    {
      LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);
      const char *kinds[] = { KIND_KEY, KIND_SECRET };

      for (guint k = 0; k < G_N_ELEMENTS (kinds) + record->tokens->len; k++)
        {
          LtmTokenRecord *token = k < G_N_ELEMENTS (kinds)
            ? NULL : g_ptr_array_index (record->tokens, k - G_N_ELEMENTS (kinds));
          const char *kind = token == NULL ? kinds[k] : KIND_TOKEN;
          const char *key_id = token != NULL ? token->key_id : NULL;
          g_autoptr(GError) local_error = NULL;
          LtmLegacySecret *secret;
          LtmSecret *plain;

          if (token != NULL && token->revoked)
            continue;

          plain = ltm_store_legacy_keyring_get (record->channel_id, kind, key_id, &local_error);
          if (plain == NULL)
            {
              /* Missing: the row is copied without it, as the list had it. */
              if (g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
                continue;
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }

          secret = g_new0 (LtmLegacySecret, 1);
          secret->channel_id = g_strdup (record->channel_id);
          secret->kind = kind;
          secret->key_id = g_strdup (key_id);
          secret->plain = plain;
          g_ptr_array_add (secrets, secret);
        }
    }

  return g_steal_pointer (&secrets);
}

static LtmLegacySecret *
ltm_store_legacy_find_secret (GPtrArray  *secrets,
                              const char *channel_id,
                              const char *kind,
                              const char *key_id)
{
  for (guint i = 0; i < secrets->len; i++)
    {
      LtmLegacySecret *secret = g_ptr_array_index (secrets, i);

      if (g_str_equal (secret->channel_id, channel_id) && g_str_equal (secret->kind, kind) &&
          g_strcmp0 (secret->key_id, key_id) == 0)
        return secret;
    }

  return NULL;
}

/* Binds @secret sealed for its row, or NULL when the keyring had none. */
static gboolean
ltm_store_legacy_bind_sealed (sqlite3_stmt     *stmt,
                              const char       *name,
                              LtmSealKey       *key,
                              LtmLegacySecret  *secret,
                              GError          **error)
{
  if (secret == NULL)
    return ltm_store_bind_text (stmt, name, NULL, error);

  return ltm_store_bind_sealed (stmt, name, key, secret->channel_id, secret->kind,
                                secret->key_id, secret->plain, error);
}

/* In the write transaction: every row of @doc, with its sealed secrets. */
static gboolean
ltm_store_legacy_insert (LtmStoreDb   *db,
                         LtmStoreDoc  *doc,
                         GPtrArray    *secrets,
                         GError      **error)
{
  g_autoptr(sqlite3_stmt) channel_stmt = NULL;
  g_autoptr(sqlite3_stmt) token_stmt = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  gint64 generation;
  int rc;

  if (secrets->len > 0 && (key = ltm_store_get_master_key (db, TRUE, error)) == NULL)
    return FALSE;

  if ((generation = ltm_store_db_next_generation (db, error)) < 0)
    return FALSE;

  channel_stmt = ltm_store_db_prepare (db,
                                       "INSERT OR IGNORE INTO channels (channel_id, name, kid, "
                                       "key_thumbprint, key_created, sealed_key, sealed_secret, rev) "
                                       "VALUES (:channel_id, :name, :kid, :key_thumbprint, "
                                       ":key_created, :sealed_key, :sealed_secret, :rev)",
                                       error);
  token_stmt = ltm_store_db_prepare (db,
                                     "INSERT OR IGNORE INTO tokens (channel_id, key_id, kind, "
                                     "issued_at, expires_at, revoked, unknown, sealed_token) "
                                     "VALUES (:channel_id, :key_id, :kind, :issued_at, "
                                     ":expires_at, :revoked, :unknown, :sealed_token)",
                                     error);
  if (channel_stmt == NULL || token_stmt == NULL)
    return FALSE;

  for (guint i = 0; i < doc->channels->len; i++)
    {
      LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);
      const char *id = record->channel_id;
      LtmLegacySecret *private_key = ltm_store_legacy_find_secret (secrets, id, KIND_KEY, NULL);
      g_autofree char *thumbprint = g_strdup (record->key_thumbprint);
      g_autofree char *kid = g_strdup (record->kid);

      /* The key decides what the row says about it. */
      if (private_key != NULL)
        {
          g_autoptr(LtmKey) parsed = ltm_key_new_from_data (private_key->plain,
                                                            strlen (private_key->plain),
                                                            LTM_KEY_IMPORT_PRIVATE, NULL);

          if (parsed != NULL && g_strcmp0 (thumbprint, ltm_key_get_thumbprint (parsed)) != 0)
            {
              g_clear_pointer (&kid, g_free);
              g_free (thumbprint);
              thumbprint = g_strdup (ltm_key_get_thumbprint (parsed));
            }
        }
      else
        g_clear_pointer (&thumbprint, g_free);

      sqlite3_reset (channel_stmt);
      if (!ltm_store_bind_text (channel_stmt, ":channel_id", id, error) ||
          !ltm_store_bind_text (channel_stmt, ":name", record->name, error) ||
          !ltm_store_bind_text (channel_stmt, ":kid", kid, error) ||
          !ltm_store_bind_text (channel_stmt, ":key_thumbprint", thumbprint, error) ||
          !ltm_store_bind_int64 (channel_stmt, ":key_created", record->key_created, error) ||
          !ltm_store_legacy_bind_sealed (channel_stmt, ":sealed_key", key, private_key, error) ||
          !ltm_store_legacy_bind_sealed (channel_stmt, ":sealed_secret", key,
                                         ltm_store_legacy_find_secret (secrets, id, KIND_SECRET,
                                                                       NULL),
                                         error) ||
          !ltm_store_bind_int64 (channel_stmt, ":rev", generation, error))
        return FALSE;
      if ((rc = sqlite3_step (channel_stmt)) != SQLITE_DONE)
        return ltm_store_db_fail (db, rc, error);

      for (guint j = 0; j < record->tokens->len; j++)
        {
          LtmTokenRecord *token = g_ptr_array_index (record->tokens, j);

          sqlite3_reset (token_stmt);
          if (!ltm_store_bind_text (token_stmt, ":channel_id", id, error) ||
              !ltm_store_bind_text (token_stmt, ":key_id", token->key_id, error) ||
              !ltm_store_bind_text (token_stmt, ":kind", ltm_token_kind_to_string (token->kind),
                                    error) ||
              !ltm_store_bind_int64 (token_stmt, ":issued_at", token->issued_at, error) ||
              !ltm_store_bind_int64 (token_stmt, ":expires_at", token->expires_at, error) ||
              !ltm_store_bind_int64 (token_stmt, ":revoked", token->revoked, error) ||
              !ltm_store_bind_int64 (token_stmt, ":unknown", token->unknown, error) ||
              !ltm_store_legacy_bind_sealed (token_stmt, ":sealed_token", key,
                                             ltm_store_legacy_find_secret (secrets, id, KIND_TOKEN,
                                                                           token->key_id),
                                             error))
            return FALSE;
          if ((rc = sqlite3_step (token_stmt)) != SQLITE_DONE)
            return ltm_store_db_fail (db, rc, error);
        }
    }

  return TRUE;
}

/* Still in the transaction: every secret opens to what the keyring held. */
static gboolean
ltm_store_legacy_verify (LtmStoreDb  *db,
                         GPtrArray   *secrets,
                         GError     **error)
{
  g_autoptr(LtmSealKey) key = NULL;

  if (secrets->len == 0)
    return TRUE;

  if ((key = ltm_store_get_master_key (db, FALSE, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < secrets->len; i++)
    {
      LtmLegacySecret *secret = g_ptr_array_index (secrets, i);
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autoptr(LtmSecret) opened = NULL;
      const char *sql;

      if (secret->kind == (const char *) KIND_TOKEN)
        sql = "SELECT sealed_token FROM tokens "
              "WHERE channel_id = :channel_id AND key_id = :key_id";
      else if (secret->kind == (const char *) KIND_KEY)
        sql = "SELECT sealed_key FROM channels WHERE channel_id = :channel_id";
      else
        sql = "SELECT sealed_secret FROM channels WHERE channel_id = :channel_id";

      if ((stmt = ltm_store_db_prepare (db, sql, error)) == NULL ||
          !ltm_store_bind_text (stmt, ":channel_id", secret->channel_id, error) ||
          (secret->kind == (const char *) KIND_TOKEN &&
           !ltm_store_bind_text (stmt, ":key_id", secret->key_id, error)))
        return FALSE;

      /* A row that was there before the migration keeps what it had. */
      if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) != SQLITE_BLOB)
        continue;

      opened = ltm_store_unseal (key, secret->channel_id, secret->kind, secret->key_id,
                                 sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0),
                                 NULL);
      if (opened != NULL && !g_str_equal (opened, secret->plain))
        {
          g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_INCONSISTENT,
                       _("A secret of channel %s read back differently from the database; "
                         "the migration was undone and channels.json is untouched."),
                       secret->channel_id);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
ltm_store_legacy_is_migrated (LtmStoreDb  *db,
                              gboolean    *out_migrated,
                              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ltm_store_db_prepare (db, "SELECT 1 FROM meta WHERE name = 'legacy_migrated'", error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  *out_migrated = rc == SQLITE_ROW;

  return TRUE;
}

/* Copies @doc and its secrets in one transaction. */
static gboolean
ltm_store_legacy_copy (LtmStoreDb   *db,
                       LtmStoreDoc  *doc,
                       GError      **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) secrets = NULL;
  gboolean migrated = FALSE;

  /* Secrets are read before the write lock is taken: the keyring may ask
   * the user to unlock it. */
  if ((items = ltm_store_legacy_keyring_list (error)) == NULL)
    return FALSE;
  ltm_store_legacy_add_unlisted (doc, items);

  if ((secrets = ltm_store_legacy_collect (doc, error)) == NULL)
    return FALSE;

  if (!ltm_store_db_begin (db, TRUE, error))
    return FALSE;

  if (!ltm_store_legacy_is_migrated (db, &migrated, error))
    goto fail;
  if (migrated)
    {
      ltm_store_db_rollback (db);
      return TRUE;
    }

  if (!ltm_store_legacy_insert (db, doc, secrets, error) ||
      !ltm_store_legacy_verify (db, secrets, error))
    goto fail;

  {
    g_autoptr(sqlite3_stmt) stmt = NULL;

    stmt = ltm_store_db_prepare (db, "INSERT INTO meta (name, value) "
                                 "VALUES ('legacy_migrated', unixepoch ())", error);
    if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
      {
        if (stmt != NULL)
          ltm_store_db_fail (db, sqlite3_errcode (ltm_store_db_get_handle (db)), error);
        goto fail;
      }
  }

  return ltm_store_db_commit (db, error);

fail:
  ltm_store_db_rollback (db);
  return FALSE;
}

/**
 * ltm_store_legacy_migrate:
 * @db: the new store, just opened
 * @dir: the data folder
 * @error: return location for a #GError
 *
 * Moves channels.json and its keyring items into @db, losing nothing:
 * copied and read back in one transaction first, the old keyring items
 * removed and channels.json renamed after.  Safe to run again at any
 * point, by several processes at once.
 *
 * Returns: %TRUE when nothing of the first layout is left to move
 */
gboolean
ltm_store_legacy_migrate (LtmStoreDb  *db,
                          const char  *dir,
                          GError     **error)
{
  g_autofree char *path = g_build_filename (dir, LTM_STORE_LEGACY_FILE_NAME, NULL);
  g_autofree char *done = g_strconcat (path, ".migrated", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autoptr(LtmStoreDoc) doc = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean migrated = FALSE;
  guint n_listed;

  if (!ltm_store_legacy_is_migrated (db, &migrated, error))
    return FALSE;

  if ((doc = ltm_store_legacy_read (path, &local_error)) == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  n_listed = doc->channels->len;
  if (!migrated && !ltm_store_legacy_copy (db, doc, error))
    {
      g_prefix_error (error, _("The channels in “%s” could not be moved into the store: "), path);
      return FALSE;
    }

  /* The copy is committed: the old layout's items can go.  Only those of
   * the channels it listed: items of channels it did not list may belong
   * to another data folder (they were copied, not moved). */
  for (guint i = 0; i < n_listed; i++)
    {
      LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);

      if (!ltm_store_legacy_keyring_clear (record->channel_id, &local_error))
        {
          /* Tried again at the next open, while channels.json is there. */
          g_debug ("The first layout's keyring items stay for now: %s", local_error->message);
          return TRUE;
        }
    }

  if (g_rename (path, done) != 0 && errno != ENOENT)
    g_debug ("Could not rename %s: %s", path, g_strerror (errno));
  g_unlink (lock);

  return TRUE;
}
