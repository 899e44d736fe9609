/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-topology-view.h"

#include "kvmrt-tools-feed.h"

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

/* Sizes at zoom 1, in pixels. A CPU box holds "PU 255" in an 8 pt font, so 256 CPUs stay
 * legible at natural size. */
#define PAD            4
#define HEADER_H       16
#define CPU_W          48
#define CPU_H          20
#define PCI_H          20
#define CORES_PER_ROW  8
#define LEGEND_H       24
#define FLAG_SIZE      10    /* the corner flag of an item a finding names */
#define FONT           "Sans 8"
#define HEADER_FONT    "Sans Bold 8"

typedef enum {
  ITEM_MACHINE,
  ITEM_PACKAGE,
  ITEM_NODE,
  ITEM_CACHE,
  ITEM_CORE,
  ITEM_CPU,
  ITEM_PCI,
  ITEM_IO,
  ITEM_LEGEND,
} ItemKind;

typedef struct {
  ItemKind kind;
  int      id;        /* CPU, core, node, package number; index of a PCI device */
  double   x, y, w, h;
  char    *label;
} Item;

struct _KvmrtTopologyView
{
  GtkWidget       parent_instance;

  KvmrtHost      *host;
  KvmrtOwnership *ownership;   /* borrowed */
  KvmrtDiagnosticIndex *findings;  /* borrowed; NULL: nothing to mark */
  GArray         *items;       /* Item, containers before what they contain */
  double          width, height;
  double          zoom;
  gboolean        show_io;
  gboolean        show_caches;
  gboolean        show_offline;
  int             selected;    /* index into items, or -1 */
  int             hovered;
};

enum {
  PROP_0,
  PROP_SELECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KvmrtTopologyView, kvmrt_topology_view, GTK_TYPE_WIDGET)

/* Colours ------------------------------------------------------------------------------ */

typedef struct {
  double fill[3];
  double edge[3];
} Palette;

/* Light fills with darker edges, as lstopo draws; the diagram keeps them in a dark theme too
 * (exports look the same wherever they were made). */
static const Palette owner_palette[KVMRT_N_OWNER_KINDS] = {
  [KVMRT_OWNER_HOST]    = { { 0.84, 0.92, 0.80 }, { 0.36, 0.55, 0.30 } },
  [KVMRT_OWNER_RT_VM]   = { { 0.98, 0.72, 0.70 }, { 0.75, 0.11, 0.14 } },
  [KVMRT_OWNER_VM]      = { { 0.74, 0.84, 0.98 }, { 0.21, 0.40, 0.75 } },
  [KVMRT_OWNER_OFFLINE] = { { 0.80, 0.80, 0.80 }, { 0.55, 0.55, 0.55 } },
};

static const double container_fill[][3] = {
  [ITEM_MACHINE] = { 1.00, 1.00, 1.00 },
  [ITEM_PACKAGE] = { 0.93, 0.93, 0.93 },
  [ITEM_NODE]    = { 0.97, 0.96, 0.88 },
  [ITEM_CACHE]   = { 0.91, 0.92, 0.97 },
  [ITEM_CORE]    = { 0.82, 0.82, 0.82 },
  [ITEM_IO]      = { 0.97, 0.96, 0.88 },
};

void
kvmrt_topology_owner_color (KvmrtOwnerKind kind, GdkRGBA *color)
{
  g_return_if_fail (kind < KVMRT_N_OWNER_KINDS);

  color->red = owner_palette[kind].fill[0];
  color->green = owner_palette[kind].fill[1];
  color->blue = owner_palette[kind].fill[2];
  color->alpha = 1;
}

/* Layout ------------------------------------------------------------------------------- */

static void
item_clear (gpointer data)
{
  g_free (((Item *) data)->label);
}

/* Reserves a container's slot before its children are placed (it is drawn below them). */
static guint
reserve (KvmrtTopologyView *self)
{
  Item item = { 0 };

  g_array_append_val (self->items, item);
  return self->items->len - 1;
}

static void
fill (KvmrtTopologyView *self, guint slot, ItemKind kind, int id, double x, double y,
      double w, double h, char *label)
{
  Item *item = &g_array_index (self->items, Item, slot);

  item->kind = kind;
  item->id = id;
  item->x = x;
  item->y = y;
  item->w = w;
  item->h = h;
  item->label = label;
}

