/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "kvmrt-a11y.h"
#include "kvmrt-window-private.h"
#include "kvmrt-tools.h"

G_DEFINE_FINAL_TYPE (KvmrtWindow, kvmrt_window, ADW_TYPE_APPLICATION_WINDOW)

static char *
uuid_key (const char *uuid)
{
  return g_ascii_strdown (uuid, -1);
}

KvmrtVm *
kvmrt_window_lookup_vm (KvmrtWindow *self, const char *uuid)
{
  KvmrtConfig *config = kvmrt_manager_get_config (self->manager);
  KvmrtVm *vm = config != NULL ? kvmrt_config_lookup_uuid (config, uuid) : NULL;

  return vm != NULL && !kvmrt_vm_get_disabled (vm) ? vm : NULL;
}

KvmrtVmCard *
kvmrt_window_lookup_card (KvmrtWindow *self, const char *uuid)
{
  g_autofree char *key = uuid_key (uuid);

  return g_hash_table_lookup (self->cards, key);
}

static void
update_title (KvmrtWindow *self)
{
  const char *path = kvmrt_manager_get_config_path (self->manager);
  g_autofree char *subtitle = NULL;

  if (path == NULL)
    subtitle = g_strdup (_("No configuration loaded"));
  else if (kvmrt_manager_get_config_unsaved (self->manager))
    subtitle = g_strdup_printf (_("%s (not written yet)"), path);
  else
    subtitle = g_strdup (path);
  adw_window_title_set_title (self->window_title, kvmrt_manager_get_host_title (self->manager));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), kvmrt_manager_get_host_title (self->manager));
}

/* The list view makes cards only for the rows it shows, and hands them VMs to show. */
static void
on_factory_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, KvmrtWindow *self)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, GTK_WIDGET (kvmrt_vm_card_new ()));
}

static void
on_factory_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, KvmrtWindow *self)
{
  KvmrtVmCard *card = KVMRT_VM_CARD (gtk_list_item_get_child (item));
  KvmrtVm *vm = gtk_list_item_get_item (item);
  g_autofree char *key = uuid_key (kvmrt_vm_get_uuid (vm));

  kvmrt_vm_card_set_vm (card, vm);
  kvmrt_vm_card_update (card, kvmrt_manager_get_status (self->manager, vm));
  kvmrt_vm_card_set_cpu_usage (card, kvmrt_manager_get_cpu_usage (self->manager, vm));
  kvmrt_vm_card_set_busy (card, g_hash_table_contains (self->busy, key));
  if (self->drawn)
    kvmrt_vm_card_show_details (card);
  g_hash_table_replace (self->cards, g_steal_pointer (&key), card);
}

static void
on_factory_unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, KvmrtWindow *self)
{
  KvmrtVmCard *card = KVMRT_VM_CARD (gtk_list_item_get_child (item));
  const char *uuid = kvmrt_vm_card_get_uuid (card);
  g_autofree char *key = uuid != NULL ? uuid_key (uuid) : NULL;

  if (key != NULL && g_hash_table_lookup (self->cards, key) == card)
    g_hash_table_remove (self->cards, key);
}

/* GTK 4.8's list view makes about fifty rows for a list it has not measured yet. The first
 * frame gets the VMs that can fit in the window; the rest join the list right after it,
 * when the view knows which rows it shows and makes none for the others. The heights are
 * lower bounds at the default font size (a row's padding included; the header and action
 * bars are taller than WINDOW_CHROME), so the estimate errs towards a card too many. */
#define CARD_HEIGHT 72             /* title and a line of description */
#define CARD_HEIGHT_NO_TEXT 54     /* title only */
#define WINDOW_CHROME 90
#define MAXIMIZED_HEIGHT 1600

static guint
first_frame_cards (KvmrtWindow *self, GPtrArray *vms)
{
  int width, height = MAXIMIZED_HEIGHT;
  int filled = 0;
  guint n = 0;

  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  while (n < vms->len && filled < height - WINDOW_CHROME)
    {
      KvmrtVm *vm = vms->pdata[n++];

      filled += *kvmrt_vm_get_description (vm) != '\0' ? CARD_HEIGHT : CARD_HEIGHT_NO_TEXT;
    }
  return n;
}

