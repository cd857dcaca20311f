/* ltm-line-error.c: what went wrong talking to LINE
 *
 * LINE answers errors in two shapes (line-api.md):
 *
 *   OAuth      {"error":"invalid_client","error_description":"Invalid exp"}
 *   Messaging  {"message":"…","details":[{"message":"…","property":"…"}]}
 *
 * Both become one GError whose message shows LINE's own words, the HTTP
 * status and the X-Line-Request-Id (what LINE's support asks for), plus
 * what to do where the cause is well known.  The parts stay available
 * through the getters, thanks to an extended error domain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-line-error.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ltm-json.h"

typedef struct {
  guint status;
  char *line_error;
  char *line_message;
  char *request_id;
} LtmLineErrorPrivate;

static void
ltm_line_error_private_init (LtmLineErrorPrivate *priv)
{
}

static void
ltm_line_error_private_copy (const LtmLineErrorPrivate *src,
                             LtmLineErrorPrivate       *dest)
{
  dest->status = src->status;
  dest->line_error = g_strdup (src->line_error);
  dest->line_message = g_strdup (src->line_message);
  dest->request_id = g_strdup (src->request_id);
}

static void
ltm_line_error_private_clear (LtmLineErrorPrivate *priv)
{
  g_clear_pointer (&priv->line_error, g_free);
  g_clear_pointer (&priv->line_message, g_free);
  g_clear_pointer (&priv->request_id, g_free);
}

G_DEFINE_EXTENDED_ERROR (LtmLineError, ltm_line_error)

/**
 * ltm_line_error_get_status:
 * @error: an error in the %LTM_LINE_ERROR domain
 *
 * Returns: the HTTP status, or 0 if no answer came
 */
guint
ltm_line_error_get_status (const GError *error)
{
  /* get_private() checks error and its domain; a check here too misleads gcc -fanalyzer */
  const LtmLineErrorPrivate *priv = ltm_line_error_get_private (error);

  g_return_val_if_fail (priv != NULL, 0);

  return priv->status;
}

/**
 * ltm_line_error_get_line_error:
 * @error: an error in the %LTM_LINE_ERROR domain
 *
 * Returns: (nullable): LINE's OAuth `error`, such as "invalid_client"
 */
const char *
ltm_line_error_get_line_error (const GError *error)
{
  /* get_private() checks error and its domain; a check here too misleads gcc -fanalyzer */
  const LtmLineErrorPrivate *priv = ltm_line_error_get_private (error);

  g_return_val_if_fail (priv != NULL, NULL);

  return priv->line_error;
}

/**
 * ltm_line_error_get_line_message:
 * @error: an error in the %LTM_LINE_ERROR domain
 *
 * Returns: (nullable): LINE's own text: `error_description` or `message`
 */
const char *
ltm_line_error_get_line_message (const GError *error)
{
  /* get_private() checks error and its domain; a check here too misleads gcc -fanalyzer */
  const LtmLineErrorPrivate *priv = ltm_line_error_get_private (error);

  g_return_val_if_fail (priv != NULL, NULL);

  return priv->line_message;
}

/**
 * ltm_line_error_get_request_id:
 * @error: an error in the %LTM_LINE_ERROR domain
 *
 * Returns: (nullable): the answer's `X-Line-Request-Id`
 */
const char *
ltm_line_error_get_request_id (const GError *error)
{
  /* get_private() checks error and its domain; a check here too misleads gcc -fanalyzer */
  const LtmLineErrorPrivate *priv = ltm_line_error_get_private (error);

  g_return_val_if_fail (priv != NULL, NULL);

  return priv->request_id;
}

static GError *
ltm_line_error_new_literal (int         code,
                            guint       status,
                            const char *request_id,
                            const char *line_error,
                            const char *line_message,
                            const char *text,
                            const char *hint)
{
  GError *error;
  LtmLineErrorPrivate *priv;
  g_autofree char *message = NULL;

  if (request_id != NULL)
    /* TRANSLATORS: an error, then the HTTP status and LINE's request ID */
    message = g_strdup_printf (_("%s (HTTP %u, X-Line-Request-Id %s)"), text, status, request_id);
  else if (status != 0)
    message = g_strdup_printf (_("%s (HTTP %u)"), text, status);
  else
    message = g_strdup (text);

  if (hint != NULL)
    {
      g_autofree char *with_hint = g_strdup_printf ("%s. %s", message, hint);

      g_free (message);
      message = g_steal_pointer (&with_hint);
    }

  error = g_error_new_literal (LTM_LINE_ERROR, code, message);
  priv = ltm_line_error_get_private (error);
  /* Never NULL, the domain is ours: only for gcc -fanalyzer, which cannot tell */
  g_return_val_if_fail (priv != NULL, error);
  priv->status = status;
  priv->request_id = g_strdup (request_id);
  priv->line_error = g_strdup (line_error);
  priv->line_message = g_strdup (line_message);

  return error;
}

