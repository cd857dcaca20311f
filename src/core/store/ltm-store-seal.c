/* ltm-store-seal.c: sealing the store's secrets, and its master key
 *
 * Each secret is sealed with AES-256-GCM (ltm-seal.c) under the master
 * key (ltm-master-key.c); the associated data names its row (format,
 * channel, kind, key ID), so that a sealed value copied to another row
 * does not open.  The database holds a sealed check value, so that a
 * wrong master key is told apart from damage.  The master key is read
 * once per process and kept here, by store ID.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ltm-store.h"
#include "ltm-store-private.h"

/* The kind of the check value, sealed with the master key to tell a wrong
 * key from damage. */
#define KIND_CHECK "check"

/* Sealing */

/* The associated data: the format and the row a value belongs to. */
static GBytes *
ltm_store_seal_associated_data (const char *channel_id,
                                const char *kind,
                                const char *key_id)
{
  GByteArray *ad = g_byte_array_new ();
  const char *parts[] = { "ltm-store-1", channel_id, kind, key_id };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      const char *part = parts[i] != NULL ? parts[i] : "";

      /* Each part with its length, so that no two rows share one. */
      guint32 len = GUINT32_TO_BE (strlen (part));

      g_byte_array_append (ad, (const guint8 *) &len, sizeof len);
      g_byte_array_append (ad, (const guint8 *) part, strlen (part));
    }

  return g_byte_array_free_to_bytes (ad);
}

/* Any bytes, NULs included (a recorded webhook body), for its row. */
GBytes *
ltm_store_seal_bytes (LtmSealKey *key,
                      const char *channel_id,
                      const char *kind,
                      const char *key_id,
                      GBytes     *plain)
{
  g_autoptr(GBytes) ad = ltm_store_seal_associated_data (channel_id, kind, key_id);
  gsize ad_len, plain_len;
  const void *ad_data = g_bytes_get_data (ad, &ad_len);
  const void *plain_data = g_bytes_get_data (plain, &plain_len);

  return ltm_seal (key, ad_data, ad_len, plain_data, plain_len);
}

GBytes *
ltm_store_seal (LtmSealKey *key,
                const char *channel_id,
                const char *kind,
                const char *key_id,
                const char *plain)
{
  g_autoptr(GBytes) text = g_bytes_new_static (plain, strlen (plain));

  return ltm_store_seal_bytes (key, channel_id, kind, key_id, text);
}

LtmSecret *
ltm_store_unseal (LtmSealKey  *key,
                  const char  *channel_id,
                  const char  *kind,
                  const char  *key_id,
                  const void  *sealed,
                  gsize        sealed_len,
                  GError     **error)
{
  g_autoptr(GBytes) ad = ltm_store_seal_associated_data (channel_id, kind, key_id);
  gsize ad_len;
  const void *ad_data = g_bytes_get_data (ad, &ad_len);

  return ltm_unseal (key, ad_data, ad_len, sealed, sealed_len, error);
}

GBytes *
ltm_store_unseal_bytes (LtmSealKey  *key,
                        const char  *channel_id,
                        const char  *kind,
                        const char  *key_id,
                        const void  *sealed,
                        gsize        sealed_len,
                        GError     **error)
{
  g_autoptr(GBytes) ad = ltm_store_seal_associated_data (channel_id, kind, key_id);
  gsize ad_len;
  const void *ad_data = g_bytes_get_data (ad, &ad_len);

  return ltm_unseal_bytes (key, ad_data, ad_len, sealed, sealed_len, error);
}

/**
 * ltm_store_bind_sealed:
 * @stmt: a prepared statement
 * @name: the parameter, as the SQL names it (":sealed_token")
 * @key: the master key; unused when @plain is %NULL
 * @channel_id: the row's channel
 * @kind: KIND_KEY, KIND_SECRET or KIND_TOKEN
 * @key_id: (nullable): the row's token, for KIND_TOKEN
 * @plain: (nullable): the secret; %NULL for SQL NULL
 * @error: return location for a #GError
 *
 * Binds @plain sealed for its row, for the store and for the migration
 * of the first layout alike.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_bind_sealed (sqlite3_stmt  *stmt,
                       const char    *name,
                       LtmSealKey    *key,
                       const char    *channel_id,
                       const char    *kind,
                       const char    *key_id,
                       const char    *plain,
                       GError       **error)
{
  g_autoptr(GBytes) sealed = NULL;

  if (plain != NULL)
    sealed = ltm_store_seal (key, channel_id, kind, key_id, plain);

  return ltm_store_bind_blob (stmt, name, sealed, error);
}

/* The master key: read once per process and store */