static void
add (KvmrtTopologyView *self, ItemKind kind, int id, double x, double y, double w, double h,
     char *label)
{
  fill (self, reserve (self), kind, id, x, y, w, h, label);
}

static gboolean
cpu_shown (KvmrtTopologyView *self, guint cpu)
{
  return self->show_offline || kvmrt_id_set_contains (kvmrt_host_get_online_cpus (self->host),
                                                      cpu)
         || (self->ownership != NULL
             && kvmrt_ownership_get_cpu (self->ownership, cpu) != NULL
             && kvmrt_ownership_get_cpu (self->ownership, cpu)->online);
}

/* The CPUs of a core that are drawn. */
static KvmrtIdSet *
core_cpus_shown (KvmrtTopologyView *self, const KvmrtIdSet *cpus)
{
  KvmrtIdSet *shown = kvmrt_id_set_new ();

  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    if (cpu_shown (self, cpu))
      kvmrt_id_set_add (shown, cpu);
  return shown;
}

static double
core_width (KvmrtTopologyView *self)
{
  guint per_core = kvmrt_host_has_smt (self->host) ? 2 : 1;

  return per_core * CPU_W + (per_core + 1) * PAD;
}

/* One core (@cpus: its CPUs) at x, y; a core without a known id is a CPU on its own. */
static void
place_core (KvmrtTopologyView *self, int core, const KvmrtIdSet *cpus, double x, double y)
{
  g_autoptr(KvmrtIdSet) shown = core_cpus_shown (self, cpus);
  double cx = x + PAD;
  guint slot = reserve (self);

  for (int cpu = kvmrt_id_set_first (shown); cpu >= 0; cpu = kvmrt_id_set_next (shown, cpu))
    {
      add (self, ITEM_CPU, cpu, cx, y + HEADER_H, CPU_W, CPU_H,
           g_strdup_printf ("PU %d", cpu));
      cx += CPU_W + PAD;
    }
  fill (self, slot, ITEM_CORE, core, x, y, core_width (self), HEADER_H + CPU_H + PAD,
        core >= 0 ? g_strdup_printf (_("Core %d"), core) : g_strdup (_("CPU")));
}

/* The cores of @cpus (a node's, or a cache's within it) in rows; returns the height. */
static double
place_cores (KvmrtTopologyView *self, const KvmrtIdSet *cpus, double x, double y)
{
  g_autoptr(KvmrtIdSet) done = kvmrt_id_set_new ();
  double row_h = HEADER_H + CPU_H + PAD;
  guint n = 0;

  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      const KvmrtIdSet *siblings = kvmrt_host_get_core_siblings (self->host, cpu);
      int core = kvmrt_host_get_cpu_level (self->host, KVMRT_HOST_LEVEL_CORE, cpu);
      g_autoptr(KvmrtIdSet) shown = NULL;

      if (kvmrt_id_set_contains (done, cpu))
        continue;
      kvmrt_id_set_union (done, siblings);
      shown = core_cpus_shown (self, siblings);
      if (kvmrt_id_set_is_empty (shown))
        continue;
      place_core (self, core, siblings, x + (n % CORES_PER_ROW) * (core_width (self) + PAD),
                  y + (n / CORES_PER_ROW) * (row_h + PAD));
      n++;
    }
  if (n == 0)
    return 0;
  return ((n + CORES_PER_ROW - 1) / CORES_PER_ROW) * (row_h + PAD) - PAD;
}

static double
cores_width (KvmrtTopologyView *self, const KvmrtIdSet *cpus)
{
  guint n = kvmrt_id_set_count (cpus) / (kvmrt_host_has_smt (self->host) ? 2 : 1);

  n = CLAMP (n, 1, CORES_PER_ROW);
  return n * core_width (self) + (n - 1) * PAD;
}

/* The CPUs of each level-3 cache within a node (the host is loaded with its caches). */
static GPtrArray *
caches_of (KvmrtTopologyView *self, const KvmrtIdSet *node_cpus, GArray *sizes)
{
  GPtrArray *caches = kvmrt_host_get_caches (self->host);
  GPtrArray *sets = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_id_set_free);

  for (guint i = 0; i < caches->len; i++)
    {
      const KvmrtHostCache *cache = caches->pdata[i];
      KvmrtIdSet *cpus = kvmrt_id_set_copy (cache->cpus);

      kvmrt_id_set_intersect (cpus, node_cpus);
      if (kvmrt_id_set_is_empty (cpus))
        kvmrt_id_set_free (cpus);
      else
        {
          g_ptr_array_add (sets, cpus);
          g_array_append_val (sizes, cache->size);
        }
    }
  return sets;
}

