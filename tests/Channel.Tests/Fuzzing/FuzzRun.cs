using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Gateway.Channel.Tests.Fuzzing;

/// <summary>The fuzz tests run alone, so process-wide allocation counts belong mostly to them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "fuzz";
}

/// <summary>
/// Drives one fuzz target: a random master seed (or CTP96_FUZZ_SEED to replay), logged first; one derived seed per
/// iteration, named in every failure; a per-iteration time limit (WaitAsync), so a hang fails instead of stalling the
/// run; a bound on what one iteration may allocate on any thread. CI runs a short slice; CTP96_FUZZ_SECONDS makes it
/// a soak (bench/run fuzz). CTP96_FUZZ_METRICS names a file that receives "target iterations" lines.
/// </summary>
internal sealed class FuzzRun(string target, ITestOutputHelper output)
{
    public static readonly int MasterSeed = int.TryParse(Environment.GetEnvironmentVariable("CTP96_FUZZ_SEED"), out var s) ? s : Random.Shared.Next();
    private static readonly double SoakSeconds = double.TryParse(Environment.GetEnvironmentVariable("CTP96_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : 0;
    private static readonly int? OnlyIteration = int.TryParse(Environment.GetEnvironmentVariable("CTP96_FUZZ_ITERATION"), out var i) ? i : null;

    public ConcurrentDictionary<string, int> Outcomes { get; } = new();
    public int Iterations { get; private set; }

    public static bool IsSoak => SoakSeconds > 0;
    public static bool IsReplay => OnlyIteration is not null;

    public string Replay(int iteration) => $"replay: CTP96_FUZZ_SEED={MasterSeed} CTP96_FUZZ_ITERATION={iteration} (target {target})";

    /// <summary>
    /// Runs <paramref name="body"/> for <paramref name="ciIterations"/> iterations, or for the soak time. With
    /// <paramref name="synchronous"/> the body must complete on the calling thread, and only that thread's allocations
    /// count toward the bound: a tight bound is then not crossed by another test's background work (timers, connection
    /// loops still ending), which the process-wide count would add in.
    /// </summary>
    public async Task RunAsync(int ciIterations, TimeSpan perIteration, long maxAllocatedBytes, Func<Random, int, Task<string>> body, bool synchronous = false)
    {
        long Allocated() => synchronous ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: false);
        output.WriteLine($"fuzz {target}: master seed {MasterSeed} (set CTP96_FUZZ_SEED to replay)");
        var clock = Stopwatch.StartNew();
        for (var iteration = OnlyIteration ?? 0; ; iteration++)
        {
            if (OnlyIteration is { } only && iteration != only) break;
            if (OnlyIteration is null && (IsSoak ? clock.Elapsed.TotalSeconds >= SoakSeconds : iteration >= ciIterations)) break;
            var rng = new Random(unchecked(MasterSeed * 1_000_003 + iteration * 7919) ^ StableHash(target));
            var before = Allocated();
            string outcome;
            try
            {
                var running = body(rng, iteration);
                if (synchronous && !running.IsCompleted) throw new Xunit.Sdk.XunitException($"Iteration {iteration} did not complete synchronously. {Replay(iteration)}");
                outcome = await running.WaitAsync(perIteration);
            }
            catch (TimeoutException) { throw new Xunit.Sdk.XunitException($"Iteration {iteration} hung for more than {perIteration.TotalSeconds} s. {Replay(iteration)}"); }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException) { throw new Xunit.Sdk.XunitException($"Iteration {iteration} crashed: {e}\n{Replay(iteration)}"); }
            catch (Xunit.Sdk.XunitException e) { throw new Xunit.Sdk.XunitException($"Iteration {iteration}: {e.Message}\n{Replay(iteration)}"); }
            var allocated = Allocated() - before;
            if (allocated > maxAllocatedBytes)
                throw new Xunit.Sdk.XunitException($"Iteration {iteration} allocated {allocated} bytes (bound {maxAllocatedBytes}). {Replay(iteration)}");
            Outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            Iterations = iteration + 1;
        }
        output.WriteLine($"fuzz {target}: {Iterations} iterations in {clock.Elapsed.TotalSeconds:0.0} s; outcomes: {Describe()}");
        if (Environment.GetEnvironmentVariable("CTP96_FUZZ_METRICS") is { Length: > 0 } metrics)
            File.AppendAllText(metrics, $"{target} {Iterations}\n");
    }

    public string Describe() => string.Join(", ", Outcomes.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}={kv.Value}"));

    // string.GetHashCode is randomised per process; the per-iteration seed must not be.
    private static int StableHash(string s)
    {
        var h = 17;
        foreach (var c in s) h = unchecked(h * 31 + c);
        return h;
    }
}
