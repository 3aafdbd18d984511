using SharpFuzz;
using Subvol.Stream;
using Subvol.Stream.Fuzz;

// With file arguments, replays them (to reproduce a finding); without, serves AFL++ one input per run.
if (args.Length > 0)
{
    var findings = 0;
    foreach (var path in args)
    {
        using var input = File.OpenRead(path);
        try
        {
            Console.WriteLine($"{path}: {Read(input) ?? "accepted"}");
        }
        catch (Exception exception)
        {
            findings++;
            Console.WriteLine($"{path}: FINDING {exception.GetType().Name}: {exception.Message}");
        }
    }

    return findings == 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(input => Read(input));
return 0;

// A refusal (StreamFormatException) is the reader doing its job and comes back as its message;
// anything else escapes and is a finding.
static string? Read(System.IO.Stream input)
{
    try
    {
        using var reader = new ReplicationStreamReader(input);
        reader.ReadHeader();
        reader.ReadRecords(new BoundsCheckingSink());
        return null;
    }
    catch (StreamFormatException exception)
    {
        return $"refused: {exception.Message}";
    }
}
