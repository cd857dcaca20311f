/* ltm-text.c: text from LINE, a file or a person, made safe to show
 *
 * A terminal acts on control characters (ESC ] 0 ; … BEL retitles it,
 * ESC [ 2 J clears it, an 8-bit CSI does the same on some), and bidi marks
 * reorder what is shown.  A channel name may hold none of them
 * (ltm_channel_check_name()); text shown as it came has them escaped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-text.h"

#include <string.h>

/**
 * ltm_text_is_control:
 * @c: a character
 *
 * Returns: %TRUE for C0, DEL and C1 control characters and for the marks
 *   that reorder text on screen (U+061C, U+200E, U+200F, U+202A to U+202E,
 *   U+2066 to U+2069)
 */
gboolean
ltm_text_is_control (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/**
 * ltm_text_escape_controls:
 * @text: text from LINE, a file or a person
 * @keep: (nullable): the ASCII control characters to pass through, such
 *   as "\n"
 *
 * Replaces each control character of @text but those in @keep by its
 * visible \uXXXX form, which is also what it means inside a JSON string;
 * invalid UTF-8 becomes U+FFFD.
 *
 * Returns: (transfer full): the escaped text
 */
char *
ltm_text_escape_controls (const char *text,
                          const char *keep)
{
  g_autofree char *valid = NULL;
  GString *escaped;

  g_return_val_if_fail (text != NULL, NULL);

  valid = g_utf8_make_valid (text, -1);
  escaped = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (ltm_text_is_control (c) && (keep == NULL || c > 0x7f || strchr (keep, (char) c) == NULL))
        g_string_append_printf (escaped, "\\u%04x", c);
      else
        g_string_append_unichar (escaped, c);
    }

  return g_string_free (escaped, FALSE);
}
