using System.Text.Json.Nodes;
using Microsoft.Playwright;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Web;

/// <summary>The editor page in a real browser (headless Chromium through Playwright) against a real server.</summary>
public class EditorBrowserTests
{
    /// <summary>Set to a path to keep the screenshot the test takes (the README's picture is one).</summary>
    private const string ScreenshotVariable = "RAWENGINE_SERVE_SCREENSHOT";

    /// <summary>The mean of the preview's RGB values, 0..255, read back through a canvas.</summary>
    private const string PreviewMean = """
        () => {
          const image = document.getElementById('preview');
          const canvas = Object.assign(document.createElement('canvas'), { width: image.naturalWidth, height: image.naturalHeight });
          const context = canvas.getContext('2d');
          context.drawImage(image, 0, 0);
          const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
          let sum = 0;
          for (let i = 0; i < data.length; i += 4) sum += data[i] + data[i + 1] + data[i + 2];
          return sum / (data.length / 4 * 3);
        }
        """;

    private const float LoadedMachineTimeout = 120_000;

    private const string Renders = "() => Number(document.getElementById('preview').dataset.renders ?? 0)";

    [BrowserFact]
    public async Task EditsAnImageFromPickToExportAndConvertReproducesTheExport()
    {
        await using var host = await EditorHost.StartAsync(sceneSize: 512);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            // Containers running as root have no user namespaces for Chromium's sandbox.
            Args = ["--no-sandbox"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 800 } });
        // The mask encoder and renders share the cores with the rest of the suite: Playwright's 30 s default is too short under load.
        page.SetDefaultTimeout(LoadedMachineTimeout);
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(host.Server.Url.ToString());

        // Pick the file in the strip: its preview renders.
        await page.ClickAsync($"#strip button[data-file='{EditorHost.SceneFile}']");
        await page.WaitForFunctionAsync($"() => ({Renders})() >= 1");
        var before = await page.EvaluateAsync<double>(PreviewMean);

        // Move the exposure slider: the preview re-renders brighter.
        var renders = await page.EvaluateAsync<int>(Renders);
        await page.EvalOnSelectorAsync("#exposure", "slider => { slider.value = '1.6'; slider.dispatchEvent(new Event('input')); slider.dispatchEvent(new Event('change')); }");
        await page.WaitForFunctionAsync($"() => ({Renders})() > {renders}");
        var after = await page.EvaluateAsync<double>(PreviewMean);
        Assert.True(after > before + 10, $"preview mean {after:0.0} after +0.9 EV, {before:0.0} before");

        // The object tool: a click inside the largest target shows a mask overlay around it.
        var target = host.Scene.Objects[host.Scene.Targets[0]];
        var click = SegmentationScenes.FirstClick(target.Visible, host.Scene.Size, new Random(2));
        await page.ClickAsync("#select-object");
        var box = (await page.Locator("#preview").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + (click.X + 0.5f) * box.Width / host.Scene.Size, box.Y + (click.Y + 0.5f) * box.Height / host.Scene.Size);
        await page.WaitForFunctionAsync("() => { const o = document.getElementById('overlay'); return !o.hidden && Number(o.dataset.area) > 0 && o.complete && o.naturalWidth > 0; }");
        var area = int.Parse((await page.GetAttributeAsync("#overlay", "data-area"))!);
        Assert.InRange(area, target.VisibleArea / 2, target.VisibleArea * 2);
        if (Environment.GetEnvironmentVariable(ScreenshotVariable) is { Length: > 0 } screenshot)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot });

        // Apply adds an exposure instance through the object's mask; undo takes it away, redo brings it back.
        await page.ClickAsync("#apply-object");
        await page.WaitForFunctionAsync("() => document.getElementById('status').textContent.includes('added exposure#object1')");
        Assert.Equal(1, await page.Locator("#layers li").CountAsync());
        await page.ClickAsync("#undo");
        Assert.Equal(0, await page.Locator("#layers li").CountAsync());
        await page.ClickAsync("#redo");
        Assert.Equal(1, await page.Locator("#layers li").CountAsync());

        // Export: the file in export/ equals what `rawengine convert` makes from the sidecar the page saved.
        await page.ClickAsync("#export");
        await page.WaitForFunctionAsync("() => document.getElementById('status').textContent.startsWith('exported')");
        var sidecar = JsonNode.Parse(File.ReadAllText(host.ScenePath + ".rawengine.json"))!;
        Assert.Contains(sidecar["modules"]!.AsArray(), m => m!["module"]!.GetValue<string>() == "exposure#object1" && m["blend"]!["mask"]!.GetValue<string>() == "object1");
        Assert.Contains(sidecar["modules"]!.AsArray(), m => m!["module"]!.GetValue<string>() == "exposure" && m["params"]!["exposure"]!.GetValue<double>() == 1.6);
        var converted = await CliRunner.RunAsync(host.Environment, "convert", host.ScenePath, "-o", host.Temp.File("converted.jpg"));
        Assert.True(converted.ExitCode == 0, converted.Error);
        Assert.Equal(File.ReadAllBytes(host.Temp.File("converted.jpg")), File.ReadAllBytes(host.Temp.File("export/scene.jpg")));
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task WithoutModelsTheObjectToolSaysHowToInstallThemAndAFileOpensFromTheUrl()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox"],
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(LoadedMachineTimeout);

        await page.GotoAsync($"{host.Server.Url}?file={EditorHost.SceneFile}");
        await page.WaitForFunctionAsync($"() => ({Renders})() >= 1");

        Assert.Contains("rawengine models install --all", await page.InnerTextAsync("#models-note"));
        Assert.True(await page.IsDisabledAsync("#select-object"));
        Assert.Contains(EditorHost.SceneFile, await page.InnerTextAsync("#file-name"));
    }
}
