using System.Globalization;
using System.Text;

namespace Gateway.Security;

/// <summary>A token (RFC 8941 §3.3.4), kept apart from a string.</summary>
public sealed record SfToken(string Value);

/// <summary>An item or inner list with its parameters.</summary>
public sealed record SfMember(object Value, IReadOnlyList<(string Key, object Value)> Parameters)
{
    public object? Parameter(string key) => Parameters.FirstOrDefault(p => p.Key == key).Value;
}

/// <summary>A dictionary member; <see cref="Raw"/> is its value exactly as sent (the signature base uses it).</summary>
public sealed record SfEntry(string Key, SfMember Member, string Raw);

/// <summary>
/// The part of RFC 8941 Structured Field Values that HTTP message signatures and Content-Digest need:
/// dictionaries of items and inner lists with parameters. Anything malformed throws <see cref="FormatException"/>.
/// </summary>
public sealed class StructuredFields
{
    private readonly string _s;
    private int _i;

    private StructuredFields(string s) => _s = s;

    public static IReadOnlyList<SfEntry> ParseDictionary(string text)
    {
        var p = new StructuredFields(text);
        var entries = new List<SfEntry>();
        p.SkipSpaces();
        while (p._i < p._s.Length)
        {
            var key = p.Key();
            SfMember member;
            var start = p._i;
            if (p.Peek() == '=')
            {
                p._i++;
                start = p._i;
                member = p.Peek() == '(' ? p.InnerList() : p.Item();
            }
            else member = new SfMember(true, p.Parameters());
            if (entries.Any(e => e.Key == key)) entries.RemoveAll(e => e.Key == key);
            entries.Add(new SfEntry(key, member, p._s[start..p._i]));
            p.SkipOws();
            if (p._i >= p._s.Length) break;
            if (p._s[p._i] != ',') throw new FormatException("Expected ',' between dictionary members.");
            p._i++;
            p.SkipOws();
            if (p._i >= p._s.Length) throw new FormatException("Trailing ',' in a dictionary.");
        }
        return entries;
    }

    private char Peek() => _i < _s.Length ? _s[_i] : '\0';

    private void SkipSpaces() { while (Peek() == ' ') _i++; }
    private void SkipOws() { while (Peek() is ' ' or '\t') _i++; }

    private SfMember InnerList()
    {
        _i++; // (
        var items = new List<SfMember>();
        while (true)
        {
            SkipSpaces();
            if (Peek() == ')') { _i++; break; }
            if (_i >= _s.Length) throw new FormatException("Unterminated inner list.");
            items.Add(Item());
            if (Peek() is not (' ' or ')')) throw new FormatException("Expected ' ' or ')' in an inner list.");
        }
        return new SfMember(items, Parameters());
    }

    private SfMember Item() => new(BareItem(), Parameters());

    private List<(string, object)> Parameters()
    {
        var list = new List<(string, object)>();
        while (Peek() == ';')
        {
            _i++;
            SkipSpaces();
            var key = Key();
            object value = true;
            if (Peek() == '=') { _i++; value = BareItem(); }
            list.RemoveAll(p => p.Item1 == key);
            list.Add((key, value));
        }
        return list;
    }

    private string Key()
    {
        var start = _i;
        if (!(Peek() is >= 'a' and <= 'z' || Peek() == '*')) throw new FormatException("A key must start with a lowercase letter or '*'.");
        while (Peek() is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.' or '*') _i++;
        return _s[start.._i];
    }

    private object BareItem()
    {
        var c = Peek();
        if (c == '"') return String();
        if (c == ':') return Bytes();
        if (c == '?') { _i++; var b = Peek(); _i++; return b switch { '1' => true, '0' => false, _ => throw new FormatException("Bad boolean.") }; }
        if (c is '-' or >= '0' and <= '9') return Number();
        if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '*') return Token();
        throw new FormatException("Unexpected character in a structured field.");
    }

    private string String()
    {
        _i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_i >= _s.Length) throw new FormatException("Unterminated string.");
            var c = _s[_i++];
            if (c == '\\')
            {
                if (_i >= _s.Length || _s[_i] is not ('"' or '\\')) throw new FormatException("Bad escape in a string.");
                sb.Append(_s[_i++]);
            }
            else if (c == '"') return sb.ToString();
            else if (c < 0x20 || c > 0x7e) throw new FormatException("A string holds only printable ASCII.");
            else sb.Append(c);
        }
    }

    private byte[] Bytes()
    {
        _i++;
        var end = _s.IndexOf(':', _i);
        if (end < 0) throw new FormatException("Unterminated byte sequence.");
        var text = _s[_i..end];
        _i = end + 1;
        return Convert.FromBase64String(text);
    }

    private object Number()
    {
        var start = _i;
        if (Peek() == '-') _i++;
        while (Peek() is >= '0' and <= '9' or '.') _i++;
        var text = _s[start.._i];
        if (text.Contains('.'))
        {
            // RFC 8941 §4.2.4's bounds, checked first: decimal.Parse throws OverflowException (a 500) past 28 digits.
            var digits = text.TrimStart('-');
            var dot = digits.IndexOf('.');
            if (dot is < 1 or > 12 || digits.Length - dot - 1 is < 1 or > 3 || digits.IndexOf('.', dot + 1) >= 0)
                throw new FormatException("A decimal has 1-12 integer and 1-3 fraction digits.");
            return decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        }
        if (text.Length > 16) throw new FormatException("Integer too long.");
        return long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    private SfToken Token()
    {
        var start = _i;
        _i++;
        while (Peek() is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or ':' or '/' or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~') _i++;
        return new SfToken(_s[start.._i]);
    }
}