static char *
device_label (const KvmrtPciDevice *device)
{
  char address[KVMRT_PCI_ADDRESS_STRLEN];

  kvmrt_pci_address_format (device->address, address);
  /* Domain 0 is the usual one: "21:00.1" as lspci writes it. */
  return g_strdup_printf ("%s %s", g_str_has_prefix (address, "0000:") ? address + 5 : address,
                          device->device_name);
}

static gboolean
device_shown (const KvmrtPciDevice *device)
{
  return !device->is_bridge;
}

/* The devices of node @node (-1: those without a node) in two columns under the cores;
 * returns the height. */
static double
place_devices (KvmrtTopologyView *self, int node, double x, double y, double width)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (self->host);
  double w = (width - PAD) / 2;
  guint n = 0;

  if (!self->show_io)
    return 0;
  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *device = devices->pdata[i];

      if (device->numa_node != node || !device_shown (device))
        continue;
      add (self, ITEM_PCI, i, x + (n % 2) * (w + PAD), y + (n / 2) * (PCI_H + PAD), w, PCI_H,
           device_label (device));
      n++;
    }
  return n == 0 ? 0 : ((n + 1) / 2) * (PCI_H + PAD) - PAD;
}

static char *
node_label (KvmrtTopologyView *self, int node)
{
  guint64 memory = kvmrt_host_get_node_memory (self->host, node);

  if (memory == 0)
    return g_strdup_printf (_("NUMA node %d"), node);
  return g_strdup_printf (_("NUMA node %d (%.0f GiB)"), node,
                          memory / (1024.0 * 1024 * 1024));
}

/* Returns the node's size in @w and @h. */
static void
place_node (KvmrtTopologyView *self, int node, double x, double y, double *w, double *h)
{
  const KvmrtIdSet *cpus = kvmrt_host_get_level_cpus (self->host, KVMRT_HOST_LEVEL_NODE, node);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GPtrArray) caches = self->show_caches ? caches_of (self, cpus, sizes) : NULL;
  guint slot = reserve (self);
  /* Room for the node's own label on a host of a few cores. */
  double inner_w = MAX (cores_width (self, cpus), 180);
  double cy = y + HEADER_H;

  if (caches != NULL && caches->len > 0)
    {
      inner_w += 2 * PAD;
      for (guint i = 0; i < caches->len; i++)
        {
          guint cache_slot = reserve (self);
          double ch = place_cores (self, caches->pdata[i], x + 2 * PAD, cy + HEADER_H);

          fill (self, cache_slot, ITEM_CACHE, i, x + PAD, cy, inner_w, HEADER_H + ch + PAD,
                g_strdup_printf (_("L3 (%.0f MiB)"),
                                 g_array_index (sizes, guint64, i) / (1024.0 * 1024)));
          cy += HEADER_H + ch + 2 * PAD;
        }
    }
  else
    cy += place_cores (self, cpus, x + PAD, cy) + PAD;
  {
    double dh = place_devices (self, node, x + PAD, cy, inner_w);

    cy += dh > 0 ? dh + PAD : 0;
  }
  *w = inner_w + 2 * PAD;
  *h = cy - y;
  fill (self, slot, ITEM_NODE, node, x, y, *w, *h, node_label (self, node));
}

static void
place_package (KvmrtTopologyView *self, int package, double x, double y, double *w, double *h)
{
  const KvmrtIdSet *nodes = kvmrt_host_get_ids (self->host, KVMRT_HOST_LEVEL_NODE);
  guint slot = reserve (self);
  guint n = 0, columns;
  double cx = x + PAD, cy = y + HEADER_H, row_h = 0, max_w = 0;
  g_autoptr(KvmrtIdSet) mine = kvmrt_id_set_new ();

  for (int node = kvmrt_id_set_first (nodes); node >= 0; node = kvmrt_id_set_next (nodes, node))
    {
      const KvmrtIdSet *cpus = kvmrt_host_get_level_cpus (self->host, KVMRT_HOST_LEVEL_NODE,
                                                          node);
      int first = cpus != NULL ? kvmrt_id_set_first (cpus) : -1;

      if (first >= 0
          && kvmrt_host_get_cpu_level (self->host, KVMRT_HOST_LEVEL_PACKAGE, first) == package)
        kvmrt_id_set_add (mine, node);
    }
  /* Nodes one under the other: a window scrolls down more naturally than across, and eight
   * cores in a row already make a node wide. */
  columns = 1;
  for (int node = kvmrt_id_set_first (mine); node >= 0; node = kvmrt_id_set_next (mine, node))
    {
      double nw, nh;

      place_node (self, node, cx, cy, &nw, &nh);
      row_h = MAX (row_h, nh);
      cx += nw + PAD;
      max_w = MAX (max_w, cx - x);
      if (++n % columns == 0)
        {
          cx = x + PAD;
          cy += row_h + PAD;
          row_h = 0;
        }
    }
  cy += row_h > 0 ? row_h + PAD : 0;
  *w = MAX (max_w, 160);
  *h = cy - y;
  fill (self, slot, ITEM_PACKAGE, package, x, y, *w, *h,
        g_strdup_printf (_("Package %d"), package));
}

