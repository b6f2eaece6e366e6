"""Runs the benchmarks by name and turns them into RESULTS.md sections.

Each `_section_*` function measures one figure and returns
(title, Markdown body, [(target, measured, met), ...]).
"""

import dataclasses

import numpy as np

from afd_keras import data
from afd_keras import models
from afd_keras.benchmarks import attack_throughput
from afd_keras.benchmarks import memory
from afd_keras.benchmarks import peak
from afd_keras.benchmarks import pipeline_throughput
from afd_keras.benchmarks import precision
from afd_keras.benchmarks import results
from afd_keras.benchmarks import step_cost
from afd_keras.data import loader
from afd_keras.training import METHODS
from afd_keras.training import recipes
from afd_keras.training.settings import check_fields
from afd_keras.training.settings import setting

BENCHMARKS = ("step_cost", "recipe_cost", "scaling", "precision",
              "pipeline", "attacks", "memory")
_RECIPE_IDS = tuple(recipes.list_recipes())
_RECIPE_NAMES = tuple(sorted({i.split("@")[0] for i in _RECIPE_IDS}))


@dataclasses.dataclass
class BenchmarkOptions:
    """What the benchmarks run on, each setting declared once: the
    `afd-benchmark` flags are derived from these fields (`cli.define_flags`).

    Example:

    >>> BenchmarkOptions(architectures=("small_cnn",), quick=True)
    """

    architectures: tuple[str, ...] = setting(
        ("small_cnn", "resnet9"), "step_cost, scaling: the architectures.",
        choices=models.list_architectures())
    methods: tuple[str, ...] = setting(
        ("standard", "fgsm_rs", "afd"), "step_cost: the training methods.",
        choices=tuple(METHODS))
    batch_size: int = setting(128, "Images per step.", minimum=1, integer=True)
    num_steps: int = setting(20, "Steps per timed round.", minimum=1,
                             integer=True)
    num_rounds: int = setting(3, "Timed rounds per method.", minimum=1,
                              integer=True)
    # The zoo's AFD has the dial, so its cost is what users pay.
    conditional_methods: tuple[str, ...] = setting(
        ("afd",), "Methods also timed with the condition dial "
        "(ConditionalScaling), as extra rows; empty for none.",
        choices=tuple(METHODS))
    # What each CIFAR-10 recipe of the comparison costs next to fgsm_rs.
    recipes: tuple[str, ...] = setting(
        ("cifar10_fgsm_rs", "cifar10_n_fgsm", "cifar10_afd",
         "cifar10_afd_dial"), "recipe_cost: the training recipes (NAME or "
        "NAME@VERSION), timed at their own network, settings, batch size "
        "and precision; ratios to the first.",
        choices=_RECIPE_NAMES + _RECIPE_IDS)
    quick: bool = setting(False, "Tiny settings: a smoke run of every "
                          "benchmark.")
    dataset: str = setting("mnist", "attacks: the test split to attack.",
                           choices=data.list_datasets())
    data_dir: str | None = setting(
        None, "Folder with the data (default $AFD_DATA_DIR).")
    source: str = setting("auto", "Where to read the data from.",
                          choices=tuple(loader.SOURCES))
    num_examples: int = setting(1000, "attacks: test examples.", minimum=1,
                                integer=True)
    epsilon: float = setting(0.3, "attacks: the L-inf budget.", minimum=0.0)
    attack_steps: int = setting(20, "attacks: PGD and APGD steps.",
                                minimum=1, integer=True)
    # The suites (AutoAttack) cost about 50x PGD-20: fewer examples.
    suite_examples: int = setting(
        200, "attacks: test images for the suites (autoattack, aa_lite, "
        "ART's AutoAttack).", minimum=1, integer=True)
    # One epoch was too short: bf16 lost 18 PGD points after one epoch and
    # none after five (docs/experiments.md, "bf16 against float32").
    precision_epochs: int = setting(
        3, "precision: MNIST training epochs per precision.", minimum=1,
        integer=True)
    # State, not settings (no flags): the model the attack benchmarks
    # attack, where to draw the step-cost plot, and what the sections share.
    model: object = None
    plot_path: str = None
    peak_gflops: float = None
    step_costs: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        check_fields(self)


