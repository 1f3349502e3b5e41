using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlEnv.Diagnostics;

namespace MlEnv.Engine;

/// <summary>The TLS files of a tcp:// engine: the CA that signs the engine's certificate, and the client's certificate and key.</summary>
/// <param name="Verify">Check the engine's certificate against <paramref name="CaFile"/> (DOCKER_TLS_VERIFY; a context without SkipTLSVerify).</param>
public sealed record EngineTls(string Directory, string? CaFile, string? CertFile, string? KeyFile, bool Verify);

/// <summary>
/// The engine a build talks to, why it was chosen (which setting named it), and for tcp:// the TLS files; or, when the
/// settings cannot name a usable engine, the coded diagnostic that says so.
/// </summary>
public sealed record EngineEndpoint(string Host, string Reason, EngineTls? Tls = null, Diagnostic? Problem = null)
{
    /// <summary>The line every build logs: the endpoint (without any user info) and the setting it came from.</summary>
    public string Describe()
    {
        if (Problem is not null) return $"MlEnv: no usable Docker engine from {Reason}: {Problem.Code}.";
        var tls = Tls is null ? "" : Tls.Verify ? $", TLS verified with the CA and client certificate in {Tls.Directory}" : $", TLS without verifying the engine's certificate ({Tls.Directory})";
        return $"MlEnv: Docker engine {EngineEndpoints.Display(Host)} (from {Reason}{tls}).";
    }
}

/// <summary>A setting names an engine MlEnv cannot use; the diagnostic says which and what to do.</summary>
public sealed class EngineEndpointException(Diagnostic diagnostic) : Exception(diagnostic.Message)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}

