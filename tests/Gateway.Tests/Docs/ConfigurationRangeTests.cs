using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Gateway.Tests.Docs;

/// <summary>
/// The ranges docs/configuration.md states in its "checked at start" column, tried against the gateway's start-time
/// validation: each bound is accepted and the value just past it refused, naming the setting. Bounds are read from the
/// forms <c>A-B</c>, <c>A to B</c>, <c>at least A</c>, <c>above A</c>, <c>at most B</c>, <c>A or more</c> and
/// <c>not negative</c>, with numbers in bytes (KiB, MiB, GiB) or durations (ms, s, minutes); other wording is not tried.
/// </summary>
public sealed partial class ConfigurationRangeTests
{
    private const string Quantity = @"(-?\d+(?:\.\d+)?)\s*(ms|s|seconds?|minutes?|KiB|MiB|GiB)?";

    [GeneratedRegex($"^{Quantity}\\s*(?:-|to)\\s*{Quantity}$")]
    private static partial Regex Between();

    [GeneratedRegex($"^(at least|above|at most) {Quantity}$")]
    private static partial Regex Bound();

    [GeneratedRegex($"^{Quantity} or more$")]
    private static partial Regex OrMore();

    [GeneratedRegex(@"Kind = ([a-z0-9-]+)")]
    private static partial Regex StoreKind();

    private sealed record Probe(string Value, bool Accepted);

    [Fact]
    public void Every_stated_range_is_the_one_checked_at_start()
    {
        var keys = ConfigurationKeys.All().Where(k => !k.IsSection).ToList();
        var rows = MarkdownTables.Rows(MarkdownTables.Read("configuration.md"));
        var tried = 0;
        var wrong = new List<string>();
        foreach (var row in rows)
        {
            if (row.Cell("checked at start") is not { } rule || MarkdownTables.CodeSpans(row.First).ToList() is not [var first]) continue;
            var path = ConfigurationKeys.Normalise(first);
            if (keys.FirstOrDefault(k => k.Path == path) is not { } key) continue;
            var type = Nullable.GetUnderlyingType(key.Type) ?? key.Type;
            if (type != typeof(int) && type != typeof(long) && type != typeof(double) && type != typeof(TimeSpan)) continue;
            foreach (var probe in Probes(rule, type))
            {
                var (settings, setting) = Settings(path, StoreKind().Match(row.Heading) is { Success: true } m ? m.Groups[1].Value : "s3");
                settings[setting] = probe.Value;
                var named = Problems(settings).Where(p => Names(p, path)).ToList();
                tried++;
                if (probe.Accepted && named.Count > 0) wrong.Add($"line {row.Line}: {first}={probe.Value} is in '{rule}' but refused: {named[0]}");
                if (!probe.Accepted && named.Count == 0) wrong.Add($"line {row.Line}: {first}={probe.Value} is outside '{rule}' but accepted");
            }
        }
        Assert.True(tried > 60, $"only {tried} values tried: has the column's wording changed?");
        Assert.True(wrong.Count == 0, "docs/configuration.md states ranges the code does not check:\n" + string.Join("\n", wrong));
    }

    /// <summary>Whether a validation message is about the key: its last segment as a setting (<c>:Name</c> or <c>Name</c> first).</summary>
    private static bool Names(string problem, string path)
    {
        var name = path[(path.LastIndexOf(':') + 1)..];
        return Regex.IsMatch(problem, $@"(^|:)\s?{Regex.Escape(name)}\b");
    }

