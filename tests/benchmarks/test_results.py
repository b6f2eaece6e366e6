"""benchmarks/RESULTS.md: written whole, or updated section by section."""

from afd_keras.benchmarks import results


def _targets(*rows):
    return results.target_rows(rows)


def test_update_replaces_only_the_rerun_sections_and_target_rows(tmp_path):
    path = tmp_path / "RESULTS.md"
    results.write_results(path, "afd-benchmark --benchmarks=all", [
        ("Step: batch 128", "step table"),
        ("Memory: peak RSS", "old memory"),
        ("Targets", _targets(("step <= 1.8x", "1.9x", False),
                             ("pipeline >= 10x", "20x", True)))])
    results.write_results(path, "afd-benchmark --benchmarks=memory,step", [
        ("Memory: peak RSS, 5 steps", "new memory"),
        ("Targets", _targets(("step <= 1.8x", "1.7x", True),
                             ("new target", "2x", True)))], update=True)
    text = path.read_text()
    assert "afd-benchmark --benchmarks=all" in text  # the original command
    assert "step table" in text and "old memory" not in text
    memory = text.split("## Memory: peak RSS, 5 steps")[1].split("## ")[0]
    assert "afd-benchmark --benchmarks=memory,step" in memory
    assert "new memory" in memory and "Machine:" in memory
    targets = text.split("## Targets")[1].splitlines()
    assert [line for line in targets if line.startswith("| ")
            and not line.startswith("| target")] == [
                "| step <= 1.8x | 1.7x | yes |", "| pipeline >= 10x | 20x | yes |",
                "| new target | 2x | yes |"]
    # A second update keeps one note on re-measured sections.
    results.write_results(path, "afd-benchmark --benchmarks=memory", [
        ("Memory: peak RSS", "newest memory")], update=True)
    text = path.read_text()
    assert text.count(results._UPDATED_NOTE) == 1  # pylint: disable=protected-access
    assert "newest memory" in text and "new memory\n" not in text


def test_update_of_a_missing_file_writes_it_whole(tmp_path):
    path = tmp_path / "RESULTS.md"
    results.write_results(path, "afd-benchmark --benchmarks=memory",
                          [("Memory", "table")], update=True)
    text = path.read_text()
    assert text.startswith("# Benchmark results") and "## Memory" in text
