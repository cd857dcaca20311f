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

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'>"
  "      <arg type='u'/><arg type='u'/>"
  "    </signal>"
  "    <signal name='ActionInvoked'>"
  "      <arg type='u'/><arg type='s'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

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

static guint32 last_id;
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
notifications_call_cb (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *object_path,
                       const char            *interface_name,
                       const char            *method_name,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary = NULL;
      const char *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      print_escaped ("notify", summary, body);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", ++last_id));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "ltm-test", "ltm", "1",
                                                            "1.2"));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
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

/* Serves @xml's interface at @path and owns @name, or says why not. */
static gboolean
serve (GDBusConnection            *bus,
       const char                 *name,
       const char                 *path,
       const char                 *xml,
       const GDBusInterfaceVTable *vtable)
{
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result;

  info = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  if (g_dbus_connection_register_object (bus, path, info->interfaces[0], vtable, NULL, NULL,
                                         &error) == 0)
    {
      g_printerr ("ltm-test-desktop-services: %s\n", error->message);
      return FALSE;
    }

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", name, 0x4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  if (reply == NULL)
    {
      g_printerr ("ltm-test-desktop-services: %s\n", error->message);
      return FALSE;
    }
  g_variant_get (reply, "(u)", &result);
  if (result != 1 /* PRIMARY_OWNER */)
    {
      g_printerr ("ltm-test-desktop-services: %s has an owner\n", name);
      return FALSE;
    }
  return TRUE;
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
  static const GDBusInterfaceVTable notifications_vtable = { notifications_call_cb };
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

  if (!serve (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
              notifications_xml, &notifications_vtable) ||
      !serve (bus, "org.freedesktop.impl.portal.desktop.ltmtest", "/org/freedesktop/portal/desktop",
              file_chooser_xml, &file_chooser_vtable))
    return 1;

  g_print ("ready\n");
  fflush (stdout);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, loop);
  g_main_loop_run (loop);
  g_free (picked_uri);

  return 0;
}
