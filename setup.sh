#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One entry point for a fresh Debian 12 machine:
#   ./setup.sh run    install what is missing, build, open the kvmrt window on the demo host
#                     (without a display: the command-line tools on the demo host)
#   ./setup.sh test   install what is missing, build, run every test and benchmark
# As root, missing Debian packages are installed with apt-get; otherwise the one command that
# installs them is printed and nothing else happens.
set -euo pipefail

cd "$(dirname "$0")"
BUILD=${KVMRT_BUILD_DIR:-build}

PACKAGES=(
  gcc libc6-dev pkg-config meson ninja-build python3 gettext
  libglib2.0-dev libjson-glib-dev libhwloc-dev libpci-dev pci.ids
  libvirt-dev libvirt-glib-1.0-dev libxml2-dev libvirt-clients libvirt-daemon-system
  libvirt-daemon-driver-qemu qemu-system-x86
  hwloc pciutils time valgrind
  # The GUI and its display tests (a real window under Xvfb, driven over AT-SPI).
  libgtk-4-dev libgtk-4-bin libadwaita-1-dev libvte-2.91-gtk4-dev libcrypt-dev
  adwaita-icon-theme hicolor-icon-theme librsvg2-common fonts-cantarell
  xvfb xauth dbus dbus-x11 at-spi2-core python3-pyatspi gir1.2-atspi-2.0 imagemagick
  desktop-file-utils appstream yelp-tools libxml2-utils libglib2.0-bin policykit-1
  # Manual pages (lint) and the Debian packages (dpkg-buildpackage, lintian).
  mandoc debhelper dpkg-dev fakeroot lintian
  # Reliability probes: the fuzzer (clang's libFuzzer), fault injection (strace).
  clang-14 libclang-rt-14-dev strace
  # Guest Services tests boot Debian's kernel (fetched with apt-get download) with a busybox
  # initramfs; the guest programs are linked statically (libc6-dev's libc.a).
  busybox-static
)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

install_packages() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing: $missing" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get install -y $missing" >&2
    exit 2
  fi
  echo "Installing: $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >&2
}

build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" --prefix=/usr/local >&2
  fi
  ninja -C "$BUILD" >&2
}

# The GUI on the demo host: libvirt's test driver, a private copy of the host tree; from the
# build tree, with its settings schema and icons.
gui_demo() {
  echo "Opening kvmrt on the demo host (kvmrt --demo); close the window to end." >&2
  GSETTINGS_SCHEMA_DIR="$PWD/$BUILD/data" exec "$BUILD/app/kvmrt" --demo
}

demo() {
  local host="$BUILD/data/hosts/m12swa-tf"
  local cfg="data/demo/kvmrt.cfg"
  echo "== The demo host (Supermicro M12SWA-TF, generated under $host)"
  "$BUILD/cli/kvmrt-show-config" --sysroot "$host" --host
  echo
  echo "== kvmrt-show-config -f $cfg"
  "$BUILD/cli/kvmrt-show-config" --sysroot "$host" -f "$cfg"
  echo
  echo "== kvmrt-validate-config --offline -f $cfg"
  "$BUILD/cli/kvmrt-validate-config" --offline --sysroot "$host" -f "$cfg"
  echo
  # libvirt's test driver stands in for the demo host's libvirtd (each command starts from the
  # node file again), and the tuning goes into a private copy of the demo host.
  local node="test://$PWD/data/demo/libvirt-node.xml"
  local tuned="$BUILD/demo-host"
  rm -rf "$tuned"
  cp -a "$host" "$tuned"
  echo "== kvmrt-sync-config -q -c $node   (what kvmrt would change in libvirt)"
  "$BUILD/cli/kvmrt-sync-config" -q --sysroot "$host" -f "$cfg" -c "$node" || true
  echo
  echo "== kvmrt-boot --all -c $node --sysroot $tuned"
  "$BUILD/cli/kvmrt-boot" --all --sysroot "$tuned" -f "$cfg" -c "$node"
  echo "   (what changed on the host copy is journaled in $tuned/run/kvmrt/tuning-state.json)"
}

# The unit tests once more, built with AddressSanitizer and UndefinedBehaviorSanitizer (no GUI:
# the core is what they test). Any report fails the test.
ASAN_BUILD=${KVMRT_ASAN_BUILD_DIR:-$BUILD-asan}
run_sanitized_unit_tests() {
  if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
    meson setup "$ASAN_BUILD" -Dgui=disabled -Db_sanitize=address,undefined -Db_lundef=false \
      -Dc_args=-fno-sanitize-recover=undefined >&2
  fi
  ninja -C "$ASAN_BUILD" >&2 || return 1
  # GLib keeps some memory for the whole process on purpose: leaks are not the question here.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C "$ASAN_BUILD" --suite unit --print-errorlogs --num-processes 2
}

run_tests() {
  local status=0
  meson test -C "$BUILD" --print-errorlogs --num-processes 2 || status=1
  cp "$BUILD/meson-logs/testlog.json" "$BUILD/meson-logs/testlog-unit.json"
  rm -f "$BUILD/meson-logs/testlog-asan.json" "$ASAN_BUILD/meson-logs/testlog.json"
  run_sanitized_unit_tests || status=1
  cp "$ASAN_BUILD/meson-logs/testlog.json" "$BUILD/meson-logs/testlog-asan.json" || status=1
  meson test -C "$BUILD" --benchmark --print-errorlogs --verbose || status=1
  cp "$BUILD/meson-logs/testlog.json" "$BUILD/meson-logs/testlog-benchmark.json"
  python3 tests/summarize-tests.py "$BUILD/meson-logs/testlog-unit.json" \
    "$BUILD/meson-logs/testlog-asan.json" "$BUILD/meson-logs/testlog-benchmark.json" || status=1
  return $status
}

case "${1:-}" in
  run)
    install_packages
    build
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      gui_demo
    fi
    echo "No display here: showing the command-line tools on the demo host instead." >&2
    echo "(In a desktop session, ./setup.sh run opens the kvmrt window.)" >&2
    echo
    demo
    ;;
  test)
    install_packages
    build
    run_tests
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
