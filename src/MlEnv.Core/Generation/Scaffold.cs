namespace MlEnv.Generation;

/// <summary>The text of a new environment project: every property and item, commented, with examples.</summary>
public static class Scaffold
{
    public static string Project(string sdkVersion) => $$"""
        <Project Sdk="MlEnv.Sdk/{{sdkVersion}}">
          <!-- An MlEnv environment project: `dotnet build` builds or reuses its image, `dotnet publish` ships it.
               Uncomment what you need; every name is documented in MlEnv's README. -->
          <PropertyGroup>
            <!-- <MlEnvName>my-env</MlEnvName> -->                       <!-- default: the project name, lower-cased -->
            <!-- <MlEnvCurated>mlenv-minimal</MlEnvCurated> -->           <!-- start from a curated environment -->
            <!-- <MlEnvPythonVersion>3.11</MlEnvPythonVersion> -->
            <!-- <MlEnvBaseImage>python:3.11.10-slim-bookworm</MlEnvBaseImage> -->
            <!-- <MlEnvBaseDockerfile>base.Dockerfile</MlEnvBaseDockerfile> -->
            <!-- <MlEnvGpu>auto</MlEnvGpu> -->                             <!-- auto | true | false -->
            <!-- <MlEnvUserManagedDependencies>false</MlEnvUserManagedDependencies> -->
            <!-- <MlEnvPipIndexUrl>https://pypi.example/simple</MlEnvPipIndexUrl> -->  <!-- credentials: MLENV_PIP_INDEX_USERNAME/PASSWORD -->
            <!-- <MlEnvRegistry>localhost:5000</MlEnvRegistry> -->        <!-- shared cache; pushed on publish -->
            <!-- <MlEnvScoringScript>score.py</MlEnvScoringScript> -->    <!-- publish a scoring service -->
          </PropertyGroup>

          <ItemGroup>
            <!-- <MlEnvReference Include="sklearn-train" Version="[2,3)" /> -->   <!-- a registered environment to build on -->
            <!-- <MlEnvCondaChannel Include="conda-forge" /> -->
            <!-- <MlEnvCondaPackage Include="numpy" Version="1.26" /> -->
            <!-- <MlEnvPipPackage Include="scikit-learn" Version="1.5.2" /> -->
            <!-- <MlEnvPipPackage Include="requests" Version="&gt;=2.31" Extras="socks" Markers="python_version &gt;= '3.8'" /> -->
            <!-- <MlEnvPipRequirements Include="requirements.txt" /> -->
            <!-- <MlEnvCondaSpecification Include="environment.yml" /> -->
            <!-- <MlEnvPipWheel Include="wheels/*.whl" /> -->
            <!-- <MlEnvAptPackage Include="libgomp1" /> -->
            <!-- <MlEnvVariable Include="OMP_NUM_THREADS" Value="1" /> -->
            <!-- <MlEnvLabel Include="org.example.team" Value="ml" /> -->
            <!-- <MlEnvModel Include="model" /> -->
          </ItemGroup>
        </Project>

        """;
}
