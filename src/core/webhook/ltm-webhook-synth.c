/* ltm-webhook-synth.c: events in LINE's own shapes, made here to try a bot
 *
 * What LINE would send (line-api.md, "Webhooks: what LINE sends to the
 * bot"): a fresh webhookEventId (a ULID), a replyToken where LINE gives
 * one, "mode":"active", the time in milliseconds, deliveryContext, and a
 * source of LINE's form.  The test user and group are the same for every
 * event to one bot, so that a bot that keeps a conversation sees one.
 * A redelivery is an event as it was recorded, marked isRedelivery.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-synth.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ltm-json.h"
#include "ltm-webhook-error.h"

/* For a bot whose user ID this program has not read yet. */
#define UNKNOWN_DESTINATION "U00000000000000000000000000000000"

static const char *const synth_names[] = {
  [LTM_WEBHOOK_SYNTH_MESSAGE] = "message",
  [LTM_WEBHOOK_SYNTH_FOLLOW] = "follow",
  [LTM_WEBHOOK_SYNTH_UNFOLLOW] = "unfollow",
  [LTM_WEBHOOK_SYNTH_POSTBACK] = "postback",
  [LTM_WEBHOOK_SYNTH_JOIN] = "join",
  [LTM_WEBHOOK_SYNTH_LEAVE] = "leave",
};

const char *
ltm_webhook_synth_type_to_string (LtmWebhookSynthType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (synth_names), NULL);

  return synth_names[type];
}

gboolean
ltm_webhook_synth_type_from_string (const char          *text,
                                    LtmWebhookSynthType *out_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (synth_names); i++)
    {
      if (g_strcmp0 (text, synth_names[i]) == 0)
        {
          *out_type = i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ltm_webhook_new_event_id:
 * @now_ms: the time, in milliseconds since the epoch
 *
 * Returns: (transfer full): a ULID: 48 bits of @now_ms then 80 random
 *   bits, in 26 characters of Crockford base32, as LINE's webhookEventId
 */
char *
ltm_webhook_new_event_id (gint64 now_ms)
{
  static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  char *id = g_malloc (LTM_WEBHOOK_EVENT_ID_LENGTH + 1);
  guint64 time = (guint64) now_ms & G_GUINT64_CONSTANT (0xffffffffffff);

  /* 10 characters of time, the first only 3 bits. */
  for (int i = 9; i >= 0; i--)
    {
      id[i] = alphabet[time & 31];
      time >>= 5;
    }
  for (int i = 10; i < LTM_WEBHOOK_EVENT_ID_LENGTH; i++)
    id[i] = alphabet[g_random_int_range (0, 32)];
  id[LTM_WEBHOOK_EVENT_ID_LENGTH] = '\0';

  return id;
}

static char *
ltm_webhook_synth_random_hex (guint digits)
{
  GString *hex = g_string_sized_new (digits);

  for (guint i = 0; i < digits; i++)
    g_string_append_c (hex, "0123456789abcdef"[g_random_int_range (0, 16)]);

  return g_string_free (hex, FALSE);
}

/* "U", "C" or "R" and 32 lowercase hex digits, the same for one bot. */
static char *
ltm_webhook_synth_id (char        prefix,
                      const char *destination)
{
  g_autofree char *seed = g_strdup_printf ("ltm-test-%c:%s", prefix, destination);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  return g_strdup_printf ("%c%.32s", prefix, hex);
}

static void
ltm_webhook_synth_member (JsonBuilder *builder,
                          const char  *name,
                          const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

/**
 * ltm_webhook_synth_body:
 * @type: what happened
 * @text: (nullable): the message's text, or the postback's data; a
 *   default for %NULL
 * @destination: (nullable): the bot's user ID, if known
 * @now_ms: the time, in milliseconds since the epoch
 *
 * Returns: (transfer full): a webhook body with one event, as LINE sends it
 */
GBytes *
ltm_webhook_synth_body (LtmWebhookSynthType  type,
                        const char          *text,
                        const char          *destination,
                        gint64               now_ms)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *event_id = ltm_webhook_new_event_id (now_ms);
  g_autofree char *user_id = NULL;
  g_autofree char *group_id = NULL;
  gboolean in_group = type == LTM_WEBHOOK_SYNTH_JOIN || type == LTM_WEBHOOK_SYNTH_LEAVE;
  gboolean replies = type != LTM_WEBHOOK_SYNTH_UNFOLLOW && type != LTM_WEBHOOK_SYNTH_LEAVE;
  char *json;
  gsize len;

  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (synth_names), NULL);

  if (destination == NULL)
    destination = UNKNOWN_DESTINATION;
  user_id = ltm_webhook_synth_id ('U', destination);
  group_id = ltm_webhook_synth_id ('C', destination);

  json_builder_begin_object (builder);
  ltm_webhook_synth_member (builder, "destination", destination);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);

  ltm_webhook_synth_member (builder, "type", synth_names[type]);

  switch (type)
    {
    case LTM_WEBHOOK_SYNTH_MESSAGE:
      {
        g_autofree char *quote_token = ltm_webhook_synth_random_hex (32);
        g_autofree char *message_id = g_strdup_printf ("%u%09u", (guint) (100000000 + g_random_int_range (0, 899999999)),
                                                       (guint) g_random_int_range (0, 999999999));

        json_builder_set_member_name (builder, "message");
        json_builder_begin_object (builder);
        ltm_webhook_synth_member (builder, "id", message_id);
        ltm_webhook_synth_member (builder, "type", "text");
        ltm_webhook_synth_member (builder, "quoteToken", quote_token);
        ltm_webhook_synth_member (builder, "text", text != NULL ? text : "Hello");
        json_builder_end_object (builder);
      }
      break;
    case LTM_WEBHOOK_SYNTH_FOLLOW:
      json_builder_set_member_name (builder, "follow");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "isUnblocked");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_end_object (builder);
      break;
    case LTM_WEBHOOK_SYNTH_POSTBACK:
      json_builder_set_member_name (builder, "postback");
      json_builder_begin_object (builder);
      ltm_webhook_synth_member (builder, "data", text != NULL ? text : "action=test");
      json_builder_end_object (builder);
      break;
    case LTM_WEBHOOK_SYNTH_UNFOLLOW:
    case LTM_WEBHOOK_SYNTH_JOIN:
    case LTM_WEBHOOK_SYNTH_LEAVE:
    default:
      break;
    }

  ltm_webhook_synth_member (builder, "webhookEventId", event_id);
  json_builder_set_member_name (builder, "deliveryContext");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "isRedelivery");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_int_value (builder, now_ms);

  json_builder_set_member_name (builder, "source");
  json_builder_begin_object (builder);
  ltm_webhook_synth_member (builder, "type", in_group ? "group" : "user");
  if (in_group)
    ltm_webhook_synth_member (builder, "groupId", group_id);
  else
    ltm_webhook_synth_member (builder, "userId", user_id);
  json_builder_end_object (builder);

  if (replies)
    {
      g_autofree char *reply_token = ltm_webhook_synth_random_hex (32);

      ltm_webhook_synth_member (builder, "replyToken", reply_token);
    }
  ltm_webhook_synth_member (builder, "mode", "active");

  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &len);

  return g_bytes_new_take (json, len);
}

