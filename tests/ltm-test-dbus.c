/* ltm-test-dbus.c: desktop services the tests serve on a bus of their own
 *
 * The notification server here is the one both the window's tests (in
 * their own process) and .ci/flatpak-session (ltm-test-desktop-services,
 * for a whole session) answer the app with: each notification goes to a
 * function of theirs, and nothing warns for want of a server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-dbus.h"

static const char ltm_test_dbus_notifications_xml[] =
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

typedef struct {
  LtmTestNotifyFunc func;
  gpointer user_data;
  guint32 last_id;
} LtmTestDbusNotifications;

static void
ltm_test_dbus_notifications_call (GDBusConnection       *connection,
                                  const char            *sender,
                                  const char            *object_path,
                                  const char            *interface_name,
                                  const char            *method_name,
                                  GVariant              *parameters,
                                  GDBusMethodInvocation *invocation,
                                  gpointer               user_data)
{
  LtmTestDbusNotifications *self = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary = NULL;
      const char *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      self->func (summary, body, self->user_data);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", ++self->last_id));
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

/**
 * ltm_test_dbus_serve:
 *
 * Serves the one interface of @xml at @path with @vtable and @user_data,
 * and owns @name on @bus, without queueing for it.
 *
 * Returns: whether it does; if not, @error says why
 */
gboolean
ltm_test_dbus_serve (GDBusConnection            *bus,
                     const char                 *name,
                     const char                 *path,
                     const char                 *xml,
                     const GDBusInterfaceVTable *vtable,
                     gpointer                    user_data,
                     GError                    **error)
{
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 result;

  info = g_dbus_node_info_new_for_xml (xml, error);
  if (info == NULL ||
      g_dbus_connection_register_object (bus, path, info->interfaces[0], vtable, user_data, NULL,
                                         error) == 0)
    return FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", name, 0x4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       error);
  if (reply == NULL)
    return FALSE;

  g_variant_get (reply, "(u)", &result);
  if (result != 1 /* PRIMARY_OWNER */)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ADDRESS_IN_USE, "%s has an owner", name);
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_test_dbus_serve_notifications:
 *
 * Serves org.freedesktop.Notifications on @bus for the rest of the
 * process (once a process): each notification is passed to @func.
 *
 * Returns: whether it does; if not, @error says why
 */
gboolean
ltm_test_dbus_serve_notifications (GDBusConnection   *bus,
                                   LtmTestNotifyFunc  func,
                                   gpointer           user_data,
                                   GError           **error)
{
  static const GDBusInterfaceVTable vtable = { ltm_test_dbus_notifications_call };
  /* One server a process, for as long as the process lives. */
  static LtmTestDbusNotifications self;

  g_return_val_if_fail (self.func == NULL, FALSE);

  self.func = func;
  self.user_data = user_data;

  return ltm_test_dbus_serve (bus, "org.freedesktop.Notifications",
                              "/org/freedesktop/Notifications", ltm_test_dbus_notifications_xml,
                              &vtable, &self, error);
}
