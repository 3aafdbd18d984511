using Microsoft.Data.Sqlite;

namespace Subvol.Tests.Metadata;

/// <summary>Edits a pool.db behind the engine's back, as its owner or an older version of Subvol could have.</summary>
internal static class DatabaseFile
{
    /// <summary>Runs <paramref name="sql"/> on the database at <paramref name="path"/>, with <c>$value</c> bound when given; returns the rows it changed.</summary>
    public static int Execute(string path, string sql, string? value = null)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (value is not null)
        {
            command.Parameters.AddWithValue("$value", value);
        }

        return command.ExecuteNonQuery();
    }
}
