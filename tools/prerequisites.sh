# Sourced by ./rawengine and ./test: makes sure the native build prerequisites (LibRaw headers, a C++
# compiler for our shim) and lensfun with its lens database (the lens module calls liblensfun directly) are
# installed; with `oracle` (./test), also LibRaw's own developer `dcraw_emu` (Debian's libraw-bin), the
# oracle the conformance tests and `bench -- camera-files` compare real camera files against. As root it
# installs what is missing with apt-get; otherwise it prints the exact command and fails.
# With `oracle`, as root, it also tries Debian's slurm-wlm and munge for the real Slurm test (tests/Batch), which
# skips, saying why, where they are not installed: their absence never stops ./test.
# With `oracle`, it also installs Debian's chromium for the editor's browser tests (tests/Web, Playwright drives it;
# nothing downloads a browser); without root it prints the command, and those tests skip saying why.
rawengine_prerequisites() {
  if [ "${1:-}" = oracle ]; then rawengine_optional_slurm; rawengine_optional_browser; fi
  local missing=()
  [ -f /usr/include/libraw/libraw.h ] || missing+=(libraw-dev)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  [ -f /usr/include/lensfun/lensfun.h ] || missing+=(liblensfun-dev)
  [ -d /usr/share/lensfun/version_1 ] || missing+=(liblensfun-data-v1)
  if [ "${1:-}" = oracle ]; then [ -x /usr/bin/dcraw_emu ] || missing+=(libraw-bin); fi
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "rawengine: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
    return 1
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "rawengine: installing ${missing[*]} ..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 || return 1
  else
    echo "rawengine: missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
}

rawengine_optional_slurm() {
  [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && [ -x /usr/sbin/munged ] && return 0
  [ "$(id -u)" -eq 0 ] || return 0
  echo "rawengine: installing slurm-wlm and munge for the Slurm test ..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge; } >&2 \
    || echo "rawengine: could not install slurm-wlm and munge: the Slurm test will skip" >&2
  return 0
}

rawengine_optional_browser() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "rawengine: the browser tests need Debian's chromium; install with: sudo apt-get install -y chromium" >&2
    return 0
  fi
  echo "rawengine: installing chromium for the browser tests ..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2 \
    || echo "rawengine: could not install chromium: the browser tests will skip" >&2
  return 0
}