static void
relayout (KvmrtTopologyView *self)
{
  const KvmrtIdSet *packages;
  double y = PAD + LEGEND_H + HEADER_H, w = 0;
  guint machine;

  g_array_set_size (self->items, 0);
  self->selected = self->hovered = -1;
  self->width = self->height = 0;
  if (self->host == NULL)
    return;

  add (self, ITEM_LEGEND, 0, PAD, PAD, 0, LEGEND_H, NULL);
  machine = reserve (self);
  packages = kvmrt_host_get_ids (self->host, KVMRT_HOST_LEVEL_PACKAGE);
  for (int p = kvmrt_id_set_first (packages); p >= 0; p = kvmrt_id_set_next (packages, p))
    {
      double pw, ph;

      place_package (self, p, 2 * PAD, y, &pw, &ph);
      y += ph + PAD;
      w = MAX (w, pw);
    }
  {
    guint io = reserve (self);
    double dh = place_devices (self, -1, 3 * PAD, y + HEADER_H, MAX (w, 400) - 2 * PAD);

    if (dh > 0)
      {
        fill (self, io, ITEM_IO, -1, 2 * PAD, y, MAX (w, 400), HEADER_H + dh + PAD,
              g_strdup (_("Devices without a NUMA node")));
        y += HEADER_H + dh + 2 * PAD;
        w = MAX (w, 400);
      }
    else
      fill (self, io, ITEM_IO, -1, 0, 0, 0, 0, NULL);
  }
  {
    const char *name = kvmrt_host_get_hostname (self->host);
    const char *model = kvmrt_host_get_cpu_model (self->host);

    fill (self, machine, ITEM_MACHINE, 0, PAD, PAD + LEGEND_H, w + 2 * PAD,
          y - PAD - LEGEND_H, g_strdup_printf (_("Machine %s%s%s"), name != NULL ? name : "",
                                               model != NULL ? " — " : "",
                                               model != NULL ? model : ""));
  }
  /* Wide enough for the legend, which has one more entry while there are findings. */
  self->width = MAX (w + 4 * PAD, self->findings != NULL
                                  && kvmrt_diagnostic_index_get_count (self->findings) > 0
                                  ? 840 : 620);
  self->height = y + PAD;
}

/* Drawing ------------------------------------------------------------------------------ */

static void
draw_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double w,
           double h, gboolean bold, gboolean center)
{
  PangoFontDescription *font = pango_font_description_from_string (bold ? HEADER_FONT : FONT);
  int tw, th;

  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) ((w - 2 * 3) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, center ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_move_to (cr, x + 3, y + (h - th) / 2);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_box (cairo_t *cr, const Item *item, const double fill_rgb[3], const double edge_rgb[3],
          double edge_width)
{
  cairo_rectangle (cr, item->x + 0.5, item->y + 0.5, item->w - 1, item->h - 1);
  cairo_set_source_rgb (cr, fill_rgb[0], fill_rgb[1], fill_rgb[2]);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, edge_rgb[0], edge_rgb[1], edge_rgb[2]);
  cairo_set_line_width (cr, edge_width);
  cairo_stroke (cr);
}

