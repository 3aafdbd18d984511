namespace Subvol.Metadata;

internal sealed partial class PoolDatabase
{
    /// <summary>One row: the figures of the last reading of every extent map, and the fingerprint of the pool they were read in.</summary>
    private const string UsageFiguresTable =
        "CREATE TABLE IF NOT EXISTS usage_figures (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL, figures TEXT NOT NULL)";

    public (string Fingerprint, string Figures)? GetUsageFigures()
    {
        using var command = Command("SELECT fingerprint, figures FROM usage_figures WHERE id = 1");
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>Stores the figures without waiting for another writer: they are a saving, and a listing must not wait for one.</summary>
    public void SetUsageFigures(string fingerprint, string figures)
    {
        Execute("PRAGMA busy_timeout=0");
        try
        {
            using var command = Command(
                "INSERT INTO usage_figures (id, fingerprint, figures) VALUES (1, $fingerprint, $figures) ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, figures = excluded.figures",
                ("$fingerprint", fingerprint), ("$figures", figures));
            command.ExecuteNonQuery();
        }
        finally
        {
            Execute("PRAGMA busy_timeout=30000");
        }
    }
}
