/* ltm-test-util.c: what the test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

char *
ltm_test_data_path (const char *name)
{
  const char *dir = g_getenv ("LTM_TEST_DATA");

  g_assert_nonnull (dir);

  return g_build_filename (dir, name, NULL);
}

char *
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

LtmKey *
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

void
ltm_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        ltm_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static char *tmp_dir;
static GPid tmp_dir_owner;

static void
ltm_test_remove_tmp_dir (void)
{
  /* A g_test_trap_subprocess() child must not remove its parent's folder. */
  if (tmp_dir != NULL && tmp_dir_owner == getpid ())
    ltm_test_remove_tree (tmp_dir);
}

const char *
ltm_test_get_tmp_dir (void)
{
  if (tmp_dir == NULL)
    {
      g_autoptr(GError) error = NULL;

      tmp_dir = g_dir_make_tmp ("ltm-test-XXXXXX", &error);
      g_assert_no_error (error);
      tmp_dir_owner = getpid ();
      atexit (ltm_test_remove_tmp_dir);
    }

  return tmp_dir;
}

/**
 * ltm_test_use_file_keyring:
 *
 * Unless the environment already chose a libsecret backend (the
 * GNOME Keyring runs set SECRET_BACKEND=service), points libsecret at its
 * file backend: a real encrypted keyring in this process's folder, never
 * the user's.  Call before anything touches libsecret.
 */
void
ltm_test_use_file_keyring (void)
{
  g_autofree char *keyring = NULL;

  if (g_getenv ("SECRET_BACKEND") != NULL)
    return;

  keyring = g_build_filename (ltm_test_get_tmp_dir (), "keyring", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test", TRUE);
}

JsonObject *
ltm_test_parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

void
ltm_test_waiting (LtmTestWait *wait,
                  const char  *file,
                  int          line,
                  const char  *what)
{
  gint64 now = g_get_monotonic_time ();

  if (wait->start == 0)
    wait->start = now;
  else if (!wait->said && now - wait->start > LTM_TEST_WAIT_NOTE_SECONDS * G_USEC_PER_SEC)
    {
      g_test_message ("%s:%d: still waiting, after %d s, for %s", file, line,
                      LTM_TEST_WAIT_NOTE_SECONDS, what);
      wait->said = TRUE;
    }
}

/* Like g_assert_finalize_object(), for objects a worker thread may hold
 * for a moment after the call that used it has returned: an object that
 * is never finalized is a test that never ends (ltm_test_waiting()). */
void
ltm_test_assert_finalize_soon (gpointer object)
{
  LtmTestWait wait = LTM_TEST_WAIT_INIT;
  g_autofree char *what = g_strdup_printf ("the last reference to a %s to go",
                                           G_OBJECT_TYPE_NAME (object));
  gpointer weak = object;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);

  while (weak != NULL)
    {
      ltm_test_waiting (&wait, __FILE__, __LINE__, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* A database trusting @pem.  glib-networking reads the file lazily, so it
 * stays in the process's folder until the process ends. */
GTlsDatabase *
ltm_test_tls_database_new (const char *pem)
{
  static guint counter;
  g_autofree char *name = g_strdup_printf ("ca-%u.pem", counter++);
  g_autofree char *path = g_build_filename (ltm_test_get_tmp_dir (), name, NULL);
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database;

  g_file_set_contents (path, pem, -1, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (path, &error);
  g_assert_no_error (error);

  return database;
}

void
ltm_test_run_clear (LtmTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/* @env: NULL-terminated NAME, VALUE pairs set for ltm, or %NULL */
GSubprocess *
ltm_test_spawn_ltm (const char * const *env,
                    const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (gpointer) g_getenv ("LTM_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Nothing from the environment the tests run in: no token, no secret,
   * and never the user's own data folder. */
  g_subprocess_launcher_unsetenv (launcher, "LTM_ACCESS_TOKEN");
  g_subprocess_launcher_unsetenv (launcher, "LTM_CHANNEL_SECRET");
  g_subprocess_launcher_unsetenv (launcher, "LTM_API_BASE");
  g_subprocess_launcher_setenv (launcher, "LTM_DATA_DIR", ltm_test_get_tmp_dir (), TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

void
ltm_test_run_ltm (LtmTestRun         *run,
                  const char         *input,
                  const char * const *env,
                  const char * const *args)
{
  g_autoptr(GSubprocess) process = ltm_test_spawn_ltm (env, args);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_async (process, input != NULL ? input : "", NULL,
                                       ltm_async_result_cb, &result);
  g_subprocess_communicate_utf8_finish (process, ltm_async_wait (&result),
                                        &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);

  g_test_message ("ltm %s %s → %d\nstdout: %s\nstderr: %s",
                  args[0], args[1] != NULL ? args[1] : "", run->status, run->out, run->err);
}

/* The failure contract: exit 1, one line on stderr naming the problem,
 * nothing on stdout. */
void
ltm_test_assert_failed_with (LtmTestRun *run,
                             const char *message_part)
{
  g_assert_cmpint (run->status, ==, 1);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_true (g_str_has_prefix (run->err, "ltm: "));
  g_assert_true (strchr (run->err, '\n') == run->err + strlen (run->err) - 1);
  g_assert_nonnull (strstr (run->err, message_part));
}

/**
 * ltm_test_remove_store:
 *
 * Removes the store of this process's data folder (`LTM_DATA_DIR`, as
 * ltm_test_gui_init() and ltm_test_spawn_ltm() set it): its database and
 * the database's WAL and shared memory.  The next test starts empty.
 */
void
ltm_test_remove_store (void)
{
  const char *dir = g_getenv ("LTM_DATA_DIR");
  const char *names[] = { "store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm" };

  if (dir == NULL)
    dir = ltm_test_get_tmp_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_unlink (path);
    }
}
