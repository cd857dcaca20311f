/* test-webhook.c: the bot's side of the webhook: the signature, LINE's
 * events, synthetic ones, the receiver with the test server's bot, and
 * what the store keeps
 *
 * The bot is the test server's /_receiver/sdk (it checks signatures as
 * LINE's SDKs do) and /_receiver/slow (the same, answering only when the
 * test releases it).  Python's hmac checks the signatures independently
 * in test-webhook-interop.py.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "ltm-store-webhook.h"
#include "ltm-test-server.h"
#include "ltm-test-util.h"
#include "ltm-webhook-error.h"
#include "ltm-webhook-event.h"
#include "ltm-webhook-history.h"
#include "ltm-webhook-post.h"
#include "ltm-webhook-receiver.h"
#include "ltm-webhook-signature.h"
#include "ltm-webhook-synth.h"

#define CHANNEL "1234567890"
#define SECRET "8c1b1fb5e2d13a3c1f0e5b1d9a4c7e21"
#define BOT_USER_ID "U4af4980629e7a1e0f3e5b6f2a7c4d1e9"

/* Emoji and \u escapes: a body parsed and written again would not be
 * these bytes, and its signature would not verify. */
static const char emoji_body[] =
  "{\"destination\":\"U0123456789abcdef0123456789abcdef\",\"events\":[{\"type\":\"message\","
  "\"message\":{\"type\":\"text\",\"id\":\"444573844083572737\",\"quoteToken\":\"q\","
  "\"text\":\"caf\\u00e9 \xf0\x9f\x98\x80 \\ud83d\\ude00\"},\"webhookEventId\":"
  "\"01FZ74A0TDDPYRVKNK77XKC3ZR\",\"deliveryContext\":{\"isRedelivery\":false},"
  "\"timestamp\":1625665242211,\"source\":{\"type\":\"user\",\"userId\":"
  "\"U4af4980629aaaaaaaaaaaaaaaaaaaaaa\"},\"replyToken\":\"757913772c4646b784d4b7ce46d12671\","
  "\"mode\":\"active\"}]}";

/* Signatures */

