namespace RawEngine.Engine.Masks;

/// <summary>
/// Something that rasterises to a coverage in [0, 1]: a form or a group of them.
/// <para>
/// Units (see DESIGN): points are <see cref="MaskPoint"/>s, normalised to the image's width and height.
/// Lengths (radii, feather) are fractions of the image's <em>shorter</em> side and angles are degrees
/// counter-clockwise as the image is seen, both measured in the image's own pixel proportions, so equal
/// radii make a round circle on any aspect ratio and a rotation turns a shape without shearing it.
/// </para>
/// </summary>
public abstract record MaskNode;

/// <summary>
/// A shape with a soft edge. <see cref="Feather"/> is the width of that edge (a fraction of the
/// shorter side), centred on the outline: coverage is 1 at <c>Feather / 2</c> inside, 0 at
/// <c>Feather / 2</c> outside, a smoothstep between, so feathering keeps a shape's area. With no
/// feather the edge is still anti-aliased over one pixel. <see cref="Opacity"/> scales the coverage.
/// </summary>
public abstract record MaskForm : MaskNode
{
    public double Feather { get; init; }

    public double Opacity { get; init; } = 1.0;
}

/// <summary>
/// An ellipse around <paramref name="Center"/> with semi-axes <paramref name="RadiusX"/> and
/// <paramref name="RadiusY"/> (fractions of the shorter side; equal radii make a circle), its
/// X axis turned <paramref name="RotationDegrees"/> counter-clockwise.
/// </summary>
public sealed record EllipseForm(MaskPoint Center, double RadiusX, double RadiusY, double RotationDegrees = 0) : MaskForm;

/// <summary>
/// A linear gradient: the line through <paramref name="Anchor"/> perpendicular to the direction
/// <paramref name="AngleDegrees"/> (counter-clockwise from +X; 90 points up) splits the image; coverage
/// is 1 on the side the direction points to and 0 on the other. The transition's width is the form's
/// <see cref="MaskForm.Feather"/>, centred on the line (0: a hard, anti-aliased step).
/// </summary>
public sealed record GradientForm(MaskPoint Anchor, double AngleDegrees) : MaskForm;

/// <summary>
/// A node of a closed cubic Bézier path: the curve from node i to node i + 1 runs
/// <c>Anchor_i, ControlOut_i, ControlIn_(i+1), Anchor_(i+1)</c>. Controls equal to the anchor make a corner
/// with straight segments (<see cref="Corner(MaskPoint)"/>).
/// </summary>
public readonly record struct PathNode(MaskPoint Anchor, MaskPoint ControlIn, MaskPoint ControlOut)
{
    /// <summary>A node whose neighbouring segments are straight lines.</summary>
    public static PathNode Corner(MaskPoint anchor) => new(anchor, anchor, anchor);

    public static PathNode Corner(double x, double y) => Corner(new MaskPoint(x, y));
}

/// <summary>
/// A closed path of cubic Bézier segments (the last node joins the first), filled by the non-zero
/// winding rule. Control points are normalised like anchors, so the path stretches with the image.
/// </summary>
public sealed record PathForm(IReadOnlyList<PathNode> Nodes) : MaskForm;

/// <summary>
/// One dab of a brush stroke: fully covered within <c>Radius * Hardness</c> of <paramref name="Position"/>,
/// fading to nothing at <paramref name="Radius"/> (a fraction of the shorter side).
/// </summary>
public readonly record struct BrushPoint(MaskPoint Position, double Radius, double Hardness = 1.0);

/// <summary>
/// A brush stroke through its points: between consecutive points the radius and hardness change
/// linearly (a tapered capsule); overlapping parts take the larger coverage. The form's
/// <see cref="MaskForm.Feather"/> widens every dab's soft edge by half of it on each side.
/// </summary>
public sealed record BrushForm(IReadOnlyList<BrushPoint> Points) : MaskForm;

/// <summary>
/// A stored coverage grid of <paramref name="Width"/> x <paramref name="Height"/> bytes (row-major,
/// 255 = covered) stretched over the whole image and sampled bilinearly. The grid carries its own
/// edge, so <see cref="MaskForm.Feather"/> does not apply; <see cref="MaskForm.Opacity"/> does.
/// </summary>
public sealed record RasterForm(int Width, int Height, byte[] Coverage) : MaskForm;

/// <summary>How a group member combines with what the members before it made (fuzzy set algebra).</summary>
public enum CombineMode
{
    /// <summary><c>max(a, m)</c>.</summary>
    Union,
    /// <summary><c>min(a, m)</c>.</summary>
    Intersection,
    /// <summary><c>min(a, 1 - m)</c>: the member cuts a hole.</summary>
    Difference,
    /// <summary><c>max(min(a, 1 - m), min(1 - a, m))</c>: covered by one but not both.</summary>
    Exclusion,
}

/// <summary>A form or nested group in a group, its combine mode, and whether it is inverted (<c>1 - m</c>) first.</summary>
public sealed record GroupMember(MaskNode Node, CombineMode Mode = CombineMode.Union, bool Inverted = false);

/// <summary>
/// Members combined in order: the first member starts the group (its mode is not used), each next one
/// combines by its <see cref="GroupMember.Mode"/>. Then the whole group may be <see cref="Inverted"/>
/// and scaled by <see cref="Opacity"/>. <paramref name="Id"/> is how blend params name the group.
/// </summary>
public sealed record MaskGroup(string Id, IReadOnlyList<GroupMember> Members) : MaskNode
{
    public bool Inverted { get; init; }

    public double Opacity { get; init; } = 1.0;
}
