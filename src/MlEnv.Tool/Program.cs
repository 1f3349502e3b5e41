using MlEnv.Tool;
using MlEnv.Tool.Cli;

return await ToolApp.RunAsync(args, ToolContext.ForProcess());