static KvmrtOwnerKind
item_owner (KvmrtTopologyView *self, const Item *item, gboolean *shielded)
{
  *shielded = FALSE;
  if (self->ownership == NULL)
    {
      if (item->kind == ITEM_CPU
          && !kvmrt_id_set_contains (kvmrt_host_get_online_cpus (self->host), item->id))
        return KVMRT_OWNER_OFFLINE;
      return KVMRT_OWNER_HOST;
    }
  if (item->kind == ITEM_CPU)
    {
      const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (self->ownership, item->id);

      *shielded = owner != NULL && owner->shielded;
      return owner != NULL ? owner->kind : KVMRT_OWNER_OFFLINE;
    }
  {
    const KvmrtPciDevice *device = kvmrt_host_get_pci_devices (self->host)->pdata[item->id];

    return kvmrt_ownership_get_device (self->ownership, device->address)->kind;
  }
}

/* The configuration's findings whose subject names @item (a CPU, a device or a NUMA node),
 * or NULL. */
static GPtrArray *
item_findings (KvmrtTopologyView *self, const Item *item)
{
  if (self->findings == NULL)
    return NULL;
  switch (item->kind)
    {
    case ITEM_CPU:
      return kvmrt_diagnostic_index_for_cpu (self->findings, item->id);
    case ITEM_NODE:
      return kvmrt_diagnostic_index_for_node (self->findings, item->id);
    case ITEM_PCI:
      {
        const KvmrtPciDevice *device = kvmrt_host_get_pci_devices (self->host)->pdata[item->id];

        return kvmrt_diagnostic_index_for_device (self->findings, device->address);
      }
    default:
      return NULL;
    }
}

/* A corner flag in the top right of a box: red for an error, amber for a warning, so a
 * finding shows on any owner's colour (and in black-and-white print by its shape). */
static void
draw_finding_flag (cairo_t *cr, double right, double top, KvmrtSeverity severity)
{
  cairo_move_to (cr, right - FLAG_SIZE, top);
  cairo_line_to (cr, right, top);
  cairo_line_to (cr, right, top + FLAG_SIZE);
  cairo_close_path (cr);
  if (severity == KVMRT_SEVERITY_ERROR)
    cairo_set_source_rgb (cr, 0.80, 0.10, 0.10);
  else
    cairo_set_source_rgb (cr, 0.90, 0.55, 0.00);
  cairo_fill_preserve (cr);
  /* A white rim keeps the red flag apart from a real-time CPU's red edge. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
draw_item_findings (KvmrtTopologyView *self, cairo_t *cr, const Item *item)
{
  GPtrArray *findings = item_findings (self, item);

  if (findings != NULL)
    draw_finding_flag (cr, item->x + item->w - 1, item->y + 1, kvmrt_diagnostics_worst (findings));
}

static void
draw_legend (KvmrtTopologyView *self, cairo_t *cr, PangoLayout *layout, const Item *item)
{
  static const KvmrtOwnerKind order[] = {
    KVMRT_OWNER_RT_VM, KVMRT_OWNER_VM, KVMRT_OWNER_HOST, KVMRT_OWNER_OFFLINE,
  };
  double x = item->x;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      Item swatch = { ITEM_CPU, 0, x, item->y + 4, 16, 16, NULL };

      draw_box (cr, &swatch, owner_palette[order[i]].fill, owner_palette[order[i]].edge, 1);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      draw_text (cr, layout, kvmrt_owner_kind_to_string (order[i]), x + 18, item->y, 110,
                 item->h, FALSE, FALSE);
      x += 130;
    }
  {
    Item swatch = { ITEM_CPU, 0, x, item->y + 4, 16, 16, NULL };

    draw_box (cr, &swatch, owner_palette[KVMRT_OWNER_RT_VM].fill,
              owner_palette[KVMRT_OWNER_RT_VM].edge, 3);
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
    draw_text (cr, layout, _("Shielded"), x + 18, item->y, 110, item->h, FALSE, FALSE);
    x += 130;
  }
  /* Only while there are findings: a clean configuration keeps the legend it always had. */
  if (self->findings != NULL && kvmrt_diagnostic_index_get_count (self->findings) > 0)
    {
      Item swatch = { ITEM_CPU, 0, x, item->y + 4, 16, 16, NULL };

      draw_box (cr, &swatch, owner_palette[KVMRT_OWNER_HOST].fill,
                owner_palette[KVMRT_OWNER_HOST].edge, 1);
      draw_finding_flag (cr, x + 15, item->y + 5, KVMRT_SEVERITY_ERROR);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      draw_text (cr, layout, _("Configuration finding"), x + 18, item->y, 160, item->h, FALSE,
                 FALSE);
    }
}