static void
test_signature (void)
{
  g_autofree char *signature = ltm_webhook_sign (SECRET, emoji_body, strlen (emoji_body));
  g_autofree char *tampered = g_strdup (emoji_body);
  g_autofree char *wrong = NULL;

  g_assert_cmpuint (strlen (signature), ==, 44);
  g_assert_cmpint (ltm_webhook_check_signature (SECRET, emoji_body, strlen (emoji_body), signature),
                   ==, LTM_WEBHOOK_SIGNATURE_VALID);

  tampered[strlen (tampered) - 3] = 'X';
  g_assert_cmpint (ltm_webhook_check_signature (SECRET, tampered, strlen (tampered), signature),
                   ==, LTM_WEBHOOK_SIGNATURE_INVALID);
  g_assert_cmpint (ltm_webhook_check_signature ("another secret", emoji_body, strlen (emoji_body),
                                                signature), ==, LTM_WEBHOOK_SIGNATURE_INVALID);
  g_assert_cmpint (ltm_webhook_check_signature (SECRET, emoji_body, strlen (emoji_body), NULL),
                   ==, LTM_WEBHOOK_SIGNATURE_MISSING);
  g_assert_cmpint (ltm_webhook_check_signature (SECRET, emoji_body, strlen (emoji_body), ""),
                   ==, LTM_WEBHOOK_SIGNATURE_MISSING);

  /* A prefix, or the signature with one more character, is no match */
  wrong = g_strndup (signature, 43);
  g_assert_cmpint (ltm_webhook_check_signature (SECRET, emoji_body, strlen (emoji_body), wrong),
                   ==, LTM_WEBHOOK_SIGNATURE_INVALID);
  g_free (wrong);
  wrong = g_strconcat (signature, "=", NULL);
  g_assert_cmpint (ltm_webhook_check_signature (SECRET, emoji_body, strlen (emoji_body), wrong),
                   ==, LTM_WEBHOOK_SIGNATURE_INVALID);

  /* RFC 4231 test case 2: "Jefe", "what do ya want for nothing?" */
  g_free (wrong);
  wrong = ltm_webhook_sign ("Jefe", "what do ya want for nothing?", 28);
  g_assert_cmpstr (wrong, ==, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

/* Parsing */

static GBytes *
bytes_of (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
test_parse (void)
{
  g_autoptr(GBytes) body = bytes_of (emoji_body);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  LtmWebhookEvent *event;

  events = ltm_webhook_event_parse (body, 42, LTM_WEBHOOK_SIGNATURE_VALID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  event = g_ptr_array_index (events, 0);
  g_assert_true (ltm_webhook_event_get_body (event) == body);
  g_assert_cmpint (ltm_webhook_event_get_index (event), ==, 0);
  g_assert_cmpstr (ltm_webhook_event_get_destination (event), ==, "U0123456789abcdef0123456789abcdef");
  g_assert_cmpstr (ltm_webhook_event_get_event_type (event), ==, "message");
  g_assert_cmpstr (ltm_webhook_event_get_mode (event), ==, "active");
  g_assert_cmpint (ltm_webhook_event_get_timestamp (event), ==, 1625665242211);
  g_assert_cmpstr (ltm_webhook_event_get_source_type (event), ==, "user");
  g_assert_cmpstr (ltm_webhook_event_get_chat_id (event), ==, "U4af4980629aaaaaaaaaaaaaaaaaaaaaa");
  g_assert_cmpstr (ltm_webhook_event_get_webhook_event_id (event), ==, "01FZ74A0TDDPYRVKNK77XKC3ZR");
  g_assert_false (ltm_webhook_event_get_is_redelivery (event));
  g_assert_cmpstr (ltm_webhook_event_get_reply_token (event), ==, "757913772c4646b784d4b7ce46d12671");
  g_assert_cmpstr (ltm_webhook_event_get_message_type (event), ==, "text");
  g_assert_cmpstr (ltm_webhook_event_get_message_id (event), ==, "444573844083572737");
  g_assert_cmpstr (ltm_webhook_event_get_text (event), ==, "café 😀 😀");
  g_assert_cmpint (ltm_webhook_event_get_received_at (event), ==, 42);
  g_assert_cmpint (ltm_webhook_event_get_signature (event), ==, LTM_WEBHOOK_SIGNATURE_VALID);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* The Verify button: no events, one entry without a type */
  g_clear_pointer (&body, g_bytes_unref);
  body = bytes_of ("{\"destination\":\"Uabc\",\"events\":[]}");
  events = ltm_webhook_event_parse (body, 0, LTM_WEBHOOK_SIGNATURE_VALID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (ltm_webhook_event_get_index (g_ptr_array_index (events, 0)), ==, -1);
  g_assert_null (ltm_webhook_event_get_event_type (g_ptr_array_index (events, 0)));
  g_clear_pointer (&events, g_ptr_array_unref);

  /* Types this program does not know are kept; a group's chat is the group */
  g_clear_pointer (&body, g_bytes_unref);
  body = bytes_of ("{\"destination\":\"Uabc\",\"events\":[{\"type\":\"memberJoined\","
                   "\"source\":{\"type\":\"group\",\"groupId\":\"Cabc\",\"userId\":\"Uxyz\"},"
                   "\"deliveryContext\":{\"isRedelivery\":true}},"
                   "{\"type\":\"postback\",\"postback\":{\"data\":\"a=1\"}}, 7]}");
  events = ltm_webhook_event_parse (body, 0, LTM_WEBHOOK_SIGNATURE_INVALID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);
  event = g_ptr_array_index (events, 0);
  g_assert_cmpstr (ltm_webhook_event_get_event_type (event), ==, "memberJoined");
  g_assert_cmpstr (ltm_webhook_event_get_chat_id (event), ==, "Cabc");
  g_assert_cmpstr (ltm_webhook_event_get_user_id (event), ==, "Uxyz");
  g_assert_true (ltm_webhook_event_get_is_redelivery (event));
  g_assert_cmpstr (ltm_webhook_event_get_postback_data (g_ptr_array_index (events, 1)), ==, "a=1");
  g_assert_null (ltm_webhook_event_get_event_type (g_ptr_array_index (events, 2)));
  g_assert_cmpint (ltm_webhook_event_get_index (g_ptr_array_index (events, 2)), ==, 2);
}

static void
test_parse_refused (void)
{
  const char *bodies[] = { "", "not json", "[1,2]", "{\"events\":{}}", "{\"destination\":\"U\"}" };
  g_autoptr(GString) deep = g_string_new ("{\"events\":[");

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = bytes_of (bodies[i]);
      g_autoptr(GError) error = NULL;

      g_assert_null (ltm_webhook_event_parse (body, 0, LTM_WEBHOOK_SIGNATURE_VALID, &error));
      g_assert_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY);
    }

  /* Nested past the depth limit: refused before json-glib builds it */
  for (guint i = 0; i < 200; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 200; i++)
    g_string_append_c (deep, ']');
  g_string_append (deep, "]}");
  {
    g_autoptr(GBytes) body = bytes_of (deep->str);
    g_autoptr(GError) error = NULL;

    g_assert_null (ltm_webhook_event_parse (body, 0, LTM_WEBHOOK_SIGNATURE_VALID, &error));
    g_assert_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY);
    g_assert_nonnull (strstr (error->message, "deep"));
  }
}

/* Synthetic events */

static gboolean
is_crockford (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (strchr ("0123456789ABCDEFGHJKMNPQRSTVWXYZ", *p) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_line_id (const char *id,
            char        prefix)
{
  if (id == NULL || id[0] != prefix || strlen (id) != 33)
    return FALSE;

  for (const char *p = id + 1; *p != '\0'; p++)
    {
      if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
        return FALSE;
    }

  return TRUE;
}

static void
test_synth (void)
{
  const gint64 now_ms = 1700000000123;

  for (LtmWebhookSynthType type = LTM_WEBHOOK_SYNTH_MESSAGE; type <= LTM_WEBHOOK_SYNTH_LEAVE; type++)
    {
      g_autoptr(GBytes) body = ltm_webhook_synth_body (type, type == LTM_WEBHOOK_SYNTH_MESSAGE
                                                             ? "hi 😀" : NULL,
                                                       "U0123456789abcdef0123456789abcdef", now_ms);
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GError) error = NULL;
      LtmWebhookEvent *event;
      LtmWebhookSynthType parsed_type;
      const char *id;
      gboolean replies = type != LTM_WEBHOOK_SYNTH_UNFOLLOW && type != LTM_WEBHOOK_SYNTH_LEAVE;
      gboolean in_group = type == LTM_WEBHOOK_SYNTH_JOIN || type == LTM_WEBHOOK_SYNTH_LEAVE;

      events = ltm_webhook_event_parse (body, 0, LTM_WEBHOOK_SIGNATURE_UNCHECKED, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (events->len, ==, 1);
      event = g_ptr_array_index (events, 0);

      g_assert_true (ltm_webhook_synth_type_from_string (ltm_webhook_event_get_event_type (event),
                                                         &parsed_type));
      g_assert_cmpint (parsed_type, ==, type);
      g_assert_cmpstr (ltm_webhook_event_get_destination (event), ==, "U0123456789abcdef0123456789abcdef");
      g_assert_cmpstr (ltm_webhook_event_get_mode (event), ==, "active");
      g_assert_cmpint (ltm_webhook_event_get_timestamp (event), ==, now_ms);
      g_assert_false (ltm_webhook_event_get_is_redelivery (event));

      id = ltm_webhook_event_get_webhook_event_id (event);
      g_assert_cmpuint (strlen (id), ==, LTM_WEBHOOK_EVENT_ID_LENGTH);
      g_assert_true (is_crockford (id));
      /* A ULID starts with its time */
      g_assert_cmpint (strncmp (id, "01HF7YAT3V", 10), ==, 0);

      g_assert_cmpint (ltm_webhook_event_get_reply_token (event) != NULL, ==, replies);
      if (replies)
        g_assert_cmpuint (strlen (ltm_webhook_event_get_reply_token (event)), ==, 32);
      g_assert_cmpstr (ltm_webhook_event_get_source_type (event), ==, in_group ? "group" : "user");
      g_assert_true (is_line_id (ltm_webhook_event_get_chat_id (event), in_group ? 'C' : 'U'));

      if (type == LTM_WEBHOOK_SYNTH_MESSAGE)
        {
          g_assert_cmpstr (ltm_webhook_event_get_text (event), ==, "hi 😀");
          g_assert_cmpuint (strlen (ltm_webhook_event_get_message_id (event)), ==, 18);
        }
      if (type == LTM_WEBHOOK_SYNTH_POSTBACK)
        g_assert_cmpstr (ltm_webhook_event_get_postback_data (event), ==, "action=test");
    }
}

static void
test_redelivery (void)
{
  g_autoptr(GBytes) body = bytes_of ("{\"destination\":\"Uabc\",\"events\":["
                                     "{\"type\":\"follow\",\"webhookEventId\":\"A\"},"
                                     "{\"type\":\"message\",\"webhookEventId\":\"B\","
                                     "\"deliveryContext\":{\"isRedelivery\":false},"
                                     "\"message\":{\"type\":\"text\",\"text\":\"\\u3053\"}}]}");
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  LtmWebhookEvent *event;

  again = ltm_webhook_redelivery_body (body, 1, &error);
  g_assert_no_error (error);
  events = ltm_webhook_event_parse (again, 0, LTM_WEBHOOK_SIGNATURE_UNCHECKED, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  event = g_ptr_array_index (events, 0);
  g_assert_cmpstr (ltm_webhook_event_get_webhook_event_id (event), ==, "B");
  g_assert_cmpstr (ltm_webhook_event_get_destination (event), ==, "Uabc");
  g_assert_cmpstr (ltm_webhook_event_get_text (event), ==, "こ");
  g_assert_true (ltm_webhook_event_get_is_redelivery (event));

  g_assert_null (ltm_webhook_redelivery_body (body, 2, &error));
  g_assert_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY);
}

/* The receiver */

typedef struct {
  LtmTestServer *server;
  LtmWebhookReceiver *receiver;
  SoupSession *session;
  char *url;
  GPtrArray *received;          /* LtmWebhookEvent */
  GPtrArray *finished;          /* LtmWebhookEvent */
  GPtrArray *refused;           /* char *: "status reason" */
  char *dir;
  LtmStore *store;
} Fixture;

static void
received_cb (LtmWebhookReceiver *receiver,
             LtmWebhookEvent    *event,
             Fixture            *fixture)
{
  g_ptr_array_add (fixture->received, g_object_ref (event));
}

static void
finished_cb (LtmWebhookReceiver *receiver,
             LtmWebhookEvent    *event,
             Fixture            *fixture)
{
  g_ptr_array_add (fixture->finished, g_object_ref (event));
}

static void
refused_cb (LtmWebhookReceiver *receiver,
            guint               status,
            const char         *reason,
            Fixture            *fixture)
{
  g_ptr_array_add (fixture->refused, g_strdup_printf ("%u %s", status, reason));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bot = NULL;

  fixture->server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  ltm_test_server_add_channel (fixture->server, CHANNEL, SECRET);

  fixture->received = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->finished = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->refused = g_ptr_array_new_with_free_func (g_free);
  fixture->session = soup_session_new ();

  fixture->receiver = ltm_webhook_receiver_new (CHANNEL, SECRET);
  bot = g_strconcat (ltm_test_server_get_base_url (fixture->server),
                     data != NULL ? (const char *) data : "/_receiver/sdk", NULL);
  g_assert_true (ltm_webhook_receiver_set_forward_to (fixture->receiver, bot, &error));
  g_assert_no_error (error);
  g_signal_connect (fixture->receiver, "event-received", G_CALLBACK (received_cb), fixture);
  g_signal_connect (fixture->receiver, "event-finished", G_CALLBACK (finished_cb), fixture);
  g_signal_connect (fixture->receiver, "refused", G_CALLBACK (refused_cb), fixture);
}

static void
fixture_listen (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ltm_webhook_receiver_listen (fixture->receiver, "127.0.0.1:0", &error));
  g_assert_no_error (error);
  fixture->url = ltm_webhook_receiver_dup_url (fixture->receiver);
  g_assert_true (g_str_has_prefix (fixture->url, "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (fixture->url, "/callback"));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ltm_webhook_receiver_stop (fixture->receiver);
  g_assert_finalize_object (fixture->receiver);
  g_clear_object (&fixture->store);
  if (fixture->dir != NULL)
    ltm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->server);
  g_ptr_array_unref (fixture->received);
  g_ptr_array_unref (fixture->finished);
  g_ptr_array_unref (fixture->refused);
  g_free (fixture->url);
}

/* Posts as LINE would, and waits for the answer. */
static guint
post (Fixture    *fixture,
      const char *method,
      const char *url,
      const char *content_type,
      const char *body,
      gsize       len,
      const char *signature)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, len);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (signature != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message),
                                  "X-Line-Signature", signature);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "User-Agent", "LineBotWebhook/2.0");
  if (strcmp (method, "POST") == 0)
    soup_message_set_request_body_from_bytes (message, content_type, bytes);

  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    ltm_async_result_cb, &result);
  answer = soup_session_send_and_read_finish (fixture->session, ltm_async_wait (&result), &error);
  g_assert_no_error (error);

  return soup_message_get_status (message);
}

