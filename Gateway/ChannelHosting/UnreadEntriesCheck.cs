using Microsoft.Extensions.Options;

namespace Gateway.ChannelHosting;

/// <summary>
/// Refuses a family's settings when an entry of one of its named maps (<c>Gateway:Rest:Upstreams:{name}</c>,
/// <c>Gateway:Docker:Hosts:{name}</c>...) holds a value its type cannot take. The configuration binder drops such an
/// entry from the map without a word, so <c>Auth:Type=OAuth2</c> (for <c>OAuth2ClientCredentials</c>) made the upstream
/// vanish: the gateway started and answered 404 for it.
/// </summary>
internal sealed class UnreadEntriesCheck<TOptions>(IConfiguration configuration, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = new List<string>();
        foreach (var property in typeof(TOptions).GetProperties())
        {
            if (property.GetValue(options) is not System.Collections.IDictionary map) continue;
            var valueType = property.PropertyType.GetGenericArguments() is [_, var v] ? v : typeof(object);
            foreach (var entry in configuration.GetSection(section).GetSection(property.Name).GetChildren())
            {
                if (map.Contains(entry.Key)) continue;
                try
                {
                    entry.Get(valueType);
                    problems.Add($"{entry.Path}: the entry could not be read.");
                }
                catch (InvalidOperationException e) { problems.Add(e.Message); }
            }
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
