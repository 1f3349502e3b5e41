using System.CommandLine;
using System.Text.Json.Nodes;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;
using MlEnv.Store;
using MlEnv.Tool.Cli;
using Spectre.Console;

namespace MlEnv.Tool.Commands;

/// <summary>One definition explain compares: where it came from, and its canonical text.</summary>
/// <param name="Name">The environment's name, when the side knows it (a project's MlEnvName).</param>
public sealed record Side(string Kind, string Label, string Hash, string Canonical, string? Name = null)
{
    public JsonObject ToJson() => new() { ["kind"] = Kind, ["label"] = Label, ["hash"] = Hash };
}

/// <summary>Two definitions and what changed between them, in DefinitionDiff's words.</summary>
public sealed record Comparison(Side From, Side To, IReadOnlyList<string> Changes)
{
    public bool Identical => From.Hash == To.Hash;

    public static Comparison Of(Side from, Side to) =>
        new(from, to, from.Hash == to.Hash ? [] : DefinitionDiff.Explain(from.Canonical, to.Canonical));

    public JsonObject ToJson() => new()
    {
        ["from"] = From.ToJson(),
        ["to"] = To.ToJson(),
        ["identical"] = Identical,
        ["changes"] = new JsonArray(Changes.Select(c => (JsonNode)c).ToArray()),
    };
}

