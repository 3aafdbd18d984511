using Subvol.Stream;

namespace Subvol.Policies;

/// <summary>How an automatic run works: for real or as a dry run, and the programs that reach a remote target.</summary>
public sealed record AutomaticRunOptions(bool DryRun, StreamCompression Compression = StreamCompression.None, string SshProgram = "ssh", string RemoteProgram = "subvol");
