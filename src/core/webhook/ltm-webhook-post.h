/* ltm-webhook-post.h: a webhook body posted to a bot, as LINE posts it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* LINE's User-Agent, sent with what this program signs itself. */
#define LTM_WEBHOOK_USER_AGENT "LineBotWebhook/2.0"
#define LTM_WEBHOOK_CONTENT_TYPE "application/json; charset=utf-8"

/* What the bot answered. */
typedef struct {
  guint status;
  gint64 time_us;               /* from sending to the whole answer */
  GBytes *body;                 /* at most LTM_WEBHOOK_MAX_ANSWER bytes of it */
} LtmWebhookAnswer;

/* What is kept of a bot's answer: bots answer with a few bytes. */
#define LTM_WEBHOOK_MAX_ANSWER (64 * 1024)

gboolean          ltm_webhook_check_bot_url   (const char           *url,
                                               GError              **error);
SoupSession      *ltm_webhook_session_new     (void);
void              ltm_webhook_post_async      (SoupSession          *session,
                                               const char           *url,
                                               GBytes               *body,
                                               const char           *content_type,
                                               const char           *user_agent,
                                               const char           *signature,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
LtmWebhookAnswer *ltm_webhook_post_finish     (GAsyncResult         *result,
                                               GError              **error);
void              ltm_webhook_answer_free     (LtmWebhookAnswer     *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmWebhookAnswer, ltm_webhook_answer_free)

G_END_DECLS
