/* fuzz-store.c: channels.json contents into ltm_store_legacy_parse()
 *
 * Feeds the input, as the first layout's channels.json that the migration
 * reads (which a user, another version or a broken disk may have
 * changed), to ltm_store_legacy_parse(): an error or a document whose
 * channels and tokens all have their keys, never a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-json.h"
#include "ltm-store.h"
#include "ltm-store-legacy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
fuzz_store_run (const uint8_t *data,
                size_t         size)
{
  g_autoptr(LtmStoreDoc) doc = NULL;
  g_autoptr(GError) error = NULL;

  doc = ltm_store_legacy_parse ((const char *) data, size, &error);
  g_assert_true ((doc == NULL) != (error == NULL));

  if (doc == NULL)
    {
      g_assert_true (error->domain == LTM_STORE_ERROR);
      return;
    }

  /* What the migration relies on: every channel and token has its key. */
  for (guint i = 0; i < doc->channels->len; i++)
    {
      LtmChannelRecord *channel = g_ptr_array_index (doc->channels, i);

      g_assert_nonnull (channel->channel_id);
      for (guint j = 0; j < channel->tokens->len; j++)
        g_assert_nonnull (((LtmTokenRecord *) g_ptr_array_index (channel->tokens, j))->key_id);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean many = fuzz_json_has_many_values ((const char *) data, size);

  /* fuzz-json.h: json-glib's own leak of "{}{}" is not ours to report. */
  if (many)
    fuzz_lsan_disable ();
  fuzz_store_run (data, size);
  if (many)
    fuzz_lsan_enable ();

  return 0;
}
