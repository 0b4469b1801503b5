using Gateway.Bridges.Local;

namespace Gateway.Tests.Storage;

/// <summary>A test class's local store: a fresh temporary root holding one bucket, removed after each test.</summary>
public abstract class TempLocalStoreTests : IDisposable
{
    protected TempLocalStoreTests(string bucket)
    {
        Root = Directory.CreateTempSubdirectory($"gateway-local-{bucket}-").FullName;
        Store = new LocalObjectStore("t", new LocalStoreOptions { Root = Root });
        Store.CreateBucketAsync(bucket, CancellationToken.None).GetAwaiter().GetResult();
    }

    protected string Root { get; }

    protected LocalObjectStore Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }
}
