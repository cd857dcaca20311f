/* ltm-test-desktop-services.c: what a desktop's own services answer the
 * portals with, for a whole session rather than one test process
 * (.ci/flatpak-session):
 *
 *   ltm-test-desktop-services --pick FILE
 *
 * - org.freedesktop.Notifications, where the notification portal passes
 *   the app's notifications on: prints each as "notify SUMMARY<TAB>BODY";
 * - a file chooser backend of the portal's
 *   (org.freedesktop.impl.portal.desktop.ltmtest, named in the session's
 *   XDG_DESKTOP_PORTAL_DIR): OpenFile answers at once with FILE, as a
 *   person who picked it would, and prints "open-file APP_ID<TAB>TITLE".
 *   xdg-desktop-portal then hands the app FILE through the document
 *   portal, as it does with the GTK backend's dialog; nothing is typed
 *   into a dialog, so no keystroke can be lost on a busy machine.
 *
 * Prints "ready" once it owns both names; the printed strings are escaped
 * as C strings.  Exits when its standard input ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "ltm-test-dbus.h"

static const char file_chooser_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.impl.portal.FileChooser'>"
  "    <method name='OpenFile'>"
  "      <arg type='o' name='handle' direction='in'/>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='parent_window' direction='in'/>"
  "      <arg type='s' name='title' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='u' name='response' direction='out'/>"
  "      <arg type='a{sv}' name='results' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static char *picked_uri;

static void
print_escaped (const char *what,
               const char *first,
               const char *second)
{
  g_autofree char *escaped_first = g_strescape (first, NULL);
  g_autofree char *escaped_second = g_strescape (second, NULL);

  g_print ("%s %s\t%s\n", what, escaped_first, escaped_second);
  fflush (stdout);
}

static void
notified_cb (const char *summary,
             const char *body,
             gpointer    user_data)
{
  print_escaped ("notify", summary, body);
}

/* OpenFile: the file given with --pick, picked at once.  The portal's
 * Request object is not exported: the answer comes before anyone could
 * close it. */
static void
file_chooser_call_cb (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  g_auto(GVariantBuilder) results = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  const char *uris[] = { picked_uri, NULL };
  const char *app_id = NULL;
  const char *title = NULL;

  if (!g_str_equal (method_name, "OpenFile"))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "%s is not answered here", method_name);
      return;
    }

  g_variant_get_child (parameters, 1, "&s", &app_id);
  g_variant_get_child (parameters, 3, "&s", &title);
  print_escaped ("open-file", app_id, title);
  g_variant_builder_add (&results, "{sv}", "uris", g_variant_new_strv (uris, -1));
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(u@a{sv})", 0 /* success */,
                                                        g_variant_builder_end (&results)));
}

static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  char buffer[256];

  if (read (fd, buffer, sizeof buffer) > 0)
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  static const GDBusInterfaceVTable file_chooser_vtable = { file_chooser_call_cb };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 3 || !g_str_equal (argv[1], "--pick"))
    {
      g_printerr ("usage: ltm-test-desktop-services --pick FILE\n");
      return 2;
    }
  picked_uri = g_filename_to_uri (argv[2], NULL, &error);
  if (picked_uri == NULL)
    {
      g_printerr ("ltm-test-desktop-services: %s\n", error->message);
      return 2;
    }

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_printerr ("ltm-test-desktop-services: %s\n", error->message);
      return 1;
    }

  if (!ltm_test_dbus_serve_notifications (bus, notified_cb, NULL, &error) ||
      !ltm_test_dbus_serve (bus, "org.freedesktop.impl.portal.desktop.ltmtest",
                            "/org/freedesktop/portal/desktop", file_chooser_xml,
                            &file_chooser_vtable, NULL, &error))
    {
      g_printerr ("ltm-test-desktop-services: %s\n", error->message);
      return 1;
    }

  g_print ("ready\n");
  fflush (stdout);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, loop);
  g_main_loop_run (loop);
  g_free (picked_uri);

  return 0;
}
