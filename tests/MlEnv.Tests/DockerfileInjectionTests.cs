using System.Text;
using MlEnv.Definition;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>
/// Hostile values either get a coded diagnostic or reach the Dockerfile as data: the generated Dockerfile, read back
/// by a small Dockerfile reader of this test's own, has the same instructions as for a benign value, and every ENV and
/// LABEL value reads back as exactly what was declared.
/// </summary>
public class DockerfileInjectionTests
{
    private static readonly SourceLocation At = new("/proj/demo.csproj");

    /// <summary>Values that must reach an ENV or LABEL value unchanged, without adding or splitting an instruction.</summary>
    public static TheoryData<string> HostileValues => new(HostileValueList);

    private static readonly string[] HostileValueList =
    [
        "plain",
        "",
        "a\"b",
        "$HOME",
        "${HOME:-x}",
        "\\",
        "trailing\\",
        "\\\\",
        "\\\"",
        "`id`",
        "$(id)",
        "'single'",
        "it's",
        "a b  c",
        " leading",
        "trailing ",
        "x=y",
        "KEY=\"v\" OTHER=1",
        "# not a comment",
        "value # with hash",
        "RUN echo pwned",
        "FROM scratch",
        "é ü ß 中文",
        "emoji 😀",
        "\\$HOME",
        "\\\\$HOME",
        "%0A",
        "--build-arg=X",
        new string('x', 10_000),
        "a\\ b",
        "ends with quote\"",
    ];