    /// <summary>A configuration that passes validation, for the section of <paramref name="path"/>, and where the key goes in it.</summary>
    private static (Dictionary<string, string?> Settings, string Key) Settings(string path, string storeKind)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Gateway:Security:Development:CreateLocalAdminKey"] = "false",
        };
        const string store = "Gateway:Stores:probe";
        if (path.StartsWith(ConfigurationKeys.SharedResilience, StringComparison.Ordinal))
        {
            settings[$"{store}:Kind"] = "s3";
            return (settings, store + path[ConfigurationKeys.Any.Length..]);
        }
        if (path.StartsWith("Gateway:Stores:", StringComparison.Ordinal))
        {
            settings[$"{store}:Kind"] = storeKind;
            if (storeKind == "azure-blob") settings[$"{store}:ConnectionString"] = "UseDevelopmentStorage=true";
        }
        if (path.StartsWith("Gateway:Rest:", StringComparison.Ordinal)) settings["Gateway:Rest:Upstreams:probe:BaseUrl"] = "http://127.0.0.1:1";
        if (path.StartsWith("Gateway:Docker:", StringComparison.Ordinal)) settings["Gateway:Docker:Hosts:probe:Endpoint"] = "unix:///var/run/docker.sock";
        if (path.StartsWith("Gateway:S3:", StringComparison.Ordinal))
        {
            settings["Gateway:S3:Enabled"] = "true";
            settings["Gateway:S3:PathBase"] = "/s3";
            settings["Gateway:S3:AccessKeysFile"] = "s3-keys.json";
        }
        return (settings, path.Replace(ConfigurationKeys.Any, "probe", StringComparison.Ordinal));
    }

    /// <summary>What the gateway's start-time checks say of a configuration: options validation, and the security checks.</summary>
    private static List<string> Problems(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = ConfigurationKeys.GatewayServices(configuration).BuildServiceProvider();
        var problems = new List<string>();
        try { provider.GetRequiredService<IStartupValidator>().Validate(); }
        catch (OptionsValidationException e) { problems.AddRange(e.Failures); }
        catch (AggregateException e) { problems.AddRange(e.InnerExceptions.OfType<OptionsValidationException>().SelectMany(x => x.Failures)); }
        // Gateway:Security is checked by a hosted service (SecurityStartup), not by options validation.
        var security = provider.GetRequiredService<IOptions<SecurityOptions>>().Value;
        problems.AddRange(SecurityStartup.SettingErrors(security, provider.GetRequiredService<AccessEvaluator>()));
        return problems;
    }

    /// <summary>The values a rule's bounds say are in (accepted) or just out (refused).</summary>
    private static IEnumerable<Probe> Probes(string rule, Type type)
    {
        foreach (var clause in rule.Replace("`", "").Split([',', ';'], StringSplitOptions.TrimEntries))
        {
            if (Between().Match(clause) is { Success: true } b)
            {
                var unit = b.Groups[4].Success ? b.Groups[4].Value : b.Groups[2].Value;
                var low = Value(b.Groups[1].Value, b.Groups[2].Success ? b.Groups[2].Value : unit, type);
                var high = Value(b.Groups[3].Value, unit, type);
                if (low is null || high is null) continue;
                yield return Accepted(low.Value, type);
                yield return Accepted(high.Value, type);
                yield return Refused(low.Value - Step(type), type);
                yield return Refused(high.Value + Step(type), type);
            }
            else if (Bound().Match(clause) is { Success: true } one && Value(one.Groups[2].Value, one.Groups[3].Value, type) is { } v)
            {
                switch (one.Groups[1].Value)
                {
                    case "at least": yield return Accepted(v, type); yield return Refused(v - Step(type), type); break;
                    case "above": yield return Refused(v, type); yield return Accepted(v + Step(type), type); break;
                    default: yield return Accepted(v, type); yield return Refused(v + Step(type), type); break;
                }
            }
            else if ((OrMore().Match(clause) is { Success: true } more ? Value(more.Groups[1].Value, more.Groups[2].Value, type)
                         : clause == "not negative" ? 0 : null) is { } min)
            {
                yield return Accepted(min, type);
                yield return Refused(min - Step(type), type);
            }
        }
    }

    private static Probe Accepted(decimal value, Type type) => new(Format(value, type), true);
    private static Probe Refused(decimal value, Type type) => new(Format(value, type), false);

    /// <summary>Bytes, seconds (for a duration) or a plain number; null when the unit does not fit the type.</summary>
    private static decimal? Value(string number, string unit, Type type)
    {
        var n = decimal.Parse(number, CultureInfo.InvariantCulture);
        var duration = type == typeof(TimeSpan);
        return unit switch
        {
            "" => duration && n != 0 ? null : n,
            "KiB" or "MiB" or "GiB" when !duration => n * (unit switch { "KiB" => 1024m, "MiB" => 1024m * 1024, _ => 1024m * 1024 * 1024 }),
            "ms" when duration => n / 1000,
            "s" or "second" or "seconds" when duration => n,
            "minute" or "minutes" when duration => n * 60,
            _ => null,
        };
    }

    private static decimal Step(Type type) => type == typeof(TimeSpan) ? 0.001m : type == typeof(double) ? 0.001m : 1;

    private static string Format(decimal value, Type type) => type == typeof(TimeSpan)
        ? TimeSpan.FromMilliseconds((double)(value * 1000)).ToString("c", CultureInfo.InvariantCulture)
        : value.ToString(CultureInfo.InvariantCulture);
}
