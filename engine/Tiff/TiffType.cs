namespace RawEngine.Engine.Tiff;

/// <summary>TIFF 6.0 field types (value = the type code written in an IFD entry), plus IFD (13, TIFF Technote 1), a LONG that points at a sub-directory.</summary>
public enum TiffType : ushort
{
    Byte = 1, Ascii = 2, Short = 3, Long = 4, Rational = 5,
    SByte = 6, Undefined = 7, SShort = 8, SLong = 9, SRational = 10, Float = 11, Double = 12, Ifd = 13,
}