    /// <summary>Characters that may not reach any generated file: each is refused with MLENV1045.</summary>
    public static TheoryData<string> ForbiddenValues => new()
    {
        "a\nRUN echo pwned",
        "trailing\n",
        "a\rb",
        "a\r\nb",
        "nul\0byte",
        "nel\u0085x",
        "ls\u2028x",
        "ps\u2029x",
        "tab\tx",
        "esc\u001b[31mred",
        "del\u007f",
        "bell\u0007",
        "c1\u009b",
        "\\\nFROM scratch",
    };

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void AVariableValueIsDataInTheDockerfile(string value)
    {
        var benign = Generate(Variables: [new("GREETING", "hello", At)]);
        var hostile = Generate(Variables: [new("GREETING", value, At)]);
        Assert.Equal(Kinds(benign), Kinds(hostile));
        var env = Assert.Single(TestDockerfile.Parse(hostile), i => i.Keyword == "ENV" && i.Args.Contains("GREETING"));
        Assert.Equal([("GREETING", value)], TestDockerfile.KeyValues(env.Args));
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void ALabelValueIsDataInTheDockerfile(string value)
    {
        var benign = Generate(Labels: [new("team", "ml", At)]);
        var hostile = Generate(Labels: [new("team", value, At)]);
        Assert.Equal(Kinds(benign), Kinds(hostile));
        var label = Assert.Single(TestDockerfile.Parse(hostile), i => i.Keyword == "LABEL");
        Assert.Equal([("team", value)], TestDockerfile.KeyValues(label.Args));
    }

    [Theory]
    [MemberData(nameof(ForbiddenValues))]
    public void AVariableValueWithAForbiddenCharacterIsRefused(string value)
    {
        var error = Assert.Single(Defs.Errors(Inputs(Variables: [new("GREETING", value, At)])));
        Assert.Equal("MLENV1045", error.Code);
        Assert.Contains("GREETING", error.Message);
        // The message itself stays on one line: the character is shown escaped.
        Assert.Equal(-1, TextRules.FirstForbidden(error.Message));
    }

    [Theory]
    [MemberData(nameof(ForbiddenValues))]
    public void ALabelValueWithAForbiddenCharacterIsRefused(string value)
    {
        var error = Assert.Single(Defs.Errors(Inputs(Labels: [new("team", value, At)])));
        Assert.Equal("MLENV1045", error.Code);
        Assert.Equal(-1, TextRules.FirstForbidden(error.Message));
    }

    [Fact]
    public void EveryVariableAndLabelOfAMixedSetReadsBackInOrderWithTheSameInstructions()
    {
        var values = HostileValueList.ToList();
        var variables = values.Select((v, i) => new NamedValueItem($"V{i:D3}", v, At)).ToList();
        var labels = values.Select((v, i) => new NamedValueItem($"org.example.l{i:D3}", v, At)).ToList();
        var dockerfile = Generate(Variables: variables, Labels: labels);
        var instructions = TestDockerfile.Parse(dockerfile);
        Assert.Equal(Kinds(Generate(Variables: [new("A", "1", At)], Labels: [new("b", "2", At)])), instructions.Select(i => i.Keyword));
        Assert.Equal(["FROM", "RUN", "ENV", "COPY", "RUN", "ENV", "LABEL"], instructions.Select(i => i.Keyword));
        Assert.Equal(variables.Select(v => (v.Name, v.Value)), TestDockerfile.KeyValues(instructions[^2].Args));
        Assert.Equal(labels.Select(v => (v.Name, v.Value)), TestDockerfile.KeyValues(instructions[^1].Args));
    }

    [Fact]
    public void EnvKeysAreQuotedLikeEveryOtherValue()
    {
        var dockerfile = Generate(Variables: [new("OMP_NUM_THREADS", "1", At)]);
        Assert.Contains("ENV \"OMP_NUM_THREADS\"=\"1\"\n", dockerfile);
    }

    /// <summary>Names and spellings that go into RUN lines (apt packages, channels, conda specs, executable, python).</summary>
    public static TheoryData<string, string> HostileShellWords => new()
    {
        { "apt", "curl" },
        { "apt-version", "7.88.1-10+deb12u5" },
        { "channel", "conda-forge" },
        { "channel", "https://conda.example.org/my-channel" },
        { "channel", "my-org/label/dev" },
        { "conda", "numpy>=1.26,<2" },
        { "conda", "numpy 1.26.* py311*" },
        { "conda", "conda-forge::scipy" },
    };

    [Theory]
    [MemberData(nameof(HostileShellWords))]
    public void AcceptedShellWordsKeepTheInstructionStructure(string kind, string value)
    {
        var benign = Kinds(Generate(kind, kind switch { "apt" => "git", "apt-version" => "1.0", "channel" => "defaults", _ => "pandas" }));
        var dockerfile = Generate(kind, value);
        Assert.Equal(benign, Kinds(dockerfile));
        foreach (var run in TestDockerfile.Parse(dockerfile).Where(i => i.Keyword == "RUN"))
            Assert.True(TestDockerfile.BalancedShellQuotes(run.Args), run.Args);
    }

    private static readonly string[] Fields =
    [
        "name", "python", "apt", "apt-version", "channel", "conda-name", "conda-version", "conda-build", "conda-channel", "executable",
        "base-image", "gpu-image", "registry", "variable-name", "variable-value", "label-key", "label-value", "index-url", "extra-index-url", "find-links",
    ];

    private static readonly string[] Hostile =
    [
        "\n", "\nRUN id", "\r", "\r\n", "\0", "\u0085", "\u2028", "\u2029", "\t", "\u001b[31m", "'", "\"", "$(id)", "`id`", "\\", " \\",
        " #x", ";id", " && id", "|id", " --index-url=http://attacker/", "\u0663", "x y", "",
    ];

    public static TheoryData<string, string> FieldTimesHostile()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in Fields)
            foreach (var hostile in Hostile)
                data.Add(field, hostile);
        return data;
    }

    /// <summary>
    /// Every field with every hostile suffix: resolution never throws; it either refuses with coded errors whose
    /// messages stay on one line and show no secret, or generates files with the benign structure.
    /// </summary>
    [Theory]
    [MemberData(nameof(FieldTimesHostile))]
    public void EveryFieldWithAHostileSuffixIsRefusedOrKeepsTheStructure(string field, string hostile)
    {
        var benign = DefinitionBuilder.Build(WithField(field, BenignValue(field)));
        Assert.True(benign.Success, string.Join("\n", benign.Diagnostics));
        var result = DefinitionBuilder.Build(WithField(field, BenignValue(field) + hostile));
        if (!result.Success)
        {
            Assert.Contains(result.Diagnostics, d => d.IsError);
            foreach (var d in result.Diagnostics)
            {
                Assert.Matches("^MLENV1[0-9]{3}\\z", d.Code);
                Assert.Equal(-1, TextRules.FirstForbidden(d.Message));
                Assert.DoesNotContain("s3cret", d.Message);
            }
            return;
        }
        foreach (var credentials in new[] { false, true })
        {
            var expected = DockerfileGenerator.Generate(benign.Definition!, credentials);
            var actual = DockerfileGenerator.Generate(result.Definition!, credentials);
            var instructions = TestDockerfile.Parse(actual.Dockerfile);
            Assert.Equal(Kinds(expected.Dockerfile), instructions.Select(i => i.Keyword));
            foreach (var i in instructions)
            {
                if (i.Keyword == "RUN") Assert.True(TestDockerfile.BalancedShellQuotes(i.Args), i.Args);
                if (i.Keyword is "ENV" or "LABEL" && i.Args.StartsWith('"')) TestDockerfile.KeyValues(i.Args);
            }
            Assert.Equal(expected.Files.Select(f => f.Path), actual.Files.Select(f => f.Path));
        }
        if (result.Definition!.CondaPackages.Count > 0)
        {
            var yaml = new YamlDotNet.RepresentationModel.YamlStream();
            yaml.Load(new StringReader(DockerfileGenerator.EnvironmentYaml(result.Definition)));
            var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
            Assert.Equal(result.Definition.CondaChannels, ((YamlDotNet.RepresentationModel.YamlSequenceNode)root["channels"]).Children.Select(c => ((YamlDotNet.RepresentationModel.YamlScalarNode)c).Value));
        }
        Assert.DoesNotContain("s3cret", CanonicalJson.Serialize(result.Definition));
    }

    private static string BenignValue(string field) => field switch
    {
        "name" => "demo",
        "python" => "3.11",
        "apt" => "curl",
        "apt-version" => "7.88",
        "channel" => "conda-forge",
        "conda-name" => "numpy",
        "conda-version" => "1.26",
        "conda-build" => "py311",
        "conda-channel" => "conda-forge",
        "executable" => "micromamba",
        "base-image" => "debian:bookworm-slim",
        "gpu-image" => "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
        "registry" => "mirror.example",
        "variable-name" => "GREETING",
        "variable-value" => "hello",
        "label-key" => "team",
        "label-value" => "ml",
        "index-url" => "https://user:s3cret@pkgs.example/simple",
        "extra-index-url" => "https://extra.example/simple",
        _ => "https://wheels.example/links",
    };

    /// <summary>A conda environment with pip, apt, variables and labels, with one field set to <paramref name="value"/>.</summary>
    private static DefinitionInputs WithField(string field, string value)
    {
        var inputs = new DefinitionInputs
        {
            Name = field == "name" ? value : "demo",
            Project = At,
            BaseImage = field == "base-image" ? value : field == "registry" ? null : "debian:bookworm-slim",
            BaseImageRegistry = field == "registry" ? value : null,
            GpuBaseImage = field == "gpu-image" ? value : null,
            Gpu = field == "gpu-image" ? "true" : null,
            PythonVersion = field == "python" ? value : null,
            CondaExecutable = field == "executable" ? value : null,
            PipIndexUrl = field == "index-url" ? value : null,
            CondaChannels = [(field == "channel" ? value : "defaults", At)],
            CondaPackages = [new(field == "conda-name" ? value : "numpy", field == "conda-version" ? value : null, field == "conda-channel" ? value : null, field == "conda-build" ? value : null, At)],
            PipPackages = [Defs.Pip("requests", "2.32.3")],
            AptPackages = [Defs.Apt(field == "apt" ? value : "git", field == "apt-version" ? value : null)],
            Variables = [new(field == "variable-name" ? value : "A", field == "variable-value" ? value : "1", At)],
            Labels = [new(field == "label-key" ? value : "b", field == "label-value" ? value : "2", At)],
        };
        if (field == "extra-index-url") inputs.PipExtraIndexUrls.Add((value, At));
        if (field == "find-links") inputs.PipFindLinks.Add((value, At));
        return inputs;
    }

    private static string Generate(string kind, string value)
    {
        var inputs = Inputs();
        switch (kind)
        {
            case "apt": inputs.AptPackages.Add(Defs.Apt(value)); break;
            case "apt-version": inputs.AptPackages.Add(Defs.Apt("curl", value)); break;
            case "channel": inputs.CondaChannels.Add((value, At)); inputs.CondaPackages.Add(new("numpy", null, null, null, At)); break;
            case "conda": inputs.CondaPackages.Add(new(value, null, null, null, At)); break;
        }
        return DockerfileGenerator.Generate(Defs.Build(inputs)).Dockerfile;
    }

    private static DefinitionInputs Inputs(List<NamedValueItem>? Variables = null, List<NamedValueItem>? Labels = null) => new()
    {
        Name = "demo",
        Project = At,
        BaseImage = "debian:bookworm-slim",
        PipPackages = [Defs.Pip("requests", "2.32.3")],
        Variables = Variables ?? [],
        Labels = Labels ?? [],
    };

    private static string Generate(List<NamedValueItem>? Variables = null, List<NamedValueItem>? Labels = null) =>
        DockerfileGenerator.Generate(Defs.Build(Inputs(Variables, Labels))).Dockerfile;

    private static List<string> Kinds(string dockerfile) => TestDockerfile.Parse(dockerfile).Select(i => i.Keyword).ToList();
}

