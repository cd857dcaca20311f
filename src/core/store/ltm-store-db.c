/* ltm-store-db.c: store.sqlite3, the one database behind LtmStore
 *
 *   meta      name → value: the store's random ID, its generation, the
 *             sealed check value of the master key
 *   channels  one row a channel, in the order they were added; the
 *             assertion key and the channel secret sealed in the row
 *   tokens    one row a token of a channel, its access token sealed in
 *             the row (and dropped once revoked); a token a rotation
 *             replaced is "replaced" (since retire_at) or "retiring"
 *             (revoked at retire_at)
 *   webhook_events   the last events the receiver recorded per channel,
 *             the body they came in sealed in the row
 *   webhook_restores the webhook URL to put back after `listen
 *             --public-url`, one row a channel while it is pending
 *   webhook_bots  the bot's own user ID, as bot info last gave it: the
 *             destination of the events made here
 *
 * A channel's deploy targets (an env file and a command) and its last
 * delivery are plain columns of its row: they are not secrets.
 *
 * Secrets are sealed with AES-256-GCM (ltm-seal.c) under the master key
 * (ltm-master-key.c); the associated data names the row (format, channel,
 * kind, key ID), so that a sealed value copied to another row does not
 * open.  The database holds a sealed check value, so that a wrong master
 * key is told apart from damage.
 *
 * The file is mode 0600 in a 0700 folder (SQLite gives its -wal and -shm
 * the database's mode), WAL journal, foreign keys on, a bounded busy
 * timeout.  Every change is one BEGIN IMMEDIATE transaction that also
 * moves the generation forward; several processes share the file safely.
 * A file SQLite cannot read is never written to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ltm-store.h"
#include "ltm-store-private.h"

/* How long a change waits for another process's transaction. */
#define BUSY_TIMEOUT_MS 15000

struct _LtmStoreDb
{
  sqlite3 *handle;
  char *path;
  char *store_id;
};

/* The database's schema, PRAGMA user_version; a newer one is never touched. */
#define LTM_STORE_SCHEMA_VERSION 3

/* Schema migrations: migrations[i] brings user_version i to i + 1.  Each
 * runs in the transaction that sets the new version. */
static const char *const migrations[] = {
  /* 0 → 1: the first schema */
  "CREATE TABLE meta ("
  "  name TEXT PRIMARY KEY NOT NULL,"
  "  value"
  ");"
  "CREATE TABLE channels ("
  "  position INTEGER PRIMARY KEY,"
  "  channel_id TEXT NOT NULL UNIQUE,"
  "  name TEXT,"
  "  kid TEXT,"
  "  key_thumbprint TEXT,"
  "  key_created INTEGER NOT NULL DEFAULT 0,"
  "  sealed_key BLOB,"
  "  sealed_secret BLOB,"
  "  rev INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE tokens ("
  "  channel_id TEXT NOT NULL REFERENCES channels (channel_id) ON DELETE CASCADE,"
  "  key_id TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  issued_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  revoked INTEGER NOT NULL DEFAULT 0,"
  "  unknown INTEGER NOT NULL DEFAULT 0,"
  "  sealed_token BLOB,"
  "  UNIQUE (channel_id, key_id)"
  ");"
  "INSERT INTO meta (name, value) VALUES ('generation', 0);",

  /* 1 → 2: deploy targets and the last delivery per channel (plain: they
   * are not secrets); a replaced token's retirement and its time */
  "ALTER TABLE channels ADD COLUMN env_file TEXT;"
  "ALTER TABLE channels ADD COLUMN env_name TEXT;"
  "ALTER TABLE channels ADD COLUMN deploy_command TEXT;"
  "ALTER TABLE channels ADD COLUMN grace INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE channels ADD COLUMN delivery TEXT;"
  "ALTER TABLE channels ADD COLUMN delivered_at INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE channels ADD COLUMN delivery_message TEXT;"
  "ALTER TABLE tokens ADD COLUMN retirement TEXT;"
  "ALTER TABLE tokens ADD COLUMN retire_at INTEGER NOT NULL DEFAULT 0;",

  /* 2 → 3: the webhook events the receiver recorded, each body sealed
   * in its row (it holds user IDs and what people wrote); the webhook URL
   * to put back, kept while a public URL stands in for it; the bot's own
   * user ID (plain: LINE puts it in every body it sends the bot, and it
   * is no person's) */
  "CREATE TABLE webhook_events ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  channel_id TEXT NOT NULL REFERENCES channels (channel_id) ON DELETE CASCADE,"
  "  received_at INTEGER NOT NULL,"
  "  event_index INTEGER NOT NULL,"
  "  event_id TEXT,"
  "  event_type TEXT,"
  "  signature TEXT NOT NULL,"
  "  bot_state TEXT NOT NULL,"
  "  bot_status INTEGER NOT NULL DEFAULT 0,"
  "  bot_time INTEGER NOT NULL DEFAULT -1,"
  "  bot_late INTEGER NOT NULL DEFAULT 0,"
  "  bot_message TEXT,"
  "  sealed_body BLOB"
  ");"
  "CREATE INDEX webhook_events_by_channel ON webhook_events (channel_id, id);"
  "CREATE TABLE webhook_restores ("
  "  channel_id TEXT PRIMARY KEY NOT NULL REFERENCES channels (channel_id) ON DELETE CASCADE,"
  "  endpoint TEXT,"
  "  public_url TEXT NOT NULL,"
  "  since INTEGER NOT NULL"
  ");"
  "CREATE TABLE webhook_bots ("
  "  channel_id TEXT PRIMARY KEY NOT NULL REFERENCES channels (channel_id) ON DELETE CASCADE,"
  "  user_id TEXT NOT NULL,"
  "  fetched_at INTEGER NOT NULL"
  ");",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == LTM_STORE_SCHEMA_VERSION);

