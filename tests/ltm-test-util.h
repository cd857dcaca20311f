/* ltm-test-util.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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

G_END_DECLS
