namespace RawEngine.Engine.Dng;

/// <summary>DNG 1.4 tags and codes that <see cref="DngWriter"/> writes.</summary>
public static class DngTags
{
    public const ushort DngVersion = 50706;
    public const ushort DngBackwardVersion = 50707;
    public const ushort UniqueCameraModel = 50708;
    public const ushort CfaPlaneColor = 50710;
    public const ushort CfaLayout = 50711;
    public const ushort BlackLevelRepeatDim = 50713;
    public const ushort BlackLevel = 50714;
    public const ushort WhiteLevel = 50717;
    public const ushort ColorMatrix1 = 50721;
    public const ushort ColorMatrix2 = 50722;
    public const ushort AsShotNeutral = 50728;
    public const ushort BaselineExposure = 50730;
    public const ushort CalibrationIlluminant1 = 50778;
    public const ushort CalibrationIlluminant2 = 50779;
    public const ushort ActiveArea = 50829;

    public const ushort PhotometricCfa = 32803;
    public const ushort PhotometricLinearRaw = 34892;
    public const ushort PhotometricRgb = 2;
}
