using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Bridges.Local;
using Gateway.Channel.Audit;
using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Families;
using Gateway.Channel.Families.ObjectStorage;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

// bench/run channel [bulk-MiB] [rounds]: CTP-96 vs TLS 1.3 on loopback in the same run, handshake, witness and call costs.
var bulkMiB = args.Length > 0 ? int.Parse(args[0]) : 256;
var rounds = args.Length > 1 ? int.Parse(args[1]) : 5;
var hostKey = HybridSigningKey.Generate();
var clientKey = HybridSigningKey.Generate();
var hostOptions = new ChannelOptions { LocalKey = hostKey, PinnedPeers = PeerPins.Of(clientKey.PublicKey) };
var clientOptions = new ChannelOptions { LocalKey = clientKey, PinnedPeers = PeerPins.Of(hostKey.PublicKey) };

static void Metric(string name, double value, string unit) =>
    Console.WriteLine(FormattableString.Invariant($"metric {name} {value:0.###} {unit}"));
static double Median(List<double> xs) { xs.Sort(); return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2; }

var bytes = (long)bulkMiB * 1024 * 1024;
var chunk = RandomNumberGenerator.GetBytes(64 * 1024);

// ---- bulk throughput: CTP-96 over loopback TCP ----
async Task<(double Seconds, long Allocated, long Frames)> CtpBulkAsync()
{
    var listener = TcpTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0));
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    var serverTask = Task.Run(async () =>
    {
        var (s, _) = await TcpTransport.AcceptAsync(listener, default);
        await using var conn = await ChannelConnection.AcceptAsync(s, hostOptions, default);
        var stream = await conn.AcceptStreamAsync(default) ?? throw new InvalidOperationException();
        await stream.ReadMessageAsync(default);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await stream.ReadDataAsync(buffer, default)) > 0) total += n;
        await stream.SendEndAsync(default);
        return total;
    });
    await using var client = await ChannelConnection.ConnectAsync(await TcpTransport.ConnectAsync("127.0.0.1", port, default), clientOptions, default);
    var st = client.OpenStream();
    await st.SendMessageAsync("bulk"u8.ToArray(), default);
    var allocatedBefore = GC.GetTotalAllocatedBytes(true);
    var sw = Stopwatch.StartNew();
    for (long sent = 0; sent < bytes; sent += chunk.Length) await st.SendDataAsync(chunk, false, default);
    await st.SendEndAsync(default);
    var received = await serverTask;
    sw.Stop();
    var allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
    listener.Stop();
    if (received != bytes) throw new InvalidOperationException($"CTP-96 bulk lost bytes: {received} of {bytes}");
    return (sw.Elapsed.TotalSeconds, allocated, bytes / chunk.Length);
}

// ---- bulk throughput: SslStream TLS 1.3 over loopback TCP ----
using var certKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
var request = new CertificateRequest("CN=localhost", certKey, HashAlgorithmName.SHA256);
using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
using var cert = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
async Task<double> TlsBulkAsync()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    var serverTask = Task.Run(async () =>
    {
        using var socket = await listener.AcceptSocketAsync();
        socket.NoDelay = true;
        await using var ssl = new SslStream(new NetworkStream(socket, true));
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = cert, EnabledSslProtocols = SslProtocols.Tls13 });
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await ssl.ReadAsync(buffer)) > 0) total += n;
        return total;
    });
    var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await client.ConnectAsync(IPAddress.Loopback, port);
    var sslClient = new SslStream(new NetworkStream(client, true), false, (_, _, _, _) => true);
    await sslClient.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls13 });
    if (sslClient.SslProtocol != SslProtocols.Tls13) throw new InvalidOperationException("TLS 1.3 was not negotiated.");
    var sw = Stopwatch.StartNew();
    for (long sent = 0; sent < bytes; sent += chunk.Length) await sslClient.WriteAsync(chunk);
    await sslClient.ShutdownAsync();
    client.Shutdown(SocketShutdown.Send);
    var received = await serverTask;
    sw.Stop();
    await sslClient.DisposeAsync();
    listener.Stop();
    if (received != bytes) throw new InvalidOperationException($"TLS bulk lost bytes: {received} of {bytes}");
    return sw.Elapsed.TotalSeconds;
}

