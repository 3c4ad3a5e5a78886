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
        var memoryLimit = new Option<int>("--memory-limit")
        {
            Description = "Managed heap the server may hold, MB (the process adds about 100 MB of code and native buffers); 0: no limit",
            DefaultValueFactory = _ => DefaultMemoryLimitMegabytes,
            HelpName = "MB",
        };
        var command = new Command("serve", "Edit a folder of raws in the browser: a local web editor on the engine") { folder, port, listen, models, memoryLimit };
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
            var limit = parsed.GetValue(memoryLimit);
            if (limit is < 0 or > 0 and < MinimumMemoryLimitMegabytes)
            {
                context.Fail($"--memory-limit {limit}: give 0 (no limit) or at least {MinimumMemoryLimitMegabytes} MB");
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
                LimitHeap(limit, context);
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

    /// <summary>A session of browsing 24 MP raws peaks near 1 GB of resident memory with this heap (bench -- serve).</summary>
    private const int DefaultMemoryLimitMegabytes = 832;
    private const int MinimumMemoryLimitMegabytes = 256;

    /// <summary>
    /// Caps the managed heap. Renders drop buffers of tens of megabytes that only a full collection reclaims, and
    /// without a cap the runtime lets gigabytes of them accumulate in a long-running server; with one it collects
    /// as the heap nears it. A render that needs more than the cap fails with a message naming the option.
    /// </summary>
    private static void LimitHeap(int megabytes, CliContext context)
    {
        if (megabytes == 0) return;
        AppContext.SetData("GCHeapHardLimit", (ulong)megabytes << 20);
        try
        {
            GC.RefreshMemoryLimit();
        }
        catch (InvalidOperationException e)
        {
            context.Error.WriteLine($"rawengine: --memory-limit {megabytes}: not applied ({e.Message})");
        }
    }
}