static gboolean
on_add_remaining_cards_cb (gpointer data)
{
  KvmrtWindow *self = KVMRT_WINDOW (data);
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->vms));

  self->add_cards_id = 0;
  g_list_store_splice (self->vms, shown, 0, self->pending_vms->pdata + shown,
                       self->pending_vms->len - shown);
  g_clear_pointer (&self->pending_vms, g_ptr_array_unref);
  return G_SOURCE_REMOVE;
}

/* The welcome and empty pages, built the first time the window needs one: most windows
 * open on a configuration with VMs and never do. */
static void
ensure_status_pages (KvmrtWindow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  const char *config = self->requested_config;

  if (gtk_stack_get_child_by_name (self->stack, "welcome") != NULL)
    return;
  builder = gtk_builder_new_from_resource ("/org/kvmrt/Kvmrt/kvmrt-window-pages.ui");
  gtk_stack_add_named (self->stack, GTK_WIDGET (gtk_builder_get_object (builder, "welcome_page")),
                       "welcome");
  gtk_stack_add_named (self->stack, GTK_WIDGET (gtk_builder_get_object (builder, "empty_page")),
                       "empty");
  kvmrt_a11y_name_buttons (GTK_WIDGET (gtk_builder_get_object (builder, "welcome_page")));
  kvmrt_a11y_name_buttons (GTK_WIDGET (gtk_builder_get_object (builder, "empty_page")));
  /* A named file that does not exist yet is offered for creation on the welcome page. */
  if (config != NULL && !g_file_test (config, G_FILE_TEST_EXISTS))
    {
      g_autofree char *label = g_strdup_printf (_("Create %s"), config);

      GtkButton *create = GTK_BUTTON (gtk_builder_get_object (builder, "create_default_button"));

      gtk_button_set_label (create, label);
      kvmrt_a11y_name_buttons (GTK_WIDGET (create));
    }
}

/* One card per enabled VM, in configuration order. */
static void
rebuild_cards (KvmrtWindow *self)
{
  KvmrtConfig *config = kvmrt_manager_get_config (self->manager);
  g_autoptr(GPtrArray) enabled = g_ptr_array_new_with_free_func (g_object_unref);
  guint first;

  for (guint i = 0; config != NULL && i < kvmrt_config_get_n_vms (config); i++)
    if (!kvmrt_vm_get_disabled (kvmrt_config_get_vm (config, i)))
      g_ptr_array_add (enabled, g_object_ref (kvmrt_config_get_vm (config, i)));

  first = first_frame_cards (self, enabled);
  g_clear_handle_id (&self->add_cards_id, g_source_remove);
  g_clear_pointer (&self->pending_vms, g_ptr_array_unref);
  g_list_store_splice (self->vms, 0, g_list_model_get_n_items (G_LIST_MODEL (self->vms)),
                       enabled->pdata, MIN (enabled->len, first));
  if (enabled->len > first)
    {
      self->pending_vms = g_ptr_array_ref (enabled);
      self->add_cards_id = g_idle_add_full (G_PRIORITY_LOW, on_add_remaining_cards_cb, self,
                                            NULL);
    }

  if (config == NULL || enabled->len == 0)
    ensure_status_pages (self);
  if (config == NULL)
    gtk_stack_set_visible_child_name (self->stack, "welcome");
  else if (enabled->len == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->stack, "dashboard");
}

static void
on_manager_config_changed_cb (KvmrtManager *manager, GParamSpec *pspec, KvmrtWindow *self)
{
  KvmrtApplication *app = KVMRT_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  GSettings *settings = app != NULL ? kvmrt_application_get_settings (app) : NULL;
  const char *path = kvmrt_manager_get_config_path (manager);

  if (settings != NULL && path != NULL && !kvmrt_manager_get_config_unsaved (manager))
    g_settings_set_string (settings, "last-config", path);
  update_title (self);
  rebuild_cards (self);
  kvmrt_window_update_actions (self);
}

