using Xunit;

namespace Gateway.Tests.Hosting;

/// <summary>A gateway that refuses to start says why in one line and exits with 1, as an operator's script expects.</summary>
public sealed class StartFailureTests
{
    [Fact]
    public async Task A_production_start_without_its_settings_exits_1_with_the_reason_not_an_abort()
    {
        var printed = await RefusedStartAsync(_ => [], "Production");
        Assert.DoesNotContain("Unhandled exception", printed);
    }

    [Fact]
    public async Task An_invalid_setting_is_named_in_one_line_without_a_stack_trace()
    {
        var printed = await RefusedStartAsync(_ => new() { ["Gateway__Rest__Upstreams__legacy__BaseUrl"] = "ftp://not-http.example" });
        Assert.Contains("Gateway:Rest:Upstreams:legacy", printed);
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("bridge-host-without-port")]
    public async Task A_remote_mode_gateway_with_an_unusable_bridge_host_address_does_not_start(string address)
    {
        // Until this test the address was read on the first bridge call: the gateway started and answered 503 forever.
        using var hostKey = Gateway.Channel.Identity.HybridSigningKey.Generate();
        var printed = await RefusedStartAsync(_ => new()
        {
            ["Gateway__Channel__Mode"] = "remote",
            ["Gateway__Channel__Remote__Address"] = address,
            ["Gateway__Channel__Remote__HostKey"] = hostKey.PublicKey.ToText(),
        });
        Assert.Contains($"Gateway:Channel:Remote:Address must be host:port (got '{address}')", printed);
    }

    [Fact]
    public async Task A_page_token_key_file_that_is_not_a_key_stops_the_start_naming_the_setting_not_its_content()
    {
        // Until this test the key was read on the first listing: the gateway started, and every listing was a 500.
        const string NotAKey = "c2hvcnQta2V5LW1hdGVyaWFs"; // base64, but of 18 bytes
        var printed = await RefusedStartAsync(workDir =>
        {
            var keyFile = Path.Combine(workDir, "page-tokens.key");
            File.WriteAllText(keyFile, NotAKey);
            return new() { ["Gateway__PageTokenKeyFile"] = keyFile };
        });
        Assert.Contains("Gateway:PageTokenKeyFile", printed);
        Assert.DoesNotContain(NotAKey, printed);
    }

    [Fact]
    public async Task A_refused_security_setting_is_named_in_one_line_without_the_hosts_stack_trace()
    {
        // Until this test the security checks ran in the host's StartAsync: "Hosting failed to start" and a stack trace
        // came before the one-line reason (RefusedStartAsync checks that neither is printed).
        var printed = await RefusedStartAsync(_ => new() { ["Gateway__Security__RateLimits__PermitLimit"] = "-3" });
        Assert.Contains("Gateway:Security:RateLimits:PermitLimit", printed);
    }

    /// <summary>Session-43 probe: "The gateway did not start: Could not find file '/proc/nope'" named neither setting nor cause.</summary>
    [Theory]
    [InlineData("proc", "the gateway cannot make or write the folder '/proc/gateway-data'")]
    [InlineData("file", "is a file, not a folder")]
    [InlineData("under-a-file", "the gateway cannot make or write the folder")]
    public async Task A_data_directory_the_gateway_cannot_make_or_write_stops_the_start_naming_the_setting(string kind, string reason)
    {
        var printed = await RefusedStartAsync(workDir =>
        {
            var file = Path.Combine(workDir, "a-file");
            File.WriteAllText(file, "not a folder");
            var directory = kind switch { "proc" => "/proc/gateway-data", "file" => file, _ => Path.Combine(file, "data") };
            return new() { ["Gateway__DataDirectory"] = directory };
        }, "Production");
        Assert.Contains($"Gateway:DataDirectory: ", printed);
        Assert.Contains(reason, printed);
    }

    /// <summary>
    /// Runs the built gateway in a folder of its own with the environment variables <paramref name="settings"/> makes
    /// for that folder, and checks the refusal's form: exit 1, the one-line reason, no stack trace and no host failure
    /// log before it. Returns what it printed.
    /// </summary>
    private static async Task<string> RefusedStartAsync(Func<string, Dictionary<string, string?>> settings, string environment = "Development")
    {
        var workDir = Directory.CreateTempSubdirectory("gw-start-").FullName;
        try
        {
            var variables = settings(workDir);
            variables["DOTNET_ENVIRONMENT"] = environment;
            variables["ASPNETCORE_ENVIRONMENT"] = environment;
            var (code, output, errors) = await GatewayDll.RunAsync(["--urls", "http://127.0.0.1:0"], variables, workDir);
            Assert.True(code == 1, $"exit {code}\n{errors}");
            Assert.Contains("The gateway did not start: ", errors);
            Assert.DoesNotContain("   at ", errors + output);
            Assert.DoesNotContain("Hosting failed to start", errors + output);
            return errors + output;
        }
        finally { Directory.Delete(workDir, recursive: true); }
    }

