using RawEngine.AI.Segmentation;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Masks.Vectorize;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;

namespace RawEngine.AI.Segmentation;

/// <summary>
/// Turns a segmentation mask into an edit: the mask vectorised into a new group of the edit's masks (coordinates
/// taken from the oriented image back to the raw's own orientation, as mask shapes are stored) and a module
/// instance blending through it. Shared by <c>rawengine mask --apply-to</c> and the editor's object tool.
/// </summary>
public static class ObjectMaskEdit
{
    /// <summary>
    /// The edit with <paramref name="mask"/> as a new group <c>objectN</c> and <paramref name="instance"/> blending
    /// through it (given <paramref name="parameters"/>, else its params in the edit, else the module's defaults);
    /// null when the mask traces to nothing.
    /// </summary>
    public static Edit? WithMask(Edit edit, ModuleRegistry modules, DevelopSession session, string instance, SegmentationMask mask,
        string imageName, OperationParams? parameters = null)
    {
        var id = NewGroupId(edit);
        var traced = MaskVectorizer.Vectorize(mask.Coverage, mask.Width, mask.Height, new VectorizeOptions { GroupId = id });
        if (traced.Members.Count == 0) return null;
        var (width, height) = (mask.Width, mask.Height);
        var orientation = session.OutputFormat(Uncropped(edit)).AppliedOrientation ?? 1;
        var group = (MaskGroup)Stored(traced, p => MaskCoordinates.FromOrientedPixel(p.X * width, p.Y * height, width, height, orientation));
        var index = edit.IndexOf(instance);
        parameters ??= index >= 0 ? edit.Modules[index].Params : modules.SchemaOf(ModuleEntry.ModuleIdOf(instance)).Defaults;
        var blend = (index >= 0 ? edit.Modules[index].Blend : null) ?? new BlendParams();
        return (edit with { Masks = edit.Masks.With(group), Image = edit.Image ?? imageName })
            .With(instance, parameters, blend with { Mask = id });
    }

    /// <summary>The first of <c>object1</c>, <c>object2</c>, ... that no mask group of the edit uses.</summary>
    public static string NewGroupId(Edit edit) =>
        Enumerable.Range(1, int.MaxValue).Select(n => $"object{n}").First(name => edit.Masks.Find(name) is null);

    /// <summary>The edit a segmentation encoder sees: the image before the user's crop, as prompts are given.</summary>
    public static Edit Uncropped(Edit edit) => edit.IndexOf("crop") >= 0 ? edit.WithEnabled("crop", false) : edit;

    /// <summary><paramref name="node"/> with every path point mapped by <paramref name="map"/> (the vectoriser makes paths and groups only).</summary>
    private static MaskNode Stored(MaskNode node, Func<MaskPoint, MaskPoint> map) => node switch
    {
        MaskGroup group => group with { Members = group.Members.Select(m => m with { Node = Stored(m.Node, map) }).ToArray() },
        PathForm path => path with { Nodes = path.Nodes.Select(n => new PathNode(map(n.Anchor), map(n.ControlIn), map(n.ControlOut))).ToArray() },
        _ => throw new InvalidOperationException($"The vectoriser made a {node.GetType().Name}, which is not mapped to stored coordinates."),
    };

}
