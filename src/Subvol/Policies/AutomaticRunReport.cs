namespace Subvol.Policies;

/// <summary>Everything an automatic run did, in order; a dry run's steps are what it would have done.</summary>
public sealed record AutomaticRunReport(bool DryRun, IReadOnlyList<AutomaticAction> Actions)
{
    public bool Failed => Actions.Any(action => action.IsFailure);
}
