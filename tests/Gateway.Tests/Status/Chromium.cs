using OpenQA.Selenium.Chrome;

namespace Gateway.Tests.Status;

/// <summary>Debian's headless Chromium through Debian's chromedriver (scripts/install.d/browser.sh installs both).</summary>
internal static class Chromium
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    public static ChromeDriver Start(int width, int height)
    {
        if (!File.Exists(Browser) || !File.Exists(Driver))
            throw new InvalidOperationException($"{Browser} or {Driver} is missing. Install them with: bash scripts/install.d/browser.sh");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-extensions", $"--window-size={width},{height}");
        return new ChromeDriver(service, options, TimeSpan.FromMinutes(2));
    }

    /// <summary>Where a test keeps a file for a person to look at: GATEWAY_TEST_ARTIFACTS (set by scripts/test.sh) or beside the test binary.</summary>
    public static string ArtifactPath(string name)
    {
        var dir = Environment.GetEnvironmentVariable("GATEWAY_TEST_ARTIFACTS") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}
