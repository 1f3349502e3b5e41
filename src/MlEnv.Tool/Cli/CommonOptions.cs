using System.CommandLine;
using MlEnv.Diagnostics;
using MlEnv.Registry;
using MlEnv.Store;

namespace MlEnv.Tool.Cli;

/// <summary>The options every command takes, named after the MSBuild properties they stand for.</summary>
public static class CommonOptions
{
    public static readonly Option<string?> Store = new("--store")
    {
        Description = "The environment store folder (MlEnvStore). Default: $MLENV_HOME/store, else ~/.mlenv/store.",
        Recursive = true,
    };

    public static readonly Option<string?> Registry = new("--registry")
    {
        Description = "A registry that is the team's shared store (MlEnvRegistry), e.g. localhost:5000.",
        Recursive = true,
    };

    public static readonly Option<string?> DockerHost = new("--docker-host")
    {
        Description = "The engine endpoint (MlEnvDockerHost). Default: as the docker CLI finds it (DOCKER_HOST, contexts, sockets).",
        Recursive = true,
    };

    public static Option<bool> Json() => new("--json") { Description = "Write JSON for scripts on stdout (nothing else)." };

    /// <summary>The shared registry, checked; null when none was given.</summary>
    public static string? SharedRegistry(ParseResult parse, out Diagnostic? problem)
    {
        problem = null;
        var registry = Catalogs.SharedRegistry(parse.GetValue(Registry), registryStore: true);
        if (registry is not null && !Registries.IsValid(registry))
        {
            problem = DiagnosticCatalog.InvalidRegistry.Create(MlEnv.Registry.Registries.Display(registry));
            return null;
        }
        return registry;
    }

    public static EnvironmentStore LocalStore(ParseResult parse) => Catalogs.OpenLocal(parse.GetValue(Store));

    /// <summary>The catalog a command reads: the shared registry when given, else the local store.</summary>
    public static IEnvironmentCatalog? Catalog(ParseResult parse, out Diagnostic? problem)
    {
        var registry = SharedRegistry(parse, out problem);
        return problem is null ? Catalogs.Open(parse.GetValue(Store), registry) : null;
    }
}
