/* ltm-line-results.c: what LINE's endpoints answer
 *
 * Each parser takes the JSON object of a successful answer and checks that
 * every member LINE documents as present is there with its type; anything
 * else is an LTM_LINE_ERROR_UNEXPECTED error naming the member, never a
 * NULL field the caller trips over later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-line-results.h"

#include <glib/gi18n-lib.h>

#include "ltm-json.h"
#include "ltm-jwt.h"
#include "ltm-line-error.h"
#include "ltm-secret.h"

static gboolean
ltm_line_require_string (JsonObject  *object,
                         const char  *name,
                         char       **out,
                         GError     **error)
{
  const char *value = ltm_json_object_get_string (object, name);

  if (value == NULL)
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_UNEXPECTED,
                                                    _("LINE's answer has no “%s” string"), name));
      return FALSE;
    }

  *out = g_strdup (value);

  return TRUE;
}

static gboolean
ltm_line_require_int (JsonObject  *object,
                      const char  *name,
                      gint64      *out,
                      GError     **error)
{
  if (!ltm_json_object_get_int (object, name, out))
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_UNEXPECTED,
                                                    _("LINE's answer has no “%s” number"), name));
      return FALSE;
    }

  return TRUE;
}

static gboolean
ltm_line_require_bool (JsonObject  *object,
                       const char  *name,
                       gboolean    *out,
                       GError     **error)
{
  if (!ltm_json_object_get_bool (object, name, out))
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_UNEXPECTED,
                                                    _("LINE's answer has no “%s” true or false"),
                                                    name));
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_line_token_new_from_json:
 * @object: the answer of an issue endpoint
 * @needs_key_id: whether this is a v2.1 token, which comes with a key_id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token, or %NULL with @error set
 */
LtmLineToken *
ltm_line_token_new_from_json (JsonObject  *object,
                              gboolean     needs_key_id,
                              GError     **error)
{
  g_autoptr(LtmLineToken) token = g_new0 (LtmLineToken, 1);
  g_autoptr(GError) shape_error = NULL;

  if (!ltm_line_require_string (object, "access_token", &token->access_token, error) ||
      !ltm_line_require_int (object, "expires_in", &token->expires_in, error) ||
      !ltm_line_require_string (object, "token_type", &token->token_type, error))
    return NULL;

  if (needs_key_id && !ltm_line_require_string (object, "key_id", &token->key_id, error))
    return NULL;

  if (token->access_token[0] == '\0')
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_UNEXPECTED,
                                                    _("LINE's answer has an empty “access_token”")));
      return NULL;
    }

  /* Neither is stored or printed unless it has the shape LINE gives it. */
  if (!ltm_jwt_check_access_token (token->access_token, &shape_error) ||
      (token->key_id != NULL && !ltm_jwt_check_key_id (token->key_id, &shape_error)))
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_UNEXPECTED,
                                                    _("LINE's answer is not a token LINE "
                                                      "issues: %s"), shape_error->message));
      return NULL;
    }

  return g_steal_pointer (&token);
}

/**
 * ltm_line_token_free:
 * @token: (nullable): a token; its access token is wiped
 */
void
ltm_line_token_free (LtmLineToken *token)
{
  if (token == NULL)
    return;

  ltm_secret_free (token->access_token);
  g_free (token->token_type);
  g_free (token->key_id);
  g_free (token);
}

/**
 * ltm_line_token_info_new_from_json:
 * @object: the answer of a verify endpoint
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what LINE knows of the token
 */
LtmLineTokenInfo *
ltm_line_token_info_new_from_json (JsonObject  *object,
                                   GError     **error)
{
  g_autoptr(LtmLineTokenInfo) info = g_new0 (LtmLineTokenInfo, 1);
  const char *scope;

  if (!ltm_line_require_string (object, "client_id", &info->client_id, error) ||
      !ltm_line_require_int (object, "expires_in", &info->expires_in, error))
    return NULL;

  if ((scope = ltm_json_object_get_string (object, "scope")) != NULL)
    info->scope = g_strdup (scope);

  return g_steal_pointer (&info);
}

/**
 * ltm_line_token_info_free:
 * @info: (nullable): a token info
 */
void
ltm_line_token_info_free (LtmLineTokenInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->client_id);
  g_free (info->scope);
  g_free (info);
}

/**
 * ltm_line_key_ids_new_from_json:
 * @object: the answer of the key IDs endpoint, `{"kids": […]}`
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the key IDs of the channel's valid v2.1 tokens
 */
GStrv
ltm_line_key_ids_new_from_json (JsonObject  *object,
                                GError     **error)
{
  JsonNode *node = json_object_get_member (object, "kids");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *kids;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_UNEXPECTED,
                                                    _("LINE's answer has no “%s” list"), "kids"));
      return NULL;
    }

  kids = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (kids); i++)
    {
      JsonNode *element = json_array_get_element (kids, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          !ltm_jwt_check_key_id (json_node_get_string (element), NULL))
        {
          g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_UNEXPECTED,
                                                        _("LINE's “kids” list holds something "
                                                          "other than key IDs")));
          return NULL;
        }

      g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