/// <summary>
/// A small Dockerfile reader written for these tests, independent of MlEnv's own: parser directives, line
/// continuations (blank and comment lines inside them skipped, as Docker does), and ENV/LABEL key=value words with
/// Docker's quoting (in double quotes a backslash escapes only '"', '$' and the escape character).
/// </summary>
internal static class TestDockerfile
{
    public sealed record Instruction(string Keyword, string Args, int Line);

    public static List<Instruction> Parse(string text)
    {
        var lines = text.Split('\n');
        var escape = '\\';
        var n = 0;
        for (; n < lines.Length; n++)
        {
            var l = lines[n];
            if (!l.StartsWith('#') || !l.Contains('=')) break;
            var kv = l[1..].Split('=', 2);
            var key = kv[0].Trim().ToLowerInvariant();
            if (key == "escape") escape = kv[1].Trim()[0];
            else if (key is not ("syntax" or "check")) break;
        }
        var result = new List<Instruction>();
        while (n < lines.Length)
        {
            if (BlankOrComment(lines[n])) { n++; continue; }
            var first = n + 1;
            var sb = new StringBuilder();
            var line = lines[n];
            while (true)
            {
                var trimmed = line.TrimEnd(' ', '\t');
                if (trimmed.Length == 0 || trimmed[^1] != escape) { sb.Append(line); n++; break; }
                sb.Append(trimmed, 0, trimmed.Length - 1);
                n++;
                while (n < lines.Length && BlankOrComment(lines[n])) n++;
                if (n >= lines.Length) break;
                line = lines[n];
            }
            var joined = sb.ToString().TrimStart();
            var space = joined.IndexOfAny([' ', '\t']);
            result.Add(new Instruction((space < 0 ? joined : joined[..space]).ToUpperInvariant(), space < 0 ? "" : joined[(space + 1)..], first));
        }
        return result;
    }

