/* fuzz-store.c: channels.json contents into ltm_store_doc_parse()
 *
 * Feeds the input, as the metadata file LtmStore reads at start (which a
 * user, another version or a broken disk may have changed), to
 * ltm_store_doc_parse().  What parses must survive the way LtmStore writes
 * it back: ltm_store_doc_serialize(), parsed again, must give a document
 * that serializes to the very same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-json.h"
#include "ltm-store.h"
#include "ltm-store-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
fuzz_store_run (const uint8_t *data,
                size_t         size)
{
  g_autoptr(LtmStoreDoc) doc = NULL;
  g_autoptr(LtmStoreDoc) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_autofree char *rewritten = NULL;
  gsize written_len = 0;
  gsize rewritten_len = 0;

  doc = ltm_store_doc_parse ((const char *) data, size, &error);
  g_assert_true ((doc == NULL) != (error == NULL));

  if (doc == NULL)
    {
      g_assert_true (error->domain == LTM_STORE_ERROR);
      return;
    }

  written = ltm_store_doc_serialize (doc, &written_len);
  g_assert_nonnull (written);
  g_assert_cmpuint (strlen (written), ==, written_len);

  again = ltm_store_doc_parse (written, written_len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpuint (again->channels->len, ==, doc->channels->len);

  rewritten = ltm_store_doc_serialize (again, &rewritten_len);
  g_assert_cmpuint (rewritten_len, ==, written_len);
  g_assert_true (memcmp (rewritten, written, written_len) == 0);
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
