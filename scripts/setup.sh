#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages (Debian 12),
# then configures and builds distill. Idempotent; run as root or with sudo.
# Usage: scripts/setup.sh [PRESET]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  libarchive-dev libssl-dev zlib1g-dev libzstd-dev liblzma-dev libfmt-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libcurl4-openssl-dev librnp-dev
  libtomlplusplus-dev
  libgtest-dev libgmock-dev
  # tests: the real tools that must accept our images, and fixture makers
  podman skopeo umoci docker-registry runc ca-certificates
  dpkg-dev rnp gnupg python3 file zstd curl bc lz4 default-jdk-headless openssl apache2-utils
  libpq-dev  # tests/e2e/check_libpq_curl.sh links a program with libpq and libcurl
  # examples/*/build.sh (the JDK is above): C++, static Go
  g++ golang-go
  # benchmarks
  hyperfine time
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
