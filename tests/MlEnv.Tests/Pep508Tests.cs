using MlEnv.Specs;

namespace MlEnv.Tests;

public class Pep508Tests
{
    [Theory]
    [InlineData("Scikit_Learn", "scikit-learn")]
    [InlineData("requests[security,socks] >= 2.8.1, == 2.8.*", "requests[security,socks]==2.8.*,>=2.8.1")]
    [InlineData("name@ https://example.com/x.whl", "name @ https://example.com/x.whl")]
    [InlineData("name @ https://example.com/x.whl ; python_version < '3.12'", "name @ https://example.com/x.whl ; python_version < \"3.12\"")]
    [InlineData("foo (>=1.0)", "foo>=1.0")]
    [InlineData("foo; os_name=='posix' and (python_version>'3.8' or extra == 'Dev_Tools')", "foo; os_name == \"posix\" and (python_version > \"3.8\" or extra == \"dev-tools\")")]
    [InlineData("torch==2.1.0+CU121", "torch==2.1.0+cu121")]
    [InlineData("pkg===weird.version", "pkg===weird.version")]
    [InlineData("pkg~=1.4.5", "pkg~=1.4.5")]
    [InlineData("pkg!=1.0.post1", "pkg!=1.0.post1")]
    [InlineData("pkg==1!2.0", "pkg==1!2.0")]
    [InlineData("Pkg[B,a]", "pkg[a,b]")]
    [InlineData("pkg ; python_implementation == 'CPython'", "pkg; platform_python_implementation == \"CPython\"")]
    public void ParsesToCanonical(string text, string canonical)
    {
        Assert.True(Pep508Requirement.TryParse(text, out var r, out var error, out _), error);
        Assert.Equal(canonical, r.ToCanonicalString());
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("-foo", 0)]
    [InlineData("foo >= ", -1)]
    [InlineData("foo[bar", -1)]
    [InlineData("foo[a b]", -1)]
    [InlineData("foo ==1.0 ;", -1)]
    [InlineData("foo; os_name ~ 'x'", -1)]
    [InlineData("foo @ notaurl", -1)]
    [InlineData("foo==1.0 bar", -1)]
    [InlineData("foo; $(rm -rf /) == 'x'", -1)]
    [InlineData("foo; os_name == 'a\\x41'", 16)]
    public void RejectsWithPosition(string text, int column)
    {
        Assert.False(Pep508Requirement.TryParse(text, out _, out var error, out var col));
        Assert.False(string.IsNullOrEmpty(error));
        if (column >= 0) Assert.Equal(column, col);
    }
}
