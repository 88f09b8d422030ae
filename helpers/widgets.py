"""Interactive translation widgets (ipywidgets): a translator that translates as you type, and
a step-through view of the decoder choosing one character at a time.

Used in: ``07_translation_playground`` (and in 02 / 04 where they help). Building widgets is
plumbing, not a concept the course teaches, so no notebook writes this module out.

Both widgets take a loaded translation model (:func:`helpers.models.load_translation_model`)
and go through :mod:`helpers.decoding`, so what they show is what
:func:`helpers.translation.translate` returns. Whatever a person types, they show a message and
never a traceback: empty text, characters the model never saw (highlighted, then left out),
text longer than the model reads (cut, with a notice), emoji and other scripts. They work for
every model the course builds: LSTM and GRU, with or without attention, characters or words
(notebook 06's word-level models: the shading, the unknowns and the steps are words and
punctuation marks).

For an attention model (:mod:`helpers.attention`) both also show where the model looks: the
translator draws the attention map of its translation (French characters × English characters,
:func:`attention_html`), the step-through shades the English sentence by the weight of each
character at the current step (:func:`source_attention_html`). ``StepThrough(model,
follow=translator_widget)`` makes the step-through decode whatever the translator translates.

Every part carries a CSS class (``s2s-translator-input``, ``s2s-translation``, ``s2s-candidate``,
``s2s-att-row`` …) so that tests can find it, and large type (20 px and up) so that a class can
read it on a projector. In Voilà (``make app``) the page shows the widgets and nothing else: its
template, ``share/jupyter/voila/templates/s2s-playground``, leaves the other cells out and lays
the two widgets out side by side, their type growing with the screen.

Where widgets do not render (GitHub, nbviewer without the widget state, an HTML export), a
displayed widget still shows what it showed when its cell ran: its display output carries, next
to the live view, a static copy as ``text/html`` (:meth:`Translator.static_html`,
:meth:`StepThrough.static_html`; :class:`WithStaticCopy` does the same for any widget). The copy
is self-contained (inline styles, no ``<style>``, every text escaped) and writes its numbers out,
so it still reads where the styles are stripped too.

The widgets are in pieces, one subject each, and this module gathers their public names (import
them from here): :class:`Translator` is in :mod:`helpers.widget_translator`,
:class:`StepThrough` in :mod:`helpers.widget_steps`, the HTML they show in
:mod:`helpers.widget_html` (its stylesheet, :data:`CSS`, is the file ``helpers/widgets.css``),
the static copies in :mod:`helpers.widget_static`, and what they make of the text typed (and
the notes that say so) in :mod:`helpers.widget_input`.
"""

from __future__ import annotations

from helpers.widget_html import CSS, attention_html, confidence_html, source_attention_html
from helpers.widget_input import unknown_html
from helpers.widget_static import (
    STATIC_MAX_STEPS,
    WithStaticCopy,
    steps_static_html,
    translation_static_html,
)
from helpers.widget_steps import StepThrough
from helpers.widget_translator import (
    DEFAULT_MODE,
    MAX_ATTENTION_CELLS,
    MODE_NAMES,
    MODES,
    Translator,
)

__all__ = ["CSS", "DEFAULT_MODE", "MAX_ATTENTION_CELLS", "MODES", "MODE_NAMES", "STATIC_MAX_STEPS",
           "StepThrough", "Translator", "WithStaticCopy", "attention_html", "confidence_html",
           "source_attention_html", "steps_static_html", "translation_static_html",
           "unknown_html"]
