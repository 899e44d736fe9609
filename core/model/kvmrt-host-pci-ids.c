/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Vendor, device and class names from the pci.ids database, the file lspci and libpci use.
 *
 * libpci's pci_lookup_name() loads the whole database into a hash table on first use, which
 * costs more than reading every other part of the host together (about 13 ms). A host needs
 * the names of a few dozen ids, so this reads the file once and keeps only the lines it asks
 * for. The format: "vvvv  Vendor", "\tdddd  Device", "\t\tssss ssss  Subsystem",
 * "C cc  Class", "\tss  Subclass", "\t\tpp  Programming interface"; '#' starts a comment. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <zlib.h>

#include "kvmrt-host-private.h"

typedef struct
{
  guint8     *vendors;      /* bitmap of wanted vendor ids */
  GHashTable *names;        /* wanted key -> name (NULL until found) */
} Wanted;

/* Keys of the names table; the high bits keep the kinds apart. */
#define VENDOR_KEY(v)       (0x100000000ull | (v))
#define DEVICE_KEY(v, d)    (0x200000000ull | ((guint64) (v) << 16) | (d))
#define CLASS_KEY(c)        (0x300000000ull | (c))
#define SUBCLASS_KEY(c, s)  (0x400000000ull | ((c) << 8) | (s))

static gboolean
parse_hex (const char *p, const char *end, guint digits, guint *out)
{
  guint value = 0;

  if ((gsize) (end - p) < digits + 1)
    return FALSE;
  for (guint i = 0; i < digits; i++)
    {
      int v = g_ascii_xdigit_value (p[i]);

      if (v < 0)
        return FALSE;
      value = value << 4 | v;
    }
  /* The id is followed by the blanks before the name. */
  if (p[digits] != ' ')
    return FALSE;
  *out = value;
  return TRUE;
}

static void
take_name (Wanted *wanted, guint64 key, const char *p, const char *end)
{
  gpointer old;

  if (!g_hash_table_lookup_extended (wanted->names, &key, NULL, &old) || old != NULL)
    return;
  while (p < end && *p == ' ')
    p++;
  g_hash_table_insert (wanted->names, g_memdup2 (&key, sizeof key), g_strndup (p, end - p));
}

static void
scan_database (Wanted *wanted, const char *data, gsize length)
{
  const char *p = data;
  const char *stop = data + length;
  guint vendor = 0, class = 0;
  gboolean in_vendor = FALSE, in_class = FALSE;

  while (p < stop)
    {
      const char *end = memchr (p, '\n', stop - p);
      guint id;

      if (end == NULL)
        end = stop;

      if (*p == '\t' && p + 1 < end && p[1] != '\t')
        {
          if (in_vendor && parse_hex (p + 1, end, 4, &id))
            take_name (wanted, DEVICE_KEY (vendor, id), p + 5, end);
          else if (in_class && parse_hex (p + 1, end, 2, &id))
            take_name (wanted, SUBCLASS_KEY (class, id), p + 3, end);
        }
      else if (*p == 'C' && p + 1 < end && p[1] == ' ')
        {
          in_vendor = FALSE;
          in_class = parse_hex (p + 2, end, 2, &class);
          if (in_class)
            take_name (wanted, CLASS_KEY (class), p + 4, end);
        }
      else if (g_ascii_isxdigit (*p))
        {
          in_class = FALSE;
          in_vendor = parse_hex (p, end, 4, &vendor)
                      && (wanted->vendors[vendor >> 3] & (1 << (vendor & 7))) != 0;
          if (in_vendor)
            take_name (wanted, VENDOR_KEY (vendor), p + 4, end);
        }
      else if (*p != '\t' && *p != '#' && *p != '\n')
        {
          /* Another kind of section: nothing we look up lives there. */
          in_vendor = in_class = FALSE;
        }
      p = end + 1;
    }
}

static void
unmap_file (gpointer data)
{
  GBytes *mapping = data;
  gsize length;
  gconstpointer start = g_bytes_get_data (mapping, &length);

  munmap ((gpointer) start, length);
  g_bytes_unref (mapping);
}

