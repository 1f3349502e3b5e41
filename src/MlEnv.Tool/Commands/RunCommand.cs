using System.CommandLine;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Registry;
using MlEnv.Runs;
using MlEnv.Store;
using MlEnv.Tool.Cli;

namespace MlEnv.Tool.Commands;

/// <summary>
/// run: a script in a registered version's image through the core's TrainingRun (the output streams, the exit code
/// is the script's), or a project's run through MSBuild (-t:MlEnvRun), which builds the environment first.
/// </summary>
public static class RunCommand
{
    public static Command Create(ToolContext context)
    {
        var environment = new Argument<string?>("environment") { Description = "name or name:version (2 exactly, or a range) of a registered environment. Omit with --project.", Arity = ArgumentArity.ZeroOrOne };
        var arguments = new Argument<string[]>("arguments") { Description = "The script's arguments (after --).", Arity = ArgumentArity.ZeroOrMore };
        var script = new Option<string>("--script") { Description = "The python script, relative to --project-dir (or the project's folder).", Required = true };
        var projectDir = new Option<string>("--project-dir") { Description = "The folder mounted read-only at /mlenv/src. Default: the current folder.", DefaultValueFactory = _ => "." };
        var runsDir = new Option<string?>("--runs-dir") { Description = "Where runs/<id> (run.json, run.log, outputs) go. Default: <project-dir>/mlenv-runs." };
        var shmSize = new Option<string?>("--shm-size") { Description = "Shared memory: bytes, or a number with k, m or g." };
        var variables = new Option<string[]>("--env", "-e") { Description = "NAME=value for the script (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var project = new Option<string?>("--project") { Description = "Run through a project's MSBuild pass (-t:MlEnvRun) instead of a registered version." };
        var command = new Command("run", "Run a python script in an environment's image; its output streams, and the exit code is the script's.")
        {
            environment, arguments, script, projectDir, runsDir, shmSize, variables, project,
        };
        command.SetAction(ToolApp.Guarded(context, async (parse, ct) =>
        {
            var args = parse.GetValue(arguments) ?? [];
            if (parse.GetValue(project) is { } projectPath)
            {
                // Every positional token is the script's: there is no environment argument in this form.
                var all = parse.GetValue(environment) is { } first ? [first, .. args] : args;
                return await RunProjectAsync(context, parse, projectPath, parse.GetValue(script)!, all, ct);
            }
            if (parse.GetValue(environment) is not { } requested)
                return context.Report(DiagnosticCatalog.ToolScriptUnusable.Create(parse.GetValue(script), "name a registered environment (name or name:version), or give --project"));
            var request = new Request(requested, parse.GetValue(script)!, parse.GetValue(projectDir)!, parse.GetValue(runsDir), parse.GetValue(shmSize),
                parse.GetValue(variables) ?? [], args);
            return await RunVersionAsync(context, parse, request, ct);
        }));
        return command;
    }

    private sealed record Request(string Environment, string Script, string ProjectDirectory, string? RunsDirectory, string? ShmSize, string[] Variables, string[] Arguments);

    private static async Task<int> RunVersionAsync(ToolContext context, ParseResult parse, Request request, CancellationToken ct)
    {
        var colon = request.Environment.IndexOf(':');
        var (name, version) = colon < 0 ? (request.Environment, null) : (request.Environment[..colon], request.Environment[(colon + 1)..]);
        if (CommonOptions.Catalog(parse, out var problem) is not { } catalog) return context.Report(problem!);
        if (catalog.FindVersion(name, version, out var error) is not { } entry) return context.Report(error!);

        var projectDirectory = Path.GetFullPath(request.ProjectDirectory);
        var script = request.Script.Replace('\\', '/');
        if (Path.IsPathRooted(script) || script.Split('/').Contains("..") || !File.Exists(Path.Combine(projectDirectory, script)))
            return context.Report(DiagnosticCatalog.ToolScriptUnusable.Create(TextRules.Visible(request.Script), $"it must be a file inside {projectDirectory} (--project-dir)"));
        if (PropertyValidation.ParseSize(request.ShmSize) is not { } shm)
            return context.Report(DiagnosticCatalog.InvalidRunInput.Create(TextRules.Visible(request.ShmSize ?? ""), PropertyValidation.ShmSizeHint));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in request.Variables)
        {
            var eq = variable.IndexOf('=');
            if (eq <= 0) return context.Report(DiagnosticCatalog.InvalidRunInput.Create(TextRules.Visible(variable), "--env takes NAME=value"));
            environment[variable[..eq]] = variable[(eq + 1)..];
        }

        var (endpoint, engineProblem) = EngineChoice.Resolve(parse.GetValue(CommonOptions.DockerHost), "--docker-host");
        if (engineProblem is not null) return context.Report(engineProblem);
        using var engine = new DockerEngine(endpoint.Host);
        var image = await engine.FindByHashAsync(entry.Hash, ct) ?? await PullAsync(context, engine, entry, ct);
        if (image is null) return context.Report(DiagnosticCatalog.ToolImageMissing.Create($"{entry.Name} v{entry.Version}", entry.Hash[..12], EngineEndpoints.Display(endpoint.Host)));

        var gpu = System.Text.Json.Nodes.JsonNode.Parse(entry.Definition)?["gpu"]?.GetValue<bool>() == true;
        var run = new RunRequest(image.Id, image.Tags.FirstOrDefault() ?? image.Id, entry.Name, entry.Version, entry.Hash, gpu, projectDirectory, script,
            request.Arguments, Path.GetFullPath(request.RunsDirectory ?? Path.Combine(projectDirectory, "mlenv-runs")), environment, [], shm, endpoint.Host);
        var (result, failure) = await new TrainingRun(engine).RunAsync(run, new RunOutput(context), ct);
        if (result is not null) context.Error.WriteLine($"Run {result.RunId} finished with exit code {result.ExitCode}: {result.Directory}");
        if (failure is not null) context.Report(failure);
        // The script's own exit code, so CI sees the training's result; a failure before it ran is 1.
        return result is not null ? (int)Math.Clamp(result.ExitCode, 0, 255) : ExitCodes.Failed;
    }

