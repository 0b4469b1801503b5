using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Internal;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.S3;

/// <summary>
/// AWSSDK.S3 with its redirect handler replaced. The SDK follows an S3 307 itself (whatever <c>AllowAutoRedirect</c>
/// says), re-signing the request, body and conditions included, for wherever <c>Location</c> points; without that
/// handler it would read a redirect as the operation's success. The bridge follows no redirect: a 3xx is a 502 naming
/// it (<see cref="S3Errors"/>).
/// </summary>
class BridgeS3Client : AmazonS3Client
{
    public BridgeS3Client(AmazonS3Config config) : base(config) { }

    public BridgeS3Client(AWSCredentials credentials, AmazonS3Config config) : base(credentials, config) { }

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.ReplaceHandler<AmazonS3RedirectHandler>(new RefuseRedirects());
    }

    sealed class RefuseRedirects : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            base.InvokeSync(executionContext);
            Refuse(executionContext);
        }

        public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            var result = await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
            Refuse(executionContext);
            return result;
        }

        static void Refuse(IExecutionContext context)
        {
            var response = context.ResponseContext.HttpResponse;
            // 304 is a conditional read's answer, which the SDK reports as NotModified on its own.
            if (response is null || !PlatformStatus.IsRedirect((int)response.StatusCode)) return;
            throw new AmazonS3Exception($"The endpoint answered HTTP {(int)response.StatusCode}, a redirect, which is not followed.",
                ErrorType.Unknown, null, null, response.StatusCode);
        }
    }
}