static void
draw_leaf (KvmrtTopologyView *self, cairo_t *cr, PangoLayout *layout, const Item *item,
           gboolean highlighted)
{
  gboolean shielded;
  KvmrtOwnerKind kind = item_owner (self, item, &shielded);
  const Palette *palette = &owner_palette[kind];

  draw_box (cr, item, palette->fill, palette->edge, shielded ? 3 : 1);
  if (kind == KVMRT_OWNER_OFFLINE)
    cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
  else
    cairo_set_source_rgb (cr, 0.05, 0.05, 0.05);
  draw_text (cr, layout, item->label, item->x, item->y, item->w, item->h, FALSE,
             item->kind == ITEM_CPU);
  draw_item_findings (self, cr, item);
  if (highlighted)
    {
      cairo_rectangle (cr, item->x - 1, item->y - 1, item->w + 2, item->h + 2);
      cairo_set_source_rgb (cr, 0.1, 0.35, 0.85);
      cairo_set_line_width (cr, 2.5);
      cairo_stroke (cr);
    }
}

/* The whole drawing at zoom 1 (the caller scales). */
static void
draw (KvmrtTopologyView *self, cairo_t *cr)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  static const double edge[3] = { 0.45, 0.45, 0.45 };

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, self->width, self->height);
  cairo_fill (cr);
  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = &g_array_index (self->items, Item, i);

      if (item->w <= 0 && item->kind != ITEM_LEGEND)
        continue;
      switch (item->kind)
        {
        case ITEM_LEGEND:
          draw_legend (self, cr, layout, item);
          break;
        case ITEM_CPU:
        case ITEM_PCI:
          draw_leaf (self, cr, layout, item, (int) i == self->selected);
          break;
        default:
          draw_box (cr, item, container_fill[item->kind], edge, 1);
          cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
          draw_text (cr, layout, item->label, item->x, item->y, item->w, HEADER_H,
                     item->kind != ITEM_CORE, FALSE);
          draw_item_findings (self, cr, item);
          break;
        }
    }
  g_object_unref (layout);
}

static void
kvmrt_topology_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  KvmrtTopologyView *self = KVMRT_TOPOLOGY_VIEW (widget);
  graphene_rect_t bounds;
  cairo_t *cr;

  if (self->items->len == 0)
    return;
  graphene_rect_init (&bounds, 0, 0, self->width * self->zoom, self->height * self->zoom);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_scale (cr, self->zoom, self->zoom);
  draw (self, cr);
  cairo_destroy (cr);
}

static void
kvmrt_topology_view_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  KvmrtTopologyView *self = KVMRT_TOPOLOGY_VIEW (widget);
  double size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->width : self->height;

  *minimum = *natural = (int) ceil (size * self->zoom);
}

/* Details ------------------------------------------------------------------------------ */

static int
item_at (KvmrtTopologyView *self, double x, double y)
{
  x /= self->zoom;
  y /= self->zoom;
  for (int i = self->items->len - 1; i >= 0; i--)
    {
      const Item *item = &g_array_index (self->items, Item, i);

      if ((item->kind == ITEM_CPU || item->kind == ITEM_PCI)
          && x >= item->x && x < item->x + item->w && y >= item->y && y < item->y + item->h)
        return i;
    }
  return -1;
}

static char *
describe_cpu (KvmrtTopologyView *self, guint cpu)
{
  const KvmrtCpuOwner *owner = self->ownership != NULL
                               ? kvmrt_ownership_get_cpu (self->ownership, cpu) : NULL;
  g_autofree char *owned = owner != NULL ? kvmrt_cpu_owner_describe (owner) : NULL;
  int core = kvmrt_host_get_cpu_level (self->host, KVMRT_HOST_LEVEL_CORE, cpu);
  int node = kvmrt_host_get_cpu_level (self->host, KVMRT_HOST_LEVEL_NODE, cpu);
  g_autofree char *siblings =
    kvmrt_id_set_to_string (kvmrt_host_get_core_siblings (self->host, cpu));

  return g_strdup_printf (_("CPU %u\nOwner: %s (%s)\nState: %s\nCore %d, NUMA node %d\n"
                            "Core siblings: %s"),
                          cpu,
                          owner != NULL ? kvmrt_owner_kind_to_string (owner->kind) : _("Host"),
                          owned != NULL ? owned : _("Host"),
                          owner != NULL && owner->shielded ? _("online, shielded")
                          : owner == NULL || owner->online ? _("online") : _("offline"),
                          core, node, siblings);
}

