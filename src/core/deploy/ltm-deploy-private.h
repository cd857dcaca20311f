/* ltm-deploy-private.h: what the deploy files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ltm_deploy_write_all (int          fd,
                               const char  *data,
                               gsize        len);

G_END_DECLS