static guint
post_signed (Fixture    *fixture,
             const char *body)
{
  g_autofree char *signature = ltm_webhook_sign (SECRET, body, strlen (body));

  return post (fixture, "POST", fixture->url, "application/json; charset=utf-8", body,
               strlen (body), signature);
}

static void
wait_for (GPtrArray *array,
          guint      len)
{
  LtmTestWait wait = LTM_TEST_WAIT_INIT;
  g_autofree char *what = g_strdup_printf ("%u events", len);

  while (array->len < len)
    {
      ltm_test_waiting (&wait, __FILE__, __LINE__, what);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_receiver_forwards (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *signature = ltm_webhook_sign (SECRET, emoji_body, strlen (emoji_body));
  g_autoptr(GBytes) got = NULL;
  LtmWebhookEvent *event;

  fixture_listen (fixture);
  g_assert_cmpuint (post_signed (fixture, emoji_body), ==, 200);
  wait_for (fixture->finished, 1);

  /* The bot got LINE's bytes and LINE's headers, and its SDK check passed */
  g_assert_cmpuint (ltm_test_server_get_bot_count (fixture->server), ==, 1);
  got = ltm_test_server_get_bot_body (fixture->server);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                   emoji_body, strlen (emoji_body));
  g_assert_cmpstr (ltm_test_server_get_bot_header (fixture->server, "X-Line-Signature"), ==, signature);
  g_assert_cmpstr (ltm_test_server_get_bot_header (fixture->server, "User-Agent"), ==,
                   "LineBotWebhook/2.0");
  g_assert_cmpstr (ltm_test_server_get_bot_header (fixture->server, "Content-Type"), ==,
                   "application/json; charset=utf-8");

  g_assert_cmpuint (fixture->received->len, ==, 1);
  event = g_ptr_array_index (fixture->finished, 0);
  g_assert_true (event == g_ptr_array_index (fixture->received, 0));
  g_assert_cmpint (ltm_webhook_event_get_signature (event), ==, LTM_WEBHOOK_SIGNATURE_VALID);
  g_assert_cmpint (ltm_webhook_event_get_bot_state (event), ==, LTM_WEBHOOK_BOT_ANSWERED);
  g_assert_cmpuint (ltm_webhook_event_get_bot_status (event), ==, 200);
  g_assert_cmpint (ltm_webhook_event_get_bot_time (event), >=, 0);
  g_assert_cmpuint (fixture->refused->len, ==, 0);
}

static guint
count_open_files (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* A long listen keeps no socket per delivery: each answer closes its
 * connection (libsoup 3.2's server would keep one the client closed). */
static void
test_receiver_closes_connections (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *body = "{\"destination\":\"Uabc\",\"events\":[]}";
  guint before;

  g_assert_true (ltm_webhook_receiver_set_forward_to (fixture->receiver, NULL, NULL));
  fixture_listen (fixture);
  g_assert_cmpuint (post_signed (fixture, body), ==, 200);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  before = count_open_files ();

  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (post_signed (fixture, body), ==, 200);
  g_assert_cmpuint (post (fixture, "GET", fixture->url, NULL, "", 0, NULL), ==, 405);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* (The session may still hold a connection or two.) */
  g_assert_cmpuint (count_open_files (), <=, before + 4);
}

static void
test_receiver_bad_signature (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *other = ltm_webhook_sign ("not the channel secret", emoji_body, strlen (emoji_body));
  LtmWebhookEvent *event;

  fixture_listen (fixture);

  g_assert_cmpuint (post (fixture, "POST", fixture->url, "application/json", emoji_body,
                          strlen (emoji_body), other), ==, 401);
  g_assert_cmpuint (post (fixture, "POST", fixture->url, "application/json", emoji_body,
                          strlen (emoji_body), NULL), ==, 401);
  g_assert_cmpuint (post (fixture, "POST", fixture->url, "text/plain", "x", 1, NULL), ==, 401);

  /* Nothing reached the bot; the events are shown, marked, not forwarded */
  g_assert_cmpuint (ltm_test_server_get_bot_count (fixture->server), ==, 0);
  g_assert_cmpuint (ltm_test_server_get_bot_refused (fixture->server), ==, 0);
  g_assert_cmpuint (fixture->finished->len, ==, 2);
  event = g_ptr_array_index (fixture->finished, 0);
  g_assert_cmpint (ltm_webhook_event_get_signature (event), ==, LTM_WEBHOOK_SIGNATURE_INVALID);
  g_assert_cmpint (ltm_webhook_event_get_bot_state (event), ==, LTM_WEBHOOK_BOT_REFUSED);
  event = g_ptr_array_index (fixture->finished, 1);
  g_assert_cmpint (ltm_webhook_event_get_signature (event), ==, LTM_WEBHOOK_SIGNATURE_MISSING);

  /* The reason is told; the secret and the expected signature never are */
  g_assert_cmpuint (fixture->refused->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (fixture->refused, 0), ==,
                   "401 X-Line-Signature does not match the body and the channel secret");
  g_assert_cmpstr (g_ptr_array_index (fixture->refused, 1), ==,
                   "401 No X-Line-Signature: not from LINE");
  for (guint i = 0; i < fixture->refused->len; i++)
    g_assert_null (strstr (g_ptr_array_index (fixture->refused, i), SECRET));
}

static void
test_receiver_limits (Fixture       *fixture,
                      gconstpointer  data)
{
  gsize huge_len = 2 * 1024 * 1024;
  g_autofree char *huge = g_malloc (huge_len);
  g_autofree char *huge_signature = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"events\":[");
  g_autofree char *deep_signature = NULL;
  g_autofree char *text_signature = NULL;
  g_autofree char *other_path = NULL;

  fixture_listen (fixture);

  memset (huge, ' ', huge_len);
  huge[0] = '{';
  huge[huge_len - 1] = '}';
  huge_signature = ltm_webhook_sign (SECRET, huge, huge_len);
  g_assert_cmpuint (post (fixture, "POST", fixture->url, "application/json", huge, huge_len,
                          huge_signature), ==, 413);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append (deep, "]}");
  deep_signature = ltm_webhook_sign (SECRET, deep->str, deep->len);
  g_assert_cmpuint (post (fixture, "POST", fixture->url, "application/json", deep->str, deep->len,
                          deep_signature), ==, 400);

  text_signature = ltm_webhook_sign (SECRET, "hello", 5);
  g_assert_cmpuint (post (fixture, "POST", fixture->url, "text/plain", "hello", 5, text_signature),
                    ==, 400);
  g_assert_cmpuint (post (fixture, "POST", fixture->url, "application/json", "hello", 5,
                          text_signature), ==, 400);
  g_assert_cmpuint (post (fixture, "GET", fixture->url, NULL, "", 0, NULL), ==, 405);
  other_path = g_strconcat (fixture->url, "x", NULL);
  g_assert_cmpuint (post_signed (fixture, "{\"events\":[]}"), ==, 200);
  g_assert_cmpuint (post (fixture, "POST", other_path, "application/json", "{}", 2, NULL), ==, 404);

  /* Still up: a good delivery after all that goes through */
  g_assert_cmpuint (post_signed (fixture, emoji_body), ==, 200);
  wait_for (fixture->finished, 2);
  g_assert_cmpuint (ltm_test_server_get_bot_count (fixture->server), ==, 2);
  g_assert_cmpuint (fixture->refused->len, ==, 6);
}

typedef struct {
  Fixture *fixture;
  guint status;
  gboolean done;
} AsyncPost;

static void
async_post_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncPost *async_post = user_data;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  async_post->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source), result));
  async_post->done = TRUE;
}

