namespace Gateway.Channel.Rpc;

/// <summary>
/// A <see cref="ResponseBody.Sized"/> body whose answer turned out to state no length (a REST upstream's chunked or
/// streamed answer): no client can take it for complete before its end, so holding its last byte back only delayed
/// every line of a streamed answer until the next one came. A family's codec that learns this says so before the body
/// is read.
/// </summary>
internal interface IUnsizedBody
{
    void PassBytesAsTheyCome();
}
