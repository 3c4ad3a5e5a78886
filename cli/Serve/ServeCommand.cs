using System.CommandLine;
using System.Net;
using RawEngine.AI.Registry;
using RawEngine.Web;

namespace RawEngine.Cli.Serve;

/// <summary>
/// <c>rawengine serve [FOLDER] [--port N] [--listen ADDRESS] [--models DIR]...</c>: the local web editor over a folder
/// of raws. Prints the URL as its first line, serves until Ctrl-C.
/// </summary>
public static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var folder = new Argument<string>("folder") { Description = "Folder of raws to edit (sidecars and export/ are written there)", DefaultValueFactory = _ => "." };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => ServeOptions.DefaultPort };
        var listen = new Option<string>("--listen")
        {
            Description = "Address to listen on; anything but loopback (127.0.0.1, ::1) lets other machines in",
            DefaultValueFactory = _ => "127.0.0.1",
            HelpName = "ADDRESS",
        };
        var models = new Option<string[]>("--models") { Description = "Model folder to search first (repeatable)", HelpName = "DIR" };
        var command = new Command("serve", "Edit a folder of raws in the browser: a local web editor on the engine") { folder, port, listen, models };
        command.SetAction(async (parsed, cancellation) =>
        {
            var path = parsed.GetValue(folder)!;
            var number = parsed.GetValue(port);
            if (number is < 0 or > 65535)
            {
                context.Fail($"--port {number}: not a TCP port (0..65535)");
                return ExitCodes.UsageError;
            }
            if (!IPAddress.TryParse(parsed.GetValue(listen), out var address))
            {
                context.Fail($"--listen {parsed.GetValue(listen)}: not an IP address");
                return ExitCodes.UsageError;
            }
            if (!Directory.Exists(path))
            {
                context.Fail($"{path}: no such folder");
                return ExitCodes.UsageError;
            }
            var options = new ServeOptions
            {
                Folder = path,
                Port = number,
                Listen = address,
                Models = new ModelSearchOptions(parsed.GetValue(models) ?? [], context.ModelEnvironment),
            };
            EditorServer server;
            try
            {
                server = await EditorServer.StartAsync(options, context.LoggerFactory, cancellation);
            }
            catch (IOException e)
            {
                // Kestrel's "address already in use", or an address this machine does not have.
                context.Fail($"{address}:{number}: cannot listen ({e.Message}); try another --port");
                return ExitCodes.ProcessingError;
            }
            await using (server)
            {
                context.Out.WriteLine(server.Url);
                context.Out.Flush();
                if (!IPAddress.IsLoopback(address))
                    context.Error.WriteLine($"rawengine: serving {server.Folder.Root} on {address}: other machines can reach it");
                try
                {
                    await server.WaitAsync(cancellation);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C: dispose stops the server cleanly.
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
