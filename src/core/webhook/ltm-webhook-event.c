/* ltm-webhook-event.c: one event LINE sent to the bot, and what became of it
 *
 * A webhook body is {"destination":"U…","events":[…]}; each event becomes
 * one LtmWebhookEvent that keeps the raw bytes of the body it came from
 * (shared by the events of one body) and its index in "events", so that
 * what is shown, copied, recorded or forwarded is what LINE sent, byte for
 * byte.  A body with no events (LINE's Verify button) gives one event of
 * index -1 and no type.  Unknown event types are kept, never refused.
 *
 * What the parser reads is fixed at construction; what the bot answered
 * comes later and is told with notify::bot-state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-event.h"

#include <glib/gi18n-lib.h>

#include "ltm-enums.h"
#include "ltm-json.h"
#include "ltm-text.h"
#include "ltm-webhook-error.h"

struct _LtmWebhookEvent
{
  GObject parent_instance;

  GBytes *body;
  int index;
  gint64 received_at;
  LtmWebhookSignature signature;

  char *destination;
  char *event_type;
  char *mode;
  gint64 timestamp;
  char *source_type;
  char *user_id;
  char *group_id;
  char *room_id;
  char *webhook_event_id;
  gboolean is_redelivery;
  char *reply_token;
  char *message_type;
  char *message_id;
  char *text;
  char *postback_data;

  gint64 record_id;
  LtmWebhookBotState bot_state;
  guint bot_status;
  gint64 bot_time;
  gboolean bot_late;
  char *bot_message;
};

G_DEFINE_FINAL_TYPE (LtmWebhookEvent, ltm_webhook_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_EVENT_TYPE,
  PROP_SIGNATURE,
  PROP_RECORD_ID,
  PROP_BOT_STATE,
  PROP_BOT_STATUS,
  PROP_BOT_TIME,
  PROP_BOT_LATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ltm_webhook_event_finalize (GObject *object)
{
  LtmWebhookEvent *self = (LtmWebhookEvent *)object;

  g_clear_pointer (&self->body, g_bytes_unref);
  g_free (self->destination);
  g_free (self->event_type);
  g_free (self->mode);
  g_free (self->source_type);
  g_free (self->user_id);
  g_free (self->group_id);
  g_free (self->room_id);
  g_free (self->webhook_event_id);
  g_free (self->reply_token);
  g_free (self->message_type);
  g_free (self->message_id);
  g_free (self->text);
  g_free (self->postback_data);
  g_free (self->bot_message);

  G_OBJECT_CLASS (ltm_webhook_event_parent_class)->finalize (object);
}

static void
ltm_webhook_event_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LtmWebhookEvent *self = LTM_WEBHOOK_EVENT (object);

  switch (prop_id)
    {
    case PROP_EVENT_TYPE:
      g_value_set_string (value, self->event_type);
      break;
    case PROP_SIGNATURE:
      g_value_set_enum (value, self->signature);
      break;
    case PROP_RECORD_ID:
      g_value_set_int64 (value, self->record_id);
      break;
    case PROP_BOT_STATE:
      g_value_set_enum (value, self->bot_state);
      break;
    case PROP_BOT_STATUS:
      g_value_set_uint (value, self->bot_status);
      break;
    case PROP_BOT_TIME:
      g_value_set_int64 (value, self->bot_time);
      break;
    case PROP_BOT_LATE:
      g_value_set_boolean (value, self->bot_late);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_webhook_event_class_init (LtmWebhookEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ltm_webhook_event_finalize;
  object_class->get_property = ltm_webhook_event_get_property;

  properties[PROP_EVENT_TYPE] =
    g_param_spec_string ("event-type", NULL, NULL, NULL, flags);
  properties[PROP_SIGNATURE] =
    g_param_spec_enum ("signature", NULL, NULL, LTM_TYPE_WEBHOOK_SIGNATURE,
                       LTM_WEBHOOK_SIGNATURE_UNCHECKED, flags);
  properties[PROP_RECORD_ID] =
    g_param_spec_int64 ("record-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_BOT_STATE] =
    g_param_spec_enum ("bot-state", NULL, NULL, LTM_TYPE_WEBHOOK_BOT_STATE,
                       LTM_WEBHOOK_BOT_NONE, flags);
  properties[PROP_BOT_STATUS] =
    g_param_spec_uint ("bot-status", NULL, NULL, 0, 999, 0, flags);
  properties[PROP_BOT_TIME] =
    g_param_spec_int64 ("bot-time", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_BOT_LATE] =
    g_param_spec_boolean ("bot-late", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ltm_webhook_event_init (LtmWebhookEvent *self)
{
  self->index = -1;
  self->bot_time = -1;
}

/* Parsing */

static char *
ltm_webhook_event_dup_member (JsonObject *object,
                              const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  /* message.id is a string in LINE's JSON; a number is read as one too. */
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return NULL;
    }
}

