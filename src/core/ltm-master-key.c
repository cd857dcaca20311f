/* ltm-master-key.c: where the store's master key comes from
 *
 * In this order: the file LTM_MASTER_KEY_FILE names (and then nothing
 * else), the systemd credential ltm-master-key, or one item in the desktop
 * keyring (the Secret portal inside Flatpak, through libsecret), schema
 * io.github.ltm.LineTokenManager.MasterKey, attribute store.  Files and
 * the keyring item hold the key's standard base64; a file may also hold
 * the 32 bytes themselves.
 *
 * Everything here may run in a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-master-key.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

/* The base64 of LTM_SEAL_KEY_SIZE bytes: 43 characters and one "=". */
#define BASE64_KEY_LEN 44
/* More than any key file holds, white space included. */
#define MAX_FILE_SIZE 256

#define CREDENTIAL_NAME "ltm-master-key"

/* One keyring call at a time: libsecret's file backend is not safe to use
 * from several threads at once. */
G_LOCK_DEFINE_STATIC (keyring);

static const SecretSchema ltm_master_key_schema = {
  "io.github.ltm.LineTokenManager.MasterKey", SECRET_SCHEMA_NONE,
  {
    { "store", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

G_DEFINE_QUARK (ltm-master-key-error-quark, ltm_master_key_error)

/* Reads the key from the base64 text (white space around it ignored) or
 * from exactly LTM_SEAL_KEY_SIZE bytes. */
static LtmSealKey *
ltm_master_key_decode (const guint8 *data,
                       gsize         len)
{
  guint8 decoded[BASE64_KEY_LEN] = { 0 };
  gsize start = 0;
  gsize end = len;
  gsize decoded_len;
  LtmSealKey *key = NULL;
  int state = 0;
  guint save = 0;

  if (len == LTM_SEAL_KEY_SIZE)
    return ltm_seal_key_new (data, len, NULL);

  while (start < end && g_ascii_isspace (data[start]))
    start++;
  while (end > start && g_ascii_isspace (data[end - 1]))
    end--;

  if (end - start != BASE64_KEY_LEN || data[end - 1] != '=')
    return NULL;

  /* g_base64_decode_step() skips what is not base64: check first. */
  for (gsize i = start; i < end - 1; i++)
    {
      if (!g_ascii_isalnum (data[i]) && data[i] != '+' && data[i] != '/')
        return NULL;
    }

  decoded_len = g_base64_decode_step ((const char *) data + start, BASE64_KEY_LEN,
                                      decoded, &state, &save);
  if (decoded_len == LTM_SEAL_KEY_SIZE)
    key = ltm_seal_key_new (decoded, decoded_len, NULL);

  ltm_secret_wipe (decoded, sizeof decoded);
  ltm_secret_wipe (&save, sizeof save);

  return key;
}

static void
ltm_master_key_mode_error (const char  *path,
                           mode_t       mode,
                           mode_t       forbidden,
                           GError     **error)
{
  mode_t bad = mode & forbidden;
  unsigned int shown = mode & 07777;

  if (bad & S_IROTH)
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                 _("The master key file %s is readable by others (mode %04o); it must be "
                   "readable only by its owner (chmod 600)."), path, shown);
  else if (bad & S_IWOTH)
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                 _("The master key file %s is writable by others (mode %04o); it must be "
                   "readable only by its owner (chmod 600)."), path, shown);
  else if (bad & S_IRGRP)
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                 _("The master key file %s is readable by its group (mode %04o); it must be "
                   "readable only by its owner (chmod 600)."), path, shown);
  else if (bad & S_IWGRP)
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                 _("The master key file %s is writable by its group (mode %04o); it must be "
                   "readable only by its owner (chmod 600)."), path, shown);
  else
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                 _("The master key file %s may be run by its group or by others (mode %04o); "
                   "it must be readable only by its owner (chmod 600)."), path, shown);
}

/* Reads a key file; @is_credential allows what systemd does with
 * credentials: group read (0440), and root as the owner (the service's
 * user then reads it through an ACL).  A missing credential is not an
 * error: *@out_missing is set instead. */
