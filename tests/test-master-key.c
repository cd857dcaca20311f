/* test-master-key.c: the master key from a file, a credential or a real
 * keyring (libsecret's file backend, or GNOME Keyring under
 * test-bus.sh --keyring)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "ltm-master-key.h"
#include "ltm-test-util.h"

#define STORE_A "3f1c9e2a-test-store-a"
#define STORE_B "8d04b7e5-test-store-b"

/* The schema as an outsider sees it, to look into the keyring. */
static const SecretSchema schema = {
  "io.github.ltm.LineTokenManager.MasterKey", SECRET_SCHEMA_NONE,
  {
    { "store", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static const guint8 key_bytes[LTM_SEAL_KEY_SIZE] = {
  0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
  0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

/* Each test starts with no key file and no credential. */
static void
reset_env (void)
{
  g_unsetenv ("LTM_MASTER_KEY_FILE");
  g_unsetenv ("CREDENTIALS_DIRECTORY");
}

/* A new file (or folder) name under this test's folder. */
static char *
test_path (const char *name)
{
  g_autofree char *dir = g_build_filename (ltm_test_get_tmp_dir (), g_test_get_path (), NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  return g_build_filename (dir, name, NULL);
}

static char *
write_key_file (const char *name,
                const void *data,
                gssize      len,
                int         mode)
{
  g_autoptr(GError) error = NULL;
  char *path = test_path (name);

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);

  return path;
}

static char *
key_base64 (void)
{
  return g_base64_encode (key_bytes, sizeof key_bytes);
}

static void
assert_key_bytes (LtmSealKey   *key,
                  const guint8 *expected)
{
  g_assert_nonnull (key);
  g_assert_cmpmem (ltm_seal_key_get_bytes (key), LTM_SEAL_KEY_SIZE, expected, LTM_SEAL_KEY_SIZE);
}

/* Loads with LTM_MASTER_KEY_FILE=@path, expecting BAD_FILE with a
 * message holding @path and @message_part. */
static void
assert_bad_file (const char *path,
                 const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSealKey) key = NULL;

  g_setenv ("LTM_MASTER_KEY_FILE", path, TRUE);
  key = ltm_master_key_load (STORE_A, TRUE, NULL, NULL, &error);

  g_assert_null (key);
  g_assert_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE);
  g_assert_nonnull (strstr (error->message, path));
  if (strstr (error->message, message_part) == NULL)
    g_error ("“%s” does not say “%s”", error->message, message_part);
}

static void
test_master_key_file_base64 (void)
{
  g_autofree char *encoded = key_base64 ();
  g_autofree char *text = g_strdup_printf ("  \n%s\r\n\n", encoded);
  g_autofree char *path = write_key_file ("key", text, -1, 0600);
  g_autofree char *location = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(GError) error = NULL;
  LtmMasterKeySource source = LTM_MASTER_KEY_SOURCE_KEYRING;

  reset_env ();
  g_setenv ("LTM_MASTER_KEY_FILE", path, TRUE);

  key = ltm_master_key_load (STORE_A, FALSE, &source, &location, &error);
  g_assert_no_error (error);
  assert_key_bytes (key, key_bytes);
  g_assert_cmpint (source, ==, LTM_MASTER_KEY_SOURCE_FILE);
  g_assert_cmpstr (location, ==, path);
}

static void
test_master_key_file_raw (void)
{
  g_autofree char *path = write_key_file ("key", key_bytes, sizeof key_bytes, 0400);
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(GError) error = NULL;

  reset_env ();
  g_setenv ("LTM_MASTER_KEY_FILE", path, TRUE);

  key = ltm_master_key_load (STORE_A, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_key_bytes (key, key_bytes);
}

static void
test_master_key_file_modes (void)
{
  static const struct { int mode; const char *message; } cases[] = {
    { 0640, "is readable by its group (mode 0640); it must be readable only by its owner "
            "(chmod 600)" },
    { 0644, "is readable by others (mode 0644); it must be readable only by its owner "
            "(chmod 600)" },
    { 0604, "is readable by others (mode 0604)" },
    { 0620, "is writable by its group (mode 0620)" },
    { 0602, "is writable by others (mode 0602)" },
    { 0610, "(mode 0610)" },
  };
  g_autofree char *encoded = key_base64 ();

  reset_env ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("key-%04o", (unsigned int) cases[i].mode);
      g_autofree char *path = write_key_file (name, encoded, -1, cases[i].mode);

      assert_bad_file (path, cases[i].message);
    }
}

static void
test_master_key_file_not_a_file (void)
{
  g_autofree char *encoded = key_base64 ();
  g_autofree char *target = write_key_file ("key", encoded, -1, 0600);
  g_autofree char *link = test_path ("link");
  g_autofree char *dir = test_path ("folder");
  g_autofree char *missing = test_path ("missing");

  reset_env ();
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);

  assert_bad_file (link, "is a symbolic link");
  assert_bad_file (dir, "is not a regular file");
  assert_bad_file (missing, "does not exist");
}

static void
test_master_key_file_not_a_key (void)
{
  g_autofree char *short_base64 = g_base64_encode (key_bytes, 31);
  g_autofree char *long_base64 = g_base64_encode (key_bytes, 33);
  g_autofree char *encoded = key_base64 ();
  g_autofree char *two_lines = g_strdup_printf ("%.20s\n%s", encoded, encoded + 20);
  g_autofree char *urlsafe = g_strdup (encoded);
  const char *texts[] = { "", "\n", short_base64, long_base64, two_lines, urlsafe,
                          "not a key at all, but 44 characters long...=" };
  guint8 raw[LTM_SEAL_KEY_SIZE + 1];

  reset_env ();

  /* The URL-safe alphabet is not the one key files use. */
  urlsafe[0] = '-';
  urlsafe[1] = '_';

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *name = g_strdup_printf ("text-%u", i);
      g_autofree char *path = write_key_file (name, texts[i], -1, 0600);

      assert_bad_file (path, "does not hold a master key");
    }

  /* Raw bytes: exactly 32, not one fewer or more. */
  memcpy (raw, key_bytes, sizeof key_bytes);
  raw[LTM_SEAL_KEY_SIZE] = '\n';
  for (gsize len = LTM_SEAL_KEY_SIZE - 1; len <= LTM_SEAL_KEY_SIZE + 1; len += 2)
    {
      g_autofree char *name = g_strdup_printf ("raw-%" G_GSIZE_FORMAT, len);
      g_autofree char *path = write_key_file (name, raw, len, 0600);

      assert_bad_file (path, "does not hold a master key");
    }
}

