using MlEnv.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlEnv.Specs;

public sealed record CondaPackageInput(MatchSpec Spec, SourceLocation Source);

/// <summary>What an environment.yml declares. The file's name and prefix are read but never part of a definition.</summary>
public sealed class CondaEnvironment
{
    public string? Name { get; set; }
    public List<(string Channel, SourceLocation Source)> Channels { get; } = [];
    public List<CondaPackageInput> Packages { get; } = [];
    public PipInputs Pip { get; } = new();
    public List<(string Name, string Value, SourceLocation Source)> Variables { get; } = [];
}

/// <summary>Reads conda environment files with YamlDotNet, reporting syntax and shape errors with line and column.</summary>
public static class CondaEnvironmentFile
{
    /// <summary>Real environment files are a few kilobytes: anything near this is not one.</summary>
    public const long MaxBytes = 8 * 1024 * 1024;
    /// <summary>Nesting of mappings and sequences; the shape MlEnv reads needs four levels.</summary>
    public const int MaxDepth = 64;

    public static CondaEnvironment Read(string path, List<Diagnostic> diagnostics, ISet<string>? readFiles = null)
    {
        var result = new CondaEnvironment();
        if (InputFiles.Problem(path) is { } notAFile)
        {
            diagnostics.Add(notAFile.At(path));
            return result;
        }
        readFiles?.Add(Path.GetFullPath(path));
        if (InputFiles.ReadTextCapped(path, MaxBytes) is not { } text)
        {
            diagnostics.Add(DiagnosticCatalog.InputLimitExceeded.Create(path, $"an environment file may have at most {MaxBytes} bytes").At(path));
            return result;
        }
        return Parse(text, path, diagnostics, readFiles);
    }

    public static CondaEnvironment Parse(string text, string path, List<Diagnostic> diagnostics, ISet<string>? readFiles = null)
    {
        var result = new CondaEnvironment();
        var yaml = new YamlStream();
        try
        {
            // YamlStream builds its nodes recursively: measure the nesting on the flat event stream first.
            if (TooDeep(text) is { } deep)
            {
                diagnostics.Add(DiagnosticCatalog.InputLimitExceeded.Create(path, $"the YAML nests deeper than {MaxDepth} levels").At(path, (int)deep.Line, (int)deep.Column));
                return result;
            }
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            diagnostics.Add(DiagnosticCatalog.YamlSyntax.Create(e.Message).At(path, (int)e.Start.Line, (int)e.Start.Column));
            return result;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner throws these on some malformed input (found by the fuzz test); it is still bad YAML.
            diagnostics.Add(DiagnosticCatalog.YamlSyntax.Create("the YAML cannot be read").At(path));
            return result;
        }
        if (yaml.Documents.Count == 0) return result;
        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            Shape(yaml.Documents[0].RootNode, "the top level must be a mapping (name, channels, dependencies, variables)");
            return result;
        }

        foreach (var (keyNode, value) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            switch (key)
            {
                case "name":
                    result.Name = (value as YamlScalarNode)?.Value;
                    break;
                case "prefix":
                    break; // a path on the machine that made the file: never part of a definition
                case "channels":
                    foreach (var item in Sequence(value, "channels"))
                    {
                        if (Scalar(item, "a channel") is not { } channel) continue;
                        if (MatchSpec.ChannelProblem(channel, Definition.DefinitionBuilder.Redact) is { } problem)
                            diagnostics.Add(problem.At(path, Line(item), Column(item)));
                        else
                            result.Channels.Add((channel, Where(item)));
                    }
                    break;
                case "dependencies":
                    foreach (var item in Sequence(value, "dependencies"))
                        ReadDependency(item);
                    break;
                case "variables":
                    if (value is not YamlMappingNode variables) { Shape(value, "'variables' must be a mapping of names to values"); break; }
                    foreach (var (k, v) in variables.Children)
                        if (Scalar(k, "a variable name") is { } name && Scalar(v, "a variable value") is { } val)
                            result.Variables.Add((name, val, Where(k)));
                    break;
                default:
                    Shape(keyNode, $"unknown key '{key}' (expected name, channels, dependencies, variables or prefix)");
                    break;
            }
        }
        return result;

        void ReadDependency(YamlNode item)
        {
            if (item is YamlMappingNode map)
            {
                foreach (var (k, v) in map.Children)
                {
                    if ((k as YamlScalarNode)?.Value != "pip") { Shape(k, "only a 'pip:' list may appear as a mapping in dependencies"); continue; }
                    var lines = Sequence(v, "pip").Select(n => (Text: Scalar(n, "a pip requirement"), Source: Where(n)))
                        .Where(l => l.Text is not null).Select(l => (l.Text!, l.Source));
                    result.Pip.AddRange(RequirementsFile.ParseLines(lines, Path.GetDirectoryName(Path.GetFullPath(path))!, diagnostics, readFiles));
                }
                return;
            }
            if (Scalar(item, "a conda package spec") is not { } text) return;
            if (MatchSpec.TryParse(text, out var spec, out var error))
                result.Packages.Add(new CondaPackageInput(spec, Where(item)));
            else
                diagnostics.Add(DiagnosticCatalog.InvalidMatchSpec.Create(Shown(text), error is null ? null : Shown(error)).At(path, Line(item), Column(item)));
        }

        IEnumerable<YamlNode> Sequence(YamlNode node, string what)
        {
            if (node is YamlSequenceNode seq) return seq.Children;
            if (node is YamlScalarNode { Value: null or "" }) return [];
            Shape(node, $"'{what}' must be a list");
            return [];
        }

        string? Scalar(YamlNode node, string what)
        {
            if (node is YamlScalarNode { Value: { } v }) return v;
            Shape(node, $"expected {what}");
            return null;
        }

        void Shape(YamlNode node, string message) =>
            diagnostics.Add(DiagnosticCatalog.EnvironmentFileShape.Create(message).At(path, Line(node), Column(node)));

        SourceLocation Where(YamlNode node) => new(path, Line(node), Column(node));
    }

    private static string Shown(string s) => Definition.DefinitionBuilder.Redact(Definition.TextRules.Visible(s));

    /// <summary>Where the nesting first goes deeper than <see cref="MaxDepth"/>, or null; syntax errors throw as Load's do.</summary>
    private static Mark? TooDeep(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart:
                    if (++depth > MaxDepth) return parser.Current.Start;
                    break;
                case YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd:
                    depth--;
                    break;
            }
        }
        return null;
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;
    private static int Column(YamlNode node) => (int)node.Start.Column;
}
