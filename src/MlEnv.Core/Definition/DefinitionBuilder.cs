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

    /// <summary>A Debian package name, and a version when given, as the apt section accepts them.</summary>
    public static bool IsValidAptPackage(string name, string? version) => AptName().IsMatch(name) && (version is null || AptVersion().IsMatch(version));

    public static bool IsValidVariableName(string name) => VariableName().IsMatch(name);

    public static bool IsValidLabelKey(string key) => LabelKey().IsMatch(key);

    public static bool IsValidWheelFileName(string fileName) => WheelName().IsMatch(fileName);

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

    /// <summary>What every section reads and reports to: the inputs, the diagnostics, and the files read.</summary>
    private sealed class Context(DefinitionInputs inputs)
    {
        public DefinitionInputs Inputs { get; } = inputs;
        public SourceLocation Project => Inputs.Project;
        public List<Diagnostic> Diagnostics { get; } = [];
        public SortedSet<string> ReadFiles { get; } = new(StringComparer.Ordinal);

        /// <summary>A diagnostic at its own place, or at the project when it has none.</summary>
        public void Report(Diagnostic d, SourceLocation at) =>
            Diagnostics.Add(d.At(at.File ?? Project.File, at.File is null ? Project.Line : at.Line, at.File is null ? Project.Column : at.Column));

        public void Report(Diagnostic d) => Report(d, Project);

        public bool HasErrors => Diagnostics.Any(d => d.IsError);

        public DefinitionResult Failed(PipCredentials? credentials) => new(null, Diagnostics, credentials, ReadFiles);
    }

    /// <summary>One section after another, in the order their diagnostics are reported; then the base is chosen.</summary>
    private static DefinitionResult BuildCore(DefinitionInputs inputs, bool allowReservedName)
    {
        var c = new Context(inputs);
        CheckName(c, allowReservedName);
        var python = PythonVersion(c);
        var (conda, pip) = ReadSpecFiles(c);
        var channels = CondaChannels(c, conda);
        var condaPackages = CondaPackages(c, conda);
        var (pipPackages, constraints) = PipPackages(c, pip);
        var (pipIndex, credentials) = PipIndexes(c, pip);
        var wheels = Wheels(c);
        var apt = AptPackages(c);
        var variables = NamedValues(c, inputs.Variables.Concat(conda.Variables.Select(v => new NamedValueItem(v.Name, v.Value, v.Source))), VariableName(), DiagnosticCatalog.InvalidVariable, "The value of environment variable", reservedPrefix: null);
        var labels = NamedValues(c, inputs.Labels, LabelKey(), DiagnosticCatalog.InvalidLabel, "The value of label", reservedPrefix: "org.mlenv.");
        var bases = BaseInputs(c);
        if (inputs.Parent is { } parent)
            python = CheckParent(c, parent, python, addsConda: condaPackages.Count > 0 || channels.Count > 0, addsPip: pipPackages.Count > 0 || wheels.Count > 0);
        var executable = CondaExecutable(c);

        if (inputs.UserManagedDependencies)
        {
            var count = condaPackages.Count + pipPackages.Count + wheels.Count;
            if (count > 0) c.Report(DiagnosticCatalog.UserManagedIgnoresPackages.Create(count));
            condaPackages.Clear(); pipPackages.Clear(); wheels.Clear(); channels.Clear(); constraints.Clear();
        }
        if (c.HasErrors) return c.Failed(credentials);

        var draft = new EnvironmentDefinition
        {
            Name = inputs.Name,
            PythonVersion = python,
            Base = BaseSpec.FromImage("pending"),
            CondaChannels = channels,
            CondaPackages = condaPackages,
            CondaExecutable = executable,
            PipIndex = pipIndex,
            PipPackages = pipPackages,
            PipConstraints = constraints,
            Wheels = wheels,
            AptPackages = apt,
            Variables = variables,
            Labels = labels,
            UserManagedDependencies = inputs.UserManagedDependencies,
        };
        if (Gpu(c, draft) is not { } gpu) return c.Failed(credentials);
        var definition = inputs.Parent is { } from ? OnParent(c, from, draft, gpu, bases) : OnBase(c, draft, gpu, bases);
        return definition is null ? c.Failed(credentials) : new DefinitionResult(definition, c.Diagnostics, credentials, c.ReadFiles);
    }

    /// <summary>The name is never hashed, but it names images, so it is validated like one.</summary>
    private static void CheckName(Context c, bool allowReservedName)
    {
        var name = c.Inputs.Name;
        if (!EnvironmentName().IsMatch(name)) c.Report(DiagnosticCatalog.InvalidName.Create(Shorten(TextRules.Visible(name))));
        else if (!allowReservedName && name.StartsWith("mlenv-", StringComparison.Ordinal)) c.Report(DiagnosticCatalog.ReservedName.Create(name));
    }

    private static string? PythonVersion(Context c)
    {
        var python = string.IsNullOrWhiteSpace(c.Inputs.PythonVersion) ? null : c.Inputs.PythonVersion.Trim();
        if (python is not null && !PythonVersionRegex().IsMatch(python)) c.Report(DiagnosticCatalog.InvalidPythonVersion.Create(Shorten(TextRules.Visible(python))));
        return python;
    }

    private static string CondaExecutable(Context c)
    {
        var executable = string.IsNullOrWhiteSpace(c.Inputs.CondaExecutable) ? "micromamba" : c.Inputs.CondaExecutable.Trim();
        CheckExecutable(c, executable);
        return executable;
    }

    private static void CheckExecutable(Context c, string executable)
    {
        if (!Executable().IsMatch(executable)) c.Report(DiagnosticCatalog.InvalidExecutable.Create(Shorten(TextRules.Visible(executable)), "a command name of letters, digits, '_', '.', '+' and '-'"));
    }

    /// <summary>A URL with its userinfo masked, for messages, whatever the userinfo holds (spaces, '/', '@', %-escapes).</summary>
    public static string Redact(string url) => PipLine.Redact(url);
}
