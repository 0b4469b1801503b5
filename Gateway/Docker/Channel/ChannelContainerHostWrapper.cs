using Gateway.Channel;
using Gateway.Contracts.Containers;

namespace Gateway.Docker.Channel;

/// <summary>
/// Puts every configured Docker host behind CTP-96: endpoints talk to a <see cref="RemoteContainerHost"/>, whose calls
/// reach the real bridge through the bridge host (in-process, or `--role bridge-host` serving a host of the same name).
/// On a bridge host itself the bridges stay as they are: they are what it serves.
/// </summary>
sealed class ChannelContainerHostWrapper(ChannelRuntime? runtime) : IContainerHostWrapper
{
    public IContainerHost Wrap(IContainerHost inner) =>
        runtime is null || runtime.IsBridgeHost ? inner : new RemoteContainerHost(runtime.Client, inner.Name);
}