static void
test_master_key_credential (void)
{
  g_autofree char *encoded = key_base64 ();
  g_autofree char *credentials = test_path ("credentials");
  g_autofree char *path = g_build_filename (credentials, "ltm-master-key", NULL);
  g_autofree char *location = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(GError) error = NULL;
  LtmMasterKeySource source = LTM_MASTER_KEY_SOURCE_KEYRING;

  reset_env ();
  g_assert_cmpint (g_mkdir (credentials, 0700), ==, 0);
  g_file_set_contents (path, encoded, -1, &error);
  g_assert_no_error (error);
  /* What systemd makes: readable by the owner and the group. */
  g_assert_cmpint (g_chmod (path, 0440), ==, 0);
  g_setenv ("CREDENTIALS_DIRECTORY", credentials, TRUE);

  key = ltm_master_key_load (STORE_A, FALSE, &source, &location, &error);
  g_assert_no_error (error);
  assert_key_bytes (key, key_bytes);
  g_assert_cmpint (source, ==, LTM_MASTER_KEY_SOURCE_CREDENTIAL);
  g_assert_cmpstr (location, ==, path);
  g_clear_pointer (&key, ltm_seal_key_unref);

  /* Readable by others: refused, not passed over for the keyring. */
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  key = ltm_master_key_load (STORE_A, TRUE, NULL, NULL, &error);
  g_assert_null (key);
  g_assert_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE);
  g_assert_nonnull (strstr (error->message, "is readable by others (mode 0444)"));
}

