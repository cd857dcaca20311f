/* ltm-frame-trace.h: a window's start-up, phase by phase, for bench-startup
 *
 * ltm_frame_trace() logs, as g_debug lines of the caller's log domain, when
 * the window was made and realized, and when each of its first
 * LTM_FRAME_TRACE_FRAMES frames started, was laid out (styles, sizes,
 * allocation) and was painted (snapshot and render), in µs of
 * g_get_monotonic_time(), which is the same clock in every process:
 *
 *   Window made at T µs
 *   Window realized at T µs
 *   Frame N started at T µs / laid out at T µs / painted at T µs
 *
 * Header-only so that bench-minimal-window, the yardstick, traces its
 * window with the same code and no more of the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#define LTM_FRAME_TRACE_FRAMES 8

static inline void
ltm_frame_trace_log (GdkFrameClock *clock,
                     const char    *phase)
{
  g_debug ("Frame %" G_GINT64_FORMAT " %s at %" G_GINT64_FORMAT " µs",
           gdk_frame_clock_get_frame_counter (clock), phase, g_get_monotonic_time ());
}

static inline void
ltm_frame_trace_started_cb (GdkFrameClock *clock,
                            gpointer       window)
{
  ltm_frame_trace_log (clock, "started");
}

static inline void
ltm_frame_trace_laid_out_cb (GdkFrameClock *clock,
                             gpointer       window)
{
  ltm_frame_trace_log (clock, "laid out");
}

static inline void ltm_frame_trace_painted_cb    (GdkFrameClock *clock,
                                                  gpointer       window);
static inline void ltm_frame_trace_unrealized_cb (GtkWidget     *window,
                                                  gpointer       unused);

/* Done: no more frames traced for @window.  Only these handlers go: GTK's
 * own on the clock have the window for data too. */
static inline void
ltm_frame_trace_stop (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_handlers_disconnect_by_func (clock, ltm_frame_trace_started_cb, window);
  g_signal_handlers_disconnect_by_func (clock, ltm_frame_trace_laid_out_cb, window);
  g_signal_handlers_disconnect_by_func (clock, ltm_frame_trace_painted_cb, window);
  g_signal_handlers_disconnect_by_func (window, ltm_frame_trace_unrealized_cb, window);
}

static inline void
ltm_frame_trace_painted_cb (GdkFrameClock *clock,
                            gpointer       window)
{
  guint frames = GPOINTER_TO_UINT (g_object_get_data (window, "ltm-frame-trace")) + 1;

  ltm_frame_trace_log (clock, "painted");
  g_object_set_data (window, "ltm-frame-trace", GUINT_TO_POINTER (frames));
  if (frames >= LTM_FRAME_TRACE_FRAMES)
    ltm_frame_trace_stop (GTK_WIDGET (window));
}

static inline void
ltm_frame_trace_unrealized_cb (GtkWidget *window,
                               gpointer   unused)
{
  ltm_frame_trace_stop (window);
}

/* After the window's own realize: its frame clock's handlers, which lay
 * out and paint, are connected by then, and these run after them.  They
 * go when the window is unrealized, if that comes first. */
static inline void
ltm_frame_trace_realized_cb (GtkWidget *window,
                             gpointer   unused)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_debug ("Window realized at %" G_GINT64_FORMAT " µs", g_get_monotonic_time ());
  g_signal_handlers_disconnect_by_func (window, ltm_frame_trace_realized_cb, NULL);
  g_signal_connect (clock, "before-paint", G_CALLBACK (ltm_frame_trace_started_cb), window);
  g_signal_connect (clock, "layout", G_CALLBACK (ltm_frame_trace_laid_out_cb), window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (ltm_frame_trace_painted_cb), window);
  g_signal_connect (window, "unrealize", G_CALLBACK (ltm_frame_trace_unrealized_cb), window);
}

/* Call first thing when @window is made. */
static inline void
ltm_frame_trace (GtkWidget *window)
{
  g_debug ("Window made at %" G_GINT64_FORMAT " µs", g_get_monotonic_time ());
  g_signal_connect_after (window, "realize", G_CALLBACK (ltm_frame_trace_realized_cb), NULL);
}
