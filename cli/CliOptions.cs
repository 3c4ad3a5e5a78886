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
            try { return parse(result.Tokens[^1].Value); }
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
    public static Option<double?> Number(string name, string description, ParamRangeAttribute range)
    {
        var option = new Option<double?>(name) { Description = description, HelpName = range.Text() };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } value && !range.Contains(value))
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name}: {value} is outside {range.Text()}"));
        });
        return option;
    }

    /// <summary>A whole number of at least <paramref name="minimum"/> and, when given, at most <paramref name="maximum"/> (then shown in <c>--help</c>).</summary>
    public static Option<T> Within<T>(this Option<T> option, long minimum, long? maximum = null)
    {
        if (maximum is not null) option.HelpName = $"{minimum}..{maximum}";
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>() is not IConvertible value) return;
            var number = value.ToInt64(CultureInfo.InvariantCulture);
            if (number < minimum || number > maximum)
                result.AddError(maximum is null ? $"{option.Name}: {number} is less than {minimum}" : $"{option.Name}: {number} is outside {minimum}..{maximum}");
        });
        return option;
    }

    /// <summary>One of <paramref name="allowed"/> numbers, listed in <c>--help</c>.</summary>
    public static Option<int> OneOf(this Option<int> option, IReadOnlyList<int> allowed)
    {
        option.HelpName = string.Join('|', allowed);
        option.Validators.Add(result =>
        {
            if (!allowed.Contains(result.GetValueOrDefault<int>()))
                result.AddError($"{option.Name}: {result.GetValueOrDefault<int>()} is not one of {string.Join(", ", allowed)}");
        });
        return option;
    }
}