await CtpBulkAsync();
await TlsBulkAsync();
var ctpRates = new List<double>();
var tlsRates = new List<double>();
var ratios = new List<double>();
var allocPerFrame = new List<double>();
for (var r = 0; r < rounds; r++)
{
    // Alternate the order so neither side always runs on a warmer machine.
    double ctp, tls;
    if (r % 2 == 0) { var c = await CtpBulkAsync(); ctp = bytes / c.Seconds; allocPerFrame.Add((double)c.Allocated / c.Frames); tls = bytes / await TlsBulkAsync(); }
    else { tls = bytes / await TlsBulkAsync(); var c = await CtpBulkAsync(); ctp = bytes / c.Seconds; allocPerFrame.Add((double)c.Allocated / c.Frames); }
    ctpRates.Add(ctp / 1e6);
    tlsRates.Add(tls / 1e6);
    ratios.Add(ctp / tls);
}
Metric("ctp96_throughput", Median(ctpRates), "MB/s");
Metric("tls13_throughput", Median(tlsRates), "MB/s");
Metric("ctp96_vs_tls13_throughput_ratio", Median(ratios), "ratio");
Metric("ctp96_alloc_per_64k_frame", Median(allocPerFrame), "bytes");

// ---- handshake over loopback TCP ----
{
    var listener = TcpTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0));
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    var times = new List<double>();
    for (var i = 0; i < 40; i++)
    {
        var sw = Stopwatch.StartNew();
        var accept = Task.Run(async () =>
        {
            var (s, _) = await TcpTransport.AcceptAsync(listener, default);
            return await ChannelConnection.AcceptAsync(s, hostOptions, default);
        });
        var client = await ChannelConnection.ConnectAsync(await TcpTransport.ConnectAsync("127.0.0.1", port, default), clientOptions, default);
        var server = await accept;
        sw.Stop();
        if (i >= 5) times.Add(sw.Elapsed.TotalMilliseconds);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }
    listener.Stop();
    Metric("handshake_ms", Median(times), "ms");
}

// ---- tree-head signing and verification (one per batch), and the per-call MAC alternative ----
{
    var body = new Witness
    {
        RequestId = "r", Operation = "object-storage.head-object", Target = "local/b/k", Status = "ok",
        RequestBodySha256 = new byte[32], ResponseBodySha256 = new byte[32], HeadersSha256 = new byte[32],
        StartedAt = DateTimeOffset.UtcNow, CompletedAt = DateTimeOffset.UtcNow, TranscriptHash = new byte[32],
    }.Encode();
    SignedTreeHead Head(int i) => new()
    {
        TreeSize = i, RootHash = SHA256.HashData(BitConverter.GetBytes(i)), Timestamp = DateTimeOffset.UtcNow,
        HostKeyFingerprint = new byte[32], PreviousHeadHash = new byte[32],
    };
    for (var i = 0; i < 20; i++) Head(i).SignWith(hostKey);
    var n = 300;
    var sw = Stopwatch.StartNew();
    var signed = new List<SignedTreeHead>();
    for (var i = 0; i < n; i++) signed.Add(Head(i).SignWith(hostKey));
    Metric("head_sign_ops_per_s", n / sw.Elapsed.TotalSeconds, "ops/s");
    sw.Restart();
    foreach (var h in signed) if (!h.VerifySignature(hostKey.PublicKey)) throw new InvalidOperationException();
    Metric("head_verify_ops_per_s", n / sw.Elapsed.TotalSeconds, "ops/s");
    sw.Restart();
    for (var i = 0; i < 100_000; i++) MerkleTree.LeafHash(body);
    Metric("witness_leaf_hash_ops_per_s", 100_000 / sw.Elapsed.TotalSeconds, "ops/s");
    using var mac = new HMACSHA256(RandomNumberGenerator.GetBytes(32));
    sw.Restart();
    for (var i = 0; i < 100_000; i++) mac.ComputeHash(body);
    Metric("witness_mac_ops_per_s", 100_000 / sw.Elapsed.TotalSeconds, "ops/s");
}

