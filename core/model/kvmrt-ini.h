/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private: a line-preserving model of an INI file in Python configparser's dialect. Every entry
 * keeps the exact text it was read from, so an untouched file is written back byte for byte;
 * an entry whose value changes is written fresh as "key = value". */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  KVMRT_INI_BLANK,
  KVMRT_INI_COMMENT,
  KVMRT_INI_KEY,
} KvmrtIniKind;

typedef struct {
  KvmrtIniKind kind;
  /* The lines as read, or NULL once the value changed. Parsed entries point into the file's
   * text (which their section or document keeps alive); copies own theirs in raw_owned. The
   * last line of a file may lack its "\n"; writing adds it. */
  const char *raw;
  gsize  raw_length;
  char  *raw_owned;
  char  *key;        /* KEY: as written */
  char  *key_lower;  /* KEY: for lookups (keys are case-insensitive) */
  char  *value;      /* KEY: stripped, continuation lines joined with "\n"; values set by
                      * kvmrt are stripped the same way (each line, trailing empty lines) */
  guint  line;       /* 1-based line of the entry's first line; 0 for new entries */
  char  *indent;     /* KEY written fresh: what its line starts with (see _write), or NULL */
  /* Parsed entries carry key, key_lower and their first value in the same allocation (one
   * malloc per line instead of four); these tell what must be freed separately. */
  gboolean    inline_key;
  const char *inline_value;
} KvmrtIniEntry;

typedef struct {
  char      *name;      /* between the brackets */
  char      *raw;       /* the header line as read, or NULL */
  guint      line;
  GPtrArray *entries;   /* KvmrtIniEntry* */
  GBytes    *text;      /* the file's text its entries point into, or NULL */
} KvmrtIniSection;

typedef struct {
  GPtrArray *preamble;  /* blank and comment lines before the first section */
  GPtrArray *sections;  /* KvmrtIniSection*, file order */
  GBytes    *text;      /* the file's text, which the entries point into */
} KvmrtIniDocument;

/* Errors: KVMRT_CONFIG_ERROR_SYNTAX, "FILENAME:LINE: ...". */
KvmrtIniDocument *kvmrt_ini_parse            (const char  *data,
                                              gsize        length,
                                              const char  *filename,
                                              GError     **error);
void              kvmrt_ini_document_free    (KvmrtIniDocument *doc);

KvmrtIniEntry    *kvmrt_ini_entry_new_key    (const char *key, const char *value);
KvmrtIniEntry    *kvmrt_ini_entry_copy       (const KvmrtIniEntry *entry);
void              kvmrt_ini_entry_free       (KvmrtIniEntry *entry);
void              kvmrt_ini_entry_set_value  (KvmrtIniEntry *entry, const char *value);
void              kvmrt_ini_entry_write      (const KvmrtIniEntry *entry, GString *out);

/* Writes a document's entries and sections in order, keeping every key and header line at most
 * as deep as the key before it (see kvmrt-ini.c); the _write functions below write one piece
 * on its own. */
typedef struct {
  GString *out;
  gssize   key_indent;   /* indentation of the last key line written; -1 after a header */
} KvmrtIniWriter;

void              kvmrt_ini_writer_init      (KvmrtIniWriter *w, GString *out);
void              kvmrt_ini_writer_entry     (KvmrtIniWriter *w, const KvmrtIniEntry *entry);
void              kvmrt_ini_writer_section   (KvmrtIniWriter *w, const KvmrtIniSection *section);

KvmrtIniSection  *kvmrt_ini_section_new      (const char *name);
/* A deep copy: every line as read and as changed. */
KvmrtIniSection  *kvmrt_ini_section_copy     (const KvmrtIniSection *section);
void              kvmrt_ini_section_free     (KvmrtIniSection *section);
void              kvmrt_ini_section_write    (const KvmrtIniSection *section, GString *out);
/* The key entry for @key (any case), or NULL. */
KvmrtIniEntry    *kvmrt_ini_section_lookup   (const KvmrtIniSection *section, const char *key);
/* Adds a key entry after the section's last key (before trailing blank and comment lines,
 * which visually belong to what follows). */
void              kvmrt_ini_section_append   (KvmrtIniSection *section, KvmrtIniEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtIniDocument, kvmrt_ini_document_free)

G_END_DECLS
