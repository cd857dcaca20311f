/* ltm-async.h: running an _async call to its end, for the command line and
 * the tests (the window never waits)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void          ltm_async_result_cb (GObject       *source,
                                   GAsyncResult  *result,
                                   gpointer       user_data);
GAsyncResult *ltm_async_wait      (GAsyncResult **result);

G_END_DECLS
