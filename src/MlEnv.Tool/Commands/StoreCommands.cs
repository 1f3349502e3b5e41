using System.CommandLine;
using System.Text.Json.Nodes;
using MlEnv.Diagnostics;
using MlEnv.Store;
using MlEnv.Tool.Cli;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlEnv.Tool.Commands;

/// <summary>list, show and download: reading the store (the local folder, or the registry with --registry).</summary>
public static class StoreCommands
{
    public static readonly Argument<string> Name = new("name") { Description = "The environment's name (MlEnvName)." };

    public static Argument<string?> Version() => new("version")
    {
        Description = "A version: 2 is exactly version 2; a range such as [2,3) or * takes the newest match. Default: the newest.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Command List(ToolContext context)
    {
        var json = CommonOptions.Json();
        var name = new Option<string?>("--name") { Description = "Only this environment's versions." };
        var command = new Command("list", "List the registered environments and their versions.") { json, name };
        command.SetAction(ToolApp.Guarded(context, (parse, _) =>
        {
            if (CommonOptions.Catalog(parse, out var problem) is not { } catalog) return Task.FromResult(context.Report(problem!));
            var only = parse.GetValue(name);
            var entries = catalog.Names().Where(n => only is null || n == only).SelectMany(catalog.Versions).ToList();
            if (parse.GetValue(json))
            {
                context.WriteJson(new JsonArray(entries.Select(e => (JsonNode)ToJson(e, withDefinition: false)).ToArray()));
                return Task.FromResult(ExitCodes.Success);
            }
            if (entries.Count == 0)
            {
                context.Line($"No environments registered in {catalog.Location}.");
                return Task.FromResult(ExitCodes.Success);
            }
            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(catalog.Location));
            foreach (var column in new[] { "Name", "Version", "Hash", "Image", "Created (UTC)" }) table.AddColumn(column);
            foreach (var e in entries)
                table.AddRow(Cells(e.Name, $"v{e.Version}", e.Hash[..12], e.Images.LastOrDefault() ?? "-", e.CreatedAt.ToString("yyyy-MM-dd HH:mm")));
            context.Console.Write(table);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    public static Command Show(ToolContext context)
    {
        var json = CommonOptions.Json();
        var version = Version();
        var command = new Command("show", "Show one registered version: its hash, images and canonical definition.") { Name, version, json };
        command.SetAction(ToolApp.Guarded(context, (parse, _) =>
        {
            if (CommonOptions.Catalog(parse, out var problem) is not { } catalog) return Task.FromResult(context.Report(problem!));
            if (catalog.FindVersion(parse.GetValue(Name)!, parse.GetValue(version), out var error) is not { } entry) return Task.FromResult(context.Report(error!));
            if (parse.GetValue(json))
            {
                context.WriteJson(ToJson(entry, withDefinition: true));
                return Task.FromResult(ExitCodes.Success);
            }
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow(Cells("Name", entry.Name));
            grid.AddRow(Cells("Version", $"v{entry.Version}"));
            grid.AddRow(Cells("Hash", entry.Hash));
            grid.AddRow(Cells("Created (UTC)", entry.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss")));
            grid.AddRow(Cells("Images", entry.Images.Count == 0 ? "(none)" : string.Join("\n", entry.Images)));
            grid.AddRow(Cells("Store", catalog.Location));
            context.Console.Write(grid);
            context.Line("");
            context.Line(JsonNode.Parse(entry.Definition)!.ToJsonString(ToolContext.Json));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    public static Command Download(ToolContext context)
    {
        var version = Version();
        var output = new Option<string>("--output", "-o") { Description = "The folder to write (created if needed).", Required = true };
        var command = new Command("download", "Write a registered version as a folder `docker build` rebuilds without .NET: Dockerfile, requirements, environment.yml, wheels, definition.json.")
        {
            Name, version, output,
        };
        command.SetAction(ToolApp.Guarded(context, (parse, _) =>
        {
            if (CommonOptions.Catalog(parse, out var problem) is not { } catalog) return Task.FromResult(context.Report(problem!));
            if (catalog.FindVersion(parse.GetValue(Name)!, parse.GetValue(version), out var error) is not { } entry) return Task.FromResult(context.Report(error!));
            var definition = catalog.Definition(entry);
            if (EnvironmentDownload.Problem(catalog, entry, definition, CommonOptions.LocalStore(parse).Root) is { } missing) return Task.FromResult(context.Report(missing));
            var directory = parse.GetValue(output)!;
            try
            {
                EnvironmentDownload.Write(entry, definition, directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return Task.FromResult(context.Report(DiagnosticCatalog.OutputUnwritable.Create("--output", directory, e.Message)));
            }
            context.Line($"Wrote {entry.Name} v{entry.Version} ({entry.Hash[..12]}) to {Path.GetFullPath(directory)}");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    /// <summary>A version as scripts read it: the core's listing shape (MlEnvList's), and for show its definition.</summary>
    public static JsonObject ToJson(StoredEnvironment e, bool withDefinition)
    {
        var json = StoreListing.ToJson(e);
        if (withDefinition)
        {
            json["sdkVersion"] = e.SdkVersion;
            json["definition"] = JsonNode.Parse(e.Definition);
        }
        return json;
    }

    public static IRenderable[] Cells(params string[] values) => values.Select(v => (IRenderable)new Text(v)).ToArray();
}
