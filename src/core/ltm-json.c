/* ltm-json.c: small json-glib helpers shared by the core
 *
 * json-glib's parser recurses once per level of nesting, so a document of
 * a few hundred kilobytes of "[" overflows the stack.  Nothing LINE sends
 * and no JWK is more than a few levels deep: ltm_json_parse() refuses
 * anything deeper than LTM_JSON_MAX_DEPTH before json-glib sees it, and is
 * the one way the core reads JSON that someone else wrote.
 *
 * json-glib's own getters warn and return defaults when a member has an
 * unexpected type.  Everything this project parses comes from a file or the
 * network, so the helpers here answer "absent" instead, and callers turn
 * that into an error that names the member.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-json.h"

#include <string.h>

#include "ltm-secret.h"

#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (ltm-json-error-quark, ltm_json_error)

/**
 * ltm_json_check_depth:
 * @text: JSON text, not necessarily valid
 * @len: the length of @text in bytes
 * @max_depth: how many arrays and objects may be open at once
 * @error: return location for a #GError
 *
 * Counts the arrays and objects open at each point of @text, outside its
 * strings (escapes honoured), without parsing it otherwise.
 *
 * Returns: %TRUE if @text never nests deeper than @max_depth, else %FALSE
 *   with %LTM_JSON_ERROR_TOO_DEEP
 */
gboolean
ltm_json_check_depth (const char  *text,
                      gsize        len,
                      guint        max_depth,
                      GError     **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            {
              g_set_error (error, LTM_JSON_ERROR, LTM_JSON_ERROR_TOO_DEEP,
                           _("nested more than %u levels deep"), max_depth);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

/**
 * ltm_json_parse:
 * @text: JSON text from a file, the network or a person
 * @len: the length of @text in bytes, or -1 if it ends in a nul
 * @error: return location for a #GError
 *
 * Parses @text after checking that it nests at most %LTM_JSON_MAX_DEPTH
 * levels deep.  The error's message is short ("nested more than 64 levels
 * deep", or json-glib's own), for a caller to put after what was read.
 *
 * Returns: (transfer full): the root node, or %NULL with @error in the
 *   %LTM_JSON_ERROR domain
 */
JsonNode *
ltm_json_parse (const char  *text,
                gssize       len,
                GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (text != NULL, NULL);

  if (len < 0)
    len = strlen (text);

  if (!ltm_json_check_depth (text, len, LTM_JSON_MAX_DEPTH, error))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, len, &local_error))
    {
      g_set_error_literal (error, LTM_JSON_ERROR, LTM_JSON_ERROR_INVALID,
                           local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, LTM_JSON_ERROR, LTM_JSON_ERROR_INVALID,
                           _("empty"));
      return NULL;
    }

  return json_node_ref (root);
}

/**
 * ltm_json_quote:
 * @text: any UTF-8 string
 *
 * Returns: (transfer full): @text as a JSON string literal, quotes included
 */
char *
ltm_json_quote (const char *text)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

/**
 * ltm_json_object_get_string:
 * @object: a #JsonObject
 * @name: a member name
 *
 * json-glib reads an octal escape such as "\234" as that byte, so a string
 * from valid JSON text can still be invalid UTF-8: such a string is absent
 * too.
 *
 * Returns: (nullable): the member's value if it is a string of valid UTF-8,
 *   else %NULL
 */
const char *
ltm_json_object_get_string (JsonObject *object,
                            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      !g_utf8_validate (json_node_get_string (node), -1, NULL))
    return NULL;

  return json_node_get_string (node);
}

/**
 * ltm_json_object_get_int:
 * @object: a #JsonObject
 * @name: a member name
 * @out_value: (out): the value
 *
 * Returns: %TRUE if the member is a JSON integer (not a string of digits,
 *   not a fraction)
 */
gboolean
ltm_json_object_get_int (JsonObject *object,
                         const char *name,
                         gint64     *out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *out_value = json_node_get_int (node);

  return TRUE;
}

/**
 * ltm_json_object_get_bool:
 * @object: a #JsonObject
 * @name: a member name
 * @out_value: (out): the value
 *
 * Returns: %TRUE if the member is a JSON boolean
 */
gboolean
ltm_json_object_get_bool (JsonObject *object,
                          const char *name,
                          gboolean   *out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  *out_value = json_node_get_boolean (node);

  return TRUE;
}

/**
 * ltm_json_wipe:
 * @node: a tree that holds secrets
 *
 * json-glib keeps its own copies of the members: overwrites every string
 * in @node, so that nothing is left when the parser frees its tree.
 */
void
ltm_json_wipe (JsonNode *node)
{
  if (node == NULL)
    return;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        ltm_json_wipe (json_object_get_member (object, l->data));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        ltm_json_wipe (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      char *text = (char *) json_node_get_string (node);

      ltm_secret_wipe (text, strlen (text));
    }
}
