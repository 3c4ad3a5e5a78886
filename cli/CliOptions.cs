using System.CommandLine;
using System.Globalization;
using System.Reflection;
using RawEngine.Cli.Convert;
using RawEngine.Engine.Edits;

namespace RawEngine.Cli;

/// <summary>
/// Typed command-line options: each value is parsed and checked by the parser, so a bad one is a usage error
/// (exit 2, one line) before a command runs, and <c>--help</c> shows the values an option takes. Numeric ranges
/// come from the module params' own <see cref="ParamRangeAttribute"/>, so the command line and an edit agree.
/// </summary>
public static class CliOptions
{
    /// <summary>The range <typeparamref name="TParams"/> declares for <paramref name="property"/>.</summary>
    public static ParamRangeAttribute RangeOf<TParams>(string property) where TParams : OperationParams =>
        typeof(TParams).GetProperty(property)?.GetCustomAttribute<ParamRangeAttribute>()
        ?? throw new InvalidOperationException($"{typeof(TParams).Name}.{property} declares no [ParamRange].");

    /// <summary>"min..max" in invariant digits, for help and messages.</summary>
    public static string Text(this ParamRangeAttribute range) => string.Create(CultureInfo.InvariantCulture, $"{range.Min}..{range.Max}");

    public static bool Contains(this ParamRangeAttribute range, double value) => value >= range.Min && value <= range.Max;

    /// <summary>
    /// An option whose text goes through <paramref name="parse"/>; the <see cref="UsageException"/> it throws
    /// becomes the parse error. <paramref name="helpName"/> is what <c>--help</c> shows as its value.
    /// </summary>
    public static Option<T> Parsed<T>(string name, string description, string helpName, Func<string, T> parse) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            try { return result.Tokens.Count == 0 ? default : parse(result.Tokens[^1].Value); }
            catch (UsageException e)
            {
                result.AddError(e.Message);
                return default;
            }
        },
    };

    /// <summary>One of <paramref name="allowed"/> (any case), listed in <c>--help</c> as <c>&lt;a|b|c&gt;</c> (or <paramref name="helpName"/>).</summary>
    public static Option<string?> Choice(string name, string description, IReadOnlyList<string> allowed, string? helpName = null)
    {
        var option = Parsed<string?>(name, description, helpName ?? string.Join('|', allowed), text => ConvertSettings.CheckChoice(text, name, allowed));
        option.CompletionSources.Add(allowed.ToArray());
        return option;
    }

    /// <summary>A number in <paramref name="range"/>, the range shown in <c>--help</c>.</summary>
    public static Option<double?> Number(string name, string description, ParamRangeAttribute range) =>
        Parsed<double?>(name, description, range.Text(), text => ParseNumber(name, text) is var value && range.Contains(value)
            ? value
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{name}: {value} is outside {range.Text()}")));

    /// <summary>A number above 0.</summary>
    public static Option<double?> Positive(string name, string description, string helpName) =>
        Parsed<double?>(name, description, helpName, text => ParseNumber(name, text) is var value and > 0
            ? value
            : throw new UsageException($"{name}: {text} is not a positive number"));

    /// <summary>A whole number of at least <paramref name="minimum"/>, or none.</summary>
    public static Option<int?> Whole(string name, string description, string helpName, int minimum) =>
        Parsed<int?>(name, description, helpName, text => ParseWhole(name, text, minimum, null));

    /// <summary>A whole number of at least <paramref name="minimum"/> and, when given, at most <paramref name="maximum"/> (then shown in <c>--help</c>).</summary>
    public static Option<int> Whole(string name, string description, string helpName, int defaultValue, int minimum, int? maximum = null)
    {
        var option = Parsed(name, description, maximum is null ? helpName : $"{minimum}..{maximum}", text => ParseWhole(name, text, minimum, maximum));
        option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    /// <summary>One of <paramref name="allowed"/> numbers, listed in <c>--help</c>.</summary>
    public static Option<int> OneOf(string name, string description, int defaultValue, IReadOnlyList<int> allowed)
    {
        var option = Parsed(name, description, string.Join('|', allowed), text => ParseWhole(name, text, int.MinValue, null) is var value && allowed.Contains(value)
            ? value
            : throw new UsageException($"{name}: {value} is not one of {string.Join(", ", allowed)}"));
        option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    private static double ParseNumber(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new UsageException($"{name}: '{text}' is not a number");

    private static int ParseWhole(string name, string text, int minimum, int? maximum)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new UsageException($"{name}: '{text}' is not a whole number");
        if (value < minimum || value > maximum)
            throw new UsageException(maximum is null ? $"{name}: {value} is less than {minimum}" : $"{name}: {value} is outside {minimum}..{maximum}");
        return value;
    }
}
