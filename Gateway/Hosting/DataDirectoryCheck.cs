using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// The data folder is made at start, and a start that cannot make or write it is refused naming the setting. Without
/// this, the first file written under it failed first, with the file's own error ("Could not find file '/proc/nope'").
/// </summary>
internal sealed class DataDirectoryCheck : IValidateOptions<GatewayOptions>
{
    private const string Setting = $"{GatewayOptions.Section}:{nameof(GatewayOptions.DataDirectory)}";

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory)) return ValidateOptionsResult.Skip; // [Required] says so
        string full;
        try { full = Path.GetFullPath(options.DataDirectory); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return ValidateOptionsResult.Fail($"{Setting}: '{options.DataDirectory}' is not a usable path ({e.Message}).");
        }
        if (File.Exists(full)) return ValidateOptionsResult.Fail($"{Setting}: '{full}' is a file, not a folder.");
        try
        {
            Directory.CreateDirectory(full);
            // A folder that exists but takes no file (read-only, or a pseudo file system such as /proc) fails here.
            using (new FileStream(Path.Combine(full, $".write-check-{Environment.ProcessId}-{Guid.NewGuid():N}"), FileMode.CreateNew,
                FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return ValidateOptionsResult.Fail($"{Setting}: the gateway cannot make or write the folder '{full}' ({e.Message}).");
        }
        return ValidateOptionsResult.Success;
    }
}
