using Gateway.Fuzz;
using SharpFuzz;

// Gateway.Fuzz <target>                 run under afl-fuzz (bench/Fuzz/run.sh): one input per stdin/shared-memory round
// Gateway.Fuzz <target> <file|dir>...   replay inputs once each, without AFL; a crash prints its input and exits 1
// Gateway.Fuzz --seeds <dir>             write the seed corpus, one folder per target
if (args is ["--seeds", var seedDirectory])
{
    Seeds.Write(seedDirectory);
    return 0;
}
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Gateway.Fuzz <{string.Join('|', Targets.All.Keys)}> [input file or directory...]");
    return 2;
}
if (args.Length == 1)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target(buffer.ToArray());
    });
    return 0;
}
var files = args[1..].SelectMany(a => Directory.Exists(a) ? Directory.GetFiles(a, "*", SearchOption.AllDirectories) : [a]).Order(StringComparer.Ordinal);
var failed = 0;
foreach (var file in files)
{
    try { target(File.ReadAllBytes(file)); }
    catch (Exception e)
    {
        failed++;
        Console.Error.WriteLine($"{file}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
    }
}
return failed == 0 ? 0 : 1;