static LtmSealKey *
ltm_master_key_read_file (const char  *path,
                          gboolean     is_credential,
                          gboolean    *out_missing,
                          GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  guint8 buffer[MAX_FILE_SIZE];
  gsize len = 0;
  struct stat st;
  LtmSealKey *key;
  int saved_errno;
  int fd;

  /* O_NONBLOCK: a FIFO put in the key's place must not hang us before
   * fstat() refuses it. */
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      saved_errno = errno;

      if (saved_errno == ENOENT && out_missing != NULL)
        *out_missing = TRUE;
      else if (saved_errno == ENOENT)
        g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                     _("The master key file %s does not exist."), display);
      else if (saved_errno == ELOOP)
        g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                     _("The master key file %s is a symbolic link; it must be the file "
                       "itself."), display);
      else
        g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                     _("The master key file %s could not be opened: %s."),
                     display, g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &st) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                   _("The master key file %s could not be read: %s."),
                   display, g_strerror (saved_errno));
      return NULL;
    }

  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                   _("The master key file %s is not a regular file."), display);
      return NULL;
    }

  if (st.st_uid != getuid () && !(is_credential && st.st_uid == 0))
    {
      close (fd);
      g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                   _("The master key file %s belongs to another user (UID %u); it must "
                     "belong to the user who runs LINE Token Manager (UID %u)."),
                   display, (unsigned int) st.st_uid, (unsigned int) getuid ());
      return NULL;
    }

  if ((st.st_mode & (is_credential ? 0037 : 0077)) != 0)
    {
      close (fd);
      ltm_master_key_mode_error (display, st.st_mode, is_credential ? 0037 : 0077, error);
      return NULL;
    }

  while (len < sizeof buffer)
    {
      ssize_t n = read (fd, buffer + len, sizeof buffer - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          close (fd);
          ltm_secret_wipe (buffer, len);
          g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                       _("The master key file %s could not be read: %s."),
                       display, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      len += n;
    }

  close (fd);

  /* A full buffer: longer than any key file. */
  key = len < sizeof buffer ? ltm_master_key_decode (buffer, len) : NULL;
  ltm_secret_wipe (buffer, len);

  if (key == NULL)
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_BAD_FILE,
                 _("The master key file %s does not hold a master key: 32 bytes, or their "
                   "base64 on one line."), display);

  return key;
}

/* @cause is consumed.  libsecret fails without an error when the user
 * dismisses its unlock prompt. */
static void
ltm_master_key_keyring_error (GError    *cause,
                              gboolean   loading,
                              GError   **error)
{
  if (cause == NULL)
    g_set_error_literal (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_LOCKED,
                         _("The desktop keyring is locked and was not unlocked."));
  else if (g_error_matches (cause, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_LOCKED,
                 _("The desktop keyring is locked and was not unlocked (%s)."), cause->message);
  else if (loading)
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_UNAVAILABLE,
                 _("No master key could be found: LTM_MASTER_KEY_FILE is not set, no credential "
                   "named ltm-master-key was given, and the desktop keyring could not be used "
                   "(%s)."), cause->message);
  else
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_UNAVAILABLE,
                 _("The desktop keyring could not be used (%s)."), cause->message);

  g_clear_error (&cause);
}

static gboolean
ltm_master_key_in_sandbox (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) || g_getenv ("SNAP_NAME") != NULL;
}

/* Whether libsecret keeps the keyring in a file that this process reads
 * (its file backend: chosen with SECRET_BACKEND, or inside a sandbox, with
 * its key from the Secret portal) rather than asking the Secret Service. */
static gboolean
ltm_master_key_uses_file_backend (void)
{
  return g_strcmp0 (g_getenv ("SECRET_BACKEND"), "file") == 0 || ltm_master_key_in_sandbox ();
}

/* Inside Flatpak (or a Snap) libsecret asks the session bus for the Secret
 * portal before it reads SECRET_BACKEND, and warns when there is no bus.
 * So where libsecret would ask, the bus is looked for first, and its
 * absence is an error like any other reason the keyring cannot be used. */
static gboolean
ltm_master_key_find_bus (GError **error)
{
  g_autoptr(GDBusConnection) bus = NULL;

  if (!ltm_master_key_in_sandbox ())
    return TRUE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);

  return bus != NULL;
}

