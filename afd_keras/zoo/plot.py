"""The zoo's trade-off plot: clean against PGD accuracy from the cards.

matplotlib is imported inside `plot`, so the zoo loads without it.
"""

import os

from afd_keras.data import catalog
from afd_keras.zoo import tables


def plot(all_cards, path):
    """Clean against PGD accuracy, one panel per dataset; a conditional
    model's dial sweep is drawn as a curve. Needs matplotlib.

    Args:
        all_cards: model cards (dicts).
        path: the PNG to write.
    """
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
    groups = list(tables.grouped(all_cards))
    figure, axes = pyplot.subplots(1, max(len(groups), 1), squeeze=False,
                                   figsize=(5.2 * max(len(groups), 1), 4.4),
                                   dpi=110)
    markers = dict(zip(tables.METHOD_ORDER, "osD^v"))
    for ax, (dataset, group) in zip(axes[0], groups):
        for i, card in enumerate(group):
            r, method = card["results"], card["training"]["method"]
            color = f"C{tables.METHOD_ORDER.index(method)}" if (
                method in tables.METHOD_ORDER) else f"C{i}"
            ax.plot(100 * r["pgd"]["accuracy"], 100 * r["clean"]["accuracy"],
                    markers.get(method, "P"), color=color, markersize=9,
                    label=method)
            if r["condition_sweep"]:
                sweep = sorted(r["condition_sweep"],
                               key=lambda p: p["condition"])
                ax.plot([100 * p["pgd"] for p in sweep],
                        [100 * p["clean"] for p in sweep], "x--", color=color,
                        markersize=5, alpha=0.7, label=f"{method} dial, c = "
                        + ", ".join(f"{p['condition']:g}" for p in sweep)
                        + f" (first {sweep[0]['num_examples']:,})")
        first = group[0]
        ax.set_title(f"{catalog.get_spec(dataset).title}, eps = "
                     f"{tables.epsilon_text(first['threat_model']['epsilon'])}")
        ax.set_xlabel("PGD accuracy (%)")
        ax.set_ylabel("clean accuracy (%)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
