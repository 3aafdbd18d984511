using System.Security.Cryptography;
using Subvol.Encryption;
using Subvol.Errors;

namespace Subvol.Tests.Encryption;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WrappedKeyTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-keys-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void A_master_key_wrapped_by_a_passphrase_unwraps_with_it_alone()
    {
        var masterKey = RandomNumberGenerator.GetBytes(64);
        using var right = KeyMaterial.FromPassphrase("right passphrase");
        using var wrong = KeyMaterial.FromPassphrase("wrong passphrase");
        var blob = WrappedKey.Wrap(masterKey, right);

        Assert.Equal(WrappedKey.Size, blob.Length);
        Assert.Equal(masterKey, WrappedKey.Unwrap(blob, right, "subvolume 'x'"));
        Assert.Equal(KeyIdentifier.Of(masterKey), WrappedKey.Identifier(blob).ToArray());
        var refusal = Assert.Throws<SubvolException>(() => WrappedKey.Unwrap(blob, wrong, "subvolume 'x'"));
        Assert.Equal("the passphrase does not unlock subvolume 'x'; nothing was changed", refusal.Message);
        Assert.False(blob.AsSpan().IndexOf(masterKey.AsSpan(0, 16)) >= 0, "the blob holds the master key in clear");
    }

    [Fact]
    public void Two_wrappings_of_one_key_differ_in_salt_and_nonce_yet_name_the_same_key()
    {
        var masterKey = RandomNumberGenerator.GetBytes(64);
        using var key = KeyMaterial.FromKeyFile(KeyFile(32));
        var first = WrappedKey.Wrap(masterKey, key);
        var second = WrappedKey.Wrap(masterKey, key);
        Assert.NotEqual(first, second);
        Assert.Equal(WrappedKey.Identifier(first).ToArray(), WrappedKey.Identifier(second).ToArray());
        Assert.Equal(masterKey, WrappedKey.Unwrap(second, key, "subvolume 'x'"));
    }

    [Theory]
    [InlineData(5)]   // the kind: a key file's blob read as a passphrase's
    [InlineData(8)]   // Argon2id memory
    [InlineData(24)]  // the salt
    [InlineData(40)]  // the key identifier
    [InlineData(60)]  // the nonce
    [InlineData(100)] // the encrypted key
    [InlineData(140)] // the tag
    public void A_blob_changed_anywhere_is_refused(int offset)
    {
        var masterKey = RandomNumberGenerator.GetBytes(64);
        using var key = KeyMaterial.FromPassphrase("tamper-proof");
        var blob = WrappedKey.Wrap(masterKey, key);
        blob[offset] ^= 0x01;
        Assert.Throws<SubvolException>(() => WrappedKey.Unwrap(blob, key, "subvolume 'x'"));
    }

    [Fact]
    public void A_passphrase_blob_asks_for_a_passphrase_rather_than_a_key_file()
    {
        using var passphrase = KeyMaterial.FromPassphrase("words");
        using var keyFile = KeyMaterial.FromKeyFile(KeyFile(64));
        var blob = WrappedKey.Wrap(RandomNumberGenerator.GetBytes(64), passphrase);
        Assert.Contains("is locked with a passphrase, not a key file", Assert.Throws<SubvolException>(() => WrappedKey.Unwrap(blob, keyFile, "subvolume 'x'")).Message);
    }

    [Fact]
    public void The_key_identifier_is_fscrypts_hkdf_sha512_of_the_master_key()
    {
        // fscrypt's own test vector is not published; this pins the derivation (HKDF-SHA512, no salt, info "fscrypt\0\x01")
        // against an independent computation, and the root tests compare it with the kernel's answer.
        var masterKey = Enumerable.Range(0, 64).Select(value => (byte)value).ToArray();
        var prk = HMACSHA512.HashData(new byte[64].AsSpan(), masterKey.AsSpan());
        byte[] info = [.. "fscrypt\0"u8, 1, 1];
        var expected = HMACSHA512.HashData(prk.AsSpan(), info.AsSpan()).AsSpan(0, 16).ToArray();
        Assert.Equal(expected, KeyIdentifier.Of(masterKey));
    }

    [Theory]
    [InlineData("passphrase-file", 0x1A4)] // 0644
    [InlineData("key-file", 0x1A0)]        // 0640
    public void A_secret_file_others_can_read_is_refused_with_chmod_600(string kind, int mode)
    {
        var path = KeyFile(32);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        var refusal = Assert.Throws<SubvolException>(() => kind == "key-file" ? KeyMaterial.FromKeyFile(path) : KeyMaterial.FromPassphraseFile(path));
        Assert.Contains($"run 'chmod 600 {path}'", refusal.Message);
        Assert.Equal(SubvolErrorCode.InvalidArgument, refusal.Code);
    }

    private string KeyFile(int size)
    {
        var path = Path.Combine(_directory.FullName, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(size));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
