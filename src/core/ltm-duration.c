/* ltm-duration.c: durations such as "900", "15m", "12h", "30d"
 *
 * A duration is a bare number of seconds, or one or more numbers each
 * followed by a unit: s, m, h or d ("1h30m").  It is the unit LINE's limits
 * are written in (30 minutes for a JWT, 30 days for a token), so people can
 * type the limit as they read it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-duration.h"

#include <glib/gi18n-lib.h>

/* A century is far beyond any limit LINE has, and far below overflow. */
#define LTM_DURATION_MAX ((gint64) 100 * 365 * 24 * 3600)

G_DEFINE_QUARK (ltm-duration-error-quark, ltm_duration_error)

static gint64
ltm_duration_unit_seconds (char unit)
{
  switch (unit)
    {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    default:  return 0;
    }
}

/**
 * ltm_duration_parse:
 * @text: the duration as typed
 * @out_seconds: (out): the duration in seconds
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is a duration; %FALSE with @error set otherwise
 */
gboolean
ltm_duration_parse (const char  *text,
                    gint64      *out_seconds,
                    GError     **error)
{
  const char *p = text;
  gint64 total = 0;
  gboolean bare = TRUE;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_seconds != NULL, FALSE);

  if (*p == '\0')
    {
      g_set_error (error, LTM_DURATION_ERROR, LTM_DURATION_ERROR_INVALID,
                   _("The duration is empty; write it like 900, 15m, 12h or 30d."));
      return FALSE;
    }

  while (*p != '\0')
    {
      gint64 number = 0;
      gint64 unit;

      if (!g_ascii_isdigit (*p))
        goto invalid;

      while (g_ascii_isdigit (*p))
        {
          number = number * 10 + (*p - '0');
          if (number > LTM_DURATION_MAX)
            goto too_large;
          p++;
        }

      if (*p == '\0' && bare)
        unit = 1;
      else if ((unit = ltm_duration_unit_seconds (*p++)) == 0)
        goto invalid;

      bare = FALSE;

      if (number > LTM_DURATION_MAX / unit || total + number * unit > LTM_DURATION_MAX)
        goto too_large;

      total += number * unit;
    }

  *out_seconds = total;
  return TRUE;

invalid:
  g_set_error (error, LTM_DURATION_ERROR, LTM_DURATION_ERROR_INVALID,
               _("“%s” is not a duration; write it like 900, 15m, 12h or 30d."), text);
  return FALSE;

too_large:
  g_set_error (error, LTM_DURATION_ERROR, LTM_DURATION_ERROR_TOO_LARGE,
               _("The duration “%s” is far too long."), text);
  return FALSE;
}

static void
ltm_duration_append_unit (GString *out,
                          guint    unit,
                          gint64   value)
{
  int n = (int) MIN (value, G_MAXINT);

  if (out->len > 0)
    g_string_append_c (out, ' ');

  switch (unit)
    {
    case 0:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", n), n);
      break;
    case 1:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", n), n);
      break;
    case 2:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", n), n);
      break;
    default:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%d second", "%d seconds", n), n);
      break;
    }
}

/**
 * ltm_duration_format:
 * @seconds: a duration; its sign is ignored
 *
 * Formats @seconds for people, in at most its two largest units: "30 days",
 * "1 hour 30 minutes", "15 seconds".  Callers phrase the direction ("in …",
 * "… ago") themselves.
 *
 * Returns: (transfer full): the duration in words
 */
char *
ltm_duration_format (gint64 seconds)
{
  GString *out = g_string_new (NULL);
  guint64 left = seconds < 0 ? -(guint64) seconds : (guint64) seconds;
  gint64 values[4];
  guint shown = 0;

  values[0] = left / 86400;
  values[1] = left % 86400 / 3600;
  values[2] = left % 3600 / 60;
  values[3] = left % 60;

  for (guint i = 0; i < G_N_ELEMENTS (values) && shown < 2; i++)
    {
      if (values[i] == 0)
        {
          /* A gap ends the phrase: "1 day", not "1 day 5 seconds". */
          if (shown > 0)
            break;
          if (i + 1 < G_N_ELEMENTS (values))
            continue;
        }

      ltm_duration_append_unit (out, i, values[i]);
      shown++;
    }

  return g_string_free (out, FALSE);
}

/**
 * ltm_duration_format_rounded:
 * @seconds: a duration; its sign is ignored
 *
 * Like ltm_duration_format(), rounded to the minute from two minutes on:
 * how far away an expiry is reads "in 15 minutes", not "in 14 minutes 58
 * seconds".
 *
 * Returns: (transfer full): the duration in words
 */
char *
ltm_duration_format_rounded (gint64 seconds)
{
  guint64 left = seconds < 0 ? -(guint64) seconds : (guint64) seconds;

  if (left >= 120)
    left = (left + 30) / 60 * 60;

  return ltm_duration_format (left);
}
