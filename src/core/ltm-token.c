/* ltm-token.c: a channel access token the store keeps (metadata only)
 *
 * The token string itself is a secret and lives in the keyring; this object
 * holds what may be shown: its key_id, kind, times and state.  Its status is
 * derived from the times and the state; ltm_token_update_status() brings it
 * up to date as the clock moves, so that views bound to it follow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-token.h"

#include "ltm-enums.h"

struct _LtmToken
{
  GObject parent_instance;

  char *key_id;
  LtmTokenKind kind;
  gint64 issued_at;
  gint64 expires_at;
  gboolean revoked;
  gboolean unknown;
  LtmTokenRetirement retirement;
  gint64 retire_at;
  LtmTokenStatus status;
  gint64 last_now;
  gint64 last_warning;
};

G_DEFINE_FINAL_TYPE (LtmToken, ltm_token, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY_ID,
  PROP_KIND,
  PROP_ISSUED_AT,
  PROP_EXPIRES_AT,
  PROP_REVOKED,
  PROP_UNKNOWN,
  PROP_STATUS,
  PROP_RETIREMENT,
  PROP_RETIRE_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static LtmTokenStatus
ltm_token_compute_status (LtmToken *self,
                          gint64    now,
                          gint64    warning_seconds)
{
  if (self->revoked)
    return LTM_TOKEN_STATUS_REVOKED;
  if (self->unknown)
    return LTM_TOKEN_STATUS_UNKNOWN;
  if (now >= self->expires_at)
    return LTM_TOKEN_STATUS_EXPIRED;
  if (self->expires_at - now <= warning_seconds)
    return LTM_TOKEN_STATUS_EXPIRING;

  return LTM_TOKEN_STATUS_VALID;
}

static void
ltm_token_refresh (LtmToken *self)
{
  LtmTokenStatus status = ltm_token_compute_status (self, self->last_now, self->last_warning);

  if (status != self->status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
}

static void
ltm_token_finalize (GObject *object)
{
  LtmToken *self = (LtmToken *)object;

  g_clear_pointer (&self->key_id, g_free);

  G_OBJECT_CLASS (ltm_token_parent_class)->finalize (object);
}

static void
ltm_token_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LtmToken *self = LTM_TOKEN (object);

  switch (prop_id)
    {
    case PROP_KEY_ID:
      g_value_set_string (value, self->key_id);
      break;

    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_ISSUED_AT:
      g_value_set_int64 (value, self->issued_at);
      break;

    case PROP_EXPIRES_AT:
      g_value_set_int64 (value, self->expires_at);
      break;

    case PROP_REVOKED:
      g_value_set_boolean (value, self->revoked);
      break;

    case PROP_UNKNOWN:
      g_value_set_boolean (value, self->unknown);
      break;

    case PROP_RETIREMENT:
      g_value_set_enum (value, self->retirement);
      break;

    case PROP_RETIRE_AT:
      g_value_set_int64 (value, self->retire_at);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_token_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LtmToken *self = LTM_TOKEN (object);

  switch (prop_id)
    {
    case PROP_KEY_ID:
      self->key_id = g_value_dup_string (value);
      break;

    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;

    case PROP_ISSUED_AT:
      self->issued_at = g_value_get_int64 (value);
      break;

    case PROP_EXPIRES_AT:
      self->expires_at = g_value_get_int64 (value);
      break;

    case PROP_REVOKED:
      ltm_token_set_revoked (self, g_value_get_boolean (value));
      break;

    case PROP_UNKNOWN:
      ltm_token_set_unknown (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_token_constructed (GObject *object)
{
  LtmToken *self = LTM_TOKEN (object);

  G_OBJECT_CLASS (ltm_token_parent_class)->constructed (object);

  self->last_now = g_get_real_time () / G_USEC_PER_SEC;
  self->last_warning = LTM_TOKEN_DEFAULT_WARNING;
  self->status = ltm_token_compute_status (self, self->last_now, self->last_warning);
}

static void
ltm_token_class_init (LtmTokenClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ltm_token_finalize;
  object_class->get_property = ltm_token_get_property;
  object_class->set_property = ltm_token_set_property;
  object_class->constructed = ltm_token_constructed;

  properties[PROP_KEY_ID] =
    g_param_spec_string ("key-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       LTM_TYPE_TOKEN_KIND, LTM_TOKEN_KIND_V21,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ISSUED_AT] =
    g_param_spec_int64 ("issued-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_EXPIRES_AT] =
    g_param_spec_int64 ("expires-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_REVOKED] =
    g_param_spec_boolean ("revoked", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_UNKNOWN] =
    g_param_spec_boolean ("unknown", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       LTM_TYPE_TOKEN_STATUS, LTM_TOKEN_STATUS_VALID,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_RETIREMENT] =
    g_param_spec_enum ("retirement", NULL, NULL,
                       LTM_TYPE_TOKEN_RETIREMENT, LTM_TOKEN_RETIREMENT_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_RETIRE_AT] =
    g_param_spec_int64 ("retire-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ltm_token_init (LtmToken *self)
{
}

/**
 * ltm_token_new:
 * @key_id: LINE's key_id for a v2.1 token, or a local ID for other kinds
 * @kind: the kind of token
 * @issued_at: when it was issued, Unix seconds
 * @expires_at: when it expires, Unix seconds
 *
 * Returns: (transfer full): a new #LtmToken
 */
