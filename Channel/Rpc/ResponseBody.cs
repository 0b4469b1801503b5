namespace Gateway.Channel.Rpc;

/// <summary>
/// Whether a call answers with a body, and of which kind. The gateway decides this from the operation's declaration;
/// it does not take the bridge host's word for it.
/// </summary>
public enum ResponseBody
{
    /// <summary>A buffered answer: released only once the witness verified.</summary>
    None,

    /// <summary>
    /// A body the caller may know the length of (an object, an upstream's answer): its last byte is held back until
    /// the witness verified, so no client can take a body for complete before that.
    /// </summary>
    Sized,

    /// <summary>
    /// A live body of unknown length (a followed log): bytes pass as they arrive; its end is released only once the
    /// witness verified, and a failing witness turns the end into an error, which aborts the HTTP response.
    /// </summary>
    Live,
}
