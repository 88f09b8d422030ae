"""The course's figure style: text a back row can read, one colour per meaning.

Used in: every notebook's setup cell that imports Matplotlib (01–06 and the solutions of
03–05), and every figure cell after it (``COLORS``).

Plumbing, not a concept: a notebook may import it from its first cell on. The setup cell
calls :func:`use_course_style` once; a figure cell then leaves font sizes to the style (every
text is at least 12 pt at the course's figure size) and takes a colour that carries a meaning
from :data:`COLORS`, so training data is the same blue in every panel of every notebook.

The colours are Okabe and Ito's colour-blind-safe palette (their yellow is too pale for a line
on white and is left out) and one grey. There are more meanings than colours, so a colour
comes back for another meaning in a figure that never shows the first one;
``tests/test_figures.py`` checks that no figure cell gives two of its meanings one colour.
"""

from __future__ import annotations

from typing import Any

from cycler import cycler
from matplotlib import colormaps
from matplotlib.colors import to_hex

#: Okabe & Ito (2008), "Color Universal Design"; the names are theirs.
BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"
BLUE, VERMILLION, REDDISH_PURPLE, GREY = "#0072B2", "#D55E00", "#CC79A7", "#777777"

#: Meaning → colour, for every meaning a course figure shows.
COLORS: dict[str, str] = {
    # data: which part of the data a curve, bar or span is about (all notebooks)
    "training": BLUE,           # trained on: training loss, training sentences, steps seen
    "held_out": ORANGE,         # never trained on: validation / held-out / test
    "neutral": GREY,            # no meaning of its own: the data, a line-style key, a marked range
    "limit": BLACK,             # a limit on an axis: the longest sentence, what a model reads
    # training runs (03)
    "best_epoch": BLUISH_GREEN,  # the epoch whose weights early stopping keeps
    "stop": VERMILLION,          # where early stopping fired
    # translation models (03, 05, 06)
    "original": REDDISH_PURPLE,  # the original example's model: its configuration, its architecture
    "course": SKY_BLUE,          # the same model trained by the course trainer (03)
    "attention": BLUISH_GREEN,   # the encoder–decoder with attention (05)
    "lookup": GREY,              # the lookup baseline (05)
    # decoding (04, 05)
    "greedy": BLACK,
    "beam": VERMILLION,
    "sampling": SKY_BLUE,
    # how the data is stored (01)
    "one_hot": VERMILLION,
    "integer_ids": BLUISH_GREEN,
    # addition models (02)
    "lsb_first": BLUISH_GREEN,
    "msb_first": VERMILLION,
    "bidirectional": REDDISH_PURPLE,
    "reversed_question": SKY_BLUE,
    "reading_order": BLACK,
    # variants of the original (06; its baseline is "original")
    "gru": VERMILLION,
    "no_teacher_forcing": BLACK,
    "scheduled_sampling": SKY_BLUE,
    "words": BLUISH_GREEN,
    # attention scores (solutions of 05; Luong's general score is "attention")
    "dot_score": BLACK,
    "additive_score": VERMILLION,
}

#: Matplotlib rcParams of the course: the notebooks' figure size, and no text below 12 pt.
COURSE_STYLE: dict[str, Any] = {
    "figure.figsize": (9, 4),
    "figure.dpi": 90,
    "font.size": 12,              # annotations, ax.text, and every size given relative to it
    "axes.titlesize": 14,
    "figure.titlesize": 14,       # fig.suptitle
    "axes.labelsize": 13,         # axis labels and colour-bar labels
    "figure.labelsize": 13,       # fig.supxlabel / fig.supylabel
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.title_fontsize": 12,
    "lines.linewidth": 2.0,
    "lines.markersize": 7,
    "axes.linewidth": 1.0,
    "axes.grid": True,            # a heatmap turns it off with ax.grid(False)
    "axes.grid.axis": "y",        # lines across, to read values off; none through the bars
    "grid.alpha": 0.3,
    "grid.linewidth": 0.8,
    "axes.prop_cycle": cycler(color=[BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE,
                                     SKY_BLUE, BLACK]),
}

#: rcParams keys that set a text size (each must be a number ≥ 12 in COURSE_STYLE).
TEXT_SIZES: tuple[str, ...] = tuple(
    key for key in COURSE_STYLE
    if key == "font.size" or key.endswith(("titlesize", "labelsize", "fontsize")))


def use_course_style() -> None:
    """Apply :data:`COURSE_STYLE` to Matplotlib (call it once, in the setup cell)."""
    import matplotlib.pyplot as plt  # the backend is chosen first, then the style applies

    plt.rcParams.update(COURSE_STYLE)


def shades(n: int) -> list[str]:
    """``n`` colours for ordered values (operand lengths, learning rates), dark to light."""
    if n < 1:
        raise ValueError(f"shades needs n ≥ 1 colours, got {n}")
    ramp = colormaps["viridis"]
    return [to_hex(ramp(0.8 * i / max(n - 1, 1))) for i in range(n)]