LtmToken *
ltm_token_new (const char   *key_id,
               LtmTokenKind  kind,
               gint64        issued_at,
               gint64        expires_at)
{
  LtmToken *self;

  g_return_val_if_fail (key_id != NULL, NULL);

  /* Set the fields directly: a store loads tens of thousands of these, and
   * construct properties cost more than everything else together. */
  self = g_object_new (LTM_TYPE_TOKEN, NULL);
  self->key_id = g_strdup (key_id);
  self->kind = kind;
  self->issued_at = issued_at;
  self->expires_at = expires_at;
  self->status = ltm_token_compute_status (self, self->last_now, self->last_warning);

  return self;
}

const char *
ltm_token_get_key_id (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), NULL);

  return self->key_id;
}

LtmTokenKind
ltm_token_get_kind (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), LTM_TOKEN_KIND_V21);

  return self->kind;
}

gint64
ltm_token_get_issued_at (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), 0);

  return self->issued_at;
}

gint64
ltm_token_get_expires_at (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), 0);

  return self->expires_at;
}

gboolean
ltm_token_get_revoked (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), FALSE);

  return self->revoked;
}

/**
 * ltm_token_set_revoked:
 * @self: a #LtmToken
 * @revoked: whether the token was revoked
 */
void
ltm_token_set_revoked (LtmToken *self,
                       gboolean  revoked)
{
  g_return_if_fail (LTM_IS_TOKEN (self));

  revoked = !!revoked;
  if (self->revoked == revoked)
    return;

  self->revoked = revoked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVOKED]);
  ltm_token_refresh (self);
}

gboolean
ltm_token_get_unknown (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), FALSE);

  return self->unknown;
}

/**
 * ltm_token_set_unknown:
 * @self: a #LtmToken
 * @unknown: whether LINE no longer lists the token
 */
void
ltm_token_set_unknown (LtmToken *self,
                       gboolean  unknown)
{
  g_return_if_fail (LTM_IS_TOKEN (self));

  unknown = !!unknown;
  if (self->unknown == unknown)
    return;

  self->unknown = unknown;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNKNOWN]);
  ltm_token_refresh (self);
}

/**
 * ltm_token_get_status:
 * @self: a #LtmToken
 *
 * Returns: the status as of the last ltm_token_update_status()
 */
LtmTokenStatus
ltm_token_get_status (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), LTM_TOKEN_STATUS_VALID);

  return self->status;
}

/**
 * ltm_token_update_status:
 * @self: a #LtmToken
 * @now: the current time, Unix seconds
 * @warning_seconds: how close to expiry a token counts as expiring
 *
 * Recomputes #LtmToken:status, notifying when it changes.
 */
void
ltm_token_update_status (LtmToken *self,
                         gint64    now,
                         gint64    warning_seconds)
{
  g_return_if_fail (LTM_IS_TOKEN (self));

  self->last_now = now;
  self->last_warning = warning_seconds;
  ltm_token_refresh (self);
}

LtmTokenRetirement
ltm_token_get_retirement (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), LTM_TOKEN_RETIREMENT_NONE);

  return self->retirement;
}

