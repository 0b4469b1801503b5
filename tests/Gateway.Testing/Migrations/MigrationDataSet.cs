using Xunit;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Testing.Migrations;

/// <summary>Objects with hostile keys, user metadata, content types and empty bodies, written through the facade.</summary>
public sealed record MigrationObject(string Key, byte[] Body, string ContentType, IReadOnlyDictionary<string, string> Metadata);

public static class MigrationDataSet
{
    public static readonly string[] HostileKeys =
    [
        "spaces in name.txt", "quotes \"double\" and 'single'", "query?and#hash", "percent %41 and %2F literal", "plus+sign",
        "unicodé/ключ/鍵.bin", "emoji 😀.txt", "dir/", "a//b", "tilde~and(parens)[brackets]", "x" + new string('k', 900),
    ];

    public static List<MigrationObject> Make(int count, string prefix = "")
    {
        var objects = new List<MigrationObject>();
        for (var i = 0; i < count; i++)
        {
            var key = prefix + (i < HostileKeys.Length ? HostileKeys[i] : $"gen/{i % 7}/object {i:D5}+ü.dat");
            var body = i % 5 == 0 ? [] : Encoding.UTF8.GetBytes($"payload-{i}-").Concat(RandomNumberGenerator.GetBytes(16 + i % 300)).ToArray();
            var type = (i % 3) switch { 0 => "text/plain", 1 => "application/json", _ => "application/x-custom" };
            var metadata = i % 2 == 0 ? new Dictionary<string, string> { ["owner"] = $"team-{i % 4}", ["index"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } : new Dictionary<string, string>();
            objects.Add(new MigrationObject(key, body, type, metadata));
        }
        return objects;
    }
}
