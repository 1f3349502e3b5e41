using System.CommandLine;
using System.Text.Json.Nodes;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;
using MlEnv.Store;
using MlEnv.Tool.Cli;
using Spectre.Console;

namespace MlEnv.Tool.Commands;

/// <summary>
/// images and prune: MlEnv's images on the engine (found by their labels), which store version refers to each, and
/// removing the environment images no version refers to — a dry run unless --force.
/// </summary>
public static class ImageCommands
{
    private static Option<string?> NameFilter() => new("--name") { Description = "Only the images of this environment (label org.mlenv.name)." };

    public static Command Images(ToolContext context)
    {
        var name = NameFilter();
        var json = CommonOptions.Json();
        var command = new Command("images", "List MlEnv's images on the engine and the store versions that refer to them.") { name, json };
        command.SetAction(ToolApp.Guarded(context, async (parse, ct) =>
        {
            var (inventory, problem) = await InventoryAsync(parse, parse.GetValue(name), ct);
            if (inventory is null) return context.Report(problem!);
            if (parse.GetValue(json))
            {
                context.WriteJson(new JsonArray(inventory.Select(e => (JsonNode)ToJson(e)).ToArray()));
                return ExitCodes.Success;
            }
            if (inventory.Count == 0)
            {
                context.Line("No MlEnv images on the engine" + (parse.GetValue(name) is { } n ? $" for {n}." : "."));
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var column in new[] { "Image ID", "Name", "Hash", "Kind", "Tags", "Created (UTC)", "Size", "Store versions" }) table.AddColumn(column);
            foreach (var e in inventory)
                table.AddRow(StoreCommands.Cells(ShortId(e.Image.Id), e.Image.Name, e.Image.Hash[..Math.Min(12, e.Image.Hash.Length)], e.Image.Kind,
                    e.Image.Tags.Count == 0 ? "<none>" : string.Join("\n", e.Image.Tags), e.Image.Created.ToString("yyyy-MM-dd HH:mm"), Size(e.Image.Size),
                    e.ReferencedBy.Count > 0 ? string.Join(", ", e.ReferencedBy.Select(v => $"v{v.Version}")) : e.Prunable ? "none (prunable)" : "-"));
            context.Console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Prune(ToolContext context)
    {
        var name = NameFilter();
        var force = new Option<bool>("--force") { Description = "Remove the images. Without it, prune only prints what it would remove." };
        var json = CommonOptions.Json();
        var command = new Command("prune", "Remove MlEnv's environment images that no store version refers to (a dry run unless --force).") { name, force, json };
        command.SetAction(ToolApp.Guarded(context, async (parse, ct) =>
        {
            // A store that is not there (a mistyped --store) would make every image look unreferenced.
            var local = CommonOptions.LocalStore(parse);
            if (!Directory.Exists(local.Root) && parse.GetValue(CommonOptions.Registry) is null)
                return context.Report(DiagnosticCatalog.StoreUnusable.Create(local.Root, "it does not exist, and prune would take every image for unreferenced"));
            var (inventory, problem) = await InventoryAsync(parse, parse.GetValue(name), ct);
            if (inventory is null) return context.Report(problem!);
            var candidates = ImageInventory.PruneCandidates(inventory);
            var removed = new List<InventoryEntry>();
            var failed = new List<(InventoryEntry Entry, string Reason)>();
            if (parse.GetValue(force))
            {
                var (endpoint, _) = EngineChoice.Resolve(parse.GetValue(CommonOptions.DockerHost), "--docker-host");
                using var engine = new DockerEngine(endpoint.Host);
                foreach (var candidate in candidates)
                {
                    if (await RemoveAsync(engine, candidate.Image, ct) is { } reason) failed.Add((candidate, reason));
                    else removed.Add(candidate);
                }
            }
            var dryRun = !parse.GetValue(force);
            if (parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["dryRun"] = dryRun,
                    ["candidates"] = new JsonArray(candidates.Select(c => (JsonNode)ToJson(c)).ToArray()),
                    ["removed"] = new JsonArray(removed.Select(c => (JsonNode)c.Image.Id).ToArray()),
                    ["failed"] = new JsonArray(failed.Select(f => (JsonNode)new JsonObject { ["id"] = f.Entry.Image.Id, ["reason"] = f.Reason }).ToArray()),
                    ["keptReferenced"] = inventory.Count(e => e.ReferencedBy.Count > 0),
                });
            }
            else if (candidates.Count == 0)
            {
                context.Line("Nothing to prune: every MlEnv environment image is referred to by a store version.");
            }
            else
            {
                foreach (var c in candidates)
                    context.Line($"{(dryRun ? "Would remove" : removed.Contains(c) ? "Removed" : "Kept")} {ShortId(c.Image.Id)} {c.Image.Name} {c.Image.Hash[..Math.Min(12, c.Image.Hash.Length)]} {string.Join(" ", c.Image.Tags)}");
                if (dryRun) context.Line($"Dry run: {candidates.Count} image(s) would be removed. Run with --force to remove them.");
            }
            foreach (var (entry, reason) in failed) context.Report(DiagnosticCatalog.ToolImageNotRemoved.Create(ShortId(entry.Image.Id), entry.Image.Name, reason));
            return failed.Count > 0 ? ExitCodes.Failed : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The images, matched with every version of the store (and of the shared registry, when given).</summary>
    private static async Task<(IReadOnlyList<InventoryEntry>? Inventory, Diagnostic? Problem)> InventoryAsync(ParseResult parse, string? name, CancellationToken ct)
    {
        var (endpoint, problem) = EngineChoice.Resolve(parse.GetValue(CommonOptions.DockerHost), "--docker-host");
        if (problem is not null) return (null, problem);
        if (name is not null && !Definition.DefinitionBuilder.IsValidEnvironmentName(name))
            return (null, DiagnosticCatalog.InvalidName.Create(Definition.TextRules.Visible(name)));
        if (CommonOptions.Catalog(parse, out var registryProblem) is not { } catalog) return (null, registryProblem);
        using var engine = new DockerEngine(endpoint.Host);
        var images = await ImageInventory.ListAsync(engine, name, ct);
        // Every version that could refer to an image: the local store always (a shared store's wheels live there too).
        var versions = new List<StoredEnvironment>();
        var local = CommonOptions.LocalStore(parse);
        foreach (var n in images.Select(i => i.Name).Distinct()) versions.AddRange(local.Versions(n));
        if (catalog is not EnvironmentStore)
            foreach (var n in images.Select(i => i.Name).Distinct()) versions.AddRange(catalog.Versions(n));
        return (ImageInventory.Match(images, versions), null);
    }

    /// <summary>Untags each tag, then the image goes with the last; never by force, so an image a container uses stays.</summary>
    private static async Task<string?> RemoveAsync(DockerEngine engine, MlEnvImage image, CancellationToken ct)
    {
        try
        {
            foreach (var tag in image.Tags) await engine.RemoveImageAsync(tag, force: false, ct);
            if (image.Tags.Count == 0) await engine.RemoveImageAsync(image.Id, force: false, ct);
            return null;
        }
        catch (Docker.DotNet.DockerApiException e)
        {
            return EngineText.Clean($"{(int)e.StatusCode} {e.ResponseBody?.Trim()}");
        }
    }

    public static JsonObject ToJson(InventoryEntry e) => new()
    {
        ["id"] = e.Image.Id,
        ["name"] = e.Image.Name,
        ["hash"] = e.Image.Hash,
        ["kind"] = e.Image.Kind,
        ["tags"] = new JsonArray(e.Image.Tags.Select(t => (JsonNode)t).ToArray()),
        ["createdAt"] = e.Image.Created.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        ["size"] = e.Image.Size,
        ["referencedBy"] = new JsonArray(e.ReferencedBy.Select(v => (JsonNode)new JsonObject { ["name"] = v.Name, ["version"] = v.Version }).ToArray()),
        ["prunable"] = e.Prunable,
    };

    private static string ShortId(string id) => id.Replace("sha256:", "")[..Math.Min(12, id.Replace("sha256:", "").Length)];

    private static string Size(long bytes) => bytes >= 1 << 30 ? $"{bytes / (double)(1 << 30):0.0} GB" : $"{bytes / (double)(1 << 20):0.0} MB";
}