/* The keyring item's text, wiped and freed with secret_password_free(). */
static char *
ltm_master_key_lookup (GHashTable  *attributes,
                       GError     **error)
{
  return secret_password_lookupv_sync (&ltm_master_key_schema, attributes, NULL, error);
}

static LtmSealKey *
ltm_master_key_load_keyring (const char  *store_id,
                             gboolean     create,
                             GError     **error)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  GError *local_error = NULL;
  LtmSealKey *key;
  char *found;

  g_hash_table_insert (attributes, "store", (gpointer) store_id);

  if (!ltm_master_key_find_bus (&local_error))
    {
      ltm_master_key_keyring_error (local_error, TRUE, error);
      return NULL;
    }

  /* Held from looking to storing: two threads of this process never make
   * two keys. */
  G_LOCK (keyring);

  found = ltm_master_key_lookup (attributes, &local_error);

  /* Not there, as far as this process knows: libsecret's file backend
   * before 0.21.1 (Debian 12 has 0.20.5) reads its file once per process,
   * and a key another process stored since (one that made the store, a
   * moment ago) is not seen.  Asked again of a fresh backend, which reads
   * the file anew (secret_service_disconnect() drops the backend too),
   * before concluding that there is none, or making one.  The Secret
   * Service is asked anew each time anyway. */
  if (found == NULL && local_error == NULL && ltm_master_key_uses_file_backend ())
    {
      secret_service_disconnect ();
      found = ltm_master_key_lookup (attributes, &local_error);
    }

  if (found == NULL && local_error == NULL && create)
    {
      g_autoptr(LtmSealKey) new_key = ltm_seal_key_generate ();
      g_autoptr(LtmSecret) text = g_base64_encode (ltm_seal_key_get_bytes (new_key),
                                                   LTM_SEAL_KEY_SIZE);
      gboolean stored;

      stored = secret_password_storev_sync (&ltm_master_key_schema, attributes,
                                            SECRET_COLLECTION_DEFAULT,
                                            _("LINE Token Manager master key"), text,
                                            NULL, &local_error);
      if (!stored)
        {
          G_UNLOCK (keyring);
          ltm_master_key_keyring_error (local_error, TRUE, error);
          return NULL;
        }

      /* Read back: only a key the keyring holds may seal anything. */
      found = ltm_master_key_lookup (attributes, &local_error);
    }

  G_UNLOCK (keyring);

  if (local_error != NULL)
    {
      ltm_master_key_keyring_error (local_error, TRUE, error);
      return NULL;
    }

  if (found == NULL)
    {
      g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_NOT_FOUND,
                   _("The desktop keyring holds no master key for the store %s."), store_id);
      return NULL;
    }

  key = ltm_master_key_decode ((const guint8 *) found, strlen (found));
  secret_password_free (found);

  if (key == NULL)
    g_set_error (error, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_DAMAGED,
                 _("The desktop keyring’s master key for the store %s is damaged: it is not "
                   "the base64 of 32 bytes."), store_id);

  return key;
}

/**
 * ltm_master_key_load:
 * @store_id: the store's random ID
 * @create: whether to make and keep a new key in the keyring when it has none
 * @out_source: (out) (optional): where the key was found
 * @out_location: (out) (optional) (transfer full): the file's path, or a
 *   description of the keyring
 * @error: return location for an error
 *
 * Finds the master key of a store: in the file LTM_MASTER_KEY_FILE names
 * (nowhere else when it is set), in the systemd credential ltm-master-key,
 * or in the desktop keyring.
 *
 * Returns: (transfer full) (nullable): the key, or %NULL with an
 *   %LTM_MASTER_KEY_ERROR
 */
