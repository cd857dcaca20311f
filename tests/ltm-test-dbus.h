/* ltm-test-dbus.h: desktop services the tests serve on a bus of their own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A notification that reached the server: its summary (or title) and body. */
typedef void (*LtmTestNotifyFunc) (const char *summary,
                                   const char *body,
                                   gpointer    user_data);

gboolean ltm_test_dbus_serve               (GDBusConnection            *bus,
                                            const char                 *name,
                                            const char                 *path,
                                            const char                 *xml,
                                            const GDBusInterfaceVTable *vtable,
                                            gpointer                    user_data,
                                            GError                    **error);
gboolean ltm_test_dbus_serve_notifications (GDBusConnection            *bus,
                                            LtmTestNotifyFunc           func,
                                            gpointer                    user_data,
                                            GError                    **error);

G_END_DECLS
