/* ltm-test-util.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ltm-key.h"

G_BEGIN_DECLS

/* The path of a file in tests/data (LTM_TEST_DATA, set by meson). */
static inline char *
ltm_test_data_path (const char *name)
{
  const char *dir = g_getenv ("LTM_TEST_DATA");

  g_assert_nonnull (dir);

  return g_build_filename (dir, name, NULL);
}

static inline char *
ltm_test_read_data (const char *name,
                    gsize      *out_len)
{
  g_autofree char *path = ltm_test_data_path (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  if (out_len != NULL)
    *out_len = len;

  return contents;
}

static inline LtmKey *
ltm_test_load_key (const char        *name,
                   LtmKeyImportFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  LtmKey *key;

  data = ltm_test_read_data (name, &len);
  key = ltm_key_new_from_data (data, len, flags, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);

  return key;
}

/* A database trusting @pem.  glib-networking reads the file lazily, so it
 * stays until the caller unlinks *out_path. */
static inline GTlsDatabase *
ltm_test_tls_database_new (const char  *pem,
                           char       **out_path)
{
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database;
  int fd;

  fd = g_file_open_tmp ("ltm-test-ca-XXXXXX.pem", out_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (*out_path, pem, -1, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (*out_path, &error);
  g_assert_no_error (error);

  return database;
}

/* With ltm_test_wait(), runs an _async call to its end. */
static inline void
ltm_test_async_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static inline GAsyncResult *
ltm_test_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

/* Like g_assert_finalize_object(), for objects a worker thread may hold
 * for a moment after the call that used it has returned. */
static inline void
ltm_test_assert_finalize_soon (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);

  while (weak != NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  g_assert_null (weak);
}

G_END_DECLS