def _steps_for(options, architecture):
    # The big net's PGD and TRADES steps take tens of seconds each here.
    if options.quick:
        return 1, 1
    if architecture == "preact_resnet18":
        return max(2, options.num_steps // 4), 2
    return options.num_steps, options.num_rounds


def _section_step_cost(options):
    options.peak_gflops = options.peak_gflops or peak.matmul_peak_gflops(
        size=512 if options.quick else 4096)
    costs = []
    for architecture in options.architectures:
        num_steps, num_rounds = _steps_for(options, architecture)
        costs += step_cost.measure_step_costs(
            architecture, options.methods, batch_size=options.batch_size,
            num_steps=num_steps, num_rounds=num_rounds,
            conditional_methods=options.conditional_methods)
    options.step_costs = costs
    table = step_cost.format_step_costs(costs, options.peak_gflops)
    checks = []
    by_key = {(c.architecture, c.method, c.conditional): c for c in costs}
    for architecture in options.architectures:
        for conditional, label in ((False, "AFD"), (True, "AFD with the dial")):
            afd = by_key.get((architecture, "afd", conditional))
            if afd is None:
                continue
            if (architecture, "standard", False) in by_key:
                checks.append((f"{architecture}: {label} step <= 1.8x standard",
                               f"{afd.ratio_to_standard:.2f}x",
                               afd.ratio_to_standard <= 1.8))
            if (architecture, "fgsm_rs", False) in by_key:
                checks.append((f"{architecture}: {label} step <= 1.05x fgsm_rs",
                               f"{afd.ratio_to_fgsm_rs:.2f}x",
                               afd.ratio_to_fgsm_rs <= 1.05))
            if architecture in ("resnet9", "preact_resnet18"):
                share = afd.gflops_per_second / options.peak_gflops
                checks.append((f"{architecture}: {label} step >= 80% of the "
                               "f32 matmul peak", f"{100 * share:.0f}%",
                               share >= 0.8))
    if options.plot_path and costs:
        results.plot_step_costs(costs, options.plot_path)
        table += f"\n\n![step cost per method]({options.plot_path.split('/')[-1]})"
    body = (f"Float32 matmul peak, measured in this run: "
            f"{options.peak_gflops:.0f} GFLOP/s (`peak.matmul_peak_gflops`). "
            "FLOPs per step are counted from the conv and dense layers "
            "(forward F; standard 3F; one-step methods 5F; K-step PGD "
            "(2K + 3)F). Synthetic data, each method's fastest of its "
            "timed rounds.\n\n" + table)
    return "Training step per method and architecture", body, checks


def _section_recipe_cost(options):
    # Fashion-MNIST's recipes train a small net in float32: a smoke run on
    # any CPU (bf16 is 10x slower without native support).
    recipe_ids = (("fashion_mnist_fgsm_rs", "fashion_mnist_afd")
                  if options.quick else options.recipes)
    num_steps, num_rounds = (1, 1) if options.quick else (
        options.num_steps, options.num_rounds)
    costs = step_cost.measure_recipe_costs(
        recipe_ids, num_steps=num_steps, num_rounds=num_rounds)
    body = ("Each recipe's training step as `afd-train --recipe` builds it "
            "(network, trainer settings, optimizer, batch size, precision), "
            f"on synthetic data; the fastest of {num_rounds} rounds of "
            f"{num_steps} steps.\n\n" + step_cost.format_recipe_costs(costs))
    return "Training step per zoo recipe", body, []


def _section_scaling(options):
    architecture = options.architectures[0]
    points = step_cost.measure_scaling(
        architecture, batch_sizes=(32, 64) if options.quick else
        (32, 64, 128, 256, 512), attack_steps=(1, 2) if options.quick else
        (1, 2, 5, 10), batch_size=options.batch_size,
        num_steps=1 if options.quick else 5,
        num_rounds=1 if options.quick else 2)
    lines = [f"{architecture}: the AFD step against the batch size, and a "
             f"K-step PGD step (batch {options.batch_size}) against K.", "",
             "| sweep | value | ms/step | images/s |", "|---|---|---|---|"]
    lines += [f"| {kind} | {value} | {1000 * seconds:.1f} | {rate:.0f} |"
              for kind, value, seconds, rate in points]
    steps = {value: seconds for kind, value, seconds, _ in points
             if kind == "attack_steps"}
    if len(steps) >= 2:
        ks = sorted(steps)
        slope = (steps[ks[-1]] - steps[ks[0]]) / (ks[-1] - ks[0])
        lines += ["", f"Each extra attack step adds {1000 * slope:.1f} ms; "
                  f"the K = {ks[0]} step costs {1000 * steps[ks[0]]:.1f} ms "
                  "(the cost grows linearly in K: one forward and one "
                  "input-gradient pass per step)."]
    if options.model is not None:
        x, y = _test_arrays(options, max(options.num_examples, 1000))
        sizes = (100, 200) if options.quick else (250, 500, 1000)
        timings = attack_throughput.measure_evaluation_scaling(
            options.model, x, y, options.epsilon, sizes=sizes,
            num_steps=options.attack_steps)
        lines += ["", f"PGD-{options.attack_steps} evaluation time against the "
                  "number of test examples:", "",
                  "| examples | seconds | examples/s |", "|---|---|---|"]
        lines += [f"| {n} | {s:.1f} | {n / s:.0f} |" for n, s in timings]
    return "Scaling", "\n".join(lines), []


def _test_arrays(options, count):
    test = data.load(options.dataset, "test", batch_size=count,
                     data_dir=options.data_dir, source=options.source,
                     num_examples=count)
    x, y = next(iter(test))
    return x.numpy(), y.numpy()


def _section_precision(options):
    runs = precision.compare_precisions(
        dataset="mnist", epsilon=0.3, data_dir=options.data_dir,
        source=options.source, epochs=1 if options.quick else
        options.precision_epochs,
        steps_per_epoch=3 if options.quick else None,
        num_examples=50 if options.quick else 1000,
        num_attack_steps=2 if options.quick else 20)
    epochs = 1 if options.quick else options.precision_epochs
    lines = [f"small_cnn, AFD, MNIST eps 0.3, {epochs} epoch(s) (Adam, cyclic "
             "LR to 5e-3, batch 128); clean and PGD-20 (step 2.5 eps / 20, "
             "random start) accuracy on the first 1,000 test images.", "",
             "| precision | train images/s | clean | PGD-20 |",
             "|---|---|---|---|"]
    lines += [f"| {r.precision} | {r.images_per_second:.0f} | "
              f"{100 * r.clean_accuracy:.2f}% | {100 * r.pgd_accuracy:.2f}% |"
              for r in runs]
    if len(runs) == 2:
        lines += ["", f"Speed-up of {runs[1].precision}: "
                  f"{runs[1].images_per_second / runs[0].images_per_second:.2f}x; "
                  f"clean {100 * (runs[1].clean_accuracy - runs[0].clean_accuracy):+.2f} "
                  f"points, PGD-20 "
                  f"{100 * (runs[1].pgd_accuracy - runs[0].pgd_accuracy):+.2f} points."]
    return "Precision", "\n".join(lines), []


def _section_pipeline(options):
    checks, lines = [], ["| dataset | pipeline images/s | training net | AFD "
                         "training images/s | ratio |", "|---|---|---|---|---|"]
    pairs = (("mnist", "small_cnn"),) if options.quick else (
        ("mnist", "small_cnn"), ("cifar10", "resnet9"))
    for dataset, architecture in pairs:
        rate = pipeline_throughput.measure_pipeline_throughput(
            dataset, batch_size=options.batch_size,
            num_batches=5 if options.quick else 200,
            data_dir=options.data_dir, source=options.source)
        training = next((c for c in options.step_costs
                         if c.architecture == architecture and c.method == "afd"),
                        None) or step_cost.measure_step_costs(
            architecture, ("afd",), batch_size=options.batch_size,
            num_steps=1 if options.quick else 5, num_rounds=1)[0]
        ratio = rate / training.images_per_second
        lines.append(f"| {dataset} | {rate:.0f} | {architecture} | "
                     f"{training.images_per_second:.0f} | {ratio:.1f}x |")
        checks.append((f"{dataset} pipeline >= 10x {architecture} AFD training",
                       f"{ratio:.1f}x", ratio >= 10))
    return "Input pipeline (shuffle, augment, batch; cached)", "\n".join(
        lines), checks


def _section_attacks(options):
    if options.model is None:
        raise ValueError("The attacks benchmark needs a model (--model).")
    x, y = _test_arrays(options, options.num_examples)
    timings = attack_throughput.measure_attack_throughput(
        options.model, x, y, options.epsilon, num_steps=options.attack_steps)
    checks = [(f"{t.attack}: ours >= {3 if t.attack.startswith('PGD') else 2}x "
               "the reference", f"{t.speedup:.2f}x",
               t.speedup >= (3 if t.attack.startswith("PGD") else 2))
              for t in timings if not np.isnan(t.speedup)]
    body = (f"{options.dataset}, eps {options.epsilon}, first "
            f"{options.num_examples} test images, batch 500.\n\n"
            + attack_throughput.format_attack_throughput(timings))
    if options.quick:
        # Square-5000 in three suites takes minutes even on a few images;
        # tests/benchmarks/test_attack_throughput.py (slow) covers them.
        body += "\n\nSuites: skipped in --quick mode."
    else:
        count = min(options.suite_examples, len(x))
        suites = attack_throughput.measure_suites(
            options.model, x[:count], y[:count], options.epsilon)
        art_accuracy = suites[-1].robust_accuracy
        # Our standard suite adds APGD-T and FAB-T to what ART runs: never
        # weaker (one example of slack).
        checks.append(("autoattack robust accuracy <= ART AutoAttack's",
                       f"{100 * suites[0].robust_accuracy:.2f}% vs "
                       f"{100 * art_accuracy:.2f}%",
                       suites[0].robust_accuracy <= art_accuracy + 1 / count))
        square = attack_throughput.measure_square(
            options.model, x[:count], y[:count], options.epsilon)
        checks.append((f"{square[0].attack}: ours >= 2x ART's",
                       f"{square[0].speedup:.2f}x", square[0].speedup >= 2))
        body += (f"\n\nSuites on the first {count} test images (each "
                 "attack on the previous ones' survivors; ours run our "
                 "compiled Square, ART's its own), and Square alone on the "
                 "same images:\n\n"
                 + attack_throughput.format_attack_throughput(suites + square))
    return "Evaluation: our attacks against cleverhans and ART", body, checks


def _section_memory(options):
    architecture = "resnet9" if not options.quick else "small_cnn"
    dataset = "cifar10" if not options.quick else "mnist"
    lines = ["| net | method | batch | after import | after the input "
             "pipeline's first batch | after the training steps (peak) |",
             "|---|---|---|---|---|---|"]
    for batch_size in ((8,) if options.quick else (128, 512)):
        mib = memory.measure_peak_memory(
            dataset=dataset, architecture=architecture, method="afd",
            batch_size=batch_size, num_steps=1 if options.quick else 5,
            data_dir=options.data_dir, source=options.source)
        lines.append(f"| {architecture} | afd | {batch_size} | "
                     + " | ".join(f"{mib[p]:.0f}" for p in memory.PHASES)
                     + " |")
    return ("Memory: peak RSS (MiB) of a training process (data, model, "
            f"{1 if options.quick else 5} AFD steps), up to the end of each "
            "phase", "\n".join(lines), [])


_SECTIONS = {name: globals()[f"_section_{name}"] for name in BENCHMARKS}


def run_benchmarks(names, options):
    """Runs the named benchmarks in order.

    Args:
        names: names from `BENCHMARKS`.
        options: a `BenchmarkOptions`.

    Returns:
        (sections, checks): (title, Markdown) pairs, and the targets as
        (target, measured, met) triples.

    Raises:
        ValueError: an unknown name, or the attack benchmark without a model.

    Example:

    >>> sections, checks = run_benchmarks(["step_cost"], BenchmarkOptions())
    """
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        raise ValueError(f"Unknown benchmarks; expected some of {BENCHMARKS}. "
                         f"Received: {unknown}")
    sections, checks = [], []
    for name in names:
        title, body, new_checks = _SECTIONS[name](options)
        sections.append((title, body))
        checks += new_checks
    if checks:
        sections.append(("Targets", results.target_rows(checks)))
    return sections, checks
