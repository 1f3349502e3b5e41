using System.Text;
using MlEnv.Definition;

namespace MlEnv.Generation;

/// <summary>What the generator produces: the Dockerfile and the context files it uses.</summary>
public sealed record GeneratedBuild(string Dockerfile, IReadOnlyList<ContextFile> Files);

/// <summary>
/// Writes the layered Dockerfile. One layer per dependency kind, least-changing first: base → apt → environment
/// creation → conda packages → pip packages → private wheels → variables and labels. Each layer COPYs only its own
/// files, so a change to pip packages leaves every earlier layer cached. Every argument is shell-quoted.
/// </summary>
public static class DockerfileGenerator
{
    public const string VenvPath = "/opt/mlenv/venv";
    public const string CondaPrefix = "/opt/mlenv/env";
    public const string PythonMismatchMarker = "MLENV-PYTHON-MISMATCH";

    public const string UsernameArg = "MLENV_PIP_INDEX_USERNAME";
    public const string PasswordArg = "MLENV_PIP_INDEX_PASSWORD";
    private const string SystemStage = "mlenv-system";
    private const string PackagesStage = "mlenv-packages";

    /// <summary>
    /// With <paramref name="indexCredentials"/>, python packages are installed in a separate stage that receives the
    /// index credentials as build arguments (written to a $HOME/.netrc that the same RUN deletes), and the final image
    /// copies only the installed environment from it: the credentials never reach the final image's layers or history.
    /// The Dockerfile itself never holds them.
    /// </summary>
    public static GeneratedBuild Generate(EnvironmentDefinition d, bool indexCredentials = false)
    {
        var files = new List<ContextFile>();
        var df = new StringBuilder();
        bool staged = indexCredentials && d.Manager != EnvironmentManager.UserManaged && d.PipIndex.IndexUrl is not null && d.Base.Image is not null;

        if (d.Base.Dockerfile is { } baseDockerfile)
        {
            df.Append(baseDockerfile.Replace("\r\n", "\n"));
            if (!baseDockerfile.EndsWith('\n')) df.Append('\n');
            df.Append("# MlEnv layers follow the base Dockerfile.\n");
        }
        else
        {
            df.Append("FROM ").Append(d.Base.Image).Append(staged ? $" AS {SystemStage}" : "").Append('\n');
        }
        if (d.UsesConda || d.AptPackages.Count > 0) df.Append("USER root\n");

        if (d.AptPackages.Count > 0)
        {
            df.Append("RUN apt-get update \\\n")
              .Append(" && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ")
              .AppendJoin(' ', d.AptPackages.Select(a => Shell.Quote(a.Argument))).Append(" \\\n")
              .Append(" && rm -rf /var/lib/apt/lists/*\n");
        }

        var environmentLines = new StringBuilder();
        if (staged)
        {
            df.Append($"FROM {SystemStage} AS {PackagesStage}\n")
              .Append($"ARG {UsernameArg}\nARG {PasswordArg}\n");
        }
        // On a referenced project's image the environment exists already (its ENV lines come with the image):
        // this one only adds packages to it.
        switch (d.Manager)
        {
            case EnvironmentManager.Venv when d.Parent is null:
                WriteVenv(d, df, environmentLines);
                break;
            case EnvironmentManager.Conda:
                WriteConda(d, df, files, environmentLines);
                break;
        }

        if (d.Manager != EnvironmentManager.UserManaged)
        {
            var pipOptions = PipIndexArguments(d.PipIndex);
            var pip = staged ? WithNetrc(new Uri(d.PipIndex.IndexUrl!).Host, "python -m pip install") : "python -m pip install";
            if (d.PipPackages.Count > 0)
            {
                files.Add(ContextFile.Text("requirements.txt", RequirementsText(d)));
                df.Append("COPY requirements.txt /tmp/mlenv/requirements.txt\n");
                if (d.PipConstraints.Count > 0)
                {
                    files.Add(ContextFile.Text("constraints.txt", string.Join('\n', d.PipConstraints) + "\n"));
                    df.Append("COPY constraints.txt /tmp/mlenv/constraints.txt\n");
                }
                df.Append($"RUN {pip} --no-cache-dir --disable-pip-version-check --no-input -r /tmp/mlenv/requirements.txt \\\n")
                  .Append(" && rm -rf /tmp/mlenv\n");
            }
            if (d.Wheels.Count > 0)
            {
                foreach (var w in d.Wheels) files.Add(ContextFile.FromDisk("wheels/" + w.FileName, w.SourcePath));
                df.Append("COPY wheels/ /tmp/mlenv/wheels/\n")
                  .Append($"RUN {pip} --no-cache-dir --disable-pip-version-check --no-input")
                  .Append(pipOptions.Count > 0 ? " " + string.Join(' ', pipOptions) : "")
                  .Append(' ').AppendJoin(' ', d.Wheels.Select(w => Shell.Quote("/tmp/mlenv/wheels/" + w.FileName))).Append(" \\\n")
                  .Append(" && rm -rf /tmp/mlenv\n");
            }
        }

        if (staged)
        {
            df.Append($"FROM {SystemStage}\n")
              .Append($"COPY --from={PackagesStage} /opt/mlenv /opt/mlenv\n")
              .Append(environmentLines);
        }

        if (d.Variables.Count > 0)
            df.Append("ENV ").AppendJoin(" \\\n    ", d.Variables.Select(v => $"{Shell.DockerfileValue(v.Key)}={Shell.DockerfileValue(v.Value)}")).Append('\n');
        if (d.Labels.Count > 0)
            df.Append("LABEL ").AppendJoin(" \\\n      ", d.Labels.Select(l => $"{Shell.DockerfileValue(l.Key)}={Shell.DockerfileValue(l.Value)}")).Append('\n');

        var dockerfile = df.ToString();
        files.Add(ContextFile.Text("Dockerfile", dockerfile));
        return new GeneratedBuild(dockerfile, files);
    }