/* Errors */

gboolean
ltm_store_db_fail (LtmStoreDb  *db,
                   int          rc,
                   GError     **error)
{
  const char *detail = db->handle != NULL ? sqlite3_errmsg (db->handle) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED,
                   _("The store “%s” is damaged (%s). It was left as it is; nothing was changed."),
                   db->path, detail);
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_BUSY,
                   _("Another program kept the store “%s” busy for more than %d seconds; "
                     "nothing was changed."), db->path, BUSY_TIMEOUT_MS / 1000);
      break;

    default:
      {
        int system_errno = db->handle != NULL ? sqlite3_system_errno (db->handle) : 0;

        if (system_errno != 0)
          g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                       _("Could not use the store “%s”: %s (%s)."), db->path, detail,
                       g_strerror (system_errno));
        else
          g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                       _("Could not use the store “%s”: %s."), db->path, detail);
      }
      break;
    }

  return FALSE;
}

static gboolean
ltm_store_db_exec (LtmStoreDb  *db,
                   const char  *sql,
                   GError     **error)
{
  int rc = sqlite3_exec (db->handle, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

sqlite3_stmt *
ltm_store_db_prepare (LtmStoreDb  *db,
                      const char  *sql,
                      GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db->handle, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      ltm_store_db_fail (db, rc, error);
      return NULL;
    }

  return stmt;
}

/* Runs @stmt one step: a row, or done. */
gboolean
ltm_store_db_step (LtmStoreDb    *db,
                   sqlite3_stmt  *stmt,
                   GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

/* Binding: by name, and a bind that fails says so.  A value that is not
 * bound would be stored as NULL, and a secret lost without a word. */

static gboolean
ltm_store_bind_fail (sqlite3_stmt  *stmt,
                     const char    *name,
                     int            rc,
                     GError       **error)
{
  const char *path = sqlite3_db_filename (sqlite3_db_handle (stmt), "main");

  if (rc == SQLITE_RANGE)
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                 _("Could not use the store “%s”: a statement has no parameter %s."), path, name);
  else
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                 _("Could not use the store “%s”: %s (the parameter %s)."), path,
                 sqlite3_errstr (rc), name);

  return FALSE;
}

/* The index of the parameter @name (":channel_id"), or 0 with @error. */
static int
ltm_store_bind_index (sqlite3_stmt  *stmt,
                      const char    *name,
                      GError       **error)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index == 0)
    ltm_store_bind_fail (stmt, name, SQLITE_RANGE, error);

  return index;
}

/* What SQLite answered a bind of @name: %TRUE for SQLITE_OK. */
static gboolean
ltm_store_bind_check (sqlite3_stmt  *stmt,
                      const char    *name,
                      int            rc,
                      GError       **error)
{
  return rc == SQLITE_OK || ltm_store_bind_fail (stmt, name, rc, error);
}

