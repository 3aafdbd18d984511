namespace Subvol.Tests.Names;

public sealed class NameRulesTests
{
    [Theory]
    [InlineData("home")]
    [InlineData("vm-101_disk.0")]
    [InlineData("2026-11-28T120000Z")]
    [InlineData("a+b:c")]
    public void AcceptsNamesOfTheDocumentedCharacters(string name)
    {
        Assert.Null(NameRules.Problem(name));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("..", "'..'")]
    [InlineData("../x", "'..'")]
    [InlineData("a..b", "'..'")]
    [InlineData("a/b", "'/'")]
    [InlineData("-rf", "start with")]
    [InlineData(".hidden", "start with")]
    [InlineData("with space", "not allowed")]
    [InlineData("new\nline", "not allowed")]
    [InlineData("nul\0byte", "not allowed")]
    [InlineData("caf\u00e9", "not allowed")]
    [InlineData("disk.img", ".img")]
    [InlineData("a@b", "not allowed")]
    [InlineData("template:home", "reserve")]
    [InlineData("Template:home", "reserve")]
    public void RefusesNamesWithTheRuleTheyBreak(string name, string rule)
    {
        var problem = NameRules.Problem(name);
        Assert.NotNull(problem);
        Assert.Contains(rule, problem);
    }

    [Fact]
    public void RefusesNamesLongerThanTheMaximum()
    {
        Assert.Null(NameRules.Problem(new string('a', NameRules.MaximumLength)));
        Assert.Contains("at most", NameRules.Problem(new string('a', NameRules.MaximumLength + 1)));
    }

    [Fact]
    public void ValidateThrowsInvalidArgumentWithControlCharactersEscaped()
    {
        var exception = Assert.Throws<SubvolException>(() => NameRules.Validate("bad\u001b[2Jname", "subvolume"));
        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
        Assert.DoesNotContain('\u001b', exception.Message);
        Assert.Contains("\\x1b", exception.Message);
    }
}
