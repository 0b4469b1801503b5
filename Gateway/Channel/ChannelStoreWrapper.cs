using Gateway.Channel.ObjectStorage;
using Gateway.Contracts.ObjectStorage;
using Gateway.Storage;

namespace Gateway.Channel;

/// <summary>
/// Puts every configured object store behind the channel: the facade talks to a <see cref="RemoteObjectStore"/>,
/// whose calls reach the real store through CTP-96 (in-process host, or the remote bridge host that serves a store
/// of the same name). On a bridge host itself the stores stay as they are: they are what it serves.
/// </summary>
internal sealed class ChannelStoreWrapper(ChannelRuntime runtime) : IObjectStoreWrapper
{
    public IObjectStore Wrap(IObjectStore inner)
    {
        if (runtime.IsBridgeHost) return inner;
        if (!runtime.IsRemote) runtime.RegisterInProcess(inner);
        return new RemoteObjectStore(runtime.Client, inner.Name, inner.Kind, inner.Capabilities);
    }
}