/**
 * ltm_line_error_new_unexpected:
 * @status: the HTTP status
 * @request_id: (nullable): the X-Line-Request-Id
 * @format: what was wrong with the answer
 *
 * Returns: (transfer full): an %LTM_LINE_ERROR_UNEXPECTED error
 */
GError *
ltm_line_error_new_unexpected (guint       status,
                               const char *request_id,
                               const char *format,
                               ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  return ltm_line_error_new_literal (LTM_LINE_ERROR_UNEXPECTED, status, request_id,
                                     NULL, NULL, text, NULL);
}

/**
 * ltm_line_error_new:
 * @code: what kind of error
 * @format: the message
 *
 * For errors without an answer from LINE: the network, a refused base URL,
 * a value caught before sending.
 *
 * Returns: (transfer full): an %LTM_LINE_ERROR error
 */
GError *
ltm_line_error_new (LtmLineError  code,
                    const char   *format,
                    ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  return ltm_line_error_new_literal (code, 0, NULL, NULL, NULL, text, NULL);
}

/* What to do, where LINE's words have one well-known cause. */
static const char *
ltm_line_error_hint (const char *line_message)
{
  static const struct { const char *line; const char *hint; } hints[] = {
    { "Cannot find channel key that satisfies the conditions",
      N_("The kid is not registered for this channel: use the kid the LINE Developers Console "
         "showed when you registered this key's public JWK.") },
    { "The maximum number of access tokens has already been issued",
      N_("The channel already has 30 valid tokens: revoke tokens you no longer use, "
         "or wait until some expire.") },
    { "invalid client_secret",
      N_("Check the channel secret in the channel's Basic settings in the LINE Developers Console.") },
    { "iss and clientId of key do not match",
      N_("The channel ID does not belong to the kid: check both in the console.") },
    { "Invalid exp",
      N_("Check that this computer's clock is right: LINE refuses a JWT whose exp is in the past "
         "or more than 30 minutes ahead.") },
    { "The access token expired",
      N_("Issue a new token.") },
  };

  if (line_message == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (hints); i++)
    if (strcmp (line_message, hints[i].line) == 0)
      return _(hints[i].hint);

  return NULL;
}

static char *
ltm_line_error_join_details (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "details");
  g_autoptr(GString) out = NULL;
  JsonArray *details;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  details = json_node_get_array (node);
  out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (details); i++)
    {
      JsonNode *element = json_array_get_element (details, i);
      const char *property;
      const char *message;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      property = ltm_json_object_get_string (json_node_get_object (element), "property");
      message = ltm_json_object_get_string (json_node_get_object (element), "message");
      if (message == NULL)
        continue;

      g_string_append (out, out->len > 0 ? "; " : "");
      if (property != NULL)
        g_string_append_printf (out, "%s: %s", property, message);
      else
        g_string_append (out, message);
    }

  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static gboolean
ltm_line_looks_like_html (const char *content_type,
                          const char *data,
                          gsize       len)
{
  gsize i = 0;

  if (content_type != NULL && g_str_has_prefix (content_type, "text/html"))
    return TRUE;

  while (i < len && g_ascii_isspace (data[i]))
    i++;

  return i < len && data[i] == '<';
}

/**
 * ltm_line_error_new_from_response:
 * @status: the HTTP status, not 2xx
 * @request_id: (nullable): the X-Line-Request-Id
 * @content_type: (nullable): the answer's Content-Type
 * @body: (nullable): the answer
 *
 * Returns: (transfer full): an %LTM_LINE_ERROR error with LINE's words
 */
