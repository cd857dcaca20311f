/* bench-store.c: loading and saving 1,000 channels with 30 tokens each
 *
 * Metadata only: neither load nor a rename touches the keyring.  Prints the
 * median of 10 runs of each.  Not a test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "ltm-store.h"
#include "ltm-store-private.h"

#define N_CHANNELS 1000
#define N_TOKENS 30
#define RUNS 10

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values)
{
  qsort (values, RUNS, sizeof (double), compare_doubles);

  return (values[RUNS / 2 - 1] + values[RUNS / 2]) / 2;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ltm-bench-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "channels.json", NULL);
  g_autofree char *lock = g_build_filename (dir, "channels.json.lock", NULL);
  g_autoptr(LtmStoreDoc) doc = ltm_store_doc_new ();
  double load_ms[RUNS];
  double save_ms[RUNS];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GStatBuf st;

  for (guint i = 0; i < N_CHANNELS; i++)
    {
      g_autofree char *id = g_strdup_printf ("%010u", 1000000000 + i);
      LtmChannelRecord *channel = ltm_channel_record_new (id);

      channel->name = g_strdup_printf ("Bot number %u", i);
      channel->kid = g_uuid_string_random ();
      channel->key_thumbprint = g_strdup ("Q90MXQ0eKr3priFk-kn6NpxS1XTRkGY7aB7-wX-NYWw");
      channel->key_created = now;
      channel->has_secret = TRUE;
      for (guint j = 0; j < N_TOKENS; j++)
        {
          g_autofree char *key_id = g_strdup_printf ("kid-%u-%u-aBcDeFgHiJkLmN", i, j);

          g_ptr_array_add (channel->tokens,
                           ltm_token_record_new (key_id, LTM_TOKEN_KIND_V21, now, now + 86400 * j));
        }
      g_ptr_array_add (doc->channels, channel);
    }

  if (!ltm_store_file_write (path, doc, &error))
    g_error ("%s", error->message);
  g_stat (path, &st);

  for (guint run = 0; run < RUNS; run++)
    {
      g_autoptr(LtmStore) store = ltm_store_new (dir);
      gint64 start = g_get_monotonic_time ();

      if (!ltm_store_load (store, &error))
        g_error ("%s", error->message);
      load_ms[run] = (g_get_monotonic_time () - start) / 1000.0;

      g_assert_cmpuint (g_list_model_get_n_items (ltm_store_get_channels (store)), ==, N_CHANNELS);

      /* A change: lock, read, apply, write atomically, update the models. */
      start = g_get_monotonic_time ();
      if (!ltm_store_set_name (store, "1000000500", run % 2 ? "Renamed" : "Bot", &error))
        g_error ("%s", error->message);
      save_ms[run] = (g_get_monotonic_time () - start) / 1000.0;
    }

  printf ("channels.json with %d channels x %d tokens: %.1f MB\n",
          N_CHANNELS, N_TOKENS, st.st_size / 1e6);
  printf ("Load into the models (ltm_store_load, %d runs): median %.1f ms (target at most 200 ms)\n",
          RUNS, median (load_ms));
  printf ("One change, read-modify-write under the lock (%d runs): median %.1f ms\n",
          RUNS, median (save_ms));

  if (g_getenv ("KEEP")) printf ("%s\n", path); else { g_unlink (path);
  g_unlink (lock);
  g_rmdir (dir); }

  return 0;
}
