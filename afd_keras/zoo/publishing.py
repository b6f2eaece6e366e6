"""Publishing a finished training run: evaluate it, then write its card and
weights into the zoo. Every number in a card comes from here."""

import dataclasses
import datetime
import os
import shutil

import keras
import tensorflow as tf

from afd_keras.data import loader as loader_lib
from afd_keras.evaluation import standard
from afd_keras.training import methods
from afd_keras.training import recipes
from afd_keras.training import run_folder
from afd_keras.training import settings as settings_lib
from afd_keras.utils import checksums
from afd_keras.utils import version
from afd_keras.zoo import cards
from afd_keras.zoo import loader
from afd_keras.zoo import weights as weights_lib

_EVALUATION_FILE = "evaluation.json"


def default_name(config, epsilon=None):
    """`<architecture>_<dataset>_<method>_linf<eps>`, eps (the threat
    model's, default the run's) as 8_255 for multiples of 1/255 below 0.1
    (CIFAR-10), else as a decimal."""
    epsilon = config.epsilon if epsilon is None else epsilon
    levels = cards.pixel_levels(epsilon)
    eps_text = f"{levels}_255" if levels else f"{epsilon:g}"
    return f"{config.architecture}_{config.dataset}_{config.method}_linf{eps_text}"


def publish(run_dir, zoo_dir, *, name=None, overwrite=False, evaluate=True,
            settings=standard.EvaluationSettings(), data_dir=None, source="auto",
            url=None, verbose=1):
    """Evaluates a finished run and writes its card and weights into a zoo.

    The evaluation is saved in the run folder piece by piece, keyed by the
    weights' sha256 and the settings, so an interrupted publish resumes
    where it stopped.

    Args:
        run_dir: a finished `afd-train` run folder.
        zoo_dir: the zoo folder to write `<name>.json` and
            `<name>.weights.h5` into.
        name: the model name (default `default_name(config, epsilon)`).
        overwrite: replace a published model of the same name.
        evaluate: run the missing parts of the evaluation. With False, only
            a saved evaluation of these weights is used.
        settings: an `EvaluationSettings`.
        data_dir: the data folder (default `$AFD_DATA_DIR`).
        source: where to read the test split, as for `data.load`.
        url: where the weights will also be downloadable, or None.
        verbose: 1 shows progress bars.

    Returns:
        The card, a dict.

    Raises:
        ValueError: an unfinished run, a bad name, or no evaluation (with
            `evaluate=False`).
        FileExistsError: the name is published already and `overwrite` is
            False.

    Example:

    >>> card = publish("runs/mnist_afd", "zoo")
    >>> card["results"]["pgd"]["accuracy"]
    """
    summary, config = run_folder.read_run(run_dir)
    epsilon = config.epsilon if settings.epsilon is None else settings.epsilon
    name = name or default_name(config, epsilon)
    cards.check_name(name)
    existing = [path for path in (os.path.join(zoo_dir, name + ".json"),
                                  os.path.join(zoo_dir, f"{name}.weights.h5"))
                if os.path.exists(path)]
    if existing and not overwrite:
        raise FileExistsError(f"{name!r} is published already ({existing[0]}); "
                              "pass overwrite=True (--overwrite) to replace it.")
    data_dir = data_dir or os.environ.get(loader_lib.DATA_DIR_ENV)
    if source != "sample" and not data_dir:
        raise ValueError(
            "Publishing evaluates on the full test split, so it needs the "
            "data: pass data_dir (--data_dir) or set $AFD_DATA_DIR; "
            "source='sample' (--source=sample) evaluates on the embedded "
            f"1,000 images instead, for a trial. Received: data_dir={data_dir!r}")
    work_dir = os.path.join(run_dir, "publish")
    os.makedirs(work_dir, exist_ok=True)

    arguments = config.classifier_arguments()
    trained = keras.saving.load_model(
        os.path.join(run_dir, run_folder.CLASSIFIER_FILE), safe_mode=True)
    condition = (float(trained.default_condition) if config.conditional
                 else None)
    card = {
        "schema_version": 1,
        "name": name,
        "dataset": config.dataset,
        "threat_model": {"norm": "linf", "epsilon": epsilon},
        "model": {"architecture": config.architecture, "arguments": arguments,
                  "condition": condition,
                  "num_parameters": int(trained.count_params())},
    }
    model = loader.build(card)
    model.set_weights(trained.get_weights())
    if condition is not None:
        model.set_condition(condition)
    staged = os.path.join(work_dir, f"{name}.weights.h5")
    weights_lib.save(model, staged)
    card["files"] = {"weights": f"{name}.weights.h5",
                     "size_bytes": os.path.getsize(staged),
                     "sha256": checksums.sha256_of(staged), "url": url}

    # Evaluate exactly what users will load: the staged file, verified.
    model = loader.build(card)
    weights_lib.load_into(
        model, weights_lib.fetch(card, staged, directory=zoo_dir), card)
    saved = standard.SavedEvaluation(
        os.path.join(work_dir, _EVALUATION_FILE),
        standard.weights_digest(model), evaluate)
    card["results"] = standard.card_results(
        model, config.dataset, epsilon, settings, saved,
        conditional=config.conditional,
        load_kwargs=dict(data_dir=data_dir, source=source), verbose=verbose)
    card["training"] = _training(summary, config)
    card["provenance"] = {
        "keras": keras.__version__, "tensorflow": tf.__version__,
        "afd_keras": version.__version__,
        "date": datetime.date.today().isoformat()}
    card["reproduce"] = _commands(name, config, settings, source)

    cards.validate(card)
    os.makedirs(zoo_dir, exist_ok=True)
    incoming = os.path.join(zoo_dir, card["files"]["weights"] + ".incoming")
    shutil.copyfile(staged, incoming)
    os.replace(incoming, os.path.join(zoo_dir, card["files"]["weights"]))
    cards.write(card, zoo_dir)
    return card


