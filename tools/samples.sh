#!/usr/bin/env bash
# Checks RawEngine as a package user gets it (samples/README.md): packs every package with the documented command
# into a temporary feed, installs the rawengine tool from it and runs it, then builds and runs every project under
# samples/ against those packages. One line per check, then "N passed, N failed". RAWENGINE_KEEP_SAMPLES=1 keeps
# the temporary folder (feed, tool, sample builds and their output) and prints where it is.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/prerequisites.sh
source "$root/tools/prerequisites.sh"
rawengine_prerequisites || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/rawengine-samples.XXXXXX")
if [ "${RAWENGINE_KEEP_SAMPLES:-}" = 1 ]; then echo "samples: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
feed="$work/feed" logs="$work/logs"
mkdir -p "$logs"
passed=0 failed=0

check() { # NAME LOG COMMAND...: runs the command, its output to LOG; one line saying how it went
  local name=$1 log=$2 start=$SECONDS
  shift 2
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "samples: passed $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "samples: FAILED $name ($((SECONDS - start)) s), the end of $log:"
    tail -n 25 "$log" | sed 's/^/    /'
  fi
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

# The package sources this machine uses, read before the temporary NuGet.config exists.
mapfile -t sources < <(cd "$work" && dotnet nuget list source --format short 2>/dev/null | sed -n 's/^E //p')

check "dotnet pack RawEngine.sln -c Release -o FEED" "$logs/pack.log" \
  dotnet pack "$root/RawEngine.sln" -c Release -o "$feed" --nologo
engine_package=$(find "$feed" -maxdepth 1 -name 'RawEngine.Engine.[0-9]*.nupkg' -print -quit 2>/dev/null)
[ -n "$engine_package" ] || finish
version=$(basename "$engine_package" .nupkg)
version=${version#RawEngine.Engine.}
echo "samples: feed $feed: $(cd "$feed" && ls ./*.nupkg | sed 's|^\./||' | tr '\n' ' ')(version $version)"

# A package cache of its own: a RawEngine package of the same version that an earlier pack left in the user's
# cache must not stand in for the one just packed.
export NUGET_PACKAGES="$work/packages"
tool="$work/tool"
check "dotnet tool install RawEngine.Cli from the feed, rawengine demo -o demo.jpg" "$logs/tool.log" \
  bash -c "cd '$work' && dotnet tool install --tool-path '$tool' --add-source '$feed' RawEngine.Cli --version '$version' \
    && '$tool/rawengine' demo -o '$work/demo.jpg' && test -s '$work/demo.jpg'"
check "rawengine demo -o demo.dng (the samples' raw)" "$logs/raw.log" "$tool/rawengine" demo -o "$work/demo.dng"
[ -s "$work/demo.dng" ] || finish
export RAWENGINE_SAMPLE_RAW="$work/demo.dng"

# A copy, away from the repository's build files, as a user's project is, with a NuGet.config of its own.
cp -r "$root/samples" "$work/samples"
find "$work/samples" \( -name bin -o -name obj \) -type d -prune -exec rm -rf {} +
# RawEngine packages come from the feed and only from there; everything else from this machine's package cache
# (as a local source) or its usual sources.
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"rawengine-feed\" value=\"$feed\" />"
  echo "    <add key=\"machine-cache\" value=\"$HOME/.nuget/packages\" />"
  for i in "${!sources[@]}"; do echo "    <add key=\"source$i\" value=\"${sources[$i]}\" />"; done
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="rawengine-feed"><package pattern="RawEngine" /><package pattern="RawEngine.*" /></packageSource>'
  echo '    <packageSource key="machine-cache"><package pattern="*" /></packageSource>'
  for i in "${!sources[@]}"; do echo "    <packageSource key=\"source$i\"><package pattern=\"*\" /></packageSource>"; done
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} >"$work/samples/NuGet.config"

while IFS= read -r project; do
  name=${project#"$work/"}
  log="$logs/$(echo "$name" | tr '/' '_').log"
  if grep -q 'Microsoft.NET.Test.Sdk' "$project"; then
    check "dotnet test $name" "$log" dotnet test "$project" -c Release --nologo -p:RawEngineVersion="$version"
  elif grep -qi '<OutputType>Exe</OutputType>' "$project"; then
    out="$work/output/$(basename "$project" .csproj)"
    mkdir -p "$out"
    check "dotnet run --project $name -- demo.dng OUTPUT" "$log" bash -c "dotnet run --project '$project' -c Release -p:RawEngineVersion='$version' \
      -- '$RAWENGINE_SAMPLE_RAW' '$out' && [ -n \"\$(ls -A '$out')\" ]"
  else
    check "dotnet build $name" "$log" dotnet build "$project" -c Release --nologo -p:RawEngineVersion="$version"
  fi
done < <(find "$work/samples" -name '*.csproj' | sort)

# What every package carries (README, "Packages"), read in the copies NuGet unpacked for the tool and the samples:
# metadata, a README with the native-dependency story, symbols beside it, XML docs for a library, the shim in the engine.
package_contents() { # ID: its unpacked folder must hold all that
  local id=$1 lower dir nuspec
  lower=$(echo "$1" | tr '[:upper:]' '[:lower:]')
  dir="$NUGET_PACKAGES/$lower/$version"
  [ -d "$dir" ] || dir="$tool/.store/$lower/$version/$lower/$version"
  nuspec=$(find "$dir" -maxdepth 1 -iname "$id.nuspec" -print -quit)
  [ -f "$nuspec" ] || { echo "no sample or tool restored $id: nothing to read"; return 1; }
  grep -q '<license type="expression">' "$nuspec" && grep -q '<authors>' "$nuspec" && grep -q '<readme>README.md</readme>' "$nuspec" \
    && ! grep -q '<description>Package Description</description>' "$nuspec" || { echo "$nuspec: metadata missing"; return 1; }
  grep -q 'libraw_r' "$dir/README.md" || { echo "$dir/README.md: no word of LibRaw"; return 1; }
  [ -f "$feed/$id.$version.snupkg" ] || { echo "no $id.$version.snupkg beside it"; return 1; }
  if grep -q 'DotnetTool' "$nuspec"; then return 0; fi
  compgen -G "$dir/lib/net10.0/*.xml" >/dev/null || { echo "$dir/lib/net10.0: no XML docs"; return 1; }
  [ "$id" != RawEngine.Engine ] || [ -f "$dir/runtimes/linux-x64/native/librawengine_libraw.so" ] || { echo "$dir: no LibRaw shim"; return 1; }
}
for package in "$feed"/*.nupkg; do
  id=$(basename "$package" ".$version.nupkg")
  check "package $id: metadata, README, symbols, docs" "$logs/package-$id.log" package_contents "$id"
done
finish
