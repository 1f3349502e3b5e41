using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>
/// Resolves what a project declares (items, spec files, wheels, an existing conda prefix) into one canonical
/// <see cref="EnvironmentDefinition"/>. Every value is validated here, before it can reach a Dockerfile.
/// </summary>
public static partial class DefinitionBuilder
{
    // Every pattern ends with \z: '$' also matches before a final line break, which would let "NAME\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,127}\z")] private static partial Regex EnvironmentName();
    [GeneratedRegex(@"^[0-9]+\.[0-9]+(\.[0-9]+)?\z")] private static partial Regex PythonVersionRegex();
    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.-]+\z")] private static partial Regex AptName();
    [GeneratedRegex(@"^[A-Za-z0-9.+~:*-]+\z")] private static partial Regex AptVersion();
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")] private static partial Regex VariableName();
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/-]*\z")] private static partial Regex LabelKey();
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.+-]*\z")] private static partial Regex Executable();
    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_.]+)-(?<version>[A-Za-z0-9_.!+]+)(-[0-9][A-Za-z0-9_.]*)?-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+\.whl\z")]
    private static partial Regex WheelName();
    [GeneratedRegex(@"^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?\z")]
    private static partial Regex ImageReference();

    /// <summary>Docker's limits (distribution/reference): a repository name of at most 255 characters, a tag of at most 128.</summary>
    public const int MaxImageNameLength = 255;
    public const int MaxImageTagLength = 128;
    /// <summary>A base Dockerfile is read whole (it becomes part of the generated one): larger ones are refused.</summary>
    public const long MaxBaseDockerfileBytes = 1024 * 1024;

    /// <summary>MAJOR.MINOR or MAJOR.MINOR.PATCH in ASCII digits.</summary>
    public static bool IsValidPythonVersion(string version) => PythonVersionRegex().IsMatch(version);

    /// <summary>A command name that can stand unquoted in a RUN line.</summary>
    public static bool IsValidExecutable(string name) => Executable().IsMatch(name);

    /// <summary>An environment name: it names images, registry repositories and store folders.</summary>
    public static bool IsValidEnvironmentName(string name) => EnvironmentName().IsMatch(name);

    public static bool IsValidImageReference(string image) => ImageReferenceLengthProblem(image) is null && ImageReference().IsMatch(image);

    /// <summary>Why <paramref name="image"/> exceeds Docker's length limits, or null. Checked before the pattern, which then runs on bounded input.</summary>
    public static string? ImageReferenceLengthProblem(string image)
    {
        var rest = image;
        var digest = rest.IndexOf('@');
        if (digest >= 0) rest = rest[..digest];
        var slash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        var (name, tag) = colon > slash ? (rest[..colon], rest[(colon + 1)..]) : (rest, "");
        if (name.Length > MaxImageNameLength) return $"the repository name has {name.Length} characters; Docker allows at most {MaxImageNameLength}";
        if (tag.Length > MaxImageTagLength) return $"the tag has {tag.Length} characters; Docker allows at most {MaxImageTagLength}";
        if (image.Length - rest.Length > 1 + "sha256:".Length + 64) return "the digest is longer than a sha256 digest";
        return null;
    }

    private static void CheckImage(string image, Action<Diagnostic> report)
    {
        if (ImageReferenceLengthProblem(image) is { } tooLong) report(DiagnosticCatalog.ImageReferenceTooLong.Create(Shorten(TextRules.Visible(image)), tooLong));
        else if (!ImageReference().IsMatch(image)) report(DiagnosticCatalog.InvalidImageReference.Create(TextRules.Visible(image)));
    }

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";

    public static DefinitionResult Build(DefinitionInputs inputs, bool allowReservedName = false)
    {
        // The readers check what a path is before they open it; a file that exists but this user may not read (or that
        // another process locks) still fails on open: one coded error instead of a stack trace from any of them.
        try { return BuildCore(inputs, allowReservedName); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var at = inputs.Project;
            return new DefinitionResult(null, [DiagnosticCatalog.FileUnreadable.Create("an input file", TextRules.Visible(e.Message)).At(at.File, at.Line, at.Column)], null, []);
        }
    }

    private static DefinitionResult BuildCore(DefinitionInputs inputs, bool allowReservedName)
    {
        var diagnostics = new List<Diagnostic>();
        var readFiles = new SortedSet<string>(StringComparer.Ordinal);
        var project = inputs.Project;
        void Report(Diagnostic d, SourceLocation at) => diagnostics.Add(d.At(at.File ?? project.File, at.File is null ? project.Line : at.Line, at.File is null ? project.Column : at.Column));

        // Name: never hashed, but it names images, so it is validated like one.
        if (!EnvironmentName().IsMatch(inputs.Name)) Report(DiagnosticCatalog.InvalidName.Create(Shorten(TextRules.Visible(inputs.Name))), project);
        else if (!allowReservedName && inputs.Name.StartsWith("mlenv-", StringComparison.Ordinal)) Report(DiagnosticCatalog.ReservedName.Create(inputs.Name), project);

        var python = string.IsNullOrWhiteSpace(inputs.PythonVersion) ? null : inputs.PythonVersion.Trim();
        if (python is not null && !PythonVersionRegex().IsMatch(python)) Report(DiagnosticCatalog.InvalidPythonVersion.Create(Shorten(TextRules.Visible(python))), project);

        // Read spec files and existing environments: they add to what the items say.
        var conda = new CondaEnvironment();
        foreach (var file in inputs.CondaSpecifications) Merge(conda, CondaEnvironmentFile.Read(file, diagnostics, readFiles));
        foreach (var prefix in inputs.ExistingCondaEnvironments) Merge(conda, CondaPrefixReader.Read(prefix, diagnostics, readFiles));
        var pip = new PipInputs();
        foreach (var file in inputs.PipRequirements) pip.AddRange(RequirementsFile.Read(file, diagnostics, readFiles));
        pip.AddRange(conda.Pip);

        // Conda channels: order matters to the solver; items first, then files, each once.
        var channels = new List<string>();
        foreach (var (channel, source) in inputs.CondaChannels.Concat(conda.Channels))
        {
            if (ChannelProblem(channel) is { } problem) Report(problem, source);
            else if (!channels.Contains(channel)) channels.Add(channel);
        }

        // Conda packages.
        var condaSpecs = new List<CondaPackageInput>();
        foreach (var item in inputs.CondaPackages)
        {
            // A bare version reads as in environment.yml ("numpy=1.26" matches 1.26.*); operators and globs pass through.
            var version = item.Version?.Trim() is { Length: > 0 } v ? (char.IsAsciiDigit(v[0]) && !v.Contains(' ') ? "=" + v : " " + v) : "";
            var build = item.Build?.Trim() is { Length: > 0 } b ? (version.Length == 0 ? " * " : version.StartsWith('=') ? "=" : " ") + b : "";
            var text = (item.Channel?.Trim() is { Length: > 0 } c ? c + "::" : "") + item.Name.Trim() + version + build;
            if (item.Channel?.Trim() is { Length: > 0 } itemChannel && ChannelProblem(itemChannel) is { } problem) Report(problem, item.Source);
            else if (MatchSpec.TryParse(text, out var spec, out var error)) condaSpecs.Add(new CondaPackageInput(spec, item.Source));
            else Report(DiagnosticCatalog.InvalidMatchSpec.Create(Redact(TextRules.Visible(text)), error is null ? null : Redact(TextRules.Visible(error))), item.Source);
        }
        condaSpecs.AddRange(conda.Packages);
        var condaPackages = MergeCondaSpecs(condaSpecs, diagnostics)
            .Select(c => new CondaPackage(c.Spec.NormalizedName, c.Spec.ToString())).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

        // Pip packages from items.
        foreach (var item in inputs.PipPackages)
        {
            // Checked before trimming: a trailing line break is refused, not quietly dropped.
            if (new[] { item.Name, item.Version, item.Extras, item.Markers }.FirstOrDefault(f => f is not null && PipLine.IndexOfForbidden(f) >= 0) is { } raw)
            {
                Report(RequirementsFile.Refusal(raw, $"it contains the control character {PipLine.Describe(raw[PipLine.IndexOfForbidden(raw)])}", RequirementErrorKind.ControlCharacter), item.Source);
                continue;
            }
            var text = item.Name.Trim();
            if (item.Extras is { Length: > 0 } extras) text += "[" + extras.Trim().Trim('[', ']') + "]";
            if (item.Version is { Length: > 0 } version)
            {
                var v = version.Trim();
                text += Regex.IsMatch(v, @"^[0-9]") ? "==" + v : v;
            }
            // A space before ";" ends a URL for pip; PEP 508 allows it after a version too.
            if (item.Markers is { Length: > 0 } markers) text += " ; " + markers;
            if (Pep508Requirement.TryParse(text, out var requirement, out var error, out _, out var kind))
                pip.Requirements.Add(new PipRequirementInput(requirement, [], item.Source));
            else
                Report(RequirementsFile.Refusal(text, error, kind), item.Source);
        }
        var mergedPip = MergePip(pip.Requirements, diagnostics);
        var pipPackages = mergedPip
            .Select(r => new PipPackage(r.Requirement.NormalizedName, r.Requirement.ToCanonicalString(), r.Hashes))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        // Pointed at the first requirement without a hash, in whichever file or item it came from.
        if (mergedPip.Any(r => r.Hashes.Count > 0) && mergedPip.FirstOrDefault(r => r.Hashes.Count == 0) is { } unhashed)
            Report(DiagnosticCatalog.PartialHashes.Create(unhashed.Requirement.ToCanonicalString()), unhashed.Source);
        var constraints = pip.Constraints.Select(c => c.Requirement.ToCanonicalString()).Distinct().Order(StringComparer.Ordinal).ToList();

        // Index configuration: credentials are split off here and never enter the definition.
        var credentials = inputs.PipCredentials;
        string? indexUrl = null;
        var indexCandidates = new List<(string Url, SourceLocation Source)>();
        if (!string.IsNullOrWhiteSpace(inputs.PipIndexUrl)) indexCandidates.Add((inputs.PipIndexUrl.Trim(), project));
        indexCandidates.AddRange(pip.IndexUrls);
        for (var i = 0; i < indexCandidates.Count; i++)
        {
            var (url, source) = indexCandidates[i];
            // The build takes index credentials from MlEnvPipIndexUrl or the environment only: userinfo in a file's
            // --index-url would be stripped here and never reach the build, a credential silently dropped.
            var fromFile = i >= indexCandidates.Count - pip.IndexUrls.Count;
            var clean = fromFile
                ? CleanUrlWithoutCredentials(url, source, "index URL in a requirements or environment file", $"set it as MlEnvPipIndexUrl, or pass the credentials through {IndexCredentials.UsernameVariable} and {IndexCredentials.PasswordVariable}")
                : CleanUrl(url, source, out _);
            if (clean is null) continue;
            if (!fromFile && IndexCredentials.FromUrl(url) is { } found) credentials ??= found;
            if (indexUrl is null) indexUrl = clean;
            else if (indexUrl != clean) Report(DiagnosticCatalog.InvalidIndexUrl.Create(clean, $"a second index URL; '{indexUrl}' is already the index (use an extra index URL)"), source);
        }
        var extraIndexUrls = inputs.PipExtraIndexUrls.Concat(pip.ExtraIndexUrls).Select(u => CleanSecondaryUrl(u.Url, u.Source, "extra index URL")).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        var findLinks = inputs.PipFindLinks.Concat(pip.FindLinks).Select(u => CleanSecondaryUrl(u.Url, u.Source, "find-links URL")).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();

        // Private wheels: identified by name and bytes.
        var wheels = new List<WheelFile>();
        foreach (var path in inputs.PipWheels)
        {
            var fileName = Path.GetFileName(path);
            var at = new SourceLocation(project.File, project.Line, project.Column);
            if (!WheelName().IsMatch(fileName)) { Report(DiagnosticCatalog.InvalidWheel.Create(TextRules.Visible(path), "not a wheel file name (name-version-python-abi-platform.whl)"), at); continue; }
            if (InputFiles.Problem(path) is { } notAFile) { Report(notAFile, at); continue; }
            readFiles.Add(Path.GetFullPath(path));
            if (WheelArchive.Problem(path) is { } notAZip) { Report(DiagnosticCatalog.InvalidWheel.Create(path, notAZip), at); continue; }
            string sha;
            long size;
            using (var stream = File.OpenRead(path))
            {
                sha = Convert.ToHexStringLower(SHA256.HashData(stream));
                size = stream.Length;
            }
            var wheel = new WheelFile(fileName, sha, size, Path.GetFullPath(path));
            var same = wheels.FirstOrDefault(w => w.FileName == fileName);
            if (same is null) wheels.Add(wheel);
            else if (same.Sha256 != sha) Report(DiagnosticCatalog.ConflictingSpecs.Create(fileName, same.SourcePath, wheel.SourcePath), at);
        }
        wheels.Sort((a, b) => string.CompareOrdinal(a.FileName, b.FileName));

        // System packages.
        var apt = new List<AptPackage>();
        foreach (var item in inputs.AptPackages)
        {
            var name = item.Name.Trim();
            var version = string.IsNullOrWhiteSpace(item.Version) ? null : item.Version.Trim();
            if (!AptName().IsMatch(name)) { Report(DiagnosticCatalog.InvalidAptPackage.Create(Shorten(TextRules.Visible(name)), "a Debian package name has lower-case letters, digits, '+', '-' and '.'"), item.Source); continue; }
            if (version is not null && !AptVersion().IsMatch(version)) { Report(DiagnosticCatalog.InvalidAptPackage.Create(name, $"'{Shorten(TextRules.Visible(version))}' is not a Debian version"), item.Source); continue; }
            var existing = apt.FirstOrDefault(a => a.Name == name);
            if (existing is null) apt.Add(new AptPackage(name, version));
            else if (existing.Version != version) Report(DiagnosticCatalog.ConflictingSpecs.Create(name, existing.Argument, new AptPackage(name, version).Argument), item.Source);
        }
        apt.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var variables = NamedValues(inputs.Variables.Concat(conda.Variables.Select(v => new NamedValueItem(v.Name, v.Value, v.Source))), VariableName(), DiagnosticCatalog.InvalidVariable, "The value of environment variable", reservedPrefix: null, Report);
        var labels = NamedValues(inputs.Labels, LabelKey(), DiagnosticCatalog.InvalidLabel, "The value of label", reservedPrefix: "org.mlenv.", Report);

        // Base: an image or a Dockerfile, never both.
        var customImage = string.IsNullOrWhiteSpace(inputs.BaseImage) ? null : inputs.BaseImage.Trim();
        var gpuImage = string.IsNullOrWhiteSpace(inputs.GpuBaseImage) ? null : inputs.GpuBaseImage.Trim();
        foreach (var image in new[] { customImage, gpuImage, inputs.BaseImageRegistry?.Trim() is { Length: > 0 } r ? r + "/x" : null })
            if (image is not null) CheckImage(image, d => Report(d, project));
        var (dockerfile, dockerfileSha) = ReadBaseDockerfile(inputs.BaseDockerfile, customImage, project, readFiles, Report);

        var parent = inputs.Parent;
        if (parent is not null)
        {
            var from = parent.Definition;
            // The referenced project's repository becomes this Dockerfile's FROM line: it is a value like any other.
            CheckImage(parent.Environment.Image, d => Report(d, project));
            // Its python version and conda executable are written into this Dockerfile too; they come from a file.
            if (from.PythonVersion is { } parentPython && !PythonVersionRegex().IsMatch(parentPython)) Report(DiagnosticCatalog.InvalidPythonVersion.Create(Shorten(TextRules.Visible(parentPython))), project);
            if (!Executable().IsMatch(from.CondaExecutable)) Report(DiagnosticCatalog.InvalidExecutable.Create(Shorten(TextRules.Visible(from.CondaExecutable)), "a command name of letters, digits, '_', '.', '+' and '-'"), project);
            void Conflict(string why) => Report(DiagnosticCatalog.ParentConflict.Create(parent.Environment.Name, why), project);
            if (python is not null && from.PythonVersion is { } inherited && !(inherited + ".").StartsWith(python + ".", StringComparison.Ordinal) && !(python + ".").StartsWith(inherited + ".", StringComparison.Ordinal))
                Conflict($"it has Python {inherited} and this project asks for Python {python}");
            if ((condaPackages.Count > 0 || channels.Count > 0) && from.Manager != EnvironmentManager.Conda)
                Conflict("it is not a conda environment, so this project cannot add conda packages to it");
            if (from.Manager == EnvironmentManager.UserManaged && (pipPackages.Count > 0 || wheels.Count > 0))
                Conflict("its dependencies are user-managed, so this project cannot add pip packages or wheels to it");
            python = from.PythonVersion ?? python;
        }

        var executable = string.IsNullOrWhiteSpace(inputs.CondaExecutable) ? "micromamba" : inputs.CondaExecutable.Trim();
        if (!Executable().IsMatch(executable)) Report(DiagnosticCatalog.InvalidExecutable.Create(Shorten(TextRules.Visible(executable)), "a command name of letters, digits, '_', '.', '+' and '-'"), project);

        bool userManaged = inputs.UserManagedDependencies;
        if (userManaged)
        {
            var count = condaPackages.Count + pipPackages.Count + wheels.Count;
            if (count > 0) Report(DiagnosticCatalog.UserManagedIgnoresPackages.Create(count), project);
            condaPackages.Clear(); pipPackages.Clear(); wheels.Clear(); channels.Clear(); constraints.Clear();
        }

        if (diagnostics.Any(d => d.IsError)) return new DefinitionResult(null, diagnostics, credentials, readFiles);

        var draft = new EnvironmentDefinition
        {
            Name = inputs.Name,
            PythonVersion = python,
            Base = BaseSpec.FromImage("pending"),
            CondaChannels = channels,
            CondaPackages = condaPackages,
            CondaExecutable = executable,
            PipIndex = new PipIndex(indexUrl, extraIndexUrls, findLinks, pip.Pre || inputs.PipPre),
            PipPackages = pipPackages,
            PipConstraints = constraints,
            Wheels = wheels,
            AptPackages = apt,
            Variables = variables,
            Labels = labels,
            UserManagedDependencies = userManaged,
        };

        // GPU: an explicit setting wins; "auto" follows the packages.
        var gpuSetting = string.IsNullOrWhiteSpace(inputs.Gpu) ? "auto" : inputs.Gpu.Trim().ToLowerInvariant();
        bool gpu;
        switch (gpuSetting)
        {
            case "auto": gpu = GpuDetection.Reasons(draft).Count > 0; break;
            case "true": gpu = true; break;
            case "false": gpu = false; break;
            default: Report(DiagnosticCatalog.InvalidGpu.Create(inputs.Gpu), project); return new DefinitionResult(null, diagnostics, credentials, readFiles);
        }

        if (parent is not null)
        {
            // A base equal to the parent's own (a Directory.Build.props shared by both projects) says nothing new;
            // the base this project would pick for itself is compared, as the selection below picks it.
            var own = dockerfile is not null ? "the base Dockerfile " + inputs.BaseDockerfile
                : (gpu || parent.Definition.Gpu) && gpuImage is not null ? gpuImage : customImage;
            var same = dockerfile is not null ? dockerfileSha == parent.Definition.Base.DockerfileSha256 : own == parent.Definition.Base.Image;
            if (own is not null && !same)
            {
                Report(DiagnosticCatalog.ParentConflict.Create(parent.Environment.Name,
                    $"this project also sets a base ({own}) other than the one that environment is built on ({parent.Definition.Base.Image ?? "a base Dockerfile"}); remove MlEnvBaseImage, MlEnvGpuBaseImage or MlEnvBaseDockerfile"), project);
                return new DefinitionResult(null, diagnostics, credentials, readFiles);
            }
            return new DefinitionResult(draft with
            {
                Base = BaseSpec.FromImage(parent.Environment.Image),
                Gpu = gpu || parent.Definition.Gpu,
                Manager = parent.Definition.Manager,
                CondaExecutable = parent.Definition.CondaExecutable,
                UserManagedDependencies = parent.Definition.UserManagedDependencies,
                Parent = parent.Environment,
            }, diagnostics, credentials, readFiles);
        }

        var manager = userManaged ? EnvironmentManager.UserManaged
            : BaseImages.ManagerFor(condaPackages.Count > 0 || channels.Count > 0, gpu, customImage is not null || dockerfile is not null || (gpu && gpuImage is not null)) == BaseImages.Kind.Conda
                ? EnvironmentManager.Conda : EnvironmentManager.Venv;

        BaseSpec baseSpec;
        if (dockerfile is not null) baseSpec = new BaseSpec(null, dockerfile, dockerfileSha);
        else if (gpu && gpuImage is not null) baseSpec = BaseSpec.FromImage(gpuImage);
        else if (customImage is not null) baseSpec = BaseSpec.FromImage(customImage);
        else
        {
            var kind = manager == EnvironmentManager.Conda ? BaseImages.Kind.Conda : BaseImages.Kind.PythonVenv;
            var image = BaseImages.Default(kind, gpu, python, inputs.BaseImageRegistry?.Trim(), out var error);
            if (image is null)
            {
                Report(DiagnosticCatalog.PythonVersionUnavailable.Create(python, "python:<version>-slim", error), project);
                return new DefinitionResult(null, diagnostics, credentials, readFiles);
            }
            // A registry prefix that is valid alone can still make the whole reference too long for Docker.
            var problems = diagnostics.Count;
            CheckImage(image, d => Report(d, project));
            if (diagnostics.Count > problems) return new DefinitionResult(null, diagnostics, credentials, readFiles);
            baseSpec = BaseSpec.FromImage(image);
        }

        return new DefinitionResult(draft with { Base = baseSpec, Gpu = gpu, Manager = manager }, diagnostics, credentials, readFiles);

        // Credentials reach the build only for the index host (a netrc entry in the packages stage): an extra index or
        // find-links URL with credentials is fine when they are those very credentials for that host, which the
        // netrc covers; any other credential would be dropped, and a dropped credential is never silent.
        string? CleanSecondaryUrl(string url, SourceLocation source, string what)
        {
            if (CleanUrl(url, source, out var userInfo, "The " + what) is not { } clean) return null;
            if (userInfo is null) return clean;
            bool covered = indexUrl is not null && userInfo == credentials &&
                string.Equals(new Uri(indexUrl).Host, new Uri(clean).Host, StringComparison.OrdinalIgnoreCase);
            if (!covered) Report(DiagnosticCatalog.CredentialsInUrl.Create(what, Redact(TextRules.Visible(url)), $"credentials go only to the index host (MlEnvPipIndexUrl), through {IndexCredentials.UsernameVariable} and {IndexCredentials.PasswordVariable}; remove them from this URL, or serve the packages from the index host"), source);
            return clean;
        }

        string? CleanUrlWithoutCredentials(string url, SourceLocation source, string what, string instead)
        {
            if (IndexCredentials.FromUrl(url) is not null)
            {
                Report(DiagnosticCatalog.CredentialsInUrl.Create(what, Redact(TextRules.Visible(url)), instead), source);
                return null;
            }
            return CleanUrl(url, source, out _, "The " + what);
        }

        string? CleanUrl(string url, SourceLocation source, out PipCredentials? userInfo, string what = "The package index URL")
        {
            userInfo = null;
            if (TextRules.FirstForbidden(url) >= 0)
            {
                Report(TextRules.Check(what, url, Redact)!, source);
                return null;
            }
            if (PipLine.SecretParameter(url) is { } parameter)
            {
                Report(DiagnosticCatalog.CredentialsInUrl.Create(what.StartsWith("The ", StringComparison.Ordinal) ? what[4..] : what, Redact(TextRules.Visible(url.Split('?', '#')[0])) + "?…",
                    $"its '{parameter}=' parameter is a credential; give index credentials through {IndexCredentials.UsernameVariable} and {IndexCredentials.PasswordVariable}"), source);
                return null;
            }
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || url.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '`' or '\\'))
            {
                Report(DiagnosticCatalog.InvalidIndexUrl.Create(Redact(url), "an absolute http(s) URL is required"), source);
                return null;
            }
            if (IndexCredentials.FromUrl(url) is { } found)
            {
                userInfo = found;
                return new UriBuilder(uri) { UserName = "", Password = "" }.Uri.AbsoluteUri;
            }
            return uri.AbsoluteUri;
        }
    }

    /// <summary>A URL with its userinfo masked, for messages, whatever the userinfo holds (spaces, '/', '@', %-escapes).</summary>
    public static string Redact(string url) => PipLine.Redact(url);

    private static string PipKey(Pep508Requirement r) => r.NormalizedName + (r.Marker is null ? "" : ";" + r.Marker);

    /// <summary>
    /// One requirement per package and marker, as pip combines repeated requirements: extras and specifier clauses
    /// are joined ("pip" and "pip==20.3.4" are "pip==20.3.4"). Two different pins (or URLs, or hash lists) for one
    /// package cannot both hold: MLENV1010 at the second.
    /// </summary>
    private static List<PipRequirementInput> MergePip(IEnumerable<PipRequirementInput> inputs, List<Diagnostic> diagnostics)
    {
        var merged = new Dictionary<string, PipRequirementInput>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var key = PipKey(input.Requirement);
            if (!merged.TryGetValue(key, out var first)) { merged[key] = input; continue; }
            if (MergeTwo(first, input) is { } both) { merged[key] = both; continue; }
            var at = input.Source;
            diagnostics.Add(DiagnosticCatalog.ConflictingSpecs.Create(key, Describe(first), Describe(input)).At(at.File, at.Line, at.Column));
        }
        return merged.Values.ToList();

        static string Describe(PipRequirementInput r) => Redact(r.Requirement.ToCanonicalString()) + string.Concat(r.Hashes.Select(h => " --hash=" + h));
    }

    private static PipRequirementInput? MergeTwo(PipRequirementInput a, PipRequirementInput b)
    {
        var (x, y) = (a.Requirement, b.Requirement);
        if (x.ToCanonicalString() == y.ToCanonicalString() && a.Hashes.SequenceEqual(b.Hashes)) return a;
        if (a.Hashes.Count > 0 && b.Hashes.Count > 0 && !a.Hashes.SequenceEqual(b.Hashes)) return null;
        var hashes = a.Hashes.Count > 0 ? a.Hashes : b.Hashes;
        var extras = x.Extras.Concat(y.Extras).ToList();
        if (x.Url is not null || y.Url is not null)
        {
            // A URL is a pin: it merges only with the same URL, or with a requirement that asks for no version.
            if (x.Url is not null && y.Url is not null && x.Url != y.Url) return null;
            if ((x.Url is null && !x.Specifier.IsEmpty) || (y.Url is null && !y.Specifier.IsEmpty)) return null;
            return a with { Requirement = x with { Extras = extras, Url = x.Url ?? y.Url, Specifier = Pep440SpecifierSet.Any }, Hashes = hashes };
        }
        var clauses = x.Specifier.Clauses.Concat(y.Specifier.Clauses).ToList();
        var specifier = Pep440SpecifierSet.FromClauses(clauses);
        var pins = specifier.ToCanonicalString().Split(',').Count(c => c.StartsWith("==", StringComparison.Ordinal) && !c.EndsWith(".*", StringComparison.Ordinal));
        if (pins > 1) return null;
        return a with { Requirement = x with { Extras = extras, Specifier = specifier }, Hashes = hashes };
    }

    /// Conda accepts one package listed twice when the specs agree (a real environment.yml lists both "pip" and
    /// "pip=20.3.4"): each part (channel, version, build) given on one side only is taken; two different values conflict.
    /// </summary>
    private static List<CondaPackageInput> MergeCondaSpecs(IEnumerable<CondaPackageInput> specs, List<Diagnostic> diagnostics)
    {
        var merged = new Dictionary<string, CondaPackageInput>(StringComparer.Ordinal);
        foreach (var item in specs)
        {
            var key = item.Spec.NormalizedName;
            if (!merged.TryGetValue(key, out var first)) { merged[key] = item; continue; }
            if (MatchSpec.Unify(first.Spec, item.Spec) is { } both) merged[key] = first with { Spec = both };
            else diagnostics.Add(DiagnosticCatalog.ConflictingSpecs.Create(key, first.Spec.ToString(), item.Spec.ToString()).At(item.Source.File, item.Source.Line, item.Source.Column));
        }
        return merged.Values.ToList();
    }

    private static Diagnostic? ChannelProblem(string channel) => MatchSpec.ChannelProblem(channel, Redact);

    /// <summary>The base Dockerfile's text and the SHA-256 of its bytes, when it is a readable, acceptable file.</summary>
    private static (string? Text, string? Sha256) ReadBaseDockerfile(string? path, string? customImage, SourceLocation project, ISet<string> readFiles, Action<Diagnostic, SourceLocation> report)
    {
        if (string.IsNullOrWhiteSpace(path)) return (null, null);
        if (customImage is not null) report(DiagnosticCatalog.ConflictingBase.Create(customImage, path), project);
        if (InputFiles.Problem(path) is { } notAFile) { report(notAFile, project); return (null, null); }
        readFiles.Add(Path.GetFullPath(path));
        if (InputFiles.ReadBytesCapped(path, MaxBaseDockerfileBytes) is not { } bytes)
        {
            report(DiagnosticCatalog.InputLimitExceeded.Create(path, $"a base Dockerfile may have at most {MaxBaseDockerfileBytes} bytes"), project);
            return (null, null);
        }
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var problems = 0;
        void Count(Diagnostic d, SourceLocation at) { problems++; report(d, at); }
        BaseDockerfileRules.Check(text, path, Count);
        return problems > 0 ? (null, null) : (text, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private static void Merge(CondaEnvironment into, CondaEnvironment from)
    {
        into.Channels.AddRange(from.Channels);
        into.Packages.AddRange(from.Packages);
        into.Pip.AddRange(from.Pip);
        into.Variables.AddRange(from.Variables);
    }

    /// <summary>Merges exact duplicates; the same key with two different values is a diagnostic at the second one.</summary>
    private static List<T> Distinct<T>(IEnumerable<T> items, Func<T, string> key, Func<T, string> value, Func<T, SourceLocation> source, List<Diagnostic> diagnostics)
    {
        var seen = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var k = key(item);
            if (!seen.TryGetValue(k, out var first)) { seen[k] = item; continue; }
            if (value(first) != value(item))
            {
                var at = source(item);
                diagnostics.Add(DiagnosticCatalog.ConflictingSpecs.Create(k, value(first), value(item)).At(at.File, at.Line, at.Column));
            }
        }
        return seen.Values.ToList();
    }

    private static SortedDictionary<string, string> NamedValues(IEnumerable<NamedValueItem> items, Regex nameRule, DiagnosticDescriptor invalid, string valueWhat, string? reservedPrefix, Action<Diagnostic, SourceLocation> report)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!nameRule.IsMatch(item.Name)) { report(invalid.Create(Shorten(TextRules.Visible(item.Name)), "the name has characters that are not allowed"), item.Source); continue; }
            if (reservedPrefix is not null && item.Name.StartsWith(reservedPrefix, StringComparison.Ordinal)) { report(invalid.Create(item.Name, $"the prefix '{reservedPrefix}' is reserved for MlEnv"), item.Source); continue; }
            if (TextRules.Check($"{valueWhat} {item.Name}", item.Value) is { } forbidden) { report(forbidden, item.Source); continue; }
            if (result.TryGetValue(item.Name, out var existing) && existing != item.Value) { report(DiagnosticCatalog.ConflictingSpecs.Create(item.Name, existing, item.Value), item.Source); continue; }
            result[item.Name] = item.Value;
        }
        return result;
    }
}