/* The bot holds the body until the test releases it: LINE is answered in
 * time all the same, and the bot's late answer is recorded as late. */
static void
test_receiver_slow_bot (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *signature = ltm_webhook_sign (SECRET, emoji_body, strlen (emoji_body));
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static (emoji_body, strlen (emoji_body));
  AsyncPost async_post = { fixture, 0, FALSE };
  gint64 held_since;
  LtmWebhookEvent *event;

  ltm_webhook_receiver_set_line_timeout (fixture->receiver, 100);
  fixture_listen (fixture);

  message = soup_message_new ("POST", fixture->url);
  soup_message_headers_replace (soup_message_get_request_headers (message), "X-Line-Signature",
                                signature);
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    async_post_cb, &async_post);

  /* The bot has it, and says nothing */
  while (ltm_test_server_get_bot_held (fixture->server) == 0)
    g_main_context_iteration (NULL, TRUE);
  held_since = g_get_monotonic_time ();

  /* LINE is answered while the bot still holds it */
  while (!async_post.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (async_post.status, ==, 200);
  g_assert_cmpuint (ltm_test_server_get_bot_held (fixture->server), ==, 1);
  g_assert_cmpuint (fixture->finished->len, ==, 0);
  event = g_ptr_array_index (fixture->received, 0);
  g_assert_cmpint (ltm_webhook_event_get_bot_state (event), ==, LTM_WEBHOOK_BOT_WAITING);
  g_assert_cmpuint (ltm_webhook_receiver_get_n_pending (fixture->receiver), ==, 1);

  /* At least LINE's whole (shortened) timeout later, the bot answers */
  while (g_get_monotonic_time () - held_since < 100 * 1000)
    g_usleep (10 * 1000);
  ltm_test_server_release_bot (fixture->server);
  wait_for (fixture->finished, 1);

  g_assert_cmpint (ltm_webhook_event_get_bot_state (event), ==, LTM_WEBHOOK_BOT_ANSWERED);
  g_assert_cmpuint (ltm_webhook_event_get_bot_status (event), ==, 200);
  g_assert_true (ltm_webhook_event_get_bot_late (event));
  g_assert_cmpint (ltm_webhook_event_get_bot_time (event), >=, 100 * 1000);
  g_assert_cmpuint (ltm_webhook_receiver_get_n_pending (fixture->receiver), ==, 0);
}

