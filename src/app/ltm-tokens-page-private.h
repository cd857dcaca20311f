/* ltm-tokens-page-private.h: what the Tokens page and its actions share
 *
 * ltm-tokens-page.c is the page: the list, what it says and allows, the
 * channel shown, and the calls' bookkeeping.  ltm-tokens-page-actions.c
 * is what its buttons do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ltm-activity.h"
#include "ltm-application.h"
#include "ltm-token-row.h"
#include "ltm-tokens-page.h"

G_BEGIN_DECLS

struct _LtmTokensPage
{
  LtmPage parent_instance;

  GtkSortListModel *sorted;     /* the channel's tokens, newest first */
  GPtrArray *watched;           /* the tokens whose changes move the counts */
  GSettings *settings;
  guint tick_source;
  char *rotation_report;        /* what the last rotation of this channel did */
  char *sync_report;            /* what LINE's list said last */

  LtmActivity *activity;
  GtkStack *tokens_stack;
  GtkListBox *token_list;
  AdwActionRow *limit_row;
  AdwActionRow *prerequisite_row;
  GtkAdjustment *lifetime_adjustment;
  AdwActionRow *stateless_row;
  AdwActionRow *short_lived_row;
  AdwActionRow *rotate_row;
  AdwActionRow *sync_row;
  AdwActionRow *env_row;
};

/* One call, from the button to the end: what it needs between steps. */
typedef struct {
  LtmTokensPage *self;
  GCancellable *cancellable;    /* the activity's */
  const char *failure;          /* the heading if it fails on the way */
  char *channel_id;
  char *key_id;                 /* the token it is about */
  LtmSecret *channel_secret;    /* as typed, to revoke */
  gboolean keep_secret;         /* keep channel_secret once LINE took it */
} LtmTokensOp;

/* ltm-tokens-page.c */
gint64         ltm_tokens_page_now             (void);
LtmStore      *ltm_tokens_page_get_store       (void);
gboolean       ltm_tokens_page_can_sign        (LtmTokensPage  *self);
void           ltm_tokens_page_update          (LtmTokensPage  *self);
LtmTokenRow   *ltm_tokens_page_find_row        (LtmTokensPage  *self,
                                                const char     *key_id);

LtmTokensOp   *ltm_tokens_op_new               (LtmTokensPage  *self,
                                                const char     *description,
                                                const char     *failure);
gboolean       ltm_tokens_op_is_current        (LtmTokensOp    *op);
void           ltm_tokens_op_fail              (LtmTokensOp    *op,
                                                const char     *heading,
                                                const GError   *error);
void           ltm_tokens_op_end               (LtmTokensOp    *op,
                                                const char     *toast);
LtmLineClient *ltm_tokens_op_get_client        (LtmTokensOp    *op);

/* ltm-tokens-page-actions.c */
void           ltm_tokens_page_install_actions (GtkWidgetClass *widget_class);

G_END_DECLS
