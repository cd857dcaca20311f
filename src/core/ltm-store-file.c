/* ltm-store-file.c: channels.json, the metadata behind LtmStore
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
 * Tokens are rows rather than objects, in the order "token_fields" names:
 * an operator with 1,000 channels has 30,000 of them, and json-glib reads
 * rows in half the time (tests/bench/bench-store).
 *
 * "generation" grows with every write (the time in microseconds, or one
 * more than before if that is larger), so that a process that reads the
 * file while others change it can tell which of two versions is newer.
 *
 * No secret is ever written here.  The file is mode 0600 and replaced
 * atomically; changes happen under an flock() on channels.json.lock so
 * that two processes never lose each other's writes.  A file that cannot
 * be read is moved aside, never overwritten.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ltm-json.h"
#include "ltm-store.h"
#include "ltm-store-private.h"

static void
ltm_token_record_free (gpointer data)
{
  LtmTokenRecord *record = data;

  g_free (record->key_id);
  g_free (record);
}

LtmTokenRecord *
ltm_token_record_new (const char   *key_id,
                      LtmTokenKind  kind,
                      gint64        issued_at,
                      gint64        expires_at)
{
  LtmTokenRecord *record = g_new0 (LtmTokenRecord, 1);

  record->key_id = g_strdup (key_id);
  record->kind = kind;
  record->issued_at = issued_at;
  record->expires_at = expires_at;

  return record;
}

static void
ltm_channel_record_free (gpointer data)
{
  LtmChannelRecord *record = data;

  g_free (record->channel_id);
  g_free (record->name);
  g_free (record->kid);
  g_free (record->key_thumbprint);
  g_ptr_array_unref (record->tokens);
  g_free (record);
}

LtmChannelRecord *
ltm_channel_record_new (const char *channel_id)
{
  LtmChannelRecord *record = g_new0 (LtmChannelRecord, 1);

  record->channel_id = g_strdup (channel_id);
  record->tokens = g_ptr_array_new_with_free_func (ltm_token_record_free);

  return record;
}

LtmStoreDoc *
ltm_store_doc_new (void)
{
  LtmStoreDoc *doc = g_new0 (LtmStoreDoc, 1);

  doc->channels = g_ptr_array_new_with_free_func (ltm_channel_record_free);

  return doc;
}

void
ltm_store_doc_free (LtmStoreDoc *doc)
{
  if (doc == NULL)
    return;

  g_ptr_array_unref (doc->channels);
  g_free (doc);
}

LtmChannelRecord *
ltm_store_doc_find_channel (LtmStoreDoc *doc,
                            const char  *channel_id,
                            guint       *out_index)
{
  for (guint i = 0; i < doc->channels->len; i++)
    {
      LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);

      if (g_strcmp0 (record->channel_id, channel_id) == 0)
        {
          if (out_index != NULL)
            *out_index = i;
          return record;
        }
    }

  return NULL;
}

LtmTokenRecord *
ltm_channel_record_find_token (LtmChannelRecord *channel,
                               const char       *key_id,
                               guint            *out_index)
{
  for (guint i = 0; i < channel->tokens->len; i++)
    {
      LtmTokenRecord *record = g_ptr_array_index (channel->tokens, i);

      if (g_strcmp0 (record->key_id, key_id) == 0)
        {
          if (out_index != NULL)
            *out_index = i;
          return record;
        }
    }

  return NULL;
}

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
 * ltm_store_doc_parse:
 * @data: the contents of channels.json
 * @len: its size
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the metadata, or %NULL with
 *   %LTM_STORE_ERROR_DAMAGED or %LTM_STORE_ERROR_NEWER_VERSION
 */
LtmStoreDoc *
ltm_store_doc_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(LtmStoreDoc) doc = ltm_store_doc_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonNode *channels;
  gint64 version;

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      ltm_store_doc_fail (error, local_error->message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      ltm_store_doc_fail (error, _("it is not a JSON object"));
      return NULL;
    }

  root = json_node_get_object (json_parser_get_root (parser));
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

static void
ltm_store_append_string (GString    *out,
                         const char *name,
                         const char *value)
{
  g_string_append_printf (out, "\"%s\": ", name);
  if (value == NULL)
    {
      g_string_append (out, "null");
    }
  else
    {
      g_autofree char *quoted = ltm_json_quote (value);

      g_string_append (out, quoted);
    }
}

/**
 * ltm_store_doc_serialize:
 * @doc: the metadata
 * @out_len: (out): the size of the result
 *
 * Returns: (transfer full): channels.json's contents
 */
