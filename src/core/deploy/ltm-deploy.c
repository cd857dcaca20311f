/* ltm-deploy.c: delivering a channel's new token to where its bot reads it
 *
 * Two kinds of target, both optional, both kept in the store in plain:
 *
 *   an env file   rewritten atomically in its own folder (an anonymous
 *                 O_TMPFILE file, fsync, a temporary name, rename, fsync
 *                 of the folder: a run killed while writing leaves no
 *                 token behind, and what older ones left is removed) with
 *                 the variable's line replaced or added; every other line is
 *                 kept byte for byte, and the file keeps its mode and
 *                 owner; a new file is made 0600.  systemd's
 *                 EnvironmentFile=, docker run --env-file and a local
 *                 .env read it.  The old file is locked (flock, exclusive)
 *                 while it is replaced: a reader that holds a shared lock
 *                 while it reads and uses the token, and opens the file
 *                 again when it was replaced meanwhile, never uses a
 *                 token that a rotation revokes under it.
 *   a command     run with /bin/sh -c in a process group of its own, the
 *                 token on standard input and nowhere else (not in argv,
 *                 not in the environment, not on disk: standard input is
 *                 a memfd, so that a command that does not read it cannot
 *                 kill ltm with SIGPIPE); LTM_CHANNEL_ID,
 *                 LTM_TOKEN_KEY_ID and LTM_TOKEN_EXPIRES_AT tell it which
 *                 token it got.  Exit 0 is delivered; anything else, or
 *                 running past the timeout (then the group gets SIGTERM,
 *                 and SIGKILL a few seconds later), fails with the last
 *                 lines of its standard error.  Inside Flatpak it runs on
 *                 the host through flatpak-spawn --host, which needs the
 *                 app's permission to talk to org.freedesktop.Flatpak.
 *
 * ltm_deploy_async() delivers one stored token to every target and
 * records the outcome as the channel's last delivery.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-deploy.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ltm-text.h"

/* How many lines of a failed command's standard error the message keeps. */
#define STDERR_TAIL_LINES 5

/* The random letters of a temporary file's name, as mkstemp's XXXXXX. */
#define TEMPORARY_CHARS 6

G_DEFINE_QUARK (ltm-deploy-error-quark, ltm_deploy_error)

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

static gboolean
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

/* Deploy commands */

/* What a deploy command may run through in its last seconds. */
typedef enum {
  LTM_DEPLOY_STAGE_RUNNING,     /* until the timeout */
  LTM_DEPLOY_STAGE_TERMINATED,  /* SIGTERM sent; SIGKILL after the grace */
  LTM_DEPLOY_STAGE_KILLED,      /* SIGKILL sent; stop reading after the grace */
} LtmDeployStage;

typedef struct {
  GSubprocess *process;
  GSource *timeout;
  GCancellable *cancellable;    /* the caller's */
  GCancellable *reading;        /* standard error's reading */
  gulong cancelled_id;
  guint timeout_seconds;
  LtmDeployStage stage;
  gboolean on_host;
} LtmDeployCommand;

static void
ltm_deploy_command_free (LtmDeployCommand *state)
{
  if (state->timeout != NULL)
    {
      g_source_destroy (state->timeout);
      g_source_unref (state->timeout);
    }
  if (state->cancelled_id != 0)
    g_cancellable_disconnect (state->cancellable, state->cancelled_id);
  g_clear_object (&state->cancellable);
  g_clear_object (&state->reading);
  g_clear_object (&state->process);
  g_free (state);
}

/**
 * ltm_deploy_runs_on_host:
 *
 * Whether deploy commands run on the host through `flatpak-spawn --host`:
 * inside Flatpak, where the host's systemctl, gh, kubectl and curl are
 * not.  The tests set LTM_TEST_FLATPAK_INFO to a file of their own,
 * standing in for /.flatpak-info.
 *
 * Returns: %TRUE inside Flatpak
 */
gboolean
ltm_deploy_runs_on_host (void)
{
  const char *info = g_getenv ("LTM_TEST_FLATPAK_INFO");

  return g_file_test (info != NULL ? info : "/.flatpak-info", G_FILE_TEST_EXISTS);
}

static void
ltm_deploy_child_setup (gpointer user_data)
{
  /* A group of its own, so that the timeout stops what it started too. */
  setpgid (0, 0);
}

