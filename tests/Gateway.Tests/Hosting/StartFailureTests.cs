using Xunit;

namespace Gateway.Tests.Hosting;

/// <summary>A gateway that refuses to start says why in one line and exits with 1, as an operator's script expects.</summary>
public sealed class StartFailureTests
{
    [Fact]
    public async Task A_production_start_without_its_settings_exits_1_with_the_reason_not_an_abort()
    {
        var workDir = Directory.CreateTempSubdirectory("gw-start-").FullName;
        try
        {
            var (code, output, errors) = await GatewayDll.RunAsync(["--urls", "http://127.0.0.1:0"],
                new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = "Production" }, workDir);

            Assert.True(code == 1, $"exit {code}\n{errors}");
            Assert.Contains("The gateway did not start: ", errors);
            Assert.DoesNotContain("Unhandled exception", errors + output);
            // The reason alone: no host log of the same failure with a stack trace before it.
            Assert.DoesNotContain("   at ", errors + output);
            Assert.DoesNotContain("Hosting failed to start", errors + output);
        }
        finally { Directory.Delete(workDir, recursive: true); }
    }

    [Fact]
    public async Task An_invalid_setting_is_named_in_one_line_without_a_stack_trace()
    {
        var workDir = Directory.CreateTempSubdirectory("gw-start-").FullName;
        try
        {
            var (code, output, errors) = await GatewayDll.RunAsync(["--urls", "http://127.0.0.1:0"],
                new Dictionary<string, string?>
                {
                    ["DOTNET_ENVIRONMENT"] = "Development", ["ASPNETCORE_ENVIRONMENT"] = "Development",
                    ["Gateway__Rest__Upstreams__legacy__BaseUrl"] = "ftp://not-http.example",
                }, workDir);

            Assert.True(code == 1, $"exit {code}\n{errors}");
            Assert.Contains("The gateway did not start: ", errors);
            Assert.Contains("Gateway:Rest:Upstreams:legacy", errors);
            Assert.DoesNotContain("   at ", errors + output);
        }
        finally { Directory.Delete(workDir, recursive: true); }
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("bridge-host-without-port")]
    public async Task A_remote_mode_gateway_with_an_unusable_bridge_host_address_does_not_start(string address)
    {
        // Until this test the address was read on the first bridge call: the gateway started and answered 503 forever.
        var workDir = Directory.CreateTempSubdirectory("gw-start-").FullName;
        try
        {
            using var hostKey = Gateway.Channel.Identity.HybridSigningKey.Generate();
            var (code, output, errors) = await GatewayDll.RunAsync(["--urls", "http://127.0.0.1:0"],
                new Dictionary<string, string?>
                {
                    ["DOTNET_ENVIRONMENT"] = "Development", ["ASPNETCORE_ENVIRONMENT"] = "Development",
                    ["Gateway__Channel__Mode"] = "remote",
                    ["Gateway__Channel__Remote__Address"] = address,
                    ["Gateway__Channel__Remote__HostKey"] = hostKey.PublicKey.ToText(),
                }, workDir);

            Assert.True(code == 1, $"exit {code}\n{errors}");
            Assert.Contains($"Gateway:Channel:Remote:Address must be host:port (got '{address}')", errors);
            Assert.DoesNotContain("   at ", errors + output);
        }
        finally { Directory.Delete(workDir, recursive: true); }
    }

    [Fact]
    public async Task A_page_token_key_file_that_is_not_a_key_stops_the_start_naming_the_setting_not_its_content()
    {
        // Until this test the key was read on the first listing: the gateway started, and every listing was a 500.
        var workDir = Directory.CreateTempSubdirectory("gw-start-").FullName;
        try
        {
            var keyFile = Path.Combine(workDir, "page-tokens.key");
            const string NotAKey = "c2hvcnQta2V5LW1hdGVyaWFs"; // base64, but of 18 bytes
            await File.WriteAllTextAsync(keyFile, NotAKey);
            var (code, output, errors) = await GatewayDll.RunAsync(["--urls", "http://127.0.0.1:0"],
                new Dictionary<string, string?>
                {
                    ["DOTNET_ENVIRONMENT"] = "Development", ["ASPNETCORE_ENVIRONMENT"] = "Development",
                    ["Gateway__PageTokenKeyFile"] = keyFile,
                }, workDir);

            Assert.True(code == 1, $"exit {code}\n{errors}");
            Assert.Contains("The gateway did not start: ", errors);
            Assert.Contains("Gateway:PageTokenKeyFile", errors);
            Assert.DoesNotContain(NotAKey, errors + output);
            Assert.DoesNotContain("   at ", errors + output);
        }
        finally { Directory.Delete(workDir, recursive: true); }
    }

    [Fact]
    public async Task A_refused_security_setting_is_named_in_one_line_without_the_hosts_stack_trace()
    {
        // Until this test the security checks ran in the host's StartAsync: "Hosting failed to start" and a stack trace
        // came before the one-line reason.
        var workDir = Directory.CreateTempSubdirectory("gw-start-").FullName;
        try
        {
            var (code, output, errors) = await GatewayDll.RunAsync(["--urls", "http://127.0.0.1:0"],
                new Dictionary<string, string?>
                {
                    ["DOTNET_ENVIRONMENT"] = "Development", ["ASPNETCORE_ENVIRONMENT"] = "Development",
                    ["Gateway__Security__RateLimits__PermitLimit"] = "-3",
                }, workDir);

            Assert.True(code == 1, $"exit {code}\n{errors}");
            Assert.Contains("The gateway did not start: ", errors);
            Assert.Contains("Gateway:Security:RateLimits:PermitLimit", errors);
            Assert.DoesNotContain("   at ", errors + output);
            Assert.DoesNotContain("Hosting failed to start", errors + output);
        }
        finally { Directory.Delete(workDir, recursive: true); }
    }

    [Theory]
    [InlineData("Gateway:Rest:Upstreams:billing:Auth:Type", "OAuth2", "Gateway:Rest:Upstreams:billing:Auth:Type")]
    [InlineData("Gateway:Rest:Upstreams:billing:MaxRequestBodyBytes", "lots", "Gateway:Rest:Upstreams:billing:MaxRequestBodyBytes")]
    [InlineData("Gateway:Docker:Hosts:build:Resilience:MaxRetryAttempts", "many", "Gateway:Docker:Hosts:build:Resilience:MaxRetryAttempts")]
    public async Task A_named_bridge_with_a_value_its_type_cannot_take_stops_the_start_instead_of_vanishing(string key, string value, string named)
    {
        // The binder dropped the whole entry without a word: the gateway started and answered 404 for the upstream.
        const string Token = "upstream-token-not-for-messages";
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Gateway.Testing.GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Rest:Upstreams:billing:BaseUrl"] = "http://127.0.0.1:9/",
            ["Gateway:Rest:Upstreams:billing:Auth:Token"] = Token,
            ["Gateway:Docker:Hosts:build:Endpoint"] = "unix:///nonexistent/docker.sock",
            [key] = value,
        }));
        Assert.Contains(named, error.Message);
        Assert.DoesNotContain(Token, error.ToString());
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=c2VjcmV0LWFjY291bnQta2V5;BlobEndpoint=ht!tp://bad")]
    [InlineData("AccountKey=c2VjcmV0LWFjY291bnQta2V5")]
    public async Task An_azure_connection_string_the_sdk_cannot_read_stops_the_start_naming_the_setting_not_its_content(string connection)
    {
        // Until this test the start ended in the SDK's "No valid combination of account information found.", naming nothing.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Gateway.Testing.GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:archive:Kind"] = "azure-blob",
            ["Gateway:Stores:archive:ConnectionString"] = connection,
        }));
        Assert.Contains("Gateway:Stores:archive:ConnectionString", error.Message);
        Assert.DoesNotContain("c2VjcmV0LWFjY291bnQta2V5", error.ToString());
    }

    [Fact]
    public async Task A_gcs_service_account_key_the_library_cannot_read_stops_the_start_naming_the_setting_not_its_content()
    {
        // Until this test the gateway started, and every call to the store was a 500 "The bridge call failed".
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Gateway.Testing.GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:gc:Kind"] = "gcs",
            ["Gateway:Stores:gc:Endpoint"] = "http://127.0.0.1:9/",
            ["Gateway:Stores:gc:CredentialsJson"] = """{"type":"service_account","client_email":"a@b.example","private_key":"not-a-pem-PRIVATEKEYTEXT"}""",
        }));
        Assert.Contains("Gateway:Stores:gc:CredentialsJson is not a service-account key", error.Message);
        Assert.DoesNotContain("PRIVATEKEYTEXT", error.ToString());
    }
}

