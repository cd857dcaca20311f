/* bench-store.c: loading and changing 1,000 channels with 30 tokens each
 *
 * Neither load nor a rename unseals anything, so no master key is needed.
 * Prints the median of 10 runs of each.  Not a test.
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
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);

  return (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Writes the rows straight into a new store, in one transaction: the
 * tokens' sealed values are random bytes of a real one's size (nothing
 * here unseals them). */
static void
fill_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmStoreDb) db = ltm_store_db_open (dir, LTM_STORE_DB_OPEN_CREATE, &error);
  g_autoptr(sqlite3_stmt) channel = NULL;
  g_autoptr(sqlite3_stmt) token = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint8 sealed[1 + 12 + 180 + 16];

  if (db == NULL || !ltm_store_db_begin (db, TRUE, &error))
    g_error ("%s", error->message);

  channel = ltm_store_db_prepare (db, "INSERT INTO channels (channel_id, name, kid, "
                                  "key_thumbprint, key_created, sealed_key, sealed_secret) "
                                  "VALUES (:channel_id, :name, :kid, :key_thumbprint, "
                                  ":key_created, randomblob (1700), randomblob (61))",
                                  &error);
  token = ltm_store_db_prepare (db, "INSERT INTO tokens (channel_id, key_id, kind, issued_at, "
                                "expires_at, sealed_token) VALUES (:channel_id, :key_id, 'v2.1', "
                                ":issued_at, :expires_at, :sealed_token)",
                                &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_CHANNELS; i++)
    {
      g_autofree char *id = g_strdup_printf ("%010u", 1000000000 + i);
      g_autofree char *name = g_strdup_printf ("Bot number %u", i);
      g_autofree char *kid = g_uuid_string_random ();

      sqlite3_reset (channel);
      if (!ltm_store_bind_text (channel, ":channel_id", id, &error) ||
          !ltm_store_bind_text (channel, ":name", name, &error) ||
          !ltm_store_bind_text (channel, ":kid", kid, &error) ||
          !ltm_store_bind_text (channel, ":key_thumbprint",
                                "Q90MXQ0eKr3priFk-kn6NpxS1XTRkGY7aB7-wX-NYWw", &error) ||
          !ltm_store_bind_int64 (channel, ":key_created", now, &error))
        g_error ("%s", error->message);
      g_assert_cmpint (sqlite3_step (channel), ==, SQLITE_DONE);

      for (guint j = 0; j < N_TOKENS; j++)
        {
          g_autofree char *key_id = g_strdup_printf ("kid-%u-%u-aBcDeFgHiJkLmN", i, j);
          g_autoptr(GBytes) sealed_bytes = NULL;

          for (guint k = 0; k < sizeof sealed; k++)
            sealed[k] = g_random_int ();
          sealed_bytes = g_bytes_new (sealed, sizeof sealed);
          sqlite3_reset (token);
          if (!ltm_store_bind_text (token, ":channel_id", id, &error) ||
              !ltm_store_bind_text (token, ":key_id", key_id, &error) ||
              !ltm_store_bind_int64 (token, ":issued_at", now, &error) ||
              !ltm_store_bind_int64 (token, ":expires_at", now + 86400 * j, &error) ||
              !ltm_store_bind_blob (token, ":sealed_token", sealed_bytes, &error))
            g_error ("%s", error->message);
          g_assert_cmpint (sqlite3_step (token), ==, SQLITE_DONE);
        }
    }

  if (!ltm_store_db_commit (db, &error))
    g_error ("%s", error->message);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ltm-bench-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.sqlite3", NULL);
  double load_ms[RUNS];
  double change_ms[RUNS * RUNS];
  double change_median;
  GStatBuf st;

  fill_store (dir);
  g_stat (path, &st);

  for (guint run = 0; run < RUNS; run++)
    {
      g_autoptr(LtmStore) store = ltm_store_new (dir);
      gint64 start = g_get_monotonic_time ();

      if (!ltm_store_load (store, &error))
        g_error ("%s", error->message);
      load_ms[run] = (g_get_monotonic_time () - start) / 1000.0;

      g_assert_cmpuint (g_list_model_get_n_items (ltm_store_get_channels (store)), ==, N_CHANNELS);

      /* Changes: one transaction each, the channel's rows read back, the
       * models updated.  The first one after a load also pays for malloc
       * tidying up what the load freed, as any next allocation would. */
      for (guint i = 0; i < RUNS; i++)
        {
          g_autofree char *name = g_strdup_printf ("Bot %u", i);

          start = g_get_monotonic_time ();
          if (!ltm_store_set_name (store, "1000000500", name, &error))
            g_error ("%s", error->message);
          change_ms[run * RUNS + i] = (g_get_monotonic_time () - start) / 1000.0;
        }
    }

  printf ("store.sqlite3 with %d channels x %d tokens: %.1f MB\n",
          N_CHANNELS, N_TOKENS, st.st_size / 1e6);
  printf ("Load into the models (ltm_store_load, %d runs): median %.1f ms (target at most 60 ms)\n",
          RUNS, median (load_ms, RUNS));
  change_median = median (change_ms, RUNS * RUNS);     /* sorts them */
  printf ("One change, one transaction, synchronous=FULL (%d changes): median %.2f ms, "
          "slowest %.2f ms (target at most 5 ms)\n", RUNS * RUNS, change_median,
          change_ms[RUNS * RUNS - 1]);

  if (g_getenv ("KEEP") != NULL)
    printf ("%s\n", dir);
  else
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }

  return 0;
}