/// <summary>
/// Finds the engine the way the docker CLI does: MlEnvDockerHost, DOCKER_HOST, DOCKER_CONTEXT, the config file's
/// currentContext (through contexts/meta and contexts/tls), then the sockets that exist: the default one, rootless
/// Docker's and Podman's.
/// </summary>
public static class EngineEndpoints
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    // The tasks pass the endpoint between them as a string (MSBuild hands each task the same settings); what was
    // resolved for that string, TLS files and reason included, is kept here for the Docker client and the log line.
    private static readonly ConcurrentDictionary<string, EngineEndpoint> Resolved = new(StringComparer.Ordinal);

    /// <summary>Resolves and remembers the endpoint for the process's settings.</summary>
    /// <param name="setting">The name of the front end's own setting, for messages (a tool's --docker-host).</param>
    public static EngineEndpoint Resolve(string? configured, DockerSettings? settings = null, string setting = "MlEnvDockerHost")
    {
        var endpoint = Find(configured, settings ?? DockerSettings.Process, setting);
        Resolved[endpoint.Host] = endpoint;
        return endpoint;
    }

    /// <summary>What was resolved for <paramref name="host"/>, or <paramref name="host"/> taken as an explicit setting.</summary>
    public static EngineEndpoint ForHost(string host) =>
        Resolved.TryGetValue(host, out var known) ? known : FromHost(host, "the caller", DockerSettings.Process);

    public static EngineEndpoint Find(string? configured, DockerSettings settings, string setting = "MlEnvDockerHost")
    {
        if (!string.IsNullOrWhiteSpace(configured)) return FromHost(configured.Trim(), setting, settings);
        if (settings.Variable("DOCKER_HOST") is { } host && !string.IsNullOrWhiteSpace(host)) return FromHost(host.Trim(), "DOCKER_HOST", settings);
        if (settings.Variable("DOCKER_CONTEXT") is { } named && !string.IsNullOrWhiteSpace(named))
            return FromContext(named.Trim(), "DOCKER_CONTEXT", settings) ?? Sockets("DOCKER_CONTEXT=default", settings);
        try
        {
            using var config = DockerConfig.Read(settings.ConfigFile);
            if (config is not null && DockerConfig.String(config.RootElement, "currentContext") is { Length: > 0 } current)
                return FromContext(current, $"currentContext in {settings.ConfigFile}", settings) ?? Sockets($"currentContext \"default\" in {settings.ConfigFile}", settings);
        }
        catch (DockerConfigException e)
        {
            return Unusable(settings.ConfigFile, "the Docker config file", DiagnosticCatalog.DockerConfigUnreadable.Create(e.File, e.Reason));
        }
        return Sockets(null, settings);
    }

    /// <summary>The first socket that exists: the default one, rootless Docker's, then Podman's (rootless, then system).</summary>
    private static EngineEndpoint Sockets(string? reason, DockerSettings settings)
    {
        if (OperatingSystem.IsWindows()) return new EngineEndpoint("npipe://./pipe/docker_engine", reason ?? "the default named pipe");
        var candidates = new List<(string Path, string Why)> { ("/var/run/docker.sock", "the default socket") };
        if (settings.Variable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            candidates.Add((Path.Combine(runtime, "docker.sock"), "rootless Docker's socket"));
            candidates.Add((Path.Combine(runtime, "podman", "podman.sock"), "Podman's rootless socket"));
        }
        candidates.Add(("/run/podman/podman.sock", "Podman's system socket"));
        foreach (var (path, why) in candidates)
            if (settings.SocketExists(path)) return new EngineEndpoint("unix://" + path, reason is null ? why : $"{reason}: {why}");
        return new EngineEndpoint(DefaultSocket, (reason is null ? "" : reason + ": ") + "the default socket (no engine socket found)");
    }

    /// <summary>A host from a setting. tcp:// takes its TLS files from DOCKER_TLS_VERIFY / DOCKER_TLS and DOCKER_CERT_PATH.</summary>
    private static EngineEndpoint FromHost(string host, string reason, DockerSettings settings)
    {
        if (Check(host, reason) is { } problem) return problem;
        var uri = new Uri(host);
        if (uri.Scheme is not ("tcp" or "https")) return new EngineEndpoint(host, reason);
        var verify = settings.Variable("DOCKER_TLS_VERIFY") is { Length: > 0 };
        var tls = verify || settings.Variable("DOCKER_TLS") is { Length: > 0 } || uri.Scheme == "https";
        if (!tls) return new EngineEndpoint(host, reason);
        var directory = settings.Variable("DOCKER_CERT_PATH") is { Length: > 0 } p ? p : settings.ConfigDirectory;
        return WithTls(host, reason, directory, verify);
    }

    /// <summary>null for "default" (the engine DOCKER_HOST or the sockets give); else the context's endpoint.</summary>
    private static EngineEndpoint? FromContext(string name, string reason, DockerSettings settings)
    {
        if (name == "default") return null;
        var why = $"Docker context \"{name}\" ({reason})";
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        var meta = Path.Combine(settings.ConfigDirectory, "contexts", "meta", id, "meta.json");
        string? host;
        bool skipVerify;
        try
        {
            using var document = DockerConfig.Read(meta);
            if (document is null)
                return Unusable($"context {name}", why, DiagnosticCatalog.UnknownDockerContext.Create(name, reason, KnownContexts(settings)));
            var docker = document.RootElement.TryGetProperty("Endpoints", out var endpoints) && endpoints.ValueKind == JsonValueKind.Object
                && endpoints.TryGetProperty("docker", out var d) ? d : default;
            host = DockerConfig.String(docker, "Host");
            skipVerify = docker.ValueKind == JsonValueKind.Object && docker.TryGetProperty("SkipTLSVerify", out var skip) && skip.ValueKind == JsonValueKind.True;
            if (string.IsNullOrWhiteSpace(host))
                return Unusable($"context {name}", why, DiagnosticCatalog.DockerConfigUnreadable.Create(meta, "no Endpoints.docker.Host"));
        }
        catch (DockerConfigException e)
        {
            return Unusable($"context {name}", why, DiagnosticCatalog.DockerConfigUnreadable.Create(e.File, e.Reason));
        }
        host = host.Trim();
        if (Check(host, why) is { } problem) return problem;
        var tlsDirectory = Path.Combine(settings.ConfigDirectory, "contexts", "tls", id, "docker");
        var hasTlsFiles = new[] { "ca.pem", "cert.pem", "key.pem" }.Any(f => File.Exists(Path.Combine(tlsDirectory, f)));
        var scheme = new Uri(host).Scheme;
        if (scheme is not ("tcp" or "https") || (!hasTlsFiles && !skipVerify && scheme != "https")) return new EngineEndpoint(host, why);
        return WithTls(host, why, tlsDirectory, verify: !skipVerify);
    }

    private static EngineEndpoint WithTls(string host, string reason, string directory, bool verify)
    {
        string? File(string name) => System.IO.File.Exists(Path.Combine(directory, name)) ? Path.Combine(directory, name) : null;
        var tls = new EngineTls(directory, File("ca.pem"), File("cert.pem"), File("key.pem"), verify);
        if (verify && tls.CaFile is null)
            return Unusable(host, reason, DiagnosticCatalog.EngineTlsFilesUnusable.Create(Display(host), $"no ca.pem in {directory}"));
        // MlEnv always presents a client certificate: a TLS engine without client verification is not a set-up it supports.
        if (tls.CertFile is null || tls.KeyFile is null)
            return Unusable(host, reason, DiagnosticCatalog.EngineTlsFilesUnusable.Create(Display(host), $"no {(tls.CertFile is null ? "cert.pem" : "key.pem")} in {directory}"));
        return new EngineEndpoint(host, reason, tls);
    }

    /// <summary>ssh:// and addresses that are not URIs are refused with what to use instead.</summary>
    private static EngineEndpoint? Check(string host, string reason)
    {
        if (host.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase))
            return Unusable(host, reason, DiagnosticCatalog.SshEngineUnsupported.Create(Display(host), reason));
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https" or "npipe"))
            return Unusable(host, reason, DiagnosticCatalog.InvalidEngineEndpoint.Create(Display(host), reason));
        return null;
    }

    private static EngineEndpoint Unusable(string host, string reason, Diagnostic problem) => new(host, reason, null, problem);

    /// <summary>The names of the contexts in the config folder, for the unknown-context message (at most 20).</summary>
    private static string KnownContexts(DockerSettings settings)
    {
        var names = new List<string> { "default" };
        var root = Path.Combine(settings.ConfigDirectory, "contexts", "meta");
        try
        {
            if (Directory.Exists(root))
                foreach (var dir in Directory.EnumerateDirectories(root).Take(20))
                {
                    try
                    {
                        using var meta = DockerConfig.Read(Path.Combine(dir, "meta.json"));
                        if (meta is not null && DockerConfig.String(meta.RootElement, "Name") is { Length: > 0 } n) names.Add(n);
                    }
                    catch (DockerConfigException) { }
                }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the list is a hint; the error stands without it
        return string.Join(", ", names.Order(StringComparer.Ordinal));
    }

    /// <summary>An endpoint as it may be shown: never with user info (tcp://user:secret@host).</summary>
    public static string Display(string host)
    {
        // The last '@' ends the user info: a password may hold '@' itself.
        var at = host.LastIndexOf('@');
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme > 0 && at > scheme ? host[..(scheme + 3)] + host[(at + 1)..] : host;
    }

    /// <summary>
    /// The coded diagnostic for an engine that could not be used: the setting's own problem, a TLS handshake the
    /// engine refused (a wrong client certificate or CA), or else MLENV2001 (unreachable).
    /// </summary>
    public static Diagnostic Diagnose(string host, Exception failure)
    {
        if (failure is EngineEndpointException known) return known.Diagnostic;
        var endpoint = ForHost(host);
        if (endpoint.Tls is { } tls && IsTlsFailure(failure))
            return DiagnosticCatalog.EngineTlsRefused.Create(Display(host), Innermost(failure), tls.Directory);
        return DiagnosticCatalog.EngineUnreachable.Create(Display(host), failure.Message);
    }

    // A refused connection is a SocketException; a handshake the engine rejects (an unknown client certificate) or a
    // server certificate that fails verification surfaces as an AuthenticationException or an IOException from the
    // TLS stream.
    private static bool IsTlsFailure(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException) return false;
            if (inner is System.Security.Authentication.AuthenticationException) return true;
        }
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is IOException) return true;
        return false;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return EngineText.Clean(e.Message);
    }
}
