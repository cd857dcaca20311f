/* ltm-test-notification-server.c: a desktop notification server of the
 * tests' own, for a whole session rather than one test process (.ci/flatpak,
 * where the notification portal passes the app's notifications on to
 * org.freedesktop.Notifications).
 *
 *   ltm-test-notification-server
 *
 * Owns org.freedesktop.Notifications on the session bus, then prints
 * "ready"; prints each notification as "notify SUMMARY<TAB>BODY", both
 * escaped as C strings; exits when its standard input ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

static const char introspection_xml[] =
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

static guint32 last_id;

static void
method_call_cb (GDBusConnection       *connection,
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
      g_autofree char *escaped_summary = NULL;
      g_autofree char *escaped_body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      escaped_summary = g_strescape (summary, NULL);
      escaped_body = g_strescape (body, NULL);
      g_print ("notify %s\t%s\n", escaped_summary, escaped_body);
      fflush (stdout);
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
  static const GDBusInterfaceVTable vtable = { method_call_cb };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_printerr ("ltm-test-notification-server: %s\n", error->message);
      return 1;
    }

  info = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  g_assert_no_error (error);
  if (g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                         info->interfaces[0], &vtable, NULL, NULL,
                                         &error) == 0)
    {
      g_printerr ("ltm-test-notification-server: %s\n", error->message);
      return 1;
    }

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications",
                                                      0x4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  if (reply == NULL)
    {
      g_printerr ("ltm-test-notification-server: %s\n", error->message);
      return 1;
    }
  g_variant_get (reply, "(u)", &result);
  if (result != 1 /* PRIMARY_OWNER */)
    {
      g_printerr ("ltm-test-notification-server: org.freedesktop.Notifications has an owner\n");
      return 1;
    }

  g_print ("ready\n");
  fflush (stdout);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, loop);
  g_main_loop_run (loop);

  return 0;
}
