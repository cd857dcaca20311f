/* ltm-channel.c: a LINE channel the store keeps (metadata only)
 *
 * What may be shown of a channel: its ID and name, the kid and thumbprint
 * of its assertion key, whether the store holds the key and the channel
 * secret, and its tokens as a GListModel.  The secrets themselves stay
 * sealed in the store; LtmStore opens them when a command needs them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-channel.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ltm-enums.h"
#include "ltm-text.h"

struct _LtmChannel
{
  GObject parent_instance;

  char *channel_id;
  char *name;
  char *kid;
  char *key_thumbprint;
  gint64 key_created;
  gboolean has_secret;
  GListStore *tokens;
  LtmDeployTargets targets;
  LtmDeliveryStatus delivery;
  gint64 delivered_at;
  char *delivery_message;
};

G_DEFINE_FINAL_TYPE (LtmChannel, ltm_channel, G_TYPE_OBJECT)

G_DEFINE_QUARK (ltm-channel-error-quark, ltm_channel_error)

enum {
  PROP_0,
  PROP_CHANNEL_ID,
  PROP_NAME,
  PROP_KID,
  PROP_KEY_THUMBPRINT,
  PROP_KEY_CREATED,
  PROP_HAS_KEY,
  PROP_HAS_SECRET,
  PROP_TOKENS,
  PROP_ENV_FILE,
  PROP_ENV_NAME,
  PROP_DEPLOY_COMMAND,
  PROP_GRACE,
  PROP_DELIVERY,
  PROP_DELIVERED_AT,
  PROP_DELIVERY_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ltm_channel_finalize (GObject *object)
{
  LtmChannel *self = (LtmChannel *)object;

  g_clear_pointer (&self->channel_id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->kid, g_free);
  g_clear_pointer (&self->key_thumbprint, g_free);
  g_clear_object (&self->tokens);
  ltm_deploy_targets_clear (&self->targets);
  g_clear_pointer (&self->delivery_message, g_free);

  G_OBJECT_CLASS (ltm_channel_parent_class)->finalize (object);
}

static void
ltm_channel_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LtmChannel *self = LTM_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_CHANNEL_ID:
      g_value_set_string (value, self->channel_id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_KID:
      g_value_set_string (value, self->kid);
      break;

    case PROP_KEY_THUMBPRINT:
      g_value_set_string (value, self->key_thumbprint);
      break;

    case PROP_KEY_CREATED:
      g_value_set_int64 (value, self->key_created);
      break;

    case PROP_HAS_KEY:
      g_value_set_boolean (value, ltm_channel_get_has_key (self));
      break;

    case PROP_HAS_SECRET:
      g_value_set_boolean (value, self->has_secret);
      break;

    case PROP_TOKENS:
      g_value_set_object (value, self->tokens);
      break;

    case PROP_ENV_FILE:
      g_value_set_string (value, self->targets.env_file);
      break;

    case PROP_ENV_NAME:
      g_value_set_string (value, self->targets.env_name);
      break;

    case PROP_DEPLOY_COMMAND:
      g_value_set_string (value, self->targets.command);
      break;

    case PROP_GRACE:
      g_value_set_int64 (value, self->targets.grace);
      break;

    case PROP_DELIVERY:
      g_value_set_enum (value, self->delivery);
      break;

    case PROP_DELIVERED_AT:
      g_value_set_int64 (value, self->delivered_at);
      break;

    case PROP_DELIVERY_MESSAGE:
      g_value_set_string (value, self->delivery_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_channel_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  LtmChannel *self = LTM_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_CHANNEL_ID:
      self->channel_id = g_value_dup_string (value);
      break;

    case PROP_NAME:
      ltm_channel_set_name (self, g_value_get_string (value));
      break;

    case PROP_KID:
      ltm_channel_set_kid (self, g_value_get_string (value));
      break;

    case PROP_KEY_THUMBPRINT:
      ltm_channel_set_key_thumbprint (self, g_value_get_string (value));
      break;

    case PROP_KEY_CREATED:
      ltm_channel_set_key_created (self, g_value_get_int64 (value));
      break;

    case PROP_HAS_SECRET:
      ltm_channel_set_has_secret (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_channel_class_init (LtmChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ltm_channel_finalize;
  object_class->get_property = ltm_channel_get_property;
  object_class->set_property = ltm_channel_set_property;

  properties[PROP_CHANNEL_ID] =
    g_param_spec_string ("channel-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_KID] =
    g_param_spec_string ("kid", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_KEY_THUMBPRINT] =
    g_param_spec_string ("key-thumbprint", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_KEY_CREATED] =
    g_param_spec_int64 ("key-created", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_HAS_KEY] =
    g_param_spec_boolean ("has-key", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_HAS_SECRET] =
    g_param_spec_boolean ("has-secret", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TOKENS] =
    g_param_spec_object ("tokens", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_ENV_FILE] =
    g_param_spec_string ("env-file", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ENV_NAME] =
    g_param_spec_string ("env-name", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_DEPLOY_COMMAND] =
    g_param_spec_string ("deploy-command", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_GRACE] =
    g_param_spec_int64 ("grace", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_DELIVERY] =
    g_param_spec_enum ("delivery", NULL, NULL,
                       LTM_TYPE_DELIVERY_STATUS, LTM_DELIVERY_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_DELIVERED_AT] =
    g_param_spec_int64 ("delivered-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_DELIVERY_MESSAGE] =
    g_param_spec_string ("delivery-message", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ltm_channel_init (LtmChannel *self)
{
  self->tokens = g_list_store_new (LTM_TYPE_TOKEN);
}

/**
 * ltm_channel_new:
 * @channel_id: the channel ID, digits
 * @name: (nullable): a name to show
 *
 * Returns: (transfer full): a new #LtmChannel
 */