static JsonObject *
ltm_webhook_event_get_object (JsonObject *object,
                              const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static LtmWebhookEvent *
ltm_webhook_event_new_parsed (GBytes              *body,
                              const char          *destination,
                              JsonObject          *object,
                              int                  index,
                              gint64               received_at,
                              LtmWebhookSignature  signature)
{
  LtmWebhookEvent *self = g_object_new (LTM_TYPE_WEBHOOK_EVENT, NULL);
  JsonObject *source = ltm_webhook_event_get_object (object, "source");
  JsonObject *message = ltm_webhook_event_get_object (object, "message");
  JsonObject *postback = ltm_webhook_event_get_object (object, "postback");
  JsonObject *context = ltm_webhook_event_get_object (object, "deliveryContext");

  self->body = g_bytes_ref (body);
  self->index = index;
  self->received_at = received_at;
  self->signature = signature;
  self->destination = g_strdup (destination);

  if (object == NULL)
    return self;

  self->event_type = ltm_webhook_event_dup_member (object, "type");
  self->mode = ltm_webhook_event_dup_member (object, "mode");
  ltm_json_object_get_int (object, "timestamp", &self->timestamp);
  self->webhook_event_id = ltm_webhook_event_dup_member (object, "webhookEventId");
  self->reply_token = ltm_webhook_event_dup_member (object, "replyToken");
  self->source_type = ltm_webhook_event_dup_member (source, "type");
  self->user_id = ltm_webhook_event_dup_member (source, "userId");
  self->group_id = ltm_webhook_event_dup_member (source, "groupId");
  self->room_id = ltm_webhook_event_dup_member (source, "roomId");
  self->message_type = ltm_webhook_event_dup_member (message, "type");
  self->message_id = ltm_webhook_event_dup_member (message, "id");
  self->text = ltm_webhook_event_dup_member (message, "text");
  self->postback_data = ltm_webhook_event_dup_member (postback, "data");
  if (context != NULL)
    ltm_json_object_get_bool (context, "isRedelivery", &self->is_redelivery);

  return self;
}

/* The body's root object and its events array, or an error. */
static JsonNode *
ltm_webhook_event_parse_root (GBytes      *body,
                              JsonArray  **out_events,
                              GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *events;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0 || (root = ltm_json_parse (data, len, &local_error)) == NULL)
    {
      g_set_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY,
                   _("The body is not JSON: %s"),
                   local_error != NULL ? local_error->message : _("empty"));
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      (events = json_object_get_member (json_node_get_object (root), "events")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (events))
    {
      g_set_error_literal (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY,
                           _("The body is not a webhook delivery: it has no “events” array."));
      return NULL;
    }

  *out_events = json_node_get_array (events);

  return g_steal_pointer (&root);
}

/**
 * ltm_webhook_event_parse:
 * @body: a webhook body, as received
 * @received_at: when, in microseconds since the epoch
 * @signature: what its signature was found to be
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type LtmWebhookEvent): one event
 *   per element of "events", in order (an element that is not an object
 *   gives an event without a type); one event of index -1 when there are
 *   none; %NULL with %LTM_WEBHOOK_ERROR_INVALID_BODY
 */
GPtrArray *
ltm_webhook_event_parse (GBytes               *body,
                         gint64                received_at,
                         LtmWebhookSignature   signature,
                         GError              **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  JsonArray *events = NULL;
  const char *destination;
  guint n_events;

  g_return_val_if_fail (body != NULL, NULL);

  if ((root = ltm_webhook_event_parse_root (body, &events, error)) == NULL)
    return NULL;

  destination = ltm_json_object_get_string (json_node_get_object (root), "destination");
  n_events = json_array_get_length (events);
  parsed = g_ptr_array_new_full (MAX (n_events, 1), g_object_unref);

  if (n_events == 0)
    g_ptr_array_add (parsed, ltm_webhook_event_new_parsed (body, destination, NULL, -1,
                                                           received_at, signature));

  for (guint i = 0; i < n_events; i++)
    {
      JsonNode *node = json_array_get_element (events, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      g_ptr_array_add (parsed, ltm_webhook_event_new_parsed (body, destination, object, i,
                                                             received_at, signature));
    }

  return g_steal_pointer (&parsed);
}

/**
 * ltm_webhook_event_new_from_body:
 * @body: a webhook body
 * @index: the event's index in "events", or -1 for a body with none
 * @received_at: when, in microseconds since the epoch
 * @signature: what its signature was found to be
 * @error: return location for a #GError
 *
 * For a recorded event: the body it came from, read again.
 *
 * Returns: (transfer full): the event, or %NULL with an error
 */
LtmWebhookEvent *
ltm_webhook_event_new_from_body (GBytes               *body,
                                 int                   index,
                                 gint64                received_at,
                                 LtmWebhookSignature   signature,
                                 GError              **error)
{
  g_autoptr(GPtrArray) parsed = ltm_webhook_event_parse (body, received_at, signature, error);
  guint position = index < 0 ? 0 : (guint) index;

  if (parsed == NULL)
    return NULL;

  if (position >= parsed->len || ltm_webhook_event_get_index (g_ptr_array_index (parsed, position)) != index)
    {
      g_set_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY,
                   _("The body has no event %d."), index);
      return NULL;
    }

  return g_object_ref (g_ptr_array_index (parsed, position));
}