    /// <summary>
    /// Runs <paramref name="command"/> with a ~/.netrc for the index host built from the credential build arguments,
    /// removed in the same RUN whatever the command's outcome: pip sends the credentials, logs the URL without them.
    /// </summary>
    private static string WithNetrc(string host, string command) =>
        $"umask 077 && printf 'machine %s login %s password %s\\n' {Shell.Quote(host)} \"${UsernameArg}\" \"${PasswordArg}\" > $HOME/.netrc \\\n" +
        $" && trap 'rm -f $HOME/.netrc' EXIT && {command}";

    private static void WriteVenv(EnvironmentDefinition d, StringBuilder df, StringBuilder environmentLines)
    {
        var create = $"python3 -m venv {VenvPath}";
        if (d.PythonVersion is { } want)
        {
            // The version was validated as digits and dots, so it can sit inside the quoted program.
            create = "python3 -c 'import platform, sys; have = platform.python_version(); want = \"" + want + "\"; "
                + "ok = (have + \".\").startswith(want + \".\"); "
                + "ok or print(\"" + PythonMismatchMarker + ": the base image has Python \" + have + \", the definition wants \" + want); "
                + "sys.exit(0 if ok else 1)' \\\n && " + create;
        }
        df.Append("RUN ").Append(create).Append('\n');
        environmentLines.Append($"ENV VIRTUAL_ENV={VenvPath} PATH={VenvPath}/bin:$PATH\n");
        df.Append(environmentLines);
    }

