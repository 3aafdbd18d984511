namespace Subvol.Stream.Age;

/// <summary>An age recipients file, as age -R reads it: one age1… recipient per line, '#' comments and blank lines.</summary>
public static class AgeRecipientsFile
{
    /// <summary>The recipients of the file; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="FormatException">A line is neither a comment nor a recipient, or the file holds none.</exception>
    public static IReadOnlyList<AgeRecipient> Parse(string text, string name)
    {
        var recipients = new List<AgeRecipient>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim(' ', '\t', '\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            recipients.Add(ParseRecipient(line, $"line {i + 1} of {name}"));
        }

        return recipients.Count > 0 ? recipients : throw new FormatException($"{name} holds no age recipient (age1… as age-keygen prints it)");
    }

    /// <summary>One recipient, as the command line or a recipients file gives it; <paramref name="where"/> says where it was read.</summary>
    /// <exception cref="FormatException">It is not an age X25519 recipient; a secret key is never echoed.</exception>
    public static AgeRecipient ParseRecipient(string text, string where)
    {
        if (text.StartsWith(AgeFormat.IdentityPrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"{where} is an age secret key, not a recipient: give its public key (age-keygen -y FILE prints it), and keep the secret key out of command lines and shared files");
        }

        if (AgeRecipient.TryParse(text, out var recipient))
        {
            return recipient!;
        }

        var shown = text.Length > 80 ? text[..80] + "…" : text;
        throw new FormatException(text.StartsWith("ssh-", StringComparison.Ordinal)
            ? $"{where} is an SSH public key; Subvol encrypts only to age X25519 recipients (age1…, from age-keygen)"
            : $"{where}, '{shown}', is not an age X25519 recipient (age1… as age-keygen prints it)");
    }
}
