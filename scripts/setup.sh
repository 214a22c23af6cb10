#!/usr/bin/env bash
# Installs what the course needs (Debian 12 / Ubuntu packages) and builds the conclab CLI (into build/cli).
# Lab targets are not built here: each is built the first time you check it.
#
#   scripts/setup.sh            install missing packages (as root, or with sudo), configure, build conclab
#   scripts/setup.sh --check    only report what is missing; exit 1 if anything is
#
# Without root or sudo it prints the exact apt-get command to run, and stops.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

# What each package is for; all from Debian 12's own archive.
packages=(
  g++ cmake ninja-build git python3      # the CLI and benchmarks (g++), build, reset (git), docs checks
  libgtest-dev libgmock-dev               # graded tests
  libbenchmark-dev                        # benchmarks
  libfmt-dev libcli11-dev                 # the conclab CLI
  libtomlplusplus-dev nlohmann-json3-dev  # lab.toml and JSON in the CLI
  libtbb-dev libsqlite3-dev               # peer benchmarks (capstone 3, lab 03.06); the grading gradebook
  libboost-dev                            # lab 03.08's peer benchmark (boost::lockfree::stack)
  clang libclang-rt-dev lld               # the graded builds (their ThreadSanitizer runtime, a fast linker)
  gdb                                     # thread stacks when a test hangs
  bubblewrap                              # sandbox for instructor grading
  stress-ng                               # scripts/stress-lab.sh
  python3-pytest python3-pytest-xdist     # the CLI's end-to-end tests (tools/conclab/tests/e2e)
  ccache                                  # scripts/test.sh: a compile cache shared by every clone
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ $check_only = 1 ]; then
    echo "Missing packages: ${missing[*]}"
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "This machine has no apt-get. Install the equivalents of: ${missing[*]}" >&2
    exit 1
  fi
  cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" = 0 ]; then
    sudo_cmd=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo)
  else
    echo "These packages are missing: ${missing[*]}"
    echo "Install them with (needs root), then run scripts/setup.sh again:"
    echo
    echo "  sudo apt-get update && sudo ${cmd[*]}"
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" "${cmd[@]}" -qq >/tmp/conclab-apt.log 2>&1 || {
    echo "apt-get failed; its log is /tmp/conclab-apt.log:" >&2
    tail -20 /tmp/conclab-apt.log >&2
    exit 1
  }
elif [ $check_only = 1 ]; then
  echo "All packages present."
  exit 0
fi

# The wrapper builds the CLI (build/cli) when it is missing or older than its sources.
./conclab --version >/dev/null || exit 1
echo "Setup done. Start with: ./conclab"
