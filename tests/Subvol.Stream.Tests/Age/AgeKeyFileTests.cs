using System.Text;
using Subvol.Stream.Age;

namespace Subvol.Stream.Tests.Age;

/// <summary>Recipients files and identity files are read as age reads them, and a line that is a secret key never reaches a message.</summary>
public sealed class AgeKeyFileTests
{
    [Fact]
    public void Recipients_file_skips_comments_blank_lines_and_carriage_returns()
    {
        using var first = AgeSamples.Identity(1);
        using var second = AgeSamples.Identity(2);
        var text = $"# backup keys\r\n\r\n{first.Recipient}\r\n   \n  # the second one\n\t{second.Recipient}  \n";
        Assert.Equal([first.Recipient, second.Recipient], AgeRecipientsFile.Parse(text, "keys.txt"));
    }

    [Fact]
    public void Recipients_file_line_that_is_no_recipient_is_named_by_its_number()
    {
        using var identity = AgeSamples.Identity(3);
        var refused = Assert.Throws<FormatException>(() => AgeRecipientsFile.Parse($"# keys\n{identity.Recipient}\nage1notarecipient\n", "keys.txt"));
        Assert.Contains("line 3 of keys.txt", refused.Message);
        Assert.Contains("age1notarecipient", refused.Message);
    }

    [Fact]
    public void Recipients_file_of_only_comments_is_refused_as_holding_no_recipient() =>
        Assert.Contains("holds no age recipient", Assert.Throws<FormatException>(() => AgeRecipientsFile.Parse("# nothing\n\n", "keys.txt")).Message);

    [Fact]
    public void Secret_key_given_as_a_recipient_is_refused_without_being_repeated()
    {
        const string secret = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSFKR2SY";
        var refused = Assert.Throws<FormatException>(() => AgeRecipientsFile.ParseRecipient(secret, "--encrypt-to"));
        Assert.Contains("secret key, not a recipient", refused.Message);
        Assert.DoesNotContain(secret[15..], refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Recipient_is_written_back_as_the_same_bech32_text()
    {
        using var identity = AgeSamples.Identity(4);
        var text = identity.Recipient.ToString();
        Assert.StartsWith("age1", text);
        Assert.True(AgeRecipient.TryParse(text, out var parsed));
        Assert.Equal(text, parsed!.ToString());
    }

    [Theory]
    [InlineData("age1")]
    [InlineData("Age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqsqm7mnj")]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")]
    public void Text_that_is_not_an_age_recipient_is_refused(string text) => Assert.False(AgeRecipient.TryParse(text, out _));

    [Fact]
    public void Recipient_with_a_changed_character_fails_its_bech32_checksum()
    {
        using var identity = AgeSamples.Identity(5);
        var text = identity.Recipient.ToString().ToCharArray();
        text[10] = text[10] == 'q' ? 'p' : 'q';
        Assert.False(AgeRecipient.TryParse(new string(text), out _));
    }

    [Fact]
    public void Bech32_reads_the_bip173_example_in_either_case_but_not_in_mixed_case()
    {
        Assert.True(Bech32.TryDecode("A12UEL5L", "a", []));
        Assert.True(Bech32.TryDecode("a12uel5l", "a", []));
        Assert.False(Bech32.TryDecode("A12uEL5L", "a", []));
        Assert.Equal("a12uel5l", Bech32.Encode("a", []));
    }

    [Fact]
    public void Identity_file_as_age_keygen_writes_it_gives_its_identity()
    {
        using var identity = AgeSamples.Identity(6);
        var secret = Bech32.Encode("age-secret-key-", SecretOf(6), upperCase: true);
        var file = $"# created: 2026-12-05T04:00:00Z\n# public key: {identity.Recipient}\n{secret}\n";
        var parsed = AgeIdentityFile.Parse(Encoding.ASCII.GetBytes(file), "key.txt");
        Assert.Equal(identity.Recipient, Assert.Single(parsed).Recipient);
    }

    [Fact]
    public void Identity_file_line_that_is_no_identity_is_named_by_its_number_without_its_text()
    {
        var secret = Bech32.Encode("age-secret-key-", SecretOf(7), upperCase: true);
        var damaged = secret[..^1] + (secret[^1] == 'Q' ? 'P' : 'Q');
        var refused = Assert.Throws<FormatException>(() => AgeIdentityFile.Parse(Encoding.ASCII.GetBytes($"# key\n\n{damaged}\n"), "key.txt"));
        Assert.Contains("line 3 of key.txt", refused.Message);
        Assert.DoesNotContain(damaged[15..30], refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Identity_file_of_only_comments_is_refused_as_holding_no_identity() =>
        Assert.Contains("holds no age identity", Assert.Throws<FormatException>(() => AgeIdentityFile.Parse("# empty\n"u8, "key.txt")).Message);

    private static byte[] SecretOf(byte seed)
    {
        var key = new byte[32];
        new Random(seed).NextBytes(key);
        return key;
    }
}
