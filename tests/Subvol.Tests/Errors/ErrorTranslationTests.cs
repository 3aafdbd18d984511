using Microsoft.Data.Sqlite;
using Subvol.Linux;

namespace Subvol.Tests.Errors;

/// <summary>Whatever a lower layer throws comes out of the engine as a SubvolException with the right code.</summary>
public sealed class ErrorTranslationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-test-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData(11, SubvolErrorCode.DamagedMetadata)] // SQLITE_CORRUPT
    [InlineData(26, SubvolErrorCode.DamagedMetadata)] // SQLITE_NOTADB
    [InlineData(8, SubvolErrorCode.ReadOnly)] // SQLITE_READONLY
    [InlineData(13, SubvolErrorCode.NoSpace)] // SQLITE_FULL
    [InlineData(5, SubvolErrorCode.Busy)] // SQLITE_BUSY
    [InlineData(6, SubvolErrorCode.Busy)] // SQLITE_LOCKED
    [InlineData(10, SubvolErrorCode.Failed)] // SQLITE_IOERR
    public void Sqlite_result_codes_become_their_error_codes(int resultCode, SubvolErrorCode expected)
    {
        var error = ErrorTranslation.Translate(new SqliteException($"SQLite Error {resultCode}: 'something'.", resultCode));
        Assert.Equal(expected, error.Code);
        Assert.DoesNotContain("SQLite Error", error.Message);
    }

    [Fact]
    public void Damaged_metadata_names_the_file_and_the_repair_command()
    {
        var error = ErrorTranslation.Translate(new SqliteException("SQLite Error 26: 'file is not a database'.", 26), "/srv/pool/.subvol/pool.db");
        Assert.Equal(SubvolErrorCode.DamagedMetadata, error.Code);
        Assert.Contains("/srv/pool/.subvol/pool.db", error.Message);
        Assert.Contains("file is not a database", error.Message);
        Assert.Equal(new Remedy.RepairPool("/srv/pool"), error.Remedy);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("empty")]
    [InlineData("truncated")]
    public void Opening_a_pool_with_a_damaged_database_says_damaged_metadata(string damage)
    {
        var root = Path.Combine(_directory.FullName, "pool");
        Pool.InitializeForTests(root).Dispose();
        var database = Path.Combine(root, ".subvol", "pool.db");
        var intact = File.ReadAllBytes(database);
        File.WriteAllBytes(database, damage switch
        {
            "garbage" => Enumerable.Range(0, 8192).Select(index => (byte)(index * 7 + 13)).ToArray(),
            "empty" => [],
            _ => intact[..(intact.Length / 2)],
        });

        var error = Assert.Throws<SubvolException>(() => Pool.Open(root).Dispose());
        Assert.Equal(SubvolErrorCode.DamagedMetadata, error.Code);
        Assert.Contains(database, error.Message);
        Assert.NotNull(error.Remedy);
    }

    [Theory]
    [InlineData(Errno.ENOENT, SubvolErrorCode.NotFound)]
    [InlineData(Errno.EEXIST, SubvolErrorCode.AlreadyExists)]
    [InlineData(Errno.EBUSY, SubvolErrorCode.Busy)]
    [InlineData(Errno.ENOSPC, SubvolErrorCode.NoSpace)]
    [InlineData(Errno.EROFS, SubvolErrorCode.ReadOnly)]
    [InlineData(Errno.EACCES, SubvolErrorCode.Failed)]
    [InlineData(Errno.EOPNOTSUPP, SubvolErrorCode.NotSupported)]
    [InlineData(Errno.EIO, SubvolErrorCode.Failed)]
    public void System_call_errors_are_translated_by_errno(int errno, SubvolErrorCode expected)
    {
        var error = ErrorTranslation.Translate(new SystemCallException("open", "/srv/pool/x", errno));
        Assert.Equal(expected, error.Code);
        Assert.Contains("/srv/pool/x", error.Message);
    }

    [Fact]
    public void Dotnet_io_errors_carry_errno_in_their_result_code()
    {
        var error = ErrorTranslation.Translate(new IOException("No space left on device", Errno.ENOSPC), "/srv/stream");
        Assert.Equal(SubvolErrorCode.NoSpace, error.Code);
        Assert.Contains("/srv/stream", error.Message);
        Assert.NotNull(error.Remedy);
    }

    [Fact]
    public void A_missing_file_is_not_found_and_named()
    {
        var missing = Path.Combine(_directory.FullName, "nonexistent.stream");
        var thrown = Assert.Throws<FileNotFoundException>(() => File.OpenRead(missing));
        var error = ErrorTranslation.Translate(thrown, missing);
        Assert.Equal(SubvolErrorCode.NotFound, error.Code);
        Assert.Equal($"{missing} does not exist", error.Message);
    }

    [Fact]
    public void A_file_in_a_missing_directory_is_not_found_and_named()
    {
        var missing = Path.Combine(_directory.FullName, "nonexistent", "out.stream");
        var thrown = Assert.Throws<DirectoryNotFoundException>(() => File.Create(missing));
        var error = ErrorTranslation.Translate(thrown, missing);
        Assert.Equal(SubvolErrorCode.NotFound, error.Code);
        Assert.Contains(missing, error.Message);
        Assert.Contains(Path.GetDirectoryName(missing)!, error.Message);
    }

    [Fact]
    public void A_directory_opened_as_a_file_is_a_bad_argument_not_a_permission_error()
    {
        var thrown = Assert.ThrowsAny<Exception>(() => File.OpenRead(_directory.FullName));
        var error = ErrorTranslation.Translate(thrown, _directory.FullName);
        Assert.Equal(SubvolErrorCode.InvalidArgument, error.Code);
        Assert.Contains("is a directory", error.Message);
    }

    [Fact]
    public void An_unexpected_exception_is_a_failure_that_asks_for_a_report()
    {
        var error = ErrorTranslation.Translate(new InvalidOperationException("Sequence contains no matching element"));
        Assert.Equal(SubvolErrorCode.Failed, error.Code);
        Assert.Contains("report", Assert.IsType<Remedy.Advice>(error.Remedy).Text);
    }

    [Fact]
    public void A_subvol_exception_passes_through_unchanged()
    {
        var original = new SubvolException(SubvolErrorCode.Busy, "mounted") { Remedy = new Remedy.Advice("unmount it") };
        Assert.Same(original, ErrorTranslation.Translate(original));
    }
}
