namespace Gateway.Migrations.Cli;

/// <summary>Exit codes of <c>migrate</c>, following rclone's where they mean the same (README: Migrations).</summary>
internal static class MigrateExitCodes
{
    public const int Success = 0;
    /// <summary>
    /// Syntax or usage error, or a request the gateway refused as bad input (400: an unknown store or a missing bucket
    /// included, the same place as source and target) or as a transition that does not apply (409).
    /// </summary>
    public const int Usage = 1;
    /// <summary>The job ended failed (some objects failed) or was cancelled; <c>check</c> found differences.</summary>
    public const int Error = 2;
    /// <summary>No such job (404).</summary>
    public const int NotFound = 3;
    /// <summary>The gateway could not be reached or answered 5xx/429, or the job was interrupted (a store did not answer): retrying or resuming may help.</summary>
    public const int Temporary = 5;
    /// <summary>Refused: not authenticated or not authorised (401/403).</summary>
    public const int Fatal = 7;
}
