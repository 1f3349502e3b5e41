using System.CommandLine;
using MlEnv.Generation;
using MlEnv.Tool.Cli;

namespace MlEnv.Tool.Commands;

/// <summary>scaffold: a new environment project with every property and item commented.</summary>
public static class ScaffoldCommand
{
    public static Command Create(ToolContext context)
    {
        var directory = new Argument<string>("directory") { Description = "The folder of the new project (created if needed).", DefaultValueFactory = _ => "." };
        var name = new Option<string?>("--name") { Description = "The project's name. Default: the folder's name." };
        var sdkVersion = new Option<string?>("--sdk-version") { Description = $"The MlEnv.Sdk version the project names. Default: {SdkInfo.Version}, this tool's." };
        var command = new Command("scaffold", "Write a new MlEnv environment project (the seed's `az ml environment scaffold`).") { directory, name, sdkVersion };
        command.SetAction(ToolApp.Guarded(context, (parse, _) =>
        {
            var (project, problem) = ScaffoldWriter.Write(parse.GetValue(directory)!, parse.GetValue(name), parse.GetValue(sdkVersion) ?? SdkInfo.Version, "the scaffold directory");
            if (problem is not null) return Task.FromResult(context.Report(problem));
            context.Line($"Created {project}");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