/* A port nothing listens on: bound, then closed. */
static guint
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  g_socket_close (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_receiver_bot_down (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *bot = g_strdup_printf ("http://127.0.0.1:%u/callback", closed_port ());
  g_autoptr(GError) error = NULL;
  LtmWebhookEvent *event;

  g_assert_true (ltm_webhook_receiver_set_forward_to (fixture->receiver, bot, &error));
  fixture_listen (fixture);

  g_assert_cmpuint (post_signed (fixture, emoji_body), ==, 502);
  wait_for (fixture->finished, 1);
  event = g_ptr_array_index (fixture->finished, 0);
  g_assert_cmpint (ltm_webhook_event_get_bot_state (event), ==, LTM_WEBHOOK_BOT_FAILED);
  g_assert_nonnull (strstr (ltm_webhook_event_get_bot_message (event), "could not be reached"));
}

/* The desktop's proxy resolver, as far as these tests go: a proxy for
 * *.example.com, none for anything else, and every URI it was asked for
 * noted.  Installed before anything asks for the default, it also keeps
 * the machine's proxy settings out of every other test here. */

#define TEST_TYPE_PROXY_RESOLVER (test_proxy_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestProxyResolver, test_proxy_resolver, TEST, PROXY_RESOLVER, GObject)

struct _TestProxyResolver {
  GObject parent_instance;
};

static GPtrArray *proxy_lookups;  /* the URIs asked for, under proxy_lock */
G_LOCK_DEFINE_STATIC (proxy_lock);

static void test_proxy_resolver_iface_init (GProxyResolverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProxyResolver, test_proxy_resolver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY_RESOLVER,
                                                      test_proxy_resolver_iface_init))

static gboolean
test_proxy_resolver_is_supported (GProxyResolver *resolver)
{
  return TRUE;
}

static char **
test_proxy_resolver_lookup (GProxyResolver  *resolver,
                            const char      *uri,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;
  char **proxies = g_new0 (char *, 2);

  G_LOCK (proxy_lock);
  g_ptr_array_add (proxy_lookups, g_strdup (uri));
  G_UNLOCK (proxy_lock);

  proxies[0] = g_strdup (host != NULL && g_str_has_suffix (host, ".example.com")
                         ? "http://proxy.example.com:3128" : "direct://");

  return proxies;
}

static void
test_proxy_resolver_lookup_async (GProxyResolver      *resolver,
                                  const char          *uri,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_return_pointer (task, test_proxy_resolver_lookup (resolver, uri, NULL, NULL),
                         (GDestroyNotify) g_strfreev);
}

