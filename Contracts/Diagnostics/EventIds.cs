namespace Gateway.Contracts.Diagnostics;

/// <summary>
/// Every log event id of the gateway, in one place, so ids stay unique and a log search can rely on them.
/// Ranges: 1000 bridge resilience, 1100 REST bridge, 2000 HTTP facade, 2100 health, 7000 security, 9600 CTP-96 channel, 9800 migrations.
/// </summary>
public static class EventIds
{
    public const int BridgeRetry = 1001;
    public const int BridgeCircuitOpened = 1002;
    public const int BridgeCircuitHalfOpen = 1003;
    public const int BridgeCircuitClosed = 1004;
    public const int BridgeCallRejected = 1005;

    public const int RestTokenFetched = 1101;
    public const int RestTokenEndpointFailed = 1102;
    public const int RestTokenRejected = 1103;
    public const int RestDestinationFailed = 1104;
    public const int RestResponseTooLarge = 1105;
    public const int RestUnsendableResponseHeader = 1106;
    public const int RestInvalidResponseFraming = 1107;
    public const int RestResponseStalled = 1108;

    public const int UnhandledFailure = 2001;
    public const int RequestRejected = 2002;

    public const int StoresNotAnswering = 2101;
    public const int StoresAnsweringAgain = 2102;
    public const int StoresRefusingTheListing = 2103;
    public const int StreamCutAfterStart = 2104;
    public const int StreamCallerGone = 2105;

    public const int SecurityEvent = 7001;
    public const int DevelopmentKeyCreated = 7002;

    public const int HandshakeRejected = 9601;
    public const int ConnectionClosedOnViolation = 9602;
    public const int WitnessRejected = 9603;
    public const int CallInterrupted = 9604;
    public const int ConnectionEstablished = 9605;
    public const int ConnectionClosed = 9606;
    public const int ReconnectFailed = 9607;
    public const int HandlerFailed = 9608;
    public const int ResponseSourceFailed = 9613;
    public const int HeadRejected = 9609;
    public const int HeadSigningFailed = 9611;
    public const int CallUnfinished = 9612;
    public const int StreamIdsExhausted = 9620;
    public const int HandshakeRefused = 9621;
    public const int BridgeCatalogFetched = 9622;
    public const int BridgeCatalogFailed = 9623;
    public const int AuditUnresolvedCalls = 9624;
    public const int HeadUncommittedOnLoss = 9625;
    public const int BridgeHostListening = 9610;

    public const int MigrationRunning = 9801;
    public const int MigrationEnded = 9802;
    public const int MigrationFailed = 9803;
    public const int MigrationObjectRetrying = 9804;
    public const int MigrationInterrupted = 9805;
}
