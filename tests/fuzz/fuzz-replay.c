/* fuzz-replay.c: runs a fuzz target on saved inputs, without libFuzzer
 *
 * Linked with one fuzz-<target>.c, it feeds every file named on the
 * command line, and every file under every directory named there, to
 * LLVMFuzzerTestOneInput() once, in a stable order.  That way the seed
 * corpus and every crash ever found run as an ordinary test with any
 * compiler, and a crash file from libFuzzer can be reproduced under gdb
 * or valgrind:
 *
 *   fuzz-replay-jwt tests/fuzz/corpus/jwt crash-0123abcd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);
int LLVMFuzzerInitialize (int    *argc,
                          char ***argv) __attribute__ ((weak));

static int
fuzz_replay_compare (gconstpointer a,
                     gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Adds @path, or the files under it if it is a directory, to @files. */
static gboolean
fuzz_replay_collect (const char  *path,
                     GPtrArray   *files,
                     GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return TRUE;
    }

  if ((dir = g_dir_open (path, 0, error)) == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      /* The README that says what a folder of crashes is, is not one. */
      if (g_str_has_suffix (name, ".md") || g_str_equal (name, "README"))
        continue;

      if (!fuzz_replay_collect (child, files, error))
        return FALSE;
    }

  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (argc < 2)
    {
      g_printerr ("Usage: %s FILE-OR-DIRECTORY…\n", argv[0]);
      return EXIT_FAILURE;
    }

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      if (!fuzz_replay_collect (argv[i], files, &error))
        {
          g_printerr ("%s: %s\n", argv[0], error->message);
          return EXIT_FAILURE;
        }
    }

  g_ptr_array_sort (files, fuzz_replay_compare);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      gsize len = 0;
      guint8 *copy;

      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          g_printerr ("%s: %s\n", argv[0], error->message);
          return EXIT_FAILURE;
        }

      /* An exact-size copy, so that AddressSanitizer sees a read past the
       * end the way it would under libFuzzer. */
      copy = g_malloc (MAX (len, 1));
      memcpy (copy, contents, len);
      g_print ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
      LLVMFuzzerTestOneInput (copy, len);
      g_free (copy);
    }

  g_print ("%u inputs ran\n", files->len);

  return EXIT_SUCCESS;
}