/* LTM_MASTER_KEY_FILE, when set, is the only place looked at. */
static void
test_master_key_file_wins (void)
{
  g_autofree char *credentials = test_path ("credentials");
  g_autofree char *credential = g_build_filename (credentials, "ltm-master-key", NULL);
  g_autofree char *path = write_key_file ("key", key_bytes, sizeof key_bytes, 0600);
  g_autofree char *missing = test_path ("missing");
  g_autoptr(LtmSealKey) other = ltm_seal_key_generate ();
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(GError) error = NULL;
  LtmMasterKeySource source = LTM_MASTER_KEY_SOURCE_KEYRING;

  reset_env ();
  g_assert_cmpint (g_mkdir (credentials, 0700), ==, 0);
  g_assert_true (ltm_master_key_write_file (credential, other, &error));
  g_assert_no_error (error);
  g_setenv ("CREDENTIALS_DIRECTORY", credentials, TRUE);
  g_setenv ("LTM_MASTER_KEY_FILE", path, TRUE);

  key = ltm_master_key_load (STORE_A, FALSE, &source, NULL, &error);
  g_assert_no_error (error);
  assert_key_bytes (key, key_bytes);
  g_assert_cmpint (source, ==, LTM_MASTER_KEY_SOURCE_FILE);

  assert_bad_file (missing, "does not exist");

  /* Set but empty: as if unset. */
  g_clear_pointer (&key, ltm_seal_key_unref);
  g_setenv ("LTM_MASTER_KEY_FILE", "", TRUE);
  key = ltm_master_key_load (STORE_A, FALSE, &source, NULL, &error);
  g_assert_no_error (error);
  assert_key_bytes (key, ltm_seal_key_get_bytes (other));
  g_assert_cmpint (source, ==, LTM_MASTER_KEY_SOURCE_CREDENTIAL);
}

