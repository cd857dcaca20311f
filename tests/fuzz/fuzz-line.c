/* fuzz-line.c: HTTP answer bodies into the LINE response parsers
 *
 * Feeds the input, as the body of an answer from LINE (or from whatever
 * proxy or captive portal answers instead), to ltm_line_parse_json_answer()
 * and the object it gives to every result parser of ltm-line-results.h;
 * and, as the body of a failed answer, to ltm_line_error_new_from_response()
 * with the statuses and content types LINE and proxies answer.  Every
 * answer must become a result or an error that keeps the status and the
 * X-Line-Request-Id, never a crash or a half-filled result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "fuzz-json.h"
#include "ltm-line-error.h"
#include "ltm-line-results.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define FUZZ_LINE_REQUEST_ID "0f5d1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"

static void
fuzz_line_check_error (const GError *error,
                       guint         status)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == LTM_LINE_ERROR);
  g_assert_nonnull (error->message);
  g_assert_cmpuint (ltm_line_error_get_status (error), ==, status);
  g_assert_cmpstr (ltm_line_error_get_request_id (error), ==, FUZZ_LINE_REQUEST_ID);
}

static void
fuzz_line_parse_results (JsonObject *object)
{
  g_autoptr(GError) error = NULL;

  for (int needs_key_id = 0; needs_key_id <= 1; needs_key_id++)
    {
      g_autoptr(LtmLineToken) token = ltm_line_token_new_from_json (object, needs_key_id, &error);

      g_assert_true ((token == NULL) != (error == NULL));
      if (token != NULL)
        {
          g_assert_nonnull (token->access_token);
          g_assert_cmpstr (token->access_token, !=, "");
          g_assert_nonnull (token->token_type);
          if (needs_key_id)
            g_assert_nonnull (token->key_id);
        }
      g_clear_error (&error);
    }

  {
    g_autoptr(LtmLineTokenInfo) info = ltm_line_token_info_new_from_json (object, &error);

    g_assert_true ((info == NULL) != (error == NULL));
    if (info != NULL)
      g_assert_nonnull (info->client_id);
    g_clear_error (&error);
  }

  {
    g_auto(GStrv) kids = ltm_line_key_ids_new_from_json (object, &error);

    g_assert_true ((kids == NULL) != (error == NULL));
    g_clear_error (&error);
  }

  {
    g_autoptr(LtmLineWebhook) webhook = ltm_line_webhook_new_from_json (object, &error);

    g_assert_true ((webhook == NULL) != (error == NULL));
    if (webhook != NULL)
      g_assert_nonnull (webhook->endpoint);
    g_clear_error (&error);
  }

  {
    g_autoptr(LtmLineWebhookTest) test = ltm_line_webhook_test_new_from_json (object, &error);

    g_assert_true ((test == NULL) != (error == NULL));
    if (test != NULL)
      {
        g_assert_nonnull (test->timestamp);
        g_assert_nonnull (test->reason);
        g_assert_nonnull (test->detail);
        g_assert_cmpint (test->status_code, >=, 0);
        g_assert_cmpint (test->status_code, <=, 999);
        g_assert_nonnull (ltm_line_webhook_test_explain (test));
      }
    g_clear_error (&error);
  }

  {
    g_autoptr(LtmLineBotInfo) info = ltm_line_bot_info_new_from_json (object, &error);

    g_assert_true ((info == NULL) != (error == NULL));
    if (info != NULL)
      {
        g_assert_nonnull (info->user_id);
        g_assert_nonnull (info->basic_id);
        g_assert_nonnull (info->display_name);
        g_assert_nonnull (info->chat_mode);
        g_assert_nonnull (info->mark_as_read_mode);
      }
    g_clear_error (&error);
  }
}

static void
fuzz_line_run (const uint8_t *data,
               size_t         size)
{
  static const guint statuses[] = { 400, 401, 404, 429, 500 };
  static const int codes[] = {
    LTM_LINE_ERROR_REFUSED, LTM_LINE_ERROR_UNAUTHORIZED, LTM_LINE_ERROR_NOT_FOUND,
    LTM_LINE_ERROR_RATE_LIMITED, LTM_LINE_ERROR_SERVER,
  };
  static const char * const content_types[] = { NULL, "application/json", "text/html" };
  g_autoptr(GBytes) body = g_bytes_new (data, size);

  for (guint i = 0; i < G_N_ELEMENTS (content_types); i++)
    {
      g_autoptr(JsonObject) object = NULL;
      g_autoptr(GError) error = NULL;

      object = ltm_line_parse_json_answer (200, FUZZ_LINE_REQUEST_ID, content_types[i], body,
                                           &error);
      g_assert_true ((object == NULL) != (error == NULL));

      if (object == NULL)
        {
          fuzz_line_check_error (error, 200);
          g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_UNEXPECTED);
          continue;
        }

      /* A web page is never taken for an answer. */
      g_assert_cmpstr (content_types[i], !=, "text/html");

      /* The same object, parsed the same way, whatever the content type
       * claimed: only do the work once. */
      if (i == 1)
        fuzz_line_parse_results (object);
    }

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      for (guint j = 0; j < G_N_ELEMENTS (content_types); j++)
        {
          g_autoptr(GError) error = NULL;

          error = ltm_line_error_new_from_response (statuses[i], FUZZ_LINE_REQUEST_ID,
                                                    content_types[j], body);
          fuzz_line_check_error (error, statuses[i]);
          g_assert_cmpint (error->code, ==, codes[i]);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean many = fuzz_json_has_many_values ((const char *) data, size);

  /* fuzz-json.h: json-glib's own leak of "{}{}" is not ours to report. */
  if (many)
    fuzz_lsan_disable ();
  fuzz_line_run (data, size);
  if (many)
    fuzz_lsan_enable ();

  return 0;
}