typedef struct {
  LtmSealKey *key;
  LtmMasterKeySource source;
  char *location;
} LtmKnownKey;

G_LOCK_DEFINE_STATIC (known_keys);
G_LOCK_DEFINE_STATIC (loading_key);
static GHashTable *known_keys;  /* store ID → LtmKnownKey */
static int key_reads;           /* how often a key was asked for where it is kept */

static void
ltm_known_key_free (gpointer data)
{
  LtmKnownKey *known = data;

  ltm_seal_key_unref (known->key);
  g_free (known->location);
  g_free (known);
}

static LtmSealKey *
ltm_store_seal_lookup_known_key (const char *store_id)
{
  LtmKnownKey *known;
  LtmSealKey *key = NULL;

  G_LOCK (known_keys);
  if (known_keys != NULL && (known = g_hash_table_lookup (known_keys, store_id)) != NULL)
    key = ltm_seal_key_ref (known->key);
  G_UNLOCK (known_keys);

  return key;
}

/* Whether this process has read the master key of @store_id (%NULL: a
 * store not opened yet). */
gboolean
ltm_store_knows_master_key (const char *store_id)
{
  gboolean known;

  if (store_id == NULL)
    return FALSE;

  G_LOCK (known_keys);
  known = known_keys != NULL && g_hash_table_contains (known_keys, store_id);
  G_UNLOCK (known_keys);

  return known;
}

/* For the tests: this process forgets every master key it read, as a new
 * process starts, and says how often it asked where a key is kept. */
void
ltm_store_forget_master_keys (void)
{
  G_LOCK (known_keys);
  g_clear_pointer (&known_keys, g_hash_table_unref);
  G_UNLOCK (known_keys);
}

guint
ltm_store_count_master_key_reads (void)
{
  return g_atomic_int_get (&key_reads);
}

static void
ltm_store_seal_remember_key (const char         *store_id,
                             LtmSealKey         *key,
                             LtmMasterKeySource  source,
                             char               *location)
{
  LtmKnownKey *known = g_new0 (LtmKnownKey, 1);

  known->key = ltm_seal_key_ref (key);
  known->source = source;
  known->location = location;

  G_LOCK (known_keys);
  if (known_keys == NULL)
    known_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, ltm_known_key_free);
  g_hash_table_replace (known_keys, g_strdup (store_id), known);
  G_UNLOCK (known_keys);
}

/**
 * ltm_store_describe_master_key:
 * @db: a connection
 *
 * Returns: (transfer full) (nullable): where this process read the store's
 *   master key from, in words; %NULL if it has not read it
 */
char *
ltm_store_describe_master_key (LtmStoreDb *db)
{
  const char *store_id = ltm_store_db_get_store_id (db);
  LtmKnownKey *known;
  char *description = NULL;

  G_LOCK (known_keys);
  if (known_keys != NULL && (known = g_hash_table_lookup (known_keys, store_id)) != NULL)
    {
      switch (known->source)
        {
        case LTM_MASTER_KEY_SOURCE_FILE:
          description = g_strdup_printf (_("the file %s (LTM_MASTER_KEY_FILE)"), known->location);
          break;
        case LTM_MASTER_KEY_SOURCE_CREDENTIAL:
          description = g_strdup_printf (_("the credential %s"), known->location);
          break;
        case LTM_MASTER_KEY_SOURCE_KEYRING:
        default:
          description = g_strdup (_("the desktop keyring"));
          break;
        }
    }
  G_UNLOCK (known_keys);

  return description;
}