/**
 * ltm_store_bind_text:
 * @stmt: a prepared statement
 * @name: the parameter, as the SQL names it (":channel_id")
 * @value: (nullable): the text; %NULL for SQL NULL
 * @error: return location for a #GError
 *
 * Binds @value, copied, so that it may go before the statement runs.
 *
 * Returns: %TRUE on success; %FALSE with @error when the statement has
 *   no such parameter or SQLite refuses the value
 */
gboolean
ltm_store_bind_text (sqlite3_stmt  *stmt,
                     const char    *name,
                     const char    *value,
                     GError       **error)
{
  int index = ltm_store_bind_index (stmt, name, error);

  return index > 0 &&
         ltm_store_bind_check (stmt, name,
                               value != NULL
                               ? sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT)
                               : sqlite3_bind_null (stmt, index),
                               error);
}

/* As ltm_store_bind_text(), for an integer. */
gboolean
ltm_store_bind_int64 (sqlite3_stmt  *stmt,
                      const char    *name,
                      gint64         value,
                      GError       **error)
{
  int index = ltm_store_bind_index (stmt, name, error);

  return index > 0 &&
         ltm_store_bind_check (stmt, name, sqlite3_bind_int64 (stmt, index, value), error);
}

/* As ltm_store_bind_text(), for bytes (%NULL for SQL NULL). */
gboolean
ltm_store_bind_blob (sqlite3_stmt  *stmt,
                     const char    *name,
                     GBytes        *value,
                     GError       **error)
{
  int index = ltm_store_bind_index (stmt, name, error);
  gsize len = 0;
  const void *data = value != NULL ? g_bytes_get_data (value, &len) : NULL;

  return index > 0 &&
         ltm_store_bind_check (stmt, name,
                               value != NULL
                               ? sqlite3_bind_blob64 (stmt, index, data, len, SQLITE_TRANSIENT)
                               : sqlite3_bind_null (stmt, index),
                               error);
}

/* Reads one integer; FALSE with @error on failure. */
gboolean
ltm_store_db_query (LtmStoreDb  *db,
                    const char  *sql,
                    gint64      *out_value,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ltm_store_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return ltm_store_db_fail (db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, error);

  *out_value = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

/* Transactions */

gboolean
ltm_store_db_begin (LtmStoreDb  *db,
                    gboolean     write,
                    GError     **error)
{
  return ltm_store_db_exec (db, write ? "BEGIN IMMEDIATE" : "BEGIN", error);
}

gboolean
ltm_store_db_commit (LtmStoreDb  *db,
                     GError     **error)
{
  if (!ltm_store_db_exec (db, "COMMIT", error))
    {
      ltm_store_db_rollback (db);
      return FALSE;
    }

  return TRUE;
}

void
ltm_store_db_rollback (LtmStoreDb *db)
{
  if (db->handle != NULL && !sqlite3_get_autocommit (db->handle))
    sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
}

gint64
ltm_store_db_get_generation (LtmStoreDb  *db,
                             GError     **error)
{
  gint64 generation = -1;

  if (!ltm_store_db_query (db, "SELECT value FROM meta WHERE name = 'generation'",
                               &generation, error))
    return -1;

  return generation;
}

/* In a write transaction: the generation this change makes. */
gint64
ltm_store_db_next_generation (LtmStoreDb  *db,
                              GError     **error)
{
  if (!ltm_store_db_exec (db, "UPDATE meta SET value = value + 1 WHERE name = 'generation'",
                          error))
    return -1;

  return ltm_store_db_get_generation (db, error);
}

/* Opening */

static gboolean
ltm_store_db_migrate_schema (LtmStoreDb  *db,
                             const char  *store_id,
                             GError     **error)
{
  gint64 version = 0;

  if (!ltm_store_db_query (db, "PRAGMA user_version", &version, error))
    return FALSE;

  if (version > LTM_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NEWER_VERSION,
                   _("The store “%s” was written by a newer version of LINE Token Manager "
                     "(schema %lld); it was left as it is."),
                   db->path, (long long) version);
      return FALSE;
    }

  if (version == LTM_STORE_SCHEMA_VERSION)
    return TRUE;

  /* Once more under the write lock: another process may be doing it. */
  if (!ltm_store_db_begin (db, TRUE, error) ||
      !ltm_store_db_query (db, "PRAGMA user_version", &version, error))
    goto fail;

  for (; version < LTM_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *set_version = NULL;

      if (!ltm_store_db_exec (db, migrations[version], error))
        goto fail;

      if (version == 0)
        {
          /* Names the master key in the keyring: no two stores share one. */
          g_autofree char *new_id = store_id != NULL ? g_strdup (store_id)
                                                     : g_uuid_string_random ();
          g_autoptr(sqlite3_stmt) insert = NULL;

          insert = ltm_store_db_prepare (db, "INSERT INTO meta (name, value) "
                                         "VALUES ('store_id', :store_id)", error);
          if (insert == NULL ||
              !ltm_store_bind_text (insert, ":store_id", new_id, error) ||
              !ltm_store_db_step (db, insert, error))
            goto fail;
        }

      set_version = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, version + 1);
      if (!ltm_store_db_exec (db, set_version, error))
        goto fail;
    }

  return ltm_store_db_commit (db, error);