static void
on_manager_status_changed_cb (KvmrtManager *manager, KvmrtVm *vm, KvmrtWindow *self)
{
  KvmrtVmCard *card = kvmrt_window_lookup_card (self, kvmrt_vm_get_uuid (vm));

  if (card != NULL)
    kvmrt_vm_card_update (card, kvmrt_manager_get_status (manager, vm));
  kvmrt_window_update_actions (self);
}

static void
on_manager_usage_changed_cb (KvmrtManager *manager, KvmrtWindow *self)
{
  GHashTableIter iter;
  gpointer card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &card))
    {
      KvmrtVm *vm = kvmrt_window_lookup_vm (self, kvmrt_vm_card_get_uuid (card));

      if (vm != NULL)
        kvmrt_vm_card_set_cpu_usage (card, kvmrt_manager_get_cpu_usage (manager, vm));
    }
}

static void
on_held_response_cb (GtkInfoBar *bar, int response, KvmrtWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    kvmrt_window_release_held (self);
}

/* Tuning the host holds for VMs that no longer run: CPUs kept offline and IRQs kept away for
 * nothing. A bar names them, with the button that gives the settings back. */
static void
on_manager_held_changed_cb (KvmrtManager *manager, KvmrtWindow *self)
{
  GPtrArray *held = kvmrt_manager_get_held_tuning (manager);
  guint n_vms = held != NULL ? held->len : 0;
  guint leftovers = kvmrt_manager_get_held_leftovers (manager);
  gboolean shown = n_vms > 0 || leftovers > 0;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->held_bar == NULL && !shown)
    return;
  if (self->held_bar == NULL)
    {
      self->held_bar = GTK_INFO_BAR (gtk_info_bar_new ());
      gtk_info_bar_set_message_type (self->held_bar, GTK_MESSAGE_WARNING);
      self->held_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_wrap (self->held_label, TRUE);
      gtk_label_set_xalign (self->held_label, 0);
      gtk_widget_set_hexpand (GTK_WIDGET (self->held_label), TRUE);
      gtk_info_bar_add_child (self->held_bar, GTK_WIDGET (self->held_label));
      gtk_info_bar_add_button (self->held_bar, _("_Release Tuning"), GTK_RESPONSE_ACCEPT);
      g_signal_connect (self->held_bar, "response", G_CALLBACK (on_held_response_cb), self);
      gtk_box_insert_child_after (self->content_box, GTK_WIDGET (self->held_bar),
                                  GTK_WIDGET (self->header_bar));
    }
  for (guint i = 0; i < n_vms; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", (char *) held->pdata[i]);
  if (n_vms > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "The host is still tuned for %s, which is not "
                                               "running: its CPUs and interrupts are kept from "
                                               "the other VMs.",
                                               "The host is still tuned for %s, which are not "
                                               "running: their CPUs and interrupts are kept "
                                               "from the other VMs.", n_vms),
                            names->str);
  /* What an earlier release could not give back (the host refused a file) is held for no VM
   * and would otherwise stay unseen until the next boot. */
  if (leftovers > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "%sThe host still keeps %u setting that an "
                                               "earlier release could not give back.",
                                               "%sThe host still keeps %u settings that an "
                                               "earlier release could not give back.",
                                               leftovers),
                            n_vms > 0 ? " " : "", leftovers);
  gtk_info_bar_set_revealed (self->held_bar, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->held_bar), shown);
  gtk_label_set_label (self->held_label, text->str);
}