/* The master key's errors in the store's terms, with the same words. */
static void
ltm_store_seal_master_key_error (GError  *cause,
                                 GError **error)
{
  int code = LTM_STORE_ERROR_MASTER_KEY;

  if (g_error_matches (cause, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_UNAVAILABLE))
    code = LTM_STORE_ERROR_KEYRING_UNAVAILABLE;
  else if (g_error_matches (cause, LTM_MASTER_KEY_ERROR, LTM_MASTER_KEY_ERROR_LOCKED))
    code = LTM_STORE_ERROR_KEYRING_LOCKED;

  g_set_error_literal (error, LTM_STORE_ERROR, code, cause->message);
  g_error_free (cause);
}

/* The sealed check value, or NULL when nothing was ever sealed. */
static GBytes *
ltm_store_seal_read_check (LtmStoreDb  *db,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ltm_store_db_prepare (db, "SELECT value FROM meta WHERE name = 'check'", error);
  if (stmt == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      ltm_store_db_fail (db, rc, error);
      return NULL;
    }

  return g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
}

/* In a write transaction: seals the check value with @key. */
static gboolean
ltm_store_seal_write_check (LtmStoreDb  *db,
                            LtmSealKey  *key,
                            GError     **error)
{
  const char *store_id = ltm_store_db_get_store_id (db);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ltm_store_db_prepare (db, "INSERT INTO meta (name, value) VALUES ('check', :check)",
                               error);

  return stmt != NULL &&
         ltm_store_bind_sealed (stmt, ":check", key, store_id, KIND_CHECK, NULL, store_id,
                                error) &&
         ltm_store_db_step (db, stmt, error);
}

static LtmSealKey *
ltm_store_seal_load_master_key (LtmStoreDb  *db,
                                GBytes      *check,
                                GError     **error)
{
  const char *store_id = ltm_store_db_get_store_id (db);
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(LtmSecret) opened = NULL;
  LtmMasterKeySource source = LTM_MASTER_KEY_SOURCE_KEYRING;
  g_autofree char *location = NULL;
  GError *local_error = NULL;
  gboolean create = check == NULL;
  gsize len;
  const void *data;

  g_atomic_int_inc (&key_reads);
  key = ltm_master_key_load (store_id, create, &source, &location, &local_error);
  if (key == NULL)
    {
      ltm_store_seal_master_key_error (local_error, error);
      return NULL;
    }

  if (check == NULL)
    {
      if (!ltm_store_seal_write_check (db, key, error))
        return NULL;
    }
  else
    {
      data = g_bytes_get_data (check, &len);
      opened = ltm_store_unseal (key, store_id, KIND_CHECK, NULL, data, len, NULL);
      if (opened == NULL || g_strcmp0 (opened, store_id) != 0)
        {
          g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_WRONG_MASTER_KEY,
                       _("This store was sealed with another master key than the one in %s; "
                         "nothing was changed."), location);
          return NULL;
        }
    }

  ltm_store_seal_remember_key (store_id, key, source, g_steal_pointer (&location));

  return g_steal_pointer (&key);
}

/**
 * ltm_store_get_master_key:
 * @db: a connection
 * @create: make the master key when nothing was sealed yet; then @db must
 *   be in a write transaction, which serializes the making across processes
 * @error: return location for a #GError
 *
 * Read once per process; checked against the store's sealed check value.
 *
 * Returns: (transfer full): the master key, or %NULL with @error set
 *   (%LTM_STORE_ERROR_NOT_FOUND when nothing was sealed yet and !@create)
 */
LtmSealKey *
ltm_store_get_master_key (LtmStoreDb  *db,
                          gboolean     create,
                          GError     **error)
{
  const char *store_id = ltm_store_db_get_store_id (db);
  g_autoptr(GBytes) check = NULL;
  g_autoptr(GError) local_error = NULL;
  LtmSealKey *key;

  if ((key = ltm_store_seal_lookup_known_key (store_id)) != NULL)
    return key;

  /* One thread reads it; the others (a rotation starts sixteen at once)
   * wait for it rather than each asking the keyring. */
  G_LOCK (loading_key);
  if ((key = ltm_store_seal_lookup_known_key (store_id)) != NULL)
    goto out;

  check = ltm_store_seal_read_check (db, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto out;
    }

  if (check == NULL && !create)
    {
      g_set_error_literal (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                           _("Nothing is sealed in this store yet."));
      goto out;
    }

  key = ltm_store_seal_load_master_key (db, check, error);

out:
  G_UNLOCK (loading_key);

  return key;
}

