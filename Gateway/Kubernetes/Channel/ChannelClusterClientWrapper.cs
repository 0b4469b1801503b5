using Gateway.Channel;
using Gateway.Contracts.Clusters;

namespace Gateway.Kubernetes.Channel;

/// <summary>
/// Puts every configured cluster behind CTP-96: endpoints talk to a <see cref="RemoteClusterClient"/>, whose calls
/// reach the real bridge through the bridge host. On a bridge host itself the bridges stay as they are.
/// </summary>
sealed class ChannelClusterClientWrapper(ChannelRuntime? runtime) : IClusterClientWrapper
{
    public IClusterClient Wrap(IClusterClient inner) =>
        runtime is null || runtime.IsBridgeHost ? inner : new RemoteClusterClient(runtime.Client, inner.Name);
}
