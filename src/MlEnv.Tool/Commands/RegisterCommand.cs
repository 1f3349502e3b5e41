using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Images;
using MlEnv.Registry;
using MlEnv.Store;
using MlEnv.Tool.Cli;
using Spectre.Console;

namespace MlEnv.Tool.Commands;

/// <summary>
/// register: a project through its MSBuild pass (-t:MlEnvRegister: the build is the source of truth for its items),
/// or a folder holding definition.json (a download, or a project's obj/.../mlenv) straight into the store.
/// </summary>
public static class RegisterCommand
{
    public static Command Create(ToolContext context)
    {
        var path = new Argument<string>("path") { Description = "A project file, a folder with one project, or a folder holding definition.json.", DefaultValueFactory = _ => "." };
        var name = new Option<string?>("--name") { Description = "The environment's name for a definition folder (a definition does not carry it)." };
        var build = new Option<bool>("--build") { Description = "For a definition folder: build its image when the engine has none with its hash." };
        var json = CommonOptions.Json();
        var command = new Command("register", "Register an environment in the store: a project (built and registered by MSBuild) or a definition folder.") { path, name, build, json };
        command.SetAction(ToolApp.Guarded(context, async (parse, ct) =>
        {
            var target = parse.GetValue(path)!;
            if (File.Exists(Path.Combine(target, GeneratedEnvironment.DefinitionFile)))
                return await RegisterFolderAsync(context, parse, target, parse.GetValue(name), parse.GetValue(build), parse.GetValue(json), ct);
            if (MsBuild.FindProject(target) is { } project)
                return await RegisterProjectAsync(context, parse, project, parse.GetValue(json), ct);
            return context.Report(DiagnosticCatalog.ToolFolderUnreadable.Create(target, Directory.Exists(target)
                ? "it has no definition.json and not exactly one project file" : "it does not exist"));
        }));
        return command;
    }

