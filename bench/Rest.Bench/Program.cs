using Yarp.ReverseProxy.Configuration;

// Rest.Bench upstream --urls http://127.0.0.1:P
// Rest.Bench yarp --urls http://127.0.0.1:P --target http://127.0.0.1:Q
var role = args.FirstOrDefault() ?? "";
var rest = args.Skip(1).ToArray();
var builder = WebApplication.CreateSlimBuilder(rest);
builder.Logging.ClearProviders();

switch (role)
{
    case "upstream":
    {
        var app = builder.Build();
        var payload = System.Text.Encoding.UTF8.GetBytes(
            "{\"items\":[" + string.Join(',', Enumerable.Range(0, 36).Select(i => $"{{\"id\":{i},\"name\":\"item-{i:D4}\"}}")) + "]}");
        app.MapGet("/{**path}", () => Results.Bytes(payload, "application/json"));
        await app.RunAsync();
        return 0;
    }
    case "yarp":
    {
        var target = builder.Configuration["target"] ?? throw new ArgumentException("--target is required");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "/{**catch-all}" } }],
            [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = target } } }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: Rest.Bench upstream|yarp --urls URL [--target URL]");
        return 2;
}