fail:
  ltm_store_db_rollback (db);
  return FALSE;
}

static char *
ltm_store_db_read_store_id (LtmStoreDb  *db,
                            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ltm_store_db_prepare (db, "SELECT value FROM meta WHERE name = 'store_id'", error);
  if (stmt == NULL)
    return NULL;

  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) != SQLITE_TEXT)
    {
      ltm_store_db_fail (db, SQLITE_CORRUPT, error);
      return NULL;
    }

  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static gboolean
ltm_store_db_reopen_immutable (LtmStoreDb  *db,
                               GError     **error)
{
  g_autofree char *uri = g_filename_to_uri (db->path, NULL, error);
  g_autofree char *immutable = NULL;
  int rc;

  if (uri == NULL)
    return FALSE;

  immutable = g_strconcat (uri, "?immutable=1", NULL);
  sqlite3_close_v2 (db->handle);
  db->handle = NULL;
  rc = sqlite3_open_v2 (immutable, &db->handle,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    return ltm_store_db_fail (db, rc, error);

  sqlite3_extended_result_codes (db->handle, TRUE);

  return TRUE;
}

/* Makes the folder (0700) and an empty database file (0600) when missing,
 * so that no umask decides who may read the store. */
static gboolean
ltm_store_db_create_file (const char  *dir,
                          const char  *path,
                          GError     **error)
{
  int saved_errno;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not create the folder “%s”: %s."), dir, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno != EEXIST)
    {
      saved_errno = errno;
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not create the store “%s”: %s."), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (fd >= 0)
    close (fd);

  return TRUE;
}

/**
 * ltm_store_db_lock_folder:
 * @dir: the data folder, made (0700) when missing
 * @error: return location for a #GError
 *
 * Locks @dir (flock, exclusive) against the other processes that would
 * make the store at the same moment, so that one at a time does.  Where
 * the file system cannot lock, it goes on unlocked.
 *
 * Returns: the lock, to close() when done, or -1 with @error set
 */
int
ltm_store_db_lock_folder (const char  *dir,
                          GError     **error)
{
  int saved_errno;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      (fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      saved_errno = errno;
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO,
                   _("Could not create the folder “%s”: %s."), dir, g_strerror (saved_errno));
      return -1;
    }

  while (flock (fd, LOCK_EX) != 0 && errno == EINTR)
    ;

  return fd;
}

static LtmStoreDb *
ltm_store_db_open_full (const char           *dir,
                        LtmStoreDbOpenFlags   flags,
                        const char           *store_id,
                        GError              **error);

/**
 * ltm_store_db_open:
 * @dir: the data folder
 * @flags: whether to create the store when missing
 * @error: return location for a #GError
 *
 * Opens store.sqlite3 in @dir and brings its schema up to date.  Without
 * %LTM_STORE_DB_OPEN_CREATE a missing store gives %NULL without an error:
 * nothing is created by reading.  (The first layout is migrated by the
 * store, ltm-store.c, once the database is open.)
 *
 * Returns: (transfer full) (nullable): the connection
 */
LtmStoreDb *
ltm_store_db_open (const char           *dir,
                   LtmStoreDbOpenFlags   flags,
                   GError              **error)
{
  return ltm_store_db_open_full (dir, flags, NULL, error);
}

/**
 * ltm_store_db_create:
 * @dir: the data folder
 * @store_id: the ID a new store gets
 * @error: return location for a #GError
 *
 * As ltm_store_db_open() with %LTM_STORE_DB_OPEN_CREATE, a new store named
 * @store_id.  When the store was there, or another process made it
 * meanwhile, it keeps its own ID: see ltm_store_db_get_store_id().
 *
 * Returns: (transfer full): the connection, or %NULL with @error set
 */
LtmStoreDb *
ltm_store_db_create (const char  *dir,
                     const char  *store_id,
                     GError     **error)
{
  return ltm_store_db_open_full (dir, LTM_STORE_DB_OPEN_CREATE, store_id, error);
}

static LtmStoreDb *
ltm_store_db_open_full (const char           *dir,
                        LtmStoreDbOpenFlags   flags,
                        const char           *store_id,
                        GError              **error)
{
  g_autoptr(LtmStoreDb) db = g_new0 (LtmStoreDb, 1);
  int rc;

  db->path = g_build_filename (dir, LTM_STORE_FILE_NAME, NULL);

  if (!g_file_test (db->path, G_FILE_TEST_EXISTS))
    {
      if (!(flags & LTM_STORE_DB_OPEN_CREATE))
        return NULL;
      if (!ltm_store_db_create_file (dir, db->path, error))
        return NULL;
    }

  rc = sqlite3_open_v2 (db->path, &db->handle,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      ltm_store_db_fail (db, rc, error);
      return NULL;
    }

  sqlite3_extended_result_codes (db->handle, TRUE);
  sqlite3_busy_timeout (db->handle, BUSY_TIMEOUT_MS);

  /* The first statement tells a database from a file that is not one.  A
   * store on a read-only file system is still read: nothing can change it
   * there, which SQLite needs to know to read a WAL database. */
  if (!(flags & LTM_STORE_DB_OPEN_CREATE) && !ltm_store_db_exec (db, "PRAGMA user_version", NULL))
    {
      if ((sqlite3_errcode (db->handle) & 0xff) == SQLITE_CANTOPEN &&
          !ltm_store_db_reopen_immutable (db, error))
        return NULL;
    }

  if (sqlite3_db_readonly (db->handle, "main") == 1)
    {
      if (!ltm_store_db_exec (db, "PRAGMA user_version", error) ||
          (db->store_id = ltm_store_db_read_store_id (db, error)) == NULL)
        return NULL;
      return g_steal_pointer (&db);
    }

  if (!ltm_store_db_exec (db, "PRAGMA journal_mode = WAL", error) ||
      !ltm_store_db_exec (db, "PRAGMA foreign_keys = ON", error) ||
      !ltm_store_db_exec (db, "PRAGMA synchronous = FULL", error) ||
      !ltm_store_db_exec (db, "PRAGMA secure_delete = ON", error) ||
      !ltm_store_db_migrate_schema (db, store_id, error))
    return NULL;

  if ((db->store_id = ltm_store_db_read_store_id (db, error)) == NULL)
    return NULL;

  return g_steal_pointer (&db);
}

void
ltm_store_db_close (LtmStoreDb *db)
{
  if (db == NULL)
    return;

  ltm_store_db_rollback (db);
  sqlite3_close_v2 (db->handle);
  g_free (db->path);
  g_free (db->store_id);
  g_free (db);
}

sqlite3 *
ltm_store_db_get_handle (LtmStoreDb *db)
{
  return db->handle;
}

const char *
ltm_store_db_get_store_id (LtmStoreDb *db)
{
  return db->store_id;
}

const char *
ltm_store_db_get_path (LtmStoreDb *db)
{
  return db->path;
}

/* Whether nothing can be written here: a store on a read-only file system. */
gboolean
ltm_store_db_is_readonly (LtmStoreDb *db)
{
  return sqlite3_db_readonly (db->handle, "main") == 1;
}

/* Reading the records */

static const char *
ltm_store_db_column_text (sqlite3_stmt *stmt,
                          int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/**
 * ltm_store_db_read:
 * @db: a connection, in a transaction
 * @channel_id: (nullable): one channel, or %NULL for all of them
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the records; with @channel_id a partial
 *   document, empty when the channel is not there
 */
LtmStoreDoc *
ltm_store_db_read (LtmStoreDb  *db,
                   const char  *channel_id,
                   GError     **error)
{
  g_autoptr(LtmStoreDoc) doc = ltm_store_doc_new ();
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(sqlite3_stmt) channels = NULL;
  g_autoptr(sqlite3_stmt) tokens = NULL;
  int rc;

  if ((doc->generation = ltm_store_db_get_generation (db, error)) < 0)
    return NULL;

  doc->partial = channel_id != NULL;

  /* One statement each for one channel and for all: a ":channel_id IS NULL OR"
   * would keep SQLite from the index, and a change would scan every token. */
#define CHANNEL_COLUMNS "SELECT channel_id, name, kid, key_thumbprint, key_created, " \
                        "sealed_secret IS NOT NULL, rev, env_file, env_name, deploy_command, " \
                        "grace, delivery, delivered_at, delivery_message FROM channels "
#define TOKEN_COLUMNS "SELECT channel_id, key_id, kind, issued_at, expires_at, revoked, unknown, " \
                      "retirement, retire_at FROM tokens "
  if (channel_id != NULL)
    {
      channels = ltm_store_db_prepare (db, CHANNEL_COLUMNS "WHERE channel_id = :channel_id",
                                       error);
      tokens = ltm_store_db_prepare (db, TOKEN_COLUMNS "WHERE channel_id = :channel_id "
                                     "ORDER BY rowid", error);
    }
  else
    {
      channels = ltm_store_db_prepare (db, CHANNEL_COLUMNS "ORDER BY position", error);
      tokens = ltm_store_db_prepare (db, TOKEN_COLUMNS "ORDER BY rowid", error);
    }
#undef CHANNEL_COLUMNS
#undef TOKEN_COLUMNS
  if (channels == NULL || tokens == NULL)
    return NULL;

  if (channel_id != NULL &&
      (!ltm_store_bind_text (channels, ":channel_id", channel_id, error) ||
       !ltm_store_bind_text (tokens, ":channel_id", channel_id, error)))
    return NULL;

  while ((rc = sqlite3_step (channels)) == SQLITE_ROW)
    {
      LtmChannelRecord *record = ltm_channel_record_new (ltm_store_db_column_text (channels, 0));

      record->name = g_strdup (ltm_store_db_column_text (channels, 1));
      record->kid = g_strdup (ltm_store_db_column_text (channels, 2));
      record->key_thumbprint = g_strdup (ltm_store_db_column_text (channels, 3));
      record->key_created = sqlite3_column_int64 (channels, 4);
      record->has_secret = sqlite3_column_int (channels, 5);
      record->rev = sqlite3_column_int64 (channels, 6);
      record->targets.env_file = g_strdup (ltm_store_db_column_text (channels, 7));
      record->targets.env_name = g_strdup (ltm_store_db_column_text (channels, 8));
      record->targets.command = g_strdup (ltm_store_db_column_text (channels, 9));
      record->targets.grace = sqlite3_column_int64 (channels, 10);
      ltm_delivery_status_from_string (ltm_store_db_column_text (channels, 11),
                                       &record->delivery);
      record->delivered_at = sqlite3_column_int64 (channels, 12);
      record->delivery_message = g_strdup (ltm_store_db_column_text (channels, 13));
      g_ptr_array_add (doc->channels, record);
      g_hash_table_insert (by_id, record->channel_id, record);
    }
  if (rc != SQLITE_DONE)
    {
      ltm_store_db_fail (db, rc, error);
      return NULL;
    }

  while ((rc = sqlite3_step (tokens)) == SQLITE_ROW)
    {
      LtmChannelRecord *record = g_hash_table_lookup (by_id, ltm_store_db_column_text (tokens, 0));
      LtmTokenKind kind = LTM_TOKEN_KIND_V21;
      LtmTokenRecord *token;

      if (record == NULL)
        continue;

      ltm_token_kind_from_string (ltm_store_db_column_text (tokens, 2), &kind);
      token = ltm_token_record_new (ltm_store_db_column_text (tokens, 1), kind,
                                    sqlite3_column_int64 (tokens, 3),
                                    sqlite3_column_int64 (tokens, 4));
      token->revoked = sqlite3_column_int (tokens, 5);
      token->unknown = sqlite3_column_int (tokens, 6);
      ltm_token_retirement_from_string (ltm_store_db_column_text (tokens, 7), &token->retirement);
      token->retire_at = sqlite3_column_int64 (tokens, 8);
      g_ptr_array_add (record->tokens, token);
    }
  if (rc != SQLITE_DONE)
    {
      ltm_store_db_fail (db, rc, error);
      return NULL;
    }

  return g_steal_pointer (&doc);
}
