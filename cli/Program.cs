return await RawEngine.Cli.RawEngineCommand.RunAsync(args);
