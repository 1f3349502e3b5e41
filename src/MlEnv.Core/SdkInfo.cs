namespace MlEnv;

public static class SdkInfo
{
    /// <summary>The package version MlEnv was built with, in NuGet's normal form (images carry it as a label).</summary>
    public static readonly string Version = Read();

    private static string Read()
    {
        var informational = typeof(SdkInfo).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0];
        return NuGet.Versioning.NuGetVersion.TryParse(informational, out var version) ? version.ToNormalizedString() : "0.0.0";
    }
}
