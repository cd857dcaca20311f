/* ltm-env-file.c: the env file, a deploy target
 *
 * Rewritten atomically in its own folder (an anonymous O_TMPFILE file,
 * fsync, a temporary name, rename, fsync of the folder: a run killed
 * while writing leaves no token behind, and what older ones left is
 * removed) with the variable's line replaced or added; every other line
 * is kept byte for byte, and the file keeps its mode and owner; a new
 * file is made 0600.  systemd's EnvironmentFile=, docker run --env-file
 * and a local .env read it.  The old file is locked (flock, exclusive)
 * while it is replaced: a reader that holds a shared lock while it reads
 * and uses the token, and opens the file again when it was replaced
 * meanwhile, never uses a token that a rotation revokes under it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-deploy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ltm-deploy-private.h"

/* The random letters of a temporary file's name, as mkstemp's XXXXXX. */
#define TEMPORARY_CHARS 6

/* Env files */

/* Whether @line (without its end) sets @name: "NAME=…" or "export NAME=…",
 * blanks allowed around. */
static gboolean
ltm_deploy_line_sets (const char *line,
                      gsize       len,
                      const char *name,
                      gsize      *out_prefix)
{
  const char *p = line;
  const char *end = line + len;
  gsize name_len = strlen (name);

  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if ((gsize) (end - p) > 7 && strncmp (p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t'))
    {
      p += 7;
      while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    }
  if ((gsize) (end - p) < name_len || strncmp (p, name, name_len) != 0)
    return FALSE;
  p += name_len;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (p == end || *p != '=')
    return FALSE;

  *out_prefix = p + 1 - line;

  return TRUE;
}

/* The file's text with @name's lines set to @token (or one added). */
static GString *
ltm_deploy_rewrite (const char *contents,
                    gsize       len,
                    const char *name,
                    const char *token)
{
  GString *out = g_string_sized_new (len + strlen (name) + strlen (token) + 2);
  const char *p = contents;
  const char *end = contents + len;
  gboolean found = FALSE;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *next = eol != NULL ? eol + 1 : end;
      gsize line_len = (eol != NULL ? eol : end) - p;
      gsize prefix = 0;
      gboolean cr = line_len > 0 && p[line_len - 1] == '\r';

      if (ltm_deploy_line_sets (p, cr ? line_len - 1 : line_len, name, &prefix))
        {
          /* The line's own start ("export NAME="), the token, its own end. */
          found = TRUE;
          g_string_append_len (out, p, prefix);
          g_string_append (out, token);
          if (cr)
            g_string_append_c (out, '\r');
          if (eol != NULL)
            g_string_append_c (out, '\n');
        }
      else
        g_string_append_len (out, p, next - p);

      p = next;
    }

  if (!found)
    {
      if (out->len > 0 && out->str[out->len - 1] != '\n')
        g_string_append_c (out, '\n');
      g_string_append_printf (out, "%s=%s\n", name, token);
    }

  return out;
}

static gboolean
ltm_deploy_env_error (GError     **error,
                      const char  *path,
                      const char  *what,
                      int          saved_errno)
{
  g_set_error (error, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_ENV_FILE,
               _("Could not write the env file “%s”: %s (%s)."), path, what,
               g_strerror (saved_errno));
  return FALSE;
}

/* Writes all of @data to @fd; FALSE with errno on failure. */
gboolean
ltm_deploy_write_all (int          fd,
                      const char  *data,
                      gsize        len)
{
  while (len > 0)
    {
      gssize written = write (fd, data, len);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        return FALSE;
      data += written;
      len -= written;
    }

  return TRUE;
}

/* The env file's text ("" when there is none yet), or %NULL with @error. */
static LtmSecret *
ltm_deploy_read_env_file (const char  *real,
                          const char  *path,
                          gboolean     exists,
                          gsize       *out_len,
                          GError     **error)
{
  g_autoptr(GError) read_error = NULL;
  char *contents = NULL;

  *out_len = 0;
  if (!exists)
    return g_strdup ("");

  if (!g_file_get_contents (real, &contents, out_len, &read_error))
    {
      g_set_error (error, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_ENV_FILE,
                   _("Could not read the env file “%s”: %s"), path, read_error->message);
      return NULL;
    }

  return contents;
}

/* Opens the env file and locks it, exclusive.  A writer before us may have
 * renamed a new file over the one we waited for: then the lock is on a
 * file nobody finds any more, and the one now at @real is locked instead.
 * So every writer past this point holds the lock of the file at @real,
 * and writers exclude each other.  Where the file system cannot lock,
 * the file is used unlocked and *@locked says so.  Returns -1 with errno,
 * ENOENT when there is no file. */
static int
ltm_deploy_lock_env_file (const char  *real,
                          struct stat *st,
                          gboolean    *locked)
{
  *locked = FALSE;

  for (;;)
    {
      struct stat now;
      int saved_errno;
      int fd;

      /* Not blocking in open(): a FIFO put there is refused below. */
      fd = open (real, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      if (fd < 0)
        return -1;
      if (fstat (fd, st) != 0)
        {
          saved_errno = errno;
          close (fd);
          errno = saved_errno;
          return -1;
        }
      if (!S_ISREG (st->st_mode))
        {
          close (fd);
          errno = EINVAL;
          return -1;
        }

      while (flock (fd, LOCK_EX) != 0)
        if (errno != EINTR)
          return fd;

      if (stat (real, &now) == 0 && now.st_dev == st->st_dev && now.st_ino == st->st_ino)
        {
          *locked = TRUE;
          return fd;
        }
      close (fd);
    }
}

/* Whether @name is one of our temporary files for the env file: @prefix
 * (".NAME.ltm-") and six letters or digits, as mkstemp and
 * ltm_deploy_link_temporary() make them. */
static gboolean
ltm_deploy_is_temporary_name (const char *name,
                              const char *prefix)
{
  gsize prefix_len = strlen (prefix);

  if (strncmp (name, prefix, prefix_len) != 0 || strlen (name) != prefix_len + TEMPORARY_CHARS)
    return FALSE;
  for (const char *p = name + prefix_len; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;

  return TRUE;
}

/* Removes the temporary files that runs which died before their rename
 * left beside the env file, each holding a token: regular files of ours
 * with a temporary name.  Links are not followed, anything else is left.
 *
 * Only called with the env file locked (ltm_deploy_lock_env_file()), and
 * every writer makes its temporary file under that lock, after this
 * sweep: so what is found here belongs to no running writer.  (Sweeping
 * only files older than the lock would have needed the file system's
 * clock, which is the server's on NFS and coarse on some file systems.)
 * The one exception is the first write of a new file where O_TMPFILE is
 * not supported: there is no file to lock yet, and if another writer
 * creates the file meanwhile and sweeps, that first write fails with an
 * error, never with a wrong file. */
static void
ltm_deploy_sweep (int         dir_fd,
                  const char *dir,
                  const char *base)
{
  g_autofree char *prefix = g_strdup_printf (".%s.ltm-", base);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (listing == NULL)
    return;

  /* Listed by path, looked at and removed relative to @dir_fd. */
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      struct stat st;

      if (ltm_deploy_is_temporary_name (entry, prefix) &&
          fstatat (dir_fd, entry, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISREG (st.st_mode) && st.st_uid == geteuid ())
        unlinkat (dir_fd, entry, 0);
    }
}

/* The new version's bytes, the old file's mode and owner, on disk. */
static gboolean
ltm_deploy_fill (int                fd,
                 GString           *text,
                 const struct stat *st)
{
  return ltm_deploy_write_all (fd, text->str, text->len) &&
         (st == NULL || fchmod (fd, st->st_mode & 07777) == 0) &&
         (st == NULL || (st->st_uid == geteuid () && st->st_gid == getegid ()) ||
          fchown (fd, st->st_uid, st->st_gid) == 0) &&
         fsync (fd) == 0;
}

/* Gives the anonymous file @fd the name @name in @dir_fd; -1 with errno. */
static int
ltm_deploy_link (int         fd,
                 int         dir_fd,
                 const char *name)
{
  char proc[64];

  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc, dir_fd, name, AT_SYMLINK_FOLLOW) == 0)
    return 0;
  if (errno != ENOENT)
    return -1;

  /* No /proc: the same without it, where we may (CAP_DAC_READ_SEARCH). */
  return linkat (fd, "", dir_fd, name, AT_EMPTY_PATH);
}

/* Links @fd to a new temporary name for @base; -1 with errno. */
static int
ltm_deploy_link_temporary (int         fd,
                           int         dir_fd,
                           const char *base,
                           char      **out_name)
{
  static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  for (int attempt = 0; attempt < 100; attempt++)
    {
      g_autoptr(GString) name = g_string_new (NULL);

      g_string_printf (name, ".%s.ltm-", base);
      for (int i = 0; i < TEMPORARY_CHARS; i++)
        g_string_append_c (name, letters[g_random_int_range (0, sizeof letters - 1)]);

      if (ltm_deploy_link (fd, dir_fd, name->str) == 0)
        {
          *out_name = g_string_free (g_steal_pointer (&name), FALSE);
          return 0;
        }
      if (errno != EEXIST)
        return -1;
    }

  errno = EEXIST;
  return -1;
}

/* The old way, where O_TMPFILE is not supported (some FUSE and network
 * file systems): a named temporary file from the start, renamed over. */
static gboolean
ltm_deploy_replace_named (const char         *dir,
                          const char         *real,
                          const char         *path,
                          GString            *text,
                          const struct stat  *st,
                          GError            **error)
{
  g_autofree char *tmp = NULL;
  int saved_errno;
  int fd;

  {
    g_autofree char *base = g_path_get_basename (real);
    tmp = g_strdup_printf ("%s/.%s.ltm-XXXXXX", dir, base);
  }

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return ltm_deploy_env_error (error, path, _("cannot create a file beside it"), errno);

  if (!ltm_deploy_fill (fd, text, st))
    {
      saved_errno = errno;
      close (fd);
      g_unlink (tmp);
      return ltm_deploy_env_error (error, path, _("cannot write the new version"), saved_errno);
    }

  if (close (fd) != 0 || g_rename (tmp, real) != 0)
    {
      saved_errno = errno;
      g_unlink (tmp);
      return ltm_deploy_env_error (error, path, _("cannot replace it"), saved_errno);
    }

  return TRUE;
}

/* Writes @text into an anonymous file in the env file's folder
 * (O_TMPFILE) and only then gives it a name: a run killed while it
 * writes leaves nothing on disk.  It replaces an old file by a temporary
 * name and rename, two system calls apart; a new file gets its own name
 * at once, or, when another writer made one meanwhile, *@raced is set
 * and nothing is changed.  @st: the old file's, %NULL for a new file. */
static gboolean
ltm_deploy_replace_file (int                 dir_fd,
                         const char         *dir,
                         const char         *real,
                         const char         *path,
                         GString            *text,
                         const struct stat  *st,
                         gboolean           *raced,
                         GError            **error)
{
  g_autofree char *base = g_path_get_basename (real);
  char *tmp = NULL;
  int saved_errno;
  int fd;

  *raced = FALSE;

  fd = openat (dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
    return ltm_deploy_replace_named (dir, real, path, text, st, error);
  if (fd < 0)
    return ltm_deploy_env_error (error, path, _("cannot create a file beside it"), errno);

  if (!ltm_deploy_fill (fd, text, st))
    {
      saved_errno = errno;
      close (fd);
      return ltm_deploy_env_error (error, path, _("cannot write the new version"), saved_errno);
    }

  if (st == NULL)
    {
      if (ltm_deploy_link (fd, dir_fd, base) != 0)
        {
          saved_errno = errno;
          close (fd);
          if (saved_errno == EEXIST)
            {
              *raced = TRUE;
              return FALSE;
            }
          return ltm_deploy_env_error (error, path, _("cannot replace it"), saved_errno);
        }
    }
  else if (ltm_deploy_link_temporary (fd, dir_fd, base, &tmp) != 0 ||
           renameat (dir_fd, tmp, dir_fd, base) != 0)
    {
      saved_errno = errno;
      if (tmp != NULL)
        unlinkat (dir_fd, tmp, 0);
      g_free (tmp);
      close (fd);
      return ltm_deploy_env_error (error, path, _("cannot replace it"), saved_errno);
    }

  g_free (tmp);
  close (fd);

  return TRUE;
}

/* One try at ltm_deploy_write_env_file(); *@again when a new file was
 * made by another writer meanwhile, and this one is to be read again. */
static gboolean
ltm_deploy_write_env_file_once (const char  *real,
                                const char  *path,
                                const char  *name,
                                const char  *token,
                                gboolean    *again,
                                GError     **error)
{
  g_autoptr(LtmSecret) contents = NULL;         /* it holds the old token */
  g_autoptr(GString) text = NULL;
  g_autofree char *dir = g_path_get_dirname (real);
  g_autofree char *base = g_path_get_basename (real);
  struct stat st;
  gboolean exists;
  gboolean locked = FALSE;
  gboolean ok;
  gsize len = 0;
  int lock_fd;
  int dir_fd;

  *again = FALSE;

  exists = g_stat (real, &st) == 0;
  if (!exists && errno != ENOENT)
    return ltm_deploy_env_error (error, path, _("cannot look at it"), errno);
  if (exists && !S_ISREG (st.st_mode))
    return ltm_deploy_env_error (error, path, _("not a regular file"), EINVAL);

  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return ltm_deploy_env_error (error, path, _("cannot create a file beside it"), errno);

  /* Readers that lock the file finish with the old token first; the
   * file is read under the lock, so that no other writer's change is lost. */
  lock_fd = ltm_deploy_lock_env_file (real, &st, &locked);
  if (lock_fd < 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      close (dir_fd);
      return ltm_deploy_env_error (error, path, _("cannot look at it"), saved_errno);
    }
  exists = lock_fd >= 0;

  if ((contents = ltm_deploy_read_env_file (real, path, exists, &len, error)) == NULL)
    ok = FALSE;
  else
    {
      if (locked)
        ltm_deploy_sweep (dir_fd, dir, base);
      text = ltm_deploy_rewrite (contents, len, name, token);
      ok = ltm_deploy_replace_file (dir_fd, dir, real, path, text, exists ? &st : NULL, again,
                                    error);
      /* The rename itself on disk. */
      if (ok)
        fsync (dir_fd);
    }

  if (lock_fd >= 0)
    close (lock_fd);
  close (dir_fd);

  return ok;
}

/**
 * ltm_deploy_write_env_file:
 * @path: the env file; followed when it is a symbolic link
 * @name: (nullable): the variable; %NULL for %LTM_DEPLOY_DEFAULT_ENV_NAME
 * @token: the access token
 * @error: return location for a #GError
 *
 * Sets `NAME=token` in @path atomically: a reader sees the old file or the
 * new one, never a part.  Other lines are kept byte for byte, the mode and
 * owner too; a new file is 0600.  What earlier runs that were killed while
 * writing left beside the file is removed.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_deploy_write_env_file (const char  *path,
                           const char  *name,
                           const char  *token,
                           GError     **error)
{
  g_autofree char *real = NULL;
  gboolean again = FALSE;
  gboolean ok;

  g_return_val_if_fail (path != NULL && token != NULL, FALSE);

  if (name == NULL)
    name = LTM_DEPLOY_DEFAULT_ENV_NAME;

  /* Rename replaces the link's target, not the link. */
  real = realpath (path, NULL);
  if (real == NULL)
    real = g_strdup (path);

  /* Again only when another writer made the file between our look and
   * our link, which then is an old file to replace under its lock. */
  do
    ok = ltm_deploy_write_env_file_once (real, path, name, token, &again, error);
  while (!ok && again);

  return ok;
}
