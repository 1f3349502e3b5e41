using Docker.DotNet;
using Docker.DotNet.Models;
using MlEnv.Images;
using MlEnv.Registry;

namespace MlEnv.Engine;

public sealed record ListedImage(string Id, IReadOnlyList<string> Tags, IReadOnlyDictionary<string, string> Labels, DateTime Created, long Size);

public sealed record EngineVersion(string? Version, string? ApiVersion, string? MinApiVersion, string? Os, string? Arch, string? Platform);

public sealed record EngineImage(string Id, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Tags, IReadOnlyList<string> Layers);

public sealed record BuildRequest(Stream Context, bool NoCache, string? NetworkMode, IReadOnlyDictionary<string, string>? BuildArguments = null)
{
    public override string ToString() => $"BuildRequest(NoCache={NoCache}, NetworkMode={NetworkMode})";
}

/// <summary>The outcome of a build: the image id, or the failing step and the last lines it printed.</summary>
public sealed record BuildOutcome(string? ImageId, string? FailedStep, string? Error, IReadOnlyList<string> LastLines)
{
    public bool Success => ImageId is not null;

    /// <summary>MLENV2002 naming the failing step, with its last lines.</summary>
    public Diagnostics.Diagnostic ToDiagnostic() => Diagnostics.DiagnosticCatalog.BuildStepFailed.Create(
        FailedStep, Error, string.Join("\n", LastLines.TakeLast(10).Select(l => "  " + l)));
}


/// <summary>Thrown when the engine cannot be reached or fails outside a build step.</summary>
public sealed class EngineUnavailableException(string message, Exception? inner = null) : Exception(EngineText.Clean(message), inner);

