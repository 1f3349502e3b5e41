using System.Globalization;
using System.Resources;

namespace MlEnv.Diagnostics;

public enum DiagnosticSeverity { Error, Warning, Message }

/// <summary>A positioned, coded finding. Line and column are 1-based; 0 means "not known".</summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Message, string? File = null, int Line = 0, int Column = 0)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString()
    {
        var where = File is null ? "" : Line > 0 ? $"{File}({Line},{Column}): " : $"{File}: ";
        return $"{where}{Severity.ToString().ToLowerInvariant()} {Code}: {Message}";
    }

    public Diagnostic At(string? file, int line = 0, int column = 0) => this with { File = file, Line = line, Column = column };
}

/// <summary>A diagnostic kind: a stable code, a severity, and a message template kept in Messages.resx.</summary>
public sealed class DiagnosticDescriptor(string code, DiagnosticSeverity severity)
{
    private static readonly ResourceManager Resources = new("MlEnv.Diagnostics.Messages", typeof(DiagnosticDescriptor).Assembly);

    public string Code { get; } = code;
    public DiagnosticSeverity Severity { get; } = severity;
    public string Template => Resources.GetString(Code, CultureInfo.InvariantCulture)
        ?? throw new InvalidOperationException($"No message for {Code} in Messages.resx.");

    public Diagnostic Create(params object?[] args) =>
        new(Code, Severity, string.Format(CultureInfo.InvariantCulture, Template, args));

    public Diagnostic Create(DiagnosticSeverity severity, params object?[] args) => Create(args) with { Severity = severity };
}
