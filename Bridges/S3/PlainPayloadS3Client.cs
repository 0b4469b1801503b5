using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Model;

namespace Gateway.Bridges.S3;

/// <summary>
/// The S3 client for <see cref="S3StoreOptions.PlainPayloads"/>: a PutObject body that cannot seek (a request body being
/// streamed through) is sent as it is read, plain, signed as UNSIGNED-PAYLOAD. Left alone, AWSSDK.S3 switches such a
/// body to aws-chunked (the encoding PlainPayloads exists to avoid), and it refuses DisablePayloadSigning over plain
/// HTTP (where emulators and many appliances listen); the alternative, a signed payload, needs the body's SHA-256
/// before the first byte is sent, so the whole body in memory. A seekable body (a buffered one) is signed as before.
/// </summary>
sealed class PlainPayloadS3Client : BridgeS3Client
{
    public PlainPayloadS3Client(AmazonS3Config config) : base(config) { }

    public PlainPayloadS3Client(AWSCredentials credentials, AmazonS3Config config) : base(credentials, config) { }

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerBefore<Signer>(new PlainStreamedBody());
    }

    /// <summary>Runs after the S3 marshalling handlers and before signing, where the body's encoding is still open.</summary>
    sealed class PlainStreamedBody : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            Unchunk(executionContext);
            base.InvokeSync(executionContext);
        }

        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            Unchunk(executionContext);
            return base.InvokeAsync<T>(executionContext);
        }

        static void Unchunk(IExecutionContext context)
        {
            var request = context.RequestContext.Request;
            // Without chunking the signer finds no seekable stream to hash and signs UNSIGNED-PAYLOAD.
            if (context.RequestContext.OriginalRequest is PutObjectRequest { UseChunkEncoding: false } && request.ContentStream is { CanSeek: false })
                request.UseChunkEncoding = false;
        }
    }
}