    /// <summary>A version registered in a registry: its image is pulled (with the registry's credentials) when the engine lacks it.</summary>
    private static async Task<EngineImage?> PullAsync(ToolContext context, DockerEngine engine, StoredEnvironment entry, CancellationToken ct)
    {
        foreach (var reference in entry.Images.Reverse())
        {
            var slash = reference.IndexOf('/');
            var colon = reference.LastIndexOf(':');
            if (slash < 0 || colon < slash) continue;
            var host = reference[..slash];
            if (!host.Contains('.') && !host.Contains(':') && host != "localhost") continue;   // mlenv/<name>:<tag> is local only
            var pulled = await context.WithStatusAsync($"Pulling {reference}", async status =>
            {
                status($"Pulling {reference}");
                try
                {
                    return await engine.PullAsync(reference[..colon], reference[(colon + 1)..], RegistryAuth.For(host, d => context.Report(d)), ct, status);
                }
                catch (RegistryException e)
                {
                    context.Report(DiagnosticCatalog.RegistryLookupFailed.Create(host, e.Message));
                    return false;
                }
            });
            if (pulled && await engine.FindByHashAsync(entry.Hash, ct) is { } image) return image;
        }
        return null;
    }

    private static async Task<int> RunProjectAsync(ToolContext context, ParseResult parse, string projectPath, string script, string[] arguments, CancellationToken ct)
    {
        if (MsBuild.FindProject(projectPath) is not { } project)
            return context.Report(DiagnosticCatalog.ToolFolderUnreadable.Create(projectPath, "it is not a project file, nor a folder with exactly one"));
        var build = new List<string> { project, "-nologo", "-t:MlEnvRun", $"-p:MlEnvRunScript={MsBuild.Escape(script)}" };
        if (arguments.Length > 0)
            build.Add("-p:MlEnvRunArguments=" + MsBuild.Escape(string.Join(' ', arguments.Select(a => a.Any(char.IsWhiteSpace) || a.Length == 0 ? $"\"{a}\"" : a))));
        build.AddRange(MsBuild.Properties(parse));
        var result = await MsBuild.RunAsync(build, line => context.Out.WriteLine(line), ct);
        return result.ExitCode == 0 ? ExitCodes.Success : context.Report(DiagnosticCatalog.ToolMsBuildFailed.Create("run", project, result.ExitCode));
    }
}