LtmChannel *
ltm_channel_new (const char *channel_id,
                 const char *name)
{
  g_return_val_if_fail (channel_id != NULL, NULL);

  return g_object_new (LTM_TYPE_CHANNEL,
                       "channel-id", channel_id,
                       "name", name,
                       NULL);
}

const char *
ltm_channel_get_channel_id (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return self->channel_id;
}

/**
 * ltm_channel_get_name:
 * @self: a #LtmChannel
 *
 * Returns: (nullable): the name a person gave the channel, if any
 */
const char *
ltm_channel_get_name (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return self->name;
}

/**
 * ltm_channel_dup_display_name:
 * @self: a #LtmChannel
 *
 * Returns: (transfer full): what to call the channel: its name, or its ID
 *   when it has none
 */
char *
ltm_channel_dup_display_name (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return g_strdup (self->name != NULL && self->name[0] != '\0' ? self->name : self->channel_id);
}

/**
 * ltm_channel_check_name:
 * @name: (nullable): a name for a channel, as typed
 * @error: return location for a #GError
 *
 * A name is shown in one line of a list, a title or a table: it is not
 * empty or only white space, is valid UTF-8, holds no line break, tab or
 * other control character, and has at most %LTM_CHANNEL_MAX_NAME
 * characters.
 *
 * Returns: %TRUE if @name may name a channel, else %FALSE with
 *   %LTM_CHANNEL_ERROR_INVALID_NAME
 */
gboolean
ltm_channel_check_name (const char  *name,
                        GError     **error)
{
  gboolean blank = TRUE;

  if (name != NULL && !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_NAME,
                           _("The name is not valid UTF-8."));
      return FALSE;
    }

  for (const char *p = name; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (ltm_text_is_control (c))
        {
          g_set_error_literal (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_NAME,
                               _("The name holds a line break, a tab or another control "
                                 "character."));
          return FALSE;
        }

      if (!g_unichar_isspace (c))
        blank = FALSE;
    }

  if (blank)
    {
      g_set_error_literal (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_NAME,
                           _("The name is empty."));
      return FALSE;
    }

  if (g_utf8_strlen (name, -1) > LTM_CHANNEL_MAX_NAME)
    {
      g_set_error (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_NAME,
                   _("The name is longer than %d characters."), LTM_CHANNEL_MAX_NAME);
      return FALSE;
    }

  return TRUE;
}

static gboolean
ltm_channel_replace_string (LtmChannel  *self,
                            char       **field,
                            const char  *value,
                            guint        prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  return TRUE;
}