static void
ltm_deploy_signal_group (GSubprocess *process,
                         int          sig)
{
  const char *identifier = g_subprocess_get_identifier (process);

  if (identifier != NULL)
    kill (-(pid_t) g_ascii_strtoll (identifier, NULL, 10), sig);
}

static void ltm_deploy_command_arm (GTask *task,
                                    guint  seconds);

/* Past the timeout, SIGTERM to the command's group, SIGKILL to what is
 * still there after LTM_DEPLOY_KILL_GRACE, and after as long again
 * standard error is no longer waited for.
 *
 * Inside Flatpak the group is flatpak-spawn's, which forwards SIGTERM to
 * the host's /bin/sh only but SIGINT to its whole group on the host (the
 * session helper starts it with a session of its own): so SIGINT is sent
 * first, and stops what the shell runs in the foreground.  When SIGKILL
 * ends flatpak-spawn, --watch-bus has the session helper send SIGINT to
 * the host's group once more, if its shell still runs.  What ignores
 * SIGINT and outlives the shell on the host (a job the command put in the
 * background with &) is out of reach; it may hold standard error open,
 * which is why the reading stops at last. */
static gboolean
ltm_deploy_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  LtmDeployCommand *state = g_task_get_task_data (task);

  g_clear_pointer (&state->timeout, g_source_unref);

  switch (state->stage)
    {
    case LTM_DEPLOY_STAGE_RUNNING:
      state->stage = LTM_DEPLOY_STAGE_TERMINATED;
      if (state->on_host)
        ltm_deploy_signal_group (state->process, SIGINT);
      ltm_deploy_signal_group (state->process, SIGTERM);
      ltm_deploy_command_arm (task, LTM_DEPLOY_KILL_GRACE);
      break;

    case LTM_DEPLOY_STAGE_TERMINATED:
      state->stage = LTM_DEPLOY_STAGE_KILLED;
      ltm_deploy_signal_group (state->process, SIGKILL);
      ltm_deploy_command_arm (task, LTM_DEPLOY_KILL_GRACE);
      break;

    case LTM_DEPLOY_STAGE_KILLED:
    default:
      g_cancellable_cancel (state->reading);
      break;
    }

  return G_SOURCE_REMOVE;
}

static void
ltm_deploy_command_arm (GTask *task,
                        guint  seconds)
{
  LtmDeployCommand *state = g_task_get_task_data (task);

  state->timeout = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (state->timeout, ltm_deploy_timeout_cb, task, NULL);
  g_source_attach (state->timeout, g_main_context_get_thread_default ());
}

static void
ltm_deploy_cancelled_cb (GCancellable *cancellable,
                         gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* The last lines of @err, one line, controls escaped. */
static char *
ltm_deploy_stderr_tail (const char *err)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) tail = g_string_new (NULL);
  g_autofree char *stripped = g_strstrip (g_strdup (err != NULL ? err : ""));
  guint n;
  guint first;

  if (stripped[0] == '\0')
    return NULL;

  lines = g_strsplit (stripped, "\n", -1);
  n = g_strv_length (lines);
  first = n > STDERR_TAIL_LINES ? n - STDERR_TAIL_LINES : 0;
  for (guint i = first; i < n; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      if (tail->len > 0)
        g_string_append (tail, " / ");
      g_string_append (tail, lines[i]);
    }

  return ltm_text_escape_controls (tail->str, NULL);
}

/* flatpak-spawn's own complaint when it could not start the command on
 * the host: exit status 1 and "Portal call failed: WHY" (then a hint),
 * as when the app may not talk to org.freedesktop.Flatpak (ServiceUnknown
 * through the sandbox's D-Bus proxy, or AccessDenied).  Returns WHY, with
 * controls escaped, or %NULL when the command itself ran. */
static char *
ltm_deploy_host_refusal (const char *err)
{
  static const char prefix[] = "Portal call failed: ";
  g_autofree char *why = NULL;
  const char *end;

  if (err == NULL || !g_str_has_prefix (err, prefix))
    return NULL;

  err += strlen (prefix);
  end = strchr (err, '\n');
  why = g_strstrip (g_strndup (err, end != NULL ? (gsize) (end - err) : strlen (err)));

  return ltm_text_escape_controls (why, NULL);
}

