namespace MlEnv.Diagnostics;

/// <summary>
/// Every diagnostic MlEnv reports. Codes are stable: a code is never reused for another meaning.
/// MLENV1xxx: the definition and its inputs. MLENV2xxx: the engine and image builds. MLENV3xxx: publishing —
/// registries, the scoring service image, bundles. MLENV4xxx: the dotnet-mlenv tool.
/// docs/diagnostics.md lists them; a unit test keeps that page, this class and Messages.resx in step.
/// </summary>
public static class DiagnosticCatalog
{
    private const DiagnosticSeverity E = DiagnosticSeverity.Error;
    private const DiagnosticSeverity W = DiagnosticSeverity.Warning;

    public static readonly DiagnosticDescriptor InvalidRequirement = new("MLENV1001", E);
    public static readonly DiagnosticDescriptor InvalidVersion = new("MLENV1002", E);
    public static readonly DiagnosticDescriptor InvalidSpecifier = new("MLENV1003", E);
    public static readonly DiagnosticDescriptor UnsupportedRequirementsOption = new("MLENV1004", E);
    public static readonly DiagnosticDescriptor IncludeCycle = new("MLENV1005", E);
    public static readonly DiagnosticDescriptor FileNotFound = new("MLENV1006", E);
    public static readonly DiagnosticDescriptor YamlSyntax = new("MLENV1007", E);
    public static readonly DiagnosticDescriptor EnvironmentFileShape = new("MLENV1008", E);
    public static readonly DiagnosticDescriptor InvalidMatchSpec = new("MLENV1009", E);
    public static readonly DiagnosticDescriptor ConflictingSpecs = new("MLENV1010", E);
    public static readonly DiagnosticDescriptor InvalidAptPackage = new("MLENV1011", E);
    public static readonly DiagnosticDescriptor InvalidVariable = new("MLENV1012", E);
    public static readonly DiagnosticDescriptor InvalidLabel = new("MLENV1013", E);
    public static readonly DiagnosticDescriptor InvalidWheel = new("MLENV1014", E);
    public static readonly DiagnosticDescriptor InvalidIndexUrl = new("MLENV1015", E);
    public static readonly DiagnosticDescriptor InvalidPythonVersion = new("MLENV1016", E);
    public static readonly DiagnosticDescriptor InvalidChannel = new("MLENV1017", E);
    public static readonly DiagnosticDescriptor CondaPrefixUnreadable = new("MLENV1018", E);
    public static readonly DiagnosticDescriptor InvalidGpu = new("MLENV1019", E);
    public static readonly DiagnosticDescriptor InvalidName = new("MLENV1020", E);
    public static readonly DiagnosticDescriptor ReservedName = new("MLENV1021", E);
    public static readonly DiagnosticDescriptor BaseDockerfileUsesContext = new("MLENV1022", E);
    public static readonly DiagnosticDescriptor ConflictingBase = new("MLENV1023", E);
    public static readonly DiagnosticDescriptor InvalidImageReference = new("MLENV1024", E);
    public static readonly DiagnosticDescriptor PythonVersionUnavailable = new("MLENV1025", E);
    public static readonly DiagnosticDescriptor PartialHashes = new("MLENV1026", E);
    public static readonly DiagnosticDescriptor UserManagedIgnoresPackages = new("MLENV1027", W);
    public static readonly DiagnosticDescriptor InvalidRequirementsLine = new("MLENV1028", E);
    public static readonly DiagnosticDescriptor InvalidExecutable = new("MLENV1029", E);
    public static readonly DiagnosticDescriptor CredentialsWithoutIndex = new("MLENV1030", W);
    public static readonly DiagnosticDescriptor CredentialsWithBaseDockerfile = new("MLENV1031", E);
    public static readonly DiagnosticDescriptor InvalidCredentials = new("MLENV1032", E);
    public static readonly DiagnosticDescriptor UnknownCurated = new("MLENV1033", E);
    public static readonly DiagnosticDescriptor NoRegisteredEnvironment = new("MLENV1034", E);
    public static readonly DiagnosticDescriptor InvalidStoreRequest = new("MLENV1035", E);
    public static readonly DiagnosticDescriptor ParentConflict = new("MLENV1036", E);
    public static readonly DiagnosticDescriptor ControlCharacter = new("MLENV1037", E);
    public static readonly DiagnosticDescriptor PipMisreadsRequirement = new("MLENV1038", E);
    public static readonly DiagnosticDescriptor MarkerTooDeep = new("MLENV1039", E);
    public static readonly DiagnosticDescriptor FileUnreadable = new("MLENV1040", E);
    public static readonly DiagnosticDescriptor CredentialsInRequirement = new("MLENV1042", E);
    public static readonly DiagnosticDescriptor LocalRequirement = new("MLENV1044", E);
    public static readonly DiagnosticDescriptor ForbiddenCharacter = new("MLENV1045", E);
    public static readonly DiagnosticDescriptor BaseDockerfileDirective = new("MLENV1046", E);
    public static readonly DiagnosticDescriptor BaseDockerfileUnterminated = new("MLENV1047", E);
    public static readonly DiagnosticDescriptor ImageReferenceTooLong = new("MLENV1048", E);
    public static readonly DiagnosticDescriptor InputLimitExceeded = new("MLENV1049", E);
    public static readonly DiagnosticDescriptor NotARegularFile = new("MLENV1050", E);
    public static readonly DiagnosticDescriptor CredentialsInUrl = new("MLENV1051", E);
    public static readonly DiagnosticDescriptor InvalidBooleanProperty = new("MLENV1055", E);
    public static readonly DiagnosticDescriptor InvalidNumberProperty = new("MLENV1056", E);
    public static readonly DiagnosticDescriptor InvalidChoiceProperty = new("MLENV1057", E);
    public static readonly DiagnosticDescriptor InvalidPathProperty = new("MLENV1058", E);
    public static readonly DiagnosticDescriptor StoreUnusable = new("MLENV1059", E);
    public static readonly DiagnosticDescriptor OutputUnwritable = new("MLENV1060", E);
    /// <summary>Raised by the SDK's targets (not a task): an MSBuild on .NET Framework older than 18.</summary>
    public static readonly DiagnosticDescriptor UnsupportedMSBuild = new("MLENV1065", E);