static char *
describe_device (KvmrtTopologyView *self, guint index)
{
  const KvmrtPciDevice *device = kvmrt_host_get_pci_devices (self->host)->pdata[index];
  const KvmrtDeviceOwner *owner = self->ownership != NULL
                                  ? kvmrt_ownership_get_device (self->ownership, device->address)
                                  : NULL;
  g_autofree char *address = kvmrt_pci_address_to_string (device->address);
  g_autofree char *group = device->iommu_group >= 0
                           ? g_strdup_printf ("%d", device->iommu_group) : g_strdup (_("none"));
  const char *who = owner == NULL || owner->vm == NULL ? _("Host")
                    : kvmrt_vm_get_display_title (owner->vm);

  return g_strdup_printf (_("%s %s\n%s, %s\nOwner: %s (%s)\nIOMMU group: %s\n"
                            "Driver: %s\nNUMA node: %d"),
                          address, device->device_name, device->class_name,
                          device->vendor_name,
                          kvmrt_owner_kind_to_string (owner != NULL ? owner->kind
                                                                    : KVMRT_OWNER_HOST),
                          who, group, device->driver != NULL ? device->driver : _("none"),
                          device->numa_node);
}

static char *
describe_item (KvmrtTopologyView *self, int index)
{
  const Item *item;
  g_autofree char *details = NULL;
  g_autofree char *listed = NULL;
  GPtrArray *findings;

  if (index < 0 || (guint) index >= self->items->len)
    return NULL;
  item = &g_array_index (self->items, Item, index);
  details = item->kind == ITEM_CPU ? describe_cpu (self, item->id)
                                   : describe_device (self, item->id);
  findings = item_findings (self, item);
  if (findings == NULL)
    return g_steal_pointer (&details);
  listed = kvmrt_tools_findings_to_text (findings, "\n");
  return g_strconcat (details, "\n", listed, NULL);
}

static gboolean
on_query_tooltip_cb (GtkWidget  *widget,
                     int         x,
                     int         y,
                     gboolean    keyboard,
                     GtkTooltip *tooltip,
                     gpointer    data)
{
  KvmrtTopologyView *self = KVMRT_TOPOLOGY_VIEW (widget);
  g_autofree char *text = describe_item (self, item_at (self, x, y));

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
select_index (KvmrtTopologyView *self, int index)
{
  if (self->selected == index)
    return;
  self->selected = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION]);
}

static void
on_click_pressed_cb (GtkGestureClick   *gesture,
                     int                n_press,
                     double             x,
                     double             y,
                     KvmrtTopologyView *self)
{
  select_index (self, item_at (self, x, y));
}

/* GObject ------------------------------------------------------------------------------ */

