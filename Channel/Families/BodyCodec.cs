namespace Gateway.Channel.Families;

/// <summary>A type that crosses the channel as a JSON part plus a body stream (non-generic view).</summary>
public interface IBodyCodec
{
    Type ValueType { get; }
    Type MetaType { get; }
    (object Meta, Stream? Body) SplitValue(object value);
    object JoinValue(object meta, Stream? body, IAsyncDisposable? owner);
}

/// <summary>
/// How a value with a stream inside (an object's content, an upstream's request or answer) crosses the channel: its
/// JSON part (<typeparamref name="TMeta"/>) and its body. Declared once per type, in the family that uses it.
/// </summary>
public abstract class BodyCodec<T, TMeta> : IBodyCodec where T : notnull where TMeta : notnull
{
    public Type ValueType => typeof(T);
    public Type MetaType => typeof(TMeta);

    /// <summary>The sending side: the JSON part and the body (null when there is none).</summary>
    public abstract (TMeta Meta, Stream? Body) Split(T value);

    /// <summary>The receiving side: rebuilds the value; <paramref name="owner"/> (the call) must be released with it.</summary>
    public abstract T Join(TMeta meta, Stream? body, IAsyncDisposable? owner);

    (object Meta, Stream? Body) IBodyCodec.SplitValue(object value) => Split((T)value);
    object IBodyCodec.JoinValue(object meta, Stream? body, IAsyncDisposable? owner) => Join((TMeta)meta, body, owner);
}
