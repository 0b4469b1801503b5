using Gateway.Testing;
using Gateway.Channel.Audit;
using System.Reflection;
using System.Text.Json;
using Gateway.Channel.Families;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Tests.Families;

// "Operations" is declared by each family's concrete test class (xunit looks it up there).
#pragma warning disable xUnit1015

/// <summary>
/// The round-trip conformance suite every family runs: for each declared operation, the family's generic client
/// drives a recording fake bridge through a real in-memory bridge host (handshake, encrypted frames, witnesses), and
/// the arguments must arrive intact, the result and its body come back intact, error codes pass through unchanged,
/// and a tampered witness fails the call.
/// </summary>
public abstract class FamilyRoundTripTests<TBridge> : IAsyncLifetime where TBridge : class
{
    private static readonly ErrorCode[] Codes = [ErrorCode.NotFound, ErrorCode.Conflict, ErrorCode.PreconditionFailed, ErrorCode.Throttled, ErrorCode.Forbidden];

    private readonly List<string[]> _received = [];
    private RecordingBridge<TBridge> _recorder = null!;
    private InMemoryFamilyChannel<TBridge> _channel = null!;
    private Exception? _failure;
    private bool _sparse;

    protected abstract BridgeFamily<TBridge> Family { get; }

    /// <summary>The fake bridge behind the host: what reached it, and what it says of itself.</summary>
    protected RecordingBridge<TBridge> Recorder => _recorder;

    /// <summary>The gateway-side client, built with no facts of the instance: it sends every call and checks no capability.</summary>
    protected TBridge Remote => _channel.Remote;

    protected AuditLog Audit => _channel.Audit;

    /// <summary>A family's own sample for a type the generic samples would not pass its checks with; null for the generic one.</summary>
    protected virtual object? Sample(Type type) => null;

    protected static TheoryData<string> OperationsOf(IBridgeFamily family)
    {
        var data = new TheoryData<string>();
        foreach (var operation in family.Operations) data.Add(operation.Name);
        return data;
    }

    public Task InitializeAsync()
    {
        var (fake, recorder) = RecordingBridge<TBridge>.Create();
        _recorder = recorder;
        _recorder.Respond = Respond;
        _channel = new InMemoryFamilyChannel<TBridge>(Family, "fake", fake);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _channel.DisposeAsync();

    [Theory]
    [MemberData("Operations")]
    public async Task Arguments_and_results_cross_intact(string name)
    {
        var operation = Family.Find(name)!;
        var result = await InvokeAsync(operation);

        var call = Assert.Single(_recorder.Calls);
        Assert.Equal(operation.Method, call.Method);
        Assert.Equal(await DescribeAllAsync(Arguments(operation)), Assert.Single(_received));
        Assert.Equal(await ExpectedResultAsync(operation), result);
        var entry = Assert.Single(await _channel.Audit.ReadAsync(0, 10, default));
        Assert.Equal((Family.Name + "." + name, "ok"), (entry.Operation, entry.Status));
    }

    /// <summary>
    /// The same with every nullable member null (what a bridge did not state): JSON leaves a null out, so a member whose
    /// initializer is not null would arrive as that value instead.
    /// </summary>
    [Theory]
    [MemberData("Operations")]
    public async Task Null_members_cross_as_null(string name)
    {
        _sparse = true;
        await Arguments_and_results_cross_intact(name);
    }

    [Theory]
    [MemberData("Operations")]
    public async Task Error_codes_pass_through(string name)
    {
        var operation = Family.Find(name)!;
        foreach (var code in Codes)
        {
            _failure = new GatewayException(code, $"fake says {code}") { RetryAfterSeconds = code == ErrorCode.Throttled ? 7 : null };
            var e = await Assert.ThrowsAnyAsync<GatewayException>(() => InvokeAsync(operation));
            Assert.Equal((code, $"fake says {code}"), (e.Code, e.Message));
            Assert.Equal(code == ErrorCode.Throttled ? 7 : null, e.RetryAfterSeconds);
        }
        Assert.Equal(Codes.Length, _recorder.Calls.Count);
    }

    [Theory]
    [MemberData("Operations")]
    public async Task A_tampered_witness_fails_the_call(string name)
    {
        var operation = Family.Find(name)!;
        _channel.Host.TamperWitness = w => w with { Target = w.Target + "/elsewhere" };
        var e = await Assert.ThrowsAnyAsync<GatewayException>(() => InvokeAsync(operation));
        Assert.Equal(ErrorCode.WitnessFailed, e.Code);
        Assert.Single(_recorder.Calls);
        Assert.Empty(await _channel.Audit.ReadAsync(0, 10, default));
    }

    private object?[] Arguments(FamilyOperation operation) =>
        operation.Method.GetParameters().Select(p => Samples.Create(p.ParameterType, p.Name, Sample, sparse: _sparse)).ToArray();

    /// <summary>Calls the operation through the channel and takes in all it returns (bodies to their end, so witnesses are checked).</summary>
    protected async Task<string?> InvokeAsync(FamilyOperation operation)
    {
        var returned = operation.Method.Invoke(_channel.Remote, BindingFlags.DoNotWrapExceptions, null, Arguments(operation), null);
        if (returned is Task task)
        {
            await task;
            var type = task.GetType();
            return operation.Method.ReturnType == typeof(Task) ? null : await DescribeAsync(type.GetProperty("Result")!.GetValue(task));
        }
        var items = (Task<string>)typeof(FamilyRoundTripTests<TBridge>).GetMethod(nameof(ItemsAsync), BindingFlags.NonPublic | BindingFlags.Instance)!
            .MakeGenericMethod(operation.Method.ReturnType.GetGenericArguments()[0]).Invoke(this, [returned])!;
        return await items;
    }

    private async Task<string> ItemsAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return JsonSerializer.Serialize(list, CallJson.Options);
    }