    private static async Task<int> RegisterProjectAsync(ToolContext context, ParseResult parse, string project, bool json, CancellationToken ct)
    {
        var arguments = new List<string> { project, "-nologo", "-t:MlEnvRegister", "-getTargetResult:MlEnvRegister" };
        arguments.AddRange(MsBuild.Properties(parse));
        var result = await context.WithStatusAsync($"Building and registering {Path.GetFileName(project)}", status => MsBuild.RunAsync(arguments, status, ct));
        if (result.ExitCode != 0)
        {
            context.Error.Write(result.Output);
            return context.Report(DiagnosticCatalog.ToolMsBuildFailed.Create("register", project, result.ExitCode));
        }
        if (MsBuild.TargetItems(result.Output, "MlEnvRegister", out var problem) is not { } items) return context.Report(problem!);
        if (items.Count == 0)
        {
            context.Error.Write(result.Output);
            return context.Report(DiagnosticCatalog.ToolMsBuildFailed.Create("register", project, result.ExitCode));
        }
        var item = items[0];
        var registration = new JsonObject
        {
            ["name"] = item.GetValueOrDefault("Name"),
            ["version"] = int.TryParse(item.GetValueOrDefault("Version"), out var v) ? v : null,
            ["hash"] = item.GetValueOrDefault("Hash"),
            ["images"] = new JsonArray((item.GetValueOrDefault("Images") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(i => (JsonNode)i).ToArray()),
            ["createdAt"] = item.GetValueOrDefault("CreatedAt"),
            ["store"] = item.GetValueOrDefault("Store"),
            ["project"] = project,
        };
        Print(context, registration, json);
        return ExitCodes.Success;
    }

    private static async Task<int> RegisterFolderAsync(ToolContext context, ParseResult parse, string folder, string? name, bool build, bool json, CancellationToken ct)
    {
        if (DefinitionFolder.Read(folder, name) is not { } read) return ExitCodes.Failed;
        var (canonical, hash, environmentName, problem) = read;
        if (problem is not null) return context.Report(problem);
        var local = CommonOptions.LocalStore(parse);
        var definition = CanonicalReader.Read(canonical, environmentName, local.WheelPath);
        if (DefinitionFolder.Wheels(folder, definition, local, out var wheelProblem) is not { } wheels) return context.Report(wheelProblem!);
        var registry = CommonOptions.SharedRegistry(parse, out var registryProblem);
        if (registryProblem is not null) return context.Report(registryProblem);
        var (endpoint, engineProblem) = EngineChoice.Resolve(parse.GetValue(CommonOptions.DockerHost), "--docker-host");
        if (engineProblem is not null && (build || registry is not null || parse.GetValue(CommonOptions.DockerHost) is { Length: > 0 })) return context.Report(engineProblem);
        // The checked wheels go to the store now: a folder generated again below, and a registry's version, find them there.
        local.SaveWheels(canonical, wheels);

        // The core registers a resolved folder (definition.json, definition.sha256, context.txt): a project's
        // obj/.../mlenv is one; a download is generated again from its definition, which must give the same hash.
        // Whatever else the folder holds (a Dockerfile, context.txt) is not trusted: the files are always generated
        // again from its checked definition, which must give the same hash.
        var staged = Directory.CreateTempSubdirectory("mlenv-tool-register-").FullName;
        try
        {
            if (DefinitionFolder.Regenerate(definition, hash, staged) is { } regenerated) return context.Report(regenerated);
            var directory = staged;
            if (build && await BuildAsync(context, endpoint, environmentName, hash, directory, ct) is { } buildFailure) return buildFailure;
            var image = engineProblem is null ? await ImageInventory.FindEnvironmentAsync(endpoint.Host, hash, ct) : null;
            if (registry is not null && image is null)
                return context.Report(DiagnosticCatalog.ToolImageMissing.Create(environmentName, hash[..12], EngineEndpoints.Display(endpoint.Host)));
            var request = new RegistrationRequest
            {
                Name = environmentName,
                DefinitionDirectory = directory,
                ImageReference = image?.Reference,
                ImageId = image?.ImageId,
                ImageRepository = image?.Repository,
                Store = parse.GetValue(CommonOptions.Store),
                SharedRegistry = registry,
                DockerHost = parse.GetValue(CommonOptions.DockerHost),
            };
            var outcome = await context.WithStatusAsync(registry is null ? $"Registering {environmentName}" : $"Pushing {environmentName} to {registry}",
                status => EnvironmentRegistration.RegisterAsync(request, new StatusOutput(context, status), ct));
            if (outcome.Failure is { } failure) return context.Report(failure with { Severity = DiagnosticSeverity.Error });
            var registration = StoreCommands.ToJson(outcome.Entry!, withDefinition: false);
            registration["created"] = outcome.Created;
            registration["store"] = outcome.Location;
            Print(context, registration, json);
            return ExitCodes.Success;
        }
        finally
        {
            try { Directory.Delete(staged, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Builds the folder's image when the engine has none with its hash, as a project's build would (the core's
    /// EnvironmentBuild over the resolved folder), with a progress bar over its steps. Returns the exit code of a failure, or null.
    /// </summary>
    private static async Task<int?> BuildAsync(ToolContext context, EngineEndpoint endpoint, string name, string hash, string directory, CancellationToken ct)
    {
        using (var engine = new DockerEngine(endpoint.Host))
            if (await engine.FindByHashAsync(hash, ct) is not null) return null;
        var outcome = await context.WithProgressAsync($"Building mlenv/{name}:{EnvironmentImages.HashTag(hash)}", progress =>
            new EnvironmentBuild(name, hash, directory, $"mlenv/{name}", SdkInfo.Version, refresh: false, network: null)
                .RunAsync(endpoint.Host, new BuildProgressOutput(context, progress), ct));
        var failed = false;
        foreach (var d in outcome.Diagnostics) failed |= context.Report(d.Code == DiagnosticCatalog.EngineUnreachable.Code ? d with { Severity = DiagnosticSeverity.Error } : d) != 0;
        return failed || outcome.Image is null ? ExitCodes.Failed : null;
    }

    private static void Print(ToolContext context, JsonObject registration, bool json)
    {
        if (json)
        {
            context.WriteJson(registration);
            return;
        }
        var images = registration["images"] as JsonArray;
        context.Console.MarkupLine($"Registered [bold]{Markup.Escape(registration["name"]?.ToString() ?? "")}[/] v{registration["version"]} " +
            $"({Markup.Escape((registration["hash"]?.ToString() ?? "")[..Math.Min(12, registration["hash"]?.ToString().Length ?? 0)])}) in {Markup.Escape(registration["store"]?.ToString() ?? "")}" +
            (images is { Count: > 0 } ? $": {Markup.Escape(images[^1]!.ToString())}" : ""));
    }
}
