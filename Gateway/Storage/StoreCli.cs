using System.CommandLine;
using System.Diagnostics;
using Gateway.Bridges.Local;
using Gateway.Hosting;

namespace Gateway.Storage;

/// <summary>
/// CLI verb `store reindex STORE [config overrides...]`: rebuilds a local store's index from its object files,
/// reading the store's settings the way the gateway does (appsettings, environment, command line).
/// </summary>
public static class StoreCli
{
    /// <summary>Runs a store verb; null when <paramref name="args"/> is not one.</summary>
    public static int? TryRun(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        if (args.Length < 2 || args[0] != "store" || args[1] != "reindex") return null;
        output ??= Console.Out;
        error ??= Console.Error;
        var store = new Argument<string>("store") { Description = "The local store's name (Gateway:Stores:NAME)" };
        // What follows the store are the gateway's own configuration overrides, read as the server reads them.
        var reindex = new Command("reindex", "Rebuilds a local store's index from its object files (the gateway must not be running on it). "
            + "Configuration overrides may follow: --Gateway:Stores:NAME:Root=FOLDER ...") { store };
        reindex.TreatUnmatchedTokensAsErrors = false;
        reindex.SetAction(r => r.GetValue(store)!.StartsWith('-') ? Usage(error) : Reindex(r.GetValue(store)!, [.. r.UnmatchedTokens], output, error));
        var parsed = new RootCommand { Subcommands = { new Command("store") { Subcommands = { reindex } } } }.Parse(args);
        return parsed.Errors.Count > 0 ? Usage(error) : parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static int Usage(TextWriter error)
    {
        error.WriteLine("usage: store reindex STORE [--Gateway:Stores:STORE:Root=FOLDER ...] (see --help)");
        return 2;
    }

    private static int Reindex(string store, string[] configArgs, TextWriter output, TextWriter error)
    {
        // The configuration binder drops a bare word without a word: "store reindex s extra" must not run as "store reindex s".
        if (CliVerbs.BareWord(configArgs) is { } word)
        {
            error.WriteLine($"store reindex: '{word}' is not a setting; only overrides (--Section:Key=value) may follow the store.");
            return Usage(error);
        }
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = GatewayApp.WithoutConfigReload(configArgs) });
        GatewayApp.AddDefaults(builder.Configuration);
        var section = builder.Configuration.GetSection(StoreOptions.Section).GetSection(store);
        if (!section.Exists())
        {
            error.WriteLine($"store reindex: no store named '{store}' is configured ({StoreOptions.Section}).");
            return 2;
        }
        if (!string.Equals(section["Kind"], LocalObjectStore.KindName, StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"store reindex: store '{store}' is of kind '{section["Kind"]}'; only local stores keep an index.");
            return 2;
        }
        var problems = new LocalStoreFactory().Validate(store, section);
        if (problems.Count > 0)
        {
            foreach (var problem in problems) error.WriteLine($"store reindex: {problem}");
            return 2;
        }
        var options = LocalStoreFactory.Bind(section);
        var watch = Stopwatch.StartNew();
        try
        {
            var count = LocalObjectStore.Reindex(options);
            output.WriteLine($"store '{store}': indexed {count} objects from {Path.GetFullPath(options.Root)} in {watch.Elapsed.TotalSeconds:0.0} s");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"store reindex: {e.Message}");
            return 1;
        }
    }
}