/**
 * ltm_line_webhook_new_from_json:
 * @object: the answer of the get webhook endpoint
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the webhook URL and whether it is in use
 */
LtmLineWebhook *
ltm_line_webhook_new_from_json (JsonObject  *object,
                                GError     **error)
{
  g_autoptr(LtmLineWebhook) webhook = g_new0 (LtmLineWebhook, 1);

  if (!ltm_line_require_string (object, "endpoint", &webhook->endpoint, error) ||
      !ltm_line_require_bool (object, "active", &webhook->active, error))
    return NULL;

  return g_steal_pointer (&webhook);
}

/**
 * ltm_line_webhook_free:
 * @webhook: (nullable): a webhook
 */
void
ltm_line_webhook_free (LtmLineWebhook *webhook)
{
  if (webhook == NULL)
    return;

  g_free (webhook->endpoint);
  g_free (webhook);
}

/**
 * ltm_line_webhook_test_new_from_json:
 * @object: the answer of the test webhook endpoint
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what happened when LINE called the bot
 */
LtmLineWebhookTest *
ltm_line_webhook_test_new_from_json (JsonObject  *object,
                                     GError     **error)
{
  g_autoptr(LtmLineWebhookTest) test = g_new0 (LtmLineWebhookTest, 1);
  const char *detail;
  gint64 status_code;

  if (!ltm_line_require_bool (object, "success", &test->success, error) ||
      !ltm_line_require_string (object, "timestamp", &test->timestamp, error) ||
      !ltm_line_require_int (object, "statusCode", &status_code, error) ||
      !ltm_line_require_string (object, "reason", &test->reason, error))
    return NULL;

  test->status_code = (int) CLAMP (status_code, 0, 999);
  detail = ltm_json_object_get_string (object, "detail");
  test->detail = g_strdup (detail != NULL ? detail : "");

  return g_steal_pointer (&test);
}

/**
 * ltm_line_webhook_test_free:
 * @test: (nullable): a webhook test result
 */
void
ltm_line_webhook_test_free (LtmLineWebhookTest *test)
{
  if (test == NULL)
    return;

  g_free (test->timestamp);
  g_free (test->reason);
  g_free (test->detail);
  g_free (test);
}

/**
 * ltm_line_webhook_test_explain:
 * @test: a webhook test result
 *
 * Returns: what LINE's reason means and what to check, in words
 */
const char *
ltm_line_webhook_test_explain (LtmLineWebhookTest *test)
{
  g_return_val_if_fail (test != NULL, NULL);

  if (g_strcmp0 (test->reason, "OK") == 0)
    return _("Your bot answered LINE's test event with HTTP 200.");
  if (g_strcmp0 (test->reason, "COULD_NOT_CONNECT") == 0)
    return _("LINE could not connect to the webhook URL: check that the host name resolves, "
             "the server is running and reachable from the internet on port 443, and its TLS "
             "certificate is valid and issued by a public authority.");
  if (g_strcmp0 (test->reason, "REQUEST_TIMEOUT") == 0)
    return _("Your bot took too long to answer: reply with HTTP 200 at once and do slow work "
             "afterwards.");
  if (g_strcmp0 (test->reason, "ERROR_STATUS_CODE") == 0)
    return _("Your bot answered with an error status: it must answer LINE's events, including "
             "this test event with no events in it, with HTTP 200. Check its signature "
             "validation and its logs.");

  return _("LINE could not say what went wrong: check the detail and your bot's logs.");
}

/**
 * ltm_line_bot_info_new_from_json:
 * @object: the answer of the bot info endpoint
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the bot's profile
 */
LtmLineBotInfo *
ltm_line_bot_info_new_from_json (JsonObject  *object,
                                 GError     **error)
{
  g_autoptr(LtmLineBotInfo) info = g_new0 (LtmLineBotInfo, 1);

  if (!ltm_line_require_string (object, "userId", &info->user_id, error) ||
      !ltm_line_require_string (object, "basicId", &info->basic_id, error) ||
      !ltm_line_require_string (object, "displayName", &info->display_name, error) ||
      !ltm_line_require_string (object, "chatMode", &info->chat_mode, error) ||
      !ltm_line_require_string (object, "markAsReadMode", &info->mark_as_read_mode, error))
    return NULL;

  info->premium_id = g_strdup (ltm_json_object_get_string (object, "premiumId"));
  info->picture_url = g_strdup (ltm_json_object_get_string (object, "pictureUrl"));

  return g_steal_pointer (&info);
}

/**
 * ltm_line_bot_info_free:
 * @info: (nullable): a bot's profile
 */
void
ltm_line_bot_info_free (LtmLineBotInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->user_id);
  g_free (info->basic_id);
  g_free (info->display_name);
  g_free (info->chat_mode);
  g_free (info->mark_as_read_mode);
  g_free (info->premium_id);
  g_free (info->picture_url);
  g_free (info);
}
