/* ltm-store-legacy.h: the first layout, channels.json and one keyring item
 * per secret, migrated into the database on first open
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ltm-store-private.h"

G_BEGIN_DECLS

/* ltm-store-legacy.c: reading channels.json, and moving it into the database */
LtmStoreDoc      *ltm_store_legacy_parse        (const char        *data,
                                                 gsize              len,
                                                 GError           **error);
gboolean          ltm_store_legacy_migrate      (LtmStoreDb        *db,
                                                 const char        *dir,
                                                 GError           **error);

/* ltm-store-legacy-keyring.c: the first layout's keyring items */

/* An item: attributes only. */
typedef struct {
  char *channel_id;
  char *kind;
  char *key_id;
} LtmLegacyItem;

LtmSecret        *ltm_store_legacy_keyring_get  (const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 GError           **error);
GPtrArray        *ltm_store_legacy_keyring_list (GError           **error);
gboolean          ltm_store_legacy_keyring_clear (const char       *channel_id,
                                                  GError          **error);
void              ltm_legacy_item_free          (LtmLegacyItem     *item);

G_END_DECLS