    private static bool BlankOrComment(string line) => line.Trim().Length == 0 || line.TrimStart().StartsWith('#');

    /// <summary>The key=value words of an ENV or LABEL, unquoted as Docker reads them; an unescaped '$' fails the test.</summary>
    public static List<(string Key, string Value)> KeyValues(string args)
    {
        var words = new List<string>();
        var i = 0;
        while (i < args.Length)
        {
            while (i < args.Length && args[i] is ' ' or '\t') i++;
            if (i >= args.Length) break;
            var word = new StringBuilder();
            while (i < args.Length && args[i] is not (' ' or '\t'))
            {
                var c = args[i];
                if (c == '"')
                {
                    i++;
                    while (true)
                    {
                        Assert.True(i < args.Length, "unterminated double quote in: " + args);
                        c = args[i];
                        if (c == '"') { i++; break; }
                        if (c == '\\' && i + 1 < args.Length && args[i + 1] is '"' or '$' or '\\') { word.Append(args[i + 1]); i += 2; continue; }
                        Assert.False(c == '$', "an unescaped '$' would be substituted: " + args);
                        word.Append(c);
                        i++;
                    }
                }
                else if (c == '\'')
                {
                    var end = args.IndexOf('\'', i + 1);
                    Assert.True(end > i, "unterminated single quote in: " + args);
                    word.Append(args, i + 1, end - i - 1);
                    i = end + 1;
                }
                else if (c == '\\' && i + 1 < args.Length) { word.Append(args[i + 1]); i += 2; }
                else { Assert.False(c == '$', "an unescaped '$' would be substituted: " + args); word.Append(c); i++; }
            }
            words.Add(word.ToString());
        }
        return words.Select(w =>
        {
            var eq = w.IndexOf('=');
            Assert.True(eq > 0, $"'{w}' is not key=value");
            return (w[..eq], w[(eq + 1)..]);
        }).ToList();
    }

    /// <summary>Single and double quotes of a shell command line are all closed (a value cannot have opened one).</summary>
    public static bool BalancedShellQuotes(string command)
    {
        char quote = '\0';
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote == '\'') { if (c == '\'') quote = '\0'; continue; }
            if (quote == '"') { if (c == '\\') i++; else if (c == '"') quote = '\0'; continue; }
            if (c == '\\') { i++; continue; }
            if (c is '\'' or '"') quote = c;
        }
        return quote == '\0';
    }
}