    public static readonly DiagnosticDescriptor EngineUnreachable = new("MLENV2001", W);
    public static readonly DiagnosticDescriptor BuildStepFailed = new("MLENV2002", E);
    public static readonly DiagnosticDescriptor BuildCancelled = new("MLENV2003", E);
    public static readonly DiagnosticDescriptor EngineFailed = new("MLENV2004", E);
    public static readonly DiagnosticDescriptor PythonVersionMismatch = new("MLENV2005", E);
    public static readonly DiagnosticDescriptor LockTimeout = new("MLENV2006", E);
    public static readonly DiagnosticDescriptor Rebuilding = new("MLENV2007", DiagnosticSeverity.Message);
    public static readonly DiagnosticDescriptor NoGpuRuntime = new("MLENV2008", E);
    public static readonly DiagnosticDescriptor RunFailed = new("MLENV2009", E);
    public static readonly DiagnosticDescriptor InvalidRunInput = new("MLENV2010", E);
    public static readonly DiagnosticDescriptor GpuWithoutRuntime = new("MLENV2011", W);
    public static readonly DiagnosticDescriptor InvalidDockerHost = new("MLENV2017", E);
    public static readonly DiagnosticDescriptor ImageNotBuilt = new("MLENV2018", E);
    public static readonly DiagnosticDescriptor InvalidBuildNetwork = new("MLENV2019", E);

    public static readonly DiagnosticDescriptor RegistryLookupFailed = new("MLENV3001", W);
    public static readonly DiagnosticDescriptor PushFailed = new("MLENV3002", E);
    public static readonly DiagnosticDescriptor InvalidRegistry = new("MLENV3003", E);
    public static readonly DiagnosticDescriptor InvalidScoringInput = new("MLENV3004", E);
    public static readonly DiagnosticDescriptor BundleFailed = new("MLENV3005", E);
    public static readonly DiagnosticDescriptor InvalidImageTag = new("MLENV3006", E);
    public static readonly DiagnosticDescriptor SharedStoreUnavailable = new("MLENV3007", E);
    public static readonly DiagnosticDescriptor NotRegisteredInRegistry = new("MLENV3008", W);
    public static readonly DiagnosticDescriptor ContextUnreadable = new("MLENV2012", E);
    public static readonly DiagnosticDescriptor IntermediateImagesLeft = new("MLENV2013", W);
    public static readonly DiagnosticDescriptor UnknownDockerContext = new("MLENV2020", E);
    public static readonly DiagnosticDescriptor DockerConfigUnreadable = new("MLENV2021", E);
    public static readonly DiagnosticDescriptor SshEngineUnsupported = new("MLENV2022", E);
    public static readonly DiagnosticDescriptor EngineTlsFilesUnusable = new("MLENV2023", E);
    public static readonly DiagnosticDescriptor EngineTlsRefused = new("MLENV2024", E);
    public static readonly DiagnosticDescriptor InvalidEngineEndpoint = new("MLENV2025", E);
    public static readonly DiagnosticDescriptor CredentialHelperMissing = new("MLENV3013", W);
    public static readonly DiagnosticDescriptor CredentialHelperFailed = new("MLENV3014", W);
    public static readonly DiagnosticDescriptor RegistryCredentialsUnreadable = new("MLENV3015", W);

    // MLENV40xx: the dotnet-mlenv tool.
    public static readonly DiagnosticDescriptor ToolFolderUnreadable = new("MLENV4001", E);
    public static readonly DiagnosticDescriptor ToolInvalidDefinition = new("MLENV4002", E);
    public static readonly DiagnosticDescriptor ToolWheelMismatch = new("MLENV4003", E);
    public static readonly DiagnosticDescriptor ToolNameUnknown = new("MLENV4004", E);
    public static readonly DiagnosticDescriptor ToolMsBuildFailed = new("MLENV4005", E);
    public static readonly DiagnosticDescriptor ToolImageMissing = new("MLENV4006", E);
    public static readonly DiagnosticDescriptor ToolScriptUnusable = new("MLENV4007", E);
    public static readonly DiagnosticDescriptor ToolImageNotRemoved = new("MLENV4009", E);
    public static readonly DiagnosticDescriptor ToolBaseImageMissing = new("MLENV4010", E);
    public static readonly DiagnosticDescriptor ToolNothingToCompare = new("MLENV4011", E);
    public static readonly DiagnosticDescriptor ToolMsBuildOutputUnreadable = new("MLENV4012", E);
    public static readonly DiagnosticDescriptor ToolUnexpectedFailure = new("MLENV4019", E);

    public static IEnumerable<DiagnosticDescriptor> All =>
        typeof(DiagnosticCatalog).GetFields().Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);
}
