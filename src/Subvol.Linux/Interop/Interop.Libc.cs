namespace Subvol.Linux;

/// <summary>
/// Declarations of the C library and kernel interfaces this layer calls.
/// </summary>
/// <remarks>
/// These declarations assume the Linux x86_64 ABI (LP64, glibc): <c>long</c> and <c>off_t</c> are 64 bits,
/// structures follow the x86_64 layout, and ioctl request numbers are the x86_64 values from the kernel headers;
/// the struct sizes are pinned by unit tests.
/// </remarks>
internal static partial class Interop
{
    internal static partial class Libc
    {
        // The runtime maps "libc" to the platform's C library (libc.so.6 on glibc).
        internal const string LibraryName = "libc";
    }
}