LtmSealKey *
ltm_master_key_load (const char          *store_id,
                     gboolean             create,
                     LtmMasterKeySource  *out_source,
                     char               **out_location,
                     GError             **error)
{
  const char *file = g_getenv ("LTM_MASTER_KEY_FILE");
  const char *credentials = g_getenv ("CREDENTIALS_DIRECTORY");
  LtmSealKey *key;

  g_return_val_if_fail (store_id != NULL && *store_id != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (file != NULL && *file != '\0')
    {
      if ((key = ltm_master_key_read_file (file, FALSE, NULL, error)) == NULL)
        return NULL;

      if (out_source != NULL)
        *out_source = LTM_MASTER_KEY_SOURCE_FILE;
      if (out_location != NULL)
        *out_location = g_strdup (file);
      return key;
    }

  if (credentials != NULL && *credentials != '\0')
    {
      g_autofree char *path = g_build_filename (credentials, CREDENTIAL_NAME, NULL);
      gboolean missing = FALSE;

      key = ltm_master_key_read_file (path, TRUE, &missing, error);
      if (key != NULL)
        {
          if (out_source != NULL)
            *out_source = LTM_MASTER_KEY_SOURCE_CREDENTIAL;
          if (out_location != NULL)
            *out_location = g_steal_pointer (&path);
          return key;
        }
      if (!missing)
        return NULL;
    }

  if ((key = ltm_master_key_load_keyring (store_id, create, error)) == NULL)
    return NULL;

  if (out_source != NULL)
    *out_source = LTM_MASTER_KEY_SOURCE_KEYRING;
  if (out_location != NULL)
    *out_location = g_strdup (_("the desktop keyring"));

  return key;
}

/* Best effort: the new name itself reaches the disk. */
static void
ltm_master_key_sync_folder (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int fd = open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return;
  fsync (fd);
  close (fd);
}

static gboolean
ltm_master_key_write_all (int          fd,
                          const char  *data,
                          gsize        len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }

  return TRUE;
}

/**
 * ltm_master_key_write_file:
 * @path: the new file
 * @key: the key to write
 * @error: return location for an error
 *
 * Writes @key to a new file of mode 0600, as base64 and a newline, and
 * flushes it to the disk.  An existing file (or symbolic link) is never
 * overwritten: %G_IO_ERROR_EXISTS.
 *
 * Returns: whether the file was written
 */
gboolean
ltm_master_key_write_file (const char  *path,
                           LtmSealKey  *key,
                           GError     **error)
{
  g_autofree char *display = NULL;
  g_autoptr(LtmSecret) encoded = NULL;
  g_autoptr(LtmSecret) text = NULL;
  int saved_errno;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display = g_filename_display_name (path);

  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      if (saved_errno == EEXIST)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                     _("The file %s already exists; a master key file is never written over "
                       "another file."), display);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     _("The master key file %s could not be created: %s."),
                     display, g_strerror (saved_errno));
      return FALSE;
    }

  encoded = g_base64_encode (ltm_seal_key_get_bytes (key), LTM_SEAL_KEY_SIZE);
  text = g_strconcat (encoded, "\n", NULL);

  /* The umask may have taken bits away, never added any: 0600 exactly. */
  if (fchmod (fd, 0600) != 0 ||
      !ltm_master_key_write_all (fd, text, strlen (text)) ||
      fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_unlink (path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The master key file %s could not be written: %s."),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  if (close (fd) != 0)
    {
      saved_errno = errno;
      g_unlink (path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The master key file %s could not be written: %s."),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  ltm_master_key_sync_folder (path);

  return TRUE;
}

/**
 * ltm_master_key_forget:
 * @store_id: the store's random ID
 * @error: return location for an error
 *
 * Removes the store's master key from the desktop keyring.
 *
 * Returns: %TRUE when the keyring holds none (any more)
 */
gboolean
ltm_master_key_forget (const char  *store_id,
                       GError     **error)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  GError *no_bus = NULL;

  g_return_val_if_fail (store_id != NULL && *store_id != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_hash_table_insert (attributes, "store", (gpointer) store_id);

  if (!ltm_master_key_find_bus (&no_bus))
    {
      ltm_master_key_keyring_error (no_bus, FALSE, error);
      return FALSE;
    }

  /* One item is expected; any more (written by hand) go too.  Bounded, in
   * case a backend reports a removal it did not make. */
  for (int i = 0; i < 100; i++)
    {
      GError *local_error = NULL;
      gboolean cleared;

      G_LOCK (keyring);
      cleared = secret_password_clearv_sync (&ltm_master_key_schema, attributes, NULL,
                                             &local_error);
      G_UNLOCK (keyring);

      if (local_error != NULL)
        {
          ltm_master_key_keyring_error (local_error, FALSE, error);
          return FALSE;
        }
      if (!cleared)
        return TRUE;
    }

  return TRUE;
}
