using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.X509;

namespace Gateway.Bridges.Docker;

/// <summary>
/// Mutual TLS to an engine run with <c>--tlsverify</c>: the client certificate it asks for, and its own certificate
/// accepted only when it chains to the configured CA (not the system's roots) and names the host dialled. Fail closed:
/// anything else ends the handshake.
/// </summary>
public sealed class DockerTls : IDisposable
{
    readonly X509Certificate2 _authority;
    readonly X509Certificate2 _client;

    DockerTls(X509Certificate2 authority, X509Certificate2 client) => (_authority, _client) = (authority, client);

    public static DockerTls Load(DockerTlsOptions options)
    {
        var authority = X509CertificateLoader.LoadCertificateFromFile(options.CaCertificate!);
        try
        {
            return new DockerTls(authority, X509Certificate2.CreateFromPemFile(options.ClientCertificate!, options.ClientKey!));
        }
        catch
        {
            authority.Dispose();
            throw;
        }
    }

    public Credentials Credentials() => new CertificateCredentials(_client) { ServerCertificateValidationCallback = IsTrusted };

    bool IsTrusted(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // Chain errors are expected (the CA is not a system root) and judged below; a name mismatch or no certificate is not.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_authority);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(presented);
    }

    public void Dispose()
    {
        _authority.Dispose();
        _client.Dispose();
    }
}
