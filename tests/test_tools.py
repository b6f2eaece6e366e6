"""End-to-end tests of the installed command-line tools."""

import os
import subprocess
import sys

import pytest

from afd_keras.data import sample


def _run_tool(module, *args):
    return subprocess.run(
        [sys.executable, "-m", f"afd_keras_tools.{module}", *args],
        capture_output=True, text=True, timeout=300, check=False)


def test_quickstart_prints_the_sweep(tmp_path):
    result = _run_tool("quickstart", "--conditions=1", "--num_steps=2",
                       "--num_examples=50", f"--output_dir={tmp_path}")
    assert result.returncode == 0, result.stderr
    assert "weights verified" in result.stdout
    assert "Condition sweep:" in result.stdout
    assert (tmp_path / "tradeoff.png").exists()


@pytest.mark.parametrize("module,args,pattern", [
    ("quickstart", ["--num_examples=0"], "--num_examples"),
    ("quickstart", ["--model=no_such_model"], "no_such_model"),
    ("make_sample", [], "--data_dir"),
])
def test_bad_flags_give_one_line_error_and_nonzero_exit(module, args, pattern):
    result = _run_tool(module, *args)
    assert result.returncode != 0
    assert pattern in result.stderr
    assert "Traceback" not in result.stderr


def test_library_error_is_one_line_without_traceback(tmp_path):
    result = _run_tool("make_sample", f"--data_dir={tmp_path}",
                       f"--out_dir={tmp_path / 'out'}")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines()
              if line.startswith("make_sample.py: error: ")]
    assert len(errors) == 1 and "train-images-idx3-ubyte.gz" in errors[0]


def test_make_sample_rebuilds_the_shipped_sample(shared_data_dir, tmp_path):
    result = _run_tool("make_sample", f"--data_dir={shared_data_dir}",
                       f"--out_dir={tmp_path}")
    assert result.returncode == 0, result.stderr
    for file_name in os.listdir(sample.SAMPLE_DIR):
        if file_name.endswith(".npz"):
            assert (tmp_path / file_name).exists()


def _table_rows(stdout, prefix):
    return [[cell.strip() for cell in line.split("|")]
            for line in stdout.splitlines() if line.startswith(prefix)]


# One run of every benchmark in quick mode: each run of the tool costs a
# minute of TF start-up and tracing, so the checks share it.
def test_every_benchmark_runs_in_quick_mode_and_writes_results(
        undefended_mnist_model, tmp_path):
    undefended_mnist_model.save(tmp_path / "model.keras")
    results = tmp_path / "out" / "RESULTS.md"
    result = _run_tool("benchmark", "--benchmarks=all", "--quick",
                       "--architectures=small_cnn",
                       "--methods=standard,fgsm_rs,afd",
                       f"--model={tmp_path / 'model.keras'}", "--source=sample",
                       "--num_examples=20", "--attack_steps=2",
                       "--epsilon=0.1", "--batch_size=8",
                       f"--results={results}")
    assert result.returncode == 0, result.stderr[-3000:]
    stdout = result.stdout

    # Step cost: one row per method, the dial AFD (conditional True) as an
    # extra row, ratios to the first (standard) row.
    header = _table_rows(stdout, "| architecture |")[0]
    rows = _table_rows(stdout, "| small_cnn |")[:4]
    assert [(row[2], row[3]) for row in rows] == [
        ("standard", "False"), ("fgsm_rs", "False"), ("afd", "False"),
        ("afd", "True")]
    ratio, gflops = header.index("x standard"), header.index("GFLOP/s")
    assert rows[0][ratio] == "1.00"
    assert all(float(row[ratio]) > 0 and float(row[gflops]) > 0
               for row in rows)

    # Evaluation: ours against the reference tools, with the speed-up.
    attacks = (_table_rows(stdout, "| PGD-2 |")
               + _table_rows(stdout, "| APGD-CE-2 |"))
    assert [row[2] for row in attacks] == [
        "afd_keras", "cleverhans", "afd_keras", "ART"]
    assert all(row[6].endswith("x") for row in attacks[::2])

    # Memory: measured in a fresh process, so the peak grows by phase
    # rather than repeating this tool's own peak.
    memory = _table_rows(stdout, "| small_cnn | afd | 8 |")[-1]
    after_import, after_training = float(memory[4]), float(memory[6])
    assert 0 < after_import < after_training

    text = results.read_text()
    for title in ("## Training step per method and architecture", "## Scaling",
                  "## Precision", "## Input pipeline", "## Evaluation",
                  "## Memory", "## Targets", "Machine:", "afd-benchmark "):
        assert title in text
    assert "| mixed_bfloat16 |" in text and "peak RSS" in text
    targets = [line for line in text.splitlines()
               if line.endswith("| yes |") or line.endswith("| **no** |")]
    assert len(targets) >= 4  # step-cost ratios, pipeline, PGD, APGD
    assert (results.parent / "step_cost.png").stat().st_size > 0


