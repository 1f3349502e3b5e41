using MlEnv.Specs;

namespace MlEnv.Tests;

public class Pep440Tests
{
    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("v1.0", "1.0")]
    [InlineData("1!2.0", "1!2.0")]
    [InlineData("1.0-alpha1", "1.0a1")]
    [InlineData("1.0.BETA.2", "1.0b2")]
    [InlineData("1.0c3", "1.0rc3")]
    [InlineData("1.0-preview", "1.0rc0")]
    [InlineData("1.0-1", "1.0.post1")]
    [InlineData("1.0.rev", "1.0.post0")]
    [InlineData("1.0dev", "1.0.dev0")]
    [InlineData("1.0+Ubuntu-1", "1.0+ubuntu.1")]
    [InlineData("2.1.0+cu121", "2.1.0+cu121")]
    [InlineData(" 1.2.3 ", "1.2.3")]
    public void Normalizes(string text, string expected) => Assert.Equal(expected, Pep440Version.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("1.0-foo")]
    [InlineData("french toast")]
    [InlineData("1.0+")]
    [InlineData("1..0")]
    public void RejectsInvalid(string text) => Assert.False(Pep440Version.TryParse(text, out _));

    [Fact]
    public void OrdersAsPep440()
    {
        string[] ordered = ["1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0+local", "1.0.post1.dev1", "1.0.post1", "1.1", "1!0.5"];
        var versions = ordered.Select(Pep440Version.Parse).ToList();
        for (int i = 1; i < versions.Count; i++)
            Assert.True(versions[i - 1] < versions[i], $"{ordered[i - 1]} < {ordered[i]}");
        Assert.Equal(Pep440Version.Parse("1.0"), Pep440Version.Parse("1.0.0"));
        Assert.Equal(Pep440Version.Parse("1.0").GetHashCode(), Pep440Version.Parse("1.0.0").GetHashCode());
    }

    [Theory]
    [InlineData(">=1.0,<2", "<2,>=1.0")]
    [InlineData("==1.2.*", "==1.2.*")]
    [InlineData("~=1.4.5", "~=1.4.5")]
    [InlineData("===foobar", "===foobar")]
    [InlineData("!=1.5, !=1.5", "!=1.5")]
    [InlineData("== 1.0", "==1.0")]
    public void SpecifierSetsPrintLikePackaging(string text, string expected)
    {
        Assert.True(Pep440SpecifierSet.TryParse(text, out var set, out var error), error);
        Assert.Equal(expected, set.ToString());
    }

    [Theory]
    [InlineData("~=1")]
    [InlineData(">=1.*")]
    [InlineData("<1.0+local")]
    [InlineData("=1.0")]
    [InlineData(">>1")]
    public void RejectsInvalidSpecifiers(string text) => Assert.False(Pep440SpecifierSet.TryParse(text, out _, out _));

    [Fact]
    public void CanonicalSpecifiersNormalizeVersions()
    {
        Assert.True(Pep440SpecifierSet.TryParse("==1.0.0-RC1,>=v1.0", out var set, out _));
        Assert.Equal("==1.0.0rc1,>=1.0", set.ToCanonicalString());
    }
}