static void
ltm_deploy_communicated_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmDeployCommand *state = g_task_get_task_data (task);
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tail = NULL;
  g_autofree char *refusal = NULL;
  gboolean timed_out = state->stage != LTM_DEPLOY_STAGE_RUNNING;
  int status;

  if (state->timeout != NULL)
    {
      g_source_destroy (state->timeout);
      g_clear_pointer (&state->timeout, g_source_unref);
    }

  if (!g_subprocess_communicate_finish (state->process, result, NULL, &err_bytes, &error))
    {
      ltm_deploy_signal_group (state->process, SIGKILL);
      /* Given up on after the timeout, not cancelled by the caller. */
      if (timed_out && !g_cancellable_is_cancelled (state->cancellable))
        g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_TIMED_OUT,
                                 _("The deploy command ran longer than %u seconds and was "
                                   "stopped."),
                                 state->timeout_seconds);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (err_bytes != NULL && g_bytes_get_size (err_bytes) > 0)
    err = g_utf8_make_valid (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
  tail = ltm_deploy_stderr_tail (err);

  if (timed_out)
    {
      g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_TIMED_OUT,
                               tail != NULL
                               ? _("The deploy command ran longer than %u seconds and was "
                                   "stopped: %s")
                               : _("The deploy command ran longer than %u seconds and was "
                                   "stopped."),
                               state->timeout_seconds, tail);
      return;
    }

  if (g_subprocess_get_if_exited (state->process))
    {
      status = g_subprocess_get_exit_status (state->process);
      if (status == 0)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      if (state->on_host && status == 1 && (refusal = ltm_deploy_host_refusal (err)) != NULL)
        {
          g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_HOST_DENIED,
                                   /* Translators: %s is why, in English, then the
                                    * app's ID; keep the command as it is */
                                   _("The deploy command could not be started on the host "
                                     "(%s). Inside Flatpak it runs there only with the "
                                     "permission to talk to org.freedesktop.Flatpak, given "
                                     "with: flatpak override --user "
                                     "--talk-name=org.freedesktop.Flatpak %s"),
                                   refusal, APPLICATION_ID);
          return;
        }
      g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_COMMAND_FAILED,
                               tail != NULL
                               ? _("The deploy command failed (exit status %d): %s")
                               : _("The deploy command failed (exit status %d)."),
                               status, tail);
      return;
    }

  g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_COMMAND_FAILED,
                           tail != NULL
                           ? _("The deploy command was killed by signal %d: %s")
                           : _("The deploy command was killed by signal %d."),
                           g_subprocess_get_term_sig (state->process), tail);
}

/* Inside Flatpak: the same command on the host, the three variables
 * given to flatpak-spawn (they are not secrets), standard input, output
 * and error passed on as they are.  --watch-bus: it ends when ltm does. */
static GSubprocess *
ltm_deploy_spawn_on_host (GSubprocessLauncher  *launcher,
                          const char           *command,
                          const char           *channel_id,
                          const char           *key_id,
                          const char           *expires_text,
                          GError              **error)
{
  g_autofree char *channel_env = g_strconcat ("--env=LTM_CHANNEL_ID=", channel_id, NULL);
  g_autofree char *key_env = g_strconcat ("--env=LTM_TOKEN_KEY_ID=", key_id, NULL);
  g_autofree char *expires_env = g_strconcat ("--env=LTM_TOKEN_EXPIRES_AT=", expires_text, NULL);

  return g_subprocess_launcher_spawn (launcher, error, "flatpak-spawn", "--host", "--watch-bus",
                                      channel_env, key_env, expires_env,
                                      "/bin/sh", "-c", command, NULL);
}

/**
 * ltm_deploy_run_command_async:
 * @command: a shell command line
 * @token: the access token, written to its standard input and nowhere else
 * @channel_id: LTM_CHANNEL_ID in its environment
 * @key_id: LTM_TOKEN_KEY_ID in its environment
 * @expires_at: LTM_TOKEN_EXPIRES_AT (ISO 8601, UTC) in its environment
 * @timeout_seconds: then the command and what it started are stopped; 0
 *   for %LTM_DEPLOY_COMMAND_TIMEOUT
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it ended
 * @user_data: data for @callback
 *
 * Runs @command with `/bin/sh -c`; inside Flatpak on the host, through
 * `flatpak-spawn --host` (see ltm_deploy_runs_on_host()).
 */
