namespace Gateway.Storage;

/// <summary>
/// Loads (or makes) the page-token key at start, so a key file that is not the base64 of 32 bytes stops the start naming
/// Gateway:PageTokenKeyFile, instead of turning the first listing and every one after it into a 500.
/// </summary>
internal sealed class PageTokenKeyCheck(PageTokenSealer sealer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(sealer);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
