using System.Collections;
using Microsoft.Extensions.Options;

namespace Gateway.ChannelHosting;

/// <summary>
/// Refuses a family's settings when an entry of one of its named maps (<c>Gateway:Rest:Upstreams:{name}</c>,
/// <c>Gateway:Docker:Hosts:{name}</c>, and maps inside an entry, as a host's <c>Registries:{name}</c>) holds a value its
/// type cannot take. The configuration binder drops such an entry from the map without a word, so
/// <c>Auth:Type=OAuth2</c> (for <c>OAuth2ClientCredentials</c>) made the upstream vanish: the gateway started and
/// answered 404 for it; a registry written as one value (<c>Registries:hub=registry.example.com</c>) left its pulls
/// without credentials.
/// </summary>
internal sealed class UnreadEntriesCheck<TOptions>(IConfiguration configuration, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = new List<string>();
        Check(options, configuration.GetSection(section), problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Check(object bound, IConfigurationSection settings, List<string> problems)
    {
        foreach (var property in bound.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length > 0) continue;
            var value = property.GetValue(bound);
            if (value is IDictionary map)
            {
                var valueType = property.PropertyType.GetGenericArguments() is [_, var v] ? v : typeof(object);
                foreach (var entry in settings.GetSection(property.Name).GetChildren())
                {
                    if (map.Contains(entry.Key))
                    {
                        if (map[entry.Key] is { } item && IsSettingsGroup(item.GetType())) Check(item, entry, problems);
                        continue;
                    }
                    try
                    {
                        entry.Get(valueType);
                        problems.Add($"{entry.Path}: the entry could not be read.");
                    }
                    catch (InvalidOperationException e) { problems.Add(e.Message.Contains(entry.Path, StringComparison.Ordinal) ? e.Message : $"{entry.Path}: {e.Message}"); }
                }
            }
            else if (value is not null && IsSettingsGroup(property.PropertyType))
            {
                Check(value, settings.GetSection(property.Name), problems);
            }
        }
    }

    /// <summary>One of the gateway's own settings classes, whose members may hold maps of their own.</summary>
    private static bool IsSettingsGroup(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Gateway", StringComparison.Ordinal) == true;
}