char *
ltm_store_doc_serialize (LtmStoreDoc *doc,
                         gsize       *out_len)
{
  GString *out = g_string_sized_new (256 + doc->channels->len * 512);

  g_string_append_printf (out, "{\n  \"version\": %d,\n  \"generation\": %" G_GINT64_FORMAT
                          ",\n  \"token_fields\": [", LTM_STORE_VERSION, doc->generation);
  for (guint i = 0; i < G_N_ELEMENTS (token_fields); i++)
    g_string_append_printf (out, i == 0 ? "\"%s\"" : ", \"%s\"", token_fields[i]);
  g_string_append (out, "],\n  \"channels\": [");

  for (guint i = 0; i < doc->channels->len; i++)
    {
      LtmChannelRecord *channel = g_ptr_array_index (doc->channels, i);

      g_string_append (out, i == 0 ? "\n    {\n      " : ",\n    {\n      ");
      ltm_store_append_string (out, "channel_id", channel->channel_id);
      g_string_append (out, ",\n      ");
      ltm_store_append_string (out, "name", channel->name);
      g_string_append (out, ",\n      ");
      ltm_store_append_string (out, "kid", channel->kid);
      g_string_append (out, ",\n      ");
      ltm_store_append_string (out, "key_thumbprint", channel->key_thumbprint);
      g_string_append_printf (out, ",\n      \"key_created\": %" G_GINT64_FORMAT
                              ",\n      \"has_secret\": %s,\n      \"tokens\": [",
                              channel->key_created, channel->has_secret ? "true" : "false");

      for (guint j = 0; j < channel->tokens->len; j++)
        {
          LtmTokenRecord *token = g_ptr_array_index (channel->tokens, j);

          g_autofree char *key_id = ltm_json_quote (token->key_id);

          g_string_append_printf (out, "%s[%s, \"%s\", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                                  ", %s, %s]",
                                  j == 0 ? "\n        " : ",\n        ",
                                  key_id, ltm_token_kind_to_string (token->kind),
                                  token->issued_at, token->expires_at,
                                  token->revoked ? "true" : "false",
                                  token->unknown ? "true" : "false");
        }

      g_string_append (out, channel->tokens->len > 0 ? "\n      ]\n    }" : "]\n    }");
    }

  g_string_append (out, doc->channels->len > 0 ? "\n  ]\n}\n" : "]\n}\n");

  *out_len = out->len;

  return g_string_free (out, FALSE);
}

/**
 * ltm_store_file_lock:
 * @dir: the data folder; made (mode 0700) if missing
 * @error: return location for a #GError
 *
 * Waits for and takes the lock that serializes changes to channels.json
 * across processes.
 *
 * Returns: the lock's file descriptor, or -1 with @error set
 */
int
ltm_store_file_lock (const char  *dir,
                     GError     **error)
{
  g_autofree char *path = g_build_filename (dir, "channels.json.lock", NULL);
  int fd;
  int saved_errno;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return -1;
    }

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return -1;
    }

  while (flock (fd, LOCK_EX) != 0)
    {
      if (errno == EINTR)
        continue;

      saved_errno = errno;
      close (fd);
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not lock “%s”: %s"), path, g_strerror (saved_errno));
      return -1;
    }

  return fd;
}

/**
 * ltm_store_file_unlock:
 * @fd: from ltm_store_file_lock(), or -1
 */
void
ltm_store_file_unlock (int fd)
{
  if (fd < 0)
    return;

  flock (fd, LOCK_UN);
  close (fd);
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

/**
 * ltm_store_file_read:
 * @path: channels.json
 * @error: return location for a #GError
 *
 * Reads the metadata.  A missing file is an empty list.  A damaged one is
 * moved aside and reported, with where it went.
 *
 * Returns: (transfer full): the metadata, or %NULL with @error set
 */
LtmStoreDoc *
ltm_store_file_read (const char  *path,
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
        return ltm_store_doc_new ();

      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not read “%s”: %s"), path, local_error->message);
      return NULL;
    }

  doc = ltm_store_doc_parse (contents, len, &local_error);
  if (doc != NULL)
    return doc;

  if (g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NEWER_VERSION))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  aside = ltm_store_file_keep_aside (path);
  if (aside == NULL)
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED,
                 _("%s. It could not be moved aside either, so nothing will be written until "
                   "“%s” is repaired or moved away by hand. Secrets in the keyring are untouched."),
                 local_error->message, path);
  else
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED,
                 _("%s. It was kept as “%s” and a new, empty list was started; secrets in the "
                   "keyring are untouched, and “ltm channel repair” finds their channels again."),
                 local_error->message, aside);

  return NULL;
}

/**
 * ltm_store_file_write:
 * @path: channels.json
 * @doc: the metadata
 * @error: return location for a #GError
 *
 * Replaces @path atomically, mode 0600: a crash leaves the old or the new
 * file, never half of one.
 *
 * Returns: %TRUE if the metadata is on disk
 */
gboolean
ltm_store_file_write (const char   *path,
                      LtmStoreDoc  *doc,
                      GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  /* Under the writers' lock: the generation only grows. */
  doc->generation = MAX (doc->generation + 1, g_get_real_time ());
  contents = ltm_store_doc_serialize (doc, &len);

  if (!g_file_set_contents_full (path, contents, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not save the channel list: %s"), local_error->message);
      return FALSE;
    }

  return TRUE;
}
