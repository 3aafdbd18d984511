using System.Diagnostics;

namespace Subvol.Stream.Tests.Age;

/// <summary>The reference age tool (Debian's age package), run with its input and output as files in a scratch directory.</summary>
internal sealed class AgeTool : IDisposable
{
    public const string Program = "/usr/bin/age";
    public const string KeyGenerator = "/usr/bin/age-keygen";

    public static bool Installed => File.Exists(Program) && File.Exists(KeyGenerator);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("subvol-age-").FullName;

    /// <summary>Makes an identity file with age-keygen and returns its path and the recipient age-keygen -y prints for it.</summary>
    public (string IdentityFile, string Recipient) NewKey(string name)
    {
        var path = Path.Combine(Directory, name + ".key");
        Run(KeyGenerator, ["-o", path]);
        return (path, Run(KeyGenerator, ["-y", path]).Trim());
    }

    public byte[] Encrypt(byte[] plaintext, params string[] recipients)
    {
        var input = Path.Combine(Directory, Guid.NewGuid().ToString("N"));
        var output = input + ".age";
        File.WriteAllBytes(input, plaintext);
        Run(Program, [.. recipients.SelectMany(recipient => new[] { "-r", recipient }), "-o", output, input]);
        return File.ReadAllBytes(output);
    }

    public byte[] Decrypt(byte[] encrypted, string identityFile)
    {
        var input = Path.Combine(Directory, Guid.NewGuid().ToString("N") + ".age");
        var output = input + ".out";
        File.WriteAllBytes(input, encrypted);
        Run(Program, ["-d", "-i", identityFile, "-o", output, input]);
        // age opens its output only when it has a byte to write, so an empty plaintext leaves no file.
        return File.Exists(output) ? File.ReadAllBytes(output) : [];
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        return output;
    }
}

/// <summary>A fact that needs the reference age tool; it is skipped, saying so, where the age package is not installed.</summary>
public sealed class AgeToolFactAttribute : FactAttribute
{
    public AgeToolFactAttribute()
    {
        if (!AgeTool.Installed)
        {
            Skip = "the age tool is not installed (apt-get install age, or scripts/install-dependencies integration)";
        }
    }
}
