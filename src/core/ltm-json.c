/* ltm-json.c: small json-glib helpers shared by the core
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