static char **
test_proxy_resolver_lookup_finish (GProxyResolver  *resolver,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_proxy_resolver_iface_init (GProxyResolverInterface *iface)
{
  iface->is_supported = test_proxy_resolver_is_supported;
  iface->lookup = test_proxy_resolver_lookup;
  iface->lookup_async = test_proxy_resolver_lookup_async;
  iface->lookup_finish = test_proxy_resolver_lookup_finish;
}

static void
test_proxy_resolver_class_init (TestProxyResolverClass *klass)
{
}

static void
test_proxy_resolver_init (TestProxyResolver *self)
{
}

static gboolean
proxy_was_asked (const char *uri)
{
  gboolean asked;

  G_LOCK (proxy_lock);
  asked = g_ptr_array_find_with_equal_func (proxy_lookups, uri, g_str_equal, NULL);
  G_UNLOCK (proxy_lock);

  return asked;
}

/* The session's proxy resolver: this computer directly, without asking
 * the desktop's; anywhere else as the desktop's says. */
static void
test_session_proxy (void)
{
  g_autoptr(SoupSession) session = ltm_webhook_session_new ();
  g_autoptr(GProxyResolver) resolver = NULL;
  const char *loopback[] = { "http://127.0.0.1:3000/session-proxy", "http://localhost:8080/session-proxy",
                             "http://[::1]:3000/session-proxy", "https://127.0.0.2/session-proxy" };
  const char *remote = "https://bot.example.com/session-proxy";
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) proxies = NULL;

  g_assert_true (TEST_IS_PROXY_RESOLVER (g_proxy_resolver_get_default ()));
  g_object_get (session, "proxy-resolver", &resolver, NULL);
  g_assert_nonnull (resolver);
  g_assert_true (g_proxy_resolver_is_supported (resolver));

  for (guint i = 0; i < G_N_ELEMENTS (loopback); i++)
    {
      g_auto(GStrv) direct = g_proxy_resolver_lookup (resolver, loopback[i], NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstrv (direct, ((const char *[]) { "direct://", NULL }));
      g_assert_false (proxy_was_asked (loopback[i]));
    }

  proxies = g_proxy_resolver_lookup (resolver, remote, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (proxies, ((const char *[]) { "http://proxy.example.com:3128", NULL }));
  g_assert_true (proxy_was_asked (remote));
}

static void
test_bot_url (void)
{
  const char *good[] = { "http://127.0.0.1:3000/callback", "http://localhost/x", "http://[::1]:1/",
                         "https://bot.example.com/callback" };
  const char *bad[] = { "http://bot.example.com/callback", "http://10.0.0.1/", "ftp://localhost/",
                        "localhost:3000", "" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (ltm_webhook_check_bot_url (good[i], NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (ltm_webhook_check_bot_url (bad[i], &error));
      g_assert_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_URL);
    }
}

static void
test_listen_address (void)
{
  const char *good[][3] = {
    { "8000", "127.0.0.1", "8000" },
    { "127.0.0.1:0", "127.0.0.1", "0" },
    { "localhost:9", "127.0.0.1", "9" },
    { "[::1]:80", "::1", "80" },
    { "0.0.0.0", "0.0.0.0", "8000" },
  };
  const char *bad[] = { "example.com:80", "127.0.0.1:99999", "::1::", "" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GSocketAddress) address = NULL;
      g_autofree char *host = NULL;
      g_autofree char *port = NULL;

      g_assert_true (ltm_webhook_parse_listen_address (good[i][0], &address, NULL));
      host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
      port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
      g_assert_cmpstr (host, ==, good[i][1]);
      g_assert_cmpstr (port, ==, good[i][2]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GSocketAddress) address = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (ltm_webhook_parse_listen_address (bad[i], &address, &error));
      g_assert_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_ARGUMENT);
    }
}

/* The store */

static void
fixture_set_up_store (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture_set_up (fixture, data);
  fixture->dir = g_build_filename (ltm_test_get_tmp_dir (), "store", NULL);
  fixture->store = ltm_store_new (fixture->dir);
  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, "Echo", NULL, NULL, SECRET, &error));
  g_assert_no_error (error);
  ltm_webhook_receiver_set_store (fixture->receiver, fixture->store);
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;

  return memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
