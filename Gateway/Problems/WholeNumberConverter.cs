using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Problems;

/// <summary>
/// Reads a whole-number member of a request body as JSON Schema's <c>integer</c> (the OpenAPI document's type) defines
/// it: any JSON number whose value is whole, so <c>8.0</c> and <c>1e3</c> are 8 and 1000, as a client generated from the
/// document may write them. System.Text.Json alone takes digits only. A fraction (<c>8.5</c>), a value past the type
/// and any other token (a string, under the strict number handling) still fail as a conversion, which
/// <see cref="BindingFailures"/> words as "must be a whole number". Written as plain digits.
/// </summary>
internal sealed class WholeNumberConverter<T> : JsonConverter<T> where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException();
        if (reader.TryGetInt64(out var whole)) return Narrow(whole);
        // Only the forms digits alone do not cover reach here: a fraction, an exponent, or a number past 64 bits.
        if (!reader.TryGetDecimal(out var value) || value != decimal.Truncate(value)) throw new JsonException();
        return Narrow(value);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(long.CreateChecked(value));

    private static T Narrow<TFrom>(TFrom value) where TFrom : INumberBase<TFrom>
    {
        try { return T.CreateChecked(value); }
        catch (OverflowException) { throw new JsonException(); }
    }
}