def test_attack_benchmark_needs_a_model():
    result = _run_tool("benchmark", "--benchmarks=attacks")
    assert result.returncode == 2
    assert "--model" in result.stderr and "Traceback" not in result.stderr


def test_benchmark_rejects_unknown_method():
    result = _run_tool("benchmark", "--methods=fast")
    assert result.returncode != 0
    assert "--methods" in result.stderr and "Traceback" not in result.stderr


def _train(model_dir, *args):
    return _run_tool("train", f"--model_dir={model_dir}", "--batch_size=32",
                     "--steps_per_epoch=3", *args)


@pytest.mark.parametrize("args,pattern", [
    (["--method=fast_at"], "--method"),
    (["--epsilon=2"], "--epsilon"),
    (["--precision=int8"], "--precision"),
    (["--strategy=horovod"], "--strategy"),
    (["--jit_compile=maybe"], "--jit_compile"),
    (["--batch_size=0"], "--batch_size"),
    (["--architecture_args=depth"], "--architecture_args"),
    (["--architecture_args=depth=16"], "Unknown arguments for architecture"),
    (["--recipe=mnist_afdd"], "Did you mean 'mnist_afd'"),
])
def test_train_bad_flags_give_one_line_error(tmp_path, args, pattern):
    result = _train(tmp_path, *args)
    assert result.returncode != 0
    assert pattern in result.stderr and "Traceback" not in result.stderr


def test_a_run_from_a_recipe_continues_from_the_command_it_records(tmp_path):
    # pylint: disable=import-outside-toplevel
    from afd_keras.training import recipes
    from afd_keras.training import run_folder
    result = _train(tmp_path, "--recipe=mnist_fgsm_rs", "--epochs=1",
                    "--precision=float32", "--source=sample")
    assert result.returncode == 0, result.stderr
    _, config = run_folder.read_run(str(tmp_path))
    # The flags given override the recipe; the rest is the recipe's.
    assert (config.recipe, config.method, config.optimizer,
            config.learning_rate, config.epochs) == (
        "mnist_fgsm_rs@1", "fgsm_rs", "adam", 0.005, 1)
    assert recipes.changes_from_recipe(config) == {
        "epochs": 1, "steps_per_epoch": 3, "batch_size": 32,
        "precision": "float32"}
    # The card's command continues the same run: the checkpoint refuses any
    # other settings.
    command = recipes.train_command(config, str(tmp_path)).split()
    rerun = _run_tool("train", "--source=sample", *command[1:])
    assert rerun.returncode == 0, rerun.stderr
    assert "Epoch" not in rerun.stdout and "clean test accuracy" in rerun.stdout


