/* ltm-deploy-command.c: the deploy command, a deploy target
 *
 * Run with /bin/sh -c in a process group of its own, the token on
 * standard input and nowhere else (not in argv, not in the environment,
 * not on disk: standard input is a memfd, so that a command that does not
 * read it cannot kill ltm with SIGPIPE); LTM_CHANNEL_ID, LTM_TOKEN_KEY_ID
 * and LTM_TOKEN_EXPIRES_AT tell it which token it got.  Exit 0 is
 * delivered; anything else, or running past the timeout (then the group
 * gets SIGTERM, and SIGKILL a few seconds later), fails with the last
 * lines of its standard error.  Inside Flatpak it runs on the host through
 * flatpak-spawn --host, which needs the app's permission to talk to
 * org.freedesktop.Flatpak.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-deploy.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ltm-deploy-private.h"
#include "ltm-text.h"

/* How many lines of a failed command's standard error the message keeps. */
#define STDERR_TAIL_LINES 5

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
  /* Unowned: the source goes with the task's data (ltm_deploy_command_free). */
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
