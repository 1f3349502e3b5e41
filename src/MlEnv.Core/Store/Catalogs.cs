namespace MlEnv.Store;

/// <summary>Which store a command reads and writes: the local folder, or the registry that is the team's shared store.</summary>
public static class Catalogs
{
    /// <summary>MlEnvRegistry, when it is also the store (MlEnvRegistryStore not false); else null.</summary>
    public static string? SharedRegistry(string? registry, bool registryStore) =>
        registryStore && registry?.Trim().TrimEnd('/') is { Length: > 0 } r ? r : null;

    /// <summary>MlEnvStore, or the default store folder.</summary>
    public static EnvironmentStore OpenLocal(string? store) => new(store is { Length: > 0 } s ? s : EnvironmentStore.DefaultRoot());

    /// <summary>The registry's shared store when one is given, else the local folder.</summary>
    public static IEnvironmentCatalog Open(string? store, string? registry)
    {
        var local = OpenLocal(store);
        return registry is null ? local : new RegistryStore(new Registry.RegistryClient(registry), local);
    }
}