    private async Task<string?> ExpectedResultAsync(FamilyOperation operation)
    {
        var returns = operation.Method.ReturnType;
        if (returns == typeof(Task)) return null;
        var type = returns.GetGenericArguments()[0];
        if (returns.GetGenericTypeDefinition() == typeof(Task<>)) return await DescribeAsync(Samples.Create(type, null, Sample, sparse: _sparse));
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(type))!;
        list.Add(Samples.Create(type, null, Sample, sparse: _sparse));
        list.Add(Samples.Create(type, null, Sample, sparse: _sparse));
        return JsonSerializer.Serialize(list, list.GetType(), CallJson.Options);
    }

    /// <summary>What a value is, for comparison: JSON, or a coded type's JSON part and body bytes, or a stream's bytes.</summary>
    private async Task<string?> DescribeAsync(object? value)
    {
        switch (value)
        {
            case null: return null;
            case CancellationToken: return "cancellation";
            case Stream stream:
                await using (stream) return "bytes:" + Convert.ToBase64String(await ReadAllAsync(stream));
        }
        if (Family.Codecs.FirstOrDefault(c => c.ValueType == value.GetType()) is { } codec)
        {
            var (meta, body) = codec.SplitValue(value);
            var description = "json:" + JsonSerializer.Serialize(meta, meta.GetType(), CallJson.Options) + " body:" + (body is null ? "none" : Convert.ToBase64String(await ReadAllAsync(body)));
            if (value is IAsyncDisposable disposable) await disposable.DisposeAsync();
            return description;
        }
        return "json:" + JsonSerializer.Serialize(value, value.GetType(), CallJson.Options);
    }

    private async Task<string?[]> DescribeAllAsync(object?[] values)
    {
        var described = new string?[values.Length];
        for (var i = 0; i < values.Length; i++) described[i] = await DescribeAsync(values[i]);
        return described;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>The fake bridge: records what arrived (bodies read to their end), then fails or answers with samples.</summary>
    private object? Respond(MethodInfo method, object?[] args)
    {
        var returns = method.ReturnType;
        if (returns == typeof(Task)) return RunAsync(args);
        var helper = returns.GetGenericTypeDefinition() == typeof(Task<>) ? nameof(ResultAsync) : nameof(FakeItemsAsync);
        return typeof(FamilyRoundTripTests<TBridge>).GetMethod(helper, BindingFlags.NonPublic | BindingFlags.Instance)!
            .MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(this, [args]);
    }

    private async Task RunAsync(object?[] args)
    {
        var described = await DescribeAllAsync(args);
        lock (_received) _received.Add(described!);
        if (_failure is { } failure) throw failure;
    }

    private async Task<T> ResultAsync<T>(object?[] args)
    {
        await RunAsync(args);
        return (T)Samples.Create(typeof(T), null, Sample, sparse: _sparse)!;
    }

    private async IAsyncEnumerable<T> FakeItemsAsync<T>(object?[] args)
    {
        await RunAsync(args);
        yield return (T)Samples.Create(typeof(T), null, Sample, sparse: _sparse)!;
        yield return (T)Samples.Create(typeof(T), null, Sample, sparse: _sparse)!;
    }
}
