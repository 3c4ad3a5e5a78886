namespace RawEngine.Engine.Dng;

/// <summary>DNG 1.4 tags and codes that <see cref="DngFileTags"/> reads (and the test-support DngWriter writes).</summary>
public static class DngTags
{
    public const ushort DngVersion = 50706;
    public const ushort DngBackwardVersion = 50707;
    public const ushort UniqueCameraModel = 50708;
    public const ushort CfaPlaneColor = 50710;
    public const ushort CfaLayout = 50711;
    public const ushort LinearizationTable = 50712;
    public const ushort BlackLevelRepeatDim = 50713;
    public const ushort BlackLevel = 50714;
    public const ushort BlackLevelDeltaH = 50715;
    public const ushort BlackLevelDeltaV = 50716;
    public const ushort WhiteLevel = 50717;
    public const ushort DefaultScale = 50718;
    public const ushort DefaultCropOrigin = 50719;
    public const ushort DefaultCropSize = 50720;
    public const ushort ColorMatrix1 = 50721;
    public const ushort ColorMatrix2 = 50722;
    public const ushort CameraCalibration1 = 50723;
    public const ushort CameraCalibration2 = 50724;
    public const ushort ReductionMatrix1 = 50725;
    public const ushort ReductionMatrix2 = 50726;
    public const ushort AnalogBalance = 50727;
    public const ushort AsShotNeutral = 50728;
    public const ushort AsShotWhiteXY = 50729;
    public const ushort BaselineExposure = 50730;
    public const ushort BaselineNoise = 50731;
    public const ushort NoiseProfile = 51041;
    public const ushort BaselineSharpness = 50732;
    public const ushort BayerGreenSplit = 50733;
    public const ushort CalibrationIlluminant1 = 50778;
    public const ushort CalibrationIlluminant2 = 50779;
    public const ushort ActiveArea = 50829;
    public const ushort MaskedAreas = 50830;
    public const ushort ForwardMatrix1 = 50964;
    public const ushort ForwardMatrix2 = 50965;
    public const ushort OpcodeList1 = 51008;
    public const ushort OpcodeList2 = 51009;
    public const ushort OpcodeList3 = 51022;

    public const ushort PhotometricCfa = 32803;
    public const ushort PhotometricLinearRaw = 34892;
    public const ushort PhotometricRgb = 2;
}