/**
 * ltm_webhook_redelivery_body:
 * @body: a recorded webhook body
 * @index: the event in it to send again
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a body with that one event, its
 *   webhookEventId kept and deliveryContext.isRedelivery true, as LINE
 *   redelivers; a body with no events is sent again as it was
 */
GBytes *
ltm_webhook_redelivery_body (GBytes  *body,
                             int      index,
                             GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonObject *context;
  JsonArray *events;
  JsonArray *one;
  JsonNode *event;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  char *json;

  g_return_val_if_fail (body != NULL, NULL);

  if (index < 0)
    return g_bytes_ref (body);

  root = len > 0 ? ltm_json_parse (data, len, &local_error) : NULL;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "events") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "events")) ||
      (guint) index >= json_array_get_length (json_object_get_array_member (json_node_get_object (root), "events")))
    {
      g_set_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY,
                   _("The recorded body has no event %d."), index);
      return NULL;
    }

  object = json_node_get_object (root);
  events = json_object_get_array_member (object, "events");
  event = json_array_get_element (events, index);
  if (!JSON_NODE_HOLDS_OBJECT (event))
    {
      g_set_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY,
                   _("The recorded event %d is not an object."), index);
      return NULL;
    }

  context = json_object_new ();
  json_object_set_boolean_member (context, "isRedelivery", TRUE);
  json_object_set_object_member (json_node_get_object (event), "deliveryContext", context);

  one = json_array_new ();
  json_array_add_element (one, json_node_ref (event));
  json_object_set_array_member (object, "events", one);

  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &len);

  return g_bytes_new_take (json, len);
}