/// <summary>
/// The few Docker Engine API calls MlEnv needs, over Docker.DotNet.Enhanced. The endpoint is always explicit and
/// the API version pinned to 1.41, which both current engines and Debian's docker.io 20.10 speak.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    public const string HashLabel = "org.mlenv.definition-hash";
    public const string NameLabel = "org.mlenv.name";
    public const string DefinitionLabel = "org.mlenv.definition";
    public const string SdkVersionLabel = "org.mlenv.sdk-version";
    /// <summary>
    /// "environment" on an environment image; an image derived from it (the scoring service) overrides it, since
    /// derived images inherit every label, the definition hash included.
    /// </summary>
    public const string KindLabel = "org.mlenv.kind";
    public const string EnvironmentKind = "environment";
    public const string ServiceHashLabel = "org.mlenv.service-hash";
    private static readonly System.Version ApiVersion = new(1, 41);
    /// <summary>The API version MlEnv speaks (pinned).</summary>
    public static string ClientApiVersion => ApiVersion.ToString();
    private readonly DockerClient client;

    public string Endpoint { get; }

    public DockerEngine(string endpoint)
    {
        Endpoint = endpoint;
        client = EngineConnection.Create(endpoint, ApiVersion);
    }

    /// <summary>The engine the docker CLI would use (see <see cref="EngineEndpoints"/>), MlEnvDockerHost first.</summary>
    public static string ResolveEndpoint(string? configured) => EngineEndpoints.Resolve(configured).Host;

    public async Task PingAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await Guard(() => client.System.PingAsync(timeout.Token), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The environment image of a definition: among the images carrying its hash label (derived images inherit
    /// it), those not marked as another kind whose last step is MlEnv's LABEL step, and of them the ancestor —
    /// fewest layers, then fewest history entries, since an image built FROM another has at least its layers and
    /// history. Equal candidates (a refreshed rebuild) go to the newest.
    /// </summary>
    public async Task<EngineImage?> FindByHashAsync(string hash, CancellationToken ct)
    {
        var images = await Guard(() => client.Images.ListImagesAsync(new ImagesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{HashLabel}={hash}"] = true } },
        }, ct), ct).ConfigureAwait(false);
        var candidates = new List<(EngineImage Image, int History, DateTime Created)>();
        foreach (var listed in images)
        {
            if (!IsEnvironmentImage(listed.Labels)) continue;
            if (await InspectAsync(listed.ID, ct).ConfigureAwait(false) is not { } image) continue;
            var history = await Guard(() => client.Images.GetImageHistoryAsync(listed.ID, ct), ct).ConfigureAwait(false);
            // An environment image ends with MlEnv's LABEL step; an image built on it ends with its own steps.
            if (history.Count == 0 || !EndsWithOwnLabelStep(history[0].CreatedBy, hash)) continue;
            candidates.Add((image, history.Count, listed.Created));
        }
        return candidates.OrderBy(c => c.Image.Layers.Count).ThenBy(c => c.History).ThenByDescending(c => c.Created)
            .Select(c => c.Image).FirstOrDefault();
    }

    /// <summary>
    /// Whether the newest history entry is the LABEL step that set this definition hash (MlEnv's last step on every
    /// environment image, built, pulled or rebuilt from a download); newest first, as the engine lists history.
    /// </summary>
    public static bool EndsWithOwnLabelStep(string? createdBy, string hash) =>
        createdBy is not null && createdBy.Contains("LABEL", StringComparison.Ordinal) && createdBy.Contains(HashLabel, StringComparison.Ordinal)
        && createdBy.Contains(hash, StringComparison.Ordinal);

    /// <summary>False for an image that says it is something built on an environment (a scoring service).</summary>
    public static bool IsEnvironmentImage(IEnumerable<KeyValuePair<string, string>>? labels) =>
        labels is null || labels.All(l => l.Key != ServiceHashLabel && (l.Key != KindLabel || l.Value == EnvironmentKind));

    public async Task<EngineImage?> InspectAsync(string idOrReference, CancellationToken ct)
    {
        try
        {
            var i = await Guard(() => client.Images.InspectImageAsync(idOrReference, ct), ct).ConfigureAwait(false);
            return new EngineImage(i.ID, (IReadOnlyDictionary<string, string>?)i.Config?.Labels?.AsReadOnly() ?? new Dictionary<string, string>(),
                i.RepoTags?.ToList() ?? [], i.RootFS?.Layers?.ToList() ?? []);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task TagAsync(string imageId, string repository, string tag, CancellationToken ct) =>
        Guard(() => client.Images.TagImageAsync(imageId, new ImageTagParameters { RepositoryName = repository, Tag = tag }, ct), ct);

    /// <summary>Pushes repository:tag; returns the manifest digest, or throws <see cref="RegistryException"/> with the engine's message.</summary>
    /// <param name="onProgress">The layers' progress as one line (see <see cref="LayerProgress"/>), for a live display.</param>
    public async Task<string> PushAsync(string repository, string tag, AuthConfig? auth, Action<string> onLine, CancellationToken ct, Action<string>? onProgress = null)
    {
        string? digest = null, error = null;
        var layers = onProgress is null ? null : new LayerProgress("Pushing " + LayerProgress.Reference(repository, tag), onProgress);
        var progress = new Progress(m =>
        {
            layers?.Update(m.ID, m.Status, m.Progress?.Current, m.Progress?.Total);
            if (m.Error?.Message is { } e) error = EngineText.Clean(e);
            if (m.Aux?.ExtensionData?.TryGetValue("Digest", out var d) == true) digest = d?.ToString();
            if (m.Status is { } status && m.Progress is null) onLine(EngineText.Clean(m.ID is null ? status : $"{m.ID}: {status}"));
        });
        try
        {
            await Guard(() => client.Images.PushImageAsync(repository, new ImagePushParameters { Tag = tag }, auth ?? new AuthConfig(), progress, ct), ct, registryCall: true).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw new RegistryException(EngineText.Clean(e.ResponseBody?.Trim() ?? e.Message));
        }
        if (error is not null) throw new RegistryException(error);
        return digest ?? throw new RegistryException("the engine reported no digest");
    }

    /// <summary>Pulls repository:tag. False when the registry does not have it; throws <see cref="RegistryException"/> otherwise.</summary>
    /// <param name="onProgress">The layers' progress as one line (see <see cref="LayerProgress"/>), for a live display.</param>
    public async Task<bool> PullAsync(string repository, string tag, AuthConfig? auth, CancellationToken ct, Action<string>? onProgress = null)
    {
        string? error = null;
        var layers = onProgress is null ? null : new LayerProgress("Pulling " + LayerProgress.Reference(repository, tag), onProgress);
        var progress = new Progress(m =>
        {
            layers?.Update(m.ID, m.Status, m.Progress?.Current, m.Progress?.Total);
            if (m.Error?.Message is { } e) error = EngineText.Clean(e);
        });
        try
        {
            await Guard(() => client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = repository, Tag = tag }, auth ?? new AuthConfig(), progress, ct), ct, registryCall: true).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound || IsNotFound(e.ResponseBody))
        {
            return false;
        }
        catch (DockerApiException e)
        {
            throw new RegistryException(EngineText.Clean(e.ResponseBody?.Trim() ?? e.Message));
        }
        if (error is null) return true;
        if (IsNotFound(error)) return false;
        throw new RegistryException(error);
    }

    private static bool IsNotFound(string? message) => message is not null &&
        (message.Contains("manifest unknown", StringComparison.OrdinalIgnoreCase) || message.Contains("not found", StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes `docker save` of the references to a file.</summary>
    public async Task SaveAsync(IReadOnlyList<string> references, string path, CancellationToken ct)
    {
        await using var tar = await Guard(() => client.Images.SaveImagesAsync(references.ToArray(), ct), ct).ConfigureAwait(false);
        await using var file = File.Create(path);
        await tar.CopyToAsync(file, ct).ConfigureAwait(false);
    }

    public async Task<bool> HasNvidiaRuntimeAsync(CancellationToken ct)
    {
        var info = await Guard(() => client.System.GetSystemInfoAsync(ct), ct).ConfigureAwait(false);
        return info.Runtimes?.ContainsKey("nvidia") == true;
    }

    /// <summary>Creates a container (not started); directories are created in it first so the user can write them.</summary>
    public async Task<string> CreateContainerAsync(CreateContainerParameters parameters, IReadOnlyList<string> writableDirectories, CancellationToken ct)
    {
        var created = await Guard(() => client.Containers.CreateContainerAsync(parameters, ct), ct).ConfigureAwait(false);
        if (writableDirectories.Count > 0)
        {
            using var tar = new MemoryStream();
            using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: true))
                foreach (var dir in writableDirectories)
                    writer.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.Directory, dir.TrimStart('/') + "/")
                    {
                        Mode = (UnixFileMode)0x1FF,
                        ModificationTime = DateTimeOffset.UtcNow,
                    });
            tar.Position = 0;
            await Guard(() => client.Containers.ExtractArchiveToContainerAsync(created.ID, new CopyToContainerParameters { Path = "/" }, tar, ct), ct).ConfigureAwait(false);
        }
        return created.ID;
    }

    /// <summary>Starts the container, streams its output line by line as it comes, and returns its exit code.</summary>
    public async Task<long> RunContainerAsync(string id, Action<string> onLine, CancellationToken ct)
    {
        await Guard(() => client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct), ct).ConfigureAwait(false);
        var reading = ReadLogsAsync(id, onLine, ct);
        var wait = await Guard(() => client.Containers.WaitContainerAsync(id, ct), ct).ConfigureAwait(false);
        // The log stream ends with the container; its last bytes may trail the exit by a moment. A log stream that
        // broke does not change how the container ended.
        try { await reading.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false); }
        catch (Exception e) when (e is TimeoutException or IOException or HttpRequestException or DockerApiException) { }
        return wait.StatusCode;
    }

    // The multiplexed (non-tty) log stream, read frame by frame, so lines arrive while the container runs.
    private async Task ReadLogsAsync(string id, Action<string> onLine, CancellationToken ct)
    {
        using var stream = await client.Containers.GetContainerLogsAsync(id,
            new ContainerLogsParameters { Follow = true, ShowStdout = true, ShowStderr = true }, ct).ConfigureAwait(false);
        var decoder = System.Text.Encoding.UTF8.GetDecoder();
        var buffer = new byte[8192];
        var chars = new char[System.Text.Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var pending = new System.Text.StringBuilder();
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
            if (read.EOF) break;
            pending.Append(chars, 0, decoder.GetChars(buffer, 0, read.Count, chars, 0));
            var text = pending.ToString();
            int start = 0, newline;
            while ((newline = text.IndexOf('\n', start)) >= 0)
            {
                onLine(EngineText.Clean(text[start..newline]));
                start = newline + 1;
            }
            pending.Clear().Append(text, start, text.Length - start);
        }
        if (pending.Length > 0) onLine(EngineText.Clean(pending.ToString()));
    }

    /// <summary>Copies a directory out of a (stopped) container into <paramref name="target"/>.</summary>
    public async Task CopyFromContainerAsync(string id, string path, string target, CancellationToken ct)
    {
        var archive = await Guard(() => client.Containers.GetArchiveFromContainerAsync(id, new ContainerPathStatParameters { Path = path }, false, ct), ct).ConfigureAwait(false);
        Directory.CreateDirectory(target);
        var prefix = Path.GetFileName(path.TrimEnd('/')) + "/";
        // Spool the archive first: the client's chunked stream does not stand up to the tar reader's partial reads,
        // and outputs (models) can be large, so to a temporary file rather than memory.
        var spool = Path.GetTempFileName();
        await using var file = new FileStream(spool, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        await using (var source = archive.Stream ?? throw new EngineUnavailableException($"the engine sent no archive of {path}"))
            await source.CopyToAsync(file, ct).ConfigureAwait(false);
        file.Position = 0;
        using var reader = new System.Formats.Tar.TarReader(file, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (!entry.Name.StartsWith(prefix, StringComparison.Ordinal) || entry.Name.Length == prefix.Length) continue;
            var relative = entry.Name[prefix.Length..];
            var destination = Path.GetFullPath(Path.Combine(target, relative));
            if (!destination.StartsWith(Path.GetFullPath(target), StringComparison.Ordinal)) continue; // no escaping the target
            if (entry.EntryType == System.Formats.Tar.TarEntryType.Directory) Directory.CreateDirectory(destination);
            else if (entry.EntryType is System.Formats.Tar.TarEntryType.RegularFile or System.Formats.Tar.TarEntryType.V7RegularFile)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                await entry.ExtractToFileAsync(destination, overwrite: true, ct).ConfigureAwait(false);
            }
        }
    }

    public async Task RemoveContainerAsync(string id)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException) { }
    }

    public Task RemoveImageAsync(string reference, CancellationToken ct) => RemoveImageAsync(reference, force: true, ct);

    /// <summary>Without force the engine refuses to remove an image a container uses (a DockerApiException, 409).</summary>
    public async Task RemoveImageAsync(string reference, bool force, CancellationToken ct)
    {
        try { await Guard(() => client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = force }, ct), ct).ConfigureAwait(false); }
        catch (DockerImageNotFoundException) { }
    }

    /// <summary>
    /// Builds without a tag: the caller tags only after checking the result, so nothing half-built is ever named.
    /// Each output line goes to <paramref name="onLine"/>, control sequences removed; a failing RUN arrives as an
    /// error message, not an exception. <paramref name="trace"/> collects the images and containers the build made,
    /// as the output names them, even when the build fails or is cancelled.
    /// </summary>
    public async Task<BuildOutcome> BuildAsync(BuildRequest request, Action<string> onLine, CancellationToken ct, BuildTrace? trace = null)
    {
        string? imageId = null, error = null, step = null;
        var last = new Queue<string>();
        var pending = "";
        var progress = new Progress(message =>
        {
            if (message.Error?.Message is { } e) error = EngineText.Clean(e);
            if (message.Aux?.ExtensionData?.TryGetValue("ID", out var id) == true && id?.ToString() is { } s) imageId = s;
            if (message.Stream is not { } text) return;
            pending += text;
            int newline;
            while ((newline = pending.IndexOf('\n')) >= 0)
            {
                var line = EngineText.Clean(pending[..newline]);
                pending = pending[(newline + 1)..];
                trace?.Observe(line);
                if (BuildTrace.IsStep(line)) { step = line; last.Clear(); }
                else { last.Enqueue(line); if (last.Count > 20) last.Dequeue(); }
                if (line.StartsWith("Successfully built ", StringComparison.Ordinal)) imageId ??= line["Successfully built ".Length..].Trim();
                onLine(line);
            }
        });

        var parameters = new ImageBuildParameters
        {
            Dockerfile = "Dockerfile",
            BuildArgs = request.BuildArguments?.ToDictionary(a => a.Key, a => a.Value),
            NoCache = request.NoCache,
            Remove = true,
            ForceRemove = true,
            NetworkMode = request.NetworkMode,
            // Version stays unset: asking for BuildKit makes Docker.DotNet's JSON reader fail.
        };
        await Guard(() => client.Images.BuildImageFromDockerfileAsync(parameters, request.Context, null, null, progress, ct), ct).ConfigureAwait(false);
        if (pending.Length > 0) { var line = EngineText.Clean(pending); trace?.Observe(line); onLine(line); }
        if (error is not null) return new BuildOutcome(null, step ?? "(before the first step)", error, last.ToList());
        if (imageId is null) return new BuildOutcome(null, step ?? "(unknown)", "the engine reported no image id", last.ToList());
        return new BuildOutcome(imageId, null, null, []);
    }

    /// <summary>
    /// Removes the images of the build's side stages (see <see cref="BuildTrace.SideStageImages"/>), newest first,
    /// and any container the build left. With the classic builder, a RUN step records its build
    /// arguments in the intermediate image's history and container config; the final image never descends from
    /// a side stage, so removing them takes those records off the engine. Never throws: the caller's outcome
    /// (success, failure or cancellation) stands.
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveSideStagesAsync(BuildTrace trace, IEnumerable<string> arguments, bool completed)
    {
        var failures = new List<string>();
        foreach (var container in trace.Containers)
        {
            try { await RemoveContainerAsync(container).ConfigureAwait(false); }
            // Whatever went wrong (the engine gone too), the build's own outcome stands; the warning names what is left.
            catch (Exception e) { failures.Add($"container {container}: {EngineText.Clean(e.Message)}"); }
        }
        foreach (var image in Enumerable.Reverse(trace.SideStageImages(arguments, completed)))
        {
            try
            {
                // A tagged image is nobody's intermediate (Podman names a stage's base image in its output too).
                var found = await client.Images.InspectImageAsync(image, CancellationToken.None).ConfigureAwait(false);
                if (found.RepoTags is { Count: > 0 }) continue;
                await client.Images.DeleteImageAsync(found.ID, new ImageDeleteParameters { Force = false, NoPrune = true }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DockerImageNotFoundException) { }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound) { }
            catch (Exception e) { failures.Add($"image {image}: {EngineText.Clean(e.Message)}"); }
        }
        return failures;
    }

    private static async Task Guard(Func<Task> call, CancellationToken ct, bool registryCall = false) =>
        await Guard(async () => { await call().ConfigureAwait(false); return true; }, ct, registryCall).ConfigureAwait(false);

    /// <summary>Turns transport failures into one exception type; cancellation by the caller stays cancellation.</summary>
    /// <param name="registryCall">A push or pull: an error answer is the registry's (left to the caller), not the engine's.</param>
    private static async Task<T> Guard<T>(Func<Task<T>> call, CancellationToken ct, bool registryCall = false)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException or TimeoutException or OperationCanceledException or DockerConfigurationException
            or System.Security.Authentication.AuthenticationException
            // The TCP transport reports a refused connection as an AggregateException of SocketExceptions.
            or AggregateException { InnerException: System.Net.Sockets.SocketException or IOException })
        {
            throw new EngineUnavailableException(Describe(e), e);
        }
        catch (DockerApiException e) when (!registryCall && (int)e.StatusCode >= 500 && e is not DockerImageNotFoundException)
        {
            throw new EngineUnavailableException($"the engine answered {(int)e.StatusCode}: {e.ResponseBody?.Trim()}", e);
        }
    }

    private static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == e ? e.Message : $"{e.Message} ({inner.Message})";
    }

    private sealed class Progress(Action<JSONMessage> handler) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => handler(value);
    }



    /// <summary>The images carrying every one of the labels (key or key=value), as the engine lists them.</summary>
    public async Task<IReadOnlyList<ListedImage>> ListImagesAsync(IReadOnlyList<string> labels, CancellationToken ct)
    {
        var images = await Guard(() => client.Images.ListImagesAsync(new ImagesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels.ToDictionary(l => l, _ => true) },
        }, ct), ct).ConfigureAwait(false);
        return images.Select(i => new ListedImage(i.ID, i.RepoTags?.Where(t => t != "<none>:<none>").ToList() ?? [],
            (IReadOnlyDictionary<string, string>?)i.Labels?.AsReadOnly() ?? new Dictionary<string, string>(), i.Created, i.Size)).ToList();
    }

    /// <summary>The instruction of the image's newest history entry (its last step), or null.</summary>
    public async Task<string?> LastStepAsync(string id, CancellationToken ct)
    {
        var history = await Guard(() => client.Images.GetImageHistoryAsync(id, ct), ct).ConfigureAwait(false);
        return history.Count == 0 ? null : history[0].CreatedBy;
    }

    /// <summary>The engine's version and the API versions it speaks.</summary>
    public async Task<EngineVersion> VersionAsync(CancellationToken ct)
    {
        var v = await Guard(() => client.System.GetVersionAsync(ct), ct).ConfigureAwait(false);
        return new EngineVersion(v.Version, v.APIVersion, v.MinAPIVersion, v.Os, v.Arch, v.Components?.FirstOrDefault()?.Name);
    }

    public void Dispose() => client.Dispose();
}
