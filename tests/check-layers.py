#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The core's two layers stay apart (docs/design.md, "Layers"): nothing in core/model/ includes
libvirt or a header of core/virt/, so tools that never talk to libvirt never load it."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
model = os.path.join(root, 'core', 'model')
virt = os.path.join(root, 'core', 'virt')
virt_headers = {f for f in os.listdir(virt) if f.endswith('.h')}
include = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)

offences = []
for name in sorted(os.listdir(model)):
    if not name.endswith(('.c', '.h')):
        continue
    with open(os.path.join(model, name), encoding='utf-8') as f:
        for header in include.findall(f.read()):
            if header.startswith(('libvirt', 'libxml')) or os.path.basename(header) in virt_headers:
                offences.append('core/model/%s includes %s' % (name, header))

model_sources = [f for f in os.listdir(model) if f.endswith('.c')]
print('TAP version 13')
print('1..2')
print('%s 1 - core/model/ has sources (%d)' % ('ok' if model_sources else 'not ok', len(model_sources)))
print('%s 2 - no file of core/model/ includes libvirt, libxml or a core/virt/ header' %
      ('ok' if not offences else 'not ok'))
for o in offences:
    print('# ' + o)
sys.exit(1 if offences or not model_sources else 0)