GError *
ltm_line_error_new_from_response (guint       status,
                                  const char *request_id,
                                  const char *content_type,
                                  GBytes     *body)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *details = NULL;
  g_autofree char *text = NULL;
  const char *data = NULL;
  const char *line_error = NULL;
  const char *line_message = NULL;
  gsize len = 0;
  int code;

  if (body != NULL)
    data = g_bytes_get_data (body, &len);

  if (len > 0)
    root = ltm_json_parse (data, len, NULL);

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);

      line_error = ltm_json_object_get_string (object, "error");
      line_message = ltm_json_object_get_string (object, "error_description");
      if (line_message == NULL)
        line_message = ltm_json_object_get_string (object, "message");
      if (line_message == NULL)
        line_message = line_error;
      details = ltm_line_error_join_details (object);
    }

  if (status == 401)
    code = LTM_LINE_ERROR_UNAUTHORIZED;
  else if (status == 404)
    code = LTM_LINE_ERROR_NOT_FOUND;
  else if (status == 429)
    code = LTM_LINE_ERROR_RATE_LIMITED;
  else if (status >= 500)
    code = LTM_LINE_ERROR_SERVER;
  else if (status >= 400)
    code = LTM_LINE_ERROR_REFUSED;
  else
    code = LTM_LINE_ERROR_UNEXPECTED;

  if (line_message != NULL)
    {
      if (code == LTM_LINE_ERROR_RATE_LIMITED)
        text = g_strdup_printf (_("LINE is rate limiting these requests: %s"), line_message);
      else if (code == LTM_LINE_ERROR_UNAUTHORIZED)
        text = g_strdup_printf (_("LINE did not accept the access token: %s"), line_message);
      else if (code == LTM_LINE_ERROR_SERVER)
        text = g_strdup_printf (_("LINE had a server error: %s"), line_message);
      else if (line_error != NULL && line_error != line_message)
        /* TRANSLATORS: LINE's text, then its error code such as invalid_client */
        text = g_strdup_printf (_("LINE: %s [%s]"), line_message, line_error);
      else
        text = g_strdup_printf (_("LINE: %s"), line_message);

      if (details != NULL)
        {
          g_autofree char *with_details = g_strdup_printf ("%s (%s)", text, details);

          g_free (text);
          text = g_steal_pointer (&with_details);
        }
    }
  else if (len > 0 && ltm_line_looks_like_html (content_type, data, len))
    text = g_strdup (_("LINE answered with a web page instead of JSON; a proxy, a captive "
                       "portal or a wrong API base URL may be in the way"));
  else if (code == LTM_LINE_ERROR_RATE_LIMITED)
    text = g_strdup (_("LINE is rate limiting these requests; wait a moment and try again"));
  else if (code == LTM_LINE_ERROR_UNAUTHORIZED)
    text = g_strdup (_("LINE did not accept the access token"));
  else if (code == LTM_LINE_ERROR_SERVER)
    text = g_strdup (_("LINE had a server error; try again later"));
  else
    text = g_strdup_printf (_("LINE refused the request and did not say why"));

  return ltm_line_error_new_literal (code, status, request_id, line_error, line_message, text,
                                     ltm_line_error_hint (line_message));
}

/**
 * ltm_line_parse_json_answer:
 * @status: the HTTP status, 2xx
 * @request_id: (nullable): the X-Line-Request-Id
 * @content_type: (nullable): the answer's Content-Type
 * @body: (nullable): the answer
 * @error: return location for a #GError
 *
 * Parses a successful answer that must be a JSON object.  HTML, an empty
 * body, truncated or otherwise invalid JSON become a clear
 * %LTM_LINE_ERROR_UNEXPECTED error.
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 */
JsonObject *
ltm_line_parse_json_answer (guint        status,
                            const char  *request_id,
                            const char  *content_type,
                            GBytes      *body,
                            GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *data = NULL;
  gsize len = 0;

  if (body != NULL)
    data = g_bytes_get_data (body, &len);

  if (len == 0)
    {
      g_propagate_error (error, ltm_line_error_new_unexpected (
        status, request_id, _("LINE's answer was empty where JSON was expected")));
      return NULL;
    }

  if (ltm_line_looks_like_html (content_type, data, len))
    {
      g_propagate_error (error, ltm_line_error_new_unexpected (
        status, request_id, _("LINE answered with a web page instead of JSON; a proxy, a "
                              "captive portal or a wrong API base URL may be in the way")));
      return NULL;
    }

  root = ltm_json_parse (data, len, &local_error);
  if (root == NULL)
    {
      g_propagate_error (error, ltm_line_error_new_unexpected (
        status, request_id, _("LINE's answer is not valid JSON (%s)"), local_error->message));
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, ltm_line_error_new_unexpected (
        status, request_id, _("LINE's answer is JSON, but not an object")));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}
