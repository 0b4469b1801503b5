using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Problems;

/// <summary>
/// Reads a whole-number member of a request body as JSON Schema's <c>integer</c> (the OpenAPI document's type) defines
/// it: any JSON number whose value is whole, so <c>8.0</c> and <c>1e3</c> are 8 and 1000, as a client generated from the
/// document may write them. System.Text.Json alone takes digits only. A fraction, however small (<c>8.5</c>,
/// <c>1e-400</c>), a value past the type and any other token (a string, under the strict number handling) still fail as
/// a conversion, which <see cref="BindingFailures"/> words as "must be a whole number". Written as plain digits.
/// </summary>
internal sealed class WholeNumberConverter<T> : JsonConverter<T> where T : struct, IBinaryInteger<T>
{
    /// <summary>The types it is registered for (ProblemSetup) and whose schemas keep their integer type (WholeNumberSchemas).</summary>
    public static readonly Type[] Types = [typeof(int), typeof(long)];

    /// <summary>No whole number a member holds has more digits than this; a larger exponent is out of range, not computed.</summary>
    private const int MaxDigits = 40;

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException();
        if (reader.TryGetInt64(out var whole)) return Narrow(whole);
        // Only the forms digits alone do not cover reach here: a fraction, an exponent, or a number past 64 bits. Decided
        // exactly from the text (a decimal would round 1.00000000000000000000000000001 to 1 and 1e-400 to 0).
        return Narrow(Exact(Encoding.ASCII.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan)));
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(long.CreateChecked(value));

    /// <summary>The value of a JSON number (its grammar already checked by the reader) when it is whole; else a JsonException.</summary>
    private static BigInteger Exact(string number)
    {
        var e = number.IndexOfAny(['e', 'E']);
        var mantissa = e < 0 ? number : number[..e];
        if (!int.TryParse(e < 0 ? "0" : number[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent))
            throw new JsonException();
        var negative = mantissa.StartsWith('-');
        var dot = mantissa.IndexOf('.');
        var digits = (dot < 0 ? mantissa : mantissa[..dot] + mantissa[(dot + 1)..]).TrimStart('-');
        var scale = (long)exponent - (dot < 0 ? 0 : mantissa.Length - dot - 1);
        var significant = digits.Trim('0');
        if (significant.Length == 0) return BigInteger.Zero;
        scale += digits.Length - digits.TrimEnd('0').Length;
        if (scale < 0 || significant.Length + scale > MaxDigits) throw new JsonException();
        var value = BigInteger.Parse(significant, CultureInfo.InvariantCulture) * BigInteger.Pow(10, (int)scale);
        return negative ? -value : value;
    }

    private static T Narrow<TFrom>(TFrom value) where TFrom : INumberBase<TFrom>
    {
        try { return T.CreateChecked(value); }
        catch (OverflowException) { throw new JsonException(); }
    }
}
