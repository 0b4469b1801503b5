using System.Diagnostics;
using System.Text;

namespace Gateway.Testing.S3;

public sealed record ClientRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Tail(Stdout)}\nstderr:\n{Tail(Stderr)}";
    private static string Tail(string s) => s.Length > 4000 ? "..." + s[^4000..] : s;
}

/// <summary>
/// Runs Debian's real S3 clients (scripts/install.d/s3-clients.sh installs them) against a front door. A missing
/// client fails the test with the install command; nothing is skipped.
/// </summary>
public sealed class S3Clients(S3FrontDoor door, string workDirectory)
{
    public const string Aws = "/usr/bin/aws";
    public const string Python = "/usr/bin/python3";
    public const string Rclone = "/usr/bin/rclone";
    public const string S3cmd = "/usr/bin/s3cmd";

    public string WorkDirectory { get; } = workDirectory;

    public Task<ClientRun> AwsAsync(params string[] args) =>
        RunAsync(Aws, ["--endpoint-url", door.EndpointText, "--no-cli-pager", .. args], Credentials(door.AccessKeyId, door.Secret));

    /// <summary>The AWS CLI against another endpoint (e.g. the path base on the gateway's main listener).</summary>
    public Task<ClientRun> AwsAtAsync(string endpoint, params string[] args) =>
        RunAsync(Aws, ["--endpoint-url", endpoint, "--no-cli-pager", .. args], Credentials(door.AccessKeyId, door.Secret));

    /// <summary>The AWS CLI reading the given config file (its <c>s3</c> transfer settings: multipart threshold and chunk size, concurrency).</summary>
    public Task<ClientRun> AwsWithConfigAsync(string configFile, params string[] args)
    {
        var env = Credentials(door.AccessKeyId, door.Secret);
        env["AWS_CONFIG_FILE"] = configFile;
        return RunAsync(Aws, ["--endpoint-url", door.EndpointText, "--no-cli-pager", .. args], env);
    }

    public Task<ClientRun> AwsAsAsync(string keyId, string secret, string region, params string[] args) =>
        RunAsync(Aws, ["--endpoint-url", door.EndpointText, "--no-cli-pager", "--region", region, .. args], Credentials(keyId, secret));

    /// <summary>Runs a Python script with boto3; the script sees ENDPOINT, KEY_ID, SECRET, REGION and its arguments.</summary>
    public async Task<ClientRun> PythonAsync(string script, string[] args, IDictionary<string, string?>? extraEnv = null)
    {
        var path = Path.Combine(WorkDirectory, $"script-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(path, script);
        var env = Credentials(door.AccessKeyId, door.Secret);
        env["ENDPOINT"] = door.EndpointText;
        env["KEY_ID"] = door.AccessKeyId;
        env["SECRET"] = door.Secret;
        env["READER_KEY_ID"] = door.ReaderKeyId;
        env["READER_SECRET"] = door.ReaderSecret;
        env["ALT_KEY_ID"] = door.Others["s3-alt"].KeyId;
        env["ALT_SECRET"] = door.Others["s3-alt"].Secret;
        env["TENANT_KEY_ID"] = door.Others["s3-tenant"].KeyId;
        env["TENANT_SECRET"] = door.Others["s3-tenant"].Secret;
        env["REGION"] = S3FrontDoor.Region;
        env["BASE_DOMAIN"] = S3FrontDoor.BaseDomain;
        env["PORT"] = door.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (k, v) in extraEnv ?? new Dictionary<string, string?>()) env[k] = v;
        return await RunAsync(Python, [path, .. args], env);
    }

    public Task<ClientRun> RcloneAsync(params string[] args)
    {
        var env = new Dictionary<string, string?>
        {
            ["RCLONE_CONFIG_GW_TYPE"] = "s3",
            ["RCLONE_CONFIG_GW_PROVIDER"] = "Other",
            ["RCLONE_CONFIG_GW_ACCESS_KEY_ID"] = door.AccessKeyId,
            ["RCLONE_CONFIG_GW_SECRET_ACCESS_KEY"] = door.Secret,
            ["RCLONE_CONFIG_GW_ENDPOINT"] = door.EndpointText,
            ["RCLONE_CONFIG_GW_REGION"] = S3FrontDoor.Region,
            ["RCLONE_CONFIG_GW_FORCE_PATH_STYLE"] = "true",
            ["AWS_CA_BUNDLE"] = null, // rclone refuses a custom CA bundle on its own transport
        };
        return RunAsync(Rclone, ["--config", "/dev/null", .. args], env);
    }

    public Task<ClientRun> S3cmdAsync(params string[] args) => S3cmdAsync(signatureV2: false, args);

    /// <summary>s3cmd with <c>signature_v2 = True</c>: every request signed with AWS Signature Version 2.</summary>
    public Task<ClientRun> S3cmdV2Async(params string[] args) => S3cmdAsync(signatureV2: true, args);

    private async Task<ClientRun> S3cmdAsync(bool signatureV2, string[] args)
    {
        var config = Path.Combine(WorkDirectory, signatureV2 ? "s3cfg-v2" : "s3cfg");
        var host = door.Endpoint.Authority;
        await File.WriteAllTextAsync(config, $"""
            [default]
            access_key = {door.AccessKeyId}
            secret_key = {door.Secret}
            host_base = {host}
            host_bucket = {host}
            bucket_location = {S3FrontDoor.Region}
            use_https = False
            signature_v2 = {(signatureV2 ? "True" : "False")}
            """);
        return await RunAsync(S3cmd, ["-c", config, .. args], new Dictionary<string, string?>());
    }

    private static Dictionary<string, string?> Credentials(string keyId, string secret) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = keyId,
        ["AWS_SECRET_ACCESS_KEY"] = secret,
        ["AWS_DEFAULT_REGION"] = S3FrontDoor.Region,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        ["AWS_CA_BUNDLE"] = null,
        ["AWS_SESSION_TOKEN"] = null,
        ["AWS_PROFILE"] = null,
    };

    public async Task<ClientRun> RunAsync(string program, IEnumerable<string> args, IDictionary<string, string?> env)
    {
        if (!File.Exists(program))
            throw new InvalidOperationException($"{program} is not installed. Install the S3 clients with: bash scripts/install.d/s3-clients.sh");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = WorkDirectory,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env)
        {
            if (v is null) start.Environment.Remove(k);
            else start.Environment[k] = v;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} ran longer than 5 minutes.");
        }
        return new ClientRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A file of deterministic pseudo-random bytes in the work directory.</summary>
    public async Task<string> MakeFileAsync(string name, long bytes, int seed)
    {
        var path = Path.Combine(WorkDirectory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await using var pattern = new PatternStream(bytes, seed);
        await pattern.CopyToAsync(file);
        return path;
    }

    public static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);
}
