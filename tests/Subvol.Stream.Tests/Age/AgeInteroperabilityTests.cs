using System.Text;
using Subvol.Stream.Age;
using static Subvol.Stream.Tests.Age.AgeSamples;

namespace Subvol.Stream.Tests.Age;

/// <summary>
/// Subvol and the reference age tool read each other's files: a file age wrote, with a key age-keygen made, is the
/// known answer Subvol must decrypt, and age must decrypt what Subvol writes.
/// </summary>
public sealed class AgeInteroperabilityTests : IDisposable
{
    private readonly AgeTool age = new();

    public void Dispose() => age.Dispose();

    [AgeToolFact]
    public void Identity_file_from_age_keygen_gives_the_recipient_age_keygen_prints()
    {
        var (identityFile, recipient) = age.NewKey("keygen");
        using var identity = Assert.Single(AgeIdentityFile.Parse(File.ReadAllBytes(identityFile), identityFile));
        Assert.Equal(recipient, identity.Recipient.ToString());
    }

    [AgeToolFact]
    public void File_the_age_tool_encrypted_decrypts_to_its_plaintext()
    {
        var (identityFile, recipient) = age.NewKey("reader");
        foreach (var length in new[] { 0, 5, Chunk, 2 * Chunk + 999 })
        {
            var plaintext = Plaintext(length);
            using var identity = Assert.Single(AgeIdentityFile.Parse(File.ReadAllBytes(identityFile), identityFile));
            Assert.Equal(plaintext, Decrypt(age.Encrypt(plaintext, recipient), identity));
        }
    }

    [AgeToolFact]
    public void File_the_age_tool_encrypted_to_two_recipients_opens_with_the_second_ones_identity()
    {
        var (_, first) = age.NewKey("first");
        var (secondFile, second) = age.NewKey("second");
        var plaintext = Plaintext(70_000);
        using var identity = Assert.Single(AgeIdentityFile.Parse(File.ReadAllBytes(secondFile), secondFile));
        Assert.Equal(plaintext, Decrypt(age.Encrypt(plaintext, first, second), identity));
    }

    [AgeToolFact]
    public void File_Subvol_encrypted_decrypts_with_the_age_tool_for_each_recipient()
    {
        var (firstFile, first) = age.NewKey("one");
        var (secondFile, second) = age.NewKey("two");
        Assert.True(AgeRecipient.TryParse(first, out var firstRecipient));
        Assert.True(AgeRecipient.TryParse(second, out var secondRecipient));
        foreach (var length in new[] { 0, 1, Chunk, 3 * Chunk, 3 * Chunk + 1 })
        {
            var plaintext = Plaintext(length);
            var encrypted = Encrypt(plaintext, firstRecipient!, secondRecipient!);
            Assert.Equal(plaintext, age.Decrypt(encrypted, firstFile));
            Assert.Equal(plaintext, age.Decrypt(encrypted, secondFile));
        }
    }

    [AgeToolFact]
    public void File_the_age_tool_encrypted_and_then_cut_short_is_refused()
    {
        var (identityFile, recipient) = age.NewKey("cut");
        var encrypted = age.Encrypt(Plaintext(3 * Chunk), recipient);
        using var identity = Assert.Single(AgeIdentityFile.Parse(File.ReadAllBytes(identityFile), identityFile));
        var refused = Assert.Throws<AgeFormatException>(() => Decrypt(encrypted[..(PayloadStart(encrypted) + 2 * (Chunk + 16))], identity));
        Assert.Equal(AgeFormatError.Truncated, refused.Error);
        Assert.DoesNotContain(Encoding.ASCII.GetString(File.ReadAllBytes(identityFile)).Split('\n')[2][15..], refused.Message);
    }
}