/* The whole file mapped at once: page faults one by one cost more than scanning it. */
static GBytes *
map_file (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat info;
  gpointer start;
  GBytes *mapping;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &info) < 0 || info.st_size == 0)
    {
      close (fd);
      return NULL;
    }
  start = mmap (NULL, info.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  close (fd);
  if (start == MAP_FAILED)
    return NULL;
  mapping = g_bytes_new_static (start, info.st_size);
  return g_bytes_new_with_free_func (start, info.st_size, unmap_file, mapping);
}

/* A gzip file, decompressed in memory with zlib (GIO's converters would pull GIO and its
 * dependencies into every tool's start-up for this one file). */
static GBytes *
read_gzip (const char *path)
{
  gzFile file = gzopen (path, "rb");
  GByteArray *data;
  guint8 buffer[65536];
  int n;

  if (file == NULL)
    return NULL;
  data = g_byte_array_new ();
  while ((n = gzread (file, buffer, sizeof buffer)) > 0)
    g_byte_array_append (data, buffer, n);
  if (n < 0)
    {
      g_debug ("Cannot decompress %s", path);
      gzclose (file);
      g_byte_array_unref (data);
      return NULL;
    }
  gzclose (file);
  return g_byte_array_free_to_bytes (data);
}

/* The database where libpci looks for it: @path or the same name without ".gz" (the plain
 * file first: it needs no decompressing), or with ".gz". */
static GBytes *
open_database (const char *path)
{
  g_autofree char *plain = g_str_has_suffix (path, ".gz")
                           ? g_strndup (path, strlen (path) - 3) : g_strdup (path);
  g_autofree char *gzip = g_strconcat (plain, ".gz", NULL);
  GBytes *bytes = map_file (plain);

  return bytes != NULL ? bytes : read_gzip (gzip);
}

static void
want (Wanted *wanted, guint64 key)
{
  if (!g_hash_table_contains (wanted->names, &key))
    g_hash_table_insert (wanted->names, g_memdup2 (&key, sizeof key), NULL);
}

static char *
found (Wanted *wanted, guint64 key)
{
  return g_strdup (g_hash_table_lookup (wanted->names, &key));
}

void
kvmrt_pci_ids_lookup (const char *path, GPtrArray *devices)
{
  g_autoptr(GBytes) database = NULL;
  g_autofree guint8 *vendors = g_malloc0 (65536 / 8);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                       g_free, g_free);
  Wanted wanted = { vendors, names };
  gsize length;
  const char *data;

  if (devices->len == 0 || path == NULL)
    return;
  database = open_database (path);
  if (database == NULL)
    {
      g_debug ("No PCI id database at %s: devices are shown by number", path);
      return;
    }

  for (guint i = 0; i < devices->len; i++)
    {
      KvmrtPciDevice *device = g_ptr_array_index (devices, i);
      guint class = device->class_code >> 16, subclass = (device->class_code >> 8) & 0xff;

      vendors[device->vendor_id >> 3] |= 1 << (device->vendor_id & 7);
      want (&wanted, VENDOR_KEY (device->vendor_id));
      want (&wanted, DEVICE_KEY (device->vendor_id, device->device_id));
      want (&wanted, CLASS_KEY (class));
      want (&wanted, SUBCLASS_KEY (class, subclass));
    }

  data = g_bytes_get_data (database, &length);
  scan_database (&wanted, data, length);

  for (guint i = 0; i < devices->len; i++)
    {
      KvmrtPciDevice *device = g_ptr_array_index (devices, i);
      guint class = device->class_code >> 16, subclass = (device->class_code >> 8) & 0xff;

      device->vendor_name = found (&wanted, VENDOR_KEY (device->vendor_id));
      device->device_name = found (&wanted, DEVICE_KEY (device->vendor_id, device->device_id));
      /* As lspci: the subclass ("Ethernet controller"), else the class with the number
       * ("Non-Essential Instrumentation [1300]"). */
      device->class_name = found (&wanted, SUBCLASS_KEY (class, subclass));
      if (device->class_name == NULL)
        {
          const char *name = g_hash_table_lookup (names, &(guint64) { CLASS_KEY (class) });

          if (name != NULL)
            device->class_name = g_strdup_printf ("%s [%02x%02x]", name, class, subclass);
        }
    }
}
