using System.Collections.Concurrent;

namespace MlEnv.Images;

/// <summary>
/// A lock per definition hash, across processes (an exclusive lock file) and within one (a semaphore), so that
/// parallel builds of one definition build the image once: the others wait, then find it.
/// </summary>
public sealed class HashLock : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcess = new();
    private readonly SemaphoreSlim semaphore;
    private readonly FileStream file;

    private HashLock(SemaphoreSlim semaphore, FileStream file) { this.semaphore = semaphore; this.file = file; }

    public static string DefaultDirectory => Path.Combine(Path.GetTempPath(), "mlenv-locks");

    public static async Task<HashLock> AcquireAsync(string hash, string directory, TimeSpan timeout, Action? onWait, CancellationToken ct)
    {
        var semaphore = InProcess.GetOrAdd(hash, _ => new SemaphoreSlim(1, 1));
        var deadline = DateTime.UtcNow + timeout;
        if (!await semaphore.WaitAsync(timeout, ct).ConfigureAwait(false)) throw new TimeoutException();
        try
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, hash + ".lock");
            bool told = false;
            while (true)
            {
                try
                {
                    return new HashLock(semaphore, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    if (!told) { onWait?.Invoke(); told = true; }
                    await Task.Delay(250, ct).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            semaphore.Release();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        file.Dispose();
        semaphore.Release();
        return ValueTask.CompletedTask;
    }
}
