using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MlEnv.Registry;

/// <summary>The labels and creation time an image's config carries, and the manifest digest it was read through.</summary>
public sealed record RemoteImage(string Digest, IReadOnlyDictionary<string, string> Labels, DateTime Created);

/// <summary>
/// Reads a registry through the Distribution (v2) HTTP API: catalog, tags, manifests and image configs. Credentials
/// come from <see cref="RegistryAuth"/> and answer a Basic or a Bearer (token service) challenge; they are never
/// logged or put in an exception message. HTTPS and plain HTTP as <see cref="RegistryTls"/> decides.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.index.v1+json",
    ];

    private readonly HttpClient http;
    private readonly string baseUrl;
    // Read at the first challenge, not at construction: a credential helper is a process (and on some systems a
    // keychain prompt), and an anonymous registry, or a no-op build that only lists, never needs it.
    private readonly Lazy<Docker.DotNet.Models.AuthConfig?> lazyAuth;
    private Docker.DotNet.Models.AuthConfig? Auth => lazyAuth.Value;
    private AuthenticationHeaderValue? authorization;
    private string? authProblem; // a credential helper that is missing or failed: the reason a 401 follows

    public string Registry { get; }

    /// <param name="credentials">The credentials to use instead of <see cref="RegistryAuth"/>'s (tests).</param>
    public RegistryClient(string registry, TimeSpan? timeout = null, Docker.DotNet.Models.AuthConfig? credentials = null)
    {
        Registry = registry;
        var host = registry.Split('/')[0];
        baseUrl = (RegistryTls.IsPlainHttp(host) ? "http://" : "https://") + host;
        http = RegistryTls.CreateClient(host, timeout ?? TimeSpan.FromSeconds(30));
        lazyAuth = new(() => credentials ?? RegistryAuth.For(registry, d => authProblem ??= d.ToString()));
    }

    /// <summary>Every repository the registry lists (the catalog API, followed page by page).</summary>
    public Task<IReadOnlyList<string>> RepositoriesAsync(CancellationToken ct) =>
        ListAsync("/v2/_catalog?n=1000", "registry:catalog:*", "repositories", "list repositories", missingIsEmpty: false, ct);

    /// <summary>The repository's tags; none when the registry does not know it.</summary>
    public Task<IReadOnlyList<string>> TagsAsync(string repository, CancellationToken ct) =>
        ListAsync($"/v2/{repository}/tags/list", $"repository:{repository}:pull", "tags", $"list the tags of {repository}", missingIsEmpty: true, ct);

    /// <summary>A paged list (the Link header's next page) of one JSON array property.</summary>
    /// <param name="missingIsEmpty">A 404 means an empty list (an unknown repository), not a registry that cannot list.</param>
    private async Task<IReadOnlyList<string>> ListAsync(string first, string scope, string property, string what, bool missingIsEmpty, CancellationToken ct)
    {
        var values = new List<string>();
        for (string? next = first; next is not null;)
        {
            using var response = await SendAsync(next, null, scope, ct).ConfigureAwait(false);
            if (missingIsEmpty && response.StatusCode == HttpStatusCode.NotFound) break;
            Ensure(response, what);
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            values.AddRange((json?[property] as JsonArray ?? []).Select(v => v!.GetValue<string>()));
            next = NextPage(response);
        }
        return values;
    }

    /// <summary>The labels and creation time of repository:reference (a tag or a digest), or null when it is not there.</summary>
    public async Task<RemoteImage?> ImageAsync(string repository, string reference, CancellationToken ct)
    {
        var scope = $"repository:{repository}:pull";
        using var response = await SendAsync($"/v2/{repository}/manifests/{reference}", ManifestTypes, scope, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        Ensure(response, $"read {repository}:{reference}");
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : "";
        var manifest = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        if (manifest?["manifests"] is JsonArray platforms)
        {
            // An index: MlEnv's images are linux/amd64 or linux/arm64 builds; read the first linux entry.
            var entry = platforms.FirstOrDefault(m => m?["platform"]?["os"]?.GetValue<string>() == "linux") ?? platforms.FirstOrDefault();
            if (entry?["digest"]?.GetValue<string>() is not { } child) return null;
            var inner = await ImageAsync(repository, child, ct).ConfigureAwait(false);
            return inner is null ? null : inner with { Digest = digest.Length > 0 ? digest : inner.Digest };
        }
        if (manifest?["config"]?["digest"]?.GetValue<string>() is not { } configDigest) return null;
        using var blob = await SendAsync($"/v2/{repository}/blobs/{configDigest}", null, scope, ct).ConfigureAwait(false);
        Ensure(blob, $"read the configuration of {repository}:{reference}");
        var config = JsonNode.Parse(await blob.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        var labels = (config?["config"]?["Labels"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
        var created = config?["created"]?.GetValue<string>() is { } c && DateTime.TryParse(c, null, System.Globalization.DateTimeStyles.AdjustToUniversal, out var t) ? t : DateTime.MinValue;
        return new RemoteImage(digest, labels, created);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string[]? accept, string scope, CancellationToken ct)
    {
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + path);
            foreach (var type in accept ?? []) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            request.Headers.Authorization = authorization;
            return request;
        }
        var response = await Send(Request(), ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || response.Headers.WwwAuthenticate.FirstOrDefault() is not { } challenge) return response;
        response.Dispose();
        authorization = await AnswerAsync(challenge, scope, ct).ConfigureAwait(false);
        return await Send(Request(), ct).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> Send(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            try { return await http.SendAsync(request, ct).ConfigureAwait(false); }
            catch (HttpRequestException e) { throw new RegistryException($"{Registry} cannot be reached: {e.Message}"); }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { throw new RegistryException($"{Registry} did not answer in time"); }
        }
    }

    private AuthenticationHeaderValue? Basic() => Auth?.Username is { Length: > 0 } user
        ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{Auth.Password}")))
        : null;

    private async Task<AuthenticationHeaderValue?> AnswerAsync(AuthenticationHeaderValue challenge, string scope, CancellationToken ct)
    {
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)) return Basic();
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return null;
        var parameters = (challenge.Parameter ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].ToLowerInvariant(), p => p[1].Trim('"'));
        if (!parameters.TryGetValue("realm", out var realm)) return null;
        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service)) query.Add("service=" + Uri.EscapeDataString(service));
        query.Add("scope=" + Uri.EscapeDataString(parameters.TryGetValue("scope", out var asked) ? asked : scope));
        using var request = Auth?.IdentityToken is { Length: > 0 } refreshToken
            ? IdentityTokenRequest(realm, refreshToken, service, parameters.TryGetValue("scope", out var s) ? s : scope)
            : new HttpRequestMessage(HttpMethod.Get, realm + (realm.Contains('?') ? "&" : "?") + string.Join('&', query)) { Headers = { Authorization = Basic() } };
        using var response = await Send(request, ct).ConfigureAwait(false);
        Ensure(response, "get a registry token");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        var token = json?["token"]?.GetValue<string>() ?? json?["access_token"]?.GetValue<string>();
        return token is null ? null : new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>
    /// An identity token (a credential helper's "&lt;token&gt;" answer, `identitytoken` in auths) is an OAuth2 refresh
    /// token: it is exchanged at the realm by POST, as the docker CLI and the engine do.
    /// </summary>
    private static HttpRequestMessage IdentityTokenRequest(string realm, string refreshToken, string? service, string scope)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"), new("refresh_token", refreshToken), new("client_id", "mlenv"), new("scope", scope),
        };
        if (service is not null) form.Add(new("service", service));
        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }

    private void Ensure(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode) return;
        var why = response.StatusCode == HttpStatusCode.Unauthorized
            ? (Auth is null ? authProblem ?? "it asks for credentials (MLENV_REGISTRY_USERNAME/PASSWORD or the Docker config file)" : "it refused the credentials")
            : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        throw new RegistryException($"{Registry} could not {what}: {why}");
    }

    // Link: </v2/_catalog?last=x&n=1000>; rel="next"
    private static string? NextPage(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var links) && links.FirstOrDefault() is { } link && link.Contains("rel=\"next\"") && link.IndexOf('<') is var start and >= 0
            ? link[(start + 1)..link.IndexOf('>')]
            : null;

    public void Dispose() => http.Dispose();
}
