using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;

namespace RawEngine.Tests.Ai;

/// <summary>An archive entry for tests: a file with bytes, or a symbolic link.</summary>
internal sealed record ArchiveEntry(string Name, byte[] Bytes, string? LinkTarget = null)
{
    public static ArchiveEntry Text(string name, string text) => new(name, System.Text.Encoding.UTF8.GetBytes(text));
    public static ArchiveEntry Link(string name, string target) => new(name, [], target);
}

/// <summary>Builds zip and tar.gz archives the way other tools would, hostile ones included.</summary>
internal static class ArchiveFixtures
{
    /// <summary>The files of a test model package, optionally under a top folder and with a rewritten manifest.</summary>
    public static List<ArchiveEntry> Package(string testModelId, string? topFolder = null, string? config = null)
    {
        var dir = Path.Combine(AiTestFiles.TestModels, testModelId);
        var prefix = topFolder is null ? "" : topFolder + "/";
        return Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(f => Path.GetFileName(f) == "config.json" && config is not null
            ? ArchiveEntry.Text(prefix + "config.json", config)
            : new ArchiveEntry(prefix + Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
    }

    public static void WriteZip(string path, IEnumerable<ArchiveEntry> entries, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var e in entries)
        {
            var entry = zip.CreateEntry(e.Name, level);
            if (e.LinkTarget is not null)
            {
                entry.ExternalAttributes = unchecked((int)(0xA1FFu << 16)); // unix mode lrwxrwxrwx
                using var s = entry.Open();
                s.Write(System.Text.Encoding.UTF8.GetBytes(e.LinkTarget));
            }
            else if (e.Bytes.Length > 0)
            {
                using var s = entry.Open();
                s.Write(e.Bytes);
            }
        }
    }

    public static void WriteTarGz(string path, IEnumerable<ArchiveEntry> entries)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var e in entries)
        {
            if (e.LinkTarget is not null)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, e.Name) { LinkName = e.LinkTarget });
                continue;
            }
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, e.Name) { DataStream = new MemoryStream(e.Bytes) });
        }
    }
}

/// <summary>
/// A loopback HTTP server (127.0.0.1, a free port) that serves one body, whole or cut short, so the
/// download path is tested without any network.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public LoopbackServer(string path, byte[] body, bool truncate = false)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                Requests++;
                var response = context.Response;
                if (context.Request.Url!.AbsolutePath != "/" + path)
                {
                    response.StatusCode = 404;
                    response.Close();
                    continue;
                }
                response.ContentLength64 = body.Length;
                try
                {
                    if (truncate)
                    {
                        await response.OutputStream.WriteAsync(body.AsMemory(0, body.Length / 2));
                        await response.OutputStream.FlushAsync();
                        response.Abort();
                    }
                    else
                    {
                        await response.OutputStream.WriteAsync(body);
                        response.Close();
                    }
                }
                catch (HttpListenerException) { }
            }
        });
    }

    public string BaseUrl { get; }
    public int Requests { get; private set; }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
