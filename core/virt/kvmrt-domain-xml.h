/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A VM's plan in its libvirt domain XML, and back: strings in, strings out, no connection.
 *
 * What kvmrt sets: name, title, description, <vcpu>, <cpu><topology>, <cputune> (vcpupin per
 * vCPU, emulatorpin, iothreadpin), <numatune><memory>, <memoryBacking><locked/>,
 * <features><kvm><hidden>, managed PCI <hostdev>s, and a <metadata> block in kvmrt's namespace
 * recording which hostdevs kvmrt added (so removing a pcidev removes only those). Everything
 * else in the domain stays as it was.
 *
 * libvirt-gconfig does the parts it models (name, title, description, vCPUs, topology, PCI
 * hostdevs, custom metadata); libxml2 then works on the same document for the rest. */
#pragma once

#include "kvmrt-diagnostic.h"
#include "kvmrt-plan.h"

G_BEGIN_DECLS

#define KVMRT_DOMAIN_XML_NS     "https://kvmrt.org/xmlns/domain/1.0"
#define KVMRT_DOMAIN_XML_PREFIX "kvmrt"

/* Guest Services (guest_services = true): a virtio-serial channel with this name, whose host
 * end is a UNIX socket QEMU listens on, KVMRT_GS_SOCKET_DIR/UUID.sock; kvmrtd connects to it. */
#define KVMRT_GS_CHANNEL        "org.kvmrt.gs.0"
#define KVMRT_GS_SOCKET_DIR     "/run/kvmrt/gs"

typedef enum {
  KVMRT_DOMAIN_FIELD_NAME,
  KVMRT_DOMAIN_FIELD_TITLE,
  KVMRT_DOMAIN_FIELD_DESCRIPTION,
  KVMRT_DOMAIN_FIELD_VCPUS,
  KVMRT_DOMAIN_FIELD_TOPOLOGY,
  KVMRT_DOMAIN_FIELD_VCPUPIN,
  KVMRT_DOMAIN_FIELD_EMULATORPIN,
  KVMRT_DOMAIN_FIELD_IOTHREADPIN,
  KVMRT_DOMAIN_FIELD_NUMATUNE,
  KVMRT_DOMAIN_FIELD_MEMORY_LOCKED,
  KVMRT_DOMAIN_FIELD_KVM_HIDDEN,
  KVMRT_DOMAIN_FIELD_HOSTDEVS,
  KVMRT_DOMAIN_FIELD_GS_CHANNEL,
  KVMRT_DOMAIN_FIELD_METADATA,
  /* A real-time guest as libvirt's kvm-realtime guide describes it (kvmrt-domain-xml-rt.c). */
  KVMRT_DOMAIN_FIELD_CPU_MODE,
  KVMRT_DOMAIN_FIELD_TSC_DEADLINE,
  KVMRT_DOMAIN_FIELD_PMU,
  KVMRT_DOMAIN_FIELD_MEMBALLOON,
  KVMRT_DOMAIN_FIELD_HUGEPAGES,
  KVMRT_DOMAIN_FIELD_NOSHAREPAGES,
  KVMRT_DOMAIN_FIELD_VCPUSCHED,
} KvmrtDomainField;

typedef struct {
  KvmrtDomainField field;
  KvmrtVmAttr      attr;          /* the config attribute this comes from */
  char            *current;       /* what the domain has now, short ("2", "0:4 1:5", "none") */
  char            *wanted;        /* what the config implies */
  gboolean         needs_restart; /* a running domain only gets it at its next start */
} KvmrtDomainChange;

void        kvmrt_domain_change_free     (KvmrtDomainChange *change);
/* "name", "vcpupin", "numatune", "hostdevs", ... */
const char *kvmrt_domain_field_to_string (KvmrtDomainField field);

/* The domain XML that carries @plan, every other part of @domain_xml kept. @changes (may be
 * NULL) receives a KvmrtDomainChange* per field that differed; none means in sync, and then
 * nothing was changed. */
char     *kvmrt_domain_xml_sync (const char         *domain_xml,
                                 const KvmrtVmPlan  *plan,
                                 GPtrArray         **changes,
                                 GError            **error);

/* Reads the domain into the attributes of @vm selected by @attrs (a mask of 1 << KvmrtVmAttr):
 * name, title, description, nr_vcpus, cpu_topology (auto without <topology>), cpuset (the
 * union of the vcpupin and emulatorpin sets, else <vcpu cpuset>), numatune (auto without
 * <numatune><memory>), rt_memory, hide_kvm, guest_services (the org.kvmrt.gs.0 channel),
 * pcidevs (every PCI hostdev). */
gboolean  kvmrt_domain_xml_read (const char  *domain_xml,
                                 KvmrtVm     *vm,
                                 guint        attrs,
                                 GError     **error);

/* The host end (UNIX socket path) of the domain's Guest Services channel, or NULL when it
 * has none. Works on live XML too, where libvirt may have chosen the path. */
char     *kvmrt_domain_xml_gs_socket (const char *domain_xml);

/* What a real-time VM's domain lacks that kvmrt does not write (KvmrtDiagnostic*, empty for a VM
 * that is not real-time): too few huge pages on its nodes (rt-hugepages-missing) and
 * emulated devices that interrupt heavily (rt-emulated-device), each with what to do. */
GPtrArray *kvmrt_domain_xml_rt_advice (const char         *domain_xml,
                                       const KvmrtVmPlan  *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtDomainChange, kvmrt_domain_change_free)

G_END_DECLS