    private static void WriteConda(EnvironmentDefinition d, StringBuilder df, List<ContextFile> files, StringBuilder environmentLines)
    {
        var exe = d.CondaExecutable;
        if (d.Parent is null)
        {
            var create = new List<string>();
            if (d.PythonVersion is { } python) create.Add("python=" + python);
            else if (d.HasPip) create.Add("python");
            if (d.HasPip) create.Add("pip");
            df.Append($"RUN {exe} create -y -p {CondaPrefix}")
              .Append(string.Concat(d.CondaChannels.Select(c => " -c " + Shell.Quote(c))))
              .Append(create.Count > 0 ? " " + string.Join(' ', create.Select(Shell.Quote)) : "")
              .Append($" \\\n && {exe} clean -a -y\n");
            environmentLines.Append($"ENV CONDA_PREFIX={CondaPrefix} PATH={CondaPrefix}/bin:$PATH\n");
            df.Append(environmentLines);
        }

        if (d.CondaPackages.Count == 0) return;
        files.Add(ContextFile.Text("environment.yml", EnvironmentYaml(d)));
        var install = exe == "micromamba" ? $"{exe} install -y -p {CondaPrefix} -f /tmp/mlenv/environment.yml" : $"{exe} env update -p {CondaPrefix} -f /tmp/mlenv/environment.yml";
        df.Append("COPY environment.yml /tmp/mlenv/environment.yml\n")
          .Append($"RUN {install} \\\n && {exe} clean -a -y && rm -rf /tmp/mlenv\n");
    }

    /// <summary>The generated environment.yml: channels in order and canonical specs, quoted for YAML.</summary>
    /// <param name="includePip">Also list the pip requirements under "pip:", for a file meant to recreate the whole environment.</param>
    public static string EnvironmentYaml(EnvironmentDefinition d, bool includePip = false)
    {
        var sb = new StringBuilder();
        sb.Append("# Generated by MlEnv from the canonical definition; edits here are not read back.\n");
        sb.Append("channels:\n");
        foreach (var c in d.CondaChannels) sb.Append("  - ").Append(YamlQuote(c)).Append('\n');
        sb.Append("dependencies:\n");
        if (d.PythonVersion is { } python) sb.Append("  - ").Append(YamlQuote("python=" + python)).Append('\n');
        foreach (var p in d.CondaPackages) sb.Append("  - ").Append(YamlQuote(p.Spec)).Append('\n');
        if (includePip && d.PipPackages.Count > 0)
        {
            sb.Append("  - \"pip\"\n  - pip:\n");
            foreach (var p in d.PipPackages) sb.Append("      - ").Append(YamlQuote(p.Requirement)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The generated requirements.txt: index options, constraints, then canonical requirements with hashes.</summary>
    public static string RequirementsText(EnvironmentDefinition d)
    {
        var sb = new StringBuilder();
        sb.Append("# Generated by MlEnv from the canonical definition; edits here are not read back.\n");
        foreach (var o in PipIndexArguments(d.PipIndex, quote: false)) sb.Append(o).Append('\n');
        if (d.PipConstraints.Count > 0) sb.Append("-c constraints.txt\n");
        foreach (var p in d.PipPackages)
        {
            // The builder only lets through lines pip reads back as written; a definition read from a store or a
            // label did not pass it, so each line is checked again rather than trusted.
            var problem = Specs.PipLine.LineProblem(p.Requirement)
                ?? p.Hashes.Where(h => !Specs.PipLine.IsHash(h)).Select(h => $"'{h}' is not a hash").FirstOrDefault();
            if (problem is not null)
                throw new InvalidDataException($"The definition's pip requirement '{Specs.PipLine.Redact(p.Requirement)}' cannot be written to requirements.txt: {problem}.");
            sb.Append(p.Requirement);
            foreach (var h in p.Hashes) sb.Append(" --hash=").Append(h);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static List<string> PipIndexArguments(PipIndex index, bool quote = true)
    {
        string Q(string s) => quote ? Shell.Quote(s) : s;
        var args = new List<string>();
        if (index.IndexUrl is { } url) args.Add("--index-url " + Q(url));
        args.AddRange(index.ExtraIndexUrls.Select(u => "--extra-index-url " + Q(u)));
        args.AddRange(index.FindLinks.Select(u => "--find-links " + Q(u)));
        if (index.Pre) args.Add("--pre");
        return args;
    }

    /// <summary>
    /// A YAML double-quoted scalar. Validation keeps control characters out of every value; should one arrive, it is
    /// written as a \uXXXX escape, since YAML folds a raw line break inside quotes into a space and reads NEL, LS and
    /// PS as line breaks.
    /// </summary>
    private static string YamlQuote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            if (c is '\\' or '"') sb.Append('\\').Append(c);
            else if (Definition.TextRules.IsForbidden(c)) sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
