namespace Gateway.Bridges.Local;

/// <summary>
/// Rebuilds a root's index from its object files: every bucket folder with a marker, every file whose trailer
/// is complete and whose name is the hash of the key it holds. Reads trailers only, in batches, so memory
/// stays bounded whatever the bucket size. A rebuild cut short leaves the index marked unfinished, and the
/// next start rebuilds again.
/// </summary>
internal static class LocalReindexer
{
    private const int BatchSize = 2000;

    public static long Rebuild(string root, LocalIndex index, CancellationToken ct = default)
    {
        index.MarkRebuilding();
        long count = 0;
        var batch = new List<LocalObjectFile.Trailer>(BatchSize);
        foreach (var bucketDir in Directory.EnumerateDirectories(root))
        {
            if (!File.Exists(Path.Combine(bucketDir, LocalObjectStore.BucketMarker))) continue;
            var bucket = Path.GetFileName(bucketDir);
            foreach (var fanout in Directory.EnumerateDirectories(bucketDir))
            {
                foreach (var file in Directory.EnumerateFiles(fanout))
                {
                    ct.ThrowIfCancellationRequested();
                    var trailer = LocalObjectFile.TryRead(file);
                    if (trailer is null || LocalObjectStore.ObjectPath(bucketDir, trailer.Key) != file) continue;
                    batch.Add(trailer);
                    if (batch.Count == BatchSize) count += Flush(index, bucket, batch);
                }
            }
            count += Flush(index, bucket, batch);
        }
        index.MarkReady();
        return count;
    }

    private static int Flush(LocalIndex index, string bucket, List<LocalObjectFile.Trailer> batch)
    {
        var n = batch.Count;
        if (n > 0) index.AddBatch(bucket, batch);
        batch.Clear();
        return n;
    }
}