def test_train_requires_model_dir():
    result = _run_tool("train", "--epochs=1")
    assert result.returncode != 0
    assert "--model_dir" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_writes_reports(undefended_mnist_model, tmp_path):
    import json  # pylint: disable=import-outside-toplevel
    undefended_mnist_model.save(tmp_path / "model.keras")
    result = _run_tool("evaluate", f"--model={tmp_path / 'model.keras'}",
                       "--source=sample", "--num_examples=40", "--epsilon=0.1",
                       "--attacks=fgsm,pgd:num_steps=3,step_size=0.05",
                       f"--output_dir={tmp_path / 'eval'}")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "eval" / "report.json").read_text())
    assert report["num_examples"] == 40
    assert set(report["attack_accuracy"]) == {"fgsm", "pgd:num_steps=3,step_size=0.05"}
    assert (tmp_path / "eval" / "report.md").read_text().startswith("40 examples")


def test_evaluate_sweeps_the_dial_and_plots_the_tradeoff(undefended_mnist_model,
                                                        tmp_path):
    import afd_keras  # pylint: disable=import-outside-toplevel
    afd_keras.models.build("small_cnn", conditional=True).save(
        tmp_path / "conditional.keras")
    undefended_mnist_model.save(tmp_path / "baseline.keras")
    common = ["--source=sample", "--num_examples=30", "--epsilon=0.1",
              "--attacks=pgd:num_steps=2", "--sanity_examples=10"]
    baseline = _run_tool("evaluate", f"--model={tmp_path / 'baseline.keras'}",
                         *common, f"--output_dir={tmp_path / 'baseline'}")
    assert baseline.returncode == 0, baseline.stderr
    result = _run_tool("evaluate", f"--model={tmp_path / 'conditional.keras'}",
                       *common, "--conditions=0,0.5,1",
                       f"--baselines=standard={tmp_path / 'baseline'}",
                       f"--output_dir={tmp_path / 'eval'}")
    assert result.returncode == 0, result.stderr
    table = (tmp_path / "eval" / "tradeoff.md").read_text()
    assert table.count("| this model |") == 3 and "| standard |" in table
    assert (tmp_path / "eval" / "tradeoff.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args,pattern", [
    (["--conditions=0,2"], "--conditions"),
    (["--baselines=nolabel"], "--baselines"),
    (["--attacks=deepfool"], "Unknown attack"),
])
def test_evaluate_bad_flags_give_one_line_error(undefended_mnist_model,
                                                tmp_path, args, pattern):
    undefended_mnist_model.save(tmp_path / "model.keras")
    result = _run_tool("evaluate", f"--model={tmp_path / 'model.keras'}",
                       "--source=sample", "--num_examples=10", *args)
    assert result.returncode != 0
    assert pattern in result.stderr and "Traceback" not in result.stderr


def test_evaluate_missing_model_is_one_line_error(tmp_path):
    result = _run_tool("evaluate", f"--model={tmp_path / 'none.keras'}")
    assert result.returncode == 2
    assert "No model at" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_takes_a_zoo_models_dataset_and_budget_from_its_card(tmp_path):
    import json  # pylint: disable=import-outside-toplevel
    result = _run_tool("evaluate", "--model=small_cnn_fashion_mnist_afd_linf0.1",
                       "--source=sample", "--num_examples=20",
                       "--attacks=fgsm", "--sanity_examples=0",
                       f"--output_dir={tmp_path}")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["epsilon"] == 0.1
    assert "fashion_mnist" in result.stderr


@pytest.mark.parametrize("args,pattern", [
    (["--model=small_cnn_fashion_mnist_afd_linf0.1", "--dataset=mnist"],
     "trained on fashion_mnist"),
    (["--model=small_cnn_mnist_fgsm_rs_linf0.3", "--condition=0.5"],
     "has none"),
])
def test_evaluate_refuses_what_does_not_fit_the_model(args, pattern):
    result = _run_tool("evaluate", "--source=sample", "--num_examples=10", *args)
    assert result.returncode == 2
    assert pattern in result.stderr
    assert "Traceback" not in result.stderr
