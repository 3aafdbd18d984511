using System.CommandLine;

namespace Subvol.Cli.Commands.Key;

internal static class KeyCommand
{
    public static Command Create() => new("key", "Load, unload or change the key of an encrypted subvolume")
    {
        KeyLoadCommand.Create(),
        KeyUnloadCommand.Create(),
        KeyChangeCommand.Create(),
    };
}