    [Theory]
    [InlineData("Gateway:Rest:Upstreams:billing:Auth:Type", "OAuth2", "Gateway:Rest:Upstreams:billing:Auth:Type")]
    [InlineData("Gateway:Rest:Upstreams:billing:MaxRequestBodyBytes", "lots", "Gateway:Rest:Upstreams:billing:MaxRequestBodyBytes")]
    [InlineData("Gateway:Docker:Hosts:build:Resilience:MaxRetryAttempts", "many", "Gateway:Docker:Hosts:build:Resilience:MaxRetryAttempts")]
    [InlineData("Gateway:Docker:Hosts:build:Registries:hub", "registry.example.com", "Gateway:Docker:Hosts:build:Registries:hub")]
    [InlineData("Gateway:Docker:Hosts:build:Registries:hub:Server:Name", "registry.example.com", "Gateway:Docker:Hosts:build:Registries:hub")]
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

    /// <summary>
    /// Read only when the bridge host began to listen, a bad Listen failed a background service and the start ended with
    /// stack traces and "A task was canceled", a host name not naming the setting at all (session-43 probe).
    /// </summary>
    [Theory]
    [InlineData("garbage", "must be address:port")]
    [InlineData("127.0.0.1:99999", "must be address:port")]
    [InlineData("bridge.example:5499", "must name an IP address")]
    public async Task A_bad_listen_endpoint_stops_the_start_naming_the_setting(string listen, string reason)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Gateway.Testing.GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Channel:Listen"] = listen,
        }));
        Assert.Contains($"Gateway:Channel:Listen {reason}", error.ToString());
    }

    /// <summary>The audit database the start cannot open is named with its setting (session-43 probe: "SQLite Error 26" alone).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_audit_database_that_cannot_be_opened_stops_the_start_naming_the_setting_and_file(bool directory)
    {
        var root = Directory.CreateTempSubdirectory("gw-auditdb-").FullName;
        try
        {
            var path = directory ? root : Path.Combine(root, "not-a-database.txt");
            if (!directory) await File.WriteAllTextAsync(path, string.Concat(Enumerable.Repeat("this is not SQLite\n", 100)));
            var error = await Assert.ThrowsAnyAsync<Exception>(() => Gateway.Testing.GatewayServer.StartAsync(new Dictionary<string, string?>
            {
                ["Gateway:Channel:AuditDatabase"] = path,
            }));
            Assert.Contains($"Gateway:Channel:AuditDatabase: the audit database '{path}' cannot be opened", error.ToString());
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void An_empty_pinned_key_entry_is_named_as_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Gateway.ChannelHosting.ChannelKeys.ParsePublic("", "Gateway:Channel:AllowedClients:0"));
        Assert.StartsWith("Gateway:Channel:AllowedClients:0: not a CTP-96 public key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Fsync", "yes", "Gateway:Stores:scratch:Fsync must be true or false")]
    [InlineData("Resilience:MaxRetryAttempts", "-3", "Gateway:Stores:scratch:Resilience does not apply to a local store")]
    [InlineData("Resilience:TotalTimeout", "00:00:05", "Gateway:Stores:scratch:Resilience does not apply to a local store")]
    public async Task A_local_store_setting_it_would_ignore_stops_the_start(string key, string value, string reason)
    {
        // Until this test "Fsync=yes" ran without fsync and a Resilience section was taken and did nothing, negative or not.
        var root = Directory.CreateTempSubdirectory("gw-local-").FullName;
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => Gateway.Testing.GatewayServer.StartAsync(new Dictionary<string, string?>
            {
                ["Gateway:Stores:scratch:Kind"] = "local",
                ["Gateway:Stores:scratch:Root"] = root,
                [$"Gateway:Stores:scratch:{key}"] = value,
            }));
            Assert.Contains(reason, error.Message);
        }
        finally { Directory.Delete(root, recursive: true); }
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

