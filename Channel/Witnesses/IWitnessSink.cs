namespace Gateway.Channel.Witnesses;

/// <summary>Receives every verified witness before its answer is released (the audit chain).</summary>
public interface IWitnessSink
{
    ValueTask AppendAsync(Witness witness, CancellationToken ct);
}
