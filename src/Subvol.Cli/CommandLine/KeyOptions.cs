using System.CommandLine;
using System.Security.Cryptography;
using Subvol.Encryption;

namespace Subvol.Cli.CommandLine;

/// <summary>
/// The ways a command is given an encrypted subvolume's key: a key file, a passphrase file, or a passphrase typed
/// at a prompt. A key never comes on the command line itself, where every user of the machine could read it.
/// </summary>
internal sealed class KeyOptions
{
    private readonly string _purpose;

    /// <param name="prefix">"" for the key in use; "new-" for the one 'key change' wraps with.</param>
    public KeyOptions(string prefix, string purpose)
    {
        _purpose = purpose;
        KeyFile = new Option<string?>($"--{prefix}key-file") { Description = $"A file of exactly 32 or 64 random bytes, mode 0600: {purpose}", HelpName = "FILE" };
        PassphraseFile = new Option<string?>($"--{prefix}passphrase-file") { Description = $"A file holding a passphrase, mode 0600: {purpose}", HelpName = "FILE" };
        Passphrase = new Option<bool>($"--{prefix}passphrase") { Description = $"Ask for a passphrase on the terminal: {purpose}" };
    }

    public Option<string?> KeyFile { get; }

    public Option<string?> PassphraseFile { get; }

    public Option<bool> Passphrase { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(KeyFile);
        command.Options.Add(PassphraseFile);
        command.Options.Add(Passphrase);
    }

    /// <summary>Whether any of the options was given.</summary>
    public bool Given(CommandContext context) => context.Get(KeyFile) is not null || context.Get(PassphraseFile) is not null || context.Get(Passphrase);

    /// <summary>The key the options give, or null when none was given; <paramref name="confirm"/> asks for a new passphrase twice.</summary>
    public KeyMaterial? Read(CommandContext context, bool confirm)
    {
        var given = (context.Get(KeyFile) is not null ? 1 : 0) + (context.Get(PassphraseFile) is not null ? 1 : 0) + (context.Get(Passphrase) ? 1 : 0);
        if (given > 1)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, $"give one of {KeyFile.Name}, {PassphraseFile.Name} and {Passphrase.Name}, not several");
        }

        if (context.Get(KeyFile) is { } keyFile)
        {
            return KeyMaterial.FromKeyFile(keyFile);
        }

        if (context.Get(PassphraseFile) is { } passphraseFile)
        {
            return KeyMaterial.FromPassphraseFile(passphraseFile);
        }

        return context.Get(Passphrase) ? Prompt(confirm) : null;
    }

    /// <summary>Reads a passphrase from the terminal without echoing it.</summary>
    public KeyMaterial Prompt(bool confirm)
    {
        if (Console.IsInputRedirected)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, $"{Passphrase.Name} asks on a terminal, and there is none; give {PassphraseFile.Name} FILE instead");
        }

        var first = ReadHidden($"passphrase ({_purpose}): ");
        try
        {
            if (confirm)
            {
                var second = ReadHidden("again: ");
                try
                {
                    if (!first.AsSpan().SequenceEqual(second))
                    {
                        throw new SubvolException(SubvolErrorCode.InvalidArgument, "the two passphrases differ; nothing was changed");
                    }
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(second.AsSpan()));
                }
            }

            return KeyMaterial.FromPassphrase(first);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(first.AsSpan()));
        }
    }

    private static char[] ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var buffer = new char[1024];
        var length = 0;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                length = Math.Max(0, length - 1);
            }
            else if (length < buffer.Length && key.KeyChar != '\0')
            {
                buffer[length++] = key.KeyChar;
            }
        }

        Console.Error.WriteLine();
        var result = buffer.AsSpan(0, length).ToArray();
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan()));
        return result;
    }
}
