# Shared by the benchmark scripts (sourced, from the repository root).

# Nanoseconds since the epoch: callers divide by 1,000,000 for milliseconds.
now() { date +%s%N; }

median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

ratio() { python3 -c "print(round($1/$2, 3))"; }

# pack_sdk WORK VERSION: packs MlEnv.Sdk into WORK/feed, writes WORK/nuget.config for it and points NUGET_PACKAGES at
# WORK/packages, so every benchmark run uses freshly extracted code.
pack_sdk() {
  dotnet pack src/MlEnv.Sdk -c Release -o "$1/feed" -p:Version="$2" -nologo -v:q >/dev/null
  cat >"$1/nuget.config" <<XML
<configuration><packageSources><clear /><add key="bench" value="$1/feed" /></packageSources></configuration>
XML
  export NUGET_PACKAGES="$1/packages"
}

# The environment the rebuild and registry benchmarks build: a typical ML runtime's system layer plus the wheels in
# the project's wheels/ folder.
apt_packages="${MLENV_BENCH_APT:-libgomp1 libopenblas0-pthread libgl1 git}"

# env_project FILE VERSION BASE RUNLABEL [EXTRA_PROPERTIES_XML]
env_project() {
  cat >"$1" <<XML
<Project Sdk="MlEnv.Sdk/$2">
  <PropertyGroup><MlEnvBaseImage>$3</MlEnvBaseImage><MlEnvRequireDocker>true</MlEnvRequireDocker>${5:-}</PropertyGroup>
  <ItemGroup>
    <MlEnvAptPackage Include="${apt_packages// /;}" />
    <MlEnvPipWheel Include="wheels/*.whl" />
    <MlEnvLabel Include="org.mlenv-bench.run" Value="$4" />
  </ItemGroup>
</Project>
XML
}
