namespace Subvol.Tests.Subvolumes;

public sealed class SubvolumeSettingsTests
{
    [Fact]
    public void ProvisioningIsReadFromKeyValueWords()
    {
        Assert.Equal(Provisioning.Thin, SubvolumeSettings.Parse(["provisioning=thin"]).Provisioning);
        Assert.Equal(Provisioning.Guaranteed, SubvolumeSettings.Parse(["provisioning=guaranteed"]).Provisioning);
    }

    [Fact]
    public void EveryUnknownKeyIsNamedInOneError()
    {
        var error = Assert.Throws<SubvolException>(() => SubvolumeSettings.Parse(["provisioning=thin", "colour=blue", "iops=3000"]));
        Assert.Equal(SubvolErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'colour', 'iops'", error.Message);
    }

    [Fact]
    public void ABadValueNamesItsKeyAndLeavesTheValueOut()
    {
        var error = Assert.Throws<SubvolException>(() => SubvolumeSettings.Parse([KeyValuePair.Create("provisioning", "s3cr3t")]));
        Assert.Contains("provisioning must be guaranteed or thin", error.Message);
        Assert.DoesNotContain("s3cr3t", error.Message);
    }

    [Fact]
    public void AWordWithoutAnEqualsSignOrNoSettingAtAllIsRefused()
    {
        Assert.Contains("KEY=VALUE", Assert.Throws<SubvolException>(() => SubvolumeSettings.Parse(["thin"])).Message);
        Assert.Contains("=thin", Assert.Throws<SubvolException>(() => SubvolumeSettings.Parse(["=thin"])).Message);
        Assert.Contains("no setting", Assert.Throws<SubvolException>(() => SubvolumeSettings.Parse(Array.Empty<string>())).Message);
    }

    [Fact]
    public void OneKeyGivenTwiceWithDifferentValuesIsRefused()
    {
        Assert.Throws<SubvolException>(() => SubvolumeSettings.Parse(["provisioning=thin", "provisioning=guaranteed"]));
        Assert.Equal(Provisioning.Thin, SubvolumeSettings.Parse(["provisioning=thin", "provisioning=thin"]).Provisioning);
    }
}