void
ltm_deploy_run_command_async (const char          *command,
                              const char          *token,
                              const char          *channel_id,
                              const char          *key_id,
                              gint64               expires_at,
                              guint                timeout_seconds,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autofree char *expires_text = NULL;
  g_autoptr(GError) error = NULL;
  LtmDeployCommand *state;
  int input;

  g_return_if_fail (command != NULL && token != NULL && channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_deploy_run_command_async);
  state = g_new0 (LtmDeployCommand, 1);
  state->timeout_seconds = timeout_seconds > 0 ? timeout_seconds : LTM_DEPLOY_COMMAND_TIMEOUT;
  state->on_host = ltm_deploy_runs_on_host ();
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_deploy_command_free);

  expires = g_date_time_new_from_unix_utc (expires_at);
  expires_text = expires != NULL ? g_date_time_format (expires, "%Y-%m-%dT%H:%M:%SZ")
                                 : g_strdup ("");

  /* The token in memory only, read from the start. */
  input = memfd_create ("ltm-token", MFD_CLOEXEC);
  if (input < 0 || !ltm_deploy_write_all (input, token, strlen (token)) ||
      lseek (input, 0, SEEK_SET) != 0)
    {
      int saved_errno = errno;

      if (input >= 0)
        close (input);
      g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_COMMAND_FAILED,
                               _("The deploy command could not be given the token: %s"),
                               g_strerror (saved_errno));
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_stdin_fd (launcher, input);
  /* Secrets this process may have been given stay here. */
  g_subprocess_launcher_unsetenv (launcher, "LTM_ACCESS_TOKEN");
  g_subprocess_launcher_unsetenv (launcher, "LTM_CHANNEL_SECRET");
  g_subprocess_launcher_set_child_setup (launcher, ltm_deploy_child_setup, NULL, NULL);

  if (state->on_host)
    state->process = ltm_deploy_spawn_on_host (launcher, command, channel_id,
                                               key_id != NULL ? key_id : "", expires_text,
                                               &error);
  else
    {
      g_subprocess_launcher_setenv (launcher, "LTM_CHANNEL_ID", channel_id, TRUE);
      g_subprocess_launcher_setenv (launcher, "LTM_TOKEN_KEY_ID", key_id != NULL ? key_id : "",
                                    TRUE);
      g_subprocess_launcher_setenv (launcher, "LTM_TOKEN_EXPIRES_AT", expires_text, TRUE);
      state->process = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c", command,
                                                    NULL);
    }
  if (state->process == NULL)
    {
      g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_COMMAND_FAILED,
                               _("The deploy command could not be started: %s"), error->message);
      return;
    }

  /* Standard error is read until the caller cancels, or the timeout gives
   * up on it. */
  state->reading = g_cancellable_new ();
  if (cancellable != NULL)
    {
      state->cancellable = g_object_ref (cancellable);
      state->cancelled_id = g_cancellable_connect (cancellable,
                                                   G_CALLBACK (ltm_deploy_cancelled_cb),
                                                   g_object_ref (state->reading),
                                                   g_object_unref);
    }

  ltm_deploy_command_arm (task, state->timeout_seconds);

  g_subprocess_communicate_async (state->process, NULL, state->reading,
                                  ltm_deploy_communicated_cb, g_steal_pointer (&task));
}

/**
 * ltm_deploy_run_command_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the command exited with 0
 */
gboolean
ltm_deploy_run_command_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_deploy_run_command_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Delivering a stored token to every target */

typedef struct {
  LtmStore *store;
  char *channel_id;
  char *key_id;
  gint64 expires_at;
  LtmDeployTargets targets;
  LtmSecret *token;
  GError *failure;              /* the delivery's, kept while it is recorded */
} LtmDeploy;

static void
ltm_deploy_free (LtmDeploy *state)
{
  g_clear_object (&state->store);
  g_free (state->channel_id);
  g_free (state->key_id);
  ltm_deploy_targets_clear (&state->targets);
  ltm_secret_free (state->token);
  g_clear_error (&state->failure);
  g_free (state);
}

/* The timeout; the tests set LTM_TEST_DEPLOY_TIMEOUT to wait less. */
static guint
ltm_deploy_get_timeout (void)
{
  const char *text = g_getenv ("LTM_TEST_DEPLOY_TIMEOUT");
  guint64 seconds = 0;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, 3600, &seconds, NULL))
    return seconds;

  return LTM_DEPLOY_COMMAND_TIMEOUT;
}