test_store_records (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *wal = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(LtmWebhookRecord) found = NULL;
  g_autoptr(LtmWebhookEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  const char *body = "{\"destination\":\"Uabc\",\"events\":[{\"type\":\"message\","
                     "\"webhookEventId\":\"01HF7YAT03AAAAAAAAAAAAAAAA\",\"message\":"
                     "{\"type\":\"text\",\"text\":\"my-private-words\"},\"source\":"
                     "{\"type\":\"user\",\"userId\":\"U1111111111111111111111111111111a\"}}]}";
  LtmWebhookRecord *record;
  guint cleared = 0;

  fixture_listen (fixture);
  g_assert_cmpuint (post_signed (fixture, body), ==, 200);
  g_assert_cmpuint (post_signed (fixture, "{\"destination\":\"Uabc\",\"events\":[]}"), ==, 200);
  wait_for (fixture->finished, 2);

  /* Written before stop() returns; the row's ID came back to the event */
  ltm_webhook_receiver_stop (fixture->receiver);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (ltm_webhook_event_get_record_id (g_ptr_array_index (fixture->finished, 0)), >, 0);

  records = ltm_store_list_webhook_records (fixture->store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  record = g_ptr_array_index (records, 1);         /* newest first */
  g_assert_cmpstr (record->event_id, ==, "01HF7YAT03AAAAAAAAAAAAAAAA");
  g_assert_cmpstr (record->event_type, ==, "message");
  g_assert_cmpint (record->signature, ==, LTM_WEBHOOK_SIGNATURE_VALID);
  g_assert_cmpint (record->bot_state, ==, LTM_WEBHOOK_BOT_ANSWERED);
  g_assert_cmpuint (record->bot_status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (record->body, NULL), g_bytes_get_size (record->body),
                   body, strlen (body));
  g_assert_cmpint (((LtmWebhookRecord *) g_ptr_array_index (records, 0))->index, ==, -1);

  event = ltm_webhook_record_to_event (record, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_webhook_event_get_text (event), ==, "my-private-words");
  g_assert_cmpint (ltm_webhook_event_get_record_id (event), ==, record->id);

  /* Sealed: what people wrote and who they are is nowhere in plain form */
  wal = g_strconcat (ltm_store_get_path (fixture->store), "-wal", NULL);
  g_assert_false (file_contains (ltm_store_get_path (fixture->store), "my-private-words"));
  g_assert_false (file_contains (wal, "my-private-words"));
  g_assert_false (file_contains (wal, "U1111111111111111111111111111111a"));

  /* Found by webhookEventId or by its number */
  found = ltm_store_find_webhook_record (fixture->store, CHANNEL, "01HF7YAT03AAAAAAAAAAAAAAAA", &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->id, ==, record->id);
  g_clear_pointer (&found, ltm_webhook_record_free);
  {
    g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, record->id);

    found = ltm_store_find_webhook_record (fixture->store, CHANNEL, number, &error);
    g_assert_no_error (error);
    g_assert_cmpint (found->id, ==, record->id);
  }
  g_assert_null (ltm_store_find_webhook_record (fixture->store, CHANNEL, "nope", &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (ltm_store_list_webhook_records (fixture->store, "999", &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (ltm_store_clear_webhook_records (fixture->store, CHANNEL, &cleared, &error));
  g_assert_cmpuint (cleared, ==, 2);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = ltm_store_list_webhook_records (fixture->store, CHANNEL, &error);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_store_keeps_last (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_webhook_record_free);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint total = LTM_STORE_WEBHOOK_EVENTS_KEPT + 20;

  for (guint i = 0; i < total; i++)
    {
      LtmWebhookRecord *record = g_new0 (LtmWebhookRecord, 1);
      char *text;

      record->received_at = i;
      record->index = 0;
      record->event_id = g_strdup_printf ("E%u", i);
      record->bot_time = -1;
      text = g_strdup_printf ("{\"events\":[{\"n\":%u}]}", i);
      record->body = g_bytes_new_take (text, strlen (text));
      g_ptr_array_add (batch, record);
      /* In batches of seven: the limit holds across transactions */
      if (batch->len == 7 || i == total - 1)
        {
          g_assert_true (ltm_store_add_webhook_records (fixture->store, CHANNEL, batch, &error));
          g_assert_no_error (error);
          g_ptr_array_set_size (batch, 0);
        }
    }

  records = ltm_store_list_webhook_records (fixture->store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, LTM_STORE_WEBHOOK_EVENTS_KEPT);
  g_assert_cmpstr (((LtmWebhookRecord *) g_ptr_array_index (records, 0))->event_id, ==, "E519");
  g_assert_cmpstr (((LtmWebhookRecord *) g_ptr_array_index (records, records->len - 1))->event_id,
                   ==, "E20");

  /* A channel removed takes its events along */
  g_assert_true (ltm_store_remove_channel (fixture->store, CHANNEL, &error));
  g_assert_null (ltm_store_list_webhook_records (fixture->store, CHANNEL, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
}

/* Whatever bytes a body has, NULs and invalid UTF-8 included, up to the
 * receiver's limit, come back from the store as they were. */
static void
test_store_any_bytes (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_webhook_record_free);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  static const char odd[] = "{\"events\":[{\"type\":\"x\0y\xff\"}]}\0";
  g_autofree guint8 *large = g_malloc (LTM_WEBHOOK_MAX_BODY);
  GBytes *bodies[2];

  for (gsize i = 0; i < LTM_WEBHOOK_MAX_BODY; i++)
    large[i] = (guint8) (i * 7);
  bodies[0] = g_bytes_new_static (odd, sizeof odd);
  bodies[1] = g_bytes_new (large, LTM_WEBHOOK_MAX_BODY);

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      LtmWebhookRecord *record = g_new0 (LtmWebhookRecord, 1);

      record->index = 0;
      record->bot_time = -1;
      record->body = bodies[i];
      g_ptr_array_add (batch, record);
    }
  g_assert_true (ltm_store_add_webhook_records (fixture->store, CHANNEL, batch, &error));
  g_assert_no_error (error);

  records = ltm_store_list_webhook_records (fixture->store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      LtmWebhookRecord *record = g_ptr_array_index (records, records->len - 1 - i);

      g_assert_true (g_bytes_equal (record->body, bodies[i]));
    }
}

/* The destination of the events made here: the bot's user ID as bot
 * info gave it, else as LINE last sent it; and the history read back. */
static void
test_store_destination (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_webhook_record_free);
  g_autoptr(LtmWebhookHistory) history = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *none = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *fetched = NULL;
  g_autofree char *kept = NULL;
  LtmWebhookRecord *record = g_new0 (LtmWebhookRecord, 1);
  static const char body[] = "{\"destination\":\"Ufromline\",\"events\":[{\"type\":\"follow\"}]}";

  none = ltm_webhook_dup_destination (fixture->store, CHANNEL);
  g_assert_null (none);
  g_assert_null (ltm_store_dup_webhook_bot_user_id (fixture->store, CHANNEL, &error));
  g_assert_no_error (error);

  record->index = 0;
  record->bot_time = -1;
  record->body = g_bytes_new_static (body, strlen (body));
  g_ptr_array_add (batch, record);
  g_assert_true (ltm_store_add_webhook_records (fixture->store, CHANNEL, batch, &error));
  g_assert_no_error (error);
  recorded = ltm_webhook_dup_destination (fixture->store, CHANNEL);
  g_assert_cmpstr (recorded, ==, "Ufromline");

  g_assert_true (ltm_store_set_webhook_bot_user_id (fixture->store, CHANNEL, "Uold", &error));
  g_assert_true (ltm_store_set_webhook_bot_user_id (fixture->store, CHANNEL, BOT_USER_ID, &error));
  g_assert_no_error (error);
  kept = ltm_store_dup_webhook_bot_user_id (fixture->store, CHANNEL, &error);
  g_assert_cmpstr (kept, ==, BOT_USER_ID);
  fetched = ltm_webhook_dup_destination (fixture->store, CHANNEL);
  g_assert_cmpstr (fetched, ==, BOT_USER_ID);
  g_assert_false (ltm_store_set_webhook_bot_user_id (fixture->store, "999", BOT_USER_ID, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  ltm_webhook_load_history_async (fixture->store, CHANNEL, NULL, ltm_async_result_cb, &result);
  history = ltm_webhook_load_history_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (history->destination, ==, BOT_USER_ID);
  g_assert_cmpuint (history->events->len, ==, 1);
  g_assert_cmpstr (ltm_webhook_event_get_event_type (g_ptr_array_index (history->events, 0)), ==,
                   "follow");
  g_assert_cmpint (ltm_webhook_event_get_record_id (g_ptr_array_index (history->events, 0)), ==,
                   record->id);
}

static void
test_store_restore (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LtmWebhookRestore) restore = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (ltm_store_get_webhook_restore (fixture->store, CHANNEL, &error));
  g_assert_no_error (error);

  g_assert_true (ltm_store_set_webhook_restore (fixture->store, CHANNEL, "https://bot.example.com/a",
                                                "https://tunnel.example/callback", &error));
  /* A second diversion keeps the URL from before the first */
  g_assert_true (ltm_store_set_webhook_restore (fixture->store, CHANNEL,
                                                "https://tunnel.example/callback",
                                                "https://other.example/callback", &error));
  restore = ltm_store_get_webhook_restore (fixture->store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (restore->endpoint, ==, "https://bot.example.com/a");
  g_assert_cmpstr (restore->public_url, ==, "https://tunnel.example/callback");
  g_assert_cmpint (restore->since, >, 0);

  g_assert_true (ltm_store_clear_webhook_restore (fixture->store, CHANNEL, &error));
  g_clear_pointer (&restore, ltm_webhook_restore_free);
  g_assert_null (ltm_store_get_webhook_restore (fixture->store, CHANNEL, &error));
  g_assert_no_error (error);

  /* LINE had no URL: that too is kept */
  g_assert_true (ltm_store_set_webhook_restore (fixture->store, CHANNEL, NULL,
                                                "https://tunnel.example/callback", &error));
  restore = ltm_store_get_webhook_restore (fixture->store, CHANNEL, &error);
  g_assert_null (restore->endpoint);
}

static void
run_sql (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* A store of schema 2 (before webhook events) is brought to 3, its rows
 * and secrets kept. */
static void
test_store_upgrade (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_webhook_record_free);
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  LtmWebhookRecord *record = g_new0 (LtmWebhookRecord, 1);
  g_autofree char *path = g_build_filename (fixture->dir, "store.sqlite3", NULL);

  g_clear_object (&fixture->store);
  run_sql (path,
           "DROP TABLE webhook_events; DROP TABLE webhook_restores; DROP TABLE webhook_bots; "
           "PRAGMA user_version = 2");

  fixture->store = ltm_store_new (fixture->dir);
  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_nonnull (ltm_store_find_channel (fixture->store, CHANNEL));
  secret = ltm_store_get_secret (fixture->store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, SECRET);

  record->index = -1;
  record->bot_time = -1;
  record->body = g_bytes_new_static ("{\"events\":[]}", 13);
  g_ptr_array_add (batch, record);
  g_assert_true (ltm_store_add_webhook_records (fixture->store, CHANNEL, batch, &error));
  g_assert_no_error (error);
  g_assert_true (ltm_store_set_webhook_bot_user_id (fixture->store, CHANNEL, BOT_USER_ID, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ltm_test_use_file_keyring ();

  /* Before anything asks for the default resolver (GIO registers its
   * extension points then, and takes this one as it is). */
  proxy_lookups = g_ptr_array_new_with_free_func (g_free);
  g_io_extension_point_register (G_PROXY_RESOLVER_EXTENSION_POINT_NAME);
  g_io_extension_point_implement (G_PROXY_RESOLVER_EXTENSION_POINT_NAME,
                                  TEST_TYPE_PROXY_RESOLVER, "ltm-test", 1000);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "ltm-test", TRUE);

  g_test_add_func ("/webhook/signature", test_signature);
  g_test_add_func ("/webhook/parse", test_parse);
  g_test_add_func ("/webhook/parse-refused", test_parse_refused);
  g_test_add_func ("/webhook/synth", test_synth);
  g_test_add_func ("/webhook/redelivery", test_redelivery);
  g_test_add_func ("/webhook/bot-url", test_bot_url);
  g_test_add_func ("/webhook/session-proxy", test_session_proxy);
  g_test_add_func ("/webhook/listen-address", test_listen_address);
  g_test_add ("/webhook/receiver/forwards", Fixture, NULL,
              fixture_set_up, test_receiver_forwards, fixture_tear_down);
  g_test_add ("/webhook/receiver/closes-connections", Fixture, NULL,
              fixture_set_up, test_receiver_closes_connections, fixture_tear_down);
  g_test_add ("/webhook/receiver/bad-signature", Fixture, NULL,
              fixture_set_up, test_receiver_bad_signature, fixture_tear_down);
  g_test_add ("/webhook/receiver/limits", Fixture, NULL,
              fixture_set_up, test_receiver_limits, fixture_tear_down);
  g_test_add ("/webhook/receiver/slow-bot", Fixture, "/_receiver/slow",
              fixture_set_up, test_receiver_slow_bot, fixture_tear_down);
  g_test_add ("/webhook/receiver/bot-down", Fixture, NULL,
              fixture_set_up, test_receiver_bot_down, fixture_tear_down);
  g_test_add ("/webhook/store/records", Fixture, NULL,
              fixture_set_up_store, test_store_records, fixture_tear_down);
  g_test_add ("/webhook/store/keeps-last", Fixture, NULL,
              fixture_set_up_store, test_store_keeps_last, fixture_tear_down);
  g_test_add ("/webhook/store/destination", Fixture, NULL,
              fixture_set_up_store, test_store_destination, fixture_tear_down);
  g_test_add ("/webhook/store/any-bytes", Fixture, NULL,
              fixture_set_up_store, test_store_any_bytes, fixture_tear_down);
  g_test_add ("/webhook/store/restore", Fixture, NULL,
              fixture_set_up_store, test_store_restore, fixture_tear_down);
  g_test_add ("/webhook/store/upgrade", Fixture, NULL,
              fixture_set_up_store, test_store_upgrade, fixture_tear_down);

  return g_test_run ();
}
