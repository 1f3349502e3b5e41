using MlEnv.Engine;

namespace MlEnv.Registry;

/// <summary>A registry refused or could not be reached; the message is the engine's, which never holds credentials.</summary>
public sealed class RegistryException(string message) : Exception(EngineText.Clean(message));