void
ltm_channel_set_name (LtmChannel *self,
                      const char *name)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));

  ltm_channel_replace_string (self, &self->name, name, PROP_NAME);
}

const char *
ltm_channel_get_kid (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return self->kid;
}

void
ltm_channel_set_kid (LtmChannel *self,
                     const char *kid)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));

  ltm_channel_replace_string (self, &self->kid, kid, PROP_KID);
}

const char *
ltm_channel_get_key_thumbprint (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return self->key_thumbprint;
}

/**
 * ltm_channel_set_key_thumbprint:
 * @self: a #LtmChannel
 * @thumbprint: (nullable): the RFC 7638 thumbprint of the stored key, or
 *   %NULL when there is none
 */
void
ltm_channel_set_key_thumbprint (LtmChannel *self,
                                const char *thumbprint)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));

  if (ltm_channel_replace_string (self, &self->key_thumbprint, thumbprint, PROP_KEY_THUMBPRINT))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_KEY]);
}

gint64
ltm_channel_get_key_created (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), 0);

  return self->key_created;
}

void
ltm_channel_set_key_created (LtmChannel *self,
                             gint64      created)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));

  if (self->key_created == created)
    return;

  self->key_created = created;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_CREATED]);
}

/**
 * ltm_channel_get_has_key:
 * @self: a #LtmChannel
 *
 * Returns: whether the store holds the channel's assertion key
 */
gboolean
ltm_channel_get_has_key (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), FALSE);

  return self->key_thumbprint != NULL;
}

gboolean
ltm_channel_get_has_secret (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), FALSE);

  return self->has_secret;
}

void
ltm_channel_set_has_secret (LtmChannel *self,
                            gboolean    has_secret)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));

  has_secret = !!has_secret;
  if (self->has_secret == has_secret)
    return;

  self->has_secret = has_secret;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_SECRET]);
}

/**
 * ltm_channel_get_tokens:
 * @self: a #LtmChannel
 *
 * Returns: (transfer none): the channel's #LtmToken objects, oldest first
 */
GListModel *
ltm_channel_get_tokens (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return G_LIST_MODEL (self->tokens);
}

/**
 * ltm_channel_find_token:
 * @self: a #LtmChannel
 * @key_id: a token's key ID
 *
 * Returns: (transfer none) (nullable): the token
 */
LtmToken *
ltm_channel_find_token (LtmChannel *self,
                        const char *key_id)
{
  guint n;

  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tokens));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (G_LIST_MODEL (self->tokens), i);

      if (g_strcmp0 (ltm_token_get_key_id (token), key_id) == 0)
        return token;
    }

  return NULL;
}

/**
 * ltm_channel_add_token:
 * @self: a #LtmChannel
 * @token: a token not yet in @self
 */
void
ltm_channel_add_token (LtmChannel *self,
                       LtmToken   *token)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));
  g_return_if_fail (LTM_IS_TOKEN (token));

  g_list_store_append (self->tokens, token);
}

/**
 * ltm_channel_remove_token:
 * @self: a #LtmChannel
 * @key_id: a token's key ID
 *
 * Returns: whether there was such a token
 */
gboolean
ltm_channel_remove_token (LtmChannel *self,
                          const char *key_id)
{
  LtmToken *token;
  guint position;

  g_return_val_if_fail (LTM_IS_CHANNEL (self), FALSE);

  token = ltm_channel_find_token (self, key_id);
  if (token == NULL || !g_list_store_find (self->tokens, token, &position))
    return FALSE;

  g_list_store_remove (self->tokens, position);

  return TRUE;
}

/**
 * ltm_channel_set_tokens:
 * @self: a #LtmChannel
 * @tokens: (element-type LtmToken): the tokens, in order
 *
 * Replaces the tokens in one change of the list model.
 */
void
ltm_channel_set_tokens (LtmChannel *self,
                        GPtrArray  *tokens)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));
  g_return_if_fail (tokens != NULL);

  g_list_store_splice (self->tokens, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tokens)),
                       tokens->pdata, tokens->len);
}

/**
 * ltm_channel_count_usable_v21:
 * @self: a #LtmChannel
 * @now: the current time, Unix seconds
 *
 * Returns: how many stored v2.1 tokens count against LINE's limit of 30
 */
