namespace RawEngine.Engine.Pipeline;

/// <summary>The pipe cannot render as asked: modules that do not fit together, a budget too small, a bad region.
/// <see cref="RawEngineException.Subject"/> is the module instance when one is to blame.</summary>
public sealed class PipeException : RawEngineException
{
    public PipeException(string module, string reason, Exception? inner = null) : base(ErrorSubjectKind.Module, module, reason, inner)
    {
    }

    public PipeException(string reason, Exception? inner = null) : base(reason, inner)
    {
    }
}

/// <summary>Where a render is: <see cref="Step"/> of <see cref="Steps"/> stages done, the stage's name, and tiles within it.</summary>
public readonly record struct PipeProgress(int Step, int Steps, string Stage, int Tile = 0, int Tiles = 0)
{
    public double Fraction => Steps == 0 ? 1 : (Step + (Tiles == 0 ? 0 : (double)Tile / Tiles)) / Steps;
}