static void
kvmrt_topology_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  KvmrtTopologyView *self = KVMRT_TOPOLOGY_VIEW (object);

  switch (prop_id)
    {
    case PROP_SELECTION:
      g_value_take_string (value, kvmrt_topology_view_describe_selection (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_topology_view_finalize (GObject *object)
{
  KvmrtTopologyView *self = KVMRT_TOPOLOGY_VIEW (object);

  g_array_unref (self->items);
  g_clear_object (&self->host);
  G_OBJECT_CLASS (kvmrt_topology_view_parent_class)->finalize (object);
}

static void
kvmrt_topology_view_class_init (KvmrtTopologyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = kvmrt_topology_view_get_property;
  object_class->finalize = kvmrt_topology_view_finalize;
  widget_class->snapshot = kvmrt_topology_view_snapshot;
  widget_class->measure = kvmrt_topology_view_measure;

  properties[PROP_SELECTION] =
    g_param_spec_string ("selection", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "kvmrttopologyview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
kvmrt_topology_view_init (KvmrtTopologyView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (self->items, item_clear);
  self->zoom = 1;
  self->show_io = self->show_caches = self->show_offline = TRUE;
  self->selected = self->hovered = -1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip_cb), NULL);
  g_signal_connect (click, "pressed", G_CALLBACK (on_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/* API ---------------------------------------------------------------------------------- */

GtkWidget *
kvmrt_topology_view_new (void)
{
  return g_object_new (KVMRT_TYPE_TOPOLOGY_VIEW, NULL);
}

/* Keeps the selection on the same CPU or device across a new layout. */
static void
relayout_keeping_selection (KvmrtTopologyView *self)
{
  ItemKind kind = ITEM_MACHINE;
  int id = -1;

  if (self->selected >= 0)
    {
      kind = g_array_index (self->items, Item, self->selected).kind;
      id = g_array_index (self->items, Item, self->selected).id;
    }
  relayout (self);
  for (guint i = 0; id >= 0 && i < self->items->len; i++)
    if (g_array_index (self->items, Item, i).kind == kind
        && g_array_index (self->items, Item, i).id == id)
      self->selected = i;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION]);
}

void
kvmrt_topology_view_set_host (KvmrtTopologyView    *self,
                              KvmrtHost            *host,
                              KvmrtOwnership       *ownership,
                              KvmrtDiagnosticIndex *findings)
{
  g_return_if_fail (KVMRT_IS_TOPOLOGY_VIEW (self));

  g_set_object (&self->host, host);
  self->ownership = ownership;
  self->findings = findings;
  relayout_keeping_selection (self);
}

void
kvmrt_topology_view_set_show_io (KvmrtTopologyView *self, gboolean show)
{
  self->show_io = show;
  relayout_keeping_selection (self);
}

void
kvmrt_topology_view_set_show_caches (KvmrtTopologyView *self, gboolean show)
{
  self->show_caches = show;
  relayout_keeping_selection (self);
}

void
kvmrt_topology_view_set_show_offline (KvmrtTopologyView *self, gboolean show)
{
  self->show_offline = show;
  relayout_keeping_selection (self);
}

void
kvmrt_topology_view_set_zoom (KvmrtTopologyView *self, double zoom)
{
  self->zoom = CLAMP (zoom, 0.25, 4.0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

double
kvmrt_topology_view_get_zoom (KvmrtTopologyView *self)
{
  return self->zoom;
}

void
kvmrt_topology_view_get_natural_size (KvmrtTopologyView *self, int *width, int *height)
{
  *width = (int) ceil (self->width);
  *height = (int) ceil (self->height);
}

gboolean
kvmrt_topology_view_select (KvmrtTopologyView *self, const char *what)
{
  guint64 cpu;
  KvmrtPciAddress address;
  g_autofree char *text = NULL;
  g_autofree char *full = NULL;

  g_return_val_if_fail (what != NULL, FALSE);

  text = g_strstrip (g_strdup (what));
  what = text;
  /* "21:00.1" is in domain 0. */
  full = strlen (what) == 7 ? g_strconcat ("0000:", what, NULL) : g_strdup (what);
  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = &g_array_index (self->items, Item, i);
      gboolean match = FALSE;

      if (item->kind == ITEM_CPU)
        match = g_ascii_string_to_unsigned (what, 10, 0, G_MAXUINT, &cpu, NULL)
                && item->id == (int) cpu;
      else if (item->kind == ITEM_PCI && kvmrt_pci_address_parse (full, &address, NULL))
        {
          const KvmrtPciDevice *device =
            kvmrt_host_get_pci_devices (self->host)->pdata[item->id];

          match = device->address == address;
        }
      if (match)
        {
          select_index (self, i);
          return TRUE;
        }
    }
  return FALSE;
}

char *
kvmrt_topology_view_describe_selection (KvmrtTopologyView *self)
{
  return describe_item (self, self->selected);
}

gboolean
kvmrt_topology_view_get_cpu_area (KvmrtTopologyView *self, guint cpu, graphene_rect_t *area)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = &g_array_index (self->items, Item, i);

      if (item->kind == ITEM_CPU && item->id == (int) cpu)
        {
          graphene_rect_init (area, item->x, item->y, item->w, item->h);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
kvmrt_topology_view_export (KvmrtTopologyView          *self,
                            const char                 *path,
                            KvmrtTopologyExportFormat   format,
                            GError                    **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  int selected = self->selected;

  g_return_val_if_fail (KVMRT_IS_TOPOLOGY_VIEW (self), FALSE);

  if (format == KVMRT_TOPOLOGY_EXPORT_SVG)
    surface = cairo_svg_surface_create (path, self->width, self->height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) ceil (self->width),
                                          (int) ceil (self->height));
  /* The file shows the host, not what the pointer was on. */
  self->selected = -1;
  cr = cairo_create (surface);
  draw (self, cr);
  cairo_destroy (cr);
  self->selected = selected;
  if (format == KVMRT_TOPOLOGY_EXPORT_PNG)
    status = cairo_surface_write_to_png (surface, path);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write the topology to “%s”: %s. Check that its folder exists "
                     "and that you may write there."), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