/**
 * ltm_store_init_master_key:
 * @db: a connection, in a write transaction
 * @key: a new master key
 * @error: return location for a #GError
 *
 * Seals the store with @key, which the caller keeps (in a file).  A store
 * that has its master key keeps it: %LTM_STORE_ERROR_EXISTS.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_init_master_key (LtmStoreDb  *db,
                           LtmSealKey  *key,
                           GError     **error)
{
  g_autoptr(GBytes) check = NULL;
  g_autoptr(GError) local_error = NULL;

  check = ltm_store_seal_read_check (db, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (check != NULL)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("The store “%s” has a master key already; it keeps it."),
                   ltm_store_db_get_path (db));
      return FALSE;
    }

  return ltm_store_seal_write_check (db, key, error);
}

/* Under the folder's lock: the master key for a new store ID, then the
 * store with that ID and the key's check value. */
static LtmStoreDb *
ltm_store_seal_create_locked (const char  *dir,
                              GError     **error)
{
  g_autofree char *store_id = g_uuid_string_random ();
  g_autofree char *location = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(LtmStoreDb) db = NULL;
  g_autoptr(GError) local_error = NULL;
  LtmMasterKeySource source = LTM_MASTER_KEY_SOURCE_KEYRING;

  g_atomic_int_inc (&key_reads);
  key = ltm_master_key_load (store_id, TRUE, &source, &location, &local_error);
  if (key == NULL)
    {
      ltm_store_seal_master_key_error (g_steal_pointer (&local_error), error);
      return NULL;
    }

  db = ltm_store_db_create (dir, store_id, error);

  /* A process that makes the store without sealing does not wait for the
   * lock: when one did so meanwhile, its store is used, and the keyring
   * item made here, which names nothing, goes. */
  if (db == NULL || !g_str_equal (ltm_store_db_get_store_id (db), store_id))
    {
      if (source == LTM_MASTER_KEY_SOURCE_KEYRING && !ltm_master_key_forget (store_id, &local_error))
        g_debug ("The master key made for a store that was not: %s", local_error->message);
      return g_steal_pointer (&db);
    }

  if (!ltm_store_db_begin (db, TRUE, error))
    return NULL;

  /* A process that found the new store before its check value was written
   * (without waiting for the lock) may have sealed it meanwhile, with the
   * key the keyring now holds for this ID: this one.  The key is then read
   * and checked as any other process would. */
  if (!ltm_store_init_master_key (db, key, &local_error))
    {
      ltm_store_db_rollback (db);
      if (!g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return g_steal_pointer (&db);
    }

  if (!ltm_store_db_commit (db, error))
    return NULL;

  ltm_store_seal_remember_key (store_id, key, source, g_steal_pointer (&location));

  return g_steal_pointer (&db);
}

/**
 * ltm_store_create_sealed:
 * @dir: the data folder, where there is no store yet
 * @error: return location for a #GError
 *
 * Makes the store for a first change that seals: its master key first,
 * for a new store ID, then the database with that ID and the key's check
 * value.  When there is no master key to be had (no key file, no
 * credential, no keyring, or the keyring stays locked), no store is left
 * on disk.  Processes that do this at once do it one after the other,
 * under a lock on the folder: the later ones find the store made.
 *
 * Returns: (transfer full): a connection, or %NULL with @error set
 */
LtmStoreDb *
ltm_store_create_sealed (const char  *dir,
                         GError     **error)
{
  g_autofree char *path = g_build_filename (dir, LTM_STORE_FILE_NAME, NULL);
  LtmStoreDb *db;
  int lock;

  if ((lock = ltm_store_db_lock_folder (dir, error)) < 0)
    return NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    db = ltm_store_db_open (dir, LTM_STORE_DB_OPEN_CREATE, error);
  else
    db = ltm_store_seal_create_locked (dir, error);

  close (lock);

  return db;
}
