using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Color;

/// <summary>
/// Builds ICC v4 display profiles (matrix + parametric curves) for the output spaces, so every
/// export can embed the profile of the space its pixels are in — including the ones no image
/// library ships (Adobe RGB, ProPhoto, Rec.2020, linear variants).
/// </summary>
public static class IccProfile
{
    private static readonly ConcurrentDictionary<RgbColorSpace, byte[]> Cache = new();

    /// <summary>The profile bytes for a space (built once, then shared; do not modify).</summary>
    public static byte[] For(RgbColorSpace space) => Cache.GetOrAdd(space, Build);

    private static byte[] Build(RgbColorSpace space)
    {
        var toPcs = space.ToXyzD50;
        var curve = Parametric(space.Transfer);
        var tags = new List<(string Signature, byte[] Data)>
        {
            ("desc", Mluc(space.Description)),
            ("cprt", Mluc("No copyright, use freely")),
            ("wtpt", Xyz(0.9642, 1.0, 0.8249)),
            ("chad", Sf32(ChromaticAdaptation.Bradford(space.White, Chromaticity.D50))),
            ("rXYZ", Xyz(toPcs.M00, toPcs.M10, toPcs.M20)),
            ("gXYZ", Xyz(toPcs.M01, toPcs.M11, toPcs.M21)),
            ("bXYZ", Xyz(toPcs.M02, toPcs.M12, toPcs.M22)),
            ("rTRC", curve),
            ("gTRC", curve),
            ("bTRC", curve),
        };

        using var body = new MemoryStream();
        var tableSize = 4 + 12 * tags.Count;
        var offsets = new Dictionary<byte[], int>(ReferenceEqualityComparer.Instance);
        var entries = new List<(string, int, int)>();
        var cursor = 128 + tableSize;
        foreach (var (signature, data) in tags)
        {
            if (!offsets.TryGetValue(data, out var offset))
            {
                offset = cursor;
                offsets[data] = offset;
                body.Write(data);
                var padding = (4 - data.Length % 4) % 4;
                body.Write(new byte[padding]);
                cursor += data.Length + padding;
            }
            entries.Add((signature, offset, data.Length));
        }

        var profile = new byte[cursor];
        var header = profile.AsSpan(0, 128);
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)profile.Length);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], 0x04300000); // version 4.3
        Ascii(header[12..], "mntr");
        Ascii(header[16..], "RGB ");
        Ascii(header[20..], "XYZ ");
        WriteDate(header[24..], new DateTime(2026, 1, 1)); // fixed, so the bytes are reproducible
        Ascii(header[36..], "acsp");
        WriteS15(header[68..], 0.9642);
        WriteS15(header[72..], 1.0);
        WriteS15(header[76..], 0.8249);
        var table = profile.AsSpan(128, tableSize);
        BinaryPrimitives.WriteUInt32BigEndian(table, (uint)entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = table[(4 + 12 * i)..];
            Ascii(entry, entries[i].Item1);
            BinaryPrimitives.WriteUInt32BigEndian(entry[4..], (uint)entries[i].Item2);
            BinaryPrimitives.WriteUInt32BigEndian(entry[8..], (uint)entries[i].Item3);
        }
        body.ToArray().CopyTo(profile.AsSpan(128 + tableSize));

        // Profile ID: MD5 over the profile with flags, rendering intent and the ID itself zeroed.
        var hashed = (byte[])profile.Clone();
        hashed.AsSpan(44, 4).Clear();
        hashed.AsSpan(64, 4).Clear();
        hashed.AsSpan(84, 16).Clear();
        MD5.HashData(hashed).CopyTo(profile.AsSpan(84));
        return profile;
    }

    private static byte[] Mluc(string text)
    {
        var utf16 = Encoding.BigEndianUnicode.GetBytes(text);
        var data = new byte[28 + utf16.Length];
        Ascii(data, "mluc");
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(12), 12);
        Ascii(data.AsSpan(16), "enUS");
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(20), (uint)utf16.Length);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(24), 28);
        utf16.CopyTo(data, 28);
        return data;
    }

    private static byte[] Xyz(double x, double y, double z)
    {
        var data = new byte[20];
        Ascii(data, "XYZ ");
        WriteS15(data.AsSpan(8), x);
        WriteS15(data.AsSpan(12), y);
        WriteS15(data.AsSpan(16), z);
        return data;
    }

    private static byte[] Sf32(Matrix3 m)
    {
        var data = new byte[8 + 36];
        Ascii(data, "sf32");
        var values = m.ToArray();
        for (var i = 0; i < 9; i++) WriteS15(data.AsSpan(8 + 4 * i), values[i]);
        return data;
    }

    /// <summary>A 'para' curve: type 0 for pure powers, type 3 with a linear toe otherwise.</summary>
    private static byte[] Parametric(TransferFunction t)
    {
        var pure = t.B == 0 && t.D == 0 && t.A == 1;
        double[] parameters = pure ? [t.Gamma] : [t.Gamma, t.A, t.B, t.C, t.D];
        var data = new byte[12 + 4 * parameters.Length];
        Ascii(data, "para");
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(8), (ushort)(pure ? 0 : 3));
        for (var i = 0; i < parameters.Length; i++) WriteS15(data.AsSpan(12 + 4 * i), parameters[i]);
        return data;
    }

    private static void WriteDate(Span<byte> span, DateTime date)
    {
        ushort[] parts = [(ushort)date.Year, (ushort)date.Month, (ushort)date.Day, (ushort)date.Hour, (ushort)date.Minute, (ushort)date.Second];
        for (var i = 0; i < parts.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(span[(2 * i)..], parts[i]);
    }

    private static void WriteS15(Span<byte> span, double value) =>
        BinaryPrimitives.WriteInt32BigEndian(span, (int)Math.Round(value * 65536.0));

    private static void Ascii(Span<byte> span, string text) => Encoding.ASCII.GetBytes(text, span);
}
