/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An LD_PRELOAD module that counts, per domain, how often a program asks libvirt for a
 * domain's definition (virDomainGetXMLDesc), and appends "NAME COUNT" lines to the file
 * $KVMRT_XML_READS when the program exits. tests/test-sync-reads.py holds the sync to one
 * read per domain with it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOMAINS 64

static struct {
  char name[256];
  int  count;
} seen[MAX_DOMAINS];
static int n_seen;

static void
count (const char *name)
{
  for (int i = 0; i < n_seen; i++)
    if (strcmp (seen[i].name, name) == 0)
      {
        seen[i].count++;
        return;
      }
  if (n_seen == MAX_DOMAINS)
    return;
  snprintf (seen[n_seen].name, sizeof seen[n_seen].name, "%s", name);
  seen[n_seen++].count = 1;
}

char *virDomainGetXMLDesc (void *domain, unsigned int flags);

char *
virDomainGetXMLDesc (void *domain, unsigned int flags)
{
  static char *(*real) (void *, unsigned int);
  static const char *(*get_name) (void *);
  const char *name;

  if (real == NULL)
    {
      real = (char *(*) (void *, unsigned int)) dlsym (RTLD_NEXT, "virDomainGetXMLDesc");
      get_name = (const char *(*) (void *)) dlsym (RTLD_NEXT, "virDomainGetName");
    }
  name = get_name != NULL ? get_name (domain) : NULL;
  count (name != NULL ? name : "?");
  return real (domain, flags);
}

__attribute__((destructor)) static void
report (void)
{
  const char *path = getenv ("KVMRT_XML_READS");
  FILE *f = path != NULL && n_seen > 0 ? fopen (path, "a") : NULL;

  if (f == NULL)
    return;
  for (int i = 0; i < n_seen; i++)
    fprintf (f, "%s %d\n", seen[i].name, seen[i].count);
  fclose (f);
}