/* libvirt could not be reached, or closed the connection since. */
static void
on_manager_connected_cb (KvmrtManager *manager, GParamSpec *pspec, KvmrtWindow *self)
{
  const GError *error = kvmrt_manager_get_connected (manager) ? NULL
                                                             : kvmrt_manager_get_libvirt_error (manager);

  /* The bar is made for the first error: most windows never show one. */
  if (self->libvirt_bar == NULL && error == NULL)
    return;
  if (self->libvirt_bar == NULL)
    {
      self->libvirt_bar = GTK_INFO_BAR (gtk_info_bar_new ());
      gtk_info_bar_set_message_type (self->libvirt_bar, GTK_MESSAGE_ERROR);
      self->libvirt_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_wrap (self->libvirt_label, TRUE);
      gtk_label_set_xalign (self->libvirt_label, 0);
      gtk_widget_set_hexpand (GTK_WIDGET (self->libvirt_label), TRUE);
      gtk_info_bar_add_child (self->libvirt_bar, GTK_WIDGET (self->libvirt_label));
      gtk_box_insert_child_after (self->content_box, GTK_WIDGET (self->libvirt_bar),
                                  GTK_WIDGET (self->header_bar));
    }
  gtk_info_bar_set_revealed (self->libvirt_bar, error != NULL);
  gtk_label_set_label (self->libvirt_label, error != NULL ? error->message : "");
  if (pspec != NULL)
    kvmrt_window_update_actions (self);
}

/* KVMRT_BENCH_FIRST_FRAME: the start-up benchmark's mark. Prints "first-frame" once the
 * dashboard's first frame has been drawn, then quits. */
static void
on_after_paint_cb (GdkFrameClock *clock, KvmrtWindow *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_after_paint_cb, self);
  /* Flushed now: the benchmark takes its time at this line, and stdout is a pipe there. */
  g_print ("first-frame\n");
  fflush (stdout);
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

/* After the first frame the cards get their line of details (CPUs, vCPUs, uptime, usage):
 * the first frame is what start-up is measured by, and it is drawn without them. */
static void
on_first_frame_drawn_cb (GdkFrameClock *clock, KvmrtWindow *self)
{
  GHashTableIter iter;
  gpointer card;

  g_signal_handlers_disconnect_by_func (clock, on_first_frame_drawn_cb, self);
  self->drawn = TRUE;
  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &card))
    kvmrt_vm_card_show_details (card);
}

static void
kvmrt_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (kvmrt_window_parent_class)->map (widget);
  if (!KVMRT_WINDOW (widget)->drawn)
    g_signal_connect_object (gtk_widget_get_frame_clock (widget), "after-paint",
                             G_CALLBACK (on_first_frame_drawn_cb), widget, 0);
  if (g_getenv ("KVMRT_BENCH_FIRST_FRAME") != NULL)
    g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                      G_CALLBACK (on_after_paint_cb), widget);
}

static gboolean
kvmrt_window_close_request (GtkWindow *window)
{
  KvmrtWindow *self = KVMRT_WINDOW (window);
  KvmrtApplication *app = KVMRT_APPLICATION (gtk_window_get_application (window));
  GSettings *settings = app != NULL ? kvmrt_application_get_settings (app) : NULL;

  /* The configuration dialog asks about its unapplied changes first. */
  if (self->config_dialog != NULL)
    {
      gtk_window_close (self->config_dialog);
      if (self->config_dialog != NULL && gtk_widget_get_visible (GTK_WIDGET (self->config_dialog)))
        return TRUE;
    }
  if (settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
    }
  return GTK_WINDOW_CLASS (kvmrt_window_parent_class)->close_request (window);
}

static void
kvmrt_window_dispose (GObject *object)
{
  KvmrtWindow *self = KVMRT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_handle_id (&self->add_cards_id, g_source_remove);
  g_clear_pointer (&self->pending_vms, g_ptr_array_unref);
  if (self->config_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->config_dialog),
                                  (gpointer *) &self->config_dialog);
  self->config_dialog = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_WINDOW);
  G_OBJECT_CLASS (kvmrt_window_parent_class)->dispose (object);
}

static void
kvmrt_window_finalize (GObject *object)
{
  KvmrtWindow *self = KVMRT_WINDOW (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->cards, g_hash_table_unref);
  g_clear_pointer (&self->busy, g_hash_table_unref);
  g_clear_object (&self->vms);
  g_free (self->requested_config);
  g_free (self->unlocked_path);
  G_OBJECT_CLASS (kvmrt_window_parent_class)->finalize (object);
}

/* Shift+F10 or Menu: the menu of the card the focus is in, as a context menu would. */
static gboolean
popup_card_menu (GtkWidget *widget, GVariant *args, gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));
  GtkWidget *card = focus != NULL ? gtk_widget_get_ancestor (focus, KVMRT_TYPE_VM_CARD) : NULL;

  if (card == NULL)
    return FALSE;
  kvmrt_vm_card_popup_menu (KVMRT_VM_CARD (card));
  return TRUE;
}