/// <summary>
/// explain: why the next build would rebuild. Between two store versions (explain NAME 1 2), a version and a project's
/// freshly resolved definition (--project), a version and the newest environment image of that name on the engine
/// (--image); or, with --project alone, the project against the engine's image and the store's newest version.
/// </summary>
public static class ExplainCommand
{
    public static Command Create(ToolContext context)
    {
        var name = new Argument<string?>("name") { Description = "The environment. With --project alone: the project's MlEnvName.", Arity = ArgumentArity.ZeroOrOne };
        var from = new Argument<string?>("from") { Description = "A version (2, or a range). Default: the newest.", Arity = ArgumentArity.ZeroOrOne };
        var to = new Argument<string?>("to") { Description = "A second version to compare with.", Arity = ArgumentArity.ZeroOrOne };
        var project = new Option<string?>("--project") { Description = "Resolve this project's definition now (no image is built, nothing registered) and compare with it." };
        var image = new Option<bool>("--image") { Description = "Compare with the newest environment image of the name on the engine." };
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit with 3 when the definitions differ (the next build would rebuild)." };
        var json = CommonOptions.Json();
        var command = new Command("explain", "Explain what differs between two definitions: store versions, a project's, and the image on the engine.")
        {
            name, from, to, project, image, exitCode, json,
        };
        command.SetAction(ToolApp.Guarded(context, async (parse, ct) =>
        {
            var comparisons = new List<Comparison>();
            JsonObject? projectInfo = null;
            var problem = await CollectAsync(context, parse, parse.GetValue(name), parse.GetValue(from), parse.GetValue(to), parse.GetValue(project), parse.GetValue(image), comparisons, info => projectInfo = info, ct);
            if (problem is not null) return context.Report(problem);
            var differs = comparisons.Any(c => !c.Identical) || projectInfo?["rebuild"]?.GetValue<bool>() == true;
            if (parse.GetValue(json))
            {
                var result = new JsonObject { ["comparisons"] = new JsonArray(comparisons.Select(c => (JsonNode)c.ToJson()).ToArray()), ["differs"] = differs };
                if (projectInfo is not null) result["project"] = projectInfo;
                context.WriteJson(result);
            }
            else
            {
                Print(context, comparisons, projectInfo);
            }
            return differs && parse.GetValue(exitCode) ? ExitCodes.Differences : ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<Diagnostic?> CollectAsync(ToolContext context, ParseResult parse, string? name, string? from, string? to, string? project, bool image,
        List<Comparison> comparisons, Action<JsonObject> onProject, CancellationToken ct)
    {
        if (CommonOptions.Catalog(parse, out var problem) is not { } catalog) return problem;
        Side? projectSide = null;
        if (project is not null)
        {
            var (side, resolveProblem) = await ResolveProjectAsync(context, parse, project, ct);
            if (resolveProblem is not null) return resolveProblem;
            projectSide = side!;
            name ??= side!.Name;
        }
        if (name is null) return DiagnosticCatalog.ToolNothingToCompare.Create("(no name)", "name an environment, or give --project");

        if (projectSide is not null && from is null && !image)
        {
            // Why the next build would rebuild: the image it would reuse, else what the newest image and version hold.
            var engineImages = await ImagesOfAsync(parse, name, ct);
            var match = engineImages?.FirstOrDefault(i => i.Hash == projectSide.Hash && i.IsEnvironment && i.OwnStep);
            onProject(new JsonObject
            {
                ["name"] = name,
                ["hash"] = projectSide.Hash,
                ["image"] = match is null ? null : match.Tags.FirstOrDefault() ?? match.Id,
                ["rebuild"] = engineImages is null ? null : match is null,
            });
            if (match is null && engineImages?.Where(i => i.IsEnvironment && i.OwnStep).OrderBy(i => i.Created).LastOrDefault() is { } newestImage
                && await ImageSideAsync(parse, newestImage, ct) is { } imageSide)
                comparisons.Add(Comparison.Of(imageSide, projectSide));
            if (catalog.Versions(name).LastOrDefault() is { } newest) comparisons.Add(Comparison.Of(VersionSide(newest), projectSide));
            return null;
        }

        if (catalog.FindVersion(name, from, out var error) is not { } first) return error;
        var firstSide = VersionSide(first);
        if (to is not null)
        {
            if (catalog.FindVersion(name, to, out var secondError) is not { } second) return secondError;
            comparisons.Add(Comparison.Of(firstSide, VersionSide(second)));
        }
        if (projectSide is not null) comparisons.Add(Comparison.Of(firstSide, projectSide));
        if (image)
        {
            var images = await ImagesOfAsync(parse, name, ct, required: true);
            if (images?.Where(i => i.IsEnvironment && i.OwnStep).OrderBy(i => i.Created).LastOrDefault() is not { } newestImage
                || await ImageSideAsync(parse, newestImage, ct) is not { } imageSide)
                return DiagnosticCatalog.ToolNothingToCompare.Create($"{name} v{first.Version}", "the engine has no environment image of that name");
            comparisons.Add(Comparison.Of(firstSide, imageSide));
        }
        if (comparisons.Count == 0)
            return DiagnosticCatalog.ToolNothingToCompare.Create($"{name} v{first.Version}", "give a second version, --project or --image");
        return null;
    }

    private static Side VersionSide(StoredEnvironment e) => new("version", $"{e.Name} v{e.Version}", e.Hash, e.Definition);

    /// <summary>The environment images of a name; null when the engine cannot be asked (and it was not required).</summary>
    private static async Task<IReadOnlyList<MlEnvImage>?> ImagesOfAsync(ParseResult parse, string name, CancellationToken ct, bool required = false)
    {
        var (endpoint, problem) = EngineChoice.Resolve(parse.GetValue(CommonOptions.DockerHost), "--docker-host");
        if (problem is not null) return required ? throw new EngineEndpointException(problem) : null;
        try
        {
            using var engine = new DockerEngine(endpoint.Host);
            return await ImageInventory.ListAsync(engine, name, ct);
        }
        catch (Exception e) when (!required && e is EngineUnavailableException or EngineEndpointException)
        {
            return null;
        }
    }

    /// <summary>The definition an image carries in its org.mlenv.definition label.</summary>
    private static async Task<Side?> ImageSideAsync(ParseResult parse, MlEnvImage image, CancellationToken ct)
    {
        var (endpoint, _) = EngineChoice.Resolve(parse.GetValue(CommonOptions.DockerHost), "--docker-host");
        using var engine = new DockerEngine(endpoint.Host);
        var inspected = await engine.InspectAsync(image.Id, ct);
        if (inspected is null || !inspected.Labels.TryGetValue(DockerEngine.DefinitionLabel, out var canonical)) return null;
        return new Side("image", image.Tags.FirstOrDefault() ?? image.Id[..Math.Min(19, image.Id.Length)], image.Hash, canonical);
    }

    /// <summary>The project's definition as MSBuild resolves it now (ComputeMlEnvDefinition), without building an image or registering.</summary>
    private static async Task<(Side? Side, Diagnostic? Problem)> ResolveProjectAsync(ToolContext context, ParseResult parse, string path, CancellationToken ct)
    {
        if (MsBuild.FindProject(path) is not { } project)
            return (null, DiagnosticCatalog.ToolFolderUnreadable.Create(path, "it is not a project file, nor a folder with exactly one"));
        var arguments = new List<string> { project, "-nologo", "-t:ComputeMlEnvDefinition", "-getTargetResult:ComputeMlEnvDefinition",
            "-p:MlEnvBuildImage=false", "-p:MlEnvRegister=false" };
        arguments.AddRange(MsBuild.Properties(parse));
        var result = await context.WithStatusAsync($"Resolving {Path.GetFileName(project)}", status => MsBuild.RunAsync(arguments, status, ct));
        if (result.ExitCode != 0)
        {
            context.Error.Write(result.Output);
            return (null, DiagnosticCatalog.ToolMsBuildFailed.Create("resolve", project, result.ExitCode));
        }
        if (MsBuild.TargetItems(result.Output, "ComputeMlEnvDefinition", out var problem) is not { Count: > 0 } items)
            return (null, problem ?? DiagnosticCatalog.ToolMsBuildOutputUnreadable.Create("ComputeMlEnvDefinition", "no definition (is MlEnv enabled in the project?)"));
        var item = items[0];
        var file = item.GetValueOrDefault("FullPath") ?? item.GetValueOrDefault("Identity") ?? "";
        var canonical = File.ReadAllText(file).TrimEnd('\n');
        var name = item.GetValueOrDefault("Name");
        return (new Side("project", $"{name} ({Path.GetFileName(project)})", CanonicalJson.HashOf(canonical), canonical, name is { Length: > 0 } ? name : null), null);
    }

    private static void Print(ToolContext context, IReadOnlyList<Comparison> comparisons, JsonObject? project)
    {
        if (project is not null)
        {
            var hash = project["hash"]!.GetValue<string>()[..12];
            context.Line(project["rebuild"] is null
                ? $"The project's definition is {hash}; the engine could not be asked whether an image has it."
                : project["rebuild"]!.GetValue<bool>()
                    ? $"The next build rebuilds: no environment image on the engine carries definition {hash}."
                    : $"The next build reuses {project["image"]}: it carries definition {hash}.");
        }
        foreach (var c in comparisons)
        {
            context.Console.MarkupLine($"[bold]{Markup.Escape(c.From.Label)}[/] ({c.From.Hash[..12]}) → [bold]{Markup.Escape(c.To.Label)}[/] ({c.To.Hash[..12]})");
            if (c.Identical) context.Line("  identical");
            foreach (var change in c.Changes) context.Line("  " + change);
            if (!c.Identical && c.Changes.Count == 0) context.Line("  (the definitions differ in form only)");
        }
    }
}
