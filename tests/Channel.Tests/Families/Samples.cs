using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Primitives;

namespace Gateway.Channel.Tests.Families;

/// <summary>Builds a valid-looking, non-default sample of any argument or result type, so a round trip has something to lose.</summary>
public static class Samples
{
    public static readonly byte[] Body = "sample body bytes\n"u8.ToArray();

    /// <param name="sparse">Leave every nullable member and parameter null (a non-nullable one still gets a sample).</param>
    public static object? Create(Type type, string? name = null, Func<Type, object?>? overrides = null, int depth = 0, bool sparse = false)
    {
        if (overrides?.Invoke(type) is { } given) return given;
        if (Nullable.GetUnderlyingType(type) is { } inner) return Create(inner, name, overrides, depth);
        if (type == typeof(string)) return name == "path" ? "/tmp/sample-1" : "sample-1";
        if (type == typeof(int)) return 3;
        if (type == typeof(long)) return 5L;
        if (type == typeof(double)) return 0.5;
        if (type == typeof(bool)) return true;
        if (type == typeof(DateTimeOffset)) return new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        if (type == typeof(TimeSpan)) return TimeSpan.FromSeconds(7);
        if (type == typeof(CancellationToken)) return CancellationToken.None;
        if (type == typeof(Stream)) return new MemoryStream(Body);
        if (type == typeof(StringValues)) return new StringValues("value-1");
        if (type.IsEnum) return Enum.GetValues(type).Cast<object>().Last();
        if (depth > 4) return null;
        if (type.IsArray)
        {
            var array = Array.CreateInstance(type.GetElementType()!, 1);
            array.SetValue(Create(type.GetElementType()!, null, overrides, depth + 1, sparse), 0);
            return array;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
        {
            var args = type.GetGenericArguments();
            return Activator.CreateInstance(type, Create(args[0], null, overrides, depth + 1, sparse), Create(args[1], null, overrides, depth + 1, sparse));
        }
        if (type.IsGenericType && DictionaryOf(type) is { } dictionary)
        {
            var map = (IDictionary)Activator.CreateInstance(dictionary)!;
            map.Add(Create(dictionary.GetGenericArguments()[0], null, overrides, depth + 1, sparse)!, Create(dictionary.GetGenericArguments()[1], null, overrides, depth + 1, sparse));
            return map;
        }
        if (type.IsGenericType && ListOf(type) is { } list)
        {
            var items = (IList)Activator.CreateInstance(list)!;
            items.Add(Create(list.GetGenericArguments()[0], null, overrides, depth + 1, sparse));
            return items;
        }
        if (type.IsInterface || type.IsAbstract) return null;
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (ctor is null) return Activator.CreateInstance(type);
        var parameters = ctor.GetParameters();
        var value = ctor.Invoke(parameters.Select(p => sparse && new NullabilityInfoContext().Create(p).WriteState == NullabilityState.Nullable
            ? null : Create(p.ParameterType, p.Name, overrides, depth + 1, sparse)).ToArray());
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || parameters.Any(p => string.Equals(p.Name, property.Name, StringComparison.OrdinalIgnoreCase))) continue;
            property.SetValue(value, sparse && new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable
                ? null : Create(property.PropertyType, property.Name, overrides, depth + 1, sparse));
        }
        return value;
    }

    private static Type? DictionaryOf(Type type)
    {
        var definition = type.GetGenericTypeDefinition();
        if (definition != typeof(Dictionary<,>) && definition != typeof(IDictionary<,>) && definition != typeof(IReadOnlyDictionary<,>)) return null;
        return typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments());
    }

    private static Type? ListOf(Type type)
    {
        var definition = type.GetGenericTypeDefinition();
        if (definition != typeof(List<>) && definition != typeof(IList<>) && definition != typeof(IReadOnlyList<>)
            && definition != typeof(IEnumerable<>) && definition != typeof(IReadOnlyCollection<>) && definition != typeof(ICollection<>)) return null;
        return typeof(List<>).MakeGenericType(type.GetGenericArguments());
    }
}