static void
ltm_deploy_recorded_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmDeploy *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (state->failure != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&state->failure));
      return;
    }

  /* Delivered, though the store could not say so: still delivered. */
  if (!ltm_store_change_finish (state->store, result, &error))
    g_warning ("The delivery to channel %s could not be recorded: %s", state->channel_id,
               error->message);

  g_task_return_boolean (task, TRUE);
}

static void
ltm_deploy_record (GTask *task)
{
  LtmDeploy *state = g_task_get_task_data (task);
  g_autofree char *message = NULL;

  if (state->failure != NULL)
    message = g_strdup (state->failure->message);
  /* Which targets took it: "delivered" is said by whoever shows it. */
  else if (state->targets.env_file != NULL && state->targets.command != NULL)
    message = g_strdup_printf (_("The env file and the deploy command took token %s."),
                               state->key_id);
  else if (state->targets.env_file != NULL)
    message = g_strdup_printf (_("The env file took token %s."), state->key_id);
  else
    message = g_strdup_printf (_("The deploy command took token %s."), state->key_id);

  ltm_store_set_delivery_async (state->store, state->channel_id,
                                state->failure != NULL ? LTM_DELIVERY_FAILED
                                                       : LTM_DELIVERY_DELIVERED,
                                g_get_real_time () / G_USEC_PER_SEC, message, NULL,
                                ltm_deploy_recorded_cb, task);
}

static void
ltm_deploy_command_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  LtmDeploy *state = g_task_get_task_data (task);

  ltm_deploy_run_command_finish (result, &state->failure);
  ltm_deploy_record (task);
}

static void
ltm_deploy_env_file_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  LtmDeploy *state = g_task_get_task_data (task);

  if (!g_task_propagate_boolean (G_TASK (result), &state->failure) ||
      state->targets.command == NULL)
    {
      ltm_deploy_record (task);
      return;
    }

  ltm_deploy_run_command_async (state->targets.command, state->token, state->channel_id,
                                state->key_id, state->expires_at, ltm_deploy_get_timeout (),
                                g_task_get_cancellable (task), ltm_deploy_command_cb, task);
}

static void
ltm_deploy_env_file_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  LtmDeploy *state = task_data;
  GError *error = NULL;

  if (state->targets.env_file != NULL &&
      !ltm_deploy_write_env_file (state->targets.env_file, state->targets.env_name, state->token,
                                  &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
ltm_deploy_token_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  LtmDeploy *state = g_task_get_task_data (task);
  g_autoptr(GTask) writer = NULL;
  GError *error = NULL;

  state->token = ltm_store_get_token_finish (state->store, result, &error);
  if (state->token == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  /* The file is written in a thread: fsync may take a while. */
  writer = g_task_new (NULL, NULL, ltm_deploy_env_file_cb, task);
  g_task_set_task_data (writer, state, NULL);
  g_task_run_in_thread (writer, ltm_deploy_env_file_thread);
}

/**
 * ltm_deploy_async:
 * @store: a loaded #LtmStore
 * @channel_id: a stored channel with at least one deploy target
 * @key_id: (nullable): the token to deliver; %NULL for the newest usable one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Delivers the token to the env file, then to the command, and records
 * the outcome as the channel's last delivery.
 */
void
ltm_deploy_async (LtmStore            *store,
                  const char          *channel_id,
                  const char          *key_id,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmChannel *channel;
  LtmToken *token;
  LtmDeploy *state;
  GError *error = NULL;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_deploy_async);

  if ((channel = ltm_store_lookup_channel (store, channel_id, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!ltm_channel_has_deploy_target (channel))
    {
      g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_NO_TARGET,
                               _("The channel %s has no deploy target."), channel_id);
      return;
    }

  token = ltm_store_lookup_token (store, channel_id, key_id, g_get_real_time () / G_USEC_PER_SEC,
                                  &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state = g_new0 (LtmDeploy, 1);
  state->store = g_object_ref (store);
  state->channel_id = g_strdup (channel_id);
  state->key_id = g_strdup (ltm_token_get_key_id (token));
  state->expires_at = ltm_token_get_expires_at (token);
  ltm_channel_get_deploy_targets (channel, &state->targets);
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_deploy_free);

  ltm_store_get_token_async (store, channel_id, state->key_id, cancellable,
                             ltm_deploy_token_cb, g_steal_pointer (&task));
}

/**
 * ltm_deploy_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if every target took the token
 */
gboolean
ltm_deploy_finish (GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_deploy_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
