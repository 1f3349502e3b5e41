using System.CommandLine;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Registry;
using MlEnv.Tool.Cli;
using MlEnv.Tool.Commands;

namespace MlEnv.Tool;

/// <summary>The command tree and what every command shares: usage errors are exit code 2, failures coded diagnostics.</summary>
public static class ToolApp
{
    public static RootCommand Build(ToolContext context)
    {
        var root = new RootCommand("MlEnv: reproducible machine-learning environments for .NET builds — the store, the engine's images and training runs.");
        root.Options.Add(CommonOptions.Store);
        root.Options.Add(CommonOptions.Registry);
        root.Options.Add(CommonOptions.DockerHost);
        foreach (var command in new[]
        {
            ScaffoldCommand.Create(context), RegisterCommand.Create(context), StoreCommands.List(context), StoreCommands.Show(context),
            StoreCommands.Download(context), RunCommand.Create(context), ExplainCommand.Create(context), ImageCommands.Images(context),
            ImageCommands.Prune(context), DoctorCommand.Create(context),
        })
            root.Subcommands.Add(command);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, ToolContext context)
    {
        var root = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) context.Error.WriteLine($"dotnet-mlenv: {error.Message}");
            context.Error.WriteLine("Run 'dotnet mlenv --help' (or '<command> --help') for usage.");
            return ExitCodes.Usage;
        }
        if (parse.Action is null)
        {
            // `dotnet mlenv` alone: the help, and a usage error for scripts.
            await root.Parse(["--help"]).InvokeAsync();
            return ExitCodes.Usage;
        }
        // Ctrl+C and SIGTERM cancel the command (a run's container is removed, a build's lock released) instead of
        // ending the process at once; the command then exits with 130.
        using var cancel = new CancellationTokenSource();
        void Stop(System.Runtime.InteropServices.PosixSignalContext signal)
        {
            signal.Cancel = true;
            cancel.Cancel();
        }
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancel.Token);
    }

    /// <summary>
    /// Runs a command's body: what the engine, a registry or the file system throw becomes its coded diagnostic,
    /// never a stack trace.
    /// </summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guarded(ToolContext context, Func<ParseResult, CancellationToken, Task<int>> body) =>
        async (parse, ct) =>
        {
            try
            {
                return await body(parse, ct);
            }
            catch (EngineEndpointException e)
            {
                return context.Report(e.Diagnostic);
            }
            catch (EngineUnavailableException e)
            {
                var host = EngineEndpoints.Resolve(parse.GetValue(CommonOptions.DockerHost)).Host;
                return context.Report(EngineEndpoints.Diagnose(host, e) with { Severity = DiagnosticSeverity.Error });
            }
            catch (Docker.DotNet.DockerApiException e)
            {
                return context.Report(DiagnosticCatalog.EngineFailed.Create(EngineText.Clean($"{(int)e.StatusCode} {e.ResponseBody?.Trim()}")));
            }
            catch (RegistryException e)
            {
                return context.Report(DiagnosticCatalog.SharedStoreUnavailable.Create(parse.GetValue(CommonOptions.Registry) ?? "", e.Message));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                context.Error.WriteLine("dotnet-mlenv: cancelled.");
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return context.Report(DiagnosticCatalog.StoreUnusable.Create(CommonOptions.LocalStore(parse).Root, e.Message));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return context.Report(DiagnosticCatalog.ToolUnexpectedFailure.Create(e.GetType().Name, EngineText.Clean(e.Message)));
            }
        };
}