guint
ltm_channel_count_usable_v21 (LtmChannel *self,
                              gint64      now)
{
  guint n;
  guint count = 0;

  g_return_val_if_fail (LTM_IS_CHANNEL (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tokens));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (G_LIST_MODEL (self->tokens), i);

      if (ltm_token_get_kind (token) == LTM_TOKEN_KIND_V21 && ltm_token_is_usable (token, now))
        count++;
    }

  return count;
}

/**
 * ltm_channel_get_newest_usable:
 * @self: a #LtmChannel
 * @now: the current time, Unix seconds
 *
 * Returns: (transfer none) (nullable): the usable token that expires last,
 *   preferring one that no rotation replaced
 */
LtmToken *
ltm_channel_get_newest_usable (LtmChannel *self,
                               gint64      now)
{
  LtmToken *newest = NULL;
  guint n;

  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tokens));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (G_LIST_MODEL (self->tokens), i);

      gboolean replaced, newest_replaced;

      if (!ltm_token_is_usable (token, now))
        continue;
      if (newest == NULL)
        {
          newest = token;
          continue;
        }

      /* A token a rotation replaced is never the newest; of the others,
       * the one that lives longest, the later one on a tie. */
      replaced = ltm_token_get_retirement (token) != LTM_TOKEN_RETIREMENT_NONE;
      newest_replaced = ltm_token_get_retirement (newest) != LTM_TOKEN_RETIREMENT_NONE;
      if ((newest_replaced && !replaced) ||
          (newest_replaced == replaced &&
           ltm_token_get_expires_at (token) >= ltm_token_get_expires_at (newest)))
        newest = token;
    }

  return newest;
}

/* Deploy targets and deliveries */

void
ltm_deploy_targets_clear (LtmDeployTargets *targets)
{
  g_clear_pointer (&targets->env_file, g_free);
  g_clear_pointer (&targets->env_name, g_free);
  g_clear_pointer (&targets->command, g_free);
  targets->grace = 0;
}

/**
 * ltm_deploy_targets_check:
 * @targets: deploy targets, as given
 * @error: return location for a #GError
 *
 * An env file is an absolute path; its variable a shell name (letters,
 * digits, underscores, not starting with a digit); a command is valid
 * UTF-8 without control characters but line breaks and tabs (a shell
 * script may span lines); the grace period at most 30 days.
 *
 * Returns: %TRUE if they may be kept, else %FALSE with
 *   %LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET
 */
gboolean
ltm_deploy_targets_check (const LtmDeployTargets  *targets,
                          GError                 **error)
{
  if (targets->env_file != NULL &&
      (!g_path_is_absolute (targets->env_file) || strchr (targets->env_file, '\n') != NULL))
    {
      g_set_error (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET,
                   _("The env file “%s” is not an absolute path."), targets->env_file);
      return FALSE;
    }

  if (targets->env_name != NULL)
    {
      gboolean ok = targets->env_name[0] != '\0' && !g_ascii_isdigit (targets->env_name[0]);

      for (const char *p = targets->env_name; ok && *p != '\0'; p++)
        ok = g_ascii_isalnum (*p) || *p == '_';
      if (!ok)
        {
          g_set_error_literal (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET,
                               _("The variable name may hold only letters, digits and "
                                 "underscores, and may not start with a digit."));
          return FALSE;
        }
    }

  if (targets->command != NULL)
    {
      gboolean ok = targets->command[0] != '\0' && g_utf8_validate (targets->command, -1, NULL);

      for (const char *p = targets->command; ok && *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          ok = c == '\n' || c == '\t' || !ltm_text_is_control (c);
        }
      if (!ok)
        {
          g_set_error_literal (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET,
                               _("The deploy command must be text without control characters."));
          return FALSE;
        }
    }

  if (targets->grace < 0 || targets->grace > 30 * 24 * 60 * 60)
    {
      g_set_error_literal (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET,
                           _("The grace period is at most 30 days."));
      return FALSE;
    }

  return TRUE;
}

void
ltm_deploy_targets_copy (const LtmDeployTargets *targets,
                         LtmDeployTargets       *out_copy)
{
  out_copy->env_file = g_strdup (targets->env_file);
  out_copy->env_name = g_strdup (targets->env_name);
  out_copy->command = g_strdup (targets->command);
  out_copy->grace = targets->grace;
}