/**
 * ltm_token_get_retire_at:
 * @self: a #LtmToken
 *
 * Returns: when a replaced token was replaced, or when a retiring one is
 *   to be revoked, Unix seconds; 0 otherwise
 */
gint64
ltm_token_get_retire_at (LtmToken *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), 0);

  return self->retire_at;
}

void
ltm_token_set_retirement (LtmToken           *self,
                          LtmTokenRetirement  retirement,
                          gint64              retire_at)
{
  g_return_if_fail (LTM_IS_TOKEN (self));

  if (self->retirement != retirement)
    {
      self->retirement = retirement;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETIREMENT]);
    }
  if (self->retire_at != retire_at)
    {
      self->retire_at = retire_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETIRE_AT]);
    }
}

/**
 * ltm_token_is_usable:
 * @self: a #LtmToken
 * @now: the current time, Unix seconds
 *
 * Returns: whether the token should still work: not revoked, not expired,
 *   not reported gone by LINE
 */
gboolean
ltm_token_is_usable (LtmToken *self,
                     gint64    now)
{
  g_return_val_if_fail (LTM_IS_TOKEN (self), FALSE);

  return !self->revoked && !self->unknown && now < self->expires_at;
}

/**
 * ltm_token_kind_to_string:
 * @kind: a kind of token
 *
 * Returns: the name used in the metadata file and in `--json`
 */
const char *
ltm_token_kind_to_string (LtmTokenKind kind)
{
  switch (kind)
    {
    case LTM_TOKEN_KIND_V21:
      return "v2.1";
    case LTM_TOKEN_KIND_STATELESS:
      return "stateless";
    case LTM_TOKEN_KIND_SHORT_LIVED:
      return "short-lived";
    default:
      g_return_val_if_reached ("v2.1");
    }
}

/**
 * ltm_token_kind_from_string:
 * @text: a name from ltm_token_kind_to_string()
 * @out_kind: (out): the kind
 *
 * Returns: %TRUE if @text names a kind
 */
gboolean
ltm_token_kind_from_string (const char   *text,
                            LtmTokenKind *out_kind)
{
  for (LtmTokenKind kind = LTM_TOKEN_KIND_V21; kind <= LTM_TOKEN_KIND_SHORT_LIVED; kind++)
    {
      if (g_strcmp0 (text, ltm_token_kind_to_string (kind)) == 0)
        {
          *out_kind = kind;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ltm_token_status_to_string:
 * @status: a status
 *
 * Returns: the status as a word for `--json`
 */
const char *
ltm_token_status_to_string (LtmTokenStatus status)
{
  switch (status)
    {
    case LTM_TOKEN_STATUS_VALID:
      return "valid";
    case LTM_TOKEN_STATUS_EXPIRING:
      return "expiring";
    case LTM_TOKEN_STATUS_EXPIRED:
      return "expired";
    case LTM_TOKEN_STATUS_REVOKED:
      return "revoked";
    case LTM_TOKEN_STATUS_UNKNOWN:
      return "unknown";
    default:
      g_return_val_if_reached ("valid");
    }
}

/**
 * ltm_token_retirement_to_string:
 * @retirement: a retirement
 *
 * Returns: (nullable): "replaced" or "retiring" for the store and `--json`;
 *   %NULL for none
 */
const char *
ltm_token_retirement_to_string (LtmTokenRetirement retirement)
{
  switch (retirement)
    {
    case LTM_TOKEN_RETIREMENT_REPLACED:
      return "replaced";
    case LTM_TOKEN_RETIREMENT_RETIRING:
      return "retiring";
    case LTM_TOKEN_RETIREMENT_NONE:
    default:
      return NULL;
    }
}

gboolean
ltm_token_retirement_from_string (const char         *text,
                                  LtmTokenRetirement *out_retirement)
{
  if (g_strcmp0 (text, "replaced") == 0)
    *out_retirement = LTM_TOKEN_RETIREMENT_REPLACED;
  else if (g_strcmp0 (text, "retiring") == 0)
    *out_retirement = LTM_TOKEN_RETIREMENT_RETIRING;
  else
    {
      *out_retirement = LTM_TOKEN_RETIREMENT_NONE;
      return text == NULL;
    }

  return TRUE;
}
