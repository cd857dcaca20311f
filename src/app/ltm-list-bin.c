/* ltm-list-bin.c: a list that is one Tab stop
 *
 * GtkListBox (GTK 4.8) makes each row a Tab stop and selects the row Tab
 * lands on, so in a selection list (the channels) Tab chooses the next
 * item and a keyboard user never gets past the list.  Around the list,
 * this bin lets Tab and Shift+Tab enter at the selected row (the first
 * when none is) and leave the list at once; the arrow keys still move
 * between rows, as the list's own bindings do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-list-bin.h"

struct _LtmListBin
{
  AdwBin parent_instance;

  GtkListBox *list_box;
};

G_DEFINE_FINAL_TYPE (LtmListBin, ltm_list_bin, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LIST_BOX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The row Tab enters at. */
static GtkWidget *
ltm_list_bin_get_entry_row (LtmListBin *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list_box);

  if (row != NULL && gtk_widget_is_visible (GTK_WIDGET (row)))
    return GTK_WIDGET (row);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_is_visible (child) &&
        gtk_widget_is_sensitive (child))
      return child;

  return NULL;
}

static gboolean
ltm_list_bin_focus (GtkWidget        *widget,
                    GtkDirectionType  direction)
{
  LtmListBin *self = LTM_LIST_BIN (widget);
  GtkWidget *row;

  if (self->list_box == NULL ||
      (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD))
    return GTK_WIDGET_CLASS (ltm_list_bin_parent_class)->focus (widget, direction);

  /* In the list: leave it. */
  if (gtk_widget_get_focus_child (widget) != NULL)
    return FALSE;

  row = ltm_list_bin_get_entry_row (self);
  if (row == NULL)
    return FALSE;

  /* Forward, so the list moves its cursor there (and selects the row
   * already selected, which changes nothing). */
  return gtk_widget_child_focus (row, GTK_DIR_TAB_FORWARD);
}

GtkListBox *
ltm_list_bin_get_list_box (LtmListBin *self)
{
  g_return_val_if_fail (LTM_IS_LIST_BIN (self), NULL);

  return self->list_box;
}

/**
 * ltm_list_bin_set_list_box:
 * @list_box: (nullable): the list, inside the bin's child
 */
void
ltm_list_bin_set_list_box (LtmListBin *self,
                           GtkListBox *list_box)
{
  g_return_if_fail (LTM_IS_LIST_BIN (self));
  g_return_if_fail (list_box == NULL || GTK_IS_LIST_BOX (list_box));

  if (g_set_weak_pointer (&self->list_box, list_box))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST_BOX]);
}

static void
ltm_list_bin_dispose (GObject *object)
{
  LtmListBin *self = LTM_LIST_BIN (object);

  g_clear_weak_pointer (&self->list_box);

  G_OBJECT_CLASS (ltm_list_bin_parent_class)->dispose (object);
}

static void
ltm_list_bin_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LtmListBin *self = LTM_LIST_BIN (object);

  switch (prop_id)
    {
    case PROP_LIST_BOX:
      g_value_set_object (value, self->list_box);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_list_bin_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LtmListBin *self = LTM_LIST_BIN (object);

  switch (prop_id)
    {
    case PROP_LIST_BOX:
      ltm_list_bin_set_list_box (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_list_bin_class_init (LtmListBinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ltm_list_bin_dispose;
  object_class->get_property = ltm_list_bin_get_property;
  object_class->set_property = ltm_list_bin_set_property;
  widget_class->focus = ltm_list_bin_focus;

  properties[PROP_LIST_BOX] =
    g_param_spec_object ("list-box", NULL, NULL, GTK_TYPE_LIST_BOX,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ltm_list_bin_init (LtmListBin *self)
{
}