def add_autoattack(name, work_dir, *, zoo_dir=None, num_examples=1000,
                   data_dir=None, source="auto", verbose=1):
    """Adds `results.autoattack` to a published card, from its shipped
    weights.

    The weights and every other result stay as they are. The evaluation is
    saved in `work_dir` chunk by chunk, keyed by the weights, so a killed run
    resumes at its first unfinished chunk.

    Args:
        name: a published model.
        work_dir: a folder for the saved evaluation.
        zoo_dir: the zoo holding the card (default `cards.zoo_dir()`).
        num_examples: AutoAttack on the first N test examples.
        data_dir: the data folder (default `$AFD_DATA_DIR`).
        source: where to read the test split, as for `data.load`.
        verbose: 1 shows progress bars.

    Returns:
        The updated card, a dict, also written to the zoo.

    Example:

    >>> add_autoattack("small_cnn_mnist_afd_linf0.3", "runs/republish")
    """
    zoo_dir = zoo_dir or cards.zoo_dir()
    card = cards.read(name, zoo_dir)
    model = loader.load(name, zoo_dir=zoo_dir)
    os.makedirs(work_dir, exist_ok=True)
    saved = standard.SavedEvaluation(
        os.path.join(work_dir, f"{name}.{_EVALUATION_FILE}"),
        standard.weights_digest(model), True)
    card["results"]["autoattack"] = standard.card_autoattack(
        model, card["dataset"], card["threat_model"]["epsilon"], saved,
        settings=standard.EvaluationSettings(autoattack_examples=num_examples),
        verbose=verbose,
        load_kwargs=dict(data_dir=data_dir or os.environ.get(
            loader_lib.DATA_DIR_ENV), source=source))
    cards.validate(card)
    cards.write(card, zoo_dir)
    return card


def _training(summary, config):
    # The method's defaults resolved (init, steps, mixing...); where the run
    # ran and read its data is not a hyperparameter.
    resolved = dataclasses.asdict(dataclasses.replace(
        config, **dataclasses.asdict(
            config.trainer_settings().resolve(config.conditional))))
    training = {
        "method": config.method,
        "reference": methods.METHODS[config.method].reference,
        "hyperparameters": {k: v for k, v in resolved.items()
                            if k not in run_folder.RESUMABLE_CHANGES
                            and k != "recipe"},
        "epochs": config.epochs,
        "seed": config.seed,
        "wall_time_seconds": summary["train_seconds"],
        "images_per_second": summary["images_per_second"],
        "hardware": summary.get("machine") or "not recorded by the run",
    }
    if config.recipe:
        training["recipe"] = config.recipe
        training["recipe_changes"] = recipes.changes_from_recipe(config)
    if summary.get("monitor"):
        # Shows that a single-step model did not overfit catastrophically.
        training["monitor"] = summary["monitor"]
    return training


def _commands(name, config, settings, source):
    run_dir = f"runs/{name}"
    publish = ["afd-publish", f"--run={run_dir}", f"--name={name}",
               "--data_dir=$AFD_DATA_DIR", *settings_lib.command_line(settings)]
    if source != "auto":
        publish.append(f"--source={source}")
    epsilon = config.epsilon if settings.epsilon is None else settings.epsilon
    pgd = settings.pgd_spec(epsilon)
    evaluate = ["afd-evaluate", f"--model={name}", f"--dataset={config.dataset}",
                "--data_dir=$AFD_DATA_DIR", f"--epsilon={epsilon}",
                f"--attacks={pgd},aa_lite",
                f"--num_examples={settings.aa_lite_examples}"]
    return {"train": recipes.train_command(config, run_dir,
                                           data_dir="$AFD_DATA_DIR"),
            "publish": " ".join(publish),
            "evaluate": " ".join(evaluate)}
