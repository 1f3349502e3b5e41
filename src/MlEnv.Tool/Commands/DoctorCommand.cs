using System.CommandLine;
using System.Text.Json.Nodes;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Registry;
using MlEnv.Tool.Cli;
using Spectre.Console;

namespace MlEnv.Tool.Commands;

/// <summary>
/// doctor: which engine endpoint and why, the engine's and the API's versions, which base images it holds, and where
/// registry credentials would come from — the source only, never a credential.
/// </summary>
public static class DoctorCommand
{
    public static Command Create(ToolContext context)
    {
        var baseImages = new Option<string[]>("--base-image") { Description = "A base image that must be on the engine (repeatable); missing is an error.", Arity = ArgumentArity.ZeroOrMore };
        var json = CommonOptions.Json();
        var command = new Command("doctor", "Check the set-up: the engine endpoint and why, versions, base images, registry credential sources.") { baseImages, json };
        command.SetAction(ToolApp.Guarded(context, async (parse, ct) =>
        {
            var registry = CommonOptions.SharedRegistry(parse, out var registryProblem);
            if (registryProblem is not null) return context.Report(registryProblem);
            var requested = parse.GetValue(baseImages) ?? [];
            var report = await EngineReport.GatherAsync(parse.GetValue(CommonOptions.DockerHost), "--docker-host", requested, ct);
            var credentials = registry is null ? null : CredentialSources.Describe(registry);
            var problems = new List<Diagnostic>();
            if (report.Problem is not null) problems.Add(report.Problem with { Severity = DiagnosticSeverity.Error });
            foreach (var missing in report.BaseImages.Where(b => b.Requested && !b.Present))
                problems.Add(DiagnosticCatalog.ToolBaseImageMissing.Create(missing.Image, EngineEndpoints.Display(report.Endpoint.Host)));

            if (parse.GetValue(json)) context.WriteJson(ToJson(report, credentials, problems));
            else Print(context, report, credentials);
            foreach (var p in problems) context.Report(p);
            return problems.Count > 0 ? ExitCodes.Failed : ExitCodes.Success;
        }));
        return command;
    }

    public static JsonObject ToJson(EngineReport report, CredentialSource? credentials, IReadOnlyList<Diagnostic> problems) => new()
    {
        ["endpoint"] = new JsonObject
        {
            ["host"] = EngineEndpoints.Display(report.Endpoint.Host),
            ["reason"] = report.Endpoint.Reason,
            ["tls"] = report.Endpoint.Tls is { } tls ? new JsonObject { ["directory"] = tls.Directory, ["verify"] = tls.Verify } : null,
            ["description"] = report.Endpoint.Describe(),
        },
        ["engine"] = report.Version is { } v ? new JsonObject
        {
            ["version"] = v.Version,
            ["apiVersion"] = v.ApiVersion,
            ["minApiVersion"] = v.MinApiVersion,
            ["os"] = v.Os,
            ["arch"] = v.Arch,
            ["platform"] = v.Platform,
        } : null,
        ["clientApiVersion"] = report.ClientApiVersion,
        ["baseImages"] = new JsonArray(report.BaseImages.Select(b => (JsonNode)new JsonObject { ["image"] = b.Image, ["present"] = b.Present, ["requested"] = b.Requested }).ToArray()),
        ["registryCredentials"] = credentials is null ? null : new JsonObject
        {
            ["registry"] = credentials.Registry,
            ["source"] = credentials.Kind,
            ["detail"] = credentials.Detail,
            ["fallback"] = credentials.Fallback,
            ["usable"] = credentials.Usable,
        },
        ["problems"] = new JsonArray(problems.Select(p => (JsonNode)new JsonObject { ["code"] = p.Code, ["message"] = p.Message }).ToArray()),
        ["ok"] = problems.Count == 0,
    };

    private static void Print(ToolContext context, EngineReport report, CredentialSource? credentials)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Check").AddColumn("Result");
        table.AddRow(StoreCommands.Cells("Engine endpoint", $"{EngineEndpoints.Display(report.Endpoint.Host)}\nfrom {report.Endpoint.Reason}" +
            (report.Endpoint.Tls is { } tls ? $"\nTLS ({(tls.Verify ? "verified" : "not verified")}) with {tls.Directory}" : "")));
        table.AddRow(StoreCommands.Cells("Engine", report.Version is { } v ? $"{v.Version} ({v.Os}/{v.Arch})" : "not reachable"));
        table.AddRow(StoreCommands.Cells("API version", report.Version is { } a ? $"engine {a.ApiVersion} (min {a.MinApiVersion}), MlEnv speaks {report.ClientApiVersion}" : $"MlEnv speaks {report.ClientApiVersion}"));
        foreach (var b in report.BaseImages)
            table.AddRow(StoreCommands.Cells(b.Requested ? "Base image" : "Default base image", $"{b.Image}: {(b.Present ? "present" : "not on the engine")}"));
        table.AddRow(StoreCommands.Cells("Registry credentials", credentials is null ? "(no --registry given)"
            : $"{credentials.Registry}: {credentials.Kind} — {credentials.Detail}" + (credentials.Fallback is { } f ? $"; then {f}" : "")));
        context.Console.Write(table);
    }
}