static void
test_master_key_write_file (void)
{
  g_autoptr(LtmSealKey) key = ltm_seal_key_new (key_bytes, sizeof key_bytes, NULL);
  g_autoptr(LtmSealKey) other = ltm_seal_key_generate ();
  g_autoptr(LtmSealKey) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = test_path ("new-key");
  g_autofree char *link = test_path ("link");
  g_autofree char *encoded = key_base64 ();
  g_autofree char *expected = g_strconcat (encoded, "\n", NULL);
  g_autofree char *contents = NULL;
  GStatBuf st;

  reset_env ();

  g_assert_true (ltm_master_key_write_file (path, key, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);

  g_setenv ("LTM_MASTER_KEY_FILE", path, TRUE);
  loaded = ltm_master_key_load (STORE_A, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_key_bytes (loaded, key_bytes);

  /* Never over an existing file, nor through a symbolic link. */
  g_assert_false (ltm_master_key_write_file (path, other, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);

  g_assert_cmpint (symlink (path, link), ==, 0);
  g_assert_false (ltm_master_key_write_file (link, other, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_master_key_unavailable (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(LtmSealKey) key = NULL;
      g_autoptr(GError) error = NULL;

      reset_env ();
      /* The Secret Service over a session bus that is not there. */
      g_setenv ("SECRET_BACKEND", "service", TRUE);
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ltm-test-bus", TRUE);

      key = ltm_master_key_load (STORE_A, TRUE, NULL, NULL, &error);
      g_assert_null (key);
      g_assert_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_UNAVAILABLE);
      g_printerr ("%s\n", error->message);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*LTM_MASTER_KEY_FILE is not set*");
  /* Facts only: what to do is the front ends' to say. */
  g_test_trap_assert_stderr_unmatched ("*ltm *");
}

/* The keyring's items of our schema for @store_id, with their secrets. */
static GList *
find_items (const char *store_id)
{
  g_autoptr(GError) error = NULL;
  GList *items;

  items = secret_password_search_sync (&schema, SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS,
                                       NULL, &error, "store", store_id, NULL);
  g_assert_no_error (error);

  return items;
}

static void
assert_keyring_holds (const char *store_id,
                      LtmSealKey *key)
{
  g_autofree char *encoded = g_base64_encode (ltm_seal_key_get_bytes (key), LTM_SEAL_KEY_SIZE);
  g_autoptr(GError) error = NULL;
  GList *items = find_items (store_id);
  g_autoptr(SecretValue) value = NULL;
  g_autofree char *label = NULL;

  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_retrievable_get_label (items->data);
  g_assert_cmpstr (label, ==, "LINE Token Manager master key");
  value = secret_retrievable_retrieve_secret_sync (items->data, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret_value_get_text (value), ==, encoded);

  g_list_free_full (items, g_object_unref);
}

static void
test_master_key_keyring (void)
{
  g_autoptr(LtmSealKey) made = NULL;
  g_autoptr(LtmSealKey) again = NULL;
  g_autoptr(LtmSealKey) other = NULL;
  g_autoptr(LtmSealKey) none = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GError) error = NULL;
  LtmMasterKeySource source = LTM_MASTER_KEY_SOURCE_FILE;
  GList *items;

  reset_env ();
  g_assert_true (ltm_master_key_forget (STORE_A, &error));
  g_assert_true (ltm_master_key_forget (STORE_B, &error));
  g_assert_no_error (error);

  none = ltm_master_key_load (STORE_A, FALSE, NULL, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  items = find_items (STORE_A);
  g_assert_null (items);

  made = ltm_master_key_load (STORE_A, TRUE, &source, &location, &error);
  g_assert_no_error (error);
  g_assert_nonnull (made);
  g_assert_cmpint (source, ==, LTM_MASTER_KEY_SOURCE_KEYRING);
  g_assert_cmpstr (location, ==, "the desktop keyring");
  assert_keyring_holds (STORE_A, made);

  /* Found again, not made again. */
  again = ltm_master_key_load (STORE_A, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_key_bytes (again, ltm_seal_key_get_bytes (made));
  g_clear_pointer (&again, ltm_seal_key_unref);
  again = ltm_master_key_load (STORE_A, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_key_bytes (again, ltm_seal_key_get_bytes (made));
  assert_keyring_holds (STORE_A, made);

  /* Another store, another key. */
  other = ltm_master_key_load (STORE_B, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (other);
  g_assert_true (memcmp (ltm_seal_key_get_bytes (other), ltm_seal_key_get_bytes (made),
                         LTM_SEAL_KEY_SIZE) != 0);
  assert_keyring_holds (STORE_B, other);

  g_assert_true (ltm_master_key_forget (STORE_A, &error));
  g_assert_no_error (error);
  items = find_items (STORE_A);
  g_assert_null (items);
  g_clear_pointer (&none, ltm_seal_key_unref);
  none = ltm_master_key_load (STORE_A, FALSE, NULL, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (ltm_master_key_forget (STORE_A, &error));
  g_assert_no_error (error);

  /* The other store's key stays. */
  assert_keyring_holds (STORE_B, other);
  g_assert_true (ltm_master_key_forget (STORE_B, &error));
  g_assert_no_error (error);
}

/* A key another process stored after this one first read the keyring is
 * found all the same: libsecret's file backend before 0.21.1 (Debian 12
 * has 0.20.5) reads its file once per process and never again. */
static void
test_master_key_keyring_other_process (void)
{
  g_autoptr(LtmSealKey) none = NULL;
  g_autoptr(LtmSealKey) found = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(LtmSealKey) made = NULL;

      reset_env ();
      made = ltm_master_key_load (STORE_A, TRUE, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (made);
      return;
    }

  reset_env ();
  g_assert_true (ltm_master_key_forget (STORE_A, &error));
  g_assert_no_error (error);
  none = ltm_master_key_load (STORE_A, FALSE, NULL, NULL, &error);
  g_assert_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Another process makes the store's key. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  found = ltm_master_key_load (STORE_A, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  assert_keyring_holds (STORE_A, found);

  g_assert_true (ltm_master_key_forget (STORE_A, &error));
  g_assert_no_error (error);
}

/* A keyring item that is not a key is reported, never replaced. */
static void
test_master_key_keyring_damaged (void)
{
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(GError) error = NULL;

  reset_env ();
  g_assert_true (secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "damaged",
                                             "not a key", NULL, &error,
                                             "store", STORE_A, NULL));
  g_assert_no_error (error);

  key = ltm_master_key_load (STORE_A, TRUE, NULL, NULL, &error);
  g_assert_null (key);
  g_assert_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_DAMAGED);
  g_clear_error (&error);

  g_assert_true (ltm_master_key_forget (STORE_A, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  ltm_test_use_file_keyring ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/master-key/file/base64", test_master_key_file_base64);
  g_test_add_func ("/master-key/file/raw", test_master_key_file_raw);
  g_test_add_func ("/master-key/file/modes", test_master_key_file_modes);
  g_test_add_func ("/master-key/file/not-a-file", test_master_key_file_not_a_file);
  g_test_add_func ("/master-key/file/not-a-key", test_master_key_file_not_a_key);
  g_test_add_func ("/master-key/file/wins", test_master_key_file_wins);
  g_test_add_func ("/master-key/credential", test_master_key_credential);
  g_test_add_func ("/master-key/write-file", test_master_key_write_file);
  g_test_add_func ("/master-key/unavailable", test_master_key_unavailable);
  g_test_add_func ("/master-key/keyring", test_master_key_keyring);
  g_test_add_func ("/master-key/keyring-damaged", test_master_key_keyring_damaged);
  g_test_add_func ("/master-key/keyring-other-process", test_master_key_keyring_other_process);

  return g_test_run ();
}
