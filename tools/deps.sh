# Installs the Debian packages mingzhang builds with, only those missing. Sourced by tools/*.sh.
MINGZHANG_PACKAGES=(
  g++ cmake ninja-build pkg-config curl
  librocksdb-dev libboost-dev libssl-dev libprotobuf-dev protobuf-compiler
  catch2 nlohmann-json3-dev libjemalloc-dev zlib1g-dev jq openssl
  chromium fonts-wqy-microhei poppler-utils
)
# The portal (api/web) is built with node and npm. Debian's nodejs and npm only where there is no
# node or npm yet: another Node (e.g. NodeSource's, which bundles its own npm) stays as it is.
command -v node >/dev/null || MINGZHANG_PACKAGES+=(nodejs)
command -v npm >/dev/null || MINGZHANG_PACKAGES+=(npm)

install_deps() {
  local missing=()
  for pkg in "${MINGZHANG_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Configures and builds into $1 (default: build) with any extra cmake arguments; after
# `--target`, only the targets named (run.sh builds what the server needs, not the tests).
build_project() {
  local dir="${1:-build}"
  shift || true
  local configure=() targets=()
  while [ $# -gt 0 ]; do
    if [ "$1" = --target ]; then shift; targets=(--target "$@"); break; fi
    configure+=("$1"); shift
  done
  local launcher=()
  # ccache, where a developer has it, shares objects between build directories; CI builds without.
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "${configure[@]}" >/dev/null
  cmake --build "$dir" --parallel "$(nproc)" "${targets[@]}"
}
