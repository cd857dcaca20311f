/* ltm-store-records.c: channels and tokens as plain records, what the
 * models are made from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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
  ltm_deploy_targets_clear (&record->targets);
  g_free (record->delivery_message);
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

LtmStoreDoc *
ltm_store_doc_new_unchanged (gint64 generation)
{
  LtmStoreDoc *doc = ltm_store_doc_new ();

  doc->generation = generation;
  doc->unchanged = TRUE;

  return doc;
}

void
ltm_store_doc_free (LtmStoreDoc *doc)
{
  if (doc == NULL)
    return;

  g_ptr_array_unref (doc->channels);
  g_free (doc->removed);
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