/* Getters */

#define GETTER(type, name, fallback) \
  type \
  ltm_webhook_event_get_##name (LtmWebhookEvent *self) \
  { \
    g_return_val_if_fail (LTM_IS_WEBHOOK_EVENT (self), fallback); \
    return self->name; \
  }

/**
 * ltm_webhook_event_get_body:
 * @self: an event
 *
 * Returns: (transfer none): the whole body the event came in, as received
 */
GETTER (GBytes *, body, NULL)
GETTER (int, index, -1)
GETTER (const char *, destination, NULL)
GETTER (const char *, event_type, NULL)
GETTER (const char *, mode, NULL)
GETTER (gint64, timestamp, 0)
GETTER (const char *, source_type, NULL)
GETTER (const char *, user_id, NULL)
GETTER (const char *, group_id, NULL)
GETTER (const char *, room_id, NULL)
GETTER (const char *, webhook_event_id, NULL)
GETTER (gboolean, is_redelivery, FALSE)
GETTER (const char *, reply_token, NULL)
GETTER (const char *, message_type, NULL)
GETTER (const char *, message_id, NULL)
GETTER (const char *, text, NULL)
GETTER (const char *, postback_data, NULL)
GETTER (gint64, received_at, 0)
GETTER (LtmWebhookSignature, signature, LTM_WEBHOOK_SIGNATURE_UNCHECKED)
GETTER (gint64, record_id, 0)
GETTER (LtmWebhookBotState, bot_state, LTM_WEBHOOK_BOT_NONE)
GETTER (guint, bot_status, 0)
GETTER (gint64, bot_time, -1)
GETTER (gboolean, bot_late, FALSE)
GETTER (const char *, bot_message, NULL)

#undef GETTER

/**
 * ltm_webhook_event_get_chat_id:
 * @self: an event
 *
 * Returns: (nullable): where it happened: the group's or room's ID, else
 *   the user's
 */
const char *
ltm_webhook_event_get_chat_id (LtmWebhookEvent *self)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_EVENT (self), NULL);

  if (self->group_id != NULL)
    return self->group_id;
  if (self->room_id != NULL)
    return self->room_id;

  return self->user_id;
}

/**
 * ltm_webhook_event_dup_summary:
 * @self: an event
 *
 * Returns: (transfer full): what the event says, in a line: a message's
 *   text, a postback's data, else the type of message ("image"); control
 *   characters escaped, at most 80 characters; "" when none of these
 */
char *
ltm_webhook_event_dup_summary (LtmWebhookEvent *self)
{
  const char *what;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (LTM_IS_WEBHOOK_EVENT (self), NULL);

  if (self->text != NULL)
    what = self->text;
  else if (self->postback_data != NULL)
    what = self->postback_data;
  else if (self->message_type != NULL)
    what = self->message_type;
  else
    return g_strdup ("");

  escaped = ltm_text_escape_controls (what, NULL);
  if (g_utf8_strlen (escaped, -1) > 80)
    {
      g_autofree char *cut = g_utf8_substring (escaped, 0, 79);

      return g_strconcat (cut, "…", NULL);
    }

  return g_steal_pointer (&escaped);
}

void
ltm_webhook_event_set_record_id (LtmWebhookEvent *self,
                                 gint64           record_id)
{
  g_return_if_fail (LTM_IS_WEBHOOK_EVENT (self));

  if (self->record_id == record_id)
    return;

  self->record_id = record_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD_ID]);
}

/**
 * ltm_webhook_event_set_bot_answer:
 * @self: an event
 * @state: what became of the forwarding
 * @status: the bot's HTTP status, or 0
 * @time_us: how long the bot took, in microseconds, or -1
 * @late: the bot answered after LINE would have given up (request_timeout)
 * @message: (nullable): why it failed, in words
 *
 * Notifies every property that changed, bot-state last, so that a
 * handler of notify::bot-state sees the whole answer.  The message has
 * no property of its own: it changes with bot-state.
 */
void
ltm_webhook_event_set_bot_answer (LtmWebhookEvent    *self,
                                  LtmWebhookBotState  state,
                                  guint               status,
                                  gint64              time_us,
                                  gboolean            late,
                                  const char         *message)
{
  GObject *object = G_OBJECT (self);

  g_return_if_fail (LTM_IS_WEBHOOK_EVENT (self));

  g_free (self->bot_message);
  self->bot_message = g_strdup (message);

  if (self->bot_status != status)
    {
      self->bot_status = status;
      g_object_notify_by_pspec (object, properties[PROP_BOT_STATUS]);
    }
  if (self->bot_time != time_us)
    {
      self->bot_time = time_us;
      g_object_notify_by_pspec (object, properties[PROP_BOT_TIME]);
    }
  if (self->bot_late != late)
    {
      self->bot_late = late;
      g_object_notify_by_pspec (object, properties[PROP_BOT_LATE]);
    }
  if (self->bot_state != state)
    {
      self->bot_state = state;
      g_object_notify_by_pspec (object, properties[PROP_BOT_STATE]);
    }
}
