using System.Text;
using Gateway.Contracts.Containers;

namespace Gateway.Bridges.Docker.Tests;

public sealed class LogLineSplitterTests
{
    [Fact]
    public void Lines_split_across_reads_and_streams_are_reassembled_per_stream()
    {
        var splitter = new LogLineSplitter(timestamps: false);
        var lines = new List<ContainerLogLine>();
        splitter.Push(ContainerLogStream.Stdout, "he"u8, lines);
        splitter.Push(ContainerLogStream.Stderr, "err-"u8, lines);
        splitter.Push(ContainerLogStream.Stdout, "llo\nwor"u8, lines);
        splitter.Push(ContainerLogStream.Stderr, "1\n"u8, lines);
        splitter.Push(ContainerLogStream.Stdout, "ld\n\n"u8, lines);
        splitter.Flush(lines);
        Assert.Equal(
            [(ContainerLogStream.Stdout, "hello\n"), (ContainerLogStream.Stderr, "err-1\n"), (ContainerLogStream.Stdout, "world\n"), (ContainerLogStream.Stdout, "\n")],
            lines.Select(l => (l.Stream, l.Text)));
    }

    [Fact]
    public void Over_long_lines_are_cut_so_memory_stays_bounded()
    {
        var splitter = new LogLineSplitter(timestamps: false);
        var lines = new List<ContainerLogLine>();
        var big = Encoding.ASCII.GetBytes(new string('x', LogLineSplitter.MaxLineBytes * 2 + 10) + "\n");
        splitter.Push(ContainerLogStream.Stdout, big, lines);
        Assert.Equal([LogLineSplitter.MaxLineBytes, LogLineSplitter.MaxLineBytes, 11], lines.Select(l => l.Text.Length));
    }

    [Fact]
    public void Timestamps_are_taken_off_the_front_of_each_line()
    {
        var splitter = new LogLineSplitter(timestamps: true);
        var lines = new List<ContainerLogLine>();
        splitter.Push(ContainerLogStream.Stdout, "2026-11-22T17:47:50.283635009Z hello world\n"u8, lines);
        Assert.Equal(new ContainerLogLine(ContainerLogStream.Stdout, "hello world\n", "2026-11-22T17:47:50.283635009Z"), Assert.Single(lines));
    }
}