// ---- witnessed calls per second: a bridge that answers at once, 64 concurrent callers, in-process channel,
//      witnesses, signed heads and the durable (group-committed, synchronous=FULL) audit append all on ----
{
    var dir = Directory.CreateTempSubdirectory("ctp96-bench-").FullName;
    try
    {
        var host = new ChannelHost(hostOptions, [new ImmediateHandler()]);
        using var audit = new AuditLog(Path.Combine(dir, "audit.db"));
        await using var client = new ChannelClient(new ChannelClientOptions
        {
            Channel = clientOptions,
            Connect = ct => { var (c, s) = DuplexPipe.CreatePair(); _ = host.ServeConnectionAsync(s, "bench", default); return Task.FromResult(c); },
            Witnesses = audit,
        });
        var calls = 0L;
        var failed = 0L;
        async Task CallerAsync(int seconds)
        {
            var until = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
            while (Stopwatch.GetTimestamp() < until)
            {
                try
                {
                    await using var call = await client.CallAsync(new CallRequest { Id = Guid.NewGuid().ToString("N"), Family = "bench", Instance = "now", Operation = "ping" }, null, default);
                    Interlocked.Increment(ref calls);
                }
                // Fail-closed under overload (e.g. no head within the 1 s bound): counted, never taken for a success.
                catch (GatewayException) { Interlocked.Increment(ref failed); }
            }
        }
        // Warm-up long enough for tiered compilation to reach its final code (2 s left the first measured round a third slower).
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => CallerAsync(10)));
        var rates = new List<double>();
        var cpuPerCall = new List<double>();
        for (var r = 0; r < 3; r++)
        {
            var headsBefore = (await audit.ReadHeadsAsync(0, int.MaxValue, default)).Count;
            Interlocked.Exchange(ref calls, 0);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => CallerAsync(5)));
            var rate = Interlocked.Read(ref calls) / sw.Elapsed.TotalSeconds;
            // CPU of the whole process (callers, gateway side, host side) per call: less sensitive to a busy machine than
            // the rate, and the share of the cores used says whether the run was short of CPU.
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            rates.Add(rate);
            cpuPerCall.Add(cpu.TotalMicroseconds / Math.Max(1, Interlocked.Read(ref calls)));
            var heads = (await audit.ReadHeadsAsync(0, int.MaxValue, default)).Count - headsBefore;
            Console.WriteLine(FormattableString.Invariant($"round {r}: {rate:0} calls/s, {heads} heads for {Interlocked.Read(ref calls)} calls ({Interlocked.Read(ref calls) / (double)Math.Max(1, heads):0.0} per head), {cpuPerCall[^1]:0} us CPU per call, {cpu / sw.Elapsed:0.00} cores busy"));
        }
        Metric("witnessed_calls_per_s", Median(rates), "calls/s");
        Metric("witnessed_call_cpu_us", Median(cpuPerCall), "us");
        Metric("witnessed_call_failures", Interlocked.Read(ref failed), "calls");
        await client.DisposeAsync();
        var check = AuditVerifier.Verify(audit.DatabasePath, [hostKey.PublicKey]);
        Console.WriteLine(check.Ok ? $"audit log verified: {check.EntriesChecked} entries, {check.HeadsChecked} heads" : "audit log does not verify: " + check.Problem);
    }
    finally { Directory.Delete(dir, true); }
}

// ---- a small call through the in-process channel vs the same call made directly ----
{
    var dir = Directory.CreateTempSubdirectory("ctp96-bench-").FullName;
    try
    {
        var store = new LocalObjectStore("local", new LocalStoreOptions { Root = Path.Combine(dir, "objects") });
        await store.CreateBucketAsync("bench", default);
        await store.PutObjectAsync("bench", "small", new MemoryStream(new byte[128]), new PutObjectOptions(), default);
        var host = new ChannelHost(hostOptions, [new FamilyDispatcher<IObjectStore>(ObjectStorageFamily.Declaration, _ => store)]);
        using var audit = new AuditLog(Path.Combine(dir, "audit.db"));
        await using var client = new ChannelClient(new ChannelClientOptions
        {
            Channel = clientOptions,
            Connect = ct => { var (c, s) = DuplexPipe.CreatePair(); _ = host.ServeConnectionAsync(s, "bench", default); return Task.FromResult(c); },
            Witnesses = audit,
        });
        var remote = FamilyClient.Create(ObjectStorageFamily.Declaration, () => client, "local", (IObjectStore)store);
        for (var i = 0; i < 30; i++) { await remote.HeadObjectAsync("bench", "small", ObjectConditions.None, default); await store.HeadObjectAsync("bench", "small", ObjectConditions.None, default); }
        var direct = new List<double>();
        var channel = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var sw = Stopwatch.StartNew();
            await store.HeadObjectAsync("bench", "small", ObjectConditions.None, default);
            direct.Add(sw.Elapsed.TotalMicroseconds);
            sw.Restart();
            await remote.HeadObjectAsync("bench", "small", ObjectConditions.None, default);
            channel.Add(sw.Elapsed.TotalMicroseconds);
        }
        Metric("direct_call_us", Median(direct), "us");
        Metric("inproc_call_us", Median(channel), "us");
        Metric("inproc_call_overhead_us", Median(channel) - Median(direct), "us");
    }
    finally { Directory.Delete(dir, true); }
}

/// <summary>A bridge that answers at once, so the witnessed-call rate measures the channel, witness and audit alone.</summary>
internal sealed class ImmediateHandler : IChannelCallHandler
{
    public string Family => "bench";

    public Task<CallResult> HandleAsync(CallRequest request, Stream requestBody, CancellationToken ct) =>
        Task.FromResult(new CallResult(null));
}
