/* ltm-line-client-bot.c: the Messaging API endpoints LtmLineClient calls
 * with a channel access token: the webhook (get, set, test) and bot info
 *
 * The tokens' endpoints, and the one path every request goes through,
 * are ltm-line-client.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-line-client.h"

#include "ltm-json.h"
#include "ltm-line-client-private.h"

/**
 * ltm_line_client_get_webhook_async:
 * @self: a #LtmLineClient
 * @access_token: a channel access token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * LINE answers 404 (%LTM_LINE_ERROR_NOT_FOUND) when no webhook URL is set.
 */
void
ltm_line_client_get_webhook_async (LtmLineClient       *self,
                                   const char          *access_token,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (access_token != NULL);

  if (!ltm_line_client_check_credentials (self, access_token, NULL, callback, user_data,
                                          ltm_line_client_get_webhook_async))
    return;

  ltm_line_client_send (self,
                        ltm_line_client_new_bearer (self, SOUP_METHOD_GET,
                                                    "/v2/bot/channel/webhook/endpoint",
                                                    access_token, NULL),
                        (LtmLineParseFunc) ltm_line_webhook_new_from_json,
                        (GDestroyNotify) ltm_line_webhook_free,
                        cancellable, callback, user_data, ltm_line_client_get_webhook_async);
}

/**
 * ltm_line_client_get_webhook_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the webhook URL and whether it is used, or %NULL
 */
LtmLineWebhook *
ltm_line_client_get_webhook_finish (LtmLineClient  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_get_webhook_async, error);
}

static char *
ltm_line_endpoint_json (const char *endpoint)
{
  g_autofree char *quoted = NULL;

  if (endpoint == NULL)
    return g_strdup ("{}");

  quoted = ltm_json_quote (endpoint);

  return g_strdup_printf ("{\"endpoint\":%s}", quoted);
}

/**
 * ltm_line_client_set_webhook_async:
 * @self: a #LtmLineClient
 * @access_token: a channel access token
 * @endpoint: the new webhook URL: https, at most 500 characters
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * A URL LINE would refuse fails at once, without a request.
 */
void
ltm_line_client_set_webhook_async (LtmLineClient       *self,
                                   const char          *access_token,
                                   const char          *endpoint,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (access_token != NULL);
  g_return_if_fail (endpoint != NULL);

  if (!ltm_line_client_check_credentials (self, access_token, NULL, callback, user_data,
                                          ltm_line_client_set_webhook_async))
    return;

  if (!ltm_line_check_webhook_url (endpoint, &error))
    {
      g_task_report_error (self, callback, user_data, ltm_line_client_set_webhook_async,
                           g_steal_pointer (&error));
      return;
    }

  body = ltm_line_endpoint_json (endpoint);
  ltm_line_client_send (self,
                        ltm_line_client_new_bearer (self, SOUP_METHOD_PUT,
                                                    "/v2/bot/channel/webhook/endpoint",
                                                    access_token, body),
                        NULL, NULL,
                        cancellable, callback, user_data, ltm_line_client_set_webhook_async);
}

/**
 * ltm_line_client_set_webhook_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if LINE took the URL
 */
gboolean
ltm_line_client_set_webhook_finish (LtmLineClient  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return ltm_line_client_finish_boolean (self, result, ltm_line_client_set_webhook_async, error);
}

/**
 * ltm_line_client_test_webhook_async:
 * @self: a #LtmLineClient
 * @access_token: a channel access token
 * @endpoint: (nullable): a URL to test, or %NULL for the one set
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * LINE sends its test event to the bot and reports what happened; a bot
 * that failed is a successful call with `success` false.
 */
void
ltm_line_client_test_webhook_async (LtmLineClient       *self,
                                    const char          *access_token,
                                    const char          *endpoint,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (access_token != NULL);

  if (!ltm_line_client_check_credentials (self, access_token, NULL, callback, user_data,
                                          ltm_line_client_test_webhook_async))
    return;

  if (endpoint != NULL && !ltm_line_check_webhook_url (endpoint, &error))
    {
      g_task_report_error (self, callback, user_data, ltm_line_client_test_webhook_async,
                           g_steal_pointer (&error));
      return;
    }

  body = ltm_line_endpoint_json (endpoint);
  ltm_line_client_send (self,
                        ltm_line_client_new_bearer (self, SOUP_METHOD_POST,
                                                    "/v2/bot/channel/webhook/test",
                                                    access_token, body),
                        (LtmLineParseFunc) ltm_line_webhook_test_new_from_json,
                        (GDestroyNotify) ltm_line_webhook_test_free,
                        cancellable, callback, user_data, ltm_line_client_test_webhook_async);
}

/**
 * ltm_line_client_test_webhook_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what LINE saw, or %NULL
 */
LtmLineWebhookTest *
ltm_line_client_test_webhook_finish (LtmLineClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_test_webhook_async, error);
}

/**
 * ltm_line_client_get_bot_info_async:
 * @self: a #LtmLineClient
 * @access_token: a channel access token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * The bot's profile: the simplest proof that a token works.
 */
void
ltm_line_client_get_bot_info_async (LtmLineClient       *self,
                                    const char          *access_token,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (access_token != NULL);

  if (!ltm_line_client_check_credentials (self, access_token, NULL, callback, user_data,
                                          ltm_line_client_get_bot_info_async))
    return;

  ltm_line_client_send (self,
                        ltm_line_client_new_bearer (self, SOUP_METHOD_GET, "/v2/bot/info",
                                                    access_token, NULL),
                        (LtmLineParseFunc) ltm_line_bot_info_new_from_json,
                        (GDestroyNotify) ltm_line_bot_info_free,
                        cancellable, callback, user_data, ltm_line_client_get_bot_info_async);
}

/**
 * ltm_line_client_get_bot_info_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the bot's profile, or %NULL
 */
LtmLineBotInfo *
ltm_line_client_get_bot_info_finish (LtmLineClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_get_bot_info_async, error);
}