static void
kvmrt_window_class_init (KvmrtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kvmrt_window_dispose;
  object_class->finalize = kvmrt_window_finalize;
  window_class->close_request = kvmrt_window_close_request;
  widget_class->map = kvmrt_window_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kvmrt/Kvmrt/kvmrt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, vm_list);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, boot_all_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtWindow, shutdown_all_button);
  kvmrt_window_class_install_actions (widget_class);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, popup_card_menu, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, popup_card_menu, NULL);
  kvmrt_tools_class_install_actions (widget_class);
}

/* The primary menu's popover is made when it first opens, not with the window. */
static void
on_primary_menu_popup_cb (GtkMenuButton *button, gpointer data)
{
  KvmrtWindow *self = KVMRT_WINDOW (data);

  gtk_menu_button_set_menu_model (button, self->primary_menu);
  gtk_menu_button_set_create_popup_func (button, NULL, NULL, NULL);
}

static void
kvmrt_window_init (KvmrtWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->vms = g_list_store_new (KVMRT_TYPE_VM);
  gtk_widget_init_template (GTK_WIDGET (self));
  kvmrt_a11y_name_buttons (GTK_WIDGET (self));

  gtk_menu_button_set_create_popup_func (self->primary_menu_button, on_primary_menu_popup_cb,
                                         self, NULL);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_factory_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_factory_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_factory_unbind_cb), self);
  gtk_list_view_set_factory (self->vm_list, factory);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->vms)));
  gtk_list_view_set_model (self->vm_list, GTK_SELECTION_MODEL (selection));
}

KvmrtWindow *
kvmrt_window_new (KvmrtApplication *app,
                  KvmrtManager     *manager,
                  const char       *config)
{
  g_autoptr(GError) open_error = NULL;
  GSettings *settings = kvmrt_application_get_settings (app);
  KvmrtWindow *self;

  self = g_object_new (KVMRT_TYPE_WINDOW, "application", app, NULL);
  self->manager = g_object_ref (manager);
  self->requested_config = g_strdup (config);
  if (settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  g_signal_connect (self->manager, "notify::config",
                    G_CALLBACK (on_manager_config_changed_cb), self);
  g_signal_connect (self->manager, "notify::connected",
                    G_CALLBACK (on_manager_connected_cb), self);
  g_signal_connect (self->manager, "status-changed",
                    G_CALLBACK (on_manager_status_changed_cb), self);
  g_signal_connect (self->manager, "usage-changed",
                    G_CALLBACK (on_manager_usage_changed_cb), self);
  g_signal_connect (self->manager, "held-tuning-changed",
                    G_CALLBACK (on_manager_held_changed_cb), self);
  on_manager_connected_cb (self->manager, NULL, self);
  on_manager_held_changed_cb (self->manager, self);

  if (config != NULL && kvmrt_manager_get_config (manager) == NULL
      && g_file_test (config, G_FILE_TEST_EXISTS)
      && !kvmrt_manager_open_config (self->manager, config, &open_error))
    kvmrt_window_show_toast (self, open_error->message);
  on_manager_config_changed_cb (self->manager, NULL, self);
  return self;
}

gboolean
kvmrt_window_matches (KvmrtWindow *self,
                      const char  *sysroot,
                      const char  *uri,
                      const char  *config)
{
  return g_strcmp0 (kvmrt_manager_get_sysroot (self->manager), sysroot != NULL ? sysroot : "/") == 0
         && (uri == NULL || g_strcmp0 (kvmrt_manager_get_uri (self->manager), uri) == 0)
         && (config == NULL
             || g_strcmp0 (kvmrt_manager_get_config_path (self->manager), config) == 0
             || g_strcmp0 (self->requested_config, config) == 0);
}

KvmrtManager *
kvmrt_window_get_manager (KvmrtWindow *self)
{
  return self->manager;
}

void
kvmrt_window_show_toast (KvmrtWindow *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