/**
 * ltm_delivery_status_to_string:
 * @status: a delivery status
 *
 * Returns: (nullable): "delivered" or "failed" for the store and `--json`;
 *   %NULL for none
 */
const char *
ltm_delivery_status_to_string (LtmDeliveryStatus status)
{
  switch (status)
    {
    case LTM_DELIVERY_DELIVERED:
      return "delivered";
    case LTM_DELIVERY_FAILED:
      return "failed";
    case LTM_DELIVERY_NONE:
    default:
      return NULL;
    }
}

gboolean
ltm_delivery_status_from_string (const char        *text,
                                 LtmDeliveryStatus *out_status)
{
  if (g_strcmp0 (text, "delivered") == 0)
    *out_status = LTM_DELIVERY_DELIVERED;
  else if (g_strcmp0 (text, "failed") == 0)
    *out_status = LTM_DELIVERY_FAILED;
  else
    {
      *out_status = LTM_DELIVERY_NONE;
      return text == NULL;
    }

  return TRUE;
}

const char *
ltm_channel_get_env_file (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return self->targets.env_file;
}

/**
 * ltm_channel_get_env_name:
 * @self: a #LtmChannel
 *
 * Returns: (nullable): the variable the env file target sets, if one was
 *   given (else the target sets %LTM_DEPLOY_DEFAULT_ENV_NAME)
 */
const char *
ltm_channel_get_env_name (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return self->targets.env_name;
}

const char *
ltm_channel_get_deploy_command (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return self->targets.command;
}

gint64
ltm_channel_get_grace (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), 0);

  return self->targets.grace;
}

/**
 * ltm_channel_get_deploy_targets:
 * @self: a #LtmChannel
 * @out_targets: (out caller-allocates): a copy; clear with ltm_deploy_targets_clear()
 */
void
ltm_channel_get_deploy_targets (LtmChannel       *self,
                                LtmDeployTargets *out_targets)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));

  ltm_deploy_targets_copy (&self->targets, out_targets);
}

void
ltm_channel_set_deploy_targets (LtmChannel             *self,
                                const LtmDeployTargets *targets)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));
  g_return_if_fail (targets != NULL);

  g_object_freeze_notify (G_OBJECT (self));
  ltm_channel_replace_string (self, &self->targets.env_file, targets->env_file, PROP_ENV_FILE);
  ltm_channel_replace_string (self, &self->targets.env_name, targets->env_name, PROP_ENV_NAME);
  ltm_channel_replace_string (self, &self->targets.command, targets->command,
                              PROP_DEPLOY_COMMAND);
  if (self->targets.grace != targets->grace)
    {
      self->targets.grace = targets->grace;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRACE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * ltm_channel_has_deploy_target:
 * @self: a #LtmChannel
 *
 * Returns: whether a rotation delivers new tokens somewhere: an env file
 *   or a command
 */
gboolean
ltm_channel_has_deploy_target (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), FALSE);

  return self->targets.env_file != NULL || self->targets.command != NULL;
}

LtmDeliveryStatus
ltm_channel_get_delivery (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), LTM_DELIVERY_NONE);

  return self->delivery;
}

gint64
ltm_channel_get_delivered_at (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), 0);

  return self->delivered_at;
}

/**
 * ltm_channel_get_delivery_message:
 * @self: a #LtmChannel
 *
 * Returns: (nullable): what the last delivery did, in words
 */
const char *
ltm_channel_get_delivery_message (LtmChannel *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (self), NULL);

  return self->delivery_message;
}

void
ltm_channel_set_delivery (LtmChannel        *self,
                          LtmDeliveryStatus  status,
                          gint64             delivered_at,
                          const char        *message)
{
  g_return_if_fail (LTM_IS_CHANNEL (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->delivery != status)
    {
      self->delivery = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELIVERY]);
    }
  if (self->delivered_at != delivered_at)
    {
      self->delivered_at = delivered_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELIVERED_AT]);
    }
  ltm_channel_replace_string (self, &self->delivery_message, message, PROP_DELIVERY_MESSAGE);
  g_object_thaw_notify (G_OBJECT (self));
}
