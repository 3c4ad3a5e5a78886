namespace RawEngine.Engine.Tiff;

/// <summary>TIFF 6.0 field types (value = the type code written in an IFD entry).</summary>
public enum TiffType : ushort
{
    Byte = 1, Ascii = 2, Short = 3, Long = 4, Rational = 5,
    SByte = 6, Undefined = 7, SShort = 8, SLong = 9, SRational = 10, Float = 11, Double = 12,
}
