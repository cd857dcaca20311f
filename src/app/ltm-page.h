/* ltm-page.h: what the window's four pages share: the channel they show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-channel.h"

G_BEGIN_DECLS

#define LTM_TYPE_PAGE (ltm_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (LtmPage, ltm_page, LTM, PAGE, AdwBin)

struct _LtmPageClass
{
  AdwBinClass parent_class;

  /* Called once the page shows another channel (ltm_page_get_channel()
   * already returns it), before "channel" is notified: the page lets go
   * of @old_channel and what it showed of it. */
  void (*channel_changed) (LtmPage    *self,
                           LtmChannel *old_channel);
};

LtmChannel *ltm_page_get_channel (LtmPage    *self);
void        ltm_page_set_channel (LtmPage    *self,
                                  LtmChannel *channel);

G_END_DECLS
